//! The language table: lingua's compiled-in languages and their ISO 639-1 codes, shared by
//! the configuration (validation) and the detector.

use lingua::Language;

/// ISO 639-1 codes of the languages compiled in by default (see `Cargo.toml`).
pub const DEFAULT_LANGUAGES: &[&str] = &[
    "ar", "bn", "ca", "cs", "de", "el", "en", "es", "fa", "fr", "he", "hi", "id", "it", "ja", "ko",
    "ms", "nl", "pl", "pt", "ro", "ru", "sv", "sw", "th", "tl", "tr", "uk", "ur", "vi", "zh",
];

/// ISO 639-1 code of a lingua language, lower-case.
pub fn iso_code(language: Language) -> String {
    language.iso_code_639_1().to_string().to_lowercase()
}

/// The ISO 639-1 code of a language as a `&'static str`, made once per language (for data
/// kept per sentence, where a `String` each would cost an allocation).
pub fn static_code(language: Language) -> &'static str {
    use std::collections::HashMap;
    use std::sync::OnceLock;
    static CODES: OnceLock<HashMap<Language, &'static str>> = OnceLock::new();
    CODES.get_or_init(|| {
        Language::all()
            .into_iter()
            .map(|l| (l, &*Box::leak(iso_code(l).into_boxed_str())))
            .collect()
    })[&language]
}

/// The compiled-in language with this ISO 639-1 code.
pub fn language_from_code(code: &str) -> Option<Language> {
    let code = code.trim().to_lowercase();
    Language::all().into_iter().find(|l| iso_code(*l) == code)
}

/// ISO 639-1 codes of every compiled-in language, sorted.
pub fn available_codes() -> Vec<String> {
    let mut codes: Vec<String> = Language::all().into_iter().map(iso_code).collect();
    codes.sort();
    codes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for code in DEFAULT_LANGUAGES {
            let lang = language_from_code(code).unwrap_or_else(|| panic!("{code} compiled in"));
            assert_eq!(iso_code(lang), *code);
        }
        assert!(language_from_code("xx").is_none());
    }
}
