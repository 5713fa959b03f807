//! Claims: which sentences can carry a claim (claim-likeness). Questions, formulaic lines and
//! the questioner's turns of a press conference stay in `sentences.jsonl` but do not seed
//! matches, so comparisons are between statements.

mod likeness;

pub use likeness::{ClaimRules, mark_claim_likeness};
