//! The database under test: created afresh (or reused), migrated, seeded with the reference data and
//! the demo team, bulk-loaded with generated counterparties, and analysed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use ferment_domain::counterparty::Counterparty;
use ferment_domain::user::User;
use ferment_store::{Dialect, Store, bulk, territories, users};
use sqlx::{Connection, Row as _};
use uuid::Uuid;

/// Counterparties per transaction.
const BATCH: u64 = 10_000;

/// A kind of database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl Kind {
    /// The name people know it by.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Sqlite => "SQLite",
            Kind::Postgres => "PostgreSQL",
        }
    }
}

/// Where the benchmark database lives.
#[derive(Debug, Clone)]
pub enum Target {
    /// An SQLite file.
    Sqlite {
        /// The file.
        path: PathBuf,
    },
    /// A database on a PostgreSQL server.
    Postgres {
        /// The server (any database on it, for `CREATE DATABASE`).
        server: String,
        /// The benchmark database's name.
        name: String,
    },
}

impl Target {
    /// `DIR/ferment-bench-ROWS.sqlite`.
    pub fn sqlite(dir: &Path, rows: u64) -> anyhow::Result<Target> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let dir = dir
            .canonicalize()
            .with_context(|| format!("resolving {}", dir.display()))?;
        Ok(Target::Sqlite {
            path: dir.join(format!("ferment-bench-{rows}.sqlite")),
        })
    }

    /// The database `ferment_bench_ROWS` on `server`.
    pub fn postgres(server: &str, rows: u64) -> Target {
        Target::Postgres {
            server: server.to_string(),
            name: format!("ferment_bench_{rows}"),
        }
    }

    /// The URL to connect to.
    pub fn url(&self) -> String {
        match self {
            Target::Sqlite { path } => format!("sqlite://{}?mode=rwc", path.display()),
            Target::Postgres { server, name } => {
                let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
                format!("{base}/{name}")
            }
        }
    }

    /// The file or the database name, for the log.
    pub fn describe(&self) -> String {
        match self {
            Target::Sqlite { path } => path.display().to_string(),
            Target::Postgres { name, .. } => format!("database {name}"),
        }
    }

    async fn exists(&self) -> anyhow::Result<bool> {
        match self {
            Target::Sqlite { path } => Ok(path.exists()),
            Target::Postgres { server, name } => {
                let mut admin = sqlx::PgConnection::connect(server)
                    .await
                    .context("connecting to PostgreSQL")?;
                let found = sqlx::query("SELECT 1 FROM pg_database WHERE datname = $1")
                    .bind(name)
                    .fetch_optional(&mut admin)
                    .await?
                    .is_some();
                admin.close().await?;
                Ok(found)
            }
        }
    }

    /// Removes the database if it exists and creates it empty.
    async fn recreate(&self) -> anyhow::Result<()> {
        match self {
            Target::Sqlite { path } => {
                for suffix in ["", "-wal", "-shm"] {
                    let file = PathBuf::from(format!("{}{suffix}", path.display()));
                    if file.exists() {
                        std::fs::remove_file(&file)
                            .with_context(|| format!("removing {}", file.display()))?;
                    }
                }
                Ok(())
            }
            Target::Postgres { server, name } => {
                let mut admin = sqlx::PgConnection::connect(server)
                    .await
                    .context("connecting to PostgreSQL")?;
                // The name is ours (`ferment_bench_` and digits), not user input.
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut admin)
                .await?;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut admin)
                    .await?;
                admin.close().await?;
                Ok(())
            }
        }
    }
}

/// How the data got there.
#[derive(Debug, Clone)]
pub struct LoadReport {
    /// Whether a previous run's data was reused (no load this time).
    pub reused: bool,
    /// Seconds spent writing counterparties.
    pub load_seconds: f64,
    /// Seconds spent refreshing the planner's statistics (and, on PostgreSQL, vacuuming).
    pub analyze_seconds: f64,
    /// The database's size on disk, in bytes.
    pub size_bytes: u64,
}

/// A loaded database with the application's store open on it.
#[derive(Debug)]
pub struct Loaded {
    /// The store.
    pub store: Store,
    /// The `admin` user, whose API token and session the requests use.
    pub admin_id: Uuid,
    /// How it was loaded.
    pub load: LoadReport,
}

/// Opens the benchmark database, loading `rows` counterparties unless `reuse` finds them there.
pub async fn prepare(target: &Target, rows: u64, seed: u64, reuse: bool) -> anyhow::Result<Loaded> {
    if rows > ferment_demo::UNIQUE_TAX_NUMBERS {
        bail!(
            "the generator gives unique ИНН to at most {} counterparties",
            ferment_demo::UNIQUE_TAX_NUMBERS
        );
    }
    let url = target.url();
    if reuse && target.exists().await? {
        let store = Store::connect(&url).await?;
        store.migrate().await?;
        let mut reader = store.reader().await?;
        let count: i64 = sqlx::query("SELECT COUNT(*) FROM counterparties")
            .fetch_one(&mut *reader)
            .await?
            .try_get(0)?;
        drop(reader);
        if count as u64 == rows {
            eprintln!("   reusing {count} counterparties loaded before");
            let admin_id = ensure_admin(&store).await?;
            let size_bytes = size(target, &store).await?;
            return Ok(Loaded {
                store,
                admin_id,
                load: LoadReport {
                    reused: true,
                    load_seconds: 0.0,
                    analyze_seconds: 0.0,
                    size_bytes,
                },
            });
        }
        eprintln!("   found {count} counterparties, not {rows}: loading afresh");
        store.close().await;
    }
    target.recreate().await?;
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    store.seed_reference_data().await?;
    let owners = create_team(&store, seed).await?;
    let admin_id = ensure_admin(&store).await?;

    let started = Instant::now();
    load_counterparties(&store, rows, seed, owners).await?;
    let load_seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "   loaded {rows} counterparties in {load_seconds:.1} s ({:.0} rows/s)",
        rows as f64 / load_seconds.max(1e-9)
    );

    let started = Instant::now();
    analyze(target, &store).await?;
    let analyze_seconds = started.elapsed().as_secs_f64();
    eprintln!("   analysed in {analyze_seconds:.1} s");
    let size_bytes = size(target, &store).await?;
    Ok(Loaded {
        store,
        admin_id,
        load: LoadReport {
            reused: false,
            load_seconds,
            analyze_seconds,
            size_bytes,
        },
    })
}

/// The district of the benchmark's regional manager.
pub const REGIONAL_DISTRICT: &str = "RU-VFD";

/// The regional manager the benchmark times as (`bench-regional`, role `regional_manager`, territory
/// Приволжский ФО), created when missing; returns its id and the district's id.
pub async fn ensure_regional_manager(store: &Store) -> anyhow::Result<(Uuid, Uuid)> {
    // A database loaded before the rights model lacks the role (seeding is idempotent).
    store.seed_reference_data().await?;
    let mut reader = store.reader().await?;
    let district = ferment_store::territories::find_by_code(&mut reader, REGIONAL_DISTRICT)
        .await?
        .context("Приволжский ФО in the territory seed")?
        .record
        .meta
        .id;
    drop(reader);
    let user = User {
        login: "bench-regional".into(),
        full_name: "Региональный менеджер (бенчмарк)".into(),
        email: None,
        phone: None,
        territory_id: Some(district),
        active: true,
        roles: vec![ferment_domain::access::roles::REGIONAL_MANAGER.into()],
        department_id: None,
        ip_allow: Vec::new(),
        overrides: Default::default(),
    };
    let id = ferment_web::auth::ensure_user(store, &user, &ferment_web::auth::new_secret()).await?;
    Ok((id, district))
}

/// The `admin` user (with a throw-away password: the benchmark signs in with a token and a session).
async fn ensure_admin(store: &Store) -> anyhow::Result<Uuid> {
    let admin = User {
        login: "admin".into(),
        full_name: "Администратор".into(),
        email: None,
        phone: None,
        territory_id: None,
        active: true,
        roles: vec!["admin".into()],
        department_id: None,
        ip_allow: Vec::new(),
        overrides: Default::default(),
    };
    ferment_web::auth::ensure_user(store, &admin, &ferment_web::auth::new_secret()).await
}

/// The demo's sales team; returns login → id.
async fn create_team(store: &Store, seed: u64) -> anyhow::Result<HashMap<String, Uuid>> {
    let mut tx = store.begin().await?;
    let mut owners = HashMap::new();
    for member in ferment_demo::generate(seed).users {
        let territory = territories::find_by_code(&mut tx, &member.territory_code)
            .await?
            .with_context(|| format!("territory {} of {}", member.territory_code, member.login))?;
        let user = User {
            login: member.login.clone(),
            full_name: member.full_name,
            email: Some(member.email),
            phone: Some(member.phone),
            territory_id: Some(territory.record.meta.id),
            active: true,
            roles: member.roles,
            department_id: None,
            ip_allow: Vec::new(),
            overrides: Default::default(),
        };
        let id = users::insert(&mut tx, None, &user, None).await?.meta.id;
        owners.insert(member.login, id);
    }
    tx.commit().await?;
    Ok(owners)
}

/// Streams `rows` generated counterparties into the store, [`BATCH`] per transaction, generating the
/// next batch on another thread while the current one is written.
async fn load_counterparties(
    store: &Store,
    rows: u64,
    seed: u64,
    owners: HashMap<String, Uuid>,
) -> anyhow::Result<()> {
    let mut reader = store.reader().await?;
    let regions: HashMap<String, Uuid> = territories::list(&mut reader)
        .await?
        .into_iter()
        .map(|t| (t.record.data.code, t.record.meta.id))
        .collect();
    drop(reader);
    let mut logins: Vec<String> = owners.keys().cloned().collect();
    logins.sort();

    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<Counterparty>>(2);
    let generator = std::thread::spawn(move || -> anyhow::Result<()> {
        let mut start = 0;
        while start < rows {
            let end = (start + BATCH).min(rows);
            let batch = (start..end)
                .map(|index| generate(seed, index, &logins, &regions, &owners))
                .collect::<anyhow::Result<Vec<_>>>()?;
            if sender.blocking_send(batch).is_err() {
                break;
            }
            start = end;
        }
        Ok(())
    });

    if store.dialect() == Dialect::Sqlite {
        // A page cache big enough for the indexes being filled, so that a 10 000-row transaction
        // does not spill pages to the WAL before it commits (the default is 2 MB). It stays set on
        // the application's single writer connection, which is harmless.
        let mut tx = store.begin().await?;
        sqlx::query("PRAGMA cache_size = -524288")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    let started = Instant::now();
    let mut written = 0u64;
    let mut reported = 0u64;
    while let Some(batch) = receiver.recv().await {
        let mut tx = store.begin().await?;
        bulk::insert_counterparties(&mut tx, None, &batch).await?;
        tx.commit().await?;
        written += batch.len() as u64;
        if written - reported >= 100_000 || written == rows {
            reported = written;
            let seconds = started.elapsed().as_secs_f64();
            eprintln!(
                "   {written:>9} rows  {seconds:>7.1} s  {:>6.0} rows/s",
                written as f64 / seconds.max(1e-9)
            );
        }
    }
    generator
        .join()
        .map_err(|_| anyhow::anyhow!("the generator thread panicked"))??;
    if written != rows {
        bail!("wrote {written} counterparties, expected {rows}");
    }
    Ok(())
}

/// Counterparty `index` of the demo under `seed`, with its territory and owner resolved, validated.
fn generate(
    seed: u64,
    index: u64,
    logins: &[String],
    regions: &HashMap<String, Uuid>,
    owners: &HashMap<String, Uuid>,
) -> anyhow::Result<Counterparty> {
    let mut demo = ferment_demo::counterparty(seed, index, logins);
    let territory = regions
        .get(&demo.territory_code)
        .with_context(|| format!("territory {} is not in the seed", demo.territory_code))?;
    demo.input.territory_id = territory.to_string();
    demo.input.owner_id = owners
        .get(&demo.owner_login)
        .map(Uuid::to_string)
        .unwrap_or_default();
    demo.input
        .validate()
        .map_err(|errors| anyhow::anyhow!("generated counterparty {index} is invalid: {errors:?}"))
}

/// SQLite: copies the whole WAL into the database file and empties it, trying again until no
/// reader holds it back (a checkpoint a reader blocks reports `busy` and leaves the rest). Timed
/// right after a load, requests shared the machine with the copying of the load's WAL (hundreds of
/// megabytes): the card page measured 19–59 ms median then and 3.1–3.8 ms on the same database
/// reused.
pub async fn settle_wal(store: &Store) -> anyhow::Result<()> {
    for _ in 0..120 {
        let mut connection = store.reader().await?;
        let row = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut *connection)
            .await?;
        if row.try_get::<i64, _>(0)? == 0 {
            return Ok(());
        }
        drop(connection);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    bail!("the WAL could not be emptied in a minute")
}

/// Refreshes the planner's statistics. On PostgreSQL also vacuums, as autovacuum would soon after a
/// load (it sets the visibility map that index-only scans rely on); on SQLite folds the WAL back into
/// the database file.
async fn analyze(target: &Target, store: &Store) -> anyhow::Result<()> {
    match target {
        Target::Sqlite { .. } => {
            store.analyze().await?;
            settle_wal(store).await?;
        }
        Target::Postgres { .. } => {
            // VACUUM cannot run in a transaction, so not through the store's pools.
            let mut connection = sqlx::PgConnection::connect(&target.url()).await?;
            sqlx::query(
                "VACUUM counterparties, counterparty_bank_accounts, search_terms, change_log",
            )
            .execute(&mut connection)
            .await?;
            connection.close().await?;
            store.analyze().await?;
        }
    }
    Ok(())
}

/// The database's size on disk.
pub async fn size(target: &Target, store: &Store) -> anyhow::Result<u64> {
    match target {
        Target::Sqlite { path } => {
            let mut total = 0;
            for suffix in ["", "-wal"] {
                if let Ok(meta) = std::fs::metadata(format!("{}{suffix}", path.display())) {
                    total += meta.len();
                }
            }
            Ok(total)
        }
        Target::Postgres { .. } => {
            let mut reader = store.reader().await?;
            let bytes: i64 = sqlx::query("SELECT pg_database_size(current_database())")
                .fetch_one(&mut *reader)
                .await?
                .try_get(0)?;
            Ok(bytes as u64)
        }
    }
}
