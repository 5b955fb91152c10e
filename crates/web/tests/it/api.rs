//! The JSON API contract.
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn good_referral() -> Value {
    json!({
        "person": {"given_name": "Ann", "family_name": "Example", "date_of_birth": "1991-04-05", "sex": "female", "postcode": "wx4 5gh"},
        "source_agency": "police", "reason": "Officers attended a domestic incident.", "consent": true
    })
}

#[tokio::test]
async fn healthz_and_openapi() {
    let app = TestApp::spawn().await;
    let h: Value = app.http.get(app.url("/healthz")).send().await.unwrap().json().await.unwrap();
    assert_eq!(h["status"], "ok");
    assert!(h["schema_version"].as_i64().unwrap() >= 1);
    let doc: Value = app.http.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    // Every JSON route in the table is documented.
    for spec in haven_web::routes::specs() {
        if spec.path.starts_with("/api/v1") || spec.path == "/healthz" {
            let op = &doc["paths"][spec.path][spec.method.as_str().to_lowercase()];
            assert!(op.is_object(), "{} {} is not in the OpenAPI document", spec.method, spec.path);
        }
    }
}

#[tokio::test]
async fn search_tolerates_typos_and_needs_credentials() {
    let app = TestApp::spawn().await;
    assert_eq!(app.http.get(app.url("/api/v1/people?q=smith")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let hits: Value = app.bearer("triage", Method::GET, "/api/v1/people?q=Jon%20Smyth").send().await.unwrap().json().await.unwrap();
    let hits = hits.as_array().unwrap();
    assert_eq!(hits[0]["id"], app.seed.john, "Jon Smyth finds John Smith first: {hits:?}");
    let hits: Value = app.bearer("triage", Method::GET, "/api/v1/people?q=02/03/1985").send().await.unwrap().json().await.unwrap();
    assert_eq!(hits[0]["id"], app.seed.john);
    let hits: Value = app.bearer("triage", Method::GET, "/api/v1/people?q=WX2%203CD").send().await.unwrap().json().await.unwrap();
    assert_eq!(hits[0]["id"], app.seed.mary);
}

#[tokio::test]
async fn every_person_read_is_audited() {
    let app = TestApp::spawn().await;
    let record = format!("person:{}", app.seed.john);
    let before = app.audit_rows("read_person", &record).await;
    let r = app.bearer("idva", Method::GET, &format!("/api/v1/people/{}", app.seed.john)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = app.as_user("idva", Method::GET, &format!("/people/{}", app.seed.john)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(app.audit_rows("read_person", &record).await, before + 2);
    // A refused read is audited too.
    app.bearer("children", Method::GET, &format!("/api/v1/people/{}", app.seed.john)).send().await.unwrap();
    assert_eq!(app.audit_rows("read_person_denied", &record).await, 1);
    // The admin sees it in the audit API, newest first, with who/what/when.
    let rows: Value = app.bearer("admin", Method::GET, "/api/v1/audit?limit=5").send().await.unwrap().json().await.unwrap();
    let rows = rows.as_array().unwrap();
    assert!(rows.len() <= 5 && !rows.is_empty());
    let read = rows.iter().find(|r| r["action"] == "read_person_denied").expect("denied read in newest rows");
    assert_eq!(read["user"], "children");
    assert_eq!(read["record"], record.as_str());
    assert!(read["at"].as_str().unwrap().starts_with("20"));
    // The chain is intact.
    let v: Value = app.bearer("admin", Method::GET, "/api/v1/audit/verify").send().await.unwrap().json().await.unwrap();
    assert!(v["first_broken"].is_null());
}

#[tokio::test]
async fn create_referral_and_reject_bad_input() {
    let app = TestApp::spawn().await;
    let r = app.bearer("police", Method::POST, "/api/v1/referrals").json(&good_referral()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    let pid = created["person_id"].as_i64().unwrap();
    assert!(created["id"].as_i64().unwrap() > 0);
    let p: Value = app.bearer("police", Method::GET, &format!("/api/v1/people/{pid}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(p["postcode"], "WX4 5GH");
    assert_eq!(p["referrals"][0]["source_agency"], "police");

    let people = app.count("people").await;
    let referrals = app.count("referrals").await;
    let mut bad = good_referral();
    bad["person"]["date_of_birth"] = json!("2999-01-01");
    bad["person"]["postcode"] = json!("not a postcode");
    bad["consent"] = Value::Null;
    let r = app.bearer("police", Method::POST, "/api/v1/referrals").json(&bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    let fields: Vec<&str> = e["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["person.date_of_birth", "person.postcode", "consent"]);
    assert!(e["errors"][0]["message"].as_str().unwrap().contains("future"));
    // Malformed JSON is a field error too.
    let r = app
        .bearer("police", Method::POST, "/api/v1/referrals")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("people").await, people, "nothing saved");
    assert_eq!(app.count("referrals").await, referrals, "nothing saved");
}

#[tokio::test]
async fn session_writes_need_the_csrf_token() {
    let app = TestApp::spawn().await;
    let referrals = app.count("referrals").await;
    let r = app.as_user("police", Method::POST, "/api/v1/referrals").json(&good_referral()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .as_user("police", Method::POST, "/api/v1/referrals")
        .header("x-csrf-token", "wrong")
        .json(&good_referral())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("referrals").await, referrals);
    let r = app
        .as_user("police", Method::POST, "/api/v1/referrals")
        .header("x-csrf-token", app.csrf("police"))
        .json(&good_referral())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn idle_sessions_expire() {
    let app = TestApp::spawn_with(haven_web::WebConfig { idle_timeout_secs: 1, ..Default::default() }).await;
    assert_eq!(app.as_user("triage", Method::GET, "/api/v1/me").send().await.unwrap().status(), StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(app.as_user("triage", Method::GET, "/api/v1/me").send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let r = app.as_user("triage", Method::GET, "/").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login?expired=1");
}
