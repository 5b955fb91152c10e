//! SQLite implementation of [`crate::FiguresStore`]: counts and sums only,
//! every query parameterised; no row that names a person leaves SQL.
use crate::figures::{DistrictFigures, FiguresStore, LiveFigures, MaracFigures, Period, Tally, TeamFte};
use crate::sqlite::{SqliteStore, audit};
use crate::{Ctx, Result, StoreError};
use async_trait::async_trait;
use haven_domain::access::Permission;
use sqlx::{Row, SqliteConnection};

/// Referrals in the period; binds ?1 = from, ?2 = to (YYYY-MM-DD).
const IN_PERIOD: &str = "r.referral_date BETWEEN ?1 AND ?2";

async fn scalar(conn: &mut SqliteConnection, sql: &str, p: &(String, String)) -> Result<i64> {
    let v: Option<i64> = sqlx::query_scalar(sql).bind(&p.0).bind(&p.1).fetch_one(&mut *conn).await?;
    Ok(v.unwrap_or(0))
}

async fn tally(conn: &mut SqliteConnection, sql: &str, p: &(String, String)) -> Result<Vec<Tally>> {
    let rows = sqlx::query(sql).bind(&p.0).bind(&p.1).fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let key: Option<String> = r.try_get("k")?;
        out.push(Tally { key: key.unwrap_or_else(|| "not_known".into()), count: r.try_get("n")? });
    }
    Ok(out)
}

/// People served in the period, grouped by one column of `people`.
fn served_by(column: &str) -> String {
    format!(
        "SELECT COALESCE(NULLIF(p.{column}, ''), 'not_known') AS k, COUNT(*) AS n FROM people p
         WHERE p.id IN (SELECT r.person_id FROM referrals r WHERE {IN_PERIOD})
         GROUP BY 1 ORDER BY n DESC, k"
    )
}

async fn marac(conn: &mut SqliteConnection, p: &(String, String)) -> Result<Option<MaracFigures>> {
    // The MARAC tables arrive with a later migration; count them only when
    // they exist with the columns used here.
    let cols: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pragma_table_info('marac_cases') WHERE name IN ('person_id', 'referred_on', 'repeat', 'children', 'status')",
    )
    .fetch_one(&mut *conn)
    .await?;
    if cols < 5 {
        return Ok(None);
    }
    let r = sqlx::query(
        "SELECT COUNT(*) AS cases, COALESCE(SUM(CASE WHEN repeat != 0 THEN 1 ELSE 0 END), 0) AS repeats,
                COALESCE(SUM(children), 0) AS children, COUNT(DISTINCT person_id) AS victims
         FROM marac_cases WHERE referred_on BETWEEN ?1 AND ?2 AND status != 'withdrawn'",
    )
    .bind(&p.0)
    .bind(&p.1)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Some(MaracFigures {
        cases: r.try_get("cases")?,
        repeats: r.try_get("repeats")?,
        children: r.try_get("children")?,
        victims: r.try_get("victims")?,
    }))
}

#[async_trait]
impl FiguresStore for SqliteStore {
    async fn live_figures(&self, ctx: &Ctx, period: Period) -> Result<LiveFigures> {
        if ctx.principal().is_some_and(|p| !p.role.allows(Permission::ViewAggregates)) {
            return Err(StoreError::NotFound("figures".into()));
        }
        let p = (period.from.format("%Y-%m-%d").to_string(), period.to.format("%Y-%m-%d").to_string());
        let mut conn = self.reader.acquire().await?;
        let c = &mut *conn;

        let referrals = scalar(c, &format!("SELECT COUNT(*) FROM referrals r WHERE {IN_PERIOD}"), &p).await?;
        let victims = scalar(c, &format!("SELECT COUNT(DISTINCT r.person_id) FROM referrals r WHERE {IN_PERIOD}"), &p).await?;
        let repeat_victims = scalar(
            c,
            &format!(
                "SELECT COUNT(DISTINCT r.person_id) FROM referrals r WHERE {IN_PERIOD} AND EXISTS (
                   SELECT 1 FROM referrals o WHERE o.person_id = r.person_id AND o.id != r.id
                   AND ((o.referral_date BETWEEN date(r.referral_date, '-365 days') AND r.referral_date)
                        OR (o.referral_date BETWEEN r.referral_date AND ?2)))"
            ),
            &p,
        )
        .await?;
        let risk = tally(
            c,
            &format!(
                "SELECT COALESCE(r.risk_level, 'not_assessed') AS k, COUNT(*) AS n FROM referrals r WHERE {IN_PERIOD}
                 GROUP BY 1 ORDER BY CASE k WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'standard' THEN 2 ELSE 3 END"
            ),
            &p,
        )
        .await?;
        let victims_high =
            scalar(c, &format!("SELECT COUNT(DISTINCT r.person_id) FROM referrals r WHERE {IN_PERIOD} AND r.risk_level = 'high'"), &p)
                .await?;
        let victims_medium = scalar(
            c,
            &format!(
                "SELECT COUNT(DISTINCT r.person_id) FROM referrals r WHERE {IN_PERIOD} AND r.risk_level = 'medium'
                 AND r.person_id NOT IN (SELECT h.person_id FROM referrals h WHERE h.referral_date BETWEEN ?1 AND ?2 AND h.risk_level = 'high')"
            ),
            &p,
        )
        .await?;
        let by_source = tally(
            c,
            &format!("SELECT r.source_agency_kind AS k, COUNT(*) AS n FROM referrals r WHERE {IN_PERIOD} GROUP BY 1 ORDER BY n DESC, k"),
            &p,
        )
        .await?;
        let police_incidents = scalar(c, "SELECT COUNT(*) FROM police_incident_dates WHERE incident_date BETWEEN ?1 AND ?2", &p).await?;
        let police_victims =
            scalar(c, "SELECT COUNT(DISTINCT person_id) FROM police_incident_dates WHERE incident_date BETWEEN ?1 AND ?2", &p).await?;
        let police_risk = tally(
            c,
            &format!(
                "SELECT COALESCE(r.risk_level, 'not_assessed') AS k, COUNT(*) AS n FROM referrals r WHERE {IN_PERIOD} AND r.police_incident = 1
                 GROUP BY 1 ORDER BY CASE k WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'standard' THEN 2 ELSE 3 END"
            ),
            &p,
        )
        .await?;
        let served_by_sex = tally(c, &served_by("sex"), &p).await?;
        let served_by_ethnicity = tally(c, &served_by("ethnicity"), &p).await?;
        let served_by_disability = tally(c, &served_by("disability"), &p).await?;
        let served_by_sexual_orientation = tally(c, &served_by("sexual_orientation"), &p).await?;
        // Age in whole years on the last day of the period.
        let served_by_age_band = tally(
            c,
            &format!(
                "WITH a AS (
                   SELECT CASE WHEN p.date_of_birth IS NULL OR p.date_of_birth = '' THEN NULL ELSE
                     CAST(strftime('%Y', ?2) AS INTEGER) - CAST(strftime('%Y', p.date_of_birth) AS INTEGER)
                     - (strftime('%m-%d', ?2) < strftime('%m-%d', p.date_of_birth)) END AS age
                   FROM people p WHERE p.id IN (SELECT r.person_id FROM referrals r WHERE {IN_PERIOD}))
                 SELECT CASE WHEN age IS NULL THEN 'not_known' WHEN age < 16 THEN 'under_16' WHEN age < 25 THEN '16-24'
                   WHEN age < 35 THEN '25-34' WHEN age < 45 THEN '35-44' WHEN age < 55 THEN '45-54' WHEN age < 65 THEN '55-64'
                   ELSE '65+' END AS k, COUNT(*) AS n FROM a GROUP BY 1
                 ORDER BY CASE k WHEN 'under_16' THEN 0 WHEN '16-24' THEN 1 WHEN '25-34' THEN 2 WHEN '35-44' THEN 3
                   WHEN '45-54' THEN 4 WHEN '55-64' THEN 5 WHEN '65+' THEN 6 ELSE 7 END"
            ),
            &p,
        )
        .await?;
        let children_in_referrals = scalar(
            c,
            &format!("SELECT COUNT(DISTINCT rp.person_id) FROM referral_people rp JOIN referrals r ON r.id = rp.referral_id WHERE rp.role = 'child' AND {IN_PERIOD}"),
            &p,
        )
        .await?;
        let marac = marac(c, &p).await?;

        let mut fte = Vec::new();
        for r in sqlx::query("SELECT kind, COUNT(*) AS teams, COALESCE(SUM(fte), 0.0) AS fte, AVG(safe_caseload_per_fte) AS safe FROM teams GROUP BY kind ORDER BY kind")
            .fetch_all(&mut *c)
            .await?
        {
            fte.push(TeamFte { kind: r.try_get("kind")?, teams: r.try_get("teams")?, fte: r.try_get("fte")?, safe_caseload_per_fte: r.try_get("safe")? });
        }
        let mut districts = Vec::new();
        for r in sqlx::query(
            "SELECT d.name, l.name AS lot, d.population,
               (SELECT COUNT(*) FROM referrals r WHERE r.district_id = d.id AND r.referral_date BETWEEN ?1 AND ?2) AS referrals,
               (SELECT COUNT(*) FROM referrals r WHERE r.district_id = d.id AND r.police_incident = 1 AND r.referral_date BETWEEN ?1 AND ?2) AS police
             FROM districts d JOIN lots l ON l.id = d.lot_id ORDER BY l.name, d.name",
        )
        .bind(&p.0)
        .bind(&p.1)
        .fetch_all(&mut *c)
        .await?
        {
            districts.push(DistrictFigures {
                name: r.try_get("name")?,
                lot: r.try_get("lot")?,
                population: r.try_get("population")?,
                referrals: r.try_get("referrals")?,
                police_incidents: r.try_get("police")?,
            });
        }
        drop(conn);
        let population = districts.iter().map(|d| d.population).sum();

        let mut tx = self.writer.begin().await?;
        audit(&mut tx, ctx, "view_figures", "figures", &format!("{}..{}", p.0, p.1), "live aggregate figures").await?;
        tx.commit().await?;

        Ok(LiveFigures {
            period,
            referrals,
            victims,
            repeat_victims,
            risk,
            victims_high,
            victims_medium,
            by_source,
            police_incidents,
            police_victims,
            police_risk,
            served_by_sex,
            served_by_age_band,
            served_by_ethnicity,
            served_by_disability,
            served_by_sexual_orientation,
            children_in_referrals,
            marac,
            fte,
            districts,
            population,
        })
    }
}
