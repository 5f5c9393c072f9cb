//! Server-rendered pages: askama templates (auto-escaping) in `crates/ferment-web/templates`, a small
//! stylesheet and script in `crates/ferment-web/static`, Russian first with an English switch.
//!
//! Every page works without JavaScript: forms post, links navigate, filters are GET forms. Handlers
//! are thin, like the API's: read the request, call a use case in [`crate::app`], fill a template.
//!
//! Reading order: [`layout`] (the frame, the signed-in context, error pages), [`i18n`], [`forms`],
//! [`login`], then one module per business noun and page kind ([`counterparties`],
//! [`counterparty_card`], [`counterparty_form`], [`contacts`], [`contact_form`], [`products`],
//! [`product_form`]), with [`history`], [`lookups`] and [`format`] as their helpers. The sales
//! process has [`tasks`] («my tasks», the start page), [`sales`] (board and list), [`sale_card`],
//! [`sale_form`], [`leads`] and [`lead_form`], with [`process_view`] naming stages, tasks and
//! outcomes. The access administration pages start at [`admin`] ([`admin_roles`], [`admin_users`],
//! [`admin_access`]); the process editor is [`admin_process`] with [`process_picture`]. The 1C
//! integration has [`admin_onec`] (connections), [`admin_onec_connection`] (one connection: check,
//! sync, conflicts, mapping), [`admin_onec_run`] (a run and its log), [`onec_panels`] (the «1С»
//! panels of the sale and client cards) and [`onec_words`] (its names in both languages).

pub mod admin;
pub mod admin_access;
pub mod admin_network;
pub mod admin_onec;
pub mod admin_onec_connection;
pub mod admin_onec_run;
pub mod admin_process;
pub mod admin_roles;
pub mod admin_users;
pub mod assets;
pub mod contact_form;
pub mod contacts;
pub mod counterparties;
pub mod counterparty_card;
pub mod counterparty_form;
pub mod documents;
pub mod exports;
pub mod format;
pub mod forms;
pub mod history;
pub mod i18n;
pub mod layout;
pub mod lead_form;
pub mod leads;
pub mod login;
pub mod lookups;
pub mod onec_panels;
pub mod onec_words;
pub mod process_picture;
pub mod process_view;
pub mod product_form;
pub mod products;
pub mod sale_card;
pub mod sale_form;
pub mod sales;
pub mod tasks;

use axum::{Router, middleware};
use uuid::Uuid;

use crate::AppState;
use crate::error::AppError;
use i18n::Texts;

/// The page routes, with their error pages, and the static files.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(login::routes())
        .merge(tasks::routes())
        .merge(sales::routes())
        .merge(leads::routes())
        .merge(counterparties::routes())
        .merge(exports::routes())
        .merge(contacts::routes())
        .merge(products::routes())
        .merge(admin::routes())
        .merge(documents::routes())
        .merge(onec_panels::routes())
        .layer(middleware::from_fn(layout::error_layer))
        .merge(assets::routes())
}

/// Parses an id from the path; a malformed id is simply not found.
pub fn path_id(text: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(text).map_err(|_| AppError::NotFound)
}

/// The confirmation a page shows after a redirect: `?done=created|saved|deleted|moved|skipped|
/// completed|cancelled|converted|disqualified|generated|order_sent|resolved`.
pub fn notice_of(t: &'static Texts, raw_query: &str) -> Option<&'static str> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw_query).unwrap_or_default();
    let done = pairs.into_iter().find(|(key, _)| key == "done")?.1;
    match done.as_str() {
        "created" => Some(t.created),
        "saved" => Some(t.saved),
        "deleted" => Some(t.deleted),
        "moved" => Some(t.done_moved),
        "skipped" => Some(t.done_skipped),
        "completed" => Some(t.done_completed),
        "cancelled" => Some(t.done_cancelled),
        "converted" => Some(t.done_converted),
        "disqualified" => Some(t.done_disqualified),
        "generated" => Some(t.done_generated),
        "order_sent" => Some(t.done_order_sent),
        "resolved" => Some(t.done_resolved),
        _ => None,
    }
}

/// One labelled value of a card.
#[derive(Debug, Clone)]
pub struct Fact {
    /// The label.
    pub label: &'static str,
    /// The value (empty: shown as «—»).
    pub value: String,
    /// A link for the value (`tel:`, `mailto:`, a web site, another card), or empty.
    pub href: String,
    /// Whether the value is a number to show in tabular figures (ИНН, accounts).
    pub mono: bool,
}

impl Fact {
    /// A plain value.
    pub fn plain(label: &'static str, value: &str) -> Fact {
        Fact {
            label,
            value: value.trim().to_string(),
            href: String::new(),
            mono: false,
        }
    }

    /// A number such as an ИНН.
    pub fn number(label: &'static str, value: &str) -> Fact {
        Fact {
            mono: true,
            ..Fact::plain(label, value)
        }
    }

    /// A value linking to `href` (when the value is not empty).
    pub fn link(label: &'static str, value: &str, href: String) -> Fact {
        let fact = Fact::plain(label, value);
        Fact {
            href: if fact.value.is_empty() {
                String::new()
            } else {
                href
            },
            ..fact
        }
    }

    /// A phone number, dialable.
    pub fn phone(label: &'static str, value: &str) -> Fact {
        let digits: String = value
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect();
        Fact::link(label, value, format!("tel:{digits}"))
    }

    /// An e-mail address, clickable.
    pub fn email(label: &'static str, value: &str) -> Fact {
        Fact::link(label, value, format!("mailto:{}", value.trim()))
    }

    /// A web site. Only `http(s)` links are made, so a stored `javascript:` can never run.
    pub fn site(label: &'static str, value: &str) -> Fact {
        let value = value.trim();
        let href = if value.starts_with("https://") || value.starts_with("http://") {
            value.to_string()
        } else {
            format!("https://{value}")
        };
        Fact::link(label, value, href)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_site_never_becomes_a_script_link() {
        assert_eq!(
            Fact::site("x", "javascript:alert(1)").href,
            "https://javascript:alert(1)"
        );
        assert_eq!(Fact::site("x", "molzavod.ru").href, "https://molzavod.ru");
        assert_eq!(Fact::site("x", "").href, "");
        assert_eq!(
            Fact::phone("x", "+7 (495) 500-55-50").href,
            "tel:+74955005550"
        );
    }

    #[test]
    fn notices_come_from_the_done_parameter() {
        assert_eq!(
            notice_of(&i18n::RU, "done=saved"),
            Some("Изменения сохранены")
        );
        assert_eq!(notice_of(&i18n::RU, "q=x&done=nope"), None);
    }
}
