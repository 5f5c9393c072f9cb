//! Creating and editing a counterparty: the form, and what happens when it is posted.
//!
//! The posted form becomes a [`CounterpartyInput`] (all text, exactly as typed) and goes to the use
//! case. When the use case refuses it, the same form comes back with status 422 (409 for a duplicate
//! or a stale version), every message beside its input and every value as the user typed it.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use ferment_domain::counterparty::{
    BankAccountInput, CounterpartyInput, CounterpartyKind, Industry, Segment,
};

use super::forms::{
    Choice, FieldView, FormData, FormErrors, FormNotice, FormPage, FormSection, code_choices,
    split_items,
};
use super::i18n::{Entity, Texts, field_label};
use super::layout::{Ctx, PageResult, render, see_other};
use super::lookups::{territory_choices, user_choices};
use super::path_id;
use crate::AppState;
use crate::app;
use crate::error::AppError;

/// Bank-account rows a form always offers (a script adds more).
const MIN_BANK_ROWS: usize = 2;

/// Reads a posted counterparty form.
fn input_of(form: &FormData) -> CounterpartyInput {
    let bank_accounts = form
        .rows("bank_accounts")
        .into_iter()
        .map(|row: BTreeMap<String, String>| {
            let get = |key: &str| row.get(key).cloned().unwrap_or_default();
            BankAccountInput {
                bik: get("bik"),
                bank_name: get("bank_name"),
                correspondent_account: get("correspondent_account"),
                account: get("account"),
            }
        })
        .collect();
    CounterpartyInput {
        kind: form.text("kind"),
        name: form.text("name"),
        full_name: form.text("full_name"),
        inn: form.text("inn"),
        kpp: form.text("kpp"),
        ogrn: form.text("ogrn"),
        legal_address: form.text("legal_address"),
        actual_address: form.text("actual_address"),
        bank_accounts,
        industry: form.text("industry"),
        segment: form.text("segment"),
        territory_id: form.text("territory_id"),
        owner_id: form.text("owner_id"),
        phone: form.text("phone"),
        email: form.text("email"),
        site: form.text("site"),
        tags: split_items(&form.text("tags"), &[',']),
        notes: form.text("notes"),
    }
}

/// Everything that decides how the form looks.
struct FormState<'a> {
    input: &'a CounterpartyInput,
    errors: FormErrors,
    notice: Option<FormNotice>,
    /// `None` for a new counterparty; the id and the version to send back for an edit.
    record: Option<(uuid::Uuid, i64)>,
}

async fn form_page(state: &AppState, ctx: &Ctx, form: FormState<'_>) -> Result<FormPage, AppError> {
    let (t, lang) = (ctx.t, ctx.lang);
    let FormState {
        input,
        mut errors,
        mut notice,
        record,
    } = form;
    let e = &mut errors;
    let kinds = CounterpartyKind::ALL
        .iter()
        .map(|k| Choice::new(k.code(), k.label(lang), &input.kind))
        .collect();
    let main = FormSection {
        title: t.section_main,
        fields: vec![
            FieldView::text("kind", t.kind, &input.kind, e).select(kinds),
            FieldView::text("segment", t.segment, &input.segment, e).select(code_choices(
                Segment::ALL.iter().map(|s| (s.code(), s.label(lang))),
                &input.segment,
                t.not_set,
            )),
            FieldView::text("name", t.name, &input.name, e)
                .required()
                .wide(),
            FieldView::text("full_name", t.full_name, &input.full_name, e).wide(),
            FieldView::text("industry", t.industry, &input.industry, e).select(code_choices(
                Industry::ALL.iter().map(|i| (i.code(), i.label(lang))),
                &input.industry,
                t.not_set,
            )),
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
            FieldView::text("owner_id", t.owner_id, &input.owner_id, e)
                .select(user_choices(&state.store, &ctx.user, &input.owner_id, t.not_set).await?),
        ],
    };
    let requisites = FormSection {
        title: t.section_requisites,
        fields: vec![
            FieldView::text("inn", t.inn, &input.inn, e).numeric(),
            FieldView::text("kpp", t.kpp, &input.kpp, e),
            FieldView::text("ogrn", t.ogrn, &input.ogrn, e).numeric(),
        ],
    };
    let rows = input.bank_accounts.len().max(MIN_BANK_ROWS);
    let bank_rows = (0..rows)
        .map(|index| {
            let account = input.bank_accounts.get(index).cloned().unwrap_or_default();
            let name = |key: &str| format!("bank_accounts[{index}].{key}");
            vec![
                FieldView::text(&name("bik"), t.bik, &account.bik, e).numeric(),
                FieldView::text(&name("bank_name"), t.bank_name, &account.bank_name, e),
                FieldView::text(
                    &name("correspondent_account"),
                    t.correspondent_account,
                    &account.correspondent_account,
                    e,
                )
                .numeric(),
                FieldView::text(&name("account"), t.account, &account.account, e).numeric(),
            ]
        })
        .collect();
    let bank_error = e.take("bank_accounts");
    let after = vec![
        FormSection {
            title: t.section_addresses,
            fields: vec![
                FieldView::text("legal_address", t.legal_address, &input.legal_address, e)
                    .kind("textarea"),
                FieldView::text("actual_address", t.actual_address, &input.actual_address, e)
                    .kind("textarea"),
            ],
        },
        FormSection {
            title: t.section_contact,
            fields: vec![
                FieldView::text("phone", t.phone, &input.phone, e).kind("tel"),
                FieldView::text("email", t.email, &input.email, e).kind("email"),
                FieldView::text("site", t.site, &input.site, e),
            ],
        },
        FormSection {
            title: t.section_other,
            fields: vec![
                FieldView::text("tags", t.tags, &input.tags.join(", "), e)
                    .hint(t.tags_hint)
                    .wide(),
                FieldView::text("notes", t.notes, &input.notes, e)
                    .kind("textarea")
                    .wide(),
            ],
        },
    ];
    let leftovers = errors.rest(t, Entity::Counterparty);
    if !leftovers.is_empty() {
        notice.get_or_insert_with(|| failed_notice(t)).messages = leftovers;
    }
    let (action, cancel, title) = match record {
        Some((id, _)) => (
            format!("/counterparties/{id}"),
            format!("/counterparties/{id}"),
            t.edit_counterparty,
        ),
        None => (
            "/counterparties".to_string(),
            "/counterparties".to_string(),
            t.new_counterparty,
        ),
    };
    let heading = match record {
        Some(_) if !input.name.trim().is_empty() => format!("{title}: {}", input.name.trim()),
        _ => title.to_string(),
    };
    Ok(FormPage {
        chrome: ctx.chrome("counterparties", heading),
        action,
        cancel,
        csrf: ctx.user.csrf_token().to_string(),
        version: record.map(|(_, version)| version),
        notice,
        before: vec![main, requisites],
        bank_rows,
        bank_error,
        after,
    })
}

fn failed_notice(t: &'static Texts) -> FormNotice {
    FormNotice {
        title: t.check_fields.to_string(),
        ..Default::default()
    }
}

/// The form again after a refused save: status and messages from the use case's error.
async fn refused(
    state: &AppState,
    ctx: &Ctx,
    input: &CounterpartyInput,
    record: Option<(uuid::Uuid, i64)>,
    error: AppError,
) -> PageResult {
    let (t, lang) = (ctx.t, ctx.lang);
    let (status, errors, notice) = match error {
        AppError::Invalid(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormErrors::new(&errors, lang),
            failed_notice(t),
        ),
        AppError::Duplicate {
            field,
            existing_id,
            existing_name,
        } => {
            let mut errors = FormErrors::default();
            let message = ferment_domain::validation::Problem::Duplicate {
                existing: existing_name.clone(),
            }
            .message(lang);
            errors.add(field, message);
            let notice = FormNotice {
                duplicate: Some((format!("/counterparties/{existing_id}"), existing_name)),
                ..failed_notice(t)
            };
            (StatusCode::CONFLICT, errors, notice)
        }
        other => return Err(other.into()),
    };
    let page = form_page(
        state,
        ctx,
        FormState {
            input,
            errors,
            notice: Some(notice),
            record,
        },
    )
    .await?;
    Ok(render(status, &page))
}

/// `GET /counterparties/new`: an empty form.
pub async fn new_counterparty(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let input = CounterpartyInput {
        kind: CounterpartyKind::LegalEntity.code().into(),
        owner_id: ctx.user.actor.user_id.to_string(),
        ..Default::default()
    };
    let page = form_page(
        &state,
        &ctx,
        FormState {
            input: &input,
            errors: FormErrors::default(),
            notice: None,
            record: None,
        },
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /counterparties`: creates, then shows the card.
pub async fn create_counterparty(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> PageResult {
    let input = input_of(&FormData::parse(&body));
    match app::counterparties::create(&state.store, &ctx.user, &input).await {
        Ok(record) => Ok(see_other(&format!(
            "/counterparties/{}?done=created",
            record.meta.id
        ))),
        Err(error) => refused(&state, &ctx, &input, None, error).await,
    }
}

/// `GET /counterparties/{id}/edit`: the form with the stored values.
pub async fn edit_counterparty(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id = path_id(&id)?;
    let record = app::counterparties::get(&state.store, &ctx.user, id).await?;
    let input = CounterpartyInput::from(&record.data);
    let page = form_page(
        &state,
        &ctx,
        FormState {
            input: &input,
            errors: FormErrors::default(),
            notice: None,
            record: Some((id, record.meta.version)),
        },
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /counterparties/{id}`: saves an edit, then shows the card. A stale version shows the
/// current values with what the user had typed listed above them.
pub async fn update_counterparty(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = path_id(&id)?;
    let form = FormData::parse(&body);
    let input = input_of(&form);
    let version = form.version();
    let typed = input.clone();
    match app::counterparties::update(&state.store, &ctx.user, id, version, move |_| Ok(typed))
        .await
    {
        Ok(_) => Ok(see_other(&format!("/counterparties/{id}?done=saved"))),
        Err(AppError::StaleVersion { .. }) => stale(&state, &ctx, id, &input).await,
        Err(error) => refused(&state, &ctx, &input, Some((id, version)), error).await,
    }
}

async fn stale(
    state: &AppState,
    ctx: &Ctx,
    id: uuid::Uuid,
    typed: &CounterpartyInput,
) -> PageResult {
    let t = ctx.t;
    let current = app::counterparties::get(&state.store, &ctx.user, id).await?;
    let input = CounterpartyInput::from(&current.data);
    let notice = FormNotice {
        title: t.stale_title.to_string(),
        detail: t.stale_detail.to_string(),
        typed: differences(t, &input, typed),
        ..Default::default()
    };
    let page = form_page(
        state,
        ctx,
        FormState {
            input: &input,
            errors: FormErrors::default(),
            notice: Some(notice),
            record: Some((id, current.meta.version)),
        },
    )
    .await?;
    Ok(render(StatusCode::CONFLICT, &page))
}

/// The fields where what the user typed differs from the current values: (label, typed value).
fn differences(
    t: &'static Texts,
    current: &CounterpartyInput,
    typed: &CounterpartyInput,
) -> Vec<(String, String)> {
    let (Ok(serde_json::Value::Object(current)), Ok(serde_json::Value::Object(typed))) =
        (serde_json::to_value(current), serde_json::to_value(typed))
    else {
        return Vec::new();
    };
    typed
        .iter()
        .filter(|(field, value)| current.get(*field) != Some(value))
        .map(|(field, value)| {
            let shown = match value {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            (
                field_label(t, Entity::Counterparty, field).to_string(),
                shown,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_posted_form_becomes_the_input_as_typed() {
        let form = FormData::parse(
            "kind=legal_entity&name=+Молзавод+&inn=7707083894&tags=молоко,+сыр&bank_accounts[1].bik=044525225"
                .as_bytes(),
        );
        let input = input_of(&form);
        assert_eq!(input.name, " Молзавод ");
        assert_eq!(input.inn, "7707083894");
        assert_eq!(input.tags, vec!["молоко".to_string(), "сыр".into()]);
        assert_eq!(input.bank_accounts.len(), 2);
        assert_eq!(input.bank_accounts[0], BankAccountInput::default());
        assert_eq!(input.bank_accounts[1].bik, "044525225");
    }
}
