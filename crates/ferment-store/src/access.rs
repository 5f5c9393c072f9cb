//! Access in SQL: a domain [`Scope`] resolved to the ids a list may show, the facts of a record
//! that single-record decisions need, and the actor of a request loaded in few queries.
//!
//! A scope is resolved to plain id lists first (the department's members, the territory and the
//! territories inside it) so that the list condition is `owner_id IN (…) OR territory_id IN (…)`:
//! for a regional manager that is `territory_id = $n`, which the `(territory_id, name_sort, id)`
//! index serves in order (a subquery there made both planners walk the whole name index).

use ferment_domain::access::{Actor, HeldRole, RecordFacts, Scope, TerritoryRef};
use ferment_domain::territory::single_area_inside;
use ferment_domain::text::prefix_upper_bound;
use ferment_domain::user::User;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::counterparties::territory_and_inside;
use crate::roles;
use crate::sql::{Arg, Sql, json_rows, read_json_rows};
use crate::{Record, StoreResult, users};

/// A scope ready for SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Every record.
    All,
    /// Records owned by one of `owners` or in one of `territories` (both may be empty: nothing).
    Some {
        /// User ids.
        owners: Vec<String>,
        /// Territory ids.
        territories: Vec<String>,
        /// The area every record of the reach lies in, when it has one: a scope of territories
        /// only, inside one federal district. Search postings carry their area, and a page of a
        /// word's postings is then read from that area's list alone.
        area: Option<Area>,
    },
}

/// The one area (see [`ferment_domain::territory::area_of`]) a territory and everything inside it
/// lie in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    /// The area's path (`/RU/RU-VFD/`).
    pub path: String,
    /// Whether the territories are the whole area (a federal district with its regions): being
    /// in the area is then being in one of them, and their list need not be tested.
    pub whole: bool,
}

impl Area {
    /// The area of the territory at `path` and those inside it; `None` for a country, which spans
    /// several.
    pub fn of_subtree(path: &str) -> Option<Area> {
        single_area_inside(path).map(|area| Area {
            path: area.to_string(),
            whole: area == path,
        })
    }
}

impl Reach {
    /// Whether nothing at all is in reach.
    pub fn is_nothing(&self) -> bool {
        matches!(self, Reach::Some { owners, territories, .. }
            if owners.is_empty() && territories.is_empty())
    }
}

/// Resolves a scope to id lists.
pub async fn resolve(connection: &mut AnyConnection, scope: &Scope) -> StoreResult<Reach> {
    let (owner, department, territory) = match scope {
        Scope::All => return Ok(Reach::All),
        Scope::None => (None, None, None),
        Scope::Some {
            owner,
            department,
            territory,
        } => (*owner, *department, territory.as_ref()),
    };
    let mut owners: Vec<String> = owner.iter().map(Uuid::to_string).collect();
    if let Some(department) = department {
        let rows = sqlx::query("SELECT id FROM users WHERE department_id = $1")
            .bind(department.to_string())
            .fetch_all(&mut *connection)
            .await?;
        for row in rows {
            owners.push(row.try_get("id")?);
        }
        owners.sort();
        owners.dedup();
    }
    let territories = match territory {
        Some(territory) if !territory.inside.is_empty() => {
            territory.inside.iter().map(Uuid::to_string).collect()
        }
        Some(territory) => territory_and_inside(connection, territory.id).await?,
        None => Vec::new(),
    };
    let area = match territory {
        Some(territory) if owners.is_empty() => Area::of_subtree(&territory.path),
        _ => None,
    };
    Ok(Reach::Some {
        owners,
        territories,
        area,
    })
}

/// Resolves several scopes (a list that must stay inside each of them, e.g. an export: the rows
/// the user may both read and export).
pub async fn resolve_all(
    connection: &mut AnyConnection,
    scopes: &[&Scope],
) -> StoreResult<Vec<Reach>> {
    let mut reaches = Vec::with_capacity(scopes.len());
    for scope in scopes {
        reaches.push(resolve(&mut *connection, scope).await?);
    }
    Ok(reaches)
}

/// Appends every reach as a condition ([`push_reach`] for each): the rows inside all of them.
pub fn push_reaches(
    sql: &mut Sql,
    reaches: &[Reach],
    owner_column: Option<&str>,
    territory_column: Option<&str>,
) {
    for reach in reaches {
        push_reach(sql, reach, owner_column, territory_column);
    }
}

fn push_in(sql: &mut Sql, column: &str, values: &[String]) {
    sql.push(column).push(" IN (");
    sql.bind_list(values.iter().cloned().map(Arg::Text))
        .push(")");
}

/// Appends the reach as a condition on a record's owner and territory columns (`None`: the kind
/// has no such column).
pub fn push_reach(
    sql: &mut Sql,
    reach: &Reach,
    owner_column: Option<&str>,
    territory_column: Option<&str>,
) {
    let Reach::Some {
        owners,
        territories,
        ..
    } = reach
    else {
        return;
    };
    let mut parts: Vec<(&str, &[String])> = Vec::new();
    if let Some(column) = owner_column.filter(|_| !owners.is_empty()) {
        parts.push((column, owners));
    }
    if let Some(column) = territory_column.filter(|_| !territories.is_empty()) {
        parts.push((column, territories));
    }
    match parts.as_slice() {
        [] => {
            sql.push(" AND 1 = 0");
        }
        [(column, values)] => {
            sql.push(" AND ");
            push_in(sql, column, values);
        }
        _ => {
            sql.push(" AND (");
            for (index, (column, values)) in parts.iter().enumerate() {
                if index > 0 {
                    sql.push(" OR ");
                }
                push_in(sql, column, values);
            }
            sql.push(")");
        }
    }
}

/// The facts access needs about a record with this owner and territory (one query).
pub async fn facts(
    connection: &mut AnyConnection,
    owner_id: Option<Uuid>,
    territory_id: Option<Uuid>,
) -> StoreResult<RecordFacts> {
    if owner_id.is_none() && territory_id.is_none() {
        return Ok(RecordFacts::default());
    }
    let row = sqlx::query(
        "SELECT (SELECT department_id FROM users WHERE id = $1) AS department_id, \
         (SELECT path FROM territories WHERE id = $2) AS path",
    )
    .bind(owner_id.map(|id| id.to_string()))
    .bind(territory_id.map(|id| id.to_string()))
    .fetch_one(connection)
    .await?;
    Ok(RecordFacts {
        owner_id,
        owner_department_id: crate::parse_optional_id(
            row.try_get::<Option<String>, _>("department_id")?
                .as_deref(),
        )?,
        territory_path: row.try_get("path")?,
    })
}

/// The actor for a user record: their roles' rights and their territory's path.
pub async fn actor(connection: &mut AnyConnection, user: &Record<User>) -> StoreResult<Actor> {
    let held = roles::of_user(&mut *connection, user.meta.id).await?;
    let territory = match user.data.territory_id {
        Some(id) => {
            let row = sqlx::query("SELECT path FROM territories WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&mut *connection)
                .await?;
            match row {
                Some(row) => Some(TerritoryRef {
                    id,
                    path: row.try_get("path")?,
                    inside: Vec::new(),
                }),
                None => None,
            }
        }
        None => None,
    };
    let held = held
        .into_iter()
        .map(|role| HeldRole {
            code: role.code,
            rights: role.rights,
        })
        .collect();
    Ok(actor_of(user, held, territory))
}

/// The actor of a user holding `held` roles in `territory`.
fn actor_of(user: &Record<User>, held: Vec<HeldRole>, territory: Option<TerritoryRef>) -> Actor {
    Actor {
        user_id: user.meta.id,
        department_id: user.data.department_id,
        territory,
        roles: held,
        overrides: user.data.overrides.clone(),
    }
}

/// The live sign-in secret with this digest, its user and the user's actor, in one query: the
/// token with its user, the user's territory with the territories inside it (what a territory
/// scope lists), and the roles with their rights, the last two gathered as JSON. Every request
/// pays this, so it is kept to one round trip.
pub async fn actor_for_token(
    connection: &mut AnyConnection,
    token_hash: &str,
) -> StoreResult<Option<(users::Token, Record<User>, Actor)>> {
    let columns: String = users::COLUMNS
        .split(", ")
        .map(|column| format!("u.{column}"))
        .collect::<Vec<_>>()
        .join(", ");
    let roles = json_rows(connection, "r.code, r.rights");
    let inside = json_rows(connection, "x.id");
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT t.user_id, t.kind, t.csrf_token, t.expires_at, {columns}, tr.path AS territory_path, \
         (SELECT {roles} FROM user_roles ur JOIN roles r ON r.code = ur.role_code \
          WHERE ur.user_id = u.id) AS held_roles, \
         (SELECT {inside} FROM territories x \
          WHERE x.path >= tr.path AND x.path < tr.path || $3) AS territory_inside \
         FROM auth_tokens t JOIN users u ON u.id = t.user_id \
         LEFT JOIN territories tr ON tr.id = u.territory_id \
         WHERE t.token_hash = $1 AND u.active = 1 AND u.deleted_at IS NULL \
         AND (t.expires_at IS NULL OR t.expires_at > $2)"
    )))
    .bind(token_hash)
    .bind(crate::now_text())
    .bind(prefix_upper_bound(""))
    .fetch_optional(&mut *connection)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let token = users::token_from_row(&row)?;
    let mut held = read_json_rows::<(String, String)>(
        row.try_get::<Option<String>, _>("held_roles")?.as_deref(),
    )?
    .into_iter()
    .map(|(code, rights)| {
        Ok(HeldRole {
            code,
            rights: roles::rights_from_text(&rights)?,
        })
    })
    .collect::<StoreResult<Vec<_>>>()?;
    held.sort_by(|a, b| a.code.cmp(&b.code));
    let user = users::from_row(&row, held.iter().map(|role| role.code.clone()).collect())?;
    let path: Option<String> = row.try_get("territory_path")?;
    let territory = match (user.data.territory_id, path) {
        (Some(id), Some(path)) => Some(TerritoryRef {
            id,
            path,
            inside: read_json_rows::<(String,)>(
                row.try_get::<Option<String>, _>("territory_inside")?
                    .as_deref(),
            )?
            .into_iter()
            .map(|(id,)| crate::parse_id(&id))
            .collect::<StoreResult<Vec<_>>>()?,
        }),
        _ => None,
    };
    let actor = actor_of(&user, held, territory);
    Ok(Some((token, user, actor)))
}

/// Loads a user and their actor by id.
pub async fn user_and_actor(
    connection: &mut AnyConnection,
    user_id: Uuid,
) -> StoreResult<(Record<User>, Actor)> {
    let user = users::get(&mut *connection, user_id).await?;
    let actor = actor(connection, &user).await?;
    Ok((user, actor))
}
