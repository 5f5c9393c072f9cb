//! Process definitions: each saved definition is a new version (its TOML source kept verbatim); one
//! version per process code is active and new sales start on it, while running sales keep theirs.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};
use uuid::Uuid;

use crate::{StoreError, StoreResult, new_id, now_text, parse_id, parse_optional_id, parse_time};

/// A stored definition version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionRow {
    /// Id (what a sale points to).
    pub id: Uuid,
    /// Process code (`sales`).
    pub code: String,
    /// Version number, 1, 2, …
    pub version: i64,
    /// The TOML source.
    pub source: String,
    /// Whether new sales start on it.
    pub active: bool,
    /// Why it was saved.
    pub comment: Option<String>,
    /// Who saved it.
    pub created_by: Option<Uuid>,
    /// When.
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, code, version, source, active, comment, created_by, created_at";

fn from_row(row: &AnyRow) -> StoreResult<DefinitionRow> {
    Ok(DefinitionRow {
        id: parse_id(&row.try_get::<String, _>("id")?)?,
        code: row.try_get("code")?,
        version: row.try_get("version")?,
        source: row.try_get("source")?,
        active: row.try_get::<i64, _>("active")? != 0,
        comment: row.try_get("comment")?,
        created_by: parse_optional_id(row.try_get::<Option<String>, _>("created_by")?.as_deref())?,
        created_at: parse_time(&row.try_get::<String, _>("created_at")?)?,
    })
}

/// A definition version by id.
pub async fn get(connection: &mut AnyConnection, id: Uuid) -> StoreResult<DefinitionRow> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM process_definitions WHERE id = $1"
    )))
    .bind(id.to_string())
    .fetch_optional(connection)
    .await?
    .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

/// The active version of a process.
pub async fn active(
    connection: &mut AnyConnection,
    code: &str,
) -> StoreResult<Option<DefinitionRow>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM process_definitions WHERE code = $1 AND active = 1 ORDER BY version DESC LIMIT 1"
    )))
    .bind(code)
    .fetch_optional(connection)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Every version of a process, newest first.
pub async fn versions(
    connection: &mut AnyConnection,
    code: &str,
) -> StoreResult<Vec<DefinitionRow>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM process_definitions WHERE code = $1 ORDER BY version DESC"
    )))
    .bind(code)
    .fetch_all(connection)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Saves a new version of a process and makes it the active one.
pub async fn save(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    code: &str,
    source: &str,
    comment: Option<&str>,
) -> StoreResult<DefinitionRow> {
    let row = sqlx::query(
        "SELECT COALESCE(MAX(version), 0) AS v FROM process_definitions WHERE code = $1",
    )
    .bind(code)
    .fetch_one(&mut *connection)
    .await?;
    let version: i64 = row.try_get::<i64, _>("v")? + 1;
    sqlx::query("UPDATE process_definitions SET active = 0 WHERE code = $1")
        .bind(code)
        .execute(&mut *connection)
        .await?;
    let id = new_id();
    sqlx::query(
        "INSERT INTO process_definitions (id, code, version, source, active, comment, created_by, created_at) \
         VALUES ($1, $2, $3, $4, 1, $5, $6, $7)",
    )
    .bind(id.to_string())
    .bind(code)
    .bind(version)
    .bind(source)
    .bind(comment.map(str::to_string))
    .bind(user_id.map(|id| id.to_string()))
    .bind(now_text())
    .execute(&mut *connection)
    .await?;
    get(connection, id).await
}

/// How many sales run on each version of a process (for the editor: a version in use stays).
pub async fn sales_per_version(
    connection: &mut AnyConnection,
    code: &str,
) -> StoreResult<Vec<(Uuid, i64)>> {
    let rows = sqlx::query(
        "SELECT d.id, COUNT(s.id) AS n FROM process_definitions d LEFT JOIN sales s ON s.process_id = d.id \
         AND s.deleted_at IS NULL WHERE d.code = $1 GROUP BY d.id",
    )
    .bind(code)
    .fetch_all(connection)
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                parse_id(&row.try_get::<String, _>("id")?)?,
                row.try_get("n")?,
            ))
        })
        .collect()
}

/// Saves `source` as version 1 of `code` when the process has no version yet (start-up seeds the
/// shipped default this way, so reads never have to).
pub async fn seed(connection: &mut AnyConnection, code: &str, source: &str) -> StoreResult<()> {
    if active(connection, code).await?.is_none() && versions(connection, code).await?.is_empty() {
        save(
            connection,
            None,
            code,
            source,
            Some("Процесс из поставки / shipped default"),
        )
        .await?;
    }
    Ok(())
}
