//! Translation-stage benchmark: 2,000 generated sentences through a local LibreTranslate-
//! protocol server that answers after 50 ms and serves at most 8 requests at once.
//!
//! Reports wall time against the ideal (requests × 50 ms ÷ 8), the ratio achieved, and the
//! fully cached re-run. Run: `cargo bench --bench translate [-- SENTENCES]`.

#[path = "../tests/common/mock_server.rs"]
mod mock_server;

use std::time::{Duration, Instant};

use mock_server::{MockServer, Reply};
use serde_json::json;
use transalign::config::{Config, Overrides, RawConfig};
use transalign::translate::driver::{Job, JobOutcome};
use transalign::translate::stage::{self, Chain};

const LATENCY: Duration = Duration::from_millis(50);
const SERVER_SLOTS: usize = 8;

/// Distinct Spanish-looking sentences from a fixed-seed generator.
fn sentences(n: usize) -> Vec<String> {
    const WORDS: &[&str] = &[
        "gobierno",
        "ministro",
        "anunció",
        "plan",
        "inversión",
        "regiones",
        "norte",
        "empleos",
        "programa",
        "oposición",
        "medida",
        "transparencia",
        "fondos",
        "públicos",
        "acuerdo",
        "empresas",
        "sector",
        "energía",
        "informe",
        "economía",
        "país",
        "datos",
        "ciudad",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    (0..n)
        .map(|i| {
            let len = 8 + (i % 12);
            let words: Vec<&str> = (0..len)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1);
                    WORDS[(state >> 33) as usize % WORDS.len()]
                })
                .collect();
            format!("{} número {i}.", words.join(" "))
        })
        .collect()
}

fn config(url: &str, cache: &std::path::Path, batch_size: usize, unflushed: usize) -> Config {
    let text = format!(
        "[translate]\nbackend = \"bench\"\ncache_dir = \"{}\"\n[backends.bench]\nkind = \"libretranslate\"\nurl = \"{url}\"\nconcurrency = {SERVER_SLOTS}\nbatch_size = {batch_size}\n[cache]\nunflushed_batches = {unflushed}\n",
        cache.display()
    );
    let raw: RawConfig = toml::from_str(&text).expect("bench config");
    Config::validate(raw, None, &text, &Overrides::default()).expect("valid bench config")
}

fn run(config: &Config, jobs: &[Job]) -> (Duration, u64) {
    let chain = Chain::required(config, true).expect("backend");
    let started = Instant::now();
    let outcome = stage::translate_jobs(config, chain, "en", jobs.to_vec(), true).expect("run");
    let elapsed = started.elapsed();
    assert!(
        outcome
            .results
            .iter()
            .all(|r| matches!(r, JobOutcome::Done { .. })),
        "every sentence translated"
    );
    (elapsed, outcome.counters.requests)
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(2_000);
    let server = MockServer::start_limited(SERVER_SLOTS, |req, _| {
        if req.path == "/languages" {
            return Reply::json(200, json!([{"code": "es", "targets": ["en"]}]));
        }
        let q: Vec<String> = req.json()["q"]
            .as_array()
            .expect("q")
            .iter()
            .map(|t| format!("EN {}", t.as_str().unwrap_or("")))
            .collect();
        Reply::json(200, json!({ "translatedText": q })).after(LATENCY)
    });
    let jobs: Vec<Job> = sentences(n)
        .into_iter()
        .map(|text| Job {
            source: "es".into(),
            text,
        })
        .collect();
    println!(
        "{n} sentences, server: {} ms per request, {SERVER_SLOTS} at once",
        LATENCY.as_millis()
    );
    // cache.unflushed_batches 0 (the default: every batch on disk before its slot sends
    // again) and 8 (as many as the slots: no slot waits for the disk).
    for (batch_size, unflushed) in [(1, 0), (1, 8), (25, 0), (25, 8)] {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = config(
            &server.url(),
            &dir.path().join("cache"),
            batch_size,
            unflushed,
        );
        let before = server.count();
        let (first, requests) = run(&config, &jobs);
        let served = server.count() - before;
        let ideal = LATENCY.as_secs_f64() * requests as f64 / SERVER_SLOTS as f64;
        let before = server.count();
        let (cached, cached_requests) = run(&config, &jobs);
        assert_eq!(cached_requests, 0);
        assert_eq!(server.count(), before, "the cached run sends nothing");
        println!(
            "batch_size {batch_size:>2}, unflushed_batches {unflushed}: {requests} requests ({served} served incl. /languages), \
             {:.2} s, ideal {:.2} s, ratio {:.3} of ideal; max {} in flight at the server; \
             cached re-run {:.1} ms ({:.0}× faster, 0 requests)",
            first.as_secs_f64(),
            ideal,
            ideal / first.as_secs_f64(),
            server.max_in_flight(),
            cached.as_secs_f64() * 1000.0,
            first.as_secs_f64() / cached.as_secs_f64()
        );
    }
}
