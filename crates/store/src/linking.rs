//! Record linkage over the people table (issue 5): link runs, the review
//! queue of uncertain pairs, reversible merges, and the figures the runs
//! make countable (repeat victims, serial perpetrators, individuals net of
//! repeats).
//!
//! Policy (docs/linking.md): pairs at or above the accept threshold are
//! *linked for counting* (they join a cluster) but never merged
//! automatically; pairs between the review and accept thresholds wait for a
//! reviewer, who confirms (the records are merged, reversibly) or rejects
//! (the pair is never suggested again).
use crate::figures::Period;
use crate::{Ctx, Result};
use async_trait::async_trait;
use haven_domain::ids::PersonId;
use serde::Serialize;
use utoipa::ToSchema;

/// One link run.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LinkRun {
    pub id: i64,
    pub started_at: String,
    pub finished_at: String,
    pub run_by: String,
    pub records: i64,
    pub accepted_pairs: i64,
    pub review_pairs: i64,
    /// Review pairs not queued because a reviewer had already rejected them.
    pub review_pairs_skipped: i64,
    /// Clusters of two or more records.
    pub clusters: i64,
    pub accept_threshold: f64,
    pub review_threshold: f64,
    pub reject_threshold: f64,
    /// Whether the model was estimated from the records (else the built-in one).
    pub trained: bool,
}

/// One field's part in a pair's score.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FieldScore {
    /// `given name`, `family name`, `date of birth`, `sex`, `location`.
    pub field: String,
    /// The comparison level found, e.g. `nickname or short form`, or `missing`.
    pub level: String,
    /// Match weight in bits (term-frequency adjustment included).
    pub weight: f64,
}

/// One side of a pair, as far as the reviewer may see it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PairSide {
    #[schema(value_type = i64)]
    pub id: PersonId,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Option<String>,
    pub sex: String,
    pub postcode: Option<String>,
    /// Referrals about this person (as the victim).
    pub referrals: i64,
}

/// A pair waiting for a reviewer.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ReviewPair {
    pub id: i64,
    pub run_id: i64,
    pub probability: f64,
    pub match_weight: f64,
    pub a: PairSide,
    pub b: PairSide,
    pub explanation: Vec<FieldScore>,
}

/// What a merge (or a confirmed pair) did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MergeOutcome {
    pub merge_id: i64,
    /// The record that remains.
    #[schema(value_type = i64)]
    pub survivor: PersonId,
    /// The record merged into it (kept, marked merged).
    #[schema(value_type = i64)]
    pub merged: PersonId,
    /// Rows repointed from `merged` to `survivor`.
    pub rows_moved: i64,
}

/// A merge, for the list of recent merges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MergeRow {
    pub id: i64,
    #[schema(value_type = i64)]
    pub survivor: PersonId,
    #[schema(value_type = i64)]
    pub merged: PersonId,
    pub merged_at: String,
    pub merged_by: String,
    pub unmerged_at: Option<String>,
    pub rows_moved: i64,
}

/// Exact counts from the latest link run over a period (the store does not
/// suppress: whoever publishes passes them through [`crate::figures::suppress`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct LinkCounts {
    /// The run the clusters come from; `None`: no run yet (every record is its own person).
    pub run_id: Option<i64>,
    pub run_at: Option<String>,
    /// Referrals (victim side) dated in the period.
    pub referrals: i64,
    /// Distinct victims (clusters) among them: individuals net of repeats.
    pub individuals: i64,
    /// Victims (clusters) with two or more referrals in the period.
    pub repeat_victims: i64,
    /// Distinct alleged perpetrators (clusters) named on those referrals.
    pub perpetrators: i64,
    /// Perpetrator clusters named against two or more distinct victim clusters.
    pub serial_perpetrators: i64,
}

#[async_trait]
pub trait LinkingStore: Send + Sync + 'static {
    /// Link every unmerged person record with haven-linkage, store the run,
    /// its clusters and its pairs (accept: linked; review: queued unless a
    /// reviewer rejected the pair before). Older open pairs are superseded.
    /// CPU-bound: call it from a blocking thread for large databases.
    async fn run_linkage(&self, ctx: &Ctx) -> Result<LinkRun>;

    /// The most recent runs, newest first.
    async fn link_runs(&self, limit: i64) -> Result<Vec<LinkRun>>;

    /// Open review pairs of the latest run whose two records the caller may
    /// both read, most likely first. Audited (the people listed).
    async fn review_queue(&self, ctx: &Ctx, limit: i64) -> Result<Vec<ReviewPair>>;

    /// Confirm a review pair: the two records are the same person; the
    /// newer record is merged into the older. Both must be readable.
    async fn confirm_pair(&self, ctx: &Ctx, pair_id: i64) -> Result<MergeOutcome>;

    /// Reject a review pair: different people, never suggested again.
    async fn reject_pair(&self, ctx: &Ctx, pair_id: i64) -> Result<()>;

    /// Merge `merged` into `survivor` in one transaction, recording every
    /// row moved. Both must be readable by the caller and not already merged.
    async fn merge_people(&self, ctx: &Ctx, survivor: PersonId, merged: PersonId) -> Result<MergeOutcome>;

    /// Reverse the active merge of `merged`: every moved row goes back.
    async fn unmerge_person(&self, ctx: &Ctx, merged: PersonId) -> Result<MergeOutcome>;

    /// Recent merges, newest first (ids only, no personal data).
    async fn merges(&self, limit: i64) -> Result<Vec<MergeRow>>;

    /// The record `id` was merged into, if it was (for the person page).
    async fn merged_into(&self, id: PersonId) -> Result<Option<PersonId>>;

    /// Repeat victims, serial perpetrators and individuals net of repeats
    /// over `period`, from the latest run's clusters. Exact counts, no person.
    async fn link_counts(&self, period: Period) -> Result<LinkCounts>;
}
