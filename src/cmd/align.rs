//! `transalign align`: two one-sentence-per-line files, a given or backend-made translation of
//! the source, parallel (article by article between marker lines) or comparable alignment.

use std::path::Path;

use super::{Context, command_line_error};
use crate::align::acceptance::Tier;
use crate::align::comparable::{self, ComparableParams, SentenceVectors};
use crate::align::output::Alignment;
use crate::align::parallel::problems::{self, Boundaries, Problem, Settings};
use crate::align::vectors::f16;
use crate::cli::{AlignArgs, OverrideArgs};
use crate::config::Config;
use crate::embed::EmbeddingReport;
use crate::embed::stage::Session;
use crate::error::{Result, exit_code};
use crate::translate::driver::{Job, JobOutcome};
use crate::translate::stage::{self, Chain};

/// The lines of a one-sentence-per-line file (`-` = standard input), trailing blanks cut.
fn read_lines(path: &Path) -> Result<Vec<String>> {
    let text = super::lines::read_text(path)?;
    Ok(text.lines().map(|l| l.trim_end().to_string()).collect())
}

/// Runs `align`.
pub fn run(context: &Context, args: &AlignArgs) -> Result<u8> {
    let mut overrides = OverrideArgs::default().to_overrides(None, Some(&args.translation_args));
    overrides.embedder = args.embedding.embedder.clone();
    let config = Config::load(context.config_file, &overrides)?;
    align_files(&config, args, context.quiet)
}

/// Aligns the two files and writes the alignments.
fn align_files(config: &Config, args: &AlignArgs, quiet: bool) -> Result<u8> {
    // The format: --format, else the --out file's extension (`p.tmx`), else JSON Lines.
    let format = match (&args.format, &args.out) {
        (Some(name), _) => super::export::formats_of(std::slice::from_ref(name), "--format")?[0],
        (None, Some(path)) => {
            crate::export::format_of_file(path).unwrap_or(crate::config::Format::Jsonl)
        }
        (None, None) => crate::config::Format::Jsonl,
    };
    let source = read_lines(&args.source)?;
    let target = read_lines(&args.target)?;
    let target_lang = args
        .target_lang
        .clone()
        .unwrap_or_else(|| config.pivot.clone());
    let mode = args
        .mode
        .clone()
        .unwrap_or_else(|| config.raw.align.mode.clone());
    if !["parallel", "comparable"].contains(&mode.as_str()) {
        return Err(command_line_error(
            "--mode",
            format!("expected parallel or comparable, got \"{mode}\""),
        ));
    }
    let (translation, backend, source_lang) = translate_source(
        config,
        &source,
        (args.translation.as_deref(), &args.source),
        args.source_lang.as_deref(),
        &target_lang,
        quiet,
    )?;

    let alignments = match mode.as_str() {
        "parallel" => align_parallel(&source, &translation, &target, config, quiet)?,
        _ => {
            let vectors = embed_lines(
                config,
                source.iter().chain(&target).cloned().collect(),
                quiet,
            )?;
            let source_vectors: Vec<Option<&[f16]>> = source
                .iter()
                .map(|l| vectors.as_ref().and_then(|v| v.get(l)))
                .collect();
            let target_vectors: Vec<Option<&[f16]>> = target
                .iter()
                .map(|l| vectors.as_ref().and_then(|v| v.get(l)))
                .collect();
            let sentence_vectors = vectors.as_ref().map(|_| SentenceVectors {
                source: &source_vectors,
                target: &target_vectors,
            });
            let params = ComparableParams::from_config(
                &config.raw.align,
                sentence_vectors.is_some(),
                args.comparable.threshold,
                args.comparable.min_confidence,
                args.comparable
                    .top_k
                    .map_or(config.raw.align.top_k, |k| k as usize),
            );
            let pairs: Vec<(&str, &str)> = source
                .iter()
                .zip(&translation)
                .map(|(s, t)| (s.as_str(), t.as_str()))
                .collect();
            let targets: Vec<&str> = target.iter().map(String::as_str).collect();
            let prepared = crate::align::prepare(&pairs, &targets);
            comparable::matches(
                &prepared.source,
                &prepared.target,
                &prepared.vocabulary,
                params,
                sentence_vectors,
                &|_, _| true,
            )
            .matches
            .into_iter()
            .map(|m| {
                (
                    vec![m.source],
                    vec![m.target],
                    m.score,
                    m.similarity,
                    m.rank,
                    Some((m.confidence, m.tier)),
                )
            })
            .collect()
        }
    };
    let src_doc = crate::display::lossless(&args.source);
    let tgt_doc = crate::display::lossless(&args.target);
    let records: Vec<Alignment> = alignments
        .into_iter()
        .map(|(s, t, score, similarity, rank, accepted)| {
            Alignment {
                src_doc: src_doc.clone(),
                src_text: s
                    .iter()
                    .map(|&i| source[i].as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                src_translation: s
                    .iter()
                    .map(|&i| translation[i].as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                src_ids: s,
                src_lang: source_lang.clone(),
                tgt_doc: tgt_doc.clone(),
                tgt_text: t
                    .iter()
                    .map(|&j| target[j].as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                tgt_ids: t,
                tgt_lang: target_lang.clone(),
                score,
                similarity,
                confidence: accepted.map(|(c, _)| c),
                rank,
                tier: accepted.map(|(_, tier)| tier.as_str().to_string()),
                mode: mode.clone(),
                backend: backend.clone(),
                flags: Vec::new(),
            }
            .with_flags()
        })
        .collect();
    let input = crate::export::ExportInput {
        alignments: &records,
        mode: &mode,
        moses_min_score: config.output.moses_min_score,
        sentences: &[],
        claims: &[],
        summary: None,
    };
    match args.out.as_ref().filter(|p| !crate::ingest::is_stdin(p)) {
        Some(path) => super::export::to_path(format, path, &input)?,
        None => super::export::to_stdout(format, &input)?,
    }
    if !quiet {
        eprintln!("{} alignments ({mode})", records.len());
    }
    Ok(exit_code::SUCCESS)
}

/// Says on stderr when some texts got no vector (they align on the lexical similarity).
/// The vectors of distinct `texts` through the configured embedder (after the run's
/// translations: a cache that cannot be opened stops only this stage); `None` without an
/// embedder or when not one text got a vector.
pub(super) fn embed_lines(
    config: &Config,
    mut texts: Vec<String>,
    quiet: bool,
) -> Result<Option<crate::embed::Vectors>> {
    let Some(session) = Session::open(config, true)? else {
        return Ok(None);
    };
    texts.sort();
    texts.dedup();
    embed_with(&session, texts, "embed", quiet)
}

/// The vectors of distinct `texts` through an open session (`step` names the progress
/// bar), with a warning for those that got none.
fn embed_with(
    session: &Session,
    texts: Vec<String>,
    step: &str,
    quiet: bool,
) -> Result<Option<crate::embed::Vectors>> {
    let embedded = session.embed_after_paid_work(&texts, step, quiet)?;
    warn_unembedded(&embedded.report);
    Ok(embedded.usable_vectors(&texts))
}

fn warn_unembedded(report: &EmbeddingReport) {
    if report.failed > 0 {
        eprintln!(
            "warning: {} texts could not be embedded; they align on the lexical similarity only",
            report.failed
        );
    }
    if let Some(reason) = &report.stopped {
        eprintln!("embedding stopped: {reason}");
    }
}

/// The translations of `source` lines: read from `given` (line-parallel with the source
/// file, whose path is for messages), or made by the configured backend from `source_lang`
/// into `target_lang`. Returns them with the backend's name and the source language.
pub(super) fn translate_source(
    config: &Config,
    source: &[String],
    (given, source_path): (Option<&Path>, &Path),
    source_lang: Option<&str>,
    target_lang: &str,
    quiet: bool,
) -> Result<(Vec<String>, String, String)> {
    Ok(match given {
        Some(path) => {
            let lines = read_lines(path)?;
            if lines.len() != source.len() {
                return Err(command_line_error(
                    "--translation",
                    format!(
                        "{} has {} lines, the source {} has {}: a translation must be line-parallel",
                        crate::display::path(path),
                        lines.len(),
                        crate::display::path(source_path),
                        source.len()
                    ),
                ));
            }
            (
                lines,
                "given".to_string(),
                source_lang.map_or_else(|| "und".into(), str::to_string),
            )
        }
        None => {
            let lang = source_lang.map(str::to_string).ok_or_else(|| {
                command_line_error(
                    "--source-lang",
                    "needed when the backend translates (no --translation)".into(),
                )
            })?;
            let chain = Chain::required(config, true)?;
            let name = chain.names()[0].clone();
            let jobs: Vec<Job> = source
                .iter()
                .map(|t| Job {
                    source: lang.clone(),
                    text: t.clone(),
                })
                .collect();
            let outcome = stage::translate_jobs(config, chain, target_lang, jobs, quiet)?;
            let mut failed = 0;
            let lines = outcome
                .results
                .into_iter()
                .map(|r| match r {
                    JobOutcome::Done { translation, .. } => translation,
                    JobOutcome::Failed { .. } => {
                        failed += 1;
                        String::new()
                    }
                })
                .collect();
            if failed > 0 {
                eprintln!(
                    "warning: {failed} source lines could not be translated; they align on names and numbers only"
                );
            }
            (lines, name, lang)
        }
    })
}

/// Source ids, target ids, score, similarity, rank and (comparable) confidence and tier.
type Row = (Vec<usize>, Vec<usize>, f32, f32, usize, Option<(f32, Tier)>);

/// Parallel alignment article by article: boundary lines (`align.marker`, `align.boundary`)
/// split both sides and must be equally many; they are not aligned themselves. The
/// articles are independent problems, solved on every core; with an embedder, the sentences
/// are embedded first and then only the overlaps the first paths plan.
fn align_parallel(
    source: &[String],
    translation: &[String],
    target: &[String],
    config: &Config,
    quiet: bool,
) -> Result<Vec<Row>> {
    let boundaries = Boundaries::of(&config.raw.align);
    let articles = |lines: &[String]| -> Vec<Vec<usize>> {
        let mut out = vec![Vec::new()];
        for (i, l) in lines.iter().enumerate() {
            if boundaries.is_boundary(l) {
                out.push(Vec::new());
            } else {
                out.last_mut().expect("one article at least").push(i);
            }
        }
        out
    };
    let source_articles = articles(source);
    let target_articles = articles(target);
    if source_articles.len() != target_articles.len() {
        return Err(command_line_error(
            "--source/--target",
            format!(
                "the source has {} articles and the target {} (separated by {}): they must match",
                source_articles.len(),
                target_articles.len(),
                boundaries.describe()
            ),
        ));
    }
    fn lines<'a>(ids: &[usize], side: &'a [String]) -> Vec<&'a str> {
        ids.iter().map(|&i| side[i].as_str()).collect()
    }
    let articles: Vec<(&Vec<usize>, &Vec<usize>)> =
        source_articles.iter().zip(&target_articles).collect();
    // Features of each article on every core (tokenising is most of the lexical path).
    let problems: Vec<Problem> = crate::align::each_on_every_core(&articles, |(s_ids, t_ids)| {
        let pairs: Vec<(&str, &str)> = s_ids
            .iter()
            .map(|&i| (source[i].as_str(), translation[i].as_str()))
            .collect();
        let targets = lines(t_ids, target);
        Problem {
            prepared: crate::align::prepare(&pairs, &targets),
            source_texts: lines(s_ids, source),
            target_texts: targets,
        }
    });
    let settings = Settings::of(&config.raw.align);
    let vectors = match Session::open(config, true)? {
        Some(session) => {
            let mut embed =
                |texts: Vec<String>, step: &str| embed_with(&session, texts, step, quiet);
            let (vectors, work) = problems::fetch_vectors(&problems, settings, &mut embed)?;
            if !quiet {
                eprintln!(
                    "embedded {} texts for {} sentences ({:.2} per sentence; {} overlaps)",
                    work.embedded_texts,
                    work.sentences,
                    work.texts_per_sentence(),
                    work.overlaps
                );
            }
            vectors
        }
        None => None,
    };
    let mut rows = Vec::new();
    let solved = problems::solve(&problems, settings, vectors.as_ref(), quiet);
    for ((s_ids, t_ids), beads) in source_articles.iter().zip(&target_articles).zip(solved) {
        for bead in beads {
            rows.push((
                bead.source.map(|i| s_ids[i]).collect(),
                bead.target.map(|j| t_ids[j]).collect(),
                bead.score,
                bead.score,
                1,
                None,
            ));
        }
    }
    Ok(rows)
}
