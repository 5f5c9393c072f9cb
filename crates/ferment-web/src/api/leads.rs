//! `/api/v1/leads`: capture, nurture, disqualify, and convert (`POST /leads/{id}/convert` answers
//! with the new sale's `sale_id`).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use ferment_domain::lead::{Lead, LeadInput, LeadStatus};
use ferment_domain::sale::SaleInput;
use ferment_domain::validation::{Errors, FieldError, Problem};
use ferment_store::leads::{LeadRecord, ListQuery};
use serde::Deserialize;
use serde_json::{Value, json};

use super::counterparties::DeleteParams;
use super::input::{merge, version};
use super::params::{blank, id_param, page_params};
use super::wire::{PageResponse, RecordResponse};
use super::{JsonObject, path_id};
use crate::AppState;
use crate::app::leads::{self as usecase, Conversion};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// The lead routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/leads", get(list).post(create))
        .route("/leads/{id}", get(read).patch(update).delete(remove))
        .route("/leads/{id}/convert", post(convert))
        .route("/leads/{id}/history", get(history))
}

fn lead_json(lead: &LeadRecord) -> Value {
    let mut value =
        serde_json::to_value(RecordResponse::<Lead>::from(&lead.record)).unwrap_or(Value::Null);
    value["sale_id"] = json!(lead.sale_id);
    value["converted_at"] = json!(lead.converted_at);
    value
}

/// Query parameters of the list.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct ListParams {
    /// Words of the company, contact, e-mail, ИНН.
    pub q: Option<String>,
    /// Status code.
    pub status: Option<String>,
    /// Owner id or `me`.
    pub owner_id: Option<String>,
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
    let status = blank(&params.status).and_then(|s| errors.take("status", LeadStatus::parse(s)));
    let owner_id = match blank(&params.owner_id) {
        Some("me") => Some(user.actor.user_id),
        _ => id_param(&mut errors, "owner_id", &params.owner_id),
    };
    let (cursor, limit) = page_params(&mut errors, &params.limit, &params.cursor);
    let query = errors
        .finish(ListQuery {
            q: blank(&params.q).map(str::to_string),
            status,
            owner_id,
            cursor,
            limit,
        })
        .map_err(AppError::Invalid)?;
    let page = usecase::list(&state.store, &user, &query).await?;
    Ok(Json(PageResponse::from_page(page, |lead| lead_json(&lead))))
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let input = merge(&LeadInput::default(), &body)?;
    let lead = usecase::create(&state.store, &user, &input).await?;
    Ok((StatusCode::CREATED, Json(lead_json(&lead))))
}

async fn read(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let lead = usecase::get(&state.store, &user, path_id(&id)?).await?;
    Ok(Json(lead_json(&lead)))
}

async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let expected = version(&body)?;
    let lead = usecase::update(&state.store, &user, path_id(&id)?, expected, |current| {
        merge(&current, &body)
    })
    .await?;
    Ok(Json(lead_json(&lead)))
}

async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<DeleteParams>,
) -> AppResult<impl IntoResponse> {
    usecase::delete(&state.store, &user, path_id(&id)?, params.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn convert(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<impl IntoResponse> {
    let id = path_id(&id)?;
    let mut body = super::optional_object(&body)?;
    let mut errors = Errors::new();
    let counterparty_id = match body.remove("counterparty_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => id_param(&mut errors, "counterparty_id", &Some(text)),
        Some(_) => {
            errors.add("counterparty_id", Problem::Type { expected: "text" });
            None
        }
    };
    body.remove("version");
    let sale = match merge(&SaleInput::default(), &body) {
        Ok(sale) => sale,
        Err(mut e) => {
            let mut all: Vec<FieldError> = errors.into_vec();
            all.append(&mut e);
            return Err(AppError::Invalid(all));
        }
    };
    errors.finish(()).map_err(AppError::Invalid)?;
    let done = usecase::convert(
        &state.store,
        &user,
        id,
        &Conversion {
            title: None,
            counterparty_id,
            sale,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "sale_id": done.sale_id,
            "lead_id": done.lead.record.meta.id,
            "counterparty_id": done.counterparty_id,
            "counterparty_created": done.counterparty_created,
            "contact_id": done.contact_id,
            "contact_created": done.contact_created,
            "lead": lead_json(&done.lead),
        })),
    ))
}

async fn history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let entries = usecase::history(&state.store, &user, path_id(&id)?).await?;
    Ok(Json(json!({ "items": entries })))
}
