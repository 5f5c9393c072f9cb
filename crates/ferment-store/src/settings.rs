//! Settings an administrator changes at run time: a key and a JSON value.

use sqlx::{AnyConnection, Row};

use crate::{StoreResult, now_text};

/// The key of the trusted proxies (a JSON list of CIDR strings).
pub const TRUSTED_PROXIES: &str = "trusted_proxies";

/// A setting's value (`None` when never set).
pub async fn get(
    connection: &mut AnyConnection,
    key: &str,
) -> StoreResult<Option<serde_json::Value>> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(connection)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let text: String = row.try_get("value")?;
    let value = serde_json::from_str(&text).map_err(anyhow::Error::from)?;
    Ok(Some(value))
}

/// Sets a setting.
pub async fn set(
    connection: &mut AnyConnection,
    key: &str,
    value: &serde_json::Value,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(key)
    .bind(value.to_string())
    .bind(now_text())
    .execute(connection)
    .await?;
    Ok(())
}
