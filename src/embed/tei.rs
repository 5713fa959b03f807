//! Hugging Face text-embeddings-inference: `POST {url}/embed` with `inputs`, `normalize` and
//! `truncate`; the answer is an array of vectors. 413 means the batch is too large (split),
//! 422 a text the tokenizer rejects.

use serde_json::json;

use super::protocol::{Protocol, post_json, vectors_at};
use crate::cache::Fingerprint;
use crate::config::EmbedderConfig;
use crate::remote::http::{self, Secret};
use crate::remote::{BackendError, BoxFuture};

pub struct Tei {
    client: reqwest::Client,
    base: String,
    api_key: Option<Secret>,
    normalize: bool,
    truncate: bool,
}

impl Tei {
    pub fn new(config: &EmbedderConfig, url: Option<&str>, api_key: Option<Secret>) -> Self {
        Tei {
            client: http::client(config.settings.timeout),
            base: url.unwrap_or("http://127.0.0.1:8080").to_string(),
            api_key,
            normalize: config.normalize,
            truncate: config.truncate,
        }
    }
}

impl Protocol for Tei {
    fn fingerprint(&self, base: Fingerprint) -> Fingerprint {
        base.with("normalize", Some(self.normalize))
            .with("truncate", Some(self.truncate))
    }

    fn embed<'a>(
        &'a self,
        name: &'a str,
        texts: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<Vec<f32>>, BackendError>> {
        Box::pin(async move {
            let body =
                json!({"inputs": texts, "normalize": self.normalize, "truncate": self.truncate});
            let json = post_json(
                name,
                &self.client,
                (&self.base, "embed"),
                &body,
                self.api_key.as_ref(),
                texts.len(),
            )
            .await?;
            vectors_at(name, &json, "")
        })
    }
}
