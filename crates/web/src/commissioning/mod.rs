//! Commissioners' pages: the needs assessment and capacity plan run on the
//! partnership's own live figures (issue 4). Aggregates only, never a person.
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
