//! Exporters of the alignments: one module per format behind one trait, chosen with
//! `--format jsonl,tsv,tmx,moses,html,parquet` or `output.formats`. Every file is written through a
//! temporary file renamed on success.

mod exporter;
mod html;
mod jsonl;
mod moses;
mod parquet;
mod tmx;
mod tsv;

use std::path::{Path, PathBuf};

pub use crate::config::Format;
use crate::error::Result;
pub use exporter::{ExportInput, Exporter, escape_markup};

/// The exporter of a format.
pub fn exporter(format: Format) -> Box<dyn Exporter> {
    match format {
        Format::Jsonl => Box::new(jsonl::Jsonl),
        Format::Tsv => Box::new(tsv::Tsv),
        Format::Tmx => Box::new(tmx::Tmx),
        Format::Moses => Box::new(moses::Moses),
        Format::Html => Box::new(html::Html),
        Format::Parquet => Box::new(parquet::Parquet),
    }
}

/// Runs the exporters of `formats`; returns every file written.
pub fn export(formats: &[Format], dir: &Path, input: &ExportInput) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for format in formats {
        written.extend(exporter(*format).write(dir, input)?);
    }
    Ok(written)
}

/// Writes the one file of a single-file format to `w` (standard output, or a file the
/// caller names); Moses, which writes several files, is refused.
pub fn export_to_stream(
    format: Format,
    w: &mut dyn std::io::Write,
    input: &ExportInput,
) -> std::io::Result<()> {
    exporter(format).write_stream(w, input)
}

/// The format a file name suggests (`p.tmx` → TMX), for `--out FILE` without `--format`.
pub fn format_of_file(path: &Path) -> Option<Format> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    Format::ALL
        .into_iter()
        .find(|f| {
            exporter(*f)
                .file_name()
                .is_some_and(|name| name.rsplit('.').next() == Some(extension.as_str()))
        })
        .or_else(|| (extension == "json" || extension == "ndjson").then_some(Format::Jsonl))
        .or_else(|| (extension == "htm").then_some(Format::Html))
}
