//! Load the synthetic partnership (haven-synth) into a store, in one transaction.
use anyhow::Context;
use haven_store::casework::MaracAreaSeed;
use haven_store::{CaseworkStore, Ctx, NewUser, SqliteStore, bulk};
use haven_synth::{PersonRef, SynthPerson};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::HashMap;

pub struct Loaded {
    pub referrals: u64,
    pub people: u64,
    pub users: usize,
}

fn person_row(p: &SynthPerson) -> bulk::Person {
    bulk::Person {
        given_name: p.given_name.clone(),
        family_name: p.family_name.clone(),
        date_of_birth: Some(p.date_of_birth),
        sex: p.sex,
        postcode: p.postcode.clone(),
        ethnicity: p.ethnicity,
        disability: p.disability,
        sexual_orientation: p.sexual_orientation,
    }
}

/// Generate and load a partnership of `n` referrals over the 12 months
/// before `today`. Every user gets `password_hash`... each hashed separately.
pub async fn load(
    store: &SqliteStore,
    seed: u64,
    n: u64,
    today: chrono::NaiveDate,
    password: &str,
    progress: bool,
) -> anyhow::Result<Loaded> {
    let p = haven_synth::partnership(seed);
    let mut b = store.bulk().await?;
    for lot in &p.lots {
        b.lot(&lot.key, &lot.name).await?;
    }
    for d in &p.districts {
        b.district(&d.key, &d.name, &d.lot, i64::from(d.population)).await?;
    }
    let mut agency_by_kind: HashMap<&str, &str> = HashMap::new();
    for a in &p.agencies {
        b.agency(&a.key, &a.name, a.kind.key()).await?;
        agency_by_kind.entry(a.kind.key()).or_insert(a.key.as_str());
    }
    for t in &p.teams {
        b.team(&t.key, &t.name, t.kind.key(), &t.agency, t.fte, t.safe_caseload_per_fte.map(i64::from)).await?;
    }
    for s in &p.staff {
        let hash = haven_web::auth::hash_password(password).map_err(|e| anyhow::anyhow!("{e}"))?;
        b.user(&NewUser {
            username: s.username.clone(),
            display_name: s.display_name.clone(),
            role: s.role,
            agency: s.agency.clone(),
            team: s.team.clone(),
            password_hash: hash,
        })
        .await
        .with_context(|| format!("adding user {}", s.username))?;
    }
    let bar = if progress { ProgressBar::new(n) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{spinner} {bar:40} {pos}/{len} referrals ({per_sec}, eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    // synth person index → database id
    let mut ids: Vec<i64> = Vec::new();
    let mut people = 0u64;
    let start = today - chrono::Duration::days(365);
    let resolve = async |b: &mut haven_store::sqlite::BulkLoader, r: &PersonRef, ids: &mut Vec<i64>| -> anyhow::Result<i64> {
        match r {
            PersonRef::New(sp) => {
                let id = b.person(&person_row(sp)).await?;
                let i = usize::try_from(sp.idx)?;
                if ids.len() <= i {
                    ids.resize(i + 1, 0);
                }
                ids[i] = id;
                Ok(id)
            }
            PersonRef::Existing(i) => ids
                .get(usize::try_from(*i)?)
                .copied()
                .filter(|id| *id != 0)
                .with_context(|| format!("synthetic person {i} referenced before it was created")),
        }
    };
    let mut count = 0u64;
    for r in haven_synth::referrals(seed, n, start) {
        people += u64::from(r.victim.is_new())
            + r.perpetrator.as_ref().map_or(0, |p| u64::from(p.is_new()))
            + r.children.iter().filter(|c| c.is_new()).count() as u64;
        let victim = resolve(&mut b, &r.victim, &mut ids).await?;
        let perpetrator = match &r.perpetrator {
            Some(pr) => Some(resolve(&mut b, pr, &mut ids).await?),
            None => None,
        };
        let mut child_ids = Vec::with_capacity(r.children.len());
        for c in &r.children {
            child_ids.push(resolve(&mut b, c, &mut ids).await?);
        }
        // The last fortnight's referrals still wait at the front door; older
        // ones have been routed (or closed after advice), and those older
        // than four months have closed.
        let age_days = (today - r.referral_date).num_days();
        let status = if age_days <= 14 {
            "new"
        } else if age_days > 120 || r.assigned_team.is_none() {
            "closed"
        } else {
            "open"
        };
        let assigned = if status == "new" { None } else { r.assigned_team.clone() };
        b.referral(&bulk::Referral {
            person_id: victim,
            perpetrator_id: perpetrator,
            relationship: perpetrator.map(|_| r.relationship),
            child_ids,
            source_agency_kind: r.source_agency.key().to_string(),
            referring_agency_key: agency_by_kind.get(r.source_agency.key()).map(|s| s.to_string()),
            referral_date: r.referral_date,
            reason: r.reason.clone(),
            consent: r.consent,
            risk_level: Some(r.risk_level),
            dash_score: r.dash_score.map(i64::from),
            police_incident: r.police_incident,
            district_key: Some(r.district.clone()),
            assigned_team_key: assigned,
            status: status.into(),
            safe_to_call: r.safe_to_call,
            safe_to_text: r.safe_to_text,
            safe_times: r.safe_times.clone(),
        })
        .await?;
        count += 1;
        if count.is_multiple_of(1000) {
            bar.set_position(count);
        }
    }
    bar.finish_and_clear();
    b.commit(&Ctx::system("synth"), &format!("synthetic partnership seed={seed} referrals={count}")).await?;
    // MARAC areas with a fortnightly meeting schedule over the year (and the
    // next few weeks); past high-risk referrals are listed and heard.
    let ctx = Ctx::system("synth");
    let areas: Vec<MaracAreaSeed> = p
        .marac_areas
        .iter()
        .enumerate()
        .map(|(i, name)| MaracAreaSeed {
            key: format!("marac-{}", i + 1),
            name: name.clone(),
            districts: p.districts.iter().filter(|d| &d.marac_area == name).map(|d| d.key.clone()).collect(),
            member_agencies: vec![],
            meetings: (0..30).map(|k| start + chrono::Duration::days(14 * k)).collect(),
            adult_female_population: None,
        })
        .collect();
    store.seed_marac_areas(&ctx, &areas, true, &haven_domain::marac::MaracRules::default(), today).await?;
    store.allocate_open_cases(&ctx).await?;
    store.set_staff_fte(&ctx, &p.staff.iter().map(|s| (s.username.clone(), s.fte)).collect::<Vec<_>>()).await?;
    Ok(Loaded { referrals: count, people, users: p.staff.len() })
}
