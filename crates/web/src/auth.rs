//! Authentication, the per-route permission guard and CSRF protection.
use crate::AppState;
use crate::error::AppError;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use haven_domain::access::{Permission, Principal};
use haven_store::Ctx;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "haven_session";
pub const LOGIN_CSRF_COOKIE: &str = "haven_login_csrf";
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Largest form body the guard will read to find the CSRF token.
const MAX_FORM_BYTES: usize = 1024 * 1024;
/// Largest multipart body (file upload) the guard will read; the router's limit is 2 MiB.
const MAX_UPLOAD_BYTES: usize = 2 * 1024 * 1024;

/// Hash a password with Argon2id (default parameters, random salt).
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("hashing failed: {e}")))
}

/// Check a password against a stored hash; false on any malformed hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash that verifies no password, for timing-equal failed logins.
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$5Yk3bY0zG0+0m4lA3F7tbVf8jzZ8q3b0d2h8m0nQb1k";

/// 256 random bits, hex encoded.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// Tokens are stored only as their SHA-256.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if secure {
        c.push_str("; Secure");
    }
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    c
}

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthMethod {
    /// A browser session; carries the session's CSRF token.
    Session { csrf: String },
    /// A personal bearer token (API clients; no cookies, so no CSRF).
    Bearer,
}

/// A signed-in caller. Only [`guard`] creates one, after checking the
/// route's permission, so a handler that takes `Authed` cannot run for a
/// caller who failed the check.
#[derive(Debug, Clone)]
pub struct Authed {
    pub principal: Principal,
    pub method: AuthMethod,
    pub source: String,
}

impl Authed {
    pub fn ctx(&self) -> Ctx {
        Ctx::user(self.principal.clone(), self.source.clone())
    }
    /// The CSRF token to embed in forms ("" for bearer callers, who use no forms).
    pub fn csrf(&self) -> &str {
        match &self.method {
            AuthMethod::Session { csrf } => csrf,
            AuthMethod::Bearer => "",
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Authed {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Authed>().cloned().ok_or_else(|| StatusCode::UNAUTHORIZED.into_response())
    }
}

pub fn client_source(req_ext: &axum::http::Extensions) -> String {
    req_ext.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// Look up the caller from the bearer token or session cookie.
pub async fn authenticate(st: &AppState, headers: &HeaderMap) -> Result<Option<(Principal, AuthMethod)>, AppError> {
    if let Some(auth) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let Some(token) = auth.strip_prefix("Bearer ").map(str::trim) else { return Ok(None) };
        return Ok(st.store.principal_for_token(&token_hash(token)).await?.map(|p| (p, AuthMethod::Bearer)));
    }
    if let Some(tok) = cookie(headers, SESSION_COOKIE) {
        let now = chrono::Utc::now().timestamp();
        if let Some((p, csrf)) = st.store.touch_session(&token_hash(&tok), now, st.config.idle_timeout_secs).await? {
            return Ok(Some((p, AuthMethod::Session { csrf })));
        }
    }
    Ok(None)
}

fn reject(path: &str, e: AppError) -> Response {
    if is_api(path) {
        return e.json();
    }
    match e {
        AppError::Unauthorized => Redirect::to("/login?expired=1").into_response(),
        other => other.html(),
    }
}

/// Constant-time string comparison for tokens.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Find the CSRF token in a header or, for a form post, in the body (which
/// is then put back for the handler).
async fn csrf_from_request(req: Request) -> Result<(Option<String>, Request), AppError> {
    if let Some(h) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return Ok((Some(h.to_string()), req));
    }
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    if content_type.starts_with("multipart/form-data") {
        // File uploads (the police incident import) carry the token as a form field.
        let (parts, body) = req.into_parts();
        let bytes = to_bytes(body, MAX_UPLOAD_BYTES).await.map_err(|_| AppError::Forbidden)?;
        let token = crate::intake::upload::multipart_text_field(&content_type, &bytes, CSRF_FIELD);
        return Ok((token, Request::from_parts(parts, Body::from(bytes))));
    }
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    if !is_form {
        return Ok((None, req));
    }
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, MAX_FORM_BYTES).await.map_err(|_| AppError::Forbidden)?;
    let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v));
    Ok((token, Request::from_parts(parts, Body::from(bytes))))
}

/// The per-route guard: authentication, permission, CSRF. `None` marks a
/// public route.
pub async fn guard(State(st): State<AppState>, perm: Option<Permission>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let Some(perm) = perm else { return next.run(req).await };
    let auth = match authenticate(&st, req.headers()).await {
        Ok(a) => a,
        Err(e) => return reject(&path, e),
    };
    let Some((principal, method)) = auth else { return reject(&path, AppError::Unauthorized) };
    if !principal.role.allows(perm) {
        tracing::info!(user = principal.user_id.0, permission = perm.key(), "forbidden");
        if is_api(&path) {
            return reject(&path, AppError::Forbidden);
        }
        // Keep the signed-in frame (menu, sign out) on the refusal page.
        let who = Authed { principal, method, source: client_source(req.extensions()) };
        let body = maud::html! {
            h1 { "You cannot view this page" }
            p { "Your role (" (who.principal.role.label()) ") does not include this. If you need it for your work, ask your administrator." }
            p { a href="/" { "Go to your dashboard" } }
        };
        return (axum::http::StatusCode::FORBIDDEN, crate::pages::layout::page("You cannot view this page", &who, body)).into_response();
    }
    let mut req = req;
    if let AuthMethod::Session { csrf } = &method
        && !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
    {
        let (token, r) = match csrf_from_request(req).await {
            Ok(x) => x,
            Err(e) => return reject(&path, e),
        };
        req = r;
        if !token.is_some_and(|t| same(&t, csrf)) {
            tracing::info!(user = principal.user_id.0, "csrf token missing or wrong");
            return reject(&path, AppError::Forbidden);
        }
    }
    let source = client_source(req.extensions());
    req.extensions_mut().insert(Authed { principal, method, source });
    next.run(req).await
}

/// Security headers for every response; `no-store` so a shared computer's
/// back button and cache keep nothing.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut HeaderMap, k: &'static str, v: &'static str| {
        if let Ok(v) = axum::http::HeaderValue::from_str(v) {
            h.insert(k, v);
        }
    };
    set(
        h,
        "content-security-policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    );
    set(h, "x-frame-options", "DENY");
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "no-referrer");
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, "cache-control", "no-store");
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(!verify_password("x", DUMMY_HASH));
    }

    #[test]
    fn cookies_parse() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; haven_session=abc; b=2".parse().unwrap());
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
        let c = set_cookie(SESSION_COOKIE, "x", None, true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Secure"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_token());
        assert_ne!(token_hash(&a), a);
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
