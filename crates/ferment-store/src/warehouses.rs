//! Warehouses (including the office's sample store) and stock per warehouse and product.

use ferment_domain::catalog::{Warehouse, WarehouseKind};
use ferment_domain::text::normalize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::history::{self, Action};
use crate::{Meta, Record, StoreError, StoreResult, new_id, now_text, parse_id};

/// The kind name of warehouses in the history.
pub const KIND: &str = "warehouse";
/// The kind name of stock rows in the history.
pub const STOCK_KIND: &str = "stock";

const COLUMNS: &str = "id, version, created_at, updated_at, name, kind, address";

fn from_row(row: &AnyRow) -> StoreResult<Record<Warehouse>> {
    let kind: String = row.try_get("kind")?;
    Ok(Record {
        meta: Meta::from_row(row)?,
        data: Warehouse {
            name: row.try_get("name")?,
            kind: WarehouseKind::from_code(&kind)
                .ok_or_else(|| StoreError::Other(anyhow::anyhow!("bad warehouse kind {kind:?}")))?,
            address: row.try_get("address")?,
        },
    })
}

/// Reads a live warehouse.
pub async fn get(connection: &mut AnyConnection, id: Uuid) -> StoreResult<Record<Warehouse>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM warehouses WHERE id = $1 AND deleted_at IS NULL"
    )))
    .bind(id.to_string())
    .fetch_optional(connection)
    .await?
    .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

/// Every live warehouse, by name.
pub async fn list(connection: &mut AnyConnection) -> StoreResult<Vec<Record<Warehouse>>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM warehouses WHERE deleted_at IS NULL ORDER BY name_sort, id"
    )))
    .fetch_all(connection)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Creates a warehouse.
pub async fn insert(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    data: &Warehouse,
) -> StoreResult<Record<Warehouse>> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO warehouses (id, name, name_sort, kind, address, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, 1)",
    )
    .bind(id.to_string())
    .bind(&data.name)
    .bind(normalize(&data.name))
    .bind(data.kind.code())
    .bind(&data.address)
    .bind(now_text())
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

/// Changes a warehouse if its version is still `expected_version`.
pub async fn update(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
    expected_version: i64,
    data: &Warehouse,
) -> StoreResult<Record<Warehouse>> {
    let old = get(connection, id).await?;
    if old.meta.version != expected_version {
        return Err(StoreError::StaleVersion {
            current: old.meta.version,
        });
    }
    sqlx::query(
        "UPDATE warehouses SET name = $1, name_sort = $2, kind = $3, address = $4, updated_at = $5, version = version + 1 \
         WHERE id = $6",
    )
    .bind(&data.name)
    .bind(normalize(&data.name))
    .bind(data.kind.code())
    .bind(&data.address)
    .bind(now_text())
    .bind(id.to_string())
    .execute(&mut *connection)
    .await?;
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

/// Hides a warehouse.
pub async fn delete(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
) -> StoreResult<()> {
    let old = get(connection, id).await?;
    sqlx::query("UPDATE warehouses SET deleted_at = $1, updated_at = $1, version = version + 1 WHERE id = $2")
        .bind(now_text())
        .bind(id.to_string())
        .execute(&mut *connection)
        .await?;
    history::record_change::<Warehouse>(
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

/// The stock of one product in one warehouse.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StockLine {
    /// Warehouse.
    pub warehouse_id: Uuid,
    /// Warehouse name.
    pub warehouse_name: String,
    /// Warehouse kind.
    pub warehouse_kind: WarehouseKind,
    /// Product.
    pub product_id: Uuid,
    /// Product name.
    pub product_name: String,
    /// Product code.
    pub product_code: String,
    /// Quantity in thousandths of the unit.
    pub quantity: i64,
    /// When it was last set.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(serde::Serialize)]
struct StockState {
    quantity: String,
}

/// Sets the stock of a product in a warehouse and records the change.
pub async fn set_stock(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    warehouse_id: Uuid,
    product_id: Uuid,
    quantity: i64,
) -> StoreResult<StockLine> {
    let old = sqlx::query("SELECT quantity FROM stock WHERE warehouse_id = $1 AND product_id = $2")
        .bind(warehouse_id.to_string())
        .bind(product_id.to_string())
        .fetch_optional(&mut *connection)
        .await?
        .map(|row| row.try_get::<i64, _>("quantity"))
        .transpose()?;
    sqlx::query(
        "INSERT INTO stock (warehouse_id, product_id, quantity, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (warehouse_id, product_id) DO UPDATE SET quantity = excluded.quantity, updated_at = excluded.updated_at",
    )
    .bind(warehouse_id.to_string())
    .bind(product_id.to_string())
    .bind(quantity)
    .bind(now_text())
    .execute(&mut *connection)
    .await?;
    let state = |q: i64| StockState {
        quantity: ferment_domain::decimal::format_plain(q, ferment_domain::decimal::QUANTITY_SCALE),
    };
    let (old_state, new_state) = (old.map(state), state(quantity));
    let action = if old.is_some() {
        Action::Update
    } else {
        Action::Create
    };
    // The history of a stock line hangs on the product: that is where people look for it.
    history::record_change(
        connection,
        STOCK_KIND,
        product_id,
        action,
        user_id,
        old_state.as_ref(),
        Some(&new_state),
    )
    .await?;
    stock(connection, Some(warehouse_id), Some(product_id))
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)
}

/// Stock lines, optionally of one warehouse and/or one product, by warehouse then product name.
pub async fn stock(
    connection: &mut AnyConnection,
    warehouse_id: Option<Uuid>,
    product_id: Option<Uuid>,
) -> StoreResult<Vec<StockLine>> {
    let rows = sqlx::query(
        "SELECT s.warehouse_id, w.name AS warehouse_name, w.kind AS warehouse_kind, s.product_id, p.name AS product_name, \
         p.code AS product_code, s.quantity, s.updated_at FROM stock s \
         JOIN warehouses w ON w.id = s.warehouse_id JOIN products p ON p.id = s.product_id \
         WHERE w.deleted_at IS NULL AND p.deleted_at IS NULL AND ($1 = '' OR s.warehouse_id = $1) AND ($2 = '' OR s.product_id = $2) \
         ORDER BY w.name_sort, p.name_sort LIMIT 5000",
    )
    .bind(warehouse_id.map(|id| id.to_string()).unwrap_or_default())
    .bind(product_id.map(|id| id.to_string()).unwrap_or_default())
    .fetch_all(connection)
    .await?;
    rows.iter()
        .map(|row| {
            let kind: String = row.try_get("warehouse_kind")?;
            Ok(StockLine {
                warehouse_id: parse_id(&row.try_get::<String, _>("warehouse_id")?)?,
                warehouse_name: row.try_get("warehouse_name")?,
                warehouse_kind: WarehouseKind::from_code(&kind).unwrap_or(WarehouseKind::Warehouse),
                product_id: parse_id(&row.try_get::<String, _>("product_id")?)?,
                product_name: row.try_get("product_name")?,
                product_code: row.try_get("product_code")?,
                quantity: row.try_get("quantity")?,
                updated_at: crate::parse_time(&row.try_get::<String, _>("updated_at")?)?,
            })
        })
        .collect()
}

/// Where a product has stock: in an office sample store, in a shipping warehouse.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Presence {
    /// Some office sample store holds a positive quantity.
    pub in_office: bool,
    /// Some shipping warehouse holds a positive quantity.
    pub in_warehouse: bool,
}

/// Where each of `products` has stock (the samples stage decides its tasks by this).
pub async fn presence(
    connection: &mut AnyConnection,
    products: &[Uuid],
) -> StoreResult<std::collections::HashMap<Uuid, Presence>> {
    let mut found: std::collections::HashMap<Uuid, Presence> = std::collections::HashMap::new();
    if products.is_empty() {
        return Ok(found);
    }
    let mut sql = crate::sql::Sql::new(
        "SELECT s.product_id, w.kind FROM stock s JOIN warehouses w ON w.id = s.warehouse_id \
         WHERE w.deleted_at IS NULL AND s.quantity > 0 AND s.product_id IN (",
    );
    sql.bind_list(
        products
            .iter()
            .map(|id| crate::sql::Arg::Text(id.to_string())),
    )
    .push(")");
    for row in sql.query().fetch_all(connection).await? {
        let product = parse_id(&row.try_get::<String, _>("product_id")?)?;
        let kind: String = row.try_get("kind")?;
        let entry = found.entry(product).or_default();
        if kind == WarehouseKind::OfficeSamples.code() {
            entry.in_office = true;
        } else {
            entry.in_warehouse = true;
        }
    }
    Ok(found)
}

/// The stock of some warehouses: (warehouse, product) → quantity in thousandths.
pub async fn stock_of(
    connection: &mut AnyConnection,
    warehouse_ids: &[Uuid],
) -> StoreResult<std::collections::HashMap<(Uuid, Uuid), i64>> {
    let mut out = std::collections::HashMap::new();
    for warehouse in warehouse_ids {
        let rows: Vec<(String, i64)> =
            crate::sql::select_json(&mut *connection, "product_id, quantity", |sql| {
                sql.push(" FROM stock WHERE warehouse_id = ")
                    .bind_text(warehouse.to_string());
            })
            .await?;
        for (product_id, quantity) in rows {
            out.insert((*warehouse, crate::parse_id(&product_id)?), quantity);
        }
    }
    Ok(out)
}

/// Writes many stock lines at once (a stock list from 1C, which keeps their history itself).
pub async fn put_stock(
    connection: &mut AnyConnection,
    lines: &[(Uuid, Uuid, i64)],
) -> StoreResult<()> {
    let now = now_text();
    for chunk in lines.chunks(200) {
        let mut sql = crate::sql::Sql::for_connection(
            connection,
            "INSERT INTO stock (warehouse_id, product_id, quantity, updated_at) VALUES ",
        );
        for (index, (warehouse, product, quantity)) in chunk.iter().enumerate() {
            if index > 0 {
                sql.push(", ");
            }
            sql.push("(").bind_list([
                crate::sql::Arg::Text(warehouse.to_string()),
                crate::sql::Arg::Text(product.to_string()),
                crate::sql::Arg::Int(*quantity),
                crate::sql::Arg::Text(now.clone()),
            ]);
            sql.push(")");
        }
        sql.push(
            " ON CONFLICT (warehouse_id, product_id) DO UPDATE SET quantity = excluded.quantity, \
             updated_at = excluded.updated_at",
        );
        sql.query().execute(&mut *connection).await?;
    }
    Ok(())
}
