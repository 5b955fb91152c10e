//! The linkage JSON API under `/api/v1/linking`.
use super::run_now;
use crate::AppState;
use crate::api::ErrorList;
use crate::auth::Authed;
use crate::error::{ApiError, AppError};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use haven_domain::error::{FieldError, ValidationErrors};
use haven_domain::ids::PersonId;
use haven_store::figures::{Period, suppress};
use haven_store::linking::{LinkCounts, LinkRun, MergeOutcome, MergeRow, ReviewPair};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    let mut v = ValidationErrors::new();
    v.push(FieldError::new(field, message));
    AppError::Invalid(v)
}

/// The linkage figures as published: counts from 1 to 4 are `null` (shown "<5").
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LinkFigures {
    #[schema(value_type = String)]
    pub from: NaiveDate,
    #[schema(value_type = String)]
    pub to: NaiveDate,
    /// The link run whose clusters were used; `null`: no run yet (each record counts as one person).
    pub run_id: Option<i64>,
    pub run_at: Option<String>,
    /// Referrals (victim side) dated in the period.
    pub referrals: Option<i64>,
    /// Distinct victims among them: individuals net of repeats.
    pub individuals: Option<i64>,
    /// Referrals beyond each victim's first (referrals − individuals).
    pub repeat_referrals: Option<i64>,
    /// Repeat referrals as a percentage of referrals (seed 004's "repeat rate").
    pub repeat_rate_percent: Option<f64>,
    /// Victims with two or more referrals in the period.
    pub repeat_victims: Option<i64>,
    /// Distinct alleged perpetrators named on those referrals.
    pub perpetrators: Option<i64>,
    /// Alleged perpetrators named against two or more distinct victims.
    pub serial_perpetrators: Option<i64>,
}

impl LinkFigures {
    /// Publish exact counts: suppress small numbers, and the individuals
    /// too when the repeat count is hidden (referrals − individuals would
    /// give it away).
    pub fn publish(period: Period, c: &LinkCounts) -> Self {
        let repeats = c.referrals - c.individuals;
        let repeat_referrals = suppress(repeats);
        let referrals = suppress(c.referrals);
        let individuals = if repeat_referrals.is_none() { None } else { suppress(c.individuals) };
        let repeat_rate_percent = match (referrals, repeat_referrals) {
            (Some(r), Some(x)) if r > 0 => Some((x as f64 * 1000.0 / r as f64).round() / 10.0),
            _ => None,
        };
        LinkFigures {
            from: period.from,
            to: period.to,
            run_id: c.run_id,
            run_at: c.run_at.clone(),
            referrals,
            individuals,
            repeat_referrals,
            repeat_rate_percent,
            repeat_victims: suppress(c.repeat_victims),
            perpetrators: suppress(c.perpetrators),
            serial_perpetrators: suppress(c.serial_perpetrators),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PeriodParams {
    /// YYYY-MM-DD; default 364 days before `to`.
    pub from: Option<String>,
    /// YYYY-MM-DD; default today.
    pub to: Option<String>,
}

/// The period asked for, default the 12 months to today.
pub fn period(p: &PeriodParams) -> Result<Period, AppError> {
    let date = |field: &str, v: &Option<String>| -> Result<Option<NaiveDate>, AppError> {
        match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some).map_err(|_| invalid(field, "must be a date as YYYY-MM-DD")),
            None => Ok(None),
        }
    };
    let to = date("to", &p.to)?.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let period = match date("from", &p.from)? {
        Some(from) => Period { from, to },
        None => Period::year_to(to),
    };
    if period.from > period.to {
        return Err(invalid("from", "must not be after 'to'"));
    }
    Ok(period)
}

/// Link every person record now (as the caller). Pairs between the review and
/// accept thresholds go to the review queue; pairs above accept are linked for
/// counting, never merged.
#[utoipa::path(post, path = "/api/v1/linking/runs", responses((status = 201, body = LinkRun), (status = 401), (status = 403)))]
pub async fn run(State(st): State<AppState>, who: Authed) -> Result<(StatusCode, Json<LinkRun>), ApiError> {
    Ok((StatusCode::CREATED, Json(run_now(st.store.clone(), who.ctx()).await?)))
}

/// Recent link runs, newest first: when, by whom, counts, thresholds.
#[utoipa::path(get, path = "/api/v1/linking/runs", responses((status = 200, body = [LinkRun]), (status = 401), (status = 403)))]
pub async fn runs(State(st): State<AppState>, _who: Authed) -> Result<Json<Vec<LinkRun>>, ApiError> {
    Ok(Json(st.store.link_runs(50).await?))
}

/// Repeat victims, serial perpetrators and individuals net of repeats over a
/// period, from the latest run's clusters; small numbers suppressed.
#[utoipa::path(get, path = "/api/v1/linking/figures", params(PeriodParams),
    responses((status = 200, body = LinkFigures), (status = 422, body = ErrorList), (status = 401), (status = 403)))]
pub async fn figures(State(st): State<AppState>, _who: Authed, Query(p): Query<PeriodParams>) -> Result<Json<LinkFigures>, ApiError> {
    let period = period(&p)?;
    let c = st.store.link_counts(period).await?;
    Ok(Json(LinkFigures::publish(period, &c)))
}

/// The review queue: open pairs of the latest run whose two records the
/// caller may read, side by side, with each field's contribution. Audited.
#[utoipa::path(get, path = "/api/v1/linking/pairs", responses((status = 200, body = [ReviewPair]), (status = 401), (status = 403)))]
pub async fn pairs(State(st): State<AppState>, who: Authed) -> Result<Json<Vec<ReviewPair>>, ApiError> {
    Ok(Json(st.store.review_queue(&who.ctx(), 200).await?))
}

/// Confirm a pair: the same person. The newer record is merged into the older (reversible).
#[utoipa::path(post, path = "/api/v1/linking/pairs/{id}/confirm", params(("id" = i64, Path, description = "pair id")),
    responses((status = 200, body = MergeOutcome), (status = 404), (status = 422, body = ErrorList), (status = 401), (status = 403)))]
pub async fn confirm(State(st): State<AppState>, who: Authed, Path(id): Path<i64>) -> Result<Json<MergeOutcome>, ApiError> {
    Ok(Json(st.store.confirm_pair(&who.ctx(), id).await?))
}

/// Reject a pair: different people, never suggested again.
#[utoipa::path(post, path = "/api/v1/linking/pairs/{id}/reject", params(("id" = i64, Path, description = "pair id")),
    responses((status = 204), (status = 404), (status = 401), (status = 403)))]
pub async fn reject(State(st): State<AppState>, who: Authed, Path(id): Path<i64>) -> Result<StatusCode, ApiError> {
    st.store.reject_pair(&who.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Merge the person in the path into `into`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MergeJson {
    /// The record that remains.
    pub into: i64,
}

/// Merge person `{id}` into `into`: every referral, link, relationship,
/// assessment and MARAC case moves; `{id}` is kept, marked merged, and can be unmerged.
#[utoipa::path(post, path = "/api/v1/linking/people/{id}/merge", params(("id" = i64, Path, description = "the person merged away")), request_body = MergeJson,
    responses((status = 200, body = MergeOutcome), (status = 404), (status = 422, body = ErrorList), (status = 401), (status = 403)))]
pub async fn merge(
    State(st): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    body: Result<Json<MergeJson>, JsonRejection>,
) -> Result<Json<MergeOutcome>, ApiError> {
    let Json(body) = body.map_err(|_| invalid("into", "is required: the id of the record that remains"))?;
    Ok(Json(st.store.merge_people(&who.ctx(), PersonId(body.into), PersonId(id)).await?))
}

/// Reverse the merge of person `{id}`: every row moved goes back.
#[utoipa::path(post, path = "/api/v1/linking/people/{id}/unmerge", params(("id" = i64, Path, description = "the person merged away")),
    responses((status = 200, body = MergeOutcome), (status = 404), (status = 422, body = ErrorList), (status = 401), (status = 403)))]
pub async fn unmerge(State(st): State<AppState>, who: Authed, Path(id): Path<i64>) -> Result<Json<MergeOutcome>, ApiError> {
    Ok(Json(st.store.unmerge_person(&who.ctx(), PersonId(id)).await?))
}

/// Recent merges (ids only), newest first.
#[utoipa::path(get, path = "/api/v1/linking/merges", responses((status = 200, body = [MergeRow]), (status = 401), (status = 403)))]
pub async fn merges(State(st): State<AppState>, _who: Authed) -> Result<Json<Vec<MergeRow>>, ApiError> {
    Ok(Json(st.store.merges(50).await?))
}
