//! Needs-assessment and capacity-planning engine (issue 4).
//!
//! Pure functions, data in, tables out: no network, no clock, no files opened
//! here. Inputs arrive as `std::io::Read` values (CSV, TOML) named by the
//! caller so that every error can say which file, line and column is wrong.
//!
//! The models reproduce the hand calculations in the seeds: prevalence from
//! survey rates × local population (Hampshire 000 §2, Portsmouth 002), the
//! SafeLives/CAADA capacity model (Hertfordshire 004 §3, §5, Appendix 3, 6),
//! costs and funding (004 §2.3, Appendix 8; Hampshire 001 §9) and allocation
//! of a budget to clusters by need. See `docs/needs.md`.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
pub mod allocation;
pub mod capacity;
pub mod error;
pub mod figure;
pub mod format;
pub mod groups;
pub mod input;
pub mod population;
pub mod prevalence;
pub mod rates;
pub mod report;
pub mod rounding;
pub mod values;

pub use allocation::{AllocationConfig, AllocationReport, allocate, largest_remainder, read_allocation};
pub use capacity::{CapacityConfig, CapacityReport, LoadedCapacity, capacity, read_capacity};
pub use error::{Location, NeedsError, Result};
pub use figure::{Figure, Section};
pub use groups::{GroupsConfig, GroupsReport, groups, read_groups};
pub use population::{AgeBand, AreaPopulation, Population, PopulationFilter, Sex, read_population};
pub use prevalence::{Group, Prevalence, Totals, prevalence};
pub use rates::{Rate, RateSex, read_rates};
pub use rounding::Rounding;
