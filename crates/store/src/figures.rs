//! Aggregate figures for commissioners and analysts: counts only, never a
//! person, with small numbers suppressed where published.
use async_trait::async_trait;

#[async_trait]
pub trait FiguresStore: Send + Sync + 'static {}
