//! DASH risk assessment per person (with history and MARAC eligibility) and
//! each child's own risk.
use super::{Pairs, json_body, one_error, success, textarea, today};
use crate::AppState;
use crate::auth::{Authed, CSRF_FIELD};
use crate::error::{ApiError, AppError, PageError};
use crate::pages::layout;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use haven_domain::dash::{ChildRiskAssessment, ChildRiskIndicator, DashAnswer, DashChecklist, DashSubmission, RawJudgement};
use haven_domain::error::ValidationErrors;
use haven_domain::ids::PersonId;
use haven_domain::risk::RiskLevel;
use haven_store::casework::{DashHistory, DashOutcome};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

fn checklist() -> Result<&'static DashChecklist, AppError> {
    DashChecklist::embedded().map_err(|e| AppError::Internal(e.to_string()))
}

/// One DASH risk factor.
#[derive(Serialize, ToSchema)]
pub struct FactorJson {
    pub key: String,
    pub label: String,
}

/// The 24 DASH risk factors, in checklist order.
#[utoipa::path(get, path = "/api/v1/dash/factors", responses((status = 200, body = [FactorJson]), (status = 401)))]
pub async fn api_factors(_who: Authed) -> Result<Json<Vec<FactorJson>>, ApiError> {
    Ok(Json(checklist()?.keys_and_labels().map(|(k, l)| FactorJson { key: k.into(), label: l.into() }).collect()))
}

/// A professional judgement: it may only raise the level, and needs a reason.
#[derive(Deserialize, ToSchema)]
pub struct JudgementJson {
    /// `standard`, `medium` or `high`.
    pub level: String,
    pub reason: Option<String>,
}

/// The body of `POST /api/v1/people/{id}/dash` (documentation; parsed as the domain's `DashSubmission`).
#[derive(Deserialize, ToSchema)]
pub struct DashSubmissionJson {
    /// Factor key → `yes`, `no` or `not_known`. Missing factors count as not known; at least one is needed.
    pub answers: BTreeMap<String, String>,
    /// Factor key → what the person said (optional).
    pub notes: Option<BTreeMap<String, String>>,
    pub professional_judgement: Option<JudgementJson>,
}

/// Parse and assess a submission; every problem names its field.
fn assess(st: &AppState, s: &DashSubmission) -> Result<haven_domain::dash::DashAssessment, ValidationErrors> {
    let c = checklist().map_err(|_| one_error("answers", "the checklist could not be loaded"))?;
    let blank = s.answers.values().all(|v| v.trim().is_empty());
    match s.assess(c, &st.config.rules.dash) {
        Ok(a) if blank => {
            let _ = a;
            Err(one_error("answers", "must answer at least one risk factor (yes, no or not known)"))
        }
        Ok(a) => Ok(a),
        Err(mut e) => {
            if blank {
                e.errors.insert(0, haven_domain::FieldError::new("answers", "must answer at least one risk factor (yes, no or not known)"));
            }
            Err(e)
        }
    }
}

/// Record a DASH assessment for a person. 201 with the score, level, MARAC
/// eligibility and every reason; 422 naming each bad field (nothing saved);
/// 404 when the person does not exist or is out of reach.
#[utoipa::path(post, path = "/api/v1/people/{id}/dash", params(("id" = i64, Path)), request_body = DashSubmissionJson,
    responses((status = 201, body = DashOutcome), (status = 422, body = crate::api::ErrorList), (status = 404), (status = 401), (status = 403)))]
pub async fn api_submit(
    State(st): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    body: Result<Json<DashSubmission>, JsonRejection>,
) -> Result<Response, ApiError> {
    let s = json_body(body)?;
    let a = assess(&st, &s).map_err(AppError::Invalid)?;
    let out = st.store.record_dash(&who.ctx(), PersonId(id), &a, &st.config.rules.marac, today()).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// A person's DASH history (newest first), current MARAC eligibility and children's risk.
#[utoipa::path(get, path = "/api/v1/people/{id}/dash", params(("id" = i64, Path)), responses((status = 200, body = DashHistory), (status = 404), (status = 401), (status = 403)))]
pub async fn api_history(State(st): State<AppState>, who: Authed, Path(id): Path<i64>) -> Result<Json<DashHistory>, ApiError> {
    Ok(Json(st.store.dash_history(&who.ctx(), PersonId(id), &st.config.rules.marac, today()).await?.ok_or(AppError::NotFound)?))
}

/// A child's own risk assessment.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ChildRiskJson {
    /// `standard`, `medium` or `high`.
    pub level: String,
    /// Indicator keys, e.g. `witnessed_abuse`, `under_five`.
    pub indicators: Vec<String>,
    /// Required for medium and high.
    pub reason: String,
}

/// Record a child's own risk (the child is `{id}`); never derived from the adult's.
#[utoipa::path(post, path = "/api/v1/people/{id}/child-risk", params(("id" = i64, Path)), request_body = ChildRiskJson,
    responses((status = 201, body = super::IdJson), (status = 422, body = crate::api::ErrorList), (status = 404)))]
pub async fn api_child(
    State(st): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    body: Result<Json<ChildRiskJson>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = json_body(body)?;
    let a = ChildRiskAssessment::parse("child", &b.level, &b.indicators, &b.reason).map_err(AppError::Invalid)?;
    let rid = st.store.record_child_risk(&who.ctx(), PersonId(id), &a).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(super::IdJson { id: rid })).into_response())
}

// ---------------------------------------------------------------------------
// Pages

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    pub saved: Option<i64>,
    pub child_saved: Option<i64>,
}

/// What the form holds: submitted values, or empty.
#[derive(Default)]
struct FormState {
    answers: BTreeMap<String, String>,
    notes: BTreeMap<String, String>,
    level: String,
    reason: String,
}

impl FormState {
    fn from_pairs(p: &Pairs) -> Self {
        let mut f = FormState::default();
        for (k, v) in &p.0 {
            if let Some(key) = k.strip_prefix("answers.") {
                f.answers.insert(key.to_string(), v.clone());
            } else if let Some(key) = k.strip_prefix("notes.") {
                f.notes.insert(key.to_string(), v.clone());
            }
        }
        f.level = p.get("professional_judgement.level");
        f.reason = p.get("professional_judgement.reason");
        f
    }
    fn submission(&self) -> DashSubmission {
        let judgement = RawJudgement { level: self.level.clone(), reason: Some(self.reason.clone()) };
        DashSubmission {
            answers: self.answers.clone(),
            notes: self.notes.iter().filter(|(_, v)| !v.trim().is_empty()).map(|(k, v)| (k.clone(), v.clone())).collect(),
            professional_judgement: (!judgement.is_blank()).then_some(judgement),
        }
    }
}

fn eligibility_panel(h: &DashHistory) -> Markup {
    html! {
        div.banner.info[!h.marac_eligible] id="eligibility" role="region" aria-label="MARAC eligibility" {
            h2 {
                "Current risk: " (layout::risk_tag(h.current_risk.as_deref()))
                " · " @if h.marac_eligible { "MARAC-eligible" } @else { "Not MARAC-eligible" }
            }
            @if h.eligibility.is_empty() {
                p { "None of the MARAC referral criteria applies today." }
            } @else {
                ul { @for r in &h.eligibility { li { (r) } } }
            }
            @if let Some(m) = &h.last_marac { p.muted { "Last MARAC referral: " (m) } }
            @if let Some(c) = h.open_marac_case {
                p { "Referred to MARAC and waiting to be heard: " a href={ "/marac/cases/" (c) } { "case " (c) } }
            } @else if h.marac_eligible {
                p { a.button href={ "/people/" (h.person_id) "/marac" } { "Refer to MARAC" } }
            }
        }
    }
}

fn outcome_panel(h: &DashHistory, id: i64) -> Markup {
    let Some(a) = h.assessments.iter().find(|a| a.id == id) else { return html! {} };
    html! {
        div.success role="status" id="dash-result" {
            h2 { "Assessment saved: DASH score " (a.score) " – " (layout::risk_tag(Some(&a.risk_level))) }
            @if a.marac_eligible { p { strong { "MARAC-eligible." } } }
            ul { @for r in &a.reasons { li { (r) } } @for r in &a.eligibility { li { "MARAC-eligible: " (r) } } }
        }
    }
}

fn dash_form(who: &Authed, h: &DashHistory, c: &DashChecklist, f: &FormState, e: &ValidationErrors) -> Markup {
    let answer_choices: Vec<(&str, &str)> = DashAnswer::ALL.iter().map(|a| (a.key(), a.label())).collect();
    let levels: Vec<(&str, &str)> = RiskLevel::ALL.iter().map(|l| (l.key(), l.label())).collect();
    html! {
        form method="post" action={ "/people/" (h.person_id) "/dash" } novalidate id="dash-form" {
            input type="hidden" name=(CSRF_FIELD) value=(who.csrf());
            @let aerr = e.for_field("answers");
            div.field.error[aerr.is_some()] id=(layout::field_id("answers")) {
                @if let Some(m) = aerr { span.error-message { "Error: Answers " (m) } }
            }
            table.dash {
                caption { "Answer each question with what the person tells you. Anything not asked counts as not known." }
                thead { tr { th { "#" } th { "Risk factor" } th { "Answer" } th { "Notes" } } }
                tbody {
                    @for factor in &c.factors {
                        @let name = format!("answers.{}", factor.key);
                        @let note = format!("notes.{}", factor.key);
                        @let err = e.for_field(&name).or(e.for_field(&note));
                        @let val = f.answers.get(&factor.key).map(String::as_str).unwrap_or("");
                        tr.error[err.is_some()] id=(layout::field_id(&name)) {
                            td { (factor.number) }
                            td {
                                (factor.label)
                                @if let Some(m) = err { span.error-message { "Error: " (m) } }
                            }
                            td.radios {
                                @for (k, l) in &answer_choices {
                                    label { input type="radio" name=(name) value=(k) checked[*k == val] aria-label={ (l) ": " (factor.label) }; (l) }
                                }
                            }
                            td { input type="text" name=(note) value=(f.notes.get(&factor.key).map(String::as_str).unwrap_or("")) aria-label={ "Notes: " (factor.label) }; }
                        }
                    }
                }
            }
            h2 { "Professional judgement" }
            p.hint { "Your judgement may raise the level the score gives, never lower it. If you set a level, record why." }
            (layout::select_field("professional_judgement.level", "Level by professional judgement", &levels, &f.level, Some("No judgement recorded"), e))
            (textarea("professional_judgement.reason", "Reason for your judgement", Some("For example: recent strangulation, perpetrator due for release"), &f.reason, e))
            button type="submit" { "Save assessment" }
        }
    }
}

fn history_table(h: &DashHistory, c: &DashChecklist) -> Markup {
    html! {
        h2 { "History" }
        @if h.assessments.is_empty() { p.muted { "No DASH assessment recorded yet." } } @else {
            table id="dash-history" {
                thead { tr { th { "When" } th { "By" } th { "Score" } th { "Level" } th { "Judgement" } th { "MARAC" } } }
                tbody {
                    @for a in &h.assessments {
                        tr {
                            td { (a.assessed_at.get(..16).unwrap_or(&a.assessed_at).replace('T', " ")) }
                            td { (a.assessed_by.as_deref().unwrap_or("")) }
                            td { (a.score) " of 24" @if a.not_known > 0 { br; span.muted { (a.not_known) " not known" } } }
                            td { (layout::risk_tag(Some(&a.risk_level))) @if a.raised_by_judgement { br; span.muted { "score gave " (a.computed_level) } } }
                            td { (a.judgement_reason.as_deref().unwrap_or("")) }
                            td { @if a.marac_eligible { "Eligible" } @else { "No" } }
                        }
                        tr {
                            td colspan="6" {
                                details {
                                    summary { "Answers" }
                                    ul {
                                        @for ans in a.answers.iter().filter(|x| x.answer == "yes") {
                                            li { strong { "Yes: " } (c.factor(&ans.key).map(|f| f.label.as_str()).unwrap_or(&ans.key)) @if let Some(n) = &ans.notes { " – " (n) } }
                                        }
                                        @for ans in a.answers.iter().filter(|x| x.answer != "yes" && x.notes.is_some()) {
                                            li { (ans.answer.replace('_', " ")) ": " (c.factor(&ans.key).map(|f| f.label.as_str()).unwrap_or(&ans.key)) " – " (ans.notes.as_deref().unwrap_or("")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn children_section(who: &Authed, h: &DashHistory, errors: Option<(i64, &ValidationErrors, &Pairs)>) -> Markup {
    let levels: Vec<(&str, &str)> = RiskLevel::ALL.iter().map(|l| (l.key(), l.label())).collect();
    html! {
        h2 { "Children's own risk" }
        p.hint { "Each child's risk is assessed in its own right: it is not the same as the adult's, and siblings can differ." }
        @if h.children.is_empty() { p.muted { "No children are linked to this person's referrals." } }
        @for ch in &h.children {
            @let (e, vals) = match errors { Some((cid, e, p)) if cid == ch.child_id.0 => (e.clone(), Some(p)), _ => (ValidationErrors::new(), None) };
            @let v = |k: &str| vals.map(|p| p.get(k)).unwrap_or_default();
            @let chosen = vals.map(|p| p.all("indicators")).unwrap_or_default();
            section.child id={ "child-" (ch.child_id) } {
                h3 { (ch.name) @if let Some(d) = &ch.date_of_birth { span.muted { " born " (d) } } }
                @if let Some(latest) = ch.assessments.first() {
                    p { "Latest: " (layout::risk_tag(Some(&latest.level))) " on " (latest.assessed_at.get(..10).unwrap_or("")) @if let Some(r) = &latest.reason { " – " (r) } }
                    @if !latest.indicators.is_empty() {
                        ul { @for i in &latest.indicators { li { (ChildRiskIndicator::from_key(i).map(|x| x.label()).unwrap_or(i)) } } }
                    }
                } @else { p.muted { "Not yet assessed." } }
                details open[vals.is_some()] {
                    summary { "Assess " (ch.name) "'s risk" }
                    (layout::error_summary(&e))
                    form method="post" action={ "/people/" (ch.child_id) "/child-risk" } novalidate {
                        input type="hidden" name=(CSRF_FIELD) value=(who.csrf());
                        input type="hidden" name="victim_id" value=(h.person_id);
                        (layout::select_field("child.level", "Child's risk level", &levels, &v("child.level"), Some("Choose"), &e))
                        fieldset.field.checks id=(layout::field_id("child.indicators")) {
                            legend { "Indicators" }
                            @for i in ChildRiskIndicator::ALL {
                                label { input type="checkbox" name="indicators" value=(i.key()) checked[chosen.iter().any(|c| c == i.key())]; (i.label()) }
                            }
                        }
                        (textarea("child.reason", "Reason", Some("Required for medium or high risk"), &v("child.reason"), &e))
                        button type="submit" { "Save child's risk" }
                    }
                }
            }
        }
    }
}

fn whole_page(
    who: &Authed,
    h: &DashHistory,
    f: &FormState,
    e: &ValidationErrors,
    saved: Option<i64>,
    child: Option<(i64, &ValidationErrors, &Pairs)>,
    child_saved: bool,
) -> Result<Markup, AppError> {
    let c = checklist()?;
    let body = html! {
        span.hint { "DASH risk identification checklist" }
        h1 { "Risk assessment: " a href={ "/people/" (h.person_id) } { (h.name) } }
        @if let Some(id) = saved { (outcome_panel(h, id)) }
        @if child_saved { (success("Child's risk assessment saved.")) }
        (layout::error_summary(e))
        (eligibility_panel(h))
        h2 { "New assessment" }
        (dash_form(who, h, c, f, e))
        (history_table(h, c))
        (children_section(who, h, child))
    };
    Ok(layout::page(&format!("DASH: {}", h.name), who, body))
}

async fn history(st: &AppState, who: &Authed, id: i64) -> Result<DashHistory, AppError> {
    st.store.dash_history(&who.ctx(), PersonId(id), &st.config.rules.marac, today()).await?.ok_or(AppError::NotFound)
}

pub async fn page(State(st): State<AppState>, who: Authed, Path(id): Path<i64>, Query(q): Query<PageQuery>) -> Result<Markup, PageError> {
    let h = history(&st, &who, id).await?;
    Ok(whole_page(&who, &h, &FormState::default(), &ValidationErrors::new(), q.saved, None, q.child_saved.is_some())?)
}

pub async fn submit(
    State(st): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Form(p): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let p = Pairs(p);
    let f = FormState::from_pairs(&p);
    match assess(&st, &f.submission()) {
        Ok(a) => {
            let out =
                st.store.record_dash(&who.ctx(), PersonId(id), &a, &st.config.rules.marac, today()).await?.ok_or(AppError::NotFound)?;
            Ok(Redirect::to(&format!("/people/{id}/dash?saved={}#dash-result", out.id)).into_response())
        }
        Err(e) => {
            let h = history(&st, &who, id).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, whole_page(&who, &h, &f, &e, None, None, false)?).into_response())
        }
    }
}

pub async fn child_submit(
    State(st): State<AppState>,
    who: Authed,
    Path(child): Path<i64>,
    Form(p): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let p = Pairs(p);
    let victim = p.get("victim_id").trim().parse::<i64>().ok();
    match ChildRiskAssessment::parse("child", &p.get("child.level"), &p.all("indicators"), &p.get("child.reason")) {
        Ok(a) => {
            st.store.record_child_risk(&who.ctx(), PersonId(child), &a).await?.ok_or(AppError::NotFound)?;
            Ok(match victim {
                Some(v) => Redirect::to(&format!("/people/{v}/dash?child_saved={child}#child-{child}")),
                None => Redirect::to(&format!("/people/{child}")),
            }
            .into_response())
        }
        Err(e) => {
            let Some(v) = victim else { return Err(AppError::Invalid(e).into()) };
            let h = history(&st, &who, v).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                whole_page(&who, &h, &FormState::default(), &ValidationErrors::new(), None, Some((child, &e, &p)), false)?,
            )
                .into_response())
        }
    }
}
