//! Parallel mode: monotonic dynamic programming over alignment beads (1-1, 1-2, 2-1, 2-2,
//! 1-0, 0-1, ... up to n+m ≤ `max_bead`) with a length model and the sentence similarity,
//! restricted to a band around a skeleton path of high-confidence anchors so that time and
//! memory stay linear in document length. With sentence vectors (as Vecalign and Bertalign
//! do), a bead is also scored by the cosine of the vectors of its two sides' overlaps — the
//! concatenated sentences embedded as one text — so that n-m beads are judged as wholes.
//!
//! The pieces: [`model`] (parameters, overlap vectors, beads), [`costs`] (what a bead costs), [`semantic`] (its vectors' part), [`band`]
//! (where the DP may go), [`dp`] (the DP and its back-trace), [`overlaps`] (which overlaps
//! to embed) and [`problems`] (independent problems on every core, embedded in rounds).

mod band;
mod costs;
mod dp;
pub mod model;
pub mod overlaps;
pub mod problems;
mod semantic;
#[cfg(test)]
mod tests;

use std::cell::RefCell;

use super::features::{Features, Vocabulary};
use costs::{Scorer, SpanLogLengths, WordMemo};
pub use model::{Bead, LONG_DOCUMENT_BAND, OverlapVectors, ParallelParams, StandIns};
use semantic::Semantic;

/// Aligns two sentence sequences monotonically. `source` are the features of the source
/// sentences' translations (with invariants), `target` those of the target sentences;
/// `vectors`, when given, are the overlap vectors of both sides.
pub fn align(
    source: &[Features],
    target: &[Features],
    vocabulary: &Vocabulary,
    params: ParallelParams,
    vectors: Option<OverlapVectors>,
) -> Vec<Bead> {
    let (n, m) = (source.len(), target.len());
    if n == 0 || m == 0 {
        return (0..n)
            .map(|i| Bead {
                source: i..i + 1,
                target: 0..0,
                score: 0.0,
            })
            .chain((0..m).map(|j| Bead {
                source: 0..0,
                target: j..j + 1,
                score: 0.0,
            }))
            .collect();
    }
    let total_s: f32 = source.iter().map(|f| f.chars as f32).sum::<f32>() + 1.0;
    let total_t: f32 = target.iter().map(|f| f.chars as f32).sum::<f32>() + 1.0;
    let mut scorer = Scorer {
        source,
        target,
        source_weight: source.iter().map(|f| f.weight(vocabulary)).collect(),
        target_weight: target.iter().map(|f| f.weight(vocabulary)).collect(),
        vocabulary,
        params,
        length_mean: (total_s / total_t).ln(),
        source_lengths: SpanLogLengths::new(source, params.max_bead),
        target_lengths: SpanLogLengths::new(target, params.max_bead),
        vectors: vectors.map(Semantic::new),
        memo: None,
    };
    // Long documents get a narrower band: their skeleton has many anchors.
    let half_width = if n.max(m) > 5_000 {
        LONG_DOCUMENT_BAND
    } else {
        params.band
    };
    let ranges = band::band(&scorer, half_width);
    scorer.memo = Some(RefCell::new(WordMemo::new(&ranges, params.max_bead)));
    if let Some(semantic) = scorer.vectors.as_mut() {
        semantic.index_singles(&ranges, params.max_bead);
    }
    dp::dynamic_programme(&scorer, &ranges)
}
