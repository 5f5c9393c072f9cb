//! Creating and editing a product. Prices and rates are typed and shown the Russian way
//! (`1 234,50`, `22`); the domain accepts either a comma or a point.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use ferment_domain::catalog::{Product, ProductInput, Unit};
use ferment_domain::decimal::{MONEY_SCALE, RATE_SCALE, format_plain, format_ru, from_minor};
use ferment_domain::validation::{Lang, Problem};
use uuid::Uuid;

use super::forms::{
    Choice, FieldView, FormData, FormErrors, FormNotice, FormPage, FormSection, code_choices,
};
use super::i18n::{Entity, field_label};
use super::layout::{Ctx, PageResult, render, see_other};
use super::lookups::group_choices;
use super::path_id;
use crate::AppState;
use crate::app;
use crate::error::AppError;
use ferment_domain::access::ProtectedField;

fn input_of(form: &FormData) -> ProductInput {
    ProductInput {
        code: form.text("code"),
        article: form.text("article"),
        name: form.text("name"),
        unit: form.text("unit"),
        group_id: form.text("group_id"),
        vat_rate: form.text("vat_rate"),
        price: form.text("price"),
        currency: form.text("currency"),
        needs_sample: form.checked("needs_sample"),
        description: form.text("description"),
    }
}

/// A stored product as the form shows it: numbers in the page's notation. English uses a plain
/// point without thousands separators, because a comma there would read as a decimal comma.
fn shown_input(product: &Product, lang: Lang) -> ProductInput {
    let decimal = |minor: i64, scale: u32, trim: bool| match lang {
        Lang::Ru => format_ru(minor, scale, trim),
        Lang::En if trim => format_plain(minor, scale),
        Lang::En => from_minor(minor, scale).to_string(),
    };
    ProductInput {
        price: decimal(product.price, MONEY_SCALE, false),
        vat_rate: decimal(product.vat_rate, RATE_SCALE, true),
        ..ProductInput::from(product)
    }
}

struct FormState<'a> {
    input: &'a ProductInput,
    errors: FormErrors,
    notice: Option<FormNotice>,
    record: Option<(Uuid, i64)>,
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
    let units: Vec<Choice> = code_choices(
        Unit::ALL.iter().map(|u| (u.code(), u.label(lang))),
        &input.unit,
        t.not_set,
    );
    let mut fields = vec![
        FieldView::text("name", t.product_name, &input.name, e)
            .required()
            .wide(),
        FieldView::text("code", t.code, &input.code, e).required(),
        FieldView::text("article", t.article, &input.article, e),
        FieldView::text("group_id", t.group_id, &input.group_id, e)
            .select(group_choices(&state.store, &ctx.user, &input.group_id, t.not_set).await?),
        FieldView::text("unit", t.unit, &input.unit, e)
            .select(units)
            .required(),
        FieldView::text("price", t.price, &input.price, e)
            .required()
            .numeric(),
        FieldView::text("currency", t.currency, &input.currency, e),
        FieldView::text("vat_rate", t.vat_rate, &input.vat_rate, e)
            .required()
            .numeric(),
        FieldView::text(
            "needs_sample",
            t.needs_sample,
            if input.needs_sample { "true" } else { "" },
            e,
        )
        .checkbox(),
        FieldView::text("description", t.description, &input.description, e)
            .kind("textarea")
            .wide(),
    ];
    if !ctx.user.actor.sees(ProtectedField::ProductPrice) {
        // A field the user's roles hide is not on the form at all (saving keeps the stored price).
        fields.retain(|field| field.name != "price");
    }
    let leftovers = errors.rest(t, Entity::Product);
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
            format!("/products/{id}"),
            format!("/products/{id}"),
            t.edit_product,
        ),
        None => ("/products".into(), "/products".into(), t.new_product),
    };
    Ok(FormPage {
        chrome: ctx.chrome("products", title),
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

async fn refused(
    state: &AppState,
    ctx: &Ctx,
    input: &ProductInput,
    record: Option<(Uuid, i64)>,
    error: AppError,
) -> PageResult {
    let notice = FormNotice {
        title: ctx.t.check_fields.to_string(),
        ..Default::default()
    };
    let (status, errors, notice) = match error {
        AppError::Invalid(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormErrors::new(&errors, ctx.lang),
            notice,
        ),
        AppError::Duplicate {
            field,
            existing_id,
            existing_name,
        } => {
            let mut errors = FormErrors::default();
            errors.add(
                field,
                Problem::Duplicate {
                    existing: existing_name.clone(),
                }
                .message(ctx.lang),
            );
            let notice = FormNotice {
                duplicate: Some((format!("/products/{existing_id}"), existing_name)),
                ..notice
            };
            (StatusCode::CONFLICT, errors, notice)
        }
        other => return Err(other.into()),
    };
    let form = FormState {
        input,
        errors,
        notice: Some(notice),
        record,
    };
    show_form(state, ctx, status, form).await
}

/// `GET /products/new`: an empty form (kilograms, the current VAT rate, roubles).
pub async fn new_product(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let input = ProductInput {
        unit: Unit::Kg.code().into(),
        vat_rate: "22".into(),
        currency: "RUB".into(),
        ..Default::default()
    };
    let form = FormState {
        input: &input,
        errors: FormErrors::default(),
        notice: None,
        record: None,
    };
    show_form(&state, &ctx, StatusCode::OK, form).await
}

/// `POST /products`.
pub async fn create_product(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> PageResult {
    let input = input_of(&FormData::parse(&body));
    match app::catalog::create_product(&state.store, &ctx.user, &input).await {
        Ok(view) => Ok(see_other(&format!(
            "/products/{}?done=created",
            view.record.meta.id
        ))),
        Err(error) => refused(&state, &ctx, &input, None, error).await,
    }
}

/// `GET /products/{id}/edit`.
pub async fn edit_product(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id = path_id(&id)?;
    let view = app::catalog::get_product(&state.store, &ctx.user, id).await?;
    let input = shown_input(&view.record.data, ctx.lang);
    let form = FormState {
        input: &input,
        errors: FormErrors::default(),
        notice: None,
        record: Some((id, view.record.meta.version)),
    };
    show_form(&state, &ctx, StatusCode::OK, form).await
}

/// `POST /products/{id}`.
pub async fn update_product(
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
    let shows_price = ctx.user.actor.sees(ProtectedField::ProductPrice);
    let edit = move |current: ProductInput| {
        Ok(if shows_price {
            typed
        } else {
            ProductInput {
                price: current.price,
                ..typed
            }
        })
    };
    match app::catalog::update_product(&state.store, &ctx.user, id, version, edit).await {
        Ok(_) => Ok(see_other(&format!("/products/{id}?done=saved"))),
        Err(AppError::StaleVersion { .. }) => {
            let current = app::catalog::get_product(&state.store, &ctx.user, id).await?;
            let current_input = shown_input(&current.record.data, ctx.lang);
            let typed_fields = [
                ("name", &input.name, &current_input.name),
                ("code", &input.code, &current_input.code),
                ("price", &input.price, &current_input.price),
                ("vat_rate", &input.vat_rate, &current_input.vat_rate),
                (
                    "description",
                    &input.description,
                    &current_input.description,
                ),
            ]
            .into_iter()
            .filter(|(field, typed, now)| typed != now && (shows_price || *field != "price"))
            .map(|(field, typed, _)| {
                (
                    field_label(ctx.t, Entity::Product, field).to_string(),
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
                record: Some((id, current.record.meta.version)),
            };
            show_form(&state, &ctx, StatusCode::CONFLICT, form).await
        }
        Err(error) => refused(&state, &ctx, &input, Some((id, version)), error).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_price_is_shown_for_editing_in_the_pages_notation() {
        let product = ProductInput {
            code: "1".into(),
            name: "Крахмал".into(),
            unit: "kg".into(),
            vat_rate: "10,5".into(),
            price: "1234,5".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let ru = shown_input(&product, Lang::Ru);
        assert_eq!(
            (ru.price.as_str(), ru.vat_rate.as_str()),
            ("1\u{a0}234,50", "10,5")
        );
        let en = shown_input(&product, Lang::En);
        assert_eq!(
            (en.price.as_str(), en.vat_rate.as_str()),
            ("1234.50", "10.5")
        );
    }
}
