//! Reading person records from CSV, with the standard column names or a
//! layout that maps other names. Errors name the line and column.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use serde::{Deserialize, Serialize};

use crate::error::{LinkageError, Result};
use crate::record::{Date, DateFormat, Record, Sex, non_empty};

/// What to do with a date of birth that cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvalidDates {
    /// Stop with an error naming the line and column (the default).
    #[default]
    Error,
    /// Treat the value as missing, and count it.
    Missing,
}

/// Which CSV column holds which field. A field left out is missing for
/// every record. `address` may name several columns, joined in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// The id column; the command line's `--id` takes precedence.
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub given_name: Option<String>,
    #[serde(default)]
    pub family_name: Option<String>,
    #[serde(default)]
    pub date_of_birth: Option<String>,
    #[serde(default)]
    pub date_format: DateFormat,
    #[serde(default)]
    pub sex: Option<String>,
    #[serde(default)]
    pub postcode: Option<String>,
    #[serde(default)]
    pub address: Vec<String>,
    #[serde(default)]
    pub invalid_dates: InvalidDates,
    /// Values that mean "not known" besides the empty string (e.g. "NA").
    #[serde(default)]
    pub missing_values: Vec<String>,
    /// Standard layout only: columns named here but absent from the file are
    /// simply missing. A configured layout must find every column it names.
    #[serde(skip)]
    pub optional_columns: bool,
}

impl Layout {
    /// The standard columns: `given_name`, `family_name`, `date_of_birth`
    /// (YYYY-MM-DD), `sex`, `postcode`, `address`, each optional.
    pub fn standard(id: &str) -> Layout {
        Layout {
            id: Some(id.to_string()),
            given_name: Some("given_name".into()),
            family_name: Some("family_name".into()),
            date_of_birth: Some("date_of_birth".into()),
            date_format: DateFormat::Iso,
            sex: Some("sex".into()),
            postcode: Some("postcode".into()),
            address: vec!["address".into()],
            invalid_dates: InvalidDates::Error,
            missing_values: Vec::new(),
            optional_columns: true,
        }
    }
}

/// Records read from a file.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub records: Vec<Record>,
    /// Dates of birth that could not be read and were treated as missing
    /// (only with `invalid_dates = "missing"`).
    pub blanked_dates: u64,
}

fn csv_error(e: &csv::Error) -> LinkageError {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("found {len} fields where the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "text is not valid UTF-8".to_string(),
        _ => e.to_string(),
    };
    LinkageError::Csv { line, message }
}

/// Read records from CSV (with a header line).
pub fn read_records<R: Read>(reader: R, layout: &Layout) -> Result<Loaded> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).trim(csv::Trim::All).from_reader(reader);
    let headers = rdr.headers().map_err(|e| csv_error(&e))?.clone();
    let names: Vec<String> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| if i == 0 { h.trim_start_matches('\u{feff}').to_string() } else { h.to_string() })
        .collect();
    let position: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
    let present = names.join(", ");
    let find = |col: &str, required: bool| -> Result<Option<usize>> {
        match position.get(col) {
            Some(i) => Ok(Some(*i)),
            None if required => Err(LinkageError::MissingColumn { column: col.to_string(), present: present.clone() }),
            None => Ok(None),
        }
    };
    let required = !layout.optional_columns;
    let id_col = layout.id.clone().ok_or_else(|| LinkageError::Config("no id column given".into()))?;
    let id_i = find(&id_col, true)?.unwrap_or(0);
    let opt = |c: &Option<String>| -> Result<Option<(usize, String)>> {
        match c {
            Some(c) => Ok(find(c, required)?.map(|i| (i, c.clone()))),
            None => Ok(None),
        }
    };
    let given = opt(&layout.given_name)?;
    let family = opt(&layout.family_name)?;
    let dob = opt(&layout.date_of_birth)?;
    let sex = opt(&layout.sex)?;
    let postcode = opt(&layout.postcode)?;
    let mut address = Vec::new();
    for c in &layout.address {
        if let Some(i) = find(c, required)? {
            address.push(i);
        }
    }
    let missing: HashSet<&str> = layout.missing_values.iter().map(|s| s.as_str()).collect();
    let value = |row: &csv::StringRecord, col: &Option<(usize, String)>| -> Option<String> {
        let (i, _) = col.as_ref()?;
        let v = row.get(*i)?;
        if missing.contains(v) {
            return None;
        }
        non_empty(v.to_string())
    };

    let mut out = Loaded::default();
    let mut ids: HashSet<String> = HashSet::new();
    let mut row = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(&e)),
        }
        let line = row.position().map(|p| p.line()).unwrap_or(0);
        let id = row.get(id_i).unwrap_or("").to_string();
        if id.is_empty() {
            return Err(LinkageError::BadValue { line, column: id_col.clone(), message: "the id is empty".into() });
        }
        if !ids.insert(id.clone()) {
            return Err(LinkageError::DuplicateId { line, column: id_col.clone(), id });
        }
        let date_of_birth = match (&dob, value(&row, &dob)) {
            (Some((_, col)), Some(raw)) => match Date::parse(&raw, layout.date_format) {
                Ok(d) => Some(d),
                Err(message) => match layout.invalid_dates {
                    InvalidDates::Error => {
                        return Err(LinkageError::BadValue { line, column: col.clone(), message });
                    }
                    InvalidDates::Missing => {
                        out.blanked_dates += 1;
                        None
                    }
                },
            },
            _ => None,
        };
        let addr: Vec<&str> = address.iter().filter_map(|i| row.get(*i)).filter(|v| !v.is_empty() && !missing.contains(v)).collect();
        out.records.push(Record {
            id,
            given_name: value(&row, &given),
            family_name: value(&row, &family),
            date_of_birth,
            sex: value(&row, &sex).and_then(|s| Sex::parse(&s)),
            postcode: value(&row, &postcode),
            address: non_empty(addr.join(" ")),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_standard_layout() {
        let csv = "\u{feff}person,given_name,family_name,date_of_birth,sex,postcode\n1,Ann,Lee,1980-01-02,F,SO23 8UG\n2,,Smith,,,\n";
        let l = read_records(csv.as_bytes(), &Layout::standard("person")).unwrap();
        assert_eq!(l.records.len(), 2);
        assert_eq!(l.records[0].date_of_birth, Date::new(1980, 1, 2));
        assert_eq!(l.records[0].sex, Some(Sex::Female));
        assert_eq!(l.records[1].given_name, None);
        assert_eq!(l.records[1].address, None);
    }

    #[test]
    fn bad_date_names_line_and_column() {
        let csv = "id,date_of_birth\n1,1980-01-02\n2,1980-13-02\n";
        let e = read_records(csv.as_bytes(), &Layout::standard("id")).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("date_of_birth"), "{e}");
    }

    #[test]
    fn missing_id_column_and_duplicates() {
        let e = read_records("a,b\n1,2\n".as_bytes(), &Layout::standard("id")).unwrap_err().to_string();
        assert!(e.contains("'id'") && e.contains("a, b"), "{e}");
        let e = read_records("id\n1\n1\n".as_bytes(), &Layout::standard("id")).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("more than once"), "{e}");
        let e = read_records("id,x\n1,2\n3\n".as_bytes(), &Layout::standard("id")).unwrap_err().to_string();
        assert!(e.contains("line 3"), "{e}");
    }

    #[test]
    fn configured_layout_joins_address_and_blanks_bad_dates() {
        let layout = Layout {
            id: Some("rec_id".into()),
            given_name: Some("given_name".into()),
            family_name: Some("surname".into()),
            date_of_birth: Some("dob".into()),
            date_format: DateFormat::Compact,
            sex: None,
            postcode: Some("postcode".into()),
            address: vec!["street_number".into(), "address_1".into()],
            invalid_dates: InvalidDates::Missing,
            missing_values: vec![],
            optional_columns: false,
        };
        let csv = "rec_id,given_name,surname,dob,postcode,street_number,address_1\nr1,ann,lee,19800230,2615,12,main st\n";
        let l = read_records(csv.as_bytes(), &layout).unwrap();
        assert_eq!(l.blanked_dates, 1);
        assert_eq!(l.records[0].address.as_deref(), Some("12 main st"));
        let mut strict = layout.clone();
        strict.sex = Some("gender".into());
        assert!(read_records(csv.as_bytes(), &strict).is_err());
    }
}
