//! The sale card: the deal, where it stands in the process (the stage bar and the form that moves
//! it), its open tasks first with their completion forms, the lines with totals and VAT, costs and
//! margin, the contract, the awaiting-order dates, the timeline and the change history.
//!
//! The forms on the card (stage move, contract, costs) post to their own routes; a refusal shows
//! the card again with the message beside the input that caused it, and what was typed kept. Task
//! completion posts to `/tasks/{id}/complete` (see [`super::tasks`]); when the outcome proposes a
//! next stage (`accepted` → `contract`, `rejected` → `lost`) the card comes back with that proposal
//! and a one-click form for it.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use ferment_domain::counterparty::{SHORT_MAX, TEXT_MAX};
use ferment_domain::process::{ContractKind, Definition, ProcessType, Requirement};
use ferment_domain::sale::{Contract, CostCategory, CostInput, totals};
use ferment_domain::validation::{Errors, FieldError, optional_date, optional_text};
use uuid::Uuid;

use super::format::{date, datetime, day, money, number, rate};
use super::forms::{Choice, FieldView, FormData, FormErrors, code_choices};
use super::history::{HistoryView, history_views};
use super::i18n::Entity;
use super::layout::{Chrome, Ctx, PageResult, render, see_other};
use super::lookups::Names;
use super::process_view::{BarStage, TimelineEvent, bar, stage_name, timeline};
use super::tasks::{FormInputs, TaskView, recipe_choices, task_view};
use super::{Fact, notice_of, path_id};
use crate::AppState;
use crate::app::{self, pages_support};
use crate::error::AppError;

/// The stage-move form.
struct MoveForm {
    /// Stage, process type, contract kind and reason, as far as the allowed moves need them.
    fields: Vec<FieldView>,
    /// Stages that may be skipped now: (code, name).
    skips: Vec<(String, String)>,
    /// Which of the optional inputs each stage needs, as JSON (`{"lost": ["reason"]}`), for the
    /// script that shows only those.
    needs: String,
}

/// A move the process proposes after a task's outcome.
struct Suggestion {
    stage: String,
    name: String,
    /// Contract kinds to choose from, when the stage needs one.
    kinds: Vec<Choice>,
    /// Whether the stage needs a reason (losing).
    reason: bool,
}

/// A line of the sale.
struct LineView {
    product: String,
    product_url: String,
    quantity: String,
    price: String,
    vat_rate: String,
    amount: String,
    needs_sample: bool,
    sample_paid: bool,
}

/// A cost of the sale.
struct CostView {
    id: Uuid,
    category: &'static str,
    spent_on: String,
    amount: String,
    vat_rate: String,
    note: String,
}

/// The costs panel (only for users who may see costs).
struct CostsView {
    rows: Vec<CostView>,
    margin: Vec<Fact>,
    form: Vec<FieldView>,
    /// Whether the form was refused (then it is shown open).
    form_open: bool,
}

/// A line of the contract's specification.
struct ContractLineView {
    name: String,
    article: String,
    unit: String,
    quantity: String,
    price: String,
    vat_rate: String,
    amount: String,
}

/// The contract panel.
struct ContractView {
    facts: Vec<Fact>,
    client: Vec<Fact>,
    lines: Vec<ContractLineView>,
    /// The edit form (when the user may change the sale and it is open).
    form: Option<Vec<FieldView>>,
    /// Whether the form was refused (then it is shown open).
    form_open: bool,
}

#[derive(Template)]
#[template(path = "sales/card.html")]
struct CardPage {
    chrome: Chrome,
    id: Uuid,
    version: i64,
    title: String,
    client: String,
    client_url: String,
    stage: String,
    closing: &'static str,
    notice: Option<&'static str>,
    alert: Option<String>,
    problems: Vec<String>,
    facts: Vec<Fact>,
    bar: Vec<BarStage>,
    can_edit: bool,
    mover: Option<MoveForm>,
    suggestion: Option<Suggestion>,
    open_tasks: Vec<TaskView>,
    closed_tasks: Vec<TaskView>,
    lines: Vec<LineView>,
    total: String,
    total_vat: String,
    total_net: String,
    costs: Option<CostsView>,
    contract: Option<ContractView>,
    order: Option<Vec<Fact>>,
    timeline: Vec<TimelineEvent>,
    history: Vec<HistoryView>,
    documents: super::documents::DocsPanel,
    onec: super::onec_panels::SalePanel,
}

/// Which form of the card was posted (its values are shown again as typed).
enum Posted {
    Nothing,
    Move(FormData),
    Contract(FormData),
    Cost(FormData),
}

/// What a request adds to the card: a notice, a proposal, or a refused form with its messages.
struct CardState {
    status: StatusCode,
    notice: Option<&'static str>,
    suggest: Option<String>,
    posted: Posted,
    errors: FormErrors,
    alert: Option<String>,
}

impl CardState {
    fn plain() -> CardState {
        CardState {
            status: StatusCode::OK,
            notice: None,
            suggest: None,
            posted: Posted::Nothing,
            errors: FormErrors::default(),
            alert: None,
        }
    }
}

fn query_value(raw: &str, name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).unwrap_or_default();
    pairs
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.trim().to_string())
        .filter(|value| !value.is_empty())
}

/// `GET /sales/{id}`: the card.
pub async fn show_sale(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let id = path_id(&id)?;
    let raw = raw.unwrap_or_default();
    let card_state = CardState {
        notice: notice_of(ctx.t, &raw),
        suggest: query_value(&raw, "suggest"),
        ..CardState::plain()
    };
    card(&state, &ctx, id, card_state).await
}

fn stage_choices(def: &Definition, allowed: &[String], current: &str, ctx: &Ctx) -> Vec<Choice> {
    allowed
        .iter()
        .map(|code| Choice::new(code.clone(), stage_name(def, code, ctx.lang), current))
        .collect()
}

fn kind_choices(ctx: &Ctx, current: &str) -> Vec<Choice> {
    code_choices(
        ContractKind::ALL
            .iter()
            .map(|k| (k.code(), k.label(ctx.lang))),
        current,
        ctx.t.not_set,
    )
}

/// The stage-move form, for a user who may change an open sale.
fn move_form(
    ctx: &Ctx,
    view: &app::sales::SaleView,
    skips: &[String],
    typed: Option<&FormData>,
    errors: &mut FormErrors,
) -> Option<MoveForm> {
    let (t, lang) = (ctx.t, ctx.lang);
    let def = &view.definition;
    let sale = &view.sale;
    if sale.state.closed || (view.allowed.is_empty() && skips.is_empty()) {
        return None;
    }
    let value = |name: &str| typed.map(|f| f.text(name)).unwrap_or_default();
    let mut fields = Vec::new();
    if !view.allowed.is_empty() {
        let stage = typed.map(|f| f.text("stage")).unwrap_or_else(|| {
            // Offer the first open stage ahead, not a closing one.
            view.allowed
                .iter()
                .find(|code| def.stage(code).is_some_and(|s| s.is_open()))
                .cloned()
                .unwrap_or_default()
        });
        fields.push(
            FieldView::text("stage", t.move_to, &stage, errors).select(stage_choices(
                def,
                &view.allowed,
                &stage,
                ctx,
            )),
        );
        if sale.data.process_type.is_none() {
            let current = value("process_type");
            fields.push(
                FieldView::text("process_type", t.process_type, &current, errors)
                    .select(code_choices(
                        ProcessType::ALL.iter().map(|p| (p.code(), p.label(lang))),
                        &current,
                        t.not_set,
                    ))
                    .hint(t.process_type_hint),
            );
        }
        let needs_kind = view.allowed.iter().any(|code| {
            def.stage(code)
                .is_some_and(|s| s.requires(Requirement::ContractKind))
        });
        if needs_kind && sale.state.contract_kind.is_none() {
            let current = value("contract_kind");
            fields.push(
                FieldView::text("contract_kind", t.contract_kind, &current, errors)
                    .select(kind_choices(ctx, &current))
                    .hint(t.contract_kind_hint),
            );
        }
        if view
            .allowed
            .iter()
            .any(|code| def.stage(code).is_some_and(|s| s.reason_required))
        {
            fields.push(
                FieldView::text("reason", t.lost_reason, &value("reason"), errors)
                    .hint(t.lost_reason_hint)
                    .wide(),
            );
        }
    }
    let needs: serde_json::Map<String, serde_json::Value> = view
        .allowed
        .iter()
        .filter_map(|code| def.stage(code))
        .map(|stage| {
            let mut wanted = Vec::new();
            if stage.requires(Requirement::ProcessType) && sale.data.process_type.is_none() {
                wanted.push("process_type");
            }
            if stage.requires(Requirement::ContractKind) && sale.state.contract_kind.is_none() {
                wanted.push("contract_kind");
            }
            if stage.reason_required {
                wanted.push("reason");
            }
            (stage.code.clone(), serde_json::json!(wanted))
        })
        .collect();
    Some(MoveForm {
        needs: serde_json::Value::Object(needs).to_string(),
        fields,
        skips: skips
            .iter()
            .map(|code| (code.clone(), stage_name(def, code, lang)))
            .collect(),
    })
}

fn contract_form(
    ctx: &Ctx,
    contract: &Contract,
    typed: Option<&FormData>,
    errors: &mut FormErrors,
) -> Vec<FieldView> {
    let (t, lang) = (ctx.t, ctx.lang);
    let day_text = |d: Option<chrono::NaiveDate>| d.map(|d| day(d, lang)).unwrap_or_default();
    let stored = [
        ("contract.kind", contract.kind.code().to_string()),
        (
            "contract.number",
            contract.number.clone().unwrap_or_default(),
        ),
        ("contract.date", day_text(contract.date)),
        ("contract.valid_until", day_text(contract.valid_until)),
        (
            "contract.delivery_terms",
            contract.delivery_terms.clone().unwrap_or_default(),
        ),
        (
            "contract.payment_terms",
            contract.payment_terms.clone().unwrap_or_default(),
        ),
    ];
    let value = |name: &str| match typed {
        Some(form) => form.text(name),
        None => stored
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
    };
    let kind = value("contract.kind");
    vec![
        FieldView::text("contract.kind", t.contract_kind, &kind, errors).select(
            ContractKind::ALL
                .iter()
                .map(|k| Choice::new(k.code(), k.label(lang), &kind))
                .collect(),
        ),
        FieldView::text(
            "contract.number",
            t.contract_number,
            &value("contract.number"),
            errors,
        ),
        FieldView::text(
            "contract.date",
            t.contract_date,
            &value("contract.date"),
            errors,
        )
        .hint(t.date_hint),
        FieldView::text(
            "contract.valid_until",
            t.valid_until,
            &value("contract.valid_until"),
            errors,
        )
        .hint(t.date_hint),
        FieldView::text(
            "contract.delivery_terms",
            t.delivery_terms,
            &value("contract.delivery_terms"),
            errors,
        )
        .kind("textarea"),
        FieldView::text(
            "contract.payment_terms",
            t.payment_terms,
            &value("contract.payment_terms"),
            errors,
        )
        .kind("textarea"),
        FieldView::text(
            "contract.redraw",
            t.redraw_contract,
            if typed.is_some_and(|f| f.checked("contract.redraw")) {
                "true"
            } else {
                ""
            },
            errors,
        )
        .checkbox()
        .hint(t.redraw_contract_hint)
        .wide(),
    ]
}

fn contract_view(ctx: &Ctx, contract: &Contract, form: Option<Vec<FieldView>>) -> ContractView {
    let (t, lang) = (ctx.t, ctx.lang);
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let day_text = |d: Option<chrono::NaiveDate>| d.map(|d| day(d, lang)).unwrap_or_default();
    let client = &contract.client;
    ContractView {
        facts: vec![
            Fact::plain(t.contract_kind, contract.kind.label(lang)),
            Fact::plain(t.contract_number, &text(&contract.number)),
            Fact::plain(t.contract_date, &day_text(contract.date)),
            Fact::plain(t.valid_until, &day_text(contract.valid_until)),
            Fact::plain(t.delivery_terms, &text(&contract.delivery_terms)),
            Fact::plain(t.payment_terms, &text(&contract.payment_terms)),
        ],
        client: vec![
            Fact::plain(t.name, &client.name),
            Fact::plain(t.full_name, &text(&client.full_name)),
            Fact::number(t.inn, &text(&client.inn)),
            Fact::number(t.kpp, &text(&client.kpp)),
            Fact::number(t.ogrn, &text(&client.ogrn)),
            Fact::plain(t.legal_address, &text(&client.legal_address)),
            Fact::plain(t.bank_name, &text(&client.bank_name)),
            Fact::number(t.bik, &text(&client.bik)),
            Fact::number(t.account, &text(&client.account)),
        ],
        lines: contract
            .lines
            .iter()
            .map(|line| ContractLineView {
                name: line.name.clone(),
                article: line.article.clone().unwrap_or_default(),
                unit: ferment_domain::catalog::Unit::from_code(&line.unit)
                    .map(|u| u.label(lang).to_string())
                    .unwrap_or_else(|| line.unit.clone()),
                quantity: number(line.quantity, 3, true, lang),
                price: money(line.unit_price, "RUB", lang),
                vat_rate: rate(line.vat_rate, lang),
                amount: money(
                    ferment_domain::sale::SaleLine {
                        product_id: line.product_id,
                        quantity: line.quantity,
                        unit_price: line.unit_price,
                        vat_rate: line.vat_rate,
                        needs_sample: false,
                        sample_paid: false,
                        unit_cost: None,
                    }
                    .amount(),
                    "RUB",
                    lang,
                ),
            })
            .collect(),
        form_open: form
            .as_ref()
            .is_some_and(|fields| fields.iter().any(|f| f.error.is_some())),
        form,
    }
}

fn cost_form(ctx: &Ctx, typed: Option<&FormData>, errors: &mut FormErrors) -> Vec<FieldView> {
    let (t, lang) = (ctx.t, ctx.lang);
    let value = |name: &str| typed.map(|f| f.text(name)).unwrap_or_default();
    let category = value("cost.category");
    vec![
        FieldView::text("cost.category", t.cost_category, &category, errors).select(code_choices(
            CostCategory::ALL.iter().map(|c| (c.code(), c.label(lang))),
            &category,
            t.not_set,
        )),
        FieldView::text("cost.amount", t.cost_amount, &value("cost.amount"), errors),
        FieldView::text("cost.vat_rate", t.vat_rate, &value("cost.vat_rate"), errors),
        FieldView::text("cost.spent_on", t.spent_on, &value("cost.spent_on"), errors)
            .hint(t.spent_on_hint),
        FieldView::text("cost.note", t.notes, &value("cost.note"), errors).wide(),
    ]
}

async fn card(state: &AppState, ctx: &Ctx, id: Uuid, mut cs: CardState) -> PageResult {
    let (t, lang) = (ctx.t, ctx.lang);
    let view = app::sales::get(&state.store, &ctx.user, id).await?;
    let entries = app::sales::history(&state.store, &ctx.user, id).await?;
    let events = app::sales::timeline(&state.store, &ctx.user, id).await?;
    let task_rows = app::tasks::list(
        &state.store,
        &ctx.user,
        &ferment_store::tasks::ListQuery {
            sale_id: Some(id),
            limit: 200,
            ..Default::default()
        },
    )
    .await?
    .items;
    let can_edit = pages_support::may_edit_sale(&state.store, &ctx.user, &view.sale).await?;
    let skips = if can_edit {
        pages_support::sale_skips(&state.store, &view).await?
    } else {
        Vec::new()
    };
    let def = view.definition.clone();
    let sale = &view.sale;
    let data = &sale.data;
    let errors = &mut cs.errors;

    // Tasks: open ones first, each with its completion form when the user may complete it.
    let open: Vec<&ferment_store::tasks::ListRow> = task_rows
        .iter()
        .filter(|r| r.task.status == ferment_domain::process::TaskStatus::Open)
        .collect();
    let editable = pages_support::may_edit_tasks(
        &state.store,
        &ctx.user,
        &open.iter().map(|r| &r.task).collect::<Vec<_>>(),
    )
    .await?;
    let needs_recipes = open.iter().any(|row| {
        def.task(&row.task.kind).is_some_and(|template| {
            template
                .outcomes
                .iter()
                .any(|o| o.requires_data.iter().any(|k| k == "recipe_id"))
        })
    });
    let recipes = if needs_recipes {
        recipe_choices(state, ctx).await
    } else {
        Vec::new()
    };
    let back = format!("/sales/{id}");
    let today = app::process::today();
    let open_tasks = open
        .iter()
        .zip(editable)
        .map(|(row, may)| {
            let inputs = may.then(|| FormInputs {
                back: back.clone(),
                recipes: &recipes,
                posted: None,
            });
            task_view(ctx, &def, row, today, inputs)
        })
        .collect();
    let closed_tasks = task_rows
        .iter()
        .filter(|r| r.task.status != ferment_domain::process::TaskStatus::Open)
        .map(|row| task_view(ctx, &def, row, today, None))
        .collect();

    let mover = if can_edit {
        let typed = match &cs.posted {
            Posted::Move(form) => Some(form),
            _ => None,
        };
        move_form(ctx, &view, &skips, typed, errors)
    } else {
        None
    };
    let suggestion = cs
        .suggest
        .as_deref()
        .filter(|code| can_edit && view.allowed.iter().any(|a| a == code))
        .and_then(|code| def.stage(code))
        .map(|stage| Suggestion {
            stage: stage.code.clone(),
            name: stage.name(lang).to_string(),
            kinds: if stage.requires(Requirement::ContractKind)
                && sale.state.contract_kind.is_none()
            {
                kind_choices(ctx, "")
            } else {
                Vec::new()
            },
            reason: stage.reason_required,
        });

    let mut products: HashMap<Uuid, String> = HashMap::new();
    for (line, name) in data.lines.iter().zip(&view.product_names) {
        products.insert(line.product_id, name.clone());
    }
    let lines = data
        .lines
        .iter()
        .zip(&view.product_names)
        .map(|(line, name)| LineView {
            product: name.clone(),
            product_url: format!("/products/{}", line.product_id),
            quantity: number(line.quantity, 3, true, lang),
            price: money(line.unit_price, &data.currency, lang),
            vat_rate: rate(line.vat_rate, lang),
            amount: money(line.amount(), &data.currency, lang),
            needs_sample: line.needs_sample,
            sample_paid: line.sample_paid,
        })
        .collect();
    let sums = totals(&data.lines);

    let costs = view.costs.as_ref().map(|costs| {
        let typed = match &cs.posted {
            Posted::Cost(form) => Some(form),
            _ => None,
        };
        let margin = view.margin.unwrap_or_default();
        CostsView {
            rows: costs
                .iter()
                .map(|cost| {
                    let c = &cost.record.data;
                    CostView {
                        id: cost.record.meta.id,
                        category: c.category.label(lang),
                        spent_on: day(c.spent_on, lang),
                        amount: money(c.amount, &data.currency, lang),
                        vat_rate: rate(c.vat_rate, lang),
                        note: c.note.clone().unwrap_or_default(),
                    }
                })
                .collect(),
            margin: vec![
                Fact::number(t.revenue_net, &money(margin.revenue, &data.currency, lang)),
                Fact::number(
                    t.cost_of_goods,
                    &money(margin.cost_of_goods, &data.currency, lang),
                ),
                Fact::number(t.costs_net, &money(margin.costs, &data.currency, lang)),
                Fact::number(t.margin, &money(margin.margin, &data.currency, lang)),
            ],
            form_open: typed.is_some(),
            form: cost_form(ctx, typed, errors),
        }
    });

    let contract = sale.state.contract.as_ref().map(|contract| {
        let form = (can_edit && !sale.state.closed).then(|| {
            let typed = match &cs.posted {
                Posted::Contract(form) => Some(form),
                _ => None,
            };
            contract_form(ctx, contract, typed, errors)
        });
        contract_view(ctx, contract, form)
    });

    let day_text = |d: Option<chrono::NaiveDate>| d.map(|d| day(d, lang)).unwrap_or_default();
    let order_stage = def
        .stage("awaiting_order")
        .is_some_and(|_| sale.state.stage == "awaiting_order");
    let order = (order_stage
        || data.order_placed_on.is_some()
        || data.invoice_paid_on.is_some()
        || data.delivered_on.is_some())
    .then(|| {
        vec![
            Fact::plain(t.order_placed_on, &day_text(data.order_placed_on)),
            Fact::plain(t.invoice_paid_on, &day_text(data.invoice_paid_on)),
            Fact::plain(t.delivered_on, &day_text(data.delivered_on)),
        ]
    });

    let mut facts = vec![
        Fact::link(
            t.counterparty_id,
            &view.counterparty_name,
            format!("/counterparties/{}", data.counterparty_id),
        ),
        Fact::link(
            t.contact_id,
            view.contact_name.as_deref().unwrap_or(""),
            data.contact_id
                .map(|c| format!("/contacts/{c}"))
                .unwrap_or_default(),
        ),
        Fact::plain(t.owner_id, view.owner_name.as_deref().unwrap_or("")),
        Fact::plain(t.stage, &stage_name(&def, &sale.state.stage, lang)),
        Fact::plain(
            t.process_type,
            data.process_type
                .map(|p| p.label(lang))
                .unwrap_or(t.process_type_unset),
        ),
        Fact::number(t.probability, &format!("{}\u{a0}%", sale.state.probability)),
        Fact::number(t.amount_with_vat, &money(sums.amount, &data.currency, lang)),
        Fact::number(t.vat_included, &money(sums.vat, &data.currency, lang)),
        Fact::number(
            t.expected_amount,
            &data
                .expected_amount
                .map(|a| money(a, &data.currency, lang))
                .unwrap_or_default(),
        ),
        Fact::plain(t.expected_close_date, &day_text(data.expected_close_date)),
        Fact::plain(
            t.delivery_terms,
            data.delivery_terms.as_deref().unwrap_or(""),
        ),
    ];
    if let Some(lead) = sale.lead_id {
        facts.push(Fact::link(t.lead, t.open_lead, format!("/leads/{lead}")));
    }
    if let Some(reason) = &sale.state.lost_reason {
        facts.push(Fact::plain(t.lost_reason, reason));
    }
    if let Some(closed_at) = sale.state.closed_at {
        facts.push(Fact::plain(t.closed_at, &datetime(closed_at, lang)));
    }
    facts.push(Fact::plain(t.created_at, &date(sale.meta.created_at, lang)));
    if let Some(notes) = &data.notes {
        facts.push(Fact::plain(t.notes, notes));
    }

    // The history names people, clients and products instead of ids, stages by their names.
    let mut names = Names::default();
    names.insert(data.counterparty_id, view.counterparty_name.clone());
    if let (Some(contact), Some(name)) = (data.contact_id, &view.contact_name) {
        names.insert(contact, name.clone());
    }
    for (product, name) in &products {
        names.insert(*product, name.clone());
    }
    let user_ids: Vec<Uuid> = super::history::ids_in(&entries, "owner_id");
    names.add_users(&state.store, &ctx.user, user_ids).await?;
    let mut history = history_views(&entries, t, lang, Entity::Sale, &names);
    for entry in &mut history {
        for change in &mut entry.changes {
            if change.field == "stage" {
                for value in [&mut change.old, &mut change.new] {
                    if !value.is_empty() {
                        *value = stage_name(&def, value, lang);
                    }
                }
            }
        }
    }

    let closing = match def.stage(&sale.state.stage).map(|s| s.kind) {
        Some(ferment_domain::process::StageKind::Won) => "won",
        Some(ferment_domain::process::StageKind::Lost) => "lost",
        _ => "",
    };
    let problems = std::mem::take(&mut cs.errors).rest(t, Entity::Sale);
    let asking: Vec<(Uuid, String)> = open
        .iter()
        .map(|r| (r.task.meta.id, r.task.kind.clone()))
        .collect();
    let documents = super::documents::sale_panel(state, ctx, sale, &asking).await?;
    let onec = super::onec_panels::sale_panel(state, ctx, id, can_edit).await?;
    let page = CardPage {
        chrome: ctx.chrome("sales", data.title.clone()),
        id,
        version: sale.meta.version,
        title: data.title.clone(),
        client: view.counterparty_name.clone(),
        client_url: format!("/counterparties/{}", data.counterparty_id),
        stage: stage_name(&def, &sale.state.stage, lang),
        closing,
        notice: cs.notice,
        alert: cs
            .alert
            .or_else(|| (!problems.is_empty()).then(|| t.not_done.to_string())),
        problems,
        facts,
        bar: bar(&def, &view.bar, lang),
        can_edit: can_edit && !sale.state.closed,
        mover,
        suggestion,
        open_tasks,
        closed_tasks,
        lines,
        total: money(sums.amount, &data.currency, lang),
        total_vat: money(sums.vat, &data.currency, lang),
        total_net: money(sums.net, &data.currency, lang),
        costs,
        contract,
        order,
        timeline: timeline(&def, &events, &products, t, lang),
        history,
        documents,
        onec,
    };
    Ok(render(cs.status, &page))
}

/// The card again after a refused post of one of its forms.
async fn refused(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    posted: Posted,
    error: AppError,
    prefix: &str,
) -> PageResult {
    let (status, errors, alert) = match error {
        AppError::Invalid(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            prefixed(errors, prefix),
            ctx.t.not_done.to_string(),
        ),
        AppError::Conflict(errors) => (
            StatusCode::CONFLICT,
            prefixed(errors, prefix),
            ctx.t.not_done.to_string(),
        ),
        AppError::StaleVersion { .. } => (
            StatusCode::CONFLICT,
            Vec::new(),
            format!("{} {}", ctx.t.stale_title, ctx.t.stale_card),
        ),
        other => return Err(other.into()),
    };
    let card_state = CardState {
        status,
        posted,
        errors: FormErrors::new(&errors, ctx.lang),
        alert: Some(alert),
        ..CardState::plain()
    };
    card(state, ctx, id, card_state).await
}

/// The card again after a refused document generation or order for 1C (its messages listed
/// above the card).
pub async fn refused_document(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    error: AppError,
) -> PageResult {
    refused(state, ctx, id, Posted::Nothing, error, "").await
}

/// The use case's field names with the card form's prefix (`amount` → `cost.amount`).
fn prefixed(errors: Vec<FieldError>, prefix: &str) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|mut error| {
            if !prefix.is_empty() && !error.field.starts_with(prefix) {
                error.field = format!("{prefix}{}", error.field);
            }
            error
        })
        .collect()
}

/// Parses an optional code of a form (`""` → none).
fn optional_code<T>(
    errors: &mut Errors,
    field: &str,
    value: &str,
    parse: fn(&str) -> Result<T, ferment_domain::validation::Problem>,
) -> Option<T> {
    if value.trim().is_empty() {
        None
    } else {
        errors.take(field, parse(value))
    }
}

/// `POST /sales/{id}/stage`: enters a stage (closing the sale included) or, with `skip`, skips one.
pub async fn move_sale(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = path_id(&id)?;
    let form = FormData::parse(&body);
    let mut errors = Errors::new();
    let process_type = optional_code(
        &mut errors,
        "process_type",
        &form.text("process_type"),
        ProcessType::parse,
    );
    let contract_kind = optional_code(
        &mut errors,
        "contract_kind",
        &form.text("contract_kind"),
        ContractKind::parse,
    );
    let skip = form.checked("skip");
    let result = match errors.finish(()) {
        Err(errors) => Err(AppError::Invalid(errors)),
        Ok(()) => {
            let asked = app::sales::StageMove {
                stage: form.text("stage").trim().to_string(),
                process_type,
                contract_kind,
                reason: Some(form.text("reason")).filter(|r| !r.trim().is_empty()),
                skip,
            };
            app::sales::move_stage(&state.store, &ctx.user, id, &asked).await
        }
    };
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/sales/{id}?done={}",
            if skip { "skipped" } else { "moved" }
        ))),
        Err(error) => refused(&state, &ctx, id, Posted::Move(form), error, "").await,
    }
}

/// `POST /sales/{id}/contract`: saves the contract's fields (optionally redrawn from the sale).
pub async fn save_contract(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = path_id(&id)?;
    let form = FormData::parse(&body);
    let typed = form.clone();
    let edit = move |current: Contract| {
        let mut errors = Errors::new();
        let kind = errors.take(
            "contract.kind",
            ContractKind::parse(&typed.text("contract.kind")),
        );
        let number = errors
            .take(
                "contract.number",
                optional_text(&typed.text("contract.number"), SHORT_MAX),
            )
            .flatten();
        let date = errors
            .take("contract.date", optional_date(&typed.text("contract.date")))
            .flatten();
        let valid_until = errors
            .take(
                "contract.valid_until",
                optional_date(&typed.text("contract.valid_until")),
            )
            .flatten();
        let delivery_terms = errors
            .take(
                "contract.delivery_terms",
                optional_text(&typed.text("contract.delivery_terms"), TEXT_MAX),
            )
            .flatten();
        let payment_terms = errors
            .take(
                "contract.payment_terms",
                optional_text(&typed.text("contract.payment_terms"), TEXT_MAX),
            )
            .flatten();
        let kind = kind.unwrap_or(current.kind);
        errors.finish(Contract {
            kind,
            number,
            date,
            valid_until,
            // A redrawn contract takes the sale's delivery terms unless the user typed others.
            delivery_terms: delivery_terms.or(current.delivery_terms.clone()),
            payment_terms,
            ..current
        })
    };
    let redraw = form.checked("contract.redraw");
    match app::sales::update_contract(&state.store, &ctx.user, id, form.version(), edit, redraw)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/sales/{id}?done=saved"))),
        Err(error) => refused(&state, &ctx, id, Posted::Contract(form), error, "contract.").await,
    }
}

/// `POST /sales/{id}/costs`: adds a cost.
pub async fn add_cost(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = path_id(&id)?;
    let form = FormData::parse(&body);
    let input = CostInput {
        category: form.text("cost.category"),
        amount: form.text("cost.amount"),
        vat_rate: form.text("cost.vat_rate"),
        spent_on: form.text("cost.spent_on"),
        note: form.text("cost.note"),
        task_id: String::new(),
    };
    match app::sales::add_cost(&state.store, &ctx.user, id, &input).await {
        Ok(_) => Ok(see_other(&format!("/sales/{id}?done=created"))),
        Err(error) => refused(&state, &ctx, id, Posted::Cost(form), error, "cost.").await,
    }
}

/// `POST /sales/{id}/costs/{cost_id}/delete`: removes a cost.
pub async fn delete_cost(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, cost_id)): Path<(String, String)>,
) -> PageResult {
    let id = path_id(&id)?;
    let cost_id = path_id(&cost_id)?;
    app::sales::delete_cost(&state.store, &ctx.user, cost_id).await?;
    Ok(see_other(&format!("/sales/{id}?done=deleted")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferment_domain::validation::Problem;

    #[test]
    fn messages_of_a_card_form_carry_its_prefix() {
        let errors = prefixed(
            vec![
                FieldError::new("amount", Problem::Required),
                FieldError::new("cost.category", Problem::Required),
            ],
            "cost.",
        );
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["cost.amount", "cost.category"]);
    }
}
