//! The front door's triage queue (risk and age order, first-contact due
//! times, overdue flags) and contact attempts, with the safe-contact
//! preferences shown before any contact.
use super::{Pairs, json_body, now, success, textarea, unprocessable};
use crate::AppState;
use crate::auth::{Authed, CSRF_FIELD};
use crate::error::{ApiError, AppError, PageError};
use crate::pages::{is_htmx, layout};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chrono::{DateTime, NaiveDateTime};
use haven_domain::error::{FieldError, ValidationErrors};
use haven_domain::ids::ReferralId;
use haven_domain::risk::RiskLevel;
use haven_domain::triage::{
    ContactAttempt, ContactMethod, ContactOutcome, ContactStatus, TriageReferral, WorkingCalendar, method_is_safe, triage_queue,
};
use haven_store::SafeContactView;
use haven_store::casework::{ContactAttemptRow, ContactContext, ReferralHeader, TriageRow};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn parse_at(s: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.naive_utc())
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").ok())
        .or_else(|| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").ok())
}

/// One line of the queue, in working order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueueLine {
    pub referral: ReferralHeader,
    /// The level used for ordering and timing (`high` when not yet assessed, by default).
    pub risk: String,
    pub assessed: bool,
    /// e.g. "1 day 3 hours"
    pub waiting: String,
    pub waiting_minutes: i64,
    /// `YYYY-MM-DDTHH:MM:SS` UTC.
    pub due_at: String,
    /// `waiting`, `overdue`, `contacted`, `contacted_late`.
    pub status: String,
    pub overdue: bool,
    pub attempts: i64,
}

/// Order and time the queue with the domain rules.
pub(crate) fn lines(st: &AppState, rows: Vec<TriageRow>) -> Vec<QueueLine> {
    let now = now();
    let refs: Vec<TriageReferral> = rows
        .iter()
        .map(|r| TriageReferral {
            referral: r.referral.referral_id,
            risk: r.referral.risk_level.as_deref().and_then(RiskLevel::from_key),
            received_at: parse_at(&r.referral.received_at).unwrap_or(now),
            first_contact_at: r.first_contact_at.as_deref().and_then(parse_at),
        })
        .collect();
    let q = triage_queue(&refs, now, &st.config.rules.triage, &WorkingCalendar::weekdays());
    q.into_iter()
        .filter_map(|e| {
            let row = rows.iter().find(|r| r.referral.referral_id == e.referral)?;
            Some(QueueLine {
                referral: row.referral.clone(),
                risk: e.risk.key().into(),
                assessed: e.assessed,
                waiting: e.waiting.to_string(),
                waiting_minutes: e.waiting.minutes(),
                due_at: e.due_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
                status: match e.status {
                    ContactStatus::Waiting => "waiting",
                    ContactStatus::Overdue => "overdue",
                    ContactStatus::Contacted => "contacted",
                    ContactStatus::ContactedLate => "contacted_late",
                }
                .into(),
                overdue: e.overdue,
                attempts: row.attempts,
            })
        })
        .collect()
}

/// (waiting, overdue, high or unassessed) for the dashboard.
pub(crate) async fn summary(st: &AppState, who: &Authed) -> Result<(usize, usize, usize), AppError> {
    let l = lines(st, st.store.triage_queue(&who.ctx()).await?);
    let waiting: Vec<&QueueLine> = l.iter().filter(|x| matches!(x.status.as_str(), "waiting" | "overdue")).collect();
    Ok((waiting.len(), waiting.iter().filter(|x| x.overdue).count(), waiting.iter().filter(|x| x.risk == "high").count()))
}

/// The triage queue: new referrals not yet routed, highest risk then oldest first.
#[utoipa::path(get, path = "/api/v1/triage", responses((status = 200, body = [QueueLine]), (status = 401), (status = 403)))]
pub async fn api_queue(State(st): State<AppState>, who: Authed) -> Result<Json<Vec<QueueLine>>, ApiError> {
    Ok(Json(lines(&st, st.store.triage_queue(&who.ctx()).await?)))
}

fn queue_table(lines: &[QueueLine]) -> Markup {
    html! {
        div id="triage-queue" hx-get="/triage" hx-trigger="every 60s" hx-swap="outerHTML" {
            @if lines.is_empty() { p.muted { "Nothing waiting." } } @else {
                table {
                    thead { tr { th { "Risk" } th { "Person" } th { "Referred by" } th { "Waiting" } th { "First contact due" } th { "Attempts" } th { "Next" } } }
                    tbody {
                        @for l in lines {
                            tr.overdue[l.overdue] {
                                td {
                                    @if l.assessed { (layout::risk_tag(Some(&l.risk))) } @else { (layout::risk_tag(None)) br; span.muted { "treated as " (l.risk) } }
                                }
                                td { a href={ "/people/" (l.referral.person_id) } { (l.referral.person_name) } br; span.muted { "referral " (l.referral.referral_id) } }
                                td { (haven_domain::agency::AgencyKind::from_key(&l.referral.source_agency).map(|a| a.label()).unwrap_or(&l.referral.source_agency)) }
                                td { (l.waiting) }
                                td {
                                    (l.due_at.get(..16).unwrap_or(&l.due_at).replace('T', " ")) " UTC"
                                    @match l.status.as_str() {
                                        "overdue" => { br; strong.tag.high { "overdue" } }
                                        "contacted" => { br; strong.tag.standard { "contacted" } }
                                        "contacted_late" => { br; strong.tag.medium { "contacted late" } }
                                        _ => {}
                                    }
                                }
                                td { (l.attempts) }
                                td {
                                    a href={ "/referrals/" (l.referral.referral_id) "/contact" } { "Contact" } " · "
                                    a href={ "/people/" (l.referral.person_id) "/dash" } { "DASH" } " · "
                                    a href={ "/referrals/" (l.referral.referral_id) "/route" } { "Route" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub async fn queue_page(State(st): State<AppState>, who: Authed, headers: HeaderMap) -> Result<Response, PageError> {
    let l = lines(&st, st.store.triage_queue(&who.ctx()).await?);
    if is_htmx(&headers) {
        return Ok(queue_table(&l).into_response());
    }
    let overdue = l.iter().filter(|x| x.overdue).count();
    let p = &st.config.rules.triage;
    let body = html! {
        span.hint { "Front door" }
        h1 { "Triage queue" }
        p { "Highest risk first, then oldest. First contact is due within "
            (p.working_days(RiskLevel::High)) " working day(s) for high risk, " (p.working_days(RiskLevel::Medium)) " for medium and "
            (p.working_days(RiskLevel::Standard)) " for standard; a referral not yet assessed is treated as " (p.unassessed_as().key()) " risk." }
        div.cards {
            div.card { span.n { (l.len()) } "In the queue" }
            div.card { span.n { (overdue) } "Overdue for first contact" }
        }
        (queue_table(&l))
    };
    Ok(layout::page("Triage queue", &who, body).into_response())
}

// ---------------------------------------------------------------------------
// Contact attempts

/// A contact attempt as submitted (form or JSON).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ContactJson {
    /// `phone`, `text`, `email`, `letter`, `in_person`, `video`, `via_professional`.
    pub method: String,
    /// `spoke`, `declined`, `unsafe_to_talk`, `no_answer`, `message_left`, `wrong_number`, `text_sent`, `email_sent`, `letter_sent`, `passed_on`.
    pub outcome: String,
    /// `YYYY-MM-DDTHH:MM` UTC; now if blank.
    pub attempted_at: String,
    pub notes: String,
}

impl ContactJson {
    fn parse(&self, ctx: &ContactContext) -> Result<ContactAttempt, ValidationErrors> {
        let Some(safe) = &ctx.safe_contact else {
            return Err(super::one_error("method", "you cannot contact this person: contact goes through the team working with them"));
        };
        let now = now();
        let t = self.attempted_at.trim();
        let at = if t.is_empty() { Some(now) } else { parse_at(t) };
        let Some(at) = at else {
            let mut e = ContactAttempt::parse(&self.method, &self.outcome, now, &self.notes, safe, now).err().unwrap_or_default();
            e.push(FieldError::new("attempted_at", "must be a date and time, as YYYY-MM-DDTHH:MM"));
            return Err(e);
        };
        ContactAttempt::parse(&self.method, &self.outcome, at, &self.notes, safe, now)
    }
}

/// Contact history for a referral, with the safe-contact preferences first.
#[derive(Serialize, ToSchema)]
pub struct ContactsJson {
    pub referral: ReferralHeader,
    /// Absent when withheld from the caller.
    pub safe_contact: Option<SafeContactView>,
    /// Methods confirmed safe for this person.
    pub safe_methods: Vec<String>,
    pub attempts: Vec<ContactAttemptRow>,
}

async fn context(st: &AppState, who: &Authed, id: i64) -> Result<ContactContext, AppError> {
    st.store.contact_context(&who.ctx(), ReferralId(id)).await?.ok_or(AppError::NotFound)
}

/// The safe-contact preferences and every attempt so far.
#[utoipa::path(get, path = "/api/v1/referrals/{id}/contacts", params(("id" = i64, Path)), responses((status = 200, body = ContactsJson), (status = 404)))]
pub async fn api_contacts(State(st): State<AppState>, who: Authed, Path(id): Path<i64>) -> Result<Json<ContactsJson>, ApiError> {
    let c = context(&st, &who, id).await?;
    let safe_methods = c
        .safe_contact
        .as_ref()
        .map(|s| haven_domain::triage::safe_methods(s).iter().map(|m| m.key().to_string()).collect())
        .unwrap_or_default();
    Ok(Json(ContactsJson { referral: c.referral, safe_contact: c.safe_contact_view, safe_methods, attempts: c.attempts }))
}

/// Log a contact attempt. An attempt against the person's safe-contact
/// preferences is recorded with warnings (it happened).
#[utoipa::path(post, path = "/api/v1/referrals/{id}/contacts", params(("id" = i64, Path)), request_body = ContactJson,
    responses((status = 201, body = super::IdJson), (status = 422, body = crate::api::ErrorList), (status = 404)))]
pub async fn api_contact(
    State(st): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    body: Result<Json<ContactJson>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = json_body(body)?;
    let c = context(&st, &who, id).await?;
    let a = b.parse(&c).map_err(AppError::Invalid)?;
    let aid = st.store.log_contact(&who.ctx(), ReferralId(id), &a).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(super::IdJson { id: aid })).into_response())
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "Not known – treat as no",
    }
}

/// The safe-contact banner, shown before anything else on the page.
pub(crate) fn safe_banner(sc: Option<&SafeContactView>) -> Markup {
    html! {
        @if let Some(sc) = sc {
            div.banner role="region" aria-label="Safe contact" id="safe-contact" {
                h2 { "Safe contact – read before any contact" }
                @if !sc.warnings.is_empty() { ul { @for w in &sc.warnings { li { strong { (w) } } } } }
                dl.summary {
                    dt { "Safe to call" } dd { (yes_no(sc.safe_to_call)) }
                    dt { "Safe to text" } dd { (yes_no(sc.safe_to_text)) }
                    dt { "Safe to email" } dd { (yes_no(sc.safe_to_email)) }
                    dt { "Safe to leave a message" } dd { (yes_no(sc.safe_to_leave_message)) }
                    dt { "Safe times" } dd { (sc.safe_times.as_deref().unwrap_or("Not recorded")) }
                    dt { "Phone" } dd { (sc.phone.as_deref().unwrap_or("Not recorded")) }
                    dt { "Email" } dd { (sc.email.as_deref().unwrap_or("Not recorded")) }
                    dt { "Safe address" } dd { (sc.safe_address.as_deref().unwrap_or("None")) }
                }
            }
        } @else {
            div.banner.info role="region" aria-label="Safe contact" id="safe-contact" {
                h2 { "Safe-contact details are held by the team working with this person" }
                p { "Do not contact this person directly." }
            }
        }
    }
}

fn contact_body(who: &Authed, c: &ContactContext, input: &ContactJson, e: &ValidationErrors, saved: bool) -> Markup {
    let r = &c.referral;
    let methods: Vec<(&str, String)> = ContactMethod::ALL
        .iter()
        .map(|m| {
            let safe = c.safe_contact.as_ref().is_some_and(|s| method_is_safe(*m, s));
            (m.key(), format!("{}{}", m.label(), if safe { " (confirmed safe)" } else { " – NOT confirmed safe" }))
        })
        .collect();
    let method_opts: Vec<(&str, &str)> = methods.iter().map(|(k, l)| (*k, l.as_str())).collect();
    let outcomes: Vec<(&str, &str)> = ContactOutcome::ALL.iter().map(|o| (o.key(), o.label())).collect();
    let default_at = now().format("%Y-%m-%dT%H:%M").to_string();
    html! {
        (safe_banner(c.safe_contact_view.as_ref()))
        span.hint { "First contact" }
        h1 { "Contact: " a href={ "/people/" (r.person_id) } { (r.person_name) } }
        @if saved { (success("Contact attempt recorded.")) }
        dl.summary {
            dt { "Referred" } dd { (r.referral_date) " by " (haven_domain::agency::AgencyKind::from_key(&r.source_agency).map(|a| a.label()).unwrap_or(&r.source_agency)) }
            dt { "Risk" } dd { (layout::risk_tag(r.risk_level.as_deref())) @if let Some(s) = r.dash_score { " DASH " (s) } }
            dt { "Reason" } dd { (r.reason) }
            dt { "Status" } dd { (r.status) @if let Some(t) = &r.assigned_team { " – " (t) } }
        }
        p { a href={ "/people/" (r.person_id) "/dash" } { "DASH risk assessment" } " · " a href={ "/referrals/" (r.referral_id) "/route" } { "Route this referral" } }
        @if c.safe_contact.is_some() {
            h2 { "Log a contact attempt" }
            (layout::error_summary(e))
            form method="post" action={ "/referrals/" (r.referral_id) "/contact" } novalidate {
                input type="hidden" name=(CSRF_FIELD) value=(who.csrf());
                (layout::select_field("method", "How", &method_opts, &input.method, Some("Choose"), e))
                (layout::select_field("outcome", "What happened", &outcomes, &input.outcome, Some("Choose"), e))
                (layout::text_field("attempted_at", "When (UTC)", Some("Leave as it is for now"), if input.attempted_at.is_empty() { &default_at } else { &input.attempted_at }, "datetime-local", e))
                (textarea("notes", "Notes", None, &input.notes, e))
                button type="submit" { "Record attempt" }
            }
        }
        h2 { "Attempts" }
        @if c.attempts.is_empty() { p.muted { "No contact attempted yet." } } @else {
            table id="contact-attempts" {
                thead { tr { th { "When (UTC)" } th { "By" } th { "How" } th { "Outcome" } th { "Notes" } } }
                tbody {
                    @for a in &c.attempts {
                        tr {
                            td { (a.attempted_at.replace('T', " ")) }
                            td { (a.by.as_deref().unwrap_or("")) }
                            td { (ContactMethod::from_key(&a.method).map(|m| m.label()).unwrap_or(&a.method)) }
                            td { (ContactOutcome::from_key(&a.outcome).map(|m| m.label()).unwrap_or(&a.outcome)) @if a.first_contact { br; strong.tag.standard { "first contact" } } }
                            td { (a.notes.as_deref().unwrap_or("")) @for w in &a.warnings { br; strong.error-message { (w) } } }
                        }
                    }
                }
            }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    pub saved: Option<i64>,
}

pub async fn contact_page(
    State(st): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    let c = context(&st, &who, id).await?;
    let title = format!("Contact: {}", c.referral.person_name);
    Ok(layout::page(&title, &who, contact_body(&who, &c, &ContactJson::default(), &ValidationErrors::new(), q.saved.is_some()))
        .into_response())
}

pub async fn contact_submit(
    State(st): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Form(p): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let p = Pairs(p);
    let input =
        ContactJson { method: p.get("method"), outcome: p.get("outcome"), attempted_at: p.get("attempted_at"), notes: p.get("notes") };
    let c = context(&st, &who, id).await?;
    match input.parse(&c) {
        Ok(a) => {
            st.store.log_contact(&who.ctx(), ReferralId(id), &a).await?.ok_or(AppError::NotFound)?;
            Ok(Redirect::to(&format!("/referrals/{id}/contact?saved=1")).into_response())
        }
        Err(e) => {
            let title = format!("Contact: {}", c.referral.person_name);
            Ok(unprocessable(&title, &who, contact_body(&who, &c, &input, &e, false)))
        }
    }
}
