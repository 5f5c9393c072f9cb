//! Document use cases: generate a sale's document from the template in use (one click: number,
//! render, store, list), read and download documents, and administer kinds and their versioned
//! templates (text → PDF, Word → DOCX) with checks and a live preview.
//!
//! Access: a document has its sale's owner and territory; generating needs `read` on the sale and
//! `create` on documents, listing and downloading `read` on both (on a client's card only documents
//! of the sales the user may read are listed); kinds and templates are changed with the
//! `edit_templates` right. The shipped kinds and templates are written on first
//! use (`ready`), so a fresh database generates documents at once.

use chrono::{Datelike, NaiveDate};
use ferment_docs::{Assets, DocsError, TemplateError};
use ferment_domain::access::{Operation, RecordKind, SystemOp, Target};
use ferment_domain::document::{
    self as doc, Bank, ContractInfo, DocumentData, LineFigures, Party, Person, RecipeComponent,
    RecipeInfo, SaleInfo, Sample, Signatory, short_name,
};
use ferment_domain::process::{Definition, TaskStatus};
use ferment_domain::russian::{date_in_words, date_short};
use ferment_domain::validation::{FieldError, Lang, Problem};
use ferment_store::documents::{self, DocumentRow, KindRow, NewDocument, NewTemplate, TemplateRow};
use ferment_store::files::FileStore;
use ferment_store::sales::SaleRecord;
use ferment_store::{StoreError, contacts, counterparties, products, recipes, tasks, users};
use serde::Deserialize;
use uuid::Uuid;

use super::company::{self, CompanySetting};
use super::counterparties::Readable;
use super::process::{self as engine_io, today};
use super::{Connection, begin, check, check_system, commit, facts, scope};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// Output formats.
pub const FORMATS: [&str; 2] = ["pdf", "docx"];

/// The template format that makes an output format: text templates make PDF, Word templates DOCX.
pub fn template_format(output: &str) -> &'static str {
    if output == "docx" { "docx" } else { "text" }
}

/// Default numbering prefixes of the shipped kinds (`{year}` becomes the year).
fn shipped_prefix(kind: &str) -> &'static str {
    match kind {
        "preliminary_kp" => "ПКП-{year}-",
        "kp" => "КП-{year}-",
        "contract" => "Д-{year}-",
        "specification" => "СП-{year}-",
        "contract_and_specification" => "ДС-{year}-",
        "info_letter" => "Исх-{year}-",
        _ => "",
    }
}

/// Writes the shipped kinds and their templates unless present. Runs once per process (and is
/// harmless when several processes race: every insert is conditional).
pub async fn ready(state: &AppState) -> AppResult<()> {
    state
        .documents_ready
        .get_or_try_init(|| async {
            seed(state).await?;
            Ok::<(), AppError>(())
        })
        .await?;
    Ok(())
}

async fn seed(state: &AppState) -> AppResult<()> {
    let mut tx = begin(&state.store).await?;
    for kind in doc::SHIPPED_KINDS {
        let (name_ru, name_en) = doc::shipped_kind_names(kind).unwrap_or((kind, kind));
        documents::ensure_kind(
            &mut tx,
            &KindRow {
                code: kind.to_owned(),
                name_ru: name_ru.to_owned(),
                name_en: name_en.to_owned(),
                prefix: shipped_prefix(kind).to_owned(),
                shipped: true,
                version: 1,
            },
        )
        .await?;
        if documents::current_template(&mut tx, kind, "text")
            .await?
            .is_none()
            && let Some(source) = ferment_docs::shipped::text(kind)
        {
            documents::save_template(
                &mut tx,
                None,
                &NewTemplate {
                    kind,
                    format: "text",
                    source: Some(source),
                    file: None,
                    comment: Some("Шаблон Ferment"),
                },
            )
            .await?;
        }
        if documents::current_template(&mut tx, kind, "docx")
            .await?
            .is_none()
            && let Some(bytes) = ferment_docs::shipped::docx(kind)
        {
            let sha256 = state.files.put(&bytes).await?;
            let file_name = format!("{kind}.docx");
            documents::save_template(
                &mut tx,
                None,
                &NewTemplate {
                    kind,
                    format: "docx",
                    source: None,
                    file: Some((&sha256, &file_name)),
                    comment: Some("Шаблон Ferment"),
                },
            )
            .await?;
        }
    }
    commit(tx).await
}

/// What a user asks to generate.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct GenerateInput {
    /// Document kind: `preliminary_kp`, `kp`, `contract`, `specification`,
    /// `contract_and_specification`, `invoice`, `info_letter`, or a custom kind.
    pub kind: String,
    /// `pdf` (from the text template) or `docx` (from the Word template).
    pub format: String,
    /// Give the document a new number even when the sale already has one of this kind (a second
    /// invoice); otherwise the sale's last number of the kind is kept and a new version is made.
    pub new_number: bool,
}

fn invalid(field: &str, ru: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::Invalid(vec![FieldError::new(
        field,
        Problem::Rule {
            ru: ru.into(),
            en: en.into(),
        },
    )])
}

/// A template problem as a field error: `source:LINE` when the line is known, else `field`.
pub fn template_problem(field: &str, error: &TemplateError) -> FieldError {
    let name = match error.line {
        Some(line) => format!("{field}:{line}"),
        None => field.to_owned(),
    };
    FieldError::new(
        name,
        Problem::Rule {
            ru: error.message_ru.clone(),
            en: error.message_en.clone(),
        },
    )
}

fn docs_error(field: &str, error: DocsError) -> AppError {
    match error {
        DocsError::Template(error) => AppError::Invalid(vec![template_problem(field, &error)]),
        other => AppError::Internal(anyhow::anyhow!("making a document: {other}")),
    }
}

/// The sale a document belongs to, after checking that the user may read the sale and perform
/// `operation` on its documents (`create` to generate, `read` to list and download). A document
/// has the sale's owner and territory.
async fn readable_sale(
    connection: &mut Connection,
    user: &CurrentUser,
    sale_id: Uuid,
    operation: Operation,
) -> AppResult<SaleRecord> {
    let sale = ferment_store::sales::get(connection, sale_id).await?;
    let known = facts(connection, sale.data.owner_id, sale.territory_id).await?;
    check(
        user,
        RecordKind::Sale,
        Operation::Read,
        Target::Existing(&known),
        Some(sale_id),
    )?;
    let target = if operation == Operation::Create {
        Target::New(&known)
    } else {
        Target::Existing(&known)
    };
    check(user, RecordKind::Document, operation, target, Some(sale_id))?;
    Ok(sale)
}

/// Renders a template into bytes off the async threads (typesetting takes milliseconds of CPU).
async fn render(
    format: &'static str,
    template: Template,
    data: DocumentData,
    assets: Assets,
) -> Result<Vec<u8>, DocsError> {
    tokio::task::spawn_blocking(move || match (format, template) {
        ("docx", Template::Docx(bytes)) => ferment_docs::fill_docx(&bytes, &data, &assets),
        (_, Template::Text(source)) => ferment_docs::render_pdf(&source, &data, &assets),
        (_, Template::Docx(bytes)) => ferment_docs::fill_docx(&bytes, &data, &assets),
    })
    .await
    .unwrap_or_else(|e| {
        Err(DocsError::Template(TemplateError {
            line: None,
            column: None,
            message_ru: format!("Сбой при формировании документа: {e}"),
            message_en: format!("Rendering failed: {e}"),
        }))
    })
}

/// A template's content, ready to render.
enum Template {
    Text(String),
    Docx(Vec<u8>),
}

async fn load_template(files: &FileStore, row: &TemplateRow) -> AppResult<Template> {
    match (&row.source, &row.file_sha256) {
        (Some(source), _) => Ok(Template::Text(source.clone())),
        (None, Some(sha256)) => Ok(Template::Docx(files.get(sha256).await?)),
        (None, None) => Err(AppError::Internal(anyhow::anyhow!(
            "template {} has neither source nor file",
            row.id
        ))),
    }
}

/// Generates a document for a sale: numbers it (or keeps the sale's number of the kind and adds
/// a version), renders the template in use, stores the file and its record, in one transaction.
pub async fn generate(
    state: &AppState,
    user: &CurrentUser,
    sale_id: Uuid,
    input: &GenerateInput,
) -> AppResult<DocumentRow> {
    ready(state).await?;
    let format = input.format.trim();
    let Some(format) = FORMATS.iter().find(|f| **f == format).copied() else {
        return Err(AppError::Invalid(vec![FieldError::new(
            "format",
            Problem::NotAllowed {
                allowed: FORMATS.iter().map(|s| (*s).to_owned()).collect(),
            },
        )]));
    };
    let mut tx = begin(&state.store).await?;
    let sale = readable_sale(&mut tx, user, sale_id, Operation::Create).await?;
    let kind = match documents::kind(&mut tx, input.kind.trim()).await {
        Ok(kind) => kind,
        Err(StoreError::NotFound) => {
            let known = documents::kinds(&mut tx).await?;
            return Err(AppError::Invalid(vec![FieldError::new(
                "kind",
                Problem::NotAllowed {
                    allowed: known.into_iter().map(|k| k.code).collect(),
                },
            )]));
        }
        Err(other) => return Err(other.into()),
    };
    let Some(template) =
        documents::current_template(&mut tx, &kind.code, template_format(format)).await?
    else {
        return Err(invalid(
            "format",
            format!(
                "У вида «{}» нет шаблона для {}",
                kind.name_ru,
                format.to_uppercase()
            ),
            format!(
                "The kind “{}” has no template for {}",
                kind.name_en,
                format.to_uppercase()
            ),
        ));
    };
    let date = today();
    let existing = if input.new_number {
        None
    } else {
        documents::latest_number(&mut tx, sale_id, &kind.code).await?
    };
    let (year, seq, number) = match existing {
        Some(found) => found,
        None => {
            let year = date.year();
            let seq = documents::next_number(&mut tx, &kind.code, year).await?;
            (i64::from(year), seq, number_text(&kind.prefix, year, seq))
        }
    };
    let version = documents::next_version(&mut tx, &kind.code, year, seq, format).await?;
    let (data, assets) =
        document_data(&mut tx, &state.files, &sale, &kind, &number, date, version).await?;
    let content = load_template(&state.files, &template).await?;
    let bytes = render(format, content, data, assets)
        .await
        .map_err(|e| docs_error("template", e))?;
    let file_sha256 = state.files.put(&bytes).await?;
    let row = documents::insert(
        &mut tx,
        Some(user.actor.user_id),
        &NewDocument {
            sale_id,
            counterparty_id: sale.data.counterparty_id,
            kind: kind.code.clone(),
            year,
            seq,
            number: number.clone(),
            date,
            format: format.to_owned(),
            version,
            template_id: template.id,
            file_sha256,
            file_size: bytes.len() as i64,
            file_name: file_name(&kind.name_ru, &number, date, version, format),
        },
    )
    .await?;
    commit(tx).await?;
    Ok(row)
}

/// The printed number: the prefix with `{year}` replaced, then the number.
pub fn number_text(prefix: &str, year: i32, seq: i64) -> String {
    format!("{}{seq}", prefix.replace("{year}", &year.to_string()))
}

/// The download's name: «Счет на оплату № 17 от 27.11.2026.pdf», with the version after the first.
pub fn file_name(title: &str, number: &str, date: NaiveDate, version: i64, format: &str) -> String {
    let clean: String = format!("{title} № {number} от {}", date_short(date))
        .chars()
        .map(|c| if "/\\:*?\"<>|".contains(c) { '_' } else { c })
        .collect();
    if version > 1 {
        format!("{clean} (версия {version}).{format}")
    } else {
        format!("{clean}.{format}")
    }
}

fn party(counterparty: &ferment_domain::counterparty::Counterparty) -> Party {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let bank = counterparty
        .bank_accounts
        .first()
        .map(|b| Bank {
            name: b.bank_name.clone(),
            bik: b.bik.clone(),
            correspondent_account: b.correspondent_account.clone().unwrap_or_default(),
            account: b.account.clone(),
        })
        .unwrap_or_default();
    Party {
        name: counterparty.name.clone(),
        full_name: counterparty
            .full_name
            .clone()
            .unwrap_or_else(|| counterparty.name.clone()),
        inn: text(&counterparty.inn),
        kpp: text(&counterparty.kpp),
        ogrn: text(&counterparty.ogrn),
        legal_address: text(&counterparty.legal_address),
        actual_address: counterparty
            .actual_address
            .clone()
            .or_else(|| counterparty.legal_address.clone())
            .unwrap_or_default(),
        phone: text(&counterparty.phone),
        email: text(&counterparty.email),
        site: text(&counterparty.site),
        bank,
    }
}

/// The company as documents print it, and its images as assets named `logo.png` and so on.
async fn company_data(
    files: &FileStore,
    setting: &CompanySetting,
) -> AppResult<(doc::Company, Assets)> {
    let c = &setting.requisites;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut assets = Assets::new();
    let mut names = std::collections::BTreeMap::new();
    for (slot, image) in &setting.images {
        match files.get(&image.sha256).await {
            Ok(bytes) => {
                let name = format!("{slot}.{}", image.extension);
                assets.insert(name.clone(), bytes);
                names.insert(slot.clone(), name);
            }
            Err(StoreError::NotFound) => {
                tracing::warn!(slot, "company image missing from the file store");
            }
            Err(other) => return Err(other.into()),
        }
    }
    let image = |slot: &str| names.get(slot).cloned().unwrap_or_default();
    let signatory = |name: &Option<String>, position: &Option<String>, default: &str, slot| {
        let name = text(name);
        let position = position.clone().unwrap_or_else(|| default.to_owned());
        Signatory {
            short_name: short_name(&name),
            name,
            position_genitive: doc::position_genitive(&position),
            position,
            signature: image(slot),
        }
    };
    let counterparty = ferment_domain::counterparty::Counterparty {
        kind: if c.kind == "sole_proprietor" {
            ferment_domain::counterparty::CounterpartyKind::SoleProprietor
        } else {
            ferment_domain::counterparty::CounterpartyKind::LegalEntity
        },
        name: c.name.clone(),
        full_name: c.full_name.clone(),
        inn: c.inn.clone(),
        kpp: c.kpp.clone(),
        ogrn: c.ogrn.clone(),
        legal_address: c.legal_address.clone(),
        actual_address: c.actual_address.clone(),
        bank_accounts: c.bank.iter().cloned().collect(),
        industry: None,
        segment: None,
        territory_id: None,
        owner_id: None,
        phone: c.phone.clone(),
        email: c.email.clone(),
        site: c.site.clone(),
        tags: Vec::new(),
        notes: None,
    };
    Ok((
        doc::Company {
            party: party(&counterparty),
            director: signatory(
                &c.director_name,
                &c.director_position,
                "Генеральный директор",
                "signature_director",
            ),
            accountant: signatory(
                &c.accountant_name,
                &c.accountant_position,
                "Главный бухгалтер",
                "signature_accountant",
            ),
            images: doc::Images {
                logo: image("logo"),
                stamp: image("stamp"),
            },
        },
        assets,
    ))
}

fn sample_status(kind: &str, status: TaskStatus, outcome: Option<&str>) -> Option<&'static str> {
    Some(match (kind, status) {
        ("get_test_conclusion", TaskStatus::Done) => match outcome {
            Some("positive") => "тест успешен",
            Some("negative") => "тест неуспешен",
            _ => "тест завершён",
        },
        ("get_test_conclusion", TaskStatus::Open) => "на тестировании у клиента",
        ("send_sample", TaskStatus::Done) => "отправлен клиенту",
        ("send_sample", TaskStatus::Open) => "готовится к отправке",
        ("receive_sample", TaskStatus::Done) => "получен",
        ("receive_sample", TaskStatus::Open) => "ожидается",
        ("order_sample_from_warehouse", _) => "заказан со склада",
        ("request_sample_from_supplier", _) => "запрошен у поставщика",
        _ => return None,
    })
}

/// Later steps of a sample's way win over earlier ones.
fn sample_rank(kind: &str) -> u8 {
    match kind {
        "request_sample_from_supplier" | "order_sample_from_warehouse" => 1,
        "receive_sample" => 2,
        "send_sample" => 3,
        "get_test_conclusion" => 4,
        _ => 0,
    }
}

/// Everything a template sees for a sale, and the company's images.
pub async fn document_data(
    tx: &mut Connection,
    files: &FileStore,
    sale: &SaleRecord,
    kind: &KindRow,
    number: &str,
    date: NaiveDate,
    version: i64,
) -> AppResult<(DocumentData, Assets)> {
    let setting = company::read(tx).await?;
    let (company, assets) = company_data(files, &setting).await?;
    let definition: std::sync::Arc<Definition> =
        engine_io::definition(tx, sale.state.process_id).await?;
    let client = counterparties::get(tx, sale.data.counterparty_id).await?;
    let contact = match sale.data.contact_id {
        Some(id) => contacts::get(tx, id).await.ok().map(|c| {
            let c = c.data;
            Person {
                short_name: short_name(&c.full_name),
                name: c.full_name,
                position: c.position.unwrap_or_default(),
                email: c.emails.first().cloned().unwrap_or_default(),
                phone: c.phones.first().cloned().unwrap_or_default(),
            }
        }),
        None => None,
    };
    let manager = match sale.data.owner_id {
        Some(id) => users::get(tx, id).await.ok().map(|u| {
            let u = u.data;
            Person {
                short_name: short_name(&u.full_name),
                name: u.full_name,
                position: "Менеджер по продажам".to_owned(),
                email: u.email.unwrap_or_default(),
                phone: u.phone.unwrap_or_default(),
            }
        }),
        None => None,
    };
    let mut catalogue = Vec::with_capacity(sale.data.lines.len());
    for line in &sale.data.lines {
        let product = products::get(tx, line.product_id).await?.data;
        catalogue.push(product);
    }
    let figures: Vec<LineFigures<'_>> = sale
        .data
        .lines
        .iter()
        .zip(&catalogue)
        .map(|(line, product)| LineFigures {
            product: &product.name,
            code: &product.code,
            article: product.article.as_deref().unwrap_or(""),
            unit: product.unit.label(Lang::Ru),
            quantity: line.quantity,
            unit_price: line.unit_price,
            vat_rate: line.vat_rate,
            needs_sample: line.needs_sample,
        })
        .collect();
    let (lines, totals, vat) = doc::lines_and_totals(&figures);
    let contract = sale.state.contract.as_ref();
    let contract_info = match contract {
        Some(c) => {
            let own_number = matches!(
                kind.code.as_str(),
                "contract" | "contract_and_specification"
            );
            ContractInfo {
                kind: c.kind.code().to_owned(),
                kind_name: c.kind.label(Lang::Ru).to_owned(),
                number: c
                    .number
                    .clone()
                    .or_else(|| own_number.then(|| number.to_owned()))
                    .unwrap_or_default(),
                date: c
                    .date
                    .or(own_number.then_some(date))
                    .map(date_short)
                    .unwrap_or_default(),
                date_words: c
                    .date
                    .or(own_number.then_some(date))
                    .map(date_in_words)
                    .unwrap_or_default(),
                delivery_terms: c
                    .delivery_terms
                    .clone()
                    .or_else(|| sale.data.delivery_terms.clone())
                    .unwrap_or_default(),
                payment_terms: c.payment_terms.clone().unwrap_or_default(),
                valid_until: c.valid_until.map(date_short).unwrap_or_default(),
            }
        }
        None => ContractInfo::default(),
    };
    let sale_tasks = tasks::of_sale(tx, sale.meta.id).await?;
    let mut recipe = RecipeInfo::default();
    if let Some(recipe_id) = sale_tasks
        .iter()
        .filter(|t| t.kind == "choose_recipe" && t.status == TaskStatus::Done)
        .filter_map(|t| t.outcome_data.as_ref()?.get("recipe_id")?.as_str())
        .filter_map(|id| Uuid::parse_str(id).ok())
        .next_back()
        && let Ok(found) = recipes::get(tx, recipe_id).await
    {
        let mut components = Vec::new();
        for component in &found.data.composition {
            let name = products::get(tx, component.product_id)
                .await
                .map(|p| p.data.name)
                .unwrap_or_default();
            components.push(RecipeComponent {
                name,
                amount: format!(
                    "{}%",
                    ferment_domain::decimal::format_ru(component.share, 2, true)
                ),
            });
        }
        recipe = RecipeInfo {
            name: found.data.name,
            description: found.data.notes.unwrap_or_default(),
            components,
        };
    }
    let mut samples: Vec<(Uuid, u8, Sample)> = Vec::new();
    for task in &sale_tasks {
        let (Some(product_id), Some(status)) = (
            task.product_id,
            sample_status(&task.kind, task.status, task.outcome.as_deref()),
        ) else {
            continue;
        };
        if task.status == TaskStatus::Cancelled {
            continue;
        }
        let rank = sample_rank(&task.kind);
        let Some(index) = sale
            .data
            .lines
            .iter()
            .position(|l| l.product_id == product_id)
        else {
            continue;
        };
        let entry = Sample {
            product: catalogue[index].name.clone(),
            status: status.to_owned(),
            paid: sale.data.lines[index].sample_paid,
        };
        match samples.iter_mut().find(|(id, _, _)| *id == product_id) {
            Some(existing) if existing.1 <= rank => *existing = (product_id, rank, entry),
            Some(_) => {}
            None => samples.push((product_id, rank, entry)),
        }
    }
    let stage_name = definition
        .stage(&sale.state.stage)
        .map(|s| s.name_ru.clone())
        .unwrap_or_default();
    let data = DocumentData {
        document: doc::document_info(&kind.code, &kind.name_ru, number, date, version),
        company,
        client: party(&client.data),
        contact: contact.unwrap_or_default(),
        manager: manager.unwrap_or_default(),
        sale: SaleInfo {
            title: sale.data.title.clone(),
            reference: sale.meta.id.simple().to_string()[..8].to_uppercase(),
            currency: sale.data.currency.clone(),
            delivery_terms: sale.data.delivery_terms.clone().unwrap_or_default(),
            payment_terms: contract
                .and_then(|c| c.payment_terms.clone())
                .unwrap_or_default(),
            process_type: sale
                .data
                .process_type
                .map(|t| t.code().to_owned())
                .unwrap_or_default(),
            stage: sale.state.stage.clone(),
            stage_name,
            expected_close_date: sale
                .data
                .expected_close_date
                .map(date_short)
                .unwrap_or_default(),
            notes: sale.data.notes.clone().unwrap_or_default(),
        },
        lines,
        totals,
        vat,
        contract: contract_info,
        recipe,
        samples: samples.into_iter().map(|(_, _, s)| s).collect(),
    };
    Ok((data, assets))
}

/// A sale's documents, newest first.
pub async fn for_sale(
    state: &AppState,
    user: &CurrentUser,
    sale_id: Uuid,
) -> AppResult<Vec<DocumentRow>> {
    let mut connection = state.store.reader().await?;
    readable_sale(&mut connection, user, sale_id, Operation::Read).await?;
    Ok(documents::for_sale(&mut connection, sale_id).await?)
}

/// A client's documents made for the sales the user may read, newest first (the latest 200).
pub async fn for_counterparty(
    state: &AppState,
    user: &CurrentUser,
    counterparty_id: Uuid,
) -> AppResult<Vec<DocumentRow>> {
    let client = super::counterparties::get(&state.store, user, counterparty_id).await?;
    for_readable(state, user, &Readable::from_checked(client)).await
}

/// [`for_counterparty`] for a client the caller has read and checked (the card).
pub async fn for_readable(
    state: &AppState,
    user: &CurrentUser,
    client: &Readable,
) -> AppResult<Vec<DocumentRow>> {
    let counterparty_id = client.id();
    let mut connection = state.store.reader().await?;
    let sales =
        ferment_store::access::resolve(&mut connection, &scope(user, RecordKind::Sale)).await?;
    let documents_reach =
        ferment_store::access::resolve(&mut connection, &scope(user, RecordKind::Document)).await?;
    Ok(documents::for_counterparty(
        &mut connection,
        counterparty_id,
        &[&sales, &documents_reach],
        200,
    )
    .await?)
}

/// A document's record (read access on its sale).
pub async fn get(state: &AppState, user: &CurrentUser, id: Uuid) -> AppResult<DocumentRow> {
    let mut connection = state.store.reader().await?;
    let row = documents::get(&mut connection, id).await?;
    readable_sale(&mut connection, user, row.sale_id, Operation::Read).await?;
    Ok(row)
}

/// A document's record and its bytes.
pub async fn file(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
) -> AppResult<(DocumentRow, Vec<u8>)> {
    let row = get(state, user, id).await?;
    let bytes = state.files.get(&row.file_sha256).await?;
    Ok((row, bytes))
}

/// The content type of an output format.
pub fn content_type(format: &str) -> &'static str {
    match format {
        "pdf" => "application/pdf",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ => "application/octet-stream",
    }
}

// ----- kinds and templates -----

/// A kind with the templates in use.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KindView {
    /// The kind.
    #[serde(flatten)]
    pub kind: KindRow,
    /// The text template in use (makes PDF).
    pub text_template: Option<TemplateSummary>,
    /// The Word template in use (makes DOCX).
    pub docx_template: Option<TemplateSummary>,
}

/// A template version without its content.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TemplateSummary {
    /// Id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// Who saved it (`None`: shipped).
    pub created_by: Option<Uuid>,
    /// When.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Why.
    pub comment: Option<String>,
}

impl From<&TemplateRow> for TemplateSummary {
    fn from(row: &TemplateRow) -> Self {
        TemplateSummary {
            id: row.id,
            version: row.version,
            created_by: row.created_by,
            created_at: row.created_at,
            comment: row.comment.clone(),
        }
    }
}

/// Every kind with its templates in use (any signed-in user: the sale card offers them).
pub async fn kinds(state: &AppState, _user: &CurrentUser) -> AppResult<Vec<KindView>> {
    ready(state).await?;
    let mut connection = state.store.reader().await?;
    let templates = documents::current_templates(&mut connection).await?;
    let summary = |kind: &str, format: &str| {
        templates
            .get(&(kind.to_string(), format.to_string()))
            .map(TemplateSummary::from)
    };
    Ok(documents::kinds(&mut connection)
        .await?
        .into_iter()
        .map(|kind| KindView {
            text_template: summary(&kind.code, "text"),
            docx_template: summary(&kind.code, "docx"),
            kind,
        })
        .collect())
}

/// A new custom kind or a change of a kind's names and prefix.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct KindInput {
    /// Code: latin lower-case letters, digits and `_`, starting with a letter (new kinds only).
    pub code: String,
    /// Russian name.
    pub name_ru: String,
    /// English name (the Russian one when empty).
    pub name_en: String,
    /// Numbering prefix; `{year}` becomes the year.
    pub prefix: String,
    /// The version read (changes only).
    pub version: Option<i64>,
}

fn check_kind_input(input: &KindInput, new: bool) -> AppResult<KindRow> {
    let mut errors = Vec::new();
    let code = input.code.trim();
    if new {
        let valid = code.len() >= 2
            && code.len() <= 40
            && code.starts_with(|c: char| c.is_ascii_lowercase())
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            errors.push(FieldError::new(
                "code",
                Problem::Rule {
                    ru: "Код: 2–40 латинских строчных букв, цифр и «_», с буквы".into(),
                    en: "Code: 2–40 lower-case latin letters, digits and “_”, starting with a letter"
                        .into(),
                },
            ));
        }
    }
    let name_ru = input.name_ru.trim();
    if name_ru.is_empty() {
        errors.push(FieldError::new("name_ru", Problem::Required));
    } else if name_ru.chars().count() > 200 {
        errors.push(FieldError::new("name_ru", Problem::TooLong { max: 200 }));
    }
    if input.name_en.trim().chars().count() > 200 {
        errors.push(FieldError::new("name_en", Problem::TooLong { max: 200 }));
    }
    let prefix = input.prefix.trim();
    if prefix.chars().count() > 40 {
        errors.push(FieldError::new("prefix", Problem::TooLong { max: 40 }));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(KindRow {
        code: code.to_owned(),
        name_ru: name_ru.to_owned(),
        name_en: if input.name_en.trim().is_empty() {
            name_ru.to_owned()
        } else {
            input.name_en.trim().to_owned()
        },
        prefix: prefix.to_owned(),
        shipped: false,
        version: 1,
    })
}

/// Adds a custom kind (`edit_templates`); its templates are added next.
pub async fn create_kind(
    state: &AppState,
    user: &CurrentUser,
    input: &KindInput,
) -> AppResult<KindRow> {
    check_system(user, SystemOp::EditTemplates)?;
    ready(state).await?;
    let row = check_kind_input(input, true)?;
    let mut tx = begin(&state.store).await?;
    let created = match documents::create_kind(&mut tx, Some(user.actor.user_id), &row).await {
        Err(StoreError::Unique { .. }) => {
            return Err(AppError::Conflict(vec![FieldError::new(
                "code",
                Problem::Rule {
                    ru: format!("Вид с кодом «{}» уже есть", row.code),
                    en: format!("A kind with code “{}” exists", row.code),
                },
            )]));
        }
        other => other?,
    };
    commit(tx).await?;
    Ok(created)
}

/// Changes a kind's names and numbering prefix (`edit_templates`).
pub async fn update_kind(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    input: &KindInput,
) -> AppResult<KindRow> {
    check_system(user, SystemOp::EditTemplates)?;
    ready(state).await?;
    let row = check_kind_input(input, false)?;
    let Some(version) = input.version else {
        return Err(AppError::Invalid(vec![FieldError::new(
            "version",
            Problem::Required,
        )]));
    };
    let mut tx = begin(&state.store).await?;
    let updated = documents::update_kind(
        &mut tx,
        Some(user.actor.user_id),
        code,
        version,
        &row.name_ru,
        &row.name_en,
        &row.prefix,
    )
    .await?;
    commit(tx).await?;
    Ok(updated)
}

fn check_template_format(format: &str) -> AppResult<&'static str> {
    match format {
        "text" => Ok("text"),
        "docx" => Ok("docx"),
        _ => Err(AppError::Invalid(vec![FieldError::new(
            "format",
            Problem::NotAllowed {
                allowed: vec!["text".into(), "docx".into()],
            },
        )])),
    }
}

/// A kind's template versions in a format, newest first (`edit_templates`).
pub async fn templates(
    state: &AppState,
    user: &CurrentUser,
    kind: &str,
    format: &str,
) -> AppResult<(KindRow, Vec<TemplateRow>)> {
    check_system(user, SystemOp::EditTemplates)?;
    ready(state).await?;
    let format = check_template_format(format)?;
    let mut connection = state.store.reader().await?;
    let kind = documents::kind(&mut connection, kind).await?;
    let rows = documents::templates(&mut connection, &kind.code, format).await?;
    Ok((kind, rows))
}

/// One template version (`edit_templates`).
pub async fn template(state: &AppState, user: &CurrentUser, id: Uuid) -> AppResult<TemplateRow> {
    check_system(user, SystemOp::EditTemplates)?;
    let mut connection = state.store.reader().await?;
    Ok(documents::template(&mut connection, id).await?)
}

/// A Word template's bytes (`edit_templates`).
pub async fn template_file(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
) -> AppResult<(TemplateRow, Vec<u8>)> {
    let row = template(state, user, id).await?;
    let Some(sha256) = &row.file_sha256 else {
        return Err(AppError::NotFound);
    };
    let bytes = state.files.get(sha256).await?;
    Ok((row, bytes))
}

/// Checks a text template without saving it: the line and reason of the first problem.
pub async fn check_text(source: String) -> Result<(), TemplateError> {
    tokio::task::spawn_blocking(move || ferment_docs::check_text(&source))
        .await
        .unwrap_or_else(|e| {
            Err(TemplateError {
                line: None,
                column: None,
                message_ru: format!("Сбой проверки: {e}"),
                message_en: format!("The check failed: {e}"),
            })
        })
}

/// Saves a text template as the kind's new version in use (`edit_templates`); refused with the
/// line and reason when it does not check.
pub async fn save_text(
    state: &AppState,
    user: &CurrentUser,
    kind: &str,
    source: &str,
    comment: Option<&str>,
) -> AppResult<TemplateRow> {
    check_system(user, SystemOp::EditTemplates)?;
    ready(state).await?;
    if source.len() > 512 * 1024 {
        return Err(AppError::Invalid(vec![FieldError::new(
            "source",
            Problem::TooLong { max: 512 * 1024 },
        )]));
    }
    check_text(source.to_owned())
        .await
        .map_err(|e| AppError::Invalid(vec![template_problem("source", &e)]))?;
    save(state, user, kind, "text", Some(source), None, comment).await
}

/// Saves an uploaded Word template as the kind's new version in use (`edit_templates`).
pub async fn save_docx(
    state: &AppState,
    user: &CurrentUser,
    kind: &str,
    bytes: Vec<u8>,
    file_name: &str,
    comment: Option<&str>,
) -> AppResult<TemplateRow> {
    check_system(user, SystemOp::EditTemplates)?;
    ready(state).await?;
    if bytes.is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "file",
            Problem::Required,
        )]));
    }
    let checked = bytes.clone();
    tokio::task::spawn_blocking(move || ferment_docs::check_docx(&checked))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Invalid(vec![template_problem("file", &e)]))?;
    let sha256 = state.files.put(&bytes).await?;
    let name = if file_name.trim().is_empty() {
        format!("{kind}.docx")
    } else {
        file_name.trim().chars().take(200).collect()
    };
    save(
        state,
        user,
        kind,
        "docx",
        None,
        Some((&sha256, &name)),
        comment,
    )
    .await
}

async fn save(
    state: &AppState,
    user: &CurrentUser,
    kind: &str,
    format: &str,
    source: Option<&str>,
    file: Option<(&str, &str)>,
    comment: Option<&str>,
) -> AppResult<TemplateRow> {
    let mut tx = begin(&state.store).await?;
    let kind = documents::kind(&mut tx, kind).await?;
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    let row = documents::save_template(
        &mut tx,
        Some(user.actor.user_id),
        &NewTemplate {
            kind: &kind.code,
            format,
            source,
            file,
            comment,
        },
    )
    .await?;
    commit(tx).await?;
    Ok(row)
}

/// Renders a text template draft to PDF for a chosen sale (read access needed) or, without one,
/// for the sample data (`edit_templates`). Nothing is stored or numbered.
pub async fn preview(
    state: &AppState,
    user: &CurrentUser,
    kind: &str,
    source: &str,
    sale_id: Option<Uuid>,
) -> AppResult<Vec<u8>> {
    check_system(user, SystemOp::EditTemplates)?;
    ready(state).await?;
    let mut tx = state.store.reader().await?;
    let kind = documents::kind(&mut tx, kind).await?;
    let (data, assets) = match sale_id {
        Some(sale_id) => {
            let sale = readable_sale(&mut tx, user, sale_id, Operation::Read).await?;
            let number = number_text(&kind.prefix, today().year(), 0);
            document_data(&mut tx, &state.files, &sale, &kind, &number, today(), 1).await?
        }
        None => {
            let mut data = doc::sample(&kind.code);
            data.document.title = kind.name_ru.clone();
            let setting = company::read(&mut tx).await?;
            let (company, assets) = company_data(&state.files, &setting).await?;
            if !setting.requisites.name.is_empty() {
                data.company = company;
            }
            (data, assets)
        }
    };
    // Read only: nothing to keep.
    drop(tx);
    render("pdf", Template::Text(source.to_owned()), data, assets)
        .await
        .map_err(|e| docs_error("source", e))
}
