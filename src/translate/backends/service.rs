//! What every translation backend shares: the [`Protocol`] a service module implements, the
//! [`Service`] that adds the common parts, and helpers for JSON answers.

use std::future::Future;

use crate::config::BackendConfig;
pub(super) use crate::remote::json::{array_at, endpoint, malformed, string_field};
use crate::translate::codes::{CodeMap, Role, Scheme};
use crate::translate::{
    Backend, BackendError, BoxFuture, DriverSettings, Fingerprint, PairSupport, Translated,
};

/// What differs between services: how a request is made and answered. [`Service`] adds
/// what every backend shares.
pub(super) trait Protocol: Send + Sync + 'static {
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
pub(super) struct Service<P> {
    pub(super) common: Common,
    pub(super) protocol: P,
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
    fn legacy_fingerprint(&self) -> Option<Fingerprint> {
        let base = self.common.legacy_base_fingerprint.clone()?;
        Some(self.protocol.fingerprint(base))
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

/// What every backend has: name, driver settings, code map, language restriction and the
/// options every fingerprint includes.
pub(super) struct Common {
    pub(super) name: String,
    pub(super) kind: &'static str,
    pub(super) settings: DriverSettings,
    pub(super) codes: CodeMap,
    pub(super) languages: Vec<String>,
    pub(super) base_fingerprint: Fingerprint,
    /// The base fingerprint of older builds (with the URL), where it differs.
    pub(super) legacy_base_fingerprint: Option<Fingerprint>,
}

impl Common {
    pub(super) fn new(config: &BackendConfig, scheme: Scheme, base_url: Option<&str>) -> Self {
        let kind = config.kind.as_str();
        let codes_text = (!config.language_codes.is_empty())
            .then(|| serde_json::to_string(&config.language_codes).expect("plain strings"));
        let (identity, legacy) = Fingerprint::identity(
            kind,
            base_url,
            config.kind.names_its_model(),
            config.cache_identity.as_deref(),
        );
        let options = |f: Fingerprint| {
            f.with("revision", config.revision.as_deref())
                .with("language_codes", codes_text.clone())
        };
        Common {
            name: config.name.clone(),
            kind,
            settings: config.settings.clone(),
            codes: CodeMap::new(scheme, config.language_codes.clone()),
            languages: config.languages.clone(),
            base_fingerprint: options(identity),
            legacy_base_fingerprint: legacy.map(options),
        }
    }

    pub(super) fn knows_pair(&self, source: &str, target: &str) -> bool {
        (self.languages.is_empty() || self.languages.iter().any(|l| l == source))
            && (source == "auto" || self.codes.to_backend(source, Role::Source).is_some())
            && self.codes.to_backend(target, Role::Target).is_some()
    }

    /// The backend's codes for a pair; `auto` maps to `None` (let the service detect).
    pub(super) fn pair(
        &self,
        source: &str,
        target: &str,
    ) -> Result<(Option<String>, String), BackendError> {
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
pub(super) fn all_pairs(sources: &[String], targets: &[String]) -> PairSupport {
    PairSupport::Pairs(
        sources
            .iter()
            .flat_map(|s| targets.iter().map(move |t| (s.clone(), t.clone())))
            .filter(|(s, t)| s != t)
            .collect(),
    )
}

/// The table's `url`, else the kind's default.
pub(super) fn base_url(config: &BackendConfig, default: &str) -> String {
    config
        .url
        .as_ref()
        .map_or_else(|| default.to_string(), |u| u.to_string())
}

/// The translations in the array at `pointer`: each item's `text_field`, and its
/// `detected_field` mapped back to ISO 639-1.
pub(super) fn translations_at(
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
