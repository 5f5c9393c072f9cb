//! The nomenclature: the product list (search, group filter, keyset pages) and the product card with
//! its stock per warehouse and its history. Prices and VAT are shown the Russian way.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use uuid::Uuid;

use super::format::{datetime, money, number, rate};
use super::forms::{Choice, FormData};
use super::history::{HistoryView, history_views};
use super::i18n::{Entity, field_label};
use super::layout::{Chrome, Ctx, PageResult, render, see_other};
use super::lookups::{Names, group_choices};
use super::{Fact, notice_of, path_id, product_form};
use crate::AppState;
use crate::api::products::ListParams;
use crate::app;
use crate::error::AppError;
use ferment_domain::access::ProtectedField;

/// The product routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/products",
            get(list_products).post(product_form::create_product),
        )
        .route("/products/new", get(product_form::new_product))
        .route(
            "/products/{id}",
            get(show_product).post(product_form::update_product),
        )
        .route("/products/{id}/edit", get(product_form::edit_product))
        .route("/products/{id}/delete", post(delete_product))
}

/// One row of the list.
struct Row {
    url: String,
    code: String,
    article: String,
    name: String,
    group: String,
    unit: &'static str,
    price: String,
    vat: String,
    needs_sample: bool,
}

#[derive(Template)]
#[template(path = "products/list.html")]
struct ListPage {
    chrome: Chrome,
    q: String,
    groups: Vec<Choice>,
    samples: Vec<Choice>,
    problems: Vec<String>,
    notice: Option<&'static str>,
    rows: Vec<Row>,
    next_url: Option<String>,
    first_url: Option<String>,
    /// Whether the user's roles let them see prices (`product.price`).
    show_price: bool,
}

fn list_url(q: &str, group_id: &str, needs_sample: &str, cursor: Option<&str>) -> String {
    let pairs: Vec<(&str, &str)> = [
        ("q", q),
        ("group_id", group_id),
        ("needs_sample", needs_sample),
        ("cursor", cursor.unwrap_or("")),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
    if query.is_empty() {
        "/products".to_string()
    } else {
        format!("/products?{query}")
    }
}

async fn list_products(
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
                let label = field_label(t, Entity::Product, &error.field);
                problems.push(format!("{label}: {}", error.problem.message(lang)));
                match error.field.as_str() {
                    "group_id" => params.group_id = None,
                    "needs_sample" => params.needs_sample = None,
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
    let group_id = query.group_id.map(|id| id.to_string()).unwrap_or_default();
    let needs_sample = match query.needs_sample {
        Some(true) => "true",
        Some(false) => "false",
        None => "",
    };
    let page = app::catalog::list_products(&state.store, &ctx.user, &query).await?;
    let rows = page
        .items
        .into_iter()
        .map(|row| {
            let product = &row.record.data;
            Row {
                url: format!("/products/{}", row.record.meta.id),
                code: product.code.clone(),
                article: product.article.clone().unwrap_or_default(),
                name: product.name.clone(),
                group: row.group_name.clone().unwrap_or_default(),
                unit: product.unit.label(lang),
                price: money(product.price, &product.currency, lang),
                vat: rate(product.vat_rate, lang),
                needs_sample: product.needs_sample,
            }
        })
        .collect();
    let list_page = ListPage {
        show_price: ctx.user.actor.sees(ProtectedField::ProductPrice),
        chrome: ctx.chrome("products", t.products),
        groups: group_choices(&state.store, &ctx.user, &group_id, t.all).await?,
        samples: vec![
            Choice::new("", t.all, needs_sample),
            Choice::new("true", t.yes, needs_sample),
            Choice::new("false", t.no, needs_sample),
        ],
        problems,
        notice: notice_of(t, &raw),
        rows,
        next_url: page
            .next_cursor
            .map(|c| list_url(&q, &group_id, needs_sample, Some(&c))),
        first_url: query
            .cursor
            .as_ref()
            .map(|_| list_url(&q, &group_id, needs_sample, None)),
        q,
    };
    Ok(render(StatusCode::OK, &list_page))
}

/// A stock line on the card.
struct StockRow {
    warehouse: String,
    kind: &'static str,
    quantity: String,
    updated: String,
}

#[derive(Template)]
#[template(path = "products/card.html")]
struct CardPage {
    chrome: Chrome,
    id: Uuid,
    version: i64,
    name: String,
    code: String,
    needs_sample: bool,
    notice: Option<&'static str>,
    facts: Vec<Fact>,
    description: String,
    stock: Vec<StockRow>,
    history: Vec<HistoryView>,
}

async fn show_product(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let (t, lang) = (ctx.t, ctx.lang);
    let id = path_id(&id)?;
    let view = app::catalog::get_product(&state.store, &ctx.user, id).await?;
    let entries = app::catalog::product_history(&state.store, &ctx.user, id).await?;
    let stock = app::catalog::product_stock(&state.store, &ctx.user, id).await?;
    let (record, product) = (&view.record, &view.record.data);
    let mut names = Names::default();
    let groups = app::catalog::list_groups(&state.store, &ctx.user).await?;
    for group in groups {
        names.insert(group.meta.id, group.data.name);
    }
    let unit = product.unit.label(lang);
    let shows_price = ctx.user.actor.sees(ProtectedField::ProductPrice);
    let mut entries = entries;
    if !shows_price {
        for entry in &mut entries {
            entry.changes.retain(|change| change.field != "price");
        }
    }
    let page = CardPage {
        chrome: ctx.chrome("products", product.name.clone()),
        id,
        version: record.meta.version,
        name: product.name.clone(),
        code: product.code.clone(),
        needs_sample: product.needs_sample,
        notice: notice_of(t, raw.as_deref().unwrap_or("")),
        facts: vec![
            Fact::number(t.code, &product.code),
            Fact::number(t.article, product.article.as_deref().unwrap_or("")),
            Fact::plain(t.group_id, view.group_name.as_deref().unwrap_or("")),
            Fact::plain(t.unit, unit),
            Fact::number(
                t.price,
                &if shows_price {
                    money(product.price, &product.currency, lang)
                } else {
                    String::new()
                },
            ),
            Fact::number(t.vat, &rate(product.vat_rate, lang)),
            Fact::plain(
                t.needs_sample,
                if product.needs_sample { t.yes } else { t.no },
            ),
            Fact::plain(t.created_at, &datetime(record.meta.created_at, lang)),
            Fact::plain(t.updated_at, &datetime(record.meta.updated_at, lang)),
        ],
        description: product.description.clone().unwrap_or_default(),
        stock: stock
            .into_iter()
            .map(|line| StockRow {
                warehouse: line.warehouse_name,
                kind: line.warehouse_kind.label(lang),
                quantity: format!("{}\u{a0}{unit}", number(line.quantity, 3, true, lang)),
                updated: datetime(line.updated_at, lang),
            })
            .collect(),
        history: history_views(&entries, t, lang, Entity::Product, &names),
    };
    let mut page = page;
    if !shows_price {
        page.facts.retain(|fact| fact.label != t.price);
    }
    Ok(render(StatusCode::OK, &page))
}

async fn delete_product(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = path_id(&id)?;
    let form = FormData::parse(&body);
    app::catalog::delete_product(&state.store, &ctx.user, id, Some(form.version())).await?;
    Ok(see_other("/products?done=deleted"))
}
