//! `aligned.tsv`: a header line and one alignment per line. Text fields are quoted with `"`
//! (a `"` inside is doubled) and tabs, line breaks and backslashes inside text are written as
//! `\t`, `\n`, `\r` and `\\`, so every record is one physical line and CSV readers (pandas,
//! DuckDB) load it with only the delimiter set.

use std::path::{Path, PathBuf};

use super::exporter::{ExportInput, Exporter};
use crate::error::Result;

pub struct Tsv;

const COLUMNS: &[&str] = &[
    "src_doc",
    "src_ids",
    "src_lang",
    "src_text",
    "src_translation",
    "tgt_doc",
    "tgt_ids",
    "tgt_lang",
    "tgt_text",
    "score",
    "similarity",
    "rank",
    "mode",
    "backend",
    "flags",
];

/// A text field: escaped and quoted.
pub fn field(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '"' => out.push_str("\"\""),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn ids(ids: &[usize]) -> String {
    ids.iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

impl Exporter for Tsv {
    fn name(&self) -> &'static str {
        "tsv"
    }

    fn write(&self, dir: &Path, input: &ExportInput) -> Result<Vec<PathBuf>> {
        let path = dir.join("aligned.tsv");
        crate::output::write_atomically(&path, |w| {
            writeln!(w, "{}", COLUMNS.join("\t"))?;
            for a in input.alignments {
                let flags = a
                    .flags
                    .iter()
                    .map(|f| format!("{}:{}:{}", f.kind, f.side, f.value))
                    .collect::<Vec<_>>()
                    .join(";");
                let row = [
                    field(&a.src_doc),
                    field(&ids(&a.src_ids)),
                    field(&a.src_lang),
                    field(&a.src_text),
                    field(&a.src_translation),
                    field(&a.tgt_doc),
                    field(&ids(&a.tgt_ids)),
                    field(&a.tgt_lang),
                    field(&a.tgt_text),
                    format!("{:.4}", a.score),
                    format!("{:.4}", a.similarity),
                    a.rank.to_string(),
                    field(&a.mode),
                    field(&a.backend),
                    field(&flags),
                ];
                writeln!(w, "{}", row.join("\t"))?;
            }
            Ok(())
        })?;
        Ok(vec![path])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_stays_on_one_line() {
        assert_eq!(field("a\tb\nc\\d\"e"), "\"a\\tb\\nc\\\\d\"\"e\"");
    }
}
