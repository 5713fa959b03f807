//! What a bead costs: the length model, the IDF-weighted word overlap of its two sides
//! (with per-pair word weights cached while the DP passes), the overlap vectors' cosine,
//! the merge penalty, and the boundary leak.

use std::cell::RefCell;
use std::ops::Range;

use super::model::ParallelParams;
use super::semantic::Semantic;
use crate::align::features::{
    Features, RunSketch, Vocabulary, matched_weight, similarity_of_matched_parts,
};

/// A bead's side weights and length-model score.
pub(super) struct BeadTotals {
    pub(super) source_weight: f32,
    pub(super) target_weight: f32,
    pub(super) length: f32,
}

/// Run sketches of the source and target runs ending at a DP cell, by run length − 1.
pub(super) type Runs<'r> = (&'r [RunSketch], &'r [RunSketch]);

/// The sketches of the runs of 1..=max sentences that end at `end`.
pub(super) fn runs_ending_at(features: &[Features], end: usize, max: usize) -> Vec<RunSketch> {
    let mut runs: Vec<RunSketch> = Vec::with_capacity(max);
    for k in 1..=max.min(end) {
        let part = &features[end - k];
        let run = match runs.last() {
            Some(previous) => previous.with(part),
            None => RunSketch::of(std::slice::from_ref(part)),
        };
        runs.push(run);
    }
    runs
}

pub(super) struct Scorer<'a> {
    pub(super) source: &'a [Features],
    pub(super) target: &'a [Features],
    pub(super) source_weight: Vec<f32>,
    pub(super) target_weight: Vec<f32>,
    pub(super) vocabulary: &'a Vocabulary,
    pub(super) params: ParallelParams,
    /// Mean log ratio of source to target length (in characters).
    pub(super) length_mean: f32,
    /// `ln(1 + characters)` of every run of up to `max_bead` sentences (see [`SpanLogLengths`]).
    pub(super) source_lengths: SpanLogLengths,
    pub(super) target_lengths: SpanLogLengths,
    pub(super) vectors: Option<Semantic<'a>>,
    /// Matched word weights cached while the DP passes (set once the band is known).
    pub(super) memo: Option<RefCell<WordMemo>>,
}

/// The matched word weight of one source sentence against each run of up to `max_run`
/// target sentences it can meet in the band, computed once: a bead of n sentences reuses the
/// values of its n sentences instead of searching every word again. Rows live in a ring of
/// `max_run + 1` source sentences, as the DP only looks that far back.
pub(super) struct WordMemo {
    pub(super) rows: Vec<MemoRow>,
    pub(super) max_run: usize,
    /// For every source sentence, the first and one-past-last target start it can meet.
    pub(super) windows: Vec<(usize, usize)>,
}

pub(super) struct MemoRow {
    pub(super) sentence: usize,
    pub(super) first_target: usize,
    /// `values[(j - first_target) * max_run + m - 1]`; NaN until computed.
    pub(super) values: Vec<f32>,
    /// Slots of the sentence.
    pub(super) slots: usize,
    /// `slot_weights[(t - first_target) * slots + k]`: the weight slot k finds in target t
    /// alone (valid where `slot_done[t - first_target]`).
    pub(super) slot_weights: Vec<f32>,
    pub(super) slot_done: Vec<bool>,
}

impl WordMemo {
    pub(super) fn new(ranges: &[Range<usize>], max_run: usize) -> Self {
        let n = ranges.len().saturating_sub(1);
        let windows = (0..n)
            .map(|s| {
                let rows = &ranges[s + 1..(s + 1 + max_run).min(ranges.len())];
                let first = rows.iter().map(|r| r.start).min().unwrap_or(0);
                let last = rows.iter().map(|r| r.end).max().unwrap_or(0);
                (first.saturating_sub(max_run), last)
            })
            .collect();
        WordMemo {
            rows: (0..=max_run)
                .map(|_| MemoRow {
                    sentence: usize::MAX,
                    first_target: 0,
                    values: Vec::new(),
                    slots: 0,
                    slot_weights: Vec::new(),
                    slot_done: Vec::new(),
                })
                .collect(),
            max_run,
            windows,
        }
    }

    /// The matched weight of source sentence `s` against targets `j..j + m`: the sum over
    /// its slots of the best weight a slot finds in one of the targets (what
    /// [`matched_weight`] computes), from per-target slot weights computed once per pair.
    pub(super) fn get(
        &mut self,
        s: usize,
        j: usize,
        m: usize,
        source: &Features,
        target: &[Features],
        vocabulary: &Vocabulary,
    ) -> f32 {
        let (first, last) = self.windows.get(s).copied().unwrap_or((0, 0));
        if j < first || j + m > last + self.max_run || m == 0 || m > self.max_run {
            return matched_weight(source, &target[j..j + m], vocabulary);
        }
        let ring = self.rows.len();
        let row = &mut self.rows[s % ring];
        let span = last + self.max_run - first;
        if row.sentence != s {
            row.sentence = s;
            row.first_target = first;
            row.slots = source.slots.len();
            row.values.clear();
            row.values.resize(span * self.max_run, f32::NAN);
            row.slot_weights.clear();
            row.slot_weights.resize(span * row.slots, 0.0);
            row.slot_done.clear();
            row.slot_done.resize(span, false);
        }
        let at = (j - first) * self.max_run + m - 1;
        if !row.values[at].is_nan() {
            return row.values[at];
        }
        let slots = row.slots;
        for (t, part) in target.iter().enumerate().skip(j).take(m) {
            let k = t - first;
            if !row.slot_done[k] {
                for (slot, weight) in source
                    .slots
                    .iter()
                    .zip(&mut row.slot_weights[k * slots..(k + 1) * slots])
                {
                    *weight = slot
                        .iter()
                        .filter(|&&id| part.contains(id))
                        .map(|&id| vocabulary.idf(id))
                        .fold(0.0f32, f32::max);
                }
                row.slot_done[k] = true;
            }
        }
        let base = (j - first) * slots;
        let matched: f32 = (0..slots)
            .map(|k| {
                (0..m)
                    .map(|r| row.slot_weights[base + r * slots + k])
                    .fold(0.0f32, f32::max)
            })
            .sum();
        row.values[at] = matched;
        matched
    }
}

impl Scorer<'_> {
    /// `runs`: the sketches of the source runs ending at `i + n` and the target runs ending
    /// at `j + m` (index = run length − 1), when the caller has them.
    pub(super) fn score(
        &self,
        i: usize,
        n: usize,
        j: usize,
        m: usize,
        runs: Option<Runs>,
        totals: &BeadTotals,
    ) -> f32 {
        let (sw, tw) = (totals.source_weight, totals.target_weight);
        let weights = self.params.weights;
        let (s, t) = (&self.source[i..i + n], &self.target[j..j + m]);
        let matched: f32 = (i..i + n)
            .map(|k| match &self.memo {
                Some(memo) => {
                    memo.borrow_mut()
                        .get(k, j, m, &self.source[k], self.target, self.vocabulary)
                }
                None => matched_weight(&self.source[k], t, self.vocabulary),
            })
            .sum();
        let (source_run, target_run) = match runs {
            Some((a, b)) => (a[n - 1], b[m - 1]),
            None => (RunSketch::of(s), RunSketch::of(t)),
        };
        let lexical =
            similarity_of_matched_parts(matched, &source_run, sw, &target_run, tw, weights);
        let sim = match self.vectors.as_ref().and_then(|v| v.similarity(i, n, j, m)) {
            Some(semantic) => {
                let w = self.params.lexical_weight;
                (1.0 - w) * semantic + w * lexical
            }
            None => lexical,
        };
        (1.0 - self.params.length_weight) * sim + self.params.length_weight * totals.length
    }

    /// What a bead's lower bound and score share: both sides' weights and the length model.
    pub(super) fn totals(&self, i: usize, n: usize, j: usize, m: usize) -> BeadTotals {
        let ratio =
            self.source_lengths.get(i, n) - self.target_lengths.get(j, m) - self.length_mean;
        BeadTotals {
            source_weight: self.source_weight[i..i + n].iter().sum(),
            target_weight: self.target_weight[j..j + m].iter().sum(),
            length: (-(ratio * ratio) / 0.245).exp(),
        }
    }

    /// The fixed part of the cost of a bead with both sides: the merge penalty of each
    /// sentence beyond 1-1 (a lower bound of [`Scorer::lower_bound`]).
    pub(super) fn penalty(&self, n: usize, m: usize) -> f32 {
        self.params.merge_penalty * (n + m).saturating_sub(2) as f32
    }

    /// The cost of a null bead (one sentence, `n + m == 1`): the skip cost. With vectors, a
    /// line without a single word (`.....`, `- _-`: OCR debris, rules) costs what merging
    /// it into a neighbouring bead would (the merge penalty): its vector, unlike its
    /// words, would otherwise let a bead absorb it at no loss (eval1957 dev, strict F1 with
    /// the Google translation: 0.927 → 0.929; without vectors the flat cost stays, as the
    /// cheaper skip moves the word-only path in a block of captions: 0.901 → 0.890).
    pub(super) fn null_cost(&self, i: usize, n: usize, j: usize) -> f32 {
        let weight = if n > 0 {
            self.source_weight[i]
        } else {
            self.target_weight[j]
        };
        if self.vectors.is_some() && weight <= 0.0 {
            self.params.merge_penalty
        } else {
            self.params.skip_cost
        }
    }

    /// The least this bead can cost, from cheap quantities only (its penalty, the length
    /// model, and the best word overlap the two sides' weights allow), to skip hopeless
    /// beads without scoring them.
    pub(super) fn lower_bound(&self, n: usize, m: usize, totals: &BeadTotals) -> f32 {
        let (sw, tw) = (totals.source_weight, totals.target_weight);
        let word_bound = if sw + tw > 0.0 {
            (2.0 * sw / (sw + tw)).min(1.0)
        } else {
            0.0
        };
        let w = self.params.weights.words;
        let mut sim_bound = w * word_bound + (1.0 - w);
        if self.vectors.is_some() {
            // The semantic part can reach 1 whatever the words say.
            let lw = self.params.lexical_weight;
            sim_bound = (1.0 - lw) + lw * sim_bound;
        }
        let lw = self.params.length_weight;
        let score_bound = (1.0 - lw) * sim_bound + lw * totals.length;
        (1.0 - score_bound) * (n + m) as f32 / 2.0 + self.penalty(n, m)
    }

    /// The cost and score of a bead with both sides (a null bead costs
    /// [`Scorer::null_cost`]).
    pub(super) fn cost(
        &self,
        i: usize,
        n: usize,
        j: usize,
        m: usize,
        runs: Option<Runs>,
        totals: &BeadTotals,
    ) -> (f32, f32) {
        let score = self.score(i, n, j, m, runs, totals);
        // A bead of n + m sentences costs as much as (n + m) / 2 one-to-one beads of the same
        // score, plus a penalty per extra sentence.
        (
            (1.0 - score) * (n + m) as f32 / 2.0 + self.penalty(n, m),
            score,
        )
    }

    /// The rest of a bead's cost, on top of [`Scorer::cost`]: its boundary leak, which
    /// lowers the score as a score does (times (n + m) / 2). It is never negative, so the
    /// DP only computes it for a bead that is still the best without it.
    pub(super) fn leak_cost(
        &self,
        i: usize,
        n: usize,
        j: usize,
        m: usize,
        totals: &BeadTotals,
    ) -> f32 {
        if n == 0 || m == 0 || self.params.leak_weight <= 0.0 {
            return 0.0;
        }
        self.params.leak_weight * self.boundary_leak(i, n, j, m, totals) * (n + m) as f32 / 2.0
    }

    /// How much of a bead's content lies across its boundary: the largest share (by IDF
    /// weight) of one side's words that the other side lacks but the next sentence beyond
    /// the bead on the other side has — and that the next sentence beyond it on the same
    /// side does not also have (a word repeated in both neighbours says nothing about where
    /// the boundary is). When a sentence's end was translated into the next sentence of
    /// the other text, both one-to-one beads leak, and the two-to-two bead that holds the
    /// moved words does not. eval1957 dev, strict F1 with the Google translation: lexical
    /// 0.879 → 0.901, with multilingual-e5-small vectors 0.899 → 0.923 (weights 0.5 to 0.8
    /// all gain; 0.7 is best for the vectors and within 0.4 points of best for the words).
    pub(super) fn boundary_leak(
        &self,
        i: usize,
        n: usize,
        j: usize,
        m: usize,
        totals: &BeadTotals,
    ) -> f32 {
        let (source, target) = (&self.source[i..i + n], &self.target[j..j + m]);
        let mut worst = 0.0f32;
        let neighbours = [
            (i.checked_sub(1), j.checked_sub(1)),
            (Some(i + n), Some(j + m)),
        ];
        for (source_index, target_index) in neighbours {
            let source_neighbour = source_index.and_then(|k| self.source.get(k));
            let target_neighbour = target_index.and_then(|k| self.target.get(k));
            if let Some(neighbour) = source_neighbour
                && totals.target_weight > 0.0
            {
                let leaked = self.leaked_weight(target, neighbour, source, target_neighbour);
                worst = worst.max(leaked / totals.target_weight);
            }
            if let Some(neighbour) = target_neighbour
                && totals.source_weight > 0.0
            {
                let leaked = self.leaked_weight(source, neighbour, target, source_neighbour);
                worst = worst.max(leaked / totals.source_weight);
            }
        }
        worst.min(1.0)
    }

    /// The IDF weight of the slots of `side` found in `neighbour` (across the boundary on
    /// the other text) but neither in `counterpart` (the bead's other side) nor in
    /// `same_side_neighbour`.
    pub(super) fn leaked_weight(
        &self,
        side: &[Features],
        neighbour: &Features,
        counterpart: &[Features],
        same_side_neighbour: Option<&Features>,
    ) -> f32 {
        let mut leaked = 0.0f32;
        for slot in side.iter().flat_map(|f| f.slots.iter()) {
            let across = slot
                .iter()
                .filter(|&&id| neighbour.contains(id))
                .map(|&id| self.vocabulary.idf(id))
                .fold(0.0f32, f32::max);
            if across == 0.0 {
                continue;
            }
            let explained = slot.iter().any(|&id| {
                counterpart.iter().any(|f| f.contains(id))
                    || same_side_neighbour.is_some_and(|f| f.contains(id))
            });
            if !explained {
                leaked += across;
            }
        }
        leaked
    }
}

/// `ln(1 + characters)` of the runs of 1..=`max_run` sentences starting at every position,
/// computed once: the length model reads them for every bead it scores.
pub(super) struct SpanLogLengths {
    pub(super) values: Vec<f32>,
    pub(super) max_run: usize,
}

impl SpanLogLengths {
    pub(super) fn new(features: &[Features], max_run: usize) -> Self {
        let mut values = vec![0.0; features.len() * max_run];
        for i in 0..features.len() {
            let mut chars = 0usize;
            for n in 1..=max_run.min(features.len() - i) {
                chars += features[i + n - 1].chars;
                values[i * max_run + n - 1] = (chars as f32 + 1.0).ln();
            }
        }
        SpanLogLengths { values, max_run }
    }

    /// Sentences `i..i + n` (n ≥ 1).
    pub(super) fn get(&self, i: usize, n: usize) -> f32 {
        self.values[i * self.max_run + n - 1]
    }
}
