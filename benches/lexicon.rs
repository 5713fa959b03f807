//! Lexicon benchmark: load time of the shipped lexicons and gloss throughput.
//!
//! Sentences are generated from the words of the Indonesian seed document with a fixed-seed
//! generator (so most are new word combinations). Run: `cargo bench --bench lexicon [-- N]`.

use std::time::Instant;

use transalign::lexicon::Lexicon;
use transalign::lexicon::gloss::{Coverage, Glosser};

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20_000);
    let seed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/corpus/003_eb641ee9339536e9.txt"),
    )
    .expect("seed document");
    let words: Vec<&str> = seed.split_whitespace().collect();

    let mut loads = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let lexicon = Lexicon::for_language("id", &[]).expect("load");
        loads.push(started.elapsed().as_secs_f64() * 1000.0);
        assert!(lexicon.len() > 15_000);
    }
    loads.sort_by(f64::total_cmp);
    let lexicon = Lexicon::for_language("id", &[]).expect("load");
    println!(
        "load id lexicon ({} entries incl. Malay): median {:.1} ms, min {:.1} ms, max {:.1} ms",
        lexicon.len(),
        loads[2],
        loads[0],
        loads[4]
    );

    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let sentences: Vec<String> = (0..n)
        .map(|_| {
            let len = 12 + (state % 18) as usize;
            (0..len)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1);
                    words[(state >> 33) as usize % words.len()]
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let glosser = Glosser {
        lexicon: &lexicon,
        alternatives: 2,
    };
    let started = Instant::now();
    let mut total = Coverage::default();
    for s in &sentences {
        total.add(&glosser.gloss(s).1);
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "gloss: {n} sentences ({} words) in {:.2} s = {:.0} sentences/s ({:.0} words/s); coverage {:.1}%",
        total.words,
        secs,
        n as f64 / secs,
        total.words as f64 / secs,
        100.0 * total.ratio()
    );
}
