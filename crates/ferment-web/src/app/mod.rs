//! Use cases: what a user does (create a counterparty, change a product, set stock). Page handlers
//! and API handlers both call these functions, which hold the access check and the transaction.
//!
//! **Invariant:** every use case asks `ferment_domain::access` before it reads or writes, and passes
//! the resulting scope to list queries, so pages and the API can never disagree about who sees what.

pub mod access_admin;
pub mod catalog;
pub mod company;
pub mod contacts;
pub mod counterparties;
pub mod documents;
pub mod exports;
pub mod leads;
pub mod onec;
pub mod pages_support;
pub mod process;
pub mod processes;
pub mod recipes;
pub mod sales;
pub mod tasks;
pub mod territories;
pub mod users;

use ferment_domain::access::{self, Operation, RecordFacts, RecordKind, Scope, SystemOp, Target};
use ferment_domain::validation::{FieldError, Problem};
use ferment_store::{Store, Tx};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// The store's connection type (what both a reader and a transaction dereference to), named
/// without depending on the database driver.
pub type Connection = <Tx as std::ops::Deref>::Target;

/// Checks one operation on a record (or on the kind as a whole); a refusal is noted for the audit
/// log (the auth layer writes it when the request ends).
pub fn check(
    user: &CurrentUser,
    kind: RecordKind,
    operation: Operation,
    target: Target<'_>,
    record_id: Option<Uuid>,
) -> AppResult<()> {
    access::decide(&user.actor, kind, operation, target).map_err(|denied| {
        user.note_refusal(serde_json::json!({
            "kind": kind.code(),
            "operation": operation.code(),
            "record_id": record_id,
            "reason": match denied {
                access::Denied::Invisible => "invisible",
                _ => "forbidden",
            },
        }));
        AppError::from(denied)
    })
}

/// Checks a system operation, noting a refusal for the audit log.
pub fn check_system(user: &CurrentUser, operation: SystemOp) -> AppResult<()> {
    access::decide_system(&user.actor, operation).map_err(|denied| {
        user.note_refusal(serde_json::json!({ "system": operation.code() }));
        AppError::from(denied)
    })
}

/// The facts access needs about a record with this owner and territory.
pub async fn facts(
    connection: &mut Connection,
    owner_id: Option<Uuid>,
    territory_id: Option<Uuid>,
) -> AppResult<RecordFacts> {
    Ok(ferment_store::access::facts(connection, owner_id, territory_id).await?)
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
