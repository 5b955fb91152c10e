//! JSON: the live figures and the needs model on them.
use super::model::{self, Published, Settings};
use crate::AppState;
use crate::auth::Authed;
use crate::error::{ApiError, AppError};
use axum::Json;
use axum::extract::{Query, State};
use serde::Serialize;
use utoipa::ToSchema;

/// One model input and where it came from.
#[derive(Serialize, ToSchema)]
pub struct SettingJson {
    pub id: String,
    pub value: Option<f64>,
    pub source: String,
}

/// The needs model run on live figures.
#[derive(Serialize, ToSchema)]
pub struct NeedsJson {
    pub title: String,
    pub live: Published,
    pub settings: Vec<SettingJson>,
    /// The capacity report: `{area, sections: [{id, title, figures: [{id, label, value, rounding, rounded, unit, formula, source}]}], need_vs_capacity}` (as `haven needs capacity --format json`).
    #[schema(value_type = Object)]
    pub capacity: serde_json::Value,
    /// Access ratios by sex (as `haven needs groups --format json`), when women and men aged 16+ are given.
    #[schema(value_type = Object)]
    pub groups: Option<serde_json::Value>,
    /// Inputs left out, and why (suppressed small numbers, missing data).
    pub notes: Vec<String>,
    /// The capacity config generated from the live figures.
    pub capacity_toml: String,
}

pub(crate) async fn load(st: &AppState, who: &Authed, s: &Settings) -> Result<model::Run, AppError> {
    let today = chrono::Utc::now().date_naive();
    let inputs = s.check(today, &st.config.rules).map_err(AppError::Invalid)?;
    let live = st.store.live_figures(&who.ctx(), inputs.period).await?;
    model::run(&st.config.service_name, &live, inputs)
}

pub(crate) fn settings_json(i: &model::Inputs) -> Vec<SettingJson> {
    let mut v = Vec::new();
    let mut add = |id: &str, x: Option<f64>, src: &str| v.push(SettingJson { id: id.into(), value: x, source: src.into() });
    add("population", i.population.as_ref().map(|p| p.0), i.population.as_ref().map(|p| p.1.as_str()).unwrap_or("Haven district register"));
    add("women_16_plus", i.women_16_plus, "entered by the commissioner");
    add("men_16_plus", i.men_16_plus, "entered by the commissioner");
    add("prevalence_women", Some(i.prevalence_women.0), &i.prevalence_women.1);
    add("prevalence_men", Some(i.prevalence_men.0), &i.prevalence_men.1);
    add("high_medium_percent", Some(i.high_medium_percent.0), &i.high_medium_percent.1);
    add("high_percent", Some(i.high_percent.0), &i.high_percent.1);
    add("caseload_high", Some(i.caseload_high.0), &i.caseload_high.1);
    add("caseload_medium", Some(i.caseload_medium.0), &i.caseload_medium.1);
    add("idva_fte", i.idva_fte.as_ref().map(|p| p.0), i.idva_fte.as_ref().map(|p| p.1.as_str()).unwrap_or("Haven team register"));
    add("share_with_children", Some(i.share_with_children.0), &i.share_with_children.1);
    add("children_per_family", Some(i.children_per_family.0), &i.children_per_family.1);
    add("refuge_beds", i.refuge_beds, "entered by the commissioner");
    add("marac_per_10000", Some(i.marac_per_10000.0), &i.marac_per_10000.1);
    v
}

/// The partnership's live aggregate figures for a period (default: the 12
/// months to today). Counts from 1 to 4 are suppressed (`null`, shown `<5`).
#[utoipa::path(get, path = "/api/v1/figures", params(("from" = Option<String>, Query, description = "YYYY-MM-DD"), ("to" = Option<String>, Query, description = "YYYY-MM-DD")),
    responses((status = 200, body = Published), (status = 401), (status = 403), (status = 422, body = crate::api::ErrorList)))]
pub async fn figures(State(st): State<AppState>, who: Authed, Query(s): Query<Settings>) -> Result<Json<Published>, ApiError> {
    let today = chrono::Utc::now().date_naive();
    let period = s.period(today).map_err(AppError::Invalid)?;
    let live = st.store.live_figures(&who.ctx(), period).await?;
    Ok(Json(model::publish(&live)))
}

/// The needs engine (capacity model, access ratios) run on the live figures,
/// with the commissioner's settings. Every figure carries its formula and source.
#[utoipa::path(get, path = "/api/v1/figures/needs", params(Settings),
    responses((status = 200, body = NeedsJson), (status = 401), (status = 403), (status = 422, body = crate::api::ErrorList)))]
pub async fn needs(State(st): State<AppState>, who: Authed, Query(s): Query<Settings>) -> Result<Json<NeedsJson>, ApiError> {
    let run = load(&st, &who, &s).await?;
    let capacity = serde_json::to_value(&run.capacity).map_err(|e| AppError::Internal(e.to_string()))?;
    let groups = match &run.groups {
        Some(g) => Some(serde_json::to_value(g).map_err(|e| AppError::Internal(e.to_string()))?),
        None => None,
    };
    Ok(Json(NeedsJson {
        title: run.title.clone(),
        settings: settings_json(&run.inputs),
        live: run.published,
        capacity,
        groups,
        notes: run.notes,
        capacity_toml: run.capacity_toml,
    }))
}
