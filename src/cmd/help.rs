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

/// Writes the man page (section 1, with the exit codes) to stdout, or — with `dir` — it and
/// the page of every subcommand (the ones its SEE ALSO names) into `dir`.
pub fn man(dir: Option<&std::path::Path>) -> Result<u8> {
    let Some(dir) = dir else {
        let mut stdout = std::io::stdout().lock();
        clap_mangen::Man::new(Cli::command())
            .render(&mut stdout)
            .and_then(|()| stdout.flush())
            .map_err(Error::Stdout)?;
        return Ok(exit_code::SUCCESS);
    };
    let mut command = Cli::command();
    command.build();
    let mut pages = Vec::new();
    collect_pages(&command, "transalign", &mut pages);
    for (name, page) in &pages {
        let path = dir.join(format!("{name}.1"));
        crate::output::write_atomically(&path, |w| clap_mangen::Man::new(page.clone()).render(w))?;
    }
    eprintln!(
        "wrote {} man pages to {}",
        pages.len(),
        crate::display::path(dir)
    );
    Ok(exit_code::SUCCESS)
}

/// `command` named `name` and its subcommands named `name-sub`, as clap_mangen refers to them.
fn collect_pages(command: &clap::Command, name: &str, pages: &mut Vec<(String, clap::Command)>) {
    // clap names are `&'static str`; a handful of page names live until the process ends.
    let static_name: &'static str = Box::leak(name.to_string().into_boxed_str());
    let named = command.clone().name(static_name);
    pages.push((name.to_string(), named));
    for sub in command.get_subcommands() {
        collect_pages(sub, &format!("{name}-{}", sub.get_name()), pages);
    }
}
