//! SQLite implementation of [`crate::IntakeStore`].
use crate::intake::*;
use crate::model::PersonHit;
use crate::sqlite::{SqliteStore, audit, now_rfc3339, person_facts};
use crate::sqlite_linking::{PERSON_COLS, current_model, person_record, record_from_row};
use crate::{Ctx, Result, StoreError};
use async_trait::async_trait;
use chrono::NaiveDate;
use haven_domain::access::{PersonAccess, person_access};
use haven_domain::ids::{PersonId, ReferralId};
use haven_domain::intake::{
    HouseholdMember, IntakeDetails, NewIntakeReferral, NewPublicReferral, Perpetrator, PoliceParty, PublicRoute, normalise_name,
};
use haven_domain::person::{PersonRole, Postcode, RelationshipKind, Sex};
use haven_domain::referral::{LawfulBasis, SafeContact};
use haven_domain::search::soundex;
use haven_linkage::{CandidateIndex, Model, Thresholds};
use sqlx::{Row, SqliteConnection};

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The columns of a new person that intake knows.
struct PersonCols<'a> {
    given: &'a str,
    family: &'a str,
    dob: Option<NaiveDate>,
    sex: Sex,
    postcode: Option<&'a Postcode>,
}

async fn insert_person(conn: &mut SqliteConnection, ctx: &Ctx, p: &PersonCols<'_>, why: &str) -> Result<PersonId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO people (given_name, family_name, given_key, family_key, date_of_birth, sex, postcode, postcode_district, created_at)
         VALUES (?,?,?,?,?,?,?,?,?) RETURNING id",
    )
    .bind(p.given)
    .bind(p.family)
    .bind(soundex(p.given))
    .bind(soundex(p.family))
    .bind(p.dob.map(ymd))
    .bind(p.sex.key())
    .bind(p.postcode.map(|p| p.as_str().to_string()))
    .bind(p.postcode.map(|p| p.district().to_string()))
    .bind(now_rfc3339())
    .fetch_one(&mut *conn)
    .await?;
    audit(conn, ctx, "create_person", "person", &id.to_string(), why).await?;
    Ok(PersonId(id))
}

/// A confident match: exactly the same normalised given and family name and
/// the same date of birth. Without a date of birth there is no confident match.
async fn confident_match(conn: &mut SqliteConnection, given: &str, family: &str, dob: Option<NaiveDate>) -> Result<Option<PersonId>> {
    let Some(dob) = dob else { return Ok(None) };
    let rows = sqlx::query("SELECT id, given_name, family_name FROM people WHERE date_of_birth = ? AND family_key = ? ORDER BY id")
        .bind(ymd(dob))
        .bind(soundex(family))
        .fetch_all(&mut *conn)
        .await?;
    let (g, f) = (normalise_name(given), normalise_name(family));
    for r in rows {
        let rg: String = r.try_get("given_name")?;
        let rf: String = r.try_get("family_name")?;
        if normalise_name(&rg) == g && normalise_name(&rf) == f {
            return Ok(Some(PersonId(r.try_get("id")?)));
        }
    }
    Ok(None)
}

/// Someone already linked to `victim` (through a referral or relationship)
/// with the same normalised name and a compatible date of birth: a repeat
/// referral names the same children and perpetrator again.
async fn linked_match(
    conn: &mut SqliteConnection,
    victim: PersonId,
    given: &str,
    family: &str,
    dob: Option<NaiveDate>,
) -> Result<Option<PersonId>> {
    let rows = sqlx::query(
        "SELECT p.id, p.given_name, p.family_name, p.date_of_birth FROM people p WHERE p.id IN (
           SELECT rp.person_id FROM referral_people rp JOIN referrals r ON r.id = rp.referral_id WHERE r.person_id = ?1
           UNION SELECT to_person_id FROM relationships WHERE from_person_id = ?1
           UNION SELECT from_person_id FROM relationships WHERE to_person_id = ?1) ORDER BY p.id",
    )
    .bind(victim.0)
    .fetch_all(&mut *conn)
    .await?;
    let (g, f) = (normalise_name(given), normalise_name(family));
    let want = dob.map(ymd);
    for r in rows {
        let rg: String = r.try_get("given_name")?;
        let rf: String = r.try_get("family_name")?;
        let rd: Option<String> = r.try_get("date_of_birth")?;
        let dob_ok = match (&want, &rd) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        if dob_ok && normalise_name(&rg) == g && normalise_name(&rf) == f {
            return Ok(Some(PersonId(r.try_get("id")?)));
        }
    }
    Ok(None)
}

/// Record or update a person's safe-contact details (the one place this is written).
pub(crate) async fn upsert_safe_contact(conn: &mut SqliteConnection, person: PersonId, s: &SafeContact) -> Result<()> {
    sqlx::query(
        "INSERT INTO safe_contacts (person_id, safe_to_call, safe_to_text, safe_to_email, safe_to_leave_message, safe_times, phone, email, safe_address, updated_at)
         VALUES (?,?,?,?,?,?,?,?,?,?)
         ON CONFLICT(person_id) DO UPDATE SET safe_to_call = excluded.safe_to_call, safe_to_text = excluded.safe_to_text,
           safe_to_email = excluded.safe_to_email, safe_to_leave_message = excluded.safe_to_leave_message,
           safe_times = COALESCE(excluded.safe_times, safe_times), phone = COALESCE(excluded.phone, phone),
           email = COALESCE(excluded.email, email), safe_address = COALESCE(excluded.safe_address, safe_address), updated_at = excluded.updated_at",
    )
    .bind(person.0)
    .bind(s.safe_to_call.map(i64::from))
    .bind(s.safe_to_text.map(i64::from))
    .bind(s.safe_to_email.map(i64::from))
    .bind(s.safe_to_leave_message.map(i64::from))
    .bind(&s.safe_times)
    .bind(s.phone.as_ref().map(|p| p.as_str().to_string()))
    .bind(&s.email)
    .bind(&s.safe_address)
    .bind(now_rfc3339())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn link(conn: &mut SqliteConnection, referral: i64, person: PersonId, role: &str) -> Result<()> {
    sqlx::query("INSERT OR IGNORE INTO referral_people (referral_id, person_id, role) VALUES (?,?,?)")
        .bind(referral)
        .bind(person.0)
        .bind(role)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn relate(conn: &mut SqliteConnection, from: PersonId, to: PersonId, kind: RelationshipKind) -> Result<()> {
    sqlx::query("INSERT OR IGNORE INTO relationships (from_person_id, to_person_id, kind) VALUES (?,?,?)")
        .bind(from.0)
        .bind(to.0)
        .bind(kind.key())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A child named with no relationship, or as son/daughter/child, is the victim's child.
fn child_relationship(m: &HouseholdMember) -> RelationshipKind {
    let own = m
        .relationship
        .as_deref()
        .map(|r| r.trim().to_lowercase())
        .is_none_or(|r| matches!(r.as_str(), "son" | "daughter" | "child" | "my son" | "my daughter"));
    if m.role == PersonRole::Child && own { RelationshipKind::ParentOf } else { RelationshipKind::FamilyMember }
}

#[allow(clippy::too_many_arguments)]
async fn insert_intake_row(
    conn: &mut SqliteConnection,
    referral: i64,
    route: &str,
    interpreter: Option<&str>,
    access: &[&str],
    access_notes: Option<&str>,
    children: Option<i64>,
    key: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO referral_intake (referral_id, route, interpreter_language, access_needs, access_notes, children_in_household, submission_key, created_at)
         VALUES (?,?,?,?,?,?,?,?)",
    )
    .bind(referral)
    .bind(route)
    .bind(interpreter)
    .bind(access.join(","))
    .bind(access_notes)
    .bind(children)
    .bind(key)
    .bind(now_rfc3339())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn insert_needs(conn: &mut SqliteConnection, referral: i64, needs: &[&str]) -> Result<()> {
    for n in needs {
        sqlx::query("INSERT OR IGNORE INTO referral_needs (referral_id, need) VALUES (?,?)")
            .bind(referral)
            .bind(n)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Household and perpetrator for a referral; returns their ids.
async fn add_people(
    conn: &mut SqliteConnection,
    ctx: &Ctx,
    referral: i64,
    victim: PersonId,
    d: &IntakeDetails,
) -> Result<(Vec<PersonId>, Option<PersonId>)> {
    let why = format!("named on referral {referral}");
    let mut household = Vec::new();
    for m in &d.household {
        let dob = m.date_of_birth.map(|d| d.date());
        let id = match linked_match(conn, victim, m.given_name.as_str(), m.family_name.as_str(), dob).await? {
            Some(id) => id,
            None => {
                let cols = PersonCols { given: m.given_name.as_str(), family: m.family_name.as_str(), dob, sex: m.sex, postcode: None };
                insert_person(conn, ctx, &cols, &why).await?
            }
        };
        let role = if m.role == PersonRole::Child { "child" } else { "other" };
        link(conn, referral, id, role).await?;
        sqlx::query("INSERT OR REPLACE INTO referral_household (referral_id, person_id, role, relationship, school) VALUES (?,?,?,?,?)")
            .bind(referral)
            .bind(id.0)
            .bind(role)
            .bind(&m.relationship)
            .bind(&m.school)
            .execute(&mut *conn)
            .await?;
        relate(conn, victim, id, child_relationship(m)).await?;
        household.push(id);
    }
    let mut perp = None;
    if let Some(p) = &d.perpetrator {
        perp = Some(add_perpetrator(conn, ctx, referral, victim, p, &why).await?);
    }
    Ok((household, perp))
}

async fn add_perpetrator(
    conn: &mut SqliteConnection,
    ctx: &Ctx,
    referral: i64,
    victim: PersonId,
    p: &Perpetrator,
    why: &str,
) -> Result<PersonId> {
    let dob = p.date_of_birth.map(|d| d.date());
    let id = match linked_match(conn, victim, p.given_name.as_str(), p.family_name.as_str(), dob).await? {
        Some(id) => id,
        None => match confident_match(conn, p.given_name.as_str(), p.family_name.as_str(), dob).await? {
            Some(id) => id,
            None => {
                let cols = PersonCols {
                    given: p.given_name.as_str(),
                    family: p.family_name.as_str(),
                    dob,
                    sex: p.sex,
                    postcode: p.postcode.as_ref(),
                };
                insert_person(conn, ctx, &cols, why).await?
            }
        },
    };
    link(conn, referral, id, "alleged_perpetrator").await?;
    if let Some(k) = p.relationship {
        relate(conn, victim, id, k).await?;
    }
    Ok(id)
}

async fn existing_submission(conn: &mut SqliteConnection, key: Option<&str>) -> Result<Option<(i64, i64)>> {
    let Some(key) = key else { return Ok(None) };
    let row =
        sqlx::query("SELECT r.id, r.person_id FROM referral_intake i JOIN referrals r ON r.id = i.referral_id WHERE i.submission_key = ?")
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
}

async fn find_party(
    conn: &mut SqliteConnection,
    ctx: &Ctx,
    p: &PoliceParty,
    why: &str,
    created: &mut u64,
    matched: &mut u64,
) -> Result<PersonId> {
    let dob = p.date_of_birth.map(|d| d.date());
    if let Some(id) = confident_match(conn, p.given_name.as_str(), p.family_name.as_str(), dob).await? {
        *matched += 1;
        return Ok(id);
    }
    *created += 1;
    let cols = PersonCols { given: p.given_name.as_str(), family: p.family_name.as_str(), dob, sex: p.sex, postcode: p.postcode.as_ref() };
    insert_person(conn, ctx, &cols, why).await
}

fn opt_bool(v: Option<i64>) -> Option<bool> {
    v.map(|x| x != 0)
}

#[async_trait]
impl IntakeStore for SqliteStore {
    async fn suggest_people(&self, ctx: &Ctx, probe: &PersonProbe, limit: usize) -> Result<Vec<PersonHit>> {
        let Some(who) = ctx.principal() else { return Ok(vec![]) };
        let names: Vec<String> = [probe.given_name.as_str(), probe.family_name.as_str()]
            .iter()
            .flat_map(|n| n.split_whitespace())
            .map(str::to_lowercase)
            .filter(|n| n.chars().any(char::is_alphabetic))
            .collect();
        if names.is_empty() {
            return Ok(vec![]);
        }
        // Candidates by blocking keys (soundex of any name word, date of
        // birth, postcode), then scored by haven-linkage (issue 5) under the
        // latest link run's model: nicknames, typos, swapped names and day
        // and month all count, missing values are neutral.
        let keys: Vec<String> =
            names.iter().map(|n| soundex(n)).filter(|k| !k.is_empty()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        let mut conds: Vec<String> = Vec::new();
        if !keys.is_empty() {
            let ph = vec!["?"; keys.len()].join(",");
            conds.push(format!("family_key IN ({ph}) OR given_key IN ({ph})"));
        }
        if probe.date_of_birth.is_some() {
            conds.push("date_of_birth = ?".into());
        }
        if probe.postcode.is_some() {
            conds.push("postcode = ?".into());
        }
        if conds.is_empty() {
            return Ok(vec![]);
        }
        let sql = format!("SELECT {PERSON_COLS} FROM people WHERE merged_into IS NULL AND ({}) LIMIT 5000", conds.join(" OR "));
        let mut query = sqlx::query(&sql);
        for k in keys.iter().chain(keys.iter()) {
            query = query.bind(k);
        }
        if let Some(d) = probe.date_of_birth {
            query = query.bind(ymd(d));
        }
        if let Some(p) = &probe.postcode {
            query = query.bind(p.as_str().to_string());
        }
        let mut tx = self.writer.begin().await?;
        let rows = query.fetch_all(&mut *tx).await?;
        let mut existing = Vec::with_capacity(rows.len());
        let mut hits = std::collections::HashMap::new();
        for r in &rows {
            existing.push(record_from_row(r)?);
            let id: i64 = r.try_get("id")?;
            hits.insert(
                id.to_string(),
                PersonHit {
                    id: PersonId(id),
                    given_name: r.try_get("given_name")?,
                    family_name: r.try_get("family_name")?,
                    date_of_birth: r.try_get("date_of_birth")?,
                    sex: r.try_get("sex")?,
                    postcode: r.try_get("postcode")?,
                    score: 0.0,
                },
            );
        }
        let (model, thresholds) = current_model(&mut tx).await?;
        let index = match CandidateIndex::new(model, thresholds, &existing) {
            Ok(i) => i,
            // A stored model that no longer validates: fall back to the built-in one.
            Err(_) => CandidateIndex::new(Model::default(), Thresholds::default(), &existing)
                .map_err(|_| StoreError::Corrupt("the built-in linkage model does not validate".into()))?,
        };
        let probe_record = person_record(
            0,
            &probe.given_name,
            &probe.family_name,
            probe.date_of_birth.map(ymd).as_deref(),
            None,
            probe.postcode.as_ref().map(|p| p.as_str()),
        );
        let mut out = Vec::new();
        for c in index.candidates(&probe_record, existing.len()) {
            if out.len() >= limit {
                break;
            }
            let Some(mut hit) = hits.remove(&c.id) else { continue };
            if let Some(f) = person_facts(&mut tx, hit.id).await?
                && person_access(who, &f).can_read()
            {
                hit.score = c.probability;
                out.push(hit);
            }
        }
        let ids: Vec<String> = out.iter().map(|h| h.id.to_string()).collect();
        audit(&mut tx, ctx, "suggest_people", "search", "", &format!("results={}", ids.join(","))).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn create_intake_referral(&self, ctx: &Ctx, r: &NewIntakeReferral, existing: Option<PersonId>) -> Result<IntakeCreated> {
        let Some(who) = ctx.principal() else {
            return Err(StoreError::Conflict { field: "user".into(), message: "a referral must be made by a signed-in user".into() });
        };
        let mut tx = self.writer.begin().await?;
        if let Some((rid, pid)) = existing_submission(&mut tx, r.submission_key.as_deref()).await? {
            // The same form sent twice (a double click, a retry): answer as the first time.
            let facts = person_facts(&mut tx, PersonId(pid)).await?;
            if !facts.is_some_and(|f| person_access(who, &f).can_read()) {
                return Err(StoreError::Conflict { field: "submission_key".into(), message: "has already been used".into() });
            }
            return Ok(IntakeCreated {
                referral_id: ReferralId(rid),
                person_id: PersonId(pid),
                household_ids: vec![],
                perpetrator_id: None,
                replayed: true,
            });
        }
        let nr = &r.referral;
        let person_id = match existing {
            Some(id) => {
                let facts = person_facts(&mut tx, id).await?;
                if !facts.is_some_and(|f| person_access(who, &f).can_read()) {
                    return Err(StoreError::Conflict { field: "person_id".into(), message: "no such person".into() });
                }
                id
            }
            None => {
                let p = &nr.person;
                let c = &p.characteristics;
                let cols = PersonCols {
                    given: p.given_name.as_str(),
                    family: p.family_name.as_str(),
                    dob: p.date_of_birth.map(|d| d.date()),
                    sex: p.sex,
                    postcode: p.postcode.as_ref(),
                };
                let id = insert_person(&mut tx, ctx, &cols, "").await?;
                sqlx::query(
                    "UPDATE people SET gender_identity = ?, sexual_orientation = ?, ethnicity = ?, disability = ?, religion = ?, pregnant = ?,
                       marital_status = ?, immigration_status = ?, nrpf = ? WHERE id = ?",
                )
                .bind(c.gender_identity.key())
                .bind(c.sexual_orientation.key())
                .bind(c.ethnicity.key())
                .bind(c.disability.key())
                .bind(c.religion.key())
                .bind(c.pregnant.key())
                .bind(c.marital_status.key())
                .bind(c.immigration_status.key())
                .bind(c.nrpf.key())
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
                id
            }
        };
        upsert_safe_contact(&mut tx, person_id, &nr.safe_contact).await?;
        let rid = crate::sqlite::insert_referral(&mut tx, who, nr, person_id).await?;
        let d = &r.details;
        let access: Vec<&str> = d.access_needs.iter().map(|a| a.key()).collect();
        let children = i64::try_from(d.children()).ok();
        insert_intake_row(
            &mut tx,
            rid,
            "agency_form",
            d.interpreter_language.as_deref(),
            &access,
            d.access_notes.as_deref(),
            children,
            r.submission_key.as_deref(),
        )
        .await?;
        let needs: Vec<&str> = d.presenting_needs.iter().map(|n| n.key()).collect();
        insert_needs(&mut tx, rid, &needs).await?;
        let (household_ids, perpetrator_id) = add_people(&mut tx, ctx, rid, person_id, d).await?;
        let hh: Vec<String> = household_ids.iter().map(|h| h.to_string()).collect();
        let detail = format!(
            "person={person_id} route=agency_form household={} perpetrator={}",
            hh.join(","),
            perpetrator_id.map(|p| p.to_string()).unwrap_or_default()
        );
        audit(&mut tx, ctx, "create_referral", "referral", &rid.to_string(), &detail).await?;
        tx.commit().await?;
        tracing::info!(referral = rid, person = person_id.0, "intake referral created");
        Ok(IntakeCreated { referral_id: ReferralId(rid), person_id, household_ids, perpetrator_id, replayed: false })
    }

    async fn submitted(&self, key: &str) -> Result<Option<ReferralId>> {
        let mut conn = self.reader.acquire().await?;
        Ok(existing_submission(&mut conn, Some(key)).await?.map(|(r, _)| ReferralId(r)))
    }

    async fn create_public_referral(&self, ctx: &Ctx, r: &NewPublicReferral, submission_key: Option<&str>) -> Result<ReferralId> {
        let mut tx = self.writer.begin().await?;
        if let Some((rid, _)) = existing_submission(&mut tx, submission_key).await? {
            return Ok(ReferralId(rid));
        }
        let p = &r.person;
        let cols = PersonCols {
            given: p.given_name.as_str(),
            family: p.family_name.as_ref().map(|f| f.as_str()).unwrap_or(""),
            dob: p.date_of_birth.map(|d| d.date()),
            sex: p.sex,
            postcode: p.postcode.as_ref(),
        };
        let person = insert_person(&mut tx, ctx, &cols, "public referral").await?;
        upsert_safe_contact(&mut tx, person, &r.safe_contact).await?;
        let basis = if r.consent { LawfulBasis::Consent } else { LawfulBasis::PublicTask };
        let today = crate::sqlite::today();
        let rid: i64 = sqlx::query_scalar(
            "INSERT INTO referrals (person_id, source_agency_kind, referral_date, received_at, reason, consent, lawful_basis, police_incident, status)
             VALUES (?,?,?,?,?,?,?,0,'new') RETURNING id",
        )
        .bind(person.0)
        .bind(r.route.key())
        .bind(ymd(today))
        .bind(now_rfc3339())
        .bind(&r.what_happened)
        .bind(r.consent as i64)
        .bind(basis.key())
        .fetch_one(&mut *tx)
        .await?;
        let access: Vec<&str> = r.access_needs.iter().map(|a| a.key()).collect();
        insert_intake_row(
            &mut tx,
            rid,
            "public",
            r.interpreter_language.as_deref(),
            &access,
            None,
            r.children_in_household.map(i64::from),
            submission_key,
        )
        .await?;
        let needs: Vec<&str> = r.presenting_needs.iter().map(|n| n.key()).collect();
        insert_needs(&mut tx, rid, &needs).await?;
        let rf = r.referrer.as_ref();
        let person_knows = match r.route {
            PublicRoute::SelfReferral => Some(1i64),
            PublicRoute::FriendFamily => r.consent.then_some(1),
        };
        sqlx::query(
            "INSERT INTO public_referrals (referral_id, route, referrer_name, referrer_relationship, referrer_phone, referrer_email, person_knows, received_at)
             VALUES (?,?,?,?,?,?,?,?)",
        )
        .bind(rid)
        .bind(r.route.key())
        .bind(rf.map(|f| f.name.as_str().to_string()))
        .bind(rf.and_then(|f| f.relationship.clone()))
        .bind(rf.and_then(|f| f.phone.as_ref().map(|p| p.as_str().to_string())))
        .bind(rf.and_then(|f| f.email.clone()))
        .bind(person_knows)
        .bind(now_rfc3339())
        .execute(&mut *tx)
        .await?;
        audit(&mut tx, ctx, "create_referral", "referral", &rid.to_string(), &format!("person={person} route={}", r.route.key())).await?;
        tx.commit().await?;
        tracing::info!(referral = rid, "public referral received");
        Ok(ReferralId(rid))
    }

    async fn import_police_incidents(&self, ctx: &Ctx, b: &PoliceBatch) -> Result<ImportReport> {
        let mut tx = self.writer.begin().await?;
        let agency: Option<i64> = match &b.agency_key {
            Some(k) => Some(
                sqlx::query_scalar("SELECT id FROM agencies WHERE key = ?")
                    .bind(k)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| StoreError::Conflict { field: "agency".into(), message: format!("no agency with key '{k}'") })?,
            ),
            None => {
                sqlx::query_scalar("SELECT id FROM agencies WHERE kind = 'police' ORDER BY id LIMIT 1").fetch_optional(&mut *tx).await?
            }
        };
        let mut report = ImportReport { rows_read: b.rows_read, rejected: b.rejected.clone(), ..Default::default() };
        let batch_id: i64 = sqlx::query_scalar(
            "INSERT INTO police_import_batches (file_name, file_sha256, imported_at, imported_by, rows_read, imported, already_present, rejected, people_created, people_matched)
             VALUES (?,?,?,?,?,0,0,0,0,0) RETURNING id",
        )
        .bind(&b.file_name)
        .bind(&b.file_sha256)
        .bind(now_rfc3339())
        .bind(ctx.actor_name())
        .bind(i64::try_from(b.rows_read).unwrap_or(i64::MAX))
        .fetch_one(&mut *tx)
        .await?;
        let now = now_rfc3339();
        for (line, inc) in &b.incidents {
            let present: Option<i64> = sqlx::query_scalar("SELECT id FROM police_incidents WHERE incident_id = ?")
                .bind(inc.incident_id.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            if present.is_some() {
                report.already_present += 1;
                continue;
            }
            let why = format!("police incident import batch {batch_id}");
            let victim = find_party(&mut tx, ctx, &inc.victim, &why, &mut report.people_created, &mut report.people_matched).await?;
            let suspect = match &inc.suspect {
                Some(s) => Some(find_party(&mut tx, ctx, s, &why, &mut report.people_created, &mut report.people_matched).await?),
                None => None,
            };
            let consent = inc.consent == Some(true);
            let reason = inc.summary.clone().unwrap_or_else(|| format!("Police domestic abuse incident {}", inc.incident_id.as_str()));
            let rid: i64 = sqlx::query_scalar(
                "INSERT INTO referrals (person_id, source_agency_kind, referring_agency_id, referral_date, received_at, reason, consent, lawful_basis,
                   risk_level, dash_score, police_incident, status)
                 VALUES (?,'police',?,?,?,?,?,?,?,?,1,'new') RETURNING id",
            )
            .bind(victim.0)
            .bind(agency)
            .bind(ymd(inc.incident_date))
            .bind(&now)
            .bind(&reason)
            .bind(consent as i64)
            .bind(if consent { LawfulBasis::Consent.key() } else { LawfulBasis::PublicTask.key() })
            .bind(inc.risk_grade.key())
            .bind(inc.dash_score.map(i64::from))
            .fetch_one(&mut *tx)
            .await?;
            if let Some(s) = suspect {
                link(&mut tx, rid, s, "alleged_perpetrator").await?;
                if let Some(k) = inc.relationship {
                    relate(&mut tx, victim, s, k).await?;
                }
            }
            insert_intake_row(&mut tx, rid, "police_import", None, &[], None, inc.children.count.map(i64::from), None).await?;
            sqlx::query(
                "INSERT INTO police_incidents (incident_id, incident_date, victim_person_id, suspect_person_id, referral_id, risk_grade, dash_score,
                   children_present, children_count, batch_id, source_line, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            )
            .bind(inc.incident_id.as_str())
            .bind(ymd(inc.incident_date))
            .bind(victim.0)
            .bind(suspect.map(|s| s.0))
            .bind(rid)
            .bind(inc.risk_grade.key())
            .bind(inc.dash_score.map(i64::from))
            .bind(inc.children.present.map(i64::from))
            .bind(inc.children.count.map(i64::from))
            .bind(batch_id)
            .bind(i64::try_from(*line).unwrap_or(i64::MAX))
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            // The incident id is the force's reference, not personal data.
            let detail =
                format!("batch={batch_id} person={victim} suspect={} line={line}", suspect.map(|s| s.to_string()).unwrap_or_default());
            audit(&mut tx, ctx, "import_police_incident", "referral", &rid.to_string(), &detail).await?;
            report.imported += 1;
        }
        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        sqlx::query("UPDATE police_import_batches SET imported = ?, already_present = ?, rejected = ?, people_created = ?, people_matched = ? WHERE id = ?")
            .bind(n(report.imported))
            .bind(n(report.already_present))
            .bind(n(report.rejected.len() as u64))
            .bind(n(report.people_created))
            .bind(n(report.people_matched))
            .bind(batch_id)
            .execute(&mut *tx)
            .await?;
        let detail = format!(
            "rows={} imported={} already_present={} rejected={} people_created={} people_matched={}",
            report.rows_read,
            report.imported,
            report.already_present,
            report.rejected.len(),
            report.people_created,
            report.people_matched
        );
        audit(&mut tx, ctx, "import_police_incidents", "police_import_batch", &batch_id.to_string(), &detail).await?;
        tx.commit().await?;
        report.batch_id = Some(batch_id);
        tracing::info!(batch = batch_id, imported = report.imported, rejected = report.rejected.len(), "police incidents imported");
        Ok(report)
    }

    async fn police_import_batches(&self, limit: i64) -> Result<Vec<ImportBatchRow>> {
        let rows = sqlx::query(
            "SELECT id, file_name, imported_at, imported_by, rows_read, imported, already_present, rejected FROM police_import_batches ORDER BY id DESC LIMIT ?",
        )
        .bind(limit.clamp(1, 500))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ImportBatchRow {
                    id: r.try_get("id")?,
                    file_name: r.try_get("file_name")?,
                    imported_at: r.try_get("imported_at")?,
                    imported_by: r.try_get("imported_by")?,
                    rows_read: r.try_get("rows_read")?,
                    imported: r.try_get("imported")?,
                    already_present: r.try_get("already_present")?,
                    rejected: r.try_get("rejected")?,
                })
            })
            .collect()
    }

    async fn read_intake(&self, ctx: &Ctx, id: ReferralId) -> Result<Option<IntakeView>> {
        let Some(who) = ctx.principal() else { return Ok(None) };
        let mut tx = self.writer.begin().await?;
        let Some(r) = sqlx::query(
            "SELECT r.*, p.given_name || ' ' || p.family_name AS person_name FROM referrals r JOIN people p ON p.id = r.person_id WHERE r.id = ?",
        )
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(None);
        };
        let person_id = PersonId(r.try_get("person_id")?);
        let Some(facts) = person_facts(&mut tx, person_id).await? else { return Ok(None) };
        let access = person_access(who, &facts);
        if !access.can_read() {
            audit(&mut tx, ctx, "read_intake_denied", "referral", &id.to_string(), "").await?;
            tx.commit().await?;
            return Ok(None);
        }
        let intake = sqlx::query("SELECT * FROM referral_intake WHERE referral_id = ?").bind(id.0).fetch_optional(&mut *tx).await?;
        let (route, interpreter_language, access_needs, access_notes, children_in_household) = match &intake {
            Some(i) => {
                let a: String = i.try_get("access_needs")?;
                (
                    i.try_get::<String, _>("route")?,
                    i.try_get("interpreter_language")?,
                    a.split(',').filter(|s| !s.is_empty()).map(String::from).collect(),
                    i.try_get("access_notes")?,
                    i.try_get("children_in_household")?,
                )
            }
            None => ("none".to_string(), None, vec![], None, None),
        };
        let presenting_needs: Vec<String> = sqlx::query_scalar("SELECT need FROM referral_needs WHERE referral_id = ? ORDER BY need")
            .bind(id.0)
            .fetch_all(&mut *tx)
            .await?;
        let people = sqlx::query(
            "SELECT p.id, p.given_name || ' ' || p.family_name AS name, p.date_of_birth, rp.role, h.relationship, h.school
             FROM referral_people rp JOIN people p ON p.id = rp.person_id
             LEFT JOIN referral_household h ON h.referral_id = rp.referral_id AND h.person_id = rp.person_id
             WHERE rp.referral_id = ? ORDER BY rp.role, p.id",
        )
        .bind(id.0)
        .fetch_all(&mut *tx)
        .await?;
        let mut household = Vec::new();
        let mut perpetrator = None;
        for p in &people {
            let ip = IntakePerson {
                id: PersonId(p.try_get("id")?),
                name: p.try_get("name")?,
                date_of_birth: p.try_get("date_of_birth")?,
                role: p.try_get("role")?,
                relationship: p.try_get("relationship")?,
                school: p.try_get("school")?,
            };
            if ip.role == "alleged_perpetrator" {
                perpetrator = Some(ip);
            } else {
                household.push(ip);
            }
        }
        // The referrer's contact details are how the front door reaches a
        // friend-referred person: shown only with the safe-contact details.
        let referrer = match sqlx::query("SELECT * FROM public_referrals WHERE referral_id = ? AND route = 'friend_family'")
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?
        {
            Some(p) if access == PersonAccess::Full => Some(ReferrerView {
                name: p.try_get("referrer_name")?,
                relationship: p.try_get("referrer_relationship")?,
                phone: p.try_get("referrer_phone")?,
                email: p.try_get("referrer_email")?,
                person_knows: opt_bool(p.try_get("person_knows")?),
            }),
            _ => None,
        };
        let police_incident =
            match sqlx::query("SELECT * FROM police_incidents WHERE referral_id = ?").bind(id.0).fetch_optional(&mut *tx).await? {
                Some(p) => Some(IncidentView {
                    incident_id: p.try_get("incident_id")?,
                    incident_date: p.try_get("incident_date")?,
                    risk_grade: p.try_get("risk_grade")?,
                    dash_score: p.try_get("dash_score")?,
                    children_present: opt_bool(p.try_get("children_present")?),
                    children_count: p.try_get("children_count")?,
                }),
                None => None,
            };
        audit(&mut tx, ctx, "read_intake", "referral", &id.to_string(), &format!("person={person_id}")).await?;
        tx.commit().await?;
        Ok(Some(IntakeView {
            referral_id: id,
            person_id,
            person_name: r.try_get("person_name")?,
            referral_date: r.try_get("referral_date")?,
            source_agency: r.try_get("source_agency_kind")?,
            reason: r.try_get("reason")?,
            status: r.try_get("status")?,
            risk_level: r.try_get("risk_level")?,
            route,
            interpreter_language,
            access_needs,
            access_notes,
            presenting_needs,
            children_in_household,
            household,
            perpetrator,
            referrer,
            police_incident,
        }))
    }
}
