//! Every configuration and input error case: a message naming the culprit, the exit code, and
//! the other inputs still processed.

mod common;

use std::path::Path;

use common::*;
use predicates::prelude::*;

fn write(dir: &Path, name: &str, content: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
    path
}

const GOOD: &str = "The minister spoke to the press on Monday about the new trade agreement.\n";

/// Runs `config check` on `toml` and asserts exit code 2, no panic, and every fragment.
fn assert_config_error(toml: &str, fragments: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.toml", toml.as_bytes());
    let output = transalign(dir.path())
        .args(["config", "check", "--config", "bad.toml"])
        .output()
        .unwrap();
    let err = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for fragment in fragments {
        assert!(err.contains(fragment), "{fragment:?} missing in {err}");
    }
}

#[test]
fn wrong_type_names_file_line_column_and_key() {
    assert_config_error(
        "pivot = \"en\"\n[detect]\nmin_letters = \"many\"\n",
        &["bad.toml", "line 3, column 15", "detect.min_letters"],
    );
}

#[test]
fn misspelt_key_names_file_line_and_the_key() {
    // serde also lists the keys that exist.
    assert_config_error(
        "[detect]\nlangauges = [\"en\"]\n",
        &["bad.toml", "line 2, column 1", "langauges", "`languages`"],
    );
}

/// Issue 22 item 6: only the first of several bad keys was reported. Every unknown key and
/// every value of the wrong type is named, with its line, in one report, in file order
/// (even when a later one spans several lines).
#[test]
fn every_misspelt_key_and_every_number_out_of_range_is_named_in_one_report() {
    assert_config_error(
        "[detect]\nlangauges = [\"en\"]\n[align]\nmode = \"parallel\"\n  overlapp = 3\n[output]\nformat = [\n  \"tsv\",\n]\n",
        &[
            "line 2, column 1: unknown field `langauges`",
            "line 5, column 3: unknown field `overlapp`",
            "line 7, column 1: unknown field `format`",
        ],
    );
    // Every number out of its range, in one report.
    assert_config_error(
        "[detect]\nmargin = 1.5\n[align]\noverlap = 40\n[translate]\n[embed]\n",
        &[
            "bad.toml:2:1: key `detect.margin`",
            "bad.toml:4:1: key `align.overlap`",
        ],
    );
    // Values of the wrong type, with an unknown key between them: all three in one report,
    // in file order.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bad.toml",
        b"[align]\nmode = \"parallel\"\noverlap = true\n[detect]\nmin_letters = \"many\"\n",
    );
    let err = stderr_of(
        &transalign(dir.path())
            .args(["config", "check", "--config", "bad.toml"])
            .output()
            .unwrap(),
    );
    let overlap = err.find("align.overlap").expect("align.overlap named");
    let letters = err
        .find("detect.min_letters")
        .expect("detect.min_letters named");
    assert!(overlap < letters, "in file order: {err}");
    assert_config_error(
        "[detect]\nmin_letters = \"many\"\nlangauges = [\"en\"]\n[align]\nmode = \"parallel\"\noverlap = true\n",
        &[
            "line 2, column 15: key `detect.min_letters`: invalid type: string \"many\"",
            "line 3, column 1: unknown field `langauges`",
            "line 6, column 11: key `align.overlap`: invalid type: boolean `true`",
        ],
    );
}

#[test]
fn misspelt_table_is_rejected() {
    assert_config_error(
        "[detection]\nlanguages = [\"en\"]\n",
        &["detection", "line 1"],
    );
}

#[test]
fn empty_language_list_is_an_error_not_a_panic() {
    assert_config_error(
        "# header\n[detect]\nlanguages = []\n",
        &["bad.toml:3:1", "detect.languages", "must not be empty"],
    );
}

#[test]
fn unknown_language_code_is_named() {
    assert_config_error(
        "[detect]\nlanguages = [\"en\", \"xx\"]\n",
        &["bad.toml:2:1", "detect.languages", "\"xx\""],
    );
}

#[test]
fn out_of_range_margin_is_named() {
    assert_config_error(
        "[detect]\nmargin = 1.5\n",
        &["bad.toml:2:1", "detect.margin", "1.5"],
    );
}

#[test]
fn invalid_regex_is_named() {
    assert_config_error(
        "[segment]\nboilerplate_patterns = [\"(unclosed\"]\n",
        &["bad.toml:2:1", "segment.boilerplate_patterns"],
    );
}

#[test]
fn pivot_outside_the_language_list_is_named() {
    assert_config_error(
        "pivot = \"en\"\n[detect]\nlanguages = [\"id\", \"ms\"]\n",
        &["bad.toml:1:1", "pivot"],
    );
}

#[test]
fn missing_input_path_in_config_is_named() {
    assert_config_error(
        "[input]\npaths = [\"no-such-dir\"]\n",
        &["bad.toml:2:1", "input.paths", "no-such-dir"],
    );
}

#[test]
fn missing_config_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    transalign(dir.path())
        .args(["run", "--config", "nope.toml"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("nope.toml")
                .and(predicate::str::contains("cannot read configuration file")),
        );
}

#[test]
fn no_inputs_anywhere_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    transalign(dir.path())
        .args(["run", "--out", "out"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no inputs").and(predicate::str::contains("input.paths")));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn bad_language_override_names_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    transalign(dir.path())
        .args(["config", "check", "--languages", "en,klingon"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--languages").and(predicate::str::contains("klingon")));
}

#[test]
fn config_check_prints_the_effective_configuration_with_overrides() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "c.toml", b"[detect]\nmin_letters = 7\n");
    let output = transalign(dir.path())
        .args([
            "config",
            "check",
            "--config",
            "c.toml",
            "--languages",
            "en,id",
            "--lossy-utf8",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    let effective: toml::Table = toml::from_str(&text).unwrap();
    assert_eq!(effective["detect"]["min_letters"].as_integer(), Some(7));
    assert_eq!(
        effective["detect"]["languages"].as_array().unwrap().len(),
        2
    );
    assert_eq!(effective["input"]["lossy_utf8"].as_bool(), Some(true));
}

/// A directory with good files around one bad file; returns (dir, bad file name).
fn corpus_with(bad_name: &str, bad: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in/a.txt", GOOD.as_bytes());
    write(dir.path(), &format!("in/{bad_name}"), bad);
    write(dir.path(), "in/z.txt", GOOD.as_bytes());
    dir
}

fn docs_in_output(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("out/sentences.jsonl")).unwrap();
    let mut docs: Vec<String> = parse_jsonl(&text)
        .iter()
        .map(|s| s["doc"].as_str().unwrap().to_string())
        .collect();
    docs.dedup();
    docs
}

/// `transalign run in EXTRA... --out out` in `dir`: (exit code, stderr).
fn run_in(dir: &Path, extra: &[&str]) -> (i32, String) {
    let output = transalign(dir)
        .args(["run", "in"])
        .args(extra)
        .args(["--out", "out"])
        .output()
        .unwrap();
    (output.status.code().unwrap(), stderr_of(&output))
}

/// Asserts exit code 3, every fragment on stderr, and that `processed` were still processed.
fn assert_skipped(dir: &Path, extra: &[&str], fragments: &[&str], processed: &[&str]) {
    let (code, err) = run_in(dir, extra);
    assert_eq!(code, 3, "{err}");
    for fragment in fragments {
        assert!(err.contains(fragment), "{fragment:?} missing in {err}");
    }
    assert_eq!(docs_in_output(dir), processed);
}

#[test]
fn invalid_utf8_is_reported_with_byte_offset_and_the_rest_processed() {
    let dir = corpus_with(
        "bad.txt",
        b"Hello there, this is fine.\nBroken \xFF\xFE here.\n",
    );
    assert_skipped(
        dir.path(),
        &[],
        &["bad.txt", "invalid UTF-8 at byte offset 34"],
        &["a.txt", "z.txt"],
    );
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(summary["complete"], false);
    assert!(
        summary["skipped"][0]["path"]
            .as_str()
            .unwrap()
            .ends_with("bad.txt")
    );
}

#[test]
fn keep_going_turns_skips_into_success_but_still_reports_them() {
    let dir = corpus_with("bad.txt", b"abc \xFF def\n");
    transalign(dir.path())
        .args(["run", "in", "--out", "out", "--keep-going"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("bad.txt"));
}

#[test]
fn lossy_utf8_decodes_and_keeps_spans_on_original_bytes() {
    let bad = b"Broken \xFF bytes in an English sentence about trade policy.\n";
    let dir = corpus_with("bad.txt", bad);
    let (code, err) = run_in(dir.path(), &["--lossy-utf8"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("replaced"), "{err}");
    assert_eq!(docs_in_output(dir.path()), ["a.txt", "bad.txt", "z.txt"]);
    let text = std::fs::read_to_string(dir.path().join("out/sentences.jsonl")).unwrap();
    let s = parse_jsonl(&text)
        .into_iter()
        .find(|s| s["doc"] == "bad.txt")
        .unwrap();
    assert_eq!(
        (s["start"].as_u64(), s["end"].as_u64()),
        (Some(0), Some(bad.len() as u64 - 1))
    );
    assert!(s["text"].as_str().unwrap().contains('\u{FFFD}'));
}

#[test]
fn binary_file_is_skipped_with_a_warning() {
    let dir = corpus_with("image.txt", b"GIF89a\0\0\x01binary");
    assert_skipped(
        dir.path(),
        &[],
        &["image.txt", "binary file (NUL byte at byte offset 6)"],
        &["a.txt", "z.txt"],
    );
}

#[test]
fn unreadable_inputs_are_reported_and_the_rest_processed() {
    let dir = corpus_with("ok.txt", GOOD.as_bytes());
    // A dangling symbolic link inside the directory (a missing path typed on the command
    // line is a usage error instead: see below).
    std::os::unix::fs::symlink(
        dir.path().join("gone.txt"),
        dir.path().join("in/dangling.txt"),
    )
    .unwrap();
    assert_skipped(
        dir.path(),
        &[],
        &["dangling.txt", "no such file or directory"],
        &["a.txt", "ok.txt", "z.txt"],
    );
}

/// Issue 15 item 12: `run does/not/exist` was a warning and exit 3 with empty outputs, and
/// silent with `-q`. A path named on the command line that does not exist is a usage error;
/// `-q` hides progress, never problems.
#[test]
fn a_mistyped_input_path_is_a_usage_error_even_with_quiet() {
    let dir = corpus_with("ok.txt", GOOD.as_bytes());
    for quiet in [false, true] {
        let mut command = transalign(dir.path());
        if quiet {
            command.arg("-q");
        }
        let output = command
            .args(["run", "in", "does/not/exist", "--out", "out"])
            .output()
            .unwrap();
        let err = stderr_of(&output);
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(
            err.contains("does/not/exist: no such file or directory"),
            "{err}"
        );
        assert!(!dir.path().join("out").exists(), "nothing was processed");
    }
    // Skipped inputs are reported with -q too.
    let bad = corpus_with("bad.txt", b"abc \xFF def\n");
    let output = transalign(bad.path())
        .args(["-q", "run", "in", "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr_of(&output).contains("bad.txt"),
        "{}",
        stderr_of(&output)
    );
}

#[test]
fn empty_file_gives_zero_sentences_and_no_error() {
    let dir = corpus_with("empty.txt", b"");
    transalign(dir.path())
        .args(["run", "in", "--out", "out"])
        .assert()
        .code(0);
    assert_eq!(docs_in_output(dir.path()), ["a.txt", "z.txt"]);
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap(),
    )
    .unwrap();
    let empty = summary["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "empty.txt")
        .unwrap();
    assert_eq!(empty["sentences"], 0);
    assert_eq!(summary["complete"], true);
}

#[test]
fn include_and_exclude_globs_filter_directory_inputs() {
    let dir = corpus_with("notes.md", GOOD.as_bytes());
    write(dir.path(), "in/sub/deep.txt", GOOD.as_bytes());
    write(dir.path(), "in/data.csv", b"a,b\n");
    write(
        dir.path(),
        "c.toml",
        b"[input]\ninclude = [\"*.txt\"]\nexclude = [\"z.txt\"]\n",
    );
    transalign(dir.path())
        .args(["run", "in", "--out", "out", "--config", "c.toml"])
        .assert()
        .code(0);
    assert_eq!(docs_in_output(dir.path()), ["a.txt", "sub/deep.txt"]);
}

#[test]
fn detect_prints_jsonl_on_stdout_only() {
    let dir = corpus_with(
        "b.txt",
        "Kami menolak tuduhan yang tidak berdasar itu dengan tegas.\n".as_bytes(),
    );
    let output = transalign(dir.path())
        .args(["detect", "in", "-q"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let rows = parse_jsonl(&String::from_utf8(output.stdout).unwrap());
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1]["lang"], "id");
    assert_eq!(rows[0]["lang"], "en");
}

#[test]
fn broken_pipe_on_stdout_exits_quietly() {
    // Far more output than a pipe buffer holds, so the writer must meet the closed pipe.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "big.txt", GOOD.repeat(3000).as_bytes());
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("transalign"))
        .current_dir(dir.path())
        .args(["detect", "big.txt", "-q"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(
        !stderr_of(&output).contains("error"),
        "{}",
        stderr_of(&output)
    );
}

/// Issue 15 item 1: durations and rates out of range were accepted (or panicked in
/// `Duration::from_secs_f64`); each is now an error naming the key, for backends and
/// embedders alike.
#[test]
fn out_of_range_durations_and_rates_are_config_errors_not_panics() {
    for (key, value) in [
        ("timeout_secs", "1e300"),
        ("retry_max_secs", "1e300"),
        ("retry_after_cap_secs", "1e20"),
        ("requests_per_second", "1e-300"),
        ("requests_per_second", "1e300"),
        ("chars_per_minute", "1e-300"),
        ("chars_per_minute", "1e-12"),
        ("retry_initial_ms", "100000000000"),
        ("max_retries", "1000000"),
    ] {
        for table in [
            "[backends.lt]\nkind = \"libretranslate\"\nurl = \"http://127.0.0.1:9/\"",
            "[embedders.e]\nkind = \"openai\"\nurl = \"http://127.0.0.1:9/v1\"\nmodel = \"m\"",
        ] {
            let name = if table.contains("backends") {
                "backends.lt"
            } else {
                "embedders.e"
            };
            assert_config_error(
                &format!("{table}\n{key} = {value}\n"),
                &["bad.toml", &format!("{name}.{key}")],
            );
        }
    }
    // A rate low enough for the largest batch to wait an hour names the way out.
    assert_config_error(
        "[backends.lt]\nkind = \"libretranslate\"\nurl = \"http://127.0.0.1:9/\"\nmax_batch_bytes = 6000\nchars_per_minute = 50\n",
        &[
            "backends.lt.chars_per_minute",
            "at least max_batch_bytes / 60 = 100",
        ],
    );
}

/// Issue 15 item 9: `-` worked in some commands only (`align --source -`, `eval align
/// --pred -`, `translate -`, `detect -`, `run -` failed). One reader, everywhere.
#[test]
fn a_dash_reads_standard_input_in_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let indonesian = "Pemerintah Indonesia mengumumkan kebijakan ekonomi baru pada hari Senin.\n";
    let detect = transalign(dir.path())
        .args(["detect", "-"])
        .write_stdin(indonesian)
        .output()
        .unwrap();
    assert!(detect.status.success(), "{}", stderr_of(&detect));
    let rows = parse_jsonl(&String::from_utf8_lossy(&detect.stdout));
    assert_eq!(
        (rows[0]["doc"].as_str(), rows[0]["lang"].as_str()),
        (Some("stdin"), Some("id"))
    );

    let run = transalign(dir.path())
        .args(["run", "-", "--out", "out"])
        .write_stdin(indonesian)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr_of(&run));
    let sentences = std::fs::read_to_string(dir.path().join("out/sentences.jsonl")).unwrap();
    assert!(
        sentences.contains("\"doc\":\"stdin\"") && sentences.contains("government"),
        "{sentences}"
    );

    let translate = transalign(dir.path())
        .args(["translate", "--from", "id", "-"])
        .write_stdin(indonesian)
        .output()
        .unwrap();
    assert!(translate.status.success(), "{}", stderr_of(&translate));
    assert!(String::from_utf8_lossy(&translate.stdout).contains("government"));

    let english = "The sun rises in the east.\nRivers flow to the sea.\nBirds sing at dawn.\n";
    write(dir.path(), "target.txt", english.as_bytes());
    write(dir.path(), "gold.tsv", b"0\t0\n1\t1\n2\t2\n");
    let align = transalign(dir.path())
        .args([
            "align",
            "--mode",
            "parallel",
            "--source",
            "-",
            "--target",
            "target.txt",
        ])
        .args(["--translation", "target.txt", "--out", "-"])
        .write_stdin(english)
        .output()
        .unwrap();
    assert!(align.status.success(), "{}", stderr_of(&align));
    assert_eq!(
        parse_jsonl(&String::from_utf8_lossy(&align.stdout)).len(),
        3
    );
    let eval = transalign(dir.path())
        .args(["eval", "align", "--gold", "gold.tsv", "--pred", "-"])
        .write_stdin(align.stdout.clone())
        .output()
        .unwrap();
    assert!(eval.status.success(), "{}", stderr_of(&eval));
    assert!(
        String::from_utf8_lossy(&eval.stdout).contains("strict: precision 1.0000 recall 1.0000"),
        "{}",
        String::from_utf8_lossy(&eval.stdout)
    );

    let twice = transalign(dir.path())
        .args([
            "align", "--mode", "parallel", "--source", "-", "--target", "-",
        ])
        .write_stdin(english)
        .output()
        .unwrap();
    assert!(!twice.status.success());
    assert!(
        stderr_of(&twice).contains("named more than once"),
        "{}",
        stderr_of(&twice)
    );
}

/// Issue 15 item 15: command-line paper cuts found in the first trial.
#[test]
fn command_line_paper_cuts_are_fixed() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "config.toml",
        b"[translate]\nbackend = \"d\"\n[backends.d]\nkind = \"deepl\"\napi_key_env = \"TRANSALIGN_TEST_UNSET_KEY\"\n[backends.lex]\nkind = \"lexicon\"\n",
    );
    // `cache export | head -1` exits 0 like the other commands (a cache bigger than a pipe).
    let seed: String = (0..3000)
        .map(|i| format!("{{\"source\":\"id\",\"target\":\"en\",\"text\":\"kalimat nomor {i} yang cukup panjang untuk mengisi pipa\",\"translation\":\"sentence number {i}\"}}\n"))
        .collect();
    write(dir.path(), "seed.jsonl", seed.as_bytes());
    let import = transalign(dir.path())
        .args(["cache", "import", "--backend", "lex", "seed.jsonl"])
        .output()
        .unwrap();
    assert!(import.status.success(), "{}", stderr_of(&import));
    let mut export = std::process::Command::new(assert_cmd::cargo::cargo_bin("transalign"))
        .args(["cache", "export"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(export.stdout.take().unwrap()),
        &mut first,
    )
    .unwrap();
    assert!(first.contains("\"translation\""), "{first}");
    let status = export.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "export after its reader closed the pipe"
    );

    // `--cache-dir` after the cache subcommand; a missing cache is empty and not created.
    let stats = transalign(dir.path())
        .args(["cache", "stats", "--json", "--cache-dir", "elsewhere"])
        .output()
        .unwrap();
    assert!(stats.status.success(), "{}", stderr_of(&stats));
    let json: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(json["entries"], 0);
    assert!(!dir.path().join("elsewhere").exists());

    // A dry run creates no cache and needs no key (it sends nothing).
    write(
        dir.path(),
        "in/es.txt",
        "El gobierno anunció ayer un nuevo plan de inversión para el norte.\n".as_bytes(),
    );
    let dry = transalign(dir.path())
        .args(["run", "in", "--dry-run", "--cache-dir", "dry-cache"])
        .env_remove("TRANSALIGN_TEST_UNSET_KEY")
        .output()
        .unwrap();
    assert!(dry.status.success(), "{}", stderr_of(&dry));
    assert!(
        String::from_utf8_lossy(&dry.stdout).contains("dry run"),
        "{}",
        String::from_utf8_lossy(&dry.stdout)
    );
    assert!(!dir.path().join("dry-cache").exists());

    // `--top-k 0` is refused; `translate --from xx` names the code; `--format` lists html.
    let top = transalign(dir.path())
        .args(["run", "in", "--top-k", "0"])
        .output()
        .unwrap();
    assert_eq!(top.status.code(), Some(2));
    assert!(stderr_of(&top).contains("--top-k"), "{}", stderr_of(&top));
    let from = transalign(dir.path())
        .args(["translate", "--from", "xx", "--backend", "lex"])
        .write_stdin("hola\n")
        .output()
        .unwrap();
    assert_eq!(from.status.code(), Some(2));
    assert!(
        stderr_of(&from).contains("unknown language code \"xx\""),
        "{}",
        stderr_of(&from)
    );
    let help = transalign(dir.path())
        .args(["run", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(help.contains("moses, html"), "{help}");
}

/// Issue 15 item 14: completions, a man page, `--color`, and exit codes in `--help`.
#[test]
fn completions_man_page_colour_and_exit_codes_in_help() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "_transalign()"),
        ("zsh", "#compdef transalign"),
        ("fish", "complete -c transalign"),
    ] {
        let out = transalign(dir.path())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}: {}", stderr_of(&out));
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(
            script.contains(marker) && script.contains("embed"),
            "{shell}: {script}"
        );
    }
    let man = transalign(dir.path()).arg("man").output().unwrap();
    let page = String::from_utf8_lossy(&man.stdout);
    assert!(
        page.contains(".TH transalign 1") && page.contains("Exit codes"),
        "{page}"
    );
    let help = transalign(dir.path()).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("Exit codes:") && help.contains("130"),
        "{help}"
    );
    let log = |args: &[&str], no_color: Option<&str>| {
        let mut command = transalign(dir.path());
        command
            .arg("-v")
            .args(args)
            .args(["detect", "-"])
            .write_stdin("Hallo Welt, das ist ein Satz.\n");
        if let Some(v) = no_color {
            command.env("NO_COLOR", v);
        } else {
            command.env_remove("NO_COLOR");
        }
        let out = command.output().unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        let err = stderr_of(&out);
        assert!(err.contains("INFO"), "{err}");
        err.contains('\u{1b}')
    };
    assert!(!log(&[], None), "not a terminal: no colour");
    assert!(log(&["--color", "always"], None));
    assert!(
        log(&["--color=always"], Some("1")),
        "the flag wins over NO_COLOR"
    );
    assert!(!log(&["--color", "never"], None));
}

/// Issue 15 item 11: outside the repository, the built-in defaults read a corpus README as a
/// document, `out/` and `cache/` appeared in the current directory without a word, and an
/// unrelated `./config.toml` (a Hugo site's) broke every command.
#[test]
fn running_outside_the_repository_behaves() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "docs/a.txt", GOOD.as_bytes());
    for name in [
        "docs/README.md",
        "docs/LICENSE.txt",
        "docs/sub/CHANGELOG.md",
    ] {
        write(
            dir.path(),
            name,
            b"# Project notes\n\nRun make to build the site.\n",
        );
    }
    // A Hugo site's configuration is passed over, with a warning saying how to choose one.
    write(
        dir.path(),
        "config.toml",
        b"baseURL = \"https://example.org/\"\ntitle = \"My site\"\n",
    );
    let out = transalign(dir.path())
        .args(["run", "docs"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("not a transalign configuration") && err.contains("TRANSALIGN_CONFIG"),
        "{err}"
    );
    assert!(
        err.contains("to out (cache: cache)"),
        "where outputs and the cache go: {err}"
    );
    assert_eq!(
        docs_in_output(dir.path()),
        ["a.txt"],
        "read-me, licence and change-log skipped"
    );

    // TRANSALIGN_CONFIG names the configuration; its relative paths are relative to it.
    write(dir.path(), "project/transalign.toml", b"[input]\npaths = [\"../docs\"]\n[output]\ndir = \"results\"\n[translate]\ncache_dir = \"store\"\n");
    let elsewhere = tempfile::tempdir().unwrap();
    let out = transalign(elsewhere.path())
        .arg("run")
        .env(
            "TRANSALIGN_CONFIG",
            dir.path().join("project/transalign.toml"),
        )
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(dir.path().join("project/results/sentences.jsonl").is_file());
    assert!(dir.path().join("project/store").is_dir());
    assert_eq!(
        std::fs::read_dir(elsewhere.path()).unwrap().count(),
        0,
        "nothing in the current directory"
    );
    // ...while a path typed on the command line is relative to the current directory.
    let out = transalign(elsewhere.path())
        .args(["run", "--out", "here"])
        .env(
            "TRANSALIGN_CONFIG",
            dir.path().join("project/transalign.toml"),
        )
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(elsewhere.path().join("here/sentences.jsonl").is_file());
    let missing = transalign(elsewhere.path())
        .arg("run")
        .env("TRANSALIGN_CONFIG", dir.path().join("nope.toml"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr_of(&missing).contains("TRANSALIGN_CONFIG"),
        "{}",
        stderr_of(&missing)
    );
}

/// Issue 15 item 10: UTF-16 files (with a BOM) and legacy encodings were skipped as binary.
/// UTF-16 is decoded by its byte-order mark, `input.encoding` names a legacy encoding, spans
/// point at the original bytes, and undeclared invalid UTF-8 keeps its clear skip message.
#[test]
fn utf16_and_declared_legacy_encodings_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Der Minister sprach am Montag über das neue Handelsabkommen.\n";
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    write(dir.path(), "in/de-utf16.txt", &utf16);
    // "Le ministre a parlé lundi du nouvel accord commercial." in windows-1252.
    let latin = b"Le ministre a parl\xe9 lundi du nouvel accord commercial \xe0 Paris.\n";
    write(dir.path(), "in/fr-1252.txt", latin);
    write(
        dir.path(),
        "config.toml",
        b"[input]\nencoding = \"windows-1252\"\n[translate]\nbackend = \"none\"\n",
    );
    let (code, err) = run_in(dir.path(), &[]);
    assert_eq!(code, 0, "{err}");
    let sentences =
        parse_jsonl(&std::fs::read_to_string(dir.path().join("out/sentences.jsonl")).unwrap());
    let of = |doc: &str| {
        sentences
            .iter()
            .find(|s| s["doc"] == doc)
            .unwrap_or_else(|| panic!("{doc}: {sentences:?}"))
            .clone()
    };
    let de = of("de-utf16.txt");
    assert_eq!(de["text"], text.trim_end());
    assert_eq!(de["lang"], "de");
    let (start, end) = (
        de["start"].as_u64().unwrap() as usize,
        de["end"].as_u64().unwrap() as usize,
    );
    let (back, _) = encoding_rs::UTF_16LE.decode_without_bom_handling(&utf16[start..end]);
    assert_eq!(back, text.trim_end(), "the span points at the UTF-16 bytes");
    let fr = of("fr-1252.txt");
    assert_eq!(
        fr["text"],
        "Le ministre a parlé lundi du nouvel accord commercial à Paris."
    );
    assert_eq!(fr["end"].as_u64().unwrap() as usize, latin.len() - 1);

    // Without input.encoding, the windows-1252 file is invalid UTF-8: skipped, and the
    // message says which key reads it.
    write(
        dir.path(),
        "config.toml",
        b"[translate]\nbackend = \"none\"\n",
    );
    let (code, err) = run_in(dir.path(), &[]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("fr-1252.txt")
            && err.contains("invalid UTF-8")
            && err.contains("input.encoding"),
        "{err}"
    );
    // An unknown label names the key.
    assert_config_error(
        "[input]\nencoding = \"klingon-8\"\n",
        &["input.encoding", "klingon-8"],
    );
}

/// Issue 13: the confidence curve and thresholds are range-checked, in the file and on the
/// command line.
#[test]
fn calibration_and_confidence_out_of_range_are_errors_naming_the_key() {
    for (key, value) in [
        ("calibration", "[-16.0, -2.0]"),
        ("calibration", "[1e300, 2.0]"),
        ("embedding_calibration", "[0.0, 0.0]"),
        ("min_confidence", "1.5"),
        ("embedding_min_confidence", "-0.1"),
    ] {
        assert_config_error(
            &format!("[align]\n{key} = {value}\n"),
            &["bad.toml", &format!("align.{key}")],
        );
    }
    transalign(&repo())
        .args(["run", "--min-confidence", "2"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--min-confidence"))
        .stderr(predicates::str::contains("between 0 and 1"));
}

/// Issue 22 item 6: `transalign man` named `transalign-run(1)` and others that did not
/// exist, and `--format <TAB>` completed file names. `man --dir` writes every page the
/// pages refer to; completion offers the formats and modes.
#[test]
fn every_man_page_referred_to_exists_and_formats_complete() {
    let dir = tempfile::tempdir().unwrap();
    let out = transalign(dir.path())
        .args(["man", "--dir", "man"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let pages: Vec<String> = std::fs::read_dir(dir.path().join("man"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(pages.contains(&"transalign-run.1".to_string()), "{pages:?}");
    let mut referred = 0;
    for page in &pages {
        let text = std::fs::read_to_string(dir.path().join("man").join(page)).unwrap();
        for (at, _) in text.match_indices("transalign\\-") {
            let raw: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '\\')
                .collect();
            let name = raw.replace('\\', "");
            if text[at + raw.len()..].starts_with("(1)") {
                referred += 1;
                assert!(
                    pages.contains(&format!("{name}.1")),
                    "{page} refers to {name}"
                );
            }
        }
    }
    assert!(referred > 10, "{referred}");
    let bash = transalign(dir.path())
        .args(["completions", "bash"])
        .output()
        .unwrap();
    let script = String::from_utf8_lossy(&bash.stdout);
    assert!(
        script.contains("jsonl tsv tmx moses html"),
        "formats complete"
    );
    assert!(script.contains("parallel comparable"), "modes complete");
}

/// Issue 22 item 1: the last line of a run says what it found and which file to open: the
/// report when it was written, else `claims.jsonl`; the counts are the file's.
#[test]
fn a_run_ends_with_what_it_found_and_the_file_to_open() {
    let dir = common::small_project();
    let last_line = |args: &[&str]| {
        let out = transalign(dir.path()).args(args).output().unwrap();
        let err = stderr_of(&out);
        assert!(out.status.success(), "{err}");
        err.lines().last().unwrap_or_default().to_string()
    };
    let line = last_line(&["run"]);
    let claims = std::fs::read_to_string(dir.path().join("out/claims.jsonl")).unwrap();
    let count = |tier: &str| {
        claims
            .lines()
            .filter(|l| l.contains(&format!("\"tier\":\"{tier}\"")))
            .count()
    };
    assert!(count("same") > 0, "the two sentence pairs match: {claims}");
    let expected = format!(
        "found {} claims ({} same, {} related): see ",
        claims.lines().count(),
        count("same"),
        count("related")
    );
    assert!(line.starts_with(&expected), "{line} / {expected}");
    assert!(line.ends_with("claims.jsonl"), "{line}");
    let line = last_line(&["run", "--format", "jsonl,html"]);
    assert!(
        line.starts_with(&format!("{}open ", &expected[..expected.len() - 4])),
        "{line}"
    );
    assert!(line.ends_with("report.html"), "{line}");
}

/// Issue 24 item 5: the end of a run says how long each stage took, with its rate.
#[test]
fn a_run_ends_with_the_time_and_rate_of_every_stage() {
    let dir = common::small_project();
    let out = transalign(dir.path()).arg("run").output().unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    let line = err
        .lines()
        .find(|l| l.starts_with("time: "))
        .unwrap_or_else(|| panic!("no time line: {err}"));
    for stage in ["ingest", "segment", "detect", "translate", "align"] {
        assert!(line.contains(&format!("{stage} ")), "{stage}: {line}");
    }
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap(),
    )
    .unwrap();
    let detect_ms = summary["timings_ms"]["detect"].as_u64().unwrap();
    assert!(
        line.contains(&format!("detect {:.1} s", detect_ms as f64 / 1000.0)),
        "the figures are summary.json's: {line} vs {detect_ms} ms"
    );
}
