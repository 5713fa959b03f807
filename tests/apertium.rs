//! Integration tests against a real Apertium APy server (Debian packages `apertium-apy` and
//! `apertium-eng-spa`), started on a free 127.0.0.1 port for each test. Without the packages
//! these tests fail with instructions; they are never skipped.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{parse_jsonl, project, stderr_of, stdout_lines, transalign, translate_lines};
use serde_json::Value;

const INSTALL: &str = "install the real Apertium server first: \
    apt-get update && apt-get install -y apertium-apy apertium-eng-spa (.ci/run does this)";
const MODES: &str = "/usr/share/apertium/modes";

/// A running APy server, killed on drop.
struct Apy {
    child: Child,
    url: String,
}

impl Apy {
    fn start() -> Apy {
        assert!(
            Path::new(MODES).join("spa-eng.mode").exists(),
            "no Spanish→English Apertium pair in {MODES}: {INSTALL}"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new("apertium-apy")
            .args(["-p", &port.to_string(), MODES])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start apertium-apy ({e}): {INSTALL}"));
        let mut apy = Apy {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        // Ready when /listPairs answers 200 (bounded polling; not a synchronisation sleep).
        let deadline = Instant::now() + Duration::from_secs(60);
        while !lists_pairs(port) {
            if let Ok(Some(status)) = apy.child.try_wait() {
                panic!("apertium-apy exited with {status}: {INSTALL}");
            }
            assert!(
                Instant::now() < deadline,
                "apertium-apy did not start within 60 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        apy
    }

    fn config(&self, extra: &str) -> String {
        format!(
            "[input]\npaths = [\"corpus\"]\n[translate]\nbackend = \"apy\"\n[backends.apy]\nkind = \"apertium\"\nurl = \"{}\"\n{extra}\n",
            self.url
        )
    }
}

/// True when the server on `port` answers `GET /listPairs` with status 200.
fn lists_pairs(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    if stream
        .write_all(b"GET /listPairs HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200")
}

impl Drop for Apy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const SPANISH: [&str; 4] = [
    "El gobierno anunció ayer un nuevo plan de inversión para las regiones del norte.",
    "Según el ministro, el programa creará diez mil empleos en los próximos tres años.",
    "La oposición criticó la medida y pidió más transparencia.",
    "El gobierno anunció ayer un nuevo plan de inversión para las regiones del norte.",
];

fn summary(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("out/summary.json")).unwrap()).unwrap()
}

#[test]
fn run_translates_spanish_through_apertium_and_reruns_from_the_cache() {
    let apy = Apy::start();
    let dir = project(&apy.config(""));
    std::fs::create_dir(dir.path().join("corpus")).unwrap();
    std::fs::write(dir.path().join("corpus/es.txt"), SPANISH.join("\n") + "\n").unwrap();
    std::fs::write(
        dir.path().join("corpus/en.txt"),
        "The government announced a new investment plan for the northern regions.\n",
    )
    .unwrap();

    let out = transalign(dir.path()).arg("run").output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let sentences =
        parse_jsonl(&std::fs::read_to_string(dir.path().join("out/sentences.jsonl")).unwrap());
    let spanish: Vec<&Value> = sentences.iter().filter(|s| s["lang"] == "es").collect();
    assert_eq!(spanish.len(), 4);
    let first = spanish[0]["translation"].as_str().unwrap();
    assert!(
        first.contains("government") && first.contains("announced") && first.contains("plan"),
        "{first}"
    );
    assert!(
        !first.contains('*'),
        "markUnknown=no: no starred words: {first}"
    );
    assert!(
        spanish[1]["translation"]
            .as_str()
            .unwrap()
            .contains("minister")
    );
    assert!(
        spanish
            .iter()
            .all(|s| s["backend"] == "apy" && s["cached"] == false)
    );
    let t = &summary(dir.path())["translation"];
    // Three distinct texts (one sentence repeats), one request each: APy takes one text.
    assert_eq!(t["texts"], 3);
    assert_eq!(t["requests"], 3);
    assert_eq!(t["translated"], 3);

    let out = transalign(dir.path()).arg("run").output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let t = &summary(dir.path())["translation"];
    assert_eq!(t["requests"], 0, "the second run sends nothing");
    assert_eq!(t["cache_hits"], 3);
    let again =
        parse_jsonl(&std::fs::read_to_string(dir.path().join("out/sentences.jsonl")).unwrap());
    let again_spanish: Vec<&Value> = again.iter().filter(|s| s["lang"] == "es").collect();
    for (a, b) in spanish.iter().zip(&again_spanish) {
        assert_eq!(a["translation"], b["translation"]);
        assert_eq!(b["cached"], true);
    }
}

#[test]
fn translate_command_uses_apertium_and_the_cache() {
    let apy = Apy::start();
    let dir = project(
        &apy.config("")
            .replace("[input]\npaths = [\"corpus\"]\n", ""),
    );
    let out = translate_lines(
        dir.path(),
        "es",
        &["Hola mundo.", "", "La casa es grande."],
        &[],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        stdout_lines(&out),
        vec!["Hello World.", "", "The house is big."]
    );
    assert!(
        stderr_of(&out).contains("2 translated, 0 failed; 2 requests"),
        "{}",
        stderr_of(&out)
    );

    let out = translate_lines(
        dir.path(),
        "es",
        &["Hola mundo.", "La casa es grande."],
        &[],
    );
    assert_eq!(
        stdout_lines(&out),
        vec!["Hello World.", "The house is big."]
    );
    assert!(
        stderr_of(&out).contains("2 from the cache, 0 translated, 0 failed; 0 requests"),
        "{}",
        stderr_of(&out)
    );

    // English→Spanish is installed too; French→English is not, and nothing is sent for it.
    let out = translate_lines(dir.path(), "en", &["The house is big."], &["--to", "es"]);
    assert_eq!(stdout_lines(&out), vec!["La casa es grande."]);
    let out = translate_lines(dir.path(), "fr", &["Bonjour."], &[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr_of(&out)
            .contains("no configured backend translates fr→en (apy: pair not supported)"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn backends_check_reports_the_installed_pairs() {
    let apy = Apy::start();
    let dir = project(
        &apy.config("")
            .replace("[input]\npaths = [\"corpus\"]\n", ""),
    );
    let out = transalign(dir.path())
        .args(["backends", "check"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("apy (apertium): ok in"), "{text}");
    assert!(text.contains("into en: es"), "{text}");

    drop(apy);
    let out = transalign(dir.path())
        .args(["backends", "check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("apy (apertium): UNREACHABLE"));
}

#[test]
fn a_spawned_apertium_server_translates_for_the_run_and_is_stopped() {
    assert!(
        Path::new(MODES).join("spa-eng.mode").exists(),
        "no Spanish→English Apertium pair in {MODES}: {INSTALL}"
    );
    let dir = tempfile::tempdir().unwrap();
    // A wrapper that records the server's process id, so the test can see it gone. It is run
    // by `sh`, not executed itself: executing a file just written can fail with "text file
    // busy" while another test thread forks.
    let wrapper = dir.path().join("apy.sh");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho $$ > {}\nexec apertium-apy \"$@\"\n",
            dir.path().join("pid").display()
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        format!(
            "[translate]\nbackend = \"apy\"\n[backends.apy]\nkind = \"apertium\"\nspawn = [\"sh\", \"{}\", \"-p\", \"{{port}}\", \"{MODES}\"]\nready_timeout_secs = 60\n",
            wrapper.display()
        ),
    )
    .unwrap();
    let out = transalign(dir.path())
        .args(["translate", "--from", "es"])
        .write_stdin("Hola mundo.\n")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "Hello World.");
    let pid = std::fs::read_to_string(dir.path().join("pid")).unwrap();
    let state = std::fs::read_to_string(Path::new("/proc").join(pid.trim()).join("status"))
        .unwrap_or_default();
    assert!(
        state.is_empty() || state.contains("zombie"),
        "the spawned server is stopped when the command ends: {state}"
    );
    // Cache keys do not depend on the port: the second run is served from the cache.
    let again = transalign(dir.path())
        .args(["translate", "--from", "es"])
        .write_stdin("Hola mundo.\n")
        .output()
        .unwrap();
    assert!(
        stderr_of(&again).contains("0 requests"),
        "{}",
        stderr_of(&again)
    );
}
