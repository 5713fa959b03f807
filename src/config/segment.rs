//! `[segment]`: paragraphs, sentences and boilerplate.

use std::collections::BTreeMap;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::locate::KeyLocator;
use crate::error::ConfigError;

/// `[segment]` as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawSegment {
    /// How paragraphs are found: "line" (every line is a paragraph), "blank-line" (paragraphs
    /// are separated by empty lines; single line breaks are wrapped text), or "auto" (blank-line
    /// when the text looks hard-wrapped, else line).
    pub paragraphs: String,
    /// Extra abbreviations per language (ISO 639-1 → list such as "Prov."): a full stop after
    /// them does not end a sentence.
    pub abbreviations: BTreeMap<String, Vec<String>>,
    /// Extra regular expressions: a paragraph matching one is boilerplate.
    pub boilerplate_patterns: Vec<String>,
    /// Regular expressions for paragraphs that are never boilerplate (checked first).
    pub prose_patterns: Vec<String>,
}

impl Default for RawSegment {
    fn default() -> Self {
        RawSegment {
            paragraphs: "auto".into(),
            abbreviations: BTreeMap::new(),
            boilerplate_patterns: Vec::new(),
            prose_patterns: Vec::new(),
        }
    }
}

/// How paragraphs are delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParagraphMode {
    Line,
    BlankLine,
    Auto,
}

/// Validated `[segment]`.
#[derive(Debug, Clone)]
pub struct SegmentConfig {
    pub paragraphs: ParagraphMode,
    pub abbreviations: BTreeMap<String, Vec<String>>,
    pub boilerplate_patterns: Vec<Regex>,
    pub prose_patterns: Vec<Regex>,
}

/// Validates `[segment]`.
pub(crate) fn validate(
    raw: &RawSegment,
    locator: &KeyLocator,
) -> Result<SegmentConfig, ConfigError> {
    let paragraphs = match raw.paragraphs.as_str() {
        "line" => ParagraphMode::Line,
        "blank-line" => ParagraphMode::BlankLine,
        "auto" => ParagraphMode::Auto,
        other => {
            return Err(locator.invalid(
                "segment.paragraphs",
                format!("expected \"line\", \"blank-line\" or \"auto\", got \"{other}\""),
            ));
        }
    };
    let boilerplate_patterns = compile_regexes(
        &raw.boilerplate_patterns,
        "segment.boilerplate_patterns",
        locator,
    )?;
    let prose_patterns = compile_regexes(&raw.prose_patterns, "segment.prose_patterns", locator)?;
    Ok(SegmentConfig {
        paragraphs,
        abbreviations: raw.abbreviations.clone(),
        boilerplate_patterns,
        prose_patterns,
    })
}

pub(crate) fn compile_regexes(
    patterns: &[String],
    key: &str,
    locator: &KeyLocator,
) -> Result<Vec<Regex>, ConfigError> {
    patterns
        .iter()
        .map(|p| {
            Regex::new(p)
                .map_err(|e| locator.invalid(key, format!("invalid regular expression: {e}")))
        })
        .collect()
}
