//! An external program as a service: one text per line on stdin, one answer per line on
//! stdout, a time limit after which it is killed. Shared by the `command` translation backend
//! and the `command` embedder.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;

use super::BackendError;

/// Runs `program args...` with `texts` as its input lines and returns its output lines, as
/// many as there were texts (else a mismatch). Line breaks inside a text become spaces: they
/// would shift every later line.
pub async fn exchange_lines(
    name: &str,
    program: &str,
    args: &[String],
    texts: &[String],
    timeout: Duration,
) -> Result<Vec<String>, BackendError> {
    let mut child = tokio::process::Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| BackendError::fatal(format!("{name}: cannot start `{program}`: {e}")))?;
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
    let output = tokio::time::timeout(timeout, child.wait_with_output())
        .await
        .map_err(|_| {
            BackendError::transient(format!("{name}: no answer within {timeout:?} (killed)"))
        })?
        .map_err(|e| BackendError::transient(format!("{name}: {e}")))?;
    let _ = writer.await;
    if !output.status.success() {
        return Err(BackendError::rejected(format!(
            "{name}: `{program}` exited with {}: {}",
            output.status,
            crate::display::escape(&crate::remote::http::redact(
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        )));
    }
    let stdout = String::from_utf8(output.stdout)
        .map_err(|e| BackendError::rejected(format!("{name}: output is not UTF-8: {e}")))?;
    let lines: Vec<String> = stdout
        .lines()
        .map(|l| l.trim_end_matches('\r').to_string())
        .collect();
    if lines.len() != texts.len() {
        return Err(BackendError::mismatch(format!(
            "{name}: sent {} lines, got {} lines back",
            texts.len(),
            lines.len()
        )));
    }
    Ok(lines)
}
