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
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Binary { offset } => {
                write!(f, "binary file (NUL byte at byte offset {offset}), skipped")
            }
            DecodeError::InvalidUtf8 { offset } => write!(
                f,
                "invalid UTF-8 at byte offset {offset}, skipped (set input.lossy_utf8 = true or pass --lossy-utf8 to decode it with replacement characters)"
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
                .map_or_else(|| slash_path(input), |n| n.to_string_lossy().into_owned());
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
pub fn read(file: &InputFile, lossy_utf8: bool) -> Result<Document, SkippedInput> {
    let skip = |reason: String| SkippedInput {
        path: file.path.clone(),
        reason,
    };
    let bytes = read_input(&file.path).map_err(|e| skip(io_reason(&e)))?;
    let decoded = decode(&bytes, lossy_utf8).map_err(|e| skip(e.to_string()))?;
    if decoded.replaced > 0 {
        tracing::warn!(
            "{}: {} invalid UTF-8 sequence(s) replaced by U+FFFD",
            file.path.display(),
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
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied (cannot read)".into(),
        _ => format!("cannot read: {e}"),
    }
}

fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

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
