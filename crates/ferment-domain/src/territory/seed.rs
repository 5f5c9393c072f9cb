//! The shipped territory tree. (Placeholder: the full list is being written.)

use super::{TerritoryKind, TerritorySeed};

/// Russia's federal districts and regions, and the CIS countries, parents before children.
pub const SEED: &[TerritorySeed] = &[
    TerritorySeed {
        code: "RU",
        name_ru: "Россия",
        name_en: "Russia",
        kind: TerritoryKind::Country,
        parent_code: None,
        tax_region: None,
    },
    TerritorySeed {
        code: "RU-CFD",
        name_ru: "Центральный федеральный округ",
        name_en: "Central Federal District",
        kind: TerritoryKind::FederalDistrict,
        parent_code: Some("RU"),
        tax_region: None,
    },
    TerritorySeed {
        code: "RU-MOW",
        name_ru: "Москва",
        name_en: "Moscow",
        kind: TerritoryKind::Region,
        parent_code: Some("RU-CFD"),
        tax_region: Some("77"),
    },
];
