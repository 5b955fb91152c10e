//! Sign in and sign out.
use crate::AppState;
use crate::auth::{self, Authed, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::error::{AppError, PageError};
use crate::pages::layout;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use haven_store::Ctx;
use maud::html;
use serde::Deserialize;

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct LoginQuery {
    pub expired: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
    pub csrf_token: String,
}

fn login_page(st: &AppState, csrf: &str, username: &str, error: Option<&str>, info: Option<&str>) -> Response {
    let body = html! {
        h1 { "Sign in to Haven" }
        @if let Some(i) = info { div.notice { (i) } }
        @if let Some(e) = error {
            div.error-summary role="alert" { h2 { "There is a problem" } p { (e) } }
        }
        form method="post" action="/login" novalidate {
            input type="hidden" name="csrf_token" value=(csrf);
            div.field {
                label for="username" { "Username" }
                input type="text" id="username" name="username" value=(username) autocomplete="username" autocapitalize="none" spellcheck="false";
            }
            div.field {
                label for="password" { "Password" }
                input type="password" id="password" name="password" autocomplete="current-password";
            }
            button type="submit" { "Sign in" }
        }
        p.muted { "Not a member of staff? " a href="/get-help" { "Get help or refer yourself" } "." }
    };
    let status = if error.is_some() { StatusCode::UNAUTHORIZED } else { StatusCode::OK };
    (
        status,
        [(header::SET_COOKIE, auth::set_cookie(LOGIN_CSRF_COOKIE, csrf, Some(3600), st.config.secure_cookies))],
        layout::bare("Sign in", body),
    )
        .into_response()
}

pub async fn show(State(st): State<AppState>, Query(q): Query<LoginQuery>) -> Response {
    let info = q.expired.map(|_| "You have been signed out. Please sign in again.");
    login_page(&st, &auth::random_token(), "", None, info)
}

pub async fn submit(
    State(st): State<AppState>,
    headers: HeaderMap,
    req_ext: axum::extract::ConnectInfo<std::net::SocketAddr>,
    Form(f): Form<LoginForm>,
) -> Result<Response, PageError> {
    // Login CSRF: the form must carry the value of the cookie set with it.
    let cookie = auth::cookie(&headers, LOGIN_CSRF_COOKIE);
    if cookie.as_deref() != Some(f.csrf_token.as_str()) || f.csrf_token.is_empty() {
        return Ok(login_page(&st, &auth::random_token(), &f.username, Some("Your sign-in form expired. Please try again."), None));
    }
    let source = req_ext.0.ip().to_string();
    let username = f.username.trim().to_string();
    let record = st.store.login_record(&username).await?;
    let (hash, user) = match &record {
        Some(r) if !r.disabled => (r.password_hash.clone(), Some(r.user_id)),
        _ => (auth::DUMMY_HASH.to_string(), None),
    };
    let password = f.password.clone();
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let ctx = Ctx::system("login");
    let ctx = Ctx { source: source.clone(), ..ctx };
    let Some(user) = user.filter(|_| ok) else {
        st.store.record_login(&ctx, false, &username).await?;
        return Ok(login_page(&st, &auth::random_token(), &username, Some("The username or password is not right."), None));
    };
    let principal = st.store.principal(user).await?.ok_or(AppError::Unauthorized)?;
    let token = auth::random_token();
    let csrf = auth::random_token();
    st.store.create_session(user, &auth::token_hash(&token), &csrf, chrono::Utc::now().timestamp()).await?;
    st.store.record_login(&Ctx::user(principal, source), true, &username).await?;
    let mut res = Redirect::to("/").into_response();
    let h = res.headers_mut();
    for c in [
        auth::set_cookie(SESSION_COOKIE, &token, None, st.config.secure_cookies),
        auth::set_cookie(LOGIN_CSRF_COOKIE, "", Some(0), st.config.secure_cookies),
    ] {
        if let Ok(v) = c.parse() {
            h.append(header::SET_COOKIE, v);
        }
    }
    Ok(res)
}

pub async fn logout(State(st): State<AppState>, headers: HeaderMap, _who: Authed) -> Result<Response, PageError> {
    if let Some(tok) = auth::cookie(&headers, SESSION_COOKIE) {
        st.store.delete_session(&auth::token_hash(&tok)).await?;
    }
    let mut res = Redirect::to("/login").into_response();
    if let Ok(v) = auth::set_cookie(SESSION_COOKIE, "", Some(0), st.config.secure_cookies).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}
