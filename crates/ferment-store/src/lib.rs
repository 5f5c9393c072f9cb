//! The only crate that speaks SQL: migrations, queries and transactions, on SQLite (the embedded
//! default) and PostgreSQL (production) through one code path.
//!
//! Queries go through sqlx's `Any` driver with `$1`-style placeholders, which both databases accept,
//! and only the types both agree on: text (ids, times, JSON lists), 64-bit integers (money in kopecks,
//! quantities in thousandths, flags 0/1). The two dialects differ only in their migration files
//! (`migrations/sqlite`, `migrations/postgres`) and in how a connection is opened ([`Store::connect`]).
//!
//! Reading order: [`Store`], [`error`], [`sql`], then one module per business noun. Every function
//! that changes a business record writes its change history ([`history`]) in the same transaction.

pub mod access;
pub mod audit;
pub mod bulk;
pub mod bulk_sales;
pub mod commerceml;
pub mod contacts;
pub mod costs;
pub mod counterparties;
pub mod departments;
pub mod documents;
pub mod error;
pub mod files;
pub mod history;
pub mod leads;
pub mod list;
pub mod onec;
pub mod processes;
pub mod products;
pub mod recipes;
pub mod roles;
pub mod sales;
pub mod search;
pub mod settings;
pub mod sql;
pub mod tasks;
pub mod territories;
pub mod testing;
pub mod users;
pub mod warehouses;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Connection, Executor, Row};
use uuid::Uuid;

pub use error::{StoreError, StoreResult};

/// How long a PostgreSQL connection may sit idle in the pool before it is pinged when next handed
/// out (a server restart or an idle timeout drops connections; a busy one was used a moment ago).
pub const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(5);

/// Set on every PostgreSQL connection: prepared statements use their generic plan from the first
/// execution. By default PostgreSQL plans the first five executions of each statement on each
/// connection for their values (1–3 ms for a word search's union of posting lists), and the pool
/// hands requests to its connections in turn, so a statement shape seldom used — a word with two
/// longer forms — was planned anew for most of its runs. The store's statements are written for
/// one plan whatever the values (ordered index ranges, counts written into the SQL, see
/// `Sql::push_count`). Measured at a million clients (docs/BENCHMARKS.md, session 10): the word
/// search's p99 5.0/6.9 → 3.7/4.2 ms (administrator/regional manager), the ИНН search's median
/// 3.1 → 1.7 ms, "my tasks" 4.3–5.0 → 2.3–2.5 ms; the sales board and completing a task within
/// the noise between runs.
pub const GENERIC_PLANS: &str = "SET plan_cache_mode = force_generic_plan";

/// A transaction on the write side of the store.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Which database the store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite, a file in the data directory.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// The database: a pool to read from and a pool to write through.
///
/// On SQLite the write pool holds a single connection: SQLite allows one writer at a time, and a
/// single writer connection turns lock contention ("database is locked") into an orderly queue.
/// On PostgreSQL both are the same pool.
#[derive(Debug, Clone)]
pub struct Store {
    read: AnyPool,
    write: AnyPool,
    dialect: Dialect,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Opens the database at `url` (`sqlite://path` or `postgres://…`). SQLite files are created when
    /// missing and run in WAL mode with foreign keys enforced.
    pub async fn connect(url: &str) -> anyhow::Result<Store> {
        sqlx::any::install_default_drivers();
        let dialect = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Dialect::Postgres
        } else if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else {
            anyhow::bail!("unsupported database URL (expected sqlite:// or postgres://)");
        };
        let options = AnyConnectOptions::from_str(url).context("parsing the database URL")?;
        let store = match dialect {
            Dialect::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    // sqlx pings every connection it hands out by default: a round trip to the
                    // server for each `acquire`, two or more per request. A connection used a moment
                    // ago is alive; only one that sat idle is checked (and replaced if the server
                    // dropped it, as after a restart).
                    .test_before_acquire(false)
                    .before_acquire(|connection, meta| {
                        Box::pin(async move {
                            if meta.idle_for >= PING_WHEN_IDLE_FOR {
                                connection.ping().await?;
                            }
                            Ok(true)
                        })
                    })
                    .after_connect(|connection, _| {
                        Box::pin(async move {
                            connection.execute(GENERIC_PLANS).await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await
                    .context("connecting to PostgreSQL")?;
                Store {
                    read: pool.clone(),
                    write: pool,
                    dialect,
                }
            }
            Dialect::Sqlite => {
                let write = sqlite_pool(options.clone(), 1, true).await?;
                let read = sqlite_pool(options, 8, false).await?;
                spawn_checkpoints(read.clone(), write.clone());
                Store {
                    read,
                    write,
                    dialect,
                }
            }
        };
        Ok(store)
    }

    /// Applies the embedded migrations that have not run yet.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.dialect {
            Dialect::Sqlite => &SQLITE_MIGRATIONS,
            Dialect::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&self.write)
            .await
            .context("running database migrations")?;
        if self.dialect == Dialect::Sqlite {
            // SQLite keeps no statistics by itself, and without them its planner guesses an
            // index's selectivity (a scoped ИНН search then walked a whole district). As SQLite
            // advises for long-running applications: analyze, on start, the tables that never were
            // or have grown tenfold since, on a bounded sample. (PostgreSQL's autovacuum does this.)
            let mut connection = self.write.acquire().await?;
            connection.execute("PRAGMA analysis_limit = 1000").await?;
            connection.execute("PRAGMA optimize = 0x10002").await?;
        }
        Ok(())
    }

    /// Loads the reference data every installation has: the roles and the territory tree. Safe to
    /// run on every start: what exists is left alone.
    pub async fn seed_reference_data(&self) -> anyhow::Result<()> {
        let mut tx = self.begin().await?;
        users::seed_roles(&mut tx).await?;
        territories::seed(&mut tx).await?;
        processes::seed(&mut tx, "sales", ferment_domain::process::DEFAULT_TOML).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Which database this is.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(self.write.begin().await?)
    }

    /// A connection for reading.
    pub async fn reader(&self) -> StoreResult<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.read.acquire().await?)
    }

    /// Whether the database answers (for `/health`).
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.read).await.is_ok()
    }

    /// Refreshes the planner's statistics (after a bulk load).
    pub async fn analyze(&self) -> StoreResult<()> {
        // A bare ANALYZE on PostgreSQL also visits the shared system catalogs, which a database
        // owner may not analyze (one warning each); Ferment's own tables are what matters.
        let statement = match self.dialect {
            Dialect::Sqlite => "ANALYZE",
            Dialect::Postgres => {
                "ANALYZE territories, roles, users, user_roles, counterparties, counterparty_bank_accounts, \
                 search_terms, contacts, product_groups, products, warehouses, stock, change_log, \
                 leads, sales, sale_lines, sale_costs, sale_events, tasks, recipes, process_definitions"
            }
        };
        self.write.execute(statement).await?;
        Ok(())
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

/// How often the WAL is copied back into the database file, off the request path.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// WAL frames (pages) past which the checkpoint waits for the writer so the WAL can start over.
const WAL_RESTART_FRAMES: i64 = 16_384;

/// Checkpoints the WAL every [`CHECKPOINT_EVERY`] until the pool closes: from a reading connection,
/// or, past [`WAL_RESTART_FRAMES`], from the writer.
///
/// The writer's automatic checkpoint is off (see [`sqlite_pool`]): left on, SQLite runs it inside
/// the commit of whichever write crosses 1 000 WAL pages, and that request waits for the copy and
/// its fsync (the benchmark found the slowest task completions there). A `PASSIVE` checkpoint
/// takes no writer lock, so writes go on while it runs. But under a steady stream of writes (a 1C
/// sync, a bulk load) a passive checkpoint never catches up with the writer, and SQLite starts the
/// WAL over only once a checkpoint has copied all of it: the WAL then grows without end (6 GB in
/// the 1C benchmark), and every page read slows down with it, as a reader looks each page up in
/// the WAL's index first. So when the WAL holds more than [`WAL_RESTART_FRAMES`] pages, the
/// checkpoint is a `RESTART` one, run on the writer connection in its turn between write
/// transactions (run from another connection, it would take the write lock under a transaction
/// that has begun reading, which SQLite then refuses as busy): it copies the rest of the WAL, and
/// the next write starts the WAL over.
fn spawn_checkpoints(read: AnyPool, write: AnyPool) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(CHECKPOINT_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if read.is_closed() {
                break;
            }
            if let Err(error) = checkpoint(&read, &write, WAL_RESTART_FRAMES).await {
                if read.is_closed() {
                    break;
                }
                tracing::debug!(%error, "WAL checkpoint");
            }
        }
    });
}

/// One checkpoint: passive, or restarting when the WAL holds more than `restart_after` frames.
/// Returns the WAL's size in frames as the checkpoint found it.
async fn checkpoint(
    read: &AnyPool,
    write: &AnyPool,
    restart_after: i64,
) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(read)
        .await?;
    let log: i64 = row.try_get(1)?;
    if log > restart_after {
        sqlx::query("PRAGMA wal_checkpoint(RESTART)")
            .fetch_one(write)
            .await?;
    }
    Ok(log)
}

async fn sqlite_pool(
    options: AnyConnectOptions,
    size: u32,
    writer: bool,
) -> anyhow::Result<AnyPool> {
    AnyPoolOptions::new()
        .max_connections(size)
        .acquire_timeout(Duration::from_secs(30))
        // An SQLite connection is a file handle in this process: nothing can drop it between
        // uses, and sqlx's default ping on every `acquire` only costs a trip to its worker thread.
        .test_before_acquire(false)
        .after_connect(move |connection: &mut AnyConnection, _| {
            Box::pin(async move {
                // WAL lets readers go on while the single writer commits; NORMAL sync is durable
                // across application crashes and fast; the busy timeout covers checkpoints. Reads
                // go through a memory map of up to 1 GiB (pages come from the OS cache without a
                // `pread` each; the benchmark measured ~20 % off lists and cards at a million rows)
                // and a 16 MB page cache per connection.
                connection
                    .execute(
                        "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                         PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; \
                         PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -16384;",
                    )
                    .await?;
                if writer {
                    // The writer checkpoints only when asked (see `spawn_checkpoints`); it keeps
                    // statement journals in memory and a 256 MB page cache, so a bulk write (a 1C
                    // sync) modifies index pages in memory instead of re-reading them per commit.
                    connection
                        .execute(
                            "PRAGMA wal_autocheckpoint = 0; PRAGMA temp_store = MEMORY; \
                             PRAGMA cache_size = -262144;",
                        )
                        .await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .context("opening the SQLite database")
}

/// The current time as the store writes it: UTC, microseconds, `Z` suffix (sorts as text).
pub fn now_text() -> String {
    time_text(Utc::now())
}

/// Formats a time as the store writes it.
pub fn time_text(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Parses a time the store wrote.
pub fn parse_time(text: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|error| {
            StoreError::Other(anyhow::anyhow!(
                "bad time {text:?} in the database: {error}"
            ))
        })
}

/// Parses an id the store wrote.
pub fn parse_id(text: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(text).map_err(|error| {
        StoreError::Other(anyhow::anyhow!("bad id {text:?} in the database: {error}"))
    })
}

/// Parses an optional id the store wrote.
pub fn parse_optional_id(text: Option<&str>) -> StoreResult<Option<Uuid>> {
    text.map(parse_id).transpose()
}

/// Parses JSON the store wrote with `read` (a domain `from_json`); anything unreadable is a bug.
pub fn parse_json<T>(
    text: &str,
    read: impl FnOnce(&serde_json::Value) -> Result<T, Vec<ferment_domain::validation::FieldError>>,
) -> StoreResult<T> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|error| {
        StoreError::Other(anyhow::anyhow!(
            "bad JSON {text:?} in the database: {error}"
        ))
    })?;
    read(&value).map_err(|errors| {
        StoreError::Other(anyhow::anyhow!(
            "unreadable JSON {text:?} in the database: {errors:?}"
        ))
    })
}

/// A new record id: UUID v7, time-ordered, so new rows land at the end of the primary-key index.
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

/// The bookkeeping every editable record carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    /// Id.
    pub id: Uuid,
    /// Optimistic-locking version, incremented on every change.
    pub version: i64,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
}

/// A record with its bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<T> {
    /// Id, version and times.
    pub meta: Meta,
    /// The record's editable state.
    pub data: T,
}

impl Meta {
    fn from_row(row: &sqlx::any::AnyRow) -> StoreResult<Meta> {
        use sqlx::Row;
        Ok(Meta {
            id: parse_id(&row.try_get::<String, _>("id")?)?,
            version: row.try_get("version")?,
            created_at: parse_time(&row.try_get::<String, _>("created_at")?)?,
            updated_at: parse_time(&row.try_get::<String, _>("updated_at")?)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that never pauses (each transaction begins before the previous one's pages were
    /// checkpointed) still gets its WAL started over, instead of growing without end.
    #[tokio::test]
    async fn the_wal_starts_over_under_a_steady_stream_of_writes() {
        let database = testing::sqlite();
        let store = Store::connect(&database.url).await.unwrap();
        sqlx::query("CREATE TABLE filler (n INTEGER, payload TEXT)")
            .execute(&store.write)
            .await
            .unwrap();
        let payload = "ж".repeat(2_000);
        let mut largest = 0;
        for round in 0..150 {
            // A write transaction that reads first, as most do; the background checkpoint runs
            // while it is open.
            let mut tx = store.begin().await.unwrap();
            sqlx::query("SELECT count(*) FROM filler")
                .fetch_one(&mut *tx)
                .await
                .unwrap();
            let (read, write) = (store.read.clone(), store.write.clone());
            let checkpoint = tokio::spawn(async move { checkpoint(&read, &write, 200).await });
            tokio::time::sleep(Duration::from_millis(2)).await;
            for n in 0..8 {
                sqlx::query("INSERT INTO filler (n, payload) VALUES ($1, $2)")
                    .bind(round * 8 + n)
                    .bind(payload.as_str())
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            tx.commit().await.unwrap();
            largest = largest.max(checkpoint.await.unwrap().unwrap());
        }
        // 150 rounds write ~1 200 frames; the WAL is started over each time it passes 200.
        assert!(largest > 0, "the test wrote through the WAL");
        assert!(largest < 400, "the WAL grew to {largest} frames");
        store.close().await;
    }
}
