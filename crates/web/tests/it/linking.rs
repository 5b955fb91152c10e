//! Record linkage in the web app (issue 5): intake suggestions by
//! haven-linkage, link runs, the review queue, reversible merges, figures.
use crate::helpers::TestApp;
use haven_domain::person::{Ethnicity, RelationshipKind, Sex, SexualOrientation, YesNoUnknown};
use haven_domain::risk::RiskLevel;
use haven_store::{Ctx, bulk};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn person(given: &str, family: &str, dob: Option<&str>, sex: Sex, postcode: Option<&str>) -> bulk::Person {
    bulk::Person {
        given_name: given.into(),
        family_name: family.into(),
        date_of_birth: dob.and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
        sex,
        postcode: postcode.map(String::from),
        ethnicity: Ethnicity::NotKnown,
        disability: YesNoUnknown::NotKnown,
        sexual_orientation: SexualOrientation::NotKnown,
    }
}

fn referral(person_id: i64, perpetrator: Option<i64>, days_ago: i64) -> bulk::Referral {
    bulk::Referral {
        person_id,
        perpetrator_id: perpetrator,
        relationship: perpetrator.map(|_| RelationshipKind::IntimatePartner),
        child_ids: vec![],
        source_agency_kind: "police".into(),
        referring_agency_key: Some("police".into()),
        referral_date: chrono::Utc::now().date_naive() - chrono::Duration::days(days_ago),
        reason: "Linkage test referral".into(),
        consent: true,
        risk_level: Some(RiskLevel::Medium),
        dash_score: None,
        police_incident: true,
        district_key: None,
        assigned_team_key: None,
        status: "new".into(),
        safe_to_call: Some(true),
        safe_to_text: None,
        safe_times: Some("Evenings".into()),
    }
}

async fn pool(app: &TestApp) -> sqlx::SqlitePool {
    sqlx::SqlitePool::connect(&format!("sqlite://{}", app.db_path.display())).await.unwrap()
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    let p = pool(app).await;
    let n: i64 = sqlx::query_scalar(sql).fetch_one(&p).await.unwrap();
    p.close().await;
    n
}

/// Every row of every table that holds a person id, plus people, as text.
async fn snapshot(app: &TestApp) -> Vec<String> {
    let p = pool(app).await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT m.name FROM sqlite_master m, pragma_foreign_key_list(m.name) f
         WHERE m.type = 'table' AND f.\"table\" = 'people' AND m.name NOT LIKE 'link_%' AND m.name NOT LIKE 'person_merge%' ORDER BY m.name",
    )
    .fetch_all(&p)
    .await
    .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let cols: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info(?) ORDER BY cid").bind(&t).fetch_all(&p).await.unwrap();
        let expr = cols.iter().map(|c| format!("quote(\"{c}\")")).collect::<Vec<_>>().join(" || '|' || ");
        let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT '{t}:' || rowid || ':' || {expr} FROM \"{t}\" ORDER BY rowid"))
            .fetch_all(&p)
            .await
            .unwrap();
        out.extend(rows);
    }
    p.close().await;
    out
}

async fn run(app: &TestApp) -> Value {
    let r = app.bearer("triage", Method::POST, "/api/v1/linking/runs").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.unwrap()
}

async fn pairs(app: &TestApp) -> Vec<Value> {
    let r = app.bearer("triage", Method::GET, "/api/v1/linking/pairs").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap().as_array().unwrap().clone()
}

fn pair_of(pairs: &[Value], a: i64, b: i64) -> Option<Value> {
    pairs.iter().find(|p| p["a"]["id"] == a && p["b"]["id"] == b).cloned()
}

#[tokio::test]
async fn a_repeat_referral_is_suggested_as_the_existing_person() {
    let app = TestApp::spawn().await;
    // "Jon" for "John": a short form, same date of birth, no postcode given.
    let hits: Value = app
        .bearer("triage", Method::GET, "/api/v1/intake/matches?given_name=Jon&family_name=Smith&date_of_birth=1985-03-02")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(hits[0]["id"], app.seed.john, "{hits}");
    assert!(hits[0]["score"].as_f64().unwrap() >= 0.9, "scored by haven-linkage as the same person: {hits}");
    // Gary Smith (same family name and postcode, other name and birth date) is not offered.
    assert!(hits.as_array().unwrap().iter().all(|h| h["id"] != app.seed.perpetrator), "{hits}");
    // The agency form: a repeat referral is offered the existing record.
    let r = app
        .bearer("triage", Method::POST, "/api/v1/intake/referrals")
        .json(&json!({
            "person": {"given_name": "Jon", "family_name": "Smith", "date_of_birth": "1985-03-02", "sex": "male", "postcode": "WX1 2AB"},
            "source_agency": "police", "reason": "Second incident.", "consent": true
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let m: Value = r.json().await.unwrap();
    assert_eq!(m["matches"][0]["id"], app.seed.john);
    assert!(app.audit_rows("suggest_people", "search:").await >= 2, "every suggestion is audited");
}

/// Forty other people, so that name frequencies are not those of a handful of records.
async fn fillers(b: &mut haven_store::sqlite::BulkLoader) {
    let given = ["Alan", "Brenda", "Colin", "Diane", "Edward", "Fiona", "Graham", "Helen", "Ian", "Julie"];
    let family = ["Baker", "Clarke", "Davies", "Evans"];
    for (i, g) in given.iter().enumerate() {
        for (j, f) in family.iter().enumerate() {
            let dob = format!("19{}-{:02}-{:02}", 50 + i * 3 + j, 1 + (i + j) % 12, 1 + (i * 7 + j) % 28);
            let sex = if i % 2 == 0 { Sex::Male } else { Sex::Female };
            b.person(&person(g, f, Some(&dob), sex, Some(&format!("WX{} {}AA", 10 + i, j)))).await.unwrap();
        }
    }
}

#[tokio::test]
async fn the_review_queue_confirms_and_rejects() {
    let app = TestApp::spawn().await;
    let mut b = app.store.bulk().await.unwrap();
    fillers(&mut b).await;
    let no_postcode = b.person(&person("Mary", "Jones", Some("1990-07-15"), Sex::Female, None)).await.unwrap();
    let day_out = b.person(&person("Mary", "Jones", Some("1990-07-16"), Sex::Female, None)).await.unwrap();
    let year_out = b.person(&person("Mary", "Jones", Some("1991-07-15"), Sex::Female, Some("WX9 9ZZ"))).await.unwrap();
    b.person(&person("Mary", "Jones", Some("1990-09-15"), Sex::Female, Some("WX2 9ZZ"))).await.unwrap();
    let marie = b.person(&person("Marie", "Jones", Some("1990-07-16"), Sex::Female, Some("WX2 3CD"))).await.unwrap();
    let r1 = b.referral(&referral(marie, None, 10)).await.unwrap();
    b.commit(&Ctx::system("test"), "linkage test").await.unwrap();

    let first = run(&app).await;
    assert!(first["review_pairs"].as_i64().unwrap() >= 2, "{first}");
    assert_eq!(app.audit_rows("link_run", &format!("link_run:{}", first["id"])).await, 1);
    let queue = pairs(&app).await;
    let p1 = pair_of(&queue, day_out, marie).unwrap_or_else(|| panic!("an uncertain pair awaits review: {queue:?}"));
    let p2 = pair_of(&queue, no_postcode, year_out).unwrap_or_else(|| panic!("{queue:?}"));
    for p in [&p1, &p2] {
        let prob = p["probability"].as_f64().unwrap();
        assert!((0.2..0.9).contains(&prob), "between the thresholds: {prob}");
    }
    assert!(p1["explanation"].as_array().unwrap().iter().any(|f| f["field"] == "date of birth"), "each field's contribution: {p1}");
    assert_eq!(p1["b"]["referrals"], 1, "{p1}");
    // Only the reviewer role reaches the queue; admins do not read case files.
    for user in ["admin", "commissioner", "idva", "police"] {
        assert_eq!(app.bearer(user, Method::GET, "/api/v1/linking/pairs").send().await.unwrap().status(), StatusCode::FORBIDDEN, "{user}");
    }

    // Confirm: the newer record is merged into the older.
    let r = app.bearer("triage", Method::POST, &format!("/api/v1/linking/pairs/{}/confirm", p1["id"])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let out: Value = r.json().await.unwrap();
    assert_eq!((out["survivor"].as_i64(), out["merged"].as_i64()), (Some(day_out), Some(marie)));
    assert_eq!(scalar(&app, &format!("SELECT person_id FROM referrals WHERE id = {r1}")).await, day_out);
    assert_eq!(scalar(&app, &format!("SELECT merged_into FROM people WHERE id = {marie}")).await, day_out);
    assert_eq!(app.audit_rows("merge_people", &format!("person:{day_out}")).await, 1);
    assert_eq!(app.audit_rows("confirm_match", &format!("link_pair:{}", p1["id"])).await, 1);
    // A confirmed pair cannot be confirmed twice.
    let r = app.bearer("triage", Method::POST, &format!("/api/v1/linking/pairs/{}/confirm", p1["id"])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // The merged record leaves the suggestions.
    let hits: Value = app
        .bearer(
            "triage",
            Method::GET,
            "/api/v1/intake/matches?given_name=Marie&family_name=Jones&date_of_birth=1990-07-16&postcode=WX2%203CD",
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(hits.as_array().unwrap().iter().all(|h| h["id"] != marie), "{hits}");

    // Reject: different people, never suggested again.
    let r = app.bearer("triage", Method::POST, &format!("/api/v1/linking/pairs/{}/reject", p2["id"])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.audit_rows("reject_match", &format!("link_pair:{}", p2["id"])).await, 1);
    let second = run(&app).await;
    let queue = pairs(&app).await;
    assert!(pair_of(&queue, no_postcode, year_out).is_none(), "a rejected pair is not suggested again: {second} {queue:?}");
    assert!(queue.iter().all(|p| p["a"]["id"] != marie && p["b"]["id"] != marie), "a merged record is not linked again");

    // The page shows the merge, with an unmerge button.
    let page = app.as_user("triage", Method::GET, "/linking").send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("/linking/people/{marie}/unmerge")), "unmerge offered");
}

#[tokio::test]
async fn merge_and_unmerge_round_trip_with_audit_rows() {
    let app = TestApp::spawn().await;
    let (john, gary) = (app.seed.john, app.seed.perpetrator);
    let mut b = app.store.bulk().await.unwrap();
    let jon = b.person(&person("Jon", "Smith", Some("1985-03-02"), Sex::Male, Some("WX1 2AB"))).await.unwrap();
    // Jon's own referral names Gary as well: the relationship duplicates John's and stays with Jon.
    let r = b.referral(&referral(jon, Some(gary), 40)).await.unwrap();
    b.relationship(jon, john, "family_member").await.unwrap();
    b.relationship(jon, app.seed.mary, "family_member").await.unwrap();
    b.commit(&Ctx::system("test"), "linkage test").await.unwrap();
    let before = snapshot(&app).await;

    // Forbidden to roles without the permission; bad input named.
    let r403 =
        app.bearer("idva", Method::POST, &format!("/api/v1/linking/people/{jon}/merge")).json(&json!({"into": john})).send().await.unwrap();
    assert_eq!(r403.status(), StatusCode::FORBIDDEN);
    let r422 = app.bearer("triage", Method::POST, &format!("/api/v1/linking/people/{jon}/merge")).json(&json!({})).send().await.unwrap();
    assert_eq!(r422.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A restricted record out of the reviewer's reach is answered as missing.
    let r404 = app
        .bearer("triage", Method::POST, &format!("/api/v1/linking/people/{}/merge", app.seed.restricted))
        .json(&json!({"into": john}))
        .send()
        .await
        .unwrap();
    assert_eq!(r404.status(), StatusCode::NOT_FOUND);

    let res = app
        .bearer("triage", Method::POST, &format!("/api/v1/linking/people/{jon}/merge"))
        .json(&json!({"into": john}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let out: Value = res.json().await.unwrap();
    // Moved: the referral and the link to Mary. Kept with Jon: the relationship to
    // Gary (John has it), the one to John (it would join John to himself), and
    // the safe contact (John has one).
    assert_eq!(out["rows_moved"], 2, "{out}");
    assert_eq!(scalar(&app, &format!("SELECT person_id FROM referrals WHERE id = {r}")).await, john);
    assert_eq!(
        scalar(&app, &format!("SELECT COUNT(*) FROM relationships WHERE from_person_id = {john} AND to_person_id = {john}")).await,
        0,
        "no self-links"
    );
    assert_ne!(snapshot(&app).await, before);
    // Merging again, or into a merged record, is refused.
    let again = app
        .bearer("triage", Method::POST, &format!("/api/v1/linking/people/{jon}/merge"))
        .json(&json!({"into": john}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let res = app.bearer("triage", Method::POST, &format!("/api/v1/linking/people/{jon}/unmerge")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let back: Value = res.json().await.unwrap();
    assert_eq!(back["rows_moved"], out["rows_moved"], "every moved row restored");
    assert_eq!(snapshot(&app).await, before, "merge then unmerge leaves every table as before");
    assert_eq!(app.audit_rows("merge_people", &format!("person:{john}")).await, 1);
    assert_eq!(app.audit_rows("unmerge_people", &format!("person:{john}")).await, 1);
    let detail: String = {
        let p = pool(&app).await;
        let d = sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'unmerge_people'").fetch_one(&p).await.unwrap();
        p.close().await;
        d
    };
    assert!(detail.contains(&format!("merged={jon}")), "{detail}");
    // Nothing left to unmerge.
    let res = app.bearer("triage", Method::POST, &format!("/api/v1/linking/people/{jon}/unmerge")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let v = app.bearer("triage", Method::GET, "/api/v1/audit/verify").send().await.unwrap().status();
    assert_eq!(v, StatusCode::FORBIDDEN, "triage does not read the audit log");
}

#[tokio::test]
async fn figures_count_people_not_referrals_with_small_numbers_suppressed() {
    let app = TestApp::spawn().await;
    let gary = app.seed.perpetrator;
    let mut b = app.store.bulk().await.unwrap();
    // Five victims with two referrals each, all naming Gary; a second record of one victim.
    let mut victims = Vec::new();
    for (i, name) in ["Alice", "Beth", "Cara", "Dina", "Erin"].iter().enumerate() {
        let v = b.person(&person(name, "Walker", Some(&format!("198{i}-0{}-1{i}", i + 1)), Sex::Female, Some("WX5 1AA"))).await.unwrap();
        b.referral(&referral(v, Some(gary), 30)).await.unwrap();
        b.referral(&referral(v, Some(gary), 90)).await.unwrap();
        victims.push(v);
    }
    b.commit(&Ctx::system("test"), "linkage test").await.unwrap();
    run(&app).await;
    let f: Value = app.bearer("commissioner", Method::GET, "/api/v1/linking/figures").send().await.unwrap().json().await.unwrap();
    assert_eq!(f["repeat_victims"], 5, "{f}");
    // 13 referrals (the seed's three and ten here) about 8 people.
    assert_eq!((f["referrals"].as_i64(), f["individuals"].as_i64(), f["repeat_referrals"].as_i64()), (Some(13), Some(8), Some(5)), "{f}");
    // Gary is one perpetrator against 6 victims (John too): serial, but fewer than 5 serial perpetrators are suppressed.
    assert_eq!(f["serial_perpetrators"], Value::Null, "{f}");
    assert_eq!(app.bearer("triage", Method::GET, "/api/v1/linking/figures").send().await.unwrap().status(), StatusCode::FORBIDDEN);
    let page = app.as_user("commissioner", Method::GET, "/linking/figures").send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Serial perpetrators") && page.contains("&lt;5"), "suppressed shown as <5");
    let direct =
        haven_store::LinkingStore::link_counts(&*app.store, haven_store::figures::Period::year_to(chrono::Utc::now().date_naive()))
            .await
            .unwrap();
    assert_eq!(direct.serial_perpetrators, 1);
    assert_eq!(direct.repeat_victims, 5);
}
