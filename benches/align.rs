//! Alignment benchmark with generated data: parallel alignment of two 100,000-sentence
//! documents (the banded, linear-time path) and comparable matching of 20,000 × 20,000
//! sentences. Reports time, peak memory (VmHWM) and accuracy on the generated truth.
//! Run: `cargo bench --bench align [-- PARALLEL_SENTENCES COMPARABLE_SENTENCES]` for the
//! lexical path; add `vectors` (and optionally `overlap=N`, `search=exact|approximate`) for
//! the same sizes with
//! 384-dimensional sentence vectors (generated: the aligner is measured, not an encoder).

mod common;
use common::peak_memory_mb;

use std::time::Instant;

use transalign::align::calibration;
use transalign::align::comparable::{self, ComparableParams, SentenceVectors};
use transalign::align::parallel::{self, OverlapVectors, ParallelParams};
use transalign::align::prepare;
use transalign::align::vectors::{Search, f16};
use transalign::config::RawAlign;

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

/// Dimensions of the generated sentence vectors (multilingual-e5-small's).
const DIMENSIONS: usize = 384;

/// A random unit vector.
fn unit(rng: &mut Rng) -> Vec<f32> {
    let v: Vec<f32> = (0..DIMENSIONS)
        .map(|_| rng.below(2001) as f32 / 1000.0 - 1.0)
        .collect();
    normalised(v)
}

fn normalised(v: Vec<f32>) -> Vec<f32> {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-9);
    v.into_iter().map(|x| x / n).collect()
}

/// The meaning vector of a run of sentences plus encoder noise (30% of the norm).
fn embedding(meanings: &[&[f16]], rng: &mut Rng) -> Vec<f32> {
    let noise = unit(rng);
    let mut v = vec![0.0f32; DIMENSIONS];
    for m in meanings {
        for (x, y) in v.iter_mut().zip(m.iter()) {
            *x += y.to_f32();
        }
    }
    let v = normalised(v);
    normalised(v.iter().zip(&noise).map(|(x, n)| x + 0.3 * n).collect())
}

/// A vector as the aligner keeps it (half precision, as the cache stores it).
fn stored(v: Vec<f32>) -> Vec<f16> {
    v.into_iter().map(f16::from_f32).collect()
}

/// Vectors of one length in one allocation, as the embedding stage hands them to the
/// aligner.
#[derive(Default)]
struct Matrix(Vec<f16>);

impl Matrix {
    fn push(&mut self, v: Vec<f32>) {
        self.0.extend(stored(v));
    }
    fn row(&self, k: usize) -> &[f16] {
        &self.0[k * DIMENSIONS..(k + 1) * DIMENSIONS]
    }
    fn len(&self) -> usize {
        self.0.len() / DIMENSIONS
    }
}

/// Overlap vectors of one side: for every sentence, the runs of 1..=overlap starting there
/// (row `i * overlap + n - 1`; rows past the end stay zero and are never viewed).
fn overlaps(meanings: &Matrix, overlap: usize, rng: &mut Rng) -> Matrix {
    let mut out = Matrix(Vec::with_capacity(meanings.len() * overlap * DIMENSIONS));
    for i in 0..meanings.len() {
        for n in 1..=overlap {
            if i + n <= meanings.len() {
                let run: Vec<&[f16]> = (i..i + n).map(|k| meanings.row(k)).collect();
                out.push(embedding(&run, rng));
            } else {
                out.push(vec![0.0; DIMENSIONS]);
            }
        }
    }
    out
}

fn views(side: &Matrix, overlap: usize) -> Vec<Vec<Option<&[f16]>>> {
    let sentences = side.len() / overlap;
    (0..sentences)
        .map(|i| {
            (1..=overlap.min(sentences - i))
                .map(|n| Some(side.row(i * overlap + n - 1)))
                .collect()
        })
        .collect()
}

fn main() {
    let all: Vec<String> = std::env::args().skip(1).collect();
    let with_vectors = all.iter().any(|a| a == "vectors");
    let overlap = all
        .iter()
        .find_map(|a| a.strip_prefix("overlap=").and_then(|n| n.parse().ok()))
        .unwrap_or_else(|| RawAlign::default().overlap_size());
    let args: Vec<usize> = all.iter().filter_map(|a| a.parse().ok()).collect();
    let n_parallel = args.first().copied().unwrap_or(100_000);
    let n_comparable = args.get(1).copied().unwrap_or(20_000);
    let search = match all.iter().find_map(|a| a.strip_prefix("search=")) {
        Some("approximate") => Search::Approximate,
        Some("auto") => Search::Auto,
        _ => Search::Exact,
    };
    if with_vectors {
        bench_vectors(n_parallel, n_comparable, overlap, search);
        return;
    }
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
        &|_, _| true,
    )
    .matches;
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

/// The aligners with generated sentence vectors: comparable (exact neighbour search over
/// every pair, fused with the lexical similarity) and parallel (overlap vectors).
fn bench_vectors(n_parallel: usize, n_comparable: usize, overlap: usize, search: Search) {
    // Comparable: half of the sources have a counterpart (its meaning, re-encoded).
    let mut rng = Rng(13);
    let mut source_text = Vec::new();
    let mut target_text = Vec::new();
    let mut source_vectors = Vec::new();
    let mut target_vectors = Vec::new();
    let mut expected = Vec::new();
    for i in 0..n_comparable {
        let s = sentence(&mut rng);
        let meaning = stored(unit(&mut rng));
        source_vectors.push(stored(embedding(&[meaning.as_slice()], &mut rng)));
        if i % 2 == 0 {
            expected.push(Some(target_text.len()));
            target_vectors.push(stored(embedding(&[meaning.as_slice()], &mut rng)));
            target_text.push(noisy(&s, &mut rng));
        } else {
            expected.push(None);
            target_vectors.push(stored(unit(&mut rng)));
            target_text.push(sentence(&mut rng));
        }
        source_text.push(s);
    }
    let started = Instant::now();
    let pairs: Vec<(&str, &str)> = source_text
        .iter()
        .map(|s| (s.as_str(), s.as_str()))
        .collect();
    let targets: Vec<&str> = target_text.iter().map(String::as_str).collect();
    let prepared = prepare(&pairs, &targets);
    let source_view: Vec<Option<&[f16]>> =
        source_vectors.iter().map(|v| Some(v.as_slice())).collect();
    let target_view: Vec<Option<&[f16]>> =
        target_vectors.iter().map(|v| Some(v.as_slice())).collect();
    let params = ComparableParams {
        neighbours: 4,
        acceptance: comparable::Acceptance::Calibrated,
        threshold: Some(1.24),
        min_similarity: 0.2,
        calibration: calibration::FUSED,
        min_confidence: Some(transalign::config::FUSED_MIN_CONFIDENCE as f32),
        search,
        ..ComparableParams::default()
    };
    let matches = comparable::matches(
        &prepared.source,
        &prepared.target,
        &prepared.vocabulary,
        params,
        Some(SentenceVectors {
            source: &source_view,
            target: &target_view,
        }),
        &|_, _| true,
    )
    .matches;
    let secs = started.elapsed().as_secs_f64();
    let correct = matches
        .iter()
        .filter(|m| expected[m.source] == Some(m.target))
        .count();
    println!(
        "comparable with {DIMENSIONS}-d vectors ({search:?} neighbours): {} × {} sentences in {secs:.1} s, {} matches ({correct} correct of {} with a counterpart), peak memory {:.0} MB",
        source_text.len(),
        target_text.len(),
        matches.len(),
        expected.iter().filter(|e| e.is_some()).count(),
        peak_memory_mb()
    );
    drop((prepared, source_vectors, target_vectors));

    // Parallel: as the lexical benchmark (2% target-only lines, 3% of source pairs merged
    // into one target line), with overlap vectors of both sides.
    let mut rng = Rng(17);
    let mut source = Vec::new();
    let mut target = Vec::new();
    let mut source_meaning = Matrix::default();
    let mut target_meaning = Matrix::default();
    while source.len() < n_parallel {
        let s = sentence(&mut rng);
        let m = stored(unit(&mut rng));
        if rng.below(50) == 0 {
            target.push(sentence(&mut rng));
            target_meaning.push(unit(&mut rng));
        }
        if rng.below(33) == 0 && source.len() + 1 < n_parallel {
            let s2 = sentence(&mut rng);
            let m2 = stored(unit(&mut rng));
            target.push(format!("{s} {s2}"));
            target_meaning.push(normalised(
                m.iter()
                    .zip(&m2)
                    .map(|(a, b)| a.to_f32() + b.to_f32())
                    .collect(),
            ));
            source.push(s);
            source.push(s2);
            source_meaning.0.extend(m);
            source_meaning.0.extend(m2);
        } else {
            target.push(s.clone());
            target_meaning.0.extend(&m);
            source.push(s);
            source_meaning.0.extend(m);
        }
    }
    let source_spans = overlaps(&source_meaning, overlap, &mut rng);
    let target_spans = overlaps(&target_meaning, overlap, &mut rng);
    drop((source_meaning, target_meaning));
    let translations: Vec<String> = source.iter().map(|s| noisy(s, &mut rng)).collect();
    let before_aligner = peak_memory_mb();
    let started = Instant::now();
    let pairs: Vec<(&str, &str)> = source
        .iter()
        .zip(&translations)
        .map(|(s, t)| (s.as_str(), t.as_str()))
        .collect();
    let targets: Vec<&str> = target.iter().map(String::as_str).collect();
    let prepared = prepare(&pairs, &targets);
    let (source_view, target_view) = (views(&source_spans, overlap), views(&target_spans, overlap));
    let beads = parallel::align(
        &prepared.source,
        &prepared.target,
        &prepared.vocabulary,
        ParallelParams::from_config(&RawAlign::default(), true),
        Some(OverlapVectors {
            source: &source_view,
            target: &target_view,
            stand_ins: None,
        }),
    );
    let secs = started.elapsed().as_secs_f64();
    println!(
        "parallel with {DIMENSIONS}-d overlap vectors (overlap {overlap}): {} × {} sentences in {secs:.1} s, {} beads, peak memory {:.0} MB (the generated texts and vectors alone: {before_aligner:.0} MB)",
        source.len(),
        target.len(),
        beads.len(),
        peak_memory_mb()
    );
}
