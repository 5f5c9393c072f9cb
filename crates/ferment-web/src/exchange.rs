//! `/exchange/1c`: Ferment as the "site" of 1C's built-in CommerceML 2 exchange.
//!
//! 1C signs in with HTTP Basic as a Ferment user who has the `configure_integrations` right
//! (`checkauth`), then uses the session cookie it was given. The protocol itself (sessions, chunked
//! and zipped uploads, resumable imports, the order files) is `ferment-commerceml`'s; this module
//! only authenticates and applies what 1C sends to the database: groups, products, warehouses,
//! prices and stock (1C owns them; each `Ид` is linked to the record it became, so a batch applied
//! twice changes nothing), the orders users asked to send (`query`/`success`), and 1C's statuses
//! of those orders, which fill the sale's facts (order placed, invoice paid, delivered).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use chrono::Utc;
use ferment_commerceml::Item;
use ferment_commerceml::exchange::{Answer, Exchange, Session, Settings, Step};
use ferment_commerceml::model::RateValue;
use ferment_commerceml::order::{Counterparty as CmlParty, Order, OrderLine};
use ferment_domain::access::SystemOp;
use ferment_domain::catalog::{OFFICE_SAMPLES_MARKER, Product, ProductGroup, Unit, Warehouse};
use ferment_store::{Tx, commerceml, counterparties, products, sales, warehouses};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::AppState;

/// Where 1C's exchange calls: the route, and the path the 1C panel tells administrators to give 1C.
pub const EXCHANGE_PATH: &str = "/exchange/1c";

/// Items applied per `import` call (1C calls again while the answer is `progress`).
const BATCH: usize = 500;

/// The exchange of this installation, its work files under the data directory.
pub async fn exchange(state: &AppState) -> Result<&Arc<Exchange>, Response> {
    let dir = state.config.exchange_dir();
    state
        .exchange
        .get_or_try_init(|| async move {
            tokio::task::spawn_blocking(move || Exchange::new(dir, Settings::default()))
                .await
                .map_err(|e| e.to_string())?
                .map(Arc::new)
                .map_err(|e| e.to_string())
        })
        .await
        .map_err(|error| {
            tracing::error!(%error, "the CommerceML work directory");
            text(Answer::failure("обмен недоступен"))
        })
}

fn text(answer: Answer) -> Response {
    (
        [(header::CONTENT_TYPE, Answer::CONTENT_TYPE)],
        answer.into_body(),
    )
        .into_response()
}

fn refuse(message: &str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [
            (header::CONTENT_TYPE, Answer::CONTENT_TYPE),
            (
                header::WWW_AUTHENTICATE,
                "Basic realm=\"Ferment\", charset=\"UTF-8\"",
            ),
        ],
        format!("failure\n{message}\n"),
    )
        .into_response()
}

/// Checks Basic credentials like a sign-in (password, the user's IP rules, the audit log): an
/// active user with `configure_integrations`.
async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    address: Option<std::net::IpAddr>,
) -> Result<(), Response> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let Some((login, password)) = basic.as_deref().and_then(|c| c.split_once(':')) else {
        return Err(refuse("нужна авторизация"));
    };
    let user = crate::auth::sign_in(&state.store, login, password, address)
        .await
        .map_err(|error| match error {
            crate::error::AppError::AddressRefused { .. } => {
                refuse("вход с этого адреса запрещён правилами доступа")
            }
            _ => refuse("неверный логин или пароль"),
        })?;
    let actor = async {
        let mut connection = state.store.reader().await?;
        ferment_store::access::actor(&mut connection, &user).await
    }
    .await
    .map_err(|_| text(Answer::failure("база данных недоступна")))?;
    if !actor.may(SystemOp::ConfigureIntegrations) {
        return Err(refuse("у пользователя нет права настраивать интеграции"));
    }
    Ok(())
}

fn session_of(exchange: &Exchange, headers: &HeaderMap) -> Option<Session> {
    let name = &exchange.settings().cookie_name;
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(n, _)| n == name)
        .and_then(|(_, value)| exchange.session(value).ok())
}

/// `GET/POST /exchange/1c?type=…&mode=…`.
pub async fn exchange_1c(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
    client_ip: Option<axum::Extension<crate::auth::ClientIp>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let exchange = match exchange(&state).await {
        Ok(exchange) => Arc::clone(exchange),
        Err(response) => return response,
    };
    let mode = params.get("mode").map(String::as_str).unwrap_or("");
    if mode == "checkauth" {
        let address = client_ip.and_then(|axum::Extension(ip)| ip.0);
        if let Err(response) = authenticate(&state, &headers, address).await {
            return response;
        }
        return match blocking(move || exchange.checkauth().map_err(|e| e.to_string())).await {
            Ok(session) => text(session.checkauth_answer()),
            Err(error) => text(Answer::failure(&error)),
        };
    }
    let Some(session) = session_of(&exchange, &headers) else {
        return refuse("сначала mode=checkauth");
    };
    let filename = params.get("filename").cloned().unwrap_or_default();
    let kind = params.get("type").map(String::as_str).unwrap_or("catalog");
    let log = StepLog {
        state: &state,
        session: crate::auth::digest(session.id()),
    };
    match mode {
        "init" => text(exchange.init(&session)),
        "file" => {
            let result = blocking(move || {
                exchange
                    .receive_file(&session, &filename, &body)
                    .map_err(|e| Answer::from(&e).into_body_text())
            })
            .await;
            text(result.unwrap_or_else(|e| Answer::failure(&e)))
        }
        "import" => text(import(&state, &log, exchange, session, filename).await),
        "query" if kind == "sale" => query(&state, &log, exchange, session).await,
        "success" if kind == "sale" => {
            let confirmed = blocking(move || {
                exchange
                    .sale_success(&session)
                    .map_err(|e| Answer::from(&e).into_body_text())
            })
            .await;
            let confirmed = match confirmed {
                Ok(_) => mark_exported(&state).await,
                Err(error) => Err(error),
            };
            match confirmed {
                Ok(confirmed) => {
                    log.done("success", "", Some(confirmed)).await;
                    text(Answer::success())
                }
                Err(error) => text(log.failed("success", "", &error).await),
            }
        }
        "success" => text(Answer::success()),
        _ => text(Answer::failure("неизвестный режим обмена")),
    }
}

/// Writes the steps of one exchange session to the administrators' log
/// (`commerceml::log_exchange_step`), under a digest of the session's cookie.
struct StepLog<'a> {
    state: &'a AppState,
    session: String,
}

impl StepLog<'_> {
    /// Records a step that ended well, with its count when it has one (orders handed over or
    /// confirmed); an import's `done` keeps the position its batches recorded.
    async fn done(&self, kind: &str, file: &str, count: Option<usize>) {
        let count = count.and_then(|n| i64::try_from(n).ok());
        self.write(kind, file, count, "done", None).await;
    }

    /// Records an import's position after a batch.
    async fn progress(&self, file: &str, position: u64) {
        let position = i64::try_from(position).ok();
        self.write("import", file, position, "progress", None).await;
    }

    /// Records a step that failed, with the reason, and answers 1C with that reason.
    async fn failed(&self, kind: &str, file: &str, error: &str) -> Answer {
        self.write(kind, file, None, "failed", Some(error)).await;
        Answer::failure(error)
    }

    /// Writes the step; a log that can't be written is only traced: the exchange goes on.
    async fn write(
        &self,
        kind: &str,
        file: &str,
        items: Option<i64>,
        outcome: &str,
        message: Option<&str>,
    ) {
        let written = async {
            let mut tx = self.state.store.begin().await?;
            commerceml::log_exchange_step(
                &mut tx,
                &self.session,
                kind,
                file,
                items,
                outcome,
                message,
            )
            .await?;
            tx.commit().await?;
            Ok::<_, ferment_store::StoreError>(())
        }
        .await;
        if let Err(error) = written {
            tracing::warn!(%error, kind, file, "the CommerceML exchange log was not written");
        }
    }
}

trait BodyText {
    fn into_body_text(self) -> String;
}

impl BodyText for Answer {
    fn into_body_text(self) -> String {
        let body = self.into_body();
        body.lines().skip(1).collect::<Vec<_>>().join(" ")
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| e.to_string())?
}

async fn import(
    state: &AppState,
    log: &StepLog<'_>,
    exchange: Arc<Exchange>,
    session: Session,
    filename: String,
) -> Answer {
    let step = {
        let exchange = Arc::clone(&exchange);
        let session = session.clone();
        let filename = filename.clone();
        blocking(move || {
            exchange
                .import_step(&session, &filename, BATCH)
                .map_err(|e| Answer::from(&e).into_body_text())
        })
        .await
    };
    let batch = match step {
        Ok(Step::Batch(batch)) => batch,
        Ok(Step::Done) => {
            log.done("import", &filename, None).await;
            return Answer::success();
        }
        Err(error) => return log.failed("import", &filename, &error).await,
    };
    if batch.start == 0 {
        // The file's row begins when its import does, so the page shows how long it took.
        log.progress(&filename, 0).await;
    }
    if let Err(error) = apply(state, &batch.items).await {
        tracing::warn!(%error, "CommerceML import batch failed");
        return log.failed("import", &filename, &error).await;
    }
    let message = batch.progress_message();
    let position = batch.end;
    match blocking(move || {
        exchange
            .commit_step(&session, &batch)
            .map_err(|e| Answer::from(&e).into_body_text())
    })
    .await
    {
        Ok(()) => {
            log.progress(&filename, position).await;
            Answer::progress(&message)
        }
        Err(error) => log.failed("import", &filename, &error).await,
    }
}

/// The product's unit: by ОКЕИ code, else by name; pieces when the file names none we know.
fn unit_of(item: Option<&ferment_commerceml::model::Unit>) -> Unit {
    item.and_then(|unit| Unit::recognise(unit.code.as_deref(), &unit.name))
        .unwrap_or(Unit::Pcs)
}

fn vat_of(rates: &[ferment_commerceml::model::TaxRate]) -> i64 {
    rates
        .iter()
        .find(|r| r.name.to_uppercase().contains("НДС"))
        .or_else(|| rates.first())
        .map(|r| match &r.rate {
            RateValue::Percent(p) => (p * Decimal::from(100)).round().to_i64().unwrap_or(0),
            _ => 0,
        })
        .unwrap_or(2200)
}

fn kopecks(value: Decimal) -> i64 {
    (value * Decimal::from(100)).round().to_i64().unwrap_or(0)
}

fn thousandths(value: Decimal) -> i64 {
    (value * Decimal::from(1000)).round().to_i64().unwrap_or(0)
}

/// Applies one batch in one transaction; every item is keyed by its `Ид`.
async fn apply(state: &AppState, items: &[Item]) -> Result<(), String> {
    let mut tx = state.store.begin().await.map_err(|e| e.to_string())?;
    for item in items {
        apply_item(&mut tx, item).await.map_err(|e| e.to_string())?;
    }
    tx.commit().await.map_err(|e| e.to_string())
}

async fn apply_item(tx: &mut Tx, item: &Item) -> ferment_store::StoreResult<()> {
    match item {
        Item::Group(group) => {
            let parent = match &group.parent_id {
                Some(parent) => commerceml::link(tx, "group", parent)
                    .await?
                    .and_then(|(id, _)| id),
                None => None,
            };
            let data = ProductGroup {
                name: group.name.clone(),
                parent_id: parent,
            };
            match commerceml::link(tx, "group", &group.id).await? {
                Some((Some(id), _)) => products::update_group(tx, None, id, &data).await?,
                _ => {
                    let id = products::insert_group(tx, None, &data).await?;
                    commerceml::put_link(tx, "group", &group.id, Some(id), &Value::Null).await?;
                }
            }
        }
        Item::Product(product) if product.id.characteristic_id().is_none() => {
            apply_product(tx, product).await?;
        }
        Item::Warehouse(warehouse) => link_warehouse(tx, warehouse).await?,
        Item::PriceType(price_type) => {
            let chosen = commerceml::link(tx, "price_type", "chosen").await?;
            if chosen.is_none() {
                commerceml::put_link(
                    tx,
                    "price_type",
                    "chosen",
                    None,
                    &json!({"id": price_type.id, "name": price_type.name}),
                )
                .await?;
            }
        }
        Item::Offer(offer) => {
            let Some((Some(product_id), _)) =
                commerceml::link(tx, "product", offer.id.product_id()).await?
            else {
                return Ok(());
            };
            let chosen = commerceml::link(tx, "price_type", "chosen")
                .await?
                .and_then(|(_, extra)| extra.get("id").and_then(Value::as_str).map(str::to_string));
            let price = offer
                .prices
                .iter()
                .find(|p| chosen.as_deref() == Some(p.price_type_id.as_str()))
                .or_else(|| offer.prices.first());
            if let Some(price) = price {
                products::set_price(tx, None, product_id, kopecks(price.per_unit)).await?;
            }
            // A product's stock in a warehouse is the sum over its offers (characteristics): each
            // offer's quantity is kept by its own `Ид`, so a batch applied twice adds nothing.
            let mut touched = Vec::new();
            for stock in &offer.stocks {
                if let Some((Some(warehouse_id), _)) =
                    commerceml::link(tx, "warehouse", &stock.warehouse_id).await?
                {
                    let key = format!("{}@{}", offer.id.as_str(), stock.warehouse_id);
                    let kept = json!({"warehouse": warehouse_id.to_string(), "quantity": thousandths(stock.quantity)});
                    commerceml::put_link(tx, "stock", &key, Some(product_id), &kept).await?;
                    touched.push(warehouse_id);
                }
            }
            if !touched.is_empty() {
                let kept = commerceml::links_of_record(tx, "stock", product_id).await?;
                let lines: Vec<(Uuid, Uuid, i64)> = touched
                    .iter()
                    .map(|warehouse| {
                        let total = kept
                            .iter()
                            .filter(|(_, extra)| {
                                extra["warehouse"] == warehouse.to_string().as_str()
                            })
                            .filter_map(|(_, extra)| extra["quantity"].as_i64())
                            .sum();
                        (*warehouse, product_id, total)
                    })
                    .collect();
                warehouses::put_stock(tx, &lines).await?;
            }
        }
        Item::Order(order) => apply_status(tx, order).await?,
        _ => {}
    }
    Ok(())
}

/// Links a 1C warehouse to the Ferment one of the same name, or creates it (the one named like a
/// sample store becomes the office sample store).
async fn link_warehouse(
    tx: &mut Tx,
    warehouse: &ferment_commerceml::model::Warehouse,
) -> ferment_store::StoreResult<()> {
    if commerceml::link(tx, "warehouse", &warehouse.id)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let existing = warehouses::list(tx).await?;
    let id = match existing.iter().find(|w| w.data.is_called(&warehouse.name)) {
        Some(record) => record.meta.id,
        None => {
            let data = Warehouse::named_in_onec(&warehouse.name, OFFICE_SAMPLES_MARKER);
            warehouses::insert(tx, None, &data).await?.meta.id
        }
    };
    commerceml::put_link(tx, "warehouse", &warehouse.id, Some(id), &Value::Null).await
}

async fn apply_product(
    tx: &mut Tx,
    item: &ferment_commerceml::model::Product,
) -> ferment_store::StoreResult<()> {
    let linked = commerceml::link(tx, "product", item.id.as_str())
        .await?
        .and_then(|(id, _)| id);
    let live = match linked {
        Some(id) => products::get(tx, id).await.ok(),
        None => None,
    };
    if item.deleted {
        if let Some(record) = live {
            products::delete(tx, None, record.meta.id).await?;
        }
        return Ok(());
    }
    let code = item
        .requisite("Код")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .or_else(|| item.article.clone().filter(|a| !a.trim().is_empty()))
        .unwrap_or_else(|| item.id.product_id().chars().take(36).collect());
    let group_id = match item.group_ids.first() {
        Some(group) => commerceml::link(tx, "group", group)
            .await?
            .and_then(|(id, _)| id),
        None => None,
    };
    // Not linked yet: the product with the same code, else the same article (and not linked to
    // another `Ид`), as the OData sync matches.
    let live = match live {
        Some(record) => Some(record),
        None => {
            let by_code = match products::find_by_code(tx, &code, None).await? {
                Some((id, _)) => Some(id),
                None => match item.article.as_deref().filter(|a| !a.trim().is_empty()) {
                    Some(article) => products::find_by_article(tx, article).await?,
                    None => None,
                },
            };
            match by_code {
                Some(id) if commerceml::id_of(tx, "product", id).await?.is_none() => {
                    products::get(tx, id).await.ok()
                }
                _ => None,
            }
        }
    };
    let data = Product {
        code: code.clone(),
        article: item.article.clone().filter(|a| !a.trim().is_empty()),
        name: item.name.trim().to_string(),
        unit: unit_of(item.base_unit.as_ref()),
        group_id: group_id.or(live.as_ref().and_then(|r| r.data.group_id)),
        vat_rate: vat_of(&item.tax_rates),
        price: live.as_ref().map_or(0, |r| r.data.price),
        currency: live
            .as_ref()
            .map_or_else(|| "RUB".into(), |r| r.data.currency.clone()),
        needs_sample: live.as_ref().is_some_and(|r| r.data.needs_sample),
        description: item
            .description
            .clone()
            .filter(|d| !d.trim().is_empty())
            .or_else(|| live.as_ref().and_then(|r| r.data.description.clone())),
    };
    let id = match live {
        Some(record) if record.data == data => record.meta.id,
        Some(record) => {
            products::update(tx, None, record.meta.id, record.meta.version, &data)
                .await?
                .meta
                .id
        }
        None => products::insert(tx, None, &data).await?.meta.id,
    };
    commerceml::put_link(tx, "product", item.id.as_str(), Some(id), &Value::Null).await
}

/// 1C's statuses of an order Ferment gave it: the sale's facts that are still blank.
async fn apply_status(tx: &mut Tx, order: &Order) -> ferment_store::StoreResult<()> {
    let Ok(sale_id) = Uuid::parse_str(order.id.trim()) else {
        return Ok(());
    };
    let Ok(record) = sales::get(tx, sale_id).await else {
        return Ok(());
    };
    let status = order.status_from_1c();
    commerceml::set_status(
        tx,
        sale_id,
        status.number.as_deref(),
        status.status.as_deref(),
    )
    .await?;
    let mut data = record.data.clone();
    if data.order_placed_on.is_none() && status.posted == Some(true) {
        data.order_placed_on = Some(
            status
                .date
                .map_or_else(|| Utc::now().date_naive(), |d| d.date()),
        );
    }
    if data.invoice_paid_on.is_none()
        && let Some(paid) = status.payment_date
    {
        data.invoice_paid_on = Some(paid.date());
    }
    if data.delivered_on.is_none()
        && let Some(shipped) = status.shipment_date
    {
        data.delivered_on = Some(shipped.date());
    }
    if data != record.data {
        sales::update(tx, None, sale_id, None, &data, record.territory_id).await?;
    }
    Ok(())
}

/// `type=sale&mode=query`: the orders users asked to send, as CommerceML documents.
async fn query(
    state: &AppState,
    log: &StepLog<'_>,
    exchange: Arc<Exchange>,
    session: Session,
) -> Response {
    let orders = match orders_to_send(state).await {
        Ok(orders) => orders,
        Err(error) => return text(log.failed("query", "", &error).await),
    };
    let ids: Vec<Uuid> = orders
        .iter()
        .filter_map(|o| Uuid::parse_str(&o.id).ok())
        .collect();
    let ids_sent = ids.len();
    let at = Utc::now().naive_utc();
    let xml = blocking(move || {
        exchange
            .sale_query(&session, &orders, at)
            .map_err(|e| Answer::from(&e).into_body_text())
    })
    .await;
    match xml {
        Ok(xml) => {
            let marked = async {
                let mut tx = state.store.begin().await?;
                commerceml::mark_sent(&mut tx, &ids).await?;
                tx.commit().await?;
                Ok::<_, ferment_store::StoreError>(())
            }
            .await;
            if let Err(error) = marked {
                return text(log.failed("query", "", &error.to_string()).await);
            }
            log.done("query", "", Some(ids_sent)).await;
            (
                [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
                xml,
            )
                .into_response()
        }
        Err(error) => text(log.failed("query", "", &error).await),
    }
}

/// Marks the orders handed over as confirmed; answers how many.
async fn mark_exported(state: &AppState) -> Result<usize, String> {
    async {
        let mut tx = state.store.begin().await?;
        let confirmed = commerceml::mark_exported(&mut tx).await?;
        tx.commit().await?;
        Ok::<_, ferment_store::StoreError>(confirmed)
    }
    .await
    .map_err(|e| e.to_string())
}

fn decimal(minor: i64, scale: u32) -> Decimal {
    Decimal::new(minor, scale)
}

async fn orders_to_send(state: &AppState) -> Result<Vec<Order>, String> {
    let mut connection = state.store.reader().await.map_err(|e| e.to_string())?;
    let waiting = commerceml::orders_waiting(&mut connection)
        .await
        .map_err(|e| e.to_string())?;
    let mut orders = Vec::new();
    for sale_id in waiting {
        let Ok(sale) = sales::get(&mut connection, sale_id).await else {
            continue;
        };
        let Ok(client) = counterparties::get(&mut connection, sale.data.counterparty_id).await
        else {
            continue;
        };
        let mut lines = Vec::new();
        for line in &sale.data.lines {
            let Ok(product) = products::get(&mut connection, line.product_id).await else {
                continue;
            };
            let id_1c = commerceml::id_of(&mut connection, "product", line.product_id)
                .await
                .map_err(|e| e.to_string())?
                .unwrap_or_else(|| line.product_id.to_string());
            lines.push(OrderLine {
                id: ferment_commerceml::ItemId::new(id_1c),
                article: product.data.article.clone(),
                name: product.data.name.clone(),
                base_unit: Some(ferment_commerceml::model::Unit {
                    name: product
                        .data
                        .unit
                        .label(ferment_domain::validation::Lang::Ru)
                        .to_string(),
                    ..Default::default()
                }),
                price: decimal(line.unit_price, 2),
                quantity: decimal(line.quantity, 3),
                amount: decimal(line.amount(), 2),
                tax_rates: vec![ferment_commerceml::model::TaxRate {
                    name: "НДС".into(),
                    rate: RateValue::Percent(decimal(line.vat_rate, 2)),
                }],
                ..Default::default()
            });
        }
        orders.push(Order {
            id: sale_id.to_string(),
            number: sale.meta.id.to_string().chars().take(8).collect(),
            date: Some(Utc::now().date_naive()),
            time: None,
            operation: ferment_commerceml::order::OPERATION_ORDER.into(),
            role: ferment_commerceml::order::ROLE_SELLER.into(),
            currency: "руб".into(),
            rate: Some(Decimal::ONE),
            amount: decimal(sale.amount, 2),
            counterparties: vec![CmlParty {
                id: client.meta.id.to_string(),
                name: client.data.name.clone(),
                full_name: client.data.full_name.clone(),
                inn: client.data.inn.clone(),
                kpp: client.data.kpp.clone(),
                role: Some(ferment_commerceml::order::ROLE_BUYER.into()),
                address: client.data.legal_address.clone(),
                contacts: Vec::new(),
            }],
            comment: Some(sale.data.title.clone()),
            lines,
            ..Default::default()
        });
    }
    Ok(orders)
}
