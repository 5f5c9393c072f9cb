//! The counterparty list: search, filters, sorting, keyset pages. The card is in
//! [`super::counterparty_card`], the forms in [`super::counterparty_form`].
//!
//! The list takes the API's query parameters (`q`, `territory_id`, `segment`, `industry`,
//! `owner_id`, `sort`, `cursor`, `limit`) and parses them with the API's own parser, so a link works
//! the same in both. A wrong parameter is named above the list and left out, never a crash.

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use ferment_domain::access::RecordKind;
use ferment_domain::counterparty::{CounterpartyKind, Industry, Segment};
use ferment_store::counterparties::ListQuery;

use super::format::date;
use super::forms::{Choice, code_choices};
use super::i18n::{Entity, Texts, field_label};
use super::layout::{Chrome, Ctx, PageResult, render};
use super::lookups::{territory_choices, user_choices};
use super::{counterparty_card, counterparty_form, notice_of};
use crate::AppState;
use crate::api::counterparties::ListParams;
use crate::app;
use crate::error::AppError;

/// The counterparty routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/counterparties",
            get(list_counterparties).post(counterparty_form::create_counterparty),
        )
        .route(
            "/counterparties/new",
            get(counterparty_form::new_counterparty),
        )
        .route(
            "/counterparties/{id}",
            get(counterparty_card::show_counterparty).post(counterparty_form::update_counterparty),
        )
        .route(
            "/counterparties/{id}/edit",
            get(counterparty_form::edit_counterparty),
        )
        .route(
            "/counterparties/{id}/delete",
            post(counterparty_card::delete_counterparty),
        )
}

/// The list's parameters as typed, to put back into the filter form and into links.
#[derive(Debug, Clone, Default)]
struct Filters {
    q: String,
    territory_id: String,
    segment: String,
    industry: String,
    owner_id: String,
    kind: String,
    sort: String,
    limit: String,
}

impl Filters {
    fn of(params: &ListParams) -> Filters {
        let text = |value: &Option<String>| value.as_deref().unwrap_or("").trim().to_string();
        Filters {
            q: text(&params.q),
            territory_id: text(&params.territory_id),
            segment: text(&params.segment),
            industry: text(&params.industry),
            owner_id: text(&params.owner_id),
            kind: text(&params.kind),
            sort: text(&params.sort),
            limit: text(&params.limit),
        }
    }

    /// The list's URL with these filters, another `sort` if given, and a `cursor` if given.
    fn url(&self, sort: Option<&str>, cursor: Option<&str>) -> String {
        let pairs = [
            ("q", self.q.as_str()),
            ("territory_id", &self.territory_id),
            ("segment", &self.segment),
            ("industry", &self.industry),
            ("owner_id", &self.owner_id),
            ("kind", &self.kind),
            ("sort", sort.unwrap_or(&self.sort)),
            ("limit", &self.limit),
            ("cursor", cursor.unwrap_or("")),
        ];
        let kept: Vec<(&str, &str)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        let query = serde_urlencoded::to_string(kept).unwrap_or_default();
        if query.is_empty() {
            "/counterparties".to_string()
        } else {
            format!("/counterparties?{query}")
        }
    }

    /// The «Экспорт» links: these filters (no page) with each format.
    fn export_links(&self) -> (String, String) {
        super::exports::links(
            "/counterparties/export",
            &[
                ("q", self.q.as_str()),
                ("territory_id", &self.territory_id),
                ("segment", &self.segment),
                ("industry", &self.industry),
                ("owner_id", &self.owner_id),
                ("kind", &self.kind),
                ("sort", &self.sort),
            ],
        )
    }

    /// Whether anything narrows or reorders the list (then «Reset» is offered).
    fn is_filtered(&self) -> bool {
        [
            &self.q,
            &self.territory_id,
            &self.segment,
            &self.industry,
            &self.owner_id,
            &self.kind,
            &self.sort,
        ]
        .iter()
        .any(|value| !value.is_empty())
    }

    /// A column header's link and arrow: sorting by `key` ascending, or descending when it already
    /// sorts that way.
    fn header(&self, key: &str) -> (String, &'static str) {
        let current = if self.sort.is_empty() {
            "name"
        } else {
            &self.sort
        };
        let descending = format!("-{key}");
        if current == key {
            (self.url(Some(&descending), None), "▲")
        } else if current == descending {
            (self.url(Some(key), None), "▼")
        } else {
            (self.url(Some(key), None), "")
        }
    }
}

/// Drops the parameters named by `errors`, so the rest of the filter still applies.
fn without_bad(params: &mut ListParams, errors: &[ferment_domain::validation::FieldError]) {
    for error in errors {
        match error.field.as_str() {
            "territory_id" => params.territory_id = None,
            "segment" => params.segment = None,
            "industry" => params.industry = None,
            "owner_id" => params.owner_id = None,
            "kind" => params.kind = None,
            "sort" => params.sort = None,
            "limit" => params.limit = None,
            "cursor" => params.cursor = None,
            _ => params.q = None,
        }
    }
}

/// One row of the list.
struct Row {
    url: String,
    name: String,
    sole_proprietor: bool,
    inn: String,
    kpp: String,
    segment: String,
    segment_label: String,
    industry: String,
    territory: String,
    owner: String,
    phone: String,
    email: String,
    created: String,
}

#[derive(Template)]
#[template(path = "counterparties/list.html")]
struct ListPage {
    chrome: Chrome,
    q: String,
    limit: String,
    territories: Vec<Choice>,
    segments: Vec<Choice>,
    industries: Vec<Choice>,
    owners: Vec<Choice>,
    sorts: Vec<Choice>,
    problems: Vec<String>,
    notice: Option<&'static str>,
    rows: Vec<Row>,
    name_header: (String, &'static str),
    inn_header: (String, &'static str),
    created_header: (String, &'static str),
    next_url: Option<String>,
    first_url: Option<String>,
    filtered: bool,
    export_links: Option<(String, String)>,
}

fn sort_choices(t: &'static Texts, current: &str) -> Vec<Choice> {
    [
        ("name", t.sort_name_asc),
        ("-name", t.sort_name_desc),
        ("inn", t.sort_inn_asc),
        ("-inn", t.sort_inn_desc),
        ("-created_at", t.sort_created_desc),
        ("created_at", t.sort_created_asc),
    ]
    .into_iter()
    .map(|(code, label)| {
        Choice::new(
            code,
            label,
            if current.is_empty() { "name" } else { current },
        )
    })
    .collect()
}

async fn list_counterparties(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let (t, lang) = (ctx.t, ctx.lang);
    let raw = raw.unwrap_or_default();
    let mut params: ListParams = serde_urlencoded::from_str(&raw).unwrap_or_default();
    let mut problems = Vec::new();
    let query: ListQuery = match params.parse() {
        Ok(query) => query,
        Err(AppError::Invalid(errors)) => {
            problems = errors
                .iter()
                .map(|e| {
                    let label = field_label(t, Entity::Counterparty, &e.field);
                    format!("{label}: {}", e.problem.message(lang))
                })
                .collect();
            without_bad(&mut params, &errors);
            match params.parse() {
                Ok(query) => query,
                Err(_) => ListParams::default().parse()?,
            }
        }
        Err(error) => return Err(error.into()),
    };
    let filters = Filters::of(&params);
    let page = app::counterparties::list(&state.store, &ctx.user, &query).await?;
    let rows = page
        .items
        .into_iter()
        .map(|row| Row {
            url: format!("/counterparties/{}", row.id),
            name: row.name,
            sole_proprietor: row.kind == CounterpartyKind::SoleProprietor,
            inn: row.inn.unwrap_or_default(),
            kpp: row.kpp.unwrap_or_default(),
            segment: row
                .segment
                .map(|s| s.code())
                .unwrap_or_default()
                .to_string(),
            segment_label: row
                .segment
                .map(|s| s.label(lang))
                .unwrap_or_default()
                .to_string(),
            industry: row
                .industry
                .map(|i| i.label(lang))
                .unwrap_or_default()
                .to_string(),
            territory: row.territory_name.unwrap_or_default(),
            owner: row.owner_name.unwrap_or_default(),
            phone: row.phone.unwrap_or_default(),
            email: row.email.unwrap_or_default(),
            created: date(row.created_at, lang),
        })
        .collect();
    let list_page = ListPage {
        chrome: ctx.chrome("counterparties", t.counterparties),
        q: filters.q.clone(),
        limit: filters.limit.clone(),
        territories: territory_choices(&state.store, &ctx.user, lang, &filters.territory_id, t.all)
            .await?,
        segments: code_choices(
            Segment::ALL.iter().map(|s| (s.code(), s.label(lang))),
            &filters.segment,
            t.all,
        ),
        industries: code_choices(
            Industry::ALL.iter().map(|i| (i.code(), i.label(lang))),
            &filters.industry,
            t.all,
        ),
        owners: user_choices(&state.store, &ctx.user, &filters.owner_id, t.all).await?,
        sorts: sort_choices(t, &filters.sort),
        problems,
        notice: notice_of(t, &raw),
        rows,
        name_header: filters.header("name"),
        inn_header: filters.header("inn"),
        created_header: filters.header("created_at"),
        next_url: page.next_cursor.map(|c| filters.url(None, Some(&c))),
        first_url: params
            .cursor
            .as_deref()
            .filter(|c| !c.trim().is_empty())
            .map(|_| filters.url(None, None)),
        filtered: filters.is_filtered(),
        export_links: app::exports::may_export(&ctx.user, RecordKind::Counterparty)
            .then(|| filters.export_links()),
    };
    Ok(render(StatusCode::OK, &list_page))
}
