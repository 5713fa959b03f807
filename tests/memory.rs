//! Issue 15 item 16: peak memory per sentence and per byte of a long line. A test binary of
//! its own, so that the peak of its children (`getrusage(RUSAGE_CHILDREN)`) is the peak of
//! the one `transalign` process each test starts.

mod common;

use common::*;

/// Peak resident memory of the finished children of this process, in MB.
fn children_peak_mb() -> f64 {
    // SAFETY: getrusage writes into the zeroed struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    usage.ru_maxrss as f64 / 1024.0
}

/// A million short lines took 2.9 GB (2.8 KB per sentence: every sentence kept confidence
/// values for all 31 languages) and a 50 MB line 1.8–2.6 GB. Now: under 1 KB per sentence,
/// and a long line is cut into bounded sentences and costs a few times its size.
#[test]
fn memory_per_sentence_and_per_long_line_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let words = [
        "the", "minister", "said", "new", "plan", "trade", "rules", "today",
    ];
    let short: String = (0..100_000)
        .map(|i| format!("{} {}\n", words[i % words.len()], i % 100))
        .collect();
    std::fs::write(dir.path().join("short.txt"), &short).unwrap();
    let out = transalign(dir.path())
        .args(["-q", "run", "short.txt", "--out", "out-short"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let lines = std::fs::read_to_string(dir.path().join("out-short/sentences.jsonl"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(lines, 100_000);
    let peak = children_peak_mb();
    assert!(peak < 200.0, "100,000 short sentences took {peak:.0} MB");

    let long: String = (0..2_000_000)
        .map(|i| words[i % words.len()])
        .collect::<Vec<_>>()
        .join(" ");
    std::fs::write(dir.path().join("long.txt"), format!("{long}\n")).unwrap();
    let out = transalign(dir.path())
        .args(["-q", "run", "long.txt", "--out", "out-long"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let sentences =
        parse_jsonl(&std::fs::read_to_string(dir.path().join("out-long/sentences.jsonl")).unwrap());
    assert!(
        sentences.len() > 1000,
        "the {} MB line is cut into bounded sentences",
        long.len() >> 20
    );
    assert!(
        sentences
            .iter()
            .all(|s| s["text"].as_str().unwrap().len() <= 4096)
    );
    let peak = children_peak_mb();
    assert!(
        peak < 200.0,
        "a {} MB line took {peak:.0} MB",
        long.len() >> 20
    );
}
