//! The search index: the words each record can be found by, kept in `search_terms` and searched by
//! prefix range, which both databases serve from the primary-key B-tree.

use ferment_domain::text::search_terms;
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::StoreResult;
use crate::sql::Sql;

/// Replaces the words a record is found by with the words of `texts`.
pub async fn index(
    connection: &mut AnyConnection,
    record_kind: &str,
    record_id: Uuid,
    texts: &[&str],
) -> StoreResult<()> {
    remove(connection, record_id).await?;
    let mut terms: Vec<String> = texts.iter().flat_map(|text| search_terms(text)).collect();
    terms.sort();
    terms.dedup();
    for term in terms {
        sqlx::query("INSERT INTO search_terms (record_kind, term, record_id) VALUES ($1, $2, $3)")
            .bind(record_kind)
            .bind(term)
            .bind(record_id.to_string())
            .execute(&mut *connection)
            .await?;
    }
    Ok(())
}

/// Forgets the words of a record (when it is deleted).
pub async fn remove(connection: &mut AnyConnection, record_id: Uuid) -> StoreResult<()> {
    sqlx::query("DELETE FROM search_terms WHERE record_id = $1")
        .bind(record_id.to_string())
        .execute(connection)
        .await?;
    Ok(())
}

/// Appends to `sql` a condition that `id_column` is a record of `record_kind` with, for every word of
/// `query`, a term starting with that word.
pub fn push_match(sql: &mut Sql, record_kind: &str, id_column: &str, query: &str) {
    for word in search_terms(query) {
        let upper = ferment_domain::text::prefix_upper_bound(&word);
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
