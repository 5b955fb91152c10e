//! `haven needs …`: the needs-assessment and capacity-planning engine (issue 4).
//!
//! Every subcommand reads its inputs, hands them to the pure `haven-needs`
//! crate and prints a table (default), JSON or CSV. Input errors name the
//! file, line and column. See docs/needs.md.
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use haven_needs::figure::Section;
use haven_needs::format::{Unit, number, with_unit};
use haven_needs::input::leading_comments;
use haven_needs::report::{self, PrevalenceSection, ReportInput};
use haven_needs::{
    AgeBand, AllocationReport, Population, PopulationFilter, Prevalence, Rounding, Sex, allocate, capacity, groups, prevalence,
    read_allocation, read_capacity, read_groups, read_population, read_rates,
};

#[derive(Debug, Args)]
pub struct NeedsArgs {
    #[command(subcommand)]
    command: NeedsCommand,
}

#[derive(Debug, Subcommand)]
enum NeedsCommand {
    /// Victims by area, age band and sex: population × survey rate (000 §2.2, 002).
    Prevalence(PrevalenceArgs),
    /// Check, filter and convert a population file (long or ONS wide) to the long CSV layout.
    Population(PopulationArgs),
    /// Ethnicity, disability and LGB breakdowns and access ratios (000 Tables 2 and 7).
    Groups(ConfigArgs),
    /// The SafeLives/CAADA capacity model with costs, funding and scenarios (004).
    Capacity(ConfigArgs),
    /// Allocate a budget to clusters by a weighted need index, summing exactly (001 §9).
    Allocate(ConfigArgs),
    /// An HTML and/or PDF report with charts, each figure with its formula and source.
    Report(ReportArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Args)]
struct PopulationSource {
    /// Population CSV: area_code,area_name,sex,age,count (age 0-90, 90 = 90+), or the ONS MYE2 wide layout.
    #[arg(long, value_name = "POP.csv")]
    population: PathBuf,
    /// Use only this area code (repeat for several).
    #[arg(long = "area", value_name = "CODE")]
    areas: Vec<String>,
    /// Use only rows whose `year` column equals this (for files holding several years).
    #[arg(long)]
    year: Option<String>,
}

#[derive(Debug, Args)]
struct PrevalenceArgs {
    #[command(flatten)]
    source: PopulationSource,
    /// Rates CSV: age_band,sex,percent (sex female, male or all).
    #[arg(long, value_name = "RATES.csv")]
    rates: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Rounding for the table and CSV (JSON stays unrounded): none, nearest, nearest:50, truncate, sig:2 …
    #[arg(long, default_value = "nearest", value_parser = parse_rounding)]
    rounding: Rounding,
}

#[derive(Debug, Args)]
struct PopulationArgs {
    #[command(flatten)]
    source: PopulationSource,
    /// csv writes the long layout (area_code,area_name,sex,age,count); table and json summarise.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, Args)]
struct ConfigArgs {
    /// TOML config (keys in docs/needs.md).
    #[arg(long, value_name = "FILE.toml")]
    config: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, Args)]
struct ReportArgs {
    /// Report title.
    #[arg(long, default_value = "Domestic abuse needs assessment and capacity plan")]
    title: String,
    /// Population CSV for the prevalence section (needs --rates).
    #[arg(long, value_name = "POP.csv", requires = "rates")]
    population: Option<PathBuf>,
    /// Rates CSV for the prevalence section (needs --population).
    #[arg(long, value_name = "RATES.csv", requires = "population")]
    rates: Option<PathBuf>,
    #[arg(long = "area", value_name = "CODE")]
    areas: Vec<String>,
    #[arg(long)]
    year: Option<String>,
    /// Rounding of prevalence figures in the report.
    #[arg(long, default_value = "nearest", value_parser = parse_rounding)]
    rounding: Rounding,
    /// Groups config (breakdowns and access ratios).
    #[arg(long, value_name = "FILE.toml")]
    groups: Option<PathBuf>,
    /// Capacity config.
    #[arg(long, value_name = "FILE.toml")]
    capacity: Option<PathBuf>,
    /// Allocation config.
    #[arg(long, value_name = "FILE.toml")]
    allocation: Option<PathBuf>,
    /// Write the HTML report here.
    #[arg(long, value_name = "OUT.html")]
    html: Option<PathBuf>,
    /// Write the PDF report here.
    #[arg(long, value_name = "OUT.pdf")]
    pdf: Option<PathBuf>,
}

fn parse_rounding(s: &str) -> std::result::Result<Rounding, String> {
    Rounding::parse(s)
}

pub fn run(args: NeedsArgs) -> Result<()> {
    let out = std::io::stdout();
    let mut out = out.lock();
    let result = match args.command {
        NeedsCommand::Prevalence(a) => run_prevalence(a, &mut out),
        NeedsCommand::Population(a) => run_population(a, &mut out),
        NeedsCommand::Groups(a) => run_groups(a, &mut out),
        NeedsCommand::Capacity(a) => run_capacity(a, &mut out),
        NeedsCommand::Allocate(a) => run_allocate(a, &mut out),
        NeedsCommand::Report(a) => run_report(a, &mut out),
    };
    match result {
        // `haven needs … | head` closes the pipe early; that is not an error.
        Err(e) if is_broken_pipe(&e) => Ok(()),
        r => r,
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<csv::Error>()
                .is_some_and(|ce| matches!(ce.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe))
            || c.downcast_ref::<serde_json::Error>().is_some_and(|je| je.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}

// ------------------------------------------------------------------ input --

fn read(path: &Path) -> Result<(String, Vec<u8>)> {
    let name = path.display().to_string();
    let bytes = fs::read(path).with_context(|| format!("{name}: cannot open"))?;
    Ok((name, bytes))
}

fn load_population(src: &PopulationSource) -> Result<(String, Population)> {
    let (name, bytes) = read(&src.population)?;
    let filter = PopulationFilter { areas: src.areas.clone(), year: src.year.clone() };
    let pop = read_population(&name, bytes.as_slice(), &filter)?;
    Ok((name, pop))
}

fn notes(bytes: &[u8]) -> Vec<String> {
    leading_comments(&String::from_utf8_lossy(bytes))
}

// ------------------------------------------------------------------ table --

/// A plain text table: first column left-aligned, the rest right-aligned
/// unless marked as text.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    left: Vec<bool>,
}

impl Table {
    fn new(header: &[&str], left: &[bool]) -> Self {
        Table { header: header.iter().map(|s| s.to_string()).collect(), rows: Vec::new(), left: left.to_vec() }
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn rule(&mut self) {
        self.rows.push(Vec::new());
    }

    fn write(&self, out: &mut impl Write) -> Result<()> {
        let n = self.header.len();
        let mut width = vec![0usize; n];
        for r in std::iter::once(&self.header).chain(&self.rows) {
            for (w, c) in width.iter_mut().zip(r) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |cells: &[String], out: &mut dyn Write| -> Result<()> {
            let mut s = String::new();
            for (i, w) in width.iter().enumerate() {
                let c = cells.get(i).map(String::as_str).unwrap_or("");
                let pad = w.saturating_sub(c.chars().count());
                let left = self.left.get(i).copied().unwrap_or(false);
                if i > 0 {
                    s.push_str("  ");
                }
                if left {
                    s.push_str(c);
                    if i + 1 < n {
                        s.push_str(&" ".repeat(pad));
                    }
                } else {
                    s.push_str(&" ".repeat(pad));
                    s.push_str(c);
                }
            }
            writeln!(out, "{}", s.trim_end())?;
            Ok(())
        };
        line(&self.header, out)?;
        let total: usize = width.iter().sum::<usize>() + 2 * n.saturating_sub(1);
        writeln!(out, "{}", "-".repeat(total))?;
        for r in &self.rows {
            if r.is_empty() {
                writeln!(out, "{}", "-".repeat(total))?;
            } else {
                line(r, out)?;
            }
        }
        Ok(())
    }
}

fn fmt_rounded(x: f64, r: Rounding) -> String {
    let v = r.apply(x);
    number(v, r.decimals(v))
}

// ------------------------------------------------------------- prevalence --

fn run_prevalence(a: PrevalenceArgs, out: &mut impl Write) -> Result<()> {
    let (_, pop) = load_population(&a.source)?;
    let (rname, rbytes) = read(&a.rates)?;
    let rates = read_rates(&rname, rbytes.as_slice())?;
    let p = prevalence(&pop, &rates)?;
    match a.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &p)?;
            writeln!(out)?;
        }
        Format::Csv => write_prevalence_csv(&p, a.rounding, out)?,
        Format::Table => write_prevalence_table(&p, &pop, a.rounding, out)?,
    }
    Ok(())
}

fn write_prevalence_csv(p: &Prevalence, r: Rounding, out: &mut impl Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["area_code", "age_band", "sex", "population", "percent", "victims", "victims_rounded"])?;
    for g in &p.groups {
        w.write_record([
            g.area_code.clone(),
            g.age_band.clone(),
            g.sex.to_string(),
            g.population.to_string(),
            g.percent.to_string(),
            g.victims.to_string(),
            r.apply(g.victims).to_string(),
        ])?;
    }
    for (sex, v) in [("female", Some(p.totals.female)), ("male", Some(p.totals.male)), ("all", p.totals.all)] {
        if let Some(v) = v {
            w.write_record(["total", "", sex, "", "", &v.to_string(), &r.apply(v).to_string()])?;
        }
    }
    w.flush()?;
    Ok(())
}

fn write_prevalence_table(p: &Prevalence, pop: &Population, r: Rounding, out: &mut impl Write) -> Result<()> {
    let mut t = Table::new(&["area", "age band", "sex", "population", "rate", "victims"], &[true, true, true, false, false, false]);
    for g in &p.groups {
        let name = pop.area(&g.area_code).map_or(g.area_code.as_str(), |a| a.name.as_str());
        t.row(vec![
            format!("{} {}", g.area_code, name),
            g.age_band.clone(),
            g.sex.to_string(),
            number(g.population as f64, 0),
            format!("{}%", haven_needs::format::short(g.percent, 3)),
            fmt_rounded(g.victims, r),
        ]);
    }
    if p.areas.len() > 1 {
        t.rule();
        for a in &p.areas {
            for (sex, v) in [("female", Some(a.totals.female)), ("male", Some(a.totals.male)), ("all", a.totals.all)] {
                if let Some(v) = v {
                    t.row(vec![
                        format!("{} {}", a.area_code, a.area_name),
                        "total".into(),
                        sex.into(),
                        String::new(),
                        String::new(),
                        fmt_rounded(v, r),
                    ]);
                }
            }
        }
    }
    t.rule();
    for (sex, v) in [("female", Some(p.totals.female)), ("male", Some(p.totals.male)), ("all", p.totals.all)] {
        if let Some(v) = v {
            t.row(vec!["all areas".into(), "total".into(), sex.into(), String::new(), String::new(), fmt_rounded(v, r)]);
        }
    }
    t.row(vec![
        "all areas".into(),
        "total".into(),
        "female + male".into(),
        String::new(),
        String::new(),
        fmt_rounded(p.totals.female + p.totals.male, r),
    ]);
    t.write(out)?;
    writeln!(out, "\nvictims = population × rate ÷ 100, summed unrounded, shown rounded {r}.")?;
    Ok(())
}

// ------------------------------------------------------------- population --

fn run_population(a: PopulationArgs, out: &mut impl Write) -> Result<()> {
    let (_, pop) = load_population(&a.source)?;
    match a.format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(["area_code", "area_name", "sex", "age", "count"])?;
            for area in &pop.areas {
                for sex in Sex::BOTH {
                    for (age, c) in area.single_years(sex).iter().enumerate() {
                        w.write_record([area.code.as_str(), area.name.as_str(), sex.as_str(), &age.to_string(), &c.to_string()])?;
                    }
                    for b in area.bands().iter().filter(|b| b.sex == sex) {
                        w.write_record([area.code.as_str(), area.name.as_str(), sex.as_str(), &b.band.to_string(), &b.count.to_string()])?;
                    }
                }
            }
            w.flush()?;
        }
        Format::Json => {
            let rows: Vec<serde_json::Value> = pop
                .areas
                .iter()
                .map(|a| {
                    serde_json::json!({
                        "area_code": a.code, "area_name": a.name,
                        "female": a.total(Sex::Female), "male": a.total(Sex::Male),
                        "female_16_plus": a.count(Sex::Female, AgeBand::new(16, None)).ok(),
                        "male_16_plus": a.count(Sex::Male, AgeBand::new(16, None)).ok(),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "areas": rows }))?;
            writeln!(out)?;
        }
        Format::Table => {
            let mut t = Table::new(&["area", "name", "female", "male", "women 16+", "men 16+"], &[true, true, false, false, false, false]);
            for a in &pop.areas {
                let f16 = a.count(Sex::Female, AgeBand::new(16, None)).map(|n| number(n as f64, 0)).unwrap_or_else(|_| "n/a".into());
                let m16 = a.count(Sex::Male, AgeBand::new(16, None)).map(|n| number(n as f64, 0)).unwrap_or_else(|_| "n/a".into());
                t.row(vec![
                    a.code.clone(),
                    a.name.clone(),
                    number(a.total(Sex::Female) as f64, 0),
                    number(a.total(Sex::Male) as f64, 0),
                    f16,
                    m16,
                ]);
            }
            t.write(out)?;
        }
    }
    Ok(())
}

// ------------------------------------------------------- figures (shared) --

fn write_sections_table(title: &str, sections: &[Section], out: &mut impl Write) -> Result<()> {
    writeln!(out, "{title}")?;
    for s in sections {
        writeln!(out, "\n{}", s.title)?;
        let mut t = Table::new(&["figure", "value", "rounding", "formula"], &[true, false, true, true]);
        let mut sources: Vec<&str> = Vec::new();
        for f in &s.figures {
            t.row(vec![f.label.clone(), f.display(), f.rounding.to_string(), f.formula.clone()]);
            if !sources.contains(&f.source.as_str()) {
                sources.push(&f.source);
            }
        }
        t.write(out)?;
        for src in sources {
            writeln!(out, "  Source: {src}")?;
        }
    }
    Ok(())
}

fn write_sections_csv(sections: &[Section], out: &mut impl Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["section", "id", "label", "value", "rounding", "rounded", "unit", "formula", "source"])?;
    for s in sections {
        for f in &s.figures {
            let unit = serde_json::to_value(f.unit)?.as_str().unwrap_or("").to_string();
            w.write_record([
                &s.id,
                &f.id,
                &f.label,
                &f.value.to_string(),
                &f.rounding.to_string(),
                &f.rounded.to_string(),
                &unit,
                &f.formula,
                &f.source,
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

// ----------------------------------------------------------------- groups --

fn run_groups(a: ConfigArgs, out: &mut impl Write) -> Result<()> {
    let (name, bytes) = read(&a.config)?;
    let (text, cfg) = read_groups(&name, bytes.as_slice())?;
    let rep = groups(&name, &text, &cfg)?;
    match a.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &rep)?;
            writeln!(out)?;
        }
        Format::Csv => write_sections_csv(&rep.sections, out)?,
        Format::Table => write_sections_table(&format!("{}: victims by group and access to services", rep.area), &rep.sections, out)?,
    }
    Ok(())
}

// --------------------------------------------------------------- capacity --

fn run_capacity(a: ConfigArgs, out: &mut impl Write) -> Result<()> {
    let (name, bytes) = read(&a.config)?;
    let loaded = read_capacity(&name, bytes.as_slice())?;
    let rep = capacity(&loaded)?;
    match a.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &rep)?;
            writeln!(out)?;
        }
        Format::Csv => write_sections_csv(&rep.sections, out)?,
        Format::Table => {
            write_sections_table(&format!("{}: capacity model", rep.area), &rep.sections, out)?;
            if let Some(f) = &rep.funding {
                writeln!(out, "\nFunding by source")?;
                let mut t = Table::new(&["source", "amount", "share"], &[true, false, false]);
                for s in &f.by_source {
                    t.row(vec![s.name.clone(), with_unit(s.amount, 0, Unit::Money), format!("{}%", number(s.percent, 0))]);
                }
                t.write(out)?;
                writeln!(out, "\nFunding by service")?;
                let mut t = Table::new(&["service", "amount", "share"], &[true, false, false]);
                for s in &f.by_service {
                    t.row(vec![s.name.clone(), with_unit(s.amount, 0, Unit::Money), format!("{}%", number(s.percent, 0))]);
                }
                t.write(out)?;
            }
            if let Some(s) = &rep.scenarios {
                writeln!(out, "\nScenarios side by side")?;
                let mut header: Vec<&str> = vec!["line"];
                header.extend(s.names.iter().map(String::as_str));
                let mut left = vec![true];
                left.extend(s.names.iter().map(|_| false));
                let mut t = Table::new(&header, &left);
                for r in &s.rows {
                    let mut cells = vec![r.label.clone()];
                    cells.extend(r.amounts.iter().map(|a| a.map_or("-".to_string(), |v| with_unit(v, 0, Unit::Money))));
                    t.row(cells);
                }
                t.rule();
                let mut cells = vec!["total".to_string()];
                cells.extend(s.totals.iter().map(|v| with_unit(*v, 0, Unit::Money)));
                t.row(cells);
                let mut cells = vec!["difference from the first".to_string()];
                cells.extend(s.difference.iter().map(|v| with_unit(*v, 0, Unit::Money)));
                t.row(cells);
                t.write(out)?;
            }
        }
    }
    Ok(())
}

// --------------------------------------------------------------- allocate --

fn run_allocate(a: ConfigArgs, out: &mut impl Write) -> Result<()> {
    let (name, bytes) = read(&a.config)?;
    let cfg = read_allocation(&name, bytes.as_slice())?;
    let rep = allocate(&cfg)?;
    match a.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &rep)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(["part", "need_index_percent", "exact", "allocated", "over_years"])?;
            for p in &rep.parts {
                w.write_record([&p.name, &p.index.to_string(), &p.exact.to_string(), &p.allocated.to_string(), &p.over_years.to_string()])?;
            }
            w.write_record(["total", "100", &rep.budget.to_string(), &rep.total_allocated.to_string(), &rep.total_over_years.to_string()])?;
            w.flush()?;
        }
        Format::Table => write_allocation_table(&rep, out)?,
    }
    Ok(())
}

fn write_allocation_table(rep: &AllocationReport, out: &mut impl Write) -> Result<()> {
    writeln!(out, "{}", rep.name)?;
    let years = format!("over {} years", rep.years);
    let mut t = Table::new(&["part", "need index", "exact share", "allocated a year", &years], &[true, false, false, false, false]);
    for p in &rep.parts {
        t.row(vec![
            p.name.clone(),
            format!("{}%", number(p.index, 2)),
            with_unit(p.exact, 2, Unit::Money),
            with_unit(p.allocated, if rep.unit < 1.0 { 2 } else { 0 }, Unit::Money),
            with_unit(p.over_years, if rep.unit < 1.0 { 2 } else { 0 }, Unit::Money),
        ]);
    }
    t.rule();
    t.row(vec![
        "total".into(),
        "100%".into(),
        with_unit(rep.budget, 2, Unit::Money),
        with_unit(rep.total_allocated, if rep.unit < 1.0 { 2 } else { 0 }, Unit::Money),
        with_unit(rep.total_over_years, if rep.unit < 1.0 { 2 } else { 0 }, Unit::Money),
    ]);
    t.write(out)?;
    writeln!(out, "\n{}.", rep.method)?;
    writeln!(out, "{}", rep.source)?;
    Ok(())
}

// ----------------------------------------------------------------- report --

fn run_report(a: ReportArgs, out: &mut impl Write) -> Result<()> {
    if a.html.is_none() && a.pdf.is_none() {
        bail!("give --html OUT.html and/or --pdf OUT.pdf");
    }
    if a.population.is_none() && a.groups.is_none() && a.capacity.is_none() && a.allocation.is_none() {
        bail!("nothing to report: give --population and --rates, --groups, --capacity and/or --allocation");
    }
    let mut input = ReportInput::new(&a.title);
    if let (Some(pop_path), Some(rates_path)) = (&a.population, &a.rates) {
        let src = PopulationSource { population: pop_path.clone(), areas: a.areas.clone(), year: a.year.clone() };
        let (pname, pop) = load_population(&src)?;
        let (rname, rbytes) = read(rates_path)?;
        let rates = read_rates(&rname, rbytes.as_slice())?;
        let p = prevalence(&pop, &rates)?;
        let (_, pbytes) = read(pop_path)?;
        let area_names = pop.areas.iter().map(|x| format!("{} ({})", x.name, x.code)).collect::<Vec<_>>().join(", ");
        input.prevalence = Some(PrevalenceSection {
            prevalence: p,
            areas: area_names,
            population_file: pname,
            population_notes: notes(&pbytes),
            rates_file: rname,
            rates_notes: notes(&rbytes),
            rounding: a.rounding,
        });
    }
    if let Some(path) = &a.groups {
        let (name, bytes) = read(path)?;
        let (text, cfg) = read_groups(&name, bytes.as_slice())?;
        input.groups = Some(groups(&name, &text, &cfg)?);
    }
    if let Some(path) = &a.capacity {
        let (name, bytes) = read(path)?;
        input.capacity = Some(capacity(&read_capacity(&name, bytes.as_slice())?)?);
    }
    if let Some(path) = &a.allocation {
        let (name, bytes) = read(path)?;
        input.allocation = Some(allocate(&read_allocation(&name, bytes.as_slice())?)?);
    }
    if let Some(path) = &a.html {
        fs::write(path, report::html(&input)).with_context(|| format!("{}: cannot write", path.display()))?;
        writeln!(out, "wrote {}", path.display())?;
    }
    if let Some(path) = &a.pdf {
        fs::write(path, report::pdf(&input)?).with_context(|| format!("{}: cannot write", path.display()))?;
        writeln!(out, "wrote {}", path.display())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns() {
        let mut t = Table::new(&["a", "num"], &[true, false]);
        t.row(vec!["long name".into(), "1".into()]);
        t.row(vec!["x".into(), "1,000".into()]);
        let mut buf = Vec::new();
        t.write(&mut buf).unwrap();
        let s = String::from_utf8(buf).unwrap();
        assert!(s.contains("long name      1\n"), "{s}");
        assert!(s.contains("x          1,000\n"), "{s}");
    }
}
