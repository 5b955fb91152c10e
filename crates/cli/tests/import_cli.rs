//! `haven import police-incidents` end to end: a 10,000-row file with 50
//! malformed rows imports 9,950 and reports the 50 with line numbers and
//! reasons; importing it again adds nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn haven(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_haven")).args(args).output().expect("run haven")
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("haven-import-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "haven failed: {}\n{}", String::from_utf8_lossy(&out.stderr), String::from_utf8_lossy(&out.stdout));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn audit_intact(db: &Path) {
    let out = ok(&haven(&["audit", "verify", "--db", s(db)]));
    assert!(out.contains("intact"), "{out}");
}

#[test]
fn ten_thousand_rows_fifty_malformed_twice() {
    let d = dir("big");
    let file = d.join("incidents.csv");
    let db = d.join("haven.db");
    ok(&haven(&["import", "example", "--rows", "10000", "--malformed", "50", "--seed", "11", "--out", s(&file)]));
    ok(&haven(&["migrate", "--db", s(&db)]));

    let out = ok(&haven(&["import", "police-incidents", s(&file), "--db", s(&db)]));
    assert!(out.contains("10000 rows read; imported 9950, already imported 0, rejected 50"), "{out}");
    let rejects = d.join("incidents.rejected.csv");
    let text = std::fs::read_to_string(&rejects).expect("rejects file");
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("row")).collect();
    assert_eq!(rows.len(), 50, "{text}");
    for row in &rows {
        let line: u64 = row.get(0).and_then(|l| l.parse().ok()).expect("line number");
        assert!((2..=10_001).contains(&line), "{line}");
        assert!(!row.get(2).unwrap_or("").is_empty(), "every rejection has a reason");
    }
    // The reasons name the field.
    for needle in [
        "incident_date",
        "victim_family_name",
        "risk_grade",
        "victim_postcode",
        "fields but the header",
        "dash_score",
        "victim_date_of_birth",
        "already on line 2",
        "children_present",
        "incident_id: is required",
    ] {
        assert!(text.contains(needle), "no rejection mentions {needle}");
    }

    // Again: nothing new.
    let out = ok(&haven(&["import", "police-incidents", s(&file), "--db", s(&db), "--rejects", s(&d.join("second.csv"))]));
    assert!(out.contains("imported 0, already imported 9950, rejected 50"), "{out}");
    assert!(out.contains("0 people matched, 0 created"), "{out}");
    audit_intact(&db);
}

#[test]
fn a_bad_header_imports_nothing_and_fails() {
    let d = dir("header");
    let file = d.join("bad.csv");
    let db = d.join("haven.db");
    std::fs::write(&file, "incident_id,when,victim_given_name\nA1,2026-01-01,Ann\n").expect("write");
    ok(&haven(&["migrate", "--db", s(&db)]));
    let out = haven(&["import", "police-incidents", s(&file), "--db", s(&db)]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("when") && err.contains("incident_date"), "{err}");
    // A missing database is never created by an import.
    let good = d.join("good.csv");
    std::fs::write(&good, "incident_id,incident_date,victim_given_name,victim_family_name,risk_grade\nA1,2026-01-01,Ann,Example,high\n")
        .expect("write");
    let out = haven(&["import", "police-incidents", s(&good), "--db", s(&d.join("typo.db"))]);
    assert!(!out.status.success());
    assert!(!d.join("typo.db").exists());
}

#[test]
fn the_shipped_example_imports() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/police-incidents.csv");
    let d = dir("shipped");
    let db = d.join("haven.db");
    let copy = d.join("police-incidents.csv");
    std::fs::copy(&example, &copy).expect("docs/examples/police-incidents.csv exists");
    ok(&haven(&["migrate", "--db", s(&db)]));
    let out = ok(&haven(&["import", "police-incidents", s(&copy), "--db", s(&db)]));
    assert!(out.contains("300 rows read; imported 288, already imported 0, rejected 12"), "{out}");
}
