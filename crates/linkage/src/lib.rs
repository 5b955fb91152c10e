//! Probabilistic record linkage (issue 5): the same person across agencies'
//! records, so repeat victims and serial perpetrators are counted.
//!
//! Fellegi–Sunter with per-field comparison levels, term-frequency
//! adjustment for common names, unioned blocking rules, u-probabilities from
//! random pairs, m-probabilities by EM, and clustering that never joins two
//! records scoring below the reject threshold. Pure: no network, no clock;
//! randomness is seeded. See docs/linkage.md.
//!
//! Batch linking:
//! ```
//! use haven_linkage::{Linker, NoProgress, Record, Settings};
//! let records = vec![
//!     Record::new("1").with_given_name("Sarah").with_family_name("Jones").with_postcode("PO1 2AB"),
//!     Record::new("2").with_given_name("Sally").with_family_name("Jones").with_postcode("PO1 2AB"),
//! ];
//! let linkage = Linker::new(Settings::default())?.dedupe(&records, &NoProgress)?;
//! assert_eq!(linkage.clusters.len(), 2);
//! # Ok::<(), haven_linkage::LinkageError>(())
//! ```
//!
//! Intake suggestions:
//! ```
//! use haven_linkage::{CandidateIndex, Model, Record, Thresholds};
//! let existing = vec![Record::new("p1").with_given_name("Elizabeth").with_family_name("Taylor")];
//! let index = CandidateIndex::new(Model::default(), Thresholds::default(), &existing)?;
//! let probe = Record::new("new").with_given_name("Liz").with_family_name("Taylor");
//! for c in index.candidates(&probe, 5) {
//!     println!("{} {:.3} {:?}\n{}", c.id, c.probability, c.decision, c.explanation);
//! }
//! # Ok::<(), haven_linkage::LinkageError>(())
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod blocking;
mod cluster;
mod compare;
mod error;
pub mod generate;
mod input;
mod jw;
mod linker;
mod model;
mod nicknames;
mod prepare;
mod progress;
mod record;
mod rng;

pub use blocking::{BlockingRule, BlockingSettings, BlockingStats};
pub use cluster::ClusterStats;
pub use compare::{FIELDS, Field, NUM_FIELDS};
pub use error::{LinkageError, Result};
pub use input::{InvalidDates, Layout, Loaded, read_records};
pub use linker::{
    Candidate, CandidateIndex, ClusterSettings, Decision, Linkage, LinkageStats, Linker, ScoredPair, Settings, Thresholds, TrainingSettings,
};
pub use model::{Explanation, FieldContribution, FieldParams, Model, probability, weight_of};
pub use prepare::TermFrequencies;
pub use progress::{NoProgress, Progress};
pub use record::{Date, DateFormat, Record, Sex};
