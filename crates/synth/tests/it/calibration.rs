//! The stream matches the seeds' proportions on n = 20,000.
use crate::start;
use chrono::{Datelike, Months, NaiveDate};
use haven_domain::agency::{AgencyKind, TeamKind};
use haven_domain::person::{Ethnicity, Name, Postcode, Sex, SexualOrientation};
use haven_domain::risk::RiskLevel;
use haven_synth::{Partnership, PersonRef, SynthPerson, SynthReferral, partnership, referrals};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const N: u64 = 20_000;
const SEED: u64 = 20_240_401;

/// Everything the checks need, gathered in one pass.
#[derive(Default)]
struct Stats {
    n: f64,
    source: HashMap<AgencyKind, f64>,
    risk: HashMap<RiskLevel, f64>,
    repeats: f64,
    new_victims: f64,
    households_with_children: f64,
    new_children: f64,
    female: f64,
    male: f64,
    white_british: f64,
    lgb: f64,
    disabled: f64,
    aged_20_45: f64,
    with_perpetrator: f64,
    victims_by_perp: HashMap<u64, HashSet<u64>>,
    no_postcode: f64,
    family_names: HashMap<String, f64>,
    police_incident: f64,
    consent: f64,
    accommodation: f64,
    months: HashMap<u32, f64>,
}

fn age(dob: NaiveDate, on: NaiveDate) -> i32 {
    let mut a = on.year() - dob.year();
    if (on.month(), on.day()) < (dob.month(), dob.day()) {
        a -= 1;
    }
    a
}

fn check_person(p: &SynthPerson, on: NaiveDate, part: &Partnership) {
    assert!(Name::parse("given", &p.given_name).is_ok(), "{}", p.given_name);
    assert!(Name::parse("family", &p.family_name).is_ok(), "{}", p.family_name);
    assert!(p.date_of_birth <= on);
    let d = part.districts.iter().find(|d| d.key == p.district).unwrap_or_else(|| panic!("{}", p.district));
    if let Some(pc) = &p.postcode {
        let parsed = Postcode::parse("postcode", pc).unwrap_or_else(|e| panic!("{pc}: {e:?}"));
        assert_eq!(parsed.as_str(), pc, "normalised");
        assert!(d.postcode_districts.iter().any(|o| o == parsed.district()), "{pc} not in {}", d.key);
        let inward = pc.rsplit(' ').next().unwrap_or_default();
        assert!(!inward.chars().any(|c| "CIKMOV".contains(c)), "{pc}");
    }
}

fn stats() -> &'static Stats {
    static S: OnceLock<Stats> = OnceLock::new();
    S.get_or_init(|| {
        let part = partnership(SEED);
        let end = start().checked_add_months(Months::new(12)).unwrap_or_default();
        let mut s = Stats::default();
        let mut next_idx = 0u64;
        let mut children_of: HashMap<u64, Vec<u64>> = HashMap::new();
        let mut last_date = start();
        let seen_new = |p: &PersonRef, next: &mut u64| match p {
            PersonRef::New(person) => {
                assert_eq!(person.idx, *next, "idx sequential");
                *next += 1;
            }
            PersonRef::Existing(i) => assert!(*i < *next, "existing idx {i} not yet emitted"),
        };
        for (k, r) in referrals(SEED, N, start()).enumerate() {
            assert_eq!(r.idx, k as u64);
            check_referral(&r, &part);
            assert!(r.referral_date >= last_date && r.referral_date < end, "date order");
            last_date = r.referral_date;
            seen_new(&r.victim, &mut next_idx);
            if let Some(p) = &r.perpetrator {
                seen_new(p, &mut next_idx);
            }
            for c in &r.children {
                seen_new(c, &mut next_idx);
            }
            s.n += 1.0;
            *s.source.entry(r.source_agency).or_default() += 1.0;
            *s.risk.entry(r.risk_level).or_default() += 1.0;
            *s.months.entry(r.referral_date.month()).or_default() += 1.0;
            s.police_incident += f64::from(u8::from(r.police_incident));
            s.consent += f64::from(u8::from(r.consent));
            s.accommodation += f64::from(u8::from(r.accommodation_need));
            let kids: Vec<u64> = r.children.iter().map(PersonRef::idx).collect();
            match &r.victim {
                PersonRef::New(v) => {
                    check_person(v, r.referral_date, &part);
                    s.new_victims += 1.0;
                    if !kids.is_empty() {
                        s.households_with_children += 1.0;
                        s.new_children += kids.len() as f64;
                    }
                    for c in &r.children {
                        let PersonRef::New(c) = c else { panic!("a new victim's children are new") };
                        check_person(c, r.referral_date, &part);
                        assert!((0..=17).contains(&age(c.date_of_birth, r.referral_date)));
                        assert!(age(v.date_of_birth, r.referral_date) - age(c.date_of_birth, r.referral_date) >= 16);
                        assert_eq!(c.postcode, v.postcode);
                    }
                    children_of.insert(v.idx, kids);
                    match v.sex {
                        Sex::Female => s.female += 1.0,
                        Sex::Male => s.male += 1.0,
                        _ => {}
                    }
                    s.white_british += f64::from(u8::from(v.ethnicity == Ethnicity::WhiteBritish));
                    s.lgb +=
                        f64::from(u8::from(matches!(v.sexual_orientation, SexualOrientation::GayLesbian | SexualOrientation::Bisexual)));
                    s.disabled += f64::from(u8::from(v.disability == haven_domain::person::YesNoUnknown::Yes));
                    let a = age(v.date_of_birth, r.referral_date);
                    assert!((16..=90).contains(&a), "victim aged {a}");
                    s.aged_20_45 += f64::from(u8::from((20..=45).contains(&a)));
                    s.no_postcode += f64::from(u8::from(v.postcode.is_none()));
                    *s.family_names.entry(v.family_name.clone()).or_default() += 1.0;
                }
                PersonRef::Existing(i) => {
                    s.repeats += 1.0;
                    assert!(r.children.iter().all(|c| !c.is_new()), "children reused on repeats");
                    assert_eq!(children_of.get(i), Some(&kids), "same children on repeat");
                }
            }
            if let Some(p) = &r.perpetrator {
                s.with_perpetrator += 1.0;
                s.victims_by_perp.entry(p.idx()).or_default().insert(r.victim.idx());
                if let PersonRef::New(p) = p {
                    check_person(p, r.referral_date, &part);
                    assert!(age(p.date_of_birth, r.referral_date) >= 16);
                }
            }
        }
        s
    })
}

fn check_referral(r: &SynthReferral, part: &Partnership) {
    let d = part.districts.iter().find(|d| d.key == r.district).unwrap_or_else(|| panic!("{}", r.district));
    assert!(!r.reason.is_empty() && r.reason.len() < 400, "{}", r.reason);
    match (r.risk_level, r.dash_score) {
        (RiskLevel::High, Some(s)) => {
            assert!(s >= 14 || (r.professional_judgement && s >= 8), "high {s}")
        }
        (RiskLevel::Medium, Some(s)) => assert!((8..=13).contains(&s)),
        (RiskLevel::Standard, Some(s)) => assert!(s <= 7),
        (RiskLevel::Standard, None) => assert_ne!(r.source_agency, AgencyKind::Police),
        (level, None) => panic!("{level:?} without DASH"),
    }
    if r.source_agency == AgencyKind::Police {
        assert!(r.police_incident);
    }
    let team = r.assigned_team.as_deref().map(|k| part.teams.iter().find(|t| t.key == k).unwrap_or_else(|| panic!("no team {k}")));
    let kind = team.map(|t| t.kind);
    if r.accommodation_need {
        assert_eq!(kind, Some(TeamKind::Refuge));
    } else {
        match r.risk_level {
            RiskLevel::High => assert_eq!(kind, Some(TeamKind::Idva)),
            RiskLevel::Medium => assert_eq!(kind, Some(TeamKind::Outreach)),
            RiskLevel::Standard => assert!(matches!(kind, None | Some(TeamKind::FrontDoor))),
        }
        if let Some(t) = team.filter(|t| matches!(t.kind, TeamKind::Idva | TeamKind::Outreach)) {
            assert!(t.key.ends_with(&d.lot), "{} routed to {}", d.key, t.key);
        }
    }
}

fn share(x: f64) -> f64 {
    x / stats().n
}

fn within(what: &str, got: f64, lo: f64, hi: f64) {
    eprintln!("{what}: {:.1}%", got * 100.0);
    assert!((lo..=hi).contains(&got), "{what}: {got:.4} not in [{lo}, {hi}]");
}

#[test]
fn referral_sources_follow_seed_000_table_6() {
    let s = stats();
    let src = |k| share(s.source.get(&k).copied().unwrap_or_default());
    within("police", src(AgencyKind::Police), 0.38, 0.425);
    within("self", src(AgencyKind::SelfReferral), 0.135, 0.165);
    within("children's services", src(AgencyKind::ChildrensServices), 0.095, 0.12);
    assert!(s.source.len() >= 15, "most agency kinds refer: {}", s.source.len());
}

#[test]
fn risk_mix_follows_seed_004_table_1() {
    let s = stats();
    let risk = |k| share(s.risk.get(&k).copied().unwrap_or_default());
    within("high", risk(RiskLevel::High), 0.03, 0.10);
    within("medium", risk(RiskLevel::Medium), 0.23, 0.27);
}

#[test]
fn a_third_of_referrals_are_repeat_victims() {
    within("repeats", share(stats().repeats), 0.30, 0.40);
}

#[test]
fn sixty_percent_of_households_have_children_at_1_8_each() {
    let s = stats();
    within("households with children", s.households_with_children / s.new_victims, 0.57, 0.63);
    let per = s.new_children / s.households_with_children;
    eprintln!("children per family: {per:.2}");
    assert!((1.7..=1.9).contains(&per), "{per}");
}

#[test]
fn victims_are_mostly_women_of_working_age() {
    let s = stats();
    within("female victims", s.female / s.new_victims, 0.88, 0.94);
    within("male victims", s.male / s.new_victims, 0.05, 0.10);
    within("aged 20–45", s.aged_20_45 / s.new_victims, 0.6, 0.85);
}

#[test]
fn a_shire_county_population() {
    let s = stats();
    within("White British", s.white_british / s.new_victims, 0.86, 0.92);
    within("LGB", s.lgb / s.new_victims, 0.02, 0.06);
    within("disabled", s.disabled / s.new_victims, 0.12, 0.22);
    within("no postcode", s.no_postcode / s.new_victims, 0.02, 0.08);
}

#[test]
fn most_referrals_name_a_perpetrator_and_a_few_are_serial() {
    let s = stats();
    within("with perpetrator", share(s.with_perpetrator), 0.85, 0.97);
    let perps = s.victims_by_perp.len() as f64;
    let serial = s.victims_by_perp.values().filter(|v| v.len() >= 2).count() as f64;
    eprintln!("serial perpetrators: {serial} of {perps}");
    assert!(serial >= 20.0, "{serial}");
    assert!(serial / perps < 0.08, "{serial} of {perps}");
}

#[test]
fn family_names_are_skewed() {
    let s = stats();
    let mut counts: Vec<f64> = s.family_names.values().copied().collect();
    counts.sort_by(|a, b| b.total_cmp(a));
    let top = counts.first().copied().unwrap_or_default() / s.new_victims;
    eprintln!("commonest family name: {:.1}%, {} distinct", top * 100.0, counts.len());
    assert!((0.01..0.06).contains(&top), "{top}");
    assert!(counts.len() > 200);
}

#[test]
fn referrals_spread_across_the_year() {
    let s = stats();
    assert_eq!(s.months.len(), 12);
    for (m, c) in &s.months {
        within(&format!("month {m}"), c / s.n, 0.07, 0.095);
    }
}

#[test]
fn other_flags_are_plausible() {
    let s = stats();
    within("police incident", share(s.police_incident), 0.45, 0.6);
    within("consent", share(s.consent), 0.65, 0.9);
    within("accommodation need", share(s.accommodation), 0.02, 0.06);
}
