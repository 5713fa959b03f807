//! The HTTP backends against local servers that speak each documented protocol: request
//! shapes (paths, headers, fields, batch sizes) and the failure modes (429 + Retry-After,
//! 5xx, time-outs, malformed bodies, wrong item counts, resets, quota and auth stops).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use common::mock_server::{MockServer, Reply, Request};
use common::{cache_entries, project, stderr_of, stdout_lines, transalign, translate_lines};
use serde_json::{Value, json};

const KEY: &str = "sekret-key-123:fx";

fn echo(text: &str) -> String {
    format!("EN[{text}]")
}

/// LibreTranslate answer to a `/translate` request: every `q` echoed.
fn libre_echo(req: &Request) -> Reply {
    let q: Vec<String> = req.json()["q"]
        .as_array()
        .expect("q is an array")
        .iter()
        .map(|t| echo(t.as_str().unwrap()))
        .collect();
    Reply::json(200, json!({ "translatedText": q }))
}

fn deepl_echo(req: &Request) -> Reply {
    let items: Vec<Value> = req.json()["text"]
        .as_array()
        .expect("text is an array")
        .iter()
        .map(|t| json!({"detected_source_language": "ES", "text": echo(t.as_str().unwrap())}))
        .collect();
    Reply::json(200, json!({ "translations": items }))
}

fn google_echo(req: &Request) -> Reply {
    let items: Vec<Value> = req.json()["q"]
        .as_array()
        .expect("q is an array")
        .iter()
        .map(|t| json!({"translatedText": echo(t.as_str().unwrap())}))
        .collect();
    Reply::json(200, json!({ "data": { "translations": items } }))
}

fn libre_config(url: &str, extra: &str) -> String {
    format!(
        "[translate]\nbackend = \"lt\"\n[backends.lt]\nkind = \"libretranslate\"\nurl = \"{url}\"\nretry_initial_ms = 10\n{extra}\n"
    )
}

fn lines(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("frase número {i}")).collect()
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn libretranslate_batches_with_q_arrays_and_key_in_body() {
    let server = libre_server(|req, _| libre_echo(req));
    let dir = project(&libre_config(
        &server.url(),
        "api_key_env = \"LT_KEY\"\nbatch_size = 2\nconcurrency = 1",
    ));
    let input = lines(5);
    let out = transalign(dir.path())
        .args(["translate", "--from", "es"])
        .env("LT_KEY", "lt-key-value")
        .write_stdin(input.join("\n"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let expected: Vec<String> = input.iter().map(|t| echo(t)).collect();
    assert_eq!(stdout_lines(&out), expected);
    let requests = server.requests_to("/translate");
    let sizes: Vec<usize> = requests
        .iter()
        .map(|r| r.json()["q"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, vec![2, 2, 1]);
    let body = requests[0].json();
    assert_eq!(requests[0].method, "POST");
    assert_eq!(body["source"], "es");
    assert_eq!(body["target"], "en");
    assert_eq!(body["format"], "text");
    assert_eq!(body["api_key"], "lt-key-value");
    // /languages was asked once, before any text.
    assert_eq!(server.requests_to("/languages").len(), 1);
    assert_eq!(server.requests()[0].path, "/languages");
}

/// `/languages` of a LibreTranslate server that has es→en.
fn libre_server(handler: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static) -> MockServer {
    MockServer::start(move |req, n| {
        if req.path == "/languages" {
            Reply::json(
                200,
                json!([{"code": "es", "name": "Spanish", "targets": ["en"]},
                       {"code": "en", "name": "English", "targets": ["es"]}]),
            )
        } else {
            handler(req, n)
        }
    })
}

#[test]
fn deepl_sends_auth_header_upper_case_codes_and_at_most_50_texts() {
    let server = MockServer::start(|req, _| match req.path.as_str() {
        "/v2/languages" if req.query.contains("type=source") => {
            Reply::json(200, json!([{"language": "ES", "name": "Spanish"}]))
        }
        "/v2/languages" => Reply::json(
            200,
            json!([{"language": "EN-US", "name": "English (American)"}]),
        ),
        _ => deepl_echo(req),
    });
    let dir = project(&format!(
        "[translate]\nbackend = \"d\"\n[backends.d]\nkind = \"deepl\"\nurl = \"{}\"\napi_key_env = \"DL_KEY\"\nformality = \"less\"\n",
        server.url()
    ));
    let input = lines(120);
    let out = transalign(dir.path())
        .args(["translate", "--from", "es"])
        .env("DL_KEY", KEY)
        .write_stdin(input.join("\n"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_lines(&out).len(), 120);
    assert_eq!(stdout_lines(&out)[119], echo(&input[119]));
    let requests = server.requests_to("/v2/translate");
    let mut sizes: Vec<usize> = requests
        .iter()
        .map(|r| r.json()["text"].as_array().unwrap().len())
        .collect();
    sizes.sort();
    assert_eq!(sizes, vec![20, 50, 50]);
    for r in &requests {
        assert_eq!(
            r.header("authorization"),
            Some(format!("DeepL-Auth-Key {KEY}").as_str())
        );
        let body = r.json();
        assert_eq!(body["target_lang"], "EN-US");
        assert_eq!(body["source_lang"], "ES");
        assert_eq!(body["formality"], "less");
    }
}

#[test]
fn google_always_sends_format_text_and_keeps_the_key_out_of_the_url() {
    let server = MockServer::start(|req, _| {
        if req.path.ends_with("/languages") {
            Reply::json(
                200,
                json!({"data": {"languages": [{"language": "es"}, {"language": "en"}]}}),
            )
        } else {
            google_echo(req)
        }
    });
    let dir = project(&format!(
        "[translate]\nbackend = \"g\"\n[backends.g]\nkind = \"google\"\nurl = \"{}\"\napi_key_env = \"G_KEY\"\n",
        server.url()
    ));
    let input = lines(130);
    let out = transalign(dir.path())
        .args(["translate", "--from", "es"])
        .env("G_KEY", KEY)
        .write_stdin(input.join("\n"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_lines(&out)[129], echo(&input[129]));
    let requests = server.requests_to("/language/translate/v2");
    let mut sizes: Vec<usize> = requests
        .iter()
        .map(|r| r.json()["q"].as_array().unwrap().len())
        .collect();
    sizes.sort();
    // 130 texts of ~17 bytes: two requests, none over 128 items.
    assert_eq!(sizes.iter().sum::<usize>(), 130);
    assert!(sizes.iter().all(|&s| s <= 128), "{sizes:?}");
    for r in server.requests() {
        assert!(!r.query.contains(KEY) && !r.path.contains(KEY));
        assert_eq!(r.header("x-goog-api-key"), Some(KEY));
    }
    for r in &requests {
        assert_eq!(r.json()["format"], "text");
        assert_eq!(r.json()["target"], "en");
        assert_eq!(r.json()["source"], "es");
    }
}

#[test]
fn retry_after_is_honoured_on_429() {
    let server = libre_server(|req, n| {
        if n == 1 {
            Reply::json(429, json!({"error": "Slowdown"})).with_header("Retry-After", "1")
        } else {
            libre_echo(req)
        }
    });
    let dir = project(&libre_config(&server.url(), ""));
    let out = translate_lines(dir.path(), "es", &["hola"], &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_lines(&out), vec![echo("hola")]);
    let requests = server.requests_to("/translate");
    assert_eq!(requests.len(), 2);
    let waited = requests[1].received - requests[0].received;
    assert!(
        waited >= Duration::from_millis(990),
        "retried after {waited:?}"
    );
    assert!(stderr_of(&out).contains("1 retries"), "{}", stderr_of(&out));
}

#[test]
fn server_errors_timeouts_malformed_bodies_and_resets_are_retried() {
    // Request 1: 500, 2: a body that is not JSON, 3: connection reset, 4: too slow, 5: fine.
    let server = libre_server(|req, n| match n {
        1 => Reply::json(500, json!({"error": "translation failed"})),
        2 => Reply::raw(200, "<html>proxy error</html>"),
        3 => Reply::Reset,
        4 => libre_echo(req).after(Duration::from_secs(3)),
        _ => libre_echo(req),
    });
    let dir = project(&libre_config(
        &server.url(),
        "timeout_secs = 1\nmax_retries = 5",
    ));
    let out = translate_lines(dir.path(), "es", &["uno", "dos"], &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_lines(&out), vec![echo("uno"), echo("dos")]);
    assert_eq!(server.requests_to("/translate").len(), 5);
    assert!(stderr_of(&out).contains("4 retries"), "{}", stderr_of(&out));
    assert_eq!(cache_entries(dir.path()), 2);
}

#[test]
fn retries_give_up_and_nothing_is_cached_for_failed_texts() {
    let server = libre_server(|_, _| Reply::json(503, json!({"error": "busy"})));
    let dir = project(&libre_config(&server.url(), "max_retries = 2"));
    let out = translate_lines(dir.path(), "es", &["uno"], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("HTTP 503"), "{}", stderr_of(&out));
    assert_eq!(server.requests_to("/translate").len(), 3);
    assert_eq!(stdout_lines(&out), vec![String::new()]);
    assert_eq!(cache_entries(dir.path()), 0);
}

#[test]
fn wrong_item_count_splits_the_batch_until_it_matches() {
    // Batches of more than one text lose their last item; single texts come back fine.
    let server = libre_server(|req, _| {
        let q: Vec<String> = req.json()["q"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| echo(t.as_str().unwrap()))
            .collect();
        let keep = if q.len() > 1 { q.len() - 1 } else { 1 };
        Reply::json(200, json!({ "translatedText": q[..keep] }))
    });
    let dir = project(&libre_config(&server.url(), "concurrency = 1"));
    let input = lines(4);
    let out = translate_lines(dir.path(), "es", &refs(&input), &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let expected: Vec<String> = input.iter().map(|t| echo(t)).collect();
    assert_eq!(stdout_lines(&out), expected);
    let sizes: Vec<usize> = server
        .requests_to("/translate")
        .iter()
        .map(|r| r.json()["q"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, vec![4, 2, 1, 1, 2, 1, 1]);
}

#[test]
fn a_413_splits_and_a_rejected_text_fails_alone() {
    let server = libre_server(|req, _| {
        let q = req.json()["q"].as_array().unwrap().clone();
        if q.len() > 2 {
            return Reply::json(413, json!({"error": "Payload Too Large"}));
        }
        if q.iter().any(|t| t == "malo") {
            return Reply::json(400, json!({"error": "Invalid request: bad text"}));
        }
        libre_echo(req)
    });
    let dir = project(&libre_config(&server.url(), "concurrency = 1"));
    let out = translate_lines(dir.path(), "es", &["uno", "malo", "tres", "cuatro"], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    assert_eq!(
        stdout_lines(&out),
        vec![echo("uno"), String::new(), echo("tres"), echo("cuatro")]
    );
    assert!(
        stderr_of(&out).contains("line 2: lt: HTTP 400: Invalid request: bad text"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(cache_entries(dir.path()), 3);
}

#[test]
fn quota_exhaustion_stops_cleanly_and_keeps_what_was_translated() {
    // DeepL: the first request succeeds, then 456 until the quota is back.
    let quota_back = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&quota_back);
    let translate_requests = std::sync::atomic::AtomicUsize::new(0);
    let server = MockServer::start(move |req, _| match req.path.as_str() {
        "/v2/languages" if req.query.contains("type=source") => {
            Reply::json(200, json!([{"language": "ES"}]))
        }
        "/v2/languages" => Reply::json(200, json!([{"language": "EN-US"}])),
        _ if flag.load(Ordering::SeqCst)
            || translate_requests.fetch_add(1, Ordering::SeqCst) == 0 =>
        {
            deepl_echo(req)
        }
        _ => Reply::json(456, json!({"message": "Quota exceeded"})),
    });
    let dir = project(&format!(
        "[translate]\nbackend = \"d\"\n[backends.d]\nkind = \"deepl\"\nurl = \"{}\"\napi_key_env = \"DL_KEY\"\nbatch_size = 2\nconcurrency = 1\n",
        server.url()
    ));
    let input = lines(6);
    let run = || {
        transalign(dir.path())
            .args(["translate", "--from", "es"])
            .env("DL_KEY", KEY)
            .write_stdin(input.join("\n"))
            .output()
            .unwrap()
    };
    let out = run();
    assert_eq!(out.status.code(), Some(3));
    let err = stderr_of(&out);
    assert!(
        err.contains("translation stopped: d: HTTP 456: Quota exceeded (quota exhausted)"),
        "{err}"
    );
    assert_eq!(
        server.requests_to("/v2/translate").len(),
        2,
        "no request after the 456"
    );
    // One batch of two made it, whichever was sent first; the others are empty lines.
    let translated: Vec<String> = stdout_lines(&out)
        .into_iter()
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(translated.len(), 2);
    assert!(
        translated
            .iter()
            .all(|t| input.iter().any(|i| &echo(i) == t))
    );
    assert_eq!(cache_entries(dir.path()), 2);

    // With quota again, only the four missing texts are sent.
    quota_back.store(true, Ordering::SeqCst);
    let out = run();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let sent: usize = server.requests_to("/v2/translate")[2..]
        .iter()
        .map(|r| r.json()["text"].as_array().unwrap().len())
        .sum();
    assert_eq!(sent, 4);
    let expected: Vec<String> = input.iter().map(|t| echo(t)).collect();
    assert_eq!(stdout_lines(&out), expected);
}

#[test]
fn google_quota_403_stops_but_rate_403_is_retried() {
    let server = MockServer::start(|req, n| {
        if req.path.ends_with("/languages") {
            return Reply::json(
                200,
                json!({"data": {"languages": [{"language": "es"}, {"language": "en"}]}}),
            );
        }
        match n {
            1 => Reply::json(
                403,
                json!({"error": {"code": 403, "message": "User Rate Limit Exceeded", "errors": [{"reason": "userRateLimitExceeded"}]}}),
            ),
            2 => google_echo(req),
            _ => Reply::json(
                403,
                json!({"error": {"code": 403, "message": "Daily Limit Exceeded", "errors": [{"reason": "dailyLimitExceeded"}]}}),
            ),
        }
    });
    let dir = project(&format!(
        "[translate]\nbackend = \"g\"\n[backends.g]\nkind = \"google\"\nurl = \"{}\"\napi_key_env = \"G_KEY\"\nbatch_size = 1\nconcurrency = 1\nretry_initial_ms = 10\n",
        server.url()
    ));
    let out = transalign(dir.path())
        .args(["translate", "--from", "es"])
        .env("G_KEY", KEY)
        .write_stdin("uno\ndos\ntres\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = stderr_of(&out);
    assert!(
        err.contains("Daily Limit Exceeded (quota exhausted or access denied)"),
        "{err}"
    );
    assert_eq!(server.requests_to("/translate/v2").len(), 3);
    assert_eq!(cache_entries(dir.path()), 1);
}

#[test]
fn unsupported_pairs_are_reported_before_any_text_is_sent_and_fallbacks_take_over() {
    let only_french = MockServer::start(|req, _| {
        if req.path == "/languages" {
            Reply::json(200, json!([{"code": "fr", "targets": ["en"]}]))
        } else {
            libre_echo(req)
        }
    });
    let dir = project(&libre_config(&only_french.url(), ""));
    let out = translate_lines(dir.path(), "es", &["hola"], &[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr_of(&out).contains("no configured backend translates es→en (lt: pair not supported)"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(only_french.requests_to("/translate").len(), 0);

    let spanish = libre_server(|req, _| libre_echo(req));
    let config = libre_config(&only_french.url(), "").replace(
        "backend = \"lt\"\n",
        "backend = \"lt\"\nfallback = [\"lt2\"]\n",
    ) + &format!(
        "[backends.lt2]\nkind = \"libretranslate\"\nurl = \"{}\"\n",
        spanish.url()
    );
    std::fs::write(dir.path().join("config.toml"), config).unwrap();
    let out = translate_lines(dir.path(), "es", &["hola"], &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_lines(&out), vec![echo("hola")]);
    assert_eq!(spanish.requests_to("/translate").len(), 1);
    assert_eq!(only_french.requests_to("/translate").len(), 0);
}

#[test]
fn a_missing_key_variable_is_an_error_before_any_request() {
    let server = libre_server(|req, _| libre_echo(req));
    let dir = project(&libre_config(
        &server.url(),
        "api_key_env = \"NOT_SET_ANYWHERE\"",
    ));
    let out = transalign(dir.path())
        .args(["translate", "--from", "es"])
        .env_remove("NOT_SET_ANYWHERE")
        .write_stdin("hola\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains(
            "environment variable NOT_SET_ANYWHERE (named by backends.lt.api_key_env) is not set"
        ),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(server.count(), 0);
}

/// A project whose corpus is one Spanish sentence, translated by the LibreTranslate `server`
/// with the key in `LT_KEY`.
fn spanish_corpus_with_key(server: &MockServer) -> tempfile::TempDir {
    let dir = project(&format!(
        "[input]\npaths = [\"corpus\"]\n{}",
        libre_config(&server.url(), "api_key_env = \"LT_KEY\"")
    ));
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(
        corpus.join("es.txt"),
        "El gobierno anunció ayer un nuevo plan de inversión para las regiones del norte del país.\n",
    )
    .unwrap();
    dir
}

#[test]
fn keys_never_reach_logs_outputs_or_the_cache() {
    let secret = "lt-secret-5f1e9a";
    let server = libre_server(|req, _| libre_echo(req));
    let dir = spanish_corpus_with_key(&server);
    let out = transalign(dir.path())
        .args(["-vv", "run"])
        .env("LT_KEY", secret)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    // The key was sent...
    assert!(
        server.requests_to("/translate")[0]
            .raw_text()
            .contains(secret)
    );
    // ...and appears nowhere else.
    let err = stderr_of(&out);
    assert!(
        err.contains("request"),
        "debug request logging is on: {err}"
    );
    assert!(!err.contains(secret));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(secret));
    for file in ["out/sentences.jsonl", "out/summary.json"] {
        assert!(
            !std::fs::read_to_string(dir.path().join(file))
                .unwrap()
                .contains(secret)
        );
    }
    let export = transalign(dir.path())
        .args(["cache", "export"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&export.stdout).contains("EN[El gobierno"));
    assert!(!String::from_utf8_lossy(&export.stdout).contains(secret));
    for entry in walkdir::WalkDir::new(dir.path().join("cache")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{:?}",
                entry.path()
            );
        }
    }
    let config = transalign(dir.path())
        .args(["config", "check"])
        .env("LT_KEY", secret)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&config.stdout).contains(secret));
}

#[test]
fn backends_check_really_contacts_an_openai_backend() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = common::project(&format!(
        "[backends.llm]\nkind = \"openai\"\nurl = \"http://127.0.0.1:{port}/v1\"\nmodel = \"m\"\nmax_retries = 0\n"
    ));
    let out = common::transalign(dir.path())
        .args(["backends", "check", "--backend", "llm"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("llm (openai): UNREACHABLE"));
}

/// Issue 15 item 1: `Retry-After: 1e20` panicked a request task (and the main thread when it
/// answered `GET /languages`). It is capped like any other wait.
#[test]
fn a_retry_after_of_1e20_is_capped_not_a_panic() {
    let languages = Arc::new(AtomicUsize::new(0));
    let translations = Arc::new(AtomicUsize::new(0));
    let (l, t) = (Arc::clone(&languages), Arc::clone(&translations));
    let server = MockServer::start(move |req, _| {
        let busy =
            || Reply::json(429, json!({"error": "Slowdown"})).with_header("Retry-After", "1e20");
        if req.path == "/languages" {
            if l.fetch_add(1, Ordering::SeqCst) == 0 {
                return busy();
            }
            Reply::json(
                200,
                json!([{"code": "es", "name": "Spanish", "targets": ["en"]}]),
            )
        } else if t.fetch_add(1, Ordering::SeqCst) == 0 {
            busy()
        } else {
            libre_echo(req)
        }
    });
    let dir = project(&libre_config(&server.url(), "retry_after_cap_secs = 0.2"));
    let out = translate_lines(dir.path(), "es", &["hola"], &[]);
    let err = stderr_of(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.status.success(), "{err}");
    assert_eq!(stdout_lines(&out), vec![echo("hola")]);
    assert_eq!(translations.load(Ordering::SeqCst), 2);
    assert_eq!(languages.load(Ordering::SeqCst), 2);
}

/// Issue 15 item 2: a server answering `""` (or blanks) for non-empty texts gave exit 0 and
/// empty translations served from the cache forever. They are failures, never cached.
#[test]
fn empty_translations_are_failures_and_never_cached() {
    let server = libre_server(|req, _| {
        let q = req.json()["q"].as_array().unwrap().len();
        let answers: Vec<&str> = (0..q).map(|i| if i % 2 == 0 { "" } else { "  " }).collect();
        Reply::json(200, json!({ "translatedText": answers }))
    });
    let dir = project(&libre_config(&server.url(), "batch_size = 4"));
    let out = translate_lines(dir.path(), "es", &["uno", "dos", "tres"], &[]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("empty translation"), "{err}");
    assert_eq!(cache_entries(dir.path()), 0);
    let sent = server.requests_to("/translate").len();
    let again = translate_lines(dir.path(), "es", &["uno", "dos", "tres"], &[]);
    assert_eq!(again.status.code(), Some(3));
    assert!(
        server.requests_to("/translate").len() > sent,
        "the rerun asked the server again"
    );
}

/// Issue 15 item 5: a 400 that echoes the request (LibreTranslate's key is in the body,
/// DeepL's in a header) put the key into stderr, `sentences.jsonl` and `summary.json`.
#[test]
fn a_key_echoed_in_a_server_error_is_redacted_everywhere() {
    let secret = "lt-secret-echo-77a1";
    let server = libre_server(|req, _| {
        Reply::json(
            400,
            json!({"error": format!("cannot parse request {} {:?}", String::from_utf8_lossy(&req.body), req.headers)}),
        )
    });
    let dir = spanish_corpus_with_key(&server);
    let out = transalign(dir.path())
        .args(["-v", "run"])
        .env("LT_KEY", secret)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    assert!(
        server.requests_to("/translate")[0]
            .raw_text()
            .contains(secret)
    );
    let sentences = std::fs::read_to_string(dir.path().join("out/sentences.jsonl")).unwrap();
    assert!(sentences.contains("[redacted]"), "{sentences}");
    for text in [
        stderr_of(&out),
        sentences,
        std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap(),
    ] {
        assert!(!text.contains(secret), "{text}");
        assert!(
            !text.contains("lt-secret"),
            "a part of the key leaked: {text}"
        );
    }

    let deepl = MockServer::start(|req, _| match req.path.as_str() {
        "/v2/languages" if req.query.contains("type=source") => {
            Reply::json(200, json!([{"language": "ES", "name": "Spanish"}]))
        }
        "/v2/languages" => Reply::json(200, json!([{"language": "EN-US", "name": "English"}])),
        _ => Reply::raw(400, &format!("Bad request. Headers: {:?}", req.headers)),
    });
    let dir = project(&format!(
        "[translate]\nbackend = \"d\"\n[backends.d]\nkind = \"deepl\"\nurl = \"{}\"\napi_key_env = \"DL_KEY\"\n",
        deepl.url()
    ));
    let out = transalign(dir.path())
        .args(["translate", "--from", "es"])
        .env("DL_KEY", KEY)
        .write_stdin("hola\n")
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("HTTP 400"), "{err}");
    assert!(!err.contains(KEY) && !err.contains("sekret"), "{err}");
}

/// A certificate authority of the test, and a server certificate for `localhost` it signed.
fn test_ca() -> (String, Arc<rustls::ServerConfig>) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "transalign internal test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let server_key = rcgen::KeyPair::generate().unwrap();
    let server = rcgen::CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&server_key, &ca, &ca_key)
        .unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(server_key.serialize_der().into());
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![server.der().clone(), ca.der().clone()], key)
        .unwrap();
    (ca.pem(), Arc::new(config))
}

/// Issue 15 item 13: servers behind an internal CA were unreachable (`invalid peer
/// certificate: UnknownIssuer`; `SSL_CERT_FILE` and the system store were ignored). The
/// system's roots are used, and `SSL_CERT_FILE` names more.
#[test]
fn a_server_behind_an_internal_ca_is_reached_through_ssl_cert_file() {
    let (ca_pem, tls) = test_ca();
    let server = MockServer::start_tls(tls, |req, _| {
        if req.path == "/languages" {
            Reply::json(
                200,
                json!([{"code": "es", "name": "Spanish", "targets": ["en"]}]),
            )
        } else {
            libre_echo(req)
        }
    });
    let url = format!("https://localhost:{}", server.port());
    let dir = project(&libre_config(&url, "max_retries = 0"));
    std::fs::write(dir.path().join("ca.pem"), ca_pem).unwrap();
    let trusted = transalign(dir.path())
        .args(["translate", "--from", "es"])
        .env("SSL_CERT_FILE", dir.path().join("ca.pem"))
        .write_stdin("hola\n")
        .output()
        .unwrap();
    assert!(trusted.status.success(), "{}", stderr_of(&trusted));
    assert_eq!(stdout_lines(&trusted), vec![echo("hola")]);
    // Without the CA the same server is refused, and the message says why.
    let untrusted = transalign(dir.path())
        .args(["translate", "--from", "es"])
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR")
        .write_stdin("adiós\n")
        .output()
        .unwrap();
    assert_eq!(
        untrusted.status.code(),
        Some(3),
        "{}",
        stderr_of(&untrusted)
    );
    assert!(
        stderr_of(&untrusted).to_lowercase().contains("certificate"),
        "{}",
        stderr_of(&untrusted)
    );
    assert_eq!(
        server.requests_to("/translate").len(),
        1,
        "only the trusted run got through"
    );
}

/// Issue 25 item 14: LibreTranslate returned the `api_key` inside `translatedText`, and the
/// key landed unredacted in the cache, `cache export`, the outputs and stdout. Such an
/// answer fails alone (its batch neighbours are kept, nothing is sent again), is never
/// cached, and the key appears nowhere.
#[test]
fn a_key_echoed_in_a_successful_answer_is_never_used_shown_or_cached() {
    let server = libre_server(|req, _| {
        let key = req.json()["api_key"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let q: Vec<String> = req.json()["q"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let t = t.as_str().unwrap();
                if t.ends_with(" 3") {
                    format!("{} (key {key})", echo(t))
                } else {
                    echo(t)
                }
            })
            .collect();
        Reply::json(200, json!({ "translatedText": q }))
    });
    let dir = project(&libre_config(
        &server.url(),
        "api_key_env = \"LT_KEY\"\nbatch_size = 8\nconcurrency = 1\nmax_retries = 0",
    ));
    let input = lines(6);
    let out = transalign(dir.path())
        .args(["translate", "--from", "es"])
        .env("LT_KEY", KEY)
        .write_stdin(input.join("\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let err = stderr_of(&out);
    assert!(!stdout.contains(KEY) && !err.contains(KEY), "{stdout}{err}");
    let printed = stdout_lines(&out);
    assert_eq!(printed[0], echo(&input[0]));
    assert_eq!(printed[3], "", "the echoing answer is not used");
    assert!(err.contains("contains a configured API key"), "{err}");
    assert_eq!(
        server.requests_to("/translate").len(),
        1,
        "no split, no resend"
    );
    let export = transalign(dir.path())
        .args(["cache", "export"])
        .output()
        .unwrap();
    let exported = String::from_utf8_lossy(&export.stdout);
    assert_eq!(exported.lines().count(), 5, "the other five are cached");
    assert!(!exported.contains(KEY));
}

/// Issue 25 item 16: a server's address was part of the cache key. LibreTranslate names no
/// model: it is known by its URL unless `cache_identity` says what it runs; DeepL is one
/// hosted service, known without its URL.
#[test]
fn cache_identity_makes_the_same_service_on_another_port_a_cache_hit() {
    let input = lines(3);
    let run = |dir: &std::path::Path| {
        transalign(dir)
            .args(["translate", "--from", "es"])
            .write_stdin(input.join("\n"))
            .output()
            .unwrap()
    };
    // Without cache_identity: another port is another server.
    let first = libre_server(|req, _| libre_echo(req));
    let dir = project(&libre_config(&first.url(), ""));
    assert!(run(dir.path()).status.success());
    let second = libre_server(|req, _| libre_echo(req));
    std::fs::write(
        dir.path().join("config.toml"),
        libre_config(&second.url(), ""),
    )
    .unwrap();
    assert!(run(dir.path()).status.success());
    assert_eq!(
        second.requests_to("/translate").len(),
        1,
        "known by its URL"
    );
    // With cache_identity: the same service wherever it runs.
    let pinned = "cache_identity = \"libretranslate 1.6 argos\"";
    let dir = project(&libre_config(&first.url(), pinned));
    assert!(run(dir.path()).status.success());
    let third = libre_server(|req, _| libre_echo(req));
    std::fs::write(
        dir.path().join("config.toml"),
        libre_config(&third.url(), pinned),
    )
    .unwrap();
    let out = run(dir.path());
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        stdout_lines(&out),
        input.iter().map(|t| echo(t)).collect::<Vec<_>>()
    );
    assert_eq!(third.requests_to("/translate").len(), 0, "a cache hit");
}

/// Issue 22 item 6: a dead backend port cost 15.6 s of retries and then repeated the full
/// error for every sentence. A connection refused before the server ever answered ends the
/// backend's work at once, with the message said once.
#[test]
fn a_server_that_is_not_running_fails_fast_with_one_message() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for (kind, extra) in [("libretranslate", ""), ("openai", "model = \"m\"\n")] {
        let dir = project(&format!(
            "[translate]\nbackend = \"dead\"\n[backends.dead]\nkind = \"{kind}\"\nurl = \"http://127.0.0.1:{port}/v1\"\n{extra}max_retries = 8\nretry_initial_ms = 2000\n"
        ));
        let input = lines(6);
        let out = transalign(dir.path())
            .args(["translate", "--from", "es"])
            .write_stdin(input.join("\n"))
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(3), "{kind}: {err}");
        assert_eq!(
            err.matches("cannot connect").count(),
            1,
            "{kind}: said once, not per text: {err}"
        );
        assert!(err.contains(&format!("127.0.0.1:{port}")), "{kind}: {err}");
        assert!(!err.contains("retry"), "{kind}: no retries: {err}");
    }
}
