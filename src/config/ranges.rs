//! The one table of ranges of every numeric configuration key, checked on the parsed file
//! (after the command-line overrides) before the sections' own validation, which then
//! checks only what depends on other keys (a kind's batch limit, `related` ≥ `same`).

use super::locate::KeyLocator;
use crate::error::ConfigError;

/// The values a numeric key may take: `min..=max` (`min` itself excluded when
/// `above_min`), finite, and a whole number when `whole`.
#[derive(Debug, Clone, Copy)]
pub struct Range {
    /// The key; `*` stands for a table name (`backends.*.temperature`).
    pub key: &'static str,
    pub min: f64,
    pub max: f64,
    pub above_min: bool,
    pub whole: bool,
}

const fn real(key: &'static str, min: f64, max: f64) -> Range {
    Range {
        key,
        min,
        max,
        above_min: false,
        whole: false,
    }
}

const fn positive(key: &'static str, max: f64) -> Range {
    Range {
        key,
        min: 0.0,
        max,
        above_min: true,
        whole: false,
    }
}

const fn whole(key: &'static str, min: f64, max: f64) -> Range {
    Range {
        key,
        min,
        max,
        above_min: false,
        whole: true,
    }
}

const DAY: f64 = 86_400.0;

/// The limits every remote table (`backends.*`, `embedders.*`) shares.
macro_rules! remote_limits {
    ($table:literal) => {
        [
            whole(concat!($table, ".*.batch_size"), 1.0, 100_000.0),
            whole(concat!($table, ".*.max_batch_bytes"), 1.0, 1_073_741_824.0),
            whole(concat!($table, ".*.concurrency"), 1.0, 256.0),
            real(concat!($table, ".*.requests_per_second"), 0.0, 1e6),
            real(concat!($table, ".*.chars_per_minute"), 0.0, 1e12),
            positive(concat!($table, ".*.timeout_secs"), DAY),
            whole(concat!($table, ".*.max_retries"), 0.0, 100.0),
            whole(concat!($table, ".*.retry_initial_ms"), 0.0, DAY * 1000.0),
            real(concat!($table, ".*.retry_max_secs"), 0.0, DAY),
            real(concat!($table, ".*.retry_after_cap_secs"), 0.0, DAY),
            positive(concat!($table, ".*.ready_timeout_secs"), 3600.0),
        ]
    };
}

const BACKENDS: [Range; 11] = remote_limits!("backends");
const EMBEDDERS: [Range; 11] = remote_limits!("embedders");

const SECTIONS: &[Range] = &[
    whole("detect.min_letters", 0.0, 10_000.0),
    real("detect.margin", 0.0, 1.0),
    real("detect.override_confidence", 0.0, 1.0),
    real("output.moses_min_score", 0.0, 1.0),
    real("cache.claim_ttl_secs", 1.0, DAY),
    real("cache.claim_wait_secs", 1.0, DAY),
    real("cache.reconnect_secs", 0.0, DAY),
    whole("cache.unflushed_batches", 0.0, 1024.0),
    positive("align.max_false_discovery", 1.0),
    positive("align.max_false_discovery_related", 1.0),
    real("align.threshold", 0.0, 100.0),
    real("align.min_similarity", 0.0, 1.0),
    whole("align.top_k", 1.0, 100.0),
    real("align.calibration", -1000.0, 1000.0),
    real("align.min_confidence", 0.0, 1.0),
    whole("align.max_bead", 2.0, 8.0),
    real("align.lexical_weight", 0.0, 1.0),
    real("align.embedding_threshold", 0.0, 100.0),
    real("align.embedding_min_similarity", 0.0, 1.0),
    real("align.embedding_calibration", -1000.0, 1000.0),
    real("align.embedding_min_confidence", 0.0, 1.0),
    whole("align.neighbours", 1.0, 32.0),
    whole("align.overlap", 1.0, 8.0),
    real("backends.*.temperature", 0.0, 2.0),
    whole("backends.*.seed", 0.0, 9_007_199_254_740_992.0),
    whole("backends.*.max_tokens", 1.0, 1_000_000.0),
    whole("backends.*.alternatives", 1.0, 10.0),
    whole("embedders.*.dimensions", 1.0, 65_536.0),
];

/// Every range, in one list.
pub fn all() -> impl Iterator<Item = &'static Range> {
    SECTIONS.iter().chain(&BACKENDS).chain(&EMBEDDERS)
}

/// The range of a key as written (`backends.deepl.timeout_secs`), if it is numeric.
pub fn of(key: &str) -> Option<&'static Range> {
    let general = general_key(key);
    all().find(|r| r.key == general)
}

/// `backends.NAME.key` → `backends.*.key` (likewise `embedders`).
fn general_key(key: &str) -> String {
    let parts: Vec<&str> = key.split('.').collect();
    match parts.as_slice() {
        [table @ ("backends" | "embedders"), _name, rest @ ..] if !rest.is_empty() => {
            format!("{table}.*.{}", rest.join("."))
        }
        _ => key.to_string(),
    }
}

impl Range {
    /// Why `value` is outside the range, if it is.
    pub fn problem(&self, value: f64) -> Option<String> {
        let inside = value.is_finite()
            && (value > self.min || (!self.above_min && value == self.min))
            && value <= self.max
            && (!self.whole || value.fract() == 0.0);
        if inside {
            return None;
        }
        let low = if self.above_min { "above" } else { "from" };
        let kind = if self.whole {
            "a whole number"
        } else {
            "a number"
        };
        Some(format!(
            "must be {kind} {low} {} to {}, got {}",
            self.min,
            self.max,
            if value.is_finite() && value.abs() >= 1e9 {
                format!("{value:e}")
            } else {
                value.to_string()
            }
        ))
    }
}

/// Checks every number in the configuration (arrays element by element) against its range.
pub(crate) fn check(raw: &impl serde::Serialize, locator: &KeyLocator) -> Result<(), ConfigError> {
    // TOML values hold no integer above i64::MAX, which a u64 key takes: those first.
    let json = serde_json::to_value(raw).unwrap_or_default();
    if let Some(key) = beyond_i64(&json, String::new()) {
        let problem = of(&key)
            .and_then(|r| r.problem(f64::INFINITY))
            .unwrap_or_else(|| "must be a smaller number".into());
        let problem = problem.replace("got inf", "got a number above 9223372036854775807");
        return Err(locator.invalid(&key, problem));
    }
    let value = toml::Value::try_from(raw)
        .map_err(|e| locator.invalid("config", format!("cannot be read back as TOML: {e}")))?;
    let mut problems = Vec::new();
    walk(&value, String::new(), locator, &mut problems);
    match problems.len() {
        0 => Ok(()),
        1 => Err(problems.remove(0)),
        _ => Err(ConfigError::Several(problems)),
    }
}

/// The key of the first integer above i64::MAX.
fn beyond_i64(value: &serde_json::Value, key: String) -> Option<String> {
    let join = |name: &str| {
        if key.is_empty() {
            name.to_string()
        } else {
            format!("{key}.{name}")
        }
    };
    match value {
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| beyond_i64(v, join(k))),
        serde_json::Value::Array(items) => items.iter().find_map(|v| beyond_i64(v, key.clone())),
        serde_json::Value::Number(n) => n
            .as_u64()
            .filter(|&u| u > i64::MAX as u64)
            .map(|_| key.clone()),
        _ => None,
    }
}

/// Every number of `value` outside its key's range, as errors pushed to `problems`.
fn walk(value: &toml::Value, key: String, locator: &KeyLocator, problems: &mut Vec<ConfigError>) {
    let number = match value {
        toml::Value::Table(table) => {
            for (name, inner) in table {
                let inner_key = if key.is_empty() {
                    name.clone()
                } else {
                    format!("{key}.{name}")
                };
                walk(inner, inner_key, locator, problems);
            }
            return;
        }
        toml::Value::Array(items) => {
            for item in items {
                walk(item, key.clone(), locator, problems);
            }
            return;
        }
        toml::Value::Integer(i) => *i as f64,
        toml::Value::Float(x) => *x,
        _ => return,
    };
    if let Some(problem) = of(&key).and_then(|range| range.problem(number)) {
        problems.push(locator.invalid(&key, problem));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_are_general_and_bounds_inclusive_unless_said() {
        assert_eq!(
            general_key("backends.deepl.timeout_secs"),
            "backends.*.timeout_secs"
        );
        assert_eq!(general_key("align.top_k"), "align.top_k");
        let top_k = of("align.top_k").unwrap();
        assert!(top_k.problem(1.0).is_none() && top_k.problem(100.0).is_none());
        assert!(top_k.problem(0.0).is_some() && top_k.problem(2.5).is_some());
        let fdr = of("align.max_false_discovery").unwrap();
        assert!(fdr.problem(0.0).is_some() && fdr.problem(1.0).is_none());
        assert!(
            of("backends.x.temperature")
                .unwrap()
                .problem(1e300)
                .is_some()
        );
        assert!(of("align.threshold").unwrap().problem(f64::NAN).is_some());
        assert!(of("backends.x.url").is_none());
    }
}
