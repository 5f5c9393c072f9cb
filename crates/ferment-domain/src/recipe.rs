//! Recipes: what a client's product is made of (components with their shares), where the recipe
//! came from, and notes on the process. As much as the sales process needs now; the knowledge base
//! will grow it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::coded_enum;
use crate::counterparty::{NAME_MAX, TEXT_MAX, optional_code, optional_id};
use crate::decimal::parse_minor;
use crate::validation::{Errors, FieldError, Problem, optional_text, required_text};

/// Shares are kept in hundredths of a percent (12,5 % is 1250).
pub const SHARE_SCALE: u32 = 2;
/// 100 % in hundredths.
pub const WHOLE: i64 = 100 * 100;

coded_enum! {
    /// Where a recipe stands.
    pub enum RecipeStatus {
        /// Developed in-house.
        InHouse => ("in_house", "Собственная", "In-house"),
        /// Obtained from a partner.
        FromPartner => ("from_partner", "От партнёра", "From a partner"),
        /// Being developed.
        InDevelopment => ("in_development", "В разработке", "In development"),
    }
}

/// One component of a recipe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    /// The product.
    pub product_id: Uuid,
    /// Share in hundredths of a percent.
    pub share: i64,
}

/// A recipe, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recipe {
    /// Name («Йогурт питьевой 2,5 %, стабилизация»).
    pub name: String,
    /// Status.
    pub status: RecipeStatus,
    /// The client it was made for, if any.
    pub counterparty_id: Option<Uuid>,
    /// Components; shares add up to at most 100 %.
    pub composition: Vec<Component>,
    /// Process notes.
    pub notes: Option<String>,
}

/// A component as typed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ComponentInput {
    /// Product id.
    pub product_id: String,
    /// Share in percent (`"12,5"`).
    pub share: String,
}

/// A recipe as typed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecipeInput {
    /// Name.
    pub name: String,
    /// `in_house`, `from_partner`, `in_development`; blank = `in_development`.
    pub status: String,
    /// Counterparty id.
    pub counterparty_id: String,
    /// Components.
    pub composition: Vec<ComponentInput>,
    /// Notes.
    pub notes: String,
}

impl RecipeInput {
    /// Checks every field and returns the recipe, or every problem found.
    pub fn validate(&self) -> Result<Recipe, Vec<FieldError>> {
        let mut errors = Errors::new();
        let name = errors.take("name", required_text(&self.name, NAME_MAX));
        let status = errors
            .take("status", optional_code(&self.status, RecipeStatus::parse))
            .flatten()
            .unwrap_or(RecipeStatus::InDevelopment);
        let counterparty_id = errors
            .take("counterparty_id", optional_id(&self.counterparty_id))
            .flatten();
        let mut composition = Vec::new();
        for (index, component) in self.composition.iter().enumerate() {
            let product_id = errors.take(
                format!("composition[{index}].product_id"),
                optional_id(&component.product_id).and_then(|id| id.ok_or(Problem::Required)),
            );
            let share = errors.take(
                format!("composition[{index}].share"),
                parse_minor(&component.share, SHARE_SCALE).and_then(|share| {
                    if share == 0 || share > WHOLE {
                        Err(Problem::Range { min: 0, max: 100 })
                    } else {
                        Ok(share)
                    }
                }),
            );
            if let (Some(product_id), Some(share)) = (product_id, share) {
                if composition
                    .iter()
                    .any(|c: &Component| c.product_id == product_id)
                {
                    errors.add(
                        format!("composition[{index}].product_id"),
                        Problem::Duplicate {
                            existing: format!("composition[{}]", composition.len()),
                        },
                    );
                }
                composition.push(Component { product_id, share });
            }
        }
        if composition.iter().map(|c| c.share).sum::<i64>() > WHOLE {
            errors.add(
                "composition",
                Problem::Rule {
                    ru: "Сумма долей больше 100 %".into(),
                    en: "The shares add up to more than 100 %".into(),
                },
            );
        }
        let notes = errors
            .take("notes", optional_text(&self.notes, TEXT_MAX))
            .flatten();
        match name {
            Some(name) => errors.finish(Recipe {
                name,
                status,
                counterparty_id,
                composition,
                notes,
            }),
            None => Err(errors.into_vec()),
        }
    }
}

impl From<&Recipe> for RecipeInput {
    fn from(recipe: &Recipe) -> Self {
        RecipeInput {
            name: recipe.name.clone(),
            status: recipe.status.code().into(),
            counterparty_id: recipe
                .counterparty_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
            composition: recipe
                .composition
                .iter()
                .map(|c| ComponentInput {
                    product_id: c.product_id.to_string(),
                    share: crate::decimal::format_plain(c.share, SHARE_SCALE),
                })
                .collect(),
            notes: recipe.notes.clone().unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn component(product: u128, share: &str) -> ComponentInput {
        ComponentInput {
            product_id: Uuid::from_u128(product).to_string(),
            share: share.into(),
        }
    }

    #[test]
    fn shares_are_exact_and_add_up_to_at_most_a_whole() {
        let recipe = RecipeInput {
            name: "Йогурт 2,5 %".into(),
            composition: vec![component(1, "97,5"), component(2, "2.5")],
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(recipe.composition[0].share, 9750);
        assert_eq!(recipe.status, RecipeStatus::InDevelopment);

        let errors = RecipeInput {
            name: "Йогурт".into(),
            composition: vec![component(1, "60"), component(1, "50"), component(2, "0")],
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "composition[1].product_id",
                "composition[2].share",
                "composition"
            ]
        );
    }
}
