//! `transalign lexicon import|coverage`: the offline backend's dictionaries.

use std::io::Write;

use super::Context;
use super::lines::read_lines;
use crate::error::{Error, Result, exit_code};

/// Runs `lexicon ...`.
pub fn run(context: &Context, command: &crate::cli::LexiconCommand) -> Result<u8> {
    let quiet = context.quiet;
    use crate::lexicon::gloss::{Coverage, Glosser};
    use crate::lexicon::import::Collected;
    match command {
        crate::cli::LexiconCommand::Import {
            format,
            sources,
            out,
            alternatives,
        } => {
            let mut collected = Collected::default();
            for source in sources {
                collected
                    .read(*format, source)
                    .map_err(|e| Error::Data(e.to_string()))?;
            }
            let names: Vec<String> = sources
                .iter()
                .map(|s| {
                    s.file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
                })
                .collect();
            let header = format!(
                "transalign lexicon: source<TAB>English alternatives (best first, separated by |)\n\
                 built by: transalign lexicon import --format {} {} --out {}\n\
                 from: {} (see lexicons/README.md for attribution and licence)",
                format!("{format:?}").to_lowercase(),
                names.join(" "),
                out.file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
                names.join(", ")
            );
            let text = collected.render(&header, *alternatives);
            crate::output::write_atomically(out, |w| w.write_all(text.as_bytes()))?;
            if !quiet {
                eprintln!(
                    "wrote {} entries to {}",
                    collected.len(),
                    crate::display::path(out)
                );
            }
            Ok(exit_code::SUCCESS)
        }
        crate::cli::LexiconCommand::Coverage {
            lang,
            files,
            misses,
        } => {
            let lexicon = crate::lexicon::Lexicon::for_language(lang, &[])
                .map_err(|e| Error::Data(e.to_string()))?;
            let glosser = Glosser {
                lexicon: &lexicon,
                alternatives: 2,
            };
            let mut total = Coverage::default();
            let lines = read_lines(files)?;
            for line in &lines {
                total.add(&glosser.gloss(line).1);
            }
            let mut counts: std::collections::HashMap<String, usize> = Default::default();
            for m in &total.misses {
                *counts.entry(m.to_lowercase()).or_default() += 1;
            }
            let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
            ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let mut stdout = std::io::stdout().lock();
            writeln!(
                stdout,
                "{} lines, {} words to gloss (names and numbers excluded): {} from the lexicon ({} via the sister language), {} cognate guesses, {} misses; coverage {:.1}% ({:.1}% without guesses)",
                lines.len(),
                total.words,
                total.glossed,
                total.from_sister,
                total.guessed,
                total.misses.len(),
                100.0 * total.ratio(),
                100.0 * total.glossed as f64 / total.words.max(1) as f64
            )
            .map_err(Error::Stdout)?;
            for (word, n) in ranked.iter().take(*misses) {
                writeln!(stdout, "  {n:>4}  {word}").map_err(Error::Stdout)?;
            }
            // Coverage says a word got a gloss, not that the gloss is right: the hand-checked
            // list says how many glosses read right.
            let checked = crate::lexicon::checked_glosses(lang);
            if !checked.is_empty() {
                let wrong: Vec<(String, String, String)> = checked
                    .iter()
                    .filter_map(|c| {
                        let gloss = glosser.gloss(&c.term).0;
                        let reading = crate::lexicon::gloss::first_reading(&lexicon, &c.term);
                        (!c.accepted.contains(&reading))
                            .then(|| (c.term.clone(), gloss, c.accepted.join("|")))
                    })
                    .collect();
                writeln!(
                    stdout,
                    "hand-checked glosses: {} of {} read right",
                    checked.len() - wrong.len(),
                    checked.len()
                )
                .map_err(Error::Stdout)?;
                for (term, gloss, want) in &wrong {
                    writeln!(stdout, "  wrong: {term} → {gloss} (want {want})")
                        .map_err(Error::Stdout)?;
                }
            }
            Ok(exit_code::SUCCESS)
        }
    }
}
