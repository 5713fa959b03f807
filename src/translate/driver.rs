//! Translations through the shared remote driver: each backend of the chain becomes a lane
//! that translates into one target language, with the translation records of the cache as
//! its memory.

use std::collections::BTreeMap;
use std::sync::Arc;

use indicatif::ProgressBar;
use serde::{Deserialize, Serialize};

use super::{Backend, BackendError, BoxFuture, DriverSettings, Translated};
use crate::cache::{self, Cache, CacheError};
use crate::remote::driver::{self as remote, Lane, Report};
use crate::remote::{ItemProblem, Memory, Service, Support, fill_from_legacy, http};

pub use crate::remote::driver::{Plan, PlannedWork};

/// One text to translate from `source` (ISO 639-1) into the driver's target.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Job {
    pub source: String,
    pub text: String,
}

/// What became of one job.
#[derive(Debug, Clone, PartialEq)]
pub enum JobOutcome {
    Done {
        translation: String,
        detected_source: Option<String>,
        /// Share of words translated, for glossing backends.
        coverage: Option<f64>,
        /// Name of the backend that made the translation.
        backend: String,
        cached: bool,
        /// False when the translation could not be written to the cache.
        stored: bool,
    },
    Failed {
        error: String,
    },
}

/// Counters of one translation stage, reported in `summary.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Counters {
    /// Distinct texts to translate.
    pub texts: u64,
    pub cache_hits: u64,
    /// Texts translated by a backend in this run.
    pub translated: u64,
    pub failed: u64,
    /// HTTP requests (or command invocations) sent, retries included.
    pub requests: u64,
    pub retries: u64,
    /// Batches split after 413, a wrong item count or a rejected item.
    pub splits: u64,
    /// Characters of text sent (what a per-character API bills), retries included.
    pub characters_sent: u64,
    /// Texts translated in this run that could not be written to the cache.
    pub not_cached: u64,
}

impl Counters {
    /// Adds another run's counters (shards merged).
    pub fn add(&mut self, other: &Counters) {
        self.texts += other.texts;
        self.cache_hits += other.cache_hits;
        self.translated += other.translated;
        self.failed += other.failed;
        self.requests += other.requests;
        self.retries += other.retries;
        self.splits += other.splits;
        self.characters_sent += other.characters_sent;
        self.not_cached += other.not_cached;
    }
}

impl From<remote::Counters> for Counters {
    fn from(c: remote::Counters) -> Self {
        Counters {
            texts: c.texts,
            cache_hits: c.cache_hits,
            translated: c.done,
            failed: c.failed,
            requests: c.requests,
            retries: c.retries,
            splits: c.splits,
            characters_sent: c.characters_sent,
            not_cached: c.not_cached,
        }
    }
}

impl std::fmt::Display for Counters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} texts: {} from the cache, {} translated, {} failed; {} requests, {} retries",
            self.texts, self.cache_hits, self.translated, self.failed, self.requests, self.retries
        )
    }
}

/// The result of [`Driver::translate`].
#[derive(Debug)]
pub struct Outcome {
    /// One outcome per job, in the order of the jobs.
    pub results: Vec<JobOutcome>,
    pub counters: Counters,
    /// Per backend name: texts translated by it in this run.
    pub translated_by: BTreeMap<String, u64>,
    /// Why the run stopped early (quota, authentication), if it did.
    pub stopped: Option<String>,
    /// True when Ctrl-C interrupted the stage.
    pub interrupted: bool,
}

/// A backend translating into one target: the remote driver's view of it.
struct Translator {
    backend: Arc<dyn Backend>,
    target: String,
}

impl Service for Translator {
    type Output = Translated;
    const DONE: &'static str = "translated";

    fn describe(&self, group: &str) -> String {
        format!("translates {group}→{}", self.target)
    }
    fn name(&self) -> &str {
        self.backend.name()
    }
    fn is_offline(&self) -> bool {
        self.backend.is_offline()
    }
    fn settings(&self) -> &DriverSettings {
        self.backend.settings()
    }
    fn accepts(&self, source: &str) -> bool {
        self.backend.knows_pair(source, &self.target)
    }
    fn supported(&self) -> BoxFuture<'_, Result<Support, BackendError>> {
        Box::pin(async move {
            Ok(match self.backend.supported_pairs().await? {
                super::PairSupport::Any => Support::Any,
                super::PairSupport::Pairs(pairs) => Support::Only(
                    pairs
                        .into_iter()
                        .filter(|(_, t)| *t == self.target)
                        .map(|(s, _)| s)
                        .collect(),
                ),
            })
        })
    }
    fn send<'a>(
        &'a self,
        source: &'a str,
        texts: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<Translated>, BackendError>> {
        self.backend.translate(source, &self.target, texts)
    }
    fn check(&self, text: &str, output: &Translated) -> Result<(), ItemProblem> {
        if cache::translation_is_missing(text, &output.text) {
            return Err(ItemProblem::Suspect(
                "empty translation of a non-empty text".into(),
            ));
        }
        if echoes_a_key(text, &output.text) {
            return Err(ItemProblem::Alone(
                "the answer contains a configured API key (the server echoes it); not used and not cached".into(),
            ));
        }
        Ok(())
    }
}

/// True when a translation holds a configured API key its text did not: the server echoed
/// it (LibreTranslate can put `api_key` into `translatedText`). Such an answer is never
/// used or cached, and one an older build cached is a miss.
fn echoes_a_key(text: &str, translation: &str) -> bool {
    http::contains_secret(translation) && !http::contains_secret(text)
}

/// The translation records of one backend fingerprint into one target.
struct TranslationMemory {
    cache: Arc<Cache>,
    fingerprint: String,
    /// Where older builds cached this backend's answers (with the URL), if elsewhere.
    legacy_fingerprint: Option<String>,
    backend: (String, &'static str),
    target: String,
}

impl TranslationMemory {
    /// The records of `fingerprint` for `items`, echoing ones left out.
    fn records(
        &self,
        fingerprint: &str,
        items: &[(&str, &str)],
    ) -> Result<Vec<Option<Translated>>, CacheError> {
        let keys: Vec<[u8; 32]> = items
            .iter()
            .map(|(s, t)| cache::key(fingerprint, s, &self.target, t))
            .collect();
        Ok(self
            .cache
            .get_many(&keys)?
            .into_iter()
            .zip(items)
            .map(|(record, (_, text))| {
                record
                    .filter(|r| !echoes_a_key(text, &r.translation))
                    .map(|r| Translated {
                        text: r.translation,
                        detected_source: r.detected_source,
                        coverage: r.coverage,
                    })
            })
            .collect())
    }
}

impl Memory<Translated> for TranslationMemory {
    fn get(&self, source: &str, text: &str) -> Result<Option<Translated>, CacheError> {
        Ok(self.get_many(&[(source, text)])?.pop().flatten())
    }
    fn put(&self, source: &str, text: &str, output: &Translated) -> Result<(), CacheError> {
        let record = cache::CacheRecord {
            detected_source: output.detected_source.clone(),
            coverage: output.coverage,
            ..Cache::record(
                &self.fingerprint,
                (&self.backend.0, self.backend.1),
                (source, &self.target),
                text,
                &output.text,
            )
        };
        self.cache.put(&record)
    }
    fn key(&self, source: &str, text: &str) -> [u8; 32] {
        cache::key(&self.fingerprint, source, &self.target, text)
    }
    fn get_many(&self, items: &[(&str, &str)]) -> Result<Vec<Option<Translated>>, CacheError> {
        let mut found = self.records(&self.fingerprint, items)?;
        if let Some(legacy) = &self.legacy_fingerprint {
            fill_from_legacy(
                &mut found,
                items,
                |asked| self.records(legacy, asked),
                |source, text, output| self.put(source, text, output),
            )?;
        }
        Ok(found)
    }
}

/// Translates jobs through a chain of backends (the chosen one, then its fallbacks).
pub struct Driver {
    inner: remote::Driver<Translator>,
    names: Vec<String>,
}

impl Driver {
    /// `backends` is the chain: the chosen backend first, then the fallbacks in order.
    pub fn new(
        backends: Vec<Arc<dyn Backend>>,
        cache: Arc<Cache>,
        target: &str,
        offline: bool,
        progress: ProgressBar,
    ) -> Self {
        let names = backends.iter().map(|b| b.name().to_string()).collect();
        let lanes = backends
            .into_iter()
            .map(|backend| {
                let memory = TranslationMemory {
                    cache: Arc::clone(&cache),
                    fingerprint: cache::fingerprint_hash(&backend.fingerprint()),
                    legacy_fingerprint: backend
                        .legacy_fingerprint()
                        .map(|f| cache::fingerprint_hash(&f)),
                    backend: (backend.name().to_string(), backend.kind()),
                    target: target.to_string(),
                };
                let translator = Translator {
                    backend,
                    target: target.to_string(),
                };
                Lane::new(Arc::new(translator), Box::new(memory))
            })
            .collect();
        Driver {
            inner: remote::Driver::new(lanes, cache, offline, progress),
            names,
        }
    }

    /// What a run would send, per backend, after cache hits; sends nothing.
    pub async fn plan(&self, jobs: &[Job]) -> Result<Plan, CacheError> {
        self.inner.plan(&remote_jobs(jobs)).await
    }

    /// Translates every job: cache hits first, then the misses through the backends. Results
    /// are written to the cache as they arrive and flushed after every batch; on Ctrl-C the
    /// stage stops, flushes and returns what it has.
    pub async fn translate(&self, jobs: Vec<Job>) -> Result<Outcome, CacheError> {
        let Report {
            results,
            counters,
            done_by,
            stopped,
            interrupted,
        } = self.inner.run(remote_jobs(&jobs)).await?;
        let results = results
            .into_iter()
            .map(|outcome| match outcome {
                remote::Outcome::Done {
                    output,
                    lane,
                    cached,
                    stored,
                } => JobOutcome::Done {
                    translation: output.text,
                    detected_source: output.detected_source,
                    coverage: output.coverage,
                    backend: self.names[lane].clone(),
                    cached,
                    stored,
                },
                remote::Outcome::Failed { error } => JobOutcome::Failed { error },
            })
            .collect();
        Ok(Outcome {
            results,
            counters: counters.into(),
            translated_by: done_by,
            stopped,
            interrupted,
        })
    }
}

fn remote_jobs(jobs: &[Job]) -> Vec<remote::Job> {
    jobs.iter()
        .map(|j| remote::Job {
            group: j.source.clone(),
            text: j.text.clone(),
        })
        .collect()
}
