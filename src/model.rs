//! The data that flows between the pipeline stages: documents, sentences and skipped inputs.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Byte range into the original file (before decoding and NFC normalisation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ByteSpan {
    pub start: usize,
    pub end: usize,
}

/// One run of the normalised text and the original bytes it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    norm_start: usize,
    orig_start: usize,
    norm_len: usize,
    orig_len: usize,
    /// Original bytes per normalised byte when offsets inside the piece map linearly: 1 for
    /// text that is byte-for-byte the same, 2 for ASCII read from UTF-16; 0 for a changed
    /// piece (a composed character, a replaced byte, a transcoded non-ASCII character).
    stride: u8,
}

/// Maps byte offsets of the normalised text to byte offsets of the original file.
///
/// Text that normalisation did not change maps exactly; inside a changed piece (a composed
/// character, a replaced invalid byte) a start offset maps to the piece's start and an end
/// offset to its end, so a span never cuts an original character.
#[derive(Debug, Clone, Default)]
pub struct OffsetMap {
    pieces: Vec<Piece>,
}

impl OffsetMap {
    /// A piece that is byte-for-byte the same (`identical`) or changed.
    pub(crate) fn push(
        &mut self,
        norm_start: usize,
        orig_start: usize,
        norm_len: usize,
        orig_len: usize,
        identical: bool,
    ) {
        let stride = u8::from(identical);
        self.push_piece(norm_start, orig_start, norm_len, orig_len, stride);
    }

    /// A piece whose offsets map linearly with `stride` original bytes per normalised byte
    /// (0 = not linear: spans map to its ends).
    pub(crate) fn push_piece(
        &mut self,
        norm_start: usize,
        orig_start: usize,
        norm_len: usize,
        orig_len: usize,
        stride: u8,
    ) {
        if let Some(last) = self.pieces.last_mut()
            && last.stride != 0
            && last.stride == stride
            && last.norm_start + last.norm_len == norm_start
            && last.orig_start + last.orig_len == orig_start
        {
            last.norm_len += norm_len;
            last.orig_len += orig_len;
            return;
        }
        self.pieces.push(Piece {
            norm_start,
            orig_start,
            norm_len,
            orig_len,
            stride,
        });
    }

    fn piece_at(&self, offset: usize) -> Option<&Piece> {
        let i = self
            .pieces
            .partition_point(|p| p.norm_start + p.norm_len <= offset);
        self.pieces.get(i)
    }

    /// Original offset of a span start.
    pub fn start(&self, offset: usize) -> usize {
        match self.piece_at(offset) {
            Some(p) if p.stride > 0 => p.orig_start + (offset - p.norm_start) * p.stride as usize,
            Some(p) => p.orig_start,
            None => self.pieces.last().map_or(0, |p| p.orig_start + p.orig_len),
        }
    }

    /// Original offset of a span end (exclusive).
    pub fn end(&self, offset: usize) -> usize {
        if offset == 0 {
            return self.pieces.first().map_or(0, |p| p.orig_start);
        }
        match self.piece_at(offset - 1) {
            Some(p) if p.stride > 0 => p.orig_start + (offset - p.norm_start) * p.stride as usize,
            Some(p) => p.orig_start + p.orig_len,
            None => self.pieces.last().map_or(0, |p| p.orig_start + p.orig_len),
        }
    }
}

/// Where a sentence's language label came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LangSource {
    /// The detector was confident about the sentence itself.
    Sentence,
    /// The sentence was too short, ambiguous or not convincingly different from its
    /// document, and took the document's language.
    Document,
    /// Boilerplate or text without letters: no language is claimed beyond the document's.
    None,
}

impl Sentence {
    /// A sentence as segmentation makes it: its place in the document and the original
    /// file, its text and speaker; language, claim-likeness and translation come later.
    pub fn new(
        doc: &str,
        idx: usize,
        span: ByteSpan,
        paragraph: usize,
        text: &str,
        speaker: Option<(String, usize)>,
    ) -> Sentence {
        Sentence {
            doc: doc.to_string(),
            idx,
            start: span.start,
            end: span.end,
            paragraph,
            text: text.to_string(),
            lang: None,
            lang_confidence: 0.0,
            lang_source: LangSource::None,
            boilerplate: false,
            boilerplate_rule: None,
            body_start: speaker.as_ref().map_or(0, |(_, body)| *body),
            speaker: speaker.map(|(name, _)| name),
            claim_like: false,
            claim_rule: "",
            translation: None,
            backend: None,
            cached: None,
            translation_coverage: None,
            translation_error: None,
        }
    }
}

/// One input file after ingest: NFC text plus the map back to the original bytes.
#[derive(Debug, Clone)]
pub struct Document {
    /// Stable identifier: the path relative to the input it was found under.
    pub id: String,
    pub path: PathBuf,
    /// NFC-normalised text.
    pub text: String,
    /// Maps byte offsets of `text` to byte offsets of the original file.
    pub offsets: OffsetMap,
    /// Size of the original file in bytes.
    pub original_len: usize,
    /// Language of the document (ISO 639-1), `None` for a document without prose.
    pub lang: Option<String>,
    pub lang_confidence: f64,
    /// Number of invalid UTF-8 sequences replaced by U+FFFD (only with `lossy_utf8`).
    pub replaced_invalid_utf8: usize,
    /// Place of the file in the order inputs were found (sharded runs keep it, so that a
    /// merge writes documents in the order one unsharded run would).
    pub position: usize,
}

/// One sentence of a document (a line of `sentences.jsonl`; read back by `merge`, which
/// recomputes `body_start` and the claim-likeness).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sentence {
    /// Document id.
    pub doc: String,
    /// 0-based index of the sentence within its document.
    pub idx: usize,
    /// Byte offset of the first byte in the original file.
    pub start: usize,
    /// Byte offset one past the last byte in the original file.
    pub end: usize,
    /// 0-based paragraph index within the document.
    pub paragraph: usize,
    /// The sentence text (NFC).
    pub text: String,
    /// ISO 639-1 code, `null` when neither the sentence nor its document has a language.
    pub lang: Option<String>,
    /// Confidence of `lang` in [0, 1].
    pub lang_confidence: f64,
    pub lang_source: LangSource,
    /// Page furniture (navigation, captions, share buttons, ...): kept, skipped by later stages.
    pub boilerplate: bool,
    /// Which rule flagged the sentence as boilerplate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boilerplate_rule: Option<String>,
    /// A speaker prefix such as `Wang Wenbin` in `Wang Wenbin: ...`, excluded from detection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    /// Byte offset in `text` where the body after the speaker prefix starts.
    #[serde(skip)]
    pub body_start: usize,
    /// True when the sentence can carry a claim: comparable matching starts only from
    /// claim-like sentences (questions and formulas stay here but seed nothing).
    pub claim_like: bool,
    /// The claim-likeness rule that decided (`statement`, `question`, `questioner`,
    /// `formulaic`, `repeated`, `few content words`, `boilerplate`).
    #[serde(skip_deserializing)]
    pub claim_rule: &'static str,
    /// Translation into the pivot language (absent for pivot-language and boilerplate
    /// sentences, and when translation failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translation: Option<String>,
    /// Name of the backend that made the translation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    /// Share of the sentence's words the backend could translate (glossing backends such as
    /// `lexicon`); a low value means the gloss is too thin to trust.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translation_coverage: Option<f64>,
    /// True when the translation came from the cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cached: Option<bool>,
    /// Why the sentence has no translation although it needed one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translation_error: Option<String>,
}

/// An input that could not be processed, with the reason.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SkippedInput {
    /// Written in the lossless form of [`crate::display::lossless`]: two names that differ
    /// only in bytes that are not UTF-8 stay different.
    #[serde(serialize_with = "crate::display::serialize_lossless")]
    pub path: PathBuf,
    pub reason: String,
}
