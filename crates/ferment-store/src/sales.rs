//! Sales: the editable deal (client, lines, terms), its place in the process (stage, process type,
//! contract, closing), the kanban board, and the sale's event log that the stage bar and the timeline
//! read.
//!
//! A sale's owner and territory (the client's territory, copied when the sale is made and when its
//! client changes) are columns, so access scopes lists and the board with the same indexes as any
//! other owned record.

use chrono::{DateTime, NaiveDate, Utc};
use ferment_domain::access::Scope;
use ferment_domain::process::{ContractKind, ProcessType};
use ferment_domain::sale::{Contract, Sale, SaleLine, totals};
use ferment_domain::text::normalize;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};
use uuid::Uuid;

use crate::access::{self, push_reach, push_reaches};
use crate::history::{self, Action};
use crate::list::{Cursor, Page};
use crate::sql::{Arg, Sql};
use crate::{
    Meta, StoreError, StoreResult, new_id, now_text, parse_id, parse_optional_id, parse_time,
    search,
};

/// The kind name of sales in the history and the search index.
pub const KIND: &str = "sale";

/// Where a sale stands in its process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessState {
    /// The process definition version the sale runs on.
    pub process_id: Uuid,
    /// Current stage code.
    pub stage: String,
    /// Closed (won or lost).
    pub closed: bool,
    /// Contract kind, once the contract stage has been entered.
    pub contract_kind: Option<ContractKind>,
    /// The contract's fields.
    pub contract: Option<Contract>,
    /// Win probability in percent (from the stage).
    pub probability: i64,
    /// Why the sale was lost.
    pub lost_reason: Option<String>,
    /// When it closed.
    pub closed_at: Option<DateTime<Utc>>,
}

/// A sale as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleRecord {
    /// Id, version, times.
    pub meta: Meta,
    /// The editable deal.
    pub data: Sale,
    /// The process state.
    pub state: ProcessState,
    /// The lead it was converted from.
    pub lead_id: Option<Uuid>,
    /// The client's territory (for access).
    pub territory_id: Option<Uuid>,
    /// Lines total, VAT included, in kopecks.
    pub amount: i64,
}

/// What the change history records of a sale: the deal and its process state.
#[derive(Serialize)]
pub(crate) struct Snapshot<'a> {
    #[serde(flatten)]
    data: &'a Sale,
    stage: &'a str,
    contract_kind: Option<ContractKind>,
    contract: &'a Option<Contract>,
    probability: i64,
    lost_reason: &'a Option<String>,
}

impl SaleRecord {
    pub(crate) fn snapshot(&self) -> Snapshot<'_> {
        Snapshot {
            data: &self.data,
            stage: &self.state.stage,
            contract_kind: self.state.contract_kind,
            contract: &self.state.contract,
            probability: self.state.probability,
            lost_reason: &self.state.lost_reason,
        }
    }
}

const COLUMNS: &str = "s.id, s.version, s.created_at, s.updated_at, s.title, s.counterparty_id, s.contact_id, \
    s.lead_id, s.owner_id, s.territory_id, s.process_id, s.process_type, s.stage, s.closed, s.contract_kind, \
    s.contract, s.delivery_terms, s.amount, s.expected_amount, s.expected_close_date, s.currency, \
    s.probability, s.lost_reason, s.closed_at, s.order_placed_on, s.invoice_paid_on, s.delivered_on, s.notes";

fn bad(what: &str, value: &str) -> StoreError {
    StoreError::Other(anyhow::anyhow!("bad {what} {value:?} in the database"))
}

/// Parses a stored `YYYY-MM-DD` date.
pub fn parse_date(text: Option<String>) -> StoreResult<Option<NaiveDate>> {
    text.map(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|_| bad("date", &t)))
        .transpose()
}

/// Formats a date for storage.
pub fn date_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

fn opt_date_text(date: Option<NaiveDate>) -> Option<String> {
    date.map(date_text)
}

fn from_row(row: &AnyRow, lines: Vec<SaleLine>) -> StoreResult<SaleRecord> {
    let process_type = row
        .try_get::<Option<String>, _>("process_type")?
        .map(|t| ProcessType::from_code(&t).ok_or_else(|| bad("process type", &t)))
        .transpose()?;
    let contract_kind = row
        .try_get::<Option<String>, _>("contract_kind")?
        .map(|t| ContractKind::from_code(&t).ok_or_else(|| bad("contract kind", &t)))
        .transpose()?;
    let contract = row
        .try_get::<Option<String>, _>("contract")?
        .map(|t| serde_json::from_str::<Contract>(&t).map_err(|_| bad("contract", &t)))
        .transpose()?;
    Ok(SaleRecord {
        meta: Meta::from_row(row)?,
        data: Sale {
            title: row.try_get("title")?,
            counterparty_id: parse_id(&row.try_get::<String, _>("counterparty_id")?)?,
            contact_id: parse_optional_id(
                row.try_get::<Option<String>, _>("contact_id")?.as_deref(),
            )?,
            owner_id: parse_optional_id(row.try_get::<Option<String>, _>("owner_id")?.as_deref())?,
            process_type,
            lines,
            delivery_terms: row.try_get("delivery_terms")?,
            expected_amount: row.try_get("expected_amount")?,
            expected_close_date: parse_date(row.try_get("expected_close_date")?)?,
            currency: row.try_get("currency")?,
            order_placed_on: parse_date(row.try_get("order_placed_on")?)?,
            invoice_paid_on: parse_date(row.try_get("invoice_paid_on")?)?,
            delivered_on: parse_date(row.try_get("delivered_on")?)?,
            notes: row.try_get("notes")?,
        },
        state: ProcessState {
            process_id: parse_id(&row.try_get::<String, _>("process_id")?)?,
            stage: row.try_get("stage")?,
            closed: row.try_get::<i64, _>("closed")? != 0,
            contract_kind,
            contract,
            probability: row.try_get("probability")?,
            lost_reason: row.try_get("lost_reason")?,
            closed_at: row
                .try_get::<Option<String>, _>("closed_at")?
                .map(|t| parse_time(&t))
                .transpose()?,
        },
        lead_id: parse_optional_id(row.try_get::<Option<String>, _>("lead_id")?.as_deref())?,
        territory_id: parse_optional_id(
            row.try_get::<Option<String>, _>("territory_id")?.as_deref(),
        )?,
        amount: row.try_get("amount")?,
    })
}

/// The lines of a sale, in order.
pub async fn lines(connection: &mut AnyConnection, sale_id: Uuid) -> StoreResult<Vec<SaleLine>> {
    let rows = sqlx::query(
        "SELECT product_id, quantity, unit_price, vat_rate, needs_sample, sample_paid, unit_cost \
         FROM sale_lines WHERE sale_id = $1 ORDER BY position",
    )
    .bind(sale_id.to_string())
    .fetch_all(connection)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(SaleLine {
                product_id: parse_id(&row.try_get::<String, _>("product_id")?)?,
                quantity: row.try_get("quantity")?,
                unit_price: row.try_get("unit_price")?,
                vat_rate: row.try_get("vat_rate")?,
                needs_sample: row.try_get::<i64, _>("needs_sample")? != 0,
                sample_paid: row.try_get::<i64, _>("sample_paid")? != 0,
                unit_cost: row.try_get("unit_cost")?,
            })
        })
        .collect()
}

/// What an export shows of a sale beyond its list row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Details {
    /// When the sale was made.
    pub created_at: DateTime<Utc>,
    /// Its territory's name.
    pub territory_name: Option<String>,
    /// Its lines, in order.
    pub lines: Vec<SaleLine>,
}

/// The [`Details`] of these sales (two queries, whatever their number; ids not found are absent).
pub async fn details(
    connection: &mut AnyConnection,
    ids: &[Uuid],
) -> StoreResult<std::collections::HashMap<Uuid, Details>> {
    let mut found = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(found);
    }
    let args = || ids.iter().map(|id| Arg::Text(id.to_string()));
    let mut sql = Sql::new(
        "SELECT s.id, s.created_at, t.name AS territory_name FROM sales s \
         LEFT JOIN territories t ON t.id = s.territory_id WHERE s.id IN (",
    );
    sql.bind_list(args()).push(")");
    for row in sql.query().fetch_all(&mut *connection).await? {
        found.insert(
            parse_id(&row.try_get::<String, _>("id")?)?,
            Details {
                created_at: parse_time(&row.try_get::<String, _>("created_at")?)?,
                territory_name: row.try_get("territory_name")?,
                lines: Vec::new(),
            },
        );
    }
    let mut sql = Sql::new(
        "SELECT sale_id, product_id, quantity, unit_price, vat_rate, needs_sample, sample_paid, unit_cost \
         FROM sale_lines WHERE sale_id IN (",
    );
    sql.bind_list(args()).push(") ORDER BY sale_id, position");
    for row in sql.query().fetch_all(&mut *connection).await? {
        let sale_id = parse_id(&row.try_get::<String, _>("sale_id")?)?;
        if let Some(details) = found.get_mut(&sale_id) {
            details.lines.push(SaleLine {
                product_id: parse_id(&row.try_get::<String, _>("product_id")?)?,
                quantity: row.try_get("quantity")?,
                unit_price: row.try_get("unit_price")?,
                vat_rate: row.try_get("vat_rate")?,
                needs_sample: row.try_get::<i64, _>("needs_sample")? != 0,
                sample_paid: row.try_get::<i64, _>("sample_paid")? != 0,
                unit_cost: row.try_get("unit_cost")?,
            });
        }
    }
    Ok(found)
}

/// Reads a live sale with its lines.
pub async fn get(connection: &mut AnyConnection, id: Uuid) -> StoreResult<SaleRecord> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM sales s WHERE s.id = $1 AND s.deleted_at IS NULL"
    )))
    .bind(id.to_string())
    .fetch_optional(&mut *connection)
    .await?
    .ok_or(StoreError::NotFound)?;
    let lines = lines(connection, id).await?;
    from_row(&row, lines)
}

async fn write_lines(
    connection: &mut AnyConnection,
    sale_id: Uuid,
    lines: &[SaleLine],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM sale_lines WHERE sale_id = $1")
        .bind(sale_id.to_string())
        .execute(&mut *connection)
        .await?;
    for (position, line) in lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO sale_lines (id, sale_id, position, product_id, quantity, unit_price, vat_rate, \
             needs_sample, sample_paid, unit_cost) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(new_id().to_string())
        .bind(sale_id.to_string())
        .bind(position as i64)
        .bind(line.product_id.to_string())
        .bind(line.quantity)
        .bind(line.unit_price)
        .bind(line.vat_rate)
        .bind(i64::from(line.needs_sample))
        .bind(i64::from(line.sample_paid))
        .bind(line.unit_cost)
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

async fn index(connection: &mut AnyConnection, record: &SaleRecord) -> StoreResult<()> {
    search::index(
        connection,
        KIND,
        record.meta.id,
        search::Posting {
            sort_key: &normalize(&record.data.title),
            owner_id: record.data.owner_id,
            territory_id: record.territory_id,
        },
        &[record.data.title.as_str()],
    )
    .await
}

/// A sale to create.
#[derive(Debug, Clone)]
pub struct NewSale<'a> {
    /// The deal.
    pub data: &'a Sale,
    /// The lead it comes from.
    pub lead_id: Option<Uuid>,
    /// The client's territory.
    pub territory_id: Option<Uuid>,
    /// The process definition version.
    pub process_id: Uuid,
    /// The first stage.
    pub stage: &'a str,
    /// Its probability.
    pub probability: i64,
}

/// Creates a sale and its lines.
pub async fn insert(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    new: NewSale<'_>,
) -> StoreResult<SaleRecord> {
    let id = new_id();
    let now = now_text();
    let data = new.data;
    let mut sql = Sql::new(
        "INSERT INTO sales (id, created_at, updated_at, version, title, name_sort, counterparty_id, contact_id, \
         lead_id, owner_id, territory_id, process_id, process_type, stage, closed, delivery_terms, amount, \
         expected_amount, expected_close_date, currency, probability, order_placed_on, invoice_paid_on, \
         delivered_on, notes) VALUES (",
    );
    sql.bind_list([
        Arg::Text(id.to_string()),
        Arg::Text(now.clone()),
        Arg::Text(now),
        Arg::Int(1),
        Arg::Text(data.title.clone()),
        Arg::Text(normalize(&data.title)),
        Arg::Text(data.counterparty_id.to_string()),
        Arg::OptText(data.contact_id.map(|id| id.to_string())),
        Arg::OptText(new.lead_id.map(|id| id.to_string())),
        Arg::OptText(data.owner_id.map(|id| id.to_string())),
        Arg::OptText(new.territory_id.map(|id| id.to_string())),
        Arg::Text(new.process_id.to_string()),
        Arg::OptText(data.process_type.map(|t| t.code().to_string())),
        Arg::Text(new.stage.to_string()),
        Arg::Int(0),
        Arg::OptText(data.delivery_terms.clone()),
        Arg::Int(totals(&data.lines).amount),
        Arg::OptInt(data.expected_amount),
        Arg::OptText(opt_date_text(data.expected_close_date)),
        Arg::Text(data.currency.clone()),
        Arg::Int(new.probability),
        Arg::OptText(opt_date_text(data.order_placed_on)),
        Arg::OptText(opt_date_text(data.invoice_paid_on)),
        Arg::OptText(opt_date_text(data.delivered_on)),
        Arg::OptText(data.notes.clone()),
    ]);
    sql.push(")");
    sql.query().execute(&mut *connection).await?;
    write_lines(connection, id, &data.lines).await?;
    let record = get(connection, id).await?;
    index(connection, &record).await?;
    history::record_change(
        connection,
        KIND,
        id,
        Action::Create,
        user_id,
        None,
        Some(&record.snapshot()),
    )
    .await?;
    Ok(record)
}

/// Changes the deal (not its process state) if its version is still `expected_version` (`None`:
/// the caller already checked), and returns it.
pub async fn update(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
    expected_version: Option<i64>,
    data: &Sale,
    territory_id: Option<Uuid>,
) -> StoreResult<SaleRecord> {
    let old = get(connection, id).await?;
    if let Some(expected) = expected_version
        && old.meta.version != expected
    {
        return Err(StoreError::StaleVersion {
            current: old.meta.version,
        });
    }
    let mut sql = Sql::new(
        "UPDATE sales SET (title, name_sort, counterparty_id, contact_id, owner_id, territory_id, process_type, \
         delivery_terms, amount, expected_amount, expected_close_date, currency, order_placed_on, invoice_paid_on, delivered_on, \
         notes, updated_at) = (",
    );
    sql.bind_list([
        Arg::Text(data.title.clone()),
        Arg::Text(normalize(&data.title)),
        Arg::Text(data.counterparty_id.to_string()),
        Arg::OptText(data.contact_id.map(|id| id.to_string())),
        Arg::OptText(data.owner_id.map(|id| id.to_string())),
        Arg::OptText(territory_id.map(|id| id.to_string())),
        Arg::OptText(data.process_type.map(|t| t.code().to_string())),
        Arg::OptText(data.delivery_terms.clone()),
        Arg::Int(totals(&data.lines).amount),
        Arg::OptInt(data.expected_amount),
        Arg::OptText(opt_date_text(data.expected_close_date)),
        Arg::Text(data.currency.clone()),
        Arg::OptText(opt_date_text(data.order_placed_on)),
        Arg::OptText(opt_date_text(data.invoice_paid_on)),
        Arg::OptText(opt_date_text(data.delivered_on)),
        Arg::OptText(data.notes.clone()),
        Arg::Text(now_text()),
    ]);
    sql.push("), version = version + 1 WHERE id = ")
        .bind_text(id.to_string());
    sql.query().execute(&mut *connection).await?;
    if old.data.lines != data.lines {
        write_lines(connection, id, &data.lines).await?;
    }
    let new = get(connection, id).await?;
    index(connection, &new).await?;
    history::record_change(
        connection,
        KIND,
        id,
        Action::Update,
        user_id,
        Some(&old.snapshot()),
        Some(&new.snapshot()),
    )
    .await?;
    Ok(new)
}

/// Writes a new process state (and process type) of a sale, bumping its version.
pub async fn set_state(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
    process_type: Option<ProcessType>,
    state: &ProcessState,
) -> StoreResult<SaleRecord> {
    let old = get(connection, id).await?;
    let contract = state
        .contract
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(anyhow::Error::from)?;
    let mut sql = Sql::new(
        "UPDATE sales SET (process_type, stage, closed, contract_kind, contract, lost_reason, closed_at, updated_at) = (",
    );
    sql.bind_list([
        Arg::OptText(process_type.map(|t| t.code().to_string())),
        Arg::Text(state.stage.clone()),
        Arg::Int(i64::from(state.closed)),
        Arg::OptText(state.contract_kind.map(|k| k.code().to_string())),
        Arg::OptText(contract),
        Arg::OptText(state.lost_reason.clone()),
        Arg::OptText(state.closed_at.map(crate::time_text)),
        Arg::Text(now_text()),
    ]);
    sql.push("), probability = ")
        .bind(Arg::Int(state.probability))
        .push(", version = version + 1 WHERE id = ")
        .bind_text(id.to_string());
    sql.query().execute(&mut *connection).await?;
    let new = get(connection, id).await?;
    history::record_change(
        connection,
        KIND,
        id,
        Action::Update,
        user_id,
        Some(&old.snapshot()),
        Some(&new.snapshot()),
    )
    .await?;
    Ok(new)
}

/// Marks the sale changed (a task of it completed, a cost added): bumps `updated_at` so the board
/// shows recently worked sales first.
pub async fn touch(connection: &mut AnyConnection, id: Uuid) -> StoreResult<()> {
    sqlx::query("UPDATE sales SET updated_at = $1 WHERE id = $2")
        .bind(now_text())
        .bind(id.to_string())
        .execute(connection)
        .await?;
    Ok(())
}

/// Hides a sale.
pub async fn delete(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
) -> StoreResult<()> {
    let old = get(connection, id).await?;
    sqlx::query(
        "UPDATE sales SET deleted_at = $1, updated_at = $1, version = version + 1 WHERE id = $2",
    )
    .bind(now_text())
    .bind(id.to_string())
    .execute(&mut *connection)
    .await?;
    search::remove(connection, id).await?;
    history::record_change(
        connection,
        KIND,
        id,
        Action::Delete,
        user_id,
        Some(&old.snapshot()),
        None,
    )
    .await
}

/// Filters of a sale list.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Words of the title.
    pub q: Option<String>,
    /// Only this stage.
    pub stage: Option<String>,
    /// Only open (`Some(false)`) or closed (`Some(true)`) sales.
    pub closed: Option<bool>,
    /// Only this client's.
    pub counterparty_id: Option<Uuid>,
    /// Only this owner's.
    pub owner_id: Option<Uuid>,
    /// Continue after this row.
    pub cursor: Option<Cursor>,
    /// Page size.
    pub limit: i64,
}

/// A sale as a list or a board card shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// Id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// Title.
    pub title: String,
    /// Client.
    pub counterparty_id: Uuid,
    /// Client's name.
    pub counterparty_name: String,
    /// Owner.
    pub owner_id: Option<Uuid>,
    /// Owner's name.
    pub owner_name: Option<String>,
    /// Stage.
    pub stage: String,
    /// Process type.
    pub process_type: Option<String>,
    /// Lines total.
    pub amount: i64,
    /// Expected amount.
    pub expected_amount: Option<i64>,
    /// Currency.
    pub currency: String,
    /// Expected close date.
    pub expected_close_date: Option<NaiveDate>,
    /// Probability.
    pub probability: i64,
    /// Closed.
    pub closed: bool,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

const CARD_COLUMNS: &str = "s.id, s.version, s.title, s.name_sort, s.counterparty_id, cp.name AS counterparty_name, \
    s.owner_id, u.full_name AS owner_name, s.stage, s.process_type, s.amount, s.expected_amount, s.currency, \
    s.expected_close_date, s.probability, s.closed, s.updated_at";

const CARD_FROM: &str = " FROM sales s JOIN counterparties cp ON cp.id = s.counterparty_id \
    LEFT JOIN users u ON u.id = s.owner_id WHERE s.deleted_at IS NULL";

fn card(row: &AnyRow) -> StoreResult<Card> {
    Ok(Card {
        id: parse_id(&row.try_get::<String, _>("id")?)?,
        version: row.try_get("version")?,
        title: row.try_get("title")?,
        counterparty_id: parse_id(&row.try_get::<String, _>("counterparty_id")?)?,
        counterparty_name: row.try_get("counterparty_name")?,
        owner_id: parse_optional_id(row.try_get::<Option<String>, _>("owner_id")?.as_deref())?,
        owner_name: row.try_get("owner_name")?,
        stage: row.try_get("stage")?,
        process_type: row.try_get("process_type")?,
        amount: row.try_get("amount")?,
        expected_amount: row.try_get("expected_amount")?,
        currency: row.try_get("currency")?,
        expected_close_date: parse_date(row.try_get("expected_close_date")?)?,
        probability: row.try_get("probability")?,
        closed: row.try_get::<i64, _>("closed")? != 0,
        updated_at: parse_time(&row.try_get::<String, _>("updated_at")?)?,
    })
}

/// One page of sales, most recently changed first.
pub async fn list(
    connection: &mut AnyConnection,
    scope: &Scope,
    query: &ListQuery,
) -> StoreResult<Page<Card>> {
    list_within(connection, &[scope], query).await
}

/// One page of sales inside every one of `scopes` (an export: readable and exportable).
pub async fn list_within(
    connection: &mut AnyConnection,
    scopes: &[&Scope],
    query: &ListQuery,
) -> StoreResult<Page<Card>> {
    let reaches = access::resolve_all(&mut *connection, scopes).await?;
    let mut sql = Sql::new("SELECT ");
    sql.push(CARD_COLUMNS).push(CARD_FROM);
    push_reaches(
        &mut sql,
        &reaches,
        Some("s.owner_id"),
        Some("s.territory_id"),
    );
    if let Some(q) = query.q.as_deref().filter(|q| !q.trim().is_empty()) {
        search::push_match(&mut sql, KIND, "s.id", q);
    }
    if let Some(stage) = &query.stage {
        sql.push(" AND s.stage = ").bind_text(stage.clone());
    }
    if let Some(closed) = query.closed {
        sql.push(" AND s.closed = ")
            .bind(Arg::Int(i64::from(closed)));
    }
    if let Some(counterparty) = query.counterparty_id {
        sql.push(" AND s.counterparty_id = ")
            .bind_text(counterparty.to_string());
    }
    if let Some(owner) = query.owner_id {
        sql.push(" AND s.owner_id = ").bind_text(owner.to_string());
    }
    if let Some(cursor) = &query.cursor {
        sql.push(" AND (s.updated_at, s.id) < (")
            .bind_text(cursor.value.clone())
            .push(", ")
            .bind_text(cursor.id.clone())
            .push(")");
    }
    sql.push(" ORDER BY s.updated_at DESC, s.id DESC LIMIT ")
        .push_count(query.limit + 1);
    let rows = sql.query().fetch_all(connection).await?;
    let mut items = Vec::new();
    let mut last = None;
    for row in rows.iter().take(query.limit as usize) {
        last = Some(Cursor {
            value: row.try_get("updated_at")?,
            id: row.try_get("id")?,
        });
        items.push(card(row)?);
    }
    let next_cursor = if rows.len() as i64 > query.limit {
        last.map(|c| c.encode())
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// One column of the kanban board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Stage code.
    pub stage: String,
    /// How many sales stand there.
    pub count: i64,
    /// Their lines' total.
    pub amount: i64,
    /// The most recently changed ones.
    pub cards: Vec<Card>,
}

/// The kanban board: for each stage, its count, total and the `per_column` most recently changed
/// sales, as far as `scope` reaches. `owner_id` narrows to one manager's sales.
pub async fn board(
    connection: &mut AnyConnection,
    scope: &Scope,
    stages: &[String],
    owner_id: Option<Uuid>,
    per_column: i64,
) -> StoreResult<Vec<Column>> {
    let reach = access::resolve(&mut *connection, scope).await?;
    if reach.is_nothing() {
        return Ok(stages
            .iter()
            .map(|stage| Column {
                stage: stage.clone(),
                count: 0,
                amount: 0,
                cards: Vec::new(),
            })
            .collect());
    }
    let filters = |sql: &mut Sql| {
        push_reach(sql, &reach, Some("s.owner_id"), Some("s.territory_id"));
        if let Some(owner) = owner_id {
            sql.push(" AND s.owner_id = ").bind_text(owner.to_string());
        }
    };
    // Counts and sums come from `sales_per_stage` (migration 0008), which triggers keep in step:
    // counting the sales themselves reads every one of them.
    let mut totals = Sql::new(
        "SELECT s.stage, CAST(SUM(s.sales) AS BIGINT) AS n, CAST(SUM(s.amount) AS BIGINT) AS amount \
         FROM sales_per_stage s WHERE s.stage IN (",
    );
    totals
        .bind_list(stages.iter().cloned().map(Arg::Text))
        .push(")");
    filters(&mut totals);
    totals.push(" GROUP BY s.stage");
    let mut columns: Vec<Column> = stages
        .iter()
        .map(|stage| Column {
            stage: stage.clone(),
            count: 0,
            amount: 0,
            cards: Vec::new(),
        })
        .collect();
    for row in totals.query().fetch_all(&mut *connection).await? {
        let stage: String = row.try_get("stage")?;
        if let Some(column) = columns.iter_mut().find(|c| c.stage == stage) {
            column.count = row.try_get("n")?;
            column.amount = row.try_get("amount")?;
        }
    }
    // Every column's cards in one statement: each column's page is chosen from index entries first
    // (a subquery per stage with its own order and limit), then only those rows are joined. A
    // scoped column otherwise joins every sale of the stage in reach before sorting, and a
    // statement per column costs a round trip each.
    let shown: Vec<String> = columns
        .iter()
        .filter(|c| c.count > 0)
        .map(|c| c.stage.clone())
        .collect();
    if !shown.is_empty() {
        let mut sql = Sql::new("SELECT ");
        sql.push(CARD_COLUMNS)
            .push(CARD_FROM)
            .push(" AND s.id IN (");
        for (index, stage) in shown.into_iter().enumerate() {
            if index > 0 {
                sql.push(" UNION ALL ");
            }
            sql.push(
                "SELECT k.id FROM (SELECT s.id FROM sales s WHERE s.deleted_at IS NULL AND s.stage = ",
            )
            .bind_text(stage);
            filters(&mut sql);
            sql.push(" ORDER BY s.updated_at DESC, s.id DESC LIMIT ")
                .push_count(per_column)
                .push(") k");
        }
        sql.push(") ORDER BY s.updated_at DESC, s.id DESC");
        for row in sql.query().fetch_all(&mut *connection).await? {
            let card = card(&row)?;
            if let Some(column) = columns.iter_mut().find(|c| c.stage == card.stage) {
                column.cards.push(card);
            }
        }
    }
    Ok(columns)
}

/// One event of a sale's log, to append.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewEvent {
    /// `stage_entered`, `stage_skipped`, `task_created`, `task_done`, `task_cancelled`, `closed`,
    /// `contract_changed`.
    pub kind: &'static str,
    /// The stage concerned.
    pub stage: Option<String>,
    /// The task concerned.
    pub task_id: Option<Uuid>,
    /// Its kind (code).
    pub task_kind: Option<String>,
    /// Its product.
    pub product_id: Option<Uuid>,
    /// The outcome chosen.
    pub outcome: Option<String>,
    /// A comment or reason.
    pub comment: Option<String>,
    /// Data of the outcome (JSON).
    pub data: Option<serde_json::Value>,
}

/// An event of a sale's log as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// Order within the sale.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub user_id: Option<Uuid>,
    /// Their name.
    pub user_name: Option<String>,
    /// What happened.
    pub kind: String,
    /// Stage.
    pub stage: Option<String>,
    /// Task.
    pub task_id: Option<Uuid>,
    /// Task kind.
    pub task_kind: Option<String>,
    /// Product.
    pub product_id: Option<Uuid>,
    /// Outcome.
    pub outcome: Option<String>,
    /// Comment.
    pub comment: Option<String>,
    /// Data.
    pub data: Option<serde_json::Value>,
}

/// Appends events to a sale's log, in order.
pub async fn append_events(
    connection: &mut AnyConnection,
    sale_id: Uuid,
    user_id: Option<Uuid>,
    events: &[NewEvent],
) -> StoreResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let row =
        sqlx::query("SELECT COALESCE(MAX(seq), 0) AS seq FROM sale_events WHERE sale_id = $1")
            .bind(sale_id.to_string())
            .fetch_one(&mut *connection)
            .await?;
    let mut seq: i64 = row.try_get("seq")?;
    let at = now_text();
    for event in events {
        seq += 1;
        sqlx::query(
            "INSERT INTO sale_events (id, sale_id, seq, at, user_id, kind, stage, task_id, task_kind, product_id, \
             outcome, comment, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(new_id().to_string())
        .bind(sale_id.to_string())
        .bind(seq)
        .bind(&at)
        .bind(user_id.map(|id| id.to_string()))
        .bind(event.kind)
        .bind(event.stage.clone())
        .bind(event.task_id.map(|id| id.to_string()))
        .bind(event.task_kind.clone())
        .bind(event.product_id.map(|id| id.to_string()))
        .bind(event.outcome.clone())
        .bind(event.comment.clone())
        .bind(event.data.as_ref().map(|d| d.to_string()))
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

/// A sale's log, oldest first.
pub async fn events(connection: &mut AnyConnection, sale_id: Uuid) -> StoreResult<Vec<Event>> {
    let rows = sqlx::query(
        "SELECT e.seq, e.at, e.user_id, u.full_name AS user_name, e.kind, e.stage, e.task_id, e.task_kind, \
         e.product_id, e.outcome, e.comment, e.data FROM sale_events e LEFT JOIN users u ON u.id = e.user_id \
         WHERE e.sale_id = $1 ORDER BY e.seq",
    )
    .bind(sale_id.to_string())
    .fetch_all(connection)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Event {
                seq: row.try_get("seq")?,
                at: parse_time(&row.try_get::<String, _>("at")?)?,
                user_id: parse_optional_id(
                    row.try_get::<Option<String>, _>("user_id")?.as_deref(),
                )?,
                user_name: row.try_get("user_name")?,
                kind: row.try_get("kind")?,
                stage: row.try_get("stage")?,
                task_id: parse_optional_id(
                    row.try_get::<Option<String>, _>("task_id")?.as_deref(),
                )?,
                task_kind: row.try_get("task_kind")?,
                product_id: parse_optional_id(
                    row.try_get::<Option<String>, _>("product_id")?.as_deref(),
                )?,
                outcome: row.try_get("outcome")?,
                comment: row.try_get("comment")?,
                data: row
                    .try_get::<Option<String>, _>("data")?
                    .and_then(|d| serde_json::from_str(&d).ok()),
            })
        })
        .collect()
}

/// The stage marks of a sale, in order: `(stage, "stage_entered" | "stage_skipped")`.
pub async fn marks(
    connection: &mut AnyConnection,
    sale_id: Uuid,
) -> StoreResult<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT stage, kind FROM sale_events WHERE sale_id = $1 AND kind IN ('stage_entered', 'stage_skipped') ORDER BY seq",
    )
    .bind(sale_id.to_string())
    .fetch_all(connection)
    .await?;
    rows.iter()
        .map(|row| Ok((row.try_get("stage")?, row.try_get("kind")?)))
        .collect()
}

/// Sales of a lead or a counterparty, newest first (for cards).
pub async fn of_counterparty(
    connection: &mut AnyConnection,
    scope: &Scope,
    counterparty_id: Uuid,
    limit: i64,
) -> StoreResult<Vec<Card>> {
    let page = list(
        connection,
        scope,
        &ListQuery {
            counterparty_id: Some(counterparty_id),
            limit,
            ..Default::default()
        },
    )
    .await?;
    Ok(page.items)
}
