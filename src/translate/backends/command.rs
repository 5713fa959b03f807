//! An external program as a backend: one text per line on stdin, one translation per line on
//! stdout (Marian, CTranslate2, a script). `{source}` and `{target}` in the arguments are
//! replaced by the language codes. Runs locally, so it is allowed with `--offline`.

use std::process::Stdio;

use tokio::io::AsyncWriteExt;

use super::service::{Common, Protocol};
use crate::config::BackendConfig;
use crate::translate::codes::Scheme;
use crate::translate::{BackendError, Fingerprint, PairSupport, Translated};

pub struct Command {
    argv: Vec<String>,
    timeout: std::time::Duration,
}

impl Command {
    pub fn new(config: &BackendConfig) -> Self {
        Command {
            argv: config.command.clone(),
            timeout: config.settings.timeout,
        }
    }
}

impl Protocol for Command {
    const SCHEME: Scheme = Scheme::Iso639_1;
    const OFFLINE: bool = true;

    fn base_url(&self) -> Option<&str> {
        None
    }

    fn fingerprint(&self, base: Fingerprint) -> Fingerprint {
        base.with("command", Some(self.argv.join("\u{1f}")))
    }

    async fn pairs(&self, _common: &Common) -> Result<PairSupport, BackendError> {
        Ok(PairSupport::Any)
    }

    async fn translate(
        &self,
        common: &Common,
        source: &str,
        target: &str,
        texts: &[String],
    ) -> Result<Vec<Translated>, BackendError> {
        let name = &common.name;
        let (source_code, target_code) = common.pair(source, target)?;
        let source_code = source_code.unwrap_or_else(|| "auto".into());
        let args: Vec<String> = self.argv[1..]
            .iter()
            .map(|a| {
                a.replace("{source}", &source_code)
                    .replace("{target}", &target_code)
            })
            .collect();
        let mut child = tokio::process::Command::new(&self.argv[0])
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                BackendError::fatal(format!("{name}: cannot start `{}`: {e}", self.argv[0]))
            })?;
        // One text per line: line breaks inside a text would shift every later line.
        let mut input = String::new();
        for text in texts {
            input.push_str(&text.replace(['\r', '\n'], " "));
            input.push('\n');
        }
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let writer = tokio::spawn(async move {
            let _ = stdin.write_all(input.as_bytes()).await;
            // Dropping stdin closes it: the program sees the end of its input.
        });
        let output = tokio::time::timeout(self.timeout, child.wait_with_output())
            .await
            .map_err(|_| {
                BackendError::transient(format!(
                    "{name}: no answer within {:?} (killed)",
                    self.timeout
                ))
            })?
            .map_err(|e| BackendError::transient(format!("{name}: {e}")))?;
        let _ = writer.await;
        if !output.status.success() {
            return Err(BackendError::rejected(format!(
                "{name}: `{}` exited with {}: {}",
                self.argv[0],
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        let stdout = String::from_utf8(output.stdout)
            .map_err(|e| BackendError::rejected(format!("{name}: output is not UTF-8: {e}")))?;
        let lines: Vec<&str> = stdout.lines().collect();
        if lines.len() != texts.len() {
            return Err(BackendError::mismatch(format!(
                "{name}: sent {} lines, got {} lines back",
                texts.len(),
                lines.len()
            )));
        }
        Ok(lines
            .into_iter()
            .map(|l| Translated {
                text: l.trim_end_matches('\r').to_string(),
                detected_source: None,
                coverage: None,
            })
            .collect())
    }
}
