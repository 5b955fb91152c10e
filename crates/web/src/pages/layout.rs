//! The page frame: header, navigation by role, sign-out, footer.
use crate::auth::{Authed, CSRF_FIELD};
use haven_domain::access::Permission;
use haven_domain::error::ValidationErrors;
use maud::{DOCTYPE, Markup, PreEscaped, html};

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="robots" content="noindex, nofollow";
            meta name="referrer" content="no-referrer";
            meta name="htmx-config" content=r#"{"includeIndicatorStyles":false,"historyCacheSize":0,"refreshOnHistoryMiss":true}"#;
            title { (title) " – Haven" }
            link rel="stylesheet" href="/assets/haven.css";
            script src="/assets/htmx.min.js" defer {}
            script src="/assets/haven.js" defer {}
        }
    }
}

/// A page for a signed-in user.
pub fn page(title: &str, who: &Authed, body: Markup) -> Markup {
    let role = who.principal.role;
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            (head(title))
            body {
                a.skip-link href="#main" { "Skip to main content" }
                header.site {
                    div.bar {
                        a.brand href="/" { "Haven" }
                        nav aria-label="Main" {
                            a href="/" { "Dashboard" }
                            @if role.allows(Permission::SearchPeople) { a href="/people" { "Find a person" } }
                            @if role.allows(Permission::CreateReferral) { a href="/intake/referral" { "New referral" } }
                            @if role.allows(Permission::TriageQueue) { a href="/triage" { "Triage queue" } }
                            @if role.allows(Permission::MaracMember) { a href="/marac" { "MARAC" } }
                            @if role.allows(Permission::ViewCaseloads) { a href="/caseloads" { "Caseloads" } }
                            @if role.allows(Permission::ReviewMatches) { a href="/linking" { "Duplicates" } }
                            @if role.allows(Permission::ViewAggregates) { a href="/commissioning" { "Figures" } }
                            @if role.allows(Permission::ManageUsers) { a href="/admin/users" { "Users" } }
                            @if role.allows(Permission::ViewAudit) { a href="/admin/audit" { "Audit log" } }
                        }
                        span.who {
                            (who.principal.username) " (" (role.label()) ") "
                            form method="post" action="/logout" {
                                input type="hidden" name=(CSRF_FIELD) value=(who.csrf());
                                button.link type="submit" { "Sign out" }
                            }
                        }
                    }
                }
                main id="main" { (body) }
                footer.site { "Haven – open-source information system for domestic abuse partnerships. Every view of a person's record is recorded." }
            }
        }
    }
}

/// A page with no signed-in user (errors, login).
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            (head(title))
            body {
                header.site { div.bar { a.brand href="/" { "Haven" } } }
                main id="main" { (body) }
            }
        }
    }
}

/// A public page: carries the quick-exit button (also on Esc).
pub fn public(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            (head(title))
            body {
                a.quick-exit href="https://www.bbc.co.uk/weather" data-quick-exit rel="noreferrer" { "Quick exit" }
                header.site { div.bar { a.brand href="/get-help" { "Haven" } } }
                main id="main" {
                    p.notice { "To leave this site quickly, press the Esc key or the Quick exit button." }
                    (body)
                }
            }
        }
    }
}

/// The error summary at the top of a form.
pub fn error_summary(e: &ValidationErrors) -> Markup {
    html! {
        @if !e.is_empty() {
            div.error-summary role="alert" aria-labelledby="error-summary-title" tabindex="-1" {
                h2 id="error-summary-title" { "There is a problem" }
                ul {
                    @for err in &e.errors {
                        li { a href={ "#" (field_id(&err.field)) } { (err.message_for_people()) } }
                    }
                }
            }
        }
    }
}

/// Element id for a field name (`person.given_name` → `f-person-given_name`).
pub fn field_id(name: &str) -> String {
    format!("f-{}", name.replace('.', "-"))
}

trait ForPeople {
    fn message_for_people(&self) -> String;
}

impl ForPeople for haven_domain::FieldError {
    fn message_for_people(&self) -> String {
        format!("{} {}", label_for(&self.field), self.message)
    }
}

/// A readable label for a field name in error messages.
pub fn label_for(field: &str) -> String {
    let f = field.rsplit('.').next().unwrap_or(field).replace('_', " ");
    let mut c = f.chars();
    match c.next() {
        Some(first) => first.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A text input with its label, hint and error (the shared form widget).
pub fn text_field(name: &str, label: &str, hint: Option<&str>, value: &str, kind: &str, errors: &ValidationErrors) -> Markup {
    crate::intake::widgets::input(name, label, hint, value, kind, None, errors)
}

/// A select with options (key, label) and a blank first option when `blank` is set.
pub fn select_field(
    name: &str,
    label: &str,
    options: &[(&str, &str)],
    value: &str,
    blank: Option<&str>,
    errors: &ValidationErrors,
) -> Markup {
    crate::intake::widgets::select(name, label, options, value, blank, errors)
}

pub fn risk_tag(level: Option<&str>) -> Markup {
    match level {
        Some(l @ ("high" | "medium" | "standard")) => html! { strong class={ "tag " (l) } { (l) } },
        _ => html! { strong.tag.none { "not assessed" } },
    }
}

pub fn raw(s: &str) -> PreEscaped<String> {
    PreEscaped(s.to_string())
}
