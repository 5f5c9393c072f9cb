//! The users pages: the list of accounts with the departments (and a form to add one), and the
//! user editor — personal details, territory, department, roles, whether the account is active,
//! its own IP allow-list and its per-cell overrides of what the roles grant.
//!
//! The editor saves through `app::users::update`, editing the account's `UserInput`; the login
//! and the password are not edited here (the CLI and the API do that).

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use ferment_domain::access::{Level, Operation, RecordKind, SystemOp};
use ferment_domain::user::{User, UserInput};
use ferment_domain::validation::Lang;
use ferment_store::Record;
use ferment_store::roles::Role;
use uuid::Uuid;

use super::admin::{
    Cells, CheckView, IpLines, Matrix, Tab, cells_from_form, cells_json, cells_of, ip_text, matrix,
    tabs,
};
use super::admin_roles::role_name;
use super::forms::{Choice, FieldView, FormData, FormErrors, FormNotice, keep_unknown};
use super::i18n::{Entity, Texts};
use super::layout::{Chrome, Ctx, PageResult, render, see_other};
use super::lookups::{territory_choices, territory_name};
use super::{notice_of, path_id};
use crate::AppState;
use crate::app::{self, access_admin};
use crate::error::AppError;

/// The user and department routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list_users))
        .route("/admin/users/{id}", get(edit_user).post(update_user))
        .route("/admin/departments", post(create_department))
}

/// One account in the list.
struct UserRow {
    url: String,
    login: String,
    full_name: String,
    roles: String,
    territory: String,
    department: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    csrf: String,
    done: Option<&'static str>,
    rows: Vec<UserRow>,
    departments: Vec<String>,
    new_department: Vec<FieldView>,
}

async fn users_page(
    state: &AppState,
    ctx: &Ctx,
    done: Option<&'static str>,
    typed_department: &str,
    mut errors: FormErrors,
) -> PageResult {
    let (t, lang) = (ctx.t, ctx.lang);
    app::check_system(&ctx.user, SystemOp::ManageUsers)?;
    let users = app::users::list(&state.store, &ctx.user).await?;
    let roles = access_admin::list_roles(&state.store, &ctx.user).await?;
    let departments = access_admin::list_departments(&state.store, &ctx.user).await?;
    let territories: HashMap<Uuid, String> = app::territories::list(&state.store, &ctx.user)
        .await?
        .iter()
        .map(|territory| (territory.record.meta.id, territory_name(territory, lang)))
        .collect();
    let department_names: HashMap<Uuid, &str> = departments
        .iter()
        .map(|department| (department.id, department.name.as_str()))
        .collect();
    let role_names: HashMap<&str, &str> = roles
        .iter()
        .map(|role| (role.code.as_str(), role_name(role, lang)))
        .collect();
    let rows = users
        .iter()
        .map(|account| {
            let user = &account.data;
            UserRow {
                url: format!("/admin/users/{}", account.meta.id),
                login: user.login.clone(),
                full_name: user.full_name.clone(),
                roles: user
                    .roles
                    .iter()
                    .map(|code| role_names.get(code.as_str()).copied().unwrap_or(code))
                    .collect::<Vec<_>>()
                    .join(", "),
                territory: user
                    .territory_id
                    .and_then(|id| territories.get(&id).cloned())
                    .unwrap_or_default(),
                department: user
                    .department_id
                    .and_then(|id| department_names.get(&id).map(|name| name.to_string()))
                    .unwrap_or_default(),
                active: user.active,
            }
        })
        .collect();
    let new_department =
        vec![FieldView::text("name", t.department_name, typed_department, &mut errors).required()];
    let status = if new_department.iter().any(|f| f.error.is_some()) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = UsersPage {
        chrome: ctx.chrome("admin", t.admin_users),
        tabs: tabs(ctx, "users"),
        csrf: ctx.user.csrf_token().to_string(),
        done,
        rows,
        departments: departments.iter().map(|d| d.name.clone()).collect(),
        new_department,
    };
    Ok(render(status, &page))
}

/// `GET /admin/users`.
async fn list_users(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let done = notice_of(ctx.t, raw.as_deref().unwrap_or(""));
    users_page(&state, &ctx, done, "", FormErrors::default()).await
}

/// `POST /admin/departments`.
async fn create_department(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> PageResult {
    let name = FormData::parse(&body).text("name");
    match access_admin::create_department(&state.store, &ctx.user, &name).await {
        Ok(_) => Ok(see_other("/admin/users?done=created#departments")),
        Err(AppError::Invalid(errors)) => {
            let errors = FormErrors::new(&errors, ctx.lang);
            users_page(&state, &ctx, None, &name, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

/// An account as the editor shows it: stored, or as typed.
struct UserForm {
    input: UserInput,
    ip_allow: String,
    cells: Cells,
}

impl UserForm {
    fn of(user: &User) -> UserForm {
        UserForm {
            input: UserInput::from(user),
            ip_allow: ip_text(&user.ip_allow),
            cells: cells_of(|kind, operation| user.overrides.get(kind, operation)),
        }
    }

    fn typed(form: &FormData) -> UserForm {
        UserForm {
            input: UserInput {
                full_name: form.text("full_name"),
                email: form.text("email"),
                phone: form.text("phone"),
                territory_id: form.text("territory_id"),
                department_id: form.text("department_id"),
                roles: form.values("roles"),
                active: form.checked("active"),
                ..UserInput::default()
            },
            ip_allow: form.text("ip_allow"),
            cells: cells_from_form(form, "overrides"),
        }
    }

    /// Puts what the editor edits into the account's current input (the login stays).
    fn apply(&self, current: UserInput) -> UserInput {
        let typed = &self.input;
        UserInput {
            full_name: typed.full_name.clone(),
            email: typed.email.clone(),
            phone: typed.phone.clone(),
            territory_id: typed.territory_id.clone(),
            department_id: typed.department_id.clone(),
            roles: typed.roles.clone(),
            active: typed.active,
            ip_allow: IpLines::parse(&self.ip_allow).items(),
            overrides: cells_json(&self.cells),
            ..current
        }
    }
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    csrf: String,
    id: Uuid,
    login: String,
    version: i64,
    done: Option<&'static str>,
    notice: Option<FormNotice>,
    main: Vec<FieldView>,
    access: Vec<FieldView>,
    roles: Vec<CheckView>,
    roles_error: Option<String>,
    matrix: Matrix,
}

/// What the user editor shows.
struct Editor<'a> {
    /// The account as stored (its login, version and roles for the hints).
    record: &'a Record<User>,
    /// The version the form saves against.
    version: i64,
    /// The values shown.
    form: &'a UserForm,
    /// Messages beside the inputs.
    errors: FormErrors,
    /// What went wrong with the last save.
    notice: Option<FormNotice>,
    /// The confirmation after a redirect.
    done: Option<&'static str>,
}

impl<'a> Editor<'a> {
    fn stored(record: &'a Record<User>, form: &'a UserForm) -> Editor<'a> {
        Editor {
            record,
            version: record.meta.version,
            form,
            errors: FormErrors::default(),
            notice: None,
            done: None,
        }
    }
}

/// What the roles `held` grant in one cell, for the «no override» option: «— (Территории)».
fn by_roles<'a>(
    t: &'static Texts,
    lang: Lang,
    held: &'a [&'a Role],
) -> impl Fn(RecordKind, Operation) -> String + 'a {
    let dash = t.not_set;
    move |kind, operation| {
        let mut levels: Vec<Level> = held
            .iter()
            .map(|role| role.rights.permissions.get(kind, operation))
            .collect();
        levels.sort();
        levels.dedup();
        if levels.len() > 1 {
            levels.retain(|level| *level != Level::None);
        }
        let names: Vec<&str> = levels.iter().map(|level| level.label(lang)).collect();
        if names.is_empty() {
            dash.to_string()
        } else {
            format!("{dash} ({})", names.join(", "))
        }
    }
}

async fn user_page(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    editor: Editor<'_>,
) -> PageResult {
    let (t, lang) = (ctx.t, ctx.lang);
    let Editor {
        record,
        version,
        form,
        mut errors,
        notice,
        done,
    } = editor;
    let roles = access_admin::list_roles(&state.store, &ctx.user).await?;
    let departments = access_admin::list_departments(&state.store, &ctx.user).await?;
    let input = &form.input;
    let e = &mut errors;
    let main = vec![
        FieldView::text("full_name", t.user_full_name, &input.full_name, e)
            .required()
            .wide(),
        FieldView::text("email", t.email, &input.email, e).kind("email"),
        FieldView::text("phone", t.phone, &input.phone, e).kind("tel"),
    ];
    let mut department_choices = vec![Choice::new("", t.not_set, &input.department_id)];
    department_choices.extend(
        departments
            .iter()
            .map(|d| Choice::new(d.id.to_string(), d.name.clone(), &input.department_id)),
    );
    keep_unknown(&mut department_choices, &input.department_id);
    let territories = territory_choices(
        &state.store,
        &ctx.user,
        lang,
        &input.territory_id,
        t.not_set,
    )
    .await?;
    let ip_error = IpLines::parse(&form.ip_allow).error(t, e, "ip_allow");
    let access = vec![
        FieldView::text("territory_id", t.territory_id, &input.territory_id, e).select(territories),
        FieldView::text("department_id", t.department, &input.department_id, e)
            .select(department_choices),
        FieldView::text(
            "active",
            t.active,
            if input.active { "true" } else { "" },
            e,
        )
        .checkbox()
        .hint(t.active_hint),
        FieldView {
            error: ip_error,
            ..FieldView::text("ip_allow", t.ip_allow, &form.ip_allow, e)
                .kind("textarea")
                .wide()
                .hint(t.ip_allow_hint)
        },
    ];
    let role_checks = roles
        .iter()
        .map(|role| CheckView::new(&role.code, role_name(role, lang), &input.roles))
        .collect();
    let roles_error = e.take("roles");
    let held: Vec<&Role> = roles
        .iter()
        .filter(|role| record.data.roles.contains(&role.code))
        .collect();
    let hint = by_roles(t, lang, &held);
    let matrix = matrix(lang, "overrides", &form.cells, e, Some(&hint));
    let mut notice = notice;
    let leftovers = errors.rest(t, Entity::User);
    if !leftovers.is_empty() {
        notice
            .get_or_insert_with(|| FormNotice {
                title: t.check_fields.to_string(),
                ..Default::default()
            })
            .messages = leftovers;
    }
    let page = UserPage {
        chrome: ctx.chrome("admin", record.data.full_name.clone()),
        tabs: tabs(ctx, "users"),
        csrf: ctx.user.csrf_token().to_string(),
        id: record.meta.id,
        login: record.data.login.clone(),
        version,
        done,
        notice,
        main,
        access,
        roles: role_checks,
        roles_error,
        matrix,
    };
    Ok(render(status, &page))
}

/// `GET /admin/users/{id}`.
async fn edit_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    app::check_system(&ctx.user, SystemOp::ManageUsers)?;
    let record = app::users::get(&state.store, &ctx.user, path_id(&id)?).await?;
    let form = UserForm::of(&record.data);
    let editor = Editor {
        done: notice_of(ctx.t, raw.as_deref().unwrap_or("")),
        ..Editor::stored(&record, &form)
    };
    user_page(&state, &ctx, StatusCode::OK, editor).await
}

/// `POST /admin/users/{id}`.
async fn update_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = path_id(&id)?;
    let form = FormData::parse(&body);
    let typed = UserForm::typed(&form);
    let version = form.version();
    let saved = app::users::update(&state.store, &ctx.user, id, version, |current| {
        Ok(typed.apply(current))
    })
    .await;
    match saved {
        Ok(_) => Ok(see_other(&format!("/admin/users/{id}?done=saved"))),
        Err(AppError::Invalid(errors)) => {
            let record = app::users::get(&state.store, &ctx.user, id).await?;
            let editor = Editor {
                version,
                errors: FormErrors::new(&errors, ctx.lang),
                notice: Some(FormNotice {
                    title: ctx.t.check_fields.to_string(),
                    ..Default::default()
                }),
                ..Editor::stored(&record, &typed)
            };
            user_page(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, editor).await
        }
        Err(AppError::StaleVersion { .. }) => {
            let record = app::users::get(&state.store, &ctx.user, id).await?;
            let current = UserForm::of(&record.data);
            let editor = Editor {
                notice: Some(FormNotice {
                    title: ctx.t.stale_title.to_string(),
                    detail: ctx.t.stale_detail.to_string(),
                    ..Default::default()
                }),
                ..Editor::stored(&record, &current)
            };
            user_page(&state, &ctx, StatusCode::CONFLICT, editor).await
        }
        Err(error) => Err(error.into()),
    }
}
