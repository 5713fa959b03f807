//! Handlers of the translation subcommands: `translate`, `backends check` and `cache ...`.

use std::io::{BufRead, Write};
use std::time::Instant;

use crate::cli::{BackendsCommand, CacheCommand, TranslateArgs};
use crate::config::Config;
use crate::error::{Error, Result, exit_code};
use crate::translate::backends;
use crate::translate::cache::{self, Cache};
use crate::translate::driver::{Job, JobOutcome};
use crate::translate::stage::{self, Chain};

/// `transalign translate`: one translation per input line, in order; a line that fails gets
/// an empty output line and a message on stderr.
pub fn translate(config: &Config, args: &TranslateArgs, quiet: bool) -> Result<u8> {
    let target = args.to.clone().unwrap_or_else(|| config.pivot.clone());
    let source = args.from.to_ascii_lowercase();
    let lines = read_lines(&args.files)?;
    let chain = Chain::required(config)?;
    let mut jobs: Vec<Job> = Vec::new();
    let mut job_of = Vec::with_capacity(lines.len());
    let mut seen = std::collections::HashMap::new();
    for line in &lines {
        if line.trim().is_empty() {
            job_of.push(None);
            continue;
        }
        let index = *seen.entry(line.clone()).or_insert_with(|| {
            jobs.push(Job {
                source: source.clone(),
                text: line.clone(),
            });
            jobs.len() - 1
        });
        job_of.push(Some(index));
    }
    let outcome = stage::translate_jobs(config, chain, &target, jobs, quiet)?;
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let mut failed = 0;
    for (n, job) in job_of.iter().enumerate() {
        let text = match job.map(|j| &outcome.results[j]) {
            None => "",
            Some(JobOutcome::Done { translation, .. }) => translation.as_str(),
            Some(JobOutcome::Failed { error }) => {
                failed += 1;
                eprintln!("line {}: {error}", n + 1);
                ""
            }
        };
        writeln!(stdout, "{text}").map_err(Error::Stdout)?;
    }
    stdout.flush().map_err(Error::Stdout)?;
    let c = &outcome.counters;
    if !quiet {
        eprintln!("{} lines, {c}", lines.len());
    }
    if let Some(reason) = &outcome.stopped {
        eprintln!("translation stopped: {reason}");
    }
    Ok(if outcome.interrupted {
        exit_code::INTERRUPTED
    } else if failed > 0 || outcome.stopped.is_some() {
        exit_code::INCOMPLETE
    } else {
        exit_code::SUCCESS
    })
}

fn read_lines(files: &[std::path::PathBuf]) -> Result<Vec<String>> {
    let read = |path: &std::path::Path, reader: &mut dyn BufRead| -> Result<Vec<String>> {
        reader
            .lines()
            .collect::<std::io::Result<Vec<String>>>()
            .map_err(|source| Error::Input {
                path: path.to_path_buf(),
                source,
            })
    };
    if files.is_empty() {
        return read(
            std::path::Path::new("<stdin>"),
            &mut std::io::stdin().lock(),
        );
    }
    let mut lines = Vec::new();
    for path in files {
        let file = std::fs::File::open(path).map_err(|source| Error::Input {
            path: path.clone(),
            source,
        })?;
        lines.extend(read(path, &mut std::io::BufReader::new(file))?);
    }
    Ok(lines)
}

/// `transalign backends check`.
pub fn backends(config: &Config, command: &BackendsCommand) -> Result<u8> {
    let BackendsCommand::Check { backend } = command;
    let names: Vec<&String> = match backend {
        Some(name) => {
            if !config.backends.contains_key(name) {
                return Err(Error::Config(crate::error::ConfigError::Invalid {
                    location: "command line".into(),
                    key: "--backend".into(),
                    message: format!("no backend named \"{name}\""),
                }));
            }
            vec![name]
        }
        None => config.backends.keys().collect(),
    };
    if names.is_empty() {
        return Err(Error::NoBackend {
            config: config
                .file
                .as_ref()
                .map_or_else(|| "config.toml".into(), |p| p.display().to_string()),
        });
    }
    let runtime = stage::runtime()?;
    let mut failures = 0;
    let mut stdout = std::io::stdout().lock();
    for name in names {
        let backend_config = &config.backends[name];
        let line = match backends::build(backend_config) {
            Err(e) => {
                failures += 1;
                format!("{name} ({}): NOT READY: {e}", backend_config.kind.as_str())
            }
            Ok(backend) => {
                let started = Instant::now();
                let result = runtime.block_on(async {
                    let pairs = backend.supported_pairs().await?;
                    if backend.is_offline() {
                        // An empty request proves a local backend works: a command starts,
                        // a lexicon loads.
                        let (source, target) = pairs
                            .example()
                            .unwrap_or_else(|| (config.pivot.clone(), config.pivot.clone()));
                        backend.translate(&source, &target, &[]).await?;
                    }
                    Ok::<_, crate::translate::BackendError>(pairs)
                });
                let ms = started.elapsed().as_millis();
                match result {
                    Ok(pairs) => {
                        let into_pivot: Vec<String> = config
                            .detect
                            .languages
                            .iter()
                            .map(|l| crate::detect::iso_code(*l))
                            .filter(|c| *c != config.pivot)
                            .filter(|c| {
                                backend.knows_pair(c, &config.pivot)
                                    && pairs.supports(c, &config.pivot)
                            })
                            .collect();
                        format!(
                            "{name} ({}): ok in {ms} ms; {}; into {}: {}",
                            backend.kind(),
                            pairs
                                .pair_count()
                                .map_or_else(|| "any pair".to_string(), |n| format!("{n} pairs")),
                            config.pivot,
                            if into_pivot.is_empty() {
                                "none of detect.languages".to_string()
                            } else {
                                into_pivot.join(", ")
                            }
                        )
                    }
                    Err(e) => {
                        failures += 1;
                        format!(
                            "{name} ({}): UNREACHABLE after {ms} ms: {e}",
                            backend.kind()
                        )
                    }
                }
            }
        };
        writeln!(stdout, "{line}").map_err(Error::Stdout)?;
    }
    Ok(if failures > 0 {
        exit_code::FAILURE
    } else {
        exit_code::SUCCESS
    })
}

/// `transalign cache ...`.
pub fn cache(config: &Config, command: &CacheCommand, quiet: bool) -> Result<u8> {
    let cache = stage::open_cache(config)?;
    let mut stdout = std::io::stdout().lock();
    match command {
        CacheCommand::Stats { json } => {
            let stats = cache.stats()?;
            let text = if *json {
                serde_json::to_string_pretty(&stats).expect("plain data")
            } else {
                let mut t = format!(
                    "cache {}: {} entries, {} bytes on disk\n",
                    stats.path.display(),
                    stats.entries,
                    stats.size_on_disk_bytes
                );
                for (backend, n) in &stats.by_backend {
                    t.push_str(&format!("  backend {backend}: {n}\n"));
                }
                for (pair, n) in &stats.by_pair {
                    t.push_str(&format!("  pair {pair}: {n}\n"));
                }
                t.trim_end().to_string()
            };
            writeln!(stdout, "{text}").map_err(Error::Stdout)?;
        }
        CacheCommand::Clear { backend } => {
            let removed = cache.clear(backend.as_deref())?;
            if !quiet {
                eprintln!("removed {removed} entries from {}", cache.path().display());
            }
        }
        CacheCommand::Export { out } => {
            let count = match out {
                Some(path) => {
                    let mut count = 0;
                    crate::output::write_atomically(path, |w| {
                        count = cache
                            .export(w)
                            .map_err(|e| std::io::Error::other(e.to_string()))?;
                        Ok(())
                    })?;
                    count
                }
                None => cache.export(&mut stdout)?,
            };
            if !quiet {
                eprintln!("exported {count} entries");
            }
        }
        CacheCommand::Import { files, backend } => {
            let default = match backend {
                None => None,
                Some(name) => {
                    let backend_config = config.backends.get(name).ok_or_else(|| {
                        Error::Config(crate::error::ConfigError::Invalid {
                            location: "command line".into(),
                            key: "--backend".into(),
                            message: format!("no backend named \"{name}\""),
                        })
                    })?;
                    let built = backends::build(backend_config)?;
                    Some((
                        cache::fingerprint_hash(&built.fingerprint()),
                        name.clone(),
                        built.kind(),
                    ))
                }
            };
            let default_ref = default
                .as_ref()
                .map(|(f, n, k)| (f.as_str(), n.as_str(), *k));
            let mut total = 0;
            for path in files {
                total += if path.as_os_str() == "-" {
                    cache.import(&mut std::io::stdin().lock(), "<stdin>", default_ref)?
                } else {
                    let file = std::fs::File::open(path).map_err(|source| Error::Input {
                        path: path.clone(),
                        source,
                    })?;
                    import_file(&cache, path, file, default_ref)?
                };
            }
            if !quiet {
                eprintln!("imported {total} entries into {}", cache.path().display());
            }
        }
    }
    Ok(exit_code::SUCCESS)
}

fn import_file(
    cache: &Cache,
    path: &std::path::Path,
    file: std::fs::File,
    default: Option<(&str, &str, &str)>,
) -> Result<usize> {
    Ok(cache.import(
        &mut std::io::BufReader::new(file),
        &path.display().to_string(),
        default,
    )?)
}

/// `transalign lexicon ...`.
pub fn lexicon(command: &crate::cli::LexiconCommand, quiet: bool) -> Result<u8> {
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
                eprintln!("wrote {} entries to {}", collected.len(), out.display());
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
            Ok(exit_code::SUCCESS)
        }
    }
}

/// `transalign eval ...`.
pub fn eval(command: &crate::cli::EvalCommand) -> Result<u8> {
    use crate::align::eval::{IdBead, read_gold, score_alignment};
    use crate::align::output::Alignment;
    let read = |path: &std::path::Path| {
        std::fs::read_to_string(path).map_err(|source| Error::Input {
            path: path.to_path_buf(),
            source,
        })
    };
    let predictions = |path: &std::path::Path| -> Result<Vec<Alignment>> {
        read(path)?
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(n, l)| {
                serde_json::from_str::<Alignment>(l).map_err(|e| {
                    Error::Data(format!(
                        "{}:{}: not an alignment record: {e}",
                        path.display(),
                        n + 1
                    ))
                })
            })
            .collect()
    };
    let mut stdout = std::io::stdout().lock();
    match command {
        crate::cli::EvalCommand::Align { gold, pred } => {
            let gold_beads =
                read_gold(&read(gold)?, &gold.display().to_string()).map_err(Error::Data)?;
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
    }
    Ok(exit_code::SUCCESS)
}
