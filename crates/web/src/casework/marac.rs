//! MARAC: areas and member agencies, meeting schedule, referral (from
//! routing or any agency), agendas, research per agency (members only),
//! action plans, outcomes, and statistics beside the SafeLives references.
use super::{IdJson, Pairs, json_body, one_error, opt_id, parse_date, success, textarea, today};
use crate::AppState;
use crate::auth::{Authed, CSRF_FIELD};
use crate::error::{ApiError, AppError, PageError};
use crate::pages::layout;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chrono::NaiveDate;
use haven_domain::access::{Permission, Role};
use haven_domain::agency::AgencyKind;
use haven_domain::error::{FieldError, ValidationErrors};
use haven_domain::ids::{AgencyId, PersonId, ReferralId};
use haven_domain::marac::{
    LocalContext, MaracReferences, MaracStatistic, Period, Position, Reference, SMALL_NUMBER_LIMIT, compare_with_references,
    marac_statistics,
};
use haven_domain::referral::parse_text;
use haven_store::casework::{ActionStatus, AgencyActionRow, Agenda, MaracAreaRow, MaracCaseView, MaracOutcome, NewMaracAction};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

const MAX_RESEARCH: usize = 10_000;

fn agency_label(kind: &str) -> &str {
    AgencyKind::from_key(kind).map(|a| a.label()).unwrap_or(kind)
}

fn store_err(e: haven_store::StoreError) -> Result<ValidationErrors, AppError> {
    match e {
        haven_store::StoreError::Conflict { field, message } => Ok(one_error(&field, message)),
        other => Err(other.into()),
    }
}

// ---------------------------------------------------------------------------
// Areas and meetings

/// A new MARAC area.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct AreaJson {
    pub name: String,
    /// Agency ids whose staff are members (read and write research).
    pub members: Vec<i64>,
}

fn parse_area(name: &str) -> Result<(String, String), ValidationErrors> {
    let mut e = ValidationErrors::new();
    let name = e.take(parse_text("name", name, true, 100)).flatten();
    match name {
        Some(n) if e.is_empty() => {
            let key: String = n
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
                .collect::<String>()
                .trim()
                .to_ascii_lowercase()
                .replace(' ', "_");
            if key.is_empty() {
                return Err(one_error("name", "must contain letters or digits"));
            }
            Ok((key, n))
        }
        _ => Err(e),
    }
}

/// A meeting to schedule.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct MeetingJson {
    pub area_id: Option<i64>,
    /// YYYY-MM-DD
    pub meeting_date: String,
}

fn parse_meeting(area: Option<i64>, date: &str) -> Result<(i64, NaiveDate), ValidationErrors> {
    let mut e = ValidationErrors::new();
    if area.is_none() {
        e.push(FieldError::new("area_id", "is required: choose a MARAC area"));
    }
    let d = parse_date("meeting_date", date, &mut e);
    match (area, d) {
        (Some(a), Some(d)) if e.is_empty() => Ok((a, d)),
        _ => Err(e),
    }
}

/// MARAC areas, their member agencies and upcoming meetings.
#[utoipa::path(get, path = "/api/v1/marac/areas", responses((status = 200, body = [MaracAreaRow]), (status = 401), (status = 403)))]
pub async fn api_areas(State(st): State<AppState>, who: Authed) -> Result<Json<Vec<MaracAreaRow>>, ApiError> {
    Ok(Json(st.store.marac_areas(&who.ctx(), today()).await?))
}

/// Add a MARAC area (coordinator).
#[utoipa::path(post, path = "/api/v1/marac/areas", request_body = AreaJson, responses((status = 201, body = IdJson), (status = 422, body = crate::api::ErrorList)))]
pub async fn api_area(State(st): State<AppState>, who: Authed, body: Result<Json<AreaJson>, JsonRejection>) -> Result<Response, ApiError> {
    let b = json_body(body)?;
    let (key, name) = parse_area(&b.name).map_err(AppError::Invalid)?;
    let members: Vec<AgencyId> = b.members.iter().copied().map(AgencyId).collect();
    let id = st.store.create_marac_area(&who.ctx(), &key, &name, &members).await?;
    Ok((StatusCode::CREATED, Json(IdJson { id })).into_response())
}

/// Schedule a meeting; cases referred and not yet listed join its agenda.
#[utoipa::path(post, path = "/api/v1/marac/meetings", request_body = MeetingJson, responses((status = 201, body = IdJson), (status = 422, body = crate::api::ErrorList)))]
pub async fn api_meeting(
    State(st): State<AppState>,
    who: Authed,
    body: Result<Json<MeetingJson>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = json_body(body)?;
    let (area, date) = parse_meeting(b.area_id, &b.meeting_date).map_err(AppError::Invalid)?;
    let id = st.store.schedule_marac_meeting(&who.ctx(), area, date).await?;
    Ok((StatusCode::CREATED, Json(IdJson { id })).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Flash {
    pub saved: Option<String>,
}

fn areas_body(
    who: &Authed,
    areas: &[MaracAreaRow],
    agencies: &[haven_store::AgencyRow],
    e: &ValidationErrors,
    p: Option<&Pairs>,
    saved: Option<&str>,
) -> Markup {
    let manage = who.principal.role.allows(Permission::ManageMarac);
    let v = |k: &str| p.map(|p| p.get(k)).unwrap_or_default();
    let area_opts: Vec<(String, String)> = areas.iter().map(|a| (a.id.to_string(), a.name.clone())).collect();
    let aopts: Vec<(&str, &str)> = area_opts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    html! {
        span.hint { "Multi-agency risk assessment conferences" }
        h1 { "MARAC" }
        @if let Some(s) = saved { (success(s)) }
        (layout::error_summary(e))
        @if who.principal.role.allows(Permission::ViewAggregates) { p { a href="/marac/statistics" { "MARAC statistics" } } }
        @if areas.is_empty() { p.muted { "No MARAC areas yet." } }
        @for a in areas {
            section.area id={ "area-" (a.id) } {
                h2 { (a.name) }
                @if !a.districts.is_empty() { p.muted { "Hears cases from: " (a.districts.join(", ")) } }
                p { "Member agencies: " (a.members.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ")) }
                @if !a.is_member { p.notice { "Your agency is not a member of this MARAC: its agendas and research are not shown to you." } }
                @if a.unlisted > 0 { p { strong { (a.unlisted) } " referred case(s) waiting for a meeting to be scheduled." } }
                @if a.meetings.is_empty() { p.muted { "No meetings scheduled." } } @else {
                    table {
                        thead { tr { th { "Meeting" } th { "Cases" } } }
                        tbody {
                            @for m in &a.meetings {
                                tr {
                                    td { @if a.is_member { a href={ "/marac/meetings/" (m.id) } { (m.meeting_date) } } @else { (m.meeting_date) } }
                                    td { (m.cases) }
                                }
                            }
                        }
                    }
                }
                @if manage {
                    details {
                        summary { "Member agencies of " (a.name) }
                        form method="post" action={ "/marac/areas/" (a.id) "/members" } {
                            input type="hidden" name=(CSRF_FIELD) value=(who.csrf());
                            fieldset.checks {
                                legend { "Members" }
                                @for g in agencies {
                                    label { input type="checkbox" name="members" value=(g.id) checked[a.members.iter().any(|m| m.id == g.id)]; (g.name) }
                                }
                            }
                            button.secondary type="submit" { "Save members" }
                        }
                    }
                }
            }
        }
        @if manage {
            h2 { "Schedule a meeting" }
            form method="post" action="/marac/meetings" novalidate id="schedule-meeting" {
                input type="hidden" name=(CSRF_FIELD) value=(who.csrf());
                (layout::select_field("area_id", "MARAC area", &aopts, &v("area_id"), Some("Choose"), e))
                (layout::text_field("meeting_date", "Date", Some("For example 2026-12-03"), &v("meeting_date"), "date", e))
                button type="submit" { "Schedule" }
            }
            h2 { "Add a MARAC area" }
            form method="post" action="/marac/areas" novalidate {
                input type="hidden" name=(CSRF_FIELD) value=(who.csrf());
                (layout::text_field("name", "Name", Some("For example: North Wessex MARAC"), &v("name"), "text", e))
                fieldset.checks {
                    legend { "Member agencies" }
                    @for g in agencies { label { input type="checkbox" name="members" value=(g.id) checked; (g.name) } }
                }
                button.secondary type="submit" { "Add area" }
            }
        }
    }
}

async fn areas_view(st: &AppState, who: &Authed, e: &ValidationErrors, p: Option<&Pairs>, saved: Option<&str>) -> Result<Markup, AppError> {
    let areas = st.store.marac_areas(&who.ctx(), today()).await?;
    let agencies = st.store.agencies().await?;
    Ok(layout::page("MARAC", who, areas_body(who, &areas, &agencies, e, p, saved)))
}

pub async fn areas_page(State(st): State<AppState>, who: Authed, Query(f): Query<Flash>) -> Result<Markup, PageError> {
    let msg = match f.saved.as_deref() {
        Some("meeting") => Some("Meeting scheduled."),
        Some("area") => Some("MARAC area added."),
        Some("members") => Some("Member agencies saved."),
        _ => None,
    };
    Ok(areas_view(&st, &who, &ValidationErrors::new(), None, msg).await?)
}

async fn areas_error(st: &AppState, who: &Authed, e: ValidationErrors, p: &Pairs) -> Result<Response, PageError> {
    let page = areas_view(st, who, &e, Some(p), None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

fn member_ids(p: &Pairs, e: &mut ValidationErrors) -> Vec<AgencyId> {
    p.all("members").iter().filter_map(|m| opt_id("members", m, e)).map(AgencyId).collect()
}

pub async fn area_submit(State(st): State<AppState>, who: Authed, Form(p): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    let p = Pairs(p);
    let mut e = ValidationErrors::new();
    let members = member_ids(&p, &mut e);
    let parsed = parse_area(&p.get("name"));
    let (key, name) = match parsed {
        Ok(x) if e.is_empty() => x,
        Ok(_) => return areas_error(&st, &who, e, &p).await,
        Err(mut pe) => {
            pe.errors.extend(e.errors);
            return areas_error(&st, &who, pe, &p).await;
        }
    };
    match st.store.create_marac_area(&who.ctx(), &key, &name, &members).await {
        Ok(_) => Ok(Redirect::to("/marac?saved=area").into_response()),
        Err(err) => areas_error(&st, &who, store_err(err)?, &p).await,
    }
}

pub async fn members_submit(
    State(st): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Form(p): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let p = Pairs(p);
    let mut e = ValidationErrors::new();
    let members = member_ids(&p, &mut e);
    if !e.is_empty() {
        return areas_error(&st, &who, e, &p).await;
    }
    match st.store.set_marac_members(&who.ctx(), id, &members).await {
        Ok(()) => Ok(Redirect::to("/marac?saved=members").into_response()),
        Err(err) => areas_error(&st, &who, store_err(err)?, &p).await,
    }
}

pub async fn meeting_submit(State(st): State<AppState>, who: Authed, Form(p): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    let p = Pairs(p);
    let mut e = ValidationErrors::new();
    let area = opt_id("area_id", &p.get("area_id"), &mut e);
    let parsed = parse_meeting(area, &p.get("meeting_date"));
    let (area, date) = match parsed {
        Ok(x) if e.is_empty() => x,
        Ok(_) => return areas_error(&st, &who, e, &p).await,
        Err(pe) => return areas_error(&st, &who, pe, &p).await,
    };
    match st.store.schedule_marac_meeting(&who.ctx(), area, date).await {
        Ok(mid) => Ok(Redirect::to(&format!("/marac/meetings/{mid}")).into_response()),
        Err(err) => areas_error(&st, &who, store_err(err)?, &p).await,
    }
}

// ---------------------------------------------------------------------------
// Agenda

/// The agenda of a meeting: each case, its risk, children, referring agency, repeat flag.
#[utoipa::path(get, path = "/api/v1/marac/meetings/{id}/agenda", params(("id" = i64, Path)), responses((status = 200, body = Agenda), (status = 404)))]
pub async fn api_agenda(State(st): State<AppState>, who: Authed, Path(id): Path<i64>) -> Result<Json<Agenda>, ApiError> {
    Ok(Json(st.store.marac_agenda(&who.ctx(), id).await?.ok_or(AppError::NotFound)?))
}

pub async fn agenda_page(State(st): State<AppState>, who: Authed, Path(id): Path<i64>) -> Result<Markup, PageError> {
    let a = st.store.marac_agenda(&who.ctx(), id).await?.ok_or(AppError::NotFound)?;
    let body = html! {
        span.hint { (a.meeting.area) }
        h1 { "MARAC agenda: " (a.meeting.meeting_date) }
        p { (a.items.len()) " case(s). Highest risk and repeats first. " a href="/marac" { "All meetings" } }
        @if a.items.is_empty() { p.muted { "No cases on this agenda yet." } } @else {
            table id="agenda" {
                thead { tr { th { "#" } th { "Victim" } th { "Risk" } th { "Children" } th { "Referred by" } th { "Repeat" } th { "Why" } th { "Research" } th { "Status" } } }
                tbody {
                    @for (i, c) in a.items.iter().enumerate() {
                        tr {
                            td { (i + 1) }
                            td { a href={ "/marac/cases/" (c.case_id) } { (c.person_name) } }
                            td { (layout::risk_tag(c.risk_level.as_deref())) }
                            td { (c.children) }
                            td { (c.referring_agency.as_deref().unwrap_or_else(|| agency_label(&c.referring_agency_kind))) }
                            td { @if c.repeat { strong.tag.high { "repeat" } } @else { "No" } }
                            td { (c.reasons.join("; ")) }
                            td { (c.research_entries) " agencies" }
                            td { (c.outcome.as_deref().and_then(MaracOutcome::from_key).map(|o| o.label()).unwrap_or(&c.status)) }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page(&format!("MARAC agenda {}", a.meeting.meeting_date), &who, body))
}

// ---------------------------------------------------------------------------
// Case: research, actions, outcome

/// One case, with every member agency's research and the action plan. Members only.
#[utoipa::path(get, path = "/api/v1/marac/cases/{id}", params(("id" = i64, Path)), responses((status = 200, body = MaracCaseView), (status = 404)))]
pub async fn api_case(State(st): State<AppState>, who: Authed, Path(id): Path<i64>) -> Result<Json<MaracCaseView>, ApiError> {
    Ok(Json(st.store.marac_case(&who.ctx(), id).await?.ok_or(AppError::NotFound)?))
}

/// The caller's agency's research entry.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ResearchJson {
    /// What your agency knows about the victim, children and perpetrator.
    pub content: String,
}

fn parse_research(raw: &str) -> Result<String, ValidationErrors> {
    match parse_text("content", raw, true, MAX_RESEARCH) {
        Ok(Some(c)) => Ok(c),
        Ok(None) => Err(one_error("content", "is required")),
        Err(e) => Err(ValidationErrors { errors: vec![e] }),
    }
}

/// Save your agency's research for a case (replaces your agency's previous entry).
#[utoipa::path(post, path = "/api/v1/marac/cases/{id}/research", params(("id" = i64, Path)), request_body = ResearchJson,
    responses((status = 204), (status = 422, body = crate::api::ErrorList), (status = 404)))]
pub async fn api_research(
    State(st): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    body: Result<Json<ResearchJson>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = json_body(body)?;
    let c = parse_research(&b.content).map_err(AppError::Invalid)?;
    st.store.save_marac_research(&who.ctx(), id, &c).await?.ok_or(AppError::NotFound)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A new action in a case's plan.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ActionJson {
    pub description: String,
    pub owner_agency_id: Option<i64>,
    /// YYYY-MM-DD
    pub due_date: String,
}

fn parse_action(j: &ActionJson) -> Result<NewMaracAction, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let d = e.take(parse_text("description", &j.description, true, 2000)).flatten();
    if j.owner_agency_id.is_none() {
        e.push(FieldError::new("owner_agency_id", "is required: choose the agency that owns the action"));
    }
    let due = parse_date("due_date", &j.due_date, &mut e);
    match (d, j.owner_agency_id, due) {
        (Some(description), Some(o), Some(due)) if e.is_empty() => Ok(NewMaracAction { description, owner_agency: AgencyId(o), due }),
        _ => Err(e),
    }
}

/// Add an action to a case's plan (coordinator).
#[utoipa::path(post, path = "/api/v1/marac/cases/{id}/actions", params(("id" = i64, Path)), request_body = ActionJson,
    responses((status = 201, body = IdJson), (status = 422, body = crate::api::ErrorList), (status = 404)))]
pub async fn api_action(
    State(st): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    body: Result<Json<ActionJson>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = json_body(body)?;
    let a = parse_action(&b).map_err(AppError::Invalid)?;
    let aid = st.store.add_marac_action(&who.ctx(), id, &a).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(IdJson { id: aid })).into_response())
}

/// An update to an action.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ActionUpdateJson {
    /// `open`, `in_progress`, `done`, `cancelled`.
    pub status: String,
    pub note: Option<String>,
}

fn parse_update(j: &ActionUpdateJson) -> Result<(ActionStatus, Option<String>), ValidationErrors> {
    let mut e = ValidationErrors::new();
    let s = if j.status.trim().is_empty() {
        e.push(FieldError::new("status", "is required"));
        None
    } else {
        e.take(ActionStatus::parse("status", &j.status))
    };
    let note = e.take(parse_text("note", j.note.as_deref().unwrap_or(""), false, 2000)).flatten();
    match s {
        Some(s) if e.is_empty() => Ok((s, note)),
        _ => Err(e),
    }
}

/// Update an action: its owner agency or the coordinator.
#[utoipa::path(post, path = "/api/v1/marac/actions/{id}", params(("id" = i64, Path)), request_body = ActionUpdateJson,
    responses((status = 204), (status = 422, body = crate::api::ErrorList), (status = 404)))]
pub async fn api_action_update(
    State(st): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    body: Result<Json<ActionUpdateJson>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = json_body(body)?;
    let (s, note) = parse_update(&b).map_err(AppError::Invalid)?;
    st.store.update_marac_action(&who.ctx(), id, s, note.as_deref()).await?.ok_or(AppError::NotFound)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The outcome of a case at its meeting.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct OutcomeJson {
    /// `action_plan_agreed`, `no_further_action`, `deferred`, `withdrawn`.
    pub outcome: String,
    pub notes: Option<String>,
}

fn parse_outcome(j: &OutcomeJson) -> Result<(MaracOutcome, Option<String>), ValidationErrors> {
    let mut e = ValidationErrors::new();
    let o = if j.outcome.trim().is_empty() {
        e.push(FieldError::new("outcome", "is required"));
        None
    } else {
        e.take(MaracOutcome::parse("outcome", &j.outcome))
    };
    let notes = e.take(parse_text("notes", j.notes.as_deref().unwrap_or(""), false, 4000)).flatten();
    match o {
        Some(o) if e.is_empty() => Ok((o, notes)),
        _ => Err(e),
    }
}

/// Record the outcome of a case (coordinator).
#[utoipa::path(post, path = "/api/v1/marac/cases/{id}/outcome", params(("id" = i64, Path)), request_body = OutcomeJson,
    responses((status = 204), (status = 422, body = crate::api::ErrorList), (status = 404)))]
pub async fn api_outcome(
    State(st): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    body: Result<Json<OutcomeJson>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = json_body(body)?;
    let (o, n) = parse_outcome(&b).map_err(AppError::Invalid)?;
    st.store.record_marac_outcome(&who.ctx(), id, o, n.as_deref()).await?.ok_or(AppError::NotFound)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Outstanding MARAC actions owned by the caller's agency.
#[utoipa::path(get, path = "/api/v1/marac/my-actions", responses((status = 200, body = [AgencyActionRow]), (status = 401)))]
pub async fn api_my_actions(State(st): State<AppState>, who: Authed) -> Result<Json<Vec<AgencyActionRow>>, ApiError> {
    Ok(Json(st.store.agency_actions(&who.ctx()).await?))
}

/// Which form on the case page had errors, and what was typed.
enum CaseForm<'a> {
    None,
    Research(&'a ValidationErrors, &'a str),
    Action(&'a ValidationErrors, &'a Pairs),
    Update(i64, &'a ValidationErrors, &'a Pairs),
    Outcome(&'a ValidationErrors, &'a Pairs),
}

fn case_body(who: &Authed, c: &MaracCaseView, form: CaseForm<'_>, saved: Option<&str>) -> Markup {
    let i = &c.item;
    let coordinator = who.principal.role == Role::MaracCoordinator;
    let mine = c.research.iter().find(|r| r.agency_id == who.principal.agency_id);
    let empty = ValidationErrors::new();
    let (re, rv) = match &form {
        CaseForm::Research(e, v) => (*e, v.to_string()),
        _ => (&empty, mine.map(|m| m.content.clone()).unwrap_or_default()),
    };
    let (ae, ap) = match &form {
        CaseForm::Action(e, p) => (*e, Some(*p)),
        _ => (&empty, None),
    };
    let (oe, op) = match &form {
        CaseForm::Outcome(e, p) => (*e, Some(*p)),
        _ => (&empty, None),
    };
    let av = |k: &str| ap.map(|p| p.get(k)).unwrap_or_default();
    let ov = |k: &str| op.map(|p| p.get(k)).unwrap_or_default();
    let members: Vec<(String, String)> = c.member_agencies.iter().map(|a| (a.id.to_string(), a.name.clone())).collect();
    let mopts: Vec<(&str, &str)> = members.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let statuses: Vec<(&str, &str)> = ActionStatus::ALL.iter().map(|s| (s.key(), s.label())).collect();
    let outcomes: Vec<(&str, &str)> = MaracOutcome::ALL.iter().map(|s| (s.key(), s.label())).collect();
    let any_error = !matches!(form, CaseForm::None);
    html! {
        span.hint { (c.area) @if let Some(d) = &c.meeting_date { " – meeting " a href={ "/marac/meetings/" (c.meeting_id.unwrap_or_default()) } { (d) } } }
        h1 { "MARAC case " (i.case_id) ": " (i.person_name) }
        @if let Some(s) = saved { (success(s)) }
        @if any_error { p.error-summary role="alert" { strong { "There is a problem: " } "see the errors below." } }
        dl.summary {
            dt { "Risk" } dd { (layout::risk_tag(i.risk_level.as_deref())) }
            dt { "Children" } dd { (i.children) }
            dt { "Referred by" } dd { (i.referring_agency.as_deref().unwrap_or_else(|| agency_label(&i.referring_agency_kind))) " on " (i.referred_on) }
            dt { "Repeat" } dd { @if i.repeat { strong.tag.high { "repeat" } " within 12 months of a previous MARAC" } @else { "No" } }
            dt { "Why" } dd { (i.reasons.join("; ")) }
            dt { "Status" } dd { (i.status) @if let Some(o) = i.outcome.as_deref().and_then(MaracOutcome::from_key) { " – " (o.label()) } @if let Some(n) = &c.outcome_notes { br; (n) } }
        }
        h2 { "Research by agency" }
        p.hint { "Visible only to members of this MARAC. Share what is relevant and proportionate to the risk." }
        @if c.research.is_empty() { p.muted { "No agency has entered research yet." } }
        @for r in &c.research {
            section.research {
                h3 { (r.agency) }
                p { (r.content) }
                p.muted { (r.author.as_deref().unwrap_or("")) ", " (r.updated_at.get(..16).unwrap_or(&r.updated_at).replace('T', " ")) }
            }
        }
        form method="post" action={ "/marac/cases/" (i.case_id) "/research" } novalidate id="research-form" {
            input type="hidden" name=(CSRF_FIELD) value=(who.csrf());
            (textarea("content", "Your agency's research", Some("What your agency knows about the victim, children and perpetrator"), &rv, re))
            button type="submit" { "Save research" }
        }
        h2 { "Action plan" }
        @if c.actions.is_empty() { p.muted { "No actions yet." } } @else {
            table id="actions" {
                thead { tr { th { "Action" } th { "Owner" } th { "Due" } th { "Status" } th { "Updates" } } }
                tbody {
                    @for a in &c.actions {
                        @let can_update = coordinator || a.owner_agency_id == who.principal.agency_id;
                        @let (ue, up) = match &form { CaseForm::Update(id, e, p) if *id == a.id => (*e, Some(*p)), _ => (&empty, None) };
                        tr {
                            td { (a.description) }
                            td { (a.owner_agency) }
                            td { (a.due_date) }
                            td { (ActionStatus::from_key(&a.status).map(|s| s.label()).unwrap_or(&a.status)) }
                            td {
                                @for u in &a.updates { p.muted { (u.at.get(..10).unwrap_or("")) " " (u.agency.as_deref().unwrap_or("")) ": " (u.status.replace('_', " ")) @if let Some(n) = &u.note { " – " (n) } } }
                                @if can_update {
                                    form method="post" action={ "/marac/actions/" (a.id) } novalidate {
                                        input type="hidden" name=(CSRF_FIELD) value=(who.csrf());
                                        input type="hidden" name="case_id" value=(i.case_id);
                                        (layout::select_field("status", "Status", &statuses, &up.map(|p| p.get("status")).unwrap_or_else(|| a.status.clone()), None, ue))
                                        (layout::text_field("note", "Update", None, &up.map(|p| p.get("note")).unwrap_or_default(), "text", ue))
                                        button.secondary type="submit" { "Update" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if coordinator {
            h3 { "Add an action" }
            form method="post" action={ "/marac/cases/" (i.case_id) "/actions" } novalidate id="action-form" {
                input type="hidden" name=(CSRF_FIELD) value=(who.csrf());
                (textarea("description", "Action", None, &av("description"), ae))
                (layout::select_field("owner_agency_id", "Owner agency", &mopts, &av("owner_agency_id"), Some("Choose"), ae))
                (layout::text_field("due_date", "Due by", None, &av("due_date"), "date", ae))
                button type="submit" { "Add action" }
            }
            h2 { "Outcome" }
            form method="post" action={ "/marac/cases/" (i.case_id) "/outcome" } novalidate id="outcome-form" {
                input type="hidden" name=(CSRF_FIELD) value=(who.csrf());
                (layout::select_field("outcome", "Outcome", &outcomes, &ov("outcome"), Some("Choose"), oe))
                (textarea("notes", "Notes", None, &ov("notes"), oe))
                button type="submit" { "Record outcome" }
            }
        }
    }
}

async fn case(st: &AppState, who: &Authed, id: i64) -> Result<MaracCaseView, AppError> {
    st.store.marac_case(&who.ctx(), id).await?.ok_or(AppError::NotFound)
}

fn case_page_markup(who: &Authed, c: &MaracCaseView, form: CaseForm<'_>, saved: Option<&str>) -> Markup {
    layout::page(&format!("MARAC case {}", c.item.case_id), who, case_body(who, c, form, saved))
}

pub async fn case_page(State(st): State<AppState>, who: Authed, Path(id): Path<i64>, Query(f): Query<Flash>) -> Result<Markup, PageError> {
    let c = case(&st, &who, id).await?;
    let msg = match f.saved.as_deref() {
        Some("research") => Some("Research saved."),
        Some("action") => Some("Action added."),
        Some("update") => Some("Action updated."),
        Some("outcome") => Some("Outcome recorded."),
        _ => None,
    };
    Ok(case_page_markup(&who, &c, CaseForm::None, msg))
}

pub async fn research_submit(
    State(st): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Form(p): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let p = Pairs(p);
    let raw = p.get("content");
    match parse_research(&raw) {
        Ok(content) => {
            st.store.save_marac_research(&who.ctx(), id, &content).await?.ok_or(AppError::NotFound)?;
            Ok(Redirect::to(&format!("/marac/cases/{id}?saved=research")).into_response())
        }
        Err(e) => {
            let c = case(&st, &who, id).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, case_page_markup(&who, &c, CaseForm::Research(&e, &raw), None)).into_response())
        }
    }
}

pub async fn action_submit(
    State(st): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Form(p): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let p = Pairs(p);
    let mut e = ValidationErrors::new();
    let j = ActionJson {
        description: p.get("description"),
        owner_agency_id: opt_id("owner_agency_id", &p.get("owner_agency_id"), &mut e),
        due_date: p.get("due_date"),
    };
    let result = match parse_action(&j) {
        Ok(a) if e.is_empty() => match st.store.add_marac_action(&who.ctx(), id, &a).await {
            Ok(Some(_)) => return Ok(Redirect::to(&format!("/marac/cases/{id}?saved=action")).into_response()),
            Ok(None) => return Err(AppError::NotFound.into()),
            Err(err) => store_err(err)?,
        },
        Ok(_) => e,
        Err(pe) => pe,
    };
    let c = case(&st, &who, id).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, case_page_markup(&who, &c, CaseForm::Action(&result, &p), None)).into_response())
}

pub async fn action_update_submit(
    State(st): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Form(p): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let p = Pairs(p);
    let j = ActionUpdateJson { status: p.get("status"), note: Some(p.get("note")) };
    // The form names its case, for the redirect and for showing errors.
    let case_id = p.get("case_id").trim().parse::<i64>().ok();
    match parse_update(&j) {
        Ok((s, note)) => {
            st.store.update_marac_action(&who.ctx(), id, s, note.as_deref()).await?.ok_or(AppError::NotFound)?;
            let to = case_id.map(|c| format!("/marac/cases/{c}?saved=update")).unwrap_or_else(|| "/".into());
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => match case_id {
            Some(cid) => {
                let c = case(&st, &who, cid).await?;
                Ok((StatusCode::UNPROCESSABLE_ENTITY, case_page_markup(&who, &c, CaseForm::Update(id, &e, &p), None)).into_response())
            }
            None => Err(AppError::Invalid(e).into()),
        },
    }
}

pub async fn outcome_submit(
    State(st): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Form(p): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let p = Pairs(p);
    let j = OutcomeJson { outcome: p.get("outcome"), notes: Some(p.get("notes")) };
    match parse_outcome(&j) {
        Ok((o, n)) => {
            st.store.record_marac_outcome(&who.ctx(), id, o, n.as_deref()).await?.ok_or(AppError::NotFound)?;
            Ok(Redirect::to(&format!("/marac/cases/{id}?saved=outcome")).into_response())
        }
        Err(e) => {
            let c = case(&st, &who, id).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, case_page_markup(&who, &c, CaseForm::Outcome(&e, &p), None)).into_response())
        }
    }
}

// ---------------------------------------------------------------------------
// Referral to MARAC

/// Refer a person to MARAC.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ReferJson {
    pub area_id: Option<i64>,
    /// The referral this comes from, if any (one of the person's).
    pub referral_id: Option<i64>,
}

/// Refer a person to MARAC (any agency that can read them). Refused with
/// 422 when they are not MARAC-eligible or already waiting to be heard.
#[utoipa::path(post, path = "/api/v1/people/{id}/marac", params(("id" = i64, Path)), request_body = ReferJson,
    responses((status = 201, body = IdJson), (status = 422, body = crate::api::ErrorList), (status = 404)))]
pub async fn api_refer(
    State(st): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    body: Result<Json<ReferJson>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = json_body(body)?;
    let Some(area) = b.area_id else { return Err(AppError::Invalid(one_error("area_id", "is required: choose a MARAC area")).into()) };
    let cid = st
        .store
        .refer_to_marac(&who.ctx(), PersonId(id), area, b.referral_id.map(ReferralId), &st.config.rules.marac, today())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(IdJson { id: cid })).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReferQuery {
    pub referred: Option<i64>,
}

async fn refer_body(
    st: &AppState,
    who: &Authed,
    id: i64,
    e: &ValidationErrors,
    area: &str,
    referred: Option<i64>,
) -> Result<Markup, AppError> {
    let rec = st.store.read_person(&who.ctx(), PersonId(id)).await?.ok_or(AppError::NotFound)?;
    let areas = st.store.marac_areas(&who.ctx(), today()).await?;
    let opts: Vec<(String, String)> = areas.iter().map(|a| (a.id.to_string(), a.name.clone())).collect();
    let aopts: Vec<(&str, &str)> = opts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let name = format!("{} {}", rec.given_name, rec.family_name);
    let body = html! {
        span.hint { "MARAC referral" }
        h1 { "Refer " a href={ "/people/" (id) } { (name) } " to MARAC" }
        @if let Some(c) = referred {
            div.success role="status" { p { strong { "Referred to MARAC (case " (c) ")." } } p { a href={ "/marac/cases/" (c) } { "Open the case" } } }
        }
        (layout::error_summary(e))
        p { "A case can be referred when it is high risk (DASH 14+ or professional judgement), after 3 or more police incidents in 12 months, or on a new incident within 12 months of a previous MARAC. "
            "The repeat flag is set from the person's MARAC history." }
        form method="post" action={ "/people/" (id) "/marac" } novalidate {
            input type="hidden" name=(CSRF_FIELD) value=(who.csrf());
            @let perr = e.for_field("person_id");
            @if let Some(m) = perr { div.field.error id=(layout::field_id("person_id")) { span.error-message { "Error: This person " (m) } } }
            (layout::select_field("area_id", "MARAC area", &aopts, area, Some("Choose"), e))
            button type="submit" { "Refer to MARAC" }
        }
    };
    Ok(layout::page("Refer to MARAC", who, body))
}

pub async fn refer_page(
    State(st): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Query(q): Query<ReferQuery>,
) -> Result<Markup, PageError> {
    Ok(refer_body(&st, &who, id, &ValidationErrors::new(), "", q.referred).await?)
}

pub async fn refer_submit(
    State(st): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Form(p): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let p = Pairs(p);
    let mut e = ValidationErrors::new();
    let area = opt_id("area_id", &p.get("area_id"), &mut e);
    let e = match area {
        Some(area) if e.is_empty() => {
            match st.store.refer_to_marac(&who.ctx(), PersonId(id), area, None, &st.config.rules.marac, today()).await {
                Ok(Some(c)) => return Ok(Redirect::to(&format!("/people/{id}/marac?referred={c}")).into_response()),
                Ok(None) => return Err(AppError::NotFound.into()),
                Err(err) => store_err(err)?,
            }
        }
        None if e.is_empty() => one_error("area_id", "is required: choose a MARAC area"),
        _ => e,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, refer_body(&st, &who, id, &e, &p.get("area_id"), None).await?).into_response())
}

// ---------------------------------------------------------------------------
// Statistics

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
pub struct StatsQuery {
    /// A MARAC area id; all areas if absent.
    pub area: Option<String>,
    /// YYYY-MM-DD; 12 months before `to` if absent.
    pub from: Option<String>,
    /// YYYY-MM-DD; today if absent.
    pub to: Option<String>,
}

/// One statistic beside its reference figure, after suppression.
#[derive(Serialize, ToSchema)]
pub struct StatLine {
    pub key: String,
    pub label: String,
    /// `None` when suppressed (fewer than 5) or not computable.
    pub value: Option<f64>,
    pub suppressed: bool,
    /// e.g. "31" or "20–30".
    pub reference: Option<String>,
    pub basis: Option<String>,
    pub source: Option<String>,
    /// `below`, `within`, `above`.
    pub position: Option<String>,
}

/// MARAC statistics for an area and period, with small-number suppression.
#[derive(Serialize, ToSchema)]
pub struct StatisticsJson {
    pub area: Option<String>,
    pub from: String,
    pub to: String,
    /// Counts: a number, or "<5" when suppressed.
    #[schema(value_type = Object)]
    pub counts: serde_json::Value,
    #[schema(value_type = Object)]
    pub referrals_by_agency: serde_json::Value,
    pub statistics: Vec<StatLine>,
    pub suppression_limit: u32,
}

async fn statistics(st: &AppState, who: &Authed, q: &StatsQuery) -> Result<StatisticsJson, AppError> {
    let mut e = ValidationErrors::new();
    let area = q.area.as_deref().and_then(|a| opt_id("area", a, &mut e));
    let to = match q.to.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(t) => parse_date("to", t, &mut e),
        None => Some(today()),
    };
    let from = match q.from.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(f) => parse_date("from", f, &mut e),
        None => to.map(|t| Period::twelve_months_to(t).from()),
    };
    let period = match (from, to) {
        (Some(f), Some(t)) if e.is_empty() => Period::new(f, t).map_err(|x| AppError::Invalid(ValidationErrors { errors: vec![x] }))?,
        _ => return Err(AppError::Invalid(e)),
    };
    let input = st.store.marac_stat_cases(&who.ctx(), area, period).await?;
    let stats = marac_statistics(&input.cases, period);
    let limit = SMALL_NUMBER_LIMIT;
    let published = stats.published(limit);
    let refs = MaracReferences::embedded().map_err(|x| AppError::Internal(x.to_string()))?;
    let local = LocalContext { adult_female_population: input.adult_female_population, ..Default::default() };
    let comparisons = compare_with_references(&stats, refs, &local);
    let lines = comparisons
        .into_iter()
        .map(|c| {
            // Only published values leave the system: a suppressed count hides its rate.
            let value = if c.statistic == MaracStatistic::CasesPer10000AdultWomen {
                if published.cases.is_suppressed() { None } else { c.value }
            } else {
                published.percentages.get(&c.statistic).copied().flatten()
            };
            let suppressed = value.is_none() && c.value.is_some();
            StatLine {
                key: c.statistic.key().into(),
                label: c.label.into(),
                value,
                suppressed,
                reference: c.reference.map(|r| match r {
                    Reference::Range { low, high } => format!("{low:.0}–{high:.0}"),
                    Reference::Point { value } => format!("{value:.1}"),
                }),
                basis: c.basis.and_then(|b| serde_json::to_value(b).ok()).and_then(|v| v.as_str().map(String::from)),
                source: c.source,
                position: value.and(c.position).map(|p| {
                    match p {
                        Position::Below => "below",
                        Position::Within => "within",
                        Position::Above => "above",
                    }
                    .into()
                }),
            }
        })
        .collect();
    let area_name = match area {
        Some(a) => st.store.marac_areas(&who.ctx(), today()).await?.into_iter().find(|x| x.id == a).map(|x| x.name),
        None => None,
    };
    let counts = serde_json::json!({
        "cases": published.cases, "repeats": published.repeats, "police_referrals": published.police_referrals,
        "partner_referrals": published.partner_referrals, "children": published.children, "male_victims": published.male_victims,
        "aged_16_17": published.aged_16_17, "bame": published.bame, "lgbt_plus": published.lgbt_plus, "disability": published.disability,
    });
    let by_agency: serde_json::Map<String, serde_json::Value> =
        published.referrals_by_agency.iter().map(|(k, v)| (k.key().to_string(), serde_json::to_value(v).unwrap_or_default())).collect();
    Ok(StatisticsJson {
        area: area_name,
        from: period.from().to_string(),
        to: period.to().to_string(),
        counts,
        referrals_by_agency: serde_json::Value::Object(by_agency),
        statistics: lines,
        suppression_limit: limit,
    })
}

/// MARAC statistics per area and period beside the SafeLives reference figures.
#[utoipa::path(get, path = "/api/v1/marac/statistics", params(StatsQuery), responses((status = 200, body = StatisticsJson), (status = 422, body = crate::api::ErrorList)))]
pub async fn api_statistics(
    State(st): State<AppState>,
    who: Authed,
    Query(q): Query<StatsQuery>,
) -> Result<Json<StatisticsJson>, ApiError> {
    Ok(Json(statistics(&st, &who, &q).await?))
}

fn show(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub async fn statistics_page(State(st): State<AppState>, who: Authed, Query(q): Query<StatsQuery>) -> Result<Response, PageError> {
    let areas = st.store.marac_areas(&who.ctx(), today()).await?;
    let opts: Vec<(String, String)> = areas.iter().map(|a| (a.id.to_string(), a.name.clone())).collect();
    let aopts: Vec<(&str, &str)> = opts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (s, e) = match statistics(&st, &who, &q).await {
        Ok(s) => (Some(s), ValidationErrors::new()),
        Err(AppError::Invalid(e)) => (None, e),
        Err(other) => return Err(other.into()),
    };
    let body = html! {
        span.hint { "MARAC" }
        h1 { "MARAC statistics" }
        (layout::error_summary(&e))
        form method="get" action="/marac/statistics" {
            (layout::select_field("area", "MARAC area", &aopts, q.area.as_deref().unwrap_or(""), Some("All areas"), &e))
            (layout::text_field("from", "From", None, &s.as_ref().map(|s| s.from.clone()).or(q.from.clone()).unwrap_or_default(), "date", &e))
            (layout::text_field("to", "To", None, &s.as_ref().map(|s| s.to.clone()).or(q.to.clone()).unwrap_or_default(), "date", &e))
            button.secondary type="submit" { "Show" }
        }
        @if let Some(s) = &s {
            p { "Cases heard " (s.from) " to " (s.to) @if let Some(a) = &s.area { " at " (a) } ". Counts under " (s.suppression_limit) " are shown as <" (s.suppression_limit) ", and so is anything that would reveal them." }
            div.cards {
                @for (k, label) in [("cases", "Cases heard"), ("repeats", "Repeat cases"), ("children", "Children"), ("police_referrals", "From the police"), ("partner_referrals", "From partner agencies")] {
                    div.card { span.n { (show(&s.counts[k])) } (label) }
                }
            }
            table id="marac-statistics" {
                thead { tr { th { "Statistic" } th { "Here" } th { "Reference" } th { "Compared" } } }
                tbody {
                    @for l in &s.statistics {
                        tr {
                            td { (l.label) }
                            td { @match (l.value, l.suppressed) { (Some(v), _) => (format!("{v:.1}")), (None, true) => "suppressed", (None, false) => "–" } }
                            td { (l.reference.as_deref().unwrap_or("–")) @if let Some(b) = &l.basis { br; span.muted { (b.replace('_', " ")) } } }
                            td { (l.position.as_deref().unwrap_or("–")) }
                        }
                    }
                }
            }
            h2 { "Referrals by agency" }
            @if let Some(m) = s.referrals_by_agency.as_object() {
                @if m.is_empty() { p.muted { "None in this period." } } @else {
                    table { tbody { @for (k, v) in m { tr { td { (agency_label(k)) } td { (show(v)) } } } } }
                }
            }
            details {
                summary { "Sources of the reference figures" }
                ul { @for l in s.statistics.iter().filter(|l| l.source.is_some()) { li { strong { (l.label) } ": " (l.source.as_deref().unwrap_or("")) } } }
            }
        }
    };
    let status = if e.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, layout::page("MARAC statistics", &who, body)).into_response())
}
