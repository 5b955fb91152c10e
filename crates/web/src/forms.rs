//! Raw input (HTML form or JSON) → typed domain values, with errors that
//! name the field. The same parser serves the page and the API.
use chrono::NaiveDate;
use haven_domain::agency::AgencyKind;
use haven_domain::error::{FieldError, ValidationErrors};
use haven_domain::ids::PersonId;
use haven_domain::person::*;
use haven_domain::referral::{LawfulBasis, NewReferral, SafeContact, lawful_basis, parse_email, parse_text};
use serde::Deserialize;
use utoipa::ToSchema;

/// A referral as typed: every field a string, exactly as submitted, so a
/// form with errors can be shown again without losing anything.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReferralInput {
    #[serde(rename = "person_id")]
    pub person_id: String,
    #[serde(rename = "person.given_name")]
    pub given_name: String,
    #[serde(rename = "person.family_name")]
    pub family_name: String,
    #[serde(rename = "person.date_of_birth")]
    pub date_of_birth: String,
    #[serde(rename = "person.sex")]
    pub sex: String,
    #[serde(rename = "person.postcode")]
    pub postcode: String,
    #[serde(rename = "person.ethnicity")]
    pub ethnicity: String,
    #[serde(rename = "person.disability")]
    pub disability: String,
    #[serde(rename = "person.gender_identity")]
    pub gender_identity: String,
    #[serde(rename = "person.sexual_orientation")]
    pub sexual_orientation: String,
    #[serde(rename = "person.religion")]
    pub religion: String,
    #[serde(rename = "person.pregnant")]
    pub pregnant: String,
    #[serde(rename = "person.marital_status")]
    pub marital_status: String,
    #[serde(rename = "person.immigration_status")]
    pub immigration_status: String,
    #[serde(rename = "person.nrpf")]
    pub nrpf: String,
    pub source_agency: String,
    pub referral_date: String,
    pub reason: String,
    /// "yes" or "no".
    pub consent: String,
    pub lawful_basis: String,
    /// "yes", "no" or "" (not known).
    pub safe_to_call: String,
    pub safe_to_text: String,
    pub safe_to_email: String,
    pub safe_to_leave_message: String,
    pub safe_times: String,
    pub phone: String,
    pub email: String,
    pub safe_address: String,
    pub csrf_token: String,
}

fn opt_vocab<T>(field: &str, raw: &str, parse: fn(&str, &str) -> Result<T, FieldError>, default: T, errs: &mut ValidationErrors) -> T {
    if raw.trim().is_empty() {
        return default;
    }
    errs.take(parse(field, raw)).unwrap_or(default)
}

fn tri(field: &str, raw: &str, errs: &mut ValidationErrors) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" | "not_known" | "unknown" => None,
        "yes" | "true" | "on" => Some(true),
        "no" | "false" => Some(false),
        _ => {
            errs.push(FieldError::new(field, "must be yes, no or not known"));
            None
        }
    }
}

impl ReferralInput {
    /// The existing person this referral joins, if chosen.
    pub fn existing_person(&self) -> Option<PersonId> {
        self.person_id.trim().parse::<i64>().ok().map(PersonId)
    }

    /// Parse everything, collecting every error.
    pub fn parse(&self, today: NaiveDate) -> Result<NewReferral, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let given_name = e.take(Name::parse("person.given_name", &self.given_name));
        let family_name = e.take(Name::parse("person.family_name", &self.family_name));
        let date_of_birth = e.take(DateOfBirth::parse("person.date_of_birth", &self.date_of_birth, today));
        let sex = if self.sex.trim().is_empty() {
            e.push(FieldError::new("person.sex", "is required (choose not known if you do not know)"));
            None
        } else {
            e.take(Sex::parse("person.sex", &self.sex))
        };
        let postcode = match self.postcode.trim().to_ascii_uppercase().as_str() {
            "NFA" | "NO FIXED ABODE" => None,
            "" => {
                e.push(FieldError::new("person.postcode", "is required (enter NFA for no fixed abode)"));
                None
            }
            _ => e.take(Postcode::parse("person.postcode", &self.postcode)),
        };
        let characteristics = Characteristics {
            ethnicity: opt_vocab("person.ethnicity", &self.ethnicity, Ethnicity::parse, Ethnicity::NotKnown, &mut e),
            disability: opt_vocab("person.disability", &self.disability, YesNoUnknown::parse, YesNoUnknown::NotKnown, &mut e),
            gender_identity: opt_vocab(
                "person.gender_identity",
                &self.gender_identity,
                GenderIdentity::parse,
                GenderIdentity::NotKnown,
                &mut e,
            ),
            sexual_orientation: opt_vocab(
                "person.sexual_orientation",
                &self.sexual_orientation,
                SexualOrientation::parse,
                SexualOrientation::NotKnown,
                &mut e,
            ),
            religion: opt_vocab("person.religion", &self.religion, Religion::parse, Religion::NotKnown, &mut e),
            pregnant: opt_vocab("person.pregnant", &self.pregnant, YesNoUnknown::parse, YesNoUnknown::NotKnown, &mut e),
            marital_status: opt_vocab("person.marital_status", &self.marital_status, MaritalStatus::parse, MaritalStatus::NotKnown, &mut e),
            immigration_status: opt_vocab(
                "person.immigration_status",
                &self.immigration_status,
                ImmigrationStatus::parse,
                ImmigrationStatus::NotKnown,
                &mut e,
            ),
            nrpf: opt_vocab("person.nrpf", &self.nrpf, YesNoUnknown::parse, YesNoUnknown::NotKnown, &mut e),
        };
        let source_agency = if self.source_agency.trim().is_empty() {
            e.push(FieldError::new("source_agency", "is required"));
            None
        } else {
            e.take(AgencyKind::parse("source_agency", &self.source_agency))
        };
        let referral_date = if self.referral_date.trim().is_empty() {
            Some(today)
        } else {
            match parse_date(&self.referral_date) {
                Some(d) if d > today => {
                    e.push(FieldError::new("referral_date", "must not be in the future"));
                    None
                }
                Some(d) => Some(d),
                None => {
                    e.push(FieldError::new("referral_date", "must be a real date, as YYYY-MM-DD or DD/MM/YYYY"));
                    None
                }
            }
        };
        let reason = e.take(parse_text("reason", &self.reason, true, 10_000)).flatten();
        let consent = match self.consent.trim().to_ascii_lowercase().as_str() {
            "yes" | "true" => Some(true),
            "no" | "false" => Some(false),
            "" => {
                e.push(FieldError::new("consent", "is required: say whether the person consents to the referral"));
                None
            }
            _ => {
                e.push(FieldError::new("consent", "must be yes or no"));
                None
            }
        };
        let chosen =
            if self.lawful_basis.trim().is_empty() { None } else { e.take(LawfulBasis::parse("lawful_basis", &self.lawful_basis)) };
        let basis = lawful_basis(consent.unwrap_or(true), chosen, &mut e);
        let safe_contact = SafeContact {
            safe_to_call: tri("safe_to_call", &self.safe_to_call, &mut e),
            safe_to_text: tri("safe_to_text", &self.safe_to_text, &mut e),
            safe_to_email: tri("safe_to_email", &self.safe_to_email, &mut e),
            safe_to_leave_message: tri("safe_to_leave_message", &self.safe_to_leave_message, &mut e),
            safe_times: e.take(parse_text("safe_times", &self.safe_times, false, 200)).flatten(),
            phone: if self.phone.trim().is_empty() { None } else { e.take(PhoneNumber::parse("phone", &self.phone)) },
            email: if self.email.trim().is_empty() { None } else { e.take(parse_email("email", &self.email)) },
            safe_address: e.take(parse_text("safe_address", &self.safe_address, false, 500)).flatten(),
        };
        if !e.is_empty() {
            return Err(e);
        }
        match (given_name, family_name, date_of_birth, sex, source_agency, referral_date, reason, consent) {
            (
                Some(given_name),
                Some(family_name),
                Some(dob),
                Some(sex),
                Some(source_agency),
                Some(referral_date),
                Some(reason),
                Some(consent),
            ) => Ok(NewReferral {
                person: NewPerson { given_name, family_name, date_of_birth: Some(dob), sex, postcode, characteristics },
                source_agency,
                referral_date,
                reason,
                consent,
                lawful_basis: basis,
                safe_contact,
            }),
            _ => Err(e),
        }
    }
}

/// The JSON body of `POST /api/v1/referrals`.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default)]
pub struct ReferralJson {
    /// Join an existing person instead of creating one.
    pub person_id: Option<i64>,
    pub person: PersonJson,
    /// An agency kind key, e.g. `police`, `self`, `childrens_services`.
    pub source_agency: String,
    /// YYYY-MM-DD; today if absent.
    pub referral_date: Option<String>,
    pub reason: String,
    pub consent: Option<bool>,
    pub lawful_basis: Option<String>,
    pub safe_contact: SafeContactJson,
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default)]
pub struct PersonJson {
    pub given_name: String,
    pub family_name: String,
    /// YYYY-MM-DD
    pub date_of_birth: String,
    /// `female`, `male`, `not_known`, `prefer_not_to_say`
    pub sex: String,
    /// A UK postcode, or `NFA` for no fixed abode.
    pub postcode: String,
    pub ethnicity: Option<String>,
    pub disability: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default)]
pub struct SafeContactJson {
    pub safe_to_call: Option<bool>,
    pub safe_to_text: Option<bool>,
    pub safe_to_email: Option<bool>,
    pub safe_to_leave_message: Option<bool>,
    pub safe_times: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub safe_address: Option<String>,
}

fn yn(b: Option<bool>) -> String {
    match b {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => String::new(),
    }
}

impl From<ReferralJson> for ReferralInput {
    fn from(j: ReferralJson) -> Self {
        let s = j.safe_contact;
        ReferralInput {
            person_id: j.person_id.map(|i| i.to_string()).unwrap_or_default(),
            given_name: j.person.given_name,
            family_name: j.person.family_name,
            date_of_birth: j.person.date_of_birth,
            sex: j.person.sex,
            postcode: j.person.postcode,
            ethnicity: j.person.ethnicity.unwrap_or_default(),
            disability: j.person.disability.unwrap_or_default(),
            source_agency: j.source_agency,
            referral_date: j.referral_date.unwrap_or_default(),
            reason: j.reason,
            consent: yn(j.consent),
            lawful_basis: j.lawful_basis.unwrap_or_default(),
            safe_to_call: yn(s.safe_to_call),
            safe_to_text: yn(s.safe_to_text),
            safe_to_email: yn(s.safe_to_email),
            safe_to_leave_message: yn(s.safe_to_leave_message),
            safe_times: s.safe_times.unwrap_or_default(),
            phone: s.phone.unwrap_or_default(),
            email: s.email.unwrap_or_default(),
            safe_address: s.safe_address.unwrap_or_default(),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn good() -> ReferralInput {
        ReferralInput {
            given_name: "Ann".into(),
            family_name: "Example".into(),
            date_of_birth: "1990-01-02".into(),
            sex: "female".into(),
            postcode: "WX1 2AB".into(),
            source_agency: "police".into(),
            reason: "Incident attended".into(),
            consent: "yes".into(),
            ..Default::default()
        }
    }

    #[test]
    fn good_input_parses() {
        let r = good().parse(today()).unwrap();
        assert_eq!(r.person.postcode.unwrap().as_str(), "WX1 2AB");
        assert_eq!(r.lawful_basis, LawfulBasis::Consent);
        assert_eq!(r.referral_date, today());
    }

    #[test]
    fn every_error_is_named() {
        let mut i = good();
        i.date_of_birth = "2030-01-01".into();
        i.postcode = "nonsense".into();
        i.consent = String::new();
        i.phone = "abc".into();
        let e = i.parse(today()).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["person.date_of_birth", "person.postcode", "consent", "phone"]);
    }

    #[test]
    fn empty_input_lists_required_fields() {
        let e = ReferralInput::default().parse(today()).unwrap_err();
        for f in [
            "person.given_name",
            "person.family_name",
            "person.date_of_birth",
            "person.sex",
            "person.postcode",
            "source_agency",
            "reason",
            "consent",
        ] {
            assert!(e.for_field(f).is_some(), "{f}");
        }
    }
}
