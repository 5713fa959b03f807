//! Translation stage: the backend interface, the errors backends report, and the stage that
//! translates every non-pivot sentence through cache → backend(s) → cache.
//!
//! Every backend implements [`Backend`]; the [`driver`] owns batching, concurrency, pacing and
//! retries for all of them, and [`cache`] is the only way translations are stored.

pub mod backends;
pub mod cache;
pub mod codes;
pub mod driver;
pub mod http;
pub mod stage;

use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serde::Serialize;

pub use crate::config::DriverSettings;

/// A boxed future, so that [`Backend`] stays object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One translated text as a backend returned it.
#[derive(Debug, Clone, PartialEq)]
pub struct Translated {
    pub text: String,
    /// The source language the backend detected (ISO 639-1 when it could be mapped back).
    pub detected_source: Option<String>,
    /// Share of words the backend could translate, for glossing backends (`lexicon`).
    pub coverage: Option<f64>,
}

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

/// Language pairs a backend can translate, in ISO 639-1 codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PairSupport {
    /// Every pair whose codes the backend can express.
    Any,
    /// Exactly these (source, target) pairs.
    Pairs(HashSet<(String, String)>),
}

impl PairSupport {
    pub fn supports(&self, source: &str, target: &str) -> bool {
        match self {
            PairSupport::Any => true,
            PairSupport::Pairs(pairs) => pairs.contains(&(source.to_string(), target.to_string())),
        }
    }

    /// One supported pair (the first in sorted order), `None` for [`PairSupport::Any`].
    pub fn example(&self) -> Option<(String, String)> {
        match self {
            PairSupport::Any => None,
            PairSupport::Pairs(p) => p.iter().min().cloned(),
        }
    }

    /// Number of pairs, `None` for [`PairSupport::Any`].
    pub fn pair_count(&self) -> Option<usize> {
        match self {
            PairSupport::Any => None,
            PairSupport::Pairs(p) => Some(p.len()),
        }
    }
}

/// Everything about a backend that changes its output; hashed into every cache key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fingerprint {
    pub kind: &'static str,
    pub options: BTreeMap<&'static str, String>,
}

impl Fingerprint {
    pub fn new(kind: &'static str) -> Self {
        Fingerprint {
            kind,
            options: BTreeMap::new(),
        }
    }

    /// Adds an option; `None` values are left out, so adding an unset option later does not
    /// change existing keys.
    pub fn with(mut self, key: &'static str, value: Option<impl ToString>) -> Self {
        if let Some(v) = value {
            self.options.insert(key, v.to_string());
        }
        self
    }

    /// Canonical text of the fingerprint (sorted keys).
    pub fn canonical(&self) -> String {
        serde_json::to_string(self).expect("a fingerprint is plain strings")
    }
}

/// A translation service. Implementations translate one request; the driver decides what
/// goes into a request, when it is sent and what happens on failure.
pub trait Backend: Send + Sync {
    /// Name of the `[backends.NAME]` table.
    fn name(&self) -> &str;
    /// `kind` of the table (`deepl`, `apertium`, ...).
    fn kind(&self) -> &'static str;
    /// True when the backend never touches the network (usable with `--offline`).
    fn is_offline(&self) -> bool {
        false
    }
    fn settings(&self) -> &DriverSettings;
    fn fingerprint(&self) -> Fingerprint;
    /// True when the backend can express both languages (ISO 639-1) and is configured for
    /// the source language; says nothing about what the server has installed.
    fn knows_pair(&self, source: &str, target: &str) -> bool;
    /// The pairs the backend supports; may ask the server.
    fn supported_pairs(&self) -> BoxFuture<'_, Result<PairSupport, BackendError>>;
    /// Translates `texts` from `source` (ISO 639-1, or `auto`) into `target`; the answer has
    /// one item per text, in order.
    fn translate<'a>(
        &'a self,
        source: &'a str,
        target: &'a str,
        texts: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<Translated>, BackendError>>;
}
