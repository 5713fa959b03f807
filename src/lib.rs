//! transalign: makes claims comparable across languages.
//!
//! The pipeline reads a corpus, detects the language of every document and sentence,
//! (later: translates what is not in the pivot language, caches every translation and aligns
//! the result). [`run`] is the whole program behind the binary; [`process`] reads as the list
//! of stages.

pub mod align;
pub mod cli;
pub mod commands;
pub mod config;
pub mod detect;
pub mod error;
pub mod export;
pub mod ingest;
pub mod lexicon;
pub mod model;
pub mod output;
pub mod progress;
pub mod segment;
pub mod translate;

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::cli::{Cli, Command, ConfigCommand, InputArgs, OverrideArgs};
use crate::config::Config;
use crate::detect::Detector;
use crate::error::{Error, Result, exit_code};
use crate::model::{Document, Sentence, SkippedInput};
use crate::segment::Segmenter;
use crate::translate::stage::{self, Chain, TranslationReport};

/// Version of the `sentences.jsonl` and `summary.json` formats.
pub const SCHEMA_VERSION: u32 = 2;

/// Everything the stages produced for one corpus.
#[derive(Debug, Default)]
pub struct Corpus {
    pub documents: Vec<Document>,
    pub sentences: Vec<Sentence>,
    pub skipped: Vec<SkippedInput>,
    /// The translation stage's report; `None` when no backend is configured.
    pub translation: Option<TranslationReport>,
    /// Alignments of the alignment stage (`aligned.jsonl`).
    pub alignments: Vec<align::output::Alignment>,
    pub alignment: Option<align::corpus::AlignmentReport>,
    /// Milliseconds per stage, in pipeline order.
    pub timings_ms: BTreeMap<&'static str, u64>,
}

/// Runs the command line and returns the process exit code.
pub fn run(cli: Cli) -> Result<u8> {
    let quiet = cli.quiet;
    match &cli.command {
        Command::Config(ConfigCommand::Check(overrides)) => {
            let config = Config::load(cli.config.as_deref(), &overrides.to_overrides(None, None))?;
            let source = config.file.as_ref().map_or_else(
                || "built-in defaults".to_string(),
                |p| p.display().to_string(),
            );
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "# effective configuration (from {source}): OK")
                .and_then(|_| stdout.write_all(config.to_toml().as_bytes()))
                .map_err(Error::Stdout)?;
            Ok(exit_code::SUCCESS)
        }
        Command::Detect(args) => {
            let config = Config::load(
                cli.config.as_deref(),
                &args.overrides.to_overrides(None, None),
            )?;
            let corpus = process(&config, &inputs(args, &config)?, quiet);
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            output::write_jsonl(&mut stdout, &corpus.sentences)
                .and_then(|_| stdout.flush())
                .map_err(Error::Stdout)?;
            Ok(finish(&corpus, args.keep_going, quiet))
        }
        Command::Run(args) => {
            let mut overrides = args
                .input
                .overrides
                .to_overrides(args.out_dir.clone(), Some(&args.translation));
            overrides.formats = args.formats.clone();
            let config = Config::load(cli.config.as_deref(), &overrides)?;
            let mut corpus = process(&config, &inputs(&args.input, &config)?, quiet);
            if args.dry_run {
                let chain = Chain::required(&config)?;
                let (jobs, _) = stage::jobs_for(&corpus.sentences, &config.pivot);
                let plan = stage::plan_jobs(&config, chain, &config.pivot, &jobs)?;
                stage::print_plan(&plan, &config.pivot, &mut std::io::stdout().lock())
                    .map_err(Error::Stdout)?;
                return Ok(exit_code::SUCCESS);
            }
            let started = Instant::now();
            corpus.translation = stage::translate_sentences(&config, &mut corpus.sentences, quiet)?;
            if corpus.translation.is_some() {
                corpus.timings_ms.insert("translate", elapsed_ms(started));
            }
            let started = Instant::now();
            let (alignments, report) = align::corpus::align_corpus(
                &config,
                &corpus.sentences,
                args.threshold.unwrap_or(config.raw.align.threshold),
                args.top_k.unwrap_or(config.raw.align.top_k),
            );
            corpus.alignments = alignments;
            corpus.alignment = Some(report);
            corpus.timings_ms.insert("align", elapsed_ms(started));
            write_run_outputs(&config, &corpus)?;
            if !quiet {
                eprintln!(
                    "wrote {} sentences of {} documents to {}",
                    corpus.sentences.len(),
                    corpus.documents.len(),
                    config.output_dir.display()
                );
            }
            Ok(finish(&corpus, args.input.keep_going, quiet))
        }
        Command::Translate(args) => {
            let config = Config::load(
                cli.config.as_deref(),
                &OverrideArgs::default().to_overrides(None, Some(&args.translation)),
            )?;
            commands::translate(&config, args, quiet)
        }
        Command::Backends(command) => {
            let config = Config::load(cli.config.as_deref(), &Default::default())?;
            commands::backends(&config, command)
        }
        Command::Lexicon(command) => commands::lexicon(command, quiet),
        Command::Align(args) => {
            let config = Config::load(
                cli.config.as_deref(),
                &OverrideArgs::default().to_overrides(None, Some(&args.translation_args)),
            )?;
            align::files::align_files(&config, args, quiet)
        }
        Command::Eval(command) => commands::eval(command),
        Command::Cache { cache_dir, command } => {
            let overrides = config::Overrides {
                cache_dir: cache_dir.clone(),
                ..Default::default()
            };
            let config = Config::load(cli.config.as_deref(), &overrides)?;
            commands::cache(&config, command, quiet)
        }
    }
}

fn inputs(args: &InputArgs, config: &Config) -> Result<Vec<PathBuf>> {
    let inputs = if args.inputs.is_empty() {
        &config.input.paths
    } else {
        &args.inputs
    };
    if inputs.is_empty() {
        return Err(Error::NoInputs {
            config: config.file.as_ref().map_or_else(
                || "a configuration file".into(),
                |p| p.display().to_string(),
            ),
        });
    }
    Ok(inputs.clone())
}

/// Reports skipped inputs and translation problems and returns the exit code.
fn finish(corpus: &Corpus, keep_going: bool, quiet: bool) -> u8 {
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
                c.cache_hits + c.translated,
                c.texts
            );
        }
        if !t.failures.is_empty() && !quiet {
            eprintln!(
                "{} sentence(s) not translated (listed in summary.json):",
                t.failures.len()
            );
            for f in t.failures.iter().take(10) {
                eprintln!("  {} #{}: {}", f.doc, f.idx, f.error);
            }
        }
        if t.interrupted {
            return exit_code::INTERRUPTED;
        }
        if !t.complete() {
            code = exit_code::INCOMPLETE;
        }
    }
    if corpus.skipped.is_empty() {
        return code;
    }
    if !quiet {
        eprintln!("{} input(s) skipped:", corpus.skipped.len());
        for s in &corpus.skipped {
            eprintln!("  {}: {}", s.path.display(), s.reason);
        }
    }
    if keep_going {
        code
    } else {
        exit_code::INCOMPLETE
    }
}

/// The pipeline: ingest → segment → detect. Problems with single inputs end up in
/// `Corpus::skipped`; nothing here fails the whole run.
pub fn process(config: &Config, inputs: &[PathBuf], quiet: bool) -> Corpus {
    let mut corpus = Corpus::default();
    let started = Instant::now();

    let (files, mut skipped) = ingest::discover(inputs, &config.input);
    let bar = progress::bar(files.len() as u64, "ingest", quiet);
    for file in &files {
        match ingest::read(file, config.input.lossy_utf8) {
            Ok(doc) => corpus.documents.push(doc),
            Err(s) => skipped.push(s),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    for s in &skipped {
        tracing::warn!("{}: {}", s.path.display(), s.reason);
    }
    corpus.skipped = skipped;
    corpus.timings_ms.insert("ingest", elapsed_ms(started));

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
        corpus.sentences.extend(sentences);
        bar.inc(1);
    }
    bar.finish_and_clear();
    corpus
        .timings_ms
        .insert("segment", segment_time.as_millis() as u64);
    corpus
        .timings_ms
        .insert("detect", detect_time.as_millis() as u64);
    corpus
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
    pub alignment: Option<&'a align::corpus::AlignmentReport>,
    /// Files this run wrote.
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
    pub sentences: usize,
    pub boilerplate_sentences: usize,
    pub replaced_invalid_utf8: usize,
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
                DocumentSummary {
                    id: &d.id,
                    path: d.path.display().to_string(),
                    lang: d.lang.as_deref(),
                    lang_confidence: d.lang_confidence,
                    bytes: d.original_len,
                    sentences,
                    boilerplate_sentences,
                    replaced_invalid_utf8: d.replaced_invalid_utf8,
                }
            })
            .collect();
        Summary {
            schema_version: SCHEMA_VERSION,
            transalign_version: env!("CARGO_PKG_VERSION"),
            config: config.file.as_ref().map(|p| p.display().to_string()),
            pivot: &config.pivot,
            complete: corpus.skipped.is_empty()
                && corpus
                    .translation
                    .as_ref()
                    .is_none_or(TranslationReport::complete),
            documents,
            sentences: corpus.sentences.len(),
            boilerplate_sentences: corpus.sentences.iter().filter(|s| s.boilerplate).count(),
            sentences_by_lang,
            skipped: &corpus.skipped,
            translation: corpus.translation.as_ref(),
            alignment: corpus.alignment.as_ref(),
            outputs: Vec::new(),
            timings_ms: corpus.timings_ms.clone(),
        }
    }
}

fn write_run_outputs(config: &Config, corpus: &Corpus) -> Result<()> {
    let started = Instant::now();
    let dir = &config.output_dir;
    if dir.as_os_str() == "-" {
        // `--out -`: the alignments as JSON Lines on stdout, no files.
        let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
        return output::write_jsonl(&mut stdout, &corpus.alignments)
            .and_then(|_| stdout.flush())
            .map_err(Error::Stdout);
    }
    output::write_atomically(&dir.join("sentences.jsonl"), |w| {
        output::write_jsonl(w, &corpus.sentences)
    })?;
    let mut outputs = vec![dir.join("sentences.jsonl")];
    let mut summary = Summary::new(config, corpus);
    if let Some(report) = &corpus.alignment {
        let context = serde_json::to_value(&summary).ok();
        outputs.extend(export::export(
            &config.raw.output.formats,
            dir,
            &export::ExportInput {
                alignments: &corpus.alignments,
                mode: &report.mode,
                moses_min_score: config.raw.output.moses_min_score,
                sentences: &corpus.sentences,
                summary: context.as_ref(),
            },
        )?);
    }
    outputs.push(dir.join("summary.json"));
    summary.outputs = outputs.iter().map(|p| p.display().to_string()).collect();
    summary.timings_ms.insert("write", elapsed_ms(started));
    output::write_atomically(&dir.join("summary.json"), |w| {
        output::write_json(w, &summary)
    })
}

fn elapsed_ms(since: Instant) -> u64 {
    since.elapsed().as_millis() as u64
}
