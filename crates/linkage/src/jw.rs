//! Jaro–Winkler similarity on ASCII bytes without allocation (the
//! comparators call it millions of times). Gives the same values as
//! `strsim::jaro_winkler`, which it falls back to for long strings.

/// Jaro–Winkler similarity in [0, 1] (prefix scale 0.1, up to 4 characters,
/// applied above a Jaro similarity of 0.7).
pub(crate) fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len() > 128 || y.len() > 128 || !a.is_ascii() || !b.is_ascii() {
        return strsim::jaro_winkler(a, b);
    }
    let j = jaro(x, y);
    if j <= 0.7 {
        return j;
    }
    let prefix = x.iter().zip(y).take(4).take_while(|(p, q)| p == q).count() as f64;
    (j + 0.1 * prefix * (1.0 - j)).clamp(0.0, 1.0)
}

fn jaro(x: &[u8], y: &[u8]) -> f64 {
    if x.is_empty() && y.is_empty() {
        return 1.0;
    }
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    if x == y {
        return 1.0;
    }
    let window = (x.len().max(y.len()) / 2).saturating_sub(1);
    let mut y_used: u128 = 0;
    let mut x_used: u128 = 0;
    let mut matches = 0usize;
    for (i, c) in x.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(y.len());
        for j in lo..hi {
            if y_used & (1u128 << j) == 0 && y.get(j) == Some(c) {
                y_used |= 1u128 << j;
                x_used |= 1u128 << i;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut k = 0usize;
    for (i, c) in x.iter().enumerate() {
        if x_used & (1u128 << i) == 0 {
            continue;
        }
        while k < y.len() && y_used & (1u128 << k) == 0 {
            k += 1;
        }
        if y.get(k) != Some(c) {
            transpositions += 1;
        }
        k += 1;
    }
    let m = matches as f64;
    let t = (transpositions / 2) as f64;
    (m / x.len() as f64 + m / y.len() as f64 + (m - t) / m) / 3.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert!((jaro_winkler("martha", "marhta") - 0.9611).abs() < 1e-3);
        assert!((jaro_winkler("dixon", "dicksonx") - 0.8133).abs() < 1e-3);
        assert_eq!(jaro_winkler("", ""), 1.0);
        assert_eq!(jaro_winkler("a", ""), 0.0);
    }

    proptest! {
        #[test]
        fn agrees_with_strsim_and_is_symmetric(a in "[a-e]{0,12}", b in "[a-e]{0,12}") {
            let x = jaro_winkler(&a, &b);
            prop_assert!((x - strsim::jaro_winkler(&a, &b)).abs() < 1e-9, "{} {} {} {}", a, b, x, strsim::jaro_winkler(&a, &b));
            prop_assert!((x - jaro_winkler(&b, &a)).abs() < 1e-12);
            prop_assert!((0.0..=1.0).contains(&x));
        }
    }
}
