//! The nomenclature: product groups (a tree) and products.

use ferment_domain::catalog::{Product, ProductGroup, Unit};
use ferment_domain::text::normalize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};
use uuid::Uuid;

use crate::history::{self, Action};
use crate::list::{Cursor, Page};
use crate::sql::{Arg, Sql};
use crate::{
    Meta, Record, StoreError, StoreResult, new_id, now_text, parse_id, parse_optional_id, search,
};

/// The kind name of products in the history and the search index.
pub const KIND: &str = "product";
/// The kind name of product groups in the history.
pub const GROUP_KIND: &str = "product_group";

const COLUMNS: &str = "p.id, p.version, p.created_at, p.updated_at, p.code, p.article, p.name, p.unit, p.group_id, \
    p.vat_rate, p.price, p.currency, p.needs_sample, p.description";

fn from_row(row: &AnyRow) -> StoreResult<Record<Product>> {
    let unit: String = row.try_get("unit")?;
    Ok(Record {
        meta: Meta::from_row(row)?,
        data: Product {
            code: row.try_get("code")?,
            article: row.try_get("article")?,
            name: row.try_get("name")?,
            unit: Unit::from_code(&unit)
                .ok_or_else(|| StoreError::Other(anyhow::anyhow!("bad unit {unit:?}")))?,
            group_id: parse_optional_id(row.try_get::<Option<String>, _>("group_id")?.as_deref())?,
            vat_rate: row.try_get("vat_rate")?,
            price: row.try_get("price")?,
            currency: row.try_get("currency")?,
            needs_sample: row.try_get::<i64, _>("needs_sample")? != 0,
            description: row.try_get("description")?,
        },
    })
}

/// Reads a live product.
pub async fn get(connection: &mut AnyConnection, id: Uuid) -> StoreResult<Record<Product>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM products p WHERE p.id = $1 AND p.deleted_at IS NULL"
    )))
    .bind(id.to_string())
    .fetch_optional(connection)
    .await?
    .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

/// A live product with this code, other than `except`.
pub async fn find_by_code(
    connection: &mut AnyConnection,
    code: &str,
    except: Option<Uuid>,
) -> StoreResult<Option<(Uuid, String)>> {
    let row = sqlx::query(
        "SELECT id, name FROM products WHERE code = $1 AND deleted_at IS NULL AND id <> $2",
    )
    .bind(code)
    .bind(except.map(|id| id.to_string()).unwrap_or_default())
    .fetch_optional(connection)
    .await?;
    row.map(|row| {
        Ok((
            parse_id(&row.try_get::<String, _>("id")?)?,
            row.try_get("name")?,
        ))
    })
    .transpose()
}

/// A product's column values, in the order of [`FIELD_NAMES`] (the bulk loader writes the same).
pub(crate) fn field_values(data: &Product) -> [Arg; 11] {
    [
        Arg::Text(data.code.clone()),
        Arg::OptText(data.article.clone()),
        Arg::Text(data.name.clone()),
        Arg::Text(normalize(&data.name)),
        Arg::Text(data.unit.code().into()),
        Arg::OptText(data.group_id.map(|id| id.to_string())),
        Arg::Int(data.vat_rate),
        Arg::Int(data.price),
        Arg::Text(data.currency.clone()),
        Arg::Int(i64::from(data.needs_sample)),
        Arg::OptText(data.description.clone()),
    ]
}

fn bind_product(sql: &mut Sql, data: &Product) {
    sql.bind_list(field_values(data));
}

/// The product columns besides id, times and version.
pub(crate) const FIELD_NAMES: &str = "code, article, name, name_sort, unit, group_id, vat_rate, price, currency, needs_sample, description";

/// The texts a product is found by: its name, code and article.
pub(crate) fn search_texts<'a>(
    name: &'a str,
    code: &'a str,
    article: Option<&'a str>,
) -> [&'a str; 3] {
    [name, code, article.unwrap_or("")]
}

async fn index(connection: &mut AnyConnection, id: Uuid, data: &Product) -> StoreResult<()> {
    let texts = search_texts(&data.name, &data.code, data.article.as_deref());
    search::index(
        connection,
        KIND,
        id,
        search::Posting {
            sort_key: &normalize(&data.name),
            ..Default::default()
        },
        &texts,
    )
    .await
}

/// Creates a product.
pub async fn insert(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    data: &Product,
) -> StoreResult<Record<Product>> {
    let id = new_id();
    let now = now_text();
    let mut sql = Sql::new("INSERT INTO products (id, created_at, updated_at, version, ");
    sql.push(FIELD_NAMES)
        .push(") VALUES (")
        .bind_text(id.to_string())
        .push(", ")
        .bind_text(now.clone());
    sql.push(", ").bind_text(now).push(", 1, ");
    bind_product(&mut sql, data);
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

/// Changes a product if its version is still `expected_version`.
pub async fn update(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
    expected_version: i64,
    data: &Product,
) -> StoreResult<Record<Product>> {
    let old = get(connection, id).await?;
    if old.meta.version != expected_version {
        return Err(StoreError::StaleVersion {
            current: old.meta.version,
        });
    }
    let mut sql = Sql::new("UPDATE products SET (");
    sql.push(FIELD_NAMES).push(") = (");
    bind_product(&mut sql, data);
    sql.push("), version = version + 1, updated_at = ")
        .bind_text(now_text());
    sql.push(" WHERE id = ").bind_text(id.to_string());
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

/// Hides a product.
pub async fn delete(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
) -> StoreResult<()> {
    let old = get(connection, id).await?;
    sqlx::query(
        "UPDATE products SET deleted_at = $1, updated_at = $1, version = version + 1 WHERE id = $2",
    )
    .bind(now_text())
    .bind(id.to_string())
    .execute(&mut *connection)
    .await?;
    search::remove(connection, id).await?;
    history::record_change::<Product>(
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

/// Filters of a product list.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Words of the name, code or article.
    pub q: Option<String>,
    /// Only this group and its subgroups.
    pub group_id: Option<Uuid>,
    /// Only products that need (or don't need) a sample.
    pub needs_sample: Option<bool>,
    /// Continue after this row.
    pub cursor: Option<Cursor>,
    /// Page size.
    pub limit: i64,
}

/// A product as a list shows it.
#[derive(Debug, Clone)]
pub struct ListRow {
    /// The product.
    pub record: Record<Product>,
    /// Its group's name.
    pub group_name: Option<String>,
}

/// One page of products, by name.
pub async fn list(connection: &mut AnyConnection, query: &ListQuery) -> StoreResult<Page<ListRow>> {
    let mut sql = Sql::new("SELECT ");
    sql.push(COLUMNS).push(", p.name_sort, g.name AS group_name FROM products p LEFT JOIN product_groups g ON g.id = p.group_id WHERE p.deleted_at IS NULL");
    if let Some(q) = query.q.as_deref().filter(|q| !q.trim().is_empty()) {
        search::push_match(&mut sql, KIND, "p.id", q);
    }
    if let Some(group) = query.group_id {
        sql.push(" AND (p.group_id = ").bind_text(group.to_string());
        sql.push(" OR p.group_id IN (SELECT id FROM product_groups WHERE parent_id = ")
            .bind_text(group.to_string())
            .push("))");
    }
    if let Some(needs) = query.needs_sample {
        sql.push(" AND p.needs_sample = ")
            .bind(Arg::Int(i64::from(needs)));
    }
    if let Some(cursor) = &query.cursor {
        sql.push(" AND (p.name_sort, p.id) > (")
            .bind_text(cursor.value.clone())
            .push(", ")
            .bind_text(cursor.id.clone())
            .push(")");
    }
    sql.push(" ORDER BY p.name_sort, p.id LIMIT ")
        .push_count(query.limit + 1);
    let rows = sql.query().fetch_all(connection).await?;
    let mut items = Vec::new();
    let mut last = None;
    for row in rows.iter().take(query.limit as usize) {
        let record = from_row(row)?;
        last = Some(Cursor {
            value: row.try_get("name_sort")?,
            id: record.meta.id.to_string(),
        });
        items.push(ListRow {
            record,
            group_name: row.try_get("group_name")?,
        });
    }
    let next_cursor = if rows.len() as i64 > query.limit {
        last.map(|c| c.encode())
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// Every live product group, by name.
pub async fn list_groups(connection: &mut AnyConnection) -> StoreResult<Vec<Record<ProductGroup>>> {
    let rows = sqlx::query(
        "SELECT id, version, created_at, updated_at, name, parent_id FROM product_groups WHERE deleted_at IS NULL ORDER BY name",
    )
    .fetch_all(connection)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Record {
                meta: Meta::from_row(row)?,
                data: ProductGroup {
                    name: row.try_get("name")?,
                    parent_id: parse_optional_id(
                        row.try_get::<Option<String>, _>("parent_id")?.as_deref(),
                    )?,
                },
            })
        })
        .collect()
}

/// Whether a live product group exists.
pub async fn group_exists(connection: &mut AnyConnection, id: Uuid) -> StoreResult<bool> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM product_groups WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id.to_string())
    .fetch_one(connection)
    .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// Creates a product group.
pub async fn insert_group(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    data: &ProductGroup,
) -> StoreResult<Uuid> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO product_groups (id, name, parent_id, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $4, 1)",
    )
    .bind(id.to_string())
    .bind(&data.name)
    .bind(data.parent_id.map(|id| id.to_string()))
    .bind(now_text())
    .execute(&mut *connection)
    .await?;
    history::record_change(
        connection,
        GROUP_KIND,
        id,
        Action::Create,
        user_id,
        None,
        Some(data),
    )
    .await?;
    Ok(id)
}

/// A live product with this article.
pub async fn find_by_article(
    connection: &mut AnyConnection,
    article: &str,
) -> StoreResult<Option<Uuid>> {
    let row = sqlx::query(
        "SELECT id FROM products WHERE article = $1 AND deleted_at IS NULL ORDER BY created_at LIMIT 1",
    )
    .bind(article)
    .fetch_optional(connection)
    .await?;
    row.map(|row| parse_id(&row.try_get::<String, _>("id")?))
        .transpose()
}

/// The base price of every live product (kopecks), for comparing with a price list.
pub async fn all_prices(
    connection: &mut AnyConnection,
) -> StoreResult<std::collections::HashMap<Uuid, i64>> {
    let rows: Vec<(String, i64)> = crate::sql::select_json(connection, "id, price", |sql| {
        sql.push(" FROM products WHERE deleted_at IS NULL");
    })
    .await?;
    rows.into_iter()
        .map(|(id, price)| Ok((parse_id(&id)?, price)))
        .collect()
}

/// Sets a product's base price and records the change.
pub async fn set_price(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
    price: i64,
) -> StoreResult<()> {
    let old = get(connection, id).await?;
    if old.data.price == price {
        return Ok(());
    }
    sqlx::query(
        "UPDATE products SET price = $1, updated_at = $2, version = version + 1 WHERE id = $3",
    )
    .bind(price)
    .bind(now_text())
    .bind(id.to_string())
    .execute(&mut *connection)
    .await?;
    let new = Product {
        price,
        ..old.data.clone()
    };
    history::record_change(
        connection,
        KIND,
        id,
        Action::Update,
        user_id,
        Some(&old.data),
        Some(&new),
    )
    .await
}

/// Renames or moves a product group and records the change.
pub async fn update_group(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
    data: &ProductGroup,
) -> StoreResult<()> {
    let row = sqlx::query(
        "SELECT name, parent_id FROM product_groups WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *connection)
    .await?
    .ok_or(StoreError::NotFound)?;
    let old = ProductGroup {
        name: row.try_get("name")?,
        parent_id: parse_optional_id(row.try_get::<Option<String>, _>("parent_id")?.as_deref())?,
    };
    if &old == data {
        return Ok(());
    }
    sqlx::query(
        "UPDATE product_groups SET name = $1, parent_id = $2, updated_at = $3, version = version + 1 WHERE id = $4",
    )
    .bind(&data.name)
    .bind(data.parent_id.map(|id| id.to_string()))
    .bind(now_text())
    .bind(id.to_string())
    .execute(&mut *connection)
    .await?;
    history::record_change(
        connection,
        GROUP_KIND,
        id,
        Action::Update,
        user_id,
        Some(&old),
        Some(data),
    )
    .await
}

/// Every live product's id, code and article (to match many incoming products at once).
pub async fn codes(
    connection: &mut AnyConnection,
) -> StoreResult<Vec<(Uuid, String, Option<String>)>> {
    let rows: Vec<(String, String, Option<String>)> =
        crate::sql::select_json(connection, "id, code, article", |sql| {
            sql.push(" FROM products WHERE deleted_at IS NULL");
        })
        .await?;
    rows.into_iter()
        .map(|(id, code, article)| Ok((parse_id(&id)?, code, article)))
        .collect()
}
