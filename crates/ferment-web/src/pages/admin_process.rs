//! The process definition editor (`/admin/process`, the `edit_process` right): the active TOML in a
//! text area, «Проверить» (validate without saving: every problem with its line or path, in the
//! user's language), «Сохранить новую версию» (with a comment), the versions with how many sales run
//! on each, and a picture of the process drawn on the server ([`super::process_picture`]).
//!
//! Saving never changes running sales: they keep the version they started on.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use ferment_domain::access::SystemOp;
use ferment_domain::process::Definition;

use super::admin::{Tab, tabs};
use super::format::datetime;
use super::forms::FormData;
use super::layout::{Chrome, Ctx, PageResult, render, see_other};
use super::lookups::Names;
use super::notice_of;
use super::process_picture::{Picture, draw};
use crate::AppState;
use crate::app;
use crate::error::AppError;

/// The process editor's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/process", get(show_process).post(post_process))
}

/// One problem of a draft.
struct Problem {
    /// The line it is on, when known.
    line: Option<usize>,
    /// The message.
    message: String,
}

/// One saved version.
struct VersionView {
    version: i64,
    active: bool,
    when: String,
    author: String,
    comment: String,
    sales: i64,
}

#[derive(Template)]
#[template(path = "admin/process.html")]
struct ProcessPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    csrf: String,
    done: Option<&'static str>,
    /// The verdict of «check» on a valid draft.
    valid: Option<String>,
    problems: Vec<Problem>,
    source: String,
    comment: String,
    active_version: i64,
    versions: Vec<VersionView>,
    picture: Picture,
    /// What the picture shows («the draft», «version 3»).
    picture_of: String,
}

/// What the editor shows besides the stored state.
struct Editor {
    status: StatusCode,
    done: Option<&'static str>,
    source: Option<String>,
    comment: String,
    valid: Option<String>,
    problems: Vec<Problem>,
    /// A checked draft to draw instead of the active version.
    draft: Option<Definition>,
}

async fn editor(state: &AppState, ctx: &Ctx, editor: Editor) -> PageResult {
    let (t, lang) = (ctx.t, ctx.lang);
    app::check_system(&ctx.user, SystemOp::EditProcess)?;
    let (row, active) = app::processes::active(&state.store, &ctx.user).await?;
    let versions = app::processes::versions(&state.store, &ctx.user).await?;
    let mut names = Names::default();
    names
        .add_users(
            &state.store,
            &ctx.user,
            versions.iter().filter_map(|(v, _)| v.created_by),
        )
        .await?;
    let (picture, picture_of) = match &editor.draft {
        Some(draft) => (draw(draft, t, lang), t.picture_of_draft.to_string()),
        None => (
            draw(&active, t, lang),
            format!("{} {}", t.picture_of_version, row.version),
        ),
    };
    let page = ProcessPage {
        chrome: ctx.chrome("admin", t.admin_process),
        tabs: tabs(ctx, "process"),
        csrf: ctx.user.csrf_token().to_string(),
        done: editor.done,
        valid: editor.valid,
        problems: editor.problems,
        source: editor.source.unwrap_or_else(|| row.source.clone()),
        comment: editor.comment,
        active_version: row.version,
        versions: versions
            .iter()
            .map(|(v, sales)| VersionView {
                version: v.version,
                active: v.active,
                when: datetime(v.created_at, lang),
                author: v
                    .created_by
                    .and_then(|id| names.get(&id).map(str::to_string))
                    .unwrap_or_else(|| t.system.to_string()),
                comment: v.comment.clone().unwrap_or_default(),
                sales: *sales,
            })
            .collect(),
        picture,
        picture_of,
    };
    Ok(render(editor.status, &page))
}

/// `GET /admin/process`.
async fn show_process(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let done = notice_of(ctx.t, raw.as_deref().unwrap_or(""));
    editor(
        &state,
        &ctx,
        Editor {
            status: StatusCode::OK,
            done,
            source: None,
            comment: String::new(),
            valid: None,
            problems: Vec::new(),
            draft: None,
        },
    )
    .await
}

/// A field name of the save use case's errors (`source:12`, `source.stages.kp`) → its line.
fn line_of(field: &str) -> Option<usize> {
    field.strip_prefix("source:")?.parse().ok()
}

/// `POST /admin/process`: checks the draft, or saves it as a new version (`action=save`).
async fn post_process(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> PageResult {
    let (t, lang) = (ctx.t, ctx.lang);
    app::check_system(&ctx.user, SystemOp::EditProcess)?;
    let form = FormData::parse(&body);
    let source = form.text("source");
    let comment = form.text("comment");
    if form.text("action") == "save" {
        let note = Some(comment.trim()).filter(|c| !c.is_empty());
        return match app::processes::save(&state.store, &ctx.user, &source, note).await {
            Ok(_) => Ok(see_other("/admin/process?done=saved")),
            Err(AppError::Invalid(errors)) => {
                let problems = errors
                    .iter()
                    .map(|e| Problem {
                        line: line_of(&e.field),
                        message: e.problem.message(lang),
                    })
                    .collect();
                editor(
                    &state,
                    &ctx,
                    Editor {
                        status: StatusCode::UNPROCESSABLE_ENTITY,
                        done: None,
                        source: Some(source),
                        comment,
                        valid: None,
                        problems,
                        draft: None,
                    },
                )
                .await
            }
            Err(error) => Err(error.into()),
        };
    }
    match app::processes::check(&source) {
        Ok(definition) => {
            let valid = format!(
                "{} «{}». {}: {}, {}: {}.",
                t.definition_valid,
                definition.name(lang),
                t.stages,
                definition.stages.len(),
                t.task_templates,
                definition.tasks.len()
            );
            editor(
                &state,
                &ctx,
                Editor {
                    status: StatusCode::OK,
                    done: None,
                    source: Some(source),
                    comment,
                    valid: Some(valid),
                    problems: Vec::new(),
                    draft: Some(definition),
                },
            )
            .await
        }
        Err(errors) => {
            let problems = errors
                .iter()
                .map(|e| Problem {
                    line: e.line,
                    message: e.message(lang).to_string(),
                })
                .collect();
            editor(
                &state,
                &ctx,
                Editor {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    done: None,
                    source: Some(source),
                    comment,
                    valid: None,
                    problems,
                    draft: None,
                },
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_save_error_names_its_line() {
        assert_eq!(line_of("source:12"), Some(12));
        assert_eq!(line_of("source.stages.kp"), None);
    }
}
