//! Claims: which sentences can carry a claim (claim-likeness), the differences between two
//! versions of a claim (flags), and the grouping of accepted matches into claim records.
//! Questions, formulaic lines and the questioner's turns of a press conference stay in
//! `sentences.jsonl` but do not seed matches, so comparisons are between statements.

pub mod flags;
mod group;
mod likeness;
mod record;

pub use group::{Group, Link, group};
pub use likeness::{ClaimRules, mark_claim_likeness};
pub use record::{Claim, ClaimFlag, Member, records};
