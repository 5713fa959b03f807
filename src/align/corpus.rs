//! The alignment stage of `run`: translated non-pivot sentences against the pivot-language
//! sentences of the other documents (comparable mode), or documents paired by file name
//! (`NAME.id.txt` ↔ `NAME.en.txt`) aligned bead by bead (parallel mode).

use std::collections::HashMap;

use serde::Serialize;

use super::comparable::{self, ComparableParams, SentenceVectors};
use super::output::Alignment;
use super::parallel::{self, OverlapVectors, ParallelParams};
use super::vectors::{f16, overlap_texts, span_vectors};
use crate::config::Config;
use crate::embed::Vectors;
use crate::model::Sentence;

/// The alignment part of `summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct AlignmentReport {
    pub mode: String,
    /// The margin threshold that applied (comparable mode).
    pub threshold: f64,
    /// True when sentence vectors took part.
    pub embedded: bool,
    pub top_k: usize,
    /// Source sentences (translated, not pivot, not boilerplate) and target candidates.
    pub source_sentences: usize,
    pub target_sentences: usize,
    /// Records written to `aligned.jsonl`.
    pub alignments: usize,
    /// Source sentences with at least one match (comparable) or document pairs (parallel).
    pub matched_sources: usize,
    pub time_ms: u64,
}

fn record(
    source: &[&Sentence],
    target: &[&Sentence],
    score: f32,
    similarity: f32,
    rank: usize,
    mode: &str,
    pivot: &str,
) -> Alignment {
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
        rank,
        mode: mode.to_string(),
        backend: first_src
            .and_then(|s| s.backend.clone())
            .unwrap_or_default(),
        flags: Vec::new(),
    }
    .with_flags()
}

/// The sentences that take part: sources (not pivot, not boilerplate, and translated unless
/// sentence vectors carry them) and targets (pivot, not boilerplate).
fn sides<'a>(
    sentences: &'a [Sentence],
    pivot: &str,
    embedded: bool,
) -> (Vec<&'a Sentence>, Vec<&'a Sentence>) {
    let sources = sentences
        .iter()
        .filter(|s| {
            !s.boilerplate
                && s.lang.as_deref().is_some_and(|l| l != pivot)
                && (embedded || s.translation.is_some())
        })
        .collect();
    let targets = sentences
        .iter()
        .filter(|s| !s.boilerplate && s.lang.as_deref() == Some(pivot))
        .collect();
    (sources, targets)
}

/// The sentences of one document, in order.
fn of_document<'a>(sentences: &[&'a Sentence], doc: &str) -> Vec<&'a Sentence> {
    sentences.iter().copied().filter(|x| x.doc == doc).collect()
}

fn texts_of<'a>(sentences: &[&'a Sentence]) -> Vec<&'a str> {
    sentences.iter().map(|x| x.text.as_str()).collect()
}

/// The distinct texts the alignment stage wants vectors of: every source and target
/// sentence (comparable mode), or every overlap of up to `align.overlap` sentences of the
/// paired documents (parallel mode).
pub fn texts_to_embed(config: &Config, sentences: &[Sentence]) -> Vec<String> {
    let pivot = config.pivot.as_str();
    let (sources, targets) = sides(sentences, pivot, true);
    let mut out: Vec<String> = if config.raw.align.mode == "parallel" {
        let overlap = config.raw.align.overlap_size();
        parallel_pairs(&sources, &targets, pivot)
            .iter()
            .flat_map(|(s, t)| {
                let mut texts = overlap_texts(&texts_of(&of_document(&sources, s)), overlap);
                texts.extend(overlap_texts(&texts_of(&of_document(&targets, t)), overlap));
                texts
            })
            .collect()
    } else {
        sources
            .iter()
            .chain(&targets)
            .map(|s| s.text.clone())
            .collect()
    };
    out.sort();
    out.dedup();
    out
}

/// Aligns the corpus; returns the records and the report. `threshold` (from `--threshold`)
/// replaces the configured one; `vectors` are the embedding stage's, if it ran.
pub fn align_corpus(
    config: &Config,
    sentences: &[Sentence],
    threshold: Option<f64>,
    top_k: usize,
    vectors: Option<&Vectors>,
) -> (Vec<Alignment>, AlignmentReport) {
    let started = std::time::Instant::now();
    let pivot = config.pivot.as_str();
    let mode = config.raw.align.mode.clone();
    let fused = vectors.is_some();
    let (sources, targets) = sides(sentences, pivot, fused);
    let params = ComparableParams::from_config(&config.raw.align, fused, threshold, top_k);
    let mut records = Vec::new();
    let mut matched_sources = 0;
    if mode == "parallel" {
        let overlap = config.raw.align.overlap_size();
        for (source_doc, target_doc) in parallel_pairs(&sources, &targets, pivot) {
            let s = of_document(&sources, &source_doc);
            let t = of_document(&targets, &target_doc);
            let pairs: Vec<(&str, &str)> = s
                .iter()
                .map(|x| (x.text.as_str(), x.translation.as_deref().unwrap_or("")))
                .collect();
            let target_texts = texts_of(&t);
            let prepared = super::prepare(&pairs, &target_texts);
            let params = ParallelParams::from_config(&config.raw.align);
            let source_spans = vectors.map(|v| span_vectors(&texts_of(&s), overlap, v));
            let target_spans = vectors.map(|v| span_vectors(&target_texts, overlap, v));
            let overlap_vectors = match (&source_spans, &target_spans) {
                (Some(source), Some(target)) => Some(OverlapVectors { source, target }),
                _ => None,
            };
            matched_sources += 1;
            for bead in parallel::align(
                &prepared.source,
                &prepared.target,
                &prepared.vocabulary,
                params,
                overlap_vectors,
            ) {
                let src: Vec<&Sentence> = bead.source.clone().map(|i| s[i]).collect();
                let tgt: Vec<&Sentence> = bead.target.clone().map(|j| t[j]).collect();
                let mut r = record(&src, &tgt, bead.score, bead.score, 1, &mode, pivot);
                if src.is_empty() {
                    r.src_doc = source_doc.clone();
                }
                if tgt.is_empty() {
                    r.tgt_doc = target_doc.clone();
                }
                records.push(r);
            }
        }
    } else {
        let pairs: Vec<(&str, &str)> = sources
            .iter()
            .map(|x| (x.text.as_str(), x.translation.as_deref().unwrap_or("")))
            .collect();
        let prepared = super::prepare(&pairs, &texts_of(&targets));
        // Ask for more, then drop candidates from the source's own document.
        let params = ComparableParams {
            top_k: top_k + 2,
            ..params
        };
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
        let mut per_source: HashMap<usize, usize> = HashMap::new();
        for m in comparable::matches(
            &prepared.source,
            &prepared.target,
            &prepared.vocabulary,
            params,
            sentence_vectors,
        ) {
            let (s, t) = (sources[m.source], targets[m.target]);
            if s.doc == t.doc {
                continue;
            }
            let rank = per_source.entry(m.source).or_default();
            if *rank >= top_k {
                continue;
            }
            *rank += 1;
            records.push(record(
                &[s],
                &[t],
                m.score,
                m.similarity,
                *rank,
                &mode,
                pivot,
            ));
        }
        matched_sources = per_source.len();
    }
    let report = AlignmentReport {
        mode,
        threshold: params.threshold as f64,
        embedded: fused,
        top_k,
        source_sentences: sources.len(),
        target_sentences: targets.len(),
        alignments: records.len(),
        matched_sources,
        time_ms: started.elapsed().as_millis() as u64,
    };
    (records, report)
}

/// Document pairs for parallel mode: `NAME.LANG.EXT` with a non-pivot language and
/// `NAME.PIVOT.EXT` (ids as written in `sentences.jsonl`).
fn parallel_pairs(
    sources: &[&Sentence],
    targets: &[&Sentence],
    pivot: &str,
) -> Vec<(String, String)> {
    let mut source_docs: Vec<&str> = sources.iter().map(|s| s.doc.as_str()).collect();
    source_docs.dedup();
    let target_docs: std::collections::HashSet<&str> =
        targets.iter().map(|s| s.doc.as_str()).collect();
    let mut pairs = Vec::new();
    for doc in source_docs {
        let parts: Vec<&str> = doc.rsplitn(3, '.').collect();
        if parts.len() == 3 {
            let (ext, _lang, name) = (parts[0], parts[1], parts[2]);
            let partner = format!("{name}.{pivot}.{ext}");
            if target_docs.contains(partner.as_str()) && !pairs.iter().any(|(s, _)| s == doc) {
                pairs.push((doc.to_string(), partner));
            }
        }
    }
    pairs
}
