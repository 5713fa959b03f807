//! Ollama's native embeddings: `POST {url}/api/embed` with `model`, an `input` array,
//! `truncate` and optionally `dimensions`; the answer carries `embeddings`.

use serde_json::json;

use super::protocol::{Protocol, post_json, vectors_at};
use crate::cache::Fingerprint;
use crate::config::EmbedderConfig;
use crate::remote::http;
use crate::remote::{BackendError, BoxFuture};

pub struct Ollama {
    client: reqwest::Client,
    base: String,
    model: String,
    dimensions: Option<usize>,
    truncate: bool,
}

impl Ollama {
    pub fn new(config: &EmbedderConfig, url: Option<&str>) -> Self {
        Ollama {
            client: http::client(config.settings.timeout),
            base: url.unwrap_or("http://127.0.0.1:11434").to_string(),
            model: config.model.clone().unwrap_or_default(),
            dimensions: config.dimensions,
            truncate: config.truncate,
        }
    }
}

impl Protocol for Ollama {
    fn fingerprint(&self, base: Fingerprint) -> Fingerprint {
        base.with("model", Some(&self.model))
            .with("truncate", Some(self.truncate))
    }

    fn embed<'a>(
        &'a self,
        name: &'a str,
        texts: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<Vec<f32>>, BackendError>> {
        Box::pin(async move {
            let mut body = json!({"model": self.model, "input": texts, "truncate": self.truncate});
            if let Some(d) = self.dimensions {
                body["dimensions"] = json!(d);
            }
            let json = post_json(
                name,
                &self.client,
                (&self.base, "api/embed"),
                &body,
                None,
                texts.len(),
            )
            .await?;
            vectors_at(name, &json, "/embeddings")
        })
    }
}
