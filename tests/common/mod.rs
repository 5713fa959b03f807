//! Helpers shared by the integration tests: the binary, the seed corpus, JSONL parsing.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The `transalign` binary, run with `dir` as its working directory, so that a stray
/// `./config.toml` of the repository is never picked up by accident.
pub fn transalign(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("transalign").expect("binary built");
    cmd.current_dir(dir)
        .env_remove("RUST_LOG")
        .env_remove("TRANSALIGN_CONFIG");
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

/// The beads of alignment records (`aligned.jsonl`, `align` output) as id lists.
#[allow(dead_code)]
pub fn beads(records: &[Value]) -> Vec<(Vec<u64>, Vec<u64>)> {
    records
        .iter()
        .map(|r| {
            let ids = |k: &str| {
                r[k].as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_u64().unwrap())
                    .collect()
            };
            (ids("src_ids"), ids("tgt_ids"))
        })
        .collect()
}

pub fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub mod mock_server;

/// A small offline project: one Indonesian and one English document.
pub fn small_project() -> tempfile::TempDir {
    corpus_project(&[
        (
            "berita.txt",
            "Pemerintah menolak tuduhan itu pada hari Senin.\nMenteri berkata bahwa rencana baru akan dimulai tahun depan.\n",
        ),
        (
            "news.txt",
            "The government rejected the accusation on Monday.\nThe minister said that a new plan will start next year.\n",
        ),
    ])
}

/// A project whose `input.paths` is `corpus/`, holding these (file name, text) documents.
pub fn corpus_project(documents: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = project("[input]\npaths = [\"corpus\"]\n");
    std::fs::create_dir(dir.path().join("corpus")).unwrap();
    for (name, text) in documents {
        std::fs::write(dir.path().join("corpus").join(name), text).unwrap();
    }
    dir
}

/// A project directory with `config.toml` = `config`.
pub fn project(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("config.toml"), config).expect("write config");
    dir
}

/// `transalign translate --from FROM` in `dir` with `lines` on stdin.
pub fn translate_lines(
    dir: &Path,
    from: &str,
    lines: &[&str],
    args: &[&str],
) -> std::process::Output {
    let mut input = lines.join("\n");
    input.push('\n');
    transalign(dir)
        .args(["translate", "--from", from])
        .args(args)
        .write_stdin(input)
        .output()
        .expect("run transalign")
}

pub fn stdout_lines(output: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Number of entries in the cache of the project in `dir` (through `cache stats --json`).
pub fn cache_entries(dir: &Path) -> u64 {
    let out = transalign(dir)
        .args(["cache", "stats", "--json"])
        .output()
        .expect("run cache stats");
    assert!(
        out.status.success(),
        "cache stats failed: {}",
        stderr_of(&out)
    );
    let stats: Value = serde_json::from_slice(&out.stdout).expect("stats JSON");
    stats["entries"].as_u64().expect("entries")
}
