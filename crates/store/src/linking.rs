//! Record linkage over the people table (issue 5): link runs, the review
//! queue of uncertain pairs, reversible merges.
use async_trait::async_trait;

#[async_trait]
pub trait LinkingStore: Send + Sync + 'static {}
