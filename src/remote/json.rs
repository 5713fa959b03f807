//! Reading JSON answers of remote services: endpoints, arrays and fields, with "malformed
//! response" errors that name the service.

use super::BackendError;

/// `base` + `/` + `path`, whatever slashes the user wrote.
pub fn endpoint(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

pub fn malformed(backend: &str, what: &str) -> BackendError {
    BackendError::transient(format!("{backend}: malformed response: {what}"))
}

/// The array at a JSON pointer of a response.
pub fn array_at<'a>(
    backend: &str,
    json: &'a serde_json::Value,
    pointer: &str,
) -> Result<&'a Vec<serde_json::Value>, BackendError> {
    json.pointer(pointer)
        .and_then(|v| v.as_array())
        .ok_or_else(|| malformed(backend, &format!("no array at {pointer}")))
}

/// A string field of a response item.
pub fn string_field(
    backend: &str,
    item: &serde_json::Value,
    field: &str,
) -> Result<String, BackendError> {
    item.get(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .ok_or_else(|| malformed(backend, &format!("an item without a string \"{field}\"")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_join_with_one_slash() {
        assert_eq!(endpoint("http://h:1", "translate"), "http://h:1/translate");
        assert_eq!(
            endpoint("http://h/lt/", "/translate"),
            "http://h/lt/translate"
        );
    }
}
