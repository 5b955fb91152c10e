//! What the store hands back: plain values, already filtered by access.
use haven_domain::access::{PersonAccess, Role};
use haven_domain::ids::{AgencyId, PersonId, ReferralId, TeamId, UserId};
use haven_domain::referral::SafeContact;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Agency key (e.g. `police`).
    pub agency: String,
    /// Team key, if any.
    pub team: Option<String>,
    pub password_hash: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserSummary {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub agency: String,
    pub team: Option<String>,
    pub disabled: bool,
}

#[derive(Debug, Clone)]
pub struct LoginRecord {
    pub user_id: UserId,
    pub password_hash: String,
    pub disabled: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyRow {
    #[schema(value_type = i64)]
    pub id: AgencyId,
    pub key: String,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TeamRow {
    #[schema(value_type = i64)]
    pub id: TeamId,
    pub key: String,
    pub name: String,
    pub kind: String,
    pub agency: String,
}

/// One search result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonHit {
    #[schema(value_type = i64)]
    pub id: PersonId,
    pub given_name: String,
    pub family_name: String,
    /// YYYY-MM-DD
    pub date_of_birth: Option<String>,
    pub sex: String,
    pub postcode: Option<String>,
    /// How well the record matches the query, 0–1.
    pub score: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralSummary {
    #[schema(value_type = i64)]
    pub id: ReferralId,
    pub referral_date: String,
    pub source_agency: String,
    pub referring_agency: Option<String>,
    pub reason: String,
    pub consent: bool,
    pub lawful_basis: String,
    pub risk_level: Option<String>,
    pub dash_score: Option<i64>,
    pub police_incident: bool,
    pub assigned_team: Option<String>,
    pub status: String,
}

/// Someone linked to the person through a referral or relationship.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkedPerson {
    #[schema(value_type = i64)]
    pub id: PersonId,
    pub name: String,
    /// `alleged_perpetrator`, `child`, `victim`, `other`.
    pub role: String,
    pub date_of_birth: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SafeContactView {
    pub safe_to_call: Option<bool>,
    pub safe_to_text: Option<bool>,
    pub safe_to_email: Option<bool>,
    pub safe_to_leave_message: Option<bool>,
    pub safe_times: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub safe_address: Option<String>,
    /// What must not be done, for the banner.
    pub warnings: Vec<String>,
}

impl SafeContactView {
    pub fn from_domain(s: &SafeContact) -> Self {
        Self {
            safe_to_call: s.safe_to_call,
            safe_to_text: s.safe_to_text,
            safe_to_email: s.safe_to_email,
            safe_to_leave_message: s.safe_to_leave_message,
            safe_times: s.safe_times.clone(),
            phone: s.phone.as_ref().map(|p| p.as_str().to_string()),
            email: s.email.clone(),
            safe_address: s.safe_address.clone(),
            warnings: s.warnings().into_iter().map(String::from).collect(),
        }
    }
}

/// A person's record as this caller may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonRecord {
    #[schema(value_type = i64)]
    pub id: PersonId,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Option<String>,
    pub age: Option<u32>,
    pub sex: String,
    pub postcode: Option<String>,
    pub restricted: bool,
    pub characteristics: std::collections::BTreeMap<String, String>,
    pub referrals: Vec<ReferralSummary>,
    pub linked_people: Vec<LinkedPerson>,
    /// Present only to those who need it (the assigned team and the front door).
    pub safe_contact: Option<SafeContactView>,
    /// `true` when safe-contact details exist but are withheld from this caller.
    pub safe_contact_withheld: bool,
    #[serde(skip)]
    pub access: Option<PersonAccess>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueueItem {
    #[schema(value_type = i64)]
    pub referral_id: ReferralId,
    #[schema(value_type = i64)]
    pub person_id: PersonId,
    pub person_name: String,
    pub referral_date: String,
    pub source_agency: String,
    pub risk_level: Option<String>,
    pub assigned_team: Option<String>,
    pub status: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Count {
    pub label: String,
    /// `None` when suppressed (fewer than 5 and published).
    pub value: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    pub heading: String,
    pub counts: Vec<Count>,
    pub queue_title: Option<String>,
    pub queue: Vec<QueueItem>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub limit: i64,
    pub username: Option<String>,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub action: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditRow {
    pub id: i64,
    /// RFC 3339 UTC.
    pub at: String,
    pub user: String,
    pub action: String,
    /// `type:id`, e.g. `person:42`.
    pub record: String,
    pub detail: String,
    pub source: String,
    pub hash: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditVerification {
    pub rows: i64,
    pub head_hash: String,
    /// The id of the first row whose hash does not match, if any.
    pub first_broken: Option<i64>,
}

/// Rows for bulk loading a synthetic or migrated partnership.
pub mod bulk {
    use chrono::NaiveDate;
    use haven_domain::person::{Ethnicity, RelationshipKind, Sex, SexualOrientation, YesNoUnknown};
    use haven_domain::risk::RiskLevel;

    #[derive(Debug, Clone)]
    pub struct Person {
        pub given_name: String,
        pub family_name: String,
        pub date_of_birth: Option<NaiveDate>,
        pub sex: Sex,
        pub postcode: Option<String>,
        pub ethnicity: Ethnicity,
        pub disability: YesNoUnknown,
        pub sexual_orientation: SexualOrientation,
    }

    #[derive(Debug, Clone)]
    pub struct Referral {
        pub person_id: i64,
        pub perpetrator_id: Option<i64>,
        pub relationship: Option<RelationshipKind>,
        pub child_ids: Vec<i64>,
        pub source_agency_kind: String,
        pub referring_agency_key: Option<String>,
        pub referral_date: NaiveDate,
        pub reason: String,
        pub consent: bool,
        pub risk_level: Option<RiskLevel>,
        pub dash_score: Option<i64>,
        pub police_incident: bool,
        pub district_key: Option<String>,
        pub assigned_team_key: Option<String>,
        pub status: String,
        pub safe_to_call: Option<bool>,
        pub safe_to_text: Option<bool>,
        pub safe_times: Option<String>,
    }
}
