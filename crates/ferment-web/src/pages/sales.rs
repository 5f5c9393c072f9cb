//! The sales: their routes, the kanban board (`GET /sales`: a column per open stage with its count,
//! total and most recently changed cards) and the list (`GET /sales?view=list`: search, stage,
//! open/closed, keyset pages). `?mine=1` narrows either to the user's own sales.
//!
//! The card is in [`super::sale_card`], the forms in [`super::sale_form`].

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use ferment_domain::access::RecordKind;
use ferment_domain::validation::{Errors, Lang, Problem};
use ferment_store::sales::{Card, ListQuery};

use super::format::{day, money};
use super::forms::Choice;
use super::layout::{Chrome, Ctx, PageResult, render};
use super::process_view::stage_name;
use super::{notice_of, sale_card, sale_form};
use crate::AppState;
use crate::api::params::page_params;
use crate::app;

/// How many cards a board column shows (the count and the total cover them all).
const PER_COLUMN: i64 = 20;

/// The sale routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sales", get(list_sales))
        .route(
            "/sales/new",
            get(sale_form::new_sale).post(sale_form::create_sale),
        )
        .route("/sales/{id}", get(sale_card::show_sale))
        .route(
            "/sales/{id}/edit",
            get(sale_form::edit_sale).post(sale_form::update_sale),
        )
        .route("/sales/{id}/stage", post(sale_card::move_sale))
        .route("/sales/{id}/contract", post(sale_card::save_contract))
        .route("/sales/{id}/costs", post(sale_card::add_cost))
        .route(
            "/sales/{id}/costs/{cost_id}/delete",
            post(sale_card::delete_cost),
        )
}

/// A sale as the board and the list show it.
struct CardView {
    url: String,
    title: String,
    client: String,
    client_url: String,
    stage: String,
    amount: String,
    owner: String,
    close_date: String,
    updated: String,
    closed: bool,
}

fn card_view(card: Card, stage: String, lang: Lang) -> CardView {
    CardView {
        url: format!("/sales/{}", card.id),
        client_url: format!("/counterparties/{}", card.counterparty_id),
        title: card.title,
        client: card.counterparty_name,
        stage,
        amount: money(card.amount, &card.currency, lang),
        owner: card.owner_name.unwrap_or_default(),
        close_date: card
            .expected_close_date
            .map(|d| day(d, lang))
            .unwrap_or_default(),
        updated: super::format::date(card.updated_at, lang),
        closed: card.closed,
    }
}

/// One column of the board.
struct ColumnView {
    code: String,
    name: String,
    count: i64,
    amount: String,
    cards: Vec<CardView>,
    /// The list of the whole stage, when the column shows only some of its cards.
    more: Option<String>,
}

#[derive(Template)]
#[template(path = "sales/board.html")]
struct BoardPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    mine: bool,
    columns: Vec<ColumnView>,
    total_count: i64,
    total_amount: String,
}

#[derive(Template)]
#[template(path = "sales/list.html")]
struct ListPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    mine: bool,
    q: String,
    stages: Vec<Choice>,
    states: Vec<Choice>,
    problems: Vec<String>,
    rows: Vec<CardView>,
    next_url: Option<String>,
    first_url: Option<String>,
    filtered: bool,
    export_links: Option<(String, String)>,
}

/// The query of the sales pages, as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
struct Params {
    view: Option<String>,
    mine: Option<String>,
    q: Option<String>,
    stage: Option<String>,
    state: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
}

impl Params {
    fn text(value: &Option<String>) -> String {
        value.as_deref().unwrap_or("").trim().to_string()
    }

    fn mine(&self) -> bool {
        matches!(self.mine.as_deref().map(str::trim), Some("1" | "true"))
    }

    /// The «Экспорт» links: the list's filters in the API's names (`state` → `status`, `mine` →
    /// `owner_id=me`).
    fn export_links(&self) -> (String, String) {
        let (q, stage, state) = (
            Self::text(&self.q),
            Self::text(&self.stage),
            Self::text(&self.state),
        );
        super::exports::links(
            "/sales/export",
            &[
                ("q", q.as_str()),
                ("stage", stage.as_str()),
                ("status", state.as_str()),
                ("owner_id", if self.mine() { "me" } else { "" }),
            ],
        )
    }

    /// The list's URL with these filters and a cursor, if given.
    fn list_url(&self, cursor: Option<&str>) -> String {
        let mine = if self.mine() { "1" } else { "" };
        let (q, stage, state, limit) = (
            Self::text(&self.q),
            Self::text(&self.stage),
            Self::text(&self.state),
            Self::text(&self.limit),
        );
        let pairs: Vec<(&str, &str)> = [
            ("view", "list"),
            ("mine", mine),
            ("q", q.as_str()),
            ("stage", stage.as_str()),
            ("state", state.as_str()),
            ("limit", limit.as_str()),
            ("cursor", cursor.unwrap_or("")),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        format!(
            "/sales?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    }
}

/// `GET /sales`: the board, or with `?view=list` the list.
async fn list_sales(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let raw = raw.unwrap_or_default();
    let params: Params = serde_urlencoded::from_str(&raw).unwrap_or_default();
    if params.view.as_deref() == Some("list") {
        return sales_list(&state, &ctx, &raw, params).await;
    }
    let (t, lang) = (ctx.t, ctx.lang);
    let mine = params.mine();
    let owner = mine.then_some(ctx.user.actor.user_id);
    let (definition, columns) =
        app::sales::board(&state.store, &ctx.user, owner, false, PER_COLUMN).await?;
    let total_count = columns.iter().map(|c| c.count).sum();
    let total_amount = money(columns.iter().map(|c| c.amount).sum(), "RUB", lang);
    let columns = columns
        .into_iter()
        .map(|column| {
            let name = stage_name(&definition, &column.stage, lang);
            let more = (column.count > column.cards.len() as i64).then(|| {
                Params {
                    stage: Some(column.stage.clone()),
                    mine: params.mine.clone(),
                    ..Default::default()
                }
                .list_url(None)
            });
            ColumnView {
                code: column.stage.clone(),
                count: column.count,
                amount: money(column.amount, "RUB", lang),
                cards: column
                    .cards
                    .into_iter()
                    .map(|card| card_view(card, name.clone(), lang))
                    .collect(),
                name,
                more,
            }
        })
        .collect();
    let page = BoardPage {
        chrome: ctx.chrome("sales", t.sales),
        notice: notice_of(t, &raw),
        mine,
        columns,
        total_count,
        total_amount,
    };
    Ok(render(StatusCode::OK, &page))
}

async fn sales_list(state: &AppState, ctx: &Ctx, raw: &str, mut params: Params) -> PageResult {
    let (t, lang) = (ctx.t, ctx.lang);
    let definition = app::pages_support::active_definition(&state.store).await?;
    let mut errors = Errors::new();
    let stage = Params::text(&params.stage);
    if !stage.is_empty() && definition.stage(&stage).is_none() {
        errors.add(
            "stage",
            Problem::NotAllowed {
                allowed: definition.stages.iter().map(|s| s.code.clone()).collect(),
            },
        );
        params.stage = None;
    }
    let closed = match Params::text(&params.state).as_str() {
        "" => None,
        "open" => Some(false),
        "closed" => Some(true),
        _ => {
            errors.add(
                "state",
                Problem::NotAllowed {
                    allowed: vec!["open".into(), "closed".into()],
                },
            );
            params.state = None;
            None
        }
    };
    let (cursor, limit) = page_params(&mut errors, &params.limit, &params.cursor);
    let problems: Vec<String> = errors
        .into_vec()
        .into_iter()
        .map(|e| {
            let label = match e.field.as_str() {
                "stage" => t.stage,
                "state" => t.sale_state,
                "limit" => t.page_size,
                _ => t.page,
            };
            format!("{label}: {}", e.problem.message(lang))
        })
        .collect();
    let mine = params.mine();
    let query = ListQuery {
        q: Some(Params::text(&params.q)).filter(|q| !q.is_empty()),
        stage: Some(Params::text(&params.stage)).filter(|s| !s.is_empty()),
        closed,
        counterparty_id: None,
        owner_id: mine.then_some(ctx.user.actor.user_id),
        cursor: cursor.clone(),
        limit,
    };
    let page = app::sales::list(&state.store, &ctx.user, &query).await?;
    let current_stage = Params::text(&params.stage);
    let mut stages = vec![Choice::new("", t.all, &current_stage)];
    stages.extend(
        definition
            .stages
            .iter()
            .map(|s| Choice::new(s.code.clone(), s.name(lang), &current_stage)),
    );
    let current_state = Params::text(&params.state);
    let list_page = ListPage {
        chrome: ctx.chrome("sales", t.sales),
        notice: notice_of(t, raw),
        mine,
        q: Params::text(&params.q),
        stages,
        states: vec![
            Choice::new("", t.all, &current_state),
            Choice::new("open", t.state_open, &current_state),
            Choice::new("closed", t.state_closed, &current_state),
        ],
        problems,
        rows: page
            .items
            .into_iter()
            .map(|card| {
                let stage = stage_name(&definition, &card.stage, lang);
                card_view(card, stage, lang)
            })
            .collect(),
        next_url: page.next_cursor.map(|c| params.list_url(Some(&c))),
        first_url: cursor.map(|_| params.list_url(None)),
        filtered: !Params::text(&params.q).is_empty()
            || !current_stage.is_empty()
            || !current_state.is_empty(),
        export_links: app::exports::may_export(&ctx.user, RecordKind::Sale)
            .then(|| params.export_links()),
    };
    Ok(render(StatusCode::OK, &list_page))
}
