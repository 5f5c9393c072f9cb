//! The access decision: may this user do this to this kind of record?
//!
//! **Invariant:** every read and write in Ferment asks [`decide`] (single records) or [`list_scope`]
//! (lists, searches, counts, exports); nothing else grants access. Today two roles exist — `admin`
//! (everything, including users) and `manager` (all client data, not the accounts of others); the
//! full rights model (operation scopes by territory and ownership, per-user overrides, IP rules)
//! replaces the rule table here without touching the callers.

use uuid::Uuid;

use crate::coded_enum;

coded_enum! {
    /// The kinds of record access is decided for.
    pub enum RecordKind {
        /// Counterparties.
        Counterparty => ("counterparty", "Контрагенты", "Counterparties"),
        /// Contacts.
        Contact => ("contact", "Контакты", "Contacts"),
        /// Products and product groups.
        Product => ("product", "Номенклатура", "Products"),
        /// Warehouses and stock.
        Warehouse => ("warehouse", "Склады", "Warehouses"),
        /// Territories.
        Territory => ("territory", "Территории", "Territories"),
        /// User accounts.
        User => ("user", "Пользователи", "Users"),
    }
}

coded_enum! {
    /// What a user wants to do.
    pub enum Operation {
        /// See the record (or that it exists).
        Read => ("read", "Чтение", "Read"),
        /// Create a record.
        Create => ("create", "Создание", "Create"),
        /// Change a record.
        Edit => ("edit", "Изменение", "Edit"),
        /// Delete a record.
        Delete => ("delete", "Удаление", "Delete"),
        /// Export a list.
        Export => ("export", "Выгрузка", "Export"),
    }
}

/// The role codes that exist before the rights model lands.
pub mod roles {
    /// Administrator: everything.
    pub const ADMIN: &str = "admin";
    /// Sales manager: all client data.
    pub const MANAGER: &str = "manager";
}

/// Who is acting: the signed-in user with what access depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user's id.
    pub user_id: Uuid,
    /// The user's role codes.
    pub roles: Vec<String>,
    /// The user's territory.
    pub territory_id: Option<Uuid>,
}

impl Actor {
    /// Whether the actor holds the role.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

/// The facts about one record that access depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecordFacts {
    /// The record's owner, when it has one.
    pub owner_id: Option<Uuid>,
    /// The record's territory, when it has one.
    pub territory_id: Option<Uuid>,
}

/// Which records of a kind a list may show. The store turns it into SQL, so lists, counts and search
/// are filtered in the database and never reveal hidden records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// No record.
    None,
    /// Records the user owns.
    Own(Uuid),
    /// Every record.
    All,
}

/// Why an operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// The user may not see the record at all: callers answer "not found", so its existence does
    /// not leak.
    #[error("the record is not visible to this user")]
    Invisible,
    /// The user sees the record but may not do this.
    #[error("{operation:?} on {kind:?} is not allowed for this user")]
    Forbidden {
        /// The kind of record.
        kind: RecordKind,
        /// The refused operation.
        operation: Operation,
    },
}

/// The scope a role grants for an operation on a kind.
fn role_scope(role: &str, kind: RecordKind, operation: Operation, user_id: Uuid) -> Scope {
    match (role, kind, operation) {
        (roles::ADMIN, _, _) => Scope::All,
        (roles::MANAGER, RecordKind::User, Operation::Read) => Scope::All,
        (roles::MANAGER, RecordKind::User, Operation::Edit) => Scope::Own(user_id),
        (roles::MANAGER, RecordKind::Territory, Operation::Read) => Scope::All,
        (roles::MANAGER, RecordKind::User | RecordKind::Territory, _) => Scope::None,
        (roles::MANAGER, _, _) => Scope::All,
        _ => Scope::None,
    }
}

/// The widest scope any of the actor's roles grants (permissions add up).
pub fn list_scope(actor: &Actor, kind: RecordKind, operation: Operation) -> Scope {
    let mut widest = Scope::None;
    for role in &actor.roles {
        match role_scope(role, kind, operation, actor.user_id) {
            Scope::All => return Scope::All,
            Scope::Own(id) => widest = Scope::Own(id),
            Scope::None => {}
        }
    }
    widest
}

fn scope_covers(scope: &Scope, record: &RecordFacts, record_id: Option<Uuid>) -> bool {
    match scope {
        Scope::All => true,
        Scope::Own(user) => record.owner_id == Some(*user) || record_id == Some(*user),
        Scope::None => false,
    }
}

/// Decides one operation on one record (`record` is `None` for a creation). `record_id` lets a user
/// record count as owned by itself.
pub fn decide(
    actor: &Actor,
    kind: RecordKind,
    operation: Operation,
    record: Option<(Uuid, RecordFacts)>,
) -> Result<(), Denied> {
    let facts = record.map(|(_, facts)| facts).unwrap_or_default();
    let id = record.map(|(id, _)| id);
    if record.is_some() && operation != Operation::Read {
        let read = list_scope(actor, kind, Operation::Read);
        if !scope_covers(&read, &facts, id) {
            return Err(Denied::Invisible);
        }
    }
    let scope = list_scope(actor, kind, operation);
    let allowed = match record {
        None => scope != Scope::None,
        Some(_) => scope_covers(&scope, &facts, id),
    };
    match (allowed, operation) {
        (true, _) => Ok(()),
        (false, Operation::Read) if record.is_some() => Err(Denied::Invisible),
        (false, _) => Err(Denied::Forbidden { kind, operation }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: &str) -> Actor {
        Actor {
            user_id: Uuid::from_u128(1),
            roles: vec![role.into()],
            territory_id: None,
        }
    }

    #[test]
    fn an_admin_may_do_everything() {
        let admin = actor(roles::ADMIN);
        for kind in RecordKind::ALL {
            for operation in Operation::ALL {
                assert_eq!(decide(&admin, *kind, *operation, None), Ok(()));
            }
        }
    }

    #[test]
    fn a_manager_works_all_client_data_but_not_accounts() {
        let manager = actor(roles::MANAGER);
        let other = (Uuid::from_u128(2), RecordFacts::default());
        for kind in [
            RecordKind::Counterparty,
            RecordKind::Contact,
            RecordKind::Product,
            RecordKind::Warehouse,
        ] {
            for operation in Operation::ALL {
                assert_eq!(
                    decide(&manager, kind, *operation, Some(other)),
                    Ok(()),
                    "{kind:?} {operation:?}"
                );
            }
        }
        assert_eq!(
            decide(&manager, RecordKind::User, Operation::Read, Some(other)),
            Ok(())
        );
        assert_eq!(
            decide(&manager, RecordKind::User, Operation::Edit, Some(other)),
            Err(Denied::Forbidden {
                kind: RecordKind::User,
                operation: Operation::Edit
            })
        );
        let own = (Uuid::from_u128(1), RecordFacts::default());
        assert_eq!(
            decide(&manager, RecordKind::User, Operation::Edit, Some(own)),
            Ok(())
        );
        assert_eq!(
            decide(&manager, RecordKind::User, Operation::Create, None),
            Err(Denied::Forbidden {
                kind: RecordKind::User,
                operation: Operation::Create
            })
        );
    }

    #[test]
    fn a_user_without_roles_sees_nothing() {
        let nobody = Actor {
            roles: vec![],
            ..actor(roles::MANAGER)
        };
        let record = (Uuid::from_u128(2), RecordFacts::default());
        assert_eq!(
            decide(
                &nobody,
                RecordKind::Counterparty,
                Operation::Read,
                Some(record)
            ),
            Err(Denied::Invisible)
        );
        assert_eq!(
            decide(
                &nobody,
                RecordKind::Counterparty,
                Operation::Edit,
                Some(record)
            ),
            Err(Denied::Invisible)
        );
        assert_eq!(
            list_scope(&nobody, RecordKind::Counterparty, Operation::Read),
            Scope::None
        );
    }
}
