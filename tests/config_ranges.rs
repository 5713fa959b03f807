//! Issue 25 item 15: every numeric configuration key is range-checked by the one table in
//! `config::ranges`, probed at, beyond and far outside its bounds, and fuzzed.

use transalign::config::ranges::{all, of};
use transalign::config::{Config, Overrides, RawConfig};

/// Tables that make every key of the range table meaningful: one backend and one
/// embedder of a kind that takes all their options.
const TABLES: &str = "[backends.x]\nkind = \"openai\"\nurl = \"http://127.0.0.1:9/v1\"\nmodel = \"m\"\n[embedders.x]\nkind = \"openai\"\nurl = \"http://127.0.0.1:9/v1\"\nmodel = \"m\"\n";

/// The configuration with `key = value` put into its table.
fn with(key: &str, value: &str) -> String {
    let concrete = key.replace('*', "x");
    let (table, name) = concrete.rsplit_once('.').unwrap();
    let header = format!("[{table}]\n");
    match TABLES.find(&header) {
        Some(at) => {
            let (before, after) = TABLES.split_at(at + header.len());
            format!("{before}{name} = {value}\n{after}")
        }
        None => format!("{TABLES}{header}{name} = {value}\n"),
    }
}

fn validate(text: &str) -> Result<Config, String> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| format!("parse: {e}"))?;
    Config::validate(raw, Some("c.toml".into()), text, &Overrides::default())
        .map_err(|e| e.to_string())
}

/// Values around and far outside every range: each out-of-range one is an error that
/// names the key; each in-range one passes the range table (another key's rule may
/// still refuse it, but never with this key's range).
#[test]
fn every_numeric_key_is_range_checked_with_its_name() {
    for range in all() {
        let key = range.key.replace('*', "x");
        let mut probes = vec![
            range.min,
            range.max,
            range.min - 1.0,
            range.max + 1.0,
            range.max * 2.0 + 1.0,
            -1e300,
            1e300,
            f64::NAN,
            f64::INFINITY,
            3.4028236e38,
            1.8446744073709552e19,
        ];
        if !range.whole {
            probes.push((range.min + range.max) / 2.0);
        }
        for probe in probes {
            let written = if range.whole && probe.is_finite() && probe.abs() < 9e18 {
                format!("{}", probe as i64)
            } else if probe.is_nan() {
                "nan".into()
            } else if probe.is_infinite() {
                "inf".into()
            } else {
                format!("{probe:?}")
            };
            let outcome = validate(&with(range.key, &written));
            let value: f64 = if range.whole && probe.is_finite() && probe.abs() < 9e18 {
                probe as i64 as f64
            } else {
                probe
            };
            let wanted_inside = range.problem(value).is_none();
            match outcome {
                Err(e) if e.starts_with("parse:") => {
                    // A value TOML cannot hold for this type (a float for an integer
                    // key): refused by the parser, never accepted.
                    assert!(!wanted_inside || !range.whole, "{key} = {written}: {e}");
                }
                Err(e) if !wanted_inside => {
                    assert!(e.contains(&key), "{key} = {written}: {e}")
                }
                Err(e) => assert!(
                    !e.contains("to ") || !e.contains(&key) || !e.contains("must be a"),
                    "{key} = {written} is inside its range but refused: {e}"
                ),
                Ok(_) => assert!(wanted_inside, "{key} = {written} accepted"),
            }
        }
    }
}

/// Every number the shipped `config.toml` sets has a range in the table.
#[test]
fn the_table_covers_every_numeric_key_of_the_shipped_configuration() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // Commented-out option lines (`# key = 3`) count too.
    for line in &mut lines {
        if let Some(rest) = line.strip_prefix("# ")
            && rest
                .split_once(" = ")
                .is_some_and(|(k, v)| !k.contains(' ') && v.trim().parse::<f64>().is_ok())
        {
            *line = rest.to_string();
        }
    }
    let value: toml::Value = toml::from_str(&lines.join("\n")).unwrap();
    let mut numeric = Vec::new();
    collect_numeric(&value, String::new(), &mut numeric);
    assert!(numeric.len() > 20, "{numeric:?}");
    let missing: Vec<&String> = numeric.iter().filter(|k| of(k).is_none()).collect();
    assert!(missing.is_empty(), "keys without a range: {missing:?}");
}

fn collect_numeric(value: &toml::Value, key: String, out: &mut Vec<String>) {
    match value {
        toml::Value::Table(t) => {
            for (name, inner) in t {
                let k = if key.is_empty() {
                    name.clone()
                } else {
                    format!("{key}.{name}")
                };
                collect_numeric(inner, k, out);
            }
        }
        toml::Value::Array(items) => items
            .iter()
            .for_each(|i| collect_numeric(i, key.clone(), out)),
        toml::Value::Integer(_) | toml::Value::Float(_) => out.push(key),
        _ => {}
    }
}

/// A bounded fuzz over the shipped configuration: numbers replaced by random extreme or
/// ordinary values, never a panic, and every refusal names a file and key.
#[test]
fn fuzzed_numbers_never_panic_and_every_error_names_its_key() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml")).unwrap();
    let mut rng = fastrand::Rng::with_seed(25);
    let extremes = [
        "0",
        "-1",
        "1e300",
        "-1e300",
        "nan",
        "inf",
        "-inf",
        "9223372036854775807",
        "0.5",
        "3.4028236e38",
        "1",
        "2",
        "100000",
    ];
    for _ in 0..600 {
        let fuzzed: String = text
            .lines()
            .map(|line| match line.split_once(" = ") {
                Some((k, v))
                    if !k.starts_with('#')
                        && v.trim().parse::<f64>().is_ok()
                        && rng.u8(..) < 80 =>
                {
                    format!("{k} = {}\n", extremes[rng.usize(..extremes.len())])
                }
                _ => format!("{line}\n"),
            })
            .collect();
        if let Err(e) = validate(&fuzzed)
            && !e.starts_with("parse:")
        {
            assert!(e.contains("c.toml"), "{e}");
        }
    }
}

#[test]
fn integers_beyond_i64_are_refused_by_name() {
    for key in [
        "detect.min_letters",
        "backends.*.seed",
        "embedders.*.dimensions",
    ] {
        let err = validate(&with(key, "18446744073709551615")).unwrap_err();
        assert!(err.contains(&key.replace('*', "x")), "{err}");
        assert!(err.contains("above 9223372036854775807"), "{err}");
    }
}
