//! The crate's one error type. Every input error names the file, and where it
//! can, the line and column, so a commissioner can fix the file by hand.
use std::fmt;

/// Where in an input file a problem was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The name the caller gave the input (usually its path).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u64>,
    /// 1-based column, when known. For CSV this is the field number, for
    /// TOML the character position on the line.
    pub column: Option<u64>,
}

impl Location {
    pub fn file(file: &str) -> Self {
        Location { file: file.to_string(), line: None, column: None }
    }

    pub fn at(file: &str, line: u64, column: u64) -> Self {
        Location { file: file.to_string(), line: Some(line), column: Some(column) }
    }

    pub fn line(file: &str, line: u64) -> Self {
        Location { file: file.to_string(), line: Some(line), column: None }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        Ok(())
    }
}

/// Errors from the needs engine.
#[derive(Debug, thiserror::Error)]
pub enum NeedsError {
    /// A value or row in an input file is wrong. The message says what was
    /// expected and what was found.
    #[error("{location}: {message}")]
    Input { location: Location, message: String },

    /// The inputs parse but do not make a model (for example a caseload of
    /// zero, or weights that sum to zero).
    #[error("{context}: {message}")]
    Model { context: String, message: String },
}

impl NeedsError {
    pub fn input(location: Location, message: impl Into<String>) -> Self {
        NeedsError::Input { location, message: message.into() }
    }

    pub fn model(context: impl Into<String>, message: impl Into<String>) -> Self {
        NeedsError::Model { context: context.into(), message: message.into() }
    }

    /// The location, for input errors.
    pub fn location(&self) -> Option<&Location> {
        match self {
            NeedsError::Input { location, .. } => Some(location),
            NeedsError::Model { .. } => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, NeedsError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_error_reads_like_a_compiler_message() {
        let e = NeedsError::input(Location::at("pop.csv", 3, 4), "column `count`: not a number");
        assert_eq!(e.to_string(), "pop.csv:3:4: column `count`: not a number");
        let e = NeedsError::input(Location::line("pop.csv", 1), "missing column `age`");
        assert_eq!(e.to_string(), "pop.csv:1: missing column `age`");
        let e = NeedsError::input(Location::file("pop.csv"), "empty file");
        assert_eq!(e.to_string(), "pop.csv: empty file");
    }
}
