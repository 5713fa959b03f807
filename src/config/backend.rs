//! `[backends.NAME]` tables: per-kind defaults, limits and the keys each kind accepts.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::locate::KeyLocator;
use super::remote::{
    DriverSettings, LimitDefaults, SpawnConfig, validate_key_variable, validate_limits,
    validate_spawn, validate_url,
};
use crate::error::ConfigError;

/// `[backends.NAME]`: one translation backend. Which keys apply depends on `kind`; a key
/// that does not apply is an error.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawBackend {
    /// libretranslate, deepl, google, apertium, openai or command.
    pub kind: String,
    /// Base URL of the service (each kind has a default; DeepL picks api-free.deepl.com for
    /// keys ending in `:fx`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Name of the environment variable that holds the API key (never the key itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key_env: Option<String>,
    /// Time limit of one request in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<f64>,
    /// Most texts per request (capped by what the service accepts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<usize>,
    /// Most bytes of text per request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_batch_bytes: Option<usize>,
    /// Requests in flight at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<usize>,
    /// Requests per second (0 = unlimited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests_per_second: Option<f64>,
    /// Characters per minute (0 = unlimited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chars_per_minute: Option<f64>,
    /// Retries after transient failures (429, 5xx, time-outs, resets, malformed bodies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<u32>,
    /// First back-off delay in milliseconds (grows ×1.6 per retry, ±20% jitter).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_initial_ms: Option<u64>,
    /// Longest back-off delay in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_max_secs: Option<f64>,
    /// Longest wait a `Retry-After` header can impose, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_cap_secs: Option<f64>,
    /// Code overrides, ISO 639-1 → the service's code (`{ en = "EN-GB" }`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub language_codes: BTreeMap<String, String>,
    /// Source languages this backend may be used for (ISO 639-1); empty = any it supports.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    /// A local server transalign starts for the run and stops at the end (apertium-apy, a
    /// llama.cpp server, LibreTranslate): program and arguments; `{port}` is replaced by a
    /// free loopback port, and `url` may use `{port}` too.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub spawn: Vec<String>,
    /// With `spawn`: the path that answers 200 once the server is ready (default: the
    /// kind's pair list, e.g. "/listPairs" for apertium, "/languages" for libretranslate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ready: Option<String>,
    /// With `spawn`: seconds to wait for the server to become ready (default 120).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ready_timeout_secs: Option<f64>,
    /// Free text that goes into the cache key: change it when the service's model changes
    /// behind the same URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// What identifies the service's answers in the cache instead of its URL, for a service
    /// that names no model (libretranslate, apertium): e.g. `"apertium-spa-eng 1.2"`, so
    /// that the same server on another host or port is a cache hit. Services with a model
    /// (openai, deepl, google) are identified without their URL anyway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_identity: Option<String>,
    /// Model (openai: required; google: `nmt` or `base`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// DeepL formality (`default`, `more`, `less`, `prefer_more`, `prefer_less`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formality: Option<String>,
    /// DeepL glossary id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub glossary_id: Option<String>,
    /// openai: user prompt template with `{source}`, `{target}` and `{input}` (the JSON object
    /// of id → text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// openai: system prompt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    /// openai: sampling temperature (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// openai: sampling seed (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// openai: `max_tokens` of a completion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// openai: ask for `response_format: {"type": "json_object"}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_mode: Option<bool>,
    /// command: program and arguments; `{source}` and `{target}` are replaced.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    /// lexicon: extra lexicon files (`SRC-en....tsv`, `source<TAB>english|english`), relative
    /// to the config file; merged after the shipped ones.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<PathBuf>,
    /// lexicon: English alternatives kept per word (`security|safety`), 1 to 10 (default 3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternatives: Option<usize>,
}

/// The backend used when the configuration names none; a `[backends.lexicon]` table of kind
/// `lexicon` exists even when the file does not define it.
pub const DEFAULT_BACKEND: &str = "lexicon";

/// The kinds of backend transalign speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    LibreTranslate,
    DeepL,
    Google,
    Apertium,
    OpenAi,
    Command,
    Lexicon,
}

impl BackendKind {
    pub const ALL: [BackendKind; 7] = [
        BackendKind::LibreTranslate,
        BackendKind::DeepL,
        BackendKind::Google,
        BackendKind::Apertium,
        BackendKind::OpenAi,
        BackendKind::Command,
        BackendKind::Lexicon,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BackendKind::LibreTranslate => "libretranslate",
            BackendKind::DeepL => "deepl",
            BackendKind::Google => "google",
            BackendKind::Apertium => "apertium",
            BackendKind::OpenAi => "openai",
            BackendKind::Command => "command",
            BackendKind::Lexicon => "lexicon",
        }
    }

    /// True when the service's answers are known without its address: it names a model
    /// (openai) or is one hosted service (deepl, google). LibreTranslate and Apertium
    /// servers name nothing: they are known by their URL, or by `cache_identity`.
    pub fn names_its_model(self) -> bool {
        matches!(
            self,
            BackendKind::DeepL | BackendKind::Google | BackendKind::OpenAi
        )
    }

    fn parse(kind: &str) -> Option<BackendKind> {
        BackendKind::ALL.into_iter().find(|k| k.as_str() == kind)
    }

    /// The path that answers once a spawned server of this kind is ready.
    fn ready_path(self) -> &'static str {
        match self {
            BackendKind::Apertium => "/listPairs",
            BackendKind::LibreTranslate => "/languages",
            _ => "/v1/models",
        }
    }

    /// Most texts per request the service accepts.
    fn hard_max_items(self) -> usize {
        match self {
            BackendKind::DeepL => 50,
            BackendKind::Google => 128,
            BackendKind::Apertium => 1,
            _ => usize::MAX,
        }
    }

    /// (batch size, batch bytes, concurrency, timeout seconds) when the table says nothing.
    fn defaults(self) -> (usize, usize, usize, f64) {
        match self {
            BackendKind::LibreTranslate => (25, 32 * 1024, 4, 30.0),
            // 128 KiB per request including the JSON around the texts.
            BackendKind::DeepL => (50, 120 * 1024, 4, 30.0),
            // 100 KB per request; Google recommends ~5k characters.
            BackendKind::Google => (128, 30_000, 4, 30.0),
            BackendKind::Apertium => (1, 64 * 1024, 2, 30.0),
            BackendKind::OpenAi => (16, 6 * 1024, 2, 180.0),
            BackendKind::Command => (100, 1024 * 1024, 1, 300.0),
            BackendKind::Lexicon => (256, 1024 * 1024, 2, 60.0),
        }
    }

    /// Keys only some kinds accept, with the kinds that accept them.
    fn specific_keys(self) -> &'static [&'static str] {
        match self {
            BackendKind::LibreTranslate => {
                &["url", "api_key_env", "spawn", "ready", "ready_timeout_secs"]
            }
            BackendKind::DeepL => &["url", "api_key_env", "formality", "glossary_id"],
            BackendKind::Google => &["url", "api_key_env", "model"],
            BackendKind::Apertium => &["url", "spawn", "ready", "ready_timeout_secs"],
            BackendKind::OpenAi => &[
                "url",
                "api_key_env",
                "model",
                "prompt",
                "system_prompt",
                "temperature",
                "seed",
                "max_tokens",
                "json_mode",
                "spawn",
                "ready",
                "ready_timeout_secs",
            ],
            BackendKind::Command => &["command"],
            BackendKind::Lexicon => &["files", "alternatives"],
        }
    }
}

/// A validated `[backends.NAME]` table. Holds the *name* of the key's environment variable,
/// never the key.
#[derive(Debug, Clone)]
pub struct BackendConfig {
    pub name: String,
    pub kind: BackendKind,
    pub url: Option<url::Url>,
    pub api_key_env: Option<String>,
    pub settings: DriverSettings,
    pub language_codes: BTreeMap<String, String>,
    pub languages: Vec<String>,
    pub revision: Option<String>,
    pub cache_identity: Option<String>,
    pub model: Option<String>,
    pub formality: Option<String>,
    pub glossary_id: Option<String>,
    pub prompt: Option<String>,
    pub system_prompt: Option<String>,
    pub temperature: f64,
    pub seed: u64,
    pub max_tokens: Option<u32>,
    pub json_mode: bool,
    pub command: Vec<String>,
    /// A local server started for the run.
    pub spawn: Option<SpawnConfig>,
    /// The `url` as written, `{port}` included (with `spawn`).
    pub url_template: Option<String>,
    /// lexicon: extra lexicon files (`SRC-en...tsv`), resolved against the config file.
    pub files: Vec<std::path::PathBuf>,
    /// lexicon: alternatives kept per word.
    pub alternatives: usize,
}

super::remote::limits_of!(RawBackend);

/// Which kind-specific keys a table sets.
fn keys_set(raw: &RawBackend) -> Vec<&'static str> {
    let mut set = Vec::new();
    let mut note = |key: &'static str, present: bool| {
        if present {
            set.push(key);
        }
    };
    note("url", raw.url.is_some());
    note("api_key_env", raw.api_key_env.is_some());
    note("model", raw.model.is_some());
    note("formality", raw.formality.is_some());
    note("glossary_id", raw.glossary_id.is_some());
    note("prompt", raw.prompt.is_some());
    note("system_prompt", raw.system_prompt.is_some());
    note("temperature", raw.temperature.is_some());
    note("seed", raw.seed.is_some());
    note("max_tokens", raw.max_tokens.is_some());
    note("json_mode", raw.json_mode.is_some());
    note("command", !raw.command.is_empty());
    note("files", !raw.files.is_empty());
    note("alternatives", raw.alternatives.is_some());
    note("spawn", !raw.spawn.is_empty());
    note("ready", raw.ready.is_some());
    note("ready_timeout_secs", raw.ready_timeout_secs.is_some());
    set
}

pub(crate) fn validate_backend(
    name: &str,
    raw: &RawBackend,
    locator: &KeyLocator,
    base_dir: &std::path::Path,
) -> Result<BackendConfig, ConfigError> {
    let key = |k: &str| format!("backends.{name}.{k}");
    let invalid = |k: &str, message: String| locator.invalid(&key(k), message);
    let kinds = BackendKind::ALL.map(BackendKind::as_str).join(", ");
    let kind = if raw.kind.is_empty() {
        return Err(invalid("kind", format!("missing; one of {kinds}")));
    } else {
        BackendKind::parse(&raw.kind).ok_or_else(|| {
            invalid(
                "kind",
                format!("unknown kind \"{}\"; one of {kinds}", raw.kind),
            )
        })?
    };
    for k in keys_set(raw) {
        if !kind.specific_keys().contains(&k) {
            return Err(invalid(
                k,
                format!("does not apply to kind \"{}\"", kind.as_str()),
            ));
        }
    }

    let url = match &raw.url {
        None => None,
        Some(text) => Some(validate_url(text, !raw.spawn.is_empty(), &invalid)?),
    };
    if let Some(var) = &raw.api_key_env {
        validate_key_variable(var, &invalid)?;
    }
    if matches!(kind, BackendKind::DeepL | BackendKind::Google) && raw.api_key_env.is_none() {
        return Err(invalid(
            "api_key_env",
            format!(
                "required for kind \"{}\": the name of the environment variable holding the API key",
                kind.as_str()
            ),
        ));
    }
    if kind == BackendKind::OpenAi && raw.model.as_deref().is_none_or(str::is_empty) {
        return Err(invalid("model", "required for kind \"openai\"".into()));
    }
    if kind == BackendKind::Command && raw.command.first().is_none_or(String::is_empty) {
        return Err(invalid(
            "command",
            "required for kind \"command\": [\"program\", \"arg\", ...]".into(),
        ));
    }
    if let Some(prompt) = &raw.prompt
        && !prompt.contains("{input}")
    {
        return Err(invalid(
            "prompt",
            "must contain {input} (where the texts go)".into(),
        ));
    }
    if let Some(f) = &raw.formality
        && !["default", "more", "less", "prefer_more", "prefer_less"].contains(&f.as_str())
    {
        return Err(invalid(
            "formality",
            format!("\"{f}\": expected default, more, less, prefer_more or prefer_less"),
        ));
    }

    let (batch_size, max_batch_bytes, concurrency, timeout_secs) = kind.defaults();
    let defaults = LimitDefaults {
        batch_size,
        max_batch_bytes,
        concurrency,
        timeout_secs,
        hard_max_items: kind.hard_max_items(),
    };
    let settings = validate_limits(raw.limits(), defaults, kind.as_str(), &invalid)?;
    // Ranges of `temperature` and `alternatives`: the table in `ranges`.
    let temperature = raw.temperature.unwrap_or(0.0);
    let alternatives = raw.alternatives.unwrap_or(3);
    let mut files = Vec::new();
    for (i, f) in raw.files.iter().enumerate() {
        let resolved = if f.is_absolute() {
            f.clone()
        } else {
            base_dir.join(f)
        };
        if !resolved.is_file() {
            return Err(invalid(
                "files",
                format!(
                    "entry {} ({}): no such file",
                    i + 1,
                    crate::display::path(&resolved)
                ),
            ));
        }
        files.push(resolved);
    }
    for (code, _) in raw
        .language_codes
        .iter()
        .chain(raw.languages.iter().map(|l| (l, l)))
    {
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(invalid(
                if raw.languages.contains(code) {
                    "languages"
                } else {
                    "language_codes"
                },
                format!("\"{code}\" is not an ISO 639-1 code (two lower-case letters)"),
            ));
        }
    }

    Ok(BackendConfig {
        name: name.to_string(),
        kind,
        url,
        api_key_env: raw.api_key_env.clone(),
        settings,
        language_codes: raw.language_codes.clone(),
        languages: raw.languages.clone(),
        revision: raw.revision.clone(),
        cache_identity: raw.cache_identity.clone(),
        model: raw.model.clone(),
        formality: raw.formality.clone(),
        glossary_id: raw.glossary_id.clone(),
        prompt: raw.prompt.clone(),
        system_prompt: raw.system_prompt.clone(),
        temperature,
        seed: raw.seed.unwrap_or(0),
        max_tokens: raw.max_tokens,
        json_mode: raw.json_mode.unwrap_or(false),
        command: raw.command.clone(),
        spawn: validate_spawn(
            &raw.spawn,
            raw.ready.as_deref(),
            raw.ready_timeout_secs,
            kind.ready_path(),
            &invalid,
        )?,
        url_template: raw.url.clone(),
        files,
        alternatives,
    })
}

/// Validates every `[backends.NAME]` table and adds the implicit `lexicon` backend when the
/// file does not define one.
pub(crate) fn validate_backends(
    raw: &BTreeMap<String, RawBackend>,
    locator: &KeyLocator,
    base_dir: &std::path::Path,
) -> Result<BTreeMap<String, BackendConfig>, ConfigError> {
    let mut backends = BTreeMap::new();
    for (name, backend) in raw {
        backends.insert(
            name.clone(),
            validate_backend(name, backend, locator, base_dir)?,
        );
    }
    if !backends.contains_key(DEFAULT_BACKEND) {
        let implicit = RawBackend {
            kind: "lexicon".into(),
            ..RawBackend::default()
        };
        backends.insert(
            DEFAULT_BACKEND.to_string(),
            validate_backend(DEFAULT_BACKEND, &implicit, locator, base_dir)?,
        );
    }
    Ok(backends)
}
