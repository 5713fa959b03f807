//! Configuration: the raw TOML file (`deny_unknown_fields`) and its validation into checked types.
//!
//! `RawConfig` mirrors `config.toml` one to one, one file per section; doc comments on the
//! fields are the reference of every key. [`Config::load`] reads the file, applies
//! command-line overrides and validates everything before any work starts, so later stages
//! can trust what they get. This module imports no stage: it holds plain validated data.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;

mod align;
mod backend;
mod cache;
mod claims;
mod detect;
mod documents;
mod embed;
mod input;
mod locate;
pub use locate::DEFAULT_FILE;
mod output;
mod overrides;
mod pairs;
pub mod ranges;
mod remote;
mod segment;
mod translate;

pub use align::{
    FUSED_CALIBRATION, FUSED_MIN_CONFIDENCE, LEXICAL_CALIBRATION, LEXICAL_MIN_CONFIDENCE, RawAlign,
};
pub use backend::{BackendConfig, BackendKind, DEFAULT_BACKEND, RawBackend};
pub use cache::{CacheConfig, RawCache};
pub use claims::RawClaims;
pub use detect::{DetectConfig, RawDetect};
pub use documents::DocumentTable;
pub use embed::{EmbedConfig, EmbedderConfig, EmbedderKind, RawEmbed, RawEmbedder, VectorEncoding};
pub use input::{InputConfig, RawInput};
use locate::{KeyLocator, describe_toml_error, relative_to};
pub use output::{Format, OutputConfig, RawOutput};
pub use overrides::Overrides;
pub use pairs::{DocumentFilter, SameSource};
pub use remote::{DriverSettings, SpawnConfig};
pub use segment::{ParagraphMode, RawSegment, SegmentConfig};
pub use translate::{RawTranslate, TranslateConfig};

/// The configuration file as written by the user.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawConfig {
    /// Language every other language is translated into and aligned with (ISO 639-1).
    pub pivot: String,
    pub input: RawInput,
    pub segment: RawSegment,
    pub claims: RawClaims,
    pub detect: RawDetect,
    pub translate: RawTranslate,
    pub cache: RawCache,
    /// Translation backends by name: `[backends.NAME]`.
    pub backends: BTreeMap<String, RawBackend>,
    pub embed: RawEmbed,
    /// Embedding services by name: `[embedders.NAME]`.
    pub embedders: BTreeMap<String, RawEmbedder>,
    pub align: RawAlign,
    pub output: RawOutput,
}

impl Default for RawConfig {
    fn default() -> Self {
        RawConfig {
            pivot: "en".into(),
            input: RawInput::default(),
            segment: RawSegment::default(),
            claims: RawClaims::default(),
            detect: RawDetect::default(),
            translate: RawTranslate::default(),
            cache: RawCache::default(),
            backends: BTreeMap::new(),
            embed: RawEmbed::default(),
            embedders: BTreeMap::new(),
            align: RawAlign::default(),
            output: RawOutput::default(),
        }
    }
}

/// The checked configuration every stage works from.
#[derive(Debug, Clone)]
pub struct Config {
    /// The configuration after overrides, as it would be written to a file.
    pub raw: RawConfig,
    /// The file it came from; `None` for the built-in defaults.
    pub file: Option<PathBuf>,
    pub pivot: String,
    pub input: InputConfig,
    pub segment: SegmentConfig,
    /// The claim-likeness rules (`[claims]`).
    pub claims: crate::claims::ClaimRules,
    pub detect: DetectConfig,
    pub translate: TranslateConfig,
    /// Validated `[backends.NAME]` tables.
    pub backends: BTreeMap<String, BackendConfig>,
    pub embed: EmbedConfig,
    /// Validated `[embedders.NAME]` tables.
    pub embedders: BTreeMap<String, EmbedderConfig>,
    pub output: OutputConfig,
    /// Where translations and vectors are cached (`[cache]`, `translate.cache_dir`).
    pub cache: CacheConfig,
    /// Which documents comparable mode compares (`align.pairs`, `align.exclude_same_source`).
    pub comparison: DocumentFilter,
}

/// The raw configuration of a file's text; on error, the message. Every unknown key and
/// every value of the wrong type (a string for a number, an unknown variant) is named in one
/// message (one line each), not only the first: the line of each is commented out in a copy
/// of the text (its first character replaced) and the copy parsed again, up to 50 keys. A
/// syntax error is reported alone; one that only the commenting made (the rest of a value
/// spanning lines) ends the collection.
fn parse_raw(text: &str) -> Result<RawConfig, String> {
    /// Errors of one key that leave the rest of the file readable.
    const OF_ONE_KEY: [&str; 4] = [
        "unknown field",
        "invalid type",
        "invalid value",
        "unknown variant",
    ];
    // (where in the file, message): reported in file order.
    let mut problems: Vec<(usize, String)> = Vec::new();
    let mut copy = text.to_string();
    for _ in 0..50 {
        let error = match toml::from_str::<RawConfig>(&copy) {
            Ok(raw) if problems.is_empty() => return Ok(raw),
            Ok(_) => break,
            Err(error) => error,
        };
        let Some(span) = error.span().filter(|_| {
            OF_ONE_KEY
                .iter()
                .any(|start| error.message().starts_with(start))
        }) else {
            if problems.is_empty() {
                return Err(describe_toml_error(&error, text));
            }
            // Another error after a bad key: the bad keys are reported first.
            break;
        };
        problems.push((span.start, describe_toml_error(&error, text)));
        let line_start = copy[..span.start.min(copy.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        // Same length, so that the spans of later errors still point into `text`.
        if copy.as_bytes().get(line_start).is_some_and(u8::is_ascii) {
            copy.replace_range(line_start..line_start + 1, "#");
        } else {
            break;
        }
    }
    problems.sort();
    Err(problems
        .into_iter()
        .map(|(_, message)| message)
        .collect::<Vec<_>>()
        .join("\n"))
}

impl Config {
    /// Loads `path`, or the file `TRANSALIGN_CONFIG` names, or `./config.toml` when it is a
    /// transalign configuration, or the built-in defaults; applies the
    /// overrides and validates.
    pub fn load(path: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
        let found = match path {
            Some(p) => Some((p.to_path_buf(), locate::read(p)?)),
            None => locate::default_file()?,
        };
        let (raw, file, text) = match found {
            Some((p, text)) => {
                let raw = parse_raw(&text).map_err(|message| ConfigError::Parse {
                    path: p.clone(),
                    message,
                })?;
                (raw, Some(p), text)
            }
            None => (RawConfig::default(), None, String::new()),
        };
        Config::validate(raw, file, &text, overrides)
    }

    /// Validates a parsed configuration. `text` is the file's content, used to point errors
    /// at the line of the offending key. Sections are checked in file order, so the first
    /// error reported is the first one a reader of the file meets.
    pub fn validate(
        mut raw: RawConfig,
        file: Option<PathBuf>,
        text: &str,
        overrides: &Overrides,
    ) -> Result<Config, ConfigError> {
        let locator = KeyLocator {
            file: file.as_deref(),
            text,
        };
        let base_dir = file
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        apply_overrides(overrides, &mut raw);
        ranges::check(&raw, &locator)?;

        let (detect, pivot) = detect::validate(&raw.detect, &raw.pivot, &locator, overrides)?;
        let segment = segment::validate(&raw.segment, &locator)?;
        let claims = claims::validate(&raw.claims, &locator)?;
        let input = input::validate(&raw.input, &base_dir, &locator)?;
        let output = output::validate(&raw.output, &locator, overrides)?;
        let mut backends = backend::validate_backends(&raw.backends, &locator, &base_dir)?;
        for backend in backends.values_mut() {
            backend.settings.unflushed_batches = raw.cache.unflushed_batches;
            if let Some(spawn) = backend.spawn.as_mut() {
                spawn.search_dir = base_dir.clone();
            }
        }
        let translate = translate::validate(&raw.translate, &backends, &locator, overrides)?;
        let mut embedders = embed::validate_embedders(&raw.embedders, &locator)?;
        for embedder in embedders.values_mut() {
            embedder.settings.unflushed_batches = raw.cache.unflushed_batches;
            if let Some(spawn) = embedder.spawn.as_mut() {
                spawn.search_dir = base_dir.clone();
            }
        }
        let embed = embed::validate(&raw.embed, &embedders, &locator, overrides)?;
        let comparison = align::validate(&raw.align, &locator, &base_dir)?;
        // Paths in the file are relative to the file (as `input.paths` are), so a run from
        // another directory writes where the configuration says; paths typed on the command
        // line are relative to the current directory.
        let mut output = output;
        let mut translate = translate;
        if overrides.out_dir.is_none() && output.dir.as_os_str() != "-" {
            output.dir = relative_to(&base_dir, &output.dir);
        }
        if overrides.cache_dir.is_none() {
            translate.cache_dir = relative_to(&base_dir, &translate.cache_dir);
        }
        let cache = cache::validate(
            &raw.cache,
            &translate.cache_dir,
            overrides.cache_url.as_deref(),
            &locator,
        )?;

        Ok(Config {
            pivot,
            input,
            segment,
            claims,
            detect,
            translate,
            backends,
            embed,
            embedders,
            output,
            cache,
            comparison,
            raw,
            file,
        })
    }

    /// The effective configuration as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(&self.raw).unwrap_or_else(|e| format!("# cannot render: {e}\n"))
    }
}

/// Writes the command-line values into the raw configuration, before validation.
fn apply_overrides(overrides: &Overrides, raw: &mut RawConfig) {
    if let Some(out) = &overrides.out_dir {
        raw.output.dir = out.clone();
    }
    if let Some(langs) = &overrides.languages {
        raw.detect.languages = langs.clone();
    }
    if let Some(pivot) = &overrides.pivot {
        raw.pivot = pivot.clone();
    }
    raw.input.lossy_utf8 |= overrides.lossy_utf8;
    raw.translate.offline |= overrides.offline;
    if let Some(dir) = &overrides.cache_dir {
        raw.translate.cache_dir = dir.clone();
    }
    if let Some(formats) = &overrides.formats {
        raw.output.formats = formats.clone();
    }
    if let Some(b) = &overrides.backend {
        raw.translate.backend = Some(b.clone());
    }
    if let Some(e) = &overrides.embedder {
        raw.embed.backend = e.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_level_keys_are_those_of_the_configuration() {
        let defaults = toml::Table::try_from(RawConfig::default()).unwrap();
        let mut keys: Vec<&str> = defaults.keys().map(String::as_str).collect();
        // Empty tables of named backends and embedders are not written.
        keys.extend(["backends", "embedders"]);
        keys.sort_unstable();
        keys.dedup();
        let mut known = locate::TOP_LEVEL_KEYS.to_vec();
        known.sort_unstable();
        assert_eq!(keys, known);
    }

    #[test]
    fn defaults_validate() {
        let config =
            Config::validate(RawConfig::default(), None, "", &Overrides::default()).unwrap();
        assert_eq!(config.pivot, "en");
        assert!(config.detect.languages.len() >= 25);
    }

    #[test]
    fn empty_language_list_names_file_line_and_key() {
        let text = "[detect]\nlanguages = []\n";
        let raw: RawConfig = toml::from_str(text).unwrap();
        let err = Config::validate(raw, Some("c.toml".into()), text, &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("c.toml:2:1"), "{err}");
        assert!(err.contains("detect.languages"), "{err}");
    }
}
