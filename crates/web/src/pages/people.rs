//! Find a person; a person's record with its safe-contact banner.
use crate::AppState;
use crate::auth::Authed;
use crate::error::{AppError, PageError};
use crate::pages::{is_htmx, layout};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use haven_domain::access::Permission;
use haven_domain::agency::AgencyKind;
use haven_domain::ids::PersonId;
use haven_domain::person::{Ethnicity, GenderIdentity, ImmigrationStatus, MaritalStatus, Religion, Sex, SexualOrientation, YesNoUnknown};
use haven_store::{PersonHit, PersonRecord};
use maud::{Markup, html};
use serde::Deserialize;

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    pub q: String,
}

pub const PAGE_SIZE: usize = 25;

fn results(q: &str, hits: &[PersonHit]) -> Markup {
    html! {
        div id="results" aria-live="polite" {
            @if !q.trim().is_empty() {
                @if hits.is_empty() {
                    p { "No one found for " strong { (q) } ". Check the spelling, try a date of birth (DD/MM/YYYY) or a postcode, or make a new referral." }
                } @else {
                    p { (hits.len()) " found (closest matches first)." }
                    table {
                        thead { tr { th { "Name" } th { "Date of birth" } th { "Sex" } th { "Postcode" } th { "Match" } } }
                        tbody {
                            @for h in hits {
                                tr {
                                    td { a href={ "/people/" (h.id) } { (h.given_name) " " (h.family_name) } }
                                    td { (h.date_of_birth.as_deref().unwrap_or("not known")) }
                                    td { (h.sex) }
                                    td { (h.postcode.as_deref().unwrap_or("")) }
                                    td { (format!("{:.0}%", h.score * 100.0)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub async fn search(
    State(st): State<AppState>,
    who: Authed,
    headers: HeaderMap,
    Query(sq): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let query = haven_domain::search::Query::parse(&sq.q);
    let hits = if query.is_empty() { vec![] } else { st.store.search_people(&who.ctx(), &query, PAGE_SIZE).await? };
    if is_htmx(&headers) {
        return Ok(results(&sq.q, &hits).into_response());
    }
    let body = html! {
        h1 { "Find a person" }
        form method="get" action="/people" role="search" {
            div.field {
                label for="q" { "Name, date of birth or postcode" }
                span.hint { "For example: Jon Smyth, 02/03/1985, or WX1 2AB. Spelling mistakes are allowed." }
                input type="search" id="q" name="q" value=(sq.q) autocomplete="off"
                    hx-get="/people" hx-trigger="input changed delay:400ms, search" hx-target="#results" hx-swap="outerHTML";
            }
            button type="submit" { "Search" }
        }
        (results(&sq.q, &hits))
    };
    Ok(layout::page("Find a person", &who, body).into_response())
}

fn characteristic_name(key: &str) -> String {
    match key {
        "nrpf" => "No recourse to public funds".into(),
        "pregnant" => "Pregnant".into(),
        other => layout::label_for(other),
    }
}

/// The label of a stored vocabulary key, e.g. `white_british` → "White: English, …".
fn characteristic_value(field: &str, key: &str) -> String {
    let label = match field {
        "gender_identity" => GenderIdentity::from_key(key).map(|v| v.label()),
        "sexual_orientation" => SexualOrientation::from_key(key).map(|v| v.label()),
        "ethnicity" => Ethnicity::from_key(key).map(|v| v.label()),
        "religion" => Religion::from_key(key).map(|v| v.label()),
        "marital_status" => MaritalStatus::from_key(key).map(|v| v.label()),
        "immigration_status" => ImmigrationStatus::from_key(key).map(|v| v.label()),
        "disability" | "pregnant" | "nrpf" => YesNoUnknown::from_key(key).map(|v| v.label()),
        _ => None,
    };
    label.map(String::from).unwrap_or_else(|| key.replace('_', " "))
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "Not known – treat as no",
    }
}

fn record(p: &PersonRecord, can_refer: bool, can_assess: bool) -> Markup {
    html! {
        span.hint { "Person record" }
        h1 { (p.given_name) " " (p.family_name) }
        @if let Some(sc) = &p.safe_contact {
            div.banner role="region" aria-label="Safe contact" id="safe-contact" {
                h2 { "Safe contact – read before any contact" }
                @if !sc.warnings.is_empty() {
                    ul { @for w in &sc.warnings { li { strong { (w) } } } }
                }
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
        } @else if p.safe_contact_withheld {
            div.banner.info role="region" aria-label="Safe contact" id="safe-contact" {
                h2 { "Safe-contact details are held" }
                p { "Do not contact this person directly. Contact goes through the team working with them." }
            }
        }
        @if p.restricted { p.notice { strong { "Restricted record." } " Only the assigned team can see it." } }
        dl.summary {
            dt { "Date of birth" } dd { (p.date_of_birth.as_deref().unwrap_or("Not known")) @if let Some(a) = p.age { " (age " (a) ")" } }
            dt { "Sex" } dd { (Sex::from_key(&p.sex).map(|s| s.label()).unwrap_or(&p.sex)) }
            dt { "Postcode" } dd { (p.postcode.as_deref().unwrap_or("Not known / no fixed abode")) }
            @for (k, v) in &p.characteristics {
                dt { (characteristic_name(k)) } dd { (characteristic_value(k, v)) }
            }
        }
        p {
            @if can_refer { a.button href={ "/intake/referral?person_id=" (p.id) } { "Add a referral for this person" } " " }
            @if can_assess { a.button.secondary href={ "/people/" (p.id) "/dash" } { "DASH risk assessment" } " " }
            @if can_refer { a.button.secondary href={ "/people/" (p.id) "/marac" } { "Refer to MARAC" } }
        }
        h2 { "Referrals" }
        @if p.referrals.is_empty() { p.muted { "No referrals for this person as the victim." } } @else {
            table {
                thead { tr { th { "Date" } th { "Source" } th { "Risk" } th { "Team" } th { "Status" } th { "Reason" } } }
                tbody {
                    @for r in &p.referrals {
                        tr {
                            td { (r.referral_date) }
                            td { (AgencyKind::from_key(&r.source_agency).map(|a| a.label()).unwrap_or(&r.source_agency)) @if let Some(a) = &r.referring_agency { br; span.muted { (a) } } }
                            td { (layout::risk_tag(r.risk_level.as_deref())) @if let Some(s) = r.dash_score { " DASH " (s) } }
                            td { (r.assigned_team.as_deref().unwrap_or("Unassigned")) }
                            td { (r.status) }
                            td { (r.reason) }
                        }
                    }
                }
            }
        }
        @if !p.linked_people.is_empty() {
            h2 { "People linked through referrals" }
            table {
                thead { tr { th { "Name" } th { "Role" } th { "Date of birth" } } }
                tbody { @for l in &p.linked_people { tr { td { a href={ "/people/" (l.id) } { (l.name) } } td { (l.role.replace('_', " ")) } td { (l.date_of_birth.as_deref().unwrap_or("")) } } } }
            }
        }
    }
}

pub async fn show(State(st): State<AppState>, who: Authed, Path(id): Path<i64>) -> Result<Response, PageError> {
    // A record merged into another leads to the surviving record.
    if let Some(into) = st.store.merged_into(PersonId(id)).await? {
        return Ok(axum::response::Redirect::to(&format!("/people/{into}?merged_from={id}")).into_response());
    }
    let p = st.store.read_person(&who.ctx(), PersonId(id)).await?.ok_or(AppError::NotFound)?;
    let title = format!("{} {}", p.given_name, p.family_name);
    Ok(layout::page(
        &title,
        &who,
        record(&p, who.principal.role.allows(Permission::CreateReferral), who.principal.role.allows(Permission::AssessRisk)),
    )
    .into_response())
}
