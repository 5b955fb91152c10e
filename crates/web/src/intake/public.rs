//! The public pages: help, self-referral and friend/family referral, no
//! sign-in. Every page has the quick-exit button (and Esc) from
//! [`layout::public`]. Protection without a login: a per-address token
//! bucket, a honeypot field, a minimum fill time carried in a signed
//! timestamp, and a double-submit CSRF cookie. The confirmation never
//! echoes what was entered, and the client's address is never stored.
use super::widgets::{self as w, YES_NO_UNKNOWN, opts};
use crate::AppState;
use crate::auth;
use crate::error::PageError;
use crate::pages::layout;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use haven_domain::error::{FieldError, ValidationErrors};
use haven_domain::intake::{AccessNeed, PresentingNeed, PublicInput, PublicRoute};
use haven_domain::person::Sex;
use haven_store::Ctx;
use maud::{Markup, html};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Cookie for the public form's double-submit CSRF token.
pub const PUBLIC_CSRF_COOKIE: &str = "haven_public_csrf";
/// The honeypot: hidden from people, filled in by form-filling robots.
pub const HONEYPOT_FIELD: &str = "website_address";
/// A neutral site for quick exit.
pub const NEUTRAL_SITE: &str = "https://www.bbc.co.uk/weather";

/// Settings for the public form. Defaults suit a single partnership.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PublicIntakeSettings {
    /// Submissions one address may make at once (bucket size).
    pub burst: u32,
    /// Submissions per hour one address regains.
    pub per_hour: u32,
    /// A form sent sooner than this after it was shown is asked to confirm (robots are fast).
    pub min_fill_secs: u64,
    /// A form older than this must be sent again.
    pub max_form_age_secs: u64,
}

impl Default for PublicIntakeSettings {
    fn default() -> Self {
        Self { burst: 10, per_hour: 10, min_fill_secs: 3, max_form_age_secs: 24 * 3600 }
    }
}

/// The settings in force. (When `WebConfig` gains an `intake` section, read it here.)
fn settings(st: &AppState) -> PublicIntakeSettings {
    st.config.public_intake.clone()
}

/// Per-application state of the public form: the signing key and the buckets.
pub struct PublicGate {
    key: [u8; 32],
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

/// Most addresses tracked at once; beyond this, full buckets are forgotten.
const MAX_TRACKED: usize = 50_000;

impl PublicGate {
    pub fn new() -> Self {
        let mut key = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut key);
        Self { key, buckets: Mutex::new(HashMap::new()) }
    }

    /// Take one token for `ip`; false when the bucket is empty.
    pub fn allow(&self, ip: IpAddr, s: &PublicIntakeSettings, now: Instant) -> bool {
        let Ok(mut b) = self.buckets.lock() else { return true };
        let burst = f64::from(s.burst.max(1));
        let rate = f64::from(s.per_hour) / 3600.0;
        if b.len() >= MAX_TRACKED {
            b.retain(|_, (tokens, at)| *tokens + now.saturating_duration_since(*at).as_secs_f64() * rate < burst);
        }
        let entry = b.entry(ip).or_insert((burst, now));
        let refilled = (entry.0 + now.saturating_duration_since(entry.1).as_secs_f64() * rate).min(burst);
        if refilled >= 1.0 {
            *entry = (refilled - 1.0, now);
            true
        } else {
            *entry = (refilled, now);
            false
        }
    }

    fn mac(&self, msg: &str) -> String {
        // HMAC-SHA256 (RFC 2104).
        let mut ipad = [0x36u8; 64];
        let mut opad = [0x5cu8; 64];
        for (i, k) in self.key.iter().enumerate() {
            if let (Some(a), Some(b)) = (ipad.get_mut(i), opad.get_mut(i)) {
                *a ^= k;
                *b ^= k;
            }
        }
        let inner = Sha256::new().chain_update(ipad).chain_update(msg.as_bytes()).finalize();
        hex::encode(Sha256::new().chain_update(opad).chain_update(inner).finalize())
    }

    /// A form token: when the form was shown, a nonce (also the
    /// submission key), and a MAC over both.
    pub fn issue(&self, now_unix: i64) -> String {
        let nonce = &auth::random_token()[..32];
        let msg = format!("{now_unix}.{nonce}");
        format!("{msg}.{}", self.mac(&msg))
    }

    /// The issue time and nonce of a genuine token.
    pub fn verify(&self, token: &str) -> Option<(i64, String)> {
        let (msg, mac) = token.rsplit_once('.')?;
        let want = self.mac(msg);
        if want.len() != mac.len() || want.bytes().zip(mac.bytes()).fold(0u8, |a, (x, y)| a | (x ^ y)) != 0 {
            return None;
        }
        let (at, nonce) = msg.split_once('.')?;
        Some((at.parse().ok()?, nonce.to_string()))
    }
}

impl Default for PublicGate {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct ReferQuery {
    /// `someone` for the friend/family form.
    #[serde(rename = "for")]
    pub for_whom: String,
}

fn emergency() -> Markup {
    html! {
        div.banner role="region" aria-label="In an emergency" {
            h2 { "If you are in danger now, call 999" }
            p { "If you cannot speak, call 999, listen to the questions, then press 55 when prompted. The call will be put through to the police." }
            p { "The National Domestic Abuse Helpline is free and open 24 hours: " strong { "0808 2000 247" } "." }
        }
    }
}

/// The note on covering tracks, shown on every public page.
pub fn history_note() -> Markup {
    html! {
        details id="clear-history" {
            summary { "How to hide that you visited this site" }
            p { "The Quick exit button and the Esc key leave this site at once and do not add this page to your browser's Back button. Pages you visited before may still be in your browsing history." }
            ul {
                li { "To delete your history in most browsers, press " strong { "Ctrl + Shift + Delete" } " (on a Mac, " strong { "Cmd + Shift + Delete" } " in Chrome or Firefox; in Safari, use History, then Clear History)." }
                li { "If deleting everything would look unusual, delete only the pages from this site." }
                li { "A private or incognito window keeps no history once it is closed." }
                li { "If someone else can use your phone or computer, a library, friend's or work computer may be safer." }
            }
        }
    }
}

fn set_csrf_cookie(res: &mut Response, value: &str, secure: bool) {
    let c = format!(
        "{PUBLIC_CSRF_COOKIE}={value}; Path=/get-help; HttpOnly; SameSite=Strict; Max-Age=86400{}",
        if secure { "; Secure" } else { "" }
    );
    if let Ok(v) = c.parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

pub async fn help() -> Markup {
    layout::public(
        "Get help",
        html! {
            h1 { "Get help with domestic abuse" }
            (emergency())
            p.lede { "You can ask our local domestic abuse service to contact you. You do not need to be sure it is abuse, and you do not need to tell us everything." }
            p { "We will contact you only in the ways you tell us are safe." }
            p {
                a.button href="/get-help/refer" { "Ask for help for yourself" }
                a.button.secondary href="/get-help/refer?for=someone" { "Refer a friend or family member" }
            }
            (history_note())
        },
    )
}

struct FormView<'a> {
    input: &'a PublicInput,
    errors: &'a ValidationErrors,
    token: String,
    csrf: String,
    notice: Option<&'a str>,
}

fn public_form(v: &FormView<'_>) -> Markup {
    let i = v.input;
    let e = v.errors;
    let friend = i.route() == PublicRoute::FriendFamily;
    let (you, your) = if friend { ("they", "their") } else { ("you", "your") };
    // "Something else" needs a notes box the public form does not have: they can say so in "What is happening?".
    let public_access: Vec<(&str, &str)> =
        opts(AccessNeed::ALL, AccessNeed::key, AccessNeed::label).into_iter().filter(|(k, _)| *k != "other").collect();
    html! {
        h1 { @if friend { "Refer a friend or family member" } @else { "Ask for help" } }
        @if let Some(n) = v.notice { div.notice role="status" { (n) } }
        (w::error_summary(e))
        form method="post" action="/get-help/refer" novalidate autocomplete="off" {
            input type="hidden" name="csrf_token" value=(v.csrf);
            input type="hidden" name="form_token" value=(v.token);
            input type="hidden" name="route" value=(i.route().key());
            div hidden aria-hidden="true" {
                label for="f-hp" { "Leave this field empty" }
                input type="text" id="f-hp" name=(HONEYPOT_FIELD) value="" tabindex="-1" autocomplete="off";
            }
            @if friend {
                h2 { "About you" }
                (w::text("referrer_name", "Your name", None, &i.referrer_name, e))
                (w::text("referrer_relationship", "How do you know them?", Some("For example: sister, friend, neighbour"), &i.referrer_relationship, e))
                (w::input("referrer_phone", "Your phone number", None, &i.referrer_phone, "tel", Some("off"), e))
                (w::input("referrer_email", "Your email address", Some("If you would rather we emailed you"), &i.referrer_email, "email", Some("off"), e))
                (w::radios("person_knows", "Do they know you are contacting us, and agree?", None, &YES_NO_UNKNOWN, &i.person_knows, e))
                h2 { "About the person you are worried about" }
            } @else {
                h2 { "About you" }
            }
            (w::text("given_name", if friend { "Their first name" } else { "Your first name, or a name we can use" }, None, &i.given_name, e))
            (w::text("family_name", if friend { "Their last name (optional)" } else { "Your last name (optional)" }, None, &i.family_name, e))
            (w::text("date_of_birth", "Date of birth (optional)", Some("For example 27/03/1985"), &i.date_of_birth, e))
            (w::select("sex", "Sex (optional)", &opts(Sex::ALL, Sex::key, Sex::label), &i.sex, Some("Rather not say / not known"), e))
            (w::text("postcode", "Postcode (optional)", Some("So we can find the nearest service"), &i.postcode, e))
            (w::textarea("what_happened", "What is happening?", Some(if friend { "Tell us what you know and why you are worried." } else { "Tell us as much or as little as you want. You do not have to tell us everything now." }), &i.what_happened, e))
            (w::checkboxes("presenting_needs", &format!("What would help {}?", if friend { "them" } else { "you" }), Some("Tick any that apply"), &opts(PresentingNeed::ALL, PresentingNeed::key, PresentingNeed::label), &i.presenting_needs, e))
            (w::input("children_in_household", &format!("How many children live with {}?", if friend { "them" } else { "you" }), Some("Leave blank if not known"), &i.children_in_household, "number", None, e))
            h2 { "How to contact " (if friend { "them" } else { "you" }) " safely" }
            p.hint { "We will only use the ways " (you) " say are safe. If " (you) " are not sure, say no." }
            (w::input("phone", &format!("{} phone number", if friend { "Their" } else { "Your" }), None, &i.phone, "tel", Some("off"), e))
            (w::radios("safe_to_call", "Is it safe to call this number?", None, &YES_NO_UNKNOWN, &i.safe_to_call, e))
            (w::radios("safe_to_text", "Is it safe to send a text message?", None, &YES_NO_UNKNOWN, &i.safe_to_text, e))
            (w::radios("safe_to_leave_message", "Is it safe to leave a voicemail?", None, &YES_NO_UNKNOWN, &i.safe_to_leave_message, e))
            (w::input("email", &format!("{} email address", if friend { "Their" } else { "Your" }), None, &i.email, "email", Some("off"), e))
            (w::radios("safe_to_email", "Is it safe to email?", None, &YES_NO_UNKNOWN, &i.safe_to_email, e))
            (w::text("safe_times", "When is it safe to contact?", Some("For example: weekdays between 10am and 2pm"), &i.safe_times, e))
            h2 { "Language and access" }
            (w::text("interpreter_language", &format!("If {you} would like an interpreter, which language?"), None, &i.interpreter_language, e))
            (w::checkboxes("access_needs", &format!("Anything that would make it easier for {you} to use {your} support?"), None, &public_access, &i.access_needs, e))
            button type="submit" { "Send" }
        }
        (history_note())
    }
}

fn render(
    st: &AppState,
    gate: &PublicGate,
    status: StatusCode,
    input: &PublicInput,
    errors: &ValidationErrors,
    notice: Option<&str>,
) -> Response {
    let csrf = auth::random_token();
    let view = FormView { input, errors, token: gate.issue(chrono::Utc::now().timestamp()), csrf: csrf.clone(), notice };
    let title = if input.route() == PublicRoute::FriendFamily { "Refer someone" } else { "Ask for help" };
    let mut res = (status, layout::public(title, public_form(&view))).into_response();
    set_csrf_cookie(&mut res, &csrf, st.config.secure_cookies);
    res
}

pub async fn show(State(st): State<AppState>, Extension(gate): Extension<Arc<PublicGate>>, Query(q): Query<ReferQuery>) -> Response {
    let route = if q.for_whom == "someone" { PublicRoute::FriendFamily } else { PublicRoute::SelfReferral };
    let input = PublicInput { route: route.key().into(), ..Default::default() };
    render(&st, &gate, StatusCode::OK, &input, &ValidationErrors::new(), None)
}

/// The public form as posted: the referral fields plus the guards.
fn split(pairs: Vec<(String, String)>) -> (PublicInput, HashMap<String, String>) {
    let mut guards = HashMap::new();
    let mut input = PublicInput::default();
    for (k, v) in pairs {
        match k.as_str() {
            "route" => input.route = v,
            "given_name" => input.given_name = v,
            "family_name" => input.family_name = v,
            "date_of_birth" => input.date_of_birth = v,
            "sex" => input.sex = v,
            "postcode" => input.postcode = v,
            "what_happened" => input.what_happened = v,
            "presenting_needs" => input.presenting_needs.push(v),
            "children_in_household" => input.children_in_household = v,
            "interpreter_language" => input.interpreter_language = v,
            "access_needs" => input.access_needs.push(v),
            "safe_to_call" => input.safe_to_call = v,
            "safe_to_text" => input.safe_to_text = v,
            "safe_to_email" => input.safe_to_email = v,
            "safe_to_leave_message" => input.safe_to_leave_message = v,
            "safe_times" => input.safe_times = v,
            "phone" => input.phone = v,
            "email" => input.email = v,
            "referrer_name" => input.referrer_name = v,
            "referrer_relationship" => input.referrer_relationship = v,
            "referrer_phone" => input.referrer_phone = v,
            "referrer_email" => input.referrer_email = v,
            "person_knows" => input.person_knows = v,
            _ => {
                guards.insert(k, v);
            }
        }
    }
    (input, guards)
}

pub async fn submit(
    State(st): State<AppState>,
    Extension(gate): Extension<Arc<PublicGate>>,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let s = settings(&st);
    let (input, guards) = split(pairs);
    let none = ValidationErrors::new();
    // Behind a reverse proxy every client shares the proxy's address: raise `burst` to suit.
    let ip = auth::client_source(&ext).parse::<IpAddr>().unwrap_or(IpAddr::from([0, 0, 0, 0]));
    if !gate.allow(ip, &s, Instant::now()) {
        tracing::warn!("public referral rate limited");
        return Ok(render(
            &st,
            &gate,
            StatusCode::TOO_MANY_REQUESTS,
            &input,
            &none,
            Some(
                "Too many forms have been sent from this connection. Nothing has been lost: please wait a few minutes and press Send again. If you are in danger now, call 999.",
            ),
        ));
    }
    let guard = |k: &str| guards.get(k).map(String::as_str).unwrap_or("");
    // Double-submit CSRF: the form's token must equal the cookie set with it.
    let cookie = auth::cookie(&headers, PUBLIC_CSRF_COOKIE);
    if cookie.as_deref().is_none_or(|c| c.is_empty() || c != guard("csrf_token")) {
        return Ok(render(
            &st,
            &gate,
            StatusCode::UNPROCESSABLE_ENTITY,
            &input,
            &none,
            Some("Please check your answers and press Send again."),
        ));
    }
    // The honeypot: a person never sees this field. Answer as if sent, save nothing.
    if !guard(HONEYPOT_FIELD).trim().is_empty() {
        tracing::info!("public referral discarded by the spam trap");
        return Ok(Redirect::to("/get-help/sent").into_response());
    }
    let now = chrono::Utc::now().timestamp();
    let Some((issued, nonce)) = gate.verify(guard("form_token")) else {
        return Ok(render(
            &st,
            &gate,
            StatusCode::UNPROCESSABLE_ENTITY,
            &input,
            &none,
            Some("Please check your answers and press Send again."),
        ));
    };
    let age = now.saturating_sub(issued);
    if age < 0 || u64::try_from(age).unwrap_or(0) < s.min_fill_secs || u64::try_from(age).unwrap_or(u64::MAX) > s.max_form_age_secs {
        return Ok(render(
            &st,
            &gate,
            StatusCode::UNPROCESSABLE_ENTITY,
            &input,
            &none,
            Some("Please check your answers and press Send again."),
        ));
    }
    let parsed = match input.parse(chrono::Utc::now().date_naive()) {
        Ok(p) => p,
        Err(e) => return Ok(render(&st, &gate, StatusCode::UNPROCESSABLE_ENTITY, &input, &e, None)),
    };
    // Audited as the public page; the client's address is deliberately not recorded.
    let ctx = Ctx { source: "public-web".into(), ..Ctx::system("public") };
    match st.store.create_public_referral(&ctx, &parsed, Some(&format!("public:{nonce}"))).await {
        Ok(_) => Ok(Redirect::to("/get-help/sent").into_response()),
        Err(haven_store::StoreError::Conflict { field, message }) => {
            let mut e = ValidationErrors::new();
            e.push(FieldError::new(field, message));
            Ok(render(&st, &gate, StatusCode::UNPROCESSABLE_ENTITY, &input, &e, None))
        }
        Err(other) => Err(other.into()),
    }
}

/// The confirmation: the same words for everyone, nothing of what was entered.
pub async fn sent() -> Markup {
    layout::public(
        "Sent",
        html! {
            div.success role="status" {
                h1 { "Thank you. Your form has been sent." }
            }
            p { "Someone from our front door team will get in touch, only in the ways you told us are safe. We aim to do this within one working day." }
            p { "You do not need to do anything else. If you change your mind, you can say so when we contact you." }
            (emergency())
            (history_note())
        },
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bucket_empties_and_refills() {
        let g = PublicGate::new();
        let s = PublicIntakeSettings { burst: 3, per_hour: 3600, ..Default::default() };
        let ip = IpAddr::from([10, 0, 0, 1]);
        let t = Instant::now();
        assert!(g.allow(ip, &s, t) && g.allow(ip, &s, t) && g.allow(ip, &s, t));
        assert!(!g.allow(ip, &s, t), "burst spent");
        assert!(g.allow(IpAddr::from([10, 0, 0, 2]), &s, t), "another address has its own bucket");
        assert!(g.allow(ip, &s, t + Duration::from_secs(1)), "one per second comes back");
        assert!(!g.allow(ip, &s, t + Duration::from_secs(1)));
    }

    #[test]
    fn tokens_are_signed() {
        let g = PublicGate::new();
        let t = g.issue(1_700_000_000);
        let (at, nonce) = g.verify(&t).unwrap();
        assert_eq!(at, 1_700_000_000);
        assert_eq!(nonce.len(), 32);
        let forged = t.replacen("1700000000", "1600000000", 1);
        assert!(g.verify(&forged).is_none(), "an earlier time cannot be forged");
        assert!(PublicGate::new().verify(&t).is_none(), "another key");
        assert!(g.verify("nonsense").is_none());
    }
}
