//! The driver shared by all remote work (translations and embeddings): cache look-up,
//! routing each group of texts to the first lane that takes it, packing texts into requests,
//! concurrency, pacing, retries with back-off, splitting, and writing every result to the
//! cache as it arrives.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::ProgressBar;
use serde::Serialize;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

use super::{BackendError, ItemProblem, Memory, Service, Support, backoff};
use crate::cache::{Cache, CacheError};

/// One text of a group (the source language of a translation; one group for embeddings).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Job {
    pub group: String,
    pub text: String,
}

/// What became of one job.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<O> {
    Done {
        output: O,
        /// Index of the lane that made (or had cached) the output.
        lane: usize,
        /// Served from the cache.
        cached: bool,
        /// In the cache now (false when writing it failed: the output is only in this run).
        stored: bool,
    },
    Failed {
        error: String,
    },
}

/// Counters over distinct texts of one run of the driver.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Counters {
    pub texts: u64,
    pub cache_hits: u64,
    /// Texts a service answered in this run.
    pub done: u64,
    pub failed: u64,
    /// HTTP requests (or command invocations) sent, retries included.
    pub requests: u64,
    pub retries: u64,
    /// Batches split after 413, a wrong item count or a rejected item.
    pub splits: u64,
    /// Characters of text sent (what a per-character API bills), retries included.
    pub characters_sent: u64,
    /// Texts answered in this run that could not be written to the cache.
    pub not_cached: u64,
}

/// The result of [`Driver::run`].
#[derive(Debug)]
pub struct Report<O> {
    /// One outcome per job, in the order of the jobs.
    pub results: Vec<Outcome<O>>,
    pub counters: Counters,
    /// Per lane name: texts answered by it in this run.
    pub done_by: BTreeMap<String, u64>,
    /// Why the run stopped early (quota, authentication), if it did.
    pub stopped: Option<String>,
    /// True when Ctrl-C interrupted the run.
    pub interrupted: bool,
}

/// What `--dry-run` reports for one lane: what would be sent after cache hits.
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
    /// Texts no lane can take, with the reason.
    pub unroutable: BTreeMap<String, u64>,
}

/// One service with its view of the cache, its request slots and its pacer.
pub struct Lane<S: Service> {
    service: Arc<S>,
    memory: Box<dyn Memory<S::Output>>,
    slots: Arc<Semaphore>,
    pacer: Pacer,
    /// Answers received while the service could not yet check them ([`Service::observe`]).
    held: Mutex<Vec<Answer<S::Output>>>,
    /// True once the service has answered a request in this run.
    answered: AtomicBool,
}

/// A received answer of one batch: its jobs, their group, texts and outputs.
struct Answer<O> {
    indices: Vec<usize>,
    group: String,
    texts: Vec<String>,
    outputs: Vec<O>,
}

impl<S: Service> Lane<S> {
    pub fn new(service: Arc<S>, memory: Box<dyn Memory<S::Output>>) -> Self {
        let settings = service.settings().clone();
        Lane {
            slots: Arc::new(Semaphore::new(settings.concurrency.max(1))),
            pacer: Pacer::new(settings.requests_per_second, settings.chars_per_minute),
            service,
            memory,
            held: Mutex::new(Vec::new()),
            answered: AtomicBool::new(false),
        }
    }

    /// Checks and caches the answers held back so far (the service has decided).
    async fn release_held(&self, lane_index: usize, shared: &Shared<S::Output>) {
        let held = std::mem::take(&mut *self.held.lock().unwrap_or_else(|e| e.into_inner()));
        for answer in held {
            let verdicts = item_verdicts(self.service.as_ref(), &answer.texts, &answer.outputs);
            accept(self, lane_index, shared, answer, verdicts).await;
        }
    }
}

/// Runs jobs through a chain of lanes (the chosen service first, then its fallbacks).
pub struct Driver<S: Service> {
    lanes: Vec<Arc<Lane<S>>>,
    cache: Arc<Cache>,
    offline: bool,
    progress: ProgressBar,
}

/// State shared by the request tasks of one run.
struct Shared<O> {
    cache: Arc<Cache>,
    jobs: Vec<Job>,
    results: Mutex<Vec<Option<Outcome<O>>>>,
    stop: AtomicBool,
    stop_reason: Mutex<Option<String>>,
    requests: AtomicU64,
    retries: AtomicU64,
    splits: AtomicU64,
    characters_sent: AtomicU64,
    failed: AtomicU64,
    cache_hits: u64,
    progress: ProgressBar,
    /// Per job: the cache's record count once its answer was stored (0: not stored here).
    stored_at: Mutex<Vec<u64>>,
}

impl<O> Shared<O> {
    fn resolve(&self, index: usize, outcome: Outcome<O>) {
        if matches!(outcome, Outcome::Failed { .. }) {
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

/// A batch: indices into the job list, all of one group and lane.
struct Batch {
    indices: Vec<usize>,
}

type Routes = HashMap<String, Result<usize, String>>;

impl<S: Service> Driver<S> {
    /// `lanes` is the chain: the chosen service first, then the fallbacks in order.
    pub fn new(
        lanes: Vec<Lane<S>>,
        cache: Arc<Cache>,
        offline: bool,
        progress: ProgressBar,
    ) -> Self {
        Driver {
            lanes: lanes.into_iter().map(Arc::new).collect(),
            cache,
            offline,
            progress,
        }
    }

    /// Cache look-up for every job in every lane of the chain (the first hit wins).
    fn cached(&self, jobs: &[Job]) -> Result<Vec<Option<Outcome<S::Output>>>, CacheError> {
        let mut found: Vec<Option<Outcome<S::Output>>> = (0..jobs.len()).map(|_| None).collect();
        for (lane, l) in self.lanes.iter().enumerate() {
            let missing: Vec<usize> = (0..jobs.len()).filter(|&i| found[i].is_none()).collect();
            if missing.is_empty() {
                break;
            }
            let items: Vec<(&str, &str)> = missing
                .iter()
                .map(|&i| (jobs[i].group.as_str(), jobs[i].text.as_str()))
                .collect();
            for (i, output) in missing.into_iter().zip(l.memory.get_many(&items)?) {
                found[i] = output.map(|output| Outcome::Done {
                    output,
                    lane,
                    cached: true,
                    stored: true,
                });
            }
        }
        Ok(found)
    }

    /// Chooses a lane per group: the first of the chain that may be used (`--offline`
    /// allows offline services only), accepts the group and — when `ask_servers` — reports
    /// it as supported. `Err` carries the reason for the user.
    async fn route(&self, groups: impl Iterator<Item = &str>, ask_servers: bool) -> Routes {
        let mut support: HashMap<usize, Result<Support, String>> = HashMap::new();
        let mut routes = HashMap::new();
        for group in groups {
            if routes.contains_key(group) {
                continue;
            }
            let mut reasons = Vec::new();
            let mut chosen = None;
            for (i, lane) in self.lanes.iter().enumerate() {
                let s = &lane.service;
                if self.offline && !s.is_offline() {
                    reasons.push(format!("{}: not offline (--offline)", s.name()));
                    continue;
                }
                if !s.accepts(group) {
                    reasons.push(format!("{}: {}", s.name(), s.refusal()));
                    continue;
                }
                if ask_servers {
                    if let std::collections::hash_map::Entry::Vacant(e) = support.entry(i) {
                        e.insert(supported_with_retries(s.as_ref()).await);
                    }
                    match &support[&i] {
                        Ok(groups) if groups.covers(group) => {}
                        Ok(_) => {
                            reasons.push(format!("{}: pair not supported", s.name()));
                            continue;
                        }
                        Err(e) => {
                            reasons.push(format!("{}: cannot list pairs: {e}", s.name()));
                            continue;
                        }
                    }
                }
                chosen = Some(i);
                break;
            }
            let route = chosen.ok_or_else(|| {
                format!(
                    "no configured backend {} ({})",
                    self.lanes
                        .first()
                        .map_or_else(String::new, |l| l.service.describe(group)),
                    reasons.join("; ")
                )
            });
            routes.insert(group.to_string(), route);
        }
        routes
    }

    /// What a run would send, per lane, after cache hits; sends nothing (routing uses the
    /// services' own tables only).
    pub async fn plan(&self, jobs: &[Job]) -> Result<Plan, CacheError> {
        let cached = self.cached(jobs)?;
        let mut plan = Plan {
            texts: jobs.len() as u64,
            cache_hits: cached.iter().filter(|c| c.is_some()).count() as u64,
            ..Plan::default()
        };
        let misses: Vec<usize> = (0..jobs.len()).filter(|&i| cached[i].is_none()).collect();
        let routes = self
            .route(misses.iter().map(|&i| jobs[i].group.as_str()), false)
            .await;
        for ((lane, _), batch) in self.pack(jobs, &misses, &routes) {
            let entry = plan
                .by_backend
                .entry(self.lanes[lane].service.name().to_string())
                .or_default();
            entry.requests += 1;
            for &i in &batch.indices {
                entry.sentences += 1;
                entry.characters += jobs[i].text.chars().count() as u64;
            }
        }
        for &i in &misses {
            if let Some(Err(reason)) = routes.get(&jobs[i].group) {
                *plan.unroutable.entry(reason.clone()).or_default() += 1;
            }
        }
        Ok(plan)
    }

    /// Packs the routed misses into batches within each lane's item and byte limits.
    fn pack(
        &self,
        jobs: &[Job],
        misses: &[usize],
        routes: &Routes,
    ) -> Vec<((usize, String), Batch)> {
        let mut groups: BTreeMap<(usize, String), Vec<usize>> = BTreeMap::new();
        for &i in misses {
            if let Some(Ok(lane)) = routes.get(&jobs[i].group) {
                groups
                    .entry((*lane, jobs[i].group.clone()))
                    .or_default()
                    .push(i);
            }
        }
        let mut batches = Vec::new();
        for (group, indices) in groups {
            let settings = self.lanes[group.0].service.settings();
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

    /// Runs every job: cache hits first, then the misses through the services. Results are
    /// written to the cache as they arrive and flushed after every batch; on Ctrl-C the run
    /// stops, flushes and returns what it has. With a shared cache (Redis) every miss is
    /// claimed first: texts another worker claimed are waited for, not sent (see
    /// [`Driver::await_others`]), so no text is paid for twice across the workers.
    pub async fn run(&self, jobs: Vec<Job>) -> Result<Report<S::Output>, CacheError> {
        let job_count = jobs.len();
        let cached = self.cached(&jobs)?;
        let mut counters = Counters {
            texts: jobs.len() as u64,
            cache_hits: cached.iter().filter(|c| c.is_some()).count() as u64,
            ..Counters::default()
        };
        self.progress.set_length(jobs.len() as u64);
        self.progress.inc(counters.cache_hits);
        let misses: Vec<usize> = (0..jobs.len()).filter(|&i| cached[i].is_none()).collect();
        let (mine, theirs) = self.claim(&jobs, misses)?;

        let shared = Arc::new(Shared {
            cache: Arc::clone(&self.cache),
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
            stored_at: Mutex::new(vec![0; job_count]),
        });
        shared.refresh_message();
        let claimed: Arc<Mutex<Vec<Vec<u8>>>> = Arc::new(Mutex::new(
            mine.iter().map(|&i| self.key_of(&shared.jobs[i])).collect(),
        ));
        let refresher = self.refresh_claims(&shared, &claimed);
        let mut interrupted = self.dispatch(&shared, &mine).await;
        if !interrupted && !theirs.is_empty() {
            let (stopped, waited) = self.await_others(&shared, theirs, &claimed).await;
            interrupted = stopped;
            counters.cache_hits += waited;
        }
        if let Some(refresher) = refresher {
            refresher.abort();
        }
        if let Some(store) = self.cache.shared() {
            let keys = claimed.lock().unwrap_or_else(|e| e.into_inner()).clone();
            if let Err(e) = store.release(&keys) {
                shared.stop_with(format!(
                    "the shared cache {} stopped answering ({e})",
                    store.url()
                ));
            }
        }
        if let Err(e) = self.cache.flush() {
            // Every batch was flushed when it arrived; this one covers nothing new, and its
            // failure must not lose the answers in memory.
            shared.stop_with(format!("cannot write the cache ({e})"));
        }

        let stopped = shared
            .stop
            .load(Ordering::SeqCst)
            .then(|| shared.stopped_reason());
        let mut done_by = BTreeMap::new();
        // Answers stored but not covered by a finished flush (one in the background failed,
        // and so did the last one) are in this run's outputs only.
        let durable = self.cache.flushed_count();
        let stored_at = shared
            .stored_at
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let results: Vec<Outcome<S::Output>> = shared
            .results
            .lock()
            .expect("results lock")
            .iter()
            .zip(&stored_at)
            .map(|(r, &at)| {
                let r = match r.clone() {
                    Some(Outcome::Done {
                        output,
                        lane,
                        cached: false,
                        stored: true,
                    }) if at > durable => Some(Outcome::Done {
                        output,
                        lane,
                        cached: false,
                        stored: false,
                    }),
                    other => other,
                };
                // The reason is the run's `stopped`, reported once beside these.
                r.unwrap_or_else(|| Outcome::Failed {
                    error: format!(
                        "not {}: the run stopped before this text was sent (see stopped)",
                        S::DONE
                    ),
                })
            })
            .collect();
        for r in &results {
            match r {
                Outcome::Done {
                    cached: false,
                    lane,
                    stored,
                    ..
                } => {
                    counters.done += 1;
                    counters.not_cached += u64::from(!stored);
                    *done_by
                        .entry(self.lanes[*lane].service.name().to_string())
                        .or_default() += 1;
                }
                Outcome::Failed { .. } => counters.failed += 1,
                Outcome::Done { .. } => {}
            }
        }
        counters.requests = shared.requests.load(Ordering::Relaxed);
        counters.retries = shared.retries.load(Ordering::Relaxed);
        counters.splits = shared.splits.load(Ordering::Relaxed);
        counters.characters_sent = shared.characters_sent.load(Ordering::Relaxed);
        Ok(Report {
            results,
            counters,
            done_by,
            stopped,
            interrupted,
        })
    }
}

impl<S: Service> Driver<S> {
    /// The key a text is cached (and claimed) under: the chosen service's.
    fn key_of(&self, job: &Job) -> Vec<u8> {
        self.lanes[0].memory.key(&job.group, &job.text).to_vec()
    }

    /// Splits the misses into those this worker claimed (it sends them) and those another
    /// worker sharing the cache holds. Without a shared cache every miss is this worker's.
    fn claim(
        &self,
        jobs: &[Job],
        misses: Vec<usize>,
    ) -> Result<(Vec<usize>, Vec<usize>), CacheError> {
        let Some(store) = self.cache.shared() else {
            return Ok((misses, Vec::new()));
        };
        let keys: Vec<Vec<u8>> = misses.iter().map(|&i| self.key_of(&jobs[i])).collect();
        let claimed = store
            .claim_many(&keys)
            .map_err(|message| CacheError::Storage {
                path: store.url().into(),
                message,
            })?;
        let mut mine = Vec::new();
        let mut theirs = Vec::new();
        for (i, got) in misses.into_iter().zip(claimed) {
            if got {
                mine.push(i);
            } else {
                theirs.push(i);
            }
        }
        Ok((mine, theirs))
    }

    /// Keeps this worker's claims alive while it works (a third of their lifetime apart);
    /// a worker that dies stops refreshing, and its claims expire.
    fn refresh_claims(
        &self,
        shared: &Arc<Shared<S::Output>>,
        claimed: &Arc<Mutex<Vec<Vec<u8>>>>,
    ) -> Option<tokio::task::JoinHandle<()>> {
        let store_ttl = self.cache.shared()?.claim_ttl;
        let cache = Arc::clone(&self.cache);
        let claimed = Arc::clone(claimed);
        let shared = Arc::clone(shared);
        Some(tokio::spawn(async move {
            loop {
                tokio::time::sleep(store_ttl / 3).await;
                let keys = claimed.lock().unwrap_or_else(|e| e.into_inner()).clone();
                if let Some(store) = cache.shared()
                    && let Err(e) = store.refresh(&keys)
                {
                    shared.stop_with(format!(
                        "the shared cache {} stopped answering ({e})",
                        store.url()
                    ));
                    return;
                }
            }
        }))
    }

    /// Sends the jobs `indices` through their lanes; true when Ctrl-C interrupted the run.
    async fn dispatch(&self, shared: &Arc<Shared<S::Output>>, indices: &[usize]) -> bool {
        let routes = self
            .route(indices.iter().map(|&i| shared.jobs[i].group.as_str()), true)
            .await;
        let batches = self.pack(&shared.jobs, indices, &routes);
        for &i in indices {
            if let Some(Err(reason)) = routes.get(&shared.jobs[i].group) {
                shared.resolve(
                    i,
                    Outcome::Failed {
                        error: reason.clone(),
                    },
                );
            }
        }

        // Batches are dispatched in order: a batch is spawned once it has its lane's slot, so
        // requests go out in document order and a stop leaves a contiguous prefix done.
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
                .map(|((lane, _), _)| Arc::clone(&self.lanes[*lane].slots));
            tokio::select! {
                permit = async { next_slot.expect("dispatching implies a batch").acquire_owned().await }, if dispatching => {
                    let ((lane, _), batch) = queue.next().expect("peeked");
                    let runtime = Arc::clone(&self.lanes[lane]);
                    let shared = Arc::clone(shared);
                    let permit = permit.expect("semaphore is never closed");
                    tasks.spawn(async move { run_batch(runtime, lane, shared, batch, Some(permit)).await });
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
        // Answers still held are paid for: decide with them and keep them, stopped or not.
        for (index, lane) in self.lanes.iter().enumerate() {
            if !lane
                .held
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .is_empty()
            {
                lane.service.settle();
                lane.release_held(index, shared).await;
            }
        }
        interrupted
    }

    /// Waits for the texts other workers claimed: each is taken from the cache once its
    /// worker stored it. A text whose claim expired without a result (its worker died) — or
    /// that is still missing after `claim_wait` — is claimed and sent by this worker.
    /// Returns whether the run was interrupted, and how many texts came from other workers.
    async fn await_others(
        &self,
        shared: &Arc<Shared<S::Output>>,
        mut waiting: Vec<usize>,
        claimed: &Arc<Mutex<Vec<Vec<u8>>>>,
    ) -> (bool, u64) {
        let Some(store) = self.cache.shared() else {
            return (false, 0);
        };
        let deadline = tokio::time::Instant::now() + store.claim_wait;
        let mut waited = 0;
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(ctrl_c);
        let lost = |e: String| format!("the shared cache {} stopped answering ({e})", store.url());
        while !waiting.is_empty() && !shared.stop.load(Ordering::SeqCst) {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(100)) => {}
                _ = &mut ctrl_c => {
                    shared.stop_with("interrupted (Ctrl-C)".into());
                    return (true, waited);
                }
            }
            let overdue = tokio::time::Instant::now() >= deadline;
            let mut still = Vec::new();
            let mut orphans = Vec::new();
            for i in waiting {
                let job = &shared.jobs[i];
                match self.cached(std::slice::from_ref(job)) {
                    Ok(mut found) => {
                        if let Some(outcome) = found.pop().flatten() {
                            shared.resolve(i, outcome);
                            waited += 1;
                            continue;
                        }
                    }
                    Err(e) => {
                        shared.stop_with(lost(e.to_string()));
                        return (false, waited);
                    }
                }
                let key = self.key_of(job);
                let take_over = match store.claimed(&key) {
                    Ok(true) if !overdue => Ok(false),
                    Ok(_) => store
                        .claim_many(std::slice::from_ref(&key))
                        .map(|got| got[0] || overdue),
                    Err(e) => Err(e),
                };
                match take_over {
                    Ok(true) => {
                        claimed.lock().unwrap_or_else(|e| e.into_inner()).push(key);
                        orphans.push(i);
                    }
                    Ok(false) => still.push(i),
                    Err(e) => {
                        shared.stop_with(lost(e));
                        return (false, waited);
                    }
                }
            }
            if !orphans.is_empty() && self.dispatch(shared, &orphans).await {
                return (true, waited);
            }
            waiting = still;
        }
        (false, waited)
    }
}

/// Asks a service what it supports, retrying transient failures like any request.
async fn supported_with_retries<S: Service>(service: &S) -> Result<Support, String> {
    let settings = service.settings();
    let mut attempt = 0;
    loop {
        match service.supported().await {
            Ok(support) => return Ok(support),
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
            // A server that refuses the first contact is not running: no retries.
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// Sends one batch (and the pieces it is split into) until every text is done or failed, or
/// the run stops.
async fn run_batch<S: Service>(
    lane: Arc<Lane<S>>,
    lane_index: usize,
    shared: Arc<Shared<S::Output>>,
    batch: Batch,
    mut first_slot: Option<OwnedSemaphorePermit>,
) {
    let service = &lane.service;
    let settings = service.settings();
    let mut pending = vec![batch.indices];
    while let Some(indices) = pending.pop() {
        if shared.stop.load(Ordering::SeqCst) {
            return; // left unresolved: reported as "not ...: the run stopped ..."
        }
        let group = shared.jobs[indices[0]].group.clone();
        let texts: Vec<String> = indices
            .iter()
            .map(|&i| shared.jobs[i].text.clone())
            .collect();
        let chars: usize = texts.iter().map(|t| t.chars().count()).sum();
        let mut attempt = 0u32;
        let result = loop {
            let permit = match first_slot.take() {
                Some(permit) => permit,
                None => Arc::clone(&lane.slots)
                    .acquire_owned()
                    .await
                    .expect("semaphore is never closed"),
            };
            if shared.stop.load(Ordering::SeqCst) {
                return;
            }
            lane.pacer.wait(chars).await;
            shared.requests.fetch_add(1, Ordering::Relaxed);
            shared
                .characters_sent
                .fetch_add(chars as u64, Ordering::Relaxed);
            let guard = settings.timeout + Duration::from_secs(5);
            let answer = match tokio::time::timeout(guard, service.send(&group, &texts)).await {
                Ok(answer) => answer,
                Err(_) => Err(BackendError::transient(format!(
                    "{}: no answer within {:?}",
                    service.name(),
                    guard
                ))),
            };
            if answer.is_ok() {
                lane.answered.store(true, Ordering::SeqCst);
            }
            let answer = match answer {
                Err(BackendError::Unreachable { message })
                    if lane.answered.load(Ordering::SeqCst) =>
                {
                    Err(BackendError::transient(message))
                }
                other => other,
            };
            let answer = answer.and_then(|outputs| count_answer(service.as_ref(), &texts, outputs));
            match answer {
                Ok(outputs) => {
                    if !service.observe(&outputs) {
                        lane.held
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(Answer {
                                indices: indices.clone(),
                                group: group.clone(),
                                texts: texts.clone(),
                                outputs,
                            });
                        drop(permit);
                        break Ok(());
                    }
                    let verdicts = item_verdicts(service.as_ref(), &texts, &outputs);
                    if let Some((n, Err(ItemProblem::Suspect(problem)))) = verdicts
                        .iter()
                        .enumerate()
                        .find(|(_, v)| matches!(v, Err(ItemProblem::Suspect(_))))
                    {
                        drop(permit);
                        break Err(BackendError::mismatch(format!(
                            "{}: answer {} of {}: {problem}",
                            service.name(),
                            n + 1,
                            texts.len()
                        )));
                    }
                    // Stored and flushed (one flush shared by the batches that finished
                    // meanwhile) while the slot is still held: once the service sees this
                    // slot's next request, this batch is on disk.
                    lane.release_held(lane_index, &shared).await;
                    let answer = Answer {
                        indices: indices.clone(),
                        group: group.clone(),
                        texts: texts.clone(),
                        outputs,
                    };
                    accept(&lane, lane_index, &shared, answer, verdicts).await;
                    drop(permit);
                    break Ok(());
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
                Err(BackendError::Unreachable { message }) => {
                    shared.stop_with(format!(
                        "{message} (no answer yet in this run: is the server running at that address?)"
                    ));
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
            Ok(()) => {}
            Err(BackendError::Fatal { message }) => {
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
                        Outcome::Failed {
                            error: e.to_string(),
                        },
                    );
                }
            }
        }
    }
}

/// An answer is usable only with one item per text.
fn count_answer<S: Service>(
    service: &S,
    texts: &[String],
    outputs: Vec<S::Output>,
) -> Result<Vec<S::Output>, BackendError> {
    if outputs.len() != texts.len() {
        return Err(BackendError::mismatch(format!(
            "{}: sent {} texts, got {} answers",
            service.name(),
            texts.len(),
            outputs.len()
        )));
    }
    Ok(outputs)
}

/// [`Service::check`] of every item of an answer.
fn item_verdicts<S: Service>(
    service: &S,
    texts: &[String],
    outputs: &[S::Output],
) -> Vec<Result<(), ItemProblem>> {
    texts
        .iter()
        .zip(outputs)
        .map(|(text, output)| service.check(text, output))
        .collect()
}

/// Caches the items of an answer that passed their check, flushes, and resolves every job
/// of it: done (cached or, when the cache cannot be written, only in this run) or failed
/// with its item's problem.
async fn accept<S: Service>(
    lane: &Lane<S>,
    lane_index: usize,
    shared: &Shared<S::Output>,
    answer: Answer<S::Output>,
    verdicts: Vec<Result<(), ItemProblem>>,
) {
    let kept: Vec<(&str, &S::Output)> = answer
        .texts
        .iter()
        .zip(&answer.outputs)
        .zip(&verdicts)
        .filter(|(_, v)| v.is_ok())
        .map(|((t, o), _)| (t.as_str(), o))
        .collect();
    let stored = store(lane, shared, &answer.group, &kept).await;
    if stored.is_ok() {
        // The record count just after this answer's records: they are on disk once a
        // finished flush covers it (see `Driver::run`).
        let sequence = shared.cache.stored_count();
        let mut stored_at = shared.stored_at.lock().unwrap_or_else(|e| e.into_inner());
        for (&i, verdict) in answer.indices.iter().zip(&verdicts) {
            if verdict.is_ok() {
                stored_at[i] = sequence;
            }
        }
    }
    if let Err(e) = &stored {
        // Paid for but not on disk (a full disk, a lost device): keep the answer for this
        // run's outputs, and send nothing more, since nothing more could be kept.
        shared.stop_with(format!(
            "cannot write the cache ({e}); what was received is in this run's outputs but not cached (see not_cached); free space and rerun to fetch it again"
        ));
    }
    let name = lane.service.name();
    for ((i, output), verdict) in answer.indices.into_iter().zip(answer.outputs).zip(verdicts) {
        let outcome = match verdict {
            Ok(()) => Outcome::Done {
                output,
                lane: lane_index,
                cached: false,
                stored: stored.is_ok(),
            },
            Err(problem) => Outcome::Failed {
                error: format!("{name}: {problem}"),
            },
        };
        shared.resolve(i, outcome);
    }
}

/// Writes items of an answer to the cache and has them flushed: at once (the default,
/// `cache.unflushed_batches = 0`: a kill -9 loses only the batches in flight), or — with
/// `unflushed_batches = N` — in the background while the next requests go out, unless more
/// than N × `batch_size` records are not yet on disk (a kill -9 loses that many more at most).
async fn store<S: Service>(
    lane: &Lane<S>,
    shared: &Shared<S::Output>,
    group: &str,
    items: &[(&str, &S::Output)],
) -> Result<(), BackendError> {
    for (text, output) in items {
        lane.memory
            .put(group, text, output)
            .map_err(|e| BackendError::fatal(e.to_string()))?;
    }
    let settings = lane.service.settings();
    let flushed = match settings.unflushed_batches {
        0 => shared.cache.flush_shared().await,
        batches => {
            let slack = (batches * settings.max_items.max(1)) as u64;
            shared.cache.flush_behind(slack).await
        }
    };
    flushed.map_err(|e| BackendError::fatal(e.to_string()))
}

/// Paces requests (per second) and characters (per minute) for one lane.
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
                    // Validated rates keep this within an hour; the cap keeps a bad one
                    // from overflowing the clock.
                    let wait = (-s.char_budget / rate).min(86_400.0);
                    at = at.max(now + Duration::from_secs_f64(wait));
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
    use crate::remote::DriverSettings;

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
        let settings = DriverSettings {
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
            unflushed_batches: 0,
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
