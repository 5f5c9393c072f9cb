//! Deals for the demo: leads in every status, sales standing at every stage of the process (each
//! with the scripted moves and task outcomes that brought it there, so its tasks, stage bar and
//! timeline are the engine's own), recipes, and costs.
//!
//! A sale is a script, not a snapshot: the loader replays [`Step`]s through the same process
//! engine a user drives, so the demo can never show a state the process could not reach.

use ferment_domain::lead::LeadInput;
use ferment_domain::recipe::{ComponentInput, RecipeInput};
use ferment_domain::sale::CostInput;

use crate::rng::{below, between, chance, pick, purpose, stream};
use crate::{DemoCounterparty, DemoProduct};

/// One move of a demo sale's script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Enter a stage, with the process type or contract kind when given.
    Enter {
        /// Stage code.
        stage: &'static str,
        /// `full` / `short`.
        process_type: Option<&'static str>,
        /// Contract kind.
        contract_kind: Option<&'static str>,
    },
    /// Complete every open task of this kind, with the outcome.
    Complete {
        /// Task kind.
        task: &'static str,
        /// Outcome code.
        outcome: Option<&'static str>,
    },
    /// Complete `choose_recipe` with `existing` and the demo recipe of this index.
    ChooseRecipe(usize),
    /// Close as lost with the reason.
    Lose(&'static str),
}

/// A product line of a demo sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLine {
    /// Product code.
    pub product_code: String,
    /// Quantity as typed.
    pub quantity: String,
    /// Whether the client tests a sample first.
    pub needs_sample: bool,
    /// Whether the sample is paid.
    pub sample_paid: bool,
    /// Unit cost without VAT, as typed (empty: unknown).
    pub unit_cost: String,
}

/// A demo sale: who, what, and the script that brings it to its stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSale {
    /// Key of the client.
    pub counterparty_key: String,
    /// Title.
    pub title: String,
    /// Lines.
    pub lines: Vec<DemoLine>,
    /// Delivery terms.
    pub delivery_terms: String,
    /// The lead it comes from (index into the demo's leads), if any.
    pub lead: Option<usize>,
    /// The script.
    pub script: Vec<Step>,
    /// Costs spent on it.
    pub costs: Vec<CostInput>,
}

/// A demo lead; `input.owner_id` is empty, the owner is `owner_login`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLead {
    /// The lead as typed.
    pub input: LeadInput,
    /// Owner's login.
    pub owner_login: String,
}

/// A demo recipe; component product ids are empty, see `product_codes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoRecipe {
    /// The recipe as typed.
    pub input: RecipeInput,
    /// Product codes of the components, in `input.composition` order.
    pub product_codes: Vec<String>,
}

/// The deals part of the demo.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Deals {
    /// Leads.
    pub leads: Vec<DemoLead>,
    /// Sales.
    pub sales: Vec<DemoSale>,
    /// Recipes.
    pub recipes: Vec<DemoRecipe>,
}

fn enter(stage: &'static str) -> Step {
    Step::Enter {
        stage,
        process_type: None,
        contract_kind: None,
    }
}

fn done(task: &'static str) -> Step {
    Step::Complete {
        task,
        outcome: None,
    }
}

fn outcome(task: &'static str, outcome: &'static str) -> Step {
    Step::Complete {
        task,
        outcome: Some(outcome),
    }
}

/// The script that brings a sale to `target` (an index of [`TARGETS`]).
fn script(target: usize, full: bool) -> Vec<Step> {
    let mut steps = Vec::new();
    if target == 0 {
        return steps;
    }
    steps.push(enter("preliminary_kp"));
    if target == 1 {
        return steps;
    }
    steps.push(outcome(
        "send_preliminary_kp",
        if full { "full" } else { "short" },
    ));
    let kp_work = |steps: &mut Vec<Step>| {
        steps.push(enter("kp"));
        steps.push(done("check_delivery_terms"));
        steps.push(done("prepare_kp"));
        steps.push(done("send_kp"));
    };
    match (target, full) {
        // In the full process: recipe, samples, pilot visit, trial — each left with open work.
        (2, true) => steps.push(enter("recipe")),
        (3, true) => {
            steps.push(enter("recipe"));
            steps.push(Step::ChooseRecipe(0));
            steps.push(done("send_recipe"));
            steps.push(enter("samples"));
        }
        (4, true) => {
            steps.push(enter("samples"));
            steps.push(done("send_sample"));
            steps.push(enter("pilot_visit"));
            steps.push(done("arrange_business_trip"));
        }
        (5, true) => {
            steps.push(enter("industrial_trial"));
            steps.push(done("send_trial_sample"));
        }
        (2..=5, false) | (6, _) => {
            kp_work(&mut steps);
        }
        (7, _) => {
            kp_work(&mut steps);
            steps.push(outcome("get_kp_feedback", "accepted"));
            steps.push(Step::Enter {
                stage: "contract",
                process_type: None,
                contract_kind: Some(if full {
                    "contract_and_specification"
                } else {
                    "specification"
                }),
            });
        }
        (8, _) | (9, _) => {
            kp_work(&mut steps);
            steps.push(outcome("get_kp_feedback", "accepted"));
            steps.push(Step::Enter {
                stage: "contract",
                process_type: None,
                contract_kind: Some("contract_and_specification"),
            });
            steps.push(enter("awaiting_order"));
            if target == 9 {
                steps.push(enter("won"));
            }
        }
        _ => {
            kp_work(&mut steps);
            steps.push(outcome("get_kp_feedback", "rejected"));
            steps.push(Step::Lose(LOST_REASONS[target % LOST_REASONS.len()]));
        }
    }
    steps
}

/// Where demo sales stand, in process order (index 10: lost).
pub const TARGETS: usize = 11;

const LOST_REASONS: &[&str] = &[
    "Выбрали поставщика с ценой ниже на 8 %",
    "Клиент отложил запуск продукта на следующий год",
    "Не прошли испытания на линии клиента",
];

const NEEDS: &[(&str, &str)] = &[
    (
        "Стабилизация питьевого йогурта",
        "Нужна стабилизационная система для питьевого йогурта 2,5 %: расслаивание при хранении",
    ),
    (
        "Улучшитель для батонов",
        "Ищут улучшитель для батонов нарезных, объём до 3 т в месяц",
    ),
    (
        "Каррагинан для ветчины",
        "Замена текущего каррагинана: выход ветчины ниже плана",
    ),
    (
        "Ароматизатор для мороженого",
        "Новый вкус пломбира к летнему сезону",
    ),
    (
        "Пектин для мармелада",
        "Пектин для жевательного мармелада, нужна рецептура и образцы",
    ),
    (
        "Крахмал для соусов",
        "Модифицированный крахмал для соусов горячего розлива",
    ),
];

const SOURCES: &[&str] = &[
    "сайт",
    "выставка «Агропродмаш»",
    "звонок",
    "рекомендация",
    "e-mail рассылка",
];

/// The deals of the demo: about 50 sales spread over every stage and owner, 20 leads, 3 recipes.
pub fn deals(seed: u64, counterparties: &[DemoCounterparty], products: &[DemoProduct]) -> Deals {
    let mut out = Deals::default();
    if counterparties.is_empty() || products.is_empty() {
        return out;
    }
    let mut rng = stream(seed, purpose::DEALS, 0);
    let code = |rng: &mut _| products[below(rng, products.len())].input.code.clone();
    for (index, (name, notes)) in [
        (
            "Йогурт питьевой 2,5 %, стабилизация",
            "Гомогенизация 180 бар, пастеризация 92 °C 5 мин",
        ),
        (
            "Батон нарезной, улучшитель",
            "Внесение с мукой, 0,3 % к массе муки",
        ),
        (
            "Ветчина варёная, влагоудержание",
            "Шприцевание 40 %, массирование 8 ч",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let codes: Vec<String> = (0..3).map(|_| code(&mut rng)).collect();
        let shares = ["0,8", "0,15", "0,05"];
        out.recipes.push(DemoRecipe {
            input: RecipeInput {
                name: name.into(),
                status: ["in_house", "in_house", "from_partner"][index].into(),
                composition: shares
                    .iter()
                    .map(|s| ComponentInput {
                        product_id: String::new(),
                        share: (*s).into(),
                    })
                    .collect(),
                notes: notes.into(),
                ..Default::default()
            },
            product_codes: codes,
        });
    }
    for i in 0..20u64 {
        let client = &counterparties[below(&mut rng, counterparties.len())];
        let (need_title, need) = pick(&mut rng, NEEDS);
        let known = i % 4 == 0;
        let status = ["new", "in_work", "in_work", "qualified", "disqualified"][(i % 5) as usize];
        out.leads.push(DemoLead {
            input: LeadInput {
                source: pick(&mut rng, SOURCES).to_string(),
                company_name: if known {
                    client.input.name.clone()
                } else {
                    format!(
                        "ООО «{}»",
                        [
                            "Вкусный двор",
                            "Северная молочная",
                            "Хлебодар",
                            "Мясной край",
                            "Сладкая жизнь"
                        ][(i % 5) as usize]
                    )
                },
                inn: if known {
                    client.input.inn.clone()
                } else {
                    String::new()
                },
                contact_name: [
                    "Лебедева Ирина",
                    "Попов Алексей",
                    "Семенова Мария",
                    "Фролов Николай",
                ][(i % 4) as usize]
                    .into(),
                email: format!("lead{i}@example.ru"),
                phone: format!("+7 (900) 100-{:02}-{:02}", i / 10, i % 100),
                need: need.to_string(),
                product_interest: need_title.to_string(),
                status: status.into(),
                disqualify_reason: if status == "disqualified" {
                    "Объём закупки слишком мал".into()
                } else {
                    String::new()
                },
                ..Default::default()
            },
            owner_login: client.owner_login.clone(),
        });
    }
    for i in 0..55usize {
        let client = &counterparties[(i * 7 + 3) % counterparties.len()];
        let target = i % TARGETS;
        let full = !i.is_multiple_of(3);
        let line_count = between(&mut rng, 1, 3) as usize;
        let lines: Vec<DemoLine> = (0..line_count)
            .map(|_| DemoLine {
                product_code: code(&mut rng),
                quantity: format!("{}", between(&mut rng, 2, 60) * 25),
                needs_sample: chance(&mut rng, 60),
                sample_paid: chance(&mut rng, 25),
                unit_cost: String::new(),
            })
            .collect();
        let (need_title, _) = pick(&mut rng, NEEDS);
        let mut costs = Vec::new();
        if target >= 3 && full {
            costs.push(CostInput {
                category: "samples".into(),
                amount: format!("{}", between(&mut rng, 3, 25) * 1000),
                vat_rate: "22".into(),
                note: "Доставка образцов курьером".into(),
                ..Default::default()
            });
        }
        if target >= 5 && full {
            costs.push(CostInput {
                category: "business_trip".into(),
                amount: format!("{}", between(&mut rng, 25, 90) * 1000),
                vat_rate: "0".into(),
                note: "Командировка на пилотную линию".into(),
                ..Default::default()
            });
        }
        out.sales.push(DemoSale {
            counterparty_key: client.key.clone(),
            title: format!("{need_title} — {}", client.input.name),
            lines,
            delivery_terms: "Самовывоз со склада Подольск, оплата 30 дней".into(),
            lead: (i < 4).then_some(i * 5 + 3),
            script: script(target, full),
            costs,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_cover_every_stage_and_both_types() {
        let scripts: Vec<Vec<Step>> = (0..TARGETS)
            .flat_map(|t| [script(t, true), script(t, false)])
            .collect();
        for stage in [
            "preliminary_kp",
            "recipe",
            "samples",
            "pilot_visit",
            "industrial_trial",
            "kp",
            "contract",
            "awaiting_order",
            "won",
        ] {
            assert!(
                scripts
                    .iter()
                    .flatten()
                    .any(|s| matches!(s, Step::Enter { stage: st, .. } if *st == stage)),
                "{stage}"
            );
        }
        assert!(scripts.iter().flatten().any(|s| matches!(s, Step::Lose(_))));
    }
}
