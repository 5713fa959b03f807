//! One file per subcommand, each with its `run`: it loads the configuration with the
//! subcommand's overrides and calls into the library. The clap definitions are in `cli.rs`.

pub mod align;
pub mod backends;
pub mod cache;
pub mod config;
pub mod detect;
pub mod embed;
pub mod eval;
pub mod export;
pub mod help;
pub mod lexicon;
mod lines;
pub mod merge;
pub mod run;
pub mod translate;

use std::path::Path;

/// What every subcommand gets from the global flags.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// `--config PATH`.
    pub config_file: Option<&'a Path>,
    /// `--quiet`.
    pub quiet: bool,
}

/// The error for a bad value of a command-line flag.
fn command_line_error(flag: &str, message: String) -> crate::error::Error {
    crate::error::ConfigError::command_line(flag, message).into()
}

/// The pipeline's options from the comparable-alignment flags (`run`, `merge`).
fn run_options(
    args: &crate::cli::ComparableArgs,
    config: &crate::config::Config,
    quiet: bool,
    shard: Option<crate::shard::Shard>,
) -> crate::pipeline::RunOptions {
    crate::pipeline::RunOptions {
        threshold: args.threshold,
        min_confidence: args.min_confidence,
        top_k: args.top_k.map_or(config.raw.align.top_k, |k| k as usize),
        quiet,
        shard,
    }
}
