//! The roles pages: the list with a "new role" form, and the role editor — the permission matrix,
//! system operations, hidden fields and the IP allow-list — with a delete button.
//!
//! The editor posts the whole role; the handler turns the form into the JSON object
//! `app::access_admin::update_role` reads (`name`, `name_en`, `permissions`, `system`,
//! `hidden_fields`, `ip_allow`), so the pages and the API share one validation and one audit entry.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use ferment_domain::access::{ProtectedField, SystemOp};
use ferment_domain::validation::Lang;
use ferment_store::roles::Role;
use serde_json::{Map, Value};

use super::admin::{
    Cells, CheckView, IpLines, Matrix, Tab, cells_from_form, cells_json, cells_of, ip_text, matrix,
    tabs,
};
use super::forms::{FieldView, FormData, FormErrors, FormNotice};
use super::i18n::Entity;
use super::layout::{Chrome, Ctx, PageResult, render, see_other};
use super::notice_of;
use crate::AppState;
use crate::app::{self, access_admin};
use crate::error::AppError;

/// The role routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/roles", get(list_roles).post(create_role))
        .route("/admin/roles/{code}", get(edit_role).post(update_role))
        .route("/admin/roles/{code}/delete", post(delete_role))
}

/// A role's name in the page's language.
pub fn role_name(role: &Role, lang: Lang) -> &str {
    match lang {
        Lang::En if !role.name_en.is_empty() => &role.name_en,
        _ => &role.name,
    }
}

/// One row of the role list.
struct RoleRow {
    url: String,
    code: String,
    name: String,
    permissions: usize,
    system: usize,
}

#[derive(Template)]
#[template(path = "admin/roles.html")]
struct RolesPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    csrf: String,
    done: Option<&'static str>,
    rows: Vec<RoleRow>,
    new_role: Vec<FieldView>,
    new_role_problems: Vec<String>,
}

/// What the "new role" form shows: the typed values and their messages.
#[derive(Default)]
struct NewRole {
    code: String,
    name: String,
    name_en: String,
    errors: FormErrors,
}

async fn roles_page(
    state: &AppState,
    ctx: &Ctx,
    done: Option<&'static str>,
    typed: NewRole,
) -> PageResult {
    let (t, lang) = (ctx.t, ctx.lang);
    app::check_system(&ctx.user, SystemOp::ManageRoles)?;
    let roles = access_admin::list_roles(&state.store, &ctx.user).await?;
    let rows = roles
        .iter()
        .map(|role| RoleRow {
            url: format!("/admin/roles/{}", role.code),
            code: role.code.clone(),
            name: role_name(role, lang).to_string(),
            permissions: role.rights.permissions.cells().count(),
            system: role.rights.system.len(),
        })
        .collect();
    let status = if typed.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let NewRole {
        code,
        name,
        name_en,
        mut errors,
    } = typed;
    let e = &mut errors;
    let new_role = vec![
        FieldView::text("code", t.role_code, &code, e)
            .required()
            .hint(t.role_code_hint),
        FieldView::text("name", t.role_name, &name, e).required(),
        FieldView::text("name_en", t.role_name_en, &name_en, e),
    ];
    let page = RolesPage {
        chrome: ctx.chrome("admin", t.admin_roles),
        tabs: tabs(ctx, "roles"),
        csrf: ctx.user.csrf_token().to_string(),
        done,
        rows,
        new_role,
        new_role_problems: errors.rest(t, Entity::Role),
    };
    Ok(render(status, &page))
}

/// `GET /admin/roles`.
async fn list_roles(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let done = notice_of(ctx.t, raw.as_deref().unwrap_or(""));
    roles_page(&state, &ctx, done, NewRole::default()).await
}

/// `POST /admin/roles`: a new role with no rights yet; the editor opens to grant them.
async fn create_role(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> PageResult {
    let form = FormData::parse(&body);
    let mut json = Map::new();
    for key in ["code", "name", "name_en"] {
        json.insert(key.into(), Value::from(form.text(key)));
    }
    let created = match access_admin::RoleInput::from_json(&json, None) {
        Ok(input) => access_admin::create_role(&state.store, &ctx.user, input).await,
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match created {
        Ok(role) => Ok(see_other(&format!(
            "/admin/roles/{}?done=created",
            role.code
        ))),
        Err(AppError::Invalid(errors)) => {
            let typed = NewRole {
                code: form.text("code"),
                name: form.text("name"),
                name_en: form.text("name_en"),
                errors: FormErrors::new(&errors, ctx.lang),
            };
            roles_page(&state, &ctx, None, typed).await
        }
        Err(error) => Err(error.into()),
    }
}

/// A role as the editor shows it: stored, or as typed.
struct RoleForm {
    name: String,
    name_en: String,
    cells: Cells,
    system: Vec<String>,
    hidden_fields: Vec<String>,
    ip_allow: String,
}

impl RoleForm {
    fn of(role: &Role) -> RoleForm {
        let rights = &role.rights;
        RoleForm {
            name: role.name.clone(),
            name_en: role.name_en.clone(),
            cells: cells_of(|kind, operation| Some(rights.permissions.get(kind, operation))),
            system: rights.system.iter().map(|s| s.code().to_string()).collect(),
            hidden_fields: rights
                .hidden_fields
                .iter()
                .map(|f| f.code().to_string())
                .collect(),
            ip_allow: ip_text(&rights.ip_allow),
        }
    }

    fn typed(form: &FormData) -> RoleForm {
        RoleForm {
            name: form.text("name"),
            name_en: form.text("name_en"),
            cells: cells_from_form(form, "permissions"),
            system: form.values("system"),
            hidden_fields: form.values("hidden_fields"),
            ip_allow: form.text("ip_allow"),
        }
    }

    /// The JSON object `update_role` reads.
    fn body(&self) -> Map<String, Value> {
        let mut body = Map::new();
        body.insert("name".into(), Value::from(self.name.as_str()));
        body.insert("name_en".into(), Value::from(self.name_en.as_str()));
        body.insert("permissions".into(), cells_json(&self.cells));
        body.insert("system".into(), Value::from(self.system.clone()));
        body.insert(
            "hidden_fields".into(),
            Value::from(self.hidden_fields.clone()),
        );
        body.insert("ip_allow".into(), IpLines::parse(&self.ip_allow).json());
        body
    }
}

#[derive(Template)]
#[template(path = "admin/role.html")]
struct RolePage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    csrf: String,
    code: String,
    version: i64,
    done: Option<&'static str>,
    notice: Option<FormNotice>,
    fields: Vec<FieldView>,
    matrix: Matrix,
    system: Vec<CheckView>,
    system_error: Option<String>,
    hidden_fields: Vec<CheckView>,
    hidden_error: Option<String>,
    ip_fields: Vec<FieldView>,
}

/// What the role editor shows.
struct Editor<'a> {
    /// The role's code.
    code: &'a str,
    /// The version the form saves against.
    version: i64,
    /// The values shown.
    form: &'a RoleForm,
    /// Messages beside the inputs.
    errors: FormErrors,
    /// What went wrong with the last save.
    notice: Option<FormNotice>,
    /// The confirmation after a redirect.
    done: Option<&'static str>,
}

impl<'a> Editor<'a> {
    /// The role as stored, clean.
    fn stored(role: &'a Role, form: &'a RoleForm) -> Editor<'a> {
        Editor {
            code: &role.code,
            version: role.version,
            form,
            errors: FormErrors::default(),
            notice: None,
            done: None,
        }
    }
}

/// Renders the role editor.
fn role_page(ctx: &Ctx, status: StatusCode, editor: Editor<'_>) -> PageResult {
    let Editor {
        code,
        version,
        form,
        mut errors,
        notice,
        done,
    } = editor;
    let (t, lang) = (ctx.t, ctx.lang);
    let e = &mut errors;
    let fields = vec![
        FieldView::text("name", t.role_name, &form.name, e).required(),
        FieldView::text("name_en", t.role_name_en, &form.name_en, e),
    ];
    let matrix = matrix(lang, "permissions", &form.cells, e, None);
    let system = SystemOp::ALL
        .iter()
        .map(|op| CheckView::new(op.code(), op.label(lang), &form.system))
        .collect();
    let hidden_fields = ProtectedField::ALL
        .iter()
        .map(|field| CheckView::new(field.code(), field.label(lang), &form.hidden_fields))
        .collect();
    let system_error = e.take("system");
    let hidden_error = e.take("hidden_fields");
    // The allow-list's messages name their lines; take them before the field takes them plain.
    let ip_error = IpLines::parse(&form.ip_allow).error(t, e, "ip_allow");
    let ip_field = FieldView {
        error: ip_error,
        ..FieldView::text("ip_allow", t.ip_allow, &form.ip_allow, e)
            .kind("textarea")
            .wide()
            .hint(t.ip_allow_hint)
    };
    let mut notice = notice;
    let leftovers = errors.rest(t, Entity::Role);
    if !leftovers.is_empty() {
        notice
            .get_or_insert_with(|| FormNotice {
                title: t.check_fields.to_string(),
                ..Default::default()
            })
            .messages = leftovers;
    }
    let title = format!("{}: {}", t.role, form.name);
    let page = RolePage {
        chrome: ctx.chrome("admin", title),
        tabs: tabs(ctx, "roles"),
        csrf: ctx.user.csrf_token().to_string(),
        code: code.to_string(),
        version,
        done,
        notice,
        fields,
        matrix,
        system,
        system_error,
        hidden_fields,
        hidden_error,
        ip_fields: vec![ip_field],
    };
    Ok(render(status, &page))
}

/// `GET /admin/roles/{code}`.
async fn edit_role(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    app::check_system(&ctx.user, SystemOp::ManageRoles)?;
    let role = access_admin::get_role(&state.store, &ctx.user, &code).await?;
    let form = RoleForm::of(&role);
    let editor = Editor {
        done: notice_of(ctx.t, raw.as_deref().unwrap_or("")),
        ..Editor::stored(&role, &form)
    };
    role_page(&ctx, StatusCode::OK, editor)
}

/// `POST /admin/roles/{code}`: saves the whole role.
async fn update_role(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let typed = RoleForm::typed(&form);
    let version = form.version();
    let saved =
        access_admin::update_role(&state.store, &ctx.user, &code, version, &typed.body()).await;
    match saved {
        Ok(role) => Ok(see_other(&format!("/admin/roles/{}?done=saved", role.code))),
        Err(AppError::Invalid(errors)) => {
            let editor = Editor {
                code: &code,
                version,
                form: &typed,
                errors: FormErrors::new(&errors, ctx.lang),
                notice: Some(FormNotice {
                    title: ctx.t.check_fields.to_string(),
                    ..Default::default()
                }),
                done: None,
            };
            role_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, editor)
        }
        Err(AppError::StaleVersion { .. }) => {
            let current = access_admin::get_role(&state.store, &ctx.user, &code).await?;
            let form = RoleForm::of(&current);
            let editor = Editor {
                notice: Some(FormNotice {
                    title: ctx.t.stale_title.to_string(),
                    detail: ctx.t.stale_detail.to_string(),
                    ..Default::default()
                }),
                ..Editor::stored(&current, &form)
            };
            role_page(&ctx, StatusCode::CONFLICT, editor)
        }
        Err(error) => Err(error.into()),
    }
}

/// `POST /admin/roles/{code}/delete`: a role somebody holds stays, and the editor says why.
async fn delete_role(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> PageResult {
    match access_admin::delete_role(&state.store, &ctx.user, &code).await {
        Ok(()) => Ok(see_other("/admin/roles?done=deleted")),
        Err(error @ AppError::InUse) => {
            let current = access_admin::get_role(&state.store, &ctx.user, &code).await?;
            let form = RoleForm::of(&current);
            let editor = Editor {
                notice: Some(FormNotice {
                    title: error.problem(ctx.lang).title,
                    detail: ctx.t.holders_hint.to_string(),
                    ..Default::default()
                }),
                ..Editor::stored(&current, &form)
            };
            role_page(&ctx, StatusCode::CONFLICT, editor)
        }
        Err(error) => Err(error.into()),
    }
}
