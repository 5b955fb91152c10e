//! Make a referral: the agency referral form.
use crate::AppState;
use crate::auth::{Authed, CSRF_FIELD};
use crate::error::{AppError, PageError};
use crate::forms::ReferralInput;
use crate::intake::widgets::{opts, radios};
use crate::pages::layout::{self, select_field, text_field};
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use haven_domain::agency::AgencyKind;
use haven_domain::error::ValidationErrors;
use haven_domain::ids::PersonId;
use haven_domain::person::*;
use haven_domain::referral::LawfulBasis;
use maud::{Markup, html};
use serde::Deserialize;

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    pub person_id: Option<i64>,
}

fn form(who: &Authed, i: &ReferralInput, e: &ValidationErrors, existing: Option<&str>) -> Markup {
    let yn_unknown = [("yes", "Yes"), ("no", "No"), ("", "Not known")];
    html! {
        h1 { "Quick referral" }
        p.notice { "This short form records the person at risk only. To add household members, children, the alleged perpetrator, interpreter and access needs, use the " a href="/intake/referral" { "full referral form" } "." }
        (layout::error_summary(e))
        form method="post" action="/referrals" novalidate {
            input type="hidden" name=(CSRF_FIELD) value=(who.csrf());
            h2 { "The person at risk" }
            @if let Some(name) = existing {
                input type="hidden" name="person_id" value=(i.person_id);
                p.notice { "This referral will be added to the existing record of " strong { (name) } "." }
                input type="hidden" name="person.given_name" value=(i.given_name);
                input type="hidden" name="person.family_name" value=(i.family_name);
                input type="hidden" name="person.date_of_birth" value=(i.date_of_birth);
                input type="hidden" name="person.sex" value=(i.sex);
                input type="hidden" name="person.postcode" value=(i.postcode);
            } @else {
                (text_field("person.given_name", "Given name", None, &i.given_name, "text", e))
                (text_field("person.family_name", "Family name", None, &i.family_name, "text", e))
                (text_field("person.date_of_birth", "Date of birth", Some("For example 27/03/1985"), &i.date_of_birth, "text", e))
                (radios("person.sex", "Sex", None, &opts(Sex::ALL, Sex::key, Sex::label), &i.sex, e))
                (text_field("person.postcode", "Postcode", Some("Enter NFA for no fixed abode"), &i.postcode, "text", e))
                details {
                    summary { "Equality monitoring (optional)" }
                    (select_field("person.ethnicity", "Ethnic group", &opts(Ethnicity::ALL, Ethnicity::key, Ethnicity::label), &i.ethnicity, Some("Not known"), e))
                    (select_field("person.disability", "Disability", &opts(YesNoUnknown::ALL, YesNoUnknown::key, YesNoUnknown::label), &i.disability, Some("Not known"), e))
                    (select_field("person.gender_identity", "Gender identity", &opts(GenderIdentity::ALL, GenderIdentity::key, GenderIdentity::label), &i.gender_identity, Some("Not known"), e))
                    (select_field("person.sexual_orientation", "Sexual orientation", &opts(SexualOrientation::ALL, SexualOrientation::key, SexualOrientation::label), &i.sexual_orientation, Some("Not known"), e))
                    (select_field("person.religion", "Religion", &opts(Religion::ALL, Religion::key, Religion::label), &i.religion, Some("Not known"), e))
                    (select_field("person.pregnant", "Pregnant", &opts(YesNoUnknown::ALL, YesNoUnknown::key, YesNoUnknown::label), &i.pregnant, Some("Not known"), e))
                    (select_field("person.marital_status", "Marital status", &opts(MaritalStatus::ALL, MaritalStatus::key, MaritalStatus::label), &i.marital_status, Some("Not known"), e))
                    (select_field("person.immigration_status", "Immigration status", &opts(ImmigrationStatus::ALL, ImmigrationStatus::key, ImmigrationStatus::label), &i.immigration_status, Some("Not known"), e))
                    (select_field("person.nrpf", "No recourse to public funds", &opts(YesNoUnknown::ALL, YesNoUnknown::key, YesNoUnknown::label), &i.nrpf, Some("Not known"), e))
                }
            }
            h2 { "The referral" }
            (select_field("source_agency", "Referred by", &opts(AgencyKind::ALL, AgencyKind::key, AgencyKind::label), &i.source_agency, Some("Choose"), e))
            (text_field("referral_date", "Date of referral", Some("Leave blank for today"), &i.referral_date, "text", e))
            div.field.error[e.for_field("reason").is_some()] {
                label for="f-reason" { "What happened and what help is needed" }
                @if let Some(m) = e.for_field("reason") { span.error-message { "Error: Reason " (m) } }
                textarea id="f-reason" name="reason" { (i.reason) }
            }
            (radios("consent", "Does the person consent to this referral?", None, &[("yes", "Yes"), ("no", "No")], &i.consent, e))
            (select_field("lawful_basis", "Lawful basis for sharing without consent", &opts(LawfulBasis::ALL, LawfulBasis::key, LawfulBasis::label), &i.lawful_basis, Some("Not applicable (consent given)"), e))
            h2 { "Safe contact" }
            p.hint { "Record only what the person has told you is safe. Anything not known is treated as not safe." }
            (radios("safe_to_call", "Safe to call?", None, &yn_unknown, &i.safe_to_call, e))
            (radios("safe_to_text", "Safe to text?", None, &yn_unknown, &i.safe_to_text, e))
            (radios("safe_to_email", "Safe to email?", None, &yn_unknown, &i.safe_to_email, e))
            (radios("safe_to_leave_message", "Safe to leave a message?", None, &yn_unknown, &i.safe_to_leave_message, e))
            (text_field("safe_times", "Safe times to contact", Some("For example: weekdays 10am to 2pm"), &i.safe_times, "text", e))
            (text_field("phone", "Safe phone number", None, &i.phone, "tel", e))
            (text_field("email", "Safe email address", None, &i.email, "email", e))
            (text_field("safe_address", "Safe postal address", Some("Leave blank if there is none"), &i.safe_address, "text", e))
            button type="submit" { "Send referral" }
        }
    }
}

pub async fn new(State(st): State<AppState>, who: Authed, Query(q): Query<NewQuery>) -> Result<Response, PageError> {
    let mut input = ReferralInput::default();
    let mut existing = None;
    if let Some(id) = q.person_id {
        let p = st.store.read_person(&who.ctx(), PersonId(id)).await?.ok_or(AppError::NotFound)?;
        input.person_id = id.to_string();
        input.given_name = p.given_name.clone();
        input.family_name = p.family_name.clone();
        input.date_of_birth = p.date_of_birth.clone().unwrap_or_default();
        input.sex = p.sex.clone();
        input.postcode = p.postcode.clone().unwrap_or_else(|| "NFA".into());
        existing = Some(format!("{} {}", p.given_name, p.family_name));
    }
    Ok(layout::page("Make a referral", &who, form(&who, &input, &ValidationErrors::new(), existing.as_deref())).into_response())
}

pub async fn create(State(st): State<AppState>, who: Authed, Form(input): Form<ReferralInput>) -> Result<Response, PageError> {
    let today = chrono::Utc::now().date_naive();
    let existing = input.existing_person();
    let existing_name = existing.map(|_| format!("{} {}", input.given_name, input.family_name));
    match input.parse(today) {
        Ok(r) => match st.store.create_referral(&who.ctx(), &r, existing).await {
            Ok((_rid, pid)) => Ok(Redirect::to(&format!("/people/{pid}?created=1")).into_response()),
            Err(haven_store::StoreError::Conflict { field, message }) => {
                let mut e = ValidationErrors::new();
                e.push(haven_domain::FieldError::new(field, message));
                Ok((
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    layout::page("Make a referral", &who, form(&who, &input, &e, existing_name.as_deref())),
                )
                    .into_response())
            }
            Err(other) => Err(other.into()),
        },
        Err(e) => Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            layout::page("Make a referral", &who, form(&who, &input, &e, existing_name.as_deref())),
        )
            .into_response()),
    }
}
