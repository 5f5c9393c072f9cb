//! `/api/v1/counterparties`: clients with their requisites.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use ferment_domain::counterparty::{
    Counterparty, CounterpartyInput, CounterpartyKind, Industry, Segment,
};
use ferment_domain::validation::{Errors, Problem};
use ferment_store::counterparties::{ListQuery, SortKey};
use ferment_store::list::Direction;
use serde::Deserialize;

use super::input::{merge, version};
use super::params::{blank, id_param, page_params};
use super::wire::{PageResponse, RecordResponse};
use super::{JsonObject, path_id};
use crate::AppState;
use crate::app::counterparties as usecase;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// The counterparty routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/counterparties",
            get(list_counterparties).post(create_counterparty),
        )
        .route(
            "/counterparties/{id}",
            get(get_counterparty)
                .patch(update_counterparty)
                .delete(delete_counterparty),
        )
        .route("/counterparties/{id}/history", get(counterparty_history))
}

/// Query parameters of the list.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct ListParams {
    /// Search: ИНН prefix, e-mail prefix or words of the name.
    pub q: Option<String>,
    /// Territory (and inside it).
    pub territory_id: Option<String>,
    /// Segment code.
    pub segment: Option<String>,
    /// Industry code.
    pub industry: Option<String>,
    /// Owner id.
    pub owner_id: Option<String>,
    /// Kind code.
    pub kind: Option<String>,
    /// `name`, `-name`, `inn`, `-inn`, `created_at`, `-created_at`.
    pub sort: Option<String>,
    /// Page size, 1–200.
    pub limit: Option<String>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

impl ListParams {
    /// Parses the parameters, naming each one that is wrong.
    pub fn parse(&self) -> AppResult<ListQuery> {
        let mut errors = Errors::new();
        let territory_id = id_param(&mut errors, "territory_id", &self.territory_id);
        let owner_id = id_param(&mut errors, "owner_id", &self.owner_id);
        let segment = blank(&self.segment).and_then(|v| errors.take("segment", Segment::parse(v)));
        let industry =
            blank(&self.industry).and_then(|v| errors.take("industry", Industry::parse(v)));
        let kind = blank(&self.kind).and_then(|v| errors.take("kind", CounterpartyKind::parse(v)));
        let (sort, direction) = match blank(&self.sort).unwrap_or("name") {
            "name" => (SortKey::Name, Direction::Ascending),
            "-name" => (SortKey::Name, Direction::Descending),
            "inn" => (SortKey::Inn, Direction::Ascending),
            "-inn" => (SortKey::Inn, Direction::Descending),
            "created_at" => (SortKey::Created, Direction::Ascending),
            "-created_at" => (SortKey::Created, Direction::Descending),
            _ => {
                let allowed = ["name", "-name", "inn", "-inn", "created_at", "-created_at"];
                errors.add(
                    "sort",
                    Problem::NotAllowed {
                        allowed: allowed.iter().map(|s| s.to_string()).collect(),
                    },
                );
                (SortKey::Name, Direction::Ascending)
            }
        };
        let (cursor, limit) = page_params(&mut errors, &self.limit, &self.cursor);
        errors
            .finish(ListQuery {
                q: blank(&self.q).map(str::to_string),
                territory_id,
                segment,
                industry,
                owner_id,
                kind,
                sort,
                direction,
                cursor,
                limit,
            })
            .map_err(AppError::Invalid)
    }
}

async fn list_counterparties(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<ListParams>,
) -> AppResult<impl IntoResponse> {
    let query = params.parse()?;
    let page = usecase::list(&state.store, &user, &query).await?;
    Ok(Json(PageResponse::from_page(page, |row| row)))
}

async fn create_counterparty(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let input = merge(
        &CounterpartyInput {
            kind: "legal_entity".into(),
            ..Default::default()
        },
        &body,
    )?;
    let record = usecase::create(&state.store, &user, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(RecordResponse::<Counterparty>::from(&record)),
    ))
}

async fn get_counterparty(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let record = usecase::get(&state.store, &user, path_id(&id)?).await?;
    Ok(Json(RecordResponse::<Counterparty>::from(&record)))
}

async fn update_counterparty(
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
    Ok(Json(RecordResponse::<Counterparty>::from(&record)))
}

/// Query of a DELETE: the version, optional (a delete without it does not check for changes).
#[derive(Debug, Deserialize)]
pub struct DeleteParams {
    /// Expected version.
    pub version: Option<i64>,
}

async fn delete_counterparty(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<DeleteParams>,
) -> AppResult<impl IntoResponse> {
    usecase::delete(&state.store, &user, path_id(&id)?, params.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn counterparty_history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let entries = usecase::history(&state.store, &user, path_id(&id)?).await?;
    Ok(Json(serde_json::json!({ "items": entries })))
}
