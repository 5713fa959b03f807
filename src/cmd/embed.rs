//! `transalign embed`: lines of text through the configured embedder and cache; one JSON
//! array per line, or a NumPy `.npy` matrix.

use std::io::Write;

use super::lines::read_lines;
use super::{Context, command_line_error};
use crate::cli::{EmbedArgs, OverrideArgs, TranslationArgs};
use crate::config::Config;
use crate::embed::stage::Session;
use crate::error::{Error, Result, exit_code};

/// Runs `embed`.
pub fn run(context: &Context, args: &EmbedArgs) -> Result<u8> {
    let translation = TranslationArgs {
        backend: None,
        offline: args.offline,
        cache_dir: args.cache_dir.clone(),
        cache_url: None,
    };
    let mut overrides = OverrideArgs::default().to_overrides(None, Some(&translation));
    overrides.embedder = args.embedding.embedder.clone();
    let config = Config::load(context.config_file, &overrides)?;
    let npy = match args.format.as_str() {
        "jsonl" => false,
        "npy" if args.out.is_some() => true,
        "npy" => {
            return Err(command_line_error(
                "--format",
                "npy needs --out FILE (it is binary)".into(),
            ));
        }
        other => {
            return Err(command_line_error(
                "--format",
                format!("expected \"jsonl\" or \"npy\", got \"{other}\""),
            ));
        }
    };
    let lines = read_lines(&args.files)?;
    let session = Session::required(&config, true)?;
    let mut distinct: Vec<String> = lines.clone();
    distinct.sort();
    distinct.dedup();
    distinct.retain(|l| !l.trim().is_empty());
    let embedded = session.embed(&distinct, "embed", context.quiet)?;
    let report = &embedded.report;
    let mut failed = 0;
    let mut rows: Vec<Option<Vec<f32>>> = Vec::with_capacity(lines.len());
    for (n, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            rows.push(None);
            continue;
        }
        let index = distinct
            .binary_search(line)
            .expect("every line is in distinct");
        match &embedded.outcomes[index] {
            Ok(v) => rows.push(Some(v.iter().map(|x| x.to_f32()).collect())),
            Err(e) => {
                failed += 1;
                eprintln!("line {}: {e}", n + 1);
                rows.push(None);
            }
        }
    }
    let dimension = report.dimension;
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        if npy {
            write_npy(out, &rows, dimension)
        } else {
            for row in &rows {
                match row {
                    Some(v) => serde_json::to_writer(&mut *out, v)?,
                    None => out.write_all(b"null")?,
                }
                out.write_all(b"\n")?;
            }
            out.flush()
        }
    };
    match &args.out {
        Some(path) => crate::output::write_atomically(path, |w| write(w))?,
        None => {
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            write(&mut stdout).map_err(Error::Stdout)?;
        }
    }
    if !context.quiet {
        eprintln!(
            "{} lines, {} distinct texts: {} from the cache, {} embedded, {} failed; {} requests, {} retries",
            lines.len(),
            report.texts,
            report.cache_hits,
            report.embedded,
            report.failed,
            report.requests,
            report.retries
        );
    }
    if let Some(reason) = &report.stopped {
        eprintln!("embedding stopped: {reason}");
    }
    Ok(if report.interrupted {
        exit_code::INTERRUPTED
    } else if failed > 0 || report.stopped.is_some() {
        exit_code::INCOMPLETE
    } else {
        exit_code::SUCCESS
    })
}

/// A NumPy `.npy` (format 1.0) float32 matrix, one row per line; lines without a vector
/// (empty or failed) are rows of NaN, so row i is always line i.
fn write_npy(
    out: &mut dyn Write,
    rows: &[Option<Vec<f32>>],
    dimension: usize,
) -> std::io::Result<()> {
    let mut header = format!(
        "{{'descr': '<f4', 'fortran_order': False, 'shape': ({}, {dimension}), }}",
        rows.len()
    );
    // Magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of 64
    // and ended by a newline.
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    header.push('\n');
    out.write_all(b"\x93NUMPY\x01\x00")?;
    out.write_all(&(header.len() as u16).to_le_bytes())?;
    out.write_all(header.as_bytes())?;
    let missing = vec![f32::NAN; dimension];
    for row in rows {
        for x in row.as_deref().unwrap_or(&missing) {
            out.write_all(&x.to_le_bytes())?;
        }
    }
    out.flush()
}
