//! The invented county: lots, districts, agencies, teams and staff.
use crate::names::Names;
use crate::weighted::pick;
use crate::{Agency, District, Lot, Partnership, StaffMember, Team};
use haven_domain::access::Role;
use haven_domain::agency::{AgencyKind, TeamKind};
use haven_domain::person::{Ethnicity, Sex};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;

/// The county's name. Fixed, so demo screens and documents stay stable.
pub const COUNTY: &str = "Wessex";

/// Lots: (key, name, postcode area). The areas are not real UK postcode
/// areas (see [`crate::postcode::is_invented_area`]).
const LOTS: [(&str, &str, &str); 3] = [("north", "North Wessex", "WX"), ("mid", "Mid Wessex", "WY"), ("south", "South Wessex", "WH")];

/// How many of the 11 districts fall in each lot.
const DISTRICTS_PER_LOT: [usize; 3] = [4, 4, 3];

/// Invented district names, none of them an English local authority.
const DISTRICT_NAMES: &[&str] = &[
    "Aldermere",
    "Brackenholt",
    "Castlewick",
    "Dunhallow",
    "Elderford",
    "Fenmarsh",
    "Greymoor",
    "Harrowdene",
    "Kestrelbury",
    "Larkhollow",
    "Merrowby",
    "Quillhampton",
    "Ravensholt",
    "Sallowmere",
    "Tamberley",
    "Wyvernham",
];

/// Usernames that the demo and the acceptance checks rely on.
pub const DEMO_USERNAMES: [&str; 9] = ["admin", "triage", "idva", "outreach", "refuge", "marac", "police", "children", "commissioner"];

fn slug(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase()
}

/// Build the partnership for `seed`. District names, populations and staff
/// names depend on the seed; the structure (3 lots, 11 districts, the
/// agencies, teams and the demo accounts) does not.
pub fn partnership(seed: u64) -> Partnership {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(1);

    let lots: Vec<Lot> = LOTS.iter().map(|&(key, name, _)| Lot { key: key.to_owned(), name: name.to_owned() }).collect();
    let marac_areas: Vec<String> = LOTS.iter().map(|&(_, name, _)| format!("{name} MARAC")).collect();

    // Districts: 11 of the 16 names, shuffled by the seed.
    let mut names: Vec<&str> = DISTRICT_NAMES.to_vec();
    names.shuffle(&mut rng);
    let mut names = names.into_iter();
    let mut districts = Vec::with_capacity(11);
    for (&(lot_key, lot_name, area), &count) in LOTS.iter().zip(&DISTRICTS_PER_LOT) {
        let mut next_pc = 1u32;
        for _ in 0..count {
            let name = names.next().unwrap_or("Elsewhere");
            // A shire district: 85,000–185,000 residents, in round hundreds.
            let population = rng.gen_range(850..=1850u32) * 100;
            // Roughly one postcode district per 40,000 people.
            let n_pc = (population / 40_000).clamp(2, 5);
            let postcode_districts = (next_pc..next_pc + n_pc).map(|d| format!("{area}{d}")).collect();
            next_pc += n_pc;
            districts.push(District {
                key: slug(name),
                name: name.to_owned(),
                lot: lot_key.to_owned(),
                population,
                postcode_area: area.to_owned(),
                postcode_districts,
                marac_area: format!("{lot_name} MARAC"),
            });
        }
    }

    let agencies = agencies(&districts);
    let (teams, staff) = teams_and_staff(&mut rng, &districts);
    Partnership { county: COUNTY.to_owned(), lots, districts, agencies, teams, staff, marac_areas }
}

fn agencies(districts: &[District]) -> Vec<Agency> {
    use AgencyKind as K;
    let a = |key: &str, name: &str, kind| Agency { key: key.to_owned(), name: name.to_owned(), kind };
    let mut v = vec![
        a("county-council", "Wessex County Council", K::Other),
        a("police", "Wessex Constabulary", K::Police),
        a("childrens-services", "Wessex County Council Children's Services", K::ChildrensServices),
        a("adult-social-care", "Wessex County Council Adult Social Care", K::AdultSocialCare),
        a("gp", "Wessex Primary Care Network (GP practices)", K::Gp),
        a("emergency-dept", "Wessex General Hospital Emergency Department", K::AandE),
        a("maternity", "Wessex General Hospital Maternity Unit", K::Maternity),
        a("health-visiting", "Wessex Community Health NHS Trust Health Visiting", K::HealthVisitor),
        a("mental-health", "Wessex Mind and Wellbeing NHS Foundation Trust", K::MentalHealth),
        a("substance-misuse", "Wessex Recovery Partnership", K::SubstanceMisuse),
        a("probation", "Probation Service, Wessex", K::Probation),
        a("education", "Wessex Schools Safeguarding Service", K::Education),
        a("da-service", "Wessex Domestic Abuse Service", K::SpecialistDa),
        a("victim-support", "Victim Support (Wessex)", K::VictimSupport),
    ];
    for d in districts {
        v.push(a(&format!("housing-{}", d.key), &format!("{} District Council Housing Options", d.name), K::Housing));
    }
    v
}

/// One row of the staffing plan: how many people of this role in this team.
struct Post {
    team: String,
    role: Role,
    count: usize,
    /// The fixed demo username for the first post holder, if any.
    demo: Option<&'static str>,
}

fn teams_and_staff(rng: &mut ChaCha8Rng, districts: &[District]) -> (Vec<Team>, Vec<StaffMember>) {
    use Role as R;
    use TeamKind as T;
    // (key, name, kind, agency, safe caseload per FTE)
    let mut team_defs: Vec<(String, String, TeamKind, String, Option<u32>)> = Vec::new();
    let mut def = |key: &str, name: &str, kind, agency: &str, cap: Option<u32>| {
        team_defs.push((key.to_owned(), name.to_owned(), kind, agency.to_owned(), cap));
    };
    def("admin", "System administration", T::Administration, "county-council", None);
    def("commissioning", "Domestic abuse commissioning and analysis", T::Commissioning, "county-council", None);
    def("marac", "MARAC coordination", T::Marac, "county-council", None);
    def("front-door", "Domestic abuse front door", T::FrontDoor, "da-service", None);
    for (key, name, _) in LOTS {
        // Caseload norms from seed 004: 65 high-risk cases per IDVA, 85 medium-risk per caseworker.
        def(&format!("idva-{key}"), &format!("{name} IDVA service"), T::Idva, "da-service", Some(65));
        def(&format!("outreach-{key}"), &format!("{name} outreach"), T::Outreach, "da-service", Some(85));
    }
    def("refuge", "Refuge and safe accommodation", T::Refuge, "da-service", None);
    def("cyp", "Children and young people's service", T::ChildrenYoungPeople, "da-service", Some(40));
    def("perpetrator", "Behaviour change programme", T::Perpetrator, "da-service", Some(30));
    def("police-dau", "Domestic Abuse Unit", T::Partner, "police", None);
    def("childrens-mash", "Children's Multi-Agency Safeguarding Hub", T::Partner, "childrens-services", None);
    def("adult-safeguarding", "Adult safeguarding", T::Partner, "adult-social-care", None);
    def("gp-safeguarding", "Primary care safeguarding leads", T::Partner, "gp", None);
    def("ed-safeguarding", "Emergency department safeguarding", T::Partner, "emergency-dept", None);
    def("maternity-safeguarding", "Maternity safeguarding midwives", T::Partner, "maternity", None);
    def("health-visiting-team", "Health visiting", T::Partner, "health-visiting", None);
    def("mental-health-safeguarding", "Mental health safeguarding", T::Partner, "mental-health", None);
    def("substance-misuse-team", "Recovery workers", T::Partner, "substance-misuse", None);
    def("probation-team", "Probation domestic abuse leads", T::Partner, "probation", None);
    def("education-safeguarding", "Designated safeguarding leads network", T::Partner, "education", None);
    def("victim-support-team", "Victim care volunteers", T::Partner, "victim-support", None);
    // Housing options teams in the two largest districts send a representative.
    let mut by_pop: Vec<&District> = districts.iter().collect();
    by_pop.sort_by(|a, b| b.population.cmp(&a.population).then_with(|| a.key.cmp(&b.key)));
    let housing: Vec<String> = by_pop.iter().take(2).map(|d| d.key.clone()).collect();
    for d in districts.iter().filter(|d| housing.contains(&d.key)) {
        def(&format!("housing-{}-options", d.key), &format!("{} housing options", d.name), T::Partner, &format!("housing-{}", d.key), None);
    }

    let post = |team: &str, role, count, demo| Post { team: team.to_owned(), role, count, demo };
    let mut plan = vec![
        post("admin", R::Admin, 2, Some("admin")),
        post("commissioning", R::Commissioner, 3, Some("commissioner")),
        post("marac", R::MaracCoordinator, 3, Some("marac")),
        post("front-door", R::Triage, 8, Some("triage")),
        post("idva-north", R::Caseworker, 3, Some("idva")),
        post("idva-mid", R::Caseworker, 3, None),
        post("idva-south", R::Caseworker, 3, None),
        post("outreach-north", R::Caseworker, 3, Some("outreach")),
        post("outreach-mid", R::Caseworker, 3, None),
        post("outreach-south", R::Caseworker, 3, None),
        post("refuge", R::AccommodationManager, 2, Some("refuge")),
        post("refuge", R::Caseworker, 2, None),
        post("cyp", R::Caseworker, 3, None),
        post("perpetrator", R::Caseworker, 2, None),
        post("police-dau", R::PartnerAgency, 3, Some("police")),
        post("childrens-mash", R::PartnerAgency, 2, Some("children")),
        post("adult-safeguarding", R::PartnerAgency, 1, None),
        post("gp-safeguarding", R::PartnerAgency, 1, None),
        post("ed-safeguarding", R::PartnerAgency, 1, None),
        post("maternity-safeguarding", R::PartnerAgency, 1, None),
        post("health-visiting-team", R::PartnerAgency, 1, None),
        post("mental-health-safeguarding", R::PartnerAgency, 1, None),
        post("substance-misuse-team", R::PartnerAgency, 1, None),
        post("probation-team", R::PartnerAgency, 1, None),
        post("education-safeguarding", R::PartnerAgency, 1, None),
        post("victim-support-team", R::PartnerAgency, 1, None),
    ];
    for k in &housing {
        plan.push(post(&format!("housing-{k}-options"), R::PartnerAgency, 1, None));
    }

    let names = Names::new();
    let mut taken: HashSet<String> = DEMO_USERNAMES.iter().map(|s| (*s).to_owned()).collect();
    let mut staff = Vec::new();
    for p in &plan {
        let team_key = &p.team;
        let agency = team_defs.iter().find(|t| &t.0 == team_key).map(|t| t.3.clone()).unwrap_or_default();
        for i in 0..p.count {
            let sex = if rng.gen_bool(0.75) { Sex::Female } else { Sex::Male };
            let eth = staff_ethnicity(rng);
            let given = names.given(rng, sex, eth);
            let family = names.family(rng, eth);
            let username = match (i, p.demo) {
                (0, Some(u)) => u.to_owned(),
                _ => unique_username(&mut taken, given, family),
            };
            // Most staff are full time; part-timers work 0.5–0.8.
            let fte = if rng.gen_bool(0.7) { 1.0 } else { f64::from(rng.gen_range(5..=8u8)) / 10.0 };
            staff.push(StaffMember {
                username,
                display_name: format!("{given} {family}"),
                role: p.role,
                agency: agency.clone(),
                team: Some(team_key.clone()),
                fte,
            });
        }
    }

    let teams = team_defs
        .into_iter()
        .map(|(key, name, kind, agency, cap)| {
            let fte: f64 = staff.iter().filter(|s| s.team.as_deref() == Some(key.as_str())).map(|s| s.fte).sum();
            Team { key, name, kind, agency, fte: (fte * 10.0).round() / 10.0, safe_caseload_per_fte: cap }
        })
        .collect();
    (teams, staff)
}

fn staff_ethnicity(rng: &mut ChaCha8Rng) -> Ethnicity {
    if rng.gen_bool(0.88) {
        Ethnicity::WhiteBritish
    } else {
        pick(rng, Ethnicity::WhiteOther, &[Ethnicity::AsianIndian, Ethnicity::BlackAfrican, Ethnicity::MixedOther])
    }
}

/// `jsmith`, then `jsmith2`, `jsmith3`… never clashing with a demo username.
fn unique_username(taken: &mut HashSet<String>, given: &str, family: &str) -> String {
    let initial: String = slug(given).chars().take(1).collect();
    let base = format!("{initial}{}", slug(family));
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}{n}");
        n += 1;
    }
    taken.insert(name.clone());
    name
}
