//! Store integration tests on a fresh SQLite file.
use haven_store::{AuditFilter, Ctx, NewUser, SqliteStore, Store, StoreError};

async fn fresh() -> (tempfile::TempDir, std::path::PathBuf, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let store = SqliteStore::open_or_create(&path).await.unwrap();
    let mut b = store.bulk().await.unwrap();
    b.agency("dav", "DA service", "specialist_da").await.unwrap();
    b.commit(&Ctx::system("test"), "seed").await.unwrap();
    (dir, path, store)
}

async fn raw(path: &std::path::Path) -> sqlx::SqlitePool {
    sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display())).await.unwrap()
}

#[tokio::test]
async fn a_mistyped_path_never_creates_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("typo.db");
    assert!(matches!(SqliteStore::open(&p).await, Err(StoreError::Missing(_))));
    assert!(!p.exists());
}

#[tokio::test]
async fn schema_is_migrated_and_reopening_is_idempotent() {
    let (_d, path, store) = fresh().await;
    let v = store.schema_version().await.unwrap();
    assert!(v >= 1);
    store.close().await;
    let again = SqliteStore::open(&path).await.unwrap();
    assert_eq!(again.schema_version().await.unwrap(), v);
}

#[tokio::test]
async fn a_database_newer_than_the_binary_is_refused() {
    let (_d, path, store) = fresh().await;
    store.close().await;
    let pool = raw(&path).await;
    sqlx::query("INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (99999, 'from the future', CURRENT_TIMESTAMP, 1, x'00', 0)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert!(matches!(SqliteStore::open(&path).await, Err(StoreError::Migrate(_))));
}

#[tokio::test]
async fn audit_log_is_append_only() {
    let (_d, path, store) = fresh().await;
    store
        .create_user(
            &Ctx::system("test"),
            NewUser {
                username: "u1".into(),
                display_name: "U".into(),
                role: haven_domain::access::Role::Triage,
                agency: "dav".into(),
                team: None,
                password_hash: "x".into(),
            },
        )
        .await
        .unwrap();
    let pool = raw(&path).await;
    let upd = sqlx::query("UPDATE audit_log SET detail = 'edited'").execute(&pool).await;
    assert!(upd.unwrap_err().to_string().contains("append-only"));
    let del = sqlx::query("DELETE FROM audit_log").execute(&pool).await;
    assert!(del.unwrap_err().to_string().contains("append-only"));
    let rows = store.audit_recent(&Ctx::system("test"), &AuditFilter { limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(rows[0].action, "create_user");
    assert_eq!(rows[0].user, "system:test");
}

#[tokio::test]
async fn verification_names_the_first_tampered_row() {
    let (_d, path, store) = fresh().await;
    let ctx = Ctx::system("test");
    for i in 0..5 {
        store.record_login(&ctx, false, &format!("user{i}")).await.unwrap();
    }
    let v = store.verify_audit().await.unwrap();
    assert_eq!(v.first_broken, None);
    assert_eq!(v.rows, 6);
    // Someone with database access removes the trigger and rewrites history.
    let pool = raw(&path).await;
    sqlx::query("DROP TRIGGER audit_log_no_update").execute(&pool).await.unwrap();
    sqlx::query("UPDATE audit_log SET record_id = 'someone-else' WHERE id = 3").execute(&pool).await.unwrap();
    let v = store.verify_audit().await.unwrap();
    assert_eq!(v.first_broken, Some(3));
}
