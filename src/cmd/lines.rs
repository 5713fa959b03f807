//! Reading the lines a command works on: files in order, or standard input.

use std::io::BufRead;

use crate::error::{Error, Result};

/// Every line of `files` in order (`-` is standard input), or of standard input when there
/// are none.
pub fn read_lines(files: &[std::path::PathBuf]) -> Result<Vec<String>> {
    let read = |path: &std::path::Path, reader: &mut dyn BufRead| -> Result<Vec<String>> {
        reader
            .lines()
            .collect::<std::io::Result<Vec<String>>>()
            .map_err(|source| Error::Input {
                path: path.to_path_buf(),
                source,
            })
    };
    if files.is_empty() {
        return read(
            std::path::Path::new("<stdin>"),
            &mut std::io::stdin().lock(),
        );
    }
    let mut lines = Vec::new();
    for path in files {
        if path.as_os_str() == "-" {
            lines.extend(read(
                std::path::Path::new("<stdin>"),
                &mut std::io::stdin().lock(),
            )?);
            continue;
        }
        let file = std::fs::File::open(path).map_err(|source| Error::Input {
            path: path.clone(),
            source,
        })?;
        lines.extend(read(path, &mut std::io::BufReader::new(file))?);
    }
    Ok(lines)
}
