//! Number formatting for tables, formulas and reports (UK style: 13,658;
//! £1,364,400; 41%).
use serde::{Deserialize, Serialize};

/// What a figure measures; decides how it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// People, incidents, cases, beds.
    Count,
    /// Pounds sterling.
    Money,
    /// A percentage (the value is already × 100).
    Percent,
    /// Full-time-equivalent posts.
    Fte,
    /// A rate per 1,000 population.
    Per1000,
    /// A plain number (courses, ratios, factors).
    Number,
}

/// `12345.678` with `decimals` places and thousands separators.
pub fn number(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "n/a".to_string();
    }
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let negative = x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0');
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&grouped);
    if let Some(f) = frac {
        out.push('.');
        out.push_str(&f);
    }
    out
}

/// Up to `max_decimals` places, trailing zeros dropped: 7.70 → 7.7, 41.0 → 41.
pub fn short(x: f64, max_decimals: usize) -> String {
    let s = number(x, max_decimals);
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// A value written with its unit.
pub fn with_unit(x: f64, decimals: usize, unit: Unit) -> String {
    match unit {
        Unit::Money => {
            if x < 0.0 {
                format!("-£{}", number(-x, decimals))
            } else {
                format!("£{}", number(x, decimals))
            }
        }
        Unit::Percent => format!("{}%", number(x, decimals)),
        Unit::Fte => format!("{} FTE", number(x, decimals)),
        Unit::Per1000 => format!("{} per 1,000", number(x, decimals)),
        Unit::Count | Unit::Number => number(x, decimals),
    }
}

/// A percentage written for a formula: 41 → "41%", 7.3 → "7.3%".
pub fn pct(x: f64) -> String {
    format!("{}%", short(x, 4))
}

/// Money written for a formula, pence only when present: £1,364,400, £2.50.
pub fn money(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 { with_unit(x, 0, Unit::Money) } else { with_unit(x, 2, Unit::Money) }
}

/// A count or factor written for a formula, up to 4 decimals.
pub fn num(x: f64) -> String {
    short(x, 4)
}

/// A lower-case identifier made from a label: "IDVA service" → "idva_service".
pub fn slug(label: &str) -> String {
    let mut out = String::new();
    let mut last_us = true;
    for ch in label.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
            last_us = false;
        } else if !last_us {
            out.push('_');
            last_us = true;
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(number(13658.0, 0), "13,658");
        assert_eq!(number(1364400.0, 0), "1,364,400");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(-1234.5, 1), "-1,234.5");
        assert_eq!(number(-0.0001, 0), "0");
        assert_eq!(number(f64::NAN, 0), "n/a");
    }

    #[test]
    fn units() {
        assert_eq!(with_unit(50500.0, 0, Unit::Money), "£50,500");
        assert_eq!(with_unit(-10.0, 0, Unit::Money), "-£10");
        assert_eq!(with_unit(1.3, 1, Unit::Percent), "1.3%");
        assert_eq!(pct(41.0), "41%");
        assert_eq!(pct(7.3), "7.3%");
        assert_eq!(money(2.5), "£2.50");
        assert_eq!(num(1.8), "1.8");
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("IDVA service"), "idva_service");
        assert_eq!(slug("  Refuge (support) "), "refuge_support");
    }
}
