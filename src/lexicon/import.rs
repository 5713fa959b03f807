//! `transalign lexicon import`: turns raw bilingual dictionaries into transalign's lexicon
//! format (`source<TAB>english|english|...`, one entry per source word or phrase).
//!
//! English-headed sources (Wiktionary extractions, FreeDict dictd files) are inverted;
//! source-headed ones (`tsv`: `word<TAB>translation`, `muse`: `word translation`) are taken
//! as they are. English alternatives are ranked by how many senses and sources agree and by
//! where the word stood in its translation list.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;

/// Input formats of `lexicon import`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SourceFormat {
    /// `headword {pos} (gloss) :: tr1, tr2` (English-headed; inverted).
    Wiktionary,
    /// dictd `.index` (with its `.dict.dz` or `.dict` beside it), English-headed; inverted.
    Freedict,
    /// `word<TAB>translation[<TAB>...]`, source-headed.
    Tsv,
    /// MUSE bilingual dictionaries: `word translation` separated by a space or tab.
    Muse,
}

/// Errors of an import, naming the file and line.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error("{location}: {message}")]
    Syntax { location: String, message: String },
}

/// (source term, English, rank penalty) pairs collected from the sources.
#[derive(Debug, Default)]
pub struct Collected {
    /// source term → English → (agreeing senses, best position in a translation list)
    pairs: BTreeMap<String, HashMap<String, (u32, u32)>>,
}

impl Collected {
    fn add(&mut self, source: &str, english: &str, position: u32) {
        let source = clean_term(source).to_lowercase();
        let english = clean_term(english);
        if source.is_empty() || english.is_empty() || !source.chars().any(char::is_alphabetic) {
            return;
        }
        let entry = self
            .pairs
            .entry(source)
            .or_default()
            .entry(english)
            .or_insert((0, u32::MAX));
        entry.0 += 1;
        entry.1 = entry.1.min(position);
    }

    /// Reads one source file.
    pub fn read(&mut self, format: SourceFormat, path: &Path) -> Result<(), ImportError> {
        let read_error = |message: String| ImportError::Read {
            path: crate::display::path(path),
            message,
        };
        if format == SourceFormat::Freedict {
            return self.read_freedict(path);
        }
        let text = std::fs::read_to_string(path).map_err(|e| read_error(e.to_string()))?;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let location = || format!("{}:{}", crate::display::path(path), n + 1);
            match format {
                SourceFormat::Wiktionary => {
                    let (head, translations) =
                        line.split_once(" :: ").ok_or_else(|| ImportError::Syntax {
                            location: location(),
                            message: "expected `headword {pos} (gloss) :: translations`".into(),
                        })?;
                    let headword = head.split(" {").next().unwrap_or(head).trim();
                    let proper = head.contains("{prop}");
                    for (i, t) in split_translations(translations).enumerate() {
                        let english = if proper {
                            headword.to_string()
                        } else {
                            lower_unless_acronym(headword)
                        };
                        self.add(&t, &english, i as u32);
                    }
                }
                SourceFormat::Tsv | SourceFormat::Muse => {
                    let mut parts = if format == SourceFormat::Tsv {
                        line.split('\t').collect::<Vec<_>>()
                    } else {
                        line.splitn(2, [' ', '\t']).collect::<Vec<_>>()
                    };
                    if parts.len() < 2 {
                        return Err(ImportError::Syntax {
                            location: location(),
                            message: "expected a word, a separator and its translation".into(),
                        });
                    }
                    let source = parts.remove(0);
                    for (i, english) in parts.iter().flat_map(|p| p.split('|')).enumerate() {
                        self.add(source, english.trim(), i as u32);
                    }
                }
                SourceFormat::Freedict => unreachable!("handled above"),
            }
        }
        Ok(())
    }

    fn read_freedict(&mut self, index: &Path) -> Result<(), ImportError> {
        let read_error = |path: &Path, message: String| ImportError::Read {
            path: crate::display::path(path),
            message,
        };
        let index_text =
            std::fs::read_to_string(index).map_err(|e| read_error(index, e.to_string()))?;
        let stem = index.with_extension("");
        let dz = stem.with_extension("dict.dz");
        let plain = stem.with_extension("dict");
        let dict = if dz.exists() {
            let bytes = std::fs::read(&dz).map_err(|e| read_error(&dz, e.to_string()))?;
            let mut text = Vec::new();
            flate2::read::GzDecoder::new(bytes.as_slice())
                .read_to_end(&mut text)
                .map_err(|e| read_error(&dz, e.to_string()))?;
            text
        } else {
            std::fs::read(&plain).map_err(|e| read_error(&plain, e.to_string()))?
        };
        for (n, line) in index_text.lines().enumerate() {
            let location = || format!("{}:{}", crate::display::path(index), n + 1);
            let fields: Vec<&str> = line.split('\t').collect();
            if fields.len() < 3 {
                return Err(ImportError::Syntax {
                    location: location(),
                    message: "expected headword, offset and length separated by tabs".into(),
                });
            }
            if fields[0].starts_with("00database") {
                continue;
            }
            let (Some(offset), Some(length)) = (dictd_number(fields[1]), dictd_number(fields[2]))
            else {
                return Err(ImportError::Syntax {
                    location: location(),
                    message: "offset or length is not dictd base64".into(),
                });
            };
            let Some(entry) = dict.get(offset..offset + length) else {
                return Err(ImportError::Syntax {
                    location: location(),
                    message: "entry lies outside the .dict file".into(),
                });
            };
            let entry = String::from_utf8_lossy(entry);
            let mut lines = entry.lines();
            let head = lines.next().unwrap_or("");
            let headword = head.split([' ', '/', '<']).next().unwrap_or("").trim();
            // The line after the headword lists the translations of the first sense; it may
            // end in the number of the next sense (`lembaga 2.`).
            let Some(translations) = lines.next() else {
                continue;
            };
            let translations = strip_sense_number(translations);
            let english = lower_unless_acronym(fields[0].trim());
            let english = if headword.is_empty() {
                english
            } else {
                lower_unless_acronym(headword)
            };
            for (i, t) in split_translations(translations).enumerate() {
                self.add(&t, &english, i as u32);
            }
        }
        Ok(())
    }

    /// The lexicon text: a header, then one line per source term, alternatives best first.
    pub fn render(&self, header: &str, max_alternatives: usize) -> String {
        let mut out = String::new();
        for line in header.lines() {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
        for (source, english) in &self.pairs {
            let mut ranked: Vec<(&String, &(u32, u32))> = english.iter().collect();
            ranked.sort_by(|a, b| {
                b.1.0
                    .cmp(&a.1.0)
                    .then(a.1.1.cmp(&b.1.1))
                    .then(a.0.split(' ').count().cmp(&b.0.split(' ').count()))
                    .then(a.0.len().cmp(&b.0.len()))
                    .then(a.0.cmp(b.0))
            });
            // Only alternatives that stand for the whole term (as the loader requires).
            let covering = super::covering_alternatives(
                source,
                ranked.iter().map(|(e, _)| e.to_string()).collect(),
            );
            let mut alternatives: Vec<&str> = Vec::new();
            for e in &covering {
                if alternatives.len() < max_alternatives
                    && !alternatives.iter().any(|a| a.eq_ignore_ascii_case(e))
                {
                    alternatives.push(e.as_str());
                }
            }
            if alternatives.is_empty() {
                continue;
            }
            out.push_str(source);
            out.push('\t');
            out.push_str(&alternatives.join("|"));
            out.push('\n');
        }
        out
    }

    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

/// A dictd base64 number (`B9ff`).
fn dictd_number(text: &str) -> Option<usize> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    text.bytes().try_fold(0usize, |n, b| {
        let digit = ALPHABET.iter().position(|&a| a == b)?;
        n.checked_mul(64)?.checked_add(digit)
    })
}

fn strip_sense_number(line: &str) -> &str {
    let mut trimmed = line.trim();
    // A leading sense number (`1. abad`).
    if let Some((first, rest)) = trimmed.split_once(' ')
        && first.ends_with('.')
        && first.len() > 1
        && first[..first.len() - 1].bytes().all(|b| b.is_ascii_digit())
    {
        trimmed = rest;
    }
    match trimmed.rsplit_once(' ') {
        Some((rest, last))
            if last.ends_with('.')
                && last[..last.len() - 1].bytes().all(|b| b.is_ascii_digit()) =>
        {
            rest
        }
        _ => trimmed,
    }
}

/// Translations of a comma- or semicolon-separated list, qualifiers removed.
fn split_translations(list: &str) -> impl Iterator<Item = String> + '_ {
    list.split([',', ';'])
        .map(clean_term)
        .filter(|t| !t.is_empty())
}

/// Removes `(qualifiers)`, `[notes]`, `{pos}` and surrounding punctuation.
fn clean_term(term: &str) -> String {
    let mut out = String::new();
    let mut depth = 0i32;
    for c in term.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = (depth - 1).max(0),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '-' && c != '\'')
        .to_string()
}

/// `Government` → `government`, `NATO` stays.
fn lower_unless_acronym(word: &str) -> String {
    if word.chars().filter(|c| c.is_alphabetic()).count() > 1
        && word
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase)
    {
        word.to_string()
    } else {
        word.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictd_numbers_decode() {
        assert_eq!(dictd_number("B"), Some(1));
        assert_eq!(dictd_number("BA"), Some(64));
        assert_eq!(dictd_number("?"), None);
    }

    #[test]
    fn wiktionary_lines_are_inverted_and_ranked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.txt");
        std::fs::write(
            &path,
            "# header\nabandon {v} :: membiarkan, menelantarkan (neglect)\nneglect {v} :: menelantarkan\nUnited States {prop} (country) :: Amerika Serikat\n",
        )
        .unwrap();
        let mut c = Collected::default();
        c.read(SourceFormat::Wiktionary, &path).unwrap();
        let text = c.render("test", 3);
        assert!(
            text.contains("menelantarkan\tabandon|neglect\n")
                || text.contains("menelantarkan\tneglect|abandon\n"),
            "{text}"
        );
        assert!(text.contains("amerika serikat\tUnited States\n"), "{text}");
        assert!(text.starts_with("# test\n"));
    }
}
