//! Sharded runs: which documents worker I of N processes (`run --shard I/N`, or `auto` from
//! the Slurm or Kubernetes environment). A document belongs to a shard by a stable hash of
//! its id — of the pair name `NAME.EXT` for `NAME.LANG.EXT` files, so that documents that
//! translate each other land together — through jump consistent hashing: adding documents
//! moves none of the others, and going from N to N + 1 shards moves only 1/(N + 1) of them.
//! `merge` reads the shards' outputs back into one corpus ([`read_shards`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::claims::ClaimRules;
use crate::embed::EmbeddingReport;
use crate::error::{ConfigError, Error, Result};
use crate::model::{Document, Sentence, SkippedInput};
use crate::translate::stage::TranslationReport;

/// Worker `index` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

/// Most shards a run may be cut into.
pub const MAX_SHARDS: u32 = 100_000;

impl Shard {
    /// `I/N` (I from 0), or `auto`: `SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN` of
    /// `SLURM_ARRAY_TASK_COUNT`, or `JOB_COMPLETION_INDEX` (Kubernetes Indexed Jobs) of
    /// `shard_count`. `env` reads the environment.
    pub fn parse(
        spec: &str,
        shard_count: Option<u32>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Shard, ConfigError> {
        let flag = |message: String| ConfigError::command_line("--shard", message);
        let number = |name: &str, text: &str| -> Result<u32, ConfigError> {
            text.trim()
                .parse::<u32>()
                .map_err(|_| flag(format!("{name} = \"{text}\" is not a whole number ≥ 0")))
        };
        let shard = if spec == "auto" {
            if let Some(id) = env("SLURM_ARRAY_TASK_ID") {
                let id = number("SLURM_ARRAY_TASK_ID", &id)?;
                let min = match env("SLURM_ARRAY_TASK_MIN") {
                    Some(m) => number("SLURM_ARRAY_TASK_MIN", &m)?,
                    None => 0,
                };
                let count = match (env("SLURM_ARRAY_TASK_COUNT"), shard_count) {
                    (Some(c), _) => number("SLURM_ARRAY_TASK_COUNT", &c)?,
                    (None, Some(c)) => c,
                    (None, None) => {
                        return Err(flag(
                            "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: pass --shard-count N".into(),
                        ));
                    }
                };
                let index = id.checked_sub(min).ok_or_else(|| {
                    flag(format!(
                        "SLURM_ARRAY_TASK_ID {id} is below SLURM_ARRAY_TASK_MIN {min}"
                    ))
                })?;
                Shard { index, count }
            } else if let Some(index) = env("JOB_COMPLETION_INDEX") {
                let index = number("JOB_COMPLETION_INDEX", &index)?;
                let count = shard_count.ok_or_else(|| {
                    flag(
                        "JOB_COMPLETION_INDEX is set: pass --shard-count N (the Job's completions)"
                            .into(),
                    )
                })?;
                Shard { index, count }
            } else {
                return Err(flag(
                    "auto needs SLURM_ARRAY_TASK_ID (a Slurm job array) or JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) in the environment".into(),
                ));
            }
        } else {
            let (index, count) = spec
                .split_once('/')
                .ok_or_else(|| flag(format!("\"{spec}\": expected I/N (e.g. 0/4) or auto")))?;
            Shard {
                index: number("I", index)?,
                count: number("N", count)?,
            }
        };
        if shard.count == 0 || shard.count > MAX_SHARDS {
            return Err(flag(format!(
                "{} shards: must be between 1 and {MAX_SHARDS}",
                shard.count
            )));
        }
        if shard.index >= shard.count {
            return Err(flag(format!(
                "shard {} of {}: the index must be below the count (shards are numbered from 0)",
                shard.index, shard.count
            )));
        }
        Ok(shard)
    }

    /// Whether the document `doc_id` belongs to this shard.
    pub fn holds(&self, doc_id: &str) -> bool {
        shard_of(doc_id, self.count) == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// What decides a document's shard: `NAME.EXT` for `NAME.LANG.EXT` (the documents of a
/// translation pair stay together), else the id.
fn shard_key(doc_id: &str) -> String {
    match crate::align::corpus::named_language(doc_id) {
        Some((name, _, ext)) => format!("{name}.{ext}"),
        None => doc_id.to_string(),
    }
}

/// The shard of a document among `count` (jump consistent hash, Lamping & Veach 2014).
pub fn shard_of(doc_id: &str, count: u32) -> u32 {
    let digest = Sha256::digest(shard_key(doc_id).as_bytes());
    let mut key = u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"));
    let (mut bucket, mut next) = (-1i64, 0i64);
    while next < i64::from(count) {
        bucket = next;
        key = key.wrapping_mul(2_862_933_555_777_941_757).wrapping_add(1);
        next = ((bucket + 1) as f64 * ((1u64 << 31) as f64 / ((key >> 33) + 1) as f64)) as i64;
    }
    bucket as u32
}

/// The stage timings `summary.json` may hold, in pipeline order (the corpus keys them by
/// static names).
pub const STAGES: &[&str] = &[
    "ingest",
    "segment",
    "detect",
    "translate",
    "embed",
    "align",
    "write",
];

/// What `merge` needs of a shard's `summary.json`.
#[derive(Deserialize)]
struct ShardSummary {
    schema_version: u32,
    shard: Option<Shard>,
    documents: Vec<ShardDocument>,
    #[serde(default)]
    skipped: Vec<SkippedInput>,
    translation: Option<TranslationReport>,
    embedding: Option<EmbeddingReport>,
    #[serde(default)]
    timings_ms: BTreeMap<String, u64>,
}

#[derive(Deserialize)]
struct ShardDocument {
    id: String,
    path: PathBuf,
    lang: Option<String>,
    lang_confidence: f64,
    bytes: usize,
    position: usize,
    replaced_invalid_utf8: usize,
}

/// The shards of one run, read back.
#[derive(Debug, Default)]
pub struct Merged {
    pub shards: usize,
    pub documents: Vec<Document>,
    pub sentences: Vec<Sentence>,
    pub skipped: Vec<SkippedInput>,
    pub translation: Option<TranslationReport>,
    pub embedding: Option<EmbeddingReport>,
    pub timings_ms: BTreeMap<&'static str, u64>,
}

/// The outputs of all shards of a run (`schema_version` of this build) read into one
/// corpus, ready to align: documents in the order of an unsharded run, their sentences
/// (translations included) with the claim-likeness recomputed over the whole corpus, the
/// shards' reports and timings summed.
pub fn read_shards(dirs: &[PathBuf], schema_version: u32, rules: &ClaimRules) -> Result<Merged> {
    let mut shards: Vec<(Shard, PathBuf, ShardSummary)> = Vec::new();
    for dir in dirs {
        let path = dir.join("summary.json");
        let text = std::fs::read_to_string(&path).map_err(|source| Error::Input {
            path: path.clone(),
            source,
        })?;
        let summary: ShardSummary = serde_json::from_str(&text)
            .map_err(|e| Error::Data(format!("{}: {e}", crate::display::path(&path))))?;
        if summary.schema_version != schema_version {
            return Err(Error::Data(format!(
                "{}: schema_version {} (this transalign writes and merges {schema_version})",
                crate::display::path(&path),
                summary.schema_version,
            )));
        }
        let shard = summary.shard.ok_or_else(|| {
            Error::Data(format!(
                "{}: not the output of `transalign run --shard` (no \"shard\")",
                crate::display::path(&path)
            ))
        })?;
        shards.push((shard, dir.clone(), summary));
    }
    let Some(count) = shards.first().map(|s| s.0.count) else {
        return Err(Error::Data(
            "merge: name the shards' output directories".into(),
        ));
    };
    let mut seen: BTreeMap<u32, &Path> = BTreeMap::new();
    for (shard, dir, _) in &shards {
        if shard.count != count {
            return Err(Error::Data(format!(
                "{} is shard {shard}, {} is of {count} shards: merge the shards of one run",
                crate::display::path(dir),
                crate::display::path(&shards[0].1)
            )));
        }
        if let Some(other) = seen.insert(shard.index, dir) {
            return Err(Error::Data(format!(
                "{} and {} are both shard {shard}",
                crate::display::path(other),
                crate::display::path(dir)
            )));
        }
    }
    let missing: Vec<String> = (0..count)
        .filter(|i| !seen.contains_key(i))
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(Error::Data(format!(
            "shard(s) {} missing: run them, or name their output directories",
            missing.join(", ")
        )));
    }
    shards.sort_by_key(|s| s.0.index);

    let mut corpus = Merged {
        shards: shards.len(),
        ..Merged::default()
    };
    let mut sentences_of: BTreeMap<String, Vec<Sentence>> = BTreeMap::new();
    for (_, dir, summary) in shards {
        let path = dir.join("sentences.jsonl");
        let text = std::fs::read_to_string(&path).map_err(|source| Error::Input {
            path: path.clone(),
            source,
        })?;
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let sentence: Sentence = serde_json::from_str(line).map_err(|e| {
                Error::Data(format!("{}:{}: {e}", crate::display::path(&path), n + 1))
            })?;
            sentences_of
                .entry(sentence.doc.clone())
                .or_default()
                .push(sentence);
        }
        for d in summary.documents {
            if corpus.documents.iter().any(|x| x.id == d.id) {
                return Err(Error::Data(format!(
                    "{}: document {} is in two shards (were they made from different corpora?)",
                    crate::display::path(&dir),
                    d.id
                )));
            }
            let mut document = crate::ingest::document_from_text(&d.id, "");
            document.path = d.path;
            document.lang = d.lang;
            document.lang_confidence = d.lang_confidence;
            document.original_len = d.bytes;
            document.position = d.position;
            document.replaced_invalid_utf8 = d.replaced_invalid_utf8;
            corpus.documents.push(document);
        }
        corpus.skipped.extend(summary.skipped);
        corpus.translation = match (corpus.translation.take(), summary.translation) {
            (Some(mut sum), Some(t)) => {
                sum.add(t);
                Some(sum)
            }
            (sum, t) => sum.or(t),
        };
        corpus.embedding = match (corpus.embedding.take(), summary.embedding) {
            (Some(mut sum), Some(e)) => {
                sum.add(e);
                Some(sum)
            }
            (sum, e) => sum.or(e),
        };
        for (stage, ms) in summary.timings_ms {
            if let Some(name) = STAGES.iter().find(|s| **s == stage) {
                *corpus.timings_ms.entry(name).or_default() += ms;
            }
        }
    }
    corpus.documents.sort_by_key(|d| d.position);
    corpus.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    for doc in &corpus.documents {
        let mut sentences = sentences_of.remove(&doc.id).unwrap_or_default();
        sentences.sort_by_key(|s| s.idx);
        for s in &mut sentences {
            // Not in sentences.jsonl: where the body starts after a speaker prefix.
            s.body_start = s
                .speaker
                .as_ref()
                .and_then(|_| crate::segment::speaker_prefix(&s.text))
                .map_or(0, |(_, body)| body);
        }
        corpus.sentences.extend(sentences);
    }
    if let Some(doc) = sentences_of.keys().next() {
        return Err(Error::Data(format!(
            "sentences of {doc} are in a shard's sentences.jsonl, but the document is in no summary.json"
        )));
    }
    crate::claims::mark_claim_likeness(&mut corpus.sentences, rules);
    Ok(corpus)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| vars.get(name).cloned()
    }

    #[test]
    fn specs_and_scheduler_environments() {
        assert_eq!(
            Shard::parse("2/4", None, env(&[])).unwrap(),
            Shard { index: 2, count: 4 }
        );
        // Slurm: --array=1-4 gives ids 1..4 with SLURM_ARRAY_TASK_MIN=1.
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        assert_eq!(
            Shard::parse("auto", None, slurm).unwrap(),
            Shard { index: 2, count: 4 }
        );
        let k8s = env(&[("JOB_COMPLETION_INDEX", "1")]);
        assert_eq!(
            Shard::parse("auto", Some(3), &k8s).unwrap(),
            Shard { index: 1, count: 3 }
        );
        for (spec, count, vars, message) in [
            ("4/4", None, env(&[]), "below the count"),
            ("0/0", None, env(&[]), "between 1 and"),
            ("x", None, env(&[]), "expected I/N"),
            ("a/4", None, env(&[]), "not a whole number"),
            ("auto", None, env(&[]), "SLURM_ARRAY_TASK_ID"),
            (
                "auto",
                None,
                env(&[("JOB_COMPLETION_INDEX", "1")]),
                "--shard-count",
            ),
        ] {
            let e = Shard::parse(spec, count, vars).unwrap_err().to_string();
            assert!(e.contains(message) && e.contains("--shard"), "{spec}: {e}");
        }
    }

    #[test]
    fn shards_are_stable_balanced_and_keep_translation_pairs_together() {
        let ids: Vec<String> = (0..4000).map(|i| format!("doc-{i}.txt")).collect();
        let mut sizes = [0usize; 4];
        for id in &ids {
            sizes[shard_of(id, 4) as usize] += 1;
        }
        assert!(
            sizes.iter().all(|&n| (900..=1100).contains(&n)),
            "{sizes:?}"
        );
        // From 4 to 5 shards about a fifth of the documents move, all to the new shard.
        let moved: Vec<&String> = ids
            .iter()
            .filter(|id| shard_of(id, 4) != shard_of(id, 5))
            .collect();
        assert!((600..=1000).contains(&moved.len()), "{}", moved.len());
        assert!(moved.iter().all(|id| shard_of(id, 5) == 4));
        assert_eq!(
            shard_of("a/report.de.txt", 7),
            shard_of("a/report.en.txt", 7)
        );
        let shard = Shard { index: 1, count: 3 };
        assert_eq!(shard.holds("x.txt"), shard_of("x.txt", 3) == 1);
    }
}
