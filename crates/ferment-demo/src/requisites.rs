//! Requisites that pass Ferment's control-digit checks: ИНН, КПП, ОГРН/ОГРНИП and bank accounts at
//! real banks.
//!
//! The ИНН of counterparty `i` is unique: its seven digits after the region code (tax office and
//! serial) come from a bijection of `i` onto 4 900 000 values (49 tax offices × 100 000 serials), so
//! no two indices below 4 900 000 share them, whatever their regions. The legal entity's ОГРН and its
//! first settlement account reuse the same digits and are unique too.

use ferment_domain::counterparty::BankAccountInput;
use ferment_domain::requisites::{
    complete_inn_legal, complete_inn_person, complete_ogrn, complete_ogrnip,
    settlement_account_with_key,
};

use crate::rng::{DemoRng, between, chance, digits, mix, pick, purpose};

/// How many indices get distinct tax numbers.
pub const UNIQUE_TAX_NUMBERS: u64 = 4_900_000;
/// Multiplier of the bijection; coprime with 4 900 000 = 2⁵·5⁵·7².
const SPREAD: u64 = 1_234_567;

/// A bank with the branches its accounts are opened at.
struct Bank {
    bik: &'static str,
    name: &'static str,
    correspondent: &'static str,
    branches: &'static [&'static str],
}

/// Banks as the Bank of Russia publishes them.
const BANKS: &[Bank] = &[
    Bank {
        bik: "044525225",
        name: "ПАО Сбербанк",
        correspondent: "30101810400000000225",
        branches: &["3800", "3840", "4000"],
    },
    Bank {
        bik: "044525593",
        name: "АО «Альфа-Банк»",
        correspondent: "30101810200000000593",
        branches: &["0420", "1030", "2600"],
    },
    Bank {
        bik: "044525187",
        name: "Банк ВТБ (ПАО)",
        correspondent: "30101810700000000187",
        branches: &["0000", "1450", "2210"],
    },
    Bank {
        bik: "044525974",
        name: "АО «Т-Банк»",
        correspondent: "30101810145250000974",
        branches: &["0000"],
    },
];

/// Sberbank's North-West bank, for clients in the Northwestern district.
const SBER_NORTH_WEST: Bank = Bank {
    bik: "044030653",
    name: "Северо-Западный банк ПАО Сбербанк",
    correspondent: "30101810500000000653",
    branches: &["5500", "5520"],
};

/// The requisites of one counterparty.
#[derive(Debug, Clone)]
pub(crate) struct TaxNumbers {
    /// ИНН.
    pub inn: String,
    /// КПП (empty for a sole proprietor).
    pub kpp: String,
    /// ОГРН or ОГРНИП.
    pub ogrn: String,
    /// The unique seven digits, reused for the first settlement account.
    pub serial: u64,
}

/// The unique tax office and serial of counterparty `index` (below [`UNIQUE_TAX_NUMBERS`]).
fn unique_serial(seed: u64, index: u64) -> u64 {
    let offset = mix(seed, purpose::TAX_NUMBERS) % UNIQUE_TAX_NUMBERS;
    ((index % UNIQUE_TAX_NUMBERS) * SPREAD + offset) % UNIQUE_TAX_NUMBERS
}

/// ИНН, КПП and ОГРН(ИП) of counterparty `index`, registered in `tax_region`.
pub(crate) fn tax_numbers(
    rng: &mut DemoRng,
    seed: u64,
    index: u64,
    tax_region: &str,
    sole_proprietor: bool,
) -> TaxNumbers {
    let serial = unique_serial(seed, index);
    let office = serial / 100_000 + 1;
    let number = serial % 100_000;
    let body = format!("{tax_region}{office:02}{number:05}");
    if sole_proprietor {
        let year = between(rng, 4, 24);
        let tail = digits(rng, 2);
        TaxNumbers {
            inn: complete_inn_person(&format!("{body}{}", digits(rng, 1))),
            kpp: String::new(),
            ogrn: complete_ogrnip(&format!("3{year:02}{body}{tail}")),
            serial,
        }
    } else {
        let inn = complete_inn_legal(&body);
        let year = between(rng, 2, 24);
        TaxNumbers {
            kpp: format!("{}01001", &inn[..4]),
            ogrn: complete_ogrn(&format!("1{year:02}{body}")),
            inn,
            serial,
        }
    }
}

/// One or two accounts at different banks; the first carries the unique serial.
pub(crate) fn bank_accounts(
    rng: &mut DemoRng,
    serial: u64,
    sole_proprietor: bool,
    north_west: bool,
) -> Vec<BankAccountInput> {
    let count = if chance(rng, 30) { 2 } else { 1 };
    let first = crate::rng::below(rng, BANKS.len());
    let prefix = if sole_proprietor {
        "40802810"
    } else {
        "40702810"
    };
    (0..count)
        .map(|n| {
            let bank = match (n, north_west && chance(rng, 50)) {
                (0, true) => &SBER_NORTH_WEST,
                _ => &BANKS[(first + n) % BANKS.len()],
            };
            let number = if n == 0 {
                format!("{serial:07}")
            } else {
                digits(rng, 7)
            };
            let raw = format!("{prefix}0{}{number}", pick(rng, bank.branches));
            BankAccountInput {
                bik: bank.bik.into(),
                bank_name: bank.name.into(),
                correspondent_account: bank.correspondent.into(),
                account: settlement_account_with_key(bank.bik, &raw),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_serial_is_a_bijection_on_its_range() {
        let mut seen = vec![false; UNIQUE_TAX_NUMBERS as usize];
        for index in 0..UNIQUE_TAX_NUMBERS {
            let serial = unique_serial(42, index) as usize;
            assert!(!seen[serial], "index {index}");
            seen[serial] = true;
        }
    }
}
