//! Text for terminals and logs: paths and server text with control characters escaped, so a
//! file name or an answer can neither forge a line nor retitle or clear the terminal.

use std::borrow::Cow;
use std::path::Path;

/// `text` with every control character (C0, DEL, C1, and the bidirectional overrides that
/// reorder what a terminal shows) written as `\u{..}` (`\n`, `\r`, `\t` as those escapes).
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A path for messages: [`escape`]d, and bytes that are not UTF-8 written as `\xNN`, so two
/// different names never look the same.
pub fn path(path: impl AsRef<Path>) -> String {
    escape(&lossless(path)).into_owned()
}

/// The path as text without loss: bytes that are not UTF-8 as `\xNN` (and a literal
/// backslash before `x` doubled, so the form reads back unambiguously).
pub fn lossless(path: impl AsRef<Path>) -> String {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_ref().as_os_str().as_bytes();
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(&chunk.valid().replace("\\x", "\\\\x"));
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

/// Serde: a path as its [`lossless`] form.
pub fn serialize_lossless<S: serde::Serializer>(
    path: &std::path::PathBuf,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&lossless(path))
}

/// Problems grouped by reason, in first-seen order: each reason once with the places it
/// applies to, so a dead server's message is printed once and not for every sentence.
pub fn by_reason<'a>(
    problems: impl IntoIterator<Item = (String, &'a str)>,
) -> Vec<(&'a str, Vec<String>)> {
    let mut reasons: Vec<(&str, Vec<String>)> = Vec::new();
    for (place, reason) in problems {
        match reasons.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, places)) => places.push(place),
            None => reasons.push((reason, vec![place])),
        }
    }
    reasons
}

/// The lines [`by_reason`] prints: `PLACE: REASON` for one place, `N WHAT (PLACE, …):
/// REASON` for more.
pub fn reason_lines(reasons: &[(&str, Vec<String>)], what: &str) -> Vec<String> {
    reasons
        .iter()
        .map(|(reason, places)| match places.as_slice() {
            [one] => format!("{one}: {reason}"),
            [first, ..] => format!("{} {what} ({first}, …): {reason}", places.len()),
            [] => String::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    #[test]
    fn control_characters_are_escaped_and_plain_text_is_borrowed() {
        assert!(matches!(escape("plain.txt"), Cow::Borrowed(_)));
        assert_eq!(
            escape("esc\u{1b}]0;PWNED\u{7}\u{1b}[2J.txt"),
            "esc\\u{1b}]0;PWNED\\u{7}\\u{1b}[2J.txt"
        );
        assert_eq!(escape("a\n  forged.txt"), "a\\n  forged.txt");
        assert_eq!(escape("x\u{202e}txt.exe"), "x\\u{202e}txt.exe");
    }

    #[test]
    fn names_that_are_not_utf8_stay_different() {
        let a = Path::new(OsStr::from_bytes(b"bad\xff.txt"));
        let b = Path::new(OsStr::from_bytes(b"bad\xfe.txt"));
        assert_eq!(path(a), "bad\\xFF.txt");
        assert_ne!(path(a), path(b));
        assert_eq!(lossless(Path::new("a\\xFF")), "a\\\\xFF");
    }
}
