//! Clustering without long chains. Accepted pairs are merged strongest
//! first (as single-linkage would), but two clusters are joined only if
//! every pair across them scores at or above the rejection threshold, so a
//! path A–B–C never puts A with C when A and C are clearly different people.
//! Clusters are also capped in size and, when linking sources that are each
//! free of duplicates, may be limited to one record per source.

use serde::{Deserialize, Serialize};

/// What the clustering did, for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterStats {
    /// Accepted pairs that joined two clusters.
    pub merges: u64,
    /// Accepted pairs not followed because some pair across the two
    /// clusters scored below the rejection threshold.
    pub refused_reject: u64,
    /// Accepted pairs not followed because of the size or one-per-source limit.
    pub refused_limit: u64,
}

/// Limits on the clusters.
pub(crate) struct Constraints<'a> {
    pub reject_weight: f64,
    pub max_cluster: usize,
    /// Source of each record, when at most one record per source is allowed.
    pub one_per_source: Option<&'a dyn Fn(u32) -> u8>,
}

struct Dsu {
    parent: Vec<u32>,
    members: Vec<Vec<u32>>,
}

impl Dsu {
    fn find(&mut self, x: u32) -> u32 {
        let mut r = x;
        while let Some(&p) = self.parent.get(r as usize) {
            if p == r {
                break;
            }
            r = p;
        }
        // path compression
        let mut y = x;
        while let Some(&p) = self.parent.get(y as usize) {
            if p == r {
                break;
            }
            if let Some(slot) = self.parent.get_mut(y as usize) {
                *slot = r;
            }
            y = p;
        }
        r
    }
}

/// Cluster `n` records given accepted `edges` (weight, a, b) and a scorer
/// for any pair. Returns a cluster number per record (numbered in order of
/// each cluster's first record) and statistics.
pub(crate) fn cluster(
    n: usize,
    mut edges: Vec<(f32, u32, u32)>,
    constraints: &Constraints<'_>,
    score: impl Fn(u32, u32) -> f64,
) -> (Vec<u32>, ClusterStats) {
    edges.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let mut dsu = Dsu { parent: (0..n as u32).collect(), members: (0..n as u32).map(|i| vec![i]).collect() };
    let mut stats = ClusterStats::default();
    for (_, a, b) in edges {
        let (ra, rb) = (dsu.find(a), dsu.find(b));
        if ra == rb {
            continue;
        }
        let (Some(ma), Some(mb)) = (dsu.members.get(ra as usize), dsu.members.get(rb as usize)) else {
            continue;
        };
        if ma.len() + mb.len() > constraints.max_cluster {
            stats.refused_limit += 1;
            continue;
        }
        if let Some(src) = constraints.one_per_source
            && ma.iter().any(|x| mb.iter().any(|y| src(*x) == src(*y)))
        {
            stats.refused_limit += 1;
            continue;
        }
        let ok =
            ma.iter().all(|&x| mb.iter().all(|&y| (x == a && y == b) || (x == b && y == a) || score(x, y) >= constraints.reject_weight));
        if !ok {
            stats.refused_reject += 1;
            continue;
        }
        // Merge the smaller into the larger.
        let (big, small) = if ma.len() >= mb.len() { (ra, rb) } else { (rb, ra) };
        let moved = std::mem::take(&mut dsu.members[small as usize]);
        dsu.members[big as usize].extend(moved);
        dsu.parent[small as usize] = big;
        stats.merges += 1;
    }
    let mut number = vec![u32::MAX; n];
    let mut next = 0u32;
    let mut out = vec![0u32; n];
    for i in 0..n as u32 {
        let r = dsu.find(i) as usize;
        if number[r] == u32::MAX {
            number[r] = next;
            next += 1;
        }
        out[i as usize] = number[r];
    }
    (out, stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn constraints(reject: f64) -> Constraints<'static> {
        Constraints { reject_weight: reject, max_cluster: 1000, one_per_source: None }
    }

    #[test]
    fn a_chain_does_not_join_different_people() {
        // A–B and B–C are strong, A–C is a clear non-match.
        let s = |x: u32, y: u32| match (x.min(y), x.max(y)) {
            (0, 1) => 20.0,
            (1, 2) => 15.0,
            (0, 2) => -10.0,
            _ => -30.0,
        };
        let (c, st) = cluster(3, vec![(20.0, 0, 1), (15.0, 1, 2)], &constraints(-5.0), s);
        assert_eq!(c[0], c[1]);
        assert_ne!(c[0], c[2]);
        assert_eq!(st.refused_reject, 1);
    }

    #[test]
    fn one_per_source_is_kept() {
        let src = |x: u32| u8::from(x >= 2);
        let cons = Constraints { reject_weight: -100.0, max_cluster: 10, one_per_source: Some(&src) };
        let (c, _) = cluster(4, vec![(10.0, 0, 2), (9.0, 1, 2), (8.0, 1, 3)], &cons, |_, _| 0.0);
        assert_eq!(c[0], c[2]);
        assert_ne!(c[1], c[2]);
        assert_eq!(c[1], c[3]);
    }

    proptest! {
        /// Whatever the scores, no two records in one cluster score below
        /// the rejection threshold, and every accepted pair whose records
        /// end up apart was refused for a reason.
        #[test]
        fn clusters_never_hold_a_rejected_pair(
            n in 2usize..14,
            raw in proptest::collection::vec(-20.0f64..20.0, 14 * 14),
            accept in 0.0f64..10.0,
            reject in -10.0f64..0.0,
        ) {
            let score = |x: u32, y: u32| {
                let (a, b) = (x.min(y) as usize, x.max(y) as usize);
                raw[a * 14 + b]
            };
            let mut edges = Vec::new();
            for a in 0..n as u32 {
                for b in (a + 1)..n as u32 {
                    if score(a, b) >= accept {
                        edges.push((score(a, b) as f32, a, b));
                    }
                }
            }
            let (c, _) = cluster(n, edges.clone(), &constraints(reject), score);
            for a in 0..n as u32 {
                for b in (a + 1)..n as u32 {
                    if c[a as usize] == c[b as usize] {
                        prop_assert!(score(a, b) >= reject, "{a} and {b} merged at {}", score(a, b));
                    }
                }
            }
            // Accepted pairs with no conflict at all are always together.
            for (_, a, b) in edges {
                let conflict = (0..n as u32).any(|x| (0..n as u32).any(|y| score(x, y) < reject && x != y));
                if !conflict {
                    prop_assert_eq!(c[a as usize], c[b as usize]);
                }
            }
        }
    }
}
