//! A deterministic generator of synthetic people with a known share of
//! duplicate records carrying realistic corruption: typos, nicknames,
//! swapped names, day and month swapped, year off by one, missing fields,
//! a move of address, changed family names. Households (people sharing a
//! family name and address, and a few twins) make precision hard too.
//! Same settings and seed, same file.

use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::error::{LinkageError, Result};
use crate::nicknames;
use crate::record::{Date, Record, Sex, days_in_month};
use crate::rng::SplitMix64;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeneratorSettings {
    /// Number of records.
    pub n: usize,
    /// Share of records that are duplicates of another record's person (0..1).
    pub duplicate_share: f64,
    pub seed: u64,
}

/// Generated records and the truth: `person[i]` is the person behind
/// `records[i]`.
#[derive(Debug, Clone, Default)]
pub struct Generated {
    pub records: Vec<Record>,
    pub person: Vec<u64>,
}

const FEMALE: &[&str] = &[
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Emily",
    "Sophie",
    "Grace",
    "Mia",
    "Poppy",
    "Ella",
    "Lily",
    "Evie",
    "Jessica",
    "Charlotte",
    "Chloe",
    "Ruby",
    "Hannah",
    "Sarah",
    "Emma",
    "Laura",
    "Rebecca",
    "Rachel",
    "Lucy",
    "Amy",
    "Katherine",
    "Elizabeth",
    "Victoria",
    "Samantha",
    "Nicola",
    "Michelle",
    "Claire",
    "Helen",
    "Joanne",
    "Karen",
    "Susan",
    "Julie",
    "Deborah",
    "Tracey",
    "Margaret",
    "Patricia",
    "Jennifer",
    "Stephanie",
    "Abigail",
    "Alexandra",
    "Christine",
    "Jacqueline",
    "Dorothy",
    "Barbara",
    "Eleanor",
    "Isabel",
    "Frances",
    "Zoe",
    "Natalie",
    "Gemma",
    "Kelly",
    "Lisa",
    "Donna",
    "Leanne",
    "Aisha",
    "Fatima",
    "Priya",
    "Amina",
    "Zainab",
    "Agnieszka",
    "Joanna",
    "Maria",
    "Ana",
];
const MALE: &[&str] = &[
    "Oliver",
    "George",
    "Harry",
    "Noah",
    "Jack",
    "Leo",
    "Arthur",
    "Oscar",
    "Charles",
    "Thomas",
    "James",
    "William",
    "Henry",
    "Alfred",
    "Joshua",
    "Daniel",
    "Samuel",
    "Benjamin",
    "Matthew",
    "Michael",
    "David",
    "John",
    "Robert",
    "Richard",
    "Christopher",
    "Andrew",
    "Anthony",
    "Mark",
    "Paul",
    "Stephen",
    "Peter",
    "Gary",
    "Kevin",
    "Jason",
    "Lee",
    "Darren",
    "Craig",
    "Wayne",
    "Edward",
    "Nicholas",
    "Jonathan",
    "Timothy",
    "Patrick",
    "Philip",
    "Gregory",
    "Kenneth",
    "Ronald",
    "Frederick",
    "Alexander",
    "Joseph",
    "Nathan",
    "Liam",
    "Ryan",
    "Adam",
    "Mohammed",
    "Ali",
    "Omar",
    "Hassan",
    "Piotr",
    "Tomasz",
    "Vincent",
    "Walter",
    "Terence",
    "Leonard",
    "Donald",
    "Gerald",
];
const FAMILY: &[&str] = &[
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Johnson",
    "Roberts",
    "Robinson",
    "Thompson",
    "Wright",
    "Walker",
    "White",
    "Edwards",
    "Hughes",
    "Green",
    "Hall",
    "Lewis",
    "Harris",
    "Clarke",
    "Patel",
    "Jackson",
    "Wood",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Morris",
    "Moore",
    "Clark",
    "Lee",
    "King",
    "Baker",
    "Harrison",
    "Morgan",
    "Allen",
    "James",
    "Scott",
    "Phillips",
    "Watson",
    "Davis",
    "Parker",
    "Price",
    "Bennett",
    "Young",
    "Griffiths",
    "Mitchell",
    "Kelly",
    "Cook",
    "Carter",
    "Richardson",
    "Bailey",
    "Collins",
    "Bell",
    "Shaw",
    "Murphy",
    "Miller",
    "Cox",
    "Richards",
    "Khan",
    "Marshall",
    "Anderson",
    "Simpson",
    "Ellis",
    "Adams",
    "Singh",
    "Begum",
    "Wilkinson",
    "Foster",
    "Chapman",
    "Powell",
    "Webb",
    "Rogers",
    "Gray",
    "Mason",
    "Ali",
    "Hunt",
    "Hussain",
    "Campbell",
    "Matthews",
    "Owen",
    "Palmer",
    "Holmes",
    "Mills",
    "Barnes",
    "Knight",
    "Lloyd",
    "Butler",
    "Russell",
    "Barker",
    "Fisher",
    "Stevens",
    "Jenkins",
    "Murray",
    "Dixon",
    "Harvey",
    "Graham",
    "Pearson",
    "Ahmed",
    "Fletcher",
    "Walsh",
    "Kaur",
    "Gibson",
    "Howard",
    "Andrews",
    "Stewart",
    "Elliott",
    "Reynolds",
    "Saunders",
    "Payne",
    "Fox",
    "Ford",
    "Pearce",
    "Day",
    "Brooks",
    "West",
    "Lawrence",
    "Cole",
    "Atkinson",
    "Bradley",
    "Spencer",
    "Gill",
    "Dawson",
    "Ball",
    "Burton",
    "O'Brien",
    "Watts",
    "Rose",
    "Booth",
    "Perry",
    "Ryan",
    "Grant",
    "Wells",
    "Armstrong",
    "Francis",
    "Rees",
    "Hayes",
    "Hart",
    "Hudson",
    "Newman",
    "Barrett",
    "Webster",
    "Hunter",
    "Gregory",
    "Carr",
    "Lowe",
    "Page",
    "Marsh",
    "Riley",
    "Dunn",
    "Woods",
    "Parsons",
    "Berry",
    "Stone",
    "Reid",
    "Holland",
    "Hawkins",
    "Harding",
    "Porter",
    "Robertson",
    "Newton",
    "Oliver",
    "Reed",
    "Kennedy",
    "Williamson",
    "Bird",
    "Gardner",
    "Shah",
    "Dean",
    "Lane",
    "Cooke",
    "Bates",
    "Henderson",
    "Parry",
    "Burgess",
    "Bishop",
    "Walton",
    "Burns",
    "Nicholson",
    "Shepherd",
    "Ross",
    "Cross",
    "Long",
    "Freeman",
    "Warren",
    "Nicholls",
    "Hamilton",
    "Byrne",
    "Sutton",
    "McDonald",
    "Yates",
    "Hodgson",
    "Robson",
    "Curtis",
    "Hopkins",
    "O'Connor",
    "Harper",
    "Coleman",
    "Watkins",
    "Moss",
    "McCarthy",
    "Chambers",
    "O'Neill",
    "Griffin",
    "Sharp",
    "Hardy",
    "Wheeler",
    "Potter",
    "Osborne",
    "Johnston",
    "Gordon",
    "Doyle",
    "Wallace",
    "George",
    "Jordan",
    "Hutchinson",
    "Rowe",
    "Burke",
    "May",
    "Pritchard",
    "Gilbert",
    "Willis",
    "Higgins",
    "Read",
    "Miah",
    "Stevenson",
    "Nowak",
    "Kowalski",
    "Wisniewski",
    "Popescu",
    "Nguyen",
    "Chen",
    "Wang",
    "Okafor",
    "Mensah",
    "Ibrahim",
];
const SYLLABLES: &[&str] = &[
    "ash", "bar", "ber", "bur", "car", "dal", "den", "don", "ell", "fen", "ford", "gar", "ham", "har", "ing", "kin", "lan", "ley", "low",
    "mar", "mer", "mon", "nor", "ock", "pen", "ren", "ring", "rod", "sel", "sham", "ster", "ton", "tre", "vel", "war", "well", "wick",
    "win", "worth", "by", "ett", "ridge", "brook", "field", "more", "stead",
];
const STREETS: &[&str] = &[
    "High",
    "Church",
    "Station",
    "Victoria",
    "Park",
    "Mill",
    "London",
    "Queens",
    "Kings",
    "New",
    "Green",
    "Manor",
    "School",
    "North",
    "South",
    "West",
    "Grange",
    "Windsor",
    "Albert",
    "Alexandra",
    "York",
    "Springfield",
    "Beech",
    "Oak",
    "Elm",
    "Chestnut",
    "Meadow",
    "Orchard",
    "Highfield",
    "Stanley",
    "Richmond",
    "Mount",
    "Broadway",
];
const STREET_TYPES: &[(&str, &str)] = &[
    ("Road", "Rd"),
    ("Street", "St"),
    ("Close", "Cl"),
    ("Avenue", "Ave"),
    ("Lane", "Ln"),
    ("Drive", "Dr"),
    ("Way", "Way"),
    ("Gardens", "Gdns"),
    ("Crescent", "Cres"),
    ("Court", "Ct"),
];
const AREAS: &[&str] = &[
    "SO", "PO", "BH", "SP", "GU", "RG", "SN", "BN", "TN", "ME", "CT", "DA", "BR", "CR", "KT", "SM", "TW", "HA", "UB", "EN", "IG", "RM",
    "SS", "CM", "CO", "IP", "NR", "PE", "CB", "SG", "LU", "MK", "OX", "HP", "AL", "WD", "SL", "BS", "BA", "EX", "PL", "TQ", "DT", "TA",
    "GL", "HR", "WR", "CV", "LE", "NG", "DE", "S", "L", "M", "B", "LS", "BD",
];
const UNIT_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";

/// Weighted choice with weights 1/(rank+1)^0.9 (a Zipf-like law).
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(n: usize) -> Zipf {
        let mut acc = 0.0;
        let cumulative = (0..n)
            .map(|i| {
                acc += 1.0 / ((i + 1) as f64).powf(0.9);
                acc
            })
            .collect();
        Zipf { cumulative }
    }
    fn draw(&self, rng: &mut SplitMix64) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.unit() * total;
        self.cumulative.partition_point(|c| *c < x).min(self.cumulative.len().saturating_sub(1))
    }
}

#[derive(Clone)]
struct Address {
    number: u32,
    street: String,
    kind: usize,
    town: String,
    postcode: String,
}

struct Person {
    given: String,
    family: String,
    sex: Sex,
    dob: Date,
    address: Address,
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn made_up_name(rng: &mut SplitMix64, parts: usize) -> String {
    let mut s = String::new();
    for _ in 0..parts {
        s.push_str(rng.pick(SYLLABLES).copied().unwrap_or("ton"));
    }
    capitalise(&s)
}

struct Pools {
    family_zipf: Zipf,
    given_zipf_f: Zipf,
    given_zipf_m: Zipf,
    towns: Vec<String>,
}

fn new_address(rng: &mut SplitMix64, pools: &Pools) -> Address {
    let area_i = rng.below(AREAS.len() as u64) as usize;
    let area = AREAS.get(area_i).copied().unwrap_or("SO");
    let district = 1 + rng.below(30);
    let sector = rng.below(10);
    let l1 = UNIT_LETTERS.get(rng.below(UNIT_LETTERS.len() as u64) as usize).copied().unwrap_or(b'A') as char;
    let l2 = UNIT_LETTERS.get(rng.below(UNIT_LETTERS.len() as u64) as usize).copied().unwrap_or(b'A') as char;
    let street = if rng.chance(0.5) { rng.pick(STREETS).copied().unwrap_or("High").to_string() } else { made_up_name(rng, 2) };
    Address {
        number: 1 + rng.below(180) as u32,
        street,
        kind: rng.below(STREET_TYPES.len() as u64) as usize,
        town: pools.towns.get(area_i).cloned().unwrap_or_default(),
        postcode: format!("{area}{district} {sector}{l1}{l2}"),
    }
}

fn new_person(rng: &mut SplitMix64, pools: &Pools) -> Person {
    let sex = if rng.chance(0.7) { Sex::Female } else { Sex::Male };
    let given = if rng.chance(0.08) {
        made_up_name(rng, 2)
    } else if sex == Sex::Female {
        FEMALE.get(pools.given_zipf_f.draw(rng)).copied().unwrap_or("Ann").to_string()
    } else {
        MALE.get(pools.given_zipf_m.draw(rng)).copied().unwrap_or("John").to_string()
    };
    let family = family_name(rng, pools);
    Person { given, family, sex, dob: random_dob(rng), address: new_address(rng, pools) }
}

fn family_name(rng: &mut SplitMix64, pools: &Pools) -> String {
    if rng.chance(0.45) {
        let parts = if rng.chance(0.7) { 2 } else { 3 };
        made_up_name(rng, parts)
    } else {
        FAMILY.get(pools.family_zipf.draw(rng)).copied().unwrap_or("Smith").to_string()
    }
}

fn random_dob(rng: &mut SplitMix64) -> Date {
    let year = 1940 + rng.below(66) as u16;
    let month = 1 + rng.below(12) as u8;
    let day = 1 + rng.below(u64::from(days_in_month(year, month))) as u8;
    Date { year, month, day }
}

/// One random edit: substitution, deletion, insertion or transposition.
fn typo(rng: &mut SplitMix64, s: &str) -> String {
    let mut c: Vec<char> = s.chars().collect();
    if c.len() < 2 {
        return s.to_string();
    }
    let i = 1 + rng.below((c.len() - 1) as u64) as usize;
    let letter = (b'a' + rng.below(26) as u8) as char;
    match rng.below(4) {
        0 => {
            if let Some(x) = c.get_mut(i) {
                *x = letter;
            }
        }
        1 => {
            c.remove(i);
        }
        2 => c.insert(i, letter),
        _ => c.swap(i - 1, i),
    }
    c.into_iter().collect()
}

fn nickname(rng: &mut SplitMix64, given: &str) -> Option<String> {
    let lower = given.to_lowercase();
    let canon = nicknames::canonical(&lower);
    let mut options = nicknames::variants_of(canon);
    if canon != lower {
        options.push(canon);
    }
    options.retain(|o| *o != lower);
    rng.pick(&options).map(|o| capitalise(o))
}

fn corrupt_dob(rng: &mut SplitMix64, d: Date) -> Option<Date> {
    let x = rng.unit();
    if x < 0.06 && d.day <= 12 && d.day != d.month {
        return Some(Date { year: d.year, month: d.day, day: d.month });
    }
    if x < 0.10 {
        let year = if rng.chance(0.5) { d.year + 1 } else { d.year - 1 };
        return Date::new(year, d.month, d.day).or(Some(d));
    }
    if x < 0.17 {
        // One component mistyped.
        let r = match rng.below(3) {
            0 => Date::new(d.year, d.month, 1 + rng.below(28) as u8),
            1 => Date::new(d.year, 1 + rng.below(12) as u8, d.day),
            _ => Date::new(d.year - 10 + 20 * rng.below(2) as u16, d.month, d.day),
        };
        return r.or(Some(d));
    }
    Some(d)
}

fn render_address(rng: &mut SplitMix64, a: &Address, variant: bool) -> String {
    let (long, short) = STREET_TYPES.get(a.kind).copied().unwrap_or(("Road", "Rd"));
    let kind = if variant && rng.chance(0.6) { short } else { long };
    if variant && rng.chance(0.3) {
        format!("{} {} {}", a.number, a.street, kind)
    } else {
        format!("{} {} {}, {}", a.number, a.street, kind, a.town)
    }
}

fn corrupt_postcode(rng: &mut SplitMix64, p: &str) -> String {
    let mut c: Vec<char> = p.chars().collect();
    let positions: Vec<usize> = c.iter().enumerate().filter(|(_, ch)| **ch != ' ').map(|(i, _)| i).collect();
    if let Some(&i) = rng.pick(&positions)
        && let Some(x) = c.get_mut(i)
    {
        *x = if x.is_ascii_digit() {
            (b'0' + rng.below(10) as u8) as char
        } else {
            UNIT_LETTERS.get(rng.below(UNIT_LETTERS.len() as u64) as usize).copied().unwrap_or(b'A') as char
        };
    }
    c.into_iter().collect()
}

fn maybe_case(rng: &mut SplitMix64, s: String) -> String {
    if rng.chance(0.08) { s.to_uppercase() } else { s }
}

fn emit(rng: &mut SplitMix64, p: &Person, pools: &Pools, duplicate: bool) -> Record {
    let c = if duplicate { 1.0 } else { 0.0 };
    let mut given = Some(p.given.clone());
    let mut family = Some(p.family.clone());
    if duplicate {
        if rng.chance(0.12) {
            given = nickname(rng, &p.given).or(given);
        }
        if rng.chance(0.12) {
            given = given.map(|g| typo(rng, &g));
        }
        if rng.chance(0.10) {
            family = family.map(|f| typo(rng, &f));
        }
        if p.sex == Sex::Female && rng.chance(0.04) {
            family = Some(family_name(rng, pools));
        } else if rng.chance(0.01) {
            family = family.map(|f| format!("{f}-{}", family_name(rng, pools)));
        }
        if rng.chance(0.02) {
            std::mem::swap(&mut given, &mut family);
        }
    }
    if rng.chance(0.01 + 0.02 * c) {
        given = None;
    }
    if rng.chance(0.005 + 0.01 * c) {
        family = None;
    }
    let dob = if rng.chance(0.03 + 0.05 * c) {
        None
    } else if duplicate {
        corrupt_dob(rng, p.dob)
    } else {
        Some(p.dob)
    };
    let sex = if rng.chance(0.05 + 0.07 * c) {
        None
    } else if duplicate && rng.chance(0.005) {
        Some(if p.sex == Sex::Female { Sex::Male } else { Sex::Female })
    } else {
        Some(p.sex)
    };
    let moved;
    let address = if duplicate && rng.chance(0.20) {
        moved = new_address(rng, pools);
        &moved
    } else {
        &p.address
    };
    let postcode = if rng.chance(0.04 + 0.05 * c) {
        None
    } else if duplicate && rng.chance(0.05) {
        Some(corrupt_postcode(rng, &address.postcode))
    } else {
        Some(address.postcode.clone())
    };
    let addr = if rng.chance(0.05 + 0.07 * c) { None } else { Some(render_address(rng, address, duplicate)) };
    Record {
        id: String::new(),
        given_name: given.map(|g| maybe_case(rng, g)),
        family_name: family.map(|f| maybe_case(rng, f)),
        date_of_birth: dob,
        sex,
        postcode,
        address: addr,
    }
}

/// Generate the records. Ids are `r0000001`, …; people `p…`.
pub fn generate(settings: &GeneratorSettings) -> Result<Generated> {
    if !(0.0..1.0).contains(&settings.duplicate_share) {
        return Err(LinkageError::Config(format!("duplicate share {} must be at least 0 and below 1", settings.duplicate_share)));
    }
    let n = settings.n;
    let originals = ((n as f64) * (1.0 - settings.duplicate_share)).round().max(1.0) as usize;
    let originals = originals.min(n);
    let mut rng = SplitMix64::new(settings.seed);
    let mut town_rng = SplitMix64::new(7);
    let pools = Pools {
        family_zipf: Zipf::new(FAMILY.len()),
        given_zipf_f: Zipf::new(FEMALE.len()),
        given_zipf_m: Zipf::new(MALE.len()),
        towns: AREAS.iter().map(|_| made_up_name(&mut town_rng, 2)).collect(),
    };
    let mut people: Vec<Person> = Vec::with_capacity(originals);
    for _ in 0..originals {
        let mut p = new_person(&mut rng, &pools);
        // Households: a partner, child or twin of someone already made.
        if !people.is_empty() && rng.chance(0.12) {
            let k = rng.below(people.len() as u64) as usize;
            if let Some(h) = people.get(k) {
                p.family = h.family.clone();
                p.address = h.address.clone();
                if rng.chance(0.04) {
                    p.dob = h.dob; // twin
                }
            }
        }
        people.push(p);
    }
    let mut out: Vec<(Record, u64)> = Vec::with_capacity(n);
    for (i, p) in people.iter().enumerate() {
        out.push((emit(&mut rng, p, &pools, false), i as u64));
    }
    for _ in originals..n {
        // A third of duplicates repeat someone already duplicated (repeat referrals).
        let k = if out.len() > originals && rng.chance(0.3) {
            let j = originals + rng.below((out.len() - originals) as u64) as usize;
            out.get(j).map(|x| x.1 as usize).unwrap_or(0)
        } else {
            rng.below(originals as u64) as usize
        };
        if let Some(p) = people.get(k) {
            out.push((emit(&mut rng, p, &pools, true), k as u64));
        }
    }
    // Shuffle so duplicates are not next to their originals.
    for i in (1..out.len()).rev() {
        let j = rng.below((i + 1) as u64) as usize;
        out.swap(i, j);
    }
    let mut g = Generated { records: Vec::with_capacity(n), person: Vec::with_capacity(n) };
    for (i, (mut r, p)) in out.into_iter().enumerate() {
        r.id = format!("r{:07}", i + 1);
        g.records.push(r);
        g.person.push(p);
    }
    Ok(g)
}

/// Write generated records as CSV in the standard layout plus a
/// `person_id` column with the truth.
pub fn write_csv<W: Write>(out: W, g: &Generated) -> Result<()> {
    let err = |e: csv::Error| LinkageError::Config(format!("writing CSV: {e}"));
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["id", "given_name", "family_name", "date_of_birth", "sex", "postcode", "address", "person_id"]).map_err(err)?;
    for (r, p) in g.records.iter().zip(&g.person) {
        let dob = r.date_of_birth.map(|d| d.to_string()).unwrap_or_default();
        let sex = match r.sex {
            Some(Sex::Female) => "F",
            Some(Sex::Male) => "M",
            None => "",
        };
        let person = format!("p{p}");
        w.write_record([
            r.id.as_str(),
            r.given_name.as_deref().unwrap_or(""),
            r.family_name.as_deref().unwrap_or(""),
            dob.as_str(),
            sex,
            r.postcode.as_deref().unwrap_or(""),
            r.address.as_deref().unwrap_or(""),
            person.as_str(),
        ])
        .map_err(err)?;
    }
    w.flush().map_err(|e| LinkageError::Config(format!("writing CSV: {e}")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_with_the_asked_share() {
        let s = GeneratorSettings { n: 2000, duplicate_share: 0.25, seed: 9 };
        let a = generate(&s).unwrap();
        let b = generate(&s).unwrap();
        assert_eq!(a.records, b.records);
        let mut people = a.person.clone();
        people.sort_unstable();
        people.dedup();
        assert_eq!(people.len(), 1500);
        let mut buf = Vec::new();
        write_csv(&mut buf, &a).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(text.starts_with("id,given_name"));
        assert_eq!(text.lines().count(), 2001);
    }

    #[test]
    fn rejects_a_bad_share() {
        let s = GeneratorSettings { n: 10, duplicate_share: 1.5, seed: 1 };
        assert!(generate(&s).is_err());
    }
}
