//! The shipped territory tree: Russia, its eight federal districts and its 89 regions (the subjects
//! of the federation as the tax service lists them), and the CIS countries.
//!
//! Codes follow ISO 3166-1 for countries and ISO 3166-2 for regions. Six regions have no ISO 3166-2
//! code of their own, so Ferment uses these (stable, never to be renamed):
//!
//! | code | region |
//! | --- | --- |
//! | `RU-CR` | Республика Крым |
//! | `RU-SEV` | Севастополь |
//! | `RU-DPR` | Донецкая Народная Республика |
//! | `RU-LPR` | Луганская Народная Республика |
//! | `RU-ZAP` | Запорожская область |
//! | `RU-KHE` | Херсонская область |
//!
//! Federal districts have no ISO code either: `RU-CFD`, `RU-NWFD`, `RU-SFD`, `RU-NCFD`, `RU-VFD`,
//! `RU-UFD`, `RU-SIB`, `RU-FEFD`. Districts follow the current presidential decrees: Buryatia and
//! Zabaykalsky Krai in the Far Eastern district (since 2018), Crimea, Sevastopol and the four regions
//! admitted in 2022 in the Southern district.
//!
//! `tax_region` is the region's code in tax numbers — the first two digits of an ИНН, КПП or tax
//! office code registered there (`77` Moscow, `50` Moscow Oblast, `91` Crimea, `93` Donetsk …).

use super::{TerritoryKind, TerritorySeed};

const fn country(
    code: &'static str,
    name_ru: &'static str,
    name_en: &'static str,
) -> TerritorySeed {
    TerritorySeed {
        code,
        name_ru,
        name_en,
        kind: TerritoryKind::Country,
        parent_code: None,
        tax_region: None,
    }
}

const fn district(
    code: &'static str,
    name_ru: &'static str,
    name_en: &'static str,
) -> TerritorySeed {
    TerritorySeed {
        code,
        name_ru,
        name_en,
        kind: TerritoryKind::FederalDistrict,
        parent_code: Some("RU"),
        tax_region: None,
    }
}

const fn region(
    code: &'static str,
    name_ru: &'static str,
    name_en: &'static str,
    district: &'static str,
    tax_region: &'static str,
) -> TerritorySeed {
    TerritorySeed {
        code,
        name_ru,
        name_en,
        kind: TerritoryKind::Region,
        parent_code: Some(district),
        tax_region: Some(tax_region),
    }
}

const CFD: &str = "RU-CFD";
const NWFD: &str = "RU-NWFD";
const SFD: &str = "RU-SFD";
const NCFD: &str = "RU-NCFD";
const VFD: &str = "RU-VFD";
const UFD: &str = "RU-UFD";
const SIB: &str = "RU-SIB";
const FEFD: &str = "RU-FEFD";

/// Russia's federal districts and regions, and the CIS countries, parents before children.
#[rustfmt::skip]
pub const SEED: &[TerritorySeed] = &[
    country("RU", "Россия", "Russia"),
    district("RU-CFD", "Центральный федеральный округ", "Central Federal District"),
    district("RU-NWFD", "Северо-Западный федеральный округ", "Northwestern Federal District"),
    district("RU-SFD", "Южный федеральный округ", "Southern Federal District"),
    district("RU-NCFD", "Северо-Кавказский федеральный округ", "North Caucasian Federal District"),
    district("RU-VFD", "Приволжский федеральный округ", "Volga Federal District"),
    district("RU-UFD", "Уральский федеральный округ", "Ural Federal District"),
    district("RU-SIB", "Сибирский федеральный округ", "Siberian Federal District"),
    district("RU-FEFD", "Дальневосточный федеральный округ", "Far Eastern Federal District"),
    // Central Federal District
    region("RU-BEL", "Белгородская область", "Belgorod Oblast", CFD, "31"),
    region("RU-BRY", "Брянская область", "Bryansk Oblast", CFD, "32"),
    region("RU-VLA", "Владимирская область", "Vladimir Oblast", CFD, "33"),
    region("RU-VOR", "Воронежская область", "Voronezh Oblast", CFD, "36"),
    region("RU-IVA", "Ивановская область", "Ivanovo Oblast", CFD, "37"),
    region("RU-KLU", "Калужская область", "Kaluga Oblast", CFD, "40"),
    region("RU-KOS", "Костромская область", "Kostroma Oblast", CFD, "44"),
    region("RU-KRS", "Курская область", "Kursk Oblast", CFD, "46"),
    region("RU-LIP", "Липецкая область", "Lipetsk Oblast", CFD, "48"),
    region("RU-MOS", "Московская область", "Moscow Oblast", CFD, "50"),
    region("RU-ORL", "Орловская область", "Oryol Oblast", CFD, "57"),
    region("RU-RYA", "Рязанская область", "Ryazan Oblast", CFD, "62"),
    region("RU-SMO", "Смоленская область", "Smolensk Oblast", CFD, "67"),
    region("RU-TAM", "Тамбовская область", "Tambov Oblast", CFD, "68"),
    region("RU-TVE", "Тверская область", "Tver Oblast", CFD, "69"),
    region("RU-TUL", "Тульская область", "Tula Oblast", CFD, "71"),
    region("RU-YAR", "Ярославская область", "Yaroslavl Oblast", CFD, "76"),
    region("RU-MOW", "Москва", "Moscow", CFD, "77"),
    // Northwestern Federal District
    region("RU-KR", "Республика Карелия", "Republic of Karelia", NWFD, "10"),
    region("RU-KO", "Республика Коми", "Komi Republic", NWFD, "11"),
    region("RU-ARK", "Архангельская область", "Arkhangelsk Oblast", NWFD, "29"),
    region("RU-VLG", "Вологодская область", "Vologda Oblast", NWFD, "35"),
    region("RU-KGD", "Калининградская область", "Kaliningrad Oblast", NWFD, "39"),
    region("RU-LEN", "Ленинградская область", "Leningrad Oblast", NWFD, "47"),
    region("RU-MUR", "Мурманская область", "Murmansk Oblast", NWFD, "51"),
    region("RU-NGR", "Новгородская область", "Novgorod Oblast", NWFD, "53"),
    region("RU-PSK", "Псковская область", "Pskov Oblast", NWFD, "60"),
    region("RU-SPE", "Санкт-Петербург", "Saint Petersburg", NWFD, "78"),
    region("RU-NEN", "Ненецкий автономный округ", "Nenets Autonomous Okrug", NWFD, "83"),
    // Southern Federal District
    region("RU-AD", "Республика Адыгея", "Republic of Adygea", SFD, "01"),
    region("RU-KL", "Республика Калмыкия", "Republic of Kalmykia", SFD, "08"),
    region("RU-KDA", "Краснодарский край", "Krasnodar Krai", SFD, "23"),
    region("RU-AST", "Астраханская область", "Astrakhan Oblast", SFD, "30"),
    region("RU-VGG", "Волгоградская область", "Volgograd Oblast", SFD, "34"),
    region("RU-ROS", "Ростовская область", "Rostov Oblast", SFD, "61"),
    region("RU-ZAP", "Запорожская область", "Zaporozhye Oblast", SFD, "90"),
    region("RU-CR", "Республика Крым", "Republic of Crimea", SFD, "91"),
    region("RU-SEV", "Севастополь", "Sevastopol", SFD, "92"),
    region("RU-DPR", "Донецкая Народная Республика", "Donetsk People's Republic", SFD, "93"),
    region("RU-LPR", "Луганская Народная Республика", "Luhansk People's Republic", SFD, "94"),
    region("RU-KHE", "Херсонская область", "Kherson Oblast", SFD, "95"),
    // North Caucasian Federal District
    region("RU-DA", "Республика Дагестан", "Republic of Dagestan", NCFD, "05"),
    region("RU-IN", "Республика Ингушетия", "Republic of Ingushetia", NCFD, "06"),
    region("RU-KB", "Кабардино-Балкарская Республика", "Kabardino-Balkarian Republic", NCFD, "07"),
    region("RU-KC", "Карачаево-Черкесская Республика", "Karachay-Cherkess Republic", NCFD, "09"),
    region("RU-SE", "Республика Северная Осетия — Алания", "Republic of North Ossetia–Alania", NCFD, "15"),
    region("RU-CE", "Чеченская Республика", "Chechen Republic", NCFD, "20"),
    region("RU-STA", "Ставропольский край", "Stavropol Krai", NCFD, "26"),
    // Volga Federal District
    region("RU-BA", "Республика Башкортостан", "Republic of Bashkortostan", VFD, "02"),
    region("RU-ME", "Республика Марий Эл", "Mari El Republic", VFD, "12"),
    region("RU-MO", "Республика Мордовия", "Republic of Mordovia", VFD, "13"),
    region("RU-TA", "Республика Татарстан", "Republic of Tatarstan", VFD, "16"),
    region("RU-UD", "Удмуртская Республика", "Udmurt Republic", VFD, "18"),
    region("RU-CU", "Чувашская Республика", "Chuvash Republic", VFD, "21"),
    region("RU-KIR", "Кировская область", "Kirov Oblast", VFD, "43"),
    region("RU-NIZ", "Нижегородская область", "Nizhny Novgorod Oblast", VFD, "52"),
    region("RU-ORE", "Оренбургская область", "Orenburg Oblast", VFD, "56"),
    region("RU-PNZ", "Пензенская область", "Penza Oblast", VFD, "58"),
    region("RU-PER", "Пермский край", "Perm Krai", VFD, "59"),
    region("RU-SAM", "Самарская область", "Samara Oblast", VFD, "63"),
    region("RU-SAR", "Саратовская область", "Saratov Oblast", VFD, "64"),
    region("RU-ULY", "Ульяновская область", "Ulyanovsk Oblast", VFD, "73"),
    // Ural Federal District
    region("RU-KGN", "Курганская область", "Kurgan Oblast", UFD, "45"),
    region("RU-SVE", "Свердловская область", "Sverdlovsk Oblast", UFD, "66"),
    region("RU-TYU", "Тюменская область", "Tyumen Oblast", UFD, "72"),
    region("RU-CHE", "Челябинская область", "Chelyabinsk Oblast", UFD, "74"),
    region("RU-KHM", "Ханты-Мансийский автономный округ — Югра", "Khanty-Mansi Autonomous Okrug — Yugra", UFD, "86"),
    region("RU-YAN", "Ямало-Ненецкий автономный округ", "Yamalo-Nenets Autonomous Okrug", UFD, "89"),
    // Siberian Federal District
    region("RU-AL", "Республика Алтай", "Altai Republic", SIB, "04"),
    region("RU-TY", "Республика Тыва", "Tuva Republic", SIB, "17"),
    region("RU-KK", "Республика Хакасия", "Republic of Khakassia", SIB, "19"),
    region("RU-ALT", "Алтайский край", "Altai Krai", SIB, "22"),
    region("RU-KYA", "Красноярский край", "Krasnoyarsk Krai", SIB, "24"),
    region("RU-IRK", "Иркутская область", "Irkutsk Oblast", SIB, "38"),
    region("RU-KEM", "Кемеровская область — Кузбасс", "Kemerovo Oblast — Kuzbass", SIB, "42"),
    region("RU-NVS", "Новосибирская область", "Novosibirsk Oblast", SIB, "54"),
    region("RU-OMS", "Омская область", "Omsk Oblast", SIB, "55"),
    region("RU-TOM", "Томская область", "Tomsk Oblast", SIB, "70"),
    // Far Eastern Federal District
    region("RU-BU", "Республика Бурятия", "Republic of Buryatia", FEFD, "03"),
    region("RU-SA", "Республика Саха (Якутия)", "Sakha (Yakutia) Republic", FEFD, "14"),
    region("RU-PRI", "Приморский край", "Primorsky Krai", FEFD, "25"),
    region("RU-KHA", "Хабаровский край", "Khabarovsk Krai", FEFD, "27"),
    region("RU-AMU", "Амурская область", "Amur Oblast", FEFD, "28"),
    region("RU-KAM", "Камчатский край", "Kamchatka Krai", FEFD, "41"),
    region("RU-MAG", "Магаданская область", "Magadan Oblast", FEFD, "49"),
    region("RU-SAK", "Сахалинская область", "Sakhalin Oblast", FEFD, "65"),
    region("RU-ZAB", "Забайкальский край", "Zabaykalsky Krai", FEFD, "75"),
    region("RU-YEV", "Еврейская автономная область", "Jewish Autonomous Oblast", FEFD, "79"),
    region("RU-CHU", "Чукотский автономный округ", "Chukotka Autonomous Okrug", FEFD, "87"),
    // The CIS countries, and Turkmenistan as an associate member
    country("BY", "Беларусь", "Belarus"),
    country("KZ", "Казахстан", "Kazakhstan"),
    country("UZ", "Узбекистан", "Uzbekistan"),
    country("KG", "Киргизия", "Kyrgyzstan"),
    country("TJ", "Таджикистан", "Tajikistan"),
    country("AM", "Армения", "Armenia"),
    country("AZ", "Азербайджан", "Azerbaijan"),
    country("MD", "Молдова", "Moldova"),
    country("TM", "Туркмения", "Turkmenistan"),
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn find(code: &str) -> Option<&'static TerritorySeed> {
        SEED.iter().find(|t| t.code == code)
    }

    fn regions() -> impl Iterator<Item = &'static TerritorySeed> {
        SEED.iter().filter(|t| t.kind == TerritoryKind::Region)
    }

    #[test]
    fn codes_are_unique() {
        let mut seen = HashSet::new();
        for territory in SEED {
            assert!(seen.insert(territory.code), "{} twice", territory.code);
        }
    }

    #[test]
    fn every_parent_comes_before_its_children() {
        let mut seen = HashSet::new();
        for territory in SEED {
            if let Some(parent) = territory.parent_code {
                assert!(
                    seen.contains(parent),
                    "{} before its parent {parent}",
                    territory.code
                );
            }
            seen.insert(territory.code);
        }
    }

    #[test]
    fn levels_nest_country_district_region() {
        for territory in SEED {
            let parent_kind = territory.parent_code.map(|code| find(code).unwrap().kind);
            let expected = match territory.kind {
                TerritoryKind::Country => None,
                TerritoryKind::FederalDistrict => Some(TerritoryKind::Country),
                TerritoryKind::Region => Some(TerritoryKind::FederalDistrict),
            };
            assert_eq!(parent_kind, expected, "{}", territory.code);
        }
    }

    #[test]
    fn russia_has_eight_federal_districts_and_eighty_nine_regions() {
        let districts = SEED
            .iter()
            .filter(|t| t.kind == TerritoryKind::FederalDistrict)
            .inspect(|t| assert_eq!(t.parent_code, Some("RU")))
            .count();
        assert_eq!(districts, 8);
        assert_eq!(regions().count(), 89);
    }

    #[test]
    fn every_region_has_a_unique_two_digit_tax_region_and_a_district() {
        let mut seen = HashSet::new();
        for region in regions() {
            let tax = region
                .tax_region
                .unwrap_or_else(|| panic!("{} has no tax region", region.code));
            assert!(
                tax.len() == 2 && tax.bytes().all(|b| b.is_ascii_digit()),
                "{tax}"
            );
            assert!(seen.insert(tax), "tax region {tax} twice");
            let district = find(region.parent_code.unwrap()).unwrap();
            assert_eq!(
                district.kind,
                TerritoryKind::FederalDistrict,
                "{}",
                region.code
            );
            assert!(region.code.starts_with("RU-"));
        }
        assert!(
            SEED.iter()
                .filter(|t| t.kind != TerritoryKind::Region)
                .all(|t| t.tax_region.is_none())
        );
    }

    #[test]
    fn well_known_regions_have_their_tax_codes_and_districts() {
        let cases = [
            ("RU-MOW", "77", CFD),
            ("RU-SPE", "78", NWFD),
            ("RU-MOS", "50", CFD),
            ("RU-LEN", "47", NWFD),
            ("RU-KDA", "23", SFD),
            ("RU-TA", "16", VFD),
            ("RU-BA", "02", VFD),
            ("RU-SVE", "66", UFD),
            ("RU-NVS", "54", SIB),
            ("RU-BU", "03", FEFD),
            ("RU-ZAB", "75", FEFD),
            ("RU-STA", "26", NCFD),
            ("RU-CR", "91", SFD),
            ("RU-SEV", "92", SFD),
            ("RU-DPR", "93", SFD),
            ("RU-KHM", "86", UFD),
        ];
        for (code, tax, district) in cases {
            let region = find(code).unwrap_or_else(|| panic!("{code} missing"));
            assert_eq!(
                (region.tax_region, region.parent_code),
                (Some(tax), Some(district)),
                "{code}"
            );
        }
    }

    #[test]
    fn the_cis_countries_are_top_level() {
        for code in ["BY", "KZ", "UZ", "KG", "TJ", "AM", "AZ", "MD", "TM"] {
            let country = find(code).unwrap_or_else(|| panic!("{code} missing"));
            assert_eq!(
                (country.kind, country.parent_code),
                (TerritoryKind::Country, None)
            );
        }
    }
}
