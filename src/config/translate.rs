//! `[translate]`: which backend translates non-pivot sentences and where translations are cached.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::backend::{BackendConfig, DEFAULT_BACKEND};
use super::locate::KeyLocator;
use super::overrides::Overrides;
use crate::error::ConfigError;

/// `[translate]` as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawTranslate {
    /// Name of the `[backends.NAME]` table to use (default: "lexicon", the offline backend,
    /// available even without a table); "none" = no translation stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    /// Backends tried in order for language pairs the chosen backend cannot translate.
    pub fallback: Vec<String>,
    /// Directory of the translation cache (relative to the current directory).
    pub cache_dir: PathBuf,
    /// Never touch the network: cache hits and offline backends only.
    pub offline: bool,
}

impl Default for RawTranslate {
    fn default() -> Self {
        RawTranslate {
            backend: Some(DEFAULT_BACKEND.into()),
            fallback: Vec::new(),
            cache_dir: "cache".into(),
            offline: false,
        }
    }
}

/// Validated `[translate]`.
#[derive(Debug, Clone)]
pub struct TranslateConfig {
    /// The chosen backend, `None` when translation is off.
    pub backend: Option<String>,
    pub fallback: Vec<String>,
    pub cache_dir: PathBuf,
    pub offline: bool,
}

pub(crate) fn validate(
    raw: &RawTranslate,
    backends: &BTreeMap<String, BackendConfig>,
    locator: &KeyLocator,
    overrides: &Overrides,
) -> Result<TranslateConfig, ConfigError> {
    let known = || {
        if backends.is_empty() {
            "no [backends.NAME] tables are configured".to_string()
        } else {
            format!(
                "configured: {}",
                backends.keys().cloned().collect::<Vec<_>>().join(", ")
            )
        }
    };
    let chosen = raw.backend.clone().filter(|b| b != "none");
    if let Some(name) = &chosen
        && !backends.contains_key(name)
    {
        let message = format!("no backend named \"{name}\" ({})", known());
        let flag = overrides.backend.as_ref().map(|_| "--backend");
        return Err(locator.invalid_or_flag(flag, "translate.backend", message));
    }
    for name in &raw.fallback {
        if !backends.contains_key(name) {
            return Err(locator.invalid(
                "translate.fallback",
                format!("no backend named \"{name}\" ({})", known()),
            ));
        }
    }
    if raw.cache_dir.as_os_str().is_empty() {
        return Err(locator.invalid("translate.cache_dir", "must not be empty".into()));
    }
    Ok(TranslateConfig {
        backend: chosen,
        fallback: raw.fallback.clone(),
        cache_dir: raw.cache_dir.clone(),
        offline: raw.offline,
    })
}
