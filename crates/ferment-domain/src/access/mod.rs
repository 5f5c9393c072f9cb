//! The access decision: may this user do this to this record?
//!
//! **Invariant:** every read and write in Ferment asks [`decide`] (single records) or [`list_scope`]
//! (lists, searches, counts, exports); nothing else grants access. [`explain`] gives the same
//! answers with the rule behind each, for the "effective access" view.
//!
//! The model: a role grants, per kind of record and operation, a [`Level`] — `none`, `own` (records
//! the user owns), `team` (owned by users of the user's department), `territory` (records whose
//! territory lies in the user's territory or inside it), `all`. A user's roles add up; a per-user
//! override replaces what the roles give for one kind and operation. Roles also grant
//! [`SystemOp`]s, hide [`ProtectedField`]s, and restrict the addresses a user may come from
//! ([`ip`]).

pub mod ip;
pub mod rights;

use std::collections::BTreeMap;

use uuid::Uuid;

use crate::coded_enum;
pub use rights::{Overrides, Permissions, Rights};

coded_enum! {
    /// The kinds of record access is decided for.
    pub enum RecordKind {
        /// Counterparties.
        Counterparty => ("counterparty", "Контрагенты", "Counterparties"),
        /// Contacts (they follow their counterparty's owner and territory).
        Contact => ("contact", "Контакты", "Contacts"),
        /// Leads.
        Lead => ("lead", "Лиды", "Leads"),
        /// Sales (deals).
        Sale => ("sale", "Продажи", "Sales"),
        /// Tasks.
        Task => ("task", "Задачи", "Tasks"),
        /// Products and product groups.
        Product => ("product", "Номенклатура", "Products"),
        /// Warehouses and stock.
        Warehouse => ("warehouse", "Склады", "Warehouses"),
        /// Generated documents.
        Document => ("document", "Документы", "Documents"),
        /// Reports.
        Report => ("report", "Отчёты", "Reports"),
    }
}

coded_enum! {
    /// What a user wants to do to a record.
    pub enum Operation {
        /// See the record (or that it exists).
        Read => ("read", "Чтение", "Read"),
        /// Create a record.
        Create => ("create", "Создание", "Create"),
        /// Change a record.
        Edit => ("edit", "Изменение", "Edit"),
        /// Delete a record.
        Delete => ("delete", "Удаление", "Delete"),
        /// Export a list (only the rows the user may also read).
        Export => ("export", "Выгрузка", "Export"),
    }
}

coded_enum! {
    /// How far a permission reaches.
    pub enum Level {
        /// No record.
        None => ("none", "Нет", "None"),
        /// Records the user owns.
        Own => ("own", "Свои", "Own"),
        /// Records owned by users of the user's department.
        Team => ("team", "Отдела", "Team"),
        /// Records in the user's territory or inside it.
        Territory => ("territory", "Территории", "Territory"),
        /// Every record.
        All => ("all", "Все", "All"),
    }
}

coded_enum! {
    /// Operations on the system rather than on records.
    pub enum SystemOp {
        /// Create, change and deactivate users, assign roles and overrides.
        ManageUsers => ("manage_users", "Управление пользователями", "Manage users"),
        /// Create and change roles, IP rules and trusted proxies; see the audit log.
        ManageRoles => ("manage_roles", "Управление ролями", "Manage roles"),
        /// Edit document templates.
        EditTemplates => ("edit_templates", "Редактирование шаблонов", "Edit templates"),
        /// Edit the sales process definition.
        EditProcess => ("edit_process", "Редактирование процесса", "Edit the process"),
        /// Configure integrations (1C, mail).
        ConfigureIntegrations => ("configure_integrations", "Настройка интеграций", "Configure integrations"),
        /// See costs and margins.
        SeeCosts => ("see_costs", "Просмотр себестоимости и маржи", "See costs and margins"),
        /// Export lists to files.
        ExportLists => ("export_lists", "Выгрузка списков", "Export lists"),
    }
}

coded_enum! {
    /// Fields a role may be denied: hidden fields are absent from pages, API answers, exports and
    /// reports, and may not be written.
    pub enum ProtectedField {
        /// A product's base price.
        ProductPrice => ("product.price", "Цена номенклатуры", "Product price"),
    }
}

impl ProtectedField {
    /// The kind of record the field belongs to.
    pub fn kind(self) -> RecordKind {
        match self {
            ProtectedField::ProductPrice => RecordKind::Product,
        }
    }

    /// The field's name in that record's API representation.
    pub fn field(self) -> &'static str {
        match self {
            ProtectedField::ProductPrice => "price",
        }
    }
}

/// The role codes Ferment ships (roles are data: an administrator may add more).
pub mod roles {
    /// Administrator: everything.
    pub const ADMIN: &str = "admin";
    /// Sales manager: works all client data.
    pub const MANAGER: &str = "manager";
    /// Head of sales: all clients of all territories.
    pub const HEAD_OF_SALES: &str = "head_of_sales";
    /// Regional manager: the clients of their own territory.
    pub const REGIONAL_MANAGER: &str = "regional_manager";
    /// Technologist: the knowledge base and clients, no prices.
    pub const TECHNOLOGIST: &str = "technologist";
    /// Logistics: orders and receives samples, ships trial samples; sees clients and sales, no prices.
    pub const LOGISTICS: &str = "logistics";
}

/// A territory as access sees it: its id and its materialised path (`/RU/RU-CFD/RU-MOW/`), so that
/// "inside" is a prefix test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerritoryRef {
    /// The territory's id.
    pub id: Uuid,
    /// Its path from the root.
    pub path: String,
    /// The ids of this territory and of every territory inside it, when they were read with the
    /// actor (the store's lists filter by them); empty when not, and the store reads them then.
    pub inside: Vec<Uuid>,
}

impl TerritoryRef {
    /// Whether `path` is this territory or inside it.
    pub fn contains(&self, path: &str) -> bool {
        path.starts_with(&self.path)
    }
}

/// One of the actor's roles with its rights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldRole {
    /// The role's code.
    pub code: String,
    /// What the role grants.
    pub rights: Rights,
}

/// Who is acting: the signed-in user with everything access depends on, resolved once per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user's id.
    pub user_id: Uuid,
    /// The user's department (for `team`).
    pub department_id: Option<Uuid>,
    /// The user's territory (for `territory`).
    pub territory: Option<TerritoryRef>,
    /// The roles the user holds.
    pub roles: Vec<HeldRole>,
    /// The user's own overrides of what the roles give.
    pub overrides: Overrides,
}

impl Actor {
    /// An actor with these roles and nothing else (no department, territory or overrides).
    pub fn with_roles(user_id: Uuid, roles: Vec<HeldRole>) -> Actor {
        Actor {
            user_id,
            department_id: None,
            territory: None,
            roles,
            overrides: Overrides::default(),
        }
    }

    /// Whether the actor holds the role.
    pub fn has_role(&self, code: &str) -> bool {
        self.roles.iter().any(|r| r.code == code)
    }

    /// The role codes held.
    pub fn role_codes(&self) -> Vec<String> {
        self.roles.iter().map(|r| r.code.clone()).collect()
    }

    /// Whether any role grants the system operation.
    pub fn may(&self, operation: SystemOp) -> bool {
        self.roles
            .iter()
            .any(|role| role.rights.system.contains(&operation))
    }

    /// Whether the actor sees the field: hidden only when every role the actor holds hides it
    /// (permissions add up).
    pub fn sees(&self, field: ProtectedField) -> bool {
        self.roles
            .iter()
            .any(|role| !role.rights.hidden_fields.contains(&field))
    }

    /// The levels granted for `kind` and `operation`, with where each comes from.
    pub fn grants(&self, kind: RecordKind, operation: Operation) -> Vec<Grant> {
        if let Some(level) = self.overrides.get(kind, operation) {
            return vec![Grant {
                level,
                source: Source::Override,
            }];
        }
        self.roles
            .iter()
            .map(|role| Grant {
                level: role.rights.permissions.get(kind, operation),
                source: Source::Role(role.code.clone()),
            })
            .filter(|grant| grant.level != Level::None)
            .collect()
    }
}

/// Where a granted level comes from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", content = "code", rename_all = "snake_case")]
pub enum Source {
    /// A role the user holds (its code).
    Role(String),
    /// The user's own override.
    Override,
}

/// A level granted to the actor, and by what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// How far it reaches.
    pub level: Level,
    /// What grants it.
    pub source: Source,
}

/// The facts about one record that access depends on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordFacts {
    /// The record's owner, when it has one.
    pub owner_id: Option<Uuid>,
    /// The owner's department.
    pub owner_department_id: Option<Uuid>,
    /// The path of the record's territory, when it has one.
    pub territory_path: Option<String>,
}

/// Which records of a kind a list may show. The store turns it into SQL, so lists, counts, search
/// and exports are filtered in the database and never reveal hidden records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// No record.
    None,
    /// Every record.
    All,
    /// Records matching any of these.
    Some {
        /// Records owned by this user (`own`).
        owner: Option<Uuid>,
        /// Records owned by users of this department (`team`).
        department: Option<Uuid>,
        /// Records in this territory or inside it (`territory`).
        territory: Option<TerritoryRef>,
    },
}

/// Why an operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// The user may not see the record at all: callers answer "not found", so its existence does
    /// not leak.
    #[error("the record is not visible to this user")]
    Invisible,
    /// The user sees the record (or may create such records) but may not do this.
    #[error("{operation:?} on {kind:?} is not allowed for this user")]
    Forbidden {
        /// The kind of record.
        kind: RecordKind,
        /// The refused operation.
        operation: Operation,
    },
    /// A system operation the user's roles do not grant.
    #[error("{0:?} is not allowed for this user")]
    System(SystemOp),
}

/// Which records the actor may `operation` (for a list: `Operation::Read`; for an export, call
/// with `Export` and the store intersects it with `Read`).
pub fn list_scope(actor: &Actor, kind: RecordKind, operation: Operation) -> Scope {
    let grants = actor.grants(kind, operation);
    if grants.iter().any(|grant| grant.level == Level::All) {
        return Scope::All;
    }
    let has = |level: Level| grants.iter().any(|grant| grant.level == level);
    let team = has(Level::Team);
    let department = actor.department_id.filter(|_| team);
    // `team` without a department is the user alone
    let owner = (has(Level::Own) || (team && department.is_none())).then_some(actor.user_id);
    let territory = actor
        .territory
        .as_ref()
        .filter(|_| has(Level::Territory))
        .cloned();
    if owner.is_none() && department.is_none() && territory.is_none() {
        Scope::None
    } else {
        Scope::Some {
            owner,
            department,
            territory,
        }
    }
}

/// Whether a level reaches a record, and through which fact.
fn reaches(actor: &Actor, level: Level, record: &RecordFacts) -> Option<Reason> {
    let owned = record.owner_id.is_some() && record.owner_id == Some(actor.user_id);
    match level {
        Level::None => None,
        Level::All => Some(Reason::All),
        Level::Own => owned.then_some(Reason::Owner),
        Level::Team => {
            let same = actor.department_id.is_some()
                && record.owner_id.is_some()
                && record.owner_department_id == actor.department_id;
            (owned || same).then_some(Reason::Team)
        }
        Level::Territory => {
            let territory = actor.territory.as_ref()?;
            let path = record.territory_path.as_deref()?;
            territory.contains(path).then_some(Reason::Territory)
        }
    }
}

/// The record an operation is about.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// The kind as a whole: "may the user create such records at all?"
    Kind,
    /// A record about to be created, with the facts it will have.
    New(&'a RecordFacts),
    /// An existing record.
    Existing(&'a RecordFacts),
}

/// Why a grant reaches a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The level is `all`.
    All,
    /// The user owns the record.
    Owner,
    /// The owner is in the user's department (or is the user).
    Team,
    /// The record's territory is the user's or inside it.
    Territory,
    /// Creating: the level allows creating such records.
    MayCreate,
}

/// The rule that decided one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The operation.
    pub operation: Operation,
    /// The grant that allows it, and why it reaches the record; `None` when refused.
    pub allowed_by: Option<(Grant, Reason)>,
    /// Every level the user holds for the operation (empty: nothing grants it).
    pub grants: Vec<Grant>,
    /// The refusal, when refused.
    pub denied: Option<Denied>,
}

fn first_reaching(
    actor: &Actor,
    grants: &[Grant],
    record: &RecordFacts,
) -> Option<(Grant, Reason)> {
    grants
        .iter()
        .find_map(|grant| reaches(actor, grant.level, record).map(|reason| (grant.clone(), reason)))
}

/// Decides one operation, explaining the rule. Editing, deleting or exporting a record the user
/// cannot read is "invisible", not "forbidden", so its existence does not leak.
pub fn verdict(
    actor: &Actor,
    kind: RecordKind,
    operation: Operation,
    target: Target<'_>,
) -> Verdict {
    let grants = actor.grants(kind, operation);
    let refuse = |denied: Denied, grants: Vec<Grant>| Verdict {
        operation,
        allowed_by: None,
        grants,
        denied: Some(denied),
    };
    if let Target::Existing(record) = target
        && operation != Operation::Read
    {
        let read = actor.grants(kind, Operation::Read);
        if first_reaching(actor, &read, record).is_none() {
            return refuse(Denied::Invisible, grants);
        }
    }
    let allowed_by = match target {
        Target::Kind => grants
            .first()
            .map(|grant| (grant.clone(), Reason::MayCreate)),
        Target::New(record) | Target::Existing(record) => first_reaching(actor, &grants, record),
    };
    match allowed_by {
        Some(allowed_by) => Verdict {
            operation,
            allowed_by: Some(allowed_by),
            grants,
            denied: None,
        },
        None if operation == Operation::Read && matches!(target, Target::Existing(_)) => {
            refuse(Denied::Invisible, grants)
        }
        None => refuse(Denied::Forbidden { kind, operation }, grants),
    }
}

/// Decides one operation.
pub fn decide(
    actor: &Actor,
    kind: RecordKind,
    operation: Operation,
    target: Target<'_>,
) -> Result<(), Denied> {
    match verdict(actor, kind, operation, target).denied {
        None => Ok(()),
        Some(denied) => Err(denied),
    }
}

/// Decides a system operation.
pub fn decide_system(actor: &Actor, operation: SystemOp) -> Result<(), Denied> {
    if actor.may(operation) {
        Ok(())
    } else {
        Err(Denied::System(operation))
    }
}

/// Every operation on one record, with the rule behind each: the "effective access" view.
pub fn explain(actor: &Actor, kind: RecordKind, record: &RecordFacts) -> Vec<Verdict> {
    Operation::ALL
        .iter()
        .map(|operation| {
            let target = if *operation == Operation::Create {
                Target::New(record)
            } else {
                Target::Existing(record)
            };
            verdict(actor, kind, *operation, target)
        })
        .collect()
}

/// The levels a set of roles grants, cell by cell, with overrides applied: the matrix shown for a
/// user.
pub fn effective_matrix(actor: &Actor) -> BTreeMap<(RecordKind, Operation), Vec<Grant>> {
    let mut matrix = BTreeMap::new();
    for kind in RecordKind::ALL {
        for operation in Operation::ALL {
            matrix.insert((*kind, *operation), actor.grants(*kind, *operation));
        }
    }
    matrix
}

#[cfg(test)]
mod tests;
