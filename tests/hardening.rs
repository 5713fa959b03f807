//! Issue 25's probe findings on files and terminals, each as a regression test: temporary
//! files and planted symlinks, leftovers of killed runs, hostile file names, FIFOs, and
//! the ranges of numeric configuration keys.

mod common;

use std::path::Path;

use common::{parse_jsonl, small_project, stderr_of, transalign};

const OUTPUTS: [&str; 4] = [
    "sentences.jsonl",
    "aligned.jsonl",
    "claims.jsonl",
    "summary.json",
];

fn last_pid() -> u32 {
    std::fs::read_to_string("/proc/sys/kernel/ns_last_pid")
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Item 6: symlinks planted under the temporary names of the next process ids made a file
/// outside `--out` receive `summary.json`, and outputs became symlinks.
#[test]
fn planted_symlinks_under_temporary_names_are_never_written_through() {
    let dir = small_project();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "untouched\n").unwrap();
    let next = last_pid();
    for pid in next + 1..next + 3000 {
        for name in OUTPUTS {
            std::os::unix::fs::symlink(&victim, out_dir.join(format!(".{name}.{pid}.tmp")))
                .unwrap();
        }
    }
    let out = transalign(dir.path()).arg("run").output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched\n");
    for name in OUTPUTS {
        let meta = out_dir.join(name).symlink_metadata().unwrap();
        assert!(meta.file_type().is_file(), "{name} is a regular file");
    }
}

/// Item 7: killed runs left `.NAME.PID.tmp` files that no run removed. A run removes the
/// regular temporary files of this host's dead processes, and leaves live ones, other
/// hosts' ones and symlinks alone.
#[test]
fn temporary_files_of_killed_runs_are_removed_when_the_directory_is_written() {
    let dir = small_project();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let host: String = host
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(32)
        .collect();
    let alive = std::process::id();
    let removed = [
        format!(".summary.json.{dead}.tmp"),
        format!(".aligned.jsonl.{dead}-{host}.Xy12ab.tmp"),
    ];
    let kept = [
        format!(".summary.json.{alive}-{host}.Xy12ab.tmp"),
        format!(".summary.json.{dead}-otherhost.Xy12ab.tmp"),
        "notes.tmp".to_string(),
    ];
    for name in removed.iter().chain(&kept) {
        std::fs::write(out_dir.join(name), vec![b'x'; 4096]).unwrap();
    }
    std::os::unix::fs::symlink(
        "/nonexistent",
        out_dir.join(format!(".claims.jsonl.{dead}.tmp")),
    )
    .unwrap();
    let out = transalign(dir.path()).args(["run", "-v"]).output().unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "{err}");
    for name in &removed {
        assert!(!out_dir.join(name).exists(), "{name} removed");
    }
    for name in &kept {
        assert!(out_dir.join(name).exists(), "{name} kept");
    }
    assert!(
        out_dir
            .join(format!(".claims.jsonl.{dead}.tmp"))
            .symlink_metadata()
            .is_ok(),
        "a symlink is never removed"
    );
    assert!(err.contains("removed 2 temporary file(s)"), "{err}");
    // And this run left none of its own.
    let left: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(&format!(".{}", std::process::id())) && n.ends_with(".tmp"))
        .collect();
    assert_eq!(left.len(), 1, "only the planted live one: {left:?}");
}

#[allow(dead_code)]
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("out/summary.json")).unwrap()).unwrap()
}

fn sentences(dir: &Path) -> Vec<serde_json::Value> {
    parse_jsonl(&std::fs::read_to_string(dir.join("out/sentences.jsonl")).unwrap())
}

/// Item 11: file names reached stderr raw — an escape sequence retitled and cleared the
/// terminal, a line break forged a "skipped" line.
#[test]
fn file_names_cannot_drive_the_terminal_or_forge_lines() {
    use std::os::unix::ffi::OsStrExt;
    let dir = small_project();
    let hostile = [
        &b"esc\x1b]0;PWNED\x07\x1b[2J.txt"[..],
        &b"a\n  forged.txt"[..],
    ];
    for name in hostile {
        // Binary content: skipped, so the name is printed with the reason.
        let path = dir
            .path()
            .join("corpus")
            .join(std::ffi::OsStr::from_bytes(name));
        std::fs::write(path, b"\0binary\0").unwrap();
    }
    let out = transalign(dir.path()).arg("run").output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "skipped inputs: {}",
        stderr_of(&out)
    );
    let err = stderr_of(&out);
    assert!(
        !out.stderr.contains(&0x1b),
        "no escape byte reaches stderr: {err:?}"
    );
    assert!(!out.stderr.contains(&0x07), "{err:?}");
    assert!(
        !err.lines()
            .any(|l| l.trim_start().starts_with("forged.txt")),
        "{err}"
    );
    assert!(err.contains("esc\\u{1b}]0;PWNED\\u{7}"), "{err}");
    assert!(err.contains("a\\n  forged.txt"), "{err}");
}

/// Item 12: two names that differ only in bytes that are not UTF-8 both became
/// `bad\u{FFFD}.txt` in `summary.json` (a path that does not exist).
#[test]
fn names_that_are_not_utf8_stay_distinct_in_the_outputs() {
    use std::os::unix::ffi::OsStrExt;
    let dir = small_project();
    for (name, content) in [
        (
            &b"bad\xff.txt"[..],
            &b"Ini dokumen pertama tentang pemerintah.\n"[..],
        ),
        (
            &b"bad\xfe.txt"[..],
            &b"Ini dokumen kedua tentang menteri.\n"[..],
        ),
        (&b"skip\xff.txt"[..], &b"\0"[..]),
        (&b"skip\xfe.txt"[..], &b"\0"[..]),
    ] {
        let path = dir
            .path()
            .join("corpus")
            .join(std::ffi::OsStr::from_bytes(name));
        std::fs::write(path, content).unwrap();
    }
    let out = transalign(dir.path()).arg("run").output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    let summary = summary(dir.path());
    let ids: Vec<&str> = summary["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"bad\\xFF.txt") && ids.contains(&"bad\\xFE.txt"),
        "{ids:?}"
    );
    let skipped: Vec<&str> = summary["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["path"].as_str().unwrap())
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert_ne!(skipped[0], skipped[1]);
    assert!(
        skipped.iter().all(|p| !p.contains('\u{FFFD}')),
        "{skipped:?}"
    );
    let docs: std::collections::HashSet<String> = sentences(dir.path())
        .iter()
        .map(|s| s["doc"].as_str().unwrap().to_string())
        .collect();
    assert!(
        docs.contains("bad\\xFF.txt") && docs.contains("bad\\xFE.txt"),
        "{docs:?}"
    );
}

/// Item 13: a FIFO named on the command line hung silently. It is refused with a reason,
/// and the run goes on with the other inputs.
#[test]
fn a_fifo_named_on_the_command_line_is_refused_not_read() {
    let dir = small_project();
    let fifo = dir.path().join("pipe.txt");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let out = transalign(dir.path())
        .args(["run", "corpus", "pipe.txt"])
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("pipe.txt") && err.contains("not a regular file (a FIFO)"),
        "{err}"
    );
    assert_eq!(
        summary(dir.path())["documents"].as_array().unwrap().len(),
        2
    );
}
