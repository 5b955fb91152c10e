//! Prevalence for every English local authority at single year of age.
//!
//!     cargo bench -p haven-needs --bench prevalence [-- POP.csv]
//!
//! Reads the ONS MYE2 mid-2020 wide file from shared/data (or the file given,
//! or HAVEN_BENCH_POP), keeps the 305 lower-tier local authorities (London
//! boroughs, metropolitan and non-metropolitan districts, unitary
//! authorities), and times parsing + prevalence with 19 five-year age bands ×
//! 2 sexes. Falls back to synthetic populations if the file is absent.
// A benchmark is the caller that measures time (crates/needs/clippy.toml
// bans the clock inside the pure crate itself).
#![allow(clippy::disallowed_methods)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use haven_needs::{AgeBand, AreaPopulation, Population, PopulationFilter, Rate, RateSex, Sex, prevalence, read_population};

const LA_TYPES: [&str; 4] = ["London Borough", "Metropolitan District", "Non-metropolitan District", "Unitary Authority"];

fn rates() -> Vec<Rate> {
    // Five-year bands covering 0-90+, rates for timing only (children 12%/18%,
    // CSEW YE March 2020 16-74 rates for adults, older-adult rates for 75+).
    let mut out = Vec::new();
    out.push(Rate::new(AgeBand::new(0, Some(10)), RateSex::All, 12.0));
    out.push(Rate::new(AgeBand::new(11, Some(15)), RateSex::All, 18.0));
    let mut lo = 16u8;
    while lo < 75 {
        let hi = if lo == 16 { 19 } else { lo + 4 };
        out.push(Rate::new(AgeBand::new(lo, Some(hi)), RateSex::Female, 7.3));
        out.push(Rate::new(AgeBand::new(lo, Some(hi)), RateSex::Male, 3.6));
        lo = hi + 1;
    }
    for (l, h) in [(75u8, Some(79u8)), (80, Some(84)), (85, Some(89)), (90, None)] {
        out.push(Rate::new(AgeBand::new(l, h), RateSex::Female, 3.8));
        out.push(Rate::new(AgeBand::new(l, h), RateSex::Male, 1.1));
    }
    out
}

fn synthetic(n: usize) -> Population {
    let mut areas = Vec::with_capacity(n);
    for i in 0..n {
        let mut a = AreaPopulation::new(&format!("E{:08}", i), &format!("Area {i}"));
        for age in 0..=90u8 {
            let base = 1_000 + ((i * 37 + usize::from(age) * 11) % 900) as u64;
            a.set_single(Sex::Female, age, base);
            a.set_single(Sex::Male, age, base - 20);
        }
        areas.push(a);
    }
    Population { areas }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn main() {
    let arg = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let path = arg
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HAVEN_BENCH_POP").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/ons_mye2_england_2020_sya_wide.csv"));
    let rates = rates();
    let runs = 20;
    match std::fs::read(&path) {
        Ok(bytes) => {
            // Area codes of lower-tier local authorities, from the geography column.
            let mut rdr = csv::Reader::from_reader(bytes.as_slice());
            let mut codes: Vec<String> = Vec::new();
            for rec in rdr.records().flatten() {
                let code = rec.get(0).filter(|_| rec.get(2).is_some_and(|g| LA_TYPES.contains(&g)));
                match code {
                    Some(c) if !codes.iter().any(|x| x == c) => codes.push(c.to_string()),
                    _ => {}
                }
            }
            let filter = PopulationFilter { areas: codes, year: None };
            let name = path.display().to_string();
            let mut parse = Vec::new();
            let mut model = Vec::new();
            let mut total = Vec::new();
            let mut last = None;
            for _ in 0..runs {
                let t0 = Instant::now();
                let pop = read_population(&name, bytes.as_slice(), &filter).expect("population");
                let t1 = Instant::now();
                let p = prevalence(&pop, &rates).expect("prevalence");
                let t2 = Instant::now();
                parse.push(t1 - t0);
                model.push(t2 - t1);
                total.push(t2 - t0);
                last = Some((pop.areas.len(), p));
            }
            if let Some((areas, p)) = last {
                println!("input: {name}");
                println!("local authorities: {areas}; rate bands: {}; groups: {}", rates.len(), p.groups.len());
                println!("victims: women {:.1}, men {:.1}, children {:.1}", p.totals.female, p.totals.male, p.totals.all.unwrap_or(0.0));
            }
            println!("median of {runs} runs: parse {:?}, prevalence {:?}, total {:?}", median(parse), median(model), median(total.clone()));
            println!("slowest run total: {:?}", total.iter().max().copied().unwrap_or_default());
        }
        Err(e) => {
            println!("{}: {e}; using 305 synthetic areas", path.display());
            let pop = synthetic(305);
            let mut times = Vec::new();
            for _ in 0..runs {
                let t0 = Instant::now();
                let p = prevalence(&pop, &rates).expect("prevalence");
                times.push(t0.elapsed());
                std::hint::black_box(p);
            }
            println!("median of {runs} runs: prevalence {:?}", median(times));
        }
    }
}
