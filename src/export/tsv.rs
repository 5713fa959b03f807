//! `aligned.tsv`: a header line and one alignment per record, standard tab-separated values
//! as the `csv` crate writes them: a field that holds a tab, a line break or a `"` is quoted
//! (a `"` inside doubled), nothing is backslash-escaped, so pandas `read_csv(sep="\t")`,
//! DuckDB `read_csv(delim='\t')` and polars read every text back exactly. Id columns are
//! comma-separated lists, empty for the empty side of a null bead.

use std::io::Write;

use std::path::{Path, PathBuf};

use super::exporter::{ExportInput, Exporter};
use crate::claims::Claim;
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
    "confidence",
    "tier",
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
                    &a.confidence.map_or_else(String::new, |c| format!("{c:.4}")),
                    a.tier.as_deref().unwrap_or(""),
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

    /// `aligned.tsv`, and for a comparable run `claims.tsv` too.
    fn write(&self, dir: &Path, input: &ExportInput) -> Result<Vec<PathBuf>> {
        let path = dir.join("aligned.tsv");
        crate::output::write_atomically(&path, |w| self.write_stream(w, input))?;
        let mut written = vec![path];
        if input.mode == "comparable" && !input.sentences.is_empty() {
            let path = dir.join("claims.tsv");
            crate::output::write_atomically(&path, |w| write_claims(w, input.claims))?;
            written.push(path);
        }
        Ok(written)
    }
}

const CLAIM_COLUMNS: &[&str] = &[
    "claim_id",
    "tier",
    "confidence",
    "score",
    "languages",
    "member",
    "doc",
    "idx",
    "lang",
    "text",
    "translation",
    "flags",
];

/// `claims.tsv`: one row per member of each claim; `flags` lists what this member has and
/// some other member lacks, as `kind:value` separated by `;`.
fn write_claims(w: &mut dyn Write, claims: &[Claim]) -> std::io::Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b'\t')
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(w);
    writer.write_record(CLAIM_COLUMNS)?;
    for claim in claims {
        for (i, m) in claim.members.iter().enumerate() {
            let flags = claim
                .flags
                .iter()
                .filter(|f| f.member == i)
                .map(|f| format!("{}:{}", f.kind, f.value))
                .collect::<Vec<_>>()
                .join(";");
            writer.write_record([
                claim.claim_id.as_str(),
                &claim.tier,
                &format!("{:.4}", claim.confidence),
                &format!("{:.4}", claim.score),
                &claim.languages.join(","),
                &i.to_string(),
                &m.doc,
                &ids(&m.idx),
                &m.lang,
                &m.text,
                m.translation.as_deref().unwrap_or(""),
                &flags,
            ])?;
        }
    }
    writer.flush()
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
