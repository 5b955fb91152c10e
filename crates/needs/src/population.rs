//! Population by area × sex × single year of age (or age band), read from
//! the long format `area_code,area_name,sex,age,count` or straight from the
//! ONS MYE2 wide layout (`age_0 … age_89, age_90_plus`) in `shared/data`.
use std::collections::HashMap;
use std::fmt;
use std::io::Read;

use serde::{Deserialize, Serialize};

use crate::error::{NeedsError, Result};
use crate::input::{Row, read_csv};

/// Oldest single year in ONS estimates; `90` means "90 and over".
pub const MAX_AGE: u8 = 90;
const N_AGES: usize = MAX_AGE as usize + 1;

/// Female or male (the sexes in ONS mid-year estimates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Female,
    Male,
}

impl Sex {
    pub const BOTH: [Sex; 2] = [Sex::Female, Sex::Male];

    fn index(self) -> usize {
        match self {
            Sex::Female => 0,
            Sex::Male => 1,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
        }
    }

    /// Read the `sex` column of a population file.
    pub fn parse_column(s: &str) -> SexColumn {
        match s.trim().to_ascii_lowercase().as_str() {
            "female" | "females" | "f" | "women" | "woman" => SexColumn::Sex(Sex::Female),
            "male" | "males" | "m" | "men" | "man" => SexColumn::Sex(Sex::Male),
            "persons" | "person" | "all" | "both" | "total" | "people" => SexColumn::Persons,
            _ => SexColumn::Unknown,
        }
    }
}

/// What a population file's `sex` column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SexColumn {
    Sex(Sex),
    /// Both sexes together: skipped, since it is the sum of the other rows.
    Persons,
    Unknown,
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An inclusive age range; `hi = None` means "and over" (`66+`, `90+`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgeBand {
    pub lo: u8,
    pub hi: Option<u8>,
}

impl AgeBand {
    pub fn new(lo: u8, hi: Option<u8>) -> Self {
        AgeBand { lo, hi }
    }

    /// A single year of age; 90 becomes `90+`.
    pub fn single(age: u8) -> Self {
        if age >= MAX_AGE { AgeBand { lo: MAX_AGE, hi: None } } else { AgeBand { lo: age, hi: Some(age) } }
    }

    /// Parse `16-19`, `60–65`, `66+`, `90+` or a single age `17`.
    pub fn parse(text: &str) -> Option<AgeBand> {
        let t = text.trim().replace(['–', '—'], "-").replace(' ', "");
        if let Some(lo) = t.strip_suffix('+') {
            let lo: u8 = lo.parse().ok()?;
            return (lo <= 120).then_some(AgeBand { lo, hi: None });
        }
        if let Some((a, b)) = t.split_once('-') {
            let lo: u8 = a.parse().ok()?;
            let hi: u8 = b.parse().ok()?;
            return (lo <= hi && hi <= 120).then_some(AgeBand { lo, hi: Some(hi) });
        }
        let age: u8 = t.parse().ok()?;
        (age <= 120).then_some(AgeBand { lo: age, hi: Some(age) })
    }

    /// Highest single-year index (0..=90) this band covers in ONS data.
    fn top(self) -> u8 {
        self.hi.map_or(MAX_AGE, |h| h.min(MAX_AGE))
    }

    /// Does `self` lie wholly inside `other`?
    pub fn within(self, other: AgeBand) -> bool {
        self.lo >= other.lo
            && match (self.hi, other.hi) {
                (_, None) => true,
                (Some(a), Some(b)) => a <= b,
                (None, Some(_)) => false,
            }
    }

    /// Do the two bands share any age?
    pub fn overlaps(self, other: AgeBand) -> bool {
        let a_hi = self.hi.unwrap_or(u8::MAX);
        let b_hi = other.hi.unwrap_or(u8::MAX);
        self.lo <= b_hi && other.lo <= a_hi
    }
}

impl fmt::Display for AgeBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.hi {
            None => write!(f, "{}+", self.lo),
            Some(h) if h == self.lo => write!(f, "{h}"),
            Some(h) => write!(f, "{}-{}", self.lo, h),
        }
    }
}

impl Serialize for AgeBand {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// A population count given for an age band rather than single years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BandCount {
    pub sex: Sex,
    pub band: AgeBand,
    pub count: u64,
    pub line: u64,
}

/// One area's population by sex and age.
#[derive(Debug, Clone)]
pub struct AreaPopulation {
    pub code: String,
    pub name: String,
    /// Single years of age 0..=90 (90 = 90+), `[female, male]`.
    single: [[u64; N_AGES]; 2],
    /// Line on which each single year was given (0 = not given).
    single_line: [[u64; N_AGES]; 2],
    /// Counts given by age band.
    bands: Vec<BandCount>,
}

impl AreaPopulation {
    pub fn new(code: &str, name: &str) -> Self {
        AreaPopulation {
            code: code.to_string(),
            name: name.to_string(),
            single: [[0; N_AGES]; 2],
            single_line: [[0; N_AGES]; 2],
            bands: Vec::new(),
        }
    }

    /// Set a single year of age (90 = 90+).
    pub fn set_single(&mut self, sex: Sex, age: u8, count: u64) {
        let a = usize::from(age.min(MAX_AGE));
        if let Some(slot) = self.single[sex.index()].get_mut(a) {
            *slot = count;
        }
        if let Some(slot) = self.single_line[sex.index()].get_mut(a) {
            *slot = u64::MAX;
        }
    }

    /// Single-year counts `[age 0 … 90+]` for one sex.
    pub fn single_years(&self, sex: Sex) -> &[u64; N_AGES] {
        &self.single[sex.index()]
    }

    /// Banded counts.
    pub fn bands(&self) -> &[BandCount] {
        &self.bands
    }

    /// People of `sex` whose age lies in `band`. Banded counts must lie wholly
    /// inside `band` or wholly outside it.
    pub fn count(&self, sex: Sex, band: AgeBand) -> Result<u64> {
        let lo = usize::from(band.lo.min(MAX_AGE));
        let hi = usize::from(band.top());
        let mut total: u64 = 0;
        let open_top = self.single[sex.index()].get(usize::from(MAX_AGE)).copied().unwrap_or(0);
        if band.lo > MAX_AGE && open_top > 0 {
            return Err(NeedsError::model(
                format!("area {} ({}) {}", self.code, self.name, sex),
                format!("age band {band} starts inside the 90+ group, which cannot be split"),
            ));
        }
        if band.lo <= MAX_AGE {
            let years = &self.single[sex.index()];
            if let Some(slice) = years.get(lo..=hi) {
                total = slice.iter().sum();
            }
            // A band such as 85-89 must not pick up the open 90+ cell, and a
            // band ending above 90 (say 80-95) cannot be cut from 90+.
            if band.hi.is_some_and(|h| h >= MAX_AGE) && years.get(usize::from(MAX_AGE)).copied().unwrap_or(0) > 0 {
                return Err(NeedsError::model(
                    format!("area {} ({}) {}", self.code, self.name, sex),
                    format!("age band {band} cuts through the 90+ group; use a band that ends below 90 or an open band such as 75+"),
                ));
            }
        }
        for b in self.bands.iter().filter(|b| b.sex == sex) {
            if b.band.within(band) {
                total += b.count;
            } else if b.band.overlaps(band) {
                return Err(NeedsError::model(
                    format!("area {} ({}) {}", self.code, self.name, sex),
                    format!(
                        "population band {} (line {}) straddles rate band {band}; give the population by single year or in bands that fit the rates",
                        b.band, b.line
                    ),
                ));
            }
        }
        Ok(total)
    }

    /// Total of one sex, all ages.
    pub fn total(&self, sex: Sex) -> u64 {
        self.single[sex.index()].iter().sum::<u64>() + self.bands.iter().filter(|b| b.sex == sex).map(|b| b.count).sum::<u64>()
    }

    /// Multiply every count by `k` (used by property tests and scenarios).
    pub fn scaled(&self, k: u64) -> AreaPopulation {
        let mut out = self.clone();
        for sex in &mut out.single {
            for c in sex.iter_mut() {
                *c *= k;
            }
        }
        for b in &mut out.bands {
            b.count *= k;
        }
        out
    }

    fn add(&mut self, row: &Row<'_>, sex: Sex, band: AgeBand, count: u64) -> Result<()> {
        let line = row.line();
        if band.hi.is_some_and(|h| h == band.lo) || (band.lo == MAX_AGE && band.hi.is_none()) {
            let a = usize::from(band.lo);
            let prev = self.single_line[sex.index()].get(a).copied().unwrap_or(0);
            if prev != 0 {
                return Err(row.row_error(format!(
                    "duplicate row for area {} {sex} age {band} (already given on line {prev}); if the file holds several years, choose one with the year filter",
                    self.code
                )));
            }
            for b in self.bands.iter().filter(|b| b.sex == sex) {
                if b.band.overlaps(band) {
                    return Err(row.row_error(format!(
                        "age {band} for area {} {sex} is already counted in band {} on line {}",
                        self.code, b.band, b.line
                    )));
                }
            }
            if let Some(slot) = self.single[sex.index()].get_mut(a) {
                *slot = count;
            }
            if let Some(slot) = self.single_line[sex.index()].get_mut(a) {
                *slot = line;
            }
        } else {
            for b in self.bands.iter().filter(|b| b.sex == sex) {
                if b.band.overlaps(band) {
                    return Err(
                        row.row_error(format!("age band {band} for area {} {sex} overlaps band {} on line {}", self.code, b.band, b.line))
                    );
                }
            }
            let lo = usize::from(band.lo.min(MAX_AGE));
            let hi = usize::from(band.top());
            let taken = if band.lo <= MAX_AGE {
                self.single_line[sex.index()].get(lo..=hi).and_then(|s| s.iter().find(|&&l| l != 0)).copied()
            } else {
                None
            };
            if let Some(taken) = taken {
                return Err(row.row_error(format!(
                    "age band {band} for area {} {sex} overlaps a single year already given on line {taken}",
                    self.code
                )));
            }
            self.bands.push(BandCount { sex, band, count, line });
        }
        Ok(())
    }
}

/// Population of one or more areas, in the order they first appear.
#[derive(Debug, Clone, Default)]
pub struct Population {
    pub areas: Vec<AreaPopulation>,
}

impl Population {
    /// Every count multiplied by `k`.
    pub fn scaled(&self, k: u64) -> Population {
        Population { areas: self.areas.iter().map(|a| a.scaled(k)).collect() }
    }

    pub fn area(&self, code: &str) -> Option<&AreaPopulation> {
        self.areas.iter().find(|a| a.code == code)
    }
}

/// Which rows of a population file to use.
#[derive(Debug, Clone, Default)]
pub struct PopulationFilter {
    /// Keep only these area codes (empty = all).
    pub areas: Vec<String>,
    /// Keep only rows whose `year` column equals this (files without a
    /// `year` column are rejected when it is set).
    pub year: Option<String>,
}

struct Builder {
    areas: Vec<AreaPopulation>,
    index: HashMap<String, usize>,
}

impl Builder {
    fn area(&mut self, code: &str, name: &str) -> &mut AreaPopulation {
        let i = match self.index.get(code) {
            Some(&i) => i,
            None => {
                self.areas.push(AreaPopulation::new(code, name));
                self.index.insert(code.to_string(), self.areas.len() - 1);
                self.areas.len() - 1
            }
        };
        // `i` always indexes an element pushed above.
        &mut self.areas[i]
    }
}

fn parse_count(s: &str) -> Option<u64> {
    let t = s.trim();
    if let Ok(n) = t.parse::<u64>() {
        return Some(n);
    }
    // Accept 123.0 (spreadsheets export integers that way) but not 123.5.
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x < 1e15 => Some(x as u64),
        _ => None,
    }
}

fn parse_age(s: &str) -> Option<AgeBand> {
    let t = s.trim();
    if let Ok(n) = t.parse::<u16>() {
        return (n <= u16::from(MAX_AGE)).then(|| AgeBand::single(n as u8));
    }
    AgeBand::parse(t)
}

const SEX_WHAT: &str = "`female` or `male` (rows for `persons` are skipped)";

/// Read a population file: long (`area_code,area_name,sex,age,count`) or the
/// ONS MYE2 wide layout (`area_code,area_name,sex,age_0,…,age_89,age_90_plus`).
/// Extra columns are ignored. `file` names the input in error messages.
pub fn read_population<R: Read>(file: &str, reader: R, filter: &PopulationFilter) -> Result<Population> {
    let mut b = Builder { areas: Vec::new(), index: HashMap::new() };
    let mut wide_cols: Option<Vec<String>> = None;
    let mut checked_header = false;
    let header = read_csv(file, reader, &["area_code", "sex"], |row| {
        if !checked_header {
            checked_header = true;
            if filter.year.is_some() && row.get("year").is_none() {
                return Err(row.header_error("a year was chosen but this file has no `year` column"));
            }
            if row.get("age_0").is_some() {
                let mut cols: Vec<String> = (0..MAX_AGE).map(|a| format!("age_{a}")).collect();
                cols.push("age_90_plus".to_string());
                for c in &cols {
                    if row.get(c).is_none() {
                        return Err(row.header_error(format!("wide population file: missing column `{c}`")));
                    }
                }
                wide_cols = Some(cols);
            } else if row.get("age").is_none() || row.get("count").is_none() {
                return Err(row.header_error(
                    "population file needs columns area_code,area_name,sex,age,count (or the ONS wide layout with age_0 … age_90_plus)",
                ));
            }
        }
        if filter.year.as_deref().is_some_and(|y| row.get("year") != Some(y)) {
            return Ok(());
        }
        let code = row.text("area_code")?;
        if code.is_empty() {
            return Err(row.error("area_code", "empty"));
        }
        if !filter.areas.is_empty() && !filter.areas.iter().any(|a| a == code) {
            return Ok(());
        }
        let name = row.get("area_name").filter(|n| !n.is_empty()).unwrap_or(code);
        let sex = match Sex::parse_column(row.text("sex")?) {
            SexColumn::Sex(s) => s,
            SexColumn::Persons => return Ok(()),
            SexColumn::Unknown => return Err(row.error("sex", format!("expected {SEX_WHAT}, found `{}`", row.text("sex")?))),
        };
        match &wide_cols {
            Some(cols) => {
                for (age, c) in cols.iter().enumerate() {
                    let n = row.parse(c, "a whole number of people", parse_count)?;
                    let band = AgeBand::single(age as u8);
                    b.area(code, name).add(row, sex, band, n)?;
                }
            }
            None => {
                let band = row.parse("age", "an age 0-90 (90 = 90 and over), `90+` or a band like `16-19`", parse_age)?;
                let n = row.parse("count", "a whole number of people", parse_count)?;
                b.area(code, name).add(row, sex, band, n)?;
            }
        }
        Ok(())
    })?;
    if !header.has("area_code") {
        return Err(NeedsError::model(file, "no area_code column"));
    }
    if b.areas.is_empty() {
        let why = match (&filter.year, filter.areas.is_empty()) {
            (Some(y), true) => format!("no female or male rows for year {y}"),
            (Some(y), false) => format!("no female or male rows for year {y} and area(s) {}", filter.areas.join(", ")),
            (None, false) => format!("no female or male rows for area(s) {}", filter.areas.join(", ")),
            (None, true) => "no female or male rows".to_string(),
        };
        return Err(NeedsError::input(crate::error::Location::file(file), why));
    }
    Ok(Population { areas: b.areas })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str) -> Result<Population> {
        read_population("pop.csv", s.as_bytes(), &PopulationFilter::default())
    }

    #[test]
    fn bands_parse_and_print() {
        assert_eq!(AgeBand::parse("16-19"), Some(AgeBand::new(16, Some(19))));
        assert_eq!(AgeBand::parse("60–65"), Some(AgeBand::new(60, Some(65))));
        assert_eq!(AgeBand::parse("66+"), Some(AgeBand::new(66, None)));
        assert_eq!(AgeBand::parse("19-16"), None);
        assert_eq!(AgeBand::parse("abc"), None);
        assert_eq!(AgeBand::new(66, None).to_string(), "66+");
        assert_eq!(AgeBand::single(90).to_string(), "90+");
        assert!(AgeBand::new(90, None).within(AgeBand::new(66, None)));
        assert!(!AgeBand::new(90, None).within(AgeBand::new(66, Some(95))));
        assert!(AgeBand::new(16, Some(19)).overlaps(AgeBand::new(19, Some(24))));
        assert!(!AgeBand::new(16, Some(19)).overlaps(AgeBand::new(20, Some(24))));
    }

    #[test]
    fn long_format_sums_by_band() {
        let p =
            read("area_code,area_name,sex,age,count\nE1,Here,female,16,10\nE1,Here,female,17,20\nE1,Here,male,16,5\nE1,Here,female,90,7\n")
                .unwrap();
        let a = &p.areas[0];
        assert_eq!(a.count(Sex::Female, AgeBand::parse("16-19").unwrap()).unwrap(), 30);
        assert_eq!(a.count(Sex::Male, AgeBand::parse("16-19").unwrap()).unwrap(), 5);
        assert_eq!(a.count(Sex::Female, AgeBand::parse("66+").unwrap()).unwrap(), 7);
        assert_eq!(a.count(Sex::Female, AgeBand::parse("85-89").unwrap()).unwrap(), 0);
        assert!(a.count(Sex::Female, AgeBand::parse("85-99").unwrap()).is_err());
        assert_eq!(a.total(Sex::Female), 37);
    }

    #[test]
    fn persons_rows_and_90_plus_text_are_accepted() {
        let p = read("area_code,area_name,sex,age,count\nE1,Here,persons,16,10\nE1,Here,female,90+,3\n").unwrap();
        assert_eq!(p.areas[0].total(Sex::Female), 3);
        assert_eq!(p.areas[0].total(Sex::Male), 0);
    }

    #[test]
    fn banded_population_is_used_whole() {
        let p = read("area_code,area_name,sex,age,count\nE1,Here,female,16-19,100\nE1,Here,female,20-24,50\n").unwrap();
        let a = &p.areas[0];
        assert_eq!(a.count(Sex::Female, AgeBand::parse("16-24").unwrap()).unwrap(), 150);
        let e = a.count(Sex::Female, AgeBand::parse("16-17").unwrap()).unwrap_err();
        assert!(e.to_string().contains("straddles"), "{e}");
    }

    #[test]
    fn bad_values_name_line_and_column() {
        let e = read("area_code,area_name,sex,age,count\nE1,Here,female,16,10\nE1,Here,female,17,ten\n").unwrap_err();
        assert_eq!(e.to_string(), "pop.csv:3:5: column `count`: expected a whole number of people, found `ten`");
        let e = read("area_code,area_name,sex,age,count\nE1,Here,woman?,16,10\n").unwrap_err();
        assert!(e.to_string().starts_with("pop.csv:2:3: column `sex`"), "{e}");
        let e = read("area_code,area_name,sex,age,count\nE1,Here,female,91,10\n").unwrap_err();
        assert!(e.to_string().starts_with("pop.csv:2:4: column `age`"), "{e}");
        let e = read("area_code,area_name,sex,age,count\nE1,Here,female,16,-1\n").unwrap_err();
        assert!(e.to_string().starts_with("pop.csv:2:5:"), "{e}");
        let e = read("area_code,area_name,sex,age,count\nE1,Here,female,16,1.5\n").unwrap_err();
        assert!(e.to_string().starts_with("pop.csv:2:5:"), "{e}");
    }

    #[test]
    fn duplicates_and_overlaps_are_rejected() {
        let e = read("area_code,area_name,sex,age,count\nE1,Here,female,16,10\nE1,Here,female,16,10\n").unwrap_err();
        assert!(e.to_string().starts_with("pop.csv:3: duplicate row"), "{e}");
        assert!(e.to_string().contains("line 2"), "{e}");
        let e = read("area_code,area_name,sex,age,count\nE1,Here,female,16,10\nE1,Here,female,16-19,10\n").unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
    }

    #[test]
    fn wide_layout_and_filters() {
        let mut header = String::from("area_code,area_name,geography,year,sex,all_ages");
        for a in 0..90 {
            header.push_str(&format!(",age_{a}"));
        }
        header.push_str(",age_90_plus\n");
        let ones = vec!["1"; 91].join(",");
        let data = format!(
            "{header}E1,One,,2020,female,91,{ones}\nE1,One,,2020,male,91,{ones}\nE2,Two,,2020,female,91,{ones}\nE1,One,,2016,female,91,{ones}\n"
        );
        let f = PopulationFilter { areas: vec!["E1".into()], year: Some("2020".into()) };
        let p = read_population("w.csv", data.as_bytes(), &f).unwrap();
        assert_eq!(p.areas.len(), 1);
        assert_eq!(p.areas[0].total(Sex::Female), 91);
        assert_eq!(p.areas[0].count(Sex::Male, AgeBand::parse("66+").unwrap()).unwrap(), 25);
        // Without a year filter the 2016 row duplicates the 2020 one.
        let e = read_population("w.csv", data.as_bytes(), &PopulationFilter::default()).unwrap_err();
        assert!(e.to_string().contains("duplicate"), "{e}");
        let f = PopulationFilter { areas: vec![], year: Some("1999".into()) };
        let e = read_population("w.csv", data.as_bytes(), &f).unwrap_err();
        assert!(e.to_string().contains("no female or male rows for year 1999"), "{e}");
    }
}
