//! Russian company requisites and their control digits: ИНН, КПП, ОГРН/ОГРНИП, БИК and bank accounts.
//!
//! Each validator takes the raw string a user typed (already trimmed by the caller) and either returns
//! `Ok(())` or the [`Problem`] to show beside the field. The `complete_*` functions compute the control
//! digits for a prefix; the demo generator uses them to make requisites that pass the same checks.

use crate::validation::Problem;

/// Weights of the ten-digit ИНН (legal entity) control digit.
const INN10_WEIGHTS: [u32; 9] = [2, 4, 10, 3, 5, 9, 4, 6, 8];
/// Weights of the first control digit of a twelve-digit ИНН (person, sole proprietor).
const INN12_WEIGHTS_1: [u32; 10] = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
/// Weights of the second control digit of a twelve-digit ИНН.
const INN12_WEIGHTS_2: [u32; 11] = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
/// Weights of the bank account key, repeated over the 23 digits (3 of the БИК + 20 of the account).
const ACCOUNT_WEIGHTS: [u32; 3] = [7, 1, 3];

fn digits(value: &str) -> Option<Vec<u32>> {
    value.chars().map(|c| c.to_digit(10)).collect()
}

fn weighted_check(digits: &[u32], weights: &[u32]) -> u32 {
    let sum: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
    sum % 11 % 10
}

fn require_digits(value: &str, length: usize) -> Result<Vec<u32>, Problem> {
    let parsed = digits(value).ok_or(Problem::DigitsOnly)?;
    if parsed.len() != length {
        return Err(Problem::Length { expected: length });
    }
    Ok(parsed)
}

/// Checks a legal entity's ИНН: ten digits, the last one its control digit.
pub fn validate_inn_legal(value: &str) -> Result<(), Problem> {
    let d = require_digits(value, 10)?;
    if weighted_check(&d[..9], &INN10_WEIGHTS) != d[9] {
        return Err(Problem::ControlDigit);
    }
    Ok(())
}

/// Checks a person's or sole proprietor's ИНН: twelve digits, the last two control digits.
pub fn validate_inn_person(value: &str) -> Result<(), Problem> {
    let d = require_digits(value, 12)?;
    if weighted_check(&d[..10], &INN12_WEIGHTS_1) != d[10]
        || weighted_check(&d[..11], &INN12_WEIGHTS_2) != d[11]
    {
        return Err(Problem::ControlDigit);
    }
    Ok(())
}

/// Checks a КПП: nine characters — four digits (tax office), two digits or capital Latin letters
/// (reason), three digits (number). A КПП has no control digit.
pub fn validate_kpp(value: &str) -> Result<(), Problem> {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() != 9 {
        return Err(Problem::Length { expected: 9 });
    }
    let ok = chars.iter().enumerate().all(|(i, c)| match i {
        4 | 5 => c.is_ascii_digit() || c.is_ascii_uppercase(),
        _ => c.is_ascii_digit(),
    });
    if ok { Ok(()) } else { Err(Problem::KppFormat) }
}

/// Checks an ОГРН: thirteen digits, the last one the remainder of the first twelve divided by 11
/// (its last digit).
pub fn validate_ogrn(value: &str) -> Result<(), Problem> {
    let d = require_digits(value, 13)?;
    let body: u64 = value[..12].parse().map_err(|_| Problem::DigitsOnly)?;
    if (body % 11 % 10) as u32 != d[12] {
        return Err(Problem::ControlDigit);
    }
    Ok(())
}

/// Checks an ОГРНИП: fifteen digits, the last one the remainder of the first fourteen divided by 13
/// (its last digit).
pub fn validate_ogrnip(value: &str) -> Result<(), Problem> {
    let d = require_digits(value, 15)?;
    let body: u64 = value[..14].parse().map_err(|_| Problem::DigitsOnly)?;
    if (body % 13 % 10) as u32 != d[14] {
        return Err(Problem::ControlDigit);
    }
    Ok(())
}

/// Checks a БИК: nine digits. (A БИК carries no control digit; it is checked together with the
/// accounts it keys.)
pub fn validate_bik(value: &str) -> Result<(), Problem> {
    require_digits(value, 9).map(|_| ())
}

fn account_key_sum(prefix: &[u32], account: &[u32]) -> u32 {
    prefix
        .iter()
        .chain(account)
        .zip(ACCOUNT_WEIGHTS.iter().cycle())
        .map(|(d, w)| (d * w) % 10)
        .sum()
}

/// The three digits that precede an account when its key is computed: for a settlement account the
/// last three digits of the БИК; for a correspondent account `0` and the БИК's fifth and sixth digits.
fn key_prefix(bik: &[u32], correspondent: bool) -> Vec<u32> {
    if correspondent {
        vec![0, bik[4], bik[5]]
    } else {
        bik[6..9].to_vec()
    }
}

fn validate_keyed_account(bik: &str, account: &str, correspondent: bool) -> Result<(), Problem> {
    let account_digits = require_digits(account, 20)?;
    let bik_digits = require_digits(bik, 9).map_err(|_| Problem::NeedsValidBik)?;
    let prefix = key_prefix(&bik_digits, correspondent);
    if !account_key_sum(&prefix, &account_digits).is_multiple_of(10) {
        return Err(Problem::AccountKey);
    }
    Ok(())
}

/// Checks a settlement account (расчётный счёт): twenty digits whose control key (the ninth digit)
/// agrees with the bank's БИК.
pub fn validate_settlement_account(bik: &str, account: &str) -> Result<(), Problem> {
    validate_keyed_account(bik, account, false)
}

/// Checks a correspondent account (корреспондентский счёт): twenty digits starting with `301`, keyed
/// with the БИК like a settlement account but with `0` and the БИК's fifth and sixth digits in front.
pub fn validate_correspondent_account(bik: &str, account: &str) -> Result<(), Problem> {
    validate_keyed_account(bik, account, true)?;
    if !account.starts_with("301") {
        return Err(Problem::CorrespondentPrefix);
    }
    Ok(())
}

fn digits_of(prefix: &str, length: usize) -> Vec<u32> {
    let parsed = digits(prefix).expect("prefix must be ASCII digits");
    assert_eq!(parsed.len(), length, "prefix must have {length} digits");
    parsed
}

/// Appends the control digit to the first nine digits of a legal entity's ИНН.
///
/// # Panics
/// When `first9` is not nine ASCII digits (a programming error in the caller).
pub fn complete_inn_legal(first9: &str) -> String {
    let d = digits_of(first9, 9);
    format!("{first9}{}", weighted_check(&d, &INN10_WEIGHTS))
}

/// Appends the two control digits to the first ten digits of a person's ИНН.
///
/// # Panics
/// When `first10` is not ten ASCII digits.
pub fn complete_inn_person(first10: &str) -> String {
    let mut d = digits_of(first10, 10);
    let first = weighted_check(&d, &INN12_WEIGHTS_1);
    d.push(first);
    let second = weighted_check(&d, &INN12_WEIGHTS_2);
    format!("{first10}{first}{second}")
}

/// Appends the control digit to the first twelve digits of an ОГРН.
///
/// # Panics
/// When `first12` is not twelve ASCII digits.
pub fn complete_ogrn(first12: &str) -> String {
    digits_of(first12, 12);
    let body: u64 = first12.parse().expect("digits");
    format!("{first12}{}", body % 11 % 10)
}

/// Appends the control digit to the first fourteen digits of an ОГРНИП.
///
/// # Panics
/// When `first14` is not fourteen ASCII digits.
pub fn complete_ogrnip(first14: &str) -> String {
    digits_of(first14, 14);
    let body: u64 = first14.parse().expect("digits");
    format!("{first14}{}", body % 13 % 10)
}

fn with_key(bik: &str, account: &str, correspondent: bool) -> String {
    let bik_digits = digits_of(bik, 9);
    let mut account_digits = digits_of(account, 20);
    let prefix = key_prefix(&bik_digits, correspondent);
    let key = (0..10)
        .find(|&k| {
            account_digits[8] = k;
            account_key_sum(&prefix, &account_digits).is_multiple_of(10)
        })
        .expect("one key digit always balances the sum: its weight 3 is coprime with 10");
    account_digits[8] = key;
    account_digits
        .iter()
        .map(|d| char::from_digit(*d, 10).expect("digit"))
        .collect()
}

/// Returns `account` (twenty digits) with its ninth digit replaced by the key that makes it a valid
/// settlement account at the bank with this БИК.
///
/// # Panics
/// When `bik` is not nine digits or `account` not twenty.
pub fn settlement_account_with_key(bik: &str, account: &str) -> String {
    with_key(bik, account, false)
}

/// Returns `account` with its ninth digit replaced by the key that makes it a valid correspondent
/// account for the bank with this БИК.
///
/// # Panics
/// When `bik` is not nine digits or `account` not twenty.
pub fn correspondent_account_with_key(bik: &str, account: &str) -> String {
    with_key(bik, account, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Requisites published by large Russian companies (on their sites and in the state register).
    /// (name, ИНН, КПП, ОГРН)
    const PUBLISHED_LEGAL: &[(&str, &str, &str, &str)] = &[
        ("ПАО Сбербанк", "7707083893", "773601001", "1027700132195"),
        ("ПАО «Газпром»", "7736050003", "997250001", "1027700070518"),
        (
            "ПАО «НК «Роснефть»",
            "7706107510",
            "770601001",
            "1027700043502",
        ),
        ("ПАО «Магнит»", "2309085638", "231001001", "1032304945947"),
        ("ООО «Яндекс»", "7736207543", "770401001", "1027700229193"),
        ("ПАО «МТС»", "7740000076", "770901001", "1027700149124"),
        ("Банк ВТБ (ПАО)", "7702070139", "784201001", "1027739609391"),
        ("ПАО «Аэрофлот»", "7712040126", "770401001", "1027700092661"),
    ];

    /// Banks' БИК and correspondent accounts as published by the Bank of Russia.
    const PUBLISHED_BANKS: &[(&str, &str, &str)] = &[
        ("ПАО Сбербанк", "044525225", "30101810400000000225"),
        ("АО «Альфа-Банк»", "044525593", "30101810200000000593"),
        ("Банк ВТБ (ПАО)", "044525187", "30101810700000000187"),
        ("АО «Т-Банк»", "044525974", "30101810145250000974"),
        (
            "Северо-Западный банк ПАО Сбербанк",
            "044030653",
            "30101810500000000653",
        ),
    ];

    #[test]
    fn published_legal_entity_requisites_pass() {
        for (name, inn, kpp, ogrn) in PUBLISHED_LEGAL {
            assert_eq!(validate_inn_legal(inn), Ok(()), "ИНН of {name}");
            assert_eq!(validate_kpp(kpp), Ok(()), "КПП of {name}");
            assert_eq!(validate_ogrn(ogrn), Ok(()), "ОГРН of {name}");
        }
    }

    #[test]
    fn published_bank_requisites_pass() {
        for (name, bik, correspondent) in PUBLISHED_BANKS {
            assert_eq!(validate_bik(bik), Ok(()), "БИК of {name}");
            assert_eq!(
                validate_correspondent_account(bik, correspondent),
                Ok(()),
                "к/с of {name}"
            );
        }
    }

    #[test]
    fn a_changed_digit_breaks_every_published_control_digit() {
        for (_, inn, _, ogrn) in PUBLISHED_LEGAL {
            for position in 0..inn.len() {
                let broken = change_digit(inn, position);
                assert_eq!(
                    validate_inn_legal(&broken),
                    Err(Problem::ControlDigit),
                    "{broken}"
                );
            }
            let broken = change_digit(ogrn, 12);
            assert_eq!(
                validate_ogrn(&broken),
                Err(Problem::ControlDigit),
                "{broken}"
            );
        }
        for (_, bik, correspondent) in PUBLISHED_BANKS {
            for position in 0..20 {
                let broken = change_digit(correspondent, position);
                assert!(
                    validate_correspondent_account(bik, &broken).is_err(),
                    "{broken}"
                );
            }
        }
    }

    fn change_digit(value: &str, position: usize) -> String {
        value
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i == position {
                    char::from_digit((c.to_digit(10).unwrap() + 1) % 10, 10).unwrap()
                } else {
                    c
                }
            })
            .collect()
    }

    #[test]
    fn twelve_digit_inn_and_ogrnip_check_both_control_digits() {
        // A sole proprietor's ИНН and ОГРНИП computed by the published algorithm and cross-checked
        // against the tax service's own examples of the format.
        assert_eq!(validate_inn_person("500100732259"), Ok(()));
        assert_eq!(
            validate_inn_person("500100732258"),
            Err(Problem::ControlDigit)
        );
        assert_eq!(
            validate_inn_person("500100732249"),
            Err(Problem::ControlDigit)
        );
        assert_eq!(validate_ogrnip("304500116000157"), Ok(()));
        assert_eq!(
            validate_ogrnip("304500116000158"),
            Err(Problem::ControlDigit)
        );
    }

    #[test]
    fn wrong_lengths_and_characters_name_the_problem() {
        type Validator = fn(&str) -> Result<(), Problem>;
        let cases: &[(Validator, &str, Problem)] = &[
            (
                validate_inn_legal,
                "770708389",
                Problem::Length { expected: 10 },
            ),
            (validate_inn_legal, "770708389З", Problem::DigitsOnly),
            (
                validate_inn_legal,
                "500100732259",
                Problem::Length { expected: 10 },
            ),
            (
                validate_inn_person,
                "7707083893",
                Problem::Length { expected: 12 },
            ),
            (validate_kpp, "77360100", Problem::Length { expected: 9 }),
            (validate_kpp, "7736ab001", Problem::KppFormat),
            (validate_kpp, "77360100X", Problem::KppFormat),
            (
                validate_ogrn,
                "102770013219",
                Problem::Length { expected: 13 },
            ),
            (
                validate_ogrnip,
                "30450011600015",
                Problem::Length { expected: 15 },
            ),
            (validate_bik, "04452522", Problem::Length { expected: 9 }),
            (validate_bik, "04452522x", Problem::DigitsOnly),
        ];
        for (validate, input, expected) in cases {
            assert_eq!(validate(input), Err(expected.clone()), "{input}");
        }
    }

    #[test]
    fn kpp_accepts_letters_in_the_reason_code() {
        assert_eq!(validate_kpp("7736AB001"), Ok(()));
    }

    #[test]
    fn settlement_accounts_are_keyed_with_the_bik() {
        let account = settlement_account_with_key("044525225", "40702810000000012345");
        assert_eq!(validate_settlement_account("044525225", &account), Ok(()));
        // The same account at another bank fails its key (the БИК's last digits differ).
        assert_eq!(
            validate_settlement_account("044525593", &account),
            Err(Problem::AccountKey)
        );
        assert_eq!(
            validate_settlement_account("04452522", &account),
            Err(Problem::NeedsValidBik)
        );
        assert_eq!(
            validate_settlement_account("044525225", "4070281000000001234"),
            Err(Problem::Length { expected: 20 })
        );
    }

    #[test]
    fn a_published_settlement_account_passes() {
        // Sberbank's own settlement account for payments to it, published with its requisites.
        assert_eq!(
            validate_settlement_account("044525225", "30301810000006000001"),
            Ok(())
        );
    }

    #[test]
    fn completed_requisites_validate() {
        for seed in 0..500u64 {
            let nine = format!("{:09}", 770_000_000 + seed * 7919 % 100_000);
            assert_eq!(validate_inn_legal(&complete_inn_legal(&nine)), Ok(()));
            let ten = format!("{:010}", 5_001_000_000 + seed * 104_729);
            assert_eq!(validate_inn_person(&complete_inn_person(&ten)), Ok(()));
            let twelve = format!("1027700{:05}", seed * 37 % 100_000);
            assert_eq!(validate_ogrn(&complete_ogrn(&twelve)), Ok(()));
            let fourteen = format!("3045001{:07}", seed * 7_777);
            assert_eq!(validate_ogrnip(&complete_ogrnip(&fourteen)), Ok(()));
            let raw = format!("40702810{:012}", seed * 1_000_003);
            let account = settlement_account_with_key("044525225", &raw);
            assert_eq!(validate_settlement_account("044525225", &account), Ok(()));
        }
    }
}
