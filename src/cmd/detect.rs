//! `transalign detect`: segment and detect; one JSON object per sentence on stdout.

use std::io::Write;

use super::Context;
use super::run::inputs;
use crate::cli::InputArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::output;
use crate::pipeline;

/// Runs `detect`.
pub fn run(context: &Context, args: &InputArgs) -> Result<u8> {
    let config = Config::load(
        context.config_file,
        &args.overrides.to_overrides(None, None),
    )?;
    let corpus = pipeline::process(&config, &inputs(args, &config)?, context.quiet);
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    output::write_jsonl(&mut stdout, &corpus.sentences)
        .and_then(|_| stdout.flush())
        .map_err(Error::Stdout)?;
    Ok(pipeline::finish(&corpus, args.keep_going, context.quiet))
}
