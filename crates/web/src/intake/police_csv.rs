//! The police incident file (CSV): read it, check the header, parse every
//! row into a [`PoliceIncident`] or a [`Rejection`] with its line number and
//! reason. Shared by `haven import police-incidents`, the upload page and
//! the API, so all three accept and refuse exactly the same rows.
//!
//! Columns are documented in `docs/intake.md`.
use chrono::NaiveDate;
use haven_domain::error::{FieldError, ValidationErrors};
use haven_domain::intake::{IncidentId, POLICE_COLUMNS, POLICE_REQUIRED_COLUMNS, PoliceIncident};
use haven_store::intake::{PoliceBatch, Rejection};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Problems with the file as a whole (nothing is imported).
pub type FileErrors = ValidationErrors;

fn file_error(msg: impl Into<String>) -> FileErrors {
    let mut e = ValidationErrors::new();
    e.push(FieldError::new("file", msg));
    e
}

fn crlf_to_lf(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Read and parse a whole file. `Err` only when the file cannot be used at
/// all (empty, bad header); bad rows are in `PoliceBatch::rejected`.
pub fn parse(file_name: &str, bytes: &[u8], today: NaiveDate) -> Result<PoliceBatch, FileErrors> {
    let sha = hex::encode(Sha256::digest(bytes));
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(file_error("is empty: it needs a header line and at least one row"));
    }
    // Windows exports end lines with CRLF; the csv reader would then number
    // each record from the previous line's '\n', one line too early. Reading
    // LF-only text keeps rejected-row line numbers right (the hash above is of
    // the file as uploaded).
    let normalised: Vec<u8>;
    let body = if body.windows(2).any(|w| w == b"\r\n") {
        normalised = crlf_to_lf(body);
        normalised.as_slice()
    } else {
        body
    };
    let mut rdr = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(body);
    let header: Vec<String> = match rdr.byte_headers() {
        Ok(h) => h.iter().map(|c| String::from_utf8_lossy(c).trim().to_ascii_lowercase().replace([' ', '-'], "_")).collect(),
        Err(e) => return Err(file_error(format!("has an unreadable header line: {e}"))),
    };
    let mut errs = ValidationErrors::new();
    let unknown: Vec<&str> = header.iter().map(String::as_str).filter(|c| !POLICE_COLUMNS.contains(c)).collect();
    if !unknown.is_empty() {
        errs.push(FieldError::new(
            "file",
            format!("has columns this import does not know: {} (expected columns: {})", unknown.join(", "), POLICE_COLUMNS.join(", ")),
        ));
    }
    let missing: Vec<&str> = POLICE_REQUIRED_COLUMNS.iter().copied().filter(|c| !header.iter().any(|h| h == c)).collect();
    if !missing.is_empty() {
        errs.push(FieldError::new("file", format!("is missing required columns: {}", missing.join(", "))));
    }
    let mut seen_cols = std::collections::HashSet::new();
    for h in &header {
        if !seen_cols.insert(h) {
            errs.push(FieldError::new("file", format!("has the column {h} twice")));
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let index: HashMap<&str, usize> = header.iter().enumerate().map(|(i, h)| (h.as_str(), i)).collect();
    let mut batch = PoliceBatch { file_name: file_name.to_string(), file_sha256: sha, ..Default::default() };
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let line_hint = rdr.position().line() + 1;
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                batch.rows_read += 1;
                let line = e.position().map(|p| p.line()).unwrap_or(line_hint);
                batch.rejected.push(Rejection { line, incident_id: String::new(), reason: format!("could not be read as CSV: {e}") });
                continue;
            }
        }
        batch.rows_read += 1;
        let line = record.position().map(|p| p.line()).unwrap_or(line_hint);
        let reject = |id: &str, reason: String| Rejection { line, incident_id: id.chars().take(50).collect(), reason };
        let fields: Result<Vec<&str>, _> = record.iter().map(std::str::from_utf8).collect();
        let Ok(fields) = fields else {
            batch.rejected.push(reject("", "is not valid UTF-8 text (save the file as \"CSV UTF-8\")".into()));
            continue;
        };
        let raw_id = index.get("incident_id").and_then(|&i| fields.get(i)).map(|s| s.trim()).unwrap_or("");
        if fields.len() != header.len() {
            batch.rejected.push(reject(raw_id, format!("has {} fields but the header has {}", fields.len(), header.len())));
            continue;
        }
        if fields.iter().all(|f| f.trim().is_empty()) {
            batch.rejected.push(reject("", "is empty".into()));
            continue;
        }
        let get = |col: &str| index.get(col).and_then(|&i| fields.get(i)).copied().unwrap_or("");
        match PoliceIncident::parse(get, today) {
            Ok(inc) => {
                let key = inc.incident_id.as_str().to_string();
                if let Some(first) = first_line.get(&key) {
                    batch.rejected.push(reject(raw_id, format!("incident_id: {key} is already on line {first} of this file")));
                    continue;
                }
                first_line.insert(key, line);
                batch.incidents.push((line, inc));
            }
            Err(e) => {
                // A bad row still claims its incident id, so a later copy is not taken instead.
                if let Ok(id) = IncidentId::parse("incident_id", raw_id) {
                    first_line.entry(id.as_str().to_string()).or_insert(line);
                }
                let reason = e.errors.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("; ");
                batch.rejected.push(reject(raw_id, reason));
            }
        }
    }
    Ok(batch)
}

/// The rejected rows as CSV: `line,incident_id,reason`.
pub fn rejects_csv(rejected: &[Rejection]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["line", "incident_id", "reason"]);
    for r in rejected {
        let _ = w.write_record([r.line.to_string().as_str(), r.incident_id.as_str(), r.reason.as_str()]);
    }
    w.into_inner().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    const HEAD: &str = "incident_id,incident_date,victim_given_name,victim_family_name,victim_date_of_birth,risk_grade,children_present";

    #[test]
    fn good_bad_and_duplicate_rows() {
        let csv = format!(
            "{HEAD}\nA1,2026-10-01,Ann,Example,1990-01-02,high,2\nA2,2026-10-02,Bea,Example,,medium,\nA3,2027-01-01,Cat,Example,,high,\nA1,2026-10-03,Ann,Example,1990-01-02,high,\nA4,2026-10-03,Dee\n\"A5\",\"2026-10-04\",\"Eve, Jr\",Example,,standard,no\n,,,,,,\n"
        );
        let b = parse("x.csv", csv.as_bytes(), today()).unwrap();
        assert_eq!(b.rows_read, 7);
        assert_eq!(b.incidents.len(), 2, "A1, A2 good; Eve's name has a comma");
        let lines: Vec<u64> = b.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![4, 5, 6, 7, 8]);
        assert!(b.rejected[0].reason.starts_with("incident_date"), "{:?}", b.rejected[0]);
        assert!(b.rejected[1].reason.contains("already on line 2"));
        assert!(b.rejected[2].reason.contains("fields"));
        assert!(b.rejected[3].reason.contains("victim_given_name"));
        assert_eq!(b.rejected[4].reason, "is empty");
        assert_eq!(b.rows_read as usize, b.incidents.len() + b.rejected.len());
    }

    #[test]
    fn crlf_files_report_the_right_lines() {
        let lf = format!(
            "{HEAD}\nA1,2026-10-01,Ann,Example,1990-01-02,high,2\nA2,2026-10-02,Bea,Example,,extreme,\nA3,2026-10-03,Cat,Example,,bad,\n"
        );
        let crlf = lf.replace('\n', "\r\n");
        for text in [&lf, &crlf] {
            let b = parse("x.csv", text.as_bytes(), today()).unwrap();
            let lines: Vec<u64> = b.rejected.iter().map(|r| r.line).collect();
            assert_eq!(lines, vec![3, 4], "{text:?}");
            assert_eq!(b.incidents.len(), 1);
        }
        assert_ne!(
            parse("x.csv", lf.as_bytes(), today()).unwrap().file_sha256,
            parse("x.csv", crlf.as_bytes(), today()).unwrap().file_sha256
        );
    }

    #[test]
    fn header_problems_refuse_the_file() {
        let e = parse("x.csv", b"incident_id,when,victim_given_name\nA1,2026-01-01,Ann\n", today()).unwrap_err();
        let msgs: Vec<&str> = e.errors.iter().map(|e| e.message.as_str()).collect();
        assert!(msgs[0].contains("when"), "{msgs:?}");
        assert!(msgs[1].contains("incident_date"), "{msgs:?}");
        assert!(parse("x.csv", b"", today()).is_err());
    }

    #[test]
    fn bom_quotes_multiline_and_bad_utf8() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(format!("{HEAD},summary\nA1,01/10/2026,Ann,Example,,High,yes,\"two\nlines\"\nA2,2026-10-01,B").as_bytes());
        bytes.push(0xFF);
        bytes.extend_from_slice(b"a,Example,,high,,\n");
        let b = parse("x.csv", &bytes, today()).unwrap();
        assert_eq!(b.incidents.len(), 1);
        assert_eq!(b.incidents[0].1.summary.as_deref(), Some("two\nlines"));
        assert_eq!(b.rejected.len(), 1);
        assert_eq!(b.rejected[0].line, 4, "the row after a two-line row starts on line 4");
        assert!(b.rejected[0].reason.contains("UTF-8"));
    }

    #[test]
    fn rejects_round_trip_as_csv() {
        let r = vec![Rejection { line: 3, incident_id: "A\"1".into(), reason: "x: bad, really".into() }];
        let text = rejects_csv(&r);
        assert_eq!(text, "line,incident_id,reason\n3,\"A\"\"1\",\"x: bad, really\"\n");
    }
}
