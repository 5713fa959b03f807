//! `[output]`: where `run` writes its files and in which formats.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::locate::KeyLocator;
use super::overrides::Overrides;
use crate::error::ConfigError;

/// `[output]` as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawOutput {
    /// Output directory (relative to the current directory).
    pub dir: PathBuf,
    /// Alignment formats `run` writes: jsonl, tsv, tmx, moses, html, parquet (several at once).
    pub formats: Vec<String>,
    /// Moses files: minimum bead score of parallel alignments (0 to 1).
    pub moses_min_score: f64,
}

impl Default for RawOutput {
    fn default() -> Self {
        RawOutput {
            dir: "out".into(),
            formats: vec!["jsonl".into()],
            moses_min_score: 0.3,
        }
    }
}

/// An output format of the alignments (`--format`, `output.formats`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Tsv,
    Tmx,
    Moses,
    Html,
    Parquet,
}

impl Format {
    /// Every format, in the order of the documentation.
    pub const ALL: [Format; 6] = [
        Format::Jsonl,
        Format::Tsv,
        Format::Tmx,
        Format::Moses,
        Format::Html,
        Format::Parquet,
    ];

    /// The name used in `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Tsv => "tsv",
            Format::Tmx => "tmx",
            Format::Moses => "moses",
            Format::Html => "html",
            Format::Parquet => "parquet",
        }
    }

    /// The format of a `--format` name.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// Validated `[output]`.
#[derive(Debug, Clone)]
pub struct OutputConfig {
    pub dir: PathBuf,
    pub formats: Vec<Format>,
    pub moses_min_score: f64,
}

/// Validates `[output]`.
pub(crate) fn validate(
    raw: &RawOutput,
    locator: &KeyLocator,
    overrides: &Overrides,
) -> Result<OutputConfig, ConfigError> {
    if raw.dir.as_os_str().is_empty() {
        return Err(locator.invalid("output.dir", "must not be empty".into()));
    }
    let mut formats = Vec::with_capacity(raw.formats.len());
    for name in &raw.formats {
        let Some(format) = Format::from_name(name) else {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
            let message = format!("unknown format \"{name}\"; formats: {}", names.join(", "));
            let flag = overrides.formats.as_ref().map(|_| "--format");
            return Err(locator.invalid_or_flag(flag, "output.formats", message));
        };
        formats.push(format);
    }
    if raw.dir.as_os_str() == "-" {
        // Standard output takes one stream: the one format `--format` names, JSON Lines
        // without it (the configured list is for directories).
        let names: Vec<&str> = formats.iter().map(|f| f.name()).collect();
        let problem = match (overrides.formats.is_some(), formats.as_slice()) {
            (false, _) => {
                formats = vec![Format::Jsonl];
                None
            }
            (true, [Format::Moses]) => Some("moses writes two files per language pair".to_string()),
            (true, [Format::Parquet]) => Some("parquet writes up to three files".to_string()),
            (true, [_]) => None,
            (true, _) => Some(format!(
                "{} formats are named ({})",
                names.len(),
                names.join(", ")
            )),
        };
        if let Some(problem) = problem {
            return Err(locator.invalid_or_flag(
                Some("--format"),
                "output.formats",
                format!(
                    "--out - writes one format to standard output, but {problem}; name one, or give --out a directory"
                ),
            ));
        }
    }
    Ok(OutputConfig {
        dir: raw.dir.clone(),
        formats,
        moses_min_score: raw.moses_min_score,
    })
}
