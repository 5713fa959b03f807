//! `aligned.tmx`: TMX 1.4b, one `tu` per alignment with both sides non-empty, the score,
//! similarity, rank, documents, confidence, tier and flags as `prop`s. Characters XML 1.0 forbids are removed,
//! so the file is well-formed for any input.

use std::io::Write;

use super::exporter::{ExportInput, Exporter};

pub struct Tmx;

/// Text for XML content and attributes (see [`super::exporter::escape_markup`]).
pub fn xml_text(text: &str) -> String {
    super::exporter::escape_markup(text)
}

impl Exporter for Tmx {
    fn name(&self) -> &'static str {
        "tmx"
    }

    fn file_name(&self) -> Option<&'static str> {
        Some("aligned.tmx")
    }

    fn write_stream(&self, w: &mut dyn Write, input: &ExportInput) -> std::io::Result<()> {
        let full: Vec<_> = input
            .alignments
            .iter()
            .filter(|a| !a.src_ids.is_empty() && !a.tgt_ids.is_empty())
            .collect();
        let mut source_langs: Vec<&str> = full.iter().map(|a| a.src_lang.as_str()).collect();
        source_langs.sort_unstable();
        source_langs.dedup();
        let srclang = match source_langs.as_slice() {
            [one] => one.to_string(),
            _ => "*all*".to_string(),
        };
        {
            writeln!(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
            writeln!(w, "<tmx version=\"1.4\">")?;
            writeln!(
                w,
                "  <header creationtool=\"transalign\" creationtoolversion=\"{}\" segtype=\"sentence\" o-tmf=\"transalign-jsonl\" adminlang=\"en\" srclang=\"{}\" datatype=\"plaintext\">",
                env!("CARGO_PKG_VERSION"),
                xml_text(&srclang)
            )?;
            writeln!(
                w,
                "    <prop type=\"x-mode\">{}</prop>",
                xml_text(input.mode)
            )?;
            writeln!(w, "  </header>")?;
            writeln!(w, "  <body>")?;
            for (n, a) in full.iter().enumerate() {
                writeln!(w, "    <tu tuid=\"{}\">", n + 1)?;
                let props = [
                    ("x-score", format!("{:.4}", a.score)),
                    ("x-similarity", format!("{:.4}", a.similarity)),
                    ("x-rank", a.rank.to_string()),
                    ("x-src-doc", a.src_doc.clone()),
                    (
                        "x-src-ids",
                        a.src_ids
                            .iter()
                            .map(usize::to_string)
                            .collect::<Vec<_>>()
                            .join(","),
                    ),
                    ("x-tgt-doc", a.tgt_doc.clone()),
                    (
                        "x-tgt-ids",
                        a.tgt_ids
                            .iter()
                            .map(usize::to_string)
                            .collect::<Vec<_>>()
                            .join(","),
                    ),
                    ("x-backend", a.backend.clone()),
                ];
                // Comparable matches carry their estimated probability and tier.
                let judged = [
                    ("x-confidence", a.confidence.map(|c| format!("{c:.4}"))),
                    ("x-tier", a.tier.clone()),
                ];
                let props = props
                    .into_iter()
                    .chain(judged.into_iter().filter_map(|(k, v)| Some((k, v?))));
                for (kind, value) in props {
                    writeln!(w, "      <prop type=\"{kind}\">{}</prop>", xml_text(&value))?;
                }
                for f in &a.flags {
                    writeln!(
                        w,
                        "      <prop type=\"x-flag\">{}</prop>",
                        xml_text(&format!("{}:{}:{}", f.kind, f.side, f.value))
                    )?;
                }
                for (lang, text) in [(&a.src_lang, &a.src_text), (&a.tgt_lang, &a.tgt_text)] {
                    writeln!(
                        w,
                        "      <tuv xml:lang=\"{}\"><seg>{}</seg></tuv>",
                        xml_text(lang),
                        xml_text(text)
                    )?;
                }
                writeln!(w, "    </tu>")?;
            }
            writeln!(w, "  </body>")?;
            writeln!(w, "</tmx>")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_are_removed_and_markup_escaped() {
        assert_eq!(
            xml_text("a<b>&\"c\u{1}\u{7}d\u{FFFF}"),
            "a&lt;b&gt;&amp;&quot;cd"
        );
    }
}
