//! `transalign config check`: validates the configuration and prints it as TOML.

use std::io::Write;

use super::Context;
use crate::cli::OverrideArgs;
use crate::config::Config;
use crate::error::{Error, Result, exit_code};

/// Runs `config check`.
pub fn check(context: &Context, overrides: &OverrideArgs) -> Result<u8> {
    let config = Config::load(context.config_file, &overrides.to_overrides(None, None))?;
    let source = config
        .file
        .as_ref()
        .map_or_else(|| "built-in defaults".to_string(), crate::display::path);
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "# effective configuration (from {source}): OK")
        .and_then(|_| stdout.write_all(config.to_toml().as_bytes()))
        .map_err(Error::Stdout)?;
    Ok(exit_code::SUCCESS)
}
