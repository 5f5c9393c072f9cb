//! User account use cases: administrators create and change accounts; every user may change the
//! personal details of their own account.
//!
//! **Invariant:** a user whose right to edit accounts covers only their own (the `Own` scope) may
//! change their name, e-mail and phone, never their login, roles, territory or whether they are
//! active — those decide what the account can do. Password hashes never leave the store.
//! Deleting an account is an administrator's job too; deactivating it (`active: false`) is the
//! usual way to end someone's access.

use ferment_domain::access::{self, Operation, RecordFacts, RecordKind, Scope};
use ferment_domain::user::{User, UserInput, validate_password};
use ferment_domain::validation::{FieldError, Problem};
use ferment_store::history::HistoryEntry;
use ferment_store::{Record, Store, Tx, history, users};
use uuid::Uuid;

use super::{begin, check, check_references, commit, scope};
use crate::auth::{CurrentUser, hash_password};
use crate::error::{AppError, AppResult};

const KIND: RecordKind = RecordKind::User;

/// A user account is owned by itself (the access rules know that from the record's id).
fn facts(record: &Record<User>) -> (Uuid, RecordFacts) {
    (
        record.meta.id,
        RecordFacts {
            owner_id: None,
            territory_id: record.data.territory_id,
        },
    )
}

async fn check_rules(tx: &mut Tx, data: &User, except: Option<Uuid>) -> AppResult<()> {
    check_references(tx, data.territory_id.map(|id| ("territory_id", id)), None).await?;
    let known = users::role_codes(tx).await?;
    if data.roles.iter().any(|role| !known.contains(role)) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "roles",
            Problem::NotAllowed { allowed: known },
        )]));
    }
    if let Some((existing, _)) = users::find_by_login(tx, &data.login).await?
        && Some(existing.meta.id) != except
    {
        return Err(AppError::Duplicate {
            field: "login",
            existing_id: existing.meta.id,
            existing_name: existing.data.full_name,
        });
    }
    Ok(())
}

/// Checks a new password; blank is "required", short is "too short".
fn password_problem(password: &str) -> Option<FieldError> {
    let problem = if password.is_empty() {
        Some(Problem::Required)
    } else {
        validate_password(password).err()
    };
    problem.map(|problem| FieldError::new("password", problem))
}

/// Creates a user account with a password.
pub async fn create(
    store: &Store,
    user: &CurrentUser,
    input: &UserInput,
    password: &str,
) -> AppResult<Record<User>> {
    check(user, KIND, Operation::Create, None)?;
    let data = match (input.validate(), password_problem(password)) {
        (Ok(data), None) => data,
        (Ok(_), Some(error)) => return Err(AppError::Invalid(vec![error])),
        (Err(mut errors), error) => {
            errors.extend(error);
            return Err(AppError::Invalid(errors));
        }
    };
    // Hash before the transaction: hashing is slow on purpose and must not hold the writer.
    let hash = hash_password(password).await?;
    let mut tx = begin(store).await?;
    check_rules(&mut tx, &data, None).await?;
    let record = users::insert(&mut tx, Some(user.actor.user_id), &data, Some(&hash)).await?;
    commit(tx).await?;
    Ok(record)
}

/// Reads a user account the user may see.
pub async fn get(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<Record<User>> {
    let mut connection = store.reader().await?;
    let record = users::get(&mut connection, id).await?;
    check(user, KIND, Operation::Read, Some(facts(&record)))?;
    Ok(record)
}

/// Changes a user account: `edit` turns the current input into the new one.
pub async fn update(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    version: i64,
    edit: impl FnOnce(UserInput) -> Result<UserInput, Vec<FieldError>>,
) -> AppResult<Record<User>> {
    let mut tx = begin(store).await?;
    let current = users::get(&mut tx, id).await?;
    check(user, KIND, Operation::Edit, Some(facts(&current)))?;
    let input = edit(UserInput::from(&current.data))?;
    let data = input.validate()?;
    if current.meta.version != version {
        return Err(AppError::StaleVersion {
            current: current.meta.version,
        });
    }
    let only_own = access::list_scope(&user.actor, KIND, Operation::Edit) != Scope::All;
    let was = &current.data;
    if only_own
        && (data.login != was.login
            || data.roles != was.roles
            || data.territory_id != was.territory_id
            || data.active != was.active)
    {
        return Err(AppError::Forbidden);
    }
    check_rules(&mut tx, &data, Some(id)).await?;
    let record = users::update(&mut tx, Some(user.actor.user_id), id, version, &data).await?;
    commit(tx).await?;
    Ok(record)
}

/// Deletes (hides) a user account; with a `version`, only if it has not changed since. Nobody
/// deletes their own account, and an account that still owns clients is in use (deactivate it, or
/// hand its clients over first).
pub async fn delete(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    version: Option<i64>,
) -> AppResult<()> {
    let mut tx = begin(store).await?;
    let current = users::get(&mut tx, id).await?;
    check(user, KIND, Operation::Delete, Some(facts(&current)))?;
    if id == user.actor.user_id {
        return Err(AppError::Forbidden);
    }
    if let Some(version) = version
        && version != current.meta.version
    {
        return Err(AppError::StaleVersion {
            current: current.meta.version,
        });
    }
    if users::in_use(&mut tx, id).await? {
        return Err(AppError::InUse);
    }
    users::delete(&mut tx, Some(user.actor.user_id), id).await?;
    commit(tx).await
}

/// Every user account the user may see, by name.
pub async fn list(store: &Store, user: &CurrentUser) -> AppResult<Vec<Record<User>>> {
    let visible = scope(user, KIND);
    if visible == Scope::None {
        return Ok(Vec::new());
    }
    let mut connection = store.reader().await?;
    let all = users::list(&mut connection).await?;
    Ok(match visible {
        Scope::Own(me) => all.into_iter().filter(|u| u.meta.id == me).collect(),
        _ => all,
    })
}

/// A user account's change history.
pub async fn history(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<Vec<HistoryEntry>> {
    get(store, user, id).await?;
    let mut connection = store.reader().await?;
    Ok(history::list(&mut connection, id, 200).await?)
}
