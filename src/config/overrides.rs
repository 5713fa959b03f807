//! Command-line values that take precedence over the configuration file.

use std::path::PathBuf;

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
    /// `--cache-url URL` (a Redis cache).
    pub cache_url: Option<String>,
    /// `--embedder NAME`.
    pub embedder: Option<String>,
    /// `--format a,b`.
    pub formats: Option<Vec<String>>,
}
