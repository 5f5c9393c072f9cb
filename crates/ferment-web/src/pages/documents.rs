//! Documents in the pages: the «Документы» panel of the sale card (one-click generation in PDF or
//! DOCX, quick buttons beside the tasks that ask for a document, the list with who made each
//! version and when), the list on the client's card, downloads, and the administration of kinds
//! and templates (`/admin/documents`: numbering prefixes, custom kinds, the text-template editor
//! with its field palette, check and live PDF preview, Word template uploads) and of the company's
//! requisites and images (`/admin/company`).

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ferment_domain::access::SystemOp;
use ferment_domain::company::CompanyInput;
use ferment_domain::validation::FieldError;
use ferment_store::documents::{DocumentRow, TemplateRow};
use uuid::Uuid;

use super::admin::{Tab, tabs};
use super::format::datetime;
use super::forms::{FieldView, FormData, FormErrors};
use super::layout::{Chrome, Ctx, PageResult, render, see_other};
use super::lookups::Names;
use super::{notice_of, path_id};
use crate::AppState;
use crate::api::documents::file_response;
use crate::app::company::IMAGE_SLOTS;
use crate::app::documents::{self as usecase, GenerateInput, KindInput, content_type};
use crate::app::{self, company};
use crate::error::AppError;

/// The document routes of the pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sales/{id}/documents", post(generate))
        .route("/documents/{id}/file", get(download))
        .route("/admin/documents", get(show_kinds).post(create_kind))
        .route("/admin/documents/{code}", post(update_kind))
        .route(
            "/admin/documents/{code}/text",
            get(show_text_editor).post(post_text_editor),
        )
        .route("/admin/documents/{code}/preview", post(preview))
        .route(
            "/admin/documents/{code}/docx",
            get(show_docx).post(upload_docx).layer(upload_limit()),
        )
        .route("/admin/document-templates/{id}/file", get(template_file))
        .route("/admin/company", get(show_company).post(save_company))
        .route(
            "/admin/company/images",
            post(upload_image).layer(upload_limit()),
        )
}

/// Upload forms may be as large as the CSRF check reads (a Word template of up to 10 MB with its
/// form fields); the use cases refuse what is too large for them with a message.
fn upload_limit() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(crate::auth::UPLOAD_LIMIT)
}

/// A document in a list.
pub struct DocView {
    /// Id.
    pub id: Uuid,
    /// The kind's name.
    pub kind: String,
    /// Number.
    pub number: String,
    /// Date, `27.11.2026`.
    pub date: String,
    /// `PDF` or `DOCX`.
    pub format: String,
    /// Version.
    pub version: i64,
    /// Who made it.
    pub author: String,
    /// When.
    pub when: String,
    /// Download link.
    pub url: String,
    /// File size in KB.
    pub size: String,
}

/// A kind offered for generation.
pub struct KindChoice {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Has a text template (PDF).
    pub pdf: bool,
    /// Has a Word template (DOCX).
    pub docx: bool,
}

/// The documents panel of the sale card.
pub struct DocsPanel {
    /// Kinds that can be generated.
    pub kinds: Vec<KindChoice>,
    /// The sale's documents, newest first.
    pub items: Vec<DocView>,
    /// Whether the user may generate (edit the sale).
    pub can_generate: bool,
    /// For open tasks that ask for a document: (task id, kind code, kind name).
    pub task_documents: Vec<(Uuid, String, String)>,
    /// The document the current stage asks for (`contract` → the contract kind chosen,
    /// `awaiting_order` → the invoice): (kind code, kind name, stage name).
    pub stage_document: Option<(String, String)>,
}

/// The document kind a task of the process asks for.
pub fn kind_for_task(task_kind: &str) -> Option<&'static str> {
    match task_kind {
        "send_preliminary_kp" => Some("preliminary_kp"),
        "prepare_kp" | "send_kp" => Some("kp"),
        _ => None,
    }
}

/// The document kind a stage asks for: the contract kind chosen on `contract`, the invoice while
/// awaiting the order.
pub fn kind_for_stage<'a>(stage: &str, contract_kind: Option<&'a str>) -> Option<&'a str> {
    match stage {
        "contract" => contract_kind.or(Some("contract")),
        "awaiting_order" => Some("invoice"),
        _ => None,
    }
}

/// Shapes documents for a list.
pub async fn doc_views(
    state: &AppState,
    ctx: &Ctx,
    rows: &[DocumentRow],
) -> Result<Vec<DocView>, AppError> {
    let kinds = usecase::kinds(state, &ctx.user).await?;
    Ok(rows
        .iter()
        .map(|row| DocView {
            id: row.id,
            kind: kinds
                .iter()
                .find(|k| k.kind.code == row.kind)
                .map(|k| kind_name(ctx, &k.kind.name_ru, &k.kind.name_en))
                .unwrap_or_else(|| row.kind.clone()),
            number: row.number.clone(),
            date: row.date.format("%d.%m.%Y").to_string(),
            format: row.format.to_uppercase(),
            version: row.version,
            author: row.created_by_name.clone().unwrap_or_default(),
            when: datetime(row.created_at, ctx.lang),
            url: format!("/documents/{}/file", row.id),
            size: format!("{:.0}", (row.file_size as f64 / 1024.0).ceil()),
        })
        .collect())
}

fn kind_name(ctx: &Ctx, ru: &str, en: &str) -> String {
    match ctx.lang {
        ferment_domain::validation::Lang::En => en.to_owned(),
        _ => ru.to_owned(),
    }
}

/// The panel for a sale: its documents, the kinds to generate, and the documents its open tasks
/// ask for (`send_preliminary_kp` → the preliminary proposal, `prepare_kp` → the proposal; on the
/// `contract` stage the contract kind chosen).
pub async fn sale_panel(
    state: &AppState,
    ctx: &Ctx,
    sale: &ferment_store::sales::SaleRecord,
    open_tasks: &[(Uuid, String)],
) -> Result<DocsPanel, AppError> {
    use ferment_domain::access::Operation;
    let sale_id = sale.meta.id;
    let stage = sale.state.stage.as_str();
    let contract_kind = sale.state.contract_kind.map(|k| k.code());
    let may_read =
        app::pages_support::may_documents(&state.store, &ctx.user, sale, Operation::Read).await?;
    let can_generate =
        app::pages_support::may_documents(&state.store, &ctx.user, sale, Operation::Create).await?;
    let rows = if may_read {
        usecase::for_sale(state, &ctx.user, sale_id).await?
    } else {
        Vec::new()
    };
    let items = doc_views(state, ctx, &rows).await?;
    let kinds: Vec<KindChoice> = usecase::kinds(state, &ctx.user)
        .await?
        .into_iter()
        .filter(|k| k.text_template.is_some() || k.docx_template.is_some())
        .map(|k| KindChoice {
            name: kind_name(ctx, &k.kind.name_ru, &k.kind.name_en),
            pdf: k.text_template.is_some(),
            docx: k.docx_template.is_some(),
            code: k.kind.code,
        })
        .collect();
    let name_of = |code: &str| {
        kinds
            .iter()
            .find(|k| k.code == code)
            .map(|k| k.name.clone())
    };
    let mut task_documents = Vec::new();
    for (task_id, task_kind) in open_tasks {
        if let Some(code) = kind_for_task(task_kind)
            && let Some(name) = name_of(code)
        {
            task_documents.push((*task_id, code.to_owned(), name));
        }
    }
    let stage_document = kind_for_stage(stage, contract_kind)
        .and_then(|code| name_of(code).map(|name| (code.to_owned(), name)));
    Ok(DocsPanel {
        kinds,
        items,
        can_generate,
        task_documents,
        stage_document,
    })
}

/// `POST /sales/{id}/documents`: generates and comes back to the card's documents.
async fn generate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = path_id(&id)?;
    let form = FormData::parse(&body);
    let input = GenerateInput {
        kind: form.text("kind"),
        format: form.text("format"),
        new_number: form.checked("new_number"),
    };
    match usecase::generate(&state, &ctx.user, id, &input).await {
        Ok(row) => Ok(see_other(&format!(
            "/sales/{id}?done=generated&document={}#documents",
            row.id
        ))),
        Err(error) => super::sale_card::refused_document(&state, &ctx, id, error).await,
    }
}

/// `GET /documents/{id}/file`: the file, for anyone who may read its sale.
async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, super::layout::PageError> {
    let (row, bytes) = usecase::file(&state, &ctx.user, path_id(&id)?).await?;
    Ok(file_response(
        bytes,
        content_type(&row.format),
        &row.file_name,
    ))
}

// ----- administration -----

/// A kind in the administration list.
struct KindRowView {
    code: String,
    name_ru: String,
    name_en: String,
    prefix: String,
    example: String,
    shipped: bool,
    version: i64,
    text_version: Option<i64>,
    docx_version: Option<i64>,
}

#[derive(Template)]
#[template(path = "admin/documents.html")]
struct KindsPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    csrf: String,
    done: Option<&'static str>,
    kinds: Vec<KindRowView>,
    /// The add-a-kind form.
    new_fields: Vec<FieldView>,
    /// Problems of a refused prefix change: (code, message).
    kind_errors: Vec<(String, String)>,
}

fn new_kind_fields(ctx: &Ctx, typed: Option<&FormData>, errors: &mut FormErrors) -> Vec<FieldView> {
    let t = ctx.t;
    let value = |name: &str| typed.map(|f| f.text(name)).unwrap_or_default();
    vec![
        FieldView::text("code", t.kind_code, &value("code"), errors).required(),
        FieldView::text("name_ru", t.kind_name_ru, &value("name_ru"), errors).required(),
        FieldView::text("name_en", t.kind_name_en, &value("name_en"), errors),
        FieldView::text("prefix", t.number_prefix, &value("prefix"), errors)
            .hint(t.number_prefix_hint),
    ]
}

async fn kinds_page(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    done: Option<&'static str>,
    typed: Option<&FormData>,
    errors: Vec<FieldError>,
    kind_errors: Vec<(String, String)>,
) -> PageResult {
    app::check_system(&ctx.user, SystemOp::EditTemplates)?;
    let views = usecase::kinds(state, &ctx.user).await?;
    let year = chrono::Datelike::year(&app::process::today());
    let mut form_errors = FormErrors::new(&errors, ctx.lang);
    let page = KindsPage {
        chrome: ctx.chrome("admin", ctx.t.admin_documents),
        tabs: tabs(ctx, "documents"),
        csrf: ctx.user.csrf_token().to_string(),
        done,
        kinds: views
            .into_iter()
            .map(|v| KindRowView {
                example: usecase::number_text(&v.kind.prefix, year, 17),
                code: v.kind.code,
                name_ru: v.kind.name_ru,
                name_en: v.kind.name_en,
                prefix: v.kind.prefix,
                shipped: v.kind.shipped,
                version: v.kind.version,
                text_version: v.text_template.map(|t| t.version),
                docx_version: v.docx_template.map(|t| t.version),
            })
            .collect(),
        new_fields: new_kind_fields(ctx, typed, &mut form_errors),
        kind_errors,
    };
    Ok(render(status, &page))
}

/// `GET /admin/documents`.
async fn show_kinds(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let done = notice_of(ctx.t, raw.as_deref().unwrap_or(""));
    kinds_page(
        &state,
        &ctx,
        StatusCode::OK,
        done,
        None,
        Vec::new(),
        Vec::new(),
    )
    .await
}

fn kind_input(form: &FormData) -> KindInput {
    KindInput {
        code: form.text("code"),
        name_ru: form.text("name_ru"),
        name_en: form.text("name_en"),
        prefix: form.text("prefix"),
        version: form.text("version").trim().parse().ok(),
    }
}

/// `POST /admin/documents`: adds a custom kind.
async fn create_kind(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> PageResult {
    let form = FormData::parse(&body);
    match usecase::create_kind(&state, &ctx.user, &kind_input(&form)).await {
        Ok(kind) => Ok(see_other(&format!(
            "/admin/documents/{}/text?done=created",
            kind.code
        ))),
        Err(AppError::Invalid(errors) | AppError::Conflict(errors)) => {
            kinds_page(
                &state,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(&form),
                errors,
                Vec::new(),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /admin/documents/{code}`: changes a kind's names and prefix.
async fn update_kind(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    match usecase::update_kind(&state, &ctx.user, &code, &kind_input(&form)).await {
        Ok(_) => Ok(see_other("/admin/documents?done=saved")),
        Err(AppError::Invalid(errors)) => {
            let messages = errors
                .iter()
                .map(|e| (code.clone(), e.problem.message(ctx.lang)))
                .collect();
            kinds_page(
                &state,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                None,
                Vec::new(),
                messages,
            )
            .await
        }
        Err(AppError::StaleVersion { .. }) => {
            let message = format!("{} {}", ctx.t.stale_title, ctx.t.stale_card);
            kinds_page(
                &state,
                &ctx,
                StatusCode::CONFLICT,
                None,
                None,
                Vec::new(),
                vec![(code.clone(), message)],
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// One saved template version.
struct VersionView {
    id: Uuid,
    version: i64,
    when: String,
    author: String,
    comment: String,
    file_name: String,
}

async fn version_views(
    state: &AppState,
    ctx: &Ctx,
    rows: &[TemplateRow],
) -> Result<Vec<VersionView>, AppError> {
    let mut names = Names::default();
    names
        .add_users(
            &state.store,
            &ctx.user,
            rows.iter().filter_map(|r| r.created_by),
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| VersionView {
            id: r.id,
            version: r.version,
            when: datetime(r.created_at, ctx.lang),
            author: r
                .created_by
                .and_then(|id| names.get(&id).map(str::to_string))
                .unwrap_or_else(|| ctx.t.system.to_string()),
            comment: r.comment.clone().unwrap_or_default(),
            file_name: r.file_name.clone().unwrap_or_default(),
        })
        .collect())
}

/// A field of the palette.
struct PaletteField {
    path: String,
    insert: String,
    description: String,
    example: String,
}

#[derive(Template)]
#[template(path = "admin/document_text.html")]
struct TextEditorPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    csrf: String,
    done: Option<&'static str>,
    code: String,
    kind_name: String,
    source: String,
    comment: String,
    sale_id: String,
    valid: bool,
    /// Problems: (line, message).
    problems: Vec<(Option<usize>, String)>,
    palette: Vec<PaletteField>,
    versions: Vec<VersionView>,
}

struct TextEditor {
    status: StatusCode,
    done: Option<&'static str>,
    source: Option<String>,
    comment: String,
    sale_id: String,
    valid: bool,
    problems: Vec<(Option<usize>, String)>,
}

async fn text_editor(state: &AppState, ctx: &Ctx, code: &str, editor: TextEditor) -> PageResult {
    let (kind, rows) = usecase::templates(state, &ctx.user, code, "text").await?;
    let palette = ferment_docs::palette()
        .into_iter()
        .map(|f| PaletteField {
            insert: if f.is_list {
                format!(
                    "{{% for item in {} %}}\n{{{{ item }}}}\n{{% endfor %}}",
                    f.path
                )
            } else {
                format!("{{{{ {} }}}}", f.path)
            },
            path: f.path,
            description: f.description,
            example: f.example,
        })
        .collect();
    let page = TextEditorPage {
        chrome: ctx.chrome(
            "admin",
            format!("{} · {}", ctx.t.text_template, kind.name_ru),
        ),
        tabs: tabs(ctx, "documents"),
        csrf: ctx.user.csrf_token().to_string(),
        done: editor.done,
        code: kind.code.clone(),
        kind_name: kind_name(ctx, &kind.name_ru, &kind.name_en),
        source: editor.source.unwrap_or_else(|| {
            rows.first()
                .and_then(|r| r.source.clone())
                .unwrap_or_default()
        }),
        comment: editor.comment,
        sale_id: editor.sale_id,
        valid: editor.valid,
        problems: editor.problems,
        palette,
        versions: version_views(state, ctx, &rows).await?,
    };
    Ok(render(editor.status, &page))
}

/// `GET /admin/documents/{code}/text`.
async fn show_text_editor(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let raw = raw.unwrap_or_default();
    let done = notice_of(ctx.t, &raw);
    text_editor(
        &state,
        &ctx,
        &code,
        TextEditor {
            status: StatusCode::OK,
            done,
            source: None,
            comment: String::new(),
            sale_id: String::new(),
            valid: false,
            problems: Vec::new(),
        },
    )
    .await
}

/// A use case's template error fields (`source:12`) → (line, message).
fn problems_of(ctx: &Ctx, errors: &[FieldError]) -> Vec<(Option<usize>, String)> {
    errors
        .iter()
        .map(|e| {
            let line = e
                .field
                .split_once(':')
                .and_then(|(_, line)| line.parse().ok());
            (line, e.problem.message(ctx.lang))
        })
        .collect()
}

/// `POST /admin/documents/{code}/text`: checks the draft (`action=check`) or saves it as the new
/// version in use (`action=save`).
async fn post_text_editor(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    body: Bytes,
) -> PageResult {
    app::check_system(&ctx.user, SystemOp::EditTemplates)?;
    let form = FormData::parse(&body);
    let source = form.text("source");
    let comment = form.text("comment");
    let sale_id = form.text("sale_id");
    let typed = |status, valid, problems| TextEditor {
        status,
        done: None,
        source: Some(source.clone()),
        comment: comment.clone(),
        sale_id: sale_id.clone(),
        valid,
        problems,
    };
    if form.text("action") == "save" {
        return match usecase::save_text(&state, &ctx.user, &code, &source, Some(&comment)).await {
            Ok(_) => Ok(see_other(&format!(
                "/admin/documents/{code}/text?done=saved"
            ))),
            Err(AppError::Invalid(errors)) => {
                let problems = problems_of(&ctx, &errors);
                text_editor(
                    &state,
                    &ctx,
                    &code,
                    typed(StatusCode::UNPROCESSABLE_ENTITY, false, problems),
                )
                .await
            }
            Err(other) => Err(other.into()),
        };
    }
    match usecase::check_text(source.clone()).await {
        Ok(()) => text_editor(&state, &ctx, &code, typed(StatusCode::OK, true, Vec::new())).await,
        Err(error) => {
            let problems = problems_of(&ctx, &[usecase::template_problem("source", &error)]);
            text_editor(
                &state,
                &ctx,
                &code,
                typed(StatusCode::UNPROCESSABLE_ENTITY, false, problems),
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "admin/document_preview_error.html")]
struct PreviewError {
    problems: Vec<(Option<usize>, String)>,
    title: &'static str,
    line: &'static str,
}

/// `POST /admin/documents/{code}/preview`: the draft as PDF for the chosen sale (or the sample),
/// shown in the editor's preview frame; a problem comes back as a small page in that frame.
async fn preview(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, super::layout::PageError> {
    let form = FormData::parse(&body);
    let source = form.text("source");
    let sale = form.text("sale_id");
    let sale_id = match sale.trim() {
        "" => None,
        text => Some(
            sale_reference(&state, &ctx, text)
                .await?
                .ok_or(AppError::NotFound)?,
        ),
    };
    match usecase::preview(&state, &ctx.user, &code, &source, sale_id).await {
        Ok(bytes) => Ok((
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/pdf"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_static("inline; filename=\"preview.pdf\""),
                ),
            ],
            bytes,
        )
            .into_response()),
        Err(AppError::Invalid(errors)) => Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PreviewError {
                problems: problems_of(&ctx, &errors),
                title: ctx.t.template_invalid,
                line: ctx.t.line,
            },
        )),
        Err(other) => Err(other.into()),
    }
}

/// A sale named by its id or by the URL of its card.
async fn sale_reference(
    _state: &AppState,
    _ctx: &Ctx,
    text: &str,
) -> Result<Option<Uuid>, AppError> {
    let id = text
        .trim()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    Ok(Uuid::parse_str(id).ok())
}

#[derive(Template)]
#[template(path = "admin/document_docx.html")]
struct DocxPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    csrf: String,
    done: Option<&'static str>,
    code: String,
    kind_name: String,
    error: Option<String>,
    versions: Vec<VersionView>,
}

async fn docx_page(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    status: StatusCode,
    done: Option<&'static str>,
    error: Option<String>,
) -> PageResult {
    let (kind, rows) = usecase::templates(state, &ctx.user, code, "docx").await?;
    let page = DocxPage {
        chrome: ctx.chrome(
            "admin",
            format!("{} · {}", ctx.t.word_template, kind.name_ru),
        ),
        tabs: tabs(ctx, "documents"),
        csrf: ctx.user.csrf_token().to_string(),
        done,
        code: kind.code.clone(),
        kind_name: kind_name(ctx, &kind.name_ru, &kind.name_en),
        error,
        versions: version_views(state, ctx, &rows).await?,
    };
    Ok(render(status, &page))
}

/// `GET /admin/documents/{code}/docx`.
async fn show_docx(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let done = notice_of(ctx.t, raw.as_deref().unwrap_or(""));
    docx_page(&state, &ctx, &code, StatusCode::OK, done, None).await
}

/// The parts of an upload form: text fields and the one file.
#[derive(Default)]
struct Upload {
    fields: Vec<(String, String)>,
    file: Option<(String, Vec<u8>)>,
}

impl Upload {
    fn text(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, AppError> {
    let mut upload = Upload::default();
    let broken = |_| {
        AppError::Invalid(vec![FieldError::new(
            "file",
            ferment_domain::validation::Problem::Rule {
                ru: "Файл не получен целиком".into(),
                en: "The file did not arrive whole".into(),
            },
        )])
    };
    while let Some(field) = multipart.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(file_name) = field.file_name().map(str::to_owned) {
            let bytes = field.bytes().await.map_err(broken)?;
            if !bytes.is_empty() {
                upload.file = Some((file_name, bytes.to_vec()));
            }
        } else {
            let text = field.text().await.map_err(broken)?;
            upload.fields.push((name, text));
        }
    }
    Ok(upload)
}

/// Every problem's message in one line, for a form with a single input.
fn joined_messages(ctx: &Ctx, errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| e.problem.message(ctx.lang))
        .collect::<Vec<_>>()
        .join("; ")
}

/// `POST /admin/documents/{code}/docx`: a new Word template (multipart).
async fn upload_docx(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    multipart: Multipart,
) -> PageResult {
    app::check_system(&ctx.user, SystemOp::EditTemplates)?;
    let upload = read_upload(multipart).await?;
    let comment = upload.text("comment");
    let (file_name, bytes) = upload.file.unwrap_or_default();
    match usecase::save_docx(&state, &ctx.user, &code, bytes, &file_name, Some(&comment)).await {
        Ok(_) => Ok(see_other(&format!(
            "/admin/documents/{code}/docx?done=saved"
        ))),
        Err(AppError::Invalid(errors)) => {
            let message = joined_messages(&ctx, &errors);
            docx_page(
                &state,
                &ctx,
                &code,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(message),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// `GET /admin/document-templates/{id}/file`: a Word template version.
async fn template_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, super::layout::PageError> {
    let (row, bytes) = usecase::template_file(&state, &ctx.user, path_id(&id)?).await?;
    let name = row
        .file_name
        .clone()
        .unwrap_or_else(|| format!("{}.docx", row.kind));
    Ok(file_response(bytes, content_type("docx"), &name))
}

// ----- the company -----

/// An image slot on the company page.
struct ImageSlot {
    slot: &'static str,
    label: &'static str,
    present: bool,
}

#[derive(Template)]
#[template(path = "admin/company.html")]
struct CompanyPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    csrf: String,
    done: Option<&'static str>,
    alert: Option<String>,
    sections: Vec<(&'static str, Vec<FieldView>)>,
    images: Vec<ImageSlot>,
    image_error: Option<String>,
}

fn company_sections(
    ctx: &Ctx,
    input: &CompanyInput,
    errors: &mut FormErrors,
) -> Vec<(&'static str, Vec<FieldView>)> {
    let t = ctx.t;
    vec![
        (
            t.company_requisites,
            vec![
                FieldView::text("name", t.name, &input.name, errors).required(),
                FieldView::text("full_name", t.full_name, &input.full_name, errors).wide(),
                FieldView::text("inn", t.inn, &input.inn, errors).numeric(),
                FieldView::text("kpp", t.kpp, &input.kpp, errors).numeric(),
                FieldView::text("ogrn", t.ogrn, &input.ogrn, errors).numeric(),
                FieldView::text(
                    "legal_address",
                    t.legal_address,
                    &input.legal_address,
                    errors,
                )
                .wide(),
                FieldView::text(
                    "actual_address",
                    t.actual_address,
                    &input.actual_address,
                    errors,
                )
                .wide(),
                FieldView::text("phone", t.phone, &input.phone, errors),
                FieldView::text("email", t.email, &input.email, errors),
                FieldView::text("site", t.site, &input.site, errors),
            ],
        ),
        (
            t.company_bank,
            vec![
                FieldView::text("bik", t.bik, &input.bik, errors).numeric(),
                FieldView::text("bank_name", t.bank_name, &input.bank_name, errors),
                FieldView::text(
                    "correspondent_account",
                    t.correspondent_account,
                    &input.correspondent_account,
                    errors,
                )
                .numeric(),
                FieldView::text("account", t.settlement_account, &input.account, errors).numeric(),
            ],
        ),
        (
            t.company_signatories,
            vec![
                FieldView::text(
                    "director_name",
                    t.director_name,
                    &input.director_name,
                    errors,
                ),
                FieldView::text(
                    "director_position",
                    t.director_position,
                    &input.director_position,
                    errors,
                ),
                FieldView::text(
                    "accountant_name",
                    t.accountant_name,
                    &input.accountant_name,
                    errors,
                ),
                FieldView::text(
                    "accountant_position",
                    t.accountant_position,
                    &input.accountant_position,
                    errors,
                ),
            ],
        ),
    ]
}

async fn company_page(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    done: Option<&'static str>,
    typed: Option<(CompanyInput, Vec<FieldError>)>,
    image_error: Option<String>,
) -> PageResult {
    app::check_system(&ctx.user, SystemOp::EditTemplates)?;
    let setting = company::get(&state.store).await?;
    let t = ctx.t;
    let (input, errors) = match typed {
        Some((input, errors)) => (input, errors),
        None => (CompanyInput::from_company(&setting.requisites), Vec::new()),
    };
    let alert = (!errors.is_empty()).then(|| t.not_saved.to_string());
    let mut form_errors = FormErrors::new(&errors, ctx.lang);
    let label = |slot: &str| match slot {
        "logo" => t.image_logo,
        "stamp" => t.image_stamp,
        "signature_director" => t.image_signature_director,
        _ => t.image_signature_accountant,
    };
    let page = CompanyPage {
        chrome: ctx.chrome("admin", t.admin_company),
        tabs: tabs(ctx, "company"),
        csrf: ctx.user.csrf_token().to_string(),
        done,
        alert,
        sections: company_sections(ctx, &input, &mut form_errors),
        images: IMAGE_SLOTS
            .iter()
            .map(|slot| ImageSlot {
                slot,
                label: label(slot),
                present: setting.images.contains_key(*slot),
            })
            .collect(),
        image_error,
    };
    Ok(render(status, &page))
}

/// `GET /admin/company`.
async fn show_company(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let done = notice_of(ctx.t, raw.as_deref().unwrap_or(""));
    company_page(&state, &ctx, StatusCode::OK, done, None, None).await
}

/// `POST /admin/company`: saves the requisites.
async fn save_company(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> PageResult {
    let form = FormData::parse(&body);
    let input = CompanyInput {
        kind: String::new(),
        name: form.text("name"),
        full_name: form.text("full_name"),
        inn: form.text("inn"),
        kpp: form.text("kpp"),
        ogrn: form.text("ogrn"),
        legal_address: form.text("legal_address"),
        actual_address: form.text("actual_address"),
        phone: form.text("phone"),
        email: form.text("email"),
        site: form.text("site"),
        bik: form.text("bik"),
        bank_name: form.text("bank_name"),
        correspondent_account: form.text("correspondent_account"),
        account: form.text("account"),
        director_name: form.text("director_name"),
        director_position: form.text("director_position"),
        accountant_name: form.text("accountant_name"),
        accountant_position: form.text("accountant_position"),
    };
    match company::save(&state.store, &ctx.user, &input).await {
        Ok(_) => Ok(see_other("/admin/company?done=saved")),
        Err(AppError::Invalid(errors)) => {
            company_page(
                &state,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some((input, errors)),
                None,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /admin/company/images` (multipart: `slot`, `file`, or `remove`).
async fn upload_image(State(state): State<AppState>, ctx: Ctx, multipart: Multipart) -> PageResult {
    app::check_system(&ctx.user, SystemOp::EditTemplates)?;
    let upload = read_upload(multipart).await?;
    let slot = upload.text("slot");
    let bytes = if upload.text("remove") == "true" {
        Vec::new()
    } else {
        match upload.file {
            Some((_, bytes)) => bytes,
            None => {
                return company_page(
                    &state,
                    &ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                    None,
                    Some(ctx.t.choose_file.to_string()),
                )
                .await;
            }
        }
    };
    match company::set_image(&state.store, &state.files, &ctx.user, &slot, &bytes).await {
        Ok(_) => Ok(see_other("/admin/company?done=saved#images")),
        Err(AppError::Invalid(errors)) => {
            let message = joined_messages(&ctx, &errors);
            company_page(
                &state,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                None,
                Some(message),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}
