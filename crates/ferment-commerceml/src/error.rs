//! Errors, one enum per boundary: [`ParseError`] for reading CommerceML, [`ExchangeError`] for the
//! server side of the protocol. The client's errors live in [`crate::client`].
//!
//! Every variant is a case a caller acts on: the glue answers `failure\n<message>` for all of them
//! (the message is safe to show 1C's operator: it names the file or element, never a path on disk),
//! and answers 401/403 for [`ExchangeError::UnknownSession`].

use std::io;

/// A CommerceML file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// Not well-formed XML (or not UTF-8).
    #[error("malformed XML at byte {position}: {message}")]
    Xml {
        /// Byte offset in the input.
        position: u64,
        /// What quick-xml reported.
        message: String,
    },
    /// Well-formed but not CommerceML as this crate reads it.
    #[error("invalid <{element}>: {message}")]
    Invalid {
        /// The element at fault.
        element: String,
        /// What is wrong with it.
        message: String,
    },
    /// Reading the input failed.
    #[error("reading failed: {0}")]
    Io(#[from] io::Error),
}

/// The server side of the exchange refused or failed a request.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    /// The cookie names no session this exchange started (or it was purged): 1C must `checkauth`.
    #[error("unknown exchange session, call checkauth first")]
    UnknownSession,
    /// A `filename` that is absolute, climbs out with `..`, or is empty.
    #[error("refused file name {0:?}")]
    UnsafePath(String),
    /// A request body larger than the `file_limit` announced in `init`.
    #[error("upload of {size} bytes exceeds file_limit {limit}")]
    TooLarge {
        /// Bytes received.
        size: usize,
        /// The announced limit.
        limit: u64,
    },
    /// `import` of a file that was never uploaded (nor found in an uploaded archive).
    #[error("file {0:?} was not uploaded")]
    NotFound(String),
    /// An uploaded archive could not be unpacked.
    #[error("archive {name:?} could not be unpacked: {message}")]
    BadArchive {
        /// The archive's file name.
        name: String,
        /// What the zip reader said.
        message: String,
    },
    /// The file being imported is not valid CommerceML.
    #[error("{file}: {source}")]
    Parse {
        /// The file being imported.
        file: String,
        /// The parse error.
        source: ParseError,
    },
    /// A batch committed out of order: it does not start at the committed position.
    #[error("{file}: batch starting at item {start} committed while the position is {committed}")]
    OutOfOrderCommit {
        /// The file being imported.
        file: String,
        /// The committed position.
        committed: u64,
        /// Where the batch started.
        start: u64,
    },
    /// The work directory could not be read or written.
    #[error("work directory: {0}")]
    Io(#[from] io::Error),
}
