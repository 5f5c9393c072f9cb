//! `ferment-bench`: the million-row benchmark.
//!
//! For each database asked for it creates a fresh database (an SQLite file under `--data-dir`, or a
//! PostgreSQL database on the server of `FERMENT_TEST_PG_URL`), loads the reference data, the demo
//! team and `--rows` generated counterparties ([`load`]) and, when a sales scenario is asked for,
//! `--sales` generated sales with their tasks ([`sales`]), starts the real application in-process on
//! `127.0.0.1:0`, and times `--requests` HTTP requests per scenario through the API and the pages
//! ([`measure`]): (a) a region's list sorted by name (first page and, through the cursor, the
//! second), (b) a search by an ИНН prefix, (c) a search by a word of the name, (d) a counterparty's
//! card, (e) the sales board, (f) a manager's open tasks and (g) completing a task. Every response
//! must be `200`; the medians, 90th and 99th percentiles and means are printed as a Markdown table.
//!
//! ```text
//! cargo run --release -p ferment-bench -- --rows 1000000 --database both
//! cargo run --release -p ferment-bench -- --rows 100000 --sales 100000 --only e,f,g --as admin,regional
//! ```

mod inputs;
mod load;
mod measure;
mod sales;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, ValueEnum};

/// The allocator the `ferment` binary runs with, so the figures are the product's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// How many sales to generate and load (with about ten tasks each) when a sales scenario
    /// (e, f, g) runs.
    #[arg(long, default_value_t = 100_000)]
    sales: u64,
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
    /// Only these scenarios (comma-separated; all by default): a region list, b ИНН search, c name
    /// search, d card, e sales board, f my open tasks, g complete a task.
    #[arg(long, value_delimiter = ',', default_values_t = ['a', 'b', 'c', 'd', 'e', 'f', 'g'])]
    only: Vec<char>,
    /// Time the counterparty scenarios (a–d) through these (comma-separated): `api`, `page`.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [measure::Via::Api, measure::Via::Page])]
    via: Vec<measure::Via>,
    /// Request every timed input once, untimed, before timing it: the figures are then those of a
    /// warm cache, and the order in which principals run no longer favours the later ones (which
    /// would otherwise find the earlier one's pages cached).
    #[arg(long)]
    warm: bool,
    /// Print the N slowest requests of each scenario with their paths (and, with --warm, the time
    /// the same request took in the untimed pass): tells a slow input from a busy moment.
    #[arg(long, default_value_t = 0)]
    slowest: usize,
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
    if let Some(unknown) = args.only.iter().find(|c| !('a'..='g').contains(*c)) {
        anyhow::bail!("--only: unknown scenario {unknown:?} (a–g)");
    }
    let counterparty_scenarios = args.only.iter().any(|c| ('a'..='d').contains(c));
    let sales_scenarios = args.only.iter().any(|c| ('e'..='g').contains(c));
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
        let sales = if sales_scenarios {
            Some(sales::prepare(&target, &loaded.store, args.sales, args.seed, args.reuse).await?)
        } else {
            None
        };
        let regional = if args.principals.contains(&Principal::Regional) {
            Some(load::ensure_regional_manager(&loaded.store).await?)
        } else {
            None
        };
        let within = regional.map(|(_, district)| district);
        let inputs = if counterparty_scenarios {
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
            Some(inputs)
        } else {
            None
        };
        // Tasks to complete: distinct for every principal, a fifth of them to warm up.
        let per_principal = args.requests + args.requests / 5;
        let to_complete = if sales_scenarios && args.only.contains(&'g') {
            let allowed = match within {
                Some(district) => {
                    let mut reader = loaded.store.reader().await?;
                    Some(
                        ferment_store::counterparties::territory_and_inside(&mut reader, district)
                            .await?
                            .into_iter()
                            .collect(),
                    )
                }
                None => None,
            };
            sales::open_tasks_to_complete(
                &loaded.store,
                per_principal * args.principals.len(),
                args.seed,
                allowed.as_ref(),
            )
            .await?
        } else {
            Vec::new()
        };
        for (n, principal) in args.principals.iter().enumerate() {
            let user_id = match (principal, regional) {
                (Principal::Regional, Some((id, _))) => id,
                _ => loaded.admin_id,
            };
            eprintln!("   as {}", principal.label());
            let load_average = measure::load_average();
            let mut results = match &inputs {
                Some(inputs) => {
                    measure::run(
                        &loaded,
                        user_id,
                        inputs,
                        &measure::Plan {
                            requests: args.requests,
                            only: &args.only,
                            via: &args.via,
                            warm: args.warm,
                            slowest: args.slowest,
                        },
                    )
                    .await?
                }
                None => measure::Results {
                    timings: Vec::new(),
                    pages_skipped: None,
                },
            };
            if let Some(sales) = &sales {
                let complete = to_complete
                    .get(n * per_principal..(n + 1) * per_principal)
                    .unwrap_or_default();
                let (timings, page_skipped) = sales::run(&sales::Run {
                    store: &loaded.store,
                    user_id,
                    // A manager's own tasks do not depend on the principal: timed once.
                    manager: (n == 0).then_some(sales.manager.0),
                    complete,
                    requests: args.requests,
                    only: &args.only,
                    warm: args.warm,
                })
                .await?;
                results.timings.extend(timings);
                if let Some(reason) = page_skipped {
                    results.pages_skipped = Some(match results.pages_skipped.take() {
                        Some(other) => format!("{other}; {reason}"),
                        None => reason,
                    });
                }
            }
            reports.push(measure::Report {
                kind,
                rows: args.rows,
                sales: sales.as_ref().map(|s| s.report.clone()),
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
        "Machine: {}; client and server share it. `ferment-bench --rows {}{} --requests {}`.\n",
        measure::machine(),
        args.rows,
        if sales_scenarios {
            format!(" --sales {}", args.sales)
        } else {
            String::new()
        },
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
