//! The embedding side of a bead's score: the cosine of the vectors of its two overlaps,
//! rescaled against what is typical of them and marked down by its best part.

use super::model::OverlapVectors;
use crate::align::vectors::{self, Baseline, f16};

/// The overlap vectors and the cosine of unrelated sentences, for scoring beads.
#[derive(Debug, Clone)]
pub(super) struct Semantic<'a> {
    pub(super) spans: OverlapVectors<'a>,
    /// The vectors of the single sentences of each side.
    pub(super) source_sentences: Vec<Option<&'a [f16]>>,
    pub(super) target_sentences: Vec<Option<&'a [f16]>>,
    pub(super) baseline: Baseline,
    /// `source_typical[i][n - 1]`: the mean cosine of the source overlap `i..i + n` with
    /// the target's sentences (likewise `target_typical` with the source's).
    pub(super) source_typical: Vec<Vec<f32>>,
    pub(super) target_typical: Vec<Vec<f32>>,
    /// The rescaled cosines of the sentence pairs the DP can meet, once the band is known.
    singles: Option<SinglePairs>,
}

/// `raw(a, 1, b, 1)` for every source sentence `a` and the targets `b` a bead with it can
/// hold inside the band, computed once: a bead of n × m sentences reads n · m of them for
/// its best part, and each pair is in many beads (NaN where a sentence has no vector).
#[derive(Debug, Clone)]
struct SinglePairs {
    /// For every source sentence, its first target and the values from there on.
    rows: Vec<(usize, Vec<f32>)>,
}

impl<'a> Semantic<'a> {
    pub(super) fn new(spans: OverlapVectors<'a>) -> Self {
        let source_sentences = single_sentences(spans.source);
        let target_sentences = single_sentences(spans.target);
        let baseline = Baseline::of(&source_sentences, &target_sentences);
        let source_typical = typical_cosines(spans.source, &target_sentences);
        let target_typical = typical_cosines(spans.target, &source_sentences);
        Semantic {
            spans,
            source_sentences,
            target_sentences,
            baseline,
            source_typical,
            target_typical,
            singles: None,
        }
    }

    /// Computes the cosines of the sentence pairs that beads of up to `max_bead` sentences
    /// inside the band `ranges` (allowed target positions for every source position) hold.
    pub(super) fn index_singles(&mut self, ranges: &[std::ops::Range<usize>], max_bead: usize) {
        let n = self.source_sentences.len();
        let m = self.target_sentences.len();
        let rows = (0..n)
            .map(|a| {
                let rows =
                    &ranges[(a + 1).saturating_sub(max_bead)..(a + max_bead + 1).min(ranges.len())];
                let first = rows
                    .iter()
                    .map(|r| r.start)
                    .min()
                    .unwrap_or(0)
                    .saturating_sub(max_bead)
                    .min(m);
                let last = rows.iter().map(|r| r.end).max().unwrap_or(0).min(m);
                let values = (first..last.max(first))
                    .map(|b| self.raw(a, 1, b, 1).unwrap_or(f32::NAN))
                    .collect();
                (first, values)
            })
            .collect();
        self.singles = Some(SinglePairs { rows });
    }

    /// `raw(a, 1, b, 1)`, from the table when it holds the pair.
    fn single(&self, a: usize, b: usize) -> Option<f32> {
        if let Some((first, values)) = self.singles.as_ref().and_then(|t| t.rows.get(a))
            && let Some(&value) = b.checked_sub(*first).and_then(|k| values.get(k))
        {
            return (!value.is_nan()).then_some(value);
        }
        self.raw(a, 1, b, 1)
    }

    /// The rescaled cosine of the two overlaps of a bead; `None` when one has no vector.
    pub(super) fn similarity(&self, i: usize, n: usize, j: usize, m: usize) -> Option<f32> {
        let whole = self.raw(i, n, j, m)?;
        if n + m <= 2 {
            return Some(whole);
        }
        // A merge must earn its sentences: the vector of a longer overlap stays close to a
        // counterpart of part of it, so a bead is marked down by how much its best part
        // beats it — the best bead with one sentence fewer (at either end of either side;
        // eval1957 dev: strict F1 0.889 → 0.899) or any pair of one sentence of each side
        // in it (which catches a bead that swallowed several lines of noise, each of which
        // moves the vector of the whole too little to show on its own).
        let mut best_part = f32::NEG_INFINITY;
        for a in i..i + n {
            for b in j..j + m {
                if let Some(s) = self.single(a, b) {
                    best_part = best_part.max(s);
                }
            }
        }
        if n > 1 {
            for (a, b) in [(i + 1, n - 1), (i, n - 1)] {
                if let Some(s) = self.raw(a, b, j, m) {
                    best_part = best_part.max(s);
                }
            }
        }
        if m > 1 {
            for (a, b) in [(j + 1, m - 1), (j, m - 1)] {
                if let Some(s) = self.raw(i, n, a, b) {
                    best_part = best_part.max(s);
                }
            }
        }
        Some(whole - (best_part - whole).max(0.0))
    }

    pub(super) fn raw(&self, i: usize, n: usize, j: usize, m: usize) -> Option<f32> {
        let x = self.spans.source_span(i, n)?;
        let y = self.spans.target_span(j, m)?;
        // Rescaled against what is typical of these two overlaps rather than of the whole
        // document pair, as Vecalign normalises its costs: an overlap that is close to
        // every sentence of the other text (a long one, a list of names) earns less from
        // the same cosine (eval1957 dev, strict F1 0.923 → 0.927).
        let typical = (self.source_typical[i][n - 1] + self.target_typical[j][m - 1]) / 2.0;
        let typical = typical.clamp(-0.99, 0.99);
        let rescaled = ((vectors::dot(x, y) - typical) / (1.0 - typical)).max(0.0);
        let bonus = self.spans.stand_ins.map_or(0.0, |s| {
            let stand_in = |side: &[Vec<bool>], k: usize, len: usize| {
                side.get(k)
                    .and_then(|r| r.get(len - 1))
                    .copied()
                    .unwrap_or(false)
            };
            if stand_in(s.source, i, n) || stand_in(s.target, j, m) {
                s.bonus
            } else {
                0.0
            }
        });
        Some(rescaled + bonus)
    }
}

/// For every overlap of `spans`, its mean cosine with the sentences of the other text:
/// the dot product with their centroid, exact and one product per overlap (0 where there
/// is no vector).
pub(super) fn typical_cosines(
    spans: &[Vec<Option<&[f16]>>],
    other: &[Option<&[f16]>],
) -> Vec<Vec<f32>> {
    let centroid = vectors::centroid(other);
    spans
        .iter()
        .map(|row| {
            row.iter()
                .map(|x| match (x, &centroid) {
                    (Some(x), Some(c)) => vectors::dot(x, c),
                    _ => 0.0,
                })
                .collect()
        })
        .collect()
}

pub(super) fn single_sentences<'a>(side: &[Vec<Option<&'a [f16]>>]) -> Vec<Option<&'a [f16]>> {
    side.iter()
        .map(|spans| spans.first().copied().flatten())
        .collect()
}
