//! Routing a referral ("resources follow risk") with each team's live
//! capacity at the moment of routing, assignment to a team or worker, and
//! the IDVA caseload monitor.
use super::{Pairs, json_body, one_error, opt_id, success, textarea, today};
use crate::AppState;
use crate::auth::{Authed, CSRF_FIELD};
use crate::error::{ApiError, AppError, PageError};
use crate::pages::layout;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use haven_domain::agency::TeamKind;
use haven_domain::error::{FieldError, ValidationErrors};
use haven_domain::ids::{ReferralId, TeamId, UserId};
use haven_domain::risk::RiskLevel;
use haven_domain::routing::{
    CapacityStatus, CaseloadNorms, Pathway, RoutingDecision, RoutingNeed, TeamCapacity, WorkerCaseload, caseload_monitor, route,
};
use haven_store::casework::{NewRouting, ReferralHeader, RoutingContext, RoutingRecord, TeamCaseload, TeamLoad};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn to_u32(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// A team's capacity by the domain rules: safe caseload from the team's own
/// setting, else the norm for its mix of high- and medium-risk cases.
pub(crate) fn capacity(t: &TeamLoad, norms: &CaseloadNorms) -> Option<TeamCapacity> {
    let kind = TeamKind::from_key(&t.kind)?;
    let safe = t
        .safe_caseload_per_fte
        .map(|s| s as f64)
        .filter(|s| (1.0..=1000.0).contains(s))
        .unwrap_or_else(|| norms.blended(to_u32(t.taken_high), to_u32(t.taken_medium + t.taken_standard)));
    Some(TeamCapacity {
        team: kind,
        name: t.name.clone(),
        fte: if t.fte.is_finite() && t.fte >= 0.0 { t.fte } else { 0.0 },
        open_cases: to_u32(t.open_cases),
        taken_last_12_months: to_u32(t.taken_high + t.taken_medium + t.taken_standard),
        safe_caseload_per_fte: safe,
        waiting_list: to_u32(t.waiting),
    })
}

/// One team's capacity as shown (and stored with the decision).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CapacityJson {
    pub team_id: i64,
    pub name: String,
    pub kind: String,
    pub fte: f64,
    pub open_cases: u32,
    pub open_cases_per_fte: Option<f64>,
    pub taken_last_12_months: u32,
    pub cases_per_fte: Option<f64>,
    pub safe_caseload_per_fte: f64,
    pub utilisation_pct: Option<f64>,
    pub waiting_list: u32,
    /// `within`, `near`, `over`, `no_staff`.
    pub status: String,
    pub warning: Option<String>,
    /// This team serves one of the decision's pathways.
    pub suggested: bool,
}

fn status_key(s: CapacityStatus) -> &'static str {
    match s {
        CapacityStatus::Within => "within",
        CapacityStatus::Near => "near",
        CapacityStatus::Over => "over",
        CapacityStatus::NoStaff => "no_staff",
    }
}

fn capacities(teams: &[TeamLoad], norms: &CaseloadNorms, d: &RoutingDecision) -> Vec<CapacityJson> {
    let mut out: Vec<CapacityJson> = teams
        .iter()
        .filter_map(|t| {
            let c = capacity(t, norms)?;
            let v = c.view(norms);
            Some(CapacityJson {
                team_id: t.team_id.0,
                name: t.name.clone(),
                kind: t.kind.clone(),
                fte: c.fte,
                open_cases: c.open_cases,
                open_cases_per_fte: v.open_cases_per_fte,
                taken_last_12_months: c.taken_last_12_months,
                cases_per_fte: v.cases_per_fte,
                safe_caseload_per_fte: c.safe_caseload_per_fte,
                utilisation_pct: v.utilisation_pct,
                waiting_list: c.waiting_list,
                status: status_key(v.status).into(),
                warning: v.warning,
                suggested: d.pathways.iter().any(|p| p.team == Some(c.team)),
            })
        })
        .collect();
    out.sort_by_key(|c| !c.suggested);
    out
}

/// One pathway of the decision.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PathwayJson {
    pub pathway: String,
    pub label: String,
    pub team_kind: Option<String>,
    pub reason: String,
}

/// The routing screen as data.
#[derive(Serialize, ToSchema)]
pub struct RoutingView {
    pub referral: ReferralHeader,
    pub risk_level: Option<String>,
    pub marac_eligible: bool,
    pub eligibility: Vec<String>,
    pub needs: Vec<String>,
    pub pathways: Vec<PathwayJson>,
    pub capacity: Vec<CapacityJson>,
    pub decisions: Vec<RoutingRecord>,
    pub open_marac_case: Option<i64>,
}

fn decide(st: &AppState, c: &RoutingContext, needs: &[RoutingNeed]) -> RoutingDecision {
    // Unassessed referrals route as the triage policy treats them (high by default).
    let risk = c.risk.unwrap_or(st.config.rules.triage.unassessed_as());
    route(risk, needs, &st.config.rules.routing).with_marac(&c.eligibility)
}

fn view(st: &AppState, c: RoutingContext, needs: &[RoutingNeed]) -> RoutingView {
    let d = decide(st, &c, needs);
    let capacity = capacities(&c.teams, &st.config.rules.caseload, &d);
    RoutingView {
        risk_level: c.risk.map(|r| r.key().to_string()),
        marac_eligible: c.eligibility.eligible,
        eligibility: c.eligibility.messages(),
        needs: needs.iter().map(|n| n.key().to_string()).collect(),
        pathways: d
            .pathways
            .iter()
            .map(|p| PathwayJson {
                pathway: p.pathway.key().into(),
                label: p.pathway.label().into(),
                team_kind: p.team.map(|t| t.key().to_string()),
                reason: p.reason.clone(),
            })
            .collect(),
        capacity,
        decisions: c.decisions,
        open_marac_case: c.open_marac_case,
        referral: c.referral,
    }
}

async fn context(st: &AppState, who: &Authed, id: i64) -> Result<RoutingContext, AppError> {
    st.store.routing_context(&who.ctx(), ReferralId(id), &st.config.rules.marac, today()).await?.ok_or(AppError::NotFound)
}

fn parse_needs(raw: &[String], e: &mut ValidationErrors) -> Vec<RoutingNeed> {
    let mut out = Vec::new();
    for r in raw.iter().filter(|r| !r.trim().is_empty()) {
        if let Some(n) = e.take(RoutingNeed::parse("needs", r))
            && !out.contains(&n)
        {
            out.push(n);
        }
    }
    out
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NeedsQuery {
    /// Comma-separated need keys.
    pub needs: Option<String>,
}

/// The routing decision for a referral (pathways by risk and needs) with
/// each team's live capacity. `?needs=must_leave_home,children_support`.
#[utoipa::path(get, path = "/api/v1/referrals/{id}/routing", params(("id" = i64, Path), ("needs" = Option<String>, Query)),
    responses((status = 200, body = RoutingView), (status = 422, body = crate::api::ErrorList), (status = 404)))]
pub async fn api_context(
    State(st): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Query(q): Query<NeedsQuery>,
) -> Result<Json<RoutingView>, ApiError> {
    let raw: Vec<String> = q.needs.unwrap_or_default().split(',').map(str::to_string).collect();
    let mut e = ValidationErrors::new();
    let needs = parse_needs(&raw, &mut e);
    if !e.is_empty() {
        return Err(AppError::Invalid(e).into());
    }
    let c = context(&st, &who, id).await?;
    Ok(Json(view(&st, c, &needs)))
}

/// A routing decision as submitted.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct RoutingJson {
    /// `must_leave_home`, `stay_home_safely`, `children_support`.
    pub needs: Vec<String>,
    pub team_id: Option<i64>,
    pub worker_id: Option<i64>,
    /// Put the case on the team's waiting list instead of opening it.
    pub waiting_list: bool,
    /// Refer to this MARAC area in the same step (MARAC-eligible cases only).
    pub marac_area_id: Option<i64>,
    pub notes: Option<String>,
}

fn parse_routing(st: &AppState, c: &RoutingContext, j: &RoutingJson) -> Result<NewRouting, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let needs = parse_needs(&j.needs, &mut e);
    let team = match j.team_id {
        Some(t) if c.teams.iter().any(|x| x.team_id.0 == t) => Some(TeamId(t)),
        Some(_) => {
            e.push(FieldError::new("team_id", "choose one of the teams listed"));
            None
        }
        None => {
            e.push(FieldError::new("team_id", "is required: choose the team that will take the case"));
            None
        }
    };
    if let (Some(w), Some(t)) = (j.worker_id, team)
        && !c.workers.iter().any(|x| x.user_id.0 == w && x.team_id == t)
    {
        e.push(FieldError::new("worker_id", "must be a worker in the chosen team"));
    }
    let notes = j.notes.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(String::from);
    if notes.as_ref().is_some_and(|n| n.chars().count() > 4000) {
        e.push(FieldError::new("notes", "must be 4000 characters or fewer"));
    }
    let d = decide(st, c, &needs);
    if j.marac_area_id.is_some() {
        if c.open_marac_case.is_some() {
            e.push(FieldError::new("marac_area_id", "this person is already referred to MARAC and waiting to be heard"));
        } else if !d.includes(Pathway::Marac) {
            e.push(FieldError::new("marac_area_id", "this case is not MARAC-eligible"));
        }
    }
    let capacity = serde_json::to_value(capacities(&c.teams, &st.config.rules.caseload, &d)).unwrap_or_default();
    match team {
        Some(team) if e.is_empty() => Ok(NewRouting {
            eligible: c.eligibility.eligible,
            decision: d,
            needs,
            capacity,
            team,
            worker: j.worker_id.map(UserId),
            waiting_list: j.waiting_list,
            notes,
            marac_area: j.marac_area_id,
        }),
        _ => Err(e),
    }
}

async fn save(
    st: &AppState,
    who: &Authed,
    id: i64,
    c: &RoutingContext,
    j: &RoutingJson,
) -> Result<Result<i64, ValidationErrors>, AppError> {
    let r = match parse_routing(st, c, j) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    match st.store.record_routing(&who.ctx(), ReferralId(id), &r, &st.config.rules.marac, today()).await {
        Ok(Some(d)) => Ok(Ok(d)),
        Ok(None) => Err(AppError::NotFound),
        Err(haven_store::StoreError::Conflict { field, message }) => Ok(Err(one_error(&field, message))),
        Err(e) => Err(e.into()),
    }
}

/// Record a routing decision: the pathways, the capacity seen, the team (and
/// worker) assigned, and optionally the MARAC referral.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/routing", params(("id" = i64, Path)), request_body = RoutingJson,
    responses((status = 201, body = super::IdJson), (status = 422, body = crate::api::ErrorList), (status = 404)))]
pub async fn api_submit(
    State(st): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    body: Result<Json<RoutingJson>, JsonRejection>,
) -> Result<Response, ApiError> {
    let j = json_body(body)?;
    let c = context(&st, &who, id).await?;
    match save(&st, &who, id, &c, &j).await? {
        Ok(d) => Ok((StatusCode::CREATED, Json(super::IdJson { id: d })).into_response()),
        Err(e) => Err(AppError::Invalid(e).into()),
    }
}

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.0}%")).unwrap_or_else(|| "–".into())
}

fn num(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.1}")).unwrap_or_else(|| "–".into())
}

fn status_tag(s: &str) -> Markup {
    let (class, label) = match s {
        "over" => ("high", "above safe level"),
        "near" => ("medium", "near safe level"),
        "no_staff" => ("high", "no staff time"),
        _ => ("standard", "within safe level"),
    };
    html! { strong class={ "tag " (class) } { (label) } }
}

fn routing_body(who: &Authed, v: &RoutingView, c: &RoutingContext, j: &RoutingJson, e: &ValidationErrors, saved: bool) -> Markup {
    let r = &v.referral;
    let chosen_team = j.team_id.or_else(|| v.capacity.iter().find(|c| c.suggested).map(|c| c.team_id));
    let includes_marac = v.pathways.iter().any(|p| p.pathway == "marac");
    html! {
        span.hint { "Routing: resources follow risk" }
        h1 { "Route referral " (r.referral_id) ": " a href={ "/people/" (r.person_id) } { (r.person_name) } }
        @if saved { (success("Routing decision recorded and the referral assigned.")) }
        (layout::error_summary(e))
        dl.summary {
            dt { "Risk" } dd { (layout::risk_tag(v.risk_level.as_deref())) " " a href={ "/people/" (r.person_id) "/dash" } { "DASH" } }
            dt { "MARAC" } dd { @if v.marac_eligible { "Eligible: " (v.eligibility.join("; ")) } @else { "Not eligible" } }
            dt { "Referred" } dd { (r.referral_date) " – " (r.reason) }
            dt { "Now" } dd { (r.status) @if let Some(t) = &r.assigned_team { " – " (t) } @if let Some(w) = &r.assigned_worker { ", " (w) } }
        }
        form method="get" action={ "/referrals/" (r.referral_id) "/route" } {
            fieldset.field.checks {
                legend { "Presenting needs that change the route" }
                @for n in RoutingNeed::ALL {
                    label { input type="checkbox" name="needs" value=(n.key()) checked[v.needs.iter().any(|x| x == n.key())]; (n.label()) }
                }
            }
            button.secondary type="submit" { "Update pathways" }
        }
        h2 { "Pathways" }
        ol id="pathways" { @for p in &v.pathways { li { strong { (p.label) } " – " (p.reason) } } }
        form method="post" action={ "/referrals/" (r.referral_id) "/route" } novalidate {
            input type="hidden" name=(CSRF_FIELD) value=(who.csrf());
            @for n in &v.needs { input type="hidden" name="needs" value=(n); }
            h2 { "Capacity now" }
            p.hint { "Cases taken in the last 12 months per full-time worker, against the safe caseload. Teams serving the pathways above are listed first." }
            @let terr = e.for_field("team_id");
            div.field.error[terr.is_some()] id=(layout::field_id("team_id")) {
                @if let Some(m) = terr { span.error-message { "Error: Team " (m) } }
                table id="capacity" {
                    thead { tr { th { "Assign" } th { "Team" } th { "FTE" } th { "Open cases (per FTE)" } th { "Taken in 12 months (per FTE)" } th { "Safe per FTE" } th { "Use" } th { "Waiting" } } }
                    tbody {
                        @for t in &v.capacity {
                            tr.suggested[t.suggested] {
                                td { input type="radio" name="team_id" value=(t.team_id) id={ "team-" (t.team_id) } checked[chosen_team == Some(t.team_id)] aria-label={ "Assign to " (t.name) }; }
                                td { label for={ "team-" (t.team_id) } { (t.name) } @if t.suggested { br; span.muted { "suggested" } } }
                                td { (format!("{:.1}", t.fte)) }
                                td { (t.open_cases) " (" (num(t.open_cases_per_fte)) ")" }
                                td { (t.taken_last_12_months) " (" (num(t.cases_per_fte)) ")" }
                                td { (format!("{:.0}", t.safe_caseload_per_fte)) }
                                td { (pct(t.utilisation_pct)) br; (status_tag(&t.status)) }
                                td { (t.waiting_list) }
                            }
                            @if let Some(w) = &t.warning { tr { td {} td colspan="7" { span.error-message { (w) } } } }
                        }
                    }
                }
            }
            @let workers: Vec<(String, String)> = c.workers.iter().map(|w| {
                let team = c.teams.iter().find(|t| t.team_id == w.team_id).map(|t| t.name.as_str()).unwrap_or("");
                (w.user_id.0.to_string(), format!("{} ({}, {} open)", w.name, team, w.open_cases))
            }).collect();
            @let wopts: Vec<(&str, &str)> = workers.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            (layout::select_field("worker_id", "Key worker (optional)", &wopts, &j.worker_id.map(|w| w.to_string()).unwrap_or_default(), Some("Team to allocate"), e))
            div.field.checks { label { input type="checkbox" name="waiting_list" value="yes" checked[j.waiting_list]; "Put on the team's waiting list (no worker free yet)" } }
            @if includes_marac {
                @if let Some(case) = v.open_marac_case {
                    p.notice { "Already referred to MARAC: " a href={ "/marac/cases/" (case) } { "case " (case) } }
                } @else if c.areas.is_empty() {
                    p.notice { "MARAC-eligible, but no MARAC area is set up yet: ask the MARAC coordinator." }
                } @else {
                    @let areas: Vec<(String, String)> = c.areas.iter().map(|a| (a.id.to_string(), a.name.clone())).collect();
                    @let aopts: Vec<(&str, &str)> = areas.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
                    @let chosen = j.marac_area_id.or(c.suggested_area).map(|a| a.to_string()).unwrap_or_default();
                    (layout::select_field("marac_area_id", "Refer to MARAC", &aopts, &chosen, Some("Do not refer now"), e))
                }
            }
            (textarea("notes", "Notes on the decision", None, j.notes.as_deref().unwrap_or(""), e))
            button type="submit" { "Route and assign" }
        }
        @if !v.decisions.is_empty() {
            h2 { "Earlier decisions" }
            table id="routing-history" {
                thead { tr { th { "When" } th { "By" } th { "Risk" } th { "Assigned" } th { "Notes" } } }
                tbody {
                    @for d in &v.decisions {
                        tr {
                            td { (d.decided_at.get(..16).unwrap_or(&d.decided_at).replace('T', " ")) }
                            td { (d.decided_by.as_deref().unwrap_or("")) }
                            td { (layout::risk_tag(Some(&d.risk_level))) }
                            td { (d.assigned_team.as_deref().unwrap_or("")) @if let Some(w) = &d.assigned_worker { ", " (w) } @if d.waiting_list { " (waiting list)" } }
                            td { (d.notes.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RouteQuery {
    pub saved: Option<i64>,
}

pub async fn page(
    State(st): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    uri: axum::http::Uri,
    Query(q): Query<RouteQuery>,
) -> Result<Markup, PageError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    let raw = Pairs(pairs).all("needs");
    let mut e = ValidationErrors::new();
    let needs = parse_needs(&raw, &mut e);
    let c = context(&st, &who, id).await?;
    let v = view(&st, c.clone(), &needs);
    let title = format!("Route referral {id}");
    Ok(layout::page(&title, &who, routing_body(&who, &v, &c, &RoutingJson::default(), &e, q.saved.is_some())))
}

pub async fn submit(
    State(st): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Form(p): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let p = Pairs(p);
    let mut e = ValidationErrors::new();
    let j = RoutingJson {
        needs: p.all("needs"),
        team_id: opt_id("team_id", &p.get("team_id"), &mut e),
        worker_id: opt_id("worker_id", &p.get("worker_id"), &mut e),
        waiting_list: p.get("waiting_list") == "yes",
        marac_area_id: opt_id("marac_area_id", &p.get("marac_area_id"), &mut e),
        notes: Some(p.get("notes")),
    };
    let c = context(&st, &who, id).await?;
    let result = if e.is_empty() { save(&st, &who, id, &c, &j).await? } else { Err(e) };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/referrals/{id}/route?saved=1")).into_response()),
        Err(e) => {
            let mut ne = ValidationErrors::new();
            let needs = parse_needs(&j.needs, &mut ne);
            let v = view(&st, c.clone(), &needs);
            Ok(super::unprocessable(&format!("Route referral {id}"), &who, routing_body(&who, &v, &c, &j, &e, false)))
        }
    }
}

// ---------------------------------------------------------------------------
// Caseload monitor

#[derive(Serialize, ToSchema)]
pub struct CaseloadWorkerJson {
    pub user_id: i64,
    pub name: String,
    pub fte: f64,
    pub open_cases: i64,
    pub taken_last_12_months: u32,
    pub safe_caseload_per_fte: f64,
    pub cases_per_fte: Option<f64>,
    pub utilisation_pct: Option<f64>,
    pub status: String,
    pub warning: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseloadTeamJson {
    pub team: CapacityJson,
    pub workers: Vec<CaseloadWorkerJson>,
}

fn monitor(st: &AppState, t: &TeamCaseload) -> Option<CaseloadTeamJson> {
    let norms = &st.config.rules.caseload;
    let kind = TeamKind::from_key(&t.team.kind)?;
    let ws: Vec<WorkerCaseload> = t
        .workers
        .iter()
        .map(|w| WorkerCaseload {
            worker: w.user_id,
            name: w.name.clone(),
            fte: w.fte,
            open_cases: to_u32(w.open_cases),
            taken_high: to_u32(w.taken_high),
            taken_medium: to_u32(w.taken_medium),
        })
        .collect();
    let m = caseload_monitor(kind, &t.team.name, &ws, to_u32(t.team.waiting), norms);
    let dummy = route(RiskLevel::Standard, &[], &st.config.rules.routing);
    let team = capacities(std::slice::from_ref(&t.team), norms, &dummy).into_iter().next()?;
    Some(CaseloadTeamJson {
        team,
        workers: m
            .workers
            .iter()
            .map(|w| CaseloadWorkerJson {
                user_id: w.worker.0,
                name: w.name.clone(),
                fte: t.workers.iter().find(|x| x.user_id == w.worker).map(|x| x.fte).unwrap_or(0.0),
                open_cases: t.workers.iter().find(|x| x.user_id == w.worker).map(|x| x.open_cases).unwrap_or(0),
                taken_last_12_months: w.taken_last_12_months,
                safe_caseload_per_fte: w.safe_caseload_per_fte,
                cases_per_fte: w.view.cases_per_fte,
                utilisation_pct: w.view.utilisation_pct,
                status: status_key(w.view.status).into(),
                warning: w.view.warning.clone(),
            })
            .collect(),
    })
}

async fn monitors(st: &AppState, who: &Authed) -> Result<Vec<CaseloadTeamJson>, AppError> {
    Ok(st.store.caseloads(&who.ctx(), today()).await?.iter().filter_map(|t| monitor(st, t)).collect())
}

/// Warnings for the caller's own team (dashboard).
pub(crate) async fn caseload_warnings(st: &AppState, who: &Authed) -> Result<Vec<String>, AppError> {
    let ms = monitors(st, who).await?;
    Ok(ms.iter().flat_map(|m| m.team.warning.iter().cloned().chain(m.workers.iter().filter_map(|w| w.warning.clone()))).collect())
}

/// Caseloads per worker and team (IDVA, outreach, refuge…) against safe levels.
#[utoipa::path(get, path = "/api/v1/caseloads", responses((status = 200, body = [CaseloadTeamJson]), (status = 401), (status = 403)))]
pub async fn api_caseloads(State(st): State<AppState>, who: Authed) -> Result<Json<Vec<CaseloadTeamJson>>, ApiError> {
    Ok(Json(monitors(&st, &who).await?))
}

pub async fn caseloads_page(State(st): State<AppState>, who: Authed) -> Result<Markup, PageError> {
    let ms = monitors(&st, &who).await?;
    let n = &st.config.rules.caseload;
    let body = html! {
        span.hint { "Caseload monitor" }
        h1 { "Caseloads against safe levels" }
        p { "Safe caseload: " (format!("{:.0}", n.high_per_fte())) " high-risk or " (format!("{:.0}", n.medium_per_fte()))
            " medium-risk cases a year per full-time worker (blended for a mix). Warning from " (format!("{:.0}", n.near_pct())) "% of the safe level." }
        @if ms.is_empty() { p.muted { "No caseholding teams." } }
        @for m in &ms {
            section.team id={ "team-" (m.team.team_id) } {
                h2 { (m.team.name) " " (status_tag(&m.team.status)) }
                p {
                    (m.team.taken_last_12_months) " cases taken in 12 months by " (format!("{:.1}", m.team.fte)) " FTE = " (num(m.team.cases_per_fte)) " per FTE against "
                    (format!("{:.0}", m.team.safe_caseload_per_fte)) " (" (pct(m.team.utilisation_pct)) "). Open now: " (m.team.open_cases) ". Waiting list: " (m.team.waiting_list) "."
                }
                @if let Some(w) = &m.team.warning { p.error-message { (w) } }
                @if !m.workers.is_empty() {
                    table {
                        thead { tr { th { "Worker" } th { "FTE" } th { "Open" } th { "Taken in 12 months" } th { "Per FTE" } th { "Safe per FTE" } th { "Use" } } }
                        tbody {
                            @for w in &m.workers {
                                tr.overdue[w.status == "over"] {
                                    td { (w.name) @if let Some(x) = &w.warning { br; span.error-message { (x) } } }
                                    td { (format!("{:.1}", w.fte)) }
                                    td { (w.open_cases) }
                                    td { (w.taken_last_12_months) }
                                    td { (num(w.cases_per_fte)) }
                                    td { (format!("{:.0}", w.safe_caseload_per_fte)) }
                                    td { (pct(w.utilisation_pct)) " " (status_tag(&w.status)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page("Caseloads", &who, body))
}
