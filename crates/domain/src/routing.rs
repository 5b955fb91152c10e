//! Routing: "resources follow risk" (seed 004 Appendix 2), and the capacity
//! a worker sees at the moment of routing.
//!
//! * [`route`] turns a risk level and presenting needs into pathways:
//!   standard → advice and signposting / volunteer support; medium →
//!   outreach / community caseworker; high → IDVA and MARAC; a need for safe
//!   accommodation adds a refuge or sanctuary referral (refuge is a last
//!   resort: only when the person must leave). The pathways per level are a
//!   [`RoutingPolicy`] (configuration).
//! * [`RoutingDecision::with_marac`] adds MARAC (and IDVA) when a case is
//!   MARAC-eligible on other grounds (escalation, repeat).
//! * [`TeamCapacity`] and [`caseload_monitor`] compute cases per FTE,
//!   utilisation against the safe caseload, and warnings, for the routing
//!   screen and the IDVA caseload monitor. Default safe caseloads are the
//!   seed's (004: an IDVA can hold 65 high-risk or 85 medium-risk cases a
//!   year per FTE; [`CaseloadNorms`]).
use crate::agency::TeamKind;
use crate::dash::config_error;
use crate::error::{FieldError, ValidationErrors};
use crate::ids::UserId;
use crate::marac::Eligibility;
use crate::risk::RiskLevel;
use crate::vocabulary;
use serde::{Deserialize, Serialize};
use std::fmt;

vocabulary!(
    /// Presenting needs that change where a referral goes. (The full needs
    /// domains of a support plan live with case management; only these
    /// affect routing.)
    RoutingNeed {
        MustLeaveHome = "must_leave_home": "Must leave home now (needs refuge or other safe accommodation)",
        StayHomeSafely = "stay_home_safely": "Wants to stay at home safely (sanctuary scheme)",
        ChildrenSupport = "children_support": "Children need support in their own right",
    }
);

vocabulary!(
    /// Where a referral can be sent.
    Pathway {
        Advice = "advice": "Advice and signposting",
        Volunteer = "volunteer": "Volunteer support service",
        Outreach = "outreach": "Outreach / community caseworker",
        Idva = "idva": "IDVA service",
        Marac = "marac": "MARAC referral",
        Refuge = "refuge": "Refuge / safe accommodation referral",
        Sanctuary = "sanctuary": "Sanctuary scheme referral",
        ChildrenYoungPeople = "cyp": "Children and young people's service",
    }
);

impl Pathway {
    /// The partnership team that takes this pathway's referrals, if it is
    /// one of ours (volunteer and sanctuary schemes are usually external).
    pub fn team(self) -> Option<TeamKind> {
        match self {
            Pathway::Advice => Some(TeamKind::FrontDoor),
            Pathway::Volunteer | Pathway::Sanctuary => None,
            Pathway::Outreach => Some(TeamKind::Outreach),
            Pathway::Idva => Some(TeamKind::Idva),
            Pathway::Marac => Some(TeamKind::Marac),
            Pathway::Refuge => Some(TeamKind::Refuge),
            Pathway::ChildrenYoungPeople => Some(TeamKind::ChildrenYoungPeople),
        }
    }
}

/// The pathways each risk level is routed to; configuration.
///
/// Settings (TOML), defaults shown:
/// ```toml
/// [routing]
/// standard = ["advice", "volunteer"]
/// medium = ["outreach"]
/// high = ["idva", "marac"]
/// ```
/// Each list must be non-empty and without repeats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawRoutingPolicy")]
pub struct RoutingPolicy {
    standard: Vec<Pathway>,
    medium: Vec<Pathway>,
    high: Vec<Pathway>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawRoutingPolicy {
    standard: Vec<Pathway>,
    medium: Vec<Pathway>,
    high: Vec<Pathway>,
}

impl Default for RawRoutingPolicy {
    fn default() -> Self {
        let d = RoutingPolicy::default();
        Self { standard: d.standard, medium: d.medium, high: d.high }
    }
}

impl TryFrom<RawRoutingPolicy> for RoutingPolicy {
    type Error = String;
    fn try_from(r: RawRoutingPolicy) -> Result<Self, String> {
        Self::new(r.standard, r.medium, r.high).map_err(|e| config_error(&e))
    }
}

impl Default for RoutingPolicy {
    fn default() -> Self {
        Self {
            standard: vec![Pathway::Advice, Pathway::Volunteer],
            medium: vec![Pathway::Outreach],
            high: vec![Pathway::Idva, Pathway::Marac],
        }
    }
}

impl RoutingPolicy {
    /// Errors name `standard`, `medium` or `high`.
    pub fn new(standard: Vec<Pathway>, medium: Vec<Pathway>, high: Vec<Pathway>) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        for (field, list) in [("standard", &standard), ("medium", &medium), ("high", &high)] {
            if list.is_empty() {
                errs.push(FieldError::new(field, "must name at least one pathway"));
            }
            if list.iter().enumerate().any(|(i, p)| list[..i].contains(p)) {
                errs.push(FieldError::new(field, "must not name a pathway twice"));
            }
        }
        if errs.is_empty() { Ok(Self { standard, medium, high }) } else { Err(errs) }
    }
    pub fn pathways(&self, risk: RiskLevel) -> &[Pathway] {
        match risk {
            RiskLevel::Standard => &self.standard,
            RiskLevel::Medium => &self.medium,
            RiskLevel::High => &self.high,
        }
    }
}

/// One pathway in a decision, with the reason shown to the worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoutedPathway {
    pub pathway: Pathway,
    pub team: Option<TeamKind>,
    pub reason: String,
}

/// Where a referral should go, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoutingDecision {
    pub risk: RiskLevel,
    /// Risk-led pathways first (in policy order), then need-led ones.
    pub pathways: Vec<RoutedPathway>,
}

impl RoutingDecision {
    pub fn includes(&self, p: Pathway) -> bool {
        self.pathways.iter().any(|r| r.pathway == p)
    }

    fn add(&mut self, pathway: Pathway, reason: String) {
        if !self.includes(pathway) {
            self.pathways.push(RoutedPathway { pathway, team: pathway.team(), reason });
        }
    }

    /// Add MARAC and IDVA when the case is MARAC-eligible (escalation or a
    /// repeat can make a medium-risk case eligible); no change otherwise.
    pub fn with_marac(mut self, eligibility: &Eligibility) -> Self {
        if eligibility.eligible {
            let why = eligibility.messages().join("; ");
            self.add(Pathway::Marac, format!("MARAC-eligible: {why}"));
            self.add(Pathway::Idva, "MARAC cases are offered an IDVA".to_string());
        }
        self
    }

    /// The pathways as plain pathway values, in order.
    pub fn pathway_list(&self) -> Vec<Pathway> {
        self.pathways.iter().map(|r| r.pathway).collect()
    }
}

/// Route a referral: resources follow risk, and needs add pathways.
pub fn route(risk: RiskLevel, needs: &[RoutingNeed], policy: &RoutingPolicy) -> RoutingDecision {
    let mut d = RoutingDecision { risk, pathways: Vec::new() };
    for p in policy.pathways(risk) {
        d.add(*p, format!("{} risk: {}", risk.label(), p.label().to_lowercase()));
    }
    for need in needs {
        let (p, why) = match need {
            RoutingNeed::MustLeaveHome => (Pathway::Refuge, "Must leave home now: refuge or other safe accommodation"),
            RoutingNeed::StayHomeSafely => (Pathway::Sanctuary, "Wants to stay at home safely: sanctuary scheme"),
            RoutingNeed::ChildrenSupport => (Pathway::ChildrenYoungPeople, "Children need support in their own right"),
        };
        d.add(p, why.to_string());
    }
    d
}

// ---------------------------------------------------------------------------
// Capacity

/// Safe caseloads: cases a year per full-time worker, by risk; configuration.
/// Defaults from seed 004 (needs estimate: "an IDVA caseload of 65 for high
/// risk victims and 85 for medium risk victims"). SafeLives' own guidance is
/// 60–80 a year per FTE IDVA; 004 §2 cites 60–70.
///
/// ```toml
/// [caseload]
/// high_per_fte = 65
/// medium_per_fte = 85
/// near_pct = 90   # "near capacity" from this utilisation
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawCaseloadNorms")]
pub struct CaseloadNorms {
    high_per_fte: f64,
    medium_per_fte: f64,
    near_pct: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawCaseloadNorms {
    high_per_fte: f64,
    medium_per_fte: f64,
    near_pct: f64,
}

impl Default for RawCaseloadNorms {
    fn default() -> Self {
        Self { high_per_fte: 65.0, medium_per_fte: 85.0, near_pct: 90.0 }
    }
}

impl TryFrom<RawCaseloadNorms> for CaseloadNorms {
    type Error = String;
    fn try_from(r: RawCaseloadNorms) -> Result<Self, String> {
        Self::new(r.high_per_fte, r.medium_per_fte, r.near_pct).map_err(|e| config_error(&e))
    }
}

impl Default for CaseloadNorms {
    fn default() -> Self {
        Self { high_per_fte: 65.0, medium_per_fte: 85.0, near_pct: 90.0 }
    }
}

impl CaseloadNorms {
    /// Caseloads 1–1,000 a year; `near_pct` 1–100. Errors name the field.
    pub fn new(high_per_fte: f64, medium_per_fte: f64, near_pct: f64) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        for (field, v) in [("high_per_fte", high_per_fte), ("medium_per_fte", medium_per_fte)] {
            if !(v.is_finite() && (1.0..=1000.0).contains(&v)) {
                errs.push(FieldError::new(field, "must be between 1 and 1000 cases a year"));
            }
        }
        if !(near_pct.is_finite() && (1.0..=100.0).contains(&near_pct)) {
            errs.push(FieldError::new("near_pct", "must be between 1 and 100"));
        }
        if errs.is_empty() { Ok(Self { high_per_fte, medium_per_fte, near_pct }) } else { Err(errs) }
    }
    pub fn high_per_fte(&self) -> f64 {
        self.high_per_fte
    }
    pub fn medium_per_fte(&self) -> f64 {
        self.medium_per_fte
    }
    pub fn near_pct(&self) -> f64 {
        self.near_pct
    }
    /// FTE needed for a year's cases: `high / 65 + medium / 85` by default
    /// (004: 1,000 high and 1,000 medium → 15.4 + 11.8 ≈ 27 IDVAs).
    pub fn fte_needed(&self, high: u32, medium: u32) -> f64 {
        f64::from(high) / self.high_per_fte + f64::from(medium) / self.medium_per_fte
    }
    /// The safe caseload per FTE for a mix of cases: all high → 65, all
    /// medium → 85, a mix in between (weighted so that the FTE needed is
    /// the same). With no cases, the high-risk norm (the stricter).
    pub fn blended(&self, high: u32, medium: u32) -> f64 {
        let total = f64::from(high) + f64::from(medium);
        if total == 0.0 { self.high_per_fte } else { total / self.fte_needed(high, medium) }
    }
}

/// How full a team or worker is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapacityStatus {
    /// Below the "near" utilisation.
    Within,
    /// At or above `near_pct`, up to and including 100%.
    Near,
    /// Above the safe caseload (more than 100%).
    Over,
    /// Cases but no staff time (FTE of zero).
    NoStaff,
}

/// A team's capacity at the moment of routing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamCapacity {
    pub team: TeamKind,
    /// Display name ("North IDVA team").
    pub name: String,
    /// Full-time equivalent staff holding cases.
    pub fte: f64,
    pub open_cases: u32,
    /// Cases taken on in the 12 months to today.
    pub taken_last_12_months: u32,
    /// Safe cases a year per FTE (see [`CaseloadNorms::blended`]).
    pub safe_caseload_per_fte: f64,
    pub waiting_list: u32,
}

/// Computed capacity figures, ready to display.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityView {
    /// Cases taken in the last 12 months per FTE.
    pub cases_per_fte: Option<f64>,
    pub open_cases_per_fte: Option<f64>,
    /// `cases_per_fte / safe_caseload_per_fte × 100`.
    pub utilisation_pct: Option<f64>,
    pub status: CapacityStatus,
    /// Shown in amber/red when present.
    pub warning: Option<String>,
}

fn per_fte(n: u32, fte: f64) -> Option<f64> {
    (fte > 0.0 && fte.is_finite()).then(|| f64::from(n) / fte)
}

fn status_for(utilisation: Option<f64>, cases: u32, near_pct: f64) -> CapacityStatus {
    match utilisation {
        None if cases > 0 => CapacityStatus::NoStaff,
        None => CapacityStatus::Within,
        Some(u) if u > 100.0 => CapacityStatus::Over,
        Some(u) if u >= near_pct => CapacityStatus::Near,
        Some(_) => CapacityStatus::Within,
    }
}

impl TeamCapacity {
    /// Errors name `fte` (0–10,000), `safe_caseload_per_fte` (1–1,000) and
    /// `name` (required).
    pub fn new(
        team: TeamKind,
        name: &str,
        fte: f64,
        open_cases: u32,
        taken_last_12_months: u32,
        safe_caseload_per_fte: f64,
        waiting_list: u32,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        if name.trim().is_empty() {
            errs.push(FieldError::new("name", "is required"));
        }
        if !(fte.is_finite() && (0.0..=10_000.0).contains(&fte)) {
            errs.push(FieldError::new("fte", "must be between 0 and 10000"));
        }
        if !(safe_caseload_per_fte.is_finite() && (1.0..=1000.0).contains(&safe_caseload_per_fte)) {
            errs.push(FieldError::new("safe_caseload_per_fte", "must be between 1 and 1000"));
        }
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(Self { team, name: name.trim().to_string(), fte, open_cases, taken_last_12_months, safe_caseload_per_fte, waiting_list })
    }

    /// Cases taken in the last 12 months per FTE; `None` with no staff.
    pub fn cases_per_fte(&self) -> Option<f64> {
        per_fte(self.taken_last_12_months, self.fte)
    }
    pub fn open_cases_per_fte(&self) -> Option<f64> {
        per_fte(self.open_cases, self.fte)
    }
    /// Cases per FTE as a percentage of the safe caseload.
    pub fn utilisation_pct(&self) -> Option<f64> {
        let c = self.cases_per_fte()?;
        (self.safe_caseload_per_fte > 0.0).then(|| c * 100.0 / self.safe_caseload_per_fte)
    }
    /// Strictly above the safe caseload, or cases with no staff.
    pub fn over_safe_level(&self) -> bool {
        matches!(self.status(&CaseloadNorms::default()), CapacityStatus::Over | CapacityStatus::NoStaff)
    }
    /// How many more cases the team can take this year at the safe level
    /// (negative when over).
    pub fn spare_annual_capacity(&self) -> f64 {
        self.safe_caseload_per_fte * self.fte - f64::from(self.taken_last_12_months)
    }
    pub fn status(&self, norms: &CaseloadNorms) -> CapacityStatus {
        status_for(self.utilisation_pct(), self.taken_last_12_months.max(self.open_cases), norms.near_pct)
    }
    /// Everything the routing screen shows for this team.
    pub fn view(&self, norms: &CaseloadNorms) -> CapacityView {
        let status = self.status(norms);
        let mut warning = match (status, self.cases_per_fte(), self.utilisation_pct()) {
            (CapacityStatus::Over, Some(c), Some(u)) => Some(format!(
                "{}: {c:.0} cases per FTE in the last 12 months, above the safe level of {:.0} ({u:.0}%)",
                self.name, self.safe_caseload_per_fte
            )),
            (CapacityStatus::NoStaff, _, _) => Some(format!("{}: cases but no staff time recorded", self.name)),
            _ => None,
        };
        if self.waiting_list > 0 {
            let w = format!("{} waiting", self.waiting_list);
            warning = Some(match warning {
                Some(s) => format!("{s}; {w}"),
                None => format!("{}: {w}", self.name),
            });
        }
        CapacityView {
            cases_per_fte: self.cases_per_fte(),
            open_cases_per_fte: self.open_cases_per_fte(),
            utilisation_pct: self.utilisation_pct(),
            status,
            warning,
        }
    }
}

/// A pathway of a decision with the capacity of the team that would take it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathwayCapacity<'a> {
    pub pathway: Pathway,
    pub team: &'a TeamCapacity,
    pub view: CapacityView,
}

impl RoutingDecision {
    /// Capacity of every team that serves one of the decision's pathways,
    /// to show at the moment of routing.
    pub fn capacity<'a>(&self, teams: &'a [TeamCapacity], norms: &CaseloadNorms) -> Vec<PathwayCapacity<'a>> {
        self.pathways
            .iter()
            .flat_map(|r| {
                teams.iter().filter(move |t| Some(t.team) == r.team).map(move |t| PathwayCapacity {
                    pathway: r.pathway,
                    team: t,
                    view: t.view(norms),
                })
            })
            .collect()
    }
}

/// One worker's caseload, for the IDVA caseload monitor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerCaseload {
    pub worker: UserId,
    pub name: String,
    pub fte: f64,
    pub open_cases: u32,
    /// Of the cases taken in the last 12 months, how many were high and
    /// medium risk (standard counts as medium for the norm).
    pub taken_high: u32,
    pub taken_medium: u32,
}

/// One worker's line in the monitor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkerStatus {
    pub worker: UserId,
    pub name: String,
    pub taken_last_12_months: u32,
    pub safe_caseload_per_fte: f64,
    pub view: CapacityView,
}

/// The caseload monitor: each worker and the team as a whole.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseloadMonitor {
    pub workers: Vec<WorkerStatus>,
    pub team: TeamCapacity,
    pub team_view: CapacityView,
}

impl fmt::Display for CapacityStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CapacityStatus::Within => "Within safe caseload",
            CapacityStatus::Near => "Near safe caseload",
            CapacityStatus::Over => "Above safe caseload",
            CapacityStatus::NoStaff => "No staff time",
        })
    }
}

/// Caseload per worker and for the team, each against the safe caseload for
/// its own mix of high- and medium-risk cases, with warnings above it.
/// Workers are listed most loaded first.
pub fn caseload_monitor(
    team: TeamKind,
    team_name: &str,
    workers: &[WorkerCaseload],
    waiting_list: u32,
    norms: &CaseloadNorms,
) -> CaseloadMonitor {
    let mut lines: Vec<WorkerStatus> = workers
        .iter()
        .map(|w| {
            let taken = w.taken_high.saturating_add(w.taken_medium);
            let t = TeamCapacity {
                team,
                name: w.name.clone(),
                fte: w.fte,
                open_cases: w.open_cases,
                taken_last_12_months: taken,
                safe_caseload_per_fte: norms.blended(w.taken_high, w.taken_medium),
                waiting_list: 0,
            };
            WorkerStatus {
                worker: w.worker,
                name: w.name.clone(),
                taken_last_12_months: taken,
                safe_caseload_per_fte: t.safe_caseload_per_fte,
                view: t.view(norms),
            }
        })
        .collect();
    lines.sort_by(|a, b| {
        let ua = a.view.utilisation_pct.unwrap_or(f64::INFINITY);
        let ub = b.view.utilisation_pct.unwrap_or(f64::INFINITY);
        ub.total_cmp(&ua).then_with(|| a.name.cmp(&b.name))
    });
    let high: u32 = workers.iter().map(|w| w.taken_high).fold(0, u32::saturating_add);
    let medium: u32 = workers.iter().map(|w| w.taken_medium).fold(0, u32::saturating_add);
    let team_cap = TeamCapacity {
        team,
        name: team_name.to_string(),
        fte: workers.iter().map(|w| w.fte).filter(|f| f.is_finite() && *f > 0.0).sum(),
        open_cases: workers.iter().map(|w| w.open_cases).fold(0, u32::saturating_add),
        taken_last_12_months: high.saturating_add(medium),
        safe_caseload_per_fte: norms.blended(high, medium),
        waiting_list,
    };
    let team_view = team_cap.view(norms);
    CaseloadMonitor { workers: lines, team: team_cap, team_view }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::marac::{Eligibility, EligibilityReason};
    use proptest::prelude::*;

    #[test]
    fn resources_follow_risk() {
        let p = RoutingPolicy::default();
        assert_eq!(route(RiskLevel::Standard, &[], &p).pathway_list(), [Pathway::Advice, Pathway::Volunteer]);
        assert_eq!(route(RiskLevel::Medium, &[], &p).pathway_list(), [Pathway::Outreach]);
        let high = route(RiskLevel::High, &[], &p);
        assert_eq!(high.pathway_list(), [Pathway::Idva, Pathway::Marac]);
        assert_eq!(high.pathways[0].reason, "High risk: idva service");
        assert_eq!(high.pathways[0].team, Some(TeamKind::Idva));
    }

    #[test]
    fn accommodation_adds_refuge_or_sanctuary() {
        let p = RoutingPolicy::default();
        let d = route(RiskLevel::Medium, &[RoutingNeed::MustLeaveHome, RoutingNeed::MustLeaveHome], &p);
        assert_eq!(d.pathway_list(), [Pathway::Outreach, Pathway::Refuge]);
        let d = route(RiskLevel::Standard, &[RoutingNeed::StayHomeSafely, RoutingNeed::ChildrenSupport], &p);
        assert_eq!(d.pathway_list(), [Pathway::Advice, Pathway::Volunteer, Pathway::Sanctuary, Pathway::ChildrenYoungPeople]);
        assert!(!route(RiskLevel::High, &[], &p).includes(Pathway::Refuge), "refuge only where needed");
    }

    #[test]
    fn marac_eligibility_adds_marac_and_idva() {
        let p = RoutingPolicy::default();
        let e = Eligibility {
            eligible: true,
            reasons: vec![EligibilityReason::Escalation {
                incidents: 3,
                window_months: 12,
                to: chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
                police_only: true,
            }],
        };
        let d = route(RiskLevel::Medium, &[], &p).with_marac(&e);
        assert_eq!(d.pathway_list(), [Pathway::Outreach, Pathway::Marac, Pathway::Idva]);
        assert!(d.pathways[1].reason.contains("3 police incidents"));
        let not = Eligibility { eligible: false, reasons: vec![] };
        assert_eq!(route(RiskLevel::Medium, &[], &p).with_marac(&not).pathway_list(), [Pathway::Outreach]);
        assert_eq!(route(RiskLevel::High, &[], &p).with_marac(&e).pathways.len(), 2);
    }

    #[test]
    fn policy_is_configurable_and_validated() {
        let p: RoutingPolicy = toml::from_str("medium = [\"outreach\", \"idva\"]").unwrap();
        assert_eq!(route(RiskLevel::Medium, &[], &p).pathway_list(), [Pathway::Outreach, Pathway::Idva]);
        assert_eq!(p.pathways(RiskLevel::High), [Pathway::Idva, Pathway::Marac]);
        assert!(toml::from_str::<RoutingPolicy>("medium = []").unwrap_err().to_string().contains("medium: must name"));
        assert!(toml::from_str::<RoutingPolicy>("low = [\"advice\"]").is_err());
        assert!(toml::from_str::<RoutingPolicy>("high = [\"idva\", \"idva\"]").is_err());
        assert!(toml::from_str::<RoutingPolicy>("high = [\"helicopter\"]").is_err());
    }

    #[test]
    fn norms_reproduce_004() {
        let n = CaseloadNorms::default();
        // 004 Appendix 6: 1,000 high → 15 IDVAs, 1,000 medium → 12, total 27.
        assert_eq!((f64::from(1000u32) / n.high_per_fte()).round(), 15.0);
        assert_eq!((f64::from(1000u32) / n.medium_per_fte()).round(), 12.0);
        assert_eq!(n.fte_needed(1000, 1000).round(), 27.0);
        assert_eq!(n.blended(10, 0), 65.0);
        assert_eq!(n.blended(0, 10), 85.0);
        let b = n.blended(1000, 1000);
        assert!(b > 65.0 && b < 85.0);
        let n2: CaseloadNorms = toml::from_str("high_per_fte = 60").unwrap();
        assert_eq!(n2.high_per_fte(), 60.0);
        assert!(toml::from_str::<CaseloadNorms>("high_per_fte = 0").is_err());
        assert!(toml::from_str::<CaseloadNorms>("near = 80").is_err());
    }

    #[test]
    fn hertfordshire_idva_team_is_over_safe_level() {
        // 004: 6 IDVAs took 694 high-risk victims: ≈116 per FTE vs 65 safe.
        let t = TeamCapacity::new(TeamKind::Idva, "Herts IDVA service", 6.0, 300, 694, 65.0, 40).unwrap();
        assert_eq!(t.cases_per_fte().unwrap().round(), 116.0);
        assert_eq!(t.utilisation_pct().unwrap().round(), 178.0);
        assert!(t.over_safe_level());
        let v = t.view(&CaseloadNorms::default());
        assert_eq!(v.status, CapacityStatus::Over);
        let w = v.warning.unwrap();
        assert!(w.contains("116 cases per FTE") && w.contains("safe level of 65") && w.contains("40 waiting"), "{w}");
        assert_eq!(t.spare_annual_capacity(), 390.0 - 694.0);
    }

    #[test]
    fn capacity_edges() {
        let n = CaseloadNorms::default();
        let at = |taken| TeamCapacity::new(TeamKind::Outreach, "Outreach", 1.0, 0, taken, 85.0, 0).unwrap();
        assert_eq!(at(85).status(&n), CapacityStatus::Near, "exactly at the safe level is not over");
        assert!(!at(85).over_safe_level());
        assert_eq!(at(86).status(&n), CapacityStatus::Over);
        assert_eq!(at(76).status(&n), CapacityStatus::Within); // 89.4%
        assert_eq!(at(77).status(&n), CapacityStatus::Near); // 90.6%
        let none = TeamCapacity::new(TeamKind::Refuge, "Refuge", 0.0, 3, 0, 20.0, 0).unwrap();
        assert_eq!(none.cases_per_fte(), None);
        assert_eq!(none.status(&n), CapacityStatus::NoStaff);
        assert!(none.over_safe_level());
        let e = TeamCapacity::new(TeamKind::Idva, " ", -1.0, 0, 0, 0.0, 0).unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "fte", "safe_caseload_per_fte"]);
    }

    #[test]
    fn capacity_shown_at_routing() {
        let n = CaseloadNorms::default();
        let teams = vec![
            TeamCapacity::new(TeamKind::Idva, "IDVA", 6.0, 100, 694, 65.0, 0).unwrap(),
            TeamCapacity::new(TeamKind::Outreach, "Outreach", 2.0, 50, 100, 85.0, 0).unwrap(),
        ];
        let d = route(RiskLevel::High, &[], &RoutingPolicy::default());
        let caps = d.capacity(&teams, &n);
        assert_eq!(caps.len(), 1);
        assert_eq!(caps[0].pathway, Pathway::Idva);
        assert_eq!(caps[0].view.status, CapacityStatus::Over);
    }

    #[test]
    fn idva_caseload_monitor() {
        let n = CaseloadNorms::default();
        let workers = vec![
            WorkerCaseload { worker: UserId(1), name: "Asha".into(), fte: 1.0, open_cases: 30, taken_high: 60, taken_medium: 0 },
            WorkerCaseload { worker: UserId(2), name: "Ben".into(), fte: 0.5, open_cases: 25, taken_high: 40, taken_medium: 10 },
            WorkerCaseload { worker: UserId(3), name: "Cara".into(), fte: 1.0, open_cases: 20, taken_high: 0, taken_medium: 50 },
        ];
        let m = caseload_monitor(TeamKind::Idva, "IDVA team", &workers, 5, &n);
        assert_eq!(m.workers[0].name, "Ben", "most loaded first");
        assert_eq!(m.workers[0].view.status, CapacityStatus::Over);
        assert!(m.workers[0].view.warning.as_deref().unwrap().starts_with("Ben: 100 cases per FTE"));
        assert_eq!(m.workers[1].name, "Asha");
        assert_eq!(m.workers[1].view.status, CapacityStatus::Near); // 60/65 = 92%
        assert_eq!(m.workers[2].view.status, CapacityStatus::Within); // 50/85
        assert_eq!(m.team.fte, 2.5);
        assert_eq!(m.team.taken_last_12_months, 160);
        // FTE needed 100/65 + 60/85 = 2.24 of 2.5: 89.8%, just within.
        assert_eq!(m.team_view.status, CapacityStatus::Within);
        assert_eq!(m.team_view.utilisation_pct.unwrap().round(), 90.0);
        assert!(m.team_view.warning.as_deref().unwrap().contains("5 waiting"));
    }

    proptest! {
        #[test]
        fn every_level_routes_somewhere_and_high_goes_to_marac(lvl in 0usize..3, needs in proptest::collection::vec(0usize..3, 0..4)) {
            let risk = RiskLevel::ALL[lvl];
            let needs: Vec<_> = needs.into_iter().map(|i| RoutingNeed::ALL[i]).collect();
            let d = route(risk, &needs, &RoutingPolicy::default());
            prop_assert!(!d.pathways.is_empty());
            prop_assert_eq!(d.includes(Pathway::Marac), risk == RiskLevel::High);
            prop_assert_eq!(d.includes(Pathway::Refuge), needs.contains(&RoutingNeed::MustLeaveHome));
            let list = d.pathway_list();
            prop_assert!(list.iter().enumerate().all(|(i, p)| !list[..i].contains(p)));
        }

        #[test]
        fn utilisation_is_monotonic(taken in 0u32..1000, extra in 0u32..100, fte in 0.1f64..20.0) {
            let a = TeamCapacity::new(TeamKind::Idva, "t", fte, 0, taken, 65.0, 0).unwrap();
            let b = TeamCapacity::new(TeamKind::Idva, "t", fte, 0, taken + extra, 65.0, 0).unwrap();
            prop_assert!(b.utilisation_pct().unwrap() >= a.utilisation_pct().unwrap());
            prop_assert!(b.status(&CaseloadNorms::default()) >= a.status(&CaseloadNorms::default()));
        }
    }
}
