//! SQLite implementation of [`crate::FiguresStore`].
use crate::figures::FiguresStore;
use crate::sqlite::SqliteStore;
use async_trait::async_trait;

#[async_trait]
impl FiguresStore for SqliteStore {}
