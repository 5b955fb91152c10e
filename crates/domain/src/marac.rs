//! MARAC: who is eligible (and why), and the statistics a MARAC reports.
//!
//! # Eligibility
//!
//! [`marac_eligibility`] applies the four SafeLives referral criteria that
//! can be decided from data (DESIGN.md "Risk"; seed 004 Appendix 10.1 and
//! §4.3; SafeLives "Marac referral criteria"), each switchable in
//! [`MaracRules`]:
//!
//! * **visible high risk**: the latest DASH gives High by score;
//! * **professional judgement**: the latest DASH was raised to High;
//! * **potential escalation**: `police_incidents_threshold` (3) or more
//!   incidents in the `incident_window_months` (12) months to today;
//! * **repeat**: a new incident within `repeat_window_months` (12) months
//!   of the person's last MARAC.
//!
//! ## The windows, precisely
//!
//! Months are calendar months (chrono's `Months`), and a date that does not
//! exist in the target month is clamped to that month's last day (29 Feb
//! 2024 minus 12 months is 28 Feb 2023). Both windows are half-open and
//! exactly N months long:
//!
//! * escalation ("in the 12 months to today"): incident date `d` counts when
//!   `today − 12 months < d <= today`. With today = 2026-11-25 the window is
//!   2025-11-26 ..= 2026-11-25: an incident exactly 12 months ago
//!   (2025-11-25) no longer counts; the day after does.
//! * repeat ("within 12 months of MARAC on M"): incident `d` counts when
//!   `M < d <= M + 12 months` and `d <= today`. An incident on the MARAC day
//!   itself is the one the MARAC heard, not a new one; an incident exactly 12
//!   months later still counts; the day after is a new referral, not a repeat.
//!   `M` is the date of the last MARAC referral (SafeLives counts from the
//!   referral); the store may pass the meeting date if that is what it keeps.
//!
//! Incidents dated after today (typing errors) never count.
//!
//! # Statistics
//!
//! [`marac_statistics`] counts a set of cases heard in a [`Period`];
//! [`compare_with_references`] sets each statistic beside the reference
//! figures in `data/safelives_marac_ranges.toml` (see that file for sources);
//! [`MaracStatistics::published`] applies small-number suppression before
//! anything leaves the system.
use crate::agency::AgencyKind;
use crate::dash::{DataFileError, RiskSnapshot, config_error};
use crate::error::{FieldError, ValidationErrors};
use crate::person::{Characteristics, GenderIdentity, Sex, SexualOrientation, YesNoUnknown};
use crate::risk::RiskLevel;
use crate::vocabulary;
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::OnceLock;

/// The partnership's MARAC referral criteria; configuration, not code.
///
/// Settings (TOML), all optional, defaults shown:
/// ```toml
/// [marac]
/// high_risk = true                 # DASH high (score or judgement)
/// escalation = true
/// police_incidents_threshold = 3
/// incident_window_months = 12
/// escalation_police_only = true    # false: count incidents from any agency
/// repeat = true
/// repeat_window_months = 12
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawMaracRules")]
pub struct MaracRules {
    high_risk: bool,
    escalation: bool,
    police_incidents_threshold: u32,
    incident_window_months: u32,
    escalation_police_only: bool,
    repeat: bool,
    repeat_window_months: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawMaracRules {
    high_risk: bool,
    escalation: bool,
    police_incidents_threshold: u32,
    incident_window_months: u32,
    escalation_police_only: bool,
    repeat: bool,
    repeat_window_months: u32,
}

impl Default for RawMaracRules {
    fn default() -> Self {
        let d = MaracRules::default();
        Self {
            high_risk: d.high_risk,
            escalation: d.escalation,
            police_incidents_threshold: d.police_incidents_threshold,
            incident_window_months: d.incident_window_months,
            escalation_police_only: d.escalation_police_only,
            repeat: d.repeat,
            repeat_window_months: d.repeat_window_months,
        }
    }
}

impl TryFrom<RawMaracRules> for MaracRules {
    type Error = String;
    fn try_from(r: RawMaracRules) -> Result<Self, String> {
        MaracRulesBuilder {
            high_risk: r.high_risk,
            escalation: r.escalation,
            police_incidents_threshold: r.police_incidents_threshold,
            incident_window_months: r.incident_window_months,
            escalation_police_only: r.escalation_police_only,
            repeat: r.repeat,
            repeat_window_months: r.repeat_window_months,
        }
        .build()
        .map_err(|e| config_error(&e))
    }
}

impl Default for MaracRules {
    fn default() -> Self {
        Self {
            high_risk: true,
            escalation: true,
            police_incidents_threshold: 3,
            incident_window_months: 12,
            escalation_police_only: true,
            repeat: true,
            repeat_window_months: 12,
        }
    }
}

/// Every field of [`MaracRules`], public, for building one in code;
/// [`MaracRulesBuilder::build`] validates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaracRulesBuilder {
    pub high_risk: bool,
    pub escalation: bool,
    pub police_incidents_threshold: u32,
    pub incident_window_months: u32,
    pub escalation_police_only: bool,
    pub repeat: bool,
    pub repeat_window_months: u32,
}

impl Default for MaracRulesBuilder {
    fn default() -> Self {
        MaracRules::default().to_builder()
    }
}

impl MaracRulesBuilder {
    /// Threshold 1–100 incidents; windows 1–60 months. Errors name the field.
    pub fn build(self) -> Result<MaracRules, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        if !(1..=100).contains(&self.police_incidents_threshold) {
            errs.push(FieldError::new("police_incidents_threshold", "must be between 1 and 100"));
        }
        for (field, v) in [("incident_window_months", self.incident_window_months), ("repeat_window_months", self.repeat_window_months)] {
            if !(1..=60).contains(&v) {
                errs.push(FieldError::new(field, "must be between 1 and 60 months"));
            }
        }
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(MaracRules {
            high_risk: self.high_risk,
            escalation: self.escalation,
            police_incidents_threshold: self.police_incidents_threshold,
            incident_window_months: self.incident_window_months,
            escalation_police_only: self.escalation_police_only,
            repeat: self.repeat,
            repeat_window_months: self.repeat_window_months,
        })
    }
}

impl MaracRules {
    pub fn to_builder(self) -> MaracRulesBuilder {
        MaracRulesBuilder {
            high_risk: self.high_risk,
            escalation: self.escalation,
            police_incidents_threshold: self.police_incidents_threshold,
            incident_window_months: self.incident_window_months,
            escalation_police_only: self.escalation_police_only,
            repeat: self.repeat,
            repeat_window_months: self.repeat_window_months,
        }
    }
    pub fn high_risk(&self) -> bool {
        self.high_risk
    }
    pub fn escalation(&self) -> bool {
        self.escalation
    }
    pub fn police_incidents_threshold(&self) -> u32 {
        self.police_incidents_threshold
    }
    pub fn incident_window_months(&self) -> u32 {
        self.incident_window_months
    }
    pub fn escalation_police_only(&self) -> bool {
        self.escalation_police_only
    }
    pub fn repeat(&self) -> bool {
        self.repeat
    }
    pub fn repeat_window_months(&self) -> u32 {
        self.repeat_window_months
    }
}

/// The exclusive start of the trailing window: `today − months`, clamped to
/// the end of the month (2024-02-29 − 12 months = 2023-02-28).
pub fn window_start(today: NaiveDate, months: u32) -> NaiveDate {
    today.checked_sub_months(Months::new(months)).unwrap_or(NaiveDate::MIN)
}

/// `today − months < d <= today`.
pub fn in_trailing_window(d: NaiveDate, today: NaiveDate, months: u32) -> bool {
    window_start(today, months) < d && d <= today
}

/// The inclusive end of the repeat window: `last_marac + months`, clamped
/// to the end of the month.
pub fn repeat_window_end(last_marac: NaiveDate, months: u32) -> NaiveDate {
    last_marac.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
}

/// `last_marac < d <= last_marac + months` and `d <= today`.
pub fn in_repeat_window(d: NaiveDate, last_marac: NaiveDate, months: u32, today: NaiveDate) -> bool {
    last_marac < d && d <= repeat_window_end(last_marac, months) && d <= today
}

/// A domestic abuse incident known to any agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    pub date: NaiveDate,
    /// The agency that recorded it; `Police` for police call-outs.
    pub agency: AgencyKind,
}

/// What eligibility needs to know about one victim.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaracHistory {
    /// The latest DASH assessment, if any.
    pub risk: Option<RiskSnapshot>,
    /// Every incident known, any order, any agency.
    pub incidents: Vec<Incident>,
    /// The person's last MARAC referral (or hearing) date, if any.
    pub last_marac: Option<NaiveDate>,
}

/// One reason a case is MARAC-eligible. `Display` gives the UI's sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EligibilityReason {
    /// "High risk (DASH score 15)"
    HighRiskScore { score: u8 },
    /// "High risk by professional judgement (DASH score 6)"
    HighRiskJudgement { score: u8 },
    /// "3 police incidents in the 12 months to 2026-11-25"
    Escalation { incidents: u32, window_months: u32, to: NaiveDate, police_only: bool },
    /// "Repeat: new incident on 2026-05-03 within 12 months of MARAC on 2026-02-01"
    Repeat { incident: NaiveDate, last_marac: NaiveDate, window_months: u32 },
}

impl EligibilityReason {
    /// A stable key for the criterion: `high_risk_score`, `high_risk_judgement`,
    /// `escalation`, `repeat`.
    pub fn key(&self) -> &'static str {
        match self {
            Self::HighRiskScore { .. } => "high_risk_score",
            Self::HighRiskJudgement { .. } => "high_risk_judgement",
            Self::Escalation { .. } => "escalation",
            Self::Repeat { .. } => "repeat",
        }
    }
}

impl fmt::Display for EligibilityReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::HighRiskScore { score } => write!(f, "High risk (DASH score {score})"),
            Self::HighRiskJudgement { score } => {
                write!(f, "High risk by professional judgement (DASH score {score})")
            }
            Self::Escalation { incidents, window_months, to, police_only } => write!(
                f,
                "{incidents} {}incident{} in the {window_months} months to {to}",
                if *police_only { "police " } else { "" },
                if *incidents == 1 { "" } else { "s" }
            ),
            Self::Repeat { incident, last_marac, window_months } => {
                write!(f, "Repeat: new incident on {incident} within {window_months} months of MARAC on {last_marac}")
            }
        }
    }
}

/// Whether a case is MARAC-eligible, with every reason that applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Eligibility {
    pub eligible: bool,
    pub reasons: Vec<EligibilityReason>,
}

impl Eligibility {
    /// The reasons as UI sentences.
    pub fn messages(&self) -> Vec<String> {
        self.reasons.iter().map(ToString::to_string).collect()
    }
    /// True when this case is a repeat (a new incident since the last MARAC).
    pub fn is_repeat(&self) -> bool {
        self.reasons.iter().any(|r| matches!(r, EligibilityReason::Repeat { .. }))
    }
}

/// Decide MARAC eligibility on `today` under `rules`. Pure: the same inputs
/// always give the same answer. See the module docs for the windows.
pub fn marac_eligibility(history: &MaracHistory, today: NaiveDate, rules: &MaracRules) -> Eligibility {
    let mut reasons = Vec::new();
    if let Some(r) = history.risk.filter(|r| rules.high_risk && r.level == RiskLevel::High) {
        reasons.push(if r.raised_by_judgement {
            EligibilityReason::HighRiskJudgement { score: r.score }
        } else {
            EligibilityReason::HighRiskScore { score: r.score }
        });
    }
    if rules.escalation {
        let n = history
            .incidents
            .iter()
            .filter(|i| !rules.escalation_police_only || i.agency.is_police())
            .filter(|i| in_trailing_window(i.date, today, rules.incident_window_months))
            .count();
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        if n >= rules.police_incidents_threshold {
            reasons.push(EligibilityReason::Escalation {
                incidents: n,
                window_months: rules.incident_window_months,
                to: today,
                police_only: rules.escalation_police_only,
            });
        }
    }
    if let Some(last) = history.last_marac.filter(|_| rules.repeat) {
        let first_new =
            history.incidents.iter().map(|i| i.date).filter(|d| in_repeat_window(*d, last, rules.repeat_window_months, today)).min();
        if let Some(incident) = first_new {
            reasons.push(EligibilityReason::Repeat { incident, last_marac: last, window_months: rules.repeat_window_months });
        }
    }
    Eligibility { eligible: !reasons.is_empty(), reasons }
}

// ---------------------------------------------------------------------------
// Statistics

/// An inclusive date range, `from <= to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    from: NaiveDate,
    to: NaiveDate,
}

impl Period {
    /// Errors name `to` when it is before `from`.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, FieldError> {
        if to < from {
            return Err(FieldError::new("to", "must not be before the start of the period"));
        }
        Ok(Self { from, to })
    }
    /// The 12 months to `to` (inclusive): `to − 12 months + 1 day ..= to`,
    /// the same window as escalation.
    pub fn twelve_months_to(to: NaiveDate) -> Self {
        let from = window_start(to, 12).succ_opt().unwrap_or(to);
        Self { from, to }
    }
    pub fn from(&self) -> NaiveDate {
        self.from
    }
    pub fn to(&self) -> NaiveDate {
        self.to
    }
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
    /// Number of days, both ends included.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
}

/// One case heard at MARAC, as the statistics need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaracCase {
    /// The meeting at which the case was heard.
    pub heard_on: NaiveDate,
    pub repeat: bool,
    pub referring_agency: AgencyKind,
    /// Children in the household.
    pub children: u32,
    pub victim_sex: Sex,
    /// Age in years on the referral date, if the date of birth is known.
    pub victim_age: Option<u32>,
    pub victim: Characteristics,
}

/// Lesbian, gay, bisexual, trans or other minority sexual orientation or
/// gender identity; `None` when neither is known.
pub fn is_lgbt_plus(c: &Characteristics) -> Option<bool> {
    let orientation = match c.sexual_orientation {
        SexualOrientation::GayLesbian | SexualOrientation::Bisexual | SexualOrientation::Other => Some(true),
        SexualOrientation::Heterosexual => Some(false),
        SexualOrientation::NotKnown | SexualOrientation::PreferNotToSay => None,
    };
    let gender = match c.gender_identity {
        GenderIdentity::Different | GenderIdentity::NonBinary => Some(true),
        GenderIdentity::SameAsSex => Some(false),
        GenderIdentity::NotKnown | GenderIdentity::PreferNotToSay => None,
    };
    match (orientation, gender) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (None, None) => None,
        _ => Some(false),
    }
}

/// Counts for the cases heard in a period. Percentages use all cases in the
/// period as the denominator (as the SafeLives national dataset does), so a
/// "not known" counts as "not".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MaracStatistics {
    pub period: Period,
    pub cases: u32,
    pub repeats: u32,
    pub referrals_by_agency: BTreeMap<AgencyKind, u32>,
    pub police_referrals: u32,
    pub partner_referrals: u32,
    pub children: u32,
    pub male_victims: u32,
    pub aged_16_17: u32,
    pub bame: u32,
    pub lgbt_plus: u32,
    pub disability: u32,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Count the cases heard within `period` (others are ignored).
pub fn marac_statistics(cases: &[MaracCase], period: Period) -> MaracStatistics {
    let inp: Vec<&MaracCase> = cases.iter().filter(|c| period.contains(c.heard_on)).collect();
    let mut by_agency = BTreeMap::new();
    for c in &inp {
        *by_agency.entry(c.referring_agency).or_insert(0u32) += 1;
    }
    let n = |f: &dyn Fn(&MaracCase) -> bool| count(inp.iter().filter(|c| f(c)).count());
    MaracStatistics {
        period,
        cases: count(inp.len()),
        repeats: n(&|c| c.repeat),
        police_referrals: n(&|c| c.referring_agency.is_police()),
        partner_referrals: n(&|c| !c.referring_agency.is_police()),
        referrals_by_agency: by_agency,
        children: inp.iter().fold(0u32, |a, c| a.saturating_add(c.children)),
        male_victims: n(&|c| c.victim_sex == Sex::Male),
        aged_16_17: n(&|c| matches!(c.victim_age, Some(16 | 17))),
        bame: n(&|c| c.victim.ethnicity.is_bame() == Some(true)),
        lgbt_plus: n(&|c| is_lgbt_plus(&c.victim) == Some(true)),
        disability: n(&|c| c.victim.disability == YesNoUnknown::Yes),
    }
}

vocabulary!(
    /// The statistics a MARAC reports, with stable keys used in the
    /// reference-figures data file.
    MaracStatistic {
        CasesPer10000AdultWomen = "cases_per_10000_adult_women": "Cases per 10,000 adult women (a year)",
        RepeatPct = "repeat_pct": "Repeat cases (%)",
        PoliceReferralsPct = "police_referrals_pct": "Referrals from the police (%)",
        PartnerReferralsPct = "partner_referrals_pct": "Referrals from partner agencies (%)",
        ChildrenPerCase = "children_per_case": "Children per case",
        MaleVictimsPct = "male_victims_pct": "Male victims (%)",
        Aged16To17Pct = "aged_16_17_pct": "Victims aged 16–17 (%)",
        BamePct = "bame_pct": "Black, Asian and minority ethnic victims (%)",
        LgbtPlusPct = "lgbt_plus_pct": "LGBT+ victims (%)",
        DisabilityPct = "disability_pct": "Victims with a disability (%)",
    }
);

/// Local figures that some comparisons need.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LocalContext {
    /// Women aged 16+ in the MARAC's area (for cases per 10,000).
    pub adult_female_population: Option<u64>,
    /// Share of the local population that is BAME, 0–100; when given it
    /// replaces the national reference (seed 004 Table 3 compares this way).
    pub bame_population_pct: Option<f64>,
    /// Share of the local population that is LGBT+, 0–100; likewise.
    pub lgbt_population_pct: Option<f64>,
}

fn pct(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| f64::from(part) * 100.0 / f64::from(whole))
}

impl MaracStatistics {
    /// The value of one statistic; `None` when it cannot be computed (no
    /// cases, or no population for the rate). Cases per 10,000 adult women
    /// is annualised: cases × 10,000 / population × 365.25 / days in period.
    pub fn value(&self, stat: MaracStatistic, local: &LocalContext) -> Option<f64> {
        use MaracStatistic::*;
        match stat {
            CasesPer10000AdultWomen => {
                let pop = local.adult_female_population.filter(|p| *p > 0)? as f64;
                let days = self.period.days() as f64;
                Some(f64::from(self.cases) * 10_000.0 / pop * 365.25 / days)
            }
            RepeatPct => pct(self.repeats, self.cases),
            PoliceReferralsPct => pct(self.police_referrals, self.cases),
            PartnerReferralsPct => pct(self.partner_referrals, self.cases),
            ChildrenPerCase => (self.cases > 0).then(|| f64::from(self.children) / f64::from(self.cases)),
            MaleVictimsPct => pct(self.male_victims, self.cases),
            Aged16To17Pct => pct(self.aged_16_17, self.cases),
            BamePct => pct(self.bame, self.cases),
            LgbtPlusPct => pct(self.lgbt_plus, self.cases),
            DisabilityPct => pct(self.disability, self.cases),
        }
    }

    /// The count behind a percentage statistic (for suppression).
    fn numerator(&self, stat: MaracStatistic) -> u32 {
        use MaracStatistic::*;
        match stat {
            CasesPer10000AdultWomen => self.cases,
            RepeatPct => self.repeats,
            PoliceReferralsPct => self.police_referrals,
            PartnerReferralsPct => self.partner_referrals,
            ChildrenPerCase => self.children,
            MaleVictimsPct => self.male_victims,
            Aged16To17Pct => self.aged_16_17,
            BamePct => self.bame,
            LgbtPlusPct => self.lgbt_plus,
            DisabilityPct => self.disability,
        }
    }

    /// The statistics as they may be published: counts below `limit` are
    /// suppressed, and so is anything that would let one be worked out.
    /// See [`Published`].
    pub fn published(&self, limit: u32) -> PublishedMaracStatistics {
        let p = |n| Published::count(n, limit);
        let total_hidden = self.cases < limit;
        // Police and partner referrals add up to the published total, so if
        // either is hidden both must be.
        let pair_hidden = total_hidden || self.police_referrals < limit || self.partner_referrals < limit;
        let pair = |n| {
            if pair_hidden { Published::suppressed(limit) } else { p(n) }
        };
        PublishedMaracStatistics {
            period: self.period,
            cases: p(self.cases),
            repeats: p(self.repeats),
            referrals_by_agency: suppress_breakdown(&self.referrals_by_agency, limit),
            police_referrals: pair(self.police_referrals),
            partner_referrals: pair(self.partner_referrals),
            children: p(self.children),
            male_victims: p(self.male_victims),
            aged_16_17: p(self.aged_16_17),
            bame: p(self.bame),
            lgbt_plus: p(self.lgbt_plus),
            disability: p(self.disability),
            percentages: MaracStatistic::ALL
                .iter()
                .filter(|s| **s != MaracStatistic::CasesPer10000AdultWomen)
                .map(|s| {
                    let hidden = total_hidden
                        || self.numerator(*s) < limit
                        || (matches!(s, MaracStatistic::PoliceReferralsPct | MaracStatistic::PartnerReferralsPct) && pair_hidden);
                    (*s, if hidden { None } else { self.value(*s, &LocalContext::default()) })
                })
                .collect(),
        }
    }
}

/// The default small-number limit: counts of fewer than 5 are suppressed
/// (DESIGN.md "Non-negotiables").
pub const SMALL_NUMBER_LIMIT: u32 = 5;

/// A count that may be published. Only [`Published::count`] (which
/// suppresses counts below the limit) and [`Published::suppressed`] build
/// one. Serializes as the number, or as the string `"<5"` when suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Published {
    value: Option<u32>,
    limit: u32,
}

impl Published {
    /// `n` if `n >= limit`, otherwise suppressed. Zero is suppressed too.
    pub fn count(n: u32, limit: u32) -> Self {
        Self { value: (n >= limit).then_some(n), limit }
    }
    /// Suppressed regardless of value (secondary suppression).
    pub fn suppressed(limit: u32) -> Self {
        Self { value: None, limit }
    }
    pub fn value(&self) -> Option<u32> {
        self.value
    }
    pub fn is_suppressed(&self) -> bool {
        self.value.is_none()
    }
}

impl fmt::Display for Published {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value {
            Some(n) => write!(f, "{n}"),
            None => write!(f, "<{}", self.limit),
        }
    }
}

impl Serialize for Published {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.value {
            Some(n) => s.serialize_u32(n),
            None => s.collect_str(self),
        }
    }
}

/// Suppress a breakdown whose parts add up to a published total: cells below
/// `limit` are hidden, and if exactly one is hidden the next smallest is
/// hidden too, so the hidden one cannot be worked out by subtraction.
pub fn suppress_breakdown<K: Ord + Clone>(cells: &BTreeMap<K, u32>, limit: u32) -> BTreeMap<K, Published> {
    let mut hidden: BTreeSet<K> = cells.iter().filter(|(_, n)| **n < limit).map(|(k, _)| k.clone()).collect();
    let complement = if hidden.len() == 1 {
        cells.iter().filter(|(k, _)| !hidden.contains(*k)).min_by_key(|(_, n)| **n).map(|(k, _)| k.clone())
    } else {
        None
    };
    hidden.extend(complement);
    cells
        .iter()
        .map(|(k, n)| (k.clone(), if hidden.contains(k) { Published::suppressed(limit) } else { Published::count(*n, limit) }))
        .collect()
}

/// [`MaracStatistics`] after small-number suppression: safe to publish.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedMaracStatistics {
    pub period: Period,
    pub cases: Published,
    pub repeats: Published,
    pub referrals_by_agency: BTreeMap<AgencyKind, Published>,
    pub police_referrals: Published,
    pub partner_referrals: Published,
    pub children: Published,
    pub male_victims: Published,
    pub aged_16_17: Published,
    pub bame: Published,
    pub lgbt_plus: Published,
    pub disability: Published,
    /// Each percentage (and children per case), `None` when suppressed or
    /// when there are no cases.
    pub percentages: BTreeMap<MaracStatistic, Option<f64>>,
}

// ---------------------------------------------------------------------------
// Reference figures

const RANGES_TOML: &str = include_str!("../data/safelives_marac_ranges.toml");

/// Where a reference figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceBasis {
    /// A recommended range published by SafeLives.
    Recommended,
    /// A level SafeLives says to expect.
    Expected,
    /// The national average from the SafeLives Marac National Dataset.
    National,
    /// The local population's share (from [`LocalContext`]).
    LocalPopulation,
}

/// One reference figure from the data file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceFigure {
    pub key: MaracStatistic,
    pub basis: ReferenceBasis,
    #[serde(default)]
    pub low: Option<f64>,
    #[serde(default)]
    pub high: Option<f64>,
    #[serde(default)]
    pub point: Option<f64>,
    pub source: String,
}

/// Every reference figure, and the file's overall source note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaracReferences {
    pub source: String,
    #[serde(rename = "statistic")]
    pub statistics: Vec<ReferenceFigure>,
}

impl MaracReferences {
    /// The figures compiled in from `data/safelives_marac_ranges.toml`.
    pub fn embedded() -> Result<&'static MaracReferences, DataFileError> {
        static CELL: OnceLock<Result<MaracReferences, DataFileError>> = OnceLock::new();
        CELL.get_or_init(|| Self::from_toml(RANGES_TOML)).as_ref().map_err(Clone::clone)
    }

    /// Parse and check: each statistic at most once; either both `low` and
    /// `high` (with `low <= high`) or a `point`; every source non-empty.
    pub fn from_toml(text: &str) -> Result<MaracReferences, DataFileError> {
        let err = |message: String| DataFileError { file: "safelives_marac_ranges.toml", message };
        let r: MaracReferences = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        let mut seen = BTreeSet::new();
        for f in &r.statistics {
            if !seen.insert(f.key) {
                return Err(err(format!("{} appears twice", f.key.key())));
            }
            match (f.low, f.high, f.point) {
                (Some(l), Some(h), _) if l.is_finite() && h.is_finite() && l <= h => {}
                (None, None, Some(p)) if p.is_finite() => {}
                _ => {
                    return Err(err(format!("{}: give low <= high, or a point", f.key.key())));
                }
            }
            if f.source.trim().is_empty() {
                return Err(err(format!("{}: source is required", f.key.key())));
            }
        }
        Ok(r)
    }

    pub fn get(&self, stat: MaracStatistic) -> Option<&ReferenceFigure> {
        self.statistics.iter().find(|f| f.key == stat)
    }
}

/// Where a value falls against its reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    Below,
    /// Inside the range, or equal to the point at one decimal place.
    Within,
    Above,
}

/// What a value is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reference {
    Range { low: f64, high: f64 },
    Point { value: f64 },
}

/// One statistic beside its reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub statistic: MaracStatistic,
    pub label: &'static str,
    pub value: Option<f64>,
    pub reference: Option<Reference>,
    pub basis: Option<ReferenceBasis>,
    pub source: Option<String>,
    /// `None` when the value or the reference is missing.
    pub position: Option<Position>,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Where `value` falls against `reference`. Values are compared at one
/// decimal place, the precision the references are published to.
pub fn position(value: f64, reference: Reference) -> Position {
    let v = round1(value);
    let (low, high) = match reference {
        Reference::Range { low, high } => (round1(low), round1(high)),
        Reference::Point { value } => (round1(value), round1(value)),
    };
    if v < low {
        Position::Below
    } else if v > high {
        Position::Above
    } else {
        Position::Within
    }
}

/// Every statistic beside its reference figure, in [`MaracStatistic::ALL`]
/// order. Local population shares in `local` replace the national figure
/// for BAME and LGBT+.
pub fn compare_with_references(stats: &MaracStatistics, refs: &MaracReferences, local: &LocalContext) -> Vec<Comparison> {
    MaracStatistic::ALL
        .iter()
        .map(|&stat| {
            let value = stats.value(stat, local);
            let local_share = match stat {
                MaracStatistic::BamePct => local.bame_population_pct,
                MaracStatistic::LgbtPlusPct => local.lgbt_population_pct,
                _ => None,
            };
            let (reference, basis, source) = match (local_share, refs.get(stat)) {
                (Some(share), _) => (
                    Some(Reference::Point { value: share }),
                    Some(ReferenceBasis::LocalPopulation),
                    Some("Local population share (seed 004 Table 3 method)".to_string()),
                ),
                (None, Some(f)) => {
                    let r = match (f.low, f.high, f.point) {
                        (Some(low), Some(high), _) => Some(Reference::Range { low, high }),
                        (_, _, Some(value)) => Some(Reference::Point { value }),
                        _ => None,
                    };
                    (r, Some(f.basis), Some(f.source.clone()))
                }
                (None, None) => (None, None, None),
            };
            let position = match (value, reference) {
                (Some(v), Some(r)) => Some(position(v, r)),
                _ => None,
            };
            Comparison { statistic: stat, label: stat.label(), value, reference, basis, source, position }
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::person::Ethnicity;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn police(date: NaiveDate) -> Incident {
        Incident { date, agency: AgencyKind::Police }
    }
    fn rules() -> MaracRules {
        MaracRules::default()
    }
    fn history(incidents: Vec<Incident>) -> MaracHistory {
        MaracHistory { incidents, ..Default::default() }
    }

    #[test]
    fn rules_defaults_and_config() {
        let r = rules();
        assert_eq!((r.police_incidents_threshold(), r.incident_window_months(), r.repeat_window_months()), (3, 12, 12));
        let r: MaracRules = toml::from_str("police_incidents_threshold = 4").unwrap();
        assert_eq!(r.police_incidents_threshold(), 4);
        assert!(r.high_risk());
        let e = toml::from_str::<MaracRules>("police_incidents = 4").unwrap_err();
        assert!(e.to_string().contains("police_incidents"));
        let e = toml::from_str::<MaracRules>("incident_window_months = 0").unwrap_err();
        assert!(e.to_string().contains("incident_window_months: must be between"), "{e}");
        let e = MaracRulesBuilder { police_incidents_threshold: 0, repeat_window_months: 99, ..Default::default() }.build().unwrap_err();
        assert_eq!(e.errors.len(), 2);
        assert_eq!(MaracRulesBuilder::default().build().unwrap(), MaracRules::default());
    }

    #[test]
    fn high_risk_by_score_and_by_judgement() {
        let today = d(2026, 11, 25);
        let h = MaracHistory {
            risk: Some(RiskSnapshot { score: 15, level: RiskLevel::High, raised_by_judgement: false }),
            ..Default::default()
        };
        let e = marac_eligibility(&h, today, &rules());
        assert!(e.eligible);
        assert_eq!(e.messages(), ["High risk (DASH score 15)"]);
        let h =
            MaracHistory { risk: Some(RiskSnapshot { score: 6, level: RiskLevel::High, raised_by_judgement: true }), ..Default::default() };
        let e = marac_eligibility(&h, today, &rules());
        assert_eq!(e.messages(), ["High risk by professional judgement (DASH score 6)"]);
        assert_eq!(e.reasons[0].key(), "high_risk_judgement");
        let h = MaracHistory {
            risk: Some(RiskSnapshot { score: 13, level: RiskLevel::Medium, raised_by_judgement: false }),
            ..Default::default()
        };
        assert!(!marac_eligibility(&h, today, &rules()).eligible);
        let off = MaracRulesBuilder { high_risk: false, ..Default::default() }.build().unwrap();
        let h = MaracHistory {
            risk: Some(RiskSnapshot { score: 20, level: RiskLevel::High, raised_by_judgement: false }),
            ..Default::default()
        };
        assert!(!marac_eligibility(&h, today, &off).eligible);
    }

    #[test]
    fn dash_14_yes_is_marac_eligible_13_is_not() {
        use crate::dash::{DashAnswers, DashChecklist, DashThresholds, assess};
        let c = DashChecklist::embedded().unwrap();
        let t = DashThresholds::default();
        let a14 = assess(&DashAnswers::first_n_yes(c, 14), None, &t).unwrap();
        let h = MaracHistory { risk: Some(a14.snapshot()), ..Default::default() };
        assert!(marac_eligibility(&h, d(2026, 11, 25), &rules()).eligible);
        let a13 = assess(&DashAnswers::first_n_yes(c, 13), None, &t).unwrap();
        let h = MaracHistory { risk: Some(a13.snapshot()), ..Default::default() };
        assert!(!marac_eligibility(&h, d(2026, 11, 25), &rules()).eligible);
    }

    #[test]
    fn three_police_incidents_in_twelve_months() {
        let today = d(2026, 11, 25);
        let h = history(vec![police(d(2026, 1, 10)), police(d(2026, 6, 1)), police(today)]);
        let e = marac_eligibility(&h, today, &rules());
        assert_eq!(e.messages(), ["3 police incidents in the 12 months to 2026-11-25"]);
        let h = history(vec![police(d(2026, 1, 10)), police(d(2026, 6, 1))]);
        assert!(!marac_eligibility(&h, today, &rules()).eligible);
        // Non-police incidents do not count by default, but do when configured.
        let mut inc = vec![police(d(2026, 1, 10)), police(d(2026, 6, 1))];
        inc.push(Incident { date: d(2026, 7, 1), agency: AgencyKind::Housing });
        assert!(!marac_eligibility(&history(inc.clone()), today, &rules()).eligible);
        let any = MaracRulesBuilder { escalation_police_only: false, ..Default::default() }.build().unwrap();
        assert_eq!(marac_eligibility(&history(inc), today, &any).messages(), ["3 incidents in the 12 months to 2026-11-25"]);
    }

    #[test]
    fn escalation_window_edges() {
        let today = d(2026, 11, 25);
        let two_recent = vec![police(d(2026, 6, 1)), police(d(2026, 9, 1))];
        let with = |date| {
            let mut v = two_recent.clone();
            v.push(police(date));
            marac_eligibility(&history(v), today, &rules()).eligible
        };
        assert!(!with(d(2025, 11, 25)), "exactly 12 months ago is outside");
        assert!(with(d(2025, 11, 26)), "one day inside");
        assert!(!with(d(2025, 11, 24)), "one day outside");
        assert!(with(today), "today counts");
        assert!(!with(d(2026, 11, 26)), "future incidents never count");
    }

    #[test]
    fn escalation_window_over_leap_days() {
        // today 2024-02-29: 12 months back clamps to 2023-02-28 (exclusive).
        assert_eq!(window_start(d(2024, 2, 29), 12), d(2023, 2, 28));
        assert!(!in_trailing_window(d(2023, 2, 28), d(2024, 2, 29), 12));
        assert!(in_trailing_window(d(2023, 3, 1), d(2024, 2, 29), 12));
        // today 2025-02-28: back to 2024-02-28; the leap day 2024-02-29 is inside.
        assert!(in_trailing_window(d(2024, 2, 29), d(2025, 2, 28), 12));
        assert!(!in_trailing_window(d(2024, 2, 28), d(2025, 2, 28), 12));
        // today 2025-03-01: back to 2024-03-01; the leap day is outside.
        assert!(!in_trailing_window(d(2024, 2, 29), d(2025, 3, 1), 12));
        // A window across a leap year holds 366 days, otherwise 365.
        let days = |today: NaiveDate| (today - window_start(today, 12)).num_days();
        assert_eq!(days(d(2024, 12, 31)), 366);
        assert_eq!(days(d(2025, 12, 31)), 365);
    }

    #[test]
    fn repeat_within_twelve_months_of_marac() {
        let marac = d(2026, 2, 1);
        let today = d(2027, 6, 1);
        let h = |date| MaracHistory {
            last_marac: Some(marac),
            incidents: vec![Incident { date, agency: AgencyKind::Housing }],
            ..Default::default()
        };
        let e = marac_eligibility(&h(d(2026, 5, 3)), today, &rules());
        assert_eq!(e.messages(), ["Repeat: new incident on 2026-05-03 within 12 months of MARAC on 2026-02-01"]);
        assert!(e.is_repeat());
        assert!(marac_eligibility(&h(d(2027, 2, 1)), today, &rules()).eligible, "exactly 12 months after counts");
        assert!(marac_eligibility(&h(d(2027, 1, 31)), today, &rules()).eligible, "one day inside");
        assert!(!marac_eligibility(&h(d(2027, 2, 2)), today, &rules()).eligible, "one day outside");
        assert!(!marac_eligibility(&h(marac), today, &rules()).eligible, "the MARAC day's own incident is not new");
        assert!(!marac_eligibility(&h(d(2026, 1, 1)), today, &rules()).eligible, "before the MARAC");
        // Not yet happened relative to today.
        assert!(!marac_eligibility(&h(d(2026, 5, 3)), d(2026, 5, 2), &rules()).eligible);
        // No MARAC, no repeat.
        let none = MaracHistory { incidents: vec![police(d(2026, 5, 3))], ..Default::default() };
        assert!(!marac_eligibility(&none, today, &rules()).eligible);
        // The earliest new incident is reported.
        let two =
            MaracHistory { last_marac: Some(marac), incidents: vec![police(d(2026, 9, 1)), police(d(2026, 3, 1))], ..Default::default() };
        assert!(marac_eligibility(&two, today, &rules()).messages()[0].contains("2026-03-01"));
        let off = MaracRulesBuilder { repeat: false, ..Default::default() }.build().unwrap();
        assert!(!marac_eligibility(&h(d(2026, 5, 3)), today, &off).eligible);
    }

    #[test]
    fn repeat_window_over_leap_days() {
        assert_eq!(repeat_window_end(d(2024, 2, 29), 12), d(2025, 2, 28));
        let t = d(2030, 1, 1);
        assert!(in_repeat_window(d(2025, 2, 28), d(2024, 2, 29), 12, t));
        assert!(!in_repeat_window(d(2025, 3, 1), d(2024, 2, 29), 12, t));
        assert_eq!(repeat_window_end(d(2023, 2, 28), 12), d(2024, 2, 28));
        assert!(!in_repeat_window(d(2024, 2, 29), d(2023, 2, 28), 12, t));
    }

    #[test]
    fn every_reason_is_listed() {
        let today = d(2026, 11, 25);
        let h = MaracHistory {
            risk: Some(RiskSnapshot { score: 16, level: RiskLevel::High, raised_by_judgement: false }),
            incidents: vec![police(d(2026, 3, 1)), police(d(2026, 6, 1)), police(d(2026, 11, 1))],
            last_marac: Some(d(2026, 2, 1)),
        };
        let e = marac_eligibility(&h, today, &rules());
        let keys: Vec<_> = e.reasons.iter().map(EligibilityReason::key).collect();
        assert_eq!(keys, ["high_risk_score", "escalation", "repeat"]);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["reasons"][1]["kind"], "escalation");
        assert_eq!(json["reasons"][1]["incidents"], 3);
    }

    proptest! {
        #[test]
        fn trailing_window_holds_one_year_of_days(days in 0i64..40000, months in 1u32..=60) {
            let today = d(1950, 1, 1) + chrono::Duration::days(days);
            let start = window_start(today, months);
            prop_assert!(!in_trailing_window(start, today, months));
            prop_assert!(in_trailing_window(start.succ_opt().unwrap(), today, months));
            prop_assert!(in_trailing_window(today, today, months));
            prop_assert!(!in_trailing_window(today.succ_opt().unwrap(), today, months));
            if months == 12 {
                let n = (today - start).num_days();
                prop_assert!(n == 365 || n == 366);
            }
        }

        #[test]
        fn escalation_matches_a_count(offsets in proptest::collection::vec(0i64..800, 0..8), threshold in 1u32..6) {
            let today = d(2026, 11, 25);
            let incidents: Vec<_> = offsets.iter().map(|o| police(today - chrono::Duration::days(*o))).collect();
            let r = MaracRulesBuilder { police_incidents_threshold: threshold, ..Default::default() }.build().unwrap();
            let e = marac_eligibility(&history(incidents.clone()), today, &r);
            let start = window_start(today, 12);
            let n = incidents.iter().filter(|i| i.date > start).count() as u32;
            prop_assert_eq!(e.eligible, n >= threshold);
        }
    }

    fn case(heard_on: NaiveDate, agency: AgencyKind) -> MaracCase {
        MaracCase {
            heard_on,
            repeat: false,
            referring_agency: agency,
            children: 1,
            victim_sex: Sex::Female,
            victim_age: Some(30),
            victim: Characteristics::default(),
        }
    }

    fn sample() -> Vec<MaracCase> {
        let mut v = Vec::new();
        for i in 0..40u32 {
            let mut c = case(
                d(2026, 1, 1) + chrono::Duration::days(i64::from(i) * 7),
                if i < 26 {
                    AgencyKind::Police
                } else if i < 34 {
                    AgencyKind::Housing
                } else {
                    AgencyKind::SpecialistDa
                },
            );
            c.repeat = i % 4 == 0;
            c.children = i % 3;
            if i < 3 {
                c.victim_sex = Sex::Male;
            }
            if i == 5 {
                c.victim_age = Some(17);
            }
            if i < 8 {
                c.victim.ethnicity = Ethnicity::AsianPakistani;
            } else if i < 30 {
                c.victim.ethnicity = Ethnicity::WhiteBritish;
            }
            if i < 6 {
                c.victim.disability = YesNoUnknown::Yes;
            }
            if i == 9 {
                c.victim.sexual_orientation = SexualOrientation::GayLesbian;
            }
            v.push(c);
        }
        v.push(case(d(2025, 12, 31), AgencyKind::Police)); // outside the period
        v
    }

    #[test]
    fn statistics_count_the_period() {
        let period = Period::new(d(2026, 1, 1), d(2026, 12, 31)).unwrap();
        let s = marac_statistics(&sample(), period);
        assert_eq!(s.cases, 40);
        assert_eq!(s.repeats, 10);
        assert_eq!((s.police_referrals, s.partner_referrals), (26, 14));
        assert_eq!(s.referrals_by_agency[&AgencyKind::Housing], 8);
        assert_eq!(s.children, (0..40u32).map(|i| i % 3).sum::<u32>());
        assert_eq!((s.male_victims, s.aged_16_17, s.bame, s.lgbt_plus, s.disability), (3, 1, 8, 1, 6));
        let local = LocalContext::default();
        assert_eq!(s.value(MaracStatistic::RepeatPct, &local), Some(25.0));
        assert_eq!(s.value(MaracStatistic::PoliceReferralsPct, &local), Some(65.0));
        assert_eq!(s.value(MaracStatistic::CasesPer10000AdultWomen, &local), None);
        let local = LocalContext { adult_female_population: Some(10_000), ..Default::default() };
        let rate = s.value(MaracStatistic::CasesPer10000AdultWomen, &local).unwrap();
        assert!((rate - 40.0).abs() < 0.1, "{rate}");
        assert!(Period::new(d(2026, 2, 1), d(2026, 1, 1)).is_err());
        assert_eq!(Period::twelve_months_to(d(2026, 11, 25)).from(), d(2025, 11, 26));
        let empty = marac_statistics(&[], period);
        assert_eq!(empty.value(MaracStatistic::RepeatPct, &LocalContext::default()), None);
    }

    #[test]
    fn hertfordshire_repeat_rate_from_004() {
        // 004 Appendix 6: 694 MARAC cases, 18% repeats (≈125).
        let period = Period::new(d(2013, 8, 1), d(2014, 7, 31)).unwrap();
        let cases: Vec<_> = (0..694u32).map(|i| MaracCase { repeat: i < 125, ..case(d(2014, 1, 1), AgencyKind::Police) }).collect();
        let s = marac_statistics(&cases, period);
        let r = s.value(MaracStatistic::RepeatPct, &LocalContext::default()).unwrap();
        assert_eq!(r.round(), 18.0);
    }

    #[test]
    fn lgbt_plus() {
        let mut c = Characteristics::default();
        assert_eq!(is_lgbt_plus(&c), None);
        c.sexual_orientation = SexualOrientation::Heterosexual;
        assert_eq!(is_lgbt_plus(&c), Some(false));
        c.gender_identity = GenderIdentity::Different;
        assert_eq!(is_lgbt_plus(&c), Some(true));
    }

    #[test]
    fn references_load_and_compare() {
        let refs = MaracReferences::embedded().unwrap();
        assert_eq!(refs.statistics.len(), MaracStatistic::ALL.len());
        assert!(refs.statistics.iter().all(|f| !f.source.is_empty()));
        let period = Period::new(d(2026, 1, 1), d(2026, 12, 31)).unwrap();
        let s = marac_statistics(&sample(), period);
        let cmp = compare_with_references(&s, refs, &LocalContext::default());
        assert_eq!(cmp.len(), MaracStatistic::ALL.len());
        let get = |k| cmp.iter().find(|c| c.statistic == k).unwrap();
        assert_eq!(get(MaracStatistic::RepeatPct).position, Some(Position::Below)); // 25 vs 31
        assert_eq!(get(MaracStatistic::PoliceReferralsPct).position, Some(Position::Above)); // 65 vs 63.9
        assert_eq!(get(MaracStatistic::CasesPer10000AdultWomen).position, None);
        let local = LocalContext { bame_population_pct: Some(19.2), ..Default::default() };
        let cmp = compare_with_references(&s, refs, &local);
        let bame = cmp.iter().find(|c| c.statistic == MaracStatistic::BamePct).unwrap();
        assert_eq!(bame.basis, Some(ReferenceBasis::LocalPopulation));
        assert_eq!(bame.position, Some(Position::Above)); // 20% vs 19.2%
    }

    #[test]
    fn reference_file_validation_and_ranges() {
        let bad = "source = \"x\"\n[[statistic]]\nkey = \"repeat_pct\"\nbasis = \"recommended\"\nlow = 40.0\nhigh = 28.0\nsource = \"y\"\n";
        assert!(MaracReferences::from_toml(bad).is_err());
        let unknown = "source = \"x\"\n[[statistic]]\nkey = \"nope\"\nbasis = \"national\"\npoint = 1.0\nsource = \"y\"\n";
        assert!(MaracReferences::from_toml(unknown).is_err());
        let ok = "source = \"x\"\n[[statistic]]\nkey = \"repeat_pct\"\nbasis = \"recommended\"\nlow = 28.0\nhigh = 40.0\nsource = \"y\"\n";
        let r = MaracReferences::from_toml(ok).unwrap();
        let range = Reference::Range { low: 28.0, high: 40.0 };
        assert_eq!(position(27.9, range), Position::Below);
        assert_eq!(position(28.0, range), Position::Within);
        assert_eq!(position(40.04, range), Position::Within);
        assert_eq!(position(40.1, range), Position::Above);
        assert_eq!(position(31.0, Reference::Point { value: 31.0 }), Position::Within);
        assert!(r.get(MaracStatistic::RepeatPct).is_some());
    }

    #[test]
    fn small_numbers_are_suppressed() {
        assert_eq!(Published::count(4, SMALL_NUMBER_LIMIT).to_string(), "<5");
        assert_eq!(Published::count(0, SMALL_NUMBER_LIMIT).value(), None);
        assert_eq!(Published::count(5, SMALL_NUMBER_LIMIT).value(), Some(5));
        assert_eq!(serde_json::to_string(&Published::count(3, 5)).unwrap(), "\"<5\"");
        assert_eq!(serde_json::to_string(&Published::count(12, 5)).unwrap(), "12");

        let period = Period::new(d(2026, 1, 1), d(2026, 12, 31)).unwrap();
        let p = marac_statistics(&sample(), period).published(SMALL_NUMBER_LIMIT);
        assert_eq!(p.cases.value(), Some(40));
        assert!(p.male_victims.is_suppressed());
        assert_eq!(p.percentages[&MaracStatistic::MaleVictimsPct], None);
        assert_eq!(p.percentages[&MaracStatistic::RepeatPct], Some(25.0));
        // SpecialistDa has 6, Housing 8, Police 26: nothing hidden.
        assert!(p.referrals_by_agency.values().all(|v| !v.is_suppressed()));

        let mut cells = BTreeMap::new();
        cells.insert("a", 3u32);
        cells.insert("b", 7);
        cells.insert("c", 30);
        let s = suppress_breakdown(&cells, 5);
        assert!(s["a"].is_suppressed() && s["b"].is_suppressed(), "secondary suppression");
        assert_eq!(s["c"].value(), Some(30));

        let few: Vec<_> = sample().into_iter().take(3).collect();
        let p = marac_statistics(&few, period).published(SMALL_NUMBER_LIMIT);
        assert!(p.cases.is_suppressed());
        assert!(p.percentages.values().all(Option::is_none));
    }

    #[test]
    fn police_partner_pair_suppressed_together() {
        let period = Period::new(d(2026, 1, 1), d(2026, 12, 31)).unwrap();
        let mut cases: Vec<_> = (0..20).map(|_| case(d(2026, 3, 1), AgencyKind::Police)).collect();
        cases.push(case(d(2026, 3, 1), AgencyKind::Housing));
        let p = marac_statistics(&cases, period).published(SMALL_NUMBER_LIMIT);
        assert!(p.partner_referrals.is_suppressed());
        assert!(p.police_referrals.is_suppressed());
        assert_eq!(p.percentages[&MaracStatistic::PoliceReferralsPct], None);
    }
}
