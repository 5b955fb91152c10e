//! Every figure in DESIGN.md "Numbers the engine must reproduce", computed
//! from input files that hold only the seeds' inputs (docs/examples/needs),
//! rounded as the seeds round them.
use haven_needs::capacity::{CapacityConfig, capacity_with};
use haven_needs::figure::FigureBuilder;
use haven_needs::*;

use crate::open;

fn hampshire() -> Population {
    read_population("hampshire_2016_population.csv", open("hampshire_2016_population.csv"), &PopulationFilter::default()).unwrap()
}

fn group<'a>(p: &'a Prevalence, band: &str, sex: RateSex) -> &'a Group {
    p.groups.iter().find(|g| g.age_band == band && g.sex == sex).unwrap()
}

fn r(s: &str) -> Rounding {
    Rounding::parse(s).unwrap()
}

// ------------------------------------------------------------ Hampshire 000 --

#[test]
fn hampshire_adult_populations_match_the_seed() {
    let p = hampshire();
    let a = &p.areas[0];
    let adults = AgeBand::parse("16+").unwrap();
    assert_eq!(a.count(Sex::Female, adults).unwrap(), 572_048);
    assert_eq!(a.count(Sex::Male, adults).unwrap(), 537_612);
    let band = AgeBand::parse("16-59").unwrap();
    assert_eq!(a.count(Sex::Female, band).unwrap(), 376_230);
    assert_eq!(a.count(Sex::Male, band).unwrap(), 369_452);
}

#[test]
fn hampshire_older_adults_and_children() {
    let rates = read_rates("hampshire_2016_rates.csv", open("hampshire_2016_rates.csv")).unwrap();
    let p = prevalence(&hampshire(), &rates).unwrap();
    // 60-65 at 4.8% / 1.6%: 2,305.6 → 2,306 and 734.2 → 734 (nearest).
    let f6065 = group(&p, "60-65", RateSex::Female);
    let m6065 = group(&p, "60-65", RateSex::Male);
    assert_eq!(f6065.population, 48_033);
    assert_eq!(m6065.population, 45_885);
    assert_eq!(r("nearest").apply(f6065.victims), 2_306.0);
    assert_eq!(r("nearest").apply(m6065.victims), 734.0);
    // 66+ at 3.8% / 1.1%: the seed truncates 5,615.8 to 5,615; 1,345.0 → 1,345.
    let f66 = group(&p, "66+", RateSex::Female);
    let m66 = group(&p, "66+", RateSex::Male);
    assert_eq!(f66.population, 147_785);
    assert_eq!(m66.population, 122_275);
    assert_eq!(r("truncate").apply(f66.victims), 5_615.0);
    assert_eq!(r("nearest").apply(f66.victims), 5_616.0, "rounding to nearest gives one more than the seed");
    assert_eq!(r("truncate").apply(m66.victims), 1_345.0);
    assert_eq!(r("nearest").apply(m66.victims), 1_345.0);
    // Children: 12% of under-11s, 18% of 11-17s (girls and boys together).
    let u11 = group(&p, "0-10", RateSex::All);
    let c1117 = group(&p, "11-17", RateSex::All);
    assert_eq!(u11.population, 175_285);
    assert_eq!(c1117.population, 107_506);
    assert_eq!(r("nearest").apply(u11.victims), 21_034.0);
    assert_eq!(r("nearest").apply(c1117.victims), 19_351.0);
    assert_eq!(r("nearest").apply(p.totals.all.unwrap()), 40_385.0);
}

/// The seed's 16-59 figures (30,083 women, 15,607 men) come from CSEW YE March
/// 2016 rates by age band that are not in shared/data. The method is tested
/// with band rates as an input; the seed's figures enter the totals as given.
#[test]
fn hampshire_16_59_method_and_seed_totals() {
    let pop = hampshire();
    let a = &pop.areas[0];
    // Method: banded rates applied band by band equal Σ population(band) × rate(band).
    let bands = ["16-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54", "55-59"];
    let test_rates: Vec<Rate> = bands
        .iter()
        .enumerate()
        .flat_map(|(i, b)| {
            let band = AgeBand::parse(b).unwrap();
            // Placeholder rates for the test only (NOT the CSEW table).
            [Rate::new(band, RateSex::Female, 5.0 + i as f64), Rate::new(band, RateSex::Male, 2.0 + i as f64 / 2.0)]
        })
        .collect();
    let p = prevalence(&pop, &test_rates).unwrap();
    let mut by_hand = 0.0;
    for (i, b) in bands.iter().enumerate() {
        by_hand += a.count(Sex::Female, AgeBand::parse(b).unwrap()).unwrap() as f64 * (5.0 + i as f64) / 100.0;
    }
    assert!((p.totals.female - by_hand).abs() < 1e-6);
    let pop_f: u64 = p.groups.iter().filter(|g| g.sex == RateSex::Female).map(|g| g.population).sum();
    assert_eq!(pop_f, 376_230);

    // The seed's own age-banded results, given as inputs, plus the computed older-adult figures.
    let older = read_rates("hampshire_2016_rates.csv", open("hampshire_2016_rates.csv")).unwrap();
    let q = prevalence(&pop, &older).unwrap();
    let women = 30_083.0
        + r("nearest").apply(group(&q, "60-65", RateSex::Female).victims)
        + r("truncate").apply(group(&q, "66+", RateSex::Female).victims);
    let men = 15_607.0
        + r("nearest").apply(group(&q, "60-65", RateSex::Male).victims)
        + r("nearest").apply(group(&q, "66+", RateSex::Male).victims);
    assert_eq!(women, 38_004.0);
    assert_eq!(men, 17_686.0);
    // The implied average 16-59 rates (8.00% women, 4.22% men) differ from the headline 7.7% / 4.4%.
    assert_eq!(r("nearest:0.01").apply(30_083.0 / 376_230.0 * 100.0), 8.0);
    assert_eq!(r("nearest:0.01").apply(15_607.0 / 369_452.0 * 100.0), 4.22);

    // The headline rates as one 16-59 band give the SOURCES.md figures instead.
    let headline = read_rates("hampshire_2016_rates_headline.csv", open("hampshire_2016_rates_headline.csv")).unwrap();
    let h = prevalence(&pop, &headline).unwrap();
    assert!((group(&h, "16-59", RateSex::Female).victims - 28_969.71).abs() < 1e-6);
    assert!((group(&h, "16-59", RateSex::Male).victims - 16_255.888).abs() < 1e-6);
}

fn hampshire_groups() -> GroupsReport {
    let (text, cfg) = read_groups("hampshire_000_groups.toml", open("hampshire_000_groups.toml")).unwrap();
    groups("hampshire_000_groups.toml", &text, &cfg).unwrap()
}

#[test]
fn hampshire_ethnicity_and_lgb() {
    let g = hampshire_groups();
    let v = |id: &str| g.figure(&format!("breakdown.{id}")).unwrap().rounded;
    assert_eq!(v("white_women"), 42_028.0);
    assert_eq!(v("white_men"), 23_499.0);
    assert_eq!(v("asian_women"), 1_000.0);
    assert_eq!(v("asian_men"), 368.0);
    assert_eq!(v("black_women"), 481.0);
    assert_eq!(v("black_men"), 323.0);
    assert_eq!(v("other_women"), 583.0);
    assert_eq!(v("other_men"), 73.0);
    assert_eq!(v("lgb_women"), 705.0);
    assert_eq!(v("lgb_men"), 544.0);
    assert!(g.figure("breakdown.white_women").unwrap().formula.starts_with("572,048 × 93% × 7.9% = 42,028."));
}

#[test]
fn hampshire_access_ratios() {
    let g = hampshire_groups();
    let a = |id: &str| g.figure(&format!("access.{id}")).unwrap().rounded;
    assert_eq!(a("women"), 12.0);
    assert_eq!(a("men"), 1.3);
    assert_eq!(a("asian"), 3.7);
    assert_eq!(a("black"), 6.4);
    assert_eq!(a("disability"), 3.7);
    let asian = g.access.iter().find(|x| x.id == "asian").unwrap();
    assert_eq!(asian.expected, 1_368.0);
}

// -------------------------------------------------------- Hertfordshire 004 --

fn herts() -> CapacityReport {
    capacity(&read_capacity("hertfordshire_004_capacity.toml", open("hertfordshire_004_capacity.toml")).unwrap()).unwrap()
}

fn fig(rep: &CapacityReport, id: &str) -> f64 {
    rep.figure(id).unwrap_or_else(|| panic!("no figure {id}")).rounded
}

#[test]
fn hertfordshire_police_and_marac() {
    let h = herts();
    assert_eq!(fig(&h, "police.individuals"), 8_000.0);
    assert_eq!(fig(&h, "police.high_share"), 3.0);
    assert_eq!(fig(&h, "police.medium_share"), 25.0);
    assert_eq!(fig(&h, "police.high_individuals"), 200.0);
    assert_eq!(fig(&h, "police.medium_individuals"), 2_000.0);
    assert_eq!(fig(&h, "police.high_medium_individuals"), 2_200.0);
    assert_eq!(fig(&h, "marac.individuals"), 570.0);
    assert_eq!(fig(&h, "marac.children"), 770.0);
    assert_eq!(fig(&h, "marac.perpetrators"), 570.0);
    // SafeLives benchmark: 40 per 10,000 adult women.
    assert_eq!(fig(&h, "marac.expected"), 1_839.0);
}

#[test]
fn hertfordshire_visible_victims_idvas_children() {
    let h = herts();
    assert_eq!(fig(&h, "victims.high_medium"), 4_600.0);
    assert_eq!(fig(&h, "victims.high"), 1_800.0);
    assert_eq!(fig(&h, "victims.medium"), 2_800.0);
    assert_eq!(fig(&h, "idva.high"), 15.0);
    assert_eq!(fig(&h, "idva.medium"), 12.0);
    assert_eq!(fig(&h, "idva.total"), 27.0);
    assert_eq!(fig(&h, "children.high"), 2_000.0);
    assert_eq!(fig(&h, "children.medium"), 3_000.0);
    assert_eq!(fig(&h, "children.high_medium"), 5_000.0);
    assert_eq!(fig(&h, "children.visible_high"), 1_000.0);
    assert_eq!(fig(&h, "children.visible_medium"), 1_100.0);
    assert_eq!(fig(&h, "children.visible"), 2_100.0);
    assert_eq!(h.figure("children.visible").unwrap().value, 2_160.0);
    assert_eq!(fig(&h, "perpetrators.visible"), 2_000.0);
}

#[test]
fn hertfordshire_refuge() {
    let h = herts();
    assert_eq!(fig(&h, "refuge.target"), 112.0);
    assert_eq!(fig(&h, "refuge.share_of_target"), 75.0);
    assert_eq!(fig(&h, "refuge.cost_per_victim"), 2_981.0);
    assert_eq!(fig(&h, "refuge.support_per_unit_week"), 164.0);
    assert_eq!(fig(&h, "refuge.rent_per_unit_week"), 176.0);
    assert_eq!(fig(&h, "refuge.caseload"), 13.0);
}

#[test]
fn hertfordshire_spend_and_services() {
    let h = herts();
    assert_eq!(fig(&h, "spend.per_incident"), 120.0);
    assert_eq!(fig(&h, "spend.idva.per_incident"), 29.0);
    assert_eq!(fig(&h, "spend.per_visible_victim"), 820.0);
    assert_eq!(fig(&h, "services.idva.cost_per_victim"), 390.0);
    assert_eq!(fig(&h, "services.idva.caseload"), 120.0);
    assert_eq!(fig(&h, "funding.streams"), 36.0);
    assert_eq!(fig(&h, "funding.total"), 1_643_000.0);
    let f = h.funding.as_ref().unwrap();
    assert_eq!(f.by_source.first().map(|s| s.amount), Some(813_000.0));
}

#[test]
fn hertfordshire_staff_cost_model() {
    let h = herts();
    assert_eq!(fig(&h, "staff.idva.cost_per_fte"), 31_200.0);
    assert_eq!(fig(&h, "staff.idva.cost"), 842_400.0);
    assert_eq!(fig(&h, "staff.staff_total"), 1_019_400.0);
    assert_eq!(fig(&h, "staff.overheads"), 315_000.0);
    assert_eq!(fig(&h, "staff.total"), 1_364_400.0);
    assert_eq!(fig(&h, "staff.cost_per_idva"), 50_500.0);
    assert_eq!(fig(&h, "staff.cost_per_victim"), 680.0);
}

#[test]
fn hertfordshire_recovery_and_scenarios() {
    let h = herts();
    assert_eq!(fig(&h, "recovery.participants"), 300.0);
    assert_eq!(fig(&h, "recovery.courses"), 20.0);
    assert_eq!(fig(&h, "recovery.cost"), 50_000.0);
    assert_eq!(fig(&h, "scenario.current.total"), 1_640_000.0);
    assert_eq!(fig(&h, "scenario.proposed.total"), 2_440_000.0);
    let s = h.scenarios.as_ref().unwrap();
    assert_eq!(s.totals, vec![1_642_000.0, 2_440_000.0]);
    assert_eq!(s.difference[1], 798_000.0);
}

#[test]
fn hertfordshire_without_overrides_keeps_unrounded_values() {
    // The same inputs with the default rounding (nearest whole unit).
    let loaded = read_capacity("hertfordshire_004_capacity.toml", open("hertfordshire_004_capacity.toml")).unwrap();
    let cfg: CapacityConfig = loaded.config.clone();
    let rep = capacity_with(&cfg, &mut FigureBuilder::new()).unwrap();
    assert_eq!(rep.figure("police.individuals").unwrap().rounded, 8_058.0);
    assert_eq!(rep.figure("marac.individuals").unwrap().rounded, 569.0);
    assert_eq!(rep.figure("staff.cost_per_idva").unwrap().rounded, 50_533.0);
}

// ------------------------------------------------------------ Portsmouth 002 --

#[test]
fn portsmouth_prevalence_rounds_to_50() {
    let pop =
        read_population("portsmouth_2020_population.csv", open("portsmouth_2020_population.csv"), &PopulationFilter::default()).unwrap();
    let rates = read_rates("portsmouth_2020_rates.csv", open("portsmouth_2020_rates.csv")).unwrap();
    let p = prevalence(&pop, &rates).unwrap();
    let n50 = r("nearest:50");
    assert_eq!(p.groups[0].population, 77_484);
    assert_eq!(p.groups[1].population, 83_611);
    assert_eq!(n50.apply(p.totals.female), 5_650.0);
    assert_eq!(n50.apply(p.totals.male), 3_000.0);
    assert_eq!(n50.apply(p.totals.female + p.totals.male), 8_650.0);
    assert_eq!(n50.apply(p.totals.female) + n50.apply(p.totals.male), 8_650.0);
}

#[test]
fn portsmouth_attrition_and_rates_per_1000() {
    let rep = capacity(&read_capacity("portsmouth_002_police.toml", open("portsmouth_002_police.toml")).unwrap()).unwrap();
    assert_eq!(fig(&rep, "police.attrition"), 5.0);
    assert!((rep.figure("police.attrition").unwrap().value - 5.237).abs() < 0.001);
    assert_eq!(fig(&rep, "police.successful_outcomes"), 211.0);
    // 2019/20: 5,905 incidents (6,113 less the 208 increase) per 1,000 → 27.5, as 002 says.
    let t = "[area]\nname='Portsmouth'\npopulation=214692\n[police]\nincidents=5905\ncrimes=3922\n";
    let rep = capacity(&read_capacity("inline.toml", t.as_bytes()).unwrap()).unwrap();
    assert_eq!(fig(&rep, "police.incidents_per_1000"), 27.5);
}

// -------------------------------------------------------------- Hampshire 001 --

#[test]
fn hampshire_budget_over_four_years_and_cluster_allocation() {
    let cfg = read_allocation("hampshire_001_allocation.toml", open("hampshire_001_allocation.toml")).unwrap();
    let rep = allocate(&cfg).unwrap();
    assert_eq!(rep.budget, 1_812_500.0);
    assert_eq!(rep.total_allocated, 1_812_500.0);
    assert_eq!(rep.total_over_years, 7_250_000.0);
    let sum: f64 = rep.parts.iter().map(|p| p.allocated).sum();
    assert_eq!(sum, 1_812_500.0);
    let over: f64 = rep.parts.iter().map(|p| p.over_years).sum();
    assert_eq!(over, 7_250_000.0);
}
