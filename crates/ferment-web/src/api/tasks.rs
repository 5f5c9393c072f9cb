//! `/api/v1/tasks`: lists (`?sale_id=…&status=open&assignee=me`), manual tasks, edits, completion
//! with an outcome (`POST /tasks/{id}/complete`) and cancellation.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use ferment_domain::process::TaskStatus;
use ferment_domain::task::{Completion, TaskInput};
use ferment_domain::validation::{Errors, Problem};
use ferment_store::tasks::{Due, ListQuery, ListRow, TaskRecord};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use super::input::{merge, version};
use super::params::{blank, id_param, page_params};
use super::wire::PageResponse;
use super::{JsonObject, path_id};
use crate::AppState;
use crate::app::process::today;
use crate::app::tasks as usecase;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// The task routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tasks", get(list).post(create))
        .route("/tasks/{id}", get(read).patch(update))
        .route("/tasks/{id}/complete", post(complete))
        .route("/tasks/{id}/cancel", post(cancel))
        .route("/tasks/{id}/history", get(history))
}

/// A task on the wire.
#[derive(Debug, Serialize)]
pub struct TaskResponse {
    /// Id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Kind: a process task code or a manual kind.
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
    /// Due date.
    pub due_on: String,
    /// `open`, `done`, `cancelled`.
    pub status: TaskStatus,
    /// Whether it is open and past due.
    pub overdue: bool,
    /// Outcome code.
    pub outcome: Option<String>,
    /// Outcome data.
    pub data: Option<Value>,
    /// Completion comment.
    pub comment: Option<String>,
    /// Who set it.
    pub created_by: Option<Uuid>,
    /// When it was closed.
    pub completed_at: Option<DateTime<Utc>>,
    /// By whom.
    pub completed_by: Option<Uuid>,
}

impl From<&TaskRecord> for TaskResponse {
    fn from(task: &TaskRecord) -> Self {
        TaskResponse {
            id: task.meta.id,
            version: task.meta.version,
            created_at: task.meta.created_at,
            updated_at: task.meta.updated_at,
            kind: task.kind.clone(),
            title: task.title.clone(),
            description: task.description.clone(),
            sale_id: task.sale_id,
            counterparty_id: task.counterparty_id,
            product_id: task.product_id,
            stage: task.stage.clone(),
            assignee_id: task.assignee_id,
            due_on: task.due_on.format("%Y-%m-%d").to_string(),
            status: task.status,
            overdue: task.status == TaskStatus::Open && task.due_on < today(),
            outcome: task.outcome.clone(),
            data: task.outcome_data.clone(),
            comment: task.comment.clone(),
            created_by: task.created_by,
            completed_at: task.completed_at,
            completed_by: task.completed_by,
        }
    }
}

fn row_json(row: &ListRow) -> Value {
    let mut value = serde_json::to_value(TaskResponse::from(&row.task)).unwrap_or(Value::Null);
    value["sale_title"] = json!(row.sale_title);
    value["counterparty_name"] = json!(row.counterparty_name);
    value["assignee_name"] = json!(row.assignee_name);
    value["product_name"] = json!(row.product_name);
    value
}

/// Query parameters of the list.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct ListParams {
    /// Sale id.
    pub sale_id: Option<String>,
    /// Counterparty id.
    pub counterparty_id: Option<String>,
    /// `me` or a user id.
    pub assignee: Option<String>,
    /// `open`, `done`, `cancelled`.
    pub status: Option<String>,
    /// Task kind code.
    pub kind: Option<String>,
    /// `overdue`, `today`, `upcoming`.
    pub due: Option<String>,
    /// Page size.
    pub limit: Option<String>,
    /// Cursor.
    pub cursor: Option<String>,
}

impl ListParams {
    /// Parses the parameters (`assignee=me` is `user`), naming each one that is wrong.
    pub fn parse(&self, user: &CurrentUser) -> AppResult<ListQuery> {
        let mut errors = Errors::new();
        let sale_id = id_param(&mut errors, "sale_id", &self.sale_id);
        let counterparty_id = id_param(&mut errors, "counterparty_id", &self.counterparty_id);
        let assignee_id = match blank(&self.assignee) {
            Some("me") => Some(user.actor.user_id),
            _ => id_param(&mut errors, "assignee", &self.assignee),
        };
        let status = blank(&self.status).and_then(|s| errors.take("status", TaskStatus::parse(s)));
        let due = match blank(&self.due) {
            None => None,
            Some("overdue") => Some((Due::Overdue, today())),
            Some("today") => Some((Due::Today, today())),
            Some("upcoming") => Some((Due::Upcoming, today())),
            Some(_) => {
                errors.add(
                    "due",
                    Problem::NotAllowed {
                        allowed: vec!["overdue".into(), "today".into(), "upcoming".into()],
                    },
                );
                None
            }
        };
        let (cursor, limit) = page_params(&mut errors, &self.limit, &self.cursor);
        errors
            .finish(ListQuery {
                sale_id,
                counterparty_id,
                assignee_id,
                status,
                kind: blank(&self.kind).map(str::to_string),
                due,
                cursor,
                limit,
            })
            .map_err(AppError::Invalid)
    }
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<ListParams>,
) -> AppResult<impl IntoResponse> {
    let query = params.parse(&user)?;
    let page = usecase::list(&state.store, &user, &query).await?;
    Ok(Json(PageResponse::from_page(page, |row| row_json(&row))))
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let input = merge(&TaskInput::default(), &body)?;
    let task = usecase::create(&state.store, &user, &input).await?;
    Ok((StatusCode::CREATED, Json(TaskResponse::from(&task))))
}

async fn read(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let task = usecase::get(&state.store, &user, path_id(&id)?).await?;
    Ok(Json(TaskResponse::from(&task)))
}

async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let expected = version(&body)?;
    let task = usecase::update(&state.store, &user, path_id(&id)?, expected, |current| {
        merge(&current, &body)
    })
    .await?;
    Ok(Json(TaskResponse::from(&task)))
}

async fn complete(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<impl IntoResponse> {
    let body = super::optional_object(&body)?;
    let mut errors = Errors::new();
    for key in body.keys() {
        if !["outcome", "data", "comment", "version"].contains(&key.as_str()) {
            errors.add(key.clone(), Problem::UnknownField);
        }
    }
    let text = |errors: &mut Errors, field: &str| match body.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.add(field, Problem::Type { expected: "text" });
            None
        }
    };
    let outcome = text(&mut errors, "outcome").filter(|o| !o.trim().is_empty());
    let comment = text(&mut errors, "comment");
    let data = match body.get("data") {
        None | Some(Value::Null) => serde_json::Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(_) => {
            errors.add("data", Problem::Type { expected: "object" });
            serde_json::Map::new()
        }
    };
    errors.finish(()).map_err(AppError::Invalid)?;
    let done = usecase::complete(
        &state.store,
        &user,
        path_id(&id)?,
        &Completion {
            outcome,
            data,
            comment,
        },
    )
    .await?;
    let mut answer = serde_json::to_value(TaskResponse::from(&done.task)).unwrap_or(Value::Null);
    answer["created_tasks"] = super::sales::tasks_json(&done.created);
    answer["sale_stage"] = json!(done.stage);
    answer["suggest"] = json!(done.suggest);
    Ok(Json(answer))
}

async fn cancel(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let task = usecase::cancel(&state.store, &user, path_id(&id)?).await?;
    Ok(Json(TaskResponse::from(&task)))
}

async fn history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let entries = usecase::history(&state.store, &user, path_id(&id)?).await?;
    Ok(Json(json!({ "items": entries })))
}
