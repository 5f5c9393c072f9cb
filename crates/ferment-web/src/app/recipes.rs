//! Recipe use cases. Recipes belong to the knowledge base with the nomenclature, so access follows
//! the `product` rights: whoever may read products reads recipes, whoever may create or edit
//! products maintains recipes.

use ferment_domain::access::{Operation, RecordFacts, RecordKind, Target};
use ferment_domain::recipe::{Recipe, RecipeInput};
use ferment_domain::validation::{FieldError, Problem};
use ferment_store::history::HistoryEntry;
use ferment_store::list::{Cursor, Page};
use ferment_store::{Record, Store, Tx, counterparties, history, products, recipes};
use uuid::Uuid;

use super::{begin, check, commit};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

const KIND: RecordKind = RecordKind::Product;

static BARE: RecordFacts = RecordFacts {
    owner_id: None,
    owner_department_id: None,
    territory_path: None,
};

async fn check_references(tx: &mut Tx, recipe: &Recipe) -> AppResult<()> {
    let mut errors = Vec::new();
    if let Some(id) = recipe.counterparty_id
        && matches!(
            counterparties::get(tx, id).await,
            Err(ferment_store::StoreError::NotFound)
        )
    {
        errors.push(FieldError::new(
            "counterparty_id",
            Problem::UnknownReference,
        ));
    }
    for (index, component) in recipe.composition.iter().enumerate() {
        if matches!(
            products::get(tx, component.product_id).await,
            Err(ferment_store::StoreError::NotFound)
        ) {
            errors.push(FieldError::new(
                format!("composition[{index}].product_id"),
                Problem::UnknownReference,
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Creates a recipe.
pub async fn create(
    store: &Store,
    user: &CurrentUser,
    input: &RecipeInput,
) -> AppResult<Record<Recipe>> {
    check(user, KIND, Operation::Create, Target::New(&BARE), None)?;
    let recipe = input.validate()?;
    let mut tx = begin(store).await?;
    check_references(&mut tx, &recipe).await?;
    let record = recipes::insert(&mut tx, Some(user.actor.user_id), &recipe).await?;
    commit(tx).await?;
    Ok(record)
}

/// Reads a recipe.
pub async fn get(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<Record<Recipe>> {
    let mut connection = store.reader().await?;
    let record = recipes::get(&mut connection, id).await?;
    check(
        user,
        KIND,
        Operation::Read,
        Target::Existing(&BARE),
        Some(id),
    )?;
    Ok(record)
}

/// Changes a recipe.
pub async fn update(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    version: i64,
    edit: impl FnOnce(RecipeInput) -> Result<RecipeInput, Vec<FieldError>>,
) -> AppResult<Record<Recipe>> {
    let mut tx = begin(store).await?;
    let current = recipes::get(&mut tx, id).await?;
    check(
        user,
        KIND,
        Operation::Edit,
        Target::Existing(&BARE),
        Some(id),
    )?;
    let recipe = edit(RecipeInput::from(&current.data))?.validate()?;
    check_references(&mut tx, &recipe).await?;
    let record = recipes::update(&mut tx, Some(user.actor.user_id), id, version, &recipe).await?;
    commit(tx).await?;
    Ok(record)
}

/// Deletes (hides) a recipe.
pub async fn delete(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<()> {
    let mut tx = begin(store).await?;
    recipes::get(&mut tx, id).await?;
    check(
        user,
        KIND,
        Operation::Delete,
        Target::Existing(&BARE),
        Some(id),
    )?;
    recipes::delete(&mut tx, Some(user.actor.user_id), id).await?;
    commit(tx).await
}

/// A page of recipes.
pub async fn list(
    store: &Store,
    user: &CurrentUser,
    q: Option<&str>,
    cursor: Option<&Cursor>,
    limit: i64,
) -> AppResult<Page<Record<Recipe>>> {
    check(user, KIND, Operation::Read, Target::Kind, None)?;
    let mut connection = store.reader().await?;
    Ok(recipes::list(&mut connection, q, cursor, limit).await?)
}

/// A recipe's change history.
pub async fn history(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<Vec<HistoryEntry>> {
    let mut connection = store.reader().await?;
    recipes::get(&mut connection, id).await?;
    check(
        user,
        KIND,
        Operation::Read,
        Target::Existing(&BARE),
        Some(id),
    )?;
    Ok(history::list(&mut connection, id, 500).await?)
}
