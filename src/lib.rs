//! transalign: makes claims comparable across languages.
//!
//! The pipeline ([`pipeline`]) reads a corpus, segments it into sentences, detects the
//! language of every document and sentence, translates what is not in the pivot language
//! through a cached backend, aligns the translations with the pivot-language sentences and
//! exports the result. Its stages, in order:
//!
//! | stage     | module        | gives                                   |
//! |-----------|---------------|-----------------------------------------|
//! | ingest    | [`ingest`]    | [`model::Document`]s (NFC text, offsets) |
//! | segment   | [`segment`]   | [`model::Sentence`]s, boilerplate marked |
//! | detect    | [`detect`]    | languages of documents and sentences    |
//! | claims    | [`claims`]    | which sentences can carry a claim       |
//! | translate | [`translate`] | translations through cache and backends |
//! | embed     | [`embed`]     | sentence vectors through cache and an embedder |
//! | align     | [`align`]     | comparable matches or parallel beads    |
//! | export    | [`export`]    | jsonl · tsv · tmx · moses · html        |
//!
//! [`run`] is the whole program behind the binary: it dispatches each subcommand to its
//! file in [`cmd`].

// The stages, in pipeline order.
pub mod align;
pub mod claims;
pub mod detect;
pub mod embed;
pub mod export;
pub mod ingest;
pub mod pipeline;
pub mod segment;
pub mod shard;
pub mod translate;

// The layers under them: remote work and its cache, data, configuration, errors, shared
// tables and writers.
pub mod cache;
pub mod config;
pub mod display;
pub mod error;
pub mod languages;
pub mod lexicon;
pub mod model;
pub mod output;
pub mod progress;
pub mod remote;

// The command line.
pub mod cli;
pub mod cmd;

use crate::cli::{Cli, Command, ConfigCommand};
use crate::cmd::Context;
use crate::error::Result;

/// Runs the command line and returns the process exit code.
pub fn run(cli: Cli) -> Result<u8> {
    let context = Context {
        config_file: cli.config.as_deref(),
        quiet: cli.quiet,
    };
    match &cli.command {
        Command::Run(args) => cmd::run::run(&context, args),
        Command::Merge(args) => cmd::merge::run(&context, args),
        Command::Detect(args) => cmd::detect::run(&context, args),
        Command::Translate(args) => cmd::translate::run(&context, args),
        Command::Backends(command) => cmd::backends::run(&context, command),
        Command::Cache {
            cache_dir,
            cache_url,
            command,
        } => cmd::cache::run(&context, cache_dir, cache_url, command),
        Command::Align(args) => cmd::align::run(&context, args),
        Command::Embed(args) => cmd::embed::run(&context, args),
        Command::Eval(command) => cmd::eval::run(&context, command),
        Command::Lexicon(command) => cmd::lexicon::run(&context, command),
        Command::Config(ConfigCommand::Check(overrides)) => cmd::config::check(&context, overrides),
        Command::Export(args) => cmd::export::run(&context, args),
        Command::Completions { shell } => cmd::help::completions(*shell),
        Command::Man { dir } => cmd::help::man(dir.as_deref()),
    }
}
