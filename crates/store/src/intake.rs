//! The front door's intake use cases (issue 3): agency and public
//! referrals with household members, police incident imports, duplicate
//! suggestions.
use async_trait::async_trait;

#[async_trait]
pub trait IntakeStore: Send + Sync + 'static {}
