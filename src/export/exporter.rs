//! What every exporter implements and gets, and the markup escaping TMX and HTML share.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::align::output::Alignment;
use crate::claims::Claim;
use crate::error::Result;
use crate::model::Sentence;

/// What the exporters get.
pub struct ExportInput<'a> {
    pub alignments: &'a [Alignment],
    /// Alignment mode of the run ("comparable" or "parallel").
    pub mode: &'a str,
    /// Minimum score for the Moses training files (parallel beads; comparable matches are
    /// already above the alignment threshold).
    pub moses_min_score: f64,
    /// The sentences of the run (the report lists unmatched ones); empty for `align`.
    pub sentences: &'a [Sentence],
    /// Claims of a comparable run (`claims.tsv`, the report); empty for `align`.
    pub claims: &'a [Claim],
    /// `summary.json` of the run, for the report's header.
    pub summary: Option<&'a serde_json::Value>,
}

/// One output format.
pub trait Exporter {
    /// The name used in `--format`.
    fn name(&self) -> &'static str;
    /// The one file the format writes into a directory (`aligned.tsv`); `None` for a format
    /// of several files (Moses), which cannot go to one stream.
    fn file_name(&self) -> Option<&'static str>;
    /// Writes the one file of a single-file format to `w` (a file, or standard output).
    fn write_stream(&self, w: &mut dyn Write, input: &ExportInput) -> std::io::Result<()>;
    /// Writes the format into `dir` (each file through a temporary file renamed on
    /// success); returns the files written.
    fn write(&self, dir: &Path, input: &ExportInput) -> Result<Vec<PathBuf>> {
        let Some(name) = self.file_name() else {
            return Ok(Vec::new());
        };
        let path = dir.join(name);
        crate::output::write_atomically(&path, |w| self.write_stream(w, input))?;
        Ok(vec![path])
    }
}

/// Text for XML or HTML content and attribute values: `& < > " '` escaped; tab, line feed
/// and carriage return as character references (a parser turns a raw `\r` into `\n`, and
/// all three into spaces in an attribute); characters XML 1.0 forbids (the other C0
/// controls, U+FFFE, U+FFFF) removed, as no XML 1.0 file can carry them.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}
