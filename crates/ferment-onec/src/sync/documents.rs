//! Documents: 1C's orders, invoices, payments and shipments come in; orders (or invoices) of won
//! sales go out; a sale's facts (order placed, invoice paid, delivered) are read from the documents
//! that belong to it.
//!
//! A document belongs to a sale when Ferment sent it, or when it is based on (ships, pays) a
//! document that belongs to the sale. A document Ferment sends carries `Ferment <outbox id>` in its
//! comment, so a send repeated after a crash finds the document instead of making a second one.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, Utc};
use ferment_store::onec::{self, OnecDocument};
use ferment_store::{StoreError, counterparties, sales};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Context, links_of};
use crate::mapping::{self, OrderLineOut, OrderOut, key};
use crate::odata::{Query, literal};
use crate::{OnecError, OnecResult};

/// The comment marker of a document Ferment sent.
pub fn marker(outgoing: Uuid) -> String {
    format!("Ferment {outgoing}")
}

fn outgoing_of(comment: &str) -> Option<Uuid> {
    let rest = comment.split("Ferment ").nth(1)?;
    Uuid::parse_str(rest.get(..36)?).ok()
}

/// Each document kind of the profile, new and changed ones in the window (all in a full run),
/// written a page at a time.
pub(super) async fn documents(ctx: &mut Context<'_>) -> OnecResult<()> {
    let products = ctx.product_links().await?;
    let kinds = ctx.profile.documents.clone();
    let counterparties = links_of(ctx, "counterparty").await?;
    let since = (Utc::now() - chrono::Duration::days(ctx.connection.document_days)).naive_utc();
    let filter = (!ctx.full).then(|| format!("Date ge {}", literal::datetime(since)));
    // What Ferment has of the documents 1C will list: all of them in a full run, the window's
    // otherwise (a changed document from before the window, and the document a new one is based
    // on, are looked up by reference as their page comes).
    let mut index = {
        let mut reader = ctx.store.reader().await?;
        if ctx.full {
            onec::document_index(&mut reader, ctx.connection_id).await?
        } else {
            onec::document_index_since(&mut reader, ctx.connection_id, since).await?
        }
    };
    for kind in &kinds {
        let object = kind.kind.clone();
        if !ctx.published(&kind.set, &object) {
            continue;
        }
        let mut skip = 0;
        // A first load reads whole pages ahead; once pages come mostly known, keys first.
        let mut whole = index.is_empty();
        loop {
            let page = {
                let known = |k: Uuid, v: &str| index.get(&k).is_some_and(|e| e.data_version == v);
                ctx.changed_page(&kind.set, filter.as_deref(), skip, whole, &known)
                    .await?
            };
            whole = page.mostly_changed();
            ctx.count_page(&object, &page);
            skip += page.len as u64;
            let last = page.last;
            if !ctx.needs_commit(&page) {
                if last {
                    break;
                }
                continue;
            }
            let mut tx = ctx.store.begin().await?;
            let documents: Vec<_> = page
                .objects
                .iter()
                .map(|raw| (raw, mapping::document(&ctx.profile, kind, raw)))
                .collect();
            if !ctx.full {
                let unknown: Vec<Uuid> = documents
                    .iter()
                    .filter_map(|(_, d)| d.as_ref())
                    .flat_map(|d| [Some(d.key), d.based_on])
                    .flatten()
                    .filter(|r| !index.contains_key(r))
                    .collect();
                index.extend(onec::document_index_of(&mut tx, ctx.connection_id, &unknown).await?);
            }
            let mut rows = Vec::with_capacity(page.objects.len());
            for (raw, document) in documents {
                let Some(mut document) = document else {
                    ctx.counts(&object).failed += 1;
                    ctx.log(
                        "in",
                        &object,
                        key(raw),
                        None,
                        "failed",
                        "документ без ссылки или даты".to_string(),
                    );
                    continue;
                };
                for line in &mut document.lines {
                    line.product_id = line
                        .product_ref
                        .and_then(|r| products.get(&r))
                        .and_then(|l| l.record_id);
                }
                let existing = index.get(&document.key).cloned();
                let mut sale_id = existing.as_ref().and_then(|d| d.sale_id);
                if sale_id.is_none() {
                    sale_id = document
                        .based_on
                        .and_then(|b| index.get(&b))
                        .and_then(|d| d.sale_id);
                }
                if sale_id.is_none()
                    && let Some(outgoing) = outgoing_of(&document.comment)
                {
                    sale_id = match onec::get_outgoing(&mut tx, outgoing).await {
                        Ok(outgoing) => Some(outgoing.sale_id),
                        Err(StoreError::NotFound) => None,
                        Err(other) => return Err(other.into()),
                    };
                }
                let lines = if document.allocations.is_empty() {
                    serde_json::to_value(&document.lines).unwrap_or(Value::Null)
                } else {
                    Value::Array(
                        document
                            .allocations
                            .iter()
                            .map(|(paid, amount)| json!({"document_ref": paid.to_string(), "amount": amount}))
                            .collect(),
                    )
                };
                let row = OnecDocument {
                    id: existing
                        .as_ref()
                        .map_or_else(ferment_store::new_id, |d| d.id),
                    connection_id: ctx.connection_id,
                    kind: document.kind.clone(),
                    ref_key: document.key,
                    data_version: document.version.clone(),
                    number: document.number.clone(),
                    date: document.date,
                    posted: document.posted,
                    deleted: document.deleted,
                    counterparty_ref: document.counterparty,
                    counterparty_id: document
                        .counterparty
                        .and_then(|c| counterparties.get(&c))
                        .and_then(|l| l.record_id),
                    based_on_ref: document.based_on,
                    sale_id,
                    amount: document.amount,
                    status: document
                        .status
                        .clone()
                        .or_else(|| existing.as_ref().and_then(|d| d.status.clone())),
                    lines,
                    origin: existing
                        .as_ref()
                        .map_or_else(|| "onec".to_string(), |d| d.origin.clone()),
                };
                if existing.is_some() {
                    ctx.counts(&object).updated += 1;
                } else {
                    ctx.counts(&object).created += 1;
                }
                index.insert(
                    row.ref_key,
                    onec::DocumentEntry {
                        id: row.id,
                        data_version: row.data_version.clone(),
                        sale_id: row.sale_id,
                        origin: row.origin.clone(),
                        status: row.status.clone(),
                    },
                );
                rows.push(row);
            }
            onec::put_documents(&mut tx, &rows).await?;
            ctx.commit(tx, 0).await?;
            if last {
                break;
            }
        }
    }
    Ok(())
}

/// Payment state of invoices from an information register (БП 3.0).
pub(super) async fn payment_status(ctx: &mut Context<'_>) -> OnecResult<()> {
    let Some(status) = ctx.profile.payment_status.clone() else {
        return Ok(());
    };
    if !ctx.published(&status.set, "payment_status") {
        return Ok(());
    }
    let rows = ctx.all_rows(&status.set).await?;
    let mut tx = ctx.store.begin().await?;
    for row in &rows {
        ctx.counts("payment_status").received += 1;
        let (Some(document), value) = (
            mapping::reference(row, &status.document),
            mapping::text(row, &status.status),
        ) else {
            continue;
        };
        if onec::set_document_status(&mut tx, ctx.connection_id, document, &value).await? {
            ctx.counts("payment_status").updated += 1;
        } else {
            ctx.counts("payment_status").unchanged += 1;
        }
    }
    ctx.commit(tx, 0).await
}

/// Orders (invoices in БП 3.0) users asked to send.
pub(super) async fn push_orders(ctx: &mut Context<'_>) -> OnecResult<()> {
    let pending = {
        let mut reader = ctx.store.reader().await?;
        onec::pending(&mut reader, ctx.connection_id).await?
    };
    for outgoing in pending {
        ctx.counts("order_out").received += 1;
        match push_order(ctx, &outgoing).await {
            Ok(()) => {}
            Err(error) if error.is_transient() || matches!(error, OnecError::Unauthorized) => {
                return Err(error);
            }
            Err(error) => {
                ctx.counts("order_out").failed += 1;
                ctx.log(
                    "out",
                    "order",
                    None,
                    Some(outgoing.sale_id),
                    "failed",
                    error.to_string(),
                );
                let mut tx = ctx.store.begin().await?;
                onec::set_outgoing(
                    &mut tx,
                    outgoing.id,
                    "failed",
                    None,
                    None,
                    Some(&error.to_string()),
                )
                .await?;
                ctx.commit(tx, 0).await?;
            }
        }
    }
    Ok(())
}

async fn push_order(ctx: &mut Context<'_>, outgoing: &onec::Outgoing) -> OnecResult<()> {
    let o = ctx.profile.push_order.clone();
    let (sale, client_link, client_name, product_links, contract) = {
        let mut reader = ctx.store.reader().await?;
        let sale = sales::get(&mut reader, outgoing.sale_id).await?;
        let client = counterparties::get(&mut reader, sale.data.counterparty_id).await?;
        let client_link = onec::link_of_record(
            &mut reader,
            ctx.connection_id,
            "counterparty",
            client.meta.id,
        )
        .await?;
        let mut product_links = HashMap::new();
        for line in &sale.data.lines {
            if let Some(link) =
                onec::link_of_record(&mut reader, ctx.connection_id, "product", line.product_id)
                    .await?
            {
                product_links.insert(line.product_id, link.ref_key);
            }
        }
        let contract = onec::links_of_record(&mut reader, "contract", client.meta.id)
            .await?
            .into_iter()
            .rfind(|l| !l.deleted)
            .map(|l| l.ref_key);
        (sale, client_link, client.data.name, product_links, contract)
    };
    let Some(client_link) = client_link.filter(|l| !l.deleted && !l.ref_key.is_nil()) else {
        return Err(OnecError::Config(format!(
            "клиент «{client_name}» ещё не передан в 1С: включите передачу контрагентов или дождитесь её"
        )));
    };
    if sale.data.lines.is_empty() {
        return Err(OnecError::Config("в продаже нет товаров".into()));
    }
    let mut lines = Vec::new();
    for line in &sale.data.lines {
        let Some(product) = product_links.get(&line.product_id) else {
            return Err(OnecError::Config(format!(
                "товар {} не сопоставлен с номенклатурой 1С",
                line.product_id
            )));
        };
        let amount = line.amount();
        let vat_amount = if line.vat_rate > 0 {
            (amount as i128 * line.vat_rate as i128 / (10_000 + line.vat_rate as i128)) as i64
        } else {
            0
        };
        lines.push(OrderLineOut {
            product: *product,
            quantity: line.quantity,
            price: line.unit_price,
            amount,
            vat_rate: line.vat_rate,
            vat_amount,
        });
    }
    let mark = marker(outgoing.id);
    let filter = format!("substringof({}, {})", literal::string(&mark), o.comment);
    let found = ctx
        .client
        .list(&o.set, &Query::default().filter(filter))
        .await?;
    let created = match found.into_iter().next() {
        Some(existing) => existing,
        None => {
            let partner = client_link
                .extra
                .get("partner")
                .and_then(Value::as_str)
                .and_then(|p| Uuid::parse_str(p).ok());
            let order = OrderOut {
                date: Utc::now().naive_utc(),
                organization: ctx.reference.organization,
                counterparty: client_link.ref_key,
                partner,
                contract,
                currency: ctx.reference.currency,
                warehouse: None,
                amount: lines.iter().map(|l| l.amount).sum(),
                comment: format!("{mark} · {}", sale.data.title),
                lines,
            };
            let body = mapping::order_body(&ctx.profile, &order);
            ctx.client.create(&o.set, &body).await?
        }
    };
    let ref_key = key(&created)
        .ok_or_else(|| OnecError::Protocol("1C created a document without Ref_Key".into()))?;
    if outgoing.post && !mapping::flag(&created, "Posted") {
        ctx.client.post_document(&o.set, ref_key).await?;
    }
    let number = mapping::text(&created, "Number");
    let document = OnecDocument {
        id: ferment_store::new_id(),
        connection_id: ctx.connection_id,
        kind: o.kind.clone(),
        ref_key,
        data_version: String::new(),
        number: number.clone(),
        date: mapping::datetime(&created, "Date").unwrap_or_else(|| Utc::now().naive_utc()),
        posted: outgoing.post || mapping::flag(&created, "Posted"),
        deleted: false,
        counterparty_ref: Some(client_link.ref_key),
        counterparty_id: Some(sale.data.counterparty_id),
        based_on_ref: None,
        sale_id: Some(outgoing.sale_id),
        amount: mapping::kopecks(&created, &o.amount),
        status: None,
        lines: Value::Array(Vec::new()),
        origin: "ferment".into(),
    };
    let mut tx = ctx.store.begin().await?;
    match onec::document_by_ref(&mut tx, ctx.connection_id, ref_key).await? {
        None => onec::put_document(&mut tx, &document).await?,
        Some(existing) => onec::set_document_sale(&mut tx, existing.id, outgoing.sale_id).await?,
    }
    onec::set_outgoing(
        &mut tx,
        outgoing.id,
        "sent",
        Some(ref_key),
        Some(&number),
        None,
    )
    .await?;
    ctx.counts("order_out").created += 1;
    ctx.log(
        "out",
        "order",
        Some(ref_key),
        Some(outgoing.sale_id),
        "created",
        format!("№ {number} для «{}»", sale.data.title),
    );
    ctx.commit(tx, 0).await
}

/// What 1C's documents say about a sale.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Facts {
    order_placed_on: Option<NaiveDate>,
    invoice_paid_on: Option<NaiveDate>,
    delivered_on: Option<NaiveDate>,
}

/// Spreads sales to the documents based on theirs, then writes each sale's facts that are still
/// blank (a date a user typed is never overwritten).
pub(super) async fn sale_facts(ctx: &mut Context<'_>) -> OnecResult<()> {
    let paid_value = ctx.profile.payment_status.as_ref().map(|s| s.paid.clone());
    let order_kind = ctx.profile.push_order.kind.clone();
    let mut tx = ctx.store.begin().await?;
    // Followers (shipments, payments, invoices based on an order) join their leader's sale.
    loop {
        let mut joined = 0;
        for document in onec::sale_documents(&mut tx, ctx.connection_id).await? {
            for follower in
                onec::documents_based_on(&mut tx, ctx.connection_id, document.ref_key).await?
            {
                if follower.sale_id.is_none()
                    && let Some(sale) = document.sale_id
                {
                    onec::set_document_sale(&mut tx, follower.id, sale).await?;
                    joined += 1;
                }
            }
        }
        if joined == 0 {
            break;
        }
    }
    let documents = onec::sale_documents(&mut tx, ctx.connection_id).await?;
    let mut by_sale: BTreeMap<Uuid, Vec<&OnecDocument>> = BTreeMap::new();
    for document in &documents {
        if let Some(sale) = document.sale_id
            && !document.deleted
        {
            by_sale.entry(sale).or_default().push(document);
        }
    }
    let today = Utc::now().date_naive();
    for (sale_id, documents) in by_sale {
        let mut facts = Facts::default();
        let leaders: Vec<&&OnecDocument> = documents
            .iter()
            .filter(|d| d.kind == order_kind || d.kind == "order")
            .collect();
        if let Some(first) = leaders
            .iter()
            .filter(|d| d.posted)
            .map(|d| d.date.date())
            .min()
        {
            facts.order_placed_on = Some(first);
        }
        if let Some(shipment) = documents
            .iter()
            .filter(|d| d.kind == "shipment" && d.posted)
            .map(|d| d.date.date())
            .min()
        {
            facts.delivered_on = Some(shipment);
        }
        let billed: i64 = leaders.iter().map(|d| d.amount).max().unwrap_or(0);
        let mut paid = 0;
        let mut paid_on = None;
        let mut payments: Vec<&&OnecDocument> = documents
            .iter()
            .filter(|d| d.kind == "payment" && d.posted)
            .collect();
        payments.sort_by_key(|d| d.date);
        let sale_refs: Vec<Uuid> = documents.iter().map(|d| d.ref_key).collect();
        for payment in payments {
            let amount: i64 = payment
                .lines
                .as_array()
                .into_iter()
                .flatten()
                .filter(|a| {
                    a.get("document_ref")
                        .and_then(Value::as_str)
                        .and_then(|r| Uuid::parse_str(r).ok())
                        .is_some_and(|r| sale_refs.contains(&r))
                })
                .filter_map(|a| a.get("amount").and_then(Value::as_i64))
                .sum();
            paid += amount;
            if billed > 0 && paid >= billed && paid_on.is_none() {
                paid_on = Some(payment.date.date());
            }
        }
        if paid_on.is_none()
            && let Some(paid_value) = &paid_value
            && documents
                .iter()
                .any(|d| d.kind == "invoice" && d.status.as_deref() == Some(paid_value.as_str()))
        {
            paid_on = Some(today);
        }
        facts.invoice_paid_on = paid_on;
        let record = match sales::get(&mut tx, sale_id).await {
            Ok(record) => record,
            Err(StoreError::NotFound) => continue,
            Err(other) => return Err(other.into()),
        };
        let mut data = record.data.clone();
        let mut changed = Vec::new();
        if data.order_placed_on.is_none() && facts.order_placed_on.is_some() {
            data.order_placed_on = facts.order_placed_on;
            changed.push("заказ размещён");
        }
        if data.invoice_paid_on.is_none() && facts.invoice_paid_on.is_some() {
            data.invoice_paid_on = facts.invoice_paid_on;
            changed.push("счёт оплачен");
        }
        if data.delivered_on.is_none() && facts.delivered_on.is_some() {
            data.delivered_on = facts.delivered_on;
            changed.push("отгружено");
        }
        ctx.counts("sale").received += 1;
        if changed.is_empty() {
            ctx.counts("sale").unchanged += 1;
            continue;
        }
        sales::update(&mut tx, None, sale_id, None, &data, record.territory_id).await?;
        ctx.counts("sale").updated += 1;
        ctx.log(
            "in",
            "sale",
            None,
            Some(sale_id),
            "updated",
            format!("«{}»: {}", data.title, changed.join(", ")),
        );
    }
    ctx.commit(tx, 0).await
}
