//! Claim-difference flags on an aligned pair: what an analyst comparing claims across
//! languages looks for first — numbers on one side only, negation on one side only, and named
//! entities on one side only.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// One difference between the two sides of an alignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    /// "number", "negation" or "entity".
    pub kind: String,
    /// "source" or "target": the side that has it.
    pub side: String,
    /// The number (normalised), the negation word, or the entity.
    pub value: String,
}

/// Negation words by language; the source side uses both its own language's and (through
/// the translation) the target's.
fn negations(lang: &str) -> &'static [&'static str] {
    match lang {
        "id" | "ms" => &["tidak", "bukan", "belum", "tanpa", "jangan", "tak"],
        "en" => &[
            "not", "no", "never", "without", "none", "nor", "cannot", "n't",
        ],
        "de" => &["nicht", "kein", "keine", "keinen", "nie", "niemals", "ohne"],
        "fr" => &["ne", "pas", "jamais", "sans", "aucun", "aucune", "non"],
        "es" => &["no", "nunca", "sin", "ningún", "ninguna", "jamás"],
        _ => &[],
    }
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().replace('’', "'"))
        .collect()
}

/// Numbers in a text, normalised: separators removed (`830.000`, `830,000` → `830000`),
/// decimal comma or point kept as a point only when it is not a thousands separator.
pub fn numbers(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let separator = (c == '.' || c == ',')
            && !current.is_empty()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if c.is_ascii_digit() || separator {
            current.push(c);
        } else if !current.is_empty() {
            out.insert(normalise_number(&std::mem::take(&mut current)));
        }
    }
    if !current.is_empty() {
        out.insert(normalise_number(&current));
    }
    out
}

fn normalise_number(raw: &str) -> String {
    let groups: Vec<&str> = raw.split(['.', ',']).collect();
    if groups.len() > 1 && groups[1..].iter().all(|g| g.len() == 3) {
        groups.concat()
    } else if groups.len() == 2 {
        format!("{}.{}", groups[0], groups[1])
    } else {
        raw.to_string()
    }
}

fn has_negation(text: &str, langs: &[&str]) -> Option<String> {
    let ws = words(text);
    for lang in langs {
        for n in negations(lang) {
            if n.starts_with('n') && n.len() == 3 && *n == "n't" {
                if ws.iter().any(|w| w.ends_with("n't")) {
                    return Some("n't".into());
                }
            } else if ws.iter().any(|w| w == n) {
                return Some(n.to_string());
            }
        }
    }
    None
}

/// Capitalised words that are not sentence-initial and not in a small list of function
/// words: a cheap stand-in for named entities.
fn entities(text: &str) -> BTreeSet<String> {
    const COMMON: &[&str] = &[
        "The", "A", "An", "In", "On", "At", "We", "He", "She", "It", "They", "I",
    ];
    let mut out = BTreeSet::new();
    let mut sentence_start = true;
    for token in text.split_whitespace() {
        let word: String = token
            .trim_matches(|c: char| !c.is_alphanumeric())
            .split('|')
            .next()
            .unwrap_or("")
            .to_string();
        let word = word
            .strip_suffix("'s")
            .or_else(|| word.strip_suffix("’s"))
            .unwrap_or(&word)
            .to_string();
        if !word.is_empty()
            && !sentence_start
            && word.chars().next().is_some_and(char::is_uppercase)
            && !COMMON.contains(&word.as_str())
            && word.chars().filter(|c| c.is_alphabetic()).count() >= 2
        {
            out.insert(word);
        }
        sentence_start = token.ends_with(['.', '!', '?', ':', '"', '“'])
            || token.starts_with(['"', '“']) && sentence_start;
    }
    out
}

/// The flags of one alignment. Numbers compare the original source with the target;
/// negation and entities compare the translation (and the original) with the target.
pub fn flags(
    src_text: &str,
    src_translation: &str,
    src_lang: &str,
    tgt_text: &str,
    tgt_lang: &str,
) -> Vec<Flag> {
    let mut out = Vec::new();
    if src_text.is_empty() || tgt_text.is_empty() {
        return out;
    }
    let flag = |kind: &str, side: &str, value: String| Flag {
        kind: kind.into(),
        side: side.into(),
        value,
    };
    let (sn, tn) = (numbers(src_text), numbers(tgt_text));
    for n in sn.difference(&tn) {
        out.push(flag("number", "source", n.clone()));
    }
    for n in tn.difference(&sn) {
        out.push(flag("number", "target", n.clone()));
    }
    let source_negation =
        has_negation(src_text, &[src_lang]).or_else(|| has_negation(src_translation, &[tgt_lang]));
    let target_negation = has_negation(tgt_text, &[tgt_lang]);
    match (source_negation, target_negation) {
        (Some(n), None) => out.push(flag("negation", "source", n)),
        (None, Some(n)) => out.push(flag("negation", "target", n)),
        _ => {}
    }
    let target_lower = tgt_text.to_lowercase();
    let source_lower = format!("{} {}", src_text, src_translation).to_lowercase();
    // Entities of the source come from its translation: names pass through a gloss, and the
    // original's capitalised words are often translated (Perang Dingin → Cold War).
    for e in entities(src_translation) {
        if !target_lower.contains(&e.to_lowercase()) && !e.chars().all(|c| c.is_ascii_digit()) {
            out.push(flag("entity", "source", e.clone()));
        }
    }
    for e in entities(tgt_text) {
        if !source_lower.contains(&e.to_lowercase()) {
            out.push(flag("entity", "target", e));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(f: &[Flag]) -> Vec<(String, String, String)> {
        f.iter()
            .map(|f| (f.kind.clone(), f.side.clone(), f.value.clone()))
            .collect()
    }

    #[test]
    fn numbers_negation_and_entities_on_one_side() {
        let f = flags(
            "Sebanyak 64 negara mendukung resolusi itu.",
            "as many as 64 country|state support resolution that.",
            "id",
            "More than 80 countries supported the resolution.",
            "en",
        );
        assert_eq!(
            kinds(&f),
            vec![
                ("number".into(), "source".into(), "64".into()),
                ("number".into(), "target".into(), "80".into()),
            ]
        );
        let f = flags(
            "Jepang tidak akan membuang air itu.",
            "Japan not will throw away water that.",
            "id",
            "Japan will release the water, Tokyo Electric said.",
            "en",
        );
        let k = kinds(&f);
        assert!(
            k.contains(&("negation".into(), "source".into(), "tidak".into())),
            "{k:?}"
        );
        assert!(
            k.contains(&("entity".into(), "target".into(), "Tokyo".into())),
            "{k:?}"
        );
        assert!(
            !k.iter()
                .any(|(kind, _, v)| kind == "entity" && v == "Japan"),
            "{k:?}"
        );
        // Same numbers written differently are no difference.
        assert!(flags("830.000 ton", "830,000 ton", "id", "830,000 tonnes", "en").is_empty());
    }
}
