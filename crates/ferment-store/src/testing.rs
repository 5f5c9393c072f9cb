//! Fresh databases for tests: every test gets its own SQLite file and its own PostgreSQL database, so
//! tests run in parallel without seeing each other's rows.
//!
//! PostgreSQL comes from `FERMENT_TEST_PG_URL` (a role allowed to create databases). When it is not
//! set, PostgreSQL cases are left out — unless `FERMENT_REQUIRE_SERVICES=1` (set by `scripts/test.sh`
//! and CI), where a missing server fails the test instead of skipping it silently.

use anyhow::Context;
use sqlx::Connection;

use crate::Store;

/// A database made for one test.
#[derive(Debug, Clone)]
pub struct TestDatabase {
    /// `sqlite` or `postgres`, for assertion messages.
    pub label: &'static str,
    /// The URL to connect to.
    pub url: String,
}

/// The PostgreSQL server for tests, if configured; panics when it is required and missing.
pub fn postgres_url() -> Option<String> {
    match std::env::var("FERMENT_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("FERMENT_REQUIRE_SERVICES").as_deref() == Ok("1") => {
            panic!(
                "FERMENT_TEST_PG_URL is not set but FERMENT_REQUIRE_SERVICES=1: start scripts/test-services.sh"
            )
        }
        _ => {
            eprintln!(
                "note: FERMENT_TEST_PG_URL is not set; PostgreSQL cases are left out of this run"
            );
            None
        }
    }
}

/// A new empty SQLite database file in the system's temporary directory.
pub fn sqlite() -> TestDatabase {
    let dir = std::env::temp_dir().join("ferment-tests");
    std::fs::create_dir_all(&dir).expect("creating the test directory");
    let path = dir.join(format!("{}.sqlite", uuid::Uuid::new_v4()));
    TestDatabase {
        label: "sqlite",
        url: format!("sqlite://{}?mode=rwc", path.display()),
    }
}

/// A new empty PostgreSQL database on the test server.
pub async fn postgres(server_url: &str) -> anyhow::Result<TestDatabase> {
    let name = format!("ferment_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(server_url)
        .await
        .context("connecting to the test PostgreSQL")?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await?;
    admin.close().await?;
    let base = server_url
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(server_url);
    Ok(TestDatabase {
        label: "postgres",
        url: format!("{base}/{name}"),
    })
}

/// Fresh databases of every configured kind: SQLite always, PostgreSQL when configured.
pub async fn databases() -> Vec<TestDatabase> {
    let mut all = vec![sqlite()];
    if let Some(server) = postgres_url() {
        all.push(
            postgres(&server)
                .await
                .expect("creating a test PostgreSQL database"),
        );
    }
    all
}

/// Opens and migrates a test database.
pub async fn open(database: &TestDatabase) -> Store {
    let store = Store::connect(&database.url)
        .await
        .expect("connecting to the test database");
    store.migrate().await.expect("migrating the test database");
    store
}
