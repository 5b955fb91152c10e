//! The input to linkage: one person as one agency recorded them.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::LinkageError;

/// A calendar date as recorded (no time zone, no clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

/// How dates of birth are written in an input column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum DateFormat {
    /// `1984-03-07` (ISO 8601, the standard layout).
    #[default]
    #[serde(rename = "YYYY-MM-DD")]
    Iso,
    /// `19840307`.
    #[serde(rename = "YYYYMMDD")]
    Compact,
    /// `07/03/1984` (UK order).
    #[serde(rename = "DD/MM/YYYY")]
    DayFirst,
}

impl Date {
    /// A date, checked against the calendar (leap years included).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || year == 0 {
            return None;
        }
        if day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Parse a date in the given format; surrounding spaces are ignored.
    pub fn parse(raw: &str, format: DateFormat) -> Result<Date, String> {
        let s = raw.trim();
        let parts: Option<(&str, &str, &str)> = match format {
            DateFormat::Iso => {
                let mut it = s.split('-');
                match (it.next(), it.next(), it.next(), it.next()) {
                    (Some(y), Some(m), Some(d), None) if y.len() == 4 => Some((y, m, d)),
                    _ => None,
                }
            }
            DateFormat::Compact => {
                if s.len() == 8 && s.is_ascii() {
                    Some((&s[0..4], &s[4..6], &s[6..8]))
                } else {
                    None
                }
            }
            DateFormat::DayFirst => {
                let mut it = s.split('/');
                match (it.next(), it.next(), it.next(), it.next()) {
                    (Some(d), Some(m), Some(y), None) if y.len() == 4 => Some((y, m, d)),
                    _ => None,
                }
            }
        };
        let expected = match format {
            DateFormat::Iso => "YYYY-MM-DD",
            DateFormat::Compact => "YYYYMMDD",
            DateFormat::DayFirst => "DD/MM/YYYY",
        };
        let (y, m, d) = parts.ok_or_else(|| format!("'{s}' is not a date in the form {expected}"))?;
        let num = |p: &str| -> Option<u32> {
            if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) { None } else { p.parse().ok() }
        };
        match (num(y), num(m), num(d)) {
            (Some(y), Some(m), Some(d)) if y <= u32::from(u16::MAX) && m <= 255 && d <= 255 => {
                Date::new(y as u16, m as u8, d as u8).ok_or_else(|| format!("'{s}' is not a real calendar date"))
            }
            _ => Err(format!("'{s}' is not a date in the form {expected}")),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Days in a month of the proleptic Gregorian calendar.
pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Recorded sex. Anything else that an agency writes is treated as unknown
/// (missing, so neutral in comparisons).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    Female,
    Male,
}

impl Sex {
    /// `F`, `female`, `woman`, `M`, `male`, `man` (any case); `None` for anything else.
    pub fn parse(raw: &str) -> Option<Sex> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "f" | "female" | "woman" | "w" | "girl" => Some(Sex::Female),
            "m" | "male" | "man" | "boy" => Some(Sex::Male),
            _ => None,
        }
    }
}

/// One person record from one source. Every field but the id may be missing;
/// a missing field counts neither for nor against a match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The source's own identifier (unique within a source).
    pub id: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub date_of_birth: Option<Date>,
    pub sex: Option<Sex>,
    /// A UK postcode (any spacing or case), or another area code.
    pub postcode: Option<String>,
    /// Free-text address; compared as a set of tokens.
    pub address: Option<String>,
}

impl Record {
    /// A record with only an id; fill the fields with the `with_*` methods.
    pub fn new(id: impl Into<String>) -> Record {
        Record { id: id.into(), ..Record::default() }
    }

    pub fn with_given_name(mut self, v: impl Into<String>) -> Record {
        self.given_name = non_empty(v.into());
        self
    }
    pub fn with_family_name(mut self, v: impl Into<String>) -> Record {
        self.family_name = non_empty(v.into());
        self
    }
    pub fn with_date_of_birth(mut self, v: Date) -> Record {
        self.date_of_birth = Some(v);
        self
    }
    pub fn with_sex(mut self, v: Sex) -> Record {
        self.sex = Some(v);
        self
    }
    pub fn with_postcode(mut self, v: impl Into<String>) -> Record {
        self.postcode = non_empty(v.into());
        self
    }
    pub fn with_address(mut self, v: impl Into<String>) -> Record {
        self.address = non_empty(v.into());
        self
    }

    /// Checks that a record can be linked at all.
    pub fn validate(&self) -> Result<(), LinkageError> {
        if self.id.trim().is_empty() {
            return Err(LinkageError::InvalidRecord("empty id".into()));
        }
        Ok(())
    }
}

pub(crate) fn non_empty(s: String) -> Option<String> {
    if s.trim().is_empty() { None } else { Some(s) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_date_layouts() {
        let d = Date::new(1984, 3, 7);
        assert_eq!(Date::parse("1984-03-07", DateFormat::Iso).ok(), d);
        assert_eq!(Date::parse("19840307", DateFormat::Compact).ok(), d);
        assert_eq!(Date::parse(" 07/03/1984 ", DateFormat::DayFirst).ok(), d);
    }

    #[test]
    fn rejects_impossible_dates_with_a_message() {
        assert!(Date::parse("1984-02-30", DateFormat::Iso).is_err());
        assert!(Date::parse("2023-02-29", DateFormat::Iso).is_err());
        assert!(Date::parse("2024-02-29", DateFormat::Iso).is_ok());
        let e = Date::parse("1984/03/07", DateFormat::Iso).err().unwrap_or_default();
        assert!(e.contains("YYYY-MM-DD"), "{e}");
        assert!(Date::parse("198403x7", DateFormat::Compact).is_err());
    }

    #[test]
    fn sex_parses_common_codes() {
        assert_eq!(Sex::parse("F"), Some(Sex::Female));
        assert_eq!(Sex::parse(" male"), Some(Sex::Male));
        assert_eq!(Sex::parse("unknown"), None);
    }
}
