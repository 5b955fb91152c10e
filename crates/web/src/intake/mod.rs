//! The front door's intake (issue 3): agency referral form with household,
//! public self-referral, police incident upload, duplicate suggestions.
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
