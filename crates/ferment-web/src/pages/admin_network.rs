//! The network settings page: the trusted proxies, the only addresses whose `X-Forwarded-For` is
//! believed, and the address Ferment sees for the administrator's own request (so that a proxy
//! that is missing from the list shows up here as the proxy's address).

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use ferment_domain::access::SystemOp;

use super::admin::{IpLines, Tab, ip_text, tabs};
use super::forms::{FieldView, FormData, FormErrors, FormNotice};
use super::layout::{Chrome, Ctx, PageResult, render, see_other};
use super::notice_of;
use crate::AppState;
use crate::app::{self, access_admin};
use crate::error::AppError;

/// The network settings routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/network", get(show_network).post(save_network))
}

#[derive(Template)]
#[template(path = "admin/network.html")]
struct NetworkPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    csrf: String,
    done: Option<&'static str>,
    notice: Option<FormNotice>,
    fields: Vec<FieldView>,
    /// The address of this request as Ferment determined it.
    seen_as: String,
}

fn network_page(
    ctx: &Ctx,
    status: StatusCode,
    typed: &str,
    mut errors: FormErrors,
    done: Option<&'static str>,
) -> PageResult {
    let t = ctx.t;
    let ip_error = IpLines::parse(typed).error(t, &mut errors, "trusted_proxies");
    let field = FieldView {
        error: ip_error,
        ..FieldView::text("trusted_proxies", t.trusted_proxies, typed, &mut errors)
            .kind("textarea")
            .wide()
            .hint(t.trusted_proxies_hint)
    };
    let notice = field.error.is_some().then(|| FormNotice {
        title: t.check_fields.to_string(),
        ..Default::default()
    });
    let page = NetworkPage {
        chrome: ctx.chrome("admin", t.admin_network),
        tabs: tabs(ctx, "network"),
        csrf: ctx.user.csrf_token().to_string(),
        done,
        notice,
        fields: vec![field],
        seen_as: ctx.user.ip.map(|ip| ip.to_string()).unwrap_or_default(),
    };
    Ok(render(status, &page))
}

/// `GET /admin/network`.
async fn show_network(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    app::check_system(&ctx.user, SystemOp::ManageRoles)?;
    let list = access_admin::trusted_proxies(&state, &ctx.user).await?;
    let done = notice_of(ctx.t, raw.as_deref().unwrap_or(""));
    network_page(
        &ctx,
        StatusCode::OK,
        &ip_text(&list),
        FormErrors::default(),
        done,
    )
}

/// `POST /admin/network`: replaces the trusted proxies.
async fn save_network(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> PageResult {
    let form = FormData::parse(&body);
    let typed = form.text("trusted_proxies");
    let lines = IpLines::parse(&typed);
    match access_admin::set_trusted_proxies(&state, &ctx.user, &lines.json()).await {
        Ok(_) => Ok(see_other("/admin/network?done=saved")),
        Err(AppError::Invalid(errors)) => network_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            &typed,
            FormErrors::new(&errors, ctx.lang),
            None,
        ),
        Err(error) => Err(error.into()),
    }
}
