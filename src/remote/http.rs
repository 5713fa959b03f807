//! HTTP plumbing shared by the HTTP backends: one client, request logging without secrets,
//! and the classification of statuses and transport errors into [`BackendError`]s.

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

use super::BackendError;

/// A secret (API key) read from the environment. `Debug` and `Display` never show it.
#[derive(Clone)]
pub struct Secret(String);

/// Every key loaded by this process: text taken from a server (an error body that echoes
/// the request, its form fields or its headers) is cleaned of them by [`redact`].
/// Each as it is and form/URL-encoded, the two forms a server may echo.
static KNOWN_SECRETS: std::sync::Mutex<Vec<[String; 2]>> = std::sync::Mutex::new(Vec::new());

/// What a key is replaced with in server text.
pub const REDACTED: &str = "[redacted]";

impl Secret {
    pub fn new(value: String) -> Self {
        if value.chars().count() >= 3 {
            let mut known = KNOWN_SECRETS.lock().unwrap_or_else(|e| e.into_inner());
            if !known.iter().any(|[plain, _]| *plain == value) {
                let encoded = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
                known.push([value.clone(), encoded]);
            }
        }
        Secret(value)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl Secret {
    /// The key in the environment variable `variable` (the `api_key_env` of table `table`,
    /// e.g. `backends.deepl`); `None` without one. A variable that is unset or empty is an
    /// error naming it (never the value).
    pub fn from_env(
        variable: Option<&str>,
        table: &str,
        name: &str,
    ) -> Result<Option<Secret>, crate::error::SetupError> {
        let Some(var) = variable else {
            return Ok(None);
        };
        match std::env::var(var) {
            Ok(value) if !value.trim().is_empty() => {
                Ok(Some(Secret::new(value.trim().to_string())))
            }
            _ => Err(crate::error::SetupError {
                backend: name.to_string(),
                message: format!(
                    "environment variable {var} (named by {table}.api_key_env) is not set or empty"
                ),
            }),
        }
    }
    /// Like [`Secret::from_env`] for a service that will send requests (`sending`); for one
    /// that only plans (a dry run's cost preview, which sends nothing), a missing key is
    /// replaced by a placeholder that no request ever carries.
    pub fn for_service(
        variable: Option<&str>,
        table: &str,
        name: &str,
        sending: bool,
    ) -> Result<Option<Secret>, crate::error::SetupError> {
        match Secret::from_env(variable, table, name) {
            Err(_) if !sending => Ok(Some(Secret::new("placeholder-of-a-dry-run".into()))),
            other => other,
        }
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A response that arrived: status, headers and body.
#[derive(Debug)]
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Response {
    /// The body as JSON, or a transient "malformed body" error (a proxy's error page, a
    /// truncated answer).
    pub fn json(&self, backend: &str) -> Result<serde_json::Value, BackendError> {
        serde_json::from_slice(&self.body)
            .or_else(|e| {
                // Python servers write NaN and Infinity, which JSON does not have: read them as
                // null, so that the one bad item is found and failed instead of the whole batch.
                let text = String::from_utf8_lossy(&self.body);
                if text.contains("NaN") || text.contains("Infinity") {
                    let cleaned = text
                        .replace("-Infinity", "null")
                        .replace("Infinity", "null")
                        .replace("NaN", "null");
                    if let Ok(value) = serde_json::from_str(&cleaned) {
                        return Ok(value);
                    }
                }
                Err(e)
            })
            .map_err(|e| {
                BackendError::transient(format!(
                    "{backend}: malformed response body ({e}): {}",
                    snippet(&self.body)
                ))
            })
    }
}

/// Builds the HTTP client of one backend.
pub fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("transalign/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the TLS backend is compiled in")
}

/// Sends a request and reads the whole body. Logs method, URL and size at debug level;
/// headers and bodies (which carry keys) are never logged, and keys never go into URLs.
pub async fn send(
    backend: &str,
    client: &reqwest::Client,
    request: reqwest::RequestBuilder,
    items: usize,
) -> Result<Response, BackendError> {
    let request = request
        .build()
        .map_err(|e| BackendError::fatal(format!("{backend}: cannot build request: {e}")))?;
    tracing::debug!(
        backend,
        method = %request.method(),
        url = %request.url(),
        items,
        body_bytes = request.body().and_then(|b| b.as_bytes()).map_or(0, <[u8]>::len),
        "request"
    );
    let response = client
        .execute(request)
        .await
        .map_err(|e| transport_error(backend, &e))?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .bytes()
        .await
        .map_err(|e| transport_error(backend, &e))?
        .to_vec();
    tracing::debug!(
        backend,
        status = status.as_u16(),
        body_bytes = body.len(),
        "response"
    );
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// Sends a request and returns the JSON body of a 2xx answer; any other status becomes the
/// error `policy` says.
pub async fn send_for_json(
    backend: &str,
    client: &reqwest::Client,
    request: reqwest::RequestBuilder,
    items: usize,
    policy: StatusPolicy,
) -> Result<serde_json::Value, BackendError> {
    let response = send(backend, client, request, items).await?;
    if !response.status.is_success() {
        return Err(status_error(backend, &response, policy));
    }
    response.json(backend)
}

/// Time-outs and reset connections are transient, and anything else about the transport too
/// (a retry costs little), except a malformed URL; a refused connection or an unknown host
/// is [`BackendError::Unreachable`].
fn transport_error(backend: &str, e: &reqwest::Error) -> BackendError {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "connection broken while reading the answer"
    } else if e.is_builder() {
        return BackendError::fatal(format!("{backend}: invalid request: {e}"));
    } else {
        "request failed"
    };
    // The error text carries the URL, which never contains a key.
    let message = format!("{backend}: {what}: {}", error_chain(e));
    if e.is_connect() {
        BackendError::Unreachable { message }
    } else {
        BackendError::transient(message)
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// How a backend's non-success statuses are read; the defaults follow the common HTTP
/// meaning, backends adjust the ambiguous ones.
#[derive(Debug, Clone, Copy, Default)]
pub struct StatusPolicy {
    /// 403 is a quota/rate error whose reason decides (Google): rate → retry, quota → stop.
    pub google_403: bool,
    /// Some servers answer 400 for requests over their size limit (LibreTranslate, Google):
    /// when the message says so, split instead of failing the texts.
    pub size_400: bool,
}

/// The error for a non-2xx response.
pub fn status_error(backend: &str, response: &Response, policy: StatusPolicy) -> BackendError {
    let status = response.status.as_u16();
    let message = format!(
        "{backend}: HTTP {status}: {}",
        error_message(&response.body)
    );
    match status {
        429 | 500..=599 => BackendError::Transient {
            message,
            retry_after: retry_after(&response.headers),
        },
        413 | 414 => BackendError::TooLarge { message },
        456 => BackendError::fatal(format!("{message} (quota exhausted)")),
        401 => BackendError::fatal(format!("{message} (authentication failed)")),
        403 if policy.google_403 => {
            let text = String::from_utf8_lossy(&response.body);
            if text.contains("userRateLimitExceeded") || text.contains("\"rateLimitExceeded\"") {
                BackendError::Transient {
                    message,
                    retry_after: retry_after(&response.headers),
                }
            } else {
                BackendError::fatal(format!("{message} (quota exhausted or access denied)"))
            }
        }
        403 => BackendError::fatal(format!("{message} (access denied)")),
        404 | 405 => BackendError::fatal(format!("{message} (wrong URL for this backend?)")),
        400 if policy.size_400 && mentions_size_limit(&message) => {
            BackendError::TooLarge { message }
        }
        _ => BackendError::rejected(message),
    }
}

fn mentions_size_limit(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    ["limit", "too long", "too large", "too many", "exceeds"]
        .iter()
        .any(|w| m.contains(w))
}

/// The longest `Retry-After` taken from a server as it is (a day); the driver caps it
/// further with `retry_after_cap_secs`. Larger values (`1e20`) are read as this.
const RETRY_AFTER_LIMIT_SECS: f64 = 86_400.0;

/// `Retry-After` as seconds or an HTTP date, at most a day.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        // NaN fails `>= 0`; infinity and 1e20 become the limit.
        return (seconds >= 0.0)
            .then(|| Duration::from_secs_f64(seconds.min(RETRY_AFTER_LIMIT_SECS)));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(
        date.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO)
            .min(Duration::from_secs_f64(RETRY_AFTER_LIMIT_SECS)),
    )
}

/// `text` with every known key (as it is, and form/URL-encoded) replaced by [`REDACTED`].
/// Applied to everything a server says before it goes into an error, a log, an output or
/// `summary.json`.
pub fn redact(text: &str) -> String {
    let known = KNOWN_SECRETS.lock().unwrap_or_else(|e| e.into_inner());
    let mut out = text.to_string();
    for form in known.iter().flatten() {
        if out.contains(form.as_str()) {
            out = out.replace(form.as_str(), REDACTED);
        }
    }
    out
}

/// True when `text` holds a known key (as it is, or form/URL-encoded) of at least 8
/// characters (a shorter one cannot be told from ordinary text).
pub fn contains_secret(text: &str) -> bool {
    let known = KNOWN_SECRETS.lock().unwrap_or_else(|e| e.into_inner());
    known
        .iter()
        .filter(|[plain, _]| plain.chars().count() >= 8)
        .any(|[plain, encoded]| text.contains(plain.as_str()) || text.contains(encoded.as_str()))
}

/// The error message of a JSON error body in any of the shapes the vendors use
/// (`{"error": "..."}`, `{"message": ...}`, `{"error": {"message": ...}}`), else the start
/// of the body.
pub fn error_message(body: &[u8]) -> String {
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) {
        for pointer in [
            "/error/message",
            "/error",
            "/message",
            "/responseDetails",
            "/explanation",
        ] {
            if let Some(text) = json.pointer(pointer).and_then(|v| v.as_str()) {
                return crate::display::escape(&redact(text)).into_owned();
            }
        }
    }
    snippet(body)
}

/// The first 200 characters of a body, for messages (control characters escaped).
pub fn snippet(body: &[u8]) -> String {
    let text = crate::display::escape(&redact(&String::from_utf8_lossy(body))).into_owned();
    let trimmed = text.trim();
    match trimmed.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &trimmed[..i]),
        None if trimmed.is_empty() => "(empty body)".into(),
        None => trimmed.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn response(status: u16, body: &str) -> Response {
        Response {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn statuses_are_classified() {
        let p = StatusPolicy::default();
        assert!(matches!(
            status_error("b", &response(429, ""), p),
            BackendError::Transient { .. }
        ));
        assert!(matches!(
            status_error("b", &response(529, ""), p),
            BackendError::Transient { .. }
        ));
        assert!(matches!(
            status_error("b", &response(413, ""), p),
            BackendError::TooLarge { .. }
        ));
        assert!(matches!(
            status_error("b", &response(456, ""), p),
            BackendError::Fatal { .. }
        ));
        assert!(matches!(
            status_error("b", &response(400, "{\"error\":\"x\"}"), p),
            BackendError::Rejected { .. }
        ));
        let google = StatusPolicy {
            google_403: true,
            size_400: true,
        };
        let rate = r#"{"error":{"code":403,"message":"User Rate Limit Exceeded","errors":[{"reason":"userRateLimitExceeded"}]}}"#;
        let daily = r#"{"error":{"code":403,"message":"Daily Limit Exceeded","errors":[{"reason":"dailyLimitExceeded"}]}}"#;
        assert!(matches!(
            status_error("g", &response(403, rate), google),
            BackendError::Transient { .. }
        ));
        assert!(matches!(
            status_error("g", &response(403, daily), google),
            BackendError::Fatal { .. }
        ));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        let later = SystemTime::now() + Duration::from_secs(30);
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_str(&httpdate::fmt_http_date(later)).unwrap(),
        );
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(25) && d <= Duration::from_secs(30),
            "{d:?}"
        );
    }

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("sk-very-secret".into());
        assert!(!format!("{s:?}").contains("very"));
    }
}
