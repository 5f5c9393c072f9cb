//! `/api/v1/openapi.json`: the OpenAPI 3 description of the API.

use axum::routing::get;
use axum::{Json, Router};

use crate::AppState;

/// The OpenAPI route.
pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/openapi.json",
        get(|| async { Json(serde_json::json!({"openapi": "3.1.0"})) }),
    )
}
