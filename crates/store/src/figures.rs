//! Aggregate figures for commissioners and analysts: counts only, never a
//! person, with small numbers suppressed where published.
//!
//! The store returns exact counts; whoever *publishes* them (a page, the API,
//! a download) passes them through [`suppress`] / [`suppress_tally`] first.
//! No figure here carries a name, an id or a date of birth: every query is a
//! `COUNT`, a `SUM` or a `GROUP BY` over a category.
use async_trait::async_trait;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{Ctx, Result};

/// Counts from 1 to this minus one are suppressed in published figures.
pub const SUPPRESS_BELOW: i64 = crate::sqlite::SUPPRESS_BELOW;

/// A reporting period, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The 12 months ending on `to` (365 days, both ends included).
    pub fn year_to(to: NaiveDate) -> Self {
        Period { from: to - chrono::Duration::days(364), to }
    }

    /// Length in days, both ends included.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
}

/// One category and how many people (or referrals) fall in it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Tally {
    /// Stable key (`female`, `white_british`, `police`, `16-24`, `not_known`).
    pub key: String,
    pub count: i64,
}

/// A district of the partnership: its population (from the district table)
/// and the referrals and police incidents in the period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DistrictFigures {
    pub name: String,
    pub lot: String,
    pub population: i64,
    pub referrals: i64,
    pub police_incidents: i64,
}

/// Practitioner capacity from the team table.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TeamFte {
    /// Team kind (`idva`, `outreach`, `refuge`, …).
    pub kind: String,
    pub teams: i64,
    pub fte: f64,
    /// Safe caseload per FTE where the teams record one (the mean over them).
    pub safe_caseload_per_fte: Option<f64>,
}

/// MARAC cases in the period (only when the MARAC tables exist).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MaracFigures {
    /// Cases referred to MARAC in the period, not withdrawn.
    pub cases: i64,
    /// Of which repeat cases (a previous MARAC within 12 months).
    pub repeats: i64,
    /// Children in those cases' households.
    pub children: i64,
    /// Distinct victims among them.
    pub victims: i64,
}

/// Everything the commissioning pages need, for one period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LiveFigures {
    pub period: Period,
    /// Referrals received in the period (any source).
    pub referrals: i64,
    /// Distinct people referred in the period.
    pub victims: i64,
    /// Of those, people with two or more referrals no more than 12 months
    /// apart, at least one of them in the period.
    pub repeat_victims: i64,
    /// Referrals by risk level at referral (`high`, `medium`, `standard`, `not_assessed`).
    pub risk: Vec<Tally>,
    /// Distinct people with a high-risk referral in the period.
    pub victims_high: i64,
    /// Distinct people with a medium-risk referral (and none high) in the period.
    pub victims_medium: i64,
    /// Referrals by the kind of agency that made them (`police`, `self`, …).
    pub by_source: Vec<Tally>,
    /// Police domestic abuse incidents in the period (imports and police referrals).
    pub police_incidents: i64,
    /// Distinct victims in those incidents.
    pub police_victims: i64,
    /// Police incidents by the risk level recorded (`high`, `medium`, `standard`, `not_assessed`).
    pub police_risk: Vec<Tally>,
    /// People served (referred in the period) by sex.
    pub served_by_sex: Vec<Tally>,
    /// … by age band at the end of the period (`under_16`, `16-24`, …, `65+`, `not_known`).
    pub served_by_age_band: Vec<Tally>,
    pub served_by_ethnicity: Vec<Tally>,
    pub served_by_disability: Vec<Tally>,
    pub served_by_sexual_orientation: Vec<Tally>,
    /// Distinct children named on referrals received in the period.
    pub children_in_referrals: i64,
    /// `None` when this database has no MARAC tables.
    pub marac: Option<MaracFigures>,
    /// FTE by team kind.
    pub fte: Vec<TeamFte>,
    pub districts: Vec<DistrictFigures>,
    /// Sum of the districts' populations (0 when none is recorded).
    pub population: i64,
}

impl LiveFigures {
    /// FTE of teams of one kind (0 when there are none).
    pub fn fte_of(&self, kind: &str) -> f64 {
        self.fte.iter().filter(|t| t.kind == kind).map(|t| t.fte).sum()
    }

    /// Count in a tally by key (0 when absent).
    pub fn count_of(tally: &[Tally], key: &str) -> i64 {
        tally.iter().filter(|t| t.key == key).map(|t| t.count).sum()
    }
}

/// A count as published: `None` for 1 to 4 (shown as "<5").
pub fn suppress(n: i64) -> Option<i64> {
    if n > 0 && n < SUPPRESS_BELOW { None } else { Some(n) }
}

/// A breakdown as published. Small cells are suppressed; when exactly one
/// cell is suppressed, the next smallest non-zero cell is suppressed too, so
/// the hidden one cannot be worked out from the total (secondary suppression).
pub fn suppress_tally(t: &[Tally]) -> Vec<(String, Option<i64>)> {
    let mut out: Vec<(String, Option<i64>)> = t.iter().map(|c| (c.key.clone(), suppress(c.count))).collect();
    let hidden = out.iter().filter(|(_, v)| v.is_none()).count();
    if hidden == 1 {
        let next = t
            .iter()
            .enumerate()
            .filter(|(i, c)| c.count > 0 && out.get(*i).is_some_and(|(_, v)| v.is_some()))
            .min_by_key(|(_, c)| c.count)
            .map(|(i, _)| i);
        if let Some(cell) = next.and_then(|i| out.get_mut(i)) {
            cell.1 = None;
        }
    }
    out
}

#[async_trait]
pub trait FiguresStore: Send + Sync + 'static {
    /// The partnership's live aggregate figures for a period. Exact counts
    /// (suppress before publishing). The view is audited (record type
    /// `figures`). A caller without `ViewAggregates` gets `NotFound`.
    async fn live_figures(&self, ctx: &Ctx, period: Period) -> Result<LiveFigures>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(k: &str, n: i64) -> Tally {
        Tally { key: k.into(), count: n }
    }

    #[test]
    fn small_numbers_are_suppressed() {
        assert_eq!(suppress(0), Some(0));
        assert_eq!(suppress(1), None);
        assert_eq!(suppress(4), None);
        assert_eq!(suppress(5), Some(5));
    }

    #[test]
    fn a_lone_suppressed_cell_takes_the_next_smallest_with_it() {
        let p = suppress_tally(&[t("a", 100), t("b", 3), t("c", 12), t("d", 0)]);
        assert_eq!(p, vec![("a".into(), Some(100)), ("b".into(), None), ("c".into(), None), ("d".into(), Some(0))]);
        let p = suppress_tally(&[t("a", 100), t("b", 3), t("c", 2)]);
        assert_eq!(p, vec![("a".into(), Some(100)), ("b".into(), None), ("c".into(), None)]);
        let p = suppress_tally(&[t("a", 100), t("b", 30)]);
        assert_eq!(p, vec![("a".into(), Some(100)), ("b".into(), Some(30))]);
    }
}
