//! Benchmark: segmentation + language detection throughput on a generated corpus.
//!
//! `cargo bench --bench detect [-- SENTENCES]` builds a corpus of SENTENCES sentences
//! (default 20,000) by recombining the seed corpus' sentences with a fixed-seed generator
//! (English and Indonesian documents of 50 paragraphs of 1–3 sentences each), writes it to a
//! temporary directory, and reports wall time and sentences per second of the ingest → segment
//! → detect stages, and of detection alone.

use std::path::PathBuf;
use std::time::Instant;

use transalign::config::{Config, Overrides, RawConfig};

/// Small deterministic generator (64-bit LCG): the same corpus on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound
    }
}

fn main() {
    let target: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20_000);
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut raw = RawConfig::default();
    raw.input.paths = vec![repo.join("examples/corpus")];
    raw.input.exclude = vec!["README.md".into()];
    let config = Config::validate(raw, None, "", &Overrides::default()).expect("valid config");

    // Pools of real prose sentences per language, taken from the seed corpus.
    let seed = transalign::pipeline::process(&config, &config.input.paths, true);
    let pool = |lang: &str| -> Vec<String> {
        seed.sentences
            .iter()
            .filter(|s| !s.boilerplate && s.lang.as_deref() == Some(lang) && s.text.len() > 40)
            .map(|s| s.text.clone())
            .collect()
    };
    let pools = [pool("en"), pool("id")];

    let dir = tempfile::tempdir().expect("temp dir");
    let mut rng = Lcg(42);
    let mut written = 0;
    let mut doc = 0;
    while written < target {
        let sentences = &pools[doc % 2];
        let mut text = String::new();
        for _ in 0..50 {
            if written >= target {
                break;
            }
            let n = 1 + rng.next(3);
            let paragraph: Vec<&str> = (0..n)
                .map(|_| sentences[rng.next(sentences.len())].as_str())
                .collect();
            text.push_str(&paragraph.join(" "));
            text.push('\n');
            written += n;
        }
        std::fs::write(dir.path().join(format!("doc{doc:05}.txt")), text).expect("write corpus");
        doc += 1;
    }
    let bytes: u64 = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").metadata().expect("meta").len())
        .sum();
    eprintln!(
        "generated {written} sentences in {doc} documents ({:.1} MB)",
        bytes as f64 / 1e6
    );

    // lingua loads its models lazily, once per process: a first pass over a few documents
    // warms them up so the numbers below are steady-state throughput.
    let warm_started = Instant::now();
    transalign::pipeline::process(
        &config,
        &[
            dir.path().join("doc00000.txt"),
            dir.path().join("doc00001.txt"),
        ],
        true,
    );
    println!(
        "model loading + warm-up: {:.2} s",
        warm_started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let corpus = transalign::pipeline::process(&config, &[dir.path().to_path_buf()], true);
    let seconds = started.elapsed().as_secs_f64();
    let detect_seconds = corpus.timings_ms["detect"] as f64 / 1000.0;
    let n = corpus.sentences.len();
    println!("sentences: {n}");
    println!(
        "pipeline (ingest+segment+detect): {seconds:.2} s, {:.0} sentences/s",
        n as f64 / seconds
    );
    println!(
        "detection alone: {detect_seconds:.2} s, {:.0} sentences/s",
        n as f64 / detect_seconds
    );
    println!(
        "segmentation alone: {:.2} s",
        corpus.timings_ms["segment"] as f64 / 1000.0
    );
}
