//! `transalign cache stats|clear|export|import`.

use std::io::Write;
use std::path::PathBuf;

use super::Context;
use crate::cache;
use crate::cli::CacheCommand;
use crate::config::{self, Config};
use crate::error::{Error, Result, exit_code};
use crate::translate::backends;
use crate::translate::stage;

/// Runs `cache ...`; `cache_dir` is `cache --cache-dir DIR`.
pub fn run(
    context: &Context,
    cache_dir: &Option<PathBuf>,
    cache_url: &Option<String>,
    command: &CacheCommand,
) -> Result<u8> {
    let overrides = config::Overrides {
        cache_dir: cache_dir.clone(),
        cache_url: cache_url.clone(),
        ..Default::default()
    };
    let config = Config::load(context.config_file, &overrides)?;
    cache_command(&config, command, context.quiet)
}

/// `transalign cache ...`.
fn cache_command(config: &Config, command: &CacheCommand, quiet: bool) -> Result<u8> {
    // Only `import` writes; the other commands leave a missing cache directory missing.
    let cache = match command {
        CacheCommand::Import { .. } => stage::open_cache(config)?,
        _ => std::sync::Arc::new(cache::Cache::open_existing_at(&config.cache.location)?),
    };
    let mut stdout = std::io::stdout().lock();
    match command {
        CacheCommand::Stats { json } => {
            let stats = cache.stats()?;
            let text = if *json {
                serde_json::to_string_pretty(&stats).expect("plain data")
            } else {
                let mut t = format!(
                    "cache {}: {} entries, {} bytes on disk\n",
                    crate::display::path(&stats.path),
                    stats.entries,
                    stats.size_on_disk_bytes
                );
                for (backend, n) in &stats.by_backend {
                    t.push_str(&format!("  backend {backend}: {n}\n"));
                }
                for (pair, n) in &stats.by_pair {
                    t.push_str(&format!("  pair {pair}: {n}\n"));
                }
                t.push_str(&format!("{} vectors\n", stats.vectors));
                for (embedder, n) in &stats.vectors_by_embedder {
                    t.push_str(&format!("  embedder {embedder}: {n}\n"));
                }
                t.trim_end().to_string()
            };
            writeln!(stdout, "{text}").map_err(Error::Stdout)?;
        }
        CacheCommand::Clear { backend } => {
            let removed = cache.clear(backend.as_deref())?;
            if !quiet {
                eprintln!(
                    "removed {removed} entries from {}",
                    crate::display::path(cache.path())
                );
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
                let text = super::lines::read_text(path)?;
                let origin = if crate::ingest::is_stdin(path) {
                    "<stdin>".to_string()
                } else {
                    crate::display::path(path)
                };
                total += cache.import(&mut text.as_bytes(), &origin, default_ref)?;
            }
            if !quiet {
                eprintln!(
                    "imported {total} entries into {}",
                    crate::display::path(cache.path())
                );
            }
        }
    }
    Ok(exit_code::SUCCESS)
}
