//! Comparable mode: for every source sentence, candidates from an inverted index over the
//! target sentences' stems (never the full cross product), scored with the sentence
//! similarity and normalised by margin — the similarity divided by the mean similarity of
//! the two sentences' k nearest neighbours (ratio margin, as in margin-based parallel
//! sentence mining) — so that a sentence close to everything does not win. With sentence
//! vectors, candidates also come from the exact nearest neighbours by cosine, and the
//! similarity is the cosine fused with the lexical similarity.

use super::acceptance::{
    self, AcceptanceReport, Curve, Ranked, Rates, Tier, best_of, best_per_target, four_decimals,
};
use super::calibration::{self, Calibration};
use super::decoys::DecoyVectors;
use super::features::{
    Features, SimilarityWeights, Vocabulary, content_dice, content_share, similarity,
};
use super::vectors::{self, Side};

/// How comparable matches are accepted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Acceptance {
    /// The run's own target–decoy estimate, at these false-discovery rates
    /// ([`acceptance`]).
    FalseDiscovery(Rates),
    /// A fixed confidence curve and bounds (`align.acceptance = "calibrated"`): margin
    /// `threshold`, `min_similarity` and `min_confidence` through `calibration`.
    Calibrated,
}

/// Tunable parameters of comparable matching.
#[derive(Debug, Clone, Copy)]
pub struct ComparableParams {
    /// Candidates per source shown at most, best first.
    pub top_k: usize,
    pub acceptance: Acceptance,
    /// Minimum margin score (`--threshold`; with [`Acceptance::Calibrated`] also the
    /// configured one): the similarity divided by the mean similarity of both sentences'
    /// `neighbours` nearest neighbours, so 1 means "no closer than their usual close
    /// neighbours". When given it replaces the acceptance rule; 0 shows the best candidate
    /// of every source sentence.
    pub threshold: Option<f32>,
    /// Minimum raw similarity, applied with a threshold above 0.
    pub min_similarity: f32,
    /// Maps the margin score to a confidence ([`Acceptance::Calibrated`]).
    pub calibration: Calibration,
    /// Minimum confidence of a `same` match (`--min-confidence`; calibrated: the configured
    /// one).
    pub min_confidence: Option<f32>,
    /// The configured margin threshold and minimum confidence of the calibrated rule, which
    /// also serves runs too small for an estimate ([`acceptance::MIN_COMPETITIONS`]).
    pub calibrated_bounds: (f32, f32),
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

/// Default false-discovery rates of the two tiers.
pub const DEFAULT_RATES: Rates = Rates {
    same: 0.05,
    related: 0.25,
};

impl Default for ComparableParams {
    fn default() -> Self {
        // Neighbours and weights tuned on the Tatoeba Malay–English development set.
        ComparableParams {
            top_k: 1,
            acceptance: Acceptance::FalseDiscovery(DEFAULT_RATES),
            threshold: None,
            min_similarity: 0.25,
            calibration: calibration::LEXICAL,
            min_confidence: None,
            calibrated_bounds: (1.05, crate::config::LEXICAL_MIN_CONFIDENCE as f32),
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
    /// `--threshold`, `--min-confidence`) override the acceptance rule.
    pub fn from_config(
        raw: &crate::config::RawAlign,
        fused: bool,
        threshold: Option<f64>,
        min_confidence: Option<f64>,
        top_k: usize,
    ) -> Self {
        let defaults = ComparableParams::default();
        let calibrated = raw.acceptance == "calibrated";
        let acceptance = if calibrated {
            Acceptance::Calibrated
        } else {
            Acceptance::FalseDiscovery(Rates {
                same: raw.max_false_discovery as f32,
                related: raw.max_false_discovery_related as f32,
            })
        };
        let (configured_threshold, configured_min_confidence) = if fused {
            (raw.embedding_threshold, raw.embedding_min_confidence)
        } else {
            (raw.threshold, raw.min_confidence)
        };
        let params = ComparableParams {
            top_k,
            acceptance,
            threshold: threshold
                .or(calibrated.then_some(configured_threshold))
                .map(|t| t as f32),
            min_confidence: min_confidence
                .or(calibrated.then_some(configured_min_confidence))
                .map(|c| c as f32),
            calibrated_bounds: (
                threshold.unwrap_or(configured_threshold) as f32,
                min_confidence.unwrap_or(configured_min_confidence) as f32,
            ),
            ..defaults
        };
        if fused {
            ComparableParams {
                min_similarity: raw.embedding_min_similarity as f32,
                calibration: Calibration::from_array(raw.embedding_calibration),
                neighbours: raw.neighbours,
                lexical_weight: raw.lexical_weight as f32,
                search: match raw.neighbour_search.as_str() {
                    "exact" => vectors::Search::Exact,
                    "approximate" => vectors::Search::Approximate,
                    _ => vectors::Search::Auto,
                },
                ..params
            }
        } else {
            ComparableParams {
                min_similarity: raw.min_similarity as f32,
                calibration: Calibration::from_array(raw.calibration),
                ..params
            }
        }
    }
}

/// A shown candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub source: usize,
    pub target: usize,
    /// Margin score (see [`ComparableParams::threshold`]).
    pub score: f32,
    pub similarity: f32,
    /// With the run's estimate: 1 − the q-value at this score (the estimated share of true
    /// matches among those shown at this score or above); calibrated: the curve's value.
    pub confidence: f32,
    /// 1 = best for this source.
    pub rank: usize,
    pub tier: Tier,
}

/// The shown matches of a run and how they were accepted.
#[derive(Debug, Clone)]
pub struct Matches {
    pub matches: Vec<Match>,
    pub report: AcceptanceReport,
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
/// alone or, with `vectors`, by the fused similarity, and decides which candidates are shown
/// (see [`acceptance`]). Only pairs `allowed(source, target)` are candidates (the margin's
/// neighbourhoods and the decoys' too).
pub fn matches(
    source: &[Features],
    target: &[Features],
    vocabulary: &Vocabulary,
    params: ComparableParams,
    vectors: Option<SentenceVectors>,
    allowed: &dyn Fn(usize, usize) -> bool,
) -> Matches {
    let pairs = Pairs {
        candidate: allowed,
        neighbour: allowed,
    };
    let ranked = ranked_candidates(source, target, vocabulary, params, vectors, None, pairs);
    match params.acceptance {
        Acceptance::Calibrated => calibrated(&ranked, params, "calibrated"),
        Acceptance::FalseDiscovery(rates) => {
            let curve = decoy_competition(
                source, target, vocabulary, params, vectors, allowed, &ranked,
            );
            if curve.real_wins + curve.decoy_wins < acceptance::MIN_COMPETITIONS {
                return calibrated(
                    &ranked,
                    ComparableParams {
                        threshold: params.threshold.or(Some(params.calibrated_bounds.0)),
                        min_confidence: params.min_confidence.or(Some(params.calibrated_bounds.1)),
                        ..params
                    },
                    "calibrated (too few sources for an estimate)",
                );
            }
            let scorer = Scorer::new(source, target, vocabulary, params, vectors);
            let best = best_per_target(&ranked, target.len());
            let same_threshold = curve.threshold(rates.same);
            let related_threshold = curve.threshold(rates.related);
            let mut out = Vec::new();
            for (s, list) in ranked.iter().enumerate() {
                let is_mutual = best_of(list, &best).is_some_and(|(_, m)| m);
                let mut has_same = false;
                for (k, r) in list.iter().take(params.top_k).enumerate() {
                    let q = curve.q(r.margin);
                    let supported = r.similarity >= params.min_similarity
                        && scorer.supported_beyond_invariants(s, r.target as usize);
                    // Bounds are scores of winning real matches: nothing scoring below every
                    // accepted winner is accepted (the competition says nothing about them).
                    let same_bound = match params.min_confidence {
                        Some(c) => 1.0 - q >= c,
                        None => same_threshold.is_some_and(|t| r.margin >= t),
                    };
                    let related_bound = related_threshold.is_some_and(|t| r.margin >= t);
                    // A hub (a target that is many sources' near-best) is related only to the
                    // source it is the best of, and lower ranks are alternatives of a
                    // source's `same` match.
                    let competes = if k == 0 { is_mutual } else { has_same };
                    let tier = if k == 0 && is_mutual && same_bound && supported {
                        has_same = true;
                        Some(Tier::Same)
                    } else if related_bound && supported && competes {
                        Some(Tier::Related)
                    } else {
                        None
                    };
                    let forced = params.threshold.map(|t| {
                        t == 0.0 || (r.margin >= t && r.similarity >= params.min_similarity)
                    });
                    let tier = match (forced, tier) {
                        (Some(false), _) => None,
                        (Some(true), None) => Some(Tier::Candidate),
                        (_, tier) => tier,
                    };
                    if let Some(tier) = tier {
                        out.push(shown(s, k, r, 1.0 - q, tier));
                    }
                }
            }
            let count = |tier: Tier| out.iter().filter(|m| m.tier == tier).count();
            let same_q: f32 = out
                .iter()
                .filter(|m| m.tier == Tier::Same)
                .map(|m| 1.0 - m.confidence)
                .fold(0.0, f32::max);
            let report = AcceptanceReport {
                method: "decoys".into(),
                max_false_discovery: Some(four_decimals(rates.same)),
                max_false_discovery_related: Some(four_decimals(rates.related)),
                real_wins: Some(curve.real_wins),
                decoy_wins: Some(curve.decoy_wins),
                same_threshold: same_threshold.map(four_decimals),
                related_threshold: related_threshold.map(four_decimals),
                same: count(Tier::Same),
                related: count(Tier::Related),
                estimated_false_same: Some(
                    (f64::from(same_q) * count(Tier::Same) as f64 * 100.0).round() / 100.0,
                ),
            };
            Matches {
                matches: out,
                report,
            }
        }
    }
}

/// Searches every source against decoys of the targets ([`super::decoys`]) and lets each
/// source's best mutual real match (`ranked`) compete with its best mutual decoy.
fn decoy_competition(
    source: &[Features],
    target: &[Features],
    vocabulary: &Vocabulary,
    params: ComparableParams,
    vectors: Option<SentenceVectors>,
    allowed: &dyn Fn(usize, usize) -> bool,
    ranked: &[Vec<Ranked>],
) -> Curve {
    let decoy_targets = super::decoys::decoy_features(source, target, vocabulary);
    let decoy_vectors = vectors.map(|v| DecoyVectors::of(v.source, v.target));
    let decoy_side: Option<Vec<Option<&[half::f16]>>> = decoy_vectors
        .as_ref()
        .map(|d| d.rows.iter().map(|r| r.as_deref()).collect());
    let decoy_allowed = |s: usize, j: usize| {
        allowed(s, j)
            && match (&decoy_vectors, vectors) {
                (Some(d), Some(v)) => d.may_compete(v.source, s, j),
                _ => true,
            }
    };
    let decoy_neighbour = |s: usize, j: usize| {
        allowed(s, j)
            && match (&decoy_vectors, vectors) {
                (Some(d), Some(v)) => !d.is_copy_of(v.source, s, j),
                _ => true,
            }
    };
    let decoy_sentence_vectors = match (vectors, &decoy_side) {
        (Some(v), Some(side)) => Some(SentenceVectors {
            source: v.source,
            target: side,
        }),
        _ => None,
    };
    // Decoy cosines take the real ones' mean and spread (see `Baseline::matched_to`).
    let decoy_baseline = match (vectors, decoy_sentence_vectors) {
        (Some(real), Some(decoy)) => Some(
            vectors::Baseline::sampled(decoy.source, decoy.target, &decoy_allowed)
                .matched_to(vectors::Baseline::of(real.source, real.target)),
        ),
        _ => None,
    };
    let decoys = ranked_candidates(
        source,
        &decoy_targets,
        vocabulary,
        params,
        decoy_sentence_vectors,
        decoy_baseline,
        Pairs {
            candidate: &decoy_allowed,
            neighbour: &decoy_neighbour,
        },
    );
    let real_best = best_per_target(ranked, target.len());
    let decoy_best = best_per_target(&decoys, decoy_targets.len());
    let competition: Vec<_> = ranked
        .iter()
        .zip(&decoys)
        .map(|(real, decoy)| (best_of(real, &real_best), best_of(decoy, &decoy_best)))
        .collect();
    Curve::estimate(&competition)
}

/// The fixed rule: margin ≥ `threshold`, similarity ≥ `min_similarity`, calibrated
/// confidence ≥ `min_confidence` (no threshold: every candidate; 0: every source's best).
fn calibrated(ranked: &[Vec<Ranked>], params: ComparableParams, method: &str) -> Matches {
    let accepted = |r: &Ranked, confidence: f32| {
        params.threshold.is_none_or(|t| {
            r.margin >= t
                && r.similarity >= params.min_similarity
                && params.min_confidence.is_none_or(|c| confidence >= c)
        })
    };
    let mut out = Vec::new();
    for (s, list) in ranked.iter().enumerate() {
        for (k, r) in list.iter().take(params.top_k).enumerate() {
            let confidence = params.calibration.confidence(r.margin as f64) as f32;
            if params.threshold != Some(0.0) && !accepted(r, confidence) {
                break;
            }
            out.push(shown(s, k, r, confidence, Tier::Same));
        }
    }
    let report = AcceptanceReport {
        method: method.into(),
        max_false_discovery: None,
        max_false_discovery_related: None,
        real_wins: None,
        decoy_wins: None,
        same_threshold: params.threshold.map(four_decimals),
        related_threshold: None,
        same: out.len(),
        related: 0,
        estimated_false_same: None,
    };
    Matches {
        matches: out,
        report,
    }
}

fn shown(source: usize, k: usize, r: &Ranked, confidence: f32, tier: Tier) -> Match {
    Match {
        source,
        target: r.target as usize,
        score: r.margin,
        similarity: r.similarity,
        confidence,
        rank: k + 1,
        tier,
    }
}

/// Every source's candidates by margin score, best first; cosines are rescaled by
/// `baseline` (none: that of `vectors` themselves).
fn ranked_candidates(
    source: &[Features],
    target: &[Features],
    vocabulary: &Vocabulary,
    params: ComparableParams,
    vectors: Option<SentenceVectors>,
    baseline: Option<vectors::Baseline>,
    pairs: Pairs,
) -> Vec<Vec<Ranked>> {
    let (scored, extra) = match vectors {
        None => lexical_candidates(source, target, vocabulary, params),
        Some(v) => fused_candidates(source, target, vocabulary, params, v, baseline),
    };
    rank_by_margin(scored, extra, target.len(), params, pairs)
}

/// Which pairs a search may show (`candidate`) and which count in the margin's nearest
/// neighbours (`neighbour`). They are the same for real targets; a decoy competes with no
/// source near the one its vector came from, but those still surround it, as the sources
/// of its passage surround a real target.
#[derive(Clone, Copy)]
struct Pairs<'p> {
    candidate: &'p dyn Fn(usize, usize) -> bool,
    neighbour: &'p dyn Fn(usize, usize) -> bool,
}

/// Scored candidates per source (best first) and, per target, extra similarities to
/// sources that did not list it, with those sources (for the target side of the margin).
type Scored = (Vec<Vec<(u32, f32)>>, Vec<Vec<(u32, f32)>>);

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
        Self::with_baseline(source, target, vocabulary, params, vectors, None)
    }

    /// A scorer whose cosines are rescaled by `baseline` (none: that of `vectors`).
    pub fn with_baseline(
        source: &'a [Features],
        target: &'a [Features],
        vocabulary: &'a Vocabulary,
        params: ComparableParams,
        vectors: Option<SentenceVectors<'a>>,
        baseline: Option<vectors::Baseline>,
    ) -> Scorer<'a> {
        Scorer {
            source,
            target,
            vocabulary,
            source_weight: source.iter().map(|f| f.weight(vocabulary)).collect(),
            target_weight: target.iter().map(|f| f.weight(vocabulary)).collect(),
            params,
            vectors: vectors.map(|v| {
                (
                    v,
                    baseline.unwrap_or_else(|| vectors::Baseline::of(v.source, v.target)),
                )
            }),
        }
    }

    /// The similarity of source `s` and target `t`; `cosine` when the caller has it.
    pub fn similarity(&self, s: usize, t: usize, cosine: Option<f32>) -> f32 {
        let (lexical, rescaled_cosine) = self.parts(s, t, cosine);
        self.fused(lexical, rescaled_cosine)
    }

    /// The share of the similarity of `s` and `t` that remains when the words both share
    /// only as names, numbers or acronyms are taken out (the cosine of sentence vectors
    /// stays whole).
    pub fn share_without_invariants(&self, s: usize, t: usize) -> f32 {
        let (lexical, rescaled_cosine) = self.parts(s, t, None);
        let full = self.fused(lexical, rescaled_cosine);
        if full <= 0.0 {
            return 0.0;
        }
        let share = content_share(&self.source[s], &self.target[t], self.vocabulary);
        (self.fused(lexical * share, rescaled_cosine) / full).min(1.0)
    }

    /// True when the match of `s` and `t` does not rest on names, numbers and acronyms:
    /// they are at most half of its similarity, or else the rest of the two sentences agree
    /// (their content words' Dice is at least [`acceptance::MIN_CONTENT_AGREEMENT`]: a
    /// templated report whose only differences are a place and a figure).
    pub fn supported_beyond_invariants(&self, s: usize, t: usize) -> bool {
        self.share_without_invariants(s, t) >= acceptance::MIN_CONTENT_SHARE
            || content_dice(&self.source[s], &self.target[t], self.vocabulary)
                >= acceptance::MIN_CONTENT_AGREEMENT
    }

    /// The lexical similarity of `s` and `t` and, with vectors, their rescaled cosine (0,
    /// the baseline, when either has no vector).
    fn parts(&self, s: usize, t: usize, cosine: Option<f32>) -> (f32, Option<f32>) {
        let lexical = similarity(
            &self.source[s],
            self.source_weight[s],
            &self.target[t],
            self.target_weight[t],
            self.vocabulary,
            self.params.weights,
        );
        let rescaled = self.vectors.as_ref().map(|(vectors, baseline)| {
            let cosine =
                cosine.or_else(|| Some(vectors::dot(vectors.source[s]?, vectors.target[t]?)));
            baseline.rescale(cosine.unwrap_or(baseline.mean))
        });
        (lexical, rescaled)
    }

    /// `(1 − w)·rescaled cosine + w·lexical`, or the lexical similarity without vectors.
    fn fused(&self, lexical: f32, rescaled_cosine: Option<f32>) -> f32 {
        match rescaled_cosine {
            None => lexical,
            Some(c) => {
                let w = self.params.lexical_weight;
                (1.0 - w) * c + w * lexical
            }
        }
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
    baseline: Option<vectors::Baseline>,
) -> Scored {
    let index = Index::new(target);
    let neighbours = vectors::nearest_by(
        params.search,
        vectors.source,
        vectors.target,
        params.candidates,
        params.neighbours.max(1),
    );
    let scorer = Scorer::with_baseline(source, target, vocabulary, params, Some(vectors), baseline);
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
    let extra: Vec<Vec<(u32, f32)>> = neighbours
        .of_base
        .iter()
        .enumerate()
        .map(|(t, near)| {
            near.iter()
                .filter(|&&(s, _)| !scored[s as usize].iter().any(|&(u, _)| u as usize == t))
                .map(|&(s, cosine)| (s, fused(s as usize, t, Some(cosine))))
                .collect()
        })
        .collect();
    (scored, extra)
}

/// Ratio margin over both sides' nearest neighbours, and every source's candidates ranked
/// by it.
fn rank_by_margin(
    mut scored: Vec<Vec<(u32, f32)>>,
    extra: Vec<Vec<(u32, f32)>>,
    targets: usize,
    params: ComparableParams,
    pairs: Pairs,
) -> Vec<Vec<Ranked>> {
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
    let neighbour = pairs.neighbour;
    let source_knn: Vec<f32> = scored
        .iter()
        .enumerate()
        .map(|(s, l)| {
            knn(&mut l
                .iter()
                .filter(|(t, _)| neighbour(s, *t as usize))
                .map(|(_, sim)| *sim)
                .collect())
        })
        .collect();
    let mut by_target: Vec<Vec<f32>> = extra
        .iter()
        .enumerate()
        .map(|(t, near)| {
            near.iter()
                .filter(|(s, _)| neighbour(*s as usize, t))
                .map(|(_, sim)| *sim)
                .collect()
        })
        .collect();
    by_target.resize(targets, Vec::new());
    for (s, list) in scored.iter().enumerate() {
        for &(t, sim) in list {
            if neighbour(s, t as usize) {
                by_target[t as usize].push(sim);
            }
        }
    }
    let target_knn: Vec<f32> = by_target.iter_mut().map(knn).collect();
    for (s, list) in scored.iter_mut().enumerate() {
        list.retain(|&(t, _)| (pairs.candidate)(s, t as usize));
    }
    scored
        .iter()
        .enumerate()
        .map(|(s, list)| {
            let mut ranked: Vec<Ranked> = list
                .iter()
                .map(|&(t, sim)| {
                    let denominator = (source_knn[s] + target_knn[t as usize]) / 2.0;
                    Ranked {
                        target: t,
                        margin: if denominator > 0.0 {
                            sim / denominator
                        } else {
                            0.0
                        },
                        similarity: sim,
                    }
                })
                .collect();
            ranked.sort_by(|a, b| {
                b.margin
                    .total_cmp(&a.margin)
                    .then(b.similarity.total_cmp(&a.similarity))
                    .then(a.target.cmp(&b.target))
            });
            ranked
        })
        .collect()
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

    /// A distinct made-up word per index, letters only (digits would make it a number).
    fn made_up_word(stem: &str, i: usize) -> String {
        let letters: String = [i / 26, i % 26]
            .iter()
            .map(|&k| (b'a' + k as u8) as char)
            .collect();
        format!("{stem}{letters}")
    }

    /// Counts both sides' words into the vocabulary and fixes its weights.
    fn finish_vocabulary(v: &mut Vocabulary, sources: &[Features], targets: &[Features]) {
        for f in sources.iter().chain(targets) {
            v.count(f.bag.clone());
        }
        v.finish();
    }

    #[test]
    fn sources_kept_out_of_the_candidates_still_count_in_the_margin_neighbourhood() {
        // Source 0's and target 0's close neighbour (source 1 with target 0 at 0.8) may not
        // be shown; counted in the neighbourhood it lowers the margin of the pair shown.
        let scored = vec![vec![(0, 0.5), (1, 0.2)], vec![(0, 0.8)]];
        let extra = vec![Vec::new(), Vec::new()];
        let params = ComparableParams {
            neighbours: 1,
            ..ComparableParams::default()
        };
        let not_source_1 = |s: usize, _t: usize| s != 1;
        let margin_of = |neighbour: &dyn Fn(usize, usize) -> bool| {
            let ranked = rank_by_margin(
                scored.clone(),
                extra.clone(),
                2,
                params,
                Pairs {
                    candidate: &not_source_1,
                    neighbour,
                },
            );
            assert!(ranked[1].is_empty(), "source 1 shows nothing");
            ranked[0][0].margin
        };
        let without = margin_of(&not_source_1);
        let with = margin_of(&|_, _| true);
        // Target 0's nearest: 0.5 (itself) without source 1, 0.8 with it.
        assert!((without - 0.5 / 0.5).abs() < 1e-6, "{without}");
        assert!((with - 0.5 / 0.65).abs() < 1e-6, "{with}");
    }

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
        finish_vocabulary(&mut v, &s, &t);
        let params = ComparableParams {
            threshold: Some(0.0),
            ..ComparableParams::default()
        };
        let got = matches(&s, &t, &v, params, None, &|_, _| true).matches;
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
            .matches
            .is_empty()
        );
    }

    /// A templated corpus: many true pairs that share their content words, sources without
    /// a partner, and one source whose only agreement with a target is a number, a city and
    /// the template ("…Beijing pada hari Rabu, dengan 542 peserta" against "…Beijing on
    /// Monday, with 542 participants").
    fn templated_corpus() -> (Vec<Features>, Vec<Features>, Vocabulary) {
        let w = made_up_word;
        let mut v = Vocabulary::default();
        let mut sources = Vec::new();
        let mut targets = Vec::new();
        let source = |gloss: &str, original: &str, v: &mut Vocabulary| {
            let mut f = Features::of_translation(gloss, v);
            f.add_invariants(original, v);
            f
        };
        for i in 0..80 {
            let n = 100 + i;
            sources.push(source(
                &format!(
                    "minister praise {} {} plan in Beijing on day Wednesday with {n} participant",
                    w("grain", i),
                    w("harvest", i)
                ),
                &format!(
                    "Menteri memuji rencana panen di Beijing pada hari Rabu, dengan {n} peserta"
                ),
                &mut v,
            ));
            targets.push(Features::of_translation(
                &format!(
                    "The minister praised the {} {} plan in Beijing on Monday, with {n} participants.",
                    w("grain", i),
                    w("harvest", i)
                ),
                &mut v,
            ));
        }
        for i in 0..120 {
            let n = 300 + i;
            sources.push(source(
                &format!(
                    "report about {} {} in Jakarta on day Friday with {n} participant",
                    w("cloth", i),
                    w("weave", i)
                ),
                &format!("Laporan kain di Jakarta pada hari Jumat, dengan {n} peserta"),
                &mut v,
            ));
        }
        // The number-only source (index 200) and its look-alike target (index 80).
        sources.push(source(
            "bank criticise bond policy in Beijing on day Wednesday with 542 participant",
            "Bank mengkritik kebijakan obligasi di Beijing pada hari Rabu, dengan 542 peserta",
            &mut v,
        ));
        targets.push(Features::of_translation(
            "The court fined the steel maker in Beijing on Monday, with 542 participants.",
            &mut v,
        ));
        finish_vocabulary(&mut v, &sources, &targets);
        (sources, targets, v)
    }

    #[test]
    fn a_shared_number_and_name_alone_do_not_carry_a_match() {
        let (s, t, v) = templated_corpus();
        let shown = |params: ComparableParams| matches(&s, &t, &v, params, None, &|_, _| true);
        // Every source's best candidate: the number-only pair is there, and it looks good.
        let everything = shown(ComparableParams {
            threshold: Some(0.0),
            ..ComparableParams::default()
        });
        let lookalike = everything
            .matches
            .iter()
            .find(|m| m.source == 200)
            .expect("a candidate for the number-only source");
        assert_eq!(lookalike.target, 80);
        let accepted = shown(ComparableParams::default());
        let same_threshold = accepted
            .report
            .same_threshold
            .expect("some matches accepted");
        assert!(
            f64::from(lookalike.score) >= same_threshold,
            "the look-alike scores {} against the bound {same_threshold}: only its evidence keeps it out",
            lookalike.score
        );
        // Accepted: the true pairs, not the look-alike.
        let right = accepted
            .matches
            .iter()
            .filter(|m| m.tier == Tier::Same && m.source == m.target && m.source < 80)
            .count();
        // Template neighbours crowd every margin here, so not all are; at least half are.
        assert!(right >= 40, "{right} of 80 true pairs accepted as same");
        assert!(
            accepted.matches.iter().all(|m| m.source != 200),
            "{:?}",
            accepted.matches.iter().find(|m| m.source == 200)
        );
        assert!(
            accepted
                .matches
                .iter()
                .all(|m| m.tier != Tier::Same || m.source == m.target),
            "every same match is a true pair"
        );
    }

    #[test]
    fn a_hub_target_is_related_only_to_the_source_it_is_the_best_of() {
        let w = made_up_word;
        let mut v = Vocabulary::default();
        let mut sources = Vec::new();
        let mut targets = Vec::new();
        for i in 0..60 {
            let text = format!(
                "{} {} {} report",
                w("alpha", i),
                w("beta", i),
                w("gamma", i)
            );
            sources.push(Features::of_translation(&text, &mut v));
            targets.push(Features::of_translation(&text, &mut v));
        }
        // The hub (target 60) has twelve topic words; its true source (60) has them all, and
        // 30 sources without a partner have six of them each.
        let hub_words: Vec<String> = (0..12).map(|j| w("topic", j)).collect();
        sources.push(Features::of_translation(&hub_words.join(" "), &mut v));
        targets.push(Features::of_translation(&hub_words.join(" "), &mut v));
        for j in 0..30 {
            let mut words: Vec<String> = (0..6).map(|k| hub_words[(j + k) % 12].clone()).collect();
            words.push(w("noise", j));
            let text = words.join(" ");
            sources.push(Features::of_translation(&text, &mut v));
        }
        finish_vocabulary(&mut v, &sources, &targets);
        let accepted = matches(
            &sources,
            &targets,
            &v,
            ComparableParams::default(),
            None,
            &|_, _| true,
        );
        let on_hub: Vec<usize> = accepted
            .matches
            .iter()
            .filter(|m| m.target == 60)
            .map(|m| m.source)
            .collect();
        assert_eq!(on_hub, [60], "{:?}", accepted.report);
        // Without the rule, sources that share some of its words would be related to it:
        // the hub is their best candidate, similar enough and with a margin the run's
        // estimate accepts.
        let everything = matches(
            &sources,
            &targets,
            &v,
            ComparableParams {
                threshold: Some(0.0),
                ..ComparableParams::default()
            },
            None,
            &|_, _| true,
        );
        let best_on_hub: Vec<&Match> = everything
            .matches
            .iter()
            .filter(|m| m.rank == 1 && m.target == 60 && m.source > 60)
            .collect();
        assert_eq!(best_on_hub.len(), 30);
        // Only the hub rule keeps them out: their similarity and the run's q-value at their
        // score would make them related.
        assert!(
            best_on_hub
                .iter()
                .all(|m| m.similarity >= 0.25 && m.confidence >= 0.75),
            "{best_on_hub:?}"
        );
    }
}
