//! The backends: one module per service kind, built from a validated `[backends.NAME]` table.

mod apertium;
mod command;
mod deepl;
mod google;
mod lexicon;
mod libretranslate;
mod openai;

use std::future::Future;
use std::sync::Arc;

use super::codes::{CodeMap, Role, Scheme};
use super::http::Secret;
use super::{
    Backend, BackendError, BoxFuture, DriverSettings, Fingerprint, PairSupport, Translated,
};
use crate::config::{BackendConfig, BackendKind};

/// A backend cannot be set up (a missing API key variable).
#[derive(Debug, thiserror::Error)]
#[error("backend \"{backend}\": {message}")]
pub struct SetupError {
    pub backend: String,
    pub message: String,
}

/// Builds the backend of a validated table; reads its API key from the environment.
pub fn build(config: &BackendConfig) -> Result<Arc<dyn Backend>, SetupError> {
    let key = api_key(config)?;
    Ok(match config.kind {
        BackendKind::LibreTranslate => {
            service(config, libretranslate::LibreTranslate::new(config, key))
        }
        BackendKind::DeepL => service(config, deepl::DeepL::new(config, require(config, key)?)),
        BackendKind::Google => service(config, google::Google::new(config, require(config, key)?)),
        BackendKind::Apertium => service(config, apertium::Apertium::new(config)),
        BackendKind::OpenAi => service(config, openai::OpenAi::new(config, key)),
        BackendKind::Command => service(config, command::Command::new(config)),
        BackendKind::Lexicon => service(config, lexicon::LexiconBackend::new(config)),
    })
}

fn service<P: Protocol>(config: &BackendConfig, protocol: P) -> Arc<dyn Backend> {
    let common = Common::new(config, P::SCHEME, protocol.base_url());
    Arc::new(Service { common, protocol })
}

/// What differs between services: how a request is made and answered. [`Service`] adds
/// what every backend shares.
trait Protocol: Send + Sync + 'static {
    /// How the service spells languages.
    const SCHEME: Scheme;
    /// True for backends that never touch the network.
    const OFFLINE: bool = false;
    /// The URL requests go to (part of the fingerprint), `None` for local programs.
    fn base_url(&self) -> Option<&str>;
    /// Adds the options that change this service's output.
    fn fingerprint(&self, base: Fingerprint) -> Fingerprint {
        base
    }
    /// The pairs the service supports.
    fn pairs(
        &self,
        common: &Common,
    ) -> impl Future<Output = Result<PairSupport, BackendError>> + Send;
    /// One request: `texts` from `source` into `target`.
    fn translate(
        &self,
        common: &Common,
        source: &str,
        target: &str,
        texts: &[String],
    ) -> impl Future<Output = Result<Vec<Translated>, BackendError>> + Send;
}

/// A [`Protocol`] with the shared parts: a complete [`Backend`].
struct Service<P> {
    common: Common,
    protocol: P,
}

impl<P: Protocol> Backend for Service<P> {
    fn name(&self) -> &str {
        &self.common.name
    }
    fn kind(&self) -> &'static str {
        self.common.kind
    }
    fn is_offline(&self) -> bool {
        P::OFFLINE
    }
    fn settings(&self) -> &DriverSettings {
        &self.common.settings
    }
    fn fingerprint(&self) -> Fingerprint {
        self.protocol
            .fingerprint(self.common.base_fingerprint.clone())
    }
    fn knows_pair(&self, source: &str, target: &str) -> bool {
        self.common.knows_pair(source, target)
    }
    fn supported_pairs(&self) -> BoxFuture<'_, Result<PairSupport, BackendError>> {
        Box::pin(self.protocol.pairs(&self.common))
    }
    fn translate<'a>(
        &'a self,
        source: &'a str,
        target: &'a str,
        texts: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<Translated>, BackendError>> {
        Box::pin(self.protocol.translate(&self.common, source, target, texts))
    }
}

fn api_key(config: &BackendConfig) -> Result<Option<Secret>, SetupError> {
    let Some(var) = &config.api_key_env else {
        return Ok(None);
    };
    match std::env::var(var) {
        Ok(value) if !value.trim().is_empty() => Ok(Some(Secret::new(value.trim().to_string()))),
        _ => Err(SetupError {
            backend: config.name.clone(),
            message: format!(
                "environment variable {var} (named by backends.{}.api_key_env) is not set or empty",
                config.name
            ),
        }),
    }
}

fn require(config: &BackendConfig, key: Option<Secret>) -> Result<Secret, SetupError> {
    key.ok_or_else(|| SetupError {
        backend: config.name.clone(),
        message: "an API key is required (api_key_env)".into(),
    })
}

/// What every backend has: name, driver settings, code map, language restriction and the
/// options every fingerprint includes.
struct Common {
    name: String,
    kind: &'static str,
    settings: DriverSettings,
    codes: CodeMap,
    languages: Vec<String>,
    base_fingerprint: Fingerprint,
}

impl Common {
    fn new(config: &BackendConfig, scheme: Scheme, base_url: Option<&str>) -> Self {
        let kind = config.kind.as_str();
        let codes_text = (!config.language_codes.is_empty())
            .then(|| serde_json::to_string(&config.language_codes).expect("plain strings"));
        Common {
            name: config.name.clone(),
            kind,
            settings: config.settings.clone(),
            codes: CodeMap::new(scheme, config.language_codes.clone()),
            languages: config.languages.clone(),
            base_fingerprint: Fingerprint::new(kind)
                .with("url", base_url)
                .with("revision", config.revision.as_deref())
                .with("language_codes", codes_text),
        }
    }

    fn knows_pair(&self, source: &str, target: &str) -> bool {
        (self.languages.is_empty() || self.languages.iter().any(|l| l == source))
            && (source == "auto" || self.codes.to_backend(source, Role::Source).is_some())
            && self.codes.to_backend(target, Role::Target).is_some()
    }

    /// The backend's codes for a pair; `auto` maps to `None` (let the service detect).
    fn pair(&self, source: &str, target: &str) -> Result<(Option<String>, String), BackendError> {
        let missing = |code: &str| {
            BackendError::rejected(format!("{}: no language code for \"{code}\"", self.name))
        };
        let source = match source {
            "auto" => None,
            s => Some(
                self.codes
                    .to_backend(s, Role::Source)
                    .ok_or_else(|| missing(s))?,
            ),
        };
        let target = self
            .codes
            .to_backend(target, Role::Target)
            .ok_or_else(|| missing(target))?;
        Ok((source, target))
    }
}

/// Every pair of different languages from `sources` × `targets`.
fn all_pairs(sources: &[String], targets: &[String]) -> PairSupport {
    PairSupport::Pairs(
        sources
            .iter()
            .flat_map(|s| targets.iter().map(move |t| (s.clone(), t.clone())))
            .filter(|(s, t)| s != t)
            .collect(),
    )
}

/// The table's `url`, else the kind's default.
fn base_url(config: &BackendConfig, default: &str) -> String {
    config
        .url
        .as_ref()
        .map_or_else(|| default.to_string(), |u| u.to_string())
}

/// The translations in the array at `pointer`: each item's `text_field`, and its
/// `detected_field` mapped back to ISO 639-1.
fn translations_at(
    common: &Common,
    json: &serde_json::Value,
    pointer: &str,
    text_field: &str,
    detected_field: &str,
) -> Result<Vec<Translated>, BackendError> {
    array_at(&common.name, json, pointer)?
        .iter()
        .map(|item| {
            Ok(Translated {
                text: string_field(&common.name, item, text_field)?,
                detected_source: item
                    .get(detected_field)
                    .and_then(|v| v.as_str())
                    .and_then(|c| common.codes.from_backend(c)),
                coverage: None,
            })
        })
        .collect()
}

/// `base` + `/` + `path`, whatever slashes the user wrote.
fn endpoint(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

fn malformed(backend: &str, what: &str) -> BackendError {
    BackendError::transient(format!("{backend}: malformed response: {what}"))
}

/// The array at a JSON pointer of a response.
fn array_at<'a>(
    backend: &str,
    json: &'a serde_json::Value,
    pointer: &str,
) -> Result<&'a Vec<serde_json::Value>, BackendError> {
    json.pointer(pointer)
        .and_then(|v| v.as_array())
        .ok_or_else(|| malformed(backend, &format!("no array at {pointer}")))
}

/// A string field of a response item.
fn string_field(
    backend: &str,
    item: &serde_json::Value,
    field: &str,
) -> Result<String, BackendError> {
    item.get(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .ok_or_else(|| malformed(backend, &format!("an item without a string \"{field}\"")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_join_with_one_slash() {
        assert_eq!(endpoint("http://h:1", "translate"), "http://h:1/translate");
        assert_eq!(
            endpoint("http://h/lt/", "/translate"),
            "http://h/lt/translate"
        );
    }
}
