//! Territories: the shipped tree, reads, and administrator edits.
//!
//! Each territory keeps a materialised `path` of codes from the root (`/RU/RU-CFD/RU-MOW/`), so
//! "this territory and everything inside it" is one index range.

use std::collections::HashMap;

use ferment_domain::territory::{SEED, Territory, TerritoryKind, area_of};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::history::{self, Action};
use crate::sql::{Sql, select_json_ordered};
use crate::{
    Meta, Record, StoreError, StoreResult, new_id, now_text, parse_id, parse_optional_id,
    parse_time,
};

/// The kind name of territories in the history.
pub const KIND: &str = "territory";

const COLUMNS: &str =
    "id, version, created_at, updated_at, code, name, name_en, kind, parent_id, tax_region, path";

/// A territory with its place in the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerritoryRecord {
    /// The record.
    pub record: Record<Territory>,
    /// The materialised path of codes.
    pub path: String,
}

/// A territory as the database gathers it (a JSON array of [`COLUMNS`], in that order).
#[derive(serde::Deserialize)]
struct Gathered {
    id: String,
    version: i64,
    created_at: String,
    updated_at: String,
    code: String,
    name: String,
    name_en: String,
    kind: String,
    parent_id: Option<String>,
    tax_region: Option<String>,
    path: String,
}

impl Gathered {
    fn into_record(self) -> StoreResult<TerritoryRecord> {
        let kind = TerritoryKind::from_code(&self.kind).ok_or_else(|| {
            StoreError::Other(anyhow::anyhow!("bad territory kind {:?}", self.kind))
        })?;
        Ok(TerritoryRecord {
            record: Record {
                meta: Meta {
                    id: parse_id(&self.id)?,
                    version: self.version,
                    created_at: parse_time(&self.created_at)?,
                    updated_at: parse_time(&self.updated_at)?,
                },
                data: Territory {
                    code: self.code,
                    name: self.name,
                    name_en: self.name_en,
                    kind,
                    parent_id: parse_optional_id(self.parent_id.as_deref())?,
                    tax_region: self.tax_region,
                },
            },
            path: self.path,
        })
    }
}

/// The live territories that `filter` (` AND …`) leaves, in tree order. Gathered as one JSON
/// value: every page with a territory select reads the whole tree (~110 rows), and row by row
/// sqlx's `Any` driver made that half of rendering a list page.
async fn select(
    connection: &mut AnyConnection,
    filter: impl FnOnce(&mut Sql),
) -> StoreResult<Vec<TerritoryRecord>> {
    let rows: Vec<Gathered> = select_json_ordered(connection, COLUMNS, Some("path"), |sql| {
        sql.push(" FROM territories WHERE deleted_at IS NULL");
        filter(sql);
    })
    .await?;
    rows.into_iter().map(Gathered::into_record).collect()
}

/// Loads the shipped tree; territories already present (by code) are left as they are.
pub async fn seed(connection: &mut AnyConnection) -> StoreResult<usize> {
    let mut added = 0;
    for seed in SEED {
        if find_by_code(connection, seed.code).await?.is_some() {
            continue;
        }
        let parent_id = match seed.parent_code {
            Some(code) => Some(
                find_by_code(connection, code)
                    .await?
                    .ok_or(StoreError::NotFound)?
                    .record
                    .meta
                    .id,
            ),
            None => None,
        };
        let data = Territory {
            code: seed.code.into(),
            name: seed.name_ru.into(),
            name_en: seed.name_en.into(),
            kind: seed.kind,
            parent_id,
            tax_region: seed.tax_region.map(str::to_string),
        };
        insert(connection, None, &data).await?;
        added += 1;
    }
    Ok(added)
}

/// Finds a live territory by code.
pub async fn find_by_code(
    connection: &mut AnyConnection,
    code: &str,
) -> StoreResult<Option<TerritoryRecord>> {
    let found = select(connection, |sql| {
        sql.push(" AND code = ").bind_text(code);
    })
    .await?;
    Ok(found.into_iter().next())
}

/// Reads a live territory.
pub async fn get(connection: &mut AnyConnection, id: Uuid) -> StoreResult<TerritoryRecord> {
    let found = select(connection, |sql| {
        sql.push(" AND id = ").bind_text(id.to_string());
    })
    .await?;
    found.into_iter().next().ok_or(StoreError::NotFound)
}

/// Every live territory, in tree order (a parent before its children).
pub async fn list(connection: &mut AnyConnection) -> StoreResult<Vec<TerritoryRecord>> {
    select(connection, |_| {}).await
}

/// The area (see [`ferment_domain::territory::area_of`]) of a territory, as search postings
/// carry it; `None` when the territory is unknown.
pub async fn area(connection: &mut AnyConnection, id: Uuid) -> StoreResult<Option<String>> {
    let path: Option<String> = sqlx::query_scalar("SELECT path FROM territories WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(connection)
        .await?;
    Ok(path.map(|path| area_of(&path).to_string()))
}

/// Every territory's area, by territory id (for writers of many postings at once).
pub async fn areas(connection: &mut AnyConnection) -> StoreResult<HashMap<String, String>> {
    let rows = sqlx::query("SELECT id, path FROM territories")
        .fetch_all(connection)
        .await?;
    rows.iter()
        .map(|row| {
            let path: String = row.try_get("path")?;
            Ok((row.try_get("id")?, area_of(&path).to_string()))
        })
        .collect()
}

async fn path_for(connection: &mut AnyConnection, data: &Territory) -> StoreResult<String> {
    match data.parent_id {
        None => Ok(format!("/{}/", data.code)),
        Some(parent) => {
            let parent = get(connection, parent).await?;
            Ok(format!("{}{}/", parent.path, data.code))
        }
    }
}

/// Creates a territory.
pub async fn insert(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    data: &Territory,
) -> StoreResult<TerritoryRecord> {
    let id = new_id();
    let path = path_for(connection, data).await?;
    let now = now_text();
    sqlx::query(
        "INSERT INTO territories (id, code, name, name_en, kind, parent_id, tax_region, path, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, 1)",
    )
    .bind(id.to_string())
    .bind(&data.code)
    .bind(&data.name)
    .bind(&data.name_en)
    .bind(data.kind.code())
    .bind(data.parent_id.map(|id| id.to_string()))
    .bind(&data.tax_region)
    .bind(path)
    .bind(now)
    .execute(&mut *connection)
    .await?;
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

/// Changes a territory if its version is still `expected_version`. Moving it moves its subtree.
pub async fn update(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
    expected_version: i64,
    data: &Territory,
) -> StoreResult<TerritoryRecord> {
    let old = get(connection, id).await?;
    if old.record.meta.version != expected_version {
        return Err(StoreError::StaleVersion {
            current: old.record.meta.version,
        });
    }
    if let Some(parent) = data.parent_id {
        let parent = get(connection, parent).await?;
        if parent.path.starts_with(&old.path) {
            return Err(StoreError::Cycle);
        }
    }
    let path = path_for(connection, data).await?;
    sqlx::query(
        "UPDATE territories SET code = $1, name = $2, name_en = $3, kind = $4, parent_id = $5, tax_region = $6, \
         path = $7, updated_at = $8, version = version + 1 WHERE id = $9",
    )
    .bind(&data.code)
    .bind(&data.name)
    .bind(&data.name_en)
    .bind(data.kind.code())
    .bind(data.parent_id.map(|id| id.to_string()))
    .bind(&data.tax_region)
    .bind(&path)
    .bind(now_text())
    .bind(id.to_string())
    .execute(&mut *connection)
    .await?;
    if path != old.path {
        // Re-root the subtree: every descendant's path starts with the old path.
        let descendants =
            sqlx::query("SELECT id, path FROM territories WHERE path > $1 AND path < $2")
                .bind(&old.path)
                .bind(ferment_domain::text::prefix_upper_bound(&old.path))
                .fetch_all(&mut *connection)
                .await?;
        let mut moved = vec![(id.to_string(), old.path.clone(), path.clone())];
        for row in descendants {
            let old_path: String = row.try_get("path")?;
            let child_id: String = row.try_get("id")?;
            let new_path = format!("{path}{}", &old_path[old.path.len()..]);
            sqlx::query("UPDATE territories SET path = $1 WHERE id = $2")
                .bind(&new_path)
                .bind(&child_id)
                .execute(&mut *connection)
                .await?;
            moved.push((child_id, old_path, new_path));
        }
        move_postings_areas(connection, &moved).await?;
    }
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

/// Keeps the area the search postings of moved territories' records carry in step with their
/// new paths (`(id, old path, new path)`): one statement per new area, and none when a territory
/// stays in its area (a region recoded or moved within its district).
async fn move_postings_areas(
    connection: &mut AnyConnection,
    moved: &[(String, String, String)],
) -> StoreResult<()> {
    let mut by_area: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for (id, old_path, new_path) in moved {
        if area_of(old_path) != area_of(new_path) {
            by_area
                .entry(area_of(new_path))
                .or_default()
                .push(id.clone());
        }
    }
    for (area, ids) in by_area {
        let mut sql = Sql::new("UPDATE search_terms SET area_path = ");
        sql.bind_text(area).push(" WHERE territory_id IN (");
        sql.bind_list(ids.into_iter().map(crate::sql::Arg::Text))
            .push(")");
        sql.query().execute(&mut *connection).await?;
    }
    Ok(())
}

/// Whether any live record still refers to the territory (then it can't be deleted).
pub async fn in_use(connection: &mut AnyConnection, id: Uuid) -> StoreResult<bool> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM territories WHERE parent_id = $1 AND deleted_at IS NULL) \
         + (SELECT COUNT(*) FROM counterparties WHERE territory_id = $1 AND deleted_at IS NULL) \
         + (SELECT COUNT(*) FROM users WHERE territory_id = $1 AND deleted_at IS NULL) AS uses",
    )
    .bind(id.to_string())
    .fetch_one(connection)
    .await?;
    Ok(row.try_get::<i64, _>("uses")? > 0)
}

/// Hides a territory.
pub async fn delete(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
) -> StoreResult<()> {
    let old = get(connection, id).await?;
    sqlx::query("UPDATE territories SET deleted_at = $1, updated_at = $1, version = version + 1, code = $2 WHERE id = $3")
        .bind(now_text())
        // Free the code for reuse: deleted rows keep a code that no live territory can take.
        .bind(format!("{}~{}", old.record.data.code, id))
        .bind(id.to_string())
        .execute(&mut *connection)
        .await?;
    history::record_change::<Territory>(
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
