//! The DASH risk identification checklist: 24 risk factors, answered yes /
//! no / not known, scored as the number of "yes" answers.
//!
//! The flow the web and store layers follow:
//!
//! 1. At startup, load the checklist with [`DashChecklist::embedded`] and the
//!    partnership's [`DashThresholds`] from settings (both fail loudly).
//! 2. Deserialize the request into a [`DashSubmission`] and call
//!    [`DashSubmission::assess`]; every problem comes back as a
//!    [`FieldError`] naming `answers.KEY`, `notes.KEY`,
//!    `professional_judgement.level` or `professional_judgement.reason`.
//! 3. Store the resulting [`DashAssessment`]; pass
//!    [`DashAssessment::snapshot`] to [`crate::marac::marac_eligibility`].
//!
//! Rules (seed 004 §2.1 and Appendix 10.1; DESIGN.md "Risk"):
//!
//! * score = number of "yes" answers; missing answers count as "not known";
//! * level by thresholds: score >= `high` → High, >= `medium` → Medium,
//!   otherwise Standard;
//! * professional judgement may **raise** the level, only with a recorded
//!   reason. A judgement *lower* than the score's level is **refused** with a
//!   [`FieldError`] on `professional_judgement.level` rather than silently
//!   ignored, so the worker sees that the checklist outranks them. A
//!   judgement equal to the computed level is accepted, recorded, and changes
//!   nothing;
//! * each child's risk is a separate [`ChildRiskAssessment`] with its own
//!   level and reasons, never derived from the adult's (004 Appendix 2:
//!   "the risk level of the adult victim and the risk level of the child are
//!   not directly correlated").
use crate::error::{FieldError, ValidationErrors};
use crate::risk::RiskLevel;
use crate::vocabulary;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// How many risk factors the checklist has.
pub const FACTOR_COUNT: usize = 24;

/// Longest note on one answer, in characters.
pub const MAX_NOTE_CHARS: usize = 2_000;

/// Longest professional-judgement reason, in characters.
pub const MAX_REASON_CHARS: usize = 4_000;

const FACTORS_TOML: &str = include_str!("../data/dash_factors.toml");

/// Render every field error of a config as one line, for `serde(try_from)`
/// (whose error must be `Display`) and for startup messages.
pub(crate) fn config_error(e: &ValidationErrors) -> String {
    e.errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

/// One risk factor: a stable key (API and database) and a short label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DashFactor {
    /// Position on the published 24-question checklist (1–24).
    pub number: u8,
    pub key: String,
    pub label: String,
}

/// The checklist: its 24 factors, in order, and where they come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DashChecklist {
    pub version: String,
    pub source: String,
    #[serde(rename = "factor")]
    pub factors: Vec<DashFactor>,
}

/// The embedded data file could not be read (a build defect, caught by the
/// unit tests; reported at startup rather than panicking).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("data file {file} is invalid: {message}")]
pub struct DataFileError {
    pub file: &'static str,
    pub message: String,
}

impl DashChecklist {
    /// The checklist compiled into the binary from `data/dash_factors.toml`.
    /// Call once at startup and keep the reference.
    pub fn embedded() -> Result<&'static DashChecklist, DataFileError> {
        static CELL: OnceLock<Result<DashChecklist, DataFileError>> = OnceLock::new();
        CELL.get_or_init(|| Self::from_toml(FACTORS_TOML)).as_ref().map_err(Clone::clone)
    }

    /// Parse and check a checklist: exactly 24 factors numbered 1–24 in
    /// order, unique snake_case keys, non-empty labels.
    pub fn from_toml(text: &str) -> Result<DashChecklist, DataFileError> {
        let err = |message: String| DataFileError { file: "dash_factors.toml", message };
        let c: DashChecklist = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        if c.factors.len() != FACTOR_COUNT {
            return Err(err(format!("has {} factors, expected {FACTOR_COUNT}", c.factors.len())));
        }
        let mut seen = BTreeSet::new();
        for (i, f) in c.factors.iter().enumerate() {
            if usize::from(f.number) != i + 1 {
                return Err(err(format!("factor {} is numbered {}", i + 1, f.number)));
            }
            let snake = !f.key.is_empty()
                && f.key.starts_with(|c: char| c.is_ascii_lowercase())
                && f.key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !snake {
                return Err(err(format!("key {:?} is not snake_case", f.key)));
            }
            if !seen.insert(f.key.as_str()) {
                return Err(err(format!("key {:?} appears twice", f.key)));
            }
            if f.label.trim().is_empty() {
                return Err(err(format!("factor {} has no label", f.key)));
            }
        }
        Ok(c)
    }

    /// The factor with this key, if any.
    pub fn factor(&self, key: &str) -> Option<&DashFactor> {
        self.factors.iter().find(|f| f.key == key)
    }

    /// `(key, label)` pairs in checklist order, for `GET /api/v1/dash/factors`.
    pub fn keys_and_labels(&self) -> impl Iterator<Item = (&str, &str)> {
        self.factors.iter().map(|f| (f.key.as_str(), f.label.as_str()))
    }
}

vocabulary!(
    /// The answer to one risk factor.
    DashAnswer {
        Yes = "yes": "Yes",
        No = "no": "No",
        NotKnown = "not_known": "Not known",
    }
);

/// One factor's answer and an optional note (what the victim said).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FactorAnswer {
    pub answer: DashAnswer,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// A complete, checked set of answers: every key belongs to the checklist,
/// and every factor has an answer (missing ones are "not known").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DashAnswers(BTreeMap<String, FactorAnswer>);

impl DashAnswers {
    /// Parse raw answers (`key → "yes" | "no" | "not_known"`; labels such as
    /// "Not known" are accepted too) and optional notes (`key → text`).
    ///
    /// Errors name `answers.KEY` for an unknown key or value and `notes.KEY`
    /// for a note on an unknown key or one that is too long. A missing or
    /// blank answer counts as "not known".
    pub fn parse(
        checklist: &DashChecklist,
        answers: &BTreeMap<String, String>,
        notes: &BTreeMap<String, String>,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let mut map = Self::all_not_known(checklist);
        for (key, raw) in answers {
            let field = format!("answers.{key}");
            let Some(slot) = map.get_mut(key.as_str()) else {
                errs.push(FieldError::new(field, "is not a DASH risk factor"));
                continue;
            };
            if raw.trim().is_empty() {
                continue;
            }
            if let Some(a) = errs.take(DashAnswer::parse(&field, raw)) {
                slot.answer = a;
            }
        }
        for (key, raw) in notes {
            let field = format!("notes.{key}");
            let Some(slot) = map.get_mut(key.as_str()) else {
                errs.push(FieldError::new(field, "is not a DASH risk factor"));
                continue;
            };
            let t = raw.trim();
            if t.chars().count() > MAX_NOTE_CHARS {
                errs.push(FieldError::new(field, format!("must be {MAX_NOTE_CHARS} characters or fewer")));
            } else if !t.is_empty() {
                slot.notes = Some(t.to_string());
            }
        }
        if errs.is_empty() { Ok(Self(map)) } else { Err(errs) }
    }

    /// Build from typed answers (synthetic data, imports, tests). Unknown
    /// keys are refused with `answers.KEY`; missing keys are "not known".
    pub fn from_answers<'a>(
        checklist: &DashChecklist,
        answers: impl IntoIterator<Item = (&'a str, DashAnswer)>,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let mut map = Self::all_not_known(checklist);
        for (key, a) in answers {
            match map.get_mut(key) {
                Some(slot) => slot.answer = a,
                None => errs.push(FieldError::new(format!("answers.{key}"), "is not a DASH risk factor")),
            }
        }
        if errs.is_empty() { Ok(Self(map)) } else { Err(errs) }
    }

    /// The first `n` factors (in checklist order) answered yes, the rest no.
    /// For tests and synthetic data. `n` above 24 is treated as 24.
    pub fn first_n_yes(checklist: &DashChecklist, n: usize) -> Self {
        let mut map = Self::all_not_known(checklist);
        for (i, f) in checklist.factors.iter().enumerate() {
            if let Some(slot) = map.get_mut(f.key.as_str()) {
                slot.answer = if i < n { DashAnswer::Yes } else { DashAnswer::No };
            }
        }
        Self(map)
    }

    fn all_not_known(checklist: &DashChecklist) -> BTreeMap<String, FactorAnswer> {
        checklist.factors.iter().map(|f| (f.key.clone(), FactorAnswer { answer: DashAnswer::NotKnown, notes: None })).collect()
    }

    /// The answer to one factor (`NotKnown` for a key not on the checklist).
    pub fn answer(&self, key: &str) -> DashAnswer {
        self.0.get(key).map_or(DashAnswer::NotKnown, |a| a.answer)
    }

    /// Every factor's answer and note, by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &FactorAnswer)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    fn count(&self, which: DashAnswer) -> u8 {
        // At most 24 entries, so the count always fits.
        u8::try_from(self.0.values().filter(|a| a.answer == which).count()).unwrap_or(u8::MAX)
    }

    /// The DASH score: the number of "yes" answers.
    pub fn score(&self) -> u8 {
        self.count(DashAnswer::Yes)
    }

    /// How many factors are "not known" (the score may understate risk).
    pub fn not_known(&self) -> u8 {
        self.count(DashAnswer::NotKnown)
    }

    /// Keys answered "yes", in key order.
    pub fn yes_keys(&self) -> Vec<&str> {
        self.0.iter().filter(|(_, a)| a.answer == DashAnswer::Yes).map(|(k, _)| k.as_str()).collect()
    }
}

/// The score thresholds for each level; configuration, not code.
///
/// Defaults are the seeds' (004 §2.1 Table 1 and Appendix 10.1): 14+ "yes"
/// is high ("visible high risk"), 8–13 medium. Areas set their own medium
/// band (Stevenage used 10–13). Invariant: `1 <= medium <= high <= 24`.
///
/// In settings (TOML): `[dash]` `high = 14` `medium = 8`; unknown keys are
/// rejected and an invalid pair fails deserialization with a message naming
/// the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawDashThresholds")]
pub struct DashThresholds {
    high: u8,
    medium: u8,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawDashThresholds {
    high: u8,
    medium: u8,
}

impl Default for RawDashThresholds {
    fn default() -> Self {
        Self { high: 14, medium: 8 }
    }
}

impl TryFrom<RawDashThresholds> for DashThresholds {
    type Error = String;
    fn try_from(r: RawDashThresholds) -> Result<Self, String> {
        Self::new(r.high, r.medium).map_err(|e| config_error(&e))
    }
}

impl Default for DashThresholds {
    fn default() -> Self {
        Self { high: 14, medium: 8 }
    }
}

impl DashThresholds {
    /// Errors name `high` or `medium`.
    pub fn new(high: u8, medium: u8) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let max = FACTOR_COUNT as u8;
        if high == 0 || high > max {
            errs.push(FieldError::new("high", format!("must be between 1 and {max}")));
        }
        if medium == 0 {
            errs.push(FieldError::new("medium", "must be at least 1"));
        } else if medium > high {
            errs.push(FieldError::new("medium", format!("must not be above the high threshold ({high})")));
        }
        if errs.is_empty() { Ok(Self { high, medium }) } else { Err(errs) }
    }
    pub fn high(&self) -> u8 {
        self.high
    }
    pub fn medium(&self) -> u8 {
        self.medium
    }
    /// The level a score gives on its own.
    pub fn level(&self, score: u8) -> RiskLevel {
        if score >= self.high {
            RiskLevel::High
        } else if score >= self.medium {
            RiskLevel::Medium
        } else {
            RiskLevel::Standard
        }
    }
    /// The band a level covers, for explanations: "14+", "8–13", "below 8".
    pub fn band(&self, level: RiskLevel) -> String {
        match level {
            RiskLevel::High => format!("{}+", self.high),
            RiskLevel::Medium if self.medium + 1 >= self.high => format!("{}", self.medium),
            RiskLevel::Medium => format!("{}–{}", self.medium, self.high - 1),
            RiskLevel::Standard => format!("below {}", self.medium),
        }
    }
}

/// A practitioner's judgement of the level, with the reason for it. It can
/// only be built with a non-empty reason, so "judgement without a reason"
/// cannot reach [`assess`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfessionalJudgement {
    level: RiskLevel,
    reason: String,
}

impl ProfessionalJudgement {
    /// Errors name `professional_judgement.level` and
    /// `professional_judgement.reason` (required, at most 4,000 characters).
    pub fn parse(level: &str, reason: Option<&str>) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let level = if level.trim().is_empty() {
            errs.push(FieldError::new("professional_judgement.level", "is required"));
            None
        } else {
            errs.take(RiskLevel::parse("professional_judgement.level", level))
        };
        let reason = reason.map(str::trim).unwrap_or("");
        if reason.is_empty() {
            errs.push(FieldError::new(
                "professional_judgement.reason",
                "is required: record why your professional judgement sets this level",
            ));
        } else if reason.chars().count() > MAX_REASON_CHARS {
            errs.push(FieldError::new("professional_judgement.reason", format!("must be {MAX_REASON_CHARS} characters or fewer")));
        }
        match level {
            Some(level) if errs.is_empty() => Ok(Self { level, reason: reason.to_string() }),
            _ => Err(errs),
        }
    }
    pub fn level(&self) -> RiskLevel {
        self.level
    }
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// The outcome of one DASH assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DashAssessment {
    pub answers: DashAnswers,
    /// Number of "yes" answers.
    pub score: u8,
    /// Number of "not known" answers.
    pub not_known: u8,
    /// The level the score gives on its own.
    pub computed_level: RiskLevel,
    /// The level after professional judgement (never below `computed_level`).
    pub level: RiskLevel,
    /// True when judgement raised the level above the score's.
    pub raised_by_judgement: bool,
    pub judgement: Option<ProfessionalJudgement>,
    pub thresholds: DashThresholds,
    /// Plain-English explanation, one line each, for the UI and API.
    pub reasons: Vec<String>,
}

/// What MARAC eligibility needs from the latest assessment; build it with
/// [`DashAssessment::snapshot`] or from stored columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskSnapshot {
    pub score: u8,
    pub level: RiskLevel,
    pub raised_by_judgement: bool,
}

impl DashAssessment {
    pub fn snapshot(&self) -> RiskSnapshot {
        RiskSnapshot { score: self.score, level: self.level, raised_by_judgement: self.raised_by_judgement }
    }
}

/// Score the answers and apply any professional judgement.
///
/// Refuses (with a [`FieldError`] on `professional_judgement.level`) a
/// judgement below the level the score gives.
pub fn assess(
    answers: &DashAnswers,
    judgement: Option<ProfessionalJudgement>,
    thresholds: &DashThresholds,
) -> Result<DashAssessment, FieldError> {
    let score = answers.score();
    let not_known = answers.not_known();
    let computed = thresholds.level(score);
    let mut reasons =
        vec![format!("DASH score {score} of {FACTOR_COUNT}: {} risk ({})", computed.label().to_lowercase(), thresholds.band(computed))];
    let (level, raised) = match &judgement {
        Some(j) if j.level < computed => {
            return Err(FieldError::new(
                "professional_judgement.level",
                format!(
                    "cannot lower the risk level: a score of {score} gives {} risk; professional judgement may only raise it",
                    computed.label().to_lowercase()
                ),
            ));
        }
        Some(j) if j.level > computed => {
            reasons.push(format!("Raised to {} risk by professional judgement: {}", j.level.label().to_lowercase(), j.reason));
            (j.level, true)
        }
        Some(j) => {
            reasons.push(format!("Professional judgement agrees ({} risk): {}", j.level.label().to_lowercase(), j.reason));
            (computed, false)
        }
        None => (computed, false),
    };
    if not_known > 0 {
        reasons.push(format!(
            "{not_known} factor{} not known: the score may understate the risk",
            if not_known == 1 { " is" } else { "s are" }
        ));
    }
    Ok(DashAssessment {
        answers: answers.clone(),
        score,
        not_known,
        computed_level: computed,
        level,
        raised_by_judgement: raised,
        judgement,
        thresholds: *thresholds,
        reasons,
    })
}

/// A professional judgement as submitted (API or form), before parsing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJudgement {
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub reason: Option<String>,
}

impl RawJudgement {
    /// A form that sends an empty judgement block means "no judgement".
    pub fn is_blank(&self) -> bool {
        self.level.trim().is_empty() && self.reason.as_deref().is_none_or(|r| r.trim().is_empty())
    }
}

/// The body of `POST /api/v1/people/{id}/dash`:
/// `{answers: {KEY: "yes"|"no"|"not_known"}, notes?: {KEY: text},
/// professional_judgement?: {level, reason}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DashSubmission {
    #[serde(default)]
    pub answers: BTreeMap<String, String>,
    #[serde(default)]
    pub notes: BTreeMap<String, String>,
    #[serde(default)]
    pub professional_judgement: Option<RawJudgement>,
}

impl DashSubmission {
    /// Parse everything and assess, reporting every problem at once.
    pub fn assess(&self, checklist: &DashChecklist, thresholds: &DashThresholds) -> Result<DashAssessment, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let answers = match DashAnswers::parse(checklist, &self.answers, &self.notes) {
            Ok(a) => Some(a),
            Err(e) => {
                errs.errors.extend(e.errors);
                None
            }
        };
        let judgement = match &self.professional_judgement {
            Some(raw) if !raw.is_blank() => match ProfessionalJudgement::parse(&raw.level, raw.reason.as_deref()) {
                Ok(j) => Some(j),
                Err(e) => {
                    errs.errors.extend(e.errors);
                    None
                }
            },
            _ => None,
        };
        let Some(answers) = answers else {
            return Err(errs);
        };
        if !errs.is_empty() {
            return Err(errs);
        }
        assess(&answers, judgement, thresholds).map_err(|e| ValidationErrors { errors: vec![e] })
    }
}

vocabulary!(
    /// Why a child may be at risk in their own right (004 Appendix 2: a
    /// child can be at high risk through their own vulnerabilities even when
    /// the adult victim is standard risk, and siblings can differ).
    ChildRiskIndicator {
        WitnessedAbuse = "witnessed_abuse": "Saw or heard the abuse",
        DirectlyHarmed = "directly_harmed": "Directly harmed or threatened by the abuser",
        UnderFive = "under_five": "Aged under 5",
        Unborn = "unborn": "Unborn (the victim is pregnant)",
        DisabilityOrSend = "disability_or_send": "Disability or special educational needs",
        ProtectionPlan = "protection_plan": "Child protection plan or section 47 enquiry",
        ChildInNeed = "child_in_need": "Child in need (section 17)",
        EmotionalImpact = "emotional_impact": "Showing emotional or behavioural impact",
        SelfHarm = "self_harm": "Self-harm or thoughts of suicide",
        MissingOrExploited = "missing_or_exploited": "Going missing or at risk of exploitation",
        OwnRelationshipAbuse = "own_relationship_abuse": "Abuse in their own relationship",
        CaringRole = "caring_role": "Young carer",
    }
);

/// One child's own risk: its level and reasons, recorded separately from the
/// adult victim's and never derived from it (there is deliberately no
/// constructor that takes the adult's assessment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChildRiskAssessment {
    level: RiskLevel,
    indicators: Vec<ChildRiskIndicator>,
    reason: Option<String>,
}

impl ChildRiskAssessment {
    /// `prefix` names the child in errors, e.g. `children[0]`, giving fields
    /// `children[0].level`, `children[0].indicators`, `children[0].reason`.
    /// A reason is required for medium and high risk (it is a judgement, not
    /// a score); indicators are optional and de-duplicated.
    pub fn parse(prefix: &str, level: &str, indicators: &[String], reason: &str) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let level_field = format!("{prefix}.level");
        let level = if level.trim().is_empty() {
            errs.push(FieldError::new(&level_field, "is required"));
            None
        } else {
            errs.take(RiskLevel::parse(&level_field, level))
        };
        let mut inds: Vec<ChildRiskIndicator> = Vec::new();
        for raw in indicators.iter().filter(|r| !r.trim().is_empty()) {
            let parsed = errs.take(ChildRiskIndicator::parse(&format!("{prefix}.indicators"), raw));
            if let Some(i) = parsed.filter(|i| !inds.contains(i)) {
                inds.push(i);
            }
        }
        let reason = reason.trim();
        let reason_field = format!("{prefix}.reason");
        if reason.chars().count() > MAX_REASON_CHARS {
            errs.push(FieldError::new(&reason_field, format!("must be {MAX_REASON_CHARS} characters or fewer")));
        }
        if reason.is_empty() && matches!(level, Some(RiskLevel::Medium | RiskLevel::High)) {
            errs.push(FieldError::new(&reason_field, "is required for medium or high risk: record why"));
        }
        match level {
            Some(level) if errs.is_empty() => {
                Ok(Self { level, indicators: inds, reason: (!reason.is_empty()).then(|| reason.to_string()) })
            }
            _ => Err(errs),
        }
    }
    pub fn level(&self) -> RiskLevel {
        self.level
    }
    pub fn indicators(&self) -> &[ChildRiskIndicator] {
        &self.indicators
    }
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }
    /// Plain-English reasons for the UI: the recorded reason, then each
    /// indicator's label.
    pub fn reasons(&self) -> Vec<String> {
        self.reason.iter().cloned().chain(self.indicators.iter().map(|i| i.label().to_string())).collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn checklist() -> &'static DashChecklist {
        DashChecklist::embedded().unwrap()
    }

    fn raw(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn embedded_checklist_has_24_unique_factors() {
        let c = checklist();
        assert_eq!(c.factors.len(), 24);
        assert_eq!(c.keys_and_labels().count(), 24);
        assert!(c.source.contains("004"));
        assert!(c.factor("strangulation").is_some());
        assert!(c.factor("nope").is_none());
    }

    #[test]
    fn checklist_validation_rejects_bad_files() {
        let good = FACTORS_TOML;
        let dup = good.replace("key = \"very_frightened\"", "key = \"current_injury\"");
        assert!(DashChecklist::from_toml(&dup).unwrap_err().message.contains("twice"));
        let bad_key = good.replace("key = \"very_frightened\"", "key = \"Very Frightened\"");
        assert!(DashChecklist::from_toml(&bad_key).is_err());
        let renumbered = good.replace("number = 2\n", "number = 7\n");
        assert!(DashChecklist::from_toml(&renumbered).is_err());
        assert!(DashChecklist::from_toml("version = \"x\"\nsource = \"y\"\n").is_err());
        let extra = format!("{good}\n[[factor]]\nnumber = 25\nkey = \"extra\"\nlabel = \"x\"\n");
        assert!(DashChecklist::from_toml(&extra).unwrap_err().message.contains("25 factors"));
    }

    #[test]
    fn thresholds_default_and_validate() {
        let t = DashThresholds::default();
        assert_eq!((t.high(), t.medium()), (14, 8));
        assert_eq!(t.level(14), RiskLevel::High);
        assert_eq!(t.level(13), RiskLevel::Medium);
        assert_eq!(t.level(8), RiskLevel::Medium);
        assert_eq!(t.level(7), RiskLevel::Standard);
        assert_eq!(t.band(RiskLevel::Medium), "8–13");
        assert!(DashThresholds::new(24, 24).is_ok());
        assert_eq!(DashThresholds::new(25, 8).unwrap_err().errors[0].field, "high");
        assert_eq!(DashThresholds::new(10, 11).unwrap_err().errors[0].field, "medium");
        assert_eq!(DashThresholds::new(10, 0).unwrap_err().errors[0].field, "medium");
        assert_eq!(DashThresholds::new(0, 0).unwrap_err().errors.len(), 2);
    }

    #[test]
    fn thresholds_from_config() {
        let t: DashThresholds = toml::from_str("high = 14\nmedium = 10").unwrap();
        assert_eq!(t.medium(), 10);
        let t: DashThresholds = toml::from_str("").unwrap();
        assert_eq!(t, DashThresholds::default());
        let e = toml::from_str::<DashThresholds>("high = 14\nmedum = 10").unwrap_err();
        assert!(e.to_string().contains("medum"));
        let e = toml::from_str::<DashThresholds>("high = 12\nmedium = 13").unwrap_err();
        assert!(e.to_string().contains("medium: must not be above"), "{e}");
        let json = serde_json::to_string(&DashThresholds::default()).unwrap();
        assert_eq!(json, r#"{"high":14,"medium":8}"#);
    }

    #[test]
    fn fourteen_yes_is_high_thirteen_medium() {
        let t = DashThresholds::default();
        let a = assess(&DashAnswers::first_n_yes(checklist(), 14), None, &t).unwrap();
        assert_eq!((a.score, a.level, a.raised_by_judgement), (14, RiskLevel::High, false));
        assert!(a.reasons[0].starts_with("DASH score 14 of 24: high risk"));
        let a = assess(&DashAnswers::first_n_yes(checklist(), 13), None, &t).unwrap();
        assert_eq!((a.score, a.level), (13, RiskLevel::Medium));
        let a = assess(&DashAnswers::first_n_yes(checklist(), 7), None, &t).unwrap();
        assert_eq!(a.level, RiskLevel::Standard);
    }

    #[test]
    fn parse_answers_names_fields_and_defaults_missing_to_not_known() {
        let c = checklist();
        let a = DashAnswers::parse(
            c,
            &raw(&[("current_injury", "yes"), ("isolated", "Not known"), ("strangulation", " ")]),
            &raw(&[("current_injury", " bruised arm ")]),
        )
        .unwrap();
        assert_eq!(a.score(), 1);
        assert_eq!(a.not_known(), 23);
        assert_eq!(a.answer("strangulation"), DashAnswer::NotKnown);
        assert_eq!(a.iter().find(|(k, _)| *k == "current_injury").unwrap().1.notes.as_deref(), Some("bruised arm"));
        let e = DashAnswers::parse(c, &raw(&[("made_up", "yes"), ("isolated", "maybe")]), &raw(&[("other", "x")])).unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["answers.isolated", "answers.made_up", "notes.other"]);
        assert!(e.for_field("answers.isolated").unwrap().contains("yes, no, not_known"));
        let long = "x".repeat(MAX_NOTE_CHARS + 1);
        let e = DashAnswers::parse(c, &raw(&[]), &raw(&[("isolated", &long)])).unwrap_err();
        assert_eq!(e.errors[0].field, "notes.isolated");
    }

    #[test]
    fn judgement_without_reason_is_refused() {
        for reason in [None, Some(""), Some("   ")] {
            let e = ProfessionalJudgement::parse("high", reason).unwrap_err();
            assert_eq!(e.errors.len(), 1);
            assert_eq!(e.errors[0].field, "professional_judgement.reason");
        }
        let e = ProfessionalJudgement::parse("very high", Some("x")).unwrap_err();
        assert_eq!(e.errors[0].field, "professional_judgement.level");
        let e = ProfessionalJudgement::parse("", None).unwrap_err();
        assert_eq!(e.errors.len(), 2);
    }

    #[test]
    fn judgement_raises_but_never_lowers() {
        let t = DashThresholds::default();
        let c = checklist();
        let j = ProfessionalJudgement::parse("high", Some("Recent strangulation; perpetrator released")).unwrap();
        let a = assess(&DashAnswers::first_n_yes(c, 5), Some(j), &t).unwrap();
        assert_eq!((a.computed_level, a.level, a.raised_by_judgement), (RiskLevel::Standard, RiskLevel::High, true));
        assert!(a.reasons[1].starts_with("Raised to high risk by professional judgement: Recent"));
        assert_eq!(a.snapshot(), RiskSnapshot { score: 5, level: RiskLevel::High, raised_by_judgement: true });

        let j = ProfessionalJudgement::parse("medium", Some("worker thinks it is calmer")).unwrap();
        let e = assess(&DashAnswers::first_n_yes(c, 15), Some(j), &t).unwrap_err();
        assert_eq!(e.field, "professional_judgement.level");
        assert!(e.message.contains("cannot lower"));

        let j = ProfessionalJudgement::parse("High", Some("agree")).unwrap();
        let a = assess(&DashAnswers::first_n_yes(c, 15), Some(j), &t).unwrap();
        assert_eq!((a.level, a.raised_by_judgement), (RiskLevel::High, false));
        assert!(a.judgement.is_some());
    }

    #[test]
    fn submission_reports_every_problem() {
        let c = checklist();
        let t = DashThresholds::default();
        let body = r#"{"answers":{"current_injury":"yes","bogus":"yes"},"professional_judgement":{"level":"high"}}"#;
        let s: DashSubmission = serde_json::from_str(body).unwrap();
        let e = s.assess(c, &t).unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["answers.bogus", "professional_judgement.reason"]);

        let body = r#"{"answers":{"current_injury":"yes"},"professional_judgement":{"level":"","reason":""}}"#;
        let s: DashSubmission = serde_json::from_str(body).unwrap();
        assert_eq!(s.assess(c, &t).unwrap().score, 1);

        let mut answers = BTreeMap::new();
        for f in c.factors.iter().take(14) {
            answers.insert(f.key.clone(), "yes".to_string());
        }
        let s = DashSubmission { answers, ..Default::default() };
        let a = s.assess(c, &t).unwrap();
        assert_eq!((a.score, a.level), (14, RiskLevel::High));

        assert!(serde_json::from_str::<DashSubmission>(r#"{"answer":{}}"#).is_err());
    }

    #[test]
    fn not_known_is_explained() {
        let a = assess(
            &DashAnswers::from_answers(checklist(), [("current_injury", DashAnswer::Yes)]).unwrap(),
            None,
            &DashThresholds::default(),
        )
        .unwrap();
        assert_eq!(a.not_known, 23);
        assert!(a.reasons.last().unwrap().starts_with("23 factors are not known"));
        assert!(DashAnswers::from_answers(checklist(), [("x", DashAnswer::Yes)]).is_err());
    }

    #[test]
    fn child_risk_is_its_own() {
        let c = ChildRiskAssessment::parse(
            "children[0]",
            "high",
            &["under_five".into(), "witnessed_abuse".into(), "under_five".into()],
            "Baby present during strangulation",
        )
        .unwrap();
        assert_eq!(c.level(), RiskLevel::High);
        assert_eq!(c.indicators().len(), 2);
        assert_eq!(c.reasons().len(), 3);
        let e = ChildRiskAssessment::parse("children[1]", "medium", &[], " ").unwrap_err();
        assert_eq!(e.errors[0].field, "children[1].reason");
        let e = ChildRiskAssessment::parse("children[1]", "", &["nope".into()], "").unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["children[1].level", "children[1].indicators"]);
        let s = ChildRiskAssessment::parse("children[2]", "standard", &[], "").unwrap();
        assert!(s.reasons().is_empty());
    }

    fn answers_strategy() -> impl Strategy<Value = Vec<DashAnswer>> {
        proptest::collection::vec(prop_oneof![Just(DashAnswer::Yes), Just(DashAnswer::No), Just(DashAnswer::NotKnown)], 24)
    }

    fn build(v: &[DashAnswer]) -> DashAnswers {
        let c = checklist();
        DashAnswers::from_answers(c, c.factors.iter().zip(v).map(|(f, a)| (f.key.as_str(), *a))).unwrap()
    }

    fn thresholds_strategy() -> impl Strategy<Value = DashThresholds> {
        (1u8..=24).prop_flat_map(|h| (Just(h), 1u8..=h)).prop_map(|(h, m)| DashThresholds::new(h, m).unwrap())
    }

    proptest! {
        #[test]
        fn score_is_count_of_yes(v in answers_strategy(), t in thresholds_strategy()) {
            let yes = v.iter().filter(|a| **a == DashAnswer::Yes).count();
            let a = assess(&build(&v), None, &t).unwrap();
            prop_assert_eq!(usize::from(a.score), yes);
            prop_assert_eq!(a.level, t.level(a.score));
            prop_assert_eq!(usize::from(a.not_known), v.iter().filter(|a| **a == DashAnswer::NotKnown).count());
        }

        #[test]
        fn level_is_monotonic_in_score(s1 in 0u8..=24, s2 in 0u8..=24, t in thresholds_strategy()) {
            let (lo, hi) = (s1.min(s2), s1.max(s2));
            prop_assert!(t.level(lo) <= t.level(hi));
        }

        #[test]
        fn adding_a_yes_never_lowers_the_level(v in answers_strategy(), i in 0usize..24) {
            let t = DashThresholds::default();
            let before = assess(&build(&v), None, &t).unwrap().level;
            let mut v2 = v.clone();
            v2[i] = DashAnswer::Yes;
            prop_assert!(assess(&build(&v2), None, &t).unwrap().level >= before);
        }

        #[test]
        fn judgement_never_lowers(v in answers_strategy(), t in thresholds_strategy(), lvl in 0usize..3) {
            let level = RiskLevel::ALL[lvl];
            let j = ProfessionalJudgement::parse(level.key(), Some("reason")).unwrap();
            let answers = build(&v);
            let computed = t.level(answers.score());
            match assess(&answers, Some(j), &t) {
                Ok(a) => {
                    prop_assert!(a.level >= a.computed_level);
                    prop_assert_eq!(a.level, computed.max(level));
                    prop_assert_eq!(a.raised_by_judgement, level > computed);
                }
                Err(e) => {
                    prop_assert!(level < computed);
                    prop_assert_eq!(e.field, "professional_judgement.level");
                }
            }
        }

        #[test]
        fn parse_never_panics(k in "\\PC{0,20}", v in "\\PC{0,12}") {
            let _ = DashAnswers::parse(checklist(), &raw(&[(&k, &v)]), &raw(&[(&k, &v)]));
        }
    }
}
