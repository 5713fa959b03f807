//! The cache: the store every translation and every embedding vector goes through — a
//! sled database, or a Redis server shared by the workers of a sharded run ([`store`]).
//!
//! Nothing else in transalign touches sled or Redis. Translations live in the default tree: a key is
//! the SHA-256 of the cache schema version, the backend fingerprint hash, the source language
//! (`auto` is its own value), the target language and the NFC text; the value is a versioned
//! JSON [`CacheRecord`]. Vectors live in the tree `vectors`: a key is the SHA-256 of the
//! vector schema version, the embedder fingerprint hash and the NFC text; the value is a
//! [`VectorRecord`] in a compact binary form (little-endian f16 components after a short
//! JSON header). Only validated, complete results are ever written.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

pub use crate::error::CacheError;
pub use store::Location;
pub use store::hex;
use store::{RedisStore, Tree, unhex};

pub mod store;

/// Version of the key derivation and of [`CacheRecord`]; bump it to invalidate every entry.
pub const CACHE_SCHEMA_VERSION: u32 = 1;

/// One cached translation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CacheRecord {
    /// [`CACHE_SCHEMA_VERSION`] of the record.
    pub v: u32,
    /// Hash of the backend fingerprint the translation was made with.
    pub fingerprint: String,
    /// Name of the backend table at the time (informational: renaming a table keeps entries).
    pub backend: String,
    pub kind: String,
    /// Requested source language (`auto` when the backend detected it).
    pub source: String,
    pub target: String,
    /// The source text (NFC).
    pub text: String,
    pub translation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detected_source: Option<String>,
    /// Share of words translated (glossing backends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<f64>,
    /// Seconds since the Unix epoch.
    #[serde(default)]
    pub created: u64,
}

/// Everything about a backend or embedder that changes its output; hashed into every cache
/// key.
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

    /// The fingerprint of a service by what determines its answers, and the one older
    /// builds used (with the server's address, `None` when that is the same): a kind that
    /// names its model (`names_its_model`) or a `cache_identity` is known without its
    /// address, so the same model behind another host or port is a cache hit; a service
    /// that names nothing is still known by its `address`.
    pub fn identity(
        kind: &'static str,
        address: Option<&str>,
        names_its_model: bool,
        cache_identity: Option<&str>,
    ) -> (Fingerprint, Option<Fingerprint>) {
        let legacy = Fingerprint::new(kind).with("url", address);
        let current = match cache_identity {
            Some(identity) => Fingerprint::new(kind).with("identity", Some(identity)),
            None if names_its_model => Fingerprint::new(kind),
            None => legacy.clone(),
        };
        let legacy = (legacy != current).then_some(legacy);
        (current, legacy)
    }

    /// Canonical text of the fingerprint (sorted keys).
    pub fn canonical(&self) -> String {
        serde_json::to_string(self).expect("a fingerprint is plain strings")
    }
}

/// Version of the vector key derivation and of the stored [`VectorRecord`] layout.
pub const VECTOR_SCHEMA_VERSION: u8 = 1;

/// Name of the sled tree that holds vectors.
const VECTOR_TREE: &str = "vectors";

/// One cached embedding vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VectorRecord {
    /// Hash of the embedder fingerprint the vector was made with.
    pub fingerprint: String,
    /// Name of the embedder table at the time (informational).
    pub embedder: String,
    pub kind: String,
    /// The embedded text (NFC).
    pub text: String,
    pub vector: Vec<f32>,
    /// Seconds since the Unix epoch.
    #[serde(default)]
    pub created: u64,
}

/// The JSON header stored in front of a vector's components.
#[derive(Serialize, Deserialize)]
struct VectorHeader {
    fingerprint: String,
    embedder: String,
    kind: String,
    text: String,
    created: u64,
    dimension: usize,
}

impl VectorRecord {
    /// A new record for a vector made now.
    pub fn new(
        fingerprint_hash: &str,
        embedder: (&str, &str),
        text: &str,
        vector: &[half::f16],
    ) -> Self {
        VectorRecord {
            fingerprint: fingerprint_hash.to_string(),
            embedder: embedder.0.to_string(),
            kind: embedder.1.to_string(),
            text: text.nfc().collect(),
            vector: vector.iter().map(|x| x.to_f32()).collect(),
            created: now(),
        }
    }

    /// `[version][u32 header length][JSON header][f16 components]`: half the size of f32
    /// with no measurable effect on alignment (docs/src/embeddings.md).
    fn encode(&self) -> Vec<u8> {
        let header = serde_json::to_vec(&VectorHeader {
            fingerprint: self.fingerprint.clone(),
            embedder: self.embedder.clone(),
            kind: self.kind.clone(),
            text: self.text.clone(),
            created: self.created,
            dimension: self.vector.len(),
        })
        .expect("plain data");
        let mut out = Vec::with_capacity(5 + header.len() + 2 * self.vector.len());
        out.push(VECTOR_SCHEMA_VERSION);
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        out.extend_from_slice(&header);
        for x in &self.vector {
            out.extend_from_slice(&half::f16::from_f32(*x).to_le_bytes());
        }
        out
    }

    /// The record of stored bytes; `None` for another version or damaged bytes.
    fn decode(bytes: &[u8]) -> Option<VectorRecord> {
        let (header, components) = Self::split(bytes)?;
        Some(VectorRecord {
            fingerprint: header.fingerprint,
            embedder: header.embedder,
            kind: header.kind,
            text: header.text,
            vector: components.iter().map(|x| x.to_f32()).collect(),
            created: header.created,
        })
    }

    /// The components of stored bytes, as stored (f16); `None` as for [`VectorRecord::decode`].
    fn decode_components(bytes: &[u8]) -> Option<Vec<half::f16>> {
        Self::split(bytes).map(|(_, components)| components)
    }

    /// The header and the (finite) components of stored bytes.
    fn split(bytes: &[u8]) -> Option<(VectorHeader, Vec<half::f16>)> {
        let (&version, rest) = bytes.split_first()?;
        if version != VECTOR_SCHEMA_VERSION || rest.len() < 4 {
            return None;
        }
        let header_len = u32::from_le_bytes(rest[..4].try_into().ok()?) as usize;
        let header_bytes = rest.get(4..4 + header_len)?;
        let header: VectorHeader = serde_json::from_slice(header_bytes).ok()?;
        let data = &rest[4 + header_len..];
        if data.len() != 2 * header.dimension {
            return None;
        }
        let components: Vec<half::f16> = data
            .chunks_exact(2)
            .map(|c| half::f16::from_le_bytes([c[0], c[1]]))
            .collect();
        components
            .iter()
            .all(|x| x.is_finite())
            .then_some((header, components))
    }
}

/// The cache key of a text for an embedder fingerprint.
pub fn vector_key(fingerprint_hash: &str, text: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in [
        format!("transalign-vectors-v{VECTOR_SCHEMA_VERSION}").as_str(),
        fingerprint_hash,
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hasher.update(text.nfc().collect::<String>().as_bytes());
    hasher.finalize().into()
}

/// Hex SHA-256 of a fingerprint's canonical form.
pub fn fingerprint_hash(fingerprint: &Fingerprint) -> String {
    hex(&Sha256::digest(fingerprint.canonical().as_bytes()))
}

/// The cache key of a text for a backend fingerprint and language pair.
pub fn key(fingerprint_hash: &str, source: &str, target: &str, text: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in [
        format!("transalign-cache-v{CACHE_SCHEMA_VERSION}").as_str(),
        fingerprint_hash,
        source,
        target,
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hasher.update(text.nfc().collect::<String>().as_bytes());
    hasher.finalize().into()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Counts reported by `transalign cache stats`.
#[derive(Debug, Clone, Serialize)]
pub struct CacheStats {
    pub path: PathBuf,
    pub entries: usize,
    pub size_on_disk_bytes: u64,
    /// Entries per backend (`name (kind)`).
    pub by_backend: BTreeMap<String, usize>,
    /// Entries per language pair (`id→en`).
    pub by_pair: BTreeMap<String, usize>,
    /// Embedding vectors.
    pub vectors: usize,
    /// Vectors per embedder (`name (kind)`).
    pub vectors_by_embedder: BTreeMap<String, usize>,
}

/// Where the records are.
enum Backend {
    Sled { db: sled::Db, vectors: sled::Tree },
    Redis(Box<RedisStore>),
}

/// The sled tree that holds `tree` (translations are in the default tree).
fn sled_tree<'a>(db: &'a sled::Db, vectors: &'a sled::Tree, tree: Tree) -> &'a sled::Tree {
    match tree {
        Tree::Vectors => vectors,
        Tree::Translations => db,
    }
}

/// (key, value) pairs of one tree.
type Entries<'a> = Box<dyn Iterator<Item = Result<(Vec<u8>, Vec<u8>), CacheError>> + 'a>;

/// The open cache. Cheap to share behind an `Arc`; sled and Redis handle concurrent access.
pub struct Cache {
    backend: Backend,
    /// The sled directory, or the Redis URL (for messages).
    path: PathBuf,
    /// Records stored so far, and how many of them a finished flush covers: concurrent
    /// writers share one flush (group commit) instead of queueing one each.
    stored: AtomicU64,
    flushed: AtomicU64,
    flush_gate: tokio::sync::Mutex<()>,
    /// A flush started by [`Cache::flush_behind`] is running.
    flushing_behind: AtomicBool,
    /// Why a flush started by [`Cache::flush_behind`] failed: the next call's error.
    failed_behind: std::sync::Mutex<Option<String>>,
    /// Entries of both trees, and the last key stored: the ledger written after each flush.
    entries: AtomicU64,
    last_key: std::sync::Mutex<Option<Vec<u8>>>,
    /// No cache exists at `path` (see [`Cache::open_existing`]), or the store is Redis:
    /// no ledger is written.
    absent: bool,
}

/// `ledger.json` in the cache directory: what the cache held at its last flush.
#[derive(Debug, Serialize, Deserialize)]
struct Ledger {
    entries: u64,
    /// Hexadecimal key of the last record stored before that flush.
    last_key: Option<String>,
}

impl Ledger {
    const FILE: &'static str = "ledger.json";

    fn read(dir: &Path) -> Option<Ledger> {
        let text = std::fs::read(dir.join(Self::FILE)).ok()?;
        serde_json::from_slice(&text).ok()
    }

    fn last_key(&self) -> Option<Vec<u8>> {
        unhex(self.last_key.as_deref()?)
    }

    /// Written to a temporary file and renamed, so a crash leaves the old or the new one.
    fn write(&self, dir: &Path) -> std::io::Result<()> {
        let bytes = serde_json::to_vec(self)?;
        crate::output::replace_file(
            &dir.join(Self::FILE),
            crate::output::Durability::Renamed,
            |w| w.write_all(&bytes),
        )
    }
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache").field("path", &self.path).finish()
    }
}

/// True when `translation` is empty or blank although `text` is not: such an answer is a
/// failure (retried, never cached, never imported), not a translation.
pub fn translation_is_missing(text: &str, translation: &str) -> bool {
    translation.trim().is_empty() && !text.trim().is_empty()
}

impl Cache {
    /// Opens the cache where the configuration says (see [`Cache::open`] for sled).
    pub fn open_at(location: &Location) -> Result<Cache, CacheError> {
        match location {
            Location::Sled(path) => Cache::open(path),
            Location::Redis { .. } => Cache::connect(location),
        }
    }

    /// [`Cache::open_existing`] where the configuration says.
    pub fn open_existing_at(location: &Location) -> Result<Cache, CacheError> {
        match location {
            Location::Sled(path) => Cache::open_existing(path),
            Location::Redis { .. } => Cache::connect(location),
        }
    }

    /// [`Cache::open_at`] for a stage that follows others of the same run: a Redis server
    /// that does not answer is tried again for `cache.reconnect_secs` (it may be
    /// restarting), as a connection lost mid-stage is.
    pub fn open_during_run(location: &Location) -> Result<Cache, CacheError> {
        match location {
            Location::Sled(path) => Cache::open(path),
            Location::Redis { .. } => Cache::connect_with(location, true),
        }
    }

    /// Connects to a Redis cache; an unreachable server is an error naming the URL.
    fn connect(location: &Location) -> Result<Cache, CacheError> {
        Cache::connect_with(location, false)
    }

    /// [`Cache::connect`]; `patient` keeps trying for the location's reconnect time.
    fn connect_with(location: &Location, patient: bool) -> Result<Cache, CacheError> {
        let Location::Redis {
            url,
            password,
            claim_ttl,
            claim_wait,
            reconnect,
        } = location
        else {
            unreachable!("connect is called for Redis locations");
        };
        let settings = store::RedisSettings {
            claim_ttl: *claim_ttl,
            claim_wait: *claim_wait,
            reconnect: *reconnect,
        };
        let store = RedisStore::connect(url, password.as_deref(), settings, patient).map_err(
            |message| CacheError::Unreachable {
                url: url.clone(),
                message,
            },
        )?;
        Ok(Cache {
            backend: Backend::Redis(Box::new(store)),
            path: PathBuf::from(url),
            stored: AtomicU64::new(0),
            flushed: AtomicU64::new(0),
            flush_gate: tokio::sync::Mutex::new(()),
            flushing_behind: AtomicBool::new(false),
            failed_behind: std::sync::Mutex::new(None),
            entries: AtomicU64::new(0),
            last_key: std::sync::Mutex::new(None),
            absent: true,
        })
    }

    /// The shared store, when the cache is one (Redis): workers claim texts in it.
    pub fn shared(&self) -> Option<&RedisStore> {
        match &self.backend {
            Backend::Redis(store) => Some(store),
            Backend::Sled { .. } => None,
        }
    }

    fn raw_get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, CacheError> {
        match &self.backend {
            Backend::Sled { db, vectors } => {
                let t = sled_tree(db, vectors, tree);
                Ok(t.get(key)
                    .map_err(|e| self.storage_error(e))?
                    .map(|v| v.to_vec()))
            }
            Backend::Redis(store) => store.get(tree, key).map_err(|e| self.storage_error(e)),
        }
    }

    /// The values of many keys, in order (one round trip per chunk with Redis).
    fn raw_get_many(
        &self,
        tree: Tree,
        keys: &[[u8; 32]],
    ) -> Result<Vec<Option<Vec<u8>>>, CacheError> {
        match &self.backend {
            Backend::Redis(store) => store
                .get_many(tree, keys)
                .map_err(|e| self.storage_error(e)),
            Backend::Sled { .. } => keys.iter().map(|k| self.raw_get(tree, k)).collect(),
        }
    }

    /// Stores a value; true when it replaced one.
    fn raw_insert(&self, tree: Tree, key: &[u8], value: Vec<u8>) -> Result<bool, CacheError> {
        match &self.backend {
            Backend::Sled { db, vectors } => {
                let t = sled_tree(db, vectors, tree);
                Ok(t.insert(key, value)
                    .map_err(|e| self.storage_error(e))?
                    .is_some())
            }
            Backend::Redis(store) => store
                .insert(tree, key, &value)
                .map_err(|e| self.storage_error(e)),
        }
    }

    fn raw_remove(&self, tree: Tree, key: &[u8]) -> Result<(), CacheError> {
        match &self.backend {
            Backend::Sled { db, vectors } => {
                let t = sled_tree(db, vectors, tree);
                t.remove(key).map_err(|e| self.storage_error(e))?;
                Ok(())
            }
            Backend::Redis(store) => store.remove(tree, key).map_err(|e| self.storage_error(e)),
        }
    }

    fn raw_entries(&self, tree: Tree) -> Entries<'_> {
        match &self.backend {
            Backend::Sled { db, vectors } => {
                let t = sled_tree(db, vectors, tree);
                Box::new(t.iter().map(move |item| {
                    item.map(|(k, v)| (k.to_vec(), v.to_vec()))
                        .map_err(|e| self.storage_error(e))
                }))
            }
            Backend::Redis(store) => match store.entries(tree) {
                Ok(entries) => Box::new(entries.into_iter().map(Ok)),
                Err(e) => Box::new(std::iter::once(Err(self.storage_error(e)))),
            },
        }
    }

    /// Opens (or creates) the cache at `path`. A cache held by another process is an error;
    /// a corrupt one is moved aside (`PATH.corrupt-SECONDS`) with a warning and replaced by a
    /// new, empty cache.
    pub fn open(path: &Path) -> Result<Cache, CacheError> {
        if path.exists() && !path.is_dir() {
            return Err(CacheError::Open {
                path: path.to_path_buf(),
                message: "is a file, not a cache directory (left as it is; set translate.cache_dir or --cache-dir to a directory)".into(),
            });
        }
        match Self::open_db(path) {
            Ok(db) => Cache::new(db, path),
            Err(OpenFailure::InUse) => Err(CacheError::InUse(path.to_path_buf())),
            Err(OpenFailure::Other(message)) => Err(CacheError::Open {
                path: path.to_path_buf(),
                message,
            }),
            Err(OpenFailure::Corrupt(message)) => {
                let aside =
                    PathBuf::from(format!("{}.corrupt-{}", crate::display::path(path), now()));
                std::fs::rename(path, &aside).map_err(|e| CacheError::Open {
                    path: path.to_path_buf(),
                    message: format!("corrupt ({message}) and cannot be moved aside: {e}"),
                })?;
                eprintln!(
                    "warning: cache {} is corrupt ({message}); moved it to {} and started an empty cache",
                    crate::display::path(path),
                    crate::display::path(&aside)
                );
                let db = Self::open_db(path).map_err(|e| CacheError::Open {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                })?;
                Cache::new(db, path)
            }
        }
    }

    /// Opens the cache at `path` for commands that only read it (`cache stats`, `export`,
    /// `clear`, dry runs): a directory that does not exist is an empty cache, and is not
    /// created.
    pub fn open_existing(path: &Path) -> Result<Cache, CacheError> {
        if path.exists() {
            return Cache::open(path);
        }
        let db = sled::Config::new()
            .temporary(true)
            .open()
            .map_err(|e| CacheError::Open {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
        let mut cache = Cache::new(db, path)?;
        cache.absent = true;
        Ok(cache)
    }

    fn new(db: sled::Db, path: &Path) -> Result<Cache, CacheError> {
        let vectors = db.open_tree(VECTOR_TREE).map_err(|e| CacheError::Open {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let cache = Cache {
            backend: Backend::Sled { db, vectors },
            path: path.to_path_buf(),
            stored: AtomicU64::new(0),
            flushed: AtomicU64::new(0),
            flush_gate: tokio::sync::Mutex::new(()),
            flushing_behind: AtomicBool::new(false),
            failed_behind: std::sync::Mutex::new(None),
            entries: AtomicU64::new(0),
            last_key: std::sync::Mutex::new(None),
            absent: false,
        };
        cache.check_ledger()?;
        Ok(cache)
    }

    /// Compares the cache with its ledger (the entry count and the last key written, saved
    /// after every flush): sled silently drops what follows a truncated or garbled part of
    /// its log, so a missing last key means entries were lost. Says how many survived.
    fn check_ledger(&self) -> Result<(), CacheError> {
        let ledger = Ledger::read(&self.path);
        let intact = match &ledger {
            Some(ledger) => match ledger.last_key() {
                Some(key) => self.contains_key(&key)?,
                None => true,
            },
            None => false,
        };
        let entries = match (&ledger, intact) {
            (Some(ledger), true) => ledger.entries,
            _ => self.count_entries()?,
        };
        self.entries.store(entries, Ordering::SeqCst);
        if let (Some(ledger), false) = (&ledger, intact) {
            let message = format!(
                "cache {} is damaged: {entries} of {} entries survived; the lost ones will be requested again",
                crate::display::path(&self.path),
                ledger.entries
            );
            eprintln!("warning: {message}");
            self.write_ledger()?;
        }
        Ok(())
    }

    fn contains_key(&self, key: &[u8]) -> Result<bool, CacheError> {
        Ok(self.raw_get(Tree::Translations, key)?.is_some()
            || self.raw_get(Tree::Vectors, key)?.is_some())
    }

    fn count_entries(&self) -> Result<u64, CacheError> {
        let mut n = 0;
        for item in self
            .raw_entries(Tree::Translations)
            .chain(self.raw_entries(Tree::Vectors))
        {
            item?;
            n += 1;
        }
        Ok(n)
    }

    /// Saves the ledger; called after a flush, so it never names a key that is not on disk.
    fn write_ledger(&self) -> Result<(), CacheError> {
        if self.absent {
            return Ok(());
        }
        let ledger = Ledger {
            entries: self.entries.load(Ordering::SeqCst),
            last_key: self
                .last_key
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .as_deref()
                .map(hex),
        };
        ledger.write(&self.path).map_err(|e| self.storage_error(e))
    }

    /// Counts a stored key (new or replaced) for the ledger.
    fn note_stored(&self, key: &[u8], replaced: bool) {
        if !replaced {
            self.entries.fetch_add(1, Ordering::SeqCst);
        }
        *self.last_key.lock().unwrap_or_else(|e| e.into_inner()) = Some(key.to_vec());
    }

    fn open_db(path: &Path) -> Result<sled::Db, OpenFailure> {
        // sled panics on some corrupt files instead of returning an error; treat a panic
        // while opening as corruption.
        let opened = std::panic::catch_unwind(|| sled::Config::new().path(path).open());
        match opened {
            Ok(Ok(db)) => Ok(db),
            Ok(Err(sled::Error::Io(e))) if e.to_string().contains("could not acquire lock") => {
                Err(OpenFailure::InUse)
            }
            // Only damaged contents are corruption: a full disk, a read-only file system or
            // missing permissions are errors to fix, and moving the cache aside for them
            // would throw away every paid translation.
            Ok(Err(sled::Error::Io(e)))
                if !matches!(
                    e.kind(),
                    std::io::ErrorKind::InvalidData | std::io::ErrorKind::UnexpectedEof
                ) =>
            {
                Err(OpenFailure::Other(e.to_string()))
            }
            Ok(Err(e @ sled::Error::Unsupported(_))) => Err(OpenFailure::Other(e.to_string())),
            Ok(Err(e)) => Err(OpenFailure::Corrupt(e.to_string())),
            Err(panic) => Err(OpenFailure::Corrupt(
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "sled panicked while opening".into()),
            )),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn storage_error(&self, e: impl std::fmt::Display) -> CacheError {
        CacheError::Storage {
            path: self.path.clone(),
            message: e.to_string(),
        }
    }

    /// The cached translation of `text`, if any. Records of another schema version or that
    /// do not parse are treated as misses.
    pub fn get(
        &self,
        fingerprint_hash: &str,
        source: &str,
        target: &str,
        text: &str,
    ) -> Result<Option<CacheRecord>, CacheError> {
        let k = key(fingerprint_hash, source, target, text);
        let Some(bytes) = self.raw_get(Tree::Translations, &k)? else {
            return Ok(None);
        };
        Ok(serde_json::from_slice::<CacheRecord>(&bytes)
            .ok()
            .filter(|r| r.v == CACHE_SCHEMA_VERSION))
    }

    /// [`Cache::get`] of many texts at once (by their [`key`]s), in order.
    pub fn get_many(&self, keys: &[[u8; 32]]) -> Result<Vec<Option<CacheRecord>>, CacheError> {
        Ok(self
            .raw_get_many(Tree::Translations, keys)?
            .into_iter()
            .map(|bytes| {
                bytes
                    .and_then(|b| serde_json::from_slice::<CacheRecord>(&b).ok())
                    .filter(|r| r.v == CACHE_SCHEMA_VERSION)
            })
            .collect())
    }

    /// [`Cache::get_vector`] of many texts at once (by their [`vector_key`]s), in order.
    pub fn get_vectors(
        &self,
        keys: &[[u8; 32]],
    ) -> Result<Vec<Option<Vec<half::f16>>>, CacheError> {
        Ok(self
            .raw_get_many(Tree::Vectors, keys)?
            .into_iter()
            .map(|bytes| bytes.and_then(|b| VectorRecord::decode_components(&b)))
            .collect())
    }

    /// Stores a translation (not yet flushed to disk: call [`Cache::flush`]).
    pub fn put(&self, record: &CacheRecord) -> Result<(), CacheError> {
        let k = key(
            &record.fingerprint,
            &record.source,
            &record.target,
            &record.text,
        );
        let value = serde_json::to_vec(record).map_err(|e| self.storage_error(e))?;
        let replaced = self.raw_insert(Tree::Translations, &k, value)?;
        self.note_stored(&k, replaced);
        self.stored.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    /// The cached vector of `text` for an embedder, if any. Damaged records and records of
    /// another layout are misses.
    pub fn get_vector(
        &self,
        fingerprint_hash: &str,
        text: &str,
    ) -> Result<Option<Vec<half::f16>>, CacheError> {
        let k = vector_key(fingerprint_hash, text);
        let Some(bytes) = self.raw_get(Tree::Vectors, &k)? else {
            return Ok(None);
        };
        Ok(VectorRecord::decode_components(&bytes))
    }

    /// Stores a vector (not yet flushed to disk: call [`Cache::flush`]).
    pub fn put_vector(&self, record: &VectorRecord) -> Result<(), CacheError> {
        let k = vector_key(&record.fingerprint, &record.text);
        let replaced = self.raw_insert(Tree::Vectors, &k, record.encode())?;
        self.note_stored(&k, replaced);
        self.stored.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    fn vector_records(&self) -> impl Iterator<Item = Result<VectorRecord, CacheError>> + '_ {
        self.raw_entries(Tree::Vectors)
            .filter_map(move |item| match item {
                Ok((_, v)) => VectorRecord::decode(&v).map(Ok),
                Err(e) => Some(Err(self.storage_error(e))),
            })
    }

    /// A new record for a translation made now (no detected source, no coverage).
    pub fn record(
        fingerprint_hash: &str,
        backend: (&str, &str),
        pair: (&str, &str),
        text: &str,
        translation: &str,
    ) -> CacheRecord {
        CacheRecord {
            v: CACHE_SCHEMA_VERSION,
            fingerprint: fingerprint_hash.to_string(),
            backend: backend.0.to_string(),
            kind: backend.1.to_string(),
            source: pair.0.to_string(),
            target: pair.1.to_string(),
            text: text.nfc().collect(),
            translation: translation.to_string(),
            detected_source: None,
            coverage: None,
            created: now(),
        }
    }

    /// Writes everything stored so far to disk.
    pub fn flush(&self) -> Result<(), CacheError> {
        let covered = self.stored.load(Ordering::SeqCst);
        // Redis has applied every write when it answered; its persistence is the server's.
        if let Backend::Sled { db, .. } = &self.backend {
            db.flush().map_err(|e| self.storage_error(e))?;
        }
        self.write_ledger()?;
        self.flushed.fetch_max(covered, Ordering::SeqCst);
        Ok(())
    }

    /// How many records were stored so far (a record's sequence number is this count just
    /// after it was stored).
    pub fn stored_count(&self) -> u64 {
        self.stored.load(Ordering::SeqCst)
    }

    /// How many of the stored records a finished flush covers (are on disk).
    pub fn flushed_count(&self) -> u64 {
        self.flushed.load(Ordering::SeqCst)
    }

    /// [`Cache::flush_shared`] when more than `slack` records are not yet on disk; else a
    /// flush is started in the background (one at a time) and this returns at once, so a
    /// request slot is not held for a disk flush. A kill can then lose at most `slack`
    /// received records besides those in flight. A background flush that failed is the
    /// next call's error (and its records stay uncounted in [`Cache::flushed_count`]).
    pub async fn flush_behind(self: &Arc<Self>, slack: u64) -> Result<(), CacheError> {
        if let Some(message) = self
            .failed_behind
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
        {
            return Err(self.storage_error(message));
        }
        let unflushed = self.stored_count().saturating_sub(self.flushed_count());
        if unflushed > slack {
            return self.flush_shared().await;
        }
        if unflushed > 0 && !self.flushing_behind.swap(true, Ordering::SeqCst) {
            let cache = Arc::clone(self);
            tokio::spawn(async move {
                if let Err(e) = cache.flush_shared().await {
                    *cache
                        .failed_behind
                        .lock()
                        .unwrap_or_else(|e| e.into_inner()) = Some(e.to_string());
                }
                cache.flushing_behind.store(false, Ordering::SeqCst);
            });
        }
        Ok(())
    }

    /// Makes every record stored before the call durable, without blocking the async
    /// runtime. Concurrent callers share flushes: one that finds its records already covered
    /// by a finished flush returns at once. (sled's own `flush_async` can hang when many
    /// run at once, so flushes run one at a time on the blocking pool.)
    pub async fn flush_shared(&self) -> Result<(), CacheError> {
        let mine = self.stored.load(Ordering::SeqCst);
        let _gate = self.flush_gate.lock().await;
        if self.flushed.load(Ordering::SeqCst) >= mine {
            return Ok(());
        }
        let covered = self.stored.load(Ordering::SeqCst);
        let Backend::Sled { db, .. } = &self.backend else {
            // Redis applied every write when it answered.
            self.flushed.fetch_max(covered, Ordering::SeqCst);
            return Ok(());
        };
        let db = db.clone();
        tokio::task::spawn_blocking(move || db.flush())
            .await
            .map_err(|e| self.storage_error(e))?
            .map_err(|e| self.storage_error(e))?;
        self.write_ledger()?;
        self.flushed.fetch_max(covered, Ordering::SeqCst);
        Ok(())
    }

    fn records(&self) -> impl Iterator<Item = Result<CacheRecord, CacheError>> + '_ {
        self.raw_entries(Tree::Translations)
            .filter_map(move |item| match item {
                Ok((_, v)) => serde_json::from_slice::<CacheRecord>(&v).ok().map(Ok),
                Err(e) => Some(Err(self.storage_error(e))),
            })
    }

    pub fn stats(&self) -> Result<CacheStats, CacheError> {
        let mut stats = CacheStats {
            path: self.path.clone(),
            entries: 0,
            size_on_disk_bytes: match &self.backend {
                Backend::Sled { db, .. } if !self.absent => {
                    db.size_on_disk().map_err(|e| self.storage_error(e))?
                }
                _ => 0,
            },
            by_backend: BTreeMap::new(),
            by_pair: BTreeMap::new(),
            vectors: 0,
            vectors_by_embedder: BTreeMap::new(),
        };
        for record in self.vector_records() {
            let record = record?;
            stats.vectors += 1;
            *stats
                .vectors_by_embedder
                .entry(format!("{} ({})", record.embedder, record.kind))
                .or_default() += 1;
        }
        for record in self.records() {
            let record = record?;
            stats.entries += 1;
            *stats
                .by_backend
                .entry(format!("{} ({})", record.backend, record.kind))
                .or_default() += 1;
            *stats
                .by_pair
                .entry(format!("{}→{}", record.source, record.target))
                .or_default() += 1;
        }
        Ok(stats)
    }

    /// Removes every entry, or only those made by the backend or embedder named `backend`;
    /// returns how many were removed.
    pub fn clear(&self, backend: Option<&str>) -> Result<usize, CacheError> {
        let mut removed = 0;
        for item in self.raw_entries(Tree::Vectors) {
            let (k, v) = item?;
            let matches = match backend {
                None => true,
                Some(name) => VectorRecord::decode(&v).is_some_and(|r| r.embedder == name),
            };
            if matches {
                self.raw_remove(Tree::Vectors, &k)?;
                self.entries.fetch_sub(1, Ordering::SeqCst);
                removed += 1;
            }
        }
        for item in self.raw_entries(Tree::Translations) {
            let (k, v) = item?;
            let matches = match backend {
                None => true,
                Some(name) => serde_json::from_slice::<CacheRecord>(&v)
                    .map(|r| r.backend == name)
                    .unwrap_or(false),
            };
            if matches {
                self.raw_remove(Tree::Translations, &k)?;
                self.entries.fetch_sub(1, Ordering::SeqCst);
                removed += 1;
            }
        }
        self.flush()?;
        Ok(removed)
    }

    /// Writes every record as one JSON object per line; returns the count.
    pub fn export(&self, out: &mut dyn Write) -> Result<usize, CacheError> {
        let mut count = 0;
        for record in self.records() {
            let record = record?;
            serde_json::to_writer(&mut *out, &record).map_err(|e| CacheError::Export(e.into()))?;
            out.write_all(b"\n").map_err(CacheError::Export)?;
            count += 1;
        }
        for record in self.vector_records() {
            let record = record?;
            serde_json::to_writer(&mut *out, &record).map_err(|e| CacheError::Export(e.into()))?;
            out.write_all(b"\n").map_err(CacheError::Export)?;
            count += 1;
        }
        out.flush().map_err(CacheError::Export)?;
        Ok(count)
    }

    /// Reads JSONL records (as written by [`Cache::export`], or seeded by the user) and stores
    /// them. Lines without `fingerprint` take `default_backend` (fingerprint hash, name,
    /// kind). Every line is checked before anything is stored; errors name `origin:LINE`.
    pub fn import(
        &self,
        input: &mut dyn BufRead,
        origin: &str,
        default_backend: Option<(&str, &str, &str)>,
    ) -> Result<usize, CacheError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct ImportLine {
            #[serde(default)]
            v: Option<u32>,
            #[serde(default)]
            fingerprint: Option<String>,
            #[serde(default)]
            backend: Option<String>,
            #[serde(default)]
            kind: Option<String>,
            source: String,
            target: String,
            text: String,
            translation: String,
            #[serde(default)]
            detected_source: Option<String>,
            #[serde(default)]
            created: Option<u64>,
        }
        let mut records = Vec::new();
        let mut vectors = Vec::new();
        for (n, line) in input.lines().enumerate() {
            let location = format!("{origin}:{}", n + 1);
            let line = line.map_err(|e| CacheError::Import {
                location: location.clone(),
                message: e.to_string(),
            })?;
            if line.trim().is_empty() {
                continue;
            }
            let value: serde_json::Value =
                serde_json::from_str(&line).map_err(|e| CacheError::Import {
                    location: location.clone(),
                    message: e.to_string(),
                })?;
            if value.get("vector").is_some() {
                vectors.push(checked_vector_record(value, &location)?);
                continue;
            }
            let parsed: ImportLine =
                serde_json::from_value(value).map_err(|e| CacheError::Import {
                    location: location.clone(),
                    message: e.to_string(),
                })?;
            if let Some(v) = parsed.v.filter(|v| *v != CACHE_SCHEMA_VERSION) {
                return Err(CacheError::Import {
                    location,
                    message: format!(
                        "record version {v}, this transalign writes version {CACHE_SCHEMA_VERSION}"
                    ),
                });
            }
            let (fingerprint, backend, kind) = match (parsed.fingerprint, default_backend) {
                (Some(f), _) => (
                    f,
                    parsed.backend.unwrap_or_else(|| "imported".into()),
                    parsed.kind.unwrap_or_else(|| "unknown".into()),
                ),
                (None, Some((f, name, kind))) => {
                    (f.to_string(), name.to_string(), kind.to_string())
                }
                (None, None) => {
                    return Err(CacheError::Import {
                        location,
                        message: "no \"fingerprint\": export records carry one; for your own translations pass --backend NAME".into(),
                    });
                }
            };
            if fingerprint.len() != 64 || !fingerprint.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(CacheError::Import {
                    location,
                    message: "\"fingerprint\" must be 64 hexadecimal digits".into(),
                });
            }
            if translation_is_missing(&parsed.text, &parsed.translation) {
                return Err(CacheError::Import {
                    location,
                    message: "empty \"translation\" for a non-empty text".into(),
                });
            }
            records.push(CacheRecord {
                v: CACHE_SCHEMA_VERSION,
                fingerprint,
                backend,
                kind,
                source: parsed.source,
                target: parsed.target,
                text: parsed.text.nfc().collect(),
                translation: parsed.translation,
                detected_source: parsed.detected_source,
                coverage: None,
                created: parsed.created.unwrap_or_else(now),
            });
        }
        for record in &records {
            self.put(record)?;
        }
        for record in &vectors {
            self.put_vector(record)?;
        }
        self.flush()?;
        Ok(records.len() + vectors.len())
    }
}

/// A vector line of an import, checked: a 64-digit fingerprint and finite components.
fn checked_vector_record(
    value: serde_json::Value,
    location: &str,
) -> Result<VectorRecord, CacheError> {
    let invalid = |message: String| CacheError::Import {
        location: location.to_string(),
        message,
    };
    let mut record: VectorRecord =
        serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?;
    if record.fingerprint.len() != 64 || !record.fingerprint.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return Err(invalid(
            "\"fingerprint\" must be 64 hexadecimal digits".into(),
        ));
    }
    if record.vector.is_empty() || !record.vector.iter().all(|x| x.is_finite()) {
        return Err(invalid(
            "\"vector\" must be a non-empty array of finite numbers".into(),
        ));
    }
    record.text = record.text.nfc().collect();
    Ok(record)
}

enum OpenFailure {
    InUse,
    Corrupt(String),
    Other(String),
}

impl std::fmt::Display for OpenFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenFailure::InUse => f.write_str("in use by another run"),
            OpenFailure::Corrupt(m) | OpenFailure::Other(m) => f.write_str(m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_depends_on_every_part_and_normalises_text() {
        let base = key("f", "id", "en", "kerja sama");
        assert_ne!(base, key("g", "id", "en", "kerja sama"));
        assert_ne!(base, key("f", "auto", "en", "kerja sama"));
        assert_ne!(base, key("f", "id", "de", "kerja sama"));
        assert_ne!(base, key("f", "id", "en", "kerja  sama"));
        // NFC: precomposed and decomposed é are one key.
        assert_eq!(
            key("f", "fr", "en", "caf\u{e9}"),
            key("f", "fr", "en", "cafe\u{301}")
        );
    }

    #[test]
    fn records_survive_reopen_and_export_import() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache");
        let fp = fingerprint_hash(&Fingerprint::new("test"));
        {
            let cache = Cache::open(&path).unwrap();
            let r = Cache::record(&fp, ("t", "test"), ("es", "en"), "hola", "hello");
            cache.put(&r).unwrap();
            cache.flush().unwrap();
        }
        let cache = Cache::open(&path).unwrap();
        let hit = cache.get(&fp, "es", "en", "hola").unwrap().unwrap();
        assert_eq!(hit.translation, "hello");
        assert!(cache.get(&fp, "es", "en", "adiós").unwrap().is_none());

        let mut exported = Vec::new();
        assert_eq!(cache.export(&mut exported).unwrap(), 1);
        let other = Cache::open(&dir.path().join("other")).unwrap();
        let n = other
            .import(&mut exported.as_slice(), "export.jsonl", None)
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(
            other
                .get(&fp, "es", "en", "hola")
                .unwrap()
                .unwrap()
                .translation,
            "hello"
        );
        assert_eq!(cache.clear(Some("nobody")).unwrap(), 0);
        assert_eq!(cache.clear(None).unwrap(), 1);
        assert!(cache.get(&fp, "es", "en", "hola").unwrap().is_none());
    }

    #[test]
    fn import_errors_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("c")).unwrap();
        let input = "{\"source\":\"es\",\"target\":\"en\",\"text\":\"a\",\"translation\":\"b\"}\n";
        let err = cache
            .import(&mut input.as_bytes(), "seed.jsonl", None)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("seed.jsonl:1:"), "{err}");
        let bad = "\n{\"source\":1}\n";
        let err = cache
            .import(&mut bad.as_bytes(), "seed.jsonl", Some(("f", "n", "k")))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("seed.jsonl:2:"), "{err}");
    }
}
