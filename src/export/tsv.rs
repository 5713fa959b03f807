//! `aligned.tsv`: a header line and one alignment per record, standard tab-separated values
//! as the `csv` crate writes them: a field that holds a tab, a line break or a `"` is quoted
//! (a `"` inside doubled), nothing is backslash-escaped, so pandas `read_csv(sep="\t")`,
//! DuckDB `read_csv(delim='\t')` and polars read every text back exactly. Id columns are
//! comma-separated lists, empty for the empty side of a null bead.

use std::io::Write;

use super::exporter::{ExportInput, Exporter};

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

    fn file_name(&self) -> Option<&'static str> {
        Some("aligned.tsv")
    }

    fn write_stream(&self, w: &mut dyn Write, input: &ExportInput) -> std::io::Result<()> {
        {
            let mut writer = csv::WriterBuilder::new()
                .delimiter(b'\t')
                .quote_style(csv::QuoteStyle::Necessary)
                .from_writer(w);
            writer.write_record(COLUMNS)?;
            for a in input.alignments {
                let flags = a
                    .flags
                    .iter()
                    .map(|f| format!("{}:{}:{}", f.kind, f.side, f.value))
                    .collect::<Vec<_>>()
                    .join(";");
                writer.write_record([
                    a.src_doc.as_str(),
                    &ids(&a.src_ids),
                    &a.src_lang,
                    &a.src_text,
                    &a.src_translation,
                    &a.tgt_doc,
                    &ids(&a.tgt_ids),
                    &a.tgt_lang,
                    &a.tgt_text,
                    &format!("{:.4}", a.score),
                    &format!("{:.4}", a.similarity),
                    &a.rank.to_string(),
                    &a.mode,
                    &a.backend,
                    &flags,
                ])?;
            }
            writer.flush()?;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_comma_separated_and_empty_for_no_sentence() {
        assert_eq!(ids(&[0, 1]), "0,1");
        assert_eq!(ids(&[]), "");
    }
}
