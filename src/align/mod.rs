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

/// `f` of every item, in order, on every core (in chunks: many small items).
fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 1_000 {
        return items.iter().map(&f).collect();
    }
    let chunks: Vec<&[T]> = items.chunks(items.len().div_ceil(threads)).collect();
    each_on_every_core(&chunks, |part| part.iter().map(&f).collect::<Vec<R>>())
        .into_iter()
        .flatten()
        .collect()
}

/// `f` of every item, in order, on every core: each thread takes the next item not yet
/// taken, so that items of unequal size (articles, document pairs) keep every core busy.
pub fn each_on_every_core<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads < 2 {
        return items.iter().map(&f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(k) else { break };
                        out.push((k, f(item)));
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a worker thread panicked"))
            .collect()
    });
    done.sort_unstable_by_key(|(k, _)| *k);
    done.into_iter().map(|(_, r)| r).collect()
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
