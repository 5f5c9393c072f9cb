//! CommerceML 2 bookkeeping: which Ferment record each 1C `Ид` became, and the orders waiting for
//! 1C's exchange to take them.

use serde_json::Value;
use sqlx::{AnyConnection, Row as _};
use uuid::Uuid;

use crate::{StoreResult, now_text, parse_id};

/// The Ferment record a 1C `Ид` of `object` became, with what was kept about it.
pub async fn link(
    connection: &mut AnyConnection,
    object: &str,
    id_1c: &str,
) -> StoreResult<Option<(Option<Uuid>, Value)>> {
    let row =
        sqlx::query("SELECT record_id, extra FROM cml_links WHERE object = $1 AND id_1c = $2")
            .bind(object)
            .bind(id_1c)
            .fetch_optional(connection)
            .await?;
    row.map(|row| {
        let record = row
            .try_get::<Option<String>, _>("record_id")?
            .as_deref()
            .map(parse_id)
            .transpose()?;
        let extra = row
            .try_get::<Option<String>, _>("extra")?
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null);
        Ok((record, extra))
    })
    .transpose()
}

/// The 1C `Ид` of a Ferment record, if it has one.
pub async fn id_of(
    connection: &mut AnyConnection,
    object: &str,
    record_id: Uuid,
) -> StoreResult<Option<String>> {
    let row =
        sqlx::query("SELECT id_1c FROM cml_links WHERE record_id = $1 AND object = $2 LIMIT 1")
            .bind(record_id.to_string())
            .bind(object)
            .fetch_optional(connection)
            .await?;
    Ok(row.map(|row| row.try_get("id_1c")).transpose()?)
}

/// Writes a link.
pub async fn put_link(
    connection: &mut AnyConnection,
    object: &str,
    id_1c: &str,
    record_id: Option<Uuid>,
    extra: &Value,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO cml_links (object, id_1c, record_id, extra, synced_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (object, id_1c) DO UPDATE SET record_id = excluded.record_id, extra = excluded.extra, \
         synced_at = excluded.synced_at",
    )
    .bind(object)
    .bind(id_1c)
    .bind(record_id.map(|id| id.to_string()))
    .bind((!extra.is_null()).then(|| extra.to_string()))
    .bind(now_text())
    .execute(connection)
    .await?;
    Ok(())
}

/// Asks for a sale's order to be given to 1C at its next exchange (again, if it was given before).
pub async fn request_order(
    connection: &mut AnyConnection,
    sale_id: Uuid,
    user_id: Option<Uuid>,
) -> StoreResult<()> {
    let now = now_text();
    sqlx::query(
        "INSERT INTO cml_orders (sale_id, requested_by, requested_at, updated_at) VALUES ($1, $2, $3, $3) \
         ON CONFLICT (sale_id) DO UPDATE SET requested_by = excluded.requested_by, requested_at = excluded.requested_at, \
         exported_at = NULL, updated_at = excluded.updated_at",
    )
    .bind(sale_id.to_string())
    .bind(user_id.map(|id| id.to_string()))
    .bind(now)
    .execute(connection)
    .await?;
    Ok(())
}

/// Sales whose orders 1C has not confirmed yet.
pub async fn orders_waiting(connection: &mut AnyConnection) -> StoreResult<Vec<Uuid>> {
    let rows = sqlx::query(
        "SELECT sale_id FROM cml_orders WHERE exported_at IS NULL ORDER BY requested_at",
    )
    .fetch_all(connection)
    .await?;
    rows.iter()
        .map(|row| parse_id(&row.try_get::<String, _>("sale_id")?))
        .collect()
}

/// Records that orders were handed to 1C (`query`).
pub async fn mark_sent(connection: &mut AnyConnection, sale_ids: &[Uuid]) -> StoreResult<()> {
    for id in sale_ids {
        sqlx::query("UPDATE cml_orders SET sent_at = $1, updated_at = $1 WHERE sale_id = $2")
            .bind(now_text())
            .bind(id.to_string())
            .execute(&mut *connection)
            .await?;
    }
    Ok(())
}

/// Records that 1C confirmed the orders it was given (`success`).
pub async fn mark_exported(connection: &mut AnyConnection) -> StoreResult<usize> {
    let done = sqlx::query(
        "UPDATE cml_orders SET exported_at = $1, updated_at = $1 WHERE exported_at IS NULL AND sent_at IS NOT NULL",
    )
    .bind(now_text())
    .execute(connection)
    .await?;
    Ok(done.rows_affected() as usize)
}

/// Keeps 1C's number and status of an order.
pub async fn set_status(
    connection: &mut AnyConnection,
    sale_id: Uuid,
    number: Option<&str>,
    status: Option<&str>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE cml_orders SET number_1c = COALESCE($1, number_1c), status_1c = COALESCE($2, status_1c), updated_at = $3 \
         WHERE sale_id = $4",
    )
    .bind(number)
    .bind(status)
    .bind(now_text())
    .bind(sale_id.to_string())
    .execute(connection)
    .await?;
    Ok(())
}

/// An order's state in the exchange: (requested, sent, exported, 1C number, 1C status).
pub async fn order_state(
    connection: &mut AnyConnection,
    sale_id: Uuid,
) -> StoreResult<Option<Value>> {
    let row = sqlx::query(
        "SELECT requested_at, sent_at, exported_at, number_1c, status_1c FROM cml_orders WHERE sale_id = $1",
    )
    .bind(sale_id.to_string())
    .fetch_optional(connection)
    .await?;
    row.map(|row| {
        Ok(serde_json::json!({
            "requested_at": row.try_get::<String, _>("requested_at")?,
            "sent_at": row.try_get::<Option<String>, _>("sent_at")?,
            "exported_at": row.try_get::<Option<String>, _>("exported_at")?,
            "number_1c": row.try_get::<Option<String>, _>("number_1c")?,
            "status_1c": row.try_get::<Option<String>, _>("status_1c")?,
        }))
    })
    .transpose()
}

/// Links of one object kind attached to a record: (1C `Ид`, what was kept).
pub async fn links_of_record(
    connection: &mut AnyConnection,
    object: &str,
    record_id: Uuid,
) -> StoreResult<Vec<(String, Value)>> {
    let rows =
        sqlx::query("SELECT id_1c, extra FROM cml_links WHERE record_id = $1 AND object = $2")
            .bind(record_id.to_string())
            .bind(object)
            .fetch_all(connection)
            .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("id_1c")?,
                row.try_get::<Option<String>, _>("extra")?
                    .and_then(|t| serde_json::from_str(&t).ok())
                    .unwrap_or(Value::Null),
            ))
        })
        .collect()
}

/// One step of 1C's exchange as the administrators' page and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExchangeStep {
    /// `import` (a file), `query` (orders handed to 1C) or `success` (orders 1C confirmed).
    pub kind: String,
    /// The file 1C named (`import.xml`, `offers.xml`…); empty for `query` and `success`.
    pub file: String,
    /// When the step began.
    pub started_at: String,
    /// When it last moved.
    pub updated_at: String,
    /// Items imported so far, or orders handed over or confirmed.
    pub items: i64,
    /// `progress`, `done` or `failed`.
    pub outcome: String,
    /// Why it failed.
    pub message: Option<String>,
}

/// How long exchange steps are kept.
const EXCHANGE_LOG_DAYS: i64 = 90;

/// Records a step of the exchange session `session_key` (a digest of its cookie): the row of
/// (session, `kind`, `file`) is created or brought up to date. `items` replaces the count when
/// given (an import's position, so a batch repeated changes nothing) and keeps it when not; a
/// failure's `message` is kept beside it. Steps older than 90 days are removed on the way.
pub async fn log_exchange_step(
    connection: &mut AnyConnection,
    session_key: &str,
    kind: &str,
    file: &str,
    items: Option<i64>,
    outcome: &str,
    message: Option<&str>,
) -> StoreResult<()> {
    let now = now_text();
    sqlx::query(
        "INSERT INTO cml_exchange_log (session_key, kind, file, started_at, updated_at, items, outcome, message) \
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7) \
         ON CONFLICT (session_key, kind, file) DO UPDATE SET updated_at = excluded.updated_at, \
         items = CASE WHEN $8 = 1 THEN excluded.items ELSE cml_exchange_log.items END, \
         outcome = excluded.outcome, message = excluded.message",
    )
    .bind(session_key)
    .bind(kind)
    .bind(file)
    .bind(&now)
    .bind(items.unwrap_or(0))
    .bind(outcome)
    .bind(message)
    .bind(i64::from(items.is_some()))
    .execute(&mut *connection)
    .await?;
    let cutoff = crate::time_text(chrono::Utc::now() - chrono::Duration::days(EXCHANGE_LOG_DAYS));
    sqlx::query("DELETE FROM cml_exchange_log WHERE updated_at < $1")
        .bind(cutoff)
        .execute(connection)
        .await?;
    Ok(())
}

/// The latest `limit` exchange steps, the most recently moved first.
pub async fn exchange_steps(
    connection: &mut AnyConnection,
    limit: i64,
) -> StoreResult<Vec<ExchangeStep>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT kind, file, started_at, updated_at, items, outcome, message FROM cml_exchange_log \
         ORDER BY updated_at DESC, started_at DESC, kind, file LIMIT {}",
        limit.clamp(1, 500)
    )))
    .fetch_all(connection)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ExchangeStep {
                kind: row.try_get("kind")?,
                file: row.try_get("file")?,
                started_at: row.try_get("started_at")?,
                updated_at: row.try_get("updated_at")?,
                items: row.try_get("items")?,
                outcome: row.try_get("outcome")?,
                message: row.try_get("message")?,
            })
        })
        .collect()
}
