//! Documents: their kinds (with the numbering prefix), versioned templates, the per-kind and
//! per-year counters that number them, and the generated files' metadata. The bytes themselves are
//! in [`crate::files::FileStore`].

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};
use uuid::Uuid;

use crate::access::{Reach, push_reach};
use crate::history::{self, Action};
use crate::sql::Sql;
use crate::{StoreError, StoreResult, new_id, now_text, parse_id, parse_optional_id, parse_time};

/// What the change history calls a document.
pub const KIND: &str = "document";
/// What the change history calls a document template.
pub const TEMPLATE_KIND: &str = "document_template";
/// What the change history calls a document kind.
pub const KIND_KIND: &str = "document_kind";

/// A document kind.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KindRow {
    /// Code (`invoice`, or a custom code).
    pub code: String,
    /// Russian name.
    pub name_ru: String,
    /// English name.
    pub name_en: String,
    /// Printed before the number; `{year}` becomes the year.
    pub prefix: String,
    /// Shipped with Ferment (cannot be removed; its code is a contract).
    pub shipped: bool,
    /// Optimistic-locking version.
    pub version: i64,
}

fn kind_from_row(row: &AnyRow) -> StoreResult<KindRow> {
    Ok(KindRow {
        code: row.try_get("code")?,
        name_ru: row.try_get("name_ru")?,
        name_en: row.try_get("name_en")?,
        prefix: row.try_get("prefix")?,
        shipped: row.try_get::<i64, _>("shipped")? != 0,
        version: row.try_get("version")?,
    })
}

const KIND_COLUMNS: &str = "code, name_ru, name_en, prefix, shipped, version";

/// Every kind, shipped first in their order of creation, then custom ones by name.
pub async fn kinds(connection: &mut AnyConnection) -> StoreResult<Vec<KindRow>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {KIND_COLUMNS} FROM document_kinds ORDER BY shipped DESC, created_at, name_ru"
    )))
    .fetch_all(connection)
    .await?;
    rows.iter().map(kind_from_row).collect()
}

/// One kind.
pub async fn kind(connection: &mut AnyConnection, code: &str) -> StoreResult<KindRow> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {KIND_COLUMNS} FROM document_kinds WHERE code = $1"
    )))
    .bind(code)
    .fetch_optional(connection)
    .await?
    .ok_or(StoreError::NotFound)?;
    kind_from_row(&row)
}

/// Adds a kind unless one with its code exists (the shipped kinds at start-up). Returns whether it
/// was added.
pub async fn ensure_kind(connection: &mut AnyConnection, row: &KindRow) -> StoreResult<bool> {
    let now = now_text();
    let done = sqlx::query(
        "INSERT INTO document_kinds (code, name_ru, name_en, prefix, shipped, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6) ON CONFLICT (code) DO NOTHING",
    )
    .bind(&row.code)
    .bind(&row.name_ru)
    .bind(&row.name_en)
    .bind(&row.prefix)
    .bind(i64::from(row.shipped))
    .bind(now)
    .execute(connection)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Adds a custom kind; `Unique` when the code is taken.
pub async fn create_kind(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    row: &KindRow,
) -> StoreResult<KindRow> {
    let now = now_text();
    sqlx::query(
        "INSERT INTO document_kinds (code, name_ru, name_en, prefix, shipped, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 0, 1, $5, $5)",
    )
    .bind(&row.code)
    .bind(&row.name_ru)
    .bind(&row.name_en)
    .bind(&row.prefix)
    .bind(now)
    .execute(&mut *connection)
    .await?;
    let created = kind(connection, &row.code).await?;
    history::record_change(
        connection,
        KIND_KIND,
        kind_id(&created.code),
        Action::Create,
        user_id,
        None,
        Some(&created),
    )
    .await?;
    Ok(created)
}

/// Changes a kind's names and prefix; `StaleVersion` when `version` is not the stored one.
pub async fn update_kind(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    code: &str,
    version: i64,
    name_ru: &str,
    name_en: &str,
    prefix: &str,
) -> StoreResult<KindRow> {
    let old = kind(connection, code).await?;
    if old.version != version {
        return Err(StoreError::StaleVersion {
            current: old.version,
        });
    }
    sqlx::query(
        "UPDATE document_kinds SET name_ru = $1, name_en = $2, prefix = $3, version = version + 1, \
         updated_at = $4 WHERE code = $5 AND version = $6",
    )
    .bind(name_ru)
    .bind(name_en)
    .bind(prefix)
    .bind(now_text())
    .bind(code)
    .bind(version)
    .execute(&mut *connection)
    .await?;
    let new = kind(connection, code).await?;
    history::record_change(
        connection,
        KIND_KIND,
        kind_id(code),
        Action::Update,
        user_id,
        Some(&old),
        Some(&new),
    )
    .await?;
    Ok(new)
}

/// A stable id for a kind's history entries (kinds are keyed by code).
fn kind_id(code: &str) -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_OID,
        format!("document_kind:{code}").as_bytes(),
    )
}

/// A template version.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TemplateRow {
    /// Id (what a document points to).
    pub id: Uuid,
    /// Document kind.
    pub kind: String,
    /// `text` or `docx`.
    pub format: String,
    /// 1, 2, … per kind and format; the highest is in use.
    pub version: i64,
    /// The text template's source.
    pub source: Option<String>,
    /// The Word template's file digest.
    pub file_sha256: Option<String>,
    /// The Word template's file name as uploaded.
    pub file_name: Option<String>,
    /// Why it was saved.
    pub comment: Option<String>,
    /// Who saved it (`None`: shipped with Ferment).
    pub created_by: Option<Uuid>,
    /// When.
    #[serde(skip)]
    pub created_at: DateTime<Utc>,
}

const TEMPLATE_COLUMNS: &str =
    "id, kind, format, version, source, file_sha256, file_name, comment, created_by, created_at";

fn template_from_row(row: &AnyRow) -> StoreResult<TemplateRow> {
    Ok(TemplateRow {
        id: parse_id(&row.try_get::<String, _>("id")?)?,
        kind: row.try_get("kind")?,
        format: row.try_get("format")?,
        version: row.try_get("version")?,
        source: row.try_get("source")?,
        file_sha256: row.try_get("file_sha256")?,
        file_name: row.try_get("file_name")?,
        comment: row.try_get("comment")?,
        created_by: parse_optional_id(row.try_get::<Option<String>, _>("created_by")?.as_deref())?,
        created_at: parse_time(&row.try_get::<String, _>("created_at")?)?,
    })
}

/// The template in use for a kind and format (its newest version).
pub async fn current_template(
    connection: &mut AnyConnection,
    kind: &str,
    format: &str,
) -> StoreResult<Option<TemplateRow>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TEMPLATE_COLUMNS} FROM document_templates WHERE kind = $1 AND format = $2 \
         ORDER BY version DESC LIMIT 1"
    )))
    .bind(kind)
    .bind(format)
    .fetch_optional(connection)
    .await?;
    row.as_ref().map(template_from_row).transpose()
}

/// The templates in use of every kind and format (each one's newest version), in one query:
/// pages that offer every kind's documents would otherwise ask twice per kind.
pub async fn current_templates(
    connection: &mut AnyConnection,
) -> StoreResult<std::collections::HashMap<(String, String), TemplateRow>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TEMPLATE_COLUMNS} FROM document_templates t WHERE version = \
         (SELECT MAX(m.version) FROM document_templates m WHERE m.kind = t.kind AND m.format = t.format)"
    )))
    .fetch_all(connection)
    .await?;
    rows.iter()
        .map(|row| {
            let template = template_from_row(row)?;
            Ok(((template.kind.clone(), template.format.clone()), template))
        })
        .collect()
}

/// A template version by id.
pub async fn template(connection: &mut AnyConnection, id: Uuid) -> StoreResult<TemplateRow> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TEMPLATE_COLUMNS} FROM document_templates WHERE id = $1"
    )))
    .bind(id.to_string())
    .fetch_optional(connection)
    .await?
    .ok_or(StoreError::NotFound)?;
    template_from_row(&row)
}

/// Every version of a kind's template in a format, newest first.
pub async fn templates(
    connection: &mut AnyConnection,
    kind: &str,
    format: &str,
) -> StoreResult<Vec<TemplateRow>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TEMPLATE_COLUMNS} FROM document_templates WHERE kind = $1 AND format = $2 \
         ORDER BY version DESC"
    )))
    .bind(kind)
    .bind(format)
    .fetch_all(connection)
    .await?;
    rows.iter().map(template_from_row).collect()
}

/// What a new template version holds.
#[derive(Debug, Clone)]
pub struct NewTemplate<'a> {
    /// Document kind.
    pub kind: &'a str,
    /// `text` or `docx`.
    pub format: &'a str,
    /// A text template's source.
    pub source: Option<&'a str>,
    /// A Word template's digest and file name.
    pub file: Option<(&'a str, &'a str)>,
    /// Why it was saved.
    pub comment: Option<&'a str>,
}

/// Saves a new version of a kind's template in a format; it is in use from now on.
pub async fn save_template(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    new: &NewTemplate<'_>,
) -> StoreResult<TemplateRow> {
    let row = sqlx::query(
        "SELECT COALESCE(MAX(version), 0) AS v FROM document_templates WHERE kind = $1 AND format = $2",
    )
    .bind(new.kind)
    .bind(new.format)
    .fetch_one(&mut *connection)
    .await?;
    let version: i64 = row.try_get::<i64, _>("v")? + 1;
    let id = new_id();
    sqlx::query(
        "INSERT INTO document_templates (id, kind, format, version, source, file_sha256, file_name, \
         comment, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id.to_string())
    .bind(new.kind)
    .bind(new.format)
    .bind(version)
    .bind(new.source.map(str::to_owned))
    .bind(new.file.map(|(sha, _)| sha.to_owned()))
    .bind(new.file.map(|(_, name)| name.to_owned()))
    .bind(new.comment.map(str::to_owned))
    .bind(user_id.map(|id| id.to_string()))
    .bind(now_text())
    .execute(&mut *connection)
    .await?;
    let saved = template(connection, id).await?;
    history::record_change(
        connection,
        TEMPLATE_KIND,
        id,
        Action::Create,
        user_id,
        None,
        Some(&saved),
    )
    .await?;
    Ok(saved)
}

/// The next number of a kind in a year. Call it in the transaction that stores the document: the
/// counter row stays locked until commit (PostgreSQL row lock; SQLite's single writer), so
/// concurrent generations get consecutive numbers, and a rolled-back generation leaves no gap.
pub async fn next_number(
    connection: &mut AnyConnection,
    kind: &str,
    year: i32,
) -> StoreResult<i64> {
    sqlx::query(
        "INSERT INTO document_counters (kind, year, last) VALUES ($1, $2, 0) \
         ON CONFLICT (kind, year) DO NOTHING",
    )
    .bind(kind)
    .bind(i64::from(year))
    .execute(&mut *connection)
    .await?;
    let row = sqlx::query(
        "UPDATE document_counters SET last = last + 1 WHERE kind = $1 AND year = $2 RETURNING last",
    )
    .bind(kind)
    .bind(i64::from(year))
    .fetch_one(connection)
    .await?;
    Ok(row.try_get("last")?)
}

/// A generated document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DocumentRow {
    /// Id.
    pub id: Uuid,
    /// The sale it was made for.
    pub sale_id: Uuid,
    /// The sale's client.
    pub counterparty_id: Uuid,
    /// Kind code.
    pub kind: String,
    /// Year of the numbering.
    pub year: i64,
    /// Number within the kind and year.
    pub seq: i64,
    /// The number as printed (`КП-2026-17`).
    pub number: String,
    /// The document's date.
    pub date: NaiveDate,
    /// `pdf` or `docx`.
    pub format: String,
    /// 1 for the first generation of this number and format, then 2, …
    pub version: i64,
    /// The template version it was made from.
    pub template_id: Uuid,
    /// The file's digest.
    pub file_sha256: String,
    /// Size in bytes.
    pub file_size: i64,
    /// The download's file name.
    pub file_name: String,
    /// Who made it.
    pub created_by: Option<Uuid>,
    /// Their full name.
    pub created_by_name: Option<String>,
    /// When.
    #[serde(skip)]
    pub created_at: DateTime<Utc>,
}

const DOCUMENT_COLUMNS: &str = "d.id, d.sale_id, d.counterparty_id, d.kind, d.year, d.seq, d.number, \
     d.doc_date, d.format, d.version, d.template_id, d.file_sha256, d.file_size, d.file_name, \
     d.created_by, u.full_name AS created_by_name, d.created_at";

fn document_from_row(row: &AnyRow) -> StoreResult<DocumentRow> {
    let date: String = row.try_get("doc_date")?;
    Ok(DocumentRow {
        id: parse_id(&row.try_get::<String, _>("id")?)?,
        sale_id: parse_id(&row.try_get::<String, _>("sale_id")?)?,
        counterparty_id: parse_id(&row.try_get::<String, _>("counterparty_id")?)?,
        kind: row.try_get("kind")?,
        year: row.try_get("year")?,
        seq: row.try_get("seq")?,
        number: row.try_get("number")?,
        date: NaiveDate::parse_from_str(&date, "%Y-%m-%d")
            .map_err(|e| anyhow::anyhow!("bad date {date:?} in the database: {e}"))?,
        format: row.try_get("format")?,
        version: row.try_get("version")?,
        template_id: parse_id(&row.try_get::<String, _>("template_id")?)?,
        file_sha256: row.try_get("file_sha256")?,
        file_size: row.try_get("file_size")?,
        file_name: row.try_get("file_name")?,
        created_by: parse_optional_id(row.try_get::<Option<String>, _>("created_by")?.as_deref())?,
        created_by_name: row.try_get("created_by_name")?,
        created_at: parse_time(&row.try_get::<String, _>("created_at")?)?,
    })
}

/// What a new document holds.
#[derive(Debug, Clone)]
pub struct NewDocument {
    /// The sale.
    pub sale_id: Uuid,
    /// Its client.
    pub counterparty_id: Uuid,
    /// Kind code.
    pub kind: String,
    /// Numbering year.
    pub year: i64,
    /// Number within kind and year.
    pub seq: i64,
    /// Printed number.
    pub number: String,
    /// Date.
    pub date: NaiveDate,
    /// `pdf` or `docx`.
    pub format: String,
    /// Version of this number and format.
    pub version: i64,
    /// Template version used.
    pub template_id: Uuid,
    /// File digest (already in the file store).
    pub file_sha256: String,
    /// Size in bytes.
    pub file_size: i64,
    /// Download name.
    pub file_name: String,
}

/// Stores a document's metadata (its file is already stored) with its history entry.
pub async fn insert(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    new: &NewDocument,
) -> StoreResult<DocumentRow> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO documents (id, sale_id, counterparty_id, kind, year, seq, number, doc_date, format, \
         version, template_id, file_sha256, file_size, file_name, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(id.to_string())
    .bind(new.sale_id.to_string())
    .bind(new.counterparty_id.to_string())
    .bind(&new.kind)
    .bind(new.year)
    .bind(new.seq)
    .bind(&new.number)
    .bind(new.date.format("%Y-%m-%d").to_string())
    .bind(&new.format)
    .bind(new.version)
    .bind(new.template_id.to_string())
    .bind(&new.file_sha256)
    .bind(new.file_size)
    .bind(&new.file_name)
    .bind(user_id.map(|id| id.to_string()))
    .bind(now_text())
    .execute(&mut *connection)
    .await?;
    let stored = get(connection, id).await?;
    history::record_change(
        connection,
        KIND,
        id,
        Action::Create,
        user_id,
        None,
        Some(&stored),
    )
    .await?;
    Ok(stored)
}

/// A document by id.
pub async fn get(connection: &mut AnyConnection, id: Uuid) -> StoreResult<DocumentRow> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DOCUMENT_COLUMNS} FROM documents d LEFT JOIN users u ON u.id = d.created_by \
         WHERE d.id = $1"
    )))
    .bind(id.to_string())
    .fetch_optional(connection)
    .await?
    .ok_or(StoreError::NotFound)?;
    document_from_row(&row)
}

/// A sale's documents, newest first.
pub async fn for_sale(
    connection: &mut AnyConnection,
    sale_id: Uuid,
) -> StoreResult<Vec<DocumentRow>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DOCUMENT_COLUMNS} FROM documents d LEFT JOIN users u ON u.id = d.created_by \
         WHERE d.sale_id = $1 ORDER BY d.created_at DESC, d.id DESC"
    )))
    .bind(sale_id.to_string())
    .fetch_all(connection)
    .await?;
    rows.iter().map(document_from_row).collect()
}

/// A client's documents made for the sales within every one of `reaches` (each applied to the
/// sale's owner and territory), newest first (at most `limit`).
pub async fn for_counterparty(
    connection: &mut AnyConnection,
    counterparty_id: Uuid,
    reaches: &[&Reach],
    limit: i64,
) -> StoreResult<Vec<DocumentRow>> {
    let mut sql = Sql::new("SELECT ");
    sql.push(DOCUMENT_COLUMNS)
        .push(
            " FROM documents d JOIN sales s ON s.id = d.sale_id \
             LEFT JOIN users u ON u.id = d.created_by WHERE s.deleted_at IS NULL AND d.counterparty_id = ",
        )
        .bind_text(counterparty_id.to_string());
    for reach in reaches {
        push_reach(&mut sql, reach, Some("s.owner_id"), Some("s.territory_id"));
    }
    sql.push(" ORDER BY d.created_at DESC, d.id DESC LIMIT ")
        .push_count(limit);
    let rows = sql.query().fetch_all(connection).await?;
    rows.iter().map(document_from_row).collect()
}

/// The number the sale's newest document of a kind carries: `(year, seq, number)`.
pub async fn latest_number(
    connection: &mut AnyConnection,
    sale_id: Uuid,
    kind: &str,
) -> StoreResult<Option<(i64, i64, String)>> {
    let row = sqlx::query(
        "SELECT year, seq, number FROM documents WHERE sale_id = $1 AND kind = $2 \
         ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(sale_id.to_string())
    .bind(kind)
    .fetch_optional(connection)
    .await?;
    row.map(|row| {
        Ok::<_, StoreError>((
            row.try_get("year")?,
            row.try_get("seq")?,
            row.try_get("number")?,
        ))
    })
    .transpose()
}

/// The version the next file of a number in a format gets.
pub async fn next_version(
    connection: &mut AnyConnection,
    kind: &str,
    year: i64,
    seq: i64,
    format: &str,
) -> StoreResult<i64> {
    let row = sqlx::query(
        "SELECT COALESCE(MAX(version), 0) AS v FROM documents \
         WHERE kind = $1 AND year = $2 AND seq = $3 AND format = $4",
    )
    .bind(kind)
    .bind(year)
    .bind(seq)
    .bind(format)
    .fetch_one(connection)
    .await?;
    Ok(row.try_get::<i64, _>("v")? + 1)
}
