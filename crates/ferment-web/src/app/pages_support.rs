//! Read models the pages need beyond what the use cases give: the active process definition read
//! without a write transaction (for naming stages in lists), which stages a sale may skip now, and
//! whether the user may change a sale or a task (to offer the forms that change them, without
//! noting a refusal in the audit log for a button that is simply not shown).
//!
//! Each function takes a record the caller already read through its use case (so read access was
//! checked there) and decides nothing a use case does not decide again when the form is posted.

use std::sync::Arc;

use ferment_domain::access::{self, Operation, RecordKind, Target};
use ferment_domain::process::{Definition, default_definition, engine};
use ferment_store::Store;
use ferment_store::sales::SaleRecord;
use ferment_store::tasks::TaskRecord;

use super::facts;
use super::process::{SALES, definition};
use super::sales::{SaleView, engine_state};
use crate::auth::CurrentUser;
use crate::error::AppResult;

/// The definition new sales start on, for naming stages and tasks in lists: read only (the
/// shipped default until a version has been saved), so a list page never waits for a writer.
pub async fn active_definition(store: &Store) -> AppResult<Arc<Definition>> {
    let mut connection = store.reader().await?;
    match ferment_store::processes::active(&mut connection, SALES).await? {
        Some(row) => definition(&mut connection, row.id).await,
        None => Ok(Arc::new(default_definition())),
    }
}

/// The stages the sale may skip now, in display order (empty for a closed sale).
pub async fn sale_skips(store: &Store, view: &SaleView) -> AppResult<Vec<String>> {
    if view.sale.state.closed {
        return Ok(Vec::new());
    }
    let mut connection = store.reader().await?;
    let state = engine_state(&mut connection, &view.sale).await?;
    Ok(engine::allowed_skips(&view.definition, &state))
}

/// Whether the user may edit (move, change) the sale.
pub async fn may_edit_sale(
    store: &Store,
    user: &CurrentUser,
    sale: &SaleRecord,
) -> AppResult<bool> {
    let mut connection = store.reader().await?;
    let known = facts(&mut connection, sale.data.owner_id, sale.territory_id).await?;
    Ok(access::decide(
        &user.actor,
        RecordKind::Sale,
        Operation::Edit,
        Target::Existing(&known),
    )
    .is_ok())
}

/// Whether the user may edit (complete, cancel) each task, in order.
pub async fn may_edit_tasks(
    store: &Store,
    user: &CurrentUser,
    tasks: &[&TaskRecord],
) -> AppResult<Vec<bool>> {
    let mut connection = store.reader().await?;
    let mut answers = Vec::with_capacity(tasks.len());
    for task in tasks {
        let known = facts(&mut connection, task.assignee_id, task.territory_id).await?;
        answers.push(
            access::decide(
                &user.actor,
                RecordKind::Task,
                Operation::Edit,
                Target::Existing(&known),
            )
            .is_ok(),
        );
    }
    Ok(answers)
}

/// Whether the user may perform `operation` (`read`, `create`) on the sale's documents.
pub async fn may_documents(
    store: &Store,
    user: &CurrentUser,
    sale: &SaleRecord,
    operation: Operation,
) -> AppResult<bool> {
    let mut connection = store.reader().await?;
    let known = facts(&mut connection, sale.data.owner_id, sale.territory_id).await?;
    let target = if operation == Operation::Create {
        Target::New(&known)
    } else {
        Target::Existing(&known)
    };
    Ok(access::decide(&user.actor, RecordKind::Document, operation, target).is_ok())
}
