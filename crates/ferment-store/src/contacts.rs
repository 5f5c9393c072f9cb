//! Contacts: the people at the clients.

use ferment_domain::access::Scope;
use ferment_domain::contact::Contact;
use ferment_domain::text::normalize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};
use uuid::Uuid;

use crate::access::{self, Reach, push_reach};
use crate::history::{self, Action};
use crate::list::{Cursor, Page};
use crate::sql::Sql;
use crate::{
    Meta, Record, StoreError, StoreResult, new_id, now_text, parse_id, parse_optional_id, search,
};

/// The kind name of contacts in the history and the search index.
pub const KIND: &str = "contact";

const COLUMNS: &str = "ct.id, ct.version, ct.created_at, ct.updated_at, ct.full_name, ct.position, \
    ct.counterparty_id, ct.emails, ct.phones, ct.notes";

fn json_list(row: &AnyRow, column: &str) -> StoreResult<Vec<String>> {
    let text: String = row.try_get(column)?;
    serde_json::from_str(&text)
        .map_err(|e| StoreError::Other(anyhow::anyhow!("bad {column} list: {e}")))
}

fn from_row(row: &AnyRow) -> StoreResult<Record<Contact>> {
    Ok(Record {
        meta: Meta::from_row(row)?,
        data: Contact {
            full_name: row.try_get("full_name")?,
            position: row.try_get("position")?,
            counterparty_id: parse_optional_id(
                row.try_get::<Option<String>, _>("counterparty_id")?
                    .as_deref(),
            )?,
            emails: json_list(row, "emails")?,
            phones: json_list(row, "phones")?,
            notes: row.try_get("notes")?,
        },
    })
}

/// Reads a live contact.
pub async fn get(connection: &mut AnyConnection, id: Uuid) -> StoreResult<Record<Contact>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM contacts ct WHERE ct.id = $1 AND ct.deleted_at IS NULL"
    )))
    .bind(id.to_string())
    .fetch_optional(connection)
    .await?
    .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

async fn index(connection: &mut AnyConnection, id: Uuid, data: &Contact) -> StoreResult<()> {
    let mut texts = vec![
        data.full_name.as_str(),
        data.position.as_deref().unwrap_or(""),
    ];
    texts.extend(data.emails.iter().map(String::as_str));
    search::index(
        connection,
        KIND,
        id,
        search::Posting {
            sort_key: &normalize(&data.full_name),
            ..Default::default()
        },
        &texts,
    )
    .await
}

fn lists(data: &Contact) -> StoreResult<(String, String)> {
    let emails = serde_json::to_string(&data.emails).map_err(anyhow::Error::from)?;
    let phones = serde_json::to_string(&data.phones).map_err(anyhow::Error::from)?;
    Ok((emails, phones))
}

/// Creates a contact.
pub async fn insert(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    data: &Contact,
) -> StoreResult<Record<Contact>> {
    let id = new_id();
    let (emails, phones) = lists(data)?;
    sqlx::query(
        "INSERT INTO contacts (id, full_name, name_sort, position, counterparty_id, emails, phones, notes, \
         created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, 1)",
    )
    .bind(id.to_string())
    .bind(&data.full_name)
    .bind(normalize(&data.full_name))
    .bind(&data.position)
    .bind(data.counterparty_id.map(|id| id.to_string()))
    .bind(emails)
    .bind(phones)
    .bind(&data.notes)
    .bind(now_text())
    .execute(&mut *connection)
    .await?;
    index(connection, id, data).await?;
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

/// Changes a contact if its version is still `expected_version`.
pub async fn update(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
    expected_version: i64,
    data: &Contact,
) -> StoreResult<Record<Contact>> {
    let old = get(connection, id).await?;
    if old.meta.version != expected_version {
        return Err(StoreError::StaleVersion {
            current: old.meta.version,
        });
    }
    let (emails, phones) = lists(data)?;
    sqlx::query(
        "UPDATE contacts SET full_name = $1, name_sort = $2, position = $3, counterparty_id = $4, emails = $5, \
         phones = $6, notes = $7, updated_at = $8, version = version + 1 WHERE id = $9",
    )
    .bind(&data.full_name)
    .bind(normalize(&data.full_name))
    .bind(&data.position)
    .bind(data.counterparty_id.map(|id| id.to_string()))
    .bind(emails)
    .bind(phones)
    .bind(&data.notes)
    .bind(now_text())
    .bind(id.to_string())
    .execute(&mut *connection)
    .await?;
    index(connection, id, data).await?;
    history::record_change(
        connection,
        KIND,
        id,
        Action::Update,
        user_id,
        Some(&old.data),
        Some(data),
    )
    .await?;
    get(connection, id).await
}

/// Hides a contact.
pub async fn delete(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
) -> StoreResult<()> {
    let old = get(connection, id).await?;
    sqlx::query(
        "UPDATE contacts SET deleted_at = $1, updated_at = $1, version = version + 1 WHERE id = $2",
    )
    .bind(now_text())
    .bind(id.to_string())
    .execute(&mut *connection)
    .await?;
    search::remove(connection, id).await?;
    history::record_change::<Contact>(
        connection,
        KIND,
        id,
        Action::Delete,
        user_id,
        Some(&old.data),
        None,
    )
    .await
}

/// Filters of a contact list.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Words of the name, position or e-mail.
    pub q: Option<String>,
    /// Only the contacts of this counterparty.
    pub counterparty_id: Option<Uuid>,
    /// Continue after this row.
    pub cursor: Option<Cursor>,
    /// Page size.
    pub limit: i64,
}

/// A contact as a list shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ListRow {
    /// Id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// Full name.
    pub full_name: String,
    /// Position.
    pub position: Option<String>,
    /// Counterparty id.
    pub counterparty_id: Option<Uuid>,
    /// Counterparty name.
    pub counterparty_name: Option<String>,
    /// E-mails.
    pub emails: Vec<String>,
    /// Phones.
    pub phones: Vec<String>,
}

/// One page of contacts, by name. Unless the scope is `All`, a contact is visible when its
/// counterparty's owner or territory is in the scope (a contact without one is then hidden).
pub async fn list(
    connection: &mut AnyConnection,
    scope: &Scope,
    query: &ListQuery,
) -> StoreResult<Page<ListRow>> {
    let mut sql = Sql::new(
        "SELECT ct.id, ct.version, ct.full_name, ct.name_sort, ct.position, ct.counterparty_id, cp.name AS counterparty_name, \
         ct.emails, ct.phones FROM contacts ct LEFT JOIN counterparties cp ON cp.id = ct.counterparty_id \
         WHERE ct.deleted_at IS NULL",
    );
    let reach = access::resolve(&mut *connection, scope).await?;
    if reach != Reach::All {
        sql.push(" AND ct.counterparty_id IS NOT NULL AND cp.deleted_at IS NULL");
        push_reach(
            &mut sql,
            &reach,
            Some("cp.owner_id"),
            Some("cp.territory_id"),
        );
    }
    if let Some(q) = query.q.as_deref().filter(|q| !q.trim().is_empty()) {
        search::push_match(&mut sql, KIND, "ct.id", q);
    }
    if let Some(counterparty) = query.counterparty_id {
        sql.push(" AND ct.counterparty_id = ")
            .bind_text(counterparty.to_string());
    }
    if let Some(cursor) = &query.cursor {
        sql.push(" AND (ct.name_sort, ct.id) > (")
            .bind_text(cursor.value.clone())
            .push(", ");
        sql.bind_text(cursor.id.clone()).push(")");
    }
    sql.push(" ORDER BY ct.name_sort, ct.id LIMIT ")
        .push_count(query.limit + 1);
    let rows = sql.query().fetch_all(connection).await?;
    let mut items = Vec::new();
    let mut last = None;
    for row in rows.iter().take(query.limit as usize) {
        let id: String = row.try_get("id")?;
        last = Some(Cursor {
            value: row.try_get("name_sort")?,
            id: id.clone(),
        });
        items.push(ListRow {
            id: parse_id(&id)?,
            version: row.try_get("version")?,
            full_name: row.try_get("full_name")?,
            position: row.try_get("position")?,
            counterparty_id: parse_optional_id(
                row.try_get::<Option<String>, _>("counterparty_id")?
                    .as_deref(),
            )?,
            counterparty_name: row.try_get("counterparty_name")?,
            emails: json_list(row, "emails")?,
            phones: json_list(row, "phones")?,
        });
    }
    let next_cursor = if rows.len() as i64 > query.limit {
        last.map(|c| c.encode())
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// A live contact with this e-mail among their addresses (case-insensitive), with their
/// counterparty: a lead's conversion reuses them instead of making a duplicate.
pub async fn find_by_email(
    connection: &mut AnyConnection,
    email: &str,
) -> StoreResult<Option<(Uuid, Option<Uuid>)>> {
    let needle = serde_json::to_string(&email.trim().to_lowercase()).unwrap_or_default();
    let rows = sqlx::query(
        "SELECT id, counterparty_id, emails FROM contacts WHERE deleted_at IS NULL AND LOWER(emails) LIKE $1 LIMIT 20",
    )
    // `_` and `%` in the needle only widen the LIKE; the exact comparison below decides.
    .bind(format!("%{needle}%"))
    .fetch_all(connection)
    .await?;
    for row in rows {
        let emails: Vec<String> =
            serde_json::from_str(&row.try_get::<String, _>("emails")?).unwrap_or_default();
        if emails
            .iter()
            .any(|e| e.trim().eq_ignore_ascii_case(email.trim()))
        {
            return Ok(Some((
                crate::parse_id(&row.try_get::<String, _>("id")?)?,
                crate::parse_optional_id(
                    row.try_get::<Option<String>, _>("counterparty_id")?
                        .as_deref(),
                )?,
            )));
        }
    }
    Ok(None)
}
