//! `[detect]`: language identification with lingua, and the pivot language it must know.

use serde::{Deserialize, Serialize};

use super::locate::KeyLocator;
use super::overrides::Overrides;
use crate::error::ConfigError;
use crate::languages;

/// `[detect]` as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawDetect {
    /// Candidate languages (ISO 639-1). Must be compiled in: the default build has the set
    /// listed in docs/src/configuration.md, `--features all-languages` has all 75 of lingua.
    pub languages: Vec<String>,
    /// Sentences with fewer letters than this take their document's language.
    pub min_letters: usize,
    /// If the confidence gap between the best two languages is below this, the sentence takes
    /// its document's language (0 to 1).
    pub margin: f64,
    /// A sentence gets a language other than its document's only with at least this
    /// confidence (0 to 1); otherwise it takes the document's language.
    pub override_confidence: f64,
    /// Groups of languages the detector confuses (Indonesian and Malay above all). The document
    /// gets the group member most of its sentences vote for, and its sentences labelled with
    /// another member of the same group take the document's language.
    pub confusable: Vec<Vec<String>>,
}

impl Default for RawDetect {
    fn default() -> Self {
        RawDetect {
            languages: languages::DEFAULT_LANGUAGES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            min_letters: 20,
            margin: 0.10,
            override_confidence: 0.80,
            confusable: vec![vec!["id".into(), "ms".into()]],
        }
    }
}

/// Validated `[detect]`.
#[derive(Debug, Clone)]
pub struct DetectConfig {
    pub languages: Vec<lingua::Language>,
    pub min_letters: usize,
    pub margin: f64,
    pub override_confidence: f64,
    pub confusable: Vec<Vec<String>>,
}

/// Validates `[detect]` and the `pivot` (which must be one of its languages); returns the
/// detector's configuration and the lower-case pivot code.
pub(crate) fn validate(
    raw: &RawDetect,
    pivot: &str,
    locator: &KeyLocator,
    overrides: &Overrides,
) -> Result<(DetectConfig, String), ConfigError> {
    let languages = validate_languages(&raw.languages, locator, overrides)?;
    let pivot_code = pivot.to_ascii_lowercase();
    if !languages
        .iter()
        .any(|l| languages::iso_code(*l) == pivot_code.as_str())
    {
        return Err(locator.invalid(
            "pivot",
            format!(
                "pivot language \"{}\" is not one of detect.languages ({})",
                pivot,
                raw.languages.join(", ")
            ),
        ));
    }

    // Members outside detect.languages are ignored (a group needs two to matter), so
    // `--languages en,id` works with the default [["id", "ms"]]; unknown codes are errors.
    let known: Vec<String> = languages.iter().map(|l| languages::iso_code(*l)).collect();
    let mut confusable = Vec::new();
    for (i, group) in raw.confusable.iter().enumerate() {
        if group.len() < 2 {
            return Err(locator.invalid(
                "detect.confusable",
                format!("group {} must name at least two languages", i + 1),
            ));
        }
        if let Some(code) = group
            .iter()
            .find(|c| languages::language_from_code(c).is_none())
        {
            return Err(locator.invalid(
                "detect.confusable",
                format!("\"{code}\" is not an ISO 639-1 code of a compiled-in language"),
            ));
        }
        let present: Vec<String> = group
            .iter()
            .map(|c| c.to_lowercase())
            .filter(|c| known.contains(c))
            .collect();
        if present.len() >= 2 {
            confusable.push(present);
        }
    }
    Ok((
        DetectConfig {
            languages,
            min_letters: raw.min_letters,
            margin: raw.margin,
            override_confidence: raw.override_confidence,
            confusable,
        },
        pivot_code,
    ))
}

fn validate_languages(
    codes: &[String],
    locator: &KeyLocator,
    overrides: &Overrides,
) -> Result<Vec<lingua::Language>, ConfigError> {
    let flag = overrides.languages.as_ref().map(|_| "--languages");
    let invalid = |message: String| locator.invalid_or_flag(flag, "detect.languages", message);
    if codes.is_empty() {
        return Err(invalid("the language list must not be empty".into()));
    }
    let mut languages = Vec::with_capacity(codes.len());
    for code in codes {
        match languages::language_from_code(code) {
            Some(lang) if !languages.contains(&lang) => languages.push(lang),
            Some(_) => {}
            None => {
                return Err(invalid(format!(
                    "\"{code}\" is not an ISO 639-1 code of a compiled-in language (available: {})",
                    languages::available_codes().join(", ")
                )));
            }
        }
    }
    Ok(languages)
}
