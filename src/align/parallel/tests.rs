//! Tests of the parallel aligner: beads on small made-up texts, with and without vectors.

use super::band::longest_increasing_chain;
use super::semantic::Semantic;
use super::*;
use crate::align::vectors::f16;

fn features(texts: &[&str], vocabulary: &mut Vocabulary) -> Vec<Features> {
    texts
        .iter()
        .map(|t| Features::of_translation(t, vocabulary))
        .collect()
}

fn run(source: &[&str], target: &[&str]) -> Vec<(Vec<usize>, Vec<usize>)> {
    run_with(source, target, ParallelParams::default())
}

fn run_with(
    source: &[&str],
    target: &[&str],
    params: ParallelParams,
) -> Vec<(Vec<usize>, Vec<usize>)> {
    let mut v = Vocabulary::default();
    let s = features(source, &mut v);
    let t = features(target, &mut v);
    for f in s.iter().chain(&t) {
        v.count(f.bag.clone());
    }
    v.finish();
    align(&s, &t, &v, params, None)
        .into_iter()
        .map(|b| (b.source.collect(), b.target.collect()))
        .collect()
}

/// Unit vectors standing for meanings: one random direction each (fixed seed).
fn meanings(count: usize, rng: &mut fastrand::Rng) -> Vec<Vec<f16>> {
    (0..count)
        .map(|_| {
            let v: Vec<f32> = (0..32).map(|_| rng.f32() - 0.5).collect();
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.iter().map(|x| f16::from_f32(x / norm)).collect()
        })
        .collect()
}

#[test]
fn vectors_place_the_band_where_words_cannot() {
    // 300 source sentences; the target opens with 150 lines of its own, then has the
    // 300 counterparts. The translations share no word with the targets, so only the
    // vectors can say where the path runs: a band on the diagonal would miss it.
    let mut rng = fastrand::Rng::with_seed(41);
    let (n, extra) = (300, 150);
    let source_meanings = meanings(n, &mut rng);
    let extra_meanings = meanings(extra, &mut rng);
    let source_texts: Vec<String> = (0..n).map(|i| format!("quelle{i} satz{i}")).collect();
    let target_texts: Vec<String> = (0..extra + n)
        .map(|j| format!("cible{j} phrase{j}"))
        .collect();
    let pairs: Vec<(&str, &str)> = source_texts
        .iter()
        .map(|t| (t.as_str(), t.as_str()))
        .collect();
    let targets: Vec<&str> = target_texts.iter().map(String::as_str).collect();
    let prepared = crate::align::prepare(&pairs, &targets);
    // Overlap vectors: single sentences only (overlap 1).
    let source_spans: Vec<Vec<Option<&[f16]>>> = source_meanings
        .iter()
        .map(|m| vec![Some(m.as_slice())])
        .collect();
    let target_vectors: Vec<&Vec<f16>> = extra_meanings.iter().chain(&source_meanings).collect();
    let target_spans: Vec<Vec<Option<&[f16]>>> = target_vectors
        .iter()
        .map(|m| vec![Some(m.as_slice())])
        .collect();
    let beads = align(
        &prepared.source,
        &prepared.target,
        &prepared.vocabulary,
        ParallelParams::default(),
        Some(OverlapVectors {
            source: &source_spans,
            target: &target_spans,
            stand_ins: None,
        }),
    );
    let right = beads
        .iter()
        .filter(|b| {
            b.source.len() == 1 && b.target == (b.source.start + extra..b.source.start + extra + 1)
        })
        .count();
    assert!(
        right >= 290,
        "{right} of {n} sentences aligned to their counterparts"
    );
}

#[test]
fn one_to_one_and_null_beads() {
    let got = run(
        &[
            "the cat sleeps on the warm mat",
            "a storm hit the northern coast",
            "prices of rice rose sharply",
        ],
        &[
            "the cat sleeps on the warm mat",
            "an unrelated caption line here",
            "a storm hit the northern coast",
            "prices of rice rose sharply",
        ],
    );
    assert_eq!(
        got,
        vec![
            (vec![0], vec![0]),
            (vec![], vec![1]),
            (vec![1], vec![2]),
            (vec![2], vec![3]),
        ]
    );
}

#[test]
fn two_to_one_and_one_to_two() {
    let got = run(
        &[
            "the minister arrived in jakarta",
            "she met the president",
            "talks covered trade and fishing quotas and tariffs",
        ],
        &[
            "the minister arrived in jakarta and she met the president",
            "talks covered trade",
            "and fishing quotas and tariffs",
        ],
    );
    assert_eq!(got, vec![(vec![0, 1], vec![0]), (vec![2], vec![1, 2])]);
}

#[test]
fn one_to_nothing() {
    let got = run(
        &[
            "the harbour reopened after the long winter storms",
            "photographs courtesy of the regional museum archive collection volume seven",
            "ferries resumed their service to the outer islands",
        ],
        &[
            "the harbour reopened after the long winter storms",
            "ferries resumed their service to the outer islands",
        ],
    );
    assert_eq!(
        got,
        vec![(vec![0], vec![0]), (vec![1], vec![]), (vec![2], vec![1])]
    );
}

/// The vectors of the runs of 1..=`overlap` sentences starting at every sentence: the
/// normalised sum of their meanings, each weighted by `weight(k)`.
fn overlap_spans(
    meanings: &[Vec<f16>],
    weight: &dyn Fn(usize) -> f32,
    overlap: usize,
) -> Vec<Vec<Vec<f16>>> {
    (0..meanings.len())
        .map(|i| {
            (1..=overlap.min(meanings.len() - i))
                .map(|n| {
                    let mut sum = vec![0.0f32; meanings[i].len()];
                    for (k, meaning) in meanings.iter().enumerate().skip(i).take(n) {
                        for (s, x) in sum.iter_mut().zip(meaning) {
                            *s += weight(k) * x.to_f32();
                        }
                    }
                    let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt();
                    sum.iter().map(|x| f16::from_f32(x / norm)).collect()
                })
                .collect()
        })
        .collect()
}

fn views(side: &[Vec<Vec<f16>>]) -> Vec<Vec<Option<&[f16]>>> {
    side.iter()
        .map(|row| row.iter().map(|v| Some(v.as_slice())).collect())
        .collect()
}

/// Aligns with overlap vectors built from per-sentence meanings: the vector of a run is
/// the normalised sum of its sentences' meanings, each weighted by `weight(k)` (a
/// sentence of little content moves the vector of a run little, as with real encoders).
fn run_with_vectors(
    source: &[&str],
    target: &[&str],
    source_meanings: &[Vec<f16>],
    target_meanings: &[Vec<f16>],
    target_weight: impl Fn(usize) -> f32,
) -> Vec<(Vec<usize>, Vec<usize>)> {
    let overlap = 5;
    let source_owned = overlap_spans(source_meanings, &|_| 1.0, overlap);
    let target_owned = overlap_spans(target_meanings, &target_weight, overlap);
    let (source_spans, target_spans) = (views(&source_owned), views(&target_owned));
    let pairs: Vec<(&str, &str)> = source.iter().map(|t| (*t, *t)).collect();
    let prepared = crate::align::prepare(&pairs, target);
    let params = ParallelParams {
        max_bead: 7,
        ..ParallelParams::default()
    };
    align(
        &prepared.source,
        &prepared.target,
        &prepared.vocabulary,
        params,
        Some(OverlapVectors {
            source: &source_spans,
            target: &target_spans,
            stand_ins: None,
        }),
    )
    .into_iter()
    .map(|b| (b.source.collect(), b.target.collect()))
    .collect()
}

const STORY: [&str; 4] = [
    "the expedition reached the glacier in early june",
    "porters carried food and ropes to the upper camp",
    "a storm kept the climbers in their tents for days",
    "the summit was reached on the ninth of july",
];

#[test]
fn with_vectors_a_line_without_words_is_left_out_of_the_bead_before_it() {
    let mut rng = fastrand::Rng::with_seed(7);
    let meanings = meanings(5, &mut rng);
    let target = [STORY[0], STORY[1], "..... ", STORY[2], STORY[3]];
    let target_meanings = [0, 1, 4, 2, 3].map(|k| meanings[k].clone());
    // The dots move a run's vector as little as they weigh: nothing.
    let got = run_with_vectors(&STORY, &target, &meanings[..4], &target_meanings, |k| {
        if k == 2 { 0.0 } else { 1.0 }
    });
    assert_eq!(
        got,
        vec![
            (vec![0], vec![0]),
            (vec![1], vec![1]),
            (vec![], vec![2]),
            (vec![2], vec![3]),
            (vec![3], vec![4]),
        ]
    );
}

#[test]
fn a_merge_is_marked_down_by_the_best_sentence_pair_inside_it() {
    // One source sentence; the target has three captions, then its counterpart. Each
    // caption moves the vector of a run a little, so the beads with one sentence fewer
    // are barely better than the bead of all four, but the pair of the sentence and its
    // counterpart is far better: the bead is marked down by that.
    let mut rng = fastrand::Rng::with_seed(11);
    let m = meanings(4, &mut rng);
    // Target: captions (meanings 1 to 3, weight 0.3), then the counterpart (meaning 0).
    let target_meanings = [1, 2, 3, 0].map(|k| m[k].clone());
    let target_owned = overlap_spans(&target_meanings, &|k| if k < 3 { 0.3 } else { 1.0 }, 4);
    let source_owned = overlap_spans(&m[..1], &|_| 1.0, 1);
    let (source_spans, target_spans) = (views(&source_owned), views(&target_owned));
    let semantic = Semantic::new(OverlapVectors {
        source: &source_spans,
        target: &target_spans,
        stand_ins: None,
    });
    let whole = semantic.raw(0, 1, 0, 4).unwrap();
    let pair = semantic.raw(0, 1, 3, 1).unwrap();
    let one_fewer = semantic
        .raw(0, 1, 1, 3)
        .unwrap()
        .max(semantic.raw(0, 1, 0, 3).unwrap());
    assert!(
        pair - whole > 3.0 * (one_fewer - whole),
        "the set-up: pair {pair}, one fewer {one_fewer}, whole {whole}"
    );
    let marked = semantic.similarity(0, 1, 0, 4).unwrap();
    assert!(
        (marked - (whole - (pair - whole))).abs() < 1e-5,
        "marked down to {marked}, not by the pair ({pair}) from {whole}"
    );
}

#[test]
fn words_moved_across_a_sentence_boundary_make_one_two_to_two_bead() {
    // The target text moved the end of source sentence 1 ("where ... pitons") to the
    // start of its next sentence: two one-to-one beads each hold half a match, and
    // only the two-to-two bead holds all of it.
    let source = [
        "the expedition left the base camp early in the morning",
        "the first two rope lengths above the crevasse took hours where they needed pitons",
        "six hours of crampon work on steep glazed slabs finally brought them to the ridge",
        "they pitched a small tent on the ridge and cooked a meal",
    ];
    let target = [
        "the expedition left the base camp early in the morning",
        "the first two rope lengths above the crevasse took hours",
        "where they needed pitons six hours of crampon work on steep glazed slabs finally brought them to the ridge",
        "they pitched a small tent on the ridge and cooked a meal",
    ];
    let expected_merge = (vec![1, 2], vec![1, 2]);
    let got = run(&source, &target);
    assert!(got.contains(&expected_merge), "{got:?}");
    assert_eq!(got.len(), 3, "{got:?}");
    // Without the leak term the same texts split into two one-to-one beads.
    let without = ParallelParams {
        leak_weight: 0.0,
        ..ParallelParams::default()
    };
    let split = run_with(&source, &target, without);
    assert!(split.contains(&(vec![1], vec![1])), "{split:?}");
    assert!(split.contains(&(vec![2], vec![2])), "{split:?}");
}

#[test]
fn two_to_two() {
    let got = run(
        &[
            "the harbour reopened after the long winter storms",
            "ferries resumed their service to the outer islands",
            "fishermen repaired the damaged nets at the quay",
        ],
        &[
            "the harbour reopened after the long winter storms",
            // Each target line mixes halves of both source sentences: only 2-2 fits.
            "ferries resumed their service while fishermen repaired",
            "to the outer islands the damaged nets at the quay",
        ],
    );
    assert_eq!(got, vec![(vec![0], vec![0]), (vec![1, 2], vec![1, 2])]);
}

#[test]
fn empty_sides() {
    assert!(run(&[], &[]).is_empty());
    assert_eq!(run(&["a b c"], &[]), vec![(vec![0], vec![])]);
    assert_eq!(
        run(&[], &["a b c", "d e"]),
        vec![(vec![], vec![0]), (vec![], vec![1])]
    );
}

#[test]
fn chains_are_longest_and_increasing() {
    assert_eq!(
        longest_increasing_chain(&[(0, 5), (1, 1), (2, 2), (3, 0), (4, 3)]),
        vec![(1, 1), (2, 2), (4, 3)]
    );
}
