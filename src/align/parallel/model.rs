//! What the parallel aligner's pieces share: its parameters, the overlap vectors it reads
//! (and which of them stand in for ones not embedded), and the beads it gives.

use std::ops::Range;

use crate::align::features::SimilarityWeights;
use crate::align::vectors::f16;

/// Tunable parameters of the parallel aligner.
#[derive(Debug, Clone, Copy)]
pub struct ParallelParams {
    /// Largest bead: n + m ≤ max_bead (2 to 8; `align.max_bead`: 6, 7 with vectors).
    pub max_bead: usize,
    /// Cost of leaving one sentence unaligned (a 1-0 or 0-1 bead).
    pub skip_cost: f32,
    /// Extra cost per sentence of a bead beyond 1-1 (2-1: once, 2-2: twice).
    pub merge_penalty: f32,
    /// Weight of the length model in a bead's score (the rest is similarity).
    pub length_weight: f32,
    /// Half width of the band around the skeleton path, in sentences (documents of up to
    /// 5,000 sentences; longer ones use [`LONG_DOCUMENT_BAND`]).
    pub band: usize,
    pub weights: SimilarityWeights,
    /// With vectors: the share of the lexical cost in a bead's cost.
    pub lexical_weight: f32,
    /// Weight of a bead's boundary leak (see [`Scorer::boundary_leak`]) in its cost.
    pub leak_weight: f32,
}

impl Default for ParallelParams {
    fn default() -> Self {
        // Tuned on the Bleualign development set (eval1957, German→French with the Google
        // translation); see docs/src/alignment.md.
        ParallelParams {
            max_bead: 6,
            skip_cost: 0.6,
            merge_penalty: 0.2,
            length_weight: 0.2,
            // eval1957 dev: the same beads for 35 to 60 (30 loses 0.7 points of strict F1);
            // 45 keeps a margin and takes 0.09 s instead of 0.10 s for the whole command.
            band: 45,
            weights: SimilarityWeights { words: 0.4 },
            lexical_weight: 0.2,
            leak_weight: 0.7,
        }
    }
}

/// Half width of the band for documents of more than 5,000 sentences, whose skeleton has
/// many anchors.
pub const LONG_DOCUMENT_BAND: usize = 20;

/// Unit vectors of overlaps: `source[i][n - 1]` is the vector of source sentences
/// `i..i + n` embedded as one text (likewise `target`), for n up to the overlap size.
#[derive(Debug, Clone, Copy)]
pub struct OverlapVectors<'a> {
    pub source: &'a [Vec<Option<&'a [f16]>>],
    pub target: &'a [Vec<Option<&'a [f16]>>],
    /// Which of them only stand in for an overlap that was not embedded.
    pub stand_ins: Option<StandIns<'a>>,
}

/// Which overlap vectors stand in for ones not embedded (`source[i][n - 1]` as in
/// [`OverlapVectors`]), and what a bead with one gains: a stand-in's cosine is an estimate,
/// and an optimistic one lets the path go through it, so that it gets embedded.
#[derive(Debug, Clone, Copy)]
pub struct StandIns<'a> {
    pub source: &'a [Vec<bool>],
    pub target: &'a [Vec<bool>],
    pub bonus: f32,
}

impl<'a> OverlapVectors<'a> {
    pub(super) fn source_span(&self, i: usize, n: usize) -> Option<&'a [f16]> {
        *self.source.get(i)?.get(n.checked_sub(1)?)?
    }
    pub(super) fn target_span(&self, j: usize, m: usize) -> Option<&'a [f16]> {
        *self.target.get(j)?.get(m.checked_sub(1)?)?
    }
}

impl ParallelParams {
    /// The parameters `[align]` sets, with sentence vectors (`embedded`) or without.
    pub fn from_config(raw: &crate::config::RawAlign, embedded: bool) -> Self {
        ParallelParams {
            max_bead: raw.max_bead(embedded),
            lexical_weight: raw.lexical_weight as f32,
            ..ParallelParams::default()
        }
    }
}

/// One bead of the alignment: source and target sentence ranges, and its score in [0, 1]
/// (0 for null beads).
#[derive(Debug, Clone, PartialEq)]
pub struct Bead {
    pub source: Range<usize>,
    pub target: Range<usize>,
    pub score: f32,
}
