//! Ferment's side of the 1C integration over 1C's standard OData interface (OData v3).
//!
//! Reading order: [`odata`] (the HTTP client: URLs, literals, paging, retries, 1C's error bodies),
//! [`metadata`] (what a base publishes, from `$metadata`), [`profile`] (the mapping profiles `bp30`
//! and `ut11` — data in `profiles/*.json`, adjustable per connection), [`mapping`] (1C objects to
//! neutral records and back), [`secret`] (the sealed passwords), then [`sync`] (a run: pull, push,
//! conflicts, the log, resuming after a kill).
//!
//! The objects and fields relied on are listed in `docs/ONEC.md`.

pub mod error;
pub mod mapping;
pub mod metadata;
pub mod odata;
pub mod profile;
pub mod secret;
pub mod sync;

pub use error::{OnecError, OnecResult};
