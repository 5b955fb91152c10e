//! Person search that tolerates typos: "Jon Smyth" finds "John Smith".
//!
//! A query is split into a date of birth, a postcode and name words. The
//! store fetches candidates by phonetic key (Soundex of each name), exact
//! date of birth or postcode, and this module ranks them.
use crate::person::{Postcode, parse_date};
use chrono::NaiveDate;

/// American Soundex of the letters of `s` (e.g. Smith, Smyth → S530).
/// Empty when `s` has no ASCII letters.
pub fn soundex(s: &str) -> String {
    fn code(c: char) -> char {
        match c {
            'B' | 'F' | 'P' | 'V' => '1',
            'C' | 'G' | 'J' | 'K' | 'Q' | 'S' | 'X' | 'Z' => '2',
            'D' | 'T' => '3',
            'L' => '4',
            'M' | 'N' => '5',
            'R' => '6',
            'H' | 'W' => '-',
            _ => '0',
        }
    }
    let letters: Vec<char> = s.chars().filter(char::is_ascii_alphabetic).map(|c| c.to_ascii_uppercase()).collect();
    let Some(&first) = letters.first() else { return String::new() };
    let mut out = String::from(first);
    let mut last = code(first);
    for &c in &letters[1..] {
        let k = code(c);
        if k == '-' {
            continue;
        }
        if k != '0' && k != last {
            out.push(k);
            if out.len() == 4 {
                break;
            }
        }
        last = k;
    }
    while out.len() < 4 {
        out.push('0');
    }
    out
}

/// A parsed search query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub names: Vec<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub postcode: Option<Postcode>,
    /// A postcode district or partial postcode typed on its own (e.g. "SO23").
    pub postcode_prefix: Option<String>,
}

impl Query {
    pub fn parse(raw: &str) -> Self {
        let mut q = Query::default();
        let raw = raw.trim();
        // A whole-query postcode first ("so23 8uj").
        if let Ok(p) = Postcode::parse("q", raw) {
            q.postcode = Some(p);
            return q;
        }
        let tokens: Vec<&str> = raw.split(|c: char| c.is_whitespace() || c == ',').filter(|t| !t.is_empty()).collect();
        let mut i = 0;
        while i < tokens.len() {
            let t = tokens[i];
            if let Some(d) = parse_date(t) {
                q.date_of_birth = Some(d);
            } else if i + 1 < tokens.len() && Postcode::parse("q", &format!("{t} {}", tokens[i + 1])).is_ok() {
                q.postcode = Postcode::parse("q", &format!("{t} {}", tokens[i + 1])).ok();
                i += 1;
            } else if t.chars().any(|c| c.is_ascii_digit()) {
                if t.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) && t.len() <= 4 {
                    q.postcode_prefix = Some(t.to_ascii_uppercase());
                }
            } else if t.chars().any(char::is_alphabetic) {
                q.names.push(t.to_lowercase());
            }
            i += 1;
        }
        q
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && self.date_of_birth.is_none() && self.postcode.is_none() && self.postcode_prefix.is_none()
    }

    /// Phonetic keys of the name words, for candidate retrieval.
    pub fn name_keys(&self) -> Vec<String> {
        let mut k: Vec<String> = self.names.iter().map(|n| soundex(n)).filter(|k| !k.is_empty()).collect();
        k.sort();
        k.dedup();
        k
    }

    /// How well a candidate matches, 0.0–1.0; below `MIN_SCORE` is not shown.
    pub fn score(&self, given: &str, family: &str, dob: Option<NaiveDate>, postcode: Option<&str>) -> f64 {
        let mut total = 0.0;
        let mut weight = 0.0;
        if !self.names.is_empty() {
            let cand: Vec<String> = given.split_whitespace().chain(family.split_whitespace()).map(str::to_lowercase).collect();
            // Greedy one-to-one assignment of query words to candidate names,
            // so "Jon Jones" cannot match "Jones" twice.
            let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
            for (i, n) in self.names.iter().enumerate() {
                for (j, c) in cand.iter().enumerate() {
                    pairs.push((name_similarity(n, c), i, j));
                }
            }
            pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
            let (mut used_q, mut used_c) = (vec![false; self.names.len()], vec![false; cand.len()]);
            let mut s = 0.0;
            for (sim, i, j) in pairs {
                if !used_q[i] && !used_c[j] {
                    used_q[i] = true;
                    used_c[j] = true;
                    s += sim;
                }
            }
            total += 3.0 * s / self.names.len() as f64;
            weight += 3.0;
        }
        if let Some(d) = self.date_of_birth {
            total += if dob == Some(d) { 2.0 } else { 0.0 };
            weight += 2.0;
        }
        if let Some(p) = &self.postcode {
            total += match postcode {
                Some(c) if c == p.as_str() => 1.0,
                Some(c) if c.starts_with(p.sector()) => 0.6,
                Some(c) if c.split(' ').next() == Some(p.district()) => 0.3,
                _ => 0.0,
            };
            weight += 1.0;
        }
        if let Some(pre) = &self.postcode_prefix {
            total += if postcode.is_some_and(|c| c.split(' ').next() == Some(pre.as_str())) { 1.0 } else { 0.0 };
            weight += 1.0;
        }
        if weight == 0.0 { 0.0 } else { total / weight }
    }
}

/// Minimum score for a result to be shown.
pub const MIN_SCORE: f64 = 0.80;

/// Similarity of two lower-case name words: Jaro–Winkler, lifted to 0.9
/// when they sound alike (Soundex) or one is the other's initial form.
pub fn name_similarity(a: &str, b: &str) -> f64 {
    let jw = strsim::jaro_winkler(a, b);
    let sounds = !a.is_empty() && soundex(a) == soundex(b);
    if sounds { jw.max(0.9) } else { jw }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn soundex_known_values() {
        assert_eq!(soundex("Robert"), "R163");
        assert_eq!(soundex("Rupert"), "R163");
        assert_eq!(soundex("Ashcraft"), "A261");
        assert_eq!(soundex("Tymczak"), "T522");
        assert_eq!(soundex("Pfister"), "P236");
        assert_eq!(soundex("Smith"), soundex("Smyth"));
        assert_eq!(soundex("Jon"), soundex("John"));
        assert_eq!(soundex("123"), "");
    }

    #[test]
    fn typo_query_finds_john_smith() {
        let q = Query::parse("Jon Smyth");
        assert_eq!(q.names, vec!["jon", "smyth"]);
        assert!(q.score("John", "Smith", None, None) >= MIN_SCORE);
        assert!(q.score("Mary", "Jones", None, None) < MIN_SCORE);
        assert!(q.score("John", "Smith", None, None) > q.score("Joan", "Smithers", None, None));
    }

    #[test]
    fn parses_dates_and_postcodes() {
        let q = Query::parse("smith 02/03/1985 so23 8uj");
        assert_eq!(q.names, vec!["smith"]);
        assert_eq!(q.date_of_birth, NaiveDate::from_ymd_opt(1985, 3, 2));
        assert_eq!(q.postcode.as_ref().map(|p| p.as_str()), Some("SO23 8UJ"));
        let q = Query::parse("SO23 8UJ");
        assert!(q.names.is_empty());
        assert!(q.postcode.is_some());
        let q = Query::parse("smith SO23");
        assert_eq!(q.postcode_prefix.as_deref(), Some("SO23"));
        assert!(Query::parse("  ").is_empty());
    }

    proptest! {
        #[test]
        fn score_is_bounded(q in "\\PC{0,30}", g in "[a-zA-Z]{0,10}", f in "[a-zA-Z]{0,10}") {
            let s = Query::parse(&q).score(&g, &f, None, None);
            prop_assert!((0.0..=1.0).contains(&s));
        }

        #[test]
        fn exact_name_always_found(g in "[a-z]{2,10}", f in "[a-z]{2,10}") {
            let q = Query::parse(&format!("{g} {f}"));
            prop_assert!(q.score(&g, &f, None, None) >= MIN_SCORE);
        }
    }
}
