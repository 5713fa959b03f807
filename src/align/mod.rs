//! Alignment: pairing source-language sentences (through their translations) with
//! target-language sentences, in parallel mode (monotonic n-to-m beads) or comparable mode
//! (margin-scored claim matching across independent documents).

pub mod comparable;
pub mod features;
pub mod parallel;
