//! The dynamic programme over beads inside the band, and the back-trace of the cheapest
//! path into beads.

use std::ops::Range;

use super::costs::{Scorer, runs_ending_at};
use super::model::Bead;
use crate::align::features::RunSketch;

/// Bead shapes allowed by `max_bead`, null beads first: they cost nothing to score, and the
/// bound they set spares most other beads their scoring (and their boundary leak).
pub(super) fn shapes(max_bead: usize) -> Vec<(usize, usize)> {
    let mut s = vec![(1, 0), (0, 1), (1, 1)];
    for n in 1..=max_bead {
        for m in 1..=max_bead {
            if n + m <= max_bead && (n, m) != (1, 1) {
                s.push((n, m));
            }
        }
    }
    s
}

pub(super) fn dynamic_programme(scorer: &Scorer, ranges: &[Range<usize>]) -> Vec<Bead> {
    let (n, m) = (scorer.source.len(), scorer.target.len());
    let shapes = shapes(scorer.params.max_bead);
    // back[offsets[i] + j - ranges[i].start] = shape index + 1 (0 = none), for every cell;
    // costs only for the rows a bead can reach back to (a ring of max_bead + 1 rows).
    let offsets: Vec<usize> = std::iter::once(0)
        .chain(ranges.iter().scan(0, |total, r| {
            *total += r.len();
            Some(*total)
        }))
        .collect();
    let mut back = vec![0u8; offsets[n + 1]];
    let ring = scorer.params.max_bead + 1;
    let mut cost: Vec<Vec<f32>> = vec![Vec::new(); ring];
    let max_run = scorer.params.max_bead;
    // Target runs of the cells of the current row; the band only moves right, so the runs
    // of a column are computed once and dropped when the band has passed it.
    let mut target_runs: std::collections::VecDeque<Vec<RunSketch>> = Default::default();
    let mut first_column = 0;
    for i in 0..=n {
        let source_runs = runs_ending_at(scorer.source, i, max_run);
        let row = ranges[i].clone();
        cost[i % ring].clear();
        cost[i % ring].resize(row.len(), f32::INFINITY);
        if i == 0 && row.start == 0 {
            cost[0][0] = 0.0;
        }
        while first_column < row.start && !target_runs.is_empty() {
            target_runs.pop_front();
            first_column += 1;
        }
        if target_runs.is_empty() {
            first_column = row.start;
        }
        while first_column + target_runs.len() < row.end {
            let column = first_column + target_runs.len();
            target_runs.push_back(runs_ending_at(scorer.target, column, max_run));
        }
        for j in row {
            if i == 0 && j == 0 {
                continue;
            }
            let target_runs = &target_runs[j - first_column];
            let mut best = f32::INFINITY;
            let mut best_shape = 0u8;
            for (k, &(a, b)) in shapes.iter().enumerate() {
                if a > i || b > j {
                    continue;
                }
                let (pi, pj) = (i - a, j - b);
                if !ranges[pi].contains(&pj) {
                    continue;
                }
                let previous = cost[pi % ring][pj - ranges[pi].start];
                if !previous.is_finite() {
                    continue;
                }
                if a == 0 || b == 0 {
                    let c = scorer.null_cost(pi, a, pj);
                    if previous + c < best {
                        best = previous + c;
                        best_shape = k as u8 + 1;
                    }
                    continue;
                }
                // The bead's fixed penalty alone rules most shapes out before any scoring.
                if previous + scorer.penalty(a, b) >= best {
                    continue;
                }
                let totals = scorer.totals(pi, a, pj, b);
                if previous + scorer.lower_bound(a, b, &totals) >= best {
                    continue;
                }
                let runs = Some((source_runs.as_slice(), target_runs.as_slice()));
                let (c, _) = scorer.cost(pi, a, pj, b, runs, &totals);
                if previous + c >= best {
                    continue;
                }
                let c = c + scorer.leak_cost(pi, a, pj, b, &totals);
                if previous + c < best {
                    best = previous + c;
                    best_shape = k as u8 + 1;
                }
            }
            let at = j - ranges[i].start;
            cost[i % ring][at] = best;
            back[offsets[i] + at] = best_shape;
        }
    }
    let mut beads = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        let shape = back[offsets[i] + j - ranges[i].start];
        assert!(shape > 0, "the band always connects the corners");
        let (a, b) = shapes[shape as usize - 1];
        // Scores are recomputed for the beads of the path rather than kept for every cell.
        let score = if a == 0 || b == 0 {
            0.0
        } else {
            let totals = scorer.totals(i - a, a, j - b, b);
            scorer.cost(i - a, a, j - b, b, None, &totals).1
        };
        beads.push(Bead {
            source: i - a..i,
            target: j - b..j,
            score,
        });
        i -= a;
        j -= b;
    }
    beads.reverse();
    beads
}
