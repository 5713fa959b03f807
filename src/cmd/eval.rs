//! `transalign eval align|claims|retrieval|similarity|calibrate`: scores against gold alignments and
//! graded pairs.

use std::io::Write;

use crate::error::{ConfigError, Error, Result, exit_code};

/// Runs `eval ...`.
pub fn run(context: &super::Context, command: &crate::cli::EvalCommand) -> Result<u8> {
    use crate::align::eval::{IdBead, merge_within_groups, read_gold, score_alignment};
    let read = super::lines::read_text;
    let predictions = super::export::read_alignments;
    let mut stdout = std::io::stdout().lock();
    match command {
        crate::cli::EvalCommand::Align {
            gold,
            pred,
            source_groups,
            target_groups,
        } => {
            let gold_beads =
                read_gold(&read(gold)?, &crate::display::path(gold)).map_err(Error::Data)?;
            let predicted: Vec<IdBead> = predictions(pred)?
                .into_iter()
                .filter(|a| a.rank == 1)
                .map(|a| {
                    (
                        a.src_ids.into_iter().collect(),
                        a.tgt_ids.into_iter().collect(),
                    )
                })
                .collect();
            let predicted = match (source_groups, target_groups) {
                (Some(source), Some(target)) => {
                    let labels = |path: &std::path::PathBuf| -> Result<Vec<String>> {
                        Ok(read(path)?.lines().map(|l| l.trim().to_string()).collect())
                    };
                    merge_within_groups(&predicted, &labels(source)?, &labels(target)?)
                }
                _ => predicted,
            };
            let (strict, lax) = score_alignment(&gold_beads, &predicted);
            writeln!(
                stdout,
                "gold {} beads ({} with both sides), predicted {}\nstrict: precision {:.4} recall {:.4} F1 {:.4}\nlax:    precision {:.4} recall {:.4} F1 {:.4}",
                gold_beads.len(),
                gold_beads.iter().filter(|(s, t)| !s.is_empty() && !t.is_empty()).count(),
                predicted.len(),
                strict.precision,
                strict.recall,
                strict.f1,
                lax.precision,
                lax.recall,
                lax.f1
            )
            .map_err(Error::Stdout)?;
        }
        crate::cli::EvalCommand::Similarity(args) => {
            return similarity(context, args, &mut stdout);
        }
        crate::cli::EvalCommand::Claims { gold, pred } => {
            let gold =
                crate::align::eval::read_claim_gold(&read(gold)?, &crate::display::path(gold))
                    .map_err(Error::Data)?;
            let records = predictions(pred)?;
            for (name, predicted, accepted) in [
                ("same (strict)", &["same"][..], &["same"][..]),
                ("same vs gold any", &["same"][..], &["same", "related"][..]),
                (
                    "same+related vs any",
                    &["same", "related"][..],
                    &["same", "related"][..],
                ),
            ] {
                let score = crate::align::eval::score_claims(&records, &gold, predicted, accepted);
                writeln!(
                    stdout,
                    "{name:20} shown {:4}  right {:4}  precision {:.3}  recall {:.3}",
                    score.shown, score.right, score.precision, score.recall
                )
                .map_err(Error::Stdout)?;
            }
        }
        crate::cli::EvalCommand::Retrieval { pred, lines } => {
            let records = predictions(pred)?;
            let best: std::collections::HashMap<usize, usize> = records
                .iter()
                .filter(|a| a.rank == 1 && a.src_ids.len() == 1 && a.tgt_ids.len() == 1)
                .map(|a| (a.src_ids[0], a.tgt_ids[0]))
                .collect();
            let total = lines.unwrap_or_else(|| {
                records
                    .iter()
                    .flat_map(|a| a.src_ids.iter())
                    .max()
                    .map_or(0, |m| m + 1)
            });
            let correct = (0..total).filter(|i| best.get(i) == Some(i)).count();
            let p1 = if total == 0 {
                0.0
            } else {
                correct as f64 / total as f64
            };
            writeln!(
                stdout,
                "{total} source lines, {} with a prediction, {correct} correct: P@1 {p1:.4} (error rate {:.4})",
                best.len(),
                1.0 - p1
            )
            .map_err(Error::Stdout)?;
        }
        crate::cli::EvalCommand::Calibrate {
            pred,
            gold,
            precision,
            bins,
        } => {
            if !(0.0..=1.0).contains(precision) {
                return Err(ConfigError::command_line(
                    "--precision",
                    format!("{precision}: must be between 0 and 1"),
                )
                .into());
            }
            if !(1..=100).contains(bins) {
                return Err(ConfigError::command_line(
                    "--bins",
                    format!("{bins}: must be between 1 and 100"),
                )
                .into());
            }
            let gold_pairs: Option<Vec<IdBead>> = match gold {
                Some(g) => {
                    Some(read_gold(&read(g)?, &crate::display::path(g)).map_err(Error::Data)?)
                }
                None => None,
            };
            let samples: Vec<(usize, f64, bool)> = predictions(pred)?
                .into_iter()
                .filter(|a| a.rank == 1)
                .map(|a| {
                    let correct = match &gold_pairs {
                        Some(g) => g.iter().any(|(s, t)| {
                            s.iter().eq(a.src_ids.iter()) && t.iter().eq(a.tgt_ids.iter())
                        }),
                        None => a.src_ids == a.tgt_ids,
                    };
                    (
                        a.src_ids.first().copied().unwrap_or(0),
                        a.score as f64,
                        correct,
                    )
                })
                .collect();
            let report = crate::align::calibration::report(&samples, *precision, *bins)
                .ok_or_else(|| {
                    Error::Data(format!(
                        "{}: the rank-1 predictions are all right or all wrong (on both halves): nothing to calibrate against",
                        crate::display::path(pred)
                    ))
                })?;
            write!(stdout, "{report}").map_err(Error::Stdout)?;
        }
    }
    Ok(exit_code::SUCCESS)
}

/// `eval similarity`: reads the graded pairs, translates and embeds them as `align` would,
/// and prints the Spearman correlation of each similarity with the gold scores.
fn similarity(
    context: &super::Context,
    args: &crate::cli::SimilarityArgs,
    out: &mut dyn Write,
) -> Result<u8> {
    use crate::align::comparable::{ComparableParams, Scorer, SentenceVectors};
    let mut overrides =
        crate::cli::OverrideArgs::default().to_overrides(None, Some(&args.translation_args));
    overrides.embedder = args.embedding.embedder.clone();
    let config = crate::config::Config::load(context.config_file, &overrides)?;
    let pairs = read_graded_pairs(&args.file, args.max_score)?;
    let (gold, (source, target)): (Vec<f64>, (Vec<String>, Vec<String>)) = pairs
        .into_iter()
        .map(|(score, s, t)| (score, (s, t)))
        .unzip();
    let (translation, backend, _) = super::align::translate_source(
        &config,
        &source,
        (args.translation.as_deref(), &args.file),
        args.source_lang.as_deref(),
        &config.pivot,
        context.quiet,
    )?;
    let texts: Vec<String> = source.iter().chain(&target).cloned().collect();
    let vectors = super::align::embed_lines(&config, texts, context.quiet)?;
    let lookup = |side: &[String]| -> Vec<Option<&[half::f16]>> {
        side.iter()
            .map(|l| vectors.as_ref().and_then(|v| v.get(l)))
            .collect()
    };
    let (source_vectors, target_vectors) = (lookup(&source), lookup(&target));
    let with_vectors = vectors.as_ref().map(|_| SentenceVectors {
        source: &source_vectors,
        target: &target_vectors,
    });
    let sources: Vec<(&str, &str)> = source
        .iter()
        .zip(&translation)
        .map(|(s, t)| (s.as_str(), t.as_str()))
        .collect();
    let targets: Vec<&str> = target.iter().map(String::as_str).collect();
    let prepared = crate::align::prepare(&sources, &targets);
    let params = |fused: bool| {
        ComparableParams::from_config(&config.raw.align, fused, None, None, config.raw.align.top_k)
    };
    let n = gold.len();
    let lexical_scorer = Scorer::new(
        &prepared.source,
        &prepared.target,
        &prepared.vocabulary,
        params(false),
        None,
    );
    let lexical: Vec<f64> = (0..n)
        .map(|i| f64::from(lexical_scorer.similarity(i, i, None)))
        .collect();
    let mut rows = vec![("lexical", lexical)];
    if let Some(v) = with_vectors {
        let both = |i: usize| v.source[i].zip(v.target[i]);
        let embedded = (0..n).filter(|&i| both(i).is_some()).count();
        if embedded < n {
            eprintln!(
                "warning: {} of {n} pairs have no vectors; their cosine counts as the baseline",
                n - embedded
            );
        }
        let cosine: Vec<f64> = (0..n)
            .map(|i| both(i).map_or(0.0, |(a, b)| f64::from(crate::align::vectors::dot(a, b))))
            .collect();
        let fused_scorer = Scorer::new(
            &prepared.source,
            &prepared.target,
            &prepared.vocabulary,
            params(true),
            Some(v),
        );
        let fused: Vec<f64> = (0..n)
            .map(|i| f64::from(fused_scorer.similarity(i, i, None)))
            .collect();
        rows.push(("cosine", cosine));
        rows.push(("fused", fused));
    }
    writeln!(
        out,
        "{n} pairs of {}; translation: {backend}; lexical_weight {}",
        crate::display::path(&args.file),
        config.raw.align.lexical_weight
    )
    .map_err(Error::Stdout)?;
    for (name, values) in rows {
        writeln!(
            out,
            "{name:8} Spearman {:.3}",
            crate::align::eval::spearman(&values, &gold)
        )
        .map_err(Error::Stdout)?;
    }
    Ok(exit_code::SUCCESS)
}

/// `SCORE<TAB>SOURCE<TAB>TARGET` lines; a score outside 0..=`max` or a line without three
/// fields is an error naming the file and line.
fn read_graded_pairs(path: &std::path::Path, max: f64) -> Result<Vec<(f64, String, String)>> {
    let text = super::lines::read_text(path)?;
    let shown = crate::display::path(path);
    let mut pairs = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let problem = |message: String| Error::Data(format!("{shown}:{}: {message}", n + 1));
        let [score, source, target] = fields[..] else {
            return Err(problem(format!(
                "expected SCORE<TAB>SOURCE<TAB>TARGET, got {} field(s)",
                fields.len()
            )));
        };
        let score: f64 = score
            .trim()
            .parse()
            .map_err(|_| problem(format!("the score {score:?} is not a number")))?;
        if !(0.0..=max).contains(&score) {
            return Err(problem(format!("the score {score} is outside 0–{max}")));
        }
        pairs.push((score, source.trim().to_string(), target.trim().to_string()));
    }
    if pairs.len() < 3 {
        return Err(Error::Data(format!(
            "{shown}: fewer than 3 pairs; nothing to correlate"
        )));
    }
    Ok(pairs)
}
