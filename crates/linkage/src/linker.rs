//! The linkage pipeline and the two entry points others call: batch
//! linking (`Linker::dedupe`, `Linker::link`) and intake suggestions
//! (`CandidateIndex::candidates`).

use std::collections::HashMap;

use rayon::prelude::*;
use rphonetic::DoubleMetaphone;
use serde::{Deserialize, Serialize};

use crate::blocking::{BlockingSettings, BlockingStats, candidates};
use crate::cluster::{ClusterStats, Constraints, cluster};
use crate::compare::{NUM_FIELDS, Pattern, compare};
use crate::error::{LinkageError, Result};
use crate::model::{Explanation, Model, em, estimate_u, probability, weight_of};
use crate::prepare::{Prepared, TermFrequencies, prepare};
use crate::progress::Progress;
use crate::record::Record;
use crate::rng::SplitMix64;

/// Records in the random subset that u-probabilities are estimated from.
const U_SUBSET: usize = 40_000;

/// Match-probability thresholds (see docs/design/0002-linkage-thresholds.md):
///
/// * at or above `accept`: the same person (linked automatically);
/// * from `review` up to `accept`: a person should decide (review queue);
/// * below `review`: not linked on the pair's own evidence;
/// * below `reject`: clearly different people. Clustering never puts two
///   such records in one cluster, whatever chain of links joins them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    pub accept: f64,
    pub review: f64,
    pub reject: f64,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds { accept: 0.9, review: 0.2, reject: 0.005 }
    }
}

/// What to do with a scored pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Same person.
    Accept,
    /// Between `review` and `accept`: a person decides.
    Review,
    /// Below `review`: not the same person on this evidence.
    Reject,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Accept => "accept",
            Decision::Review => "review",
            Decision::Reject => "reject",
        }
    }
}

impl Thresholds {
    pub fn validate(&self) -> Result<()> {
        let ok = |p: f64| p > 0.0 && p < 1.0;
        if !ok(self.accept) || !ok(self.review) || !ok(self.reject) || self.reject > self.review || self.review > self.accept {
            return Err(LinkageError::Config(format!(
                "thresholds must satisfy 0 < reject ({}) <= review ({}) <= accept ({}) < 1",
                self.reject, self.review, self.accept
            )));
        }
        Ok(())
    }

    pub fn decide(&self, probability: f64) -> Decision {
        if probability >= self.accept {
            Decision::Accept
        } else if probability < self.review {
            Decision::Reject
        } else {
            Decision::Review
        }
    }
}

/// How parameters are estimated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainingSettings {
    /// Random pairs drawn to estimate u-probabilities.
    pub u_samples: usize,
    /// Seed for the random pairs (same seed, same result).
    pub seed: u64,
    pub max_iterations: usize,
    /// EM stops when no parameter moves by more than this.
    pub tolerance: f64,
    /// Below this many records the default model is used instead of training.
    pub min_records: usize,
}

impl Default for TrainingSettings {
    fn default() -> TrainingSettings {
        TrainingSettings { u_samples: 1_000_000, seed: 42, max_iterations: 200, tolerance: 1e-5, min_records: 200 }
    }
}

/// Everything that tunes a linkage run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub thresholds: Thresholds,
    pub blocking: BlockingSettings,
    pub training: TrainingSettings,
    pub clustering: ClusterSettings,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClusterSettings {
    /// Largest cluster the clustering will build.
    pub max_cluster: usize,
    /// When linking two sources each free of duplicates: at most one record
    /// from each source per cluster.
    pub one_to_one: bool,
}

impl Default for ClusterSettings {
    fn default() -> ClusterSettings {
        ClusterSettings { max_cluster: 200, one_to_one: false }
    }
}

impl Settings {
    pub fn validate(&self) -> Result<()> {
        self.thresholds.validate()?;
        if self.blocking.rules.is_empty() {
            return Err(LinkageError::Config("at least one blocking rule is needed".into()));
        }
        if self.blocking.rules.len() > 8 {
            return Err(LinkageError::Config("at most 8 blocking rules".into()));
        }
        if self.clustering.max_cluster < 2 {
            return Err(LinkageError::Config("max_cluster must be at least 2".into()));
        }
        Ok(())
    }
}

/// One scored pair. In a dedupe, `left` and `right` index the one input
/// (`left < right`); in a link they index the left and right inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredPair {
    pub left: usize,
    pub right: usize,
    pub match_weight: f64,
    pub probability: f64,
    pub decision: Decision,
    /// Comparison level per field (in `compare::FIELDS` order), `None` if missing.
    pub levels: [Option<u8>; NUM_FIELDS],
}

/// Run statistics, for reports and benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LinkageStats {
    pub records: usize,
    pub blocking: BlockingStats,
    /// Whether m and u were estimated from these records (else a given model was used).
    pub trained: bool,
    /// Pairs at or above the accept threshold.
    pub accepted_pairs: u64,
    /// Pairs between the thresholds.
    pub review_pairs: u64,
    pub clusters: usize,
    pub clustering: ClusterStats,
}

/// The result of a batch run.
#[derive(Debug, Clone)]
pub struct Linkage {
    /// The model used (trained on the records unless one was given).
    pub model: Model,
    /// Cluster number per record: in a link, left records then right ones.
    pub clusters: Vec<u32>,
    /// Pairs at or above the review threshold, strongest first.
    pub pairs: Vec<ScoredPair>,
    pub stats: LinkageStats,
    left_len: Option<usize>,
}

impl Linkage {
    /// Cluster number of the `i`th left (or only) record.
    pub fn cluster_of_left(&self, i: usize) -> Option<u32> {
        self.clusters.get(i).copied()
    }
    /// Cluster number of the `i`th right record (link only).
    pub fn cluster_of_right(&self, i: usize) -> Option<u32> {
        self.left_len.and_then(|k| self.clusters.get(k + i).copied())
    }
    /// Records grouped by cluster: (cluster, record indices) for clusters of
    /// two or more. In a link, right indices are offset by the left length.
    pub fn groups(&self) -> Vec<Vec<usize>> {
        let mut by: HashMap<u32, Vec<usize>> = HashMap::new();
        for (i, c) in self.clusters.iter().enumerate() {
            by.entry(*c).or_default().push(i);
        }
        let mut g: Vec<Vec<usize>> = by.into_values().filter(|v| v.len() >= 2).collect();
        g.sort();
        g
    }
}

/// Batch linker: estimates the model from the records (or uses one given),
/// scores candidate pairs and clusters them.
#[derive(Debug, Clone, Default)]
pub struct Linker {
    settings: Settings,
    model: Option<Model>,
}

fn levels_of(p: Pattern) -> [Option<u8>; NUM_FIELDS] {
    let mut out = [None; NUM_FIELDS];
    for (i, o) in out.iter_mut().enumerate() {
        let l = p.level(i);
        *o = (l != crate::compare::NULL).then_some(l);
    }
    out
}

pub(crate) fn prepare_all(records: &[Record]) -> Vec<Prepared> {
    records.par_iter().map_init(DoubleMetaphone::default, |e, r| prepare(r, e)).collect()
}

impl Linker {
    /// A linker that estimates its model from the records it is given.
    pub fn new(settings: Settings) -> Result<Linker> {
        settings.validate()?;
        Ok(Linker { settings, model: None })
    }

    /// A linker that uses a stored model as it is (no training).
    pub fn with_model(settings: Settings, model: Model) -> Result<Linker> {
        settings.validate()?;
        model.validate()?;
        Ok(Linker { settings, model: Some(model) })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Find the people recorded more than once in one source.
    pub fn dedupe(&self, records: &[Record], progress: &dyn Progress) -> Result<Linkage> {
        self.run(records, None, progress)
    }

    /// Link two sources: which left and right records are the same person.
    /// Pairs within one source are not compared (they may still share a
    /// cluster through a record of the other source unless `one_to_one`).
    pub fn link(&self, left: &[Record], right: &[Record], progress: &dyn Progress) -> Result<Linkage> {
        let mut all = Vec::with_capacity(left.len() + right.len());
        all.extend_from_slice(left);
        all.extend_from_slice(right);
        self.run(&all, Some(left.len()), progress)
    }

    fn run(&self, records: &[Record], left_len: Option<usize>, progress: &dyn Progress) -> Result<Linkage> {
        let n = records.len();
        if n >= u32::MAX as usize {
            return Err(LinkageError::TooMany(n));
        }
        progress.start("preparing records", n as u64);
        let mut prepared = prepare_all(records);
        progress.finish();
        let (n_left, n_right) = match left_len {
            Some(k) => (k, n - k),
            None => (n, n),
        };
        let total_pairs = match left_len {
            Some(_) => n_left as f64 * n_right as f64,
            None => n as f64 * (n as f64 - 1.0) / 2.0,
        };
        let train = self.model.is_none() && n >= self.settings.training.min_records && total_pairs >= 1.0;
        let mut model = self.model.clone().unwrap_or_default();
        if self.model.is_none() || model.term_frequencies.given_total == 0 {
            model.term_frequencies = TermFrequencies::count(&prepared);
        }
        let tf = &model.term_frequencies;
        prepared.par_iter_mut().for_each(|p| tf.apply(p));

        if train {
            let t = &self.settings.training;
            // At most u_samples, and no more than 10 per record: beyond that
            // the estimates barely move, and small runs stay fast.
            let samples = (t.u_samples as f64).min(10.0 * n as f64).min(total_pairs).max(1.0) as usize;
            progress.start("estimating u from random pairs", samples as u64);
            // Draw the pairs among a random subset of records copied side by
            // side: the same estimate, without a cache miss per record.
            let mut rng = SplitMix64::stream(t.seed, u64::MAX);
            let mut subset = |from: usize, to: usize, size: usize| -> Vec<Prepared> {
                let len = to - from;
                if len <= size {
                    return prepared.get(from..to).map(|s| s.to_vec()).unwrap_or_default();
                }
                (0..size).filter_map(|_| prepared.get(from + rng.below(len as u64) as usize).cloned()).collect()
            };
            let (sample, split) = match left_len {
                None => (subset(0, n, U_SUBSET), None),
                Some(k) => {
                    let mut l = subset(0, k, U_SUBSET / 2);
                    let k2 = l.len();
                    l.extend(subset(k, n, U_SUBSET / 2));
                    (l, Some(k2))
                }
            };
            let m = sample.len();
            let (u, cross) = estimate_u(&sample, samples, t.seed, |rng: &mut SplitMix64| match split {
                None => {
                    let i = rng.below(m as u64) as usize;
                    let j = rng.below(m as u64) as usize;
                    (i != j).then_some((i, j))
                }
                Some(k) => {
                    let i = rng.below(k as u64) as usize;
                    let j = k + rng.below((m - k) as u64) as usize;
                    Some((i, j))
                }
            });
            progress.finish();
            for (p, u) in model.fields.iter_mut().zip(u) {
                p.u = u;
            }
            // Swapped names are too rare among random pairs to count: take
            // the chance that both cross comparisons agree by accident.
            let floor = 1.0 / (samples.max(1) as f64);
            if let Some(u_swap) = model.fields.first_mut().and_then(|p| p.u.get_mut(4)) {
                *u_swap = u_swap.max(cross * cross).max(floor);
            }
        }

        let cands = candidates(&prepared, left_len, &self.settings.blocking, progress);

        if train {
            progress.start("estimating m by EM", 0);
            let lambdas = self.estimate_m(&mut model, &cands.counts);
            model.prior = self.estimate_prior(&model, &cands.counts, &lambdas, total_pairs);
        }

        // Score.
        let table = model.pattern_table();
        let prior_w = model.prior_weight();
        let th = self.settings.thresholds;
        let reject_w = weight_of(th.reject);
        let review_w = weight_of(th.review);
        let accept_w = weight_of(th.accept);
        progress.start("scoring pairs", cands.pairs.len() as u64);
        let scored: Vec<(f64, u32, u32, Pattern)> = cands
            .pairs
            .par_iter()
            .filter_map(|c| {
                let (a, b) = (prepared.get(c.a as usize)?, prepared.get(c.b as usize)?);
                let w = prior_w + f64::from(*table.get(c.pattern.0 as usize)?) + model.pair_tf(c.pattern, a, b);
                (w >= review_w).then_some((w, c.a, c.b, c.pattern))
            })
            .collect();
        drop(cands.pairs);
        progress.finish();

        let pair_weight = |x: u32, y: u32| -> f64 {
            match (prepared.get(x as usize), prepared.get(y as usize)) {
                (Some(a), Some(b)) => {
                    let p = compare(a, b);
                    prior_w + table.get(p.0 as usize).map(|w| f64::from(*w)).unwrap_or(0.0) + model.pair_tf(p, a, b)
                }
                _ => f64::NEG_INFINITY,
            }
        };
        let edges: Vec<(f32, u32, u32)> = scored.iter().filter(|s| s.0 >= accept_w).map(|s| (s.0 as f32, s.1, s.2)).collect();
        let accepted = edges.len() as u64;
        let source = |i: u32| u8::from(left_len.is_some_and(|k| (i as usize) >= k));
        let constraints = Constraints {
            reject_weight: reject_w,
            max_cluster: self.settings.clustering.max_cluster,
            one_per_source: if self.settings.clustering.one_to_one && left_len.is_some() { Some(&source) } else { None },
        };
        progress.start("clustering", edges.len() as u64);
        let (clusters, cstats) = cluster(n, edges, &constraints, pair_weight);
        progress.finish();

        let offset = left_len.unwrap_or(0);
        let mut pairs: Vec<ScoredPair> = scored
            .into_iter()
            .map(|(w, a, b, p)| {
                let prob = probability(w);
                ScoredPair {
                    left: a as usize,
                    right: b as usize - offset,
                    match_weight: w,
                    probability: prob,
                    decision: th.decide(prob),
                    levels: levels_of(p),
                }
            })
            .collect();
        pairs.par_sort_by(|x, y| y.match_weight.total_cmp(&x.match_weight).then(x.left.cmp(&y.left)).then(x.right.cmp(&y.right)));
        let review = pairs.iter().filter(|p| p.decision == Decision::Review).count() as u64;
        let n_clusters = clusters.iter().copied().max().map(|m| m as usize + 1).unwrap_or(0);
        Ok(Linkage {
            stats: LinkageStats {
                records: n,
                blocking: cands.stats,
                trained: train,
                accepted_pairs: accepted,
                review_pairs: review,
                clusters: n_clusters,
                clustering: cstats,
            },
            model,
            clusters,
            pairs,
            left_len,
        })
    }

    /// m by EM, once per blocking rule on the pairs that rule finds, leaving
    /// out the fields the rule forces to agree; each field's m is the
    /// average over the rules that estimated it, weighted by their expected
    /// number of matches.
    fn estimate_m(&self, model: &mut Model, counts: &HashMap<(Pattern, u8), u64>) -> Vec<Option<f64>> {
        let mut lambdas = vec![None; self.settings.blocking.rules.len()];
        let t = &self.settings.training;
        let u: Vec<Vec<f64>> = model.fields.iter().map(|p| p.u.clone()).collect();
        let m0: Vec<Vec<f64>> = model.fields.iter().map(|p| p.m.clone()).collect();
        let mut sum: Vec<Vec<f64>> = crate::model::empty_counts();
        let mut weight = [0.0f64; NUM_FIELDS];
        for (r, rule) in self.settings.blocking.rules.iter().enumerate().take(8) {
            let mut agg: HashMap<Pattern, f64> = HashMap::new();
            for ((p, mask), c) in counts {
                if mask & (1 << r) != 0 {
                    *agg.entry(*p).or_insert(0.0) += *c as f64;
                }
            }
            let total: f64 = agg.values().sum();
            if total < 50.0 {
                continue;
            }
            let mut patterns: Vec<(Pattern, f64)> = agg.into_iter().collect();
            patterns.sort_by_key(|x| x.0);
            let blocked = rule.blocked_fields();
            let mut active = [true; NUM_FIELDS];
            for (a, b) in active.iter_mut().zip(blocked) {
                *a = !b;
            }
            let res = em(&patterns, &u, &m0, 0.1, active, t.max_iterations, t.tolerance);
            if let Some(l) = lambdas.get_mut(r) {
                *l = Some(res.lambda);
            }
            let w = res.expected_matches.max(1e-9);
            for f in 0..NUM_FIELDS {
                // Only fields the rule leaves free and that the data has.
                let seen: f64 = patterns.iter().filter(|(p, _)| p.level(f) != crate::compare::NULL).map(|(_, c)| c).sum();
                if !active[f] || seen <= 0.0 {
                    continue;
                }
                weight[f] += w;
                for (s, m) in sum[f].iter_mut().zip(&res.m[f]) {
                    *s += w * m;
                }
            }
        }
        for (f, p) in model.fields.iter_mut().enumerate() {
            if weight[f] > 0.0 {
                p.m = sum[f].iter().map(|s| s / weight[f]).collect();
            }
        }
        lambdas
    }

    /// The prior (probability that two random records match): the expected
    /// number of matches among the candidates over the number of all pairs.
    /// Each candidate's chance of being a match is taken under the model of
    /// the first rule that found it, leaving out the fields that rule forces
    /// to agree (candidates are not random pairs on those fields).
    fn estimate_prior(&self, model: &Model, counts: &HashMap<(Pattern, u8), u64>, lambdas: &[Option<f64>], total_pairs: f64) -> f64 {
        let rules = &self.settings.blocking.rules;
        let mut expected = 0.0;
        for ((p, mask), c) in counts {
            let r = mask.trailing_zeros() as usize;
            let (Some(rule), Some(Some(lambda))) = (rules.get(r), lambdas.get(r)) else {
                continue;
            };
            let blocked = rule.blocked_fields();
            let mut w = weight_of(*lambda);
            for (f, params) in model.fields.iter().enumerate() {
                if !blocked[f] {
                    w += params.weight(p.level(f));
                }
            }
            expected += probability(w) * *c as f64;
        }
        (expected / total_pairs.max(1.0)).clamp(1e-12, 0.5)
    }
}

impl Model {
    /// Score two records and explain each field's contribution.
    pub fn explain(&self, a: &Record, b: &Record) -> Explanation {
        let e = DoubleMetaphone::default();
        let (mut pa, mut pb) = (prepare(a, &e), prepare(b, &e));
        self.term_frequencies.apply(&mut pa);
        self.term_frequencies.apply(&mut pb);
        self.explain_prepared(&pa, &pb)
    }
}

/// A likely match for a new record, from `CandidateIndex::candidates`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Position of the existing record in the index (insertion order).
    pub index: usize,
    /// The existing record's id.
    pub id: String,
    pub probability: f64,
    pub match_weight: f64,
    pub decision: Decision,
    pub explanation: Explanation,
}

/// Existing records indexed by their blocking keys, for intake: "given this
/// new person, which existing records are likely the same?".
pub struct CandidateIndex {
    model: Model,
    thresholds: Thresholds,
    rules: Vec<crate::blocking::BlockingRule>,
    ids: Vec<String>,
    prepared: Vec<Prepared>,
    blocks: Vec<HashMap<u64, Vec<u32>>>,
    encoder: DoubleMetaphone,
    /// Weight of each comparison pattern (see `Model::pattern_table`).
    table: Vec<f32>,
}

impl CandidateIndex {
    /// Index `records` under `model` (e.g. `Model::default()` or the model a
    /// batch `Linkage` returned).
    pub fn new(model: Model, thresholds: Thresholds, records: &[Record]) -> Result<CandidateIndex> {
        model.validate()?;
        thresholds.validate()?;
        let rules = BlockingSettings::default().rules;
        let mut index = CandidateIndex {
            blocks: vec![HashMap::new(); rules.len()],
            model,
            thresholds,
            rules,
            ids: Vec::with_capacity(records.len()),
            prepared: Vec::with_capacity(records.len()),
            encoder: DoubleMetaphone::default(),
            table: Vec::new(),
        };
        index.table = index.model.pattern_table();
        let mut prepared = prepare_all(records);
        let tf = &index.model.term_frequencies;
        prepared.par_iter_mut().for_each(|p| tf.apply(p));
        for (r, p) in records.iter().zip(prepared) {
            index.push(r.id.clone(), p)?;
        }
        Ok(index)
    }

    fn push(&mut self, id: String, p: Prepared) -> Result<()> {
        let i = u32::try_from(self.ids.len()).map_err(|_| LinkageError::TooMany(self.ids.len()))?;
        for (rule, block) in self.rules.iter().zip(self.blocks.iter_mut()) {
            let k = rule.key(&p);
            if k != 0 {
                block.entry(k).or_default().push(i);
            }
        }
        self.ids.push(id);
        self.prepared.push(p);
        Ok(())
    }

    /// Add one record (e.g. a person just created at intake).
    pub fn insert(&mut self, record: &Record) -> Result<()> {
        let mut p = prepare(record, &self.encoder);
        self.model.term_frequencies.apply(&mut p);
        self.push(record.id.clone(), p)
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn thresholds(&self) -> Thresholds {
        self.thresholds
    }

    /// Existing records that may be the same person as `probe`: those at or
    /// above the review threshold, most likely first, at most `limit`.
    pub fn candidates(&self, probe: &Record, limit: usize) -> Vec<Candidate> {
        let mut p = prepare(probe, &self.encoder);
        self.model.term_frequencies.apply(&mut p);
        let mut seen: Vec<u32> = Vec::new();
        for (rule, block) in self.rules.iter().zip(&self.blocks) {
            let k = rule.key(&p);
            if k == 0 {
                continue;
            }
            if let Some(v) = block.get(&k) {
                seen.extend_from_slice(v);
            }
        }
        seen.sort_unstable();
        seen.dedup();
        let review_w = weight_of(self.thresholds.review);
        let prior_w = self.model.prior_weight();
        let mut out: Vec<Candidate> = seen
            .into_iter()
            .filter_map(|i| {
                let q = self.prepared.get(i as usize)?;
                // Score cheaply first; explain only the likely ones.
                let pattern = compare(&p, q);
                let w = prior_w + f64::from(*self.table.get(pattern.0 as usize)?) + self.model.pair_tf(pattern, &p, q);
                if w < review_w {
                    return None;
                }
                let e = self.model.explain_prepared(&p, q);
                (e.match_weight >= review_w).then(|| Candidate {
                    index: i as usize,
                    id: self.ids.get(i as usize).cloned().unwrap_or_default(),
                    probability: e.probability,
                    match_weight: e.match_weight,
                    decision: self.thresholds.decide(e.probability),
                    explanation: e,
                })
            })
            .collect();
        out.sort_by(|a, b| b.match_weight.total_cmp(&a.match_weight).then(a.index.cmp(&b.index)));
        out.truncate(limit);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::FIELDS;
    use crate::progress::NoProgress;
    use crate::record::{Date, Sex};

    fn rec(id: &str, g: &str, f: &str, dob: (u16, u8, u8), pc: &str) -> Record {
        let mut r = Record::new(id).with_given_name(g).with_family_name(f).with_postcode(pc).with_sex(Sex::Female);
        r.date_of_birth = Date::new(dob.0, dob.1, dob.2);
        r
    }

    #[test]
    fn small_dedupe_with_default_model() {
        let records = vec![
            rec("1", "Sarah", "Jones", (1985, 4, 12), "PO1 2AB"),
            rec("2", "Sally", "Jones", (1985, 4, 12), "PO1 2AB"),
            rec("3", "Sarah", "Jones", (1985, 12, 4), "PO1 2AB"),
            rec("4", "Mary", "Smith", (1970, 1, 1), "SO23 8UG"),
            rec("5", "Ann", "Jones", (1991, 7, 30), "PO1 2AB"),
        ];
        let linker = Linker::new(Settings::default()).unwrap();
        let out = linker.dedupe(&records, &NoProgress).unwrap();
        assert!(!out.stats.trained);
        assert_eq!(out.clusters[0], out.clusters[1]);
        assert_eq!(out.clusters[0], out.clusters[2]);
        assert_ne!(out.clusters[0], out.clusters[3]);
        assert_ne!(out.clusters[0], out.clusters[4]);
        assert_eq!(out.groups(), vec![vec![0, 1, 2]]);
    }

    #[test]
    fn link_two_sources() {
        let left = vec![rec("a", "John", "Smith", (1960, 2, 3), "SO23 8UG"), rec("b", "Ann", "Lee", (1990, 5, 6), "PO1 2AB")];
        let right = vec![rec("x", "Ann", "Lee", (1990, 5, 6), "PO1 2AB"), rec("y", "Jon", "Smith", (1960, 2, 3), "SO23 8UG")];
        let out = Linker::new(Settings::default()).unwrap().link(&left, &right, &NoProgress).unwrap();
        assert_eq!(out.cluster_of_left(0), out.cluster_of_right(1));
        assert_eq!(out.cluster_of_left(1), out.cluster_of_right(0));
        assert_ne!(out.cluster_of_left(0), out.cluster_of_left(1));
        assert!(out.pairs.iter().all(|p| p.left < 2 && p.right < 2));
    }

    #[test]
    fn intake_suggests_the_existing_person() {
        let existing = vec![
            rec("p1", "Elizabeth", "Taylor", (1979, 8, 9), "SO23 8UG"),
            rec("p2", "Elizabeth", "Taylor", (1990, 1, 2), "PO1 2AB"),
            rec("p3", "Mark", "Brown", (1979, 8, 9), "SO23 8UG"),
        ];
        let index = CandidateIndex::new(Model::default(), Thresholds::default(), &existing).unwrap();
        let probe = rec("new", "Liz", "Taylor", (1979, 9, 8), "SO23 8UG");
        let c = index.candidates(&probe, 5);
        assert_eq!(c.first().map(|c| c.id.as_str()), Some("p1"));
        assert_eq!(c[0].decision, Decision::Accept);
        assert!(c.iter().all(|c| c.id != "p3"));
        let text = c[0].explanation.to_string();
        assert!(text.contains("nickname"), "{text}");
        assert!(text.contains("day and month swapped"), "{text}");
    }

    /// EM on generated data: the m-probabilities of the levels that carry
    /// most of the evidence come within 0.05 of their true values (measured
    /// on the true pairs, which the generator knows), and the prior within a
    /// factor of two.
    #[test]
    fn em_recovers_m_on_generated_data() {
        let g = crate::generate::generate(&crate::generate::GeneratorSettings { n: 6000, duplicate_share: 0.25, seed: 3 }).unwrap();
        let out = Linker::new(Settings::default()).unwrap().dedupe(&g.records, &NoProgress).unwrap();
        assert!(out.stats.trained);
        let prepared = prepare_all(&g.records);
        let mut by_person: HashMap<u64, Vec<usize>> = HashMap::new();
        for (i, p) in g.person.iter().enumerate() {
            by_person.entry(*p).or_default().push(i);
        }
        let mut counts = crate::model::empty_counts();
        let mut true_pairs = 0.0;
        for members in by_person.values() {
            for (x, &a) in members.iter().enumerate() {
                for &b in &members[x + 1..] {
                    crate::model::add_pattern(&mut counts, compare(&prepared[a], &prepared[b]), 1.0);
                    true_pairs += 1.0;
                }
            }
        }
        let truth = crate::model::frequencies(&counts, 0.0);
        for (f, level) in [(0usize, 0usize), (1, 0), (2, 0), (2, 3), (3, 0), (4, 0), (4, 6)] {
            let est = out.model.fields[f].m[level];
            let real = truth[f][level];
            assert!((est - real).abs() < 0.05, "{:?} level {level}: estimated {est:.3}, true {real:.3}", FIELDS[f]);
        }
        let n = g.records.len() as f64;
        let real_prior = true_pairs / (n * (n - 1.0) / 2.0);
        let ratio = out.model.prior / real_prior;
        assert!((0.5..2.0).contains(&ratio), "prior {} vs {}", out.model.prior, real_prior);
    }

    #[test]
    fn thresholds_are_checked() {
        let t = |accept, review, reject| Thresholds { accept, review, reject };
        assert!(t(0.2, 0.5, 0.1).validate().is_err());
        assert!(t(0.9, 0.2, 0.5).validate().is_err());
        assert!(t(1.0, 0.5, 0.1).validate().is_err());
        assert!(t(0.9, 0.2, 0.0).validate().is_err());
        assert!(t(0.9, 0.9, 0.9).validate().is_ok());
        let t = Thresholds::default();
        assert_eq!(t.decide(0.95), Decision::Accept);
        assert_eq!(t.decide(0.5), Decision::Review);
        assert_eq!(t.decide(0.01), Decision::Reject);
    }
}
