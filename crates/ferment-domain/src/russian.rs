//! Russian business writing: sums in words as invoices and contracts spell them («Один миллион
//! двести тридцать четыре тысячи пятьсот шестьдесят семь рублей 89 копеек»), dates in words
//! («26 ноября 2026 г.»), and the plural forms they need.

use chrono::{Datelike, NaiveDate};

/// The form of a noun after the number `n`: `one` for 1, 21, 101…, `few` for 2–4, 22–24…, `many` for
/// 0, 5–20, 25–30… (11–14 always take `many`).
pub fn plural<'a>(n: u64, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    let last_two = n % 100;
    let last = n % 10;
    if (11..=14).contains(&last_two) {
        many
    } else if last == 1 {
        one
    } else if (2..=4).contains(&last) {
        few
    } else {
        many
    }
}

const HUNDREDS: [&str; 10] = [
    "",
    "сто",
    "двести",
    "триста",
    "четыреста",
    "пятьсот",
    "шестьсот",
    "семьсот",
    "восемьсот",
    "девятьсот",
];
const TENS: [&str; 10] = [
    "",
    "",
    "двадцать",
    "тридцать",
    "сорок",
    "пятьдесят",
    "шестьдесят",
    "семьдесят",
    "восемьдесят",
    "девяносто",
];
const TEENS: [&str; 10] = [
    "десять",
    "одиннадцать",
    "двенадцать",
    "тринадцать",
    "четырнадцать",
    "пятнадцать",
    "шестнадцать",
    "семнадцать",
    "восемнадцать",
    "девятнадцать",
];
const UNITS: [&str; 10] = [
    "",
    "один",
    "два",
    "три",
    "четыре",
    "пять",
    "шесть",
    "семь",
    "восемь",
    "девять",
];

/// Grammatical gender of the counted noun (one/two agree with it: «одна тысяча», «два рубля»).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    /// Masculine (рубль, миллион).
    Masculine,
    /// Feminine (тысяча, копейка).
    Feminine,
}

/// The words of a number below a thousand (empty for 0).
fn triple(n: u64, gender: Gender, words: &mut Vec<&'static str>) {
    let hundreds = (n / 100) as usize;
    let rest = n % 100;
    if hundreds > 0 {
        words.push(HUNDREDS[hundreds]);
    }
    if (10..20).contains(&rest) {
        words.push(TEENS[(rest - 10) as usize]);
        return;
    }
    let tens = (rest / 10) as usize;
    let units = (rest % 10) as usize;
    if tens > 0 {
        words.push(TENS[tens]);
    }
    match (units, gender) {
        (0, _) => {}
        (1, Gender::Feminine) => words.push("одна"),
        (2, Gender::Feminine) => words.push("две"),
        (u, _) => words.push(UNITS[u]),
    }
}

/// A whole number in words, agreeing with a noun of `gender` («двадцать одна», «двадцать один»);
/// `ноль` for zero.
pub fn number_in_words(n: u64, gender: Gender) -> String {
    if n == 0 {
        return "ноль".into();
    }
    // (size, forms, gender) from the largest group down.
    const GROUPS: [(u64, [&str; 3], Gender); 6] = [
        (
            1_000_000_000_000_000_000,
            ["квинтиллион", "квинтиллиона", "квинтиллионов"],
            Gender::Masculine,
        ),
        (
            1_000_000_000_000_000,
            ["квадриллион", "квадриллиона", "квадриллионов"],
            Gender::Masculine,
        ),
        (
            1_000_000_000_000,
            ["триллион", "триллиона", "триллионов"],
            Gender::Masculine,
        ),
        (
            1_000_000_000,
            ["миллиард", "миллиарда", "миллиардов"],
            Gender::Masculine,
        ),
        (
            1_000_000,
            ["миллион", "миллиона", "миллионов"],
            Gender::Masculine,
        ),
        (1_000, ["тысяча", "тысячи", "тысяч"], Gender::Feminine),
    ];
    let mut words: Vec<&'static str> = Vec::new();
    let mut rest = n;
    for (size, [one, few, many], group_gender) in GROUPS {
        let count = rest / size;
        rest %= size;
        if count > 0 {
            triple(count, group_gender, &mut words);
            words.push(plural(count, one, few, many));
        }
    }
    triple(rest, gender, &mut words);
    words.join(" ")
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A sum in roubles and kopecks as invoices write it: roubles in words, kopecks in two digits, the
/// first letter capital — «Один миллион двести тридцать четыре тысячи пятьсот шестьдесят семь
/// рублей 89 копеек». A negative sum gets «Минус».
pub fn roubles_in_words(kopecks: i64) -> String {
    let negative = kopecks < 0;
    let kopecks = kopecks.unsigned_abs();
    let roubles = kopecks / 100;
    let cents = kopecks % 100;
    let text = format!(
        "{}{} {} {cents:02} {}",
        if negative { "минус " } else { "" },
        number_in_words(roubles, Gender::Masculine),
        plural(roubles, "рубль", "рубля", "рублей"),
        plural(cents, "копейка", "копейки", "копеек"),
    );
    capitalised(&text)
}

const MONTHS_GENITIVE: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];

/// A date as Russian documents write it: «26 ноября 2026 г.».
pub fn date_in_words(date: NaiveDate) -> String {
    format!(
        "{} {} {} г.",
        date.day(),
        MONTHS_GENITIVE[date.month0() as usize],
        date.year()
    )
}

/// A date in figures, the Russian way: `26.11.2026`.
pub fn date_short(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_in_words_follow_russian_grammar() {
        let cases: &[(i64, &str)] = &[
            (0, "Ноль рублей 00 копеек"),
            (100, "Один рубль 00 копеек"),
            (200, "Два рубля 00 копеек"),
            (500, "Пять рублей 00 копеек"),
            (1_100, "Одиннадцать рублей 00 копеек"),
            (2_100, "Двадцать один рубль 00 копеек"),
            (10_100, "Сто один рубль 00 копеек"),
            (100_000, "Одна тысяча рублей 00 копеек"),
            (200_000, "Две тысячи рублей 00 копеек"),
            (2_100_000, "Двадцать одна тысяча рублей 00 копеек"),
            (100_000_000, "Один миллион рублей 00 копеек"),
            (
                123_456_789,
                "Один миллион двести тридцать четыре тысячи пятьсот шестьдесят семь рублей 89 копеек",
            ),
            (1, "Ноль рублей 01 копейка"),
            (10, "Ноль рублей 10 копеек"),
            (1_203, "Двенадцать рублей 03 копейки"),
            (
                1_411_100,
                "Четырнадцать тысяч сто одиннадцать рублей 00 копеек",
            ),
            (200_000_000_000, "Два миллиарда рублей 00 копеек"),
            (-500, "Минус пять рублей 00 копеек"),
        ];
        for (kopecks, words) in cases {
            assert_eq!(roubles_in_words(*kopecks), *words, "{kopecks}");
        }
    }

    #[test]
    fn plurals_take_the_right_form() {
        let forms = |n| plural(n, "задача", "задачи", "задач");
        assert_eq!(
            [0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111, 1001].map(forms),
            [
                "задач",
                "задача",
                "задачи",
                "задачи",
                "задач",
                "задач",
                "задач",
                "задач",
                "задача",
                "задачи",
                "задач",
                "задача",
                "задач",
                "задача"
            ]
        );
    }

    #[test]
    fn dates_are_written_with_the_month_in_the_genitive() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(date_in_words(date), "26 ноября 2026 г.");
        assert_eq!(date_short(date), "26.11.2026");
        assert_eq!(
            date_in_words(NaiveDate::from_ymd_opt(2027, 3, 1).unwrap()),
            "1 марта 2027 г."
        );
    }

    #[test]
    fn the_largest_sums_do_not_break() {
        assert!(roubles_in_words(i64::MAX).starts_with("Девяносто два квадриллиона"));
        assert!(roubles_in_words(i64::MIN).starts_with("Минус"));
    }
}
