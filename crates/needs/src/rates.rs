//! Prevalence rates by age band × sex: `age_band,sex,percent`.
//!
//! `sex` is `female`, `male`, or `all` (the rate applies to females and males
//! together, as the children's rates do: 12% of under-11s, 18% of 11-17s).
use std::fmt;
use std::io::Read;

use serde::{Serialize, Serializer};

use crate::error::{Location, NeedsError, Result};
use crate::input::read_csv;
use crate::population::{AgeBand, Sex};

/// Whom a rate applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RateSex {
    Female,
    Male,
    /// Females and males together.
    All,
}

impl RateSex {
    pub fn as_str(self) -> &'static str {
        match self {
            RateSex::Female => "female",
            RateSex::Male => "male",
            RateSex::All => "all",
        }
    }

    /// The sexes this covers.
    pub fn sexes(self) -> &'static [Sex] {
        match self {
            RateSex::Female => &[Sex::Female],
            RateSex::Male => &[Sex::Male],
            RateSex::All => &Sex::BOTH,
        }
    }

    fn intersects(self, other: RateSex) -> bool {
        self == other || self == RateSex::All || other == RateSex::All
    }
}

impl From<Sex> for RateSex {
    fn from(s: Sex) -> Self {
        match s {
            Sex::Female => RateSex::Female,
            Sex::Male => RateSex::Male,
        }
    }
}

impl fmt::Display for RateSex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for RateSex {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One prevalence rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Rate {
    pub band: AgeBand,
    pub sex: RateSex,
    /// Percent of the group who were victims in the last year (7.7 = 7.7%).
    pub percent: f64,
    /// Line in the rates file (0 when built in code).
    pub line: u64,
}

impl Rate {
    pub fn new(band: AgeBand, sex: RateSex, percent: f64) -> Self {
        Rate { band, sex, percent, line: 0 }
    }
}

fn parse_percent(s: &str) -> Option<f64> {
    let t = s.trim().trim_end_matches('%').trim();
    match t.parse::<f64>() {
        Ok(p) if p.is_finite() && (0.0..=100.0).contains(&p) => Some(p),
        _ => None,
    }
}

/// Check a set of rates for overlapping bands (which would count people twice).
pub fn check_rates(file: &str, rates: &[Rate]) -> Result<()> {
    if rates.is_empty() {
        return Err(NeedsError::input(Location::file(file), "no rates: expected rows of age_band,sex,percent"));
    }
    for (i, r) in rates.iter().enumerate() {
        for earlier in rates.iter().take(i) {
            if r.sex.intersects(earlier.sex) && r.band.overlaps(earlier.band) {
                let loc = if r.line > 0 { Location::line(file, r.line) } else { Location::file(file) };
                return Err(NeedsError::input(
                    loc,
                    format!(
                        "rate for {} {} overlaps {} {} (line {}): each person must fall in one band only",
                        r.band, r.sex, earlier.band, earlier.sex, earlier.line
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Read `age_band,sex,percent` (other columns ignored; `#` lines are comments).
pub fn read_rates<R: Read>(file: &str, reader: R) -> Result<Vec<Rate>> {
    let mut rates = Vec::new();
    read_csv(file, reader, &["age_band", "sex", "percent"], |row| {
        let band = row.parse("age_band", "an age band like `16-19`, `60-65` or `66+`", AgeBand::parse)?;
        let sex = match row.text("sex")?.to_ascii_lowercase().as_str() {
            "female" | "females" | "f" | "women" => RateSex::Female,
            "male" | "males" | "m" | "men" => RateSex::Male,
            "all" | "persons" | "both" | "people" => RateSex::All,
            other => return Err(row.error("sex", format!("expected `female`, `male` or `all`, found `{other}`"))),
        };
        let percent = row.parse("percent", "a percentage from 0 to 100 (7.7 means 7.7%)", parse_percent)?;
        rates.push(Rate { band, sex, percent, line: row.line() });
        Ok(())
    })?;
    check_rates(file, &rates)?;
    Ok(rates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rates_with_comments_and_percent_signs() {
        let r = read_rates("r.csv", "# CSEW\nage_band,sex,percent\n16-19,female,11.9%\n66+,all,2.6\n".as_bytes()).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].percent, 11.9);
        assert_eq!(r[0].line, 3);
        assert_eq!(r[1].sex, RateSex::All);
    }

    #[test]
    fn rejects_bad_rows_with_position() {
        let e = read_rates("r.csv", "age_band,sex,percent\n16-19,female,110\n".as_bytes()).unwrap_err();
        assert_eq!(e.to_string(), "r.csv:2:3: column `percent`: expected a percentage from 0 to 100 (7.7 means 7.7%), found `110`");
        let e = read_rates("r.csv", "age_band,sex,percent\nsixteen,female,1\n".as_bytes()).unwrap_err();
        assert!(e.to_string().starts_with("r.csv:2:1: column `age_band`"), "{e}");
        let e = read_rates("r.csv", "age_band,sex,percent\n16-19,other,1\n".as_bytes()).unwrap_err();
        assert!(e.to_string().starts_with("r.csv:2:2: column `sex`"), "{e}");
    }

    #[test]
    fn rejects_overlapping_bands() {
        let e = read_rates("r.csv", "age_band,sex,percent\n16-59,female,7.7\n16-19,female,11.9\n".as_bytes()).unwrap_err();
        assert!(e.to_string().starts_with("r.csv:3: rate for 16-19 female overlaps 16-59 female (line 2)"), "{e}");
        let e = read_rates("r.csv", "age_band,sex,percent\n16-59,all,7.7\n16-19,male,11.9\n".as_bytes()).unwrap_err();
        assert!(e.to_string().contains("overlaps"), "{e}");
        // Same band for the two sexes is fine.
        assert!(read_rates("r.csv", "age_band,sex,percent\n16-59,female,7.7\n16-59,male,4.4\n".as_bytes()).is_ok());
    }

    #[test]
    fn rejects_empty_rates() {
        let e = read_rates("r.csv", "age_band,sex,percent\n".as_bytes()).unwrap_err();
        assert!(e.to_string().contains("no rates"), "{e}");
    }
}
