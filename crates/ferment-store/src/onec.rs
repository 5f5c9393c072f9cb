//! The 1C integration's tables: connections, runs (the sync jobs), links between 1C objects and
//! Ferment records, 1C's documents, conflicts, the outbox of orders to send, and the sync log.
//!
//! Business records (counterparties, products, stock, sales) are written through their own modules,
//! with their history; this module keeps only the integration's bookkeeping.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use ferment_domain::onec::{Connection, Direction, Directions, Profile};
use serde::Serialize;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};
use uuid::Uuid;

use crate::{Meta, Record, StoreError, StoreResult, new_id, now_text, parse_id, parse_time};

/// A stored connection with what is kept beside its settings.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectionRow {
    /// The settings.
    #[serde(flatten)]
    pub connection: Connection,
    /// The sealed password (never shown).
    #[serde(skip)]
    pub password_sealed: String,
    /// The administrator's changes to the shipped profile (a JSON merge patch).
    pub mapping: Value,
    /// When the last full reconcile finished.
    pub last_full_at: Option<DateTime<Utc>>,
}

const CONNECTION_COLUMNS: &str = "id, version, created_at, updated_at, name, url, login, password_sealed, profile, mapping, \
    directions, schedule_minutes, full_every_hours, document_days, active, last_full_at";

fn direction(value: &Value, key: &str, default: Direction) -> Direction {
    value
        .get(key)
        .and_then(Value::as_str)
        .and_then(Direction::from_code)
        .unwrap_or(default)
}

fn connection_from_row(row: &AnyRow) -> StoreResult<Record<ConnectionRow>> {
    let profile: String = row.try_get("profile")?;
    let directions: Value =
        serde_json::from_str(&row.try_get::<String, _>("directions")?).unwrap_or(Value::Null);
    let defaults = Directions::default();
    let mapping: Value =
        serde_json::from_str(&row.try_get::<String, _>("mapping")?).unwrap_or(Value::Null);
    Ok(Record {
        meta: Meta::from_row(row)?,
        data: ConnectionRow {
            connection: Connection {
                name: row.try_get("name")?,
                url: row.try_get("url")?,
                login: row.try_get("login")?,
                profile: Profile::from_code(&profile)
                    .ok_or_else(|| StoreError::Other(anyhow::anyhow!("bad profile {profile}")))?,
                schedule_minutes: row.try_get("schedule_minutes")?,
                full_every_hours: row.try_get("full_every_hours")?,
                document_days: row.try_get("document_days")?,
                directions: Directions {
                    products: direction(&directions, "products", defaults.products),
                    stock: direction(&directions, "stock", defaults.stock),
                    counterparties: direction(
                        &directions,
                        "counterparties",
                        defaults.counterparties,
                    ),
                    documents: direction(&directions, "documents", defaults.documents),
                },
                active: row.try_get::<i64, _>("active")? != 0,
            },
            password_sealed: row.try_get("password_sealed")?,
            mapping,
            last_full_at: row
                .try_get::<Option<String>, _>("last_full_at")?
                .as_deref()
                .map(parse_time)
                .transpose()?,
        },
    })
}

fn directions_json(directions: &Directions) -> String {
    serde_json::to_string(directions).unwrap_or_else(|_| "{}".into())
}

/// Reads a live connection.
pub async fn get_connection(
    connection: &mut AnyConnection,
    id: Uuid,
) -> StoreResult<Record<ConnectionRow>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CONNECTION_COLUMNS} FROM onec_connections WHERE id = $1 AND deleted_at IS NULL"
    )))
    .bind(id.to_string())
    .fetch_optional(connection)
    .await?
    .ok_or(StoreError::NotFound)?;
    connection_from_row(&row)
}

/// Finds a live connection by name.
pub async fn find_connection(
    connection: &mut AnyConnection,
    name: &str,
) -> StoreResult<Option<Record<ConnectionRow>>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CONNECTION_COLUMNS} FROM onec_connections WHERE name = $1 AND deleted_at IS NULL"
    )))
    .bind(name)
    .fetch_optional(connection)
    .await?;
    row.as_ref().map(connection_from_row).transpose()
}

/// Every live connection, by name.
pub async fn list_connections(
    connection: &mut AnyConnection,
) -> StoreResult<Vec<Record<ConnectionRow>>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CONNECTION_COLUMNS} FROM onec_connections WHERE deleted_at IS NULL ORDER BY name"
    )))
    .fetch_all(connection)
    .await?;
    rows.iter().map(connection_from_row).collect()
}

/// Creates a connection.
pub async fn insert_connection(
    connection: &mut AnyConnection,
    data: &Connection,
    password_sealed: &str,
) -> StoreResult<Record<ConnectionRow>> {
    let id = new_id();
    let now = now_text();
    sqlx::query(
        "INSERT INTO onec_connections (id, name, url, login, password_sealed, profile, mapping, directions, \
         schedule_minutes, full_every_hours, document_days, active, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, '{}', $7, $8, $9, $10, $11, $12, $12, 1)",
    )
    .bind(id.to_string())
    .bind(&data.name)
    .bind(&data.url)
    .bind(&data.login)
    .bind(password_sealed)
    .bind(data.profile.code())
    .bind(directions_json(&data.directions))
    .bind(data.schedule_minutes)
    .bind(data.full_every_hours)
    .bind(data.document_days)
    .bind(i64::from(data.active))
    .bind(now)
    .execute(&mut *connection)
    .await?;
    get_connection(connection, id).await
}

/// Changes a connection's settings if its version is still `expected_version`; a `None` password
/// keeps the stored one.
pub async fn update_connection(
    connection: &mut AnyConnection,
    id: Uuid,
    expected_version: i64,
    data: &Connection,
    password_sealed: Option<&str>,
) -> StoreResult<Record<ConnectionRow>> {
    let old = get_connection(connection, id).await?;
    if old.meta.version != expected_version {
        return Err(StoreError::StaleVersion {
            current: old.meta.version,
        });
    }
    sqlx::query(
        "UPDATE onec_connections SET name = $1, url = $2, login = $3, password_sealed = $4, profile = $5, \
         directions = $6, schedule_minutes = $7, full_every_hours = $8, document_days = $9, active = $10, \
         updated_at = $11, version = version + 1 WHERE id = $12",
    )
    .bind(&data.name)
    .bind(&data.url)
    .bind(&data.login)
    .bind(password_sealed.unwrap_or(&old.data.password_sealed))
    .bind(data.profile.code())
    .bind(directions_json(&data.directions))
    .bind(data.schedule_minutes)
    .bind(data.full_every_hours)
    .bind(data.document_days)
    .bind(i64::from(data.active))
    .bind(now_text())
    .bind(id.to_string())
    .execute(&mut *connection)
    .await?;
    get_connection(connection, id).await
}

/// Replaces a connection's mapping changes.
pub async fn set_mapping(
    connection: &mut AnyConnection,
    id: Uuid,
    mapping: &Value,
) -> StoreResult<Record<ConnectionRow>> {
    let done = sqlx::query(
        "UPDATE onec_connections SET mapping = $1, updated_at = $2, version = version + 1 \
         WHERE id = $3 AND deleted_at IS NULL",
    )
    .bind(mapping.to_string())
    .bind(now_text())
    .bind(id.to_string())
    .execute(&mut *connection)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    get_connection(connection, id).await
}

/// Hides a connection (its runs, links and documents stay).
pub async fn delete_connection(connection: &mut AnyConnection, id: Uuid) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE onec_connections SET deleted_at = $1, updated_at = $1, version = version + 1 \
         WHERE id = $2 AND deleted_at IS NULL",
    )
    .bind(now_text())
    .bind(id.to_string())
    .execute(connection)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Records that a full reconcile finished.
pub async fn mark_full(connection: &mut AnyConnection, id: Uuid) -> StoreResult<()> {
    sqlx::query("UPDATE onec_connections SET last_full_at = $1 WHERE id = $2")
        .bind(now_text())
        .bind(id.to_string())
        .execute(connection)
        .await?;
    Ok(())
}

/// Counts of one object kind in a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Counts {
    /// Objects read from 1C (or considered for sending).
    pub received: i64,
    /// Records created.
    pub created: i64,
    /// Records changed.
    pub updated: i64,
    /// Objects that needed nothing.
    pub unchanged: i64,
    /// Objects that could not be taken (see the log).
    pub failed: i64,
}

/// A sync run.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    /// Id.
    pub id: Uuid,
    /// The connection.
    pub connection_id: Uuid,
    /// `manual`, `schedule`, `cli`.
    pub trigger: String,
    /// A full reconcile.
    pub full: bool,
    /// `running`, `succeeded`, `failed`.
    pub status: String,
    /// Who started it.
    pub started_by: Option<Uuid>,
    /// The process carrying it out (`host:pid`).
    #[serde(skip)]
    pub owner: Option<String>,
    /// Started.
    pub started_at: DateTime<Utc>,
    /// Last sign of life.
    pub heartbeat_at: DateTime<Utc>,
    /// Finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// Counts per object kind (`products`, `counterparties`, …).
    pub counts: std::collections::BTreeMap<String, Counts>,
    /// Where it got to (stage and page), for the next run to resume.
    #[serde(skip)]
    pub cursor: Value,
    /// Why it failed.
    pub error: Option<String>,
}

const RUN_COLUMNS: &str = "id, connection_id, trigger, full_sync, status, started_by, owner, started_at, heartbeat_at, \
    finished_at, counts, cursor, error";

fn run_from_row(row: &AnyRow) -> StoreResult<Run> {
    Ok(Run {
        id: parse_id(&row.try_get::<String, _>("id")?)?,
        connection_id: parse_id(&row.try_get::<String, _>("connection_id")?)?,
        trigger: row.try_get("trigger")?,
        full: row.try_get::<i64, _>("full_sync")? != 0,
        status: row.try_get("status")?,
        started_by: row
            .try_get::<Option<String>, _>("started_by")?
            .as_deref()
            .map(parse_id)
            .transpose()?,
        owner: row.try_get("owner")?,
        started_at: parse_time(&row.try_get::<String, _>("started_at")?)?,
        heartbeat_at: parse_time(&row.try_get::<String, _>("heartbeat_at")?)?,
        finished_at: row
            .try_get::<Option<String>, _>("finished_at")?
            .as_deref()
            .map(parse_time)
            .transpose()?,
        counts: serde_json::from_str(&row.try_get::<String, _>("counts")?).unwrap_or_default(),
        cursor: serde_json::from_str(&row.try_get::<String, _>("cursor")?).unwrap_or(Value::Null),
        error: row.try_get("error")?,
    })
}

/// Reads a run.
pub async fn get_run(connection: &mut AnyConnection, id: Uuid) -> StoreResult<Run> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RUN_COLUMNS} FROM onec_runs WHERE id = $1"
    )))
    .bind(id.to_string())
    .fetch_optional(connection)
    .await?
    .ok_or(StoreError::NotFound)?;
    run_from_row(&row)
}

/// The newest runs of a connection.
pub async fn list_runs(
    connection: &mut AnyConnection,
    connection_id: Uuid,
    limit: i64,
) -> StoreResult<Vec<Run>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RUN_COLUMNS} FROM onec_runs WHERE connection_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2"
    )))
    .bind(connection_id.to_string())
    .bind(limit)
    .fetch_all(connection)
    .await?;
    rows.iter().map(run_from_row).collect()
}

/// What starting a run found.
#[derive(Debug)]
pub enum Started {
    /// The new run, with the cursor of an interrupted run to resume from (or `null`).
    Run(Box<Run>),
    /// A live run is already going.
    Busy(Box<Run>),
}

/// The running run of a connection, if any.
pub async fn running_run(
    connection: &mut AnyConnection,
    connection_id: Uuid,
) -> StoreResult<Option<Run>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RUN_COLUMNS} FROM onec_runs WHERE connection_id = $1 AND status = 'running'"
    )))
    .bind(connection_id.to_string())
    .fetch_optional(connection)
    .await?
    .as_ref()
    .map(run_from_row)
    .transpose()
}

/// Starts a run unless a live one is going. A `running` run whose heartbeat is older than
/// `stale_after` died with its process: it is marked failed and the new run takes over its cursor.
#[allow(clippy::too_many_arguments)]
pub async fn start_run(
    connection: &mut AnyConnection,
    connection_id: Uuid,
    trigger: &str,
    full: bool,
    started_by: Option<Uuid>,
    owner: &str,
    stale_after: chrono::Duration,
) -> StoreResult<Started> {
    let running = running_run(&mut *connection, connection_id).await?;
    let mut cursor = Value::Null;
    let mut full = full;
    if let Some(run) = running {
        if Utc::now() - run.heartbeat_at < stale_after {
            return Ok(Started::Busy(Box::new(run)));
        }
        sqlx::query(
            "UPDATE onec_runs SET status = 'failed', finished_at = $1, \
             error = 'прервана: процесс остановился во время синхронизации' WHERE id = $2",
        )
        .bind(now_text())
        .bind(run.id.to_string())
        .execute(&mut *connection)
        .await?;
        cursor = run.cursor.clone();
        full = full || run.full;
    }
    let id = new_id();
    let now = now_text();
    sqlx::query(
        "INSERT INTO onec_runs (id, connection_id, trigger, full_sync, status, started_by, owner, started_at, heartbeat_at, cursor) \
         VALUES ($1, $2, $3, $4, 'running', $5, $8, $6, $6, $7)",
    )
    .bind(id.to_string())
    .bind(connection_id.to_string())
    .bind(trigger)
    .bind(i64::from(full))
    .bind(started_by.map(|id| id.to_string()))
    .bind(now)
    .bind(cursor.to_string())
    .bind(owner)
    .execute(&mut *connection)
    .await
    .map_err(|error| match StoreError::from(error) {
        StoreError::Unique { .. } => StoreError::Unique {
            constraint: "onec_runs_one_running".into(),
        },
        other => other,
    })?;
    Ok(Started::Run(Box::new(get_run(connection, id).await?)))
}

/// Saves a run's progress (counts and cursor) and its heartbeat.
pub async fn save_progress(connection: &mut AnyConnection, run: &Run) -> StoreResult<()> {
    sqlx::query("UPDATE onec_runs SET heartbeat_at = $1, counts = $2, cursor = $3 WHERE id = $4")
        .bind(now_text())
        .bind(serde_json::to_string(&run.counts).map_err(anyhow::Error::from)?)
        .bind(run.cursor.to_string())
        .bind(run.id.to_string())
        .execute(connection)
        .await?;
    Ok(())
}

/// Ends a run.
pub async fn finish_run(
    connection: &mut AnyConnection,
    run: &Run,
    status: &str,
    error: Option<&str>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE onec_runs SET status = $1, finished_at = $2, heartbeat_at = $2, counts = $3, cursor = '{}', error = $4 \
         WHERE id = $5",
    )
    .bind(status)
    .bind(now_text())
    .bind(serde_json::to_string(&run.counts).map_err(anyhow::Error::from)?)
    .bind(error)
    .bind(run.id.to_string())
    .execute(connection)
    .await?;
    Ok(())
}

/// A link between a 1C object and a Ferment record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The 1C reference.
    pub ref_key: Uuid,
    /// The Ferment record, when the object became one.
    pub record_id: Option<Uuid>,
    /// 1C's `DataVersion` when both sides last agreed.
    pub data_version: String,
    /// The Ferment record's version then.
    pub record_version: Option<i64>,
    /// 1C marked it deleted.
    pub deleted: bool,
    /// What was agreed (the compared fields), or anything else kept about the object (JSON).
    pub extra: Value,
}

fn link_from_row(row: &AnyRow) -> StoreResult<Link> {
    Ok(Link {
        ref_key: parse_id(&row.try_get::<String, _>("ref_key")?)?,
        record_id: row
            .try_get::<Option<String>, _>("record_id")?
            .as_deref()
            .map(parse_id)
            .transpose()?,
        data_version: row.try_get("data_version")?,
        record_version: row.try_get("record_version")?,
        deleted: row.try_get::<i64, _>("deleted")? != 0,
        extra: row
            .try_get::<Option<String>, _>("extra")?
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or(Value::Null),
    })
}

/// Every link of one object kind of a connection, by 1C reference.
pub async fn links(
    connection: &mut AnyConnection,
    connection_id: Uuid,
    object: &str,
) -> StoreResult<HashMap<Uuid, Link>> {
    let rows = sqlx::query(
        "SELECT ref_key, record_id, data_version, record_version, deleted, extra FROM onec_links \
         WHERE connection_id = $1 AND object = $2",
    )
    .bind(connection_id.to_string())
    .bind(object)
    .fetch_all(connection)
    .await?;
    rows.iter()
        .map(|row| link_from_row(row).map(|link| (link.ref_key, link)))
        .collect()
}

/// What a sync compares and matches by, of a link: without the agreed fields (`extra`), which only
/// a changed object needs (see [`links_by_refs`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkKey {
    /// The Ferment record, when the object became one.
    pub record_id: Option<Uuid>,
    /// 1C's `DataVersion` when both sides last agreed.
    pub data_version: String,
    /// 1C marked it deleted.
    pub deleted: bool,
}

impl From<&Link> for LinkKey {
    fn from(link: &Link) -> LinkKey {
        LinkKey {
            record_id: link.record_id,
            data_version: link.data_version.clone(),
            deleted: link.deleted,
        }
    }
}

/// Every link of one object kind of a connection, by 1C reference, without the agreed fields:
/// what an incremental sync reads of a hundred thousand products to find the few that changed.
pub async fn link_keys(
    connection: &mut AnyConnection,
    connection_id: Uuid,
    object: &str,
) -> StoreResult<HashMap<Uuid, LinkKey>> {
    let rows: Vec<(String, Option<String>, String, i64)> = crate::sql::select_json(
        connection,
        "ref_key, record_id, data_version, deleted",
        |sql| {
            sql.push(" FROM onec_links WHERE connection_id = ")
                .bind_text(connection_id.to_string());
            sql.push(" AND object = ").bind_text(object);
        },
    )
    .await?;
    rows.into_iter()
        .map(|(ref_key, record_id, data_version, deleted)| {
            Ok((
                parse_id(&ref_key)?,
                LinkKey {
                    record_id: record_id.as_deref().map(parse_id).transpose()?,
                    data_version,
                    deleted: deleted != 0,
                },
            ))
        })
        .collect()
}

/// The whole links of some 1C references of one object kind (those that have one).
pub async fn links_by_refs(
    connection: &mut AnyConnection,
    connection_id: Uuid,
    object: &str,
    refs: &[Uuid],
) -> StoreResult<HashMap<Uuid, Link>> {
    use crate::sql::{Arg, Sql};
    let mut out = HashMap::with_capacity(refs.len());
    for chunk in refs.chunks(500) {
        let mut sql = Sql::for_connection(
            connection,
            "SELECT ref_key, record_id, data_version, record_version, deleted, extra FROM onec_links \
             WHERE connection_id = ",
        );
        sql.bind_text(connection_id.to_string());
        sql.push(" AND object = ").bind_text(object);
        sql.push(" AND ref_key IN (")
            .bind_list(chunk.iter().map(|r| Arg::Text(r.to_string())))
            .push(")");
        for row in sql.query().fetch_all(&mut *connection).await? {
            let link = link_from_row(&row)?;
            out.insert(link.ref_key, link);
        }
    }
    Ok(out)
}

/// The link of a Ferment record, if it has one.
pub async fn link_of_record(
    connection: &mut AnyConnection,
    connection_id: Uuid,
    object: &str,
    record_id: Uuid,
) -> StoreResult<Option<Link>> {
    let row = sqlx::query(
        "SELECT ref_key, record_id, data_version, record_version, deleted, extra FROM onec_links \
         WHERE record_id = $1 AND connection_id = $2 AND object = $3",
    )
    .bind(record_id.to_string())
    .bind(connection_id.to_string())
    .bind(object)
    .fetch_optional(connection)
    .await?;
    row.as_ref().map(link_from_row).transpose()
}

/// Writes (or replaces) a link.
pub async fn put_link(
    connection: &mut AnyConnection,
    connection_id: Uuid,
    object: &str,
    link: &Link,
) -> StoreResult<()> {
    put_links(
        connection,
        connection_id,
        object,
        std::slice::from_ref(link),
    )
    .await
}

/// A 1C document as Ferment keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnecDocument {
    /// Id.
    pub id: Uuid,
    /// The connection.
    pub connection_id: Uuid,
    /// `order`, `invoice`, `payment`, `shipment`.
    pub kind: String,
    /// The 1C reference.
    pub ref_key: Uuid,
    /// 1C's data version.
    #[serde(skip)]
    pub data_version: String,
    /// Number.
    pub number: String,
    /// Date and time (1C's, no zone).
    pub date: chrono::NaiveDateTime,
    /// Posted.
    pub posted: bool,
    /// Marked for deletion in 1C.
    pub deleted: bool,
    /// The counterparty's 1C reference.
    pub counterparty_ref: Option<Uuid>,
    /// The Ferment counterparty.
    pub counterparty_id: Option<Uuid>,
    /// The document it is based on, ships or pays.
    pub based_on_ref: Option<Uuid>,
    /// The sale it belongs to.
    pub sale_id: Option<Uuid>,
    /// Total in kopecks.
    pub amount: i64,
    /// 1C's status (order status, payment state).
    pub status: Option<String>,
    /// Lines (JSON).
    pub lines: Value,
    /// `onec` (made in 1C) or `ferment` (sent from Ferment).
    pub origin: String,
}

const DOCUMENT_COLUMNS: &str = "id, connection_id, kind, ref_key, data_version, number, doc_date, posted, deleted, counterparty_ref, \
    counterparty_id, based_on_ref, sale_id, amount, status, lines, origin";

fn optional_id(row: &AnyRow, column: &str) -> StoreResult<Option<Uuid>> {
    row.try_get::<Option<String>, _>(column)?
        .as_deref()
        .map(parse_id)
        .transpose()
}

fn document_from_row(row: &AnyRow) -> StoreResult<OnecDocument> {
    let date: String = row.try_get("doc_date")?;
    Ok(OnecDocument {
        id: parse_id(&row.try_get::<String, _>("id")?)?,
        connection_id: parse_id(&row.try_get::<String, _>("connection_id")?)?,
        kind: row.try_get("kind")?,
        ref_key: parse_id(&row.try_get::<String, _>("ref_key")?)?,
        data_version: row.try_get("data_version")?,
        number: row.try_get("number")?,
        date: chrono::NaiveDateTime::parse_from_str(&date, "%Y-%m-%dT%H:%M:%S")
            .map_err(|e| StoreError::Other(anyhow::anyhow!("bad 1C date {date:?}: {e}")))?,
        posted: row.try_get::<i64, _>("posted")? != 0,
        deleted: row.try_get::<i64, _>("deleted")? != 0,
        counterparty_ref: optional_id(row, "counterparty_ref")?,
        counterparty_id: optional_id(row, "counterparty_id")?,
        based_on_ref: optional_id(row, "based_on_ref")?,
        sale_id: optional_id(row, "sale_id")?,
        amount: row.try_get("amount")?,
        status: row.try_get("status")?,
        lines: serde_json::from_str(&row.try_get::<String, _>("lines")?).unwrap_or(Value::Null),
        origin: row.try_get("origin")?,
    })
}

/// A document by its 1C reference.
pub async fn document_by_ref(
    connection: &mut AnyConnection,
    connection_id: Uuid,
    ref_key: Uuid,
) -> StoreResult<Option<OnecDocument>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DOCUMENT_COLUMNS} FROM onec_documents WHERE connection_id = $1 AND ref_key = $2"
    )))
    .bind(connection_id.to_string())
    .bind(ref_key.to_string())
    .fetch_optional(connection)
    .await?;
    row.as_ref().map(document_from_row).transpose()
}

/// Writes a document (keyed by connection and 1C reference); keeps a known sale when the new state
/// names none, and the origin it was first written with.
pub async fn put_document(
    connection: &mut AnyConnection,
    document: &OnecDocument,
) -> StoreResult<()> {
    put_documents(connection, std::slice::from_ref(document)).await
}

/// Sets the status of a document (payment state from a register).
pub async fn set_document_status(
    connection: &mut AnyConnection,
    connection_id: Uuid,
    ref_key: Uuid,
    status: &str,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE onec_documents SET status = $1 WHERE connection_id = $2 AND ref_key = $3 \
         AND (status IS NULL OR status <> $1)",
    )
    .bind(status)
    .bind(connection_id.to_string())
    .bind(ref_key.to_string())
    .execute(connection)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Documents of a sale, or of a counterparty, newest first.
pub async fn documents_of(
    connection: &mut AnyConnection,
    sale_id: Option<Uuid>,
    counterparty_id: Option<Uuid>,
    limit: i64,
) -> StoreResult<Vec<OnecDocument>> {
    let (column, id) = match (sale_id, counterparty_id) {
        (Some(id), _) => ("sale_id", id),
        (None, Some(id)) => ("counterparty_id", id),
        (None, None) => return Ok(Vec::new()),
    };
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DOCUMENT_COLUMNS} FROM onec_documents WHERE {column} = $1 ORDER BY doc_date DESC, id DESC LIMIT $2"
    )))
    .bind(id.to_string())
    .bind(limit)
    .fetch_all(connection)
    .await?;
    rows.iter().map(document_from_row).collect()
}

/// Documents of a connection based on (shipping, paying) a document.
pub async fn documents_based_on(
    connection: &mut AnyConnection,
    connection_id: Uuid,
    ref_key: Uuid,
) -> StoreResult<Vec<OnecDocument>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DOCUMENT_COLUMNS} FROM onec_documents WHERE connection_id = $1 AND based_on_ref = $2 ORDER BY doc_date"
    )))
    .bind(connection_id.to_string())
    .bind(ref_key.to_string())
    .fetch_all(connection)
    .await?;
    rows.iter().map(document_from_row).collect()
}

/// Documents of a connection that belong to a sale but whose followers may not know it yet.
pub async fn sale_documents(
    connection: &mut AnyConnection,
    connection_id: Uuid,
) -> StoreResult<Vec<OnecDocument>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DOCUMENT_COLUMNS} FROM onec_documents WHERE connection_id = $1 AND sale_id IS NOT NULL ORDER BY doc_date"
    )))
    .bind(connection_id.to_string())
    .fetch_all(connection)
    .await?;
    rows.iter().map(document_from_row).collect()
}

/// Puts a document on a sale.
pub async fn set_document_sale(
    connection: &mut AnyConnection,
    document_id: Uuid,
    sale_id: Uuid,
) -> StoreResult<()> {
    sqlx::query("UPDATE onec_documents SET sale_id = $1 WHERE id = $2")
        .bind(sale_id.to_string())
        .bind(document_id.to_string())
        .execute(connection)
        .await?;
    Ok(())
}

/// A record changed on both sides.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    /// Id.
    pub id: Uuid,
    /// The connection.
    pub connection_id: Uuid,
    /// The object kind (`counterparty`, `product`).
    pub object: String,
    /// The 1C reference.
    pub ref_key: Uuid,
    /// The Ferment record.
    pub record_id: Option<Uuid>,
    /// `[{field, ferment, onec}]`.
    pub fields: Value,
    /// 1C's data version seen.
    #[serde(skip)]
    pub onec_version: String,
    /// Found.
    pub detected_at: DateTime<Utc>,
    /// Resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// `ferment` (Ferment's values kept and sent) or `onec` (1C's taken).
    pub resolution: Option<String>,
}

fn conflict_from_row(row: &AnyRow) -> StoreResult<Conflict> {
    Ok(Conflict {
        id: parse_id(&row.try_get::<String, _>("id")?)?,
        connection_id: parse_id(&row.try_get::<String, _>("connection_id")?)?,
        object: row.try_get("object")?,
        ref_key: parse_id(&row.try_get::<String, _>("ref_key")?)?,
        record_id: optional_id(row, "record_id")?,
        fields: serde_json::from_str(&row.try_get::<String, _>("fields")?).unwrap_or(Value::Null),
        onec_version: row.try_get("onec_version")?,
        detected_at: parse_time(&row.try_get::<String, _>("detected_at")?)?,
        resolved_at: row
            .try_get::<Option<String>, _>("resolved_at")?
            .as_deref()
            .map(parse_time)
            .transpose()?,
        resolution: row.try_get("resolution")?,
    })
}

const CONFLICT_COLUMNS: &str = "id, connection_id, object, ref_key, record_id, fields, onec_version, detected_at, resolved_at, resolution";

/// Opens (or refreshes) the conflict of an object.
pub async fn open_conflict(
    connection: &mut AnyConnection,
    connection_id: Uuid,
    object: &str,
    ref_key: Uuid,
    record_id: Option<Uuid>,
    fields: &Value,
    onec_version: &str,
) -> StoreResult<()> {
    let updated = sqlx::query(
        "UPDATE onec_conflicts SET fields = $1, onec_version = $2 WHERE connection_id = $3 AND object = $4 \
         AND ref_key = $5 AND resolved_at IS NULL",
    )
    .bind(fields.to_string())
    .bind(onec_version)
    .bind(connection_id.to_string())
    .bind(object)
    .bind(ref_key.to_string())
    .execute(&mut *connection)
    .await?;
    if updated.rows_affected() > 0 {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO onec_conflicts (id, connection_id, object, ref_key, record_id, fields, onec_version, detected_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id().to_string())
    .bind(connection_id.to_string())
    .bind(object)
    .bind(ref_key.to_string())
    .bind(record_id.map(|id| id.to_string()))
    .bind(fields.to_string())
    .bind(onec_version)
    .bind(now_text())
    .execute(connection)
    .await?;
    Ok(())
}

/// The open conflict of an object, if any.
pub async fn open_conflict_of(
    connection: &mut AnyConnection,
    connection_id: Uuid,
    object: &str,
    ref_key: Uuid,
) -> StoreResult<Option<Conflict>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CONFLICT_COLUMNS} FROM onec_conflicts WHERE connection_id = $1 AND object = $2 AND ref_key = $3 \
         AND resolved_at IS NULL"
    )))
    .bind(connection_id.to_string())
    .bind(object)
    .bind(ref_key.to_string())
    .fetch_optional(connection)
    .await?;
    row.as_ref().map(conflict_from_row).transpose()
}

/// Conflicts of a connection (open ones first), or of one record.
pub async fn conflicts(
    connection: &mut AnyConnection,
    connection_id: Option<Uuid>,
    record_id: Option<Uuid>,
    open_only: bool,
) -> StoreResult<Vec<Conflict>> {
    let mut sql = format!("SELECT {CONFLICT_COLUMNS} FROM onec_conflicts WHERE 1 = 1");
    let mut binds = Vec::new();
    if let Some(id) = connection_id {
        binds.push(id.to_string());
        sql.push_str(&format!(" AND connection_id = ${}", binds.len()));
    }
    if let Some(id) = record_id {
        binds.push(id.to_string());
        sql.push_str(&format!(" AND record_id = ${}", binds.len()));
    }
    if open_only {
        sql.push_str(" AND resolved_at IS NULL");
    }
    sql.push_str(" ORDER BY resolved_at IS NOT NULL, detected_at DESC LIMIT 500");
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for bind in binds {
        query = query.bind(bind);
    }
    let rows = query.fetch_all(connection).await?;
    rows.iter().map(conflict_from_row).collect()
}

/// Reads a conflict.
pub async fn get_conflict(connection: &mut AnyConnection, id: Uuid) -> StoreResult<Conflict> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CONFLICT_COLUMNS} FROM onec_conflicts WHERE id = $1"
    )))
    .bind(id.to_string())
    .fetch_optional(connection)
    .await?
    .ok_or(StoreError::NotFound)?;
    conflict_from_row(&row)
}

/// Closes a conflict with the side chosen.
pub async fn resolve_conflict(
    connection: &mut AnyConnection,
    id: Uuid,
    resolution: &str,
    user_id: Option<Uuid>,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE onec_conflicts SET resolved_at = $1, resolution = $2, resolved_by = $3 WHERE id = $4 AND resolved_at IS NULL",
    )
    .bind(now_text())
    .bind(resolution)
    .bind(user_id.map(|id| id.to_string()))
    .bind(id.to_string())
    .execute(connection)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// An order (or invoice) a user asked to send to 1C.
#[derive(Debug, Clone, Serialize)]
pub struct Outgoing {
    /// Id.
    pub id: Uuid,
    /// The connection.
    pub connection_id: Uuid,
    /// `order` or `invoice`.
    pub kind: String,
    /// The sale.
    pub sale_id: Uuid,
    /// Post it in 1C.
    pub post: bool,
    /// `pending`, `sent`, `failed`.
    pub status: String,
    /// 1C's reference once sent.
    pub ref_key: Option<Uuid>,
    /// 1C's number once sent.
    pub number: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// Asked.
    pub requested_at: DateTime<Utc>,
    /// Sent.
    pub sent_at: Option<DateTime<Utc>>,
}

const OUTGOING_COLUMNS: &str =
    "id, connection_id, kind, sale_id, post, status, ref_key, number, error, requested_at, sent_at";

fn outgoing_from_row(row: &AnyRow) -> StoreResult<Outgoing> {
    Ok(Outgoing {
        id: parse_id(&row.try_get::<String, _>("id")?)?,
        connection_id: parse_id(&row.try_get::<String, _>("connection_id")?)?,
        kind: row.try_get("kind")?,
        sale_id: parse_id(&row.try_get::<String, _>("sale_id")?)?,
        post: row.try_get::<i64, _>("post")? != 0,
        status: row.try_get("status")?,
        ref_key: optional_id(row, "ref_key")?,
        number: row.try_get("number")?,
        error: row.try_get("error")?,
        requested_at: parse_time(&row.try_get::<String, _>("requested_at")?)?,
        sent_at: row
            .try_get::<Option<String>, _>("sent_at")?
            .as_deref()
            .map(parse_time)
            .transpose()?,
    })
}

/// Asks for an order to be sent.
pub async fn enqueue(
    connection: &mut AnyConnection,
    connection_id: Uuid,
    kind: &str,
    sale_id: Uuid,
    post: bool,
    user_id: Option<Uuid>,
) -> StoreResult<Outgoing> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO onec_outbox (id, connection_id, kind, sale_id, post, status, requested_by, requested_at) \
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7)",
    )
    .bind(id.to_string())
    .bind(connection_id.to_string())
    .bind(kind)
    .bind(sale_id.to_string())
    .bind(i64::from(post))
    .bind(user_id.map(|id| id.to_string()))
    .bind(now_text())
    .execute(&mut *connection)
    .await?;
    get_outgoing(connection, id).await
}

/// Reads an outgoing order.
pub async fn get_outgoing(connection: &mut AnyConnection, id: Uuid) -> StoreResult<Outgoing> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {OUTGOING_COLUMNS} FROM onec_outbox WHERE id = $1"
    )))
    .bind(id.to_string())
    .fetch_optional(connection)
    .await?
    .ok_or(StoreError::NotFound)?;
    outgoing_from_row(&row)
}

/// Orders waiting to be sent (pending, or failed and to be retried), oldest first.
pub async fn pending(
    connection: &mut AnyConnection,
    connection_id: Uuid,
) -> StoreResult<Vec<Outgoing>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {OUTGOING_COLUMNS} FROM onec_outbox WHERE connection_id = $1 AND status IN ('pending', 'failed') \
         ORDER BY requested_at, id"
    )))
    .bind(connection_id.to_string())
    .fetch_all(connection)
    .await?;
    rows.iter().map(outgoing_from_row).collect()
}

/// Orders asked for a sale, newest first.
pub async fn outgoing_of_sale(
    connection: &mut AnyConnection,
    sale_id: Uuid,
) -> StoreResult<Vec<Outgoing>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {OUTGOING_COLUMNS} FROM onec_outbox WHERE sale_id = $1 ORDER BY requested_at DESC, id DESC"
    )))
    .bind(sale_id.to_string())
    .fetch_all(connection)
    .await?;
    rows.iter().map(outgoing_from_row).collect()
}

/// Records the outcome of sending an order.
pub async fn set_outgoing(
    connection: &mut AnyConnection,
    id: Uuid,
    status: &str,
    ref_key: Option<Uuid>,
    number: Option<&str>,
    error: Option<&str>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE onec_outbox SET status = $1, ref_key = COALESCE($2, ref_key), number = COALESCE($3, number), error = $4, \
         sent_at = CASE WHEN $1 = 'sent' THEN $5 ELSE sent_at END WHERE id = $6",
    )
    .bind(status)
    .bind(ref_key.map(|id| id.to_string()))
    .bind(number)
    .bind(error)
    .bind(now_text())
    .bind(id.to_string())
    .execute(connection)
    .await?;
    Ok(())
}

/// One line of the sync log.
#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// `in` (from 1C) or `out` (to 1C).
    pub direction: String,
    /// Object kind.
    pub object: String,
    /// The 1C reference.
    pub ref_key: Option<String>,
    /// The Ferment record.
    pub record_id: Option<Uuid>,
    /// `created`, `updated`, `sent`, `linked`, `failed`, `conflict`, `deleted`.
    pub outcome: String,
    /// Why, in words.
    pub message: Option<String>,
}

/// Appends to the log of a run.
pub async fn log(
    connection: &mut AnyConnection,
    run_id: Uuid,
    entry: &LogEntry,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO onec_log (id, run_id, at, direction, object, ref_key, record_id, outcome, message) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id().to_string())
    .bind(run_id.to_string())
    .bind(crate::time_text(entry.at))
    .bind(&entry.direction)
    .bind(&entry.object)
    .bind(&entry.ref_key)
    .bind(entry.record_id.map(|id| id.to_string()))
    .bind(&entry.outcome)
    .bind(&entry.message)
    .execute(connection)
    .await?;
    Ok(())
}

/// The log of a run, in order.
pub async fn run_log(
    connection: &mut AnyConnection,
    run_id: Uuid,
    limit: i64,
) -> StoreResult<Vec<LogEntry>> {
    let rows = sqlx::query(
        "SELECT at, direction, object, ref_key, record_id, outcome, message FROM onec_log WHERE run_id = $1 \
         ORDER BY id LIMIT $2",
    )
    .bind(run_id.to_string())
    .bind(limit)
    .fetch_all(connection)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(LogEntry {
                at: parse_time(&row.try_get::<String, _>("at")?)?,
                direction: row.try_get("direction")?,
                object: row.try_get("object")?,
                ref_key: row.try_get("ref_key")?,
                record_id: optional_id(row, "record_id")?,
                outcome: row.try_get("outcome")?,
                message: row.try_get("message")?,
            })
        })
        .collect()
}

/// Counterparties that 1C should hear about: live ones with an ИНН that have no link to this
/// connection yet, or whose version moved on since they were last agreed (oldest change first).
pub async fn counterparties_to_push(
    connection: &mut AnyConnection,
    connection_id: Uuid,
    limit: i64,
) -> StoreResult<Vec<(Uuid, Option<Link>)>> {
    let rows = sqlx::query(
        "SELECT c.id AS counterparty_id, l.ref_key, l.record_id, l.data_version, l.record_version, l.deleted, l.extra \
         FROM counterparties c LEFT JOIN onec_links l ON l.record_id = c.id AND l.connection_id = $1 \
         AND l.object = 'counterparty' \
         WHERE c.deleted_at IS NULL AND c.inn IS NOT NULL \
         AND (l.ref_key IS NULL OR (l.deleted = 0 AND (l.record_version IS NULL OR l.record_version <> c.version))) \
         ORDER BY c.updated_at, c.id LIMIT $2",
    )
    .bind(connection_id.to_string())
    .bind(limit)
    .fetch_all(connection)
    .await?;
    rows.iter()
        .map(|row| {
            let id = parse_id(&row.try_get::<String, _>("counterparty_id")?)?;
            let link = match row.try_get::<Option<String>, _>("ref_key")? {
                Some(_) => Some(link_from_row(row)?),
                None => None,
            };
            Ok((id, link))
        })
        .collect()
}

/// Links of one object kind attached to a Ferment record (a counterparty's contracts).
pub async fn links_of_record(
    connection: &mut AnyConnection,
    object: &str,
    record_id: Uuid,
) -> StoreResult<Vec<Link>> {
    let rows = sqlx::query(
        "SELECT ref_key, record_id, data_version, record_version, deleted, extra FROM onec_links \
         WHERE record_id = $1 AND object = $2 ORDER BY synced_at",
    )
    .bind(record_id.to_string())
    .bind(object)
    .fetch_all(connection)
    .await?;
    rows.iter().map(link_from_row).collect()
}

/// Writes (or replaces) many links of one object kind at once.
pub async fn put_links(
    connection: &mut AnyConnection,
    connection_id: Uuid,
    object: &str,
    links: &[Link],
) -> StoreResult<()> {
    use crate::sql::{Arg, Sql};
    let now = now_text();
    for chunk in links.chunks(50) {
        let mut sql = Sql::for_connection(
            connection,
            "INSERT INTO onec_links (connection_id, object, ref_key, record_id, data_version, record_version, deleted, extra, synced_at) VALUES ",
        );
        for (index, link) in chunk.iter().enumerate() {
            sql.push(if index == 0 { "(" } else { ", (" });
            sql.bind_list([
                Arg::Text(connection_id.to_string()),
                Arg::Text(object.to_string()),
                Arg::Text(link.ref_key.to_string()),
                Arg::OptText(link.record_id.map(|id| id.to_string())),
                Arg::Text(link.data_version.clone()),
                Arg::OptInt(link.record_version),
                Arg::Int(i64::from(link.deleted)),
                Arg::OptText((!link.extra.is_null()).then(|| link.extra.to_string())),
                Arg::Text(now.clone()),
            ]);
            sql.push(")");
        }
        sql.push(
            " ON CONFLICT (connection_id, object, ref_key) DO UPDATE SET record_id = excluded.record_id, \
             data_version = excluded.data_version, record_version = excluded.record_version, deleted = excluded.deleted, \
             extra = excluded.extra, synced_at = excluded.synced_at",
        );
        sql.query().execute(&mut *connection).await?;
    }
    Ok(())
}

/// What a sync needs to know of each stored document, by 1C reference.
#[derive(Debug, Clone)]
pub struct DocumentEntry {
    /// Id.
    pub id: Uuid,
    /// Data version.
    pub data_version: String,
    /// The sale.
    pub sale_id: Option<Uuid>,
    /// `onec` or `ferment`.
    pub origin: String,
    /// The status.
    pub status: Option<String>,
}

/// Every document of a connection, by 1C reference.
pub async fn document_index(
    connection: &mut AnyConnection,
    connection_id: Uuid,
) -> StoreResult<HashMap<Uuid, DocumentEntry>> {
    document_entries(connection, connection_id, DocumentsWhere::All).await
}

/// The documents of a connection dated `since` or later, by 1C reference: what an incremental
/// sync compares its window with.
pub async fn document_index_since(
    connection: &mut AnyConnection,
    connection_id: Uuid,
    since: NaiveDateTime,
) -> StoreResult<HashMap<Uuid, DocumentEntry>> {
    document_entries(connection, connection_id, DocumentsWhere::Since(since)).await
}

/// The stored documents among some 1C references, by reference.
pub async fn document_index_of(
    connection: &mut AnyConnection,
    connection_id: Uuid,
    refs: &[Uuid],
) -> StoreResult<HashMap<Uuid, DocumentEntry>> {
    let mut out = HashMap::with_capacity(refs.len());
    for chunk in refs.chunks(500) {
        out.extend(document_entries(connection, connection_id, DocumentsWhere::Refs(chunk)).await?);
    }
    Ok(out)
}

/// Which documents [`document_entries`] reads.
enum DocumentsWhere<'a> {
    All,
    Since(NaiveDateTime),
    Refs(&'a [Uuid]),
}

async fn document_entries(
    connection: &mut AnyConnection,
    connection_id: Uuid,
    which: DocumentsWhere<'_>,
) -> StoreResult<HashMap<Uuid, DocumentEntry>> {
    use crate::sql::Arg;
    if matches!(which, DocumentsWhere::Refs(refs) if refs.is_empty()) {
        return Ok(HashMap::new());
    }
    type Row = (
        String,
        String,
        String,
        Option<String>,
        String,
        Option<String>,
    );
    let rows: Vec<Row> = crate::sql::select_json(
        connection,
        "id, ref_key, data_version, sale_id, origin, status",
        |sql| {
            sql.push(" FROM onec_documents WHERE connection_id = ")
                .bind_text(connection_id.to_string());
            match which {
                DocumentsWhere::All => {}
                DocumentsWhere::Since(since) => {
                    sql.push(" AND doc_date >= ")
                        .bind_text(since.format("%Y-%m-%dT%H:%M:%S").to_string());
                }
                DocumentsWhere::Refs(refs) => {
                    sql.push(" AND ref_key IN (")
                        .bind_list(refs.iter().map(|r| Arg::Text(r.to_string())))
                        .push(")");
                }
            }
        },
    )
    .await?;
    rows.into_iter()
        .map(|(id, ref_key, data_version, sale_id, origin, status)| {
            Ok((
                parse_id(&ref_key)?,
                DocumentEntry {
                    id: parse_id(&id)?,
                    data_version,
                    sale_id: sale_id.as_deref().map(parse_id).transpose()?,
                    origin,
                    status,
                },
            ))
        })
        .collect()
}

/// Writes many documents at once, keyed by connection and 1C reference; keeps a known sale when
/// the new state names none, and the origin each was first written with.
pub async fn put_documents(
    connection: &mut AnyConnection,
    documents: &[OnecDocument],
) -> StoreResult<()> {
    use crate::sql::{Arg, Sql};
    let now = now_text();
    for chunk in documents.chunks(25) {
        let mut sql = Sql::for_connection(
            connection,
            "INSERT INTO onec_documents (id, connection_id, kind, ref_key, data_version, number, doc_date, posted, deleted, \
             counterparty_ref, counterparty_id, based_on_ref, sale_id, amount, status, lines, origin, synced_at) VALUES ",
        );
        for (index, document) in chunk.iter().enumerate() {
            sql.push(if index == 0 { "(" } else { ", (" });
            sql.bind_list([
                Arg::Text(document.id.to_string()),
                Arg::Text(document.connection_id.to_string()),
                Arg::Text(document.kind.clone()),
                Arg::Text(document.ref_key.to_string()),
                Arg::Text(document.data_version.clone()),
                Arg::Text(document.number.clone()),
                Arg::Text(document.date.format("%Y-%m-%dT%H:%M:%S").to_string()),
                Arg::Int(i64::from(document.posted)),
                Arg::Int(i64::from(document.deleted)),
                Arg::OptText(document.counterparty_ref.map(|id| id.to_string())),
                Arg::OptText(document.counterparty_id.map(|id| id.to_string())),
                Arg::OptText(document.based_on_ref.map(|id| id.to_string())),
                Arg::OptText(document.sale_id.map(|id| id.to_string())),
                Arg::Int(document.amount),
                Arg::OptText(document.status.clone()),
                Arg::Text(document.lines.to_string()),
                Arg::Text(document.origin.clone()),
                Arg::Text(now.clone()),
            ]);
            sql.push(")");
        }
        sql.push(
            " ON CONFLICT (connection_id, ref_key) DO UPDATE SET kind = excluded.kind, data_version = excluded.data_version, \
             number = excluded.number, doc_date = excluded.doc_date, posted = excluded.posted, deleted = excluded.deleted, \
             counterparty_ref = excluded.counterparty_ref, counterparty_id = excluded.counterparty_id, \
             based_on_ref = excluded.based_on_ref, sale_id = COALESCE(excluded.sale_id, onec_documents.sale_id), \
             amount = excluded.amount, status = excluded.status, lines = excluded.lines, synced_at = excluded.synced_at",
        );
        sql.query().execute(&mut *connection).await?;
    }
    Ok(())
}
