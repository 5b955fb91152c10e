//! The needs report: the same content rendered as HTML (with inline SVG
//! charts) and as PDF (drawn with the standard Helvetica fonts, so nothing is
//! needed beyond this crate). Every figure appears with its formula and its
//! source.
pub mod chart;
mod html;
mod pdf;
pub mod text;

use crate::allocation::AllocationReport;
use crate::capacity::CapacityReport;
use crate::figure::Section;
use crate::format::{Unit, number, short, with_unit};
use crate::groups::GroupsReport;
use crate::prevalence::Prevalence;
use crate::rates::RateSex;
use crate::rounding::Rounding;

pub use html::html;
pub use pdf::pdf;

use chart::{Chart, HBar, Series, grouped_bars, hbars};

/// The prevalence part of a report, with the provenance of its inputs.
#[derive(Debug, Clone)]
pub struct PrevalenceSection {
    pub prevalence: Prevalence,
    /// Names and codes of the areas covered.
    pub areas: String,
    pub population_file: String,
    pub population_notes: Vec<String>,
    pub rates_file: String,
    pub rates_notes: Vec<String>,
    pub rounding: Rounding,
}

/// Everything a report can show; each part is optional.
#[derive(Debug, Clone)]
pub struct ReportInput {
    pub title: String,
    pub prevalence: Option<PrevalenceSection>,
    pub groups: Option<GroupsReport>,
    pub capacity: Option<CapacityReport>,
    pub allocation: Option<AllocationReport>,
}

impl ReportInput {
    pub fn new(title: &str) -> Self {
        ReportInput { title: title.to_string(), prevalence: None, groups: None, capacity: None, allocation: None }
    }
}

/// A table cell alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A piece of report content, rendered by both back ends.
#[derive(Debug, Clone)]
pub enum Block {
    Title(String),
    Heading(String),
    Subheading(String),
    Para(String),
    /// Formula or method line, set apart.
    Formula(String),
    /// Sources and notes, in small type.
    Note(String),
    Chart(Chart),
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        widths: Vec<f32>,
        align: Vec<Align>,
        total_rows: usize,
    },
}

fn figure_table(section: &Section) -> Vec<Block> {
    let mut sources: Vec<&str> = Vec::new();
    let mut rows = Vec::new();
    for f in &section.figures {
        let n = match sources.iter().position(|s| *s == f.source) {
            Some(i) => i + 1,
            None => {
                sources.push(&f.source);
                sources.len()
            }
        };
        let rounding = if f.rounding == Rounding::None { "unrounded".to_string() } else { f.rounding.to_string() };
        rows.push(vec![f.label.clone(), f.display(), format!("{} [{}]", f.formula, n), rounding]);
    }
    let mut out = vec![
        Block::Subheading(section.title.clone()),
        Block::Table {
            header: vec!["Figure".into(), "Value".into(), "Formula [source]".into(), "Rounding".into()],
            rows,
            widths: vec![0.34, 0.13, 0.41, 0.12],
            align: vec![Align::Left, Align::Right, Align::Left, Align::Left],
            total_rows: 0,
        },
    ];
    for (i, s) in sources.iter().enumerate() {
        out.push(Block::Note(format!("[{}] {}", i + 1, s)));
    }
    for n in &section.notes {
        out.push(Block::Note(n.clone()));
    }
    out
}

fn prevalence_blocks(p: &PrevalenceSection) -> Vec<Block> {
    let r = p.rounding;
    let mut out = vec![Block::Heading("Estimated victims by age band and sex".into())];
    out.push(Block::Para(format!("Areas: {}.", p.areas)));
    out.push(Block::Formula(format!(
        "victims in a band = population in the band × survey rate ÷ 100; totals are summed from the unrounded groups, then rounded ({r})."
    )));
    // Chart: victims by band and sex, summed over areas.
    let mut bands: Vec<String> = Vec::new();
    for g in &p.prevalence.groups {
        if !bands.contains(&g.age_band) {
            bands.push(g.age_band.clone());
        }
    }
    let mut series = Vec::new();
    for (sex, name, color) in [
        (RateSex::Female, "Women / girls", chart::FEMALE),
        (RateSex::Male, "Men / boys", chart::MALE),
        (RateSex::All, "Children, both sexes", chart::ALL),
    ] {
        if !p.prevalence.groups.iter().any(|g| g.sex == sex) {
            continue;
        }
        let values = bands
            .iter()
            .map(|b| {
                let mut any = false;
                let v: f64 = p
                    .prevalence
                    .groups
                    .iter()
                    .filter(|g| g.sex == sex && &g.age_band == b)
                    .map(|g| {
                        any = true;
                        g.victims
                    })
                    .sum();
                any.then(|| r.apply(v))
            })
            .collect();
        series.push(Series { name: name.into(), color, values });
    }
    out.push(Block::Chart(grouped_bars(
        "Chart 1: estimated victims of domestic abuse in the last 12 months, by age band and sex",
        "victims",
        &bands,
        &series,
    )));
    let multi = p.prevalence.areas.len() > 1;
    let mut rows = Vec::new();
    if multi {
        for a in &p.prevalence.areas {
            for (sex, v) in [("female", Some(a.totals.female)), ("male", Some(a.totals.male)), ("all", a.totals.all)] {
                if let Some(v) = v {
                    rows.push(vec![
                        format!("{} {}", a.area_code, a.area_name),
                        sex.into(),
                        String::new(),
                        String::new(),
                        number(r.apply(v), r.decimals(r.apply(v))),
                        "sum of bands".into(),
                    ]);
                }
            }
        }
    } else {
        for g in &p.prevalence.groups {
            let v = r.apply(g.victims);
            rows.push(vec![
                g.age_band.clone(),
                g.sex.to_string(),
                number(g.population as f64, 0),
                format!("{}%", short(g.percent, 3)),
                number(v, r.decimals(v)),
                format!("{} × {}% = {}", number(g.population as f64, 0), short(g.percent, 3), number(g.victims, 2)),
            ]);
        }
    }
    let body = rows.len();
    for (sex, v) in [
        ("female", Some(p.prevalence.totals.female)),
        ("male", Some(p.prevalence.totals.male)),
        ("all (children)", p.prevalence.totals.all),
    ] {
        if let Some(v) = v {
            let rv = r.apply(v);
            rows.push(vec![
                "Total".into(),
                sex.into(),
                String::new(),
                String::new(),
                number(rv, r.decimals(rv)),
                format!("sum of groups = {}", number(v, 2)),
            ]);
        }
    }
    let first = if multi { "Area" } else { "Age band" };
    out.push(Block::Table {
        header: vec![first.into(), "Sex".into(), "Population".into(), "Rate".into(), "Victims".into(), "Formula".into()],
        total_rows: rows.len() - body,
        rows,
        widths: vec![0.16, 0.12, 0.14, 0.09, 0.12, 0.37],
        align: vec![Align::Left, Align::Left, Align::Right, Align::Right, Align::Right, Align::Left],
    });
    out.push(Block::Note(format!("Population: {}.", p.population_file)));
    for n in &p.population_notes {
        out.push(Block::Note(n.clone()));
    }
    out.push(Block::Note(format!("Rates: {}.", p.rates_file)));
    for n in &p.rates_notes {
        out.push(Block::Note(n.clone()));
    }
    out
}

fn groups_blocks(g: &GroupsReport) -> Vec<Block> {
    let mut out = vec![Block::Heading(format!("{}: victims by group and access to services", g.area))];
    if !g.access.is_empty() {
        let bars: Vec<HBar> = g
            .access
            .iter()
            .map(|a| HBar {
                label: a.label.clone(),
                value: a.percent,
                note: format!("{}% ({} of {})", short(a.percent_rounded, 2), number(a.served, 0), number(a.expected, 0)),
            })
            .collect();
        out.push(Block::Formula("access ratio = people receiving a service in the year ÷ people expected to be affected × 100".into()));
        out.push(Block::Chart(hbars(
            "Access ratios: people served as a share of people expected",
            "% of expected victims receiving a service",
            &bars,
            0.0,
            None,
            chart::CURRENT,
        )));
    }
    for s in &g.sections {
        out.extend(figure_table(s));
    }
    out
}

fn capacity_blocks(c: &CapacityReport) -> Vec<Block> {
    let mut out = vec![Block::Heading(format!("{}: capacity, costs and funding", c.area))];
    if !c.need_vs_capacity.is_empty() {
        let bars: Vec<HBar> = c
            .need_vs_capacity
            .iter()
            .map(|n| {
                let p = if n.need > 0.0 { n.current / n.need * 100.0 } else { 0.0 };
                let d = if n.unit == Unit::Fte && n.current.fract() != 0.0 { 1 } else { 0 };
                HBar {
                    label: n.label.clone(),
                    value: p,
                    note: format!("{} of {} ({}%)", number(n.current, d), number(n.need, 0), number(p, 0)),
                }
            })
            .collect();
        out.push(Block::Formula("share of need met = in place now ÷ needed × 100 (IDVAs: visible victims ÷ caseload norm; refuge: Council of Europe target; MARAC: 40 per 10,000 adult women)".into()));
        out.push(Block::Chart(hbars("Capacity against need", "% of need met (line = 100%)", &bars, 100.0, Some(100.0), chart::CURRENT)));
    }
    for s in &c.sections {
        out.extend(figure_table(s));
    }
    if let Some(f) = &c.funding {
        out.push(Block::Subheading("Funding by source and by service".into()));
        let mut rows: Vec<Vec<String>> = f
            .by_source
            .iter()
            .map(|s| vec!["source".into(), s.name.clone(), with_unit(s.amount, 0, Unit::Money), format!("{}%", number(s.percent, 0))])
            .collect();
        rows.extend(
            f.by_service
                .iter()
                .map(|s| vec!["service".into(), s.name.clone(), with_unit(s.amount, 0, Unit::Money), format!("{}%", number(s.percent, 0))]),
        );
        rows.push(vec!["total".into(), format!("{} listed streams", f.streams), with_unit(f.total, 0, Unit::Money), "100%".into()]);
        out.push(Block::Table {
            header: vec!["By".into(), "Name".into(), "Amount".into(), "Share".into()],
            rows,
            widths: vec![0.12, 0.56, 0.18, 0.14],
            align: vec![Align::Left, Align::Left, Align::Right, Align::Right],
            total_rows: 1,
        });
    }
    if let Some(s) = &c.scenarios {
        out.push(Block::Subheading("Scenarios side by side".into()));
        let mut header = vec!["Line".to_string()];
        header.extend(s.names.iter().cloned());
        let mut rows: Vec<Vec<String>> = s
            .rows
            .iter()
            .map(|r| {
                let mut cells = vec![r.label.clone()];
                cells.extend(r.amounts.iter().map(|a| a.map_or("–".to_string(), |v| with_unit(v, 0, Unit::Money))));
                cells
            })
            .collect();
        let mut total = vec!["Total a year".to_string()];
        total.extend(s.totals.iter().map(|v| with_unit(*v, 0, Unit::Money)));
        rows.push(total);
        let mut diff = vec!["Difference from the first".to_string()];
        diff.extend(s.difference.iter().map(|v| with_unit(*v, 0, Unit::Money)));
        rows.push(diff);
        let n = s.names.len() as f32;
        let mut widths = vec![0.44];
        widths.extend(s.names.iter().map(|_| 0.56 / n));
        let mut align = vec![Align::Left];
        align.extend(s.names.iter().map(|_| Align::Right));
        out.push(Block::Table { header, rows, widths, align, total_rows: 2 });
        let series: Vec<Series> = s
            .names
            .iter()
            .enumerate()
            .map(|(i, name)| Series {
                name: name.clone(),
                color: chart::PALETTE.get(i % chart::PALETTE.len()).copied().unwrap_or(chart::CURRENT),
                values: s.rows.iter().map(|r| r.amounts.get(i).copied().flatten()).collect(),
            })
            .collect();
        let cats: Vec<String> = s.rows.iter().enumerate().map(|(i, _)| format!("{}", i + 1)).collect();
        out.push(Block::Chart(grouped_bars("Scenarios by line (numbered as in the table above)", "£ a year", &cats, &series)));
    }
    out
}

fn allocation_blocks(a: &AllocationReport) -> Vec<Block> {
    let mut out = vec![Block::Heading(a.name.clone())];
    let weights: Vec<String> = a.weights.iter().map(|(k, v)| format!("{k} × {}", short(*v, 4))).collect();
    out.push(Block::Formula(format!(
        "need index = sum over indicators of weight × (part's value ÷ all parts' value), divided by the sum of the weights ({}); allocation = budget × need index in whole units of {}, shared by largest remainder so the parts sum to {} exactly.",
        weights.join(", "),
        with_unit(a.unit, if a.unit < 1.0 { 2 } else { 0 }, Unit::Money),
        with_unit(a.budget, 0, Unit::Money)
    )));
    let d = if a.unit < 1.0 { 2 } else { 0 };
    let mut rows: Vec<Vec<String>> = a
        .parts
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                format!("{}%", number(p.index, 2)),
                with_unit(p.exact, 2, Unit::Money),
                with_unit(p.allocated, d, Unit::Money),
                with_unit(p.over_years, d, Unit::Money),
            ]
        })
        .collect();
    rows.push(vec![
        "Total".into(),
        "100%".into(),
        with_unit(a.budget, 2, Unit::Money),
        with_unit(a.total_allocated, d, Unit::Money),
        with_unit(a.total_over_years, d, Unit::Money),
    ]);
    out.push(Block::Table {
        header: vec!["Part".into(), "Need index".into(), "Exact share".into(), "A year".into(), format!("Over {} years", a.years)],
        rows,
        widths: vec![0.40, 0.12, 0.16, 0.16, 0.16],
        align: vec![Align::Left, Align::Right, Align::Right, Align::Right, Align::Right],
        total_rows: 1,
    });
    let bars: Vec<HBar> = a
        .parts
        .iter()
        .map(|p| HBar {
            label: p.name.split(':').next().unwrap_or(&p.name).to_string(),
            value: p.allocated,
            note: with_unit(p.allocated, d, Unit::Money),
        })
        .collect();
    out.push(Block::Chart(hbars("Allocation a year by part", "£ a year", &bars, 0.0, None, chart::CURRENT)));
    out.push(Block::Note(a.source.clone()));
    out
}

/// The report as a sequence of blocks.
pub fn blocks(input: &ReportInput) -> Vec<Block> {
    let mut out = vec![Block::Title(input.title.clone())];
    out.push(Block::Para(
        "Produced by Haven's needs engine (haven needs report). Each figure is shown with the calculation that produced it, the rounding applied and its source; the unrounded values are in the JSON output of the same commands.".into(),
    ));
    if let Some(p) = &input.prevalence {
        out.extend(prevalence_blocks(p));
    }
    if let Some(g) = &input.groups {
        out.extend(groups_blocks(g));
    }
    if let Some(c) = &input.capacity {
        out.extend(capacity_blocks(c));
    }
    if let Some(a) = &input.allocation {
        out.extend(allocation_blocks(a));
    }
    out
}
