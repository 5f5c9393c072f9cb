//! `/api/v1/users`: user accounts. Administrators create them (with a password), change and delete
//! them; everyone may read them and change the personal details of their own. Password hashes are
//! never part of an answer. (`/api/v1/users/me` lives with sign-in, in [`super::auth`].)

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use ferment_domain::user::{User, UserInput};
use ferment_domain::validation::{FieldError, Problem};
use serde_json::Value;

use super::counterparties::DeleteParams;
use super::input::{merge, version};
use super::wire::RecordResponse;
use super::{JsonObject, path_id};
use crate::AppState;
use crate::app::users as usecase;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// The user routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(list_users).post(create_user))
        .route(
            "/users/{id}",
            get(get_user).patch(update_user).delete(delete_user),
        )
        .route("/users/{id}/history", get(user_history))
}

async fn list_users(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<impl IntoResponse> {
    let records = usecase::list(&state.store, &user).await?;
    let items: Vec<RecordResponse<User>> = records.iter().map(RecordResponse::from).collect();
    Ok(Json(serde_json::json!({ "items": items })))
}

async fn create_user(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonObject(mut body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let password = body.remove("password");
    let mut errors = Vec::new();
    let password = match password {
        Some(Value::String(password)) => password,
        None | Some(Value::Null) => String::new(),
        Some(_) => {
            errors.push(FieldError::new(
                "password",
                Problem::Type { expected: "text" },
            ));
            String::new()
        }
    };
    let base = UserInput {
        active: true,
        ..Default::default()
    };
    let input = match merge(&base, &body) {
        Ok(input) if errors.is_empty() => input,
        Ok(_) => return Err(AppError::Invalid(errors)),
        Err(mut merge_errors) => {
            merge_errors.append(&mut errors);
            return Err(AppError::Invalid(merge_errors));
        }
    };
    let record = usecase::create(&state.store, &user, &input, &password).await?;
    Ok((
        StatusCode::CREATED,
        Json(RecordResponse::<User>::from(&record)),
    ))
}

async fn get_user(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let record = usecase::get(&state.store, &user, path_id(&id)?).await?;
    Ok(Json(RecordResponse::<User>::from(&record)))
}

async fn update_user(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let id = path_id(&id)?;
    let expected = version(&body)?;
    let record = usecase::update(&state.store, &user, id, expected, |current| {
        merge(&current, &body)
    })
    .await?;
    Ok(Json(RecordResponse::<User>::from(&record)))
}

async fn delete_user(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<DeleteParams>,
) -> AppResult<impl IntoResponse> {
    usecase::delete(&state.store, &user, path_id(&id)?, params.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn user_history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let entries = usecase::history(&state.store, &user, path_id(&id)?).await?;
    Ok(Json(serde_json::json!({ "items": entries })))
}
