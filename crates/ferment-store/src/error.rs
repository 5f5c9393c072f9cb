//! The store's errors: only the cases callers act on.

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist (or is deleted).
    #[error("record not found")]
    NotFound,
    /// The record changed since the caller read it (its `version` moved on).
    #[error("the record was changed by someone else (version {current})")]
    StaleVersion {
        /// The version now stored.
        current: i64,
    },
    /// A uniqueness rule refused the write.
    #[error("a unique value is taken: {constraint}")]
    Unique {
        /// The violated index or constraint, as the database names it.
        constraint: String,
    },
    /// The change would put a record inside itself (a tree cycle).
    #[error("a record cannot be inside itself")]
    Cycle,
    /// Anything else: a bug or the database being unavailable.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Unique {
                constraint: db
                    .constraint()
                    .map(str::to_string)
                    .unwrap_or_else(|| db.message().to_string()),
            },
            _ => StoreError::Other(error.into()),
        }
    }
}
