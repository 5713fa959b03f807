//! Grouping accepted matches into claims: the strongest matches first, each joining the
//! claims of its two sentences only if the joined claim stays cohesive — every source
//! sentence of it similar enough to every target sentence of it, linked or not — so that a
//! chain of matches (A ↔ B ↔ C where A and C say different things) or a source weakly
//! matched to a second, unrelated target is split, while a target matched by several
//! sources becomes one claim.

use std::collections::BTreeSet;

/// An accepted match between source sentence `source` and target sentence `target`
/// (positions on the two sides of comparable matching).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    pub source: usize,
    pub target: usize,
    pub similarity: f32,
    pub confidence: f32,
}

/// One claim as positions on both sides.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub sources: BTreeSet<usize>,
    pub targets: BTreeSet<usize>,
    /// The links inside the claim.
    pub links: Vec<Link>,
    /// Mean similarity over every (source, target) pair of the claim.
    pub cohesion: f32,
    /// The lowest confidence of its links: each member is matched at least this surely.
    pub confidence: f32,
}

/// Groups `links` into claims. `similarity(s, t)` scores any source–target pair (a link's
/// own similarity is used for linked pairs); `floor` is the similarity every such pair of a
/// claim of several links must reach. Links that would make a claim incoherent stay out of
/// every claim.
pub fn group(links: &[Link], similarity: impl Fn(usize, usize) -> f32, floor: f32) -> Vec<Group> {
    let mut order: Vec<&Link> = links.iter().collect();
    order.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then(b.similarity.total_cmp(&a.similarity))
            .then(a.source.cmp(&b.source))
            .then(a.target.cmp(&b.target))
    });
    let pair_similarity = |s: usize, t: usize| -> f32 {
        links
            .iter()
            .find(|l| l.source == s && l.target == t)
            .map_or_else(|| similarity(s, t), |l| l.similarity)
    };
    let mut groups: Vec<Group> = Vec::new();
    let find = |groups: &[Group], source: Option<usize>, target: Option<usize>| {
        groups.iter().position(|g| {
            source.is_some_and(|s| g.sources.contains(&s))
                || target.is_some_and(|t| g.targets.contains(&t))
        })
    };
    for link in order.into_iter().copied() {
        let of_source = find(&groups, Some(link.source), None);
        let of_target = find(&groups, None, Some(link.target));
        let mut sources: BTreeSet<usize> = BTreeSet::from([link.source]);
        let mut targets: BTreeSet<usize> = BTreeSet::from([link.target]);
        for g in [of_source, of_target].into_iter().flatten() {
            sources.extend(&groups[g].sources);
            targets.extend(&groups[g].targets);
        }
        // A link between two sentences of no claim yet is a claim; one that joins an
        // existing claim must keep every source–target pair, links included, at the floor.
        let joins = of_source.is_some() || of_target.is_some();
        let cohesive = !joins
            || sources
                .iter()
                .all(|&s| targets.iter().all(|&t| pair_similarity(s, t) >= floor));
        if !cohesive {
            continue;
        }
        let mut joined = Group {
            sources,
            targets,
            links: vec![link],
            cohesion: 0.0,
            confidence: link.confidence,
        };
        let mut absorbed: Vec<usize> = [of_source, of_target].into_iter().flatten().collect();
        absorbed.sort_unstable();
        absorbed.dedup();
        for g in absorbed.into_iter().rev() {
            let old = groups.swap_remove(g);
            joined.links.extend(old.links);
        }
        groups.push(joined);
    }
    for g in &mut groups {
        let pairs = (g.sources.len() * g.targets.len()) as f32;
        let total: f32 = g
            .sources
            .iter()
            .flat_map(|&s| g.targets.iter().map(move |&t| (s, t)))
            .map(|(s, t)| pair_similarity(s, t))
            .sum();
        g.cohesion = total / pairs;
        g.confidence = g
            .links
            .iter()
            .map(|l| l.confidence)
            .fold(f32::INFINITY, f32::min);
        g.links.sort_by_key(|l| (l.source, l.target));
    }
    groups.sort_by(|a, b| (&a.sources, &a.targets).cmp(&(&b.sources, &b.targets)));
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(source: usize, target: usize, similarity: f32, confidence: f32) -> Link {
        Link {
            source,
            target,
            similarity,
            confidence,
        }
    }

    #[test]
    fn one_target_matched_by_three_sources_is_one_claim() {
        let links = [
            link(0, 7, 0.8, 0.9),
            link(1, 7, 0.7, 0.8),
            link(2, 7, 0.6, 0.5),
            link(3, 9, 0.7, 0.9),
        ];
        let groups = group(&links, |_, _| 0.0, 0.3);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].sources, BTreeSet::from([0, 1, 2]));
        assert_eq!(groups[0].targets, BTreeSet::from([7]));
        assert_eq!(groups[0].links.len(), 3);
        assert!((groups[0].cohesion - 0.7).abs() < 1e-6);
        assert_eq!(groups[0].confidence, 0.5);
        assert_eq!(groups[1].sources, BTreeSet::from([3]));
    }

    #[test]
    fn a_chain_whose_ends_differ_is_split_at_its_weakest_link() {
        // 0 ↔ 10 and 1 ↔ 11 are strong; 1 ↔ 10 joins them, but source 0 has nothing to do
        // with target 11.
        let links = [
            link(0, 10, 0.8, 0.95),
            link(1, 11, 0.8, 0.9),
            link(1, 10, 0.4, 0.4),
        ];
        let unrelated = |_: usize, _: usize| 0.05;
        let groups = group(&links, unrelated, 0.3);
        assert_eq!(groups.len(), 2, "{groups:?}");
        assert_eq!(
            (groups[0].sources.clone(), groups[0].targets.clone()),
            (BTreeSet::from([0]), BTreeSet::from([10]))
        );
        assert_eq!(
            (groups[1].sources.clone(), groups[1].targets.clone()),
            (BTreeSet::from([1]), BTreeSet::from([11]))
        );
        // When the ends say the same thing, the chain is one claim.
        let related = |_: usize, _: usize| 0.5;
        let groups = group(&links, related, 0.3);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].sources, BTreeSet::from([0, 1]));
        assert_eq!(groups[0].targets, BTreeSet::from([10, 11]));
        assert_eq!(groups[0].confidence, 0.4);
        // A source's weak second match does not pull an unrelated target into its claim.
        let links = [link(0, 10, 0.8, 0.95), link(0, 11, 0.05, 0.01)];
        let groups = group(&links, related, 0.3);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].targets, BTreeSet::from([10]));
    }
}
