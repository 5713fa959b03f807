//! `[align]`: pairing translated sentences with pivot-language sentences.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};

use super::locate::KeyLocator;
use super::pairs::{DocumentFilter, SameSource};
use crate::error::ConfigError;

/// The confidence curve `[intercept, slope]` of the lexical similarity (confidence =
/// 1 / (1 + e^-(intercept + slope · margin))), fitted on the Tatoeba Malay–English
/// development pairs with 80% of the English lines withheld (only every fifth source has its
/// partner: comparable corpora are mostly unmatched), rank-1 candidates of
/// `align --threshold 0` through the offline lexicon (`scripts/calibrate.sh`).
pub const LEXICAL_CALIBRATION: [f64; 2] = [-16.38, 14.99];

/// The same, with multilingual-e5-small sentence vectors fused in.
pub const FUSED_CALIBRATION: [f64; 2] = [-13.60, 9.86];

/// Default minimum confidence with the lexical similarity alone: the lowest that kept the
/// precision of the accepted matches at 0.9 or more on the development data.
pub const LEXICAL_MIN_CONFIDENCE: f64 = 0.58;

/// The same with sentence vectors.
pub const FUSED_MIN_CONFIDENCE: f64 = 0.29;

/// `[align]` as written; validated in place (the stages read it as it is).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawAlign {
    /// "comparable" (independent documents: claim matching) or "parallel" (documents that
    /// translate each other: monotonic n-to-m beads). `run` uses it for the corpus.
    pub mode: String,
    /// Comparable: how matches are accepted — "decoys" (the run estimates its own
    /// false-discovery rate by searching every source against decoy targets too, and
    /// accepts at `max_false_discovery`) or "calibrated" (the fixed curves and bounds
    /// below: `threshold`, `min_similarity`, `calibration`, `min_confidence` and their
    /// `embedding_` forms).
    pub acceptance: String,
    /// Comparable: the false-discovery rate `same` matches are accepted at (0 to 1).
    pub max_false_discovery: f64,
    /// Comparable: the false-discovery rate `related` matches are accepted at (at least
    /// `max_false_discovery`, at most 1).
    pub max_false_discovery_related: f64,
    /// Comparable, calibrated: minimum margin score (similarity ÷ mean similarity of both
    /// sentences' nearest neighbours); 0 emits the best candidate of every source sentence.
    pub threshold: f64,
    /// Comparable: minimum raw similarity (0 to 1) when the threshold is above 0.
    pub min_similarity: f64,
    /// Comparable: candidates kept per source sentence.
    pub top_k: usize,
    /// Comparable: the document pairs compared — a TSV file of `SOURCE<TAB>TARGET` document
    /// ids or glob patterns of ids (relative to this file), or glob pairs written here;
    /// unset = every pair.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pairs: Option<PairsSpec>,
    /// Comparable: `"directory"` (or `true`) keeps documents of one directory apart;
    /// `{ metadata = "docs.tsv", field = "outlet" }` keeps documents with the same value of
    /// a column of a TSV file (header `doc<TAB>FIELD…`) apart; `false` = compare them.
    pub exclude_same_source: SameSourceSpec,
    /// Comparable: the confidence curve `[intercept, slope]` of the lexical similarity:
    /// confidence = 1 / (1 + e^-(intercept + slope · margin)) (`transalign eval calibrate`).
    pub calibration: [f64; 2],
    /// Comparable: minimum confidence (0 to 1) of an accepted match when the threshold is
    /// above 0; the default kept precision ≥ 0.9 on the development data.
    pub min_confidence: f64,
    /// Parallel: largest bead, n + m ≤ max_bead (2 to 8; default 6, 7 with an embedder:
    /// the Bleualign development set has 22 gold beads of 5 or more sentences, and vectors
    /// of overlaps of 5 judge the longest ones where words alone cannot).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_bead: Option<usize>,
    /// Parallel: a line equal to this splits both sides into articles aligned one by one.
    pub marker: String,
    /// Parallel: a regular expression; a line it matches is an article boundary, like a
    /// `marker` line (both are: a line that is either splits). Unset = `marker` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boundary: Option<String>,
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
    /// Parallel, with an embedder: which overlaps of 2 or more sentences are embedded:
    /// "near_path" (single sentences first; then only the overlaps a bead can use near
    /// where the path they give is unsure) or "all" (every overlap up front, as Vecalign
    /// and Bertalign do: about 5 texts per sentence instead of 1.2).
    pub embed_overlaps: String,
    /// Comparable, with an embedder: "exact" (every pair scored), "approximate" (an HNSW
    /// index) or "auto" (exact up to 2·10¹⁰ pairs, about 140,000 × 140,000; approximate beyond).
    pub neighbour_search: String,
}

impl Default for RawAlign {
    fn default() -> Self {
        RawAlign {
            mode: "comparable".into(),
            acceptance: "decoys".into(),
            max_false_discovery: 0.05,
            max_false_discovery_related: 0.25,
            threshold: 1.05,
            min_similarity: 0.25,
            top_k: 3,
            pairs: None,
            exclude_same_source: SameSourceSpec::Switch(false),
            calibration: LEXICAL_CALIBRATION,
            min_confidence: LEXICAL_MIN_CONFIDENCE,
            max_bead: None,
            marker: ".EOA".into(),
            boundary: None,
            lexical_weight: 0.2,
            embedding_threshold: 1.24,
            embedding_min_similarity: 0.2,
            embedding_calibration: FUSED_CALIBRATION,
            embedding_min_confidence: FUSED_MIN_CONFIDENCE,
            neighbours: 4,
            overlap: 5,
            embed_overlaps: "near_path".into(),
            neighbour_search: "auto".into(),
        }
    }
}

impl RawAlign {
    /// The largest bead of parallel mode, with sentence vectors (`embedded`) or without.
    pub fn max_bead(&self, embedded: bool) -> usize {
        self.max_bead.unwrap_or(if embedded { 7 } else { 6 })
    }

    /// Sentences per overlap vector: `overlap`, but never more than a bead can hold on one
    /// side (`max_bead − 1`; overlaps are only embedded when there is an embedder).
    pub fn overlap_size(&self) -> usize {
        self.overlap
            .min(self.max_bead(true).saturating_sub(1).max(1))
    }
}

/// `align.pairs` as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PairsSpec {
    /// A TSV file of pairs.
    File(PathBuf),
    /// Glob pairs: `[["kemlu/*", "mfa/*"], ...]`.
    Globs(Vec<[String; 2]>),
    /// One glob pair: `["*.id.txt", "*.en.txt"]`.
    Glob([String; 2]),
}

/// `align.exclude_same_source` as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SameSourceSpec {
    Switch(bool),
    Rule(String),
    Metadata { metadata: PathBuf, field: String },
}

fn compile_glob(
    pattern: &str,
    key: &str,
    locator: &KeyLocator,
) -> Result<GlobMatcher, ConfigError> {
    Glob::new(pattern)
        .map(|g| g.compile_matcher())
        .map_err(|e| locator.invalid(key, format!("bad pattern \"{pattern}\": {e}")))
}

/// The document filter `align.pairs` and `align.exclude_same_source` describe; files are
/// relative to `base_dir` (the configuration file's directory).
fn document_filter(
    raw: &RawAlign,
    locator: &KeyLocator,
    base_dir: &Path,
) -> Result<DocumentFilter, ConfigError> {
    let key = "align.pairs";
    let patterns: Option<Vec<[String; 2]>> = match &raw.pairs {
        None => None,
        Some(PairsSpec::Glob(pair)) => Some(vec![pair.clone()]),
        Some(PairsSpec::Globs(pairs)) => Some(pairs.clone()),
        Some(PairsSpec::File(file)) => {
            let path = super::locate::relative_to(base_dir, file);
            let mut pairs = Vec::new();
            for (line, fields) in super::documents::tsv_lines(&path, key, locator)? {
                match fields.as_slice() {
                    [a, b] if !a.is_empty() && !b.is_empty() => pairs.push([a.clone(), b.clone()]),
                    _ => {
                        return Err(locator.invalid(
                            key,
                            format!(
                                "{}:{line}: expected SOURCE<TAB>TARGET (two document ids or patterns)",
                                crate::display::path(&path)
                            ),
                        ));
                    }
                }
            }
            Some(pairs)
        }
    };
    let pairs = match patterns {
        None => None,
        Some(list) => Some(
            list.iter()
                .map(|[a, b]| {
                    Ok((
                        compile_glob(a, key, locator)?,
                        compile_glob(b, key, locator)?,
                    ))
                })
                .collect::<Result<Vec<_>, ConfigError>>()?,
        ),
    };
    let key = "align.exclude_same_source";
    let same_source = match &raw.exclude_same_source {
        SameSourceSpec::Switch(false) => SameSource::Compared,
        SameSourceSpec::Switch(true) => SameSource::Directory,
        SameSourceSpec::Rule(rule) if rule == "directory" => SameSource::Directory,
        SameSourceSpec::Rule(rule) => {
            return Err(locator.invalid(
                key,
                format!(
                    "expected false, \"directory\" or {{ metadata = \"FILE.tsv\", field = \"NAME\" }}, got \"{rule}\""
                ),
            ));
        }
        SameSourceSpec::Metadata { metadata, field } => {
            let path = super::locate::relative_to(base_dir, metadata);
            let table = super::documents::DocumentTable::read(&path, key, locator)?;
            if !table.has(field) {
                return Err(locator.invalid(
                    key,
                    format!(
                        "{}:1: the header has no column `{field}`",
                        crate::display::path(&path)
                    ),
                ));
            }
            let origin = table.column(field);
            SameSource::Field(origin)
        }
    };
    Ok(DocumentFilter { pairs, same_source })
}

/// Validates `[align]`; returns which documents comparable mode compares.
pub(crate) fn validate(
    raw: &RawAlign,
    locator: &KeyLocator,
    base_dir: &Path,
) -> Result<DocumentFilter, ConfigError> {
    if !["comparable", "parallel"].contains(&raw.mode.as_str()) {
        return Err(locator.invalid(
            "align.mode",
            format!(
                "expected \"comparable\" or \"parallel\", got \"{}\"",
                raw.mode
            ),
        ));
    }
    if !["decoys", "calibrated"].contains(&raw.acceptance.as_str()) {
        return Err(locator.invalid(
            "align.acceptance",
            format!(
                "expected \"decoys\" or \"calibrated\", got \"{}\"",
                raw.acceptance
            ),
        ));
    }
    if !(raw.max_false_discovery_related >= raw.max_false_discovery
        && raw.max_false_discovery_related <= 1.0)
    {
        return Err(locator.invalid(
            "align.max_false_discovery_related",
            "must be at least align.max_false_discovery and at most 1".into(),
        ));
    }
    for (key, [_, slope]) in [
        ("align.calibration", raw.calibration),
        ("align.embedding_calibration", raw.embedding_calibration),
    ] {
        // Each number's range is in the table (`ranges`); the slope must also be positive.
        if slope <= 0.0 {
            return Err(locator.invalid(
                key,
                "must be [intercept, slope] with a slope above 0 (confidence rises with the margin)".into(),
            ));
        }
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
    if !["near_path", "all"].contains(&raw.embed_overlaps.as_str()) {
        return Err(locator.invalid(
            "align.embed_overlaps",
            format!(
                "expected \"near_path\" or \"all\", got \"{}\"",
                raw.embed_overlaps
            ),
        ));
    }
    if let Some(pattern) = &raw.boundary
        && let Err(e) = regex::Regex::new(pattern)
    {
        return Err(locator.invalid("align.boundary", format!("not a regular expression: {e}")));
    }
    document_filter(raw, locator, base_dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_bead_defaults_to_six_and_to_seven_with_vectors_unless_set() {
        let unset = RawAlign::default();
        assert_eq!((unset.max_bead(false), unset.max_bead(true)), (6, 7));
        assert_eq!(unset.overlap_size(), 5);
        let set = RawAlign {
            max_bead: Some(4),
            ..RawAlign::default()
        };
        assert_eq!((set.max_bead(false), set.max_bead(true)), (4, 4));
        assert_eq!(
            set.overlap_size(),
            3,
            "an overlap never exceeds a bead's side"
        );
    }
}
