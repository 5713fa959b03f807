//! `transalign completions SHELL` and `transalign man`: generated from the clap definitions.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::{Error, Result, exit_code};

/// Writes the completion script of `shell` to stdout.
pub fn completions(shell: clap_complete::Shell) -> Result<u8> {
    // Generated into memory first: clap_complete panics when its writer fails (`| head`).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "transalign", &mut script);
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&script)
        .and_then(|()| stdout.flush())
        .map_err(Error::Stdout)?;
    Ok(exit_code::SUCCESS)
}

/// Writes the man page (section 1, with the exit codes) to stdout.
pub fn man() -> Result<u8> {
    let mut stdout = std::io::stdout().lock();
    clap_mangen::Man::new(Cli::command())
        .render(&mut stdout)
        .and_then(|()| stdout.flush())
        .map_err(Error::Stdout)?;
    Ok(exit_code::SUCCESS)
}
