//! Exact decimals as users type them, and as the database keeps them.
//!
//! Money and quantities never touch floating point. Users type `12,5` or `1 234,56` (the Russian way)
//! or `12.5`; the database keeps integers in fixed minor units (kopecks for money, thousandths for
//! quantities, hundredths of a percent for VAT rates), because both SQLite and PostgreSQL sum and
//! compare integers exactly and the same way.

use rust_decimal::Decimal;

use crate::validation::Problem;

/// Kopecks per rouble: money is kept in kopecks.
pub const MONEY_SCALE: u32 = 2;
/// Quantities are kept in thousandths of their unit (grams of a kilogram, millilitres of a litre).
pub const QUANTITY_SCALE: u32 = 3;
/// VAT rates are kept in hundredths of a percent (22 % is 2200).
pub const RATE_SCALE: u32 = 2;

/// Parses a decimal typed by a user: spaces (also no-break) between thousands are ignored and a comma
/// may stand for the decimal point. At most `max_scale` digits after the point; never negative.
pub fn parse_decimal(text: &str, max_scale: u32) -> Result<Decimal, Problem> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202F}')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    if cleaned.is_empty() {
        return Err(Problem::Required);
    }
    if !cleaned
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
    {
        return Err(Problem::Number);
    }
    let value: Decimal = cleaned.parse().map_err(|_| Problem::Number)?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(Problem::Negative);
    }
    if value.normalize().scale() > max_scale {
        return Err(Problem::Scale { max: max_scale });
    }
    Ok(value.normalize())
}

/// Converts a decimal with at most `scale` fractional digits into integer minor units.
pub fn to_minor(value: Decimal, scale: u32) -> Result<i64, Problem> {
    let mut scaled = value;
    scaled.rescale(scale);
    let mantissa = scaled.mantissa();
    i64::try_from(mantissa).map_err(|_| Problem::Number)
}

/// Converts integer minor units back into a decimal with `scale` fractional digits.
pub fn from_minor(minor: i64, scale: u32) -> Decimal {
    Decimal::new(minor, scale)
}

/// Parses user text straight into minor units.
pub fn parse_minor(text: &str, scale: u32) -> Result<i64, Problem> {
    let value = parse_decimal(text, scale)?;
    if value > Decimal::new(i64::MAX / 10i64.pow(scale + 1), 0) {
        return Err(Problem::Number);
    }
    to_minor(value, scale)
}

/// Formats minor units the Russian way: `1 234 567,89` (no-break spaces between thousands, a comma
/// before the fraction), with exactly `scale` fractional digits, or none when `trim` and they are
/// all zero.
pub fn format_ru(minor: i64, scale: u32, trim: bool) -> String {
    let negative = minor < 0;
    let abs = minor.unsigned_abs();
    let divisor = 10u64.pow(scale);
    let whole = abs / divisor;
    let fraction = abs % divisor;
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('\u{a0}');
        }
        grouped.push(c);
    }
    let sign = if negative { "-" } else { "" };
    if scale == 0 || (trim && fraction == 0) {
        format!("{sign}{grouped}")
    } else if trim {
        let text = format!("{fraction:0width$}", width = scale as usize);
        format!("{sign}{grouped},{}", text.trim_end_matches('0'))
    } else {
        format!("{sign}{grouped},{fraction:0width$}", width = scale as usize)
    }
}

/// Formats minor units as a plain decimal string for the API (`"1234.5"`, `"12"`).
pub fn format_plain(minor: i64, scale: u32) -> String {
    from_minor(minor, scale).normalize().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn russian_and_plain_notations_parse_alike() {
        assert_eq!(parse_minor("12,5", QUANTITY_SCALE), Ok(12_500));
        assert_eq!(parse_minor("12.5", QUANTITY_SCALE), Ok(12_500));
        assert_eq!(parse_minor("1 234,56", MONEY_SCALE), Ok(123_456));
        assert_eq!(parse_minor("1\u{a0}234,56", MONEY_SCALE), Ok(123_456));
        assert_eq!(parse_minor("0", MONEY_SCALE), Ok(0));
    }

    #[test]
    fn bad_numbers_name_the_problem() {
        assert_eq!(parse_minor("", MONEY_SCALE), Err(Problem::Required));
        assert_eq!(
            parse_minor("12,345", MONEY_SCALE),
            Err(Problem::Scale { max: 2 })
        );
        assert_eq!(parse_minor("-1", MONEY_SCALE), Err(Problem::Negative));
        assert_eq!(parse_minor("1e5", MONEY_SCALE), Err(Problem::Number));
        assert_eq!(parse_minor("двенадцать", MONEY_SCALE), Err(Problem::Number));
        assert_eq!(parse_minor("1,2,3", MONEY_SCALE), Err(Problem::Number));
        assert_eq!(
            parse_minor("99999999999999999999999", MONEY_SCALE),
            Err(Problem::Number)
        );
    }

    #[test]
    fn russian_format_groups_thousands_with_no_break_spaces() {
        assert_eq!(
            format_ru(123_456_789, MONEY_SCALE, false),
            "1\u{a0}234\u{a0}567,89"
        );
        assert_eq!(format_ru(100, MONEY_SCALE, false), "1,00");
        assert_eq!(format_ru(12_500, QUANTITY_SCALE, true), "12,5");
        assert_eq!(format_ru(12_000, QUANTITY_SCALE, true), "12");
        assert_eq!(format_plain(12_500, QUANTITY_SCALE), "12.5");
    }

    proptest! {
        #[test]
        fn minor_units_round_trip_through_both_notations(minor in 0i64..1_000_000_000_000) {
            prop_assert_eq!(parse_minor(&format_plain(minor, MONEY_SCALE), MONEY_SCALE), Ok(minor));
            prop_assert_eq!(parse_minor(&format_ru(minor, MONEY_SCALE, false), MONEY_SCALE), Ok(minor));
        }
    }
}
