//! Signing in and out, and the language switch.
//!
//! A successful sign-in opens a session ([`crate::auth::open_session`]) and sets the `ferment_session`
//! cookie: `HttpOnly` (scripts can't read it), `SameSite=Lax` (other sites can't post with it), and
//! `Secure` when the site is served over HTTPS. After signing in the browser goes back to the page it
//! came from, but only to a path on this site ([`local_target`]), never to another host.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ferment_domain::validation::Lang;
use ferment_store::users;
use serde::Deserialize;

use super::forms::FormData;
use super::layout::{Chrome, MaybeUser, PageError, PageResult, local_target, render, see_other};
use crate::AppState;
use crate::auth::{self, ClientIp, CurrentUser, SESSION_COOKIE, open_session, urlencode};
use crate::error::{AppError, request_lang};
use axum::Extension;

/// The sign-in, sign-out and language routes, and `/` → «my tasks», the start page.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { see_other("/tasks") }))
        .route("/login", get(login_form).post(sign_in))
        .route("/logout", post(sign_out))
        .route("/lang/{lang}", get(switch_language))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    login: String,
    next: String,
    error: Option<String>,
    csrf: String,
}

/// `?next=` of the login page and the language switch.
#[derive(Debug, Deserialize, Default)]
struct NextParam {
    next: Option<String>,
}

fn login_page(
    lang: Lang,
    user: Option<&CurrentUser>,
    login: String,
    next: String,
    error: Option<String>,
) -> LoginPage {
    // The language switch comes back to this page with the same page to go on to.
    let here = format!("/login?next={}", urlencode(&next));
    let chrome = Chrome::new(
        lang,
        None,
        "",
        super::i18n::texts(lang).login_title.into(),
        &here,
    );
    LoginPage {
        chrome,
        login,
        next,
        error,
        csrf: user.map(|u| u.csrf_token().to_string()).unwrap_or_default(),
    }
}

async fn login_form(
    headers: HeaderMap,
    MaybeUser(user): MaybeUser,
    Query(params): Query<NextParam>,
) -> Response {
    let next = local_target(params.next.as_deref());
    if user.is_some() {
        // Already signed in: nothing to do here.
        return see_other(&next);
    }
    let page = login_page(request_lang(&headers), None, String::new(), next, None);
    render(StatusCode::OK, &page)
}

async fn sign_in(
    State(state): State<AppState>,
    Extension(ClientIp(address)): Extension<ClientIp>,
    headers: HeaderMap,
    MaybeUser(user): MaybeUser,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let lang = request_lang(&headers);
    let login = form.text("login");
    let next = local_target(Some(&form.text("next")));
    match auth::sign_in(&state.store, login.trim(), &form.text("password"), address).await {
        Ok(account) => {
            let hours = state.config.session_hours;
            let secret = open_session(&state.store, account.meta.id, hours).await?;
            let secure = if state.config.secure_cookies {
                "; Secure"
            } else {
                ""
            };
            let cookie = format!(
                "{SESSION_COOKIE}={secret}; HttpOnly; SameSite=Lax; Path=/; Max-Age={}{secure}",
                hours * 3600
            );
            Ok(with_cookie(see_other(&next), &cookie))
        }
        Err(AppError::Unauthorized) => {
            let t = super::i18n::texts(lang);
            let page = login_page(
                lang,
                user.as_ref(),
                login,
                next,
                Some(t.login_failed.to_string()),
            );
            Ok(render(StatusCode::UNAUTHORIZED, &page))
        }
        Err(refused @ AppError::AddressRefused { .. }) => {
            // The reason goes on the form, with the address Ferment saw.
            let problem = refused.problem(lang);
            let message = match problem.detail {
                Some(detail) => format!("{}. {detail}", problem.title),
                None => problem.title,
            };
            let page = login_page(lang, user.as_ref(), login, next, Some(message));
            Ok(render(StatusCode::FORBIDDEN, &page))
        }
        Err(error) => Err(PageError(error)),
    }
}

async fn sign_out(State(state): State<AppState>, MaybeUser(user): MaybeUser) -> PageResult {
    if let Some(user) = user {
        let mut tx = state.store.begin().await.map_err(AppError::from)?;
        users::revoke_token(&mut tx, &user.token_digest)
            .await
            .map_err(AppError::from)?;
        tx.commit()
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
    }
    let cookie = format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0");
    Ok(with_cookie(see_other("/login"), &cookie))
}

async fn switch_language(Path(lang): Path<String>, Query(params): Query<NextParam>) -> Response {
    if lang != "ru" && lang != "en" {
        return StatusCode::NOT_FOUND.into_response();
    }
    let cookie = format!("lang={lang}; Path=/; Max-Age=31536000; SameSite=Lax");
    with_cookie(see_other(&local_target(params.next.as_deref())), &cookie)
}

fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}
