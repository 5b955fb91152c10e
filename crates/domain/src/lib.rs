//! Haven's domain: the types and rules of a domestic abuse partnership.
//!
//! This crate does no I/O and never reads the clock: dates ("today") and
//! seeds are arguments, so every rule can be tested exhaustively.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod access;
pub mod agency;
pub mod dash;
pub mod error;
pub mod ids;
pub mod intake;
pub mod marac;
pub mod person;
pub mod referral;
pub mod risk;
pub mod routing;
pub mod search;
pub mod triage;

pub use error::{FieldError, ValidationErrors};
