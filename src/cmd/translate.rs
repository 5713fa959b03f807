//! `transalign translate`: lines of text through the configured backend and cache.

use std::io::Write;

use super::Context;
use super::lines::read_lines;
use crate::cli::{OverrideArgs, TranslateArgs};
use crate::config::Config;
use crate::error::{Error, Result, exit_code};
use crate::translate::driver::{Job, JobOutcome};
use crate::translate::stage::{self, Chain};

/// Runs `translate`.
pub fn run(context: &Context, args: &TranslateArgs) -> Result<u8> {
    let config = Config::load(
        context.config_file,
        &OverrideArgs::default().to_overrides(None, Some(&args.translation)),
    )?;
    translate(&config, args, context.quiet)
}

/// `transalign translate`: one translation per input line, in order; a line that fails gets
/// an empty output line and a message on stderr.
fn translate(config: &Config, args: &TranslateArgs, quiet: bool) -> Result<u8> {
    let target = args.to.clone().unwrap_or_else(|| config.pivot.clone());
    let source = args.from.to_ascii_lowercase();
    for (flag, code) in [("--from", &source), ("--to", &target)] {
        let overridden = config
            .backends
            .values()
            .flat_map(|b| b.language_codes.keys());
        crate::translate::codes::check_user_code(code, overridden)
            .map_err(|message| crate::error::ConfigError::command_line(flag, message))?;
    }
    let lines = read_lines(&args.files)?;
    let chain = Chain::required(config, true)?;
    let mut jobs: Vec<Job> = Vec::new();
    let mut job_of = Vec::with_capacity(lines.len());
    let mut seen = std::collections::HashMap::new();
    for line in &lines {
        if line.trim().is_empty() {
            job_of.push(None);
            continue;
        }
        let index = *seen.entry(line.clone()).or_insert_with(|| {
            jobs.push(Job {
                source: source.clone(),
                text: line.clone(),
            });
            jobs.len() - 1
        });
        job_of.push(Some(index));
    }
    let outcome = stage::translate_jobs(config, chain, &target, jobs, quiet)?;
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let mut failures = Vec::new();
    for (n, job) in job_of.iter().enumerate() {
        let text = match job.map(|j| &outcome.results[j]) {
            None => "",
            Some(JobOutcome::Done { translation, .. }) => translation.as_str(),
            Some(JobOutcome::Failed { error }) => {
                failures.push((format!("line {}", n + 1), error.as_str()));
                ""
            }
        };
        writeln!(stdout, "{text}").map_err(Error::Stdout)?;
    }
    stdout.flush().map_err(Error::Stdout)?;
    let failed = failures.len();
    for line in crate::display::reason_lines(&crate::display::by_reason(failures), "lines") {
        eprintln!("{line}");
    }
    let c = &outcome.counters;
    if !quiet {
        eprintln!("{} lines, {c}", lines.len());
    }
    if let Some(reason) = &outcome.stopped {
        eprintln!("translation stopped: {reason}");
    }
    Ok(if outcome.interrupted {
        exit_code::INTERRUPTED
    } else if failed > 0 || outcome.stopped.is_some() {
        exit_code::INCOMPLETE
    } else {
        exit_code::SUCCESS
    })
}
