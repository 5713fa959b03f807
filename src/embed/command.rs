//! An external program as an embedder (a sentence-transformers script, a local encoder): one
//! text per line on stdin, one JSON array of numbers per line on stdout. Runs locally, so it
//! is allowed with `--offline`.

use super::protocol::{Protocol, vector_of};
use crate::cache::Fingerprint;
use crate::config::EmbedderConfig;
use crate::remote::{BackendError, BoxFuture, process};

pub struct Command {
    argv: Vec<String>,
    timeout: std::time::Duration,
}

impl Command {
    pub fn new(config: &EmbedderConfig) -> Self {
        Command {
            argv: config.command.clone(),
            timeout: config.settings.timeout,
        }
    }
}

impl Protocol for Command {
    fn fingerprint(&self, base: Fingerprint) -> Fingerprint {
        base.with("command", Some(self.argv.join("\u{1f}")))
    }

    fn embed<'a>(
        &'a self,
        name: &'a str,
        texts: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<Vec<f32>>, BackendError>> {
        Box::pin(async move {
            let lines =
                process::exchange_lines(name, &self.argv[0], &self.argv[1..], texts, self.timeout)
                    .await?;
            // A line that is no JSON array of numbers fails alone (an empty vector).
            Ok(lines
                .iter()
                .map(|line| {
                    serde_json::from_str::<serde_json::Value>(line)
                        .map(|value| vector_of(&value))
                        .unwrap_or_default()
                })
                .collect())
        })
    }
}
