//! The agency intake form as typed (every field a string, so a form with
//! errors shows again with nothing lost) and its JSON twin, both parsed by
//! one function into a [`NewIntakeReferral`].
use crate::forms::{ReferralInput, ReferralJson};
use chrono::NaiveDate;
use haven_domain::error::ValidationErrors;
use haven_domain::ids::PersonId;
use haven_domain::intake::{DetailsInput, MAX_HOUSEHOLD, MemberInput, NewIntakeReferral, PerpetratorInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Household rows shown on a fresh form.
pub const DEFAULT_ROWS: usize = 2;

/// The whole agency intake form as submitted.
#[derive(Debug, Clone, Default)]
pub struct IntakeForm {
    pub base: ReferralInput,
    pub details: DetailsInput,
    /// "" (not yet asked), "new" (none of the suggested records), or a person id.
    pub match_decision: String,
    pub submission_key: String,
    /// Which button was pressed: "send" or "add_member".
    pub action: String,
}

impl IntakeForm {
    /// Build from the urlencoded pairs (`household.0.given_name`, repeated
    /// checkboxes such as `presenting_needs`).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = IntakeForm::default();
        let mut base = serde_json::Map::new();
        for (k, v) in pairs {
            if let Some(rest) = k.strip_prefix("household.") {
                let Some((i, field)) = rest.split_once('.') else { continue };
                let Ok(i) = i.parse::<usize>() else { continue };
                if i >= MAX_HOUSEHOLD * 2 {
                    continue;
                }
                while f.details.household.len() <= i {
                    f.details.household.push(MemberInput::default());
                }
                let Some(m) = f.details.household.get_mut(i) else { continue };
                match field {
                    "given_name" => m.given_name = v,
                    "family_name" => m.family_name = v,
                    "date_of_birth" => m.date_of_birth = v,
                    "sex" => m.sex = v,
                    "role" => m.role = v,
                    "relationship" => m.relationship = v,
                    "school" => m.school = v,
                    _ => {}
                }
                continue;
            }
            if let Some(field) = k.strip_prefix("perpetrator.") {
                let p = &mut f.details.perpetrator;
                match field {
                    "given_name" => p.given_name = v,
                    "family_name" => p.family_name = v,
                    "date_of_birth" => p.date_of_birth = v,
                    "sex" => p.sex = v,
                    "postcode" => p.postcode = v,
                    "relationship" => p.relationship = v,
                    _ => {}
                }
                continue;
            }
            match k.as_str() {
                "presenting_needs" => f.details.presenting_needs.push(v),
                "access_needs" => f.details.access_needs.push(v),
                "interpreter_needed" => f.details.interpreter_needed = v,
                "interpreter_language" => f.details.interpreter_language = v,
                "access_notes" => f.details.access_notes = v,
                "match_decision" => f.match_decision = v,
                "submission_key" => f.submission_key = v,
                "action" => f.action = v,
                _ => {
                    base.insert(k, serde_json::Value::String(v));
                }
            }
        }
        f.base = serde_json::from_value(serde_json::Value::Object(base)).unwrap_or_default();
        f
    }

    /// The person the referral joins: chosen on the form, or from a suggestion.
    pub fn existing_person(&self) -> Option<PersonId> {
        self.base.existing_person().or_else(|| self.match_decision.trim().parse::<i64>().ok().map(PersonId))
    }

    /// The referrer has seen the suggestions and chosen (or there were none to see).
    pub fn match_settled(&self) -> bool {
        !self.match_decision.trim().is_empty() || self.base.existing_person().is_some()
    }

    /// Parse everything, collecting every error.
    pub fn parse(&self, today: NaiveDate) -> Result<NewIntakeReferral, ValidationErrors> {
        let referral = self.base.parse(today);
        let mut e = match &referral {
            Ok(_) => ValidationErrors::new(),
            Err(e) => e.clone(),
        };
        let on = referral.as_ref().map(|r| r.referral_date).unwrap_or(today);
        let details = self.details.parse(on, &mut e);
        if !e.is_empty() {
            return Err(e);
        }
        let key = self.submission_key.trim();
        let submission_key = (!key.is_empty() && key.len() <= 100).then(|| key.to_string());
        referral.map(|referral| NewIntakeReferral { referral, details, submission_key })
    }
}

/// One household member or child (JSON).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct MemberJson {
    pub given_name: String,
    pub family_name: String,
    /// YYYY-MM-DD, or empty when not known.
    pub date_of_birth: String,
    /// `female`, `male`, `not_known`, `prefer_not_to_say`
    pub sex: String,
    /// `child` (default) or `other`.
    pub role: String,
    /// Relationship to the victim in the referrer's words, e.g. "son".
    pub relationship: String,
    pub school: String,
}

/// The alleged perpetrator (JSON); omit when not known.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct PerpetratorJson {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: String,
    pub sex: String,
    pub postcode: String,
    /// `intimate_partner`, `ex_partner` or `family_member`.
    pub relationship: String,
}

/// The JSON body of `POST /api/v1/intake/referrals`: a referral (as for
/// `POST /api/v1/referrals`) plus the household, the alleged perpetrator,
/// interpreter, access and presenting needs.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct IntakeReferralJson {
    #[serde(flatten)]
    pub referral: ReferralJson,
    pub household: Vec<MemberJson>,
    pub perpetrator: Option<PerpetratorJson>,
    /// The language an interpreter must speak; omit when none is needed.
    pub interpreter_language: Option<String>,
    /// `step_free`, `bsl`, `hearing_loop`, `large_print`, `easy_read`, `other`.
    pub access_needs: Vec<String>,
    pub access_notes: Option<String>,
    /// `safety`, `accommodation`, `children_family`, `physical_health`, `mental_health`, `drugs_alcohol`,
    /// `finance`, `education_employment`, `confidence`, `legal`, `immigration`.
    pub presenting_needs: Vec<String>,
    /// Create a new person even though likely existing records were found
    /// (otherwise the answer is 409 with the suggestions).
    pub confirm_new_person: bool,
    /// Any unique string; sending the same key again returns the first result.
    pub submission_key: Option<String>,
}

impl From<IntakeReferralJson> for IntakeForm {
    fn from(j: IntakeReferralJson) -> Self {
        let household = j
            .household
            .into_iter()
            .map(|m| MemberInput {
                given_name: m.given_name,
                family_name: m.family_name,
                date_of_birth: m.date_of_birth,
                sex: m.sex,
                role: m.role,
                relationship: m.relationship,
                school: m.school,
            })
            .collect();
        let perpetrator = j
            .perpetrator
            .map(|p| PerpetratorInput {
                given_name: p.given_name,
                family_name: p.family_name,
                date_of_birth: p.date_of_birth,
                sex: p.sex,
                postcode: p.postcode,
                relationship: p.relationship,
            })
            .unwrap_or_default();
        let language = j.interpreter_language.unwrap_or_default();
        IntakeForm {
            base: j.referral.into(),
            details: DetailsInput {
                household,
                perpetrator,
                interpreter_needed: String::new(),
                interpreter_language: language,
                access_needs: j.access_needs,
                access_notes: j.access_notes.unwrap_or_default(),
                presenting_needs: j.presenting_needs,
            },
            match_decision: if j.confirm_new_person { "new".into() } else { String::new() },
            submission_key: j.submission_key.unwrap_or_default(),
            action: "send".into(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn pairs_build_the_form_and_parse() {
        let f = IntakeForm::from_pairs(pairs(&[
            ("person.given_name", "Ann"),
            ("person.family_name", "Example"),
            ("person.date_of_birth", "1990-01-02"),
            ("person.sex", "female"),
            ("person.postcode", "WX1 2AB"),
            ("source_agency", "gp"),
            ("reason", "Disclosed at appointment"),
            ("consent", "yes"),
            ("household.0.given_name", "Sam"),
            ("household.0.family_name", "Example"),
            ("household.0.date_of_birth", "2018-05-06"),
            ("household.0.school", "Wessex Primary"),
            ("household.1.given_name", ""),
            ("perpetrator.given_name", "Gary"),
            ("perpetrator.family_name", "Example"),
            ("perpetrator.relationship", "ex_partner"),
            ("presenting_needs", "accommodation"),
            ("presenting_needs", "children_family"),
            ("interpreter_language", "Polish"),
            ("submission_key", "k1"),
        ]));
        assert_eq!(f.details.household.len(), 2);
        let r = f.parse(today()).unwrap();
        assert_eq!(r.details.household.len(), 1);
        assert_eq!(r.details.household[0].school.as_deref(), Some("Wessex Primary"));
        assert_eq!(r.details.presenting_needs.len(), 2);
        assert_eq!(r.details.interpreter_language.as_deref(), Some("Polish"));
        assert!(r.details.perpetrator.is_some());
        assert_eq!(r.submission_key.as_deref(), Some("k1"));
    }

    #[test]
    fn errors_from_both_parts_are_collected() {
        let f = IntakeForm::from_pairs(pairs(&[("household.0.given_name", "Sam"), ("perpetrator.postcode", "nowhere")]));
        let e = f.parse(today()).unwrap_err();
        for field in ["person.given_name", "reason", "household.0.family_name", "perpetrator.given_name", "perpetrator.postcode"] {
            assert!(e.for_field(field).is_some(), "{field}: {e:?}");
        }
    }
}
