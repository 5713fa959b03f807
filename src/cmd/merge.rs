//! `transalign merge DIR... --out DIR`: the shards of a run combined into its outputs.

use crate::cli::MergeArgs;
use crate::config::{Config, Overrides};
use crate::error::Result;
use crate::pipeline;

use super::Context;

/// Runs `merge`.
pub fn run(context: &Context, args: &MergeArgs) -> Result<u8> {
    let overrides = Overrides {
        out_dir: args.out_dir.clone(),
        cache_dir: args.cache_dir.clone(),
        cache_url: args.cache_url.clone(),
        embedder: args.embedding.embedder.clone(),
        formats: args.formats.clone(),
        ..Overrides::default()
    };
    let config = Config::load(context.config_file, &overrides)?;
    let options = super::run_options(&args.comparable, &config, context.quiet, None);
    let corpus = pipeline::merge(&config, &args.dirs, options)?;
    if !context.quiet {
        eprintln!(
            "merged {} shards: {} sentences of {} documents, {} alignments, {} claims written to {}",
            corpus.merged_shards.unwrap_or(0),
            corpus.sentences.len(),
            corpus.documents.len(),
            corpus.alignments.len(),
            corpus.claims.len(),
            crate::display::path(&config.output.dir)
        );
    }
    Ok(pipeline::finish(&corpus, false, context.quiet))
}
