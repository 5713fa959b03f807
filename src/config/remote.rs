//! Keys shared by `[backends.NAME]` and `[embedders.NAME]` tables: the URL, the API key
//! variable and the request limits the remote driver works with.

use std::time::Duration;

use crate::error::ConfigError;

/// How the driver may use a backend: request limits, concurrency, pacing and retries.
#[derive(Debug, Clone, PartialEq)]
pub struct DriverSettings {
    /// Most texts in one request.
    pub max_items: usize,
    /// Most bytes of text in one request.
    pub max_bytes: usize,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Requests per second; 0 = unlimited.
    pub requests_per_second: f64,
    /// Characters of text per minute; 0 = unlimited.
    pub chars_per_minute: f64,
    /// Time limit of one request.
    pub timeout: Duration,
    /// Retries of one request after transient failures.
    pub max_retries: u32,
    /// First back-off delay; later ones grow by 1.6× with jitter.
    pub retry_initial: Duration,
    /// Longest back-off delay.
    pub retry_max: Duration,
    /// Longest wait a `Retry-After` header can impose.
    pub retry_after_cap: Duration,
    /// `cache.unflushed_batches`: received batches that may wait for a background disk
    /// flush while their slots send again (0: each batch is on disk first).
    pub unflushed_batches: usize,
}

/// The limit keys of a table as written.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RawLimits {
    pub batch_size: Option<usize>,
    pub max_batch_bytes: Option<usize>,
    pub concurrency: Option<usize>,
    pub requests_per_second: Option<f64>,
    pub chars_per_minute: Option<f64>,
    pub timeout_secs: Option<f64>,
    pub max_retries: Option<u32>,
    pub retry_initial_ms: Option<u64>,
    pub retry_max_secs: Option<f64>,
    pub retry_after_cap_secs: Option<f64>,
}

/// `fn limits(&self) -> RawLimits` for a raw table with the limit keys (`[backends.NAME]`,
/// `[embedders.NAME]`: serde cannot flatten them under `deny_unknown_fields`).
macro_rules! limits_of {
    ($table:ty) => {
        impl $table {
            pub(crate) fn limits(&self) -> $crate::config::remote::RawLimits {
                $crate::config::remote::RawLimits {
                    batch_size: self.batch_size,
                    max_batch_bytes: self.max_batch_bytes,
                    concurrency: self.concurrency,
                    requests_per_second: self.requests_per_second,
                    chars_per_minute: self.chars_per_minute,
                    timeout_secs: self.timeout_secs,
                    max_retries: self.max_retries,
                    retry_initial_ms: self.retry_initial_ms,
                    retry_max_secs: self.retry_max_secs,
                    retry_after_cap_secs: self.retry_after_cap_secs,
                }
            }
        }
    };
}
pub(crate) use limits_of;

/// What a kind uses when the table says nothing, and the most texts its service takes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LimitDefaults {
    pub batch_size: usize,
    pub max_batch_bytes: usize,
    pub concurrency: usize,
    pub timeout_secs: f64,
    pub hard_max_items: usize,
}

/// The longest duration a table may set (a day): longer values are typing mistakes.
const MAX_SECONDS: f64 = 86_400.0;

/// The slowest request rate a table may set: one request an hour.
const MIN_REQUESTS_PER_SECOND: f64 = 1.0 / 3600.0;

/// Retries of one batch: beyond this a server is down, not busy.
const MAX_RETRIES: u32 = 100;

/// A number as a user can read it in a message: `1e300`, not three hundred digits.
fn shown(v: f64) -> String {
    if v != 0.0 && !(1e-4..1e15).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// Validates the limit keys; `invalid(key, message)` makes the error for a key of the table.
pub(crate) fn validate_limits(
    raw: RawLimits,
    defaults: LimitDefaults,
    kind: &str,
    invalid: &dyn Fn(&str, String) -> ConfigError,
) -> Result<DriverSettings, ConfigError> {
    let batch = raw.batch_size.unwrap_or(defaults.batch_size);
    if batch == 0 || batch > defaults.hard_max_items {
        return Err(invalid(
            "batch_size",
            format!(
                "must be between 1 and {} for kind \"{kind}\", got {batch}",
                defaults.hard_max_items
            ),
        ));
    }
    let positive = |k: &str, v: Option<f64>, default: f64| -> Result<f64, ConfigError> {
        let v = v.unwrap_or(default);
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(invalid(
                k,
                format!("must be a number ≥ 0, got {}", shown(v)),
            ))
        }
    };
    let seconds = |k: &str, v: Option<f64>, default: f64| -> Result<Duration, ConfigError> {
        let v = positive(k, v, default)?;
        if v > MAX_SECONDS {
            return Err(invalid(
                k,
                format!(
                    "must be at most {MAX_SECONDS} seconds (a day), got {}",
                    shown(v)
                ),
            ));
        }
        Ok(Duration::from_secs_f64(v))
    };
    let timeout = seconds("timeout_secs", raw.timeout_secs, defaults.timeout_secs)?;
    if timeout.is_zero() {
        return Err(invalid("timeout_secs", "must be greater than 0".into()));
    }
    let concurrency = raw.concurrency.unwrap_or(defaults.concurrency);
    if concurrency == 0 || concurrency > 256 {
        return Err(invalid(
            "concurrency",
            format!("must be between 1 and 256, got {concurrency}"),
        ));
    }
    let max_bytes = raw.max_batch_bytes.unwrap_or(defaults.max_batch_bytes);
    if max_bytes == 0 {
        return Err(invalid("max_batch_bytes", "must be greater than 0".into()));
    }
    let requests_per_second = positive("requests_per_second", raw.requests_per_second, 0.0)?;
    if requests_per_second != 0.0 && !(MIN_REQUESTS_PER_SECOND..=1e6).contains(&requests_per_second)
    {
        return Err(invalid(
            "requests_per_second",
            format!(
                "must be 0 (no limit) or between 1/3600 (one an hour) and 1000000, got {}",
                shown(requests_per_second)
            ),
        ));
    }
    let chars_per_minute = positive("chars_per_minute", raw.chars_per_minute, 0.0)?;
    // The pacer lets a batch wait until the budget has it: the largest batch must fit
    // within an hour, or one request could wait for years.
    let least_chars_per_minute = max_bytes as f64 / 60.0;
    if chars_per_minute != 0.0 && !(least_chars_per_minute..=1e12).contains(&chars_per_minute) {
        return Err(invalid(
            "chars_per_minute",
            format!(
                "must be 0 (no limit) or at least max_batch_bytes / 60 = {} (a full batch within an hour; lower max_batch_bytes for a smaller rate) and at most 1e12, got {}",
                least_chars_per_minute.ceil(),
                shown(chars_per_minute)
            ),
        ));
    }
    let max_retries = raw.max_retries.unwrap_or(5);
    if max_retries > MAX_RETRIES {
        return Err(invalid(
            "max_retries",
            format!("must be at most {MAX_RETRIES}, got {max_retries}"),
        ));
    }
    let retry_initial_ms = raw.retry_initial_ms.unwrap_or(1000);
    if retry_initial_ms as f64 > MAX_SECONDS * 1000.0 {
        return Err(invalid(
            "retry_initial_ms",
            format!(
                "must be at most {} ms (a day), got {retry_initial_ms}",
                MAX_SECONDS * 1000.0
            ),
        ));
    }
    Ok(DriverSettings {
        max_items: batch,
        max_bytes,
        concurrency,
        requests_per_second,
        chars_per_minute,
        timeout,
        max_retries,
        retry_initial: Duration::from_millis(retry_initial_ms),
        retry_max: seconds("retry_max_secs", raw.retry_max_secs, 120.0)?,
        retry_after_cap: seconds("retry_after_cap_secs", raw.retry_after_cap_secs, 120.0)?,
        // Set from [cache] once the whole configuration is read.
        unflushed_batches: 0,
    })
}

/// An http(s) URL. `{port}` may stand for the port of a server `spawn` starts (`spawned`).
pub(crate) fn validate_url(
    text: &str,
    spawned: bool,
    invalid: &dyn Fn(&str, String) -> ConfigError,
) -> Result<url::Url, ConfigError> {
    if text.contains("{port}") && !spawned {
        return Err(invalid(
            "url",
            "contains {port}, but no `spawn` starts a server on it".into(),
        ));
    }
    let parsed = url::Url::parse(&text.replace("{port}", "1"))
        .map_err(|e| invalid("url", format!("invalid URL \"{text}\": {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("url", format!("\"{text}\" is not an http(s) URL")));
    }
    Ok(parsed)
}

/// The name of an environment variable, never a key.
pub(crate) fn validate_key_variable(
    var: &str,
    invalid: &dyn Fn(&str, String) -> ConfigError,
) -> Result<(), ConfigError> {
    if var.is_empty() || var.contains('=') || var.contains(char::is_whitespace) {
        return Err(invalid(
            "api_key_env",
            "must be the NAME of an environment variable (such as DEEPL_AUTH_KEY), not a key"
                .into(),
        ));
    }
    Ok(())
}

/// A local server to start for the run.
#[derive(Debug, Clone, PartialEq)]
pub struct SpawnConfig {
    /// Program and arguments; `{port}` is replaced by the port.
    pub command: Vec<String>,
    /// Path that answers 200 once the server is ready.
    pub ready: String,
    pub ready_timeout: std::time::Duration,
    /// Where a program that is not on PATH is also looked for, in `.venv*/bin`: the
    /// configuration file's directory (set once the file is known).
    pub search_dir: std::path::PathBuf,
}

/// The `spawn`, `ready` and `ready_timeout_secs` keys of a table; `None` without `spawn`.
pub(crate) fn validate_spawn(
    command: &[String],
    ready: Option<&str>,
    ready_timeout_secs: Option<f64>,
    default_ready: &str,
    invalid: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Option<SpawnConfig>, ConfigError> {
    if command.is_empty() {
        return Ok(None);
    }
    if command[0].is_empty() {
        return Err(invalid("spawn", "the program must not be empty".into()));
    }
    if !command.iter().any(|a| a.contains("{port}")) {
        return Err(invalid(
            "spawn",
            "must pass {port} to the server (transalign picks a free port)".into(),
        ));
    }
    let ready = ready.unwrap_or(default_ready).to_string();
    if !ready.starts_with('/') {
        return Err(invalid(
            "ready",
            format!("must be a path starting with /, got \"{ready}\""),
        ));
    }
    let wait = ready_timeout_secs.unwrap_or(120.0);
    if !(wait.is_finite() && wait > 0.0 && wait <= 3600.0) {
        return Err(invalid(
            "ready_timeout_secs",
            format!("must be between 0 and 3600 seconds, got {wait}"),
        ));
    }
    Ok(Some(SpawnConfig {
        command: command.to_vec(),
        ready,
        ready_timeout: Duration::from_secs_f64(wait),
        search_dir: std::path::PathBuf::new(),
    }))
}

impl SpawnConfig {
    /// The base URL of the server started on `port`: `url` (the table's, `{port}` filled
    /// in), else `http://127.0.0.1:{port}` + `default_path`.
    pub fn url(&self, url: Option<&str>, port: u16, default_path: &str) -> String {
        match url {
            Some(url) => url.replace("{port}", &port.to_string()),
            None => format!("http://127.0.0.1:{port}{default_path}"),
        }
    }

    /// What identifies the server in cache keys (not its port, new every run).
    pub fn identity(&self) -> String {
        format!("spawn:{}", self.command.join(" "))
    }
}
