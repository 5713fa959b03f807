//! The translation stage of `run` and the plumbing the translation commands share: building
//! the backend chain, opening the cache, running the driver on a tokio runtime, and writing
//! the results back into the sentences.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::Backend;
use super::backends;
use super::driver::{Counters, Driver, Job, JobOutcome, Outcome, Plan};
use crate::cache::Cache;
use crate::config::{BackendConfig, BackendKind, Config};
use crate::error::{Error, Result};
use crate::model::Sentence;
use crate::progress;
use crate::remote::spawn::LocalServer;

/// A sentence the stage could not translate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FailedSentence {
    pub doc: String,
    pub idx: usize,
    pub error: String,
}

/// The translation part of `summary.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TranslationReport {
    pub backend: String,
    pub fallback: Vec<String>,
    pub target: String,
    pub offline: bool,
    pub cache_dir: String,
    /// Sentences that needed a translation (non-boilerplate, not in the pivot language).
    pub sentences: usize,
    /// Counters over distinct texts.
    #[serde(flatten)]
    pub counters: Counters,
    /// Texts translated in this run, per backend.
    pub translated_by: BTreeMap<String, u64>,
    pub time_ms: u64,
    /// Why the stage stopped early, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    pub interrupted: bool,
    pub failures: Vec<FailedSentence>,
    /// Sentences whose translation is in this run's outputs but not in the cache (writing
    /// it failed); a rerun requests them again.
    /// (`not_cached_sentences` in `summary.json`: `not_cached` is the count.)
    #[serde(
        default,
        rename = "not_cached_sentences",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub not_cached: Vec<SentenceAt>,
}

/// A sentence of a document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SentenceAt {
    pub doc: String,
    pub idx: usize,
}

impl TranslationReport {
    pub fn complete(&self) -> bool {
        self.failures.is_empty() && self.stopped.is_none()
    }

    /// Adds another shard's report to this one: counts, failures and times summed.
    pub fn add(&mut self, other: TranslationReport) {
        self.sentences += other.sentences;
        self.counters.add(&other.counters);
        for (backend, n) in other.translated_by {
            *self.translated_by.entry(backend).or_default() += n;
        }
        self.time_ms += other.time_ms;
        self.stopped = self.stopped.take().or(other.stopped);
        self.interrupted |= other.interrupted;
        self.failures.extend(other.failures);
        self.not_cached.extend(other.not_cached);
    }
}

/// The chosen backend and its fallbacks, built and ready; servers started for them stop
/// when the chain is dropped.
pub struct Chain {
    pub backends: Vec<Arc<dyn Backend>>,
    _servers: Vec<LocalServer>,
}

/// Builds one backend; with `spawn` (and `start_server`, and not offline) its server is
/// started first and the backend points at it.
pub fn start_backend(
    config: &Config,
    table: &BackendConfig,
    start_server: bool,
) -> Result<(Arc<dyn Backend>, Option<LocalServer>)> {
    // Without servers nothing is sent (a dry run): no key is needed either.
    let build = if start_server {
        backends::build
    } else {
        backends::build_for_planning
    };
    let Some(spawn) = &table.spawn else {
        return Ok((build(table)?, None));
    };
    let default_path = if table.kind == BackendKind::OpenAi {
        "/v1"
    } else {
        ""
    };
    let (server, port) = if start_server && !config.translate.offline {
        let server = LocalServer::start(&table.name, spawn)?;
        let port = server.port();
        (Some(server), port)
    } else {
        (None, 0)
    };
    let url = spawn.url(table.url_template.as_deref(), port, default_path);
    let mut table = table.clone();
    table.url = Some(url::Url::parse(&url).map_err(|e| {
        Error::Backend(crate::error::SetupError {
            backend: table.name.clone(),
            message: format!("the spawned server's URL \"{url}\" is invalid: {e}"),
        })
    })?);
    Ok((build(&table)?, server))
}

impl Chain {
    /// Builds the chain from the configuration (starting `spawn` servers when
    /// `start_servers`; a dry run does not); `None` when no backend is chosen.
    pub fn from_config(config: &Config, start_servers: bool) -> Result<Option<Chain>> {
        let Some(primary) = &config.translate.backend else {
            return Ok(None);
        };
        let mut names = vec![primary.clone()];
        for f in &config.translate.fallback {
            if !names.contains(f) {
                names.push(f.clone());
            }
        }
        let mut backends = Vec::with_capacity(names.len());
        let mut servers = Vec::new();
        for name in &names {
            let (backend, server) = start_backend(config, &config.backends[name], start_servers)?;
            backends.push(backend);
            servers.extend(server);
        }
        Ok(Some(Chain {
            backends,
            _servers: servers,
        }))
    }

    /// Like [`Chain::from_config`], but a missing backend is an error.
    pub fn required(config: &Config, start_servers: bool) -> Result<Chain> {
        Chain::from_config(config, start_servers)?.ok_or_else(|| Error::NoBackend {
            config: config
                .file
                .as_ref()
                .map_or_else(|| "config.toml".into(), crate::display::path),
        })
    }

    pub fn names(&self) -> Vec<String> {
        self.backends.iter().map(|b| b.name().to_string()).collect()
    }
}

/// The tokio runtime remote work runs on.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    crate::remote::runtime().map_err(Error::Runtime)
}

/// Opens the configured cache.
pub fn open_cache(config: &Config) -> Result<Arc<Cache>> {
    Ok(Arc::new(Cache::open_at(&config.cache.location)?))
}

/// Runs the driver for `jobs` into `target`.
pub fn translate_jobs(
    config: &Config,
    chain: Chain,
    target: &str,
    jobs: Vec<Job>,
    quiet: bool,
) -> Result<Outcome> {
    let cache = open_cache(config)?;
    let bar = progress::bar(jobs.len() as u64, "translate", quiet);
    let driver = Driver::new(
        chain.backends,
        cache,
        target,
        config.translate.offline,
        bar.clone(),
    );
    let outcome = runtime()?.block_on(driver.translate(jobs))?;
    bar.finish_and_clear();
    Ok(outcome)
}

/// What `--dry-run` would send for `jobs`.
pub fn plan_jobs(config: &Config, chain: Chain, target: &str, jobs: &[Job]) -> Result<Plan> {
    // A dry run creates nothing: without a cache directory, everything is a miss.
    let cache = Arc::new(Cache::open_existing_at(&config.cache.location)?);
    let driver = Driver::new(
        chain.backends,
        cache,
        target,
        config.translate.offline,
        progress::bar(0, "plan", true),
    );
    Ok(runtime()?.block_on(driver.plan(jobs))?)
}

/// The chain to translate `jobs` with: a planning chain (no server started, no key read)
/// when a backend would `spawn` a server but every job is a cache hit, else the chain with
/// its servers started. Without `spawn` the chain is built once.
fn chain_for(config: &Config, primary: &str, jobs: &[Job]) -> Result<Chain> {
    let spawns = std::iter::once(primary)
        .chain(config.translate.fallback.iter().map(String::as_str))
        .any(|name| config.backends[name].spawn.is_some());
    if spawns && !config.translate.offline {
        let plan = plan_jobs(config, Chain::required(config, false)?, &config.pivot, jobs)?;
        if plan.cache_hits == plan.texts {
            tracing::info!("every translation is cached: no server is started");
            return Chain::required(config, false);
        }
    }
    Chain::required(config, true)
}

/// Distinct (language, text) jobs of the sentences that need a translation, and for every
/// sentence the index of its job.
pub fn jobs_for(sentences: &[Sentence], pivot: &str) -> (Vec<Job>, Vec<Option<usize>>) {
    let mut jobs = Vec::new();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    let job_of = sentences
        .iter()
        .map(|s| {
            let lang = s
                .lang
                .as_deref()
                .filter(|l| *l != pivot && !s.boilerplate)?;
            let key = (lang.to_string(), s.text.clone());
            Some(*index.entry(key).or_insert_with(|| {
                jobs.push(Job {
                    source: lang.to_string(),
                    text: s.text.clone(),
                });
                jobs.len() - 1
            }))
        })
        .collect();
    (jobs, job_of)
}

/// The translation stage of `run`: translates every sentence that needs it and records the
/// result (or the error) on the sentence. `None` when no backend is configured.
pub fn translate_sentences(
    config: &Config,
    sentences: &mut [Sentence],
    quiet: bool,
) -> Result<Option<TranslationReport>> {
    let Some(primary) = &config.translate.backend else {
        tracing::info!(
            "no translation backend configured ([translate] backend); skipping translation"
        );
        return Ok(None);
    };
    let started = std::time::Instant::now();
    let (jobs, job_of) = jobs_for(sentences, &config.pivot);
    let chain = chain_for(config, primary, &jobs)?;
    let names = chain.names();
    let outcome = translate_jobs(config, chain, &config.pivot, jobs, quiet)?;
    let mut failures = Vec::new();
    let mut not_cached = Vec::new();
    let mut needed = 0;
    for (sentence, job) in sentences.iter_mut().zip(job_of) {
        let Some(job) = job else { continue };
        needed += 1;
        match &outcome.results[job] {
            JobOutcome::Done {
                translation,
                backend,
                cached,
                coverage,
                stored,
                ..
            } => {
                if !stored {
                    not_cached.push(SentenceAt {
                        doc: sentence.doc.clone(),
                        idx: sentence.idx,
                    });
                }
                sentence.translation = Some(translation.clone());
                sentence.translation_coverage = coverage.map(|c| (c * 1000.0).round() / 1000.0);
                sentence.backend = Some(backend.clone());
                sentence.cached = Some(*cached);
            }
            JobOutcome::Failed { error } => {
                sentence.translation_error = Some(error.clone());
                failures.push(FailedSentence {
                    doc: sentence.doc.clone(),
                    idx: sentence.idx,
                    error: error.clone(),
                });
            }
        }
    }
    Ok(Some(TranslationReport {
        backend: names[0].clone(),
        fallback: names[1..].to_vec(),
        target: config.pivot.clone(),
        offline: config.translate.offline,
        cache_dir: config.cache.location.describe(),
        sentences: needed,
        counters: outcome.counters,
        translated_by: outcome.translated_by,
        time_ms: started.elapsed().as_millis() as u64,
        stopped: outcome.stopped,
        interrupted: outcome.interrupted,
        failures,
        not_cached,
    }))
}

/// Prints a dry-run plan.
pub fn print_plan(plan: &Plan, target: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(
        out,
        "dry run: {} distinct texts to translate into {target}, {} cached, {} to send",
        plan.texts,
        plan.cache_hits,
        plan.texts - plan.cache_hits
    )?;
    writeln!(
        out,
        "{:<20} {:>10} {:>12} {:>9}",
        "backend", "sentences", "characters", "requests"
    )?;
    for (name, work) in &plan.by_backend {
        writeln!(
            out,
            "{:<20} {:>10} {:>12} {:>9}",
            name, work.sentences, work.characters, work.requests
        )?;
    }
    for (reason, count) in &plan.unroutable {
        writeln!(out, "not translatable: {count} texts: {reason}")?;
    }
    Ok(())
}
