//! `/api/v1/warehouses`: warehouses (and the office sample store) with their stock, entered by hand
//! until the 1C integration fills it; `/api/v1/products/{id}/stock`.
//!
//! Quantities are kept in thousandths of the unit; on the wire they are decimal strings (`"12.5"`),
//! and clients may send them as strings or numbers.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use ferment_domain::catalog::{Warehouse, WarehouseInput, WarehouseKind};
use ferment_domain::decimal::{QUANTITY_SCALE, format_plain};
use ferment_domain::validation::{Errors, Problem};
use ferment_store::warehouses::StockLine;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::counterparties::DeleteParams;
use super::input::{merge, version};
use super::wire::RecordResponse;
use super::{JsonObject, path_id};
use crate::AppState;
use crate::app::catalog as usecase;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// The warehouse and stock routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/warehouses", get(list_warehouses).post(create_warehouse))
        .route(
            "/warehouses/{id}",
            get(get_warehouse)
                .patch(update_warehouse)
                .delete(delete_warehouse),
        )
        .route("/warehouses/{id}/history", get(warehouse_history))
        .route("/warehouses/{id}/stock", get(warehouse_stock))
        .route("/warehouses/{id}/stock/{product_id}", put(set_stock))
        .route("/products/{id}/stock", get(product_stock))
}

/// One stock line on the wire: the quantity as a decimal string.
#[derive(Debug, Serialize)]
pub struct StockLineResponse {
    /// Warehouse id.
    pub warehouse_id: Uuid,
    /// Warehouse name.
    pub warehouse_name: String,
    /// Warehouse kind.
    pub warehouse_kind: WarehouseKind,
    /// Product id.
    pub product_id: Uuid,
    /// Product name.
    pub product_name: String,
    /// Product code.
    pub product_code: String,
    /// Quantity in the product's unit (`"12.5"`).
    pub quantity: String,
    /// When it was last set.
    pub updated_at: DateTime<Utc>,
}

impl From<StockLine> for StockLineResponse {
    fn from(line: StockLine) -> Self {
        StockLineResponse {
            warehouse_id: line.warehouse_id,
            warehouse_name: line.warehouse_name,
            warehouse_kind: line.warehouse_kind,
            product_id: line.product_id,
            product_name: line.product_name,
            product_code: line.product_code,
            quantity: format_plain(line.quantity, QUANTITY_SCALE),
            updated_at: line.updated_at,
        }
    }
}

fn stock_items(lines: Vec<StockLine>) -> Json<Value> {
    let items: Vec<StockLineResponse> = lines.into_iter().map(Into::into).collect();
    Json(serde_json::json!({ "items": items }))
}

async fn list_warehouses(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<impl IntoResponse> {
    let records = usecase::list_warehouses(&state.store, &user).await?;
    let items: Vec<RecordResponse<Warehouse>> = records.iter().map(RecordResponse::from).collect();
    Ok(Json(serde_json::json!({ "items": items })))
}

async fn create_warehouse(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let input = merge(&WarehouseInput::default(), &body)?;
    let record = usecase::create_warehouse(&state.store, &user, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(RecordResponse::<Warehouse>::from(&record)),
    ))
}

async fn get_warehouse(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let record = usecase::get_warehouse(&state.store, &user, path_id(&id)?).await?;
    Ok(Json(RecordResponse::<Warehouse>::from(&record)))
}

async fn update_warehouse(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let id = path_id(&id)?;
    let expected = version(&body)?;
    let record = usecase::update_warehouse(&state.store, &user, id, expected, |current| {
        merge(&current, &body)
    })
    .await?;
    Ok(Json(RecordResponse::<Warehouse>::from(&record)))
}

async fn delete_warehouse(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<DeleteParams>,
) -> AppResult<impl IntoResponse> {
    usecase::delete_warehouse(&state.store, &user, path_id(&id)?, params.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn warehouse_history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let entries = usecase::warehouse_history(&state.store, &user, path_id(&id)?).await?;
    Ok(Json(serde_json::json!({ "items": entries })))
}

async fn warehouse_stock(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let lines = usecase::warehouse_stock(&state.store, &user, path_id(&id)?).await?;
    Ok(stock_items(lines))
}

async fn product_stock(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let lines = usecase::product_stock(&state.store, &user, path_id(&id)?).await?;
    Ok(stock_items(lines))
}

/// The `quantity` of a stock body as text: a string or a number; anything else is named.
fn quantity_text(body: &serde_json::Map<String, Value>) -> AppResult<String> {
    let mut errors = Errors::new();
    for field in body.keys().filter(|field| field.as_str() != "quantity") {
        errors.add(field.clone(), Problem::UnknownField);
    }
    let text = match body.get("quantity") {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        None | Some(Value::Null) => {
            errors.add("quantity", Problem::Required);
            String::new()
        }
        Some(_) => {
            errors.add("quantity", Problem::Type { expected: "text" });
            String::new()
        }
    };
    errors.finish(text).map_err(AppError::Invalid)
}

async fn set_stock(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, product_id)): Path<(String, String)>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let (id, product_id) = (path_id(&id)?, path_id(&product_id)?);
    let quantity = quantity_text(&body)?;
    let line = usecase::set_stock(&state.store, &user, id, product_id, &quantity).await?;
    Ok(Json(StockLineResponse::from(line)))
}
