//! The main job on the seed corpus: languages, boilerplate, spans, output files.

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::Value;

/// Runs `transalign run` with the shipped configuration and returns (sentences, summary).
fn run_seed_corpus() -> (Vec<Value>, Value) {
    let out = tempfile::tempdir().unwrap();
    transalign(&repo())
        .args(["run", "--quiet", "--out"])
        .arg(out.path())
        .arg("--cache-dir")
        .arg(out.path().join("cache"))
        .assert()
        .code(0);
    let sentences =
        parse_jsonl(&std::fs::read_to_string(out.path().join("sentences.jsonl")).unwrap());
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("summary.json")).unwrap())
            .unwrap();
    (sentences, summary)
}

fn prose_of<'a>(sentences: &'a [Value], doc_prefix: &str) -> Vec<&'a Value> {
    sentences
        .iter()
        .filter(|s| s["doc"].as_str().unwrap().starts_with(doc_prefix) && s["boilerplate"] == false)
        .collect()
}

#[test]
fn documents_get_the_right_language() {
    let (_, summary) = run_seed_corpus();
    let docs = summary["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 5);
    for doc in docs {
        let expected = if doc["id"].as_str().unwrap().starts_with("003") {
            "id"
        } else {
            "en"
        };
        assert_eq!(doc["lang"], expected, "{doc}");
    }
    assert_eq!(summary["complete"], true);
    assert!(summary["timings_ms"]["detect"].is_u64());
}

#[test]
fn indonesian_sentences_are_indonesian_not_malay() {
    let (sentences, _) = run_seed_corpus();
    let prose = prose_of(&sentences, "003");
    assert!(prose.len() > 100, "only {} prose sentences", prose.len());
    let id = prose.iter().filter(|s| s["lang"] == "id").count();
    let ms = prose.iter().filter(|s| s["lang"] == "ms").count();
    assert_eq!(ms, 0);
    assert!(
        id * 100 >= prose.len() * 95,
        "{id} of {} labelled id",
        prose.len()
    );
}

#[test]
fn english_documents_are_english_sentence_by_sentence() {
    let (sentences, _) = run_seed_corpus();
    for doc in ["000", "001", "002", "004"] {
        let prose = prose_of(&sentences, doc);
        assert!(!prose.is_empty());
        for s in prose {
            assert_eq!(s["lang"], "en", "{s}");
        }
    }
}

#[test]
fn names_and_speaker_prefixes_do_not_flip_indonesian_sentences() {
    let (sentences, _) = run_seed_corpus();
    let find = |needle: &str| {
        sentences
            .iter()
            .find(|s| s["text"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("no sentence with {needle:?}"))
    };
    for needle in [
        "Konferensi Tahunan Boao Forum for Asia (BFA) tahun ini",
        "laporan Human Rights Watch",
        "Uyghurs: To Put an End to Fake News",
        "Reuters: Ada laporan bahwa perbatasan darat",
    ] {
        assert_eq!(find(needle)["lang"], "id", "{needle}");
    }
    assert_eq!(
        find("Wang Wenbin: Saya tidak mengetahui")["speaker"],
        "Wang Wenbin"
    );
    assert_eq!(find("CCTV News :")["speaker"], "CCTV News");
}

#[test]
fn page_furniture_is_flagged_and_prose_is_not() {
    let (sentences, _) = run_seed_corpus();
    let flagged: BTreeSet<String> = sentences
        .iter()
        .filter(|s| s["boilerplate"] == true)
        .map(|s| s["text"].as_str().unwrap().replace('\u{a0}', " "))
        .collect();
    let expected = [
        "Home > Spokesperson's Remarks",
        "Suggest to a friend:",
        "Home > Embassy News",
        "2021-05-07 14:12",
        "[ Suggest To A Friend ]",
        "[ Print ]",
        "Lama Baca 25 Menit",
        "Konferensi Pers Kementerian Luar Negeri Tiongkok 20 April 2021-Image-1",
        "Konferensi Pers Kementerian Luar Negeri Tiongkok 20 April 2021-Image-2",
        "Konferensi Pers Kementerian Luar Negeri Tiongkok 20 April 2021-Image-3",
        "Konferensi Pers Kementerian Luar Negeri Tiongkok 20 April 2021-Image-4",
        "Juru Bicara Kementerian Luar Negeri Wang Wenbin - Image from Laman Kementerian Luar Negeri Republik Rakyat Tiongkok",
        "Reporter - Image from Laman Kementerian Luar Negeri Republik Rakyat Tiongkok",
        "Updated: 2013-03-29 00:21",
        "By Cheng Guangjin and Pu Zhendong (China Daily)",
        "Print Mail Large Medium  Small 分享按钮 0",
        "Contact the writers at and",
    ];
    let expected: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
    // Every listed line is flagged, and nothing else is (no prose sentence is flagged).
    assert_eq!(flagged, expected);
    // Every flagged sentence says which rule flagged it.
    for s in sentences.iter().filter(|s| s["boilerplate"] == true) {
        assert!(s["boilerplate_rule"].is_string(), "{s}");
    }
}

#[test]
fn spans_point_at_the_original_bytes_and_fields_are_complete() {
    let (sentences, _) = run_seed_corpus();
    assert!(sentences.len() > 200);
    for s in &sentences {
        for key in [
            "doc",
            "idx",
            "start",
            "end",
            "paragraph",
            "text",
            "lang",
            "lang_confidence",
            "lang_source",
            "boilerplate",
        ] {
            assert!(s.get(key).is_some(), "{key} missing in {s}");
        }
        let bytes = std::fs::read(seed_corpus().join(s["doc"].as_str().unwrap())).unwrap();
        let (start, end) = (
            s["start"].as_u64().unwrap() as usize,
            s["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            std::str::from_utf8(&bytes[start..end]).unwrap(),
            s["text"].as_str().unwrap()
        );
    }
}

#[test]
fn sentences_do_not_cross_paragraphs() {
    let (sentences, _) = run_seed_corpus();
    for s in &sentences {
        assert!(!s["text"].as_str().unwrap().contains('\n'), "{s}");
    }
    // Paragraph indices only grow within a document.
    for pair in sentences.windows(2) {
        if pair[0]["doc"] == pair[1]["doc"] {
            assert!(pair[0]["paragraph"].as_u64() <= pair[1]["paragraph"].as_u64());
            assert_eq!(
                pair[0]["idx"].as_u64().unwrap() + 1,
                pair[1]["idx"].as_u64().unwrap()
            );
        }
    }
}
