//! The embedded SQLite backend.
//!
//! Two pools: one writer connection (SQLite allows one writer at a time, and
//! one writer in-process means the audit chain's head is never raced) and a
//! few readers. Every connection runs in WAL mode with foreign keys on and a
//! busy timeout, so other processes (the CLI beside a running server) wait
//! rather than fail.
use crate::audit::{AuditFields, GENESIS, chain_hash};
use crate::model::*;
use crate::{Ctx, Result, Store, StoreError};
use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use haven_domain::access::{PersonAccess, PersonFacts, Principal, Role, person_access};
use haven_domain::ids::{AgencyId, PersonId, ReferralId, TeamId, UserId};
use haven_domain::referral::NewReferral;
use haven_domain::risk::RiskLevel;
use haven_domain::search::{MIN_SCORE, Query, soundex};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{Row, SqliteConnection, SqlitePool};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Numbers below this are suppressed in published aggregates.
pub const SUPPRESS_BELOW: i64 = 5;

#[derive(Clone)]
pub struct SqliteStore {
    pub(crate) reader: SqlitePool,
    pub(crate) writer: SqlitePool,
}

fn options(path: &Path, create: bool) -> Result<SqliteConnectOptions> {
    let url = format!("sqlite://{}", path.display());
    Ok(SqliteConnectOptions::from_str(&url)?
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10)))
}

impl SqliteStore {
    /// Open an existing database and bring its schema up to date. Refuses a
    /// path that does not exist, so a typo never opens an empty database.
    pub async fn open(path: &Path) -> Result<Self> {
        if !path.exists() {
            return Err(StoreError::Missing(path.display().to_string()));
        }
        Self::connect(path, false).await
    }

    /// Open, creating the database file if it does not exist.
    pub async fn open_or_create(path: &Path) -> Result<Self> {
        Self::connect(path, true).await
    }

    async fn connect(path: &Path, create: bool) -> Result<Self> {
        let writer = SqlitePoolOptions::new().max_connections(1).connect_with(options(path, create)?).await?;
        // Applies each pending migration in its own transaction; fails if the
        // database has migrations this binary does not know (newer database).
        MIGRATOR.run(&writer).await?;
        let reader = SqlitePoolOptions::new().max_connections(4).connect_with(options(path, false)?.read_only(true)).await?;
        Ok(Self { reader, writer })
    }

    /// Start a bulk load: everything added is one transaction, committed by
    /// [`BulkLoader::commit`].
    pub async fn bulk(&self) -> Result<BulkLoader> {
        let tx = self.writer.begin().await?;
        Ok(BulkLoader { tx })
    }

    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }

    /// Copy the database to `dest` with `VACUUM INTO` (consistent while serving).
    pub async fn backup(&self, dest: &Path) -> Result<()> {
        sqlx::query("VACUUM INTO ?").bind(dest.display().to_string()).execute(&self.writer).await?;
        Ok(())
    }
}

pub(crate) fn now_rfc3339() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub(crate) fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// Append one audit row, chained to the previous one. Call inside the
/// transaction that does the work.
pub(crate) async fn audit(
    conn: &mut SqliteConnection,
    ctx: &Ctx,
    action: &str,
    record_type: &str,
    record_id: &str,
    detail: &str,
) -> Result<()> {
    let prev: Option<String> = sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetch_optional(&mut *conn).await?;
    let prev = prev.unwrap_or_else(|| GENESIS.to_string());
    let at = now_rfc3339();
    let username = ctx.actor_name();
    let user_id = ctx.actor_id().map(|u| u.0);
    let fields = AuditFields { at: &at, user_id, username: &username, action, record_type, record_id, detail, source: &ctx.source };
    let hash = chain_hash(&prev, &fields);
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, username, action, record_type, record_id, detail, source, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
    )
    .bind(&at)
    .bind(user_id)
    .bind(&username)
    .bind(action)
    .bind(record_type)
    .bind(record_id)
    .bind(detail)
    .bind(&ctx.source)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) fn principal_from_row(r: &SqliteRow) -> Result<Principal> {
    let role: String = r.try_get("role")?;
    Ok(Principal {
        user_id: UserId(r.try_get("id")?),
        username: r.try_get("username")?,
        role: Role::from_key(&role).ok_or_else(|| StoreError::Corrupt(format!("unknown role {role}")))?,
        agency_id: AgencyId(r.try_get("agency_id")?),
        team_id: r.try_get::<Option<i64>, _>("team_id")?.map(TeamId),
    })
}

pub(crate) const PRINCIPAL_COLS: &str = "u.id, u.username, u.role, u.agency_id, u.team_id";

pub(crate) async fn person_facts(conn: &mut SqliteConnection, id: PersonId) -> Result<Option<PersonFacts>> {
    let restricted: Option<i64> =
        sqlx::query_scalar("SELECT restricted FROM people WHERE id = ?").bind(id.0).fetch_optional(&mut *conn).await?;
    let Some(restricted) = restricted else { return Ok(None) };
    let rows = sqlx::query(
        "SELECT referring_agency_id, assigned_team_id, risk_level FROM referrals WHERE person_id = ?1
         UNION ALL
         SELECT r.referring_agency_id, r.assigned_team_id, r.risk_level FROM referrals r
           JOIN referral_people rp ON rp.referral_id = r.id WHERE rp.person_id = ?1",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?;
    let mut f = PersonFacts { restricted: restricted != 0, ..Default::default() };
    for r in rows {
        if let Some(a) = r.try_get::<Option<i64>, _>(0)? {
            f.referring_agencies.push(AgencyId(a));
        }
        if let Some(t) = r.try_get::<Option<i64>, _>(1)? {
            f.assigned_teams.push(TeamId(t));
        }
        if let Some(level) = r.try_get::<Option<String>, _>(2)?.and_then(|k| RiskLevel::from_key(&k)) {
            f.highest_risk = f.highest_risk.max(Some(level));
        }
    }
    Ok(Some(f))
}

/// Insert a referral made by a signed-in user (status `new`). Partner
/// agencies' referrals go to the front door; specialist staff who refer keep
/// the case in their own team. The one writer of user-made referrals.
pub(crate) async fn insert_referral(conn: &mut SqliteConnection, who: &Principal, r: &NewReferral, person_id: PersonId) -> Result<i64> {
    let assigned = match who.role {
        Role::Caseworker | Role::AccommodationManager => who.team_id.map(|t| t.0),
        _ => None,
    };
    Ok(sqlx::query_scalar(
        "INSERT INTO referrals (person_id, source_agency_kind, referring_agency_id, referred_by_user_id, referral_date, received_at,
           reason, consent, lawful_basis, police_incident, assigned_team_id, status)
         VALUES (?,?,?,?,?,?,?,?,?,?,?, 'new') RETURNING id",
    )
    .bind(person_id.0)
    .bind(r.source_agency.key())
    .bind(who.agency_id.0)
    .bind(who.user_id.0)
    .bind(r.referral_date.format("%Y-%m-%d").to_string())
    .bind(now_rfc3339())
    .bind(&r.reason)
    .bind(r.consent as i64)
    .bind(r.lawful_basis.key())
    .bind(r.source_agency.is_police() as i64)
    .bind(assigned)
    .fetch_one(&mut *conn)
    .await?)
}

fn opt_bool(v: Option<i64>) -> Option<bool> {
    v.map(|x| x != 0)
}

#[async_trait]
impl Store for SqliteStore {
    async fn schema_version(&self) -> Result<i64> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = 1").fetch_one(&self.reader).await?;
        Ok(v.unwrap_or(0))
    }

    async fn create_user(&self, ctx: &Ctx, u: NewUser) -> Result<UserId> {
        let mut tx = self.writer.begin().await?;
        let agency: Option<i64> =
            sqlx::query_scalar("SELECT id FROM agencies WHERE key = ?").bind(&u.agency).fetch_optional(&mut *tx).await?;
        let agency =
            agency.ok_or_else(|| StoreError::Conflict { field: "agency".into(), message: format!("no agency with key '{}'", u.agency) })?;
        let team = match &u.team {
            Some(t) => Some(
                sqlx::query_scalar::<_, i64>("SELECT id FROM teams WHERE key = ?")
                    .bind(t)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| StoreError::Conflict { field: "team".into(), message: format!("no team with key '{t}'") })?,
            ),
            None => None,
        };
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT id FROM users WHERE username = ?").bind(&u.username).fetch_optional(&mut *tx).await?;
        if exists.is_some() {
            return Err(StoreError::Conflict { field: "username".into(), message: "is already taken".into() });
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, display_name, role, agency_id, team_id, password_hash, created_at) VALUES (?,?,?,?,?,?,?) RETURNING id",
        )
        .bind(&u.username)
        .bind(&u.display_name)
        .bind(u.role.key())
        .bind(agency)
        .bind(team)
        .bind(&u.password_hash)
        .bind(now_rfc3339())
        .fetch_one(&mut *tx)
        .await?;
        audit(&mut tx, ctx, "create_user", "user", &id.to_string(), &format!("role={}", u.role.key())).await?;
        tx.commit().await?;
        Ok(UserId(id))
    }

    async fn list_users(&self) -> Result<Vec<UserSummary>> {
        let rows = sqlx::query(
            "SELECT u.id, u.username, u.display_name, u.role, a.name AS agency, t.name AS team, u.disabled
             FROM users u JOIN agencies a ON a.id = u.agency_id LEFT JOIN teams t ON t.id = u.team_id ORDER BY u.username",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(UserSummary {
                    id: r.try_get("id")?,
                    username: r.try_get("username")?,
                    display_name: r.try_get("display_name")?,
                    role: r.try_get("role")?,
                    agency: r.try_get("agency")?,
                    team: r.try_get("team")?,
                    disabled: r.try_get::<i64, _>("disabled")? != 0,
                })
            })
            .collect()
    }

    async fn set_user_disabled(&self, ctx: &Ctx, username: &str, disabled: bool) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        let id: Option<i64> = sqlx::query_scalar("UPDATE users SET disabled = ? WHERE username = ? RETURNING id")
            .bind(disabled as i64)
            .bind(username)
            .fetch_optional(&mut *tx)
            .await?;
        let id = id.ok_or_else(|| StoreError::NotFound(format!("user '{username}'")))?;
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = ?").bind(id).execute(&mut *tx).await?;
            sqlx::query("UPDATE api_tokens SET revoked = 1 WHERE user_id = ?").bind(id).execute(&mut *tx).await?;
        }
        audit(&mut tx, ctx, if disabled { "disable_user" } else { "enable_user" }, "user", &id.to_string(), "").await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_password(&self, ctx: &Ctx, username: &str, password_hash: &str) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        let id: Option<i64> = sqlx::query_scalar("UPDATE users SET password_hash = ? WHERE username = ? RETURNING id")
            .bind(password_hash)
            .bind(username)
            .fetch_optional(&mut *tx)
            .await?;
        let id = id.ok_or_else(|| StoreError::NotFound(format!("user '{username}'")))?;
        sqlx::query("DELETE FROM sessions WHERE user_id = ?").bind(id).execute(&mut *tx).await?;
        audit(&mut tx, ctx, "set_password", "user", &id.to_string(), "").await?;
        tx.commit().await?;
        Ok(())
    }

    async fn login_record(&self, username: &str) -> Result<Option<LoginRecord>> {
        let r = sqlx::query("SELECT id, password_hash, disabled FROM users WHERE username = ?")
            .bind(username)
            .fetch_optional(&self.reader)
            .await?;
        r.map(|r| {
            Ok(LoginRecord {
                user_id: UserId(r.try_get("id")?),
                password_hash: r.try_get("password_hash")?,
                disabled: r.try_get::<i64, _>("disabled")? != 0,
            })
        })
        .transpose()
    }

    async fn principal(&self, id: UserId) -> Result<Option<Principal>> {
        let r = sqlx::query(&format!("SELECT {PRINCIPAL_COLS} FROM users u WHERE u.id = ? AND u.disabled = 0"))
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await?;
        r.as_ref().map(principal_from_row).transpose()
    }

    async fn record_login(&self, ctx: &Ctx, ok: bool, username: &str) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        // A failed login names the attempted account, never the password.
        audit(&mut tx, ctx, if ok { "login" } else { "login_failed" }, "user", username, "").await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_session(&self, user: UserId, token_hash: &str, csrf: &str, now: i64) -> Result<()> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen) VALUES (?,?,?,?,?)")
            .bind(token_hash)
            .bind(user.0)
            .bind(csrf)
            .bind(now)
            .bind(now)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn touch_session(&self, token_hash: &str, now: i64, idle_secs: i64) -> Result<Option<(Principal, String)>> {
        let mut conn = self.writer.acquire().await?;
        let row = sqlx::query(&format!(
            "SELECT {PRINCIPAL_COLS}, s.csrf_token, s.last_seen FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ? AND u.disabled = 0"
        ))
        .bind(token_hash)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let last_seen: i64 = row.try_get("last_seen")?;
        if now - last_seen > idle_secs {
            sqlx::query("DELETE FROM sessions WHERE token_hash = ?").bind(token_hash).execute(&mut *conn).await?;
            return Ok(None);
        }
        sqlx::query("UPDATE sessions SET last_seen = ? WHERE token_hash = ?").bind(now).bind(token_hash).execute(&mut *conn).await?;
        Ok(Some((principal_from_row(&row)?, row.try_get("csrf_token")?)))
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?").bind(token_hash).execute(&self.writer).await?;
        Ok(())
    }

    async fn create_api_token(&self, ctx: &Ctx, username: &str, token_hash: &str) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        let id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM users WHERE username = ? AND disabled = 0").bind(username).fetch_optional(&mut *tx).await?;
        let id = id.ok_or_else(|| StoreError::NotFound(format!("active user '{username}'")))?;
        sqlx::query("INSERT INTO api_tokens (user_id, token_hash, created_at) VALUES (?,?,?)")
            .bind(id)
            .bind(token_hash)
            .bind(now_rfc3339())
            .execute(&mut *tx)
            .await?;
        audit(&mut tx, ctx, "create_api_token", "user", &id.to_string(), "").await?;
        tx.commit().await?;
        Ok(())
    }

    async fn principal_for_token(&self, token_hash: &str) -> Result<Option<Principal>> {
        let r = sqlx::query(&format!(
            "SELECT {PRINCIPAL_COLS} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.revoked = 0 AND u.disabled = 0"
        ))
        .bind(token_hash)
        .fetch_optional(&self.reader)
        .await?;
        r.as_ref().map(principal_from_row).transpose()
    }

    async fn agencies(&self) -> Result<Vec<AgencyRow>> {
        let rows = sqlx::query("SELECT id, key, name, kind FROM agencies ORDER BY name").fetch_all(&self.reader).await?;
        rows.iter()
            .map(|r| {
                Ok(AgencyRow { id: AgencyId(r.try_get("id")?), key: r.try_get("key")?, name: r.try_get("name")?, kind: r.try_get("kind")? })
            })
            .collect()
    }

    async fn teams(&self) -> Result<Vec<TeamRow>> {
        let rows = sqlx::query(
            "SELECT t.id, t.key, t.name, t.kind, a.name AS agency FROM teams t JOIN agencies a ON a.id = t.agency_id ORDER BY t.name",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TeamRow {
                    id: TeamId(r.try_get("id")?),
                    key: r.try_get("key")?,
                    name: r.try_get("name")?,
                    kind: r.try_get("kind")?,
                    agency: r.try_get("agency")?,
                })
            })
            .collect()
    }

    async fn search_people(&self, ctx: &Ctx, q: &Query, limit: usize) -> Result<Vec<PersonHit>> {
        let Some(who) = ctx.principal() else { return Ok(vec![]) };
        if q.is_empty() {
            return Ok(vec![]);
        }
        let keys = q.name_keys();
        let mut conds: Vec<String> = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        if !keys.is_empty() {
            // One name word: it may be either name. Two or more: both the
            // given and the family name must sound like one of them (in
            // either order), which keeps candidate sets small at scale.
            let ph = vec!["?"; keys.len()].join(",");
            let joiner = if q.names.len() >= 2 { "AND" } else { "OR" };
            conds.push(format!("(family_key IN ({ph}) {joiner} given_key IN ({ph}))"));
            binds.extend(keys.iter().cloned());
            binds.extend(keys.iter().cloned());
        }
        if let Some(d) = q.date_of_birth {
            conds.push("date_of_birth = ?".into());
            binds.push(d.format("%Y-%m-%d").to_string());
        }
        if let Some(p) = &q.postcode {
            conds.push("postcode = ?".into());
            binds.push(p.as_str().to_string());
        }
        if let Some(p) = &q.postcode_prefix {
            conds.push("postcode_district = ?".into());
            binds.push(p.clone());
        }
        let sql = format!(
            "SELECT id, given_name, family_name, date_of_birth, sex, postcode FROM people WHERE merged_into IS NULL AND ({}) LIMIT 20000",
            conds.join(" OR ")
        );
        let mut query = sqlx::query(&sql);
        for b in &binds {
            query = query.bind(b);
        }
        let rows = query.fetch_all(&self.reader).await?;
        let mut scored: Vec<PersonHit> = Vec::new();
        for r in &rows {
            let dob: Option<String> = r.try_get("date_of_birth")?;
            let dob_date = dob.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            let given: String = r.try_get("given_name")?;
            let family: String = r.try_get("family_name")?;
            let postcode: Option<String> = r.try_get("postcode")?;
            let score = q.score(&given, &family, dob_date, postcode.as_deref());
            if score >= MIN_SCORE {
                scored.push(PersonHit {
                    id: PersonId(r.try_get("id")?),
                    given_name: given,
                    family_name: family,
                    date_of_birth: dob,
                    sex: r.try_get("sex")?,
                    postcode,
                    score,
                });
            }
        }
        scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        // The record filter, best matches first, until the page is full.
        let mut conn = self.reader.acquire().await?;
        let mut out = Vec::new();
        for hit in scored {
            if out.len() >= limit {
                break;
            }
            if let Some(f) = person_facts(&mut conn, hit.id).await?
                && person_access(who, &f).can_read()
            {
                out.push(hit);
            }
        }
        drop(conn);
        let mut tx = self.writer.begin().await?;
        let ids: Vec<String> = out.iter().map(|h| h.id.to_string()).collect();
        audit(&mut tx, ctx, "search_people", "search", "", &format!("results={}", ids.join(","))).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn read_person(&self, ctx: &Ctx, id: PersonId) -> Result<Option<PersonRecord>> {
        let Some(who) = ctx.principal() else { return Ok(None) };
        let mut tx = self.writer.begin().await?;
        let Some(facts) = person_facts(&mut tx, id).await? else { return Ok(None) };
        let access = person_access(who, &facts);
        if !access.can_read() {
            audit(&mut tx, ctx, "read_person_denied", "person", &id.to_string(), "").await?;
            tx.commit().await?;
            return Ok(None);
        }
        let p = sqlx::query("SELECT * FROM people WHERE id = ?").bind(id.0).fetch_one(&mut *tx).await?;
        let dob: Option<String> = p.try_get("date_of_birth")?;
        let age = dob
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .and_then(|d| haven_domain::person::DateOfBirth::from_date("dob", d, today()).ok().map(|d| d.age_on(today())));
        let mut characteristics = std::collections::BTreeMap::new();
        for c in [
            "gender_identity",
            "sexual_orientation",
            "ethnicity",
            "disability",
            "religion",
            "pregnant",
            "marital_status",
            "immigration_status",
            "nrpf",
        ] {
            characteristics.insert(c.to_string(), p.try_get::<String, _>(c)?);
        }
        let refs = sqlx::query(
            "SELECT r.*, a.name AS agency_name, t.name AS team_name FROM referrals r
             LEFT JOIN agencies a ON a.id = r.referring_agency_id LEFT JOIN teams t ON t.id = r.assigned_team_id
             WHERE r.person_id = ? ORDER BY r.referral_date DESC, r.id DESC",
        )
        .bind(id.0)
        .fetch_all(&mut *tx)
        .await?;
        let mut referrals = Vec::new();
        for r in &refs {
            referrals.push(ReferralSummary {
                id: ReferralId(r.try_get("id")?),
                referral_date: r.try_get("referral_date")?,
                source_agency: r.try_get("source_agency_kind")?,
                referring_agency: r.try_get("agency_name")?,
                reason: r.try_get("reason")?,
                consent: r.try_get::<i64, _>("consent")? != 0,
                lawful_basis: r.try_get("lawful_basis")?,
                risk_level: r.try_get("risk_level")?,
                dash_score: r.try_get("dash_score")?,
                police_incident: r.try_get::<i64, _>("police_incident")? != 0,
                assigned_team: r.try_get("team_name")?,
                status: r.try_get("status")?,
            });
        }
        let linked_rows = sqlx::query(
            "SELECT DISTINCT p.id, p.given_name || ' ' || p.family_name AS name, rp.role, p.date_of_birth FROM referral_people rp
               JOIN referrals r ON r.id = rp.referral_id JOIN people p ON p.id = rp.person_id WHERE r.person_id = ?1
             UNION
             SELECT DISTINCT p.id, p.given_name || ' ' || p.family_name, 'victim', p.date_of_birth FROM referral_people rp
               JOIN referrals r ON r.id = rp.referral_id JOIN people p ON p.id = r.person_id WHERE rp.person_id = ?1
             ORDER BY 3, 2",
        )
        .bind(id.0)
        .fetch_all(&mut *tx)
        .await?;
        let mut linked_people = Vec::new();
        for r in &linked_rows {
            linked_people.push(LinkedPerson {
                id: PersonId(r.try_get(0)?),
                name: r.try_get(1)?,
                role: r.try_get(2)?,
                date_of_birth: r.try_get(3)?,
            });
        }
        let sc = sqlx::query("SELECT * FROM safe_contacts WHERE person_id = ?").bind(id.0).fetch_optional(&mut *tx).await?;
        let (safe_contact, safe_contact_withheld) = match (&sc, access.sees_safe_contact()) {
            (Some(s), true) => {
                let v = haven_domain::referral::SafeContact {
                    safe_to_call: opt_bool(s.try_get("safe_to_call")?),
                    safe_to_text: opt_bool(s.try_get("safe_to_text")?),
                    safe_to_email: opt_bool(s.try_get("safe_to_email")?),
                    safe_to_leave_message: opt_bool(s.try_get("safe_to_leave_message")?),
                    safe_times: s.try_get("safe_times")?,
                    phone: None,
                    email: s.try_get("email")?,
                    safe_address: s.try_get("safe_address")?,
                };
                let mut view = SafeContactView::from_domain(&v);
                view.phone = s.try_get("phone")?;
                (Some(view), false)
            }
            (Some(_), false) => (None, true),
            (None, true) => (Some(SafeContactView::from_domain(&Default::default())), false),
            (None, false) => (None, false),
        };
        let detail = if safe_contact.is_some() { "fields=all" } else { "fields=summary" };
        audit(&mut tx, ctx, "read_person", "person", &id.to_string(), detail).await?;
        tx.commit().await?;
        Ok(Some(PersonRecord {
            id,
            given_name: p.try_get("given_name")?,
            family_name: p.try_get("family_name")?,
            date_of_birth: dob,
            age,
            sex: p.try_get("sex")?,
            postcode: p.try_get("postcode")?,
            restricted: p.try_get::<i64, _>("restricted")? != 0,
            characteristics,
            referrals,
            linked_people,
            safe_contact,
            safe_contact_withheld,
            access: Some(access),
        }))
    }

    async fn create_referral(&self, ctx: &Ctx, r: &NewReferral, existing: Option<PersonId>) -> Result<(ReferralId, PersonId)> {
        let Some(who) = ctx.principal() else {
            return Err(StoreError::Conflict { field: "user".into(), message: "a referral must be made by a signed-in user".into() });
        };
        let mut tx = self.writer.begin().await?;
        let person_id = match existing {
            Some(id) => {
                let facts = person_facts(&mut tx, id).await?;
                // Joining a record the caller may not see is refused as if it did not exist.
                if !facts.is_some_and(|f| person_access(who, &f).can_read()) {
                    return Err(StoreError::Conflict { field: "person_id".into(), message: "no such person".into() });
                }
                id
            }
            None => {
                let p = &r.person;
                let c = &p.characteristics;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO people (given_name, family_name, given_key, family_key, date_of_birth, sex, postcode, postcode_district,
                       gender_identity, sexual_orientation, ethnicity, disability, religion, pregnant, marital_status, immigration_status, nrpf, created_at)
                     VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                )
                .bind(p.given_name.as_str())
                .bind(p.family_name.as_str())
                .bind(soundex(p.given_name.as_str()))
                .bind(soundex(p.family_name.as_str()))
                .bind(p.date_of_birth.map(|d| d.date().format("%Y-%m-%d").to_string()))
                .bind(p.sex.key())
                .bind(p.postcode.as_ref().map(|p| p.as_str().to_string()))
                .bind(p.postcode.as_ref().map(|p| p.district().to_string()))
                .bind(c.gender_identity.key())
                .bind(c.sexual_orientation.key())
                .bind(c.ethnicity.key())
                .bind(c.disability.key())
                .bind(c.religion.key())
                .bind(c.pregnant.key())
                .bind(c.marital_status.key())
                .bind(c.immigration_status.key())
                .bind(c.nrpf.key())
                .bind(now_rfc3339())
                .fetch_one(&mut *tx)
                .await?;
                audit(&mut tx, ctx, "create_person", "person", &id.to_string(), "").await?;
                PersonId(id)
            }
        };
        crate::sqlite_intake::upsert_safe_contact(&mut tx, person_id, &r.safe_contact).await?;
        let rid = insert_referral(&mut tx, who, r, person_id).await?;
        audit(&mut tx, ctx, "create_referral", "referral", &rid.to_string(), &format!("person={person_id}")).await?;
        tx.commit().await?;
        Ok((ReferralId(rid), person_id))
    }

    async fn dashboard(&self, ctx: &Ctx) -> Result<Dashboard> {
        let Some(who) = ctx.principal() else {
            return Ok(Dashboard { heading: String::new(), counts: vec![], queue_title: None, queue: vec![] });
        };
        let year_ago = (today() - chrono::Duration::days(365)).format("%Y-%m-%d").to_string();
        let mut conn = self.reader.acquire().await?;
        let mut counts = Vec::new();
        let count = |label: &str, v: i64| Count { label: label.to_string(), value: Some(v) };
        // Not yet assessed is treated as high until a DASH says otherwise.
        const RISK_ORDER: &str =
            "CASE COALESCE(r.risk_level, 'high') WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'standard' THEN 2 ELSE 0 END";
        let (heading, queue_title, queue_where, queue_bind): (&str, Option<&str>, String, Option<i64>) = match who.role {
            Role::Triage => {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM referrals WHERE status = 'new' AND assigned_team_id IS NULL")
                    .fetch_one(&mut *conn)
                    .await?;
                counts.push(count("New referrals awaiting triage", n));
                let h: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM referrals WHERE status = 'new' AND assigned_team_id IS NULL AND risk_level = 'high'",
                )
                .fetch_one(&mut *conn)
                .await?;
                counts.push(count("of which high risk", h));
                (
                    "Front door",
                    Some("Triage queue: highest risk and oldest first"),
                    "r.status = 'new' AND r.assigned_team_id IS NULL".into(),
                    None,
                )
            }
            Role::Caseworker | Role::AccommodationManager => {
                let t = who.team_id.map(|t| t.0).unwrap_or(-1);
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM referrals WHERE assigned_team_id = ? AND status != 'closed'")
                    .bind(t)
                    .fetch_one(&mut *conn)
                    .await?;
                counts.push(count("Open referrals for my team", n));
                let h: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM referrals WHERE assigned_team_id = ? AND status != 'closed' AND risk_level = 'high'",
                )
                .bind(t)
                .fetch_one(&mut *conn)
                .await?;
                counts.push(count("of which high risk", h));
                ("My team's caseload", Some("My team's open referrals"), "r.assigned_team_id = ? AND r.status != 'closed'".into(), Some(t))
            }
            Role::MaracCoordinator => {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM referrals WHERE risk_level = 'high' AND referral_date > ?")
                    .bind(&year_ago)
                    .fetch_one(&mut *conn)
                    .await?;
                counts.push(count("High-risk referrals in the last 12 months", n));
                ("MARAC", Some("High-risk referrals not yet closed"), "r.risk_level = 'high' AND r.status != 'closed'".into(), None)
            }
            Role::PartnerAgency => {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM referrals WHERE referring_agency_id = ? AND referral_date > ?")
                    .bind(who.agency_id.0)
                    .bind(&year_ago)
                    .fetch_one(&mut *conn)
                    .await?;
                counts.push(count("Referrals my agency made in the last 12 months", n));
                (
                    "My agency's referrals",
                    Some("My agency's most recent referrals"),
                    "r.referring_agency_id = ?".into(),
                    Some(who.agency_id.0),
                )
            }
            Role::Admin => {
                let u: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE disabled = 0").fetch_one(&mut *conn).await?;
                counts.push(count("Active users", u));
                let d: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE disabled = 1").fetch_one(&mut *conn).await?;
                counts.push(count("Disabled users", d));
                let a: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(&mut *conn).await?;
                counts.push(count("Audit log entries", a));
                ("Administration", None, String::new(), None)
            }
            Role::Commissioner => {
                let rows = sqlx::query("SELECT COALESCE(risk_level, 'not assessed') AS k, COUNT(*) AS n FROM referrals WHERE referral_date > ? GROUP BY 1 ORDER BY 1")
                    .bind(&year_ago)
                    .fetch_all(&mut *conn)
                    .await?;
                let total: i64 = rows.iter().map(|r| r.try_get::<i64, _>("n").unwrap_or(0)).sum();
                counts.push(Count { label: "Referrals in the last 12 months".into(), value: (total >= SUPPRESS_BELOW).then_some(total) });
                for r in rows {
                    let k: String = r.try_get("k")?;
                    let n: i64 = r.try_get("n")?;
                    counts.push(Count { label: format!("Risk: {k}"), value: (n >= SUPPRESS_BELOW).then_some(n) });
                }
                ("Partnership figures", None, String::new(), None)
            }
        };
        let mut queue = Vec::new();
        if queue_title.is_some() {
            let order = if who.role == Role::PartnerAgency {
                "r.referral_date DESC, r.id DESC".to_string()
            } else {
                format!("{RISK_ORDER}, r.referral_date ASC, r.id ASC")
            };
            let sql = format!(
                "SELECT r.id, r.person_id, p.given_name || ' ' || p.family_name AS name, r.referral_date, r.source_agency_kind, r.risk_level, t.name AS team, r.status, p.restricted
                 FROM referrals r JOIN people p ON p.id = r.person_id LEFT JOIN teams t ON t.id = r.assigned_team_id
                 WHERE {queue_where} ORDER BY {order} LIMIT 25"
            );
            let mut q = sqlx::query(&sql);
            if let Some(b) = queue_bind {
                q = q.bind(b);
            }
            for r in q.fetch_all(&mut *conn).await? {
                let pid = PersonId(r.try_get("person_id")?);
                // The queue only names people the record filter lets this user see.
                let visible = match person_facts(&mut conn, pid).await? {
                    Some(f) => person_access(who, &f) != PersonAccess::Hidden,
                    None => false,
                };
                if !visible {
                    continue;
                }
                queue.push(QueueItem {
                    referral_id: ReferralId(r.try_get("id")?),
                    person_id: pid,
                    person_name: r.try_get("name")?,
                    referral_date: r.try_get("referral_date")?,
                    source_agency: r.try_get("source_agency_kind")?,
                    risk_level: r.try_get("risk_level")?,
                    assigned_team: r.try_get("team")?,
                    status: r.try_get("status")?,
                });
            }
            drop(conn);
            let mut tx = self.writer.begin().await?;
            let ids: Vec<String> = queue.iter().map(|q| q.person_id.to_string()).collect();
            audit(&mut tx, ctx, "view_queue", "queue", who.role.key(), &format!("people={}", ids.join(","))).await?;
            tx.commit().await?;
        }
        Ok(Dashboard { heading: heading.to_string(), counts, queue_title: queue_title.map(String::from), queue })
    }

    async fn audit_recent(&self, ctx: &Ctx, f: &AuditFilter) -> Result<Vec<AuditRow>> {
        let mut sql =
            String::from("SELECT id, at, username, action, record_type, record_id, detail, source, hash FROM audit_log WHERE 1=1");
        let mut binds: Vec<String> = Vec::new();
        if let Some(u) = &f.username {
            sql.push_str(" AND username = ?");
            binds.push(u.clone());
        }
        if let Some(t) = &f.record_type {
            sql.push_str(" AND record_type = ?");
            binds.push(t.clone());
        }
        if let Some(r) = &f.record_id {
            sql.push_str(" AND record_id = ?");
            binds.push(r.clone());
        }
        if let Some(a) = &f.action {
            sql.push_str(" AND action = ?");
            binds.push(a.clone());
        }
        sql.push_str(" ORDER BY id DESC LIMIT ?");
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q.bind(f.limit.clamp(1, 1000)).fetch_all(&self.writer).await?;
        let out = rows
            .iter()
            .map(|r| {
                let rt: String = r.try_get("record_type")?;
                let rid: String = r.try_get("record_id")?;
                Ok(AuditRow {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    user: r.try_get("username")?,
                    action: r.try_get("action")?,
                    record: if rid.is_empty() { rt } else { format!("{rt}:{rid}") },
                    detail: r.try_get("detail")?,
                    source: r.try_get("source")?,
                    hash: r.try_get("hash")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut tx = self.writer.begin().await?;
        audit(&mut tx, ctx, "view_audit", "audit", "", &format!("rows={}", out.len())).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn verify_audit(&self) -> Result<AuditVerification> {
        use sqlx::Row as _;
        let mut rows = sqlx::query(
            "SELECT id, at, user_id, username, action, record_type, record_id, detail, source, prev_hash, hash FROM audit_log ORDER BY id",
        )
        .fetch(&self.reader);
        let mut prev = GENESIS.to_string();
        let mut n = 0i64;
        use futures_lite::StreamExt as _;
        while let Some(r) = rows.try_next().await? {
            n += 1;
            let id: i64 = r.try_get("id")?;
            let at: String = r.try_get("at")?;
            let username: String = r.try_get("username")?;
            let action: String = r.try_get("action")?;
            let record_type: String = r.try_get("record_type")?;
            let record_id: String = r.try_get("record_id")?;
            let detail: String = r.try_get("detail")?;
            let source: String = r.try_get("source")?;
            let stored_prev: String = r.try_get("prev_hash")?;
            let hash: String = r.try_get("hash")?;
            let fields = AuditFields {
                at: &at,
                user_id: r.try_get("user_id")?,
                username: &username,
                action: &action,
                record_type: &record_type,
                record_id: &record_id,
                detail: &detail,
                source: &source,
            };
            if stored_prev != prev || chain_hash(&prev, &fields) != hash {
                return Ok(AuditVerification { rows: n, head_hash: prev, first_broken: Some(id) });
            }
            prev = hash;
        }
        Ok(AuditVerification { rows: n, head_hash: prev, first_broken: None })
    }
}

/// One transaction for loading many rows fast (synthetic data, migrations
/// from other systems). Nothing is visible until `commit`.
pub struct BulkLoader {
    tx: sqlx::Transaction<'static, sqlx::Sqlite>,
}

impl BulkLoader {
    pub async fn lot(&mut self, key: &str, name: &str) -> Result<i64> {
        Ok(sqlx::query_scalar("INSERT INTO lots (key, name) VALUES (?,?) RETURNING id")
            .bind(key)
            .bind(name)
            .fetch_one(&mut *self.tx)
            .await?)
    }
    pub async fn district(&mut self, key: &str, name: &str, lot_key: &str, population: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO districts (key, name, lot_id, population) VALUES (?,?,(SELECT id FROM lots WHERE key = ?),?) RETURNING id",
        )
        .bind(key)
        .bind(name)
        .bind(lot_key)
        .bind(population)
        .fetch_one(&mut *self.tx)
        .await?)
    }
    pub async fn agency(&mut self, key: &str, name: &str, kind: &str) -> Result<i64> {
        Ok(sqlx::query_scalar("INSERT INTO agencies (key, name, kind) VALUES (?,?,?) RETURNING id")
            .bind(key)
            .bind(name)
            .bind(kind)
            .fetch_one(&mut *self.tx)
            .await?)
    }
    pub async fn team(&mut self, key: &str, name: &str, kind: &str, agency_key: &str, fte: f64, safe_caseload: Option<i64>) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO teams (key, name, kind, agency_id, fte, safe_caseload_per_fte) VALUES (?,?,?,(SELECT id FROM agencies WHERE key = ?),?,?) RETURNING id",
        )
        .bind(key)
        .bind(name)
        .bind(kind)
        .bind(agency_key)
        .bind(fte)
        .bind(safe_caseload)
        .fetch_one(&mut *self.tx)
        .await?)
    }
    pub async fn user(&mut self, u: &NewUser) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO users (username, display_name, role, agency_id, team_id, password_hash, created_at)
             VALUES (?,?,?,(SELECT id FROM agencies WHERE key = ?),(SELECT id FROM teams WHERE key = ?),?,?) RETURNING id",
        )
        .bind(&u.username)
        .bind(&u.display_name)
        .bind(u.role.key())
        .bind(&u.agency)
        .bind(&u.team)
        .bind(&u.password_hash)
        .bind(now_rfc3339())
        .fetch_one(&mut *self.tx)
        .await?)
    }
    pub async fn person(&mut self, p: &bulk::Person) -> Result<i64> {
        let district = p.postcode.as_deref().and_then(|pc| pc.split(' ').next()).map(str::to_string);
        Ok(sqlx::query_scalar(
            "INSERT INTO people (given_name, family_name, given_key, family_key, date_of_birth, sex, postcode, postcode_district, ethnicity, disability, sexual_orientation, created_at)
             VALUES (?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
        )
        .bind(&p.given_name)
        .bind(&p.family_name)
        .bind(soundex(&p.given_name))
        .bind(soundex(&p.family_name))
        .bind(p.date_of_birth.map(|d| d.format("%Y-%m-%d").to_string()))
        .bind(p.sex.key())
        .bind(&p.postcode)
        .bind(district)
        .bind(p.ethnicity.key())
        .bind(p.disability.key())
        .bind(p.sexual_orientation.key())
        .bind(now_rfc3339())
        .fetch_one(&mut *self.tx)
        .await?)
    }
    pub async fn relationship(&mut self, from: i64, to: i64, kind: &str) -> Result<()> {
        sqlx::query("INSERT OR IGNORE INTO relationships (from_person_id, to_person_id, kind) VALUES (?,?,?)")
            .bind(from)
            .bind(to)
            .bind(kind)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
    pub async fn referral(&mut self, r: &bulk::Referral) -> Result<i64> {
        let received = format!("{}T09:00:00.000Z", r.referral_date.format("%Y-%m-%d"));
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO referrals (person_id, source_agency_kind, referring_agency_id, referral_date, received_at, reason, consent, lawful_basis,
               risk_level, dash_score, police_incident, district_id, assigned_team_id, status)
             VALUES (?,?,(SELECT id FROM agencies WHERE key = ?),?,?,?,?,?,?,?,?,(SELECT id FROM districts WHERE key = ?),(SELECT id FROM teams WHERE key = ?),?) RETURNING id",
        )
        .bind(r.person_id)
        .bind(&r.source_agency_kind)
        .bind(&r.referring_agency_key)
        .bind(r.referral_date.format("%Y-%m-%d").to_string())
        .bind(received)
        .bind(&r.reason)
        .bind(r.consent as i64)
        .bind(if r.consent { "consent" } else { "public_task" })
        .bind(r.risk_level.map(|l| l.key()))
        .bind(r.dash_score)
        .bind(r.police_incident as i64)
        .bind(&r.district_key)
        .bind(&r.assigned_team_key)
        .bind(&r.status)
        .fetch_one(&mut *self.tx)
        .await?;
        if let Some(p) = r.perpetrator_id {
            sqlx::query("INSERT OR IGNORE INTO referral_people (referral_id, person_id, role) VALUES (?,?,'alleged_perpetrator')")
                .bind(id)
                .bind(p)
                .execute(&mut *self.tx)
                .await?;
            if let Some(k) = r.relationship {
                self.relationship(r.person_id, p, k.key()).await?;
            }
        }
        for c in &r.child_ids {
            sqlx::query("INSERT OR IGNORE INTO referral_people (referral_id, person_id, role) VALUES (?,?,'child')")
                .bind(id)
                .bind(c)
                .execute(&mut *self.tx)
                .await?;
            self.relationship(r.person_id, *c, "parent_of").await?;
        }
        if r.safe_to_call.is_some() || r.safe_to_text.is_some() || r.safe_times.is_some() {
            sqlx::query(
                "INSERT INTO safe_contacts (person_id, safe_to_call, safe_to_text, safe_times, updated_at) VALUES (?,?,?,?,?)
                 ON CONFLICT(person_id) DO UPDATE SET safe_to_call = excluded.safe_to_call, safe_to_text = excluded.safe_to_text, safe_times = excluded.safe_times",
            )
            .bind(r.person_id)
            .bind(r.safe_to_call.map(i64::from))
            .bind(r.safe_to_text.map(i64::from))
            .bind(&r.safe_times)
            .bind(now_rfc3339())
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(id)
    }
    /// Commit everything, with one audit row describing the load.
    pub async fn commit(mut self, ctx: &Ctx, what: &str) -> Result<()> {
        audit(&mut self.tx, ctx, "bulk_load", "database", "", what).await?;
        self.tx.commit().await?;
        Ok(())
    }
}
