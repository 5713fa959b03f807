//! Alignment: pairing source-language sentences (through their translations) with
//! target-language sentences, in parallel mode (monotonic n-to-m beads) or comparable mode
//! (margin-scored claim matching across independent documents).

pub mod acceptance;
pub mod calibration;
pub mod comparable;
pub mod decoys;
pub mod eval;
pub mod features;

pub mod output;
pub mod parallel;
pub mod vectors;

use features::{Features, Tokens, Vocabulary};

/// Sentences tokenised at once (their stems as strings are held only this long).
const TOKEN_CHUNK: usize = 8_192;

/// `f` of every item, in order, on every core.
fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 1_000 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|h| h.join().expect("a tokenising thread panicked"))
            .collect()
    })
}

/// Features of both sides over one vocabulary (IDF counted over all units).
pub struct Prepared {
    pub vocabulary: Vocabulary,
    pub source: Vec<Features>,
    pub target: Vec<Features>,
}

/// Builds the features: source units from their translation plus the names, numbers and
/// acronyms of their original text; target units from their text.
/// Tokenisation (the costly part) runs on every core; ids are then given in input order, so
/// the features do not depend on the number of threads.
pub fn prepare(sources: &[(&str, &str)], targets: &[&str]) -> Prepared {
    let mut vocabulary = Vocabulary::default();
    let mut source = Vec::with_capacity(sources.len());
    for chunk in sources.chunks(TOKEN_CHUNK) {
        let tokens = in_parallel(chunk, |(original, translation)| {
            Tokens::of_translation(translation, Some(original))
        });
        source.extend(
            tokens
                .into_iter()
                .map(|t| Features::of_tokens(t, &mut vocabulary)),
        );
    }
    let mut target = Vec::with_capacity(targets.len());
    for chunk in targets.chunks(TOKEN_CHUNK) {
        let tokens = in_parallel(chunk, |t| Tokens::of_translation(t, None));
        target.extend(
            tokens
                .into_iter()
                .map(|t| Features::of_tokens(t, &mut vocabulary)),
        );
    }
    for f in source.iter().chain(&target) {
        vocabulary.count(f.bag.iter().copied());
    }
    vocabulary.finish();
    Prepared {
        vocabulary,
        source,
        target,
    }
}
pub mod corpus;
