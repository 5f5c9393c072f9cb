//! User account use cases: administrators create and change accounts; every user may change the
//! personal details of their own account.
//!
//! **Invariant:** without the `manage_users` system operation a user may change only their own
//! name, e-mail and phone, never their login, roles, territory, department, IP allow-list,
//! overrides or whether they are active — those decide what the account can do. Every change to
//! those is written to the audit log in the same transaction. Password hashes never leave the
//! store. Granting rights — a user's roles and overrides — takes `manage_roles` as well, so that
//! managing accounts is not a way to raise one's own rights. Every user holding a role reads the
//! accounts (lists and cards name owners); a user without roles sees only their own.
//! Deleting an account is an administrator's job too; deactivating it (`active: false`) is the
//! usual way to end someone's access.

use ferment_domain::access::SystemOp;
use ferment_domain::user::{User, UserInput, validate_password};
use ferment_domain::validation::{FieldError, Problem};
use ferment_store::history::HistoryEntry;
use ferment_store::{Record, Store, Tx, history, users};
use uuid::Uuid;

use super::{begin, check_references, check_system, commit};
use crate::auth::{CurrentUser, hash_password};
use crate::error::{AppError, AppResult};

/// The fields of an account that decide what it can do.
fn access_fields(data: &User) -> serde_json::Value {
    serde_json::json!({
        "login": data.login,
        "roles": data.roles,
        "territory_id": data.territory_id,
        "department_id": data.department_id,
        "active": data.active,
        "ip_allow": ferment_domain::access::rights::ip_allow_to_json(&data.ip_allow),
        "overrides": data.overrides.to_json(),
    })
}

/// Records a change of an account's access fields in the audit log.
async fn audit_access_change(
    tx: &mut Tx,
    user: &CurrentUser,
    id: Uuid,
    old: Option<&User>,
    new: &User,
) -> AppResult<()> {
    let before = old.map(access_fields);
    let after = access_fields(new);
    if before.as_ref() == Some(&after) {
        return Ok(());
    }
    ferment_store::audit::record(
        tx,
        &ferment_store::audit::Event {
            event: "user_access_changed",
            user_id: Some(user.actor.user_id),
            login: Some(&user.user.data.login),
            ip: user.ip.map(|ip| ip.to_string()),
            detail: serde_json::json!({ "target": id, "before": before, "after": after }),
        },
    )
    .await?;
    Ok(())
}

async fn check_rules(tx: &mut Tx, data: &User, except: Option<Uuid>) -> AppResult<()> {
    check_references(tx, data.territory_id.map(|id| ("territory_id", id)), None).await?;
    if let Some(department) = data.department_id
        && matches!(
            ferment_store::departments::get(tx, department).await,
            Err(ferment_store::StoreError::NotFound)
        )
    {
        return Err(AppError::Invalid(vec![FieldError::new(
            "department_id",
            Problem::UnknownReference,
        )]));
    }
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
    check_system(user, SystemOp::ManageUsers)?;
    let data = match (input.validate(), password_problem(password)) {
        (Ok(data), None) => data,
        (Ok(_), Some(error)) => return Err(AppError::Invalid(vec![error])),
        (Err(mut errors), error) => {
            errors.extend(error);
            return Err(AppError::Invalid(errors));
        }
    };
    if !data.roles.is_empty() || !data.overrides.is_empty() {
        check_system(user, SystemOp::ManageRoles)?;
    }
    // Hash before the transaction: hashing is slow on purpose and must not hold the writer.
    let hash = hash_password(password).await?;
    let mut tx = begin(store).await?;
    check_rules(&mut tx, &data, None).await?;
    let record = users::insert(&mut tx, Some(user.actor.user_id), &data, Some(&hash)).await?;
    audit_access_change(&mut tx, user, record.meta.id, None, &data).await?;
    commit(tx).await?;
    Ok(record)
}

/// Reads a user account the user may see.
pub async fn get(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<Record<User>> {
    let mut connection = store.reader().await?;
    if user.actor.roles.is_empty() && id != user.actor.user_id {
        return Err(AppError::NotFound);
    }
    Ok(users::get(&mut connection, id).await?)
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
    let manages = user.actor.may(SystemOp::ManageUsers);
    if !manages && id != user.actor.user_id {
        check_system(user, SystemOp::ManageUsers)?;
    }
    let input = edit(UserInput::from(&current.data))?;
    let data = input.validate()?;
    if current.meta.version != version {
        return Err(AppError::StaleVersion {
            current: current.meta.version,
        });
    }
    if !manages && access_fields(&data) != access_fields(&current.data) {
        check_system(user, SystemOp::ManageUsers)?;
    }
    if data.roles != current.data.roles || data.overrides != current.data.overrides {
        check_system(user, SystemOp::ManageRoles)?;
    }
    check_rules(&mut tx, &data, Some(id)).await?;
    let record = users::update(&mut tx, Some(user.actor.user_id), id, version, &data).await?;
    audit_access_change(&mut tx, user, id, Some(&current.data), &data).await?;
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
    check_system(user, SystemOp::ManageUsers)?;
    let current = users::get(&mut tx, id).await?;
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
    if user.actor.roles.is_empty() {
        return Ok(Vec::new());
    }
    let mut connection = store.reader().await?;
    Ok(users::list(&mut connection).await?)
}

/// The names of users by id, for showing references (one query; empty for a user without roles,
/// who may not read the user directory).
pub async fn names(
    store: &Store,
    user: &CurrentUser,
    ids: &[Uuid],
) -> AppResult<std::collections::HashMap<Uuid, String>> {
    if user.actor.roles.is_empty() {
        return Ok(Default::default());
    }
    let mut connection = store.reader().await?;
    Ok(users::names(&mut connection, ids).await?)
}

/// A user account's change history.
pub async fn history(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<Vec<HistoryEntry>> {
    get(store, user, id).await?;
    let mut connection = store.reader().await?;
    Ok(history::list(&mut connection, id, 200).await?)
}
