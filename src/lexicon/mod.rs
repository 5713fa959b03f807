//! Bilingual lexicons for the offline `lexicon` backend: the shipped files (compiled into the
//! binary), loading and merging, and look-up with morphology and the sister language
//! (Malay entries serve Indonesian where it lacks a word, and the reverse).

pub mod gloss;
pub mod import;
pub mod morph;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// A lexicon file shipped in `lexicons/` and compiled in.
pub struct ShippedFile {
    pub name: &'static str,
    /// Source language (ISO 639-1); the target is English.
    pub lang: &'static str,
    pub text: &'static str,
}

/// The shipped lexicons, in merge order (earlier files' alternatives come first).
pub const SHIPPED: &[ShippedFile] = &[
    // The hand-checked file first: where it has a word, its senses lead (`per` is "per",
    // not the dictionaries' "spring").
    ShippedFile {
        name: "extra-id-en.tsv",
        lang: "id",
        text: include_str!("../../lexicons/extra-id-en.tsv"),
    },
    ShippedFile {
        name: "id-en.wiktionary.tsv",
        lang: "id",
        text: include_str!("../../lexicons/id-en.wiktionary.tsv"),
    },
    ShippedFile {
        name: "id-en.freedict.tsv",
        lang: "id",
        text: include_str!("../../lexicons/id-en.freedict.tsv"),
    },
    ShippedFile {
        name: "ms-en.wiktionary.tsv",
        lang: "ms",
        text: include_str!("../../lexicons/ms-en.wiktionary.tsv"),
    },
];

/// Hand-checked glosses per language: (language, file name, text), `term<TAB>first
/// readings` (see [`gloss::first_reading`]). `lexicon coverage` scores the glosser on them.
pub const CHECKED: &[(&str, &str, &str)] = &[(
    "id",
    "checked-id-en.tsv",
    include_str!("../../lexicons/checked-id-en.tsv"),
)];

/// One hand-checked term and the first readings accepted for it.
#[derive(Debug, Clone)]
pub struct CheckedGloss {
    pub term: String,
    pub accepted: Vec<String>,
}

/// The hand-checked glosses of `lang` (empty when there are none).
pub fn checked_glosses(lang: &str) -> Vec<CheckedGloss> {
    CHECKED
        .iter()
        .filter(|(l, _, _)| *l == lang)
        .flat_map(|(_, _, text)| text.lines())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(term, accepted)| CheckedGloss {
            term: term.to_string(),
            accepted: accepted
                .split('|')
                .map(|a| a.trim().to_lowercase())
                .collect(),
        })
        .collect()
}

/// Languages that lend each other entries.
fn sister(lang: &str) -> Option<&'static str> {
    match lang {
        "id" => Some("ms"),
        "ms" => Some("id"),
        _ => None,
    }
}

/// A problem with a lexicon file.
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error("cannot read lexicon {}: {source}", crate::display::path(path))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{location}: expected `source<TAB>english|english...`")]
    Syntax { location: String },
}

/// Where an entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A dictionary of the language itself.
    Own,
    /// The sister language's dictionary (Malay for Indonesian, Indonesian for Malay).
    Sister,
}

/// English alternatives of one source term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub english: Vec<String>,
    pub origin: Origin,
}

/// Source term (lower case; phrases with single spaces) → English, for one language.
#[derive(Debug, Default)]
pub struct Lexicon {
    pub lang: String,
    entries: HashMap<String, Entry>,
    /// Longest phrase in words.
    pub max_phrase_words: usize,
    /// Every English word of the lexicon, for validating cognate guesses.
    english_vocabulary: HashSet<String>,
}

impl Lexicon {
    /// The lexicon for `lang`: the shipped files of the language, the user's `files`
    /// (`SRC-en...tsv`, taken for the language in their name), then the sister language's.
    pub fn for_language(lang: &str, files: &[PathBuf]) -> Result<Lexicon, LexiconError> {
        let mut lexicon = Lexicon {
            lang: lang.to_string(),
            ..Lexicon::default()
        };
        let user: Vec<(String, String, String)> = files
            .iter()
            .map(|p| {
                std::fs::read_to_string(p)
                    .map(|text| (file_language(p), crate::display::path(p), text))
                    .map_err(|source| LexiconError::Read {
                        path: p.clone(),
                        source,
                    })
            })
            .collect::<Result<_, _>>()?;
        let languages = [Some(lang), sister(lang)];
        for (i, l) in languages.iter().enumerate() {
            let Some(l) = l else { continue };
            let origin = if i == 0 { Origin::Own } else { Origin::Sister };
            for f in SHIPPED.iter().filter(|f| f.lang == *l) {
                lexicon.merge_text(f.text, f.name, origin)?;
            }
            for (file_lang, name, text) in &user {
                if file_lang == l {
                    lexicon.merge_text(text, name, origin)?;
                }
            }
        }
        Ok(lexicon)
    }

    /// Adds the entries of a lexicon text; existing terms get the new alternatives after theirs.
    pub fn merge_text(
        &mut self,
        text: &str,
        name: &str,
        origin: Origin,
    ) -> Result<(), LexiconError> {
        for (n, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((source, english)) = line.split_once('\t') else {
                return Err(LexiconError::Syntax {
                    location: format!("{name}:{}", n + 1),
                });
            };
            let source = source.trim().to_lowercase();
            let alternatives: Vec<String> = english
                .split(['|', '\t'])
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(str::to_string)
                .collect();
            if source.is_empty() || alternatives.is_empty() {
                return Err(LexiconError::Syntax {
                    location: format!("{name}:{}", n + 1),
                });
            }
            let alternatives = covering_alternatives(&source, alternatives);
            if alternatives.is_empty() {
                continue;
            }
            for e in &alternatives {
                for w in e.split_whitespace() {
                    self.english_vocabulary.insert(w.to_lowercase());
                }
            }
            self.max_phrase_words = self.max_phrase_words.max(source.split(' ').count());
            match self.entries.get_mut(&source) {
                Some(entry) if entry.origin == origin => {
                    for e in alternatives {
                        if !entry.english.iter().any(|x| x.eq_ignore_ascii_case(&e)) {
                            entry.english.push(e);
                        }
                    }
                }
                // The language's own entry wins over the sister language's.
                Some(_) => {}
                None => {
                    self.entries.insert(
                        source,
                        Entry {
                            english: alternatives,
                            origin,
                        },
                    );
                }
            }
        }
        Ok(())
    }

    /// The entry of a term (lower case).
    pub fn get(&self, term: &str) -> Option<&Entry> {
        self.entries.get(term)
    }

    /// The entry of a word or of one of its roots, with the form that matched.
    pub fn lookup_word(&self, word: &str) -> Option<(&Entry, String)> {
        if let Some(e) = self.entries.get(word) {
            return Some((e, word.to_string()));
        }
        morph::candidates(word)
            .into_iter()
            .find_map(|root| self.entries.get(&root).map(|e| (e, root)))
    }

    pub fn is_english_word(&self, word: &str) -> bool {
        self.english_vocabulary.contains(word)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The alternatives of an entry that stand for the whole source term: a phrase entry whose
/// English is only some of its own words, untranslated (`nasi goreng` → `nasi`), would drop
/// a word from every gloss, so such alternatives are left out (and an entry with none left).
pub fn covering_alternatives(source: &str, alternatives: Vec<String>) -> Vec<String> {
    let words: Vec<&str> = source.split_whitespace().collect();
    if words.len() < 2 {
        return alternatives;
    }
    alternatives
        .into_iter()
        .filter(|e| {
            let english: Vec<String> = e.split_whitespace().map(str::to_lowercase).collect();
            let partial_copy =
                english.len() < words.len() && english.iter().all(|w| words.contains(&w.as_str()));
            !partial_copy
        })
        .collect()
}

/// The source language of a user lexicon file: the part of its name before `-`
/// (`id-en.mine.tsv` → `id`, `extra-ms-en.tsv` → `ms`).
pub fn file_language(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let name = name.strip_prefix("extra-").unwrap_or(&name);
    name.split(['-', '.', '_']).next().unwrap_or("").to_string()
}
