//! How values look on a page: Moscow time, Russian numbers and money.
//!
//! Times are shown in Moscow time as a fixed UTC+3 offset. chrono has no time-zone database in this
//! build, and Moscow has kept UTC+3 all year since 2014 (no daylight saving), so a fixed offset is
//! exact for every date Ferment stores. Numbers follow the Russian convention (`1 234 567,89`, no-break
//! spaces between thousands) in Russian and the English one (`1,234,567.89`) in English.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use ferment_domain::decimal::format_ru;
use ferment_domain::validation::Lang;

/// Moscow's offset from UTC: three hours, all year. Evaluated at compile time, so an impossible
/// offset would fail the build, not a request.
const MOSCOW: FixedOffset = match FixedOffset::east_opt(3 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+3 is a valid offset"),
};

/// A moment in Moscow time: `26.11.2026 14:05` (Russian) or `2026-11-26 14:05` (English).
pub fn datetime(moment: DateTime<Utc>, lang: Lang) -> String {
    let local = moment.with_timezone(&MOSCOW);
    match lang {
        Lang::Ru => local.format("%d.%m.%Y %H:%M").to_string(),
        Lang::En => local.format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// A moment in Moscow time to the second, for logs: `26.11.2026 14:05:09` (Russian) or
/// `2026-11-26 14:05:09` (English).
pub fn datetime_seconds(moment: DateTime<Utc>, lang: Lang) -> String {
    let local = moment.with_timezone(&MOSCOW);
    match lang {
        Lang::Ru => local.format("%d.%m.%Y %H:%M:%S").to_string(),
        Lang::En => local.format("%Y-%m-%d %H:%M:%S").to_string(),
    }
}

/// A day in Moscow time: `26.11.2026` (Russian) or `2026-11-26` (English).
pub fn date(moment: DateTime<Utc>, lang: Lang) -> String {
    let local = moment.with_timezone(&MOSCOW);
    match lang {
        Lang::Ru => local.format("%d.%m.%Y").to_string(),
        Lang::En => local.format("%Y-%m-%d").to_string(),
    }
}

/// A calendar day (a due date, a contract date): `26.11.2026` (Russian) or `2026-11-26` (English).
pub fn day(date: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Ru => date.format("%d.%m.%Y").to_string(),
        Lang::En => date.format("%Y-%m-%d").to_string(),
    }
}

/// A day as a form shows it: a stored `2026-11-26` in the language's notation; anything else (what
/// the user typed and the server refused) exactly as typed.
pub fn day_input(text: &str, lang: Lang) -> String {
    match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        Ok(date) => day(date, lang),
        Err(_) => text.to_string(),
    }
}

/// Integer minor units as a decimal number in the language's notation; `trim` drops a zero fraction.
pub fn number(minor: i64, scale: u32, trim: bool, lang: Lang) -> String {
    let russian = format_ru(minor, scale, trim);
    match lang {
        Lang::Ru => russian,
        Lang::En => russian.replace(',', ".").replace('\u{a0}', ","),
    }
}

/// Money in kopecks with its currency: `1 234,50 ₽`.
pub fn money(kopecks: i64, currency: &str, lang: Lang) -> String {
    let symbol = match currency {
        "RUB" => "₽",
        "EUR" => "€",
        "USD" => "$",
        other => other,
    };
    format!("{}\u{a0}{symbol}", number(kopecks, 2, false, lang))
}

/// A VAT rate in hundredths of a percent: `22 %`.
pub fn rate(hundredths: i64, lang: Lang) -> String {
    format!("{}\u{a0}%", number(hundredths, 2, true, lang))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_are_shown_in_moscow_time() {
        let moment = Utc.with_ymd_and_hms(2026, 11, 26, 11, 5, 0).unwrap();
        assert_eq!(datetime(moment, Lang::Ru), "26.11.2026 14:05");
        assert_eq!(datetime(moment, Lang::En), "2026-11-26 14:05");
        let due = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(day(due, Lang::Ru), "26.11.2026");
        assert_eq!(day_input("2026-11-26", Lang::Ru), "26.11.2026");
        assert_eq!(day_input("31.02.2026", Lang::Ru), "31.02.2026");
    }

    #[test]
    fn money_is_written_the_russian_way() {
        assert_eq!(
            money(123_456_789, "RUB", Lang::Ru),
            "1\u{a0}234\u{a0}567,89\u{a0}₽"
        );
        assert_eq!(money(123_456_789, "RUB", Lang::En), "1,234,567.89\u{a0}₽");
        assert_eq!(rate(2200, Lang::Ru), "22\u{a0}%");
        assert_eq!(rate(1050, Lang::Ru), "10,5\u{a0}%");
    }
}
