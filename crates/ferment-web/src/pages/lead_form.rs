//! Capturing and editing a lead: the company (or an existing counterparty, chosen with a search),
//! the person, the need, the status and who works it.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use ferment_domain::lead::{LeadInput, LeadStatus};
use uuid::Uuid;

use super::contact_form::counterparty_choices;
use super::forms::{
    Choice, FieldView, FormData, FormErrors, FormNotice, FormPage, FormSection, SearchBox,
};
use super::i18n::{Entity, Texts};
use super::layout::{Ctx, PageResult, render, see_other};
use super::lookups::{territory_choices, user_choices};
use super::path_id;
use crate::AppState;
use crate::app;
use crate::error::AppError;

/// The counterparty search box's name.
const FIND_QUERY: &str = "counterparty_q";

fn input_of(form: &FormData) -> LeadInput {
    LeadInput {
        source: form.text("source"),
        company_name: form.text("company_name"),
        counterparty_id: form.text("counterparty_id"),
        inn: form.text("inn"),
        contact_name: form.text("contact_name"),
        contact_position: form.text("contact_position"),
        email: form.text("email"),
        phone: form.text("phone"),
        need: form.text("need"),
        product_interest: form.text("product_interest"),
        status: form.text("status"),
        disqualify_reason: form.text("disqualify_reason"),
        owner_id: form.text("owner_id"),
        territory_id: form.text("territory_id"),
        notes: form.text("notes"),
    }
}

fn failed(t: &'static Texts) -> FormNotice {
    FormNotice {
        title: t.check_fields.to_string(),
        ..Default::default()
    }
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    input: &LeadInput,
    mut errors: FormErrors,
    notice: Option<FormNotice>,
    record: Option<(Uuid, i64)>,
    search: String,
) -> Result<FormPage, AppError> {
    let (t, lang) = (ctx.t, ctx.lang);
    let e = &mut errors;
    let statuses = LeadStatus::ALL
        .iter()
        .map(|s| Choice::new(s.code(), s.label(lang), &input.status))
        .collect();
    let company = FormSection {
        title: t.section_company,
        fields: vec![
            FieldView::text("company_name", t.company_name, &input.company_name, e)
                .required()
                .wide(),
            FieldView::text(
                "counterparty_id",
                t.existing_counterparty,
                &input.counterparty_id,
                e,
            )
            .select(counterparty_choices(state, ctx, &input.counterparty_id, &search).await?)
            .with_search(SearchBox {
                name: FIND_QUERY,
                value: search,
                placeholder: t.search_counterparties,
                button: t.find,
            })
            .hint(t.existing_counterparty_hint),
            FieldView::text("inn", t.inn, &input.inn, e).numeric(),
        ],
    };
    let person = FormSection {
        title: t.section_person,
        fields: vec![
            FieldView::text("contact_name", t.contact_full_name, &input.contact_name, e),
            FieldView::text("contact_position", t.position, &input.contact_position, e),
            FieldView::text("phone", t.phone, &input.phone, e).kind("tel"),
            FieldView::text("email", t.email, &input.email, e).kind("email"),
        ],
    };
    let work = FormSection {
        title: t.section_work,
        fields: vec![
            FieldView::text("status", t.lead_status, &input.status, e).select(statuses),
            FieldView::text("source", t.lead_source, &input.source, e),
            FieldView::text("need", t.need, &input.need, e)
                .kind("textarea")
                .wide(),
            FieldView::text(
                "product_interest",
                t.product_interest,
                &input.product_interest,
                e,
            )
            .kind("textarea")
            .wide(),
            FieldView::text(
                "disqualify_reason",
                t.disqualify_reason,
                &input.disqualify_reason,
                e,
            )
            .kind("textarea")
            .hint(t.disqualify_reason_hint)
            .wide(),
            FieldView::text("owner_id", t.owner_id, &input.owner_id, e)
                .select(user_choices(&state.store, &ctx.user, &input.owner_id, t.not_set).await?),
            FieldView::text("territory_id", t.territory_id, &input.territory_id, e).select(
                territory_choices(
                    &state.store,
                    &ctx.user,
                    lang,
                    &input.territory_id,
                    t.not_set,
                )
                .await?,
            ),
            FieldView::text("notes", t.notes, &input.notes, e)
                .kind("textarea")
                .wide(),
        ],
    };
    let mut notice = notice;
    let leftovers = errors.rest(t, Entity::Lead);
    if !leftovers.is_empty() {
        notice.get_or_insert_with(|| failed(t)).messages = leftovers;
    }
    let (action, cancel, title) = match record {
        Some((id, _)) => (
            format!("/leads/{id}/edit"),
            format!("/leads/{id}"),
            t.edit_lead,
        ),
        None => ("/leads/new".into(), "/leads".into(), t.new_lead),
    };
    Ok(FormPage {
        chrome: ctx.chrome("leads", title),
        action,
        cancel,
        csrf: ctx.user.csrf_token().to_string(),
        version: record.map(|(_, version)| version),
        notice,
        before: vec![company, person, work],
        bank_rows: Vec::new(),
        bank_error: None,
        after: Vec::new(),
    })
}

/// The form again after a refused save.
async fn refused(
    state: &AppState,
    ctx: &Ctx,
    input: &LeadInput,
    record: Option<(Uuid, i64)>,
    error: AppError,
    search: String,
) -> PageResult {
    let (status, errors) = match error {
        AppError::Invalid(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        AppError::Conflict(errors) => (StatusCode::CONFLICT, errors),
        other => return Err(other.into()),
    };
    let page = form_page(
        state,
        ctx,
        input,
        FormErrors::new(&errors, ctx.lang),
        Some(failed(ctx.t)),
        record,
        search,
    )
    .await?;
    Ok(render(status, &page))
}

/// `GET /leads/new`: an empty form.
pub async fn new_lead(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let input = LeadInput {
        status: LeadStatus::New.code().into(),
        owner_id: ctx.user.actor.user_id.to_string(),
        ..Default::default()
    };
    let page = form_page(
        &state,
        &ctx,
        &input,
        FormErrors::default(),
        None,
        None,
        String::new(),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /leads/new`: captures the lead, then shows its card.
pub async fn create_lead(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> PageResult {
    let form = FormData::parse(&body);
    let input = input_of(&form);
    let search = form.text(FIND_QUERY);
    if !form.text("_find").is_empty() {
        let page = form_page(
            &state,
            &ctx,
            &input,
            FormErrors::default(),
            None,
            None,
            search,
        )
        .await?;
        return Ok(render(StatusCode::OK, &page));
    }
    match app::leads::create(&state.store, &ctx.user, &input).await {
        Ok(lead) => Ok(see_other(&format!(
            "/leads/{}?done=created",
            lead.record.meta.id
        ))),
        Err(error) => refused(&state, &ctx, &input, None, error, search).await,
    }
}

/// `GET /leads/{id}/edit`.
pub async fn edit_lead(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id = path_id(&id)?;
    let lead = app::leads::get(&state.store, &ctx.user, id).await?;
    let input = LeadInput::from(&lead.record.data);
    let page = form_page(
        &state,
        &ctx,
        &input,
        FormErrors::default(),
        None,
        Some((id, lead.record.meta.version)),
        String::new(),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /leads/{id}/edit`: saves, then shows the card; a stale version shows the current values.
pub async fn update_lead(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = path_id(&id)?;
    let form = FormData::parse(&body);
    let input = input_of(&form);
    let version = form.version();
    let search = form.text(FIND_QUERY);
    if !form.text("_find").is_empty() {
        let page = form_page(
            &state,
            &ctx,
            &input,
            FormErrors::default(),
            None,
            Some((id, version)),
            search,
        )
        .await?;
        return Ok(render(StatusCode::OK, &page));
    }
    let typed = input.clone();
    match app::leads::update(&state.store, &ctx.user, id, version, move |_| Ok(typed)).await {
        Ok(_) => Ok(see_other(&format!("/leads/{id}?done=saved"))),
        Err(AppError::StaleVersion { .. }) => {
            let current = app::leads::get(&state.store, &ctx.user, id).await?;
            let page = form_page(
                &state,
                &ctx,
                &LeadInput::from(&current.record.data),
                FormErrors::default(),
                Some(FormNotice {
                    title: ctx.t.stale_title.to_string(),
                    detail: ctx.t.stale_detail.to_string(),
                    ..Default::default()
                }),
                Some((id, current.record.meta.version)),
                String::new(),
            )
            .await?;
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(error) => refused(&state, &ctx, &input, Some((id, version)), error, search).await,
    }
}
