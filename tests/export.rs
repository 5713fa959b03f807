//! Exporters on hostile text (tabs, newlines, `<`, `&`, control characters, right-to-left
//! text, emoji), read back by real consumers: a CSV reader for TSV, an XML parser for TMX, the
//! JSON Schema for JSONL; and the formats of a real `run`.

mod common;

use common::*;
use serde_json::Value;
use transalign::align::output::Alignment;
use transalign::claims::flags::Flag;
use transalign::export::{ExportInput, export};

fn hostile() -> Vec<Alignment> {
    let base = Alignment {
        src_doc: "doc\t1.txt".into(),
        src_ids: vec![0, 1],
        src_lang: "id".into(),
        src_text: "Tab\there, line\nbreak, <tag> & \"quote\" \u{1}\u{7}control".into(),
        src_translation: "security|safety ~institution".into(),
        tgt_doc: "en.txt".into(),
        tgt_ids: vec![3],
        tgt_lang: "en".into(),
        tgt_text: "Arabic العربية, emoji 🚀🇮🇩, backslash \\ and \r return, \u{1c}group\u{2028}line"
            .into(),
        score: 1.25,
        similarity: 0.5,
        confidence: Some(0.8),
        rank: 1,
        tier: Some("same".into()),
        mode: "comparable".into(),
        backend: "lexicon".into(),
        flags: vec![Flag {
            kind: "number".into(),
            side: "source".into(),
            value: "64".into(),
        }],
    };
    let null_bead = Alignment {
        src_ids: vec![],
        src_text: String::new(),
        src_translation: String::new(),
        tgt_ids: vec![4],
        tgt_text: "Only in the target.".into(),
        score: 0.0,
        similarity: 0.0,
        confidence: None,
        tier: None,
        mode: "parallel".into(),
        flags: vec![],
        ..base.clone()
    };
    vec![base, null_bead]
}

fn write_all(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let alignments = hostile();
    export(
        &transalign::config::Format::ALL,
        dir,
        &ExportInput {
            alignments: &alignments,
            mode: "comparable",
            moses_min_score: 0.3,
            sentences: &[],
            claims: &[],
            summary: None,
        },
    )
    .unwrap()
}

#[test]
fn tsv_loads_with_a_csv_reader_and_keeps_every_character() {
    let dir = tempfile::tempdir().unwrap();
    write_all(dir.path());
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .from_path(dir.path().join("aligned.tsv"))
        .unwrap();
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(headers.len(), 17);
    assert_eq!(headers[0], "src_doc");
    assert_eq!(headers[11], "confidence");
    assert_eq!(headers[12], "tier");
    assert_eq!(headers[16], "flags");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let alignments = hostile();
    assert_eq!(rows.len(), alignments.len());
    // Every text exactly as it was: no backslash escapes.
    assert_eq!(&rows[0][0], alignments[0].src_doc);
    assert_eq!(&rows[0][1], "0,1");
    assert_eq!(&rows[0][3], alignments[0].src_text);
    assert_eq!(&rows[0][8], alignments[0].tgt_text);
    assert_eq!(&rows[0][11], "0.8000");
    assert_eq!(&rows[0][16], "number:source:64");
    assert_eq!(&rows[1][11], "", "no confidence for a parallel bead");
    assert_eq!(&rows[1][1], "", "the empty side of a null bead");
    assert_eq!(&rows[1][6], "4");
}

/// `run --format FORMATS` in `dir` (it must succeed); its `summary.json`.
fn run_with_formats(dir: &std::path::Path, formats: &str) -> Value {
    let out = transalign(dir)
        .args(["run", "--format", formats])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    serde_json::from_str(&std::fs::read_to_string(dir.join("out/summary.json")).unwrap()).unwrap()
}

/// The consumers' Python (`.venv-consumers`, see `.ci/run`; or `CONSUMERS_PYTHON`).
fn consumers_python() -> std::path::PathBuf {
    let python = std::env::var_os("CONSUMERS_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv-consumers/bin/python"));
    assert!(
        python.is_file(),
        "{} not found: python3 -m venv .venv-consumers && .venv-consumers/bin/pip install pandas duckdb polars pyarrow (or set CONSUMERS_PYTHON)",
        python.display()
    );
    python
}

/// Issue 22 item 5: `--format parquet` writes `aligned.parquet`, `claims.parquet` and
/// `sentences.parquet` with typed columns, read back by pandas (pyarrow), DuckDB and polars
/// exactly as the run's JSON Lines say, hostile text, nulls and index lists included.
#[test]
fn parquet_round_trips_through_pandas_duckdb_and_polars() {
    let python = consumers_python();
    let dir = common::corpus_project(&[
        (
            "berita.txt",
            "Pemerintah menolak tuduhan itu pada hari Senin.\nMenteri berkata: \"harga naik 12 persen\" di Jakarta\t(C:\\data) 🚀.\nPemerintah menolak tuduhan itu pada hari Senin.\n",
        ),
        (
            "news.txt",
            "The government rejected the accusation on Monday.\nThe minister said prices rose 12 percent in Jakarta.\n",
        ),
    ]);
    let summary = run_with_formats(dir.path(), "jsonl,parquet");
    for file in ["aligned.parquet", "claims.parquet", "sentences.parquet"] {
        assert!(
            summary["outputs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o == file),
            "{file} listed in {}",
            summary["outputs"]
        );
    }
    let claims = std::fs::read_to_string(dir.path().join("out/claims.jsonl")).unwrap();
    assert!(!claims.is_empty(), "the run has claims to compare");
    let check = std::process::Command::new(&python)
        .arg(repo().join("scripts/parquet-roundtrip.py"))
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "{report}{}", stderr_of(&check));
    for library in ["pandas", "duckdb", "polars"] {
        for file in ["aligned", "claims", "sentences"] {
            assert!(
                report.contains(&format!("{library}: {file}.parquet ")),
                "{report}"
            );
        }
    }
    assert_eq!(report.matches("rows identical").count(), 9, "{report}");
    // Parquet writes files: it cannot go to standard output.
    let stream = transalign(dir.path())
        .args(["run", "--format", "parquet", "--out", "-"])
        .output()
        .unwrap();
    assert!(!stream.status.success());
    assert!(
        stderr_of(&stream).contains("parquet writes up to three files"),
        "{}",
        stderr_of(&stream)
    );
}

/// Issue 15 item 7: `aligned.tsv` both quoted and backslash-escaped, so pandas, DuckDB and
/// polars returned changed text (`C:\data\new` → `C:\\data\\new`, a tab → `\t`). Read
/// back with the real libraries (from PyPI, in `.venv-consumers`: see `.ci/run`), every text
/// is identical.
#[test]
fn tsv_round_trips_through_pandas_duckdb_and_polars() {
    let python = consumers_python();
    let dir = tempfile::tempdir().unwrap();
    let mut alignments = hostile();
    alignments.push(Alignment {
        src_text: "C:\\data\\new and a \"quoted\" path".into(),
        tgt_text: "\"\" starts with quotes\tthen a tab and a trailing backslash \\".into(),
        src_translation: "line one\r\nline two".into(),
        ..alignments[0].clone()
    });
    export(
        &[transalign::config::Format::Tsv],
        dir.path(),
        &ExportInput {
            alignments: &alignments,
            mode: "comparable",
            moses_min_score: 0.3,
            sentences: &[],
            claims: &[],
            summary: None,
        },
    )
    .unwrap();
    let ids = |v: &[usize]| v.iter().map(usize::to_string).collect::<Vec<_>>().join(",");
    let expected: Vec<Value> = alignments
        .iter()
        .map(|a| {
            serde_json::json!({
                "src_doc": a.src_doc, "src_ids": ids(&a.src_ids), "src_text": a.src_text,
                "src_translation": a.src_translation, "tgt_ids": ids(&a.tgt_ids),
                "tgt_text": a.tgt_text, "mode": a.mode,
            })
        })
        .collect();
    let expected_path = dir.path().join("expected.json");
    std::fs::write(&expected_path, serde_json::to_string(&expected).unwrap()).unwrap();
    let out = std::process::Command::new(&python)
        .arg(repo().join("scripts/tsv-roundtrip.py"))
        .arg(dir.path().join("aligned.tsv"))
        .arg(&expected_path)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}{}", stderr_of(&out));
    for library in ["pandas", "duckdb", "polars"] {
        assert!(
            report.contains(&format!("{library}: 3 rows identical")),
            "{report}"
        );
    }
}

#[test]
fn tmx_is_well_formed_tmx_14b() {
    let dir = tempfile::tempdir().unwrap();
    write_all(dir.path());
    let text = std::fs::read_to_string(dir.path().join("aligned.tmx")).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "tmx");
    assert_eq!(root.attribute("version"), Some("1.4"));
    let header = root.children().find(|n| n.has_tag_name("header")).unwrap();
    for attr in [
        "creationtool",
        "creationtoolversion",
        "segtype",
        "o-tmf",
        "adminlang",
        "srclang",
        "datatype",
    ] {
        assert!(header.attribute(attr).is_some(), "header lacks {attr}");
    }
    assert_eq!(header.attribute("datatype"), Some("plaintext"));
    assert_eq!(header.attribute("srclang"), Some("id"));
    let tus: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("tu")).collect();
    assert_eq!(tus.len(), 1, "the null bead has no tu");
    let tuvs: Vec<_> = tus[0]
        .children()
        .filter(|n| n.has_tag_name("tuv"))
        .collect();
    let xml_ns = "http://www.w3.org/XML/1998/namespace";
    assert_eq!(tuvs[0].attribute((xml_ns, "lang")), Some("id"));
    assert_eq!(tuvs[1].attribute((xml_ns, "lang")), Some("en"));
    let seg = tuvs[0].first_element_child().unwrap().text().unwrap();
    assert_eq!(seg, "Tab\there, line\nbreak, <tag> & \"quote\" control");
    // Issue 25 item 8: a lone carriage return read back as a line feed.
    let target = tuvs[1].first_element_child().unwrap().text().unwrap();
    assert_eq!(
        target,
        "Arabic العربية, emoji 🚀🇮🇩, backslash \\ and \r return, group\u{2028}line"
    );
    let score = tus[0]
        .children()
        .find(|n| n.has_tag_name("prop") && n.attribute("type") == Some("x-score"))
        .unwrap();
    assert_eq!(score.text(), Some("1.2500"));
    // Issue 22 item 5: the confidence and tier travel with the unit.
    let prop = |kind: &str| {
        tus[0]
            .children()
            .find(|n| n.has_tag_name("prop") && n.attribute("type") == Some(kind))
            .and_then(|n| n.text())
    };
    assert_eq!(prop("x-confidence"), Some("0.8000"));
    assert_eq!(prop("x-tier"), Some("same"));
    assert_eq!(prop("x-flag"), Some("number:source:64"));
    if let Ok(status) = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg(dir.path().join("aligned.tmx"))
        .status()
    {
        assert!(status.success(), "xmllint rejects the TMX");
    }
}

#[test]
fn moses_files_are_line_parallel_and_jsonl_matches_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let written = write_all(dir.path());
    let src = std::fs::read_to_string(dir.path().join("aligned.id-en.id")).unwrap();
    let tgt = std::fs::read_to_string(dir.path().join("aligned.id-en.en")).unwrap();
    assert_eq!(src.lines().count(), 1);
    assert_eq!(tgt.lines().count(), 1);
    assert!(src.starts_with("Tab here, line break"));
    // Characters line readers split on stay inside the one line (Python's splitlines).
    assert!(tgt.ends_with("and return, group line\n"), "{tgt:?}");
    // jsonl, tsv, tmx, two Moses files, html, and aligned.parquet (no sentences: only it).
    assert_eq!(written.len(), 7);
    validate_jsonl(&dir.path().join("aligned.jsonl"), 2);
}

fn validate_jsonl(path: &std::path::Path, expected_rows: usize) {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("schemas/aligned.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    let rows = parse_jsonl(&std::fs::read_to_string(path).unwrap());
    assert_eq!(rows.len(), expected_rows);
    for row in &rows {
        let errors: Vec<String> = validator.iter_errors(row).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?} in {row}");
    }
}

#[test]
fn a_real_run_writes_every_format_and_lists_them() {
    let out = tempfile::tempdir().unwrap();
    transalign(&repo())
        .args([
            "run",
            "--quiet",
            "--format",
            "jsonl,tsv,tmx,moses",
            "--threshold",
            "0",
            "--out",
        ])
        .arg(out.path())
        .arg("--cache-dir")
        .arg(out.path().join("cache"))
        .assert()
        .code(0);
    let rows = parse_jsonl(&std::fs::read_to_string(out.path().join("aligned.jsonl")).unwrap());
    validate_jsonl(&out.path().join("aligned.jsonl"), rows.len());
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .from_path(out.path().join("aligned.tsv"))
        .unwrap();
    assert_eq!(reader.records().count(), rows.len());
    roxmltree::Document::parse(&std::fs::read_to_string(out.path().join("aligned.tmx")).unwrap())
        .unwrap();
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["schema_version"], 3);
    let outputs: Vec<&str> = summary["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for name in [
        "sentences.jsonl",
        "aligned.jsonl",
        "aligned.tsv",
        "aligned.tmx",
        "aligned.id-en.id",
        "aligned.id-en.en",
        "summary.json",
    ] {
        assert!(
            outputs.iter().any(|o| o.ends_with(name)),
            "{name} not in {outputs:?}"
        );
    }
    // An unknown format is a usage error naming it.
    transalign(&repo())
        .args(["run", "--format", "docx"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown format \"docx\""));
}

#[test]
fn out_dash_streams_the_alignments_to_stdout() {
    let cache = tempfile::tempdir().unwrap();
    let out = transalign(&repo())
        .args(["run", "--quiet", "--out", "-", "--cache-dir"])
        .arg(cache.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let rows = parse_jsonl(&String::from_utf8_lossy(&out.stdout));
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r["mode"] == "comparable" && r.get("flags").is_some())
    );
    assert!(!repo().join("-").exists());
}

/// Snapshots of every format on the hostile fixture: `tests/snapshots/export/`. Set
/// `UPDATE_SNAPSHOTS=1` to rewrite them after an intended change (and review the diff).
#[test]
fn every_format_matches_its_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let written = write_all(dir.path());
    let snapshots = repo().join("tests/snapshots/export");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    // Parquet is binary and checked by reading it back (parquet_round_trips_...).
    for path in written
        .into_iter()
        .filter(|p| p.extension().is_none_or(|e| e != "parquet"))
    {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let actual = std::fs::read_to_string(&path).unwrap();
        let snapshot = snapshots.join(&name);
        if update {
            std::fs::create_dir_all(&snapshots).unwrap();
            std::fs::write(&snapshot, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&snapshot).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run with UPDATE_SNAPSHOTS=1 to create it)",
                snapshot.display()
            )
        });
        assert_eq!(actual, expected, "{name} differs from its snapshot");
    }
}

/// Issue 15 item 8: `align` wrote only JSON Lines (`--out p.tmx` silently wrote JSONL), and
/// `run --out - --format tsv` ignored `--format`. `align --format`, the `--out` extension, an
/// `export` command, and `--out -` with one format (several are refused).
#[test]
fn align_run_and_export_write_the_format_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let english = "The sun rises in the east.\nRivers flow to the sea.\nBirds sing at dawn.\n";
    std::fs::write(dir.path().join("en.txt"), english).unwrap();
    let align = |extra: &[&str]| {
        let out = transalign(dir.path())
            .args([
                "align", "--mode", "parallel", "--source", "en.txt", "--target", "en.txt",
            ])
            .args(["--translation", "en.txt"])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{extra:?}: {}", stderr_of(&out));
        out
    };
    align(&["--out", "p.tmx"]);
    let tmx = std::fs::read_to_string(dir.path().join("p.tmx")).unwrap();
    let doc = roxmltree::Document::parse(&tmx).expect("TMX, not JSON Lines");
    assert_eq!(
        doc.descendants().filter(|n| n.has_tag_name("tu")).count(),
        3
    );
    let tsv = align(&["--format", "tsv", "--out", "-"]);
    let tsv = String::from_utf8_lossy(&tsv.stdout);
    assert!(tsv.starts_with("src_doc\tsrc_ids\t"), "{tsv}");
    assert_eq!(tsv.lines().count(), 4);
    align(&["--format", "moses", "--out", "moses"]);
    let moses: Vec<String> = std::fs::read_dir(dir.path().join("moses"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(moses.len(), 2, "{moses:?}");
    align(&["--out", "p.jsonl"]);

    // export: JSON Lines into other formats, in a directory or (one format) on stdout.
    let export = transalign(dir.path())
        .args([
            "export",
            "p.jsonl",
            "--format",
            "tsv,tmx,html",
            "--out",
            "formats",
        ])
        .output()
        .unwrap();
    assert!(export.status.success(), "{}", stderr_of(&export));
    for name in ["aligned.tsv", "aligned.tmx", "report.html"] {
        assert!(dir.path().join("formats").join(name).is_file(), "{name}");
    }
    let jsonl = std::fs::read_to_string(dir.path().join("p.jsonl")).unwrap();
    let streamed = transalign(dir.path())
        .args(["export", "-", "--format", "tsv", "--out", "-"])
        .write_stdin(jsonl)
        .output()
        .unwrap();
    assert!(streamed.status.success(), "{}", stderr_of(&streamed));
    assert_eq!(String::from_utf8_lossy(&streamed.stdout), tsv);
    let several = transalign(dir.path())
        .args(["export", "p.jsonl", "--format", "tsv,tmx", "--out", "-"])
        .output()
        .unwrap();
    assert_eq!(several.status.code(), Some(2));
    assert!(
        stderr_of(&several).contains("one format"),
        "{}",
        stderr_of(&several)
    );

    // run --out - honours --format, and refuses several.
    let cache = tempfile::tempdir().unwrap();
    let run = transalign(&repo())
        .args([
            "run",
            "--quiet",
            "--out",
            "-",
            "--format",
            "tsv",
            "--cache-dir",
        ])
        .arg(cache.path())
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr_of(&run));
    assert!(String::from_utf8_lossy(&run.stdout).starts_with("src_doc\t"));
    let run = transalign(&repo())
        .args([
            "run",
            "--quiet",
            "--out",
            "-",
            "--format",
            "jsonl,tsv",
            "--cache-dir",
        ])
        .arg(cache.path())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr_of(&run).contains("--out - writes one format"),
        "{}",
        stderr_of(&run)
    );
}

/// Issue 22 item 4: the report's confidence filter starts at the lowest confidence the run
/// accepted (rounded down to a hundredth), not at 0, so its number says what was accepted.
#[test]
fn the_report_filter_starts_at_the_lowest_accepted_confidence() {
    let dir = project("");
    let record = |src: &str, tgt: &str, confidence: f64| {
        serde_json::json!({
            "src_doc": "a.id.txt", "src_ids": [0], "src_lang": "id", "src_text": src,
            "src_translation": "", "tgt_doc": "b.en.txt", "tgt_ids": [0], "tgt_lang": "en",
            "tgt_text": tgt, "score": 1.5, "similarity": 0.5, "confidence": confidence,
            "rank": 1, "tier": "same", "mode": "comparable", "backend": "lexicon"
        })
        .to_string()
    };
    let lines = [
        record("Harga naik.", "Prices rose.", 0.937),
        record("Ekspor turun.", "Exports fell.", 0.718),
    ];
    std::fs::write(dir.path().join("p.jsonl"), lines.join("\n") + "\n").unwrap();
    let out = transalign(dir.path())
        .args(["export", "p.jsonl", "--format", "html", "--out", "-"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let html = String::from_utf8_lossy(&out.stdout);
    assert!(
        html.contains(
            "id=\"min-value\" type=\"number\" step=\"0.01\" min=\"0\" max=\"1\" value=\"0.71\""
        ),
        "{}",
        html.lines()
            .find(|l| l.contains("min-value"))
            .unwrap_or("no filter")
    );
}

/// Issue 22 item 4: the source-language member of a claim is always shown first, whatever
/// the order in `claims.jsonl`, and the differences still point at the member that has them.
#[test]
fn the_report_shows_the_source_language_member_first() {
    use transalign::claims::{Claim, ClaimFlag, Member};
    let member = |doc: &str, lang: &str, text: &str, translation: Option<&str>| Member {
        doc: doc.into(),
        idx: vec![0],
        lang: lang.into(),
        text: text.into(),
        translation: translation.map(str::to_string),
    };
    let claim = Claim {
        claim_id: "c1".into(),
        tier: "same".into(),
        // The pivot-language member first in the record.
        members: vec![
            member("wire.txt", "en", "Prices rose by 5 percent.", None),
            member("kemlu.txt", "id", "Harga naik.", Some("price rise")),
        ],
        languages: vec!["en".into(), "id".into()],
        score: 1.5,
        confidence: 0.9,
        flags: vec![ClaimFlag {
            kind: "number".into(),
            value: "5".into(),
            member: 0,
            lacking: vec![1],
        }],
    };
    let summary = serde_json::json!({"pivot": "en"});
    let input = ExportInput {
        alignments: &[],
        mode: "comparable",
        moses_min_score: 0.3,
        sentences: &[],
        claims: std::slice::from_ref(&claim),
        summary: Some(&summary),
    };
    let mut out = Vec::new();
    transalign::export::export_to_stream(transalign::export::Format::Html, &mut out, &input)
        .unwrap();
    let html = String::from_utf8(out).unwrap();
    let (id_at, en_at) = (
        html.find("Harga naik.").unwrap(),
        html.find("Prices rose by").unwrap(),
    );
    assert!(id_at < en_at, "the Indonesian member comes first");
    // The number is still marked in the English text, and said to be missing from the
    // Indonesian one.
    assert!(
        html.contains("in wire.txt (en), not in kemlu.txt (id)"),
        "{html}"
    );
}

/// Issue 22 item 4: a report written into a directory is paged (1,000 cards a page, with
/// links between the pages); a stream keeps everything on one page; pages an earlier, larger
/// run left behind are removed.
#[test]
fn a_large_report_is_paged_with_links_between_the_pages() {
    let dir = project("");
    let lines: Vec<String> = (0..2500)
        .map(|k| {
            serde_json::json!({
                "src_doc": "a.id.txt", "src_ids": [k], "src_lang": "id",
                "src_text": format!("Kalimat nomor {k}."), "src_translation": "",
                "tgt_doc": "b.en.txt", "tgt_ids": [k], "tgt_lang": "en",
                "tgt_text": format!("Sentence number {k}."), "score": 1.5, "similarity": 0.5,
                "confidence": 0.9, "rank": 1, "tier": "same", "mode": "comparable",
                "backend": "lexicon"
            })
            .to_string()
        })
        .collect();
    std::fs::write(dir.path().join("p.jsonl"), lines.join("\n") + "\n").unwrap();
    let out_dir = dir.path().join("r");
    std::fs::create_dir(&out_dir).unwrap();
    std::fs::write(out_dir.join("report-9.html"), "stale").unwrap();
    let out = transalign(dir.path())
        .args(["export", "p.jsonl", "--format", "html", "--out", "r"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let page = |name: &str| std::fs::read_to_string(out_dir.join(name)).unwrap();
    let (first, second, third) = (
        page("report.html"),
        page("report-2.html"),
        page("report-3.html"),
    );
    assert!(!out_dir.join("report-4.html").exists());
    assert!(
        !out_dir.join("report-9.html").exists(),
        "the stale page is gone"
    );
    let cards = |html: &str| html.matches("<article class=\"claim\"").count();
    assert_eq!(
        (cards(&first), cards(&second), cards(&third)),
        (1000, 1000, 500)
    );
    assert!(second.contains("Page <strong>2</strong> of 3: matches 1001–2000 of 2500"));
    assert!(second.contains("<h3>Match 1001</h3>") && !second.contains("<h3>Match 1000</h3>"));
    for link in ["href=\"report.html\"", "href=\"report-3.html\""] {
        assert!(second.contains(link), "page 2 links to {link}");
    }
    assert!(first.contains("<span class=\"off\">‹ previous</span>"));
    assert!(third.contains("<span class=\"off\">next ›</span>"));
    // The header counts every match, the filter the page's.
    assert!(
        third.contains("<dt>matches</dt><dd>2500</dd>"),
        "{}",
        &third[..3000]
    );
    let stream = transalign(dir.path())
        .args(["export", "p.jsonl", "--format", "html", "--out", "-"])
        .output()
        .unwrap();
    let stream = String::from_utf8_lossy(&stream.stdout);
    assert_eq!(cards(&stream), 2500);
    assert!(!stream.contains("class=\"pager\""));
}

/// Issue 22 item 4: `input.documents` (a TSV: doc, title, outlet, date) labels the report's
/// documents and goes into `summary.json`; `align.exclude_same_source` reads the same file;
/// a malformed line is an error naming the file and line.
#[test]
fn a_documents_table_labels_the_report_and_the_summary() {
    let dir = common::small_project();
    std::fs::write(
        dir.path().join("documents.tsv"),
        "doc\ttitle\toutlet\tdate\nberita.txt\tPemerintah menolak tuduhan\tAntara\t2021-04-20\nnews.txt\tGovernment rejects accusation\tReuters\t\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "[input]\npaths = [\"corpus\"]\ndocuments = \"documents.tsv\"\n[align]\nexclude_same_source = { metadata = \"documents.tsv\", field = \"outlet\" }\n",
    )
    .unwrap();
    let summary = run_with_formats(dir.path(), "jsonl,html");
    let documents = summary["documents"].as_array().unwrap();
    let berita = documents.iter().find(|d| d["id"] == "berita.txt").unwrap();
    assert_eq!(
        (&berita["title"], &berita["outlet"], &berita["date"]),
        (
            &Value::from("Pemerintah menolak tuduhan"),
            &Value::from("Antara"),
            &Value::from("2021-04-20")
        )
    );
    let news = documents.iter().find(|d| d["id"] == "news.txt").unwrap();
    assert!(
        news.get("date").is_none(),
        "an empty field is left out: {news}"
    );
    let report = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(
        report.contains(">Pemerintah menolak tuduhan — Antara, 2021-04-20</span>"),
        "the member head names title, outlet and date"
    );
    assert!(report.contains(">Government rejects accusation — Reuters</span>"));
    assert!(
        report.contains("title=\"berita.txt\""),
        "the id stays in the tooltip"
    );
    // Different outlets: still compared (the same file serves exclude_same_source).
    assert!(
        report.contains("<article class=\"claim\""),
        "matched across outlets"
    );
    std::fs::write(
        dir.path().join("documents.tsv"),
        "doc\ttitle\nberita.txt\tA\textra field\n",
    )
    .unwrap();
    let out = transalign(dir.path()).arg("run").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("input.documents")
            && err.contains("documents.tsv:2: 3 fields, the header has 2"),
        "{err}"
    );
}
