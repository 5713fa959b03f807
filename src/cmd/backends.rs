//! `transalign backends check`: contacts each configured backend.

use std::io::Write;
use std::time::Instant;

use super::Context;
use crate::cli::BackendsCommand;
use crate::config::Config;
use crate::embed::stage::Session;
use crate::error::{Error, Result, exit_code};
use crate::remote::Service;
use crate::translate::PairSupport;
use crate::translate::stage;

/// Runs `backends ...`.
pub fn run(context: &Context, command: &BackendsCommand) -> Result<u8> {
    let config = Config::load(context.config_file, &Default::default())?;
    check(&config, command)
}

/// `transalign backends check`.
fn check(config: &Config, command: &BackendsCommand) -> Result<u8> {
    let BackendsCommand::Check { backend } = command;
    let (names, embedders): (Vec<&String>, Vec<&String>) = match backend {
        Some(name) if config.embedders.contains_key(name) => (Vec::new(), vec![name]),
        Some(name) => {
            if !config.backends.contains_key(name) {
                return Err(Error::Config(crate::error::ConfigError::command_line(
                    "--backend",
                    format!("no backend or embedder named \"{name}\""),
                )));
            }
            (vec![name], Vec::new())
        }
        None => (
            config.backends.keys().collect(),
            config.embedders.keys().collect(),
        ),
    };
    if names.is_empty() && embedders.is_empty() {
        return Err(Error::NoBackend {
            config: config
                .file
                .as_ref()
                .map_or_else(|| "config.toml".into(), crate::display::path),
        });
    }
    let runtime = stage::runtime()?;
    let mut failures = 0;
    let mut stdout = std::io::stdout().lock();
    for name in names {
        let backend_config = &config.backends[name];
        let line = match stage::start_backend(config, backend_config, true) {
            Err(e) => {
                failures += 1;
                format!("{name} ({}): NOT READY: {e}", backend_config.kind.as_str())
            }
            Ok((backend, _server)) => {
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
                    } else if pairs == PairSupport::Any {
                        // A service that lists no pairs (a language model) has not been
                        // contacted yet: one short request proves it answers.
                        let source = config
                            .detect
                            .languages
                            .iter()
                            .map(|l| crate::languages::iso_code(*l))
                            .find(|c| *c != config.pivot && backend.knows_pair(c, &config.pivot))
                            .unwrap_or_else(|| "auto".into());
                        backend
                            .translate(&source, &config.pivot, &["ok".to_string()])
                            .await?;
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
                            .map(|l| crate::languages::iso_code(*l))
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
    for name in embedders {
        let table = &config.embedders[name];
        let started = Instant::now();
        let result = Session::for_table(config, table, true).and_then(|session| {
            let texts = ["transalign backends check".to_string()];
            runtime
                .block_on(session.embedder.send("", &texts))
                .map_err(|e| Error::Data(e.to_string()))
                .and_then(|vectors| {
                    let vector = vectors
                        .first()
                        .ok_or_else(|| Error::Data(format!("{name}: no vector in the answer")))?;
                    session
                        .embedder
                        .check("", vector)
                        .map(|()| vector.len())
                        .map_err(|e| Error::Data(format!("{name}: {e}")))
                })
        });
        let ms = started.elapsed().as_millis();
        let line = match result {
            Ok(dimension) => format!(
                "{name} (embedder {}): ok in {ms} ms; {dimension} dimensions",
                table.kind.as_str()
            ),
            Err(e) => {
                failures += 1;
                format!(
                    "{name} (embedder {}): UNREACHABLE after {ms} ms: {e}",
                    table.kind.as_str()
                )
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
