//! Comparable mode: for every source sentence, candidates from an inverted index over the
//! target sentences' stems (never the full cross product), scored with the sentence
//! similarity and normalised by margin — the similarity divided by the mean similarity of
//! the two sentences' k nearest neighbours (ratio margin, as in margin-based parallel
//! sentence mining) — so that a sentence close to everything does not win. With sentence
//! vectors, candidates also come from the exact nearest neighbours by cosine, and the
//! similarity is the cosine fused with the lexical similarity.

use super::calibration::{self, Calibration};
use super::features::{Features, SimilarityWeights, Vocabulary, similarity};
use super::vectors::{self, Side};

/// Tunable parameters of comparable matching.
#[derive(Debug, Clone, Copy)]
pub struct ComparableParams {
    /// Candidates per source, best first.
    pub top_k: usize,
    /// Minimum margin score: the similarity divided by the mean similarity of both sentences'
    /// `neighbours` nearest neighbours (each other included), so 1 means "no closer than
    /// their usual close neighbours" and 1.05 (the default) asks for a clear lead; 0 emits the
    /// best candidate of every source sentence.
    pub threshold: f32,
    /// Minimum raw similarity, applied with any threshold above 0.
    pub min_similarity: f32,
    /// Maps the margin score to the probability that the match is right.
    pub calibration: Calibration,
    /// Minimum confidence, applied with any threshold above 0.
    pub min_confidence: f32,
    /// Candidates per source taken from the index and scored in full.
    pub candidates: usize,
    /// Neighbours averaged for the margin.
    pub neighbours: usize,
    pub weights: SimilarityWeights,
    /// With vectors: the share of the lexical similarity in the fused similarity
    /// `(1 − w)·cosine + w·lexical`.
    pub lexical_weight: f32,
    /// With vectors: how nearest neighbours are found.
    pub search: vectors::Search,
}

impl Default for ComparableParams {
    fn default() -> Self {
        // Neighbours and weights tuned on the Tatoeba Malay–English development set.
        ComparableParams {
            top_k: 1,
            threshold: 1.05,
            min_similarity: 0.25,
            calibration: calibration::LEXICAL,
            min_confidence: crate::config::LEXICAL_MIN_CONFIDENCE as f32,
            candidates: 30,
            neighbours: 2,
            weights: SimilarityWeights { words: 0.6 },
            lexical_weight: 0.2,
            search: vectors::Search::Auto,
        }
    }
}

impl ComparableParams {
    /// The parameters `[align]` sets, for the lexical similarity alone or (`fused`) for the
    /// similarity fused with sentence vectors; `threshold` and `min_confidence` (from
    /// `--threshold`, `--min-confidence`) replace the configured ones.
    pub fn from_config(
        raw: &crate::config::RawAlign,
        fused: bool,
        threshold: Option<f64>,
        min_confidence: Option<f64>,
        top_k: usize,
    ) -> Self {
        let defaults = ComparableParams::default();
        if fused {
            ComparableParams {
                top_k,
                threshold: threshold.unwrap_or(raw.embedding_threshold) as f32,
                min_similarity: raw.embedding_min_similarity as f32,
                calibration: Calibration::from_array(raw.embedding_calibration),
                min_confidence: min_confidence.unwrap_or(raw.embedding_min_confidence) as f32,
                neighbours: raw.neighbours,
                lexical_weight: raw.lexical_weight as f32,
                search: match raw.neighbour_search.as_str() {
                    "exact" => vectors::Search::Exact,
                    "approximate" => vectors::Search::Approximate,
                    _ => vectors::Search::Auto,
                },
                ..defaults
            }
        } else {
            ComparableParams {
                top_k,
                threshold: threshold.unwrap_or(raw.threshold) as f32,
                min_similarity: raw.min_similarity as f32,
                calibration: Calibration::from_array(raw.calibration),
                min_confidence: min_confidence.unwrap_or(raw.min_confidence) as f32,
                ..defaults
            }
        }
    }
}

/// A scored candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub source: usize,
    pub target: usize,
    /// Margin score (see [`ComparableParams::threshold`]).
    pub score: f32,
    pub similarity: f32,
    /// Probability that the match is right (the calibrated margin score).
    pub confidence: f32,
    /// 1 = best for this source.
    pub rank: usize,
}

/// Inverted index over the target sentences.
struct Index {
    postings: Vec<Vec<u32>>,
    /// Postings longer than this are skipped while gathering candidates (too common to
    /// discriminate; they still count in the full similarity).
    max_postings: usize,
}

impl Index {
    fn new(target: &[Features]) -> Index {
        let mut postings: Vec<Vec<u32>> = Vec::new();
        for (t, f) in target.iter().enumerate() {
            for &id in &f.bag {
                let id = id as usize;
                if postings.len() <= id {
                    postings.resize(id + 1, Vec::new());
                }
                postings[id].push(t as u32);
            }
        }
        Index {
            max_postings: (target.len() / 20).max(200),
            postings,
        }
    }

    /// The `limit` targets with the highest IDF-weighted overlap with `source`, optionally
    /// restricted to a window of target positions.
    fn candidates(
        &self,
        source: &Features,
        vocabulary: &Vocabulary,
        limit: usize,
        window: Option<std::ops::Range<usize>>,
        scratch: &mut [f32],
        touched: &mut Vec<u32>,
    ) -> Vec<u32> {
        // Common stems are skipped, unless the sentence has nothing else.
        let has_rare = source.bag.iter().any(|&id| {
            self.postings
                .get(id as usize)
                .is_some_and(|l| !l.is_empty() && l.len() <= self.max_postings)
        });
        for &id in &source.bag {
            let Some(list) = self.postings.get(id as usize) else {
                continue;
            };
            if has_rare && list.len() > self.max_postings {
                continue;
            }
            let w = vocabulary.idf(id);
            // Postings are in target order: only the part inside the window is read.
            let list = match &window {
                Some(win) => {
                    let start = list.partition_point(|&t| (t as usize) < win.start);
                    let end = list.partition_point(|&t| (t as usize) < win.end);
                    &list[start..end]
                }
                None => &list[..],
            };
            for &t in list {
                if scratch[t as usize] == 0.0 {
                    touched.push(t);
                }
                scratch[t as usize] += w;
            }
        }
        let mut ranked: Vec<(f32, u32)> =
            touched.iter().map(|&t| (scratch[t as usize], t)).collect();
        for &t in touched.iter() {
            scratch[t as usize] = 0.0;
        }
        touched.clear();
        let keep = limit.min(ranked.len());
        if keep > 0 && keep < ranked.len() {
            ranked.select_nth_unstable_by(keep - 1, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            ranked.truncate(keep);
        }
        ranked.into_iter().map(|(_, t)| t).collect()
    }
}

/// Unit vectors of the source sentences (of their original text: the model is
/// cross-lingual) and of the target sentences, by position.
#[derive(Debug, Clone, Copy)]
pub struct SentenceVectors<'a> {
    pub source: &'a Side<'a>,
    pub target: &'a Side<'a>,
}

/// Matches every source sentence against the target sentences, by the lexical similarity
/// alone or, with `vectors`, by the fused similarity. Only pairs `allowed(source, target)`
/// are candidates (the margin's neighbourhoods too).
pub fn matches(
    source: &[Features],
    target: &[Features],
    vocabulary: &Vocabulary,
    params: ComparableParams,
    vectors: Option<SentenceVectors>,
    allowed: &dyn Fn(usize, usize) -> bool,
) -> Vec<Match> {
    let (mut scored, extra) = match vectors {
        None => lexical_candidates(source, target, vocabulary, params),
        Some(v) => fused_candidates(source, target, vocabulary, params, v),
    };
    for (s, list) in scored.iter_mut().enumerate() {
        list.retain(|&(t, _)| allowed(s, t as usize));
    }
    rank_by_margin(scored, extra, target.len(), params)
}

/// Scored candidates per source (best first) and, per target, extra similarities to
/// sources that did not list it (for the target side of the margin).
type Scored = (Vec<Vec<(u32, f32)>>, Vec<Vec<f32>>);

fn lexical_candidates(
    source: &[Features],
    target: &[Features],
    vocabulary: &Vocabulary,
    params: ComparableParams,
) -> Scored {
    let index = Index::new(target);
    let scorer = Scorer::new(source, target, vocabulary, params, None);
    let mut scratch = vec![0.0f32; target.len()];
    let mut touched = Vec::new();
    // Scored candidates per source.
    let scored: Vec<Vec<(u32, f32)>> = source
        .iter()
        .enumerate()
        .map(|(s, f)| {
            let mut list: Vec<(u32, f32)> = index
                .candidates(
                    f,
                    vocabulary,
                    params.candidates,
                    None,
                    &mut scratch,
                    &mut touched,
                )
                .into_iter()
                .map(|t| (t, scorer.similarity(s, t as usize, None)))
                .collect();
            list.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            list
        })
        .collect();
    (scored, vec![Vec::new(); target.len()])
}

/// The similarity of any source and target sentence, as matching scores it: lexical, or
/// fused with the cosine of their vectors (used again when matches are grouped into claims).
pub struct Scorer<'a> {
    source: &'a [Features],
    target: &'a [Features],
    vocabulary: &'a Vocabulary,
    source_weight: Vec<f32>,
    target_weight: Vec<f32>,
    params: ComparableParams,
    vectors: Option<(SentenceVectors<'a>, vectors::Baseline)>,
}

impl<'a> Scorer<'a> {
    pub fn new(
        source: &'a [Features],
        target: &'a [Features],
        vocabulary: &'a Vocabulary,
        params: ComparableParams,
        vectors: Option<SentenceVectors<'a>>,
    ) -> Scorer<'a> {
        Scorer {
            source,
            target,
            vocabulary,
            source_weight: source.iter().map(|f| f.weight(vocabulary)).collect(),
            target_weight: target.iter().map(|f| f.weight(vocabulary)).collect(),
            params,
            vectors: vectors.map(|v| (v, vectors::Baseline::of(v.source, v.target))),
        }
    }

    /// The similarity of source `s` and target `t`; `cosine` when the caller has it.
    pub fn similarity(&self, s: usize, t: usize, cosine: Option<f32>) -> f32 {
        let lexical = similarity(
            &self.source[s],
            self.source_weight[s],
            &self.target[t],
            self.target_weight[t],
            self.vocabulary,
            self.params.weights,
        );
        let Some((vectors, baseline)) = &self.vectors else {
            return lexical;
        };
        let cosine = cosine.or_else(|| Some(vectors::dot(vectors.source[s]?, vectors.target[t]?)));
        let w = self.params.lexical_weight;
        (1.0 - w) * baseline.rescale(cosine.unwrap_or(baseline.mean)) + w * lexical
    }
}

/// Candidates from the lexical index and from the nearest neighbours by cosine, scored by
/// `(1 − w)·c + w·lexical`, where `c` is the cosine rescaled so that the mean cosine of
/// unrelated pairs is 0 and identity is 1 (models differ widely in their baseline: about
/// 0.76 for multilingual-e5, near 0.2 for LaBSE); the targets' own nearest sources by
/// cosine are scored too, so that both sides of the margin see their true neighbourhood.
fn fused_candidates(
    source: &[Features],
    target: &[Features],
    vocabulary: &Vocabulary,
    params: ComparableParams,
    vectors: SentenceVectors,
) -> Scored {
    let index = Index::new(target);
    let neighbours = vectors::nearest_by(
        params.search,
        vectors.source,
        vectors.target,
        params.candidates,
        params.neighbours.max(1),
    );
    let scorer = Scorer::new(source, target, vocabulary, params, Some(vectors));
    let fused = |s: usize, t: usize, cosine: Option<f32>| scorer.similarity(s, t, cosine);
    let mut scratch = vec![0.0f32; target.len()];
    let mut touched = Vec::new();
    let scored: Vec<Vec<(u32, f32)>> = source
        .iter()
        .enumerate()
        .map(|(s, f)| {
            let mut list: Vec<(u32, f32)> = neighbours.of_query[s]
                .iter()
                .map(|&(t, cosine)| (t, fused(s, t as usize, Some(cosine))))
                .collect();
            for t in index.candidates(
                f,
                vocabulary,
                params.candidates,
                None,
                &mut scratch,
                &mut touched,
            ) {
                if !list.iter().any(|&(u, _)| u == t) {
                    list.push((t, fused(s, t as usize, None)));
                }
            }
            list.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            list
        })
        .collect();
    let extra: Vec<Vec<f32>> = neighbours
        .of_base
        .iter()
        .enumerate()
        .map(|(t, near)| {
            near.iter()
                .filter(|&&(s, _)| !scored[s as usize].iter().any(|&(u, _)| u as usize == t))
                .map(|&(s, cosine)| fused(s as usize, t, Some(cosine)))
                .collect()
        })
        .collect();
    (scored, extra)
}

/// Ratio margin over both sides' nearest neighbours, ranking, threshold and `top_k`.
fn rank_by_margin(
    scored: Vec<Vec<(u32, f32)>>,
    extra: Vec<Vec<f32>>,
    targets: usize,
    params: ComparableParams,
) -> Vec<Match> {
    // Nearest-neighbour means in both directions.
    let k = params.neighbours.max(1);
    let knn = |sims: &mut Vec<f32>| -> f32 {
        sims.sort_by(|a, b| b.total_cmp(a));
        let top: Vec<f32> = sims.iter().take(k).copied().collect();
        if top.is_empty() {
            0.0
        } else {
            top.iter().sum::<f32>() / k as f32
        }
    };
    let source_knn: Vec<f32> = scored
        .iter()
        .map(|l| knn(&mut l.iter().map(|(_, s)| *s).collect()))
        .collect();
    let mut by_target: Vec<Vec<f32>> = extra;
    by_target.resize(targets, Vec::new());
    for list in &scored {
        for &(t, sim) in list {
            by_target[t as usize].push(sim);
        }
    }
    let target_knn: Vec<f32> = by_target.iter_mut().map(knn).collect();

    let mut out = Vec::new();
    for (s, list) in scored.iter().enumerate() {
        let mut ranked: Vec<(u32, f32, f32, f32)> = list
            .iter()
            .map(|&(t, sim)| {
                let denominator = (source_knn[s] + target_knn[t as usize]) / 2.0;
                let margin = if denominator > 0.0 {
                    sim / denominator
                } else {
                    0.0
                };
                let confidence = params.calibration.confidence(margin as f64) as f32;
                (t, margin, sim, confidence)
            })
            .collect();
        ranked.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then(b.2.total_cmp(&a.2))
                .then(a.0.cmp(&b.0))
        });
        let passing =
            ranked
                .into_iter()
                .take(params.top_k)
                .take_while(|&(_, margin, sim, confidence)| {
                    params.threshold == 0.0
                        || (margin >= params.threshold
                            && sim >= params.min_similarity
                            && confidence >= params.min_confidence)
                });
        for (k, (t, margin, sim, confidence)) in passing.enumerate() {
            out.push(Match {
                source: s,
                target: t as usize,
                score: margin,
                similarity: sim,
                confidence,
                rank: k + 1,
            });
        }
    }
    out
}

/// Anchors for the parallel aligner's band: source sentences whose best target near the
/// diagonal is clearly better than the runner-up, as (source, target) in source order.
pub fn anchors(
    source: &[Features],
    target: &[Features],
    vocabulary: &Vocabulary,
) -> Vec<(usize, usize)> {
    let index = Index::new(target);
    let (n, m) = (source.len(), target.len());
    let mut scratch = vec![0.0f32; m];
    let mut touched = Vec::new();
    let weights = SimilarityWeights::default();
    let target_weight: Vec<f32> = target.iter().map(|f| f.weight(vocabulary)).collect();
    let mut out = Vec::new();
    for (s, f) in source.iter().enumerate() {
        let range = anchor_window(s, n, m);
        let candidates =
            index.candidates(f, vocabulary, 5, Some(range), &mut scratch, &mut touched);
        let sw = f.weight(vocabulary);
        let mut sims: Vec<(f32, usize)> = candidates
            .into_iter()
            .map(|t| {
                let t = t as usize;
                (
                    similarity(f, sw, &target[t], target_weight[t], vocabulary, weights),
                    t,
                )
            })
            .collect();
        sims.sort_by(|a, b| b.0.total_cmp(&a.0));
        if let Some(&(best, t)) = sims.first() {
            let second = sims.get(1).map_or(0.0, |x| x.0);
            if is_anchor(best, second) {
                out.push((s, t));
            }
        }
    }
    out
}

/// The targets near the diagonal that source sentence `s` of `n` may be anchored to, among
/// `m` targets.
pub(super) fn anchor_window(s: usize, n: usize, m: usize) -> std::ops::Range<usize> {
    let window = (m / 20).max(500);
    let expected = s * m / n.max(1);
    expected.saturating_sub(window)..(expected + window).min(m)
}

/// True when a sentence's best candidate is good and clearly beats the runner-up: the rule
/// of every anchor, by words or by vectors.
pub(super) fn is_anchor(best: f32, second: f32) -> bool {
    best >= 0.3 && best >= 1.2 * second
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_prevents_a_hub_sentence_from_winning() {
        let mut v = Vocabulary::default();
        let targets = [
            "the government said the government will review the policy",
            "fishing quotas for the northern coast were cut by half",
            "the government policy",
        ];
        let sources = [
            "fishing quotas northern coast cut half",
            "government said review policy",
        ];
        let t: Vec<Features> = targets
            .iter()
            .map(|x| Features::of_translation(x, &mut v))
            .collect();
        let s: Vec<Features> = sources
            .iter()
            .map(|x| Features::of_translation(x, &mut v))
            .collect();
        for f in s.iter().chain(&t) {
            v.count(f.bag.clone());
        }
        v.finish();
        let params = ComparableParams {
            threshold: 0.0,
            ..ComparableParams::default()
        };
        let got = matches(&s, &t, &v, params, None, &|_, _| true);
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].source, got[0].target), (0, 1));
        assert_eq!((got[1].source, got[1].target), (1, 0));
        assert!(got.iter().all(|m| m.rank == 1 && m.score > 0.0));
        // A sentence with nothing in common gets nothing above a threshold.
        let lone = [Features::of_translation(
            "volcanic ash over iceland",
            &mut v,
        )];
        assert!(
            matches(&lone, &t, &v, ComparableParams::default(), None, &|_, _| {
                true
            })
            .is_empty()
        );
    }
}
