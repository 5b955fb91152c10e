//! A published figure: the unrounded value, the rounding rule and the rounded
//! value, the formula with the numbers filled in, and where it comes from.
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::error::{Location, NeedsError, Result};
use crate::format::{self, Unit};
use crate::input::span_location;
use crate::rounding::Rounding;

/// One figure in a model's output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// Stable identifier (`police.individuals`), used for rounding overrides.
    pub id: String,
    pub label: String,
    /// As computed, unrounded.
    pub value: f64,
    pub rounding: Rounding,
    pub rounded: f64,
    pub unit: Unit,
    /// The calculation with its inputs, ending in the unrounded result.
    pub formula: String,
    /// The method's source and where the inputs came from.
    pub source: String,
}

impl Figure {
    /// The rounded value written with its unit (`£50,500`, `75%`, `27`).
    pub fn display(&self) -> String {
        format::with_unit(self.rounded, self.rounding.decimals(self.rounded), self.unit)
    }

    /// The unrounded value written with its unit, up to 2 decimals.
    pub fn display_unrounded(&self) -> String {
        let d = if (self.value - self.value.round()).abs() < 1e-9 { 0 } else { 2 };
        format::with_unit(self.value, d, self.unit)
    }
}

/// A titled group of figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub figures: Vec<Figure>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Section {
    pub fn new(id: &str, title: &str) -> Self {
        Section { id: id.to_string(), title: title.to_string(), figures: Vec::new(), notes: Vec::new() }
    }

    pub fn get(&self, id: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.id == id)
    }
}

/// Builds figures, applying per-figure rounding overrides from a config and
/// remembering which overrides were used so that a mistyped id is reported.
#[derive(Debug, Default)]
pub struct FigureBuilder {
    overrides: BTreeMap<String, (Rounding, Option<Location>)>,
    used: BTreeSet<String>,
}

impl FigureBuilder {
    pub fn new() -> Self {
        FigureBuilder::default()
    }

    /// Overrides read from a TOML `[rounding]` table: id → (rule, key span).
    pub fn with_overrides(file: &str, text: &str, table: &BTreeMap<toml::Spanned<String>, Rounding>) -> Self {
        let overrides = table.iter().map(|(k, r)| (k.get_ref().clone(), (*r, Some(span_location(file, text, &k.span()))))).collect();
        FigureBuilder { overrides, used: BTreeSet::new() }
    }

    /// Set an override in code.
    pub fn set(&mut self, id: &str, rounding: Rounding) {
        self.overrides.insert(id.to_string(), (rounding, None));
    }

    /// The rule for `id`: the override if any, else `default`.
    pub fn rule(&mut self, id: &str, default: Rounding) -> Rounding {
        match self.overrides.get(id) {
            Some((r, _)) => {
                self.used.insert(id.to_string());
                *r
            }
            None => default,
        }
    }

    /// Make a figure. `expr` is the calculation without its result.
    // Each argument is a distinct part of a published figure; a builder
    // struct would only rename them.
    #[allow(clippy::too_many_arguments)]
    pub fn fig(&mut self, id: &str, label: &str, value: f64, unit: Unit, default: Rounding, expr: String, source: &str) -> Figure {
        let rounding = self.rule(id, default);
        let result = format::with_unit(value, if (value - value.round()).abs() < 1e-9 { 0 } else { 2 }, unit);
        let formula = if expr.is_empty() { result } else { format!("{expr} = {result}") };
        Figure {
            id: id.to_string(),
            label: label.to_string(),
            value,
            rounding,
            rounded: rounding.apply(value),
            unit,
            formula,
            source: source.to_string(),
        }
    }

    /// Fail if an override named a figure that was never made.
    pub fn check_unused(&self, file: &str, known: &[String]) -> Result<()> {
        for (id, (_, loc)) in &self.overrides {
            if !self.used.contains(id) {
                let mut hint: Vec<&str> = known.iter().map(String::as_str).collect();
                hint.sort_unstable();
                let known = if hint.is_empty() {
                    "this config produces no figures".to_string()
                } else {
                    format!("figure ids are: {}", hint.join(", "))
                };
                return Err(NeedsError::input(
                    loc.clone().unwrap_or_else(|| Location::file(file)),
                    format!("[rounding]: no figure called `{id}` in this model; {known}"),
                ));
            }
        }
        Ok(())
    }
}

/// Divide, reporting a zero divisor as a model error that names it.
pub fn ratio(num: f64, den: f64, what: &str) -> Result<f64> {
    if den == 0.0 {
        return Err(NeedsError::model(what, "divides by zero; the divisor must be more than 0"));
    }
    Ok(num / den)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figure_keeps_both_values_and_the_formula() {
        let mut b = FigureBuilder::new();
        b.set("x", Rounding::Nearest(100.0));
        let f = b.fig("x", "X", 8057.22, Unit::Count, Rounding::Nearest(1.0), "13,658 × (1 − 41%)".into(), "s");
        assert_eq!(f.rounded, 8100.0);
        assert_eq!(f.formula, "13,658 × (1 − 41%) = 8,057.22");
        assert_eq!(f.display(), "8,100");
        let g = b.fig("y", "Y", 0.7527 * 100.0, Unit::Percent, Rounding::Nearest(1.0), String::new(), "s");
        assert_eq!(g.display(), "75%");
        assert!(b.check_unused("c.toml", &[]).is_ok());
    }

    #[test]
    fn unknown_override_is_reported() {
        let mut b = FigureBuilder::new();
        b.set("typo", Rounding::None);
        let e = b.check_unused("c.toml", &["a".into()]).unwrap_err();
        assert!(e.to_string().contains("no figure called `typo`"), "{e}");
    }

    #[test]
    fn ratio_rejects_zero() {
        assert!(ratio(1.0, 0.0, "caseload").is_err());
        assert_eq!(ratio(1.0, 4.0, "x").unwrap(), 0.25);
    }
}
