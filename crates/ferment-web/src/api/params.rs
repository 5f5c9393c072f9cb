//! Query parameters shared by every collection: blank means absent, ids and page bounds are checked
//! and their problems recorded under the parameter's name.

use ferment_domain::validation::{Errors, Problem};
use ferment_store::list::{Cursor, page_size};
use uuid::Uuid;

/// A query parameter's value, trimmed; blank counts as absent.
pub fn blank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// An id parameter, or its problem recorded under `field`.
pub fn id_param(errors: &mut Errors, field: &str, value: &Option<String>) -> Option<Uuid> {
    blank(value).and_then(|v| errors.take(field, Uuid::parse_str(v).map_err(|_| Problem::Uuid)))
}

/// The `limit` (1–200) and `cursor` parameters, with their problems recorded.
pub fn page_params(
    errors: &mut Errors,
    limit: &Option<String>,
    cursor: &Option<String>,
) -> (Option<Cursor>, i64) {
    let limit = match blank(limit) {
        None => None,
        Some(text) => match text.parse::<i64>() {
            Ok(n) if (1..=200).contains(&n) => Some(n),
            _ => {
                errors.add("limit", Problem::Range { min: 1, max: 200 });
                None
            }
        },
    };
    let cursor = blank(cursor).and_then(|c| {
        let decoded = Cursor::decode(c);
        if decoded.is_none() {
            errors.add(
                "cursor",
                Problem::NotAllowed {
                    allowed: vec!["next_cursor".into()],
                },
            );
        }
        decoded
    });
    (cursor, page_size(limit))
}
