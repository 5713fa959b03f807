//! The shared Redis cache (issue 14), against a real `redis-server` (Debian's, installed by
//! `.ci/run`) started on a free 127.0.0.1 port, and a slow local LibreTranslate-protocol
//! server that counts the requests for every text: shards started at once never pay for a
//! text twice, their merge is the unsharded run, a killed shard is rerun for what nobody
//! received, and an unreachable or lost Redis is an error that loses nothing.

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::mock_server::{MockServer, Reply, Request};
use common::transalign;
use serde_json::json;

/// A `redis-server` of its own, on a free port, stopped when dropped.
struct Redis {
    port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn answers_ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let mut reply = [0u8; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut reply).is_ok()
        && &reply == b"+PONG\r\n"
}

impl Redis {
    fn start() -> Redis {
        let mut redis = Redis {
            port: free_port(),
            dir: tempfile::tempdir().unwrap(),
            child: None,
        };
        redis.restart();
        redis
    }

    /// (Re)starts the server on its port; its append-only file keeps every write.
    fn restart(&mut self) {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args([
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server (apt-get install redis-server)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while !answers_ping(self.port) {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn url(&self, db: u8) -> String {
        format!("redis://127.0.0.1:{}/{db}", self.port)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Commodities of the generated reports, in Indonesian and English.
const GOODS: [(&str, &str); 12] = [
    ("beras", "rice"),
    ("gula", "sugar"),
    ("minyak", "oil"),
    ("jagung", "corn"),
    ("kedelai", "soybean"),
    ("bawang", "onion"),
    ("cabai", "chili"),
    ("telur", "egg"),
    ("daging", "meat"),
    ("ikan", "fish"),
    ("garam", "salt"),
    ("kopi", "coffee"),
];

const CITIES: [&str; 12] = [
    "Jakarta",
    "Surabaya",
    "Medan",
    "Bandung",
    "Makassar",
    "Semarang",
    "Palembang",
    "Padang",
    "Manado",
    "Ambon",
    "Kupang",
    "Jayapura",
];

/// Report `k` in Indonesian and in English.
fn report(k: usize) -> (String, String) {
    let (id, en) = GOODS[(k * 5) % GOODS.len()];
    let city = CITIES[k % CITIES.len()];
    (
        format!(
            "Pemerintah kota {city} mengumumkan bahwa harga {id} naik {} persen pada tahun {}.",
            10 + k,
            1990 + k
        ),
        format!(
            "The government of {city} announced that {en} prices rose {} percent in {}.",
            10 + k,
            1990 + k
        ),
    )
}

/// The translation of a generated Indonesian sentence, phrase by phrase.
fn english(text: &str) -> String {
    let mut t = text
        .replace("Pemerintah kota", "The government of")
        .replace("mengumumkan bahwa harga", "announced that")
        .replace("persen pada tahun", "percent in");
    for (id, en) in GOODS {
        t = t.replace(&format!(" {id} naik"), &format!(" {en} prices rose"));
    }
    t
}

/// A LibreTranslate server (id → en) that answers after `latency`.
fn translator(latency: Duration) -> MockServer {
    MockServer::start(move |req: &Request, _| {
        if req.path == "/languages" {
            return Reply::json(
                200,
                json!([{"code": "id", "name": "Indonesian", "targets": ["en"]},
                       {"code": "en", "name": "English", "targets": ["id"]}]),
            );
        }
        let q: Vec<String> = req.json()["q"]
            .as_array()
            .expect("q is an array")
            .iter()
            .map(|t| english(t.as_str().unwrap()))
            .collect();
        Reply::json(200, json!({ "translatedText": q })).after(latency)
    })
}

/// How often each text was sent.
fn requests_per_text(server: &MockServer) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for r in server.requests_to("/translate") {
        for t in r.json()["q"].as_array().unwrap() {
            *counts.entry(t.as_str().unwrap().to_string()).or_insert(0) += 1;
        }
    }
    counts
}

/// Indonesian reports that share sentences (drawn from `pool` sentences, each in several
/// documents, so shards would send it twice without claims) and English reports of some
/// of the same events; returns
/// how many distinct Indonesian sentences there are.
fn corpus(dir: &Path, documents: usize, pool: usize) -> usize {
    let mut used = std::collections::HashSet::new();
    for d in 0..documents {
        let ks: Vec<usize> = (0..4).map(|j| (d * 3 + j * 5) % pool).collect();
        used.extend(ks.iter().copied());
        let id: String = ks.iter().map(|&k| report(k).0 + "\n").collect();
        // One English report per document, none repeated (identical targets would share
        // their neighbourhood and cancel each other's margin).
        let en = report(d).1 + "\n";
        std::fs::write(dir.join(format!("laporan{d:02}.txt")), id).unwrap();
        std::fs::write(dir.join(format!("report{d:02}.txt")), en).unwrap();
    }
    used.len()
}

fn write_config(dir: &Path, url: &str, extra: &str) -> PathBuf {
    let path = dir.join(format!("config-{}.toml", free_port()));
    std::fs::write(
        &path,
        format!(
            "[translate]\nbackend = \"lt\"\n[backends.lt]\nkind = \"libretranslate\"\nurl = \"{url}\"\nbatch_size = 2\nconcurrency = 2\nretry_initial_ms = 10\n[cache]\nclaim_ttl_secs = 2\nclaim_wait_secs = 120\n{extra}"
        ),
    )
    .unwrap();
    path
}

/// `transalign --config CONFIG run --shard SPEC` (or an unsharded run) as a child process.
/// A temporary directory with a corpus in `corpus/` (`documents` files, lines drawn from
/// `pool`), a translator answering after `latency`, and a configuration that uses it.
struct Project {
    dir: tempfile::TempDir,
    input: PathBuf,
    /// Distinct texts of the corpus.
    texts: usize,
    server: MockServer,
    config: PathBuf,
}

fn project(latency: Duration, documents: usize, pool: usize) -> Project {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("corpus");
    std::fs::create_dir(&input).unwrap();
    let texts = corpus(&input, documents, pool);
    let server = translator(latency);
    let config = write_config(dir.path(), &server.url(), "");
    Project {
        dir,
        input,
        texts,
        server,
        config,
    }
}

fn spawn_run(
    config: &Path,
    shard: Option<&str>,
    cache_url: &str,
    out: &Path,
    input: &Path,
) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_transalign"));
    cmd.arg("--quiet").arg("--config").arg(config).arg("run");
    if let Some(spec) = shard {
        cmd.args(["--shard", spec]);
    }
    cmd.args(["--cache-url", cache_url, "--format", "jsonl,tsv", "--out"])
        .arg(out)
        .arg(input)
        .env_remove("TRANSALIGN_CONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd.spawn().unwrap()
}

fn finish(child: Child) -> (i32, String) {
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn four_shards_at_once_pay_for_every_text_once_and_merge_into_the_unsharded_run() {
    let redis = Redis::start();
    let p = project(Duration::from_millis(150), 12, 18);
    let shards: Vec<Child> = (0..4)
        .map(|i| {
            spawn_run(
                &p.config,
                Some(&format!("{i}/4")),
                &redis.url(0),
                &p.dir.path().join(format!("shard{i}")),
                &p.input,
            )
        })
        .collect();
    for child in shards {
        let (code, stderr) = finish(child);
        assert_eq!(code, 0, "{stderr}");
    }
    let counts = requests_per_text(&p.server);
    assert_eq!(counts.len(), p.texts, "every distinct text was requested");
    assert!(
        counts.values().all(|&n| n == 1),
        "a text was paid for twice: {counts:?}"
    );
    // merge sends nothing and writes the files of one unsharded run.
    let before = p.server.count();
    transalign(p.dir.path())
        .args(["--quiet", "--config"])
        .arg(&p.config)
        .args([
            "merge",
            "--cache-url",
            &redis.url(0),
            "--format",
            "jsonl,tsv",
            "--out",
        ])
        .arg(p.dir.path().join("merged"))
        .args(["shard0", "shard1", "shard2", "shard3"])
        .assert()
        .code(0);
    assert_eq!(p.server.count(), before, "merge sent a request");
    let whole_server = translator(Duration::ZERO);
    let whole_config = write_config(p.dir.path(), &whole_server.url(), "");
    let whole = p.dir.path().join("whole");
    let (code, stderr) = finish(spawn_run(
        &whole_config,
        None,
        &redis.url(1),
        &whole,
        &p.input,
    ));
    assert_eq!(code, 0, "{stderr}");
    for name in ["aligned.jsonl", "claims.jsonl", "aligned.tsv"] {
        assert_eq!(
            read(&p.dir.path().join("merged").join(name)),
            read(&whole.join(name)),
            "{name}"
        );
    }
    // sentences.jsonl too, but for `cached`: a shard that took a text another worker
    // translated got it from the cache.
    let without_cached = |path: &Path| -> Vec<serde_json::Value> {
        read(path)
            .lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v.as_object_mut().unwrap().remove("cached");
                v
            })
            .collect()
    };
    assert_eq!(
        without_cached(&p.dir.path().join("merged/sentences.jsonl")),
        without_cached(&whole.join("sentences.jsonl"))
    );
    let claims = read(&whole.join("claims.jsonl")).lines().count();
    assert!(claims >= 6, "{claims} claims");
}

#[test]
fn a_killed_shard_rerun_sends_only_what_no_worker_received() {
    let redis = Redis::start();
    let p = project(Duration::from_millis(300), 6, 24);
    let out = p.dir.path().join("shard");
    let mut child = spawn_run(&p.config, Some("0/1"), &redis.url(0), &out, &p.input);
    assert!(
        p.server.wait_for(4, Duration::from_secs(60)),
        "no request arrived"
    );
    child.kill().unwrap(); // SIGKILL: no cleanup, claims left behind
    let _ = child.wait();
    let first: HashMap<String, usize> = requests_per_text(&p.server);
    let answered = first.len();
    assert!(answered < p.texts, "the run finished before it was killed");
    // The rerun takes over the dead worker's expired claims and sends only the rest: every
    // text is requested once overall, except those in flight when it died.
    let (code, stderr) = finish(spawn_run(
        &p.config,
        Some("0/1"),
        &redis.url(0),
        &out,
        &p.input,
    ));
    assert_eq!(code, 0, "{stderr}");
    let all = requests_per_text(&p.server);
    assert_eq!(all.len(), p.texts);
    let sent_twice: Vec<&String> = all
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(t, _)| t)
        .collect();
    // A killed worker can have received at most its in-flight batches (2 at a time × 2
    // texts) without storing them; nothing it stored is asked for again.
    assert!(sent_twice.len() <= 4, "{sent_twice:?}");
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.join("summary.json"))).unwrap();
    // (Saturating: when the worker died with all it had asked for still in flight, nothing
    // was stored and the bound is 0.)
    let stored_before = answered.saturating_sub(sent_twice.len());
    assert!(
        summary["translation"]["cache_hits"].as_u64().unwrap()
            >= stored_before.saturating_sub(4) as u64,
        "{summary}"
    );
}

#[test]
fn redis_unreachable_at_start_or_lost_mid_run_is_a_clear_error_that_loses_nothing() {
    let p = project(Duration::from_millis(200), 6, 24);
    // Nothing listening: exit 2, the URL named.
    let nobody = format!("redis://127.0.0.1:{}/0", free_port());
    let (code, stderr) = finish(spawn_run(
        &p.config,
        None,
        &nobody,
        &p.dir.path().join("x"),
        &p.input,
    ));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains(&nobody), "{stderr}");
    assert_eq!(p.server.count(), 0, "nothing is sent without the cache");
    // Lost mid-run for longer than cache.reconnect_secs: the worker stops cleanly (exit 3),
    // writes its outputs, says how to go on; everything received before the loss is in Redis.
    let mut redis = Redis::start();
    let out = p.dir.path().join("out");
    let impatient = write_config(p.dir.path(), &p.server.url(), "reconnect_secs = 1\n");
    let child = spawn_run(&impatient, None, &redis.url(0), &out, &p.input);
    assert!(p.server.wait_for(3, Duration::from_secs(60)));
    redis.stop();
    let (code, stderr) = finish(child);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("run again to continue"), "{stderr}");
    assert!(out.join("sentences.jsonl").exists() && out.join("summary.json").exists());
    let received = requests_per_text(&p.server).len();
    redis.restart();
    let (code, stderr) = finish(spawn_run(&p.config, None, &redis.url(0), &out, &p.input));
    assert_eq!(code, 0, "{stderr}");
    let all = requests_per_text(&p.server);
    assert_eq!(all.len(), p.texts);
    // Only batches in flight at the loss (at most 2 × 2 texts) are asked for again.
    let again = all.values().filter(|&&n| n > 1).count();
    assert!(
        again <= 4,
        "{again} texts requested again of {received} received"
    );
}

#[test]
fn cache_stats_export_and_clear_work_on_redis_as_on_sled() {
    let redis = Redis::start();
    let p = project(Duration::ZERO, 4, 12);
    let (code, stderr) = finish(spawn_run(
        &p.config,
        None,
        &redis.url(0),
        &p.dir.path().join("out"),
        &p.input,
    ));
    assert_eq!(code, 0, "{stderr}");
    let cache = |args: &[&str]| {
        let out = transalign(p.dir.path())
            .args(["--config"])
            .arg(&p.config)
            .args(["cache", "--cache-url", &redis.url(0)])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(cache(&["stats"]).contains(&format!(": {} entries", p.texts)));
    let exported = cache(&["export"]);
    assert_eq!(exported.lines().count(), p.texts);
    assert!(exported.lines().all(|l| l.contains("\"backend\":\"lt\"")));
    // The export imports into sled and back: the same records in both stores.
    let file = p.dir.path().join("export.jsonl");
    std::fs::write(&file, &exported).unwrap();
    transalign(p.dir.path())
        .args(["cache", "--cache-dir"])
        .arg(p.dir.path().join("sled"))
        .arg("import")
        .arg(&file)
        .assert()
        .code(0);
    transalign(p.dir.path())
        .args(["cache", "--cache-dir"])
        .arg(p.dir.path().join("sled"))
        .arg("stats")
        .assert()
        .code(0)
        .stdout(predicates::str::contains(format!(": {} entries", p.texts)));
    cache(&["clear"]);
    assert!(cache(&["stats"]).contains(": 0 entries"));
}

/// Issue 25 item 9: Redis killed mid-run and restarted within a second made the run exit 2
/// with no outputs. The run reconnects, finishes (exit 0) and pays only for the batches in
/// flight at the loss.
#[test]
fn redis_restarted_mid_run_is_reconnected_and_the_run_completes() {
    let mut redis = Redis::start();
    let p = project(Duration::from_millis(150), 6, 24);
    let out = p.dir.path().join("out");
    let child = spawn_run(&p.config, None, &redis.url(0), &out, &p.input);
    assert!(p.server.wait_for(3, Duration::from_secs(60)));
    redis.stop();
    redis.restart();
    let (code, stderr) = finish(child);
    assert_eq!(code, 0, "{stderr}");
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.join("summary.json"))).unwrap();
    assert_eq!(summary["complete"], true, "{summary}");
    let all = requests_per_text(&p.server);
    assert_eq!(all.len(), p.texts);
    let again = all.values().filter(|&&n| n > 1).count();
    assert!(again <= 4, "{again} texts requested twice");
}

/// Issue 25 item 10: `rediss://` to a plain server hung until killed. The TLS handshake
/// gives up after 10 s with a message that says what is wrong.
#[test]
fn rediss_to_a_plain_server_fails_with_a_clear_message() {
    let redis = Redis::start();
    let p = project(Duration::from_millis(10), 2, 4);
    let url = format!("rediss://127.0.0.1:{}/0", redis.port);
    let started = Instant::now();
    let (code, stderr) = finish(spawn_run(
        &p.config,
        None,
        &url,
        &p.dir.path().join("out"),
        &p.input,
    ));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains(&url) && stderr.contains("TLS"), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_eq!(p.server.count(), 0);
}
