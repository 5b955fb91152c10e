//! The front door's intake use cases (issue 3): agency and public
//! referrals with household members, police incident imports, duplicate
//! suggestions.
//!
//! Every method that reads a person applies the record filter
//! ([`haven_domain::access::person_access`]) and writes its audit row in the
//! same transaction as the work.
use crate::model::PersonHit;
use crate::{Ctx, Result};
use async_trait::async_trait;
use chrono::NaiveDate;
use haven_domain::ids::{PersonId, ReferralId};
use haven_domain::intake::{NewIntakeReferral, NewPublicReferral, PoliceIncident};
use haven_domain::person::Postcode;
use serde::Serialize;
use utoipa::ToSchema;

/// Who we are looking for when suggesting existing records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonProbe {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub postcode: Option<Postcode>,
}

/// Lowest score a suggestion must reach (name, date of birth, postcode
/// similarity as scored by [`haven_domain::search::Query::score`]).
pub const SUGGEST_MIN_SCORE: f64 = 0.75;

/// What an agency intake created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct IntakeCreated {
    #[schema(value_type = i64)]
    pub referral_id: ReferralId,
    #[schema(value_type = i64)]
    pub person_id: PersonId,
    /// Household members, in the order given (existing records reused where confident).
    #[schema(value_type = Vec<i64>)]
    pub household_ids: Vec<PersonId>,
    #[schema(value_type = Option<i64>)]
    pub perpetrator_id: Option<PersonId>,
    /// True when this submission key was already used: nothing new was created.
    pub replayed: bool,
}

/// A row the import could not take, with its line number and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Rejection {
    /// Line in the file where the row starts (the header is line 1).
    pub line: u64,
    /// The row's incident_id as written, if it had one.
    pub incident_id: String,
    /// Every problem found, e.g. `victim_date_of_birth: must not be in the future`.
    pub reason: String,
}

/// A police incident file, parsed: good rows with their line numbers, and
/// rows rejected while parsing.
#[derive(Debug, Clone, Default)]
pub struct PoliceBatch {
    pub file_name: String,
    pub file_sha256: String,
    /// Data rows read (every row is imported, already present, or rejected).
    pub rows_read: u64,
    pub incidents: Vec<(u64, PoliceIncident)>,
    pub rejected: Vec<Rejection>,
    /// Agency key the incidents are attributed to; default: the first agency of kind `police`.
    pub agency_key: Option<String>,
}

/// What an import did. `rows_read = imported + already_present + rejected.len()`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportReport {
    /// The batch recorded, when the file was applied.
    pub batch_id: Option<i64>,
    pub rows_read: u64,
    pub imported: u64,
    /// Rows whose incident_id was imported before: skipped, nothing added.
    pub already_present: u64,
    pub rejected: Vec<Rejection>,
    /// Victims and suspects with no confident match, created as new people.
    pub people_created: u64,
    /// Victims and suspects matched to an existing person (same name and date of birth).
    pub people_matched: u64,
}

/// One earlier import.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportBatchRow {
    pub id: i64,
    pub file_name: String,
    pub imported_at: String,
    pub imported_by: String,
    pub rows_read: i64,
    pub imported: i64,
    pub already_present: i64,
    pub rejected: i64,
}

/// A household member or the perpetrator as shown on an intake.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IntakePerson {
    #[schema(value_type = i64)]
    pub id: PersonId,
    pub name: String,
    pub date_of_birth: Option<String>,
    /// `child`, `other` or `alleged_perpetrator`.
    pub role: String,
    pub relationship: Option<String>,
    pub school: Option<String>,
}

/// The friend or relative who made a public referral (only to those who see safe-contact details).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferrerView {
    pub name: Option<String>,
    pub relationship: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Does the person know and agree? `None`: not known.
    pub person_knows: Option<bool>,
}

/// The police incident behind a referral.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentView {
    pub incident_id: String,
    pub incident_date: String,
    pub risk_grade: String,
    pub dash_score: Option<i64>,
    pub children_present: Option<bool>,
    pub children_count: Option<i64>,
}

/// Everything an intake recorded about one referral, as this caller may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IntakeView {
    #[schema(value_type = i64)]
    pub referral_id: ReferralId,
    #[schema(value_type = i64)]
    pub person_id: PersonId,
    pub person_name: String,
    pub referral_date: String,
    pub source_agency: String,
    pub reason: String,
    pub status: String,
    pub risk_level: Option<String>,
    /// `agency_form`, `public`, `police_import`, or `none` (made another way).
    pub route: String,
    pub interpreter_language: Option<String>,
    pub access_needs: Vec<String>,
    pub access_notes: Option<String>,
    pub presenting_needs: Vec<String>,
    pub children_in_household: Option<i64>,
    pub household: Vec<IntakePerson>,
    pub perpetrator: Option<IntakePerson>,
    pub referrer: Option<ReferrerView>,
    pub police_incident: Option<IncidentView>,
}

#[async_trait]
pub trait IntakeStore: Send + Sync + 'static {
    /// Likely existing records for the person a new referral is about, best
    /// first, only those the caller may read. The lookup is audited.
    async fn suggest_people(&self, ctx: &Ctx, probe: &PersonProbe, limit: usize) -> Result<Vec<PersonHit>>;

    /// An agency referral with its household, perpetrator and needs, in one
    /// transaction. `existing` joins a person the caller may read. A repeated
    /// submission key returns the first result and creates nothing.
    async fn create_intake_referral(&self, ctx: &Ctx, r: &NewIntakeReferral, existing: Option<PersonId>) -> Result<IntakeCreated>;

    /// The referral already made with this submission key, if any (so a
    /// resent form skips the duplicate suggestions and answers as the first time).
    async fn submitted(&self, key: &str) -> Result<Option<ReferralId>>;

    /// A referral from the public page: a new person and a new, unassigned
    /// referral in the front door's queue. Audited as the context's actor
    /// (`system:public`). A repeated submission key creates nothing.
    async fn create_public_referral(&self, ctx: &Ctx, r: &NewPublicReferral, submission_key: Option<&str>) -> Result<ReferralId>;

    /// Apply a parsed police incident file in one transaction.
    async fn import_police_incidents(&self, ctx: &Ctx, batch: &PoliceBatch) -> Result<ImportReport>;

    /// The most recent imports, newest first.
    async fn police_import_batches(&self, limit: i64) -> Result<Vec<ImportBatchRow>>;

    /// One referral's intake details; `None` when missing or out of reach.
    async fn read_intake(&self, ctx: &Ctx, id: ReferralId) -> Result<Option<IntakeView>>;
}
