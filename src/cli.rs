//! Command line: clap definitions, one subcommand per user task.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::Overrides;

/// Exit codes, shown at the end of `--help` and in the man page.
pub const EXIT_CODES: &str = "\
Exit codes:
  0    success (also: skipped inputs with --keep-going; stdout closed early, e.g. | head)
  1    unexpected failure, e.g. an output file or the cache cannot be written
  2    command line or configuration error; nothing was processed
  3    finished but incomplete: inputs skipped, sentences not translated or embedded, or a
       stage stopped (quota, authentication, cache write failure); see summary.json
  130  interrupted with Ctrl-C; outputs written as incomplete, received work cached";

/// Accepts any text (the command checks it, with a message of its own) but offers `values`
/// to shell completion and `--help`.
#[derive(Debug, Clone, Copy)]
pub struct Suggest(&'static [&'static str]);

/// The output formats, for completion.
pub const FORMAT_NAMES: &[&str] = &["jsonl", "tsv", "tmx", "moses", "html", "parquet"];

impl clap::builder::TypedValueParser for Suggest {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        value
            .to_str()
            .map(str::to_string)
            .ok_or_else(|| clap::Error::new(clap::error::ErrorKind::InvalidUtf8).with_cmd(cmd))
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            self.0.iter().map(|v| clap::builder::PossibleValue::new(*v)),
        ))
    }
}

/// When to colour log output on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless NO_COLOR is set to a non-empty value.
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    /// Whether to colour: `--color` wins over `NO_COLOR`, which wins over the terminal test.
    pub fn enabled(self, terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => terminal && no_color.is_none_or(|v| v.is_empty()),
        }
    }
}

/// Detect, translate, cache and align claims across languages.
#[derive(Debug, Parser)]
#[command(
    name = "transalign",
    version,
    about,
    propagate_version = true,
    after_help = EXIT_CODES
)]
pub struct Cli {
    /// Configuration file [default: ./config.toml if present, else built-in defaults].
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// More log output on stderr (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// No progress bars and no end-of-run report; errors are still printed.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Colour log output: auto (a terminal without NO_COLOR), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the pipeline on files and directories and write the results to --out.
    Run(RunArgs),
    /// Combine the outputs of every shard of a run (`run --shard I/N`) into the files one
    /// unsharded run writes: aligns from the shards' translations and cached vectors,
    /// sends no request.
    Merge(MergeArgs),
    /// Segment and detect languages; print one JSON object per sentence on stdout.
    Detect(InputArgs),
    /// Translate lines of text (stdin or files) through the configured backend and cache;
    /// prints one translation per line.
    Translate(TranslateArgs),
    /// Translation backends.
    #[command(subcommand)]
    Backends(BackendsCommand),
    /// The translation cache.
    Cache {
        /// Cache directory (translate.cache_dir); also accepted after the subcommand.
        #[arg(long, value_name = "DIR", global = true)]
        cache_dir: Option<PathBuf>,
        /// A shared Redis cache: redis://HOST:PORT/DB (cache.url).
        #[arg(long, value_name = "URL", global = true)]
        cache_url: Option<String>,
        #[command(subcommand)]
        command: CacheCommand,
    },
    /// Align two one-sentence-per-line files (parallel or comparable); JSON Lines out.
    Align(AlignArgs),
    /// Embed lines of text (stdin or files) through the configured embedder and cache;
    /// prints one JSON array per line, or writes a NumPy matrix.
    Embed(EmbedArgs),
    /// Evaluate alignments against a gold standard, or retrieval on line-parallel files.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Bilingual lexicons of the offline `lexicon` backend.
    #[command(subcommand)]
    Lexicon(LexiconCommand),
    /// Configuration commands.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Convert an `aligned.jsonl` (from `run` or `align`; `-` = stdin) into other formats.
    Export(ExportArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to stdout.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout: `transalign man > transalign.1`; with `--dir`,
    /// write it and one page per subcommand (`transalign-run.1`, ...) there instead.
    Man {
        /// Directory to write every page into (created if missing).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct AlignArgs {
    /// Source file, one sentence per line.
    #[arg(long, value_name = "FILE")]
    pub source: PathBuf,
    /// Target file, one sentence per line (in the target language, the pivot here).
    #[arg(long, value_name = "FILE")]
    pub target: PathBuf,
    /// Line-parallel translation of the source into the target language, made by any
    /// system; without it the configured backend translates.
    #[arg(long, value_name = "FILE")]
    pub translation: Option<PathBuf>,
    /// parallel or comparable [default: align.mode].
    #[arg(long, value_name = "MODE", value_parser = Suggest(&["parallel", "comparable"]))]
    pub mode: Option<String>,
    /// Source language (ISO 639-1); needed when the backend translates.
    #[arg(long, value_name = "LANG")]
    pub source_lang: Option<String>,
    /// Target language [default: pivot].
    #[arg(long, value_name = "LANG")]
    pub target_lang: Option<String>,
    #[command(flatten)]
    pub comparable: ComparableArgs,
    /// Write here instead of stdout (`-`); for moses and parquet, a directory.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Output format: jsonl, tsv, tmx, moses, html or parquet [default: from the --out file's
    /// extension, else jsonl].
    #[arg(long, value_name = "FORMAT", value_parser = Suggest(FORMAT_NAMES))]
    pub format: Option<String>,
    #[command(flatten)]
    pub translation_args: TranslationArgs,
    #[command(flatten)]
    pub embedding: EmbedderArgs,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Alignments as JSON Lines (`aligned.jsonl`); `-` = standard input.
    #[arg(value_name = "ALIGNED.jsonl")]
    pub input: PathBuf,
    /// Formats, comma-separated: jsonl, tsv, tmx, moses, html, parquet.
    #[arg(
        long = "format",
        value_delimiter = ',',
        value_name = "FORMATS",
        required = true,
        value_parser = Suggest(FORMAT_NAMES)
    )]
    pub formats: Vec<String>,
    /// Directory to write into [default: .]; `-` = standard output (one single-file format).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Minimum score of parallel beads in the Moses files [default: output.moses_min_score].
    #[arg(long, value_name = "SCORE")]
    pub moses_min_score: Option<f64>,
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Strict and lax precision, recall and F1 of predicted beads against a gold TSV.
    Align {
        /// Gold alignment: `SRC_IDS<TAB>TGT_IDS` per line.
        #[arg(long, value_name = "FILE")]
        gold: PathBuf,
        /// Predicted alignments (`align` output; rank-1 lines are used).
        #[arg(long, value_name = "FILE")]
        pred: PathBuf,
        /// Group label of every source line, one per line (a verse: `Gen:1:2`); consecutive
        /// predicted beads inside one group are merged before scoring, for gold defined per
        /// group (give --target-groups too).
        #[arg(long, value_name = "FILE", requires = "target_groups")]
        source_groups: Option<PathBuf>,
        /// Group label of every target line (see --source-groups).
        #[arg(long, value_name = "FILE", requires = "source_groups")]
        target_groups: Option<PathBuf>,
    },
    /// Claim matches of a comparable run against a claim-level gold (precision and recall
    /// per tier; the gold format of `tests/data/seed-claims.gold.tsv`).
    Claims {
        /// The claim gold: tier, src_doc, src_idx, src_text, tgt_doc, tgt_idx, tgt_text.
        #[arg(long, value_name = "FILE")]
        gold: PathBuf,
        /// Predicted alignments (`run`'s `aligned.jsonl`).
        #[arg(long, value_name = "FILE")]
        pred: PathBuf,
    },
    /// P@1 for line-parallel files: the rank-1 target of source line i should be line i.
    Retrieval {
        /// Predicted alignments (`align --mode comparable --threshold 0` output).
        #[arg(long, value_name = "FILE")]
        pred: PathBuf,
        /// Number of source lines [default: the highest source id + 1].
        #[arg(long)]
        lines: Option<usize>,
    },
    /// Spearman correlation with graded gold pairs (`SCORE<TAB>SOURCE<TAB>TARGET` per
    /// line, e.g. STS 2017 on 0–5) of the similarity comparable matching uses: lexical (of
    /// the translation), cosine of the sentence vectors, and their fusion.
    Similarity(SimilarityArgs),
    /// Fits the confidence curve of comparable matches (margin → probability of being
    /// right) on predictions with known answers; prints the curve, the reliability table and
    /// the lowest minimum confidence that keeps the wanted precision.
    Calibrate {
        /// Predicted alignments (`align --mode comparable --threshold 0` output; rank-1
        /// lines are used).
        #[arg(long, value_name = "FILE")]
        pred: PathBuf,
        /// Gold pairs `SRC_IDS<TAB>TGT_IDS`; without it, source line i ↔ target line i.
        #[arg(long, value_name = "FILE")]
        gold: Option<PathBuf>,
        /// Precision the minimum confidence must keep.
        #[arg(long, default_value_t = 0.9)]
        precision: f64,
        /// Bins of the reliability table.
        #[arg(long, default_value_t = 10)]
        bins: usize,
    },
}

/// `eval similarity`.
#[derive(Debug, Args)]
pub struct SimilarityArgs {
    /// Graded pairs: `SCORE<TAB>SOURCE<TAB>TARGET` per line; the target is in the pivot
    /// language.
    pub file: PathBuf,
    /// Language of the source column (ISO 639-1), translated by the configured backend.
    #[arg(long)]
    pub source_lang: Option<String>,
    /// Translations of the source column, one per line, instead of the backend.
    #[arg(long, value_name = "FILE")]
    pub translation: Option<PathBuf>,
    /// Highest gold score (the lowest is 0).
    #[arg(long, default_value_t = 5.0)]
    pub max_score: f64,
    #[command(flatten)]
    pub translation_args: TranslationArgs,
    #[command(flatten)]
    pub embedding: EmbedderArgs,
}

#[derive(Debug, Subcommand)]
pub enum LexiconCommand {
    /// Build a lexicon file (`source<TAB>english|english`) from raw dictionaries; English-headed
    /// sources (wiktionary, freedict) are inverted.
    Import {
        /// Format of every SRC.
        #[arg(long, value_enum)]
        format: crate::lexicon::import::SourceFormat,
        /// Source dictionaries (for freedict: the .index file, with .dict.dz beside it).
        #[arg(required = true, value_name = "SRC")]
        sources: Vec<PathBuf>,
        /// Output file.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Alternatives kept per entry.
        #[arg(long, default_value_t = 5)]
        alternatives: usize,
    },
    /// Gloss lines with the lexicon and report coverage and the most frequent misses.
    Coverage {
        /// Language of the lines (ISO 639-1).
        #[arg(long = "lang", value_name = "LANG")]
        lang: String,
        /// Files of text [default: stdin].
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
        /// How many of the most frequent misses to list.
        #[arg(long, default_value_t = 30)]
        misses: usize,
    },
}

#[derive(Debug, Subcommand)]
pub enum BackendsCommand {
    /// Contact each configured backend; report reachability and supported pairs.
    Check {
        /// Check only this backend.
        #[arg(long, value_name = "NAME")]
        backend: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Entries, size, and entries per backend and language pair.
    Stats {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Remove all entries, or those of one backend.
    Clear {
        /// Remove only the entries made by this backend (by name).
        #[arg(long, value_name = "NAME")]
        backend: Option<String>,
    },
    /// Write every entry as JSON Lines (to stdout, or --out).
    Export {
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Read JSON Lines entries (from `cache export`, or your own translations).
    Import {
        /// JSONL files ("-" for stdin).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Backend whose fingerprint entries without a "fingerprint" get.
        #[arg(long, value_name = "NAME")]
        backend: Option<String>,
    },
}

/// The flag that chooses the embedder.
#[derive(Debug, Args, Default, Clone)]
pub struct EmbedderArgs {
    /// Embedder to use: the name of an [embedders.NAME] table, or "none" (embed.backend).
    #[arg(long, value_name = "NAME")]
    pub embedder: Option<String>,
}

#[derive(Debug, Args)]
pub struct EmbedArgs {
    /// Files to embed line by line ("-" or none: stdin).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Write here instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// jsonl (one JSON array per line) or npy (a float32 NumPy matrix, one row per line;
    /// needs --out).
    #[arg(long, value_name = "FORMAT", default_value = "jsonl", value_parser = Suggest(&["jsonl", "npy"]))]
    pub format: String,
    #[command(flatten)]
    pub embedding: EmbedderArgs,
    /// Never touch the network: cache hits and local embedders only.
    #[arg(long)]
    pub offline: bool,
    /// Cache directory (translate.cache_dir).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

/// Flags of the translation stage.
#[derive(Debug, Args, Default, Clone)]
pub struct TranslationArgs {
    /// Backend to use: the name of a [backends.NAME] table (translate.backend).
    #[arg(long, value_name = "NAME")]
    pub backend: Option<String>,
    /// Never touch the network: cache hits and offline backends only (translate.offline).
    #[arg(long)]
    pub offline: bool,
    /// Translation cache directory (translate.cache_dir).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// A shared Redis cache instead of the directory: redis://HOST:PORT/DB (cache.url).
    #[arg(long, value_name = "URL")]
    pub cache_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct TranslateArgs {
    /// Files to translate line by line [default: stdin].
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Source language of the lines (ISO 639-1, or `auto` where the backend detects).
    #[arg(long = "from", value_name = "LANG")]
    pub from: String,
    /// Target language [default: the pivot].
    #[arg(long = "to", value_name = "LANG")]
    pub to: Option<String>,
    #[command(flatten)]
    pub translation: TranslationArgs,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration and print the effective configuration as TOML.
    Check(OverrideArgs),
}

/// Inputs and the flags that change how they are read.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Files and directories [default: input.paths of the configuration].
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Exit with 0 even when some inputs were skipped (they are still reported).
    #[arg(long)]
    pub keep_going: bool,
    #[command(flatten)]
    pub overrides: OverrideArgs,
}

/// Flags that override configuration keys.
#[derive(Debug, Args, Default)]
pub struct OverrideArgs {
    /// Decode invalid UTF-8 with replacement characters instead of skipping the file
    /// (input.lossy_utf8).
    #[arg(long)]
    pub lossy_utf8: bool,
    /// Comma-separated candidate languages, ISO 639-1 (detect.languages).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub languages: Option<Vec<String>>,
    /// Pivot language, ISO 639-1 (pivot).
    #[arg(long, value_name = "CODE")]
    pub pivot: Option<String>,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' output directories (each with sentences.jsonl and summary.json).
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Output directory (output.dir) [default: out].
    #[arg(long = "out", value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// The cache the shards wrote their vectors to (translate.cache_dir).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// The shared Redis cache the shards used: redis://HOST:PORT/DB (cache.url).
    #[arg(long, value_name = "URL")]
    pub cache_url: Option<String>,
    #[command(flatten)]
    pub embedding: EmbedderArgs,
    /// Output formats, comma-separated: jsonl, tsv, tmx, moses, html, parquet [default: output.formats].
    #[arg(long = "format", value_delimiter = ',', value_name = "FORMATS", value_parser = Suggest(FORMAT_NAMES))]
    pub formats: Option<Vec<String>>,
    #[command(flatten)]
    pub comparable: ComparableArgs,
}

/// Settings of comparable alignment on the command line (`run`, `align`, `merge`).
#[derive(Debug, Args, Clone, Copy)]
pub struct ComparableArgs {
    /// Comparable alignment: minimum margin score [default: align.threshold]; 0 = the best
    /// candidate of every source sentence.
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Comparable alignment: minimum calibrated confidence (0 to 1) of an accepted match
    /// [default: align.min_confidence, align.embedding_min_confidence with an embedder].
    #[arg(long, value_parser = confidence)]
    pub min_confidence: Option<f64>,
    /// Comparable alignment: candidates per source sentence [default: align.top_k].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=100))]
    pub top_k: Option<u64>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output directory (output.dir) [default: out].
    #[arg(long = "out", value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    #[command(flatten)]
    pub translation: TranslationArgs,
    #[command(flatten)]
    pub embedding: EmbedderArgs,
    /// Report per backend how many sentences and characters would be sent after cache hits;
    /// send nothing, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Process only shard I of N (`I/N`, I from 0) — the documents a stable hash of their id
    /// assigns to it — and stop before alignment: `transalign merge` aligns the shards.
    /// `auto` takes I and N from SLURM_ARRAY_TASK_ID/_COUNT/_MIN or JOB_COMPLETION_INDEX.
    #[arg(long, value_name = "I/N|auto")]
    pub shard: Option<String>,
    /// The number of shards when the environment does not say (`--shard auto` in a
    /// Kubernetes Indexed Job: the Job's completions).
    #[arg(long, value_name = "N", requires = "shard")]
    pub shard_count: Option<u32>,
    #[command(flatten)]
    pub comparable: ComparableArgs,
    /// Output formats to write, comma-separated: jsonl, tsv, tmx, moses, html, parquet
    /// [default: output.formats].
    #[arg(long = "format", value_delimiter = ',', value_name = "FORMATS", value_parser = Suggest(FORMAT_NAMES))]
    pub formats: Option<Vec<String>>,
}

impl OverrideArgs {
    pub fn to_overrides(
        &self,
        out_dir: Option<PathBuf>,
        translation: Option<&TranslationArgs>,
    ) -> Overrides {
        Overrides {
            out_dir,
            languages: self.languages.clone(),
            lossy_utf8: self.lossy_utf8,
            pivot: self.pivot.clone(),
            backend: translation.and_then(|t| t.backend.clone()),
            offline: translation.is_some_and(|t| t.offline),
            cache_dir: translation.and_then(|t| t.cache_dir.clone()),
            cache_url: translation.and_then(|t| t.cache_url.clone()),
            embedder: None,
            formats: None,
        }
    }
}

/// A confidence on the command line: a number from 0 to 1.
fn confidence(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("\"{text}\" is not a number"))?;
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{text}: must be between 0 and 1"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_follows_the_flag_then_no_color_then_the_terminal() {
        let set = Some(std::ffi::OsStr::new("1"));
        let empty = Some(std::ffi::OsStr::new(""));
        assert!(ColorWhen::Auto.enabled(true, None));
        assert!(
            ColorWhen::Auto.enabled(true, empty),
            "an empty NO_COLOR does not count"
        );
        assert!(!ColorWhen::Auto.enabled(true, set));
        assert!(!ColorWhen::Auto.enabled(false, None));
        assert!(ColorWhen::Always.enabled(false, set));
        assert!(!ColorWhen::Never.enabled(true, None));
    }
}
