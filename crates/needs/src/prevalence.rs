//! Prevalence: population in each age band × sex × the survey rate for it.
//!
//! victims(area, band, sex) = population(area, band, sex) × percent / 100,
//! unrounded; totals are summed from the unrounded groups (000 §2.2.1-2.2.2;
//! 002 "Key findings").
use serde::Serialize;

use crate::error::Result;
use crate::population::{AreaPopulation, Population};
use crate::rates::{Rate, RateSex};

/// One area × age band × sex.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub area_code: String,
    pub age_band: String,
    pub sex: RateSex,
    pub population: u64,
    pub percent: f64,
    pub victims: f64,
}

/// Victims summed from the groups. `all` holds the groups whose rate applies
/// to both sexes together (children), and appears only when there are some.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Totals {
    pub female: f64,
    pub male: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all: Option<f64>,
}

impl Totals {
    fn add(&mut self, sex: RateSex, v: f64) {
        match sex {
            RateSex::Female => self.female += v,
            RateSex::Male => self.male += v,
            RateSex::All => *self.all.get_or_insert(0.0) += v,
        }
    }
}

/// Totals for one area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaTotals {
    pub area_code: String,
    pub area_name: String,
    #[serde(flatten)]
    pub totals: Totals,
}

/// The result of [`prevalence`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prevalence {
    pub groups: Vec<Group>,
    pub totals: Totals,
    pub areas: Vec<AreaTotals>,
}

/// Population of `sex` (female, male or both) in the band.
pub fn band_population(area: &AreaPopulation, rate: &Rate) -> Result<u64> {
    let mut n = 0;
    for &s in rate.sex.sexes() {
        n += area.count(s, rate.band)?;
    }
    Ok(n)
}

/// Apply every rate to every area.
pub fn prevalence(population: &Population, rates: &[Rate]) -> Result<Prevalence> {
    let mut groups = Vec::with_capacity(population.areas.len() * rates.len());
    let mut totals = Totals::default();
    let mut areas = Vec::with_capacity(population.areas.len());
    for area in &population.areas {
        let mut at = Totals::default();
        for rate in rates {
            let pop = band_population(area, rate)?;
            let victims = pop as f64 * rate.percent / 100.0;
            at.add(rate.sex, victims);
            totals.add(rate.sex, victims);
            groups.push(Group {
                area_code: area.code.clone(),
                age_band: rate.band.to_string(),
                sex: rate.sex,
                population: pop,
                percent: rate.percent,
                victims,
            });
        }
        areas.push(AreaTotals { area_code: area.code.clone(), area_name: area.name.clone(), totals: at });
    }
    Ok(Prevalence { groups, totals, areas })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::population::{AgeBand, Sex};

    fn area() -> Population {
        let mut a = AreaPopulation::new("E1", "Here");
        for age in 0..=90u8 {
            a.set_single(Sex::Female, age, 100);
            a.set_single(Sex::Male, age, 50);
        }
        Population { areas: vec![a] }
    }

    #[test]
    fn applies_rates_by_band_and_sex() {
        let rates = vec![
            Rate::new(AgeBand::new(16, Some(19)), RateSex::Female, 10.0),
            Rate::new(AgeBand::new(16, Some(19)), RateSex::Male, 4.0),
            Rate::new(AgeBand::new(66, None), RateSex::Female, 1.0),
            Rate::new(AgeBand::new(0, Some(10)), RateSex::All, 12.0),
        ];
        let p = prevalence(&area(), &rates).unwrap();
        assert_eq!(p.groups[0].population, 400);
        assert_eq!(p.groups[0].victims, 40.0);
        assert_eq!(p.groups[1].victims, 8.0);
        assert_eq!(p.groups[2].population, 2500);
        assert_eq!(p.groups[2].victims, 25.0);
        assert_eq!(p.groups[3].population, 1650);
        assert!((p.groups[3].victims - 198.0).abs() < 1e-9);
        assert_eq!(p.totals.female, 65.0);
        assert_eq!(p.totals.male, 8.0);
        assert!((p.totals.all.unwrap() - 198.0).abs() < 1e-9);
    }

    #[test]
    fn json_shape_matches_the_contract() {
        let rates = vec![Rate::new(AgeBand::new(16, Some(19)), RateSex::Female, 10.0)];
        let p = prevalence(&area(), &rates).unwrap();
        let v = serde_json::to_value(&p).unwrap();
        let g = &v["groups"][0];
        let mut keys: Vec<_> = g.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(keys, ["age_band", "area_code", "percent", "population", "sex", "victims"]);
        assert_eq!(g["sex"], "female");
        assert_eq!(g["age_band"], "16-19");
        assert!(v["totals"]["female"].is_f64());
        assert!(v["totals"]["male"].is_f64());
        assert!(v["totals"].get("all").is_none());
    }
}
