//! Access administration pages: their routes, their tabs, and the pieces the role editor and the
//! user editor share — the permission matrix (kinds of record × operations, a level per cell), the
//! groups of checkboxes and the IP allow-list typed one network per line.
//!
//! Reading order: this module, then [`super::admin_roles`] (roles), [`super::admin_users`] (users
//! and departments), [`super::admin_access`] (effective access and the audit log),
//! [`super::admin_network`] (the trusted proxies).
//!
//! **Invariant:** these pages decide nothing about access themselves: reads are gated with
//! [`app::check_system`] (so a refusal is audited like any other) and every write goes through
//! `app::access_admin` or `app::users`, which check again.

use std::collections::BTreeMap;

use axum::Router;
use axum::routing::get;
use ferment_domain::access::{Level, Operation, RecordKind, SystemOp};
use ferment_domain::validation::Lang;
use ipnet::IpNet;
use serde_json::{Map, Value};

use super::forms::{Choice, FormData, FormErrors, keep_unknown};
use super::i18n::Texts;
use super::layout::{Ctx, PageResult, see_other};
use super::{admin_access, admin_network, admin_onec, admin_process, admin_roles, admin_users};
use crate::AppState;
use crate::app;

/// The administration routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(admin_home))
        .merge(admin_roles::routes())
        .merge(admin_users::routes())
        .merge(admin_access::routes())
        .merge(admin_network::routes())
        .merge(admin_process::routes())
        .merge(admin_onec::routes())
}

/// `GET /admin`: the first administration page the user may use.
async fn admin_home(ctx: Ctx) -> PageResult {
    let actor = &ctx.user.actor;
    if actor.may(SystemOp::ManageRoles) {
        return Ok(see_other("/admin/roles"));
    }
    if !actor.may(SystemOp::ManageUsers) && actor.may(SystemOp::EditProcess) {
        return Ok(see_other("/admin/process"));
    }
    if !actor.may(SystemOp::ManageUsers) && actor.may(SystemOp::EditTemplates) {
        return Ok(see_other("/admin/documents"));
    }
    if !actor.may(SystemOp::ManageUsers) && actor.may(SystemOp::ConfigureIntegrations) {
        return Ok(see_other("/admin/integrations"));
    }
    app::check_system(&ctx.user, SystemOp::ManageUsers)?;
    Ok(see_other("/admin/users"))
}

/// Refuses (403, audited) a user who may neither manage users nor manage roles.
pub fn check_admin(ctx: &Ctx) -> Result<(), crate::error::AppError> {
    if ctx.user.actor.may(SystemOp::ManageUsers) {
        return Ok(());
    }
    app::check_system(&ctx.user, SystemOp::ManageRoles)
}

/// One tab of the administration pages.
#[derive(Debug, Clone)]
pub struct Tab {
    /// Where it leads.
    pub href: &'static str,
    /// Its text.
    pub label: &'static str,
    /// Whether it is the page shown.
    pub current: bool,
}

/// The tabs the user may use, `current` highlighted (`roles`, `users`, `access`, `audit`,
/// `network`, `process`, `documents`, `company`, `integrations`).
pub fn tabs(ctx: &Ctx, current: &str) -> Vec<Tab> {
    let t = ctx.t;
    let roles = ctx.user.actor.may(SystemOp::ManageRoles);
    let users = ctx.user.actor.may(SystemOp::ManageUsers);
    [
        ("roles", "/admin/roles", t.admin_roles, roles),
        ("users", "/admin/users", t.admin_users, users),
        ("access", "/admin/access", t.admin_access, roles || users),
        ("audit", "/admin/audit", t.admin_audit, roles),
        ("network", "/admin/network", t.admin_network, roles),
        (
            "process",
            "/admin/process",
            t.admin_process,
            ctx.user.actor.may(SystemOp::EditProcess),
        ),
        (
            "documents",
            "/admin/documents",
            t.admin_documents,
            ctx.user.actor.may(SystemOp::EditTemplates),
        ),
        (
            "company",
            "/admin/company",
            t.admin_company,
            ctx.user.actor.may(SystemOp::EditTemplates),
        ),
        (
            "integrations",
            "/admin/integrations",
            t.admin_onec,
            ctx.user.actor.may(SystemOp::ConfigureIntegrations),
        ),
    ]
    .into_iter()
    .filter(|(_, _, _, allowed)| *allowed)
    .map(|(key, href, label, _)| Tab {
        href,
        label,
        current: key == current,
    })
    .collect()
}

/// The levels of a matrix as typed, by cell: a level's code, or empty for "no override". Kept as
/// text so that a value the use case refuses is shown back as sent.
pub type Cells = BTreeMap<(RecordKind, Operation), String>;

/// The input name of a cell: `permissions.counterparty.read` — the field name the domain's
/// errors use, so a message finds its cell.
pub fn cell_name(prefix: &str, kind: RecordKind, operation: Operation) -> String {
    format!("{prefix}.{}.{}", kind.code(), operation.code())
}

/// Reads every cell of the matrix named `prefix` from a posted form.
pub fn cells_from_form(form: &FormData, prefix: &str) -> Cells {
    let mut cells = Cells::new();
    for kind in RecordKind::ALL {
        for operation in Operation::ALL {
            let value = form.text(&cell_name(prefix, *kind, *operation));
            cells.insert((*kind, *operation), value.trim().to_string());
        }
    }
    cells
}

/// The cells of a stored matrix, `level(kind, operation)` giving each cell's level (`None`: empty).
pub fn cells_of(level: impl Fn(RecordKind, Operation) -> Option<Level>) -> Cells {
    let mut cells = Cells::new();
    for kind in RecordKind::ALL {
        for operation in Operation::ALL {
            let code = level(*kind, *operation).map_or("", Level::code);
            cells.insert((*kind, *operation), code.to_string());
        }
    }
    cells
}

/// The cells as the API's JSON, `{"kind": {"operation": "level"}}`; empty cells are left out.
pub fn cells_json(cells: &Cells) -> Value {
    let mut kinds = Map::new();
    for ((kind, operation), level) in cells {
        if level.is_empty() {
            continue;
        }
        let entry = kinds
            .entry(kind.code())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(operations) = entry {
            operations.insert(operation.code().into(), Value::from(level.as_str()));
        }
    }
    Value::Object(kinds)
}

/// A permission matrix on a page: a row per kind of record, a column per operation.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// The column headings (operations).
    pub columns: Vec<&'static str>,
    /// The rows.
    pub rows: Vec<MatrixRow>,
}

/// One kind of record in a [`Matrix`].
#[derive(Debug, Clone)]
pub struct MatrixRow {
    /// The kind's name.
    pub label: &'static str,
    /// One cell per operation.
    pub cells: Vec<MatrixCell>,
}

/// One select of a [`Matrix`].
#[derive(Debug, Clone)]
pub struct MatrixCell {
    /// The input's name (see [`cell_name`]).
    pub name: String,
    /// What a screen reader says: «Контрагенты — Чтение».
    pub label: String,
    /// The value selected (for the cell's colour).
    pub value: String,
    /// The options.
    pub choices: Vec<Choice>,
    /// The message beside the select.
    pub error: Option<String>,
}

/// Builds a matrix named `prefix` showing `cells`. With `no_override`, each cell starts with an
/// empty option labelled by that function (what the roles give), as the user editor needs.
pub fn matrix(
    lang: Lang,
    prefix: &str,
    cells: &Cells,
    errors: &mut FormErrors,
    no_override: Option<&dyn Fn(RecordKind, Operation) -> String>,
) -> Matrix {
    let rows = RecordKind::ALL
        .iter()
        .map(|kind| MatrixRow {
            label: kind.label(lang),
            cells: Operation::ALL
                .iter()
                .map(|operation| {
                    let name = cell_name(prefix, *kind, *operation);
                    let value = cells.get(&(*kind, *operation)).cloned().unwrap_or_default();
                    let mut choices: Vec<Choice> = no_override
                        .map(|label| vec![Choice::new("", label(*kind, *operation), &value)])
                        .unwrap_or_default();
                    choices.extend(
                        Level::ALL
                            .iter()
                            .map(|level| Choice::new(level.code(), level.label(lang), &value)),
                    );
                    keep_unknown(&mut choices, &value);
                    MatrixCell {
                        error: errors.take(&name),
                        label: format!("{} — {}", kind.label(lang), operation.label(lang)),
                        name,
                        value,
                        choices,
                    }
                })
                .collect(),
        })
        .collect();
    Matrix {
        columns: Operation::ALL.iter().map(|o| o.label(lang)).collect(),
        rows,
    }
}

/// One checkbox of a group sharing a name (`system`, `hidden_fields`, `roles`).
#[derive(Debug, Clone)]
pub struct CheckView {
    /// The value sent when ticked.
    pub value: String,
    /// Its text.
    pub label: String,
    /// Whether it is ticked.
    pub checked: bool,
}

impl CheckView {
    /// A checkbox for `value`, ticked when `ticked` holds it.
    pub fn new(value: &str, label: impl Into<String>, ticked: &[String]) -> CheckView {
        CheckView {
            checked: ticked.iter().any(|t| t == value),
            value: value.to_string(),
            label: label.into(),
        }
    }
}

/// An IP allow-list as typed in a textarea: the non-empty lines, trimmed, with their line numbers,
/// so that an error on `ip_allow[1]` (the second network) can name the line it was typed on.
#[derive(Debug, Clone, Default)]
pub struct IpLines(Vec<(usize, String)>);

impl IpLines {
    /// Splits the textarea's text.
    pub fn parse(text: &str) -> IpLines {
        IpLines(
            text.lines()
                .enumerate()
                .map(|(index, line)| (index + 1, line.trim().to_string()))
                .filter(|(_, line)| !line.is_empty())
                .collect(),
        )
    }

    /// The networks as typed.
    pub fn items(&self) -> Vec<String> {
        self.0.iter().map(|(_, item)| item.clone()).collect()
    }

    /// The networks as a JSON list.
    pub fn json(&self) -> Value {
        Value::Array(
            self.0
                .iter()
                .map(|(_, item)| Value::from(item.as_str()))
                .collect(),
        )
    }

    /// Takes the messages of `field` and its items, each naming its line:
    /// «Строка 2 (10.0.0.300/8): …».
    pub fn error(&self, t: &Texts, errors: &mut FormErrors, field: &str) -> Option<String> {
        let messages: Vec<String> = errors
            .take_items(field)
            .into_iter()
            .map(|(index, message)| match index.and_then(|i| self.0.get(i)) {
                Some((line, typed)) => format!("{} {line} ({typed}): {message}", t.line),
                None => message,
            })
            .collect();
        (!messages.is_empty()).then(|| messages.join("; "))
    }
}

/// A stored allow-list as the textarea shows it, one network per line.
pub fn ip_text(nets: &[IpNet]) -> String {
    nets.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferment_domain::validation::{FieldError, Problem};

    #[test]
    fn an_address_error_names_the_line_it_was_typed_on() {
        let lines = IpLines::parse("10.0.0.0/8\n\n  10.0.0.300/8 \n");
        assert_eq!(lines.items(), vec!["10.0.0.0/8", "10.0.0.300/8"]);
        let mut errors =
            FormErrors::new(&[FieldError::new("ip_allow[1]", Problem::Cidr)], Lang::En);
        let message = lines
            .error(&super::super::i18n::EN, &mut errors, "ip_allow")
            .unwrap();
        assert!(
            message.starts_with("Line 3 (10.0.0.300/8): Not an address"),
            "{message}"
        );
        assert!(errors.is_empty());
    }

    #[test]
    fn empty_cells_are_left_out_of_the_json() {
        let mut cells = cells_of(|_, _| None);
        cells.insert((RecordKind::Lead, Operation::Read), "team".into());
        assert_eq!(
            cells_json(&cells),
            serde_json::json!({"lead": {"read": "team"}})
        );
        let form = FormData::parse(b"overrides.lead.edit=all&permissions.lead.read=own");
        let typed = cells_from_form(&form, "overrides");
        assert_eq!(typed[&(RecordKind::Lead, Operation::Edit)], "all");
        assert_eq!(typed[&(RecordKind::Lead, Operation::Read)], "");
    }
}
