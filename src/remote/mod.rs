//! Remote batch work, for translations and embeddings alike: the [`Service`] a backend or
//! embedder implements, the errors every request is classified into, the HTTP plumbing, and
//! the one [`driver`] that batches, paces, retries, splits and caches for all of them.

pub mod driver;
pub mod http;
pub mod json;
pub mod process;
pub mod spawn;

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

pub use crate::config::DriverSettings;
pub use crate::error::CacheError;

/// A boxed future, so that the service traits stay object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What went wrong in one request, classified by what the driver should do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// Worth retrying: 429, 5xx, 529, time-outs, connection resets, malformed bodies.
    #[error("{message}")]
    Transient {
        message: String,
        /// What the server asked for in `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// The request was too large (413, or a documented size error): split the batch.
    #[error("request too large: {message}")]
    TooLarge { message: String },
    /// The answer did not match the request item for item (wrong count, missing or duplicated
    /// ids, truncated output): split the batch, and fail the text when it is alone.
    #[error("{message}")]
    Mismatch { message: String },
    /// This text (or one of the batch) cannot be translated: unsupported pair, rejected
    /// input. Split to isolate the culprit; the rest of the run goes on.
    #[error("{message}")]
    Rejected { message: String },
    /// Nothing more can be sent: authentication failed or the quota is exhausted.
    #[error("{message}")]
    Fatal { message: String },
    /// The server could not be reached at all (connection refused, no such host). Once it
    /// has answered in this run this is retried like [`BackendError::Transient`] (it may be
    /// restarting); before, it ends the service's work at once, with one message: a server
    /// that is not running does not start by being waited for.
    #[error("{message}")]
    Unreachable { message: String },
}

impl BackendError {
    pub fn transient(message: impl Into<String>) -> Self {
        BackendError::Transient {
            message: message.into(),
            retry_after: None,
        }
    }
    pub fn mismatch(message: impl Into<String>) -> Self {
        BackendError::Mismatch {
            message: message.into(),
        }
    }
    pub fn rejected(message: impl Into<String>) -> Self {
        BackendError::Rejected {
            message: message.into(),
        }
    }
    pub fn fatal(message: impl Into<String>) -> Self {
        BackendError::Fatal {
            message: message.into(),
        }
    }
}

/// Which groups of texts (source languages for translations) a service takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Support {
    Any,
    Only(HashSet<String>),
}

impl Support {
    pub fn covers(&self, group: &str) -> bool {
        match self {
            Support::Any => true,
            Support::Only(groups) => groups.contains(group),
        }
    }
}

/// Why one item of an answer is unusable, and what that says about the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemProblem {
    /// This item alone is wrong (a vector of the wrong size, an answer echoing the API key):
    /// it fails without a new request, and the rest of the answer is kept.
    Alone(String),
    /// The answer may be shifted as a whole (an empty translation in a batch): the batch
    /// is split and sent again to isolate the item.
    Suspect(String),
}

impl ItemProblem {
    pub fn message(&self) -> &str {
        match self {
            ItemProblem::Alone(m) | ItemProblem::Suspect(m) => m,
        }
    }
}

impl std::fmt::Display for ItemProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

/// One remote service as the driver sees it: a translation backend into one target, or an
/// embedder. Implementations make one request; the driver decides what goes into it, when
/// it is sent and what happens on failure.
pub trait Service: Send + Sync + 'static {
    /// What one text becomes.
    type Output: Clone + Send + Sync + 'static;
    /// The word for finished work in messages ("translated").
    const DONE: &'static str;
    /// What the service does with a group, for messages ("translates id→en").
    fn describe(&self, group: &str) -> String;
    /// The name of the configured table.
    fn name(&self) -> &str;
    /// True when the service never touches the network (usable with `--offline`).
    fn is_offline(&self) -> bool {
        false
    }
    fn settings(&self) -> &DriverSettings;
    /// True when the service may take texts of `group` at all (configuration and code
    /// tables; says nothing about what the server has installed).
    fn accepts(&self, _group: &str) -> bool {
        true
    }
    /// The reason [`Service::accepts`] refused a group, for messages.
    fn refusal(&self) -> &'static str {
        "no code for the pair"
    }
    /// The groups the server supports; asked once per run, only when something must be sent.
    fn supported(&self) -> BoxFuture<'_, Result<Support, BackendError>> {
        Box::pin(async { Ok(Support::Any) })
    }
    /// One request: `texts` of `group`; the answer has one item per text, in order.
    fn send<'a>(
        &'a self,
        group: &'a str,
        texts: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<Self::Output>, BackendError>>;
    /// Checks one answer item against its text; a problem makes the item unusable (it is
    /// never cached), see [`ItemProblem`].
    fn check(&self, _text: &str, _output: &Self::Output) -> Result<(), ItemProblem> {
        Ok(())
    }
    /// Sees every answer before its items are checked; false while the service needs more
    /// answers before it can check any (the embedder's vote on the vector dimension). A
    /// held answer is checked and cached once a later answer, or [`Service::settle`],
    /// decides.
    fn observe(&self, _outputs: &[Self::Output]) -> bool {
        true
    }
    /// No more answers will come in this run: decide with what was observed.
    fn settle(&self) {}
}

/// How a lane reads and writes the cache for its service's outputs.
pub trait Memory<O>: Send + Sync {
    fn get(&self, group: &str, text: &str) -> Result<Option<O>, CacheError>;
    /// Stores one output (durable after the cache's next flush).
    fn put(&self, group: &str, text: &str, output: &O) -> Result<(), CacheError>;
    /// The cache key of a text (what workers sharing a cache claim before sending it).
    fn key(&self, group: &str, text: &str) -> [u8; 32];
    /// [`Memory::get`] of many (group, text) pairs, in order: one round trip per chunk
    /// with a shared cache.
    fn get_many(&self, items: &[(&str, &str)]) -> Result<Vec<Option<O>>, CacheError>;
}

/// Fills the misses of `found` (one per item) from the key an older build used (see
/// [`crate::cache::Fingerprint::identity`]), and copies every such hit to the current key,
/// so the next look-up is direct. A copy that cannot be written (a read-only or full
/// cache) is skipped: the answer is still used.
pub fn fill_from_legacy<O>(
    found: &mut [Option<O>],
    items: &[(&str, &str)],
    legacy: impl FnOnce(&[(&str, &str)]) -> Result<Vec<Option<O>>, CacheError>,
    keep: impl Fn(&str, &str, &O) -> Result<(), CacheError>,
) -> Result<(), CacheError> {
    let missing: Vec<usize> = (0..found.len()).filter(|&i| found[i].is_none()).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let asked: Vec<(&str, &str)> = missing.iter().map(|&i| items[i]).collect();
    let mut copied = 0;
    for (i, old) in missing.into_iter().zip(legacy(&asked)?) {
        if let Some(output) = old {
            if keep(items[i].0, items[i].1, &output).is_ok() {
                copied += 1;
            }
            found[i] = Some(output);
        }
    }
    if copied > 0 {
        tracing::info!("{copied} cached answers moved to their address-free cache keys");
    }
    Ok(())
}

/// A multi-threaded runtime sized for the machine (network-bound work; two workers are plenty).
pub fn runtime() -> Result<tokio::runtime::Runtime, std::io::Error> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// Delay before retry `attempt` (1-based): `Retry-After` when the server sent one (up to the
/// cap), else exponential back-off (×1.6 per attempt, capped) with ±20% jitter.
pub fn backoff(settings: &DriverSettings, attempt: u32, retry_after: Option<Duration>) -> Duration {
    if let Some(wait) = retry_after {
        return wait.min(settings.retry_after_cap);
    }
    let base = settings.retry_initial.as_secs_f64() * 1.6f64.powi(attempt as i32 - 1);
    let capped = base.min(settings.retry_max.as_secs_f64());
    Duration::from_secs_f64(capped * (0.8 + 0.4 * fastrand::f64()))
}
