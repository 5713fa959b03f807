//! Exporters of the alignments: one module per format behind one trait, chosen with
//! `--format jsonl,tsv,tmx,moses,html` or `output.formats`. Every file is written through a
//! temporary file renamed on success.

mod exporter;
mod html;
mod jsonl;
mod moses;
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
