//! What an embedding protocol module implements, and reading vectors out of JSON answers.

use crate::cache::Fingerprint;
use crate::remote::http::{self, Secret, StatusPolicy};
use crate::remote::json::{array_at, endpoint};
use crate::remote::{BackendError, BoxFuture};

/// What differs between embedding services: how a request is made and answered.
pub(super) trait Protocol: Send + Sync {
    /// Adds the options that change this service's vectors (the URL is added for all).
    fn fingerprint(&self, base: Fingerprint) -> Fingerprint;
    /// One request: a vector per text, in order.
    fn embed<'a>(
        &'a self,
        name: &'a str,
        texts: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<Vec<f32>>, BackendError>>;
}

/// The array of number arrays at a JSON pointer.
pub(super) fn vectors_at(
    name: &str,
    json: &serde_json::Value,
    pointer: &str,
) -> Result<Vec<Vec<f32>>, BackendError> {
    Ok(array_at(name, json, pointer)?
        .iter()
        .map(vector_of)
        .collect())
}

/// One vector of an answer. A component that is no number (`null` for a NaN the server
/// wrote, a string) is NaN, and an item that is no array is empty: the vector check then
/// rejects that item alone, and the rest of the batch is kept.
pub(super) fn vector_of(value: &serde_json::Value) -> Vec<f32> {
    match value {
        serde_json::Value::Array(components) => components
            .iter()
            .map(|x| x.as_f64().map_or(f32::NAN, |x| x as f32))
            .collect(),
        _ => Vec::new(),
    }
}

/// POSTs `body` as JSON to `base` + `path` (with the key as a bearer token, if any) and
/// returns the JSON of a 2xx answer; other statuses become the usual errors.
pub(super) async fn post_json(
    name: &str,
    client: &reqwest::Client,
    (base, path): (&str, &str),
    body: &serde_json::Value,
    api_key: Option<&Secret>,
    items: usize,
) -> Result<serde_json::Value, BackendError> {
    let mut request = client.post(endpoint(base, path)).json(body);
    if let Some(key) = api_key {
        request = request.bearer_auth(key.expose());
    }
    http::send_for_json(name, client, request, items, StatusPolicy::default()).await
}
