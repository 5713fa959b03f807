//! `[input]`: which files are read and how they are decoded.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};

use super::locate::KeyLocator;
use crate::error::ConfigError;

/// `[input]` as written.
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
    /// The encoding of files without a byte-order mark (a WHATWG label: "utf-8",
    /// "windows-1252", "iso-8859-2", "shift_jis", "gbk", ...). UTF-16 files with a BOM are
    /// always read as such.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// A TSV of document metadata (relative to the config file): a header `doc<TAB>title<TAB>
    /// outlet<TAB>date` (any columns after `doc`), one document id per line. The report
    /// labels documents by `title` and shows `outlet` and `date`; `summary.json` carries
    /// them; `align.exclude_same_source` can read the same file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documents: Option<PathBuf>,
}

/// Files a directory walk skips unless `input.exclude` says otherwise: read-me, licence and
/// change-log files at any depth.
pub const DEFAULT_EXCLUDE: &[&str] = &[
    "**/README*",
    "**/readme*",
    "**/LICENSE*",
    "**/LICENCE*",
    "**/COPYING*",
    "**/CHANGELOG*",
    "**/CHANGES*",
];

impl Default for RawInput {
    fn default() -> Self {
        RawInput {
            paths: Vec::new(),
            include: vec!["*.txt".into(), "*.md".into()],
            // The usual non-content files of a folder of documents.
            exclude: DEFAULT_EXCLUDE.iter().map(|p| p.to_string()).collect(),
            lossy_utf8: false,
            encoding: None,
            documents: None,
        }
    }
}

/// Validated `[input]`.
#[derive(Debug, Clone)]
pub struct InputConfig {
    pub paths: Vec<PathBuf>,
    pub include: GlobSet,
    pub exclude: GlobSet,
    pub lossy_utf8: bool,
    /// `input.encoding`; `None` = UTF-8.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// `input.documents`, read and checked.
    pub documents: Option<super::documents::DocumentTable>,
}

/// Validates `[input]`; relative `paths` are resolved against `base_dir` (the config file's).
pub(crate) fn validate(
    raw: &RawInput,
    base_dir: &Path,
    locator: &KeyLocator,
) -> Result<InputConfig, ConfigError> {
    let include = compile_globs(&raw.include, "input.include", locator)?;
    let exclude = compile_globs(&raw.exclude, "input.exclude", locator)?;
    let mut paths = Vec::with_capacity(raw.paths.len());
    for (i, p) in raw.paths.iter().enumerate() {
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
                    crate::display::path(&resolved)
                ),
            ));
        }
        paths.push(resolved);
    }
    let encoding = match &raw.encoding {
        None => None,
        Some(label) => Some(
            encoding_rs::Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
                locator.invalid(
                    "input.encoding",
                    format!(
                        "unknown encoding \"{label}\" (a WHATWG label such as utf-8, windows-1252, iso-8859-2, shift_jis, gbk)"
                    ),
                )
            })?,
        ),
    };
    let documents = match &raw.documents {
        None => None,
        Some(file) => Some(super::documents::DocumentTable::read(
            &super::locate::relative_to(base_dir, file),
            "input.documents",
            locator,
        )?),
    };
    Ok(InputConfig {
        documents,
        paths,
        include,
        exclude,
        lossy_utf8: raw.lossy_utf8,
        encoding,
    })
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
