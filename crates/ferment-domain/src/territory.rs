//! Territories: a tree of country → federal district → region that clients and users belong to.
//!
//! The shipped tree (Russia's federal districts and regions, and the CIS countries) lives in
//! [`SEED`]; the store loads it once, keyed by [`TerritorySeed::code`], so reloading never
//! duplicates it.

use serde::Serialize;

use crate::coded_enum;

mod seed;
pub use seed::SEED;

coded_enum! {
    /// The level of a territory in the tree.
    pub enum TerritoryKind {
        /// A country.
        Country => ("country", "Страна", "Country"),
        /// A federal district of Russia.
        FederalDistrict => ("federal_district", "Федеральный округ", "Federal district"),
        /// A region (subject of the federation, oblast, krai, republic …).
        Region => ("region", "Регион", "Region"),
    }
}

/// One territory of the shipped tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TerritorySeed {
    /// Stable code: ISO 3166-1 for countries (`RU`, `BY`), `RU-` and a short name for federal
    /// districts (`RU-CFD`), ISO 3166-2 for regions (`RU-MOW`).
    pub code: &'static str,
    /// Russian name.
    pub name_ru: &'static str,
    /// English name.
    pub name_en: &'static str,
    /// Level.
    pub kind: TerritoryKind,
    /// The parent's code (`None` for countries).
    pub parent_code: Option<&'static str>,
    /// For Russian regions: the two-digit code of the region in tax numbers (the first two digits of
    /// an ИНН registered there), e.g. `77` for Moscow.
    pub tax_region: Option<&'static str>,
}
