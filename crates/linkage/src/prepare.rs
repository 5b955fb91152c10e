//! Normalisation: each record is turned once into the form that the
//! comparators and blocking rules read (normalised strings, phonetic codes,
//! postcode parts, address tokens, name frequencies).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use rphonetic::DoubleMetaphone;

use crate::nicknames;
use crate::record::{Date, Record, Sex};

/// A normalised name.
#[derive(Debug, Clone)]
pub(crate) struct Name {
    /// Lower-case ASCII letters only ("O'Brien-Smith" → "obriensmith").
    pub norm: Box<str>,
    /// Hashes of `norm` and `first` (cheap equality tests).
    pub norm_hash: u64,
    pub first_hash: u64,
    /// First word, normalised (for nicknames).
    pub first: Box<str>,
    /// Hash of the canonical form of the first word (nicknames resolved).
    pub canon: u64,
    /// Double Metaphone primary and alternate codes, hashed; 0 if none.
    pub phon: u64,
    pub phon_alt: u64,
    /// Hash of the phonetic code of the canonical form (used by blocking).
    pub canon_phon: u64,
    /// Relative frequency of `norm` among the names in the data (0 if unknown).
    pub tf: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct Postcode {
    pub full: Box<str>,
    pub full_hash: u64,
    pub sector: u64,
    pub district: u64,
}

/// One address word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub hash: u64,
    pub text: Box<str>,
    /// May carry a typo and still match (four letters or more, no digits).
    pub fuzzy: bool,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Prepared {
    pub given: Option<Name>,
    pub family: Option<Name>,
    pub dob: Option<Date>,
    pub sex: Option<Sex>,
    pub postcode: Option<Postcode>,
    /// Normalised tokens, de-duplicated, sorted by hash.
    pub address: Option<Vec<Token>>,
    /// The address squashed (see `tokenise_address`), and its hash (0 if none).
    pub address_flat: Box<str>,
    pub address_flat_hash: u64,
}

pub(crate) fn hash_str(s: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    // Keep 0 free as "no key".
    h.finish() | 1
}

pub(crate) fn hash_parts(parts: &[u64]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut h);
    h.finish() | 1
}

/// Fold common Latin accents to ASCII, keep letters, lower-case.
pub(crate) fn normalise_name(raw: &str) -> (String, String) {
    let mut norm = String::with_capacity(raw.len());
    let mut first = String::new();
    let mut in_first = true;
    let mut seen_letter = false;
    for c in raw.chars() {
        let folded = fold(c);
        match folded {
            Some(l) => {
                norm.push(l);
                if in_first {
                    first.push(l);
                }
                seen_letter = true;
            }
            None => {
                if (c.is_whitespace() || c == '-') && seen_letter {
                    in_first = false;
                }
            }
        }
    }
    (norm, first)
}

fn fold(c: char) -> Option<char> {
    let l = match c {
        'a'..='z' => c,
        'A'..='Z' => c.to_ascii_lowercase(),
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
        'ç' | 'Ç' | 'ć' | 'č' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ñ' | 'Ñ' | 'ń' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' => 'y',
        'ß' => 's',
        'ł' | 'Ł' => 'l',
        'ś' | 'š' | 'Ś' | 'Š' => 's',
        'ż' | 'ź' | 'ž' | 'Ż' | 'Ź' | 'Ž' => 'z',
        _ => return None,
    };
    Some(l)
}

pub(crate) fn phonetic(encoder: &DoubleMetaphone, s: &str) -> (u64, u64) {
    if s.is_empty() {
        return (0, 0);
    }
    let r = encoder.double_metaphone(s);
    let p = r.primary();
    let a = r.alternate();
    let ph = if p.is_empty() { 0 } else { hash_str(&p) };
    let ah = if a.is_empty() { ph } else { hash_str(&a) };
    (ph, ah)
}

fn prepare_name(encoder: &DoubleMetaphone, raw: Option<&str>, use_nicknames: bool) -> Option<Name> {
    let (norm, first) = normalise_name(raw?);
    if norm.is_empty() {
        return None;
    }
    let canon_str = if use_nicknames { nicknames::canonical(&first) } else { first.as_str() };
    let canon = hash_str(canon_str);
    let (phon, phon_alt) = phonetic(encoder, &first);
    let canon_phon = if canon_str == first.as_str() { phon } else { phonetic(encoder, canon_str).0 };
    Some(Name {
        norm_hash: hash_str(&norm),
        first_hash: hash_str(&first),
        norm: norm.into_boxed_str(),
        first: first.into_boxed_str(),
        canon,
        phon,
        phon_alt,
        canon_phon,
        tf: 0.0,
    })
}

/// Upper-case alphanumerics of a postcode; UK postcodes split into sector
/// (outward code + first inward digit) and district (outward code). Other
/// codes (e.g. four-digit Australian ones) use the prefix one and two
/// characters shorter.
pub(crate) fn prepare_postcode(raw: Option<&str>) -> Option<Postcode> {
    let full: String = raw?.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
    if full.is_empty() {
        return None;
    }
    let b = full.as_bytes();
    let n = b.len();
    let uk = (5..=7).contains(&n)
        && b[n - 3].is_ascii_digit()
        && b[n - 2].is_ascii_alphabetic()
        && b[n - 1].is_ascii_alphabetic()
        && b[0].is_ascii_alphabetic();
    let (sector, district) = if uk {
        (&full[..n - 2], &full[..n - 3])
    } else if n >= 3 {
        (&full[..n - 1], &full[..n - 2])
    } else {
        (full.as_str(), full.as_str())
    };
    Some(Postcode { full_hash: hash_str(&full), sector: hash_str(sector), district: hash_str(district), full: full.into_boxed_str() })
}

const ABBREVIATIONS: &[(&str, &str)] = &[
    ("rd", "road"),
    ("st", "street"),
    ("str", "street"),
    ("ave", "avenue"),
    ("av", "avenue"),
    ("ln", "lane"),
    ("cl", "close"),
    ("dr", "drive"),
    ("ct", "court"),
    ("crt", "court"),
    ("cres", "crescent"),
    ("pl", "place"),
    ("gdns", "gardens"),
    ("sq", "square"),
    ("flt", "flat"),
    ("apt", "flat"),
    ("apartment", "flat"),
    ("ter", "terrace"),
    ("terr", "terrace"),
    ("pde", "parade"),
    ("hwy", "highway"),
    ("wy", "way"),
    ("mt", "mount"),
    ("nth", "north"),
    ("sth", "south"),
];

/// Address tokens (sorted, de-duplicated, abbreviations expanded) and the
/// address squashed to lower-case ASCII letters and digits in order (for a
/// string comparison that survives split or joined words).
pub(crate) fn tokenise_address(raw: Option<&str>) -> Option<(Vec<Token>, Box<str>)> {
    let raw = raw?;
    let ordered: Vec<String> = raw
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(|t| {
            let lower = t.to_lowercase();
            ABBREVIATIONS.iter().find(|(short, _)| *short == lower).map(|(_, long)| (*long).to_string()).unwrap_or(lower)
        })
        .collect();
    let flat: String = ordered.iter().flat_map(|t| t.chars()).filter(|c| c.is_ascii_alphanumeric()).collect();
    let mut tokens: Vec<Token> = ordered
        .into_iter()
        .map(|t| Token { hash: hash_str(&t), fuzzy: t.len() >= 4 && !t.bytes().any(|b| b.is_ascii_digit()), text: t.into_boxed_str() })
        .collect();
    tokens.sort_unstable_by(|x, y| x.hash.cmp(&y.hash).then_with(|| x.text.cmp(&y.text)));
    tokens.dedup_by(|x, y| x.hash == y.hash);
    if tokens.is_empty() { None } else { Some((tokens, flat.into_boxed_str())) }
}

pub(crate) fn prepare(record: &Record, encoder: &DoubleMetaphone) -> Prepared {
    let (address, address_flat) = match tokenise_address(record.address.as_deref()) {
        Some((t, f)) => (Some(t), f),
        None => (None, Box::from("")),
    };
    Prepared {
        given: prepare_name(encoder, record.given_name.as_deref(), true),
        family: prepare_name(encoder, record.family_name.as_deref(), false),
        dob: record.date_of_birth,
        sex: record.sex,
        postcode: prepare_postcode(record.postcode.as_deref()),
        address,
        address_flat_hash: if address_flat.is_empty() { 0 } else { hash_str(&address_flat) },
        address_flat,
    }
}

/// Name frequencies: counts of normalised given and family names.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TermFrequencies {
    /// Number of non-missing given names counted.
    pub given_total: u64,
    pub family_total: u64,
    /// Counts of names seen at least twice (rarer names count as seen once).
    pub given: HashMap<String, u64>,
    pub family: HashMap<String, u64>,
}

impl TermFrequencies {
    pub(crate) fn count(prepared: &[Prepared]) -> TermFrequencies {
        use rayon::prelude::*;
        type Counts<'a> = (HashMap<&'a str, u64>, HashMap<&'a str, u64>, u64, u64);
        let (given, family, given_total, family_total) = prepared
            .par_chunks(8192)
            .fold(
                || -> Counts<'_> { (HashMap::new(), HashMap::new(), 0, 0) },
                |mut acc, chunk| {
                    for p in chunk {
                        if let Some(g) = &p.given {
                            acc.2 += 1;
                            *acc.0.entry(&*g.norm).or_insert(0) += 1;
                        }
                        if let Some(f) = &p.family {
                            acc.3 += 1;
                            *acc.1.entry(&*f.norm).or_insert(0) += 1;
                        }
                    }
                    acc
                },
            )
            .reduce(
                || (HashMap::new(), HashMap::new(), 0, 0),
                |mut a, b| {
                    for (k, v) in b.0 {
                        *a.0.entry(k).or_insert(0) += v;
                    }
                    for (k, v) in b.1 {
                        *a.1.entry(k).or_insert(0) += v;
                    }
                    (a.0, a.1, a.2 + b.2, a.3 + b.3)
                },
            );
        let keep = |m: HashMap<&str, u64>| -> HashMap<String, u64> {
            m.into_iter().filter(|(_, c)| *c >= 2).map(|(k, c)| (k.to_string(), c)).collect()
        };
        TermFrequencies { given_total, family_total, given: keep(given), family: keep(family) }
    }

    fn freq(map: &HashMap<String, u64>, total: u64, name: &str) -> f64 {
        if total == 0 {
            return 0.0;
        }
        let c = map.get(name).copied().unwrap_or(1);
        c as f64 / total as f64
    }

    pub(crate) fn apply(&self, p: &mut Prepared) {
        if let Some(g) = &mut p.given {
            g.tf = Self::freq(&self.given, self.given_total, &g.norm);
        }
        if let Some(f) = &mut p.family {
            f.tf = Self::freq(&self.family, self.family_total, &f.norm);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_folded() {
        assert_eq!(normalise_name("O'Brien-Smith").0, "obriensmith");
        assert_eq!(normalise_name("O'Brien-Smith").1, "obrien");
        assert_eq!(normalise_name(" Zoë  Anne").1, "zoe");
    }

    #[test]
    fn uk_postcodes_split() {
        let a = prepare_postcode(Some("so23 8ug")).unwrap();
        let b = prepare_postcode(Some("SO238UX")).unwrap();
        let c = prepare_postcode(Some("SO23 9AA")).unwrap();
        assert_eq!(&*a.full, "SO238UG");
        assert_eq!(a.sector, b.sector);
        assert_ne!(a.sector, c.sector);
        assert_eq!(a.district, c.district);
        let au = prepare_postcode(Some("2615")).unwrap();
        assert_eq!(au.district, hash_str("26"));
    }

    #[test]
    fn addresses_tokenise_with_abbreviations() {
        let (t, flat) = tokenise_address(Some("12 High St, Winchester")).unwrap();
        let mut v: Vec<&str> = t.iter().map(|s| &*s.text).collect();
        v.sort_unstable();
        assert_eq!(v, ["12", "high", "street", "winchester"]);
        assert_eq!(&*flat, "12highstreetwinchester");
    }

    #[test]
    fn nicknames_share_canonical_phonetics() {
        let e = DoubleMetaphone::default();
        let a = prepare_name(&e, Some("Bob"), true).unwrap();
        let b = prepare_name(&e, Some("Robert"), true).unwrap();
        assert_eq!(a.canon, b.canon);
        assert_eq!(a.canon_phon, b.canon_phon);
    }
}
