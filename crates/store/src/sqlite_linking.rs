//! SQLite implementation of [`crate::LinkingStore`].
use crate::linking::LinkingStore;
use crate::sqlite::SqliteStore;
use async_trait::async_trait;

#[async_trait]
impl LinkingStore for SqliteStore {}
