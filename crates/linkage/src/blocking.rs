//! Blocking: only records that share a key under at least one rule are
//! compared. Several rules are unioned; a pair found by rule r is skipped if
//! an earlier rule already put both records in one block, so each pair is
//! scored once. Blocks larger than `max_block` are split on further keys
//! and, if still too large, compared within a sliding window over records
//! sorted by name, so cost stays near-linear in the number of records.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::compare::{NUM_FIELDS, Pattern, compare};
use crate::prepare::{Prepared, hash_parts};
use crate::progress::Progress;

/// A blocking rule: records with equal keys are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockingRule {
    /// Same date of birth.
    DateOfBirth,
    /// Same date of birth and first letter of family name.
    DateOfBirthFamilyInitial,
    /// Same phonetic codes of given name (nicknames resolved) and family
    /// name, in either order (so swapped names meet).
    Names,
    /// Same full postcode and first letter of family name.
    PostcodeFamilyInitial,
    /// Same phonetic code of family name, year of birth and first letter of
    /// given name (catches a mistyped day or month).
    FamilyBirthYear,
    /// Same phonetic code of given name (nicknames resolved) and date of
    /// birth (catches a changed family name).
    GivenDateOfBirth,
    /// Same phonetic code of given name (nicknames resolved) and full
    /// postcode (a changed family name with a mistyped date).
    GivenPostcode,
}

impl BlockingRule {
    /// The default rules, in the order used to de-duplicate pairs.
    pub const DEFAULT: [BlockingRule; 5] = [
        BlockingRule::DateOfBirth,
        BlockingRule::Names,
        BlockingRule::PostcodeFamilyInitial,
        BlockingRule::FamilyBirthYear,
        BlockingRule::GivenPostcode,
    ];

    /// The block key of a record (0 = the record is in no block).
    pub(crate) fn key(self, p: &Prepared) -> u64 {
        let tag = self as u64 + 1;
        let initial = |n: &Option<crate::prepare::Name>| n.as_ref().and_then(|n| n.norm.bytes().next()).map(u64::from);
        let given_phon = p.given.as_ref().map(|g| g.canon_phon).filter(|c| *c != 0);
        let dob = p.dob.map(|d| (u64::from(d.year) << 16) | (u64::from(d.month) << 8) | u64::from(d.day));
        let postcode = p.postcode.as_ref().map(|pc| crate::prepare::hash_str(&pc.full));
        let key = match self {
            BlockingRule::DateOfBirth => dob.map(|d| hash_parts(&[tag, d])),
            BlockingRule::DateOfBirthFamilyInitial => dob.zip(initial(&p.family)).map(|(d, i)| hash_parts(&[tag, d, i])),
            BlockingRule::Names => match (&p.given, &p.family) {
                (Some(g), Some(f)) if g.canon_phon != 0 && f.phon != 0 => {
                    let (a, b) = if g.canon_phon <= f.phon { (g.canon_phon, f.phon) } else { (f.phon, g.canon_phon) };
                    Some(hash_parts(&[tag, a, b]))
                }
                _ => None,
            },
            BlockingRule::PostcodeFamilyInitial => postcode.zip(initial(&p.family)).map(|(pc, i)| hash_parts(&[tag, pc, i])),
            BlockingRule::FamilyBirthYear => match (&p.family, p.dob, initial(&p.given)) {
                (Some(f), Some(d), Some(i)) if f.phon != 0 => Some(hash_parts(&[tag, f.phon, u64::from(d.year), i])),
                _ => None,
            },
            BlockingRule::GivenDateOfBirth => given_phon.zip(dob).map(|(g, d)| hash_parts(&[tag, g, d])),
            BlockingRule::GivenPostcode => given_phon.zip(postcode).map(|(g, pc)| hash_parts(&[tag, g, pc])),
        };
        key.unwrap_or(0)
    }

    /// Fields whose agreement this rule forces (left out of EM for the
    /// pairs it finds).
    pub(crate) fn blocked_fields(self) -> [bool; NUM_FIELDS] {
        // given, family, dob, sex, location
        match self {
            BlockingRule::DateOfBirth => [false, false, true, false, false],
            BlockingRule::DateOfBirthFamilyInitial => [false, true, true, false, false],
            BlockingRule::Names => [true, true, false, false, false],
            BlockingRule::PostcodeFamilyInitial => [false, true, false, false, true],
            BlockingRule::FamilyBirthYear => [true, true, true, false, false],
            BlockingRule::GivenDateOfBirth => [true, false, true, false, false],
            BlockingRule::GivenPostcode => [true, false, false, false, true],
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            BlockingRule::DateOfBirth => "date_of_birth",
            BlockingRule::DateOfBirthFamilyInitial => "date_of_birth_family_initial",
            BlockingRule::Names => "names",
            BlockingRule::PostcodeFamilyInitial => "postcode_family_initial",
            BlockingRule::FamilyBirthYear => "family_birth_year",
            BlockingRule::GivenDateOfBirth => "given_date_of_birth",
            BlockingRule::GivenPostcode => "given_postcode",
        }
    }
}

/// Extra keys used to split an oversized block.
fn sub_key(level: u8, key: u64, p: &Prepared) -> u64 {
    let initial = |n: &Option<crate::prepare::Name>| n.as_ref().and_then(|n| n.norm.bytes().next()).map(u64::from).unwrap_or(0);
    match level {
        0 => hash_parts(&[key, initial(&p.family), initial(&p.given), p.sex.map(|s| s as u64 + 1).unwrap_or(0)]),
        _ => hash_parts(&[key, p.dob.map(|d| u64::from(d.year)).unwrap_or(0), p.postcode.as_ref().map(|pc| pc.district).unwrap_or(0)]),
    }
}

/// One compared pair: record indices (`a < b`) and comparison vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct CandidatePair {
    pub a: u32,
    pub b: u32,
    pub pattern: Pattern,
}

/// Blocking statistics, for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockingStats {
    /// Pairs first found by each rule, in rule order.
    pub pairs_per_rule: Vec<u64>,
    /// Blocks split on extra keys because they exceeded `max_block`.
    pub split_blocks: u64,
    /// Blocks still too large after splitting, compared within a window.
    pub windowed_blocks: u64,
    pub candidate_pairs: u64,
}

pub(crate) struct Candidates {
    pub pairs: Vec<CandidatePair>,
    /// (pattern, bit mask of rules whose keys agree) → count.
    pub counts: HashMap<(Pattern, u8), u64>,
    pub stats: BlockingStats,
}

#[derive(Clone, Copy)]
struct Group {
    rule: usize,
    start: usize,
    end: usize,
    windowed: bool,
}

/// Settings for blocking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BlockingSettings {
    pub rules: Vec<BlockingRule>,
    /// Largest block compared in full (all pairs).
    pub max_block: usize,
    /// Neighbours compared on each side in a block still too large after splitting.
    pub window: usize,
}

impl Default for BlockingSettings {
    fn default() -> BlockingSettings {
        BlockingSettings { rules: BlockingRule::DEFAULT.to_vec(), max_block: 150, window: 40 }
    }
}

/// Generate and compare candidate pairs. With `left_len = Some(k)`, records
/// `0..k` are one source and `k..` the other, and only cross pairs count.
pub(crate) fn candidates(
    prepared: &[Prepared],
    left_len: Option<usize>,
    settings: &BlockingSettings,
    progress: &dyn Progress,
) -> Candidates {
    let n = prepared.len();
    progress.start("blocking", n as u64);
    let rules = &settings.rules;
    let nr = rules.len().min(8);
    let max_block = settings.max_block.max(2);
    // keys[i * nr + r]
    let mut keys: Vec<u64> = prepared.par_iter().flat_map_iter(|p| rules.iter().take(nr).map(move |r| r.key(p))).collect();
    let mut sorted: Vec<Vec<(u64, u32)>> = Vec::with_capacity(nr);
    let mut groups: Vec<Group> = Vec::new();
    let mut stats = BlockingStats { pairs_per_rule: vec![0; nr], ..BlockingStats::default() };
    let cross = |i: u32, j: u32| match left_len {
        None => true,
        Some(k) => ((i as usize) < k) != ((j as usize) < k),
    };
    for r in 0..nr {
        let mut entries: Vec<(u64, u32)> = (0..n)
            .filter_map(|i| {
                let k = keys.get(i * nr + r).copied().unwrap_or(0);
                (k != 0).then_some((k, i as u32))
            })
            .collect();
        entries.par_sort_unstable();
        // Split oversized blocks on extra keys, up to two levels.
        for level in 0..2u8 {
            let mut changed = false;
            let mut s = 0;
            while s < entries.len() {
                let e = run_end(&entries, s);
                if e - s > max_block {
                    changed = true;
                    if level == 0 {
                        stats.split_blocks += 1;
                    }
                    for entry in entries.iter_mut().take(e).skip(s) {
                        let i = entry.1 as usize;
                        if let Some(p) = prepared.get(i) {
                            entry.0 = sub_key(level, entry.0, p);
                        }
                    }
                }
                s = e;
            }
            if !changed {
                break;
            }
            entries.par_sort_unstable();
        }
        // Record the final keys, find groups.
        let mut s = 0;
        while s < entries.len() {
            let e = run_end(&entries, s);
            let windowed = e - s > max_block;
            if windowed {
                stats.windowed_blocks += 1;
                // Sort the block by name so that similar records are neighbours;
                // its key no longer guarantees full comparison, so clear it.
                if let Some(block) = entries.get_mut(s..e) {
                    block.sort_by(|x, y| {
                        let name = |i: u32| {
                            prepared
                                .get(i as usize)
                                .map(|p| (p.family.as_ref().map(|f| f.norm.clone()), p.given.as_ref().map(|g| g.norm.clone())))
                        };
                        name(x.1).cmp(&name(y.1)).then(x.1.cmp(&y.1))
                    });
                }
            }
            for entry in entries.iter().take(e).skip(s) {
                if let Some(k) = keys.get_mut(entry.1 as usize * nr + r) {
                    *k = if windowed { 0 } else { entry.0 };
                }
            }
            if e - s >= 2 {
                groups.push(Group { rule: r, start: s, end: e, windowed });
            }
            s = e;
        }
        sorted.push(entries);
    }
    let any_windowed = stats.windowed_blocks > 0;
    let window = settings.window.max(1);
    let total_work: u64 = groups
        .iter()
        .map(|g| {
            let len = (g.end - g.start) as u64;
            if g.windowed { len * window as u64 } else { len * (len - 1) / 2 }
        })
        .sum();
    progress.start("comparing candidate pairs", total_work);
    let done = AtomicU64::new(0);
    let keys = &keys;
    let sorted = &sorted;

    #[derive(Default)]
    struct Local {
        pairs: Vec<CandidatePair>,
        counts: HashMap<(Pattern, u8), u64>,
        per_rule: [u64; 8],
    }
    let local = groups
        .par_iter()
        .fold(Local::default, |mut acc, g| {
            let Some(block) = sorted.get(g.rule).and_then(|v| v.get(g.start..g.end)) else {
                return acc;
            };
            let mut visit = |i: u32, j: u32| {
                if !cross(i, j) {
                    return;
                }
                let (a, b) = if i < j { (i, j) } else { (j, i) };
                let (ka, kb) = (a as usize * nr, b as usize * nr);
                let mut mask = 0u8;
                for r in 0..nr {
                    let (x, y) = (keys.get(ka + r).copied().unwrap_or(0), keys.get(kb + r).copied().unwrap_or(0));
                    if x != 0 && x == y {
                        if r < g.rule {
                            // An earlier rule compares this pair.
                            return;
                        }
                        mask |= 1 << r;
                    }
                }
                if g.windowed {
                    mask |= 1 << g.rule;
                }
                let (Some(pa), Some(pb)) = (prepared.get(a as usize), prepared.get(b as usize)) else {
                    return;
                };
                let pattern = compare(pa, pb);
                *acc.counts.entry((pattern, mask)).or_insert(0) += 1;
                if let Some(c) = acc.per_rule.get_mut(g.rule) {
                    *c += 1;
                }
                acc.pairs.push(CandidatePair { a, b, pattern });
            };
            let len = block.len();
            let work = if g.windowed {
                for x in 0..len {
                    for y in (x + 1)..len.min(x + 1 + window) {
                        if let (Some(p), Some(q)) = (block.get(x), block.get(y)) {
                            visit(p.1, q.1);
                        }
                    }
                }
                (len * window) as u64
            } else {
                for x in 0..len {
                    for y in (x + 1)..len {
                        if let (Some(p), Some(q)) = (block.get(x), block.get(y)) {
                            visit(p.1, q.1);
                        }
                    }
                }
                (len * (len - 1) / 2) as u64
            };
            let before = done.fetch_add(work, Ordering::Relaxed);
            if (before + work) / 1_000_000 != before / 1_000_000 {
                progress.set(before + work);
            }
            acc
        })
        .reduce(Local::default, |mut a, mut b| {
            if a.pairs.len() < b.pairs.len() {
                std::mem::swap(&mut a, &mut b);
            }
            a.pairs.append(&mut b.pairs);
            for (k, v) in b.counts {
                *a.counts.entry(k).or_insert(0) += v;
            }
            for (x, y) in a.per_rule.iter_mut().zip(b.per_rule) {
                *x += y;
            }
            a
        });
    progress.finish();
    let mut pairs = local.pairs;
    let mut counts = local.counts;
    if any_windowed {
        // A windowed block's key was cleared, so a later rule may have
        // found the same pair again: keep one of each.
        pairs.par_sort_unstable();
        let before = pairs.len();
        pairs.dedup_by(|x, y| x.a == y.a && x.b == y.b);
        if pairs.len() != before {
            // Rebuild counts without the duplicates (masks are approximate
            // for windowed pairs).
            counts.clear();
            for p in &pairs {
                let mut mask = 0u8;
                for r in 0..nr {
                    let (x, y) =
                        (keys.get(p.a as usize * nr + r).copied().unwrap_or(0), keys.get(p.b as usize * nr + r).copied().unwrap_or(0));
                    if x != 0 && x == y {
                        mask |= 1 << r;
                    }
                }
                *counts.entry((p.pattern, mask)).or_insert(0) += 1;
            }
        }
    }
    stats.pairs_per_rule = local.per_rule.iter().take(nr).copied().collect();
    stats.candidate_pairs = pairs.len() as u64;
    Candidates { pairs, counts, stats }
}

fn run_end(entries: &[(u64, u32)], s: usize) -> usize {
    let k = entries.get(s).map(|e| e.0);
    let mut e = s;
    while e < entries.len() && entries.get(e).map(|x| x.0) == k {
        e += 1;
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::prepare;
    use crate::progress::NoProgress;
    use crate::record::{Date, Record};
    use rphonetic::DoubleMetaphone;

    fn prep(rs: &[Record]) -> Vec<Prepared> {
        let e = DoubleMetaphone::default();
        rs.iter().map(|r| prepare(r, &e)).collect()
    }

    #[test]
    fn each_pair_is_scored_once() {
        let d = Date::new(1980, 5, 6);
        let mut rs = Vec::new();
        for i in 0..5 {
            let mut r = Record::new(format!("{i}")).with_given_name("Ann").with_family_name("Lee").with_postcode("SO23 8UG");
            r.date_of_birth = d;
            rs.push(r);
        }
        let c = candidates(&prep(&rs), None, &BlockingSettings::default(), &NoProgress);
        assert_eq!(c.pairs.len(), 10);
        assert_eq!(c.stats.pairs_per_rule[0], 10);
        let total: u64 = c.counts.values().sum();
        assert_eq!(total, 10);
    }

    #[test]
    fn giant_blocks_are_split_or_windowed() {
        let d = Date::new(1980, 5, 6);
        let rs: Vec<Record> = (0..1000)
            .map(|i| {
                let mut r = Record::new(format!("{i}")).with_given_name(format!("N{}", i % 7)).with_family_name("Lee");
                r.date_of_birth = d;
                r
            })
            .collect();
        let s = BlockingSettings { max_block: 50, window: 5, ..BlockingSettings::default() };
        let c = candidates(&prep(&rs), None, &s, &NoProgress);
        assert!(c.stats.split_blocks > 0);
        assert!(c.pairs.len() < 1000 * 60, "{}", c.pairs.len());
        let mut seen: Vec<(u32, u32)> = c.pairs.iter().map(|p| (p.a, p.b)).collect();
        let n = seen.len();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), n, "a pair was scored twice");
    }

    #[test]
    fn linking_compares_only_across_sources() {
        let d = Date::new(1980, 5, 6);
        let rs: Vec<Record> = (0..6)
            .map(|i| {
                let mut r = Record::new(format!("{i}")).with_given_name("Ann").with_family_name("Lee");
                r.date_of_birth = d;
                r
            })
            .collect();
        let c = candidates(&prep(&rs), Some(2), &BlockingSettings::default(), &NoProgress);
        assert_eq!(c.pairs.len(), 8);
        assert!(c.pairs.iter().all(|p| p.a < 2 && p.b >= 2));
    }
}
