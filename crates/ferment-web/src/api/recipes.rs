//! `/api/v1/recipes`: recipes with their composition (shares as decimal strings, percent).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use ferment_domain::decimal::format_plain;
use ferment_domain::recipe::RecipeInput;
use ferment_domain::recipe::{Recipe, SHARE_SCALE};
use ferment_domain::validation::Errors;
use ferment_store::Record;
use serde::Deserialize;
use serde_json::{Value, json};

use super::input::{merge, version};
use super::params::{blank, page_params};
use super::wire::PageResponse;
use super::{JsonObject, path_id};
use crate::AppState;
use crate::app::recipes as usecase;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// The recipe routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/recipes", get(list).post(create))
        .route("/recipes/{id}", get(read).patch(update).delete(remove))
        .route("/recipes/{id}/history", get(history))
}

fn recipe_json(record: &Record<Recipe>) -> Value {
    let data = &record.data;
    json!({
        "id": record.meta.id, "version": record.meta.version,
        "created_at": record.meta.created_at, "updated_at": record.meta.updated_at,
        "name": data.name, "status": data.status, "counterparty_id": data.counterparty_id,
        "composition": data.composition.iter().map(|c| json!({
            "product_id": c.product_id, "share": format_plain(c.share, SHARE_SCALE),
        })).collect::<Vec<_>>(),
        "notes": data.notes,
    })
}

/// Query parameters of the list.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct ListParams {
    /// Words of the name.
    pub q: Option<String>,
    /// Page size.
    pub limit: Option<String>,
    /// Cursor.
    pub cursor: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<ListParams>,
) -> AppResult<impl IntoResponse> {
    let mut errors = Errors::new();
    let (cursor, limit) = page_params(&mut errors, &params.limit, &params.cursor);
    errors.finish(()).map_err(AppError::Invalid)?;
    let page = usecase::list(
        &state.store,
        &user,
        blank(&params.q),
        cursor.as_ref(),
        limit,
    )
    .await?;
    Ok(Json(PageResponse::from_page(page, |r| recipe_json(&r))))
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let input = merge(&RecipeInput::default(), &body)?;
    let record = usecase::create(&state.store, &user, &input).await?;
    Ok((StatusCode::CREATED, Json(recipe_json(&record))))
}

async fn read(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let record = usecase::get(&state.store, &user, path_id(&id)?).await?;
    Ok(Json(recipe_json(&record)))
}

async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let expected = version(&body)?;
    let record = usecase::update(&state.store, &user, path_id(&id)?, expected, |current| {
        merge(&current, &body)
    })
    .await?;
    Ok(Json(recipe_json(&record)))
}

async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    usecase::delete(&state.store, &user, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let entries = usecase::history(&state.store, &user, path_id(&id)?).await?;
    Ok(Json(json!({ "items": entries })))
}
