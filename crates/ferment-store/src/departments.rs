//! Departments: the teams of the `team` access level. A user belongs to at most one.

use ferment_domain::text::normalize;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::{StoreError, StoreResult, new_id, now_text, parse_id};

/// A department.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Department {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Optimistic-locking version.
    pub version: i64,
}

fn from_row(row: &sqlx::any::AnyRow) -> StoreResult<Department> {
    Ok(Department {
        id: parse_id(&row.try_get::<String, _>("id")?)?,
        name: row.try_get("name")?,
        version: row.try_get("version")?,
    })
}

/// Every live department, by name.
pub async fn list(connection: &mut AnyConnection) -> StoreResult<Vec<Department>> {
    let rows = sqlx::query(
        "SELECT id, name, version FROM departments WHERE deleted_at IS NULL ORDER BY name_sort, id",
    )
    .fetch_all(connection)
    .await?;
    rows.iter().map(from_row).collect()
}

/// One live department.
pub async fn get(connection: &mut AnyConnection, id: Uuid) -> StoreResult<Department> {
    let row = sqlx::query(
        "SELECT id, name, version FROM departments WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id.to_string())
    .fetch_optional(connection)
    .await?
    .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

/// Creates a department (a taken name is `StoreError::Unique`).
pub async fn insert(connection: &mut AnyConnection, name: &str) -> StoreResult<Department> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO departments (id, name, name_sort, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $4, 1)",
    )
    .bind(id.to_string())
    .bind(name)
    .bind(normalize(name))
    .bind(now_text())
    .execute(&mut *connection)
    .await?;
    get(connection, id).await
}

/// Renames a department if its version is still `expected_version`.
pub async fn rename(
    connection: &mut AnyConnection,
    id: Uuid,
    expected_version: i64,
    name: &str,
) -> StoreResult<Department> {
    let old = get(connection, id).await?;
    if old.version != expected_version {
        return Err(StoreError::StaleVersion {
            current: old.version,
        });
    }
    sqlx::query(
        "UPDATE departments SET name = $1, name_sort = $2, updated_at = $3, version = version + 1 WHERE id = $4",
    )
    .bind(name)
    .bind(normalize(name))
    .bind(now_text())
    .bind(id.to_string())
    .execute(&mut *connection)
    .await?;
    get(connection, id).await
}

/// Deletes a department no live user belongs to; `Ok(false)` when some still do.
pub async fn delete(connection: &mut AnyConnection, id: Uuid) -> StoreResult<bool> {
    get(connection, id).await?;
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM users WHERE department_id = $1 AND deleted_at IS NULL",
    )
    .bind(id.to_string())
    .fetch_one(&mut *connection)
    .await?;
    if row.try_get::<i64, _>("n")? > 0 {
        return Ok(false);
    }
    sqlx::query("UPDATE departments SET deleted_at = $1, updated_at = $1, version = version + 1 WHERE id = $2")
        .bind(now_text())
        .bind(id.to_string())
        .execute(connection)
        .await?;
    Ok(true)
}
