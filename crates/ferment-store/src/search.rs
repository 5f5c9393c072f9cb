//! The search index: the words each record can be found by, kept in `search_terms` as sorted
//! posting lists — (record kind, word, the record's sort key, record id) — and searched by prefix
//! range, which both databases serve from the primary-key B-tree.
//!
//! Two ways to search: [`push_match`] keeps the records having every word (any list order), and
//! [`push_sorted_page`] picks one page of them in name order straight from a word's posting list,
//! without reading every record with that word (migration 0003 explains why).

use ferment_domain::text::{prefix_upper_bound, search_terms};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::StoreResult;
use crate::list::{Cursor, Direction};
use crate::sql::{Arg, Sql};

/// What a record's search words carry besides the word: the value its lists sort by (its
/// `name_sort`) and, for records access scopes by owner and territory, those two ([`index`] adds
/// the territory's area).
#[derive(Debug, Clone, Copy, Default)]
pub struct Posting<'a> {
    /// The sort key.
    pub sort_key: &'a str,
    /// The record's owner.
    pub owner_id: Option<Uuid>,
    /// The record's territory.
    pub territory_id: Option<Uuid>,
}

/// Replaces the words a record is found by with the words of `texts`, each with `posting`.
pub async fn index(
    connection: &mut AnyConnection,
    record_kind: &str,
    record_id: Uuid,
    posting: Posting<'_>,
    texts: &[&str],
) -> StoreResult<()> {
    remove(connection, record_id).await?;
    let area = match posting.territory_id {
        Some(territory) => crate::territories::area(&mut *connection, territory).await?,
        None => None,
    };
    // One statement for the record's words: a statement per word made a product's update from 1C,
    // or a counterparty's from a form, a dozen round trips.
    let rows = terms(texts)
        .into_iter()
        .map(|term| {
            vec![
                Arg::Text(record_kind.to_string()),
                Arg::Text(term),
                Arg::Text(posting.sort_key.to_string()),
                Arg::Text(record_id.to_string()),
                Arg::OptText(posting.owner_id.map(|id| id.to_string())),
                Arg::OptText(posting.territory_id.map(|id| id.to_string())),
                Arg::OptText(area.clone()),
            ]
        })
        .collect();
    crate::bulk::insert_rows(connection, POSTING_INSERT, rows).await?;
    Ok(())
}

/// The columns of a posting, as [`index`] and the bulk writers fill them.
pub(crate) const POSTING_INSERT: &str = "INSERT INTO search_terms \
    (record_kind, term, sort_key, record_id, owner_id, territory_id, area_path)";

/// The distinct words of `texts`, sorted: what [`index`] stores.
pub fn terms(texts: &[&str]) -> Vec<String> {
    let mut terms: Vec<String> = texts.iter().flat_map(|text| search_terms(text)).collect();
    terms.sort();
    terms.dedup();
    terms
}

/// Forgets the words of a record (when it is deleted).
pub async fn remove(connection: &mut AnyConnection, record_id: Uuid) -> StoreResult<()> {
    sqlx::query("DELETE FROM search_terms WHERE record_id = $1")
        .bind(record_id.to_string())
        .execute(connection)
        .await?;
    Ok(())
}

/// The words of a search query, longest first: the longest usually has the fewest records, so it
/// drives [`push_sorted_page`].
pub fn query_words(query: &str) -> Vec<String> {
    let mut words = search_terms(query);
    words.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    words.dedup();
    words
}

/// Appends to `sql` a condition that `id_column` is a record of `record_kind` with, for every word of
/// `query`, a term starting with that word.
pub fn push_match(sql: &mut Sql, record_kind: &str, id_column: &str, query: &str) {
    for word in search_terms(query) {
        let upper = prefix_upper_bound(&word);
        sql.push(" AND ")
            .push(id_column)
            .push(" IN (SELECT record_id FROM search_terms WHERE record_kind = ");
        sql.bind_text(record_kind)
            .push(" AND term >= ")
            .bind_text(word)
            .push(" AND term < ")
            .bind_text(upper)
            .push(")");
    }
}

/// At most this many longer words are read one by one for a page (see [`longer_terms`]); past it
/// a page reads every posting of the prefix's range and sorts them.
pub const MAX_LONGER_TERMS: i64 = 48;

/// The distinct words in `record_kind`'s index that are longer than `word` and start with it, in
/// order — or `None` when there are more than [`MAX_LONGER_TERMS`]. One index seek per word: a
/// loose index scan, written as a recursive query since neither database skips through an index
/// by itself. Each step is `ORDER BY … LIMIT 1`, not `min()`: PostgreSQL misjudged the first
/// step's range as one row and aggregated all of it (12 776 entries for «луг» at a million rows).
pub async fn longer_terms(
    connection: &mut AnyConnection,
    record_kind: &str,
    word: &str,
) -> StoreResult<Option<Vec<String>>> {
    // (the count written in, not bound: see `Sql::push_count`)
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "WITH RECURSIVE t(term) AS ( \
         SELECT (SELECT s.term FROM search_terms s \
                 WHERE s.record_kind = $1 AND s.term > $2 AND s.term < $3 \
                 ORDER BY s.term LIMIT 1) \
         UNION ALL \
         SELECT (SELECT s.term FROM search_terms s \
                 WHERE s.record_kind = $1 AND s.term > t.term AND s.term < $3 \
                 ORDER BY s.term LIMIT 1) \
         FROM t WHERE t.term IS NOT NULL) \
         SELECT term FROM t WHERE term IS NOT NULL LIMIT {}",
        MAX_LONGER_TERMS + 1
    )))
    .bind(record_kind)
    .bind(word)
    .bind(prefix_upper_bound(word))
    .fetch_all(connection)
    .await?;
    let terms = rows
        .iter()
        .map(|row| row.try_get::<String, _>("term"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((terms.len() as i64 <= MAX_LONGER_TERMS).then_some(terms))
}

/// One page of a search in sort-key order, for lists sorted by the key stored in the index.
pub struct SortedPage<'a> {
    /// The kind of record searched.
    pub record_kind: &'a str,
    /// The search words, as [`query_words`] gives them (not empty).
    pub words: &'a [String],
    /// The longer words starting with the first word, as [`longer_terms`] found them; `None`
    /// when there were too many to read one by one.
    pub longer: Option<&'a [String]>,
    /// `JOIN <table> <alias> ON <alias>.id = st.record_id` when the filters need the records'
    /// rows; `None` when they read only the posting's own columns (`st.owner_id`,
    /// `st.territory_id`), which spares a lookup per entry skipped.
    pub join: Option<&'a str>,
    /// Rows wanted (the page size plus one, to know whether another page follows).
    pub limit: i64,
    /// The list's direction.
    pub direction: Direction,
    /// The position after the previous page: its sort key and id.
    pub cursor: Option<&'a Cursor>,
}

/// Which postings one branch of [`push_sorted_page`] reads.
enum Postings<'a> {
    /// One word's: already in sort-key order in the index.
    Of(&'a str),
    /// Every word longer than this one starting with it: read whole and sorted.
    LongerThan(&'a str),
}

/// Appends `SELECT record_id …`: the ids of the first `limit` records in sort-key order that have
/// every word and pass `filters` (conditions on the joined record or on the posting `st`, each
/// starting with ` AND `). Without a join the filters must not need deleted records excluded: a
/// deleted record's words are removed with it.
///
/// The first word drives. Its exact term's posting list is already in order, and so is each
/// longer word's starting with it: the database reads each list only until `limit` records pass,
/// and merges the few pages (a record holding two of the words comes once). When the longer words
/// are too many to list ([`SortedPage::longer`] is `None`), their postings are read whole and
/// sorted instead. Every other word is checked per record. The caller orders the ids' rows again
/// and keeps `limit`.
pub fn push_sorted_page(sql: &mut Sql, page: &SortedPage<'_>, filters: &dyn Fn(&mut Sql)) {
    let Some((first, _)) = page.words.split_first() else {
        sql.push("SELECT record_id FROM search_terms WHERE 1 = 0");
        return;
    };
    let direction = page.direction.sql();
    sql.push("SELECT record_id FROM (SELECT DISTINCT record_id, sort_key FROM (");
    push_branch(sql, page, Postings::Of(first), 0, filters);
    match page.longer {
        Some(longer) => {
            for (n, word) in longer.iter().enumerate() {
                sql.push(" UNION ALL ");
                push_branch(sql, page, Postings::Of(word), n + 1, filters);
            }
        }
        None => {
            sql.push(" UNION ALL ");
            push_branch(sql, page, Postings::LongerThan(first), 1, filters);
        }
    }
    sql.push(&format!(
        ") u ORDER BY sort_key {direction}, record_id {direction} LIMIT "
    ))
    .push_count(page.limit)
    .push(") page");
}

/// One branch of [`push_sorted_page`]: the first `limit` matching postings of `postings` in
/// sort-key order, as the subquery `b<n>`.
fn push_branch(
    sql: &mut Sql,
    page: &SortedPage<'_>,
    postings: Postings<'_>,
    n: usize,
    filters: &dyn Fn(&mut Sql),
) {
    let direction = page.direction.sql();
    sql.push("SELECT * FROM (SELECT ");
    if matches!(postings, Postings::LongerThan(_)) {
        // a record may hold several longer words starting with the first
        sql.push("DISTINCT ");
    }
    sql.push("st.record_id, st.sort_key FROM search_terms st ")
        .push(page.join.unwrap_or(""))
        .push(" WHERE st.record_kind = ")
        .bind_text(page.record_kind);
    match postings {
        Postings::Of(word) => {
            sql.push(" AND st.term = ").bind_text(word);
        }
        Postings::LongerThan(word) => {
            sql.push(" AND st.term > ").bind_text(word);
            sql.push(" AND st.term < ")
                .bind_text(prefix_upper_bound(word));
        }
    }
    filters(sql);
    for word in &page.words[1..] {
        sql.push(
            " AND EXISTS (SELECT 1 FROM search_terms o WHERE o.record_id = st.record_id \
             AND o.record_kind = ",
        )
        .bind_text(page.record_kind)
        .push(" AND o.term >= ")
        .bind_text(word.clone())
        .push(" AND o.term < ")
        .bind_text(prefix_upper_bound(word))
        .push(")");
    }
    if let Some(cursor) = page.cursor {
        sql.push(" AND (st.sort_key, st.record_id) ")
            .push(page.direction.after())
            .push(" (")
            .bind_text(cursor.value.clone())
            .push(", ")
            .bind_text(cursor.id.clone())
            .push(")");
    }
    sql.push(&format!(
        " ORDER BY st.sort_key {direction}, st.record_id {direction} LIMIT "
    ))
    .push_count(page.limit)
    .push(&format!(") b{n}"));
}
