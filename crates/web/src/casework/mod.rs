//! Risk (DASH), escalation, routing with capacity, triage queue, MARAC,
//! caseload monitor (issue 3).
use crate::routes::RouteSpec;
use crate::AppState;
use axum::routing::MethodRouter;

/// This area's rows of the route table.
pub fn routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    vec![]
}

/// This area's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct Api;
