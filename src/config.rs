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

/// The configuration file as written by the user.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawConfig {
    /// Language every other language is translated into and aligned with (ISO 639-1).
    pub pivot: String,
    pub input: RawInput,
    pub segment: RawSegment,
    pub detect: RawDetect,
    pub output: RawOutput,
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

/// `[output]`: where `run` writes its files.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawOutput {
    /// Output directory (relative to the current directory).
    pub dir: PathBuf,
}

impl Default for RawConfig {
    fn default() -> Self {
        RawConfig {
            pivot: "en".into(),
            input: RawInput::default(),
            segment: RawSegment::default(),
            detect: RawDetect::default(),
            output: RawOutput::default(),
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
        RawOutput { dir: "out".into() }
    }
}

/// Command-line values that take precedence over the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub out_dir: Option<PathBuf>,
    pub languages: Option<Vec<String>>,
    pub lossy_utf8: bool,
    pub pivot: Option<String>,
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
    pub output_dir: PathBuf,
}

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
struct KeyLocator<'a> {
    file: Option<&'a Path>,
    text: &'a str,
}

impl KeyLocator<'_> {
    fn invalid(&self, key: &str, message: String) -> ConfigError {
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
