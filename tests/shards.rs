//! Sharded runs and `merge` (issue 14): shards of a generated corpus merged give the files
//! of one unsharded run; bad shard sets are errors that say what is wrong.

mod common;

use std::path::Path;

use common::transalign;

/// A generated comparable corpus: Indonesian reports and English reports of the same
/// events (distinct texts, so per-shard counters add up to the whole run's).
fn corpus(dir: &Path, documents: usize) {
    let places = [
        "Jakarta", "Surabaya", "Medan", "Bandung", "Makassar", "Semarang",
    ];
    for d in 0..documents {
        let place = places[d % places.len()];
        let mut id = String::new();
        let mut en = String::new();
        for k in 0..4 {
            let n = 10 + d * 7 + k * 3;
            id.push_str(&format!(
                "Pemerintah kota {place} mengumumkan bahwa harga beras naik {n} persen pada bulan ke-{k} tahun {}.\n",
                2000 + d
            ));
            en.push_str(&format!(
                "The city government of {place} announced that rice prices rose {n} percent in month {k} of {}.\n",
                2000 + d
            ));
        }
        std::fs::write(dir.join(format!("report{d:02}.id.txt")), id).unwrap();
        std::fs::write(dir.join(format!("wire{d:02}.en.txt")), en).unwrap();
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// summary.json without what differs between any two runs (times, requests) or names
/// where this run wrote (the cache).
fn comparable_summary(path: &Path) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(&read(path)).unwrap();
    let o = v.as_object_mut().unwrap();
    o.remove("timings_ms");
    o.remove("merged_shards");
    for (section, keys) in [
        ("translation", &["time_ms", "cache_dir", "requests"][..]),
        ("alignment", &["time_ms"][..]),
    ] {
        if let Some(s) = o.get_mut(section).and_then(|s| s.as_object_mut()) {
            for k in keys {
                s.remove(*k);
            }
        }
    }
    v
}

#[test]
fn four_shards_merged_write_the_files_of_one_unsharded_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("corpus");
    std::fs::create_dir(&input).unwrap();
    corpus(&input, 12);
    let cache = dir.path().join("cache");
    let mut documents = 0;
    for i in 0..4 {
        let out = dir.path().join(format!("shard{i}"));
        transalign(dir.path())
            .args(["--quiet", "run", "--shard", &format!("{i}/4"), "--out"])
            .arg(&out)
            .arg("--cache-dir")
            .arg(&cache)
            .arg(&input)
            .assert()
            .code(0);
        // A shard aligns nothing: sentences and summary only.
        assert!(!out.join("aligned.jsonl").exists());
        let summary: serde_json::Value =
            serde_json::from_str(&read(&out.join("summary.json"))).unwrap();
        assert_eq!(
            summary["shard"],
            serde_json::json!({"index": i, "count": 4})
        );
        documents += summary["documents"].as_array().unwrap().len();
    }
    assert_eq!(documents, 24, "every document in exactly one shard");
    let whole = dir.path().join("whole");
    transalign(dir.path())
        .args(["--quiet", "run", "--format", "jsonl,tsv,html", "--out"])
        .arg(&whole)
        .arg("--cache-dir")
        .arg(dir.path().join("cache-whole"))
        .arg(&input)
        .assert()
        .code(0);
    let merge = |out: &str, order: &[usize]| {
        let mut cmd = transalign(dir.path());
        cmd.args([
            "--quiet",
            "merge",
            "--format",
            "jsonl,tsv,html",
            "--out",
            out,
            "--cache-dir",
        ])
        .arg(&cache);
        for i in order {
            cmd.arg(format!("shard{i}"));
        }
        cmd.assert().code(0);
        dir.path().join(out)
    };
    let merged = merge("merged", &[0, 1, 2, 3]);
    let again = merge("again", &[3, 1, 0, 2]);
    for name in [
        "sentences.jsonl",
        "aligned.jsonl",
        "claims.jsonl",
        "aligned.tsv",
        "claims.tsv",
    ] {
        assert_eq!(read(&merged.join(name)), read(&whole.join(name)), "{name}");
        assert_eq!(read(&merged.join(name)), read(&again.join(name)), "{name}");
    }
    assert_eq!(
        comparable_summary(&merged.join("summary.json")),
        comparable_summary(&whole.join("summary.json"))
    );
    // Two merges of the same shards: identical files, summary and report included.
    for name in ["summary.json", "report.html"] {
        assert_eq!(read(&merged.join(name)), read(&again.join(name)), "{name}");
    }
    let claims = read(&merged.join("claims.jsonl")).lines().count();
    assert!(claims >= 12, "{claims} claims");
}

#[test]
fn incomplete_mixed_or_foreign_shard_sets_are_errors_naming_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("corpus");
    std::fs::create_dir(&input).unwrap();
    corpus(&input, 4);
    let shard = |spec: &str, out: &str| {
        transalign(dir.path())
            .args([
                "--quiet",
                "run",
                "--shard",
                spec,
                "--out",
                out,
                "--cache-dir",
                "cache",
            ])
            .arg(&input)
            .assert()
            .code(0);
    };
    shard("0/3", "a0");
    shard("1/3", "a1");
    shard("0/2", "b0");
    let merge = |dirs: &[&str]| {
        transalign(dir.path())
            .args(["merge", "--out", "m", "--cache-dir", "cache"])
            .args(dirs)
            .assert()
            .code(2)
    };
    merge(&["a0", "a1"]).stderr(predicates::str::contains("2/3 missing"));
    merge(&["a0", "a1", "b0"]).stderr(predicates::str::contains("of 3 shards"));
    merge(&["a0", "a0"]).stderr(predicates::str::contains("are both shard 0/3"));
    // An unsharded run's output is not a shard.
    transalign(dir.path())
        .args(["--quiet", "run", "--out", "whole", "--cache-dir", "cache"])
        .arg(&input)
        .assert()
        .code(0);
    merge(&["whole"]).stderr(predicates::str::contains(
        "not the output of `transalign run --shard`",
    ));
    // Bad shard specifications name the flag.
    for (spec, message) in [("3/3", "below the count"), ("x", "expected I/N")] {
        transalign(dir.path())
            .args(["run", "--shard", spec])
            .arg(&input)
            .assert()
            .code(2)
            .stderr(predicates::str::contains("--shard"))
            .stderr(predicates::str::contains(message));
    }
    // auto reads the Slurm array variables (ids 1..3 here).
    transalign(dir.path())
        .env("SLURM_ARRAY_TASK_ID", "3")
        .env("SLURM_ARRAY_TASK_MIN", "1")
        .env("SLURM_ARRAY_TASK_COUNT", "3")
        .args([
            "--quiet",
            "run",
            "--shard",
            "auto",
            "--out",
            "auto2",
            "--cache-dir",
            "cache",
        ])
        .arg(&input)
        .assert()
        .code(0);
    let summary: serde_json::Value =
        serde_json::from_str(&read(&dir.path().join("auto2/summary.json"))).unwrap();
    assert_eq!(
        summary["shard"],
        serde_json::json!({"index": 2, "count": 3})
    );
}
