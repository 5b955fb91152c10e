//! Server-rendered pages. Each module is one screen; all share the layout.
pub mod admin;
pub mod dashboard;
pub mod layout;
pub mod login;
pub mod people;
pub mod referrals;

use axum::http::HeaderMap;

/// htmx asks for a fragment; everyone else gets the whole page.
pub fn is_htmx(h: &HeaderMap) -> bool {
    h.contains_key("hx-request")
}
