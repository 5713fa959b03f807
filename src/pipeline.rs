//! The pipeline of `run`, stage by stage: ingest → segment → detect → translate → align →
//! export. Each stage is one call into its module with typed input and output; the timings
//! and `summary.json` are assembled here. (Embedding and claim stages slot in after
//! translate and after align.)

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::align;
use crate::align::corpus::AlignmentReport;
use crate::align::output::Alignment;
use crate::claims::{self, Claim};
use crate::config::Config;
use crate::detect::Detector;
use crate::embed::{EmbeddingReport, Vectors};
use crate::error::{Error, Result, exit_code};
use crate::export;
use crate::ingest;
use crate::model::{Document, Sentence, SkippedInput};
use crate::output;
use crate::progress;
use crate::segment::Segmenter;
use crate::shard::Shard;
use crate::translate::stage::{self, TranslationReport};

/// Version of the `sentences.jsonl` and `summary.json` formats.
pub const SCHEMA_VERSION: u32 = 3;

/// Everything the stages produced for one corpus.
#[derive(Debug, Default)]
pub struct Corpus {
    pub documents: Vec<Document>,
    pub sentences: Vec<Sentence>,
    pub skipped: Vec<SkippedInput>,
    /// The translation stage's report; `None` when no backend is configured.
    pub translation: Option<TranslationReport>,
    /// The embedding stage's report; `None` when no embedder is configured.
    pub embedding: Option<EmbeddingReport>,
    /// Sentence (or overlap) vectors the alignment stage asked for.
    pub vectors: Option<Vectors>,
    /// Parallel mode: what the embedder was asked for (sentences and planned overlaps).
    pub embedding_work: Option<align::parallel::problems::EmbeddingWork>,
    /// Alignments of the alignment stage (`aligned.jsonl`).
    pub alignments: Vec<Alignment>,
    pub alignment: Option<AlignmentReport>,
    /// Comparable mode: accepted matches grouped into claims (`claims.jsonl`).
    pub claims: Vec<Claim>,
    /// Milliseconds per stage, in pipeline order.
    pub timings_ms: BTreeMap<&'static str, u64>,
    /// The shard this run processed (`run --shard`): it aligns nothing, `merge` does.
    pub shard: Option<Shard>,
    /// Shards this corpus was merged from (`merge`): counters and timings are the shards'
    /// sums, and nothing measured in the merge goes into its files.
    pub merged_shards: Option<usize>,
}

/// Settings of one `run` that come from the command line rather than the configuration.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// Comparable alignment: minimum margin score (`None`: the configured one for the
    /// similarity in use).
    pub threshold: Option<f64>,
    /// Comparable alignment: minimum confidence (`None`: the configured one).
    pub min_confidence: Option<f64>,
    /// Comparable alignment: candidates per source sentence.
    pub top_k: usize,
    pub quiet: bool,
    /// Only this shard's documents, and no alignment (`run --shard`).
    pub shard: Option<Shard>,
}

/// The whole pipeline: reads, translates and aligns the corpus, then writes every output.
/// Problems with single inputs or sentences are recorded in the corpus; only errors that
/// stop the run (configuration, cache, outputs) are returned.
/// A shard (`options.shard`) stops after the embedding stage and writes its sentences and
/// summary; `merge` aligns the shards together.
pub fn run(config: &Config, inputs: &[PathBuf], options: RunOptions) -> Result<Corpus> {
    let mut corpus = process_shard(config, inputs, options.quiet, options.shard);
    translate(config, &mut corpus, options.quiet)?;
    embed(config, &mut corpus, options.quiet)?;
    if options.shard.is_none() {
        align(config, &mut corpus, options);
    }
    write_outputs(config, &corpus)?;
    Ok(corpus)
}

/// `merge`: the outputs of every shard of a run aligned as one corpus and written as one
/// unsharded run writes them. Nothing is sent: translations come from the shards' sentences,
/// vectors from the cache (a text without one is reported, as a failed embedding). Counters
/// and timings are the shards' sums, so two merges of the same shards write the same files.
pub fn merge(config: &Config, dirs: &[PathBuf], options: RunOptions) -> Result<Corpus> {
    let merged = crate::shard::read_shards(dirs, SCHEMA_VERSION, &config.claims)?;
    let mut corpus = Corpus {
        documents: merged.documents,
        sentences: merged.sentences,
        skipped: merged.skipped,
        translation: merged.translation,
        merged_shards: Some(merged.shards),
        ..Corpus::default()
    };
    let mut offline = config.clone();
    offline.translate.offline = true;
    embed(&offline, &mut corpus, options.quiet)?;
    if corpus
        .embedding
        .as_ref()
        .is_none_or(EmbeddingReport::complete)
    {
        corpus.embedding = merged.embedding;
    }
    align(config, &mut corpus, options);
    corpus.timings_ms = merged.timings_ms;
    if let Some(report) = &mut corpus.alignment {
        report.time_ms = 0;
    }
    write_outputs(config, &corpus)?;
    Ok(corpus)
}

/// The text stages: ingest → segment → detect. Problems with single inputs end up in
/// `Corpus::skipped`; nothing here fails the whole run.
pub fn process(config: &Config, inputs: &[PathBuf], quiet: bool) -> Corpus {
    process_shard(config, inputs, quiet, None)
}

/// The text stages for the documents of one shard (all with `None`).
pub fn process_shard(
    config: &Config,
    inputs: &[PathBuf],
    quiet: bool,
    shard: Option<Shard>,
) -> Corpus {
    let mut corpus = ingest_files(config, inputs, quiet, shard);
    segment_and_detect(config, &mut corpus, quiet);
    claims::mark_claim_likeness(&mut corpus.sentences, &config.claims);
    corpus
}

/// Ingest: finds and decodes the input files (of one shard).
fn ingest_files(config: &Config, inputs: &[PathBuf], quiet: bool, shard: Option<Shard>) -> Corpus {
    let mut corpus = Corpus {
        shard,
        ..Corpus::default()
    };
    let started = Instant::now();
    let (files, mut skipped) = ingest::discover(inputs, &config.input);
    let in_shard = |id: &str| shard.is_none_or(|s| s.holds(id));
    skipped.retain(|s| in_shard(&s.path.display().to_string()));
    let files: Vec<(usize, &ingest::InputFile)> = files
        .iter()
        .enumerate()
        .filter(|(_, f)| in_shard(&f.id))
        .collect();
    let bar = progress::bar(files.len() as u64, "ingest", quiet);
    for (position, file) in files {
        match ingest::read(file, config.input.encoding, config.input.lossy_utf8) {
            Ok(mut doc) => {
                doc.position = position;
                corpus.documents.push(doc);
            }
            Err(s) => skipped.push(s),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    for s in &skipped {
        tracing::warn!("{}: {}", crate::display::path(&s.path), s.reason);
    }
    corpus.skipped = skipped;
    corpus.timings_ms.insert("ingest", elapsed_ms(started));
    corpus
}

/// Segment and detect, document by document: the document's language guides the sentence
/// splitter, and the sentences vote for the document's final label.
fn segment_and_detect(config: &Config, corpus: &mut Corpus, quiet: bool) {
    let detector_started = Instant::now();
    let detector = Detector::new(&config.detect);
    let segmenter = Segmenter::new(&config.segment);
    let mut detect_time = detector_started.elapsed();
    let mut segment_time = Duration::ZERO;
    let bar = progress::bar(corpus.documents.len() as u64, "detect", quiet);
    for doc in &mut corpus.documents {
        let t = Instant::now();
        let guess = detector.guess(&doc.text);
        detect_time += t.elapsed();

        let t = Instant::now();
        let mut sentences = segmenter.segment(doc, guess.as_deref().unwrap_or(&config.pivot));
        segment_time += t.elapsed();

        let t = Instant::now();
        let (lang, confidence) = detector.label(&mut sentences, guess.as_deref());
        doc.lang = lang;
        doc.lang_confidence = confidence;
        detect_time += t.elapsed();

        tracing::info!(
            "{}: {} sentences, language {}",
            doc.id,
            sentences.len(),
            doc.lang.as_deref().unwrap_or("unknown")
        );
        if corpus.sentences.is_empty() {
            // The first document's vector becomes the corpus's: a million-sentence file is
            // not copied.
            corpus.sentences = sentences;
        } else {
            corpus.sentences.extend(sentences);
        }
        let seconds = detect_time.as_secs_f64().max(1e-3);
        bar.set_message(format!(
            "documents · {} sentences ({:.0}/s detected)",
            corpus.sentences.len(),
            corpus.sentences.len() as f64 / seconds
        ));
        bar.inc(1);
    }
    bar.finish_and_clear();
    corpus
        .timings_ms
        .insert("segment", segment_time.as_millis() as u64);
    corpus
        .timings_ms
        .insert("detect", detect_time.as_millis() as u64);
}

/// The time of every stage with its rate, for the end of a run: `time: ingest 0.1 s · segment
/// 0.2 s · detect 3.1 s (3,226 sentences/s) · …` (the same figures as `summary.json`'s
/// `timings_ms`).
pub fn stage_times(corpus: &Corpus) -> String {
    let sentences = corpus.sentences.len() as f64;
    let translated = corpus
        .translation
        .as_ref()
        .map_or(0.0, |t| t.sentences as f64);
    let embedded = corpus.embedding.as_ref().map_or(0.0, |e| e.texts as f64);
    let parts: Vec<String> = crate::shard::STAGES
        .iter()
        .filter_map(|stage| corpus.timings_ms.get(stage).map(|&ms| (*stage, ms)))
        .map(|(stage, ms)| {
            let seconds = ms as f64 / 1000.0;
            let (count, unit) = match stage {
                "segment" | "detect" | "align" => (sentences, "sentences"),
                "translate" => (translated, "sentences"),
                "embed" => (embedded, "texts"),
                _ => (0.0, ""),
            };
            if count > 0.0 && seconds >= 0.01 {
                format!("{stage} {seconds:.1} s ({:.0} {unit}/s)", count / seconds)
            } else {
                format!("{stage} {seconds:.1} s")
            }
        })
        .collect();
    format!("time: {}", parts.join(" · "))
}

/// Translate: every non-pivot sentence through the cache and the configured backend(s).
fn translate(config: &Config, corpus: &mut Corpus, quiet: bool) -> Result<()> {
    let started = Instant::now();
    corpus.translation = stage::translate_sentences(config, &mut corpus.sentences, quiet)?;
    if corpus.translation.is_some() {
        corpus.timings_ms.insert("translate", elapsed_ms(started));
    }
    Ok(())
}

/// Embed: vectors of the texts the aligner asks for, through the cache and the embedder.
fn embed(config: &Config, corpus: &mut Corpus, quiet: bool) -> Result<()> {
    if config.embed.embedder.is_none() {
        return Ok(());
    }
    let started = Instant::now();
    let sentences = &corpus.sentences;
    let mut work = None;
    let fetched = crate::embed::stage::embed_for_alignment(config, quiet, |embed| {
        let (vectors, asked) = align::corpus::fetch_vectors(config, sentences, embed)?;
        work = asked;
        Ok(vectors)
    })?;
    if let Some((vectors, report)) = fetched {
        corpus.vectors = vectors;
        corpus.embedding = Some(report);
        corpus.embedding_work = work;
        corpus.timings_ms.insert("embed", elapsed_ms(started));
    }
    Ok(())
}

/// Align: comparable claim matching or parallel beads, as `align.mode` says.
fn align(config: &Config, corpus: &mut Corpus, options: RunOptions) {
    let started = Instant::now();
    let aligned = align::corpus::align_corpus(
        config,
        &corpus.sentences,
        options.threshold,
        options.min_confidence,
        options.top_k,
        align::corpus::StageVectors {
            vectors: corpus.vectors.as_ref(),
            work: corpus.embedding_work,
        },
        options.quiet,
    );
    corpus.alignments = aligned.alignments;
    corpus.alignment = Some(aligned.report);
    corpus.claims = aligned.claims;
    corpus.timings_ms.insert("align", elapsed_ms(started));
}

/// Export: `sentences.jsonl`, the alignment formats and `summary.json` into `output.dir`
/// (or the alignments as JSON Lines on stdout for `--out -`).
fn write_outputs(config: &Config, corpus: &Corpus) -> Result<()> {
    let started = Instant::now();
    let dir = &config.output.dir;
    if dir.as_os_str() == "-" {
        // One format (checked when the configuration was loaded), on standard output.
        let format = config
            .output
            .formats
            .first()
            .copied()
            .unwrap_or(export::Format::Jsonl);
        let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
        let input = export::ExportInput {
            alignments: &corpus.alignments,
            mode: corpus
                .alignment
                .as_ref()
                .map_or("comparable", |r| r.mode.as_str()),
            moses_min_score: config.output.moses_min_score,
            sentences: &corpus.sentences,
            claims: &corpus.claims,
            summary: None,
        };
        return export::export_to_stream(format, &mut stdout, &input)
            .and_then(|_| stdout.flush())
            .map_err(Error::Stdout);
    }
    output::write_atomically(&dir.join("sentences.jsonl"), |w| {
        output::write_jsonl(w, &corpus.sentences)
    })?;
    let mut outputs = vec![dir.join("sentences.jsonl")];
    if corpus
        .alignment
        .as_ref()
        .is_some_and(|r| r.mode == "comparable")
    {
        output::write_atomically(&dir.join("claims.jsonl"), |w| {
            output::write_jsonl(w, &corpus.claims)
        })?;
        outputs.push(dir.join("claims.jsonl"));
    }
    let mut summary = Summary::new(config, corpus);
    if let Some(report) = &corpus.alignment {
        let context = serde_json::to_value(&summary).ok();
        outputs.extend(export::export(
            &config.output.formats,
            dir,
            &export::ExportInput {
                alignments: &corpus.alignments,
                mode: &report.mode,
                moses_min_score: config.output.moses_min_score,
                sentences: &corpus.sentences,
                claims: &corpus.claims,
                summary: context.as_ref(),
            },
        )?);
    }
    outputs.push(dir.join("summary.json"));
    summary.outputs = outputs
        .iter()
        .map(|p| crate::display::lossless(p.strip_prefix(dir).unwrap_or(p)))
        .collect();
    if corpus.merged_shards.is_none() {
        summary.timings_ms.insert("write", elapsed_ms(started));
    }
    output::write_atomically(&dir.join("summary.json"), |w| {
        output::write_json(w, &summary)
    })
}

/// Reports skipped inputs and translation problems on stderr and returns the exit code.
pub fn finish(corpus: &Corpus, keep_going: bool, quiet: bool) -> u8 {
    let mut code = exit_code::SUCCESS;
    if let Some(t) = &corpus.translation {
        let c = &t.counters;
        if !quiet {
            eprintln!(
                "translation ({}): {} sentences, {c}",
                t.backend, t.sentences
            );
        }
        if let Some(reason) = &t.stopped {
            eprintln!(
                "translation stopped: {reason}\n{} of {} texts are translated and cached; run again to continue",
                c.cache_hits + c.translated - c.not_cached,
                c.texts
            );
        }
        if c.not_cached > 0 {
            eprintln!(
                "{} translation(s) received in this run are in the outputs but not cached (listed as translation.not_cached_sentences in summary.json)",
                c.not_cached
            );
        }
        // Problems are printed even with --quiet, which silences progress and totals only.
        if !t.failures.is_empty() {
            eprintln!(
                "{} sentence(s) not translated (listed in summary.json):",
                t.failures.len()
            );
            // One line per reason: a dead server's message is said once, not per sentence.
            let reasons = crate::display::by_reason(
                t.failures
                    .iter()
                    .map(|f| (format!("{} #{}", f.doc, f.idx), f.error.as_str())),
            );
            for line in crate::display::reason_lines(&reasons, "sentences")
                .iter()
                .take(10)
            {
                eprintln!("  {line}");
            }
        }
        if t.interrupted {
            return exit_code::INTERRUPTED;
        }
        if !t.complete() {
            code = exit_code::INCOMPLETE;
        }
    }
    if let Some(e) = &corpus.embedding {
        if !quiet {
            eprintln!(
                "embedding ({}): {} texts: {} from the cache, {} embedded, {} failed; {} requests, {} retries",
                e.embedder, e.texts, e.cache_hits, e.embedded, e.failed, e.requests, e.retries
            );
        }
        if let Some(reason) = &e.stopped {
            eprintln!(
                "embedding stopped: {reason}\n{} of {} texts are embedded and cached; run again to continue",
                e.cache_hits + e.embedded,
                e.texts
            );
        }
        if !e.failures.is_empty() {
            eprintln!("{} text(s) not embedded (they align lexically):", e.failed);
            for f in &e.failures {
                eprintln!("  {f}");
            }
        }
        if e.interrupted {
            return exit_code::INTERRUPTED;
        }
        if !e.complete() {
            code = exit_code::INCOMPLETE;
        }
    }
    if corpus.skipped.is_empty() {
        return code;
    }
    eprintln!("{} input(s) skipped:", corpus.skipped.len());
    for s in &corpus.skipped {
        eprintln!("  {}: {}", crate::display::path(&s.path), s.reason);
    }
    if keep_going {
        code
    } else {
        exit_code::INCOMPLETE
    }
}

/// `summary.json`.
#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    pub schema_version: u32,
    pub transalign_version: &'static str,
    pub config: Option<String>,
    pub pivot: &'a str,
    pub complete: bool,
    pub documents: Vec<DocumentSummary<'a>>,
    pub sentences: usize,
    pub boilerplate_sentences: usize,
    /// Non-boilerplate sentences per language (`und` for none).
    pub sentences_by_lang: BTreeMap<String, usize>,
    pub skipped: &'a [SkippedInput],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translation: Option<&'a TranslationReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embedding: Option<&'a EmbeddingReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alignment: Option<&'a AlignmentReport>,
    /// Claims in `claims.jsonl` (comparable mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims: Option<usize>,
    /// The shard this run processed (`run --shard`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// Shards this summary was merged from (`merge`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_shards: Option<usize>,
    /// Files this run wrote, relative to the output directory.
    pub outputs: Vec<String>,
    pub timings_ms: BTreeMap<&'static str, u64>,
}

#[derive(Debug, Serialize)]
pub struct DocumentSummary<'a> {
    pub id: &'a str,
    pub path: String,
    pub lang: Option<&'a str>,
    pub lang_confidence: f64,
    pub bytes: usize,
    /// Place of the file in the order inputs were found.
    pub position: usize,
    pub sentences: usize,
    pub boilerplate_sentences: usize,
    pub replaced_invalid_utf8: usize,
    /// From `input.documents`, when it lists the document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outlet: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<&'a str>,
}

impl<'a> Summary<'a> {
    pub fn new(config: &'a Config, corpus: &'a Corpus) -> Self {
        let mut sentences_by_lang = BTreeMap::new();
        // (sentences, boilerplate sentences) per document, in one pass.
        let mut per_doc: HashMap<&str, (usize, usize)> = HashMap::new();
        for s in &corpus.sentences {
            let counts = per_doc.entry(s.doc.as_str()).or_default();
            counts.0 += 1;
            if s.boilerplate {
                counts.1 += 1;
                continue;
            }
            *sentences_by_lang
                .entry(s.lang.clone().unwrap_or_else(|| "und".into()))
                .or_insert(0) += 1;
        }
        let documents = corpus
            .documents
            .iter()
            .map(|d| {
                let (sentences, boilerplate_sentences) =
                    per_doc.get(d.id.as_str()).copied().unwrap_or_default();
                let metadata = |column| config.input.documents.as_ref()?.get(&d.id, column);
                DocumentSummary {
                    id: &d.id,
                    path: crate::display::lossless(&d.path),
                    lang: d.lang.as_deref(),
                    lang_confidence: d.lang_confidence,
                    bytes: d.original_len,
                    position: d.position,
                    sentences,
                    boilerplate_sentences,
                    replaced_invalid_utf8: d.replaced_invalid_utf8,
                    title: metadata("title"),
                    outlet: metadata("outlet"),
                    date: metadata("date"),
                }
            })
            .collect();
        Summary {
            schema_version: SCHEMA_VERSION,
            transalign_version: env!("CARGO_PKG_VERSION"),
            config: config.file.as_ref().map(crate::display::path),
            pivot: &config.pivot,
            complete: corpus.skipped.is_empty()
                && corpus
                    .translation
                    .as_ref()
                    .is_none_or(TranslationReport::complete)
                && corpus
                    .embedding
                    .as_ref()
                    .is_none_or(EmbeddingReport::complete),
            documents,
            sentences: corpus.sentences.len(),
            boilerplate_sentences: corpus.sentences.iter().filter(|s| s.boilerplate).count(),
            sentences_by_lang,
            skipped: &corpus.skipped,
            translation: corpus.translation.as_ref(),
            embedding: corpus.embedding.as_ref(),
            alignment: corpus.alignment.as_ref(),
            claims: corpus
                .alignment
                .as_ref()
                .filter(|r| r.mode == "comparable")
                .map(|_| corpus.claims.len()),
            shard: corpus.shard,
            merged_shards: corpus.merged_shards,
            outputs: Vec::new(),
            timings_ms: corpus.timings_ms.clone(),
        }
    }
}

fn elapsed_ms(since: Instant) -> u64 {
    since.elapsed().as_millis() as u64
}
