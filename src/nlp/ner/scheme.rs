//! The BILOU tag scheme the tagger predicts internally: class numbering, conversion from the
//! BIO tags of the training data, transition constraints and decoding classes into spans.
//!
//! Owns nothing but pure functions over small integers; it must not know about features or
//! weights.

use std::ops::Range;

use crate::model::EntityLabel;

/// Entity types, in class order.
pub(crate) const TYPES: [EntityLabel; 4] =
    [EntityLabel::Person, EntityLabel::Organization, EntityLabel::Location, EntityLabel::Misc];

/// Index of MISC in [`TYPES`].
pub(crate) const MISC: u8 = 3;

/// `O` plus B/I/L/U for each of the four types.
pub(crate) const NUM_CLASSES: usize = 17;

/// The class meaning "outside any entity".
pub(crate) const OUTSIDE: u8 = 0;

/// Position of a token inside an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Begin = 0,
    Inside = 1,
    Last = 2,
    Unit = 3,
}

/// The class for `part` of an entity of type index `ty` (0..4).
pub(crate) fn class(ty: u8, part: Part) -> u8 {
    1 + ty * 4 + part as u8
}

/// The type index of a class, `None` for `O`.
pub(crate) fn type_of(class: u8) -> Option<u8> {
    (class != OUTSIDE).then(|| (class - 1) / 4)
}

/// The part of a class, `None` for `O`.
pub(crate) fn part_of(class: u8) -> Option<Part> {
    if class == OUTSIDE {
        return None;
    }
    Some(match (class - 1) % 4 {
        0 => Part::Begin,
        1 => Part::Inside,
        2 => Part::Last,
        _ => Part::Unit,
    })
}

/// Type index of a label.
pub(crate) fn type_index(label: EntityLabel) -> u8 {
    match label {
        EntityLabel::Person => 0,
        EntityLabel::Organization => 1,
        EntityLabel::Location => 2,
        EntityLabel::Misc => 3,
    }
}

/// Whether `prev` leaves an entity open (the next token must continue it).
pub(crate) fn is_open(prev: u8) -> bool {
    matches!(part_of(prev), Some(Part::Begin | Part::Inside))
}

/// Whether `class` may follow `prev`; `last` says the token ends the sentence.
pub(crate) fn allowed(prev: u8, class: u8, last: bool) -> bool {
    let part = part_of(class);
    if last && matches!(part, Some(Part::Begin | Part::Inside)) {
        return false;
    }
    if is_open(prev) {
        type_of(prev) == type_of(class) && matches!(part, Some(Part::Inside | Part::Last))
    } else {
        !matches!(part, Some(Part::Inside | Part::Last))
    }
}

/// Entity spans as (token range, type index) -> BILOU classes.
pub(crate) fn spans_to_classes(len: usize, spans: &[(Range<usize>, u8)]) -> Vec<u8> {
    let mut out = vec![OUTSIDE; len];
    for (range, ty) in spans {
        let (start, end) = (range.start, range.end.min(len));
        if start >= end {
            continue;
        }
        if end - start == 1 {
            out[start] = class(*ty, Part::Unit);
            continue;
        }
        out[start] = class(*ty, Part::Begin);
        for slot in &mut out[start + 1..end - 1] {
            *slot = class(*ty, Part::Inside);
        }
        out[end - 1] = class(*ty, Part::Last);
    }
    out
}

/// BILOU classes -> entity spans (token range, type index). Tolerates invalid sequences:
/// an entity ends at `L`/`U`, at `O`, or where the type changes.
pub(crate) fn classes_to_spans(classes: &[u8]) -> Vec<(Range<usize>, u8)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, u8)> = None;
    for (i, &c) in classes.iter().enumerate() {
        let ty = type_of(c);
        let part = part_of(c);
        if let Some((start, oty)) = open {
            let continues = ty == Some(oty) && matches!(part, Some(Part::Inside | Part::Last));
            if !continues {
                out.push((start..i, oty));
                open = None;
            }
        }
        match (ty, part) {
            (Some(t), Some(Part::Begin | Part::Inside)) if open.is_none() => open = Some((i, t)),
            (Some(t), Some(Part::Unit | Part::Last)) if open.is_none() => out.push((i..i + 1, t)),
            (Some(_), Some(Part::Last)) => {
                if let Some((start, oty)) = open.take() {
                    out.push((start..i + 1, oty));
                }
            }
            _ => {}
        }
    }
    if let Some((start, oty)) = open {
        out.push((start..classes.len(), oty));
    }
    out
}

/// Entity spans -> BIO tag strings (for CoNLL output).
pub(crate) fn spans_to_bio(len: usize, spans: &[(Range<usize>, EntityLabel)]) -> Vec<String> {
    let mut out = vec!["O".to_string(); len];
    for (range, label) in spans {
        for i in range.clone() {
            if i < len {
                let prefix = if i == range.start { "B" } else { "I" };
                out[i] = format!("{prefix}-{}", label.as_str());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_round_trip_through_classes() {
        let spans = vec![(0..2, 0), (3..4, 2), (5..8, 3)];
        let classes = spans_to_classes(9, &spans);
        assert_eq!(classes_to_spans(&classes), spans);
    }
}
