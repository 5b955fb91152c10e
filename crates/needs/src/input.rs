//! Reading CSV and TOML inputs with errors that name file, line and column.
use std::collections::HashMap;
use std::io::Read;
use std::ops::Range;

use serde::de::DeserializeOwned;

use crate::error::{Location, NeedsError, Result};

/// One data row of a CSV file, with enough context to report a bad value.
pub struct Row<'a> {
    file: &'a str,
    line: u64,
    header_line: u64,
    record: &'a csv::StringRecord,
    columns: &'a HashMap<String, usize>,
}

impl<'a> Row<'a> {
    /// The 1-based line number of this row in the file.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The trimmed text of a column, or `None` if the file has no such column.
    pub fn get(&self, column: &str) -> Option<&'a str> {
        self.columns.get(column).and_then(|&i| self.record.get(i)).map(str::trim)
    }

    /// The trimmed text of a required column (checked when the header was read).
    pub fn text(&self, column: &str) -> Result<&'a str> {
        self.get(column).ok_or_else(|| self.error(column, "missing value"))
    }

    /// An error at this row and column.
    pub fn error(&self, column: &str, message: impl AsRef<str>) -> NeedsError {
        let col = self.columns.get(column).map(|&i| i as u64 + 1);
        NeedsError::input(
            Location { file: self.file.to_string(), line: Some(self.line), column: col },
            format!("column `{column}`: {}", message.as_ref()),
        )
    }

    /// An error about the header row (a missing or misnamed column).
    pub fn header_error(&self, message: impl Into<String>) -> NeedsError {
        NeedsError::input(Location::line(self.file, self.header_line), message)
    }

    /// An error about the whole row.
    pub fn row_error(&self, message: impl Into<String>) -> NeedsError {
        NeedsError::input(Location::line(self.file, self.line), message)
    }

    /// Parse a required column with `parse`, reporting `what` was expected.
    pub fn parse<T>(&self, column: &str, what: &str, parse: impl FnOnce(&str) -> Option<T>) -> Result<T> {
        let raw = self.text(column)?;
        if raw.is_empty() {
            return Err(self.error(column, format!("empty; expected {what}")));
        }
        parse(raw).ok_or_else(|| self.error(column, format!("expected {what}, found `{raw}`")))
    }
}

/// The header of a CSV file: lower-cased, trimmed column names.
#[derive(Debug)]
pub struct Header {
    pub names: Vec<String>,
}

impl Header {
    pub fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }
}

fn csv_error(file: &str, e: &csv::Error) -> NeedsError {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { pos, expected_len, len } => {
            let line = pos.as_ref().map(|p| p.line()).unwrap_or(0);
            NeedsError::input(Location::line(file, line), format!("this row has {len} fields but the header has {expected_len}"))
        }
        csv::ErrorKind::Utf8 { pos, err } => {
            let line = pos.as_ref().map(|p| p.line()).unwrap_or(0);
            NeedsError::input(Location::at(file, line, err.field() as u64 + 1), "not valid UTF-8 text (save the file as UTF-8 CSV)")
        }
        csv::ErrorKind::Io(io) => NeedsError::input(Location::file(file), format!("cannot read: {io}")),
        _ => NeedsError::input(Location::file(file), format!("not a readable CSV file: {e}")),
    }
}

/// Read a CSV file with a header row. Lines starting with `#` are comments.
/// `required` columns must be present (in any order); other columns are
/// ignored. `each` is called for every data row.
pub fn read_csv<R: Read>(file: &str, reader: R, required: &[&str], mut each: impl FnMut(&Row<'_>) -> Result<()>) -> Result<Header> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).comment(Some(b'#')).flexible(false).from_reader(reader);
    let headers = rdr.headers().map_err(|e| csv_error(file, &e))?.clone();
    let header_line = headers.position().map(|p| p.line()).unwrap_or(1).max(1);
    let names: Vec<String> = headers.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase()).collect();
    if names.iter().all(|n| n.is_empty()) {
        return Err(NeedsError::input(Location::file(file), "empty file: expected a header row"));
    }
    let mut columns = HashMap::new();
    for (i, n) in names.iter().enumerate() {
        if let Some(first) = columns.insert(n.clone(), i) {
            return Err(NeedsError::input(
                Location::at(file, header_line, i as u64 + 1),
                format!("column `{n}` appears twice (first as column {})", first + 1),
            ));
        }
    }
    for r in required {
        if !columns.contains_key(*r) {
            return Err(NeedsError::input(
                Location::line(file, header_line),
                format!("missing column `{r}`; the header has: {}", names.join(",")),
            ));
        }
    }
    let mut record = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map(|p| p.line()).unwrap_or(0);
                let row = Row { file, line, header_line, record: &record, columns: &columns };
                each(&row)?;
            }
            Err(e) => return Err(csv_error(file, &e)),
        }
    }
    Ok(Header { names })
}

/// Line and column (both 1-based, column in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (u64, u64) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() as u64 + 1;
    let col = before.rsplit('\n').next().map(|s| s.chars().count()).unwrap_or(0) as u64 + 1;
    (line, col)
}

/// A location from a byte span in a text file.
pub fn span_location(file: &str, text: &str, span: &Range<usize>) -> Location {
    let (line, col) = line_col(text, span.start);
    Location::at(file, line, col)
}

/// Read a whole input into a string, naming the file on failure.
pub fn read_text<R: Read>(file: &str, mut reader: R) -> Result<String> {
    let mut text = String::new();
    reader.read_to_string(&mut text).map_err(|e| NeedsError::input(Location::file(file), format!("cannot read as UTF-8 text: {e}")))?;
    Ok(text)
}

/// Parse TOML text into `T`, turning the parser's span into line and column.
pub fn parse_toml<T: DeserializeOwned>(file: &str, text: &str) -> Result<T> {
    toml::from_str::<T>(text).map_err(|e| {
        let location = match e.span() {
            Some(span) => span_location(file, text, &span),
            None => Location::file(file),
        };
        let mut message = e.message().trim().replace('\n', " ").replace("expected f64", "expected a number");
        if let Some(span) = e.span() {
            if let Some(key) = key_at(text, span.start) {
                message = format!("`{key}`: {message}");
            } else if let Some(table) = table_at(text, span.start) {
                message = format!("in {table}: {message}");
            }
        }
        NeedsError::input(location, message)
    })
}

/// The key whose value starts at `offset` (`repeat_rate_percent = 141` →
/// `repeat_rate_percent`), looking back along the line for the `=`.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let before = text.get(..offset.min(text.len()))?;
    let line = before.rsplit('\n').next()?;
    let eq = line.rfind('=')?;
    let lhs = line.get(..eq)?.trim_end();
    let key: String = lhs
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '"'))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let key = key.trim_matches('"').to_string();
    (!key.is_empty()).then_some(key)
}

/// The `[table]` header on the line at `offset`, if that line is one.
fn table_at(text: &str, offset: usize) -> Option<String> {
    let rest = text.get(offset.min(text.len())..)?;
    let line = rest.lines().next()?.trim();
    (line.starts_with('[') && line.ends_with(']')).then(|| line.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let t = "a = 1\nb = £2\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 6), (2, 1));
        let pound_end = t.find('2').unwrap();
        assert_eq!(line_col(t, pound_end), (2, 6));
    }

    #[test]
    fn csv_reports_missing_columns_and_ragged_rows() {
        let data = "a,b\n1,2\n3\n";
        let e = read_csv("x.csv", data.as_bytes(), &["a", "b"], |_| Ok(())).unwrap_err();
        assert_eq!(e.to_string(), "x.csv:3: this row has 1 fields but the header has 2");
        let e = read_csv("x.csv", data.as_bytes(), &["a", "c"], |_| Ok(())).unwrap_err();
        assert!(e.to_string().starts_with("x.csv:1: missing column `c`"), "{e}");
    }

    #[test]
    fn csv_row_errors_name_line_and_column() {
        let data = "# comment\na,b\n1,x\n";
        let e = read_csv("x.csv", data.as_bytes(), &["a", "b"], |row| row.parse("b", "a number", |s| s.parse::<f64>().ok()).map(|_| ()))
            .unwrap_err();
        assert_eq!(e.to_string(), "x.csv:3:2: column `b`: expected a number, found `x`");
    }

    #[test]
    fn empty_csv_is_an_error() {
        let e = read_csv("x.csv", "".as_bytes(), &["a"], |_| Ok(())).unwrap_err();
        assert!(e.to_string().contains("empty file"), "{e}");
    }

    #[test]
    fn toml_errors_have_line_and_column() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct C {
            a: u32,
        }
        let e = parse_toml::<C>("c.toml", "\na = \"x\"\n").unwrap_err();
        assert!(e.to_string().starts_with("c.toml:2:5:"), "{e}");
        let e = parse_toml::<C>("c.toml", "a = 1\nbee = 2\n").unwrap_err();
        assert!(e.to_string().starts_with("c.toml:2:1:"), "{e}");
        let e = parse_toml::<C>("c.toml", "a = -1\n").unwrap_err();
        assert!(e.to_string().starts_with("c.toml:1:5: `a`:"), "{e}");
    }

    #[test]
    fn key_and_table_names() {
        assert_eq!(key_at("x = { population = -3 }", 19).as_deref(), Some("population"));
        assert_eq!(key_at("[t]\n\"a.b\" = 2", 12).as_deref(), Some("a.b"));
        assert_eq!(key_at("[t]", 0), None);
        assert_eq!(table_at("[visible]\nhigh = 1", 0).as_deref(), Some("[visible]"));
    }
}

/// The `#` comment lines at the top of a CSV or TOML file, without the `#`:
/// the provenance notes that reports print beside the figures.
pub fn leading_comments(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim_start)
        .take_while(|l| l.starts_with('#') || l.is_empty())
        .filter(|l| !l.is_empty())
        .map(|l| l.trim_start_matches('#').trim().to_string())
        .collect()
}

#[cfg(test)]
mod comment_tests {
    #[test]
    fn leading_comments_stop_at_the_first_data_line() {
        let t = "# one\n#two\n\nage_band,sex\n# not this\n";
        assert_eq!(super::leading_comments(t), vec!["one", "two"]);
    }
}
