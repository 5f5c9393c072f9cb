//! A sale's costs: samples, trips, trial runs, logistics.

use chrono::NaiveDate;
use ferment_domain::sale::{Cost, CostCategory};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};
use uuid::Uuid;

use crate::history::{self, Action};
use crate::sales::{date_text, parse_date};
use crate::sql::{Arg, Sql};
use crate::{Meta, Record, StoreError, StoreResult, new_id, now_text, parse_id, parse_optional_id};

/// The kind name of costs in the history.
pub const KIND: &str = "sale_cost";

/// A cost with the sale it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostRecord {
    /// The cost.
    pub record: Record<Cost>,
    /// Its sale.
    pub sale_id: Uuid,
}

const COLUMNS: &str = "id, version, created_at, updated_at, sale_id, category, amount, vat_rate, spent_on, note, task_id";

fn from_row(row: &AnyRow) -> StoreResult<CostRecord> {
    let category: String = row.try_get("category")?;
    Ok(CostRecord {
        record: Record {
            meta: Meta::from_row(row)?,
            data: Cost {
                category: CostCategory::from_code(&category).ok_or_else(|| {
                    StoreError::Other(anyhow::anyhow!("bad cost category {category:?}"))
                })?,
                amount: row.try_get("amount")?,
                vat_rate: row.try_get("vat_rate")?,
                spent_on: parse_date(row.try_get("spent_on")?)?.unwrap_or(NaiveDate::MIN),
                note: row.try_get("note")?,
                task_id: parse_optional_id(
                    row.try_get::<Option<String>, _>("task_id")?.as_deref(),
                )?,
            },
        },
        sale_id: parse_id(&row.try_get::<String, _>("sale_id")?)?,
    })
}

/// Reads a live cost.
pub async fn get(connection: &mut AnyConnection, id: Uuid) -> StoreResult<CostRecord> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM sale_costs WHERE id = $1 AND deleted_at IS NULL"
    )))
    .bind(id.to_string())
    .fetch_optional(connection)
    .await?
    .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

/// A sale's live costs, by date.
pub async fn of_sale(
    connection: &mut AnyConnection,
    sale_id: Uuid,
) -> StoreResult<Vec<CostRecord>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM sale_costs WHERE sale_id = $1 AND deleted_at IS NULL ORDER BY spent_on, id"
    )))
    .bind(sale_id.to_string())
    .fetch_all(connection)
    .await?;
    rows.iter().map(from_row).collect()
}

/// The live costs of these sales, by sale (one query; sales without costs are absent).
pub async fn of_sales(
    connection: &mut AnyConnection,
    sale_ids: &[Uuid],
) -> StoreResult<std::collections::HashMap<Uuid, Vec<Cost>>> {
    let mut found: std::collections::HashMap<Uuid, Vec<Cost>> = std::collections::HashMap::new();
    if sale_ids.is_empty() {
        return Ok(found);
    }
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS} FROM sale_costs WHERE deleted_at IS NULL AND sale_id IN ("
    ));
    sql.bind_list(sale_ids.iter().map(|id| Arg::Text(id.to_string())))
        .push(") ORDER BY sale_id, spent_on, id");
    for row in sql.query().fetch_all(connection).await? {
        let cost = from_row(&row)?;
        found
            .entry(cost.sale_id)
            .or_default()
            .push(cost.record.data);
    }
    Ok(found)
}

/// Adds a cost to a sale.
pub async fn insert(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    sale_id: Uuid,
    data: &Cost,
) -> StoreResult<CostRecord> {
    let id = new_id();
    let now = now_text();
    sqlx::query(
        "INSERT INTO sale_costs (id, sale_id, category, amount, vat_rate, spent_on, note, task_id, created_by, \
         created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, 1)",
    )
    .bind(id.to_string())
    .bind(sale_id.to_string())
    .bind(data.category.code())
    .bind(data.amount)
    .bind(data.vat_rate)
    .bind(date_text(data.spent_on))
    .bind(data.note.clone())
    .bind(data.task_id.map(|id| id.to_string()))
    .bind(user_id.map(|id| id.to_string()))
    .bind(now)
    .execute(&mut *connection)
    .await?;
    history::record_change(
        connection,
        KIND,
        id,
        Action::Create,
        user_id,
        None,
        Some(data),
    )
    .await?;
    get(connection, id).await
}

/// Changes a cost if its version is still `expected_version`.
pub async fn update(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
    expected_version: i64,
    data: &Cost,
) -> StoreResult<CostRecord> {
    let old = get(connection, id).await?;
    if old.record.meta.version != expected_version {
        return Err(StoreError::StaleVersion {
            current: old.record.meta.version,
        });
    }
    sqlx::query(
        "UPDATE sale_costs SET category = $1, amount = $2, vat_rate = $3, spent_on = $4, note = $5, task_id = $6, \
         updated_at = $7, version = version + 1 WHERE id = $8",
    )
    .bind(data.category.code())
    .bind(data.amount)
    .bind(data.vat_rate)
    .bind(date_text(data.spent_on))
    .bind(data.note.clone())
    .bind(data.task_id.map(|id| id.to_string()))
    .bind(now_text())
    .bind(id.to_string())
    .execute(&mut *connection)
    .await?;
    history::record_change(
        connection,
        KIND,
        id,
        Action::Update,
        user_id,
        Some(&old.record.data),
        Some(data),
    )
    .await?;
    get(connection, id).await
}

/// Hides a cost.
pub async fn delete(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
) -> StoreResult<()> {
    let old = get(connection, id).await?;
    sqlx::query("UPDATE sale_costs SET deleted_at = $1, updated_at = $1, version = version + 1 WHERE id = $2")
        .bind(now_text())
        .bind(id.to_string())
        .execute(&mut *connection)
        .await?;
    history::record_change::<Cost>(
        connection,
        KIND,
        id,
        Action::Delete,
        user_id,
        Some(&old.record.data),
        None,
    )
    .await
}
