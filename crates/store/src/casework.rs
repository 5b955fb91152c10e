//! Risk, routing, triage and MARAC use cases (issue 3).
use async_trait::async_trait;

#[async_trait]
pub trait CaseworkStore: Send + Sync + 'static {}
