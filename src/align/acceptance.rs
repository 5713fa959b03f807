//! Which comparable matches are shown, and how sure each is: the run estimates its own
//! false-discovery rate by target–decoy competition and accepts at a chosen rate, in two
//! tiers — `same` (the same claim) and `related` (same topic and stance, a weaker statement
//! or another object).
//!
//! Every source sentence is searched against the real targets and against decoys
//! ([`super::decoys`]) with the same similarity and margin. Per source the better of its
//! best real and best decoy candidate wins (a decoy win is a known false match), and only a
//! mutual best (no other source scores higher with that target) counts. Going down the
//! winners by score, the decoy wins above a score estimate the false real wins above it
//! (Elias & Gygi 2007): FDR(t) = decoy wins ≥ t ÷ real wins ≥ t, made monotone as a q-value.
//! A match's `confidence` is 1 − q at its score: the estimated share of true matches among
//! the matches this run shows at that score or above.
//!
//! A run with fewer than [`MIN_COMPETITIONS`] winners cannot estimate a rate of a few
//! percent; it is accepted by the calibrated curve instead, and its report says so.
//!
//! Names, numbers and acronyms support a match but cannot carry it: at least
//! [`MIN_CONTENT_SHARE`] of a match's similarity must remain with the words that both share
//! only as names, numbers or acronyms taken out (the cosine of sentence vectors counts as
//! content), unless the rest of the two sentences agree as well (the Dice of their content
//! words alone reaches [`MIN_CONTENT_AGREEMENT`]): a templated report that differs from the others only
//! in a place and a figure is matched by them, a sentence that shares only them and the
//! template's function words is not.

use serde::Serialize;

/// The Dice of two sentences' content words (names, numbers, acronyms left out) above which
/// they agree beyond their names and numbers even where those are most of the evidence: a
/// templated report glossed from Indonesian shares about half of its content weight with its
/// English version (0.50; 0.80 without gloss noise), a sentence that shares only a template's
/// function words and a figure with another about a tenth (0.11).
pub const MIN_CONTENT_AGREEMENT: f32 = 1.0 / 3.0;

/// Fewest competitions (real plus decoy wins) from which a false-discovery rate of a few
/// percent can be told apart from none: smaller runs are accepted by the calibrated curve.
pub const MIN_COMPETITIONS: usize = 20;

/// The share of a match's similarity that must come from content words or sentence vectors.
pub const MIN_CONTENT_SHARE: f32 = 0.5;

/// One scored candidate of a source: a target, its margin score and raw similarity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranked {
    pub target: u32,
    pub margin: f32,
    pub similarity: f32,
}

/// How sure a shown match is meant to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// The same claim.
    Same,
    /// Same topic and stance: a weaker statement, or the same argument about another object.
    Related,
    /// Shown only because `--threshold` asked for it (0 shows every source's best).
    Candidate,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Same => "same",
            Tier::Related => "related",
            Tier::Candidate => "candidate",
        }
    }
}

/// The false-discovery rates the two tiers are accepted at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rates {
    pub same: f32,
    pub related: f32,
}

/// A source's best candidate: its margin score and whether it is a mutual best (`None`: no
/// candidate).
pub type Best = Option<(f32, bool)>;

/// One winner of the competition: its score, the q-value of a threshold there, and
/// whether a real match (not a decoy) won.
#[derive(Debug, Clone, Copy)]
struct Point {
    score: f32,
    q: f32,
    real: bool,
}

/// The run's estimate: q-values of the winners by score.
#[derive(Debug, Clone, Default)]
pub struct Curve {
    /// Every winner, real or decoy, by score descending; q rises down the list.
    points: Vec<Point>,
    pub real_wins: usize,
    pub decoy_wins: usize,
}

impl Curve {
    /// Target–decoy competition over the best real and best decoy candidate of every source
    /// (`None`: the source has no candidate there); each with whether it is a mutual best.
    pub fn estimate(best: &[(Best, Best)]) -> Curve {
        // (score, is decoy) of the winners that are mutual best matches.
        let mut winners: Vec<(f32, bool)> = Vec::new();
        for &(real, decoy) in best {
            let real_score = real.map_or(f32::NEG_INFINITY, |r| r.0);
            match (real, decoy) {
                (Some((x, true)), _) if decoy.is_none_or(|(d, _)| x > d) => {
                    winners.push((x, false))
                }
                (_, Some((d, true))) if d >= real_score => winners.push((d, true)),
                _ => {}
            }
        }
        winners.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
        let (mut real, mut decoy) = (0usize, 0usize);
        let mut points = Vec::new();
        for &(score, is_decoy) in &winners {
            if is_decoy {
                decoy += 1;
            } else {
                real += 1;
            }
            let fdr = if real == 0 {
                1.0
            } else {
                decoy as f32 / real as f32
            };
            points.push(Point {
                score,
                q: fdr,
                real: !is_decoy,
            });
        }
        // q-value: the lowest FDR of any threshold at or below this score.
        let mut lowest = f32::INFINITY;
        for point in points.iter_mut().rev() {
            lowest = lowest.min(point.q);
            point.q = lowest.min(1.0);
        }
        Curve {
            points,
            real_wins: real,
            decoy_wins: decoy,
        }
    }

    /// The q-value of a match with this score: that of the lowest-scoring winner at or
    /// above it, real or decoy (the top one's above them all; 1 when nothing won).
    pub fn q(&self, score: f32) -> f32 {
        let at_or_above = self.points.partition_point(|p| p.score >= score);
        match at_or_above {
            0 => self.points.first().map_or(1.0, |p| p.q),
            n => self.points[n - 1].q,
        }
    }

    /// The lowest score of a winning real match whose q-value is at most `rate` (None: no
    /// score is).
    pub fn threshold(&self, rate: f32) -> Option<f32> {
        self.points
            .iter()
            .filter(|p| p.real && p.q <= rate)
            .map(|p| p.score)
            .reduce(f32::min)
    }
}

/// For every target, the highest margin any source has with it.
pub fn best_per_target(ranked: &[Vec<Ranked>], targets: usize) -> Vec<f32> {
    let mut best = vec![f32::NEG_INFINITY; targets];
    for list in ranked {
        for r in list {
            let b = &mut best[r.target as usize];
            *b = b.max(r.margin);
        }
    }
    best
}

/// The best candidate of a source with whether it is a mutual best (ties count).
pub fn best_of(list: &[Ranked], best_per_target: &[f32]) -> Best {
    list.first()
        .map(|r| (r.margin, r.margin >= best_per_target[r.target as usize]))
}

/// What `summary.json` says about the acceptance of one run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AcceptanceReport {
    /// "decoys" (the run's own false-discovery estimate) or "calibrated" (a fixed curve).
    pub method: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_false_discovery: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_false_discovery_related: Option<f64>,
    /// Sources whose best mutual match beat their best decoy, and the other way round.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub real_wins: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decoy_wins: Option<usize>,
    /// The lowest margin score accepted as `same` and as `related` (none: nothing was).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_threshold: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_threshold: Option<f64>,
    pub same: usize,
    pub related: usize,
    /// Estimated false matches among the `same` ones: the q-value at the lowest accepted
    /// score times their count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_false_same: Option<f64>,
}

/// Rounds for reports (1.05, not 1.0499999523).
pub fn four_decimals(x: f32) -> f64 {
    (f64::from(x) * 1e4).round() / 1e4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoy_wins_above_a_score_raise_its_q_value() {
        // Ten sources: six real mutual wins at high scores, then a decoy win, then two real
        // wins below it, and one source whose real best is not mutual.
        let mut best = Vec::new();
        for k in 0..6 {
            best.push((Some((2.0 - 0.1 * k as f32, true)), Some((1.0, true))));
        }
        best.push((Some((1.0, true)), Some((1.3, true))));
        best.push((Some((1.2, true)), Some((0.9, true))));
        best.push((Some((1.1, true)), Some((0.9, true))));
        best.push((Some((1.9, false)), Some((0.5, true))));
        let curve = Curve::estimate(&best);
        assert_eq!((curve.real_wins, curve.decoy_wins), (8, 1));
        assert_eq!(curve.q(1.9), 0.0);
        assert_eq!(curve.q(1.5), 0.0);
        // At 1.2, seven real wins and one decoy win lie above (1/7), but accepting down to
        // 1.1 costs less (1/8): the q-value is the lower.
        assert!((curve.q(1.2) - 1.0 / 8.0).abs() < 1e-6);
        assert!((curve.q(1.1) - 1.0 / 8.0).abs() < 1e-6);
        assert!((curve.q(0.5) - 1.0 / 8.0).abs() < 1e-6);
        assert_eq!(curve.threshold(0.05), Some(1.5));
        assert_eq!(curve.threshold(0.2), Some(1.1));
        assert_eq!(Curve::estimate(&[]).q(3.0), 1.0);
    }
}
