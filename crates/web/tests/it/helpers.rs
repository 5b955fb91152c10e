//! `TestApp`: the real app on 127.0.0.1:0 with a fresh SQLite file, a user
//! per role, a few people, and a signed-in client per role.
#![allow(dead_code)]
use haven_domain::access::Role;
use haven_domain::person::{Ethnicity, RelationshipKind, Sex, SexualOrientation, YesNoUnknown};
use haven_domain::risk::RiskLevel;
use haven_store::{Ctx, NewUser, SqliteStore, Store, bulk};
use std::collections::HashMap;
use std::sync::Arc;

pub const PASSWORD: &str = "test-password-123";

pub struct Session {
    pub cookie: String,
    pub csrf: String,
    pub bearer: String,
}

pub struct Seed {
    /// John Smith: referred by police, assigned to the IDVA team, high risk, with safe-contact details.
    pub john: i64,
    /// Mary Jones: referred by children's services, not yet triaged.
    pub mary: i64,
    /// A restricted record assigned to the outreach team.
    pub restricted: i64,
    /// John's alleged perpetrator.
    pub perpetrator: i64,
}

pub struct TestApp {
    pub base: String,
    pub store: Arc<SqliteStore>,
    pub db_path: std::path::PathBuf,
    pub sessions: HashMap<&'static str, Session>,
    pub seed: Seed,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// Demo-style users: (username, role, agency, team).
pub const USERS: [(&str, Role, &str, Option<&str>); 9] = [
    ("admin", Role::Admin, "dav", Some("admin_team")),
    ("triage", Role::Triage, "dav", Some("front_door")),
    ("idva", Role::Caseworker, "dav", Some("idva_team")),
    ("outreach", Role::Caseworker, "dav", Some("outreach_team")),
    ("refuge", Role::AccommodationManager, "dav", Some("refuge_team")),
    ("marac", Role::MaracCoordinator, "dav", Some("marac_team")),
    ("police", Role::PartnerAgency, "police", Some("police_team")),
    ("children", Role::PartnerAgency, "childrens", Some("childrens_team")),
    ("commissioner", Role::Commissioner, "council", Some("commissioning")),
];

fn person(given: &str, family: &str, dob: &str, sex: Sex, postcode: &str) -> bulk::Person {
    bulk::Person {
        given_name: given.into(),
        family_name: family.into(),
        date_of_birth: chrono::NaiveDate::parse_from_str(dob, "%Y-%m-%d").ok(),
        sex,
        postcode: Some(postcode.into()),
        ethnicity: Ethnicity::WhiteBritish,
        disability: YesNoUnknown::No,
        sexual_orientation: SexualOrientation::Heterosexual,
    }
}

fn referral(person_id: i64, agency_kind: &str, agency_key: Option<&str>, risk: RiskLevel, team: Option<&str>) -> bulk::Referral {
    bulk::Referral {
        person_id,
        perpetrator_id: None,
        relationship: None,
        child_ids: vec![],
        source_agency_kind: agency_kind.into(),
        referring_agency_key: agency_key.map(String::from),
        referral_date: chrono::Utc::now().date_naive() - chrono::Duration::days(3),
        reason: "Test referral".into(),
        consent: true,
        risk_level: Some(risk),
        dash_score: None,
        police_incident: agency_kind == "police",
        district_key: None,
        assigned_team_key: team.map(String::from),
        status: if team.is_some() { "open".into() } else { "new".into() },
        safe_to_call: Some(false),
        safe_to_text: Some(true),
        safe_times: Some("Weekdays 10:00-12:00".into()),
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(haven_web::WebConfig::default()).await
    }

    pub async fn spawn_with(config: haven_web::WebConfig) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let db_path = dir.path().join("test.db");
        let store = SqliteStore::open_or_create(&db_path).await.unwrap();
        let hash = haven_web::auth::hash_password(PASSWORD).unwrap();
        let mut b = store.bulk().await.unwrap();
        for (k, n, kind) in [
            ("dav", "Test DA Service", "specialist_da"),
            ("police", "Test Police", "police"),
            ("childrens", "Test Children's Services", "childrens_services"),
            ("council", "Test Council", "other"),
        ] {
            b.agency(k, n, kind).await.unwrap();
        }
        for (k, kind, agency) in [
            ("admin_team", "administration", "dav"),
            ("front_door", "front_door", "dav"),
            ("idva_team", "idva", "dav"),
            ("outreach_team", "outreach", "dav"),
            ("refuge_team", "refuge", "dav"),
            ("marac_team", "marac", "dav"),
            ("police_team", "partner", "police"),
            ("childrens_team", "partner", "childrens"),
            ("commissioning", "commissioning", "council"),
        ] {
            b.team(k, k, kind, agency, 1.0, None).await.unwrap();
        }
        for (u, role, agency, team) in USERS {
            b.user(&NewUser {
                username: u.into(),
                display_name: format!("Test {u}"),
                role,
                agency: agency.into(),
                team: team.map(String::from),
                password_hash: hash.clone(),
            })
            .await
            .unwrap();
        }
        let john = b.person(&person("John", "Smith", "1985-03-02", Sex::Male, "WX1 2AB")).await.unwrap();
        let mary = b.person(&person("Mary", "Jones", "1990-07-15", Sex::Female, "WX2 3CD")).await.unwrap();
        let restricted = b.person(&person("Rita", "Private", "1979-01-20", Sex::Female, "WX3 4EF")).await.unwrap();
        let perpetrator = b.person(&person("Gary", "Smith", "1983-05-05", Sex::Male, "WX1 2AB")).await.unwrap();
        let mut r = referral(john, "police", Some("police"), RiskLevel::High, Some("idva_team"));
        r.perpetrator_id = Some(perpetrator);
        r.relationship = Some(RelationshipKind::IntimatePartner);
        b.referral(&r).await.unwrap();
        b.referral(&referral(mary, "childrens_services", Some("childrens"), RiskLevel::Medium, None)).await.unwrap();
        b.referral(&referral(restricted, "self", None, RiskLevel::Standard, Some("outreach_team"))).await.unwrap();
        b.commit(&Ctx::system("test"), "test seed").await.unwrap();
        sqlx::query("UPDATE people SET restricted = 1 WHERE id = ?")
            .bind(restricted)
            .execute(&sqlx::SqlitePool::connect(&format!("sqlite://{}", db_path.display())).await.unwrap())
            .await
            .unwrap();

        let mut sessions = HashMap::new();
        let now = chrono::Utc::now().timestamp();
        for (u, ..) in USERS {
            let id = store.login_record(u).await.unwrap().unwrap().user_id;
            let cookie = haven_web::auth::random_token();
            let csrf = haven_web::auth::random_token();
            store.create_session(id, &haven_web::auth::token_hash(&cookie), &csrf, now).await.unwrap();
            let bearer = haven_web::auth::random_token();
            store.create_api_token(&Ctx::system("test"), u, &haven_web::auth::token_hash(&bearer)).await.unwrap();
            sessions.insert(u, Session { cookie, csrf, bearer });
        }
        let store = Arc::new(store);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let dyn_store: Arc<dyn haven_store::HavenStore> = store.clone();
        tokio::spawn(haven_web::serve(listener, dyn_store, config));
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        TestApp { base, store, db_path, sessions, seed: Seed { john, mary, restricted, perpetrator }, http, _dir: dir }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A request with the user's session cookie.
    pub fn as_user(&self, user: &str, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let s = &self.sessions[user];
        self.http.request(method, self.url(path)).header("cookie", format!("haven_session={}", s.cookie))
    }

    /// A request with the user's bearer token.
    pub fn bearer(&self, user: &str, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, self.url(path)).bearer_auth(&self.sessions[user].bearer)
    }

    pub fn csrf(&self, user: &str) -> &str {
        &self.sessions[user].csrf
    }

    /// Put back a user's session after a test signed them out.
    pub async fn restore_session(&self, user: &str) {
        let s = &self.sessions[user];
        let id = self.store.login_record(user).await.unwrap().unwrap().user_id;
        let _ = self.store.delete_session(&haven_web::auth::token_hash(&s.cookie)).await;
        self.store.create_session(id, &haven_web::auth::token_hash(&s.cookie), &s.csrf, chrono::Utc::now().timestamp()).await.unwrap();
    }

    /// Count rows in a table (for "nothing was saved" checks).
    pub async fn count(&self, table: &str) -> i64 {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", self.db_path.display())).await.unwrap();
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&pool).await.unwrap();
        pool.close().await;
        n
    }

    pub async fn audit_rows(&self, action: &str, record: &str) -> i64 {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", self.db_path.display())).await.unwrap();
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = ? AND record_type || ':' || record_id = ?")
            .bind(action)
            .bind(record)
            .fetch_one(&pool)
            .await
            .unwrap();
        pool.close().await;
        n
    }
}
