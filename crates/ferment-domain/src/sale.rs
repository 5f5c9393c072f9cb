//! Sales (deals): the client, the products with quantities and prices, the delivery terms, the
//! contract drawn from them, and the sale's money — totals with VAT, costs and margin.
//!
//! The sale's place in the process (stage, process type, closing) is not edited here: it moves only
//! through the process engine ([`crate::process`]). Prices include VAT, as Russian B2B price lists
//! quote them; VAT is extracted at the line's rate (`amount × rate / (100 + rate)`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::coded_enum;
use crate::counterparty::{NAME_MAX, TEXT_MAX, optional_id};
use crate::decimal::{MONEY_SCALE, QUANTITY_SCALE, RATE_SCALE, format_plain, parse_minor};
use crate::process::{ContractKind, ProcessType};
use crate::validation::{Errors, FieldError, Problem, optional_date, optional_text, required_text};

/// Most lines a sale may have.
pub const LINES_MAX: usize = 500;

/// The largest amount of money one line, cost or expected amount may hold: 10 trillion roubles in
/// kopecks. With at most [`LINES_MAX`] lines no sum of a sale can overflow.
pub const AMOUNT_MAX: i64 = 1_000_000_000_000_000;

/// Money typed as text, bounded by [`AMOUNT_MAX`].
fn bounded_money(value: &str) -> Result<Option<i64>, Problem> {
    let amount = optional_minor(value, MONEY_SCALE)?;
    if amount.is_some_and(|a| a > AMOUNT_MAX) {
        return Err(Problem::Range {
            min: 0,
            max: AMOUNT_MAX / 100,
        });
    }
    Ok(amount)
}

/// One product of a sale, validated. Money in kopecks (VAT included), quantity in thousandths,
/// the VAT rate in hundredths of a percent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleLine {
    /// The product.
    pub product_id: Uuid,
    /// Quantity in thousandths of the product's unit.
    pub quantity: i64,
    /// Price per unit in kopecks, VAT included.
    pub unit_price: i64,
    /// VAT rate in hundredths of a percent.
    pub vat_rate: i64,
    /// Whether the client must test a sample first (the samples stage works on these lines).
    pub needs_sample: bool,
    /// Whether the client pays for the sample (a paid trial sample needs a contract approved).
    pub sample_paid: bool,
    /// Cost of goods per unit in kopecks without VAT, when known (for the margin).
    pub unit_cost: Option<i64>,
}

impl SaleLine {
    /// The line's total in kopecks, VAT included, rounded half away from zero.
    pub fn amount(&self) -> i64 {
        round_div(
            i128::from(self.quantity) * i128::from(self.unit_price),
            1000,
        )
    }

    /// The VAT inside [`SaleLine::amount`].
    pub fn vat_amount(&self) -> i64 {
        vat_inside(self.amount(), self.vat_rate)
    }

    /// The cost of goods of the line in kopecks, when the unit cost is known.
    pub fn cost_of_goods(&self) -> Option<i64> {
        self.unit_cost
            .map(|cost| round_div(i128::from(self.quantity) * i128::from(cost), 1000))
    }
}

/// The VAT contained in an amount that includes it, at `rate` hundredths of a percent.
pub fn vat_inside(amount: i64, rate: i64) -> i64 {
    round_div(
        i128::from(amount) * i128::from(rate),
        10_000 + i128::from(rate),
    )
}

/// `numerator / denominator` rounded half away from zero (denominator positive).
pub(crate) fn round_div(numerator: i128, denominator: i128) -> i64 {
    let half = denominator / 2;
    let rounded = if numerator >= 0 {
        (numerator + half) / denominator
    } else {
        (numerator - half) / denominator
    };
    i64::try_from(rounded).unwrap_or(if rounded > 0 { i64::MAX } else { i64::MIN })
}

/// Sale totals in kopecks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Sum of the lines, VAT included.
    pub amount: i64,
    /// VAT inside the amount.
    pub vat: i64,
    /// Amount without VAT.
    pub net: i64,
}

/// Totals of a list of lines (saturating: validated sales never come near the bound).
pub fn totals(lines: &[SaleLine]) -> Totals {
    let amount = lines
        .iter()
        .map(SaleLine::amount)
        .fold(0i64, i64::saturating_add);
    let vat = lines
        .iter()
        .map(SaleLine::vat_amount)
        .fold(0i64, i64::saturating_add);
    Totals {
        amount,
        vat,
        net: amount.saturating_sub(vat),
    }
}

/// The contract of a sale: its kind and the fields pre-filled from the sale when the `contract`
/// stage is entered; the user checks and completes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contract {
    /// Contract, specification, or both.
    pub kind: ContractKind,
    /// Number, when assigned.
    pub number: Option<String>,
    /// Date of the contract.
    pub date: Option<NaiveDate>,
    /// Delivery terms (from the sale).
    pub delivery_terms: Option<String>,
    /// Payment terms.
    pub payment_terms: Option<String>,
    /// Valid until.
    pub valid_until: Option<NaiveDate>,
    /// The client's requisites as they were when the contract was drawn.
    pub client: ContractParty,
    /// The specification's products (from the sale's lines).
    pub lines: Vec<ContractLine>,
}

/// The client's requisites copied into a contract.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractParty {
    /// Short name.
    pub name: String,
    /// Full name.
    pub full_name: Option<String>,
    /// ИНН.
    pub inn: Option<String>,
    /// КПП.
    pub kpp: Option<String>,
    /// ОГРН or ОГРНИП.
    pub ogrn: Option<String>,
    /// Legal address.
    pub legal_address: Option<String>,
    /// БИК of the first bank account.
    pub bik: Option<String>,
    /// Bank name.
    pub bank_name: Option<String>,
    /// Correspondent account.
    pub correspondent_account: Option<String>,
    /// Settlement account.
    pub account: Option<String>,
}

/// One product of a specification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractLine {
    /// The product.
    pub product_id: Uuid,
    /// Its name when the contract was drawn.
    pub name: String,
    /// Its article.
    pub article: Option<String>,
    /// Unit code.
    pub unit: String,
    /// Quantity in thousandths.
    pub quantity: i64,
    /// Price per unit in kopecks, VAT included.
    pub unit_price: i64,
    /// VAT rate in hundredths of a percent.
    pub vat_rate: i64,
}

/// The editable part of a sale, validated (the process state lives beside it, moved by the engine).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sale {
    /// What the deal is about («Стабилизатор для йогуртов, 2027»).
    pub title: String,
    /// The client.
    pub counterparty_id: Uuid,
    /// The client's contact person.
    pub contact_id: Option<Uuid>,
    /// The manager who leads the sale.
    pub owner_id: Option<Uuid>,
    /// Process type once chosen.
    pub process_type: Option<ProcessType>,
    /// The products.
    pub lines: Vec<SaleLine>,
    /// Delivery terms (basis, schedule, who pays transport).
    pub delivery_terms: Option<String>,
    /// Expected amount in kopecks; when absent the lines' total stands for it.
    pub expected_amount: Option<i64>,
    /// Expected close date.
    pub expected_close_date: Option<NaiveDate>,
    /// Currency (ISO 4217).
    pub currency: String,
    /// When the client placed the order (by hand, or from 1C).
    pub order_placed_on: Option<NaiveDate>,
    /// When the invoice was paid.
    pub invoice_paid_on: Option<NaiveDate>,
    /// When the goods were delivered.
    pub delivered_on: Option<NaiveDate>,
    /// Notes.
    pub notes: Option<String>,
}

/// A sale line as typed. Blank price, VAT rate or sample flag take the product's own.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SaleLineInput {
    /// Product id.
    pub product_id: String,
    /// Quantity (`"12.5"`).
    pub quantity: String,
    /// Price per unit, VAT included; blank = the product's base price.
    pub unit_price: String,
    /// VAT rate in percent; blank = the product's.
    pub vat_rate: String,
    /// `true`/`false`; blank = the product's "needs a sample" default.
    pub needs_sample: String,
    /// `true` when the client pays for the sample.
    pub sample_paid: String,
    /// Cost of goods per unit without VAT, when known.
    pub unit_cost: String,
}

/// A sale line validated but not yet completed from its product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineDraft {
    /// The product.
    pub product_id: Uuid,
    /// Quantity in thousandths.
    pub quantity: i64,
    /// Price in kopecks, if typed.
    pub unit_price: Option<i64>,
    /// VAT rate, if typed.
    pub vat_rate: Option<i64>,
    /// Sample flag, if typed.
    pub needs_sample: Option<bool>,
    /// Paid sample.
    pub sample_paid: bool,
    /// Unit cost, if typed.
    pub unit_cost: Option<i64>,
}

/// What a line takes from its product when the user left a field blank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProductDefaults {
    /// Base price in kopecks.
    pub price: i64,
    /// VAT rate.
    pub vat_rate: i64,
    /// "Needs a sample" default.
    pub needs_sample: bool,
}

impl LineDraft {
    /// Completes the line with its product's defaults.
    pub fn complete(&self, product: ProductDefaults) -> SaleLine {
        SaleLine {
            product_id: self.product_id,
            quantity: self.quantity,
            unit_price: self.unit_price.unwrap_or(product.price),
            vat_rate: self.vat_rate.unwrap_or(product.vat_rate),
            needs_sample: self.needs_sample.unwrap_or(product.needs_sample),
            sample_paid: self.sample_paid,
            unit_cost: self.unit_cost,
        }
    }
}

/// A sale validated, its lines still to be completed from their products.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleDraft {
    /// The sale with `lines` empty.
    pub sale: Sale,
    /// The lines as typed.
    pub lines: Vec<LineDraft>,
}

/// A sale as typed (a form, or a JSON body merged onto it).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SaleInput {
    /// Title.
    pub title: String,
    /// Counterparty id.
    pub counterparty_id: String,
    /// Contact id.
    pub contact_id: String,
    /// Owner (user id); blank = the user who creates the sale.
    pub owner_id: String,
    /// `full` or `short`; usually chosen on completing `send_preliminary_kp`.
    pub process_type: String,
    /// Lines.
    pub lines: Vec<SaleLineInput>,
    /// Delivery terms.
    pub delivery_terms: String,
    /// Expected amount.
    pub expected_amount: String,
    /// Expected close date.
    pub expected_close_date: String,
    /// Currency; `RUB` when blank.
    pub currency: String,
    /// Order placed on.
    pub order_placed_on: String,
    /// Invoice paid on.
    pub invoice_paid_on: String,
    /// Delivered on.
    pub delivered_on: String,
    /// Notes.
    pub notes: String,
}

/// Parses a typed boolean: blank is `None`.
pub fn optional_flag(value: &str) -> Result<Option<bool>, Problem> {
    match value.trim() {
        "" => Ok(None),
        "true" | "1" | "on" | "yes" => Ok(Some(true)),
        "false" | "0" | "off" | "no" => Ok(Some(false)),
        _ => Err(Problem::NotAllowed {
            allowed: vec!["true".into(), "false".into()],
        }),
    }
}

fn optional_minor(value: &str, scale: u32) -> Result<Option<i64>, Problem> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        parse_minor(value, scale).map(Some)
    }
}

/// Parses a VAT rate in percent (`"22"`, `"22%"`) into hundredths, at most 100 %.
pub fn optional_rate(value: &str) -> Result<Option<i64>, Problem> {
    let rate = optional_minor(value.trim().trim_end_matches('%'), RATE_SCALE)?;
    if rate.is_some_and(|rate| rate > 100 * 100) {
        return Err(Problem::Range { min: 0, max: 100 });
    }
    Ok(rate)
}

fn required_id(value: &str) -> Result<Uuid, Problem> {
    optional_id(value)?.ok_or(Problem::Required)
}

impl SaleLineInput {
    fn validate(&self, errors: &mut Errors, prefix: &str) -> Option<LineDraft> {
        let field = |name: &str| format!("{prefix}.{name}");
        let before = errors.len();
        let product_id = errors.take(field("product_id"), required_id(&self.product_id));
        let quantity = errors.take(
            field("quantity"),
            parse_minor(&self.quantity, QUANTITY_SCALE).and_then(|q| {
                if q == 0 {
                    Err(Problem::Range {
                        min: 0,
                        max: i64::MAX / 1000,
                    })
                } else {
                    Ok(q)
                }
            }),
        );
        let unit_price = errors
            .take(field("unit_price"), bounded_money(&self.unit_price))
            .flatten();
        let vat_rate = errors
            .take(field("vat_rate"), optional_rate(&self.vat_rate))
            .flatten();
        let needs_sample = errors
            .take(field("needs_sample"), optional_flag(&self.needs_sample))
            .flatten();
        let sample_paid = errors
            .take(field("sample_paid"), optional_flag(&self.sample_paid))
            .flatten()
            .unwrap_or(false);
        let unit_cost = errors
            .take(field("unit_cost"), bounded_money(&self.unit_cost))
            .flatten();
        if errors.len() > before {
            return None;
        }
        // The line's total must stay within the money bound whatever price the product gives.
        let quantity = quantity?;
        if quantity > AMOUNT_MAX / 1000 {
            errors.add(
                field("quantity"),
                Problem::Range {
                    min: 0,
                    max: AMOUNT_MAX / 1_000_000,
                },
            );
            return None;
        }
        let over = |price: Option<i64>| {
            price.is_some_and(|p| {
                i128::from(quantity) * i128::from(p) / 1000 > i128::from(AMOUNT_MAX)
            })
        };
        if over(unit_price) || over(unit_cost) {
            errors.add(
                field(if over(unit_price) {
                    "unit_price"
                } else {
                    "unit_cost"
                }),
                Problem::Range {
                    min: 0,
                    max: AMOUNT_MAX / 100,
                },
            );
            return None;
        }
        Some(LineDraft {
            product_id: product_id?,
            quantity,
            unit_price,
            vat_rate,
            needs_sample,
            sample_paid,
            unit_cost,
        })
    }
}

impl SaleInput {
    /// Checks every field and returns the sale with its lines to complete, or every problem found.
    pub fn validate(&self) -> Result<SaleDraft, Vec<FieldError>> {
        let mut errors = Errors::new();
        let title = errors.take("title", required_text(&self.title, NAME_MAX));
        let counterparty_id = errors.take("counterparty_id", required_id(&self.counterparty_id));
        let contact_id = errors
            .take("contact_id", optional_id(&self.contact_id))
            .flatten();
        let owner_id = errors
            .take("owner_id", optional_id(&self.owner_id))
            .flatten();
        let process_type = errors
            .take(
                "process_type",
                crate::counterparty::optional_code(&self.process_type, ProcessType::parse),
            )
            .flatten();
        if self.lines.len() > LINES_MAX {
            errors.add(
                "lines",
                Problem::Range {
                    min: 0,
                    max: LINES_MAX as i64,
                },
            );
        }
        let lines: Vec<Option<LineDraft>> = self
            .lines
            .iter()
            .enumerate()
            .map(|(index, line)| line.validate(&mut errors, &format!("lines[{index}]")))
            .collect();
        let delivery_terms = errors
            .take(
                "delivery_terms",
                optional_text(&self.delivery_terms, TEXT_MAX),
            )
            .flatten();
        let expected_amount = errors
            .take("expected_amount", bounded_money(&self.expected_amount))
            .flatten();
        let expected_close_date = errors
            .take(
                "expected_close_date",
                optional_date(&self.expected_close_date),
            )
            .flatten();
        let currency = errors
            .take("currency", crate::catalog::currency(&self.currency))
            .unwrap_or_default();
        let order_placed_on = errors
            .take("order_placed_on", optional_date(&self.order_placed_on))
            .flatten();
        let invoice_paid_on = errors
            .take("invoice_paid_on", optional_date(&self.invoice_paid_on))
            .flatten();
        let delivered_on = errors
            .take("delivered_on", optional_date(&self.delivered_on))
            .flatten();
        let notes = errors
            .take("notes", optional_text(&self.notes, TEXT_MAX))
            .flatten();
        if !errors.is_empty() {
            return Err(errors.into_vec());
        }
        let (Some(title), Some(counterparty_id)) = (title, counterparty_id) else {
            return Err(errors.into_vec());
        };
        errors.finish(SaleDraft {
            sale: Sale {
                title,
                counterparty_id,
                contact_id,
                owner_id,
                process_type,
                lines: Vec::new(),
                delivery_terms,
                expected_amount,
                expected_close_date,
                currency,
                order_placed_on,
                invoice_paid_on,
                delivered_on,
                notes,
            },
            lines: lines.into_iter().flatten().collect(),
        })
    }
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn date_text(value: Option<NaiveDate>) -> String {
    value
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

impl From<&SaleLine> for SaleLineInput {
    fn from(line: &SaleLine) -> Self {
        SaleLineInput {
            product_id: line.product_id.to_string(),
            quantity: format_plain(line.quantity, QUANTITY_SCALE),
            unit_price: format_plain(line.unit_price, MONEY_SCALE),
            vat_rate: format_plain(line.vat_rate, RATE_SCALE),
            needs_sample: line.needs_sample.to_string(),
            sample_paid: line.sample_paid.to_string(),
            unit_cost: line
                .unit_cost
                .map(|c| format_plain(c, MONEY_SCALE))
                .unwrap_or_default(),
        }
    }
}

impl From<&Sale> for SaleInput {
    fn from(sale: &Sale) -> Self {
        SaleInput {
            title: sale.title.clone(),
            counterparty_id: sale.counterparty_id.to_string(),
            contact_id: sale.contact_id.map(|id| id.to_string()).unwrap_or_default(),
            owner_id: sale.owner_id.map(|id| id.to_string()).unwrap_or_default(),
            process_type: sale
                .process_type
                .map(|t| t.code().to_string())
                .unwrap_or_default(),
            lines: sale.lines.iter().map(SaleLineInput::from).collect(),
            delivery_terms: text(&sale.delivery_terms),
            expected_amount: sale
                .expected_amount
                .map(|a| format_plain(a, MONEY_SCALE))
                .unwrap_or_default(),
            expected_close_date: date_text(sale.expected_close_date),
            currency: sale.currency.clone(),
            order_placed_on: date_text(sale.order_placed_on),
            invoice_paid_on: date_text(sale.invoice_paid_on),
            delivered_on: date_text(sale.delivered_on),
            notes: text(&sale.notes),
        }
    }
}

coded_enum! {
    /// What a cost of a sale was spent on.
    pub enum CostCategory {
        /// Samples.
        Samples => ("samples", "Образцы", "Samples"),
        /// Business trip.
        BusinessTrip => ("business_trip", "Командировка", "Business trip"),
        /// Industrial trial run.
        TrialRun => ("trial_run", "Промышленная выработка", "Trial run"),
        /// Logistics.
        Logistics => ("logistics", "Логистика", "Logistics"),
        /// Anything else.
        Other => ("other", "Прочее", "Other"),
    }
}

/// A cost of a sale, validated. The amount includes VAT at `vat_rate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cost {
    /// Category.
    pub category: CostCategory,
    /// Amount in kopecks, VAT included.
    pub amount: i64,
    /// VAT rate in hundredths of a percent.
    pub vat_rate: i64,
    /// When it was spent.
    pub spent_on: NaiveDate,
    /// Note.
    pub note: Option<String>,
    /// The task it belongs to, if any.
    pub task_id: Option<Uuid>,
}

impl Cost {
    /// The amount without VAT (what the margin subtracts).
    pub fn net(&self) -> i64 {
        self.amount - vat_inside(self.amount, self.vat_rate)
    }
}

/// A cost as typed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CostInput {
    /// `samples`, `business_trip`, `trial_run`, `logistics`, `other`.
    pub category: String,
    /// Amount, VAT included.
    pub amount: String,
    /// VAT rate in percent; blank = 0 (no VAT).
    pub vat_rate: String,
    /// Date spent; blank = today.
    pub spent_on: String,
    /// Note.
    pub note: String,
    /// Task id.
    pub task_id: String,
}

impl CostInput {
    /// Checks every field; `today` fills a blank date.
    pub fn validate(&self, today: NaiveDate) -> Result<Cost, Vec<FieldError>> {
        let mut errors = Errors::new();
        let category = errors.take(
            "category",
            if self.category.trim().is_empty() {
                Err(Problem::Required)
            } else {
                CostCategory::parse(&self.category)
            },
        );
        let amount = errors.take(
            "amount",
            bounded_money(&self.amount).and_then(|a| a.ok_or(Problem::Required)),
        );
        let vat_rate = errors
            .take("vat_rate", optional_rate(&self.vat_rate))
            .flatten()
            .unwrap_or(0);
        let spent_on = errors
            .take("spent_on", optional_date(&self.spent_on))
            .flatten()
            .unwrap_or(today);
        let note = errors
            .take("note", optional_text(&self.note, TEXT_MAX))
            .flatten();
        let task_id = errors.take("task_id", optional_id(&self.task_id)).flatten();
        match (category, amount) {
            (Some(category), Some(amount)) => errors.finish(Cost {
                category,
                amount,
                vat_rate,
                spent_on,
                note,
                task_id,
            }),
            _ => Err(errors.into_vec()),
        }
    }
}

impl From<&Cost> for CostInput {
    fn from(cost: &Cost) -> Self {
        CostInput {
            category: cost.category.code().into(),
            amount: format_plain(cost.amount, MONEY_SCALE),
            vat_rate: format_plain(cost.vat_rate, RATE_SCALE),
            spent_on: cost.spent_on.format("%Y-%m-%d").to_string(),
            note: cost.note.clone().unwrap_or_default(),
            task_id: cost.task_id.map(|id| id.to_string()).unwrap_or_default(),
        }
    }
}

/// A sale's economics in kopecks without VAT: revenue − cost of goods − costs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Margin {
    /// Revenue without VAT.
    pub revenue: i64,
    /// Cost of goods (lines with a known unit cost).
    pub cost_of_goods: i64,
    /// The sale's costs without VAT.
    pub costs: i64,
    /// What remains.
    pub margin: i64,
}

/// The margin of a sale.
pub fn margin(lines: &[SaleLine], costs: &[Cost]) -> Margin {
    let revenue = totals(lines).net;
    let cost_of_goods = lines
        .iter()
        .filter_map(SaleLine::cost_of_goods)
        .fold(0i64, i64::saturating_add);
    let costs = costs.iter().map(Cost::net).fold(0i64, i64::saturating_add);
    Margin {
        revenue,
        cost_of_goods,
        costs,
        margin: revenue.saturating_sub(cost_of_goods).saturating_sub(costs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(quantity: i64, unit_price: i64, vat_rate: i64) -> SaleLine {
        SaleLine {
            product_id: Uuid::nil(),
            quantity,
            unit_price,
            vat_rate,
            needs_sample: false,
            sample_paid: false,
            unit_cost: Some(unit_price / 2),
        }
    }

    #[test]
    fn line_totals_include_vat_and_extract_it_at_the_line_rate() {
        // 12.5 kg × 1 220,00 ₽ = 15 250,00 ₽, of which VAT 22 % = 2 750,00 ₽.
        let l = line(12_500, 122_000, 2200);
        assert_eq!(l.amount(), 1_525_000);
        assert_eq!(l.vat_amount(), 275_000);
        let t = totals(&[l, line(1_000, 11_000, 1000)]);
        assert_eq!(t.amount, 1_536_000);
        assert_eq!(t.vat, 275_000 + 1_000);
        assert_eq!(t.net, t.amount - t.vat);
    }

    #[test]
    fn amounts_round_half_away_from_zero() {
        // 0.333 × 0.01 ₽ = 0.00333 kopecks → 0; 0.5 × 0.01 ₽ → 0.005 → 1 kopeck rounded.
        assert_eq!(line(333, 1, 0).amount(), 0);
        assert_eq!(line(500, 1, 0).amount(), 1);
    }

    #[test]
    fn margin_subtracts_cost_of_goods_and_net_costs() {
        let lines = [line(10_000, 12_200, 2200)];
        let cost = Cost {
            category: CostCategory::Samples,
            amount: 12_200,
            vat_rate: 2200,
            spent_on: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
            note: None,
            task_id: None,
        };
        let m = margin(&lines, &[cost]);
        assert_eq!(m.revenue, 100_000);
        assert_eq!(m.cost_of_goods, 61_000);
        assert_eq!(m.costs, 10_000);
        assert_eq!(m.margin, 100_000 - 61_000 - 10_000);
    }

    #[test]
    fn the_minimal_api_sale_validates_and_names_bad_lines() {
        let input = SaleInput {
            title: "Стабилизатор для йогурта".into(),
            counterparty_id: Uuid::nil().to_string(),
            lines: vec![SaleLineInput {
                product_id: Uuid::nil().to_string(),
                quantity: "100".into(),
                unit_price: "250,50".into(),
                needs_sample: "true".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let draft = input.validate().unwrap();
        assert_eq!(draft.lines[0].quantity, 100_000);
        assert_eq!(draft.lines[0].unit_price, Some(25_050));
        assert_eq!(draft.lines[0].needs_sample, Some(true));
        assert_eq!(draft.sale.currency, "RUB");

        let bad = SaleInput {
            lines: vec![SaleLineInput {
                product_id: "x".into(),
                quantity: "-1".into(),
                vat_rate: "150".into(),
                ..Default::default()
            }],
            ..input
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "lines[0].product_id",
                "lines[0].quantity",
                "lines[0].vat_rate"
            ]
        );
    }

    #[test]
    fn money_is_bounded_so_no_sum_overflows() {
        let input = SaleInput {
            title: "x".into(),
            counterparty_id: Uuid::nil().to_string(),
            expected_amount: "99999999999999999".into(),
            lines: vec![
                SaleLineInput {
                    product_id: Uuid::nil().to_string(),
                    quantity: "9999999999999".into(),
                    ..Default::default()
                },
                SaleLineInput {
                    product_id: Uuid::nil().to_string(),
                    quantity: "1000000".into(),
                    unit_price: "99999999999".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let fields: Vec<String> = input
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "lines[0].quantity",
                "lines[1].unit_price",
                "expected_amount"
            ]
        );
        let huge = SaleLine {
            product_id: Uuid::nil(),
            quantity: i64::MAX,
            unit_price: i64::MAX,
            vat_rate: 2200,
            needs_sample: false,
            sample_paid: false,
            unit_cost: Some(i64::MAX),
        };
        let t = totals(&[huge.clone(), huge.clone()]);
        assert_eq!(t.amount, i64::MAX);
        margin(&[huge.clone(), huge], &[]);
    }

    #[test]
    fn blank_line_fields_take_the_product_defaults() {
        let draft = LineDraft {
            product_id: Uuid::nil(),
            quantity: 1000,
            unit_price: None,
            vat_rate: None,
            needs_sample: None,
            sample_paid: false,
            unit_cost: None,
        };
        let line = draft.complete(ProductDefaults {
            price: 500,
            vat_rate: 2200,
            needs_sample: true,
        });
        assert_eq!(
            (line.unit_price, line.vat_rate, line.needs_sample),
            (500, 2200, true)
        );
    }

    #[test]
    fn costs_need_a_category_and_an_amount() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let errors = CostInput::default().validate(today).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["category", "amount"]);
        let cost = CostInput {
            category: "business_trip".into(),
            amount: "15 000".into(),
            vat_rate: "22".into(),
            ..Default::default()
        }
        .validate(today)
        .unwrap();
        assert_eq!((cost.amount, cost.spent_on), (1_500_000, today));
    }
}
