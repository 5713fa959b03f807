//! Exporters of the alignments: one module per format behind one trait, chosen with
//! `--format jsonl,tsv,tmx,moses,html` or `output.formats`. Every file is written through a
//! temporary file renamed on success.

mod html;
mod moses;
mod tmx;
mod tsv;

use std::path::{Path, PathBuf};

use crate::align::output::Alignment;
use crate::error::Result;

/// What the exporters get.
pub struct ExportInput<'a> {
    pub alignments: &'a [Alignment],
    /// Alignment mode of the run ("comparable" or "parallel").
    pub mode: &'a str,
    /// Minimum score for the Moses training files (parallel beads; comparable matches are
    /// already above the alignment threshold).
    pub moses_min_score: f64,
    /// The sentences of the run (the report lists unmatched ones); empty for `align`.
    pub sentences: &'a [crate::model::Sentence],
    /// `summary.json` of the run, for the report's header.
    pub summary: Option<&'a serde_json::Value>,
}

/// One output format.
pub trait Exporter {
    /// The name used in `--format`.
    fn name(&self) -> &'static str;
    /// Writes the format into `dir`; returns the files written.
    fn write(&self, dir: &Path, input: &ExportInput) -> Result<Vec<PathBuf>>;
}

struct Jsonl;

impl Exporter for Jsonl {
    fn name(&self) -> &'static str {
        "jsonl"
    }
    fn write(&self, dir: &Path, input: &ExportInput) -> Result<Vec<PathBuf>> {
        let path = dir.join("aligned.jsonl");
        crate::output::write_atomically(&path, |w| {
            crate::output::write_jsonl(w, input.alignments)
        })?;
        Ok(vec![path])
    }
}

/// Text for XML or HTML content and attribute values: `& < > " '` escaped, characters XML 1.0
/// forbids (controls other than tab, line feed and carriage return; U+FFFE, U+FFFF) removed.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Every format, in `--format` order of the documentation.
pub const FORMATS: &[&str] = &["jsonl", "tsv", "tmx", "moses", "html"];

/// The exporter of a format name.
pub fn exporter(name: &str) -> Option<Box<dyn Exporter>> {
    match name {
        "jsonl" => Some(Box::new(Jsonl)),
        "tsv" => Some(Box::new(tsv::Tsv)),
        "tmx" => Some(Box::new(tmx::Tmx)),
        "moses" => Some(Box::new(moses::Moses)),
        "html" => Some(Box::new(html::Html)),
        _ => None,
    }
}

/// Runs the exporters of `formats`; returns every file written.
pub fn export(formats: &[String], dir: &Path, input: &ExportInput) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for name in formats {
        let exporter = exporter(name).expect("formats are validated with the configuration");
        written.extend(exporter.write(dir, input)?);
    }
    Ok(written)
}
