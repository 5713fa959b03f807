//! `[align]`: pairing translated sentences with pivot-language sentences.

use serde::{Deserialize, Serialize};

use super::locate::KeyLocator;
use crate::align::calibration;
use crate::error::ConfigError;

/// `[align]` as written; validated in place (the stages read it as it is).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawAlign {
    /// "comparable" (independent documents: claim matching) or "parallel" (documents that
    /// translate each other: monotonic n-to-m beads). `run` uses it for the corpus.
    pub mode: String,
    /// Comparable: minimum margin score (similarity ÷ mean similarity of both sentences'
    /// nearest neighbours); 0 emits the best candidate of every source sentence.
    pub threshold: f64,
    /// Comparable: minimum raw similarity (0 to 1) when the threshold is above 0.
    pub min_similarity: f64,
    /// Comparable: candidates kept per source sentence.
    pub top_k: usize,
    /// Comparable: the confidence curve `[intercept, slope]` of the lexical similarity:
    /// confidence = 1 / (1 + e^-(intercept + slope · margin)) (`transalign eval calibrate`).
    pub calibration: [f64; 2],
    /// Comparable: minimum confidence (0 to 1) of an accepted match when the threshold is
    /// above 0; the default kept precision ≥ 0.9 on the development data.
    pub min_confidence: f64,
    /// Parallel: largest bead, n + m ≤ max_bead (2 to 8; default 6: the Bleualign
    /// development set has 22 gold beads of 5 or more sentences).
    pub max_bead: usize,
    /// Parallel: a line equal to this splits both sides into articles aligned one by one.
    pub marker: String,
    /// With an embedder: the share of the lexical similarity (translations, glosses, names,
    /// numbers) in the fused similarity `(1 − w)·cosine + w·lexical` (0 to 1).
    pub lexical_weight: f64,
    /// Comparable, with an embedder: minimum margin score of the fused similarity (it
    /// replaces `threshold`); 0 emits the best candidate of every source sentence.
    pub embedding_threshold: f64,
    /// Comparable, with an embedder: minimum fused similarity (0 to 1) when the threshold
    /// is above 0 (it replaces `min_similarity`).
    pub embedding_min_similarity: f64,
    /// Comparable, with an embedder: the confidence curve of the fused similarity.
    pub embedding_calibration: [f64; 2],
    /// Comparable, with an embedder: minimum confidence (it replaces `min_confidence`).
    pub embedding_min_confidence: f64,
    /// Comparable, with an embedder: nearest neighbours averaged on both sides for the
    /// margin (1 to 32).
    pub neighbours: usize,
    /// Parallel, with an embedder: most consecutive sentences embedded together as one
    /// overlap (1 to 8); beads with more sentences on a side are scored lexically only.
    pub overlap: usize,
    /// Comparable, with an embedder: "exact" (every pair scored), "approximate" (an HNSW
    /// index) or "auto" (exact up to 10¹⁰ pairs, about 100,000 × 100,000; approximate beyond).
    pub neighbour_search: String,
}

impl Default for RawAlign {
    fn default() -> Self {
        RawAlign {
            mode: "comparable".into(),
            threshold: 1.05,
            min_similarity: 0.25,
            top_k: 1,
            calibration: calibration::LEXICAL.as_array(),
            min_confidence: calibration::LEXICAL_MIN_CONFIDENCE,
            max_bead: 6,
            marker: ".EOA".into(),
            lexical_weight: 0.2,
            embedding_threshold: 1.24,
            embedding_min_similarity: 0.2,
            embedding_calibration: calibration::FUSED.as_array(),
            embedding_min_confidence: calibration::FUSED_MIN_CONFIDENCE,
            neighbours: 4,
            overlap: 4,
            neighbour_search: "auto".into(),
        }
    }
}

impl RawAlign {
    /// Sentences per overlap vector: `overlap`, but never more than a bead can hold on one
    /// side (`max_bead − 1`).
    pub fn overlap_size(&self) -> usize {
        self.overlap.min(self.max_bead.saturating_sub(1).max(1))
    }
}

/// Validates `[align]`.
pub(crate) fn validate(raw: &RawAlign, locator: &KeyLocator) -> Result<(), ConfigError> {
    if !["comparable", "parallel"].contains(&raw.mode.as_str()) {
        return Err(locator.invalid(
            "align.mode",
            format!(
                "expected \"comparable\" or \"parallel\", got \"{}\"",
                raw.mode
            ),
        ));
    }
    if !(raw.threshold >= 0.0 && raw.threshold.is_finite()) {
        return Err(locator.invalid("align.threshold", "must be a number ≥ 0".into()));
    }
    if !(0.0..=1.0).contains(&raw.min_similarity) {
        return Err(locator.invalid("align.min_similarity", "must be between 0 and 1".into()));
    }
    if !(1..=100).contains(&raw.top_k) {
        return Err(locator.invalid("align.top_k", "must be between 1 and 100".into()));
    }
    if !(0.0..=1.0).contains(&raw.lexical_weight) {
        return Err(locator.invalid("align.lexical_weight", "must be between 0 and 1".into()));
    }
    if !(raw.embedding_threshold >= 0.0 && raw.embedding_threshold.is_finite()) {
        return Err(locator.invalid("align.embedding_threshold", "must be a number ≥ 0".into()));
    }
    if !(0.0..=1.0).contains(&raw.embedding_min_similarity) {
        return Err(locator.invalid(
            "align.embedding_min_similarity",
            "must be between 0 and 1".into(),
        ));
    }
    for (key, [intercept, slope]) in [
        ("align.calibration", raw.calibration),
        ("align.embedding_calibration", raw.embedding_calibration),
    ] {
        if !(intercept.is_finite() && intercept.abs() <= 1e3 && slope > 0.0 && slope <= 1e3) {
            return Err(locator.invalid(
                key,
                "must be [intercept, slope] with |intercept| ≤ 1000 and 0 < slope ≤ 1000 (confidence rises with the margin)".into(),
            ));
        }
    }
    for (key, value) in [
        ("align.min_confidence", raw.min_confidence),
        (
            "align.embedding_min_confidence",
            raw.embedding_min_confidence,
        ),
    ] {
        if !(0.0..=1.0).contains(&value) {
            return Err(locator.invalid(key, "must be between 0 and 1".into()));
        }
    }
    if !(1..=32).contains(&raw.neighbours) {
        return Err(locator.invalid("align.neighbours", "must be between 1 and 32".into()));
    }
    if !["auto", "exact", "approximate"].contains(&raw.neighbour_search.as_str()) {
        return Err(locator.invalid(
            "align.neighbour_search",
            format!(
                "expected \"auto\", \"exact\" or \"approximate\", got \"{}\"",
                raw.neighbour_search
            ),
        ));
    }
    if !(1..=8).contains(&raw.overlap) {
        return Err(locator.invalid("align.overlap", "must be between 1 and 8".into()));
    }
    if !(2..=8).contains(&raw.max_bead) {
        return Err(locator.invalid("align.max_bead", "must be between 2 and 8".into()));
    }
    Ok(())
}
