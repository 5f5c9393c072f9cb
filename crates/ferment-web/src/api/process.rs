//! `/api/v1/process`: the sales process definition — the active version (TOML source and its
//! parsed form), its versions, checking a draft, and saving a new version (`edit_process`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use ferment_domain::validation::{FieldError, Problem};
use ferment_store::processes::DefinitionRow;
use serde_json::{Value, json};

use super::JsonObject;
use crate::AppState;
use crate::app::processes as usecase;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// The process routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/process", get(active).post(save))
        .route("/process/versions", get(versions))
        .route("/process/validate", post(validate))
}

fn row_json(row: &DefinitionRow) -> Value {
    json!({
        "id": row.id, "code": row.code, "version": row.version, "active": row.active,
        "comment": row.comment, "created_by": row.created_by, "created_at": row.created_at,
    })
}

async fn active(State(state): State<AppState>, user: CurrentUser) -> AppResult<impl IntoResponse> {
    let (row, definition) = usecase::active(&state.store, &user).await?;
    let mut value = row_json(&row);
    value["source"] = json!(row.source);
    value["definition"] = serde_json::to_value(&*definition).unwrap_or(Value::Null);
    Ok(Json(value))
}

async fn versions(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<impl IntoResponse> {
    let rows = usecase::versions(&state.store, &user).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|(row, sales)| {
            let mut value = row_json(row);
            value["sales"] = json!(sales);
            value
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

fn source(body: &serde_json::Map<String, Value>) -> AppResult<String> {
    match body.get("source") {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            Err(AppError::Invalid(vec![FieldError::new(
                "source",
                Problem::Required,
            )]))
        }
        Some(_) => Err(AppError::Invalid(vec![FieldError::new(
            "source",
            Problem::Type { expected: "text" },
        )])),
    }
}

async fn validate(
    State(_state): State<AppState>,
    _user: CurrentUser,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let source = source(&body)?;
    match usecase::check(&source) {
        Ok(definition) => Ok(Json(json!({
            "valid": true,
            "definition": serde_json::to_value(&definition).unwrap_or(Value::Null),
        }))),
        Err(errors) => Err(AppError::Invalid(usecase::as_field_errors(&errors))),
    }
}

async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let source = source(&body)?;
    let comment = body.get("comment").and_then(Value::as_str);
    let row = usecase::save(&state.store, &user, &source, comment).await?;
    let mut value = row_json(&row);
    value["source"] = json!(row.source);
    Ok((StatusCode::CREATED, Json(value)))
}
