//! What a request reads, whatever its source: a list of fields and rows. Object sets lend their rows;
//! tabular sections, register records and virtual tables (`Balance`, `SliceLast`) are computed. The
//! query options then apply the same way to every view, and the writers turn a view into 1C's JSON
//! or a minimal Atom feed straight into the response body.

use std::borrow::Cow;
use std::fmt::Write as _;

use uuid::Uuid;

use crate::query::{self, BadQuery, Expr, OrderKey};
use crate::schema::{Field, TableDef, Ty};
use crate::value::{Val, plain_text, write_scalar, write_str};

/// How a view's rows link to referenced objects.
#[derive(Debug, Clone)]
pub enum Links {
    /// No navigation links (register records, virtual tables).
    None,
    /// Objects of the named set, keyed by their first field.
    Object(String),
    /// Rows of a tabular section set (`Document_X_Товары`), keyed by `Ref_Key` and `LineNumber`.
    TableRow(String),
}

/// Fields and rows, ready for the query options.
pub struct View<'a> {
    /// The name after `$metadata#` (`Catalog_Номенклатура`).
    pub name: String,
    /// The fields.
    pub fields: Cow<'a, [Field]>,
    /// Tabular sections the `Table` fields point into.
    pub tables: &'a [TableDef],
    /// The rows.
    pub rows: Vec<Cow<'a, [Val]>>,
    /// Navigation links.
    pub links: Links,
}

/// The query options of a request, parsed.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// `$filter`.
    pub filter: Option<String>,
    /// `$orderby`.
    pub orderby: Option<String>,
    /// `$select`.
    pub select: Option<String>,
    /// `$top`.
    pub top: Option<usize>,
    /// `$skip`.
    pub skip: Option<usize>,
    /// `$inlinecount=allpages`.
    pub count: bool,
    /// `$format=json`.
    pub json: bool,
}

/// A parsed filter, ready to test rows one by one (so a set's rows can be filtered while they are
/// gathered).
pub fn compile(options: &Options, fields: &[Field]) -> Result<Option<Expr>, BadQuery> {
    options
        .filter
        .as_deref()
        .filter(|f| !f.trim().is_empty())
        .map(|f| query::parse_filter(f, fields))
        .transpose()
}

/// Applies `$filter` (when not applied yet), `$orderby`, `$skip`, `$top`; returns the count before
/// paging.
pub fn apply(view: &mut View<'_>, options: &Options, filtered: bool) -> Result<usize, BadQuery> {
    if !filtered && let Some(expr) = compile(options, &view.fields)? {
        view.rows.retain(|row| query::matches(&expr, row));
    }
    let keys: Vec<OrderKey> = match options.orderby.as_deref() {
        Some(text) => query::parse_orderby(text, &view.fields)?,
        None => Vec::new(),
    };
    if !keys.is_empty() {
        view.rows.sort_by(|a, b| query::order(&keys, a, b));
    }
    let count = view.rows.len();
    let skip = options.skip.unwrap_or(0).min(count);
    view.rows.drain(..skip);
    if let Some(top) = options.top {
        view.rows.truncate(top);
    }
    Ok(count)
}

/// The positions `$select` keeps, or every field.
pub fn selected(options: &Options, fields: &[Field]) -> Vec<usize> {
    match options
        .select
        .as_deref()
        .filter(|s| !s.trim().is_empty() && s.trim() != "*")
    {
        None => (0..fields.len()).collect(),
        Some(text) => {
            let wanted: Vec<&str> = text.split(',').map(str::trim).collect();
            (0..fields.len())
                .filter(|&i| wanted.contains(&fields[i].name.as_str()))
                .collect()
        }
    }
}

/// Writes the members of one entity (without braces).
pub fn write_members(
    out: &mut String,
    view: &View<'_>,
    row: &[Val],
    select: &[usize],
    first: bool,
) {
    let mut first = first;
    let key = row.first().and_then(Val::guid).unwrap_or_default();
    for &i in select {
        let field = &view.fields[i];
        if !first {
            out.push(',');
        }
        first = false;
        write_str(out, &field.name);
        out.push(':');
        match (&field.ty, &row[i]) {
            (Ty::Table(t), Val::Rows(rows)) => {
                write_rows(out, &view.name, &view.tables[*t], key, rows, &view.links)
            }
            (_, value) => write_scalar(out, value),
        }
        if let (Some(nav), Some(target)) = (field.navigation(), row[i].guid())
            && !target.is_nil()
        {
            let link = match &view.links {
                Links::None => None,
                Links::Object(set) => Some(format!("{set}(guid'{key}')/{nav}")),
                Links::TableRow(set) => {
                    let line = match row.get(1) {
                        Some(Val::Int(n)) => *n,
                        _ => 0,
                    };
                    Some(format!(
                        "{set}(Ref_Key=guid'{key}',LineNumber={line})/{nav}"
                    ))
                }
            };
            if let Some(link) = link {
                out.push(',');
                write_str(out, &format!("{nav}@navigationLinkUrl"));
                out.push(':');
                write_str(out, &link);
            }
        }
    }
}

fn write_rows(
    out: &mut String,
    set: &str,
    table: &TableDef,
    owner: Uuid,
    rows: &[Vec<Val>],
    links: &Links,
) {
    let row_set = format!("{set}_{}", table.name);
    out.push('[');
    for (n, row) in rows.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            "{{\"Ref_Key\":\"{owner}\",\"LineNumber\":\"{}\"",
            n + 1
        );
        for (field, value) in table.fields.iter().zip(row) {
            out.push(',');
            write_str(out, &field.name);
            out.push(':');
            write_scalar(out, value);
            if let (Some(nav), Some(target), Links::Object(_)) =
                (field.navigation(), value.guid(), links)
                && !target.is_nil()
            {
                let _ = write!(out, ",\"{nav}@navigationLinkUrl\":");
                write_str(
                    out,
                    &format!(
                        "{row_set}(Ref_Key=guid'{owner}',LineNumber={})/{nav}",
                        n + 1
                    ),
                );
            }
        }
        out.push('}');
    }
    out.push(']');
}

/// A collection as 1C's JSON.
pub fn collection_json(root: &str, view: &View<'_>, options: &Options, count: usize) -> String {
    let select = selected(options, &view.fields);
    let mut out = String::with_capacity(256 + view.rows.len() * 512);
    out.push_str("{\"odata.metadata\":");
    write_str(&mut out, &format!("{root}$metadata#{}", view.name));
    if options.count {
        let _ = write!(out, ",\"odata.count\":\"{count}\"");
    }
    out.push_str(",\"value\":[");
    for (n, row) in view.rows.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push('{');
        write_members(&mut out, view, row, &select, true);
        out.push('}');
    }
    out.push_str("]}");
    out
}

/// One entity as 1C's JSON.
pub fn entity_json(root: &str, view: &View<'_>, row: &[Val], options: &Options) -> String {
    let select = selected(options, &view.fields);
    let mut out = String::with_capacity(1024);
    out.push_str("{\"odata.metadata\":");
    write_str(&mut out, &format!("{root}$metadata#{}/@Element", view.name));
    write_members(&mut out, view, row, &select, false);
    out.push('}');
    out
}

fn xml(text: &str) -> Cow<'_, str> {
    quick_xml::escape::escape(text)
}

fn atom_entry(out: &mut String, root: &str, view: &View<'_>, row: &[Val], select: &[usize]) {
    let id = match (&view.links, row.first().and_then(Val::guid)) {
        (Links::Object(set), Some(key)) => format!("{root}{set}(guid'{key}')"),
        _ => format!("{root}{}", view.name),
    };
    let _ = write!(
        out,
        "<entry><id>{}</id><category term=\"StandardODATA.{}\" scheme=\"http://schemas.microsoft.com/ado/2007/08/dataservices/scheme\"/><title type=\"text\"/><updated>{}</updated><author/><summary/><content type=\"application/xml\"><m:properties>",
        xml(&id),
        xml(&view.name),
        chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ")
    );
    for &i in select {
        let field = &view.fields[i];
        if matches!(field.ty, Ty::Table(_)) {
            continue;
        }
        let _ = write!(
            out,
            "<d:{name} m:type=\"{edm}\">{value}</d:{name}>",
            name = field.name,
            edm = field.ty.edm(),
            value = xml(&plain_text(&row[i]))
        );
    }
    out.push_str("</m:properties></content></entry>");
}

const ATOM_NAMESPACES: &str = "xmlns=\"http://www.w3.org/2005/Atom\" xmlns:d=\"http://schemas.microsoft.com/ado/2007/08/dataservices\" xmlns:m=\"http://schemas.microsoft.com/ado/2007/08/dataservices/metadata\"";

/// A collection as a minimal Atom feed.
pub fn collection_atom(root: &str, view: &View<'_>, options: &Options, count: usize) -> String {
    let select = selected(options, &view.fields);
    let mut out = String::with_capacity(256 + view.rows.len() * 1024);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><feed {ATOM_NAMESPACES} xml:base=\"{}\"><id>{}</id><title type=\"text\"/><updated>{}</updated><author/>",
        xml(root),
        xml(&format!("{root}{}", view.name)),
        chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ")
    );
    if options.count {
        let _ = write!(out, "<m:count>{count}</m:count>");
    }
    for row in &view.rows {
        atom_entry(&mut out, root, view, row, &select);
    }
    out.push_str("</feed>");
    out
}

/// One entity as a minimal Atom entry.
pub fn entity_atom(root: &str, view: &View<'_>, row: &[Val], options: &Options) -> String {
    let select = selected(options, &view.fields);
    let mut entry = String::new();
    atom_entry(&mut entry, root, view, row, &select);
    let body = entry.strip_prefix("<entry>").unwrap_or(&entry);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><entry {ATOM_NAMESPACES} xml:base=\"{}\">{body}",
        xml(root)
    )
}
