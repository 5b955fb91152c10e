//! Commissioners' pages: the needs assessment and capacity plan run on the
//! partnership's own live figures (issue 4). Aggregates only, never a person.
//!
//! - `GET /commissioning`: live figures for a period, small numbers suppressed;
//! - `GET /commissioning/needs`: the `haven_needs` capacity model and access
//!   ratios run on those figures, with settings the commissioner may override;
//!   downloads of the report (HTML, PDF), the figures (CSV) and the generated
//!   capacity config (TOML, to rerun with `haven needs capacity`);
//! - `GET /api/v1/figures`, `GET /api/v1/figures/needs`: the same as JSON.
pub mod api;
pub mod model;
pub mod pages;

use crate::AppState;
use crate::routes::{RouteSpec, row};
use axum::http::Method;
use axum::routing::{MethodRouter, get};
use haven_domain::access::Permission;

/// This area's rows of the route table.
pub fn routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    let g = Method::GET;
    let p = Some(Permission::ViewAggregates);
    vec![
        row(g.clone(), "/commissioning", p, get(pages::overview)),
        row(g.clone(), "/commissioning/needs", p, get(pages::needs)),
        row(g.clone(), "/commissioning/needs/report.html", p, get(pages::report_html)),
        row(g.clone(), "/commissioning/needs/report.pdf", p, get(pages::report_pdf)),
        row(g.clone(), "/commissioning/needs/figures.csv", p, get(pages::figures_csv)),
        row(g.clone(), "/commissioning/needs/capacity.toml", p, get(pages::capacity_toml)),
        row(g.clone(), "/api/v1/figures", p, get(api::figures)),
        row(g, "/api/v1/figures/needs", p, get(api::needs)),
    ]
}

/// This area's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api::figures, api::needs),
    components(schemas(model::Published, model::LiveFigure, model::Breakdown, model::BreakdownRow, api::NeedsJson, api::SettingJson))
)]
pub struct Api;
