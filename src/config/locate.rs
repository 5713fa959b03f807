//! Which configuration file applies (`--config`, `TRANSALIGN_CONFIG`, a `./config.toml` that
//! is transalign's), and where a key is written in it: `FILE:LINE:COLUMN` for validation
//! errors, and `toml`'s parse errors with the dotted key of their line.

use std::path::{Path, PathBuf};

use crate::error::ConfigError;

/// The configuration file read from the current directory when none is named.
pub const DEFAULT_FILE: &str = "config.toml";

/// The environment variable that names the configuration file.
pub const CONFIG_VARIABLE: &str = "TRANSALIGN_CONFIG";

/// Top-level keys of a transalign configuration.
pub(crate) const TOP_LEVEL_KEYS: &[&str] = &[
    "pivot",
    "input",
    "segment",
    "claims",
    "detect",
    "translate",
    "cache",
    "backends",
    "embed",
    "embedders",
    "align",
    "output",
];

/// The configuration file when `--config` names none, with its text (read once): the file
/// `TRANSALIGN_CONFIG` names (it must exist), else `./config.toml` when it is a transalign
/// configuration — an unrelated one (a static site's) is passed over with a warning that
/// says how to choose a file —, else none (the built-in defaults).
pub(crate) fn default_file() -> Result<Option<(PathBuf, String)>, ConfigError> {
    if let Some(named) = std::env::var_os(CONFIG_VARIABLE).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(named);
        if !path.is_file() {
            return Err(ConfigError::Read {
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("named by {CONFIG_VARIABLE}, but not a file"),
                ),
                path,
            });
        }
        let text = read(&path)?;
        return Ok(Some((path, text)));
    }
    let local = PathBuf::from(DEFAULT_FILE);
    if !local.is_file() {
        return Ok(None);
    }
    let text = read(&local)?;
    match foreign_keys(&text) {
        None => Ok(Some((local, text))),
        Some(keys) => {
            eprintln!(
                "warning: ./{} is not a transalign configuration (top-level {}), so the built-in defaults apply; pass --config FILE or set {CONFIG_VARIABLE} to use one",
                DEFAULT_FILE, keys
            );
            Ok(None)
        }
    }
}

/// The text of a configuration file.
pub(crate) fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// `Some(description)` when the TOML text has top-level keys and none of them is
/// transalign's; `None` when it is (or may be) transalign's — a text that does not parse
/// is left to the loader, which reports the error.
fn foreign_keys(text: &str) -> Option<String> {
    let table: toml::Table = toml::from_str(text).ok()?;
    if table.is_empty() || table.keys().any(|k| TOP_LEVEL_KEYS.contains(&k.as_str())) {
        return None;
    }
    let mut keys: Vec<&str> = table.keys().map(String::as_str).take(4).collect();
    if table.len() > 4 {
        keys.push("...");
    }
    Some(format!("keys: {}", keys.join(", ")))
}

/// Finds where a dotted key (`detect.languages`) is written in the file, for error messages.
pub(crate) struct KeyLocator<'a> {
    pub(crate) file: Option<&'a Path>,
    pub(crate) text: &'a str,
}

impl KeyLocator<'_> {
    /// An error about `--flag` on the command line, or about `key` in the file.
    pub(crate) fn invalid_or_flag(
        &self,
        flag: Option<&str>,
        key: &str,
        message: String,
    ) -> ConfigError {
        match flag {
            Some(flag) => ConfigError::command_line(flag, message),
            None => self.invalid(key, message),
        }
    }

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
            Some((line, column)) => format!("{}:{line}:{column}", crate::display::path(file)),
            None => crate::display::path(file),
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
pub(crate) fn describe_toml_error(error: &toml::de::Error, text: &str) -> String {
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

/// `path` as seen from the directory of the configuration file (`base` is empty without one).
pub(crate) fn relative_to(base: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() || base.as_os_str().is_empty() {
        path.to_path_buf()
    } else {
        base.join(path)
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
}
