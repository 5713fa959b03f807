//! `transalign export ALIGNED.jsonl --format F,... [--out DIR|-]`: alignments already made
//! (by `run` or `align`) into the other formats; and the one way alignments reach standard
//! output or a file, shared with `align`.

use std::io::Write;
use std::path::Path;

use super::{Context, command_line_error};
use crate::align::output::Alignment;
use crate::cli::ExportArgs;
use crate::config::{Config, Format, Overrides};
use crate::error::{Error, Result, exit_code};
use crate::export::{self, ExportInput};

/// Runs `export`.
pub fn run(context: &Context, args: &ExportArgs) -> Result<u8> {
    let config = Config::load(context.config_file, &Overrides::default())?;
    let formats = formats_of(&args.formats, "--format")?;
    let min_score = args
        .moses_min_score
        .unwrap_or(config.output.moses_min_score);
    if !(0.0..=1.0).contains(&min_score) {
        return Err(command_line_error(
            "--moses-min-score",
            format!("must be between 0 and 1, got {min_score}"),
        ));
    }
    let alignments = read_alignments(&args.input)?;
    let mode = alignments.first().map_or("comparable", |a| a.mode.as_str());
    let input = ExportInput {
        alignments: &alignments,
        mode,
        moses_min_score: min_score,
        sentences: &[],
        claims: &[],
        summary: None,
    };
    let out = args.out.as_deref().unwrap_or(Path::new("."));
    if crate::ingest::is_stdin(out) {
        let [format] = formats.as_slice() else {
            return Err(command_line_error(
                "--out",
                format!(
                    "--out - writes one format to standard output, got {}; give a directory",
                    formats.len()
                ),
            ));
        };
        to_stdout(*format, &input)?;
        return Ok(exit_code::SUCCESS);
    }
    let written = export::export(&formats, out, &input)?;
    if !context.quiet {
        // A paged report is one line: its first page and how many follow.
        let pages = written
            .iter()
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("report-"))
            })
            .count();
        for path in &written {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            match name.as_deref() {
                Some(n) if n.starts_with("report-") => {}
                Some("report.html") if pages > 0 => eprintln!(
                    "wrote {} and {pages} more pages (report-2.html ...)",
                    crate::display::path(path)
                ),
                _ => eprintln!("wrote {}", crate::display::path(path)),
            }
        }
    }
    Ok(exit_code::SUCCESS)
}

/// The formats named by a flag.
pub(super) fn formats_of(names: &[String], flag: &str) -> Result<Vec<Format>> {
    names
        .iter()
        .map(|name| {
            Format::from_name(name.trim()).ok_or_else(|| {
                let known: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                command_line_error(
                    flag,
                    format!("unknown format \"{name}\"; formats: {}", known.join(", ")),
                )
            })
        })
        .collect()
}

/// True for a format of several files (Moses, Parquet), which goes into a directory.
fn writes_several_files(format: Format) -> bool {
    export::exporter(format).file_name().is_none()
}

/// Writes one single-file format to standard output; a format of several files is refused.
pub(super) fn to_stdout(format: Format, input: &ExportInput) -> Result<()> {
    if writes_several_files(format) {
        return Err(command_line_error(
            "--out",
            format!(
                "{} writes several files: give --out a directory",
                format.name()
            ),
        ));
    }
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    export::export_to_stream(format, &mut stdout, input)
        .and_then(|()| stdout.flush())
        .map_err(Error::Stdout)
}

/// Writes one format to `path`: the file itself, or for a format of several files (Moses,
/// Parquet) a directory of them.
pub(super) fn to_path(format: Format, path: &Path, input: &ExportInput) -> Result<()> {
    if writes_several_files(format) {
        export::export(&[format], path, input)?;
        return Ok(());
    }
    crate::output::write_atomically(path, |w| export::export_to_stream(format, w, input))
}

/// The alignment records of a JSON Lines file (`-` = standard input); errors name the line.
pub(super) fn read_alignments(path: &Path) -> Result<Vec<Alignment>> {
    let text = super::lines::read_text(path)?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            serde_json::from_str::<Alignment>(l).map_err(|e| {
                Error::Data(format!(
                    "{}:{}: not an alignment record: {e}",
                    crate::display::path(path),
                    n + 1
                ))
            })
        })
        .collect()
}
