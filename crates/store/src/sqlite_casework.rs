//! SQLite implementation of [`crate::CaseworkStore`].
use crate::casework::CaseworkStore;
use crate::sqlite::SqliteStore;
use async_trait::async_trait;

#[async_trait]
impl CaseworkStore for SqliteStore {}
