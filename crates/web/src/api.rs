//! The JSON API under `/api/v1`, documented by utoipa at `/api/openapi.json`.
//! Handlers call the same store methods as the pages, with the same caller.
use crate::AppState;
use crate::auth::Authed;
use crate::error::{ApiError, AppError};
use crate::forms::{PersonJson, ReferralInput, ReferralJson, SafeContactJson};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use haven_domain::error::{FieldError, ValidationErrors};
use haven_domain::ids::PersonId;
use haven_store::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    info(title = "Haven API", description = "JSON API of Haven, the information system for a local domestic abuse partnership. Authenticate with a session cookie (and X-CSRF-Token on writes) or `Authorization: Bearer TOKEN` from `haven users token`."),
    paths(healthz, me, search_people, get_person, create_referral, dashboard, audit, verify_audit, list_users),
    components(schemas(Health, Me, PersonHit, PersonRecord, ReferralSummary, LinkedPerson, SafeContactView, ReferralJson, PersonJson, SafeContactJson, Created, ErrorList, FieldErrorJson, Dashboard, Count, QueueItem, AuditRow, AuditVerification, UserSummary)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;
impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let comps = openapi.components.get_or_insert_with(Default::default);
        comps.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
        comps.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Cookie(utoipa::openapi::security::ApiKeyValue::new("haven_session"))),
        );
    }
}

/// The whole document: the core API merged with each area's.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(<crate::intake::Api as OpenApi>::openapi());
    doc.merge(<crate::casework::Api as OpenApi>::openapi());
    doc.merge(<crate::commissioning::Api as OpenApi>::openapi());
    doc.merge(<crate::linking::Api as OpenApi>::openapi());
    doc
}

pub async fn openapi_json() -> impl IntoResponse {
    Json(openapi())
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub schema_version: i64,
}

/// Liveness and schema version (no authentication).
#[utoipa::path(get, path = "/healthz", responses((status = 200, body = Health)))]
pub async fn healthz(State(st): State<AppState>) -> Result<Json<Health>, ApiError> {
    Ok(Json(Health { status: "ok".into(), schema_version: st.store.schema_version().await? }))
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub role: String,
    pub agency_id: i64,
    pub team_id: Option<i64>,
    /// The CSRF token to send as X-CSRF-Token on writes made with the session cookie.
    pub csrf_token: String,
}

/// The signed-in caller.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401)))]
pub async fn me(who: Authed) -> Json<Me> {
    let p = &who.principal;
    Json(Me {
        id: p.user_id.0,
        username: p.username.clone(),
        role: p.role.key().into(),
        agency_id: p.agency_id.0,
        team_id: p.team_id.map(|t| t.0),
        csrf_token: who.csrf().into(),
    })
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchParams {
    /// Name, date of birth or postcode; spelling mistakes tolerated.
    pub q: Option<String>,
    /// At most this many results (default 25, at most 100).
    pub limit: Option<usize>,
}

/// Search people the caller may see, best matches first.
#[utoipa::path(get, path = "/api/v1/people", params(SearchParams), responses((status = 200, body = [PersonHit]), (status = 401), (status = 403)))]
pub async fn search_people(
    State(st): State<AppState>,
    who: Authed,
    Query(p): Query<SearchParams>,
) -> Result<Json<Vec<PersonHit>>, ApiError> {
    let q = haven_domain::search::Query::parse(p.q.as_deref().unwrap_or(""));
    if q.is_empty() {
        return Ok(Json(vec![]));
    }
    Ok(Json(st.store.search_people(&who.ctx(), &q, p.limit.unwrap_or(25).clamp(1, 100)).await?))
}

/// One person's record; the read is written to the audit log. A record out
/// of the caller's reach answers 404, exactly as a missing one.
#[utoipa::path(get, path = "/api/v1/people/{id}", params(("id" = i64, Path)), responses((status = 200, body = PersonRecord), (status = 308, description = "merged into another record"), (status = 404), (status = 401), (status = 403)))]
pub async fn get_person(State(st): State<AppState>, who: Authed, Path(id): Path<i64>) -> Result<axum::response::Response, ApiError> {
    // A record merged into another answers with a redirect to the survivor.
    if let Some(into) = st.store.merged_into(PersonId(id)).await? {
        return Ok(axum::response::Redirect::permanent(&format!("/api/v1/people/{into}")).into_response());
    }
    Ok(Json(st.store.read_person(&who.ctx(), PersonId(id)).await?.ok_or(AppError::NotFound)?).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
    pub person_id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct FieldErrorJson {
    pub field: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorList {
    pub errors: Vec<FieldErrorJson>,
}

/// Make a referral. Bad input answers 422 with every field error, and nothing is saved.
#[utoipa::path(post, path = "/api/v1/referrals", request_body = ReferralJson, responses((status = 201, body = Created), (status = 422, body = ErrorList), (status = 401), (status = 403)))]
pub async fn create_referral(
    State(st): State<AppState>,
    who: Authed,
    body: Result<Json<ReferralJson>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Json(body) = body.map_err(|e| {
        let mut v = ValidationErrors::new();
        v.push(FieldError::new("body", e.body_text()));
        AppError::Invalid(v)
    })?;
    let input: ReferralInput = body.into();
    let existing = input.existing_person();
    let r = input.parse(chrono::Utc::now().date_naive()).map_err(AppError::Invalid)?;
    let (rid, pid) = st.store.create_referral(&who.ctx(), &r, existing).await?;
    Ok((StatusCode::CREATED, Json(Created { id: rid.0, person_id: pid.0 })))
}

/// The caller's queues and counts.
#[utoipa::path(get, path = "/api/v1/dashboard", responses((status = 200, body = Dashboard), (status = 401)))]
pub async fn dashboard(State(st): State<AppState>, who: Authed) -> Result<Json<Dashboard>, ApiError> {
    Ok(Json(st.store.dashboard(&who.ctx()).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditParams {
    /// Newest rows first; default 100, at most 1000.
    pub limit: Option<i64>,
    pub user: Option<String>,
    /// `person:42`
    pub record: Option<String>,
}

/// The newest audit rows (administrators only).
#[utoipa::path(get, path = "/api/v1/audit", params(AuditParams), responses((status = 200, body = [AuditRow]), (status = 401), (status = 403)))]
pub async fn audit(State(st): State<AppState>, who: Authed, Query(p): Query<AuditParams>) -> Result<Json<Vec<AuditRow>>, ApiError> {
    let f =
        crate::pages::admin::audit_filter(p.user.as_deref().unwrap_or(""), p.record.as_deref().unwrap_or(""), Some(p.limit.unwrap_or(100)));
    Ok(Json(st.store.audit_recent(&who.ctx(), &f).await?))
}

/// Recompute the audit hash chain and report the first broken link.
#[utoipa::path(get, path = "/api/v1/audit/verify", responses((status = 200, body = AuditVerification), (status = 401), (status = 403)))]
pub async fn verify_audit(State(st): State<AppState>, _who: Authed) -> Result<Json<AuditVerification>, ApiError> {
    Ok(Json(st.store.verify_audit().await?))
}

/// All user accounts (administrators only).
#[utoipa::path(get, path = "/api/v1/users", responses((status = 200, body = [UserSummary]), (status = 401), (status = 403)))]
pub async fn list_users(State(st): State<AppState>, _who: Authed) -> Result<Json<Vec<UserSummary>>, ApiError> {
    Ok(Json(st.store.list_users().await?))
}
