//! Recipes: components with shares, status, notes; versioned like every editable record.

use ferment_domain::recipe::{Component, Recipe, RecipeStatus};
use ferment_domain::text::normalize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};
use uuid::Uuid;

use crate::history::{self, Action};
use crate::list::{Cursor, Page};
use crate::sql::{Arg, Sql};
use crate::{Meta, Record, StoreError, StoreResult, new_id, now_text, parse_optional_id, search};

/// The kind name of recipes in the history and the search index.
pub const KIND: &str = "recipe";

const COLUMNS: &str = "r.id, r.version, r.created_at, r.updated_at, r.name, r.status, r.counterparty_id, r.composition, r.notes";

fn from_row(row: &AnyRow) -> StoreResult<Record<Recipe>> {
    let status: String = row.try_get("status")?;
    let composition: String = row.try_get("composition")?;
    Ok(Record {
        meta: Meta::from_row(row)?,
        data: Recipe {
            name: row.try_get("name")?,
            status: RecipeStatus::from_code(&status).ok_or_else(|| {
                StoreError::Other(anyhow::anyhow!("bad recipe status {status:?}"))
            })?,
            counterparty_id: parse_optional_id(
                row.try_get::<Option<String>, _>("counterparty_id")?
                    .as_deref(),
            )?,
            composition: serde_json::from_str::<Vec<Component>>(&composition).map_err(|e| {
                StoreError::Other(anyhow::anyhow!("bad composition {composition:?}: {e}"))
            })?,
            notes: row.try_get("notes")?,
        },
    })
}

/// Reads a live recipe.
pub async fn get(connection: &mut AnyConnection, id: Uuid) -> StoreResult<Record<Recipe>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM recipes r WHERE r.id = $1 AND r.deleted_at IS NULL"
    )))
    .bind(id.to_string())
    .fetch_optional(connection)
    .await?
    .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

fn values(data: &Recipe) -> [Arg; 6] {
    [
        Arg::Text(data.name.clone()),
        Arg::Text(normalize(&data.name)),
        Arg::Text(data.status.code().into()),
        Arg::OptText(data.counterparty_id.map(|id| id.to_string())),
        Arg::Text(serde_json::to_string(&data.composition).unwrap_or_else(|_| "[]".into())),
        Arg::OptText(data.notes.clone()),
    ]
}

const FIELD_NAMES: &str = "name, name_sort, status, counterparty_id, composition, notes";

async fn index(connection: &mut AnyConnection, id: Uuid, data: &Recipe) -> StoreResult<()> {
    search::index(
        connection,
        KIND,
        id,
        search::Posting {
            sort_key: &normalize(&data.name),
            ..Default::default()
        },
        &[data.name.as_str()],
    )
    .await
}

/// Creates a recipe.
pub async fn insert(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    data: &Recipe,
) -> StoreResult<Record<Recipe>> {
    let id = new_id();
    let now = now_text();
    let mut sql = Sql::new("INSERT INTO recipes (id, created_at, updated_at, version, ");
    sql.push(FIELD_NAMES).push(") VALUES (");
    sql.bind_list([
        Arg::Text(id.to_string()),
        Arg::Text(now.clone()),
        Arg::Text(now),
        Arg::Int(1),
    ]);
    sql.push(", ").bind_list(values(data)).push(")");
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

/// Changes a recipe if its version is still `expected_version`.
pub async fn update(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
    expected_version: i64,
    data: &Recipe,
) -> StoreResult<Record<Recipe>> {
    let old = get(connection, id).await?;
    if old.meta.version != expected_version {
        return Err(StoreError::StaleVersion {
            current: old.meta.version,
        });
    }
    let mut sql = Sql::new("UPDATE recipes SET (");
    sql.push(FIELD_NAMES).push(") = (").bind_list(values(data));
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
        Some(&old.data),
        Some(data),
    )
    .await?;
    get(connection, id).await
}

/// Hides a recipe.
pub async fn delete(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
) -> StoreResult<()> {
    let old = get(connection, id).await?;
    sqlx::query(
        "UPDATE recipes SET deleted_at = $1, updated_at = $1, version = version + 1 WHERE id = $2",
    )
    .bind(now_text())
    .bind(id.to_string())
    .execute(&mut *connection)
    .await?;
    search::remove(connection, id).await?;
    history::record_change::<Recipe>(
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

/// One page of recipes by name, optionally matching words of the name.
pub async fn list(
    connection: &mut AnyConnection,
    q: Option<&str>,
    cursor: Option<&Cursor>,
    limit: i64,
) -> StoreResult<Page<Record<Recipe>>> {
    let mut sql = Sql::new("SELECT ");
    sql.push(COLUMNS)
        .push(", r.name_sort FROM recipes r WHERE r.deleted_at IS NULL");
    if let Some(q) = q.filter(|q| !q.trim().is_empty()) {
        search::push_match(&mut sql, KIND, "r.id", q);
    }
    if let Some(cursor) = cursor {
        sql.push(" AND (r.name_sort, r.id) > (")
            .bind_text(cursor.value.clone())
            .push(", ")
            .bind_text(cursor.id.clone())
            .push(")");
    }
    sql.push(" ORDER BY r.name_sort, r.id LIMIT ")
        .push_count(limit + 1);
    let rows = sql.query().fetch_all(connection).await?;
    let mut items = Vec::new();
    let mut last = None;
    for row in rows.iter().take(limit as usize) {
        last = Some(Cursor {
            value: row.try_get("name_sort")?,
            id: row.try_get("id")?,
        });
        items.push(from_row(row)?);
    }
    let next_cursor = if rows.len() as i64 > limit {
        last.map(|c| c.encode())
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}
