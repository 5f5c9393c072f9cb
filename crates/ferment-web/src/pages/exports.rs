//! The pages' «Экспорт: XLSX · CSV» links: `/counterparties/export`, `/sales/export` and
//! `/tasks/export` take the API's parameters (`format` and the list's filters) with the session and
//! answer with the file, through the same use case as the API ([`crate::api::exports::answer`]).
//! A wrong parameter is an error page naming it.

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::routing::get;

use super::layout::{Ctx, PageResult};
use crate::AppState;
use crate::api::exports::{ListKind, answer};

/// The export routes of the pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/counterparties/export", get(export_counterparties))
        .route("/sales/export", get(export_sales))
        .route("/tasks/export", get(export_tasks))
}

async fn export(state: &AppState, ctx: &Ctx, list: ListKind, raw: Option<String>) -> PageResult {
    let raw = raw.unwrap_or_default();
    Ok(answer(state, &ctx.user, ctx.lang, list, &raw).await?)
}

async fn export_counterparties(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    export(&state, &ctx, ListKind::Counterparties, raw).await
}

async fn export_sales(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    export(&state, &ctx, ListKind::Sales, raw).await
}

async fn export_tasks(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    export(&state, &ctx, ListKind::Tasks, raw).await
}

/// The two links of a list's «Экспорт» line: the list's filters with `format=xlsx` and `csv`.
pub fn links(path: &str, filters: &[(&str, &str)]) -> (String, String) {
    let link = |format: &str| {
        let mut pairs: Vec<(&str, &str)> = vec![("format", format)];
        pairs.extend(
            filters
                .iter()
                .copied()
                .filter(|(_, v)| !v.trim().is_empty()),
        );
        format!(
            "{path}?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    };
    (link("xlsx"), link("csv"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_carry_the_filters_but_not_blank_ones() {
        let (xlsx, csv) = links(
            "/sales/export",
            &[("q", "крахмал"), ("stage", ""), ("owner_id", "me")],
        );
        assert_eq!(
            xlsx,
            "/sales/export?format=xlsx&q=%D0%BA%D1%80%D0%B0%D1%85%D0%BC%D0%B0%D0%BB&owner_id=me"
        );
        assert!(csv.starts_with("/sales/export?format=csv&q="));
    }
}
