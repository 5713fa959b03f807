//! Moses training files: for every language pair, two line-parallel plain-text files
//! `aligned.SRC-TGT.SRC` and `aligned.SRC-TGT.TGT`, one segment per line (line breaks inside a
//! text become spaces). Parallel mode: beads with both sides and a score of at least
//! `output.moses_min_score`; comparable mode: rank-1 matches (already above the threshold).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::exporter::{ExportInput, Exporter};
use crate::error::Result;

pub struct Moses;

/// One segment as one line: whitespace runs and control characters (which line readers
/// such as Python's `splitlines` take for line breaks: `\x1c`–`\x1e`, `\x85`, ...) become
/// single spaces.
fn line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Exporter for Moses {
    fn name(&self) -> &'static str {
        "moses"
    }

    fn file_name(&self) -> Option<&'static str> {
        None
    }

    fn write_stream(&self, _w: &mut dyn Write, _input: &ExportInput) -> std::io::Result<()> {
        Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "moses writes two files per language pair: give a directory",
        ))
    }

    fn write(&self, dir: &Path, input: &ExportInput) -> Result<Vec<PathBuf>> {
        let mut pairs: BTreeMap<(String, String), Vec<(String, String)>> = BTreeMap::new();
        for a in input.alignments {
            let keep = !a.src_ids.is_empty()
                && !a.tgt_ids.is_empty()
                && a.rank == 1
                && (a.mode != "parallel" || f64::from(a.score) >= input.moses_min_score);
            if keep {
                pairs
                    .entry((a.src_lang.clone(), a.tgt_lang.clone()))
                    .or_default()
                    .push((line(&a.src_text), line(&a.tgt_text)));
            }
        }
        let mut written = Vec::new();
        for ((src, tgt), segments) in pairs {
            for (lang, pick_source) in [(&src, true), (&tgt, false)] {
                let path = dir.join(format!("aligned.{src}-{tgt}.{lang}"));
                crate::output::write_atomically(&path, |w| {
                    for (s, t) in &segments {
                        writeln!(w, "{}", if pick_source { s } else { t })?;
                    }
                    Ok(())
                })?;
                written.push(path);
            }
        }
        Ok(written)
    }
}
