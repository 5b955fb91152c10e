//! The front door's intake (issue 3): agency referral form with household,
//! public self-referral, police incident upload, duplicate suggestions.
//!
//! Pages: `/intake/referral` (agency form), `/intake/referrals/{id}` (what an
//! intake recorded), `/intake/police-incidents` (upload), and the public
//! pages under `/get-help` (no sign-in). JSON under `/api/v1/intake`.
pub mod agency;
pub mod api;
pub mod form;
pub mod police_csv;
pub mod public;
pub mod upload;
pub mod widgets;

use crate::AppState;
use crate::routes::{RouteSpec, row};
use axum::Extension;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};
use haven_domain::access::Permission;
use std::sync::Arc;

/// This area's rows of the route table.
pub fn routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    use Permission as P;
    let g = Method::GET;
    let p = Method::POST;
    // One gate per application: its signing key and rate-limit buckets.
    let gate = Arc::new(public::PublicGate::new());
    vec![
        // Public: no sign-in; quick exit on every page.
        row(g.clone(), "/get-help", None, get(public::help)),
        row(g.clone(), "/get-help/refer", None, get(public::show).layer(Extension(gate.clone()))),
        row(p.clone(), "/get-help/refer", None, post(public::submit).layer(Extension(gate))),
        row(g.clone(), "/get-help/sent", None, get(public::sent)),
        // Agency referral form and what it recorded.
        row(g.clone(), "/intake/referral", Some(P::CreateReferral), get(agency::new)),
        row(p.clone(), "/intake/referral", Some(P::CreateReferral), post(agency::create)),
        row(g.clone(), "/intake/referrals/{id}", Some(P::ReadPerson), get(agency::show)),
        // Police incident import (front door).
        row(g.clone(), "/intake/police-incidents", Some(P::TriageQueue), get(upload::show)),
        row(p.clone(), "/intake/police-incidents", Some(P::TriageQueue), post(upload::upload)),
        // JSON API
        row(p.clone(), "/api/v1/intake/referrals", Some(P::CreateReferral), post(api::create_referral)),
        row(g.clone(), "/api/v1/intake/referrals/{id}", Some(P::ReadPerson), get(api::get_referral)),
        row(g.clone(), "/api/v1/intake/matches", Some(P::SearchPeople), get(api::matches)),
        row(p, "/api/v1/intake/police-incidents", Some(P::TriageQueue), post(api::import_police)),
        row(g, "/api/v1/intake/police-incidents", Some(P::TriageQueue), get(api::import_batches)),
    ]
}

/// This area's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api::create_referral, api::get_referral, api::matches, api::import_police, api::import_batches),
    components(schemas(
        form::IntakeReferralJson,
        form::MemberJson,
        form::PerpetratorJson,
        api::PossibleMatches,
        haven_store::intake::IntakeCreated,
        haven_store::intake::IntakeView,
        haven_store::intake::IntakePerson,
        haven_store::intake::ReferrerView,
        haven_store::intake::IncidentView,
        haven_store::intake::ImportReport,
        haven_store::intake::Rejection,
        haven_store::intake::ImportBatchRow,
    ))
)]
pub struct Api;
