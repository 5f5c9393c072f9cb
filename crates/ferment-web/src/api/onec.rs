//! `/api/v1/integrations/onec`: connections to 1C bases, test connection, sync runs and their log,
//! the mapping, conflicts; `/api/v1/sales/{id}/onec` and `/api/v1/counterparties/{id}/onec`: the
//! 1C documents of a sale or a client, and orders sent to 1C from a sale.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use ferment_domain::onec::ConnectionInput;
use ferment_domain::validation::{FieldError, Problem};
use serde::Deserialize;
use serde_json::{Value, json};

use super::counterparties::DeleteParams;
use super::input::{merge, version};
use super::{JsonObject, optional_object, path_id};
use crate::AppState;
use crate::app::onec as usecase;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// The 1C routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/integrations/onec", get(list).post(create))
        .route(
            "/integrations/onec/{id}",
            get(read).patch(update).delete(remove),
        )
        .route("/integrations/onec/{id}/test", post(test))
        .route("/integrations/onec/{id}/sync", post(sync))
        .route("/integrations/onec/{id}/runs", get(runs))
        .route(
            "/integrations/onec/{id}/mapping",
            get(mapping).put(set_mapping),
        )
        .route("/integrations/onec/{id}/conflicts", get(conflicts))
        .route("/integrations/onec/runs/{run_id}", get(run))
        .route(
            "/integrations/onec/conflicts/{conflict_id}/resolve",
            post(resolve),
        )
        .route("/sales/{id}/onec", get(of_sale))
        .route("/sales/{id}/onec/orders", post(send_order))
        .route("/sales/{id}/commerceml/order", post(commerceml_order))
        .route("/counterparties/{id}/onec", get(of_counterparty))
}

async fn list(State(state): State<AppState>, user: CurrentUser) -> AppResult<impl IntoResponse> {
    let items = usecase::list(&state.store, &user).await?;
    Ok(Json(json!({ "items": items })))
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let input = merge(&ConnectionInput::default(), &body)?;
    let view = usecase::create(&state, &user, &input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn read(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    Ok(Json(
        usecase::get(&state.store, &user, path_id(&id)?).await?,
    ))
}

async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let id = path_id(&id)?;
    let expected = version(&body)?;
    let current = usecase::get(&state.store, &user, id).await?;
    let input = merge(&ConnectionInput::from(&current.data.connection), &body)?;
    Ok(Json(
        usecase::update(&state, &user, id, expected, &input).await?,
    ))
}

async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(_params): Query<DeleteParams>,
) -> AppResult<impl IntoResponse> {
    usecase::delete(&state.store, &user, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn test(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    Ok(Json(usecase::test(&state, &user, path_id(&id)?).await?))
}

fn flag(body: &serde_json::Map<String, Value>, field: &str) -> AppResult<bool> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(value)) => Ok(*value),
        Some(_) => Err(AppError::Invalid(vec![FieldError::new(
            field,
            Problem::Type {
                expected: "boolean",
            },
        )])),
    }
}

fn only(body: &serde_json::Map<String, Value>, allowed: &[&str]) -> AppResult<()> {
    let unknown: Vec<FieldError> = body
        .keys()
        .filter(|k| !allowed.contains(&k.as_str()))
        .map(|k| FieldError::new(k.clone(), Problem::UnknownField))
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(unknown))
    }
}

async fn sync(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<impl IntoResponse> {
    let body = optional_object(&body)?;
    only(&body, &["full"])?;
    let full = flag(&body, "full")?;
    let run = usecase::start_sync(&state, Some(&user), path_id(&id)?, "manual", full).await?;
    Ok((StatusCode::ACCEPTED, Json(run)))
}

#[derive(Debug, Deserialize)]
struct RunsParams {
    limit: Option<i64>,
}

async fn runs(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<RunsParams>,
) -> AppResult<impl IntoResponse> {
    let items = usecase::runs(
        &state.store,
        &user,
        path_id(&id)?,
        params.limit.unwrap_or(50),
    )
    .await?;
    Ok(Json(json!({ "items": items })))
}

async fn run(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(run_id): Path<String>,
) -> AppResult<impl IntoResponse> {
    Ok(Json(
        usecase::run(&state.store, &user, path_id(&run_id)?).await?,
    ))
}

async fn mapping(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    Ok(Json(
        usecase::mapping(&state.store, &user, path_id(&id)?).await?,
    ))
}

async fn set_mapping(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    only(&body, &["changes"])?;
    let changes = body.get("changes").cloned().unwrap_or(Value::Null);
    Ok(Json(
        usecase::set_mapping(&state.store, &user, path_id(&id)?, &changes).await?,
    ))
}

async fn conflicts(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let items = usecase::conflicts(&state.store, &user, path_id(&id)?).await?;
    Ok(Json(json!({ "items": items })))
}

async fn resolve(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(conflict_id): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    only(&body, &["resolution"])?;
    let side = body.get("resolution").and_then(Value::as_str).unwrap_or("");
    Ok(Json(
        usecase::resolve(&state.store, &user, path_id(&conflict_id)?, side).await?,
    ))
}

async fn of_sale(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    Ok(Json(
        usecase::of_sale(&state.store, &user, path_id(&id)?).await?,
    ))
}

async fn send_order(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<impl IntoResponse> {
    let body = optional_object(&body)?;
    only(&body, &["connection_id", "post"])?;
    let connection_id = match body.get("connection_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(uuid::Uuid::parse_str(text).map_err(|_| {
            AppError::Invalid(vec![FieldError::new("connection_id", Problem::Uuid)])
        })?),
        Some(_) => {
            return Err(AppError::Invalid(vec![FieldError::new(
                "connection_id",
                Problem::Uuid,
            )]));
        }
    };
    let post = match body.get("post") {
        None => true,
        Some(_) => flag(&body, "post")?,
    };
    let outgoing = usecase::send_order(&state, &user, path_id(&id)?, connection_id, post).await?;
    Ok((StatusCode::ACCEPTED, Json(outgoing)))
}

async fn of_counterparty(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    Ok(Json(
        usecase::of_counterparty(&state.store, &user, path_id(&id)?).await?,
    ))
}

async fn commerceml_order(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let order = usecase::request_commerceml_order(&state.store, &user, path_id(&id)?).await?;
    Ok((StatusCode::ACCEPTED, Json(order)))
}
