use haven_domain::access::Role;
use haven_domain::agency::{AgencyKind, TeamKind};
use haven_synth::postcode::is_invented_area;
use haven_synth::{DEMO_USERNAMES, partnership};
use std::collections::HashSet;

#[test]
fn county_has_three_lots_and_eleven_districts() {
    let p = partnership(1);
    assert_eq!(p.lots.len(), 3);
    assert_eq!(p.districts.len(), 11);
    assert_eq!(p.marac_areas.len(), 3);
    let lots: HashSet<&str> = p.lots.iter().map(|l| l.key.as_str()).collect();
    for l in &p.lots {
        assert!(p.districts.iter().any(|d| d.lot == l.key), "lot {} has no district", l.key);
    }
    let mut outwards = HashSet::new();
    for d in &p.districts {
        assert!(lots.contains(d.lot.as_str()), "{}", d.key);
        assert!(p.marac_areas.contains(&d.marac_area));
        assert!(is_invented_area(&d.postcode_area), "{} is a real or malformed area", d.postcode_area);
        assert!((50_000..=250_000).contains(&d.population));
        assert!(!d.postcode_districts.is_empty());
        for pc in &d.postcode_districts {
            assert!(pc.starts_with(&d.postcode_area), "{pc}");
            assert!(pc[2..].chars().all(|c| c.is_ascii_digit()), "{pc}");
            assert!(outwards.insert(pc.clone()), "{pc} used twice");
        }
    }
    let keys: HashSet<&str> = p.districts.iter().map(|d| d.key.as_str()).collect();
    assert_eq!(keys.len(), 11);
    let total: u32 = p.districts.iter().map(|d| d.population).sum();
    assert!((900_000..=2_000_000).contains(&total), "{total}");
}

#[test]
fn agencies_cover_the_partnership() {
    let p = partnership(1);
    use AgencyKind as K;
    for kind in [
        K::Police,
        K::ChildrensServices,
        K::AdultSocialCare,
        K::Gp,
        K::AandE,
        K::Maternity,
        K::HealthVisitor,
        K::MentalHealth,
        K::SubstanceMisuse,
        K::Housing,
        K::Probation,
        K::Education,
        K::SpecialistDa,
        K::VictimSupport,
    ] {
        assert!(p.agencies.iter().any(|a| a.kind == kind), "no {kind:?} agency");
    }
    // District housing: one housing authority per district.
    assert_eq!(p.agencies.iter().filter(|a| a.kind == K::Housing).count(), 11);
    let keys: HashSet<&str> = p.agencies.iter().map(|a| a.key.as_str()).collect();
    assert_eq!(keys.len(), p.agencies.len(), "agency keys unique");
}

#[test]
fn teams_belong_to_agencies_and_cover_every_kind() {
    let p = partnership(1);
    let agencies: HashSet<&str> = p.agencies.iter().map(|a| a.key.as_str()).collect();
    let keys: HashSet<&str> = p.teams.iter().map(|t| t.key.as_str()).collect();
    assert_eq!(keys.len(), p.teams.len(), "team keys unique");
    for t in &p.teams {
        assert!(agencies.contains(t.agency.as_str()), "{} → {}", t.key, t.agency);
        assert!(t.fte > 0.0, "{} has no staff", t.key);
    }
    for kind in TeamKind::ALL {
        assert!(p.teams.iter().any(|t| t.kind == *kind), "no {kind:?} team");
    }
    for lot in &p.lots {
        for kind in [TeamKind::Idva, TeamKind::Outreach] {
            assert!(p.teams.iter().any(|t| t.kind == kind && t.key.ends_with(&lot.key)), "{kind:?} for {}", lot.key);
        }
    }
    let idva = p.teams.iter().find(|t| t.kind == TeamKind::Idva).map(|t| t.safe_caseload_per_fte);
    assert_eq!(idva, Some(Some(65)));
}

#[test]
fn about_sixty_staff_across_every_role() {
    let p = partnership(1);
    assert!((55..=65).contains(&p.staff.len()), "{}", p.staff.len());
    let users: HashSet<&str> = p.staff.iter().map(|s| s.username.as_str()).collect();
    assert_eq!(users.len(), p.staff.len(), "usernames unique");
    for role in Role::ALL {
        assert!(p.staff.iter().any(|s| s.role == *role), "no {role:?}");
    }
    for s in &p.staff {
        let team = s.team.as_deref().and_then(|k| p.teams.iter().find(|t| t.key == k));
        let team = team.unwrap_or_else(|| panic!("{} has no team", s.username));
        assert_eq!(team.agency, s.agency, "{}", s.username);
        assert!(s.username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()), "{}", s.username);
        assert!((0.5..=1.0).contains(&s.fte));
    }
}

#[test]
fn demo_accounts_have_the_right_role_team_and_agency() {
    let p = partnership(7);
    let expect: &[(&str, Role, Option<TeamKind>, Option<AgencyKind>)] = &[
        ("admin", Role::Admin, Some(TeamKind::Administration), None),
        ("triage", Role::Triage, Some(TeamKind::FrontDoor), None),
        ("idva", Role::Caseworker, Some(TeamKind::Idva), None),
        ("outreach", Role::Caseworker, Some(TeamKind::Outreach), None),
        ("refuge", Role::AccommodationManager, Some(TeamKind::Refuge), None),
        ("marac", Role::MaracCoordinator, Some(TeamKind::Marac), None),
        ("police", Role::PartnerAgency, None, Some(AgencyKind::Police)),
        ("children", Role::PartnerAgency, None, Some(AgencyKind::ChildrensServices)),
        ("commissioner", Role::Commissioner, Some(TeamKind::Commissioning), None),
    ];
    assert_eq!(expect.len(), DEMO_USERNAMES.len());
    for (user, role, team_kind, agency_kind) in expect {
        let s = p.staff.iter().find(|s| s.username == *user).unwrap_or_else(|| panic!("no {user}"));
        assert_eq!(s.role, *role, "{user}");
        let team = p.teams.iter().find(|t| Some(&t.key) == s.team.as_ref());
        if let Some(k) = team_kind {
            assert_eq!(team.map(|t| t.kind), Some(*k), "{user}");
        }
        if let Some(k) = agency_kind {
            let a = p.agencies.iter().find(|a| a.key == s.agency);
            assert_eq!(a.map(|a| a.kind), Some(*k), "{user}");
        }
    }
}

#[test]
fn same_seed_same_partnership() {
    assert_eq!(partnership(42), partnership(42));
    assert_ne!(partnership(42).staff, partnership(43).staff);
}
