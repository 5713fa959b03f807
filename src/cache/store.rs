//! Where the cache keeps its records: a local sled database (one process at a time) or a
//! shared Redis server (many workers of one run, on any number of machines). Both hold the
//! same keys and the same versioned values; only the cache module sees which one it is.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use redis::Commands;

/// Where a cache is, as the configuration says.
#[derive(Debug, Clone, PartialEq)]
pub enum Location {
    /// A sled directory (`translate.cache_dir`).
    Sled(PathBuf),
    /// A Redis (6+) or Valkey server: `redis://HOST:PORT/DB` or `rediss://…` (TLS), with the
    /// password read from the environment (never part of `url`, logs or errors).
    Redis {
        url: String,
        password: Option<String>,
        /// How long a worker's claim on a text lasts unless refreshed.
        claim_ttl: Duration,
        /// How long a worker waits for a text another worker claimed.
        claim_wait: Duration,
        /// How long a lost connection is tried again before the run gives up on it.
        reconnect: Duration,
    },
}

/// The timing settings of a Redis store.
#[derive(Debug, Clone, Copy)]
pub struct RedisSettings {
    pub claim_ttl: Duration,
    pub claim_wait: Duration,
    pub reconnect: Duration,
}

impl Location {
    /// How errors and reports name it (never with a password).
    pub fn describe(&self) -> String {
        match self {
            Location::Sled(path) => crate::display::path(path),
            Location::Redis { url, .. } => url.clone(),
        }
    }
}

/// Bytes as lower-case hexadecimal digits (digests, keys).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of an even run of hexadecimal digits; `None` for anything else.
pub(crate) fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// The two kinds of records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tree {
    Translations,
    Vectors,
}

/// Key prefixes in Redis: one namespace for transalign, one per tree, one for claims.
const PREFIX: &str = "transalign:";

fn redis_key(tree: Tree, key: &[u8]) -> String {
    let kind = match tree {
        Tree::Translations => "t",
        Tree::Vectors => "v",
    };
    format!("{PREFIX}{kind}:{}", hex(key))
}

fn claim_key(key: &[u8]) -> String {
    format!("{PREFIX}claim:{}", hex(key))
}

/// A connection to a Redis server, re-established when it is lost.
pub struct RedisStore {
    url: String,
    client: redis::Client,
    connection: Mutex<redis::Connection>,
    /// This worker's name in the claims it makes (host, process, start time).
    worker: String,
    pub claim_ttl: Duration,
    pub claim_wait: Duration,
    reconnect: Duration,
}

/// A record's key and value.
pub type KeyValue = (Vec<u8>, Vec<u8>);

/// Keys fetched per MGET when iterating.
const CHUNK: usize = 500;

/// How long connecting (TCP and, for `rediss://`, the TLS handshake) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

impl RedisStore {
    /// Connects and checks the server answers (`PING`); errors name the URL. `patient`
    /// tries again for `settings.reconnect` before giving up.
    pub fn connect(
        url: &str,
        password: Option<&str>,
        settings: RedisSettings,
        patient: bool,
    ) -> Result<RedisStore, String> {
        let mut info = redis::IntoConnectionInfo::into_connection_info(url).map_err(|e| {
            format!("not a Redis URL ({e}); expected redis://HOST:PORT/DB or rediss://…")
        })?;
        if let Some(password) = password {
            info.redis.password = Some(password.to_string());
        }
        let client = redis::Client::open(info).map_err(|e| e.to_string())?;
        let connection = if patient {
            reconnect_within(&client, url, settings.reconnect)?
        } else {
            open_connection(&client, url)?
        };
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into());
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        Ok(RedisStore {
            url: url.to_string(),
            client,
            connection: Mutex::new(connection),
            worker: format!("{host}:{}:{started}", std::process::id()),
            claim_ttl: settings.claim_ttl,
            claim_wait: settings.claim_wait,
            reconnect: settings.reconnect,
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Runs `f` on the connection. A lost connection (the server restarted, the network
    /// dropped) is re-established with bounded back-off for `cache.reconnect_secs`, and
    /// `f` is run again (every command here may be repeated); past that, the error.
    fn with<T>(
        &self,
        mut f: impl FnMut(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> Result<T, String> {
        let mut connection = self.connection.lock().unwrap_or_else(|e| e.into_inner());
        match f(&mut connection) {
            Ok(value) => Ok(value),
            Err(e) if is_lost(&e) => {
                tracing::warn!(
                    "lost the shared cache {} ({e}); reconnecting for up to {} s",
                    self.url,
                    self.reconnect.as_secs()
                );
                *connection = reconnect_within(&self.client, &self.url, self.reconnect)?;
                tracing::info!("reconnected to the shared cache {}", self.url);
                f(&mut connection).map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        }
    }

    pub fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, String> {
        self.with(|c| c.get(redis_key(tree, key)))
    }

    /// The values of many keys, in order, with one `MGET` per chunk.
    pub fn get_many(&self, tree: Tree, keys: &[[u8; 32]]) -> Result<Vec<Option<Vec<u8>>>, String> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(CHUNK) {
            let names: Vec<String> = chunk.iter().map(|k| redis_key(tree, k)).collect();
            let values: Vec<Option<Vec<u8>>> =
                self.with(|c| redis::cmd("MGET").arg(&names).query(c))?;
            out.extend(values);
        }
        Ok(out)
    }

    /// Stores a value; true when it replaced one.
    pub fn insert(&self, tree: Tree, key: &[u8], value: &[u8]) -> Result<bool, String> {
        let old: Option<Vec<u8>> = self.with(|c| {
            redis::cmd("SET")
                .arg(redis_key(tree, key))
                .arg(value)
                .arg("GET")
                .query(c)
        })?;
        Ok(old.is_some())
    }

    pub fn remove(&self, tree: Tree, key: &[u8]) -> Result<(), String> {
        self.with(|c| c.del(redis_key(tree, key)))
    }

    /// Every (key, value) of a tree.
    pub fn entries(&self, tree: Tree) -> Result<Vec<KeyValue>, String> {
        let pattern = format!("{}*", redis_key(tree, &[]));
        let names: Vec<String> = self.with(|c| {
            let iter: redis::Iter<String> = c.scan_match(&pattern)?;
            Ok(iter.collect())
        })?;
        let mut out = Vec::with_capacity(names.len());
        for chunk in names.chunks(CHUNK) {
            let values: Vec<Option<Vec<u8>>> =
                self.with(|c| redis::cmd("MGET").arg(chunk).query(c))?;
            for (name, value) in chunk.iter().zip(values) {
                let hexadecimal = &name[pattern.len() - 1..];
                if let (Some(key), Some(value)) = (unhex(hexadecimal), value) {
                    out.push((key, value));
                }
            }
        }
        Ok(out)
    }

    /// Claims texts' keys for this worker for `claim_ttl` (`SET … NX PX`), pipelined (one
    /// round trip per chunk); in order, true where no other worker held the key.
    pub fn claim_many(&self, keys: &[Vec<u8>]) -> Result<Vec<bool>, String> {
        let ttl = self.claim_ttl.as_millis() as u64;
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(CHUNK) {
            let mut pipe = redis::pipe();
            for key in chunk {
                pipe.cmd("SET")
                    .arg(claim_key(key))
                    .arg(&self.worker)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl);
            }
            let answers: Vec<Option<String>> = self.with(|c| pipe.query(c))?;
            out.extend(answers.into_iter().map(|a| a.is_some()));
        }
        Ok(out)
    }

    /// Extends this worker's claims (those another worker took over are left alone);
    /// pipelined, one round trip per chunk.
    pub fn refresh(&self, keys: &[Vec<u8>]) -> Result<(), String> {
        const EXTEND_OWN: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";
        let ttl = self.claim_ttl.as_millis() as u64;
        self.on_own_claims(keys, EXTEND_OWN, Some(ttl))
    }

    /// Runs `script` (KEYS[1] = a claim, ARGV[1] = this worker, ARGV[2] = `extra`) on every
    /// claim of `keys`, pipelined.
    fn on_own_claims(
        &self,
        keys: &[Vec<u8>],
        script: &str,
        extra: Option<u64>,
    ) -> Result<(), String> {
        for chunk in keys.chunks(CHUNK) {
            let mut pipe = redis::pipe();
            for key in chunk {
                let command = pipe
                    .cmd("EVAL")
                    .arg(script)
                    .arg(1)
                    .arg(claim_key(key))
                    .arg(&self.worker);
                if let Some(extra) = extra {
                    command.arg(extra);
                }
                command.ignore();
            }
            self.with(|c| pipe.query::<()>(c))?;
        }
        Ok(())
    }

    /// Whether any worker holds a claim on the key.
    pub fn claimed(&self, key: &[u8]) -> Result<bool, String> {
        self.with(|c| c.exists(claim_key(key)))
    }

    /// Drops this worker's claims (the results are stored).
    pub fn release(&self, keys: &[Vec<u8>]) -> Result<(), String> {
        const DELETE_OWN: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
        self.on_own_claims(keys, DELETE_OWN, None)
    }
}

/// True when the error means the connection is gone (not that a command was wrong).
fn is_lost(e: &redis::RedisError) -> bool {
    e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() || e.is_timeout()
}

/// A new connection with its timeouts set and a `PING` answered. The connect (with the TLS
/// handshake of `rediss://`, which has no timeout of its own) runs on a thread of its own
/// and is given up after [`CONNECT_TIMEOUT`]: a plain server behind `rediss://` never
/// answers the handshake.
fn open_connection(client: &redis::Client, url: &str) -> Result<redis::Connection, String> {
    let (sender, receiver) = std::sync::mpsc::channel();
    let client = client.clone();
    std::thread::spawn(move || {
        let result = (|| -> redis::RedisResult<redis::Connection> {
            let mut connection = client.get_connection_with_timeout(CONNECT_TIMEOUT)?;
            connection.set_read_timeout(Some(Duration::from_secs(30)))?;
            connection.set_write_timeout(Some(Duration::from_secs(30)))?;
            let _: String = redis::cmd("PING").query(&mut connection)?;
            Ok(connection)
        })();
        let _ = sender.send(result);
    });
    match receiver.recv_timeout(CONNECT_TIMEOUT + Duration::from_secs(1)) {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(_) if url.starts_with("rediss://") => Err(format!(
            "no TLS answer within {} s: is it a plain Redis server? Then use redis://",
            CONNECT_TIMEOUT.as_secs()
        )),
        Err(_) => Err(format!("no answer within {} s", CONNECT_TIMEOUT.as_secs())),
    }
}

/// [`open_connection`] again and again, 0.1 s apart and doubling up to 2 s, for `patience`.
fn reconnect_within(
    client: &redis::Client,
    url: &str,
    patience: Duration,
) -> Result<redis::Connection, String> {
    let deadline = std::time::Instant::now() + patience;
    let mut delay = Duration::from_millis(100);
    loop {
        match open_connection(client, url) {
            Ok(connection) => return Ok(connection),
            Err(e) if std::time::Instant::now() + delay >= deadline => {
                return Err(format!(
                    "{e} (no connection within cache.reconnect_secs = {} s)",
                    patience.as_secs_f64()
                ));
            }
            Err(_) => {
                std::thread::sleep(delay);
                delay = (delay * 2).min(Duration::from_secs(2));
            }
        }
    }
}
