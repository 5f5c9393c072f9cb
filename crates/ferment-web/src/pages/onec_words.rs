//! The words the 1C pages use for the integration's codes: object kinds of a run's counts and log,
//! run statuses and triggers, log outcomes, 1C document kinds, the states of an order sent to 1C, and the
//! counts of a run as one line of text. Codes the pages do not know are shown as they are, so a
//! new object kind in the sync shows up at once, only untranslated.

use std::collections::BTreeMap;

use ferment_domain::validation::Lang;
use ferment_store::onec::Counts;

use super::i18n::Texts;

/// The order objects are listed in: the order a run takes them in.
const OBJECT_ORDER: &[&str] = &[
    "product_group",
    "product",
    "price",
    "warehouse",
    "stock",
    "counterparty",
    "bank_account",
    "contract",
    "order",
    "invoice",
    "payment",
    "payment_status",
    "shipment",
    "counterparty_out",
    "bank_account_out",
    "order_out",
    "sale",
];

/// The name of an object kind (`product` → «Номенклатура»).
pub fn object_name(t: &'static Texts, code: &str) -> String {
    let name = match code {
        "product" => t.onec_obj_product,
        "product_group" => t.onec_obj_product_group,
        "price" => t.onec_obj_price,
        "warehouse" => t.onec_obj_warehouse,
        "stock" => t.onec_obj_stock,
        "counterparty" => t.onec_obj_counterparty,
        "bank_account" => t.onec_obj_bank_account,
        "contract" => t.onec_obj_contract,
        "order" => t.onec_obj_order,
        "invoice" => t.onec_obj_invoice,
        "payment" => t.onec_obj_payment,
        "shipment" => t.onec_obj_shipment,
        "counterparty_out" => t.onec_obj_counterparty_out,
        "bank_account_out" => t.onec_obj_bank_account_out,
        "order_out" => t.onec_obj_order_out,
        "sale" => t.onec_obj_sale,
        "payment_status" => t.onec_obj_payment_status,
        other => return other.to_string(),
    };
    name.to_string()
}

/// A run's status in words (`running` → «Идёт»).
pub fn run_status(t: &'static Texts, status: &str) -> String {
    match status {
        "running" => t.onec_status_running,
        "succeeded" => t.onec_status_succeeded,
        "failed" => t.onec_status_failed,
        other => other,
    }
    .to_string()
}

/// What started a run, in words (`manual` → «вручную»).
pub fn trigger(lang: Lang, code: &str) -> String {
    let (ru, en) = match code {
        "manual" => ("вручную", "by hand"),
        "schedule" => ("по расписанию", "by the schedule"),
        "order" => ("заказ из Ferment", "an order from Ferment"),
        "cli" => ("из командной строки", "from the command line"),
        other => (other, other),
    };
    match lang {
        Lang::En => en,
        _ => ru,
    }
    .to_string()
}

/// A log line's outcome in words.
pub fn outcome(lang: Lang, code: &str) -> String {
    let (ru, en) = match code {
        "created" => ("создан", "created"),
        "updated" => ("изменён", "updated"),
        "sent" => ("отправлен", "sent"),
        "linked" => ("сопоставлен", "linked"),
        "failed" => ("ошибка", "failed"),
        "conflict" => ("конфликт", "conflict"),
        "deleted" => ("помечен на удаление", "deleted"),
        "skipped" => ("пропущен", "skipped"),
        other => (other, other),
    };
    match lang {
        Lang::En => en,
        _ => ru,
    }
    .to_string()
}

/// The kind of a 1C document (`invoice` → «Счёт»).
pub fn document_kind(t: &'static Texts, code: &str) -> String {
    match code {
        "order" => t.onec_doc_order,
        "invoice" => t.onec_doc_invoice,
        "payment" => t.onec_doc_payment,
        "shipment" => t.onec_doc_shipment,
        other => other,
    }
    .to_string()
}

/// The state of an order sent to 1C (`pending` → «Ожидает»).
pub fn outgoing_status(t: &'static Texts, status: &str) -> String {
    match status {
        "pending" => t.onec_out_pending,
        "sent" => t.onec_out_sent,
        "failed" => t.onec_out_failed,
        other => other,
    }
    .to_string()
}

/// One object kind's counts of a run, in words.
#[derive(Debug, Clone)]
pub struct CountView {
    /// The object kind's code (for tests and styling).
    pub code: String,
    /// Its name.
    pub name: String,
    /// «получено 12, создано 10, ошибок 1»: only the numbers that are not zero.
    pub text: String,
    /// Whether some objects failed.
    pub failed: bool,
}

/// The counts of a run, in the order the run takes the objects.
pub fn count_views(t: &'static Texts, counts: &BTreeMap<String, Counts>) -> Vec<CountView> {
    let rank = |code: &str| {
        OBJECT_ORDER
            .iter()
            .position(|known| *known == code)
            .unwrap_or(OBJECT_ORDER.len())
    };
    let mut codes: Vec<&String> = counts.keys().collect();
    codes.sort_by_key(|code| (rank(code), code.to_string()));
    codes
        .into_iter()
        .map(|code| {
            let c = &counts[code];
            let parts: Vec<String> = [
                (t.onec_received, c.received),
                (t.onec_created, c.created),
                (t.onec_updated, c.updated),
                (t.onec_unchanged, c.unchanged),
                (t.onec_failed, c.failed),
            ]
            .into_iter()
            .filter(|(_, n)| *n != 0)
            .map(|(word, n)| format!("{word} {n}"))
            .collect();
            CountView {
                code: code.clone(),
                name: object_name(t, code),
                text: if parts.is_empty() {
                    "0".into()
                } else {
                    parts.join(", ")
                },
                failed: c.failed > 0,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::i18n::{EN, RU};

    #[test]
    fn counts_are_named_in_the_runs_order_and_zeros_are_left_out() {
        let mut counts = BTreeMap::new();
        counts.insert(
            "counterparty".to_string(),
            Counts {
                received: 3,
                created: 2,
                ..Counts::default()
            },
        );
        counts.insert(
            "product".to_string(),
            Counts {
                failed: 1,
                ..Counts::default()
            },
        );
        counts.insert("novelty".to_string(), Counts::default());
        let views = count_views(&RU, &counts);
        let names: Vec<&str> = views.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["Номенклатура", "Контрагенты", "novelty"]);
        assert_eq!(views[1].text, "получено 3, создано 2");
        assert!(views[0].failed);
        assert_eq!(views[2].text, "0");
        assert_eq!(object_name(&EN, "order_out"), "Orders sent");
        assert_eq!(run_status(&RU, "succeeded"), "Успешно");
        assert_eq!(document_kind(&RU, "shipment"), "Отгрузка");
        assert_eq!(trigger(Lang::Ru, "schedule"), "по расписанию");
    }
}
