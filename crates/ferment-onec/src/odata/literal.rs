//! Literals of OData v3 `$filter` expressions as 1C reads them.

use chrono::NaiveDateTime;
use uuid::Uuid;

/// `guid'…'`.
pub fn guid(key: Uuid) -> String {
    format!("guid'{key}'")
}

/// `datetime'2026-11-27T00:00:00'` (1C's dates carry no zone).
pub fn datetime(at: NaiveDateTime) -> String {
    format!("datetime'{}'", at.format("%Y-%m-%dT%H:%M:%S"))
}

/// A string literal, quotes doubled.
pub fn string(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `Field eq guid'a' or Field eq guid'b' …`: objects with any of these references.
pub fn any_of(field: &str, keys: &[Uuid]) -> String {
    keys.iter()
        .map(|key| format!("{field} eq {}", guid(*key)))
        .collect::<Vec<_>>()
        .join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_spelled_as_1c_reads_them() {
        let key = Uuid::parse_str("e3a75a0b-5b7e-11e4-80cf-0050568b35ac").expect("uuid");
        assert_eq!(guid(key), "guid'e3a75a0b-5b7e-11e4-80cf-0050568b35ac'");
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 27)
            .and_then(|d| d.and_hms_opt(9, 5, 0))
            .expect("date");
        assert_eq!(datetime(at), "datetime'2026-11-27T09:05:00'");
        assert_eq!(
            string("ООО \"Ромашка\" O'Neil"),
            "'ООО \"Ромашка\" O''Neil'"
        );
        assert_eq!(
            any_of("Ref_Key", &[key, key]),
            "Ref_Key eq guid'e3a75a0b-5b7e-11e4-80cf-0050568b35ac' or Ref_Key eq guid'e3a75a0b-5b7e-11e4-80cf-0050568b35ac'"
        );
    }
}
