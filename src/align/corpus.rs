//! The alignment stage of `run`: translated non-pivot sentences against the pivot-language
//! sentences of the other documents (comparable mode), or documents paired by file name
//! (`NAME.id.txt` ↔ `NAME.en.txt`) aligned bead by bead (parallel mode).

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::acceptance::{AcceptanceReport, Tier, four_decimals};
use super::comparable::{self, ComparableParams, Scorer, SentenceVectors};
use super::output::Alignment;
use super::parallel::problems::{self, Embed, EmbeddingWork, OverlapChoice, Problem, Settings};
use super::vectors::f16;
use crate::claims::{Claim, Link};
use crate::config::Config;
use crate::embed::Vectors;
use crate::model::Sentence;

/// The alignment part of `summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct AlignmentReport {
    pub mode: String,
    /// Comparable: the margin threshold, minimum confidence and candidates per source that
    /// applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_confidence: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_k: Option<usize>,
    /// Comparable: how matches were accepted and what the run estimated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acceptance: Option<AcceptanceReport>,
    /// Parallel: the largest bead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_bead: Option<usize>,
    /// True when sentence vectors took part.
    pub embedded: bool,
    /// Parallel, with an embedder: distinct texts the embedder was asked for (sentences
    /// and overlaps, cache hits included), of them overlaps, and texts per input sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embedded_texts: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embedded_overlaps: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub texts_per_sentence: Option<f64>,
    /// Source sentences (translated, not pivot, not boilerplate) and target candidates.
    pub source_sentences: usize,
    pub target_sentences: usize,
    /// Records written to `aligned.jsonl`.
    pub alignments: usize,
    /// Source sentences with at least one match (comparable) or document pairs (parallel).
    pub matched_sources: usize,
    pub time_ms: u64,
}

/// The numbers of one record (see [`Alignment`]).
struct Scores {
    score: f32,
    similarity: f32,
    rank: usize,
    confidence: Option<f32>,
    tier: Option<Tier>,
}

fn record(
    source: &[&Sentence],
    target: &[&Sentence],
    scores: Scores,
    mode: &str,
    pivot: &str,
) -> Alignment {
    let Scores {
        score,
        similarity,
        rank,
        confidence,
        tier,
    } = scores;
    let join = |parts: Vec<&str>| parts.join(" ");
    let first_src = source.first();
    let first_tgt = target.first();
    Alignment {
        src_doc: first_src.map_or_else(String::new, |s| s.doc.clone()),
        src_ids: source.iter().map(|s| s.idx).collect(),
        src_lang: first_src.and_then(|s| s.lang.clone()).unwrap_or_default(),
        src_text: join(source.iter().map(|s| s.text.as_str()).collect()),
        src_translation: join(
            source
                .iter()
                .map(|s| s.translation.as_deref().unwrap_or(""))
                .collect(),
        ),
        tgt_doc: first_tgt.map_or_else(String::new, |s| s.doc.clone()),
        tgt_ids: target.iter().map(|s| s.idx).collect(),
        tgt_lang: pivot.to_string(),
        tgt_text: join(target.iter().map(|s| s.text.as_str()).collect()),
        score,
        similarity,
        confidence,
        rank,
        tier: tier.map(|t| t.as_str().to_string()),
        mode: mode.to_string(),
        backend: first_src
            .and_then(|s| s.backend.clone())
            .unwrap_or_default(),
        flags: Vec::new(),
    }
    .with_flags()
}

/// The sentences that take part in comparable mode: claim-like sentences (no boilerplate,
/// questions or formulas), sources (not pivot, and translated unless sentence vectors carry
/// them) and targets (pivot).
fn sides<'a>(
    sentences: &'a [Sentence],
    pivot: &str,
    embedded: bool,
) -> (Vec<&'a Sentence>, Vec<&'a Sentence>) {
    let sources = sentences
        .iter()
        .filter(|s| {
            s.claim_like
                && s.lang.as_deref().is_some_and(|l| l != pivot)
                && (embedded || s.translation.is_some())
        })
        .collect();
    let targets = sentences
        .iter()
        .filter(|s| s.claim_like && s.lang.as_deref() == Some(pivot))
        .collect();
    (sources, targets)
}

fn texts_of<'a>(sentences: &[&'a Sentence]) -> Vec<&'a str> {
    sentences.iter().map(|x| x.text.as_str()).collect()
}

/// The distinct texts the alignment stage wants vectors of first: every source and target
/// sentence (comparable mode); in parallel mode the first round of [`fetch_vectors`] (the
/// sentences of the paired documents, or with `align.embed_overlaps = "all"` every overlap),
/// to which the overlaps planned after it are added.
pub fn texts_to_embed(config: &Config, sentences: &[Sentence]) -> Vec<String> {
    let pivot = config.pivot.as_str();
    if config.raw.align.mode == "parallel" {
        let settings = Settings::of(&config.raw.align);
        let size = match settings.choice {
            OverlapChoice::All => settings.overlap,
            OverlapChoice::NearPath => 1,
        };
        return problems::first_round(&parallel_problems(sentences, pivot), size);
    }
    let (sources, targets) = sides(sentences, pivot, true);
    let mut out: Vec<String> = sources
        .iter()
        .chain(&targets)
        .map(|s| s.text.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The vectors the alignment stage needs, through `embed`: [`texts_to_embed`] (comparable
/// mode), or in parallel mode the sentences and then the overlaps planned from a first
/// path per document pair, with what was asked.
pub fn fetch_vectors(
    config: &Config,
    sentences: &[Sentence],
    embed: &mut Embed,
) -> crate::error::Result<(Option<Vectors>, Option<EmbeddingWork>)> {
    if config.raw.align.mode == "parallel" {
        let problems = parallel_problems(sentences, config.pivot.as_str());
        let settings = Settings::of(&config.raw.align);
        let (vectors, work) = problems::fetch_vectors(&problems, settings, embed)?;
        return Ok((vectors, Some(work)));
    }
    Ok((embed(texts_to_embed(config, sentences), "embed")?, None))
}

/// The document pairs of parallel mode as problems (features of the translations).
fn parallel_problems<'a>(sentences: &'a [Sentence], pivot: &str) -> Vec<Problem<'a>> {
    super::each_on_every_core(&parallel_pairs(sentences, pivot), |pair| {
        problem_of(pair, pivot)
    })
}

/// One document pair as a problem. A line of the source document detected as the pivot
/// language is not translated: it stands for itself.
fn problem_of<'a>(pair: &DocumentPair<'a>, pivot: &str) -> Problem<'a> {
    let pairs: Vec<(&str, &str)> = pair
        .source
        .iter()
        .map(|x| {
            let translation = match (&x.translation, x.lang.as_deref()) {
                (Some(t), _) => t.as_str(),
                (None, Some(lang)) if lang == pivot => x.text.as_str(),
                (None, _) => "",
            };
            (x.text.as_str(), translation)
        })
        .collect();
    let target_texts = texts_of(&pair.target);
    Problem {
        prepared: super::prepare(&pairs, &target_texts),
        source_texts: texts_of(&pair.source),
        target_texts,
    }
}

/// What the embedding stage gave the alignment stage: the vectors, if any, and in parallel
/// mode what was asked for.
#[derive(Clone, Copy, Default)]
pub struct StageVectors<'v> {
    pub vectors: Option<&'v Vectors>,
    pub work: Option<EmbeddingWork>,
}

/// What the alignment stage gives: the records of `aligned.jsonl`, the report and, in
/// comparable mode, the accepted matches grouped into claims.
pub struct Aligned {
    pub alignments: Vec<Alignment>,
    pub report: AlignmentReport,
    pub claims: Vec<Claim>,
}

/// Aligns the corpus. `threshold` and `min_confidence` (from the command line) replace the
/// configured ones; `embedded` is what the embedding stage gave, if it ran; `quiet` hides
/// the progress bar of parallel mode.
pub fn align_corpus(
    config: &Config,
    sentences: &[Sentence],
    threshold: Option<f64>,
    min_confidence: Option<f64>,
    top_k: usize,
    embedded: StageVectors,
    quiet: bool,
) -> Aligned {
    let StageVectors {
        vectors,
        work: embedding_work,
    } = embedded;
    let started = std::time::Instant::now();
    let pivot = config.pivot.as_str();
    let mode = config.raw.align.mode.clone();
    let fused = vectors.is_some();
    let params =
        ComparableParams::from_config(&config.raw.align, fused, threshold, min_confidence, top_k);
    let mut records = Vec::new();
    let mut claims = Vec::new();
    let mut acceptance = None;
    let mut matched_sources = 0;
    let (mut source_count, mut target_count) = (0, 0);
    if mode == "parallel" {
        let pairs = parallel_pairs(sentences, pivot);
        let problems: Vec<Problem> = super::each_on_every_core(&pairs, |p| problem_of(p, pivot));
        let settings = Settings::of(&config.raw.align);
        let solved = problems::solve(&problems, settings, vectors, quiet);
        for (pair, beads) in pairs.iter().zip(solved) {
            let (s, t) = (&pair.source, &pair.target);
            source_count += s.len();
            target_count += t.len();
            matched_sources += 1;
            for bead in beads {
                let src: Vec<&Sentence> = bead.source.clone().map(|i| s[i]).collect();
                let tgt: Vec<&Sentence> = bead.target.clone().map(|j| t[j]).collect();
                let scores = Scores {
                    score: bead.score,
                    similarity: bead.score,
                    rank: 1,
                    confidence: None,
                    tier: None,
                };
                let mut r = record(&src, &tgt, scores, &mode, pivot);
                // The file names decide the documents and their languages, also for null
                // beads and for lines detected as something else.
                r.src_doc = pair.source_doc.to_string();
                r.src_lang = pair.source_lang.to_string();
                r.tgt_doc = pair.target_doc.to_string();
                records.push(r);
            }
        }
    } else {
        let (sources, targets) = sides(sentences, pivot, fused);
        source_count = sources.len();
        target_count = targets.len();
        // Nothing to compare in a corpus of one language: no features are built.
        let comparable = !sources.is_empty() && !targets.is_empty();
        let (pairs, target_texts): (Vec<(&str, &str)>, Vec<&str>) = if comparable {
            let pairs = sources
                .iter()
                .map(|x| (x.text.as_str(), x.translation.as_deref().unwrap_or("")))
                .collect();
            (pairs, texts_of(&targets))
        } else {
            (Vec::new(), Vec::new())
        };
        let prepared = super::prepare(&pairs, &target_texts);
        let lookup = |side: &[&Sentence]| -> Vec<Option<&[f16]>> {
            side.iter()
                .map(|x| vectors.and_then(|v| v.get(&x.text)))
                .collect()
        };
        let (source_vectors, target_vectors) = (lookup(&sources), lookup(&targets));
        let sentence_vectors = vectors.map(|_| SentenceVectors {
            source: &source_vectors,
            target: &target_vectors,
        });
        let mut matched: HashSet<usize> = HashSet::new();
        let mut links: Vec<(Tier, Link)> = Vec::new();
        let found = comparable::matches(
            &prepared.source,
            &prepared.target,
            &prepared.vocabulary,
            params,
            sentence_vectors,
            &|s, t| config.comparison.allows(&sources[s].doc, &targets[t].doc),
        );
        for m in &found.matches {
            let (s, t) = (sources[m.source], targets[m.target]);
            matched.insert(m.source);
            links.push((
                m.tier,
                Link {
                    source: m.source,
                    target: m.target,
                    similarity: m.similarity,
                    confidence: m.confidence,
                },
            ));
            records.push(record(
                &[s],
                &[t],
                Scores {
                    score: m.score,
                    similarity: m.similarity,
                    rank: m.rank,
                    confidence: Some(m.confidence),
                    tier: Some(m.tier),
                },
                &mode,
                pivot,
            ));
        }
        acceptance = Some(found.report);
        matched_sources = matched.len();
        let scorer = Scorer::new(
            &prepared.source,
            &prepared.target,
            &prepared.vocabulary,
            params,
            sentence_vectors,
        );
        // Claims of each tier from that tier's matches.
        for tier in [Tier::Same, Tier::Related, Tier::Candidate] {
            let of_tier: Vec<Link> = links
                .iter()
                .filter(|(t, _)| *t == tier)
                .map(|(_, l)| *l)
                .collect();
            let groups = crate::claims::group(
                &of_tier,
                |s, t| scorer.similarity(s, t, None),
                params.min_similarity,
            );
            claims.extend(crate::claims::records(
                &groups, &sources, &targets, pivot, tier,
            ));
        }
    }
    let comparable = mode == "comparable";
    let report = AlignmentReport {
        threshold: params.threshold.filter(|_| comparable).map(four_decimals),
        min_confidence: params
            .min_confidence
            .filter(|_| comparable)
            .map(four_decimals),
        top_k: comparable.then_some(top_k),
        acceptance,
        max_bead: (!comparable).then_some(config.raw.align.max_bead(fused)),
        mode,
        embedded: fused,
        embedded_texts: embedding_work.map(|w| w.embedded_texts),
        embedded_overlaps: embedding_work.map(|w| w.overlaps),
        texts_per_sentence: embedding_work.map(|w| (w.texts_per_sentence() * 1e4).round() / 1e4),
        source_sentences: source_count,
        target_sentences: target_count,
        alignments: records.len(),
        matched_sources,
        time_ms: started.elapsed().as_millis() as u64,
    };
    Aligned {
        alignments: records,
        report,
        claims,
    }
}

/// Two documents that translate each other, and their sentences (boilerplate left out).
struct DocumentPair<'a> {
    source_doc: &'a str,
    source_lang: &'a str,
    target_doc: &'a str,
    source: Vec<&'a Sentence>,
    target: Vec<&'a Sentence>,
}

/// `NAME.LANG.EXT` split into its parts, when LANG looks like a language code.
pub fn named_language(doc: &str) -> Option<(&str, &str, &str)> {
    let mut parts = doc.rsplitn(3, '.');
    let (ext, lang, name) = (parts.next()?, parts.next()?, parts.next()?);
    let code = (2..=3).contains(&lang.len()) && lang.bytes().all(|b| b.is_ascii_lowercase());
    code.then_some((name, lang, ext))
}

/// Document pairs for parallel mode: `NAME.LANG.EXT` with a non-pivot LANG and
/// `NAME.PIVOT.EXT` (ids as written in `sentences.jsonl`). The language in the file name
/// decides which side a document is on, whatever the detector said of single lines, so a
/// document is never paired with itself; every sentence of both documents takes part.
fn parallel_pairs<'a>(sentences: &'a [Sentence], pivot: &str) -> Vec<DocumentPair<'a>> {
    let mut by_doc: Vec<(&str, Vec<&Sentence>)> = Vec::new();
    let mut position: HashMap<&str, usize> = HashMap::new();
    for s in sentences.iter().filter(|s| !s.boilerplate) {
        let at = *position.entry(s.doc.as_str()).or_insert_with(|| {
            by_doc.push((s.doc.as_str(), Vec::new()));
            by_doc.len() - 1
        });
        by_doc[at].1.push(s);
    }
    let mut pairs = Vec::new();
    for (doc, source) in &by_doc {
        let Some((name, lang, ext)) = named_language(doc) else {
            continue;
        };
        if lang == pivot {
            continue;
        }
        let partner = format!("{name}.{pivot}.{ext}");
        if let Some(&at) = position.get(partner.as_str()) {
            let (target_doc, target) = &by_doc[at];
            pairs.push(DocumentPair {
                source_doc: doc,
                source_lang: lang,
                target_doc,
                source: source.clone(),
                target: target.clone(),
            });
        }
    }
    pairs
}
