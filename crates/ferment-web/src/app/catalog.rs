//! Catalog use cases: products and their group tree, warehouses, and stock per warehouse and product.
//!
//! Products and warehouses have no owner or territory: access is decided for the kind as a whole
//! (the facts passed are empty), and a list is either shown in full or not at all.

use ferment_domain::access::{Operation, RecordFacts, RecordKind, Scope, Target};
use ferment_domain::catalog::{
    Product, ProductGroup, ProductInput, Warehouse, WarehouseInput, parse_quantity,
};
use ferment_domain::counterparty::{SHORT_MAX, optional_id};
use ferment_domain::validation::{Errors, FieldError, Problem, required_text};
use ferment_store::history::HistoryEntry;
use ferment_store::list::Page;
use ferment_store::warehouses::StockLine;
use ferment_store::{Record, Store, Tx, history, products, warehouses};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{begin, check, commit, scope};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

const PRODUCT: RecordKind = RecordKind::Product;
const WAREHOUSE: RecordKind = RecordKind::Warehouse;

/// The store's connection type (what both a reader and a transaction dereference to).
type Connection = <Tx as std::ops::Deref>::Target;

/// A product with the name of its group, as pages and the API show it.
pub type ProductView = products::ListRow;

/// Catalog records have no owner or territory: only the `all` level reaches them.
static BARE: RecordFacts = RecordFacts {
    owner_id: None,
    owner_department_id: None,
    territory_path: None,
};

fn stale_unless(expected: Option<i64>, current: i64) -> AppResult<()> {
    match expected {
        Some(expected) if expected != current => Err(AppError::StaleVersion { current }),
        _ => Ok(()),
    }
}

fn empty_page<T>() -> Page<T> {
    Page {
        items: Vec::new(),
        next_cursor: None,
    }
}

async fn group_name(
    connection: &mut Connection,
    group_id: Option<Uuid>,
) -> AppResult<Option<String>> {
    let Some(group_id) = group_id else {
        return Ok(None);
    };
    Ok(products::list_groups(connection)
        .await?
        .into_iter()
        .find(|group| group.meta.id == group_id)
        .map(|group| group.data.name))
}

async fn view(connection: &mut Connection, record: Record<Product>) -> AppResult<ProductView> {
    let group_name = group_name(connection, record.data.group_id).await?;
    Ok(ProductView { record, group_name })
}

async fn check_product_rules(tx: &mut Tx, data: &Product, except: Option<Uuid>) -> AppResult<()> {
    if let Some(group_id) = data.group_id
        && !products::group_exists(tx, group_id).await?
    {
        return Err(AppError::Invalid(vec![FieldError::new(
            "group_id",
            Problem::UnknownReference,
        )]));
    }
    if let Some((existing_id, existing_name)) =
        products::find_by_code(tx, &data.code, except).await?
    {
        return Err(AppError::Duplicate {
            field: "code",
            existing_id,
            existing_name,
        });
    }
    Ok(())
}

/// Creates a product.
pub async fn create_product(
    store: &Store,
    user: &CurrentUser,
    input: &ProductInput,
) -> AppResult<ProductView> {
    check(user, PRODUCT, Operation::Create, Target::New(&BARE), None)?;
    let data = input.validate()?;
    let mut tx = begin(store).await?;
    check_product_rules(&mut tx, &data, None).await?;
    let record = products::insert(&mut tx, Some(user.actor.user_id), &data).await?;
    let view = view(&mut tx, record).await?;
    commit(tx).await?;
    Ok(view)
}

/// Reads a product.
pub async fn get_product(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<ProductView> {
    let mut connection = store.reader().await?;
    let record = products::get(&mut connection, id).await?;
    check(
        user,
        PRODUCT,
        Operation::Read,
        Target::Existing(&BARE),
        Some(id),
    )?;
    view(&mut connection, record).await
}

/// Changes a product: `edit` turns the current input into the new one.
pub async fn update_product(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    version: i64,
    edit: impl FnOnce(ProductInput) -> Result<ProductInput, Vec<FieldError>>,
) -> AppResult<ProductView> {
    let mut tx = begin(store).await?;
    let current = products::get(&mut tx, id).await?;
    check(
        user,
        PRODUCT,
        Operation::Edit,
        Target::Existing(&BARE),
        Some(id),
    )?;
    let input = edit(ProductInput::from(&current.data))?;
    let data = input.validate()?;
    stale_unless(Some(version), current.meta.version)?;
    check_product_rules(&mut tx, &data, Some(id)).await?;
    let record = products::update(&mut tx, Some(user.actor.user_id), id, version, &data).await?;
    let view = view(&mut tx, record).await?;
    commit(tx).await?;
    Ok(view)
}

/// Deletes (hides) a product; with a `version`, only if it has not changed since.
pub async fn delete_product(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    version: Option<i64>,
) -> AppResult<()> {
    let mut tx = begin(store).await?;
    let current = products::get(&mut tx, id).await?;
    check(
        user,
        PRODUCT,
        Operation::Delete,
        Target::Existing(&BARE),
        Some(id),
    )?;
    stale_unless(version, current.meta.version)?;
    products::delete(&mut tx, Some(user.actor.user_id), id).await?;
    commit(tx).await
}

/// A page of products (empty for a user who may not read the catalog).
pub async fn list_products(
    store: &Store,
    user: &CurrentUser,
    query: &products::ListQuery,
) -> AppResult<Page<ProductView>> {
    if scope(user, PRODUCT) != Scope::All {
        return Ok(empty_page());
    }
    let mut connection = store.reader().await?;
    Ok(products::list(&mut connection, query).await?)
}

/// A product's change history, its stock changes included.
pub async fn product_history(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
) -> AppResult<Vec<HistoryEntry>> {
    get_product(store, user, id).await?;
    let mut connection = store.reader().await?;
    Ok(history::list(&mut connection, id, 200).await?)
}

/// A product group as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductGroupInput {
    /// Name.
    pub name: String,
    /// Parent group id.
    pub parent_id: String,
}

impl ProductGroupInput {
    /// Checks every field.
    pub fn validate(&self) -> Result<ProductGroup, Vec<FieldError>> {
        let mut errors = Errors::new();
        let name = errors.take("name", required_text(&self.name, SHORT_MAX));
        let parent_id = errors
            .take("parent_id", optional_id(&self.parent_id))
            .flatten();
        let Some(name) = name else {
            return Err(errors.into_vec());
        };
        errors.finish(ProductGroup { name, parent_id })
    }
}

/// Every product group, by name (empty for a user who may not read the catalog).
pub async fn list_groups(
    store: &Store,
    user: &CurrentUser,
) -> AppResult<Vec<Record<ProductGroup>>> {
    if scope(user, PRODUCT) != Scope::All {
        return Ok(Vec::new());
    }
    let mut connection = store.reader().await?;
    Ok(products::list_groups(&mut connection).await?)
}

/// Creates a product group; its parent must exist.
pub async fn create_group(
    store: &Store,
    user: &CurrentUser,
    input: &ProductGroupInput,
) -> AppResult<Record<ProductGroup>> {
    check(user, PRODUCT, Operation::Create, Target::New(&BARE), None)?;
    let data = input.validate()?;
    let mut tx = begin(store).await?;
    if let Some(parent_id) = data.parent_id
        && !products::group_exists(&mut tx, parent_id).await?
    {
        return Err(AppError::Invalid(vec![FieldError::new(
            "parent_id",
            Problem::UnknownReference,
        )]));
    }
    let id = products::insert_group(&mut tx, Some(user.actor.user_id), &data).await?;
    let record = products::list_groups(&mut tx)
        .await?
        .into_iter()
        .find(|group| group.meta.id == id)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a new product group vanished")))?;
    commit(tx).await?;
    Ok(record)
}

/// Creates a warehouse.
pub async fn create_warehouse(
    store: &Store,
    user: &CurrentUser,
    input: &WarehouseInput,
) -> AppResult<Record<Warehouse>> {
    check(user, WAREHOUSE, Operation::Create, Target::New(&BARE), None)?;
    let data = input.validate()?;
    let mut tx = begin(store).await?;
    let record = warehouses::insert(&mut tx, Some(user.actor.user_id), &data).await?;
    commit(tx).await?;
    Ok(record)
}

/// Reads a warehouse.
pub async fn get_warehouse(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
) -> AppResult<Record<Warehouse>> {
    let mut connection = store.reader().await?;
    let record = warehouses::get(&mut connection, id).await?;
    check(
        user,
        WAREHOUSE,
        Operation::Read,
        Target::Existing(&BARE),
        Some(id),
    )?;
    Ok(record)
}

/// Changes a warehouse: `edit` turns the current input into the new one.
pub async fn update_warehouse(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    version: i64,
    edit: impl FnOnce(WarehouseInput) -> Result<WarehouseInput, Vec<FieldError>>,
) -> AppResult<Record<Warehouse>> {
    let mut tx = begin(store).await?;
    let current = warehouses::get(&mut tx, id).await?;
    check(
        user,
        WAREHOUSE,
        Operation::Edit,
        Target::Existing(&BARE),
        Some(id),
    )?;
    let input = edit(warehouse_input(&current.data))?;
    let data = input.validate()?;
    stale_unless(Some(version), current.meta.version)?;
    let record = warehouses::update(&mut tx, Some(user.actor.user_id), id, version, &data).await?;
    commit(tx).await?;
    Ok(record)
}

/// The input that reproduces a warehouse.
pub fn warehouse_input(data: &Warehouse) -> WarehouseInput {
    WarehouseInput {
        name: data.name.clone(),
        kind: data.kind.code().into(),
        address: data.address.clone().unwrap_or_default(),
    }
}

/// Deletes (hides) a warehouse; with a `version`, only if it has not changed since. Its stock lines
/// stop showing with it.
pub async fn delete_warehouse(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    version: Option<i64>,
) -> AppResult<()> {
    let mut tx = begin(store).await?;
    let current = warehouses::get(&mut tx, id).await?;
    check(
        user,
        WAREHOUSE,
        Operation::Delete,
        Target::Existing(&BARE),
        Some(id),
    )?;
    stale_unless(version, current.meta.version)?;
    warehouses::delete(&mut tx, Some(user.actor.user_id), id).await?;
    commit(tx).await
}

/// Every warehouse, by name (empty for a user who may not read warehouses).
pub async fn list_warehouses(
    store: &Store,
    user: &CurrentUser,
) -> AppResult<Vec<Record<Warehouse>>> {
    if scope(user, WAREHOUSE) != Scope::All {
        return Ok(Vec::new());
    }
    let mut connection = store.reader().await?;
    Ok(warehouses::list(&mut connection).await?)
}

/// A warehouse's change history.
pub async fn warehouse_history(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
) -> AppResult<Vec<HistoryEntry>> {
    get_warehouse(store, user, id).await?;
    let mut connection = store.reader().await?;
    Ok(history::list(&mut connection, id, 200).await?)
}

/// The stock lines of a warehouse.
pub async fn warehouse_stock(
    store: &Store,
    user: &CurrentUser,
    warehouse_id: Uuid,
) -> AppResult<Vec<StockLine>> {
    get_warehouse(store, user, warehouse_id).await?;
    let mut connection = store.reader().await?;
    Ok(warehouses::stock(&mut connection, Some(warehouse_id), None).await?)
}

/// The stock of a product in every warehouse the user may see.
pub async fn product_stock(
    store: &Store,
    user: &CurrentUser,
    product_id: Uuid,
) -> AppResult<Vec<StockLine>> {
    get_product(store, user, product_id).await?;
    if scope(user, WAREHOUSE) != Scope::All {
        return Ok(Vec::new());
    }
    let mut connection = store.reader().await?;
    Ok(warehouses::stock(&mut connection, None, Some(product_id)).await?)
}

/// Sets the stock of a product in a warehouse from the quantity as typed (`"12,5"` or `"12.5"`).
/// An unknown warehouse or product is not found; a bad quantity is an error on `quantity`.
pub async fn set_stock(
    store: &Store,
    user: &CurrentUser,
    warehouse_id: Uuid,
    product_id: Uuid,
    quantity: &str,
) -> AppResult<StockLine> {
    let mut tx = begin(store).await?;
    warehouses::get(&mut tx, warehouse_id).await?;
    check(
        user,
        WAREHOUSE,
        Operation::Edit,
        Target::Existing(&BARE),
        Some(warehouse_id),
    )?;
    products::get(&mut tx, product_id).await?;
    check(
        user,
        PRODUCT,
        Operation::Read,
        Target::Existing(&BARE),
        Some(product_id),
    )?;
    let quantity = parse_quantity(quantity).map_err(|error| AppError::Invalid(vec![error]))?;
    let line = warehouses::set_stock(
        &mut tx,
        Some(user.actor.user_id),
        warehouse_id,
        product_id,
        quantity,
    )
    .await?;
    commit(tx).await?;
    Ok(line)
}
