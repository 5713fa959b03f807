//! DeepL API v2: `POST /v2/translate` with up to 50 `text` items, `DeepL-Auth-Key` header,
//! `GET /v2/languages` for the pairs. HTTP 456 means the quota is exhausted.

use serde_json::json;

use super::service::{
    Common, Protocol, all_pairs, array_at, base_url, endpoint, string_field, translations_at,
};
use crate::config::BackendConfig;
use crate::remote::http::{self, Secret, StatusPolicy};
use crate::translate::codes::Scheme;
use crate::translate::{BackendError, Fingerprint, PairSupport, Translated};

pub struct DeepL {
    client: reqwest::Client,
    base: String,
    api_key: Secret,
    formality: Option<String>,
    glossary_id: Option<String>,
}

const POLICY: StatusPolicy = StatusPolicy {
    google_403: false,
    size_400: false,
};

impl DeepL {
    pub fn new(config: &BackendConfig, api_key: Secret) -> Self {
        // Keys of the free plan end in ":fx" and only work on api-free.deepl.com.
        let default_base = if api_key.expose().ends_with(":fx") {
            "https://api-free.deepl.com"
        } else {
            "https://api.deepl.com"
        };
        DeepL {
            client: http::client(config.settings.timeout),
            base: base_url(config, default_base),
            api_key,
            formality: config.formality.clone(),
            glossary_id: config.glossary_id.clone(),
        }
    }

    fn authorised(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request.header(
            reqwest::header::AUTHORIZATION,
            format!("DeepL-Auth-Key {}", self.api_key.expose()),
        )
    }
}

impl Protocol for DeepL {
    const SCHEME: Scheme = Scheme::DeepL;

    fn base_url(&self) -> Option<&str> {
        Some(&self.base)
    }
    fn fingerprint(&self, base: Fingerprint) -> Fingerprint {
        base.with("formality", self.formality.as_deref())
            .with("glossary_id", self.glossary_id.as_deref())
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
        let mut body = json!({ "text": texts, "target_lang": target_code });
        if let Some(s) = source_code {
            body["source_lang"] = json!(s);
        }
        if let Some(f) = &self.formality {
            body["formality"] = json!(f);
        }
        if let Some(g) = &self.glossary_id {
            body["glossary_id"] = json!(g);
        }
        let request = self.authorised(
            self.client
                .post(endpoint(&self.base, "v2/translate"))
                .json(&body),
        );
        let json = http::send_for_json(name, &self.client, request, texts.len(), POLICY).await?;
        translations_at(
            common,
            &json,
            "/translations",
            "text",
            "detected_source_language",
        )
    }

    async fn pairs(&self, common: &Common) -> Result<PairSupport, BackendError> {
        let name = &common.name;
        let mut sides = Vec::new();
        for side in ["source", "target"] {
            let request = self.authorised(
                self.client
                    .get(endpoint(&self.base, "v2/languages"))
                    .query(&[("type", side)]),
            );
            let json = http::send_for_json(name, &self.client, request, 0, POLICY).await?;
            let codes: Vec<String> = array_at(name, &json, "")?
                .iter()
                .filter_map(|l| string_field(name, l, "language").ok())
                .filter_map(|c| common.codes.from_backend(&c))
                .collect();
            sides.push(codes);
        }
        Ok(all_pairs(&sides[0], &sides[1]))
    }
}
