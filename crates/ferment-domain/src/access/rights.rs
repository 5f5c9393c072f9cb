//! What a role grants ([`Rights`]), the per-user [`Overrides`], their validation from input, and
//! the rights of the roles Ferment ships.
//!
//! Stored and sent as JSON of codes: permissions and overrides as
//! `{"counterparty": {"read": "territory", "edit": "own"}, …}` (a missing cell is `none` in a role and
//! "no override" in overrides), system operations and hidden fields as lists of codes, `ip_allow` as
//! a list of CIDR strings.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;
use serde_json::{Map, Value};

use super::{Level, Operation, ProtectedField, RecordKind, SystemOp, roles};
use crate::validation::{Errors, FieldError, Problem};

/// Levels per kind of record and operation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Permissions(BTreeMap<(RecordKind, Operation), Level>);

impl Permissions {
    /// The level of one cell (`none` when unset).
    pub fn get(&self, kind: RecordKind, operation: Operation) -> Level {
        self.0
            .get(&(kind, operation))
            .copied()
            .unwrap_or(Level::None)
    }

    /// Sets one cell.
    pub fn set(&mut self, kind: RecordKind, operation: Operation, level: Level) {
        if level == Level::None {
            self.0.remove(&(kind, operation));
        } else {
            self.0.insert((kind, operation), level);
        }
    }

    /// The set cells.
    pub fn cells(&self) -> impl Iterator<Item = (RecordKind, Operation, Level)> + '_ {
        self.0.iter().map(|((k, o), l)| (*k, *o, *l))
    }

    /// As JSON: `{"kind": {"operation": "level"}}`, `none` cells left out.
    pub fn to_json(&self) -> Value {
        cells_to_json(self.0.iter().map(|(key, level)| (*key, *level)))
    }

    /// Reads the JSON of [`Permissions::to_json`]; errors name the cell (`permissions.lead.read`).
    pub fn from_json(value: &Value, field: &str) -> Result<Permissions, Vec<FieldError>> {
        let cells = cells_from_json(value, field)?;
        let mut permissions = Permissions::default();
        for ((kind, operation), level) in cells {
            permissions.set(kind, operation, level);
        }
        Ok(permissions)
    }
}

/// A user's own overrides: for a kind and operation, the level that replaces what the roles give
/// (wider or narrower, `none` included).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides(BTreeMap<(RecordKind, Operation), Level>);

impl Overrides {
    /// The override of one cell, if any.
    pub fn get(&self, kind: RecordKind, operation: Operation) -> Option<Level> {
        self.0.get(&(kind, operation)).copied()
    }

    /// Sets (`Some`) or clears (`None`) one cell's override.
    pub fn set(&mut self, kind: RecordKind, operation: Operation, level: Option<Level>) {
        match level {
            Some(level) => self.0.insert((kind, operation), level),
            None => self.0.remove(&(kind, operation)),
        };
    }

    /// Whether there is no override.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// As JSON, like [`Permissions::to_json`] but keeping `none` cells (an override to nothing).
    pub fn to_json(&self) -> Value {
        cells_to_json(self.0.iter().map(|(key, level)| (*key, *level)))
    }

    /// Reads the JSON of [`Overrides::to_json`].
    pub fn from_json(value: &Value, field: &str) -> Result<Overrides, Vec<FieldError>> {
        Ok(Overrides(cells_from_json(value, field)?))
    }
}

fn cells_to_json(cells: impl Iterator<Item = ((RecordKind, Operation), Level)>) -> Value {
    let mut kinds = Map::new();
    for ((kind, operation), level) in cells {
        let entry = kinds
            .entry(kind.code())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(operations) = entry {
            operations.insert(operation.code().into(), Value::from(level.code()));
        }
    }
    Value::Object(kinds)
}

fn cells_from_json(
    value: &Value,
    field: &str,
) -> Result<BTreeMap<(RecordKind, Operation), Level>, Vec<FieldError>> {
    let mut errors = Errors::new();
    let mut cells = BTreeMap::new();
    let Some(kinds) = value.as_object() else {
        if value.is_null() {
            return Ok(cells);
        }
        return Err(vec![FieldError::new(
            field,
            Problem::Type { expected: "object" },
        )]);
    };
    for (kind_code, operations) in kinds {
        let kind_field = format!("{field}.{kind_code}");
        let Some(kind) = errors.take(&kind_field, RecordKind::parse(kind_code)) else {
            continue;
        };
        let Some(operations) = operations.as_object() else {
            errors.check(&kind_field, Err(Problem::Type { expected: "object" }));
            continue;
        };
        for (operation_code, level) in operations {
            let cell_field = format!("{kind_field}.{operation_code}");
            let operation = errors.take(&cell_field, Operation::parse(operation_code));
            let level = match level.as_str() {
                Some(code) => errors.take(&cell_field, Level::parse(code)),
                None => {
                    errors.check(&cell_field, Err(Problem::Type { expected: "text" }));
                    None
                }
            };
            if let (Some(operation), Some(level)) = (operation, level) {
                cells.insert((kind, operation), level);
            }
        }
    }
    errors.finish(cells)
}

/// Everything a role grants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rights {
    /// Levels per kind and operation.
    pub permissions: Permissions,
    /// System operations.
    pub system: BTreeSet<SystemOp>,
    /// Fields the role may not see.
    pub hidden_fields: BTreeSet<ProtectedField>,
    /// Addresses the role's users may come from (empty: anywhere).
    pub ip_allow: Vec<IpNet>,
}

/// Parses a list of codes of a closed list; errors name the item (`system[2]`).
pub fn codes_from_json<T: Ord>(
    value: &Value,
    field: &str,
    parse: impl Fn(&str) -> Result<T, Problem>,
) -> Result<BTreeSet<T>, Vec<FieldError>> {
    let mut errors = Errors::new();
    let mut set = BTreeSet::new();
    for (index, item) in list_items(value, field)?.iter().enumerate() {
        let item_field = format!("{field}[{index}]");
        match item.as_str() {
            Some(code) => {
                if let Some(value) = errors.take(&item_field, parse(code)) {
                    set.insert(value);
                }
            }
            None => errors.check(&item_field, Err(Problem::Type { expected: "text" })),
        }
    }
    errors.finish(set)
}

fn list_items<'a>(value: &'a Value, field: &str) -> Result<&'a [Value], Vec<FieldError>> {
    match value {
        Value::Null => Ok(&[]),
        Value::Array(items) => Ok(items),
        _ => Err(vec![FieldError::new(
            field,
            Problem::Type { expected: "list" },
        )]),
    }
}

/// Parses an IP allow-list: CIDR strings (`10.1.0.0/16`, `2001:db8::/32`) or single addresses;
/// errors name the item (`ip_allow[1]`). Host bits are cleared (`10.1.2.3/16` → `10.1.0.0/16`).
pub fn ip_allow_from_json(value: &Value, field: &str) -> Result<Vec<IpNet>, Vec<FieldError>> {
    let mut errors = Errors::new();
    let mut nets = Vec::new();
    for (index, item) in list_items(value, field)?.iter().enumerate() {
        let item_field = format!("{field}[{index}]");
        match item.as_str().map(super::ip::parse_net) {
            Some(Ok(net)) => nets.push(net),
            Some(Err(problem)) => errors.check(&item_field, Err(problem)),
            None => errors.check(&item_field, Err(Problem::Type { expected: "text" })),
        }
    }
    nets.sort();
    nets.dedup();
    errors.finish(nets)
}

/// An IP allow-list as JSON strings.
pub fn ip_allow_to_json(nets: &[IpNet]) -> Value {
    Value::Array(nets.iter().map(|n| Value::from(n.to_string())).collect())
}

impl Rights {
    /// The rights as stored: `{"permissions", "system", "hidden_fields", "ip_allow"}`.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "permissions": self.permissions.to_json(),
            "system": self.system.iter().map(|s| s.code()).collect::<Vec<_>>(),
            "hidden_fields": self.hidden_fields.iter().map(|f| f.code()).collect::<Vec<_>>(),
            "ip_allow": ip_allow_to_json(&self.ip_allow),
        })
    }

    /// Reads rights from an object with those four fields (each optional); every problem is named.
    pub fn from_json(value: &Value) -> Result<Rights, Vec<FieldError>> {
        let null = Value::Null;
        let get = |name: &str| value.get(name).unwrap_or(&null);
        let mut errors = Vec::new();
        let permissions = keep(
            &mut errors,
            Permissions::from_json(get("permissions"), "permissions"),
        );
        let system = keep(
            &mut errors,
            codes_from_json(get("system"), "system", SystemOp::parse),
        );
        let hidden_fields = keep(
            &mut errors,
            codes_from_json(get("hidden_fields"), "hidden_fields", ProtectedField::parse),
        );
        let ip_allow = keep(&mut errors, ip_allow_from_json(get("ip_allow"), "ip_allow"));
        match (permissions, system, hidden_fields, ip_allow) {
            (Some(permissions), Some(system), Some(hidden_fields), Some(ip_allow))
                if errors.is_empty() =>
            {
                Ok(Rights {
                    permissions,
                    system,
                    hidden_fields,
                    ip_allow,
                })
            }
            _ => Err(errors),
        }
    }
}

/// The value of `result`, or `None` with its errors added to `errors`.
fn keep<T>(errors: &mut Vec<FieldError>, result: Result<T, Vec<FieldError>>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(mut found) => {
            errors.append(&mut found);
            None
        }
    }
}

/// The kinds a sales role works (client data).
const CLIENT_KINDS: [RecordKind; 6] = [
    RecordKind::Counterparty,
    RecordKind::Contact,
    RecordKind::Lead,
    RecordKind::Sale,
    RecordKind::Task,
    RecordKind::Document,
];

fn grant(rights: &mut Rights, kinds: &[RecordKind], operations: &[Operation], level: Level) {
    for kind in kinds {
        for operation in operations {
            rights.permissions.set(*kind, *operation, level);
        }
    }
}

/// The rights of a role Ferment ships, by code (`None` for other codes). Seeded once; an
/// administrator may change them afterwards.
pub fn shipped(code: &str) -> Option<Rights> {
    use Operation::{Create, Delete, Edit, Export, Read};
    let mut rights = Rights::default();
    let catalog = [RecordKind::Product, RecordKind::Warehouse];
    match code {
        roles::ADMIN => {
            grant(&mut rights, RecordKind::ALL, Operation::ALL, Level::All);
            rights.system = SystemOp::ALL.iter().copied().collect();
        }
        roles::MANAGER => {
            grant(
                &mut rights,
                &CLIENT_KINDS,
                &[Read, Create, Edit, Export],
                Level::All,
            );
            grant(&mut rights, &CLIENT_KINDS, &[Delete], Level::Own);
            grant(&mut rights, &catalog, Operation::ALL, Level::All);
            grant(&mut rights, &[RecordKind::Report], &[Read], Level::Own);
            rights.system.insert(SystemOp::ExportLists);
        }
        roles::HEAD_OF_SALES => {
            grant(&mut rights, &CLIENT_KINDS, Operation::ALL, Level::All);
            grant(&mut rights, &catalog, &[Read, Export], Level::All);
            grant(
                &mut rights,
                &[RecordKind::Report],
                &[Read, Create, Export],
                Level::All,
            );
            rights
                .system
                .extend([SystemOp::SeeCosts, SystemOp::ExportLists]);
        }
        roles::REGIONAL_MANAGER => {
            grant(
                &mut rights,
                &CLIENT_KINDS,
                &[Read, Create, Edit, Export],
                Level::Territory,
            );
            grant(&mut rights, &CLIENT_KINDS, &[Delete], Level::Own);
            grant(&mut rights, &catalog, &[Read], Level::All);
            grant(&mut rights, &[RecordKind::Report], &[Read], Level::Own);
            rights.system.insert(SystemOp::ExportLists);
        }
        roles::TECHNOLOGIST => {
            grant(
                &mut rights,
                &[
                    RecordKind::Counterparty,
                    RecordKind::Contact,
                    RecordKind::Sale,
                ],
                &[Read],
                Level::All,
            );
            grant(&mut rights, &[RecordKind::Task], &[Read, Edit], Level::Own);
            grant(&mut rights, &catalog, &[Read], Level::All);
            grant(&mut rights, &[RecordKind::Document], &[Read], Level::All);
            rights.hidden_fields.insert(ProtectedField::ProductPrice);
        }
        roles::LOGISTICS => {
            grant(
                &mut rights,
                &[
                    RecordKind::Counterparty,
                    RecordKind::Contact,
                    RecordKind::Sale,
                ],
                &[Read],
                Level::All,
            );
            grant(&mut rights, &[RecordKind::Task], &[Read, Edit], Level::Own);
            grant(&mut rights, &[RecordKind::Product], &[Read], Level::All);
            grant(
                &mut rights,
                &[RecordKind::Warehouse],
                &[Read, Edit],
                Level::All,
            );
            rights.hidden_fields.insert(ProtectedField::ProductPrice);
        }
        _ => return None,
    }
    Some(rights)
}
