//! SQLite implementation of [`crate::IntakeStore`].
use crate::intake::IntakeStore;
use crate::sqlite::SqliteStore;
use async_trait::async_trait;

#[async_trait]
impl IntakeStore for SqliteStore {}
