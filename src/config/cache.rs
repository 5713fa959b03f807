//! `[cache]`: where translations and vectors are kept — a local sled directory
//! (`translate.cache_dir`, the default) or a Redis server shared by many workers.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::locate::KeyLocator;
use crate::cache::Location;
use crate::error::ConfigError;

/// `[cache]` as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawCache {
    /// "sled" (a directory, `translate.cache_dir`) or "redis" (`url`).
    pub store: String,
    /// `redis://HOST:PORT/DB` or `rediss://HOST:PORT/DB` (TLS); no password in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Environment variable holding the Redis password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_env: Option<String>,
    /// Seconds a worker's claim on a text it is sending lasts unless refreshed (a worker
    /// that dies holds its texts this long at most).
    pub claim_ttl_secs: f64,
    /// Seconds a worker waits for a text another worker claimed before taking it over.
    pub claim_wait_secs: f64,
    /// Seconds a run keeps trying to reconnect to a Redis server it lost (bounded back-off);
    /// past them it writes its outputs with what it received and exits 3.
    pub reconnect_secs: f64,
    /// Received batches (per backend or embedder) that may wait for a background disk flush
    /// while their request slots send again. 0: every batch is on disk before its slot sends
    /// the next request, so a kill -9 loses only the batches in flight. N: throughput
    /// against a latency-bound server rises (no slot waits for the disk), and a kill -9 can
    /// lose N × batch_size received texts more. Redis applies writes as it answers.
    pub unflushed_batches: usize,
}

impl Default for RawCache {
    fn default() -> Self {
        RawCache {
            store: "sled".into(),
            url: None,
            password_env: None,
            claim_ttl_secs: 60.0,
            claim_wait_secs: 600.0,
            reconnect_secs: 30.0,
            unflushed_batches: 0,
        }
    }
}

/// The validated cache settings.
#[derive(Debug, Clone, PartialEq)]
pub struct CacheConfig {
    pub location: Location,
    pub claim_ttl: std::time::Duration,
    pub claim_wait: std::time::Duration,
}

/// Validates `[cache]` (with `--cache-url`, which selects Redis) for the sled directory
/// `cache_dir`.
pub(crate) fn validate(
    raw: &RawCache,
    cache_dir: &Path,
    cache_url: Option<&str>,
    locator: &KeyLocator,
) -> Result<CacheConfig, ConfigError> {
    let seconds = |key: &str, value: f64| -> Result<std::time::Duration, ConfigError> {
        if (1.0..=86_400.0).contains(&value) {
            Ok(std::time::Duration::from_secs_f64(value))
        } else {
            Err(locator.invalid(key, "must be between 1 and 86400 seconds".into()))
        }
    };
    let claim_ttl = seconds("cache.claim_ttl_secs", raw.claim_ttl_secs)?;
    let claim_wait = seconds("cache.claim_wait_secs", raw.claim_wait_secs)?;
    let store = if cache_url.is_some() {
        "redis"
    } else {
        raw.store.as_str()
    };
    let location = match store {
        "sled" => Location::Sled(cache_dir.to_path_buf()),
        "redis" => {
            let url = cache_url
                .map(str::to_string)
                .or_else(|| raw.url.clone())
                .ok_or_else(|| {
                    locator.invalid(
                        "cache.url",
                        "store = \"redis\" needs url = \"redis://HOST:PORT/DB\" (or --cache-url)"
                            .into(),
                    )
                })?;
            let scheme_ok = url.starts_with("redis://") || url.starts_with("rediss://");
            let (key, flag) = if cache_url.is_some() {
                ("cache.url", Some("--cache-url"))
            } else {
                ("cache.url", None)
            };
            if !scheme_ok {
                return Err(locator.invalid_or_flag(
                    flag,
                    key,
                    format!("\"{url}\": expected redis://HOST:PORT/DB or rediss://HOST:PORT/DB"),
                ));
            }
            if url
                .split("://")
                .nth(1)
                .is_some_and(|rest| rest.contains('@'))
            {
                return Err(locator.invalid_or_flag(
                    flag,
                    key,
                    "a password in the URL would reach logs: put it in an environment variable and name it in cache.password_env".into(),
                ));
            }
            let password = match &raw.password_env {
                None => None,
                Some(var) => match std::env::var(var) {
                    Ok(value) if !value.is_empty() => Some(value),
                    _ => {
                        return Err(locator.invalid(
                            "cache.password_env",
                            format!("environment variable {var} is not set or empty"),
                        ));
                    }
                },
            };
            Location::Redis {
                url,
                password,
                claim_ttl,
                claim_wait,
                // In range (the table in `ranges`).
                reconnect: std::time::Duration::from_secs_f64(raw.reconnect_secs),
            }
        }
        other => {
            return Err(locator.invalid(
                "cache.store",
                format!("expected \"sled\" or \"redis\", got \"{other}\""),
            ));
        }
    };
    Ok(CacheConfig {
        location,
        claim_ttl,
        claim_wait,
    })
}
