//! Alignment benchmark with generated data: parallel alignment of two 100,000-sentence
//! documents (the banded, linear-time path) and comparable matching of 20,000 × 20,000
//! sentences. Reports time, peak memory (VmHWM) and accuracy on the generated truth.
//! Run: `cargo bench --bench align [-- PARALLEL_SENTENCES COMPARABLE_SENTENCES]`.

use std::time::Instant;

use transalign::align::comparable::{self, ComparableParams};
use transalign::align::parallel::{self, ParallelParams};
use transalign::align::prepare;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A Zipf-like vocabulary of 30,000 made-up words.
fn word(rng: &mut Rng) -> String {
    let rank = (rng.below(1000) * rng.below(1000)) / 33 + rng.below(30);
    let syllables = ["ka", "ro", "mi", "te", "su", "la", "no", "vi", "de", "pa"];
    let mut w = String::new();
    let mut r = rank + 1;
    while r > 0 {
        w.push_str(syllables[r % 10]);
        r /= 10;
    }
    w
}

fn sentence(rng: &mut Rng) -> String {
    let len = 6 + rng.below(20);
    (0..len).map(|_| word(rng)).collect::<Vec<_>>().join(" ")
}

/// A noisy "translation": 25% of the words replaced, 10% dropped.
fn noisy(text: &str, rng: &mut Rng) -> String {
    let mut out = Vec::new();
    for w in text.split(' ') {
        match rng.below(20) {
            0 | 1 => {}                   // dropped (10%)
            2..=6 => out.push(word(rng)), // replaced (25%)
            _ => out.push(w.to_string()),
        }
    }
    out.join(" ")
}

fn peak_memory_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n_parallel = args.first().copied().unwrap_or(100_000);
    let n_comparable = args.get(1).copied().unwrap_or(20_000);
    let mut rng = Rng(7);

    // Parallel: target = source sentences, with 2% extra target-only lines and 3% of source
    // pairs merged into one target line.
    let mut source = Vec::new();
    let mut translation = Vec::new();
    let mut target = Vec::new();
    let mut truth = 0usize;
    while source.len() < n_parallel {
        let s = sentence(&mut rng);
        if rng.below(50) == 0 {
            target.push(sentence(&mut rng));
        }
        if rng.below(33) == 0 && source.len() + 1 < n_parallel {
            let s2 = sentence(&mut rng);
            target.push(format!("{s} {s2}"));
            translation.push(noisy(&s, &mut rng));
            translation.push(noisy(&s2, &mut rng));
            source.push(s);
            source.push(s2);
        } else {
            target.push(s.clone());
            translation.push(noisy(&s, &mut rng));
            source.push(s);
        }
        truth += 1;
    }
    let started = Instant::now();
    let pairs: Vec<(&str, &str)> = source
        .iter()
        .zip(&translation)
        .map(|(s, t)| (s.as_str(), t.as_str()))
        .collect();
    let targets: Vec<&str> = target.iter().map(String::as_str).collect();
    let prepared = prepare(&pairs, &targets);
    let prepare_secs = started.elapsed().as_secs_f64();
    let beads = parallel::align(
        &prepared.source,
        &prepared.target,
        &prepared.vocabulary,
        ParallelParams::default(),
        None,
    );
    let secs = started.elapsed().as_secs_f64();
    let non_null = beads
        .iter()
        .filter(|b| !b.source.is_empty() && !b.target.is_empty())
        .count();
    println!(
        "parallel: {} × {} sentences in {secs:.1} s (features {prepare_secs:.1} s), {} beads ({non_null} with both sides; generated truth {truth}), peak memory {:.0} MB",
        source.len(),
        target.len(),
        beads.len(),
        peak_memory_mb()
    );
    drop(prepared);

    // Comparable: 20,000 sources; half have a counterpart among 20,000 targets.
    let mut rng = Rng(11);
    let mut sources = Vec::new();
    let mut translations = Vec::new();
    let mut targets = Vec::new();
    let mut expected = Vec::new();
    for i in 0..n_comparable {
        let s = sentence(&mut rng);
        if i % 2 == 0 {
            expected.push(Some(targets.len()));
            targets.push(s.clone());
        } else {
            expected.push(None);
            targets.push(sentence(&mut rng));
        }
        translations.push(noisy(&s, &mut rng));
        sources.push(s);
    }
    let started = Instant::now();
    let pairs: Vec<(&str, &str)> = sources
        .iter()
        .zip(&translations)
        .map(|(s, t)| (s.as_str(), t.as_str()))
        .collect();
    let target_refs: Vec<&str> = targets.iter().map(String::as_str).collect();
    let prepared = prepare(&pairs, &target_refs);
    let matches = comparable::matches(
        &prepared.source,
        &prepared.target,
        &prepared.vocabulary,
        ComparableParams::default(),
        None,
    );
    let secs = started.elapsed().as_secs_f64();
    let correct = matches
        .iter()
        .filter(|m| expected[m.source] == Some(m.target))
        .count();
    let with_counterpart = expected.iter().filter(|e| e.is_some()).count();
    println!(
        "comparable: {} × {} sentences in {secs:.1} s, {} matches above the threshold ({correct} correct of {with_counterpart} with a counterpart), peak memory {:.0} MB",
        sources.len(),
        targets.len(),
        matches.len(),
        peak_memory_mb()
    );
}
