//! Typed errors of the library and the process exit codes they map to.

use std::path::PathBuf;

/// Exit codes of the `transalign` binary (documented in docs/src/user-guide.md, "Exit codes").
pub mod exit_code {
    /// Everything that was asked for was done.
    pub const SUCCESS: u8 = 0;
    /// An unexpected failure (I/O on an output, internal error).
    pub const FAILURE: u8 = 1;
    /// The command line or the configuration is wrong; nothing was processed.
    pub const USAGE: u8 = 2;
    /// The run finished, but some inputs were skipped (unreadable, binary, invalid UTF-8) or
    /// some sentences could not be translated (listed in `summary.json`), or the translation
    /// stage stopped early (quota, authentication). `--keep-going` turns skipped inputs (not
    /// translation failures) into [`SUCCESS`].
    pub const INCOMPLETE: u8 = 3;
    /// Interrupted by Ctrl-C; everything translated so far is cached.
    pub const INTERRUPTED: u8 = 130;
}

/// A problem in the configuration file or in the command-line overrides.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error(
        "cannot read configuration file {}: {source}",
        crate::display::path(path)
    )]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Syntax error, wrong type or unknown key; the message from `toml` carries line and column.
    #[error("{}: {message}", crate::display::path(path))]
    Parse { path: PathBuf, message: String },
    /// A value that parses but is not acceptable.
    #[error("{location}: key `{key}`: {message}")]
    Invalid {
        /// `FILE:LINE:COLUMN`, `FILE` when the key is not written in the file, or
        /// `command line` for an override.
        location: String,
        key: String,
        message: String,
    },
    /// Several problems found at once (every out-of-range number of a file), one per line.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Several(Vec<ConfigError>),
}

/// A backend cannot be set up (a missing API key variable).
#[derive(Debug, thiserror::Error)]
#[error("backend \"{backend}\": {message}")]
pub struct SetupError {
    pub backend: String,
    pub message: String,
}

/// Errors of the cache.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CacheError {
    #[error("cache in use by another run ({0})")]
    InUse(PathBuf),
    #[error("cannot open cache {}: {message}", crate::display::path(path))]
    Open { path: PathBuf, message: String },
    #[error("cache {}: {message}", crate::display::path(path))]
    Storage { path: PathBuf, message: String },
    #[error("{location}: {message}")]
    Import { location: String, message: String },
    #[error("cannot write cache export: {0}")]
    Export(std::io::Error),
    /// The shared cache server does not answer at start (the URL carries no password).
    #[error(
        "cannot reach the cache at {url}: {message} (is the Redis server running? set cache.url or --cache-url)"
    )]
    Unreachable { url: String, message: String },
}

impl ConfigError {
    /// A value given on the command line (`--flag`) that is not acceptable.
    pub fn command_line(flag: &str, message: String) -> ConfigError {
        ConfigError::Invalid {
            location: "command line".into(),
            key: flag.into(),
            message,
        }
    }
}

/// Errors the library returns to the binary.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Neither the command line nor `input.paths` names anything to read.
    #[error(
        "no inputs: name files or directories on the command line, or set input.paths in {config}"
    )]
    NoInputs { config: String },
    #[error("cannot write {}: {source}", crate::display::path(path))]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Backend(#[from] SetupError),
    #[error(transparent)]
    Cache(#[from] CacheError),
    /// A command needs a backend and none is chosen.
    #[error(
        "no translation backend: set [translate] backend = \"NAME\" with a [backends.NAME] table in {config}, or pass --backend NAME"
    )]
    NoBackend { config: String },
    /// A command needs an embedder and none is chosen.
    #[error(
        "no embedder: set [embed] backend = \"NAME\" with an [embedders.NAME] table in {config}, or pass --embedder NAME"
    )]
    NoEmbedder { config: String },
    #[error("cannot read {}: {source}", crate::display::path(path))]
    Input {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A data file the user gave is malformed (a dictionary source, a lexicon, a gold
    /// alignment, predicted alignments); the message names the file and line.
    #[error("{0}")]
    Data(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    /// Writing to standard output failed (a broken pipe is handled quietly by the binary).
    #[error("cannot write to standard output: {0}")]
    Stdout(std::io::Error),
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Config(_)
            | Error::NoInputs { .. }
            | Error::Backend(_)
            | Error::NoBackend { .. }
            | Error::NoEmbedder { .. }
            | Error::Input { .. }
            | Error::Data(_)
            | Error::Cache(CacheError::Unreachable { .. }) => exit_code::USAGE,
            Error::Output { .. } | Error::Stdout(_) | Error::Cache(_) | Error::Runtime(_) => {
                exit_code::FAILURE
            }
        }
    }

    /// True when the error is a closed standard output (`transalign detect | head`).
    /// True when standard output was closed early (`| head`): not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        let broken = |e: &std::io::Error| e.kind() == std::io::ErrorKind::BrokenPipe;
        match self {
            Error::Stdout(e) => broken(e),
            Error::Cache(CacheError::Export(e)) => broken(e),
            _ => false,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
