//! The front door's intake: what a referral carries beyond the person
//! (household, alleged perpetrator, interpreter and access needs, presenting
//! needs), the public self-referral and police incident notifications, each
//! parsed at the edge into typed values with errors that name the field.
use crate::error::{FieldError, ValidationErrors};
use crate::person::{DateOfBirth, Name, PersonRole, PhoneNumber, Postcode, RelationshipKind, Sex, parse_date};
use crate::referral::{NewReferral, SafeContact, parse_email, parse_text};
use crate::risk::RiskLevel;
use crate::vocabulary;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

vocabulary!(
    /// What the person needs help with now, in the support plan's needs
    /// domains (DESIGN.md "Support"), plus immediate safety.
    PresentingNeed {
        Safety = "safety": "Feeling unsafe now / safety planning",
        Accommodation = "accommodation": "Somewhere safe to live",
        ChildrenFamily = "children_family": "Children and family",
        PhysicalHealth = "physical_health": "Physical health",
        MentalHealth = "mental_health": "Mental health and wellbeing",
        DrugsAlcohol = "drugs_alcohol": "Drugs or alcohol",
        Finance = "finance": "Money, benefits and debt",
        EducationEmployment = "education_employment": "Education, training and work",
        Confidence = "confidence": "Confidence and social networks",
        Legal = "legal": "Legal help: criminal or family courts",
        Immigration = "immigration": "Immigration or no recourse to public funds",
    }
);

vocabulary!(
    /// Help the person needs to use the service.
    AccessNeed {
        StepFree = "step_free": "Step-free access or wheelchair user",
        Bsl = "bsl": "British Sign Language interpreter",
        HearingLoop = "hearing_loop": "Hearing loop",
        LargePrint = "large_print": "Large print or screen reader",
        EasyRead = "easy_read": "Easy read information",
        Other = "other": "Something else (say below)",
    }
);

vocabulary!(
    /// How a public referral arrived.
    PublicRoute {
        SelfReferral = "self": "For myself",
        FriendFamily = "friend_family": "For a friend or family member",
    }
);

/// Longest household the form accepts in one referral.
pub const MAX_HOUSEHOLD: usize = 12;

/// A child or other member of the victim's household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdMember {
    pub given_name: Name,
    pub family_name: Name,
    pub date_of_birth: Option<DateOfBirth>,
    pub sex: Sex,
    /// `Child` or `Other`.
    pub role: PersonRole,
    /// Relationship to the victim, as told (e.g. "son", "mother").
    pub relationship: Option<String>,
    /// Children: the school, nursery or college they attend.
    pub school: Option<String>,
}

/// The alleged perpetrator, as far as known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Perpetrator {
    pub given_name: Name,
    pub family_name: Name,
    pub date_of_birth: Option<DateOfBirth>,
    pub sex: Sex,
    pub postcode: Option<Postcode>,
    /// How the perpetrator is related to the victim.
    pub relationship: Option<RelationshipKind>,
}

/// Everything an intake adds to a referral.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeDetails {
    pub household: Vec<HouseholdMember>,
    pub perpetrator: Option<Perpetrator>,
    /// The language an interpreter must speak; `None` when none is needed.
    pub interpreter_language: Option<String>,
    pub access_needs: Vec<AccessNeed>,
    pub access_notes: Option<String>,
    pub presenting_needs: Vec<PresentingNeed>,
}

impl IntakeDetails {
    pub fn children(&self) -> usize {
        self.household.iter().filter(|m| m.role == PersonRole::Child).count()
    }
}

/// An agency referral with its intake details, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewIntakeReferral {
    pub referral: NewReferral,
    pub details: IntakeDetails,
    /// A key the form carries so that a resubmission never makes a second referral.
    pub submission_key: Option<String>,
}

/// Raw text of one household member, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MemberInput {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: String,
    pub sex: String,
    /// `child` or `other`.
    pub role: String,
    pub relationship: String,
    pub school: String,
}

impl MemberInput {
    pub fn is_blank(&self) -> bool {
        [&self.given_name, &self.family_name, &self.date_of_birth, &self.relationship, &self.school].iter().all(|s| s.trim().is_empty())
    }

    /// Parse one member; `prefix` names its fields (`household.0`).
    pub fn parse(&self, prefix: &str, on: NaiveDate, e: &mut ValidationErrors) -> Option<HouseholdMember> {
        let f = |n: &str| format!("{prefix}.{n}");
        let given_name = e.take(Name::parse(&f("given_name"), &self.given_name));
        let family_name = e.take(Name::parse(&f("family_name"), &self.family_name));
        let role = match self.role.trim() {
            "" | "child" => PersonRole::Child,
            "other" => PersonRole::Other,
            _ => {
                e.push(FieldError::new(f("role"), "must be child or other"));
                PersonRole::Other
            }
        };
        let date_of_birth = if self.date_of_birth.trim().is_empty() {
            None
        } else {
            e.take(DateOfBirth::parse(&f("date_of_birth"), &self.date_of_birth, on))
        };
        if let Some(d) = date_of_birth
            && role == PersonRole::Child
            && d.age_on(on) >= 18
        {
            e.push(FieldError::new(f("date_of_birth"), "is 18 or more years ago: record an adult as an other household member"));
        }
        let sex = opt_sex(&f("sex"), &self.sex, e);
        let relationship = e.take(parse_text(&f("relationship"), &self.relationship, false, 60)).flatten();
        let school = e.take(parse_text(&f("school"), &self.school, false, 120)).flatten();
        Some(HouseholdMember { given_name: given_name?, family_name: family_name?, date_of_birth, sex, role, relationship, school })
    }
}

fn opt_sex(field: &str, raw: &str, e: &mut ValidationErrors) -> Sex {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" => Sex::NotKnown,
        "f" => Sex::Female,
        "m" => Sex::Male,
        _ => e.take(Sex::parse(field, raw)).unwrap_or(Sex::NotKnown),
    }
}

/// Raw text of the alleged perpetrator, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PerpetratorInput {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: String,
    pub sex: String,
    pub postcode: String,
    /// A `RelationshipKind` key (not `parent_of`).
    pub relationship: String,
}

impl PerpetratorInput {
    pub fn is_blank(&self) -> bool {
        [&self.given_name, &self.family_name, &self.date_of_birth, &self.postcode].iter().all(|s| s.trim().is_empty())
    }

    /// `None` when nothing was entered: the perpetrator may not be known.
    pub fn parse(&self, on: NaiveDate, e: &mut ValidationErrors) -> Option<Perpetrator> {
        if self.is_blank() {
            return None;
        }
        let given_name = e.take(Name::parse("perpetrator.given_name", &self.given_name));
        let family_name = e.take(Name::parse("perpetrator.family_name", &self.family_name));
        let date_of_birth = if self.date_of_birth.trim().is_empty() {
            None
        } else {
            e.take(DateOfBirth::parse("perpetrator.date_of_birth", &self.date_of_birth, on))
        };
        let sex = opt_sex("perpetrator.sex", &self.sex, e);
        let postcode = if self.postcode.trim().is_empty() { None } else { e.take(Postcode::parse("perpetrator.postcode", &self.postcode)) };
        let relationship = parse_relationship("perpetrator.relationship", &self.relationship, e);
        Some(Perpetrator { given_name: given_name?, family_name: family_name?, date_of_birth, sex, postcode, relationship })
    }
}

/// A victim–perpetrator relationship; `parent_of` is not one.
pub fn parse_relationship(field: &str, raw: &str, e: &mut ValidationErrors) -> Option<RelationshipKind> {
    if raw.trim().is_empty() {
        return None;
    }
    match RelationshipKind::parse(field, raw) {
        Ok(RelationshipKind::ParentOf) | Err(_) => {
            e.push(FieldError::new(field, "must be one of: intimate_partner, ex_partner, family_member"));
            None
        }
        Ok(k) => Some(k),
    }
}

/// Raw text of the intake additions, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DetailsInput {
    pub household: Vec<MemberInput>,
    pub perpetrator: PerpetratorInput,
    /// "yes", "no" or "" (not known).
    pub interpreter_needed: String,
    pub interpreter_language: String,
    pub access_needs: Vec<String>,
    pub access_notes: String,
    pub presenting_needs: Vec<String>,
}

impl DetailsInput {
    pub fn parse(&self, on: NaiveDate, e: &mut ValidationErrors) -> IntakeDetails {
        let mut household = Vec::new();
        let filled: Vec<(usize, &MemberInput)> = self.household.iter().enumerate().filter(|(_, m)| !m.is_blank()).collect();
        if filled.len() > MAX_HOUSEHOLD {
            e.push(FieldError::new("household", format!("can list at most {MAX_HOUSEHOLD} people in one referral")));
        }
        for (i, m) in filled.into_iter().take(MAX_HOUSEHOLD) {
            if let Some(m) = m.parse(&format!("household.{i}"), on, e) {
                household.push(m);
            }
        }
        let perpetrator = self.perpetrator.parse(on, e);
        let interpreter_language = parse_interpreter(&self.interpreter_needed, &self.interpreter_language, e);
        let access_needs = parse_many("access_needs", &self.access_needs, AccessNeed::parse, e);
        let access_notes = e.take(parse_text("access_notes", &self.access_notes, false, 500)).flatten();
        if access_needs.contains(&AccessNeed::Other) && access_notes.is_none() {
            e.push(FieldError::new("access_notes", "is required when you choose something else: say what is needed"));
        }
        let presenting_needs = parse_many("presenting_needs", &self.presenting_needs, PresentingNeed::parse, e);
        IntakeDetails { household, perpetrator, interpreter_language, access_needs, access_notes, presenting_needs }
    }
}

/// Interpreter: "yes" needs a language; a language alone implies yes.
pub fn parse_interpreter(needed: &str, language: &str, e: &mut ValidationErrors) -> Option<String> {
    let lang = match parse_text("interpreter_language", language, false, 60) {
        Ok(l) => l,
        Err(err) => {
            e.push(err);
            return None;
        }
    };
    match (needed.trim().to_ascii_lowercase().as_str(), lang) {
        ("yes" | "true" | "on", None) => {
            e.push(FieldError::new("interpreter_language", "is required when an interpreter is needed: which language?"));
            None
        }
        ("no" | "false", Some(_)) => {
            e.push(FieldError::new("interpreter_needed", "says no interpreter, but a language is given: choose yes or clear the language"));
            None
        }
        ("" | "yes" | "true" | "on" | "no" | "false" | "not_known", l) => l,
        _ => {
            e.push(FieldError::new("interpreter_needed", "must be yes, no or not known"));
            None
        }
    }
}

fn parse_many<T: PartialEq + Copy>(
    field: &str,
    raw: &[String],
    parse: fn(&str, &str) -> Result<T, FieldError>,
    e: &mut ValidationErrors,
) -> Vec<T> {
    let mut out = Vec::new();
    for r in raw.iter().filter(|r| !r.trim().is_empty()) {
        if let Some(v) = e.take(parse(field, r))
            && !out.contains(&v)
        {
            out.push(v);
        }
    }
    out
}

/// Names compared for a confident match: lower case, letters and single
/// spaces only (`O'Brien-Smith` → `obrien smith`).
pub fn normalise_name(s: &str) -> String {
    let mapped: String = s
        .chars()
        .filter_map(|c| match c {
            '-' | '.' => Some(' '),
            '\'' | '’' => None,
            c if c.is_alphabetic() || c.is_whitespace() => Some(c),
            _ => None,
        })
        .flat_map(char::to_lowercase)
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------- public

/// The person a public referral is about, as far as they want to say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicPerson {
    pub given_name: Name,
    /// Optional: a survivor may give only a first name.
    pub family_name: Option<Name>,
    pub date_of_birth: Option<DateOfBirth>,
    pub sex: Sex,
    pub postcode: Option<Postcode>,
}

/// The friend or relative who made a referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referrer {
    pub name: Name,
    pub relationship: Option<String>,
    pub phone: Option<PhoneNumber>,
    pub email: Option<String>,
}

/// A referral from the public page, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPublicReferral {
    pub route: PublicRoute,
    pub person: PublicPerson,
    pub what_happened: String,
    pub presenting_needs: Vec<PresentingNeed>,
    pub children_in_household: Option<u8>,
    pub interpreter_language: Option<String>,
    pub access_needs: Vec<AccessNeed>,
    pub safe_contact: SafeContact,
    /// Friend/family route only.
    pub referrer: Option<Referrer>,
    /// Self: always true. Friend/family: does the person know and agree?
    pub consent: bool,
}

/// The public form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PublicInput {
    /// `self` or `friend_family`.
    pub route: String,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: String,
    pub sex: String,
    pub postcode: String,
    pub what_happened: String,
    pub presenting_needs: Vec<String>,
    pub children_in_household: String,
    pub interpreter_language: String,
    pub access_needs: Vec<String>,
    pub safe_to_call: String,
    pub safe_to_text: String,
    pub safe_to_email: String,
    pub safe_to_leave_message: String,
    pub safe_times: String,
    pub phone: String,
    pub email: String,
    pub referrer_name: String,
    pub referrer_relationship: String,
    pub referrer_phone: String,
    pub referrer_email: String,
    /// Friend/family: "yes" the person knows and agrees, "no", or "" not known.
    pub person_knows: String,
}

fn tri(field: &str, raw: &str, e: &mut ValidationErrors) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" | "not_known" => None,
        "yes" | "true" | "on" => Some(true),
        "no" | "false" => Some(false),
        _ => {
            e.push(FieldError::new(field, "must be yes, no or not known"));
            None
        }
    }
}

impl PublicInput {
    pub fn route(&self) -> PublicRoute {
        PublicRoute::from_key(self.route.trim()).unwrap_or(PublicRoute::SelfReferral)
    }

    pub fn parse(&self, today: NaiveDate) -> Result<NewPublicReferral, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let route = match self.route.trim() {
            "" => PublicRoute::SelfReferral,
            r => e.take(PublicRoute::parse("route", r)).unwrap_or(PublicRoute::SelfReferral),
        };
        let friend = route == PublicRoute::FriendFamily;
        let given_name = e.take(Name::parse("given_name", &self.given_name));
        let family_name = if self.family_name.trim().is_empty() { None } else { e.take(Name::parse("family_name", &self.family_name)) };
        let date_of_birth = if self.date_of_birth.trim().is_empty() {
            None
        } else {
            e.take(DateOfBirth::parse("date_of_birth", &self.date_of_birth, today))
        };
        let sex = opt_sex("sex", &self.sex, &mut e);
        let postcode = if self.postcode.trim().is_empty() { None } else { e.take(Postcode::parse("postcode", &self.postcode)) };
        let what_happened = e.take(parse_text("what_happened", &self.what_happened, true, 5000)).flatten();
        let presenting_needs = parse_many("presenting_needs", &self.presenting_needs, PresentingNeed::parse, &mut e);
        let children_in_household = match self.children_in_household.trim() {
            "" => None,
            t => match t.parse::<u8>() {
                Ok(n) if n <= 20 => Some(n),
                _ => {
                    e.push(FieldError::new("children_in_household", "must be a number from 0 to 20"));
                    None
                }
            },
        };
        let interpreter_language = e.take(parse_text("interpreter_language", &self.interpreter_language, false, 60)).flatten();
        let access_needs = parse_many("access_needs", &self.access_needs, AccessNeed::parse, &mut e);
        let phone = if self.phone.trim().is_empty() { None } else { e.take(PhoneNumber::parse("phone", &self.phone)) };
        let email = if self.email.trim().is_empty() { None } else { e.take(parse_email("email", &self.email)) };
        let safe_contact = SafeContact {
            safe_to_call: tri("safe_to_call", &self.safe_to_call, &mut e),
            safe_to_text: tri("safe_to_text", &self.safe_to_text, &mut e),
            safe_to_email: tri("safe_to_email", &self.safe_to_email, &mut e),
            safe_to_leave_message: tri("safe_to_leave_message", &self.safe_to_leave_message, &mut e),
            safe_times: e.take(parse_text("safe_times", &self.safe_times, false, 200)).flatten(),
            phone,
            email,
            safe_address: None,
        };
        let mut referrer = None;
        let consent;
        if friend {
            let name = e.take(Name::parse("referrer_name", &self.referrer_name));
            let relationship = e.take(parse_text("referrer_relationship", &self.referrer_relationship, false, 60)).flatten();
            let rphone = if self.referrer_phone.trim().is_empty() {
                None
            } else {
                e.take(PhoneNumber::parse("referrer_phone", &self.referrer_phone))
            };
            let remail =
                if self.referrer_email.trim().is_empty() { None } else { e.take(parse_email("referrer_email", &self.referrer_email)) };
            if self.referrer_phone.trim().is_empty() && self.referrer_email.trim().is_empty() {
                e.push(FieldError::new("referrer_phone", "is required (or give an email address) so we can reach you"));
            }
            consent = tri("person_knows", &self.person_knows, &mut e) == Some(true);
            if let Some(name) = name {
                referrer = Some(Referrer { name, relationship, phone: rphone, email: remail });
            }
        } else {
            consent = true;
            if self.phone.trim().is_empty() && self.email.trim().is_empty() {
                e.push(FieldError::new("phone", "is required (or give an email address) so we can contact you safely"));
            }
            if !self.phone.trim().is_empty() && safe_contact.safe_to_call.is_none() && safe_contact.safe_to_text.is_none() {
                e.push(FieldError::new("safe_to_call", "is required: tell us whether we may call or text this number"));
            }
        }
        if !e.is_empty() {
            return Err(e);
        }
        match (given_name, what_happened) {
            (Some(given_name), Some(what_happened)) => Ok(NewPublicReferral {
                route,
                person: PublicPerson { given_name, family_name, date_of_birth, sex, postcode },
                what_happened,
                presenting_needs,
                children_in_household,
                interpreter_language,
                access_needs,
                safe_contact,
                referrer,
                consent,
            }),
            _ => Err(e),
        }
    }
}

// ---------------------------------------------------------------- police

/// The police force's own reference for an incident: 1–50 characters of
/// letters, digits, `/`, `-`, `_`, `.`; compared exactly (upper-cased).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IncidentId(String);

impl IncidentId {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(FieldError::new(field, "is required"));
        }
        if t.len() > 50 || !t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.')) {
            return Err(FieldError::new(field, "must be 1 to 50 letters, digits, /, -, _ or ."));
        }
        Ok(Self(t.to_ascii_uppercase()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A victim or suspect as the police recorded them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoliceParty {
    pub given_name: Name,
    pub family_name: Name,
    pub date_of_birth: Option<DateOfBirth>,
    pub sex: Sex,
    pub postcode: Option<Postcode>,
}

/// Whether children were present, and how many if counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildrenPresent {
    /// `None`: not recorded.
    pub present: Option<bool>,
    /// `None`: not counted (only yes/no given).
    pub count: Option<u8>,
}

/// One police domestic abuse incident notification, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoliceIncident {
    pub incident_id: IncidentId,
    pub incident_date: NaiveDate,
    pub victim: PoliceParty,
    pub suspect: Option<PoliceParty>,
    pub relationship: Option<RelationshipKind>,
    pub risk_grade: RiskLevel,
    pub dash_score: Option<u8>,
    pub children: ChildrenPresent,
    pub consent: Option<bool>,
    pub summary: Option<String>,
}

/// The columns of a police incident file, in the documented order.
pub const POLICE_COLUMNS: &[&str] = &[
    "incident_id",
    "incident_date",
    "victim_given_name",
    "victim_family_name",
    "victim_date_of_birth",
    "victim_sex",
    "victim_postcode",
    "suspect_given_name",
    "suspect_family_name",
    "suspect_date_of_birth",
    "suspect_sex",
    "suspect_postcode",
    "relationship",
    "risk_grade",
    "dash_score",
    "children_present",
    "consent",
    "summary",
];

/// Columns a file must have.
pub const POLICE_REQUIRED_COLUMNS: &[&str] = &["incident_id", "incident_date", "victim_given_name", "victim_family_name", "risk_grade"];

/// Earliest incident date accepted.
pub fn earliest_incident() -> NaiveDate {
    NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or(NaiveDate::MIN)
}

impl PoliceIncident {
    /// Parse one row; `get` returns a column's text ("" when the column is absent).
    pub fn parse<'a>(get: impl Fn(&str) -> &'a str, today: NaiveDate) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let incident_id = e.take(IncidentId::parse("incident_id", get("incident_id")));
        let incident_date = match get("incident_date").trim() {
            "" => {
                e.push(FieldError::new("incident_date", "is required"));
                None
            }
            t => match parse_date(t) {
                Some(d) if d > today => {
                    e.push(FieldError::new("incident_date", "must not be in the future"));
                    None
                }
                Some(d) if d < earliest_incident() => {
                    e.push(FieldError::new("incident_date", "must be 1990 or later"));
                    None
                }
                Some(d) => Some(d),
                None => {
                    e.push(FieldError::new("incident_date", "must be a real date, as YYYY-MM-DD or DD/MM/YYYY"));
                    None
                }
            },
        };
        let on = incident_date.unwrap_or(today);
        let victim = party("victim", &get, on, true, &mut e);
        let suspect = party("suspect", &get, on, false, &mut e);
        let relationship = parse_relationship("relationship", get("relationship"), &mut e);
        let risk_grade = match get("risk_grade").trim().to_ascii_lowercase().as_str() {
            "" => {
                e.push(FieldError::new("risk_grade", "is required: standard, medium or high"));
                None
            }
            "low" | "standard" | "s" => Some(RiskLevel::Standard),
            "medium" | "m" => Some(RiskLevel::Medium),
            "high" | "h" => Some(RiskLevel::High),
            _ => {
                e.push(FieldError::new("risk_grade", "must be standard, medium or high"));
                None
            }
        };
        let dash_score = match get("dash_score").trim() {
            "" => None,
            t => match t.parse::<u8>() {
                Ok(n) if n <= 24 => Some(n),
                _ => {
                    e.push(FieldError::new("dash_score", "must be a whole number from 0 to 24"));
                    None
                }
            },
        };
        let children = match get("children_present").trim().to_ascii_lowercase().as_str() {
            "" | "not_known" | "unknown" => ChildrenPresent::default(),
            "yes" | "y" | "true" => ChildrenPresent { present: Some(true), count: None },
            "no" | "n" | "false" => ChildrenPresent { present: Some(false), count: Some(0) },
            t => match t.parse::<u8>() {
                Ok(n) if n <= 20 => ChildrenPresent { present: Some(n > 0), count: Some(n) },
                _ => {
                    e.push(FieldError::new("children_present", "must be a count from 0 to 20, or yes / no"));
                    ChildrenPresent::default()
                }
            },
        };
        let consent = match get("consent").trim().to_ascii_lowercase().as_str() {
            "" | "not_known" | "unknown" => None,
            "yes" | "y" | "true" => Some(true),
            "no" | "n" | "false" => Some(false),
            _ => {
                e.push(FieldError::new("consent", "must be yes or no"));
                None
            }
        };
        let summary = e.take(parse_text("summary", get("summary"), false, 2000)).flatten();
        if !e.is_empty() {
            return Err(e);
        }
        match (incident_id, incident_date, victim, risk_grade) {
            (Some(incident_id), Some(incident_date), Some(victim), Some(risk_grade)) => Ok(PoliceIncident {
                incident_id,
                incident_date,
                victim,
                suspect,
                relationship,
                risk_grade,
                dash_score,
                children,
                consent,
                summary,
            }),
            _ => Err(e),
        }
    }
}

fn party<'a>(prefix: &str, get: &impl Fn(&str) -> &'a str, on: NaiveDate, required: bool, e: &mut ValidationErrors) -> Option<PoliceParty> {
    let col = |n: &str| format!("{prefix}_{n}");
    let (g, f, d, s, p) =
        (get(&col("given_name")), get(&col("family_name")), get(&col("date_of_birth")), get(&col("sex")), get(&col("postcode")));
    if !required && [g, f, d, s, p].iter().all(|v| v.trim().is_empty()) {
        return None;
    }
    let given_name = e.take(Name::parse(&col("given_name"), g));
    let family_name = e.take(Name::parse(&col("family_name"), f));
    let date_of_birth = if d.trim().is_empty() { None } else { e.take(DateOfBirth::parse(&col("date_of_birth"), d, on)) };
    let sex = opt_sex(&col("sex"), s, e);
    let postcode = match p.trim().to_ascii_uppercase().as_str() {
        "" | "NFA" | "NO FIXED ABODE" => None,
        _ => e.take(Postcode::parse(&col("postcode"), p)),
    };
    Some(PoliceParty { given_name: given_name?, family_name: family_name?, date_of_birth, sex, postcode })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn row(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn parse(m: &HashMap<String, String>) -> Result<PoliceIncident, ValidationErrors> {
        PoliceIncident::parse(|k| m.get(k).map(String::as_str).unwrap_or(""), today())
    }

    fn good() -> HashMap<String, String> {
        row(&[
            ("incident_id", "wx/2026/0001"),
            ("incident_date", "2026-10-01"),
            ("victim_given_name", "Ann"),
            ("victim_family_name", "Example"),
            ("victim_date_of_birth", "02/03/1990"),
            ("victim_sex", "F"),
            ("victim_postcode", "wx1 2ab"),
            ("risk_grade", "High"),
            ("children_present", "2"),
        ])
    }

    #[test]
    fn a_good_row_parses() {
        let i = parse(&good()).unwrap();
        assert_eq!(i.incident_id.as_str(), "WX/2026/0001");
        assert_eq!(i.risk_grade, RiskLevel::High);
        assert_eq!(i.victim.sex, Sex::Female);
        assert_eq!(i.victim.postcode.unwrap().as_str(), "WX1 2AB");
        assert_eq!(i.children, ChildrenPresent { present: Some(true), count: Some(2) });
        assert!(i.suspect.is_none());
    }

    #[test]
    fn each_bad_field_is_named() {
        for (col, val, field) in [
            ("incident_id", "", "incident_id"),
            ("incident_id", "bad id!", "incident_id"),
            ("incident_date", "2027-01-01", "incident_date"),
            ("incident_date", "31/02/2026", "incident_date"),
            ("incident_date", "1989-12-31", "incident_date"),
            ("victim_given_name", "", "victim_given_name"),
            ("victim_date_of_birth", "2026-12-01", "victim_date_of_birth"),
            ("victim_postcode", "nowhere", "victim_postcode"),
            ("risk_grade", "severe", "risk_grade"),
            ("risk_grade", "", "risk_grade"),
            ("dash_score", "25", "dash_score"),
            ("children_present", "lots", "children_present"),
            ("relationship", "parent_of", "relationship"),
            ("suspect_given_name", "Gary", "suspect_family_name"),
        ] {
            let mut m = good();
            m.insert(col.into(), val.into());
            let e = parse(&m).unwrap_err();
            assert!(e.for_field(field).is_some(), "{col}={val}: {e:?}");
        }
    }

    #[test]
    fn dob_checked_against_incident_date() {
        let mut m = good();
        m.insert("victim_date_of_birth".into(), "2026-10-02".into());
        assert!(parse(&m).is_err(), "born after the incident");
    }

    #[test]
    fn children_yes_no_and_low_grade() {
        let mut m = good();
        m.insert("children_present".into(), "no".into());
        m.insert("risk_grade".into(), "low".into());
        let i = parse(&m).unwrap();
        assert_eq!(i.children, ChildrenPresent { present: Some(false), count: Some(0) });
        assert_eq!(i.risk_grade, RiskLevel::Standard);
    }

    #[test]
    fn names_normalise() {
        assert_eq!(normalise_name("  O'Brien-Smith "), "obrien smith");
        assert_eq!(normalise_name("ZOË  ann"), "zoë ann");
        assert_eq!(normalise_name("Mary.Ann"), normalise_name("mary ann"));
    }

    #[test]
    fn household_members() {
        let mut e = ValidationErrors::new();
        let m = MemberInput {
            given_name: "Sam".into(),
            family_name: "Example".into(),
            date_of_birth: "2001-01-01".into(),
            role: "child".into(),
            ..Default::default()
        };
        m.parse("household.0", today(), &mut e);
        assert!(e.for_field("household.0.date_of_birth").is_some(), "an adult is not a child");
        let mut e = ValidationErrors::new();
        let d = DetailsInput {
            household: vec![MemberInput::default(), MemberInput { given_name: "Sam".into(), family_name: "".into(), ..Default::default() }],
            ..Default::default()
        };
        d.parse(today(), &mut e);
        assert_eq!(e.errors.len(), 1);
        assert_eq!(e.errors[0].field, "household.1.family_name", "blank rows are skipped, numbering kept");
    }

    #[test]
    fn interpreter_rules() {
        let mut e = ValidationErrors::new();
        assert_eq!(parse_interpreter("yes", "Polish", &mut e).as_deref(), Some("Polish"));
        assert_eq!(parse_interpreter("", "Urdu", &mut e).as_deref(), Some("Urdu"));
        assert!(e.is_empty());
        assert_eq!(parse_interpreter("yes", "", &mut e), None);
        assert_eq!(e.errors[0].field, "interpreter_language");
    }

    #[test]
    fn perpetrator_optional_but_named_when_given() {
        let mut e = ValidationErrors::new();
        assert!(PerpetratorInput::default().parse(today(), &mut e).is_none());
        assert!(e.is_empty());
        let p =
            PerpetratorInput { given_name: "Gary".into(), postcode: "bad".into(), relationship: "ex_partner".into(), ..Default::default() };
        assert!(p.parse(today(), &mut e).is_none());
        let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["perpetrator.family_name", "perpetrator.postcode"]);
    }

    #[test]
    fn public_self_referral() {
        let i = PublicInput {
            given_name: "Ann".into(),
            what_happened: "He hurts me".into(),
            phone: "07700 900123".into(),
            safe_to_text: "yes".into(),
            ..Default::default()
        };
        let r = i.parse(today()).unwrap();
        assert_eq!(r.route, PublicRoute::SelfReferral);
        assert!(r.consent);
        assert!(r.person.family_name.is_none());
        let e = PublicInput::default().parse(today()).unwrap_err();
        for f in ["given_name", "what_happened", "phone"] {
            assert!(e.for_field(f).is_some(), "{f}");
        }
    }

    #[test]
    fn public_friend_referral_needs_referrer_contact() {
        let i = PublicInput {
            route: "friend_family".into(),
            given_name: "Ann".into(),
            what_happened: "Worried".into(),
            referrer_name: "Bea".into(),
            ..Default::default()
        };
        let e = i.parse(today()).unwrap_err();
        assert!(e.for_field("referrer_phone").is_some());
        let i = PublicInput { referrer_email: "bea@example.org".into(), ..i };
        let r = i.parse(today()).unwrap();
        assert!(!r.consent, "not known is not consent");
        assert_eq!(r.referrer.unwrap().email.as_deref(), Some("bea@example.org"));
    }

    proptest! {
        #[test]
        fn police_parse_never_panics(vals in proptest::collection::vec("\\PC{0,20}", POLICE_COLUMNS.len())) {
            let m: HashMap<String, String> = POLICE_COLUMNS.iter().map(|c| c.to_string()).zip(vals).collect();
            let _ = parse(&m);
        }

        #[test]
        fn public_parse_never_panics(g in "\\PC{0,30}", w in "\\PC{0,30}", p in "\\PC{0,15}") {
            let _ = PublicInput { given_name: g, what_happened: w, phone: p, ..Default::default() }.parse(today());
        }
    }
}
