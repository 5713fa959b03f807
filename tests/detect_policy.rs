//! The Indonesian/Malay policy: the document decides within a confusable group.

mod common;

use common::*;

fn labels(config: Option<&str>) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join("tests/fixtures/tatoeba-zsm-200.txt"),
        dir.path().join("ms.txt"),
    )
    .unwrap();
    let mut cmd = transalign(dir.path());
    if let Some(toml) = config {
        std::fs::write(dir.path().join("c.toml"), toml).unwrap();
        cmd.args(["--config", "c.toml"]);
    }
    let output = cmd.args(["detect", "ms.txt", "-q"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    parse_jsonl(&String::from_utf8(output.stdout).unwrap())
        .iter()
        .map(|s| s["lang"].as_str().unwrap().to_string())
        .collect()
}

/// Every other fallback off, so only the confusable-group policy stands between lingua's
/// sentence labels and the output.
const RAW_LINGUA: &str = "[detect]\nmin_letters = 0\nmargin = 0.0\noverride_confidence = 0.0\n";

#[test]
fn malay_document_is_malay_throughout_with_the_default_policy() {
    let with_policy = labels(None);
    assert!(with_policy.len() >= 200);
    assert!(with_policy.iter().all(|l| l == "ms"), "{with_policy:?}");
}

#[test]
fn the_group_policy_alone_keeps_malay_sentences_malay() {
    let grouped = labels(Some(RAW_LINGUA));
    assert!(!grouped.iter().any(|l| l == "id"), "{grouped:?}");
    // Switched off, lingua's own sentence labels mix Indonesian into the Malay document.
    let without = labels(Some(&format!("{RAW_LINGUA}confusable = []\n")));
    assert!(
        without.iter().filter(|l| *l == "id").count() >= 10,
        "{without:?}"
    );
    assert!(without.iter().any(|l| l == "ms"));
}

#[test]
fn a_strongly_english_sentence_in_an_indonesian_document_keeps_its_language() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Kementerian Luar Negeri Tiongkok mengadakan konferensi pers pada hari Selasa.\n\
                Juru bicara itu menolak semua tuduhan yang tidak berdasar terhadap perusahaan Tiongkok.\n\
                The spokesperson said that the accusations were groundless and politically motivated.\n\
                Dia juga mengatakan bahwa kerja sama kedua negara akan terus berkembang.\n";
    std::fs::write(dir.path().join("doc.txt"), text).unwrap();
    let output = transalign(dir.path())
        .args(["detect", "doc.txt", "-q"])
        .output()
        .unwrap();
    let rows = parse_jsonl(&String::from_utf8(output.stdout).unwrap());
    let langs: Vec<&str> = rows.iter().map(|r| r["lang"].as_str().unwrap()).collect();
    assert_eq!(langs, ["id", "id", "en", "id"]);
    assert_eq!(rows[2]["lang_source"], "sentence");
}
