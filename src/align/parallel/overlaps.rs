//! Overlap planning: which runs of 2 or more consecutive sentences are worth embedding.
//! Paths are found with what is known — words alone, and single-sentence vectors where an
//! overlap not embedded stands in as the mean of its sentences' vectors (a little
//! optimistic, so that a merge that might win is tried) — and only the overlaps of their
//! beads that are not one-to-one are embedded; then again, until the path takes no overlap
//! that was not embedded.

use std::ops::Range;

use super::model::Bead;

/// The overlaps to embed, as sentence ranges of each side (every range has 2 or more
/// sentences, at most the overlap size), sorted and distinct.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OverlapPlan {
    pub source: Vec<Range<usize>>,
    pub target: Vec<Range<usize>>,
}

/// The overlaps of up to `overlap` sentences that the beads of `paths` cover on a side of
/// more than one sentence.
pub fn plan<'p>(paths: impl IntoIterator<Item = &'p Bead>, overlap: usize) -> OverlapPlan {
    let mut plan = OverlapPlan::default();
    let fits = |r: &Range<usize>| (2..=overlap).contains(&r.len());
    for bead in paths {
        if fits(&bead.source) {
            plan.source.push(bead.source.clone());
        }
        if fits(&bead.target) {
            plan.target.push(bead.target.clone());
        }
    }
    for side in [&mut plan.source, &mut plan.target] {
        side.sort_by_key(|r| (r.start, r.end));
        side.dedup();
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bead(source: Range<usize>, target: Range<usize>) -> Bead {
        Bead {
            source,
            target,
            score: 0.5,
        }
    }

    #[test]
    fn the_overlaps_of_the_beads_that_merge_are_planned_once() {
        let lexical = [
            bead(0..1, 0..1),
            bead(1..2, 1..3),
            bead(2..4, 3..5),
            bead(4..5, 5..5),
            bead(5..11, 5..6),
        ];
        let with_vectors = [bead(0..1, 0..1), bead(1..2, 1..3), bead(2..3, 3..4)];
        let planned = plan(lexical.iter().chain(&with_vectors), 5);
        // 1-2 once, 2-2 on both sides; a null bead and a side longer than 5 plan nothing.
        assert_eq!(planned.source, vec![2..4]);
        assert_eq!(planned.target, vec![1..3, 3..5]);
        assert_eq!(plan(&with_vectors[..1], 5), OverlapPlan::default());
    }
}
