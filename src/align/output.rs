//! The alignment record written to `aligned.jsonl` and by `transalign align` (a contract for
//! downstream tools, documented in docs/src/outputs.md), and the `align` command on two files.

use serde::{Deserialize, Serialize};

/// One alignment: a bead (parallel) or a ranked candidate (comparable).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Alignment {
    pub src_doc: String,
    /// 0-based sentence indices into `sentences.jsonl` (run) or line numbers (align).
    pub src_ids: Vec<usize>,
    pub src_lang: String,
    pub src_text: String,
    pub src_translation: String,
    pub tgt_doc: String,
    pub tgt_ids: Vec<usize>,
    pub tgt_lang: String,
    pub tgt_text: String,
    /// Parallel: bead score in [0, 1] (similarity and length model; 0 for null beads).
    /// Comparable: margin score (similarity ÷ mean similarity of both sentences' nearest
    /// neighbours; 1 = as similar as their typical neighbours).
    pub score: f32,
    /// Comparable: raw similarity in [0, 1]; parallel: same as `score`.
    pub similarity: f32,
    /// Comparable: how sure the match is — 1 − its q-value, the run's own estimate of the
    /// share of false matches among those shown at its score or above (target–decoy
    /// search); with `align.acceptance = "calibrated"` the fixed curve's value. Absent in
    /// parallel mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// 1 = best for this source unit.
    pub rank: usize,
    /// Comparable: "same" (the same claim), "related" (same topic and stance: a weaker
    /// statement or another object) or "candidate" (shown only because `--threshold` asked
    /// for it). Absent in parallel mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// "parallel" or "comparable".
    pub mode: String,
    /// Backend that made `src_translation` ("given" for `align --translation`).
    pub backend: String,
    /// Claim differences: numbers, negation or named entities on one side only.
    #[serde(default)]
    pub flags: Vec<crate::claims::flags::Flag>,
}

impl Alignment {
    /// Computes `flags` from the texts.
    pub fn with_flags(mut self) -> Alignment {
        self.flags = crate::claims::flags::flags(
            &self.src_text,
            &self.src_translation,
            &self.src_lang,
            &self.tgt_text,
            &self.tgt_lang,
        );
        self
    }
}
