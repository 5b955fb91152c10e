//! The intake JSON API under `/api/v1/intake`. Same parsers and store
//! methods as the pages, with the same caller.
use super::agency::probe;
use super::form::{IntakeForm, IntakeReferralJson};
use super::police_csv;
use crate::AppState;
use crate::api::ErrorList;
use crate::auth::Authed;
use crate::error::{ApiError, AppError};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use haven_domain::error::{FieldError, ValidationErrors};
use haven_domain::ids::ReferralId;
use haven_domain::person::{Postcode, parse_date};
use haven_store::PersonHit;
use haven_store::intake::{ImportBatchRow, ImportReport, IntakeCreated, IntakeView, PersonProbe};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Likely existing records were found: choose one (`person_id`) or confirm a new person.
#[derive(Debug, Serialize, ToSchema)]
pub struct PossibleMatches {
    pub message: String,
    pub matches: Vec<PersonHit>,
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    let mut v = ValidationErrors::new();
    v.push(FieldError::new(field, message));
    AppError::Invalid(v)
}

/// Make an agency referral with household, alleged perpetrator, interpreter,
/// access and presenting needs, in one transaction. Without `person_id` or
/// `confirm_new_person`, likely existing records answer 409 and nothing is saved.
#[utoipa::path(post, path = "/api/v1/intake/referrals", request_body = IntakeReferralJson,
    responses((status = 201, body = IntakeCreated), (status = 200, description = "The same submission_key was sent before: the first result", body = IntakeCreated),
        (status = 409, body = PossibleMatches), (status = 422, body = ErrorList), (status = 401), (status = 403)))]
pub async fn create_referral(
    State(st): State<AppState>,
    who: Authed,
    body: Result<Json<IntakeReferralJson>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body.map_err(|e| invalid("body", e.body_text()))?;
    let f: IntakeForm = body.into();
    let parsed = f.parse(chrono::Utc::now().date_naive()).map_err(AppError::Invalid)?;
    let ctx = who.ctx();
    let replay = match &parsed.submission_key {
        Some(k) => st.store.submitted(k).await?.is_some(),
        None => false,
    };
    if !f.match_settled() && !replay {
        let matches = st.store.suggest_people(&ctx, &probe(&parsed), 5).await?;
        if !matches.is_empty() {
            let message = "This person may already be known: send person_id to join a record, or confirm_new_person: true".to_string();
            return Ok((StatusCode::CONFLICT, Json(PossibleMatches { message, matches })).into_response());
        }
    }
    let c = st.store.create_intake_referral(&ctx, &parsed, f.existing_person()).await?;
    let status = if c.replayed { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(c)).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MatchParams {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    /// YYYY-MM-DD or DD/MM/YYYY
    pub date_of_birth: Option<String>,
    pub postcode: Option<String>,
}

/// Likely existing records for a person about to be referred (name, date of
/// birth and postcode similarity), best first, only those the caller may see.
#[utoipa::path(get, path = "/api/v1/intake/matches", params(MatchParams), responses((status = 200, body = [PersonHit]), (status = 422, body = ErrorList), (status = 401), (status = 403)))]
pub async fn matches(State(st): State<AppState>, who: Authed, Query(p): Query<MatchParams>) -> Result<Json<Vec<PersonHit>>, ApiError> {
    let mut e = ValidationErrors::new();
    let date_of_birth = match p.date_of_birth.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(d) => match parse_date(d) {
            Some(d) => Some(d),
            None => {
                e.push(FieldError::new("date_of_birth", "must be a real date, as YYYY-MM-DD or DD/MM/YYYY"));
                None
            }
        },
        None => None,
    };
    let postcode = match p.postcode.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(pc) => e.take(Postcode::parse("postcode", pc)),
        None => None,
    };
    let probe = PersonProbe {
        given_name: p.given_name.unwrap_or_default(),
        family_name: p.family_name.unwrap_or_default(),
        date_of_birth,
        postcode,
    };
    if probe.given_name.trim().is_empty() && probe.family_name.trim().is_empty() {
        e.push(FieldError::new("family_name", "is required (or given_name)"));
    }
    if !e.is_empty() {
        return Err(AppError::Invalid(e).into());
    }
    Ok(Json(st.store.suggest_people(&who.ctx(), &probe, 10).await?))
}

/// One referral's intake: household, perpetrator, needs, interpreter, police incident.
#[utoipa::path(get, path = "/api/v1/intake/referrals/{id}", params(("id" = i64, Path)), responses((status = 200, body = IntakeView), (status = 404), (status = 401), (status = 403)))]
pub async fn get_referral(State(st): State<AppState>, who: Authed, Path(id): Path<i64>) -> Result<Json<IntakeView>, ApiError> {
    Ok(Json(st.store.read_intake(&who.ctx(), ReferralId(id)).await?.ok_or(AppError::NotFound)?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ImportParams {
    /// Recorded with the batch; default `upload.csv`.
    pub file_name: Option<String>,
    /// Agency the incidents are attributed to; default the first police agency.
    pub agency: Option<String>,
}

/// Import a police incident file (the CSV as the request body, columns as in
/// docs/intake.md). The whole file is applied in one transaction; rows are
/// imported, skipped as already imported, or rejected with line and reason.
#[utoipa::path(post, path = "/api/v1/intake/police-incidents", params(ImportParams), request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportReport), (status = 422, body = ErrorList), (status = 401), (status = 403)))]
pub async fn import_police(
    State(st): State<AppState>,
    who: Authed,
    Query(p): Query<ImportParams>,
    body: Bytes,
) -> Result<Json<ImportReport>, ApiError> {
    let name = p.file_name.unwrap_or_else(|| "upload.csv".into());
    let mut batch = police_csv::parse(&name, &body, chrono::Utc::now().date_naive()).map_err(AppError::Invalid)?;
    batch.agency_key = p.agency;
    Ok(Json(st.store.import_police_incidents(&who.ctx(), &batch).await?))
}

/// Recent police incident imports, newest first.
#[utoipa::path(get, path = "/api/v1/intake/police-incidents", responses((status = 200, body = [ImportBatchRow]), (status = 401), (status = 403)))]
pub async fn import_batches(State(st): State<AppState>, _who: Authed) -> Result<Json<Vec<ImportBatchRow>>, ApiError> {
    Ok(Json(st.store.police_import_batches(50).await?))
}
