//! The commissioning pages: live aggregate figures, the needs engine run on
//! them, suppression of small numbers, and no person ever named.
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Names seeded by `TestApp`; none may appear on a commissioning page.
const NAMES: [&str; 7] = ["John", "Smith", "Mary", "Jones", "Rita", "Gary", "WX1"];

fn assert_no_names(what: &str, body: &str) {
    for n in NAMES {
        assert!(!body.contains(n), "{what} shows `{n}`");
    }
}

fn figure<'a>(list: &'a Value, id: &str) -> &'a Value {
    list.as_array().and_then(|a| a.iter().find(|f| f["id"] == id)).unwrap_or(&Value::Null)
}

fn capacity_figure<'a>(needs: &'a Value, id: &str) -> &'a Value {
    needs["capacity"]["sections"]
        .as_array()
        .and_then(|s| s.iter().flat_map(|s| s["figures"].as_array().into_iter().flatten()).find(|f| f["id"] == id))
        .unwrap_or(&Value::Null)
}

async fn add_police_referrals(app: &TestApp, n: usize) {
    const GIVEN: [&str; 8] = ["Zelda", "Zara", "Zoe", "Zina", "Zora", "Zella", "Zuri", "Zenia"];
    for given in GIVEN.iter().take(n) {
        let body = json!({
            "person": {"given_name": given, "family_name": "Testperson", "date_of_birth": "1990-01-01", "sex": "female", "postcode": "wx9 9zz"},
            "source_agency": "police", "reason": "Officers attended a domestic incident.", "consent": true
        });
        let r = app.bearer("police", Method::POST, "/api/v1/referrals").json(&body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    }
}

#[tokio::test]
async fn commissioner_sees_live_figures_with_small_numbers_suppressed_and_no_names() {
    let app = TestApp::spawn().await;
    let page = app.as_user("commissioner", Method::GET, "/commissioning").send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("Partnership figures") && page.contains("Referrals received"));
    // Three seeded referrals: shown as <5, never as 3.
    assert!(page.contains("&lt;5"), "small numbers are shown as <5");
    assert!(!page.contains("<strong>3</strong>"));
    assert_no_names("the overview", &page);

    let f: Value = app.bearer("commissioner", Method::GET, "/api/v1/figures").send().await.unwrap().json().await.unwrap();
    assert_eq!(f["suppressed_below"], 5);
    assert_eq!(figure(&f["figures"], "referrals")["value"], Value::Null);
    assert_eq!(figure(&f["figures"], "referrals")["display"], "<5");
    assert_eq!(figure(&f["figures"], "fte_idva")["value"], 1.0, "FTE is not a count of people and is shown");
    assert_no_names("the figures API", &f.to_string());

    let needs = app.as_user("commissioner", Method::GET, "/commissioning/needs").send().await.unwrap();
    assert_eq!(needs.status(), StatusCode::OK);
    let needs = needs.text().await.unwrap();
    assert!(needs.contains("Needs assessment and capacity plan"));
    assert!(needs.contains("Police incidents: fewer than 5"), "the suppressed input is explained");
    assert_no_names("the needs page", &needs);

    // Viewing aggregates is audited, with no person in the row.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", app.db_path.display())).await.unwrap();
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT record_id, detail FROM audit_log WHERE action = 'view_figures' AND record_type = 'figures'")
            .fetch_all(&pool)
            .await
            .unwrap();
    pool.close().await;
    assert!(rows.len() >= 3, "{rows:?}");
    assert_no_names("the audit rows", &format!("{rows:?}"));
}

#[tokio::test]
async fn other_roles_are_refused() {
    let app = TestApp::spawn().await;
    for user in ["triage", "idva", "police"] {
        for path in ["/commissioning", "/commissioning/needs", "/commissioning/needs/report.pdf"] {
            let r = app.as_user(user, Method::GET, path).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{user} {path}");
        }
        for path in ["/api/v1/figures", "/api/v1/figures/needs"] {
            let r = app.bearer(user, Method::GET, path).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{user} {path}");
        }
    }
}

#[tokio::test]
async fn live_capacity_figures_follow_the_data() {
    let app = TestApp::spawn().await;
    let before: Value = app.bearer("commissioner", Method::GET, "/api/v1/figures/needs").send().await.unwrap().json().await.unwrap();
    assert_eq!(figure(&before["live"]["figures"], "police_incidents")["display"], "<5");
    assert_eq!(capacity_figure(&before, "police.individuals"), &Value::Null, "one incident is not published");
    assert!(before["notes"].to_string().contains("Police incidents: fewer than 5"));

    add_police_referrals(&app, 5).await;
    let after: Value = app.bearer("commissioner", Method::GET, "/api/v1/figures/needs").send().await.unwrap().json().await.unwrap();
    assert_eq!(figure(&after["live"]["figures"], "police_incidents")["value"], 6.0);
    assert_eq!(figure(&after["live"]["figures"], "police_victims")["value"], 6.0);
    assert_eq!(capacity_figure(&after, "police.individuals")["rounded"], 6.0, "{after}");
    assert!(after["capacity_toml"].as_str().unwrap().contains("incidents = 6"));
    // The page shows the same figure with its formula.
    let page = app.as_user("commissioner", Method::GET, "/commissioning/needs").send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Individuals in police incidents, net of repeats"));
    assert!(page.contains("6 × (1 − 0%)"), "formula with the live inputs");
    assert_no_names("the needs page", &page);
    assert!(!page.contains("Zelda") && !page.contains("Testperson"), "new referrals' names stay out too");
}

#[tokio::test]
async fn commissioner_overrides_inputs_and_bad_input_names_the_field() {
    let app = TestApp::spawn().await;
    let q = "/api/v1/figures/needs?women_16_plus=100000&men_16_plus=90000&prevalence_women=7.3&high_medium_percent=26&high_percent=40";
    let r: Value = app.bearer("commissioner", Method::GET, q).send().await.unwrap().json().await.unwrap();
    // 100,000 × 7.3% × 26% = 1,898 women at high or medium risk.
    assert_eq!(capacity_figure(&r, "victims.high_medium")["rounded"], 1898.0, "{r}");
    let women = figure(&r["settings"], "women_16_plus");
    assert_eq!(women["value"], 100000.0);
    assert!(r["groups"].is_object(), "access ratios appear once the populations are given");

    let bad = app.bearer("commissioner", Method::GET, "/api/v1/figures/needs?caseload_high=lots&from=2024-99-01").send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = bad.json().await.unwrap();
    let fields: Vec<&str> = e["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"caseload_high") && fields.contains(&"from"), "{fields:?}");

    let page = app.as_user("commissioner", Method::GET, "/commissioning/needs?caseload_high=lots").send().await.unwrap();
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = page.text().await.unwrap();
    assert!(page.contains("Caseload high must be a number"), "the error names the field");
    assert!(page.contains("value=\"lots\""), "what was typed is kept");
}

#[tokio::test]
async fn downloads() {
    let app = TestApp::spawn().await;
    add_police_referrals(&app, 5).await;
    let pdf = app.as_user("commissioner", Method::GET, "/commissioning/needs/report.pdf?women_16_plus=50000").send().await.unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    let html = app.as_user("commissioner", Method::GET, "/commissioning/needs/report.html").send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<svg") || html.contains("Police incidents"));
    assert_no_names("the HTML report", &html);
    let csv = app.as_user("commissioner", Method::GET, "/commissioning/needs/figures.csv").send().await.unwrap().text().await.unwrap();
    assert!(csv.starts_with("section,id,label,value,rounding,rounded,unit,formula,source"));
    assert!(csv.contains("police.individuals"));
    assert_no_names("the CSV", &csv);
    let toml = app.as_user("commissioner", Method::GET, "/commissioning/needs/capacity.toml").send().await.unwrap().text().await.unwrap();
    assert!(toml.contains("[police]") && toml.contains("incidents = 6"));
}
