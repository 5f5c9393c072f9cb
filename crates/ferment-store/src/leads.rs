//! Leads: captured needs, their status, and the sale they became.

use chrono::{DateTime, Utc};
use ferment_domain::access::Scope;
use ferment_domain::lead::{Lead, LeadStatus};
use ferment_domain::text::normalize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};
use uuid::Uuid;

use crate::access::{self, push_reach};
use crate::history::{self, Action};
use crate::list::{Cursor, Page};
use crate::sql::{Arg, Sql};
use crate::{
    Meta, Record, StoreError, StoreResult, new_id, now_text, parse_optional_id, parse_time, search,
};

/// The kind name of leads in the history and the search index.
pub const KIND: &str = "lead";

/// A lead as stored, with what its conversion made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadRecord {
    /// The lead.
    pub record: Record<Lead>,
    /// The sale it was converted into.
    pub sale_id: Option<Uuid>,
    /// When.
    pub converted_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "l.id, l.version, l.created_at, l.updated_at, l.source, l.company_name, l.counterparty_id, \
    l.inn, l.contact_name, l.contact_position, l.email, l.phone, l.need, l.product_interest, l.status, \
    l.disqualify_reason, l.owner_id, l.territory_id, l.notes, l.sale_id, l.converted_at";

fn opt_id(row: &AnyRow, column: &str) -> StoreResult<Option<Uuid>> {
    parse_optional_id(row.try_get::<Option<String>, _>(column)?.as_deref())
}

fn from_row(row: &AnyRow) -> StoreResult<LeadRecord> {
    let status: String = row.try_get("status")?;
    Ok(LeadRecord {
        record: Record {
            meta: Meta::from_row(row)?,
            data: Lead {
                source: row.try_get("source")?,
                company_name: row.try_get("company_name")?,
                counterparty_id: opt_id(row, "counterparty_id")?,
                inn: row.try_get("inn")?,
                contact_name: row.try_get("contact_name")?,
                contact_position: row.try_get("contact_position")?,
                email: row.try_get("email")?,
                phone: row.try_get("phone")?,
                need: row.try_get("need")?,
                product_interest: row.try_get("product_interest")?,
                status: LeadStatus::from_code(&status).ok_or_else(|| {
                    StoreError::Other(anyhow::anyhow!("bad lead status {status:?}"))
                })?,
                disqualify_reason: row.try_get("disqualify_reason")?,
                owner_id: opt_id(row, "owner_id")?,
                territory_id: opt_id(row, "territory_id")?,
                notes: row.try_get("notes")?,
            },
        },
        sale_id: opt_id(row, "sale_id")?,
        converted_at: row
            .try_get::<Option<String>, _>("converted_at")?
            .map(|t| parse_time(&t))
            .transpose()?,
    })
}

/// Reads a live lead.
pub async fn get(connection: &mut AnyConnection, id: Uuid) -> StoreResult<LeadRecord> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM leads l WHERE l.id = $1 AND l.deleted_at IS NULL"
    )))
    .bind(id.to_string())
    .fetch_optional(connection)
    .await?
    .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

const FIELD_NAMES: &str = "source, company_name, name_sort, counterparty_id, inn, contact_name, contact_position, \
    email, email_sort, phone, need, product_interest, status, disqualify_reason, owner_id, territory_id, notes";

fn bind_lead(sql: &mut Sql, data: &Lead) {
    sql.bind_list([
        Arg::OptText(data.source.clone()),
        Arg::Text(data.company_name.clone()),
        Arg::Text(normalize(&data.company_name)),
        Arg::OptText(data.counterparty_id.map(|id| id.to_string())),
        Arg::OptText(data.inn.clone()),
        Arg::OptText(data.contact_name.clone()),
        Arg::OptText(data.contact_position.clone()),
        Arg::OptText(data.email.clone()),
        Arg::OptText(data.email.as_deref().map(normalize)),
        Arg::OptText(data.phone.clone()),
        Arg::OptText(data.need.clone()),
        Arg::OptText(data.product_interest.clone()),
        Arg::Text(data.status.code().into()),
        Arg::OptText(data.disqualify_reason.clone()),
        Arg::OptText(data.owner_id.map(|id| id.to_string())),
        Arg::OptText(data.territory_id.map(|id| id.to_string())),
        Arg::OptText(data.notes.clone()),
    ]);
}

async fn index(connection: &mut AnyConnection, id: Uuid, data: &Lead) -> StoreResult<()> {
    let texts = [
        data.company_name.as_str(),
        data.contact_name.as_deref().unwrap_or(""),
        data.email.as_deref().unwrap_or(""),
        data.inn.as_deref().unwrap_or(""),
    ];
    search::index(
        connection,
        KIND,
        id,
        search::Posting {
            sort_key: &normalize(&data.company_name),
            owner_id: data.owner_id,
            territory_id: data.territory_id,
        },
        &texts,
    )
    .await
}

/// Creates a lead.
pub async fn insert(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    data: &Lead,
) -> StoreResult<LeadRecord> {
    let id = new_id();
    let now = now_text();
    let mut sql = Sql::new("INSERT INTO leads (id, created_at, updated_at, version, ");
    sql.push(FIELD_NAMES).push(") VALUES (");
    sql.bind_list([
        Arg::Text(id.to_string()),
        Arg::Text(now.clone()),
        Arg::Text(now),
        Arg::Int(1),
    ]);
    sql.push(", ");
    bind_lead(&mut sql, data);
    sql.push(")");
    sql.query().execute(&mut *connection).await?;
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

/// Changes a lead if its version is still `expected_version`.
pub async fn update(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
    expected_version: i64,
    data: &Lead,
) -> StoreResult<LeadRecord> {
    let old = get(connection, id).await?;
    if old.record.meta.version != expected_version {
        return Err(StoreError::StaleVersion {
            current: old.record.meta.version,
        });
    }
    let mut sql = Sql::new("UPDATE leads SET (");
    sql.push(FIELD_NAMES).push(") = (");
    bind_lead(&mut sql, data);
    sql.push("), version = version + 1, updated_at = ")
        .bind_text(now_text())
        .push(" WHERE id = ")
        .bind_text(id.to_string());
    sql.query().execute(&mut *connection).await?;
    index(connection, id, data).await?;
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

/// Records the conversion: the lead is qualified, linked to its counterparty and its sale.
pub async fn mark_converted(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
    counterparty_id: Uuid,
    sale_id: Uuid,
) -> StoreResult<LeadRecord> {
    let old = get(connection, id).await?;
    let mut data = old.record.data.clone();
    data.status = LeadStatus::Qualified;
    data.counterparty_id = Some(counterparty_id);
    data.disqualify_reason = None;
    let changed = sqlx::query(
        "UPDATE leads SET status = $1, counterparty_id = $2, disqualify_reason = NULL, sale_id = $3, \
         converted_at = $4, updated_at = $4, version = version + 1 WHERE id = $5 AND sale_id IS NULL",
    )
    .bind(data.status.code())
    .bind(counterparty_id.to_string())
    .bind(sale_id.to_string())
    .bind(now_text())
    .bind(id.to_string())
    .execute(&mut *connection)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(StoreError::StaleVersion {
            current: old.record.meta.version,
        });
    }
    #[derive(serde::Serialize)]
    struct Converted<'a> {
        #[serde(flatten)]
        data: &'a Lead,
        sale_id: Option<Uuid>,
    }
    history::record_change(
        connection,
        KIND,
        id,
        Action::Update,
        user_id,
        Some(&Converted {
            data: &old.record.data,
            sale_id: None,
        }),
        Some(&Converted {
            data: &data,
            sale_id: Some(sale_id),
        }),
    )
    .await?;
    get(connection, id).await
}

/// Hides a lead.
pub async fn delete(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
) -> StoreResult<()> {
    let old = get(connection, id).await?;
    sqlx::query(
        "UPDATE leads SET deleted_at = $1, updated_at = $1, version = version + 1 WHERE id = $2",
    )
    .bind(now_text())
    .bind(id.to_string())
    .execute(&mut *connection)
    .await?;
    search::remove(connection, id).await?;
    history::record_change::<Lead>(
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

/// Filters of a lead list.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Words of the company, contact, e-mail or ИНН.
    pub q: Option<String>,
    /// Only this status.
    pub status: Option<LeadStatus>,
    /// Only this owner's.
    pub owner_id: Option<Uuid>,
    /// Continue after this row.
    pub cursor: Option<Cursor>,
    /// Page size.
    pub limit: i64,
}

/// One page of leads, newest first.
pub async fn list(
    connection: &mut AnyConnection,
    scope: &Scope,
    query: &ListQuery,
) -> StoreResult<Page<LeadRecord>> {
    let reach = access::resolve(&mut *connection, scope).await?;
    let mut sql = Sql::new("SELECT ");
    sql.push(COLUMNS)
        .push(" FROM leads l WHERE l.deleted_at IS NULL");
    push_reach(&mut sql, &reach, Some("l.owner_id"), Some("l.territory_id"));
    if let Some(q) = query.q.as_deref().filter(|q| !q.trim().is_empty()) {
        search::push_match(&mut sql, KIND, "l.id", q);
    }
    if let Some(status) = query.status {
        sql.push(" AND l.status = ").bind_text(status.code());
    }
    if let Some(owner) = query.owner_id {
        sql.push(" AND l.owner_id = ").bind_text(owner.to_string());
    }
    if let Some(cursor) = &query.cursor {
        sql.push(" AND (l.created_at, l.id) < (")
            .bind_text(cursor.value.clone())
            .push(", ")
            .bind_text(cursor.id.clone())
            .push(")");
    }
    sql.push(" ORDER BY l.created_at DESC, l.id DESC LIMIT ")
        .push_count(query.limit + 1);
    let rows = sql.query().fetch_all(connection).await?;
    let mut items = Vec::new();
    let mut last = None;
    for row in rows.iter().take(query.limit as usize) {
        last = Some(Cursor {
            value: row.try_get("created_at")?,
            id: row.try_get("id")?,
        });
        items.push(from_row(row)?);
    }
    let next_cursor = if rows.len() as i64 > query.limit {
        last.map(|c| c.encode())
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}
