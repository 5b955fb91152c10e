//! Allocating a budget to clusters (or lots) in proportion to need, so that
//! the parts add up to the budget exactly (001 §8.4 and §9.5: "commissioned
//! resources within the clusters are allocated according to identified need,
//! based on population and recorded incidents of domestic abuse").
//!
//! need index(i) = Σₖ wₖ × valueₖ(i) / Σⱼ valueₖ(j), divided by Σₖ wₖ;
//! exact share(i) = budget × index(i); the whole units of the budget are then
//! shared by the largest-remainder (Hamilton) method.
use std::collections::BTreeMap;
use std::io::Read;

use serde::{Deserialize, Serialize};

use crate::error::{NeedsError, Result};
use crate::format::{money, num};
use crate::input::{parse_toml, read_text};
use crate::values::{NonNeg, Positive};

/// Split `total` whole units in proportion to `weights` by largest remainder:
/// each part gets the whole part of its quota, and the units left over go one
/// each to the parts with the largest fractions (ties to the larger weight,
/// then the earlier part). The result always sums to `total`.
pub fn largest_remainder(total: u64, weights: &[f64]) -> Result<Vec<u64>> {
    if weights.iter().any(|w| !w.is_finite() || *w < 0.0) {
        return Err(NeedsError::model("allocation", "need weights must be finite and 0 or more"));
    }
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() || sum <= 0.0 {
        return Err(NeedsError::model("allocation", "there must be at least one part with need above 0"));
    }
    let t = total as f64;
    let quotas: Vec<f64> = weights.iter().map(|w| t * w / sum).collect();
    let mut out: Vec<u64> = quotas.iter().map(|q| q.floor().max(0.0) as u64).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    let frac = |i: usize| quotas.get(i).map_or(0.0, |q| q - q.floor());
    let w = |i: usize| weights.get(i).copied().unwrap_or(0.0);
    order.sort_by(|&a, &b| frac(b).total_cmp(&frac(a)).then(w(b).total_cmp(&w(a))).then(a.cmp(&b)));
    let given: u64 = out.iter().sum();
    if given > total {
        // Only floating point noise can cause this; take back from the
        // smallest fractions first.
        let mut excess = given - total;
        for &i in order.iter().rev().cycle() {
            if excess == 0 {
                break;
            }
            if let Some(v) = out.get_mut(i).filter(|v| **v > 0) {
                *v -= 1;
                excess -= 1;
            }
        }
    } else {
        let mut left = total - given;
        // Hand out at most one extra unit per part per round, biggest
        // fractions first; zero-weight parts never receive any.
        let eligible: Vec<usize> = order.iter().copied().filter(|&i| w(i) > 0.0).collect();
        while left > 0 {
            for &i in &eligible {
                if left == 0 {
                    break;
                }
                if let Some(v) = out.get_mut(i) {
                    *v += 1;
                    left -= 1;
                }
            }
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartConfig {
    pub name: String,
    /// Indicator name → value, e.g. `{ population = 350000, incidents = 4200 }`.
    pub indicators: BTreeMap<String, NonNeg>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllocationConfig {
    pub name: Option<String>,
    /// Budget a year, in pounds.
    pub budget: NonNeg,
    /// Contract length; 1 if not given.
    pub years: Option<u32>,
    /// Smallest amount allocated, in pounds (1 = whole pounds, 0.01 = pence,
    /// 100 = hundreds). The budget must be a whole number of units.
    pub unit: Option<Positive>,
    /// Indicator name → weight (weights need not sum to 1).
    pub weights: BTreeMap<String, NonNeg>,
    pub parts: Vec<PartConfig>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartAllocation {
    pub name: String,
    /// Indicator → this part's share of the indicator's total, percent.
    pub shares: BTreeMap<String, f64>,
    /// Weighted need index, percent.
    pub index: f64,
    /// budget × index, before rounding.
    pub exact: f64,
    /// Allocated a year, whole units.
    pub allocated: f64,
    /// Allocated over the contract.
    pub over_years: f64,
    pub formula: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AllocationReport {
    pub name: String,
    pub budget: f64,
    pub years: u32,
    pub unit: f64,
    pub weights: BTreeMap<String, f64>,
    pub parts: Vec<PartAllocation>,
    pub total_allocated: f64,
    pub total_over_years: f64,
    pub method: String,
    pub source: String,
}

/// Read an allocation config (TOML).
pub fn read_allocation<R: Read>(file: &str, reader: R) -> Result<AllocationConfig> {
    let text = read_text(file, reader)?;
    parse_toml(file, &text)
}

/// Allocate the budget.
pub fn allocate(cfg: &AllocationConfig) -> Result<AllocationReport> {
    let ctx = "allocation";
    let unit = cfg.unit.map_or(1.0, Positive::get);
    let budget = cfg.budget.get();
    let units_f = budget / unit;
    if (units_f - units_f.round()).abs() > 1e-6 || units_f > 9.0e15 {
        return Err(NeedsError::model(ctx, format!("budget {} is not a whole number of units of {}", money(budget), money(unit))));
    }
    let units = units_f.round() as u64;
    let years = cfg.years.unwrap_or(1);
    if cfg.parts.is_empty() {
        return Err(NeedsError::model(ctx, "list at least one [[parts]]"));
    }
    let wsum: f64 = cfg.weights.values().map(|w| w.get()).sum();
    if wsum <= 0.0 {
        return Err(NeedsError::model("[weights]", "at least one weight must be more than 0"));
    }
    let mut totals: BTreeMap<&str, f64> = BTreeMap::new();
    for (k, w) in &cfg.weights {
        if w.get() == 0.0 {
            continue;
        }
        let mut t = 0.0;
        for p in &cfg.parts {
            let v = p
                .indicators
                .get(k)
                .ok_or_else(|| NeedsError::model(format!("part `{}`", p.name), format!("has no value for the weighted indicator `{k}`")))?;
            t += v.get();
        }
        if t <= 0.0 {
            return Err(NeedsError::model(format!("indicator `{k}`"), "adds up to 0 across the parts, so it cannot share anything"));
        }
        totals.insert(k.as_str(), t);
    }
    let mut index = Vec::with_capacity(cfg.parts.len());
    let mut shares_all = Vec::with_capacity(cfg.parts.len());
    let mut formulas = Vec::with_capacity(cfg.parts.len());
    for p in &cfg.parts {
        let mut shares = BTreeMap::new();
        let mut idx = 0.0;
        let mut terms = Vec::new();
        for (k, w) in &cfg.weights {
            let Some(&t) = totals.get(k.as_str()) else { continue };
            let v = p.indicators.get(k).map_or(0.0, |v| v.get());
            let sh = v / t;
            shares.insert(k.clone(), sh * 100.0);
            idx += w.get() * sh;
            terms.push(format!("{} × {} ÷ {}", num(w.get()), num(v), num(t)));
        }
        idx /= wsum;
        index.push(idx);
        shares_all.push(shares);
        formulas.push(format!("({}) ÷ {}", terms.join(" + "), num(wsum)));
    }
    let alloc = largest_remainder(units, &index)?;
    let mut parts = Vec::with_capacity(cfg.parts.len());
    for (((p, idx), shares), (a, formula)) in cfg.parts.iter().zip(&index).zip(shares_all).zip(alloc.iter().zip(formulas)) {
        let allocated = (*a as f64) * unit;
        parts.push(PartAllocation {
            name: p.name.clone(),
            shares,
            index: idx * 100.0,
            exact: budget * idx,
            allocated,
            over_years: allocated * f64::from(years),
            formula: format!("index = {formula}; {} × index", money(budget)),
        });
    }
    let total_allocated = alloc.iter().sum::<u64>() as f64 * unit;
    Ok(AllocationReport {
        name: cfg.name.clone().unwrap_or_else(|| "Allocation".to_string()),
        budget,
        years,
        unit,
        weights: cfg.weights.iter().map(|(k, v)| (k.clone(), v.get())).collect(),
        parts,
        total_allocated,
        total_over_years: total_allocated * f64::from(years),
        method: "Weighted need index (sum of weight × share of each indicator, divided by the sum of the weights); whole units shared by largest remainder so the parts sum to the budget exactly".to_string(),
        source: format!(
            "Method: 001 §8.4, §9.3-9.5 (allocation to clusters in proportion to need: population and recorded incidents). Inputs: {}",
            cfg.source.as_deref().unwrap_or("the allocation config file")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_remainder_sums_exactly() {
        assert_eq!(largest_remainder(10, &[1.0, 1.0, 1.0]).unwrap(), vec![4, 3, 3]);
        assert_eq!(largest_remainder(100, &[0.5, 0.25, 0.25]).unwrap(), vec![50, 25, 25]);
        assert_eq!(largest_remainder(7, &[0.0, 1.0]).unwrap(), vec![0, 7]);
        assert_eq!(largest_remainder(0, &[1.0, 2.0]).unwrap(), vec![0, 0]);
        let v = largest_remainder(1_812_500, &[0.3617, 0.3011, 0.3372]).unwrap();
        assert_eq!(v.iter().sum::<u64>(), 1_812_500);
    }

    #[test]
    fn largest_remainder_rejects_no_need() {
        assert!(largest_remainder(10, &[]).is_err());
        assert!(largest_remainder(10, &[0.0, 0.0]).is_err());
        assert!(largest_remainder(10, &[f64::NAN]).is_err());
    }

    #[test]
    fn weighted_index_allocation() {
        let t = "budget = 1000\nyears = 4\n[weights]\npopulation = 1\nincidents = 1\n[[parts]]\nname='A'\nindicators={population=100, incidents=300}\n[[parts]]\nname='B'\nindicators={population=300, incidents=100}\n";
        let cfg = read_allocation("a.toml", t.as_bytes()).unwrap();
        let r = allocate(&cfg).unwrap();
        assert_eq!(r.parts[0].allocated, 500.0);
        assert_eq!(r.parts[1].allocated, 500.0);
        assert_eq!(r.total_over_years, 4000.0);
    }

    #[test]
    fn config_errors() {
        let t = "budget = 1000.5\n[weights]\np=1\n[[parts]]\nname='A'\nindicators={p=1}\n";
        assert!(allocate(&read_allocation("a.toml", t.as_bytes()).unwrap()).unwrap_err().to_string().contains("whole number"));
        let t = "budget = 1000\n[weights]\np=1\n[[parts]]\nname='A'\nindicators={q=1}\n";
        assert!(allocate(&read_allocation("a.toml", t.as_bytes()).unwrap()).unwrap_err().to_string().contains("part `A`"));
        let e = read_allocation("a.toml", "budget = -1\n".as_bytes()).unwrap_err();
        assert!(e.to_string().starts_with("a.toml:1:10:"), "{e}");
    }
}
