//! What an embedding protocol module implements, and reading vectors out of JSON answers.

use crate::cache::Fingerprint;
use crate::remote::json::{array_at, malformed};
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
    array_at(name, json, pointer)?
        .iter()
        .map(|row| {
            row.as_array()
                .ok_or_else(|| malformed(name, "a vector that is not an array"))?
                .iter()
                .map(|x| match x {
                    serde_json::Value::Null => Ok(f32::NAN),
                    x => x
                        .as_f64()
                        .map(|x| x as f32)
                        .ok_or_else(|| malformed(name, "a vector with a non-number")),
                })
                .collect()
        })
        .collect()
}
