//! The sales part of the benchmark (issue 4): `--sales` generated sales with their tasks, each
//! played through the process engine (`ferment_store::bulk_sales::Replay`) and bulk-written beside
//! the counterparties; then the kanban board, a manager's open tasks and task completion, timed
//! through the API.
//!
//! Each sale belongs to a counterparty drawn uniformly from the loaded ones (its owner, the
//! counterparty's owner, makes every move; its territory is the counterparty's), has 1–3 lines of
//! the demo catalogue (whose stock decides the sample tasks), and a script chosen move by move: a
//! process type (full or short), a stage to stop at (every open stage of the type, equally often)
//! and a few moves inside it; on the way each open process task is completed with a usual outcome
//! before the next stage is entered (now and then the sale moves on early and the engine cancels
//! what was open), and calls, meetings and letters are set and done by hand.

use std::collections::{HashMap, HashSet};
use std::time::{Duration as StdDuration, Instant};

use anyhow::{Context, bail};
use chrono::{Duration, Utc};
use ferment_domain::catalog::ProductGroup;
use ferment_domain::process::engine::LineFacts;
use ferment_domain::process::{ContractKind, DEFAULT_TOML, Definition, default_definition};
use ferment_domain::sale::{Contract, ContractLine, ContractParty, Sale, SaleLine};
use ferment_store::bulk_sales::{self, People, Planned, Replay, Script, Step};
use ferment_store::{Dialect, Store, processes, products, users, warehouses};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use sqlx::{Connection, Row as _};
use uuid::Uuid;

use crate::load::Target;
use crate::measure::{Scenario, Session, Timing, Via, megabytes, thousands};

/// Sales per transaction (about 10 000 tasks).
const BATCH: u64 = 1_000;

/// How the sales got there.
#[derive(Debug, Clone)]
pub struct SalesReport {
    /// Sales.
    pub sales: u64,
    /// Open sales.
    pub open_sales: u64,
    /// Tasks.
    pub tasks: u64,
    /// Open tasks.
    pub open_tasks: u64,
    /// Rows of `sale_events`.
    pub events: u64,
    /// Whether an earlier run's sales were reused.
    pub reused: bool,
    /// Seconds spent generating and writing.
    pub load_seconds: f64,
    /// Seconds spent on ANALYZE (and VACUUM).
    pub analyze_seconds: f64,
    /// The database's size afterwards.
    pub size_bytes: u64,
    /// Open sales per stage, in process order.
    pub stages: Vec<(String, u64)>,
}

impl SalesReport {
    /// One paragraph for the report.
    pub fn describe(&self) -> String {
        let load = if self.reused {
            "loaded by an earlier run (reused)".to_string()
        } else {
            format!(
                "loaded in {:.0} s ({} sales/s), then ANALYZE {:.0} s",
                self.load_seconds,
                thousands((self.sales as f64 / self.load_seconds.max(1e-9)) as u64),
                self.analyze_seconds
            )
        };
        let stages: Vec<String> = self
            .stages
            .iter()
            .map(|(stage, n)| format!("{stage} {}", thousands(*n)))
            .collect();
        format!(
            "Sales: {} ({} open: {}), {} tasks ({} open), {} events; {load}; database {}.",
            thousands(self.sales),
            thousands(self.open_sales),
            stages.join(", "),
            thousands(self.tasks),
            thousands(self.open_tasks),
            thousands(self.events),
            megabytes(self.size_bytes)
        )
    }
}

/// The sales data, ready for the scenarios.
#[derive(Debug, Clone)]
pub struct SalesLoaded {
    /// How it was loaded.
    pub report: SalesReport,
    /// The sales manager with the most open tasks (id, login, open tasks).
    pub manager: (Uuid, String, i64),
}

/// A product of the catalogue, as sales need it.
#[derive(Debug, Clone)]
struct CatalogProduct {
    id: Uuid,
    name: String,
    article: Option<String>,
    unit: String,
    price: i64,
    vat_rate: i64,
    needs_sample: bool,
    in_office: bool,
    in_warehouse: bool,
}

/// A counterparty a sale is about.
#[derive(Debug, Clone)]
struct Client {
    id: Uuid,
    owner_id: Option<Uuid>,
    territory_id: Option<Uuid>,
    party: ContractParty,
}

/// What every generated sale shares.
struct Shared {
    definition: Definition,
    process_id: Uuid,
    catalog: Vec<CatalogProduct>,
    product_names: HashMap<Uuid, String>,
    people: People,
    head: Uuid,
    seed: u64,
    now: chrono::DateTime<Utc>,
}

/// The moves of the full process, in order (after `qualification`).
const FULL: &[&str] = &[
    "preliminary_kp",
    "recipe",
    "samples",
    "pilot_visit",
    "industrial_trial",
    "kp",
    "contract",
    "awaiting_order",
];

/// The moves of the short process.
const SHORT: &[&str] = &["preliminary_kp", "kp", "contract", "awaiting_order"];

const TITLES: &[&str] = &[
    "Стабилизация питьевого йогурта",
    "Улучшитель для батонов",
    "Каррагинан для ветчины",
    "Ароматизатор для мороженого",
    "Пектин для мармелада",
    "Крахмал для соусов",
    "Закваска для творога",
    "Эмульгатор для спредов",
    "Глазурь для сырков",
    "Фосфаты для сосисок",
];

const DELIVERY: &[&str] = &[
    "FCA Подольск, партиями раз в месяц",
    "Доставка до склада клиента за счёт поставщика",
    "Самовывоз со склада в Новосибирске",
];

const CALLS: &[(&str, &str)] = &[
    ("call", "Созвониться с технологом клиента"),
    ("call", "Уточнить объёмы на квартал"),
    ("meeting", "Встреча с закупщиком"),
    ("email", "Отправить сертификаты и спецификации"),
    ("todo", "Подготовить расчёт цены"),
];

/// Loads `--sales` sales unless `reuse` finds that many; returns the report and the manager for
/// "my tasks".
pub async fn prepare(
    target: &Target,
    store: &Store,
    sales: u64,
    seed: u64,
    reuse: bool,
) -> anyhow::Result<SalesLoaded> {
    let mut reader = store.reader().await?;
    let count: i64 = sqlx::query("SELECT COUNT(*) FROM sales")
        .fetch_one(&mut *reader)
        .await?
        .try_get(0)?;
    drop(reader);
    let team = team(store, seed).await?;
    let (reused, load_seconds, analyze_seconds) = if reuse && count as u64 == sales {
        eprintln!("   reusing {count} sales loaded before");
        (true, 0.0, 0.0)
    } else {
        if count > 0 {
            eprintln!("   found {count} sales, not {sales}: removing them and loading afresh");
            clear(store).await?;
        }
        let started = Instant::now();
        load(store, sales, seed, &team).await?;
        let load_seconds = started.elapsed().as_secs_f64();
        let started = Instant::now();
        analyze(target, store).await?;
        let analyze_seconds = started.elapsed().as_secs_f64();
        eprintln!("   analysed in {analyze_seconds:.1} s");
        (false, load_seconds, analyze_seconds)
    };
    let report = report(target, store, reused, load_seconds, analyze_seconds).await?;
    eprintln!("   {}", report.describe());
    let manager = busiest_manager(store, &team).await?;
    eprintln!(
        "   my tasks as {} ({} open tasks)",
        manager.1,
        thousands(manager.2 as u64)
    );
    Ok(SalesLoaded { report, manager })
}

/// The demo team's ids by login (the team was created with the counterparties).
async fn team(store: &Store, seed: u64) -> anyhow::Result<HashMap<String, Uuid>> {
    let mut reader = store.reader().await?;
    let mut ids = HashMap::new();
    for member in ferment_demo::generate(seed).users {
        let (user, _) = users::find_by_login(&mut reader, &member.login)
            .await?
            .with_context(|| format!("the demo user {} is missing", member.login))?;
        ids.insert(member.login, user.meta.id);
    }
    Ok(ids)
}

/// Removes every sale and task with their lines, events, search words and history (a reused
/// database holding another number of sales).
async fn clear(store: &Store) -> anyhow::Result<()> {
    let mut tx = store.begin().await?;
    for statement in [
        "DELETE FROM sale_costs",
        "DELETE FROM tasks",
        "DELETE FROM sale_events",
        "DELETE FROM sale_lines",
        "DELETE FROM search_terms WHERE record_kind = 'sale'",
        "DELETE FROM change_log WHERE record_kind IN ('sale', 'task')",
        "DELETE FROM sales",
    ] {
        sqlx::query(statement).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The demo catalogue (groups, products, warehouses, stock), loaded when missing; its products with
/// where they are in stock.
async fn catalog(store: &Store, seed: u64) -> anyhow::Result<Vec<CatalogProduct>> {
    let demo = ferment_demo::generate(seed);
    let mut tx = store.begin().await?;
    let first = demo.products.first().context("the demo has no products")?;
    if products::find_by_code(&mut tx, &first.input.code, None)
        .await?
        .is_none()
    {
        let mut groups: HashMap<&str, Uuid> = HashMap::new();
        for group in &demo.product_groups {
            let parent_id = group
                .parent_key
                .as_ref()
                .and_then(|key| groups.get(key.as_str()).copied());
            let id = products::insert_group(
                &mut tx,
                None,
                &ProductGroup {
                    name: group.name.clone(),
                    parent_id,
                },
            )
            .await?;
            groups.insert(group.key.as_str(), id);
        }
        let mut product_ids = HashMap::new();
        for item in &demo.products {
            let mut product = item
                .input
                .validate()
                .map_err(|errors| anyhow::anyhow!("demo product invalid: {errors:?}"))?;
            product.group_id = groups.get(item.group_key.as_str()).copied();
            let record = products::insert(&mut tx, None, &product).await?;
            product_ids.insert(product.code.clone(), record.meta.id);
        }
        let mut warehouse_ids = HashMap::new();
        for item in &demo.warehouses {
            let warehouse = item
                .input
                .validate()
                .map_err(|errors| anyhow::anyhow!("demo warehouse invalid: {errors:?}"))?;
            let record = warehouses::insert(&mut tx, None, &warehouse).await?;
            warehouse_ids.insert(item.key.clone(), record.meta.id);
        }
        for line in &demo.stock {
            let (Some(warehouse), Some(product)) = (
                warehouse_ids.get(&line.warehouse_key),
                product_ids.get(&line.product_code),
            ) else {
                bail!("demo stock of an unknown product or warehouse");
            };
            warehouses::set_stock(&mut tx, None, *warehouse, *product, line.quantity).await?;
        }
        eprintln!(
            "   loaded the demo catalogue: {} products, {} warehouses, {} stock lines",
            demo.products.len(),
            demo.warehouses.len(),
            demo.stock.len()
        );
    }
    let mut found = Vec::new();
    for item in &demo.products {
        let (id, _) = products::find_by_code(&mut tx, &item.input.code, None)
            .await?
            .context("a demo product is missing")?;
        found.push(products::get(&mut tx, id).await?);
    }
    let ids: Vec<Uuid> = found.iter().map(|p| p.meta.id).collect();
    let presence = warehouses::presence(&mut tx, &ids).await?;
    tx.commit().await?;
    Ok(found
        .into_iter()
        .map(|record| {
            let stock = presence.get(&record.meta.id).copied().unwrap_or_default();
            CatalogProduct {
                id: record.meta.id,
                name: record.data.name,
                article: record.data.article,
                unit: record.data.unit.code().to_string(),
                price: record.data.price,
                vat_rate: record.data.vat_rate,
                needs_sample: record.data.needs_sample,
                in_office: stock.in_office,
                in_warehouse: stock.in_warehouse,
            }
        })
        .collect())
}

/// The active version of the sales process; the shipped default is saved as version 1 when there
/// is none (as the application does on its first sale).
async fn process(store: &Store) -> anyhow::Result<Uuid> {
    let mut tx = store.begin().await?;
    let row = match processes::active(&mut tx, "sales").await? {
        Some(row) => row,
        None => {
            processes::save(
                &mut tx,
                None,
                "sales",
                DEFAULT_TOML,
                Some("Процесс из поставки / shipped default"),
            )
            .await?
        }
    };
    tx.commit().await?;
    Ok(row.id)
}

/// `sales` counterparties drawn uniformly, with replacement, from the whole table (keyset scan in
/// id order), each with what a sale and its contract need.
async fn clients(store: &Store, sales: u64, seed: u64) -> anyhow::Result<Vec<Client>> {
    let mut reader = store.reader().await?;
    let total: i64 = sqlx::query("SELECT COUNT(*) FROM counterparties WHERE deleted_at IS NULL")
        .fetch_one(&mut *reader)
        .await?
        .try_get(0)?;
    if total == 0 {
        bail!("sales need counterparties");
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5a1e_5c11);
    let mut wanted: HashMap<u64, Vec<usize>> = HashMap::new();
    for sale in 0..sales as usize {
        wanted
            .entry(rng.random_range(0..total as u64))
            .or_default()
            .push(sale);
    }
    let mut chosen: Vec<Option<Client>> = vec![None; sales as usize];
    let mut rank = 0u64;
    let mut after = String::new();
    loop {
        let page = sqlx::query(
            "SELECT c.id, c.owner_id, c.territory_id, c.name, c.full_name, c.inn, c.kpp, c.ogrn, \
             c.legal_address, b.bik, b.bank_name, b.correspondent_account, b.account \
             FROM counterparties c LEFT JOIN counterparty_bank_accounts b \
             ON b.counterparty_id = c.id AND b.position = 0 \
             WHERE c.deleted_at IS NULL AND c.id > $1 ORDER BY c.id LIMIT 20000",
        )
        .bind(&after)
        .fetch_all(&mut *reader)
        .await?;
        let Some(last) = page.last() else { break };
        after = last.try_get("id")?;
        for row in &page {
            if let Some(sales) = wanted.get(&rank) {
                let id = |column: &str| -> anyhow::Result<Option<Uuid>> {
                    Ok(row
                        .try_get::<Option<String>, _>(column)?
                        .map(|text| Uuid::parse_str(&text))
                        .transpose()?)
                };
                let client = Client {
                    id: id("id")?.context("an id")?,
                    owner_id: id("owner_id")?,
                    territory_id: id("territory_id")?,
                    party: ContractParty {
                        name: row.try_get("name")?,
                        full_name: row.try_get("full_name")?,
                        inn: row.try_get("inn")?,
                        kpp: row.try_get("kpp")?,
                        ogrn: row.try_get("ogrn")?,
                        legal_address: row.try_get("legal_address")?,
                        bik: row.try_get("bik")?,
                        bank_name: row.try_get("bank_name")?,
                        correspondent_account: row.try_get("correspondent_account")?,
                        account: row.try_get("account")?,
                    },
                };
                for sale in sales {
                    chosen[*sale] = Some(client.clone());
                }
            }
            rank += 1;
        }
    }
    chosen
        .into_iter()
        .map(|client| client.context("a counterparty vanished during the scan"))
        .collect()
}

/// Generates and writes `sales` sales, [`BATCH`] per transaction, planning the next batch on
/// another thread while the current one is written.
async fn load(
    store: &Store,
    sales: u64,
    seed: u64,
    team: &HashMap<String, Uuid>,
) -> anyhow::Result<()> {
    let catalog = catalog(store, seed).await?;
    let process_id = process(store).await?;
    let clients = clients(store, sales, seed).await?;
    let people = People {
        by_role: [("technologist", "technologist"), ("logistics", "logist")]
            .into_iter()
            .filter_map(|(role, login)| team.get(login).map(|id| (role.to_string(), *id)))
            .collect(),
        by_login: team.clone(),
    };
    let context = Shared {
        definition: default_definition(),
        process_id,
        product_names: catalog.iter().map(|p| (p.id, p.name.clone())).collect(),
        catalog,
        people,
        head: *team.get("head").context("the demo head of sales")?,
        seed,
        now: Utc::now(),
    };

    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<Planned>>(2);
    let generator = std::thread::spawn(move || -> anyhow::Result<()> {
        let mut start = 0;
        while start < sales {
            let end = (start + BATCH).min(sales);
            let batch = (start..end)
                .map(|index| generate(&context, index, &clients[index as usize]))
                .collect::<anyhow::Result<Vec<_>>>()?;
            if sender.blocking_send(batch).is_err() {
                break;
            }
            start = end;
        }
        Ok(())
    });

    if store.dialect() == Dialect::Sqlite {
        let mut tx = store.begin().await?;
        sqlx::query("PRAGMA cache_size = -524288")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    let started = Instant::now();
    let (mut written, mut tasks, mut reported) = (0u64, 0u64, 0u64);
    while let Some(batch) = receiver.recv().await {
        let mut tx = store.begin().await?;
        bulk_sales::insert_sales(&mut tx, &batch).await?;
        tx.commit().await?;
        written += batch.len() as u64;
        tasks += batch.iter().map(|p| p.tasks.len() as u64).sum::<u64>();
        if written - reported >= 10_000 || written == sales {
            reported = written;
            let seconds = started.elapsed().as_secs_f64();
            eprintln!(
                "   {written:>9} sales {tasks:>9} tasks  {seconds:>7.1} s  {:>6.0} sales/s",
                written as f64 / seconds.max(1e-9)
            );
        }
    }
    generator
        .join()
        .map_err(|_| anyhow::anyhow!("the sales generator thread panicked"))??;
    if written != sales {
        bail!("wrote {written} sales, expected {sales}");
    }
    Ok(())
}

/// The usual outcome of a task kind that has outcomes (`correction` of a proposal at most once).
fn outcome(
    kind: &str,
    full: bool,
    corrected: &mut bool,
    rng: &mut ChaCha8Rng,
) -> Option<&'static str> {
    Some(match kind {
        "send_preliminary_kp" => {
            if full {
                "full"
            } else {
                "short"
            }
        }
        "choose_recipe" => {
            if rng.random_bool(0.5) {
                "in_house"
            } else {
                "from_partner"
            }
        }
        "get_test_conclusion" => {
            if rng.random_bool(0.85) {
                "positive"
            } else {
                "negative"
            }
        }
        "get_trial_feedback" => {
            if rng.random_bool(0.85) {
                "success"
            } else {
                "failure"
            }
        }
        "get_kp_feedback" => {
            if !*corrected && rng.random_bool(0.25) {
                *corrected = true;
                "correction"
            } else {
                "accepted"
            }
        }
        _ => return None,
    })
}

/// Sale `index`: its deal, lines and script, played through the engine.
fn generate(context: &Shared, index: u64, client: &Client) -> anyhow::Result<Planned> {
    let mut rng = ChaCha8Rng::seed_from_u64(
        context.seed.rotate_left(17) ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15),
    );
    let owner = client.owner_id.unwrap_or(context.head);
    let line_count = match rng.random_range(0..100) {
        0..50 => 1,
        50..85 => 2,
        _ => 3,
    };
    let products: Vec<&CatalogProduct> = context
        .catalog
        .choose_multiple(&mut rng, line_count)
        .collect();
    let lines: Vec<SaleLine> = products
        .iter()
        .map(|p| {
            let needs_sample = p.needs_sample || rng.random_bool(0.3);
            SaleLine {
                product_id: p.id,
                quantity: rng.random_range(25..=2_000) * 1000,
                unit_price: p.price,
                vat_rate: p.vat_rate,
                needs_sample,
                sample_paid: needs_sample && rng.random_bool(0.15),
                unit_cost: Some(p.price * rng.random_range(50..=70) / 100),
            }
        })
        .collect();
    let facts: Vec<LineFacts> = lines
        .iter()
        .zip(&products)
        .map(|(line, p)| LineFacts {
            product_id: line.product_id,
            needs_sample: line.needs_sample,
            sample_paid: line.sample_paid,
            in_office_stock: p.in_office,
            in_warehouse_stock: p.in_warehouse,
        })
        .collect();
    let title = format!(
        "{} {}",
        TITLES.choose(&mut rng).copied().unwrap_or("Поставка"),
        2026 + rng.random_range(0..2)
    );
    let interval = Duration::hours(rng.random_range(12..=48));
    let started_at = context.now - interval * 50 - Duration::days(rng.random_range(0..60));
    let sale = Sale {
        title,
        counterparty_id: client.id,
        contact_id: None,
        owner_id: Some(owner),
        process_type: None,
        lines,
        delivery_terms: DELIVERY.choose(&mut rng).map(|d| d.to_string()),
        expected_amount: None,
        expected_close_date: Some(
            (context.now + Duration::days(rng.random_range(30..180))).date_naive(),
        ),
        currency: "RUB".into(),
        order_placed_on: None,
        invoice_paid_on: None,
        delivered_on: None,
        notes: None,
    };
    let contract = Contract {
        kind: ContractKind::Contract,
        number: None,
        date: Some(started_at.date_naive()),
        delivery_terms: sale.delivery_terms.clone(),
        payment_terms: None,
        valid_until: None,
        client: client.party.clone(),
        lines: sale
            .lines
            .iter()
            .zip(&products)
            .map(|(line, p)| ContractLine {
                product_id: p.id,
                name: p.name.clone(),
                article: p.article.clone(),
                unit: p.unit.clone(),
                quantity: line.quantity,
                unit_price: line.unit_price,
                vat_rate: line.vat_rate,
            })
            .collect(),
    };
    let mut replay = Replay::start(Script {
        definition: &context.definition,
        process_id: context.process_id,
        sale: &sale,
        territory_id: client.territory_id,
        lead_id: None,
        lines: &facts,
        people: &context.people,
        product_names: &context.product_names,
        contract: Some(&contract),
        actor: Some(owner),
        started_at,
        interval,
    });
    play(&mut replay, &mut rng)
        .with_context(|| format!("generated sale {index}: {}", sale.title))?;
    Ok(replay.finish())
}

/// Chooses and plays the moves of one sale.
fn play(replay: &mut Replay<'_>, rng: &mut ChaCha8Rng) -> anyhow::Result<()> {
    let full = rng.random_bool(0.75);
    let path = if full { FULL } else { SHORT };
    // 0: stays in `qualification`; n: stops in path[n - 1].
    let stop = rng.random_range(0..=path.len());
    let inside = rng.random_range(0..=6);
    let mut reached = 0;
    let mut moves_inside = 0;
    let mut corrected = false;
    loop {
        if rng.random_bool(0.17) {
            manual(replay, rng)?;
        }
        let open = replay
            .open_tasks()
            .find(|t| t.stage.is_some())
            .map(|t| t.kind.clone());
        if reached == stop {
            if moves_inside >= inside {
                break;
            }
            moves_inside += 1;
            match open {
                Some(kind) => {
                    let outcome = outcome(&kind, full, &mut corrected, rng);
                    replay.step(&Step::complete(&kind, outcome))?;
                }
                None => break,
            }
            continue;
        }
        // Now and then a sale moves on with work still open (not before the type is chosen).
        let early = reached >= 2 && rng.random_bool(0.05);
        match open {
            Some(kind) if !early => {
                let outcome = outcome(&kind, full, &mut corrected, rng);
                replay.step(&Step::complete(&kind, outcome))?;
            }
            _ => {
                let mut next = reached + 1;
                // Full sales pass over an optional stage now and then (marked skipped).
                if full && (2..=4).contains(&reached) && next < stop && rng.random_bool(0.1) {
                    next += 1;
                }
                let stage = path[next - 1];
                let contract_kind = (stage == "contract").then(|| {
                    *[
                        ContractKind::Contract,
                        ContractKind::Specification,
                        ContractKind::ContractAndSpecification,
                    ]
                    .choose(rng)
                    .unwrap_or(&ContractKind::Contract)
                });
                replay.step(&Step::Enter {
                    stage: stage.to_string(),
                    process_type: None,
                    contract_kind,
                    reason: None,
                })?;
                reached = next;
            }
        }
    }
    // Most sales have the next call or meeting planned, many a second thing to do.
    for chance in [0.8, 0.6] {
        if rng.random_bool(chance) {
            let (kind, title) = CALLS.choose(rng).copied().unwrap_or(CALLS[0]);
            replay.step(&Step::Manual {
                kind: kind.into(),
                title: title.into(),
                due_days: rng.random_range(0..=5),
            })?;
        }
    }
    Ok(())
}

/// Completes the open manual task, or sets a new one.
fn manual(replay: &mut Replay<'_>, rng: &mut ChaCha8Rng) -> anyhow::Result<()> {
    let open = replay
        .open_tasks()
        .find(|t| t.stage.is_none())
        .map(|t| t.kind.clone());
    match open {
        Some(kind) if rng.random_bool(0.7) => replay.step(&Step::complete(&kind, None))?,
        _ => {
            let (kind, title) = CALLS.choose(rng).copied().unwrap_or(CALLS[0]);
            replay.step(&Step::Manual {
                kind: kind.into(),
                title: title.into(),
                due_days: rng.random_range(0..=5),
            })?;
        }
    }
    Ok(())
}

/// Refreshes the planner's statistics after the load (PostgreSQL: VACUUM first, as autovacuum
/// would soon after).
async fn analyze(target: &Target, store: &Store) -> anyhow::Result<()> {
    match target {
        Target::Sqlite { .. } => {
            store.analyze().await?;
            crate::load::settle_wal(store).await?;
        }
        Target::Postgres { .. } => {
            let mut connection = sqlx::PgConnection::connect(&target.url()).await?;
            sqlx::query(
                "VACUUM sales, sale_lines, tasks, sale_events, change_log, search_terms, products, stock",
            )
            .execute(&mut connection)
            .await?;
            connection.close().await?;
            store.analyze().await?;
        }
    }
    Ok(())
}

async fn count(reader: &mut sqlx::AnyConnection, sql: &'static str) -> anyhow::Result<u64> {
    let n: i64 = sqlx::query(sql).fetch_one(reader).await?.try_get(0)?;
    Ok(n as u64)
}

/// What is loaded.
async fn report(
    target: &Target,
    store: &Store,
    reused: bool,
    load_seconds: f64,
    analyze_seconds: f64,
) -> anyhow::Result<SalesReport> {
    let mut reader = store.reader().await?;
    let sales = count(
        &mut reader,
        "SELECT COUNT(*) FROM sales WHERE deleted_at IS NULL",
    )
    .await?;
    let open_sales = count(
        &mut reader,
        "SELECT COUNT(*) FROM sales WHERE deleted_at IS NULL AND closed = 0",
    )
    .await?;
    let tasks = count(
        &mut reader,
        "SELECT COUNT(*) FROM tasks WHERE deleted_at IS NULL",
    )
    .await?;
    let open_tasks = count(
        &mut reader,
        "SELECT COUNT(*) FROM tasks WHERE deleted_at IS NULL AND status = 'open'",
    )
    .await?;
    let events = count(&mut reader, "SELECT COUNT(*) FROM sale_events").await?;
    let rows = sqlx::query(
        "SELECT stage, COUNT(*) AS n FROM sales WHERE deleted_at IS NULL AND closed = 0 GROUP BY stage",
    )
    .fetch_all(&mut *reader)
    .await?;
    let mut per_stage: HashMap<String, u64> = HashMap::new();
    for row in rows {
        per_stage.insert(row.try_get("stage")?, row.try_get::<i64, _>("n")? as u64);
    }
    let stages = default_definition()
        .stages
        .iter()
        .filter(|s| s.is_open())
        .map(|s| (s.code.clone(), per_stage.get(&s.code).copied().unwrap_or(0)))
        .collect();
    drop(reader);
    let size_bytes = crate::load::size(target, store).await?;
    Ok(SalesReport {
        sales,
        open_sales,
        tasks,
        open_tasks,
        events,
        reused,
        load_seconds,
        analyze_seconds,
        size_bytes,
        stages,
    })
}

/// The sales manager (not the technologist nor logistics) with the most open tasks.
async fn busiest_manager(
    store: &Store,
    team: &HashMap<String, Uuid>,
) -> anyhow::Result<(Uuid, String, i64)> {
    let mut reader = store.reader().await?;
    let rows = sqlx::query(
        "SELECT assignee_id, COUNT(*) AS n FROM tasks WHERE status = 'open' AND deleted_at IS NULL \
         AND assignee_id IS NOT NULL GROUP BY assignee_id ORDER BY n DESC",
    )
    .fetch_all(&mut *reader)
    .await?;
    let logins: HashMap<Uuid, &String> = team.iter().map(|(login, id)| (*id, login)).collect();
    for row in rows {
        let id = Uuid::parse_str(&row.try_get::<String, _>("assignee_id")?)?;
        if let Some(login) = logins.get(&id)
            && !["technologist", "logist"].contains(&login.as_str())
        {
            return Ok((id, (*login).clone(), row.try_get("n")?));
        }
    }
    bail!("no sales manager has open tasks")
}

/// Process task kinds that need no outcome and set a follow-up task: what the complete scenario
/// completes.
pub fn completable_kinds() -> Vec<String> {
    default_definition()
        .tasks
        .iter()
        .filter(|t| t.outcomes.is_empty() && !t.then.create.is_empty())
        .map(|t| t.code.clone())
        .collect()
}

/// `wanted` distinct open tasks of [`completable_kinds`], sampled uniformly (reservoir sampling
/// over a keyset scan); with `within`, only tasks in those territories.
pub async fn open_tasks_to_complete(
    store: &Store,
    wanted: usize,
    seed: u64,
    within: Option<&HashSet<String>>,
) -> anyhow::Result<Vec<Uuid>> {
    let kinds: HashSet<String> = completable_kinds().into_iter().collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7a5c_0de1);
    let mut reader = store.reader().await?;
    let mut reservoir: Vec<String> = Vec::with_capacity(wanted);
    let mut seen = 0usize;
    let mut after = String::new();
    loop {
        let page = sqlx::query(
            "SELECT id, kind, territory_id FROM tasks WHERE status = 'open' AND deleted_at IS NULL \
             AND id > $1 ORDER BY id LIMIT 20000",
        )
        .bind(&after)
        .fetch_all(&mut *reader)
        .await?;
        let Some(last) = page.last() else { break };
        after = last.try_get("id")?;
        for row in &page {
            if !kinds.contains(&row.try_get::<String, _>("kind")?) {
                continue;
            }
            if let Some(allowed) = within {
                let territory: Option<String> = row.try_get("territory_id")?;
                if !territory.is_some_and(|t| allowed.contains(&t)) {
                    continue;
                }
            }
            let id: String = row.try_get("id")?;
            if reservoir.len() < wanted {
                reservoir.push(id);
            } else {
                let slot = rng.random_range(0..=seen);
                if slot < wanted {
                    reservoir[slot] = id;
                }
            }
            seen += 1;
        }
    }
    if reservoir.len() < wanted {
        bail!(
            "only {} open tasks to complete, {wanted} wanted",
            reservoir.len()
        );
    }
    reservoir
        .iter()
        .map(|id| Ok(Uuid::parse_str(id)?))
        .collect()
}

/// Who asks and about what.
pub struct Run<'a> {
    /// The store.
    pub store: &'a Store,
    /// The principal (board, completions).
    pub user_id: Uuid,
    /// The manager whose tasks "my tasks" lists (`None`: not timed in this run).
    pub manager: Option<Uuid>,
    /// Tasks to complete: the first fifth warm up, the rest are timed.
    pub complete: &'a [Uuid],
    /// Timed requests per scenario.
    pub requests: usize,
    /// The scenario letters asked for.
    pub only: &'a [char],
    /// Request each timed input once, untimed, first (not for completions: each task completes once).
    pub warm: bool,
}

/// Times the sales scenarios; returns the timings and, when the board page is missing, why it was
/// left out.
pub async fn run(run: &Run<'_>) -> anyhow::Result<(Vec<Timing>, Option<String>)> {
    let (base, server) = crate::measure::serve(run.store).await?;
    let session = Session::open(run.store, &base, run.user_id).await?;
    let mut timings = Vec::new();
    let warmup = run.requests / 5;
    let mut page_skipped = None;

    if run.only.contains(&Scenario::Board.letter()) {
        let path = "/api/v1/sales/board";
        let check = |body: &[u8]| -> anyhow::Result<()> {
            let body: Value = serde_json::from_slice(body)?;
            let cards: usize = body["columns"]
                .as_array()
                .map(|columns| {
                    columns
                        .iter()
                        .map(|c| c["cards"].as_array().map_or(0, Vec::len))
                        .sum()
                })
                .unwrap_or(0);
            if cards == 0 {
                bail!("GET {path}: an empty board: {body}");
            }
            Ok(())
        };
        let rounds = warmup + if run.warm { run.requests } else { 0 };
        for _ in 0..rounds {
            let (_, body) = session.get(Via::Api, path).await?;
            check(&body)?;
        }
        let mut times = Vec::with_capacity(run.requests);
        for _ in 0..run.requests {
            let (time, body) = session.get(Via::Api, path).await?;
            check(&body)?;
            times.push(time);
        }
        let timing = Timing::of(Scenario::Board, Via::Api, times);
        eprintln!("{}", timing.log_line());
        timings.push(timing);
        let status = session.status(Via::Page, "/sales").await?;
        if status == 404 {
            let reason = "there is no board page (`GET /sales` answers 404 in this checkout)";
            eprintln!("   board page skipped: {reason}");
            page_skipped = Some(reason.to_string());
        } else {
            let mut times = Vec::with_capacity(run.requests);
            for round in 0..rounds + run.requests {
                let (time, _) = session.get(Via::Page, "/sales").await?;
                if round >= rounds {
                    times.push(time);
                }
            }
            let timing = Timing::of(Scenario::Board, Via::Page, times);
            eprintln!("{}", timing.log_line());
            timings.push(timing);
        }
    }

    if let Some(manager) = run.manager
        && run.only.contains(&Scenario::MyTasks.letter())
    {
        let mine = Session::open(run.store, &base, manager).await?;
        let path = "/api/v1/tasks?assignee=me&status=open";
        let rounds = warmup + if run.warm { run.requests } else { 0 };
        let mut times = Vec::with_capacity(run.requests);
        for round in 0..rounds + run.requests {
            let (time, body) = mine.get(Via::Api, path).await?;
            let body: Value = serde_json::from_slice(&body)?;
            if body["items"].as_array().is_none_or(Vec::is_empty) {
                bail!("GET {path}: no tasks: {body}");
            }
            if round >= rounds {
                times.push(time);
            }
        }
        let timing = Timing::of(Scenario::MyTasks, Via::Api, times);
        eprintln!("{}", timing.log_line());
        timings.push(timing);
    }

    if run.only.contains(&Scenario::Complete.letter()) {
        let split = run.complete.len() / 6;
        let mut times = Vec::with_capacity(run.complete.len() - split);
        for (n, id) in run.complete.iter().enumerate() {
            let path = format!("/api/v1/tasks/{id}/complete");
            let (time, body) = session.post(&path, &json!({})).await?;
            let body: Value = serde_json::from_slice(&body)?;
            if body["status"] != "done" {
                bail!("POST {path}: not done: {body}");
            }
            if n >= split {
                times.push(time);
            }
        }
        let timing = Timing::of(Scenario::Complete, Via::Api, times);
        eprintln!("{}", timing.log_line());
        timings.push(timing);
    }
    server.abort();
    // Let the aborted server drop its connections before the next run starts one.
    tokio::time::sleep(StdDuration::from_millis(50)).await;
    Ok((timings, page_skipped))
}

#[cfg(test)]
mod tests {
    use ferment_domain::process::TaskStatus;

    use super::*;

    /// The generator's shape: about ten tasks per sale, a few open, every open stage populated.
    #[test]
    fn generated_sales_have_about_ten_tasks_each() {
        let definition = default_definition();
        let catalog: Vec<CatalogProduct> = (0..40u128)
            .map(|n| CatalogProduct {
                id: Uuid::from_u128(n + 100),
                name: format!("Продукт {n}"),
                article: None,
                unit: "kg".into(),
                price: 100_000,
                vat_rate: 2200,
                needs_sample: n % 2 == 0,
                in_office: n % 3 == 0,
                in_warehouse: n % 3 == 1,
            })
            .collect();
        let context = Shared {
            product_names: catalog.iter().map(|p| (p.id, p.name.clone())).collect(),
            catalog,
            definition,
            process_id: Uuid::nil(),
            people: People {
                by_role: [
                    ("technologist".to_string(), Uuid::from_u128(2)),
                    ("logistics".to_string(), Uuid::from_u128(3)),
                ]
                .into(),
                by_login: HashMap::new(),
            },
            head: Uuid::from_u128(1),
            seed: 42,
            now: Utc::now(),
        };
        let client = Client {
            id: Uuid::from_u128(9),
            owner_id: Some(Uuid::from_u128(4)),
            territory_id: None,
            party: ContractParty::default(),
        };
        let n = 3_000;
        let (mut tasks, mut open, mut manual) = (0, 0, 0);
        let mut stages: HashMap<String, usize> = HashMap::new();
        for index in 0..n {
            let planned = generate(&context, index, &client).unwrap();
            tasks += planned.tasks.len();
            open += planned
                .tasks
                .iter()
                .filter(|t| t.status == TaskStatus::Open)
                .count();
            manual += planned.tasks.iter().filter(|t| t.stage.is_none()).count();
            *stages.entry(planned.sale.state.stage.clone()).or_default() += 1;
        }
        let per_sale = tasks as f64 / n as f64;
        let open_per_sale = open as f64 / n as f64;
        eprintln!(
            "{per_sale:.2} tasks per sale ({open_per_sale:.2} open, {:.2} manual); {stages:?}",
            manual as f64 / n as f64
        );
        assert!((8.0..12.0).contains(&per_sale), "{per_sale}");
        assert!((1.5..3.5).contains(&open_per_sale), "{open_per_sale}");
        assert_eq!(stages.len(), 9, "{stages:?}");
    }
}
