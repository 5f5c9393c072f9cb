//! Loading the demo's deals: recipes, leads, and sales replayed through the process engine.
//!
//! Each sale is created by its client's owner and its script ([`ferment_demo::Step`]) is played
//! through the same use cases the pages and the API call (`ferment_web::app::sales::move_in`,
//! `app::tasks::complete_in`), inside the demo's one transaction, so every task, stage mark and
//! timeline entry is the engine's own. Costs are entered by the head of sales (they need the
//! `see_costs` right).

use std::collections::HashMap;

use anyhow::{Context, anyhow};
use ferment_demo::{DemoData, Step};
use ferment_domain::process::{ContractKind, ProcessType, TaskStatus};
use ferment_domain::sale::{SaleInput, SaleLineInput};
use ferment_domain::task::Completion;
use ferment_store::{Tx, leads, recipes, tasks};
use ferment_web::app::sales::{self as sale_cases, StageMove};
use ferment_web::app::tasks as task_cases;
use ferment_web::auth::CurrentUser;
use ferment_web::error::AppError;
use uuid::Uuid;

/// What the deals part of the demo made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DealsReport {
    /// Recipes.
    pub recipes: usize,
    /// Leads.
    pub leads: usize,
    /// Sales.
    pub sales: usize,
}

fn failed(what: String) -> impl FnOnce(AppError) -> anyhow::Error {
    move |error| anyhow!("demo {what}: {error:?}")
}

/// The users the deals are made by, signed in for the load.
struct Actors {
    by_id: HashMap<Uuid, CurrentUser>,
}

impl Actors {
    async fn get(&mut self, tx: &mut Tx, id: Uuid) -> anyhow::Result<&CurrentUser> {
        Ok(match self.by_id.entry(id) {
            std::collections::hash_map::Entry::Occupied(found) => found.into_mut(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                let (user, actor) = ferment_store::access::user_and_actor(tx, id).await?;
                slot.insert(CurrentUser::acting(user, actor))
            }
        })
    }
}

/// Loads recipes, leads and sales; `users` are ids by login, `products` ids by code, `clients`
/// ids by key.
pub async fn load(
    tx: &mut Tx,
    data: &DemoData,
    users: &HashMap<String, Uuid>,
    products: &HashMap<String, Uuid>,
    clients: &HashMap<String, Uuid>,
) -> anyhow::Result<DealsReport> {
    let mut report = DealsReport::default();
    let product = |code: &str| {
        products
            .get(code)
            .copied()
            .ok_or_else(|| anyhow!("demo product {code:?} is unknown"))
    };
    let mut recipe_ids = Vec::new();
    for demo in &data.recipes {
        let mut input = demo.input.clone();
        for (component, code) in input.composition.iter_mut().zip(&demo.product_codes) {
            component.product_id = product(code)?.to_string();
        }
        let recipe = input
            .validate()
            .map_err(|e| anyhow!("demo recipe {:?}: {e:?}", demo.input.name))?;
        let record = recipes::insert(tx, None, &recipe).await?;
        recipe_ids.push(record.meta.id);
        report.recipes += 1;
    }

    let mut lead_ids = Vec::new();
    for demo in &data.leads {
        let mut lead = demo
            .input
            .validate()
            .map_err(|e| anyhow!("demo lead {:?}: {e:?}", demo.input.company_name))?;
        lead.owner_id = users.get(&demo.owner_login).copied();
        let record = leads::insert(tx, lead.owner_id, &lead).await?;
        lead_ids.push((record.record.meta.id, lead));
        report.leads += 1;
    }

    let head = *users
        .get("head")
        .ok_or_else(|| anyhow!("the demo has no head of sales"))?;
    let mut actors = Actors {
        by_id: HashMap::new(),
    };
    for (index, demo) in data.sales.iter().enumerate() {
        let counterparty_id = *clients
            .get(&demo.counterparty_key)
            .ok_or_else(|| anyhow!("demo client {:?} is unknown", demo.counterparty_key))?;
        let client = ferment_store::counterparties::get(tx, counterparty_id).await?;
        let owner = client.data.owner_id.unwrap_or(head);
        let mut lines = Vec::new();
        for line in &demo.lines {
            lines.push(SaleLineInput {
                product_id: product(&line.product_code)?.to_string(),
                quantity: line.quantity.clone(),
                needs_sample: line.needs_sample.to_string(),
                sample_paid: line.sample_paid.to_string(),
                unit_cost: line.unit_cost.clone(),
                ..Default::default()
            });
        }
        let input = SaleInput {
            title: demo.title.clone(),
            counterparty_id: counterparty_id.to_string(),
            owner_id: owner.to_string(),
            lines,
            delivery_terms: demo.delivery_terms.clone(),
            ..Default::default()
        };
        let lead = demo.lead.and_then(|i| lead_ids.get(i)).map(|(id, _)| *id);
        let user = actors.get(tx, owner).await?.clone();
        let sale = sale_cases::create_in(tx, &user, &input, lead)
            .await
            .map_err(failed(format!("sale {index}")))?;
        let sale_id = sale.meta.id;
        if let Some(lead_id) = lead {
            leads::mark_converted(tx, Some(owner), lead_id, counterparty_id, sale_id).await?;
        }
        for step in &demo.script {
            play(tx, &user, sale_id, step, &recipe_ids)
                .await
                .with_context(|| format!("demo sale {index}, step {step:?}"))?;
        }
        let head_user = actors.get(tx, head).await?.clone();
        for cost in &demo.costs {
            sale_cases::add_cost_in(tx, &head_user, sale_id, cost)
                .await
                .map_err(failed(format!("cost of sale {index}")))?;
        }
        report.sales += 1;
    }
    Ok(report)
}

async fn play(
    tx: &mut Tx,
    user: &CurrentUser,
    sale_id: Uuid,
    step: &Step,
    recipe_ids: &[Uuid],
) -> anyhow::Result<()> {
    match step {
        Step::Enter {
            stage,
            process_type,
            contract_kind,
        } => {
            let asked = StageMove {
                stage: (*stage).to_string(),
                process_type: process_type.and_then(ProcessType::from_code),
                contract_kind: contract_kind.and_then(ContractKind::from_code),
                reason: None,
                skip: false,
            };
            sale_cases::move_in(tx, user, sale_id, &asked)
                .await
                .map_err(failed(format!("entering {stage}")))?;
        }
        Step::Lose(reason) => {
            let asked = StageMove {
                stage: "lost".into(),
                reason: Some((*reason).to_string()),
                ..Default::default()
            };
            sale_cases::move_in(tx, user, sale_id, &asked)
                .await
                .map_err(failed("losing".into()))?;
        }
        Step::Complete { task, outcome } => {
            complete_all(tx, user, sale_id, task, outcome.map(str::to_string), None).await?;
        }
        Step::ChooseRecipe(index) => {
            let recipe = recipe_ids
                .get(*index)
                .ok_or_else(|| anyhow!("demo recipe {index} is unknown"))?;
            complete_all(
                tx,
                user,
                sale_id,
                "choose_recipe",
                Some("existing".into()),
                Some(*recipe),
            )
            .await?;
        }
    }
    Ok(())
}

async fn complete_all(
    tx: &mut Tx,
    user: &CurrentUser,
    sale_id: Uuid,
    kind: &str,
    outcome: Option<String>,
    recipe: Option<Uuid>,
) -> anyhow::Result<()> {
    let open: Vec<Uuid> = tasks::of_sale(tx, sale_id)
        .await?
        .into_iter()
        .filter(|t| t.kind == kind && t.status == TaskStatus::Open)
        .map(|t| t.meta.id)
        .collect();
    for id in open {
        let mut data = serde_json::Map::new();
        if let Some(recipe) = recipe {
            data.insert(
                "recipe_id".into(),
                serde_json::Value::String(recipe.to_string()),
            );
        }
        task_cases::complete_in(
            tx,
            user,
            id,
            &Completion {
                outcome: outcome.clone(),
                data,
                comment: None,
            },
        )
        .await
        .map_err(failed(format!("completing {kind}")))?;
    }
    Ok(())
}
