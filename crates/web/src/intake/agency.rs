//! The agency referral form: the person, household and children, the
//! alleged perpetrator, consent and lawful basis, safe contact, interpreter
//! and access needs, what happened and the presenting needs. Before a new
//! person is created, likely existing records are offered.
use super::form::{DEFAULT_ROWS, IntakeForm};
use super::widgets::{self as w, YES_NO_UNKNOWN, opts};
use crate::AppState;
use crate::auth::{Authed, CSRF_FIELD};
use crate::error::{AppError, PageError};
use crate::pages::layout;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use haven_domain::agency::AgencyKind;
use haven_domain::error::{FieldError, ValidationErrors};
use haven_domain::ids::{PersonId, ReferralId};
use haven_domain::intake::{AccessNeed, MAX_HOUSEHOLD, MemberInput, NewIntakeReferral, PresentingNeed};
use haven_domain::person::*;
use haven_domain::referral::LawfulBasis;
use haven_store::intake::{IntakeView, PersonProbe};
use haven_store::{PersonHit, StoreError};
use maud::{Markup, html};
use serde::Deserialize;

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    pub person_id: Option<i64>,
}

/// Form state beyond the typed values.
struct View<'a> {
    who: &'a Authed,
    form: &'a IntakeForm,
    errors: &'a ValidationErrors,
    /// Joining this existing person (name shown).
    existing: Option<String>,
    /// Likely existing records to choose from.
    matches: &'a [PersonHit],
}

fn member_row(i: usize, m: &MemberInput, e: &ValidationErrors) -> Markup {
    let n = |f: &str| format!("household.{i}.{f}");
    html! {
        fieldset.member id={ "member-" (i) } {
            legend { "Household member " (i + 1) }
            (w::radios(&n("role"), "Child or adult?", None, &[("child", "Child (under 18)"), ("other", "Adult")], if m.role.is_empty() { "child" } else { &m.role }, e))
            (w::text(&n("given_name"), "Given name", None, &m.given_name, e))
            (w::text(&n("family_name"), "Family name", None, &m.family_name, e))
            (w::text(&n("date_of_birth"), "Date of birth", Some("For example 27/03/2015. Leave blank if not known."), &m.date_of_birth, e))
            (w::select(&n("sex"), "Sex", &opts(Sex::ALL, Sex::key, Sex::label), &m.sex, Some("Not known"), e))
            (w::text(&n("relationship"), "Relationship to the person at risk", Some("For example: son, daughter, mother"), &m.relationship, e))
            (w::text(&n("school"), "School, nursery or college", Some("Children only"), &m.school, e))
        }
    }
}

fn matches_panel(v: &View<'_>) -> Markup {
    html! {
        @if !v.matches.is_empty() {
            div.banner.info id="possible-matches" role="region" aria-label="Possible existing records" {
                h2 { "This person may already be known" }
                p { "These records look like the person you are referring. If one of them is the same person, choose it so the new referral joins their record. Nothing has been saved yet." }
                fieldset.field id=(layout::field_id("match_decision")) {
                    legend { "Is this the same person?" }
                    div.radios {
                        @for h in v.matches {
                            label {
                                input type="radio" name="match_decision" value=(h.id) checked[v.form.match_decision == h.id.to_string()];
                                strong { (h.given_name) " " (h.family_name) }
                                " – born " (h.date_of_birth.as_deref().unwrap_or("not known"))
                                " – " (h.postcode.as_deref().unwrap_or("no postcode"))
                                " (" (format!("{:.0}%", h.score * 100.0)) " match)"
                            }
                            br;
                        }
                        label { input type="radio" name="match_decision" value="new" checked[v.form.match_decision == "new"]; "None of these: create a new record" }
                    }
                }
            }
        }
    }
}

fn form(v: &View<'_>) -> Markup {
    let i = &v.form.base;
    let d = &v.form.details;
    let e = v.errors;
    let rows = d.household.len().max(DEFAULT_ROWS);
    let blank = MemberInput::default();
    html! {
        h1 { "Make a referral" }
        (w::error_summary(e))
        form method="post" action="/intake/referral" novalidate {
            input type="hidden" name=(CSRF_FIELD) value=(v.who.csrf());
            input type="hidden" name="submission_key" value=(v.form.submission_key);
            // The default button: Enter in any field sends the form (not "Add another").
            button type="submit" name="action" value="send" hidden tabindex="-1" aria-hidden="true" { "Send referral" }
            (matches_panel(v))
            h2 { "The person at risk" }
            @if let Some(name) = &v.existing {
                input type="hidden" name="person_id" value=(i.person_id);
                p.notice { "This referral will be added to the existing record of " strong { (name) } "." }
                input type="hidden" name="person.given_name" value=(i.given_name);
                input type="hidden" name="person.family_name" value=(i.family_name);
                input type="hidden" name="person.date_of_birth" value=(i.date_of_birth);
                input type="hidden" name="person.sex" value=(i.sex);
                input type="hidden" name="person.postcode" value=(i.postcode);
            } @else {
                (w::text("person.given_name", "Given name", None, &i.given_name, e))
                (w::text("person.family_name", "Family name", None, &i.family_name, e))
                (w::text("person.date_of_birth", "Date of birth", Some("For example 27/03/1985"), &i.date_of_birth, e))
                (w::radios("person.sex", "Sex", None, &opts(Sex::ALL, Sex::key, Sex::label), &i.sex, e))
                (w::text("person.postcode", "Postcode", Some("Enter NFA for no fixed abode"), &i.postcode, e))
                details {
                    summary { "Equality monitoring (optional)" }
                    (w::select("person.ethnicity", "Ethnic group", &opts(Ethnicity::ALL, Ethnicity::key, Ethnicity::label), &i.ethnicity, Some("Not known"), e))
                    (w::select("person.disability", "Disability", &opts(YesNoUnknown::ALL, YesNoUnknown::key, YesNoUnknown::label), &i.disability, Some("Not known"), e))
                    (w::select("person.gender_identity", "Gender identity", &opts(GenderIdentity::ALL, GenderIdentity::key, GenderIdentity::label), &i.gender_identity, Some("Not known"), e))
                    (w::select("person.sexual_orientation", "Sexual orientation", &opts(SexualOrientation::ALL, SexualOrientation::key, SexualOrientation::label), &i.sexual_orientation, Some("Not known"), e))
                    (w::select("person.religion", "Religion", &opts(Religion::ALL, Religion::key, Religion::label), &i.religion, Some("Not known"), e))
                    (w::select("person.pregnant", "Pregnant", &opts(YesNoUnknown::ALL, YesNoUnknown::key, YesNoUnknown::label), &i.pregnant, Some("Not known"), e))
                    (w::select("person.marital_status", "Marital status", &opts(MaritalStatus::ALL, MaritalStatus::key, MaritalStatus::label), &i.marital_status, Some("Not known"), e))
                    (w::select("person.immigration_status", "Immigration status", &opts(ImmigrationStatus::ALL, ImmigrationStatus::key, ImmigrationStatus::label), &i.immigration_status, Some("Not known"), e))
                    (w::select("person.nrpf", "No recourse to public funds", &opts(YesNoUnknown::ALL, YesNoUnknown::key, YesNoUnknown::label), &i.nrpf, Some("Not known"), e))
                }
            }
            h2 { "Interpreter and access needs" }
            (w::radios("interpreter_needed", "Does the person need an interpreter?", None, &YES_NO_UNKNOWN, &d.interpreter_needed, e))
            (w::text("interpreter_language", "Language", Some("For example: Polish, Urdu, Tigrinya"), &d.interpreter_language, e))
            (w::checkboxes("access_needs", "Access needs", Some("Tick all that apply"), &opts(AccessNeed::ALL, AccessNeed::key, AccessNeed::label), &d.access_needs, e))
            (w::text("access_notes", "Anything else about access", None, &d.access_notes, e))
            h2 { "Household and children" }
            p.hint { "Everyone who lives with the person, especially children. Leave rows blank if there is no one else. Each child's risk is assessed separately." }
            @for n in 0..rows {
                (member_row(n, d.household.get(n).unwrap_or(&blank), e))
            }
            @if rows < MAX_HOUSEHOLD {
                button.secondary type="submit" name="action" value="add_member" formnovalidate { "Add another household member" }
            }
            h2 { "The alleged perpetrator" }
            p.hint { "As much as is known. Leave blank if not known." }
            (w::text("perpetrator.given_name", "Given name", None, &d.perpetrator.given_name, e))
            (w::text("perpetrator.family_name", "Family name", None, &d.perpetrator.family_name, e))
            (w::text("perpetrator.date_of_birth", "Date of birth", Some("Leave blank if not known"), &d.perpetrator.date_of_birth, e))
            (w::select("perpetrator.sex", "Sex", &opts(Sex::ALL, Sex::key, Sex::label), &d.perpetrator.sex, Some("Not known"), e))
            (w::text("perpetrator.postcode", "Postcode", Some("If known"), &d.perpetrator.postcode, e))
            (w::select("perpetrator.relationship", "Relationship to the person at risk", &[("intimate_partner", "Intimate partner"), ("ex_partner", "Ex-partner"), ("family_member", "Family member")], &d.perpetrator.relationship, Some("Not known"), e))
            h2 { "The referral" }
            (w::select("source_agency", "Referred by", &opts(AgencyKind::ALL, AgencyKind::key, AgencyKind::label), &i.source_agency, Some("Choose"), e))
            (w::text("referral_date", "Date of referral", Some("Leave blank for today"), &i.referral_date, e))
            (w::textarea("reason", "What happened", Some("What the person told you, what you saw, and any immediate risk."), &i.reason, e))
            (w::checkboxes("presenting_needs", "What help is needed", Some("Tick all that apply"), &opts(PresentingNeed::ALL, PresentingNeed::key, PresentingNeed::label), &d.presenting_needs, e))
            (w::radios("consent", "Does the person consent to this referral?", None, &[("yes", "Yes"), ("no", "No")], &i.consent, e))
            (w::select("lawful_basis", "Lawful basis for sharing without consent", &opts(LawfulBasis::ALL, LawfulBasis::key, LawfulBasis::label), &i.lawful_basis, Some("Not applicable (consent given)"), e))
            h2 { "Safe contact" }
            p.hint { "Record only what the person has told you is safe. Anything not known is treated as not safe." }
            (w::radios("safe_to_call", "Safe to call?", None, &YES_NO_UNKNOWN, &i.safe_to_call, e))
            (w::radios("safe_to_text", "Safe to text?", None, &YES_NO_UNKNOWN, &i.safe_to_text, e))
            (w::radios("safe_to_email", "Safe to email?", None, &YES_NO_UNKNOWN, &i.safe_to_email, e))
            (w::radios("safe_to_leave_message", "Safe to leave a message?", None, &YES_NO_UNKNOWN, &i.safe_to_leave_message, e))
            (w::text("safe_times", "Safe times to contact", Some("For example: weekdays 10am to 2pm"), &i.safe_times, e))
            (w::input("phone", "Safe phone number", None, &i.phone, "tel", Some("off"), e))
            (w::input("email", "Safe email address", None, &i.email, "email", Some("off"), e))
            (w::text("safe_address", "Safe postal address", Some("Leave blank if there is none"), &i.safe_address, e))
            button type="submit" name="action" value="send" { "Send referral" }
        }
    }
}

fn render(status: StatusCode, v: &View<'_>) -> Response {
    (status, layout::page("Make a referral", v.who, form(v))).into_response()
}

pub async fn new(State(st): State<AppState>, who: Authed, Query(q): Query<NewQuery>) -> Result<Response, PageError> {
    let mut f = IntakeForm { submission_key: crate::auth::random_token(), ..Default::default() };
    let mut existing = None;
    if let Some(id) = q.person_id {
        let p = st.store.read_person(&who.ctx(), PersonId(id)).await?.ok_or(AppError::NotFound)?;
        f.base.person_id = id.to_string();
        f.base.given_name = p.given_name.clone();
        f.base.family_name = p.family_name.clone();
        f.base.date_of_birth = p.date_of_birth.clone().unwrap_or_default();
        f.base.sex = p.sex.clone();
        f.base.postcode = p.postcode.clone().unwrap_or_else(|| "NFA".into());
        existing = Some(format!("{} {}", p.given_name, p.family_name));
    }
    Ok(render(StatusCode::OK, &View { who: &who, form: &f, errors: &ValidationErrors::new(), existing, matches: &[] }))
}

/// The probe for duplicate suggestions from a parsed referral.
pub fn probe(r: &NewIntakeReferral) -> PersonProbe {
    let p = &r.referral.person;
    PersonProbe {
        given_name: p.given_name.as_str().to_string(),
        family_name: p.family_name.as_str().to_string(),
        date_of_birth: p.date_of_birth.map(|d| d.date()),
        postcode: p.postcode.clone(),
    }
}

pub async fn create(State(st): State<AppState>, who: Authed, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    let mut f = IntakeForm::from_pairs(pairs);
    if f.submission_key.trim().is_empty() {
        f.submission_key = crate::auth::random_token();
    }
    let existing_name = f.base.existing_person().map(|_| format!("{} {}", f.base.given_name, f.base.family_name));
    let none = ValidationErrors::new();
    if f.action == "add_member" {
        let filled = f.details.household.len().max(DEFAULT_ROWS);
        if filled < MAX_HOUSEHOLD {
            f.details.household.resize(filled + 1, MemberInput::default());
        }
        return Ok(render(StatusCode::OK, &View { who: &who, form: &f, errors: &none, existing: existing_name, matches: &[] }));
    }
    let today = chrono::Utc::now().date_naive();
    let parsed = match f.parse(today) {
        Ok(r) => r,
        Err(e) => {
            return Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &View { who: &who, form: &f, errors: &e, existing: existing_name, matches: &[] },
            ));
        }
    };
    let ctx = who.ctx();
    if let Some(rid) = st.store.submitted(f.submission_key.trim()).await? {
        // Sent before (a double click, Back then Send): show the first result.
        return Ok(Redirect::to(&format!("/intake/referrals/{rid}?created=1")).into_response());
    }
    if !f.match_settled() {
        let matches = st.store.suggest_people(&ctx, &probe(&parsed), 5).await?;
        if !matches.is_empty() {
            return Ok(render(StatusCode::OK, &View { who: &who, form: &f, errors: &none, existing: None, matches: &matches }));
        }
    }
    match st.store.create_intake_referral(&ctx, &parsed, f.existing_person()).await {
        Ok(c) => Ok(Redirect::to(&format!("/intake/referrals/{}?created=1", c.referral_id)).into_response()),
        Err(StoreError::Conflict { field, message }) => {
            let mut e = ValidationErrors::new();
            e.push(FieldError::new(field, message));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &View { who: &who, form: &f, errors: &e, existing: existing_name, matches: &[] }))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    pub created: Option<String>,
}

fn label_of<T: Copy>(key: &str, from: fn(&str) -> Option<T>, label: fn(T) -> &'static str) -> String {
    from(key).map(label).map(String::from).unwrap_or_else(|| key.replace('_', " "))
}

fn intake_page(v: &IntakeView, created: bool) -> Markup {
    html! {
        @if created { div.success role="status" { h2 { "Referral sent" } p { "It is in the front door's queue." } } }
        span.hint { "Referral " (v.referral_id) " – " (v.referral_date) }
        h1 { "Referral for " a href={ "/people/" (v.person_id) } { (v.person_name) } }
        dl.summary {
            dt { "Referred by" } dd { (label_of(&v.source_agency, AgencyKind::from_key, AgencyKind::label)) }
            dt { "Status" } dd { (v.status) }
            dt { "Risk" } dd { (layout::risk_tag(v.risk_level.as_deref())) }
            dt { "Interpreter" } dd { (v.interpreter_language.as_deref().map(|l| format!("Needed: {l}")).unwrap_or_else(|| "Not needed or not known".into())) }
            dt { "Access needs" } dd {
                @if v.access_needs.is_empty() { "None recorded" }
                @for a in &v.access_needs { (label_of(a, AccessNeed::from_key, AccessNeed::label)) br; }
                @if let Some(n) = &v.access_notes { (n) }
            }
            dt { "Help needed" } dd {
                @if v.presenting_needs.is_empty() { "Not recorded" }
                @for n in &v.presenting_needs { (label_of(n, PresentingNeed::from_key, PresentingNeed::label)) br; }
            }
            @if let Some(c) = v.children_in_household { dt { "Children in the household" } dd { (c) } }
        }
        h2 { "What happened" }
        p { (v.reason) }
        @if let Some(pi) = &v.police_incident {
            h2 { "Police incident" }
            dl.summary {
                dt { "Incident" } dd { (pi.incident_id) " on " (pi.incident_date) }
                dt { "Police risk grade" } dd { (pi.risk_grade) @if let Some(s) = pi.dash_score { " (DASH " (s) ")" } }
                dt { "Children present" } dd { (match (pi.children_present, pi.children_count) { (_, Some(n)) => n.to_string(), (Some(true), None) => "Yes".into(), (Some(false), None) => "No".into(), (None, _) => "Not recorded".into() }) }
            }
        }
        @if let Some(r) = &v.referrer {
            h2 { "Referred by a friend or relative" }
            dl.summary {
                dt { "Name" } dd { (r.name.as_deref().unwrap_or("")) }
                dt { "Relationship" } dd { (r.relationship.as_deref().unwrap_or("Not given")) }
                dt { "Phone" } dd { (r.phone.as_deref().unwrap_or("Not given")) }
                dt { "Email" } dd { (r.email.as_deref().unwrap_or("Not given")) }
                dt { "Does the person know?" } dd { (match r.person_knows { Some(true) => "Yes, and agrees", Some(false) => "No", None => "Not known – do not mention the referral" }) }
            }
        }
        h2 { "Household and children" }
        @if v.household.is_empty() { p.muted { "No one else recorded." } } @else {
            table {
                thead { tr { th { "Name" } th { "Child or adult" } th { "Date of birth" } th { "Relationship" } th { "School" } } }
                tbody {
                    @for m in &v.household {
                        tr {
                            td { a href={ "/people/" (m.id) } { (m.name) } }
                            td { (if m.role == "child" { "Child" } else { "Adult" }) }
                            td { (m.date_of_birth.as_deref().unwrap_or("Not known")) }
                            td { (m.relationship.as_deref().unwrap_or("")) }
                            td { (m.school.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
        h2 { "Alleged perpetrator" }
        @match &v.perpetrator {
            Some(p) => p { a href={ "/people/" (p.id) } { (p.name) } @if let Some(d) = &p.date_of_birth { " – born " (d) } },
            None => p.muted { "Not recorded." },
        }
    }
}

pub async fn show(State(st): State<AppState>, who: Authed, Path(id): Path<i64>, Query(q): Query<ShowQuery>) -> Result<Markup, PageError> {
    let v = st.store.read_intake(&who.ctx(), ReferralId(id)).await?.ok_or(AppError::NotFound)?;
    Ok(layout::page(&format!("Referral {}", v.referral_id), &who, intake_page(&v, q.created.is_some())))
}
