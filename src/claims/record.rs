//! Claim records (`claims.jsonl`, `schemas/claims.schema.json`): the members of a claim —
//! runs of consecutive sentences of one document — in at least two languages, with a
//! stable id, the claim's cohesion and confidence, and the differences between members.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::flags;
use super::group::Group;
use crate::model::Sentence;

/// One claim: what several documents say, in several languages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// `c` and 16 hex digits of the SHA-256 of the members' documents and sentence indices:
    /// the same members give the same id in every run.
    pub claim_id: String,
    /// "same" (the members state the same claim), "related" (same topic and stance: a
    /// weaker statement or another object) or "candidate" (from matches shown only because
    /// `--threshold` asked for them).
    pub tier: String,
    pub members: Vec<Member>,
    /// Languages of the members, sorted.
    pub languages: Vec<String>,
    /// Cohesion: the mean similarity of every source–target pair of sentences in the claim.
    pub score: f32,
    /// The lowest calibrated confidence of the matches that hold the claim together.
    pub confidence: f32,
    /// Differences between members.
    pub flags: Vec<ClaimFlag>,
}

/// One version of the claim: consecutive sentences of one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub doc: String,
    /// 0-based sentence indices (`idx` in `sentences.jsonl`), consecutive.
    pub idx: Vec<usize>,
    pub lang: String,
    pub text: String,
    /// Translation into the pivot language (members not in the pivot language).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translation: Option<String>,
}

/// A difference: member `member` has `value` (a number, a negation, a name) that the
/// members `lacking` do not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimFlag {
    /// "number", "negation" or "entity".
    pub kind: String,
    pub value: String,
    /// Index into `members` of the member that has it.
    pub member: usize,
    /// Indices into `members` of the members that lack it.
    pub lacking: Vec<usize>,
}

/// Members of a claim from sentences: one member per run of consecutive sentences of a
/// document.
fn members_of(sentences: &[&Sentence], pivot: &str) -> Vec<Member> {
    let mut sorted: Vec<&Sentence> = sentences.to_vec();
    sorted.sort_by(|a, b| (&a.doc, a.idx).cmp(&(&b.doc, b.idx)));
    let mut runs: Vec<Vec<&Sentence>> = Vec::new();
    for s in sorted {
        match runs.last_mut() {
            Some(run)
                if run
                    .last()
                    .is_some_and(|l| l.doc == s.doc && l.idx + 1 == s.idx) =>
            {
                run.push(s)
            }
            _ => runs.push(vec![s]),
        }
    }
    runs.into_iter()
        .map(|run| {
            let lang = run[0].lang.clone().unwrap_or_default();
            let join = |part: fn(&Sentence) -> Option<&str>| -> Option<String> {
                let parts: Vec<&str> = run.iter().filter_map(|s| part(s)).collect();
                (!parts.is_empty()).then(|| parts.join(" "))
            };
            Member {
                doc: run[0].doc.clone(),
                idx: run.iter().map(|s| s.idx).collect(),
                translation: if lang == pivot {
                    None
                } else {
                    join(|s| s.translation.as_deref())
                },
                text: join(|s| Some(s.text.as_str())).unwrap_or_default(),
                lang,
            }
        })
        .collect()
}

fn claim_id(members: &[Member]) -> String {
    let mut hasher = Sha256::new();
    for m in members {
        for i in &m.idx {
            hasher.update(m.doc.as_bytes());
            hasher.update([0x1f]);
            hasher.update(i.to_string().as_bytes());
            hasher.update([0x1e]);
        }
    }
    let digest = hasher.finalize();
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("c{hex}")
}

/// The differences between every member in another language than the pivot and every
/// pivot-language member, merged per (kind, value, member).
fn claim_flags(members: &[Member], pivot: &str) -> Vec<ClaimFlag> {
    let mut out: Vec<ClaimFlag> = Vec::new();
    let mut add = |kind: &str, value: &str, member: usize, lacking: usize| match out
        .iter_mut()
        .find(|f| f.kind == kind && f.value == value && f.member == member)
    {
        Some(f) if !f.lacking.contains(&lacking) => f.lacking.push(lacking),
        Some(_) => {}
        None => out.push(ClaimFlag {
            kind: kind.to_string(),
            value: value.to_string(),
            member,
            lacking: vec![lacking],
        }),
    };
    for (s, source) in members.iter().enumerate().filter(|(_, m)| m.lang != pivot) {
        for (t, target) in members.iter().enumerate().filter(|(_, m)| m.lang == pivot) {
            let translation = source.translation.as_deref().unwrap_or("");
            for f in flags::flags(
                &source.text,
                translation,
                &source.lang,
                &target.text,
                &target.lang,
            ) {
                let (has, lacks) = if f.side == "source" { (s, t) } else { (t, s) };
                add(&f.kind, &f.value, has, lacks);
            }
        }
    }
    out
}

/// Claim records of `groups`, whose positions index `sources` and `targets`; claims with
/// members in fewer than two languages are left out. Sorted by confidence, most sure first.
pub fn records(
    groups: &[Group],
    sources: &[&Sentence],
    targets: &[&Sentence],
    pivot: &str,
    tier: crate::align::acceptance::Tier,
) -> Vec<Claim> {
    let mut out: Vec<Claim> = groups
        .iter()
        .filter_map(|g| {
            let sentences: Vec<&Sentence> = g
                .sources
                .iter()
                .map(|&s| sources[s])
                .chain(g.targets.iter().map(|&t| targets[t]))
                .collect();
            let members = members_of(&sentences, pivot);
            let mut languages: Vec<String> = members.iter().map(|m| m.lang.clone()).collect();
            languages.sort();
            languages.dedup();
            if languages.len() < 2 {
                return None;
            }
            Some(Claim {
                claim_id: claim_id(&members),
                tier: tier.as_str().to_string(),
                flags: claim_flags(&members, pivot),
                members,
                languages,
                score: g.cohesion,
                confidence: g.confidence,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then_with(|| a.claim_id.cmp(&b.claim_id))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ByteSpan;
    use std::collections::BTreeSet;

    fn sentence(doc: &str, idx: usize, text: &str, lang: &str) -> Sentence {
        let span = ByteSpan { start: 0, end: 0 };
        let mut s = Sentence::new(doc, idx, span, idx, text, None);
        s.lang = Some(lang.into());
        if lang != "en" {
            s.translation = Some(format!("[{text}]"));
        }
        s
    }

    #[test]
    fn consecutive_sentences_of_a_document_are_one_member_and_ids_are_stable() {
        let s = [
            sentence("a.txt", 4, "Ekspor naik.", "id"),
            sentence("a.txt", 5, "Itu 35 persen.", "id"),
            sentence("a.txt", 9, "Lain lagi.", "id"),
            sentence("b.txt", 2, "Exports rose 35 percent.", "en"),
        ];
        let group = Group {
            sources: BTreeSet::from([0, 1, 2]),
            targets: BTreeSet::from([0]),
            links: Vec::new(),
            cohesion: 0.5,
            confidence: 0.8,
        };
        let sources: Vec<&Sentence> = s[..3].iter().collect();
        let targets: Vec<&Sentence> = vec![&s[3]];
        let same = crate::align::acceptance::Tier::Same;
        let claims = records(std::slice::from_ref(&group), &sources, &targets, "en", same);
        assert_eq!(claims[0].tier, "same");
        let members = &claims[0].members;
        assert_eq!(members.len(), 3);
        assert_eq!(members[0].idx, [4, 5]);
        assert_eq!(members[0].text, "Ekspor naik. Itu 35 persen.");
        assert_eq!(
            members[0].translation.as_deref(),
            Some("[Ekspor naik.] [Itu 35 persen.]")
        );
        assert_eq!(members[1].idx, [9]);
        assert_eq!(members[2].translation, None);
        assert!(claims[0].claim_id.starts_with('c') && claims[0].claim_id.len() == 17);
        // The same members in another order: the same id.
        let reversed: Vec<&Sentence> = sources.iter().rev().copied().collect();
        let again = records(
            &[Group {
                sources: BTreeSet::from([0, 1, 2]),
                ..group.clone()
            }],
            &reversed,
            &targets,
            "en",
            same,
        );
        assert_eq!(again[0].claim_id, claims[0].claim_id);
        // A claim in one language only is no claim.
        let english: Vec<&Sentence> = vec![&s[3]];
        let one_language = Group {
            sources: BTreeSet::from([0]),
            ..group
        };
        assert!(records(&[one_language], &english, &targets, "en", same).is_empty());
    }
}
