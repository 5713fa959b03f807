//! Document metadata tables (`input.documents`, the `metadata` of
//! `align.exclude_same_source`): a TSV whose header starts with `doc` and names the other
//! columns (`title`, `outlet`, `date`, or any), one document id per line.

use std::collections::HashMap;
use std::path::Path;

use super::locate::KeyLocator;
use crate::error::ConfigError;

/// A metadata table read and checked: every line has as many fields as the header.
#[derive(Debug, Clone, Default)]
pub struct DocumentTable {
    /// The header after `doc`.
    columns: Vec<String>,
    /// Document id → its fields after `doc`, in header order.
    rows: HashMap<String, Vec<String>>,
}

impl DocumentTable {
    /// Reads `path` (the value of `key`); errors name the file and line. Lines that are
    /// empty or start with `#` are skipped.
    pub(crate) fn read(
        path: &Path,
        key: &str,
        locator: &KeyLocator,
    ) -> Result<DocumentTable, ConfigError> {
        let shown = crate::display::path(path);
        let mut lines = tsv_lines(path, key, locator)?.into_iter();
        let Some((line, header)) = lines.next() else {
            return Err(locator.invalid(
                key,
                format!("{shown}: empty (expected a header line doc<TAB>title<TAB>…)"),
            ));
        };
        if header.first().map(String::as_str) != Some("doc") {
            return Err(locator.invalid(
                key,
                format!("{shown}:{line}: the header must start with `doc`, got {header:?}"),
            ));
        }
        let mut rows = HashMap::new();
        for (line, mut fields) in lines {
            if fields.len() != header.len() {
                return Err(locator.invalid(
                    key,
                    format!(
                        "{shown}:{line}: {} fields, the header has {}",
                        fields.len(),
                        header.len()
                    ),
                ));
            }
            let doc = fields.remove(0);
            if rows.insert(doc.clone(), fields).is_some() {
                return Err(locator.invalid(key, format!("{shown}:{line}: `{doc}` listed twice")));
            }
        }
        Ok(DocumentTable {
            columns: header[1..].to_vec(),
            rows,
        })
    }

    /// True when the header names `column`.
    pub fn has(&self, column: &str) -> bool {
        self.columns.iter().any(|c| c == column)
    }

    /// The non-empty value of `column` for `doc`.
    pub fn get(&self, doc: &str, column: &str) -> Option<&str> {
        let at = self.columns.iter().position(|c| c == column)?;
        self.rows
            .get(doc)
            .map(|fields| fields[at].as_str())
            .filter(|v| !v.is_empty())
    }

    /// Every document with a non-empty value of `column`, and the value.
    pub fn column(&self, column: &str) -> HashMap<String, String> {
        self.rows
            .keys()
            .filter_map(|doc| Some((doc.clone(), self.get(doc, column)?.to_string())))
            .collect()
    }
}

/// Reads a TSV file the configuration names (the value of `key`): its lines, numbered from
/// 1, split at tabs and trimmed, without blank and `#` comment lines.
pub(crate) fn tsv_lines(
    path: &Path,
    key: &str,
    locator: &KeyLocator,
) -> Result<Vec<(usize, Vec<String>)>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        locator.invalid(
            key,
            format!("cannot read {}: {e}", crate::display::path(path)),
        )
    })?;
    Ok(text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, l)| (i + 1, l.split('\t').map(|f| f.trim().to_string()).collect()))
        .collect())
}
