//! Embedders against a scripted local server that speaks the documented protocols (OpenAI
//! `/embeddings`, TEI `/embed`, Ollama `/api/embed`) and fails the way servers fail: 429 with
//! Retry-After, 5xx, time-outs, wrong vector counts, wrong dimensions, NaN, 413 — plus the
//! `command` embedder and the vector cache (rerun, export/import, clear).

mod common;

use std::time::Duration;

use common::mock_server::{MockServer, Reply, Request};
use common::{parse_jsonl, project, stderr_of, transalign};
use serde_json::{Value, json};

/// A deterministic 4-dimensional vector of a text (its length, vowels, spaces, and 1).
fn vector_of(text: &str) -> Vec<f32> {
    let vowels = text.chars().filter(|c| "aeiou".contains(*c)).count();
    let spaces = text.chars().filter(|c| *c == ' ').count();
    vec![text.len() as f32, vowels as f32, spaces as f32, 1.0]
}

fn inputs(req: &Request, field: &str) -> Vec<String> {
    req.json()[field]
        .as_array()
        .expect("input array")
        .iter()
        .map(|v| v.as_str().expect("string input").to_string())
        .collect()
}

fn openai_answer(texts: &[String]) -> Value {
    let data: Vec<Value> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| json!({"object": "embedding", "index": i, "embedding": vector_of(t)}))
        .collect();
    json!({"object": "list", "data": data, "model": "m"})
}

fn openai_config(url: &str, extra: &str) -> String {
    format!(
        "[embed]\nbackend = \"e\"\n[embedders.e]\nkind = \"openai\"\nurl = \"{url}/v1\"\nmodel = \"m\"\nretry_initial_ms = 10\n{extra}\n"
    )
}

fn embed(dir: &std::path::Path, lines: &[&str], args: &[&str]) -> std::process::Output {
    let mut input = lines.join("\n");
    input.push('\n');
    transalign(dir)
        .arg("embed")
        .args(args)
        .write_stdin(input)
        .output()
        .expect("run transalign embed")
}

fn vectors(output: &std::process::Output) -> Vec<Value> {
    parse_jsonl(&String::from_utf8_lossy(&output.stdout))
}

fn texts(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("sentence number {i}")).collect()
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn openai_requests_carry_model_inputs_prefix_and_options_and_vectors_come_back_in_order() {
    let server = MockServer::start(|req, _| {
        let texts = inputs(req, "input");
        // Answer the items in reverse order: the client must sort by `index`.
        let mut answer = openai_answer(&texts);
        answer["data"].as_array_mut().unwrap().reverse();
        Reply::json(200, answer)
    });
    let dir = project(&openai_config(
        &server.url(),
        "prefix = \"query: \"\ninput_type = \"query\"\ndimensions = 4\nbatch_size = 2",
    ));
    let lines = ["a cat", "the dog", "", "a cat", "birds sing"];
    let out = embed(dir.path(), &lines, &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let rows = vectors(&out);
    assert_eq!(rows.len(), 5, "one line out per line in");
    assert_eq!(rows[2], Value::Null, "an empty line has no vector");
    assert_eq!(rows[0], rows[3], "equal lines, equal vectors");
    // The prefix is part of what was embedded: "query: a cat" has 12 bytes.
    assert_eq!(rows[0][0].as_f64().unwrap(), 12.0);
    let requests = server.requests_to("/v1/embeddings");
    assert_eq!(requests.len(), 2, "3 distinct texts in batches of 2");
    let body = requests[0].json();
    assert_eq!(body["model"], "m");
    assert_eq!(body["input_type"], "query");
    assert_eq!(body["dimensions"], 4);
    assert!(
        body["input"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t.as_str().unwrap().starts_with("query: "))
    );
}

#[test]
fn base64_vectors_are_decoded() {
    let server = MockServer::start(|req, _| {
        assert_eq!(req.json()["encoding_format"], "base64");
        let texts = inputs(req, "input");
        let data: Vec<Value> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let bytes: Vec<u8> = vector_of(t).iter().flat_map(|x| x.to_le_bytes()).collect();
                json!({"index": i, "embedding": base64_encode(&bytes)})
            })
            .collect();
        Reply::json(200, json!({"data": data}))
    });
    let dir = project(&openai_config(
        &server.url(),
        "encoding_format = \"base64\"",
    ));
    let out = embed(dir.path(), &["hello there"], &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(vectors(&out)[0], json!([11.0, 4.0, 1.0, 1.0]));
}

fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |acc, b| (acc << 8) | *b as u32) << (8 * (3 - chunk.len()));
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn tei_and_ollama_speak_their_own_protocols() {
    let tei = MockServer::start(|req, _| {
        assert_eq!(req.path, "/embed");
        let body = req.json();
        assert_eq!(body["normalize"], true);
        assert_eq!(body["truncate"], true);
        let texts = inputs(req, "inputs");
        Reply::json(
            200,
            json!(texts.iter().map(|t| vector_of(t)).collect::<Vec<_>>()),
        )
    });
    let dir = project(&format!(
        "[embed]\nbackend = \"t\"\n[embedders.t]\nkind = \"tei\"\nurl = \"{}\"\n",
        tei.url()
    ));
    let out = embed(dir.path(), &["one two"], &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(vectors(&out)[0], json!([7.0, 3.0, 1.0, 1.0]));

    let ollama = MockServer::start(|req, _| {
        assert_eq!(req.path, "/api/embed");
        assert_eq!(req.json()["model"], "nomic");
        let texts = inputs(req, "input");
        Reply::json(
            200,
            json!({"embeddings": texts.iter().map(|t| vector_of(t)).collect::<Vec<_>>()}),
        )
    });
    let dir = project(&format!(
        "[embed]\nbackend = \"o\"\n[embedders.o]\nkind = \"ollama\"\nurl = \"{}\"\nmodel = \"nomic\"\n",
        ollama.url()
    ));
    let out = embed(dir.path(), &["abc"], &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(vectors(&out)[0], json!([3.0, 1.0, 0.0, 1.0]));
}

#[test]
fn retry_after_5xx_resets_and_time_outs_are_retried_then_cached() {
    let server = MockServer::start(|req, n| match n {
        0 => Reply::json(429, json!({"error": "slow down"})).with_header("Retry-After", "1"),
        1 => Reply::json(503, json!({"error": "busy"})),
        2 => Reply::Reset,
        3 => Reply::json(200, openai_answer(&inputs(req, "input"))).after(Duration::from_secs(3)),
        _ => Reply::json(200, openai_answer(&inputs(req, "input"))),
    });
    let dir = project(&openai_config(&server.url(), "timeout_secs = 1"));
    let out = embed(dir.path(), &["first", "second"], &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(vectors(&out).len(), 2);
    let requests = server.requests_to("/v1/embeddings");
    assert_eq!(
        requests.len(),
        5,
        "429, 503, reset and time-out each retried once"
    );
    let waited = requests[1].received.duration_since(requests[0].received);
    assert!(
        waited >= Duration::from_millis(950),
        "Retry-After: 1 honoured ({waited:?})"
    );
    assert!(stderr_of(&out).contains("4 retries"), "{}", stderr_of(&out));

    // Both vectors are cached: a second run sends nothing and prints the same.
    let again = embed(dir.path(), &["first", "second"], &[]);
    assert!(again.status.success());
    assert_eq!(server.requests_to("/v1/embeddings").len(), 5);
    assert_eq!(again.stdout, out.stdout);
}

#[test]
fn wrong_counts_wrong_dimensions_and_nan_split_the_batch_and_fail_only_the_culprit() {
    // Fewer vectors than texts for batches of 4 or more; the text "bad dim" gets a
    // 3-dimensional vector and "bad nan" a NaN (written as Python's json module writes it,
    // which is not JSON) — each must fail alone and never be cached.
    let server = MockServer::start(|req, _| {
        let texts = inputs(req, "input");
        if texts.len() >= 4 {
            let mut answer = openai_answer(&texts);
            answer["data"].as_array_mut().unwrap().pop();
            return Reply::json(200, answer);
        }
        let data: Vec<Value> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let embedding = match t.as_str() {
                    "bad dim" => json!([1.0, 2.0, 3.0]),
                    "bad nan" => json!([1.0, "NOT_A_NUMBER", 0.0, 1.0]),
                    _ => json!(vector_of(t)),
                };
                json!({"index": i, "embedding": embedding})
            })
            .collect();
        let body = json!({"data": data})
            .to_string()
            .replace("\"NOT_A_NUMBER\"", "NaN");
        Reply::raw(200, &body)
    });
    let dir = project(&openai_config(&server.url(), "max_retries = 0"));
    let lines = [
        "alpha one",
        "bad dim",
        "beta two",
        "gamma three",
        "bad nan",
        "delta",
    ];
    let out = embed(dir.path(), &lines, &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    let rows = vectors(&out);
    assert_eq!(rows.len(), 6);
    let failed: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_null())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(failed, [1, 4], "only the two bad texts fail");
    let err = stderr_of(&out);
    assert!(err.contains("dimensions"), "{err}");
    // Nothing wrong was cached: a rerun asks again for exactly the two bad texts.
    let before = server.requests_to("/v1/embeddings").len();
    let again = embed(dir.path(), &lines, &[]);
    assert_eq!(again.status.code(), Some(3));
    let asked: Vec<String> = server.requests_to("/v1/embeddings")[before..]
        .iter()
        .flat_map(|r| inputs(r, "input"))
        .collect();
    let mut asked_sorted = asked.clone();
    asked_sorted.sort();
    asked_sorted.dedup();
    assert_eq!(asked_sorted, ["bad dim", "bad nan"], "{asked:?}");
}

#[test]
fn a_413_splits_the_batch() {
    let server = MockServer::start(|req, _| {
        let texts = inputs(req, "input");
        if texts.len() > 2 {
            return Reply::json(413, json!({"error": "Payload Too Large"}));
        }
        Reply::json(200, openai_answer(&texts))
    });
    let dir = project(&openai_config(&server.url(), "batch_size = 8"));
    let lines = texts(8);
    let out = embed(dir.path(), &refs(&lines), &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let sizes: Vec<usize> = server
        .requests_to("/v1/embeddings")
        .iter()
        .map(|r| inputs(r, "input").len())
        .collect();
    assert_eq!(
        sizes,
        [8, 4, 2, 2, 4, 2, 2],
        "halved until the server takes it"
    );
    assert!(vectors(&out).iter().all(|v| v.is_array()));
}

#[test]
fn authentication_failure_stops_before_anything_else_is_sent() {
    let server =
        MockServer::start(|_, _| Reply::json(401, json!({"error": {"message": "bad key"}})));
    let dir = project(&openai_config(
        &server.url(),
        "api_key_env = \"TRANSALIGN_TEST_EMBED_KEY\"\nbatch_size = 1\nconcurrency = 1",
    ));
    let out = transalign(dir.path())
        .arg("embed")
        .env("TRANSALIGN_TEST_EMBED_KEY", "sk-secret-embed-123")
        .write_stdin("one\ntwo\nthree\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    assert_eq!(
        server.requests_to("/v1/embeddings").len(),
        1,
        "nothing after a 401"
    );
    let request = &server.requests_to("/v1/embeddings")[0];
    assert_eq!(
        request.header("authorization"),
        Some("Bearer sk-secret-embed-123")
    );
    assert!(!stderr_of(&out).contains("sk-secret-embed-123"));
}

#[test]
fn vectors_go_through_cache_stats_export_import_and_clear() {
    let server = MockServer::start(|req, _| Reply::json(200, openai_answer(&inputs(req, "input"))));
    let dir = project(&openai_config(&server.url(), ""));
    let out = embed(dir.path(), &["kept one", "kept two"], &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let stats = transalign(dir.path())
        .args(["cache", "stats", "--json"])
        .output()
        .unwrap();
    let stats: Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(stats["vectors"], 2);
    assert_eq!(stats["vectors_by_embedder"]["e (openai)"], 2);

    let export = transalign(dir.path())
        .args(["cache", "export"])
        .output()
        .unwrap();
    assert!(export.status.success());
    let records = parse_jsonl(&String::from_utf8_lossy(&export.stdout));
    let vector_records: Vec<&Value> = records
        .iter()
        .filter(|r| r.get("vector").is_some())
        .collect();
    assert_eq!(vector_records.len(), 2);

    // A fresh project with the same embedder table: importing the export means no request.
    let other = project(&openai_config(&server.url(), ""));
    std::fs::write(other.path().join("export.jsonl"), &export.stdout).unwrap();
    let import = transalign(other.path())
        .args(["cache", "import", "export.jsonl"])
        .output()
        .unwrap();
    assert!(import.status.success(), "{}", stderr_of(&import));
    let before = server.count();
    let again = embed(other.path(), &["kept one", "kept two"], &[]);
    assert!(again.status.success());
    assert_eq!(server.count(), before, "served from the imported vectors");
    assert_eq!(again.stdout, out.stdout);

    let clear = transalign(dir.path())
        .args(["cache", "clear", "--backend", "e"])
        .output()
        .unwrap();
    assert!(clear.status.success());
    let stats = transalign(dir.path())
        .args(["cache", "stats", "--json"])
        .output()
        .unwrap();
    let stats: Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(stats["vectors"], 0);
}

#[test]
fn npy_output_is_a_float32_matrix_with_one_row_per_line() {
    let server = MockServer::start(|req, _| Reply::json(200, openai_answer(&inputs(req, "input"))));
    let dir = project(&openai_config(&server.url(), ""));
    let out = embed(
        dir.path(),
        &["ab", "", "abc d"],
        &["--format", "npy", "--out", "v.npy"],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    let bytes = std::fs::read(dir.path().join("v.npy")).unwrap();
    assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(&bytes[10..10 + header_len]).unwrap();
    assert!(
        header.contains("'descr': '<f4'") && header.contains("'shape': (3, 4)"),
        "{header}"
    );
    assert_eq!((10 + header_len) % 64, 0, "data aligned to 64 bytes");
    let data: Vec<f32> = bytes[10 + header_len..]
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    assert_eq!(data.len(), 12);
    assert_eq!(&data[..4], &[2.0, 1.0, 0.0, 1.0]);
    assert!(
        data[4..8].iter().all(|x| x.is_nan()),
        "the empty line is a row of NaN"
    );
    assert_eq!(&data[8..], &[5.0, 1.0, 1.0, 1.0]);

    let refused = embed(dir.path(), &["ab"], &["--format", "npy"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr_of(&refused).contains("--out"));
}

#[test]
fn a_command_embedder_reads_one_json_array_per_line_and_works_offline() {
    let dir = project(
        "[embed]\nbackend = \"c\"\n[embedders.c]\nkind = \"command\"\ncommand = [\"awk\", \"{ printf \\\"[%d, 1]\\\\n\\\", length($0) }\"]\n",
    );
    let out = embed(dir.path(), &["abc", "hello"], &["--offline"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(vectors(&out), [json!([3.0, 1.0]), json!([5.0, 1.0])]);
}

#[test]
fn embedder_tables_are_validated_with_the_key_named() {
    for (table, key) in [
        (
            "kind = \"openai\"\nurl = \"http://127.0.0.1:1/v1\"",
            "embedders.e.model",
        ),
        ("kind = \"tei\"\nmodel = \"x\"", "embedders.e.model"),
        (
            "kind = \"openai\"\nmodel = \"m\"\nencoding_format = \"hex\"",
            "embedders.e.encoding_format",
        ),
        (
            "kind = \"openai\"\nmodel = \"m\"\ntimeout_secs = 1e300",
            "embedders.e.timeout_secs",
        ),
        (
            "kind = \"openai\"\nmodel = \"m\"\nspawn = [\"server\"]",
            "embedders.e.spawn",
        ),
        ("kind = \"nope\"", "embedders.e.kind"),
    ] {
        let dir = project(&format!(
            "[embed]\nbackend = \"e\"\n[embedders.e]\n{table}\n"
        ));
        let out = transalign(dir.path())
            .args(["config", "check"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{table}");
        assert!(
            stderr_of(&out).contains(key),
            "{table}: {}",
            stderr_of(&out)
        );
    }
    let dir = project("[embed]\nbackend = \"missing\"\n");
    let out = transalign(dir.path())
        .args(["config", "check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("embed.backend"),
        "{}",
        stderr_of(&out)
    );
}

/// Vectors in the cache, through `cache stats --json`.
fn cached_vectors(dir: &std::path::Path) -> usize {
    let out = transalign(dir)
        .args(["cache", "stats", "--json"])
        .output()
        .unwrap();
    let stats: Value = serde_json::from_slice(&out.stdout).unwrap();
    stats["vectors"].as_u64().unwrap() as usize
}

#[test]
fn a_run_killed_with_sigkill_keeps_every_vector_it_received_and_resumes() {
    let server = MockServer::start(|req, _| {
        Reply::json(200, openai_answer(&inputs(req, "input"))).after(Duration::from_millis(100))
    });
    let dir = project(&openai_config(
        &server.url(),
        "batch_size = 1\nconcurrency = 1",
    ));
    let lines = texts(40);
    std::fs::write(dir.path().join("lines.txt"), lines.join("\n") + "\n").unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("transalign"))
        .current_dir(dir.path())
        .args(["embed", "lines.txt", "--out", "v.jsonl"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // 15 vectors answered and the 16th asked: kill in the middle.
    assert!(server.wait_for(16, Duration::from_secs(60)));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let cached = cached_vectors(dir.path());
    // Every batch is stored and flushed before the next request goes out (the default,
    // cache.unflushed_batches = 0).
    assert!(
        (15..40).contains(&cached),
        "{cached} vectors cached after the kill"
    );

    let before = server.count();
    let out = transalign(dir.path())
        .args(["embed", "lines.txt", "--out", "v.jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        server.count() - before,
        40 - cached,
        "only what was missing is sent"
    );
    let rows = parse_jsonl(&std::fs::read_to_string(dir.path().join("v.jsonl")).unwrap());
    assert_eq!(rows.len(), 40);
    for (row, line) in rows.iter().zip(&lines) {
        assert_eq!(row[0].as_f64().unwrap() as usize, line.len());
    }
}

#[test]
fn a_run_whose_embedder_fails_aligns_lexically_and_says_it_is_incomplete() {
    let server = MockServer::start(|_, _| Reply::json(503, json!({"error": "down"})));
    let corpus = common::seed_corpus();
    let with = project(&format!(
        "{}[input]\nexclude = [\"README.md\"]\n",
        openai_config(&server.url(), "max_retries = 0")
    ));
    let out = transalign(with.path())
        .args(["run", corpus.to_str().unwrap(), "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    let summary: Value =
        serde_json::from_slice(&std::fs::read(with.path().join("out/summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["complete"], false);
    assert!(summary["embedding"]["failed"].as_u64().unwrap() > 0);
    assert_eq!(summary["alignment"]["embedded"], false);

    let without = project("[input]\nexclude = [\"README.md\"]\n");
    let lexical = transalign(without.path())
        .args(["run", corpus.to_str().unwrap(), "--out", "out"])
        .output()
        .unwrap();
    assert!(lexical.status.success(), "{}", stderr_of(&lexical));
    let aligned =
        |dir: &std::path::Path| std::fs::read_to_string(dir.join("out/aligned.jsonl")).unwrap();
    assert_eq!(
        aligned(with.path()),
        aligned(without.path()),
        "without vectors the alignment is the lexical one"
    );
    assert!(!aligned(without.path()).is_empty());
}

#[test]
fn a_dash_reads_standard_input_between_files() {
    let server = MockServer::start(|req, _| Reply::json(200, openai_answer(&inputs(req, "input"))));
    let dir = project(&openai_config(&server.url(), ""));
    std::fs::write(dir.path().join("a.txt"), "from a file\n").unwrap();
    let out = embed(dir.path(), &["from stdin"], &["a.txt", "-"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let rows = vectors(&out);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][0].as_f64().unwrap(), 11.0, "the file's line first");
    assert_eq!(rows[1][0].as_f64().unwrap(), 10.0, "then standard input");
}

/// A 16-dimensional vector of a text (the 4-dimensional one, repeated), cut to `dimension`.
fn vector_sized(text: &str, dimension: usize) -> Vec<f32> {
    let base = vector_of(text);
    (0..dimension).map(|i| base[i % 4] + i as f32).collect()
}

fn sized_answer(texts: &[String], dimension: impl Fn(&str) -> usize) -> Value {
    let data: Vec<Value> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| json!({"index": i, "embedding": vector_sized(t, dimension(t))}))
        .collect();
    json!({"data": data})
}

fn failed_rows(output: &std::process::Output) -> Vec<usize> {
    vectors(output)
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_null())
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn the_first_answer_does_not_fix_the_dimension_and_a_wrong_size_fails_alone() {
    // 200 texts in batches of 16. The first answer is all 8-dimensional; after it, every
    // tenth text ("... 3", "... 13", ...) gets 15 dimensions and the rest 16. The
    // dimension is the majority's (16): only the 8-d and 15-d vectors fail, nothing is
    // sent twice, and no vector of another size is cached.
    let server = MockServer::start(|req, n| {
        let texts = inputs(req, "input");
        Reply::json(
            200,
            sized_answer(&texts, |t| match (n, t.ends_with('3')) {
                (0, _) => 8,
                (_, true) => 15,
                _ => 16,
            }),
        )
    });
    let dir = project(&openai_config(
        &server.url(),
        "batch_size = 16\nconcurrency = 1",
    ));
    let lines = texts(200);
    let out = embed(dir.path(), &refs(&lines), &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    let first: Vec<String> = inputs(&server.requests_to("/v1/embeddings")[0], "input");
    let failed = failed_rows(&out);
    let expected: Vec<usize> = (0..200)
        .filter(|&i| first.contains(&lines[i]) || lines[i].ends_with('3'))
        .collect();
    assert_eq!(failed, expected);
    assert!(failed.len() < 40, "{}", failed.len());
    let sent: usize = server
        .requests_to("/v1/embeddings")
        .iter()
        .map(|r| inputs(r, "input").len())
        .sum();
    assert_eq!(
        sent, 200,
        "every text sent once: a wrong vector fails alone"
    );
    assert_eq!(cached_vectors(dir.path()), 200 - failed.len());
    assert!(
        vectors(&out)
            .iter()
            .all(|v| v.is_null() || v.as_array().unwrap().len() == 16)
    );
}

#[test]
fn a_component_that_is_no_number_fails_its_vector_alone() {
    let server = MockServer::start(|req, _| {
        let mut answer = openai_answer(&inputs(req, "input"));
        answer["data"][2]["embedding"][1] = json!("x");
        Reply::json(200, answer)
    });
    let dir = project(&openai_config(
        &server.url(),
        "batch_size = 8\nmax_retries = 0",
    ));
    let lines = texts(8);
    let out = embed(dir.path(), &refs(&lines), &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    assert_eq!(failed_rows(&out), [2]);
    assert_eq!(
        server.count(),
        1,
        "the other seven are kept from the one answer"
    );
    assert_eq!(cached_vectors(dir.path()), 7);
}

#[test]
fn cached_vectors_of_another_dimension_are_embedded_again_with_a_warning() {
    let server =
        MockServer::start(|req, _| Reply::json(200, sized_answer(&inputs(req, "input"), |_| 16)));
    let dir = project(&openai_config(&server.url(), ""));
    let lines = texts(6);
    let out = embed(dir.path(), &refs(&lines), &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    // Plant vectors of 15 dimensions for two texts under the same embedder, as an older
    // build left them, through an export and import.
    let export = transalign(dir.path())
        .args(["cache", "export"])
        .output()
        .unwrap();
    let mut records = parse_jsonl(&String::from_utf8_lossy(&export.stdout));
    for record in records
        .iter_mut()
        .filter(|r| r["text"] == lines[1].as_str() || r["text"] == lines[4].as_str())
    {
        record["vector"].as_array_mut().unwrap().pop();
    }
    let planted: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(dir.path().join("planted.jsonl"), planted).unwrap();
    let import = transalign(dir.path())
        .args(["cache", "import", "planted.jsonl"])
        .output()
        .unwrap();
    assert!(import.status.success(), "{}", stderr_of(&import));
    let before = server.requests_to("/v1/embeddings").len();
    let again = embed(dir.path(), &refs(&lines), &[]);
    assert!(again.status.success(), "{}", stderr_of(&again));
    assert_eq!(
        again.stdout, out.stdout,
        "the same 16-d vectors for all six"
    );
    let asked: Vec<String> = server.requests_to("/v1/embeddings")[before..]
        .iter()
        .flat_map(|r| inputs(r, "input"))
        .collect();
    assert_eq!(asked, [lines[1].clone(), lines[4].clone()]);
    let err = stderr_of(&again);
    assert!(
        err.contains("2 cached vectors have another dimension"),
        "{err}"
    );
}

/// Issue 25 item 16: the server's address was part of the cache key — the same model on a
/// new port re-embedded everything. A kind with a `model` is known without its address.
#[test]
fn the_same_model_behind_another_port_is_a_cache_hit() {
    let answer = |req: &Request, _| Reply::json(200, openai_answer(&inputs(req, "input")));
    let first = MockServer::start(answer);
    let dir = project(&openai_config(&first.url(), ""));
    let lines = texts(5);
    let out = embed(dir.path(), &refs(&lines), &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let second = MockServer::start(answer);
    std::fs::write(
        dir.path().join("config.toml"),
        openai_config(&second.url(), ""),
    )
    .unwrap();
    let again = embed(dir.path(), &refs(&lines), &[]);
    assert!(again.status.success(), "{}", stderr_of(&again));
    assert_eq!(again.stdout, out.stdout);
    assert_eq!(second.count(), 0, "served from the cache");
    // `revision` still invalidates.
    std::fs::write(
        dir.path().join("config.toml"),
        openai_config(&second.url(), "revision = \"2\""),
    )
    .unwrap();
    let fresh = embed(dir.path(), &refs(&lines), &[]);
    assert!(fresh.status.success());
    assert_eq!(second.requests_to("/v1/embeddings").len(), 1);
}
