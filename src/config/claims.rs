//! `[claims]`: which sentences can carry a claim.

use serde::{Deserialize, Serialize};

use super::locate::KeyLocator;
use super::segment::compile_regexes;
use crate::claims::ClaimRules;
use crate::error::ConfigError;

/// `[claims]` as written.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawClaims {
    /// Regular expressions of formulaic sentences that carry no claim (matched
    /// case-insensitively against the sentence after any speaker prefix), besides the
    /// built-in formulas.
    pub formulaic_patterns: Vec<String>,
}

/// Validates `[claims]`.
pub(crate) fn validate(raw: &RawClaims, locator: &KeyLocator) -> Result<ClaimRules, ConfigError> {
    let patterns: Vec<String> = raw
        .formulaic_patterns
        .iter()
        .map(|p| format!("(?i){p}"))
        .collect();
    Ok(ClaimRules {
        formulaic: compile_regexes(&patterns, "claims.formulaic_patterns", locator)?,
    })
}
