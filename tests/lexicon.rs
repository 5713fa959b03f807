//! The offline `lexicon` backend end to end: the shipped lexicons on real words of the
//! Indonesian seed document, its coverage, the default `run`, user lexicon files and
//! `lexicon import`.

mod common;

use common::*;
use serde_json::Value;
use transalign::config::{Config, Overrides};
use transalign::lexicon::Lexicon;
use transalign::lexicon::gloss::{Coverage, Glosser};

fn indonesian() -> Lexicon {
    Lexicon::for_language("id", &[]).expect("shipped lexicons load")
}

fn gloss(lexicon: &Lexicon, text: &str) -> String {
    Glosser {
        lexicon,
        alternatives: 2,
    }
    .gloss(text)
    .0
}

#[test]
fn shipped_lexicons_gloss_real_words_of_the_seed_document() {
    let l = indonesian();
    assert_eq!(gloss(&l, "kerja sama"), "cooperation|collaboration");
    assert_eq!(gloss(&l, "dunia maya"), "cyberspace");
    assert!(gloss(&l, "Amerika Serikat").starts_with("United States"));
    assert_eq!(gloss(&l, "negara-negara"), gloss(&l, "negara"));
    assert_eq!(gloss(&l, "langkah-langkah"), "step|measure");
    assert_eq!(gloss(&l, "menyelidiki"), "investigate");
    assert_eq!(gloss(&l, "pembangunan"), "development|construction");
    assert_eq!(gloss(&l, "mengeksploitasi"), "~exploitation");
    assert_eq!(gloss(&l, "diskriminatif"), "~discriminative");
    assert_eq!(gloss(&l, "institusi"), "institution");
    assert_eq!(
        gloss(&l, "830.000 ton, 1.500 orang, 3 miliar, 73%"),
        "830,000 ton, 1,500 Man|person, 3 billion, 73%"
    );
    // Names and acronyms pass through.
    assert_eq!(
        gloss(&l, "Huawei KPN COVID-19 Xinjiang"),
        "Huawei KPN COVID-19 Xinjiang"
    );
}

#[test]
fn the_indonesian_seed_document_is_covered_above_92_percent() {
    let config = Config::load(Some(&repo().join("config.toml")), &Overrides::default()).unwrap();
    let corpus = transalign::pipeline::process(&config, &[seed_corpus()], true);
    let l = indonesian();
    let glosser = Glosser {
        lexicon: &l,
        alternatives: 2,
    };
    let mut total = Coverage::default();
    let mut sentences = 0;
    for s in corpus
        .sentences
        .iter()
        .filter(|s| s.doc.starts_with("003") && !s.boilerplate)
    {
        total.add(&glosser.gloss(&s.text).1);
        sentences += 1;
    }
    assert_eq!(sentences, 157);
    let with_guesses = total.ratio();
    let lexicon_only = total.glossed as f64 / total.words as f64;
    assert!(total.words > 2500, "{} words", total.words);
    assert!(with_guesses >= 0.92, "coverage {with_guesses:.3}");
    assert!(
        lexicon_only >= 0.92,
        "coverage without guesses {lexicon_only:.3}"
    );
}

#[test]
fn the_default_run_glosses_the_seed_corpus_offline_and_caches_it() {
    let out = tempfile::tempdir().unwrap();
    let run = || {
        transalign(&repo())
            .args(["run", "--quiet", "--offline", "--out"])
            .arg(out.path())
            .arg("--cache-dir")
            .arg(out.path().join("cache"))
            .assert()
            .code(0);
        let sentences =
            parse_jsonl(&std::fs::read_to_string(out.path().join("sentences.jsonl")).unwrap());
        let summary: Value = serde_json::from_str(
            &std::fs::read_to_string(out.path().join("summary.json")).unwrap(),
        )
        .unwrap();
        (sentences, summary)
    };
    let (sentences, summary) = run();
    let indonesian: Vec<&Value> = sentences
        .iter()
        .filter(|s| s["doc"].as_str().unwrap().starts_with("003") && s["boilerplate"] == false)
        .collect();
    assert_eq!(indonesian.len(), 157);
    for s in &indonesian {
        assert_eq!(s["backend"], "lexicon");
        assert!(!s["translation"].as_str().unwrap().is_empty());
        let coverage = s["translation_coverage"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&coverage));
    }
    assert!(
        sentences
            .iter()
            .filter(|s| s["lang"] == "en")
            .all(|s| s.get("translation").is_none())
    );
    assert_eq!(summary["translation"]["backend"], "lexicon");
    assert_eq!(summary["translation"]["failed"], 0);
    assert_eq!(summary["complete"], true);
    let translated = summary["translation"]["translated"].as_u64().unwrap();
    assert!(translated > 140);

    let (again, summary) = run();
    assert_eq!(
        summary["translation"]["cache_hits"].as_u64().unwrap(),
        translated
    );
    assert_eq!(summary["translation"]["translated"], 0);
    let first: Vec<&Value> = indonesian.iter().map(|s| &s["translation"]).collect();
    let second: Vec<&Value> = again
        .iter()
        .filter(|s| s["doc"].as_str().unwrap().starts_with("003") && s["boilerplate"] == false)
        .map(|s| &s["translation"])
        .collect();
    assert_eq!(first, second);
}

#[test]
fn user_lexicon_files_add_words_and_languages() {
    let dir = project("");
    std::fs::write(
        dir.path().join("ms-en.mine.tsv"),
        "# mine\nkeretapi api\tsteam train\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("sw-en.mine.tsv"),
        "habari\tnews\nnzuri\tgood|fine\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "[backends.lexicon]\nkind = \"lexicon\"\nalternatives = 1\nfiles = [\"ms-en.mine.tsv\", \"sw-en.mine.tsv\"]\n",
    )
    .unwrap();
    let out = translate_lines(dir.path(), "ms", &["keretapi api itu"], &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stdout_lines(&out)[0].starts_with("steam train "),
        "{:?}",
        stdout_lines(&out)
    );
    let out = translate_lines(dir.path(), "sw", &["habari nzuri"], &[]);
    assert_eq!(stdout_lines(&out), vec!["news good"]);
    // A language without a lexicon is reported before anything is glossed.
    let out = translate_lines(dir.path(), "fr", &["bonjour"], &[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr_of(&out)
            .contains("no configured backend translates fr→en (lexicon: pair not supported)"),
        "{}",
        stderr_of(&out)
    );
    // A missing file names the key.
    std::fs::write(
        dir.path().join("config.toml"),
        "[backends.lexicon]\nkind = \"lexicon\"\nfiles = [\"nope-en.tsv\"]\n",
    )
    .unwrap();
    let out = translate_lines(dir.path(), "ms", &["x"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("key `backends.lexicon.files`"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn lexicon_import_reads_tsv_and_muse_and_reports_bad_lines() {
    let dir = project("");
    let tsv = dir.path().join("d.tsv");
    std::fs::write(&tsv, "rumah\thouse|home\nkerja sama\tcooperation\n").unwrap();
    let muse = dir.path().join("d.muse");
    std::fs::write(&muse, "rumah house\nrumah building\n").unwrap();
    let out = transalign(dir.path())
        .args(["lexicon", "import", "--format", "tsv"])
        .arg(&tsv)
        .args(["--out", "id-en.a.tsv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = std::fs::read_to_string(dir.path().join("id-en.a.tsv")).unwrap();
    assert!(text.contains("\nkerja sama\tcooperation\n"), "{text}");
    assert!(text.contains("\nrumah\thouse|home\n"), "{text}");
    let out = transalign(dir.path())
        .args(["lexicon", "import", "--format", "muse"])
        .arg(&muse)
        .args(["--out", "id-en.b.tsv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = std::fs::read_to_string(dir.path().join("id-en.b.tsv")).unwrap();
    assert!(text.contains("\nrumah\thouse|building\n"), "{text}");

    std::fs::write(&tsv, "rumah\thouse\njustoneword\n").unwrap();
    let out = transalign(dir.path())
        .args(["lexicon", "import", "--format", "tsv"])
        .arg(&tsv)
        .args(["--out", "x.tsv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("d.tsv:2:"), "{}", stderr_of(&out));
}
