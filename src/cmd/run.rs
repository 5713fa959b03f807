//! `transalign run`: the whole pipeline on files and directories, outputs in `--out`.

use crate::shard::Shard;
use std::path::PathBuf;

use super::Context;
use crate::cli::{InputArgs, RunArgs};
use std::io::Write;

use crate::config::Config;
use crate::embed::stage::Session;
use crate::error::{Error, Result, exit_code};
use crate::pipeline;
use crate::translate::stage::{self, Chain};

/// Runs `run` (or, with `--dry-run`, prints what translation would send).
pub fn run(context: &Context, args: &RunArgs) -> Result<u8> {
    let mut overrides = args
        .input
        .overrides
        .to_overrides(args.out_dir.clone(), Some(&args.translation));
    overrides.formats = args.formats.clone();
    overrides.embedder = args.embedding.embedder.clone();
    let config = Config::load(context.config_file, &overrides)?;
    let inputs = inputs(&args.input, &config)?;
    let shard = match &args.shard {
        Some(spec) => Some(Shard::parse(spec, args.shard_count, |name| {
            std::env::var(name).ok()
        })?),
        None => None,
    };
    if args.dry_run {
        return dry_run(&config, &inputs, context.quiet, shard);
    }
    let options = super::run_options(&args.comparable, &config, context.quiet, shard);
    let corpus = pipeline::run(&config, &inputs, options)?;
    if !context.quiet {
        let shard = shard.map_or_else(String::new, |s| format!("shard {s}: "));
        eprintln!(
            "{shard}wrote {} sentences of {} documents to {} (cache: {})",
            corpus.sentences.len(),
            corpus.documents.len(),
            crate::display::path(&config.output.dir),
            config.cache.location.describe()
        );
        eprintln!("{}", pipeline::stage_times(&corpus));
    }
    let code = pipeline::finish(&corpus, args.input.keep_going, context.quiet);
    if !context.quiet
        && let Some(open) = what_to_open(&config, &corpus)
    {
        eprintln!("{open}");
    }
    Ok(code)
}

/// The line that tells a user what the run found and which file shows it (`None` when
/// nothing was aligned).
fn what_to_open(config: &Config, corpus: &pipeline::Corpus) -> Option<String> {
    let report = corpus.alignment.as_ref()?;
    let dir = &config.output.dir;
    let html = config.output.formats.contains(&crate::config::Format::Html);
    let file = |name: &str| crate::display::path(dir.join(name));
    if report.mode == "comparable" {
        let tier = |t: &str| corpus.claims.iter().filter(|c| c.tier == t).count();
        let shown = if html {
            format!("open {}", file("report.html"))
        } else {
            format!("see {}", file("claims.jsonl"))
        };
        let candidates = tier("candidate");
        Some(format!(
            "found {} claims ({} same, {} related{}): {shown}",
            corpus.claims.len(),
            tier("same"),
            tier("related"),
            if candidates > 0 {
                format!(", {candidates} candidates")
            } else {
                String::new()
            }
        ))
    } else {
        Some(format!(
            "aligned {} beads: {} {}",
            corpus.alignments.len(),
            if html { "open" } else { "see" },
            file(if html { "report.html" } else { "aligned.jsonl" })
        ))
    }
}

/// `run --dry-run`: per backend, what would be sent after cache hits; sends and writes nothing.
fn dry_run(config: &Config, inputs: &[PathBuf], quiet: bool, shard: Option<Shard>) -> Result<u8> {
    let corpus = pipeline::process_shard(config, inputs, quiet, shard);
    let chain = Chain::required(config, false)?;
    let (jobs, _) = stage::jobs_for(&corpus.sentences, &config.pivot);
    let plan = stage::plan_jobs(config, chain, &config.pivot, &jobs)?;
    let mut stdout = std::io::stdout().lock();
    stage::print_plan(&plan, &config.pivot, &mut stdout).map_err(Error::Stdout)?;
    if let Some(session) = Session::open(config, false)? {
        // Vectors are asked for the original sentences (or overlaps), which translation does
        // not change: the plan is exact.
        let texts = crate::align::corpus::texts_to_embed(config, &corpus.sentences);
        let plan = session.plan(&texts)?;
        writeln!(
            stdout,
            "dry run: {} distinct texts to embed, {} cached, {} to send\n{:<20} {:>10} {:>12} {:>9}",
            plan.texts,
            plan.cache_hits,
            plan.texts - plan.cache_hits,
            "embedder",
            "texts",
            "characters",
            "requests"
        )
        .map_err(Error::Stdout)?;
        for (name, work) in &plan.by_backend {
            writeln!(
                stdout,
                "{:<20} {:>10} {:>12} {:>9}",
                name, work.sentences, work.characters, work.requests
            )
            .map_err(Error::Stdout)?;
        }
        if config.raw.align.mode == "parallel" && config.raw.align.embed_overlaps == "near_path" {
            writeln!(
                stdout,
                "(parallel: these are the sentences; the overlaps the first paths plan come on top, about 0.1-0.3 per sentence)"
            )
            .map_err(Error::Stdout)?;
        }
    }
    Ok(exit_code::SUCCESS)
}

/// The inputs named on the command line, else `input.paths`.
pub(super) fn inputs(args: &InputArgs, config: &Config) -> Result<Vec<PathBuf>> {
    let inputs = if args.inputs.is_empty() {
        &config.input.paths
    } else {
        &args.inputs
    };
    // A path typed on the command line that does not exist is a usage error, as one in
    // `input.paths` is (a directory that exists but has no matching files is not).
    for path in &args.inputs {
        if path.as_os_str() != "-" && !path.exists() {
            return Err(crate::error::ConfigError::command_line(
                "INPUT",
                format!("{}: no such file or directory", crate::display::path(path)),
            )
            .into());
        }
    }
    if inputs.is_empty() {
        return Err(Error::NoInputs {
            config: config
                .file
                .as_ref()
                .map_or_else(|| "a configuration file".into(), crate::display::path),
        });
    }
    Ok(inputs.clone())
}
