//! The HTML pages: login, forms, CSRF, security headers.
use crate::helpers::{PASSWORD, TestApp};
use reqwest::{Method, StatusCode};

async fn login_form(app: &TestApp) -> (String, String) {
    let r = app.http.get(app.url("/login")).send().await.unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    let value = cookie.split(';').next().unwrap().to_string();
    let body = r.text().await.unwrap();
    let token = body.split("name=\"csrf_token\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    (value, token)
}

#[tokio::test]
async fn login_sets_a_strict_secure_cookie_and_wrong_password_fails() {
    let app = TestApp::spawn().await;
    let (cookie, token) = login_form(&app).await;
    let r = app
        .http
        .post(app.url("/login"))
        .header("cookie", &cookie)
        .form(&[("username", "triage"), ("password", "wrong password"), ("csrf_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("The username or password is not right"));
    assert_eq!(app.audit_rows("login_failed", "user:triage").await, 1);

    let (cookie, token) = login_form(&app).await;
    let r = app
        .http
        .post(app.url("/login"))
        .header("cookie", &cookie)
        .form(&[("username", "triage"), ("password", PASSWORD), ("csrf_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let set: Vec<String> = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    let session = set.iter().find(|c| c.starts_with("haven_session=")).expect("session cookie");
    for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(session.contains(flag), "{flag} missing from {session}");
    }
    let sess = session.split(';').next().unwrap();
    let page = app.http.get(app.url("/")).header("cookie", sess).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Triage queue"));
}

#[tokio::test]
async fn login_without_its_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    let r = app
        .http
        .post(app.url("/login"))
        .form(&[("username", "triage"), ("password", PASSWORD), ("csrf_token", "forged")])
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), StatusCode::SEE_OTHER);
    assert!(r.headers().get_all("set-cookie").iter().all(|c| !c.to_str().unwrap().starts_with("haven_session=")));
}

#[tokio::test]
async fn disabled_users_cannot_sign_in() {
    let app = TestApp::spawn().await;
    let r = app
        .as_user("admin", Method::POST, "/admin/users/outreach/disable")
        .form(&[("csrf_token", app.csrf("admin"))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Their session and token stop working at once.
    assert_eq!(app.as_user("outreach", Method::GET, "/api/v1/me").send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.bearer("outreach", Method::GET, "/api/v1/me").send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let (cookie, token) = login_form(&app).await;
    let r = app
        .http
        .post(app.url("/login"))
        .header("cookie", &cookie)
        .form(&[("username", "outreach"), ("password", PASSWORD), ("csrf_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn referral_form_keeps_what_was_typed_and_saves_nothing_on_error() {
    let app = TestApp::spawn().await;
    let people = app.count("people").await;
    let referrals = app.count("referrals").await;
    let csrf = app.csrf("police").to_string();
    let mut form = vec![
        ("csrf_token", csrf.as_str()),
        ("person.given_name", "Bethan"),
        ("person.family_name", "Newperson"),
        ("person.date_of_birth", "31/02/1990"),
        ("person.sex", "female"),
        ("person.postcode", "WX9 9ZZ"),
        ("source_agency", "police"),
        ("reason", "Neighbour heard shouting; officers attended."),
    ];
    let r = app.as_user("police", Method::POST, "/referrals").form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("There is a problem"));
    assert!(page.contains("Date of birth must be a real date"), "names the field");
    assert!(page.contains("Consent is required") || page.contains("consents to the referral"), "missing consent named");
    assert!(page.contains("value=\"Bethan\"") && page.contains("Neighbour heard shouting"), "keeps what was typed");
    assert_eq!(app.count("people").await, people);
    assert_eq!(app.count("referrals").await, referrals);

    form[3] = ("person.date_of_birth", "28/02/1990");
    form.push(("consent", "yes"));
    form.push(("safe_to_call", "no"));
    let r = app.as_user("police", Method::POST, "/referrals").form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.starts_with("/people/"));
    assert_eq!(app.count("referrals").await, referrals + 1);
    let page = app.as_user("police", Method::GET, &loc).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Bethan") && page.contains("Safe-contact details are held"));
}

#[tokio::test]
async fn form_posts_need_the_csrf_token() {
    let app = TestApp::spawn().await;
    let users = app.count("users").await;
    let r = app
        .as_user("admin", Method::POST, "/admin/users")
        .form(&[
            ("username", "newuser"),
            ("display_name", "New"),
            ("role", "triage"),
            ("agency", "dav"),
            ("password", "a-long-enough-password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("users").await, users);
    let r = app.as_user("triage", Method::POST, "/logout").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn user_admin_form_errors_name_fields_and_save_nothing() {
    let app = TestApp::spawn().await;
    let users = app.count("users").await;
    let csrf = app.csrf("admin").to_string();
    let r = app
        .as_user("admin", Method::POST, "/admin/users")
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("username", "Bad Name"),
            ("display_name", ""),
            ("role", "wizard"),
            ("agency", "dav"),
            ("password", "short"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    for msg in ["Username must be", "Display name is required", "Role must be one of", "Password must be at least 12"] {
        assert!(page.contains(msg), "{msg}");
    }
    assert_eq!(app.count("users").await, users);
    let r = app
        .as_user("admin", Method::POST, "/admin/users")
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("username", "triage"),
            ("display_name", "Dup"),
            ("role", "triage"),
            ("agency", "dav"),
            ("password", "a-long-enough-password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("is already taken"));
    let r = app
        .as_user("admin", Method::POST, "/admin/users")
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("username", "newworker"),
            ("display_name", "New Worker"),
            ("role", "caseworker"),
            ("agency", "dav"),
            ("team", "idva_team"),
            ("password", "a-long-enough-password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("users").await, users + 1);
}

#[tokio::test]
async fn pages_carry_security_headers() {
    let app = TestApp::spawn().await;
    let r = app.as_user("triage", Method::GET, "/").send().await.unwrap();
    let h = r.headers();
    assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["cache-control"], "no-store");
}

#[tokio::test]
async fn search_page_and_person_page() {
    let app = TestApp::spawn().await;
    let page = app.as_user("triage", Method::GET, "/people?q=Jon+Smyth").send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("href=\"/people/{}\"", app.seed.john)));
    // htmx asks for the fragment only.
    let frag =
        app.as_user("triage", Method::GET, "/people?q=Jon+Smyth").header("hx-request", "true").send().await.unwrap().text().await.unwrap();
    assert!(frag.starts_with("<div id=\"results\""));
    let page = app.as_user("idva", Method::GET, &format!("/people/{}", app.seed.john)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Safe contact – read before any contact"));
    assert!(page.contains("Do not call unless confirmed safe"));
    assert!(page.contains("Gary Smith"), "linked perpetrator shown");
}
