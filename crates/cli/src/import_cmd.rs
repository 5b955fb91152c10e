//! `haven import …`: bulk imports into the front door (issue 3).
//!
//! `haven import police-incidents FILE.csv --db PATH` reads a police
//! incident file with the same parser as the upload page and the API
//! (`haven_web::intake::police_csv`), applies it in one transaction, prints
//! the counts, and writes the rejected rows (line, incident_id, reason) to
//! `FILE.rejected.csv` or `--rejects PATH`. It exits 0 when the import
//! finished, whatever the number of rejected rows; non-zero when the file or
//! the database could not be used (nothing is imported then).
use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDate};
use clap::{Args, Subcommand};
use haven_store::intake::IntakeStore;
use haven_store::{Ctx, SqliteStore};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub command: ImportCommand,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import police domestic abuse incident notifications (CSV; columns in docs/intake.md).
    PoliceIncidents {
        /// The CSV file.
        file: PathBuf,
        /// The database (must exist).
        #[arg(long)]
        db: PathBuf,
        /// Where to write rejected rows (default: FILE.rejected.csv next to the file).
        #[arg(long)]
        rejects: Option<PathBuf>,
        /// Agency key the incidents are attributed to (default: the first police agency).
        #[arg(long)]
        agency: Option<String>,
    },
    /// Write a deterministic example police incident file with invented
    /// people (WX/WY/WH postcodes) and some malformed rows, for docs and tests.
    #[command(hide = true)]
    Example {
        /// Output file ("-" for standard output).
        #[arg(long, default_value = "-")]
        out: PathBuf,
        #[arg(long, default_value_t = 300)]
        rows: usize,
        #[arg(long, default_value_t = 12)]
        malformed: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Incidents fall in the 12 months up to this date (YYYY-MM-DD; default today).
        #[arg(long)]
        today: Option<String>,
    },
}

pub async fn run(args: ImportArgs) -> anyhow::Result<()> {
    match args.command {
        ImportCommand::PoliceIncidents { file, db, rejects, agency } => police(&file, &db, rejects, agency).await,
        ImportCommand::Example { out, rows, malformed, seed, today } => {
            let today = match today {
                Some(t) => NaiveDate::parse_from_str(&t, "%Y-%m-%d").with_context(|| format!("--today {t}: expected YYYY-MM-DD"))?,
                None => chrono::Utc::now().date_naive(),
            };
            anyhow::ensure!(malformed <= rows, "--malformed must not exceed --rows");
            let text = example(rows, malformed, seed, today);
            if out.as_os_str() == "-" {
                std::io::stdout().write_all(text.as_bytes())?;
            } else {
                std::fs::write(&out, text).with_context(|| format!("writing {}", out.display()))?;
            }
            Ok(())
        }
    }
}

fn default_rejects(file: &Path) -> PathBuf {
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "import".into());
    file.with_file_name(format!("{stem}.rejected.csv"))
}

async fn police(file: &Path, db: &Path, rejects: Option<PathBuf>, agency: Option<String>) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut batch = match haven_web::intake::police_csv::parse(&name, &bytes, chrono::Utc::now().date_naive()) {
        Ok(b) => b,
        Err(e) => {
            let msgs: Vec<String> = e.errors.iter().map(|f| format!("{}: the file {}", file.display(), f.message)).collect();
            anyhow::bail!("nothing imported:\n{}", msgs.join("\n"));
        }
    };
    batch.agency_key = agency;
    let store = SqliteStore::open(db).await?;
    let t = std::time::Instant::now();
    let report = store.import_police_incidents(&Ctx::system("import"), &batch).await?;
    store.close().await;
    println!(
        "{}: {} rows read; imported {}, already imported {}, rejected {} ({} people matched, {} created) in {:.1} s",
        file.display(),
        report.rows_read,
        report.imported,
        report.already_present,
        report.rejected.len(),
        report.people_matched,
        report.people_created,
        t.elapsed().as_secs_f64()
    );
    if !report.rejected.is_empty() {
        let path = rejects.unwrap_or_else(|| default_rejects(file));
        std::fs::write(&path, haven_web::intake::police_csv::rejects_csv(&report.rejected))
            .with_context(|| format!("writing {}", path.display()))?;
        println!("rejected rows with line numbers and reasons: {}", path.display());
        eprintln!("{} rows rejected; the first:", report.rejected.len());
        for r in report.rejected.iter().take(10) {
            eprintln!("  line {}: {}", r.line, r.reason);
        }
    }
    Ok(())
}

// ------------------------------------------------------------ example file

/// SplitMix64: small, deterministic, good enough to pick names.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs.get(self.below(xs.len())).copied().unwrap_or("")
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const WOMEN: &[&str] = &[
    "Amelia",
    "Olivia",
    "Isla",
    "Ava",
    "Emily",
    "Sophie",
    "Grace",
    "Chloe",
    "Jessica",
    "Lucy",
    "Hannah",
    "Zara",
    "Aisha",
    "Maryam",
    "Priya",
    "Agnieszka",
    "Joanne",
    "Sarah",
    "Claire",
    "Nicola",
    "Karen",
    "Leanne",
    "Kelly",
    "Gemma",
];
const MEN: &[&str] = &[
    "Oliver", "Jack", "Harry", "George", "Noah", "Charlie", "Jacob", "Thomas", "Daniel", "James", "Liam", "Mohammed", "Adam", "Ryan",
    "Lee", "Craig", "Darren", "Wayne", "Stuart", "Piotr",
];
const FAMILY: &[&str] = &[
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright", "Thompson", "Evans", "Walker",
    "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Patel", "Khan", "Hughes", "Edwards", "O'Brien", "Kowalski", "Ahmed",
    "Lewis", "Harris", "Martin",
];
const AREAS: &[&str] = &["WX", "WY", "WH"];
const INWARD: &[&str] = &["A", "B", "D", "E", "F", "G", "H", "J", "L", "N", "P", "Q", "R", "S", "T", "U", "W", "X", "Y", "Z"];
const SUMMARIES: &[&str] = &[
    "Verbal argument, neighbours called police.",
    "Assault reported by victim; suspect left before officers arrived.",
    "Breach of non-molestation order.",
    "Third-party report of shouting and damage.",
    "Victim reports controlling behaviour and threats.",
    "",
];

#[derive(Clone)]
struct Party {
    given: String,
    family: String,
    dob: NaiveDate,
    sex: &'static str,
    postcode: String,
}

fn person(rng: &mut Rng, today: NaiveDate, female: bool) -> Party {
    let given = if female { rng.pick(WOMEN) } else { rng.pick(MEN) }.to_string();
    let age = 17 + rng.below(50) as i64;
    let dob = today - Duration::days(age * 365 + rng.below(365) as i64);
    let postcode = format!("{}{} {}{}{}", rng.pick(AREAS), 1 + rng.below(9), 1 + rng.below(9), rng.pick(INWARD), rng.pick(INWARD));
    Party { given, family: rng.pick(FAMILY).to_string(), dob, sex: if female { "female" } else { "male" }, postcode }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// A police incident file of `rows` data rows, `malformed` of them broken in
/// one documented way each (so exactly `malformed` rows are rejected).
/// About a third of incidents are repeat victims, some three or more times
/// in the year, so MARAC escalation has something to find.
pub fn example(rows: usize, malformed: usize, seed: u64, today: NaiveDate) -> String {
    let mut rng = Rng(seed);
    let mut victims: Vec<(Party, Party)> = Vec::new();
    // Spread the malformed rows evenly, never the first row (others may refer to its id).
    let bad: std::collections::HashSet<usize> =
        (0..malformed).map(|k| 1 + k * (rows.saturating_sub(1)) / malformed.max(1)).filter(|&i| i < rows).collect();
    let mut out = haven_domain::intake::POLICE_COLUMNS.join(",");
    out.push('\n');
    let first_id = format!("WX/{}/{:06}", today.year(), 1);
    let mut k = 0usize;
    for i in 0..rows {
        let id = format!("WX/{}/{:06}", today.year(), i + 1);
        let date = today - Duration::days(rng.below(365) as i64);
        let (victim, suspect) = match (victims.is_empty() || !rng.chance(33), rng.below(victims.len())) {
            (false, j) if j < victims.len() => {
                victims.get(j).cloned().unwrap_or_else(|| (person(&mut rng, today, true), person(&mut rng, today, false)))
            }
            _ => {
                let female = rng.chance(85);
                let pair = (person(&mut rng, today, female), person(&mut rng, today, !female));
                victims.push(pair.clone());
                pair
            }
        };
        let grade = match rng.below(100) {
            0..=9 => "high",
            10..=34 => "medium",
            _ => "standard",
        };
        let dash = match grade {
            "high" => 14 + rng.below(8),
            "medium" => 8 + rng.below(6),
            _ => rng.below(8),
        };
        let children = match rng.below(10) {
            0..=5 => "0".to_string(),
            6 => "yes".to_string(),
            _ => (1 + rng.below(3)).to_string(),
        };
        let relationship = rng.pick(&["intimate_partner", "ex_partner", "ex_partner", "family_member"]);
        let mut f: Vec<String> = vec![
            id,
            date.format("%Y-%m-%d").to_string(),
            victim.given,
            victim.family,
            if rng.chance(95) { victim.dob.format("%d/%m/%Y").to_string() } else { String::new() },
            victim.sex.to_string(),
            if rng.chance(97) { victim.postcode } else { "NFA".into() },
            suspect.given,
            suspect.family,
            if rng.chance(80) { suspect.dob.format("%Y-%m-%d").to_string() } else { String::new() },
            suspect.sex.to_string(),
            if rng.chance(50) { suspect.postcode } else { String::new() },
            relationship.to_string(),
            grade.to_string(),
            dash.to_string(),
            children,
            if rng.chance(60) { "yes".into() } else { "no".into() },
            rng.pick(SUMMARIES).to_string(),
        ];
        if bad.contains(&i) {
            let set = |f: &mut Vec<String>, col: usize, v: &str| {
                if let Some(x) = f.get_mut(col) {
                    *x = v.to_string();
                }
            };
            match k % 11 {
                0 => set(&mut f, 1, "31/02/2026"),
                1 => set(&mut f, 1, &(today + Duration::days(30)).format("%Y-%m-%d").to_string()),
                2 => set(&mut f, 3, ""),
                3 => set(&mut f, 13, "severe"),
                4 => set(&mut f, 6, "NOWHERE"),
                5 => f.truncate(10),
                6 => set(&mut f, 14, "31"),
                7 => set(&mut f, 4, "1985-13-01"),
                8 => set(&mut f, 0, &first_id),
                9 => set(&mut f, 15, "several"),
                _ => set(&mut f, 0, ""),
            }
            k += 1;
        }
        let line: Vec<String> = f.iter().map(|x| csv_field(x)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_is_deterministic_and_rejects_exactly_the_malformed_rows() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        let a = example(500, 25, 7, today);
        assert_eq!(a, example(500, 25, 7, today));
        let b = haven_web::intake::police_csv::parse("x.csv", a.as_bytes(), today).unwrap();
        assert_eq!(b.rows_read, 500);
        assert_eq!(b.rejected.len(), 25, "{:?}", b.rejected);
        assert_eq!(b.incidents.len(), 475);
    }
}
