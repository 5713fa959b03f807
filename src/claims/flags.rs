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

/// Negation words by language.
fn negations(lang: &str) -> &'static [&'static str] {
    match lang {
        "id" | "ms" => &["tidak", "bukan", "belum", "tanpa", "jangan", "tak"],
        "en" => &[
            "not", "no", "never", "without", "none", "nor", "cannot", "n't",
        ],
        "de" => &["nicht", "kein", "keine", "keinen", "nie", "niemals", "ohne"],
        // "ne" is left out: it comes with a real negator (pas, jamais, ...) or is the
        // restrictive "ne … que" (= only).
        "fr" => &["pas", "jamais", "sans", "aucun", "aucune", "non", "rien"],
        "es" => &[
            "no", "nunca", "sin", "ningún", "ninguno", "ninguna", "jamás", "nadie", "nada",
            "tampoco", "ni",
        ],
        _ => &[],
    }
}

/// Verbs that negate by their meaning ("reject", "menolak"): a claim negated by one of them
/// and its version negated by "not" say the same, so the pair is no negation difference.
fn lexical_negations(lang: &str) -> &'static [&'static str] {
    match lang {
        "id" | "ms" => &[
            "menolak",
            "menentang",
            "membantah",
            "menyangkal",
            "mengecam",
        ],
        "en" => &[
            "reject",
            "rejects",
            "rejected",
            "refuse",
            "refuses",
            "refused",
            "deny",
            "denies",
            "denied",
            "oppose",
            "opposes",
            "opposed",
            "opposition",
            "refute",
            "refutes",
            "refuted",
            "dismiss",
            "dismisses",
            "dismissed",
        ],
        "de" => &[
            "ablehnen",
            "lehnt",
            "lehnen",
            "abgelehnt",
            "bestreitet",
            "bestreiten",
        ],
        "fr" => &[
            "rejette", "rejeter", "rejeté", "refuse", "refuser", "refusé", "dément",
        ],
        "es" => &[
            "rechaza", "rechazar", "rechazó", "niega", "negar", "negó", "se opone",
        ],
        _ => &[],
    }
}

/// True when a word of the text negates by its meaning, or carries a negative prefix inside
/// it ("non-discriminatory", "non-diskriminatif").
fn negated_otherwise(text: &str, lang: &str) -> bool {
    let ws = words(text);
    let verbs = lexical_negations(lang);
    ws.iter().any(|w| verbs.contains(&w.as_str()))
        || text.split_whitespace().any(|t| {
            t.trim_start_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
                .starts_with("non-")
        })
}

/// Fixed expressions whose negation word does not negate the claim ("tidak berdasar" =
/// groundless, "not only", "sin embargo" = however), by language, as lower-case words.
fn fixed_expressions(lang: &str) -> &'static [&'static [&'static str]] {
    match lang {
        "id" | "ms" => &[
            &["tidak", "berdasar"],
            &["tak", "berdasar"],
            &["tanpa", "dasar"],
            &["tidak", "hanya"],
            &["bukan", "hanya"],
            &["tidak", "saja"],
            &["bukan", "saja"],
            &["tidak", "terhindarkan"],
            &["tak", "terhindarkan"],
            &["tidak", "lain"],
            &["tanpa", "henti"],
            &["tidak", "sedikit"],
            &["tak", "terhitung"],
            &["tak", "terbendung"],
            &["tidak", "terbendung"],
            &["tanpa", "ragu"],
            &["tidak", "lama"],
            &["tak", "lama"],
        ],
        "en" => &[
            &["not", "only"],
            &["not", "just"],
            &["not", "least"],
            &["no", "doubt"],
            &["without", "doubt"],
            &["nothing", "but"],
            &["none", "other", "than"],
            &["no", "matter"],
            &["no", "less", "than"],
            &["no", "fewer", "than"],
        ],
        "de" => &[
            &["nicht", "nur"],
            &["nicht", "zuletzt"],
            &["ohne", "zweifel"],
            &["kein", "wunder"],
        ],
        "fr" => &[
            &["non", "seulement"],
            &["sans", "doute"],
            &["sans", "aucun", "doute"],
        ],
        "es" => &[
            &["no", "solo"],
            &["no", "sólo"],
            &["sin", "duda"],
            &["sin", "embargo"],
            &["no", "obstante"],
        ],
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
    number_spans(text).into_iter().map(|(_, n)| n).collect()
}

/// Every number of a text: its byte range and its normalised form (see [`numbers`]).
pub fn number_spans(text: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(at, c)) in chars.iter().enumerate() {
        let separator = (c == '.' || c == ',')
            && start.is_some()
            && chars.get(k + 1).is_some_and(|(_, n)| n.is_ascii_digit());
        if c.is_ascii_digit() || separator {
            start.get_or_insert(at);
        } else if let Some(from) = start.take() {
            out.push((from..at, normalise_number(&text[from..at])));
        }
    }
    if let Some(from) = start {
        out.push((from..text.len(), normalise_number(&text[from..])));
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

/// The first negation word of `text` in `lang` that is not part of a fixed expression.
fn negation(text: &str, lang: &str) -> Option<String> {
    let ws = words(text);
    let mut fixed = vec![false; ws.len()];
    for expression in fixed_expressions(lang) {
        for start in 0..ws.len() {
            if ws[start..].starts_with_words(expression) {
                fixed[start..start + expression.len()].fill(true);
            }
        }
    }
    let list = negations(lang);
    ws.iter().zip(&fixed).find_map(|(w, &in_expression)| {
        if in_expression {
            None
        } else if w.ends_with("n't") && list.contains(&"n't") {
            Some("n't".to_string())
        } else {
            list.contains(&w.as_str()).then(|| w.clone())
        }
    })
}

trait StartsWithWords {
    fn starts_with_words(&self, expression: &[&str]) -> bool;
}

impl StartsWithWords for [String] {
    fn starts_with_words(&self, expression: &[&str]) -> bool {
        self.len() >= expression.len() && self.iter().zip(expression).all(|(w, e)| w == e)
    }
}

/// Function words that may join the words of one name ("Belt and Road", "Boao Forum for
/// Asia", "Ministry of Foreign Affairs").
const NAME_CONNECTORS: &[&str] = &[
    "and", "of", "for", "the", "on", "dan", "untuk", "de", "du", "des", "la", "le", "del", "von",
    "van", "der", "und", "für",
];

/// Day and month names: a date is not part of a name ("Beijing on Monday" is Beijing).
const DATE_WORDS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Capitalised words that are no names when they stand alone.
const NOT_NAMES: &[&str] = &[
    "The", "A", "An", "In", "On", "At", "We", "He", "She", "It", "They", "I", "This", "That",
    "These", "Those", "Mr", "Ms", "Mrs", "Dr", "Der", "Die", "Das", "Ein", "Eine", "Le", "La",
    "Les", "El", "Los", "Las",
];

fn is_acronym(word: &str) -> bool {
    word.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && word
            .chars()
            .all(|c| c.is_uppercase() || c.is_ascii_digit() || c == '-')
}

fn capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
        && word.chars().filter(|c| c.is_alphabetic()).count() >= 2
}

/// Named entities of a text in `lang`: runs of capitalised words, joined by connectors
/// ("Hong Kong", "Belt and Road" are one name each), and acronyms. A capitalised word at the
/// start of a sentence is a name only with a capitalised neighbour or as an acronym; in
/// German, where every noun is capitalised, a single capitalised word is no name either.
fn entities(text: &str, lang: &str) -> BTreeSet<String> {
    // (word, starts a sentence, ends a phrase: punctuation after it).
    let mut tokens: Vec<(String, bool, bool)> = Vec::new();
    let mut sentence_start = true;
    // A gloss writes alternatives as `a|b|c`, and an alternative may have several words
    // (`States|United States of America|united`): after an alternative that starts a
    // capitalised phrase, the words up to the next `|` are its continuation, not text.
    let mut in_alternative = false;
    for token in text.split_whitespace() {
        if in_alternative {
            in_alternative = !token.contains('|');
            continue;
        }
        let first = token.split('|').next().unwrap_or("");
        in_alternative = token
            .rsplit_once('|')
            .is_some_and(|(_, last)| capitalised(last));
        let word = first.trim_matches(|c: char| !c.is_alphanumeric());
        let word = word
            .strip_suffix("'s")
            .or_else(|| word.strip_suffix("’s"))
            .unwrap_or(word);
        let phrase_end = token.contains('|')
            || first.ends_with(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’');
        tokens.push((word.to_string(), sentence_start, phrase_end));
        sentence_start = token.ends_with(['.', '!', '?', ':', '"', '“'])
            || token.starts_with(['"', '“']) && sentence_start;
    }
    // German capitalises every noun, and its articles join nouns ("Vorwürfe der
    // Europäischen Union"): only adjacent capitalised words make a name there.
    let connectors: &[&str] = if lang == "de" {
        &["von"]
    } else {
        NAME_CONNECTORS
    };
    let mut out = BTreeSet::new();
    let mut i = 0;
    while i < tokens.len() {
        let (word, _, _) = &tokens[i];
        if !capitalised(word) {
            i += 1;
            continue;
        }
        // The longest run of capitalised words, connectors between them.
        let mut end = i + 1;
        let mut last_name = i;
        while end < tokens.len() && !tokens[end - 1].2 {
            let w = &tokens[end].0;
            if DATE_WORDS.contains(&w.as_str()) {
                break;
            }
            if capitalised(w) {
                last_name = end;
            } else if !connectors.contains(&w.as_str()) {
                break;
            }
            end += 1;
        }
        let mut run: Vec<&str> = tokens[i..=last_name].iter().map(|t| t.0.as_str()).collect();
        let mut sentence_initial = tokens[i].1;
        // A sentence-initial article does not belong to the name ("The European Union
        // said", "Die Regierung").
        if sentence_initial && run.len() > 1 && NOT_NAMES.contains(&run[0]) {
            run.remove(0);
            sentence_initial = false;
        }
        while run.last().is_some_and(|w| connectors.contains(w)) {
            run.pop();
        }
        let name = if run.len() > 1 {
            Some(run.join(" "))
        } else if is_acronym(run[0]) {
            Some(run[0].to_string())
        } else if sentence_initial || lang == "de" || NOT_NAMES.contains(&run[0]) {
            None
        } else {
            Some(run[0].to_string())
        };
        if let Some(name) = name.filter(|n| !n.is_empty() && !n.chars().all(|c| c.is_ascii_digit()))
        {
            out.insert(name);
        }
        i = last_name + 1;
    }
    out
}

/// Whether two lower-case words name the same thing: equal, or one a derived form of the
/// other ("china" / "chinese", "belgium" / "belgian", "europe" / "european").
fn same_word(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let shorter = a.chars().count().min(b.chars().count());
    common >= 4 && common + 2 >= shorter
}

/// Names of one thing (lower case, every language the pipeline reads): a government by its
/// capital, a country by its short and native names.
const ALIASES: &[&[&str]] = &[
    &[
        "united kingdom",
        "uk",
        "britain",
        "great britain",
        "british",
        "inggris",
        "london",
    ],
    &["china", "chinese", "beijing", "prc", "tiongkok", "cina"],
    &[
        "united states",
        "us",
        "usa",
        "america",
        "american",
        "washington",
        "amerika serikat",
    ],
    &["european union", "eu", "brussels", "uni eropa"],
    &["russia", "russian", "moscow", "kremlin", "rusia"],
    &["japan", "japanese", "tokyo", "jepang"],
    &["north korea", "dprk", "pyongyang", "korea utara"],
    &["new zealand", "wellington", "selandia baru"],
    &["belgium", "belgian", "brussels", "belgia"],
];

/// Whether every word of `name` (connectors aside), or of one of its aliases, occurs in
/// `words` (lower case, gloss alternatives included). An acronym, and an alias of fewer than
/// four letters, is looked for as written in capitals among `raw`'s tokens: the gloss
/// alternative "us" (of "kami") does not name the US.
fn mentioned(name: &str, words: &[String], raw: &str) -> bool {
    let capitals = |acronym: &str| {
        raw.split(|c: char| c.is_whitespace() || c == '|')
            .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
            .any(|t| t == acronym)
    };
    let all_present = |phrase: &str| {
        phrase
            .split(' ')
            .map(str::to_lowercase)
            .filter(|w| !NAME_CONNECTORS.contains(&w.as_str()))
            .all(|w| words.iter().any(|x| same_word(&w, x)))
    };
    let own = if is_acronym(name) {
        capitals(name)
    } else {
        all_present(name)
    };
    if own {
        return true;
    }
    let lower = name.to_lowercase();
    ALIASES
        .iter()
        .filter(|group| group.contains(&lower.as_str()))
        .flat_map(|group| group.iter())
        .filter(|alias| **alias != lower)
        .any(|alias| {
            if alias.chars().count() < 4 {
                capitals(&alias.to_uppercase())
            } else {
                all_present(alias)
            }
        })
}

/// Every word of a text, gloss alternatives (`a|b`) included.
fn all_words(text: &str) -> Vec<String> {
    words(&text.replace('|', " "))
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
    // The original is read in its own language when its negations are known (a gloss of
    // "tidak berdasar" says "not|no base"); otherwise its translation is.
    let source_negation = if negations(src_lang).is_empty() {
        negation(src_translation, tgt_lang)
    } else {
        negation(src_text, src_lang)
    };
    let target_negation = negation(tgt_text, tgt_lang);
    // A negation answered on the other side by a negating verb or a negative prefix inside
    // a word ("no discriminatorio" ↔ "non-discriminatory", "menolak" ↔ "not") is none.
    let source_otherwise =
        || negated_otherwise(src_text, src_lang) || negated_otherwise(src_translation, tgt_lang);
    match (source_negation, target_negation) {
        (Some(n), None) if !negated_otherwise(tgt_text, tgt_lang) => {
            out.push(flag("negation", "source", n))
        }
        (None, Some(n)) if !source_otherwise() => out.push(flag("negation", "target", n)),
        _ => {}
    }
    let target_words = all_words(tgt_text);
    let source_raw = format!("{src_text} {src_translation}");
    let source_words = all_words(&source_raw);
    // Entities of the source come from its translation: names pass through a gloss, and the
    // original's capitalised words are often translated (Perang Dingin → Cold War). A name
    // is a difference only when some word of it is missing on the other side.
    for e in entities(src_translation, tgt_lang) {
        if !mentioned(&e, &target_words, tgt_text) {
            out.push(flag("entity", "source", e));
        }
    }
    for e in entities(tgt_text, tgt_lang) {
        if !mentioned(&e, &source_words, &source_raw) {
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

    fn has(f: &[Flag], kind: &str, side: &str, value: &str) -> bool {
        f.iter()
            .any(|f| f.kind == kind && f.side == side && f.value == value)
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
        assert!(has(&f, "negation", "source", "tidak"), "{f:?}");
        assert!(has(&f, "entity", "target", "Tokyo Electric"), "{f:?}");
        assert!(!f.iter().any(|f| f.value == "Japan"), "{f:?}");
        // Same numbers written differently are no difference.
        assert!(flags("830.000 ton", "830,000 ton", "id", "830,000 tonnes", "en").is_empty());
    }

    #[test]
    fn fixed_expressions_are_no_negation() {
        // Seed: "tuduhan tidak berdasar" = groundless accusations; the gloss says "not|no".
        let f = flags(
            "Kami menolak tuduhan tidak berdasar itu.",
            "we refuse|reject accusation|allegation not|no base|reason|underlie that|the.",
            "id",
            "We reject the groundless accusations.",
            "en",
        );
        assert!(!f.iter().any(|f| f.kind == "negation"), "{f:?}");
        let f = flags(
            "Tuduhan itu tanpa dasar.",
            "accusation that without base.",
            "id",
            "The accusation is baseless.",
            "en",
        );
        assert!(!f.iter().any(|f| f.kind == "negation"), "{f:?}");
        // "not only" in the target, "sin embargo" (= however), "nicht nur", "non seulement".
        for (text, lang) in [
            ("China is not only a partner but a friend.", "en"),
            ("Sin embargo, el gobierno aprobó la ley.", "es"),
            ("Das ist nicht nur ein Problem der Regierung.", "de"),
            ("C'est non seulement un partenaire mais un ami.", "fr"),
            ("Il ne reste que trois jours.", "fr"),
        ] {
            assert_eq!(negation(text, lang), None, "{text}");
        }
        // A real negation next to a fixed expression still counts.
        assert_eq!(
            negation("Tuduhan tidak berdasar itu tidak benar.", "id").as_deref(),
            Some("tidak")
        );
        assert_eq!(negation("Il n'a pas signé.", "fr").as_deref(), Some("pas"));
    }

    #[test]
    fn multiword_names_stay_whole_and_translated_names_are_no_difference() {
        // "Hong Kong", "Belt and Road", "Boao Forum for Asia": one name each.
        let e = entities(
            "Hong Kong welcomed the Belt and Road Initiative at the Boao Forum for Asia.",
            "en",
        );
        assert_eq!(
            e,
            BTreeSet::from([
                "Hong Kong".to_string(),
                "Belt and Road Initiative".to_string(),
                "Boao Forum for Asia".to_string()
            ])
        );
        // "Perang Dingin" glossed "Cold War|cold" is the target's "Cold War".
        let f = flags(
            "Amerika Serikat harus meninggalkan mentalitas Perang Dingin.",
            "United States|United States of America|united must|have to leave ~tality Cold War|cold.",
            "id",
            "The United States must abandon its Cold War mentality.",
            "en",
        );
        assert!(f.is_empty(), "{f:?}");
        // Demonyms and countries: "China" (gloss of Tiongkok) and "Chinese".
        let f = flags(
            "Perusahaan Tiongkok itu dituduh.",
            "company China|chinese that accused.",
            "id",
            "The Chinese company was accused.",
            "en",
        );
        assert!(!f.iter().any(|f| f.kind == "entity"), "{f:?}");
        // German nouns are capitalised: no entities unless names of several words or
        // acronyms.
        let e = entities(
            "Die Regierung lehnt die Vorwürfe der Europäischen Union und der NATO ab.",
            "de",
        );
        assert_eq!(
            e,
            BTreeSet::from(["Europäischen Union".to_string(), "NATO".to_string()])
        );
        // A real difference is still flagged, on the side that has it.
        let f = flags(
            "Hong Kong menolak laporan itu.",
            "Hong Kong refuse|reject report that.",
            "id",
            "The report was rejected by Macau.",
            "en",
        );
        assert!(has(&f, "entity", "source", "Hong Kong"), "{f:?}");
        assert!(has(&f, "entity", "target", "Macau"), "{f:?}");
    }

    #[test]
    fn flags_that_misled_in_use_are_gone() {
        // Aliases: the United Kingdom is Britain, China speaks as Beijing.
        let f = flags(
            "Inggris harus tetap terbuka.",
            "United Kingdom must remain open.",
            "id",
            "Britain must remain open.",
            "en",
        );
        assert!(!f.iter().any(|f| f.kind == "entity"), "{f:?}");
        let f = flags(
            "Tiongkok menolak laporan itu.",
            "China reject report that.",
            "id",
            "Beijing dismissed the report.",
            "en",
        );
        assert!(!f.iter().any(|f| f.kind == "entity"), "{f:?}");
        // An alias that is also a common word mentions nothing: a gloss with "as" or "us"
        // does not name the United States.
        let f = flags(
            "Selama 49 tahun kami bekerja sama.",
            "during|for|as 49 year we|us work together.",
            "id",
            "The US has stepped up the rhetoric.",
            "en",
        );
        assert!(has(&f, "entity", "target", "US"), "{f:?}");
        // Negation inside a word on either side.
        let f = flags(
            "Un entorno empresarial justo y no discriminatorio.",
            "A fair and not discriminatory business environment.",
            "es",
            "A fair and non-discriminatory business environment.",
            "en",
        );
        assert!(!f.iter().any(|f| f.kind == "negation"), "{f:?}");
        // A negating verb answers "not".
        let f = flags(
            "Kami menolak kebijakan itu.",
            "we refuse|reject policy that.",
            "id",
            "We do not accept that policy.",
            "en",
        );
        assert!(!f.iter().any(|f| f.kind == "negation"), "{f:?}");
        // A plain negation on one side only is still one.
        let f = flags(
            "Kami menerima kebijakan itu.",
            "we accept policy that.",
            "id",
            "We do not accept that policy.",
            "en",
        );
        assert!(has(&f, "negation", "target", "not"), "{f:?}");
        // "Beijing on Monday" is not one name.
        let f = flags(
            "Bank sentral mengkritik perjanjian itu di Beijing pada hari Rabu.",
            "central bank criticise agreement that in Beijing on day Wednesday.",
            "id",
            "The central bank criticised the agreement in Beijing on Monday.",
            "en",
        );
        assert!(!f.iter().any(|f| f.value.contains("Beijing")), "{f:?}");
        // Spanish negations.
        for (text, word) in [
            ("Nadie aceptó el plan.", "nadie"),
            ("No hay ningún acuerdo.", "no"),
            ("Jamás aceptaremos el plan.", "jamás"),
        ] {
            let f = flags(text, "", "es", "Everyone accepted the plan.", "en");
            assert!(has(&f, "negation", "source", word), "{text}: {f:?}");
        }
    }
}
