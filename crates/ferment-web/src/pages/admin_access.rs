//! The effective-access view (what a user may do to a record, and the rule behind each answer) and
//! the audit log (newest first, filtered by event and user, a page at a time).
//!
//! Both are GET forms, so a result is a link an administrator can send to a colleague.

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use ferment_domain::access::{Denied, Grant, Reason, RecordKind, Source, Verdict};
use ferment_domain::validation::{Errors, Lang, Problem};
use serde::Deserialize;
use uuid::Uuid;

use super::admin::{Tab, check_admin, tabs};
use super::format::datetime_seconds;
use super::forms::{Choice, FieldView, FormErrors};
use super::i18n::{Entity, Texts, field_label};
use super::layout::{Chrome, Ctx, PageResult, render};
use super::lookups::user_choices;
use crate::AppState;
use crate::api::params::{blank, id_param, page_params};
use crate::app::access_admin;
use crate::error::AppError;

/// The effective-access and audit routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/access", get(effective_access))
        .route("/admin/audit", get(audit_log))
}

/// The query of the effective-access view.
#[derive(Debug, Default, Deserialize)]
struct AccessParams {
    user: Option<String>,
    record: Option<String>,
}

/// One operation's answer.
struct VerdictRow {
    operation: &'static str,
    allowed: bool,
    /// The rule that allows it: where it comes from (a role's code, or the override)…
    source: String,
    /// …its level…
    level: &'static str,
    /// …and why it reaches the record; or, when refused, why not.
    reason: &'static str,
    /// Every level the user holds for the operation.
    grants: String,
}

/// The record examined.
struct Examined {
    kind: &'static str,
    name: String,
    url: String,
    user: String,
    roles: String,
}

#[derive(Template)]
#[template(path = "admin/access.html")]
struct AccessPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    fields: Vec<FieldView>,
    examined: Option<Examined>,
    rows: Vec<VerdictRow>,
}

fn source_text(t: &Texts, source: &Source) -> String {
    match source {
        Source::Role(code) => code.clone(),
        Source::Override => t.source_override.to_string(),
    }
}

fn grants_text(t: &Texts, lang: Lang, grants: &[Grant]) -> String {
    if grants.is_empty() {
        return t.nothing_granted.to_string();
    }
    grants
        .iter()
        .map(|grant| {
            format!(
                "{} ({})",
                grant.level.label(lang),
                source_text(t, &grant.source)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One verdict as a table row: the same facts as `api::access::verdict_json`, worded.
fn verdict_row(t: &Texts, lang: Lang, verdict: &Verdict) -> VerdictRow {
    let grants = grants_text(t, lang, &verdict.grants);
    let operation = verdict.operation.label(lang);
    match (&verdict.allowed_by, &verdict.denied) {
        (Some((grant, reason)), _) => VerdictRow {
            operation,
            allowed: true,
            source: source_text(t, &grant.source),
            level: grant.level.label(lang),
            reason: match reason {
                Reason::All => t.reason_all,
                Reason::Owner => t.reason_owner,
                Reason::Team => t.reason_team,
                Reason::Territory => t.reason_territory,
                Reason::MayCreate => t.reason_may_create,
            },
            grants,
        },
        (None, denied) => VerdictRow {
            operation,
            allowed: false,
            source: String::new(),
            level: "",
            reason: match denied {
                Some(Denied::Invisible) => t.denied_invisible,
                _ => t.denied_forbidden,
            },
            grants,
        },
    }
}

fn record_url(kind: RecordKind, id: Uuid) -> String {
    match kind {
        RecordKind::Contact => format!("/contacts/{id}"),
        RecordKind::Product => format!("/products/{id}"),
        _ => format!("/counterparties/{id}"),
    }
}

/// `GET /admin/access?user=…&record=…`.
async fn effective_access(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let (t, lang) = (ctx.t, ctx.lang);
    check_admin(&ctx)?;
    let params: AccessParams =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let typed_user = blank(&params.user).unwrap_or("").to_string();
    let typed_record = blank(&params.record).unwrap_or("").to_string();
    let mut problems = Errors::new();
    let user_id = id_param(&mut problems, "user", &params.user);
    let record_id = id_param(&mut problems, "record", &params.record);
    let asked = !typed_user.is_empty() || !typed_record.is_empty();
    if asked && typed_user.is_empty() {
        problems.add("user", Problem::Required);
    }
    if asked && typed_record.is_empty() {
        problems.add("record", Problem::Required);
    }
    let mut field_errors = problems.into_vec();
    let mut examined = None;
    let mut rows = Vec::new();
    if let (Some(user_id), Some(record_id), true) = (user_id, record_id, field_errors.is_empty()) {
        match access_admin::effective(&state.store, &ctx.user, user_id, record_id).await {
            Ok(found) => {
                rows = found
                    .verdicts
                    .iter()
                    .map(|verdict| verdict_row(t, lang, verdict))
                    .collect();
                examined = Some(Examined {
                    kind: found.kind.label(lang),
                    url: record_url(found.kind, record_id),
                    name: found.name,
                    user: format!("{} ({})", found.user.data.full_name, found.user.data.login),
                    roles: found.user.data.roles.join(", "),
                });
            }
            Err(AppError::Invalid(errors)) => field_errors = errors,
            Err(error) => return Err(error.into()),
        }
    }
    let status = if field_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut errors = FormErrors::new(&field_errors, lang);
    let users = user_choices(&state.store, &ctx.user, &typed_user, t.not_set).await?;
    let fields = vec![
        FieldView::text("user", t.access_user, &typed_user, &mut errors).select(users),
        FieldView::text("record", t.access_record, &typed_record, &mut errors)
            .hint(t.access_record_hint),
    ];
    let page = AccessPage {
        chrome: ctx.chrome("admin", t.admin_access),
        tabs: tabs(&ctx, "access"),
        fields,
        examined,
        rows,
    };
    Ok(render(status, &page))
}

/// The events the audit log records, for the filter.
const EVENTS: [&str; 12] = [
    "login",
    "login_failed",
    "ip_refused",
    "denied",
    "role_created",
    "role_changed",
    "role_deleted",
    "user_access_changed",
    "department_created",
    "department_changed",
    "department_deleted",
    "settings_changed",
];

/// An event's name in the page's language (an event not known here is shown by its code).
fn event_label<'a>(t: &Texts, event: &'a str) -> &'a str {
    match event {
        "login" => t.event_login,
        "login_failed" => t.event_login_failed,
        "ip_refused" => t.event_ip_refused,
        "denied" => t.event_denied,
        "role_created" => t.event_role_created,
        "role_changed" => t.event_role_changed,
        "role_deleted" => t.event_role_deleted,
        "user_access_changed" => t.event_user_access_changed,
        "department_created" => t.event_department_created,
        "department_changed" => t.event_department_changed,
        "department_deleted" => t.event_department_deleted,
        "settings_changed" => t.event_settings_changed,
        other => other,
    }
}

/// The query of the audit log.
#[derive(Debug, Default, Deserialize)]
struct AuditParams {
    event: Option<String>,
    user: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
}

/// One event of the log.
struct AuditRow {
    at: String,
    event: String,
    code: String,
    login: String,
    user_url: Option<String>,
    ip: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    events: Vec<Choice>,
    users: Vec<Choice>,
    problems: Vec<String>,
    rows: Vec<AuditRow>,
    next_url: Option<String>,
    first_url: Option<String>,
}

fn audit_url(event: &str, user: &str, cursor: Option<&str>) -> String {
    let pairs: Vec<(&str, &str)> = [
        ("event", event),
        ("user", user),
        ("cursor", cursor.unwrap_or("")),
    ]
    .into_iter()
    .filter(|(_, value)| !value.is_empty())
    .collect();
    let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
    if query.is_empty() {
        "/admin/audit".to_string()
    } else {
        format!("/admin/audit?{query}")
    }
}

/// `GET /admin/audit?event=…&user=…&cursor=…`.
async fn audit_log(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> PageResult {
    let (t, lang) = (ctx.t, ctx.lang);
    let params: AuditParams =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    // A wrong parameter is named above the table and left out, as the other lists do.
    let mut errors = Errors::new();
    let user_id = id_param(&mut errors, "user", &params.user);
    let (cursor, limit) = page_params(&mut errors, &params.limit, &params.cursor);
    let problems: Vec<String> = errors
        .into_vec()
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                field_label(t, Entity::User, &e.field),
                e.problem.message(lang)
            )
        })
        .collect();
    let event = blank(&params.event).unwrap_or("").to_string();
    let query = ferment_store::audit::Query {
        event: (!event.is_empty()).then(|| event.clone()),
        user_id,
        cursor,
        limit,
    };
    let page = access_admin::audit_log(&state.store, &ctx.user, &query).await?;
    let user = user_id.map(|id| id.to_string()).unwrap_or_default();
    let mut events = vec![Choice::new("", t.all, &event)];
    events.extend(
        EVENTS
            .iter()
            .map(|code| Choice::new(*code, event_label(t, code), &event)),
    );
    super::forms::keep_unknown(&mut events, &event);
    let rows = page
        .items
        .iter()
        .map(|entry| AuditRow {
            at: datetime_seconds(entry.at, lang),
            event: event_label(t, &entry.event).to_string(),
            code: entry.event.clone(),
            login: entry.login.clone().unwrap_or_default(),
            user_url: entry
                .user_id
                .map(|id| audit_url(&event, &id.to_string(), None)),
            ip: entry.ip.clone().unwrap_or_default(),
            detail: if entry.detail.as_object().is_some_and(|o| o.is_empty()) {
                String::new()
            } else {
                entry.detail.to_string()
            },
        })
        .collect();
    let audit_page = AuditPage {
        chrome: ctx.chrome("admin", t.admin_audit),
        tabs: tabs(&ctx, "audit"),
        events,
        users: user_choices(&state.store, &ctx.user, &user, t.all).await?,
        problems,
        rows,
        next_url: page
            .next_cursor
            .map(|cursor| audit_url(&event, &user, Some(&cursor))),
        first_url: params
            .cursor
            .as_ref()
            .filter(|c| !c.trim().is_empty())
            .map(|_| audit_url(&event, &user, None)),
    };
    Ok(render(StatusCode::OK, &audit_page))
}
