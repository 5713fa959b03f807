//! Claim-likeness: general, multilingual rules that decide whether a sentence can carry a
//! claim, each sentence getting `claim_like` and the rule that decided (`claim_rule`).
//!
//! In order, the first rule that applies decides:
//! 1. `boilerplate`: page furniture (already marked by segmentation);
//! 2. `question`: interrogative punctuation at the end (`?`, `？`, `؟`, `¿…?`);
//! 3. `questioner`: a turn of a press conference that ends with a question (`Q: …`,
//!    `Global Times: … Apakah Anda punya komentar?`) — the questioner's premises are not the
//!    spokesperson's claims — or a turn whose speaker is `Q`/`Question`/`Reporter`;
//! 4. `formulaic`: a configured pattern (`[claims] formulaic_patterns`) or a built-in
//!    formula of several languages (greetings, thanks, "next question", datelines alone);
//! 5. `heading`: a title, headline or dateline line — the only sentence of its paragraph,
//!    no speaker, at most 20 words and no sentence-final punctuation (a headline restates
//!    the body, where the claim is);
//! 6. `repeated`: a short line found in three or more documents;
//! 7. `few content words`: fewer than three words of three or more letters that are not
//!    function words of the language (CJK and Thai: fewer than six characters);
//! 8. otherwise `statement`: claim-like.

use std::collections::{HashMap, HashSet};

use regex::Regex;

use crate::model::Sentence;

/// The configured part of the rules.
#[derive(Debug, Clone, Default)]
pub struct ClaimRules {
    /// Regular expressions (case-insensitive) of formulaic sentences.
    pub formulaic: Vec<Regex>,
}

/// Formulas that carry no claim, normalised (lower case, letters and spaces only).
const FORMULAS: &[&str] = &[
    // English
    "what's your comment",
    "whats your comment",
    "what is your comment",
    "do you have any comment",
    "do you have any comments",
    "any comment",
    "thank you",
    "thanks",
    "next question",
    "good afternoon",
    "good morning",
    "good evening",
    "ladies and gentlemen",
    "that concludes today's press conference",
    "that concludes todays press conference",
    // Indonesian / Malay
    "apakah anda punya komentar",
    "apa komentar anda",
    "terima kasih",
    "pertanyaan berikutnya",
    "selamat siang",
    "selamat pagi",
    "selamat sore",
    "selamat malam",
    // German, French, Spanish
    "danke",
    "vielen dank",
    "guten tag",
    "nächste frage",
    "merci",
    "merci beaucoup",
    "bonjour",
    "question suivante",
    "gracias",
    "muchas gracias",
    "buenos días",
    "buenas tardes",
    "siguiente pregunta",
];

/// Function words that do not count as content, per language (ISO 639-1).
fn function_words(lang: &str) -> &'static [&'static str] {
    match lang {
        "en" => &[
            "the", "and", "for", "are", "was", "were", "you", "your", "our", "their", "this",
            "that", "with", "from", "have", "has", "had", "not", "but", "what", "which", "who",
            "will", "would", "can", "could", "any", "all", "its", "his", "her", "they", "them",
            "about", "into", "than", "then", "there", "here", "been", "also", "very", "some",
        ],
        "id" | "ms" => &[
            "yang", "dan", "ini", "itu", "dengan", "untuk", "dari", "pada", "dalam", "akan",
            "tidak", "ada", "apa", "apakah", "anda", "kami", "kita", "saya", "mereka", "juga",
            "sudah", "telah", "oleh", "atau", "karena", "bahwa", "tersebut", "punya", "bisa",
        ],
        "de" => &[
            "der", "die", "das", "und", "ist", "sind", "ein", "eine", "einen", "nicht", "mit",
            "für", "von", "auf", "sie", "wir", "ich", "haben", "hat", "wird", "auch", "sich",
        ],
        "fr" => &[
            "les", "des", "une", "est", "sont", "pas", "pour", "avec", "dans", "que", "qui",
            "vous", "nous", "ils", "elle", "sur", "par", "aux", "ces", "cette", "mais",
        ],
        "es" => &[
            "los", "las", "una", "del", "que", "por", "con", "para", "son", "está", "están",
            "como", "pero", "sus", "este", "esta", "ustedes", "nosotros", "ellos", "muy",
        ],
        _ => &[],
    }
}

/// Lower case, letters, digits and single spaces: the form formulas are compared in.
fn normalised(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if c == '\'' || c == '’' {
            out.push('\'');
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out.trim().to_string()
}

/// The text after a speaker prefix.
fn body(sentence: &Sentence) -> &str {
    sentence.text[sentence.body_start..].trim()
}

fn is_question(text: &str) -> bool {
    let t = text.trim_end_matches(|c: char| {
        c == '"' || c == '”' || c == '’' || c == ')' || c.is_whitespace()
    });
    t.ends_with('?') || t.ends_with('？') || t.ends_with('؟')
}

/// Sentence-final punctuation of the scripts the detector knows (closing quotes and
/// brackets after it are skipped).
fn ends_a_sentence(text: &str) -> bool {
    let t = text.trim_end_matches(|c: char| {
        matches!(c, '"' | '”' | '’' | '\'' | ')' | '»' | '」' | '』') || c.is_whitespace()
    });
    t.ends_with([
        '.', '!', '?', '…', ';', ':', '。', '！', '？', '؟', '।', '۔', '։',
    ])
}

/// A title, headline or dateline: alone in its paragraph, no speaker, short and without
/// sentence-final punctuation.
fn is_heading(sentence: &Sentence, alone_in_paragraph: bool) -> bool {
    alone_in_paragraph
        && sentence.speaker.is_none()
        && sentence.text.split_whitespace().count() <= 20
        && !ends_a_sentence(&sentence.text)
}

/// True for a sentence of the last paragraph of a document of several paragraphs that is not
/// title-cased: a heading comes before its body, so a last line in lower case without a full
/// stop is a statement left open (a title-cased last line is a footer or a link title).
fn ends_its_document(sentence: &Sentence, paragraph_span: &HashMap<&str, (usize, usize)>) -> bool {
    let words: Vec<&str> = sentence
        .text
        .split_whitespace()
        .filter(|w| w.chars().next().is_some_and(char::is_alphabetic))
        .collect();
    let capitalised = words
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count();
    let title_cased = 2 * capitalised > words.len();
    !title_cased
        && paragraph_span
            .get(sentence.doc.as_str())
            .is_some_and(|&(first, last)| last > first && sentence.paragraph == last)
}

/// Scripts written without spaces between words.
fn unspaced(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0x0E00..=0x0E7F)
    })
}

fn content_words(text: &str, lang: &str) -> usize {
    if unspaced(text) {
        return text.chars().filter(|c| c.is_alphabetic()).count() / 2;
    }
    let stop = function_words(lang);
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 3)
        .filter(|w| !stop.contains(&w.to_lowercase().as_str()))
        .count()
}

/// Speakers whose turns are questions by name.
fn is_questioner(speaker: &str) -> bool {
    matches!(
        speaker.trim().to_lowercase().as_str(),
        "q" | "question"
            | "reporter"
            | "journalist"
            | "pertanyaan"
            | "wartawan"
            | "frage"
            | "pregunta"
    )
}

/// Marks every sentence with `claim_like` and `claim_rule`.
pub fn mark_claim_likeness(sentences: &mut [Sentence], rules: &ClaimRules) {
    // Turns of a speaker (paragraphs with a speaker prefix), by (doc, paragraph): the
    // questioner's are those of a questioner by name or that end with a question.
    let mut speaker_of: HashMap<(&str, usize), &str> = HashMap::new();
    let mut last_of: HashMap<(&str, usize), usize> = HashMap::new();
    let mut sentences_in: HashMap<(&str, usize), usize> = HashMap::new();
    // Per document: its first and last paragraph.
    let mut paragraph_span: HashMap<&str, (usize, usize)> = HashMap::new();
    for (i, s) in sentences.iter().enumerate() {
        let turn = (s.doc.as_str(), s.paragraph);
        let span = paragraph_span
            .entry(s.doc.as_str())
            .or_insert((s.paragraph, s.paragraph));
        *span = (span.0.min(s.paragraph), span.1.max(s.paragraph));
        if let Some(speaker) = &s.speaker {
            speaker_of.insert(turn, speaker.as_str());
        }
        last_of.insert(turn, i);
        *sentences_in.entry(turn).or_default() += 1;
    }
    let questioner_turns: HashSet<(&str, usize)> = speaker_of
        .iter()
        .filter(|(turn, speaker)| {
            is_questioner(speaker) || is_question(&sentences[last_of[*turn]].text)
        })
        .map(|(turn, _)| *turn)
        .collect();
    // Each body normalised once; short lines repeated across documents.
    let forms: Vec<String> = sentences.iter().map(|s| normalised(body(s))).collect();
    let mut documents_of: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (s, form) in sentences.iter().zip(&forms) {
        if !s.boilerplate && form.split(' ').count() <= 12 {
            documents_of.entry(form).or_default().insert(s.doc.as_str());
        }
    }
    let verdicts: Vec<&'static str> = sentences
        .iter()
        .zip(&forms)
        .map(|(s, form)| {
            let text = body(s);
            let lang = s.lang.as_deref().unwrap_or("");
            if s.boilerplate {
                "boilerplate"
            } else if is_question(text) {
                "question"
            } else if questioner_turns.contains(&(s.doc.as_str(), s.paragraph)) {
                "questioner"
            } else if FORMULAS.contains(&form.as_str())
                || rules.formulaic.iter().any(|r| r.is_match(text))
            {
                "formulaic"
            } else if is_heading(s, sentences_in[&(s.doc.as_str(), s.paragraph)] == 1)
                && !ends_its_document(s, &paragraph_span)
            {
                "heading"
            } else if documents_of
                .get(form.as_str())
                .is_some_and(|d| d.len() >= 3)
            {
                "repeated"
            } else if content_words(text, lang) < 3 {
                "few content words"
            } else {
                "statement"
            }
        })
        .collect();
    for (s, rule) in sentences.iter_mut().zip(verdicts) {
        s.claim_like = rule == "statement";
        s.claim_rule = rule;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ByteSpan;

    /// A sentence of `doc`'s paragraph `paragraph`; a `Name: ` prefix becomes its speaker.
    fn sentence(doc: &str, paragraph: usize, text: &str, lang: &str) -> Sentence {
        let span = ByteSpan {
            start: 0,
            end: text.len(),
        };
        let speaker = crate::segment::speaker_prefix(text);
        let mut s = Sentence::new(doc, 0, span, paragraph, text, speaker);
        s.lang = Some(lang.into());
        s
    }

    fn rules_of(sentences: &mut [Sentence]) -> Vec<&'static str> {
        mark_claim_likeness(sentences, &ClaimRules::default());
        sentences.iter().map(|s| s.claim_rule).collect()
    }

    #[test]
    fn seed_press_conference_questions_and_questioner_turns_carry_no_claim() {
        // Real lines of the Indonesian and English seed documents.
        let mut s = vec![
            sentence(
                "003.txt",
                4,
                "Global Times: Penulis Prancis Maxime Vivas mengatakan dalam sebuah wawancara baru-baru ini bahwa dia telah dilecehkan secara verbal oleh pengguna media sosial.",
                "id",
            ),
            sentence("003.txt", 4, "Apakah Anda punya komentar?", "id"),
            sentence(
                "003.txt",
                5,
                "Wang Wenbin: Kami selalu dengan tegas menentang negara lain yang menggunakan apa yang disebut masalah hak asasi manusia untuk mencampuri urusan dalam negeri Tiongkok.",
                "id",
            ),
            sentence(
                "001.txt",
                3,
                "Q: According to reports, the European Parliament will call on Brussels to assess the cyber threat of China's participation in 5G.",
                "en",
            ),
            sentence("001.txt", 3, "What's your comment?", "en"),
            sentence(
                "001.txt",
                4,
                "A: China firmly opposes the groundless accusations and slander against Chinese companies.",
                "en",
            ),
        ];
        assert_eq!(
            rules_of(&mut s),
            [
                "questioner",
                "question",
                "statement",
                "questioner",
                "question",
                "statement"
            ]
        );
        assert_eq!(s.iter().filter(|x| x.claim_like).count(), 2);
    }

    #[test]
    fn rules_hold_in_german_french_and_spanish() {
        let mut s = vec![
            sentence("de.txt", 0, "Haben Sie dazu einen Kommentar?", "de"),
            sentence("de.txt", 1, "Vielen Dank.", "de"),
            sentence(
                "de.txt",
                2,
                "Die Regierung lehnt die Vorwürfe gegen chinesische Unternehmen entschieden ab.",
                "de",
            ),
            sentence("fr.txt", 0, "Merci beaucoup !", "fr"),
            sentence("fr.txt", 1, "Question suivante.", "fr"),
            sentence(
                "fr.txt",
                2,
                "Le gouvernement rejette fermement les accusations sans fondement.",
                "fr",
            ),
            sentence("es.txt", 0, "¿Tiene algún comentario al respecto?", "es"),
            sentence("es.txt", 1, "Muchas gracias.", "es"),
            sentence(
                "es.txt",
                2,
                "El gobierno rechaza firmemente las acusaciones infundadas.",
                "es",
            ),
            sentence("es.txt", 3, "Sí, es así.", "es"),
        ];
        assert_eq!(
            rules_of(&mut s),
            [
                "question",
                "formulaic",
                "statement",
                "formulaic",
                "formulaic",
                "statement",
                "question",
                "formulaic",
                "statement",
                "few content words"
            ]
        );
    }

    #[test]
    fn lines_repeated_across_documents_and_configured_patterns_are_formulaic() {
        let line = "The spokesperson's remarks are on the ministry website.";
        let mut s: Vec<Sentence> = ["a.txt", "b.txt", "c.txt"]
            .iter()
            .map(|d| sentence(d, 0, line, "en"))
            .collect();
        s.push(sentence(
            "d.txt",
            0,
            "Reporting by Jane Doe in Jakarta; editing by John Smith",
            "en",
        ));
        let rules = ClaimRules {
            formulaic: vec![Regex::new("(?i)^reporting by ").unwrap()],
        };
        mark_claim_likeness(&mut s, &rules);
        let got: Vec<&str> = s.iter().map(|x| x.claim_rule).collect();
        assert_eq!(got, ["repeated", "repeated", "repeated", "formulaic"]);
        // Twice is not yet a formula.
        let mut two: Vec<Sentence> = ["a.txt", "b.txt"]
            .iter()
            .map(|d| sentence(d, 0, line, "en"))
            .collect();
        assert_eq!(rules_of(&mut two), ["statement", "statement"]);
    }

    #[test]
    fn titles_and_headlines_are_headings_not_claims() {
        // Seed titles (Indonesian and English), a Russian headline, and statements that
        // must stay claims: one ends with punctuation, one shares its paragraph.
        let mut s = vec![
            sentence(
                "003.txt",
                1,
                "Konferensi Pers Kementerian Luar Negeri Tiongkok 20 April 2021",
                "id",
            ),
            sentence("004.txt", 0, "Beijing urges US to end tech ban", "en"),
            sentence("ru.txt", 0, "Пекин призвал США отменить запрет", "ru"),
            sentence(
                "004.txt",
                1,
                "Beijing urged Washington to end its ban on Chinese technology.",
                "en",
            ),
            sentence(
                "004.txt",
                2,
                "China will respond to American sanctions",
                "en",
            ),
            sentence("004.txt", 2, "The ministry said so on Monday.", "en"),
            // The last paragraph of a document ends it: no heading, though it has no full
            // stop, unless it is title-cased (a footer).
            sentence(
                "004.txt",
                3,
                "The ministry will review the ban on Chinese technology next year",
                "en",
            ),
            sentence("003.txt", 0, "Pidato Presiden di Forum", "id"),
            sentence("003.txt", 2, "Informasi Seputar Tiongkok", "id"),
        ];
        assert_eq!(
            rules_of(&mut s),
            [
                "heading",
                "heading",
                "heading",
                "statement",
                "statement",
                "statement",
                "statement",
                "heading",
                "heading"
            ]
        );
    }
}
