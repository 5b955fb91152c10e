//! The SafeLives/CAADA capacity model (004 §3, §5, Appendix 3, Appendix 6)
//! with the cost, funding, recovery and scenario calculations around it
//! (004 §2.3, §4.3, Table 10, Appendix 8). Input is a TOML file whose keys are
//! documented in `docs/needs.md`; every section except `[area]` is optional.
use std::collections::BTreeMap;
use std::io::Read;

use serde::{Deserialize, Serialize};

use crate::error::{NeedsError, Result};
use crate::figure::{Figure, FigureBuilder, Section, ratio};
use crate::format::{Unit, money, num, pct};
use crate::input::{parse_toml, read_text};
use crate::rounding::Rounding;
use crate::values::{NonNeg, Percent, Positive};

// ---------------------------------------------------------------- config --

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapacityConfig {
    pub area: AreaConfig,
    pub police: Option<PoliceConfig>,
    pub marac: Option<MaracConfig>,
    pub victims: Option<VictimsConfig>,
    pub visible: Option<VisibleConfig>,
    pub children: Option<ChildrenConfig>,
    pub refuge: Option<RefugeConfig>,
    #[serde(default)]
    pub services: Vec<ServiceConfig>,
    pub spend: Option<SpendConfig>,
    pub funding: Option<FundingConfig>,
    pub staff_cost: Option<StaffCostConfig>,
    pub recovery: Option<RecoveryConfig>,
    #[serde(default)]
    pub scenarios: Vec<ScenarioConfig>,
    /// Figure id → rounding rule, overriding the defaults.
    #[serde(default)]
    pub rounding: BTreeMap<toml::Spanned<String>, Rounding>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaConfig {
    pub name: String,
    /// Total resident population (for rates per 1,000 and the refuge target).
    pub population: Option<NonNeg>,
    /// Women aged 16 and over (for the MARAC benchmark).
    pub women_16_plus: Option<NonNeg>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoliceConfig {
    pub incidents: NonNeg,
    /// Share of incidents that are repeats; individuals net of repeats are
    /// only shown when it is given.
    pub repeat_rate_percent: Option<Percent>,
    pub high_risk_incidents: Option<NonNeg>,
    pub medium_risk_incidents: Option<NonNeg>,
    pub crimes: Option<NonNeg>,
    pub charges: Option<NonNeg>,
    pub successful_outcome_percent: Option<Percent>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaracConfig {
    pub cases: NonNeg,
    pub repeat_percent: Percent,
    pub children: Option<NonNeg>,
    /// SafeLives benchmark; 40 if not given.
    pub expected_per_10000_women: Option<NonNeg>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VictimsConfig {
    /// Estimated female victims in the area (CSEW-based, 004 §3.4).
    pub female_victims: NonNeg,
    /// Share of them who are high or medium risk.
    pub high_medium_percent: Percent,
    /// Share of the high + medium group who are high risk.
    pub high_percent_of_high_medium: Percent,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisibleConfig {
    pub high: NonNeg,
    pub medium: NonNeg,
    pub caseload_high: Positive,
    pub caseload_medium: Positive,
    /// IDVA posts in place now, for "capacity vs need".
    pub current_idva_fte: Option<NonNeg>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChildrenConfig {
    pub share_with_children_percent: Percent,
    pub children_per_family: NonNeg,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefugeConfig {
    pub beds: NonNeg,
    /// Council of Europe: 1 bed per 10,000 population if not given.
    pub target_beds_per_10000: Option<NonNeg>,
    pub victims: Option<NonNeg>,
    pub support_fte: Option<Positive>,
    pub support_funding: Option<NonNeg>,
    pub rent: Option<NonNeg>,
    /// 52 if not given.
    pub weeks_per_year: Option<Positive>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    pub id: String,
    pub name: String,
    pub funding: NonNeg,
    pub victims: Positive,
    pub fte: Option<Positive>,
    pub recommended_caseload_min: Option<Positive>,
    pub recommended_caseload_max: Option<Positive>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpendLine {
    pub id: String,
    pub label: String,
    pub amount: NonNeg,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpendConfig {
    /// Total spend; the funding streams' total if not given.
    pub total: Option<NonNeg>,
    #[serde(default)]
    pub lines: Vec<SpendLine>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundingStream {
    pub source: String,
    pub service: String,
    pub amount: NonNeg,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundingConfig {
    /// Number of separate funding streams, where the listed streams are
    /// aggregates (004 counts 36 streams behind its Appendix 8 table).
    pub reported_streams: Option<u32>,
    #[serde(default)]
    pub streams: Vec<FundingStream>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Post {
    pub role: String,
    pub salary: NonNeg,
    pub fte: NonNeg,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtherCost {
    pub label: String,
    pub amount: NonNeg,
    /// 1 if not given.
    pub quantity: Option<NonNeg>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffCostConfig {
    pub on_cost_percent: Percent,
    pub overhead_percent: Percent,
    /// Rounding applied to the overhead before it is added to the total (the
    /// seed rounds 314,820 to 315,000). None if not given.
    pub overhead_rounding: Option<Rounding>,
    pub posts: Vec<Post>,
    #[serde(default)]
    pub other: Vec<OtherCost>,
    /// Role whose FTE divides the total for "cost per post"; `IDVA` if not given.
    pub per_fte_role: Option<String>,
    /// Victims supported, for cost per victim; the visible total if not given.
    pub victims: Option<Positive>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryConfig {
    /// Engaged service users; the visible total if not given.
    pub engaged: Option<NonNeg>,
    pub uptake_percent: Percent,
    pub participants_per_course: Positive,
    pub cost_per_course: NonNeg,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioLine {
    /// Row of the side-by-side table; lines with the same label add up.
    pub label: String,
    pub amount: NonNeg,
    /// What the line is, where the label groups several.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioConfig {
    pub id: String,
    pub name: String,
    pub lines: Vec<ScenarioLine>,
    pub source: Option<String>,
}

/// A parsed capacity config together with its text (for error positions).
#[derive(Debug, Clone)]
pub struct LoadedCapacity {
    pub file: String,
    pub text: String,
    pub config: CapacityConfig,
}

/// Parse a capacity config from TOML.
pub fn read_capacity<R: Read>(file: &str, reader: R) -> Result<LoadedCapacity> {
    let text = read_text(file, reader)?;
    let config: CapacityConfig = parse_toml(file, &text)?;
    Ok(LoadedCapacity { file: file.to_string(), text, config })
}

// ---------------------------------------------------------------- output --

/// Money by one dimension (source or service).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    pub name: String,
    pub amount: f64,
    pub percent: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FundingSummary {
    pub total: f64,
    pub streams: usize,
    pub by_source: Vec<Share>,
    pub by_service: Vec<Share>,
    /// amount\[source\]\[service\]
    pub matrix: Vec<(String, String, f64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioRow {
    pub label: String,
    /// One amount per scenario, `None` where the scenario has no such line.
    pub amounts: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioTable {
    pub ids: Vec<String>,
    pub names: Vec<String>,
    pub rows: Vec<ScenarioRow>,
    pub totals: Vec<f64>,
    /// Each total minus the first scenario's.
    pub difference: Vec<f64>,
}

/// One "need vs what is in place" pair for the capacity chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeedVsCapacity {
    pub label: String,
    pub need: f64,
    pub current: f64,
    pub unit: Unit,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityReport {
    pub area: String,
    pub sections: Vec<Section>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub funding: Option<FundingSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenarios: Option<ScenarioTable>,
    pub need_vs_capacity: Vec<NeedVsCapacity>,
}

impl CapacityReport {
    /// Find a figure by id in any section.
    pub fn figure(&self, id: &str) -> Option<&Figure> {
        self.sections.iter().flat_map(|s| s.figures.iter()).find(|f| f.id == id)
    }
}

// ----------------------------------------------------------------- model --

const NEAREST: Rounding = Rounding::Nearest(1.0);
const PCT: Rounding = Rounding::Nearest(1.0);

fn src(method: &str, section: &Option<String>, area: &AreaConfig) -> String {
    let inputs = section.as_deref().or(area.source.as_deref()).unwrap_or("the capacity config file");
    format!("Method: {method}. Inputs: {inputs}")
}

/// Run the capacity model on a loaded config.
pub fn capacity(loaded: &LoadedCapacity) -> Result<CapacityReport> {
    let mut b = FigureBuilder::with_overrides(&loaded.file, &loaded.text, &loaded.config.rounding);
    let report = capacity_with(&loaded.config, &mut b)?;
    let known: Vec<String> = report.sections.iter().flat_map(|s| s.figures.iter().map(|f| f.id.clone())).collect();
    b.check_unused(&loaded.file, &known)?;
    Ok(report)
}

/// Run the capacity model with a prepared figure builder.
pub fn capacity_with(c: &CapacityConfig, b: &mut FigureBuilder) -> Result<CapacityReport> {
    let area = &c.area;
    let mut sections = Vec::new();
    let mut nvc = Vec::new();
    let visible_total = c.visible.as_ref().map(|v| v.high.get() + v.medium.get());

    if let Some(p) = &c.police {
        let s = src("SafeLives/CAADA 004 §3.2, Table 8 (incidents net of the repeat rate)", &p.source, area);
        let mut sec = Section::new("police", "Police incidents, individuals and attrition");
        let inc = p.incidents.get();
        let repeat = p.repeat_rate_percent.map(|r| (1.0 - r.frac(), pct(r.get())));
        if let Some((keep, rr)) = &repeat {
            sec.figures.push(b.fig(
                "police.individuals",
                "Individuals in police incidents, net of repeats",
                inc * keep,
                Unit::Count,
                NEAREST,
                format!("{} × (1 − {rr})", num(inc)),
                &s,
            ));
        }
        let high = p.high_risk_incidents.map(NonNeg::get);
        let medium = p.medium_risk_incidents.map(NonNeg::get);
        for (id, label, v) in [("high", "high risk", high), ("medium", "medium risk", medium)] {
            if let Some(v) = v {
                sec.figures.push(b.fig(
                    &format!("police.{id}_share"),
                    &format!("Share of incidents assessed {label}"),
                    ratio(v, inc, "police.incidents")? * 100.0,
                    Unit::Percent,
                    PCT,
                    format!("{} ÷ {} × 100", num(v), num(inc)),
                    &s,
                ));
                if let Some((keep, rr)) = &repeat {
                    sec.figures.push(b.fig(
                        &format!("police.{id}_individuals"),
                        &format!("Individuals in {label} incidents, net of repeats"),
                        v * keep,
                        Unit::Count,
                        NEAREST,
                        format!("{} × (1 − {rr})", num(v)),
                        &s,
                    ));
                }
            }
        }
        if let (Some(h), Some(m)) = (high, medium) {
            let hm = h + m;
            sec.figures.push(b.fig(
                "police.high_medium_incidents",
                "High + medium risk incidents",
                hm,
                Unit::Count,
                NEAREST,
                format!("{} + {}", num(h), num(m)),
                &s,
            ));
            sec.figures.push(b.fig(
                "police.high_medium_share",
                "Share of incidents high or medium risk",
                ratio(hm, inc, "police.incidents")? * 100.0,
                Unit::Percent,
                PCT,
                format!("{} ÷ {} × 100", num(hm), num(inc)),
                &s,
            ));
            if let Some((keep, rr)) = &repeat {
                sec.figures.push(b.fig(
                    "police.high_medium_individuals",
                    "Individuals in high + medium risk incidents, net of repeats",
                    hm * keep,
                    Unit::Count,
                    NEAREST,
                    format!("{} × (1 − {rr})", num(hm)),
                    &s,
                ));
            }
        }
        if let Some(pop) = area.population.map(NonNeg::get) {
            let s2 = src("002 Key findings (rate per 1,000 population)", &p.source, area);
            sec.figures.push(b.fig(
                "police.incidents_per_1000",
                "Police incidents per 1,000 population",
                ratio(inc, pop, "area.population")? * 1000.0,
                Unit::Per1000,
                Rounding::Nearest(0.1),
                format!("{} ÷ {} × 1,000", num(inc), num(pop)),
                &s2,
            ));
            if let Some(cr) = p.crimes.map(NonNeg::get) {
                sec.figures.push(b.fig(
                    "police.crimes_per_1000",
                    "Recorded crimes per 1,000 population",
                    ratio(cr, pop, "area.population")? * 1000.0,
                    Unit::Per1000,
                    Rounding::Nearest(0.1),
                    format!("{} ÷ {} × 1,000", num(cr), num(pop)),
                    &s2,
                ));
            }
        }
        if let (Some(cr), Some(ch)) = (p.crimes.map(NonNeg::get), p.charges.map(NonNeg::get)) {
            let s3 = src("002 Key findings (attrition: charges × successful outcomes ÷ crimes)", &p.source, area);
            sec.figures.push(b.fig(
                "police.charge_rate",
                "Crimes resulting in a charge",
                ratio(ch, cr, "police.crimes")? * 100.0,
                Unit::Percent,
                PCT,
                format!("{} ÷ {} × 100", num(ch), num(cr)),
                &s3,
            ));
            if let Some(ok) = p.successful_outcome_percent {
                let succ = ch * ok.frac();
                sec.figures.push(b.fig(
                    "police.successful_outcomes",
                    "Charges with a successful court outcome",
                    succ,
                    Unit::Count,
                    NEAREST,
                    format!("{} × {}", num(ch), pct(ok.get())),
                    &s3,
                ));
                sec.figures.push(b.fig(
                    "police.attrition",
                    "Crimes resulting in a successful court outcome",
                    ratio(succ, cr, "police.crimes")? * 100.0,
                    Unit::Percent,
                    PCT,
                    format!("{} × {} ÷ {} × 100", num(ch), pct(ok.get()), num(cr)),
                    &s3,
                ));
            }
        }
        sections.push(sec);
    }

    if let Some(m) = &c.marac {
        let s =
            src("SafeLives/CAADA 004 §3.2, Table 8; SafeLives benchmark of 40 MARAC cases per 10,000 adult women a year", &m.source, area);
        let mut sec = Section::new("marac", "MARAC");
        let keep = 1.0 - m.repeat_percent.frac();
        let rr = pct(m.repeat_percent.get());
        let cases = m.cases.get();
        let individuals = cases * keep;
        sec.figures.push(b.fig(
            "marac.individuals",
            "MARAC victims net of repeat cases",
            individuals,
            Unit::Count,
            NEAREST,
            format!("{} × (1 − {rr})", num(cases)),
            &s,
        ));
        if let Some(ch) = m.children.map(NonNeg::get) {
            sec.figures.push(b.fig(
                "marac.children",
                "Children in MARAC cases, net of repeats",
                ch * keep,
                Unit::Count,
                NEAREST,
                format!("{} × (1 − {rr})", num(ch)),
                &s,
            ));
        }
        sec.figures.push(b.fig(
            "marac.perpetrators",
            "Perpetrators known through MARAC (≈ victims net of repeats)",
            individuals,
            Unit::Count,
            NEAREST,
            format!("{} × (1 − {rr})", num(cases)),
            &src("004 §3.7 (one perpetrator per MARAC victim, serial perpetrators aside)", &m.source, area),
        ));
        if let Some(w) = area.women_16_plus.map(NonNeg::get) {
            let per = m.expected_per_10000_women.map_or(40.0, NonNeg::get);
            let expected = w / 10_000.0 * per;
            sec.figures.push(b.fig(
                "marac.expected",
                "Expected MARAC cases a year",
                expected,
                Unit::Count,
                NEAREST,
                format!("{} ÷ 10,000 × {}", num(w), num(per)),
                &s,
            ));
            sec.figures.push(b.fig(
                "marac.actual_vs_expected",
                "MARAC cases as a share of the expected number",
                ratio(cases, expected, "marac.expected")? * 100.0,
                Unit::Percent,
                PCT,
                format!("{} ÷ {} × 100", num(cases), num(expected)),
                &s,
            ));
            nvc.push(NeedVsCapacity {
                label: "MARAC cases a year".into(),
                need: expected,
                current: cases,
                unit: Unit::Count,
                source: s.clone(),
            });
        }
        sections.push(sec);
    }

    let child_factor = c.children.as_ref().map(|ch| {
        (
            ch.share_with_children_percent,
            ch.children_per_family.get(),
            src("004 §3.6 and footnote 24 (share of victims with dependent children × children per family)", &ch.source, area),
        )
    });

    if let Some(v) = &c.victims {
        let s =
            src("SafeLives/CAADA 004 §3.3-3.4, Table 9 (female victims × share high or medium risk × share high risk)", &v.source, area);
        let mut sec = Section::new("victims", "High and medium risk victims (women)");
        let fv = v.female_victims.get();
        let hm = fv * v.high_medium_percent.frac();
        let high = hm * v.high_percent_of_high_medium.frac();
        let medium = hm - high;
        sec.figures.push(b.fig(
            "victims.high_medium",
            "High + medium risk female victims",
            hm,
            Unit::Count,
            NEAREST,
            format!("{} × {}", num(fv), pct(v.high_medium_percent.get())),
            &s,
        ));
        sec.figures.push(b.fig(
            "victims.high",
            "High risk female victims",
            high,
            Unit::Count,
            NEAREST,
            format!("{} × {} × {}", num(fv), pct(v.high_medium_percent.get()), pct(v.high_percent_of_high_medium.get())),
            &s,
        ));
        sec.figures.push(b.fig(
            "victims.medium",
            "Medium risk female victims",
            medium,
            Unit::Count,
            NEAREST,
            format!("{} − {}", num(hm), num(high)),
            &s,
        ));
        if let Some((share, per, cs)) = &child_factor {
            for (id, label, n) in
                [("high", "high risk", high), ("medium", "medium risk", medium), ("high_medium", "high + medium risk", hm)]
            {
                sec.figures.push(b.fig(
                    &format!("children.{id}"),
                    &format!("Children of {label} female victims"),
                    n * share.frac() * per,
                    Unit::Count,
                    NEAREST,
                    format!("{} × {} × {}", num(n), pct(share.get()), num(*per)),
                    cs,
                ));
            }
        }
        sections.push(sec);
    }

    if let Some(v) = &c.visible {
        let s = src("SafeLives/CAADA 004 §3.3-3.4, Table 9 and Appendix 6 (visible victims ÷ IDVA caseload)", &v.source, area);
        let mut sec = Section::new("visible", "Visible victims and IDVAs required");
        let (h, m) = (v.high.get(), v.medium.get());
        let (ch, cm) = (v.caseload_high.get(), v.caseload_medium.get());
        sec.figures.push(b.fig(
            "visible.total",
            "Visible high + medium risk victims who may engage",
            h + m,
            Unit::Count,
            NEAREST,
            format!("{} + {}", num(h), num(m)),
            &s,
        ));
        let ih = h / ch;
        let im = m / cm;
        let fh =
            b.fig("idva.high", "IDVAs required for high risk victims", ih, Unit::Fte, NEAREST, format!("{} ÷ {}", num(h), num(ch)), &s);
        let fm =
            b.fig("idva.medium", "IDVAs required for medium risk victims", im, Unit::Fte, NEAREST, format!("{} ÷ {}", num(m), num(cm)), &s);
        let total_rounded = fh.rounded + fm.rounded;
        let ft = b.fig(
            "idva.total",
            "IDVAs required, high + medium risk",
            ih + im,
            Unit::Fte,
            NEAREST,
            format!("{} ÷ {} + {} ÷ {}", num(h), num(ch), num(m), num(cm)),
            &s,
        );
        let idva_need = if ft.rounding == Rounding::None { ft.value } else { total_rounded.max(ft.rounded) };
        sec.figures.push(fh);
        sec.figures.push(fm);
        sec.figures.push(ft);
        if let Some((share, per, cs)) = &child_factor {
            for (id, label, n) in [
                ("visible_high", "visible high risk", h),
                ("visible_medium", "visible medium risk", m),
                ("visible", "visible high + medium risk", h + m),
            ] {
                sec.figures.push(b.fig(
                    &format!("children.{id}"),
                    &format!("Children of {label} victims"),
                    n * share.frac() * per,
                    Unit::Count,
                    NEAREST,
                    format!("{} × {} × {}", num(n), pct(share.get()), num(*per)),
                    cs,
                ));
            }
        }
        sec.figures.push(b.fig(
            "perpetrators.visible",
            "Visible perpetrators (≈ visible victims)",
            h + m,
            Unit::Count,
            NEAREST,
            format!("{} + {}", num(h), num(m)),
            &src("004 §3.7 (serial perpetrators aside, visible perpetrators broadly match visible victims)", &v.source, area),
        ));
        if let Some(cur) = v.current_idva_fte.map(NonNeg::get) {
            sec.figures.push(b.fig(
                "idva.gap",
                "IDVA posts still needed",
                idva_need - cur,
                Unit::Fte,
                Rounding::Nearest(0.1),
                format!("{} − {}", num(idva_need), num(cur)),
                &s,
            ));
            nvc.push(NeedVsCapacity { label: "IDVAs (FTE)".into(), need: idva_need, current: cur, unit: Unit::Fte, source: s.clone() });
        }
        sections.push(sec);
    }

    if let Some(r) = &c.refuge {
        let s = src(
            "004 §3.5 and §5, Tables 11-12; Council of Europe target of 1 refuge bed (family place) per 10,000 population",
            &r.source,
            area,
        );
        let mut sec = Section::new("refuge", "Refuge");
        let beds = r.beds.get();
        if let Some(pop) = area.population.map(NonNeg::get) {
            let per = r.target_beds_per_10000.map_or(1.0, NonNeg::get);
            let target = pop / 10_000.0 * per;
            let ft = b.fig(
                "refuge.target",
                "Refuge beds (units) for the Council of Europe target",
                target,
                Unit::Count,
                NEAREST,
                format!("{} ÷ 10,000 × {}", num(pop), num(per)),
                &s,
            );
            let shown_target = ft.rounded;
            sec.figures.push(ft);
            sec.figures.push(b.fig(
                "refuge.share_of_target",
                "Beds in place as a share of the target",
                ratio(beds, target, "refuge.target")? * 100.0,
                Unit::Percent,
                PCT,
                format!("{} ÷ {} × 100", num(beds), num(target)),
                &s,
            ));
            nvc.push(NeedVsCapacity {
                label: "Refuge beds (units)".into(),
                need: shown_target,
                current: beds,
                unit: Unit::Count,
                source: s.clone(),
            });
        }
        let weeks = r.weeks_per_year.map_or(52.0, Positive::get);
        if let Some(v) = r.victims.map(NonNeg::get) {
            if let Some(f) = r.support_funding.map(NonNeg::get) {
                sec.figures.push(b.fig(
                    "refuge.cost_per_victim",
                    "Support funding per accommodated victim",
                    ratio(f, v, "refuge.victims")?,
                    Unit::Money,
                    NEAREST,
                    format!("{} ÷ {}", money(f), num(v)),
                    &s,
                ));
            }
            if let Some(fte) = r.support_fte.map(Positive::get) {
                sec.figures.push(b.fig(
                    "refuge.caseload",
                    "Accommodated victims a year per FTE support worker",
                    v / fte,
                    Unit::Number,
                    NEAREST,
                    format!("{} ÷ {}", num(v), num(fte)),
                    &s,
                ));
            }
        }
        if let Some(f) = r.support_funding.map(NonNeg::get) {
            sec.figures.push(b.fig(
                "refuge.support_per_unit_week",
                "Support funding per unit per week",
                ratio(f, beds * weeks, "refuge.beds")?,
                Unit::Money,
                NEAREST,
                format!("{} ÷ {} ÷ {}", money(f), num(beds), num(weeks)),
                &s,
            ));
        }
        if let Some(rent) = r.rent.map(NonNeg::get) {
            sec.figures.push(b.fig(
                "refuge.rent_per_unit_week",
                "Rent per unit per week",
                ratio(rent, beds * weeks, "refuge.beds")?,
                Unit::Money,
                NEAREST,
                format!("{} ÷ {} ÷ {}", money(rent), num(beds), num(weeks)),
                &s,
            ));
        }
        sections.push(sec);
    }

    if !c.services.is_empty() {
        let mut sec = Section::new("services", "Services: cost per victim and caseloads");
        for sv in &c.services {
            let s = src("004 §2.2, Table 4 (funding ÷ engaged victims; engaged victims ÷ FTE)", &sv.source, area);
            let (f, v) = (sv.funding.get(), sv.victims.get());
            sec.figures.push(b.fig(
                &format!("services.{}.cost_per_victim", sv.id),
                &format!("{}: funding per engaged victim", sv.name),
                f / v,
                Unit::Money,
                NEAREST,
                format!("{} ÷ {}", money(f), num(v)),
                &s,
            ));
            if let Some(fte) = sv.fte.map(Positive::get) {
                let load = v / fte;
                sec.figures.push(b.fig(
                    &format!("services.{}.caseload", sv.id),
                    &format!("{}: engaged victims a year per FTE", sv.name),
                    load,
                    Unit::Number,
                    NEAREST,
                    format!("{} ÷ {}", num(v), num(fte)),
                    &s,
                ));
                if let (Some(lo), Some(hi)) =
                    (sv.recommended_caseload_min.map(Positive::get), sv.recommended_caseload_max.map(Positive::get))
                {
                    if lo > hi {
                        return Err(NeedsError::model(
                            format!("services `{}`", sv.id),
                            "recommended_caseload_min is more than recommended_caseload_max",
                        ));
                    }
                    let mid = (lo + hi) / 2.0;
                    sec.figures.push(b.fig(
                        &format!("services.{}.caseload_vs_recommended", sv.id),
                        &format!("{}: caseload as a multiple of the recommended {}-{}", sv.name, num(lo), num(hi)),
                        load / mid,
                        Unit::Number,
                        Rounding::Nearest(0.1),
                        format!("{} ÷ {}", num(load), num(mid)),
                        &s,
                    ));
                    sec.figures.push(b.fig(
                        &format!("services.{}.fte_for_recommended", sv.id),
                        &format!("{}: FTE needed at the recommended caseload", sv.name),
                        v / mid,
                        Unit::Fte,
                        Rounding::Nearest(0.1),
                        format!("{} ÷ {}", num(v), num(mid)),
                        &s,
                    ));
                }
            }
        }
        sections.push(sec);
    }

    let funding = match &c.funding {
        Some(f) if !f.streams.is_empty() => Some(funding_summary(f)),
        _ => None,
    };
    if let (Some(f), Some(fs)) = (&c.funding, &funding) {
        let s = src("004 §2.3, Tables 5-6 and Appendix 8 (funding by source and by service)", &f.source, area);
        let mut sec = Section::new("funding", "Funding streams");
        let parts: Vec<String> = fs.by_source.iter().map(|x| money(x.amount)).collect();
        sec.figures.push(b.fig("funding.total", "Total funding", fs.total, Unit::Money, NEAREST, parts.join(" + "), &s));
        let n = f.reported_streams.map_or(fs.streams, |r| r as usize);
        let how = match f.reported_streams {
            Some(_) => "as reported".to_string(),
            None => format!("count of listed streams ({})", fs.streams),
        };
        sec.figures.push(b.fig("funding.streams", "Number of funding streams", n as f64, Unit::Count, NEAREST, how, &s));
        for sh in &fs.by_source {
            sec.figures.push(b.fig(
                &format!("funding.source.{}", crate::format::slug(&sh.name)),
                &format!("Share from {}", sh.name),
                sh.percent,
                Unit::Percent,
                PCT,
                format!("{} ÷ {} × 100", money(sh.amount), money(fs.total)),
                &s,
            ));
        }
        sections.push(sec);
    }

    if let Some(sp) = &c.spend {
        let s = src("004 §2.4 and Table 7 (spend ÷ police incidents; spend ÷ visible victims)", &sp.source, area);
        let mut sec = Section::new("spend", "Spend per incident and per victim");
        let total = match (sp.total.map(NonNeg::get), &funding) {
            (Some(t), _) => t,
            (None, Some(f)) => f.total,
            (None, None) => return Err(NeedsError::model("[spend]", "give `total`, or list [[funding.streams]] to total")),
        };
        let how = if sp.total.is_some() { "as given".to_string() } else { "total of the funding streams".to_string() };
        sec.figures.push(b.fig("spend.total", "Total spend on domestic abuse services", total, Unit::Money, NEAREST, how, &s));
        if let Some(p) = &c.police {
            let inc = p.incidents.get();
            sec.figures.push(b.fig(
                "spend.per_incident",
                "Spend per police incident",
                ratio(total, inc, "police.incidents")?,
                Unit::Money,
                NEAREST,
                format!("{} ÷ {}", money(total), num(inc)),
                &s,
            ));
            for l in &sp.lines {
                sec.figures.push(b.fig(
                    &format!("spend.{}.per_incident", l.id),
                    &format!("{} spend per police incident", l.label),
                    ratio(l.amount.get(), inc, "police.incidents")?,
                    Unit::Money,
                    NEAREST,
                    format!("{} ÷ {}", money(l.amount.get()), num(inc)),
                    &s,
                ));
            }
        }
        if let Some(vt) = visible_total {
            sec.figures.push(b.fig(
                "spend.per_visible_victim",
                "Spend per visible high or medium risk victim",
                ratio(total, vt, "visible victims")?,
                Unit::Money,
                NEAREST,
                format!("{} ÷ {}", money(total), num(vt)),
                &s,
            ));
        }
        sections.push(sec);
    }

    if let Some(sc) = &c.staff_cost {
        sections.push(staff_cost(sc, visible_total, area, b)?);
    }

    if let Some(r) = &c.recovery {
        let s = src("004 §4.3 and Table 10 (engaged × take-up ÷ participants per course × cost per course)", &r.source, area);
        let mut sec = Section::new("recovery", "Recovery programmes");
        let engaged = match (r.engaged.map(NonNeg::get), visible_total) {
            (Some(e), _) => e,
            (None, Some(v)) => v,
            (None, None) => return Err(NeedsError::model("[recovery]", "give `engaged`, or a [visible] section to take it from")),
        };
        let people = engaged * r.uptake_percent.frac();
        let per = r.participants_per_course.get();
        let courses = people / per;
        let cost = courses * r.cost_per_course.get();
        sec.figures.push(b.fig(
            "recovery.participants",
            "People taking up a recovery programme",
            people,
            Unit::Count,
            NEAREST,
            format!("{} × {}", num(engaged), pct(r.uptake_percent.get())),
            &s,
        ));
        sec.figures.push(b.fig(
            "recovery.courses",
            "Courses needed",
            courses,
            Unit::Number,
            Rounding::Nearest(0.01),
            format!("{} ÷ {}", num(people), num(per)),
            &s,
        ));
        sec.figures.push(b.fig(
            "recovery.cost",
            "Cost of recovery programmes a year",
            cost,
            Unit::Money,
            NEAREST,
            format!("{} ÷ {} × {}", num(people), num(per), money(r.cost_per_course.get())),
            &s,
        ));
        sections.push(sec);
    }

    let scenarios = if c.scenarios.is_empty() { None } else { Some(scenario_table(&c.scenarios)?) };
    if let Some(t) = &scenarios {
        let mut sec = Section::new("scenarios", "Scenarios");
        for (i, sc) in c.scenarios.iter().enumerate() {
            let s = src("004 §2.3 (current spend) and Table 10 (recommended spend): sum of lines", &sc.source, area);
            let parts: Vec<String> = sc.lines.iter().map(|l| money(l.amount.get())).collect();
            let total = t.totals.get(i).copied().unwrap_or(0.0);
            sec.figures.push(b.fig(
                &format!("scenario.{}.total", sc.id),
                &format!("{}: total a year", sc.name),
                total,
                Unit::Money,
                NEAREST,
                parts.join(" + "),
                &s,
            ));
            if i > 0 {
                let d = t.difference.get(i).copied().unwrap_or(0.0);
                let first = t.totals.first().copied().unwrap_or(0.0);
                sec.figures.push(b.fig(
                    &format!("scenario.{}.difference", sc.id),
                    &format!("{} compared with {}", sc.name, c.scenarios[0].name),
                    d,
                    Unit::Money,
                    NEAREST,
                    format!("{} − {}", money(total), money(first)),
                    &s,
                ));
            }
        }
        sections.push(sec);
    }

    Ok(CapacityReport { area: area.name.clone(), sections, funding, scenarios, need_vs_capacity: nvc })
}

fn staff_cost(sc: &StaffCostConfig, visible_total: Option<f64>, area: &AreaConfig, b: &mut FigureBuilder) -> Result<Section> {
    let s = src("004 Appendix 3 (salary + on-costs for NI and pension; overheads on staff and other costs)", &sc.source, area);
    let mut sec = Section::new("staff_cost", "Staff cost model");
    if sc.posts.is_empty() {
        return Err(NeedsError::model("[staff_cost]", "list at least one [[staff_cost.posts]]"));
    }
    let oc = sc.on_cost_percent;
    let mut staff = 0.0;
    let mut staff_parts = Vec::new();
    for p in &sc.posts {
        let slug = crate::format::slug(&p.role);
        let per = p.salary.get() * (1.0 + oc.frac());
        let line = per * p.fte.get();
        staff += line;
        staff_parts.push(money(line));
        sec.figures.push(b.fig(
            &format!("staff.{slug}.cost_per_fte"),
            &format!("{}: salary with on-costs", p.role),
            per,
            Unit::Money,
            NEAREST,
            format!("{} × (1 + {})", money(p.salary.get()), pct(oc.get())),
            &s,
        ));
        sec.figures.push(b.fig(
            &format!("staff.{slug}.cost"),
            &format!("{}: {} FTE", p.role, num(p.fte.get())),
            line,
            Unit::Money,
            NEAREST,
            format!("{} × (1 + {}) × {}", money(p.salary.get()), pct(oc.get()), num(p.fte.get())),
            &s,
        ));
    }
    sec.figures.push(b.fig("staff.staff_total", "Staff costs with on-costs", staff, Unit::Money, NEAREST, staff_parts.join(" + "), &s));
    let mut other = 0.0;
    let mut other_parts = Vec::new();
    for o in &sc.other {
        let q = o.quantity.map_or(1.0, NonNeg::get);
        other += o.amount.get() * q;
        other_parts.push(format!("{} × {}", money(o.amount.get()), num(q)));
    }
    if !sc.other.is_empty() {
        sec.figures.push(b.fig("staff.other_total", "Other costs (no on-costs)", other, Unit::Money, NEAREST, other_parts.join(" + "), &s));
    }
    let base = staff + other;
    let overhead_raw = base * sc.overhead_percent.frac();
    let orule = sc.overhead_rounding.unwrap_or(Rounding::None);
    let overhead = orule.apply(overhead_raw);
    let mut fo = b.fig(
        "staff.overheads",
        "Overheads",
        overhead_raw,
        Unit::Money,
        orule,
        format!("({} + {}) × {}", money(staff), money(other), pct(sc.overhead_percent.get())),
        &s,
    );
    // The total uses the rounded overhead, as the seed does.
    fo.rounding = orule;
    fo.rounded = overhead;
    sec.figures.push(fo);
    let total = base + overhead;
    let note = if orule == Rounding::None { String::new() } else { format!(" (overheads rounded {orule} before adding)") };
    sec.figures.push(b.fig(
        "staff.total",
        "Total cost of the service a year",
        total,
        Unit::Money,
        NEAREST,
        format!("{} + {} + {}{note}", money(staff), money(other), money(overhead)),
        &s,
    ));
    let role = sc.per_fte_role.clone().unwrap_or_else(|| "IDVA".to_string());
    let fte: f64 = sc.posts.iter().filter(|p| p.role.eq_ignore_ascii_case(&role)).map(|p| p.fte.get()).sum();
    if sc.posts.iter().any(|p| p.role.eq_ignore_ascii_case(&role)) {
        let slug = crate::format::slug(&role);
        sec.figures.push(b.fig(
            &format!("staff.cost_per_{slug}"),
            &format!("Full cost per {role}"),
            ratio(total, fte, "staff_cost posts fte")?,
            Unit::Money,
            NEAREST,
            format!("{} ÷ {}", money(total), num(fte)),
            &s,
        ));
    } else if sc.per_fte_role.is_some() {
        return Err(NeedsError::model("[staff_cost] per_fte_role", format!("no post has the role `{role}`")));
    }
    if let Some(v) = sc.victims.map(Positive::get).or(visible_total) {
        sec.figures.push(b.fig(
            "staff.cost_per_victim",
            "Full cost per victim supported",
            ratio(total, v, "staff_cost victims")?,
            Unit::Money,
            NEAREST,
            format!("{} ÷ {}", money(total), num(v)),
            &s,
        ));
    }
    Ok(sec)
}

fn share_list(map: Vec<(String, f64)>, total: f64) -> Vec<Share> {
    map.into_iter().map(|(name, amount)| Share { name, amount, percent: if total > 0.0 { amount / total * 100.0 } else { 0.0 } }).collect()
}

/// Totals by source and by service, in order of first appearance.
pub fn funding_summary(f: &FundingConfig) -> FundingSummary {
    let mut by_source: Vec<(String, f64)> = Vec::new();
    let mut by_service: Vec<(String, f64)> = Vec::new();
    let mut matrix = Vec::new();
    let mut total = 0.0;
    for s in &f.streams {
        let a = s.amount.get();
        total += a;
        match by_source.iter_mut().find(|(n, _)| n == &s.source) {
            Some((_, v)) => *v += a,
            None => by_source.push((s.source.clone(), a)),
        }
        match by_service.iter_mut().find(|(n, _)| n == &s.service) {
            Some((_, v)) => *v += a,
            None => by_service.push((s.service.clone(), a)),
        }
        matrix.push((s.source.clone(), s.service.clone(), a));
    }
    FundingSummary {
        total,
        streams: f.streams.len(),
        by_source: share_list(by_source, total),
        by_service: share_list(by_service, total),
        matrix,
    }
}

/// Scenarios side by side: one row per line label (in order of appearance).
pub fn scenario_table(scenarios: &[ScenarioConfig]) -> Result<ScenarioTable> {
    let mut rows: Vec<ScenarioRow> = Vec::new();
    let n = scenarios.len();
    let mut ids: Vec<String> = Vec::new();
    for (i, sc) in scenarios.iter().enumerate() {
        if ids.contains(&sc.id) {
            return Err(NeedsError::model("[[scenarios]]", format!("two scenarios have the id `{}`", sc.id)));
        }
        ids.push(sc.id.clone());
        for l in &sc.lines {
            let idx = match rows.iter().position(|r| r.label == l.label) {
                Some(p) => p,
                None => {
                    rows.push(ScenarioRow { label: l.label.clone(), amounts: vec![None; n] });
                    rows.len() - 1
                }
            };
            if let Some(cell) = rows.get_mut(idx).and_then(|r| r.amounts.get_mut(i)) {
                *cell = Some(cell.unwrap_or(0.0) + l.amount.get());
            }
        }
    }
    let totals: Vec<f64> = (0..n).map(|i| rows.iter().filter_map(|r| r.amounts.get(i).copied().flatten()).sum()).collect();
    let first = totals.first().copied().unwrap_or(0.0);
    let difference = totals.iter().map(|t| t - first).collect();
    Ok(ScenarioTable { ids, names: scenarios.iter().map(|s| s.name.clone()).collect(), rows, totals, difference })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(t: &str) -> Result<CapacityReport> {
        capacity(&read_capacity("c.toml", t.as_bytes())?)
    }

    #[test]
    fn minimal_config() {
        let r = load("[area]\nname = \"X\"\n").unwrap();
        assert_eq!(r.area, "X");
        assert!(r.sections.is_empty());
    }

    #[test]
    fn police_net_of_repeats() {
        let r = load("[area]\nname='X'\npopulation=100000\n[police]\nincidents=1000\nrepeat_rate_percent=40\nhigh_risk_incidents=100\nmedium_risk_incidents=200\n").unwrap();
        assert!((r.figure("police.individuals").unwrap().value - 600.0).abs() < 1e-9);
        assert!((r.figure("police.high_medium_individuals").unwrap().value - 180.0).abs() < 1e-9);
        assert!((r.figure("police.incidents_per_1000").unwrap().value - 10.0).abs() < 1e-9);
    }

    #[test]
    fn bad_values_point_at_the_key() {
        let e = load("[area]\nname='X'\n[police]\nincidents=1000\nrepeat_rate_percent=140\n").unwrap_err();
        assert!(e.to_string().starts_with("c.toml:5:21:"), "{e}");
        let e = load("[area]\nname='X'\n[polic]\nincidents=1\n").unwrap_err();
        assert!(e.to_string().starts_with("c.toml:3:"), "{e}");
        let e = load("[area]\nname='X'\n[visible]\nhigh=1\nmedium=1\ncaseload_high=0\ncaseload_medium=1\n").unwrap_err();
        assert!(e.to_string().starts_with("c.toml:6:"), "{e}");
    }

    #[test]
    fn unknown_rounding_id_is_located() {
        let e = load("[area]\nname='X'\n[rounding]\n\"police.typo\" = \"nearest\"\n").unwrap_err();
        assert!(e.to_string().starts_with("c.toml:4:1:"), "{e}");
        let e = load("[area]\nname='X'\n[rounding]\n\"x\" = \"roughly\"\n").unwrap_err();
        assert!(e.to_string().starts_with("c.toml:4:"), "{e}");
    }

    #[test]
    fn scenarios_side_by_side() {
        let t = "[area]\nname='X'\n[[scenarios]]\nid='a'\nname='A'\nlines=[{label='x',amount=1},{label='y',amount=2}]\n[[scenarios]]\nid='b'\nname='B'\nlines=[{label='y',amount=5},{label='z',amount=1}]\n";
        let r = load(t).unwrap();
        let s = r.scenarios.unwrap();
        assert_eq!(s.totals, vec![3.0, 6.0]);
        assert_eq!(s.difference, vec![0.0, 3.0]);
        assert_eq!(s.rows.len(), 3);
        assert_eq!(s.rows[0].amounts, vec![Some(1.0), None]);
    }
}
