//! Record linkage in the web app (issue 5): duplicate review queue, merge
//! and unmerge, on-demand and scheduled link runs, and the figures the runs
//! make countable (repeat victims, serial perpetrators, individuals net of
//! repeats). See docs/linking.md.
//!
//! Pages: `/linking` (review queue, run button, recent merges) and
//! `/linking/figures`. JSON under `/api/v1/linking`.
pub mod api;
pub mod pages;

use crate::routes::{RouteSpec, row};
use crate::{AppState, WebConfig};
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};
use haven_domain::access::Permission;
use haven_store::linking::LinkRun;
use haven_store::{Ctx, HavenStore, StoreError};
use std::sync::Arc;
use std::time::Duration;

/// This area's rows of the route table.
pub fn routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    use Permission as P;
    let g = Method::GET;
    let p = Method::POST;
    vec![
        // Pages
        row(g.clone(), "/linking", Some(P::ReviewMatches), get(pages::queue)),
        row(p.clone(), "/linking/runs", Some(P::ReviewMatches), post(pages::run)),
        row(p.clone(), "/linking/pairs/{id}/confirm", Some(P::ReviewMatches), post(pages::confirm)),
        row(p.clone(), "/linking/pairs/{id}/reject", Some(P::ReviewMatches), post(pages::reject)),
        row(p.clone(), "/linking/people/{id}/unmerge", Some(P::ReviewMatches), post(pages::unmerge)),
        row(g.clone(), "/linking/figures", Some(P::ViewAggregates), get(pages::figures)),
        // JSON API
        row(p.clone(), "/api/v1/linking/runs", Some(P::ReviewMatches), post(api::run)),
        row(g.clone(), "/api/v1/linking/runs", Some(P::ReviewMatches), get(api::runs)),
        row(g.clone(), "/api/v1/linking/figures", Some(P::ViewAggregates), get(api::figures)),
        row(g.clone(), "/api/v1/linking/pairs", Some(P::ReviewMatches), get(api::pairs)),
        row(p.clone(), "/api/v1/linking/pairs/{id}/confirm", Some(P::ReviewMatches), post(api::confirm)),
        row(p.clone(), "/api/v1/linking/pairs/{id}/reject", Some(P::ReviewMatches), post(api::reject)),
        row(p.clone(), "/api/v1/linking/people/{id}/merge", Some(P::ReviewMatches), post(api::merge)),
        row(p, "/api/v1/linking/people/{id}/unmerge", Some(P::ReviewMatches), post(api::unmerge)),
        row(g, "/api/v1/linking/merges", Some(P::ReviewMatches), get(api::merges)),
    ]
}

/// This area's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api::run, api::runs, api::figures, api::pairs, api::confirm, api::reject, api::merge, api::unmerge, api::merges),
    components(schemas(
        api::LinkFigures,
        api::MergeJson,
        haven_store::linking::LinkRun,
        haven_store::linking::ReviewPair,
        haven_store::linking::PairSide,
        haven_store::linking::FieldScore,
        haven_store::linking::MergeOutcome,
        haven_store::linking::MergeRow,
    ))
)]
pub struct Api;

/// When the scheduled link run happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkSchedule {
    /// Wait this long after start-up before the first run.
    pub first_after: Duration,
    /// Then run this often; zero turns the scheduled run off.
    pub every: Duration,
}

impl Default for LinkSchedule {
    /// An hour after start-up, then every 24 hours.
    fn default() -> Self {
        Self { first_after: Duration::from_secs(60 * 60), every: Duration::from_secs(24 * 60 * 60) }
    }
}

/// One link run at a time (a scheduled run and a button press may meet).
static RUNNING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Run the linkage on a blocking thread (it is CPU-bound and uses every
/// core), one run at a time. Used by the button, the API and the scheduler.
pub async fn run_now(store: Arc<dyn HavenStore>, ctx: Ctx) -> Result<LinkRun, StoreError> {
    let _one = RUNNING.lock().await;
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || handle.block_on(store.run_linkage(&ctx)))
        .await
        .map_err(|e| StoreError::Corrupt(format!("the link run stopped: {e}")))?
}

/// Start the periodic link run beside the server, on the default schedule.
pub fn spawn_scheduler(store: Arc<dyn HavenStore>, config: WebConfig) {
    let every = Duration::from_secs(u64::from(config.link_every_hours) * 3600);
    spawn_scheduler_with(store, LinkSchedule { every, ..LinkSchedule::default() });
}

/// Start the periodic link run on `schedule` (nothing when `every` is zero).
pub fn spawn_scheduler_with(store: Arc<dyn HavenStore>, schedule: LinkSchedule) {
    if schedule.every.is_zero() {
        return;
    }
    tokio::spawn(async move {
        tokio::time::sleep(schedule.first_after).await;
        let mut ticks = tokio::time::interval(schedule.every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match run_now(store.clone(), Ctx::system("link-scheduler")).await {
                Ok(run) => tracing::info!(run = run.id, records = run.records, review = run.review_pairs, "scheduled link run"),
                Err(e) => tracing::error!(error = %e, "scheduled link run failed"),
            }
        }
    });
}
