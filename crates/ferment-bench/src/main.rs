//! `ferment-bench`: the million-counterparty benchmark.
//!
//! For each database asked for it creates a fresh database (an SQLite file under `--data-dir`, or a
//! PostgreSQL database on the server of `FERMENT_TEST_PG_URL`), loads the reference data, the demo
//! team and `--rows` generated counterparties ([`load`]), starts the real application in-process on
//! `127.0.0.1:0`, and times `--requests` HTTP requests per scenario through the API and the pages
//! ([`measure`]): a region's list sorted by name (first page and, through the cursor, the second), a
//! search by an ИНН prefix, a search by a word of the name, and a counterparty's card. Every
//! response must be `200`; the medians, 99th percentiles and means are printed as a Markdown table.
//!
//! ```text
//! cargo run --release -p ferment-bench -- --rows 1000000 --database both
//! ```

mod inputs;
mod load;
mod measure;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, ValueEnum};

/// Which databases to benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Databases {
    /// An SQLite file under `--data-dir`.
    Sqlite,
    /// A database on the PostgreSQL server of `FERMENT_TEST_PG_URL`.
    Postgres,
    /// Both, SQLite first.
    Both,
}

/// Who the requests are made as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Principal {
    /// `admin`: every counterparty, no scope filter.
    Admin,
    /// A regional manager of Приволжский ФО (`bench-regional`, role `regional_manager`): lists,
    /// searches and cards filtered to that district in SQL.
    Regional,
}

impl Principal {
    fn label(self) -> &'static str {
        match self {
            Principal::Admin => "admin",
            Principal::Regional => "regional manager",
        }
    }
}

/// Loads generated counterparties into SQLite and/or PostgreSQL and times the list, the searches
/// and the card through the API and the pages of the real application.
#[derive(Debug, Parser)]
#[command(name = "ferment-bench", version)]
struct Args {
    /// How many counterparties to generate and load.
    #[arg(long, default_value_t = 1_000_000)]
    rows: u64,
    /// Which databases to benchmark.
    #[arg(long, value_enum, default_value_t = Databases::Both)]
    database: Databases,
    /// Timed requests per scenario (after a warm-up of a fifth as many).
    #[arg(long, default_value_t = 500)]
    requests: usize,
    /// Where the SQLite database file goes.
    #[arg(long, default_value = "./bench-data")]
    data_dir: PathBuf,
    /// Reuse a database a previous run loaded with the same --rows instead of loading afresh.
    #[arg(long)]
    reuse: bool,
    /// Seed of the demo generator (and of the choice of inputs).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Only these scenarios (letters a–d, comma-separated; all by default).
    #[arg(long, value_delimiter = ',', default_values_t = ['a', 'b', 'c', 'd'])]
    only: Vec<char>,
    /// Request every timed input once, untimed, before timing it: the figures are then those of a
    /// warm cache, and the order in which principals run no longer favours the later ones (which
    /// would otherwise find the earlier one's pages cached).
    #[arg(long)]
    warm: bool,
    /// Whom to time the requests as (comma-separated). With `regional`, every principal gets the same
    /// inputs, drawn from the regional manager's district, so the figures compare like for like.
    #[arg(long = "as", value_enum, value_delimiter = ',', default_values_t = [Principal::Admin])]
    principals: Vec<Principal>,
    /// The PostgreSQL server (a role allowed to create databases).
    #[arg(long, env = "FERMENT_TEST_PG_URL", hide_env_values = true)]
    postgres_url: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // Quiet unless asked: `RUST_LOG=sqlx=debug` shows every statement with its time.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut kinds = Vec::new();
    if matches!(args.database, Databases::Sqlite | Databases::Both) {
        kinds.push(load::Kind::Sqlite);
    }
    if matches!(args.database, Databases::Postgres | Databases::Both) {
        kinds.push(load::Kind::Postgres);
    }
    let started = Instant::now();
    let mut reports = Vec::new();
    for kind in kinds {
        let target = match kind {
            load::Kind::Sqlite => load::Target::sqlite(&args.data_dir, args.rows)?,
            load::Kind::Postgres => {
                let server = args.postgres_url.as_deref().context(
                    "PostgreSQL asked for but FERMENT_TEST_PG_URL (or --postgres-url) is not set; \
                     run `source /tmp/ferment-test-services/env.sh` after scripts/test-services.sh",
                )?;
                load::Target::postgres(server, args.rows)
            }
        };
        eprintln!("== {} ({})", kind.label(), target.describe());
        let loaded = load::prepare(&target, args.rows, args.seed, args.reuse).await?;
        let regional = if args.principals.contains(&Principal::Regional) {
            Some(load::ensure_regional_manager(&loaded.store).await?)
        } else {
            None
        };
        let within = regional.map(|(_, district)| district);
        let inputs = inputs::choose(
            &loaded.store,
            args.requests,
            args.requests / 5,
            args.seed,
            within,
        )
        .await?;
        eprintln!(
            "   inputs: {} regions holding rows, {} sample counterparties",
            inputs.regions.len(),
            inputs.samples.len()
        );
        for principal in &args.principals {
            let user_id = match (principal, regional) {
                (Principal::Regional, Some((id, _))) => id,
                _ => loaded.admin_id,
            };
            eprintln!("   as {}", principal.label());
            let load_average = measure::load_average();
            let results = measure::run(
                &loaded,
                user_id,
                &inputs,
                args.requests,
                &args.only,
                args.warm,
            )
            .await?;
            reports.push(measure::Report {
                kind,
                rows: args.rows,
                load: loaded.load.clone(),
                results,
                load_average,
                principal: principal.label(),
                within_district: within.is_some(),
            });
        }
        loaded.store.close().await;
    }
    println!();
    println!(
        "Machine: {}; client and server share it. `ferment-bench --rows {} --requests {}`.\n",
        measure::machine(),
        args.rows,
        args.requests
    );
    for report in &reports {
        println!("{}", report.markdown());
    }
    for pair in reports.windows(2) {
        if pair[0].kind == pair[1].kind && pair[0].principal != pair[1].principal {
            println!("{}", measure::compare(&pair[0], &pair[1]));
        }
    }
    eprintln!("total time {:.0?}", started.elapsed());
    let missed: Vec<String> = reports.iter().flat_map(|r| r.missed_targets()).collect();
    if !missed.is_empty() {
        eprintln!("targets missed:");
        for line in missed {
            eprintln!("  {line}");
        }
    }
    Ok(())
}
