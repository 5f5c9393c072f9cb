//! `/api/v1/territories`: the tree of countries, federal districts and regions. Everyone who may read
//! territories gets the whole tree in one answer (parents before children); changes are for
//! administrators.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use ferment_domain::territory::{TerritoryInput, TerritoryKind};
use ferment_store::territories::TerritoryRecord;
use serde::Serialize;
use uuid::Uuid;

use super::counterparties::DeleteParams;
use super::input::{merge, version};
use super::{JsonObject, path_id};
use crate::AppState;
use crate::app::territories as usecase;
use crate::auth::CurrentUser;
use crate::error::AppResult;

/// The territory routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/territories", get(list_territories).post(create_territory))
        .route(
            "/territories/{id}",
            get(get_territory)
                .patch(update_territory)
                .delete(delete_territory),
        )
        .route("/territories/{id}/history", get(territory_history))
}

/// A territory on the wire, with its place in the tree.
#[derive(Debug, Serialize)]
pub struct TerritoryResponse {
    /// Id.
    pub id: Uuid,
    /// Version to send back with a PATCH.
    pub version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Stable code (`RU-MOW`).
    pub code: String,
    /// Russian name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// `country`, `federal_district` or `region`.
    pub kind: TerritoryKind,
    /// Parent territory.
    pub parent_id: Option<Uuid>,
    /// Two-digit tax region code, for Russian regions.
    pub tax_region: Option<String>,
    /// Codes from the root (`/RU/RU-CFD/RU-MOW/`).
    pub path: String,
    /// Depth in the tree: 0 for a country.
    pub depth: usize,
}

impl From<&TerritoryRecord> for TerritoryResponse {
    fn from(territory: &TerritoryRecord) -> Self {
        let (meta, data) = (&territory.record.meta, &territory.record.data);
        TerritoryResponse {
            id: meta.id,
            version: meta.version,
            created_at: meta.created_at,
            updated_at: meta.updated_at,
            code: data.code.clone(),
            name: data.name.clone(),
            name_en: data.name_en.clone(),
            kind: data.kind,
            parent_id: data.parent_id,
            tax_region: data.tax_region.clone(),
            path: territory.path.clone(),
            depth: territory
                .path
                .split('/')
                .filter(|part| !part.is_empty())
                .count()
                .saturating_sub(1),
        }
    }
}

async fn list_territories(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<impl IntoResponse> {
    let territories = usecase::list(&state.store, &user).await?;
    let items: Vec<TerritoryResponse> = territories.iter().map(Into::into).collect();
    Ok(Json(serde_json::json!({ "items": items })))
}

async fn create_territory(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let input = merge(&TerritoryInput::default(), &body)?;
    let record = usecase::create(&state.store, &user, &input).await?;
    Ok((StatusCode::CREATED, Json(TerritoryResponse::from(&record))))
}

async fn get_territory(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let record = usecase::get(&state.store, &user, path_id(&id)?).await?;
    Ok(Json(TerritoryResponse::from(&record)))
}

async fn update_territory(
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
    Ok(Json(TerritoryResponse::from(&record)))
}

async fn delete_territory(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<DeleteParams>,
) -> AppResult<impl IntoResponse> {
    usecase::delete(&state.store, &user, path_id(&id)?, params.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn territory_history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let entries = usecase::history(&state.store, &user, path_id(&id)?).await?;
    Ok(Json(serde_json::json!({ "items": entries })))
}
