//! `transalign align` and `transalign eval` on small fixtures with known answers, and the
//! alignment stage of `run` on the seed corpus.

mod common;

use common::*;
use serde_json::Value;

fn write(dir: &std::path::Path, name: &str, lines: &[&str]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

#[test]
fn parallel_align_respects_articles_and_scores_perfectly_on_a_known_answer() {
    let dir = project("");
    // Source (German-like) with its line-parallel translation into the target language.
    let source = write(
        dir.path(),
        "s.de",
        &[
            "Der Gipfel wurde im Mai bestiegen.",
            "Das Wetter war schlecht.",
            "Die Expedition kehrte zurück.",
            ".EOA",
            "Ein neues Lager entstand am Fluss.",
            "Die Träger brachten Vorräte und Seile und Zelte.",
        ],
    );
    let translation = write(
        dir.path(),
        "s.fr-mt",
        &[
            "Le sommet a été gravi en mai.",
            "Le temps était mauvais.",
            "L'expédition est revenue.",
            ".EOA",
            "Un nouveau camp est apparu près de la rivière.",
            "Les porteurs ont apporté des vivres et des cordes et des tentes.",
        ],
    );
    let target = write(
        dir.path(),
        "t.fr",
        &[
            "Le sommet a été gravi en mai, le temps était mauvais.",
            "L'expédition est revenue.",
            ".EOA",
            "Un nouveau camp est apparu près de la rivière.",
            "Les photographies de cette expédition sont publiées avec l'aimable autorisation du club alpin.",
            "Les porteurs ont apporté des vivres,",
            "et des cordes et des tentes.",
        ],
    );
    let gold = dir.path().join("gold.tsv");
    std::fs::write(&gold, "0,1\t0\n2\t1\n4\t3\n\t4\n5\t5,6\n").unwrap();
    let out = align_parallel(
        dir.path(),
        [&source, &target, &translation],
        &[
            "--source-lang",
            "de",
            "--target-lang",
            "fr",
            "--out",
            "pred.jsonl",
        ],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    let pred = parse_jsonl(&std::fs::read_to_string(dir.path().join("pred.jsonl")).unwrap());
    let beads: Vec<(Vec<u64>, Vec<u64>)> = beads(&pred);
    assert_eq!(
        beads,
        vec![
            (vec![0, 1], vec![0]),
            (vec![2], vec![1]),
            (vec![4], vec![3]),
            (vec![], vec![4]),
            (vec![5], vec![5, 6]),
        ]
    );
    let first = &pred[0];
    assert_eq!(first["mode"], "parallel");
    assert_eq!(first["backend"], "given");
    assert_eq!(first["src_lang"], "de");
    assert_eq!(first["tgt_lang"], "fr");
    assert_eq!(
        first["src_text"],
        "Der Gipfel wurde im Mai bestiegen. Das Wetter war schlecht."
    );
    assert!(first["score"].as_f64().unwrap() > 0.5);
    assert_eq!(pred[3]["score"], 0.0);

    let eval = transalign(dir.path())
        .args(["eval", "align", "--gold"])
        .arg(&gold)
        .args(["--pred", "pred.jsonl"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&eval.stdout);
    assert!(
        text.contains("strict: precision 1.0000 recall 1.0000 F1 1.0000"),
        "{text}"
    );

    // Unequal article counts are refused.
    let short = write(dir.path(), "short.fr", &["Le sommet a été gravi en mai."]);
    let out = align_parallel(dir.path(), [&source, &short, &translation], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("the source has 2 articles and the target 1"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn comparable_retrieval_and_eval_retrieval() {
    let dir = project("");
    let source = write(dir.path(), "s.ms", &["satu", "dua", "tiga", "empat"]);
    let translation = write(
        dir.path(),
        "s.en-mt",
        &[
            "the minister visited the new hospital in Penang",
            "fishing quotas were cut by half this year",
            "the central bank raised interest rates to 3.5%",
            "volcanic ash closed the airport",
        ],
    );
    let target = write(
        dir.path(),
        "t.en",
        &[
            "The minister visited a new hospital in Penang.",
            "This year, fishing quotas were cut by half.",
            "The central bank raised its interest rate to 3.5%.",
            "Rain is expected tomorrow.",
        ],
    );
    let out = transalign(dir.path())
        .args([
            "align",
            "--mode",
            "comparable",
            "--threshold",
            "0",
            "--source",
        ])
        .arg(&source)
        .arg("--target")
        .arg(&target)
        .arg("--translation")
        .arg(&translation)
        .args(["--out", "pred.jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let eval = transalign(dir.path())
        .args(["eval", "retrieval", "--pred", "pred.jsonl", "--lines", "4"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&eval.stdout);
    // The first three find their counterpart; the fourth has none and gets a wrong best.
    assert!(
        text.contains("4 with a prediction, 3 correct: P@1 0.7500"),
        "{text}"
    );

    // With the default threshold the unrelated line gets no match.
    let out = transalign(dir.path())
        .args(["align", "--mode", "comparable", "--source"])
        .arg(&source)
        .arg("--target")
        .arg(&target)
        .arg("--translation")
        .arg(&translation)
        .output()
        .unwrap();
    let rows = parse_jsonl(&String::from_utf8_lossy(&out.stdout));
    let sources: Vec<u64> = rows
        .iter()
        .map(|r| r["src_ids"][0].as_u64().unwrap())
        .collect();
    assert!(!sources.contains(&3), "{rows:?}");
    assert!(
        rows.iter()
            .all(|r| r["src_ids"][0] == r["tgt_ids"][0] && r["rank"] == 1)
    );

    // A translation that is not line-parallel is refused.
    let bad = write(dir.path(), "bad", &["one line"]);
    let out = transalign(dir.path())
        .args(["align", "--source"])
        .arg(&source)
        .arg("--target")
        .arg(&target)
        .arg("--translation")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("must be line-parallel"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn run_writes_claim_matches_for_the_seed_corpus() {
    let out = tempfile::tempdir().unwrap();
    transalign(&repo())
        .args(["run", "--quiet", "--out"])
        .arg(out.path())
        .arg("--cache-dir")
        .arg(out.path().join("cache"))
        .assert()
        .code(0);
    let rows = parse_jsonl(&std::fs::read_to_string(out.path().join("aligned.jsonl")).unwrap());
    assert!(!rows.is_empty());
    let sentences =
        parse_jsonl(&std::fs::read_to_string(out.path().join("sentences.jsonl")).unwrap());
    for r in &rows {
        assert_eq!(r["mode"], "comparable");
        assert_eq!(r["src_lang"], "id");
        assert_eq!(r["tgt_lang"], "en");
        assert_ne!(r["src_doc"], r["tgt_doc"]);
        assert!(r["score"].as_f64().unwrap() >= 1.05);
        assert!(r["similarity"].as_f64().unwrap() >= 0.25);
        // Ids point at the sentences with those texts.
        let idx = r["src_ids"][0].as_u64().unwrap();
        let s = sentences
            .iter()
            .find(|s| s["doc"] == r["src_doc"] && s["idx"].as_u64() == Some(idx))
            .unwrap();
        assert_eq!(s["text"], r["src_text"]);
        assert_eq!(s["translation"], r["src_translation"]);
        // No question, formula or questioner's turn on either side (issue 13 item 1).
        let t = sentences
            .iter()
            .find(|t| t["doc"] == r["tgt_doc"] && t["idx"] == r["tgt_ids"][0])
            .unwrap();
        assert_eq!(
            (s["claim_like"].as_bool(), t["claim_like"].as_bool()),
            (Some(true), Some(true)),
            "{r}"
        );
        assert!(!r["src_text"].as_str().unwrap().ends_with('?'), "{r}");
    }
    // Far fewer matches than Indonesian sentences: most have no English counterpart.
    assert!(rows.len() < 40, "{} matches", rows.len());
    // Fukushima passages match nothing.
    assert!(
        rows.iter()
            .all(|r| !r["src_text"].as_str().unwrap().contains("Fukushima"))
    );
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(
        summary["alignment"]["alignments"].as_u64().unwrap() as usize,
        rows.len()
    );

    // --threshold 0 --top-k 1: the best candidate of every Indonesian prose sentence.
    transalign(&repo())
        .args([
            "run",
            "--quiet",
            "--threshold",
            "0",
            "--top-k",
            "1",
            "--out",
        ])
        .arg(out.path())
        .arg("--cache-dir")
        .arg(out.path().join("cache"))
        .assert()
        .code(0);
    let all = parse_jsonl(&std::fs::read_to_string(out.path().join("aligned.jsonl")).unwrap());
    // Claim-like ones only: questions and the questioners' turns seed nothing.
    let claim_like_indonesian = sentences
        .iter()
        .filter(|s| s["lang"] == "id" && s["claim_like"] == true)
        .count();
    assert!(claim_like_indonesian > 100, "{claim_like_indonesian}");
    assert_eq!(all.len(), claim_like_indonesian);
    assert!(all.iter().all(|r| {
        let idx = r["src_ids"][0].as_u64();
        sentences
            .iter()
            .find(|s| s["doc"] == r["src_doc"] && s["idx"].as_u64() == idx)
            .is_some_and(|s| s["claim_like"] == true)
    }));
}

#[test]
fn run_in_parallel_mode_pairs_documents_by_name() {
    let dir = project("[input]\npaths = [\"corpus\"]\n[align]\nmode = \"parallel\"\n");
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(
        corpus.join("report.id.txt"),
        "Pemerintah Indonesia mengumumkan kebijakan ekonomi baru pada hari Senin.\n\
         Menteri keuangan mengatakan inflasi akan turun tahun depan.\n\
         Bank sentral menaikkan suku bunga menjadi 6 persen.\n",
    )
    .unwrap();
    std::fs::write(
        corpus.join("report.en.txt"),
        "The Indonesian government announced a new economic policy on Monday.\n\
         The finance minister said inflation will fall next year.\n\
         The central bank raised interest rates to 6 percent.\n",
    )
    .unwrap();
    let out = transalign(dir.path())
        .args(["run", "--quiet"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let rows = parse_jsonl(&std::fs::read_to_string(dir.path().join("out/aligned.jsonl")).unwrap());
    let beads: Vec<(Value, Value, Value)> = rows
        .iter()
        .map(|r| {
            (
                r["src_ids"].clone(),
                r["tgt_ids"].clone(),
                r["tgt_doc"].clone(),
            )
        })
        .collect();
    assert_eq!(
        beads,
        vec![
            (
                serde_json::json!([0]),
                serde_json::json!([0]),
                serde_json::json!("report.en.txt")
            ),
            (
                serde_json::json!([1]),
                serde_json::json!([1]),
                serde_json::json!("report.en.txt")
            ),
            (
                serde_json::json!([2]),
                serde_json::json!([2]),
                serde_json::json!("report.en.txt")
            ),
        ]
    );
    assert!(
        rows.iter()
            .all(|r| r["mode"] == "parallel" && r["src_doc"] == "report.id.txt")
    );
}

/// Issue 15 item 6: lines of the pivot document detected as the other language made it a
/// source document paired with itself (`eval1957.fr.txt` ↔ `eval1957.fr.txt`). The file
/// names decide; null beads carry their language.
#[test]
fn parallel_run_never_pairs_a_document_with_itself() {
    // Beads of at most two sentences: the lines without counterpart must be null beads.
    let dir =
        project("[input]\npaths = [\"corpus\"]\n[align]\nmode = \"parallel\"\nmax_bead = 2\n");
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(
        corpus.join("report.id.txt"),
        "Pemerintah Indonesia mengumumkan kebijakan ekonomi baru pada hari Senin.\n\
         Menteri keuangan mengatakan inflasi akan turun tahun depan.\n\
         Bank sentral menaikkan suku bunga menjadi 6 persen.\n",
    )
    .unwrap();
    // The English report quotes two Indonesian lines, which the detector calls Indonesian.
    std::fs::write(
        corpus.join("report.en.txt"),
        "The Indonesian government announced a new economic policy on Monday.\n\
         Pemerintah akan membangun jalan baru di seluruh provinsi tahun ini.\n\
         The finance minister said inflation will fall next year.\n\
         Rakyat menyambut rencana pemerintah dengan gembira dan penuh harapan.\n\
         The central bank raised interest rates to 6 percent.\n\
         Reporting by Jane Doe and Max Mustermann; editing by John Smith in Singapore.\n",
    )
    .unwrap();
    let out = transalign(dir.path())
        .args(["run", "--quiet"])
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 3),
        "{}",
        stderr_of(&out)
    );
    let sentences =
        parse_jsonl(&std::fs::read_to_string(dir.path().join("out/sentences.jsonl")).unwrap());
    assert!(
        sentences
            .iter()
            .any(|s| s["doc"] == "report.en.txt" && s["lang"] == "id"),
        "the quoted lines are detected as Indonesian"
    );
    let rows = parse_jsonl(&std::fs::read_to_string(dir.path().join("out/aligned.jsonl")).unwrap());
    assert!(!rows.is_empty());
    for r in &rows {
        assert_ne!(r["src_doc"], r["tgt_doc"], "{r}");
        assert_eq!(r["src_doc"], "report.id.txt", "{r}");
        assert_eq!(r["tgt_doc"], "report.en.txt", "{r}");
        assert_eq!(r["src_lang"], "id", "{r}");
        assert_eq!(r["tgt_lang"], "en", "{r}");
    }
    // Every line of both documents is in exactly one bead, the quoted ones included.
    let mut targets: Vec<u64> = rows
        .iter()
        .flat_map(|r| {
            r["tgt_ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
        })
        .collect();
    targets.sort();
    assert_eq!(targets, vec![0, 1, 2, 3, 4, 5]);
    // The quoted lines and the credit line have no counterpart: null beads, still with
    // both documents and languages (checked above for every row).
    let nulls: Vec<&Value> = rows
        .iter()
        .filter(|r| r["src_ids"].as_array().unwrap().is_empty())
        .collect();
    assert_eq!(nulls.len(), 3, "{rows:?}");
}

/// Issue 21 item 5: `eval similarity` correlates the similarities matching uses with graded
/// pairs. Gold scores that follow the share of shared words: the lexical Spearman is 1;
/// a command embedder adds the cosine and the fused similarity; a score outside the scale
/// is an error naming the line.
#[test]
fn eval_similarity_prints_the_spearman_of_each_similarity() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "[translate]\nbackend = \"cmd\"\n[backends.cmd]\nkind = \"command\"\ncommand = [\"cat\"]\n[embed]\nbackend = \"c\"\n[embedders.c]\nkind = \"command\"\ncommand = [\"awk\", \"{ printf \\\"[%d, 1, %d]\\\\n\\\", length($0), NF }\"]\n",
    )
    .unwrap();
    let target = "the minister opened the new bridge over the river on monday";
    let words: Vec<&str> = target.split(' ').collect();
    let pairs: String = (1..=words.len())
        .map(|k| {
            let mut source: Vec<&str> = words[..k].to_vec();
            source.extend(
                ["zzz", "yyy", "xxx", "www", "vvv"]
                    .iter()
                    .take(words.len() - k),
            );
            format!(
                "{:.2}\t{}\t{target}\n",
                5.0 * k as f64 / words.len() as f64,
                source.join(" ")
            )
        })
        .collect();
    std::fs::write(dir.path().join("pairs.tsv"), &pairs).unwrap();
    let out = transalign(dir.path())
        .args(["eval", "similarity", "--source-lang", "de", "pairs.tsv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("11 pairs of pairs.tsv; translation: cmd"),
        "{text}"
    );
    assert!(text.contains("lexical  Spearman 1.000"), "{text}");
    assert!(text.contains("cosine   Spearman "), "{text}");
    assert!(text.contains("fused    Spearman "), "{text}");
    std::fs::write(dir.path().join("bad.tsv"), format!("{pairs}7.5\ta\tb\n")).unwrap();
    let bad = transalign(dir.path())
        .args(["eval", "similarity", "--source-lang", "de", "bad.tsv"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(
        stderr_of(&bad).contains("bad.tsv:12: the score 7.5 is outside 0–5"),
        "{}",
        stderr_of(&bad)
    );
}

/// `align --mode parallel` of [source, target, translation] with more arguments.
fn align_parallel(
    dir: &std::path::Path,
    [source, target, translation]: [&std::path::Path; 3],
    more: &[&str],
) -> std::process::Output {
    transalign(dir)
        .args(["align", "--mode", "parallel", "--source"])
        .arg(source)
        .arg("--target")
        .arg(target)
        .arg("--translation")
        .arg(translation)
        .args(more)
        .output()
        .unwrap()
}

/// The beads of an `align` output file as id lists.
fn beads_of(path: &std::path::Path) -> Vec<(Vec<u64>, Vec<u64>)> {
    beads(&parse_jsonl(&std::fs::read_to_string(path).unwrap()))
}

/// Issue 23 item 3: `align.boundary` (a regular expression) splits both texts into
/// independent articles like the `.EOA` marker; a line of the marker still splits too.
#[test]
fn a_boundary_pattern_splits_articles_like_the_marker() {
    let dir = project("[align]\nboundary = '^<doc id=\"\\d+\">$'\n");
    let source = write(
        dir.path(),
        "s.txt",
        &[
            "<doc id=\"1\">",
            "The summit was climbed in May.",
            "The weather was bad.",
            "<doc id=\"2\">",
            "A new camp was built by the river.",
            ".EOA",
            "The porters brought food and ropes.",
        ],
    );
    let target = write(
        dir.path(),
        "t.txt",
        &[
            "<doc id=\"10\">",
            "The summit was climbed in May, the weather was bad.",
            "<doc id=\"20\">",
            "A new camp was built by the river.",
            ".EOA",
            "The porters brought food,",
            "and ropes.",
        ],
    );
    let out = align_parallel(
        dir.path(),
        [&source, &target, &source],
        &["--out", "pred.jsonl"],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        beads_of(&dir.path().join("pred.jsonl")),
        vec![
            (vec![1, 2], vec![1]),
            (vec![4], vec![3]),
            (vec![6], vec![5, 6]),
        ],
        "boundary lines are never aligned, and no bead crosses one"
    );
    // One boundary fewer on one side is refused, naming both kinds of boundary.
    let short = write(dir.path(), "short.txt", &["The summit was climbed in May."]);
    let out = align_parallel(dir.path(), [&source, &short, &source], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("the source has 4 articles and the target 1")
            && err.contains("lines matching /^<doc id=\"\\d+\">$/"),
        "{err}"
    );
    // A pattern that is no regular expression is a configuration error naming the key.
    let bad = project("[align]\nboundary = '(unclosed'\n");
    let out = align_parallel(bad.path(), [&source, &target, &source], &[]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr_of(&out).contains("align.boundary"),
        "{}",
        stderr_of(&out)
    );
}

/// Issue 23 item 2: an unsegmented Chinese text aligns by the words of a segmented
/// translation into Chinese (each character is a word), and `eval align` merges beads
/// inside one verse before scoring verse-level gold.
#[test]
fn unsegmented_chinese_aligns_with_a_segmented_translation_and_verses_are_merged() {
    let dir = project("");
    let source = write(
        dir.path(),
        "s.en",
        &[
            "In the beginning God created the heaven and the earth.",
            "And the earth was without form, and void.",
            "And God said, Let there be light: and there was light.",
            "And God saw the light, that it was good.",
        ],
    );
    let translation = write(
        dir.path(),
        "s.trans",
        &[
            "起初 ， 上帝 创造 了 天地 。",
            "大地 无形 ， 空虚 。",
            "上帝 说 ， 要 有 光 ， 就 有 了 光 。",
            "上帝 看 光 是 好 的 。",
        ],
    );
    let target = write(
        dir.path(),
        "t.zh",
        &[
            "起初神创造天地。",
            "地是空虚混沌。",
            "神说：要有光，",
            "就有了光。",
            "神看光是好的。",
        ],
    );
    let out = align_parallel(
        dir.path(),
        [&source, &target, &translation],
        &["--out", "pred.jsonl"],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    let beads = beads_of(&dir.path().join("pred.jsonl"));
    assert_eq!(
        beads,
        vec![
            (vec![0], vec![0]),
            (vec![1], vec![1]),
            (vec![2], vec![2, 3]),
            (vec![3], vec![4]),
        ]
    );
    // Verse-level gold: verse 2 is source lines 1 and 2 and target lines 1 to 3 (made up
    // so that two predicted beads fall inside it).
    write(dir.path(), "s.verse", &["v1", "v2", "v2", "v3"]);
    write(dir.path(), "t.verse", &["v1", "v2", "v2", "v2", "v3"]);
    std::fs::write(dir.path().join("gold.tsv"), "0\t0\n1,2\t1,2,3\n3\t4\n").unwrap();
    let eval = |groups: bool| {
        let mut command = transalign(dir.path());
        command.args([
            "eval",
            "align",
            "--gold",
            "gold.tsv",
            "--pred",
            "pred.jsonl",
        ]);
        if groups {
            command.args(["--source-groups", "s.verse", "--target-groups", "t.verse"]);
        }
        String::from_utf8_lossy(&command.output().unwrap().stdout).into_owned()
    };
    assert!(
        eval(true).contains("strict: precision 1.0000 recall 1.0000 F1 1.0000"),
        "{}",
        eval(true)
    );
    assert!(
        eval(false).contains("strict: precision 0.5000 recall 0.6667"),
        "{}",
        eval(false)
    );
}

/// One `aligned.jsonl` record of a comparable match with a tier.
fn claim_record(src: (&str, &str), tgt: (&str, &str), tier: &str) -> String {
    serde_json::json!({
        "src_doc": src.0, "src_ids": [0], "src_lang": "id", "src_text": src.1,
        "src_translation": "", "tgt_doc": tgt.0, "tgt_ids": [0], "tgt_lang": "en",
        "tgt_text": tgt.1, "score": 1.5, "similarity": 0.5, "confidence": 0.9, "rank": 1,
        "tier": tier, "mode": "comparable", "backend": "lexicon"
    })
    .to_string()
}

/// Issue 21 item 5: `eval claims` scores a run against a claim-level gold (the format of
/// `tests/data/seed-claims.gold.tsv`), per tier, matching pairs by document and text.
#[test]
fn eval_claims_scores_precision_and_recall_per_tier() {
    let dir = project("");
    std::fs::write(
        dir.path().join("gold.tsv"),
        "# judged by hand\ntier\tsrc_doc\tsrc_idx\tsrc_text\ttgt_doc\ttgt_idx\ttgt_text\n\
         same\ta.id.txt\t0\tHarga naik.\tb.en.txt\t4\tPrices rose.\n\
         related\ta.id.txt\t1\tEkspor turun.\tb.en.txt\t7\tTrade weakened.\n\
         same\ta.id.txt\t2\tBank buka.\tb.en.txt\t9\tThe bank opened.\n\
         none\ta.id.txt\t3\tSelamat pagi.\t\t\t\n",
    )
    .unwrap();
    let records = [
        // Right at `same`.
        claim_record(
            ("a.id.txt", "Harga naik."),
            ("b.en.txt", "Prices rose."),
            "same",
        ),
        // A gold `related` pair shown as `same`: wrong strictly, right against any tier.
        claim_record(
            ("a.id.txt", "Ekspor turun."),
            ("b.en.txt", "Trade weakened."),
            "same",
        ),
        // A sentence with no counterpart, shown as related: wrong.
        claim_record(
            ("a.id.txt", "Selamat pagi."),
            ("b.en.txt", "Prices rose."),
            "related",
        ),
    ];
    std::fs::write(dir.path().join("aligned.jsonl"), records.join("\n") + "\n").unwrap();
    let out = transalign(dir.path())
        .args([
            "eval",
            "claims",
            "--gold",
            "gold.tsv",
            "--pred",
            "aligned.jsonl",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    for line in [
        // 2 shown as same, 1 right; 2 gold same sources, 1 found.
        "same (strict)        shown    2  right    1  precision 0.500  recall 0.500",
        // Against any gold tier: both same records right; 3 gold sources, 2 found.
        "same vs gold any     shown    2  right    2  precision 1.000  recall 0.667",
        "same+related vs any  shown    3  right    2  precision 0.667  recall 0.667",
    ] {
        assert!(text.contains(line), "{line:?} missing in\n{text}");
    }
    // A malformed gold line is an error naming the file and line.
    std::fs::write(dir.path().join("bad.tsv"), "same\ta.id.txt\t0\n").unwrap();
    let out = transalign(dir.path())
        .args([
            "eval",
            "claims",
            "--gold",
            "bad.tsv",
            "--pred",
            "aligned.jsonl",
        ])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr_of(&out).contains("bad.tsv:1: expected 7"),
        "{}",
        stderr_of(&out)
    );
}
