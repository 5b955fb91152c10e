//! Every route × every role, from the route table; record-level scope.
use crate::helpers::{TestApp, USERS};
use haven_domain::access::Role;
use reqwest::{Method, StatusCode};

fn concrete(path: &str, app: &TestApp) -> String {
    path.replace("{id}", &app.seed.john.to_string()).replace("{username}", "nobody-such-user")
}

#[tokio::test]
async fn every_route_as_every_role() {
    let app = TestApp::spawn().await;
    let specs = haven_web::routes::specs();
    assert!(specs.len() >= 20, "route table looks truncated");
    for spec in &specs {
        let path = concrete(spec.path, &app);
        // Unauthenticated: public routes answer, the rest refuse.
        let res = app.http.request(spec.method.clone(), app.url(&path)).send().await.unwrap();
        match spec.permission {
            None => {
                assert!(!matches!(res.status(), StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN), "{} {} public", spec.method, spec.path)
            }
            Some(_) if spec.path.starts_with("/api/") => {
                assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{} {} anonymous", spec.method, spec.path)
            }
            Some(_) => {
                assert_eq!(res.status(), StatusCode::SEE_OTHER, "{} {} anonymous", spec.method, spec.path);
                assert!(res.headers()["location"].to_str().unwrap().starts_with("/login"));
            }
        }
        let Some(perm) = spec.permission else { continue };
        for (user, role, ..) in USERS {
            let people = app.count("people").await;
            let referrals = app.count("referrals").await;
            let users = app.count("users").await;
            let mut req = app.as_user(user, spec.method.clone(), &path);
            if spec.method == Method::POST {
                if spec.path.starts_with("/api/") {
                    req = req.header("x-csrf-token", app.csrf(user)).json(&serde_json::json!({}));
                } else {
                    req = req.form(&[("csrf_token", app.csrf(user))]);
                }
            }
            let res = req.send().await.unwrap();
            let status = res.status();
            if spec.path == "/logout" {
                app.restore_session(user).await;
            }
            if role.allows(perm) {
                assert!(
                    !matches!(status, StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED),
                    "{user} should reach {} {} but got {status}",
                    spec.method,
                    spec.path
                );
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{user} must be refused {} {}", spec.method, spec.path);
                // A refused call changes nothing.
                assert_eq!(app.count("people").await, people);
                assert_eq!(app.count("referrals").await, referrals);
                assert_eq!(app.count("users").await, users);
            }
        }
    }
}

#[tokio::test]
async fn commissioner_never_sees_a_person() {
    let app = TestApp::spawn().await;
    let r = app.bearer("commissioner", Method::GET, "/api/v1/people?q=smith").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app.bearer("commissioner", Method::GET, &format!("/api/v1/people/{}", app.seed.john)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let page = app.as_user("commissioner", Method::GET, "/").send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("John"), "the commissioner's dashboard names no one");
}

#[tokio::test]
async fn record_scope_by_agency_team_and_restriction() {
    let app = TestApp::spawn().await;
    let get = |user: &'static str, id: i64| {
        let req = app.bearer(user, Method::GET, &format!("/api/v1/people/{id}"));
        async move { req.send().await.unwrap() }
    };
    // Police referred John: they see him, but not how to contact him.
    let r = get("police", app.seed.john).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(body.contains("Smith"));
    assert!(!body.contains("Weekdays 10:00-12:00"), "a partner agency never sees safe-contact details");
    // Children's services did not refer John: he is out of reach, answered as missing.
    assert_eq!(get("children", app.seed.john).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(get("children", 999_999).await.status(), StatusCode::NOT_FOUND);
    // The IDVA team holds John's case: everything, including safe contact.
    let body = get("idva", app.seed.john).await.text().await.unwrap();
    assert!(body.contains("Weekdays 10:00-12:00"));
    // Triage sees everyone except restricted records outside its team.
    assert_eq!(get("triage", app.seed.mary).await.status(), StatusCode::OK);
    assert_eq!(get("triage", app.seed.restricted).await.status(), StatusCode::NOT_FOUND);
    // The outreach team holds the restricted record.
    assert_eq!(get("outreach", app.seed.restricted).await.status(), StatusCode::OK);
    assert_eq!(get("outreach", app.seed.john).await.status(), StatusCode::NOT_FOUND);
    // MARAC coordinator: high-risk John yes (summary), medium-risk Mary no.
    let r = get("marac", app.seed.john).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(!r.text().await.unwrap().contains("Weekdays 10:00-12:00"));
    assert_eq!(get("marac", app.seed.mary).await.status(), StatusCode::NOT_FOUND);
    // Search obeys the same filter.
    let hits: serde_json::Value = app.bearer("children", Method::GET, "/api/v1/people?q=smith").send().await.unwrap().json().await.unwrap();
    assert!(hits.as_array().unwrap().iter().all(|h| h["id"] != app.seed.john), "search must not reveal John to children's services");
    let hits: serde_json::Value = app.bearer("triage", Method::GET, "/api/v1/people?q=private").send().await.unwrap().json().await.unwrap();
    assert!(hits.as_array().unwrap().is_empty(), "restricted records stay out of triage's search");
}

#[tokio::test]
async fn every_role_has_a_dashboard() {
    let app = TestApp::spawn().await;
    for (user, role, ..) in USERS {
        let r = app.as_user(user, Method::GET, "/").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{user}");
        let page = r.text().await.unwrap();
        assert!(page.contains(role.label()), "{user}'s dashboard names their role");
        assert_eq!(page.contains("href=\"/admin/users\""), role == Role::Admin, "{user}: only admins see user admin");
    }
}
