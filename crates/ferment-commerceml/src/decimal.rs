//! Decimal numbers as 1C writes them: `1234.50`, `1234,50`, sometimes with spaces between thousands.

use std::str::FromStr;

use rust_decimal::Decimal;

/// Reads a number with `.` or `,` as the decimal separator; spaces (also non-breaking) are ignored.
/// Returns `None` for empty or malformed text.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    if cleaned.is_empty() {
        return None;
    }
    Decimal::from_str(&cleaned)
        .or_else(|_| Decimal::from_scientific(&cleaned))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comma_and_point_and_spaces_are_accepted() {
        assert_eq!(parse_decimal("1234,50"), Decimal::from_str("1234.50").ok());
        assert_eq!(parse_decimal("1234.5"), Decimal::from_str("1234.5").ok());
        assert_eq!(parse_decimal("1 234,5"), Decimal::from_str("1234.5").ok());
        assert_eq!(parse_decimal("-3"), Some(Decimal::from(-3)));
        assert_eq!(parse_decimal(""), None);
        assert_eq!(parse_decimal("abc"), None);
    }
}
