//! The front door's triage queue: order, waiting time, first-contact due
//! times over working days, and contact attempts.
//!
//! * **Order** ([`triage_queue`]): highest risk first, then oldest referral
//!   first, then referral id (so the order is total and stable). A referral
//!   with no risk assessment yet is ranked and timed as
//!   [`TriagePolicy::unassessed_as`] (default High: the first contact *is*
//!   the risk assessment, and survivors in seed 004 Appendix 1 ask to be
//!   contacted rather than left to call back).
//! * **Due time** ([`first_contact_due`]), configurable per level in working
//!   days (defaults: high 1, medium 3, standard 5). Working days are Monday
//!   to Friday, minus any bank holidays given in the [`WorkingCalendar`].
//!   The clock starts when the referral arrives if that is on a working day,
//!   otherwise at `day_start` (09:00) on the next working day; the due time
//!   is the same time of day N working days later. Examples (high, 1 day):
//!   Monday 10:00 → Tuesday 10:00; Friday 15:00 → Monday 15:00; Saturday
//!   11:00 → Tuesday 09:00 (clock starts Monday 09:00); Friday 15:00 before
//!   a bank-holiday Monday → Tuesday 15:00.
//! * **Overdue**: not yet contacted and `now > due` (exactly at the due time
//!   is not overdue). A contact made after the due time is "contacted late".
use crate::dash::config_error;
use crate::error::{FieldError, ValidationErrors};
use crate::ids::ReferralId;
use crate::referral::SafeContact;
use crate::risk::RiskLevel;
use crate::vocabulary;
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// Which days count as working days: Monday–Friday, except bank holidays.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingCalendar {
    bank_holidays: BTreeSet<NaiveDate>,
}

impl WorkingCalendar {
    /// Monday to Friday, no holidays.
    pub fn weekdays() -> Self {
        Self::default()
    }
    /// Monday to Friday, minus these bank holidays (weekend dates are
    /// harmless).
    pub fn with_bank_holidays(holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self { bank_holidays: holidays.into_iter().collect() }
    }
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.bank_holidays.contains(&d)
    }
    /// The first working day strictly after `d`.
    pub fn next_working_day(&self, d: NaiveDate) -> NaiveDate {
        let mut x = d;
        // At most a few weeks of holidays in a row; bounded to stay total.
        for _ in 0..400 {
            match x.succ_opt() {
                Some(n) => x = n,
                None => return x,
            }
            if self.is_working_day(x) {
                return x;
            }
        }
        x
    }
    /// `d` moved forward by `n` working days (`n = 0` gives `d`).
    pub fn add_working_days(&self, d: NaiveDate, n: u32) -> NaiveDate {
        (0..n).fold(d, |x, _| self.next_working_day(x))
    }
    /// Working days from `from` (exclusive) to `to` (inclusive); 0 if `to <= from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        from.iter_days().skip(1).take_while(|d| *d <= to).filter(|d| self.is_working_day(*d)).count().try_into().unwrap_or(u32::MAX)
    }
}

/// First-contact targets; configuration.
///
/// ```toml
/// [triage]
/// high_working_days = 1
/// medium_working_days = 3
/// standard_working_days = 5
/// unassessed_as = "high"
/// day_start = "09:00"
/// ```
/// Invariant: `high <= medium <= standard` (higher risk never waits
/// longer), each 0–30.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawTriagePolicy")]
pub struct TriagePolicy {
    high_working_days: u32,
    medium_working_days: u32,
    standard_working_days: u32,
    unassessed_as: RiskLevel,
    day_start: NaiveTime,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawTriagePolicy {
    high_working_days: u32,
    medium_working_days: u32,
    standard_working_days: u32,
    unassessed_as: RiskLevel,
    day_start: String,
}

impl Default for RawTriagePolicy {
    fn default() -> Self {
        let d = TriagePolicy::default();
        Self {
            high_working_days: d.high_working_days,
            medium_working_days: d.medium_working_days,
            standard_working_days: d.standard_working_days,
            unassessed_as: d.unassessed_as,
            day_start: d.day_start.format("%H:%M").to_string(),
        }
    }
}

impl TryFrom<RawTriagePolicy> for TriagePolicy {
    type Error = String;
    fn try_from(r: RawTriagePolicy) -> Result<Self, String> {
        let t = r.day_start.trim();
        let day_start = NaiveTime::parse_from_str(t, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S"))
            .map_err(|_| "day_start: must be a time as HH:MM, such as 09:00".to_string())?;
        Self::new(r.high_working_days, r.medium_working_days, r.standard_working_days, r.unassessed_as, day_start)
            .map_err(|e| config_error(&e))
    }
}

const NINE_AM: NaiveTime = match NaiveTime::from_hms_opt(9, 0, 0) {
    Some(t) => t,
    None => NaiveTime::MIN,
};

impl Default for TriagePolicy {
    fn default() -> Self {
        Self { high_working_days: 1, medium_working_days: 3, standard_working_days: 5, unassessed_as: RiskLevel::High, day_start: NINE_AM }
    }
}

impl TriagePolicy {
    /// Errors name the field.
    pub fn new(
        high_working_days: u32,
        medium_working_days: u32,
        standard_working_days: u32,
        unassessed_as: RiskLevel,
        day_start: NaiveTime,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        for (field, v) in [
            ("high_working_days", high_working_days),
            ("medium_working_days", medium_working_days),
            ("standard_working_days", standard_working_days),
        ] {
            if v > 30 {
                errs.push(FieldError::new(field, "must be 30 working days or fewer"));
            }
        }
        if medium_working_days < high_working_days {
            errs.push(FieldError::new("medium_working_days", "must not be shorter than the high-risk target"));
        }
        if standard_working_days < medium_working_days {
            errs.push(FieldError::new("standard_working_days", "must not be shorter than the medium-risk target"));
        }
        if errs.is_empty() {
            Ok(Self { high_working_days, medium_working_days, standard_working_days, unassessed_as, day_start })
        } else {
            Err(errs)
        }
    }
    /// Working days allowed before first contact at this level.
    pub fn working_days(&self, risk: RiskLevel) -> u32 {
        match risk {
            RiskLevel::High => self.high_working_days,
            RiskLevel::Medium => self.medium_working_days,
            RiskLevel::Standard => self.standard_working_days,
        }
    }
    /// The level an unassessed referral is treated as.
    pub fn unassessed_as(&self) -> RiskLevel {
        self.unassessed_as
    }
    pub fn day_start(&self) -> NaiveTime {
        self.day_start
    }
    /// The level used for ordering and timing.
    pub fn effective_risk(&self, risk: Option<RiskLevel>) -> RiskLevel {
        risk.unwrap_or(self.unassessed_as)
    }
}

/// When first contact is due. See the module docs for the rule.
pub fn first_contact_due(
    received_at: NaiveDateTime,
    risk: Option<RiskLevel>,
    policy: &TriagePolicy,
    calendar: &WorkingCalendar,
) -> NaiveDateTime {
    let start = if calendar.is_working_day(received_at.date()) {
        received_at
    } else {
        calendar.next_working_day(received_at.date()).and_time(policy.day_start)
    };
    let n = policy.working_days(policy.effective_risk(risk));
    calendar.add_working_days(start.date(), n).and_time(start.time())
}

/// Time elapsed, in whole minutes (never negative). Displays as
/// "2 days 3 hours", "5 hours 10 minutes" or "45 minutes".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Elapsed {
    minutes: i64,
}

impl Elapsed {
    pub fn minutes(&self) -> i64 {
        self.minutes
    }
}

/// Time since `received_at`; zero if it is in the future.
pub fn time_since(received_at: NaiveDateTime, now: NaiveDateTime) -> Elapsed {
    Elapsed { minutes: (now - received_at).num_minutes().max(0) }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (d, h, m) = (self.minutes / 1440, (self.minutes % 1440) / 60, self.minutes % 60);
        let unit = |n: i64, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        match (d, h) {
            (0, 0) => f.write_str(&unit(m, "minute")),
            (0, _) => write!(f, "{} {}", unit(h, "hour"), unit(m, "minute")),
            _ => write!(f, "{} {}", unit(d, "day"), unit(h, "hour")),
        }
    }
}

/// Where a referral stands against its first-contact target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactStatus {
    /// Not yet contacted; not yet due.
    Waiting,
    /// Not yet contacted and past the due time.
    Overdue,
    /// Contacted by the due time.
    Contacted,
    /// Contacted, but after the due time.
    ContactedLate,
}

/// Not contacted and `now > due` is overdue; exactly at `due` is not.
pub fn contact_status(due: NaiveDateTime, now: NaiveDateTime, first_contact_at: Option<NaiveDateTime>) -> ContactStatus {
    match first_contact_at {
        Some(t) if t > due => ContactStatus::ContactedLate,
        Some(_) => ContactStatus::Contacted,
        None if now > due => ContactStatus::Overdue,
        None => ContactStatus::Waiting,
    }
}

/// A referral waiting at the front door, as the store supplies it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriageReferral {
    pub referral: ReferralId,
    /// `None` until a risk assessment (or a police risk grade) is recorded.
    pub risk: Option<RiskLevel>,
    pub received_at: NaiveDateTime,
    /// The first successful contact, if any.
    pub first_contact_at: Option<NaiveDateTime>,
}

/// One line of the queue, ready to display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueEntry {
    pub referral: ReferralId,
    /// The level used for ordering and timing.
    pub risk: RiskLevel,
    /// False when `risk` is the unassessed default.
    pub assessed: bool,
    pub received_at: NaiveDateTime,
    pub waiting: Elapsed,
    pub due_at: NaiveDateTime,
    pub status: ContactStatus,
    /// Convenience: `status == Overdue`.
    pub overdue: bool,
}

/// The triage queue in working order: highest risk first, then oldest
/// referral, then referral id.
pub fn triage_queue(
    referrals: &[TriageReferral],
    now: NaiveDateTime,
    policy: &TriagePolicy,
    calendar: &WorkingCalendar,
) -> Vec<QueueEntry> {
    let mut q: Vec<QueueEntry> = referrals
        .iter()
        .map(|r| {
            let due_at = first_contact_due(r.received_at, r.risk, policy, calendar);
            let status = contact_status(due_at, now, r.first_contact_at);
            QueueEntry {
                referral: r.referral,
                risk: policy.effective_risk(r.risk),
                assessed: r.risk.is_some(),
                received_at: r.received_at,
                waiting: time_since(r.received_at, now),
                due_at,
                status,
                overdue: status == ContactStatus::Overdue,
            }
        })
        .collect();
    q.sort_by(|a, b| b.risk.cmp(&a.risk).then(a.received_at.cmp(&b.received_at)).then(a.referral.cmp(&b.referral)));
    q
}

vocabulary!(
    /// How contact was attempted.
    ContactMethod {
        Phone = "phone": "Phone call",
        Text = "text": "Text message",
        Email = "email": "Email",
        Letter = "letter": "Letter",
        InPerson = "in_person": "In person",
        Video = "video": "Video call",
        ViaProfessional = "via_professional": "Through a professional (e.g. GP, health visitor)",
    }
);

vocabulary!(
    /// What happened.
    ContactOutcome {
        Spoke = "spoke": "Spoke with the person",
        Declined = "declined": "Spoke; the person declined support",
        UnsafeToTalk = "unsafe_to_talk": "Reached, but it was not safe to talk",
        NoAnswer = "no_answer": "No answer; no message left",
        MessageLeft = "message_left": "No answer; message left",
        WrongNumber = "wrong_number": "Wrong or dead number",
        TextSent = "text_sent": "Text sent",
        EmailSent = "email_sent": "Email sent",
        LetterSent = "letter_sent": "Letter sent",
        PassedOn = "passed_on": "Message passed on through a professional",
    }
);

impl ContactOutcome {
    /// True when the person was actually reached and spoke with us: this
    /// stops the first-contact clock.
    pub fn is_first_contact(self) -> bool {
        matches!(self, ContactOutcome::Spoke | ContactOutcome::Declined)
    }
    /// Whether this outcome can follow this method.
    pub fn fits(self, method: ContactMethod) -> bool {
        use ContactMethod as M;
        use ContactOutcome as O;
        match self {
            O::Spoke | O::Declined | O::UnsafeToTalk => !matches!(method, M::Text | M::Email | M::Letter),
            O::NoAnswer | O::MessageLeft | O::WrongNumber => matches!(method, M::Phone | M::Video),
            O::TextSent => method == M::Text,
            O::EmailSent => method == M::Email,
            O::LetterSent => method == M::Letter,
            O::PassedOn => method == M::ViaProfessional,
        }
    }
}

/// Whether the person's safe-contact preferences allow this method. Anything
/// not confirmed safe is unsafe (see [`SafeContact`]).
pub fn method_is_safe(method: ContactMethod, safe: &SafeContact) -> bool {
    match method {
        ContactMethod::Phone | ContactMethod::Video => safe.safe_to_call == Some(true),
        ContactMethod::Text => safe.safe_to_text == Some(true),
        ContactMethod::Email => safe.safe_to_email == Some(true),
        ContactMethod::Letter => safe.safe_address.as_deref().is_some_and(|a| !a.trim().is_empty()),
        ContactMethod::InPerson | ContactMethod::ViaProfessional => true,
    }
}

/// The methods confirmed safe, to show before any contact.
pub fn safe_methods(safe: &SafeContact) -> Vec<ContactMethod> {
    ContactMethod::ALL.iter().copied().filter(|m| method_is_safe(*m, safe)).collect()
}

/// Warnings to show when logging an attempt that went against the person's
/// safe-contact preferences. The attempt is still recorded (it happened);
/// the warning goes on the record and to the supervisor.
pub fn contact_warnings(method: ContactMethod, outcome: ContactOutcome, safe: &SafeContact) -> Vec<String> {
    let mut w = Vec::new();
    if !method_is_safe(method, safe) {
        w.push(format!("{} was not confirmed safe for this person", method.label()));
    }
    if outcome == ContactOutcome::MessageLeft && safe.safe_to_leave_message != Some(true) {
        w.push("A message was left, but leaving messages was not confirmed safe".to_string());
    }
    w
}

/// Longest note on a contact attempt, in characters.
pub const MAX_CONTACT_NOTE_CHARS: usize = 4_000;

/// One logged contact attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactAttempt {
    pub method: ContactMethod,
    pub outcome: ContactOutcome,
    pub attempted_at: NaiveDateTime,
    pub notes: Option<String>,
    /// From [`contact_warnings`] at the time of logging.
    pub warnings: Vec<String>,
}

impl ContactAttempt {
    /// Errors name `method`, `outcome` (also when it cannot follow the
    /// method), `attempted_at` (not after `now`) and `notes`.
    pub fn parse(
        method: &str,
        outcome: &str,
        attempted_at: NaiveDateTime,
        notes: &str,
        safe: &SafeContact,
        now: NaiveDateTime,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let method = errs.take(ContactMethod::parse("method", method));
        let outcome = errs.take(ContactOutcome::parse("outcome", outcome));
        if let Some(m) = method.filter(|m| outcome.is_some_and(|o| !o.fits(*m))) {
            errs.push(FieldError::new("outcome", format!("cannot follow a {}", m.label().to_lowercase())));
        }
        if attempted_at > now {
            errs.push(FieldError::new("attempted_at", "must not be in the future"));
        }
        let notes = notes.trim();
        if notes.chars().count() > MAX_CONTACT_NOTE_CHARS {
            errs.push(FieldError::new("notes", format!("must be {MAX_CONTACT_NOTE_CHARS} characters or fewer")));
        }
        match (method, outcome) {
            (Some(m), Some(o)) if errs.is_empty() => Ok(Self {
                method: m,
                outcome: o,
                attempted_at,
                notes: (!notes.is_empty()).then(|| notes.to_string()),
                warnings: contact_warnings(m, o, safe),
            }),
            _ => Err(errs),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap()
    }
    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }
    fn due(received: NaiveDateTime, risk: Option<RiskLevel>, cal: &WorkingCalendar) -> NaiveDateTime {
        first_contact_due(received, risk, &TriagePolicy::default(), cal)
    }

    // 2026-11-23 is a Monday.
    const H: Option<RiskLevel> = Some(RiskLevel::High);

    #[test]
    fn high_risk_due_next_working_day() {
        let cal = WorkingCalendar::weekdays();
        assert_eq!(due(at(2026, 11, 23, 10, 0), H, &cal), at(2026, 11, 24, 10, 0));
        assert_eq!(due(at(2026, 11, 27, 15, 0), H, &cal), at(2026, 11, 30, 15, 0), "Friday → Monday");
        assert_eq!(due(at(2026, 11, 28, 11, 0), H, &cal), at(2026, 12, 1, 9, 0), "Saturday → clock starts Monday 09:00");
        assert_eq!(due(at(2026, 11, 29, 23, 59), H, &cal), at(2026, 12, 1, 9, 0), "Sunday likewise");
    }

    #[test]
    fn medium_and_standard_over_weekends() {
        let cal = WorkingCalendar::weekdays();
        let m = Some(RiskLevel::Medium);
        let s = Some(RiskLevel::Standard);
        assert_eq!(due(at(2026, 11, 23, 10, 0), m, &cal), at(2026, 11, 26, 10, 0), "Mon + 3 = Thu");
        assert_eq!(due(at(2026, 11, 26, 10, 0), m, &cal), at(2026, 12, 1, 10, 0), "Thu + 3 = Tue");
        assert_eq!(due(at(2026, 11, 23, 10, 0), s, &cal), at(2026, 11, 30, 10, 0), "Mon + 5 = next Mon");
        assert_eq!(due(at(2026, 11, 28, 10, 0), s, &cal), at(2026, 12, 7, 9, 0), "Sat → Mon 09:00 + 5");
    }

    #[test]
    fn bank_holidays_are_skipped() {
        // Christmas 2026: Fri 25 Dec, substitute Boxing Day Mon 28 Dec.
        let cal = WorkingCalendar::with_bank_holidays([day(2026, 12, 25), day(2026, 12, 28)]);
        assert_eq!(due(at(2026, 12, 24, 16, 0), H, &cal), at(2026, 12, 29, 16, 0));
        assert_eq!(due(at(2026, 12, 25, 10, 0), H, &cal), at(2026, 12, 30, 9, 0), "received on a holiday");
        assert!(!cal.is_working_day(day(2026, 12, 28)));
        assert_eq!(cal.working_days_between(day(2026, 12, 24), day(2026, 12, 31)), 3);
    }

    #[test]
    fn unassessed_is_treated_as_configured() {
        let cal = WorkingCalendar::weekdays();
        assert_eq!(due(at(2026, 11, 23, 10, 0), None, &cal), at(2026, 11, 24, 10, 0));
        let p: TriagePolicy = toml::from_str("unassessed_as = \"medium\"").unwrap();
        assert_eq!(first_contact_due(at(2026, 11, 23, 10, 0), None, &p, &cal), at(2026, 11, 26, 10, 0));
    }

    #[test]
    fn policy_config() {
        let p: TriagePolicy = toml::from_str("high_working_days = 0\nday_start = \"08:30\"").unwrap();
        assert_eq!(p.working_days(RiskLevel::High), 0);
        let cal = WorkingCalendar::weekdays();
        assert_eq!(first_contact_due(at(2026, 11, 23, 10, 0), H, &p, &cal), at(2026, 11, 23, 10, 0));
        assert_eq!(first_contact_due(at(2026, 11, 28, 10, 0), H, &p, &cal), at(2026, 11, 30, 8, 30));
        assert!(toml::from_str::<TriagePolicy>("day_start = \"9am\"").unwrap_err().to_string().contains("day_start"));
        assert!(toml::from_str::<TriagePolicy>("high_working_days = 4").unwrap_err().to_string().contains("medium_working_days"));
        assert!(toml::from_str::<TriagePolicy>("urgent = 1").is_err());
        assert!(toml::from_str::<TriagePolicy>("standard_working_days = 31").is_err());
        assert_eq!(toml::from_str::<TriagePolicy>("").unwrap(), TriagePolicy::default());
    }

    #[test]
    fn overdue_edges() {
        let due = at(2026, 11, 24, 10, 0);
        assert_eq!(contact_status(due, at(2026, 11, 24, 10, 0), None), ContactStatus::Waiting, "at the due time");
        assert_eq!(contact_status(due, at(2026, 11, 24, 10, 1), None), ContactStatus::Overdue);
        assert_eq!(contact_status(due, at(2026, 11, 30, 0, 0), Some(at(2026, 11, 24, 9, 0))), ContactStatus::Contacted);
        assert_eq!(contact_status(due, at(2026, 11, 30, 0, 0), Some(at(2026, 11, 24, 11, 0))), ContactStatus::ContactedLate);
    }

    #[test]
    fn queue_orders_by_risk_then_age() {
        let cal = WorkingCalendar::weekdays();
        let r = |id, risk, received| TriageReferral { referral: ReferralId(id), risk, received_at: received, first_contact_at: None };
        let items = vec![
            r(1, Some(RiskLevel::Standard), at(2026, 11, 16, 9, 0)),
            r(2, Some(RiskLevel::High), at(2026, 11, 25, 9, 0)),
            r(3, Some(RiskLevel::Medium), at(2026, 11, 20, 9, 0)),
            r(4, Some(RiskLevel::High), at(2026, 11, 24, 9, 0)),
            r(5, None, at(2026, 11, 25, 8, 0)),
            r(6, Some(RiskLevel::Medium), at(2026, 11, 20, 9, 0)),
        ];
        let now = at(2026, 11, 25, 12, 0);
        let q = triage_queue(&items, now, &TriagePolicy::default(), &cal);
        let ids: Vec<i64> = q.iter().map(|e| e.referral.0).collect();
        assert_eq!(ids, [4, 5, 2, 3, 6, 1]);
        assert!(q[0].overdue, "high risk from yesterday 09:00 is overdue at 12:00 today");
        assert!(!q[1].assessed);
        assert_eq!(q[0].waiting.to_string(), "1 day 3 hours");
        assert_eq!(q[2].waiting.to_string(), "3 hours 0 minutes");
        assert!(q[5].overdue, "standard from 9 days ago");
        assert_eq!(q[3].status, ContactStatus::Overdue, "medium from Friday 09:00 was due Wednesday 09:00");
        assert_eq!(q[3].due_at, at(2026, 11, 25, 9, 0));
    }

    #[test]
    fn elapsed_display() {
        let t = at(2026, 11, 25, 12, 0);
        assert_eq!(time_since(t, t).to_string(), "0 minutes");
        assert_eq!(time_since(at(2026, 11, 25, 11, 15), t).to_string(), "45 minutes");
        assert_eq!(time_since(at(2026, 11, 23, 11, 0), t).to_string(), "2 days 1 hour");
        assert_eq!(time_since(at(2026, 11, 26, 0, 0), t).minutes(), 0, "future is zero");
    }

    #[test]
    fn contact_attempts() {
        let safe = SafeContact { safe_to_call: Some(true), ..Default::default() };
        let now = at(2026, 11, 25, 12, 0);
        let a = ContactAttempt::parse("phone", "spoke", at(2026, 11, 25, 11, 0), " ok ", &safe, now).unwrap();
        assert!(a.warnings.is_empty());
        assert!(a.outcome.is_first_contact());
        assert_eq!(a.notes.as_deref(), Some("ok"));
        let a = ContactAttempt::parse("phone", "message_left", at(2026, 11, 25, 11, 0), "", &safe, now).unwrap();
        assert_eq!(a.warnings.len(), 1);
        assert!(!a.outcome.is_first_contact());
        let a = ContactAttempt::parse("text", "text_sent", at(2026, 11, 25, 11, 0), "", &safe, now).unwrap();
        assert!(a.warnings[0].contains("Text message was not confirmed safe"));
        let e = ContactAttempt::parse("letter", "spoke", at(2026, 11, 26, 11, 0), "", &safe, now).unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["outcome", "attempted_at"]);
        let e = ContactAttempt::parse("pigeon", "nope", now, "", &safe, now).unwrap_err();
        assert_eq!(e.errors.len(), 2);
        assert_eq!(
            safe_methods(&safe),
            [ContactMethod::Phone, ContactMethod::InPerson, ContactMethod::Video, ContactMethod::ViaProfessional]
        );
        assert!(!method_is_safe(ContactMethod::Letter, &SafeContact::default()));
    }

    proptest! {
        #[test]
        fn due_is_a_working_day_and_never_before_receipt(mins in 0i64..(60 * 24 * 800), lvl in 0usize..3) {
            let cal = WorkingCalendar::with_bank_holidays([day(2026, 12, 25), day(2026, 12, 28), day(2027, 1, 1)]);
            let received = at(2026, 1, 1, 0, 0) + chrono::Duration::minutes(mins);
            let risk = RiskLevel::ALL[lvl];
            let p = TriagePolicy::default();
            let d = first_contact_due(received, Some(risk), &p, &cal);
            prop_assert!(d > received);
            prop_assert!(cal.is_working_day(d.date()));
            // Exactly N working days after the day the clock started.
            let start = if cal.is_working_day(received.date()) { received.date() } else { cal.next_working_day(received.date()) };
            prop_assert_eq!(cal.working_days_between(start, d.date()), p.working_days(risk));
            // Calendar span: never more than N working days plus weekends and holidays.
            prop_assert!((d - received).num_days() <= i64::from(p.working_days(risk)) * 3 + 5);
        }

        #[test]
        fn higher_risk_is_never_due_later(mins in 0i64..(60 * 24 * 400)) {
            let cal = WorkingCalendar::weekdays();
            let received = at(2026, 1, 1, 0, 0) + chrono::Duration::minutes(mins);
            let p = TriagePolicy::default();
            let h = first_contact_due(received, Some(RiskLevel::High), &p, &cal);
            let m = first_contact_due(received, Some(RiskLevel::Medium), &p, &cal);
            let s = first_contact_due(received, Some(RiskLevel::Standard), &p, &cal);
            prop_assert!(h <= m && m <= s);
        }

        #[test]
        fn queue_is_sorted(items in proptest::collection::vec((0usize..4, 0i64..20000), 0..30)) {
            let cal = WorkingCalendar::weekdays();
            let refs: Vec<_> = items.iter().enumerate().map(|(i, (r, m))| TriageReferral {
                referral: ReferralId(i as i64),
                risk: if *r == 3 { None } else { Some(RiskLevel::ALL[*r]) },
                received_at: at(2026, 1, 1, 0, 0) + chrono::Duration::minutes(*m),
                first_contact_at: None,
            }).collect();
            let q = triage_queue(&refs, at(2026, 3, 1, 0, 0), &TriagePolicy::default(), &cal);
            prop_assert_eq!(q.len(), refs.len());
            for w in q.windows(2) {
                prop_assert!(w[0].risk > w[1].risk || (w[0].risk == w[1].risk && w[0].received_at <= w[1].received_at));
            }
        }
    }
}
