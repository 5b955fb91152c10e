//! Field comparators. Each field comparison yields a level (0 = strongest
//! agreement, higher = weaker) or `NULL` when either side is missing; a
//! comparison vector packs the six levels into a `Pattern`.

use crate::jw::jaro_winkler;
use serde::{Deserialize, Serialize};

use crate::prepare::{Name, Postcode, Prepared, Token};
use crate::record::Date;

/// The compared fields, in pattern order. Postcode and address are one
/// comparison ("location"): people in one household agree on both, so
/// counting them as independent evidence would merge households.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    GivenName,
    FamilyName,
    DateOfBirth,
    Sex,
    Location,
}

pub const FIELDS: [Field; 5] = [Field::GivenName, Field::FamilyName, Field::DateOfBirth, Field::Sex, Field::Location];

pub const NUM_FIELDS: usize = FIELDS.len();

/// Level meaning "either value missing": contributes nothing.
pub const NULL: u8 = 7;
const BITS: u32 = 3;

const GIVEN_LEVELS: &[&str] = &[
    "exact",
    "nickname or short form",
    "Jaro-Winkler >= 0.92",
    "same phonetic code",
    "given and family names swapped",
    "Jaro-Winkler >= 0.80",
    "different",
];
const FAMILY_LEVELS: &[&str] =
    &["exact", "one name part of the other", "Jaro-Winkler >= 0.92", "same phonetic code", "Jaro-Winkler >= 0.80", "different"];
const DOB_LEVELS: &[&str] = &["exact", "day and month swapped", "year differs by one", "one component differs", "different"];
const SEX_LEVELS: &[&str] = &["same", "different"];
const LOCATION_LEVELS: &[&str] = &[
    "same postcode and address",
    "same postcode (address missing)",
    "same postcode, address differs",
    "same address, postcode differs or missing",
    "same postcode sector, or one character differs",
    "same postcode district, or some address words shared",
    "different",
];

impl Field {
    pub fn index(self) -> usize {
        self as usize
    }
    /// Human-readable labels of the levels, strongest first.
    pub fn levels(self) -> &'static [&'static str] {
        match self {
            Field::GivenName => GIVEN_LEVELS,
            Field::FamilyName => FAMILY_LEVELS,
            Field::DateOfBirth => DOB_LEVELS,
            Field::Sex => SEX_LEVELS,
            Field::Location => LOCATION_LEVELS,
        }
    }
    pub fn num_levels(self) -> usize {
        self.levels().len()
    }
    pub fn name(self) -> &'static str {
        match self {
            Field::GivenName => "given_name",
            Field::FamilyName => "family_name",
            Field::DateOfBirth => "date_of_birth",
            Field::Sex => "sex",
            Field::Location => "location",
        }
    }
}

/// A comparison vector: 3 bits per field, `NULL` (7) for missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pattern(pub u32);

/// Number of distinct patterns (dense tables are indexed by pattern).
pub const PATTERN_SPACE: usize = 1 << (BITS as usize * NUM_FIELDS);

impl Pattern {
    pub fn from_levels(levels: [u8; NUM_FIELDS]) -> Pattern {
        let mut p = 0u32;
        for (i, l) in levels.iter().enumerate() {
            p |= u32::from(*l & 7) << (BITS * i as u32);
        }
        Pattern(p)
    }
    pub fn level(self, field: usize) -> u8 {
        ((self.0 >> (BITS * field as u32)) & 7) as u8
    }
    #[cfg(test)]
    pub fn levels(self) -> [u8; NUM_FIELDS] {
        let mut out = [0u8; NUM_FIELDS];
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.level(i);
        }
        out
    }
}

const JW_HIGH: f64 = 0.92;
const JW_LOW: f64 = 0.80;
const JW_SWAP: f64 = 0.88;

/// Close enough to count as the same name in a swap. The string test runs
/// only when the names share a first letter or a phonetic code (it is the
/// costly part, and a swapped name with its first letter mistyped and its
/// sound changed is too far gone to call a swap).
pub(crate) fn similar(a: &Name, b: &Name) -> bool {
    if a.norm_hash == b.norm_hash && a.norm == b.norm {
        return true;
    }
    let related = a.norm.as_bytes().first() == b.norm.as_bytes().first() || (a.phon != 0 && a.phon == b.phon);
    related && jaro_winkler(&a.norm, &b.norm) >= JW_SWAP
}

/// Is one a short form of the other (prefix of at least 3 letters)?
fn short_form(a: &str, b: &str) -> bool {
    let (s, l) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    s.len() >= 3 && s.len() < l.len() && s.as_bytes().first() == l.as_bytes().first() && l.starts_with(s)
}

/// Given-name levels (see `GIVEN_LEVELS`); family names use the same
/// tests without the swap and are renumbered by `family_level`.
fn compare_name(a: &Name, b: &Name, swap: Option<(&Name, &Name)>) -> u8 {
    if a.norm_hash == b.norm_hash && a.norm == b.norm {
        return 0;
    }
    if (a.canon == b.canon && a.first_hash != b.first_hash) || short_form(&a.norm, &b.norm) || short_form(&a.first, &b.first) {
        return 1;
    }
    let jw = jaro_winkler(&a.norm, &b.norm);
    if jw >= JW_HIGH {
        return 2;
    }
    if a.phon != 0 && b.phon != 0 && (a.phon == b.phon || a.phon == b.phon_alt || a.phon_alt == b.phon || a.phon_alt == b.phon_alt) {
        return 3;
    }
    if let Some((ao, bo)) = swap
        && similar(a, bo)
        && similar(ao, b)
    {
        return SWAPPED;
    }
    if jw >= JW_LOW {
        return 5;
    }
    6
}

/// The swap level of the given-name comparison.
const SWAPPED: u8 = 4;

fn family_level(l: u8) -> u8 {
    match l {
        0..=3 => l,
        5 => 4,
        _ => 5,
    }
}

fn compare_dob(a: Date, b: Date) -> u8 {
    if a == b {
        return 0;
    }
    if a.year == b.year && a.day == b.month && a.month == b.day {
        return 1;
    }
    if a.month == b.month && a.day == b.day && a.year.abs_diff(b.year) == 1 {
        return 2;
    }
    let same = u8::from(a.year == b.year) + u8::from(a.month == b.month) + u8::from(a.day == b.day);
    if same == 2 {
        return 3;
    }
    4
}

/// True when two strings differ by exactly one substitution, insertion,
/// deletion or adjacent transposition.
fn one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let shortest = la.min(lb);
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    if p == la && p == lb {
        return false; // equal
    }
    let q = a.iter().rev().zip(b.iter().rev()).take(shortest - p).take_while(|(x, y)| x == y).count();
    match (la - p - q, lb - p - q) {
        (1, 1) | (1, 0) | (0, 1) => true,
        (2, 2) => a.get(p) == b.get(p + 1) && a.get(p + 1) == b.get(p),
        _ => false,
    }
}

fn compare_postcode(a: &Postcode, b: &Postcode) -> u8 {
    if a.full_hash == b.full_hash && a.full == b.full {
        0
    } else if a.sector == b.sector {
        1
    } else if one_edit(&a.full, &b.full) {
        2
    } else if a.district == b.district {
        3
    } else {
        4
    }
}

fn token_match(t: &Token, others: &[Token]) -> bool {
    if others.binary_search_by_key(&t.hash, |o| o.hash).is_ok() {
        return true;
    }
    // Numbers must match exactly; words may carry one typo.
    t.fuzzy && others.iter().any(|o| o.fuzzy && o.text.len().abs_diff(t.text.len()) <= 1 && one_edit(&t.text, &o.text))
}

/// Share of tokens in common, symmetric: matched tokens over the union.
pub(crate) fn address_similarity(a: &[Token], b: &[Token]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let ma = a.iter().filter(|t| token_match(t, b)).count();
    let mb = b.iter().filter(|t| token_match(t, a)).count();
    let matched = (ma + mb) as f64 / 2.0;
    let union = a.len() as f64 + b.len() as f64 - matched;
    if union <= 0.0 { 1.0 } else { (matched / union).clamp(0.0, 1.0) }
}

fn same_tokens(a: &[Token], b: &[Token]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.hash == y.hash)
}

fn compare_address(a: &[Token], b: &[Token], a_flat: (&str, u64), b_flat: (&str, u64)) -> u8 {
    let ((a_flat, ah), (b_flat, bh)) = (a_flat, b_flat);
    if same_tokens(a, b) || (ah != 0 && ah == bh && a_flat == b_flat) {
        return 0;
    }
    let s = address_similarity(a, b);
    if s >= 0.6 {
        return 1;
    }
    // Split or joined words ("sanf ord place") defeat tokens, not strings;
    // the string test is skipped when no word is shared (it is costly, and
    // most pairs share nothing).
    let jw = if s >= 0.15 { jaro_winkler(a_flat, b_flat) } else { 0.0 };
    if jw >= 0.92 {
        1
    } else if s >= 0.3 || jw >= 0.8 {
        2
    } else {
        3
    }
}

/// Postcode and address together (see `LOCATION_LEVELS`).
fn compare_location(a: &Prepared, b: &Prepared) -> u8 {
    let pc = match (&a.postcode, &b.postcode) {
        (Some(x), Some(y)) => Some(compare_postcode(x, y)),
        _ => None,
    };
    let addr = match (&a.address, &b.address) {
        (Some(x), Some(y)) => Some(compare_address(x, y, (&a.address_flat, a.address_flat_hash), (&b.address_flat, b.address_flat_hash))),
        _ => None,
    };
    let same_addr = matches!(addr, Some(0 | 1));
    match (pc, addr) {
        (None, None) => NULL,
        (Some(0), _) if same_addr => 0,
        (Some(0), None) => 1,
        (Some(0), _) => 2,
        _ if same_addr => 3,
        (Some(1 | 2), _) => 4,
        (Some(3), _) | (_, Some(2)) => 5,
        _ => 6,
    }
}

/// Compare two prepared records field by field.
pub(crate) fn compare(a: &Prepared, b: &Prepared) -> Pattern {
    let given = match (&a.given, &b.given) {
        (Some(x), Some(y)) => {
            let swap = match (&a.family, &b.family) {
                (Some(af), Some(bf)) => Some((af, bf)),
                _ => None,
            };
            compare_name(x, y, swap)
        }
        _ => NULL,
    };
    // A swap is one piece of evidence: it is scored on the given name alone.
    let family = match (&a.family, &b.family) {
        (Some(x), Some(y)) if given != SWAPPED => family_level(compare_name(x, y, None)),
        _ => NULL,
    };
    let dob = match (a.dob, b.dob) {
        (Some(x), Some(y)) => compare_dob(x, y),
        _ => NULL,
    };
    let sex = match (a.sex, b.sex) {
        (Some(x), Some(y)) => u8::from(x != y),
        _ => NULL,
    };
    Pattern::from_levels([given, family, dob, sex, compare_location(a, b)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::prepare;
    use crate::record::Record;
    use proptest::prelude::*;
    use rphonetic::DoubleMetaphone;

    fn prep(r: &Record) -> Prepared {
        prepare(r, &DoubleMetaphone::default())
    }

    fn person(g: &str, f: &str, dob: Option<Date>, pc: &str, addr: &str) -> Record {
        let mut r = Record::new("x").with_given_name(g).with_family_name(f).with_postcode(pc).with_address(addr);
        r.date_of_birth = dob;
        r
    }

    #[test]
    fn name_levels() {
        let d = Date::new(1980, 1, 2);
        let base = prep(&person("Robert", "Smith", d, "SO23 8UG", "1 High St"));
        let lv = |g: &str, f: &str| compare(&base, &prep(&person(g, f, d, "SO23 8UG", "1 High St"))).levels();
        assert_eq!(lv("Robert", "Smith")[0], 0);
        assert_eq!(lv("Bob", "Smith")[0], 1);
        assert_eq!(lv("Rob", "Smith")[0], 1);
        assert_eq!(lv("Robret", "Smith")[0], 2);
        assert_eq!(lv("Robert", "Smyth")[1], 3);
        assert_eq!(lv("Robert", "Smith-Jones")[1], 1);
        assert_eq!(lv("Smith", "Robert")[0], 4);
        assert_eq!(lv("Smith", "Robert")[1], NULL);
        assert_eq!(lv("Alice", "Jones")[0], 6);
        assert_eq!(lv("Alice", "Jones")[1], 5);
    }

    #[test]
    fn dob_levels() {
        let d = |y, m, dd| Date::new(y, m, dd).unwrap();
        assert_eq!(compare_dob(d(1980, 3, 4), d(1980, 3, 4)), 0);
        assert_eq!(compare_dob(d(1980, 3, 4), d(1980, 4, 3)), 1);
        assert_eq!(compare_dob(d(1980, 3, 4), d(1981, 3, 4)), 2);
        assert_eq!(compare_dob(d(1980, 3, 4), d(1980, 3, 14)), 3);
        assert_eq!(compare_dob(d(1980, 3, 4), d(1990, 5, 14)), 4);
    }

    #[test]
    fn postcode_levels() {
        let p = |s: &str| crate::prepare::prepare_postcode(Some(s)).unwrap();
        assert_eq!(compare_postcode(&p("SO23 8UG"), &p("so238ug")), 0);
        assert_eq!(compare_postcode(&p("SO23 8UG"), &p("SO23 8XY")), 1);
        assert_eq!(compare_postcode(&p("SO23 8UG"), &p("SO32 8UG")), 2);
        assert_eq!(compare_postcode(&p("SO23 8UG"), &p("SO23 1AB")), 3);
        assert_eq!(compare_postcode(&p("SO23 8UG"), &p("PO1 2AB")), 4);
    }

    #[test]
    fn missing_is_null() {
        let a = prep(&Record::new("a").with_given_name("Ann"));
        let b = prep(&Record::new("b").with_given_name("Ann").with_family_name("Lee"));
        let l = compare(&a, &b).levels();
        assert_eq!(l, [0, NULL, NULL, NULL, NULL]);
    }

    #[test]
    fn location_levels() {
        let r = |pc: &str, addr: &str| prep(&Record::new("x").with_postcode(pc).with_address(addr));
        let base = r("SO23 8UG", "12 High Street, Winchester");
        let lv = |pc: &str, addr: &str| compare(&base, &r(pc, addr)).level(4);
        assert_eq!(lv("SO23 8UG", "12 High St"), 0);
        assert_eq!(compare(&base, &prep(&Record::new("z").with_postcode("SO23 8UG"))).level(4), 1);
        assert_eq!(lv("SO23 8UG", "4 Elm Close"), 2);
        assert_eq!(lv("SO32 8UG", "12 High St, Winchester"), 3);
        assert_eq!(lv("SO23 8UX", "4 Elm Close"), 4);
        assert_eq!(lv("SO23 1AB", "4 Elm Close"), 5);
        assert_eq!(lv("PO1 1AB", "4 Elm Close"), 6);
        let none = prep(&Record::new("y"));
        assert_eq!(compare(&base, &none).level(4), NULL);
    }

    #[test]
    fn one_edit_cases() {
        assert!(one_edit("abcd", "abdc"));
        assert!(one_edit("abcd", "abd"));
        assert!(one_edit("abcd", "abxd"));
        assert!(!one_edit("abcd", "abcd"));
        assert!(!one_edit("abcd", "badc"));
        assert!(one_edit("aaa", "aa"));
        assert!(one_edit("abc", "xabc"));
        assert!(!one_edit("abc", "xabcy"));
        assert!(!one_edit("abcd", "axcy"));
        assert!(one_edit("", "a"));
    }

    fn arb_date() -> impl Strategy<Value = Option<Date>> {
        proptest::option::of(
            (1900u16..2020, 1u8..13, 1u8..29).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap_or(Date { year: 2000, month: 1, day: 1 })),
        )
    }

    fn arb_record() -> impl Strategy<Value = Record> {
        let name = proptest::option::of("[A-Za-z' -]{0,12}");
        let pc = proptest::option::of("[A-Z]{1,2}[0-9]{1,2} ?[0-9][A-Z]{2}|[0-9]{4}");
        let addr = proptest::option::of("[0-9]{0,3} [A-Za-z ]{0,20}");
        (name.clone(), name, arb_date(), proptest::option::of(any::<bool>()), pc, addr).prop_map(|(g, f, d, s, pc, addr)| Record {
            id: "r".into(),
            given_name: g,
            family_name: f,
            date_of_birth: d,
            sex: s.map(|m| if m { crate::Sex::Male } else { crate::Sex::Female }),
            postcode: pc,
            address: addr,
        })
    }

    proptest! {
        #[test]
        fn comparators_are_symmetric_and_bounded(a in arb_record(), b in arb_record()) {
            let (pa, pb) = (prep(&a), prep(&b));
            let ab = compare(&pa, &pb);
            let ba = compare(&pb, &pa);
            prop_assert_eq!(ab, ba);
            for (i, f) in FIELDS.iter().enumerate() {
                let l = ab.level(i);
                prop_assert!(l == NULL || usize::from(l) < f.num_levels());
            }
            // A record agrees with itself at the strongest level its data allows.
            let aa = compare(&pa, &pa);
            for i in 0..NUM_FIELDS - 1 {
                prop_assert!(aa.level(i) == 0 || aa.level(i) == NULL);
            }
            prop_assert!(matches!(aa.level(NUM_FIELDS - 1), 0 | 1 | 3 | NULL));
            if let (Some(x), Some(y)) = (&pa.address, &pb.address) {
                let s = address_similarity(x, y);
                prop_assert!((0.0..=1.0).contains(&s));
                prop_assert!((s - address_similarity(y, x)).abs() < 1e-12);
            }
        }

        #[test]
        fn jaro_winkler_is_symmetric(a in "[a-z]{0,10}", b in "[a-z]{0,10}") {
            let x = jaro_winkler(&a, &b);
            prop_assert!((0.0..=1.0).contains(&x));
            prop_assert!((x - jaro_winkler(&b, &a)).abs() < 1e-12);
        }
    }
}
