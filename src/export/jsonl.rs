//! `aligned.jsonl`: one JSON object per alignment (the schema is `schemas/aligned.schema.json`).

use std::path::{Path, PathBuf};

use super::exporter::{ExportInput, Exporter};
use crate::error::Result;

pub struct Jsonl;

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
