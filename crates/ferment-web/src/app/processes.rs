//! Process definition use cases: read the active definition and its versions, check a draft, save
//! a new version (the `edit_process` right). Running sales keep the version they started on.

use std::sync::Arc;

use ferment_domain::access::SystemOp;
use ferment_domain::process::{Definition, DefinitionError};
use ferment_domain::validation::{FieldError, Problem};
use ferment_store::Store;
use ferment_store::processes::{self, DefinitionRow};

use super::process::{self as engine_io, SALES};
use super::{begin, check_system, commit};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// The active definition: its stored row and its parsed form.
pub async fn active(
    store: &Store,
    _user: &CurrentUser,
) -> AppResult<(DefinitionRow, Arc<Definition>)> {
    let (id, definition) = engine_io::active_for_reading(store).await?;
    let mut connection = store.reader().await?;
    let row = processes::get(&mut connection, id).await?;
    Ok((row, definition))
}

/// Every version, newest first, with how many sales run on each.
pub async fn versions(store: &Store, user: &CurrentUser) -> AppResult<Vec<(DefinitionRow, i64)>> {
    check_system(user, SystemOp::EditProcess)?;
    let mut connection = store.reader().await?;
    let rows = processes::versions(&mut connection, SALES).await?;
    let counts = processes::sales_per_version(&mut connection, SALES).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let n = counts
                .iter()
                .find(|(id, _)| *id == row.id)
                .map(|(_, n)| *n)
                .unwrap_or(0);
            (row, n)
        })
        .collect())
}

/// Definition errors as field errors: the field is `source` with the line when known.
pub fn as_field_errors(errors: &[DefinitionError]) -> Vec<FieldError> {
    errors
        .iter()
        .map(|e| {
            let field = match e.line {
                Some(line) => format!("source:{line}"),
                None => format!("source.{}", e.path),
            };
            FieldError::new(
                field,
                Problem::Rule {
                    ru: e.message_ru.clone(),
                    en: e.message_en.clone(),
                },
            )
        })
        .collect()
}

/// Checks a draft without saving it.
pub fn check(source: &str) -> Result<Definition, Vec<DefinitionError>> {
    Definition::parse(source)
}

/// Saves a new version and makes it active; new sales start on it.
pub async fn save(
    store: &Store,
    user: &CurrentUser,
    source: &str,
    comment: Option<&str>,
) -> AppResult<DefinitionRow> {
    check_system(user, SystemOp::EditProcess)?;
    let definition =
        Definition::parse(source).map_err(|e| AppError::Invalid(as_field_errors(&e)))?;
    if definition.code != SALES {
        return Err(AppError::Invalid(vec![FieldError::new(
            "source.code",
            Problem::NotAllowed {
                allowed: vec![SALES.into()],
            },
        )]));
    }
    let mut tx = begin(store).await?;
    // Make sure the shipped version exists first, so it stays in the version list.
    engine_io::active(&mut tx).await?;
    let row = processes::save(&mut tx, Some(user.actor.user_id), SALES, source, comment).await?;
    commit(tx).await?;
    Ok(row)
}
