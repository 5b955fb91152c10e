//! Synthetic partnership: an invented county's domestic abuse partnership and
//! a year of referrals, calibrated to the seeds.
//!
//! Pure and deterministic: no I/O, no clock. Everything follows from a `u64`
//! seed (and, for referrals, a start date passed in), so the same seed always
//! builds the same partnership and the same referrals.
//!
//! * [`partnership`] builds the county: 3 contract lots, 11 districts, the
//!   agencies, ~60 staff in their teams (including the demo accounts
//!   `admin`, `triage`, `idva`, `outreach`, `refuge`, `marac`, `police`,
//!   `children` and `commissioner`).
//! * [`referrals`] streams `n` referrals over the 12 months from `start`, in
//!   date order, holding only a compact index of earlier victims so that
//!   repeats refer back to people already emitted.
//!
//! Calibration (see `calibration` for the tables and their sources): referral
//! sources per seed 000 Table 6; risk mix per seed 004 Table 1 (high 7%,
//! medium 25%); repeat victims ~35%; 60% of victims with dependent children,
//! 1.8 per family (004); ~91% female victims; a shire county's ethnicity mix.
//! Nothing here describes a real person, place or postcode area.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

pub mod calibration;
mod names;
mod partnership;
pub mod postcode;
mod referrals;
mod text;
mod weighted;

use haven_domain::access::Role;
use haven_domain::agency::{AgencyKind, TeamKind};
use haven_domain::person::{Ethnicity, RelationshipKind, Sex, SexualOrientation, YesNoUnknown};
use haven_domain::referral::LawfulBasis;
use haven_domain::risk::RiskLevel;
use serde::{Deserialize, Serialize};

pub use partnership::{COUNTY, DEMO_USERNAMES, partnership};
pub use referrals::{Referrals, referrals};

/// Referrals in a year at the default scale (`haven synth` without `--scale`).
pub const DEFAULT_REFERRALS: u64 = 5000;

/// The invented county and who works in its partnership.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partnership {
    pub county: String,
    /// Geographic contract lots (3).
    pub lots: Vec<Lot>,
    /// Districts (11), each in one lot.
    pub districts: Vec<District>,
    pub agencies: Vec<Agency>,
    pub teams: Vec<Team>,
    /// About 60 staff, including the demo accounts.
    pub staff: Vec<StaffMember>,
    /// One MARAC per lot, e.g. "North Wessex MARAC".
    pub marac_areas: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lot {
    pub key: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct District {
    pub key: String,
    pub name: String,
    /// The key of the lot the district is in.
    pub lot: String,
    pub population: u32,
    /// Two letters, e.g. "WX": format-valid, not a real UK postcode area.
    pub postcode_area: String,
    /// Outward codes, e.g. `["WX1", "WX2"]`.
    pub postcode_districts: Vec<String>,
    /// The MARAC that hears this district's cases (one of `marac_areas`).
    pub marac_area: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    pub key: String,
    pub name: String,
    pub kind: AgencyKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Team {
    pub key: String,
    pub name: String,
    pub kind: TeamKind,
    /// The key of the agency the team belongs to.
    pub agency: String,
    /// Sum of the team members' FTE.
    pub fte: f64,
    /// Caseload norm per FTE where one applies (IDVA 65, outreach 85: seed 004).
    pub safe_caseload_per_fte: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffMember {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The key of the staff member's agency.
    pub agency: String,
    /// The key of their team.
    pub team: Option<String>,
    /// Contracted hours as a fraction of full time (0.5–1.0).
    pub fte: f64,
}

/// A person as first seen in a referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynthPerson {
    /// Unique, sequential from 0 in the order people first appear.
    pub idx: u64,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: chrono::NaiveDate,
    pub sex: Sex,
    /// Normalised, e.g. "WX1 2AB"; `None` when not known (no fixed abode,
    /// not given).
    pub postcode: Option<String>,
    pub ethnicity: Ethnicity,
    pub disability: YesNoUnknown,
    pub sexual_orientation: SexualOrientation,
    /// The key of the district the person lives in.
    pub district: String,
}

/// A person in a referral: new here, or already emitted in an earlier one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PersonRef {
    New(SynthPerson),
    /// The `idx` of a person emitted earlier.
    Existing(u64),
}

impl PersonRef {
    /// The person's `idx`, new or existing.
    pub fn idx(&self) -> u64 {
        match self {
            PersonRef::New(p) => p.idx,
            PersonRef::Existing(i) => *i,
        }
    }
    pub fn is_new(&self) -> bool {
        matches!(self, PersonRef::New(_))
    }
}

/// One referral to the front door.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynthReferral {
    /// Sequential from 0, in date order.
    pub idx: u64,
    pub victim: PersonRef,
    pub perpetrator: Option<PersonRef>,
    /// Dependent children in the victim's household.
    pub children: Vec<PersonRef>,
    /// Victim ↔ perpetrator.
    pub relationship: RelationshipKind,
    pub source_agency: AgencyKind,
    pub referral_date: chrono::NaiveDate,
    /// A short invented narrative; names no one.
    pub reason: String,
    pub consent: bool,
    /// Consent when given; otherwise vital interests (high risk) or public task.
    pub lawful_basis: LawfulBasis,
    pub risk_level: RiskLevel,
    /// DASH "yes" count (0–24); `None` when no checklist was completed.
    pub dash_score: Option<u8>,
    /// Risk raised to high on professional judgement (DASH below 14).
    pub professional_judgement: bool,
    pub police_incident: bool,
    /// The key of the victim's district.
    pub district: String,
    /// Needs refuge or other safe accommodation.
    pub accommodation_need: bool,
    /// Team key per routing: high → the lot's IDVA team, medium → the lot's
    /// outreach team, standard → none or the front door's advice line;
    /// accommodation need → the refuge team.
    pub assigned_team: Option<String>,
    pub safe_to_call: Option<bool>,
    pub safe_to_text: Option<bool>,
    pub safe_times: Option<String>,
}
