//! Ingest: finds the input files, decodes them as UTF-8, NFC-normalises them and keeps a map
//! from every normalised byte offset back to the original file, so that no span is ever lost.
//!
//! Problems with one file (unreadable, binary, invalid UTF-8) are reported as
//! [`SkippedInput`]s and never stop the others.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::config::InputConfig;
use crate::model::{Document, OffsetMap, SkippedInput};

/// Why a file's bytes could not be turned into text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// A NUL byte at this offset: the file is binary.
    Binary { offset: usize },
    /// Invalid UTF-8 starting at this byte offset.
    InvalidUtf8 { offset: usize },
    /// A byte sequence that is not valid in the declared or BOM-marked encoding.
    Malformed {
        offset: usize,
        encoding: &'static str,
    },
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Binary { offset } => {
                write!(f, "binary file (NUL byte at byte offset {offset}), skipped")
            }
            DecodeError::InvalidUtf8 { offset } => write!(
                f,
                "invalid UTF-8 at byte offset {offset}, skipped (set input.encoding to the file's encoding, such as \"windows-1252\", or input.lossy_utf8 = true / --lossy-utf8 to decode it with replacement characters)"
            ),
            DecodeError::Malformed { offset, encoding } => write!(
                f,
                "invalid {encoding} at byte offset {offset}, skipped (input.lossy_utf8 = true or --lossy-utf8 replaces it)"
            ),
        }
    }
}

/// Decoded, NFC-normalised text with its offset map and the number of invalid sequences replaced.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    pub offsets: OffsetMap,
    pub replaced: usize,
}

/// Decodes `bytes` and NFC-normalises the text: a UTF-16 byte-order mark (little or big
/// endian) or a declared `encoding` other than UTF-8 (`input.encoding`, such as
/// `windows-1252`) transcodes; anything else is UTF-8 (a UTF-8 byte-order mark is skipped).
pub fn decode_with(
    bytes: &[u8],
    encoding: Option<&'static encoding_rs::Encoding>,
    lossy: bool,
) -> Result<Decoded, DecodeError> {
    let (encoding, bom) = match encoding_rs::Encoding::for_bom(bytes) {
        Some((found, bom)) => (Some(found), bom),
        None => (encoding, 0),
    };
    match encoding {
        Some(e) if e != encoding_rs::UTF_8 => {
            // NUL bytes belong in UTF-16 text; in any other encoding they mean binary.
            let utf16 = e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE;
            if let Some(offset) = bytes.iter().position(|&b| b == 0).filter(|_| !utf16) {
                return Err(DecodeError::Binary { offset });
            }
            transcode(bytes, bom, e, lossy)
        }
        _ => decode(bytes, lossy),
    }
}

/// Decodes `bytes` in a non-UTF-8 encoding, one input byte at a time so that every character
/// keeps the original bytes it came from: ASCII read from UTF-16 or a single-byte encoding
/// maps linearly, other characters as whole pieces.
fn transcode(
    bytes: &[u8],
    bom: usize,
    encoding: &'static encoding_rs::Encoding,
    lossy: bool,
) -> Result<Decoded, DecodeError> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    // (characters, first original byte, original bytes) in order.
    let mut chars: Vec<(char, usize, usize)> = Vec::with_capacity(bytes.len());
    let mut replaced = 0;
    let mut piece = String::with_capacity(8);
    let mut pending = bom;
    let mut at = bom;
    while at <= bytes.len() {
        let last = at == bytes.len();
        let input = if last { &[][..] } else { &bytes[at..at + 1] };
        piece.clear();
        piece.reserve(16);
        let (result, _) = decoder.decode_to_string_without_replacement(input, &mut piece, last);
        if let encoding_rs::DecoderResult::Malformed(..) = result {
            if !lossy {
                return Err(DecodeError::Malformed {
                    offset: pending,
                    encoding: encoding.name(),
                });
            }
            piece.push(char::REPLACEMENT_CHARACTER);
            replaced += 1;
        }
        if !last {
            at += 1;
        }
        if !piece.is_empty() {
            // The characters came from the bytes read since the last ones.
            let end = at.max(pending);
            let count = piece.chars().count();
            for (k, c) in piece.chars().enumerate() {
                // Several characters from one sequence share its bytes (the last takes them).
                let (start, len) = if k + 1 == count {
                    (pending, end - pending)
                } else {
                    (pending, 0)
                };
                chars.push((c, start, len));
            }
            pending = end;
        }
        if last {
            break;
        }
    }
    let mut text = String::with_capacity(chars.len());
    let mut offsets = OffsetMap::default();
    normalise_transcoded(&chars, &mut text, &mut offsets);
    Ok(Decoded {
        text,
        offsets,
        replaced,
    })
}

/// NFC-normalises transcoded characters into `out`, in pieces that break before every
/// character that cannot combine with what precedes it (as [`normalise_into`] does); a
/// piece that normalisation leaves alone keeps its characters' own offsets.
fn normalise_transcoded(chars: &[(char, usize, usize)], out: &mut String, offsets: &mut OffsetMap) {
    let mut start = 0;
    while start < chars.len() {
        let mut end = start + 1;
        while end < chars.len()
            && (is_combining_mark(chars[end].0)
                || ('\u{1160}'..='\u{11FF}').contains(&chars[end].0))
        {
            end += 1;
        }
        let piece: String = chars[start..end].iter().map(|c| c.0).collect();
        let normalised: String = piece.nfc().collect();
        if normalised == piece {
            for &(c, orig_start, orig_len) in &chars[start..end] {
                let norm_len = c.len_utf8();
                let stride = match orig_len {
                    n if n == norm_len => 1,
                    n if n == 2 * norm_len => 2,
                    _ => 0,
                };
                offsets.push_piece(out.len(), orig_start, norm_len, orig_len, stride);
                out.push(c);
            }
        } else {
            let orig_start = chars[start].1;
            let orig_end = chars[end - 1].1 + chars[end - 1].2;
            offsets.push_piece(
                out.len(),
                orig_start,
                normalised.len(),
                orig_end - orig_start,
                0,
            );
            out.push_str(&normalised);
        }
        start = end;
    }
}

/// Decodes `bytes` as UTF-8 (skipping a byte-order mark) and NFC-normalises the text.
pub fn decode(bytes: &[u8], lossy: bool) -> Result<Decoded, DecodeError> {
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(DecodeError::Binary { offset });
    }
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut text = String::with_capacity(bytes.len());
    let mut offsets = OffsetMap::default();
    let mut replaced = 0;
    let mut orig = bom;
    for chunk in bytes[bom..].utf8_chunks() {
        normalise_into(chunk.valid(), orig, &mut text, &mut offsets);
        orig += chunk.valid().len();
        let invalid = chunk.invalid();
        if !invalid.is_empty() {
            if !lossy {
                return Err(DecodeError::InvalidUtf8 { offset: orig });
            }
            let at = text.len();
            text.push(char::REPLACEMENT_CHARACTER);
            offsets.push(at, orig, text.len() - at, invalid.len(), false);
            orig += invalid.len();
            replaced += 1;
        }
    }
    Ok(Decoded {
        text,
        offsets,
        replaced,
    })
}

/// NFC-normalises `valid` (which starts at `orig_start` in the file) into `out`, piece by piece.
///
/// Pieces break before every character that cannot combine with what precedes it (not a
/// combining mark, not a Hangul medial/final jamo), so normalising pieces separately gives the
/// same text as normalising the whole.
fn normalise_into(valid: &str, orig_start: usize, out: &mut String, offsets: &mut OffsetMap) {
    if unicode_normalization::is_nfc(valid) {
        offsets.push(out.len(), orig_start, valid.len(), valid.len(), true);
        out.push_str(valid);
        return;
    }
    let mut piece_start = 0;
    let boundaries = valid
        .char_indices()
        .filter(|&(i, c)| i > 0 && !is_combining_mark(c) && !('\u{1160}'..='\u{11FF}').contains(&c))
        .map(|(i, _)| i)
        .chain(std::iter::once(valid.len()));
    for boundary in boundaries {
        let piece = &valid[piece_start..boundary];
        let norm_start = out.len();
        out.extend(piece.nfc());
        let norm = &out[norm_start..];
        let identical = norm == piece;
        offsets.push(
            norm_start,
            orig_start + piece_start,
            norm.len(),
            piece.len(),
            identical,
        );
        piece_start = boundary;
    }
}

/// A file to read and the id it will have.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub id: String,
    pub path: PathBuf,
}

/// The path that stands for standard input.
pub const STDIN: &str = "-";

/// The document id of standard input.
pub const STDIN_ID: &str = "stdin";

/// True for `-`.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == STDIN
}

/// The bytes of an input: the file, or all of standard input for `-`. Standard input can be
/// read once per process; naming it twice is an error, not an empty second input.
pub fn read_input(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    use std::sync::atomic::{AtomicBool, Ordering};
    static STDIN_TAKEN: AtomicBool = AtomicBool::new(false);
    if !is_stdin(path) {
        return std::fs::read(path);
    }
    if STDIN_TAKEN.swap(true, Ordering::SeqCst) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "standard input (-) is named more than once",
        ));
    }
    let mut bytes = Vec::new();
    std::io::stdin().lock().read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Expands the inputs into a sorted, de-duplicated list of files. Directories are walked
/// recursively and filtered by the include/exclude globs; files named directly are always
/// taken. Inputs that do not exist or cannot be listed are reported as skipped.
pub fn discover(inputs: &[PathBuf], config: &InputConfig) -> (Vec<InputFile>, Vec<SkippedInput>) {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut seen_paths = HashSet::new();
    let mut seen_ids = HashSet::new();
    for input in inputs {
        if is_stdin(input) {
            if seen_ids.insert(STDIN_ID.to_string()) {
                files.push(InputFile {
                    id: STDIN_ID.into(),
                    path: input.clone(),
                });
            }
            continue;
        }
        let metadata = match std::fs::metadata(input) {
            Ok(m) => m,
            Err(e) => {
                skipped.push(SkippedInput {
                    path: input.clone(),
                    reason: io_reason(&e),
                });
                continue;
            }
        };
        if !metadata.is_dir() && !metadata.is_file() {
            // Reading a FIFO, socket or device named directly would hang or never end.
            skipped.push(SkippedInput {
                path: input.clone(),
                reason: format!(
                    "not a regular file ({}); name a file or directory, or `-` for standard input",
                    special_kind(&metadata)
                ),
            });
            continue;
        }
        let mut found: Vec<(String, PathBuf)> = Vec::new();
        if metadata.is_dir() {
            for entry in walkdir::WalkDir::new(input)
                .follow_links(true)
                .sort_by_file_name()
            {
                let entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        let path = e.path().map_or_else(|| input.clone(), Path::to_path_buf);
                        let reason = e.io_error().map_or_else(|| e.to_string(), io_reason);
                        skipped.push(SkippedInput { path, reason });
                        continue;
                    }
                };
                if !entry.file_type().is_file() {
                    continue;
                }
                let relative = entry.path().strip_prefix(input).unwrap_or(entry.path());
                if !config.include.is_empty() && !config.include.is_match(relative) {
                    continue;
                }
                if config.exclude.is_match(relative) {
                    continue;
                }
                found.push((slash_path(relative), entry.path().to_path_buf()));
            }
        } else {
            let name = input
                .file_name()
                .map_or_else(|| slash_path(input), crate::display::lossless);
            found.push((name, input.clone()));
        }
        for (id, path) in found {
            let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if !seen_paths.insert(canonical) {
                continue;
            }
            let mut unique = id.clone();
            let mut n = 2;
            while !seen_ids.insert(unique.clone()) {
                unique = format!("{id}#{n}");
                n += 1;
            }
            files.push(InputFile { id: unique, path });
        }
    }
    (files, skipped)
}

/// Reads and decodes one file into a [`Document`] (language not yet known).
pub fn read(
    file: &InputFile,
    encoding: Option<&'static encoding_rs::Encoding>,
    lossy_utf8: bool,
) -> Result<Document, SkippedInput> {
    let skip = |reason: String| SkippedInput {
        path: file.path.clone(),
        reason,
    };
    let bytes = read_input(&file.path).map_err(|e| skip(io_reason(&e)))?;
    let decoded = decode_with(&bytes, encoding, lossy_utf8).map_err(|e| skip(e.to_string()))?;
    if decoded.replaced > 0 {
        tracing::warn!(
            "{}: {} invalid UTF-8 sequence(s) replaced by U+FFFD",
            crate::display::path(&file.path),
            decoded.replaced
        );
    }
    Ok(new_document(
        &file.id,
        file.path.clone(),
        decoded,
        bytes.len(),
    ))
}

/// A [`Document`] from text that did not come from a file (standard input, tests): already
/// valid UTF-8, so only NFC normalisation applies.
pub fn document_from_text(id: &str, text: &str) -> Document {
    let mut decoded = Decoded {
        text: String::with_capacity(text.len()),
        offsets: OffsetMap::default(),
        replaced: 0,
    };
    normalise_into(text, 0, &mut decoded.text, &mut decoded.offsets);
    new_document(id, PathBuf::from(id), decoded, text.len())
}

fn new_document(id: &str, path: PathBuf, decoded: Decoded, original_len: usize) -> Document {
    Document {
        id: id.to_string(),
        path,
        text: decoded.text,
        offsets: decoded.offsets,
        original_len,
        lang: None,
        lang_confidence: 0.0,
        replaced_invalid_utf8: decoded.replaced,
        position: 0,
    }
}

/// What kind of special file `metadata` describes, for messages.
fn special_kind(metadata: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let kind = metadata.file_type();
    if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else {
        "a special file"
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied (cannot read)".into(),
        _ => format!("cannot read: {e}"),
    }
}

/// A document id: the path's components joined by `/`, bytes that are not UTF-8 as `\xNN`
/// (two such names never share an id).
fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| crate::display::lossless(c.as_os_str()))
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The original bytes of every span from a character boundary to the end and from the
    /// start to a character boundary, decoded again (and NFC-normalised), give the text back.
    fn spans_round_trip(
        original: &[u8],
        decoded: &Decoded,
        encoding: &'static encoding_rs::Encoding,
    ) {
        let len = decoded.text.len();
        let boundaries: Vec<usize> = decoded.text.char_indices().map(|(i, _)| i).collect();
        let spans = boundaries
            .iter()
            .map(|&b| (b, len))
            .chain(boundaries.iter().skip(1).map(|&b| (0, b)));
        for (start, end) in spans {
            let (a, b) = (decoded.offsets.start(start), decoded.offsets.end(end));
            let (back, _) = encoding.decode_without_bom_handling(&original[a..b]);
            let back: String = back.nfc().collect();
            if decoded.text.is_char_boundary(start) && decoded.text.is_char_boundary(end) {
                assert_eq!(
                    back,
                    &decoded.text[start..end],
                    "span {start}..{end} → {a}..{b}"
                );
            }
        }
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_decoded_with_spans_on_its_bytes() {
        // With a decomposed "e" + U+0301, which NFC composes.
        let text = "Héllo wörld — ünïcode 🚀 cafe\u{301}. Zweiter Satz.";
        for (bom, encoding) in [
            (vec![0xFF, 0xFE], encoding_rs::UTF_16LE),
            (vec![0xFE, 0xFF], encoding_rs::UTF_16BE),
        ] {
            let mut bytes = bom.clone();
            for unit in text.encode_utf16() {
                let pair = if encoding == encoding_rs::UTF_16LE {
                    unit.to_le_bytes()
                } else {
                    unit.to_be_bytes()
                };
                bytes.extend(pair);
            }
            let decoded = decode_with(&bytes, None, false).unwrap();
            assert_eq!(decoded.text, text.nfc().collect::<String>());
            spans_round_trip(&bytes, &decoded, encoding);
            // ASCII runs map linearly: "Zweiter" starts where its UTF-16 units start.
            let z = decoded.text.find("Zweiter").unwrap();
            let units_before = text[..text.find("Zweiter").unwrap()].encode_utf16().count();
            assert_eq!(decoded.offsets.start(z), 2 + 2 * units_before);
        }
    }

    #[test]
    fn a_declared_legacy_encoding_is_transcoded_and_nfc_normalised() {
        // windows-1252: "café crème" plus a decomposed "e" + U+0301 is not possible there, so
        // check NFC on ISO-8859-1 text of precomposed letters and spans byte by byte.
        let bytes = b"Caf\xe9 cr\xe8me br\xfbl\xe9e. Na\xefve r\xe9sum\xe9.";
        let decoded = decode_with(bytes, Some(encoding_rs::WINDOWS_1252), false).unwrap();
        assert_eq!(decoded.text, "Café crème brûlée. Naïve résumé.");
        spans_round_trip(bytes, &decoded, encoding_rs::WINDOWS_1252);
        let n = decoded.text.find("Naïve").unwrap();
        assert_eq!(decoded.offsets.start(n), 19);
        // Shift_JIS, a multi-byte legacy encoding.
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("東京は晴れ。明日は雨。");
        let decoded = decode_with(&sjis, Some(encoding_rs::SHIFT_JIS), false).unwrap();
        assert_eq!(decoded.text, "東京は晴れ。明日は雨。");
        spans_round_trip(&sjis, &decoded, encoding_rs::SHIFT_JIS);
        // Invalid bytes in the declared encoding are an error unless lossy.
        let bad = b"\x82\xa0\x82";
        assert!(matches!(
            decode_with(bad, Some(encoding_rs::SHIFT_JIS), false),
            Err(DecodeError::Malformed { .. })
        ));
        let lossy = decode_with(bad, Some(encoding_rs::SHIFT_JIS), true).unwrap();
        assert_eq!(lossy.text, "あ\u{FFFD}");
        assert_eq!(lossy.replaced, 1);
    }

    #[test]
    fn nfc_text_maps_identically() {
        let d = decode("Héllo wörld".as_bytes(), false).unwrap();
        assert_eq!(d.text, "Héllo wörld");
        assert_eq!(d.offsets.start(7), 7);
        assert_eq!(d.offsets.end(d.text.len()), d.text.len());
    }

    #[test]
    fn decomposed_text_is_composed_and_spans_point_at_original_bytes() {
        // "Cafe\u{301} ok": the decomposed é takes 3 bytes in the original, 2 after NFC.
        let original = "Cafe\u{301} ok";
        let d = decode(original.as_bytes(), false).unwrap();
        assert_eq!(d.text, "Café ok");
        let ok = d.text.find("ok").unwrap();
        assert_eq!(&original[d.offsets.start(ok)..d.offsets.end(ok + 2)], "ok");
        let cafe_end = d.text.find(' ').unwrap();
        assert_eq!(
            &original[d.offsets.start(0)..d.offsets.end(cafe_end)],
            "Cafe\u{301}"
        );
    }

    #[test]
    fn bom_is_skipped_but_counted() {
        let d = decode(b"\xEF\xBB\xBFabc", false).unwrap();
        assert_eq!(d.text, "abc");
        assert_eq!(d.offsets.start(0), 3);
        assert_eq!(d.offsets.end(3), 6);
    }

    #[test]
    fn invalid_utf8_reports_the_byte_offset() {
        assert_eq!(
            decode(b"abc\xFFdef", false).unwrap_err(),
            DecodeError::InvalidUtf8 { offset: 3 }
        );
        let d = decode(b"abc\xFFdef", true).unwrap();
        assert_eq!(d.text, "abc\u{FFFD}def");
        assert_eq!(d.replaced, 1);
        let def = d.text.find("def").unwrap();
        assert_eq!(d.offsets.start(def), 4);
    }

    #[test]
    fn nul_bytes_mean_binary() {
        assert_eq!(
            decode(b"ab\0c", false).unwrap_err(),
            DecodeError::Binary { offset: 2 }
        );
    }
}
