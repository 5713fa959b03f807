//! Claim records end to end: `claims.jsonl` (validated against
//! `schemas/claims.schema.json`) and `claims.tsv` of real runs, grouping on a constructed
//! corpus with known claims, stable ids.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use common::{parse_jsonl, repo, seed_corpus, transalign};
use serde_json::Value;

fn run(corpus: &Path, out: &Path, extra: &[&str]) -> Vec<Value> {
    transalign(&repo())
        .args([
            "run",
            "--quiet",
            "--backend",
            "lexicon",
            "--format",
            "jsonl,tsv",
        ])
        .args(extra)
        .arg("--out")
        .arg(out)
        .arg("--cache-dir")
        .arg(out.join("cache"))
        .arg(corpus)
        .assert()
        .code(0);
    parse_jsonl(&std::fs::read_to_string(out.join("claims.jsonl")).unwrap())
}

fn validate(claims: &[Value]) {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("schemas/claims.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    for claim in claims {
        let errors: Vec<String> = validator
            .iter_errors(claim)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?} in {claim}");
    }
}

fn member_docs(claim: &Value) -> BTreeSet<String> {
    claim["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["doc"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn one_target_stated_by_three_sources_is_one_claim_and_unrelated_lines_are_none() {
    let out = tempfile::tempdir().unwrap();
    let claims = run(&repo().join("tests/fixtures/claims"), out.path(), &[]);
    validate(&claims);
    // Known claims: the nickel exports (three Indonesian documents, one English) and the
    // Jakarta floods; nothing else in the corpus is said twice.
    assert_eq!(claims.len(), 2, "{claims:#?}");
    let nickel = claims
        .iter()
        .find(|c| c["members"].as_array().unwrap().len() == 4)
        .expect("the nickel claim has four members");
    assert_eq!(
        member_docs(nickel),
        BTreeSet::from(["a.id.txt", "b.id.txt", "c.id.txt", "d.en.txt"].map(String::from))
    );
    assert_eq!(nickel["languages"], serde_json::json!(["en", "id"]));
    for m in nickel["members"].as_array().unwrap() {
        assert_eq!(m["idx"], serde_json::json!([0]));
        assert!(m["text"].as_str().unwrap().contains("35"));
        // Only the non-pivot members carry a translation.
        assert_eq!(m["lang"] == "id", m.get("translation").is_some(), "{m}");
    }
    let floods = claims
        .iter()
        .find(|c| c["members"].as_array().unwrap().len() == 2)
        .unwrap();
    assert_eq!(
        member_docs(floods),
        BTreeSet::from(["b.id.txt", "d.en.txt"].map(String::from))
    );
    // Most sure first; confidences are probabilities.
    let confidences: Vec<f64> = claims
        .iter()
        .map(|c| c["confidence"].as_f64().unwrap())
        .collect();
    assert!(
        confidences.windows(2).all(|w| w[0] >= w[1]),
        "{confidences:?}"
    );
    // claims.tsv: one row per member, the same ids.
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .from_path(out.path().join("claims.tsv"))
        .unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6);
    let ids: BTreeSet<&str> = rows.iter().map(|r| &r[0]).collect();
    let expected: BTreeSet<&str> = claims
        .iter()
        .map(|c| c["claim_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, expected);
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["claims"], 2);
}

#[test]
fn seed_claims_match_the_schema_point_at_claim_like_sentences_and_keep_their_ids() {
    let first = tempfile::tempdir().unwrap();
    // Every source's best candidate is accepted, so that there are many claims to check.
    let claims = run(&seed_corpus(), first.path(), &["--threshold", "0"]);
    assert!(claims.len() >= 20, "{} claims", claims.len());
    validate(&claims);
    let sentences =
        parse_jsonl(&std::fs::read_to_string(first.path().join("sentences.jsonl")).unwrap());
    let by_key: HashMap<(String, u64), &Value> = sentences
        .iter()
        .map(|s| {
            (
                (
                    s["doc"].as_str().unwrap().into(),
                    s["idx"].as_u64().unwrap(),
                ),
                s,
            )
        })
        .collect();
    for claim in &claims {
        let members = claim["members"].as_array().unwrap();
        let langs: BTreeSet<&str> = members
            .iter()
            .map(|m| m["lang"].as_str().unwrap())
            .collect();
        assert!(langs.len() >= 2, "{claim}");
        for m in members {
            let texts: Vec<&str> = m["idx"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    let s = by_key[&(m["doc"].as_str().unwrap().to_string(), i.as_u64().unwrap())];
                    assert_eq!(s["claim_like"], true, "a member that carries no claim: {s}");
                    s["text"].as_str().unwrap()
                })
                .collect();
            assert_eq!(m["text"], texts.join(" "));
        }
    }
    // The same corpus gives the same claims with the same ids.
    let second = tempfile::tempdir().unwrap();
    let again = run(&seed_corpus(), second.path(), &["--threshold", "0"]);
    assert_eq!(claims, again);
}

/// A corpus of two outlets: `kemlu/` has an Indonesian report and its English version,
/// `wire/` an English report of the same news; `config` is written beside it.
fn two_outlets(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "corpus/kemlu/nikel.id.txt",
        "Pemerintah Indonesia mengumumkan bahwa ekspor nikel naik 35 persen pada tahun 2023.\nHarga beras di pasar tradisional turun tajam bulan lalu.\n",
    );
    write(
        "corpus/kemlu/nickel.en.txt",
        "The Indonesian government announced that nickel exports rose 35 percent in 2023.\nRice prices in traditional markets fell sharply last month.\n",
    );
    write(
        "corpus/wire/report.en.txt",
        "Indonesia said its nickel exports rose by 35 percent in 2023.\nA new museum of modern art opened in Paris last week.\n",
    );
    write("config.toml", config);
    dir
}

/// The documents the Indonesian report's sentences were matched with.
fn partners(dir: &Path) -> BTreeSet<String> {
    let out = dir.join("out");
    transalign(&repo())
        .args(["--config"])
        .arg(dir.join("config.toml"))
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg("--cache-dir")
        .arg(dir.join("cache"))
        .assert()
        .code(0);
    parse_jsonl(&std::fs::read_to_string(out.join("aligned.jsonl")).unwrap())
        .iter()
        .map(|a| a["tgt_doc"].as_str().unwrap().to_string())
        .collect()
}

fn only(doc: &str) -> BTreeSet<String> {
    BTreeSet::from([doc.to_string()])
}

const BASE: &str = "[input]\npaths = [\"corpus\"]\n[translate]\nbackend = \"lexicon\"\n";

#[test]
fn align_pairs_and_exclude_same_source_decide_which_documents_are_compared() {
    // By default the report's own English version is compared too.
    let dir = two_outlets(BASE);
    assert!(partners(dir.path()).contains("kemlu/nickel.en.txt"));
    // Documents of one directory are kept apart: the nickel claim goes to the wire report.
    let dir = two_outlets(&format!(
        "{BASE}[align]\nexclude_same_source = \"directory\"\n"
    ));
    assert_eq!(partners(dir.path()), only("wire/report.en.txt"));
    // The same by a metadata field.
    let dir = two_outlets(&format!(
        "{BASE}[align]\nexclude_same_source = {{ metadata = \"docs.tsv\", field = \"outlet\" }}\n"
    ));
    std::fs::write(
        dir.path().join("docs.tsv"),
        "doc\toutlet\nkemlu/nikel.id.txt\tkemlu\nkemlu/nickel.en.txt\tkemlu\nwire/report.en.txt\twire\n",
    )
    .unwrap();
    assert_eq!(partners(dir.path()), only("wire/report.en.txt"));
    // Glob pairs: only the listed documents are compared.
    let dir = two_outlets(&format!(
        "{BASE}[align]\npairs = [\"kemlu/*.id.txt\", \"wire/*\"]\n"
    ));
    assert_eq!(partners(dir.path()), only("wire/report.en.txt"));
    // A TSV of pairs, relative to the configuration file.
    let dir = two_outlets(&format!("{BASE}[align]\npairs = \"pairs.tsv\"\n"));
    std::fs::write(
        dir.path().join("pairs.tsv"),
        "# source\ttarget\nkemlu/nikel.id.txt\tkemlu/nickel.en.txt\n",
    )
    .unwrap();
    assert_eq!(partners(dir.path()), only("kemlu/nickel.en.txt"));
    // A malformed line is an error naming the file and line.
    std::fs::write(
        dir.path().join("pairs.tsv"),
        "a.txt\tb.txt\nonly-one-field\n",
    )
    .unwrap();
    transalign(&repo())
        .arg("--config")
        .arg(dir.path().join("config.toml"))
        .arg("run")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("align.pairs"))
        .stderr(predicates::str::contains("pairs.tsv:2"));
    // So is an unknown rule.
    let dir = two_outlets(&format!(
        "{BASE}[align]\nexclude_same_source = \"outlet\"\n"
    ));
    transalign(&repo())
        .arg("--config")
        .arg(dir.path().join("config.toml"))
        .arg("run")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("align.exclude_same_source"));
}

/// Two claims about nickel (2023 exports, 2022 prices), each stated in Indonesian and in
/// English. With two candidates per source and no threshold, each Indonesian sentence is
/// also weakly matched to the other claim's English sentence: a chain
/// a ↔ c, a ↔ d, b ↔ d, b ↔ c that must be split into the two claims.
#[test]
fn a_chain_of_matches_across_two_claims_is_split() {
    let out = tempfile::tempdir().unwrap();
    let claims = run(
        &repo().join("tests/fixtures/claims-chain"),
        out.path(),
        &["--top-k", "2", "--threshold", "0"],
    );
    validate(&claims);
    let aligned = parse_jsonl(&std::fs::read_to_string(out.path().join("aligned.jsonl")).unwrap());
    let linked = |src: &str, tgt: &str| {
        aligned.iter().any(|a| {
            a["src_doc"] == src
                && a["src_ids"] == serde_json::json!([0])
                && a["tgt_doc"] == tgt
                && a["tgt_ids"] == serde_json::json!([0])
        })
    };
    // The chain is there in the matches …
    assert!(linked("a.id.txt", "c.en.txt") && linked("a.id.txt", "d.en.txt"));
    assert!(linked("b.id.txt", "d.en.txt") && linked("b.id.txt", "c.en.txt"));
    // … and split in the claims: the first sentences of a and c form one claim, of b and d
    // another, and no claim holds both English first sentences.
    let first_sentences = |c: &Value| -> BTreeSet<String> {
        c["members"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["idx"] == serde_json::json!([0]))
            .map(|m| m["doc"].as_str().unwrap().to_string())
            .collect()
    };
    let groups: Vec<BTreeSet<String>> = claims.iter().map(first_sentences).collect();
    assert!(
        groups.contains(&BTreeSet::from(["a.id.txt".into(), "c.en.txt".into()])),
        "{groups:?}"
    );
    assert!(
        groups.contains(&BTreeSet::from(["b.id.txt".into(), "d.en.txt".into()])),
        "{groups:?}"
    );
    assert!(
        !groups
            .iter()
            .any(|g| g.contains("c.en.txt") && g.contains("d.en.txt")),
        "{groups:?}"
    );
}
