//! The driver shared by all backends: cache look-up, routing to a backend that supports the
//! pair, packing texts into requests, concurrency, pacing, retries with back-off, splitting,
//! and writing every result to the cache as it arrives.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::ProgressBar;
use serde::Serialize;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

use super::cache::{self, Cache, CacheError};
use super::{Backend, BackendError, PairSupport};

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
    },
    Failed {
        error: String,
    },
}

/// Counters of one translation stage, reported in `summary.json`.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
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

/// What `--dry-run` reports for one backend: what would be sent after cache hits.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct PlannedWork {
    pub sentences: u64,
    pub characters: u64,
    pub requests: u64,
}

/// The plan of a dry run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Plan {
    pub texts: u64,
    pub cache_hits: u64,
    pub by_backend: BTreeMap<String, PlannedWork>,
    /// Texts no backend can translate, with the reason.
    pub unroutable: BTreeMap<String, u64>,
}

/// Translates jobs through a chain of backends (the chosen one, then its fallbacks).
pub struct Driver {
    backends: Vec<Arc<BackendRuntime>>,
    cache: Arc<Cache>,
    target: String,
    offline: bool,
    progress: ProgressBar,
}

struct BackendRuntime {
    backend: Arc<dyn Backend>,
    fingerprint: String,
    slots: Arc<Semaphore>,
    pacer: Pacer,
}

/// State shared by the request tasks of one run.
struct Shared {
    cache: Arc<Cache>,
    target: String,
    jobs: Vec<Job>,
    results: Mutex<Vec<Option<JobOutcome>>>,
    stop: AtomicBool,
    stop_reason: Mutex<Option<String>>,
    requests: AtomicU64,
    retries: AtomicU64,
    splits: AtomicU64,
    characters_sent: AtomicU64,
    failed: AtomicU64,
    cache_hits: u64,
    progress: ProgressBar,
}

impl Shared {
    fn resolve(&self, index: usize, outcome: JobOutcome) {
        if matches!(outcome, JobOutcome::Failed { .. }) {
            self.failed.fetch_add(1, Ordering::Relaxed);
        }
        self.results.lock().expect("results lock")[index] = Some(outcome);
        self.progress.inc(1);
        self.refresh_message();
    }

    fn refresh_message(&self) {
        self.progress.set_message(format!(
            "{} cached · {} requests · {} retries · {} failed",
            self.cache_hits,
            self.requests.load(Ordering::Relaxed),
            self.retries.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed)
        ));
    }

    fn stop_with(&self, reason: String) {
        let mut slot = self.stop_reason.lock().expect("stop lock");
        if slot.is_none() {
            *slot = Some(reason);
        }
        self.stop.store(true, Ordering::SeqCst);
    }

    fn stopped_reason(&self) -> String {
        self.stop_reason
            .lock()
            .expect("stop lock")
            .clone()
            .unwrap_or_else(|| "interrupted".into())
    }
}

/// A batch: indices into the job list, all with the same source language and backend.
struct Batch {
    indices: Vec<usize>,
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
        let backends = backends
            .into_iter()
            .map(|backend| {
                let settings = backend.settings().clone();
                Arc::new(BackendRuntime {
                    fingerprint: cache::fingerprint_hash(&backend.fingerprint()),
                    slots: Arc::new(Semaphore::new(settings.concurrency.max(1))),
                    pacer: Pacer::new(settings.requests_per_second, settings.chars_per_minute),
                    backend,
                })
            })
            .collect();
        Driver {
            backends,
            cache,
            target: target.to_string(),
            offline,
            progress,
        }
    }

    /// Cache look-up for every job in every backend of the chain (the first hit wins).
    fn cached(&self, jobs: &[Job]) -> Result<Vec<Option<JobOutcome>>, CacheError> {
        jobs.iter()
            .map(|job| {
                for rt in &self.backends {
                    if let Some(record) =
                        self.cache
                            .get(&rt.fingerprint, &job.source, &self.target, &job.text)?
                    {
                        return Ok(Some(JobOutcome::Done {
                            translation: record.translation,
                            detected_source: record.detected_source,
                            coverage: record.coverage,
                            backend: rt.backend.name().to_string(),
                            cached: true,
                        }));
                    }
                }
                Ok(None)
            })
            .collect()
    }

    /// Chooses a backend per source language: the first of the chain that may be used
    /// (`--offline` allows offline backends only), can express both languages and — when
    /// `ask_servers` — reports the pair as supported. `Err` carries the reason for the user.
    async fn route(
        &self,
        sources: impl Iterator<Item = &str>,
        ask_servers: bool,
    ) -> HashMap<String, Result<usize, String>> {
        let mut support: HashMap<usize, Result<PairSupport, String>> = HashMap::new();
        let mut routes = HashMap::new();
        for source in sources {
            if routes.contains_key(source) {
                continue;
            }
            let mut reasons = Vec::new();
            let mut chosen = None;
            for (i, rt) in self.backends.iter().enumerate() {
                let b = &rt.backend;
                if self.offline && !b.is_offline() {
                    reasons.push(format!("{}: not offline (--offline)", b.name()));
                    continue;
                }
                if !b.knows_pair(source, &self.target) {
                    reasons.push(format!("{}: no code for the pair", b.name()));
                    continue;
                }
                if ask_servers {
                    if let std::collections::hash_map::Entry::Vacant(e) = support.entry(i) {
                        e.insert(supported_pairs_with_retries(b.as_ref()).await);
                    }
                    match &support[&i] {
                        Ok(pairs) if pairs.supports(source, &self.target) => {}
                        Ok(_) => {
                            reasons.push(format!("{}: pair not supported", b.name()));
                            continue;
                        }
                        Err(e) => {
                            reasons.push(format!("{}: cannot list pairs: {e}", b.name()));
                            continue;
                        }
                    }
                }
                chosen = Some(i);
                break;
            }
            let route = chosen.ok_or_else(|| {
                format!(
                    "no configured backend translates {source}→{} ({})",
                    self.target,
                    reasons.join("; ")
                )
            });
            routes.insert(source.to_string(), route);
        }
        routes
    }

    /// What a run would send, per backend, after cache hits; sends nothing (routing uses the
    /// backends' language-code tables only).
    pub async fn plan(&self, jobs: &[Job]) -> Result<Plan, CacheError> {
        let cached = self.cached(jobs)?;
        let mut plan = Plan {
            texts: jobs.len() as u64,
            cache_hits: cached.iter().filter(|c| c.is_some()).count() as u64,
            ..Plan::default()
        };
        let misses: Vec<usize> = (0..jobs.len()).filter(|&i| cached[i].is_none()).collect();
        let routes = self
            .route(misses.iter().map(|&i| jobs[i].source.as_str()), false)
            .await;
        for batch in self.pack(jobs, &misses, &routes) {
            let (backend_index, _) = batch.0;
            let entry = plan
                .by_backend
                .entry(self.backends[backend_index].backend.name().to_string())
                .or_default();
            entry.requests += 1;
            for &i in &batch.1.indices {
                entry.sentences += 1;
                entry.characters += jobs[i].text.chars().count() as u64;
            }
        }
        for &i in &misses {
            if let Some(Err(reason)) = routes.get(&jobs[i].source) {
                *plan.unroutable.entry(reason.clone()).or_default() += 1;
            }
        }
        Ok(plan)
    }

    /// Packs the routed misses into batches within each backend's item and byte limits.
    fn pack(
        &self,
        jobs: &[Job],
        misses: &[usize],
        routes: &HashMap<String, Result<usize, String>>,
    ) -> Vec<((usize, String), Batch)> {
        let mut groups: BTreeMap<(usize, String), Vec<usize>> = BTreeMap::new();
        for &i in misses {
            if let Some(Ok(b)) = routes.get(&jobs[i].source) {
                groups
                    .entry((*b, jobs[i].source.clone()))
                    .or_default()
                    .push(i);
            }
        }
        let mut batches = Vec::new();
        for (group, indices) in groups {
            let settings = self.backends[group.0].backend.settings();
            let mut current = Vec::new();
            let mut bytes = 0;
            for i in indices {
                let len = jobs[i].text.len();
                if !current.is_empty()
                    && (current.len() >= settings.max_items || bytes + len > settings.max_bytes)
                {
                    batches.push((
                        group.clone(),
                        Batch {
                            indices: std::mem::take(&mut current),
                        },
                    ));
                    bytes = 0;
                }
                current.push(i);
                bytes += len;
            }
            if !current.is_empty() {
                batches.push((group, Batch { indices: current }));
            }
        }
        batches
    }

    /// Translates every job: cache hits first, then the misses through the backends. Results
    /// are written to the cache as they arrive and flushed after every batch; on Ctrl-C the
    /// stage stops, flushes and returns what it has.
    pub async fn translate(&self, jobs: Vec<Job>) -> Result<Outcome, CacheError> {
        let cached = self.cached(&jobs)?;
        let mut counters = Counters {
            texts: jobs.len() as u64,
            cache_hits: cached.iter().filter(|c| c.is_some()).count() as u64,
            ..Counters::default()
        };
        self.progress.set_length(jobs.len() as u64);
        self.progress.inc(counters.cache_hits);
        let misses: Vec<usize> = (0..jobs.len()).filter(|&i| cached[i].is_none()).collect();
        let routes = self
            .route(misses.iter().map(|&i| jobs[i].source.as_str()), true)
            .await;
        let batches = self.pack(&jobs, &misses, &routes);

        let shared = Arc::new(Shared {
            cache: Arc::clone(&self.cache),
            target: self.target.clone(),
            results: Mutex::new(cached),
            jobs,
            stop: AtomicBool::new(false),
            stop_reason: Mutex::new(None),
            requests: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            splits: AtomicU64::new(0),
            characters_sent: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            cache_hits: counters.cache_hits,
            progress: self.progress.clone(),
        });
        shared.refresh_message();
        for &i in &misses {
            if let Some(Err(reason)) = routes.get(&shared.jobs[i].source) {
                shared.resolve(
                    i,
                    JobOutcome::Failed {
                        error: reason.clone(),
                    },
                );
            }
        }

        // Batches are dispatched in order: a batch is spawned once it has its backend's slot,
        // so requests go out in document order and a stop leaves a contiguous prefix done.
        let mut queue = batches.into_iter().peekable();
        let mut tasks = JoinSet::new();
        let mut interrupted = false;
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(ctrl_c);
        loop {
            let dispatching = queue.peek().is_some() && !shared.stop.load(Ordering::SeqCst);
            if !dispatching && tasks.is_empty() {
                break;
            }
            let next_slot = queue
                .peek()
                .map(|((b, _), _)| Arc::clone(&self.backends[*b].slots));
            tokio::select! {
                permit = async { next_slot.expect("dispatching implies a batch").acquire_owned().await }, if dispatching => {
                    let ((backend_index, _), batch) = queue.next().expect("peeked");
                    let rt = Arc::clone(&self.backends[backend_index]);
                    let shared = Arc::clone(&shared);
                    let permit = permit.expect("semaphore is never closed");
                    tasks.spawn(async move { run_batch(rt, shared, batch, Some(permit)).await });
                }
                Some(next) = tasks.join_next(), if !tasks.is_empty() => {
                    if let Err(e) = next && e.is_panic() {
                        shared.stop_with(format!("internal error in a request task: {e}"));
                    }
                }
                _ = &mut ctrl_c, if !interrupted => {
                    interrupted = true;
                    shared.stop_with("interrupted (Ctrl-C)".into());
                    tasks.abort_all();
                }
            }
        }
        self.cache.flush()?;

        let stopped = shared
            .stop
            .load(Ordering::SeqCst)
            .then(|| shared.stopped_reason());
        let mut translated_by = BTreeMap::new();
        let results: Vec<JobOutcome> = shared
            .results
            .lock()
            .expect("results lock")
            .iter()
            .map(|r| {
                r.clone().unwrap_or_else(|| JobOutcome::Failed {
                    error: format!(
                        "not translated: the run stopped before this text was sent ({})",
                        stopped.as_deref().unwrap_or("unknown reason")
                    ),
                })
            })
            .collect();
        for r in &results {
            match r {
                JobOutcome::Done {
                    cached: false,
                    backend,
                    ..
                } => {
                    counters.translated += 1;
                    *translated_by.entry(backend.clone()).or_default() += 1;
                }
                JobOutcome::Failed { .. } => counters.failed += 1,
                JobOutcome::Done { .. } => {}
            }
        }
        counters.requests = shared.requests.load(Ordering::Relaxed);
        counters.retries = shared.retries.load(Ordering::Relaxed);
        counters.splits = shared.splits.load(Ordering::Relaxed);
        counters.characters_sent = shared.characters_sent.load(Ordering::Relaxed);
        Ok(Outcome {
            results,
            counters,
            translated_by,
            stopped,
            interrupted,
        })
    }
}

/// Asks a backend for its pairs, retrying transient failures like any request.
async fn supported_pairs_with_retries(backend: &dyn Backend) -> Result<PairSupport, String> {
    let settings = backend.settings();
    let mut attempt = 0;
    loop {
        match backend.supported_pairs().await {
            Ok(pairs) => return Ok(pairs),
            Err(BackendError::Transient {
                message,
                retry_after,
            }) if attempt < settings.max_retries => {
                attempt += 1;
                let delay = backoff(settings, attempt, retry_after);
                tracing::info!(
                    "{message}; retry {attempt}/{} in {:.1} s",
                    settings.max_retries,
                    delay.as_secs_f64()
                );
                tokio::time::sleep(delay).await;
            }
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// Sends one batch (and the pieces it is split into) until every text is translated or
/// failed, or the run stops.
async fn run_batch(
    rt: Arc<BackendRuntime>,
    shared: Arc<Shared>,
    batch: Batch,
    mut first_slot: Option<OwnedSemaphorePermit>,
) {
    let backend = &rt.backend;
    let settings = backend.settings();
    let mut pending = vec![batch.indices];
    while let Some(indices) = pending.pop() {
        if shared.stop.load(Ordering::SeqCst) {
            return; // left unresolved: reported as "not translated: the run stopped ..."
        }
        let source = shared.jobs[indices[0]].source.clone();
        let texts: Vec<String> = indices
            .iter()
            .map(|&i| shared.jobs[i].text.clone())
            .collect();
        let chars: usize = texts.iter().map(|t| t.chars().count()).sum();
        let mut attempt = 0u32;
        let result = loop {
            let permit = match first_slot.take() {
                Some(permit) => permit,
                None => Arc::clone(&rt.slots)
                    .acquire_owned()
                    .await
                    .expect("semaphore is never closed"),
            };
            if shared.stop.load(Ordering::SeqCst) {
                return;
            }
            rt.pacer.wait(chars).await;
            shared.requests.fetch_add(1, Ordering::Relaxed);
            shared
                .characters_sent
                .fetch_add(chars as u64, Ordering::Relaxed);
            let guard = settings.timeout + Duration::from_secs(5);
            let answer = match tokio::time::timeout(
                guard,
                backend.translate(&source, &shared.target, &texts),
            )
            .await
            {
                Ok(answer) => answer,
                Err(_) => Err(BackendError::transient(format!(
                    "{}: no answer within {:?}",
                    backend.name(),
                    guard
                ))),
            };
            let answer = answer.and_then(|translations| {
                if translations.len() == texts.len() {
                    Ok(translations)
                } else {
                    Err(BackendError::mismatch(format!(
                        "{}: sent {} texts, got {} translations",
                        backend.name(),
                        texts.len(),
                        translations.len()
                    )))
                }
            });
            match answer {
                Ok(translations) => {
                    // Stored and flushed (one flush shared by the batches that finished
                    // meanwhile) while the slot is still held: once the backend sees this
                    // slot's next request, this batch is on disk.
                    let stored = store(&rt, &shared, &source, &texts, &translations).await;
                    drop(permit);
                    break stored.map(|()| translations);
                }
                Err(BackendError::Transient {
                    message,
                    retry_after,
                }) if attempt < settings.max_retries => {
                    drop(permit);
                    attempt += 1;
                    shared.retries.fetch_add(1, Ordering::Relaxed);
                    shared.refresh_message();
                    let delay = backoff(settings, attempt, retry_after);
                    tracing::info!(
                        "{message}; retry {attempt}/{} in {:.1} s",
                        settings.max_retries,
                        delay.as_secs_f64()
                    );
                    tokio::time::sleep(delay).await;
                }
                Err(BackendError::Fatal { message }) => {
                    // Stop before the slot is free, so no other batch goes out after this.
                    shared.stop_with(message);
                    drop(permit);
                    return;
                }
                Err(e) => {
                    drop(permit);
                    break Err(e);
                }
            }
        };
        match result {
            Ok(translations) => {
                for (&i, t) in indices.iter().zip(translations) {
                    shared.resolve(
                        i,
                        JobOutcome::Done {
                            translation: t.text,
                            detected_source: t.detected_source,
                            coverage: t.coverage,
                            backend: backend.name().to_string(),
                            cached: false,
                        },
                    );
                }
            }
            Err(BackendError::Fatal { message }) => {
                // From storing the answer: the cache cannot be written.
                shared.stop_with(message);
                return;
            }
            Err(
                e @ (BackendError::TooLarge { .. }
                | BackendError::Mismatch { .. }
                | BackendError::Rejected { .. }),
            ) if indices.len() > 1 => {
                tracing::info!("{e}; splitting the batch of {}", indices.len());
                shared.splits.fetch_add(1, Ordering::Relaxed);
                let mut first = indices;
                let second = first.split_off(first.len() / 2);
                pending.push(second);
                pending.push(first);
            }
            Err(e) => {
                for &i in &indices {
                    shared.resolve(
                        i,
                        JobOutcome::Failed {
                            error: e.to_string(),
                        },
                    );
                }
            }
        }
    }
}

/// Writes a batch's translations to the cache and flushes it.
async fn store(
    rt: &BackendRuntime,
    shared: &Shared,
    source: &str,
    texts: &[String],
    translations: &[super::Translated],
) -> Result<(), BackendError> {
    let backend = &rt.backend;
    for (text, t) in texts.iter().zip(translations) {
        let record = Cache::record(
            &rt.fingerprint,
            (backend.name(), backend.kind()),
            (source, &shared.target),
            text,
            t,
        );
        shared
            .cache
            .put(&record)
            .map_err(|e| BackendError::fatal(e.to_string()))?;
    }
    shared
        .cache
        .flush_shared()
        .await
        .map_err(|e| BackendError::fatal(e.to_string()))
}

/// Delay before retry `attempt` (1-based): `Retry-After` when the server sent one (up to the
/// cap), else exponential back-off (×1.6 per attempt, capped) with ±20% jitter.
fn backoff(
    settings: &super::DriverSettings,
    attempt: u32,
    retry_after: Option<Duration>,
) -> Duration {
    if let Some(wait) = retry_after {
        return wait.min(settings.retry_after_cap);
    }
    let base = settings.retry_initial.as_secs_f64() * 1.6f64.powi(attempt as i32 - 1);
    let capped = base.min(settings.retry_max.as_secs_f64());
    Duration::from_secs_f64(capped * (0.8 + 0.4 * fastrand::f64()))
}

/// Paces requests (per second) and characters (per minute) for one backend.
struct Pacer {
    request_interval: Option<Duration>,
    chars_per_second: Option<f64>,
    state: Mutex<PacerState>,
}

struct PacerState {
    next_request: tokio::time::Instant,
    /// Characters that may be sent now; negative when a large batch borrowed ahead.
    char_budget: f64,
    budget_at: tokio::time::Instant,
}

impl Pacer {
    fn new(requests_per_second: f64, chars_per_minute: f64) -> Self {
        let now = tokio::time::Instant::now();
        Pacer {
            request_interval: (requests_per_second > 0.0)
                .then(|| Duration::from_secs_f64(1.0 / requests_per_second)),
            chars_per_second: (chars_per_minute > 0.0).then_some(chars_per_minute / 60.0),
            state: Mutex::new(PacerState {
                next_request: now,
                char_budget: chars_per_minute.max(0.0),
                budget_at: now,
            }),
        }
    }

    /// Waits until a request of `chars` characters may be sent.
    async fn wait(&self, chars: usize) {
        let at = {
            let mut s = self.state.lock().expect("pacer lock");
            let now = tokio::time::Instant::now();
            let mut at = now;
            if let Some(interval) = self.request_interval {
                at = at.max(s.next_request);
                s.next_request = at + interval;
            }
            if let Some(rate) = self.chars_per_second {
                let capacity = rate * 60.0;
                let elapsed = now.saturating_duration_since(s.budget_at).as_secs_f64();
                s.char_budget = (s.char_budget + elapsed * rate).min(capacity);
                s.budget_at = now;
                s.char_budget -= chars as f64;
                if s.char_budget < 0.0 {
                    at = at.max(now + Duration::from_secs_f64(-s.char_budget / rate));
                }
            }
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn pacer_spaces_requests_and_characters() {
        let pacer = Pacer::new(10.0, 0.0);
        let start = tokio::time::Instant::now();
        for _ in 0..5 {
            pacer.wait(1).await;
        }
        // 5 requests at 10/s: the fifth goes out 0.4 s after the first.
        assert!(start.elapsed() >= Duration::from_millis(400));
        assert!(start.elapsed() < Duration::from_millis(500));

        let pacer = Pacer::new(0.0, 600.0); // 10 characters per second, 600 at once
        let start = tokio::time::Instant::now();
        pacer.wait(600).await;
        assert!(start.elapsed() < Duration::from_millis(10));
        pacer.wait(100).await; // 100 more: 10 s of budget
        assert!(
            start.elapsed() >= Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn backoff_grows_is_capped_and_honours_retry_after() {
        let settings = super::super::DriverSettings {
            max_items: 1,
            max_bytes: 1,
            concurrency: 1,
            requests_per_second: 0.0,
            chars_per_minute: 0.0,
            timeout: Duration::from_secs(1),
            max_retries: 5,
            retry_initial: Duration::from_secs(1),
            retry_max: Duration::from_secs(2),
            retry_after_cap: Duration::from_secs(30),
        };
        let first = backoff(&settings, 1, None);
        assert!(first >= Duration::from_millis(800) && first <= Duration::from_millis(1200));
        assert!(backoff(&settings, 10, None) <= Duration::from_millis(2400));
        assert_eq!(
            backoff(&settings, 1, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
        assert_eq!(
            backoff(&settings, 1, Some(Duration::from_secs(700))),
            Duration::from_secs(30)
        );
    }
}
