//! Alignment: pairing source-language sentences (through their translations) with
//! target-language sentences, in parallel mode (monotonic n-to-m beads) or comparable mode
//! (margin-scored claim matching across independent documents).

pub mod comparable;
pub mod eval;
pub mod features;

pub mod output;
pub mod parallel;
pub mod vectors;

use features::{Features, Vocabulary};

/// Features of both sides over one vocabulary (IDF counted over all units).
pub struct Prepared {
    pub vocabulary: Vocabulary,
    pub source: Vec<Features>,
    pub target: Vec<Features>,
}

/// Builds the features: source units from their translation plus the names, numbers and
/// acronyms of their original text; target units from their text.
pub fn prepare(sources: &[(&str, &str)], targets: &[&str]) -> Prepared {
    let mut vocabulary = Vocabulary::default();
    let source: Vec<Features> = sources
        .iter()
        .map(|(original, translation)| {
            let mut f = Features::of_translation(translation, &mut vocabulary);
            f.add_invariants(original, &mut vocabulary);
            f
        })
        .collect();
    let target: Vec<Features> = targets
        .iter()
        .map(|t| Features::of_translation(t, &mut vocabulary))
        .collect();
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
pub mod flags;
