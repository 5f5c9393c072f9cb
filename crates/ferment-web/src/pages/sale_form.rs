//! Creating and editing a sale: the deal's fields and its lines (product, quantity, price, VAT,
//! samples), a fixed number of line rows with more on request.
//!
//! Blank line rows are left out before the sale goes to the use case, and the use case's messages
//! about `lines[k]` are moved back to the row the user typed them in, so each message stands beside
//! its input. The buttons that search counterparties or products, or add rows, post the form back
//! as typed and save nothing, so the form works without JavaScript.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use ferment_domain::access::SystemOp;
use ferment_domain::sale::{LINES_MAX, SaleInput, SaleLineInput};
use ferment_domain::validation::FieldError;
use uuid::Uuid;

use super::contact_form::counterparty_choices;
use super::format::{day_input, money};
use super::forms::{
    Choice, FieldView, FormData, FormErrors, FormNotice, FormSection, SearchBox, keep_unknown,
};
use super::i18n::{Entity, Texts, field_label};
use super::layout::{Chrome, Ctx, PageResult, render, see_other};
use super::lookups::user_choices;
use super::path_id;
use crate::AppState;
use crate::app;
use crate::error::AppError;

/// Line rows a new sale's form offers.
const BLANK_ROWS: usize = 5;
/// Line rows added by «more rows».
const MORE_ROWS: usize = 5;
/// The counterparty search box's name.
const COUNTERPARTY_QUERY: &str = "counterparty_q";
/// The product search box's name.
const PRODUCT_QUERY: &str = "product_q";

/// Reads the deal's fields and every line row (blank ones included) of a posted form.
fn typed(form: &FormData) -> (SaleInput, Vec<SaleLineInput>) {
    let rows = form
        .rows_within("lines", LINES_MAX)
        .into_iter()
        .map(|row| {
            let get = |key: &str| row.get(key).cloned().unwrap_or_default();
            SaleLineInput {
                product_id: get("product_id"),
                quantity: get("quantity"),
                unit_price: get("unit_price"),
                vat_rate: get("vat_rate"),
                needs_sample: get("needs_sample"),
                sample_paid: if row.get("sample_paid").is_some_and(|v| v != "false") {
                    "true".into()
                } else {
                    String::new()
                },
                unit_cost: get("unit_cost"),
            }
        })
        .collect();
    let input = SaleInput {
        title: form.text("title"),
        counterparty_id: form.text("counterparty_id"),
        contact_id: form.text("contact_id"),
        owner_id: form.text("owner_id"),
        process_type: String::new(),
        lines: Vec::new(),
        delivery_terms: form.text("delivery_terms"),
        expected_amount: form.text("expected_amount"),
        expected_close_date: form.text("expected_close_date"),
        currency: String::new(),
        order_placed_on: form.text("order_placed_on"),
        invoice_paid_on: form.text("invoice_paid_on"),
        delivered_on: form.text("delivered_on"),
        notes: form.text("notes"),
    };
    (input, rows)
}

/// Whether the user left a line row empty.
fn is_blank(row: &SaleLineInput) -> bool {
    [
        &row.product_id,
        &row.quantity,
        &row.unit_price,
        &row.vat_rate,
        &row.needs_sample,
        &row.sample_paid,
        &row.unit_cost,
    ]
    .iter()
    .all(|value| value.trim().is_empty())
}

/// The filled rows as the sale's lines, with the row each line came from.
fn lines_of(rows: &[SaleLineInput]) -> (Vec<SaleLineInput>, Vec<usize>) {
    rows.iter()
        .enumerate()
        .filter(|(_, row)| !is_blank(row))
        .map(|(index, row)| (row.clone(), index))
        .unzip()
}

/// Moves messages about `lines[k]` to the row line `k` was typed in.
fn to_rows(errors: Vec<FieldError>, origin: &[usize]) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|mut error| {
            if let Some(rest) = error.field.strip_prefix("lines[")
                && let Some((index, tail)) = rest.split_once(']')
                && let Ok(index) = index.parse::<usize>()
                && let Some(row) = origin.get(index)
            {
                error.field = format!("lines[{row}]{tail}");
            }
            error
        })
        .collect()
}

/// One row of the lines table.
struct LineRow {
    product: FieldView,
    quantity: FieldView,
    unit_price: FieldView,
    vat_rate: FieldView,
    needs_sample: FieldView,
    sample_paid: FieldView,
    unit_cost: Option<FieldView>,
}

#[derive(Template)]
#[template(path = "sales/form.html")]
struct FormPage {
    chrome: Chrome,
    action: String,
    cancel: String,
    csrf: String,
    version: Option<i64>,
    notice: Option<FormNotice>,
    sections: Vec<FormSection>,
    lines: Vec<LineRow>,
    lines_error: Option<String>,
    show_cost: bool,
    product_search: SearchBox,
    more_rows: usize,
    after: Vec<FormSection>,
}

/// Everything that decides how the form looks.
struct FormState<'a> {
    input: &'a SaleInput,
    rows: Vec<SaleLineInput>,
    errors: FormErrors,
    notice: Option<FormNotice>,
    /// `None` for a new sale; the id and the version for an edit.
    record: Option<(Uuid, i64)>,
    counterparty_search: String,
    product_search: String,
}

/// Product options for every row: the first products by name, those a search found, and those the
/// rows hold.
async fn product_choices(
    state: &AppState,
    ctx: &Ctx,
    rows: &[SaleLineInput],
    search: &str,
) -> Result<Vec<(String, String)>, AppError> {
    let show_price = ctx
        .user
        .actor
        .sees(ferment_domain::access::ProtectedField::ProductPrice);
    let label = |view: &app::catalog::ProductView| {
        let product = &view.record.data;
        if show_price {
            format!(
                "{} ({}, {})",
                product.name,
                product.code,
                money(product.price, &product.currency, ctx.lang)
            )
        } else {
            format!("{} ({})", product.name, product.code)
        }
    };
    let mut options: Vec<(String, String)> = Vec::new();
    let mut add = |view: &app::catalog::ProductView| {
        let id = view.record.meta.id.to_string();
        if options.iter().all(|(value, _)| *value != id) {
            options.push((id, label(view)));
        }
    };
    if !search.trim().is_empty() {
        let query = ferment_store::products::ListQuery {
            q: Some(search.trim().to_string()),
            limit: 50,
            ..Default::default()
        };
        for view in app::catalog::list_products(&state.store, &ctx.user, &query)
            .await?
            .items
        {
            add(&view);
        }
    }
    for row in rows {
        if let Ok(id) = Uuid::parse_str(row.product_id.trim())
            && let Ok(view) = app::catalog::get_product(&state.store, &ctx.user, id).await
        {
            add(&view);
        }
    }
    let first = ferment_store::products::ListQuery {
        limit: 100,
        ..Default::default()
    };
    for view in app::catalog::list_products(&state.store, &ctx.user, &first)
        .await?
        .items
    {
        add(&view);
    }
    Ok(options)
}

/// The contacts of the chosen counterparty as options.
async fn contact_choices(
    state: &AppState,
    ctx: &Ctx,
    counterparty_id: &str,
    current: &str,
) -> Result<Vec<Choice>, AppError> {
    let mut choices = vec![Choice::new("", ctx.t.not_set, current)];
    if let Ok(id) = Uuid::parse_str(counterparty_id.trim()) {
        let query = ferment_store::contacts::ListQuery {
            counterparty_id: Some(id),
            limit: 100,
            ..Default::default()
        };
        for row in app::contacts::list(&state.store, &ctx.user, &query)
            .await?
            .items
        {
            choices.push(Choice::new(row.id.to_string(), row.full_name, current));
        }
    }
    keep_unknown(&mut choices, current);
    Ok(choices)
}

fn failed_notice(t: &'static Texts) -> FormNotice {
    FormNotice {
        title: t.check_fields.to_string(),
        ..Default::default()
    }
}

async fn form_page(state: &AppState, ctx: &Ctx, form: FormState<'_>) -> Result<FormPage, AppError> {
    let (t, lang) = (ctx.t, ctx.lang);
    let FormState {
        input,
        rows,
        mut errors,
        mut notice,
        record,
        counterparty_search,
        product_search,
    } = form;
    let e = &mut errors;
    let main = FormSection {
        title: t.section_main,
        fields: vec![
            FieldView::text("title", t.sale_title, &input.title, e)
                .required()
                .wide(),
            FieldView::text(
                "counterparty_id",
                t.counterparty_id,
                &input.counterparty_id,
                e,
            )
            .select(
                counterparty_choices(state, ctx, &input.counterparty_id, &counterparty_search)
                    .await?,
            )
            .required()
            .with_search(SearchBox {
                name: COUNTERPARTY_QUERY,
                value: counterparty_search,
                placeholder: t.search_counterparties,
                button: t.find,
            }),
            FieldView::text("contact_id", t.contact_id, &input.contact_id, e)
                .select(
                    contact_choices(state, ctx, &input.counterparty_id, &input.contact_id).await?,
                )
                .hint(t.contact_hint),
            FieldView::text("owner_id", t.owner_id, &input.owner_id, e)
                .select(user_choices(&state.store, &ctx.user, &input.owner_id, t.not_set).await?),
            FieldView::text(
                "expected_close_date",
                t.expected_close_date,
                &day_input(&input.expected_close_date, lang),
                e,
            )
            .hint(t.date_hint),
            FieldView::text(
                "expected_amount",
                t.expected_amount,
                &input.expected_amount,
                e,
            )
            .hint(t.expected_amount_hint),
            FieldView::text("delivery_terms", t.delivery_terms, &input.delivery_terms, e)
                .kind("textarea")
                .wide(),
        ],
    };
    let show_cost = ctx.user.actor.may(SystemOp::SeeCosts);
    let products = product_choices(state, ctx, &rows, &product_search).await?;
    let samples = |current: &str| {
        vec![
            Choice::new("", t.as_in_product, current),
            Choice::new("true", t.yes, current),
            Choice::new("false", t.no, current),
        ]
    };
    let lines = rows
        .iter()
        .enumerate()
        .map(|(index, row)| {
            let name = |key: &str| format!("lines[{index}].{key}");
            let mut choices = vec![Choice::new("", t.not_set, &row.product_id)];
            choices.extend(
                products.iter().map(|(value, label)| {
                    Choice::new(value.clone(), label.clone(), &row.product_id)
                }),
            );
            keep_unknown(&mut choices, &row.product_id);
            LineRow {
                product: FieldView::text(&name("product_id"), t.product, &row.product_id, e)
                    .select(choices),
                quantity: FieldView::text(&name("quantity"), t.quantity, &row.quantity, e),
                unit_price: FieldView::text(&name("unit_price"), t.unit_price, &row.unit_price, e),
                vat_rate: FieldView::text(&name("vat_rate"), t.vat_rate, &row.vat_rate, e),
                needs_sample: FieldView::text(
                    &name("needs_sample"),
                    t.needs_sample_short,
                    &row.needs_sample,
                    e,
                )
                .select(samples(&row.needs_sample)),
                sample_paid: FieldView::text(
                    &name("sample_paid"),
                    t.sample_paid,
                    &row.sample_paid,
                    e,
                )
                .checkbox(),
                unit_cost: show_cost
                    .then(|| FieldView::text(&name("unit_cost"), t.unit_cost, &row.unit_cost, e)),
            }
        })
        .collect();
    let lines_error = e.take("lines");
    let after = match record {
        Some(_) => vec![
            FormSection {
                title: t.section_order,
                fields: vec![
                    FieldView::text(
                        "order_placed_on",
                        t.order_placed_on,
                        &day_input(&input.order_placed_on, lang),
                        e,
                    )
                    .hint(t.date_hint),
                    FieldView::text(
                        "invoice_paid_on",
                        t.invoice_paid_on,
                        &day_input(&input.invoice_paid_on, lang),
                        e,
                    )
                    .hint(t.date_hint),
                    FieldView::text(
                        "delivered_on",
                        t.delivered_on,
                        &day_input(&input.delivered_on, lang),
                        e,
                    )
                    .hint(t.date_hint),
                ],
            },
            notes_section(t, input, e),
        ],
        None => vec![notes_section(t, input, e)],
    };
    let leftovers = errors.rest(t, Entity::Sale);
    if !leftovers.is_empty() {
        notice.get_or_insert_with(|| failed_notice(t)).messages = leftovers;
    }
    let (action, cancel, heading) = match record {
        Some((id, _)) => (
            format!("/sales/{id}/edit"),
            format!("/sales/{id}"),
            format!("{}: {}", t.edit_sale, input.title.trim()),
        ),
        None => (
            "/sales/new".to_string(),
            "/sales".to_string(),
            t.new_sale.to_string(),
        ),
    };
    Ok(FormPage {
        chrome: ctx.chrome("sales", heading),
        action,
        cancel,
        csrf: ctx.user.csrf_token().to_string(),
        version: record.map(|(_, version)| version),
        notice,
        sections: vec![main],
        more_rows: rows.len() + MORE_ROWS,
        lines,
        lines_error,
        show_cost,
        product_search: SearchBox {
            name: PRODUCT_QUERY,
            value: product_search,
            placeholder: t.search_products,
            button: t.find_products,
        },
        after,
    })
}

fn notes_section(t: &'static Texts, input: &SaleInput, e: &mut FormErrors) -> FormSection {
    FormSection {
        title: t.section_other,
        fields: vec![
            FieldView::text("notes", t.notes, &input.notes, e)
                .kind("textarea")
                .wide(),
        ],
    }
}

/// The rows a form shows for `lines`: the lines, then blank rows up to `wanted`, at least one blank.
fn rows_for(lines: &[SaleLineInput], wanted: usize) -> Vec<SaleLineInput> {
    let count = wanted.max(lines.len() + 1).min(LINES_MAX);
    let mut rows = lines.to_vec();
    rows.resize(count.max(rows.len()), SaleLineInput::default());
    rows
}

/// `?lines=N` of the form pages (bounded).
fn wanted_rows(raw: &str) -> Option<usize> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).unwrap_or_default();
    pairs
        .into_iter()
        .find(|(key, _)| key == "lines")
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .map(|n| n.clamp(1, 100))
}

fn query_value(raw: &str, name: &str) -> String {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).unwrap_or_default();
    pairs
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.trim().to_string())
        .unwrap_or_default()
}

/// `GET /sales/new[?counterparty_id=…][&lines=N]`: an empty form.
pub async fn new_sale(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let raw = raw.unwrap_or_default();
    let input = SaleInput {
        counterparty_id: query_value(&raw, "counterparty_id"),
        owner_id: ctx.user.actor.user_id.to_string(),
        ..Default::default()
    };
    let rows = rows_for(&[], wanted_rows(&raw).unwrap_or(BLANK_ROWS));
    show(
        &state,
        &ctx,
        StatusCode::OK,
        FormState {
            input: &input,
            rows,
            errors: FormErrors::default(),
            notice: None,
            record: None,
            counterparty_search: String::new(),
            product_search: String::new(),
        },
    )
    .await
}

async fn show(state: &AppState, ctx: &Ctx, status: StatusCode, form: FormState<'_>) -> PageResult {
    let page = form_page(state, ctx, form).await?;
    Ok(render(status, &page))
}

/// Whether the post only asks for the form again (a search, more rows): nothing is saved.
fn redisplay(form: &FormData) -> Option<usize> {
    let rows = form.text("_rows");
    if !rows.trim().is_empty() {
        return Some(rows.trim().parse::<usize>().unwrap_or(0).min(LINES_MAX));
    }
    (!form.text("_find").is_empty() || !form.text("_find_products").is_empty()).then_some(0)
}

/// The form again after a refused save: the use case's messages beside the inputs.
async fn refused(
    state: &AppState,
    ctx: &Ctx,
    form: &FormData,
    record: Option<(Uuid, i64)>,
    origin: &[usize],
    error: AppError,
) -> PageResult {
    let (input, rows) = typed(form);
    let (status, errors, notice) = match error {
        AppError::Invalid(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormErrors::new(&to_rows(errors, origin), ctx.lang),
            failed_notice(ctx.t),
        ),
        AppError::Conflict(errors) => (
            StatusCode::CONFLICT,
            FormErrors::new(&errors, ctx.lang),
            failed_notice(ctx.t),
        ),
        other => return Err(other.into()),
    };
    let rows = rows_for(&rows, rows.len());
    show(
        state,
        ctx,
        status,
        FormState {
            input: &input,
            rows,
            errors,
            notice: Some(notice),
            record,
            counterparty_search: form.text(COUNTERPARTY_QUERY),
            product_search: form.text(PRODUCT_QUERY),
        },
    )
    .await
}

/// The form as typed, shown again without saving (after a search or «more rows»).
async fn again(
    state: &AppState,
    ctx: &Ctx,
    form: &FormData,
    record: Option<(Uuid, i64)>,
    rows_wanted: usize,
) -> PageResult {
    let (input, rows) = typed(form);
    let rows = rows_for(&rows, rows_wanted.max(rows.len()));
    show(
        state,
        ctx,
        StatusCode::OK,
        FormState {
            input: &input,
            rows,
            errors: FormErrors::default(),
            notice: None,
            record,
            counterparty_search: form.text(COUNTERPARTY_QUERY),
            product_search: form.text(PRODUCT_QUERY),
        },
    )
    .await
}

/// `POST /sales/new`: creates the sale, then shows its card.
pub async fn create_sale(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> PageResult {
    let form = FormData::parse(&body);
    if let Some(rows) = redisplay(&form) {
        return again(&state, &ctx, &form, None, rows).await;
    }
    let (mut input, rows) = typed(&form);
    let (lines, origin) = lines_of(&rows);
    input.lines = lines;
    match app::sales::create(&state.store, &ctx.user, &input).await {
        Ok(view) => Ok(see_other(&format!(
            "/sales/{}?done=created",
            view.sale.meta.id
        ))),
        Err(error) => refused(&state, &ctx, &form, None, &origin, error).await,
    }
}

/// `GET /sales/{id}/edit[?lines=N]`: the form with the stored values.
pub async fn edit_sale(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let id = path_id(&id)?;
    let view = app::sales::get(&state.store, &ctx.user, id).await?;
    let input = SaleInput::from(&view.sale.data);
    let wanted = wanted_rows(raw.as_deref().unwrap_or("")).unwrap_or(input.lines.len() + 2);
    let rows = rows_for(&input.lines, wanted);
    show(
        &state,
        &ctx,
        StatusCode::OK,
        FormState {
            input: &input,
            rows,
            errors: FormErrors::default(),
            notice: None,
            record: Some((id, view.sale.meta.version)),
            counterparty_search: String::new(),
            product_search: String::new(),
        },
    )
    .await
}

/// `POST /sales/{id}/edit`: saves the deal's fields and lines (not its stage), then shows the card.
pub async fn update_sale(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = path_id(&id)?;
    let form = FormData::parse(&body);
    let version = form.version();
    if let Some(rows) = redisplay(&form) {
        return again(&state, &ctx, &form, Some((id, version)), rows).await;
    }
    let (mut input, rows) = typed(&form);
    let (lines, origin) = lines_of(&rows);
    input.lines = lines;
    let typed_input = input.clone();
    let saved = app::sales::update(&state.store, &ctx.user, id, version, move |current| {
        Ok(SaleInput {
            process_type: current.process_type,
            currency: current.currency,
            ..typed_input
        })
    })
    .await;
    match saved {
        Ok(_) => Ok(see_other(&format!("/sales/{id}?done=saved"))),
        Err(AppError::StaleVersion { .. }) => stale(&state, &ctx, id, &input).await,
        Err(error) => refused(&state, &ctx, &form, Some((id, version)), &origin, error).await,
    }
}

/// A stale edit: the current values, with what the user typed differently listed above them.
async fn stale(state: &AppState, ctx: &Ctx, id: Uuid, typed: &SaleInput) -> PageResult {
    let t = ctx.t;
    let view = app::sales::get(&state.store, &ctx.user, id).await?;
    let current = SaleInput::from(&view.sale.data);
    let pairs = [
        ("title", &current.title, &typed.title),
        (
            "counterparty_id",
            &current.counterparty_id,
            &typed.counterparty_id,
        ),
        (
            "delivery_terms",
            &current.delivery_terms,
            &typed.delivery_terms,
        ),
        (
            "expected_close_date",
            &current.expected_close_date,
            &typed.expected_close_date,
        ),
        (
            "expected_amount",
            &current.expected_amount,
            &typed.expected_amount,
        ),
        ("notes", &current.notes, &typed.notes),
    ];
    let differences = pairs
        .into_iter()
        .filter(|(_, old, new)| old.trim() != new.trim())
        .map(|(field, _, new)| {
            (
                field_label(t, Entity::Sale, field).to_string(),
                new.to_string(),
            )
        })
        .collect();
    let rows = rows_for(&current.lines, current.lines.len() + 2);
    show(
        state,
        ctx,
        StatusCode::CONFLICT,
        FormState {
            input: &current,
            rows,
            errors: FormErrors::default(),
            notice: Some(FormNotice {
                title: t.stale_title.to_string(),
                detail: t.stale_detail.to_string(),
                typed: differences,
                ..Default::default()
            }),
            record: Some((id, view.sale.meta.version)),
            counterparty_search: String::new(),
            product_search: String::new(),
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferment_domain::validation::Problem;

    #[test]
    fn blank_rows_are_left_out_and_messages_find_their_row() {
        let form = FormData::parse(
            b"title=x&lines[0].product_id=&lines[0].quantity=&lines[1].product_id=p&lines[1].quantity=-1&lines[2].sample_paid=true",
        );
        let (_, rows) = typed(&form);
        assert_eq!(rows.len(), 3);
        let (lines, origin) = lines_of(&rows);
        assert_eq!(origin, vec![1, 2]);
        assert_eq!(lines[0].quantity, "-1");
        let moved = to_rows(
            vec![
                FieldError::new("lines[0].quantity", Problem::Required),
                FieldError::new("lines[1].product_id", Problem::Required),
                FieldError::new("title", Problem::Required),
            ],
            &origin,
        );
        let fields: Vec<&str> = moved.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["lines[1].quantity", "lines[2].product_id", "title"]
        );
    }

    #[test]
    fn a_form_always_has_a_blank_row_to_type_in() {
        let line = SaleLineInput {
            product_id: "p".into(),
            ..Default::default()
        };
        assert_eq!(rows_for(std::slice::from_ref(&line), 0).len(), 2);
        assert_eq!(rows_for(&[line], 5).len(), 5);
        assert_eq!(wanted_rows("lines=12"), Some(12));
        assert_eq!(wanted_rows("lines=9999"), Some(100));
    }
}
