//! Roles as data: a code, names in both languages, and the rights it grants (JSON of
//! `ferment_domain::access::Rights`). Changes are recorded in the audit log by the caller.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use ferment_domain::access::Rights;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{StoreError, StoreResult, now_text, parse_json, parse_time};

/// How many distinct rights texts [`rights_from_text`] keeps parsed (far more than a company has
/// roles; past it the memo starts over).
const PARSED_RIGHTS_KEPT: usize = 256;

/// A role's rights from their stored JSON text.
///
/// Every request reads its user's roles with their rights, and parsing that JSON was half the
/// work of authenticating it (a profile of the benchmark); the parsed rights are kept by their
/// text, so a role edited since simply has a different text and is parsed anew: nothing here can
/// be stale.
pub fn rights_from_text(text: &str) -> StoreResult<Rights> {
    static PARSED: LazyLock<Mutex<HashMap<String, Rights>>> = LazyLock::new(Mutex::default);
    // (a panic elsewhere while holding the lock leaves the map as it was: still usable)
    let known = PARSED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(text)
        .cloned();
    if let Some(rights) = known {
        return Ok(rights);
    }
    let rights = parse_json(text, Rights::from_json)?;
    let mut map = PARSED.lock().unwrap_or_else(|e| e.into_inner());
    if map.len() >= PARSED_RIGHTS_KEPT {
        map.clear();
    }
    map.insert(text.to_owned(), rights.clone());
    Ok(rights)
}

/// A role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    /// Stable code (`regional_manager`).
    pub code: String,
    /// Russian name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// What the role grants.
    pub rights: Rights,
    /// Optimistic-locking version.
    pub version: i64,
    /// When it last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

const COLUMNS: &str = "code, name, name_en, rights, version, updated_at";

fn from_row(row: &AnyRow) -> StoreResult<Role> {
    Ok(Role {
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        name_en: row.try_get("name_en")?,
        rights: rights_from_text(&row.try_get::<String, _>("rights")?)?,
        version: row.try_get("version")?,
        updated_at: parse_time(&row.try_get::<String, _>("updated_at")?)?,
    })
}

/// Every role, by code.
pub async fn list(connection: &mut AnyConnection) -> StoreResult<Vec<Role>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM roles ORDER BY code"
    )))
    .fetch_all(connection)
    .await?;
    rows.iter().map(from_row).collect()
}

/// One role.
pub async fn get(connection: &mut AnyConnection, code: &str) -> StoreResult<Role> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM roles WHERE code = $1"
    )))
    .bind(code)
    .fetch_optional(connection)
    .await?
    .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

/// The roles a user holds, with their rights (one query).
pub async fn of_user(
    connection: &mut AnyConnection,
    user_id: uuid::Uuid,
) -> StoreResult<Vec<Role>> {
    let rows = sqlx::query(
        "SELECT r.code, r.name, r.name_en, r.rights, r.version, r.updated_at FROM user_roles ur \
         JOIN roles r ON r.code = ur.role_code WHERE ur.user_id = $1 ORDER BY r.code",
    )
    .bind(user_id.to_string())
    .fetch_all(connection)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Creates a role (a taken code is `StoreError::Unique`).
pub async fn insert(connection: &mut AnyConnection, role: &Role) -> StoreResult<Role> {
    let now = now_text();
    sqlx::query(
        "INSERT INTO roles (code, name, name_en, rights, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 1, $5, $5)",
    )
    .bind(&role.code)
    .bind(&role.name)
    .bind(&role.name_en)
    .bind(role.rights.to_json().to_string())
    .bind(now)
    .execute(&mut *connection)
    .await?;
    get(connection, &role.code).await
}

/// Changes a role's names and rights if its version is still `expected_version`.
pub async fn update(
    connection: &mut AnyConnection,
    role: &Role,
    expected_version: i64,
) -> StoreResult<Role> {
    let old = get(connection, &role.code).await?;
    if old.version != expected_version {
        return Err(StoreError::StaleVersion {
            current: old.version,
        });
    }
    sqlx::query(
        "UPDATE roles SET name = $1, name_en = $2, rights = $3, version = version + 1, updated_at = $4 \
         WHERE code = $5",
    )
    .bind(&role.name)
    .bind(&role.name_en)
    .bind(role.rights.to_json().to_string())
    .bind(now_text())
    .bind(&role.code)
    .execute(&mut *connection)
    .await?;
    get(connection, &role.code).await
}

/// How many live users hold the role.
pub async fn holders(connection: &mut AnyConnection, code: &str) -> StoreResult<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM user_roles ur JOIN users u ON u.id = ur.user_id \
         WHERE ur.role_code = $1 AND u.deleted_at IS NULL",
    )
    .bind(code)
    .fetch_one(connection)
    .await?;
    Ok(row.try_get("n")?)
}

/// Deletes a role no live user holds (the caller checks [`holders`] first).
pub async fn delete(connection: &mut AnyConnection, code: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM user_roles WHERE role_code = $1")
        .bind(code)
        .execute(&mut *connection)
        .await?;
    let done = sqlx::query("DELETE FROM roles WHERE code = $1")
        .bind(code)
        .execute(&mut *connection)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use ferment_domain::access::{Level, Operation, RecordKind};

    use super::*;

    #[test]
    fn rights_are_read_from_whatever_text_is_stored_now_even_when_parsed_before() {
        let mut rights = Rights::default();
        rights
            .permissions
            .set(RecordKind::Counterparty, Operation::Read, Level::All);
        let before = rights.to_json().to_string();
        assert_eq!(rights_from_text(&before).unwrap(), rights);
        // the role is edited: its text changes, and so do the rights read from it
        let mut edited = rights.clone();
        edited
            .permissions
            .set(RecordKind::Counterparty, Operation::Read, Level::Own);
        let after = edited.to_json().to_string();
        assert_eq!(rights_from_text(&after).unwrap(), edited);
        assert_eq!(
            rights_from_text(&before).unwrap(),
            rights,
            "each text its own"
        );
        assert!(
            rights_from_text("{\"permissions\": 7}").is_err(),
            "bad JSON is an error"
        );
    }
}
