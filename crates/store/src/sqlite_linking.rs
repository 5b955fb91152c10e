//! SQLite implementation of [`crate::LinkingStore`].
use crate::figures::Period;
use crate::linking::*;
use crate::sqlite::{SqliteStore, audit, now_rfc3339, person_facts};
use crate::{Ctx, Result, StoreError};
use async_trait::async_trait;
use haven_domain::access::{Principal, person_access};
use haven_domain::ids::PersonId;
use haven_linkage::{Date, DateFormat, Decision, Explanation, LinkageError, Linker, Model, NoProgress, Record, Settings, Sex, Thresholds};
use sqlx::{Row, SqliteConnection};
use std::collections::HashSet;

/// A person row as haven-linkage sees it. The id is the person id.
pub(crate) fn person_record(
    id: i64,
    given: &str,
    family: &str,
    date_of_birth: Option<&str>,
    sex: Option<&str>,
    postcode: Option<&str>,
) -> Record {
    let mut r = Record::new(id.to_string());
    if !given.trim().is_empty() {
        r = r.with_given_name(given);
    }
    if !family.trim().is_empty() {
        r = r.with_family_name(family);
    }
    r.date_of_birth = date_of_birth.and_then(|d| Date::parse(d, DateFormat::Iso).ok());
    r.sex = sex.and_then(Sex::parse);
    if let Some(pc) = postcode.filter(|p| !p.trim().is_empty()) {
        r = r.with_postcode(pc);
    }
    r
}

/// Columns [`person_record`] needs, for `SELECT {PERSON_COLS} FROM people`.
pub(crate) const PERSON_COLS: &str = "id, given_name, family_name, date_of_birth, sex, postcode";

pub(crate) fn record_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<Record> {
    let id: i64 = r.try_get("id")?;
    let given: String = r.try_get("given_name")?;
    let family: String = r.try_get("family_name")?;
    let dob: Option<String> = r.try_get("date_of_birth")?;
    let sex: Option<String> = r.try_get("sex")?;
    let postcode: Option<String> = r.try_get("postcode")?;
    Ok(person_record(id, &given, &family, dob.as_deref(), sex.as_deref(), postcode.as_deref()))
}

/// The latest run's model and thresholds (the built-in model before any run).
pub(crate) async fn current_model(conn: &mut SqliteConnection) -> Result<(Model, Thresholds)> {
    let row = sqlx::query("SELECT model, accept_threshold, review_threshold, reject_threshold FROM link_runs ORDER BY id DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok((Model::default(), Thresholds::default())) };
    let model: String = row.try_get("model")?;
    let model = serde_json::from_str::<Model>(&model).unwrap_or_default();
    let t = Thresholds {
        accept: row.try_get("accept_threshold")?,
        review: row.try_get("review_threshold")?,
        reject: row.try_get("reject_threshold")?,
    };
    Ok((model, if t.validate().is_ok() { t } else { Thresholds::default() }))
}

/// Linkage errors never carry a person's details into the store error (it is logged).
fn linkage_err(e: LinkageError) -> StoreError {
    match e {
        LinkageError::Config(m) => StoreError::Corrupt(format!("linkage settings: {m}")),
        LinkageError::TooMany(n) => StoreError::Corrupt(format!("too many person records to link: {n}")),
        _ => StoreError::Corrupt("a person record could not be prepared for linkage".into()),
    }
}

fn need_user(ctx: &Ctx) -> Result<&Principal> {
    ctx.principal().ok_or_else(|| StoreError::Conflict { field: "user".into(), message: "must be a signed-in user".into() })
}

async fn can_read(conn: &mut SqliteConnection, who: &Principal, id: PersonId) -> Result<bool> {
    Ok(person_facts(conn, id).await?.is_some_and(|f| person_access(who, &f).can_read()))
}

fn ordered(a: i64, b: i64) -> (i64, i64) {
    if a <= b { (a, b) } else { (b, a) }
}

/// Every (table, column) holding a person id, from the schema's foreign
/// keys, except the people table itself and the linkage bookkeeping. New
/// tables that reference people(id) are picked up without a code change.
async fn person_columns(conn: &mut SqliteConnection) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT m.name AS t, f.\"from\" AS c FROM sqlite_master m, pragma_foreign_key_list(m.name) f
         WHERE m.type = 'table' AND f.\"table\" = 'people' ORDER BY m.name, f.\"from\"",
    )
    .fetch_all(&mut *conn)
    .await?;
    let ident = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let mut out = Vec::new();
    for r in rows {
        let t: String = r.try_get("t")?;
        let c: String = r.try_get("c")?;
        if t == "people" || t.starts_with("link_") || t.starts_with("person_merge") || !ident(&t) || !ident(&c) {
            continue;
        }
        out.push((t, c));
    }
    Ok(out)
}

async fn merge_in_tx(
    conn: &mut SqliteConnection,
    ctx: &Ctx,
    who: &Principal,
    survivor: PersonId,
    merged: PersonId,
    pair: Option<i64>,
) -> Result<MergeOutcome> {
    if survivor == merged {
        return Err(StoreError::Conflict { field: "into".into(), message: "a record cannot be merged into itself".into() });
    }
    for (id, field) in [(survivor, "into"), (merged, "person_id")] {
        let state: Option<Option<i64>> =
            sqlx::query_scalar("SELECT merged_into FROM people WHERE id = ?").bind(id.0).fetch_optional(&mut *conn).await?;
        // Out of reach is answered as missing.
        if state.is_none() || !can_read(conn, who, id).await? {
            return Err(StoreError::NotFound(format!("person {id}")));
        }
        if state.flatten().is_some() {
            return Err(StoreError::Conflict {
                field: field.into(),
                message: format!("person {id} has already been merged into another record"),
            });
        }
    }
    let merge_id: i64 =
        sqlx::query_scalar("INSERT INTO person_merges (survivor, merged, pair_id, merged_at, merged_by) VALUES (?,?,?,?,?) RETURNING id")
            .bind(survivor.0)
            .bind(merged.0)
            .bind(pair)
            .bind(now_rfc3339())
            .bind(ctx.actor_name())
            .fetch_one(&mut *conn)
            .await?;
    let cols = person_columns(conn).await?;
    let mut moved = 0i64;
    let mut kept = 0i64;
    for (t, c) in &cols {
        // Never make a row join the survivor to itself (a relationship
        // between the two, a victim who is their own suspect).
        let guard: String =
            cols.iter().filter(|(t2, c2)| t2 == t && c2 != c).map(|(_, c2)| format!(" AND (\"{c2}\" IS NULL OR \"{c2}\" != ?1)")).collect();
        let rowids: Vec<i64> =
            sqlx::query_scalar(&format!("SELECT rowid FROM \"{t}\" WHERE \"{c}\" = ?")).bind(merged.0).fetch_all(&mut *conn).await?;
        for rowid in rowids {
            // OR IGNORE: a row the survivor already has (same referral and
            // role, same relationship) stays with the merged record.
            let after: Option<i64> =
                sqlx::query_scalar(&format!("UPDATE OR IGNORE \"{t}\" SET \"{c}\" = ?1 WHERE rowid = ?2{guard} RETURNING rowid"))
                    .bind(survivor.0)
                    .bind(rowid)
                    .fetch_optional(&mut *conn)
                    .await?;
            match after {
                Some(key) => {
                    sqlx::query("INSERT INTO person_merge_moves (merge_id, table_name, column_name, row_key) VALUES (?,?,?,?)")
                        .bind(merge_id)
                        .bind(t)
                        .bind(c)
                        .bind(key)
                        .execute(&mut *conn)
                        .await?;
                    moved += 1;
                }
                None => kept += 1,
            }
        }
    }
    sqlx::query("UPDATE people SET merged_into = ? WHERE id = ?").bind(survivor.0).bind(merged.0).execute(&mut *conn).await?;
    let detail = format!("merged={merged} merge={merge_id} rows_moved={moved} rows_kept={kept}");
    audit(conn, ctx, "merge_people", "person", &survivor.to_string(), &detail).await?;
    audit(conn, ctx, "merged_into", "person", &merged.to_string(), &format!("survivor={survivor} merge={merge_id}")).await?;
    Ok(MergeOutcome { merge_id, survivor, merged, rows_moved: moved })
}

async fn side(conn: &mut SqliteConnection, id: i64) -> Result<PairSide> {
    let p = sqlx::query("SELECT id, given_name, family_name, date_of_birth, sex, postcode FROM people WHERE id = ?")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let referrals: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM referrals WHERE person_id = ?").bind(id).fetch_one(&mut *conn).await?;
    Ok(PairSide {
        id: PersonId(id),
        given_name: p.try_get("given_name")?,
        family_name: p.try_get("family_name")?,
        date_of_birth: p.try_get("date_of_birth")?,
        sex: p.try_get("sex")?,
        postcode: p.try_get("postcode")?,
        referrals,
    })
}

fn field_scores(explanation: &str) -> Vec<FieldScore> {
    let Ok(e) = serde_json::from_str::<Explanation>(explanation) else { return vec![] };
    e.fields
        .iter()
        .map(|f| FieldScore { field: f.field.name().replace('_', " "), level: f.label.clone(), weight: f.weight + f.tf_adjustment })
        .collect()
}

fn run_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<LinkRun> {
    Ok(LinkRun {
        id: r.try_get("id")?,
        started_at: r.try_get("started_at")?,
        finished_at: r.try_get("finished_at")?,
        run_by: r.try_get("run_by")?,
        records: r.try_get("records")?,
        accepted_pairs: r.try_get("accepted_pairs")?,
        review_pairs: r.try_get("review_pairs")?,
        review_pairs_skipped: r.try_get("review_pairs_skipped")?,
        clusters: r.try_get("clusters")?,
        accept_threshold: r.try_get("accept_threshold")?,
        review_threshold: r.try_get("review_threshold")?,
        reject_threshold: r.try_get("reject_threshold")?,
        trained: r.try_get::<i64, _>("trained")? != 0,
    })
}

/// An open review pair, its two people.
async fn open_pair(conn: &mut SqliteConnection, pair_id: i64) -> Result<(i64, i64)> {
    let row = sqlx::query("SELECT person_a, person_b FROM link_pairs WHERE id = ? AND status = 'open' AND decision = 'review'")
        .bind(pair_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("open pair {pair_id}")))?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

async fn decide(conn: &mut SqliteConnection, ctx: &Ctx, pair_id: i64, a: i64, b: i64, status: &str, decision: &str) -> Result<()> {
    let now = now_rfc3339();
    sqlx::query("UPDATE link_pairs SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?")
        .bind(status)
        .bind(ctx.actor_name())
        .bind(&now)
        .bind(pair_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO link_decisions (person_a, person_b, decision, decided_by, decided_at) VALUES (?,?,?,?,?)
         ON CONFLICT(person_a, person_b) DO UPDATE SET decision = excluded.decision, decided_by = excluded.decided_by, decided_at = excluded.decided_at",
    )
    .bind(a)
    .bind(b)
    .bind(decision)
    .bind(ctx.actor_name())
    .bind(&now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[async_trait]
impl LinkingStore for SqliteStore {
    async fn run_linkage(&self, ctx: &Ctx) -> Result<LinkRun> {
        let started_at = now_rfc3339();
        let rows =
            sqlx::query(&format!("SELECT {PERSON_COLS} FROM people WHERE merged_into IS NULL ORDER BY id")).fetch_all(&self.reader).await?;
        let mut ids = Vec::with_capacity(rows.len());
        let mut records = Vec::with_capacity(rows.len());
        for r in &rows {
            ids.push(r.try_get::<i64, _>("id")?);
            records.push(record_from_row(r)?);
        }
        drop(rows);
        let settings = Settings::default();
        let thresholds = settings.thresholds;
        let linkage = if records.len() >= 2 {
            Some(Linker::new(settings).map_err(linkage_err)?.dedupe(&records, &NoProgress).map_err(linkage_err)?)
        } else {
            None
        };
        let model = linkage.as_ref().map(|l| l.model.clone()).unwrap_or_default();
        let trained = linkage.as_ref().is_some_and(|l| l.stats.trained);
        let mut tx = self.writer.begin().await?;
        let different: HashSet<(i64, i64)> = sqlx::query("SELECT person_a, person_b FROM link_decisions WHERE decision = 'different'")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_>>()?;
        let model_json = serde_json::to_string(&model).map_err(|e| StoreError::Corrupt(format!("linkage model: {e}")))?;
        let run_id: i64 = sqlx::query_scalar(
            "INSERT INTO link_runs (started_at, finished_at, run_by, records, accepted_pairs, review_pairs, review_pairs_skipped, clusters,
               accept_threshold, review_threshold, reject_threshold, trained, model) VALUES (?,?,?,?,0,0,0,0,?,?,?,?,?) RETURNING id",
        )
        .bind(&started_at)
        .bind(&started_at)
        .bind(ctx.actor_name())
        .bind(i64::try_from(records.len()).unwrap_or(i64::MAX))
        .bind(thresholds.accept)
        .bind(thresholds.review)
        .bind(thresholds.reject)
        .bind(trained as i64)
        .bind(&model_json)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE link_pairs SET status = 'superseded' WHERE status = 'open'").execute(&mut *tx).await?;
        sqlx::query("DELETE FROM link_clusters WHERE run_id < ?").bind(run_id).execute(&mut *tx).await?;
        let (mut accepted, mut review, mut skipped, mut clusters) = (0i64, 0i64, 0i64, 0i64);
        if let Some(l) = &linkage {
            for p in &l.pairs {
                let (Some(&ia), Some(&ib), Some(ra), Some(rb)) =
                    (ids.get(p.left), ids.get(p.right), records.get(p.left), records.get(p.right))
                else {
                    continue;
                };
                let (a, b) = ordered(ia, ib);
                let status = match p.decision {
                    Decision::Accept => "linked",
                    Decision::Review if different.contains(&(a, b)) => {
                        skipped += 1;
                        continue;
                    }
                    Decision::Review => "open",
                    Decision::Reject => continue,
                };
                let explanation = serde_json::to_string(&l.model.explain(ra, rb)).unwrap_or_else(|_| "{}".into());
                sqlx::query(
                    "INSERT INTO link_pairs (run_id, person_a, person_b, probability, match_weight, decision, explanation, status) VALUES (?,?,?,?,?,?,?,?)",
                )
                .bind(run_id)
                .bind(a)
                .bind(b)
                .bind(p.probability)
                .bind(p.match_weight)
                .bind(p.decision.as_str())
                .bind(explanation)
                .bind(status)
                .execute(&mut *tx)
                .await?;
                if p.decision == Decision::Accept {
                    accepted += 1;
                } else {
                    review += 1;
                }
            }
            for g in l.groups() {
                let members: Vec<i64> = g.iter().filter_map(|&i| ids.get(i).copied()).collect();
                let Some(&key) = members.iter().min() else { continue };
                clusters += 1;
                for m in members {
                    sqlx::query("INSERT INTO link_clusters (run_id, person_id, cluster) VALUES (?,?,?)")
                        .bind(run_id)
                        .bind(m)
                        .bind(key)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        let row = sqlx::query(
            "UPDATE link_runs SET finished_at = ?, accepted_pairs = ?, review_pairs = ?, review_pairs_skipped = ?, clusters = ? WHERE id = ? RETURNING *",
        )
        .bind(now_rfc3339())
        .bind(accepted)
        .bind(review)
        .bind(skipped)
        .bind(clusters)
        .bind(run_id)
        .fetch_one(&mut *tx)
        .await?;
        // One row for the bulk read of every person record: counts only.
        let detail = format!("records={} accepted={accepted} review={review} skipped={skipped} clusters={clusters}", records.len());
        audit(&mut tx, ctx, "link_run", "link_run", &run_id.to_string(), &detail).await?;
        tx.commit().await?;
        tracing::info!(run = run_id, records = records.len(), accepted, review, clusters, "link run finished");
        run_from_row(&row)
    }

    async fn link_runs(&self, limit: i64) -> Result<Vec<LinkRun>> {
        let rows =
            sqlx::query("SELECT * FROM link_runs ORDER BY id DESC LIMIT ?").bind(limit.clamp(1, 500)).fetch_all(&self.reader).await?;
        rows.iter().map(run_from_row).collect()
    }

    async fn review_queue(&self, ctx: &Ctx, limit: i64) -> Result<Vec<ReviewPair>> {
        let who = need_user(ctx)?;
        let mut tx = self.writer.begin().await?;
        let rows = sqlx::query(
            "SELECT lp.id, lp.run_id, lp.person_a, lp.person_b, lp.probability, lp.match_weight, lp.explanation FROM link_pairs lp
             JOIN people pa ON pa.id = lp.person_a JOIN people pb ON pb.id = lp.person_b
             WHERE lp.status = 'open' AND lp.decision = 'review' AND lp.run_id = (SELECT MAX(id) FROM link_runs)
               AND pa.merged_into IS NULL AND pb.merged_into IS NULL
             ORDER BY lp.probability DESC, lp.id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            if out.len() as i64 >= limit.max(1) {
                break;
            }
            let (a, b): (i64, i64) = (r.try_get("person_a")?, r.try_get("person_b")?);
            // A reviewer sees a pair only when allowed to read both records.
            if !can_read(&mut tx, who, PersonId(a)).await? || !can_read(&mut tx, who, PersonId(b)).await? {
                continue;
            }
            let explanation: String = r.try_get("explanation")?;
            out.push(ReviewPair {
                id: r.try_get("id")?,
                run_id: r.try_get("run_id")?,
                probability: r.try_get("probability")?,
                match_weight: r.try_get("match_weight")?,
                a: side(&mut tx, a).await?,
                b: side(&mut tx, b).await?,
                explanation: field_scores(&explanation),
            });
        }
        let people: Vec<String> = out.iter().map(|p| format!("{}+{}", p.a.id, p.b.id)).collect();
        audit(&mut tx, ctx, "view_link_pairs", "link_pairs", "", &format!("pairs={}", people.join(","))).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn confirm_pair(&self, ctx: &Ctx, pair_id: i64) -> Result<MergeOutcome> {
        let who = need_user(ctx)?;
        let mut tx = self.writer.begin().await?;
        let (a, b) = open_pair(&mut tx, pair_id).await?;
        if !can_read(&mut tx, who, PersonId(a)).await? || !can_read(&mut tx, who, PersonId(b)).await? {
            return Err(StoreError::NotFound(format!("open pair {pair_id}")));
        }
        // The older record survives; the newer is merged into it.
        let out = merge_in_tx(&mut tx, ctx, who, PersonId(a), PersonId(b), Some(pair_id)).await?;
        decide(&mut tx, ctx, pair_id, a, b, "confirmed", "same").await?;
        audit(&mut tx, ctx, "confirm_match", "link_pair", &pair_id.to_string(), &format!("people={a},{b} merge={}", out.merge_id)).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn reject_pair(&self, ctx: &Ctx, pair_id: i64) -> Result<()> {
        let who = need_user(ctx)?;
        let mut tx = self.writer.begin().await?;
        let (a, b) = open_pair(&mut tx, pair_id).await?;
        if !can_read(&mut tx, who, PersonId(a)).await? || !can_read(&mut tx, who, PersonId(b)).await? {
            return Err(StoreError::NotFound(format!("open pair {pair_id}")));
        }
        decide(&mut tx, ctx, pair_id, a, b, "rejected", "different").await?;
        audit(&mut tx, ctx, "reject_match", "link_pair", &pair_id.to_string(), &format!("people={a},{b}")).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn merge_people(&self, ctx: &Ctx, survivor: PersonId, merged: PersonId) -> Result<MergeOutcome> {
        let who = need_user(ctx)?;
        let mut tx = self.writer.begin().await?;
        let out = merge_in_tx(&mut tx, ctx, who, survivor, merged, None).await?;
        let (a, b) = ordered(survivor.0, merged.0);
        sqlx::query(
            "INSERT INTO link_decisions (person_a, person_b, decision, decided_by, decided_at) VALUES (?,?,'same',?,?)
             ON CONFLICT(person_a, person_b) DO UPDATE SET decision = 'same', decided_by = excluded.decided_by, decided_at = excluded.decided_at",
        )
        .bind(a)
        .bind(b)
        .bind(ctx.actor_name())
        .bind(now_rfc3339())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn unmerge_person(&self, ctx: &Ctx, merged: PersonId) -> Result<MergeOutcome> {
        let who = need_user(ctx)?;
        let mut tx = self.writer.begin().await?;
        let m = sqlx::query("SELECT id, survivor FROM person_merges WHERE merged = ? AND unmerged_at IS NULL ORDER BY id DESC LIMIT 1")
            .bind(merged.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("merge of person {merged}")))?;
        let merge_id: i64 = m.try_get("id")?;
        let survivor = PersonId(m.try_get("survivor")?);
        if !can_read(&mut tx, who, survivor).await? || !can_read(&mut tx, who, merged).await? {
            return Err(StoreError::NotFound(format!("merge of person {merged}")));
        }
        let survivor_merged: Option<i64> =
            sqlx::query_scalar("SELECT merged_into FROM people WHERE id = ?").bind(survivor.0).fetch_one(&mut *tx).await?;
        if survivor_merged.is_some() {
            return Err(StoreError::Conflict {
                field: "person_id".into(),
                message: format!("person {survivor} has since been merged into another record: unmerge that first"),
            });
        }
        let allowed: HashSet<(String, String)> = person_columns(&mut tx).await?.into_iter().collect();
        let moves = sqlx::query("SELECT table_name, column_name, row_key FROM person_merge_moves WHERE merge_id = ? ORDER BY rowid DESC")
            .bind(merge_id)
            .fetch_all(&mut *tx)
            .await?;
        let mut restored = 0i64;
        for mv in &moves {
            let t: String = mv.try_get("table_name")?;
            let c: String = mv.try_get("column_name")?;
            let key: i64 = mv.try_get("row_key")?;
            if !allowed.contains(&(t.clone(), c.clone())) {
                return Err(StoreError::Corrupt(format!("merge {merge_id} moved a row of an unknown column {t}.{c}")));
            }
            let done = sqlx::query(&format!("UPDATE \"{t}\" SET \"{c}\" = ?1 WHERE rowid = ?2 AND \"{c}\" = ?3"))
                .bind(merged.0)
                .bind(key)
                .bind(survivor.0)
                .execute(&mut *tx)
                .await?;
            restored += i64::try_from(done.rows_affected()).unwrap_or(0);
        }
        sqlx::query("UPDATE people SET merged_into = NULL WHERE id = ?").bind(merged.0).execute(&mut *tx).await?;
        sqlx::query("UPDATE person_merges SET unmerged_at = ?, unmerged_by = ? WHERE id = ?")
            .bind(now_rfc3339())
            .bind(ctx.actor_name())
            .bind(merge_id)
            .execute(&mut *tx)
            .await?;
        // Unmerged on a reviewer's word: do not offer the pair again as "same".
        let (a, b) = ordered(survivor.0, merged.0);
        sqlx::query("DELETE FROM link_decisions WHERE person_a = ? AND person_b = ? AND decision = 'same'")
            .bind(a)
            .bind(b)
            .execute(&mut *tx)
            .await?;
        let detail = format!("merged={merged} merge={merge_id} rows_restored={restored} rows_recorded={}", moves.len());
        audit(&mut tx, ctx, "unmerge_people", "person", &survivor.to_string(), &detail).await?;
        audit(&mut tx, ctx, "unmerged", "person", &merged.to_string(), &format!("survivor={survivor} merge={merge_id}")).await?;
        tx.commit().await?;
        Ok(MergeOutcome { merge_id, survivor, merged, rows_moved: restored })
    }

    async fn merges(&self, limit: i64) -> Result<Vec<MergeRow>> {
        let rows = sqlx::query(
            "SELECT m.*, (SELECT COUNT(*) FROM person_merge_moves mv WHERE mv.merge_id = m.id) AS moved FROM person_merges m ORDER BY m.id DESC LIMIT ?",
        )
        .bind(limit.clamp(1, 500))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MergeRow {
                    id: r.try_get("id")?,
                    survivor: PersonId(r.try_get("survivor")?),
                    merged: PersonId(r.try_get("merged")?),
                    merged_at: r.try_get("merged_at")?,
                    merged_by: r.try_get("merged_by")?,
                    unmerged_at: r.try_get("unmerged_at")?,
                    rows_moved: r.try_get("moved")?,
                })
            })
            .collect()
    }

    async fn merged_into(&self, id: PersonId) -> Result<Option<PersonId>> {
        let v: Option<Option<i64>> =
            sqlx::query_scalar("SELECT merged_into FROM people WHERE id = ?").bind(id.0).fetch_optional(&self.reader).await?;
        Ok(v.flatten().map(PersonId))
    }

    async fn link_counts(&self, period: Period) -> Result<LinkCounts> {
        let run = sqlx::query("SELECT id, finished_at FROM link_runs ORDER BY id DESC LIMIT 1").fetch_optional(&self.reader).await?;
        let (run_id, run_at) = match &run {
            Some(r) => (Some(r.try_get::<i64, _>("id")?), Some(r.try_get::<String, _>("finished_at")?)),
            None => (None, None),
        };
        // Each person's cluster is the run's cluster key, or their own id.
        let row = sqlx::query(
            "WITH cl AS (SELECT person_id, cluster FROM link_clusters WHERE run_id = ?3),
             v AS (SELECT r.id AS rid, COALESCE(cl.cluster, r.person_id) AS vc FROM referrals r LEFT JOIN cl ON cl.person_id = r.person_id
                   WHERE r.referral_date BETWEEN ?1 AND ?2),
             pv AS (SELECT DISTINCT COALESCE(cp.cluster, rp.person_id) AS pc, v.vc FROM v
                   JOIN referral_people rp ON rp.referral_id = v.rid AND rp.role = 'alleged_perpetrator'
                   JOIN people pp ON pp.id = rp.person_id AND pp.merged_into IS NULL
                   LEFT JOIN cl cp ON cp.person_id = rp.person_id)
             SELECT (SELECT COUNT(*) FROM v) AS referrals,
                    (SELECT COUNT(DISTINCT vc) FROM v) AS individuals,
                    (SELECT COUNT(*) FROM (SELECT vc FROM v GROUP BY vc HAVING COUNT(*) >= 2)) AS repeat_victims,
                    (SELECT COUNT(DISTINCT pc) FROM pv) AS perpetrators,
                    (SELECT COUNT(*) FROM (SELECT pc FROM pv GROUP BY pc HAVING COUNT(*) >= 2)) AS serial_perpetrators",
        )
        .bind(period.from.format("%Y-%m-%d").to_string())
        .bind(period.to.format("%Y-%m-%d").to_string())
        .bind(run_id.unwrap_or(-1))
        .fetch_one(&self.reader)
        .await?;
        Ok(LinkCounts {
            run_id,
            run_at,
            referrals: row.try_get("referrals")?,
            individuals: row.try_get("individuals")?,
            repeat_victims: row.try_get("repeat_victims")?,
            perpetrators: row.try_get("perpetrators")?,
            serial_perpetrators: row.try_get("serial_perpetrators")?,
        })
    }
}
