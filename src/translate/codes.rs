//! Language codes at the edge: transalign's ISO 639-1 codes ↔ each backend's codes.
//!
//! Inside transalign every language is an ISO 639-1 code (`id`, `en`, `zh`). Backends want
//! ISO 639-3 (Apertium), upper case with target variants (DeepL), regional tags (Google) or
//! language names (LLM prompts). A backend's `language_codes` table overrides any entry.

use std::collections::BTreeMap;

/// Code conventions of the backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// ISO 639-1 as is (LibreTranslate, command).
    Iso639_1,
    /// ISO 639-3 (Apertium).
    Iso639_3,
    /// Upper case; targets with a regional variant where DeepL requires one.
    DeepL,
    /// BCP-47 as Google spells it.
    Google,
    /// English language names, for prompts.
    Name,
}

/// Whether a code is used as the source or the target of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Source,
    Target,
}

/// ISO 639-1 → (ISO 639-3, English name), for every language transalign can detect by
/// default plus a few common ones.
const LANGUAGES: &[(&str, &str, &str)] = &[
    ("ar", "ara", "Arabic"),
    ("bg", "bul", "Bulgarian"),
    ("bn", "ben", "Bengali"),
    ("ca", "cat", "Catalan"),
    ("cs", "ces", "Czech"),
    ("da", "dan", "Danish"),
    ("de", "deu", "German"),
    ("el", "ell", "Greek"),
    ("en", "eng", "English"),
    ("es", "spa", "Spanish"),
    ("et", "est", "Estonian"),
    ("eu", "eus", "Basque"),
    ("fa", "fas", "Persian"),
    ("fi", "fin", "Finnish"),
    ("fr", "fra", "French"),
    ("gl", "glg", "Galician"),
    ("he", "heb", "Hebrew"),
    ("hi", "hin", "Hindi"),
    ("hu", "hun", "Hungarian"),
    ("id", "ind", "Indonesian"),
    ("it", "ita", "Italian"),
    ("ja", "jpn", "Japanese"),
    ("ko", "kor", "Korean"),
    ("lt", "lit", "Lithuanian"),
    ("lv", "lav", "Latvian"),
    ("ms", "msa", "Malay"),
    ("nb", "nob", "Norwegian Bokmål"),
    ("nl", "nld", "Dutch"),
    ("nn", "nno", "Norwegian Nynorsk"),
    ("pl", "pol", "Polish"),
    ("pt", "por", "Portuguese"),
    ("ro", "ron", "Romanian"),
    ("ru", "rus", "Russian"),
    ("sk", "slk", "Slovak"),
    ("sl", "slv", "Slovenian"),
    ("sv", "swe", "Swedish"),
    ("sw", "swa", "Swahili"),
    ("th", "tha", "Thai"),
    ("tl", "tgl", "Tagalog"),
    ("tr", "tur", "Turkish"),
    ("uk", "ukr", "Ukrainian"),
    ("ur", "urd", "Urdu"),
    ("vi", "vie", "Vietnamese"),
    ("zh", "zho", "Chinese"),
];

/// Checks a language code given by a user (`translate --from`): two lower-case letters that
/// transalign knows (or `auto`), or one that a backend's `language_codes` maps (`extra`).
pub fn check_user_code<'a>(
    code: &str,
    mut extra: impl Iterator<Item = &'a String>,
) -> Result<(), String> {
    let known = code == "auto"
        || LANGUAGES.iter().any(|(one, _, _)| *one == code)
        || crate::languages::language_from_code(code).is_some()
        || extra.any(|c| c == code);
    if known {
        return Ok(());
    }
    let shape = if code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase()) {
        "not a language transalign knows; a backend's language_codes table can add one"
    } else {
        "an ISO 639-1 code is two lower-case letters, such as id, de or en"
    };
    Err(format!("unknown language code \"{code}\" ({shape})"))
}

/// Maps internal codes to one backend's codes, with the user's overrides.
#[derive(Debug, Clone)]
pub struct CodeMap {
    scheme: Scheme,
    overrides: BTreeMap<String, String>,
}

impl CodeMap {
    pub fn new(scheme: Scheme, overrides: BTreeMap<String, String>) -> Self {
        CodeMap { scheme, overrides }
    }

    /// The backend's code for `code` (ISO 639-1), or `None` when it has none.
    pub fn to_backend(&self, code: &str, role: Role) -> Option<String> {
        if let Some(c) = self.overrides.get(code) {
            // DeepL source codes never carry a variant (`EN`, not `EN-GB`).
            return Some(match (self.scheme, role) {
                (Scheme::DeepL, Role::Source) => c.split('-').next().unwrap_or(c).to_string(),
                _ => c.clone(),
            });
        }
        let entry = LANGUAGES.iter().find(|(one, _, _)| *one == code);
        match self.scheme {
            Scheme::Iso639_1 => Some(code.to_string()),
            Scheme::Iso639_3 => entry.map(|(_, three, _)| three.to_string()),
            Scheme::Name => entry.map(|(_, _, name)| name.to_string()),
            Scheme::Google => Some(match code {
                "zh" => "zh-CN".to_string(),
                other => other.to_string(),
            }),
            Scheme::DeepL => Some(match (code, role) {
                ("en", Role::Target) => "EN-US".to_string(),
                ("pt", Role::Target) => "PT-BR".to_string(),
                ("zh", Role::Target) => "ZH-HANS".to_string(),
                ("nb", _) => "NB".to_string(),
                (other, _) => other.to_ascii_uppercase(),
            }),
        }
    }

    /// The internal code for a backend's code (`spa` → `es`, `EN-GB` → `en`, `eng_US` → `en`,
    /// `zh-CN` → `zh`), or `None` when it is not a language transalign knows.
    pub fn from_backend(&self, code: &str) -> Option<String> {
        if let Some((internal, _)) = self.overrides.iter().find(|(_, c)| c.as_str() == code) {
            return Some(internal.clone());
        }
        let base = code
            .split(['-', '_'])
            .next()
            .unwrap_or(code)
            .to_ascii_lowercase();
        LANGUAGES
            .iter()
            .find(|(one, three, _)| *one == base || *three == base)
            .map(|(one, _, _)| one.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apertium_codes_round_trip() {
        let map = CodeMap::new(Scheme::Iso639_3, BTreeMap::new());
        assert_eq!(map.to_backend("es", Role::Source).as_deref(), Some("spa"));
        assert_eq!(map.to_backend("en", Role::Target).as_deref(), Some("eng"));
        assert_eq!(map.from_backend("eng_US").as_deref(), Some("en"));
        assert_eq!(map.from_backend("spa").as_deref(), Some("es"));
        assert_eq!(map.to_backend("xx", Role::Source), None);
    }

    #[test]
    fn deepl_targets_get_variants_and_overrides_win() {
        let map = CodeMap::new(Scheme::DeepL, BTreeMap::new());
        assert_eq!(map.to_backend("en", Role::Target).as_deref(), Some("EN-US"));
        assert_eq!(map.to_backend("en", Role::Source).as_deref(), Some("EN"));
        assert_eq!(map.from_backend("EN-GB").as_deref(), Some("en"));
        let gb = CodeMap::new(
            Scheme::DeepL,
            BTreeMap::from([("en".to_string(), "EN-GB".to_string())]),
        );
        assert_eq!(gb.to_backend("en", Role::Target).as_deref(), Some("EN-GB"));
        assert_eq!(gb.to_backend("en", Role::Source).as_deref(), Some("EN"));
    }
}
