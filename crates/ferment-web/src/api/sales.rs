//! `/api/v1/sales`: deals, their stage moves (`POST /sales/{id}/stage`), the contract, costs, the
//! kanban board and the timeline.
//!
//! Money, quantities and rates are decimal strings on the wire (`"1234.5"`), as for products.
//! A sale's `unit_cost`, `costs` and `margin` appear only for users with the `see_costs` right.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use ferment_domain::decimal::{MONEY_SCALE, QUANTITY_SCALE, RATE_SCALE, format_plain};
use ferment_domain::process::engine::BarMark;
use ferment_domain::process::{ContractKind, ProcessType};
use ferment_domain::sale::{Contract, CostInput, SaleInput, totals};
use ferment_domain::validation::{Errors, FieldError, Lang, Problem, optional_date, optional_text};
use ferment_store::costs::CostRecord;
use ferment_store::sales::{Card, ListQuery};
use ferment_store::tasks::TaskRecord;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::counterparties::DeleteParams;
use super::input::{merge, version};
use super::params::{blank, id_param, page_params};
use super::tasks::TaskResponse;
use super::wire::PageResponse;
use super::{JsonObject, path_id};
use crate::AppState;
use crate::app::sales::{self as usecase, SaleView, StageMove};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult, request_lang};

/// The sale routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sales", get(list).post(create))
        .route("/sales/board", get(board))
        .route("/sales/{id}", get(read).patch(update).delete(remove))
        .route("/sales/{id}/stage", post(move_stage))
        .route("/sales/{id}/skip", post(skip_stage))
        .route("/sales/{id}/contract", patch(update_contract))
        .route("/sales/{id}/history", get(history))
        .route("/sales/{id}/timeline", get(timeline))
        .route("/sales/{id}/costs", get(list_costs).post(add_cost))
        .route("/costs/{id}", patch(update_cost).delete(delete_cost))
}

fn money(minor: i64) -> String {
    format_plain(minor, MONEY_SCALE)
}

fn date(value: Option<NaiveDate>) -> Option<String> {
    value.map(|d| d.format("%Y-%m-%d").to_string())
}

/// One line of a sale on the wire.
#[derive(Debug, Serialize)]
pub struct LineResponse {
    /// Product.
    pub product_id: Uuid,
    /// Its name.
    pub product_name: String,
    /// Quantity.
    pub quantity: String,
    /// Price per unit, VAT included.
    pub unit_price: String,
    /// VAT rate, percent.
    pub vat_rate: String,
    /// Needs a sample.
    pub needs_sample: bool,
    /// The client pays for the sample.
    pub sample_paid: bool,
    /// Cost of goods per unit (only with `see_costs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_cost: Option<String>,
    /// Line total, VAT included.
    pub amount: String,
    /// VAT in the total.
    pub vat_amount: String,
}

/// A contract on the wire.
fn contract_json(contract: &Contract) -> Value {
    json!({
        "kind": contract.kind,
        "number": contract.number,
        "date": date(contract.date),
        "delivery_terms": contract.delivery_terms,
        "payment_terms": contract.payment_terms,
        "valid_until": date(contract.valid_until),
        "client": contract.client,
        "lines": contract.lines.iter().map(|l| json!({
            "product_id": l.product_id, "name": l.name, "article": l.article, "unit": l.unit,
            "quantity": format_plain(l.quantity, QUANTITY_SCALE),
            "unit_price": money(l.unit_price), "vat_rate": format_plain(l.vat_rate, RATE_SCALE),
        })).collect::<Vec<_>>(),
    })
}

/// A sale on the wire.
pub fn sale_json(view: &SaleView, lang: Lang) -> Value {
    let sale = &view.sale;
    let data = &sale.data;
    let definition = &view.definition;
    let stage_name = |code: &str| {
        definition
            .stage(code)
            .map(|s| s.name(lang).to_string())
            .unwrap_or_else(|| code.to_string())
    };
    let lines: Vec<LineResponse> = data
        .lines
        .iter()
        .zip(view.product_names.iter())
        .map(|(line, name)| LineResponse {
            product_id: line.product_id,
            product_name: name.clone(),
            quantity: format_plain(line.quantity, QUANTITY_SCALE),
            unit_price: money(line.unit_price),
            vat_rate: format_plain(line.vat_rate, RATE_SCALE),
            needs_sample: line.needs_sample,
            sample_paid: line.sample_paid,
            unit_cost: view
                .margin
                .is_some()
                .then(|| line.unit_cost.map(money))
                .flatten(),
            amount: money(line.amount()),
            vat_amount: money(line.vat_amount()),
        })
        .collect();
    let t = totals(&data.lines);
    let mut body = json!({
        "id": sale.meta.id,
        "version": sale.meta.version,
        "created_at": sale.meta.created_at,
        "updated_at": sale.meta.updated_at,
        "title": data.title,
        "counterparty_id": data.counterparty_id,
        "counterparty_name": view.counterparty_name,
        "contact_id": data.contact_id,
        "contact_name": view.contact_name,
        "owner_id": data.owner_id,
        "owner_name": view.owner_name,
        "lead_id": sale.lead_id,
        "process_id": sale.state.process_id,
        "process_type": data.process_type,
        "stage": sale.state.stage,
        "stage_name": stage_name(&sale.state.stage),
        "closed": sale.state.closed,
        "probability": sale.state.probability,
        "lost_reason": sale.state.lost_reason,
        "closed_at": sale.state.closed_at,
        "contract_kind": sale.state.contract_kind,
        "contract": sale.state.contract.as_ref().map(contract_json),
        "lines": lines,
        "totals": {"amount": money(t.amount), "vat": money(t.vat), "net": money(t.net)},
        "delivery_terms": data.delivery_terms,
        "expected_amount": data.expected_amount.map(money),
        "expected_close_date": date(data.expected_close_date),
        "currency": data.currency,
        "order_placed_on": date(data.order_placed_on),
        "invoice_paid_on": date(data.invoice_paid_on),
        "delivered_on": date(data.delivered_on),
        "notes": data.notes,
        "stage_bar": view.bar.iter().map(|(stage, mark)| json!({
            "stage": stage, "name": stage_name(stage), "mark": bar_code(*mark),
        })).collect::<Vec<_>>(),
        "allowed_stages": view.allowed,
    });
    if let (Some(costs), Some(margin)) = (&view.costs, &view.margin) {
        body["costs_total"] = Value::String(money(
            costs.iter().map(|c| c.record.data.amount).sum::<i64>(),
        ));
        body["margin"] = json!({
            "revenue": money(margin.revenue),
            "cost_of_goods": money(margin.cost_of_goods),
            "costs": money(margin.costs),
            "margin": money(margin.margin),
        });
    }
    body
}

fn bar_code(mark: BarMark) -> &'static str {
    match mark {
        BarMark::Entered => "entered",
        BarMark::Skipped => "skipped",
        BarMark::Current => "current",
        BarMark::Ahead => "ahead",
        BarMark::NotInType => "not_in_type",
    }
}

/// A board card or list row on the wire.
fn card_json(card: &Card) -> Value {
    json!({
        "id": card.id, "version": card.version, "title": card.title,
        "counterparty_id": card.counterparty_id, "counterparty_name": card.counterparty_name,
        "owner_id": card.owner_id, "owner_name": card.owner_name, "stage": card.stage,
        "process_type": card.process_type, "amount": money(card.amount),
        "expected_amount": card.expected_amount.map(money), "currency": card.currency,
        "expected_close_date": date(card.expected_close_date), "probability": card.probability,
        "closed": card.closed, "updated_at": card.updated_at,
    })
}

/// Query parameters of the list.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct ListParams {
    /// Words of the title.
    pub q: Option<String>,
    /// Stage code.
    pub stage: Option<String>,
    /// `open` or `closed`.
    pub status: Option<String>,
    /// Counterparty id.
    pub counterparty_id: Option<String>,
    /// Owner id, or `me`.
    pub owner_id: Option<String>,
    /// Page size.
    pub limit: Option<String>,
    /// Cursor.
    pub cursor: Option<String>,
}

/// `me` or a user id.
fn owner_param(
    errors: &mut Errors,
    user: &CurrentUser,
    field: &str,
    value: &Option<String>,
) -> Option<Uuid> {
    match blank(value) {
        Some("me") => Some(user.actor.user_id),
        _ => id_param(errors, field, value),
    }
}

impl ListParams {
    /// Parses the parameters (`me` is `user`), naming each one that is wrong.
    pub fn parse(&self, user: &CurrentUser) -> AppResult<ListQuery> {
        let mut errors = Errors::new();
        let counterparty_id = id_param(&mut errors, "counterparty_id", &self.counterparty_id);
        let owner_id = owner_param(&mut errors, user, "owner_id", &self.owner_id);
        let closed = match blank(&self.status) {
            None => None,
            Some("open") => Some(false),
            Some("closed") => Some(true),
            Some(_) => {
                errors.add(
                    "status",
                    Problem::NotAllowed {
                        allowed: vec!["open".into(), "closed".into()],
                    },
                );
                None
            }
        };
        let (cursor, limit) = page_params(&mut errors, &self.limit, &self.cursor);
        errors
            .finish(ListQuery {
                q: blank(&self.q).map(str::to_string),
                stage: blank(&self.stage).map(str::to_string),
                closed,
                counterparty_id,
                owner_id,
                cursor,
                limit,
            })
            .map_err(AppError::Invalid)
    }
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<ListParams>,
) -> AppResult<impl IntoResponse> {
    let query = params.parse(&user)?;
    let page = usecase::list(&state.store, &user, &query).await?;
    Ok(Json(PageResponse::from_page(page, |card| card_json(&card))))
}

/// Query parameters of the board.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct BoardParams {
    /// Owner id or `me`.
    pub owner_id: Option<String>,
    /// `true`: include the won and lost columns.
    pub closed: Option<String>,
    /// Cards per column, 1–100 (20 by default).
    pub per_column: Option<String>,
}

async fn board(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: axum::http::HeaderMap,
    Query(params): Query<BoardParams>,
) -> AppResult<impl IntoResponse> {
    let lang = request_lang(&headers);
    let mut errors = Errors::new();
    let owner_id = owner_param(&mut errors, &user, "owner_id", &params.owner_id);
    let per_column = match blank(&params.per_column) {
        None => 20,
        Some(text) => match text.parse::<i64>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                errors.add("per_column", Problem::Range { min: 1, max: 100 });
                20
            }
        },
    };
    let with_closed = matches!(blank(&params.closed), Some("true" | "1"));
    errors.finish(()).map_err(AppError::Invalid)?;
    let (definition, columns) =
        usecase::board(&state.store, &user, owner_id, with_closed, per_column).await?;
    let columns: Vec<Value> = columns
        .iter()
        .map(|column| {
            json!({
                "stage": column.stage,
                "name": definition.stage(&column.stage).map(|s| s.name(lang)).unwrap_or(&column.stage),
                "count": column.count,
                "amount": money(column.amount),
                "cards": column.cards.iter().map(card_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(json!({ "columns": columns })))
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: axum::http::HeaderMap,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let input = merge(&SaleInput::default(), &body)?;
    let view = usecase::create(&state.store, &user, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(sale_json(&view, request_lang(&headers))),
    ))
}

async fn read(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let view = usecase::get(&state.store, &user, path_id(&id)?).await?;
    Ok(Json(sale_json(&view, request_lang(&headers))))
}

/// Fields of a sale that only the process changes: named in a PATCH, they are refused with a
/// pointer to the right endpoint.
const PROCESS_FIELDS: &[&str] = &[
    "stage",
    "closed",
    "probability",
    "lost_reason",
    "contract_kind",
    "contract",
    "lead_id",
];

async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let id = path_id(&id)?;
    let moved: Vec<FieldError> = PROCESS_FIELDS
        .iter()
        .filter(|f| body.contains_key(**f))
        .map(|f| {
            FieldError::new(
                *f,
                Problem::Rule {
                    ru: "Меняется переходом по этапам: POST /api/v1/sales/{id}/stage или PATCH …/contract".into(),
                    en: "Changed by the process: POST /api/v1/sales/{id}/stage or PATCH …/contract".into(),
                },
            )
        })
        .collect();
    if !moved.is_empty() {
        return Err(AppError::Invalid(moved));
    }
    let expected = version(&body)?;
    let view = usecase::update(&state.store, &user, id, expected, |current| {
        merge(&current, &body)
    })
    .await?;
    Ok(Json(sale_json(&view, request_lang(&headers))))
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

fn text_field(body: &Map<String, Value>, errors: &mut Errors, field: &str) -> Option<String> {
    match body.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => errors.take(field, optional_text(s, 4000)).flatten(),
        Some(_) => {
            errors.add(field, Problem::Type { expected: "text" });
            None
        }
    }
}

/// Reads the body of `POST /sales/{id}/stage`.
pub fn stage_move(body: &Map<String, Value>) -> Result<StageMove, Vec<FieldError>> {
    let mut errors = Errors::new();
    for key in body.keys() {
        if !["stage", "process_type", "contract_kind", "reason", "skip"].contains(&key.as_str()) {
            errors.add(key.clone(), Problem::UnknownField);
        }
    }
    let stage = text_field(body, &mut errors, "stage");
    if stage.is_none()
        && matches!(
            body.get("stage"),
            None | Some(Value::Null | Value::String(_))
        )
    {
        errors.add("stage", Problem::Required);
    }
    let process_type = text_field(body, &mut errors, "process_type")
        .and_then(|code| errors.take("process_type", ProcessType::parse(&code)));
    let contract_kind = text_field(body, &mut errors, "contract_kind")
        .and_then(|code| errors.take("contract_kind", ContractKind::parse(&code)));
    let reason = text_field(body, &mut errors, "reason");
    let skip = match body.get("skip") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            errors.add(
                "skip",
                Problem::Type {
                    expected: "boolean",
                },
            );
            false
        }
    };
    errors.finish(StageMove {
        stage: stage.unwrap_or_default(),
        process_type,
        contract_kind,
        reason,
        skip,
    })
}

async fn move_stage(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let id = path_id(&id)?;
    let asked = stage_move(&body)?;
    let (view, created) = usecase::move_stage(&state.store, &user, id, &asked).await?;
    let mut answer = sale_json(&view, request_lang(&headers));
    answer["created_tasks"] = tasks_json(&created);
    Ok(Json(answer))
}

/// `POST /sales/{id}/skip` with `{"stage"}`: the same as a stage move with `"skip": true`.
async fn skip_stage(
    state: State<AppState>,
    user: CurrentUser,
    headers: axum::http::HeaderMap,
    id: Path<String>,
    JsonObject(mut body): JsonObject,
) -> AppResult<impl IntoResponse> {
    body.insert("skip".into(), Value::Bool(true));
    move_stage(state, user, headers, id, JsonObject(body)).await
}

/// Tasks on the wire.
pub fn tasks_json(tasks: &[TaskRecord]) -> Value {
    Value::Array(
        tasks
            .iter()
            .map(|t| serde_json::to_value(TaskResponse::from(t)).unwrap_or(Value::Null))
            .collect(),
    )
}

async fn update_contract(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let id = path_id(&id)?;
    let expected = version(&body)?;
    let redraw = matches!(body.get("redraw"), Some(Value::Bool(true)));
    let view = usecase::update_contract(
        &state.store,
        &user,
        id,
        expected,
        |mut contract| {
            let mut errors = Errors::new();
            for key in body.keys() {
                if ![
                    "version",
                    "redraw",
                    "kind",
                    "number",
                    "date",
                    "payment_terms",
                    "delivery_terms",
                    "valid_until",
                ]
                .contains(&key.as_str())
                {
                    errors.add(key.clone(), Problem::UnknownField);
                }
            }
            if body.contains_key("kind") {
                let kind = text_field(&body, &mut errors, "kind").unwrap_or_default();
                if let Some(kind) = errors.take("kind", ContractKind::parse(&kind)) {
                    contract.kind = kind;
                }
            }
            if body.contains_key("number") {
                contract.number = text_field(&body, &mut errors, "number");
            }
            if body.contains_key("payment_terms") {
                contract.payment_terms = text_field(&body, &mut errors, "payment_terms");
            }
            if body.contains_key("delivery_terms") {
                contract.delivery_terms = text_field(&body, &mut errors, "delivery_terms");
            }
            for (field, slot) in [
                ("date", &mut contract.date),
                ("valid_until", &mut contract.valid_until),
            ] {
                if body.contains_key(field) {
                    let text = text_field(&body, &mut errors, field).unwrap_or_default();
                    if let Some(value) = errors.take(field, optional_date(&text)) {
                        *slot = value;
                    }
                }
            }
            errors.finish(contract)
        },
        redraw,
    )
    .await?;
    Ok(Json(sale_json(&view, request_lang(&headers))))
}

async fn history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let entries = usecase::history(&state.store, &user, path_id(&id)?).await?;
    Ok(Json(json!({ "items": entries })))
}

async fn timeline(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let events = usecase::timeline(&state.store, &user, path_id(&id)?).await?;
    Ok(Json(json!({ "items": events })))
}

/// A cost on the wire.
#[derive(Debug, Serialize)]
pub struct CostResponse {
    /// Id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Sale.
    pub sale_id: Uuid,
    /// Category code.
    pub category: String,
    /// Amount, VAT included.
    pub amount: String,
    /// VAT rate, percent.
    pub vat_rate: String,
    /// Date.
    pub spent_on: String,
    /// Note.
    pub note: Option<String>,
    /// Task.
    pub task_id: Option<Uuid>,
}

impl From<&CostRecord> for CostResponse {
    fn from(cost: &CostRecord) -> Self {
        let data = &cost.record.data;
        CostResponse {
            id: cost.record.meta.id,
            version: cost.record.meta.version,
            created_at: cost.record.meta.created_at,
            sale_id: cost.sale_id,
            category: data.category.code().into(),
            amount: money(data.amount),
            vat_rate: format_plain(data.vat_rate, RATE_SCALE),
            spent_on: data.spent_on.format("%Y-%m-%d").to_string(),
            note: data.note.clone(),
            task_id: data.task_id,
        }
    }
}

async fn list_costs(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    let costs = usecase::costs(&state.store, &user, path_id(&id)?).await?;
    let items: Vec<CostResponse> = costs.iter().map(CostResponse::from).collect();
    Ok(Json(json!({ "items": items })))
}

async fn add_cost(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let input = merge(&CostInput::default(), &body)?;
    let cost = usecase::add_cost(&state.store, &user, path_id(&id)?, &input).await?;
    Ok((StatusCode::CREATED, Json(CostResponse::from(&cost))))
}

async fn update_cost(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<impl IntoResponse> {
    let expected = version(&body)?;
    let cost = usecase::update_cost(&state.store, &user, path_id(&id)?, expected, |current| {
        merge(&current, &body)
    })
    .await?;
    Ok(Json(CostResponse::from(&cost)))
}

async fn delete_cost(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<impl IntoResponse> {
    usecase::delete_cost(&state.store, &user, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
