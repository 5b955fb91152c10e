//! Static assets, embedded in the binary.
use axum::http::header;
use axum::response::IntoResponse;

pub const CSS: &str = include_str!("../assets/haven.css");
pub const JS: &str = include_str!("../assets/haven.js");
/// htmx 2.0.11, from the npm package `htmx.org` (BSD-2-Clause).
pub const HTMX: &str = include_str!("../assets/htmx.min.js");

pub async fn css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], CSS)
}
pub async fn js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], JS)
}
pub async fn htmx() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=86400")], HTMX)
}
