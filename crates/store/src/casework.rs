//! Risk, routing, triage and MARAC use cases (issue 3).
//!
//! The rules are the domain's ([`haven_domain::dash`], [`haven_domain::marac`],
//! [`haven_domain::routing`], [`haven_domain::triage`]); these methods gather
//! what the rules need, store what they decide, apply the record filters
//! ([`haven_domain::access::person_access`] for people,
//! [`haven_domain::access::marac_member`] for MARAC research) and write the
//! audit row in the same transaction. Methods that take a record id answer
//! `Ok(None)` both when the record does not exist and when it is out of the
//! caller's reach.
use crate::{AgencyRow, Ctx, Result, SafeContactView};
use async_trait::async_trait;
use chrono::NaiveDate;
use haven_domain::dash::{ChildRiskAssessment, DashAssessment};
use haven_domain::ids::{AgencyId, PersonId, ReferralId, TeamId, UserId};
use haven_domain::marac::{Eligibility, MaracCase, MaracRules, Period};
use haven_domain::referral::SafeContact;
use haven_domain::risk::RiskLevel;
use haven_domain::routing::{RoutingDecision, RoutingNeed};
use haven_domain::triage::ContactAttempt;
use serde::Serialize;
use utoipa::ToSchema;

haven_domain::vocabulary!(
    /// Where a MARAC action stands.
    ActionStatus {
        Open = "open": "Open",
        InProgress = "in_progress": "In progress",
        Done = "done": "Done",
        Cancelled = "cancelled": "Cancelled",
    }
);

impl ActionStatus {
    /// Still to be done (shown on the owner agency's dashboard).
    pub fn outstanding(self) -> bool {
        matches!(self, ActionStatus::Open | ActionStatus::InProgress)
    }
}

haven_domain::vocabulary!(
    /// What the MARAC decided for a case.
    MaracOutcome {
        ActionPlanAgreed = "action_plan_agreed": "Heard: action plan agreed",
        NoFurtherAction = "no_further_action": "Heard: no further multi-agency action",
        Deferred = "deferred": "Deferred to the next meeting",
        Withdrawn = "withdrawn": "Withdrawn (not heard)",
    }
);

/// The outcome of storing a DASH assessment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DashOutcome {
    pub id: i64,
    pub score: u8,
    /// `standard`, `medium` or `high`, after professional judgement.
    pub risk_level: String,
    /// The level the score gives on its own.
    pub computed_level: String,
    pub raised_by_judgement: bool,
    pub marac_eligible: bool,
    /// The assessment's reasons, then each MARAC eligibility reason.
    pub reasons: Vec<String>,
    /// Just the MARAC eligibility reasons.
    pub eligibility: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DashAnswerRow {
    pub key: String,
    pub answer: String,
    pub notes: Option<String>,
}

/// One stored DASH assessment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DashRecord {
    pub id: i64,
    pub assessed_at: String,
    pub assessed_by: Option<String>,
    pub score: i64,
    pub not_known: i64,
    pub computed_level: String,
    pub risk_level: String,
    pub raised_by_judgement: bool,
    pub judgement_level: Option<String>,
    pub judgement_reason: Option<String>,
    pub reasons: Vec<String>,
    pub marac_eligible: bool,
    pub eligibility: Vec<String>,
    pub answers: Vec<DashAnswerRow>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChildRiskRecord {
    pub id: i64,
    pub assessed_at: String,
    pub assessed_by: Option<String>,
    pub level: String,
    pub indicators: Vec<String>,
    pub reason: Option<String>,
}

/// A child linked to the person, with their own risk history (newest first).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChildRiskView {
    #[schema(value_type = i64)]
    pub child_id: PersonId,
    pub name: String,
    pub date_of_birth: Option<String>,
    pub assessments: Vec<ChildRiskRecord>,
}

/// A person's risk: DASH history (newest first), current MARAC eligibility,
/// their children's own risk.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DashHistory {
    #[schema(value_type = i64)]
    pub person_id: PersonId,
    pub name: String,
    pub date_of_birth: Option<String>,
    pub current_risk: Option<String>,
    pub marac_eligible: bool,
    pub eligibility: Vec<String>,
    /// The date of the person's last MARAC referral, if any.
    pub last_marac: Option<String>,
    pub assessments: Vec<DashRecord>,
    pub children: Vec<ChildRiskView>,
    /// Open MARAC case, if any (referred or listed, not yet heard).
    pub open_marac_case: Option<i64>,
}

/// One referral, as the front door sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralHeader {
    #[schema(value_type = i64)]
    pub referral_id: ReferralId,
    #[schema(value_type = i64)]
    pub person_id: PersonId,
    pub person_name: String,
    pub referral_date: String,
    /// RFC 3339 UTC.
    pub received_at: String,
    pub source_agency: String,
    pub referring_agency: Option<String>,
    pub reason: String,
    pub risk_level: Option<String>,
    pub dash_score: Option<i64>,
    pub status: String,
    pub assigned_team: Option<String>,
    pub assigned_worker: Option<String>,
    pub district_id: Option<i64>,
}

/// A referral waiting at the front door, before ordering and timing.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TriageRow {
    pub referral: ReferralHeader,
    pub attempts: i64,
    /// First successful contact, `YYYY-MM-DDTHH:MM:SS` UTC.
    pub first_contact_at: Option<String>,
    pub last_attempt_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactAttemptRow {
    pub id: i64,
    pub attempted_at: String,
    pub by: Option<String>,
    pub method: String,
    pub outcome: String,
    pub first_contact: bool,
    pub notes: Option<String>,
    pub warnings: Vec<String>,
}

/// What a worker needs before contacting someone: the safe-contact
/// preferences first, then what has been tried.
#[derive(Debug, Clone)]
pub struct ContactContext {
    pub referral: ReferralHeader,
    /// `None` when withheld from this caller (they may not contact the person).
    pub safe_contact: Option<SafeContact>,
    pub safe_contact_view: Option<SafeContactView>,
    pub attempts: Vec<ContactAttemptRow>,
}

/// A team's load, raw: the web layer turns it into a domain `TeamCapacity`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TeamLoad {
    #[schema(value_type = i64)]
    pub team_id: TeamId,
    pub key: String,
    pub name: String,
    pub kind: String,
    pub agency: String,
    pub fte: f64,
    pub safe_caseload_per_fte: Option<i64>,
    pub open_cases: i64,
    /// Cases taken on in the 12 months to today, by risk.
    pub taken_high: i64,
    pub taken_medium: i64,
    pub taken_standard: i64,
    /// Assigned to the team but waiting for a worker.
    pub waiting: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkerLoad {
    #[schema(value_type = i64)]
    pub user_id: UserId,
    pub name: String,
    #[schema(value_type = i64)]
    pub team_id: TeamId,
    pub fte: f64,
    pub open_cases: i64,
    pub taken_high: i64,
    pub taken_medium: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoutingRecord {
    pub id: i64,
    pub decided_at: String,
    pub decided_by: Option<String>,
    pub risk_level: String,
    pub pathways: serde_json::Value,
    pub capacity: serde_json::Value,
    pub marac_eligible: bool,
    pub assigned_team: Option<String>,
    pub assigned_worker: Option<String>,
    pub waiting_list: bool,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaChoice {
    pub id: i64,
    pub name: String,
}

/// Everything the routing screen needs.
#[derive(Debug, Clone)]
pub struct RoutingContext {
    pub referral: ReferralHeader,
    /// The current risk: the latest DASH, or the referral's own grade.
    pub risk: Option<RiskLevel>,
    pub eligibility: Eligibility,
    pub teams: Vec<TeamLoad>,
    pub workers: Vec<WorkerLoad>,
    pub decisions: Vec<RoutingRecord>,
    pub areas: Vec<AreaChoice>,
    /// The MARAC area that hears cases from the referral's district.
    pub suggested_area: Option<i64>,
    pub open_marac_case: Option<i64>,
}

/// A routing decision to store.
#[derive(Debug, Clone)]
pub struct NewRouting {
    pub decision: RoutingDecision,
    pub needs: Vec<RoutingNeed>,
    pub eligible: bool,
    /// Each team's capacity as shown at the moment of routing.
    pub capacity: serde_json::Value,
    pub team: TeamId,
    pub worker: Option<UserId>,
    pub waiting_list: bool,
    pub notes: Option<String>,
    /// Refer to this MARAC area in the same transaction.
    pub marac_area: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingRow {
    pub id: i64,
    pub area_id: i64,
    pub area: String,
    pub meeting_date: String,
    pub cases: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MaracAreaRow {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub members: Vec<AgencyRow>,
    pub districts: Vec<String>,
    /// True when the caller may read this area's agendas and research.
    pub is_member: bool,
    /// Cases referred but not yet on an agenda.
    pub unlisted: i64,
    pub meetings: Vec<MeetingRow>,
}

/// For the demo loader and migrations from other systems.
#[derive(Debug, Clone)]
pub struct MaracAreaSeed {
    pub key: String,
    pub name: String,
    /// District keys whose cases this MARAC hears.
    pub districts: Vec<String>,
    /// Agency keys that are members; empty means every agency.
    pub member_agencies: Vec<String>,
    pub meetings: Vec<NaiveDate>,
    pub adult_female_population: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgendaItem {
    pub case_id: i64,
    #[schema(value_type = i64)]
    pub person_id: PersonId,
    pub person_name: String,
    pub risk_level: Option<String>,
    pub children: i64,
    pub referring_agency: Option<String>,
    pub referring_agency_kind: String,
    pub referred_on: String,
    pub repeat: bool,
    pub reasons: Vec<String>,
    pub status: String,
    pub outcome: Option<String>,
    /// Agencies that have entered research / actions still open.
    pub research_entries: i64,
    pub open_actions: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Agenda {
    pub meeting: MeetingRow,
    pub items: Vec<AgendaItem>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResearchRow {
    #[schema(value_type = i64)]
    pub agency_id: AgencyId,
    pub agency: String,
    pub author: Option<String>,
    pub content: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionUpdateRow {
    pub at: String,
    pub by: Option<String>,
    pub agency: Option<String>,
    pub status: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionRow {
    pub id: i64,
    pub case_id: i64,
    pub description: String,
    #[schema(value_type = i64)]
    pub owner_agency_id: AgencyId,
    pub owner_agency: String,
    pub due_date: String,
    pub status: String,
    pub updates: Vec<ActionUpdateRow>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MaracCaseView {
    pub item: AgendaItem,
    pub area_id: i64,
    pub area: String,
    pub meeting_id: Option<i64>,
    pub meeting_date: Option<String>,
    pub outcome_notes: Option<String>,
    pub heard_on: Option<String>,
    pub research: Vec<ResearchRow>,
    pub actions: Vec<ActionRow>,
    /// Agencies that may own actions (the area's members).
    pub member_agencies: Vec<AgencyRow>,
}

/// An outstanding MARAC action for the caller's agency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyActionRow {
    pub id: i64,
    pub case_id: i64,
    pub description: String,
    pub due_date: String,
    pub status: String,
    pub area: String,
    pub meeting_date: Option<String>,
    /// Named only to MARAC members of the case's area.
    pub person_name: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewMaracAction {
    pub description: String,
    pub owner_agency: AgencyId,
    pub due: NaiveDate,
}

/// Heard cases for statistics, with the area's population.
#[derive(Debug, Clone)]
pub struct MaracStatInput {
    pub cases: Vec<MaracCase>,
    pub adult_female_population: Option<u64>,
}

/// A team of caseholders and its workers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TeamCaseload {
    pub team: TeamLoad,
    pub workers: Vec<WorkerLoad>,
}

#[async_trait]
pub trait CaseworkStore: Send + Sync + 'static {
    // --- risk
    /// Store a DASH assessment for a person the caller can read: full
    /// history is kept, the person's latest referral takes the new level
    /// and score, and MARAC eligibility is decided on `today` under `rules`.
    async fn record_dash(
        &self,
        ctx: &Ctx,
        person: PersonId,
        a: &DashAssessment,
        rules: &MaracRules,
        today: NaiveDate,
    ) -> Result<Option<DashOutcome>>;
    async fn dash_history(&self, ctx: &Ctx, person: PersonId, rules: &MaracRules, today: NaiveDate) -> Result<Option<DashHistory>>;
    /// A child's own risk (the child must be readable by the caller).
    async fn record_child_risk(&self, ctx: &Ctx, child: PersonId, a: &ChildRiskAssessment) -> Result<Option<i64>>;

    // --- triage
    /// New referrals not yet routed, that the caller may see.
    async fn triage_queue(&self, ctx: &Ctx) -> Result<Vec<TriageRow>>;
    async fn contact_context(&self, ctx: &Ctx, referral: ReferralId) -> Result<Option<ContactContext>>;
    async fn log_contact(&self, ctx: &Ctx, referral: ReferralId, a: &ContactAttempt) -> Result<Option<i64>>;

    // --- routing and capacity
    async fn routing_context(
        &self,
        ctx: &Ctx,
        referral: ReferralId,
        rules: &MaracRules,
        today: NaiveDate,
    ) -> Result<Option<RoutingContext>>;
    /// Store the decision, assign the referral and, if asked, refer to MARAC.
    async fn record_routing(
        &self,
        ctx: &Ctx,
        referral: ReferralId,
        r: &NewRouting,
        rules: &MaracRules,
        today: NaiveDate,
    ) -> Result<Option<i64>>;
    /// Caseholding teams (IDVA, outreach) and their workers.
    async fn caseloads(&self, ctx: &Ctx, today: NaiveDate) -> Result<Vec<TeamCaseload>>;

    // --- MARAC
    async fn marac_areas(&self, ctx: &Ctx, today: NaiveDate) -> Result<Vec<MaracAreaRow>>;
    async fn create_marac_area(&self, ctx: &Ctx, key: &str, name: &str, members: &[AgencyId]) -> Result<i64>;
    async fn set_marac_members(&self, ctx: &Ctx, area: i64, members: &[AgencyId]) -> Result<()>;
    /// Schedule a meeting; referred cases not yet listed join its agenda.
    async fn schedule_marac_meeting(&self, ctx: &Ctx, area: i64, date: NaiveDate) -> Result<i64>;
    /// Load areas, their districts, members and meeting dates (demo, migrations).
    /// With `backfill`, high-risk referrals from the areas' districts are
    /// listed at the first meeting on or after their referral date (and
    /// marked heard when that meeting is before `today`).
    async fn seed_marac_areas(
        &self,
        ctx: &Ctx,
        areas: &[MaracAreaSeed],
        backfill: bool,
        rules: &MaracRules,
        today: NaiveDate,
    ) -> Result<()>;
    /// Refer a person to MARAC (any agency that can read the person). The
    /// repeat flag and the reasons come from the eligibility rules; a person
    /// who is not eligible, or already waiting to be heard, is refused.
    async fn refer_to_marac(
        &self,
        ctx: &Ctx,
        person: PersonId,
        area: i64,
        referral: Option<ReferralId>,
        rules: &MaracRules,
        today: NaiveDate,
    ) -> Result<Option<i64>>;
    async fn marac_agenda(&self, ctx: &Ctx, meeting: i64) -> Result<Option<Agenda>>;
    async fn marac_case(&self, ctx: &Ctx, case: i64) -> Result<Option<MaracCaseView>>;
    /// The caller's agency's research entry for a case (replaces the previous text).
    async fn save_marac_research(&self, ctx: &Ctx, case: i64, content: &str) -> Result<Option<()>>;
    async fn add_marac_action(&self, ctx: &Ctx, case: i64, a: &NewMaracAction) -> Result<Option<i64>>;
    /// The owner agency or the coordinator updates an action.
    async fn update_marac_action(&self, ctx: &Ctx, action: i64, status: ActionStatus, note: Option<&str>) -> Result<Option<()>>;
    async fn record_marac_outcome(&self, ctx: &Ctx, case: i64, outcome: MaracOutcome, notes: Option<&str>) -> Result<Option<()>>;
    /// Outstanding actions owned by the caller's agency, soonest due first.
    async fn agency_actions(&self, ctx: &Ctx) -> Result<Vec<AgencyActionRow>>;
    /// Demo data: give each caseholding team's open, unallocated referrals
    /// to its workers in turn. Returns how many were allocated.
    async fn allocate_open_cases(&self, ctx: &Ctx) -> Result<u64>;
    /// Record staff members' contracted FTE (username, 0–1.5) for the caseload monitor.
    async fn set_staff_fte(&self, ctx: &Ctx, staff: &[(String, f64)]) -> Result<()>;
    /// Cases heard in `period` (one area or all), for statistics.
    async fn marac_stat_cases(&self, ctx: &Ctx, area: Option<i64>, period: Period) -> Result<MaracStatInput>;
}
