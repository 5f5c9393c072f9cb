//! The one error type of the 1C integration.

use ferment_store::StoreError;

/// What can go wrong talking to 1C or applying what it sent.
#[derive(Debug, thiserror::Error)]
pub enum OnecError {
    /// 1C could not be reached or answered 502/503/504: worth retrying.
    #[error("1C is not reachable: {0}")]
    Transient(String),
    /// 1C refused the login or password.
    #[error("1C refused the login or password")]
    Unauthorized,
    /// 1C answered with its own error body (`odata.error`).
    #[error("1C answered {status} (code {code}): {message}")]
    OData {
        /// The HTTP status.
        status: u16,
        /// 1C's error code (`9` not found, `14` bad filter, `6` unknown segment, `-1` handler failure).
        code: String,
        /// 1C's message (Russian).
        message: String,
    },
    /// The answer was not what the standard interface sends.
    #[error("unexpected answer from 1C: {0}")]
    Protocol(String),
    /// The base does not publish what the profile needs.
    #[error("1C does not publish {0}")]
    NotPublished(String),
    /// The connection's settings or mapping are wrong.
    #[error("{0}")]
    Config(String),
    /// Another run of this connection is going.
    #[error("a sync of this connection is already running (run {0})")]
    Busy(uuid::Uuid),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl OnecError {
    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, OnecError::Transient(_))
            || matches!(self, OnecError::OData { status, .. } if *status >= 500 && *status != 501)
    }
}

impl From<sqlx::Error> for OnecError {
    fn from(error: sqlx::Error) -> Self {
        OnecError::Store(StoreError::from(error))
    }
}

/// A result of the 1C integration.
pub type OnecResult<T> = Result<T, OnecError>;
