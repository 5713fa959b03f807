//! Where the DP may go: a band around a skeleton path of high-confidence anchors (word
//! anchors, and with vectors embedding anchors), so that time and memory stay linear in
//! document length.

use std::ops::Range;

use super::costs::Scorer;
use super::semantic::Semantic;
use crate::align::comparable;
use crate::align::vectors;

/// For every source position 0..=n, the allowed target positions: the whole document when
/// it is small, else a band around a skeleton of anchors.
pub(super) fn band(scorer: &Scorer, half_width: usize) -> Vec<Range<usize>> {
    let (n, m) = (scorer.source.len(), scorer.target.len());
    if (n + 1) * (m + 1) <= 40_000 {
        return vec![0..m + 1; n + 1];
    }
    // Skeleton: each source sentence's best target within a window around the diagonal
    // (found through an inverted index), then the longest monotone chain of those anchors.
    let mut anchors = comparable::anchors(scorer.source, scorer.target, scorer.vocabulary);
    if let Some(semantic) = &scorer.vectors {
        // Confident embedding matches come first; word matches fill the other sentences.
        let by_vectors = vector_anchors(semantic, n, m);
        let placed: std::collections::HashSet<usize> = by_vectors.iter().map(|a| a.0).collect();
        anchors.retain(|a| !placed.contains(&a.0));
        anchors.extend(by_vectors);
        anchors.sort_unstable();
    }
    let chain = longest_increasing_chain(&anchors);
    let mut points: Vec<(usize, usize)> = vec![(0, 0)];
    points.extend(chain);
    points.push((n, m));
    let mut ranges = Vec::with_capacity(n + 1);
    let mut p = 0;
    for i in 0..=n {
        while p + 1 < points.len() - 1 && points[p + 1].0 <= i {
            p += 1;
        }
        let (i0, j0) = points[p];
        let (i1, j1) = points[(p + 1).min(points.len() - 1)];
        let centre = if i1 > i0 {
            j0 + (j1 - j0) * (i - i0) / (i1 - i0)
        } else {
            j0
        };
        let lo = centre.saturating_sub(half_width);
        let hi = (centre + half_width + 1).min(m + 1);
        ranges.push(lo..hi);
    }
    // Make the band monotone and connected.
    for i in 1..=n {
        if ranges[i].start < ranges[i - 1].start {
            ranges[i].start = ranges[i - 1].start;
        }
        if ranges[i].end < ranges[i - 1].end {
            ranges[i].end = ranges[i - 1].end;
        }
    }
    for i in (0..n).rev() {
        if ranges[i].end > ranges[i + 1].end {
            ranges[i].end = ranges[i + 1].end;
        }
    }
    ranges[0].start = 0;
    ranges[n].end = m + 1;
    for i in 1..=n {
        // Overlap with the previous row so that every cell has a predecessor.
        if ranges[i].start > ranges[i - 1].end.saturating_sub(1) {
            ranges[i].start = ranges[i - 1].end.saturating_sub(1);
        }
    }
    ranges
}

/// Most single-sentence cosines [`vector_anchors`] computes: beyond, it looks at evenly
/// spaced source sentences only (a skeleton needs no more).
pub(super) const VECTOR_ANCHOR_PAIRS: usize = 5_000_000;

/// Anchors from sentence vectors: source sentences whose most similar target near the
/// diagonal (rescaled cosine of the two sentences) clearly beats the runner-up, by the rule
/// of the lexical anchors, as (source, target) in source order.
pub(super) fn vector_anchors(semantic: &Semantic, n: usize, m: usize) -> Vec<(usize, usize)> {
    let width = comparable::anchor_window(n / 2, n, m).len().max(1);
    let step = (n * width).div_ceil(VECTOR_ANCHOR_PAIRS).max(1);
    let mut out = Vec::new();
    for (i, x) in semantic.source_sentences.iter().enumerate().step_by(step) {
        let Some(x) = x else { continue };
        let range = comparable::anchor_window(i, n, m);
        let (mut best, mut second, mut at) = (f32::NEG_INFINITY, 0.0f32, 0);
        for (j, y) in semantic.target_sentences[range.clone()].iter().enumerate() {
            let Some(y) = y else { continue };
            let similarity = semantic.baseline.rescale(vectors::dot(x, y));
            if similarity > best {
                second = second.max(best);
                (best, at) = (similarity, range.start + j);
            } else {
                second = second.max(similarity);
            }
        }
        if comparable::is_anchor(best, second) {
            out.push((i, at));
        }
    }
    out
}

/// The longest chain of anchors increasing in both coordinates (patience sorting).
pub(super) fn longest_increasing_chain(anchors: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut tails: Vec<usize> = Vec::new(); // index into anchors of the chain ending
    let mut previous: Vec<Option<usize>> = vec![None; anchors.len()];
    for (k, &(_, j)) in anchors.iter().enumerate() {
        let pos = tails.partition_point(|&t| anchors[t].1 < j);
        if pos > 0 {
            previous[k] = Some(tails[pos - 1]);
        }
        if pos == tails.len() {
            tails.push(k);
        } else {
            tails[pos] = k;
        }
    }
    let mut chain = Vec::new();
    let mut k = tails.last().copied();
    while let Some(i) = k {
        chain.push(anchors[i]);
        k = previous[i];
    }
    chain.reverse();
    chain
}
