//! People and what we know about them, parsed at the edge into typed values.
use crate::error::FieldError;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Defines a closed vocabulary: a `serde`-friendly enum with a stable
/// machine key (stored in the database and used in the API) and a label.
#[macro_export]
macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $key:literal : $label:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        pub enum $name {
            $( $(#[$vm])* #[serde(rename = $key)] $variant ),*
        }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),* }
            }
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),* }
            }
            pub fn from_key(k: &str) -> Option<Self> {
                match k { $($key => Some($name::$variant),)* _ => None }
            }
            /// Parse a submitted value for the named field.
            pub fn parse(field: &str, raw: &str) -> Result<Self, $crate::error::FieldError> {
                let t = raw.trim();
                Self::from_key(t)
                    .or_else(|| Self::ALL.iter().copied().find(|v| v.label().eq_ignore_ascii_case(t)))
                    .ok_or_else(|| {
                        let keys: Vec<&str> = Self::ALL.iter().map(|v| v.key()).collect();
                        $crate::error::FieldError::new(field, format!("must be one of: {}", keys.join(", ")))
                    })
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.label()) }
        }
    };
}

/// A given or family name: trimmed, 1–100 characters, letters and the
/// punctuation names really use (space, hyphen, apostrophe, full stop).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Name(String);

impl Name {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let t = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if t.is_empty() {
            return Err(FieldError::new(field, "is required"));
        }
        if t.chars().count() > 100 {
            return Err(FieldError::new(field, "must be 100 characters or fewer"));
        }
        if !t.chars().any(char::is_alphabetic) {
            return Err(FieldError::new(field, "must contain letters"));
        }
        if let Some(c) = t.chars().find(|c| !(c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.'))) {
            return Err(FieldError::new(field, format!("must not contain '{c}'")));
        }
        Ok(Self(t))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A date of birth: a real calendar date, not in the future, not before 1900.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DateOfBirth(NaiveDate);

impl DateOfBirth {
    /// Accepts `YYYY-MM-DD` or the UK's `DD/MM/YYYY`.
    pub fn parse(field: &str, raw: &str, today: NaiveDate) -> Result<Self, FieldError> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(FieldError::new(field, "is required"));
        }
        let d = parse_date(t).ok_or_else(|| FieldError::new(field, "must be a real date, as YYYY-MM-DD or DD/MM/YYYY"))?;
        Self::from_date(field, d, today)
    }
    pub fn from_date(field: &str, d: NaiveDate, today: NaiveDate) -> Result<Self, FieldError> {
        if d > today {
            return Err(FieldError::new(field, "must not be in the future"));
        }
        if d.year() < 1900 {
            return Err(FieldError::new(field, "must be 1900 or later"));
        }
        Ok(Self(d))
    }
    pub fn date(self) -> NaiveDate {
        self.0
    }
    /// Age in completed years on `on`.
    pub fn age_on(self, on: NaiveDate) -> u32 {
        let mut age = on.year() - self.0.year();
        if (on.month(), on.day()) < (self.0.month(), self.0.day()) {
            age -= 1;
        }
        age.max(0) as u32
    }
}

/// Parse `YYYY-MM-DD` or `DD/MM/YYYY` (also `DD-MM-YYYY`, `DD.MM.YYYY`).
pub fn parse_date(t: &str) -> Option<NaiveDate> {
    let t = t.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%d/%m/%Y"))
        .or_else(|_| NaiveDate::parse_from_str(t, "%d-%m-%Y"))
        .or_else(|_| NaiveDate::parse_from_str(t, "%d.%m.%Y"))
        .ok()
        .filter(|d| d.year() >= 1000)
}

/// A UK postcode, normalised to upper case with one space before the
/// inward code (`SO23 8UJ`). Follows the published format: outward code
/// A9, A99, AA9, AA99, A9A or AA9A; inward code 9AA.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Postcode(String);

impl Postcode {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        if compact.is_empty() {
            return Err(FieldError::new(field, "is required"));
        }
        let bad = || FieldError::new(field, "must be a UK postcode, such as SO23 8UJ");
        if !(5..=7).contains(&compact.len()) || !compact.is_ascii() {
            return Err(bad());
        }
        let (outward, inward) = compact.split_at(compact.len() - 3);
        let ib = inward.as_bytes();
        if !(ib[0].is_ascii_digit() && ib[1].is_ascii_alphabetic() && ib[2].is_ascii_alphabetic()) {
            return Err(bad());
        }
        let shape: String = outward
            .chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    '9'
                } else if c.is_ascii_alphabetic() {
                    'A'
                } else {
                    '?'
                }
            })
            .collect();
        if !matches!(shape.as_str(), "A9" | "A99" | "AA9" | "AA99" | "A9A" | "AA9A") {
            return Err(bad());
        }
        Ok(Self(format!("{outward} {inward}")))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The outward code (district), e.g. `SO23`.
    pub fn district(&self) -> &str {
        self.0.split(' ').next().unwrap_or(&self.0)
    }
    /// The sector, e.g. `SO23 8`.
    pub fn sector(&self) -> &str {
        let n = self.0.len().saturating_sub(2);
        self.0.get(..n).unwrap_or(&self.0)
    }
}

impl std::fmt::Display for Postcode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A UK phone number: 10 or 11 digits starting 0, or +44 followed by 9–10
/// digits; spaces, hyphens and brackets are allowed and dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(FieldError::new(field, "is required"));
        }
        if t.chars().any(|c| !(c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '+'))) {
            return Err(FieldError::new(field, "may contain only digits, spaces, hyphens, brackets and a leading +"));
        }
        let digits: String = t.chars().filter(char::is_ascii_digit).collect();
        let national = if t.starts_with('+') {
            match digits.strip_prefix("44") {
                Some(rest) => format!("0{rest}"),
                None => return Err(FieldError::new(field, "must be a UK number (+44 or starting 0)")),
            }
        } else {
            digits
        };
        if !national.starts_with('0') || !(10..=11).contains(&national.len()) {
            return Err(FieldError::new(field, "must be a UK number of 10 or 11 digits starting 0"));
        }
        Ok(Self(national))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

vocabulary!(
    /// Sex as recorded (the survey rates and monitoring use female / male).
    Sex {
        Female = "female": "Female",
        Male = "male": "Male",
        NotKnown = "not_known": "Not known",
        PreferNotToSay = "prefer_not_to_say": "Prefer not to say",
    }
);

vocabulary!(
    /// The part a person plays in a referral.
    PersonRole {
        Victim = "victim": "Victim / survivor",
        AllegedPerpetrator = "alleged_perpetrator": "Alleged perpetrator",
        Child = "child": "Child",
        Other = "other": "Other household member",
    }
);

vocabulary!(
    /// How two people are related. `ParentOf` is directed (from parent to child).
    RelationshipKind {
        IntimatePartner = "intimate_partner": "Intimate partner",
        ExPartner = "ex_partner": "Ex-partner",
        FamilyMember = "family_member": "Family member",
        ParentOf = "parent_of": "Parent of",
    }
);

vocabulary!(
    GenderIdentity {
        SameAsSex = "same_as_sex": "Same as sex registered at birth",
        Different = "different": "Different from sex registered at birth",
        NonBinary = "non_binary": "Non-binary",
        NotKnown = "not_known": "Not known",
        PreferNotToSay = "prefer_not_to_say": "Prefer not to say",
    }
);

vocabulary!(
    SexualOrientation {
        Heterosexual = "heterosexual": "Heterosexual or straight",
        GayLesbian = "gay_lesbian": "Gay or lesbian",
        Bisexual = "bisexual": "Bisexual",
        Other = "other": "Other sexual orientation",
        NotKnown = "not_known": "Not known",
        PreferNotToSay = "prefer_not_to_say": "Prefer not to say",
    }
);

vocabulary!(
    /// Ethnic group in the ONS 2021 Census categories (England).
    Ethnicity {
        AsianBangladeshi = "asian_bangladeshi": "Asian: Bangladeshi",
        AsianChinese = "asian_chinese": "Asian: Chinese",
        AsianIndian = "asian_indian": "Asian: Indian",
        AsianPakistani = "asian_pakistani": "Asian: Pakistani",
        AsianOther = "asian_other": "Asian: any other Asian background",
        BlackAfrican = "black_african": "Black: African",
        BlackCaribbean = "black_caribbean": "Black: Caribbean",
        BlackOther = "black_other": "Black: any other Black, Black British or Caribbean background",
        MixedWhiteAsian = "mixed_white_asian": "Mixed: White and Asian",
        MixedWhiteBlackAfrican = "mixed_white_black_african": "Mixed: White and Black African",
        MixedWhiteBlackCaribbean = "mixed_white_black_caribbean": "Mixed: White and Black Caribbean",
        MixedOther = "mixed_other": "Mixed: any other Mixed or multiple ethnic background",
        WhiteBritish = "white_british": "White: English, Welsh, Scottish, Northern Irish or British",
        WhiteIrish = "white_irish": "White: Irish",
        WhiteGypsyTraveller = "white_gypsy_traveller": "White: Gypsy or Irish Traveller",
        WhiteRoma = "white_roma": "White: Roma",
        WhiteOther = "white_other": "White: any other White background",
        OtherArab = "other_arab": "Other ethnic group: Arab",
        OtherAny = "other_any": "Other ethnic group: any other ethnic group",
        NotKnown = "not_known": "Not known",
        PreferNotToSay = "prefer_not_to_say": "Prefer not to say",
    }
);

impl Ethnicity {
    /// Black, Asian and minority ethnic (everything except White British),
    /// as MARAC statistics count it; `None` when not known.
    pub fn is_bame(self) -> Option<bool> {
        match self {
            Ethnicity::NotKnown | Ethnicity::PreferNotToSay => None,
            Ethnicity::WhiteBritish => Some(false),
            _ => Some(true),
        }
    }
}

vocabulary!(
    YesNoUnknown {
        Yes = "yes": "Yes",
        No = "no": "No",
        NotKnown = "not_known": "Not known",
        PreferNotToSay = "prefer_not_to_say": "Prefer not to say",
    }
);

vocabulary!(
    Religion {
        NoReligion = "none": "No religion",
        Christian = "christian": "Christian",
        Buddhist = "buddhist": "Buddhist",
        Hindu = "hindu": "Hindu",
        Jewish = "jewish": "Jewish",
        Muslim = "muslim": "Muslim",
        Sikh = "sikh": "Sikh",
        Other = "other": "Any other religion",
        NotKnown = "not_known": "Not known",
        PreferNotToSay = "prefer_not_to_say": "Prefer not to say",
    }
);

vocabulary!(
    MaritalStatus {
        Single = "single": "Single, never married or in a civil partnership",
        Married = "married": "Married or in a civil partnership",
        Separated = "separated": "Separated",
        Divorced = "divorced": "Divorced or civil partnership dissolved",
        Widowed = "widowed": "Widowed or surviving civil partner",
        NotKnown = "not_known": "Not known",
        PreferNotToSay = "prefer_not_to_say": "Prefer not to say",
    }
);

vocabulary!(
    ImmigrationStatus {
        BritishOrIrish = "british_irish": "British or Irish citizen",
        SettledStatus = "settled": "Settled / indefinite leave",
        PreSettled = "pre_settled": "Pre-settled status",
        SpouseVisa = "spouse_visa": "Spouse or partner visa",
        OtherVisa = "other_visa": "Other visa",
        AsylumSeeker = "asylum_seeker": "Asylum seeker",
        Refugee = "refugee": "Refugee status",
        Undocumented = "undocumented": "No current leave",
        NotKnown = "not_known": "Not known",
        PreferNotToSay = "prefer_not_to_say": "Prefer not to say",
    }
);

/// Protected characteristics (Equality Act 2010) and immigration status.
/// Each field may be "not known" or "prefer not to say"; age comes from the
/// date of birth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Characteristics {
    pub gender_identity: GenderIdentity,
    pub sexual_orientation: SexualOrientation,
    pub ethnicity: Ethnicity,
    pub disability: YesNoUnknown,
    pub religion: Religion,
    pub pregnant: YesNoUnknown,
    pub marital_status: MaritalStatus,
    pub immigration_status: ImmigrationStatus,
    /// No recourse to public funds.
    pub nrpf: YesNoUnknown,
}

impl Default for Characteristics {
    fn default() -> Self {
        Self {
            gender_identity: GenderIdentity::NotKnown,
            sexual_orientation: SexualOrientation::NotKnown,
            ethnicity: Ethnicity::NotKnown,
            disability: YesNoUnknown::NotKnown,
            religion: Religion::NotKnown,
            pregnant: YesNoUnknown::NotKnown,
            marital_status: MaritalStatus::NotKnown,
            immigration_status: ImmigrationStatus::NotKnown,
            nrpf: YesNoUnknown::NotKnown,
        }
    }
}

/// A new person as entered at intake, already parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPerson {
    pub given_name: Name,
    pub family_name: Name,
    pub date_of_birth: Option<DateOfBirth>,
    pub sex: Sex,
    pub postcode: Option<Postcode>,
    pub characteristics: Characteristics,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    #[test]
    fn postcodes_normalise_and_reject() {
        assert_eq!(Postcode::parse("p", " so238uj ").unwrap().as_str(), "SO23 8UJ");
        assert_eq!(Postcode::parse("p", "EC1A 1BB").unwrap().as_str(), "EC1A 1BB");
        assert_eq!(Postcode::parse("p", "W1A 0AX").unwrap().as_str(), "W1A 0AX");
        assert_eq!(Postcode::parse("p", "M1 1AE").unwrap().district(), "M1");
        assert_eq!(Postcode::parse("p", "SO23 8UJ").unwrap().sector(), "SO23 8");
        for bad in ["", "12345", "SO23 UJ8", "HELLO", "SO23 8UJX", "S@23 8UJ"] {
            let e = Postcode::parse("person.postcode", bad).unwrap_err();
            assert_eq!(e.field, "person.postcode");
        }
    }

    #[test]
    fn dates_of_birth() {
        assert!(DateOfBirth::parse("dob", "1985-03-02", today()).is_ok());
        assert_eq!(DateOfBirth::parse("dob", "02/03/1985", today()).unwrap().date(), NaiveDate::from_ymd_opt(1985, 3, 2).unwrap());
        assert_eq!(DateOfBirth::parse("dob", "2026-11-26", today()).unwrap_err().message, "must not be in the future");
        assert!(DateOfBirth::parse("dob", "2026-11-25", today()).is_ok());
        assert!(DateOfBirth::parse("dob", "1985-02-30", today()).is_err());
        assert!(DateOfBirth::parse("dob", "", today()).is_err());
        let d = DateOfBirth::parse("dob", "2000-11-26", today()).unwrap();
        assert_eq!(d.age_on(today()), 25);
    }

    #[test]
    fn names() {
        assert_eq!(Name::parse("n", "  Mary  Ann ").unwrap().as_str(), "Mary Ann");
        assert!(Name::parse("n", "O'Brien-Smith").is_ok());
        assert!(Name::parse("n", "Zoë").is_ok());
        assert!(Name::parse("n", "").is_err());
        assert!(Name::parse("n", "<script>").is_err());
        assert!(Name::parse("n", "123").is_err());
    }

    #[test]
    fn phones() {
        assert_eq!(PhoneNumber::parse("t", "07700 900123").unwrap().as_str(), "07700900123");
        assert_eq!(PhoneNumber::parse("t", "+44 7700 900123").unwrap().as_str(), "07700900123");
        assert!(PhoneNumber::parse("t", "12345").is_err());
        assert!(PhoneNumber::parse("t", "+1 555 0100 123").is_err());
        assert!(PhoneNumber::parse("t", "call me").is_err());
    }

    #[test]
    fn vocabularies_round_trip() {
        for e in Ethnicity::ALL {
            assert_eq!(Ethnicity::from_key(e.key()), Some(*e));
        }
        assert_eq!(Sex::parse("sex", "Female").unwrap(), Sex::Female);
        assert!(Sex::parse("sex", "f").unwrap_err().message.contains("female"));
    }

    proptest! {
        #[test]
        fn postcode_parse_never_panics(s in "\\PC{0,12}") {
            let _ = Postcode::parse("p", &s);
        }

        #[test]
        fn valid_postcodes_round_trip(
            a in "[A-Z]{1,2}", d in 1u8..99, i in 0u8..10, z in "[A-Z]{2}"
        ) {
            let raw = format!("{a}{d} {i}{z}");
            let p = Postcode::parse("p", &raw.to_lowercase()).unwrap();
            prop_assert_eq!(p.as_str(), raw.as_str());
            prop_assert_eq!(Postcode::parse("p", p.as_str()).unwrap(), p);
        }

        #[test]
        fn dob_never_in_future(days in -40000i64..40000) {
            let d = today() + chrono::Duration::days(days);
            let r = DateOfBirth::parse("dob", &d.format("%Y-%m-%d").to_string(), today());
            prop_assert_eq!(r.is_ok(), days <= 0 && d.year() >= 1900);
        }

        #[test]
        fn name_parse_never_panics(s in "\\PC{0,120}") {
            let _ = Name::parse("n", &s);
        }
    }
}
