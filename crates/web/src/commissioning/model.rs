//! From live figures to the needs engine: the commissioner's settings (a GET
//! form, every field optional), the published live figures (suppressed, each
//! with its formula and source), and the capacity and groups configs written
//! as TOML and run through `haven_needs`, exactly as `haven needs capacity
//! --config` would run them (the TOML is offered as a download, so the same
//! figures can be reproduced on the command line).
use chrono::NaiveDate;
use haven_domain::error::{FieldError, ValidationErrors};
use haven_needs::format::number;
use haven_needs::report::ReportInput;
use haven_needs::{CapacityReport, GroupsReport};
use haven_store::figures::{LiveFigures, Period, Tally, suppress, suppress_tally};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use utoipa::{IntoParams, ToSchema};

use crate::error::AppError;

/// The commissioner's settings. Every field may be left empty: the period
/// defaults to the 12 months to today, the rest to the live figure where one
/// exists and otherwise to the published rate named in its hint.
#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Settings {
    /// First day of the period, YYYY-MM-DD (default: 364 days before `to`).
    pub from: Option<String>,
    /// Last day of the period, YYYY-MM-DD (default: today).
    pub to: Option<String>,
    /// Resident population (default: the sum of the districts' populations).
    pub population: Option<String>,
    /// Women aged 16 and over (ONS mid-year estimate); no default.
    pub women_16_plus: Option<String>,
    /// Men aged 16 and over; no default.
    pub men_16_plus: Option<String>,
    /// Prevalence of domestic abuse among women, % a year (default 7.3, CSEW YE March 2020, 16-74).
    pub prevalence_women: Option<String>,
    /// Prevalence among men, % a year (default 3.6, CSEW YE March 2020, 16-74).
    pub prevalence_men: Option<String>,
    /// Share of female victims at high or medium risk, % (default 26, 004 §3.4).
    pub high_medium_percent: Option<String>,
    /// Share of the high + medium group at high risk, % (default 40, 004 §3.4).
    pub high_percent: Option<String>,
    /// IDVA caseload norm for high-risk victims (default: the partnership's rule, 65).
    pub caseload_high: Option<String>,
    /// IDVA caseload norm for medium-risk victims (default: the partnership's rule, 85).
    pub caseload_medium: Option<String>,
    /// IDVA FTE in post (default: the FTE of the IDVA teams).
    pub idva_fte: Option<String>,
    /// Share of victims with dependent children, % (default 60, 004 §3.6).
    pub share_with_children: Option<String>,
    /// Dependent children per family (default 1.8, 004 §3.6).
    pub children_per_family: Option<String>,
    /// Refuge beds in place; no default.
    pub refuge_beds: Option<String>,
    /// MARAC benchmark: cases a year per 10,000 women aged 16+ (default 40, SafeLives).
    pub marac_per_10000: Option<String>,
}

/// The settings, checked; each value says where it came from.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub period: Period,
    pub population: Option<(f64, String)>,
    pub women_16_plus: Option<f64>,
    pub men_16_plus: Option<f64>,
    pub prevalence_women: (f64, String),
    pub prevalence_men: (f64, String),
    pub high_medium_percent: (f64, String),
    pub high_percent: (f64, String),
    pub caseload_high: (f64, String),
    pub caseload_medium: (f64, String),
    pub idva_fte: Option<(f64, String)>,
    pub share_with_children: (f64, String),
    pub children_per_family: (f64, String),
    pub refuge_beds: Option<f64>,
    pub marac_per_10000: (f64, String),
}

#[derive(Clone, Copy)]
enum Range {
    Percent,
    NonNeg,
    Positive,
}

fn num(errors: &mut ValidationErrors, field: &str, raw: &Option<String>, range: Range) -> Option<f64> {
    let t = raw.as_deref().map(str::trim).unwrap_or("");
    if t.is_empty() {
        return None;
    }
    let cleaned: String = t.trim_end_matches('%').chars().filter(|c| *c != ',').collect();
    let Ok(x) = cleaned.trim().parse::<f64>() else {
        errors.push(FieldError::new(field, format!("must be a number, for example 12,345 or 7.3 (you entered “{t}”)")));
        return None;
    };
    let ok = x.is_finite()
        && match range {
            Range::Percent => (0.0..=100.0).contains(&x),
            Range::NonNeg => x >= 0.0,
            Range::Positive => x > 0.0,
        };
    if !ok {
        let want = match range {
            Range::Percent => "must be a percentage from 0 to 100",
            Range::NonNeg => "must be 0 or more",
            Range::Positive => "must be more than 0",
        };
        errors.push(FieldError::new(field, format!("{want} (you entered “{t}”)")));
        return None;
    }
    Some(x)
}

fn date(errors: &mut ValidationErrors, field: &str, raw: &Option<String>) -> Option<NaiveDate> {
    let t = raw.as_deref().map(str::trim).unwrap_or("");
    if t.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError::new(field, format!("must be a date written YYYY-MM-DD, for example 2024-03-31 (you entered “{t}”)")));
            None
        }
    }
}

const ENTERED: &str = "entered by the commissioner";

impl Settings {
    /// The period alone (for the overview), checked.
    pub fn period(&self, today: NaiveDate) -> Result<Period, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let to = date(&mut e, "to", &self.to).unwrap_or(today);
        let from = date(&mut e, "from", &self.from).unwrap_or_else(|| Period::year_to(to).from);
        if e.is_empty() && from > to {
            e.push(FieldError::new("from", "must be on or before the last day of the period"));
        }
        if e.is_empty() && (to - from).num_days() > 366 * 5 {
            e.push(FieldError::new("from", "must be no more than five years before the last day"));
        }
        if e.is_empty() { Ok(Period { from, to }) } else { Err(e) }
    }

    /// Check every setting; defaults filled in where the field is empty.
    pub fn check(&self, today: NaiveDate, rules: &crate::Rules) -> Result<Inputs, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let period = match self.period(today) {
            Ok(p) => Some(p),
            Err(pe) => {
                e.errors.extend(pe.errors);
                None
            }
        };
        let or = |v: Option<f64>, d: f64, src: &str| match v {
            Some(x) => (x, ENTERED.to_string()),
            None => (d, src.to_string()),
        };
        let population = num(&mut e, "population", &self.population, Range::Positive).map(|x| (x, ENTERED.to_string()));
        let women_16_plus = num(&mut e, "women_16_plus", &self.women_16_plus, Range::Positive);
        let men_16_plus = num(&mut e, "men_16_plus", &self.men_16_plus, Range::Positive);
        let csew = "CSEW year ending March 2020, adults 16-74 (as Portsmouth 002)";
        let prevalence_women = or(num(&mut e, "prevalence_women", &self.prevalence_women, Range::Percent), 7.3, csew);
        let prevalence_men = or(num(&mut e, "prevalence_men", &self.prevalence_men, Range::Percent), 3.6, csew);
        let high_medium_percent = or(
            num(&mut e, "high_medium_percent", &self.high_medium_percent, Range::Percent),
            26.0,
            "SafeLives/CAADA 004 §3.4 (CSEW proxies)",
        );
        let high_percent = or(num(&mut e, "high_percent", &self.high_percent, Range::Percent), 40.0, "SafeLives/CAADA 004 §3.4");
        let caseload_high = or(
            num(&mut e, "caseload_high", &self.caseload_high, Range::Positive),
            rules.caseload.high_per_fte(),
            "the partnership's caseload rule (SafeLives: 65)",
        );
        let caseload_medium = or(
            num(&mut e, "caseload_medium", &self.caseload_medium, Range::Positive),
            rules.caseload.medium_per_fte(),
            "the partnership's caseload rule (SafeLives: 85)",
        );
        let idva_fte = num(&mut e, "idva_fte", &self.idva_fte, Range::NonNeg).map(|x| (x, ENTERED.to_string()));
        let share_with_children =
            or(num(&mut e, "share_with_children", &self.share_with_children, Range::Percent), 60.0, "004 §3.6, footnote 24");
        let children_per_family =
            or(num(&mut e, "children_per_family", &self.children_per_family, Range::NonNeg), 1.8, "004 §3.6, footnote 24");
        let refuge_beds = num(&mut e, "refuge_beds", &self.refuge_beds, Range::NonNeg);
        let marac_per_10000 = or(num(&mut e, "marac_per_10000", &self.marac_per_10000, Range::NonNeg), 40.0, "SafeLives benchmark");
        match period {
            Some(period) if e.is_empty() => Ok(Inputs {
                period,
                population,
                women_16_plus,
                men_16_plus,
                prevalence_women,
                prevalence_men,
                high_medium_percent,
                high_percent,
                caseload_high,
                caseload_medium,
                idva_fte,
                share_with_children,
                children_per_family,
                refuge_beds,
                marac_per_10000,
            }),
            _ => Err(e),
        }
    }

    /// The settings as a query string (for links to the downloads).
    pub fn query(&self) -> String {
        serde_urlencoded::to_string(self).unwrap_or_default()
    }
}

// ------------------------------------------------------------ live rows --

/// One published live figure: suppressed where small, with how it was counted.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LiveFigure {
    pub id: String,
    pub label: String,
    /// `null` when suppressed (fewer than 5).
    pub value: Option<f64>,
    /// As shown: `1,234`, `41%`, `<5`, `not recorded`.
    pub display: String,
    pub formula: String,
    pub source: String,
}

/// A published breakdown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Breakdown {
    pub id: String,
    pub title: String,
    pub rows: Vec<BreakdownRow>,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BreakdownRow {
    pub key: String,
    pub label: String,
    /// `null` when suppressed.
    pub value: Option<i64>,
    pub display: String,
}

/// The live figures as published (JSON: `GET /api/v1/figures`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Published {
    pub from: String,
    pub to: String,
    /// Counts from 1 to this minus one are shown as `<5` (`null` in JSON).
    pub suppressed_below: i64,
    pub figures: Vec<LiveFigure>,
    pub breakdowns: Vec<Breakdown>,
    /// `false` when this database has no MARAC tables yet.
    pub marac_recorded: bool,
}

pub fn show_count(v: Option<i64>) -> String {
    match v {
        Some(n) => number(n as f64, 0),
        None => "<5".into(),
    }
}

const SRC_REF: &str = "Haven referrals (live)";

fn count_fig(id: &str, label: &str, n: i64, formula: &str, source: &str) -> LiveFigure {
    let v = suppress(n);
    LiveFigure {
        id: id.into(),
        label: label.into(),
        value: v.map(|x| x as f64),
        display: show_count(v),
        formula: formula.into(),
        source: source.into(),
    }
}

/// A share `num ÷ den × 100`, published only when neither count is suppressed.
fn share_fig(id: &str, label: &str, num_: i64, den: i64, formula: &str, source: &str) -> LiveFigure {
    let (value, display) = match (suppress(num_), suppress(den)) {
        (Some(a), Some(b)) if b > 0 => {
            let p = a as f64 / b as f64 * 100.0;
            (Some(p), format!("{}%", number(p, 0)))
        }
        (Some(_), Some(_)) => (None, "not applicable (none in the period)".into()),
        _ => (None, "suppressed (a count below 5)".into()),
    };
    let formula = match (suppress(num_), suppress(den)) {
        (Some(a), Some(b)) => format!("{formula}: {} ÷ {} × 100", number(a as f64, 0), number(b as f64, 0)),
        _ => formula.to_string(),
    };
    LiveFigure { id: id.into(), label: label.into(), value, display, formula, source: source.into() }
}

fn label_of(dimension: &str, key: &str) -> String {
    use haven_domain::person::{Ethnicity, Sex, SexualOrientation, YesNoUnknown};
    let l = match dimension {
        "sex" => Sex::from_key(key).map(|v| v.label().to_string()),
        "ethnicity" => Ethnicity::from_key(key).map(|v| v.label().to_string()),
        "disability" => YesNoUnknown::from_key(key).map(|v| v.label().to_string()),
        "sexual_orientation" => SexualOrientation::from_key(key).map(|v| v.label().to_string()),
        "source" => haven_domain::agency::AgencyKind::from_key(key).map(|v| v.label().to_string()),
        _ => None,
    };
    l.unwrap_or_else(|| match key {
        "not_known" => "Not known".into(),
        "not_assessed" => "Not assessed".into(),
        "under_16" => "Under 16".into(),
        k => {
            let s = k.replace('_', " ");
            let mut c = s.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        }
    })
}

fn breakdown(id: &str, title: &str, dimension: &str, t: &[Tally], source: &str) -> Breakdown {
    let rows = suppress_tally(t)
        .into_iter()
        .map(|(key, value)| BreakdownRow { label: label_of(dimension, &key), key, value, display: show_count(value) })
        .collect();
    Breakdown { id: id.into(), title: title.into(), rows, source: source.into() }
}

/// Publish the live figures: every count suppressed below 5.
pub fn publish(f: &LiveFigures) -> Published {
    let period = format!("dated {} to {}", f.period.from, f.period.to);
    let police_src = "Haven police incidents (imported incident files and referrals made by police), live";
    let mut figures = vec![
        count_fig("referrals", "Referrals received", f.referrals, &format!("Count of referrals {period}"), SRC_REF),
        count_fig(
            "victims",
            "People referred (individuals, net of repeats)",
            f.victims,
            &format!("Count of distinct people with a referral {period}"),
            SRC_REF,
        ),
        count_fig(
            "repeat_victims",
            "People referred twice or more within 12 months",
            f.repeat_victims,
            "Count of those people with another referral no more than 12 months before, or later in the period",
            SRC_REF,
        ),
        share_fig("repeat_share", "Repeat-victim share", f.repeat_victims, f.victims, "Repeat victims ÷ people referred × 100", SRC_REF),
        count_fig(
            "victims_high",
            "People referred at high risk",
            f.victims_high,
            &format!("Count of distinct people with a high-risk referral {period}"),
            SRC_REF,
        ),
        count_fig(
            "victims_medium",
            "People referred at medium risk (and not high)",
            f.victims_medium,
            &format!("Count of distinct people with a medium-risk referral and no high-risk one {period}"),
            SRC_REF,
        ),
        count_fig(
            "police_incidents",
            "Police domestic abuse incidents",
            f.police_incidents,
            &format!("Count of police incidents {period}"),
            police_src,
        ),
        count_fig(
            "police_victims",
            "Victims in police incidents (net of repeats)",
            f.police_victims,
            "Count of distinct victims in those incidents",
            police_src,
        ),
        share_fig(
            "police_repeat_rate",
            "Police incidents that are repeats",
            f.police_incidents - f.police_victims,
            f.police_incidents,
            "(Incidents − distinct victims) ÷ incidents × 100",
            police_src,
        ),
        count_fig(
            "children_in_referrals",
            "Children named on referrals",
            f.children_in_referrals,
            &format!("Count of distinct children named on referrals {period}"),
            SRC_REF,
        ),
    ];
    if let Some(m) = &f.marac {
        let src = "Haven MARAC cases (live)";
        figures.push(count_fig("marac_cases", "MARAC cases", m.cases, &format!("Count of MARAC referrals {period}, not withdrawn"), src));
        figures.push(share_fig("marac_repeat_share", "MARAC repeat cases", m.repeats, m.cases, "Repeat cases ÷ cases × 100", src));
        figures.push(count_fig(
            "marac_children",
            "Children in MARAC cases",
            m.children,
            "Sum of the children recorded on those cases",
            src,
        ));
    }
    let fte_src = "Haven team register (live)";
    for (kind, label) in [("idva", "IDVA FTE in post"), ("outreach", "Outreach FTE in post"), ("refuge", "Refuge staff FTE")] {
        let x = f.fte_of(kind);
        figures.push(LiveFigure {
            id: format!("fte_{kind}"),
            label: label.into(),
            value: Some(x),
            display: number(x, if x.fract() == 0.0 { 0 } else { 1 }),
            formula: format!("Sum of the FTE of teams of kind “{kind}”"),
            source: fte_src.into(),
        });
    }
    figures.push(LiveFigure {
        id: "population".into(),
        label: "Resident population (districts)".into(),
        value: (f.population > 0).then_some(f.population as f64),
        display: if f.population > 0 { number(f.population as f64, 0) } else { "not recorded".into() },
        formula: format!("Sum of the populations of the {} districts", f.districts.len()),
        source: "Haven district register (ONS mid-year estimates as loaded)".into(),
    });
    let served = format!("Distinct people with a referral {period}");
    let breakdowns = vec![
        breakdown("risk", "Referrals by risk level at referral", "risk", &f.risk, SRC_REF),
        breakdown("source", "Referrals by source", "source", &f.by_source, SRC_REF),
        breakdown("police_risk", "Police incidents by risk level", "risk", &f.police_risk, police_src),
        breakdown("served_sex", "People served by sex", "sex", &f.served_by_sex, &served),
        breakdown("served_age", "People served by age band (age on the last day of the period)", "age", &f.served_by_age_band, &served),
        breakdown("served_ethnicity", "People served by ethnicity", "ethnicity", &f.served_by_ethnicity, &served),
        breakdown("served_disability", "People served by disability", "disability", &f.served_by_disability, &served),
        breakdown(
            "served_sexual_orientation",
            "People served by sexual orientation",
            "sexual_orientation",
            &f.served_by_sexual_orientation,
            &served,
        ),
    ];
    Published {
        from: f.period.from.to_string(),
        to: f.period.to.to_string(),
        suppressed_below: haven_store::figures::SUPPRESS_BELOW,
        figures,
        breakdowns,
        marac_recorded: f.marac.is_some(),
    }
}

// ------------------------------------------------------------ the model --

/// The needs engine run on live figures.
pub struct Run {
    pub inputs: Inputs,
    pub published: Published,
    /// The capacity config written from the live figures (`haven needs capacity --config`).
    pub capacity_toml: String,
    pub groups_toml: Option<String>,
    pub capacity: CapacityReport,
    pub groups: Option<GroupsReport>,
    /// What was left out and why (suppressed or missing inputs).
    pub notes: Vec<String>,
    pub title: String,
}

impl Run {
    pub fn report_input(&self) -> ReportInput {
        let mut r = ReportInput::new(&self.title);
        r.capacity = Some(self.capacity.clone());
        r.groups = self.groups.clone();
        r
    }
}

/// A TOML basic string.
fn q(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(o, "\\u{:04X}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// A count usable as a model input: present and not suppressed.
fn usable(n: i64) -> bool {
    n >= haven_store::figures::SUPPRESS_BELOW
}

pub fn run(area: &str, f: &LiveFigures, i: Inputs) -> Result<Run, AppError> {
    let published = publish(f);
    let mut notes = Vec::new();
    let (from, to) = (f.period.from, f.period.to);
    let live = format!("Haven live figures, {from} to {to}");
    if f.period.days() != 365 && f.period.days() != 366 {
        notes.push(format!(
            "The period is {} days long; the model's norms are for a year, so read IDVAs required and MARAC against expected as for a period of that length.",
            f.period.days()
        ));
    }
    let mut t = String::new();
    let _ = writeln!(
        t,
        "# Capacity model on {live}.\n# Generated by Haven's commissioning page; run with: haven needs capacity --config THIS_FILE\n"
    );
    let _ = writeln!(t, "[area]\nname = {}", q(area));
    let population =
        i.population.clone().or_else(|| (f.population > 0).then(|| (f.population as f64, "Haven district register".to_string())));
    if let Some((p, _)) = &population {
        let _ = writeln!(t, "population = {p}");
    }
    if let Some(w) = i.women_16_plus {
        let _ = writeln!(t, "women_16_plus = {w}");
    }
    let _ = writeln!(t, "source = {}\n", q(&live));

    // Police: incidents, repeat rate from distinct victims, risk mix.
    if usable(f.police_incidents) {
        let inc = f.police_incidents as f64;
        let _ = writeln!(t, "[police]\nincidents = {inc}");
        // The repeat rate gives away both the victims and the repeat
        // incidents, so it is used only when neither is a small number.
        let repeats = f.police_incidents - f.police_victims;
        if usable(f.police_victims) && (repeats == 0 || usable(repeats)) {
            let repeat = (repeats as f64 / inc * 100.0).clamp(0.0, 100.0);
            let _ = writeln!(t, "repeat_rate_percent = {repeat}");
        } else {
            notes.push("Police victims or repeat incidents: fewer than 5, so the figures net of repeats are suppressed.".into());
        }
        for (key, name) in [("high", "high_risk_incidents"), ("medium", "medium_risk_incidents")] {
            let n = LiveFigures::count_of(&f.police_risk, key);
            if n == 0 || usable(n) {
                let _ = writeln!(t, "{name} = {n}");
            } else {
                notes.push(format!("Police incidents at {key} risk: fewer than 5, so the {key}-risk figures are not calculated."));
            }
        }
        let _ = writeln!(
            t,
            "source = {}\n",
            q(&format!("{live}: police incidents (imported and police referrals); repeat rate = 1 − distinct victims ÷ incidents"))
        );
    } else if f.police_incidents == 0 {
        notes.push("No police incidents are recorded in the period, so the police figures are not calculated.".into());
    } else {
        notes.push("Police incidents: fewer than 5 in the period, so the police figures are suppressed.".into());
    }

    // MARAC.
    match &f.marac {
        None => notes.push("MARAC cases are not recorded in this database yet, so the MARAC figures are not calculated.".into()),
        Some(m) if usable(m.cases) && m.repeats > 0 && !usable(m.repeats) => {
            notes.push("MARAC repeat cases: fewer than 5, so the MARAC figures (which are net of repeats) are suppressed.".into());
        }
        Some(m) if usable(m.cases) => {
            let rp = m.repeats as f64 / m.cases as f64 * 100.0;
            let _ = writeln!(t, "[marac]\ncases = {}\nrepeat_percent = {rp}", m.cases);
            if m.children == 0 || usable(m.children) {
                let _ = writeln!(t, "children = {}", m.children);
            } else {
                notes.push("Children in MARAC cases: fewer than 5, not shown.".into());
            }
            let _ = writeln!(t, "expected_per_10000_women = {}", i.marac_per_10000.0);
            let _ = writeln!(t, "source = {}\n", q(&format!("{live}: MARAC cases and repeat cases; benchmark: {}", i.marac_per_10000.1)));
            if i.women_16_plus.is_none() {
                notes.push("Enter the number of women aged 16+ to compare MARAC cases with the SafeLives benchmark.".into());
            }
        }
        Some(m) if m.cases == 0 => notes.push("No MARAC cases in the period.".into()),
        Some(_) => notes.push("MARAC cases: fewer than 5 in the period, so the MARAC figures are suppressed.".into()),
    }

    // Victims at high and medium risk, estimated from prevalence.
    if let Some(w) = i.women_16_plus {
        let fv = w * i.prevalence_women.0 / 100.0;
        let _ = writeln!(
            t,
            "[victims]\nfemale_victims = {fv}\nhigh_medium_percent = {}\nhigh_percent_of_high_medium = {}\nsource = {}\n",
            i.high_medium_percent.0,
            i.high_percent.0,
            q(&format!(
                "female victims = women 16+ {} ({ENTERED}) × {}% ({}); risk shares: {}, {}",
                number(w, 0),
                i.prevalence_women.0,
                i.prevalence_women.1,
                i.high_medium_percent.1,
                i.high_percent.1
            ))
        );
    } else {
        notes.push(
            "Enter the number of women aged 16+ (ONS mid-year estimate) to estimate victims at high and medium risk from prevalence."
                .into(),
        );
    }

    // Visible victims: people referred at high and medium risk.
    let (vh, vm) = (f.victims_high, f.victims_medium);
    let ok = |n: i64| n == 0 || usable(n);
    if ok(vh) && ok(vm) && vh + vm > 0 {
        let idva = i.idva_fte.clone().unwrap_or_else(|| (f.fte_of("idva"), "Haven team register (IDVA teams)".into()));
        let _ = writeln!(
            t,
            "[visible]\nhigh = {vh}\nmedium = {vm}\ncaseload_high = {}\ncaseload_medium = {}\ncurrent_idva_fte = {}\nsource = {}\n",
            i.caseload_high.0,
            i.caseload_medium.0,
            idva.0,
            q(&format!(
                "{live}: distinct people referred at high and at medium risk; caseloads {} / {}; IDVA FTE: {}",
                i.caseload_high.1, i.caseload_medium.1, idva.1
            ))
        );
        let _ = writeln!(
            t,
            "[children]\nshare_with_children_percent = {}\nchildren_per_family = {}\nsource = {}\n",
            i.share_with_children.0,
            i.children_per_family.0,
            q(&format!("{} and {}", i.share_with_children.1, i.children_per_family.1))
        );
    } else if vh + vm == 0 {
        notes.push("No one was referred at high or medium risk in the period, so IDVAs required are not calculated.".into());
    } else {
        notes.push("People referred at high or at medium risk: fewer than 5, so the IDVA figures are suppressed.".into());
    }

    if let Some(b) = i.refuge_beds {
        let _ = writeln!(t, "[refuge]\nbeds = {b}\nsource = {}\n", q(&format!("refuge beds {ENTERED}; target: Council of Europe")));
    }

    let loaded = haven_needs::read_capacity("live-capacity.toml", t.as_bytes())
        .map_err(|e| AppError::Internal(format!("live capacity config: {e}")))?;
    let capacity = haven_needs::capacity(&loaded).map_err(|e| AppError::Internal(format!("capacity model: {e}")))?;

    // Access ratios by sex: people served ÷ expected victims.
    let mut g = String::new();
    let mut have_groups = false;
    let _ = writeln!(
        g,
        "# Access ratios on {live}; run with: haven needs groups --config THIS_FILE\n[area]\nname = {}\nsource = {}\n",
        q(area),
        q(&live)
    );
    for (sex, label, base, rate, key) in
        [("female", "Women", i.women_16_plus, &i.prevalence_women, "women"), ("male", "Men", i.men_16_plus, &i.prevalence_men, "men")]
    {
        let Some(base) = base else { continue };
        let served = LiveFigures::count_of(&f.served_by_sex, sex);
        let _ = writeln!(
            g,
            "[[breakdown]]\nid = \"{key}\"\nlabel = {}\ndimension = \"sex\"\nsex = \"{sex}\"\nbase = {base}\nprevalence_percent = {}\nsource = {}\n",
            q(&format!("{label} aged 16+ experiencing domestic abuse in a year")),
            rate.0,
            q(&format!("population {ENTERED}; rate: {}", rate.1))
        );
        if usable(served) || served == 0 {
            let _ = writeln!(
                g,
                "[[access]]\nid = \"{key}\"\nlabel = {}\nexpected_from = [\"{key}\"]\nserved = {served}\nsource = {}\n",
                q(label),
                q(&format!("{live}: distinct {label} referred (all ages)").to_lowercase())
            );
        } else {
            notes.push(format!("{label} served: fewer than 5, so their access ratio is suppressed."));
        }
        have_groups = true;
    }
    if !have_groups {
        notes.push("Enter women and men aged 16+ to see access ratios (people served ÷ people expected to be affected).".into());
    }
    let (groups_toml, groups) = if have_groups {
        let (text, cfg) = haven_needs::read_groups("live-groups.toml", g.as_bytes())
            .map_err(|e| AppError::Internal(format!("live groups config: {e}")))?;
        let r = haven_needs::groups("live-groups.toml", &text, &cfg).map_err(|e| AppError::Internal(format!("groups model: {e}")))?;
        (Some(g), Some(r))
    } else {
        (None, None)
    };

    Ok(Run {
        title: format!("{area}: needs and capacity on live figures, {from} to {to}"),
        inputs: i,
        published,
        capacity_toml: t,
        groups_toml,
        capacity,
        groups,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_strings_are_escaped() {
        assert_eq!(q("a \"b\" \\ c\n"), "\"a \\\"b\\\" \\\\ c\\u000A\"");
    }

    #[test]
    fn settings_name_the_bad_field() {
        let s = Settings {
            population: Some("lots".into()),
            high_percent: Some("140".into()),
            from: Some("2024-13-01".into()),
            ..Default::default()
        };
        let today = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
        let e = s.check(today, &crate::Rules::default()).err().unwrap_or_default();
        let fields: Vec<&str> = e.errors.iter().map(|x| x.field.as_str()).collect();
        assert!(fields.contains(&"population") && fields.contains(&"high_percent") && fields.contains(&"from"), "{fields:?}");
    }

    #[test]
    fn defaults_fill_empty_fields() {
        let s = Settings { population: Some(" ".into()), women_16_plus: Some("120,000".into()), ..Default::default() };
        let today = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
        let i = s.check(today, &crate::Rules::default());
        assert!(i.is_ok(), "rejected good settings");
        let Ok(i) = i else { return };
        assert_eq!(i.women_16_plus, Some(120000.0));
        assert_eq!(i.population, None);
        assert_eq!(i.prevalence_women.0, 7.3);
        assert_eq!(i.period.days(), 365);
    }
}
