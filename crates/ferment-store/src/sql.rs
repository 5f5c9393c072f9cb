//! A small builder for SQL whose shape depends on filters: it numbers `$n` placeholders and keeps
//! the values to bind, so dynamic queries stay parameterised.

use sqlx::any::AnyArguments;
use sqlx::query::Query;

/// A value to bind.
#[derive(Debug, Clone)]
pub enum Arg {
    /// Text.
    Text(String),
    /// Optional text (`NULL` when `None`).
    OptText(Option<String>),
    /// Integer.
    Int(i64),
    /// Optional integer (`NULL` when `None`).
    OptInt(Option<i64>),
}

/// SQL text with its bound values.
#[derive(Debug, Default)]
pub struct Sql {
    text: String,
    args: Vec<Arg>,
    /// Placeholders are anonymous `?` instead of `$n` (see [`Sql::for_connection`]).
    anonymous: bool,
}

impl Sql {
    /// Starts with fixed SQL.
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            args: Vec::new(),
            anonymous: false,
        }
    }

    /// Starts with fixed SQL (which must hold no placeholder) for a statement that runs on
    /// `connection`: on SQLite its placeholders are anonymous `?`. For wide statements (multi-row
    /// inserts): SQLite's driver looks every numbered parameter up by name in a list as long as
    /// the statement's parameters, so binding a 500-value statement compared ~125 000 names, and a
    /// 1C sync spent more time there than in the inserts themselves.
    pub fn for_connection(connection: &sqlx::AnyConnection, text: &str) -> Sql {
        Sql {
            anonymous: connection.backend_name() == "SQLite",
            ..Sql::new(text)
        }
    }

    /// Appends fixed SQL.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `arg`.
    pub fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        if self.anonymous {
            self.text.push('?');
        } else {
            self.text.push_str(&format!("${}", self.args.len()));
        }
        self
    }

    /// Appends a placeholder for a text value.
    pub fn bind_text(&mut self, value: impl Into<String>) -> &mut Self {
        self.bind(Arg::Text(value.into()))
    }

    /// Appends a row count (`LIMIT 51`), written into the SQL rather than bound.
    ///
    /// PostgreSQL costs a prepared statement's generic plan with a bound `LIMIT` as if it read a
    /// tenth of the rows, so it never prefers that plan and re-plans every execution: 0.4–0.8 ms
    /// of a list's 1–2 ms. With the count in the text, the generic plan is costed right and kept
    /// after the fifth run. An `i64` printed by Rust is a number, never SQL, and the few page sizes
    /// in use make few distinct statements.
    pub fn push_count(&mut self, count: i64) -> &mut Self {
        self.text.push_str(&count.to_string());
        self
    }

    /// Appends placeholders for `args`, separated by commas (`$3, $4, $5`): a column list's values
    /// or an `IN (…)` list.
    pub fn bind_list(&mut self, args: impl IntoIterator<Item = Arg>) -> &mut Self {
        for (index, arg) in args.into_iter().enumerate() {
            if index > 0 {
                self.text.push_str(", ");
            }
            self.bind(arg);
        }
        self
    }

    /// The SQL text (for tests and logs: it holds no values).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The query, ready to run.
    pub fn query(&self) -> Query<'_, sqlx::Any, AnyArguments> {
        // The text is built only from literals in this crate; values travel as bound arguments.
        let mut query = sqlx::query(sqlx::AssertSqlSafe(self.text.clone()));
        for arg in &self.args {
            query = match arg {
                Arg::Text(value) => query.bind(value.clone()),
                Arg::OptText(value) => query.bind(value.clone()),
                Arg::Int(value) => query.bind(*value),
                Arg::OptInt(value) => query.bind(*value),
            };
        }
        query
    }
}

/// Reads the rows of `SELECT <columns> <rest>` as one JSON array of arrays, and decodes each row
/// as `T` (a tuple of the columns' types: text as `String`, integers as `i64`, `NULL` as `None`).
///
/// For reads of many small rows, such as a 1C sync's hundred thousand links: the drivers hand rows
/// over one at a time, each converted to `Any`'s row, at several microseconds a row; the database
/// builds one array in a fraction of that and `serde_json` reads it back at memory speed.
/// `rest` appends the `FROM … WHERE …` part (with its bound values) to the statement.
pub async fn select_json<T: serde::de::DeserializeOwned>(
    connection: &mut sqlx::AnyConnection,
    columns: &str,
    rest: impl FnOnce(&mut Sql),
) -> crate::StoreResult<Vec<T>> {
    select_json_ordered(connection, columns, None, rest).await
}

/// [`select_json`] with the rows in the order of `order_by` (see [`json_rows_ordered`]).
pub async fn select_json_ordered<T: serde::de::DeserializeOwned>(
    connection: &mut sqlx::AnyConnection,
    columns: &str,
    order_by: Option<&str>,
    rest: impl FnOnce(&mut Sql),
) -> crate::StoreResult<Vec<T>> {
    let head = format!(
        "SELECT {}",
        json_rows_ordered(connection, columns, order_by)
    );
    let mut sql = Sql::for_connection(connection, &head);
    rest(&mut sql);
    fetch_json_rows(connection, &sql).await
}

/// Runs `sql`, a statement whose one row holds what [`json_rows`] (or [`json_rows_ordered`])
/// gathered, and decodes it.
pub async fn fetch_json_rows<T: serde::de::DeserializeOwned>(
    connection: &mut sqlx::AnyConnection,
    sql: &Sql,
) -> crate::StoreResult<Vec<T>> {
    use sqlx::Row as _;
    let row = sql.query().fetch_one(&mut *connection).await?;
    read_json_rows(row.try_get::<Option<String>, _>(0)?.as_deref())
}

/// The aggregate that gathers `columns` of every row into one JSON array of arrays, in the dialect
/// of `connection` — for [`select_json`], or for a scalar subquery that brings a few rows along
/// with another statement's row. Read the value back with [`read_json_rows`].
pub fn json_rows(connection: &sqlx::AnyConnection, columns: &str) -> String {
    json_rows_ordered(connection, columns, None)
}

/// [`json_rows`] with the rows gathered in the order of `order_by` (`x.name, x.id DESC`): the
/// database sorts them as it sorts anything else (its collation), which Rust could not redo.
pub fn json_rows_ordered(
    connection: &sqlx::AnyConnection,
    columns: &str,
    order_by: Option<&str>,
) -> String {
    let order = order_by
        .map(|order| format!(" ORDER BY {order}"))
        .unwrap_or_default();
    if connection.backend_name() == "SQLite" {
        format!("json_group_array(json_array({columns}){order})")
    } else {
        format!("CAST(json_agg(json_build_array({columns}){order}) AS TEXT)")
    }
}

/// Decodes what [`json_rows`] gathered (`None`: PostgreSQL's aggregate of no rows).
pub fn read_json_rows<T: serde::de::DeserializeOwned>(
    text: Option<&str>,
) -> crate::StoreResult<Vec<T>> {
    match text {
        Some(text) => Ok(serde_json::from_str(text).map_err(anyhow::Error::from)?),
        None => Ok(Vec::new()),
    }
}
