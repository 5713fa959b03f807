//! Segmentation: paragraphs, then sentences, each with a byte span into the original file.
//!
//! Sentences come from `sentencex`, corrected with per-language abbreviation lists (a full
//! stop after `dll.` or `Jl.` does not end an Indonesian sentence) and a rule that a
//! Latin-script sentence does not start with a lower-case letter. A sentence never crosses a
//! paragraph. Boilerplate paragraphs are kept whole, as one flagged sentence.

mod abbreviations;
pub mod boilerplate;

use std::collections::HashSet;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::config::{ParagraphMode, SegmentConfig};
use crate::model::{ByteSpan, Document, Sentence};

/// `Wang Wenbin:`, `CCTV News :`, `Q:`: up to five capitalised words and a colon at the start.
static SPEAKER_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(\p{Lu}[\p{L}\p{M}\p{N}.'’&-]*(?:\s+(?:of|the|for|and|de|van|von|\p{Lu}[\p{L}\p{M}\p{N}.'’&-]*)){0,4})\s*:\s+\S",
    )
    .expect("valid regex")
});

/// Splits documents into sentences following the `[segment]` configuration.
pub struct Segmenter<'a> {
    config: &'a SegmentConfig,
}

impl<'a> Segmenter<'a> {
    pub fn new(config: &'a SegmentConfig) -> Self {
        Segmenter { config }
    }

    /// Sentences of `doc`, split with the rules of `lang` (ISO 639-1). Language fields are
    /// left for the detector to fill in.
    pub fn segment(&self, doc: &Document, lang: &str) -> Vec<Sentence> {
        let abbreviations = self.abbreviations(lang);
        let mut sentences = Vec::new();
        for (paragraph, range) in paragraphs(&doc.text, self.config.paragraphs)
            .into_iter()
            .enumerate()
        {
            let text = &doc.text[range.clone()];
            let rule = boilerplate::classify(text, self.config);
            let spans: Vec<Range<usize>> = if rule.is_some() {
                vec![range.clone()]
            } else {
                split_sentences(text, lang, &abbreviations)
                    .into_iter()
                    .map(|r| range.start + r.start..range.start + r.end)
                    .collect()
            };
            let spans: Vec<Range<usize>> = spans
                .into_iter()
                .flat_map(|span| bounded(&doc.text, span, MAX_SENTENCE_BYTES))
                .collect();
            for (i, span) in spans.into_iter().enumerate() {
                let sentence_text = &doc.text[span.clone()];
                let speaker = (i == 0 && rule.is_none())
                    .then(|| speaker_prefix(sentence_text))
                    .flatten();
                let mut sentence = Sentence::new(
                    &doc.id,
                    sentences.len(),
                    ByteSpan {
                        start: doc.offsets.start(span.start),
                        end: doc.offsets.end(span.end),
                    },
                    paragraph,
                    sentence_text,
                    speaker,
                );
                sentence.boilerplate = rule.is_some();
                sentence.boilerplate_rule = rule.clone();
                sentences.push(sentence);
            }
        }
        sentences
    }

    fn abbreviations(&self, lang: &str) -> HashSet<String> {
        let mut set: HashSet<String> = abbreviations::builtin(lang)
            .into_iter()
            .map(str::to_string)
            .collect();
        if let Some(extra) = self.config.abbreviations.get(lang) {
            set.extend(extra.iter().map(|a| a.trim_end_matches('.').to_lowercase()));
        }
        set
    }
}

/// The longest sentence kept whole, in bytes (about 700 English words): a longer run
/// without sentence punctuation (a 50 MB line) is cut at the last space before the limit, so
/// the memory and time every later stage spends per sentence stay bounded.
pub const MAX_SENTENCE_BYTES: usize = 4096;

/// `span` of `text`, cut into pieces of at most `max` bytes at the last whitespace before
/// the limit (at a character boundary when a piece has no whitespace); pieces are trimmed.
fn bounded(text: &str, span: Range<usize>, max: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = span.start;
    while span.end - start > max {
        let mut limit = start + max;
        while !text.is_char_boundary(limit) {
            limit -= 1;
        }
        let cut = text[start..limit]
            .rfind(char::is_whitespace)
            .map_or(limit, |i| start + i)
            .max(start + 1);
        let cut = if text.is_char_boundary(cut) {
            cut
        } else {
            limit
        };
        out.push(trimmed(text, start..cut));
        start = cut;
        while start < span.end && text[start..].starts_with(char::is_whitespace) {
            start += text[start..].chars().next().map_or(1, char::len_utf8);
        }
    }
    if start < span.end {
        out.push(trimmed(text, start..span.end));
    }
    out.retain(|r| !r.is_empty());
    out
}

fn trimmed(text: &str, span: Range<usize>) -> Range<usize> {
    let piece = &text[span.clone()];
    let start = span.start + (piece.len() - piece.trim_start().len());
    let end = span.end - (piece.len() - piece.trim_end().len());
    start..end.max(start)
}

/// Byte ranges (trimmed, non-empty) of the paragraphs of `text`.
pub fn paragraphs(text: &str, mode: ParagraphMode) -> Vec<Range<usize>> {
    let lines = line_ranges(text);
    let mode = match mode {
        ParagraphMode::Auto if looks_hard_wrapped(text, &lines) => ParagraphMode::BlankLine,
        ParagraphMode::Auto => ParagraphMode::Line,
        other => other,
    };
    let mut paragraphs = Vec::new();
    let mut current: Option<Range<usize>> = None;
    for line in lines {
        let blank = text[line.clone()].trim().is_empty();
        match (&mut current, blank) {
            (Some(p), false) if mode == ParagraphMode::BlankLine => p.end = line.end,
            (_, false) => {
                paragraphs.extend(current.take());
                current = Some(line);
            }
            (_, true) => paragraphs.extend(current.take()),
        }
    }
    paragraphs.extend(current);
    paragraphs
        .into_iter()
        .filter_map(|r| trim_range(text, r))
        .collect()
}

fn line_ranges(text: &str) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices('\n') {
        lines.push(start..i);
        start = i + 1;
    }
    if start < text.len() {
        lines.push(start..text.len());
    }
    lines
}

/// A text is hard-wrapped when most lines followed by another non-empty line break in the
/// middle of a sentence and fill the text's own line width: at least half as long as its
/// wrap width (the length that only a tenth of its lines exceed), whatever that width is (a
/// column of 25 characters as well as one of 80); lines of unwrapped text are paragraphs of
/// any length, and most end a sentence.
fn looks_hard_wrapped(text: &str, lines: &[Range<usize>]) -> bool {
    let mut lengths: Vec<usize> = lines
        .iter()
        .map(|l| text[l.clone()].trim().chars().count())
        .filter(|&n| n > 0)
        .collect();
    if lengths.len() < 3 {
        return false;
    }
    lengths.sort_unstable();
    let width = lengths[(lengths.len() * 9 / 10).min(lengths.len() - 1)];
    let mut joined = 0;
    let mut wrapped = 0;
    for pair in lines.windows(2) {
        let (a, b) = (text[pair[0].clone()].trim(), text[pair[1].clone()].trim());
        if a.is_empty() || b.is_empty() {
            continue;
        }
        joined += 1;
        let len = a.chars().count();
        let open = !a.ends_with(['.', '!', '?', ':', ';', '"', '”', '。', '！', '？']);
        // Below 30 characters a line may be a list item or a title; wrapped prose goes on in
        // lower case.
        let continues_lower = b.chars().next().is_some_and(char::is_lowercase);
        let narrow_ok = len >= 30 || continues_lower;
        if open && len >= 12 && 2 * len >= width && width <= MAX_WRAP_WIDTH && narrow_ok {
            wrapped += 1;
        }
    }
    joined >= 2 && wrapped * 10 >= joined * 6
}

/// The widest column a hard-wrapped text is taken to have.
const MAX_WRAP_WIDTH: usize = 160;

fn trim_range(text: &str, range: Range<usize>) -> Option<Range<usize>> {
    let slice = &text[range.clone()];
    let start = range.start + (slice.len() - slice.trim_start().len());
    let end = range.start + slice.trim_end().len();
    (start < end).then_some(start..end)
}

/// Sentence ranges within one paragraph (relative to it, trimmed).
fn split_sentences(
    paragraph: &str,
    lang: &str,
    abbreviations: &HashSet<String>,
) -> Vec<Range<usize>> {
    // Line breaks inside a paragraph are wrapped text: sentencex must not see them as breaks.
    // Replacing them by spaces keeps every byte offset.
    let flat = paragraph.replace(['\n', '\r'], " ");
    let mut pieces: Vec<Range<usize>> = sentencex::get_sentence_boundaries(lang, &flat)
        .into_iter()
        .filter_map(|b| trim_range(paragraph, b.start_byte..b.end_byte))
        .collect();
    if pieces.is_empty() {
        return trim_range(paragraph, 0..paragraph.len())
            .into_iter()
            .collect();
    }
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(pieces.len());
    for piece in pieces.drain(..) {
        match merged.last_mut() {
            Some(prev)
                if continues(
                    &paragraph[prev.clone()],
                    &paragraph[piece.clone()],
                    abbreviations,
                ) =>
            {
                prev.end = piece.end;
            }
            _ => merged.push(piece),
        }
    }
    merged
}

/// Whether `next` continues the sentence `prev` (the split after `prev` was wrong).
fn continues(prev: &str, next: &str, abbreviations: &HashSet<String>) -> bool {
    if !prev.ends_with('.') {
        return false;
    }
    let last_word = prev
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"' || c == '“')
        .next()
        .unwrap_or("")
        .trim_end_matches('.')
        .to_lowercase();
    if abbreviations.contains(&last_word) {
        return true;
    }
    next.chars()
        .find(|c| !matches!(c, '"' | '“' | '\'' | '‘' | '(' | '«'))
        .is_some_and(char::is_lowercase)
}

/// The speaker name and the byte offset where the body starts, for `Name: text`.
pub fn speaker_prefix(sentence: &str) -> Option<(String, usize)> {
    let captures = SPEAKER_PREFIX.captures(sentence)?;
    let whole = captures.get(0)?;
    let name = captures.get(1)?.as_str().trim().to_string();
    // The match ends on the first character of the body.
    let body = whole.end() - whole.as_str().chars().last().map_or(0, char::len_utf8);
    Some((name, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlong_sentences_are_cut_at_spaces_within_the_bound() {
        let text = "word ".repeat(3000) + "end";
        let pieces = bounded(&text, 0..text.len(), 100);
        assert!(pieces.iter().all(|r| r.len() <= 100 && !r.is_empty()));
        assert!(
            pieces
                .iter()
                .all(|r| !text[r.clone()].starts_with(' ') && !text[r.clone()].ends_with(' '))
        );
        let rejoined: Vec<&str> = pieces.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(rejoined.join(" "), text);
        // Without spaces (or in CJK), at a character boundary.
        let cjk = "東京".repeat(100);
        let pieces = bounded(&cjk, 0..cjk.len(), 100);
        assert!(pieces.iter().all(|r| r.len() <= 100
            && cjk.is_char_boundary(r.start)
            && cjk.is_char_boundary(r.end)));
        assert_eq!(
            pieces.iter().map(|r| &cjk[r.clone()]).collect::<String>(),
            cjk
        );
        // A short sentence is left alone.
        assert_eq!(bounded("A short one.", 0..12, 100), vec![0..12]);
    }

    fn split(text: &str, lang: &str) -> Vec<String> {
        let abbreviations: HashSet<String> = abbreviations::builtin(lang)
            .into_iter()
            .map(str::to_string)
            .collect();
        split_sentences(text, lang, &abbreviations)
            .into_iter()
            .map(|r| text[r].to_string())
            .collect()
    }

    #[test]
    fn english_dateline_and_abbreviations_stay_in_one_sentence() {
        let s = split(
            "LONDON/BRUSSELS, Jan. 27 (Xinhua) -- Senior Chinese diplomats in Europe have recently slammed the \"groundless\" accusation. Mr. Smith met U.S. officials. No. 5 was there.",
            "en",
        );
        assert_eq!(s.len(), 3, "{s:?}");
        assert!(s[0].starts_with("LONDON/BRUSSELS, Jan. 27 (Xinhua) --"));
        assert_eq!(s[1], "Mr. Smith met U.S. officials.");
    }

    #[test]
    fn quotes_close_with_their_sentence() {
        let s = split(
            "\"If left unchecked, they could disrupt market rules,\" he wrote. \"Is it true?\" she asked. He left.",
            "en",
        );
        assert_eq!(
            s,
            [
                "\"If left unchecked, they could disrupt market rules,\" he wrote.",
                "\"Is it true?\" she asked.",
                "He left."
            ]
        );
    }

    #[test]
    fn indonesian_abbreviations_and_numbers() {
        let s = split(
            "Kami membeli buku, pensil, dll. untuk sekolah. Bpk. Ahmad tinggal di Jl. Sudirman No. 5. Sebanyak 830.000 orang dan 1.500 desa terdampak, senilai 3 miliar dolar.",
            "id",
        );
        assert_eq!(
            s,
            [
                "Kami membeli buku, pensil, dll. untuk sekolah.",
                "Bpk. Ahmad tinggal di Jl. Sudirman No. 5.",
                "Sebanyak 830.000 orang dan 1.500 desa terdampak, senilai 3 miliar dolar."
            ]
        );
    }

    #[test]
    fn chinese_terminators() {
        let s = split(
            "中国是一个大国。我们爱和平！你好吗？他说：“好的。”然后走了。",
            "zh",
        );
        assert_eq!(
            s,
            [
                "中国是一个大国。",
                "我们爱和平！",
                "你好吗？",
                "他说：“好的。”",
                "然后走了。"
            ]
        );
    }

    #[test]
    fn speaker_prefixes() {
        assert_eq!(
            speaker_prefix("Wang Wenbin: Saya tidak tahu."),
            Some(("Wang Wenbin".into(), 13))
        );
        assert_eq!(
            speaker_prefix("CCTV News :  Pagi ini").map(|s| s.0),
            Some("CCTV News".into())
        );
        assert_eq!(
            speaker_prefix("Q: According to reports").map(|s| s.0),
            Some("Q".into())
        );
        assert_eq!(speaker_prefix("The minister said: no."), None);
    }

    #[test]
    fn narrow_hard_wrapped_spanish_and_indonesian_text_is_joined() {
        let spanish = "El gobierno anunció hoy\nun plan para reducir los\nprecios del pan en las\nescuelas rurales del sur.\n\nLa oposición rechazó la\npropuesta de cerrar los\nhospitales pequeños.\n";
        let p = paragraphs(spanish, ParagraphMode::Auto);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(spanish[p[0].clone()].ends_with("escuelas rurales del sur."));
        let indonesian = "Kami dengan tegas\nmenentang dan sama sekali\nmenolak tuduhan tidak\nberdasar dan fitnah\nmereka.\n\nTiongkok siap memperkuat\ndialog dan kerja sama\ndengan semua pihak.\n";
        let p = paragraphs(indonesian, ParagraphMode::Auto);
        assert_eq!(p.len(), 2, "{p:?}");
        let sentences = split(
            "Kami dengan tegas\nmenentang dan sama sekali\nmenolak tuduhan tidak\nberdasar dan fitnah\nmereka.",
            "id",
        );
        assert_eq!(sentences.len(), 1, "{sentences:?}");
        // One paragraph per line stays so, short lines and all; so does a list of short
        // items without punctuation.
        let lines = "Judul Berita\nIni kalimat pertama yang cukup panjang untuk sebuah paragraf.\nIni paragraf kedua.\nDan yang ketiga juga berakhir dengan titik.\n";
        assert_eq!(paragraphs(lines, ParagraphMode::Auto).len(), 4);
        let list = "Kebijakan luar negeri\nKerja sama ekonomi\nPertahanan dan keamanan\nPendidikan dan budaya\n";
        assert_eq!(paragraphs(list, ParagraphMode::Auto).len(), 4);
    }

    #[test]
    fn paragraphs_by_line_and_by_blank_line() {
        let text = "First para.\nSecond para.\n\n  Third.  \n";
        let p = paragraphs(text, ParagraphMode::Line);
        let got: Vec<&str> = p.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(got, ["First para.", "Second para.", "Third."]);
        let wrapped = "This line is wrapped in the middle of a\nsentence that goes on and on for a while\nand then ends here.\n\nNew paragraph.";
        let p = paragraphs(wrapped, ParagraphMode::Auto);
        assert_eq!(p.len(), 2);
        assert!(wrapped[p[0].clone()].ends_with("ends here."));
    }
}
