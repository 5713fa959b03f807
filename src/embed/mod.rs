//! Embedding stage: sentences → multilingual sentence vectors through an embedding service,
//! with every vector cached. One module per protocol (`openai`, `tei`, `ollama`, `command`)
//! implements only its request and answer; [`Embedder`] adds what they share (name, limits,
//! prefix, fingerprint, the vector checks) and plugs them into the remote driver.

mod command;
mod ollama;
mod openai;
mod protocol;
pub mod stage;
mod tei;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use half::f16;
use serde::{Deserialize, Serialize};

use crate::cache::{self, Cache, CacheError, Fingerprint, VectorRecord};
use crate::config::{EmbedderConfig, EmbedderKind};
use crate::error::SetupError;
use crate::remote::driver::{self, Counters, Lane, Outcome, Plan};
use crate::remote::http::Secret;
use crate::remote::{
    BackendError, BoxFuture, DriverSettings, ItemProblem, Memory, Service, fill_from_legacy,
};
use protocol::Protocol;

/// An embedding service with the shared parts: a [`Service`] for the remote driver.
pub struct Embedder {
    name: String,
    kind: EmbedderKind,
    settings: DriverSettings,
    prefix: String,
    /// The dimension every vector must have: from `dimensions`, else voted on by the
    /// cached vectors and the first answers.
    dimension: Mutex<DimensionVote>,
    fingerprint: Fingerprint,
    /// The fingerprint older builds cached its vectors under (with the URL), if it differs.
    legacy_fingerprint: Option<Fingerprint>,
    protocol: Box<dyn Protocol>,
}

impl Embedder {
    pub fn kind(&self) -> &'static str {
        self.kind.as_str()
    }
    pub fn fingerprint(&self) -> &Fingerprint {
        &self.fingerprint
    }
    /// The vector dimension, once known.
    pub fn dimension(&self) -> Option<usize> {
        self.vote().decided
    }
    fn vote(&self) -> std::sync::MutexGuard<'_, DimensionVote> {
        self.dimension.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// How the vector dimension is decided when `dimensions` does not fix it: never by
/// whichever answer lands first. Cached vectors (checked when they arrived) decide by their
/// majority; otherwise answers are held until at least two have come and one dimension
/// has more than half of their vectors (or, when no more answers come, by the majority).
#[derive(Debug, Default)]
struct DimensionVote {
    decided: Option<usize>,
    answers: usize,
    vectors: usize,
    counts: HashMap<usize, usize>,
}

impl DimensionVote {
    fn fixed(dimension: usize) -> Self {
        DimensionVote {
            decided: Some(dimension),
            ..DimensionVote::default()
        }
    }

    /// The most common dimension so far and its count (ties go to the larger dimension,
    /// so that a truncated vector never wins a tie).
    fn leader(&self) -> Option<(usize, usize)> {
        self.counts
            .iter()
            .map(|(&d, &n)| (d, n))
            .max_by_key(|&(d, n)| (n, d))
    }

    /// Counts one answer; true once the dimension is decided.
    fn observe(&mut self, lengths: impl Iterator<Item = usize>) -> bool {
        if self.decided.is_some() {
            return true;
        }
        self.answers += 1;
        for length in lengths.filter(|&l| l > 0) {
            self.vectors += 1;
            *self.counts.entry(length).or_default() += 1;
        }
        if let Some((dimension, n)) = self.leader()
            && self.answers >= 2
            && 2 * n > self.vectors
        {
            self.decided = Some(dimension);
        }
        self.decided.is_some()
    }

    /// Decides by the majority of what was counted (nothing counted: nothing decided).
    fn settle(&mut self) {
        if self.decided.is_none() {
            self.decided = self.leader().map(|(d, _)| d);
        }
    }
}

impl Service for Embedder {
    /// Half precision, as the cache stores it: a fresh vector and a cached one are equal,
    /// and a run holds half the memory for them.
    type Output = Vec<f16>;
    const DONE: &'static str = "embedded";

    fn describe(&self, _group: &str) -> String {
        "embeds".into()
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn is_offline(&self) -> bool {
        self.kind == EmbedderKind::Command
    }
    fn settings(&self) -> &DriverSettings {
        &self.settings
    }
    fn send<'a>(
        &'a self,
        _group: &'a str,
        texts: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<Vec<f16>>, BackendError>> {
        Box::pin(async move {
            let vectors = if self.prefix.is_empty() {
                self.protocol.embed(&self.name, texts).await?
            } else {
                let prefixed: Vec<String> = texts
                    .iter()
                    .map(|t| format!("{}{t}", self.prefix))
                    .collect();
                self.protocol.embed(&self.name, &prefixed).await?
            };
            // Values beyond f16's range become infinite and are then rejected as non-finite.
            Ok(vectors
                .into_iter()
                .map(|v| v.into_iter().map(f16::from_f32).collect())
                .collect())
        })
    }
    /// A vector stands alone: a bad one fails by itself, the rest of its answer is kept.
    fn check(&self, _text: &str, vector: &Vec<f16>) -> Result<(), ItemProblem> {
        check_vector(vector, self.dimension()).map_err(ItemProblem::Alone)
    }
    fn observe(&self, vectors: &[Vec<f16>]) -> bool {
        self.vote().observe(vectors.iter().map(Vec::len))
    }
    fn settle(&self) {
        self.vote().settle();
    }
}

/// A vector is usable when it has the model's dimension (once decided), only finite
/// numbers and a length.
fn check_vector(vector: &[f16], dimension: Option<usize>) -> Result<(), String> {
    if vector.is_empty() {
        return Err("an empty vector (or an item that is no vector)".into());
    }
    if let Some(expected) = dimension
        && vector.len() != expected
    {
        return Err(format!(
            "a vector of {} dimensions where the model gives {expected}",
            vector.len()
        ));
    }
    if let Some(x) = vector.iter().find(|x| !x.is_finite()) {
        return Err(format!("a vector with the non-finite number {x}"));
    }
    if vector.iter().all(|x| x.to_f32() == 0.0) {
        return Err("a zero vector".into());
    }
    Ok(())
}

/// Builds the embedder of a validated table; reads its API key from the environment (not
/// needed unless `sending`: a dry run sends nothing). `url` is the base URL to use (the
/// table's, or the one of a server started for the run).
pub fn build(
    config: &EmbedderConfig,
    url: Option<&str>,
    sending: bool,
) -> Result<Arc<Embedder>, SetupError> {
    let key = Secret::for_service(
        config.api_key_env.as_deref(),
        &format!("embedders.{}", config.name),
        &config.name,
        sending,
    )?;
    let url = url.or(config.url.as_deref());
    // A server started for the run gets a new port every time: its identity is the command.
    let identity = match &config.spawn {
        Some(spawn) => Some(spawn.identity()),
        None => url.map(str::to_string),
    };
    let protocol: Box<dyn Protocol> = match config.kind {
        EmbedderKind::OpenAi => Box::new(openai::OpenAi::new(config, url, key)),
        EmbedderKind::Tei => Box::new(tei::Tei::new(config, url, key)),
        EmbedderKind::Ollama => Box::new(ollama::Ollama::new(config, url)),
        EmbedderKind::Command => Box::new(command::Command::new(config)),
    };
    let (base, legacy) = Fingerprint::identity(
        config.kind.as_str(),
        identity.as_deref(),
        config.model.is_some(),
        config.cache_identity.as_deref(),
    );
    let options = |f: Fingerprint| {
        f.with("prefix", Some(&config.prefix).filter(|p| !p.is_empty()))
            .with("dimensions", config.dimensions)
            .with("revision", config.revision.as_deref())
    };
    let dimension = Mutex::new(
        config
            .dimensions
            .map_or_else(DimensionVote::default, DimensionVote::fixed),
    );
    Ok(Arc::new(Embedder {
        name: config.name.clone(),
        kind: config.kind,
        settings: config.settings.clone(),
        prefix: config.prefix.clone(),
        dimension,
        fingerprint: protocol.fingerprint(options(base)),
        legacy_fingerprint: legacy.map(|l| protocol.fingerprint(options(l))),
        protocol,
    }))
}

/// The vector records of one embedder fingerprint.
struct VectorMemory {
    cache: Arc<Cache>,
    fingerprint: String,
    /// Where older builds cached this embedder's vectors (with the URL), if elsewhere.
    legacy_fingerprint: Option<String>,
    embedder: Arc<Embedder>,
}

impl VectorMemory {
    /// The vectors cached under `fingerprint` for `items`.
    fn vectors(
        &self,
        fingerprint: &str,
        items: &[(&str, &str)],
    ) -> Result<Vec<Option<Vec<f16>>>, CacheError> {
        let keys: Vec<[u8; 32]> = items
            .iter()
            .map(|(_, text)| crate::cache::vector_key(fingerprint, text))
            .collect();
        self.cache.get_vectors(&keys)
    }

    /// Cached vectors of another dimension than this embedder's (left by an older build, or
    /// a server that changed) are misses: embedded again, with a warning giving the count.
    /// Without `dimensions`, the cached vectors' majority decides the dimension.
    fn admit(&self, mut found: Vec<Option<Vec<f16>>>) -> Vec<Option<Vec<f16>>> {
        let mut vote = self.embedder.vote();
        if vote.decided.is_none() {
            let mut cached = DimensionVote::default();
            cached.observe(found.iter().flatten().map(Vec::len));
            cached.settle();
            vote.decided = cached.decided;
        }
        let Some(dimension) = vote.decided else {
            return found;
        };
        drop(vote);
        let mut other = 0;
        for slot in &mut found {
            if slot.as_ref().is_some_and(|v| v.len() != dimension) {
                *slot = None;
                other += 1;
            }
        }
        if other > 0 {
            tracing::warn!(
                "embedder {}: {other} cached vectors have another dimension than its {dimension}; embedding them again",
                self.embedder.name
            );
        }
        found
    }
}

impl Memory<Vec<f16>> for VectorMemory {
    fn get(&self, group: &str, text: &str) -> Result<Option<Vec<f16>>, CacheError> {
        Ok(self.get_many(&[(group, text)])?.pop().flatten())
    }
    fn put(&self, _group: &str, text: &str, vector: &Vec<f16>) -> Result<(), CacheError> {
        self.cache.put_vector(&VectorRecord::new(
            &self.fingerprint,
            (&self.embedder.name, self.embedder.kind()),
            text,
            vector,
        ))
    }
    fn key(&self, _group: &str, text: &str) -> [u8; 32] {
        crate::cache::vector_key(&self.fingerprint, text)
    }
    fn get_many(&self, items: &[(&str, &str)]) -> Result<Vec<Option<Vec<f16>>>, CacheError> {
        let mut found = self.vectors(&self.fingerprint, items)?;
        if let Some(legacy) = &self.legacy_fingerprint {
            fill_from_legacy(
                &mut found,
                items,
                |asked| self.vectors(legacy, asked),
                |group, text, vector| self.put(group, text, vector),
            )?;
        }
        Ok(self.admit(found))
    }
}

/// Scales a vector to unit length in place (a zero vector stays zero).
pub fn normalise(vector: &mut [f16]) {
    let norm = vector
        .iter()
        .map(|x| x.to_f32() * x.to_f32())
        .sum::<f32>()
        .sqrt()
        .max(1e-12);
    for x in vector {
        *x = f16::from_f32(x.to_f32() / norm);
    }
}

/// L2-normalised vectors of distinct texts, looked up by text, kept as half-precision floats
/// (the precision of the cache), each in the allocation it arrived in.
#[derive(Debug, Clone, Default)]
pub struct Vectors {
    dimension: usize,
    index: HashMap<String, usize>,
    rows: Vec<Vec<f16>>,
}

impl Vectors {
    /// An empty set of vectors of one dimension.
    pub fn new(dimension: usize) -> Self {
        Vectors {
            dimension,
            ..Vectors::default()
        }
    }

    /// Adds (or replaces) the vector of `text`, normalised to unit length in place.
    pub fn insert(&mut self, text: &str, mut vector: Vec<f16>) {
        if self.dimension == 0 {
            self.dimension = vector.len();
        }
        if vector.len() != self.dimension {
            return;
        }
        normalise(&mut vector);
        match self.index.get(text) {
            Some(&row) => self.rows[row] = vector,
            None => {
                self.index.insert(text.to_string(), self.rows.len());
                self.rows.push(vector);
            }
        }
    }

    /// Adds the vectors of `other` (of the same dimension) that this set lacks.
    pub fn absorb(&mut self, other: Vectors) {
        if self.dimension == 0 {
            self.dimension = other.dimension;
        }
        if other.dimension != self.dimension {
            return;
        }
        let mut rows: Vec<Option<Vec<f16>>> = other.rows.into_iter().map(Some).collect();
        for (text, row) in other.index {
            if !self.index.contains_key(&text) {
                self.index.insert(text, self.rows.len());
                self.rows.push(rows[row].take().unwrap_or_default());
            }
        }
    }

    /// The unit vector of `text`, if it was embedded.
    pub fn get(&self, text: &str) -> Option<&[f16]> {
        Some(self.rows[*self.index.get(text)?].as_slice())
    }

    pub fn dimension(&self) -> usize {
        self.dimension
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
}

/// The embedding part of `summary.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EmbeddingReport {
    pub embedder: String,
    pub kind: String,
    pub dimension: usize,
    /// Counters over distinct texts.
    pub texts: u64,
    pub cache_hits: u64,
    pub embedded: u64,
    pub failed: u64,
    pub requests: u64,
    pub retries: u64,
    pub splits: u64,
    pub characters_sent: u64,
    /// Vectors received in this run that could not be written to the cache.
    pub not_cached: u64,
    pub time_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    pub interrupted: bool,
    /// The first few texts that got no vector, with the reason.
    pub failures: Vec<String>,
}

impl EmbeddingReport {
    pub fn complete(&self) -> bool {
        self.failed == 0 && self.stopped.is_none()
    }

    /// Adds another shard's report to this one.
    pub fn add(&mut self, other: EmbeddingReport) {
        self.texts += other.texts;
        self.cache_hits += other.cache_hits;
        self.embedded += other.embedded;
        self.failed += other.failed;
        self.requests += other.requests;
        self.retries += other.retries;
        self.splits += other.splits;
        self.characters_sent += other.characters_sent;
        self.not_cached += other.not_cached;
        self.time_ms += other.time_ms;
        self.stopped = self.stopped.take().or(other.stopped);
        self.interrupted |= other.interrupted;
        self.failures.extend(other.failures);
    }
}

/// Vectors of `texts` and what it took to get them: one outcome per text, in order.
pub struct Embedded {
    pub outcomes: Vec<Result<Vec<f16>, String>>,
    pub report: EmbeddingReport,
}

impl Embedded {
    /// Nothing embedded: the stage stopped before it began, for `reason`.
    pub fn stopped(embedder: &Embedder, texts: &[String], reason: String) -> Embedded {
        Embedded {
            outcomes: texts
                .iter()
                .map(|_| Err(format!("not embedded: {reason}")))
                .collect(),
            report: EmbeddingReport {
                embedder: embedder.name.clone(),
                kind: embedder.kind().to_string(),
                dimension: embedder.dimension().unwrap_or(0),
                texts: texts.len() as u64,
                cache_hits: 0,
                embedded: 0,
                failed: texts.len() as u64,
                requests: 0,
                retries: 0,
                splits: 0,
                characters_sent: 0,
                not_cached: 0,
                time_ms: 0,
                stopped: Some(reason),
                interrupted: false,
                failures: Vec::new(),
            },
        }
    }

    /// [`Embedded::into_vectors`], or `None` when not one text got a vector (the embedder
    /// was unreachable): the caller then aligns by the lexical similarity alone.
    pub fn usable_vectors(self, texts: &[String]) -> Option<Vectors> {
        Some(self.into_vectors(texts)).filter(|v| !v.is_empty())
    }

    /// The vectors of the texts that got one (moved, not copied).
    pub fn into_vectors(self, texts: &[String]) -> Vectors {
        let mut vectors = Vectors::new(self.report.dimension);
        for (text, outcome) in texts.iter().zip(self.outcomes) {
            if let Ok(v) = outcome {
                vectors.insert(text, v);
            }
        }
        vectors
    }
}

fn driver_for(
    embedder: Arc<Embedder>,
    cache: Arc<Cache>,
    offline: bool,
    progress: indicatif::ProgressBar,
) -> driver::Driver<Embedder> {
    let memory = VectorMemory {
        cache: Arc::clone(&cache),
        fingerprint: cache::fingerprint_hash(embedder.fingerprint()),
        legacy_fingerprint: embedder
            .legacy_fingerprint
            .as_ref()
            .map(cache::fingerprint_hash),
        embedder: Arc::clone(&embedder),
    };
    let lane = Lane::new(embedder, Box::new(memory));
    driver::Driver::new(vec![lane], cache, offline, progress)
}

fn jobs(texts: &[String]) -> Vec<driver::Job> {
    texts
        .iter()
        .map(|t| driver::Job {
            group: String::new(),
            text: t.clone(),
        })
        .collect()
}

/// Embeds distinct `texts` through the cache and the embedder.
pub async fn embed_texts(
    embedder: Arc<Embedder>,
    cache: Arc<Cache>,
    texts: &[String],
    offline: bool,
    progress: indicatif::ProgressBar,
) -> Result<Embedded, CacheError> {
    let started = std::time::Instant::now();
    let driver = driver_for(Arc::clone(&embedder), cache, offline, progress);
    let report = driver.run(jobs(texts)).await?;
    let outcomes: Vec<Result<Vec<f16>, String>> = report
        .results
        .into_iter()
        .map(|o| match o {
            Outcome::Done { output, .. } => Ok(output),
            Outcome::Failed { error } => Err(error),
        })
        .collect();
    let dimension = embedder
        .dimension()
        .or_else(|| outcomes.iter().find_map(|o| o.as_ref().ok().map(Vec::len)))
        .unwrap_or(0);
    let Counters {
        texts: count,
        cache_hits,
        done,
        failed,
        requests,
        retries,
        splits,
        characters_sent,
        not_cached,
    } = report.counters;
    let failures = texts
        .iter()
        .zip(&outcomes)
        .filter_map(|(t, o)| o.as_ref().err().map(|e| format!("{t:?}: {e}")))
        .take(10)
        .collect();
    Ok(Embedded {
        report: EmbeddingReport {
            embedder: embedder.name.clone(),
            kind: embedder.kind().to_string(),
            dimension,
            texts: count,
            cache_hits,
            embedded: done,
            failed,
            requests,
            retries,
            splits,
            characters_sent,
            not_cached,
            time_ms: started.elapsed().as_millis() as u64,
            stopped: report.stopped,
            interrupted: report.interrupted,
            failures,
        },
        outcomes,
    })
}

/// What embedding `texts` would send after cache hits; sends nothing.
pub async fn plan_texts(
    embedder: Arc<Embedder>,
    cache: Arc<Cache>,
    texts: &[String],
    offline: bool,
) -> Result<Plan, CacheError> {
    let driver = driver_for(embedder, cache, offline, indicatif::ProgressBar::hidden());
    driver.plan(&jobs(texts)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_are_checked_for_dimension_finiteness_and_length() {
        let half = |v: &[f32]| v.iter().map(|&x| f16::from_f32(x)).collect::<Vec<_>>();
        assert!(check_vector(&half(&[1.0, 0.0]), Some(2)).is_ok());
        assert!(check_vector(&half(&[1.0, 0.0, 0.0]), Some(2)).is_err());
        assert!(check_vector(&half(&[f32::NAN, 0.0]), Some(2)).is_err());
        assert!(check_vector(&half(&[1e6, 0.0]), Some(2)).is_err());
        assert!(check_vector(&half(&[0.0, 0.0]), Some(2)).is_err());
        assert!(check_vector(&[], None).is_err());
    }

    #[test]
    fn the_dimension_is_the_majority_of_the_first_answers_not_the_first_one() {
        // A first answer of 8-d vectors, then two of 16: 16 wins once it has a majority.
        let mut vote = DimensionVote::default();
        assert!(!vote.observe([8; 16].into_iter()));
        assert!(!vote.observe([16; 16].into_iter()), "a tie decides nothing");
        assert!(vote.observe([16; 16].into_iter()));
        assert_eq!(vote.decided, Some(16));
        // A few 15-d vectors among 16-d ones: decided at the second answer.
        let mut vote = DimensionVote::default();
        assert!(!vote.observe([16, 15, 16, 16].into_iter()));
        assert!(vote.observe([16, 16, 15, 16].into_iter()));
        assert_eq!(vote.decided, Some(16));
        // One answer only: the run's end settles by its majority.
        let mut vote = DimensionVote::default();
        vote.observe([15, 16, 16].into_iter());
        vote.settle();
        assert_eq!(vote.decided, Some(16));
        // `dimensions` fixes it whatever comes.
        let mut vote = DimensionVote::fixed(8);
        assert!(vote.observe([16; 4].into_iter()));
        assert_eq!(vote.decided, Some(8));
    }

    #[test]
    fn vectors_cached_under_the_old_address_key_are_found_and_moved() {
        let text =
            "[embedders.e]\nkind = \"openai\"\nurl = \"http://127.0.0.1:9/v1\"\nmodel = \"m\"\n";
        let raw: crate::config::RawConfig = toml::from_str(text).unwrap();
        let config =
            crate::config::Config::validate(raw, None, text, &crate::config::Overrides::default())
                .unwrap();
        let embedder = build(&config.embedders["e"], None, false).unwrap();
        let legacy = cache::fingerprint_hash(embedder.legacy_fingerprint.as_ref().unwrap());
        let current = cache::fingerprint_hash(embedder.fingerprint());
        assert_ne!(legacy, current, "the address is no longer part of the key");
        let dir = tempfile::tempdir().unwrap();
        let cache = Arc::new(Cache::open(&dir.path().join("c")).unwrap());
        let half = |v: &[f32]| v.iter().map(|&x| f16::from_f32(x)).collect::<Vec<_>>();
        cache
            .put_vector(&VectorRecord::new(
                &legacy,
                ("e", "openai"),
                "old",
                &half(&[1.0, 2.0]),
            ))
            .unwrap();
        let memory = VectorMemory {
            cache: Arc::clone(&cache),
            fingerprint: current.clone(),
            legacy_fingerprint: Some(legacy),
            embedder,
        };
        assert_eq!(memory.get("", "old").unwrap(), Some(half(&[1.0, 2.0])));
        assert_eq!(memory.get("", "new").unwrap(), None);
        // Moved: found under the current key alone now.
        assert_eq!(
            cache.get_vector(&current, "old").unwrap(),
            Some(half(&[1.0, 2.0]))
        );
    }

    #[test]
    fn vectors_are_normalised_and_found_by_text() {
        let mut v = Vectors::new(2);
        let half = |v: &[f32]| v.iter().map(|&x| f16::from_f32(x)).collect::<Vec<_>>();
        v.insert("a", half(&[3.0, 4.0]));
        v.insert("b", half(&[0.0, 2.0]));
        let wide = |t: &str| {
            v.get(t)
                .map(|x| x.iter().map(|c| c.to_f32()).collect::<Vec<_>>())
        };
        assert_eq!(
            wide("a"),
            Some(vec![
                f16::from_f32(0.6).to_f32(),
                f16::from_f32(0.8).to_f32()
            ])
        );
        assert_eq!(wide("b"), Some(vec![0.0, 1.0]));
        assert!(v.get("c").is_none());
        assert_eq!(v.len(), 2);
    }
}
