//! Translation stage: the backend interface and the stage that translates every non-pivot
//! sentence through cache → backend(s) → cache.
//!
//! Every backend implements [`Backend`]; [`driver`] makes each one a lane of the shared
//! remote driver (`crate::remote`), which owns batching, concurrency, pacing and retries, and
//! `crate::cache` is the only way translations are stored.

pub mod backends;
pub mod codes;
pub mod driver;
pub mod stage;

use std::collections::HashSet;

pub use crate::cache::Fingerprint;
pub use crate::config::DriverSettings;
pub use crate::remote::{BackendError, BoxFuture};

/// One translated text as a backend returned it.
#[derive(Debug, Clone, PartialEq)]
pub struct Translated {
    pub text: String,
    /// The source language the backend detected (ISO 639-1 when it could be mapped back).
    pub detected_source: Option<String>,
    /// Share of words the backend could translate, for glossing backends (`lexicon`).
    pub coverage: Option<f64>,
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
    /// The fingerprint older builds cached this backend's answers under (with the server's
    /// URL), where it differs: looked up on a miss, and the hit copied to the current key.
    fn legacy_fingerprint(&self) -> Option<Fingerprint> {
        None
    }
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
