//! `report.html`: one self-contained page (inline CSS and JS, no network) for people. It
//! opens with the claims — for each, its members side by side (original, translation or
//! gloss, document, language), the confidence as a labelled bar, the differences
//! highlighted in the texts — then the claim-like sentences without a match. Search covers
//! everything; filters by language, document and confidence; the layout stacks at phone
//! width; the header shows the settings of the mode that ran. Without claims (`align`,
//! `export`, parallel runs) every alignment is shown the same way.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::exporter::{ExportInput, Exporter};
use crate::claims::flags::number_spans;
use crate::error::Result;
use crate::model::Sentence;

pub struct Html;

/// Text for HTML content and attribute values (see [`super::exporter::escape_markup`]).
pub fn escape(text: &str) -> String {
    super::exporter::escape_markup(text)
}

const STYLE: &str = r#"
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#12344d;color:#fff;padding:1rem 1.25rem}
header h1{margin:0 0 .4rem;font-size:1.35rem}
header dl{display:flex;flex-wrap:wrap;gap:.2rem 1.2rem;margin:0}
header dl div{display:flex;gap:.35rem}
header dt{opacity:.75}header dd{margin:0;font-weight:600}
.controls{position:sticky;top:0;background:#fff;border-bottom:1px solid #d0d7de;padding:.5rem 1.25rem;display:flex;gap:.5rem 1rem;flex-wrap:wrap;align-items:center;z-index:2}
.controls label{display:flex;gap:.3rem;align-items:center}
.controls input[type=search]{width:16rem;max-width:100%}
.controls select{max-width:18rem}
main{padding:0 1.25rem 2rem;max-width:90rem}
h2{font-size:1.15rem;border-bottom:2px solid #12344d;padding-bottom:.2rem;margin-top:1.5rem}
.legend{font-size:.9em;color:#333;display:flex;flex-wrap:wrap;gap:.3rem 1rem;align-items:center}
.legend .swatch{display:inline-block;width:1.6em;height:.7em;border-radius:.2em;vertical-align:middle;margin-right:.25em}
.claim{background:#fff;border:1px solid #d0d7de;border-radius:.4rem;margin:.8rem 0;padding:.6rem .8rem}
.claim-head{display:flex;flex-wrap:wrap;gap:.3rem 1rem;align-items:center;margin-bottom:.4rem}
.claim-head h3{font-size:1rem;margin:0}
.claim-id{font-family:ui-monospace,monospace;font-size:.8em;color:#57606a}
.tier{font-size:.8rem;font-weight:600;padding:.05rem .4rem;border-radius:.3rem;border:1px solid currentColor}
.tier-same{color:#1a6b34}.tier-related{color:#7a5a00}.tier-candidate{color:#5b6470}
.bar{display:inline-block;width:8rem;height:.75rem;background:#e6e9ed;border-radius:.3rem;overflow:hidden;vertical-align:middle}
.bar span{display:block;height:100%}
.high{background:#1f883d}.medium{background:#d4a72c}.low{background:#cf222e}
.members{display:grid;grid-template-columns:repeat(auto-fit,minmax(17rem,1fr));gap:.6rem}
.member{border-left:4px solid #8c959f;padding:.2rem .6rem;background:#fbfbfc;min-width:0;overflow-wrap:anywhere}
.member.pivot{border-left-color:#0969da}
.member-head{font-size:.85em;color:#57606a;margin-bottom:.2rem}
.lang{display:inline-block;font-weight:700;color:#fff;background:#57606a;border-radius:.25em;padding:0 .35em;margin-right:.3em}
.member.pivot .lang{background:#0969da}
.original{margin:.1rem 0}
.translation{margin:.2rem 0 0;color:#333;font-size:.92em}
.gloss{font-family:ui-monospace,monospace;font-size:.85em;color:#444}
.badge{display:inline-block;font-size:.75em;padding:0 .35em;border-radius:.3em;background:#e1e4e8;color:#333;margin-right:.3em;font-family:system-ui,sans-serif}
mark{padding:0 .1em;border-radius:.2em;border-bottom:2px solid}
mark.number{background:#fff3c4;border-color:#bf8700}
mark.negation{background:#ffd8d8;border-color:#cf222e}
mark.entity{background:#ddf4ff;border-color:#0969da}
.differences{margin:.4rem 0 0;padding-left:1.2rem;font-size:.9em}
.unmatched li{margin:.35rem 0;overflow-wrap:anywhere}
.unmatched .member-head{display:inline}
details summary{cursor:pointer;font-weight:600;margin:.4rem 0}
.hidden{display:none}
.empty{color:#57606a;font-style:italic}
.senses{border-bottom:1px dotted #8c959f;cursor:help}
.pager{display:flex;flex-wrap:wrap;gap:.3rem 1rem;align-items:center;padding:.5rem 1.25rem;background:#eef1f4;border-bottom:1px solid #d0d7de;font-size:.9em}
.pager .off{color:#8c959f}.pager .note{color:#57606a}
.member-head .doc{font-weight:600;color:#1b1f24}
@media (max-width:40rem){
header,main,.controls{padding-left:.6rem;padding-right:.6rem}
header{padding-top:.45rem;padding-bottom:.45rem}
header h1{font-size:1.05rem;margin-bottom:.15rem}
header dl{flex-wrap:nowrap;overflow-x:auto;white-space:nowrap;font-size:.8em;gap:0 .8rem}
.controls{padding-top:.3rem;padding-bottom:.3rem;gap:.25rem .5rem;font-size:.9em}
.controls label{flex:1 1 40%;min-width:0}
.controls label:first-child{flex-basis:100%}
.controls input[type=search]{width:100%}
.controls select,.controls input{min-width:0;max-width:100%;flex:1}
h2{margin-top:.8rem}
.legend{font-size:.8em}
.members{grid-template-columns:1fr}}
@media print{.controls{display:none}header{background:none;color:#000}details{display:block}.claim{break-inside:avoid}}
"#;

const SCRIPT: &str = r#"
(function(){
  var search=document.getElementById('search'), lang=document.getElementById('lang'),
      doc=document.getElementById('doc'), min=document.getElementById('min-value'),
      shown=document.getElementById('shown'), shownUnmatched=document.getElementById('shown-unmatched'),
      none=document.getElementById('no-matches');
  function has(list, value){return !value || (' '+list+' ').indexOf(' '+value+' ')>=0;}
  function apply(){
    var q=search.value.toLowerCase().trim(), l=lang.value, d=doc.value, m=parseFloat(min.value)||0, n=0, u=0;
    document.querySelectorAll('.claim').forEach(function(c){
      var ok=parseFloat(c.dataset.value)>=m && has(c.dataset.langs,l) && has(c.dataset.docs,d)
        && (!q || c.textContent.toLowerCase().indexOf(q)>=0);
      c.classList.toggle('hidden',!ok); if(ok){n++;}
    });
    document.querySelectorAll('.unmatched li').forEach(function(s){
      var ok=has(s.dataset.lang,l) && has(s.dataset.doc,d) && (!q || s.textContent.toLowerCase().indexOf(q)>=0);
      s.classList.toggle('hidden',!ok); if(ok){u++;}
    });
    document.querySelectorAll('.unmatched details').forEach(function(g){
      var visible=g.querySelectorAll('li:not(.hidden)').length;
      g.classList.toggle('hidden',visible===0);
      if(q && visible>0){g.open=true;}
    });
    shown.textContent=n; if(shownUnmatched){shownUnmatched.textContent=u;}
    none.classList.toggle('hidden', n+u>0);
  }
  [search,lang,doc,min].forEach(function(e){e.addEventListener('input',apply);});
  // report.html#search=WORDS opens with that search (a link to a finding).
  var hash=/^#search=(.*)$/.exec(location.hash);
  if(hash){search.value=decodeURIComponent(hash[1].replace(/\+/g,' '));}
  apply();
  var root=document.documentElement;
  root.dataset.overflow=String(root.scrollWidth>root.clientWidth);
  // How far down the first claim starts (the report check keeps it high on a phone).
  var first=document.querySelector('.claim');
  root.dataset.firstClaim=first?String(Math.round(first.getBoundingClientRect().top)):'';
  // Milliseconds from navigation to a page ready to use (the report check measures it).
  root.dataset.readyMs=String(Math.round(performance.now()));
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

    /// In a directory the report is paged ([`CARDS_PER_PAGE`]); pages a larger earlier run
    /// left there are removed.
    fn write(&self, dir: &Path, input: &ExportInput) -> Result<Vec<PathBuf>> {
        let pages = render_pages(input, CARDS_PER_PAGE, UNMATCHED_PER_PAGE);
        let mut written = Vec::with_capacity(pages.len());
        for (k, page) in pages.iter().enumerate() {
            let path = dir.join(page_file(k));
            crate::output::write_atomically(&path, |w| w.write_all(page.as_bytes()))?;
            written.push(path);
        }
        // `report-N.html` beyond this run's pages (from an earlier, larger run).
        let stale = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|entry| {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                name.strip_prefix("report-")
                    .and_then(|n| n.strip_suffix(".html"))
                    .and_then(|n| n.parse::<usize>().ok())
                    .is_some_and(|n| n > pages.len())
            });
        for entry in stale {
            // A page that cannot be removed is only stale; the new pages are written.
            if let Err(e) = std::fs::remove_file(entry.path()) {
                tracing::warn!(
                    "could not remove the stale report page {}: {e}",
                    crate::display::path(entry.path())
                );
            }
        }
        Ok(written)
    }
}

/// One version of a claim (or one side of an alignment) as the report shows it.
struct Version<'a> {
    doc: &'a str,
    idx: Vec<usize>,
    lang: &'a str,
    text: &'a str,
    translation: Option<&'a str>,
    /// The translation is a lexicon gloss.
    gloss: bool,
}

/// A difference: version `member` has `value`, the versions `lacking` do not.
struct Difference<'a> {
    kind: &'a str,
    value: &'a str,
    member: usize,
    lacking: Vec<usize>,
}

/// A claim, or an alignment shown as one.
struct Card<'a> {
    id: &'a str,
    /// Comparable: "same", "related" or "candidate".
    tier: Option<&'a str>,
    versions: Vec<Version<'a>>,
    /// Confidence (comparable) or bead score (parallel).
    value: f32,
    differences: Vec<Difference<'a>>,
}

/// The claims of a comparable run; otherwise every alignment as a card.
fn cards<'a>(input: &'a ExportInput, glossed: &HashSet<(&str, usize)>) -> Vec<Card<'a>> {
    let is_gloss = |doc: &str, idx: &[usize]| idx.iter().any(|i| glossed.contains(&(doc, *i)));
    if !input.claims.is_empty() || (input.mode == "comparable" && !input.sentences.is_empty()) {
        let pivot = input
            .summary
            .and_then(|s| s.pointer("/pivot"))
            .and_then(|v| v.as_str());
        return input
            .claims
            .iter()
            .map(|c| {
                // The source-language members first, always (stable otherwise): by the
                // run's pivot, else by whether a member has a translation.
                let in_pivot = |m: &crate::claims::Member| match pivot {
                    Some(pivot) => m.lang == pivot,
                    None => m.translation.is_none(),
                };
                let mut order: Vec<usize> = (0..c.members.len()).collect();
                order.sort_by_key(|&k| in_pivot(&c.members[k]));
                let mut position = vec![0; order.len()];
                for (at, &k) in order.iter().enumerate() {
                    position[k] = at;
                }
                (c, order, position)
            })
            .map(|(c, order, position)| Card {
                id: &c.claim_id,
                tier: Some(c.tier.as_str()),
                versions: order
                    .iter()
                    .map(|&k| &c.members[k])
                    .map(|m| Version {
                        doc: &m.doc,
                        idx: m.idx.clone(),
                        lang: &m.lang,
                        text: &m.text,
                        translation: m.translation.as_deref(),
                        gloss: is_gloss(&m.doc, &m.idx),
                    })
                    .collect(),
                value: c.confidence,
                differences: c
                    .flags
                    .iter()
                    .map(|f| Difference {
                        kind: &f.kind,
                        value: &f.value,
                        member: position.get(f.member).copied().unwrap_or(f.member),
                        lacking: f
                            .lacking
                            .iter()
                            .map(|&k| position.get(k).copied().unwrap_or(k))
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
    }
    input
        .alignments
        .iter()
        .map(|a| {
            let mut versions = Vec::new();
            if !a.src_ids.is_empty() {
                versions.push(Version {
                    doc: &a.src_doc,
                    idx: a.src_ids.clone(),
                    lang: &a.src_lang,
                    text: &a.src_text,
                    translation: (!a.src_translation.is_empty() && a.src_lang != a.tgt_lang)
                        .then_some(a.src_translation.as_str()),
                    gloss: a.backend == "lexicon",
                });
            }
            if !a.tgt_ids.is_empty() {
                versions.push(Version {
                    doc: &a.tgt_doc,
                    idx: a.tgt_ids.clone(),
                    lang: &a.tgt_lang,
                    text: &a.tgt_text,
                    translation: None,
                    gloss: false,
                });
            }
            let both = versions.len() == 2;
            Card {
                id: "",
                tier: a.tier.as_deref(),
                value: a.confidence.unwrap_or(a.score),
                differences: if both {
                    a.flags
                        .iter()
                        .map(|f| {
                            let (member, other) = if f.side == "source" { (0, 1) } else { (1, 0) };
                            Difference {
                                kind: &f.kind,
                                value: &f.value,
                                member,
                                lacking: vec![other],
                            }
                        })
                        .collect()
                } else {
                    Vec::new()
                },
                versions,
            }
        })
        .collect()
}

/// Byte ranges of `needle` in `text`, case-insensitively, at word boundaries.
fn occurrences(text: &str, needle: &str) -> Vec<Range<usize>> {
    let (hay, pin) = (text.to_lowercase(), needle.to_lowercase());
    // Lower-casing must keep byte offsets for the ranges to point into `text`.
    if pin.is_empty() || hay.len() != text.len() {
        return Vec::new();
    }
    let boundary = |at: usize| {
        !hay[..at]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
            && !hay[at + pin.len()..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
    };
    hay.match_indices(&pin)
        .map(|(at, _)| at)
        .filter(|&at| boundary(at))
        .map(|at| at..at + pin.len())
        .collect()
}

/// `text` escaped, with the differences of this version marked.
fn marked(text: &str, differences: &[&Difference]) -> String {
    let mut ranges: Vec<(Range<usize>, &str)> = Vec::new();
    for d in differences {
        if d.kind == "number" {
            for (range, normalised) in number_spans(text) {
                if normalised == d.value {
                    ranges.push((range, d.kind));
                }
            }
        } else {
            ranges.extend(occurrences(text, d.value).into_iter().map(|r| (r, d.kind)));
        }
    }
    ranges.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut out = String::new();
    let mut at = 0;
    for (range, kind) in ranges {
        if range.start < at {
            continue;
        }
        out.push_str(&escape(&text[at..range.start]));
        let _ = write!(
            out,
            "<mark class=\"{kind}\" title=\"{kind} only in this version\">{}</mark>",
            escape(&text[range.clone()])
        );
        at = range.end;
    }
    out.push_str(&escape(&text[at..]));
    out
}

/// "high", "medium" or "low": the band of a confidence (the legend's colours).
fn band(value: f32) -> &'static str {
    if value >= 0.9 {
        "high"
    } else if value >= 0.6 {
        "medium"
    } else {
        "low"
    }
}

/// Characters of a document's first sentence shown when it has no heading.
const TITLE_CHARS: usize = 60;

/// A label for every document of the run: its first heading among its first sentences that
/// are not boilerplate (`claim_rule` "heading"), else the beginning of its first sentence;
/// the id where the run has no sentences of it. Ids stay in tooltips and filters.
fn document_titles(sentences: &[Sentence]) -> HashMap<&str, String> {
    /// Sentences (not boilerplate) looked at for a heading.
    const LOOK: usize = 5;
    let mut seen: HashMap<&str, (usize, Option<String>, Option<String>)> = HashMap::new();
    for s in sentences.iter().filter(|s| !s.boilerplate) {
        let (looked, heading, first) = seen.entry(s.doc.as_str()).or_default();
        if *looked >= LOOK || heading.is_some() {
            continue;
        }
        *looked += 1;
        let text = s.text.split_whitespace().collect::<Vec<_>>().join(" ");
        if s.claim_rule == "heading" {
            *heading = Some(text);
        } else if first.is_none() {
            *first = Some(text);
        }
    }
    seen.into_iter()
        .filter_map(|(doc, (_, heading, first))| {
            let title = heading.or_else(|| {
                first.map(|t| {
                    if t.chars().count() > TITLE_CHARS {
                        let cut: String = t.chars().take(TITLE_CHARS).collect();
                        format!("{}…", cut.trim_end())
                    } else {
                        t
                    }
                })
            })?;
            Some((doc, title))
        })
        .collect()
}

/// The labels `input.documents` gives (through `summary.json`'s documents): the title, with
/// the outlet and date after it when listed.
fn listed_titles(summary: Option<&serde_json::Value>) -> HashMap<&str, String> {
    let documents = summary
        .and_then(|s| s.pointer("/documents"))
        .and_then(|d| d.as_array())
        .map(Vec::as_slice)
        .unwrap_or_default();
    documents
        .iter()
        .filter_map(|d| {
            let field = |name: &str| d.get(name).and_then(|v| v.as_str());
            let id = field("id")?;
            let title = field("title")?;
            let source: Vec<&str> = [field("outlet"), field("date")]
                .into_iter()
                .flatten()
                .collect();
            Some(if source.is_empty() {
                (id, title.to_string())
            } else {
                (id, format!("{title} — {}", source.join(", ")))
            })
        })
        .collect()
}

/// A gloss as people read it: each word's first sense, the alternatives (`a|b|c`) in its
/// tooltip. `html` is escaped text (with marks), so a word never contains `<` or `>`.
fn first_senses(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    for (i, word) in html.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        // Markup (a marked difference) ends at the last `>`; alternatives follow it.
        let (markup, word) = word.split_at(word.rfind('>').map_or(0, |i| i + 1));
        out.push_str(markup);
        if word.contains('<') || !word.contains('|') {
            out.push_str(word);
            continue;
        }
        let alternatives: Vec<&str> = word.split('|').filter(|a| !a.is_empty()).collect();
        match alternatives.first() {
            // `<mark>Cold War</mark>|cold`: the marked words are the first sense.
            _ if word.starts_with('|') && !markup.is_empty() => {}
            Some(first) if alternatives.len() > 1 => {
                let _ = write!(
                    out,
                    "<span class=\"senses\" title=\"{}\">{first}</span>",
                    alternatives.join(" · ")
                );
            }
            _ => out.push_str(word),
        }
    }
    out
}

fn ids(idx: &[usize]) -> String {
    idx.iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// What a card needs besides itself: the run's pivot, what its value is called, and the
/// documents' titles.
struct CardContext<'a> {
    pivot: &'a str,
    measure: &'a str,
    titles: &'a HashMap<&'a str, String>,
}

impl CardContext<'_> {
    /// A document's title, else its id.
    fn title<'d>(&'d self, doc: &'d str) -> &'d str {
        self.titles.get(doc).map_or(doc, String::as_str)
    }
}

fn render_card(html: &mut String, number: usize, card: &Card, context: &CardContext) {
    let (pivot, measure) = (context.pivot, context.measure);
    let langs: BTreeSet<&str> = card.versions.iter().map(|v| v.lang).collect();
    let docs: BTreeSet<&str> = card.versions.iter().map(|v| v.doc).collect();
    let langs = langs.into_iter().collect::<Vec<_>>().join(" ");
    let docs_attr = docs
        .iter()
        .map(|d| d.replace(' ', "\u{a0}"))
        .collect::<Vec<_>>()
        .join(" ");
    let value = card.value.clamp(0.0, 1.0);
    let _ = write!(
        html,
        "<article class=\"claim\" data-value=\"{value:.4}\" data-langs=\"{}\" data-docs=\"{}\">\n<div class=\"claim-head\"><h3>{} {number}</h3>",
        escape(&langs),
        escape(&docs_attr),
        if card.id.is_empty() { "Match" } else { "Claim" },
    );
    if let Some(tier) = card.tier {
        let label = match tier {
            "same" => "same claim",
            "related" => "related claim",
            _ => "candidate",
        };
        let _ = write!(
            html,
            "<span class=\"tier tier-{}\">{label}</span>",
            escape(tier)
        );
    }
    if !card.id.is_empty() {
        let _ = write!(html, "<span class=\"claim-id\">{}</span>", escape(card.id));
    }
    let _ = write!(
        html,
        "<span>{languages}</span><span role=\"meter\" aria-valuemin=\"0\" aria-valuemax=\"1\" aria-valuenow=\"{value:.2}\" aria-label=\"{measure} {value:.2}\">{measure} <span class=\"bar\"><span class=\"{band}\" style=\"width:{width:.0}%\"></span></span> <strong>{value:.2}</strong> <small>({band})</small></span></div>\n<div class=\"members\">\n",
        languages = escape(&langs.replace(' ', " · ")),
        band = band(value),
        width = value * 100.0,
    );
    for (i, v) in card.versions.iter().enumerate() {
        let own: Vec<&Difference> = card.differences.iter().filter(|d| d.member == i).collect();
        let class = if v.lang == pivot {
            "member pivot"
        } else {
            "member"
        };
        let _ = write!(
            html,
            "<section class=\"{class}\"><div class=\"member-head\"><span class=\"lang\">{lang}</span><span class=\"doc\" title=\"{id}\">{doc}</span> · sentence {idx}</div><p class=\"original\" lang=\"{lang}\">{text}</p>",
            lang = escape(v.lang),
            id = escape(v.doc),
            doc = escape(context.title(v.doc)),
            idx = ids(&v.idx),
            text = marked(v.text, &own),
        );
        if let Some(t) = v.translation {
            let (class, badge, text) = if v.gloss {
                ("translation gloss", "gloss", first_senses(&marked(t, &own)))
            } else {
                ("translation", "translation", marked(t, &own))
            };
            let _ = write!(
                html,
                "<p class=\"{class}\" lang=\"{pivot}\"><span class=\"badge\">{badge}</span>{text}</p>",
                pivot = escape(pivot)
            );
        }
        html.push_str("</section>\n");
    }
    html.push_str("</div>\n");
    if !card.differences.is_empty() {
        html.push_str("<ul class=\"differences\" aria-label=\"differences\">");
        for d in &card.differences {
            let who = |i: usize| {
                card.versions.get(i).map_or_else(String::new, |v| {
                    format!("{} ({})", context.title(v.doc), v.lang)
                })
            };
            let lacking = d
                .lacking
                .iter()
                .map(|&i| who(i))
                .collect::<Vec<_>>()
                .join(", ");
            let _ = write!(
                html,
                "<li><mark class=\"{kind}\">{kind}: {value}</mark> in {has}, not in {lacking}</li>",
                kind = escape(d.kind),
                value = escape(d.value),
                has = escape(&who(d.member)),
                lacking = escape(&lacking),
            );
        }
        html.push_str("</ul>\n");
    }
    html.push_str("</article>\n");
}

/// The claim-like sentences no card shows, by document.
fn render_unmatched(html: &mut String, unmatched: &[&Sentence], context: &CardContext) {
    let pivot = context.pivot;
    let _ = write!(
        html,
        "<section class=\"unmatched\" aria-labelledby=\"unmatched-title\">\n<h2 id=\"unmatched-title\">Claim-like sentences without a match (<span id=\"shown-unmatched\">{}</span> shown)</h2>\n",
        unmatched.len()
    );
    if unmatched.is_empty() {
        html.push_str("<p class=\"empty\">Every claim-like sentence is in a claim.</p>\n");
    }
    let mut docs: Vec<&str> = unmatched.iter().map(|s| s.doc.as_str()).collect();
    docs.dedup();
    for doc in docs {
        let in_doc: Vec<&&Sentence> = unmatched.iter().filter(|s| s.doc == doc).collect();
        let _ = writeln!(
            html,
            "<details><summary><span class=\"doc\" title=\"{}\">{}</span> — {} sentences without a match</summary><ol>",
            escape(doc),
            escape(context.title(doc)),
            in_doc.len()
        );
        for s in in_doc {
            let lang = s.lang.as_deref().unwrap_or("und");
            let _ = write!(
                html,
                "<li value=\"{idx}\" data-lang=\"{l}\" data-doc=\"{d}\"><span class=\"member-head\"><span class=\"lang\">{l}</span></span><span lang=\"{l}\">{t}</span>",
                idx = s.idx,
                l = escape(lang),
                d = escape(&doc.replace(' ', "\u{a0}")),
                t = escape(&s.text),
            );
            if let Some(t) = &s.translation {
                let gloss = s.backend.as_deref() == Some("lexicon");
                let _ = write!(
                    html,
                    "<br><span class=\"{}\" lang=\"{}\">{}</span>",
                    if gloss { "gloss" } else { "translation" },
                    escape(pivot),
                    if gloss {
                        first_senses(&escape(t))
                    } else {
                        escape(t)
                    }
                );
            }
            html.push_str("</li>\n");
        }
        html.push_str("</ol></details>\n");
    }
    html.push_str("</section>\n");
}

/// The header: the corpus, then only the settings of the mode that ran.
fn render_header(html: &mut String, input: &ExportInput, cards: usize, claims: bool) {
    let summary = input.summary.cloned().unwrap_or(serde_json::Value::Null);
    let get = |pointer: &str| {
        summary.pointer(pointer).map(|v| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    };
    let languages = summary
        .pointer("/sentences_by_lang")
        .and_then(|v| v.as_object())
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        });
    let documents = summary
        .pointer("/documents")
        .and_then(|d| d.as_array())
        .map(|d| d.len().to_string());
    let mut items: Vec<(&str, Option<String>)> = vec![
        ("documents", documents),
        ("sentences by language", languages),
        ("pivot", get("/pivot")),
        ("translation", get("/translation/backend")),
        ("cache hits", get("/translation/cache_hits")),
        ("embedder", get("/embedding/embedder")),
        ("mode", Some(input.mode.to_string())),
    ];
    if input.mode == "parallel" {
        items.push(("largest bead", get("/alignment/max_bead")));
        items.push(("beads", Some(input.alignments.len().to_string())));
    } else {
        items.push(("margin threshold", get("/alignment/threshold")));
        items.push(("minimum confidence", get("/alignment/min_confidence")));
        items.push(("top k", get("/alignment/top_k")));
        if claims {
            items.push(("claims", Some(cards.to_string())));
        }
        items.push(("matches", Some(input.alignments.len().to_string())));
    }
    html.push_str("<header>\n<h1>transalign report</h1>\n<dl>");
    for (label, value) in items {
        if let Some(value) = value {
            let _ = write!(
                html,
                "<div><dt>{label}</dt><dd>{}</dd></div>",
                escape(&value)
            );
        }
    }
    html.push_str("</dl>\n</header>\n");
}

/// Cards on one page of a report that is written into a directory: a page of a thousand
/// claims opens in well under a second; a run of 100,000 claims is a hundred pages.
pub const CARDS_PER_PAGE: usize = 1000;

/// Sentences without a match on one page (they are shorter than cards).
pub const UNMATCHED_PER_PAGE: usize = 5000;

/// The file of page `k` (0-based): `report.html`, then `report-2.html`, `report-3.html`, ...
pub fn page_file(k: usize) -> String {
    if k == 0 {
        "report.html".into()
    } else {
        format!("report-{}.html", k + 1)
    }
}

/// The whole report on one page (a stream has no room for more).
fn render(input: &ExportInput) -> String {
    render_pages(input, usize::MAX, usize::MAX).remove(0)
}

/// The links between the pages of a report (none for a report of one page).
fn render_pager(html: &mut String, k: usize, pages: usize, what: &str) {
    if pages < 2 {
        return;
    }
    let link = |to: usize, label: &str| -> String {
        if to == k || to >= pages {
            format!("<span class=\"off\">{label}</span>")
        } else {
            format!("<a href=\"{}\">{label}</a>", page_file(to))
        }
    };
    let _ = writeln!(
        html,
        "<nav class=\"pager\" aria-label=\"pages\"><span>Page <strong>{page}</strong> of {pages}: {what}</span>{first}{previous}{next}{last}<span class=\"note\">search and filters work within a page; <code>claims.jsonl</code> and <code>aligned.jsonl</code> have everything</span></nav>",
        page = k + 1,
        first = link(0, "« first"),
        previous = link(k.saturating_sub(1), "‹ previous"),
        next = link(k + 1, "next ›"),
        last = link(pages - 1, "last »"),
    );
}

/// The report as pages of at most `cards_per_page` cards and `unmatched_per_page`
/// sentences without a match: the claim pages first, then those of the unmatched
/// sentences; one page holds both when everything fits.
fn render_pages(
    input: &ExportInput,
    cards_per_page: usize,
    unmatched_per_page: usize,
) -> Vec<String> {
    let glossed: HashSet<(&str, usize)> = input
        .sentences
        .iter()
        .filter(|s| s.backend.as_deref() == Some("lexicon"))
        .map(|s| (s.doc.as_str(), s.idx))
        .collect();
    let cards = cards(input, &glossed);
    let mut titles = document_titles(input.sentences);
    titles.extend(listed_titles(input.summary));
    let claims = !input.sentences.is_empty() && input.mode == "comparable";
    let pivot = input
        .alignments
        .first()
        .map(|a| a.tgt_lang.as_str())
        .or_else(|| {
            input
                .summary
                .and_then(|s| s.pointer("/pivot"))
                .and_then(|p| p.as_str())
        })
        .unwrap_or("en");
    let shown: HashSet<(&str, usize)> = cards
        .iter()
        .flat_map(|c| c.versions.iter())
        .flat_map(|v| v.idx.iter().map(move |&i| (v.doc, i)))
        .collect();
    let unmatched: Vec<&Sentence> = input
        .sentences
        .iter()
        .filter(|s| s.claim_like && !shown.contains(&(s.doc.as_str(), s.idx)))
        .collect();
    let mut languages: BTreeSet<&str> = cards
        .iter()
        .flat_map(|c| c.versions.iter().map(|v| v.lang))
        .collect();
    languages.extend(unmatched.iter().filter_map(|s| s.lang.as_deref()));
    let mut documents: BTreeSet<&str> = cards
        .iter()
        .flat_map(|c| c.versions.iter().map(|v| v.doc))
        .collect();
    documents.extend(unmatched.iter().map(|s| s.doc.as_str()));
    let options = |values: &BTreeSet<&str>, label: &dyn Fn(&str) -> String| -> String {
        values
            .iter()
            .map(|v| {
                format!(
                    "<option value=\"{}\">{}</option>",
                    escape(&v.replace(' ', "\u{a0}")),
                    escape(&label(v))
                )
            })
            .collect()
    };
    let as_is = |v: &str| v.to_string();
    let titled = |doc: &str| match titles.get(doc) {
        Some(title) => format!("{title} ({doc})"),
        None => doc.to_string(),
    };
    let (measure, noun) = if input.mode == "parallel" {
        ("score", "beads")
    } else if claims {
        ("confidence", "claims")
    } else {
        ("confidence", "matches")
    };

    // The filter starts where the run's acceptance stopped: at the lowest value shown
    // (rounded down to a hundredth), so that its number says what was accepted.
    let lowest = cards.iter().map(|c| c.value).fold(f32::INFINITY, f32::min);
    let start = if lowest.is_finite() {
        (f64::from(lowest.clamp(0.0, 1.0)) * 100.0).floor() / 100.0
    } else {
        0.0
    };
    let mut prelude = String::new();
    let _ = write!(
        prelude,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>transalign report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    );
    render_header(&mut prelude, input, cards.len(), claims);
    let _ = writeln!(
        prelude,
        "<div class=\"controls\" role=\"search\">\
         <label>Search <input id=\"search\" type=\"search\" placeholder=\"words in any text\"></label>\
         <label>Language <select id=\"lang\"><option value=\"\">all</option>{}</select></label>\
         <label>Document <select id=\"doc\"><option value=\"\">all</option>{}</select></label>\
         <label>Minimum {measure} <input id=\"min-value\" type=\"number\" step=\"0.01\" min=\"0\" max=\"1\" value=\"{start:.2}\" title=\"the lowest {measure} the run accepted: {start:.2}\"></label>\
         <span><span id=\"shown\">{}</span> {noun} shown</span></div>",
        options(&languages, &as_is),
        options(&documents, &titled),
        cards.len().min(cards_per_page),
    );
    let title = match noun {
        "claims" => "Claims",
        "beads" => "Beads",
        _ => "Matches",
    };
    let mut order: Vec<&Card> = cards.iter().collect();
    if claims {
        // Most confident first (claims.jsonl's order); alignments keep theirs.
        order.sort_by(|a, b| b.value.total_cmp(&a.value));
    }
    let context = CardContext {
        pivot,
        measure,
        titles: &titles,
    };
    let card_pages = order.len().div_ceil(cards_per_page.max(1)).max(1);
    let unmatched_pages = if input.sentences.is_empty() {
        0
    } else {
        unmatched.len().div_ceil(unmatched_per_page.max(1)).max(1)
    };
    // One page when it holds everything, else the claim pages, then the unmatched ones.
    let together = order.len() <= cards_per_page && unmatched.len() <= unmatched_per_page;
    let pages = if together {
        1
    } else {
        card_pages + unmatched_pages
    };
    let mut out = Vec::with_capacity(pages);
    for k in 0..pages {
        let mut html = prelude.clone();
        let with_cards = together || k < card_pages;
        let with_unmatched = unmatched_pages > 0 && (together || k >= card_pages);
        let what = if with_cards {
            let from = k * cards_per_page;
            let to = (from + cards_per_page).min(order.len());
            format!("{noun} {}–{to} of {}", from + 1, order.len())
        } else {
            let from = (k - card_pages) * unmatched_per_page;
            let to = (from + unmatched_per_page).min(unmatched.len());
            format!(
                "sentences without a match {}–{to} of {}",
                from + 1,
                unmatched.len()
            )
        };
        render_pager(&mut html, k, pages, &what);
        html.push_str("<main>\n<p id=\"no-matches\" class=\"empty hidden\" role=\"status\">No matches: nothing fits the search and filters.</p>\n");
        if with_cards {
            let from = if together { 0 } else { k * cards_per_page };
            let page: Vec<&Card> = order
                .iter()
                .skip(from)
                .take(cards_per_page)
                .copied()
                .collect();
            render_cards(&mut html, input, &page, from, &context, title, noun);
        }
        if with_unmatched {
            let from = if together {
                0
            } else {
                (k - card_pages) * unmatched_per_page
            };
            let page: Vec<&Sentence> = unmatched
                .iter()
                .skip(from)
                .take(unmatched_per_page)
                .copied()
                .collect();
            render_unmatched(&mut html, &page, &context);
        }
        let _ = write!(
            html,
            "</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
        );
        out.push(html);
    }
    out
}

/// The cards of one page (numbered from `from + 1`) under the section's title and legend.
fn render_cards(
    html: &mut String,
    input: &ExportInput,
    page: &[&Card],
    from: usize,
    context: &CardContext,
    title: &str,
    noun: &str,
) {
    let _ = writeln!(html, "<h2>{title}</h2>");
    if input.mode == "parallel" {
        html.push_str("<p class=\"legend\">Score: the bead score in [0, 1] (similarity and length model).</p>\n");
    } else {
        html.push_str(
            "<p class=\"legend\"><span>Same claim: the versions state the same claim; related claim: same topic and stance, a weaker statement or another object. Confidence: the run's own estimate (from decoy targets) of the share of true matches among those shown at this score or above.</span>\
             <span><span class=\"swatch high\"></span>high ≥ 0.9</span><span><span class=\"swatch medium\"></span>medium 0.6–0.9</span><span><span class=\"swatch low\"></span>low &lt; 0.6</span>\
             <span>Differences: <mark class=\"number\">number</mark> <mark class=\"negation\">negation</mark> <mark class=\"entity\">name</mark> only in that version.</span></p>\n",
        );
    }
    if page.is_empty() {
        let _ = writeln!(
            html,
            "<p class=\"empty\">No {noun}: nothing was matched with enough confidence.</p>"
        );
    }
    for (i, card) in page.iter().enumerate() {
        render_card(html, from + i + 1, card, context);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_labelled_by_their_first_heading_else_their_first_sentence() {
        let sentence = |doc: &str, idx: usize, text: &str, rule: &'static str, boilerplate| {
            let span = crate::model::ByteSpan {
                start: 0,
                end: text.len(),
            };
            let mut s = Sentence::new(doc, idx, span, 0, text, None);
            s.claim_rule = rule;
            s.boilerplate = boilerplate;
            s
        };
        let long = "LONDON, Jan. 27 (Xinhua) -- Senior Chinese diplomats in Europe have recently slammed the accusation.";
        let sentences = [
            sentence("a.txt", 0, "Lama Baca 25 Menit", "boilerplate", true),
            sentence("a.txt", 1, "Konferensi  Pers 20 April", "heading", false),
            sentence("a.txt", 2, "Wang Wenbin berkata.", "statement", false),
            sentence("b.txt", 0, long, "statement", false),
            sentence("b.txt", 1, "Not a title either", "heading", false),
            sentence("c.txt", 0, "Home > News", "boilerplate", true),
        ];
        let titles = document_titles(&sentences);
        assert_eq!(
            titles["a.txt"], "Konferensi Pers 20 April",
            "whitespace folded"
        );
        // b's heading comes after its first sentence but within the first five: it wins.
        assert_eq!(titles["b.txt"], "Not a title either");
        assert!(
            !titles.contains_key("c.txt"),
            "only boilerplate: the id stays"
        );
        let untitled = document_titles(&sentences[3..4]);
        let title = &untitled["b.txt"];
        assert!(
            title.ends_with('…') && title.chars().count() <= TITLE_CHARS + 1,
            "{title}"
        );
    }

    #[test]
    fn a_gloss_shows_each_words_first_sense_with_the_others_in_its_tooltip() {
        assert_eq!(
            first_senses("year this great|big|large conference"),
            "year this <span class=\"senses\" title=\"great · big · large\">great</span> conference"
        );
        // Markup (a marked difference) is kept whole, and the alternatives after a marked
        // word are dropped; words without alternatives are left as they are.
        assert_eq!(
            first_senses("<mark class=\"entity\" title=\"a b\">Cold War</mark>|cold x|"),
            "<mark class=\"entity\" title=\"a b\">Cold War</mark> x|"
        );
    }

    #[test]
    fn markup_is_escaped() {
        assert_eq!(escape("<b>&\"'\u{1}"), "&lt;b&gt;&amp;&quot;&#39;");
    }

    #[test]
    fn differences_are_marked_in_the_text() {
        let d = [
            Difference {
                kind: "number",
                value: "830000",
                member: 0,
                lacking: vec![1],
            },
            Difference {
                kind: "entity",
                value: "Hong Kong",
                member: 0,
                lacking: vec![1],
            },
        ];
        let refs: Vec<&Difference> = d.iter().collect();
        let html = marked("Hong Kong shipped 830.000 tons <b> to Kongo.", &refs);
        assert_eq!(
            html,
            "<mark class=\"entity\" title=\"entity only in this version\">Hong Kong</mark> shipped <mark class=\"number\" title=\"number only in this version\">830.000</mark> tons &lt;b&gt; to Kongo."
        );
        // Only whole words.
        assert!(occurrences("Kongo", "Kong").is_empty());
    }
}
