//! Tasks: set by the process engine or by hand; "my tasks" (overdue, today, upcoming) and a sale's
//! tasks are index range scans.
//!
//! For access a task's owner is its assignee and its territory is its client's, so a technologist
//! with `own` rights sees the tasks given to them and a regional manager those of their territory.

use chrono::{DateTime, NaiveDate, Utc};
use ferment_domain::access::Scope;
use ferment_domain::process::TaskStatus;
use ferment_domain::task::TaskFields;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};
use uuid::Uuid;

use crate::access::{self, push_reaches};
use crate::history::{self, Action};
use crate::list::{Cursor, Page};
use crate::sales::{date_text, parse_date};
use crate::sql::{Arg, Sql};
use crate::{
    Meta, StoreError, StoreResult, new_id, now_text, parse_id, parse_optional_id, parse_time,
};

/// The kind name of tasks in the history.
pub const KIND: &str = "task";

/// A task as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRecord {
    /// Id, version, times.
    pub meta: Meta,
    /// Kind: a process task code (`send_kp`) or a manual kind (`call`).
    pub kind: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Sale.
    pub sale_id: Option<Uuid>,
    /// Counterparty.
    pub counterparty_id: Option<Uuid>,
    /// Product (sample tasks).
    pub product_id: Option<Uuid>,
    /// The stage that set it.
    pub stage: Option<String>,
    /// Assignee.
    pub assignee_id: Option<Uuid>,
    /// The client's territory (for access).
    pub territory_id: Option<Uuid>,
    /// Due date.
    pub due_on: NaiveDate,
    /// Status.
    pub status: TaskStatus,
    /// Outcome code.
    pub outcome: Option<String>,
    /// Outcome data.
    pub outcome_data: Option<serde_json::Value>,
    /// Completion comment.
    pub comment: Option<String>,
    /// Who set it.
    pub created_by: Option<Uuid>,
    /// When it was completed or cancelled.
    pub completed_at: Option<DateTime<Utc>>,
    /// By whom.
    pub completed_by: Option<Uuid>,
}

/// What the change history records of a task.
#[derive(Serialize)]
pub(crate) struct Snapshot<'a> {
    title: &'a str,
    description: &'a Option<String>,
    assignee_id: Option<Uuid>,
    due_on: NaiveDate,
    status: TaskStatus,
    outcome: &'a Option<String>,
    outcome_data: &'a Option<serde_json::Value>,
    comment: &'a Option<String>,
}

impl TaskRecord {
    pub(crate) fn snapshot(&self) -> Snapshot<'_> {
        Snapshot {
            title: &self.title,
            description: &self.description,
            assignee_id: self.assignee_id,
            due_on: self.due_on,
            status: self.status,
            outcome: &self.outcome,
            outcome_data: &self.outcome_data,
            comment: &self.comment,
        }
    }
}

const COLUMNS: &str = "t.id, t.version, t.created_at, t.updated_at, t.kind, t.title, t.description, t.sale_id, \
    t.counterparty_id, t.product_id, t.stage, t.assignee_id, t.territory_id, t.due_on, t.status, t.outcome, \
    t.outcome_data, t.comment, t.created_by, t.completed_at, t.completed_by";

fn opt_id(row: &AnyRow, column: &str) -> StoreResult<Option<Uuid>> {
    parse_optional_id(row.try_get::<Option<String>, _>(column)?.as_deref())
}

fn from_row(row: &AnyRow) -> StoreResult<TaskRecord> {
    let status: String = row.try_get("status")?;
    let due_on: String = row.try_get("due_on")?;
    Ok(TaskRecord {
        meta: Meta::from_row(row)?,
        kind: row.try_get("kind")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        sale_id: opt_id(row, "sale_id")?,
        counterparty_id: opt_id(row, "counterparty_id")?,
        product_id: opt_id(row, "product_id")?,
        stage: row.try_get("stage")?,
        assignee_id: opt_id(row, "assignee_id")?,
        territory_id: opt_id(row, "territory_id")?,
        due_on: parse_date(Some(due_on))?.unwrap_or_default(),
        status: TaskStatus::from_code(&status)
            .ok_or_else(|| StoreError::Other(anyhow::anyhow!("bad task status {status:?}")))?,
        outcome: row.try_get("outcome")?,
        outcome_data: row
            .try_get::<Option<String>, _>("outcome_data")?
            .and_then(|d| serde_json::from_str(&d).ok()),
        comment: row.try_get("comment")?,
        created_by: opt_id(row, "created_by")?,
        completed_at: row
            .try_get::<Option<String>, _>("completed_at")?
            .map(|t| parse_time(&t))
            .transpose()?,
        completed_by: opt_id(row, "completed_by")?,
    })
}

/// Reads a live task.
pub async fn get(connection: &mut AnyConnection, id: Uuid) -> StoreResult<TaskRecord> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM tasks t WHERE t.id = $1 AND t.deleted_at IS NULL"
    )))
    .bind(id.to_string())
    .fetch_optional(&mut *connection)
    .await?
    .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

/// Every task of a sale, in the order they were set.
pub async fn of_sale(
    connection: &mut AnyConnection,
    sale_id: Uuid,
) -> StoreResult<Vec<TaskRecord>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM tasks t WHERE t.sale_id = $1 AND t.deleted_at IS NULL ORDER BY t.created_at, t.id"
    )))
    .bind(sale_id.to_string())
    .fetch_all(connection)
    .await?;
    rows.iter().map(from_row).collect()
}

/// A task to create.
#[derive(Debug, Clone)]
pub struct NewTask {
    /// Kind code.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Sale.
    pub sale_id: Option<Uuid>,
    /// Counterparty.
    pub counterparty_id: Option<Uuid>,
    /// Product.
    pub product_id: Option<Uuid>,
    /// Stage that sets it.
    pub stage: Option<String>,
    /// Assignee.
    pub assignee_id: Option<Uuid>,
    /// Client's territory.
    pub territory_id: Option<Uuid>,
    /// Due date.
    pub due_on: NaiveDate,
}

/// Creates a task (open).
pub async fn insert(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    task: &NewTask,
) -> StoreResult<TaskRecord> {
    let id = new_id();
    let now = now_text();
    let mut sql = Sql::new(
        "INSERT INTO tasks (id, created_at, updated_at, version, kind, title, description, sale_id, counterparty_id, \
         product_id, stage, assignee_id, territory_id, due_on, status, created_by) VALUES (",
    );
    sql.bind_list([
        Arg::Text(id.to_string()),
        Arg::Text(now.clone()),
        Arg::Text(now),
        Arg::Int(1),
        Arg::Text(task.kind.clone()),
        Arg::Text(task.title.clone()),
        Arg::OptText(task.description.clone()),
        Arg::OptText(task.sale_id.map(|id| id.to_string())),
        Arg::OptText(task.counterparty_id.map(|id| id.to_string())),
        Arg::OptText(task.product_id.map(|id| id.to_string())),
        Arg::OptText(task.stage.clone()),
        Arg::OptText(task.assignee_id.map(|id| id.to_string())),
        Arg::OptText(task.territory_id.map(|id| id.to_string())),
        Arg::Text(date_text(task.due_on)),
        Arg::Text(TaskStatus::Open.code().into()),
        Arg::OptText(user_id.map(|id| id.to_string())),
    ]);
    sql.push(")");
    sql.query().execute(&mut *connection).await?;
    let record = get(connection, id).await?;
    history::record_change(
        connection,
        KIND,
        id,
        Action::Create,
        user_id,
        None,
        Some(&record.snapshot()),
    )
    .await?;
    Ok(record)
}

/// Changes a task's title, description, assignee or due date if its version is still
/// `expected_version`.
pub async fn update_fields(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
    expected_version: i64,
    fields: &TaskFields,
    due_on: NaiveDate,
) -> StoreResult<TaskRecord> {
    let old = get(connection, id).await?;
    if old.meta.version != expected_version {
        return Err(StoreError::StaleVersion {
            current: old.meta.version,
        });
    }
    sqlx::query(
        "UPDATE tasks SET title = $1, description = $2, assignee_id = $3, due_on = $4, updated_at = $5, \
         version = version + 1 WHERE id = $6",
    )
    .bind(&fields.title)
    .bind(fields.description.clone())
    .bind(fields.assignee_id.map(|id| id.to_string()))
    .bind(date_text(due_on))
    .bind(now_text())
    .bind(id.to_string())
    .execute(&mut *connection)
    .await?;
    finish_change(connection, user_id, old).await
}

async fn finish_change(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    old: TaskRecord,
) -> StoreResult<TaskRecord> {
    let new = get(connection, old.meta.id).await?;
    history::record_change(
        connection,
        KIND,
        old.meta.id,
        Action::Update,
        user_id,
        Some(&old.snapshot()),
        Some(&new.snapshot()),
    )
    .await?;
    Ok(new)
}

/// Closes an open task as done (with its outcome) or cancelled. A task no longer open is a stale
/// version: someone else closed it first.
pub async fn close(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
    status: TaskStatus,
    outcome: Option<&str>,
    outcome_data: Option<&serde_json::Value>,
    comment: Option<&str>,
) -> StoreResult<TaskRecord> {
    let old = get(connection, id).await?;
    let changed = sqlx::query(
        "UPDATE tasks SET status = $1, outcome = $2, outcome_data = $3, comment = $4, completed_at = $5, \
         completed_by = $6, updated_at = $5, version = version + 1 WHERE id = $7 AND status = 'open'",
    )
    .bind(status.code())
    .bind(outcome.map(str::to_string))
    .bind(outcome_data.map(|d| d.to_string()))
    .bind(comment.map(str::to_string))
    .bind(now_text())
    .bind(user_id.map(|id| id.to_string()))
    .bind(id.to_string())
    .execute(&mut *connection)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(StoreError::StaleVersion {
            current: old.meta.version,
        });
    }
    finish_change(connection, user_id, old).await
}

/// Which of a user's tasks: by due date relative to `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Due before today.
    Overdue,
    /// Due today.
    Today,
    /// Due after today.
    Upcoming,
}

/// Filters of a task list.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Only this sale's.
    pub sale_id: Option<Uuid>,
    /// Only this counterparty's.
    pub counterparty_id: Option<Uuid>,
    /// Only this assignee's.
    pub assignee_id: Option<Uuid>,
    /// Only this status.
    pub status: Option<TaskStatus>,
    /// Only this kind.
    pub kind: Option<String>,
    /// Only due before/on/after `today`.
    pub due: Option<(Due, NaiveDate)>,
    /// Continue after this row.
    pub cursor: Option<Cursor>,
    /// Page size.
    pub limit: i64,
}

/// A task as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    /// The task.
    pub task: TaskRecord,
    /// The sale's title.
    pub sale_title: Option<String>,
    /// The client's name.
    pub counterparty_name: Option<String>,
    /// The assignee's name.
    pub assignee_name: Option<String>,
    /// The product's name.
    pub product_name: Option<String>,
}

/// One page of tasks, by due date.
pub async fn list(
    connection: &mut AnyConnection,
    scope: &Scope,
    query: &ListQuery,
) -> StoreResult<Page<ListRow>> {
    list_within(connection, &[scope], query).await
}

/// One page of tasks inside every one of `scopes` (an export: readable and exportable).
pub async fn list_within(
    connection: &mut AnyConnection,
    scopes: &[&Scope],
    query: &ListQuery,
) -> StoreResult<Page<ListRow>> {
    let reaches = access::resolve_all(&mut *connection, scopes).await?;
    let mut sql = Sql::new("SELECT ");
    sql.push(COLUMNS).push(
        ", s.title AS sale_title, cp.name AS counterparty_name, u.full_name AS assignee_name, p.name AS product_name \
         FROM tasks t LEFT JOIN sales s ON s.id = t.sale_id LEFT JOIN counterparties cp ON cp.id = t.counterparty_id \
         LEFT JOIN users u ON u.id = t.assignee_id LEFT JOIN products p ON p.id = t.product_id \
         WHERE t.deleted_at IS NULL",
    );
    push_reaches(
        &mut sql,
        &reaches,
        Some("t.assignee_id"),
        Some("t.territory_id"),
    );
    let filters: [(&str, Option<String>); 5] = [
        ("t.sale_id", query.sale_id.map(|id| id.to_string())),
        (
            "t.counterparty_id",
            query.counterparty_id.map(|id| id.to_string()),
        ),
        ("t.assignee_id", query.assignee_id.map(|id| id.to_string())),
        ("t.status", query.status.map(|s| s.code().to_string())),
        ("t.kind", query.kind.clone()),
    ];
    for (column, value) in filters {
        if let Some(value) = value {
            sql.push(" AND ").push(column).push(" = ").bind_text(value);
        }
    }
    if let Some((due, today)) = query.due {
        let op = match due {
            Due::Overdue => " < ",
            Due::Today => " = ",
            Due::Upcoming => " > ",
        };
        sql.push(" AND t.due_on")
            .push(op)
            .bind_text(date_text(today));
    }
    if let Some(cursor) = &query.cursor {
        sql.push(" AND (t.due_on, t.id) > (")
            .bind_text(cursor.value.clone())
            .push(", ")
            .bind_text(cursor.id.clone())
            .push(")");
    }
    sql.push(" ORDER BY t.due_on, t.id LIMIT ")
        .push_count(query.limit + 1);
    let rows = sql.query().fetch_all(connection).await?;
    let mut items = Vec::new();
    let mut last = None;
    for row in rows.iter().take(query.limit as usize) {
        let task = from_row(row)?;
        last = Some(Cursor {
            value: date_text(task.due_on),
            id: task.meta.id.to_string(),
        });
        items.push(ListRow {
            task,
            sale_title: row.try_get("sale_title")?,
            counterparty_name: row.try_get("counterparty_name")?,
            assignee_name: row.try_get("assignee_name")?,
            product_name: row.try_get("product_name")?,
        });
    }
    let next_cursor = if rows.len() as i64 > query.limit {
        last.map(|c| c.encode())
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// An active user holding `role`, preferring one of `department` (who then has the fewest open
/// tasks), for assignee rules such as `role:technologist`.
pub async fn pick_by_role(
    connection: &mut AnyConnection,
    role: &str,
    department: Option<Uuid>,
) -> StoreResult<Option<Uuid>> {
    let row = sqlx::query(
        "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id \
         WHERE r.role_code = $1 AND u.active = 1 AND u.deleted_at IS NULL \
         ORDER BY CASE WHEN u.department_id = $2 THEN 0 ELSE 1 END, \
         (SELECT COUNT(*) FROM tasks t WHERE t.assignee_id = u.id AND t.status = 'open' AND t.deleted_at IS NULL), \
         u.login LIMIT 1",
    )
    .bind(role)
    .bind(department.map(|id| id.to_string()).unwrap_or_default())
    .fetch_optional(connection)
    .await?;
    row.map(|row| parse_id(&row.try_get::<String, _>("id")?))
        .transpose()
}

/// The active user with this login.
pub async fn user_by_login(
    connection: &mut AnyConnection,
    login: &str,
) -> StoreResult<Option<Uuid>> {
    let row =
        sqlx::query("SELECT id FROM users WHERE login = $1 AND active = 1 AND deleted_at IS NULL")
            .bind(login)
            .fetch_optional(connection)
            .await?;
    row.map(|row| parse_id(&row.try_get::<String, _>("id")?))
        .transpose()
}
