//! Creating and editing a contact.
//!
//! A contact belongs to a counterparty, and there may be a million of them: the form can't list them
//! all in a select. Beside the select is a search box; its button posts the form back with the
//! matching counterparties as options (nothing is saved), so choosing works without JavaScript.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use ferment_domain::contact::ContactInput;
use uuid::Uuid;

use super::forms::{
    Choice, FieldView, FormData, FormErrors, FormNotice, FormPage, FormSection, SearchBox,
    keep_unknown, split_items,
};
use super::i18n::{Entity, field_label};
use super::layout::{Ctx, PageResult, render, see_other};
use super::path_id;
use crate::AppState;
use crate::app;
use crate::error::AppError;

/// The name of the button that searches counterparties instead of saving.
const FIND: &str = "_find";
/// The search box's name.
const FIND_QUERY: &str = "counterparty_q";

fn input_of(form: &FormData) -> ContactInput {
    ContactInput {
        full_name: form.text("full_name"),
        position: form.text("position"),
        counterparty_id: form.text("counterparty_id"),
        emails: split_items(&form.text("emails"), &[',', ';']),
        phones: split_items(&form.text("phones"), &[]),
        notes: form.text("notes"),
    }
}

struct FormState<'a> {
    input: &'a ContactInput,
    errors: FormErrors,
    notice: Option<FormNotice>,
    record: Option<(Uuid, i64)>,
    /// The counterparty search typed, if the user searched.
    search: String,
}

/// The counterparty select: «—», the chosen one, and the matches of a search (also used by the
/// sale and lead forms).
pub async fn counterparty_choices(
    state: &AppState,
    ctx: &Ctx,
    current: &str,
    search: &str,
) -> Result<Vec<Choice>, AppError> {
    let mut choices = vec![Choice::new("", ctx.t.not_set, current)];
    if let Ok(id) = Uuid::parse_str(current.trim())
        && let Ok(counterparty) = app::counterparties::get(&state.store, &ctx.user, id).await
    {
        choices.push(Choice::new(id.to_string(), counterparty.data.name, current));
    }
    if !search.trim().is_empty() {
        let query = ferment_store::counterparties::ListQuery {
            q: Some(search.trim().to_string()),
            limit: 30,
            ..Default::default()
        };
        let found = app::counterparties::list(&state.store, &ctx.user, &query).await?;
        for row in found.items {
            let id = row.id.to_string();
            if choices.iter().all(|c| c.value != id) {
                let label = match &row.inn {
                    Some(inn) => format!("{} ({inn})", row.name),
                    None => row.name,
                };
                choices.push(Choice::new(id, label, current));
            }
        }
    }
    keep_unknown(&mut choices, current);
    Ok(choices)
}

async fn form_page(state: &AppState, ctx: &Ctx, form: FormState<'_>) -> Result<FormPage, AppError> {
    let t = ctx.t;
    let FormState {
        input,
        mut errors,
        mut notice,
        record,
        search,
    } = form;
    let e = &mut errors;
    let choices = counterparty_choices(state, ctx, &input.counterparty_id, &search).await?;
    let fields = vec![
        FieldView::text("full_name", t.contact_full_name, &input.full_name, e)
            .required()
            .wide(),
        FieldView::text("position", t.position, &input.position, e),
        FieldView::text(
            "counterparty_id",
            t.counterparty_id,
            &input.counterparty_id,
            e,
        )
        .select(choices)
        .with_search(SearchBox {
            name: FIND_QUERY,
            value: search,
            placeholder: t.search_counterparties,
            button: t.find,
        }),
        FieldView::text("emails", t.emails, &input.emails.join("\n"), e)
            .kind("textarea")
            .hint(t.list_hint),
        FieldView::text("phones", t.phones, &input.phones.join("\n"), e)
            .kind("textarea")
            .hint(t.list_hint),
        FieldView::text("notes", t.notes, &input.notes, e)
            .kind("textarea")
            .wide(),
    ];
    let leftovers = errors.rest(t, Entity::Contact);
    if !leftovers.is_empty() {
        notice
            .get_or_insert_with(|| FormNotice {
                title: t.check_fields.to_string(),
                ..Default::default()
            })
            .messages = leftovers;
    }
    let (action, cancel, title) = match record {
        Some((id, _)) => (
            format!("/contacts/{id}"),
            format!("/contacts/{id}"),
            t.edit_contact,
        ),
        None => ("/contacts".into(), "/contacts".into(), t.new_contact),
    };
    Ok(FormPage {
        chrome: ctx.chrome("contacts", title),
        action,
        cancel,
        csrf: ctx.user.csrf_token().to_string(),
        version: record.map(|(_, version)| version),
        notice,
        before: vec![FormSection {
            title: t.section_main,
            fields,
        }],
        bank_rows: Vec::new(),
        bank_error: None,
        after: Vec::new(),
    })
}

async fn show_form(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    form: FormState<'_>,
) -> PageResult {
    let page = form_page(state, ctx, form).await?;
    Ok(render(status, &page))
}

/// The form again after a refused save.
async fn refused(
    state: &AppState,
    ctx: &Ctx,
    input: &ContactInput,
    record: Option<(Uuid, i64)>,
    error: AppError,
) -> PageResult {
    let AppError::Invalid(errors) = error else {
        return Err(error.into());
    };
    let form = FormState {
        input,
        errors: FormErrors::new(&errors, ctx.lang),
        notice: Some(FormNotice {
            title: ctx.t.check_fields.to_string(),
            ..Default::default()
        }),
        record,
        search: String::new(),
    };
    show_form(state, ctx, StatusCode::UNPROCESSABLE_ENTITY, form).await
}

/// `GET /contacts/new[?counterparty_id=…]`: an empty form, the counterparty chosen when given.
pub async fn new_contact(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let counterparty_id = pairs
        .into_iter()
        .find(|(key, _)| key == "counterparty_id")
        .map(|(_, value)| value)
        .unwrap_or_default();
    let input = ContactInput {
        counterparty_id,
        ..Default::default()
    };
    let form = FormState {
        input: &input,
        errors: FormErrors::default(),
        notice: None,
        record: None,
        search: String::new(),
    };
    show_form(&state, &ctx, StatusCode::OK, form).await
}

/// `POST /contacts`: creates (or, with the search button, only searches counterparties).
pub async fn create_contact(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> PageResult {
    let form = FormData::parse(&body);
    let input = input_of(&form);
    if !form.text(FIND).is_empty() {
        let state_of_form = FormState {
            input: &input,
            errors: FormErrors::default(),
            notice: None,
            record: None,
            search: form.text(FIND_QUERY),
        };
        return show_form(&state, &ctx, StatusCode::OK, state_of_form).await;
    }
    match app::contacts::create(&state.store, &ctx.user, &input).await {
        Ok(record) => Ok(see_other(&format!(
            "/contacts/{}?done=created",
            record.meta.id
        ))),
        Err(error) => refused(&state, &ctx, &input, None, error).await,
    }
}

/// `GET /contacts/{id}/edit`.
pub async fn edit_contact(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id = path_id(&id)?;
    let record = app::contacts::get(&state.store, &ctx.user, id).await?;
    let input = ContactInput::from(&record.data);
    let form = FormState {
        input: &input,
        errors: FormErrors::default(),
        notice: None,
        record: Some((id, record.meta.version)),
        search: String::new(),
    };
    show_form(&state, &ctx, StatusCode::OK, form).await
}

/// `POST /contacts/{id}`: saves an edit (or only searches counterparties).
pub async fn update_contact(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = path_id(&id)?;
    let form = FormData::parse(&body);
    let input = input_of(&form);
    let version = form.version();
    if !form.text(FIND).is_empty() {
        let state_of_form = FormState {
            input: &input,
            errors: FormErrors::default(),
            notice: None,
            record: Some((id, version)),
            search: form.text(FIND_QUERY),
        };
        return show_form(&state, &ctx, StatusCode::OK, state_of_form).await;
    }
    let typed = input.clone();
    match app::contacts::update(&state.store, &ctx.user, id, version, move |_| Ok(typed)).await {
        Ok(_) => Ok(see_other(&format!("/contacts/{id}?done=saved"))),
        Err(AppError::StaleVersion { .. }) => {
            let current = app::contacts::get(&state.store, &ctx.user, id).await?;
            let current_input = ContactInput::from(&current.data);
            let typed_fields = [
                ("full_name", &input.full_name, &current_input.full_name),
                ("position", &input.position, &current_input.position),
                ("notes", &input.notes, &current_input.notes),
            ]
            .into_iter()
            .filter(|(_, typed, now)| typed != now)
            .map(|(field, typed, _)| {
                (
                    field_label(ctx.t, Entity::Contact, field).to_string(),
                    typed.clone(),
                )
            })
            .collect();
            let form = FormState {
                input: &current_input,
                errors: FormErrors::default(),
                notice: Some(FormNotice {
                    title: ctx.t.stale_title.to_string(),
                    detail: ctx.t.stale_detail.to_string(),
                    typed: typed_fields,
                    ..Default::default()
                }),
                record: Some((id, current.meta.version)),
                search: String::new(),
            };
            show_form(&state, &ctx, StatusCode::CONFLICT, form).await
        }
        Err(error) => refused(&state, &ctx, &input, Some((id, version)), error).await,
    }
}
