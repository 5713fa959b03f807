//! Reading the inputs a command works on: files in order, or standard input (`-`, or no
//! file at all), through the one reader of inputs ([`crate::ingest::read_input`]).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::ingest::{STDIN, read_input};

/// The whole text of `path` (`-` = standard input), which must be UTF-8.
pub fn read_text(path: &Path) -> Result<String> {
    let shown = || {
        if crate::ingest::is_stdin(path) {
            PathBuf::from("<stdin>")
        } else {
            path.to_path_buf()
        }
    };
    let bytes = read_input(path).map_err(|source| Error::Input {
        path: shown(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|e| Error::Input {
        path: shown(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "invalid UTF-8 at byte offset {}",
                e.utf8_error().valid_up_to()
            ),
        ),
    })
}

/// Every line of `files` in order (`-` is standard input), or of standard input when there
/// are none.
pub fn read_lines(files: &[PathBuf]) -> Result<Vec<String>> {
    let stdin = [PathBuf::from(STDIN)];
    let files = if files.is_empty() { &stdin[..] } else { files };
    let mut lines = Vec::new();
    for path in files {
        lines.extend(read_text(path)?.lines().map(str::to_string));
    }
    Ok(lines)
}
