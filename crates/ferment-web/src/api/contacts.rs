//! `/api/v1/contacts`: the people at the clients.
//!
//! Also holds the query-parameter helpers the other keyset-paginated lists share ([`blank`],
//! [`id_param`], [`page_params`]).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use ferment_domain::contact::{Contact, ContactInput};
use ferment_domain::validation::Errors;

use super::params::{blank, id_param, page_params};
use ferment_store::contacts::ListQuery;
use serde::Deserialize;

use super::counterparties::DeleteParams;
use super::input::{merge, version};
use super::wire::{PageResponse, RecordResponse};
use super::{JsonObject, path_id};
use crate::AppState;
use crate::app::contacts as usecase;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// The contact routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contacts", get(list_contacts).post(create_contact))
        .route(
            "/contacts/{id}",
            get(get_contact)
                .patch(update_contact)
                .delete(delete_contact),
        )
        .route("/contacts/{id}/history", get(contact_history))
}

/// Query parameters of the list.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct ListParams {
    /// Search: words of the name or position, e-mail.
    pub q: Option<String>,
    /// Only the contacts of this counterparty.
    pub counterparty_id: Option<String>,
    /// Page size, 1–200.
    pub limit: Option<String>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

impl ListParams {
    /// Parses the parameters, naming each one that is wrong.
    pub fn parse(&self) -> AppResult<ListQuery> {
        let mut errors = Errors::new();
        let counterparty_id = id_param(&mut errors, "counterparty_id", &self.counterparty_id);
        let (cursor, limit) = page_params(&mut errors, &self.limit, &self.cursor);
        errors
            .finish(ListQuery {
                q: blank(&self.q).map(str::to_string),
                counterparty_id,
                cursor,
                limit,
            })
            .map_err(AppError::Invalid)
    }
}

async fn list_contacts(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<ListParams>,
) -> AppResult<impl IntoResponse> {
    let query = params.parse()?;
    let page = usecase::list(&state.store, &user, &query).await?;
    Ok(Json(PageResponse::from_page(page, |row| row)))
}

async fn create_contact(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let input = merge(&ContactInput::default(), &body)?;
    let record = usecase::create(&state.store, &user, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(RecordResponse::<Contact>::from(&record)),
    ))
}

async fn get_contact(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let record = usecase::get(&state.store, &user, path_id(&id)?).await?;
    Ok(Json(RecordResponse::<Contact>::from(&record)))
}

async fn update_contact(
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
    Ok(Json(RecordResponse::<Contact>::from(&record)))
}

async fn delete_contact(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<DeleteParams>,
) -> AppResult<impl IntoResponse> {
    usecase::delete(&state.store, &user, path_id(&id)?, params.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn contact_history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let entries = usecase::history(&state.store, &user, path_id(&id)?).await?;
    Ok(Json(serde_json::json!({ "items": entries })))
}
