//! Helpers shared by the integration tests: the binary, the seed corpus, JSONL parsing.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The `transalign` binary, run with `dir` as its working directory, so that a stray
/// `./config.toml` of the repository is never picked up by accident.
pub fn transalign(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("transalign").expect("binary built");
    cmd.current_dir(dir).env_remove("RUST_LOG");
    cmd
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn seed_corpus() -> PathBuf {
    repo().join("examples/corpus")
}

pub fn parse_jsonl(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

pub fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
