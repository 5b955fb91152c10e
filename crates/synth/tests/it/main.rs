//! Integration tests for haven-synth: one binary, modules per concern.
mod calibration;
mod determinism;
mod partnership;
mod streaming;

use chrono::NaiveDate;

pub fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 4, 1).unwrap_or_default()
}
