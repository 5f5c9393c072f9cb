//! The counterparty card: requisites, addresses, bank accounts, contacts, documents (also from 1C)
//! and the change history on one screen, in two columns (the record on the left, people and history on the right).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use ferment_domain::counterparty::CounterpartyKind;
use uuid::Uuid;

use super::forms::FormData;
use super::history::{HistoryView, history_views, ids_in};
use super::i18n::Entity;
use super::layout::{Chrome, Ctx, PageResult, render, see_other};
use super::lookups::Names;
use super::{Fact, notice_of, path_id};
use crate::AppState;
use crate::app;

/// A bank account on the card.
struct BankView {
    bik: String,
    bank_name: String,
    correspondent_account: String,
    account: String,
}

/// A sale of the client on the card.
struct SaleRow {
    url: String,
    title: String,
    stage: String,
    amount: String,
    closed: bool,
}

/// A contact on the card.
struct ContactRow {
    url: String,
    full_name: String,
    position: String,
    email: String,
    phone: String,
}

#[derive(Template)]
#[template(path = "counterparties/card.html")]
struct CardPage {
    chrome: Chrome,
    id: Uuid,
    version: i64,
    name: String,
    full_name: String,
    sole_proprietor: bool,
    segment: String,
    segment_label: String,
    notice: Option<&'static str>,
    requisites: Vec<Fact>,
    profile: Vec<Fact>,
    legal_address: String,
    actual_address: String,
    bank_accounts: Vec<BankView>,
    tags: Vec<String>,
    notes: String,
    contacts: Vec<ContactRow>,
    more_contacts: Option<String>,
    sales: Vec<SaleRow>,
    documents: Vec<super::documents::DocView>,
    onec: super::onec_panels::ClientPanel,
    history: Vec<HistoryView>,
}

/// `GET /counterparties/{id}`: the card.
pub async fn show_counterparty(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let (t, lang) = (ctx.t, ctx.lang);
    let id = path_id(&id)?;
    let (client, entries) = app::counterparties::with_history(&state.store, &ctx.user, id).await?;
    let record = client.record();
    let data = &record.data;
    let mut names = Names::default();
    let mut territory_ids = ids_in(&entries, "territory_id");
    territory_ids.extend(data.territory_id);
    let mut user_ids = ids_in(&entries, "owner_id");
    user_ids.extend(data.owner_id);
    names
        .add_territories(&state.store, &ctx.user, lang, territory_ids)
        .await?;
    names.add_users(&state.store, &ctx.user, user_ids).await?;
    let contacts = app::contacts::list(
        &state.store,
        &ctx.user,
        &ferment_store::contacts::ListQuery {
            counterparty_id: Some(id),
            limit: 50,
            ..Default::default()
        },
    )
    .await?;
    let sales = app::sales::list(
        &state.store,
        &ctx.user,
        &ferment_store::sales::ListQuery {
            counterparty_id: Some(id),
            limit: 20,
            ..Default::default()
        },
    )
    .await?;
    let definition = app::pages_support::active_definition(&state.store).await?;
    let sales = sales
        .items
        .into_iter()
        .map(|card| SaleRow {
            url: format!("/sales/{}", card.id),
            stage: super::process_view::stage_name(&definition, &card.stage, lang),
            amount: super::format::money(card.amount, &card.currency, lang),
            title: card.title,
            closed: card.closed,
        })
        .collect();
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let document_rows = crate::app::documents::for_readable(&state, &ctx.user, &client).await?;
    let documents = super::documents::doc_views(&state, &ctx, &document_rows).await?;
    let onec = super::onec_panels::client_panel(&state, &ctx, &client).await?;
    let page = CardPage {
        chrome: ctx.chrome("counterparties", data.name.clone()),
        id,
        version: record.meta.version,
        name: data.name.clone(),
        full_name: text(&data.full_name),
        sole_proprietor: data.kind == CounterpartyKind::SoleProprietor,
        segment: data.segment.map(|s| s.code()).unwrap_or_default().into(),
        segment_label: data
            .segment
            .map(|s| s.label(lang))
            .unwrap_or_default()
            .into(),
        notice: notice_of(t, raw.as_deref().unwrap_or("")),
        requisites: vec![
            Fact::plain(t.kind, data.kind.label(lang)),
            Fact::number(t.inn, &text(&data.inn)),
            Fact::number(t.kpp, &text(&data.kpp)),
            Fact::number(t.ogrn, &text(&data.ogrn)),
        ],
        profile: vec![
            Fact::plain(
                t.industry,
                data.industry.map(|i| i.label(lang)).unwrap_or(""),
            ),
            Fact::plain(t.territory_id, &names.show(data.territory_id)),
            Fact::plain(t.owner_id, &names.show(data.owner_id)),
            Fact::phone(t.phone, &text(&data.phone)),
            Fact::email(t.email, &text(&data.email)),
            Fact::site(t.site, &text(&data.site)),
            Fact::plain(
                t.created_at,
                &super::format::datetime(record.meta.created_at, lang),
            ),
            Fact::plain(
                t.updated_at,
                &super::format::datetime(record.meta.updated_at, lang),
            ),
        ],
        legal_address: text(&data.legal_address),
        actual_address: text(&data.actual_address),
        bank_accounts: data
            .bank_accounts
            .iter()
            .map(|a| BankView {
                bik: a.bik.clone(),
                bank_name: a.bank_name.clone(),
                correspondent_account: text(&a.correspondent_account),
                account: a.account.clone(),
            })
            .collect(),
        tags: data.tags.clone(),
        notes: text(&data.notes),
        more_contacts: contacts
            .next_cursor
            .as_ref()
            .map(|_| format!("/contacts?counterparty_id={id}")),
        contacts: contacts
            .items
            .into_iter()
            .map(|c| ContactRow {
                url: format!("/contacts/{}", c.id),
                full_name: c.full_name,
                position: c.position.unwrap_or_default(),
                email: c.emails.first().cloned().unwrap_or_default(),
                phone: c.phones.first().cloned().unwrap_or_default(),
            })
            .collect(),
        sales,
        documents,
        onec,
        history: history_views(&entries, t, lang, Entity::Counterparty, &names),
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /counterparties/{id}/delete`: hides the counterparty, back to the list.
pub async fn delete_counterparty(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = path_id(&id)?;
    let form = FormData::parse(&body);
    app::counterparties::delete(&state.store, &ctx.user, id, Some(form.version())).await?;
    Ok(see_other("/counterparties?done=deleted"))
}
