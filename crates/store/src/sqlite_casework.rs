//! SQLite implementation of [`crate::CaseworkStore`].
use crate::casework::*;
use crate::sqlite::{SqliteStore, audit, now_rfc3339, person_facts};
use crate::{AgencyRow, Ctx, Result, SafeContactView, StoreError};
use async_trait::async_trait;
use chrono::NaiveDate;
use haven_domain::access::{PersonAccess, Principal, Role, marac_member, person_access};
use haven_domain::agency::AgencyKind;
use haven_domain::dash::{ChildRiskAssessment, DashAssessment, RiskSnapshot};
use haven_domain::ids::{AgencyId, PersonId, ReferralId, TeamId, UserId};
use haven_domain::marac::{Incident, MaracCase, MaracHistory, MaracRules, Period, in_repeat_window, marac_eligibility};
use haven_domain::person::{Characteristics, Ethnicity, GenderIdentity, Sex, SexualOrientation, YesNoUnknown};
use haven_domain::referral::SafeContact;
use haven_domain::risk::RiskLevel;
use haven_domain::triage::ContactAttempt;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use std::collections::BTreeSet;

const DATE: &str = "%Y-%m-%d";

fn date_str(d: NaiveDate) -> String {
    d.format(DATE).to_string()
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), DATE).ok()
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(format!("cannot encode: {e}")))
}

fn strings(s: &str) -> Result<Vec<String>> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("stored list: {e}")))
}

fn json_value(s: &str) -> Result<serde_json::Value> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("stored JSON: {e}")))
}

fn conflict(field: &str, message: impl Into<String>) -> StoreError {
    StoreError::Conflict { field: field.into(), message: message.into() }
}

/// The record filter for one person, from inside a transaction.
async fn access(conn: &mut SqliteConnection, who: &Principal, id: PersonId) -> Result<PersonAccess> {
    Ok(match person_facts(conn, id).await? {
        Some(f) => person_access(who, &f),
        None => PersonAccess::Hidden,
    })
}

const HEADER_SQL: &str = "SELECT r.id, r.person_id, p.given_name || ' ' || p.family_name AS person_name, r.referral_date, r.received_at,
    r.source_agency_kind, a.name AS agency_name, r.reason, r.risk_level, r.dash_score, r.status, t.name AS team_name,
    u.display_name AS worker_name, r.district_id
    FROM referrals r JOIN people p ON p.id = r.person_id LEFT JOIN agencies a ON a.id = r.referring_agency_id
    LEFT JOIN teams t ON t.id = r.assigned_team_id LEFT JOIN users u ON u.id = r.assigned_user_id";

fn header(r: &SqliteRow) -> Result<ReferralHeader> {
    Ok(ReferralHeader {
        referral_id: ReferralId(r.try_get("id")?),
        person_id: PersonId(r.try_get("person_id")?),
        person_name: r.try_get("person_name")?,
        referral_date: r.try_get("referral_date")?,
        received_at: r.try_get("received_at")?,
        source_agency: r.try_get("source_agency_kind")?,
        referring_agency: r.try_get("agency_name")?,
        reason: r.try_get("reason")?,
        risk_level: r.try_get("risk_level")?,
        dash_score: r.try_get("dash_score")?,
        status: r.try_get("status")?,
        assigned_team: r.try_get("team_name")?,
        assigned_worker: r.try_get("worker_name")?,
        district_id: r.try_get("district_id")?,
    })
}

async fn referral_header(conn: &mut SqliteConnection, id: ReferralId) -> Result<Option<ReferralHeader>> {
    let r = sqlx::query(&format!("{HEADER_SQL} WHERE r.id = ?")).bind(id.0).fetch_optional(&mut *conn).await?;
    r.as_ref().map(header).transpose()
}

/// The person's current risk: the latest DASH, else the latest graded referral.
async fn current_risk(conn: &mut SqliteConnection, person: PersonId) -> Result<Option<RiskSnapshot>> {
    let a = sqlx::query("SELECT score, level, raised_by_judgement FROM dash_assessments WHERE person_id = ? ORDER BY id DESC LIMIT 1")
        .bind(person.0)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(a) = a {
        let level: String = a.try_get("level")?;
        let level = RiskLevel::from_key(&level).ok_or_else(|| StoreError::Corrupt(format!("risk level {level}")))?;
        return Ok(Some(RiskSnapshot {
            score: u8::try_from(a.try_get::<i64, _>("score")?).unwrap_or(0),
            level,
            raised_by_judgement: a.try_get::<i64, _>("raised_by_judgement")? != 0,
        }));
    }
    let r = sqlx::query(
        "SELECT risk_level, dash_score FROM referrals WHERE person_id = ? AND risk_level IS NOT NULL ORDER BY referral_date DESC, id DESC LIMIT 1",
    )
    .bind(person.0)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = r else { return Ok(None) };
    let level: String = r.try_get("risk_level")?;
    Ok(RiskLevel::from_key(&level).map(|level| RiskSnapshot {
        score: r.try_get::<Option<i64>, _>("dash_score").ok().flatten().and_then(|s| u8::try_from(s).ok()).unwrap_or(0),
        level,
        raised_by_judgement: false,
    }))
}

/// Incidents recorded by the intake area's police-incident import, if that
/// table exists (found by name and column names, so this area does not
/// depend on the intake migration).
async fn imported_police_incidents(conn: &mut SqliteConnection, person: PersonId) -> Result<Vec<NaiveDate>> {
    let tables: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%police%incident%'")
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::new();
    for t in tables {
        if !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let cols: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?)").bind(&t).fetch_all(&mut *conn).await?;
        let pick = |cands: &[&str]| cands.iter().find(|c| cols.iter().any(|x| x == *c)).map(|c| c.to_string());
        let (Some(pc), Some(dc)) = (
            pick(&["victim_person_id", "person_id", "victim_id"]),
            pick(&["incident_date", "occurred_on", "incident_on", "occurred_at", "incident_at", "date"]),
        ) else {
            continue;
        };
        let rows: Vec<Option<String>> = sqlx::query_scalar(&format!("SELECT CAST(\"{dc}\" AS TEXT) FROM \"{t}\" WHERE \"{pc}\" = ?"))
            .bind(person.0)
            .fetch_all(&mut *conn)
            .await?;
        out.extend(rows.into_iter().flatten().filter_map(|d| parse_date(&d)));
    }
    Ok(out)
}

/// What the MARAC eligibility rules need to know about one person.
async fn marac_history(conn: &mut SqliteConnection, person: PersonId) -> Result<MaracHistory> {
    let risk = current_risk(conn, person).await?;
    let rows = sqlx::query("SELECT referral_date, police_incident, source_agency_kind FROM referrals WHERE person_id = ?")
        .bind(person.0)
        .fetch_all(&mut *conn)
        .await?;
    let mut incidents = Vec::new();
    let mut police_dates = BTreeSet::new();
    for r in &rows {
        let Some(date) = parse_date(&r.try_get::<String, _>("referral_date")?) else { continue };
        let police = r.try_get::<i64, _>("police_incident")? != 0;
        let kind: String = r.try_get("source_agency_kind")?;
        let agency = if police { AgencyKind::Police } else { AgencyKind::from_key(&kind).unwrap_or(AgencyKind::Other) };
        if agency.is_police() {
            police_dates.insert(date);
        }
        incidents.push(Incident { date, agency });
    }
    // The same incident may arrive both as an imported incident and as a
    // police referral: one per day counts once.
    for d in imported_police_incidents(conn, person).await? {
        if police_dates.insert(d) {
            incidents.push(Incident { date: d, agency: AgencyKind::Police });
        }
    }
    let last: Option<String> = sqlx::query_scalar("SELECT MAX(referred_on) FROM marac_cases WHERE person_id = ? AND status != 'withdrawn'")
        .bind(person.0)
        .fetch_one(&mut *conn)
        .await?;
    Ok(MaracHistory { risk, incidents, last_marac: last.as_deref().and_then(parse_date) })
}

async fn area_members(conn: &mut SqliteConnection, area: i64) -> Result<Vec<AgencyId>> {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT agency_id FROM marac_area_agencies WHERE area_id = ?").bind(area).fetch_all(&mut *conn).await?;
    Ok(ids.into_iter().map(AgencyId).collect())
}

async fn area_member_rows(conn: &mut SqliteConnection, area: i64) -> Result<Vec<AgencyRow>> {
    let rows = sqlx::query("SELECT a.id, a.key, a.name, a.kind FROM marac_area_agencies m JOIN agencies a ON a.id = m.agency_id WHERE m.area_id = ? ORDER BY a.name")
        .bind(area)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(AgencyRow { id: AgencyId(r.try_get("id")?), key: r.try_get("key")?, name: r.try_get("name")?, kind: r.try_get("kind")? })
        })
        .collect()
}

async fn open_marac_case(conn: &mut SqliteConnection, person: PersonId) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT id FROM marac_cases WHERE person_id = ? AND status IN ('referred', 'listed') ORDER BY id DESC LIMIT 1")
        .bind(person.0)
        .fetch_optional(&mut *conn)
        .await?)
}

async fn children_count(conn: &mut SqliteConnection, person: PersonId) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(DISTINCT rp.person_id) FROM referral_people rp JOIN referrals r ON r.id = rp.referral_id WHERE r.person_id = ? AND rp.role = 'child'",
    )
    .bind(person.0)
    .fetch_one(&mut *conn)
    .await?)
}

/// Insert a MARAC case after checking eligibility; listed at the area's next
/// meeting on or after `today` if one is scheduled.
#[allow(clippy::too_many_arguments)]
async fn insert_marac_case(
    conn: &mut SqliteConnection,
    ctx: &Ctx,
    who: &Principal,
    person: PersonId,
    area: i64,
    referral: Option<ReferralId>,
    rules: &MaracRules,
    today: NaiveDate,
    area_field: &str,
) -> Result<i64> {
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM marac_areas WHERE id = ?").bind(area).fetch_optional(&mut *conn).await?;
    if exists.is_none() {
        return Err(conflict(area_field, "choose a MARAC area"));
    }
    if let Some(c) = open_marac_case(conn, person).await? {
        return Err(conflict("person_id", format!("is already referred to MARAC (case {c}) and waiting to be heard")));
    }
    let history = marac_history(conn, person).await?;
    let elig = marac_eligibility(&history, today, rules);
    if !elig.eligible {
        return Err(conflict(
            "person_id",
            "is not MARAC-eligible: record a DASH of high risk (by score or professional judgement), or the police incidents or repeat that make them eligible",
        ));
    }
    let repeat = history.last_marac.is_some_and(|m| in_repeat_window(today, m, rules.repeat_window_months(), today));
    let kind: String = sqlx::query_scalar("SELECT kind FROM agencies WHERE id = ?").bind(who.agency_id.0).fetch_one(&mut *conn).await?;
    let meeting: Option<i64> =
        sqlx::query_scalar("SELECT id FROM marac_meetings WHERE area_id = ? AND meeting_date >= ? ORDER BY meeting_date LIMIT 1")
            .bind(area)
            .bind(date_str(today))
            .fetch_optional(&mut *conn)
            .await?;
    let children = children_count(conn, person).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO marac_cases (person_id, referral_id, area_id, meeting_id, referring_agency_id, referring_agency_kind, referred_by_user_id,
           referred_on, risk_level, reasons, repeat, children, status, created_at)
         VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
    )
    .bind(person.0)
    .bind(referral.map(|r| r.0))
    .bind(area)
    .bind(meeting)
    .bind(who.agency_id.0)
    .bind(&kind)
    .bind(who.user_id.0)
    .bind(date_str(today))
    .bind(history.risk.map(|r| r.level.key()))
    .bind(to_json(&elig.messages())?)
    .bind(repeat as i64)
    .bind(children)
    .bind(if meeting.is_some() { "listed" } else { "referred" })
    .bind(now_rfc3339())
    .fetch_one(&mut *conn)
    .await?;
    audit(conn, ctx, "refer_to_marac", "person", &person.to_string(), &format!("marac_case={id} area={area} repeat={repeat}")).await?;
    Ok(id)
}

const ITEM_SQL: &str = "SELECT c.id, c.person_id, p.given_name || ' ' || p.family_name AS person_name, c.risk_level, c.children,
    a.name AS agency_name, c.referring_agency_kind, c.referred_on, c.repeat, c.reasons, c.status, c.outcome,
    (SELECT COUNT(*) FROM marac_research x WHERE x.case_id = c.id) AS research_entries,
    (SELECT COUNT(*) FROM marac_actions x WHERE x.case_id = c.id AND x.status IN ('open', 'in_progress')) AS open_actions
    FROM marac_cases c JOIN people p ON p.id = c.person_id LEFT JOIN agencies a ON a.id = c.referring_agency_id";

fn agenda_item(r: &SqliteRow) -> Result<AgendaItem> {
    Ok(AgendaItem {
        case_id: r.try_get("id")?,
        person_id: PersonId(r.try_get("person_id")?),
        person_name: r.try_get("person_name")?,
        risk_level: r.try_get("risk_level")?,
        children: r.try_get("children")?,
        referring_agency: r.try_get("agency_name")?,
        referring_agency_kind: r.try_get("referring_agency_kind")?,
        referred_on: r.try_get("referred_on")?,
        repeat: r.try_get::<i64, _>("repeat")? != 0,
        reasons: strings(&r.try_get::<String, _>("reasons")?)?,
        status: r.try_get("status")?,
        outcome: r.try_get("outcome")?,
        research_entries: r.try_get("research_entries")?,
        open_actions: r.try_get("open_actions")?,
    })
}

/// A case's area, and whether the caller is a member of it.
async fn case_area(conn: &mut SqliteConnection, who: &Principal, case: i64) -> Result<Option<(i64, Vec<AgencyId>)>> {
    let area: Option<i64> =
        sqlx::query_scalar("SELECT area_id FROM marac_cases WHERE id = ?").bind(case).fetch_optional(&mut *conn).await?;
    let Some(area) = area else { return Ok(None) };
    let members = area_members(conn, area).await?;
    Ok(marac_member(who, &members).then_some((area, members)))
}

fn meeting_row(r: &SqliteRow) -> Result<MeetingRow> {
    Ok(MeetingRow {
        id: r.try_get("id")?,
        area_id: r.try_get("area_id")?,
        area: r.try_get("area")?,
        meeting_date: r.try_get("meeting_date")?,
        cases: r.try_get("cases")?,
    })
}

const MEETING_SQL: &str =
    "SELECT m.id, m.area_id, a.name AS area, m.meeting_date, (SELECT COUNT(*) FROM marac_cases c WHERE c.meeting_id = m.id) AS cases
    FROM marac_meetings m JOIN marac_areas a ON a.id = m.area_id";

const CASEHOLDING: &str = "('idva', 'outreach', 'refuge', 'cyp', 'perpetrator')";

async fn team_loads(conn: &mut SqliteConnection, year_ago: &str, only_team: Option<i64>) -> Result<Vec<TeamLoad>> {
    let sql = format!(
        "SELECT t.id, t.key, t.name, t.kind, a.name AS agency, t.fte, t.safe_caseload_per_fte,
           (SELECT COUNT(*) FROM referrals r WHERE r.assigned_team_id = t.id AND r.status = 'open') AS open_cases,
           (SELECT COUNT(*) FROM referrals r WHERE r.assigned_team_id = t.id AND r.referral_date > ?1 AND r.risk_level = 'high') AS taken_high,
           (SELECT COUNT(*) FROM referrals r WHERE r.assigned_team_id = t.id AND r.referral_date > ?1 AND r.risk_level = 'medium') AS taken_medium,
           (SELECT COUNT(*) FROM referrals r WHERE r.assigned_team_id = t.id AND r.referral_date > ?1 AND (r.risk_level IS NULL OR r.risk_level = 'standard')) AS taken_standard,
           (SELECT COUNT(*) FROM referrals r WHERE r.assigned_team_id = t.id AND r.status = 'waiting') AS waiting
         FROM teams t JOIN agencies a ON a.id = t.agency_id
         WHERE t.kind IN {CASEHOLDING} AND (?2 IS NULL OR t.id = ?2)
         ORDER BY CASE t.kind WHEN 'idva' THEN 0 WHEN 'outreach' THEN 1 WHEN 'refuge' THEN 2 ELSE 3 END, t.name"
    );
    let rows = sqlx::query(&sql).bind(year_ago).bind(only_team).fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| {
            Ok(TeamLoad {
                team_id: TeamId(r.try_get("id")?),
                key: r.try_get("key")?,
                name: r.try_get("name")?,
                kind: r.try_get("kind")?,
                agency: r.try_get("agency")?,
                fte: r.try_get("fte")?,
                safe_caseload_per_fte: r.try_get("safe_caseload_per_fte")?,
                open_cases: r.try_get("open_cases")?,
                taken_high: r.try_get("taken_high")?,
                taken_medium: r.try_get("taken_medium")?,
                taken_standard: r.try_get("taken_standard")?,
                waiting: r.try_get("waiting")?,
            })
        })
        .collect()
}

async fn worker_loads(conn: &mut SqliteConnection, year_ago: &str, only_team: Option<i64>) -> Result<Vec<WorkerLoad>> {
    let sql = format!(
        "SELECT u.id, u.display_name, u.team_id, u.fte,
           (SELECT COUNT(*) FROM referrals r WHERE r.assigned_user_id = u.id AND r.status = 'open') AS open_cases,
           (SELECT COUNT(*) FROM referrals r WHERE r.assigned_user_id = u.id AND r.referral_date > ?1 AND r.risk_level = 'high') AS taken_high,
           (SELECT COUNT(*) FROM referrals r WHERE r.assigned_user_id = u.id AND r.referral_date > ?1 AND (r.risk_level IS NULL OR r.risk_level != 'high')) AS taken_medium
         FROM users u JOIN teams t ON t.id = u.team_id
         WHERE u.disabled = 0 AND u.role IN ('caseworker', 'accommodation_manager') AND t.kind IN {CASEHOLDING} AND (?2 IS NULL OR t.id = ?2)
         ORDER BY u.display_name"
    );
    let rows = sqlx::query(&sql).bind(year_ago).bind(only_team).fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| {
            Ok(WorkerLoad {
                user_id: UserId(r.try_get("id")?),
                name: r.try_get("display_name")?,
                team_id: TeamId(r.try_get("team_id")?),
                fte: r.try_get("fte")?,
                open_cases: r.try_get("open_cases")?,
                taken_high: r.try_get("taken_high")?,
                taken_medium: r.try_get("taken_medium")?,
            })
        })
        .collect()
}

fn year_ago(today: NaiveDate) -> String {
    date_str(haven_domain::marac::window_start(today, 12))
}

fn characteristics(r: &SqliteRow) -> Result<Characteristics> {
    let g = |c: &str| -> Result<String> { Ok(r.try_get::<String, _>(c)?) };
    Ok(Characteristics {
        gender_identity: GenderIdentity::from_key(&g("gender_identity")?).unwrap_or(GenderIdentity::NotKnown),
        sexual_orientation: SexualOrientation::from_key(&g("sexual_orientation")?).unwrap_or(SexualOrientation::NotKnown),
        ethnicity: Ethnicity::from_key(&g("ethnicity")?).unwrap_or(Ethnicity::NotKnown),
        disability: YesNoUnknown::from_key(&g("disability")?).unwrap_or(YesNoUnknown::NotKnown),
        ..Default::default()
    })
}

#[async_trait]
impl CaseworkStore for SqliteStore {
    async fn record_dash(
        &self,
        ctx: &Ctx,
        person: PersonId,
        a: &DashAssessment,
        rules: &MaracRules,
        today: NaiveDate,
    ) -> Result<Option<DashOutcome>> {
        let Some(who) = ctx.principal() else { return Ok(None) };
        let mut tx = self.writer.begin().await?;
        if !access(&mut tx, who, person).await?.can_read() {
            audit(&mut tx, ctx, "record_dash_denied", "person", &person.to_string(), "").await?;
            tx.commit().await?;
            return Ok(None);
        }
        let referral: Option<i64> =
            sqlx::query_scalar("SELECT id FROM referrals WHERE person_id = ? ORDER BY referral_date DESC, id DESC LIMIT 1")
                .bind(person.0)
                .fetch_optional(&mut *tx)
                .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO dash_assessments (person_id, referral_id, assessed_by_user_id, assessed_at, score, not_known, computed_level, level,
               raised_by_judgement, judgement_level, judgement_reason, threshold_high, threshold_medium, reasons)
             VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
        )
        .bind(person.0)
        .bind(referral)
        .bind(who.user_id.0)
        .bind(now_rfc3339())
        .bind(i64::from(a.score))
        .bind(i64::from(a.not_known))
        .bind(a.computed_level.key())
        .bind(a.level.key())
        .bind(a.raised_by_judgement as i64)
        .bind(a.judgement.as_ref().map(|j| j.level().key()))
        .bind(a.judgement.as_ref().map(|j| j.reason().to_string()))
        .bind(i64::from(a.thresholds.high()))
        .bind(i64::from(a.thresholds.medium()))
        .bind(to_json(&a.reasons)?)
        .fetch_one(&mut *tx)
        .await?;
        for (key, ans) in a.answers.iter() {
            sqlx::query("INSERT INTO dash_answers (assessment_id, factor_key, answer, notes) VALUES (?,?,?,?)")
                .bind(id)
                .bind(key)
                .bind(ans.answer.key())
                .bind(&ans.notes)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(r) = referral {
            sqlx::query("UPDATE referrals SET risk_level = ?, dash_score = ? WHERE id = ?")
                .bind(a.level.key())
                .bind(i64::from(a.score))
                .bind(r)
                .execute(&mut *tx)
                .await?;
        }
        let history = marac_history(&mut tx, person).await?;
        let elig = marac_eligibility(&history, today, rules);
        let messages = elig.messages();
        sqlx::query("UPDATE dash_assessments SET marac_eligible = ?, eligibility = ? WHERE id = ?")
            .bind(elig.eligible as i64)
            .bind(to_json(&messages)?)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            ctx,
            "record_dash",
            "person",
            &person.to_string(),
            &format!("assessment={id} score={} level={}", a.score, a.level.key()),
        )
        .await?;
        tx.commit().await?;
        let mut reasons = a.reasons.clone();
        reasons.extend(messages.iter().map(|m| format!("MARAC-eligible: {m}")));
        Ok(Some(DashOutcome {
            id,
            score: a.score,
            risk_level: a.level.key().into(),
            computed_level: a.computed_level.key().into(),
            raised_by_judgement: a.raised_by_judgement,
            marac_eligible: elig.eligible,
            reasons,
            eligibility: messages,
        }))
    }

    async fn dash_history(&self, ctx: &Ctx, person: PersonId, rules: &MaracRules, today: NaiveDate) -> Result<Option<DashHistory>> {
        let Some(who) = ctx.principal() else { return Ok(None) };
        let mut tx = self.writer.begin().await?;
        if !access(&mut tx, who, person).await?.can_read() {
            audit(&mut tx, ctx, "read_dash_denied", "person", &person.to_string(), "").await?;
            tx.commit().await?;
            return Ok(None);
        }
        let p = sqlx::query("SELECT given_name || ' ' || family_name AS name, date_of_birth FROM people WHERE id = ?")
            .bind(person.0)
            .fetch_one(&mut *tx)
            .await?;
        let rows = sqlx::query(
            "SELECT d.*, u.display_name AS by_name FROM dash_assessments d LEFT JOIN users u ON u.id = d.assessed_by_user_id WHERE d.person_id = ? ORDER BY d.id DESC",
        )
        .bind(person.0)
        .fetch_all(&mut *tx)
        .await?;
        let mut assessments = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let answers = sqlx::query("SELECT factor_key, answer, notes FROM dash_answers WHERE assessment_id = ?")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
            assessments.push(DashRecord {
                id,
                assessed_at: r.try_get("assessed_at")?,
                assessed_by: r.try_get("by_name")?,
                score: r.try_get("score")?,
                not_known: r.try_get("not_known")?,
                computed_level: r.try_get("computed_level")?,
                risk_level: r.try_get("level")?,
                raised_by_judgement: r.try_get::<i64, _>("raised_by_judgement")? != 0,
                judgement_level: r.try_get("judgement_level")?,
                judgement_reason: r.try_get("judgement_reason")?,
                reasons: strings(&r.try_get::<String, _>("reasons")?)?,
                marac_eligible: r.try_get::<i64, _>("marac_eligible")? != 0,
                eligibility: strings(&r.try_get::<String, _>("eligibility")?)?,
                answers: answers
                    .iter()
                    .map(|a| Ok(DashAnswerRow { key: a.try_get("factor_key")?, answer: a.try_get("answer")?, notes: a.try_get("notes")? }))
                    .collect::<Result<_>>()?,
            });
        }
        let kids = sqlx::query(
            "SELECT DISTINCT c.id, c.given_name || ' ' || c.family_name AS name, c.date_of_birth FROM referral_people rp
               JOIN referrals r ON r.id = rp.referral_id JOIN people c ON c.id = rp.person_id
             WHERE r.person_id = ? AND rp.role = 'child' ORDER BY c.date_of_birth, c.id",
        )
        .bind(person.0)
        .fetch_all(&mut *tx)
        .await?;
        let mut children = Vec::new();
        for k in &kids {
            let cid: i64 = k.try_get("id")?;
            let rows = sqlx::query(
                "SELECT c.*, u.display_name AS by_name FROM child_risk_assessments c LEFT JOIN users u ON u.id = c.assessed_by_user_id WHERE c.child_person_id = ? ORDER BY c.id DESC",
            )
            .bind(cid)
            .fetch_all(&mut *tx)
            .await?;
            let assessments = rows
                .iter()
                .map(|r| {
                    let inds: String = r.try_get("indicators")?;
                    Ok(ChildRiskRecord {
                        id: r.try_get("id")?,
                        assessed_at: r.try_get("assessed_at")?,
                        assessed_by: r.try_get("by_name")?,
                        level: r.try_get("level")?,
                        indicators: inds.split(',').filter(|s| !s.is_empty()).map(String::from).collect(),
                        reason: r.try_get("reason")?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            children.push(ChildRiskView {
                child_id: PersonId(cid),
                name: k.try_get("name")?,
                date_of_birth: k.try_get("date_of_birth")?,
                assessments,
            });
        }
        let history = marac_history(&mut tx, person).await?;
        let elig = marac_eligibility(&history, today, rules);
        let open = open_marac_case(&mut tx, person).await?;
        audit(&mut tx, ctx, "read_dash", "person", &person.to_string(), &format!("assessments={}", assessments.len())).await?;
        tx.commit().await?;
        Ok(Some(DashHistory {
            person_id: person,
            name: p.try_get("name")?,
            date_of_birth: p.try_get("date_of_birth")?,
            current_risk: history.risk.map(|r| r.level.key().to_string()),
            marac_eligible: elig.eligible,
            eligibility: elig.messages(),
            last_marac: history.last_marac.map(date_str),
            assessments,
            children,
            open_marac_case: open,
        }))
    }

    async fn record_child_risk(&self, ctx: &Ctx, child: PersonId, a: &ChildRiskAssessment) -> Result<Option<i64>> {
        let Some(who) = ctx.principal() else { return Ok(None) };
        let mut tx = self.writer.begin().await?;
        if !access(&mut tx, who, child).await?.can_read() {
            audit(&mut tx, ctx, "record_child_risk_denied", "person", &child.to_string(), "").await?;
            tx.commit().await?;
            return Ok(None);
        }
        let inds: Vec<&str> = a.indicators().iter().map(|i| i.key()).collect();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO child_risk_assessments (child_person_id, assessed_by_user_id, assessed_at, level, indicators, reason) VALUES (?,?,?,?,?,?) RETURNING id",
        )
        .bind(child.0)
        .bind(who.user_id.0)
        .bind(now_rfc3339())
        .bind(a.level().key())
        .bind(inds.join(","))
        .bind(a.reason())
        .fetch_one(&mut *tx)
        .await?;
        audit(&mut tx, ctx, "record_child_risk", "person", &child.to_string(), &format!("assessment={id} level={}", a.level().key()))
            .await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    async fn triage_queue(&self, ctx: &Ctx) -> Result<Vec<TriageRow>> {
        let Some(who) = ctx.principal() else { return Ok(vec![]) };
        let mut conn = self.reader.acquire().await?;
        let rows = sqlx::query(&format!(
            "{HEADER_SQL} WHERE r.status = 'new' AND r.assigned_team_id IS NULL ORDER BY r.received_at, r.id LIMIT 1000"
        ))
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let h = header(r)?;
            if !access(&mut conn, who, h.person_id).await?.can_read() {
                continue;
            }
            let s = sqlx::query(
                "SELECT COUNT(*) AS n, MIN(CASE WHEN first_contact = 1 THEN attempted_at END) AS first, MAX(attempted_at) AS last FROM contact_attempts WHERE referral_id = ?",
            )
            .bind(h.referral_id.0)
            .fetch_one(&mut *conn)
            .await?;
            out.push(TriageRow {
                attempts: s.try_get("n")?,
                first_contact_at: s.try_get("first")?,
                last_attempt_at: s.try_get("last")?,
                referral: h,
            });
        }
        drop(conn);
        let mut tx = self.writer.begin().await?;
        let ids: Vec<String> = out.iter().map(|t| t.referral.person_id.to_string()).collect();
        audit(&mut tx, ctx, "view_triage_queue", "queue", "triage", &format!("people={}", ids.join(","))).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn contact_context(&self, ctx: &Ctx, referral: ReferralId) -> Result<Option<ContactContext>> {
        let Some(who) = ctx.principal() else { return Ok(None) };
        let mut tx = self.writer.begin().await?;
        let Some(h) = referral_header(&mut tx, referral).await? else { return Ok(None) };
        let acc = access(&mut tx, who, h.person_id).await?;
        if !acc.can_read() {
            audit(&mut tx, ctx, "read_contact_denied", "person", &h.person_id.to_string(), &format!("referral={referral}")).await?;
            tx.commit().await?;
            return Ok(None);
        }
        let (safe_contact, safe_contact_view) = if acc.sees_safe_contact() {
            let s = sqlx::query("SELECT * FROM safe_contacts WHERE person_id = ?").bind(h.person_id.0).fetch_optional(&mut *tx).await?;
            let b = |r: &SqliteRow, c: &str| -> Result<Option<bool>> { Ok(r.try_get::<Option<i64>, _>(c)?.map(|v| v != 0)) };
            match s {
                Some(s) => {
                    let sc = SafeContact {
                        safe_to_call: b(&s, "safe_to_call")?,
                        safe_to_text: b(&s, "safe_to_text")?,
                        safe_to_email: b(&s, "safe_to_email")?,
                        safe_to_leave_message: b(&s, "safe_to_leave_message")?,
                        safe_times: s.try_get("safe_times")?,
                        phone: None,
                        email: s.try_get("email")?,
                        safe_address: s.try_get("safe_address")?,
                    };
                    let mut view = SafeContactView::from_domain(&sc);
                    view.phone = s.try_get("phone")?;
                    (Some(sc), Some(view))
                }
                None => (Some(SafeContact::default()), Some(SafeContactView::from_domain(&SafeContact::default()))),
            }
        } else {
            (None, None)
        };
        let rows = sqlx::query(
            "SELECT c.*, u.display_name AS by_name FROM contact_attempts c LEFT JOIN users u ON u.id = c.user_id WHERE c.referral_id = ? ORDER BY c.attempted_at DESC, c.id DESC",
        )
        .bind(referral.0)
        .fetch_all(&mut *tx)
        .await?;
        let attempts = rows
            .iter()
            .map(|r| {
                Ok(ContactAttemptRow {
                    id: r.try_get("id")?,
                    attempted_at: r.try_get("attempted_at")?,
                    by: r.try_get("by_name")?,
                    method: r.try_get("method")?,
                    outcome: r.try_get("outcome")?,
                    first_contact: r.try_get::<i64, _>("first_contact")? != 0,
                    notes: r.try_get("notes")?,
                    warnings: strings(&r.try_get::<String, _>("warnings")?)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let detail = if safe_contact.is_some() { "fields=safe_contact" } else { "fields=summary" };
        audit(&mut tx, ctx, "read_contact", "person", &h.person_id.to_string(), &format!("referral={referral} {detail}")).await?;
        tx.commit().await?;
        Ok(Some(ContactContext { referral: h, safe_contact, safe_contact_view, attempts }))
    }

    async fn log_contact(&self, ctx: &Ctx, referral: ReferralId, a: &ContactAttempt) -> Result<Option<i64>> {
        let Some(who) = ctx.principal() else { return Ok(None) };
        let mut tx = self.writer.begin().await?;
        let Some(h) = referral_header(&mut tx, referral).await? else { return Ok(None) };
        // Only those who may see how to reach the person may contact them.
        if !access(&mut tx, who, h.person_id).await?.sees_safe_contact() {
            audit(&mut tx, ctx, "log_contact_denied", "person", &h.person_id.to_string(), &format!("referral={referral}")).await?;
            tx.commit().await?;
            return Ok(None);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO contact_attempts (referral_id, user_id, method, outcome, attempted_at, first_contact, notes, warnings, recorded_at)
             VALUES (?,?,?,?,?,?,?,?,?) RETURNING id",
        )
        .bind(referral.0)
        .bind(who.user_id.0)
        .bind(a.method.key())
        .bind(a.outcome.key())
        .bind(a.attempted_at.format("%Y-%m-%dT%H:%M:%S").to_string())
        .bind(a.outcome.is_first_contact() as i64)
        .bind(&a.notes)
        .bind(to_json(&a.warnings)?)
        .bind(now_rfc3339())
        .fetch_one(&mut *tx)
        .await?;
        audit(
            &mut tx,
            ctx,
            "log_contact",
            "person",
            &h.person_id.to_string(),
            &format!(
                "referral={referral} attempt={id} method={} outcome={} warnings={}",
                a.method.key(),
                a.outcome.key(),
                a.warnings.len()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    async fn routing_context(
        &self,
        ctx: &Ctx,
        referral: ReferralId,
        rules: &MaracRules,
        today: NaiveDate,
    ) -> Result<Option<RoutingContext>> {
        let Some(who) = ctx.principal() else { return Ok(None) };
        let mut tx = self.writer.begin().await?;
        let Some(h) = referral_header(&mut tx, referral).await? else { return Ok(None) };
        if !access(&mut tx, who, h.person_id).await?.can_read() {
            audit(&mut tx, ctx, "read_routing_denied", "person", &h.person_id.to_string(), &format!("referral={referral}")).await?;
            tx.commit().await?;
            return Ok(None);
        }
        let history = marac_history(&mut tx, h.person_id).await?;
        let eligibility = marac_eligibility(&history, today, rules);
        let ya = year_ago(today);
        let teams = team_loads(&mut tx, &ya, None).await?;
        let workers = worker_loads(&mut tx, &ya, None).await?;
        let rows = sqlx::query(
            "SELECT d.*, u.display_name AS by_name, t.name AS team_name, w.display_name AS worker_name FROM routing_decisions d
               LEFT JOIN users u ON u.id = d.decided_by_user_id LEFT JOIN teams t ON t.id = d.assigned_team_id LEFT JOIN users w ON w.id = d.assigned_user_id
             WHERE d.referral_id = ? ORDER BY d.id DESC",
        )
        .bind(referral.0)
        .fetch_all(&mut *tx)
        .await?;
        let decisions = rows
            .iter()
            .map(|r| {
                Ok(RoutingRecord {
                    id: r.try_get("id")?,
                    decided_at: r.try_get("decided_at")?,
                    decided_by: r.try_get("by_name")?,
                    risk_level: r.try_get("risk_level")?,
                    pathways: json_value(&r.try_get::<String, _>("pathways")?)?,
                    capacity: json_value(&r.try_get::<String, _>("capacity")?)?,
                    marac_eligible: r.try_get::<i64, _>("marac_eligible")? != 0,
                    assigned_team: r.try_get("team_name")?,
                    assigned_worker: r.try_get("worker_name")?,
                    waiting_list: r.try_get::<i64, _>("waiting_list")? != 0,
                    notes: r.try_get("notes")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let areas = sqlx::query("SELECT id, name FROM marac_areas ORDER BY name")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| Ok(AreaChoice { id: r.try_get("id")?, name: r.try_get("name")? }))
            .collect::<Result<Vec<_>>>()?;
        let suggested_area: Option<i64> = match h.district_id {
            Some(d) => {
                sqlx::query_scalar("SELECT area_id FROM marac_area_districts WHERE district_id = ?")
                    .bind(d)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            None => None,
        };
        let open = open_marac_case(&mut tx, h.person_id).await?;
        audit(&mut tx, ctx, "read_routing", "person", &h.person_id.to_string(), &format!("referral={referral}")).await?;
        tx.commit().await?;
        Ok(Some(RoutingContext {
            risk: history.risk.map(|r| r.level),
            referral: h,
            eligibility,
            teams,
            workers,
            decisions,
            suggested_area: suggested_area.or_else(|| (areas.len() == 1).then(|| areas[0].id)),
            areas,
            open_marac_case: open,
        }))
    }

    async fn record_routing(
        &self,
        ctx: &Ctx,
        referral: ReferralId,
        r: &NewRouting,
        rules: &MaracRules,
        today: NaiveDate,
    ) -> Result<Option<i64>> {
        let Some(who) = ctx.principal() else { return Ok(None) };
        let mut tx = self.writer.begin().await?;
        let Some(h) = referral_header(&mut tx, referral).await? else { return Ok(None) };
        if !access(&mut tx, who, h.person_id).await?.can_read() {
            audit(&mut tx, ctx, "route_referral_denied", "person", &h.person_id.to_string(), &format!("referral={referral}")).await?;
            tx.commit().await?;
            return Ok(None);
        }
        let team: Option<i64> = sqlx::query_scalar("SELECT id FROM teams WHERE id = ?").bind(r.team.0).fetch_optional(&mut *tx).await?;
        if team.is_none() {
            return Err(conflict("team_id", "choose one of the teams listed"));
        }
        if let Some(w) = r.worker {
            let ok: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE id = ? AND team_id = ? AND disabled = 0")
                .bind(w.0)
                .bind(r.team.0)
                .fetch_optional(&mut *tx)
                .await?;
            if ok.is_none() {
                return Err(conflict("worker_id", "must be a worker in the chosen team"));
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO routing_decisions (referral_id, decided_by_user_id, decided_at, risk_level, pathways, needs, marac_eligible, capacity,
               assigned_team_id, assigned_user_id, waiting_list, notes)
             VALUES (?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
        )
        .bind(referral.0)
        .bind(who.user_id.0)
        .bind(now_rfc3339())
        .bind(r.decision.risk.key())
        .bind(to_json(&r.decision.pathways)?)
        .bind(to_json(&r.needs)?)
        .bind(r.eligible as i64)
        .bind(to_json(&r.capacity)?)
        .bind(r.team.0)
        .bind(r.worker.map(|w| w.0))
        .bind(r.waiting_list as i64)
        .bind(&r.notes)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE referrals SET assigned_team_id = ?, assigned_user_id = ?, status = ? WHERE id = ?")
            .bind(r.team.0)
            .bind(r.worker.map(|w| w.0))
            .bind(if r.waiting_list { "waiting" } else { "open" })
            .bind(referral.0)
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            ctx,
            "route_referral",
            "referral",
            &referral.to_string(),
            &format!("decision={id} team={} waiting={}", r.team, r.waiting_list),
        )
        .await?;
        if let Some(area) = r.marac_area {
            insert_marac_case(&mut tx, ctx, who, h.person_id, area, Some(referral), rules, today, "marac_area_id").await?;
        }
        tx.commit().await?;
        Ok(Some(id))
    }

    async fn caseloads(&self, ctx: &Ctx, today: NaiveDate) -> Result<Vec<TeamCaseload>> {
        let Some(who) = ctx.principal() else { return Ok(vec![]) };
        let only = if who.role == Role::Caseworker || who.role == Role::AccommodationManager {
            Some(who.team_id.map(|t| t.0).unwrap_or(-1))
        } else {
            None
        };
        let ya = year_ago(today);
        let mut conn = self.reader.acquire().await?;
        let teams = team_loads(&mut conn, &ya, only).await?;
        let workers = worker_loads(&mut conn, &ya, only).await?;
        drop(conn);
        let out: Vec<TeamCaseload> = teams
            .into_iter()
            .map(|t| TeamCaseload { workers: workers.iter().filter(|w| w.team_id == t.team_id).cloned().collect(), team: t })
            .collect();
        let mut tx = self.writer.begin().await?;
        audit(&mut tx, ctx, "view_caseloads", "caseloads", "", &format!("teams={}", out.len())).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn marac_areas(&self, ctx: &Ctx, today: NaiveDate) -> Result<Vec<MaracAreaRow>> {
        let Some(who) = ctx.principal() else { return Ok(vec![]) };
        let mut conn = self.reader.acquire().await?;
        let rows = sqlx::query("SELECT id, key, name FROM marac_areas ORDER BY name").fetch_all(&mut *conn).await?;
        let from = date_str(today - chrono::Duration::days(35));
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let members = area_member_rows(&mut conn, id).await?;
            let ids: Vec<AgencyId> = members.iter().map(|m| m.id).collect();
            let districts: Vec<String> = sqlx::query_scalar(
                "SELECT d.name FROM marac_area_districts x JOIN districts d ON d.id = x.district_id WHERE x.area_id = ? ORDER BY d.name",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
            let unlisted: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM marac_cases WHERE area_id = ? AND status = 'referred'")
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
            let meetings =
                sqlx::query(&format!("{MEETING_SQL} WHERE m.area_id = ? AND m.meeting_date >= ? ORDER BY m.meeting_date LIMIT 8"))
                    .bind(id)
                    .bind(&from)
                    .fetch_all(&mut *conn)
                    .await?
                    .iter()
                    .map(meeting_row)
                    .collect::<Result<Vec<_>>>()?;
            out.push(MaracAreaRow {
                id,
                key: r.try_get("key")?,
                name: r.try_get("name")?,
                is_member: marac_member(who, &ids),
                members,
                districts,
                unlisted,
                meetings,
            });
        }
        Ok(out)
    }

    async fn create_marac_area(&self, ctx: &Ctx, key: &str, name: &str, members: &[AgencyId]) -> Result<i64> {
        let mut tx = self.writer.begin().await?;
        let dup: Option<i64> = sqlx::query_scalar("SELECT id FROM marac_areas WHERE key = ? OR name = ?")
            .bind(key)
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        if dup.is_some() {
            return Err(conflict("name", "is already used by another MARAC area"));
        }
        let id: i64 = sqlx::query_scalar("INSERT INTO marac_areas (key, name, created_at) VALUES (?,?,?) RETURNING id")
            .bind(key)
            .bind(name)
            .bind(now_rfc3339())
            .fetch_one(&mut *tx)
            .await?;
        for m in members {
            let ok: Option<i64> = sqlx::query_scalar("SELECT id FROM agencies WHERE id = ?").bind(m.0).fetch_optional(&mut *tx).await?;
            if ok.is_none() {
                return Err(conflict("members", "must be agencies of the partnership"));
            }
            sqlx::query("INSERT OR IGNORE INTO marac_area_agencies (area_id, agency_id) VALUES (?,?)")
                .bind(id)
                .bind(m.0)
                .execute(&mut *tx)
                .await?;
        }
        audit(&mut tx, ctx, "create_marac_area", "marac_area", &id.to_string(), &format!("members={}", members.len())).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn set_marac_members(&self, ctx: &Ctx, area: i64, members: &[AgencyId]) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        let ok: Option<i64> = sqlx::query_scalar("SELECT id FROM marac_areas WHERE id = ?").bind(area).fetch_optional(&mut *tx).await?;
        if ok.is_none() {
            return Err(StoreError::NotFound(format!("MARAC area {area}")));
        }
        sqlx::query("DELETE FROM marac_area_agencies WHERE area_id = ?").bind(area).execute(&mut *tx).await?;
        for m in members {
            let ok: Option<i64> = sqlx::query_scalar("SELECT id FROM agencies WHERE id = ?").bind(m.0).fetch_optional(&mut *tx).await?;
            if ok.is_none() {
                return Err(conflict("members", "must be agencies of the partnership"));
            }
            sqlx::query("INSERT OR IGNORE INTO marac_area_agencies (area_id, agency_id) VALUES (?,?)")
                .bind(area)
                .bind(m.0)
                .execute(&mut *tx)
                .await?;
        }
        audit(&mut tx, ctx, "set_marac_members", "marac_area", &area.to_string(), &format!("members={}", members.len())).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn schedule_marac_meeting(&self, ctx: &Ctx, area: i64, date: NaiveDate) -> Result<i64> {
        let mut tx = self.writer.begin().await?;
        let ok: Option<i64> = sqlx::query_scalar("SELECT id FROM marac_areas WHERE id = ?").bind(area).fetch_optional(&mut *tx).await?;
        if ok.is_none() {
            return Err(conflict("area_id", "choose a MARAC area"));
        }
        let dup: Option<i64> = sqlx::query_scalar("SELECT id FROM marac_meetings WHERE area_id = ? AND meeting_date = ?")
            .bind(area)
            .bind(date_str(date))
            .fetch_optional(&mut *tx)
            .await?;
        if dup.is_some() {
            return Err(conflict("meeting_date", "already has a meeting of this MARAC"));
        }
        let id: i64 = sqlx::query_scalar("INSERT INTO marac_meetings (area_id, meeting_date, created_at) VALUES (?,?,?) RETURNING id")
            .bind(area)
            .bind(date_str(date))
            .bind(now_rfc3339())
            .fetch_one(&mut *tx)
            .await?;
        let listed = sqlx::query(
            "UPDATE marac_cases SET meeting_id = ?, status = 'listed' WHERE area_id = ? AND meeting_id IS NULL AND status = 'referred'",
        )
        .bind(id)
        .bind(area)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        audit(
            &mut tx,
            ctx,
            "schedule_marac_meeting",
            "marac_meeting",
            &id.to_string(),
            &format!("area={area} date={} listed={listed}", date_str(date)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn seed_marac_areas(
        &self,
        ctx: &Ctx,
        areas: &[MaracAreaSeed],
        backfill: bool,
        rules: &MaracRules,
        today: NaiveDate,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        let mut cases = 0u64;
        for a in areas {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO marac_areas (key, name, adult_female_population, created_at) VALUES (?,?,?,?)
                 ON CONFLICT(key) DO UPDATE SET name = excluded.name, adult_female_population = excluded.adult_female_population RETURNING id",
            )
            .bind(&a.key)
            .bind(&a.name)
            .bind(a.adult_female_population)
            .bind(now_rfc3339())
            .fetch_one(&mut *tx)
            .await?;
            if a.member_agencies.is_empty() {
                sqlx::query("INSERT OR IGNORE INTO marac_area_agencies (area_id, agency_id) SELECT ?, id FROM agencies")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            for k in &a.member_agencies {
                let n =
                    sqlx::query("INSERT OR IGNORE INTO marac_area_agencies (area_id, agency_id) SELECT ?, id FROM agencies WHERE key = ?")
                        .bind(id)
                        .bind(k)
                        .execute(&mut *tx)
                        .await?;
                if n.rows_affected() == 0
                    && sqlx::query_scalar::<_, i64>("SELECT id FROM agencies WHERE key = ?")
                        .bind(k)
                        .fetch_optional(&mut *tx)
                        .await?
                        .is_none()
                {
                    return Err(conflict("member_agencies", format!("no agency with key '{k}'")));
                }
            }
            for d in &a.districts {
                let did: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM districts WHERE key = ?").bind(d).fetch_optional(&mut *tx).await?;
                let did = did.ok_or_else(|| conflict("districts", format!("no district with key '{d}'")))?;
                sqlx::query("INSERT OR REPLACE INTO marac_area_districts (area_id, district_id) VALUES (?,?)")
                    .bind(id)
                    .bind(did)
                    .execute(&mut *tx)
                    .await?;
            }
            for m in &a.meetings {
                sqlx::query("INSERT OR IGNORE INTO marac_meetings (area_id, meeting_date, created_at) VALUES (?,?,?)")
                    .bind(id)
                    .bind(date_str(*m))
                    .bind(now_rfc3339())
                    .execute(&mut *tx)
                    .await?;
            }
            if !backfill {
                continue;
            }
            let refs = sqlx::query(
                "SELECT r.id, r.person_id, r.referral_date, r.referring_agency_id, r.source_agency_kind FROM referrals r
                   JOIN marac_area_districts x ON x.district_id = r.district_id
                 WHERE x.area_id = ? AND r.risk_level = 'high' AND r.referral_date <= ?
                   AND NOT EXISTS (SELECT 1 FROM marac_cases c WHERE c.referral_id = r.id)
                 ORDER BY r.referral_date, r.id",
            )
            .bind(id)
            .bind(date_str(today))
            .fetch_all(&mut *tx)
            .await?;
            for r in &refs {
                let rid: i64 = r.try_get("id")?;
                let pid = PersonId(r.try_get("person_id")?);
                let Some(on) = parse_date(&r.try_get::<String, _>("referral_date")?) else { continue };
                let last: Option<String> =
                    sqlx::query_scalar("SELECT MAX(referred_on) FROM marac_cases WHERE person_id = ? AND referred_on < ?")
                        .bind(pid.0)
                        .bind(date_str(on))
                        .fetch_one(&mut *tx)
                        .await?;
                let repeat =
                    last.as_deref().and_then(parse_date).is_some_and(|m| in_repeat_window(on, m, rules.repeat_window_months(), today));
                let meeting = sqlx::query(
                    "SELECT id, meeting_date FROM marac_meetings WHERE area_id = ? AND meeting_date >= ? ORDER BY meeting_date LIMIT 1",
                )
                .bind(id)
                .bind(date_str(on))
                .fetch_optional(&mut *tx)
                .await?;
                let (mid, mdate) = match &meeting {
                    Some(m) => (Some(m.try_get::<i64, _>("id")?), Some(m.try_get::<String, _>("meeting_date")?)),
                    None => (None, None),
                };
                let heard = mdate.as_deref().and_then(parse_date).is_some_and(|d| d < today);
                let status = if heard {
                    "heard"
                } else if mid.is_some() {
                    "listed"
                } else {
                    "referred"
                };
                let children = children_count(&mut tx, pid).await?;
                sqlx::query(
                    "INSERT INTO marac_cases (person_id, referral_id, area_id, meeting_id, referring_agency_id, referring_agency_kind, referred_on,
                       risk_level, reasons, repeat, children, status, outcome, heard_on, created_at)
                     VALUES (?,?,?,?,?,?,?, 'high', ?,?,?,?,?,?,?)",
                )
                .bind(pid.0)
                .bind(rid)
                .bind(id)
                .bind(mid)
                .bind(r.try_get::<Option<i64>, _>("referring_agency_id")?)
                .bind(r.try_get::<String, _>("source_agency_kind")?)
                .bind(date_str(on))
                .bind(to_json(&["High risk (referral graded high)"])?)
                .bind(repeat as i64)
                .bind(children)
                .bind(status)
                .bind(heard.then_some(MaracOutcome::ActionPlanAgreed.key()))
                .bind(if heard { mdate.clone() } else { None })
                .bind(now_rfc3339())
                .execute(&mut *tx)
                .await?;
                cases += 1;
            }
        }
        audit(&mut tx, ctx, "seed_marac_areas", "database", "", &format!("areas={} cases={cases}", areas.len())).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn refer_to_marac(
        &self,
        ctx: &Ctx,
        person: PersonId,
        area: i64,
        referral: Option<ReferralId>,
        rules: &MaracRules,
        today: NaiveDate,
    ) -> Result<Option<i64>> {
        let Some(who) = ctx.principal() else { return Ok(None) };
        let mut tx = self.writer.begin().await?;
        if !access(&mut tx, who, person).await?.can_read() {
            audit(&mut tx, ctx, "refer_to_marac_denied", "person", &person.to_string(), "").await?;
            tx.commit().await?;
            return Ok(None);
        }
        if let Some(r) = referral {
            let ok: Option<i64> = sqlx::query_scalar("SELECT id FROM referrals WHERE id = ? AND person_id = ?")
                .bind(r.0)
                .bind(person.0)
                .fetch_optional(&mut *tx)
                .await?;
            if ok.is_none() {
                return Err(conflict("referral_id", "must be one of this person's referrals"));
            }
        }
        let id = insert_marac_case(&mut tx, ctx, who, person, area, referral, rules, today, "area_id").await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    async fn marac_agenda(&self, ctx: &Ctx, meeting: i64) -> Result<Option<Agenda>> {
        let Some(who) = ctx.principal() else { return Ok(None) };
        let mut tx = self.writer.begin().await?;
        let m = sqlx::query(&format!("{MEETING_SQL} WHERE m.id = ?")).bind(meeting).fetch_optional(&mut *tx).await?;
        let Some(m) = m else { return Ok(None) };
        let m = meeting_row(&m)?;
        if !marac_member(who, &area_members(&mut tx, m.area_id).await?) {
            audit(&mut tx, ctx, "view_marac_agenda_denied", "marac_meeting", &meeting.to_string(), "").await?;
            tx.commit().await?;
            return Ok(None);
        }
        let rows = sqlx::query(&format!(
            "{ITEM_SQL} WHERE c.meeting_id = ? ORDER BY CASE c.risk_level WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, c.repeat DESC, c.referred_on, c.id"
        ))
        .bind(meeting)
        .fetch_all(&mut *tx)
        .await?;
        let items = rows.iter().map(agenda_item).collect::<Result<Vec<_>>>()?;
        let ids: Vec<String> = items.iter().map(|i| i.person_id.to_string()).collect();
        audit(&mut tx, ctx, "view_marac_agenda", "marac_meeting", &meeting.to_string(), &format!("people={}", ids.join(","))).await?;
        tx.commit().await?;
        Ok(Some(Agenda { meeting: m, items }))
    }

    async fn marac_case(&self, ctx: &Ctx, case: i64) -> Result<Option<MaracCaseView>> {
        let Some(who) = ctx.principal() else { return Ok(None) };
        let mut tx = self.writer.begin().await?;
        let Some((area, _)) = case_area(&mut tx, who, case).await? else {
            audit(&mut tx, ctx, "read_marac_case_denied", "marac_case", &case.to_string(), "").await?;
            tx.commit().await?;
            return Ok(None);
        };
        let r = sqlx::query(&format!("{ITEM_SQL} WHERE c.id = ?")).bind(case).fetch_one(&mut *tx).await?;
        let item = agenda_item(&r)?;
        let extra = sqlx::query(
            "SELECT a.name AS area, c.meeting_id, m.meeting_date, c.outcome_notes, c.heard_on FROM marac_cases c JOIN marac_areas a ON a.id = c.area_id
               LEFT JOIN marac_meetings m ON m.id = c.meeting_id WHERE c.id = ?",
        )
        .bind(case)
        .fetch_one(&mut *tx)
        .await?;
        let research = sqlx::query(
            "SELECT x.agency_id, a.name AS agency, u.display_name AS author, x.content, x.updated_at FROM marac_research x
               JOIN agencies a ON a.id = x.agency_id LEFT JOIN users u ON u.id = x.author_user_id WHERE x.case_id = ? ORDER BY a.name",
        )
        .bind(case)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| {
            Ok(ResearchRow {
                agency_id: AgencyId(r.try_get("agency_id")?),
                agency: r.try_get("agency")?,
                author: r.try_get("author")?,
                content: r.try_get("content")?,
                updated_at: r.try_get("updated_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let arows = sqlx::query(
            "SELECT x.id, x.case_id, x.description, x.owner_agency_id, a.name AS owner, x.due_date, x.status FROM marac_actions x
               JOIN agencies a ON a.id = x.owner_agency_id WHERE x.case_id = ? ORDER BY x.due_date, x.id",
        )
        .bind(case)
        .fetch_all(&mut *tx)
        .await?;
        let mut actions = Vec::new();
        for a in &arows {
            let aid: i64 = a.try_get("id")?;
            let updates = sqlx::query(
                "SELECT x.at, u.display_name AS by_name, g.name AS agency, x.status, x.note FROM marac_action_updates x
                   LEFT JOIN users u ON u.id = x.user_id LEFT JOIN agencies g ON g.id = x.agency_id WHERE x.action_id = ? ORDER BY x.id",
            )
            .bind(aid)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|u| {
                Ok(ActionUpdateRow {
                    at: u.try_get("at")?,
                    by: u.try_get("by_name")?,
                    agency: u.try_get("agency")?,
                    status: u.try_get("status")?,
                    note: u.try_get("note")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
            actions.push(ActionRow {
                id: aid,
                case_id: a.try_get("case_id")?,
                description: a.try_get("description")?,
                owner_agency_id: AgencyId(a.try_get("owner_agency_id")?),
                owner_agency: a.try_get("owner")?,
                due_date: a.try_get("due_date")?,
                status: a.try_get("status")?,
                updates,
            });
        }
        let member_agencies = area_member_rows(&mut tx, area).await?;
        audit(
            &mut tx,
            ctx,
            "read_marac_case",
            "person",
            &item.person_id.to_string(),
            &format!("marac_case={case} research={}", research.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(MaracCaseView {
            item,
            area_id: area,
            area: extra.try_get("area")?,
            meeting_id: extra.try_get("meeting_id")?,
            meeting_date: extra.try_get("meeting_date")?,
            outcome_notes: extra.try_get("outcome_notes")?,
            heard_on: extra.try_get("heard_on")?,
            research,
            actions,
            member_agencies,
        }))
    }

    async fn save_marac_research(&self, ctx: &Ctx, case: i64, content: &str) -> Result<Option<()>> {
        let Some(who) = ctx.principal() else { return Ok(None) };
        let mut tx = self.writer.begin().await?;
        if case_area(&mut tx, who, case).await?.is_none() {
            audit(&mut tx, ctx, "save_marac_research_denied", "marac_case", &case.to_string(), "").await?;
            tx.commit().await?;
            return Ok(None);
        }
        sqlx::query(
            "INSERT INTO marac_research (case_id, agency_id, author_user_id, content, updated_at) VALUES (?,?,?,?,?)
             ON CONFLICT(case_id, agency_id) DO UPDATE SET author_user_id = excluded.author_user_id, content = excluded.content, updated_at = excluded.updated_at",
        )
        .bind(case)
        .bind(who.agency_id.0)
        .bind(who.user_id.0)
        .bind(content)
        .bind(now_rfc3339())
        .execute(&mut *tx)
        .await?;
        audit(&mut tx, ctx, "save_marac_research", "marac_case", &case.to_string(), &format!("agency={}", who.agency_id)).await?;
        tx.commit().await?;
        Ok(Some(()))
    }

    async fn add_marac_action(&self, ctx: &Ctx, case: i64, a: &NewMaracAction) -> Result<Option<i64>> {
        let Some(who) = ctx.principal() else { return Ok(None) };
        let mut tx = self.writer.begin().await?;
        let Some((_, members)) = case_area(&mut tx, who, case).await? else { return Ok(None) };
        if !members.contains(&a.owner_agency) {
            return Err(conflict("owner_agency_id", "must be a member agency of this MARAC"));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO marac_actions (case_id, description, owner_agency_id, due_date, status, created_by_user_id, created_at) VALUES (?,?,?,?, 'open', ?,?) RETURNING id",
        )
        .bind(case)
        .bind(&a.description)
        .bind(a.owner_agency.0)
        .bind(date_str(a.due))
        .bind(who.user_id.0)
        .bind(now_rfc3339())
        .fetch_one(&mut *tx)
        .await?;
        audit(&mut tx, ctx, "add_marac_action", "marac_case", &case.to_string(), &format!("action={id} owner={}", a.owner_agency)).await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    async fn update_marac_action(&self, ctx: &Ctx, action: i64, status: ActionStatus, note: Option<&str>) -> Result<Option<()>> {
        let Some(who) = ctx.principal() else { return Ok(None) };
        let mut tx = self.writer.begin().await?;
        let row =
            sqlx::query("SELECT case_id, owner_agency_id FROM marac_actions WHERE id = ?").bind(action).fetch_optional(&mut *tx).await?;
        let Some(row) = row else { return Ok(None) };
        let case: i64 = row.try_get("case_id")?;
        let owner = AgencyId(row.try_get("owner_agency_id")?);
        let member = case_area(&mut tx, who, case).await?.is_some();
        if !(member && (who.role == Role::MaracCoordinator || who.agency_id == owner)) {
            audit(&mut tx, ctx, "update_marac_action_denied", "marac_action", &action.to_string(), "").await?;
            tx.commit().await?;
            return Ok(None);
        }
        sqlx::query("UPDATE marac_actions SET status = ? WHERE id = ?").bind(status.key()).bind(action).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO marac_action_updates (action_id, user_id, agency_id, at, status, note) VALUES (?,?,?,?,?,?)")
            .bind(action)
            .bind(who.user_id.0)
            .bind(who.agency_id.0)
            .bind(now_rfc3339())
            .bind(status.key())
            .bind(note)
            .execute(&mut *tx)
            .await?;
        audit(&mut tx, ctx, "update_marac_action", "marac_action", &action.to_string(), &format!("case={case} status={}", status.key()))
            .await?;
        tx.commit().await?;
        Ok(Some(()))
    }

    async fn record_marac_outcome(&self, ctx: &Ctx, case: i64, outcome: MaracOutcome, notes: Option<&str>) -> Result<Option<()>> {
        let Some(who) = ctx.principal() else { return Ok(None) };
        let mut tx = self.writer.begin().await?;
        let Some((area, _)) = case_area(&mut tx, who, case).await? else { return Ok(None) };
        let meeting =
            sqlx::query("SELECT m.id, m.meeting_date FROM marac_cases c LEFT JOIN marac_meetings m ON m.id = c.meeting_id WHERE c.id = ?")
                .bind(case)
                .fetch_one(&mut *tx)
                .await?;
        let mdate: Option<String> = meeting.try_get("meeting_date")?;
        let today = crate::sqlite::today();
        match outcome {
            MaracOutcome::Deferred => {
                let after = mdate.clone().unwrap_or_else(|| date_str(today));
                let next: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM marac_meetings WHERE area_id = ? AND meeting_date > ? ORDER BY meeting_date LIMIT 1",
                )
                .bind(area)
                .bind(&after)
                .fetch_optional(&mut *tx)
                .await?;
                sqlx::query("UPDATE marac_cases SET meeting_id = ?, status = ?, outcome = ?, outcome_notes = ? WHERE id = ?")
                    .bind(next)
                    .bind(if next.is_some() { "listed" } else { "referred" })
                    .bind(outcome.key())
                    .bind(notes)
                    .bind(case)
                    .execute(&mut *tx)
                    .await?;
            }
            _ => {
                let status = if outcome == MaracOutcome::Withdrawn { "withdrawn" } else { "heard" };
                let heard_on = (status == "heard").then(|| mdate.unwrap_or_else(|| date_str(today)));
                sqlx::query("UPDATE marac_cases SET status = ?, outcome = ?, outcome_notes = ?, heard_on = ? WHERE id = ?")
                    .bind(status)
                    .bind(outcome.key())
                    .bind(notes)
                    .bind(heard_on)
                    .bind(case)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        audit(&mut tx, ctx, "record_marac_outcome", "marac_case", &case.to_string(), &format!("outcome={}", outcome.key())).await?;
        tx.commit().await?;
        Ok(Some(()))
    }

    async fn agency_actions(&self, ctx: &Ctx) -> Result<Vec<AgencyActionRow>> {
        let Some(who) = ctx.principal() else { return Ok(vec![]) };
        // Action texts are case details: only MARAC roles see them.
        if !who.role.allows(haven_domain::access::Permission::MaracMember) {
            return Ok(vec![]);
        }
        let mut conn = self.reader.acquire().await?;
        let rows = sqlx::query(
            "SELECT x.id, x.case_id, x.description, x.due_date, x.status, c.area_id, a.name AS area, m.meeting_date,
               p.given_name || ' ' || p.family_name AS person_name, c.person_id
             FROM marac_actions x JOIN marac_cases c ON c.id = x.case_id JOIN marac_areas a ON a.id = c.area_id
               LEFT JOIN marac_meetings m ON m.id = c.meeting_id JOIN people p ON p.id = c.person_id
             WHERE x.owner_agency_id = ? AND x.status IN ('open', 'in_progress') ORDER BY x.due_date, x.id LIMIT 200",
        )
        .bind(who.agency_id.0)
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::new();
        let mut named = Vec::new();
        for r in &rows {
            let area: i64 = r.try_get("area_id")?;
            let member = marac_member(who, &area_members(&mut conn, area).await?);
            if member {
                named.push(r.try_get::<i64, _>("person_id")?.to_string());
            }
            out.push(AgencyActionRow {
                id: r.try_get("id")?,
                case_id: r.try_get("case_id")?,
                description: r.try_get("description")?,
                due_date: r.try_get("due_date")?,
                status: r.try_get("status")?,
                area: r.try_get("area")?,
                meeting_date: r.try_get("meeting_date")?,
                person_name: if member { Some(r.try_get("person_name")?) } else { None },
            });
        }
        drop(conn);
        if !named.is_empty() {
            let mut tx = self.writer.begin().await?;
            audit(&mut tx, ctx, "view_agency_actions", "marac_actions", &who.agency_id.to_string(), &format!("people={}", named.join(",")))
                .await?;
            tx.commit().await?;
        }
        Ok(out)
    }

    async fn allocate_open_cases(&self, ctx: &Ctx) -> Result<u64> {
        let mut tx = self.writer.begin().await?;
        let teams: Vec<i64> =
            sqlx::query_scalar(&format!("SELECT id FROM teams WHERE kind IN {CASEHOLDING} ORDER BY id")).fetch_all(&mut *tx).await?;
        let mut n = 0u64;
        for t in teams {
            let workers: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM users WHERE team_id = ? AND disabled = 0 AND role IN ('caseworker', 'accommodation_manager') ORDER BY id",
            )
            .bind(t)
            .fetch_all(&mut *tx)
            .await?;
            if workers.is_empty() {
                continue;
            }
            let refs: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM referrals WHERE assigned_team_id = ? AND assigned_user_id IS NULL AND status != 'new' ORDER BY id",
            )
            .bind(t)
            .fetch_all(&mut *tx)
            .await?;
            for (i, r) in refs.iter().enumerate() {
                let w = workers[i % workers.len()];
                sqlx::query("UPDATE referrals SET assigned_user_id = ? WHERE id = ?").bind(w).bind(r).execute(&mut *tx).await?;
                n += 1;
            }
        }
        audit(&mut tx, ctx, "allocate_open_cases", "database", "", &format!("allocated={n}")).await?;
        tx.commit().await?;
        Ok(n)
    }

    async fn set_staff_fte(&self, ctx: &Ctx, staff: &[(String, f64)]) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        for (u, fte) in staff {
            if !(fte.is_finite() && (0.0..=1.5).contains(fte)) {
                return Err(conflict("fte", format!("{u}: must be between 0 and 1.5")));
            }
            sqlx::query("UPDATE users SET fte = ? WHERE username = ?").bind(fte).bind(u).execute(&mut *tx).await?;
        }
        audit(&mut tx, ctx, "set_staff_fte", "database", "", &format!("staff={}", staff.len())).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn marac_stat_cases(&self, ctx: &Ctx, area: Option<i64>, period: Period) -> Result<MaracStatInput> {
        let mut conn = self.reader.acquire().await?;
        let rows = sqlx::query(
            "SELECT c.heard_on, c.repeat, c.referring_agency_kind, c.children, c.referred_on, p.sex, p.date_of_birth,
               p.gender_identity, p.sexual_orientation, p.ethnicity, p.disability
             FROM marac_cases c JOIN people p ON p.id = c.person_id
             WHERE c.status = 'heard' AND c.heard_on >= ? AND c.heard_on <= ? AND (? IS NULL OR c.area_id = ?)",
        )
        .bind(date_str(period.from()))
        .bind(date_str(period.to()))
        .bind(area)
        .bind(area)
        .fetch_all(&mut *conn)
        .await?;
        let mut cases = Vec::new();
        for r in &rows {
            let Some(heard_on) = parse_date(&r.try_get::<String, _>("heard_on")?) else { continue };
            let referred = parse_date(&r.try_get::<String, _>("referred_on")?).unwrap_or(heard_on);
            let dob: Option<String> = r.try_get("date_of_birth")?;
            let age = dob.as_deref().and_then(parse_date).and_then(|d| referred.years_since(d));
            cases.push(MaracCase {
                heard_on,
                repeat: r.try_get::<i64, _>("repeat")? != 0,
                referring_agency: AgencyKind::from_key(&r.try_get::<String, _>("referring_agency_kind")?).unwrap_or(AgencyKind::Other),
                children: u32::try_from(r.try_get::<i64, _>("children")?).unwrap_or(0),
                victim_sex: Sex::from_key(&r.try_get::<String, _>("sex")?).unwrap_or(Sex::NotKnown),
                victim_age: age,
                victim: characteristics(r)?,
            });
        }
        let pops: Vec<Option<i64>> = sqlx::query_scalar("SELECT adult_female_population FROM marac_areas WHERE (? IS NULL OR id = ?)")
            .bind(area)
            .bind(area)
            .fetch_all(&mut *conn)
            .await?;
        let adult_female_population = if !pops.is_empty() && pops.iter().all(Option::is_some) {
            Some(pops.iter().flatten().map(|p| u64::try_from(*p).unwrap_or(0)).sum())
        } else {
            None
        };
        drop(conn);
        let mut tx = self.writer.begin().await?;
        audit(
            &mut tx,
            ctx,
            "view_marac_statistics",
            "marac_area",
            &area.map(|a| a.to_string()).unwrap_or_default(),
            &format!("cases={}", cases.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(MaracStatInput { cases, adult_female_population })
    }
}
