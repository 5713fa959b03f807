//! Google Cloud Translation v2: `POST /language/translate/v2` with up to 128 `q`, always
//! `format: "text"`; the key goes in the `X-Goog-Api-Key` header (never in the URL). Quota
//! errors come as 403.

use serde_json::json;

use super::service::{
    Common, Protocol, all_pairs, array_at, base_url, endpoint, string_field, translations_at,
};
use crate::config::BackendConfig;
use crate::remote::http::{self, Secret, StatusPolicy};
use crate::translate::codes::Scheme;
use crate::translate::{BackendError, Fingerprint, PairSupport, Translated};

pub struct Google {
    client: reqwest::Client,
    base: String,
    api_key: Secret,
    model: Option<String>,
}

/// 403 carries rate (retry) or quota (stop) reasons; 400 `INVALID_ARGUMENT` can mean "too large".
const POLICY: StatusPolicy = StatusPolicy {
    google_403: true,
    size_400: true,
};

impl Google {
    pub fn new(config: &BackendConfig, api_key: Secret) -> Self {
        Google {
            client: http::client(config.settings.timeout),
            base: base_url(config, "https://translation.googleapis.com"),
            api_key,
            model: config.model.clone(),
        }
    }

    fn authorised(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request.header("X-Goog-Api-Key", self.api_key.expose())
    }
}

impl Protocol for Google {
    const SCHEME: Scheme = Scheme::Google;

    fn base_url(&self) -> Option<&str> {
        Some(&self.base)
    }
    fn fingerprint(&self, base: Fingerprint) -> Fingerprint {
        base.with("model", self.model.as_deref())
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
        // `format` defaults to html, which returns entity-escaped text.
        let mut body = json!({ "q": texts, "target": target_code, "format": "text" });
        if let Some(s) = source_code {
            body["source"] = json!(s);
        }
        if let Some(m) = &self.model {
            body["model"] = json!(m);
        }
        let request = self.authorised(
            self.client
                .post(endpoint(&self.base, "language/translate/v2"))
                .json(&body),
        );
        let json = http::send_for_json(name, &self.client, request, texts.len(), POLICY).await?;
        translations_at(
            common,
            &json,
            "/data/translations",
            "translatedText",
            "detectedSourceLanguage",
        )
    }

    async fn pairs(&self, common: &Common) -> Result<PairSupport, BackendError> {
        let name = &common.name;
        let request = self.authorised(
            self.client
                .get(endpoint(&self.base, "language/translate/v2/languages")),
        );
        let json = http::send_for_json(name, &self.client, request, 0, POLICY).await?;
        let codes: Vec<String> = array_at(name, &json, "/data/languages")?
            .iter()
            .filter_map(|l| string_field(name, l, "language").ok())
            .filter_map(|c| common.codes.from_backend(&c))
            .collect();
        Ok(all_pairs(&codes, &codes))
    }
}
