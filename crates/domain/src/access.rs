//! Who may do what: roles, permissions and record scope, as pure functions.
//!
//! Two filters, in order: the *route* filter (`Role::allows`) decides whether
//! a role may use an action at all; the *record* filter (`person_access`)
//! decides, for one person's record, whether this user may see it and which
//! sensitive fields (safe-contact details, safe address) they may see.
//! Tested as a table at the bottom of this file.
use crate::ids::{AgencyId, TeamId, UserId};
use crate::risk::RiskLevel;
use crate::vocabulary;

vocabulary!(
    Role {
        Admin = "admin": "System administrator",
        Triage = "triage": "Front-door triage",
        Caseworker = "caseworker": "Caseworker",
        MaracCoordinator = "marac_coordinator": "MARAC coordinator",
        PartnerAgency = "partner_agency": "Partner agency representative",
        AccommodationManager = "accommodation_manager": "Accommodation manager",
        Commissioner = "commissioner": "Commissioner / analyst",
    }
);

vocabulary!(
    /// Every action a route can require.
    Permission {
        /// Anyone signed in: dashboard, own account, logout.
        SignedIn = "signed_in": "Signed in",
        SearchPeople = "search_people": "Search people",
        ReadPerson = "read_person": "Read a person's record",
        CreateReferral = "create_referral": "Create a referral",
        ManageUsers = "manage_users": "Manage users",
        ViewAudit = "view_audit": "View the audit log",
        ViewAggregates = "view_aggregates": "View aggregate figures",
        /// Complete a DASH checklist or a child's risk assessment.
        AssessRisk = "assess_risk": "Assess risk (DASH)",
        /// Work the front door's queue: see it, log contact attempts.
        TriageQueue = "triage_queue": "Work the triage queue",
        /// Route a referral and assign it to a team or worker.
        RouteReferral = "route_referral": "Route and assign referrals",
        /// Run the MARAC: areas, meetings, agendas, actions, outcomes.
        ManageMarac = "manage_marac": "Manage MARAC",
        /// Take part in a MARAC: agendas, research, own agency's actions.
        /// The record filter adds that the agency must be a member of the
        /// MARAC area (see `marac_member`).
        MaracMember = "marac_member": "MARAC member",
        /// See caseloads per worker and team against safe levels.
        ViewCaseloads = "view_caseloads": "View caseloads",
        /// Record linkage: run it, work the review queue of possible
        /// duplicates, merge and unmerge records. The record filter adds
        /// that the reviewer must be able to read both records.
        ReviewMatches = "review_matches": "Review possible duplicate records",
    }
);

impl Role {
    /// The route filter. Commissioners see aggregates only, never a person;
    /// administrators manage accounts and read the audit log, not case files.
    pub fn allows(self, p: Permission) -> bool {
        use Permission as P;
        use Role as R;
        match p {
            P::SignedIn => true,
            P::SearchPeople | P::ReadPerson | P::CreateReferral => {
                matches!(self, R::Triage | R::Caseworker | R::MaracCoordinator | R::PartnerAgency | R::AccommodationManager)
            }
            P::ManageUsers | P::ViewAudit => self == R::Admin,
            P::ViewAggregates => matches!(self, R::Commissioner | R::Admin | R::MaracCoordinator),
            P::AssessRisk => matches!(self, R::Triage | R::Caseworker | R::MaracCoordinator),
            P::TriageQueue | P::RouteReferral => self == R::Triage,
            P::ManageMarac => self == R::MaracCoordinator,
            P::MaracMember => matches!(self, R::MaracCoordinator | R::PartnerAgency | R::Caseworker),
            P::ViewCaseloads => matches!(self, R::Triage | R::Caseworker | R::MaracCoordinator | R::Commissioner),
            // The front door owns "no duplicate records"; admins do not read case files.
            P::ReviewMatches => self == R::Triage,
        }
    }
}

/// The signed-in user, as the policy needs to know them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: UserId,
    pub username: String,
    pub role: Role,
    pub agency_id: AgencyId,
    pub team_id: Option<TeamId>,
}

/// What the policy needs to know about one person's record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonFacts {
    /// Restricted records (e.g. a member of staff, a high-profile case) are
    /// seen only by the team the person is assigned to.
    pub restricted: bool,
    /// Agencies that referred this person.
    pub referring_agencies: Vec<AgencyId>,
    /// Teams the person's referrals or cases are assigned to.
    pub assigned_teams: Vec<TeamId>,
    /// Highest current risk level on any referral.
    pub highest_risk: Option<RiskLevel>,
}

/// The outcome of the record filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonAccess {
    /// Out of reach: answer exactly as if the record did not exist.
    Hidden,
    /// Identity, referrals and risk, without safe-contact details.
    Summary,
    /// Everything, including safe-contact details and safe address.
    Full,
}

impl PersonAccess {
    pub fn can_read(self) -> bool {
        self != PersonAccess::Hidden
    }
    pub fn sees_safe_contact(self) -> bool {
        self == PersonAccess::Full
    }
}

/// The record filter for one person.
pub fn person_access(who: &Principal, facts: &PersonFacts) -> PersonAccess {
    if !who.role.allows(Permission::ReadPerson) {
        return PersonAccess::Hidden;
    }
    let in_team = who.team_id.is_some_and(|t| facts.assigned_teams.contains(&t));
    if in_team {
        return PersonAccess::Full;
    }
    if facts.restricted {
        return PersonAccess::Hidden;
    }
    match who.role {
        // The front door works every referral that arrives and makes first contact.
        Role::Triage => PersonAccess::Full,
        // MARAC coordinators see high-risk cases, but contact goes through the IDVA.
        Role::MaracCoordinator if facts.highest_risk == Some(RiskLevel::High) => PersonAccess::Summary,
        // A partner agency sees the people it referred, not how to reach them.
        Role::PartnerAgency if facts.referring_agencies.contains(&who.agency_id) => PersonAccess::Summary,
        _ => PersonAccess::Hidden,
    }
}

/// The MARAC record filter: may this user read and write the research and
/// agenda of a MARAC area whose member agencies are `members`? The
/// coordinator always; other MARAC roles only when their agency is a member.
pub fn marac_member(who: &Principal, members: &[AgencyId]) -> bool {
    who.role.allows(Permission::MaracMember) && (who.role == Role::MaracCoordinator || members.contains(&who.agency_id))
}

/// A username: 2–40 characters of lower-case letters, digits, `.`, `_`, `-`.
pub fn parse_username(field: &str, raw: &str) -> Result<String, crate::error::FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(crate::error::FieldError::new(field, "is required"));
    }
    if !(2..=40).contains(&t.len()) || !t.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')) {
        return Err(crate::error::FieldError::new(field, "must be 2 to 40 lower-case letters, digits, dots, hyphens or underscores"));
    }
    Ok(t.to_string())
}

/// A new password: at least 12 characters (NCSC advice favours length).
pub fn check_password(field: &str, raw: &str) -> Result<(), crate::error::FieldError> {
    if raw.chars().count() < 12 {
        return Err(crate::error::FieldError::new(field, "must be at least 12 characters"));
    }
    if raw.len() > 1024 {
        return Err(crate::error::FieldError::new(field, "must be 1024 characters or fewer"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(role: Role, agency: i64, team: Option<i64>) -> Principal {
        Principal { user_id: UserId(1), username: "u".into(), role, agency_id: AgencyId(agency), team_id: team.map(TeamId) }
    }

    #[test]
    fn route_filter_table() {
        use Permission as P;
        use Role as R;
        // (role, permission, allowed)
        let table: &[(Role, Permission, bool)] = &[
            (R::Commissioner, P::SearchPeople, false),
            (R::Commissioner, P::ReadPerson, false),
            (R::Commissioner, P::ViewAggregates, true),
            (R::Commissioner, P::ManageUsers, false),
            (R::Admin, P::ManageUsers, true),
            (R::Admin, P::ViewAudit, true),
            (R::Admin, P::ReadPerson, false),
            (R::Triage, P::ReadPerson, true),
            (R::Triage, P::ManageUsers, false),
            (R::Triage, P::ViewAudit, false),
            (R::Caseworker, P::CreateReferral, true),
            (R::Caseworker, P::ManageUsers, false),
            (R::PartnerAgency, P::CreateReferral, true),
            (R::PartnerAgency, P::ViewAggregates, false),
            (R::AccommodationManager, P::SearchPeople, true),
            (R::MaracCoordinator, P::ViewAggregates, true),
            (R::Triage, P::AssessRisk, true),
            (R::Caseworker, P::AssessRisk, true),
            (R::MaracCoordinator, P::AssessRisk, true),
            (R::PartnerAgency, P::AssessRisk, false),
            (R::Commissioner, P::AssessRisk, false),
            (R::Admin, P::AssessRisk, false),
            (R::Triage, P::TriageQueue, true),
            (R::Caseworker, P::TriageQueue, false),
            (R::Triage, P::RouteReferral, true),
            (R::MaracCoordinator, P::RouteReferral, false),
            (R::MaracCoordinator, P::ManageMarac, true),
            (R::PartnerAgency, P::ManageMarac, false),
            (R::PartnerAgency, P::MaracMember, true),
            (R::Caseworker, P::MaracMember, true),
            (R::MaracCoordinator, P::MaracMember, true),
            (R::Triage, P::MaracMember, false),
            (R::AccommodationManager, P::MaracMember, false),
            (R::Commissioner, P::MaracMember, false),
            (R::Admin, P::MaracMember, false),
            (R::Commissioner, P::ViewCaseloads, true),
            (R::Caseworker, P::ViewCaseloads, true),
            (R::PartnerAgency, P::ViewCaseloads, false),
            (R::Admin, P::ViewCaseloads, false),
            (R::Triage, P::ReviewMatches, true),
            (R::Admin, P::ReviewMatches, false),
            (R::Caseworker, P::ReviewMatches, false),
            (R::MaracCoordinator, P::ReviewMatches, false),
            (R::PartnerAgency, P::ReviewMatches, false),
            (R::AccommodationManager, P::ReviewMatches, false),
            (R::Commissioner, P::ReviewMatches, false),
        ];
        for (r, p, want) in table {
            assert_eq!(r.allows(*p), *want, "{r:?} {p:?}");
        }
        for r in Role::ALL {
            assert!(r.allows(Permission::SignedIn));
        }
    }

    #[test]
    fn marac_membership_table() {
        use Role as R;
        let members = [AgencyId(2), AgencyId(3)];
        let rows = [
            (who(R::MaracCoordinator, 1, None), true),
            (who(R::PartnerAgency, 2, None), true),
            (who(R::PartnerAgency, 4, None), false),
            (who(R::Caseworker, 3, Some(11)), true),
            (who(R::Caseworker, 1, Some(11)), false),
            (who(R::Triage, 2, None), false),
            (who(R::Commissioner, 2, None), false),
            (who(R::Admin, 2, None), false),
        ];
        for (p, want) in rows {
            assert_eq!(marac_member(&p, &members), want, "{:?} agency {}", p.role, p.agency_id);
        }
    }

    #[test]
    fn record_filter_table() {
        let facts = |restricted: bool, agencies: &[i64], teams: &[i64], risk: Option<RiskLevel>| PersonFacts {
            restricted,
            referring_agencies: agencies.iter().copied().map(AgencyId).collect(),
            assigned_teams: teams.iter().copied().map(TeamId).collect(),
            highest_risk: risk,
        };
        use PersonAccess::*;
        use Role as R;
        let rows: Vec<(Principal, PersonFacts, PersonAccess)> = vec![
            (who(R::Triage, 1, Some(10)), facts(false, &[2], &[], None), Full),
            (who(R::Triage, 1, Some(10)), facts(true, &[2], &[11], None), Hidden),
            (who(R::Caseworker, 1, Some(11)), facts(true, &[2], &[11], None), Full),
            (who(R::Caseworker, 1, Some(11)), facts(false, &[2], &[12], None), Hidden),
            (who(R::Caseworker, 1, Some(11)), facts(false, &[2], &[11], None), Full),
            (who(R::PartnerAgency, 2, Some(20)), facts(false, &[2], &[11], None), Summary),
            (who(R::PartnerAgency, 3, Some(30)), facts(false, &[2], &[11], None), Hidden),
            (who(R::PartnerAgency, 2, Some(20)), facts(true, &[2], &[11], None), Hidden),
            (who(R::MaracCoordinator, 1, Some(13)), facts(false, &[2], &[11], Some(RiskLevel::High)), Summary),
            (who(R::MaracCoordinator, 1, Some(13)), facts(false, &[2], &[11], Some(RiskLevel::Medium)), Hidden),
            (who(R::Commissioner, 1, Some(14)), facts(false, &[1], &[14], Some(RiskLevel::High)), Hidden),
            (who(R::Admin, 1, None), facts(false, &[1], &[], None), Hidden),
            (who(R::AccommodationManager, 1, Some(15)), facts(false, &[2], &[15], None), Full),
            (who(R::AccommodationManager, 1, Some(15)), facts(false, &[2], &[11], None), Hidden),
        ];
        for (p, f, want) in rows {
            assert_eq!(person_access(&p, &f), want, "{:?} {:?}", p.role, f);
        }
    }
}
