//! Form widgets shared by every form (intake, quick referral, user admin).
use crate::pages::layout::field_id;
use haven_domain::error::ValidationErrors;
use maud::{Markup, html};

/// A human label for a field name in the error summary
/// (`household.1.date_of_birth` → "Household member 2: date of birth").
pub fn label(field: &str) -> String {
    let words = |s: &str| s.replace('_', " ");
    let parts: Vec<&str> = field.split('.').collect();
    match parts.as_slice() {
        ["household", i, f] => format!("Household member {}: {}", i.parse::<usize>().map(|n| n + 1).unwrap_or(0), words(f)),
        ["perpetrator", f] => format!("Alleged perpetrator: {}", words(f)),
        ["person", f] => format!("Person: {}", words(f)),
        [f] => {
            let w = words(f);
            let mut c = w.chars();
            c.next().map(|x| x.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        }
        _ => words(field),
    }
}

/// The error summary, each error linking to its field.
pub fn error_summary(e: &ValidationErrors) -> Markup {
    html! {
        @if !e.is_empty() {
            div.error-summary role="alert" aria-labelledby="error-summary-title" tabindex="-1" {
                h2 id="error-summary-title" { "There is a problem" }
                p { "Nothing has been saved yet. Correct these and send again; everything you typed is still here." }
                ul {
                    @for err in &e.errors {
                        li { a href={ "#" (field_id(&err.field)) } { (label(&err.field)) " " (err.message) } }
                    }
                }
            }
        }
    }
}

/// A text input with label, hint and error.
pub fn text(name: &str, label: &str, hint: Option<&str>, value: &str, e: &ValidationErrors) -> Markup {
    input(name, label, hint, value, "text", None, e)
}

pub fn input(
    name: &str,
    label: &str,
    hint: Option<&str>,
    value: &str,
    kind: &str,
    autocomplete: Option<&str>,
    e: &ValidationErrors,
) -> Markup {
    let id = field_id(name);
    let err = e.for_field(name);
    html! {
        div.field.error[err.is_some()] {
            label for=(id) { (label) }
            @if let Some(h) = hint { span.hint { (h) } }
            @if let Some(m) = err { span.error-message { "Error: " (label) " " (m) } }
            input type=(kind) id=(id) name=(name) value=(value) autocomplete=[autocomplete] aria-invalid=[err.map(|_| "true")];
        }
    }
}

pub fn textarea(name: &str, label: &str, hint: Option<&str>, value: &str, e: &ValidationErrors) -> Markup {
    let id = field_id(name);
    let err = e.for_field(name);
    html! {
        div.field.error[err.is_some()] {
            label for=(id) { (label) }
            @if let Some(h) = hint { span.hint { (h) } }
            @if let Some(m) = err { span.error-message { "Error: " (label) " " (m) } }
            textarea id=(id) name=(name) aria-invalid=[err.map(|_| "true")] { (value) }
        }
    }
}

/// A select with (key, label) options and an optional blank first option.
pub fn select(name: &str, label: &str, options: &[(&str, &str)], value: &str, blank: Option<&str>, e: &ValidationErrors) -> Markup {
    let id = field_id(name);
    let err = e.for_field(name);
    html! {
        div.field.error[err.is_some()] {
            label for=(id) { (label) }
            @if let Some(m) = err { span.error-message { "Error: " (label) " " (m) } }
            select id=(id) name=(name) {
                @if let Some(b) = blank { option value="" selected[value.is_empty()] { (b) } }
                @for (k, l) in options { option value=(k) selected[*k == value] { (l) } }
            }
        }
    }
}

/// Radio buttons in a fieldset.
pub fn radios(name: &str, legend: &str, hint: Option<&str>, choices: &[(&str, &str)], value: &str, e: &ValidationErrors) -> Markup {
    let err = e.for_field(name);
    html! {
        fieldset.field.error[err.is_some()] id=(field_id(name)) {
            legend { (legend) }
            @if let Some(h) = hint { span.hint { (h) } }
            @if let Some(m) = err { span.error-message { "Error: " (legend) " " (m) } }
            div.radios {
                @for (k, l) in choices {
                    label { input type="radio" name=(name) value=(k) checked[*k == value]; (l) }
                }
            }
        }
    }
}

/// Checkboxes in a fieldset; `values` are the ticked keys.
pub fn checkboxes(
    name: &str,
    legend: &str,
    hint: Option<&str>,
    choices: &[(&str, &str)],
    values: &[String],
    e: &ValidationErrors,
) -> Markup {
    let err = e.for_field(name);
    html! {
        fieldset.field.error[err.is_some()] id=(field_id(name)) {
            legend { (legend) }
            @if let Some(h) = hint { span.hint { (h) } }
            @if let Some(m) = err { span.error-message { "Error: " (legend) " " (m) } }
            div.checks {
                @for (k, l) in choices {
                    label { input type="checkbox" name=(name) value=(k) checked[values.iter().any(|v| v == k)]; (l) }
                }
            }
        }
    }
}

/// (key, label) pairs of a vocabulary.
pub fn opts<T: Copy>(all: &[T], key: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|v| (key(*v), label(*v))).collect()
}

pub const YES_NO_UNKNOWN: [(&str, &str); 3] = [("yes", "Yes"), ("no", "No"), ("", "Not known")];

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn labels_say_where() {
        assert_eq!(label("household.1.date_of_birth"), "Household member 2: date of birth");
        assert_eq!(label("perpetrator.postcode"), "Alleged perpetrator: postcode");
        assert_eq!(label("reason"), "Reason");
        assert_eq!(label("person.given_name"), "Person: given name");
    }
}
