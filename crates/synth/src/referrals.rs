//! The referral stream: a year of referrals, generated one at a time.
use crate::calibration as cal;
use crate::names::Names;
use crate::weighted::Weighted;
use crate::{PersonRef, SynthPerson, SynthReferral, partnership, postcode, text};
use chrono::{Datelike, Days, Months, NaiveDate};
use haven_domain::agency::{AgencyKind, TeamKind};
use haven_domain::person::{Ethnicity, RelationshipKind, Sex, SexualOrientation, YesNoUnknown};
use haven_domain::referral::LawfulBasis;
use haven_domain::risk::RiskLevel;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const NONE: u64 = u64::MAX;

/// What we remember about each victim so a repeat can refer back: about 40
/// bytes, one per distinct victim, so memory is O(n) with a small constant.
#[derive(Debug, Clone, Copy)]
struct VictimRec {
    person: u64,
    /// The current alleged perpetrator's idx, or `NONE`.
    perp: u64,
    first_child: u64,
    dob: NaiveDate,
    n_children: u8,
    district: u8,
    relationship: RelationshipKind,
    sex: Sex,
    ethnicity: Ethnicity,
    perp_male: bool,
    last_risk: RiskLevel,
}

#[derive(Debug, Clone)]
struct DistrictInfo {
    key: String,
    postcode_districts: Vec<String>,
    /// Assigned teams for this district's lot.
    idva: Option<String>,
    outreach: Option<String>,
}

/// The tables the generator samples from, built once.
#[derive(Debug, Clone)]
struct Tables {
    names: Names,
    source: Weighted<AgencyKind>,
    risk: Weighted<RiskLevel>,
    children: Weighted<u8>,
    relationship: Weighted<RelationshipKind>,
    sex: Weighted<Sex>,
    ethnicity: Weighted<Ethnicity>,
    orientation: Weighted<SexualOrientation>,
    disability: Weighted<YesNoUnknown>,
    parent_age: Weighted<(u32, u32)>,
    other_age: Weighted<(u32, u32)>,
    district: Weighted<u8>,
}

fn table<T: Copy>(t: &[(T, f64)], default: T) -> Weighted<T> {
    match t.split_first() {
        Some((first, rest)) => Weighted::new(*first, rest),
        None => Weighted::new((default, 1.0), &[]),
    }
}

/// A streaming iterator over synthetic referrals; see [`referrals`].
#[derive(Debug, Clone)]
pub struct Referrals {
    rng: ChaCha8Rng,
    n: u64,
    i: u64,
    start: NaiveDate,
    days: u64,
    next_person: u64,
    victims: Vec<VictimRec>,
    districts: Vec<DistrictInfo>,
    refuge: Option<String>,
    front_door: Option<String>,
    t: Tables,
}

/// `n` referrals over the 12 months from `start`, in date order,
/// deterministic from `seed` (the same seed as [`partnership`], whose
/// districts and teams they use). Streams: only a compact record per
/// distinct victim is kept, so `n` = 1,000,000 needs tens of megabytes.
pub fn referrals(seed: u64, n: u64, start: NaiveDate) -> Referrals {
    let p = partnership(seed);
    let team_of =
        |kind: TeamKind, lot: &str| p.teams.iter().find(|t| t.kind == kind && t.key.ends_with(&format!("-{lot}"))).map(|t| t.key.clone());
    let districts: Vec<DistrictInfo> = p
        .districts
        .iter()
        .map(|d| DistrictInfo {
            key: d.key.clone(),
            postcode_districts: d.postcode_districts.clone(),
            idva: team_of(TeamKind::Idva, &d.lot),
            outreach: team_of(TeamKind::Outreach, &d.lot),
        })
        .collect();
    let by_pop: Vec<(u8, f64)> = p.districts.iter().enumerate().map(|(i, d)| (i as u8, f64::from(d.population))).collect();
    let find = |kind: TeamKind| p.teams.iter().find(|t| t.kind == kind).map(|t| t.key.clone());
    let end = start.checked_add_months(Months::new(12)).unwrap_or(start);
    let days = u64::try_from((end - start).num_days()).unwrap_or(365).max(1);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(2);
    Referrals {
        rng,
        n,
        i: 0,
        start,
        days,
        next_person: 0,
        victims: Vec::with_capacity(usize::try_from(n).unwrap_or(0).min(1 << 16)),
        districts,
        refuge: find(TeamKind::Refuge),
        front_door: find(TeamKind::FrontDoor),
        t: Tables {
            names: Names::new(),
            source: table(cal::REFERRAL_SOURCES, AgencyKind::Police),
            risk: table(cal::RISK_MIX, RiskLevel::Standard),
            children: table(cal::CHILDREN_PER_FAMILY, 1),
            relationship: table(cal::RELATIONSHIP, RelationshipKind::IntimatePartner),
            sex: table(cal::VICTIM_SEX, Sex::Female),
            ethnicity: table(cal::ETHNICITY, Ethnicity::WhiteBritish),
            orientation: table(cal::VICTIM_ORIENTATION, SexualOrientation::Heterosexual),
            disability: table(cal::VICTIM_DISABILITY, YesNoUnknown::NotKnown),
            parent_age: table(cal::PARENT_AGES, (30, 34)),
            other_age: table(cal::OTHER_AGES, (25, 29)),
            district: table(&by_pop, 0),
        },
    }
}

/// A date of birth for someone exactly `age` on `on`.
fn dob_for_age<R: Rng + ?Sized>(rng: &mut R, on: NaiveDate, age: u32) -> NaiveDate {
    let latest = on.checked_sub_months(Months::new(age * 12)).unwrap_or(on);
    let earliest = on.checked_sub_months(Months::new((age + 1) * 12)).unwrap_or(latest);
    let span = u64::try_from((latest - earliest).num_days()).unwrap_or(1).max(1);
    // (earliest, latest]: the day after `earliest` is the first at age + 1.
    latest.checked_sub_days(Days::new(rng.gen_range(0..span))).unwrap_or(latest)
}

fn age_on(dob: NaiveDate, on: NaiveDate) -> u32 {
    let mut a = on.year() - dob.year();
    if (on.month(), on.day()) < (dob.month(), dob.day()) {
        a -= 1;
    }
    u32::try_from(a).unwrap_or(0)
}

/// Roughly normal: the sum of three uniforms on [-1, 1] has sd 1.
fn gauss<R: Rng + ?Sized>(rng: &mut R, mean: f64, sd: f64) -> f64 {
    let z: f64 = (0..3).map(|_| rng.gen_range(-1.0..=1.0)).sum();
    mean + sd * z
}

/// Who a referral is about.
struct Subject {
    victim: PersonRef,
    perpetrator: Option<PersonRef>,
    children: Vec<PersonRef>,
    relationship: RelationshipKind,
    district: u8,
    /// Risk at the victim's previous referral, for repeats.
    last_risk: Option<RiskLevel>,
    /// The victim's slot in `Referrals::victims`.
    slot: usize,
    victim_sex: Sex,
}

/// Everything needed to draw a new perpetrator for a victim.
struct VictimView<'a> {
    sex: Sex,
    age: u32,
    ethnicity: Ethnicity,
    family_name: &'a str,
    postcode: Option<&'a str>,
    district: u8,
}

impl Referrals {
    fn alloc(&mut self) -> u64 {
        let i = self.next_person;
        self.next_person += 1;
        i
    }

    fn district(&self, d: u8) -> Option<&DistrictInfo> {
        self.districts.get(usize::from(d))
    }

    fn district_key(&self, d: u8) -> String {
        self.district(d).map(|d| d.key.clone()).unwrap_or_default()
    }

    fn new_postcode(&mut self, d: u8) -> Option<String> {
        let outward = {
            let info = self.districts.get(usize::from(d))?;
            let n = info.postcode_districts.len();
            info.postcode_districts.get(self.rng.gen_range(0..n.max(1)))?.clone()
        };
        Some(format!("{outward} {}", postcode::inward(&mut self.rng)))
    }

    fn referral_date(&mut self) -> NaiveDate {
        // Spread evenly over the year with jitter; monotone in i.
        let u: f64 = self.rng.r#gen();
        let day = (((self.i as f64 + u) * self.days as f64) / self.n.max(1) as f64).floor() as u64;
        self.start.checked_add_days(Days::new(day.min(self.days - 1))).unwrap_or(self.start)
    }

    /// Whether the perpetrator against a victim of this sex and orientation is male.
    fn perp_is_male(&mut self, rel: RelationshipKind, sex: Sex, o: SexualOrientation) -> bool {
        if rel == RelationshipKind::FamilyMember {
            return self.rng.gen_bool(0.7);
        }
        let female_victim = match sex {
            Sex::Female => true,
            Sex::Male => false,
            Sex::NotKnown | Sex::PreferNotToSay => self.rng.gen_bool(0.9),
        };
        let same_sex = match o {
            SexualOrientation::GayLesbian => true,
            SexualOrientation::Bisexual => self.rng.gen_bool(0.4),
            SexualOrientation::Other => self.rng.gen_bool(0.3),
            _ => self.rng.gen_bool(0.01),
        };
        female_victim != same_sex
    }

    /// A serial perpetrator: someone already recorded as the perpetrator
    /// against another victim, of the right sex.
    fn known_perpetrator(&mut self, male: bool) -> Option<u64> {
        if self.victims.is_empty() || !self.rng.gen_bool(cal::SERIAL_PERPETRATOR) {
            return None;
        }
        for _ in 0..8 {
            let j = self.rng.gen_range(0..self.victims.len());
            if let Some(r) = self.victims.get(j)
                && r.perp != NONE
                && r.perp_male == male
                && r.relationship != RelationshipKind::FamilyMember
            {
                return Some(r.perp);
            }
        }
        None
    }

    fn new_perpetrator(&mut self, v: &VictimView<'_>, rel: RelationshipKind, male: bool, date: NaiveDate) -> SynthPerson {
        let idx = self.alloc();
        let rng = &mut self.rng;
        let sex = if male { Sex::Male } else { Sex::Female };
        let ethnicity = if rng.gen_bool(0.85) { v.ethnicity } else { self.t.ethnicity.sample(rng) };
        let age = match rel {
            RelationshipKind::FamilyMember if v.age >= 40 && rng.gen_bool(0.5) => {
                // An adult son or daughter.
                rng.gen_range(16..=(v.age - 20).max(16))
            }
            RelationshipKind::FamilyMember => (gauss(rng, f64::from(v.age) + 5.0, 8.0).round() as u32).clamp(16, 90),
            _ => (gauss(rng, f64::from(v.age) + 2.5, 4.0).round() as u32).clamp(16, 90),
        };
        let family_name = if rel == RelationshipKind::FamilyMember || rng.gen_bool(0.3) {
            v.family_name.to_owned()
        } else {
            self.t.names.family(rng, ethnicity).to_owned()
        };
        let given_name = self.t.names.given(rng, sex, ethnicity).to_owned();
        let date_of_birth = dob_for_age(rng, date, age);
        let disability = match rng.gen_range(0..100) {
            0..8 => YesNoUnknown::Yes,
            8..45 => YesNoUnknown::No,
            _ => YesNoUnknown::NotKnown,
        };
        let sexual_orientation = if rng.gen_bool(0.8) {
            SexualOrientation::NotKnown
        } else if (v.sex == Sex::Female) == male {
            SexualOrientation::Heterosexual
        } else {
            SexualOrientation::GayLesbian
        };
        // Partners often share the address; ex-partners live elsewhere,
        // usually in the same district.
        let same_address = rel == RelationshipKind::IntimatePartner && rng.gen_bool(0.65);
        let district = if same_address || rng.gen_bool(0.75) { v.district } else { self.t.district.sample(rng) };
        let postcode = if same_address {
            v.postcode.map(str::to_owned)
        } else if self.rng.gen_bool(0.85) {
            self.new_postcode(district)
        } else {
            None
        };
        SynthPerson {
            idx,
            given_name,
            family_name,
            date_of_birth,
            sex,
            postcode,
            ethnicity,
            disability,
            sexual_orientation,
            district: self.district_key(district),
        }
    }

    fn risk(&mut self, last: Option<RiskLevel>) -> RiskLevel {
        match last {
            Some(r) if self.rng.gen_bool(0.4) => r,
            _ => self.t.risk.sample(&mut self.rng),
        }
    }

    fn dash(&mut self, risk: RiskLevel, source: AgencyKind) -> (Option<u8>, bool) {
        let rng = &mut self.rng;
        match risk {
            RiskLevel::High if rng.gen_bool(cal::PROFESSIONAL_JUDGEMENT) => (Some(rng.gen_range(8..=13)), true),
            // Scores cluster just above the threshold.
            RiskLevel::High => (Some((14 + rng.gen_range(0..=4) + rng.gen_range(0..=6)).min(24)), false),
            RiskLevel::Medium => (Some(rng.gen_range(8..=13)), false),
            RiskLevel::Standard if source != AgencyKind::Police && rng.gen_bool(0.08) => (None, false),
            RiskLevel::Standard => (Some(rng.gen_range(0..=7)), false),
        }
    }

    fn next_referral(&mut self) -> SynthReferral {
        let date = self.referral_date();
        let mut source = self.t.source.sample(&mut self.rng);
        let repeat = !self.victims.is_empty() && self.rng.gen_bool(cal::REPEAT_RATE);
        let Subject { victim, perpetrator, children, relationship, district, last_risk, slot, victim_sex } =
            if repeat { self.repeat_victim(date) } else { self.new_victim(date) };
        if source == AgencyKind::Maternity && victim_sex != Sex::Female {
            source = AgencyKind::Gp;
        }

        let risk_level = self.risk(last_risk);
        let (dash_score, professional_judgement) = self.dash(risk_level, source);
        if let Some(r) = self.victims.get_mut(slot) {
            r.last_risk = risk_level;
        }
        let rng = &mut self.rng;
        let police_incident = source == AgencyKind::Police || rng.gen_bool(0.2);
        let consent = match source {
            AgencyKind::SelfReferral => true,
            AgencyKind::Police => rng.gen_bool(0.55),
            _ => rng.gen_bool(0.85),
        };
        let lawful_basis = match (consent, risk_level) {
            (true, _) => LawfulBasis::Consent,
            (false, RiskLevel::High) => LawfulBasis::VitalInterests,
            (false, _) => LawfulBasis::PublicTask,
        };
        let accommodation_need = rng.gen_bool(cal::accommodation_need(risk_level));
        let info = self.districts.get(usize::from(district));
        let assigned_team = if accommodation_need {
            self.refuge.clone()
        } else {
            match risk_level {
                RiskLevel::High => info.and_then(|d| d.idva.clone()),
                RiskLevel::Medium => info.and_then(|d| d.outreach.clone()),
                RiskLevel::Standard if rng.gen_bool(cal::STANDARD_ADVICE) => self.front_door.clone(),
                RiskLevel::Standard => None,
            }
        };
        let tri = |rng: &mut ChaCha8Rng, yes: f64, no: f64| {
            let u: f64 = rng.r#gen();
            if u < yes {
                Some(true)
            } else if u < yes + no {
                Some(false)
            } else {
                None
            }
        };
        let safe_to_call = tri(rng, 0.55, 0.25);
        let safe_to_text = tri(rng, 0.5, 0.3);
        let safe_times = if safe_to_call == Some(true) && rng.gen_bool(0.7) { Some(text::safe_times(rng)) } else { None };
        let reason = text::reason(rng, source, risk_level, perpetrator.as_ref().map(|_| relationship), !children.is_empty());
        let idx = self.i;
        SynthReferral {
            idx,
            victim,
            perpetrator,
            children,
            relationship,
            source_agency: source,
            referral_date: date,
            reason,
            consent,
            lawful_basis,
            risk_level,
            dash_score,
            professional_judgement,
            police_incident,
            district: self.district_key(district),
            accommodation_need,
            assigned_team,
            safe_to_call,
            safe_to_text,
            safe_times,
        }
    }

    fn new_victim(&mut self, date: NaiveDate) -> Subject {
        let idx = self.alloc();
        let rng = &mut self.rng;
        let t = &self.t;
        let sex = t.sex.sample(rng);
        let ethnicity = t.ethnicity.sample(rng);
        let has_children = rng.gen_bool(cal::HOUSEHOLDS_WITH_CHILDREN);
        let (lo, hi) = if has_children { t.parent_age.sample(rng) } else { t.other_age.sample(rng) };
        let age = rng.gen_range(lo..=hi);
        let date_of_birth = dob_for_age(rng, date, age);
        let sexual_orientation = t.orientation.sample(rng);
        let disability = t.disability.sample(rng);
        let district = t.district.sample(rng);
        let given_name = t.names.given(rng, sex, ethnicity).to_owned();
        let family_name = t.names.family(rng, ethnicity).to_owned();
        let postcode = if self.rng.gen_bool(0.95) { self.new_postcode(district) } else { None };
        let victim = SynthPerson {
            idx,
            given_name,
            family_name,
            date_of_birth,
            sex,
            postcode,
            ethnicity,
            disability,
            sexual_orientation,
            district: self.district_key(district),
        };

        let relationship = self.t.relationship.sample(&mut self.rng);
        let mut perp_male = false;
        let perpetrator = if self.rng.gen_bool(cal::PERPETRATOR_NAMED) {
            perp_male = self.perp_is_male(relationship, sex, sexual_orientation);
            let known = if relationship == RelationshipKind::FamilyMember { None } else { self.known_perpetrator(perp_male) };
            Some(match known {
                Some(p) => PersonRef::Existing(p),
                None => {
                    let view = VictimView {
                        sex,
                        age,
                        ethnicity,
                        family_name: &victim.family_name,
                        postcode: victim.postcode.as_deref(),
                        district,
                    };
                    PersonRef::New(self.new_perpetrator(&view, relationship, perp_male, date))
                }
            })
        } else {
            None
        };

        let n_children = if has_children { self.t.children.sample(&mut self.rng) } else { 0 };
        let first_child = self.next_person;
        let mut children = Vec::with_capacity(usize::from(n_children));
        let father_name = match &perpetrator {
            Some(PersonRef::New(p)) if perp_male && relationship != RelationshipKind::FamilyMember => Some(p.family_name.clone()),
            _ => None,
        };
        for _ in 0..n_children {
            let cidx = self.alloc();
            let rng = &mut self.rng;
            let csex = if rng.gen_bool(0.5) { Sex::Female } else { Sex::Male };
            let cage = rng.gen_range(0..=age.saturating_sub(16).min(17));
            let family_name = match &father_name {
                Some(f) if rng.gen_bool(0.5) => f.clone(),
                _ => victim.family_name.clone(),
            };
            let disability = match rng.gen_range(0..100) {
                0..6 => YesNoUnknown::Yes,
                6..80 => YesNoUnknown::No,
                _ => YesNoUnknown::NotKnown,
            };
            children.push(PersonRef::New(SynthPerson {
                idx: cidx,
                given_name: self.t.names.given(rng, csex, ethnicity).to_owned(),
                family_name,
                date_of_birth: dob_for_age(rng, date, cage),
                sex: csex,
                postcode: victim.postcode.clone(),
                ethnicity,
                disability,
                sexual_orientation: SexualOrientation::NotKnown,
                district: victim.district.clone(),
            }));
        }

        let slot = self.victims.len();
        self.victims.push(VictimRec {
            person: idx,
            perp: perpetrator.as_ref().map_or(NONE, PersonRef::idx),
            first_child,
            dob: date_of_birth,
            n_children,
            district,
            relationship,
            sex,
            ethnicity,
            perp_male,
            last_risk: RiskLevel::Standard,
        });
        Subject { victim: PersonRef::New(victim), perpetrator, children, relationship, district, last_risk: None, slot, victim_sex: sex }
    }

    fn repeat_victim(&mut self, date: NaiveDate) -> Subject {
        let slot = self.rng.gen_range(0..self.victims.len());
        let Some(mut r) = self.victims.get(slot).copied() else {
            return self.new_victim(date);
        };
        // Partners separate; a few victims have a new abuser by the next referral.
        if r.relationship == RelationshipKind::IntimatePartner && self.rng.gen_bool(0.15) {
            r.relationship = RelationshipKind::ExPartner;
        }
        let new_abuser = if r.perp == NONE { self.rng.gen_bool(0.3) } else { self.rng.gen_bool(0.06) };
        let perpetrator = if new_abuser {
            r.relationship = RelationshipKind::IntimatePartner;
            let orientation = if r.perp_male == (r.sex == Sex::Female) || r.perp == NONE {
                SexualOrientation::Heterosexual
            } else {
                SexualOrientation::GayLesbian
            };
            r.perp_male = self.perp_is_male(r.relationship, r.sex, orientation);
            let family_name = self.t.names.family(&mut self.rng, r.ethnicity);
            let view = VictimView {
                sex: r.sex,
                age: age_on(r.dob, date),
                ethnicity: r.ethnicity,
                family_name,
                postcode: None,
                district: r.district,
            };
            let p = self.new_perpetrator(&view, r.relationship, r.perp_male, date);
            r.perp = p.idx;
            Some(PersonRef::New(p))
        } else if r.perp == NONE {
            None
        } else {
            Some(PersonRef::Existing(r.perp))
        };
        let children = (0..u64::from(r.n_children)).map(|k| PersonRef::Existing(r.first_child + k)).collect();
        if let Some(slot_ref) = self.victims.get_mut(slot) {
            *slot_ref = r;
        }
        Subject {
            victim: PersonRef::Existing(r.person),
            perpetrator,
            children,
            relationship: r.relationship,
            district: r.district,
            last_risk: Some(r.last_risk),
            slot,
            victim_sex: r.sex,
        }
    }
}

impl Iterator for Referrals {
    type Item = SynthReferral;

    fn next(&mut self) -> Option<SynthReferral> {
        if self.i >= self.n {
            return None;
        }
        let r = self.next_referral();
        self.i += 1;
        Some(r)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::try_from(self.n - self.i).unwrap_or(usize::MAX);
        (left, Some(left))
    }
}

impl ExactSizeIterator for Referrals {}
impl std::iter::FusedIterator for Referrals {}
