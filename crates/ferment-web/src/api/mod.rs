//! The REST API under `/api/v1`: JSON in and out, problem+json errors, OpenAPI at
//! `/api/v1/openapi.json`.
//!
//! Handlers are thin: parse the wire shape, call a use case in [`crate::app`], shape the answer.

pub mod access;
pub mod auth;
pub mod contacts;
pub mod counterparties;
pub mod documents;
pub mod exports;
pub mod input;
pub mod leads;
pub mod onec;
pub mod openapi;
pub mod params;
pub mod process;
pub mod products;
pub mod recipes;
pub mod sales;
pub mod tasks;
pub mod territories;
pub mod users;
pub mod warehouses;
pub mod wire;

use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use ferment_domain::validation::{FieldError, Problem};
use serde_json::{Map, Value};

use crate::AppState;
use crate::error::AppError;

/// The API's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(auth::routes())
        .merge(access::routes())
        .merge(counterparties::routes())
        .merge(exports::routes())
        .merge(contacts::routes())
        .merge(products::routes())
        .merge(warehouses::routes())
        .merge(territories::routes())
        .merge(users::routes())
        .merge(leads::routes())
        .merge(sales::routes())
        .merge(tasks::routes())
        .merge(recipes::routes())
        .merge(process::routes())
        .merge(documents::routes())
        .merge(onec::routes())
        .merge(openapi::routes())
}

/// A JSON object body; anything else is a field-level error on `body`.
#[derive(Debug)]
pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<Value>::from_request(request, state).await {
            Ok(axum::Json(Value::Object(map))) => Ok(JsonObject(map)),
            Ok(_) => Err(AppError::Invalid(vec![FieldError::new(
                "body",
                Problem::Type { expected: "object" },
            )])),
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(AppError::Invalid(vec![FieldError::new(
                    "content-type",
                    Problem::NotAllowed {
                        allowed: vec!["application/json".into()],
                    },
                )]))
            }
            Err(_) => Err(AppError::Invalid(vec![FieldError::new(
                "body",
                Problem::Type { expected: "object" },
            )])),
        }
    }
}

/// A body that may be absent (an action without parameters): empty is `{}`, anything else must
/// be a JSON object.
pub fn optional_object(bytes: &[u8]) -> Result<Map<String, Value>, AppError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(AppError::Invalid(vec![FieldError::new(
            "body",
            Problem::Type { expected: "object" },
        )])),
    }
}

/// Parses an id from the path; a malformed id is simply not found.
pub fn path_id(text: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(text).map_err(|_| AppError::NotFound)
}
