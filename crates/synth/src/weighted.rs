//! Sampling from small weighted tables without panics or indexing.
use rand::Rng;

/// A non-empty table of values with relative weights: the constructor takes
/// the first entry separately, so an empty table cannot be built.
#[derive(Debug, Clone)]
pub(crate) struct Weighted<T> {
    first: T,
    items: Vec<T>,
    /// Cumulative weights, one per item.
    cum: Vec<f64>,
    total: f64,
}

impl<T: Copy> Weighted<T> {
    pub(crate) fn new(first: (T, f64), rest: &[(T, f64)]) -> Self {
        let mut items = Vec::with_capacity(rest.len() + 1);
        let mut cum = Vec::with_capacity(rest.len() + 1);
        let mut total = 0.0;
        for &(t, w) in std::iter::once(&first).chain(rest) {
            total += w.max(0.0);
            items.push(t);
            cum.push(total);
        }
        Self { first: first.0, items, cum, total }
    }

    /// Zipf-like weights over a ranked list: weight ∝ 1 / (rank + offset)^s,
    /// so the first few entries are common and the tail is long.
    pub(crate) fn zipf(first: T, rest: &[T], offset: f64, s: f64) -> Self {
        let w = |rank: usize| 1.0 / (rank as f64 + offset).powf(s);
        let pairs: Vec<(T, f64)> = rest.iter().enumerate().map(|(i, &t)| (t, w(i + 1))).collect();
        Self::new((first, w(0)), &pairs)
    }

    pub(crate) fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> T {
        let u = rng.gen_range(0.0..self.total.max(f64::MIN_POSITIVE));
        let i = self.cum.partition_point(|&c| c <= u);
        self.items.get(i).copied().unwrap_or(self.first)
    }

    /// The share of the total weight carried by values matching `f`.
    #[cfg(test)]
    pub(crate) fn share(&self, f: impl Fn(T) -> bool) -> f64 {
        let mut prev = 0.0;
        let mut s = 0.0;
        for (&t, &c) in self.items.iter().zip(&self.cum) {
            if f(t) {
                s += c - prev;
            }
            prev = c;
        }
        s / self.total
    }
}

/// A uniform pick from a non-empty list given as head and tail.
pub(crate) fn pick<T: Copy, R: Rng + ?Sized>(rng: &mut R, first: T, rest: &[T]) -> T {
    let i = rng.gen_range(0..=rest.len());
    if i == 0 { first } else { rest.get(i - 1).copied().unwrap_or(first) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn samples_follow_weights() {
        let t = Weighted::new(('a', 1.0), &[('b', 3.0), ('c', 0.0)]);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let n = 40_000;
        let b = (0..n).filter(|_| t.sample(&mut rng) == 'b').count();
        let share = b as f64 / n as f64;
        assert!((share - 0.75).abs() < 0.01, "{share}");
        assert!((t.share(|c| c == 'b') - 0.75).abs() < 1e-9);
    }

    #[test]
    fn zipf_favours_the_head() {
        let t = Weighted::zipf(0u8, &[1, 2, 3, 4, 5, 6, 7, 8, 9], 1.0, 1.0);
        assert!(t.share(|x| x == 0) > t.share(|x| x == 9) * 5.0);
    }
}
