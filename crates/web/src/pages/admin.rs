//! User administration and the audit viewer (administrators only).
use crate::AppState;
use crate::auth::{self, Authed, CSRF_FIELD};
use crate::error::{AppError, PageError};
use crate::pages::layout::{self, select_field, text_field};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use haven_domain::access::{Role, check_password, parse_username};
use haven_domain::error::{FieldError, ValidationErrors};
use haven_store::{AuditFilter, NewUser, StoreError};
use maud::{Markup, html};
use serde::Deserialize;

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct UserForm {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub agency: String,
    pub team: String,
    pub password: String,
    pub csrf_token: String,
}

async fn users_page(st: &AppState, who: &Authed, f: &UserForm, e: &ValidationErrors, done: Option<&str>) -> Result<Markup, AppError> {
    let users = st.store.list_users().await?;
    let agencies = st.store.agencies().await?;
    let teams = st.store.teams().await?;
    let roles: Vec<(&str, &str)> = Role::ALL.iter().map(|r| (r.key(), r.label())).collect();
    let agency_opts: Vec<(&str, &str)> = agencies.iter().map(|a| (a.key.as_str(), a.name.as_str())).collect();
    let team_opts: Vec<(&str, &str)> = teams.iter().map(|t| (t.key.as_str(), t.name.as_str())).collect();
    Ok(layout::page(
        "Users",
        who,
        html! {
            h1 { "Users" }
            @if let Some(d) = done { div.success role="status" { (d) } }
            table {
                thead { tr { th { "Username" } th { "Name" } th { "Role" } th { "Agency" } th { "Team" } th { "Status" } th { "" } } }
                tbody {
                    @for u in &users {
                        tr {
                            td { (u.username) } td { (u.display_name) }
                            td { (Role::from_key(&u.role).map(|r| r.label()).unwrap_or(&u.role)) }
                            td { (u.agency) } td { (u.team.as_deref().unwrap_or("")) }
                            td { @if u.disabled { strong.tag.high { "disabled" } } @else { "active" } }
                            td {
                                @if u.username != who.principal.username {
                                form.inline-form method="post" action={ "/admin/users/" (u.username) (if u.disabled { "/enable" } else { "/disable" }) } {
                                    input type="hidden" name=(CSRF_FIELD) value=(who.csrf());
                                    @if u.disabled { button.secondary type="submit" { "Enable" } } @else { button.warning type="submit" { "Disable" } }
                                }
                                }
                            }
                        }
                    }
                }
            }
            h2 id="add" { "Add a user" }
            (layout::error_summary(e))
            form method="post" action="/admin/users" novalidate {
                input type="hidden" name=(CSRF_FIELD) value=(who.csrf());
                (text_field("username", "Username", Some("Lower-case letters, digits, dots, hyphens"), &f.username, "text", e))
                (text_field("display_name", "Full name", None, &f.display_name, "text", e))
                (select_field("role", "Role", &roles, &f.role, Some("Choose a role"), e))
                (select_field("agency", "Agency", &agency_opts, &f.agency, Some("Choose an agency"), e))
                (select_field("team", "Team", &team_opts, &f.team, Some("No team"), e))
                (text_field("password", "Initial password", Some("At least 12 characters; ask them to change it"), "", "password", e))
                button type="submit" { "Add user" }
            }
        },
    ))
}

pub async fn list(State(st): State<AppState>, who: Authed) -> Result<Markup, PageError> {
    Ok(users_page(&st, &who, &UserForm::default(), &ValidationErrors::new(), None).await?)
}

pub async fn add(State(st): State<AppState>, who: Authed, Form(f): Form<UserForm>) -> Result<Response, PageError> {
    let mut e = ValidationErrors::new();
    let username = e.take(parse_username("username", &f.username));
    let display_name = e.take(haven_domain::referral::parse_text("display_name", &f.display_name, true, 100)).flatten();
    let role = if f.role.is_empty() {
        e.push(FieldError::new("role", "is required"));
        None
    } else {
        e.take(Role::parse("role", &f.role))
    };
    if f.agency.trim().is_empty() {
        e.push(FieldError::new("agency", "is required"));
    }
    e.take(check_password("password", &f.password));
    let (Some(username), Some(display_name), Some(role), true) = (username, display_name, role, e.is_empty()) else {
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, users_page(&st, &who, &f, &e, None).await?).into_response());
    };
    let pw = f.password.clone();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&pw)).await.map_err(|e| AppError::Internal(e.to_string()))??;
    let team = Some(f.team.clone()).filter(|t| !t.is_empty());
    match st
        .store
        .create_user(
            &who.ctx(),
            NewUser { username: username.clone(), display_name, role, agency: f.agency.clone(), team, password_hash: hash },
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users?added={username}")).into_response()),
        Err(StoreError::Conflict { field, message }) => {
            e.push(FieldError::new(field, message));
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, users_page(&st, &who, &f, &e, None).await?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn set_disabled(st: &AppState, who: &Authed, username: &str, disabled: bool) -> Result<Response, PageError> {
    if disabled && username == who.principal.username {
        let mut e = ValidationErrors::new();
        e.push(FieldError::new("username", "cannot be your own account"));
        return Ok(
            (axum::http::StatusCode::UNPROCESSABLE_ENTITY, users_page(st, who, &UserForm::default(), &e, None).await?).into_response()
        );
    }
    st.store.set_user_disabled(&who.ctx(), username, disabled).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

pub async fn disable(State(st): State<AppState>, who: Authed, Path(username): Path<String>) -> Result<Response, PageError> {
    set_disabled(&st, &who, &username, true).await
}

pub async fn enable(State(st): State<AppState>, who: Authed, Path(username): Path<String>) -> Result<Response, PageError> {
    set_disabled(&st, &who, &username, false).await
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct AuditQuery {
    pub user: String,
    pub record: String,
    pub limit: Option<i64>,
}

/// Parse `person:42` into a record filter.
pub fn audit_filter(user: &str, record: &str, limit: Option<i64>) -> AuditFilter {
    let (rt, rid) = match record.trim().split_once(':') {
        Some((t, i)) => (Some(t.to_string()), Some(i.to_string())),
        None if !record.trim().is_empty() => (Some(record.trim().to_string()), None),
        None => (None, None),
    };
    AuditFilter {
        limit: limit.unwrap_or(200).clamp(1, 1000),
        username: Some(user.trim().to_string()).filter(|u| !u.is_empty()),
        record_type: rt,
        record_id: rid,
        action: None,
    }
}

pub async fn audit(State(st): State<AppState>, who: Authed, Query(q): Query<AuditQuery>) -> Result<Markup, PageError> {
    let rows = st.store.audit_recent(&who.ctx(), &audit_filter(&q.user, &q.record, q.limit)).await?;
    let v = st.store.verify_audit().await?;
    Ok(layout::page(
        "Audit log",
        &who,
        html! {
            h1 { "Audit log" }
            @match v.first_broken {
                None => div.success { "Chain intact: " (v.rows) " entries, head " code { (&v.head_hash[..16.min(v.head_hash.len())]) } "…" },
                Some(id) => div.banner role="alert" { h2 { "The audit chain is broken" } p { "The first entry that does not match is number " (id) ". Report this to your information governance lead." } },
            }
            form method="get" action="/admin/audit" {
                (text_field("user", "User", None, &q.user, "text", &ValidationErrors::new()))
                (text_field("record", "Record", Some("For example person:42"), &q.record, "text", &ValidationErrors::new()))
                button type="submit" { "Filter" }
            }
            table {
                thead { tr { th { "When (UTC)" } th { "User" } th { "Action" } th { "Record" } th { "Detail" } th { "From" } } }
                tbody { @for r in &rows { tr { td { (r.at) } td { (r.user) } td { (r.action) } td { (r.record) } td { (r.detail) } td { (r.source) } } } }
            }
        },
    ))
}
