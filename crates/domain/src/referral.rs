//! Referrals: how a person reaches the front door.
use crate::agency::AgencyKind;
use crate::error::{FieldError, ValidationErrors};
use crate::person::{NewPerson, PhoneNumber};
use crate::vocabulary;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

vocabulary!(
    /// The lawful basis (UK GDPR Art. 6, with DPA 2018 safeguarding) on
    /// which the referrer shares the information.
    LawfulBasis {
        Consent = "consent": "Consent",
        VitalInterests = "vital_interests": "Vital interests (risk to life)",
        PublicTask = "public_task": "Public task (safeguarding)",
        LegalObligation = "legal_obligation": "Legal obligation",
        LegitimateInterests = "legitimate_interests": "Legitimate interests",
    }
);

/// What is safe when contacting the person. `None` means not yet known,
/// which every worker must read as "not safe".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SafeContact {
    pub safe_to_call: Option<bool>,
    pub safe_to_text: Option<bool>,
    pub safe_to_email: Option<bool>,
    pub safe_to_leave_message: Option<bool>,
    pub safe_times: Option<String>,
    pub phone: Option<PhoneNumber>,
    pub email: Option<String>,
    /// A safe postal address, or none.
    pub safe_address: Option<String>,
}

impl SafeContact {
    /// A one-line warning for the banner: what must NOT be done.
    pub fn warnings(&self) -> Vec<&'static str> {
        let mut w = Vec::new();
        if self.safe_to_call != Some(true) {
            w.push("Do not call unless confirmed safe");
        }
        if self.safe_to_text != Some(true) {
            w.push("Do not text");
        }
        if self.safe_to_leave_message != Some(true) {
            w.push("Do not leave a message");
        }
        if self.safe_to_email != Some(true) {
            w.push("Do not email");
        }
        w
    }
}

/// Free text such as the reason for referral: trimmed, bounded.
pub fn parse_text(field: &str, raw: &str, required: bool, max: usize) -> Result<Option<String>, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return if required { Err(FieldError::new(field, "is required")) } else { Ok(None) };
    }
    if t.chars().count() > max {
        return Err(FieldError::new(field, format!("must be {max} characters or fewer")));
    }
    Ok(Some(t.to_string()))
}

/// An email address: one @, something either side, a dot in the domain.
pub fn parse_email(field: &str, raw: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    let ok = t.len() <= 254
        && !t.chars().any(char::is_whitespace)
        && t.split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.') && !d.contains('@'));
    if ok { Ok(t.to_string()) } else { Err(FieldError::new(field, "must be an email address, such as name@example.org")) }
}

/// A parsed referral, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewReferral {
    pub person: NewPerson,
    pub source_agency: AgencyKind,
    pub referral_date: NaiveDate,
    pub reason: String,
    pub consent: bool,
    pub lawful_basis: LawfulBasis,
    pub safe_contact: SafeContact,
}

/// Decide the lawful basis: consent if given; otherwise the basis the
/// referrer chose, which must not be "consent".
pub fn lawful_basis(consent: bool, chosen: Option<LawfulBasis>, errs: &mut ValidationErrors) -> LawfulBasis {
    match (consent, chosen) {
        (true, _) => LawfulBasis::Consent,
        (false, Some(LawfulBasis::Consent)) => {
            errs.push(FieldError::new("lawful_basis", "cannot be consent when the person has not consented"));
            LawfulBasis::PublicTask
        }
        (false, Some(b)) => b,
        // Sharing without consent is lawful for safeguarding as a public task.
        (false, None) => LawfulBasis::PublicTask,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banner_warns_when_unknown() {
        let s = SafeContact::default();
        assert_eq!(s.warnings().len(), 4);
        let s = SafeContact {
            safe_to_call: Some(true),
            safe_to_text: Some(true),
            safe_to_email: Some(true),
            safe_to_leave_message: Some(true),
            ..Default::default()
        };
        assert!(s.warnings().is_empty());
    }

    #[test]
    fn emails() {
        assert!(parse_email("e", "a@b.org").is_ok());
        assert!(parse_email("e", "a@b").is_err());
        assert!(parse_email("e", "a b@c.org").is_err());
    }

    #[test]
    fn no_consent_needs_other_basis() {
        let mut e = ValidationErrors::new();
        assert_eq!(lawful_basis(false, None, &mut e), LawfulBasis::PublicTask);
        assert_eq!(lawful_basis(false, Some(LawfulBasis::Consent), &mut e), LawfulBasis::PublicTask);
        assert_eq!(e.errors.len(), 1);
        assert_eq!(e.errors[0].field, "lawful_basis");
    }
}
