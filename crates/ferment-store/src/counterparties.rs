//! Counterparties and their bank accounts: writes with history, reads, and the filtered, sorted,
//! keyset-paginated list.

use ferment_domain::access::Scope;
use ferment_domain::counterparty::{
    BankAccount, Counterparty, CounterpartyKind, Industry, Segment,
};
use ferment_domain::text::{normalize, prefix_upper_bound};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};
use uuid::Uuid;

use crate::access::{self, Area, Reach, push_reach, push_reaches};
use crate::history::{self, Action};
use crate::list::{Cursor, Direction, Page};
use crate::sql::{Arg, Sql, fetch_json_rows, json_rows_ordered};
use crate::{
    Meta, Record, StoreError, StoreResult, new_id, now_text, parse_id, parse_optional_id, search,
};

/// The kind name of counterparties in the history and the search index.
pub const KIND: &str = "counterparty";

const COLUMNS: &str = "c.id, c.version, c.created_at, c.updated_at, c.kind, c.name, c.full_name, c.inn, c.kpp, \
    c.ogrn, c.legal_address, c.actual_address, c.industry, c.segment, c.territory_id, c.owner_id, c.phone, \
    c.email, c.site, c.tags, c.notes";

fn bad(what: &str, value: &str) -> StoreError {
    StoreError::Other(anyhow::anyhow!("bad {what} {value:?} in the database"))
}

fn from_row(row: &AnyRow, bank_accounts: Vec<BankAccount>) -> StoreResult<Record<Counterparty>> {
    let kind: String = row.try_get("kind")?;
    let industry: Option<String> = row.try_get("industry")?;
    let segment: Option<String> = row.try_get("segment")?;
    let tags: String = row.try_get("tags")?;
    Ok(Record {
        meta: Meta::from_row(row)?,
        data: Counterparty {
            kind: CounterpartyKind::from_code(&kind).ok_or_else(|| bad("kind", &kind))?,
            name: row.try_get("name")?,
            full_name: row.try_get("full_name")?,
            inn: row.try_get("inn")?,
            kpp: row.try_get("kpp")?,
            ogrn: row.try_get("ogrn")?,
            legal_address: row.try_get("legal_address")?,
            actual_address: row.try_get("actual_address")?,
            bank_accounts,
            industry: industry
                .as_deref()
                .map(|code| Industry::from_code(code).ok_or_else(|| bad("industry", code)))
                .transpose()?,
            segment: segment
                .as_deref()
                .map(|code| Segment::from_code(code).ok_or_else(|| bad("segment", code)))
                .transpose()?,
            territory_id: parse_optional_id(
                row.try_get::<Option<String>, _>("territory_id")?.as_deref(),
            )?,
            owner_id: parse_optional_id(row.try_get::<Option<String>, _>("owner_id")?.as_deref())?,
            phone: row.try_get("phone")?,
            email: row.try_get("email")?,
            site: row.try_get("site")?,
            tags: serde_json::from_str(&tags).map_err(|_| bad("tags", &tags))?,
            notes: row.try_get("notes")?,
        },
    })
}

async fn bank_accounts(connection: &mut AnyConnection, id: Uuid) -> StoreResult<Vec<BankAccount>> {
    let rows = sqlx::query(
        "SELECT bik, bank_name, correspondent_account, account FROM counterparty_bank_accounts \
         WHERE counterparty_id = $1 ORDER BY position",
    )
    .bind(id.to_string())
    .fetch_all(connection)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(BankAccount {
                bik: row.try_get("bik")?,
                bank_name: row.try_get("bank_name")?,
                correspondent_account: row.try_get("correspondent_account")?,
                account: row.try_get("account")?,
            })
        })
        .collect()
}

/// Reads a live counterparty.
pub async fn get(connection: &mut AnyConnection, id: Uuid) -> StoreResult<Record<Counterparty>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM counterparties c WHERE c.id = $1 AND c.deleted_at IS NULL"
    )))
    .bind(id.to_string())
    .fetch_optional(&mut *connection)
    .await?
    .ok_or(StoreError::NotFound)?;
    let accounts = bank_accounts(connection, id).await?;
    from_row(&row, accounts)
}

/// Whether any live counterparty exists (the demo loads only into a database without any).
pub async fn any_live(connection: &mut AnyConnection) -> StoreResult<bool> {
    let row = sqlx::query("SELECT id FROM counterparties WHERE deleted_at IS NULL LIMIT 1")
        .fetch_optional(connection)
        .await?;
    Ok(row.is_some())
}

/// A live counterparty with the same ИНН and КПП (the duplicate rule), other than `except`.
pub async fn find_duplicate(
    connection: &mut AnyConnection,
    inn: &str,
    kpp: Option<&str>,
    except: Option<Uuid>,
) -> StoreResult<Option<(Uuid, String)>> {
    let row = sqlx::query(
        "SELECT id, name FROM counterparties WHERE inn = $1 AND COALESCE(kpp, '') = $2 \
         AND deleted_at IS NULL AND id <> $3 LIMIT 1",
    )
    .bind(inn)
    .bind(kpp.unwrap_or(""))
    .bind(except.map(|id| id.to_string()).unwrap_or_default())
    .fetch_optional(connection)
    .await?;
    row.map(|row| {
        Ok((
            parse_id(&row.try_get::<String, _>("id")?)?,
            row.try_get("name")?,
        ))
    })
    .transpose()
}

/// A counterparty's editable columns as values, in the order of `FIELD_NAMES`, sort keys included
/// (the bulk loader writes the same values).
pub(crate) fn field_values(data: &Counterparty) -> StoreResult<Vec<Arg>> {
    let tags = serde_json::to_string(&data.tags).map_err(anyhow::Error::from)?;
    Ok(vec![
        Arg::Text(data.kind.code().into()),
        Arg::Text(data.name.clone()),
        Arg::Text(normalize(&data.name)),
        Arg::OptText(data.full_name.clone()),
        Arg::OptText(data.inn.clone()),
        Arg::OptText(data.kpp.clone()),
        Arg::OptText(data.ogrn.clone()),
        Arg::OptText(data.legal_address.clone()),
        Arg::OptText(data.actual_address.clone()),
        Arg::OptText(data.industry.map(|i| i.code().into())),
        Arg::OptText(data.segment.map(|s| s.code().into())),
        Arg::OptText(data.territory_id.map(|id| id.to_string())),
        Arg::OptText(data.owner_id.map(|id| id.to_string())),
        Arg::OptText(data.phone.clone()),
        Arg::OptText(data.email.clone()),
        Arg::OptText(data.email.as_deref().map(normalize)),
        Arg::OptText(data.site.clone()),
        Arg::Text(tags),
        Arg::OptText(data.notes.clone()),
    ])
}

fn bind_fields(sql: &mut Sql, data: &Counterparty) -> StoreResult<()> {
    sql.bind_list(field_values(data)?);
    Ok(())
}

const FIELD_NAMES: &str = "kind, name, name_sort, full_name, inn, kpp, ogrn, legal_address, actual_address, industry, \
    segment, territory_id, owner_id, phone, email, email_sort, site, tags, notes";

async fn write_children(
    connection: &mut AnyConnection,
    id: Uuid,
    data: &Counterparty,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM counterparty_bank_accounts WHERE counterparty_id = $1")
        .bind(id.to_string())
        .execute(&mut *connection)
        .await?;
    for (position, account) in data.bank_accounts.iter().enumerate() {
        sqlx::query(
            "INSERT INTO counterparty_bank_accounts (id, counterparty_id, position, bik, bank_name, \
             correspondent_account, account) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id().to_string())
        .bind(id.to_string())
        .bind(position as i64)
        .bind(&account.bik)
        .bind(&account.bank_name)
        .bind(&account.correspondent_account)
        .bind(&account.account)
        .execute(&mut *connection)
        .await?;
    }
    let inn = data.inn.clone().unwrap_or_default();
    let texts = [
        data.name.as_str(),
        data.full_name.as_deref().unwrap_or(""),
        inn.as_str(),
    ];
    let posting = search::Posting {
        sort_key: &normalize(&data.name),
        owner_id: data.owner_id,
        territory_id: data.territory_id,
    };
    search::index(connection, KIND, id, posting, &texts).await
}

/// Creates a counterparty and records its creation.
pub async fn insert(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    data: &Counterparty,
) -> StoreResult<Record<Counterparty>> {
    let id = new_id();
    let now = now_text();
    let mut sql = Sql::new("INSERT INTO counterparties (id, created_at, updated_at, version, ");
    sql.push(FIELD_NAMES).push(") VALUES (");
    sql.bind_text(id.to_string())
        .push(", ")
        .bind_text(now.clone())
        .push(", ")
        .bind_text(now)
        .push(", 1, ");
    bind_fields(&mut sql, data)?;
    sql.push(")");
    sql.query().execute(&mut *connection).await?;
    write_children(connection, id, data).await?;
    history::record_change(
        connection,
        KIND,
        id,
        Action::Create,
        user_id,
        None,
        Some(data),
    )
    .await?;
    get(connection, id).await
}

/// Replaces a counterparty's editable state if its version is still `expected_version`, and records
/// what changed.
pub async fn update(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
    expected_version: i64,
    data: &Counterparty,
) -> StoreResult<Record<Counterparty>> {
    let old = get(connection, id).await?;
    if old.meta.version != expected_version {
        return Err(StoreError::StaleVersion {
            current: old.meta.version,
        });
    }
    let mut sql = Sql::new("UPDATE counterparties SET (");
    sql.push(FIELD_NAMES).push(") = (");
    bind_fields(&mut sql, data)?;
    sql.push("), version = version + 1, updated_at = ")
        .bind_text(now_text());
    sql.push(" WHERE id = ").bind_text(id.to_string());
    sql.push(" AND version = ").bind(Arg::Int(expected_version));
    if sql.query().execute(&mut *connection).await?.rows_affected() != 1 {
        let current = get(connection, id).await?.meta.version;
        return Err(StoreError::StaleVersion { current });
    }
    write_children(connection, id, data).await?;
    history::record_change(
        connection,
        KIND,
        id,
        Action::Update,
        user_id,
        Some(&old.data),
        Some(data),
    )
    .await?;
    get(connection, id).await
}

/// Hides a counterparty (soft delete): it leaves lists, search and the duplicate rule; its data and
/// history stay.
pub async fn delete(
    connection: &mut AnyConnection,
    user_id: Option<Uuid>,
    id: Uuid,
    expected_version: Option<i64>,
) -> StoreResult<()> {
    let old = get(connection, id).await?;
    if let Some(expected) = expected_version
        && expected != old.meta.version
    {
        return Err(StoreError::StaleVersion {
            current: old.meta.version,
        });
    }
    let now = now_text();
    sqlx::query("UPDATE counterparties SET deleted_at = $1, updated_at = $1, version = version + 1 WHERE id = $2")
        .bind(now)
        .bind(id.to_string())
        .execute(&mut *connection)
        .await?;
    search::remove(connection, id).await?;
    history::record_change::<Counterparty>(
        connection,
        KIND,
        id,
        Action::Delete,
        user_id,
        Some(&old.data),
        None,
    )
    .await
}

/// How a counterparty list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// By name (А → Я).
    #[default]
    Name,
    /// By ИНН.
    Inn,
    /// By creation time.
    Created,
}

impl SortKey {
    fn column(self) -> &'static str {
        match self {
            SortKey::Name => "c.name_sort",
            SortKey::Inn => "COALESCE(c.inn, '')",
            SortKey::Created => "c.created_at",
        }
    }
}

/// Filters, sort and page of a counterparty list.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Search: digits match the ИНН's start, text with `@` the e-mail's start, words the names.
    pub q: Option<String>,
    /// Only this territory and the territories inside it.
    pub territory_id: Option<Uuid>,
    /// Only this segment.
    pub segment: Option<Segment>,
    /// Only this industry.
    pub industry: Option<Industry>,
    /// Only this owner.
    pub owner_id: Option<Uuid>,
    /// Only this kind.
    pub kind: Option<CounterpartyKind>,
    /// Sort column.
    pub sort: SortKey,
    /// Sort direction.
    pub direction: Direction,
    /// Continue after this row.
    pub cursor: Option<Cursor>,
    /// Page size.
    pub limit: i64,
}

/// A counterparty as a list shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ListRow {
    /// Id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// Kind.
    pub kind: CounterpartyKind,
    /// Short name.
    pub name: String,
    /// ИНН.
    pub inn: Option<String>,
    /// КПП.
    pub kpp: Option<String>,
    /// Segment.
    pub segment: Option<Segment>,
    /// Industry.
    pub industry: Option<Industry>,
    /// Territory id.
    pub territory_id: Option<Uuid>,
    /// Territory name.
    pub territory_name: Option<String>,
    /// Owner id.
    pub owner_id: Option<Uuid>,
    /// When the counterparty was created.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Owner's full name.
    pub owner_name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
}

/// A row of [`list_within`]'s page as the database gathered it (a JSON array, in this order).
#[derive(serde::Deserialize)]
struct GatheredRow {
    id: String,
    version: i64,
    kind: String,
    name: String,
    inn: Option<String>,
    kpp: Option<String>,
    segment: Option<String>,
    industry: Option<String>,
    territory_id: Option<String>,
    territory_name: Option<String>,
    owner_id: Option<String>,
    owner_name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    created_at: String,
    sort_value: String,
}

/// The ids of `territory` and of every territory inside it.
pub async fn territory_and_inside(
    connection: &mut AnyConnection,
    territory: Uuid,
) -> StoreResult<Vec<String>> {
    Ok(territory_filter(connection, territory).await?.inside)
}

/// A list's filter by territory: the territory and those inside it.
struct TerritoryFilter {
    /// Their ids.
    inside: Vec<String>,
    /// The one area they all lie in (see `Reach::Some::area`), when they do.
    area: Option<Area>,
}

/// Reads the filter by `territory` (nothing inside when it is unknown).
async fn territory_filter(
    connection: &mut AnyConnection,
    territory: Uuid,
) -> StoreResult<TerritoryFilter> {
    let rows = sqlx::query(
        "SELECT t.id, f.path AS root FROM territories t, territories f WHERE f.id = $1 \
         AND t.path >= f.path AND t.path < f.path || $2",
    )
    .bind(territory.to_string())
    .bind(prefix_upper_bound(""))
    .fetch_all(connection)
    .await?;
    let inside = rows
        .iter()
        .map(|row| row.try_get::<String, _>("id"))
        .collect::<Result<Vec<_>, _>>()?;
    let root: Option<String> = match rows.first() {
        Some(row) => Some(row.try_get("root")?),
        None => None,
    };
    let area = root.as_deref().and_then(Area::of_subtree);
    Ok(TerritoryFilter { inside, area })
}

/// Appends "`column` is one of `values`": nothing matches an empty list, and both databases plan a
/// one-value list as `column = $n`.
pub fn push_any_of(sql: &mut Sql, column: &str, values: Vec<String>) {
    if values.is_empty() {
        sql.push(" AND 1 = 0");
        return;
    }
    sql.push(" AND ").push(column).push(" IN (");
    sql.bind_list(values.into_iter().map(Arg::Text)).push(")");
}

/// What a list's `q` asks for.
enum Search {
    /// Two or more digits: the start of the ИНН.
    InnPrefix(String),
    /// Text with `@`: the start of the e-mail.
    EmailPrefix(String),
    /// Words: records having a word starting with each (longest first).
    Words(Vec<String>),
}

impl Search {
    fn parse(q: Option<&str>) -> Option<Search> {
        let q = q.map(str::trim).filter(|q| !q.is_empty())?;
        let compact: String = q.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.len() >= 2 && compact.chars().all(|c| c.is_ascii_digit()) {
            Some(Search::InnPrefix(compact))
        } else if q.contains('@') {
            Some(Search::EmailPrefix(normalize(q)))
        } else {
            let words = search::query_words(q);
            (!words.is_empty()).then_some(Search::Words(words))
        }
    }
}

/// Appends the list's filters other than the search and the cursor, on the alias `c`.
fn push_filters(
    sql: &mut Sql,
    reaches: &[Reach],
    query: &ListQuery,
    territories: Option<&TerritoryFilter>,
) {
    sql.push(" AND c.deleted_at IS NULL");
    push_reaches(sql, reaches, Some("c.owner_id"), Some("c.territory_id"));
    if let Some(filter) = territories {
        push_any_of(sql, "c.territory_id", filter.inside.clone());
    }
    for (column, value) in [
        ("c.segment", query.segment.map(|s| s.code())),
        ("c.industry", query.industry.map(|i| i.code())),
        ("c.kind", query.kind.map(|k| k.code())),
    ] {
        if let Some(value) = value {
            sql.push(" AND ").push(column).push(" = ").bind_text(value);
        }
    }
    if let Some(owner) = query.owner_id {
        sql.push(" AND c.owner_id = ").bind_text(owner.to_string());
    }
}

/// Appends "the ИНН starts with `prefix`" (two or more digits). Sorted by name, in the form an
/// index serves in name order: four digits are a tax office's code (`counterparties_inn_office`),
/// two a region's (`counterparties_inn_region`; a third digit is tested while walking the region in
/// order); five or more match at most a few hundred clients, read by range and sorted. Sorted
/// otherwise, as a range, which the ИНН index serves (in ИНН order).
fn push_inn_prefix(sql: &mut Sql, prefix: &str, by_name: bool) {
    match (by_name, prefix.len()) {
        (true, 4) => {
            sql.push(" AND substr(c.inn, 1, 4) = ").bind_text(prefix);
        }
        (true, 2 | 3) => {
            sql.push(" AND substr(c.inn, 1, 2) = ")
                .bind_text(&prefix[..2]);
            if prefix.len() == 3 {
                sql.push(" AND substr(c.inn, 3, 1) = ")
                    .bind_text(&prefix[2..]);
            }
        }
        _ => {
            sql.push(" AND c.inn >= ").bind_text(prefix);
            sql.push(" AND c.inn < ")
                .bind_text(prefix_upper_bound(prefix));
        }
    }
}

/// The filters of [`push_filters`] that a search posting answers itself (scope, territory, owner),
/// on the alias `st`. A scope or territory filter inside one area asks for the area: the postings
/// are then read from `search_terms_area`, the area's own list in name order, instead of the
/// word's whole list with each entry's territory tested — and a whole area (a federal district)
/// needs no territory test at all.
fn push_posting_filters(
    sql: &mut Sql,
    reaches: &[Reach],
    query: &ListQuery,
    territories: Option<&TerritoryFilter>,
) {
    let mut areas: Vec<String> = Vec::new();
    let mut push_area = |sql: &mut Sql, area: &Area| {
        if !areas.contains(&area.path) {
            sql.push(" AND st.area_path = ")
                .bind_text(area.path.clone());
            areas.push(area.path.clone());
        }
        area.whole
    };
    for reach in reaches {
        let whole = match reach {
            Reach::Some {
                area: Some(area), ..
            } => push_area(sql, area),
            _ => false,
        };
        if !whole {
            push_reach(sql, reach, Some("st.owner_id"), Some("st.territory_id"));
        }
    }
    if let Some(filter) = territories {
        let whole = filter
            .area
            .as_ref()
            .is_some_and(|area| push_area(sql, area));
        if !whole {
            push_any_of(sql, "st.territory_id", filter.inside.clone());
        }
    }
    if let Some(owner) = query.owner_id {
        sql.push(" AND st.owner_id = ").bind_text(owner.to_string());
    }
}

/// One page of counterparties visible in `scope`.
pub async fn list(
    connection: &mut AnyConnection,
    scope: &Scope,
    query: &ListQuery,
) -> StoreResult<Page<ListRow>> {
    list_within(connection, &[scope], query).await
}

/// One page of counterparties inside every one of `scopes` (an export: readable and exportable).
pub async fn list_within(
    connection: &mut AnyConnection,
    scopes: &[&Scope],
    query: &ListQuery,
) -> StoreResult<Page<ListRow>> {
    let sort = query.sort.column();
    let direction = query.direction.sql();
    let search = Search::parse(query.q.as_deref());
    let reaches = access::resolve_all(&mut *connection, scopes).await?;
    // Resolved to ids first: for a region (a leaf, the usual filter) the condition becomes
    // `c.territory_id = $n`, which the (territory_id, name_sort, id) index serves in order. With a
    // subquery over the territory tree both databases walk the whole name index and filter.
    let territories = match query.territory_id {
        Some(territory) => Some(territory_filter(&mut *connection, territory).await?),
        None => None,
    };
    // The page comes back as one JSON value, its rows in order: row by row, sqlx's `Any` driver
    // copied every column's name and value into a row of its own, 17 % of the benchmark's CPU on
    // API lists. (A clear gain on SQLite; on PostgreSQL the server's aggregate costs about what
    // the client saves.)
    let gathered = json_rows_ordered(
        connection,
        "p.id, p.version, p.kind, p.name, p.inn, p.kpp, p.segment, p.industry, p.territory_id, \
         p.territory_name, p.owner_id, p.owner_name, p.phone, p.email, p.created_at, p.sort_value",
        Some(&format!("p.sort_value {direction}, p.id {direction}")),
    );
    let mut sql = Sql::for_connection(
        connection,
        &format!(
            "SELECT {gathered} FROM (SELECT c.id, c.version, c.kind, c.name, c.inn, c.kpp, \
             c.segment, c.industry, c.territory_id, t.name AS territory_name, c.owner_id, \
             u.full_name AS owner_name, c.phone, c.email, c.created_at, "
        ),
    );
    sql.push(sort).push(
        " AS sort_value FROM counterparties c \
         LEFT JOIN territories t ON t.id = c.territory_id LEFT JOIN users u ON u.id = c.owner_id \
         WHERE c.id IN (",
    );
    // The filters, the order and the limit pick the page's ids in a subquery, and only those rows
    // are then read and joined: when the matches must be sorted (an ИНН prefix, a search), the sort
    // runs over index entries (`counterparties_inn_name`, the search terms) instead of whole joined
    // rows.
    match &search {
        Some(Search::Words(words)) if query.sort == SortKey::Name => {
            // Scope, territory and owner are on the postings; other filters need the rows.
            let needs_rows =
                query.segment.is_some() || query.industry.is_some() || query.kind.is_some();
            let longer = search::longer_terms(&mut *connection, KIND, &words[0]).await?;
            let page = search::SortedPage {
                record_kind: KIND,
                words,
                longer: longer.as_deref(),
                join: needs_rows.then_some("JOIN counterparties c ON c.id = st.record_id"),
                limit: query.limit + 1,
                direction: query.direction,
                cursor: query.cursor.as_ref(),
            };
            search::push_sorted_page(&mut sql, &page, &|sql: &mut Sql| {
                if needs_rows {
                    push_filters(sql, &reaches, query, territories.as_ref());
                } else {
                    push_posting_filters(sql, &reaches, query, territories.as_ref());
                }
            });
        }
        _ => {
            sql.push("SELECT c.id FROM counterparties c WHERE 1 = 1");
            push_filters(&mut sql, &reaches, query, territories.as_ref());
            match &search {
                Some(Search::InnPrefix(inn)) => {
                    push_inn_prefix(&mut sql, inn, query.sort == SortKey::Name)
                }
                Some(Search::EmailPrefix(email)) => {
                    sql.push(" AND c.email_sort >= ").bind_text(email.clone());
                    sql.push(" AND c.email_sort < ")
                        .bind_text(prefix_upper_bound(email));
                }
                Some(Search::Words(words)) => {
                    for word in words {
                        search::push_match(&mut sql, KIND, "c.id", word);
                    }
                }
                None => {}
            }
            if let Some(cursor) = &query.cursor {
                sql.push(" AND (")
                    .push(sort)
                    .push(", c.id) ")
                    .push(query.direction.after())
                    .push(" (");
                sql.bind_text(cursor.value.clone())
                    .push(", ")
                    .bind_text(cursor.id.clone())
                    .push(")");
            }
            sql.push(&format!(
                " ORDER BY {sort} {direction}, c.id {direction} LIMIT "
            ));
            sql.push_count(query.limit + 1);
        }
    }
    sql.push(&format!(
        ") ORDER BY {sort} {direction}, c.id {direction} LIMIT "
    ));
    sql.push_count(query.limit + 1);
    sql.push(") p");
    let rows: Vec<GatheredRow> = fetch_json_rows(connection, &sql).await?;
    let more = rows.len() as i64 > query.limit;
    let mut items = Vec::with_capacity(rows.len());
    let mut last = None;
    for row in rows.into_iter().take(query.limit as usize) {
        items.push(ListRow {
            id: parse_id(&row.id)?,
            version: row.version,
            kind: CounterpartyKind::from_code(&row.kind).ok_or_else(|| bad("kind", &row.kind))?,
            name: row.name,
            inn: row.inn,
            kpp: row.kpp,
            segment: row.segment.as_deref().and_then(Segment::from_code),
            industry: row.industry.as_deref().and_then(Industry::from_code),
            territory_id: parse_optional_id(row.territory_id.as_deref())?,
            territory_name: row.territory_name,
            owner_id: parse_optional_id(row.owner_id.as_deref())?,
            owner_name: row.owner_name,
            created_at: crate::parse_time(&row.created_at)?,
            phone: row.phone,
            email: row.email,
        });
        last = Some(Cursor {
            value: row.sort_value,
            id: row.id,
        });
    }
    let next_cursor = if more { last.map(|c| c.encode()) } else { None };
    Ok(Page { items, next_cursor })
}

/// The tags of these counterparties (one query; ids not found are absent).
pub async fn tags(
    connection: &mut AnyConnection,
    ids: &[Uuid],
) -> StoreResult<std::collections::HashMap<Uuid, Vec<String>>> {
    let mut found = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(found);
    }
    let mut sql = Sql::new("SELECT id, tags FROM counterparties WHERE id IN (");
    sql.bind_list(ids.iter().map(|id| Arg::Text(id.to_string())))
        .push(")");
    for row in sql.query().fetch_all(connection).await? {
        let tags: String = row.try_get("tags")?;
        found.insert(
            parse_id(&row.try_get::<String, _>("id")?)?,
            serde_json::from_str(&tags).map_err(|_| bad("tags", &tags))?,
        );
    }
    Ok(found)
}

/// A live counterparty with this ИНН (the first by name), for matching a lead on conversion.
pub async fn find_by_inn(
    connection: &mut AnyConnection,
    inn: &str,
) -> StoreResult<Option<(Uuid, String)>> {
    let row = sqlx::query(
        "SELECT id, name FROM counterparties WHERE inn = $1 AND deleted_at IS NULL ORDER BY name_sort, id LIMIT 1",
    )
    .bind(inn)
    .fetch_optional(connection)
    .await?;
    row.map(|row| {
        Ok((
            parse_id(&row.try_get::<String, _>("id")?)?,
            row.try_get("name")?,
        ))
    })
    .transpose()
}

/// A live counterparty whose e-mail is `email` (case-insensitive).
pub async fn find_by_email(
    connection: &mut AnyConnection,
    email: &str,
) -> StoreResult<Option<Uuid>> {
    let row = sqlx::query(
        "SELECT id FROM counterparties WHERE email_sort = $1 AND deleted_at IS NULL ORDER BY name_sort, id LIMIT 1",
    )
    .bind(normalize(email.trim()))
    .fetch_optional(connection)
    .await?;
    row.map(|row| parse_id(&row.try_get::<String, _>("id")?))
        .transpose()
}
