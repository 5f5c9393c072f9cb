//! Keyset pagination shared by every list: a page of rows and an opaque cursor to the next one.
//!
//! Offsets get slower the deeper one pages; a cursor carries the sort value and id of the last row
//! shown, so every page is an index range scan, as fast at row 900 000 as at row 1.

use base64::Engine as _;

/// One page of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// The cursor of the next page, when there is one.
    pub next_cursor: Option<String>,
}

/// The position after a row: its sort value and its id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Cursor {
    /// The sort column's value of the last row shown.
    pub value: String,
    /// The id of the last row shown.
    pub id: String,
}

impl Cursor {
    /// Encodes the cursor for a URL.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    /// Decodes a cursor from a URL; `None` when it is not one of ours.
    pub fn decode(text: &str) -> Option<Cursor> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// A → Я, old → new.
    #[default]
    Ascending,
    /// Я → A, new → old.
    Descending,
}

impl Direction {
    /// `ASC` or `DESC`.
    pub fn sql(self) -> &'static str {
        match self {
            Direction::Ascending => "ASC",
            Direction::Descending => "DESC",
        }
    }

    /// The comparison that selects rows after the cursor.
    pub fn after(self) -> &'static str {
        match self {
            Direction::Ascending => ">",
            Direction::Descending => "<",
        }
    }
}

/// Clamps a requested page size to 1..=200 (50 by default).
pub fn page_size(requested: Option<i64>) -> i64 {
    requested.unwrap_or(50).clamp(1, 200)
}
