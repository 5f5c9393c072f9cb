//! The change history: who changed which fields of which record, when, from what to what.
//!
//! **Invariant:** every insert, update and delete of a business record calls [`record_change`] in the
//! same transaction, so the history can never disagree with the data.

use ferment_domain::history::diff;
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::{StoreResult, new_id, now_text, parse_optional_id, parse_time};

/// What happened to the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Created.
    Create,
    /// Changed.
    Update,
    /// Deleted (hidden; the data and history are kept).
    Delete,
}

impl Action {
    fn code(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }

    fn from_code(code: &str) -> Action {
        match code {
            "create" => Action::Create,
            "delete" => Action::Delete,
            _ => Action::Update,
        }
    }
}

/// Writes the difference between two states of a record. Nothing is written when nothing changed
/// (except for deletions, which are always recorded).
pub async fn record_change<T: Serialize>(
    connection: &mut AnyConnection,
    record_kind: &str,
    record_id: Uuid,
    action: Action,
    user_id: Option<Uuid>,
    old: Option<&T>,
    new: Option<&T>,
) -> StoreResult<()> {
    let changes = diff(old, new);
    if changes.is_empty() && action != Action::Delete {
        return Ok(());
    }
    let changes = serde_json::to_string(&changes).map_err(anyhow::Error::from)?;
    sqlx::query(
        "INSERT INTO change_log (id, record_kind, record_id, action, user_id, changed_at, changes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id().to_string())
    .bind(record_kind)
    .bind(record_id.to_string())
    .bind(action.code())
    .bind(user_id.map(|id| id.to_string()))
    .bind(now_text())
    .bind(changes)
    .execute(connection)
    .await?;
    Ok(())
}

/// One entry of a record's history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    /// When.
    pub changed_at: chrono::DateTime<chrono::Utc>,
    /// What happened.
    pub action: Action,
    /// Who (absent for system changes such as the demo load).
    pub user_id: Option<Uuid>,
    /// The user's full name, for display.
    pub user_name: Option<String>,
    /// The fields that changed.
    pub changes: Vec<HistoryField>,
}

/// A changed field as read back from the history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryField {
    /// The field.
    pub field: String,
    /// Its old value.
    pub old: serde_json::Value,
    /// Its new value.
    pub new: serde_json::Value,
}

/// A record's history, newest first.
pub async fn list(
    connection: &mut AnyConnection,
    record_id: Uuid,
    limit: i64,
) -> StoreResult<Vec<HistoryEntry>> {
    // (the count written in, not bound: see `Sql::push_count`)
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT h.changed_at, h.action, h.user_id, u.full_name, h.changes \
         FROM change_log h LEFT JOIN users u ON u.id = h.user_id \
         WHERE h.record_id = $1 ORDER BY h.changed_at DESC, h.id DESC LIMIT {limit}"
    )))
    .bind(record_id.to_string())
    .fetch_all(connection)
    .await?;
    rows.iter()
        .map(|row| {
            let raw: String = row.try_get("changes")?;
            let fields: Vec<serde_json::Value> =
                serde_json::from_str(&raw).map_err(anyhow::Error::from)?;
            Ok(HistoryEntry {
                changed_at: parse_time(&row.try_get::<String, _>("changed_at")?)?,
                action: Action::from_code(&row.try_get::<String, _>("action")?),
                user_id: parse_optional_id(
                    row.try_get::<Option<String>, _>("user_id")?.as_deref(),
                )?,
                user_name: row.try_get("full_name")?,
                changes: fields
                    .into_iter()
                    .map(|field| HistoryField {
                        field: field["field"].as_str().unwrap_or_default().to_string(),
                        old: field["old"].clone(),
                        new: field["new"].clone(),
                    })
                    .collect(),
            })
        })
        .collect()
}
