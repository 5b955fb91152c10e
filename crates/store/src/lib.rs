//! Haven's persistence: one `Store` trait with a method per use case.
//!
//! The web and CLI layers only see the trait, so a PostgreSQL backend can be
//! added beside [`sqlite::SqliteStore`] without touching handlers. Access to
//! people's records is decided *inside* the store by the domain policy
//! ([`haven_domain::access::person_access`]), and every read of a person's
//! record and every change writes an audit row in the same transaction.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod audit;
pub mod casework;
pub mod figures;
pub mod intake;
pub mod linking;
pub mod model;
pub mod sqlite;
mod sqlite_casework;
mod sqlite_figures;
mod sqlite_intake;
mod sqlite_linking;

use async_trait::async_trait;
use haven_domain::access::Principal;
use haven_domain::ids::{PersonId, ReferralId, UserId};
use haven_domain::referral::NewReferral;
use haven_domain::search::Query;

pub use casework::CaseworkStore;
pub use figures::FiguresStore;
pub use intake::IntakeStore;
pub use linking::LinkingStore;
pub use model::*;
pub use sqlite::SqliteStore;

/// The store's one error type.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database file {0} does not exist (use `haven migrate --db PATH` or `haven demo` to create one)")]
    Missing(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Who is acting and from where: passed to every use case and written to
/// the audit log with it.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: Actor,
    /// Where the request came from (IP address, or `cli`).
    pub source: String,
}

#[derive(Debug, Clone)]
pub enum Actor {
    User(Principal),
    /// The command line or a scheduled job, named.
    System(String),
}

impl Ctx {
    pub fn user(p: Principal, source: impl Into<String>) -> Self {
        Self { actor: Actor::User(p), source: source.into() }
    }
    pub fn system(name: impl Into<String>) -> Self {
        Self { actor: Actor::System(name.into()), source: "cli".into() }
    }
    pub fn principal(&self) -> Option<&Principal> {
        match &self.actor {
            Actor::User(p) => Some(p),
            Actor::System(_) => None,
        }
    }
    pub fn actor_name(&self) -> String {
        match &self.actor {
            Actor::User(p) => p.username.clone(),
            Actor::System(n) => format!("system:{n}"),
        }
    }
    pub fn actor_id(&self) -> Option<UserId> {
        self.principal().map(|p| p.user_id)
    }
}

/// Every use case the application needs from persistence.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// The newest applied migration.
    async fn schema_version(&self) -> Result<i64>;

    // --- accounts and sessions
    async fn create_user(&self, ctx: &Ctx, user: NewUser) -> Result<UserId>;
    async fn list_users(&self) -> Result<Vec<UserSummary>>;
    async fn set_user_disabled(&self, ctx: &Ctx, username: &str, disabled: bool) -> Result<()>;
    async fn set_password(&self, ctx: &Ctx, username: &str, password_hash: &str) -> Result<()>;
    async fn login_record(&self, username: &str) -> Result<Option<LoginRecord>>;
    async fn principal(&self, id: UserId) -> Result<Option<Principal>>;
    async fn record_login(&self, ctx: &Ctx, ok: bool, username: &str) -> Result<()>;
    async fn create_session(&self, user: UserId, token_hash: &str, csrf: &str, now: i64) -> Result<()>;
    /// The session's user and CSRF token, if it exists and was used within
    /// `idle_secs`; touches it. An idle session is deleted.
    async fn touch_session(&self, token_hash: &str, now: i64, idle_secs: i64) -> Result<Option<(Principal, String)>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;
    async fn create_api_token(&self, ctx: &Ctx, username: &str, token_hash: &str) -> Result<()>;
    async fn principal_for_token(&self, token_hash: &str) -> Result<Option<Principal>>;
    async fn agencies(&self) -> Result<Vec<AgencyRow>>;
    async fn teams(&self) -> Result<Vec<TeamRow>>;

    // --- people and referrals
    async fn search_people(&self, ctx: &Ctx, q: &Query, limit: usize) -> Result<Vec<PersonHit>>;
    /// `None` both when the person does not exist and when they are out of
    /// the caller's reach, so the two cannot be told apart.
    async fn read_person(&self, ctx: &Ctx, id: PersonId) -> Result<Option<PersonRecord>>;
    async fn create_referral(&self, ctx: &Ctx, r: &NewReferral, existing: Option<PersonId>) -> Result<(ReferralId, PersonId)>;
    async fn dashboard(&self, ctx: &Ctx) -> Result<Dashboard>;

    // --- audit
    async fn audit_recent(&self, ctx: &Ctx, filter: &AuditFilter) -> Result<Vec<AuditRow>>;
    async fn verify_audit(&self) -> Result<AuditVerification>;
}

/// Everything the application needs: the core use cases plus the front
/// door's intake and the casework (risk, routing, triage, MARAC) areas, each
/// in its own trait and file so they can grow apart.
pub trait HavenStore: Store + IntakeStore + CaseworkStore + FiguresStore + LinkingStore {}
impl<T: Store + IntakeStore + CaseworkStore + FiguresStore + LinkingStore> HavenStore for T {}
