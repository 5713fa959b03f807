//! OpenAI-compatible chat completions (Ollama, vLLM, llama.cpp, LM Studio, hosted APIs):
//! `POST {url}/chat/completions`. A batch goes out as a JSON object of id → text and must
//! come back as a JSON object with every id exactly once; anything else (merged, missing or
//! extra items, a truncated answer) is a mismatch, and the driver halves the batch.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::service::{Common, Protocol, base_url, endpoint, malformed};
use crate::config::BackendConfig;
use crate::remote::http::{self, Secret, StatusPolicy};
use crate::translate::codes::{Role, Scheme};
use crate::translate::{BackendError, Fingerprint, PairSupport, Translated};

/// System prompt when the table sets none.
pub const DEFAULT_SYSTEM_PROMPT: &str = "You are a professional translator. Translate every value of the JSON object the user sends from {source} into {target}. Keep names, numbers and acronyms as they are. Answer with one JSON object that has exactly the same keys, each mapped to the translation of its value, and nothing else.";

/// User prompt when the table sets none.
pub const DEFAULT_PROMPT: &str = "{input}";

pub struct OpenAi {
    client: reqwest::Client,
    base: String,
    api_key: Option<Secret>,
    model: String,
    prompt: String,
    system_prompt: String,
    temperature: f64,
    seed: u64,
    max_tokens: Option<u32>,
    json_mode: bool,
}

const POLICY: StatusPolicy = StatusPolicy {
    google_403: false,
    size_400: false,
};

impl OpenAi {
    pub fn new(config: &BackendConfig, api_key: Option<Secret>) -> Self {
        OpenAi {
            client: http::client(config.settings.timeout),
            base: base_url(config, "http://127.0.0.1:11434/v1"),
            api_key,
            model: config.model.clone().unwrap_or_default(),
            prompt: config
                .prompt
                .clone()
                .unwrap_or_else(|| DEFAULT_PROMPT.into()),
            system_prompt: config
                .system_prompt
                .clone()
                .unwrap_or_else(|| DEFAULT_SYSTEM_PROMPT.into()),
            temperature: config.temperature,
            seed: config.seed,
            max_tokens: config.max_tokens,
            json_mode: config.json_mode,
        }
    }
}

fn fill(template: &str, source: &str, target: &str, input: &str) -> String {
    template
        .replace("{source}", source)
        .replace("{target}", target)
        .replace("{input}", input)
}

/// The JSON object in a model's answer: the whole content, or the part between the first
/// `{` and the last `}` (models wrap JSON in code fences or a sentence).
fn json_object(content: &str) -> Option<serde_json::Map<String, Value>> {
    let trimmed = content.trim();
    if let Ok(Value::Object(map)) = serde_json::from_str(trimmed) {
        return Some(map);
    }
    let start = trimmed.find('{')?;
    let end = trimmed.rfind('}')?;
    match serde_json::from_str(trimmed.get(start..=end)?) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// Checks that the answer has ids `1..=n`, each once, each a string.
fn validate(backend: &str, answer: &str, n: usize) -> Result<Vec<String>, BackendError> {
    let map = json_object(answer).ok_or_else(|| {
        BackendError::mismatch(format!(
            "{backend}: the answer is not a JSON object: {}",
            http::snippet(answer.as_bytes())
        ))
    })?;
    if map.len() != n {
        return Err(BackendError::mismatch(format!(
            "{backend}: sent {n} texts, the answer has {} entries",
            map.len()
        )));
    }
    (1..=n)
        .map(|id| match map.get(&id.to_string()) {
            Some(Value::String(s)) => Ok(s.trim().to_string()),
            Some(_) => Err(BackendError::mismatch(format!(
                "{backend}: entry {id} is not a string"
            ))),
            None => Err(BackendError::mismatch(format!(
                "{backend}: entry {id} is missing from the answer"
            ))),
        })
        .collect()
}

impl Protocol for OpenAi {
    const SCHEME: Scheme = Scheme::Name;

    fn base_url(&self) -> Option<&str> {
        Some(&self.base)
    }

    fn fingerprint(&self, base: Fingerprint) -> Fingerprint {
        base.with("model", Some(&self.model))
            .with("prompt", Some(&self.prompt))
            .with("system_prompt", Some(&self.system_prompt))
            .with("temperature", Some(self.temperature))
            .with("seed", Some(self.seed))
            .with("max_tokens", self.max_tokens)
            .with("json_mode", Some(self.json_mode))
    }

    async fn pairs(&self, _common: &Common) -> Result<PairSupport, BackendError> {
        // A language model takes any pair it has a name for; restrict with `languages`.
        Ok(PairSupport::Any)
    }

    async fn translate(
        &self,
        common: &Common,
        source: &str,
        target: &str,
        texts: &[String],
    ) -> Result<Vec<Translated>, BackendError> {
        let name = &common.name;
        let source_name = match source {
            "auto" => "the language it is written in".to_string(),
            s => common
                .codes
                .to_backend(s, Role::Source)
                .unwrap_or_else(|| s.to_string()),
        };
        let (_, target_name) = common.pair(source, target)?;
        let input: BTreeMap<String, &str> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| ((i + 1).to_string(), t.as_str()))
            .collect();
        // Keys sorted numerically, not as strings, for the model's sake.
        let input_text = format!(
            "{{{}}}",
            (1..=texts.len())
                .map(|i| format!("{}: {}", json!(i.to_string()), json!(input[&i.to_string()])))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut body = json!({
            "model": self.model,
            "messages": [
                {"role": "system", "content": fill(&self.system_prompt, &source_name, &target_name, &input_text)},
                {"role": "user", "content": fill(&self.prompt, &source_name, &target_name, &input_text)},
            ],
            "temperature": self.temperature,
            "seed": self.seed,
            "stream": false,
        });
        if let Some(m) = self.max_tokens {
            body["max_tokens"] = json!(m);
        }
        if self.json_mode {
            body["response_format"] = json!({"type": "json_object"});
        }
        let mut request = self
            .client
            .post(endpoint(&self.base, "chat/completions"))
            .json(&body);
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key.expose());
        }
        let json = http::send_for_json(name, &self.client, request, texts.len(), POLICY).await?;
        let choice = json
            .pointer("/choices/0")
            .ok_or_else(|| malformed(name, "no choices"))?;
        if choice.get("finish_reason").and_then(Value::as_str) == Some("length") {
            return Err(BackendError::mismatch(format!(
                "{name}: the answer was cut off (finish_reason \"length\"); raise max_tokens or lower batch_size"
            )));
        }
        let content = choice
            .pointer("/message/content")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed(name, "no message content"))?;
        Ok(validate(name, content, texts.len())?
            .into_iter()
            .map(|text| Translated {
                text,
                detected_source: None,
                coverage: None,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_validated_id_by_id() {
        assert_eq!(
            validate("m", "```json\n{\"1\": \"a\", \"2\": \"b\"}\n```", 2).unwrap(),
            vec!["a", "b"]
        );
        for bad in [
            "{\"1\": \"a\"}",
            "{\"1\": \"a\", \"3\": \"b\"}",
            "{\"1\": \"a\", \"2\": 2}",
            "1. a\n2. b",
            "{\"1\": \"a\", \"2\": \"b\", \"3\": \"c\"}",
        ] {
            assert!(
                matches!(validate("m", bad, 2), Err(BackendError::Mismatch { .. })),
                "{bad}"
            );
        }
    }
}
