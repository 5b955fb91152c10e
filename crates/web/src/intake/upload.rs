//! The police incident upload page (front door). Same parser and store
//! method as `haven import police-incidents` and the API.
use super::police_csv;
use crate::AppState;
use crate::auth::{Authed, CSRF_FIELD};
use crate::error::PageError;
use crate::pages::layout;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use haven_domain::error::ValidationErrors;
use haven_domain::intake::{POLICE_COLUMNS, POLICE_REQUIRED_COLUMNS};
use haven_store::intake::{ImportBatchRow, ImportReport};
use maud::{Markup, html};

/// Rejected rows listed on the page (all are counted; the CLI writes them all to a file).
const SHOW_REJECTS: usize = 500;

fn upload_form(who: &Authed, errors: &ValidationErrors) -> Markup {
    let err = errors.for_field("file");
    html! {
        form method="post" action="/intake/police-incidents" enctype="multipart/form-data" {
            input type="hidden" name=(CSRF_FIELD) value=(who.csrf());
            div.field.error[err.is_some()] id="f-file" {
                label for="file" { "Police incident file (CSV)" }
                span.hint { "Columns: " (POLICE_COLUMNS.join(", ")) ". Required: " (POLICE_REQUIRED_COLUMNS.join(", ")) ". See docs/intake.md." }
                @for m in errors.errors.iter().filter(|e| e.field == "file") { span.error-message { "Error: the file " (m.message) } }
                input type="file" id="file" name="file" accept=".csv,text/csv";
            }
            button type="submit" { "Import" }
        }
    }
}

fn batches_table(batches: &[ImportBatchRow]) -> Markup {
    html! {
        h2 { "Recent imports" }
        @if batches.is_empty() { p.muted { "None yet." } } @else {
            table {
                thead { tr { th { "When" } th { "File" } th { "By" } th { "Rows" } th { "Imported" } th { "Already imported" } th { "Rejected" } } }
                tbody {
                    @for b in batches {
                        tr { td { (b.imported_at.get(..16).unwrap_or(&b.imported_at).replace('T', " ")) } td { (b.file_name) } td { (b.imported_by) } td { (b.rows_read) } td { (b.imported) } td { (b.already_present) } td { (b.rejected) } }
                    }
                }
            }
        }
    }
}

async fn page(
    st: &AppState,
    who: &Authed,
    status: StatusCode,
    errors: &ValidationErrors,
    report: Option<&ImportReport>,
) -> Result<Response, PageError> {
    let batches = st.store.police_import_batches(10).await?;
    let body = html! {
        h1 { "Import police incidents" }
        p { "Each row becomes a referral in the triage queue, attached to an existing person when the name and date of birth match exactly, otherwise to a new person. Importing the same file again adds nothing. Every row is imported, reported as already imported, or rejected with its line number and reason; a file is applied whole or not at all." }
        @if let Some(r) = report {
            div.success role="status" id="import-report" {
                h2 { "Import finished" }
                dl.summary {
                    dt { "Rows read" } dd { (r.rows_read) }
                    dt { "Imported" } dd { (r.imported) }
                    dt { "Already imported (skipped)" } dd { (r.already_present) }
                    dt { "Rejected" } dd { (r.rejected.len()) }
                    dt { "People matched to existing records" } dd { (r.people_matched) }
                    dt { "New people created" } dd { (r.people_created) }
                }
            }
            @if !r.rejected.is_empty() {
                h2 { "Rejected rows" }
                p { "Correct these rows in the file and import it again: rows already imported are skipped." }
                table id="rejected-rows" {
                    thead { tr { th { "Line" } th { "Incident" } th { "Reason" } } }
                    tbody { @for x in r.rejected.iter().take(SHOW_REJECTS) { tr { td { (x.line) } td { (x.incident_id) } td { (x.reason) } } } }
                }
                @if r.rejected.len() > SHOW_REJECTS { p { "… and " (r.rejected.len() - SHOW_REJECTS) " more." } }
            }
        }
        (w_summary(errors))
        (upload_form(who, errors))
        (batches_table(&batches))
    };
    Ok((status, layout::page("Import police incidents", who, body)).into_response())
}

fn w_summary(e: &ValidationErrors) -> Markup {
    super::widgets::error_summary(e)
}

pub async fn show(State(st): State<AppState>, who: Authed) -> Result<Response, PageError> {
    page(&st, &who, StatusCode::OK, &ValidationErrors::new(), None).await
}

fn file_error(msg: &str) -> ValidationErrors {
    let mut e = ValidationErrors::new();
    e.push(haven_domain::FieldError::new("file", msg));
    e
}

pub async fn upload(State(st): State<AppState>, who: Authed, mp: Result<Multipart, MultipartRejection>) -> Result<Response, PageError> {
    let bad = StatusCode::UNPROCESSABLE_ENTITY;
    let Ok(mut mp) = mp else {
        return page(&st, &who, bad, &file_error("is required: choose a CSV file"), None).await;
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match mp.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("upload.csv").chars().filter(|c| !c.is_control()).take(200).collect::<String>();
                match field.bytes().await {
                    Ok(b) => file = Some((name, b.to_vec())),
                    Err(_) => {
                        return page(
                            &st,
                            &who,
                            bad,
                            &file_error("could not be read (it may be larger than 2 MB: use `haven import police-incidents`)"),
                            None,
                        )
                        .await;
                    }
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => {
                return page(
                    &st,
                    &who,
                    bad,
                    &file_error("could not be read (it may be larger than 2 MB: use `haven import police-incidents`)"),
                    None,
                )
                .await;
            }
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return page(&st, &who, bad, &file_error("is required: choose a CSV file"), None).await;
    };
    let batch = match police_csv::parse(&name, &bytes, chrono::Utc::now().date_naive()) {
        Ok(b) => b,
        Err(e) => return page(&st, &who, bad, &e, None).await,
    };
    let report = st.store.import_police_incidents(&who.ctx(), &batch).await?;
    page(&st, &who, StatusCode::OK, &ValidationErrors::new(), Some(&report)).await
}

/// The value of a simple (non-file) field in a `multipart/form-data` body,
/// e.g. the CSRF token the upload form carries. For the route guard, which
/// reads the token from urlencoded bodies only.
pub fn multipart_text_field(content_type: &str, body: &[u8], name: &str) -> Option<String> {
    let boundary = content_type.split(';').map(str::trim).find_map(|p| p.strip_prefix("boundary="))?.trim_matches('"');
    let delim = format!("--{boundary}");
    let text = body;
    let mut parts = Vec::new();
    let mut start = 0;
    while let Some(pos) = find(text.get(start..)?, delim.as_bytes()) {
        let at = start + pos;
        if start > 0 {
            parts.push(text.get(start..at)?);
        }
        start = at + delim.len();
    }
    let want = format!("name=\"{name}\"");
    for p in parts {
        let head_end = find(p, b"\r\n\r\n")?;
        let head = std::str::from_utf8(p.get(..head_end)?).ok()?;
        let disposition = head.lines().find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))?;
        if disposition.split(';').map(str::trim).any(|x| x == want) && !disposition.contains("filename=") {
            let value = p.get(head_end + 4..)?;
            let value = value.strip_suffix(b"\r\n").unwrap_or(value);
            return String::from_utf8(value.to_vec()).ok();
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_csrf_field_in_multipart() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc123\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\nincident_id\r\nA1\r\n--XyZ--\r\n";
        let ct = "multipart/form-data; boundary=XyZ";
        assert_eq!(multipart_text_field(ct, body, "csrf_token").as_deref(), Some("abc123"));
        assert_eq!(multipart_text_field(ct, body, "file"), None, "file parts are not text fields");
        assert_eq!(multipart_text_field(ct, body, "other"), None);
        assert_eq!(multipart_text_field("multipart/form-data", body, "csrf_token"), None);
        assert_eq!(multipart_text_field(ct, b"garbage", "csrf_token"), None);
    }
}
