//! Leads: the list (search, status, keyset pages), the card with its status, disqualification with
//! a reason and conversion into a sale, and the change history. The form is in
//! [`super::lead_form`].
//!
//! Converting creates (or finds) the counterparty and the contact and starts a sale at the
//! process's first stage, in one transaction (`app::leads::convert`); the user lands on the new
//! sale's card.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use ferment_domain::lead::{LeadInput, LeadStatus};
use ferment_domain::validation::Errors;
use ferment_store::leads::{LeadRecord, ListQuery};
use uuid::Uuid;

use super::format::{date, datetime};
use super::forms::{Choice, FieldView, FormData, FormErrors};
use super::history::{HistoryView, history_views, ids_in};
use super::i18n::Entity;
use super::layout::{Chrome, Ctx, PageResult, render, see_other};
use super::lookups::Names;
use super::{Fact, lead_form, notice_of, path_id};
use crate::AppState;
use crate::api::params::page_params;
use crate::app;
use crate::error::AppError;

/// The lead routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/leads", get(list_leads))
        .route(
            "/leads/new",
            get(lead_form::new_lead).post(lead_form::create_lead),
        )
        .route("/leads/{id}", get(show_lead))
        .route(
            "/leads/{id}/edit",
            get(lead_form::edit_lead).post(lead_form::update_lead),
        )
        .route("/leads/{id}/disqualify", post(disqualify_lead))
        .route("/leads/{id}/reopen", post(reopen_lead))
        .route("/leads/{id}/convert", post(convert_lead))
        .route("/leads/{id}/delete", post(delete_lead))
}

/// One row of the list.
struct Row {
    url: String,
    company: String,
    contact: String,
    phone: String,
    email: String,
    need: String,
    status: &'static str,
    status_code: &'static str,
    owner: String,
    created: String,
}

#[derive(Template)]
#[template(path = "leads/list.html")]
struct ListPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    q: String,
    statuses: Vec<Choice>,
    problems: Vec<String>,
    rows: Vec<Row>,
    next_url: Option<String>,
    first_url: Option<String>,
    filtered: bool,
}

/// The list's query as typed.
#[derive(Debug, Default, serde::Deserialize)]
struct Params {
    q: Option<String>,
    status: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
}

fn list_url(q: &str, status: &str, cursor: Option<&str>) -> String {
    let pairs: Vec<(&str, &str)> = [
        ("q", q),
        ("status", status),
        ("cursor", cursor.unwrap_or("")),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
    if query.is_empty() {
        "/leads".to_string()
    } else {
        format!("/leads?{query}")
    }
}

/// A need cut to a line for the list.
fn short(text: &str, chars: usize) -> String {
    let mut cut: String = text.chars().take(chars).collect();
    if text.chars().count() > chars {
        cut.push('…');
    }
    cut
}

/// `GET /leads`.
async fn list_leads(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let (t, lang) = (ctx.t, ctx.lang);
    let raw = raw.unwrap_or_default();
    let params: Params = serde_urlencoded::from_str(&raw).unwrap_or_default();
    let mut errors = Errors::new();
    let status_text = params.status.as_deref().unwrap_or("").trim().to_string();
    let status = if status_text.is_empty() {
        None
    } else {
        errors.take("status", LeadStatus::parse(&status_text))
    };
    let status_text = status.map(|s| s.code().to_string()).unwrap_or_default();
    let (cursor, limit) = page_params(&mut errors, &params.limit, &params.cursor);
    let problems = errors
        .into_vec()
        .into_iter()
        .map(|e| {
            let label = match e.field.as_str() {
                "status" => t.lead_status,
                "limit" => t.page_size,
                _ => t.page,
            };
            format!("{label}: {}", e.problem.message(lang))
        })
        .collect();
    let q = params.q.as_deref().unwrap_or("").trim().to_string();
    let query = ListQuery {
        q: Some(q.clone()).filter(|q| !q.is_empty()),
        status,
        owner_id: None,
        cursor: cursor.clone(),
        limit,
    };
    let page = app::leads::list(&state.store, &ctx.user, &query).await?;
    let mut names = Names::default();
    names
        .add_users(
            &state.store,
            &ctx.user,
            page.items.iter().filter_map(|l| l.record.data.owner_id),
        )
        .await?;
    let rows = page
        .items
        .iter()
        .map(|lead| {
            let data = &lead.record.data;
            Row {
                url: format!("/leads/{}", lead.record.meta.id),
                company: data.company_name.clone(),
                contact: data.contact_name.clone().unwrap_or_default(),
                phone: data.phone.clone().unwrap_or_default(),
                email: data.email.clone().unwrap_or_default(),
                need: short(data.need.as_deref().unwrap_or(""), 90),
                status: data.status.label(lang),
                status_code: data.status.code(),
                owner: data
                    .owner_id
                    .and_then(|id| names.get(&id).map(str::to_string))
                    .unwrap_or_default(),
                created: date(lead.record.meta.created_at, lang),
            }
        })
        .collect();
    let mut statuses = vec![Choice::new("", t.all, &status_text)];
    statuses.extend(
        LeadStatus::ALL
            .iter()
            .map(|s| Choice::new(s.code(), s.label(lang), &status_text)),
    );
    let list_page = ListPage {
        chrome: ctx.chrome("leads", t.leads),
        notice: notice_of(t, &raw),
        statuses,
        problems,
        rows,
        next_url: page
            .next_cursor
            .map(|c| list_url(&q, &status_text, Some(&c))),
        first_url: cursor.map(|_| list_url(&q, &status_text, None)),
        filtered: !q.is_empty() || !status_text.is_empty(),
        q,
    };
    Ok(render(StatusCode::OK, &list_page))
}

#[derive(Template)]
#[template(path = "leads/card.html")]
struct CardPage {
    chrome: Chrome,
    id: Uuid,
    version: i64,
    company: String,
    status: &'static str,
    status_code: &'static str,
    notice: Option<&'static str>,
    alert: Option<String>,
    problems: Vec<String>,
    facts: Vec<Fact>,
    need: String,
    product_interest: String,
    notes: String,
    /// The sale it became.
    sale_url: Option<String>,
    /// Whether it may still change (not converted).
    open: bool,
    disqualified: bool,
    disqualify: Vec<FieldView>,
    convert: Vec<FieldView>,
    history: Vec<HistoryView>,
}

/// Which form of the card was refused.
enum Posted {
    Nothing,
    Disqualify(FormData),
    Convert(FormData),
}

/// `GET /leads/{id}`.
async fn show_lead(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let id = path_id(&id)?;
    let notice = notice_of(ctx.t, raw.as_deref().unwrap_or(""));
    lead_card(
        &state,
        &ctx,
        id,
        StatusCode::OK,
        notice,
        Posted::Nothing,
        FormErrors::default(),
        None,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn lead_card(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    status: StatusCode,
    notice: Option<&'static str>,
    posted: Posted,
    mut errors: FormErrors,
    alert: Option<String>,
) -> PageResult {
    let (t, lang) = (ctx.t, ctx.lang);
    let lead: LeadRecord = app::leads::get(&state.store, &ctx.user, id).await?;
    let entries = app::leads::history(&state.store, &ctx.user, id).await?;
    let data = &lead.record.data;
    let mut names = Names::default();
    let mut user_ids = ids_in(&entries, "owner_id");
    user_ids.extend(data.owner_id);
    names.add_users(&state.store, &ctx.user, user_ids).await?;
    let mut territory_ids = ids_in(&entries, "territory_id");
    territory_ids.extend(data.territory_id);
    names
        .add_territories(&state.store, &ctx.user, lang, territory_ids)
        .await?;
    let counterparty = match data.counterparty_id {
        Some(cid) => app::counterparties::get(&state.store, &ctx.user, cid)
            .await
            .ok()
            .map(|c| (cid, c.data.name)),
        None => None,
    };
    if let Some((cid, name)) = &counterparty {
        names.insert(*cid, name.clone());
    }
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut facts = vec![
        Fact::plain(t.lead_status, data.status.label(lang)),
        Fact::plain(t.lead_source, &text(&data.source)),
        Fact::link(
            t.counterparty_id,
            counterparty.as_ref().map_or("", |(_, n)| n.as_str()),
            counterparty
                .as_ref()
                .map(|(cid, _)| format!("/counterparties/{cid}"))
                .unwrap_or_default(),
        ),
        Fact::number(t.inn, &text(&data.inn)),
        Fact::plain(t.contact_full_name, &text(&data.contact_name)),
        Fact::plain(t.position, &text(&data.contact_position)),
        Fact::phone(t.phone, &text(&data.phone)),
        Fact::email(t.email, &text(&data.email)),
        Fact::plain(t.owner_id, &names.show(data.owner_id)),
        Fact::plain(t.territory_id, &names.show(data.territory_id)),
        Fact::plain(t.created_at, &datetime(lead.record.meta.created_at, lang)),
    ];
    if let Some(reason) = &data.disqualify_reason {
        facts.insert(1, Fact::plain(t.disqualify_reason, reason));
    }
    if let Some(at) = lead.converted_at {
        facts.push(Fact::plain(t.converted_at, &datetime(at, lang)));
    }
    let (disqualify_typed, convert_typed) = match &posted {
        Posted::Disqualify(form) => (Some(form), None),
        Posted::Convert(form) => (None, Some(form)),
        Posted::Nothing => (None, None),
    };
    let disqualify = vec![
        FieldView::text(
            "disqualify_reason",
            t.disqualify_reason,
            &disqualify_typed
                .map(|f| f.text("disqualify_reason"))
                .unwrap_or_default(),
            &mut errors,
        )
        .kind("textarea")
        .wide(),
    ];
    let convert = vec![
        FieldView::text(
            "title",
            t.sale_title,
            &convert_typed.map(|f| f.text("title")).unwrap_or_default(),
            &mut errors,
        )
        .hint(t.convert_title_hint)
        .wide(),
    ];
    let problems = errors.rest(t, Entity::Lead);
    let mut history = history_views(&entries, t, lang, Entity::Lead, &names);
    for entry in &mut history {
        for change in &mut entry.changes {
            if change.field == "status" {
                for value in [&mut change.old, &mut change.new] {
                    if let Some(s) = LeadStatus::from_code(value) {
                        *value = s.label(lang).to_string();
                    }
                }
            }
        }
    }
    let page = CardPage {
        chrome: ctx.chrome("leads", data.company_name.clone()),
        id,
        version: lead.record.meta.version,
        company: data.company_name.clone(),
        status: data.status.label(lang),
        status_code: data.status.code(),
        notice,
        alert: alert.or_else(|| (!problems.is_empty()).then(|| t.not_done.to_string())),
        problems,
        facts,
        need: text(&data.need),
        product_interest: text(&data.product_interest),
        notes: text(&data.notes),
        sale_url: lead.sale_id.map(|s| format!("/sales/{s}")),
        open: lead.sale_id.is_none(),
        disqualified: data.status == LeadStatus::Disqualified,
        disqualify,
        convert,
        history,
    };
    Ok(render(status, &page))
}

/// The card again after a refused action.
async fn refused(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    posted: Posted,
    error: AppError,
) -> PageResult {
    let (status, errors, alert) = match error {
        AppError::Invalid(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors, None),
        AppError::Conflict(errors) => (StatusCode::CONFLICT, errors, None),
        AppError::StaleVersion { .. } => (
            StatusCode::CONFLICT,
            Vec::new(),
            Some(format!("{} {}", ctx.t.stale_title, ctx.t.stale_card)),
        ),
        AppError::Duplicate { existing_name, .. } => (
            StatusCode::CONFLICT,
            Vec::new(),
            Some(format!("{}: {existing_name}", ctx.t.duplicate_client)),
        ),
        other => return Err(other.into()),
    };
    lead_card(
        state,
        ctx,
        id,
        status,
        None,
        posted,
        FormErrors::new(&errors, ctx.lang),
        alert,
    )
    .await
}

/// `POST /leads/{id}/disqualify`: the lead leaves work, with the reason.
async fn disqualify_lead(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = path_id(&id)?;
    let form = FormData::parse(&body);
    let reason = form.text("disqualify_reason");
    let saved = app::leads::update(
        &state.store,
        &ctx.user,
        id,
        form.version(),
        move |current| {
            Ok(LeadInput {
                status: LeadStatus::Disqualified.code().to_string(),
                disqualify_reason: reason,
                ..current
            })
        },
    )
    .await;
    match saved {
        Ok(_) => Ok(see_other(&format!("/leads/{id}?done=disqualified"))),
        Err(error) => refused(&state, &ctx, id, Posted::Disqualify(form), error).await,
    }
}

/// `POST /leads/{id}/reopen`: a disqualified lead goes back into work.
async fn reopen_lead(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = path_id(&id)?;
    let form = FormData::parse(&body);
    let saved = app::leads::update(&state.store, &ctx.user, id, form.version(), |current| {
        Ok(LeadInput {
            status: LeadStatus::InWork.code().to_string(),
            disqualify_reason: String::new(),
            ..current
        })
    })
    .await;
    match saved {
        Ok(_) => Ok(see_other(&format!("/leads/{id}?done=saved"))),
        Err(error) => refused(&state, &ctx, id, Posted::Nothing, error).await,
    }
}

/// `POST /leads/{id}/convert`: makes the sale (and the client and contact when missing), then
/// shows the sale.
async fn convert_lead(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = path_id(&id)?;
    let form = FormData::parse(&body);
    let title = form.text("title");
    let asked = app::leads::Conversion {
        title: Some(title.trim().to_string()).filter(|t| !t.is_empty()),
        counterparty_id: None,
        sale: Default::default(),
    };
    match app::leads::convert(&state.store, &ctx.user, id, &asked).await {
        Ok(converted) => Ok(see_other(&format!(
            "/sales/{}?done=converted",
            converted.sale_id
        ))),
        Err(error) => refused(&state, &ctx, id, Posted::Convert(form), error).await,
    }
}

/// `POST /leads/{id}/delete`.
async fn delete_lead(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = path_id(&id)?;
    let form = FormData::parse(&body);
    app::leads::delete(&state.store, &ctx.user, id, Some(form.version())).await?;
    Ok(see_other("/leads?done=deleted"))
}
