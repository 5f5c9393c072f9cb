//! Use cases: what a user does (create a counterparty, change a product, set stock). Page handlers
//! and API handlers both call these functions, which hold the access check and the transaction.
//!
//! **Invariant:** every use case asks `ferment_domain::access` before it reads or writes, and passes
//! the resulting scope to list queries, so pages and the API can never disagree about who sees what.

pub mod catalog;
pub mod contacts;
pub mod counterparties;
pub mod territories;
pub mod users;

use ferment_domain::access::{self, Operation, RecordFacts, RecordKind, Scope};
use ferment_domain::validation::{FieldError, Problem};
use ferment_store::{Store, Tx};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// Checks one operation on one record (`None` for a creation).
pub fn check(
    user: &CurrentUser,
    kind: RecordKind,
    operation: Operation,
    record: Option<(Uuid, RecordFacts)>,
) -> AppResult<()> {
    access::decide(&user.actor, kind, operation, record).map_err(AppError::from)
}

/// The scope a list of `kind` is filtered by.
pub fn scope(user: &CurrentUser, kind: RecordKind) -> Scope {
    access::list_scope(&user.actor, kind, Operation::Read)
}

/// Commits a transaction.
pub async fn commit(tx: Tx) -> AppResult<()> {
    tx.commit().await.map_err(|e| AppError::Internal(e.into()))
}

/// Starts a transaction.
pub async fn begin(store: &Store) -> AppResult<Tx> {
    Ok(store.begin().await?)
}

/// Checks that referenced records exist, adding `UnknownReference` for each that doesn't.
pub async fn check_references(
    tx: &mut Tx,
    territory: Option<(&str, Uuid)>,
    owner: Option<(&str, Uuid)>,
) -> AppResult<()> {
    let mut errors: Vec<FieldError> = Vec::new();
    if let Some((field, id)) = territory
        && matches!(
            ferment_store::territories::get(tx, id).await,
            Err(ferment_store::StoreError::NotFound)
        )
    {
        errors.push(FieldError::new(field, Problem::UnknownReference));
    }
    if let Some((field, id)) = owner
        && matches!(
            ferment_store::users::get(tx, id).await,
            Err(ferment_store::StoreError::NotFound)
        )
    {
        errors.push(FieldError::new(field, Problem::UnknownReference));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}
