//! Territory use cases: the tree clients and users belong to. Every signed-in user reads it (it is
//! reference data: lists and forms name territories); changing it takes the `manage_users` system
//! operation, as it decides what territory-scoped users see.

use ferment_domain::access::SystemOp;
use ferment_domain::territory::{Territory, TerritoryInput};
use ferment_domain::validation::{FieldError, Problem};
use ferment_store::history::HistoryEntry;
use ferment_store::territories::{self, TerritoryRecord};
use ferment_store::{Store, StoreError, Tx, history};
use uuid::Uuid;

use super::{begin, check_system, commit};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// Checks a change of the tree.
fn check_change(user: &CurrentUser) -> AppResult<()> {
    check_system(user, SystemOp::ManageUsers)
}

/// The input that reproduces a territory.
pub fn input_of(data: &Territory) -> TerritoryInput {
    TerritoryInput {
        code: data.code.clone(),
        name: data.name.clone(),
        name_en: data.name_en.clone(),
        kind: data.kind.code().into(),
        parent_id: data.parent_id.map(|id| id.to_string()).unwrap_or_default(),
        tax_region: data.tax_region.clone().unwrap_or_default(),
    }
}

async fn check_rules(tx: &mut Tx, data: &Territory, except: Option<Uuid>) -> AppResult<()> {
    if let Some(parent_id) = data.parent_id {
        match territories::get(tx, parent_id).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => {
                return Err(AppError::Invalid(vec![FieldError::new(
                    "parent_id",
                    Problem::UnknownReference,
                )]));
            }
            Err(error) => return Err(error.into()),
        }
    }
    if let Some(existing) = territories::find_by_code(tx, &data.code).await?
        && Some(existing.record.meta.id) != except
    {
        return Err(AppError::Duplicate {
            field: "code",
            existing_id: existing.record.meta.id,
            existing_name: existing.record.data.name,
        });
    }
    Ok(())
}

/// Creates a territory.
pub async fn create(
    store: &Store,
    user: &CurrentUser,
    input: &TerritoryInput,
) -> AppResult<TerritoryRecord> {
    check_change(user)?;
    let data = input.validate()?;
    let mut tx = begin(store).await?;
    check_rules(&mut tx, &data, None).await?;
    let record = territories::insert(&mut tx, Some(user.actor.user_id), &data).await?;
    commit(tx).await?;
    Ok(record)
}

/// Reads a territory.
pub async fn get(store: &Store, _user: &CurrentUser, id: Uuid) -> AppResult<TerritoryRecord> {
    let mut connection = store.reader().await?;
    let record = territories::get(&mut connection, id).await?;
    Ok(record)
}

/// Changes a territory: `edit` turns the current input into the new one. Moving a territory moves
/// everything inside it; it can't be moved inside itself.
pub async fn update(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    version: i64,
    edit: impl FnOnce(TerritoryInput) -> Result<TerritoryInput, Vec<FieldError>>,
) -> AppResult<TerritoryRecord> {
    let mut tx = begin(store).await?;
    let current = territories::get(&mut tx, id).await?;
    check_change(user)?;
    let input = edit(input_of(&current.record.data))?;
    let data = input.validate()?;
    if current.record.meta.version != version {
        return Err(AppError::StaleVersion {
            current: current.record.meta.version,
        });
    }
    check_rules(&mut tx, &data, Some(id)).await?;
    let record = territories::update(&mut tx, Some(user.actor.user_id), id, version, &data).await?;
    commit(tx).await?;
    Ok(record)
}

/// Deletes (hides) a territory nothing refers to; with a `version`, only if it has not changed.
pub async fn delete(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    version: Option<i64>,
) -> AppResult<()> {
    let mut tx = begin(store).await?;
    let current = territories::get(&mut tx, id).await?;
    check_change(user)?;
    if let Some(version) = version
        && version != current.record.meta.version
    {
        return Err(AppError::StaleVersion {
            current: current.record.meta.version,
        });
    }
    if territories::in_use(&mut tx, id).await? {
        return Err(AppError::InUse);
    }
    territories::delete(&mut tx, Some(user.actor.user_id), id).await?;
    commit(tx).await
}

/// Every territory in tree order.
pub async fn list(store: &Store, _user: &CurrentUser) -> AppResult<Vec<TerritoryRecord>> {
    let mut connection = store.reader().await?;
    Ok(territories::list(&mut connection).await?)
}

/// A territory's change history.
pub async fn history(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<Vec<HistoryEntry>> {
    get(store, user, id).await?;
    let mut connection = store.reader().await?;
    Ok(history::list(&mut connection, id, 200).await?)
}
