//! The cache and the run-level behaviour of the translation stage: cache keys, `--dry-run`,
//! `--offline`, cache locking and corruption, export/import, the openai and command
//! backends, and resuming after the process was killed.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use common::mock_server::{MockServer, Reply, Request};
use common::{
    cache_entries, parse_jsonl, project, stderr_of, stdout_lines, transalign, translate_lines,
};
use serde_json::{Value, json};

/// An OpenAI-compatible server: translates each id of the JSON object in the user message
/// to `MODEL:TEXT`, so answers show which model made them.
fn openai_echo(req: &Request) -> Reply {
    let body = req.json();
    let model = body["model"].as_str().unwrap().to_string();
    let content = body["messages"][1]["content"].as_str().unwrap();
    let input: serde_json::Map<String, Value> =
        serde_json::from_str(&content[content.find('{').unwrap()..]).unwrap();
    let answer: serde_json::Map<String, Value> = input
        .into_iter()
        .map(|(id, text)| (id, json!(format!("{model}:{}", text.as_str().unwrap()))))
        .collect();
    openai_answer(&Value::Object(answer).to_string(), "stop")
}

fn openai_answer(content: &str, finish_reason: &str) -> Reply {
    Reply::json(
        200,
        json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish_reason}]}),
    )
}

fn openai_config(url: &str, extra: &str) -> String {
    format!(
        "[translate]\nbackend = \"llm\"\n[backends.llm]\nkind = \"openai\"\nurl = \"{url}/v1\"\nmodel = \"m1\"\nretry_initial_ms = 10\n{extra}\n"
    )
}

#[test]
fn openai_requests_are_deterministic_json_objects() {
    let server = MockServer::start(|req, _| openai_echo(req));
    let dir = project(&openai_config(
        &server.url(),
        "seed = 7\nbatch_size = 3\nconcurrency = 1",
    ));
    let out = translate_lines(dir.path(), "id", &["satu", "dua", "tiga", "empat"], &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        stdout_lines(&out),
        vec!["m1:satu", "m1:dua", "m1:tiga", "m1:empat"]
    );
    let requests = server.requests_to("/v1/chat/completions");
    assert_eq!(requests.len(), 2);
    let body = requests[0].json();
    assert_eq!(body["temperature"], 0.0);
    assert_eq!(body["seed"], 7);
    assert_eq!(body["messages"][0]["role"], "system");
    assert!(
        body["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("from Indonesian into English")
    );
    assert_eq!(
        body["messages"][1]["content"],
        "{\"1\": \"satu\", \"2\": \"dua\", \"3\": \"tiga\"}"
    );
}

#[test]
fn openai_bad_batches_are_halved_and_truncated_answers_never_cached() {
    // Batches of more than one text come back with an id missing; "panjang" is always cut off.
    let server = MockServer::start(|req, _| {
        let content = req.json()["messages"][1]["content"]
            .as_str()
            .unwrap()
            .to_string();
        let input: serde_json::Map<String, Value> = serde_json::from_str(&content).unwrap();
        if input.values().any(|v| v == "panjang") {
            return openai_answer("{\"1\": \"lo", "length");
        }
        if input.len() > 1 {
            return openai_answer("{\"1\": \"only one\"}", "stop");
        }
        openai_echo(req)
    });
    let dir = project(&openai_config(&server.url(), "concurrency = 1"));
    let out = translate_lines(dir.path(), "id", &["satu", "dua", "panjang", "empat"], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    assert_eq!(
        stdout_lines(&out),
        vec!["m1:satu", "m1:dua", "", "m1:empat"]
    );
    assert!(
        stderr_of(&out).contains("line 3: llm: the answer was cut off (finish_reason \"length\")"),
        "{}",
        stderr_of(&out)
    );
    let sizes: Vec<usize> = server
        .requests()
        .iter()
        .map(|r| {
            let c = r.json()["messages"][1]["content"]
                .as_str()
                .unwrap()
                .to_string();
            serde_json::from_str::<serde_json::Map<String, Value>>(&c)
                .unwrap()
                .len()
        })
        .collect();
    assert_eq!(sizes, vec![4, 2, 1, 1, 2, 1, 1]);
    assert_eq!(cache_entries(dir.path()), 3);
    // The truncated text is asked again next time; the others come from the cache.
    let before = server.count();
    let out = translate_lines(dir.path(), "id", &["satu", "dua", "panjang", "empat"], &[]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(server.count() - before, 1);
}

#[test]
fn changing_model_option_or_prompt_never_returns_the_old_translation() {
    let server = MockServer::start(|req, _| openai_echo(req));
    let dir = project(&openai_config(&server.url(), ""));
    let first = translate_lines(dir.path(), "id", &["halo"], &[]);
    assert_eq!(stdout_lines(&first), vec!["m1:halo"]);
    let again = translate_lines(dir.path(), "id", &["halo"], &[]);
    assert_eq!(stdout_lines(&again), vec!["m1:halo"]);
    assert_eq!(
        server.count(),
        1,
        "the same configuration is served from the cache"
    );

    let variants = [
        openai_config(&server.url(), "").replace("model = \"m1\"", "model = \"m2\""),
        openai_config(&server.url(), "temperature = 0.5"),
        openai_config(&server.url(), "seed = 3"),
        openai_config(&server.url(), "prompt = \"Translate: {input}\""),
        openai_config(
            &server.url(),
            "system_prompt = \"Translate {source} to {target} as JSON.\"",
        ),
        openai_config(&server.url(), "revision = \"2026-11\""),
    ];
    for (i, config) in variants.iter().enumerate() {
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        let before = server.count();
        let out = translate_lines(dir.path(), "id", &["halo"], &[]);
        assert!(out.status.success(), "{}", stderr_of(&out));
        assert_eq!(
            server.count(),
            before + 1,
            "variant {i} must not be served from the cache"
        );
    }
    // The source language is part of the key too.
    let before = server.count();
    translate_lines(dir.path(), "ms", &["halo"], &[]);
    assert_eq!(server.count(), before + 1);
}

/// A project with a small Spanish corpus and a LibreTranslate server.
fn spanish_project(url: &str, extra: &str) -> tempfile::TempDir {
    let dir = project(&format!(
        "[input]\npaths = [\"corpus\"]\n[translate]\nbackend = \"lt\"\n[backends.lt]\nkind = \"libretranslate\"\nurl = \"{url}\"\nretry_initial_ms = 10\n{extra}\n"
    ));
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let sentences = [
        "El gobierno anunció ayer un nuevo plan de inversión en infraestructuras para las regiones del norte.",
        "Según el ministro, el programa creará más de diez mil empleos en los próximos tres años.",
        "La oposición criticó la medida y pidió más transparencia en la gestión de los fondos públicos.",
        "Los sindicatos celebraron el acuerdo alcanzado con las empresas del sector energético.",
    ];
    std::fs::write(corpus.join("es.txt"), sentences.join("\n") + "\n").unwrap();
    std::fs::write(
        corpus.join("en.txt"),
        "The government announced a new infrastructure plan for the northern regions yesterday.\n",
    )
    .unwrap();
    dir
}

fn libre_server(delay: Duration) -> MockServer {
    MockServer::start(move |req, _| {
        if req.path == "/languages" {
            return Reply::json(200, json!([{"code": "es", "targets": ["en"]}]));
        }
        let q: Vec<String> = req.json()["q"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| format!("EN[{}]", t.as_str().unwrap()))
            .collect();
        Reply::json(200, json!({ "translatedText": q })).after(delay)
    })
}

fn translate_requests(server: &MockServer) -> usize {
    server.requests_to("/translate").len()
}

#[test]
fn run_records_translations_and_a_second_run_is_served_from_the_cache() {
    let server = libre_server(Duration::ZERO);
    let dir = spanish_project(&server.url(), "");
    let out = transalign(dir.path()).arg("run").output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let sentences =
        parse_jsonl(&std::fs::read_to_string(dir.path().join("out/sentences.jsonl")).unwrap());
    let spanish: Vec<&Value> = sentences.iter().filter(|s| s["lang"] == "es").collect();
    assert_eq!(spanish.len(), 4);
    for s in &spanish {
        assert_eq!(
            s["translation"],
            format!("EN[{}]", s["text"].as_str().unwrap())
        );
        assert_eq!(s["backend"], "lt");
        assert_eq!(s["cached"], false);
    }
    let english = sentences.iter().find(|s| s["lang"] == "en").unwrap();
    assert!(english.get("translation").is_none());
    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(summary["translation"]["translated"], 4);
    assert_eq!(summary["translation"]["requests"], 1);
    assert_eq!(summary["complete"], true);

    let requests = server.count();
    let out = transalign(dir.path()).arg("run").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        server.count(),
        requests,
        "no request at all, not even /languages"
    );
    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(summary["translation"]["cache_hits"], 4);
    assert_eq!(summary["translation"]["requests"], 0);
    let sentences =
        parse_jsonl(&std::fs::read_to_string(dir.path().join("out/sentences.jsonl")).unwrap());
    assert!(
        sentences
            .iter()
            .filter(|s| s["lang"] == "es")
            .all(|s| s["cached"] == true)
    );
}

/// Translates (and so caches) the last sentence of the Spanish corpus.
fn cache_one_sentence(dir: &Path) {
    let out = translate_lines(
        dir,
        "es",
        &["Los sindicatos celebraron el acuerdo alcanzado con las empresas del sector energético."],
        &[],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
}

#[test]
fn dry_run_counts_what_would_be_sent_and_sends_nothing() {
    let server = libre_server(Duration::ZERO);
    let dir = spanish_project(&server.url(), "batch_size = 3");
    cache_one_sentence(dir.path());
    let before = server.count();
    let out = transalign(dir.path())
        .args(["run", "--dry-run"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(server.count(), before);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("4 distinct texts to translate into en, 1 cached, 3 to send"),
        "{text}"
    );
    let row = text
        .lines()
        .find(|l| l.starts_with("lt "))
        .expect("a row for lt");
    let numbers: Vec<&str> = row.split_whitespace().collect();
    // 3 sentences, their characters, one request of 3.
    let corpus = std::fs::read_to_string(dir.path().join("corpus/es.txt")).unwrap();
    let characters: usize = corpus.lines().take(3).map(|l| l.chars().count()).sum();
    assert_eq!(numbers[1], "3");
    assert_eq!(numbers[2], characters.to_string());
    assert_eq!(numbers[3], "1");
    assert!(!dir.path().join("out").exists(), "a dry run writes nothing");
}

#[test]
fn offline_uses_the_cache_only_and_names_what_is_missing() {
    let server = libre_server(Duration::ZERO);
    let dir = spanish_project(&server.url(), "");
    cache_one_sentence(dir.path());
    let before = server.count();
    let out = transalign(dir.path())
        .args(["run", "--offline"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(server.count(), before, "--offline sends nothing");
    let sentences =
        parse_jsonl(&std::fs::read_to_string(dir.path().join("out/sentences.jsonl")).unwrap());
    let spanish: Vec<&Value> = sentences.iter().filter(|s| s["lang"] == "es").collect();
    assert_eq!(spanish.iter().filter(|s| s["cached"] == true).count(), 1);
    let missing: Vec<&&Value> = spanish
        .iter()
        .filter(|s| s.get("translation_error").is_some())
        .collect();
    assert_eq!(missing.len(), 3);
    assert!(
        missing[0]["translation_error"]
            .as_str()
            .unwrap()
            .contains("not offline (--offline)")
    );
    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(summary["complete"], false);
    assert_eq!(
        summary["translation"]["failures"].as_array().unwrap().len(),
        3
    );
}

#[test]
fn a_second_process_on_the_same_cache_is_told_it_is_in_use() {
    // The server holds its first answer until released, so the first run keeps the cache open.
    let release = std::sync::Arc::new((std::sync::Mutex::new(false), std::sync::Condvar::new()));
    let gate = std::sync::Arc::clone(&release);
    let server = MockServer::start(move |req, _| {
        if req.path == "/languages" {
            return Reply::json(200, json!([{"code": "es", "targets": ["en"]}]));
        }
        let (lock, cv) = &*gate;
        let mut open = lock.lock().unwrap();
        while !*open {
            open = cv.wait(open).unwrap();
        }
        Reply::json(200, json!({"translatedText": ["EN"]}))
    });
    let dir = spanish_project(&server.url(), "");
    let mut first = std::process::Command::new(assert_cmd::cargo::cargo_bin("transalign"))
        .current_dir(dir.path())
        .args(["translate", "--from", "es"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    first.stdin.take().unwrap().write_all(b"hola\n").unwrap();
    assert!(
        server.wait_for(2, Duration::from_secs(30)),
        "first run reached the server"
    );
    let second = transalign(dir.path()).args(["run"]).output().unwrap();
    let (lock, cv) = &*release;
    *lock.lock().unwrap() = true;
    cv.notify_all();
    assert!(first.wait().unwrap().success());
    assert_eq!(second.status.code(), Some(1));
    let err = stderr_of(&second);
    assert!(err.contains("cache in use by another run (cache)"), "{err}");
}

#[test]
fn a_corrupt_cache_is_moved_aside_and_the_run_goes_on() {
    let server = libre_server(Duration::ZERO);
    let dir = spanish_project(&server.url(), "");
    let cache = dir.path().join("cache");
    std::fs::create_dir(&cache).unwrap();
    std::fs::write(cache.join("conf"), "this is not a sled configuration\n").unwrap();
    std::fs::write(cache.join("db"), vec![0xAB; 4096]).unwrap();
    let out = transalign(dir.path()).arg("run").output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.contains("is corrupt") && err.contains("moved it to"),
        "{err}"
    );
    let aside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("cache.corrupt-")
        })
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(cache_entries(dir.path()), 4);
}

#[test]
fn export_import_moves_a_cache_and_seeds_it_with_own_translations() {
    let server = libre_server(Duration::ZERO);
    let dir = spanish_project(&server.url(), "");
    assert!(
        transalign(dir.path())
            .arg("run")
            .output()
            .unwrap()
            .status
            .success()
    );
    let export = dir.path().join("export.jsonl");
    let out = transalign(dir.path())
        .args(["cache", "export", "--out"])
        .arg(&export)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let records = parse_jsonl(&std::fs::read_to_string(&export).unwrap());
    assert_eq!(records.len(), 4);
    assert!(
        records
            .iter()
            .all(|r| r["fingerprint"].as_str().unwrap().len() == 64)
    );

    // Another machine: same config, empty cache, import, zero requests.
    let other = spanish_project(&server.url(), "");
    let out = transalign(other.path())
        .args(["cache", "import"])
        .arg(&export)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let before = server.count();
    assert!(
        transalign(other.path())
            .arg("run")
            .output()
            .unwrap()
            .status
            .success()
    );
    assert_eq!(server.count(), before);

    // Own translations, keyed to a configured backend.
    let seeded = spanish_project(&server.url(), "");
    let seed = seeded.path().join("seed.jsonl");
    std::fs::write(
        &seed,
        "{\"source\":\"es\",\"target\":\"en\",\"text\":\"Buenos días.\",\"translation\":\"Good morning.\"}\n",
    )
    .unwrap();
    let out = transalign(seeded.path())
        .args(["cache", "import", "--backend", "lt"])
        .arg(&seed)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let before = server.count();
    let out = translate_lines(seeded.path(), "es", &["Buenos días."], &[]);
    assert_eq!(stdout_lines(&out), vec!["Good morning."]);
    assert_eq!(server.count(), before);

    // A bad line names file and line.
    std::fs::write(&seed, "{\"source\":\"es\"}\n").unwrap();
    let out = transalign(seeded.path())
        .args(["cache", "import", "--backend", "lt"])
        .arg(&seed)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("seed.jsonl:1:"),
        "{}",
        stderr_of(&out)
    );
}

/// A shell script, as the start of a TOML `command` array: `"sh", "PATH"` (run by `sh`:
/// executing a file just written can fail with "text file busy" while another test thread
/// forks).
fn script(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("{body}\n")).unwrap();
    format!("sh\", \"{}", path.display())
}

#[test]
fn command_backend_translates_line_by_line_offline_and_checks_line_counts() {
    let dir = project("");
    let upper = script(
        dir.path(),
        "upper.sh",
        "echo \"$1>$2\" > args.txt; tr 'a-z' 'A-Z'",
    );
    std::fs::write(
        dir.path().join("config.toml"),
        format!("[translate]\nbackend = \"cmd\"\n[backends.cmd]\nkind = \"command\"\ncommand = [\"{upper}\", \"{{source}}\", \"{{target}}\"]\n"),
    )
    .unwrap();
    let out = translate_lines(dir.path(), "es", &["hola", "buenos días"], &["--offline"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_lines(&out), vec!["HOLA", "BUENOS DíAS"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("args.txt")).unwrap(),
        "es>en\n"
    );

    let extra = script(dir.path(), "extra.sh", "cat; echo extra");
    std::fs::write(
        dir.path().join("config.toml"),
        format!("[translate]\nbackend = \"cmd\"\n[backends.cmd]\nkind = \"command\"\ncommand = [\"{extra}\"]\n"),
    )
    .unwrap();
    let out = translate_lines(dir.path(), "es", &["uno", "dos"], &[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr_of(&out).contains("sent 1 lines, got 2 lines back"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(
        cache_entries(dir.path()),
        2,
        "only the two earlier translations"
    );
}

#[test]
fn a_killed_run_resumes_with_only_the_missing_sentences() {
    killed_run_resumes(0);
}

/// Issue 24 item 4: with `cache.unflushed_batches = 1` a slot sends again while its last
/// batch waits for a background flush, and a kill -9 loses at most that one batch more.
#[test]
fn with_unflushed_batches_a_kill_loses_at_most_that_many_more() {
    killed_run_resumes(1);
}

/// 40 sentences, one per request, 100 ms each, one at a time; killed after 15 answers. At
/// least 15 − `unflushed` are on disk, and the rerun sends only the rest.
fn killed_run_resumes(unflushed: usize) {
    let sentences: Vec<String> = (0..40)
        .map(|i| format!("El ministerio publicó hoy el informe número {i} sobre la situación económica del país."))
        .collect();
    let make = |url: &str| {
        let dir = project(&format!(
            "[input]\npaths = [\"corpus\"]\n[translate]\nbackend = \"lt\"\n[backends.lt]\nkind = \"libretranslate\"\nurl = \"{url}\"\nbatch_size = 1\nconcurrency = 1\n[cache]\nunflushed_batches = {unflushed}\n"
        ));
        std::fs::create_dir(dir.path().join("corpus")).unwrap();
        std::fs::write(
            dir.path().join("corpus/es.txt"),
            sentences.join("\n") + "\n",
        )
        .unwrap();
        dir
    };
    let server = libre_server(Duration::from_millis(100));

    // Reference: an uninterrupted run.
    let reference = make(&server.url());
    assert!(
        transalign(reference.path())
            .arg("run")
            .output()
            .unwrap()
            .status
            .success()
    );
    let expected = std::fs::read_to_string(reference.path().join("out/sentences.jsonl")).unwrap();

    let dir = make(&server.url());
    let start = server.count();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("transalign"))
        .current_dir(dir.path())
        .args(["run", "-q"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // /languages + 15 translations answered + the 16th asked: kill in the middle.
    assert!(server.wait_for(start + 17, Duration::from_secs(60)));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let cached = cache_entries(dir.path()) as usize;
    // With unflushed_batches = 0 every batch is flushed before the next request goes out;
    // with N, at most N × batch_size received texts more may wait for the disk.
    assert!(
        (15 - unflushed..40).contains(&cached),
        "{cached} cached after the kill"
    );

    let before = translate_requests(&server);
    let out = transalign(dir.path()).arg("run").output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(translate_requests(&server) - before, 40 - cached);

    let without_cached = |text: &str| -> Vec<Value> {
        parse_jsonl(text)
            .into_iter()
            .map(|mut v| {
                v.as_object_mut().unwrap().remove("cached");
                v
            })
            .collect()
    };
    let resumed = std::fs::read_to_string(dir.path().join("out/sentences.jsonl")).unwrap();
    assert_eq!(without_cached(&resumed), without_cached(&expected));
}

#[test]
fn ctrl_c_stops_keeps_the_cache_and_writes_an_incomplete_result() {
    let server = libre_server(Duration::from_millis(100));
    let sentences: Vec<String> = (0..30)
        .map(|i| format!("La agencia confirmó el dato número {i} en su comunicado oficial de hoy."))
        .collect();
    let dir = project(&format!(
        "[input]\npaths = [\"corpus\"]\n[translate]\nbackend = \"lt\"\n[backends.lt]\nkind = \"libretranslate\"\nurl = \"{}\"\nbatch_size = 1\nconcurrency = 1\n",
        server.url()
    ));
    std::fs::create_dir(dir.path().join("corpus")).unwrap();
    std::fs::write(
        dir.path().join("corpus/es.txt"),
        sentences.join("\n") + "\n",
    )
    .unwrap();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("transalign"))
        .current_dir(dir.path())
        .args(["run"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(server.wait_for(6, Duration::from_secs(60)));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr_of(&out));
    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(summary["complete"], false);
    assert_eq!(summary["translation"]["interrupted"], true);
    let translated = summary["translation"]["translated"].as_u64().unwrap();
    assert!((4..30).contains(&translated), "{translated}");
    assert_eq!(cache_entries(dir.path()), translated);
}

/// A project translating `n` Indonesian sentences offline through a `command` backend
/// (five per invocation), for the cache-damage tests.
fn command_project(n: usize) -> tempfile::TempDir {
    let dir = project(
        "[input]\npaths = [\"corpus\"]\n[translate]\nbackend = \"cmd\"\n[backends.cmd]\nkind = \"command\"\ncommand = [\"sh\", \"-c\", \"sed 's/^/EN: /'\"]\nbatch_size = 5\n",
    );
    std::fs::create_dir(dir.path().join("corpus")).unwrap();
    let words = [
        "rumah",
        "besar",
        "pemerintah",
        "menteri",
        "berkata",
        "bahwa",
        "rencana",
        "baru",
        "akan",
        "dimulai",
        "tahun",
        "depan",
        "untuk",
        "rakyat",
    ];
    let text: String = (0..n)
        .map(|i| {
            let sentence: Vec<&str> = (0..20)
                .map(|k| words[(i * 7 + k * 3) % words.len()])
                .collect();
            format!("{} nomor {i}.\n", sentence.join(" "))
        })
        .collect();
    std::fs::write(dir.path().join("corpus/doc.id.txt"), text).unwrap();
    dir
}

/// `transalign run` in `dir` with every file limited to `bytes`, as on a full disk: writes
/// beyond fail with EFBIG (`prlimit --fsize`; SIGXFSZ is ignored so the process sees the
/// error instead of being killed).
fn run_with_file_size_limit(dir: &Path, bytes: u64) -> std::process::Output {
    let binary = assert_cmd::cargo::cargo_bin("transalign");
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; exec prlimit --fsize={bytes} -- \"$0\" run"
        ))
        .arg(binary)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

/// `sentences.jsonl` of the run in `dir` holds exactly `received` command translations.
fn assert_every_received_translation_is_in_the_outputs(dir: &Path, received: u64) {
    let sentences = parse_jsonl(&std::fs::read_to_string(dir.join("out/sentences.jsonl")).unwrap());
    let with_translation = sentences
        .iter()
        .filter(|s| {
            s["translation"]
                .as_str()
                .is_some_and(|t| t.starts_with("EN: "))
        })
        .count() as u64;
    assert_eq!(
        with_translation, received,
        "every received translation is in the outputs"
    );
}

/// Issue 25 items 4 and 5: with an embedder, a full disk lost every received translation
/// (the embedding stage could not open the cache: exit 1, no outputs), and a file-size limit
/// killed the process by SIGXFSZ without a word. Now the embedding stage stops, the
/// translations are in the outputs, and the exit code says incomplete. Run under `prlimit`
/// directly: the binary itself ignores SIGXFSZ.
#[test]
fn a_full_disk_with_an_embedder_keeps_the_translations_and_exits_3() {
    let dir = command_project(3000);
    let config = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        format!(
            "{config}[embed]\nbackend = \"c\"\n[embedders.c]\nkind = \"command\"\ncommand = [\"awk\", \"{{ printf \\\"[%d, 1, %d]\\\\n\\\", length($0), NR }}\"]\n"
        ),
    )
    .unwrap();
    let english: String = (0..400)
        .map(|i| format!("The minister said that the new plan number {i} starts next year.\n"))
        .collect();
    std::fs::write(dir.path().join("corpus/doc.en.txt"), english).unwrap();
    let binary = assert_cmd::cargo::cargo_bin("transalign");
    let out = std::process::Command::new("prlimit")
        .arg("--fsize=2600000")
        .arg("--")
        .arg(binary)
        .arg("run")
        .current_dir(dir.path())
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("cache cache"),
        "the error names the cache: {err}"
    );
    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap(),
    )
    .unwrap();
    let received = summary["translation"]["translated"].as_u64().unwrap();
    assert!(received > 100, "{}", summary["translation"]);
    assert!(
        summary["embedding"]["stopped"].is_string(),
        "{}",
        summary["embedding"]
    );
    assert_every_received_translation_is_in_the_outputs(dir.path(), received);
}

/// Issue 15 item 3: truncating or garbling sled's `db` dropped entries without a word.
#[test]
fn a_truncated_or_garbled_cache_says_how_many_entries_survived() {
    for damage in ["truncate", "garble"] {
        let dir = command_project(300);
        let out = transalign(dir.path()).arg("run").output().unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        let db = dir.path().join("cache/db");
        let mut bytes = std::fs::read(&db).unwrap();
        let n = bytes.len();
        match damage {
            "truncate" => bytes.truncate(n / 2),
            _ => bytes[n / 3..n / 3 + 2000]
                .iter_mut()
                .for_each(|b| *b ^= 0x5a),
        }
        std::fs::write(&db, bytes).unwrap();
        let out = transalign(dir.path())
            .args(["cache", "stats", "--json"])
            .output()
            .unwrap();
        let err = stderr_of(&out);
        let stats: Value = serde_json::from_slice(&out.stdout).unwrap();
        let survived = stats["entries"].as_u64().unwrap();
        assert!(survived < 300, "{damage}: {survived}");
        assert!(
            err.contains(&format!("is damaged: {survived} of 300 entries survived")),
            "{damage}: {err}"
        );
        // Said once; the next open finds the cache consistent with its ledger.
        let again = transalign(dir.path())
            .args(["cache", "stats"])
            .output()
            .unwrap();
        assert!(
            !stderr_of(&again).contains("damaged"),
            "{}",
            stderr_of(&again)
        );
    }
}

/// Issue 15 item 3: a full disk at open was taken for corruption and the whole cache moved
/// aside (and re-paid). It is an error naming the cache; the cache stays where it is.
#[test]
fn a_full_disk_at_open_is_an_error_and_the_cache_stays() {
    let dir = command_project(100);
    assert!(
        transalign(dir.path())
            .arg("run")
            .output()
            .unwrap()
            .status
            .success()
    );
    let out = run_with_file_size_limit(dir.path(), 2048);
    let err = stderr_of(&out);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("cache") && err.contains("File too large"),
        "{err}"
    );
    assert!(!err.contains("corrupt"), "{err}");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains("corrupt")), "{names:?}");
    assert_eq!(cache_entries(dir.path()), 100);
}

/// Issue 15 item 3: a full disk during a run kept 8 of 100 received translations and wrote
/// no outputs. Every received translation reaches the outputs, the ones not cached are
/// named, and a rerun asks only for what the cache lacks.
#[test]
fn a_full_disk_during_a_run_keeps_every_received_translation_in_the_outputs() {
    let dir = command_project(3000);
    // 2 MB: the cache fills up after about 1,400 of 3,000 translations, while
    // sentences.jsonl (1.7 MB) still fits.
    let out = run_with_file_size_limit(dir.path(), 2_048_000);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("cannot write the cache"), "{err}");
    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap(),
    )
    .unwrap();
    let translation = &summary["translation"];
    let received = translation["translated"].as_u64().unwrap();
    assert!(received > 100 && received < 3000, "{translation}");
    let not_cached = translation["not_cached_sentences"].as_array().unwrap();
    assert!(!not_cached.is_empty(), "{translation}");
    assert_every_received_translation_is_in_the_outputs(dir.path(), received);
    let cached = cache_entries(dir.path());
    assert!(
        cached + not_cached.len() as u64 >= received,
        "{cached} cached"
    );
    let rerun = transalign(dir.path()).arg("run").output().unwrap();
    assert!(rerun.status.success(), "{}", stderr_of(&rerun));
    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        summary["translation"]["cache_hits"].as_u64().unwrap(),
        cached
    );
    assert_eq!(
        summary["translation"]["translated"].as_u64().unwrap(),
        3000 - cached
    );
}

/// Issue 15 item 4: a cache directory that is a regular file was renamed to
/// `notes.txt.corrupt-…` and replaced by a directory.
#[test]
fn a_cache_dir_that_is_a_file_is_an_error_and_the_file_is_left_alone() {
    let dir = command_project(3);
    std::fs::write(dir.path().join("notes.txt"), "my notes\n").unwrap();
    let out = transalign(dir.path())
        .args(["run", "--cache-dir", "notes.txt"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("notes.txt") && err.contains("not a cache directory"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "my notes\n"
    );
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains("corrupt")), "{names:?}");
}
