//! Risk (DASH), escalation, routing with capacity, triage queue, MARAC,
//! caseload monitor (issue 3).
//!
//! Handlers parse input into domain values, call the domain rules
//! (`haven_domain::{dash, marac, routing, triage}`) and one store method
//! (`haven_store::CaseworkStore`), which applies the record filters and
//! writes the audit row. Pages and JSON share the same parsers and store calls.
pub mod dash;
pub mod marac;
pub mod routing;
pub mod triage;

use crate::AppState;
use crate::auth::Authed;
use crate::error::AppError;
use crate::pages::layout;
use crate::routes::{RouteSpec, row};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use haven_domain::access::Permission;
use haven_domain::error::{FieldError, ValidationErrors};
use maud::{Markup, html};

/// This area's rows of the route table. Every `{id}` is a number: a person,
/// referral, MARAC meeting, case or action id as the path says.
pub fn routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    use Permission as P;
    let g = Method::GET;
    let p = Method::POST;
    vec![
        // Pages: risk
        row(g.clone(), "/people/{id}/dash", Some(P::AssessRisk), get(dash::page)),
        row(p.clone(), "/people/{id}/dash", Some(P::AssessRisk), post(dash::submit)),
        row(p.clone(), "/people/{id}/child-risk", Some(P::AssessRisk), post(dash::child_submit)),
        // Pages: front door
        row(g.clone(), "/triage", Some(P::TriageQueue), get(triage::queue_page)),
        row(g.clone(), "/referrals/{id}/contact", Some(P::TriageQueue), get(triage::contact_page)),
        row(p.clone(), "/referrals/{id}/contact", Some(P::TriageQueue), post(triage::contact_submit)),
        row(g.clone(), "/referrals/{id}/route", Some(P::RouteReferral), get(routing::page)),
        row(p.clone(), "/referrals/{id}/route", Some(P::RouteReferral), post(routing::submit)),
        row(g.clone(), "/caseloads", Some(P::ViewCaseloads), get(routing::caseloads_page)),
        // Pages: MARAC
        row(g.clone(), "/marac", Some(P::MaracMember), get(marac::areas_page)),
        row(p.clone(), "/marac/areas", Some(P::ManageMarac), post(marac::area_submit)),
        row(p.clone(), "/marac/areas/{id}/members", Some(P::ManageMarac), post(marac::members_submit)),
        row(p.clone(), "/marac/meetings", Some(P::ManageMarac), post(marac::meeting_submit)),
        row(g.clone(), "/marac/meetings/{id}", Some(P::MaracMember), get(marac::agenda_page)),
        row(g.clone(), "/marac/cases/{id}", Some(P::MaracMember), get(marac::case_page)),
        row(p.clone(), "/marac/cases/{id}/research", Some(P::MaracMember), post(marac::research_submit)),
        row(p.clone(), "/marac/cases/{id}/actions", Some(P::ManageMarac), post(marac::action_submit)),
        row(p.clone(), "/marac/cases/{id}/outcome", Some(P::ManageMarac), post(marac::outcome_submit)),
        row(p.clone(), "/marac/actions/{id}", Some(P::MaracMember), post(marac::action_update_submit)),
        row(g.clone(), "/people/{id}/marac", Some(P::CreateReferral), get(marac::refer_page)),
        row(p.clone(), "/people/{id}/marac", Some(P::CreateReferral), post(marac::refer_submit)),
        row(g.clone(), "/marac/statistics", Some(P::ViewAggregates), get(marac::statistics_page)),
        // JSON API
        row(g.clone(), "/api/v1/dash/factors", Some(P::SignedIn), get(dash::api_factors)),
        row(g.clone(), "/api/v1/people/{id}/dash", Some(P::AssessRisk), get(dash::api_history)),
        row(p.clone(), "/api/v1/people/{id}/dash", Some(P::AssessRisk), post(dash::api_submit)),
        row(p.clone(), "/api/v1/people/{id}/child-risk", Some(P::AssessRisk), post(dash::api_child)),
        row(g.clone(), "/api/v1/triage", Some(P::TriageQueue), get(triage::api_queue)),
        row(g.clone(), "/api/v1/referrals/{id}/contacts", Some(P::TriageQueue), get(triage::api_contacts)),
        row(p.clone(), "/api/v1/referrals/{id}/contacts", Some(P::TriageQueue), post(triage::api_contact)),
        row(g.clone(), "/api/v1/referrals/{id}/routing", Some(P::RouteReferral), get(routing::api_context)),
        row(p.clone(), "/api/v1/referrals/{id}/routing", Some(P::RouteReferral), post(routing::api_submit)),
        row(g.clone(), "/api/v1/caseloads", Some(P::ViewCaseloads), get(routing::api_caseloads)),
        row(g.clone(), "/api/v1/marac/areas", Some(P::MaracMember), get(marac::api_areas)),
        row(p.clone(), "/api/v1/marac/areas", Some(P::ManageMarac), post(marac::api_area)),
        row(p.clone(), "/api/v1/marac/meetings", Some(P::ManageMarac), post(marac::api_meeting)),
        row(g.clone(), "/api/v1/marac/meetings/{id}/agenda", Some(P::MaracMember), get(marac::api_agenda)),
        row(g.clone(), "/api/v1/marac/cases/{id}", Some(P::MaracMember), get(marac::api_case)),
        row(p.clone(), "/api/v1/marac/cases/{id}/research", Some(P::MaracMember), post(marac::api_research)),
        row(p.clone(), "/api/v1/marac/cases/{id}/actions", Some(P::ManageMarac), post(marac::api_action)),
        row(p.clone(), "/api/v1/marac/cases/{id}/outcome", Some(P::ManageMarac), post(marac::api_outcome)),
        row(p.clone(), "/api/v1/marac/actions/{id}", Some(P::MaracMember), post(marac::api_action_update)),
        row(g.clone(), "/api/v1/marac/my-actions", Some(P::SignedIn), get(marac::api_my_actions)),
        row(p.clone(), "/api/v1/people/{id}/marac", Some(P::CreateReferral), post(marac::api_refer)),
        row(g, "/api/v1/marac/statistics", Some(P::ViewAggregates), get(marac::api_statistics)),
    ]
}

/// This area's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        dash::api_factors,
        dash::api_history,
        dash::api_submit,
        dash::api_child,
        triage::api_queue,
        triage::api_contacts,
        triage::api_contact,
        routing::api_context,
        routing::api_submit,
        routing::api_caseloads,
        marac::api_areas,
        marac::api_area,
        marac::api_meeting,
        marac::api_agenda,
        marac::api_case,
        marac::api_research,
        marac::api_action,
        marac::api_outcome,
        marac::api_action_update,
        marac::api_my_actions,
        marac::api_refer,
        marac::api_statistics,
    ),
    components(schemas(
        dash::FactorJson,
        dash::DashSubmissionJson,
        dash::JudgementJson,
        dash::ChildRiskJson,
        haven_store::casework::DashOutcome,
        haven_store::casework::DashHistory,
        haven_store::casework::DashRecord,
        haven_store::casework::DashAnswerRow,
        haven_store::casework::ChildRiskView,
        haven_store::casework::ChildRiskRecord,
        triage::QueueLine,
        triage::ContactJson,
        triage::ContactsJson,
        haven_store::casework::ContactAttemptRow,
        haven_store::casework::ReferralHeader,
        routing::RoutingJson,
        routing::RoutingView,
        routing::PathwayJson,
        routing::CapacityJson,
        routing::CaseloadTeamJson,
        routing::CaseloadWorkerJson,
        haven_store::casework::RoutingRecord,
        haven_store::casework::AreaChoice,
        marac::AreaJson,
        marac::MeetingJson,
        marac::ReferJson,
        marac::ResearchJson,
        marac::ActionJson,
        marac::ActionUpdateJson,
        marac::OutcomeJson,
        marac::StatisticsJson,
        marac::StatLine,
        haven_store::casework::MaracAreaRow,
        haven_store::casework::MeetingRow,
        haven_store::casework::Agenda,
        haven_store::casework::AgendaItem,
        haven_store::casework::MaracCaseView,
        haven_store::casework::ResearchRow,
        haven_store::casework::ActionRow,
        haven_store::casework::ActionUpdateRow,
        haven_store::casework::AgencyActionRow,
        IdJson,
    ))
)]
pub struct Api;

/// `{id}` of something created.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct IdJson {
    pub id: i64,
}

pub(crate) fn today() -> NaiveDate {
    Utc::now().date_naive()
}

pub(crate) fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

/// A JSON body, or 422 naming `body` when it is not the expected shape.
pub(crate) fn json_body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, AppError> {
    b.map(|Json(v)| v).map_err(|e| {
        let mut v = ValidationErrors::new();
        v.push(FieldError::new("body", e.body_text()));
        AppError::Invalid(v)
    })
}

/// One submitted form, as (name, value) pairs in order.
pub(crate) struct Pairs(pub Vec<(String, String)>);

impl Pairs {
    pub fn get(&self, k: &str) -> String {
        self.0.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default()
    }
    pub fn all(&self, k: &str) -> Vec<String> {
        self.0.iter().filter(|(n, _)| n == k).map(|(_, v)| v.clone()).collect()
    }
}

pub(crate) fn one_error(field: &str, message: impl Into<String>) -> ValidationErrors {
    let mut e = ValidationErrors::new();
    e.push(FieldError::new(field, message));
    e
}

/// An optional id typed in a form: blank is `None`, anything else must be a number.
pub(crate) fn opt_id(field: &str, raw: &str, e: &mut ValidationErrors) -> Option<i64> {
    let t = raw.trim();
    if t.is_empty() {
        return None;
    }
    match t.parse::<i64>() {
        Ok(v) => Some(v),
        Err(_) => {
            e.push(FieldError::new(field, "must be chosen from the list"));
            None
        }
    }
}

/// A date as YYYY-MM-DD (the date input) or DD/MM/YYYY.
pub(crate) fn parse_date(field: &str, raw: &str, e: &mut ValidationErrors) -> Option<NaiveDate> {
    let t = raw.trim();
    if t.is_empty() {
        e.push(FieldError::new(field, "is required"));
        return None;
    }
    let d = NaiveDate::parse_from_str(t, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(t, "%d/%m/%Y")).ok();
    if d.is_none() {
        e.push(FieldError::new(field, "must be a real date, as YYYY-MM-DD or DD/MM/YYYY"));
    }
    d
}

/// A page with errors: 422 and the form again.
pub(crate) fn unprocessable(title: &str, who: &Authed, body: Markup) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, layout::page(title, who, body)).into_response()
}

pub(crate) fn success(msg: &str) -> Markup {
    html! { div.success role="status" { p { strong { (msg) } } } }
}

pub(crate) fn textarea(name: &str, label: &str, hint: Option<&str>, value: &str, e: &ValidationErrors) -> Markup {
    let id = layout::field_id(name);
    let err = e.for_field(name);
    html! {
        div.field.error[err.is_some()] {
            label for=(id) { (label) }
            @if let Some(h) = hint { span.hint { (h) } }
            @if let Some(m) = err { span.error-message { "Error: " (label) " " (m) } }
            textarea id=(id) name=(name) aria-invalid=[err.map(|_| "true")] { (value) }
        }
    }
}

/// The casework panel on the dashboard: the caller's agency's outstanding
/// MARAC actions, the triage queue's overdue count, caseload warnings, and
/// links to this area's screens. `None` when there is nothing for this role.
pub async fn dashboard_panel(st: &AppState, who: &Authed) -> Result<Option<Markup>, AppError> {
    let role = who.principal.role;
    let actions = st.store.agency_actions(&who.ctx()).await?;
    let triage = if role.allows(Permission::TriageQueue) { Some(triage::summary(st, who).await?) } else { None };
    let warnings = if role == haven_domain::access::Role::Caseworker { routing::caseload_warnings(st, who).await? } else { vec![] };
    let links: Vec<(&str, &str)> = [
        (Permission::TriageQueue, "/triage", "Triage queue"),
        (Permission::MaracMember, "/marac", "MARAC"),
        (Permission::ViewCaseloads, "/caseloads", "Caseloads"),
        (Permission::ViewAggregates, "/marac/statistics", "MARAC statistics"),
    ]
    .into_iter()
    .filter(|(p, ..)| role.allows(*p))
    .map(|(_, h, l)| (h, l))
    .collect();
    if actions.is_empty() && triage.is_none() && warnings.is_empty() && links.is_empty() {
        return Ok(None);
    }
    let today = today();
    Ok(Some(html! {
        section.casework-panel aria-labelledby="casework-panel-title" {
            h2 id="casework-panel-title" { "Casework" }
            @if !links.is_empty() {
                p { @for (h, l) in &links { a.button.secondary href=(h) { (l) } " " } }
            }
            @if let Some((total, overdue, high)) = triage {
                div.cards {
                    div.card { span.n { (total) } "Waiting for first contact" }
                    div.card.alert[overdue > 0] { span.n { (overdue) } "Overdue for first contact" }
                    div.card { span.n { (high) } "High risk or not yet assessed" }
                }
            }
            @for w in &warnings { p.notice.warning { strong { "Caseload: " } (w) } }
            @if !actions.is_empty() {
                h3 { "Your agency's MARAC actions" }
                table id="agency-actions" {
                    thead { tr { th { "Action" } th { "Case" } th { "Due" } th { "Status" } } }
                    tbody {
                        @for a in &actions {
                            @let overdue = NaiveDate::parse_from_str(&a.due_date, "%Y-%m-%d").is_ok_and(|d| d < today);
                            tr {
                                td { (a.description) }
                                td {
                                    a href={ "/marac/cases/" (a.case_id) } {
                                        @match &a.person_name { Some(n) => (n), None => { "Case " (a.case_id) } }
                                    }
                                    br; span.muted { (a.area) @if let Some(m) = &a.meeting_date { ", meeting " (m) } }
                                }
                                td { (a.due_date) @if overdue { " " strong.tag.high { "overdue" } } }
                                td { (a.status.replace('_', " ")) }
                            }
                        }
                    }
                }
            }
        }
    }))
}
