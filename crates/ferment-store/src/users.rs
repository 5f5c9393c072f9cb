//! User accounts, their roles, and the sign-in secrets (browser sessions and API tokens).
//!
//! Passwords arrive here already hashed (argon2, in the web crate); session and token secrets arrive
//! as SHA-256 digests. The store never sees a secret in clear.

use ferment_domain::access::rights::{ip_allow_from_json, ip_allow_to_json, shipped};
use ferment_domain::access::{Overrides, roles};
use ferment_domain::text::normalize;
use ferment_domain::user::User;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::history::{self, Action};
use crate::{
    Meta, Record, StoreError, StoreResult, new_id, now_text, parse_id, parse_json,
    parse_optional_id, parse_time,
};

/// The kind name of users in the history.
pub const KIND: &str = "user";

pub(crate) const COLUMNS: &str = "id, version, created_at, updated_at, login, full_name, email, phone, territory_id, \
     active, department_id, ip_allow, overrides";

/// The roles Ferment ships: code, Russian and English names. Their rights come from
/// `ferment_domain::access::rights::shipped`.
pub const SHIPPED_ROLES: [(&str, &str, &str); 6] = [
    (roles::ADMIN, "Администратор", "Administrator"),
    (roles::MANAGER, "Менеджер по продажам", "Sales manager"),
    (
        roles::HEAD_OF_SALES,
        "Руководитель отдела продаж",
        "Head of sales",
    ),
    (
        roles::REGIONAL_MANAGER,
        "Региональный менеджер",
        "Regional manager",
    ),
    (roles::TECHNOLOGIST, "Технолог", "Technologist"),
    (roles::LOGISTICS, "Логист", "Logistics"),
];

/// Creates the shipped roles that are missing, and gives a shipped role that has no rights yet
/// (created before the rights model) its shipped rights. Roles an administrator changed are left as
/// they are.
pub async fn seed_roles(connection: &mut AnyConnection) -> StoreResult<()> {
    let now = now_text();
    for (code, name, name_en) in SHIPPED_ROLES {
        let rights = shipped(code).unwrap_or_default().to_json().to_string();
        sqlx::query(
            "INSERT INTO roles (code, name, name_en, rights, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) \
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(code)
        .bind(name)
        .bind(name_en)
        .bind(&rights)
        .bind(&now)
        .execute(&mut *connection)
        .await?;
        sqlx::query("UPDATE roles SET rights = $1 WHERE code = $2 AND rights = '{}'")
            .bind(&rights)
            .bind(code)
            .execute(&mut *connection)
            .await?;
    }
    Ok(())
}

/// The role codes that exist.
pub async fn role_codes(connection: &mut AnyConnection) -> StoreResult<Vec<String>> {
    let rows = sqlx::query("SELECT code FROM roles ORDER BY code")
        .fetch_all(connection)
        .await?;
    rows.iter().map(|row| Ok(row.try_get("code")?)).collect()
}

async fn roles_of(connection: &mut AnyConnection, id: Uuid) -> StoreResult<Vec<String>> {
    let rows =
        sqlx::query("SELECT role_code FROM user_roles WHERE user_id = $1 ORDER BY role_code")
            .bind(id.to_string())
            .fetch_all(connection)
            .await?;
    rows.iter()
        .map(|row| Ok(row.try_get("role_code")?))
        .collect()
}

pub(crate) fn from_row(row: &AnyRow, roles: Vec<String>) -> StoreResult<Record<User>> {
    Ok(Record {
        meta: Meta::from_row(row)?,
        data: User {
            login: row.try_get("login")?,
            full_name: row.try_get("full_name")?,
            email: row.try_get("email")?,
            phone: row.try_get("phone")?,
            territory_id: parse_optional_id(
                row.try_get::<Option<String>, _>("territory_id")?.as_deref(),
            )?,
            active: row.try_get::<i64, _>("active")? != 0,
            roles,
            department_id: parse_optional_id(
                row.try_get::<Option<String>, _>("department_id")?
                    .as_deref(),
            )?,
            ip_allow: parse_json(&row.try_get::<String, _>("ip_allow")?, |value| {
                ip_allow_from_json(value, "ip_allow")
            })?,
            overrides: parse_json(&row.try_get::<String, _>("overrides")?, |value| {
                Overrides::from_json(value, "overrides")
            })?,
        },
    })
}

/// Reads a live user.
pub async fn get(connection: &mut AnyConnection, id: Uuid) -> StoreResult<Record<User>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users WHERE id = $1 AND deleted_at IS NULL"
    )))
    .bind(id.to_string())
    .fetch_optional(&mut *connection)
    .await?
    .ok_or(StoreError::NotFound)?;
    let roles = roles_of(connection, id).await?;
    from_row(&row, roles)
}

/// Finds a live user by login, with the password hash.
pub async fn find_by_login(
    connection: &mut AnyConnection,
    login: &str,
) -> StoreResult<Option<(Record<User>, Option<String>)>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS}, password_hash FROM users WHERE login = $1 AND deleted_at IS NULL"
    )))
    .bind(login.trim().to_lowercase())
    .fetch_optional(&mut *connection)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let id = parse_id(&row.try_get::<String, _>("id")?)?;
    let roles = roles_of(connection, id).await?;
    let hash: Option<String> = row.try_get("password_hash")?;
    Ok(Some((from_row(&row, roles)?, hash)))
}

/// Every live user, by name (two queries, whatever the number of users).
pub async fn list(connection: &mut AnyConnection) -> StoreResult<Vec<Record<User>>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users WHERE deleted_at IS NULL ORDER BY name_sort, id"
    )))
    .fetch_all(&mut *connection)
    .await?;
    let role_rows = sqlx::query(
        "SELECT r.user_id, r.role_code FROM user_roles r JOIN users u ON u.id = r.user_id \
         WHERE u.deleted_at IS NULL ORDER BY r.role_code",
    )
    .fetch_all(&mut *connection)
    .await?;
    let mut roles: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    for row in &role_rows {
        roles
            .entry(row.try_get("user_id")?)
            .or_default()
            .push(row.try_get("role_code")?);
    }
    rows.iter()
        .map(|row| {
            let id: String = row.try_get("id")?;
            from_row(row, roles.remove(&id).unwrap_or_default())
        })
        .collect()
}

/// The full names of the users with these ids (deleted ones included: history names them), in one
/// query.
pub async fn names(
    connection: &mut AnyConnection,
    ids: &[Uuid],
) -> StoreResult<std::collections::HashMap<Uuid, String>> {
    let mut names = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(names);
    }
    let mut sql = crate::sql::Sql::new("SELECT id, full_name FROM users WHERE id IN (");
    sql.bind_list(ids.iter().map(|id| crate::sql::Arg::Text(id.to_string())))
        .push(")");
    for row in sql.query().fetch_all(connection).await? {
        names.insert(
            parse_id(&row.try_get::<String, _>("id")?)?,
            row.try_get("full_name")?,
        );
    }
    Ok(names)
}

/// How many live users exist (an empty database has none).
pub async fn count(connection: &mut AnyConnection) -> StoreResult<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE deleted_at IS NULL")
        .fetch_one(connection)
        .await?;
    Ok(row.try_get("n")?)
}

async fn write_roles(
    connection: &mut AnyConnection,
    id: Uuid,
    roles: &[String],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
        .bind(id.to_string())
        .execute(&mut *connection)
        .await?;
    for role in roles {
        sqlx::query("INSERT INTO user_roles (user_id, role_code) VALUES ($1, $2)")
            .bind(id.to_string())
            .bind(role)
            .execute(&mut *connection)
            .await?;
    }
    Ok(())
}

/// Creates a user with an optional password hash.
pub async fn insert(
    connection: &mut AnyConnection,
    actor: Option<Uuid>,
    data: &User,
    password_hash: Option<&str>,
) -> StoreResult<Record<User>> {
    let id = new_id();
    let now = now_text();
    sqlx::query(
        "INSERT INTO users (id, login, full_name, name_sort, email, phone, territory_id, active, password_hash, \
         created_at, updated_at, version, department_id, ip_allow, overrides) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, 1, $11, $12, $13)",
    )
    .bind(id.to_string())
    .bind(&data.login)
    .bind(&data.full_name)
    .bind(normalize(&data.full_name))
    .bind(&data.email)
    .bind(&data.phone)
    .bind(data.territory_id.map(|id| id.to_string()))
    .bind(i64::from(data.active))
    .bind(password_hash)
    .bind(now)
    .bind(data.department_id.map(|id| id.to_string()))
    .bind(ip_allow_to_json(&data.ip_allow).to_string())
    .bind(data.overrides.to_json().to_string())
    .execute(&mut *connection)
    .await?;
    write_roles(connection, id, &data.roles).await?;
    history::record_change(
        connection,
        KIND,
        id,
        Action::Create,
        actor,
        None,
        Some(data),
    )
    .await?;
    get(connection, id).await
}

/// Changes a user if its version is still `expected_version`.
pub async fn update(
    connection: &mut AnyConnection,
    actor: Option<Uuid>,
    id: Uuid,
    expected_version: i64,
    data: &User,
) -> StoreResult<Record<User>> {
    let old = get(connection, id).await?;
    if old.meta.version != expected_version {
        return Err(StoreError::StaleVersion {
            current: old.meta.version,
        });
    }
    sqlx::query(
        "UPDATE users SET login = $1, full_name = $2, name_sort = $3, email = $4, phone = $5, territory_id = $6, \
         active = $7, updated_at = $8, version = version + 1, department_id = $10, ip_allow = $11, \
         overrides = $12 WHERE id = $9",
    )
    .bind(&data.login)
    .bind(&data.full_name)
    .bind(normalize(&data.full_name))
    .bind(&data.email)
    .bind(&data.phone)
    .bind(data.territory_id.map(|id| id.to_string()))
    .bind(i64::from(data.active))
    .bind(now_text())
    .bind(id.to_string())
    .bind(data.department_id.map(|id| id.to_string()))
    .bind(ip_allow_to_json(&data.ip_allow).to_string())
    .bind(data.overrides.to_json().to_string())
    .execute(&mut *connection)
    .await?;
    write_roles(connection, id, &data.roles).await?;
    if !data.active {
        revoke_all(connection, id).await?;
    }
    history::record_change(
        connection,
        KIND,
        id,
        Action::Update,
        actor,
        Some(&old.data),
        Some(data),
    )
    .await?;
    get(connection, id).await
}

/// Sets a user's password hash and signs the user out everywhere.
pub async fn set_password(
    connection: &mut AnyConnection,
    id: Uuid,
    password_hash: &str,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3 AND deleted_at IS NULL",
    )
    .bind(password_hash)
    .bind(now_text())
    .bind(id.to_string())
    .execute(&mut *connection)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    revoke_all(connection, id).await
}

/// What a sign-in secret is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A browser session (cookie), CSRF-protected, expiring.
    Session,
    /// An API token (`Authorization: Bearer`).
    Api,
}

impl TokenKind {
    fn code(self) -> &'static str {
        match self {
            TokenKind::Session => "session",
            TokenKind::Api => "api",
        }
    }
}

/// A live sign-in secret, found by its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The user it signs in.
    pub user_id: Uuid,
    /// Session or API token.
    pub kind: TokenKind,
    /// The session's CSRF token (sessions only).
    pub csrf_token: Option<String>,
    /// When it stops working.
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Stores a new sign-in secret's digest.
pub async fn create_token(
    connection: &mut AnyConnection,
    user_id: Uuid,
    kind: TokenKind,
    token_hash: &str,
    name: Option<&str>,
    csrf_token: Option<&str>,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO auth_tokens (token_hash, user_id, kind, name, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(token_hash)
    .bind(user_id.to_string())
    .bind(kind.code())
    .bind(name)
    .bind(csrf_token)
    .bind(now_text())
    .bind(expires_at.map(crate::time_text))
    .execute(connection)
    .await?;
    Ok(())
}

/// Reads a token from a row with `user_id`, `kind`, `csrf_token` and `expires_at`.
pub(crate) fn token_from_row(row: &AnyRow) -> StoreResult<Token> {
    let kind: String = row.try_get("kind")?;
    Ok(Token {
        user_id: parse_id(&row.try_get::<String, _>("user_id")?)?,
        kind: if kind == "api" {
            TokenKind::Api
        } else {
            TokenKind::Session
        },
        csrf_token: row.try_get("csrf_token")?,
        expires_at: row
            .try_get::<Option<String>, _>("expires_at")?
            .as_deref()
            .map(parse_time)
            .transpose()?,
    })
}

/// Revokes one secret.
pub async fn revoke_token(connection: &mut AnyConnection, token_hash: &str) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM auth_tokens WHERE token_hash = $1")
        .bind(token_hash)
        .execute(connection)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Revokes every secret of a user (password change, deactivation).
pub async fn revoke_all(connection: &mut AnyConnection, user_id: Uuid) -> StoreResult<()> {
    sqlx::query("DELETE FROM auth_tokens WHERE user_id = $1")
        .bind(user_id.to_string())
        .execute(connection)
        .await?;
    Ok(())
}

/// Forgets expired sessions.
pub async fn purge_expired(connection: &mut AnyConnection) -> StoreResult<u64> {
    let done =
        sqlx::query("DELETE FROM auth_tokens WHERE expires_at IS NOT NULL AND expires_at <= $1")
            .bind(now_text())
            .execute(connection)
            .await?;
    Ok(done.rows_affected())
}

/// Whether any live record still refers to the user as its owner (then it can't be deleted; deactivate
/// it instead, or hand its clients over first).
pub async fn in_use(connection: &mut AnyConnection, id: Uuid) -> StoreResult<bool> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS uses FROM counterparties WHERE owner_id = $1 AND deleted_at IS NULL",
    )
    .bind(id.to_string())
    .fetch_one(connection)
    .await?;
    Ok(row.try_get::<i64, _>("uses")? > 0)
}

/// Hides a user: signs it out everywhere and frees its login for a new account.
pub async fn delete(
    connection: &mut AnyConnection,
    actor: Option<Uuid>,
    id: Uuid,
) -> StoreResult<()> {
    let old = get(connection, id).await?;
    sqlx::query(
        "UPDATE users SET deleted_at = $1, updated_at = $1, version = version + 1, active = 0, login = $2 WHERE id = $3",
    )
    .bind(now_text())
    // Logins are unique across all rows: a deleted account keeps one no live account can take.
    .bind(format!("{}~{}", old.data.login, id))
    .bind(id.to_string())
    .execute(&mut *connection)
    .await?;
    revoke_all(connection, id).await?;
    history::record_change::<User>(
        connection,
        KIND,
        id,
        Action::Delete,
        actor,
        Some(&old.data),
        None,
    )
    .await
}
