//! Wire types shared by the API's resources: record envelopes, pages, history.

use chrono::{DateTime, Utc};
use ferment_store::list::Page;
use ferment_store::{Meta, Record};
use serde::Serialize;
use uuid::Uuid;

/// A record as the API shows it: its bookkeeping and its fields side by side.
#[derive(Debug, Serialize)]
pub struct RecordResponse<T: Serialize> {
    /// Id.
    pub id: Uuid,
    /// Version to send back with a PATCH.
    pub version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// The fields.
    #[serde(flatten)]
    pub data: T,
}

impl<T: Serialize> RecordResponse<T> {
    /// Wraps fields with their bookkeeping.
    pub fn new(meta: &Meta, data: T) -> Self {
        RecordResponse {
            id: meta.id,
            version: meta.version,
            created_at: meta.created_at,
            updated_at: meta.updated_at,
            data,
        }
    }
}

impl<T: Serialize + Clone> From<&Record<T>> for RecordResponse<T> {
    fn from(record: &Record<T>) -> Self {
        RecordResponse::new(&record.meta, record.data.clone())
    }
}

/// A page of a collection.
#[derive(Debug, Serialize)]
pub struct PageResponse<T: Serialize> {
    /// The items.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl<T: Serialize> PageResponse<T> {
    /// Shapes a store page.
    pub fn from_page<R>(page: Page<R>, shape: impl Fn(R) -> T) -> Self {
        PageResponse {
            items: page.items.into_iter().map(shape).collect(),
            next_cursor: page.next_cursor,
        }
    }
}
