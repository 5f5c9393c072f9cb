//! The «1С» panels of the cards: on the sale card, the sale's 1C documents (orders, invoices,
//! payments, shipments), the orders asked to be sent with their state, and «Отправить заказ в 1С»
//! for whoever may edit the sale when a connection takes orders; on the client's card, its 1C
//! documents and contracts. The sale's facts that 1C fills (order placed, invoice paid, delivered)
//! stay where the card shows them.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::post;
use ferment_store::onec::{OnecDocument, Outgoing};
use serde_json::Value;
use uuid::Uuid;

use super::format::{datetime, day, money};
use super::forms::{Choice, FormData};
use super::layout::{Ctx, PageResult, see_other};
use super::onec_words::{document_kind, outgoing_status};
use super::path_id;
use crate::AppState;
use crate::app::onec;
use crate::error::AppError;

/// The route of the sale card's «Отправить заказ в 1С».
pub fn routes() -> Router<AppState> {
    Router::new().route("/sales/{id}/onec/orders", post(send_order))
}

/// A 1C document in a list.
pub struct DocumentRow {
    /// «Заказ», «Счёт», «Оплата», «Отгрузка».
    pub kind: String,
    /// 1C's number (its padding trimmed).
    pub number: String,
    /// 1C's date.
    pub date: String,
    /// The total.
    pub amount: String,
    /// «проведён», «не проведён».
    pub posted: &'static str,
    /// Whether 1C marked it for deletion.
    pub deleted: bool,
    /// 1C's status (order status, payment state), as 1C names it.
    pub status: String,
}

/// An order asked to be sent to 1C.
pub struct OutgoingRow {
    /// `pending`, `sent`, `failed` (for styling).
    pub status_code: String,
    /// «Ожидает», «Отправлен», «Ошибка».
    pub status: String,
    /// «Заказ» or «Счёт».
    pub kind: String,
    /// 1C's number once sent.
    pub number: String,
    /// Whether it is to be posted.
    pub post: bool,
    /// When it was asked for.
    pub requested: String,
    /// Why it failed.
    pub error: String,
}

/// The «1С» panel of the sale card.
pub struct SalePanel {
    /// The sale's 1C documents.
    pub documents: Vec<DocumentRow>,
    /// Orders asked to be sent.
    pub outgoing: Vec<OutgoingRow>,
    /// The connections the order may go to (the form is shown when not empty; the select when
    /// there are several).
    pub targets: Vec<Choice>,
}

impl SalePanel {
    /// Whether the panel has anything to show (installations without 1C see no panel).
    pub fn shown(&self) -> bool {
        !(self.documents.is_empty() && self.outgoing.is_empty() && self.targets.is_empty())
    }
}

fn document_rows(ctx: &Ctx, documents: &[OnecDocument]) -> Vec<DocumentRow> {
    documents
        .iter()
        .map(|d| DocumentRow {
            kind: document_kind(ctx.t, &d.kind),
            number: d.number.trim().to_string(),
            date: day(d.date.date(), ctx.lang),
            amount: money(d.amount, "RUB", ctx.lang),
            posted: if d.posted {
                ctx.t.onec_posted
            } else {
                ctx.t.onec_not_posted
            },
            deleted: d.deleted,
            status: d.status.clone().unwrap_or_default(),
        })
        .collect()
}

fn outgoing_rows(ctx: &Ctx, outgoing: &[Outgoing]) -> Vec<OutgoingRow> {
    outgoing
        .iter()
        .map(|o| OutgoingRow {
            status_code: o.status.clone(),
            status: outgoing_status(ctx.t, &o.status),
            kind: document_kind(ctx.t, &o.kind),
            number: o.number.clone().unwrap_or_default().trim().to_string(),
            post: o.post,
            requested: datetime(o.requested_at, ctx.lang),
            error: o.error.clone().unwrap_or_default(),
        })
        .collect()
}

/// The panel of a sale; `may_edit` says whether the user may change it (then the connections
/// taking orders are offered).
pub async fn sale_panel(
    state: &AppState,
    ctx: &Ctx,
    sale_id: Uuid,
    may_edit: bool,
) -> Result<SalePanel, AppError> {
    let found = onec::of_sale(&state.store, &ctx.user, sale_id).await?;
    let targets = if may_edit {
        onec::order_connections(&state.store, &ctx.user, sale_id)
            .await?
            .into_iter()
            .map(|(id, name)| Choice::new(id.to_string(), name, ""))
            .collect()
    } else {
        Vec::new()
    };
    Ok(SalePanel {
        documents: document_rows(ctx, &found.documents),
        outgoing: outgoing_rows(ctx, &found.outgoing),
        targets,
    })
}

/// `POST /sales/{id}/onec/orders` (`post`, `connection_id`): asks for the order to go to 1C and
/// comes back to the card's «1С» panel; a refusal is listed above the card.
async fn send_order(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = path_id(&id)?;
    let form = FormData::parse(&body);
    let connection_id = match form.text("connection_id").trim() {
        "" => None,
        text => Some(Uuid::parse_str(text).map_err(|_| AppError::NotFound)?),
    };
    match onec::send_order(&state, &ctx.user, id, connection_id, form.checked("post")).await {
        Ok(_) => Ok(see_other(&format!("/sales/{id}?done=order_sent#onec"))),
        Err(error @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            super::sale_card::refused_document(&state, &ctx, id, error).await
        }
        Err(error) => Err(error.into()),
    }
}

/// A contract of the client from 1C.
pub struct ContractRow {
    /// Its name in 1C.
    pub name: String,
    /// Number.
    pub number: String,
    /// Date.
    pub date: String,
}

/// The «1С» section of the client's card.
pub struct ClientPanel {
    /// Documents, newest first.
    pub documents: Vec<DocumentRow>,
    /// Contracts.
    pub contracts: Vec<ContractRow>,
}

impl ClientPanel {
    /// Whether there is anything from 1C.
    pub fn shown(&self) -> bool {
        !(self.documents.is_empty() && self.contracts.is_empty())
    }
}

/// The panel of a client.
pub async fn client_panel(
    state: &AppState,
    ctx: &Ctx,
    client: &crate::app::counterparties::Readable,
) -> Result<ClientPanel, AppError> {
    let found = onec::of_readable(&state.store, client).await?;
    let text =
        |value: &Value, key: &str| value[key].as_str().unwrap_or_default().trim().to_string();
    let contracts = found
        .contracts
        .iter()
        .map(|c| ContractRow {
            name: text(c, "name"),
            number: text(c, "number"),
            date: chrono::NaiveDate::parse_from_str(&text(c, "date"), "%Y-%m-%d")
                .map(|d| day(d, ctx.lang))
                .unwrap_or_else(|_| text(c, "date")),
        })
        .collect();
    Ok(ClientPanel {
        documents: document_rows(ctx, &found.documents),
        contracts,
    })
}
