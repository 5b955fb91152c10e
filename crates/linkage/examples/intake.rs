//! Intake suggestions at scale: index N generated people, then ask for the
//! likely matches of each of 1,000 other generated records, and report the
//! time per question and how often the true person came first.
//!
//! `cargo run --release -p haven-linkage --example intake -- 1000000`
#![allow(clippy::disallowed_methods)] // a benchmark measures time

use std::collections::HashMap;
use std::time::Instant;

use haven_linkage::generate::{GeneratorSettings, generate};
use haven_linkage::{CandidateIndex, Model, Thresholds};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args().nth(1).map(|a| a.parse()).transpose()?.unwrap_or(100_000);
    let g = generate(&GeneratorSettings { n: n + 1000, duplicate_share: 0.2, seed: 7 })?;
    let (existing, probes) = g.records.split_at(n);
    let t = Instant::now();
    let index = CandidateIndex::new(Model::default(), Thresholds::default(), existing)?;
    let built = t.elapsed();
    let person_of: HashMap<&str, u64> = g.records.iter().zip(&g.person).map(|(r, p)| (r.id.as_str(), *p)).collect();
    let existing_people: std::collections::HashSet<u64> = g.person[..n].iter().copied().collect();
    let (mut asked, mut had_match, mut first_right, mut suggested) = (0, 0, 0, 0);
    let t = Instant::now();
    for (probe, person) in probes.iter().zip(&g.person[n..]) {
        let c = index.candidates(probe, 5);
        asked += 1;
        suggested += c.len();
        if existing_people.contains(person) {
            had_match += 1;
            if c.first().and_then(|c| person_of.get(c.id.as_str())) == Some(person) {
                first_right += 1;
            }
        }
    }
    let per = t.elapsed().as_secs_f64() / asked as f64;
    println!(
        "{n} indexed in {:.2} s; {asked} questions, {:.2} ms each; {suggested} suggestions; \
         {first_right} of {had_match} repeat people suggested first",
        built.as_secs_f64(),
        per * 1000.0
    );
    Ok(())
}
