//! Record linkage in the web app (issue 5): duplicate review queue, merge
//! and unmerge, on-demand and scheduled link runs.
use crate::routes::RouteSpec;
use crate::{AppState, WebConfig};
use axum::routing::MethodRouter;
use haven_store::HavenStore;
use std::sync::Arc;

/// This area's rows of the route table.
pub fn routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    vec![]
}

/// This area's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct Api;

/// Start the periodic link run beside the server (no-op until configured).
pub fn spawn_scheduler(_store: Arc<dyn HavenStore>, _config: WebConfig) {}
