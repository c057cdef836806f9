//! Choosing the article: scores every container by the prose it holds (readability-style,
//! with class and semantic-tag hints), climbs to a wrapper that holds most of the prose, and
//! keeps the prose blocks inside the chosen element as the text's paragraphs.
//!
//! Owns the decision "which element is the article, and which of its blocks are text"; the
//! walk that makes containers and blocks from the DOM is the parent module's.

use super::*;

/// Scores containers, picks the content element and keeps the prose blocks inside it.
pub(super) fn select(mut containers: Vec<Container>, blocks: Vec<Block>) -> MainText {
    let mut page_chars = 0;
    let mut page_link_chars = 0;
    let mut page_linked_headings = 0;
    let mut total_prose = 0;
    for block in &blocks {
        page_chars += block.chars;
        page_link_chars += block.link_chars;
        let owner_tag = containers.get(block.owner).map(|c| c.tag);
        if matches!(owner_tag, Some(Tag::Heading | Tag::Heading1)) && block.link_density() > MAX_BLOCK_LINK_DENSITY {
            page_linked_headings += 1;
        }
        let prose = is_prose(block);
        if prose {
            total_prose += block.chars;
        }
        if let Some(container) = containers.get_mut(block.owner) {
            container.chars += block.chars;
            container.link_chars += block.link_chars;
            if prose {
                container.prose_chars += block.chars;
            }
        }
    }
    // Each container's counts include its descendants': children come after their parent in
    // the list, so one backward pass adds every container into its parent (linear, where a
    // walk up from every block would cost blocks × depth).
    for index in (1..containers.len()).rev() {
        let (chars, link_chars, prose_chars) = {
            let c = &containers[index];
            (c.chars, c.link_chars, c.prose_chars)
        };
        if let Some(parent) = containers[index].parent.and_then(|p| containers.get_mut(p)) {
            parent.chars += chars;
            parent.link_chars += link_chars;
            parent.prose_chars += prose_chars;
        }
    }

    // Hinted elements holding most of the prose are wrappers: their hint is void.
    for container in containers.iter_mut() {
        if container.negative && total_prose > 0 && ratio(container.prose_chars, total_prose) >= WRAPPER_SHARE {
            container.negative = false;
        }
    }
    let is_excluded = |containers: &[Container], block: &Block| {
        block.negative.is_some_and(|index| containers.get(index).is_some_and(|c| c.negative))
    };

    for block in &blocks {
        if !is_prose(block) || is_excluded(&containers, block) {
            continue;
        }
        let Some(owner) = containers.get(block.owner) else {
            continue;
        };
        if owner.tag == Tag::Heading || owner.tag == Tag::Heading1 {
            continue;
        }
        let commas = block.text.chars().filter(|c| matches!(c, ',' | '，' | '、' | '،')).count();
        let score = 1.0 + commas as f64 + (block.chars as f64 / 100.0).min(3.0);
        let start = if owner.tag.votes_for_parent() { owner.parent } else { Some(block.owner) };
        let mut current = start;
        for level in 0..SCORE_LEVELS {
            let Some(index) = current else { break };
            let Some(container) = containers.get_mut(index) else {
                break;
            };
            let divider = match level {
                0 => 1.0,
                1 => 2.0,
                _ => level as f64 * 3.0,
            };
            container.score += score / divider;
            current = container.parent;
        }
        if let Some(container) = containers.get_mut(block.owner) {
            container.clean_prose_chars += block.chars;
        }
    }
    for index in (1..containers.len()).rev() {
        let clean = containers[index].clean_prose_chars;
        if let Some(parent) = containers[index].parent.and_then(|p| containers.get_mut(p)) {
            parent.clean_prose_chars += clean;
        }
    }

    let final_score = |c: &Container| {
        let mut score = c.score * (1.0 - ratio(c.link_chars, c.chars));
        if c.positive {
            score += CLASS_WEIGHT;
        }
        if c.negative {
            score -= CLASS_WEIGHT;
        }
        if c.semantic {
            score += SEMANTIC_WEIGHT;
        }
        score
    };
    let best = containers
        .iter()
        .enumerate()
        .filter(|(_, c)| c.score > 0.0)
        .map(|(i, c)| (i, final_score(c)))
        .max_by(|a, b| a.1.total_cmp(&b.1));

    let mut main = MainText { page_chars, page_link_chars, page_linked_headings, ..MainText::default() };
    let Some((best, best_score)) = best else {
        // No prose anywhere: keep what is not boilerplate, for is_article to judge.
        main.paragraphs = blocks
            .iter()
            .filter(|b| !is_excluded(&containers, b) && keep_block(&containers, b))
            .map(|b| to_paragraph(&containers, b))
            .collect();
        main.content_link_density = ratio(page_link_chars, page_chars);
        return main;
    };

    // Climb to an ancestor that adds much more prose at a low link density: the article
    // continues in a sibling branch (a second section, a div after an embed).
    let mut best = best;
    let mut current = best;
    for _ in 0..CLIMB_LEVELS {
        let Some(parent) = containers.get(current).and_then(|c| c.parent) else {
            break;
        };
        if parent == 0 {
            break;
        }
        current = parent;
        let (Some(chosen), Some(candidate)) = (containers.get(best), containers.get(current)) else {
            break;
        };
        if candidate.clean_prose_chars as f64 >= chosen.clean_prose_chars as f64 * CLIMB_GAIN
            && ratio(candidate.link_chars, candidate.chars) <= CLIMB_MAX_LINK_DENSITY
            && ratio(candidate.clean_prose_chars, candidate.chars) >= CLIMB_MIN_PROSE_SHARE
        {
            best = current;
        }
    }
    let best_score = containers.get(best).map_or(best_score, final_score).max(best_score);

    // The chosen element plus siblings that score well (articles split over several divs).
    let parent = containers.get(best).and_then(|c| c.parent);
    let mut roots = vec![best];
    if parent.is_some() {
        for (index, container) in containers.iter().enumerate() {
            if index != best
                && container.parent == parent
                && !container.negative
                && container.score > 0.0
                && final_score(container) >= (best_score * SIBLING_SHARE).max(3.0)
            {
                roots.push(index);
            }
        }
    }
    // Whether each container lies in a root, in one forward pass (parents come first).
    let mut is_root = vec![false; containers.len()];
    for &root in &roots {
        if let Some(flag) = is_root.get_mut(root) {
            *flag = true;
        }
    }
    let mut under_root = vec![false; containers.len()];
    for index in 0..containers.len() {
        let parent_in = containers[index].parent.is_some_and(|p| under_root.get(p).copied().unwrap_or(false));
        under_root[index] = parent_in || is_root[index];
    }
    let in_roots = |_: &[Container], index: usize| under_root.get(index).copied().unwrap_or(false);
    // Boilerplate hints inside the chosen element always apply; a hinted ancestor of it is
    // a wrapper.
    let excluded_here = |containers: &[Container], block: &Block| {
        block.negative.is_some_and(|index| {
            containers.get(index).is_some_and(|c| c.negative) && !is_root.get(index).copied().unwrap_or(false) && {
                // Hinted element strictly inside a root?
                in_roots(containers, index)
            }
        })
    };

    let mut chars = 0;
    let mut link_chars = 0;
    for block in &blocks {
        if !in_roots(&containers, block.owner) {
            continue;
        }
        chars += block.chars;
        link_chars += block.link_chars;
        if excluded_here(&containers, block) || !keep_block(&containers, block) {
            continue;
        }
        let paragraph = to_paragraph(&containers, block);
        if main.paragraphs.last() == Some(&paragraph) {
            continue;
        }
        if block.chars >= MIN_SCORING_CHARS {
            main.prose_paragraphs += 1;
        }
        main.paragraphs.push(paragraph);
    }
    main.content_link_density = ratio(link_chars, chars);
    main
}

/// Whether a block reads like prose (long enough, few links).
fn is_prose(block: &Block) -> bool {
    block.chars >= MIN_SCORING_CHARS && block.link_density() <= MAX_BLOCK_LINK_DENSITY
}

/// Whether a block inside the content element belongs in the text.
fn keep_block(containers: &[Container], block: &Block) -> bool {
    let tag = containers.get(block.owner).map_or(Tag::Other, |c| c.tag);
    if tag == Tag::Heading1 {
        return false;
    }
    if block.link_density() > MAX_BLOCK_LINK_DENSITY {
        return false;
    }
    if block.chars < hints::BOILERPLATE_MAX_CHARS && is_furniture(&block.text) {
        return false;
    }
    true
}

fn to_paragraph(containers: &[Container], block: &Block) -> Paragraph {
    let kind = containers.get(block.owner).map_or(BlockKind::Other, |c| c.tag.block_kind());
    let text = if block.text.contains("://") || block.text.contains("www.") {
        let stripped = URL_IN_TEXT.replace_all(&block.text, "");
        stripped.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        block.text.clone()
    };
    Paragraph { text, kind }
}
