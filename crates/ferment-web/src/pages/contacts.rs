//! The contact list (search, a counterparty's contacts, keyset pages) and the contact card with its
//! history.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use uuid::Uuid;

use super::forms::FormData;
use super::history::{HistoryView, history_views};
use super::i18n::{Entity, field_label};
use super::layout::{Chrome, Ctx, PageResult, render, see_other};
use super::lookups::Names;
use super::{Fact, contact_form, notice_of, path_id};
use crate::AppState;
use crate::api::contacts::ListParams;
use crate::app;
use crate::error::AppError;

/// The contact routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/contacts",
            get(list_contacts).post(contact_form::create_contact),
        )
        .route("/contacts/new", get(contact_form::new_contact))
        .route(
            "/contacts/{id}",
            get(show_contact).post(contact_form::update_contact),
        )
        .route("/contacts/{id}/edit", get(contact_form::edit_contact))
        .route("/contacts/{id}/delete", post(delete_contact))
}

/// One row of the list.
struct Row {
    url: String,
    full_name: String,
    position: String,
    counterparty_url: String,
    counterparty: String,
    email: String,
    phone: String,
}

#[derive(Template)]
#[template(path = "contacts/list.html")]
struct ListPage {
    chrome: Chrome,
    q: String,
    counterparty_id: String,
    counterparty_name: String,
    problems: Vec<String>,
    notice: Option<&'static str>,
    rows: Vec<Row>,
    new_url: String,
    next_url: Option<String>,
    first_url: Option<String>,
}

fn list_url(q: &str, counterparty_id: &str, cursor: Option<&str>) -> String {
    let pairs: Vec<(&str, &str)> = [
        ("q", q),
        ("counterparty_id", counterparty_id),
        ("cursor", cursor.unwrap_or("")),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
    if query.is_empty() {
        "/contacts".to_string()
    } else {
        format!("/contacts?{query}")
    }
}

async fn list_contacts(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let (t, lang) = (ctx.t, ctx.lang);
    let raw = raw.unwrap_or_default();
    let mut params: ListParams = serde_urlencoded::from_str(&raw).unwrap_or_default();
    let mut problems = Vec::new();
    let query = match params.parse() {
        Ok(query) => query,
        Err(AppError::Invalid(errors)) => {
            for error in &errors {
                let label = field_label(t, Entity::Contact, &error.field);
                problems.push(format!("{label}: {}", error.problem.message(lang)));
                match error.field.as_str() {
                    "counterparty_id" => params.counterparty_id = None,
                    "cursor" => params.cursor = None,
                    _ => params.limit = None,
                }
            }
            match params.parse() {
                Ok(query) => query,
                Err(_) => ListParams::default().parse()?,
            }
        }
        Err(error) => return Err(error.into()),
    };
    let q = params.q.clone().unwrap_or_default().trim().to_string();
    let counterparty_id = query
        .counterparty_id
        .map(|id| id.to_string())
        .unwrap_or_default();
    let counterparty_name = match query.counterparty_id {
        Some(id) => app::counterparties::get(&state.store, &ctx.user, id)
            .await
            .map(|c| c.data.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let page = app::contacts::list(&state.store, &ctx.user, &query).await?;
    let rows = page
        .items
        .into_iter()
        .map(|row| Row {
            url: format!("/contacts/{}", row.id),
            full_name: row.full_name,
            position: row.position.unwrap_or_default(),
            counterparty_url: row
                .counterparty_id
                .map(|id| format!("/counterparties/{id}"))
                .unwrap_or_default(),
            counterparty: row.counterparty_name.unwrap_or_default(),
            email: row.emails.first().cloned().unwrap_or_default(),
            phone: row.phones.first().cloned().unwrap_or_default(),
        })
        .collect();
    let new_url = if counterparty_id.is_empty() {
        "/contacts/new".to_string()
    } else {
        format!("/contacts/new?counterparty_id={counterparty_id}")
    };
    let list_page = ListPage {
        chrome: ctx.chrome("contacts", t.contacts),
        problems,
        notice: notice_of(t, &raw),
        rows,
        new_url,
        next_url: page
            .next_cursor
            .map(|c| list_url(&q, &counterparty_id, Some(&c))),
        first_url: query
            .cursor
            .as_ref()
            .map(|_| list_url(&q, &counterparty_id, None)),
        q,
        counterparty_id,
        counterparty_name,
    };
    Ok(render(StatusCode::OK, &list_page))
}

#[derive(Template)]
#[template(path = "contacts/card.html")]
struct CardPage {
    chrome: Chrome,
    id: Uuid,
    version: i64,
    full_name: String,
    position: String,
    notice: Option<&'static str>,
    facts: Vec<Fact>,
    emails: Vec<Fact>,
    phones: Vec<Fact>,
    notes: String,
    history: Vec<HistoryView>,
}

async fn show_contact(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let (t, lang) = (ctx.t, ctx.lang);
    let id = path_id(&id)?;
    let record = app::contacts::get(&state.store, &ctx.user, id).await?;
    let entries = app::contacts::history(&state.store, &ctx.user, id).await?;
    let data = &record.data;
    let mut names = Names::default();
    let mut counterparty_ids = super::history::ids_in(&entries, "counterparty_id");
    counterparty_ids.extend(data.counterparty_id);
    for counterparty_id in counterparty_ids {
        if let Ok(counterparty) =
            app::counterparties::get(&state.store, &ctx.user, counterparty_id).await
        {
            names.insert(counterparty_id, counterparty.data.name);
        }
    }
    let counterparty = Fact::link(
        t.counterparty_id,
        data.counterparty_id
            .and_then(|id| names.get(&id))
            .unwrap_or(""),
        data.counterparty_id
            .map(|id| format!("/counterparties/{id}"))
            .unwrap_or_default(),
    );
    let page = CardPage {
        chrome: ctx.chrome("contacts", data.full_name.clone()),
        id,
        version: record.meta.version,
        full_name: data.full_name.clone(),
        position: data.position.clone().unwrap_or_default(),
        notice: notice_of(t, raw.as_deref().unwrap_or("")),
        facts: vec![
            counterparty,
            Fact::plain(t.position, data.position.as_deref().unwrap_or("")),
            Fact::plain(
                t.created_at,
                &super::format::datetime(record.meta.created_at, lang),
            ),
            Fact::plain(
                t.updated_at,
                &super::format::datetime(record.meta.updated_at, lang),
            ),
        ],
        emails: data
            .emails
            .iter()
            .map(|e| Fact::email(t.email, e))
            .collect(),
        phones: data
            .phones
            .iter()
            .map(|p| Fact::phone(t.phone, p))
            .collect(),
        notes: data.notes.clone().unwrap_or_default(),
        history: history_views(&entries, t, lang, Entity::Contact, &names),
    };
    Ok(render(StatusCode::OK, &page))
}

async fn delete_contact(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = path_id(&id)?;
    let form = FormData::parse(&body);
    app::contacts::delete(&state.store, &ctx.user, id, Some(form.version())).await?;
    Ok(see_other("/contacts?done=deleted"))
}
