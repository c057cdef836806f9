//! First-order Viterbi decoding over BILOU classes: the best class sequence given per-token
//! class scores and per-token transition scores, restricted to valid BILOU sequences and,
//! optionally, to a set of classes per token (used to find the best path consistent with
//! partial gold labels while training).
//!
//! Pure arithmetic on score arrays; knows nothing about features.

use std::borrow::Borrow;
use std::sync::OnceLock;

use super::scheme::{self, NUM_CLASSES, OUTSIDE};

/// Previous-class states: the classes plus the sentence start.
pub(crate) const PREV_STATES: usize = NUM_CLASSES + 1;

/// Index of the sentence-start state in transition tables.
pub(crate) const START: usize = NUM_CLASSES;

/// Per-token scores of each class.
pub(crate) type Emission = [i64; NUM_CLASSES];

/// Per-token scores of (previous state, class) pairs.
pub(crate) type Transition = [[i64; NUM_CLASSES]; PREV_STATES];

/// Whether `class` may follow state `prev` (START behaves as `O`).
fn valid(prev: usize, class: usize, last: bool) -> bool {
    let prev = if prev == START { OUTSIDE } else { prev as u8 };
    scheme::allowed(prev, class as u8, last)
}

/// For each class, the bitmask of the previous states it may follow: `[0]` inside a
/// sentence, `[1]` at its last token.
fn predecessors() -> [[u32; NUM_CLASSES]; 2] {
    let mut out = [[0u32; NUM_CLASSES]; 2];
    for (last, masks) in out.iter_mut().enumerate() {
        for (c, mask) in masks.iter_mut().enumerate() {
            for p in 0..PREV_STATES {
                if valid(p, c, last == 1) {
                    *mask |= 1 << p;
                }
            }
        }
    }
    out
}

/// The best valid class sequence. `transition[i]` scores token `i`'s (previous state, class)
/// pairs; `allowed[i]`, when given, is a bitmask of the classes token `i` may take. Ties go
/// to lower class numbers. Returns an empty vector for empty input, and never fails: if the
/// masks leave no valid path, the mask is ignored.
pub(crate) fn viterbi<T: Borrow<Transition>>(
    emission: &[Emission],
    transition: &[T],
    allowed: Option<&[u32]>,
) -> Vec<u8> {
    static PREDECESSORS: OnceLock<[[u32; NUM_CLASSES]; 2]> = OnceLock::new();
    let predecessors = PREDECESSORS.get_or_init(predecessors);
    let n = emission.len().min(transition.len());
    if n == 0 {
        return Vec::new();
    }
    const NONE: i64 = i64::MIN / 4;
    let mut back: Vec<[u8; NUM_CLASSES]> = vec![[0; NUM_CLASSES]; n];
    let mut best = [NONE; NUM_CLASSES];
    for (i, (e, t)) in emission.iter().zip(transition).take(n).enumerate() {
        let t: &Transition = t.borrow();
        let last = usize::from(i + 1 == n);
        let mask = allowed.and_then(|a| a.get(i)).copied().unwrap_or(u32::MAX);
        let mut next = [NONE; NUM_CLASSES];
        for c in 0..NUM_CLASSES {
            if mask & (1 << c) == 0 {
                continue;
            }
            let mut from = predecessors[last][c];
            if i == 0 {
                if from & (1 << START) != 0 {
                    next[c] = e[c] + t[START][c];
                }
                continue;
            }
            from &= !(1 << START);
            // Ascending previous states with a strict `>`: ties keep the lowest.
            while from != 0 {
                let p = from.trailing_zeros() as usize;
                from &= from - 1;
                let score = best[p];
                if score == NONE {
                    continue;
                }
                let s = score + t[p][c] + e[c];
                if s > next[c] {
                    next[c] = s;
                    back[i][c] = p as u8;
                }
            }
        }
        best = next;
    }
    let Some((mut c, _)) = best.iter().enumerate().filter(|(_, s)| **s != NONE).fold(
        None,
        |acc: Option<(usize, i64)>, (c, &s)| match acc {
            Some((_, b)) if b >= s => acc,
            _ => Some((c, s)),
        },
    ) else {
        return if allowed.is_some() { viterbi(emission, transition, None) } else { vec![OUTSIDE; n] };
    };
    let mut out = vec![OUTSIDE; n];
    for i in (0..n).rev() {
        out[i] = c as u8;
        c = back[i][c] as usize;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EntityLabel;

    #[test]
    fn picks_a_valid_path_even_when_scores_prefer_an_invalid_one() {
        // Token scores alone would say I-PER then O, which is not a valid sequence.
        let inside = scheme::class(scheme::type_index(EntityLabel::Person), scheme::Part::Inside);
        let mut e = [[0i64; NUM_CLASSES]; 2];
        e[0][inside as usize] = 10;
        let t = [[[0i64; NUM_CLASSES]; PREV_STATES]; 2];
        let path = viterbi(&e, &t, None);
        assert!(scheme::allowed(OUTSIDE, path[0], false));
        assert!(scheme::allowed(path[0], path[1], true));
    }

    #[test]
    fn masks_restrict_classes() {
        let e = [[0i64; NUM_CLASSES]; 3];
        let t = [[[0i64; NUM_CLASSES]; PREV_STATES]; 3];
        let unit_loc = scheme::class(2, scheme::Part::Unit);
        let masks = [1u32, 1 << unit_loc, 1];
        assert_eq!(viterbi(&e, &t, Some(&masks)), vec![0, unit_loc, 0]);
    }
}
