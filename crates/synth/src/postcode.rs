//! Invented postcodes: real UK format, areas that do not exist.
//!
//! Format rules (Royal Mail PAF): the area's first letter is never Q, V or X
//! and its second never I, J or Z; the inward code is a digit and two letters
//! from `ABDEFGHJLNPQRSTUWXYZ` (never C, I, K, M, O or V).
use rand::Rng;

/// Letters allowed in the last two positions of the inward code.
pub const INWARD_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";

/// Every geographic and non-geographic postcode area in use in the UK, the
/// Crown dependencies and BFPO. Synthetic areas must avoid all of them.
pub const REAL_AREAS: &[&str] = &[
    "AB", "AL", "B", "BA", "BB", "BD", "BF", "BH", "BL", "BN", "BR", "BS", "BT", "BX", "CA", "CB", "CF", "CH", "CM", "CO", "CR", "CT",
    "CV", "CW", "DA", "DD", "DE", "DG", "DH", "DL", "DN", "DT", "DY", "E", "EC", "EH", "EN", "EX", "FK", "FY", "G", "GL", "GU", "GY", "HA",
    "HD", "HG", "HP", "HR", "HS", "HU", "HX", "IG", "IM", "IP", "IV", "JE", "KA", "KT", "KW", "KY", "L", "LA", "LD", "LE", "LL", "LN",
    "LS", "LU", "M", "ME", "MK", "ML", "N", "NE", "NG", "NN", "NP", "NR", "NW", "OL", "OX", "PA", "PE", "PH", "PL", "PO", "PR", "RG", "RH",
    "RM", "S", "SA", "SE", "SG", "SK", "SL", "SM", "SN", "SO", "SP", "SR", "SS", "ST", "SW", "SY", "TA", "TD", "TF", "TN", "TQ", "TR",
    "TS", "TW", "UB", "W", "WA", "WC", "WD", "WF", "WN", "WR", "WS", "WV", "XX", "YO", "ZE",
];

/// Whether a two-letter area obeys the format rules and is not a real area.
pub fn is_invented_area(area: &str) -> bool {
    let b = area.as_bytes();
    let [a, c] = b else { return false };
    a.is_ascii_uppercase()
        && c.is_ascii_uppercase()
        && !matches!(a, b'Q' | b'V' | b'X')
        && !matches!(c, b'I' | b'J' | b'Z')
        && !REAL_AREAS.contains(&area)
}

/// A random inward code such as `7PL`.
pub(crate) fn inward<R: Rng + ?Sized>(rng: &mut R) -> String {
    let d = rng.gen_range(1..=9u8);
    let l = |rng: &mut R| {
        let i = rng.gen_range(0..INWARD_LETTERS.len());
        INWARD_LETTERS.get(i).map_or('A', |&b| b as char)
    };
    let (a, b) = (l(rng), l(rng));
    format!("{d}{a}{b}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn invented_areas_are_well_formed_and_not_real() {
        for a in ["WX", "WY", "WH"] {
            assert!(is_invented_area(a), "{a}");
        }
        for a in ["SO", "PO", "WA", "XX", "QZ", "VA", "AZ", "W", "WXY"] {
            assert!(!is_invented_area(a), "{a}");
        }
    }

    #[test]
    fn inward_codes_avoid_the_excluded_letters() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..2000 {
            let i = inward(&mut rng);
            let b = i.as_bytes();
            assert_eq!(b.len(), 3, "{i}");
            assert!(b.first().is_some_and(|c| (b'1'..=b'9').contains(c)), "{i}");
            assert!(b.iter().skip(1).all(|c| INWARD_LETTERS.contains(c)), "{i}");
            assert!(!i.contains(['C', 'I', 'K', 'M', 'O', 'V']), "{i}");
        }
    }
}
