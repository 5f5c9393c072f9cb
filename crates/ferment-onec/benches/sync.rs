//! The 1C sync benchmark: a full load from the emulator, then an incremental run after 1 % of the
//! products, counterparties and documents changed in 1C.
//!
//! ```text
//! cargo bench -p ferment-onec --bench sync -- --products 100000 --stock-rows 1000000 --documents 200000
//! cargo bench -p ferment-onec --bench sync -- --database postgres   # on FERMENT_TEST_PG_URL's server
//! ```
//!
//! Data size: `--products` nomenclature items, `--stock-rows` stock movements in 1C (the balance
//! Ferment reads has one line per product, warehouse and characteristic with stock), `--documents`
//! documents of all kinds (orders, invoices, payments, shipments). Defaults: the issue's figures.

use std::time::{Duration, Instant};

/// The allocator the `ferment` binary runs with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use ferment_onec::secret::Sealer;
use ferment_onec::sync::{self, Options};
use ferment_onec_emulator::{Config, Profile, Sizes};
use ferment_store::Store;
use serde_json::json;
use uuid::Uuid;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn database() -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--database")
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| "sqlite".into())
}

fn print_run(what: &str, took: Duration, run: &ferment_store::onec::Run) {
    println!("\n{what}: {:.1} s, {}", took.as_secs_f64(), run.status);
    println!("| object | received | created | updated | unchanged | failed |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (object, c) in &run.counts {
        println!(
            "| {object} | {} | {} | {} | {} | {} |",
            c.received, c.created, c.updated, c.unchanged, c.failed
        );
    }
    if let Some(error) = &run.error {
        println!("error: {error}");
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("ferment_onec=info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let products = arg("--products", 100_000);
    let stock_rows = arg("--stock-rows", 1_000_000);
    let documents = arg("--documents", 200_000);
    let database = match database().as_str() {
        "postgres" => {
            let server = ferment_store::testing::postgres_url()
                .ok_or_else(|| anyhow::anyhow!("set FERMENT_TEST_PG_URL"))?;
            ferment_store::testing::postgres(&server).await?
        }
        _ => ferment_store::testing::sqlite(),
    };
    println!(
        "1C sync benchmark on {}: {products} products, {stock_rows} stock movements, {documents} documents (profile ut11)",
        database.label
    );
    let started = Instant::now();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let config = Config {
        sizes: Sizes {
            products: Some(products),
            documents: Some(documents),
            stock_rows: Some(stock_rows),
        },
        ..Config::new(Profile::Ut11)
    };
    let onec = ferment_onec_emulator::start(config, listener).await?;
    println!(
        "emulator generated in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let store = Store::connect(&database.url).await?;
    store.migrate().await?;
    store.seed_reference_data().await?;
    let sealer = Sealer::new([42; 32]);
    let input = ferment_domain::onec::ConnectionInput {
        name: "bench".into(),
        url: onec.url(),
        login: "odata".into(),
        password: "odata".into(),
        profile: "ut11".into(),
        ..Default::default()
    };
    let connection = input.validate(true).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let id = {
        let mut tx = store.begin().await?;
        let record =
            ferment_store::onec::insert_connection(&mut tx, &connection, &sealer.seal("odata"))
                .await?;
        tx.commit().await?;
        record.meta.id
    };
    let options = Options {
        trigger: "bench".into(),
        ..Options::default()
    };

    let started = Instant::now();
    let run = sync::run(&store, &sealer, id, &options).await?;
    print_run("full load", started.elapsed(), &run);

    // 1 % of the products, counterparties and documents change in 1C.
    let changed = |set: &str, field: &str, every: usize| {
        let keys: Vec<Uuid> = onec
            .list(set)
            .iter()
            .filter(|o| o["IsFolder"] != true)
            .filter_map(|o| o["Ref_Key"].as_str().and_then(|k| Uuid::parse_str(k).ok()))
            .collect();
        let mut count = 0;
        for key in keys.iter().step_by(every) {
            if onec
                .update(set, *key, json!({field: format!("Изменено {count}")}))
                .is_ok()
            {
                count += 1;
            }
        }
        count
    };
    let products_changed = changed("Catalog_Номенклатура", "Description", 100);
    let clients_changed = changed("Catalog_Контрагенты", "Комментарий", 100);
    let orders_changed = changed("Document_ЗаказКлиента", "Комментарий", 100);
    println!(
        "\nchanged in 1C: {products_changed} products, {clients_changed} counterparties, {orders_changed} orders"
    );
    let started = Instant::now();
    let run = sync::run(&store, &sealer, id, &options).await?;
    print_run("incremental run (1 % changed)", started.elapsed(), &run);
    onec.shutdown().await;
    store.close().await;
    Ok(())
}
