//! Apertium APy: one text per `POST /translate` (`langpair=spa|eng`, `markUnknown=no`),
//! `GET /listPairs` for the installed pairs (ISO 639-3 codes, some with variants such as
//! `eng_US`).

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use serde_json::Value;

use super::service::{Common, Protocol, array_at, base_url, endpoint, malformed, string_field};
use crate::config::BackendConfig;
use crate::remote::http::{self, StatusPolicy};
use crate::translate::codes::{Role, Scheme};
use crate::translate::{BackendError, PairSupport, Translated};

pub struct Apertium {
    client: reqwest::Client,
    base: String,
    /// Installed APy codes per internal pair, learnt from `/listPairs` (prefers the plain
    /// code, `eng`, over a variant, `eng_US`).
    installed: Mutex<HashMap<(String, String), (String, String)>>,
}

const POLICY: StatusPolicy = StatusPolicy {
    google_403: false,
    size_400: false,
};

impl Apertium {
    pub fn new(config: &BackendConfig) -> Self {
        Apertium {
            client: http::client(config.settings.timeout),
            base: base_url(config, "http://127.0.0.1:2737"),
            installed: Mutex::new(HashMap::new()),
        }
    }

    /// The `langpair` for an internal pair: the installed one when known, else the mapped codes.
    fn langpair(
        &self,
        common: &Common,
        source: &str,
        target: &str,
    ) -> Result<String, BackendError> {
        if let Some((s, t)) = self
            .installed
            .lock()
            .expect("pairs lock")
            .get(&(source.to_string(), target.to_string()))
        {
            return Ok(format!("{s}|{t}"));
        }
        match common.pair(source, target)? {
            (Some(s), t) => Ok(format!("{s}|{t}")),
            (None, _) => Err(BackendError::rejected(format!(
                "{}: Apertium needs a source language (no automatic detection)",
                common.name
            ))),
        }
    }
}

impl Protocol for Apertium {
    const SCHEME: Scheme = Scheme::Iso639_3;

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
        let langpair = self.langpair(common, source, target)?;
        let mut out = Vec::with_capacity(texts.len());
        // APy takes one text per request; the driver sends batches of one.
        for text in texts {
            let request = self.client.post(endpoint(&self.base, "translate")).form(&[
                ("langpair", langpair.as_str()),
                ("q", text.as_str()),
                ("markUnknown", "no"),
            ]);
            let json = http::send_for_json(name, &self.client, request, 1, POLICY).await?;
            // APy repeats the status in the body.
            let status = json
                .get("responseStatus")
                .and_then(Value::as_u64)
                .unwrap_or(200);
            if status != 200 {
                let details = http::error_message(json.to_string().as_bytes());
                return Err(match status {
                    429 | 500..=599 => {
                        BackendError::transient(format!("{name}: status {status}: {details}"))
                    }
                    _ => BackendError::rejected(format!("{name}: status {status}: {details}")),
                });
            }
            let data = json
                .get("responseData")
                .ok_or_else(|| malformed(name, "no responseData"))?;
            out.push(Translated {
                text: string_field(name, data, "translatedText")?,
                detected_source: None,
                coverage: None,
            });
        }
        Ok(out)
    }

    async fn pairs(&self, common: &Common) -> Result<PairSupport, BackendError> {
        let name = &common.name;
        let request = self.client.get(endpoint(&self.base, "listPairs"));
        let json = http::send_for_json(name, &self.client, request, 0, POLICY).await?;
        let mut pairs = HashSet::new();
        let mut installed = self.installed.lock().expect("pairs lock");
        for item in array_at(name, &json, "/responseData")? {
            let source = string_field(name, item, "sourceLanguage")?;
            let target = string_field(name, item, "targetLanguage")?;
            let (Some(s), Some(t)) = (
                common.codes.from_backend(&source),
                common.codes.from_backend(&target),
            ) else {
                continue;
            };
            let plain = common.codes.to_backend(&t, Role::Target).as_deref() == Some(&target)
                && common.codes.to_backend(&s, Role::Source).as_deref() == Some(&source);
            let key = (s, t);
            if plain || !installed.contains_key(&key) {
                installed.insert(key.clone(), (source, target));
            }
            pairs.insert(key);
        }
        Ok(PairSupport::Pairs(pairs))
    }
}
