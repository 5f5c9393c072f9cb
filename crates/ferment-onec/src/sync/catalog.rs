//! Stages that bring 1C's nomenclature in: product groups (folders), products, prices, warehouses
//! and stock. 1C owns all of it; a Ferment edit of a product field 1C also changed is a conflict.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use ferment_domain::catalog::{Product, ProductGroup, ProductInput, Warehouse};
use ferment_domain::validation::Lang;
use ferment_store::onec::{self, Link, LinkKey};
use ferment_store::{StoreError, products, warehouses};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Context, links_of, merge};
use crate::OnecResult;
use crate::mapping::{self, ProductFields, key, reference, text};
use crate::odata::{Query, literal};

const GROUP: &str = "product_group";
const PRODUCT: &str = "product";

/// Folders of the nomenclature become product groups, parents first.
pub(super) async fn product_groups(ctx: &mut Context<'_>) -> OnecResult<()> {
    let set = ctx.profile.products.set.clone();
    if !ctx.published(&set, GROUP) {
        return Ok(());
    }
    let folders = ctx.all(&set, Some("IsFolder eq true")).await?;
    let mut links = links_of(ctx, GROUP).await?;
    let mut pending: Vec<&serde_json::Map<String, Value>> = folders.iter().collect();
    let mut tx = ctx.store.begin().await?;
    while !pending.is_empty() {
        let before = pending.len();
        let mut later = Vec::new();
        for folder in pending {
            let Some(ref_key) = key(folder) else { continue };
            let parent = reference(folder, "Parent_Key");
            let parent_id = match parent {
                None => None,
                Some(parent) => match links.get(&parent) {
                    Some(link) => link.record_id,
                    None if folders.iter().any(|f| key(f) == Some(parent)) => {
                        later.push(folder);
                        continue;
                    }
                    None => None,
                },
            };
            ctx.counts(GROUP).received += 1;
            let version = mapping::data_version(folder);
            let group = ProductGroup {
                name: text(folder, "Description"),
                parent_id,
            };
            let record_id = match links.get(&ref_key) {
                Some(link) if link.data_version == version => {
                    ctx.counts(GROUP).unchanged += 1;
                    continue;
                }
                Some(Link {
                    record_id: Some(id),
                    ..
                }) => {
                    match products::update_group(&mut tx, None, *id, &group).await {
                        Ok(()) => ctx.counts(GROUP).updated += 1,
                        Err(StoreError::NotFound) => {
                            ctx.counts(GROUP).failed += 1;
                            continue;
                        }
                        Err(other) => return Err(other.into()),
                    }
                    *id
                }
                _ => {
                    let id = products::insert_group(&mut tx, None, &group).await?;
                    ctx.counts(GROUP).created += 1;
                    id
                }
            };
            let link = Link {
                ref_key,
                record_id: Some(record_id),
                data_version: version,
                record_version: None,
                deleted: mapping::flag(folder, "DeletionMark"),
                extra: Value::Null,
            };
            onec::put_link(&mut tx, ctx.connection_id, GROUP, &link).await?;
            links.insert(ref_key, link);
        }
        if later.len() == before {
            // A cycle in 1C's folders: take the rest without parents next round.
            for folder in &later {
                if let Some(parent) = reference(folder, "Parent_Key") {
                    links.entry(parent).or_insert(Link {
                        ref_key: parent,
                        record_id: None,
                        data_version: String::new(),
                        record_version: None,
                        deleted: false,
                        extra: Value::Null,
                    });
                }
            }
        }
        pending = later;
    }
    ctx.commit(tx, 0).await
}

fn vat_percent(rate: i64) -> String {
    if rate % 100 == 0 {
        (rate / 100).to_string()
    } else {
        ferment_domain::decimal::format_plain(rate, 2)
    }
}

fn fields_of(product: &Product) -> ProductFields {
    ProductFields {
        code: product.code.clone(),
        article: product.article.clone().unwrap_or_default(),
        name: product.name.clone(),
        unit: product.unit.code().to_string(),
        vat_rate: product.vat_rate,
        description: product.description.clone().unwrap_or_default(),
    }
}

fn as_map(fields: &ProductFields) -> serde_json::Map<String, Value> {
    match serde_json::to_value(fields) {
        Ok(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    }
}

/// Validates a product built from merged fields.
fn product_from(
    fields: &ProductFields,
    group_id: Option<Uuid>,
    keep: Option<&Product>,
) -> Result<Product, String> {
    let input = ProductInput {
        code: fields.code.clone(),
        article: fields.article.clone(),
        name: fields.name.clone(),
        unit: fields.unit.clone(),
        group_id: group_id.map(|id| id.to_string()).unwrap_or_default(),
        vat_rate: vat_percent(fields.vat_rate),
        price: ferment_domain::decimal::format_plain(keep.map_or(0, |p| p.price), 2),
        currency: keep.map(|p| p.currency.clone()).unwrap_or_default(),
        needs_sample: keep.is_some_and(|p| p.needs_sample),
        description: fields.description.clone(),
    };
    input.validate().map_err(|errors| {
        errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.problem.message(Lang::Ru)))
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// Products: new and changed items come in; deletion marks hide them. New items are created in
/// bulk (one statement per few hundred rows), with the price of the profile's price type, and get
/// their search words after the last page.
pub(super) async fn products(ctx: &mut Context<'_>) -> OnecResult<()> {
    let set = ctx.profile.products.set.clone();
    if !ctx.published(&set, PRODUCT) {
        return Ok(());
    }
    let created_before = ctx.counts(PRODUCT).created;
    let resumed = ctx.resume.is_some_and(|(stage, _)| stage == ctx.stage);
    let loaded = product_pages(ctx, &set).await;
    // Even when the pages failed part-way: what they created is searchable at the stage's end (and
    // a resumed run indexes what a killed one left, whose cursor is still in this stage).
    if ctx.counts(PRODUCT).created > created_before || resumed || loaded.is_err() {
        index_new_products(ctx).await?;
    }
    loaded
}

/// Products created without search words get them, in transactions of [`INDEX_BATCH`] products.
async fn index_new_products(ctx: &mut Context<'_>) -> OnecResult<()> {
    const INDEX_BATCH: usize = 20_000;
    let skip = ctx
        .run
        .cursor
        .get("skip")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    loop {
        let mut tx = ctx.store.begin().await?;
        let indexed = ferment_store::bulk::index_unindexed_products(&mut tx, INDEX_BATCH).await?;
        ctx.commit(tx, skip).await?;
        if indexed < INDEX_BATCH {
            return Ok(());
        }
    }
}

/// Ferment's products by code and by article, to match 1C items that have no link yet.
struct Codes {
    codes: HashMap<String, Uuid>,
    articles: HashMap<String, Uuid>,
}

impl Codes {
    async fn load(ctx: &Context<'_>) -> OnecResult<Codes> {
        let mut reader = ctx.store.reader().await?;
        let mut codes = HashMap::new();
        let mut articles = HashMap::new();
        for (id, code, article) in products::codes(&mut reader).await? {
            codes.insert(code, id);
            if let Some(article) = article.filter(|a| !a.is_empty()) {
                articles.entry(article).or_insert(id);
            }
        }
        Ok(Codes { codes, articles })
    }
}

/// The pages of the products stage.
async fn product_pages(ctx: &mut Context<'_>, set: &str) -> OnecResult<()> {
    let mut links = ctx.take_product_links().await?;
    product_pages_with(ctx, set, &mut links).await?;
    // Kept only when every page was committed: after a failure they may hold a rolled-back link.
    ctx.keep_product_links(links);
    Ok(())
}

/// The pages of the products stage, with the product links kept in step as they are written.
async fn product_pages_with(
    ctx: &mut Context<'_>,
    set: &str,
    links: &mut HashMap<Uuid, LinkKey>,
) -> OnecResult<()> {
    let groups = links_of(ctx, GROUP).await?;
    let prices = price_list(ctx).await?;
    // Read when a page first brings an item without a link (a first load, a new item).
    let mut codes: Option<Codes> = None;
    let mut taken: HashSet<Uuid> = links
        .values()
        .filter(|l| !l.deleted)
        .filter_map(|l| l.record_id)
        .collect();
    let mut skip = ctx.start_skip();
    let complete = skip == 0;
    let mut seen: HashSet<Uuid> = HashSet::new();
    // A first load reads whole pages ahead; once pages come mostly known, keys first.
    let mut whole = links.is_empty();
    loop {
        let page = {
            let known = |k: Uuid, v: &str| links.get(&k).is_some_and(|l| l.data_version == v);
            ctx.changed_page(set, Some("IsFolder eq false"), skip, whole, &known)
                .await?
        };
        whole = page.mostly_changed();
        seen.extend(page.seen.iter().copied());
        ctx.count_page(PRODUCT, &page);
        skip += page.len as u64;
        let last = page.last;
        if !ctx.needs_commit(&page) {
            if last {
                break;
            }
            continue;
        }
        let mut tx = ctx.store.begin().await?;
        // The agreed fields of the page's linked items: the base a change is merged against.
        let linked: Vec<Uuid> = page
            .objects
            .iter()
            .filter_map(key)
            .filter(|k| links.contains_key(k))
            .collect();
        let full_links = onec::links_by_refs(&mut tx, ctx.connection_id, PRODUCT, &linked).await?;
        let items: Vec<Option<mapping::ProductIn>> = page
            .objects
            .iter()
            .map(|object| mapping::product(&ctx.profile, object))
            .collect();
        // Codes match an item that is not (or no longer) linked and that Ferment would take.
        if codes.is_none()
            && items.iter().flatten().any(|item| {
                !item.deleted
                    && !item.skipped
                    && full_links
                        .get(&item.key)
                        .is_none_or(|l| l.deleted || l.record_id.is_none())
            })
        {
            codes = Some(Codes::load(ctx).await?);
        }
        let mut creates: Vec<(mapping::ProductIn, Product)> = Vec::new();
        for item in items {
            let Some(mut item) = item else {
                ctx.counts(PRODUCT).failed += 1;
                continue;
            };
            let link = full_links.get(&item.key).cloned();
            let linked = link
                .as_ref()
                .filter(|l| !l.deleted)
                .and_then(|l| l.record_id);
            let matched = linked.or_else(|| {
                if item.deleted {
                    return None;
                }
                let codes = codes.as_ref()?;
                codes
                    .codes
                    .get(&item.fields.code)
                    .or_else(|| codes.articles.get(&item.fields.article))
                    .copied()
                    .filter(|id| !taken.contains(id))
            });
            if matched.is_none() && !item.deleted && !item.skipped {
                // A new product: checked here, created with the others of the page.
                let price = prices.get(&item.key).copied();
                // Read above for any page with an item that has no live link, as this one.
                let Some(codes) = codes.as_mut() else {
                    refuse(
                        ctx,
                        item.key,
                        None,
                        "коды товаров Ferment не прочитаны".into(),
                    );
                    continue;
                };
                match prepare(ctx, &mut item, &groups, price) {
                    Some(product) if codes.codes.contains_key(&product.code) => {
                        refuse(
                            ctx,
                            item.key,
                            None,
                            format!(
                                "«{}»: код {} уже занят другим товаром",
                                product.name, product.code
                            ),
                        );
                    }
                    Some(product) => {
                        codes.codes.insert(product.code.clone(), Uuid::nil());
                        creates.push((item, product));
                    }
                    None => {}
                }
                continue;
            }
            if let Some(link) =
                apply_product(ctx, &mut tx, item, link.as_ref(), &groups, matched).await?
            {
                if let Some(id) = link.record_id {
                    taken.insert(id);
                }
                links.insert(link.ref_key, LinkKey::from(&link));
            }
        }
        if !creates.is_empty() {
            let rows: Vec<Product> = creates.iter().map(|(_, p)| p.clone()).collect();
            let ids = ferment_store::bulk::insert_products(&mut tx, None, &rows).await?;
            let mut new_links = Vec::with_capacity(ids.len());
            for ((item, product), id) in creates.into_iter().zip(ids) {
                if let Some(codes) = codes.as_mut() {
                    codes.codes.insert(product.code.clone(), id);
                    if !item.fields.article.is_empty() {
                        codes
                            .articles
                            .entry(item.fields.article.clone())
                            .or_insert(id);
                    }
                }
                taken.insert(id);
                new_links.push(Link {
                    ref_key: item.key,
                    record_id: Some(id),
                    data_version: item.version.clone(),
                    record_version: Some(1),
                    deleted: false,
                    extra: Value::Object(as_map(&item.fields)),
                });
            }
            ctx.counts(PRODUCT).created += new_links.len() as i64;
            onec::put_links(&mut tx, ctx.connection_id, PRODUCT, &new_links).await?;
            for link in &new_links {
                links.insert(link.ref_key, LinkKey::from(link));
            }
        }
        ctx.commit(tx, skip).await?;
        if last {
            break;
        }
    }
    if complete && ctx.full {
        // What 1C no longer lists was deleted there.
        let gone: Vec<Uuid> = links
            .iter()
            .filter(|(ref_key, l)| !l.deleted && !seen.contains(ref_key))
            .map(|(ref_key, _)| *ref_key)
            .collect();
        if !gone.is_empty() {
            let mut tx = ctx.store.begin().await?;
            let gone = onec::links_by_refs(&mut tx, ctx.connection_id, PRODUCT, &gone).await?;
            for mut link in gone.into_values() {
                if let Some(id) = link.record_id {
                    match products::delete(&mut tx, None, id).await {
                        Ok(()) | Err(StoreError::NotFound) => {}
                        Err(other) => return Err(other.into()),
                    }
                }
                link.deleted = true;
                onec::put_link(&mut tx, ctx.connection_id, PRODUCT, &link).await?;
                links.insert(link.ref_key, LinkKey::from(&link));
                ctx.counts(PRODUCT).updated += 1;
                ctx.log(
                    "in",
                    PRODUCT,
                    Some(link.ref_key),
                    link.record_id,
                    "deleted",
                    "удалён в 1С".to_string(),
                );
            }
            ctx.commit(tx, skip).await?;
        }
    }
    Ok(())
}

/// A 1C product Ferment cannot take: counted as failed and logged with the reason.
fn refuse(ctx: &mut Context<'_>, ref_key: Uuid, record_id: Option<Uuid>, reason: String) {
    ctx.counts(PRODUCT).failed += 1;
    ctx.log("in", PRODUCT, Some(ref_key), record_id, "failed", reason);
}

/// Puts Ferment's unit on an incoming item; `false` (with the reason logged and counted) when its
/// unit or VAT rate has no Ferment equivalent.
fn take_unit_and_vat(ctx: &mut Context<'_>, item: &mut mapping::ProductIn) -> bool {
    let ref_key = item.key;
    let Some(unit) = item.unit.and_then(|u| ctx.reference.units.get(&u).cloned()) else {
        refuse(
            ctx,
            ref_key,
            None,
            format!(
                "«{}»: единица измерения не сопоставлена с единицами Ferment",
                item.fields.name
            ),
        );
        return false;
    };
    item.fields.unit = unit;
    if let Some(vat) = &item.unknown_vat {
        refuse(
            ctx,
            ref_key,
            None,
            format!("«{}»: неизвестная ставка НДС {vat}", item.fields.name),
        );
        return false;
    }
    true
}

/// The unit and VAT of an incoming item checked, and the product it becomes when new; `None` (with
/// the reason logged) when it cannot be taken.
fn prepare(
    ctx: &mut Context<'_>,
    item: &mut mapping::ProductIn,
    groups: &HashMap<Uuid, Link>,
    price: Option<i64>,
) -> Option<Product> {
    if !take_unit_and_vat(ctx, item) {
        return None;
    }
    let ref_key = item.key;
    let group_id = item
        .parent
        .and_then(|p| groups.get(&p))
        .and_then(|l| l.record_id);
    match product_from(&item.fields, group_id, None) {
        Ok(mut product) => {
            product.price = price.unwrap_or(0);
            Some(product)
        }
        Err(reason) => {
            refuse(
                ctx,
                ref_key,
                None,
                format!("«{}»: {reason}", item.fields.name),
            );
            None
        }
    }
}

/// The prices of the profile's price type by product reference (empty when 1C has none).
async fn price_list(ctx: &mut Context<'_>) -> OnecResult<Arc<HashMap<Uuid, i64>>> {
    if let Some(prices) = &ctx.prices {
        return Ok(Arc::clone(prices));
    }
    let p = ctx.profile.prices.clone();
    let mut prices = HashMap::new();
    if !ctx.missing_sets.contains(&p.set)
        && let Some(price_type) = ctx.reference.price_type
    {
        let filter = format!("{} eq {}", p.price_type, literal::guid(price_type));
        let rows = ctx
            .client
            .list(
                &format!("{}/SliceLast()", p.set),
                &Query::default().filter(filter),
            )
            .await?;
        for row in &rows {
            if let Some(product) = reference(row, &p.product) {
                prices.insert(product, mapping::kopecks(row, &p.price));
            }
        }
    }
    let prices = Arc::new(prices);
    ctx.prices = Some(Arc::clone(&prices));
    Ok(prices)
}

async fn apply_product(
    ctx: &mut Context<'_>,
    tx: &mut ferment_store::Tx,
    mut item: mapping::ProductIn,
    link: Option<&Link>,
    groups: &HashMap<Uuid, Link>,
    matched: Option<Uuid>,
) -> OnecResult<Option<Link>> {
    let ref_key = item.key;
    if item.skipped {
        ctx.counts(PRODUCT).unchanged += 1;
        return Ok(None);
    }
    if !take_unit_and_vat(ctx, &mut item) {
        return Ok(None);
    }
    let group_id = item
        .parent
        .and_then(|p| groups.get(&p))
        .and_then(|l| l.record_id);
    // The Ferment product: the linked one, else the one with the same code or article.
    let mut record_id = matched;
    let mut current = None;
    if let Some(id) = record_id {
        match products::get(tx, id).await {
            Ok(record) => current = Some(record),
            Err(StoreError::NotFound) => record_id = None,
            Err(other) => return Err(other.into()),
        }
    }
    let new_link =
        |record_id: Option<Uuid>, record_version: Option<i64>, base: &ProductFields| Link {
            ref_key,
            record_id,
            data_version: item.version.clone(),
            record_version,
            deleted: item.deleted,
            extra: Value::Object(as_map(base)),
        };
    if item.deleted {
        if let Some(id) = record_id {
            products::delete(tx, None, id).await?;
            ctx.counts(PRODUCT).updated += 1;
            ctx.log(
                "in",
                PRODUCT,
                Some(ref_key),
                Some(id),
                "deleted",
                format!("«{}» помечен на удаление в 1С", item.fields.name),
            );
        } else {
            ctx.counts(PRODUCT).unchanged += 1;
        }
        let link = new_link(record_id, None, &item.fields);
        onec::put_link(tx, ctx.connection_id, PRODUCT, &link).await?;
        return Ok(Some(link));
    }
    let (Some(id), Some(current)) = (record_id, current) else {
        let product = match product_from(&item.fields, group_id, None) {
            Ok(product) => product,
            Err(reason) => {
                refuse(
                    ctx,
                    ref_key,
                    None,
                    format!("«{}»: {reason}", item.fields.name),
                );
                return Ok(None);
            }
        };
        let record = products::insert(tx, None, &product).await?;
        ctx.counts(PRODUCT).created += 1;
        let link = new_link(
            Some(record.meta.id),
            Some(record.meta.version),
            &item.fields,
        );
        onec::put_link(tx, ctx.connection_id, PRODUCT, &link).await?;
        return Ok(Some(link));
    };
    let mine = as_map(&fields_of(&current.data));
    // 1C owns nomenclature: on the first link its values win (the base is Ferment's own).
    let base = match link
        .and_then(|l| l.extra.as_object())
        .filter(|_| link.is_some_and(|l| l.record_id == Some(id)))
    {
        Some(base) => base.clone(),
        None => mine.clone(),
    };
    let merged = merge(Some(&base), &mine, &as_map(&item.fields));
    let fields: ProductFields =
        serde_json::from_value(Value::Object(merged.ferment.clone())).unwrap_or_default();
    if !merged.conflicts.is_empty() {
        let conflicts = serde_json::to_value(&merged.conflicts).unwrap_or(Value::Null);
        onec::open_conflict(
            tx,
            ctx.connection_id,
            PRODUCT,
            ref_key,
            Some(id),
            &conflicts,
            &item.version,
        )
        .await?;
        ctx.log(
            "in",
            PRODUCT,
            Some(ref_key),
            Some(id),
            "conflict",
            format!("«{}»: изменён и в Ferment, и в 1С", current.data.name),
        );
    }
    let group_id = if link.is_none() {
        group_id.or(current.data.group_id)
    } else {
        group_id
    };
    let product = match product_from(&fields, group_id, Some(&current.data)) {
        Ok(product) => product,
        Err(reason) => {
            refuse(
                ctx,
                ref_key,
                Some(id),
                format!("«{}»: {reason}", item.fields.name),
            );
            return Ok(None);
        }
    };
    let version = if product != current.data {
        let saved = products::update(tx, None, id, current.meta.version, &product).await?;
        ctx.counts(PRODUCT).updated += 1;
        saved.meta.version
    } else {
        ctx.counts(PRODUCT).unchanged += 1;
        current.meta.version
    };
    let base: ProductFields =
        serde_json::from_value(Value::Object(merged.base)).unwrap_or_default();
    let link = new_link(Some(id), Some(version), &base);
    onec::put_link(tx, ctx.connection_id, PRODUCT, &link).await?;
    Ok(Some(link))
}

/// Prices of the profile's price type become the products' base prices (1C changes prices without
/// touching the product, so every price is compared each run; only changed ones are written).
pub(super) async fn prices(ctx: &mut Context<'_>) -> OnecResult<()> {
    let p = ctx.profile.prices.clone();
    if !ctx.published(&p.set, "price") {
        return Ok(());
    }
    if ctx.reference.price_type.is_none() {
        ctx.log(
            "in",
            "price",
            None,
            None,
            "skipped",
            format!("в 1С нет вида цен «{}»", ctx.profile.price_types.name),
        );
        return Ok(());
    }
    let prices = price_list(ctx).await?;
    let links = ctx.product_links().await?;
    let current = {
        let mut reader = ctx.store.reader().await?;
        products::all_prices(&mut reader).await?
    };
    let mut tx = ctx.store.begin().await?;
    let mut written = 0;
    for (product_ref, price) in prices.iter() {
        ctx.counts("price").received += 1;
        let Some(id) = links
            .get(product_ref)
            .filter(|l| !l.deleted)
            .and_then(|l| l.record_id)
        else {
            ctx.counts("price").unchanged += 1;
            continue;
        };
        match current.get(&id) {
            Some(old) if old != price => {
                products::set_price(&mut tx, None, id, *price).await?;
                ctx.counts("price").updated += 1;
                written += 1;
            }
            _ => ctx.counts("price").unchanged += 1,
        }
        if written >= 500 {
            ctx.commit(tx, 0).await?;
            tx = ctx.store.begin().await?;
            written = 0;
        }
    }
    ctx.commit(tx, 0).await
}

/// Warehouses: matched by name, the one named like the office sample store becomes it.
pub(super) async fn warehouses(ctx: &mut Context<'_>) -> OnecResult<()> {
    let w = ctx.profile.warehouses.clone();
    if !ctx.published(&w.set, "warehouse") {
        return Ok(());
    }
    let objects = ctx.all(&w.set, None).await?;
    let links = links_of(ctx, "warehouse").await?;
    let existing = {
        let mut reader = ctx.store.reader().await?;
        warehouses::list(&mut reader).await?
    };
    let mut tx = ctx.store.begin().await?;
    for object in objects.iter().filter(|o| !mapping::flag(o, "IsFolder")) {
        let Some(ref_key) = key(object) else { continue };
        ctx.counts("warehouse").received += 1;
        let version = mapping::data_version(object);
        let name = text(object, "Description");
        let link = links.get(&ref_key);
        if link.is_some_and(|l| l.data_version == version) {
            ctx.counts("warehouse").unchanged += 1;
            continue;
        }
        let linked = link
            .and_then(|l| l.record_id)
            .and_then(|id| existing.iter().find(|w| w.meta.id == id));
        let by_name = || existing.iter().find(|w| w.data.is_called(&name));
        let record_id = match linked.or_else(by_name) {
            Some(record) if record.data.name == name => {
                ctx.counts("warehouse").unchanged += 1;
                record.meta.id
            }
            Some(record) => {
                let data = Warehouse {
                    name: name.clone(),
                    ..record.data.clone()
                };
                warehouses::update(&mut tx, None, record.meta.id, record.meta.version, &data)
                    .await?;
                ctx.counts("warehouse").updated += 1;
                record.meta.id
            }
            None => {
                let data = Warehouse::named_in_onec(&name, &w.office_marker);
                let record = warehouses::insert(&mut tx, None, &data).await?;
                ctx.counts("warehouse").created += 1;
                record.meta.id
            }
        };
        let link = Link {
            ref_key,
            record_id: Some(record_id),
            data_version: version,
            record_version: None,
            deleted: mapping::flag(object, "DeletionMark"),
            extra: json!({"name": name}),
        };
        onec::put_link(&mut tx, ctx.connection_id, "warehouse", &link).await?;
    }
    ctx.commit(tx, 0).await
}

/// Stock: the register's balance per product and warehouse replaces the stock of the warehouses
/// that come from 1C (lines 1C no longer has become zero).
pub(super) async fn stock(ctx: &mut Context<'_>) -> OnecResult<()> {
    let s = ctx.profile.stock.clone();
    if !ctx.published(&s.set, "stock") {
        return Ok(());
    }
    let segment = match &s.dimensions {
        Some(dimensions) => format!(
            "{}/Balance(Dimensions={})",
            s.set,
            literal::string(dimensions)
        ),
        None => format!("{}/Balance()", s.set),
    };
    let mut query = Query::default();
    if let Some(account) = &s.account {
        let Some(account_key) = ctx.reference.account else {
            ctx.log(
                "in",
                "stock",
                None,
                None,
                "skipped",
                format!("в 1С нет счёта {}", account.code),
            );
            return Ok(());
        };
        query = query.filter(format!(
            "{} eq {}",
            account.field,
            literal::guid(account_key)
        ));
    }
    let rows = ctx.client.list(&segment, &query).await?;
    let products = ctx.product_links().await?;
    let stores = links_of(ctx, "warehouse").await?;
    let mut wanted: HashMap<(Uuid, Uuid), i64> = HashMap::new();
    for row in &rows {
        ctx.counts("stock").received += 1;
        let product = reference(row, &s.product)
            .and_then(|r| products.get(&r))
            .filter(|l| !l.deleted)
            .and_then(|l| l.record_id);
        let store = reference(row, &s.warehouse)
            .and_then(|r| stores.get(&r))
            .and_then(|l| l.record_id);
        let (Some(product), Some(store)) = (product, store) else {
            ctx.counts("stock").failed += 1;
            continue;
        };
        *wanted.entry((store, product)).or_default() += mapping::thousandths(row, &s.quantity);
    }
    let warehouse_ids: Vec<Uuid> = stores.values().filter_map(|l| l.record_id).collect();
    let current = {
        let mut reader = ctx.store.reader().await?;
        warehouses::stock_of(&mut reader, &warehouse_ids).await?
    };
    let mut changes: Vec<(Uuid, Uuid, i64)> = Vec::new();
    for ((store, product), quantity) in &wanted {
        match current.get(&(*store, *product)) {
            Some(old) if old == quantity => ctx.counts("stock").unchanged += 1,
            Some(_) => {
                ctx.counts("stock").updated += 1;
                changes.push((*store, *product, *quantity));
            }
            None => {
                ctx.counts("stock").created += 1;
                changes.push((*store, *product, *quantity));
            }
        }
    }
    for ((store, product), old) in &current {
        if *old != 0 && !wanted.contains_key(&(*store, *product)) {
            ctx.counts("stock").updated += 1;
            changes.push((*store, *product, 0));
        }
    }
    for chunk in changes.chunks(5000) {
        let mut tx = ctx.store.begin().await?;
        warehouses::put_stock(&mut tx, chunk).await?;
        ctx.commit(tx, 0).await?;
    }
    Ok(())
}
