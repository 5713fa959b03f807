//! `report.html`: one self-contained page (inline CSS and JS, no network) for people: per
//! source document the matches side by side — original, translation (marked when it is a
//! lexicon gloss), matched pivot sentence(s), document, score, rank and claim-difference
//! flags — with unmatched sentences collapsed, a summary header, filters by score and
//! document and a search box. Printable; `lang` attributes on every text.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

use super::exporter::{ExportInput, Exporter};
use crate::align::output::Alignment;

pub struct Html;

/// Text for HTML content and attribute values (see [`super::exporter::escape_markup`]).
pub fn escape(text: &str) -> String {
    super::exporter::escape_markup(text)
}

const STYLE: &str = r#"
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1f24;background:#fafafa}
header{background:#12344d;color:#fff;padding:1rem 1.5rem}
header h1{margin:0 0 .4rem;font-size:1.4rem}
header dl{display:flex;flex-wrap:wrap;gap:.3rem 1.5rem;margin:0}
header dt{opacity:.75}header dd{margin:0 .2rem 0 0;font-weight:600}
.controls{position:sticky;top:0;background:#fff;border-bottom:1px solid #ddd;padding:.6rem 1.5rem;display:flex;gap:1rem;flex-wrap:wrap;align-items:center;z-index:1}
main{padding:0 1.5rem 2rem}
section{margin-top:1.5rem}
h2{font-size:1.1rem;border-bottom:2px solid #12344d;padding-bottom:.2rem}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #ddd;padding:.4rem .5rem;vertical-align:top;text-align:left}
th{background:#eef2f5;font-weight:600}
td.num{white-space:nowrap;text-align:right}
.gloss{font-family:ui-monospace,monospace;font-size:.85em;color:#444}
.badge{display:inline-block;font-size:.7em;padding:0 .35em;border-radius:.3em;background:#e1e4e8;color:#333;margin-right:.3em;font-family:system-ui,sans-serif}
.flag{display:inline-block;background:#fff3c4;border:1px solid #e3c000;border-radius:.3em;padding:0 .3em;margin:.1em;font-size:.8em}
.flag.negation{background:#ffd8d8;border-color:#d33}
.flag.entity{background:#dff0ff;border-color:#2a7ab8}
details{margin-top:.5rem}
details li{margin:.3rem 0}
.hidden{display:none}
.empty{color:#777;font-style:italic}
@media print{.controls{display:none}header{background:none;color:#000}details{display:block}tr{break-inside:avoid}}
"#;

const SCRIPT: &str = r#"
(function(){
  var search=document.getElementById('search');
  var minScore=document.getElementById('min-score');
  var doc=document.getElementById('doc');
  var shown=document.getElementById('shown');
  function apply(){
    var q=search.value.toLowerCase(), min=parseFloat(minScore.value)||0, d=doc.value, n=0;
    document.querySelectorAll('tr.match').forEach(function(row){
      var ok=parseFloat(row.dataset.score)>=min && (!d||row.dataset.doc===d) && (!q||row.textContent.toLowerCase().indexOf(q)>=0);
      row.classList.toggle('hidden',!ok); if(ok){n++;}
    });
    document.querySelectorAll('section.doc').forEach(function(s){
      s.classList.toggle('hidden', !!d && s.dataset.doc!==d);
    });
    shown.textContent=n;
  }
  [search,minScore,doc].forEach(function(e){e.addEventListener('input',apply);});
  apply();
})();
"#;

impl Exporter for Html {
    fn name(&self) -> &'static str {
        "html"
    }

    fn file_name(&self) -> Option<&'static str> {
        Some("report.html")
    }

    fn write_stream(&self, w: &mut dyn Write, input: &ExportInput) -> std::io::Result<()> {
        w.write_all(render(input).as_bytes())
    }
}

fn flags_html(a: &Alignment) -> String {
    a.flags
        .iter()
        .map(|f| {
            format!(
                "<span class=\"flag {}\" title=\"{} only in the {}\">{}: {} ({})</span>",
                escape(&f.kind),
                escape(&f.kind),
                escape(&f.side),
                escape(&f.kind),
                escape(&f.value),
                escape(&f.side)
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn render(input: &ExportInput) -> String {
    let summary = input.summary.cloned().unwrap_or(serde_json::Value::Null);
    let get = |pointer: &str| {
        summary
            .pointer(pointer)
            .map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .unwrap_or_else(|| "–".into())
    };
    let languages = summary
        .pointer("/sentences_by_lang")
        .and_then(|v| v.as_object())
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_else(|| "–".into());
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>transalign report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>transalign report</h1>\n<dl>\
         <dt>documents</dt><dd>{}</dd><dt>sentences by language</dt><dd>{}</dd><dt>pivot</dt><dd>{}</dd>\
         <dt>backend</dt><dd>{}</dd><dt>cache hits</dt><dd>{}</dd><dt>translated</dt><dd>{}</dd>\
         <dt>mode</dt><dd>{}</dd><dt>threshold</dt><dd>{}</dd><dt>top k</dt><dd>{}</dd><dt>alignments</dt><dd>{}</dd>\
         </dl>\n</header>\n",
        escape(
            &summary
                .pointer("/documents")
                .and_then(|d| d.as_array())
                .map_or(0, Vec::len)
                .to_string()
        ),
        escape(&languages),
        escape(&get("/pivot")),
        escape(&get("/translation/backend")),
        escape(&get("/translation/cache_hits")),
        escape(&get("/translation/translated")),
        escape(input.mode),
        escape(&get("/alignment/threshold")),
        escape(&get("/alignment/top_k")),
        input.alignments.len()
    );
    // Matches grouped by source document, in document and sentence order.
    let mut by_doc: BTreeMap<&str, Vec<&Alignment>> = BTreeMap::new();
    for a in input.alignments.iter().filter(|a| !a.src_ids.is_empty()) {
        by_doc.entry(a.src_doc.as_str()).or_default().push(a);
    }
    let mut source_docs: Vec<&str> = input
        .sentences
        .iter()
        .filter(|s| s.translation.is_some())
        .map(|s| s.doc.as_str())
        .collect();
    source_docs.extend(by_doc.keys().copied());
    source_docs.sort_unstable();
    source_docs.dedup();
    let _ = write!(
        html,
        "<div class=\"controls\" role=\"search\">\
         <label>Search <input id=\"search\" type=\"search\" placeholder=\"words in any column\"></label>\
         <label>Minimum score <input id=\"min-score\" type=\"number\" step=\"0.05\" min=\"0\" value=\"0\"></label>\
         <label>Document <select id=\"doc\"><option value=\"\">all</option>{}</select></label>\
         <span><span id=\"shown\">{}</span> matches shown</span></div>\n<main>\n",
        source_docs
            .iter()
            .map(|d| format!("<option value=\"{0}\">{0}</option>", escape(d)))
            .collect::<String>(),
        input.alignments.len()
    );
    if source_docs.is_empty() {
        html.push_str("<p class=\"empty\">No translated sentences and no alignments.</p>\n");
    }
    for doc in source_docs {
        let matches = by_doc.get(doc).cloned().unwrap_or_default();
        let _ = write!(
            html,
            "<section class=\"doc\" data-doc=\"{0}\">\n<h2>{0}</h2>\n",
            escape(doc)
        );
        if matches.is_empty() {
            html.push_str("<p class=\"empty\">No match above the threshold.</p>\n");
        } else {
            html.push_str("<table>\n<thead><tr><th scope=\"col\">Source</th><th scope=\"col\">Translation</th><th scope=\"col\">Match</th><th scope=\"col\">Document</th><th scope=\"col\">Score</th><th scope=\"col\">Rank</th><th scope=\"col\">Flags</th></tr></thead>\n<tbody>\n");
            for a in &matches {
                let gloss = a.backend == "lexicon";
                let _ = writeln!(
                    html,
                    "<tr class=\"match\" data-score=\"{score:.4}\" data-doc=\"{doc}\"><td lang=\"{sl}\">{st}</td><td lang=\"{tl}\" class=\"{cls}\">{badge}{tr}</td><td lang=\"{tl}\">{tt}</td><td>{td} #{ti}</td><td class=\"num\">{score:.3}<br><small>sim {sim:.3}</small></td><td class=\"num\">{rank}</td><td>{flags}</td></tr>",
                    score = a.score,
                    doc = escape(doc),
                    sl = escape(&a.src_lang),
                    st = escape(&a.src_text),
                    tl = escape(&a.tgt_lang),
                    cls = if gloss { "gloss" } else { "" },
                    badge = if gloss {
                        "<span class=\"badge\">gloss</span>"
                    } else {
                        ""
                    },
                    tr = escape(&a.src_translation),
                    tt = escape(&a.tgt_text),
                    td = escape(&a.tgt_doc),
                    ti = a
                        .tgt_ids
                        .iter()
                        .map(usize::to_string)
                        .collect::<Vec<_>>()
                        .join(","),
                    sim = a.similarity,
                    rank = a.rank,
                    flags = flags_html(a),
                );
            }
            html.push_str("</tbody>\n</table>\n");
        }
        let matched: std::collections::HashSet<usize> = matches
            .iter()
            .flat_map(|a| a.src_ids.iter().copied())
            .collect();
        let unmatched: Vec<_> = input
            .sentences
            .iter()
            .filter(|s| s.doc == doc && s.translation.is_some() && !matched.contains(&s.idx))
            .collect();
        if !unmatched.is_empty() {
            let _ = writeln!(
                html,
                "<details><summary>{} sentences without a match</summary><ol>",
                unmatched.len()
            );
            for s in unmatched {
                let _ = writeln!(
                    html,
                    "<li value=\"{}\"><span lang=\"{}\">{}</span><br><span class=\"gloss\">{}</span></li>",
                    s.idx,
                    escape(s.lang.as_deref().unwrap_or("und")),
                    escape(&s.text),
                    escape(s.translation.as_deref().unwrap_or(""))
                );
            }
            html.push_str("</ol></details>\n");
        }
        html.push_str("</section>\n");
    }
    let _ = write!(
        html,
        "</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    );
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(escape("<b>&\"'\u{1}"), "&lt;b&gt;&amp;&quot;&#39;");
    }
}
