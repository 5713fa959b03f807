//! `transalign eval`: alignment quality against a gold standard (strict and lax precision,
//! recall and F1, the convention of published aligner results) and retrieval P@1.

use std::collections::BTreeSet;

use serde::Serialize;

/// A bead as two id sets.
pub type IdBead = (BTreeSet<usize>, BTreeSet<usize>);

/// Precision, recall and F1.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

fn prf(correct_predicted: usize, predicted: usize, found_gold: usize, gold: usize) -> Prf {
    let precision = if predicted == 0 {
        0.0
    } else {
        correct_predicted as f64 / predicted as f64
    };
    let recall = if gold == 0 {
        0.0
    } else {
        found_gold as f64 / gold as f64
    };
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    Prf {
        precision,
        recall,
        f1,
    }
}

/// Strict and lax scores: precision over all predicted beads, recall over gold beads with
/// both sides non-empty. Strict = identical id sets; lax = a shared id on each side (a null
/// bead is lax-correct only when identical).
pub fn score_alignment(gold: &[IdBead], predicted: &[IdBead]) -> (Prf, Prf) {
    let full_gold: Vec<&IdBead> = gold
        .iter()
        .filter(|(s, t)| !s.is_empty() && !t.is_empty())
        .collect();
    let overlaps = |a: &IdBead, b: &IdBead| {
        if a.0.is_empty() || a.1.is_empty() || b.0.is_empty() || b.1.is_empty() {
            a == b
        } else {
            !a.0.is_disjoint(&b.0) && !a.1.is_disjoint(&b.1)
        }
    };
    let strict_p = predicted.iter().filter(|p| gold.contains(p)).count();
    let strict_r = full_gold.iter().filter(|g| predicted.contains(g)).count();
    let lax_p = predicted
        .iter()
        .filter(|p| gold.iter().any(|g| overlaps(p, g)))
        .count();
    let lax_r = full_gold
        .iter()
        .filter(|g| predicted.iter().any(|p| overlaps(p, g)))
        .count();
    (
        prf(strict_p, predicted.len(), strict_r, full_gold.len()),
        prf(lax_p, predicted.len(), lax_r, full_gold.len()),
    )
}

/// Merges consecutive predicted beads that fall inside one group (a verse: gold that is
/// only defined per verse, the Bible dev text): `source_groups[i]` is the group label of
/// source line i (likewise `target_groups`). A bead joins the one before it when one of its
/// lines has a label of that bead's lines on the same side. Beads are taken in the order
/// given (the order of `aligned.jsonl`); lines without a label are in no group.
pub fn merge_within_groups(
    predicted: &[IdBead],
    source_groups: &[String],
    target_groups: &[String],
) -> Vec<IdBead> {
    let labels = |ids: &BTreeSet<usize>, groups: &[String]| -> BTreeSet<String> {
        ids.iter().filter_map(|&i| groups.get(i).cloned()).collect()
    };
    let mut merged: Vec<(IdBead, BTreeSet<String>, BTreeSet<String>)> = Vec::new();
    for bead in predicted {
        let (source, target) = (
            labels(&bead.0, source_groups),
            labels(&bead.1, target_groups),
        );
        match merged.last_mut() {
            Some((last, last_source, last_target))
                if !source.is_disjoint(last_source) || !target.is_disjoint(last_target) =>
            {
                last.0.extend(bead.0.iter().copied());
                last.1.extend(bead.1.iter().copied());
                last_source.extend(source);
                last_target.extend(target);
            }
            _ => merged.push((bead.clone(), source, target)),
        }
    }
    merged.into_iter().map(|(bead, _, _)| bead).collect()
}

/// A claim-level gold (`tests/data/seed-claims.gold.tsv`): for every judged source sentence
/// (document, text), its judged targets (document, text) with their tier (`same` or
/// `related`; `none` rows name sentences without a counterpart and add no target).
#[derive(Debug, Default)]
pub struct ClaimGold {
    judged: std::collections::HashMap<
        (String, String),
        std::collections::HashMap<(String, String), String>,
    >,
}

/// Reads a claim gold: `TIER<TAB>SRC_DOC<TAB>SRC_IDX<TAB>SRC_TEXT<TAB>TGT_DOC<TAB>TGT_IDX<TAB>TGT_TEXT`
/// per line, `#` comments and a `tier` header line skipped. Pairs are matched by document
/// and text, so that changed sentence indices do not matter.
pub fn read_claim_gold(text: &str, origin: &str) -> Result<ClaimGold, String> {
    let mut gold = ClaimGold::default();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.starts_with("tier\t") || line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [tier, src_doc, _, src_text, tgt_doc, _, tgt_text] = fields[..] else {
            return Err(format!(
                "{origin}:{}: expected 7 tab-separated fields (tier, src_doc, src_idx, src_text, tgt_doc, tgt_idx, tgt_text), got {}",
                n + 1,
                fields.len()
            ));
        };
        if !["same", "related", "none"].contains(&tier) {
            return Err(format!(
                "{origin}:{}: tier \"{tier}\": expected same, related or none",
                n + 1
            ));
        }
        let targets = gold
            .judged
            .entry((src_doc.to_string(), src_text.to_string()))
            .or_default();
        if tier != "none" {
            targets.insert(
                (tgt_doc.to_string(), tgt_text.to_string()),
                tier.to_string(),
            );
        }
    }
    Ok(gold)
}

/// Records shown and right, precision (right / shown) and recall (gold sources with a right
/// record / gold sources of the accepted tiers).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClaimScore {
    pub shown: usize,
    pub right: usize,
    pub precision: f64,
    pub recall: f64,
}

/// Scores the records of `predicted` tiers against the gold pairs of `accepted` tiers.
pub fn score_claims(
    records: &[super::output::Alignment],
    gold: &ClaimGold,
    predicted: &[&str],
    accepted: &[&str],
) -> ClaimScore {
    let shown: Vec<&super::output::Alignment> = records
        .iter()
        .filter(|r| r.tier.as_deref().is_some_and(|t| predicted.contains(&t)))
        .collect();
    let tier_of = |r: &super::output::Alignment| {
        gold.judged
            .get(&(r.src_doc.clone(), r.src_text.clone()))
            .and_then(|targets| targets.get(&(r.tgt_doc.clone(), r.tgt_text.clone())))
    };
    let right: Vec<&&super::output::Alignment> = shown
        .iter()
        .filter(|r| tier_of(r).is_some_and(|t| accepted.contains(&t.as_str())))
        .collect();
    let sources = gold
        .judged
        .values()
        .filter(|targets| targets.values().any(|t| accepted.contains(&t.as_str())))
        .count();
    let found: std::collections::HashSet<(&str, &str)> = right
        .iter()
        .map(|r| (r.src_doc.as_str(), r.src_text.as_str()))
        .collect();
    ClaimScore {
        shown: shown.len(),
        right: right.len(),
        precision: if shown.is_empty() {
            0.0
        } else {
            right.len() as f64 / shown.len() as f64
        },
        recall: if sources == 0 {
            0.0
        } else {
            found.len() as f64 / sources as f64
        },
    }
}

/// Spearman's rank correlation of `a` and `b` (ties get their average rank); 0 when either
/// is constant.
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    fn ranks(values: &[f64]) -> Vec<f64> {
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
        let mut ranks = vec![0.0; values.len()];
        let mut start = 0;
        while start < order.len() {
            let mut end = start + 1;
            while end < order.len() && values[order[end]] == values[order[start]] {
                end += 1;
            }
            let average = (start + end - 1) as f64 / 2.0 + 1.0;
            for &i in &order[start..end] {
                ranks[i] = average;
            }
            start = end;
        }
        ranks
    }
    let (ra, rb) = (ranks(a), ranks(b));
    let n = ra.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = ra.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = rb.iter().map(|y| (y - mb).powi(2)).sum();
    if va == 0.0 || vb == 0.0 {
        0.0
    } else {
        cov / (va * vb).sqrt()
    }
}

/// Reads a gold file: `SRC_IDS<TAB>TGT_IDS` per line, comma-separated ids, a side may be empty.
pub fn read_gold(text: &str, origin: &str) -> Result<Vec<IdBead>, String> {
    let side = |s: &str, n: usize| -> Result<BTreeSet<usize>, String> {
        s.split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(|x| {
                x.parse::<usize>()
                    .map_err(|e| format!("{origin}:{n}: \"{x}\": {e}"))
            })
            .collect()
    };
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let (s, t) = l
                .split_once('\t')
                .ok_or_else(|| format!("{origin}:{}: expected SRC_IDS<TAB>TGT_IDS", i + 1))?;
            Ok((side(s, i + 1)?, side(t, i + 1)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bead(s: &[usize], t: &[usize]) -> IdBead {
        (s.iter().copied().collect(), t.iter().copied().collect())
    }

    #[test]
    fn strict_and_lax() {
        let gold = vec![bead(&[0], &[0]), bead(&[1, 2], &[1]), bead(&[], &[2])];
        let pred = vec![
            bead(&[0], &[0]),
            bead(&[1], &[1]),
            bead(&[2], &[]),
            bead(&[], &[2]),
        ];
        let (strict, lax) = score_alignment(&gold, &pred);
        assert_eq!(strict.precision, 0.5); // 2 of 4 identical (0-0 and the null bead)
        assert_eq!(strict.recall, 0.5); // 1 of 2 full gold beads
        assert_eq!(lax.precision, 0.75);
        assert_eq!(lax.recall, 1.0);
        assert!(read_gold("0\t0\n1,2\t1\n\t2\n", "g").unwrap() == gold);
    }

    #[test]
    fn beads_inside_one_verse_are_merged_before_scoring() {
        let verses =
            |labels: &[&str]| -> Vec<String> { labels.iter().map(|l| l.to_string()).collect() };
        // Source lines 1 and 2 are one verse, target lines 1 to 3 are that verse.
        let source = verses(&["v1", "v2", "v2", "v3"]);
        let target = verses(&["v1", "v2", "v2", "v2", "v3"]);
        let pred = vec![
            bead(&[0], &[0]),
            bead(&[1], &[1, 2]),
            bead(&[], &[3]),
            bead(&[2], &[]),
            bead(&[3], &[4]),
        ];
        let merged = merge_within_groups(&pred, &source, &target);
        assert_eq!(
            merged,
            vec![
                bead(&[0], &[0]),
                bead(&[1, 2], &[1, 2, 3]),
                bead(&[3], &[4])
            ]
        );
        // Without labels nothing merges.
        assert_eq!(merge_within_groups(&pred, &[], &[]), pred);
        assert!(read_gold("x\t1\n", "g").unwrap_err().starts_with("g:1:"));
    }
}
