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

/// A territory's editable state, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Territory {
    /// Stable code (`RU-MOW`).
    pub code: String,
    /// Russian name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Level.
    pub kind: TerritoryKind,
    /// Parent territory.
    pub parent_id: Option<uuid::Uuid>,
    /// Tax region code (two digits), for Russian regions.
    pub tax_region: Option<String>,
}

/// A territory as typed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct TerritoryInput {
    /// Code.
    pub code: String,
    /// Russian name.
    pub name: String,
    /// English name (the Russian one when blank).
    pub name_en: String,
    /// Kind code.
    pub kind: String,
    /// Parent id.
    pub parent_id: String,
    /// Tax region.
    pub tax_region: String,
}

impl TerritoryInput {
    /// Checks every field.
    pub fn validate(&self) -> Result<Territory, Vec<crate::validation::FieldError>> {
        use crate::validation::{Errors, Problem, optional_text, required_text};
        let mut errors = Errors::new();
        let code = errors
            .take("code", required_text(&self.code, 40))
            .map(|c| c.to_uppercase());
        if let Some(code) = &code
            && !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            errors.add(
                "code",
                Problem::NotAllowed {
                    allowed: vec!["A-Z".into(), "0-9".into(), "-".into()],
                },
            );
        }
        let name = errors.take("name", required_text(&self.name, 200));
        let name_en = errors
            .take("name_en", optional_text(&self.name_en, 200))
            .flatten();
        let kind = errors.take("kind", TerritoryKind::parse(&self.kind));
        let parent_id = errors
            .take(
                "parent_id",
                crate::counterparty::optional_id(&self.parent_id),
            )
            .flatten();
        let tax_region = crate::counterparty::optional_code(&self.tax_region, |v| {
            crate::requisites::validate_bik(&format!("{v}0000000")).map(|_| v.trim().to_string())
        });
        let tax_region = errors.take("tax_region", tax_region).flatten();
        let (Some(code), Some(name), Some(kind)) = (code, name, kind) else {
            return Err(errors.into_vec());
        };
        let name_en = name_en.unwrap_or_else(|| name.clone());
        errors.finish(Territory {
            code,
            name,
            name_en,
            kind,
            parent_id,
            tax_region,
        })
    }
}

/// The area a territory lies in: its path cut after the second level — the federal district
/// `/RU/RU-VFD/` for the region `/RU/RU-VFD/RU-TA/` and for the district itself — or the whole
/// path of a country. Search postings carry their record's area, so that a scope inside one area
/// reads that area's postings only instead of testing every posting's territory.
pub fn area_of(path: &str) -> &str {
    match path.match_indices('/').nth(2) {
        Some((end, _)) => &path[..=end],
        None => path,
    }
}

/// The one area every territory inside `path` (itself included) lies in: `Some` below the country
/// level; `None` for a country, whose districts are areas of their own.
pub fn single_area_inside(path: &str) -> Option<&str> {
    path.match_indices('/').nth(2).map(|(end, _)| &path[..=end])
}

#[cfg(test)]
mod area_tests {
    use super::{area_of, single_area_inside};

    #[test]
    fn a_region_and_its_district_share_the_district_as_area() {
        assert_eq!(area_of("/RU/RU-VFD/RU-TA/"), "/RU/RU-VFD/");
        assert_eq!(area_of("/RU/RU-VFD/"), "/RU/RU-VFD/");
        assert_eq!(area_of("/RU/RU-VFD/RU-TA/KAZAN/"), "/RU/RU-VFD/");
    }

    #[test]
    fn a_country_is_its_own_area_but_spans_several() {
        assert_eq!(area_of("/KZ/"), "/KZ/");
        assert_eq!(single_area_inside("/KZ/"), None);
        assert_eq!(single_area_inside("/RU/"), None);
    }

    #[test]
    fn everything_inside_a_district_or_region_is_in_its_area() {
        for (scope, inside) in [
            ("/RU/RU-VFD/", "/RU/RU-VFD/RU-TA/"),
            ("/RU/RU-VFD/RU-TA/", "/RU/RU-VFD/RU-TA/"),
            ("/RU/RU-VFD/RU-TA/", "/RU/RU-VFD/RU-TA/KAZAN/"),
        ] {
            assert!(inside.starts_with(scope));
            assert_eq!(single_area_inside(scope), Some(area_of(inside)));
        }
    }
}
