//! Property tests: totals are the sum of their parts, allocations sum to the
//! budget exactly, and doubling the population doubles prevalence.
use haven_needs::*;
use proptest::prelude::*;

fn population(counts: &[(u32, u32)]) -> Population {
    let mut a = AreaPopulation::new("E1", "Test");
    for (age, (f, m)) in counts.iter().enumerate().take(91) {
        a.set_single(Sex::Female, age as u8, u64::from(*f));
        a.set_single(Sex::Male, age as u8, u64::from(*m));
    }
    Population { areas: vec![a] }
}

fn rates(cuts: &[u8], percents: &[(f64, f64)]) -> Vec<Rate> {
    // Contiguous bands from the sorted cut points, plus an open top band.
    let mut cuts: Vec<u8> = cuts.to_vec();
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::new();
    let mut lo = 0u8;
    for (i, c) in cuts.iter().enumerate() {
        if *c <= lo {
            continue;
        }
        let (f, m) = percents[i % percents.len()];
        out.push(Rate::new(AgeBand::new(lo, Some(c - 1)), RateSex::Female, f));
        out.push(Rate::new(AgeBand::new(lo, Some(c - 1)), RateSex::Male, m));
        lo = *c;
    }
    let (f, m) = percents[0];
    out.push(Rate::new(AgeBand::new(lo, None), RateSex::Female, f));
    out.push(Rate::new(AgeBand::new(lo, None), RateSex::Male, m));
    out
}

proptest! {
    #[test]
    fn totals_equal_the_sum_of_groups(
        counts in prop::collection::vec((0u32..50_000, 0u32..50_000), 91),
        cuts in prop::collection::vec(1u8..90, 0..12),
        percents in prop::collection::vec((0.0f64..100.0, 0.0f64..100.0), 1..6),
    ) {
        let p = prevalence(&population(&counts), &rates(&cuts, &percents)).unwrap();
        let f: f64 = p.groups.iter().filter(|g| g.sex == RateSex::Female).map(|g| g.victims).sum();
        let m: f64 = p.groups.iter().filter(|g| g.sex == RateSex::Male).map(|g| g.victims).sum();
        prop_assert_eq!(p.totals.female, f);
        prop_assert_eq!(p.totals.male, m);
        // Bands cover every age once, so populations add up to the whole.
        let pop: u64 = p.groups.iter().map(|g| g.population).sum();
        let all: u64 = counts.iter().map(|(f, m)| u64::from(*f) + u64::from(*m)).sum();
        prop_assert_eq!(pop, all);
    }

    #[test]
    fn doubling_the_population_doubles_prevalence(
        counts in prop::collection::vec((0u32..50_000, 0u32..50_000), 91),
        cuts in prop::collection::vec(1u8..90, 0..12),
        percents in prop::collection::vec((0.0f64..100.0, 0.0f64..100.0), 1..6),
    ) {
        let pop = population(&counts);
        let r = rates(&cuts, &percents);
        let once = prevalence(&pop, &r).unwrap();
        let twice = prevalence(&pop.scaled(2), &r).unwrap();
        for (a, b) in once.groups.iter().zip(&twice.groups) {
            prop_assert_eq!(b.population, 2 * a.population);
            prop_assert!((b.victims - 2.0 * a.victims).abs() <= 1e-9 * b.victims.max(1.0));
        }
        prop_assert!((twice.totals.female - 2.0 * once.totals.female).abs() <= 1e-9 * twice.totals.female.max(1.0));
        prop_assert!((twice.totals.male - 2.0 * once.totals.male).abs() <= 1e-9 * twice.totals.male.max(1.0));
    }

    #[test]
    fn largest_remainder_sums_to_the_budget_exactly(
        total in 0u64..10_000_000_000,
        weights in prop::collection::vec(0.0f64..1e6, 1..30),
    ) {
        prop_assume!(weights.iter().any(|w| *w > 0.0));
        let parts = largest_remainder(total, &weights).unwrap();
        prop_assert_eq!(parts.iter().sum::<u64>(), total);
        // Each part is within one unit of its exact quota.
        let sum: f64 = weights.iter().sum();
        for (p, w) in parts.iter().zip(&weights) {
            let quota = total as f64 * w / sum;
            prop_assert!((*p as f64 - quota).abs() < 1.0 + 1e-6 * quota.max(1.0), "part {} quota {}", p, quota);
            if *w == 0.0 { prop_assert_eq!(*p, 0); }
        }
    }

    #[test]
    fn weighted_allocation_sums_to_the_budget(
        budget in 0u64..100_000_000,
        pops in prop::collection::vec((1.0f64..1e6, 0.0f64..1e5), 1..12),
        w_pop in 0.0f64..5.0,
        w_inc in 0.01f64..5.0,
    ) {
        let parts: Vec<String> = pops.iter().enumerate().map(|(i, (p, n))| format!("[[parts]]\nname='P{i}'\nindicators={{population={p}, incidents={n}}}\n")).collect();
        let incidents_total: f64 = pops.iter().map(|(_, n)| n).sum();
        prop_assume!(incidents_total > 0.0);
        let t = format!("budget = {budget}\nyears = 4\n[weights]\npopulation = {w_pop}\nincidents = {w_inc}\n{}", parts.join(""));
        let cfg = read_allocation("p.toml", t.as_bytes()).unwrap();
        let rep = allocate(&cfg).unwrap();
        let sum: f64 = rep.parts.iter().map(|p| p.allocated).sum();
        prop_assert_eq!(sum, budget as f64);
        prop_assert_eq!(rep.total_over_years, 4.0 * budget as f64);
    }
}
