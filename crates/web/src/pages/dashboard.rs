//! The dashboard: my queues and counts, by role.
use crate::AppState;
use crate::auth::Authed;
use crate::error::PageError;
use crate::pages::layout;
use axum::extract::State;
use haven_domain::access::Permission;
use maud::{Markup, html};

pub async fn show(State(st): State<AppState>, who: Authed) -> Result<Markup, PageError> {
    let d = st.store.dashboard(&who.ctx()).await?;
    let role = who.principal.role;
    // Actions and warnings (MARAC actions, overdue contacts, caseloads) come
    // straight after the counts: they are what the user must do next.
    let panel = crate::casework::dashboard_panel(&st, &who).await?;
    let body = html! {
        span.hint { (role.label()) }
        h1 { (d.heading) }
        div.cards {
            @for c in &d.counts {
                div.card {
                    span.n { @match c.value { Some(v) => (v), None => "<5" } }
                    (c.label)
                }
            }
        }
        @if let Some(p) = panel { (p) }
        @if role.allows(Permission::CreateReferral) {
            p { a.button href="/intake/referral" { "Make a referral" } " " a.button.secondary href="/people" { "Find a person" } }
        }
        @if let Some(t) = &d.queue_title {
            h2 { (t) }
            @if d.queue.is_empty() {
                p.muted { "Nothing waiting." }
            } @else {
                table {
                    thead { tr { th { "Person" } th { "Referred" } th { "From" } th { "Risk" } th { "Team" } th { "Status" } } }
                    tbody {
                        @for q in &d.queue {
                            tr {
                                td { a href={ "/people/" (q.person_id) } { (q.person_name) } }
                                td { (q.referral_date) }
                                td { (haven_domain::agency::AgencyKind::from_key(&q.source_agency).map(|a| a.label()).unwrap_or(&q.source_agency)) }
                                td { (layout::risk_tag(q.risk_level.as_deref())) }
                                td { (q.assigned_team.as_deref().unwrap_or("Unassigned")) }
                                td { (q.status) }
                            }
                        }
                    }
                }
            }
        }
        @if role == haven_domain::access::Role::Commissioner {
            p { a.button href="/commissioning" { "Partnership figures" } " " a.button.secondary href="/commissioning/needs" { "Needs assessment and capacity plan" } }
            p.muted { "Counts under 5 are shown as <5, as in published statistics. Commissioners see aggregate figures only, never a person's record." }
        }
    };

    Ok(layout::page("Dashboard", &who, body))
}
