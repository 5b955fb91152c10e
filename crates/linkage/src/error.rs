//! The crate's one error type.

/// Everything that can go wrong in linkage.
#[derive(Debug, thiserror::Error)]
pub enum LinkageError {
    /// A value in an input file could not be read. `line` is 1-based and
    /// counts the header line, as a spreadsheet or editor shows it.
    #[error("line {line}, column '{column}': {message}")]
    BadValue { line: u64, column: String, message: String },
    /// The header lacks a column that the layout names.
    #[error("no column '{column}' in the header (columns present: {present})")]
    MissingColumn { column: String, present: String },
    /// The file is not well-formed CSV.
    #[error("line {line}: {message}")]
    Csv { line: u64, message: String },
    /// Two records in one source share an id.
    #[error("line {line}, column '{column}': id '{id}' appears more than once")]
    DuplicateId { line: u64, column: String, id: String },
    /// A record that cannot be linked.
    #[error("invalid record: {0}")]
    InvalidRecord(String),
    /// A configuration value out of range or inconsistent.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Too many records for the 32-bit record indices used internally.
    #[error("too many records: {0} (at most 4,000,000,000)")]
    TooMany(usize),
}

pub type Result<T, E = LinkageError> = std::result::Result<T, E>;
