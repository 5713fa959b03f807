//! Configuration: the raw TOML file (`deny_unknown_fields`) and its validation into checked types.
//!
//! `RawConfig` mirrors `config.toml` one to one; doc comments on its fields are the reference
//! of every key. [`Config::load`] reads the file, applies command-line overrides and validates
//! everything before any work starts, so later stages can trust what they get.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::detect;
use crate::error::ConfigError;

mod backend;
use backend::validate_backend;
pub use backend::{BackendConfig, BackendKind};

/// The configuration file as written by the user.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawConfig {
    /// Language every other language is translated into and aligned with (ISO 639-1).
    pub pivot: String,
    pub input: RawInput,
    pub segment: RawSegment,
    pub detect: RawDetect,
    pub translate: RawTranslate,
    /// Translation backends by name: `[backends.NAME]`.
    pub backends: BTreeMap<String, RawBackend>,
    pub align: RawAlign,
    pub output: RawOutput,
}

/// `[align]`: pairing translated sentences with pivot-language sentences.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawAlign {
    /// "comparable" (independent documents: claim matching) or "parallel" (documents that
    /// translate each other: monotonic n-to-m beads). `run` uses it for the corpus.
    pub mode: String,
    /// Comparable: minimum margin score (similarity ÷ mean similarity of both sentences'
    /// nearest neighbours); 0 emits the best candidate of every source sentence.
    pub threshold: f64,
    /// Comparable: minimum raw similarity (0 to 1) when the threshold is above 0.
    pub min_similarity: f64,
    /// Comparable: candidates kept per source sentence.
    pub top_k: usize,
    /// Parallel: largest bead, n + m ≤ max_bead (2 to 8; default 6: the Bleualign
    /// development set has 22 gold beads of 5 or more sentences).
    pub max_bead: usize,
    /// Parallel: a line equal to this splits both sides into articles aligned one by one.
    pub marker: String,
}

impl Default for RawAlign {
    fn default() -> Self {
        RawAlign {
            mode: "comparable".into(),
            threshold: 1.05,
            min_similarity: 0.25,
            top_k: 1,
            max_bead: 6,
            marker: ".EOA".into(),
        }
    }
}

/// `[input]`: which files are read and how they are decoded.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawInput {
    /// Files and directories read when the command line names none (relative to the config file).
    pub paths: Vec<PathBuf>,
    /// Glob patterns a file found in a directory must match (against its path relative to
    /// that directory). Files named explicitly are always read.
    pub include: Vec<String>,
    /// Glob patterns that exclude files found in a directory.
    pub exclude: Vec<String>,
    /// Decode invalid UTF-8 with U+FFFD replacement characters (with a warning) instead of
    /// skipping the file.
    pub lossy_utf8: bool,
}

/// `[segment]`: paragraphs, sentences and boilerplate.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawSegment {
    /// How paragraphs are found: "line" (every line is a paragraph), "blank-line" (paragraphs
    /// are separated by empty lines; single line breaks are wrapped text), or "auto" (blank-line
    /// when the text looks hard-wrapped, else line).
    pub paragraphs: String,
    /// Extra abbreviations per language (ISO 639-1 → list such as "Prov."): a full stop after
    /// them does not end a sentence.
    pub abbreviations: BTreeMap<String, Vec<String>>,
    /// Extra regular expressions: a paragraph matching one is boilerplate.
    pub boilerplate_patterns: Vec<String>,
    /// Regular expressions for paragraphs that are never boilerplate (checked first).
    pub prose_patterns: Vec<String>,
}

/// `[detect]`: language identification with lingua.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawDetect {
    /// Candidate languages (ISO 639-1). Must be compiled in: the default build has the set
    /// listed in the README, `--features all-languages` has all 75 of lingua.
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

/// `[translate]`: which backend translates non-pivot sentences and where translations are cached.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawTranslate {
    /// Name of the `[backends.NAME]` table to use (default: "lexicon", the offline backend,
    /// available even without a table); "none" = no translation stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    /// Backends tried in order for language pairs the chosen backend cannot translate.
    pub fallback: Vec<String>,
    /// Directory of the translation cache (relative to the current directory).
    pub cache_dir: PathBuf,
    /// Never touch the network: cache hits and offline backends only.
    pub offline: bool,
}

/// `[backends.NAME]`: one translation backend. Which keys apply depends on `kind`; a key
/// that does not apply is an error.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawBackend {
    /// libretranslate, deepl, google, apertium, openai or command.
    pub kind: String,
    /// Base URL of the service (each kind has a default; DeepL picks api-free.deepl.com for
    /// keys ending in `:fx`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Name of the environment variable that holds the API key (never the key itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key_env: Option<String>,
    /// Time limit of one request in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<f64>,
    /// Most texts per request (capped by what the service accepts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<usize>,
    /// Most bytes of text per request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_batch_bytes: Option<usize>,
    /// Requests in flight at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<usize>,
    /// Requests per second (0 = unlimited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests_per_second: Option<f64>,
    /// Characters per minute (0 = unlimited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chars_per_minute: Option<f64>,
    /// Retries after transient failures (429, 5xx, time-outs, resets, malformed bodies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<u32>,
    /// First back-off delay in milliseconds (grows ×1.6 per retry, ±20% jitter).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_initial_ms: Option<u64>,
    /// Longest back-off delay in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_max_secs: Option<f64>,
    /// Longest wait a `Retry-After` header can impose, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_cap_secs: Option<f64>,
    /// Code overrides, ISO 639-1 → the service's code (`{ en = "EN-GB" }`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub language_codes: BTreeMap<String, String>,
    /// Source languages this backend may be used for (ISO 639-1); empty = any it supports.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    /// Free text that goes into the cache key: change it when the service's model changes
    /// behind the same URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Model (openai: required; google: `nmt` or `base`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// DeepL formality (`default`, `more`, `less`, `prefer_more`, `prefer_less`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formality: Option<String>,
    /// DeepL glossary id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub glossary_id: Option<String>,
    /// openai: user prompt template with `{source}`, `{target}` and `{input}` (the JSON object
    /// of id → text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// openai: system prompt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    /// openai: sampling temperature (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// openai: sampling seed (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// openai: `max_tokens` of a completion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// openai: ask for `response_format: {"type": "json_object"}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_mode: Option<bool>,
    /// command: program and arguments; `{source}` and `{target}` are replaced.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    /// lexicon: extra lexicon files (`SRC-en....tsv`, `source<TAB>english|english`), relative
    /// to the config file; merged after the shipped ones.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<PathBuf>,
    /// lexicon: English alternatives kept per word (`security|safety`), 1 to 10 (default 3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternatives: Option<usize>,
}

/// `[output]`: where `run` writes its files.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawOutput {
    /// Output directory (relative to the current directory).
    pub dir: PathBuf,
    /// Alignment formats `run` writes: jsonl, tsv, tmx, moses (several at once).
    pub formats: Vec<String>,
    /// Moses files: minimum bead score of parallel alignments (0 to 1).
    pub moses_min_score: f64,
}

impl Default for RawConfig {
    fn default() -> Self {
        RawConfig {
            pivot: "en".into(),
            input: RawInput::default(),
            segment: RawSegment::default(),
            detect: RawDetect::default(),
            translate: RawTranslate::default(),
            backends: BTreeMap::new(),
            align: RawAlign::default(),
            output: RawOutput::default(),
        }
    }
}

impl Default for RawTranslate {
    fn default() -> Self {
        RawTranslate {
            backend: Some(DEFAULT_BACKEND.into()),
            fallback: Vec::new(),
            cache_dir: "cache".into(),
            offline: false,
        }
    }
}

impl Default for RawInput {
    fn default() -> Self {
        RawInput {
            paths: Vec::new(),
            include: vec!["*.txt".into(), "*.md".into()],
            exclude: Vec::new(),
            lossy_utf8: false,
        }
    }
}

impl Default for RawSegment {
    fn default() -> Self {
        RawSegment {
            paragraphs: "auto".into(),
            abbreviations: BTreeMap::new(),
            boilerplate_patterns: Vec::new(),
            prose_patterns: Vec::new(),
        }
    }
}

impl Default for RawDetect {
    fn default() -> Self {
        RawDetect {
            languages: detect::DEFAULT_LANGUAGES
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

impl Default for RawOutput {
    fn default() -> Self {
        RawOutput {
            dir: "out".into(),
            formats: vec!["jsonl".into()],
            moses_min_score: 0.3,
        }
    }
}

/// Command-line values that take precedence over the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub out_dir: Option<PathBuf>,
    pub languages: Option<Vec<String>>,
    pub lossy_utf8: bool,
    pub pivot: Option<String>,
    /// `--backend NAME`.
    pub backend: Option<String>,
    /// `--offline`.
    pub offline: bool,
    /// `--cache-dir DIR`.
    pub cache_dir: Option<PathBuf>,
    /// `--format a,b`.
    pub formats: Option<Vec<String>>,
}

/// How paragraphs are delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParagraphMode {
    Line,
    BlankLine,
    Auto,
}

/// Validated `[input]`.
#[derive(Debug, Clone)]
pub struct InputConfig {
    pub paths: Vec<PathBuf>,
    pub include: GlobSet,
    pub exclude: GlobSet,
    pub lossy_utf8: bool,
}

/// Validated `[segment]`.
#[derive(Debug, Clone)]
pub struct SegmentConfig {
    pub paragraphs: ParagraphMode,
    pub abbreviations: BTreeMap<String, Vec<String>>,
    pub boilerplate_patterns: Vec<Regex>,
    pub prose_patterns: Vec<Regex>,
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

/// Validated `[translate]`.
#[derive(Debug, Clone)]
pub struct TranslateConfig {
    /// The chosen backend, `None` when translation is off.
    pub backend: Option<String>,
    pub fallback: Vec<String>,
    pub cache_dir: PathBuf,
    pub offline: bool,
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
    pub detect: DetectConfig,
    pub translate: TranslateConfig,
    /// Validated `[backends.NAME]` tables.
    pub backends: BTreeMap<String, BackendConfig>,
    pub output_dir: PathBuf,
}

/// The backend used when the configuration names none; a `[backends.lexicon]` table of kind
/// `lexicon` exists even when the file does not define it.
pub const DEFAULT_BACKEND: &str = "lexicon";

/// Name of the configuration file looked for in the current directory.
pub const DEFAULT_FILE: &str = "config.toml";

impl Config {
    /// Loads `path`, or `./config.toml` when it exists, or the built-in defaults; applies the
    /// overrides and validates.
    pub fn load(path: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
        let file = match path {
            Some(p) => Some(p.to_path_buf()),
            None => Some(PathBuf::from(DEFAULT_FILE)).filter(|p| p.is_file()),
        };
        let (raw, text) = match &file {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| ConfigError::Read {
                    path: p.clone(),
                    source,
                })?;
                let raw: RawConfig = toml::from_str(&text).map_err(|e| ConfigError::Parse {
                    path: p.clone(),
                    message: describe_toml_error(&e, &text),
                })?;
                (raw, text)
            }
            None => (RawConfig::default(), String::new()),
        };
        Config::validate(raw, file, &text, overrides)
    }

    /// Validates a parsed configuration. `text` is the file's content, used to point errors
    /// at the line of the offending key.
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

        let languages = validate_languages(&raw.detect.languages, &locator, overrides)?;
        let pivot = raw.pivot.to_ascii_lowercase();
        if !languages
            .iter()
            .any(|l| detect::iso_code(*l) == pivot.as_str())
        {
            return Err(locator.invalid(
                "pivot",
                format!(
                    "pivot language \"{}\" is not one of detect.languages ({})",
                    raw.pivot,
                    raw.detect.languages.join(", ")
                ),
            ));
        }

        for (key, value) in [
            ("detect.margin", raw.detect.margin),
            ("detect.override_confidence", raw.detect.override_confidence),
        ] {
            if !(0.0..=1.0).contains(&value) || value.is_nan() {
                return Err(locator.invalid(key, format!("must be between 0 and 1, got {value}")));
            }
        }
        // Members outside detect.languages are ignored (a group needs two to matter), so
        // `--languages en,id` works with the default [["id", "ms"]]; unknown codes are errors.
        let known: Vec<String> = languages.iter().map(|l| detect::iso_code(*l)).collect();
        let mut confusable = Vec::new();
        for (i, group) in raw.detect.confusable.iter().enumerate() {
            if group.len() < 2 {
                return Err(locator.invalid(
                    "detect.confusable",
                    format!("group {} must name at least two languages", i + 1),
                ));
            }
            if let Some(code) = group
                .iter()
                .find(|c| detect::language_from_code(c).is_none())
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

        let paragraphs = match raw.segment.paragraphs.as_str() {
            "line" => ParagraphMode::Line,
            "blank-line" => ParagraphMode::BlankLine,
            "auto" => ParagraphMode::Auto,
            other => {
                return Err(locator.invalid(
                    "segment.paragraphs",
                    format!("expected \"line\", \"blank-line\" or \"auto\", got \"{other}\""),
                ));
            }
        };
        let boilerplate_patterns = compile_regexes(
            &raw.segment.boilerplate_patterns,
            "segment.boilerplate_patterns",
            &locator,
        )?;
        let prose_patterns = compile_regexes(
            &raw.segment.prose_patterns,
            "segment.prose_patterns",
            &locator,
        )?;

        let include = compile_globs(&raw.input.include, "input.include", &locator)?;
        let exclude = compile_globs(&raw.input.exclude, "input.exclude", &locator)?;
        let mut paths = Vec::with_capacity(raw.input.paths.len());
        for (i, p) in raw.input.paths.iter().enumerate() {
            let resolved = if p.is_absolute() {
                p.clone()
            } else {
                base_dir.join(p)
            };
            if !resolved.exists() {
                return Err(locator.invalid(
                    "input.paths",
                    format!(
                        "entry {} ({}): no such file or directory",
                        i + 1,
                        resolved.display()
                    ),
                ));
            }
            paths.push(resolved);
        }
        if raw.output.dir.as_os_str().is_empty() {
            return Err(locator.invalid("output.dir", "must not be empty".into()));
        }
        for f in &raw.output.formats {
            if crate::export::exporter(f).is_none() {
                let message = format!(
                    "unknown format \"{f}\"; formats: {}",
                    crate::export::FORMATS.join(", ")
                );
                return Err(if overrides.formats.is_some() {
                    ConfigError::Invalid {
                        location: "command line".into(),
                        key: "--format".into(),
                        message,
                    }
                } else {
                    locator.invalid("output.formats", message)
                });
            }
        }
        if !(0.0..=1.0).contains(&raw.output.moses_min_score) {
            return Err(locator.invalid("output.moses_min_score", "must be between 0 and 1".into()));
        }
        let mut backends = BTreeMap::new();
        for (name, backend) in &raw.backends {
            backends.insert(
                name.clone(),
                validate_backend(name, backend, &locator, &base_dir)?,
            );
        }
        if !backends.contains_key(DEFAULT_BACKEND) {
            let implicit = RawBackend {
                kind: "lexicon".into(),
                ..RawBackend::default()
            };
            backends.insert(
                DEFAULT_BACKEND.to_string(),
                validate_backend(DEFAULT_BACKEND, &implicit, &locator, &base_dir)?,
            );
        }
        let translate = validate_translate(&raw.translate, &backends, &locator, overrides)?;
        if !["comparable", "parallel"].contains(&raw.align.mode.as_str()) {
            return Err(locator.invalid(
                "align.mode",
                format!(
                    "expected \"comparable\" or \"parallel\", got \"{}\"",
                    raw.align.mode
                ),
            ));
        }
        if !(raw.align.threshold >= 0.0 && raw.align.threshold.is_finite()) {
            return Err(locator.invalid("align.threshold", "must be a number ≥ 0".into()));
        }
        if !(0.0..=1.0).contains(&raw.align.min_similarity) {
            return Err(locator.invalid("align.min_similarity", "must be between 0 and 1".into()));
        }
        if !(1..=100).contains(&raw.align.top_k) {
            return Err(locator.invalid("align.top_k", "must be between 1 and 100".into()));
        }
        if !(2..=8).contains(&raw.align.max_bead) {
            return Err(locator.invalid("align.max_bead", "must be between 2 and 8".into()));
        }

        Ok(Config {
            pivot,
            input: InputConfig {
                paths,
                include,
                exclude,
                lossy_utf8: raw.input.lossy_utf8,
            },
            segment: SegmentConfig {
                paragraphs,
                abbreviations: raw.segment.abbreviations.clone(),
                boilerplate_patterns,
                prose_patterns,
            },
            detect: DetectConfig {
                languages,
                min_letters: raw.detect.min_letters,
                margin: raw.detect.margin,
                override_confidence: raw.detect.override_confidence,
                confusable,
            },
            translate,
            backends,
            output_dir: raw.output.dir.clone(),
            raw,
            file,
        })
    }

    /// The effective configuration as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(&self.raw).unwrap_or_else(|e| format!("# cannot render: {e}\n"))
    }
}

fn validate_translate(
    raw: &RawTranslate,
    backends: &BTreeMap<String, BackendConfig>,
    locator: &KeyLocator,
    overrides: &Overrides,
) -> Result<TranslateConfig, ConfigError> {
    let known = || {
        if backends.is_empty() {
            "no [backends.NAME] tables are configured".to_string()
        } else {
            format!(
                "configured: {}",
                backends.keys().cloned().collect::<Vec<_>>().join(", ")
            )
        }
    };
    let chosen = raw.backend.clone().filter(|b| b != "none");
    if let Some(name) = &chosen
        && !backends.contains_key(name)
    {
        let message = format!("no backend named \"{name}\" ({})", known());
        return Err(if overrides.backend.is_some() {
            ConfigError::Invalid {
                location: "command line".into(),
                key: "--backend".into(),
                message,
            }
        } else {
            locator.invalid("translate.backend", message)
        });
    }
    for name in &raw.fallback {
        if !backends.contains_key(name) {
            return Err(locator.invalid(
                "translate.fallback",
                format!("no backend named \"{name}\" ({})", known()),
            ));
        }
    }
    if raw.cache_dir.as_os_str().is_empty() {
        return Err(locator.invalid("translate.cache_dir", "must not be empty".into()));
    }
    Ok(TranslateConfig {
        backend: chosen,
        fallback: raw.fallback.clone(),
        cache_dir: raw.cache_dir.clone(),
        offline: raw.offline,
    })
}

fn validate_languages(
    codes: &[String],
    locator: &KeyLocator,
    overrides: &Overrides,
) -> Result<Vec<lingua::Language>, ConfigError> {
    let invalid = |message: String| {
        if overrides.languages.is_some() {
            ConfigError::Invalid {
                location: "command line".into(),
                key: "--languages".into(),
                message,
            }
        } else {
            locator.invalid("detect.languages", message)
        }
    };
    if codes.is_empty() {
        return Err(invalid("the language list must not be empty".into()));
    }
    let mut languages = Vec::with_capacity(codes.len());
    for code in codes {
        match detect::language_from_code(code) {
            Some(lang) if !languages.contains(&lang) => languages.push(lang),
            Some(_) => {}
            None => {
                return Err(invalid(format!(
                    "\"{code}\" is not an ISO 639-1 code of a compiled-in language (available: {})",
                    detect::available_codes().join(", ")
                )));
            }
        }
    }
    Ok(languages)
}

fn compile_regexes(
    patterns: &[String],
    key: &str,
    locator: &KeyLocator,
) -> Result<Vec<Regex>, ConfigError> {
    patterns
        .iter()
        .map(|p| {
            Regex::new(p)
                .map_err(|e| locator.invalid(key, format!("invalid regular expression: {e}")))
        })
        .collect()
}

fn compile_globs(
    patterns: &[String],
    key: &str,
    locator: &KeyLocator,
) -> Result<GlobSet, ConfigError> {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        let glob = Glob::new(p).map_err(|e| locator.invalid(key, format!("invalid glob: {e}")))?;
        builder.add(glob);
    }
    builder
        .build()
        .map_err(|e| locator.invalid(key, format!("invalid glob: {e}")))
}

/// Finds where a dotted key (`detect.languages`) is written in the file, for error messages.
pub(crate) struct KeyLocator<'a> {
    file: Option<&'a Path>,
    text: &'a str,
}

impl KeyLocator<'_> {
    pub(crate) fn invalid(&self, key: &str, message: String) -> ConfigError {
        ConfigError::Invalid {
            location: self.location(key),
            key: key.to_string(),
            message,
        }
    }

    fn location(&self, key: &str) -> String {
        let Some(file) = self.file else {
            return "built-in defaults".into();
        };
        match find_key_line(self.text, key) {
            Some((line, column)) => format!("{}:{line}:{column}", file.display()),
            None => file.display().to_string(),
        }
    }
}

/// Every `key = value` line of a TOML text as (line, column, dotted key), 1-based, following
/// `[table]` headers. Good enough to point error messages at a line; not a TOML parser.
fn assignments(text: &str) -> impl Iterator<Item = (usize, usize, String)> + '_ {
    let mut table = String::new();
    text.lines().enumerate().filter_map(move |(n, line)| {
        let trimmed = line.trim_start();
        if let Some(header) = trimmed.strip_prefix('[') {
            let name = header
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("");
            table = name.trim().to_string();
            return None;
        }
        let (key, _) = trimmed.split_once('=')?;
        let key = key.trim().trim_matches('"');
        if key.is_empty() || key.starts_with('#') {
            return None;
        }
        let dotted = if table.is_empty() {
            key.to_string()
        } else {
            format!("{table}.{key}")
        };
        Some((n + 1, line.len() - trimmed.len() + 1, dotted))
    })
}

/// Line and column of the dotted key `table.key` in a TOML text.
fn find_key_line(text: &str, dotted: &str) -> Option<(usize, usize)> {
    assignments(text)
        .find(|(_, _, key)| key == dotted)
        .map(|(line, column, _)| (line, column))
}

/// The dotted key assigned on 1-based `line`.
fn key_at_line(text: &str, line: usize) -> Option<String> {
    assignments(text)
        .find(|(n, _, _)| *n == line)
        .map(|(_, _, key)| key)
}

/// `toml`'s message with the line, column and — when the error sits on a `key = value`
/// line — the dotted key (`toml` itself names unknown keys but not mistyped ones).
fn describe_toml_error(error: &toml::de::Error, text: &str) -> String {
    let message = error.message().trim_end();
    let Some(span) = error.span() else {
        return message.to_string();
    };
    let before = &text[..span.start.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    match key_at_line(text, line) {
        Some(key)
            if !message.contains(&format!("`{}`", key.rsplit('.').next().unwrap_or(&key))) =>
        {
            format!("line {line}, column {column}: key `{key}`: {message}")
        }
        _ => format!("line {line}, column {column}: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_lines_are_found_under_their_table() {
        let text = "pivot = \"en\"\n[input]\nlossy_utf8 = true\n[detect]\n  languages = []\n";
        assert_eq!(find_key_line(text, "detect.languages"), Some((5, 3)));
        assert_eq!(find_key_line(text, "pivot"), Some((1, 1)));
        assert_eq!(find_key_line(text, "input.paths"), None);
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
