//! Bulk loading: many counterparties written with multi-row `INSERT` statements, for benchmarks and
//! imports.
//!
//! [`insert_counterparties`] writes exactly what [`crate::counterparties::insert`] writes for each
//! row — the row with its sort keys, its bank accounts, its search terms and a `create` entry in the
//! change history — but many rows per statement instead of one statement per row and child.
//! Statements bind at most [`MAX_BINDS`] values, far below SQLite's limit (32 766) and
//! PostgreSQL's (65 535). It checks nothing the caller should have checked: rows are validated,
//! references exist and ИНН/КПП pairs are unique (the database still refuses duplicates).

use ferment_domain::counterparty::Counterparty;
use ferment_domain::history::diff;
use ferment_domain::text::normalize;
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::counterparties::KIND;
use crate::sql::{Arg, Sql};
use crate::{StoreResult, new_id, now_text};

/// The most values one statement binds. Both databases would take far more (SQLite 32 766,
/// PostgreSQL 65 535), but sqlx's SQLite driver looks each numbered `$n` up by name when binding,
/// which costs time in proportion to the statement's width: binding grows with the square of the
/// statement (measured with `ferment-bench`: 30 000 binds load ~400 rows/s, 1 000 ~1 600, 500
/// ~3 300). [`insert_rows`] now writes anonymous `?` placeholders on SQLite (see
/// [`Sql::for_connection`]), which the driver binds without that lookup; around 500 values the
/// per-statement overhead is amortised either way.
pub const MAX_BINDS: usize = 500;

/// The most rows one statement inserts, however narrow the rows.
const MAX_ROWS: usize = 1_000;

/// Creates counterparties and records their creation, as [`crate::counterparties::insert`] does for one;
/// returns their ids in the order of `rows`.
pub async fn insert_counterparties(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    rows: &[Counterparty],
) -> StoreResult<Vec<Uuid>> {
    let ids: Vec<Uuid> = rows.iter().map(|_| new_id()).collect();
    let now = now_text();

    let mut values = Vec::with_capacity(rows.len());
    for (id, data) in ids.iter().zip(rows) {
        let mut row = vec![
            Arg::Text(id.to_string()),
            Arg::Text(now.clone()),
            Arg::Text(now.clone()),
            Arg::Int(1),
        ];
        row.extend(crate::counterparties::field_values(data)?);
        values.push(row);
    }
    insert_rows(connection, COUNTERPARTY_INSERT, values).await?;

    let mut accounts = Vec::new();
    for (id, data) in ids.iter().zip(rows) {
        for (position, account) in data.bank_accounts.iter().enumerate() {
            accounts.push(vec![
                Arg::Text(new_id().to_string()),
                Arg::Text(id.to_string()),
                Arg::Int(position as i64),
                Arg::Text(account.bik.clone()),
                Arg::Text(account.bank_name.clone()),
                Arg::OptText(account.correspondent_account.clone()),
                Arg::Text(account.account.clone()),
            ]);
        }
    }
    insert_rows(
        connection,
        "INSERT INTO counterparty_bank_accounts (id, counterparty_id, position, bik, bank_name, \
         correspondent_account, account)",
        accounts,
    )
    .await?;

    let areas = crate::territories::areas(&mut *connection).await?;
    let mut terms = Vec::new();
    for (id, data) in ids.iter().zip(rows) {
        let sort_key = normalize(&data.name);
        let territory = data.territory_id.map(|id| id.to_string());
        let area = territory.as_ref().and_then(|id| areas.get(id)).cloned();
        for term in counterparty_terms(data) {
            terms.push(vec![
                Arg::Text(KIND.into()),
                Arg::Text(term),
                Arg::Text(sort_key.clone()),
                Arg::Text(id.to_string()),
                Arg::OptText(data.owner_id.map(|id| id.to_string())),
                Arg::OptText(territory.clone()),
                Arg::OptText(area.clone()),
            ]);
        }
    }
    insert_rows(connection, crate::search::POSTING_INSERT, terms).await?;

    let mut history = Vec::with_capacity(rows.len());
    for (id, data) in ids.iter().zip(rows) {
        let changes = diff(None, Some(data));
        if changes.is_empty() {
            continue;
        }
        let changes = serde_json::to_string(&changes).map_err(anyhow::Error::from)?;
        history.push(vec![
            Arg::Text(new_id().to_string()),
            Arg::Text(KIND.into()),
            Arg::Text(id.to_string()),
            // `history::Action::Create` as the change log spells it.
            Arg::Text("create".into()),
            Arg::OptText(user_id.map(|id| id.to_string())),
            Arg::Text(now.clone()),
            Arg::Text(changes),
        ]);
    }
    insert_rows(
        connection,
        "INSERT INTO change_log (id, record_kind, record_id, action, user_id, changed_at, changes)",
        history,
    )
    .await?;

    Ok(ids)
}

/// Creates products and records their creation, as [`crate::products::insert`] does for one,
/// except their search words: those are written afterwards by [`index_unindexed_products`], which a
/// bulk load calls after its last batch. Returns the ids in the order of `rows`. Codes must be free
/// (the database refuses duplicates).
///
/// Why later: a product has about ten words, each an entry at a random place of the search index.
/// Written with each batch of a thousand products, every commit rewrote most of the index's pages
/// (a 1C load of 100 000 products spent 40 of its 60 seconds there); written afterwards in key
/// order, each page is written about once.
pub async fn insert_products(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    rows: &[ferment_domain::catalog::Product],
) -> StoreResult<Vec<Uuid>> {
    let ids: Vec<Uuid> = rows.iter().map(|_| new_id()).collect();
    let now = now_text();
    let mut values = Vec::with_capacity(rows.len());
    let mut history = Vec::with_capacity(rows.len());
    for (id, data) in ids.iter().zip(rows) {
        let mut row = vec![
            Arg::Text(id.to_string()),
            Arg::Text(now.clone()),
            Arg::Text(now.clone()),
            Arg::Int(1),
        ];
        row.extend(crate::products::field_values(data));
        values.push(row);
        let changes =
            serde_json::to_string(&diff(None, Some(data))).map_err(anyhow::Error::from)?;
        history.push(vec![
            Arg::Text(new_id().to_string()),
            Arg::Text(crate::products::KIND.into()),
            Arg::Text(id.to_string()),
            Arg::Text("create".into()),
            Arg::OptText(user_id.map(|id| id.to_string())),
            Arg::Text(now.clone()),
            Arg::Text(changes),
        ]);
    }
    insert_rows(
        connection,
        &format!(
            "INSERT INTO products (id, created_at, updated_at, version, {})",
            crate::products::FIELD_NAMES
        ),
        values,
    )
    .await?;
    insert_rows(
        connection,
        "INSERT INTO change_log (id, record_kind, record_id, action, user_id, changed_at, changes)",
        history,
    )
    .await?;
    Ok(ids)
}

/// Writes the search words of up to `limit` live products that have none (those
/// [`insert_products`] created), as [`crate::products::insert`] would have, all sorted by the
/// index's key so that each index page is written about once. Returns how many products it
/// indexed: call it until that is less than `limit`.
pub async fn index_unindexed_products(
    connection: &mut AnyConnection,
    limit: usize,
) -> StoreResult<usize> {
    use sqlx::Row;
    let rows = sqlx::query(
        "SELECT p.id, p.code, p.article, p.name, p.name_sort FROM products p \
         WHERE p.deleted_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM search_terms t WHERE t.record_id = p.id) \
         ORDER BY p.id LIMIT $1",
    )
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(&mut *connection)
    .await?;
    let mut terms: Vec<(String, String, String)> = Vec::new();
    for row in &rows {
        let id: String = row.try_get("id")?;
        let sort_key: String = row.try_get("name_sort")?;
        let (code, article, name): (String, Option<String>, String) = (
            row.try_get("code")?,
            row.try_get("article")?,
            row.try_get("name")?,
        );
        let texts = crate::products::search_texts(&name, &code, article.as_deref());
        for term in crate::search::terms(&texts) {
            terms.push((term, sort_key.clone(), id.clone()));
        }
    }
    terms.sort_unstable();
    if connection.backend_name() == "SQLite" {
        // One bound JSON array per few thousand words: binding six values per word through the
        // driver cost more than SQLite's own inserting.
        for chunk in terms.chunks(5_000) {
            let array = serde_json::to_string(chunk).map_err(anyhow::Error::from)?;
            sqlx::query(
                "INSERT INTO search_terms (record_kind, term, sort_key, record_id, owner_id, territory_id) \
                 SELECT $1, value ->> 0, value ->> 1, value ->> 2, NULL, NULL FROM json_each($2)",
            )
            .bind(crate::products::KIND)
            .bind(array)
            .execute(&mut *connection)
            .await?;
        }
        return Ok(rows.len());
    }
    let values = terms
        .into_iter()
        .map(|(term, sort_key, id)| {
            vec![
                Arg::Text(crate::products::KIND.into()),
                Arg::Text(term),
                Arg::Text(sort_key),
                Arg::Text(id),
                Arg::OptText(None),
                Arg::OptText(None),
            ]
        })
        .collect();
    insert_rows(
        connection,
        "INSERT INTO search_terms (record_kind, term, sort_key, record_id, owner_id, territory_id)",
        values,
    )
    .await?;
    Ok(rows.len())
}

/// The counterparty columns, in the order of [`field_values`] (after id, times and version); the
/// same columns and values as `counterparties::insert` writes (tests/bulk.rs compares the two).
const COUNTERPARTY_INSERT: &str = "INSERT INTO counterparties (id, created_at, updated_at, version, \
    kind, name, name_sort, full_name, inn, kpp, ogrn, legal_address, actual_address, industry, segment, \
    territory_id, owner_id, phone, email, email_sort, site, tags, notes)";

/// The words a counterparty is found by: the same texts [`crate::counterparties::insert`] indexes (name,
/// full name, ИНН), each word once.
fn counterparty_terms(data: &Counterparty) -> Vec<String> {
    let texts = [
        data.name.as_str(),
        data.full_name.as_deref().unwrap_or(""),
        data.inn.as_deref().unwrap_or(""),
    ];
    crate::search::terms(&texts)
}

/// How many rows of `width` values one statement carries.
fn rows_per_statement(width: usize) -> usize {
    (MAX_BINDS / width.max(1)).clamp(1, MAX_ROWS)
}

/// Runs `head VALUES (…), (…), …` over `rows` (all of the same width), as few statements as the
/// bind limit allows.
pub async fn insert_rows(
    connection: &mut AnyConnection,
    head: &str,
    rows: Vec<Vec<Arg>>,
) -> StoreResult<()> {
    let Some(width) = rows.first().map(Vec::len) else {
        return Ok(());
    };
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut sql = Sql::for_connection(connection, head);
        sql.push(" VALUES ");
        for (index, row) in rows.by_ref().take(rows_per_statement(width)).enumerate() {
            debug_assert_eq!(row.len(), width, "every row of a bulk insert has one width");
            sql.push(if index == 0 { "(" } else { ", (" });
            for (column, value) in row.into_iter().enumerate() {
                if column > 0 {
                    sql.push(", ");
                }
                sql.bind(value);
            }
            sql.push(")");
        }
        sql.query().execute(&mut *connection).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_stay_under_both_bind_limits() {
        for width in [1, 3, 7, 23, 40, 100, 600] {
            let rows = rows_per_statement(width);
            assert!(rows >= 1);
            assert!(rows * width <= MAX_BINDS.max(width));
            assert!(rows * width < 32_766);
        }
        assert_eq!(rows_per_statement(23), 21);
        assert_eq!(rows_per_statement(1), 500);
    }
}
