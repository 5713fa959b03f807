//! Independent parallel problems — the articles between boundary lines of `align`, the
//! document pairs of `run` — solved on every core, with their vectors fetched in rounds:
//! every single sentence first, then only the overlaps that the merges of their paths use,
//! until the path takes no overlap that was not embedded (see [`super::overlaps`]).

use super::overlaps;
use super::{Bead, OverlapVectors, ParallelParams};
use crate::align::Prepared;
use crate::align::vectors::{f16, overlap_text, overlap_texts, span_vectors, stand_ins};
use crate::embed::Vectors;
use crate::error::Result;

/// One problem: the texts of its two sides (what is embedded) and their features.
pub struct Problem<'a> {
    pub source_texts: Vec<&'a str>,
    pub target_texts: Vec<&'a str>,
    pub prepared: Prepared,
}

impl Problem<'_> {
    fn sentences(&self) -> usize {
        self.source_texts.len() + self.target_texts.len()
    }
}

/// Which overlaps are embedded (`align.embed_overlaps`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverlapChoice {
    /// The sentences, then only the overlaps that the merges of paths use.
    NearPath,
    /// Every overlap of up to `align.overlap` sentences, up front (as Vecalign and
    /// Bertalign do).
    All,
}

/// How the problems are solved: the parameters without and with vectors, the overlap size
/// and which overlaps are embedded.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub lexical: ParallelParams,
    pub embedded: ParallelParams,
    pub overlap: usize,
    pub choice: OverlapChoice,
}

impl Settings {
    /// The settings `[align]` gives.
    pub fn of(raw: &crate::config::RawAlign) -> Self {
        Settings {
            lexical: ParallelParams::from_config(raw, false),
            embedded: ParallelParams::from_config(raw, true),
            overlap: raw.overlap_size(),
            choice: if raw.embed_overlaps == "all" {
                OverlapChoice::All
            } else {
                OverlapChoice::NearPath
            },
        }
    }
}

/// What splits a text into articles: a line equal to `align.marker` (trimmed), or one that
/// `align.boundary` matches.
pub struct Boundaries {
    marker: String,
    pattern: Option<regex::Regex>,
}

impl Boundaries {
    /// The boundaries `[align]` sets (the pattern was checked when the configuration was
    /// loaded).
    pub fn of(raw: &crate::config::RawAlign) -> Self {
        Boundaries {
            marker: raw.marker.clone(),
            pattern: raw
                .boundary
                .as_deref()
                .and_then(|p| regex::Regex::new(p).ok()),
        }
    }

    pub fn is_boundary(&self, line: &str) -> bool {
        line.trim() == self.marker || self.pattern.as_ref().is_some_and(|p| p.is_match(line))
    }

    /// The boundaries in words, for messages.
    pub fn describe(&self) -> String {
        match &self.pattern {
            Some(p) => format!(
                "\"{}\" lines or lines matching /{}/",
                self.marker,
                p.as_str()
            ),
            None => format!("\"{}\" lines", self.marker),
        }
    }
}

/// What a bead with a stand-in overlap gains while planning (in rescaled cosine): stand-ins
/// are estimates, and merges they nearly win are worth embedding. Bleualign dev (eval1957)
/// and the Bible en-zh dev text; see docs/src/alignment.md.
const STAND_IN_BONUS: f32 = 0.05;

/// Most planning rounds after the first (they usually stop after 2 to 4).
const MAX_ROUNDS: usize = 8;

/// What the embedder was asked for, for the summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmbeddingWork {
    /// Distinct texts asked for (cache hits included): sentences and overlaps.
    pub embedded_texts: usize,
    /// Of them, overlaps of 2 or more sentences.
    pub overlaps: usize,
    /// Sentences of all problems (both sides).
    pub sentences: usize,
}

impl EmbeddingWork {
    /// Texts asked for per input sentence.
    pub fn texts_per_sentence(&self) -> f64 {
        if self.sentences == 0 {
            0.0
        } else {
            self.embedded_texts as f64 / self.sentences as f64
        }
    }
}

/// Vectors of the distinct texts given, with the step's name for the progress bar; `None`
/// when not one text got a vector.
pub type Embed<'e> = dyn FnMut(Vec<String>, &str) -> Result<Option<Vectors>> + 'e;

/// The vectors the problems need, through `embed`: every single sentence, then the
/// overlaps that the first paths plan (or every overlap up front, as `settings.choice`
/// says); `None` when not one text got a vector. Also what was asked.
pub fn fetch_vectors(
    problems: &[Problem],
    settings: Settings,
    embed: &mut Embed,
) -> Result<(Option<Vectors>, EmbeddingWork)> {
    let mut work = EmbeddingWork {
        sentences: problems.iter().map(Problem::sentences).sum(),
        ..EmbeddingWork::default()
    };
    let first_size = match settings.choice {
        OverlapChoice::All => settings.overlap,
        OverlapChoice::NearPath => 1,
    };
    let first_texts = first_round(problems, first_size);
    work.embedded_texts = first_texts.len();
    work.overlaps = first_texts.len().saturating_sub(work.sentences);
    let Some(mut vectors) = embed(first_texts, "embed sentences")? else {
        return Ok((None, work));
    };
    if settings.choice == OverlapChoice::All || settings.overlap < 2 {
        return Ok((Some(vectors), work));
    }
    // The overlaps the merges of the paths use: first those of the path from words alone
    // and of the path with stand-ins, then again for the path with what was embedded, until
    // it takes no overlap that was not embedded.
    let mut lexical = Some(solve(problems, settings, None, true));
    // Asked once only: an overlap that got no vector is not asked for again.
    let mut asked: std::collections::HashSet<String> = std::collections::HashSet::new();
    // The problems whose path took an overlap that was not embedded: only they are solved
    // again.
    let mut active: Vec<usize> = (0..problems.len()).collect();
    for _ in 0..MAX_ROUNDS {
        let subset: Vec<&Problem> = active.iter().map(|&k| &problems[k]).collect();
        let paths = solve_all(&subset, settings, Some(&vectors), STAND_IN_BONUS, true);
        let also = lexical.take().unwrap_or_default();
        let mut planned = Vec::new();
        let mut still_active = Vec::new();
        for (&k, path) in active.iter().zip(&paths) {
            let p = &problems[k];
            let plan = overlaps::plan(
                path.iter().chain(also.get(k).into_iter().flatten()),
                settings.overlap,
            );
            let text = |side: &[&str], r: &std::ops::Range<usize>| overlap_text(&side[r.clone()]);
            let missing: Vec<String> = plan
                .source
                .iter()
                .map(|r| text(&p.source_texts, r))
                .chain(plan.target.iter().map(|r| text(&p.target_texts, r)))
                .filter(|t| vectors.get(t).is_none())
                .collect();
            if !missing.is_empty() {
                still_active.push(k);
            }
            planned.extend(missing);
        }
        active = still_active;
        let planned: Vec<String> = distinct(planned)
            .into_iter()
            .filter(|t| asked.insert(t.clone()))
            .collect();
        if planned.is_empty() {
            break;
        }
        work.overlaps += planned.len();
        work.embedded_texts += planned.len();
        match embed(planned, "embed overlaps")? {
            Some(more) => vectors.absorb(more),
            // Nothing more could be embedded: the stand-ins remain.
            None => break,
        }
    }
    Ok((Some(vectors), work))
}

/// The distinct texts of the first round: every overlap of up to `size` sentences (1:
/// the sentences alone) of both sides of every problem.
pub fn first_round(problems: &[Problem], size: usize) -> Vec<String> {
    distinct(
        problems
            .iter()
            .flat_map(|p| [&p.source_texts, &p.target_texts])
            .flat_map(|side| overlap_texts(side, size))
            .collect(),
    )
}

/// Sorted distinct texts.
fn distinct(mut texts: Vec<String>) -> Vec<String> {
    texts.sort_unstable();
    texts.dedup();
    texts
}

/// The beads of every problem, in order, aligned on every core (with a progress bar over
/// sentences). With `vectors`, an overlap that was not embedded stands in as the mean of
/// its sentences' vectors.
pub fn solve(
    problems: &[Problem],
    settings: Settings,
    vectors: Option<&Vectors>,
    quiet: bool,
) -> Vec<Vec<Bead>> {
    let all: Vec<&Problem> = problems.iter().collect();
    solve_all(&all, settings, vectors, 0.0, quiet)
}

/// [`solve`] of some problems; a bead with a stand-in overlap gains `bonus` (planning).
fn solve_all(
    problems: &[&Problem],
    settings: Settings,
    vectors: Option<&Vectors>,
    bonus: f32,
    quiet: bool,
) -> Vec<Vec<Bead>> {
    let bar = crate::progress::bar(
        problems.iter().map(|p| p.sentences()).sum::<usize>() as u64,
        "align",
        quiet,
    );
    let params = if vectors.is_some() {
        settings.embedded
    } else {
        settings.lexical
    };
    let overlap = settings.overlap;
    let beads = crate::align::each_on_every_core(problems, |p| {
        let spans = vectors.map(|vectors| {
            [&p.source_texts, &p.target_texts].map(|texts| {
                let embedded = span_vectors(texts, overlap, vectors);
                let means = stand_ins(&embedded);
                (embedded, means)
            })
        });
        let views = spans.as_ref().map(|sides| {
            sides
                .each_ref()
                .map(|(embedded, means)| with_stand_ins(embedded, means))
        });
        let overlap_vectors = views.as_ref().map(
            |[(source, source_flags), (target, target_flags)]| OverlapVectors {
                source,
                target,
                stand_ins: Some(super::StandIns {
                    source: source_flags,
                    target: target_flags,
                    bonus,
                }),
            },
        );
        let beads = super::align(
            &p.prepared.source,
            &p.prepared.target,
            &p.prepared.vocabulary,
            params,
            overlap_vectors,
        );
        bar.inc(p.sentences() as u64);
        beads
    });
    bar.finish_and_clear();
    beads
}

/// For every sentence of a side, the vectors of the overlaps starting at it.
type SpanVectors<'v> = Vec<Vec<Option<&'v [f16]>>>;

/// The overlap vectors of a side with the stand-ins filled in where there is no embedded
/// one, and for each whether it stands in.
fn with_stand_ins<'v>(
    embedded: &[Vec<Option<&'v [f16]>>],
    means: &'v [Vec<Option<Vec<f16>>>],
) -> (SpanVectors<'v>, Vec<Vec<bool>>) {
    embedded
        .iter()
        .zip(means)
        .map(|(row, mean_row)| {
            row.iter()
                .zip(mean_row)
                .map(|(vector, mean)| match vector {
                    Some(v) => (Some(*v), false),
                    None => (mean.as_deref(), true),
                })
                .unzip()
        })
        .unzip()
}
