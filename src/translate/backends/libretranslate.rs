//! LibreTranslate: `POST /translate` with `q` as an array, `GET /languages` for the pairs.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::service::{Common, Protocol, array_at, base_url, endpoint, malformed, string_field};
use crate::config::BackendConfig;
use crate::remote::http::{self, Secret, StatusPolicy};
use crate::translate::codes::Scheme;
use crate::translate::{BackendError, PairSupport, Translated};

pub struct LibreTranslate {
    client: reqwest::Client,
    base: String,
    api_key: Option<Secret>,
}

/// LibreTranslate answers 400 when a request exceeds the operator's batch or character limit.
const POLICY: StatusPolicy = StatusPolicy {
    google_403: false,
    size_400: true,
};

impl LibreTranslate {
    pub fn new(config: &BackendConfig, api_key: Option<Secret>) -> Self {
        LibreTranslate {
            client: http::client(config.settings.timeout),
            base: base_url(config, "http://127.0.0.1:5000"),
            api_key,
        }
    }
}

impl Protocol for LibreTranslate {
    const SCHEME: Scheme = Scheme::Iso639_1;

    fn base_url(&self) -> Option<&str> {
        Some(&self.base)
    }
    async fn translate(
        &self,
        common: &Common,
        source: &str,
        target: &str,
        texts: &[String],
    ) -> Result<Vec<Translated>, BackendError> {
        let name = &common.name;
        let (source_code, target_code) = common.pair(source, target)?;
        let mut body = json!({
            "q": texts,
            "source": source_code.as_deref().unwrap_or("auto"),
            "target": target_code,
            "format": "text",
        });
        if let Some(key) = &self.api_key {
            body["api_key"] = json!(key.expose());
        }
        let request = self
            .client
            .post(endpoint(&self.base, "translate"))
            .json(&body);
        let json = http::send_for_json(name, &self.client, request, texts.len(), POLICY).await?;
        let detected_code = |d: &Value| {
            d.get("language")
                .and_then(Value::as_str)
                .and_then(|c| common.codes.from_backend(c))
        };
        let detected: Vec<Option<String>> = match json.get("detectedLanguage") {
            Some(Value::Array(items)) => items.iter().map(detected_code).collect(),
            Some(d) => vec![detected_code(d)],
            None => Vec::new(),
        };
        let translations: Vec<String> = match json.get("translatedText") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(_)) => array_at(name, &json, "/translatedText")?
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| malformed(name, "a translatedText that is not a string"))
                })
                .collect::<Result<_, _>>()?,
            _ => return Err(malformed(name, "no translatedText")),
        };
        Ok(translations
            .into_iter()
            .enumerate()
            .map(|(i, text)| Translated {
                text,
                detected_source: detected.get(i).cloned().flatten(),
                coverage: None,
            })
            .collect())
    }

    async fn pairs(&self, common: &Common) -> Result<PairSupport, BackendError> {
        let name = &common.name;
        let request = self.client.get(endpoint(&self.base, "languages"));
        let json = http::send_for_json(name, &self.client, request, 0, POLICY).await?;
        let mut pairs = HashSet::new();
        for language in array_at(name, &json, "")? {
            let Some(source) = common
                .codes
                .from_backend(&string_field(name, language, "code")?)
            else {
                continue;
            };
            let targets = language.get("targets").and_then(Value::as_array);
            for target in targets.into_iter().flatten().filter_map(Value::as_str) {
                if let Some(target) = common.codes.from_backend(target) {
                    pairs.insert((source.clone(), target));
                }
            }
        }
        Ok(PairSupport::Pairs(pairs))
    }
}
