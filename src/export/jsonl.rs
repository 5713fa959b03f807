//! `aligned.jsonl`: one JSON object per alignment (the schema is `schemas/aligned.schema.json`).

use std::io::Write;

use super::exporter::{ExportInput, Exporter};

pub struct Jsonl;

impl Exporter for Jsonl {
    fn name(&self) -> &'static str {
        "jsonl"
    }
    fn file_name(&self) -> Option<&'static str> {
        Some("aligned.jsonl")
    }
    fn write_stream(&self, w: &mut dyn Write, input: &ExportInput) -> std::io::Result<()> {
        crate::output::write_jsonl(w, input.alignments)
    }
}
