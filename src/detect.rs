//! Language detection with lingua: one detector built once and shared; a document label from
//! a vote of its sentences; sentence labels that fall back to the document's language when
//! the sentence is short, ambiguous or only weakly different.

use std::collections::HashMap;

use lingua::{LanguageDetector, LanguageDetectorBuilder};

use crate::config::DetectConfig;
use crate::languages::iso_code;
use crate::model::{LangSource, Sentence};

/// The languages a sentence may be in, best first, with their confidence; languages with
/// confidence 0 are left out (a sentence's list is short: 1.8 KB per sentence with all 31
/// was most of the memory of a million-line input).
type Scores = Vec<(&'static str, f64)>;

/// Sentences whose confidence values are computed at once: the full per-language values
/// of a batch exist only while it is reduced to [`Scores`].
const DETECTION_BATCH: usize = 4096;

/// The shared detector and the labelling policy.
pub struct Detector {
    detector: LanguageDetector,
    config: DetectConfig,
}

impl Detector {
    /// Builds the lingua detector for the configured languages (validated non-empty).
    pub fn new(config: &DetectConfig) -> Self {
        let detector = LanguageDetectorBuilder::from_languages(&config.languages).build();
        Detector {
            detector,
            config: config.clone(),
        }
    }

    /// A first guess of a whole text's language (used to choose segmentation rules).
    pub fn guess(&self, text: &str) -> Option<String> {
        const SAMPLE_BYTES: usize = 1024;
        let mut end = text.len().min(SAMPLE_BYTES);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        self.detector.detect_language_of(&text[..end]).map(iso_code)
    }

    /// Labels the sentences of one document and returns the document's language and confidence.
    ///
    /// The document's language is the letter-weighted vote of its confidently detected prose
    /// sentences (`fallback` when there are none). Each sentence then keeps its own label only
    /// when it is long enough, unambiguous, and — if it differs from the document — confident
    /// enough and not merely a confusable sibling of the document's language.
    pub fn label(
        &self,
        sentences: &mut [Sentence],
        fallback: Option<&str>,
    ) -> (Option<String>, f64) {
        let mut scores: Vec<Scores> = Vec::with_capacity(sentences.len());
        let mut letters: Vec<usize> = Vec::with_capacity(sentences.len());
        for batch in sentences.chunks(DETECTION_BATCH) {
            let bodies: Vec<String> = batch.iter().map(detection_text).collect();
            letters.extend(bodies.iter().map(|b| count_letters(b)));
            scores.extend(
                self.detector
                    .compute_language_confidence_values_in_parallel(&bodies)
                    .into_iter()
                    .map(|values| {
                        // An exact allocation: `collect` would reserve room for all 31
                        // languages (the filter's upper bound) in every sentence's list.
                        let mut kept: Scores =
                            Vec::with_capacity(values.iter().filter(|(_, c)| *c > 0.0).count());
                        kept.extend(
                            values
                                .into_iter()
                                .filter(|(_, c)| *c > 0.0)
                                .map(|(l, c)| (crate::languages::static_code(l), c)),
                        );
                        kept
                    }),
            );
        }

        let mut votes: HashMap<&str, f64> = HashMap::new();
        let mut total = 0.0;
        for ((sentence, score), &n) in sentences.iter().zip(&scores).zip(&letters) {
            if sentence.boilerplate || n < self.config.min_letters {
                continue;
            }
            if let Some((code, _)) = score.first().filter(|_| self.is_clear(score)) {
                *votes.entry(code).or_default() += n as f64;
                total += n as f64;
            }
        }
        let doc_lang = votes
            .iter()
            .max_by(|a, b| a.1.total_cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(code, _)| code.to_string());
        let (doc_lang, doc_confidence) = match doc_lang {
            Some(code) => {
                // Votes for confusable siblings count for the group, not against it.
                let group_votes: f64 = votes
                    .iter()
                    .filter(|(c, _)| **c == code || self.confusable(c, &code))
                    .map(|(_, v)| v)
                    .sum();
                (
                    Some(code),
                    if total > 0.0 {
                        group_votes / total
                    } else {
                        0.0
                    },
                )
            }
            None => (fallback.map(str::to_string), 0.0),
        };

        for ((sentence, score), &n) in sentences.iter_mut().zip(&scores).zip(&letters) {
            let (lang, confidence, source) =
                self.decide(score, n, doc_lang.as_deref(), doc_confidence);
            sentence.lang = lang;
            sentence.lang_confidence = round3(confidence);
            sentence.lang_source = source;
        }
        (doc_lang, round3(doc_confidence))
    }

    fn decide(
        &self,
        score: &Scores,
        letters: usize,
        doc_lang: Option<&str>,
        doc_confidence: f64,
    ) -> (Option<String>, f64, LangSource) {
        let inherit = || match doc_lang {
            Some(d) => (Some(d.to_string()), doc_confidence, LangSource::Document),
            None => (None, 0.0, LangSource::None),
        };
        let Some((top, top_confidence)) = score.first() else {
            return inherit();
        };
        if letters < self.config.min_letters || !self.is_clear(score) {
            return inherit();
        }
        match doc_lang {
            Some(d) if d == *top => (Some(top.to_string()), *top_confidence, LangSource::Sentence),
            Some(d) if self.confusable(top, d) => {
                // Same group: the sentence's evidence supports the group, the document decides.
                let group: f64 = score
                    .iter()
                    .filter(|(c, _)| *c == d || self.confusable(c, d))
                    .map(|(_, v)| v)
                    .sum();
                (Some(d.to_string()), group.min(1.0), LangSource::Document)
            }
            Some(_) if *top_confidence < self.config.override_confidence => inherit(),
            _ => (Some(top.to_string()), *top_confidence, LangSource::Sentence),
        }
    }

    /// The best language leads the second by at least the configured margin.
    fn is_clear(&self, score: &Scores) -> bool {
        let first = score.first().map_or(0.0, |s| s.1);
        let second = score.get(1).map_or(0.0, |s| s.1);
        first > 0.0 && first - second >= self.config.margin
    }

    fn confusable(&self, a: &str, b: &str) -> bool {
        a != b
            && self
                .config
                .confusable
                .iter()
                .any(|g| g.iter().any(|c| c == a) && g.iter().any(|c| c == b))
    }
}

/// At most this many characters of a sentence go to the detector: the cost is linear in
/// the length and the label of a long sentence is settled well before this.
pub const MAX_DETECTION_CHARS: usize = 240;

/// The part of a sentence the detector looks at: the body after a speaker prefix, without
/// runs of two or more capitalised words inside the sentence (names and titles such as
/// "Boao Forum for Asia" or "Human Rights Watch" say nothing about the sentence's language),
/// unless too little would remain; cut to [`MAX_DETECTION_CHARS`].
pub fn detection_text(sentence: &Sentence) -> String {
    let body = &sentence.text[sentence.body_start..];
    let masked = mask_name_runs(body);
    let text = if count_letters(&masked) * 2 >= count_letters(body) {
        masked
    } else {
        body.to_string()
    };
    match text.char_indices().nth(MAX_DETECTION_CHARS) {
        // Cut at the last word boundary before the limit.
        Some((cut, _)) => {
            let cut = text[..cut].rfind(char::is_whitespace).unwrap_or(cut);
            text[..cut].to_string()
        }
        None => text,
    }
}

fn mask_name_runs(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let capitalised = |w: &str| {
        w.trim_start_matches(|c: char| !c.is_alphanumeric())
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
    };
    let connector = |w: &str| matches!(w, "for" | "of" | "the" | "and" | "on" | "de" | "in");
    let mut keep = vec![true; words.len()];
    let mut i = 1; // the first word is capitalised because it starts the sentence
    while i < words.len() {
        if capitalised(words[i]) {
            let mut j = i + 1;
            while j < words.len()
                && (capitalised(words[j])
                    || (connector(words[j]) && j + 1 < words.len() && capitalised(words[j + 1])))
            {
                j += 1;
            }
            if j - i >= 2 {
                keep[i..j].iter_mut().for_each(|k| *k = false);
            }
            i = j;
        } else {
            i += 1;
        }
    }
    words
        .iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(w, _)| *w)
        .collect::<Vec<_>>()
        .join(" ")
}

fn count_letters(text: &str) -> usize {
    text.chars().filter(|c| c.is_alphabetic()).count()
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_runs_are_masked() {
        assert_eq!(
            mask_name_runs("Konferensi Tahunan Boao Forum for Asia tahun ini adalah konferensi"),
            "Konferensi tahun ini adalah konferensi"
        );
        assert_eq!(
            mask_name_runs("Kami bertemu Huawei kemarin"),
            "Kami bertemu Huawei kemarin"
        );
    }
}
