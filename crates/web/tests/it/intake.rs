//! Intake (issue 3): the agency form with household and perpetrator, duplicate
//! suggestions, the public self-referral with its guards, police imports.
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", app.db_path.display())).await.unwrap();
    let n: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
    pool.close().await;
    n
}

async fn text(app: &TestApp, sql: &str) -> String {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", app.db_path.display())).await.unwrap();
    let s: String = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
    pool.close().await;
    s
}

fn agency_form(csrf: &str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf_token", csrf.to_string()),
        ("submission_key", "test-key-1".into()),
        ("person.given_name", "Nadia".into()),
        ("person.family_name", "Example".into()),
        ("person.date_of_birth", "12/06/1992".into()),
        ("person.sex", "female".into()),
        ("person.postcode", "WY3 4GH".into()),
        ("interpreter_needed", "yes".into()),
        ("interpreter_language", "Polish".into()),
        ("access_needs", "step_free".into()),
        ("household.0.role", "child".into()),
        ("household.0.given_name", "Ola".into()),
        ("household.0.family_name", "Example".into()),
        ("household.0.date_of_birth", "2017-09-01".into()),
        ("household.0.relationship", "daughter".into()),
        ("household.0.school", "Wessex Primary".into()),
        ("household.1.role", "child".into()),
        ("perpetrator.given_name", "Marek".into()),
        ("perpetrator.family_name", "Example".into()),
        ("perpetrator.relationship", "intimate_partner".into()),
        ("source_agency", "gp".into()),
        ("reason", "Disclosed at an appointment.".into()),
        ("presenting_needs", "accommodation".into()),
        ("presenting_needs", "children_family".into()),
        ("consent", "yes".into()),
        ("safe_to_call", "no".into()),
        ("safe_to_text", "yes".into()),
        ("phone", "07700 900456".into()),
        ("action", "send".into()),
    ]
}

fn set(form: &mut Vec<(&'static str, String)>, k: &'static str, v: &str) {
    form.retain(|(x, _)| *x != k);
    form.push((k, v.to_string()));
}

#[tokio::test]
async fn agency_referral_fails_then_succeeds_in_one_transaction() {
    let app = TestApp::spawn().await;
    let (people, referrals) = (app.count("people").await, app.count("referrals").await);
    let mut bad = agency_form(app.csrf("triage"));
    set(&mut bad, "person.date_of_birth", "31/02/1992");
    set(&mut bad, "household.0.date_of_birth", "2001-01-01");
    set(&mut bad, "perpetrator.postcode", "nowhere");
    let r = app.as_user("triage", Method::POST, "/intake/referral").form(&bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    for msg in [
        "Person: date of birth must be a real date",
        "Household member 1: date of birth is 18 or more",
        "Alleged perpetrator: postcode must be a UK postcode",
    ] {
        assert!(page.contains(msg), "missing '{msg}'");
    }
    // Everything typed is still there.
    for kept in [
        "value=\"Nadia\"",
        "value=\"31/02/1992\"",
        "value=\"Wessex Primary\"",
        "value=\"Polish\"",
        "Disclosed at an appointment.",
        "value=\"nowhere\"",
    ] {
        assert!(page.contains(kept), "lost {kept}");
    }
    assert!(page.contains("name=\"presenting_needs\" value=\"accommodation\" checked"), "ticked boxes stay ticked");
    assert_eq!((app.count("people").await, app.count("referrals").await), (people, referrals), "nothing saved");

    let r = app.as_user("triage", Method::POST, "/intake/referral").form(&agency_form(app.csrf("triage"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.starts_with("/intake/referrals/"), "{loc}");
    assert_eq!(app.count("people").await, people + 3, "person, child, perpetrator");
    assert_eq!(app.count("referrals").await, referrals + 1);
    let rid = scalar(&app, "SELECT MAX(id) FROM referrals").await;
    assert_eq!(scalar(&app, &format!("SELECT COUNT(*) FROM referral_needs WHERE referral_id = {rid}")).await, 2);
    assert_eq!(text(&app, &format!("SELECT school FROM referral_household WHERE referral_id = {rid}")).await, "Wessex Primary");
    assert_eq!(text(&app, &format!("SELECT interpreter_language FROM referral_intake WHERE referral_id = {rid}")).await, "Polish");
    assert_eq!(
        scalar(&app, &format!("SELECT COUNT(*) FROM referral_people WHERE referral_id = {rid} AND role = 'alleged_perpetrator'")).await,
        1
    );
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM relationships WHERE kind = 'parent_of'").await, 1);
    assert_eq!(app.audit_rows("create_referral", &format!("referral:{rid}")).await, 1);

    // The same form again (a double click) makes nothing new.
    let r = app.as_user("triage", Method::POST, "/intake/referral").form(&agency_form(app.csrf("triage"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("referrals").await, referrals + 1);

    // What was recorded, audited as a read.
    let page = app.as_user("triage", Method::GET, &loc).send().await.unwrap().text().await.unwrap();
    for s in ["Nadia Example", "Ola Example", "Wessex Primary", "Marek Example", "Needed: Polish", "Somewhere safe to live"] {
        assert!(page.contains(s), "detail page lacks {s}");
    }
    assert_eq!(app.audit_rows("read_intake", &format!("referral:{rid}")).await, 1);
    // Children's services did not refer Nadia: out of reach, as if missing.
    let r = app.as_user("children", Method::GET, &loc).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_repeat_referral_is_offered_the_existing_record() {
    let app = TestApp::spawn().await;
    let mut f = agency_form(app.csrf("triage"));
    for (k, v) in [
        ("person.given_name", "Jon"),
        ("person.family_name", "Smyth"),
        ("person.date_of_birth", "02/03/1985"),
        ("person.sex", "male"),
        ("person.postcode", "WX1 2AB"),
        ("submission_key", "k-repeat"),
    ] {
        set(&mut f, k, v);
    }
    let people = app.count("people").await;
    let r = app.as_user("triage", Method::POST, "/intake/referral").form(&f).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("This person may already be known"));
    assert!(page.contains(&format!("name=\"match_decision\" value=\"{}\"", app.seed.john)), "John Smith is offered");
    assert!(page.contains("value=\"Jon\""), "what was typed is kept");
    assert_eq!(app.count("people").await, people, "nothing saved while choosing");
    assert!(scalar(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'suggest_people' AND username = 'triage'").await >= 1);

    set(&mut f, "match_decision", &app.seed.john.to_string());
    let r = app.as_user("triage", Method::POST, "/intake/referral").form(&f).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let rid = scalar(&app, "SELECT MAX(id) FROM referrals").await;
    assert_eq!(scalar(&app, &format!("SELECT person_id FROM referrals WHERE id = {rid}")).await, app.seed.john, "joined John's record");
    assert_eq!(app.count("people").await, people + 2, "only the child and the perpetrator are new");

    // A partner agency that cannot see John is not told he exists.
    let r = app
        .bearer("children", Method::GET, "/api/v1/intake/matches?given_name=John&family_name=Smith&date_of_birth=1985-03-02")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap(), json!([]));
    let hits: Value = app
        .bearer("triage", Method::GET, "/api/v1/intake/matches?given_name=John&family_name=Smith&date_of_birth=1985-03-02")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(hits[0]["id"], app.seed.john);
    let r = app.bearer("triage", Method::GET, "/api/v1/intake/matches?family_name=Smith&date_of_birth=31/02/1985").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn intake_api_conflict_confirm_replay_and_errors() {
    let app = TestApp::spawn().await;
    let body = json!({
        "person": {"given_name": "Mary", "family_name": "Jones", "date_of_birth": "1990-07-15", "sex": "female", "postcode": "WX2 3CD"},
        "source_agency": "housing", "reason": "Disclosed to housing officer.", "consent": true,
        "household": [{"given_name": "Tom", "family_name": "Jones", "date_of_birth": "2019-01-01", "school": "Wessex Infants"}],
        "perpetrator": {"given_name": "Rob", "family_name": "Jones", "relationship": "ex_partner"},
        "presenting_needs": ["safety"], "interpreter_language": "Urdu", "submission_key": "api-1"
    });
    let r = app.bearer("triage", Method::POST, "/api/v1/intake/referrals").json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let m: Value = r.json().await.unwrap();
    assert_eq!(m["matches"][0]["id"], app.seed.mary);

    let mut join = body.clone();
    join["person_id"] = json!(app.seed.mary);
    let r = app.bearer("triage", Method::POST, "/api/v1/intake/referrals").json(&join).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let c: Value = r.json().await.unwrap();
    assert_eq!(c["person_id"], app.seed.mary);
    assert_eq!(c["household_ids"].as_array().unwrap().len(), 1);
    let again: Value =
        app.bearer("triage", Method::POST, "/api/v1/intake/referrals").json(&join).send().await.unwrap().json().await.unwrap();
    assert_eq!(again["referral_id"], c["referral_id"]);
    assert_eq!(again["replayed"], true);

    // A second referral for Mary naming Tom again reuses Tom's record.
    let mut second = join.clone();
    second["submission_key"] = json!("api-2");
    let c2: Value =
        app.bearer("triage", Method::POST, "/api/v1/intake/referrals").json(&second).send().await.unwrap().json().await.unwrap();
    assert_eq!(c2["household_ids"], c["household_ids"]);
    assert_eq!(c2["perpetrator_id"], c["perpetrator_id"]);

    let v: Value = app
        .bearer("triage", Method::GET, &format!("/api/v1/intake/referrals/{}", c["referral_id"]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["household"][0]["school"], "Wessex Infants");
    assert_eq!(v["interpreter_language"], "Urdu");
    assert_eq!(v["presenting_needs"], json!(["safety"]));

    let mut bad = body.clone();
    bad["household"][0]["date_of_birth"] = json!("2030-01-01");
    bad["access_needs"] = json!(["other"]);
    let r = app.bearer("triage", Method::POST, "/api/v1/intake/referrals").json(&bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    let fields: Vec<&str> = e["errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["household.0.date_of_birth", "access_notes"]);
}

/// Value of a named hidden field in a page.
fn field(page: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let start = page.find(&key).map(|i| i + key.len()).expect(name);
    page[start..].split('"').next().unwrap().to_string()
}

struct PublicForm {
    cookie: String,
    csrf: String,
    token: String,
}

async fn public_form(app: &TestApp, query: &str) -> PublicForm {
    let r = app.http.get(app.url(&format!("/get-help/refer{query}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let page = r.text().await.unwrap();
    assert!(page.contains("data-quick-exit"), "quick exit on the public form");
    assert!(page.contains("id=\"clear-history\""), "history note");
    PublicForm { csrf: field(&page, "csrf_token"), token: field(&page, "form_token"), cookie }
}

fn self_referral(f: &PublicForm) -> Vec<(&'static str, String)> {
    vec![
        ("csrf_token", f.csrf.clone()),
        ("form_token", f.token.clone()),
        ("route", "self".into()),
        ("website_address", String::new()),
        ("given_name", "Zelda".into()),
        ("what_happened", "My partner checks my phone and threatens me.".into()),
        ("presenting_needs", "safety".into()),
        ("phone", "07700 900789".into()),
        ("safe_to_call", "no".into()),
        ("safe_to_text", "yes".into()),
        ("safe_times", "Mornings".into()),
    ]
}

#[tokio::test]
async fn self_referral_lands_in_the_queue_and_echoes_nothing() {
    let app = TestApp::spawn().await;
    let referrals = app.count("referrals").await;
    let f = public_form(&app, "").await;
    // Too fast for a person: asked to confirm, nothing saved, everything kept.
    let r = app.http.post(app.url("/get-help/refer")).header("cookie", &f.cookie).form(&self_referral(&f)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("My partner checks my phone"));
    assert_eq!(app.count("referrals").await, referrals);

    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    // No CSRF cookie: refused, nothing saved.
    let r = app.http.post(app.url("/get-help/refer")).form(&self_referral(&f)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The honeypot: looks sent, saves nothing.
    let mut spam = self_referral(&f);
    set(&mut spam, "website_address", "http://spam.example");
    let r = app.http.post(app.url("/get-help/refer")).header("cookie", &f.cookie).form(&spam).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("referrals").await, referrals);

    let r = app.http.post(app.url("/get-help/refer")).header("cookie", &f.cookie).form(&self_referral(&f)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/get-help/sent");
    assert_eq!(app.count("referrals").await, referrals + 1);
    let rid = scalar(&app, "SELECT MAX(id) FROM referrals").await;
    assert_eq!(
        text(
            &app,
            &format!(
                "SELECT source_agency_kind || '/' || status || '/' || COALESCE(assigned_team_id, 'none') FROM referrals WHERE id = {rid}"
            )
        )
        .await,
        "self/new/none"
    );
    assert_eq!(
        text(&app, &format!("SELECT username || ' ' || source FROM audit_log WHERE action = 'create_referral' AND record_id = '{rid}'"))
            .await,
        "system:public public-web"
    );
    // A resend of the same form (Back, then Send) adds nothing.
    app.http.post(app.url("/get-help/refer")).header("cookie", &f.cookie).form(&self_referral(&f)).send().await.unwrap();
    assert_eq!(app.count("referrals").await, referrals + 1);

    let sent = app.http.get(app.url("/get-help/sent")).send().await.unwrap().text().await.unwrap();
    assert!(!sent.contains("Zelda") && !sent.contains("07700"), "the confirmation echoes nothing");
    assert!(sent.contains("data-quick-exit"));
    // The front door sees it, safe-contact first.
    let q: Value = app.bearer("triage", Method::GET, "/api/v1/dashboard").send().await.unwrap().json().await.unwrap();
    assert!(q["queue"].as_array().unwrap().iter().any(|i| i["referral_id"] == rid), "in the triage queue");
}

#[tokio::test]
async fn friend_referral_and_rate_limit() {
    let app = TestApp::spawn().await;
    let f = public_form(&app, "?for=someone").await;
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    let form = vec![
        ("csrf_token", f.csrf.clone()),
        ("form_token", f.token.clone()),
        ("route", "friend_family".into()),
        ("referrer_name", "Bea Friend".into()),
        ("referrer_phone", "07700 900111".into()),
        ("person_knows", "".into()),
        ("given_name", "Ann".into()),
        ("what_happened", "I am worried about my sister.".into()),
    ];
    let r = app.http.post(app.url("/get-help/refer")).header("cookie", &f.cookie).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let rid = scalar(&app, "SELECT MAX(id) FROM referrals").await;
    let v: Value =
        app.bearer("triage", Method::GET, &format!("/api/v1/intake/referrals/{rid}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["source_agency"], "friend_family");
    assert_eq!(v["referrer"]["name"], "Bea Friend");
    assert_eq!(v["referrer"]["person_knows"], Value::Null);
    assert_eq!(scalar(&app, &format!("SELECT consent FROM referrals WHERE id = {rid}")).await, 0, "not known is not consent");
    // Ten posts an hour per address (one was used above): the eleventh is refused, kindly.
    let mut last = StatusCode::OK;
    for _ in 0..10 {
        last = app.http.post(app.url("/get-help/refer")).form(&[("given_name", "x")]).send().await.unwrap().status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

fn incidents_csv() -> String {
    "incident_id,incident_date,victim_given_name,victim_family_name,victim_date_of_birth,victim_sex,risk_grade,suspect_given_name,suspect_family_name,children_present\n\
     T/1,2026-01-10,Pat,Example,1988-04-04,female,medium,Lee,Example,2\n\
     T/2,2026-03-10,Pat,Example,04/04/1988,female,standard,Lee,Example,no\n\
     T/3,2026-05-10,pat,EXAMPLE,1988-04-04,female,high,Lee,Example,yes\n\
     T/4,2026-05-11,Pat,Example,1988-04-04,female,extreme,,,\n"
        .to_string()
}

#[tokio::test]
async fn police_import_by_api_and_upload_page() {
    let app = TestApp::spawn().await;
    let r = app
        .bearer("triage", Method::POST, "/api/v1/intake/police-incidents?file_name=t.csv")
        .header("content-type", "text/csv")
        .body(incidents_csv())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let rep: Value = r.json().await.unwrap();
    assert_eq!((rep["rows_read"].as_i64(), rep["imported"].as_i64(), rep["already_present"].as_i64()), (Some(4), Some(3), Some(0)));
    assert_eq!(rep["rejected"][0]["line"], 5);
    assert!(rep["rejected"][0]["reason"].as_str().unwrap().starts_with("risk_grade"));
    // Pat is created once and matched twice (same name in any case, same date of birth);
    // Lee has no date of birth, so no confident match: a new person each time (linkage later).
    assert_eq!(rep["people_created"], 4, "{rep}");
    assert_eq!(rep["people_matched"], 2, "{rep}");
    // Three incidents for one person: what MARAC escalation counts.
    let pat = scalar(&app, "SELECT victim_person_id FROM police_incidents WHERE incident_id = 'T/1'").await;
    assert_eq!(scalar(&app, &format!("SELECT COUNT(*) FROM police_incident_dates WHERE person_id = {pat}")).await, 3);
    assert_eq!(
        text(&app, "SELECT risk_level FROM referrals r JOIN police_incidents p ON p.referral_id = r.id WHERE p.incident_id = 'T/3'").await,
        "high"
    );

    // The upload page: same file again adds nothing.
    let boundary = "HavenTestBoundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.csv\"\r\nContent-Type: text/csv\r\n\r\n{}\r\n--{boundary}--\r\n",
        app.csrf("triage"),
        incidents_csv()
    );
    let r = app
        .as_user("triage", Method::POST, "/intake/police-incidents")
        .header("x-csrf-token", app.csrf("triage"))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("Import finished"), "{page}");
    assert!(page.contains("<dt>Already imported (skipped)</dt><dd>3</dd>"), "{page}");
    assert!(page.contains("id=\"rejected-rows\""));
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM police_incidents").await, 3);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM police_import_batches").await, 2);
    // A file with a bad header imports nothing and says why.
    let r = app.bearer("triage", Method::POST, "/api/v1/intake/police-incidents").body("id,date\n1,2\n").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = app.bearer("admin", Method::GET, "/api/v1/audit/verify").send().await.unwrap().json().await.unwrap();
    assert!(v["first_broken"].is_null());
}

#[tokio::test]
async fn add_another_household_member_keeps_everything() {
    let app = TestApp::spawn().await;
    let mut f = agency_form(app.csrf("idva"));
    set(&mut f, "action", "add_member");
    let referrals = app.count("referrals").await;
    let r = app.as_user("idva", Method::POST, "/intake/referral").form(&f).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("name=\"household.2.given_name\""), "a third row");
    assert!(page.contains("value=\"Wessex Primary\"") && page.contains("value=\"Nadia\""));
    assert!(!page.contains("There is a problem"), "adding a row is not an error");
    assert_eq!(app.count("referrals").await, referrals);
}
