//! `/api/v1/auth`: trade a login and password for an API token, revoke it; `/api/v1/users/me`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use ferment_domain::validation::{Errors, Problem};
use serde_json::json;

use super::JsonObject;
use crate::AppState;
use crate::auth::{ClientIp, CurrentUser, issue_api_token, sign_in};
use crate::error::{AppError, AppResult};
use axum::Extension;

/// The auth routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/users/me", get(me))
}

fn text_field(
    errors: &mut Errors,
    body: &serde_json::Map<String, serde_json::Value>,
    field: &str,
) -> String {
    match body.get(field) {
        Some(serde_json::Value::String(s)) if !s.is_empty() => s.clone(),
        Some(serde_json::Value::String(_)) | None | Some(serde_json::Value::Null) => {
            errors.add(field, Problem::Required);
            String::new()
        }
        Some(_) => {
            errors.add(field, Problem::Type { expected: "text" });
            String::new()
        }
    }
}

async fn login(
    State(state): State<AppState>,
    Extension(ClientIp(address)): Extension<ClientIp>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let mut errors = Errors::new();
    let login = text_field(&mut errors, &body, "login");
    let password = text_field(&mut errors, &body, "password");
    let name = body
        .get("name")
        .and_then(|v| v.as_str())
        .unwrap_or("api")
        .to_string();
    errors.finish(()).map_err(AppError::Invalid)?;
    let user = match sign_in(&state.store, &login, &password, address).await {
        Ok(user) => user,
        Err(error) => {
            tracing::info!(login = %login, "API login refused");
            return Err(error);
        }
    };
    let token = issue_api_token(&state.store, user.meta.id, Some(&name)).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "token": token, "user_id": user.meta.id })),
    ))
}

async fn logout(State(state): State<AppState>, user: CurrentUser) -> AppResult<impl IntoResponse> {
    let mut tx = state.store.begin().await?;
    ferment_store::users::revoke_token(&mut tx, &user.token_digest).await?;
    tx.commit()
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(user: CurrentUser) -> AppResult<impl IntoResponse> {
    Ok(Json(crate::api::wire::RecordResponse::from(
        user.user.as_ref(),
    )))
}
