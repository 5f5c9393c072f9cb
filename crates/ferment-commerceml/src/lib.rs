//! CommerceML 2 for 1C's built-in "exchange with a site" (УТ 11, КА, ERP, БП «Обмен с сайтом»):
//! Ferment plays the site that 1C calls at `/exchange/1c`.
//!
//! Reading order:
//! - [`model`] and [`order`]: what the files carry (catalog, offers, orders), as wire types;
//! - [`CmlReader`]: streaming reader yielding [`Item`]s, for files of hundreds of megabytes;
//! - [`write`](mod@write): writers for `import.xml`, `offers.xml` and orders;
//! - [`exchange`]: the server side of the protocol (`checkauth`, `init`, `file`, `import`, `query`,
//!   `success`) that the web glue calls, with resumable imports;
//! - [`client`]: 1C's side of the protocol, for the emulator and the tests.
//!
//! This crate does no database work and knows nothing of axum: the glue maps items onto Ferment's
//! records and HTTP onto [`exchange::Exchange`]. The contract is in `docs/COMMERCEML.md`.

pub mod client;
mod decimal;
mod error;
pub mod exchange;
pub mod model;
pub mod order;
mod read;
pub mod write;

pub use decimal::parse_decimal;
pub use error::{ExchangeError, ParseError};
pub use model::{Document, DocumentInfo, Item, ItemId, SchemaVersion};
pub use read::{CmlReader, ROOT};

/// The CommerceML 2 namespace written on every root element.
pub const NAMESPACE: &str = "urn:1C.ru:commerceml_2";
