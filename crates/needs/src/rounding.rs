//! Rounding is an explicit, named option because the seeds round in different
//! ways: Hampshire rounds most figures to the nearest whole person but truncates
//! 5,615.8 to 5,615; Portsmouth rounds to the nearest 50; SafeLives rounds
//! individuals to the nearest 10, 100 or 1,000 and money to £10 or £100.
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How a published figure is rounded. The unrounded value is always kept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rounding {
    /// Keep the value as computed.
    None,
    /// Round half away from zero to the nearest multiple of `step`.
    Nearest(f64),
    /// Drop the part below a multiple of `step` (towards zero).
    Truncate(f64),
    /// Round up (away from zero) to a multiple of `step`: for staff and beds,
    /// where 0.2 of a post still has to be funded.
    Up(f64),
    /// Keep this many significant figures (the seeds quote ratios this way:
    /// 11.96% → 12%, 1.289% → 1.3%).
    Significant(u32),
}

/// Relative tolerance that absorbs binary floating point noise, so that
/// 122,275 × 1.1% = 1,345.0249… truncates to 1,345 and 0.1 + 0.2 does not
/// truncate to 0.2999….
const SNAP: f64 = 1e-9;

impl Rounding {
    /// Parse `none`, `nearest`, `nearest:50` (or `nearest_50`), `truncate`,
    /// `truncate:100`, `up`, `up:0.5`, `sig:2`.
    pub fn parse(text: &str) -> Result<Rounding, String> {
        let t = text.trim().to_ascii_lowercase();
        let (kind, arg) = match t.split_once([':', '_']) {
            Some((k, a)) => (k.to_string(), Some(a.to_string())),
            None => (t.clone(), None),
        };
        let step = |arg: Option<String>| -> Result<f64, String> {
            match arg {
                None => Ok(1.0),
                Some(a) => match a.trim().replace(',', "").parse::<f64>() {
                    Ok(s) if s.is_finite() && s > 0.0 => Ok(s),
                    _ => Err(format!("rounding step must be a positive number, found `{a}`")),
                },
            }
        };
        match kind.as_str() {
            "none" | "exact" | "unrounded" if arg.is_none() => Ok(Rounding::None),
            "nearest" | "round" => Ok(Rounding::Nearest(step(arg)?)),
            "truncate" | "trunc" | "down" | "floor" => Ok(Rounding::Truncate(step(arg)?)),
            "up" | "ceil" | "ceiling" => Ok(Rounding::Up(step(arg)?)),
            "sig" | "significant" => match arg.as_deref().map(str::parse::<u32>) {
                Some(Ok(n)) if (1..=15).contains(&n) => Ok(Rounding::Significant(n)),
                _ => Err(format!("`{text}`: significant figures must be 1 to 15, as in `sig:2`")),
            },
            _ => Err(format!("unknown rounding `{text}`: use none, nearest, nearest:50, truncate, truncate:100, up, up:0.5 or sig:2")),
        }
    }

    /// Apply the rule.
    pub fn apply(self, x: f64) -> f64 {
        if !x.is_finite() {
            return x;
        }
        match self {
            Rounding::None => x,
            Rounding::Nearest(step) => tidy(snap(x / step).round() * step, step),
            Rounding::Truncate(step) => tidy(snap(x / step).trunc() * step, step),
            Rounding::Up(step) => {
                let q = snap(x / step);
                let r = if q >= 0.0 { q.ceil() } else { q.floor() };
                tidy(r * step, step)
            }
            Rounding::Significant(n) => {
                if x == 0.0 {
                    return 0.0;
                }
                let magnitude = x.abs().log10().floor() as i32;
                let step = 10f64.powi(magnitude + 1 - n as i32);
                tidy(snap(x / step).round() * step, step)
            }
        }
    }

    /// Decimal places worth showing for a value rounded by this rule.
    pub fn decimals(self, x: f64) -> usize {
        match self {
            Rounding::None => {
                if (x - x.round()).abs() < 1e-9 {
                    0
                } else {
                    2
                }
            }
            Rounding::Nearest(step) | Rounding::Truncate(step) | Rounding::Up(step) => step_decimals(step),
            Rounding::Significant(n) => {
                if x == 0.0 {
                    return 0;
                }
                let magnitude = x.abs().log10().floor() as i32;
                (n as i32 - 1 - magnitude).max(0) as usize
            }
        }
    }
}

fn snap(q: f64) -> f64 {
    let r = q.round();
    if (q - r).abs() <= SNAP * q.abs().max(1.0) { r } else { q }
}

fn step_decimals(step: f64) -> usize {
    if step >= 1.0 {
        return 0;
    }
    let mut d = 0;
    let mut s = step;
    while d < 12 && (s - s.round()).abs() > 1e-9 {
        s *= 10.0;
        d += 1;
    }
    d
}

/// Remove binary noise such as 75.30000000000001 after multiplying by a step.
fn tidy(x: f64, step: f64) -> f64 {
    let d = step_decimals(step) as i32;
    let p = 10f64.powi(d);
    (x * p).round() / p
}

impl Default for Rounding {
    fn default() -> Self {
        Rounding::Nearest(1.0)
    }
}

impl fmt::Display for Rounding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn step(s: f64) -> String {
            if s == s.trunc() { format!("{}", s as i64) } else { format!("{s}") }
        }
        match self {
            Rounding::None => write!(f, "none"),
            Rounding::Nearest(s) if *s == 1.0 => write!(f, "nearest"),
            Rounding::Nearest(s) => write!(f, "nearest:{}", step(*s)),
            Rounding::Truncate(s) if *s == 1.0 => write!(f, "truncate"),
            Rounding::Truncate(s) => write!(f, "truncate:{}", step(*s)),
            Rounding::Up(s) if *s == 1.0 => write!(f, "up"),
            Rounding::Up(s) => write!(f, "up:{}", step(*s)),
            Rounding::Significant(n) => write!(f, "sig:{n}"),
        }
    }
}

impl FromStr for Rounding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Rounding::parse(s)
    }
}

impl Serialize for Rounding {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Rounding {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Rounding::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Rounding {
        Rounding::parse(s).unwrap()
    }

    #[test]
    fn nearest_rounds_half_away_from_zero() {
        assert_eq!(r("nearest").apply(2305.6), 2306.0);
        assert_eq!(r("nearest").apply(2.5), 3.0);
        assert_eq!(r("nearest").apply(-2.5), -3.0);
        assert_eq!(r("nearest:50").apply(5656.3), 5650.0);
        assert_eq!(r("nearest_50").apply(3010.0), 3000.0);
        assert_eq!(r("nearest:50").apply(8666.3), 8650.0);
        assert_eq!(r("nearest:10").apply(569.08), 570.0);
        assert_eq!(r("nearest:0.5").apply(4.615), 4.5);
        assert_eq!(r("nearest:0.1").apply(75.27), 75.3);
    }

    #[test]
    fn truncate_drops_the_fraction_but_not_through_float_noise() {
        assert_eq!(r("truncate").apply(5615.83), 5615.0);
        assert_eq!(r("truncate").apply(122_275.0 * 0.011), 1345.0);
        assert_eq!(r("truncate").apply(0.1 + 0.2 + 0.7), 1.0);
        assert_eq!(r("truncate:100").apply(2160.0), 2100.0);
        assert_eq!(r("truncate").apply(-1.5), -1.0);
    }

    #[test]
    fn up_rounds_away_from_zero() {
        assert_eq!(r("up").apply(26.1), 27.0);
        assert_eq!(r("up:0.5").apply(4.6), 5.0);
        assert_eq!(r("up").apply(27.0), 27.0);
    }

    #[test]
    fn significant_figures_match_the_seed_ratios() {
        assert_eq!(r("sig:2").apply(11.962), 12.0);
        assert_eq!(r("sig:2").apply(1.2894), 1.3);
        assert_eq!(r("sig:2").apply(3.728), 3.7);
        assert_eq!(r("sig:2").apply(6.392), 6.4);
        assert_eq!(r("sig:1").apply(214.8), 200.0);
        assert_eq!(r("sig:2").apply(0.0), 0.0);
        assert_eq!(Rounding::Significant(2).decimals(1.3), 1);
        assert_eq!(Rounding::Significant(2).decimals(12.0), 0);
    }

    #[test]
    fn none_keeps_the_value() {
        assert_eq!(r("none").apply(5656.332), 5656.332);
    }

    #[test]
    fn parse_rejects_nonsense_with_a_helpful_message() {
        assert!(Rounding::parse("nearest:0").unwrap_err().contains("positive"));
        assert!(Rounding::parse("nearest:abc").unwrap_err().contains("positive"));
        assert!(Rounding::parse("roundish").unwrap_err().contains("unknown rounding"));
        assert!(Rounding::parse("sig:0").is_err());
    }

    #[test]
    fn display_round_trips() {
        for s in ["none", "nearest", "nearest:50", "truncate", "truncate:100", "up:0.5", "sig:2", "nearest:0.1"] {
            assert_eq!(r(s).to_string(), s);
            assert_eq!(r(&r(s).to_string()), r(s));
        }
    }
}
