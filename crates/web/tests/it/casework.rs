//! Casework: DASH, eligibility, triage, routing, MARAC, caseloads.
use crate::helpers::TestApp;
use haven_domain::person::{Ethnicity, Sex, SexualOrientation, YesNoUnknown};
use haven_domain::risk::RiskLevel;
use haven_store::{Ctx, bulk};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn factors(app: &TestApp) -> Vec<String> {
    let f: Value = app.bearer("triage", Method::GET, "/api/v1/dash/factors").send().await.unwrap().json().await.unwrap();
    f.as_array().unwrap().iter().map(|x| x["key"].as_str().unwrap().to_string()).collect()
}

/// `{answers}` with the first `n` factors yes and the rest no.
fn answers(keys: &[String], n: usize) -> Value {
    let m: serde_json::Map<String, Value> =
        keys.iter().enumerate().map(|(i, k)| (k.clone(), json!(if i < n { "yes" } else { "no" }))).collect();
    Value::Object(m)
}

async fn dash(app: &TestApp, user: &str, person: i64, body: Value) -> reqwest::Response {
    app.bearer(user, Method::POST, &format!("/api/v1/people/{person}/dash")).json(&body).send().await.unwrap()
}

async fn scalar(app: &TestApp, sql: &str, bind: i64) -> i64 {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", app.db_path.display())).await.unwrap();
    let v: i64 = sqlx::query_scalar(sql).bind(bind).fetch_one(&pool).await.unwrap();
    pool.close().await;
    v
}

async fn referral_of(app: &TestApp, person: i64) -> i64 {
    scalar(app, "SELECT MAX(id) FROM referrals WHERE person_id = ?", person).await
}

async fn agency_id(app: &TestApp, key: &str) -> i64 {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", app.db_path.display())).await.unwrap();
    let v: i64 = sqlx::query_scalar("SELECT id FROM agencies WHERE key = ?").bind(key).fetch_one(&pool).await.unwrap();
    pool.close().await;
    v
}

/// A person with police referrals on the given days ago, referred by police.
async fn person_with_police_incidents(app: &TestApp, days_ago: &[i64]) -> i64 {
    let mut b = app.store.bulk().await.unwrap();
    let p = b
        .person(&bulk::Person {
            given_name: "Polly".into(),
            family_name: "Incident".into(),
            date_of_birth: chrono::NaiveDate::from_ymd_opt(1988, 1, 1),
            sex: Sex::Female,
            postcode: Some("WX5 1AA".into()),
            ethnicity: Ethnicity::NotKnown,
            disability: YesNoUnknown::NotKnown,
            sexual_orientation: SexualOrientation::NotKnown,
        })
        .await
        .unwrap();
    for d in days_ago {
        b.referral(&bulk::Referral {
            person_id: p,
            perpetrator_id: None,
            relationship: None,
            child_ids: vec![],
            source_agency_kind: "police".into(),
            referring_agency_key: Some("police".into()),
            referral_date: chrono::Utc::now().date_naive() - chrono::Duration::days(*d),
            reason: "Police call-out".into(),
            consent: true,
            risk_level: Some(RiskLevel::Standard),
            dash_score: None,
            police_incident: true,
            district_key: None,
            assigned_team_key: None,
            status: "new".into(),
            safe_to_call: None,
            safe_to_text: None,
            safe_times: None,
        })
        .await
        .unwrap();
    }
    b.commit(&Ctx::system("test"), "police incidents").await.unwrap();
    p
}

/// A MARAC area whose members are the DA service and the police (not
/// children's services), with a meeting next week. Returns (area, meeting).
async fn marac_setup(app: &TestApp) -> (i64, i64) {
    let members = vec![agency_id(app, "dav").await, agency_id(app, "police").await];
    let r = app
        .bearer("marac", Method::POST, "/api/v1/marac/areas")
        .json(&json!({"name": "North Test MARAC", "members": members}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let area = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let date = (chrono::Utc::now().date_naive() + chrono::Duration::days(7)).to_string();
    let r = app
        .bearer("marac", Method::POST, "/api/v1/marac/meetings")
        .json(&json!({"area_id": area, "meeting_date": date}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    (area, r.json::<Value>().await.unwrap()["id"].as_i64().unwrap())
}

#[tokio::test]
async fn factors_list_has_24_keys_and_labels() {
    let app = TestApp::spawn().await;
    let f: Value = app.bearer("police", Method::GET, "/api/v1/dash/factors").send().await.unwrap().json().await.unwrap();
    let f = f.as_array().unwrap();
    assert_eq!(f.len(), 24);
    assert!(f.iter().all(|x| x["key"].is_string() && !x["label"].as_str().unwrap().is_empty()));
    assert_eq!(app.http.get(app.url("/api/v1/dash/factors")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn fourteen_yes_is_high_and_eligible_thirteen_is_medium() {
    let app = TestApp::spawn().await;
    let keys = factors(&app).await;
    let mary = app.seed.mary;
    let r = dash(&app, "triage", mary, json!({"answers": answers(&keys, 13)})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["score"].as_i64(), v["risk_level"].as_str(), v["marac_eligible"].as_bool()),
        (Some(13), Some("medium"), Some(false)),
        "{v}"
    );
    let r = dash(&app, "triage", mary, json!({"answers": answers(&keys, 14)})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    assert_eq!((v["score"].as_i64(), v["risk_level"].as_str(), v["marac_eligible"].as_bool()), (Some(14), Some("high"), Some(true)), "{v}");
    let reasons: Vec<&str> = v["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert!(reasons[0].starts_with("DASH score 14 of 24: high risk"), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("High risk (DASH score 14)")), "{reasons:?}");
    // The person's current risk follows, and the history keeps both.
    let rid = referral_of(&app, mary).await;
    assert_eq!(scalar(&app, "SELECT dash_score FROM referrals WHERE id = ?", rid).await, 14);
    let h: Value = app.bearer("triage", Method::GET, &format!("/api/v1/people/{mary}/dash")).send().await.unwrap().json().await.unwrap();
    assert_eq!(h["assessments"].as_array().unwrap().len(), 2);
    assert_eq!(h["current_risk"], "high");
    assert_eq!(h["marac_eligible"], true);
    assert_eq!(app.audit_rows("record_dash", &format!("person:{mary}")).await, 2);
    // The page shows the history and the eligibility.
    let page = app.as_user("triage", Method::GET, &format!("/people/{mary}/dash")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("MARAC-eligible") && page.contains("High risk (DASH score 14)"));
}

#[tokio::test]
async fn judgement_without_reason_is_refused_and_nothing_saved() {
    let app = TestApp::spawn().await;
    let keys = factors(&app).await;
    let before = app.count("dash_assessments").await;
    let r = dash(&app, "triage", app.seed.mary, json!({"answers": answers(&keys, 5), "professional_judgement": {"level": "high"}})).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = r.json().await.unwrap();
    assert!(v["errors"].as_array().unwrap().iter().any(|e| e["field"] == "professional_judgement.reason"), "{v}");
    // No answers at all is refused too, naming the field.
    let r = dash(&app, "triage", app.seed.mary, json!({"answers": {}})).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["field"], "answers");
    // The form: refused, error named, answers kept, nothing saved.
    let mut form: Vec<(String, String)> = vec![("csrf_token".into(), app.csrf("triage").into())];
    form.extend(keys.iter().take(3).map(|k| (format!("answers.{k}"), "yes".to_string())));
    form.push(("notes.current_injury".into(), "bruised arm".into()));
    form.push(("professional_judgement.level".into(), "high".into()));
    form.push(("professional_judgement.reason".into(), "  ".into()));
    let r = app.as_user("triage", Method::POST, &format!("/people/{}/dash", app.seed.mary)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("There is a problem") && page.contains("Reason is required"), "names the field");
    assert!(page.contains("value=\"bruised arm\""), "keeps the notes typed");
    assert!(page.matches("checked").count() >= 3, "keeps the answers");
    assert_eq!(app.count("dash_assessments").await, before);
}

#[tokio::test]
async fn judgement_raises_the_level_with_its_reason() {
    let app = TestApp::spawn().await;
    let keys = factors(&app).await;
    let r = dash(
        &app,
        "idva",
        app.seed.john,
        json!({"answers": answers(&keys, 5), "professional_judgement": {"level": "high", "reason": "Recent strangulation"}}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["risk_level"].as_str(), v["marac_eligible"].as_bool(), v["raised_by_judgement"].as_bool()),
        (Some("high"), Some(true), Some(true))
    );
    assert!(v["reasons"].to_string().contains("Raised to high risk by professional judgement: Recent strangulation"));
    assert!(v["reasons"].to_string().contains("High risk by professional judgement (DASH score 5)"));
    // Judgement may not lower the level.
    let r = dash(
        &app,
        "idva",
        app.seed.john,
        json!({"answers": answers(&keys, 15), "professional_judgement": {"level": "medium", "reason": "calmer"}}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["field"], "professional_judgement.level");
}

#[tokio::test]
async fn three_police_incidents_in_twelve_months_make_a_person_eligible() {
    let app = TestApp::spawn().await;
    let keys = factors(&app).await;
    let three = person_with_police_incidents(&app, &[10, 100, 300]).await;
    let v: Value = dash(&app, "triage", three, json!({"answers": answers(&keys, 2)})).await.json().await.unwrap();
    assert_eq!((v["risk_level"].as_str(), v["marac_eligible"].as_bool()), (Some("standard"), Some(true)), "{v}");
    assert!(v["eligibility"][0].as_str().unwrap().starts_with("3 police incidents in the 12 months to"), "{v}");
    // Two in the window (the third is older than 12 months) is not enough.
    let two = person_with_police_incidents(&app, &[10, 100, 400]).await;
    let v: Value = dash(&app, "triage", two, json!({"answers": answers(&keys, 2)})).await.json().await.unwrap();
    assert_eq!(v["marac_eligible"], false, "{v}");
}

#[tokio::test]
async fn a_marac_meeting_produces_an_agenda() {
    let app = TestApp::spawn().await;
    let (area, meeting) = marac_setup(&app).await;
    let john = app.seed.john;
    // Any agency that can read the person may refer: here the police.
    let r =
        app.bearer("police", Method::POST, &format!("/api/v1/people/{john}/marac")).json(&json!({"area_id": area})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let case = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // Referring again while waiting is refused, naming the field.
    let r =
        app.bearer("police", Method::POST, &format!("/api/v1/people/{john}/marac")).json(&json!({"area_id": area})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["field"], "person_id");
    // A medium-risk person who is not eligible is refused.
    let r = app
        .bearer("children", Method::POST, &format!("/api/v1/people/{}/marac", app.seed.mary))
        .json(&json!({"area_id": area}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let a: Value =
        app.bearer("marac", Method::GET, &format!("/api/v1/marac/meetings/{meeting}/agenda")).send().await.unwrap().json().await.unwrap();
    let items = a["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{a}");
    assert_eq!(items[0]["case_id"], case);
    assert_eq!(items[0]["person_name"], "John Smith");
    assert_eq!(items[0]["risk_level"], "high");
    assert_eq!(items[0]["referring_agency"], "Test Police");
    assert_eq!(items[0]["repeat"], false);
    assert!(items[0]["children"].is_number());
    let page = app.as_user("marac", Method::GET, &format!("/marac/meetings/{meeting}")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("MARAC agenda") && page.contains("John Smith") && page.contains("Test Police"));
    // A meeting scheduled later picks up cases referred while none was scheduled.
    let r = app
        .bearer("marac", Method::POST, "/api/v1/marac/meetings")
        .json(&json!({"area_id": area, "meeting_date": "not a date"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["field"], "meeting_date");
}

#[tokio::test]
async fn research_is_hidden_from_non_members() {
    let app = TestApp::spawn().await;
    let (area, meeting) = marac_setup(&app).await;
    let case = app
        .bearer("police", Method::POST, &format!("/api/v1/people/{}/marac", app.seed.john))
        .json(&json!({"area_id": area}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let secret = "Two previous call-outs; suspect on bail with conditions";
    let r = app
        .bearer("police", Method::POST, &format!("/api/v1/marac/cases/{case}/research"))
        .json(&json!({"content": secret}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // Members (the IDVA's agency, the coordinator) see it.
    for user in ["idva", "marac"] {
        let body = app.bearer(user, Method::GET, &format!("/api/v1/marac/cases/{case}")).send().await.unwrap().text().await.unwrap();
        assert!(body.contains(secret), "{user} is a member");
    }
    // Children's services is not a member of this MARAC: the case is out of reach, as if missing.
    let r = app.bearer("children", Method::GET, &format!("/api/v1/marac/cases/{case}")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(!r.text().await.unwrap().contains(secret));
    let r = app.as_user("children", Method::GET, &format!("/marac/cases/{case}")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.bearer("children", Method::GET, &format!("/api/v1/marac/meetings/{meeting}/agenda")).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let r = app
        .bearer("children", Method::POST, &format!("/api/v1/marac/cases/{case}/research"))
        .json(&json!({"content": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Roles outside MARAC are refused outright.
    for user in ["commissioner", "triage", "refuge", "admin"] {
        assert_eq!(
            app.bearer(user, Method::GET, &format!("/api/v1/marac/cases/{case}")).send().await.unwrap().status(),
            StatusCode::FORBIDDEN,
            "{user}"
        );
    }
    // Once children's services joins, it sees it.
    let members = [agency_id(&app, "dav").await, agency_id(&app, "police").await, agency_id(&app, "childrens").await];
    let csrf = app.csrf("marac").to_string();
    let mut form: Vec<(&str, String)> = vec![("csrf_token", csrf)];
    form.extend(members.iter().map(|m| ("members", m.to_string())));
    let r = app.as_user("marac", Method::POST, &format!("/marac/areas/{area}/members")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let body = app.bearer("children", Method::GET, &format!("/api/v1/marac/cases/{case}")).send().await.unwrap().text().await.unwrap();
    assert!(body.contains(secret));
}

#[tokio::test]
async fn an_actions_owner_agency_sees_it_on_their_dashboard() {
    let app = TestApp::spawn().await;
    let (area, _) = marac_setup(&app).await;
    let case = app
        .bearer("idva", Method::POST, &format!("/api/v1/people/{}/marac", app.seed.john))
        .json(&json!({"area_id": area}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let police = agency_id(&app, "police").await;
    let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(14)).to_string();
    // Missing fields are named; nothing saved.
    let r = app
        .bearer("marac", Method::POST, &format!("/api/v1/marac/cases/{case}/actions"))
        .json(&json!({"description": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> =
        r.json::<Value>().await.unwrap()["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect();
    assert_eq!(fields, ["description", "owner_agency_id", "due_date"]);
    assert_eq!(app.count("marac_actions").await, 0);
    // An owner that is not a member is refused.
    let childrens = agency_id(&app, "childrens").await;
    let r = app
        .bearer("marac", Method::POST, &format!("/api/v1/marac/cases/{case}/actions"))
        .json(&json!({"description": "x", "owner_agency_id": childrens, "due_date": due}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let what = "Flag the address for an urgent response";
    let r = app
        .bearer("marac", Method::POST, &format!("/api/v1/marac/cases/{case}/actions"))
        .json(&json!({"description": what, "owner_agency_id": police, "due_date": due}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let action = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let dashboard = app.as_user("police", Method::GET, "/").send().await.unwrap().text().await.unwrap();
    assert!(dashboard.contains("Your agency's MARAC actions") && dashboard.contains(what), "the owner sees it");
    let mine: Value = app.bearer("police", Method::GET, "/api/v1/marac/my-actions").send().await.unwrap().json().await.unwrap();
    assert_eq!(mine.as_array().unwrap().len(), 1);
    for user in ["children", "commissioner", "triage"] {
        let d = app.as_user(user, Method::GET, "/").send().await.unwrap().text().await.unwrap();
        assert!(!d.contains(what), "{user} must not see another agency's action");
    }
    // Only the owner (or the coordinator) may update it.
    let r =
        app.bearer("idva", Method::POST, &format!("/api/v1/marac/actions/{action}")).json(&json!({"status": "done"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = app
        .as_user("police", Method::POST, &format!("/marac/actions/{action}"))
        .form(&[("csrf_token", app.csrf("police")), ("case_id", &case.to_string()), ("status", "done"), ("note", "Flag added")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let dashboard = app.as_user("police", Method::GET, "/").send().await.unwrap().text().await.unwrap();
    assert!(!dashboard.contains(what), "done actions leave the dashboard");
    let c: Value = app.bearer("marac", Method::GET, &format!("/api/v1/marac/cases/{case}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(c["actions"][0]["status"], "done");
    assert_eq!(c["actions"][0]["updates"][0]["note"], "Flag added");
    // The outcome closes the case.
    let r = app
        .bearer("marac", Method::POST, &format!("/api/v1/marac/cases/{case}/outcome"))
        .json(&json!({"outcome": "action_plan_agreed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn forbidden_roles_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let keys = factors(&app).await;
    let before = app.count("dash_assessments").await;
    for user in ["commissioner", "police", "admin", "refuge"] {
        assert_eq!(dash(&app, user, app.seed.john, json!({"answers": answers(&keys, 14)})).await.status(), StatusCode::FORBIDDEN, "{user}");
    }
    assert_eq!(app.count("dash_assessments").await, before);
    let rid = referral_of(&app, app.seed.mary).await;
    for (user, path) in [
        ("idva", "/triage".to_string()),
        ("police", "/triage".to_string()),
        ("idva", format!("/referrals/{rid}/route")),
        ("marac", format!("/referrals/{rid}/contact")),
        ("triage", "/marac".to_string()),
        ("police", "/caseloads".to_string()),
        ("police", "/marac/statistics".to_string()),
    ] {
        assert_eq!(app.as_user(user, Method::GET, &path).send().await.unwrap().status(), StatusCode::FORBIDDEN, "{user} {path}");
    }
    // A caseworker outside the person's team cannot assess them: answered as missing.
    assert_eq!(dash(&app, "outreach", app.seed.john, json!({"answers": answers(&keys, 1)})).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count("dash_assessments").await, before);
}

#[tokio::test]
async fn triage_queue_contact_and_routing() {
    let app = TestApp::spawn().await;
    let mary = app.seed.mary;
    let rid = referral_of(&app, mary).await;
    let q: Value = app.bearer("triage", Method::GET, "/api/v1/triage").send().await.unwrap().json().await.unwrap();
    let line = q.as_array().unwrap().iter().find(|l| l["referral"]["referral_id"] == rid).expect("Mary's referral is queued");
    assert_eq!(line["risk"], "medium");
    assert!(line["due_at"].is_string() && line["waiting"].is_string());
    assert_eq!(line["overdue"].as_bool(), Some(line["status"] == "overdue"));
    let page = app.as_user("triage", Method::GET, "/triage").send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Triage queue") && page.contains("Mary Jones"));
    // Safe contact comes before the form.
    let page = app.as_user("triage", Method::GET, &format!("/referrals/{rid}/contact")).send().await.unwrap().text().await.unwrap();
    let banner = page.find("Safe contact – read before any contact").unwrap();
    assert!(banner < page.find("Log a contact attempt").unwrap());
    // A bad attempt names the field; a good one is logged with its warning.
    let r = app
        .as_user("triage", Method::POST, &format!("/referrals/{rid}/contact"))
        .form(&[("csrf_token", app.csrf("triage")), ("method", "phone"), ("outcome", "text_sent")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Outcome cannot follow a phone call"));
    assert_eq!(app.count("contact_attempts").await, 0);
    let r = app
        .as_user("triage", Method::POST, &format!("/referrals/{rid}/contact"))
        .form(&[("csrf_token", app.csrf("triage")), ("method", "phone"), ("outcome", "spoke"), ("attempted_at", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let c: Value =
        app.bearer("triage", Method::GET, &format!("/api/v1/referrals/{rid}/contacts")).send().await.unwrap().json().await.unwrap();
    assert_eq!(c["attempts"][0]["first_contact"], true);
    assert!(c["attempts"][0]["warnings"][0].as_str().unwrap().contains("not confirmed safe"), "safe_to_call is no: {c}");
    // Routing: medium → outreach, with capacity shown.
    let v: Value = app
        .bearer("triage", Method::GET, &format!("/api/v1/referrals/{rid}/routing?needs=must_leave_home"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let pathways: Vec<&str> = v["pathways"].as_array().unwrap().iter().map(|p| p["pathway"].as_str().unwrap()).collect();
    assert_eq!(pathways, ["outreach", "refuge"]);
    let outreach = v["capacity"].as_array().unwrap().iter().find(|c| c["kind"] == "outreach").unwrap();
    assert_eq!(outreach["suggested"], true);
    let page = app.as_user("triage", Method::GET, &format!("/referrals/{rid}/route")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Capacity now") && page.contains("outreach_team"));
    let r = app.bearer("triage", Method::POST, &format!("/api/v1/referrals/{rid}/routing")).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["field"], "team_id");
    let team = outreach["team_id"].as_i64().unwrap();
    let r = app
        .bearer("triage", Method::POST, &format!("/api/v1/referrals/{rid}/routing"))
        .json(&json!({"team_id": team}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(scalar(&app, "SELECT assigned_team_id FROM referrals WHERE id = ?", rid).await, team);
    let q: Value = app.bearer("triage", Method::GET, "/api/v1/triage").send().await.unwrap().json().await.unwrap();
    assert!(q.as_array().unwrap().iter().all(|l| l["referral"]["referral_id"] != rid), "routed referrals leave the queue");
    // The outreach team now holds Mary: the caseload monitor counts her.
    let cl: Value = app.bearer("outreach", Method::GET, "/api/v1/caseloads").send().await.unwrap().json().await.unwrap();
    assert_eq!(cl.as_array().unwrap().len(), 1, "a caseworker sees their own team");
    assert!(cl[0]["team"]["open_cases"].as_u64().unwrap() >= 1);
}

#[tokio::test]
async fn marac_statistics_suppress_small_numbers() {
    let app = TestApp::spawn().await;
    let (area, _) = marac_setup(&app).await;
    let case = app
        .bearer("idva", Method::POST, &format!("/api/v1/people/{}/marac", app.seed.john))
        .json(&json!({"area_id": area}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    app.bearer("marac", Method::POST, &format!("/api/v1/marac/cases/{case}/outcome"))
        .json(&json!({"outcome": "no_further_action"}))
        .send()
        .await
        .unwrap();
    let s: Value = app.bearer("commissioner", Method::GET, "/api/v1/marac/statistics").send().await.unwrap().json().await.unwrap();
    assert_eq!(s["counts"]["cases"], "<5", "{s}");
    assert!(s["statistics"].as_array().unwrap().iter().all(|l| l["value"].is_null()), "no rate from one case");
    let page = app.as_user("commissioner", Method::GET, "/marac/statistics").send().await.unwrap().text().await.unwrap();
    assert!(page.contains("MARAC statistics") && page.contains("&lt;5") && !page.contains("John"));
    let r = app.bearer("commissioner", Method::GET, "/api/v1/marac/statistics?from=2026-13-01").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
