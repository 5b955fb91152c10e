//! Validated numbers for configuration files. Each checks its range while the
//! TOML is parsed, so the parser's error points at the offending value.
use serde::{Deserialize, Deserializer, Serialize};

macro_rules! checked {
    ($(#[$doc:meta])* $name:ident, $ok:expr, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
        #[serde(transparent)]
        pub struct $name(f64);

        impl $name {
            /// Check and wrap a value.
            pub fn new(x: f64) -> Result<Self, String> {
                let ok: fn(f64) -> bool = $ok;
                if x.is_finite() && ok(x) {
                    Ok($name(x))
                } else {
                    Err(format!("expected {}, found {}", $what, x))
                }
            }

            pub fn get(self) -> f64 {
                self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let x = f64::deserialize(d)?;
                $name::new(x).map_err(serde::de::Error::custom)
            }
        }
    };
}

checked!(
    /// A percentage from 0 to 100 (`41` means 41%).
    Percent,
    |x| (0.0..=100.0).contains(&x),
    "a percentage from 0 to 100 (41 means 41%)"
);
checked!(
    /// A number that is 0 or more (counts, money).
    NonNeg,
    |x| x >= 0.0,
    "a number that is 0 or more"
);
checked!(
    /// A number greater than 0 (caseloads, divisors).
    Positive,
    |x| x > 0.0,
    "a number greater than 0"
);

impl Percent {
    /// As a fraction: 41% → 0.41.
    pub fn frac(self) -> f64 {
        self.0 / 100.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct C {
        p: Percent,
        n: NonNeg,
        q: Positive,
    }

    #[test]
    fn ranges_are_checked_at_parse_time() {
        let c: C = toml::from_str("p = 41\nn = 0\nq = 0.5").unwrap();
        assert_eq!(c.p.frac(), 0.41);
        let e = toml::from_str::<C>("p = 141\nn = 0\nq = 1").unwrap_err();
        assert!(e.message().contains("percentage"), "{e}");
        assert_eq!(e.span(), Some(4..7));
        assert!(toml::from_str::<C>("p = 1\nn = -1\nq = 1").is_err());
        assert!(toml::from_str::<C>("p = 1\nn = 1\nq = 0").is_err());
    }
}
