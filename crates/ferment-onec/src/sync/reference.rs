//! The small catalogs every run needs first: the organisation, the ruble, units of measure, the
//! price type, and (БП 3.0) the stock account.

use std::collections::HashMap;

use ferment_domain::catalog::Unit;
use uuid::Uuid;

use super::Context;
use crate::OnecResult;
use crate::mapping::{key, text};
use crate::odata::Query;

/// Looked up once per run.
#[derive(Debug, Clone, Default)]
pub struct Reference {
    /// The organisation written on pushed documents (the first one).
    pub organization: Option<Uuid>,
    /// The ruble.
    pub currency: Option<Uuid>,
    /// 1C unit → Ferment unit code.
    pub units: HashMap<Uuid, String>,
    /// The price type whose prices are read.
    pub price_type: Option<Uuid>,
    /// The account stock is read on (accounting registers).
    pub account: Option<Uuid>,
}

/// Loads the reference catalogs that are published.
pub(super) async fn load(ctx: &mut Context<'_>) -> OnecResult<()> {
    let profile = ctx.profile.clone();
    let mut reference = Reference::default();
    if !ctx.missing_sets.contains(&profile.organizations) {
        let orgs = ctx
            .client
            .list(&profile.organizations, &Query::page(0, 1))
            .await?;
        reference.organization = orgs.first().and_then(key);
    }
    if !ctx.missing_sets.contains(&profile.currencies) {
        let currencies = ctx.all(&profile.currencies, None).await?;
        reference.currency = currencies
            .iter()
            .find(|c| text(c, "Code") == "643")
            .and_then(key);
    }
    if !ctx.missing_sets.contains(&profile.units.set) {
        for unit in ctx.all(&profile.units.set, None).await? {
            let Some(ref_key) = key(&unit) else { continue };
            let code = text(&unit, "Code");
            let name = text(&unit, "Description");
            let ferment = profile
                .unit_codes
                .get(&code)
                .cloned()
                .or_else(|| Unit::recognise(Some(&code), &name).map(|u| u.code().to_string()));
            if let Some(ferment) = ferment {
                reference.units.insert(ref_key, ferment);
            }
        }
    }
    if !ctx.missing_sets.contains(&profile.price_types.set) {
        let types = ctx.all(&profile.price_types.set, None).await?;
        reference.price_type = types
            .iter()
            .find(|t| text(t, "Description") == profile.price_types.name)
            .and_then(key);
    }
    if let Some(account) = &profile.stock.account
        && !ctx.missing_sets.contains(&account.set)
    {
        let filter = format!("Code eq {}", crate::odata::literal::string(&account.code));
        let accounts = ctx
            .client
            .list(&account.set, &Query::default().filter(filter))
            .await?;
        reference.account = accounts.first().and_then(key);
    }
    ctx.reference = reference;
    Ok(())
}
