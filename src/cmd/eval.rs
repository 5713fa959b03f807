//! `transalign eval align|retrieval`: scores against gold alignments.

use std::io::Write;

use crate::error::{ConfigError, Error, Result, exit_code};

/// Runs `eval ...`.
pub fn run(command: &crate::cli::EvalCommand) -> Result<u8> {
    use crate::align::eval::{IdBead, read_gold, score_alignment};
    let read = super::lines::read_text;
    let predictions = super::export::read_alignments;
    let mut stdout = std::io::stdout().lock();
    match command {
        crate::cli::EvalCommand::Align { gold, pred } => {
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
