//! The audit log: logins (success and failure, with the address), refusals, and changes to roles,
//! users' access and IP rules. Append-only; administrators read it newest first.

use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::list::{Cursor, Page};
use crate::sql::Sql;
use crate::{StoreResult, new_id, now_text, parse_optional_id, parse_time};

/// One event to record.
#[derive(Debug, Clone, Default)]
pub struct Event<'a> {
    /// What happened: `login`, `login_failed`, `ip_refused`, `denied`, `role_created`,
    /// `role_changed`, `role_deleted`, `user_access_changed`, `settings_changed`, …
    pub event: &'a str,
    /// The user concerned (signed in, or whose login was tried).
    pub user_id: Option<Uuid>,
    /// The login given (for failed logins of unknown users too).
    pub login: Option<&'a str>,
    /// The client's address.
    pub ip: Option<String>,
    /// Details: what was refused, what changed.
    pub detail: serde_json::Value,
}

/// A recorded event.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Entry {
    /// Id.
    pub id: String,
    /// When.
    pub at: chrono::DateTime<chrono::Utc>,
    /// What happened.
    pub event: String,
    /// The user concerned.
    pub user_id: Option<Uuid>,
    /// The login given.
    pub login: Option<String>,
    /// The client's address.
    pub ip: Option<String>,
    /// Details.
    pub detail: serde_json::Value,
}

/// Records an event.
pub async fn record(connection: &mut AnyConnection, event: &Event<'_>) -> StoreResult<()> {
    let detail = if event.detail.is_null() {
        "{}".to_string()
    } else {
        event.detail.to_string()
    };
    sqlx::query(
        "INSERT INTO audit_log (id, at, event, user_id, login, ip, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id().to_string())
    .bind(now_text())
    .bind(event.event)
    .bind(event.user_id.map(|id| id.to_string()))
    .bind(event.login)
    .bind(event.ip.clone())
    .bind(detail)
    .execute(connection)
    .await?;
    Ok(())
}

/// Filters of the audit log.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Only this event.
    pub event: Option<String>,
    /// Only events of this user.
    pub user_id: Option<Uuid>,
    /// After this position (newest first).
    pub cursor: Option<Cursor>,
    /// Page size.
    pub limit: i64,
}

/// One page of the log, newest first.
pub async fn list(connection: &mut AnyConnection, query: &Query) -> StoreResult<Page<Entry>> {
    let mut sql =
        Sql::new("SELECT id, at, event, user_id, login, ip, detail FROM audit_log WHERE 1 = 1");
    if let Some(event) = &query.event {
        sql.push(" AND event = ").bind_text(event.clone());
    }
    if let Some(user) = query.user_id {
        sql.push(" AND user_id = ").bind_text(user.to_string());
    }
    if let Some(cursor) = &query.cursor {
        sql.push(" AND (at, id) < (")
            .bind_text(cursor.value.clone())
            .push(", ")
            .bind_text(cursor.id.clone())
            .push(")");
    }
    sql.push(" ORDER BY at DESC, id DESC LIMIT ")
        .push_count(query.limit + 1);
    let rows = sql.query().fetch_all(connection).await?;
    let mut items = Vec::new();
    let mut last = None;
    for row in rows.iter().take(query.limit as usize) {
        let at: String = row.try_get("at")?;
        let id: String = row.try_get("id")?;
        last = Some(Cursor {
            value: at.clone(),
            id: id.clone(),
        });
        let detail: String = row.try_get("detail")?;
        items.push(Entry {
            id,
            at: parse_time(&at)?,
            event: row.try_get("event")?,
            user_id: parse_optional_id(row.try_get::<Option<String>, _>("user_id")?.as_deref())?,
            login: row.try_get("login")?,
            ip: row.try_get("ip")?,
            detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
        });
    }
    let next_cursor = if rows.len() as i64 > query.limit {
        last.map(|c| c.encode())
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}
