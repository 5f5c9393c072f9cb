//! Exports: every record of a list that matches the user's filters, as an XLSX or CSV file, with
//! only the rows and columns the user may see.
//!
//! Access: exporting needs the `export_lists` system right and the `export` operation on the kind;
//! the rows are those inside both the user's `read` scope and `export` scope (the store intersects
//! them in SQL). A column tied to a hidden field ([`ProtectedField`]) or to a system right
//! (`see_costs` for costs and margins) is left out entirely for a user without it.
//!
//! All matching rows are read by walking the list's keyset pages; more than [`MAX_ROWS`] is refused
//! with a 422 naming `rows` (narrow the filter) before any file is written.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use ferment_domain::access::{self, Operation, ProtectedField, RecordKind, SystemOp, Target};
use ferment_domain::process::{Definition, ProcessType, TaskStatus};
use ferment_domain::sale::{margin, totals};
use ferment_domain::task::ManualKind;
use ferment_domain::validation::{FieldError, Lang, Problem};
use ferment_store::list::Cursor;
use ferment_store::{Store, costs, counterparties, sales, tasks};
use uuid::Uuid;

use super::{check, check_system, scope};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::export::{Cell, Column, ExportError, FileFormat, Kind, Table};

/// The most rows one export holds; more is refused (narrow the filter).
pub const MAX_ROWS: usize = 100_000;

/// Rows read per keyset page while walking a list.
const PAGE_SIZE: i64 = 500;

/// Moscow's offset from UTC (fixed since 2014): moments are written in Moscow time, as pages show
/// them.
const MOSCOW: FixedOffset = match FixedOffset::east_opt(3 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+3 is a valid offset"),
};

/// A written file.
#[derive(Debug, Clone)]
pub struct ExportFile {
    /// The file's name, e.g. `Контрагенты 2026-11-27.xlsx`.
    pub file_name: String,
    /// Its format.
    pub format: FileFormat,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// How many records it holds.
    pub rows: usize,
}

/// Who may see a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Everyone who may export the list.
    Nothing,
    /// Only users who see this protected field.
    Field(ProtectedField),
    /// Only users granted this system operation.
    Right(SystemOp),
}

/// A column of an export: headers in both languages, kind, and who may see it.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// Russian header.
    pub ru: &'static str,
    /// English header.
    pub en: &'static str,
    /// What its cells hold.
    pub kind: Kind,
    /// Who may see it.
    pub needs: Needs,
}

const fn col(ru: &'static str, en: &'static str, kind: Kind) -> ColumnSpec {
    ColumnSpec {
        ru,
        en,
        kind,
        needs: Needs::Nothing,
    }
}

const fn costs_col(ru: &'static str, en: &'static str) -> ColumnSpec {
    ColumnSpec {
        ru,
        en,
        kind: Kind::Money,
        needs: Needs::Right(SystemOp::SeeCosts),
    }
}

/// Whether the actor may see a column.
pub fn visible(actor: &access::Actor, needs: Needs) -> bool {
    match needs {
        Needs::Nothing => true,
        Needs::Field(field) => actor.sees(field),
        Needs::Right(operation) => actor.may(operation),
    }
}

/// Builds a table from column specs and full rows (one cell per spec), keeping only the columns
/// the actor may see.
pub fn shape(
    actor: &access::Actor,
    lang: Lang,
    sheet: &str,
    specs: &[ColumnSpec],
    rows: Vec<Vec<Cell>>,
) -> Table {
    let keep: Vec<bool> = specs.iter().map(|s| visible(actor, s.needs)).collect();
    let columns = specs
        .iter()
        .zip(&keep)
        .filter(|(_, keep)| **keep)
        .map(|(spec, _)| {
            Column::new(
                match lang {
                    Lang::Ru => spec.ru,
                    Lang::En => spec.en,
                },
                spec.kind,
            )
        })
        .collect();
    let rows = rows
        .into_iter()
        .map(|row| {
            row.into_iter()
                .zip(&keep)
                .filter(|(_, keep)| **keep)
                .map(|(cell, _)| cell)
                .collect()
        })
        .collect();
    Table {
        sheet: sheet.to_string(),
        columns,
        rows,
    }
}

/// The refusal of an export larger than `cap`.
fn too_many(cap: usize) -> AppError {
    let cap = ferment_domain::decimal::format_ru(cap as i64, 0, true);
    AppError::Invalid(vec![FieldError::new(
        "rows",
        Problem::Rule {
            ru: format!("В выгрузку попадает больше {cap} строк: сузьте фильтр"),
            en: format!("More than {cap} rows match: narrow the filter"),
        },
    )])
}

/// After a page has been added to `collected` rows: the cursor of the next page (`None`: that was
/// the last); more than `cap` rows is refused with a 422 naming `rows`.
pub fn next_page(collected: usize, cap: usize, next: Option<&str>) -> AppResult<Option<Cursor>> {
    if collected > cap {
        return Err(too_many(cap));
    }
    Ok(next.and_then(Cursor::decode))
}

/// The access checks of an export of `kind`; the scopes its rows must lie in.
fn permit(user: &CurrentUser, kind: RecordKind) -> AppResult<[access::Scope; 2]> {
    check_system(user, SystemOp::ExportLists)?;
    check(user, kind, Operation::Export, Target::Kind, None)?;
    Ok([
        scope(user, kind),
        access::list_scope(&user.actor, kind, Operation::Export),
    ])
}

/// Whether the user may export lists of `kind` at all (the pages offer the links only then).
pub fn may_export(user: &CurrentUser, kind: RecordKind) -> bool {
    user.actor.may(SystemOp::ExportLists)
        && access::decide(&user.actor, kind, Operation::Export, Target::Kind).is_ok()
}

fn local(moment: DateTime<Utc>) -> NaiveDateTime {
    moment.with_timezone(&MOSCOW).naive_local()
}

/// The file name: the list's name and the day, e.g. `Продажи 2026-11-27.csv`.
pub fn file_name(list: &str, today: NaiveDate, format: FileFormat) -> String {
    format!("{list} {}.{}", today.format("%Y-%m-%d"), format.extension())
}

fn write(
    table: &Table,
    list: &str,
    format: FileFormat,
    lang: Lang,
    today: NaiveDate,
) -> AppResult<ExportFile> {
    let bytes = match format {
        FileFormat::Xlsx => table.to_xlsx(),
        FileFormat::Csv => table.to_csv(lang),
    }
    .map_err(|e: ExportError| AppError::Internal(e.into()))?;
    Ok(ExportFile {
        file_name: file_name(list, today, format),
        format,
        bytes,
        rows: table.rows.len(),
    })
}

fn list_name(kind: RecordKind, lang: Lang) -> &'static str {
    kind.label(lang)
}

fn today() -> NaiveDate {
    super::process::today()
}

/// The counterparty list's columns.
pub const COUNTERPARTY_COLUMNS: [ColumnSpec; 12] = [
    col("Наименование", "Name", Kind::Text),
    col("Вид", "Kind", Kind::Text),
    col("ИНН", "INN", Kind::Text),
    col("КПП", "KPP", Kind::Text),
    col("Отрасль", "Industry", Kind::Text),
    col("Сегмент", "Segment", Kind::Text),
    col("Территория", "Territory", Kind::Text),
    col("Ответственный", "Owner", Kind::Text),
    col("Телефон", "Phone", Kind::Text),
    col("E-mail", "E-mail", Kind::Text),
    col("Теги", "Tags", Kind::Text),
    col("Создан", "Created", Kind::DateTime),
];

/// Every counterparty matching `query` that the user may export, as a file.
pub async fn counterparties(
    store: &Store,
    user: &CurrentUser,
    query: &counterparties::ListQuery,
    format: FileFormat,
    lang: Lang,
) -> AppResult<ExportFile> {
    let kind = RecordKind::Counterparty;
    let [read, export] = permit(user, kind)?;
    let mut connection = store.reader().await?;
    let mut query = query.clone();
    query.limit = PAGE_SIZE;
    let mut rows = Vec::new();
    query.cursor = None;
    loop {
        let page = counterparties::list_within(&mut connection, &[&read, &export], &query).await?;
        rows.extend(page.items);
        match next_page(rows.len(), MAX_ROWS, page.next_cursor.as_deref())? {
            Some(cursor) => query.cursor = Some(cursor),
            None => break,
        }
    }
    let mut tags: HashMap<Uuid, Vec<String>> = HashMap::new();
    for chunk in rows.chunks(PAGE_SIZE as usize) {
        let ids: Vec<Uuid> = chunk.iter().map(|r| r.id).collect();
        tags.extend(counterparties::tags(&mut connection, &ids).await?);
    }
    let cells = rows
        .into_iter()
        .map(|row| {
            vec![
                Cell::Text(row.name),
                Cell::Text(row.kind.label(lang).to_string()),
                Cell::text(row.inn),
                Cell::text(row.kpp),
                Cell::text(row.industry.map(|i| i.label(lang))),
                Cell::text(row.segment.map(|s| s.code())),
                Cell::text(row.territory_name),
                Cell::text(row.owner_name),
                Cell::text(row.phone),
                Cell::text(row.email),
                Cell::text(tags.get(&row.id).map(|t| t.join(", "))),
                Cell::DateTime(local(row.created_at)),
            ]
        })
        .collect();
    let name = list_name(kind, lang);
    let table = shape(&user.actor, lang, name, &COUNTERPARTY_COLUMNS, cells);
    write(&table, name, format, lang, today())
}

/// The sale list's columns.
pub const SALE_COLUMNS: [ColumnSpec; 17] = [
    col("Название", "Title", Kind::Text),
    col("Клиент", "Client", Kind::Text),
    col("Этап", "Stage", Kind::Text),
    col("Тип процесса", "Process type", Kind::Text),
    col("Сумма с НДС", "Amount incl. VAT", Kind::Money),
    col("НДС", "VAT", Kind::Money),
    col("Ожидаемая сумма", "Expected amount", Kind::Money),
    col("Валюта", "Currency", Kind::Text),
    col("Вероятность, %", "Probability, %", Kind::Integer),
    col("Ожидаемое закрытие", "Expected close", Kind::Date),
    col("Ответственный", "Owner", Kind::Text),
    col("Территория", "Territory", Kind::Text),
    col("Создана", "Created", Kind::DateTime),
    col("Изменена", "Changed", Kind::DateTime),
    costs_col("Себестоимость товаров", "Cost of goods"),
    costs_col("Затраты без НДС", "Costs excl. VAT"),
    costs_col("Маржа", "Margin"),
];

fn stage_name(definition: &Definition, code: &str, lang: Lang) -> String {
    definition
        .stage(code)
        .map(|s| s.name(lang).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// Every sale matching `query` that the user may export, as a file.
pub async fn sales(
    store: &Store,
    user: &CurrentUser,
    query: &sales::ListQuery,
    format: FileFormat,
    lang: Lang,
) -> AppResult<ExportFile> {
    let kind = RecordKind::Sale;
    let [read, export] = permit(user, kind)?;
    let see_costs = user.actor.may(SystemOp::SeeCosts);
    let definition = super::pages_support::active_definition(store).await?;
    let mut connection = store.reader().await?;
    let mut query = query.clone();
    query.limit = PAGE_SIZE;
    let mut cards = Vec::new();
    query.cursor = None;
    loop {
        let page = sales::list_within(&mut connection, &[&read, &export], &query).await?;
        cards.extend(page.items);
        match next_page(cards.len(), MAX_ROWS, page.next_cursor.as_deref())? {
            Some(cursor) => query.cursor = Some(cursor),
            None => break,
        }
    }
    let mut details = HashMap::new();
    let mut costs_of = HashMap::new();
    for chunk in cards.chunks(PAGE_SIZE as usize) {
        let ids: Vec<Uuid> = chunk.iter().map(|c| c.id).collect();
        details.extend(sales::details(&mut connection, &ids).await?);
        if see_costs {
            costs_of.extend(costs::of_sales(&mut connection, &ids).await?);
        }
    }
    let cells = cards
        .into_iter()
        .map(|card| {
            let detail = details.get(&card.id);
            let lines = detail.map(|d| d.lines.as_slice()).unwrap_or_default();
            let sale_costs = costs_of
                .get(&card.id)
                .map(Vec::as_slice)
                .unwrap_or_default();
            // Without `see_costs` the margin is not computed at all (its columns are dropped).
            let margin = see_costs.then(|| margin(lines, sale_costs));
            vec![
                Cell::Text(card.title),
                Cell::Text(card.counterparty_name),
                Cell::Text(stage_name(&definition, &card.stage, lang)),
                Cell::text(
                    card.process_type
                        .as_deref()
                        .and_then(ProcessType::from_code)
                        .map(|p| p.label(lang)),
                ),
                Cell::Money(card.amount),
                Cell::Money(totals(lines).vat),
                card.expected_amount.map_or(Cell::Empty, Cell::Money),
                Cell::Text(card.currency),
                Cell::Integer(card.probability),
                card.expected_close_date.map_or(Cell::Empty, Cell::Date),
                Cell::text(card.owner_name),
                Cell::text(detail.and_then(|d| d.territory_name.clone())),
                detail.map_or(Cell::Empty, |d| Cell::DateTime(local(d.created_at))),
                Cell::DateTime(local(card.updated_at)),
                margin.map_or(Cell::Empty, |m| Cell::Money(m.cost_of_goods)),
                margin.map_or(Cell::Empty, |m| Cell::Money(m.costs)),
                margin.map_or(Cell::Empty, |m| Cell::Money(m.margin)),
            ]
        })
        .collect();
    let name = list_name(kind, lang);
    let table = shape(&user.actor, lang, name, &SALE_COLUMNS, cells);
    write(&table, name, format, lang, today())
}

/// The task list's columns.
pub const TASK_COLUMNS: [ColumnSpec; 13] = [
    col("Задача", "Task", Kind::Text),
    col("Вид", "Kind", Kind::Text),
    col("Продажа", "Sale", Kind::Text),
    col("Контрагент", "Counterparty", Kind::Text),
    col("Этап", "Stage", Kind::Text),
    col("Продукт", "Product", Kind::Text),
    col("Исполнитель", "Assignee", Kind::Text),
    col("Срок", "Due", Kind::Date),
    col("Статус", "Status", Kind::Text),
    col("Результат", "Outcome", Kind::Text),
    col("Комментарий", "Comment", Kind::Text),
    col("Создана", "Created", Kind::DateTime),
    col("Закрыта", "Closed", Kind::DateTime),
];

fn task_kind_name(definition: &Definition, kind: &str, lang: Lang) -> String {
    if let Some(template) = definition.task(kind) {
        return template.name(lang).to_string();
    }
    ManualKind::from_code(kind)
        .map(|k| k.label(lang).to_string())
        .unwrap_or_else(|| kind.to_string())
}

/// Every task matching `query` that the user may export, as a file.
pub async fn tasks(
    store: &Store,
    user: &CurrentUser,
    query: &tasks::ListQuery,
    format: FileFormat,
    lang: Lang,
) -> AppResult<ExportFile> {
    let kind = RecordKind::Task;
    let [read, export] = permit(user, kind)?;
    let definition = super::pages_support::active_definition(store).await?;
    let mut connection = store.reader().await?;
    let mut query = query.clone();
    query.limit = PAGE_SIZE;
    let mut rows = Vec::new();
    query.cursor = None;
    loop {
        let page = tasks::list_within(&mut connection, &[&read, &export], &query).await?;
        rows.extend(page.items);
        match next_page(rows.len(), MAX_ROWS, page.next_cursor.as_deref())? {
            Some(cursor) => query.cursor = Some(cursor),
            None => break,
        }
    }
    let cells = rows
        .into_iter()
        .map(|row| {
            let task = row.task;
            let outcome = task.outcome.as_deref().map(|outcome| {
                definition
                    .task(&task.kind)
                    .and_then(|t| t.outcome(outcome))
                    .map(|o| o.name(lang).to_string())
                    .unwrap_or_else(|| outcome.to_string())
            });
            vec![
                Cell::Text(task.title),
                Cell::Text(task_kind_name(&definition, &task.kind, lang)),
                Cell::text(row.sale_title),
                Cell::text(row.counterparty_name),
                Cell::text(
                    task.stage
                        .as_deref()
                        .map(|s| stage_name(&definition, s, lang)),
                ),
                Cell::text(row.product_name),
                Cell::text(row.assignee_name),
                Cell::Date(task.due_on),
                Cell::Text(status_label(task.status, lang)),
                Cell::text(outcome),
                Cell::text(task.comment),
                Cell::DateTime(local(task.meta.created_at)),
                task.completed_at
                    .map_or(Cell::Empty, |at| Cell::DateTime(local(at))),
            ]
        })
        .collect();
    let name = list_name(kind, lang);
    let table = shape(&user.actor, lang, name, &TASK_COLUMNS, cells);
    write(&table, name, format, lang, today())
}

fn status_label(status: TaskStatus, lang: Lang) -> String {
    status.label(lang).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferment_domain::access::{Actor, HeldRole, rights};

    fn actor(role: &str) -> Actor {
        Actor::with_roles(
            Uuid::nil(),
            vec![HeldRole {
                code: role.into(),
                rights: rights::shipped(role).unwrap(),
            }],
        )
    }

    #[test]
    fn cost_columns_need_see_costs() {
        let row = || vec![Cell::Empty; SALE_COLUMNS.len()];
        let manager = shape(
            &actor("manager"),
            Lang::Ru,
            "Продажи",
            &SALE_COLUMNS,
            vec![row()],
        );
        assert!(manager.columns.iter().all(|c| c.header != "Маржа"));
        assert_eq!(manager.columns.len(), SALE_COLUMNS.len() - 3);
        assert_eq!(manager.rows[0].len(), manager.columns.len());
        let head = shape(
            &actor("head_of_sales"),
            Lang::En,
            "Sales",
            &SALE_COLUMNS,
            vec![row()],
        );
        assert!(head.columns.iter().any(|c| c.header == "Margin"));
        assert_eq!(head.columns.len(), SALE_COLUMNS.len());
    }

    #[test]
    fn hidden_fields_drop_their_column() {
        let specs = [
            col("Наименование", "Name", Kind::Text),
            ColumnSpec {
                ru: "Цена",
                en: "Price",
                kind: Kind::Money,
                needs: Needs::Field(ProtectedField::ProductPrice),
            },
        ];
        let rows = vec![vec![Cell::Text("Крахмал".into()), Cell::Money(15000)]];
        let technologist = shape(&actor("technologist"), Lang::Ru, "x", &specs, rows.clone());
        assert_eq!(technologist.columns.len(), 1);
        assert_eq!(technologist.rows[0], vec![Cell::Text("Крахмал".into())]);
        let manager = shape(&actor("manager"), Lang::Ru, "x", &specs, rows);
        assert_eq!(manager.columns[1].header, "Цена");
    }

    #[test]
    fn pages_are_walked_until_the_last_and_refused_past_the_cap() {
        let cursor = Cursor {
            value: "2026-11-27".into(),
            id: "x".into(),
        }
        .encode();
        assert_eq!(
            next_page(500, 1000, Some(&cursor))
                .unwrap()
                .map(|c| c.value),
            Some("2026-11-27".to_string())
        );
        assert!(next_page(1000, 1000, None).unwrap().is_none());
        match next_page(1001, 1000, Some(&cursor)) {
            Err(AppError::Invalid(errors)) => {
                assert_eq!(errors[0].field, "rows");
                assert!(
                    errors[0]
                        .problem
                        .message(Lang::Ru)
                        .contains("сузьте фильтр")
                );
            }
            other => panic!("refused, not {other:?}"),
        }
    }

    #[test]
    fn file_names_carry_the_list_and_the_day() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(
            file_name(
                list_name(RecordKind::Counterparty, Lang::Ru),
                day,
                FileFormat::Xlsx
            ),
            "Контрагенты 2026-11-27.xlsx"
        );
        assert_eq!(
            file_name(list_name(RecordKind::Task, Lang::En), day, FileFormat::Csv),
            "Tasks 2026-11-27.csv"
        );
    }
}
