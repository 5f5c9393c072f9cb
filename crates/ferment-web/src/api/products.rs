//! `/api/v1/products` and `/api/v1/product-groups`: the nomenclature.
//!
//! Money and rates are kept in minor units (kopecks, hundredths of a percent); on the wire they are
//! always decimal strings (`"150.5"`, `"22"`), in records and in their history alike. Clients may
//! send them as strings or numbers.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use ferment_domain::access::ProtectedField;
use ferment_domain::catalog::{ProductGroup, ProductInput, Unit};
use ferment_domain::decimal::{MONEY_SCALE, RATE_SCALE, format_plain};
use ferment_domain::validation::{Errors, FieldError, Problem};
use ferment_store::history::HistoryEntry;
use ferment_store::products::ListQuery;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::counterparties::DeleteParams;
use super::input::{merge, version};
use super::params::{blank, id_param, page_params};
use super::wire::{PageResponse, RecordResponse};
use super::{JsonObject, path_id};
use crate::AppState;
use crate::app::catalog::{self as usecase, ProductGroupInput, ProductView};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// The product routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/products", get(list_products).post(create_product))
        .route(
            "/products/{id}",
            get(get_product)
                .patch(update_product)
                .delete(delete_product),
        )
        .route("/products/{id}/history", get(product_history))
        .route("/product-groups", get(list_groups).post(create_group))
}

/// A product on the wire: money and the VAT rate as decimal strings.
#[derive(Debug, Serialize)]
pub struct ProductResponse {
    /// Id.
    pub id: Uuid,
    /// Version to send back with a PATCH.
    pub version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Code (unique among live products).
    pub code: String,
    /// Article.
    pub article: Option<String>,
    /// Name.
    pub name: String,
    /// Unit code (`kg`, `l`, `pcs` …).
    pub unit: Unit,
    /// Group id.
    pub group_id: Option<Uuid>,
    /// Group name.
    pub group_name: Option<String>,
    /// VAT rate in percent, as a decimal string (`"22"`).
    pub vat_rate: String,
    /// Base price per unit, as a decimal string (`"150.5"`); absent for users whose roles hide
    /// prices (`product.price`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<String>,
    /// Currency of the price (ISO 4217).
    pub currency: String,
    /// Whether a sample is needed before sale.
    pub needs_sample: bool,
    /// Description.
    pub description: Option<String>,
}

impl From<&ProductView> for ProductResponse {
    fn from(view: &ProductView) -> Self {
        let (meta, data) = (&view.record.meta, &view.record.data);
        ProductResponse {
            id: meta.id,
            version: meta.version,
            created_at: meta.created_at,
            updated_at: meta.updated_at,
            code: data.code.clone(),
            article: data.article.clone(),
            name: data.name.clone(),
            unit: data.unit,
            group_id: data.group_id,
            group_name: view.group_name.clone(),
            vat_rate: format_plain(data.vat_rate, RATE_SCALE),
            price: Some(format_plain(data.price, MONEY_SCALE)),
            currency: data.currency.clone(),
            needs_sample: data.needs_sample,
            description: data.description.clone(),
        }
    }
}

impl ProductResponse {
    /// The product as `user` may see it: protected fields they may not see are left out.
    pub fn for_user(view: &ProductView, user: &CurrentUser) -> Self {
        let mut response = ProductResponse::from(view);
        if !user.actor.sees(ProtectedField::ProductPrice) {
            response.price = None;
        }
        response
    }
}

/// Refuses a write that names a field the user may not see (for them it does not exist).
fn refuse_hidden(user: &CurrentUser, body: &serde_json::Map<String, Value>) -> AppResult<()> {
    if !user.actor.sees(ProtectedField::ProductPrice) && body.contains_key("price") {
        return Err(AppError::Invalid(vec![FieldError::new(
            "price",
            Problem::UnknownField,
        )]));
    }
    Ok(())
}

/// Rewrites the minor-unit integers of a product's history (`price`, `vat_rate`) as decimal strings.
pub fn history_on_the_wire(mut entries: Vec<HistoryEntry>) -> Vec<HistoryEntry> {
    let decimal = |value: &mut Value, scale: u32| {
        if let Some(minor) = value.as_i64() {
            *value = Value::String(format_plain(minor, scale));
        }
    };
    for entry in &mut entries {
        for change in &mut entry.changes {
            let scale = match change.field.as_str() {
                "price" => MONEY_SCALE,
                "vat_rate" => RATE_SCALE,
                _ => continue,
            };
            decimal(&mut change.old, scale);
            decimal(&mut change.new, scale);
        }
    }
    entries
}

/// Query parameters of the list.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct ListParams {
    /// Search: words of the name, code or article.
    pub q: Option<String>,
    /// Only this group and its subgroups.
    pub group_id: Option<String>,
    /// `true` or `false`.
    pub needs_sample: Option<String>,
    /// Page size, 1–200.
    pub limit: Option<String>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

impl ListParams {
    /// Parses the parameters, naming each one that is wrong.
    pub fn parse(&self) -> AppResult<ListQuery> {
        let mut errors = Errors::new();
        let group_id = id_param(&mut errors, "group_id", &self.group_id);
        let needs_sample = match blank(&self.needs_sample) {
            None => None,
            Some("true" | "1") => Some(true),
            Some("false" | "0") => Some(false),
            Some(_) => {
                errors.add(
                    "needs_sample",
                    Problem::NotAllowed {
                        allowed: vec!["true".into(), "false".into()],
                    },
                );
                None
            }
        };
        let (cursor, limit) = page_params(&mut errors, &self.limit, &self.cursor);
        errors
            .finish(ListQuery {
                q: blank(&self.q).map(str::to_string),
                group_id,
                needs_sample,
                cursor,
                limit,
            })
            .map_err(AppError::Invalid)
    }
}

async fn list_products(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<ListParams>,
) -> AppResult<impl IntoResponse> {
    let query = params.parse()?;
    let page = usecase::list_products(&state.store, &user, &query).await?;
    Ok(Json(PageResponse::from_page(page, |row| {
        ProductResponse::for_user(&row, &user)
    })))
}

async fn create_product(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    refuse_hidden(&user, &body)?;
    let input = merge(&ProductInput::default(), &body)?;
    let view = usecase::create_product(&state.store, &user, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(ProductResponse::for_user(&view, &user)),
    ))
}

async fn get_product(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let view = usecase::get_product(&state.store, &user, path_id(&id)?).await?;
    Ok(Json(ProductResponse::for_user(&view, &user)))
}

async fn update_product(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let id = path_id(&id)?;
    refuse_hidden(&user, &body)?;
    let expected = version(&body)?;
    let view = usecase::update_product(&state.store, &user, id, expected, |current| {
        merge(&current, &body)
    })
    .await?;
    Ok(Json(ProductResponse::for_user(&view, &user)))
}

async fn delete_product(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<DeleteParams>,
) -> AppResult<impl IntoResponse> {
    usecase::delete_product(&state.store, &user, path_id(&id)?, params.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn product_history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let mut entries = usecase::product_history(&state.store, &user, path_id(&id)?).await?;
    if !user.actor.sees(ProtectedField::ProductPrice) {
        for entry in &mut entries {
            entry.changes.retain(|change| change.field != "price");
        }
    }
    Ok(Json(
        serde_json::json!({ "items": history_on_the_wire(entries) }),
    ))
}

async fn list_groups(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<impl IntoResponse> {
    let groups = usecase::list_groups(&state.store, &user).await?;
    let items: Vec<RecordResponse<ProductGroup>> =
        groups.iter().map(RecordResponse::from).collect();
    Ok(Json(serde_json::json!({ "items": items })))
}

async fn create_group(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let input = merge(&ProductGroupInput::default(), &body)?;
    let record = usecase::create_group(&state.store, &user, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(RecordResponse::<ProductGroup>::from(&record)),
    ))
}
