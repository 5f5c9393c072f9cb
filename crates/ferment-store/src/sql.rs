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
