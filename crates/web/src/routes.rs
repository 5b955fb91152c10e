//! Every route, declared once with the permission it needs. The router is
//! built from this table, and the authorisation test walks it, so a route
//! added without a rule cannot slip through.
use crate::{AppState, api, assets, auth, pages};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, get, post};
use haven_domain::access::Permission;

/// One row of the route table.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    /// `None`: public (no sign-in needed).
    pub permission: Option<Permission>,
}

pub fn row(
    method: Method,
    path: &'static str,
    permission: Option<Permission>,
    handler: MethodRouter<AppState>,
) -> (RouteSpec, MethodRouter<AppState>) {
    (RouteSpec { method, path, permission }, handler)
}

/// The route table.
pub fn table() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    let mut t = core();
    t.extend(crate::intake::routes());
    t.extend(crate::casework::routes());
    t.extend(crate::commissioning::routes());
    t.extend(crate::linking::routes());
    t
}

fn core() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    use Permission as P;
    let g = Method::GET;
    let p = Method::POST;
    vec![
        // Public
        row(g.clone(), "/healthz", None, get(api::healthz)),
        row(g.clone(), "/api/openapi.json", None, get(api::openapi_json)),
        row(g.clone(), "/assets/haven.css", None, get(assets::css)),
        row(g.clone(), "/assets/haven.js", None, get(assets::js)),
        row(g.clone(), "/assets/htmx.min.js", None, get(assets::htmx)),
        row(g.clone(), "/login", None, get(pages::login::show)),
        row(p.clone(), "/login", None, post(pages::login::submit)),
        // Pages
        row(p.clone(), "/logout", Some(P::SignedIn), post(pages::login::logout)),
        row(g.clone(), "/", Some(P::SignedIn), get(pages::dashboard::show)),
        row(g.clone(), "/people", Some(P::SearchPeople), get(pages::people::search)),
        row(g.clone(), "/people/{id}", Some(P::ReadPerson), get(pages::people::show)),
        row(g.clone(), "/referrals/new", Some(P::CreateReferral), get(pages::referrals::new)),
        row(p.clone(), "/referrals", Some(P::CreateReferral), post(pages::referrals::create)),
        row(g.clone(), "/admin/users", Some(P::ManageUsers), get(pages::admin::list)),
        row(p.clone(), "/admin/users", Some(P::ManageUsers), post(pages::admin::add)),
        row(p.clone(), "/admin/users/{username}/disable", Some(P::ManageUsers), post(pages::admin::disable)),
        row(p.clone(), "/admin/users/{username}/enable", Some(P::ManageUsers), post(pages::admin::enable)),
        row(g.clone(), "/admin/audit", Some(P::ViewAudit), get(pages::admin::audit)),
        // JSON API
        row(g.clone(), "/api/v1/me", Some(P::SignedIn), get(api::me)),
        row(g.clone(), "/api/v1/dashboard", Some(P::SignedIn), get(api::dashboard)),
        row(g.clone(), "/api/v1/people", Some(P::SearchPeople), get(api::search_people)),
        row(g.clone(), "/api/v1/people/{id}", Some(P::ReadPerson), get(api::get_person)),
        row(p.clone(), "/api/v1/referrals", Some(P::CreateReferral), post(api::create_referral)),
        row(g.clone(), "/api/v1/audit", Some(P::ViewAudit), get(api::audit)),
        row(g.clone(), "/api/v1/audit/verify", Some(P::ViewAudit), get(api::verify_audit)),
        row(g, "/api/v1/users", Some(P::ManageUsers), get(api::list_users)),
    ]
}

/// Just the declarations, for tests and documentation.
pub fn specs() -> Vec<RouteSpec> {
    table().into_iter().map(|(s, _)| s).collect()
}

async fn not_found(req: Request) -> impl IntoResponse {
    let e = crate::error::AppError::NotFound;
    if req.uri().path().starts_with("/api/") { e.json() } else { e.html() }
}

pub fn router(state: AppState) -> Router {
    let mut r: Router<AppState> = Router::new();
    for (spec, handler) in table() {
        let perm = spec.permission;
        let guarded = handler
            .route_layer(middleware::from_fn_with_state(state.clone(), move |st: State<AppState>, req: Request, next: Next| {
                auth::guard(st, perm, req, next)
            }));
        r = r.route(spec.path, guarded);
    }
    r.fallback(not_found)
        .layer(middleware::from_fn(auth::security_headers))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(2 * 1024 * 1024))
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(|req: &Request| {
            // Paths carry record ids, never names; query strings (which may hold a name) are not logged.
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
        }))
        .with_state(state)
}
