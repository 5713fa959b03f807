//! Decoy targets for comparable mode: sentences shaped like the run's target sentences that
//! cannot be the true match of any source (as reversed sequences are in shotgun proteomics'
//! target–decoy search). Every source is searched against them with the same similarity and
//! margin as against the real targets; how often a decoy beats the real targets at a score
//! estimates how many real matches at that score are false (see [`super::acceptance`]).
//!
//! A decoy keeps a real target's shape and loses its meaning:
//! - its words are replaced through a fixed random permutation of the vocabulary within
//!   groups of words of about the same frequency, so common words stay common (and frequent
//!   function words mostly stay themselves), lengths and IDF profiles are unchanged, but no
//!   content word means what it meant; character trigrams are permuted the same way;
//! - its vector is that of another source sentence, moved into the targets' region of the
//!   space ([`DecoyVectors`]): synthetic vectors (a target mirrored through the centre, or
//!   its coordinates permuted) lack the topical closeness of real unrelated sentences and
//!   made the estimate far too optimistic on the development data.

use std::collections::HashMap;

use half::f16;

use super::features::{Features, Slots, Vocabulary};
use super::vectors::{self, Side};

/// Words (or trigrams) of about the same frequency permuted among each other.
const GROUP: usize = 16;

/// Sentences on either side of a source whose vectors are no decoys for it.
const NEIGHBOURHOOD: usize = 10;

/// Fixed seed: a run's decoys, and so its acceptance, are reproducible.
const SEED: u64 = 0xdec0_75ee_d000_0001;

/// A permutation of `items` (ids with their frequencies) within groups of [`GROUP`] of
/// neighbouring frequency.
fn frequency_preserving_permutation(mut items: Vec<(u32, u32)>) -> HashMap<u32, u32> {
    // Sorted by frequency, ties by a hash of the id (not by id: ids follow input order).
    items.sort_by_key(|&(id, df)| (df, id.wrapping_mul(2_654_435_761)));
    let mut rng = fastrand::Rng::with_seed(SEED);
    let mut map = HashMap::with_capacity(items.len());
    for group in items.chunks(GROUP) {
        let mut shuffled: Vec<u32> = group.iter().map(|&(id, _)| id).collect();
        rng.shuffle(&mut shuffled);
        for (&(from, _), to) in group.iter().zip(shuffled) {
            map.insert(from, to);
        }
    }
    map
}

/// The decoys of the target sentences' features, in target order. `sources` count in the
/// trigram frequencies (the decoys' trigrams must meet the sources' as often as real ones).
pub fn decoy_features(
    sources: &[Features],
    targets: &[Features],
    vocabulary: &Vocabulary,
) -> Vec<Features> {
    let words: Vec<(u32, u32)> = (0..vocabulary.len() as u32)
        .map(|id| (id, vocabulary.df(id)))
        .collect();
    let word_map = frequency_preserving_permutation(words);
    let mut trigram_df: HashMap<u32, u32> = HashMap::new();
    for f in sources.iter().chain(targets) {
        for &t in &f.trigrams {
            *trigram_df.entry(t).or_default() += 1;
        }
    }
    let trigram_map = frequency_preserving_permutation(trigram_df.into_iter().collect());
    targets
        .iter()
        .map(|f| {
            let mut slots = Slots::with_capacity(f.slots.ids().len(), f.slots.len());
            for slot in f.slots.iter() {
                slots.push(
                    slot.iter()
                        .map(|id| word_map.get(id).copied().unwrap_or(*id)),
                );
            }
            let mut trigrams: Vec<u32> = f
                .trigrams
                .iter()
                .map(|t| trigram_map.get(t).copied().unwrap_or(*t))
                .collect();
            trigrams.sort_unstable();
            trigrams.dedup();
            Features::from_parts(slots, trigrams, f.chars, f.invariant_slots.clone())
        })
        .collect()
}

/// A vector scaled to length 1 (`None` for the zero vector).
fn unit(values: impl Iterator<Item = f32>) -> Option<Vec<f16>> {
    let v: Vec<f32> = values.collect();
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    (norm > 0.0).then(|| v.iter().map(|x| f16::from_f32(x / norm)).collect())
}

/// Vectors for the decoys: one per target, each the vector of a source sentence drawn at
/// random (a fixed seed), moved from the sources' region of the space into the targets'
/// (`v − centre(sources) + centre(targets)`, normalised). They are real sentences with the
/// corpus's own topics and spread — a little closer to the sources than unrelated targets
/// are, so the estimate errs on the safe side — and `origin` says which source each came
/// from: a source is never searched against its own vector.
pub struct DecoyVectors {
    pub rows: Vec<Option<Vec<f16>>>,
    pub origin: Vec<Option<usize>>,
}

impl DecoyVectors {
    pub fn of(sources: &Side, targets: &Side) -> DecoyVectors {
        let with_vectors: Vec<usize> = (0..sources.len())
            .filter(|&s| sources[s].is_some())
            .collect();
        let (Some(source_centre), Some(target_centre)) =
            (vectors::centroid(sources), vectors::centroid(targets))
        else {
            return DecoyVectors {
                rows: targets.iter().map(|_| None).collect(),
                origin: targets.iter().map(|_| None).collect(),
            };
        };
        let shift: Vec<f32> = source_centre
            .iter()
            .zip(&target_centre)
            .map(|(s, t)| t.to_f32() - s.to_f32())
            .collect();
        let mut rng = fastrand::Rng::with_seed(SEED);
        let mut rows = Vec::with_capacity(targets.len());
        let mut origin = Vec::with_capacity(targets.len());
        for target in targets.iter() {
            let Some(_) = target else {
                rows.push(None);
                origin.push(None);
                continue;
            };
            if with_vectors.is_empty() {
                rows.push(None);
                origin.push(None);
                continue;
            }
            let s = with_vectors[rng.usize(..with_vectors.len())];
            let moved = sources[s]
                .into_iter()
                .flatten()
                .zip(&shift)
                .map(|(x, d)| x.to_f32() + d);
            rows.push(unit(moved));
            origin.push(Some(s));
        }
        DecoyVectors { rows, origin }
    }

    /// True when decoy `j` is source `s` itself or a copy of it (the same vector).
    pub fn is_copy_of(&self, sources: &Side, s: usize, j: usize) -> bool {
        match self.origin[j] {
            None => false,
            Some(o) if o == s => true,
            Some(o) => match (sources[o], sources[s]) {
                (Some(a), Some(b)) => vectors::dot(a, b) >= 0.999,
                _ => false,
            },
        }
    }

    /// False when decoy `j` is source `s` itself, a copy of it (the same vector) or one of
    /// the sentences around it (sources are in document order: neighbours share the
    /// passage's topic and would be closer to it than any unrelated target).
    pub fn may_compete(&self, sources: &Side, s: usize, j: usize) -> bool {
        let near = self.origin[j].is_some_and(|o| o.abs_diff(s) <= NEIGHBOURHOOD);
        !near && !self.is_copy_of(sources, s, j)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decoy_keeps_the_shape_of_its_target_but_not_its_words() {
        let mut v = Vocabulary::default();
        let texts = [
            "the ministry rejected the accusation against the company",
            "the company denied the accusation",
            "fishing quotas were cut by half",
        ];
        let targets: Vec<Features> = texts
            .iter()
            .map(|t| Features::of_translation(t, &mut v))
            .collect();
        for _ in 0..40 {
            // Enough other words for every frequency group to have several members.
            let filler: Vec<String> = (0..20).map(|k| format!("w{k}x{}", v.len())).collect();
            let f = Features::of_translation(&filler.join(" "), &mut v);
            v.count(f.bag.clone());
        }
        for f in &targets {
            v.count(f.bag.clone());
        }
        v.finish();
        let decoys = decoy_features(&[], &targets, &v);
        assert_eq!(decoys.len(), targets.len());
        for (d, t) in decoys.iter().zip(&targets) {
            assert_eq!(d.slots.len(), t.slots.len(), "same number of words");
            assert_eq!(d.chars, t.chars);
            let kept = t.bag.iter().filter(|id| d.contains(**id)).count();
            assert!(kept < t.bag.len(), "{kept} of {} words kept", t.bag.len());
        }
        // Reproducible.
        let again = decoy_features(&[], &targets, &v);
        assert!(decoys.iter().zip(&again).all(|(a, b)| a.bag == b.bag));
    }

    #[test]
    fn decoy_vectors_come_from_other_sources_moved_to_the_target_side() {
        let unit = |r: [f32; 3]| -> Vec<f16> {
            let n = r.iter().map(|x| x * x).sum::<f32>().sqrt();
            r.iter().map(|x| f16::from_f32(x / n)).collect()
        };
        let sources = [unit([1.0, 0.0, 0.2]), unit([0.0, 1.0, 0.2])];
        let targets = [
            unit([1.0, 0.0, -0.2]),
            unit([0.0, 1.0, -0.2]),
            unit([1.0, 1.0, -0.2]),
        ];
        let s: Vec<Option<&[f16]>> = sources.iter().map(|v| Some(v.as_slice())).collect();
        let t: Vec<Option<&[f16]>> = targets.iter().map(|v| Some(v.as_slice())).collect();
        let decoys = DecoyVectors::of(&s, &t);
        assert_eq!(decoys.rows.len(), 3);
        for (j, row) in decoys.rows.iter().enumerate() {
            let row = row.as_ref().expect("a decoy vector");
            let o = decoys.origin[j].expect("an origin");
            // Moved to the targets' side: the third component turned negative.
            assert!(row[2].to_f32() < 0.0, "{row:?}");
            assert!(
                !decoys.may_compete(&s, o, j),
                "never against its own source"
            );
            // Both sources are neighbours here: no decoy competes with the other either.
            assert!(!decoys.may_compete(&s, 1 - o, j));
        }
    }
}
