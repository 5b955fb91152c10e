//! Haven's web server: server-rendered pages (maud, htmx) and the JSON API.
//!
//! Every route is declared once in [`routes::table`] with the permission it
//! needs; the router is built from that table and each route is wrapped in
//! [`auth::guard`], which authenticates (session cookie or bearer token),
//! checks the role's permission, and checks the CSRF token on every
//! state-changing request made with a cookie. Handlers stay thin: they parse
//! input into domain types and call one store method, which applies the
//! record-level policy and writes the audit row.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod api;
pub mod assets;
pub mod auth;
pub mod casework;
pub mod commissioning;
pub mod error;
pub mod forms;
pub mod intake;
pub mod linking;
pub mod pages;
pub mod routes;

use axum::Router;
use haven_store::HavenStore;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Settings the web layer needs; loaded and validated by the CLI.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// A session unused for this long is ended (default 30 minutes).
    pub idle_timeout_secs: i64,
    /// Mark cookies `Secure`. Browsers accept Secure cookies from
    /// http://localhost and http://127.0.0.1, so this stays on even for the demo.
    pub secure_cookies: bool,
    /// Shown in the page header, e.g. the partnership's name.
    pub service_name: String,
    /// DASH thresholds, MARAC triggers, caseload norms, triage targets.
    pub rules: Rules,
    /// Rate limits and spam-trap timings of the public self-referral form.
    pub public_intake: intake::public::PublicIntakeSettings,
    /// Hours between scheduled record-linkage runs (0 turns them off).
    pub link_every_hours: u32,
}

/// The partnership's configurable rules, defaulting to the seeds' values.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Rules {
    pub dash: haven_domain::dash::DashThresholds,
    pub marac: haven_domain::marac::MaracRules,
    pub routing: haven_domain::routing::RoutingPolicy,
    pub caseload: haven_domain::routing::CaseloadNorms,
    pub triage: haven_domain::triage::TriagePolicy,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            idle_timeout_secs: 30 * 60,
            secure_cookies: true,
            service_name: "Haven".into(),
            rules: Rules::default(),
            public_intake: Default::default(),
            link_every_hours: 24,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn HavenStore>,
    pub config: Arc<WebConfig>,
}

/// The whole application, with every route guarded.
pub fn app(store: Arc<dyn HavenStore>, config: WebConfig) -> Router {
    let state = AppState { store, config: Arc::new(config) };
    routes::router(state)
}

/// Serve on an already-bound listener until the process is stopped.
pub async fn serve(listener: TcpListener, store: Arc<dyn HavenStore>, config: WebConfig) -> std::io::Result<()> {
    let app = app(store.clone(), config.clone());
    linking::spawn_scheduler(store, config);
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
