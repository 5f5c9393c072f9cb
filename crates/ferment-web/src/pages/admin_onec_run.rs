//! The page of one sync run (`/admin/integrations/runs/{id}`): status, counts, the error, and the
//! log — what came from 1C, what went to it, what failed and why, with a link to the Ferment record
//! where there is one. While the run goes on the page reloads itself every 2 seconds with
//! `<meta http-equiv="refresh">`, so it needs no script.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use uuid::Uuid;

use super::admin::{Tab, tabs};
use super::admin_onec_connection::{RunRow, run_rows};
use super::format::datetime_seconds;
use super::layout::{Chrome, Ctx, PageResult, render};
use super::onec_words::{object_name, outcome, trigger};
use super::path_id;
use crate::AppState;
use crate::app::onec;

/// The card of a Ferment record a log line or a conflict is about (empty when it has none).
pub fn record_url(object: &str, record_id: Option<Uuid>) -> String {
    let Some(id) = record_id else {
        return String::new();
    };
    match object {
        "counterparty" => format!("/counterparties/{id}"),
        "product" => format!("/products/{id}"),
        // An order or invoice sent from Ferment is logged against its sale.
        "sale" | "order" | "invoice" => format!("/sales/{id}"),
        _ => String::new(),
    }
}

/// One line of the log.
struct LogRow {
    at: String,
    direction: &'static str,
    object: String,
    outcome_code: String,
    outcome: String,
    message: String,
    record_url: String,
}

#[derive(Template)]
#[template(path = "admin/onec_run.html")]
struct RunPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    connection_url: String,
    connection_name: String,
    running: bool,
    run: RunRow,
    trigger: String,
    error: String,
    log: Vec<LogRow>,
}

/// `GET /admin/integrations/runs/{id}`.
pub async fn show_run(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let t = ctx.t;
    let id = path_id(&id)?;
    let view = onec::run(&state.store, &ctx.user, id).await?;
    let connection = onec::get(&state.store, &ctx.user, view.run.connection_id).await?;
    let log = view
        .log
        .iter()
        .map(|entry| LogRow {
            at: datetime_seconds(entry.at, ctx.lang),
            direction: if entry.direction == "out" {
                t.onec_to_onec
            } else {
                t.onec_from_onec
            },
            object: object_name(t, &entry.object),
            outcome_code: entry.outcome.clone(),
            outcome: outcome(ctx.lang, &entry.outcome),
            message: entry.message.clone().unwrap_or_default(),
            record_url: record_url(&entry.object, entry.record_id),
        })
        .collect();
    let mut rows = run_rows(&ctx, std::slice::from_ref(&view.run));
    let page = RunPage {
        chrome: ctx.chrome("admin", t.onec_run),
        tabs: tabs(&ctx, "integrations"),
        connection_url: format!("/admin/integrations/{}", connection.id),
        connection_name: connection.data.connection.name.clone(),
        running: view.run.status == "running",
        run: rows.remove(0),
        trigger: trigger(ctx.lang, &view.run.trigger),
        error: view.run.error.clone().unwrap_or_default(),
        log,
    };
    Ok(render(StatusCode::OK, &page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_records_with_a_card_get_a_link() {
        let id = Uuid::nil();
        assert_eq!(
            record_url("counterparty", Some(id)),
            format!("/counterparties/{id}")
        );
        assert_eq!(record_url("product", Some(id)), format!("/products/{id}"));
        assert_eq!(record_url("sale", Some(id)), format!("/sales/{id}"));
        assert_eq!(record_url("warehouse", Some(id)), "");
        assert_eq!(record_url("product", None), "");
    }
}
