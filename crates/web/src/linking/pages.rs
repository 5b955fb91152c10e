//! The review queue page (`/linking`) and the figures page (`/linking/figures`).
use super::api::{LinkFigures, PeriodParams, period};
use super::run_now;
use crate::AppState;
use crate::auth::{Authed, CSRF_FIELD};
use crate::error::PageError;
use crate::pages::layout;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use haven_domain::ids::PersonId;
use haven_store::linking::{PairSide, ReviewPair};
use maud::{Markup, html};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Notice {
    pub done: Option<String>,
}

fn notice(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "run" => Some("Link run finished."),
        "confirmed" => Some("Confirmed as the same person: the newer record was merged into the older. It can be unmerged below."),
        "rejected" => Some("Marked as different people: this pair will not be suggested again."),
        "unmerged" => Some("Unmerged: every row moved by the merge is back with its record."),
        _ => None,
    }
}

fn button(action: &str, label: &str, csrf: &str, class: &str) -> Markup {
    html! {
        form method="post" action=(action) style="display:inline" {
            input type="hidden" name=(CSRF_FIELD) value=(csrf);
            button type="submit" class=(class) { (label) }
        }
    }
}

fn side_cell(s: &PairSide, f: impl Fn(&PairSide) -> String) -> Markup {
    html! { td { (f(s)) } }
}

fn pair(p: &ReviewPair, csrf: &str) -> Markup {
    type Getter = fn(&PairSide) -> String;
    let rows: [(&str, Getter); 6] = [
        ("Record", |s| format!("#{}", s.id)),
        ("Name", |s| format!("{} {}", s.given_name, s.family_name)),
        ("Date of birth", |s| s.date_of_birth.clone().unwrap_or_else(|| "Not known".into())),
        ("Sex", |s| s.sex.replace('_', " ")),
        ("Postcode", |s| s.postcode.clone().unwrap_or_else(|| "Not known".into())),
        ("Referrals", |s| s.referrals.to_string()),
    ];
    html! {
        section.pair id=(format!("pair-{}", p.id)) aria-label=(format!("Possible duplicate {}", p.id)) {
            h2 { "Possible duplicate – " (format!("{:.0}%", p.probability * 100.0)) " likely the same person" }
            table {
                thead { tr { th { "" } th { a href=(format!("/people/{}", p.a.id)) { "Record A" } } th { a href=(format!("/people/{}", p.b.id)) { "Record B" } } } }
                tbody {
                    @for (label, get) in rows {
                        tr { th scope="row" { (label) } (side_cell(&p.a, get)) (side_cell(&p.b, get)) }
                    }
                }
            }
            details {
                summary { "Why: each field's contribution" }
                table {
                    thead { tr { th { "Field" } th { "Found" } th { "Weight (bits)" } } }
                    tbody {
                        @for f in &p.explanation {
                            tr { td { (f.field) } td { (f.level) } td { (format!("{:+.1}", f.weight)) } }
                        }
                    }
                }
            }
            p {
                (button(&format!("/linking/pairs/{}/confirm", p.id), "Same person – merge", csrf, "primary"))
                " "
                (button(&format!("/linking/pairs/{}/reject", p.id), "Different people", csrf, "secondary"))
            }
        }
    }
}

/// The review queue, the run button, the latest runs and recent merges.
pub async fn queue(State(st): State<AppState>, who: Authed, Query(n): Query<Notice>) -> Result<Response, PageError> {
    let ctx = who.ctx();
    let pairs = st.store.review_queue(&ctx, 50).await?;
    let runs = st.store.link_runs(5).await?;
    let merges = st.store.merges(20).await?;
    let csrf = who.csrf();
    let body = html! {
        h1 { "Possible duplicate records" }
        @if let Some(msg) = notice(n.done.as_deref()) { div.banner.info role="status" { p { (msg) } } }
        p { "Haven links person records across referrals, police incidents and MARAC lists. Pairs it is sure about are counted as one person but never merged on their own; pairs it is unsure about wait here for a person to decide." }
        (button("/linking/runs", "Run linkage now", csrf, "secondary"))
        @if let Some(r) = runs.first() {
            p.hint { "Last run " (r.finished_at) " by " (r.run_by) ": " (r.records) " records, " (r.accepted_pairs) " pairs linked, " (r.review_pairs) " to review, " (r.clusters) " people with more than one record." }
        } @else {
            p.hint { "No link run yet." }
        }
        h2 { "To review (" (pairs.len()) ")" }
        @if pairs.is_empty() { p id="no-pairs" { "Nothing to review." } }
        @for p in &pairs { (pair(p, csrf)) }
        h2 { "Recent merges" }
        @if merges.is_empty() { p { "None." } } @else {
            table id="merges" {
                thead { tr { th { "Merged record" } th { "Into" } th { "When" } th { "By" } th { "Rows moved" } th { "" } } }
                tbody {
                    @for m in &merges {
                        tr {
                            td { "#" (m.merged) } td { a href=(format!("/people/{}", m.survivor)) { "#" (m.survivor) } }
                            td { (m.merged_at) } td { (m.merged_by) } td { (m.rows_moved) }
                            td {
                                @if let Some(u) = &m.unmerged_at { "Unmerged " (u) }
                                @else { (button(&format!("/linking/people/{}/unmerge", m.merged), "Unmerge", csrf, "secondary")) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page("Possible duplicate records", &who, body).into_response())
}

pub async fn run(State(st): State<AppState>, who: Authed) -> Result<Response, PageError> {
    run_now(st.store.clone(), who.ctx()).await?;
    Ok(Redirect::to("/linking?done=run").into_response())
}

pub async fn confirm(State(st): State<AppState>, who: Authed, Path(id): Path<i64>) -> Result<Response, PageError> {
    st.store.confirm_pair(&who.ctx(), id).await?;
    Ok(Redirect::to("/linking?done=confirmed").into_response())
}

pub async fn reject(State(st): State<AppState>, who: Authed, Path(id): Path<i64>) -> Result<Response, PageError> {
    st.store.reject_pair(&who.ctx(), id).await?;
    Ok(Redirect::to("/linking?done=rejected").into_response())
}

pub async fn unmerge(State(st): State<AppState>, who: Authed, Path(id): Path<i64>) -> Result<Response, PageError> {
    st.store.unmerge_person(&who.ctx(), PersonId(id)).await?;
    Ok(Redirect::to("/linking?done=unmerged").into_response())
}

fn shown(v: Option<i64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_else(|| "<5".into())
}

/// Repeat victims, serial perpetrators, individuals net of repeats.
pub async fn figures(State(st): State<AppState>, who: Authed, Query(p): Query<PeriodParams>) -> Result<Response, PageError> {
    let period = period(&p)?;
    let f = LinkFigures::publish(period, &st.store.link_counts(period).await?);
    let rows: [(&str, String); 7] = [
        ("Referrals (victims)", shown(f.referrals)),
        ("Individuals net of repeats", shown(f.individuals)),
        ("Repeat referrals", shown(f.repeat_referrals)),
        ("Repeat rate", f.repeat_rate_percent.map(|r| format!("{r:.1}%")).unwrap_or_else(|| "–".into())),
        ("Repeat victims (2+ referrals)", shown(f.repeat_victims)),
        ("Alleged perpetrators", shown(f.perpetrators)),
        ("Serial perpetrators (2+ victims)", shown(f.serial_perpetrators)),
    ];
    let body = html! {
        h1 { "People, not incidents" }
        p { "From " (f.from) " to " (f.to) ". "
            @if let Some(at) = &f.run_at { "Records linked by the run of " (at) "." } @else { "No link run yet: every record counts as one person." } }
        form method="get" action="/linking/figures" {
            label for="from" { "From" } input id="from" type="date" name="from" value=(f.from);
            label for="to" { "To" } input id="to" type="date" name="to" value=(f.to);
            button type="submit" { "Show" }
        }
        table id="link-figures" {
            tbody { @for (label, v) in &rows { tr { th scope="row" { (label) } td { (v) } } } }
        }
        p.hint { "Counts from 1 to 4 are shown as <5." }
    };
    Ok(layout::page("Linked figures", &who, body).into_response())
}
