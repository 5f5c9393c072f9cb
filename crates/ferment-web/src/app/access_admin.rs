//! Access administration use cases: roles, departments, the trusted proxies, the audit log and the
//! "effective access" view.
//!
//! **Invariant:** changing roles, IP rules or trusted proxies takes the `manage_roles` system
//! operation; departments take `manage_users`; every change is written to the audit log in the same
//! transaction as the change itself.

use ferment_domain::access::{self, RecordKind, Rights, SystemOp, Verdict};
use ferment_domain::validation::{FieldError, Problem};
use ferment_store::departments::{self, Department};
use ferment_store::roles::{self, Role};
use ferment_store::{Store, StoreError, Tx, audit, contacts, counterparties, products, settings};
use uuid::Uuid;

use super::{begin, check_system, commit};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

async fn audit(
    tx: &mut Tx,
    user: &CurrentUser,
    event: &str,
    detail: serde_json::Value,
) -> AppResult<()> {
    audit::record(
        tx,
        &audit::Event {
            event,
            user_id: Some(user.actor.user_id),
            login: Some(&user.user.data.login),
            ip: user.ip.map(|ip| ip.to_string()),
            detail,
        },
    )
    .await?;
    Ok(())
}

fn role_json(role: &Role) -> serde_json::Value {
    serde_json::json!({
        "code": role.code,
        "name": role.name,
        "name_en": role.name_en,
        "rights": role.rights.to_json(),
        "version": role.version,
    })
}

/// A role as the API and the role editor send it: names and rights; the code for a new role.
pub struct RoleInput {
    /// Code (new roles only): latin letters, digits and `_`.
    pub code: String,
    /// Russian name.
    pub name: String,
    /// English name (the Russian one when blank).
    pub name_en: String,
    /// Rights.
    pub rights: Rights,
}

impl RoleInput {
    /// Reads a role from a JSON object: `code`, `name`, `name_en`, and the rights fields
    /// (`permissions`, `system`, `hidden_fields`, `ip_allow`) either at the top or under `rights`.
    pub fn from_json(
        body: &serde_json::Map<String, serde_json::Value>,
        base: Option<&Role>,
    ) -> Result<RoleInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let text = |name: &str, fallback: &str| match body.get(name) {
            Some(serde_json::Value::String(s)) => Ok(s.trim().to_string()),
            None | Some(serde_json::Value::Null) => Ok(fallback.to_string()),
            Some(_) => Err(FieldError::new(name, Problem::Type { expected: "text" })),
        };
        let code = text("code", base.map(|b| b.code.as_str()).unwrap_or(""));
        let name = text("name", base.map(|b| b.name.as_str()).unwrap_or(""));
        let name_en = text("name_en", base.map(|b| b.name_en.as_str()).unwrap_or(""));
        let mut rights_source = base
            .map(|b| b.rights.to_json())
            .unwrap_or_else(|| Rights::default().to_json());
        let overlay = body
            .get("rights")
            .and_then(|r| r.as_object())
            .cloned()
            .unwrap_or_else(|| body.clone());
        for key in ["permissions", "system", "hidden_fields", "ip_allow"] {
            if let Some(value) = overlay.get(key) {
                rights_source[key] = value.clone();
            }
        }
        let rights = match Rights::from_json(&rights_source) {
            Ok(rights) => Some(rights),
            Err(mut found) => {
                errors.append(&mut found);
                None
            }
        };
        let mut take = |result: Result<String, FieldError>| match result {
            Ok(value) => value,
            Err(error) => {
                errors.push(error);
                String::new()
            }
        };
        let code = take(code);
        let name = take(name);
        let name_en = take(name_en);
        if base.is_none() {
            if code.is_empty() {
                errors.push(FieldError::new("code", Problem::Required));
            } else if code.len() > 50
                || !code
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                errors.push(FieldError::new(
                    "code",
                    Problem::NotAllowed {
                        allowed: vec!["a-z".into(), "0-9".into(), "_".into()],
                    },
                ));
            }
        }
        if name.is_empty() {
            errors.push(FieldError::new("name", Problem::Required));
        } else if name.chars().count() > 100 {
            errors.push(FieldError::new("name", Problem::TooLong { max: 100 }));
        }
        match rights {
            Some(rights) if errors.is_empty() => Ok(RoleInput {
                name_en: if name_en.is_empty() {
                    name.clone()
                } else {
                    name_en
                },
                code,
                name,
                rights,
            }),
            _ => Err(errors),
        }
    }
}

/// Every role (anyone holding a role may read them: the user editor and cards name them).
pub async fn list_roles(store: &Store, user: &CurrentUser) -> AppResult<Vec<Role>> {
    if user.actor.roles.is_empty() {
        return Ok(Vec::new());
    }
    let mut connection = store.reader().await?;
    Ok(roles::list(&mut connection).await?)
}

/// One role.
pub async fn get_role(store: &Store, user: &CurrentUser, code: &str) -> AppResult<Role> {
    if user.actor.roles.is_empty() {
        return Err(AppError::NotFound);
    }
    let mut connection = store.reader().await?;
    Ok(roles::get(&mut connection, code).await?)
}

/// Creates a role.
pub async fn create_role(store: &Store, user: &CurrentUser, input: RoleInput) -> AppResult<Role> {
    check_system(user, SystemOp::ManageRoles)?;
    let mut tx = begin(store).await?;
    let role = Role {
        code: input.code,
        name: input.name,
        name_en: input.name_en,
        rights: input.rights,
        version: 1,
        updated_at: chrono::Utc::now(),
    };
    let created = match roles::insert(&mut tx, &role).await {
        Ok(created) => created,
        Err(StoreError::Unique { .. }) => {
            return Err(AppError::Invalid(vec![FieldError::new(
                "code",
                Problem::Duplicate {
                    existing: role.code,
                },
            )]));
        }
        Err(error) => return Err(error.into()),
    };
    audit(
        &mut tx,
        user,
        "role_created",
        serde_json::json!({ "role": role_json(&created) }),
    )
    .await?;
    commit(tx).await?;
    Ok(created)
}

/// Changes a role's names and rights (the code stays).
pub async fn update_role(
    store: &Store,
    user: &CurrentUser,
    code: &str,
    version: i64,
    body: &serde_json::Map<String, serde_json::Value>,
) -> AppResult<Role> {
    check_system(user, SystemOp::ManageRoles)?;
    let mut tx = begin(store).await?;
    let current = roles::get(&mut tx, code).await?;
    let input = RoleInput::from_json(body, Some(&current))?;
    if current.version != version {
        return Err(AppError::StaleVersion {
            current: current.version,
        });
    }
    let changed = Role {
        name: input.name,
        name_en: input.name_en,
        rights: input.rights,
        ..current.clone()
    };
    let updated = match roles::update(&mut tx, &changed, version).await {
        Err(StoreError::StaleVersion { current }) => {
            return Err(AppError::StaleVersion { current });
        }
        other => other?,
    };
    audit(
        &mut tx,
        user,
        "role_changed",
        serde_json::json!({ "before": role_json(&current), "after": role_json(&updated) }),
    )
    .await?;
    commit(tx).await?;
    Ok(updated)
}

/// Deletes a role nobody holds.
pub async fn delete_role(store: &Store, user: &CurrentUser, code: &str) -> AppResult<()> {
    check_system(user, SystemOp::ManageRoles)?;
    let mut tx = begin(store).await?;
    let current = roles::get(&mut tx, code).await?;
    if roles::holders(&mut tx, code).await? > 0 {
        return Err(AppError::InUse);
    }
    roles::delete(&mut tx, code).await?;
    audit(
        &mut tx,
        user,
        "role_deleted",
        serde_json::json!({ "role": role_json(&current) }),
    )
    .await?;
    commit(tx).await
}

/// Every department.
pub async fn list_departments(store: &Store, user: &CurrentUser) -> AppResult<Vec<Department>> {
    if user.actor.roles.is_empty() {
        return Ok(Vec::new());
    }
    let mut connection = store.reader().await?;
    Ok(departments::list(&mut connection).await?)
}

fn department_name(name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "name",
            Problem::Required,
        )]));
    }
    if name.chars().count() > 100 {
        return Err(AppError::Invalid(vec![FieldError::new(
            "name",
            Problem::TooLong { max: 100 },
        )]));
    }
    Ok(name.to_string())
}

fn department_taken(name: &str) -> AppError {
    AppError::Invalid(vec![FieldError::new(
        "name",
        Problem::Duplicate {
            existing: name.to_string(),
        },
    )])
}

/// Creates a department.
pub async fn create_department(
    store: &Store,
    user: &CurrentUser,
    name: &str,
) -> AppResult<Department> {
    check_system(user, SystemOp::ManageUsers)?;
    let name = department_name(name)?;
    let mut tx = begin(store).await?;
    let created = match departments::insert(&mut tx, &name).await {
        Err(StoreError::Unique { .. }) => return Err(department_taken(&name)),
        other => other?,
    };
    audit(
        &mut tx,
        user,
        "department_created",
        serde_json::json!({ "id": created.id, "name": name }),
    )
    .await?;
    commit(tx).await?;
    Ok(created)
}

/// Renames a department.
pub async fn rename_department(
    store: &Store,
    user: &CurrentUser,
    id: Uuid,
    version: i64,
    name: &str,
) -> AppResult<Department> {
    check_system(user, SystemOp::ManageUsers)?;
    let name = department_name(name)?;
    let mut tx = begin(store).await?;
    let renamed = match departments::rename(&mut tx, id, version, &name).await {
        Err(StoreError::Unique { .. }) => return Err(department_taken(&name)),
        Err(StoreError::StaleVersion { current }) => {
            return Err(AppError::StaleVersion { current });
        }
        other => other?,
    };
    audit(
        &mut tx,
        user,
        "department_changed",
        serde_json::json!({ "id": id, "name": name }),
    )
    .await?;
    commit(tx).await?;
    Ok(renamed)
}

/// Deletes a department nobody belongs to.
pub async fn delete_department(store: &Store, user: &CurrentUser, id: Uuid) -> AppResult<()> {
    check_system(user, SystemOp::ManageUsers)?;
    let mut tx = begin(store).await?;
    if !departments::delete(&mut tx, id).await? {
        return Err(AppError::InUse);
    }
    audit(
        &mut tx,
        user,
        "department_deleted",
        serde_json::json!({ "id": id }),
    )
    .await?;
    commit(tx).await
}

/// The trusted proxies.
pub async fn trusted_proxies(state: &AppState, user: &CurrentUser) -> AppResult<Vec<ipnet::IpNet>> {
    check_system(user, SystemOp::ManageRoles)?;
    Ok(state.trusted_proxies().await)
}

/// Replaces the trusted proxies.
pub async fn set_trusted_proxies(
    state: &AppState,
    user: &CurrentUser,
    value: &serde_json::Value,
) -> AppResult<Vec<ipnet::IpNet>> {
    check_system(user, SystemOp::ManageRoles)?;
    let list = access::rights::ip_allow_from_json(value, "trusted_proxies")?;
    let json = access::rights::ip_allow_to_json(&list);
    let before = state.trusted_proxies().await;
    let mut tx = begin(&state.store).await?;
    settings::set(&mut tx, settings::TRUSTED_PROXIES, &json).await?;
    audit(
        &mut tx,
        user,
        "settings_changed",
        serde_json::json!({ "key": settings::TRUSTED_PROXIES, "before": access::rights::ip_allow_to_json(&before), "after": json }),
    )
    .await?;
    commit(tx).await?;
    state.set_trusted_proxies(list.clone());
    Ok(list)
}

/// One page of the audit log.
pub async fn audit_log(
    store: &Store,
    user: &CurrentUser,
    query: &audit::Query,
) -> AppResult<ferment_store::list::Page<audit::Entry>> {
    check_system(user, SystemOp::ManageRoles)?;
    let mut connection = store.reader().await?;
    Ok(audit::list(&mut connection, query).await?)
}

/// The effective access of a user to a record: the record's kind and name, and the verdict of
/// each operation with the rule behind it.
pub struct Effective {
    /// The user examined.
    pub user: ferment_store::Record<ferment_domain::user::User>,
    /// The record's kind.
    pub kind: RecordKind,
    /// The record's name.
    pub name: String,
    /// One verdict per operation.
    pub verdicts: Vec<Verdict>,
}

/// `Some(record)`, or `None` when there is no such record; other errors stay errors.
fn found<T>(result: Result<T, StoreError>) -> AppResult<Option<T>> {
    match result {
        Ok(record) => Ok(Some(record)),
        Err(StoreError::NotFound) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Explains what `user_id` may do to the record `record_id` (a counterparty, contact or product).
pub async fn effective(
    store: &Store,
    user: &CurrentUser,
    user_id: Uuid,
    record_id: Uuid,
) -> AppResult<Effective> {
    if !user.actor.may(SystemOp::ManageUsers) {
        check_system(user, SystemOp::ManageRoles)?;
    }
    let mut connection = store.reader().await?;
    let (examined, actor) =
        match ferment_store::access::user_and_actor(&mut connection, user_id).await {
            Err(StoreError::NotFound) => {
                return Err(AppError::Invalid(vec![FieldError::new(
                    "user",
                    Problem::UnknownReference,
                )]));
            }
            other => other?,
        };
    // The record may be a counterparty, a contact or a product: the first table holding the id
    // answers; a database error is an error, not "unknown".
    let (kind, name, facts) =
        if let Some(record) = found(counterparties::get(&mut connection, record_id).await)? {
            let facts = super::counterparties::facts_of(&mut connection, &record.data).await?;
            (RecordKind::Counterparty, record.data.name, facts)
        } else if let Some(record) = found(contacts::get(&mut connection, record_id).await)? {
            let facts = super::contacts::facts_of(&mut connection, &record.data).await?;
            (RecordKind::Contact, record.data.full_name, facts)
        } else if let Some(record) = found(products::get(&mut connection, record_id).await)? {
            (RecordKind::Product, record.data.name, Default::default())
        } else {
            return Err(AppError::Invalid(vec![FieldError::new(
                "record",
                Problem::UnknownReference,
            )]));
        };
    let verdicts = access::explain(&actor, kind, &facts);
    Ok(Effective {
        user: examined,
        kind,
        name,
        verdicts,
    })
}
