//! Counterparties both ways, their bank accounts and contracts from 1C.
//!
//! Counterparties are matched by the stored link, else by ИНН + КПП; field by field, a change on one
//! side travels to the other and a change on both is a conflict ([`super::merge`]). Pushing looks
//! for the counterparty in 1C by ИНН before creating it, so a push repeated after a crash links
//! instead of duplicating. A pushed counterparty's bank accounts follow it: each account 1C lacks
//! (looked up by number under that owner) is created there, with its bank found by БИК or added.

use ferment_domain::counterparty::{BankAccount, Counterparty, CounterpartyInput};
use ferment_domain::validation::Lang;
use ferment_store::onec::{self, Link};
use ferment_store::{StoreError, counterparties};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{Context, links_of, merge};
use crate::mapping::{self, CounterpartyFields, key, reference, text};
use crate::odata::{Query, literal};
use crate::{OnecError, OnecResult};

const COUNTERPARTY: &str = "counterparty";
/// The log's and counts' name for bank accounts sent to 1C.
const BANK_ACCOUNT_OUT: &str = "bank_account_out";

fn fields_of(record: &Counterparty) -> CounterpartyFields {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    CounterpartyFields {
        kind: record.kind.code().to_string(),
        name: record.name.clone(),
        full_name: text(&record.full_name),
        inn: text(&record.inn),
        kpp: text(&record.kpp),
        ogrn: text(&record.ogrn),
        legal_address: text(&record.legal_address),
        actual_address: text(&record.actual_address),
        phone: text(&record.phone),
        email: text(&record.email),
        site: text(&record.site),
    }
}

fn as_map(fields: &CounterpartyFields) -> Map<String, Value> {
    match serde_json::to_value(fields) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

fn from_map(map: Map<String, Value>) -> CounterpartyFields {
    serde_json::from_value(Value::Object(map)).unwrap_or_default()
}

fn reasons(errors: &[ferment_domain::validation::FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.problem.message(Lang::Ru)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A counterparty with the synced fields replaced (Ferment-only fields kept), validated.
fn with_fields(
    record: Option<&Counterparty>,
    fields: &CounterpartyFields,
) -> Result<Counterparty, String> {
    let mut input = record.map(CounterpartyInput::from).unwrap_or_default();
    input.kind = fields.kind.clone();
    input.name = fields.name.clone();
    input.full_name = fields.full_name.clone();
    input.inn = fields.inn.clone();
    input.kpp = if fields.kind == "sole_proprietor" {
        String::new()
    } else {
        fields.kpp.clone()
    };
    input.ogrn = fields.ogrn.clone();
    input.legal_address = fields.legal_address.clone();
    input.actual_address = fields.actual_address.clone();
    input.phone = fields.phone.clone();
    input.email = fields.email.clone();
    input.site = fields.site.clone();
    input.validate().map_err(|errors| reasons(&errors))
}

/// New and changed counterparties from 1C.
pub(super) async fn counterparties(ctx: &mut Context<'_>) -> OnecResult<()> {
    let set = ctx.profile.counterparties.set.clone();
    if !ctx.published(&set, COUNTERPARTY) {
        return Ok(());
    }
    let mut links = links_of(ctx, COUNTERPARTY).await?;
    let mut skip = ctx.start_skip();
    loop {
        let page = {
            let known = |k: Uuid, v: &str| links.get(&k).is_some_and(|l| l.data_version == v);
            ctx.changed_page(&set, None, skip, false, &known).await?
        };
        ctx.count_page(COUNTERPARTY, &page);
        let mut tx = ctx.store.begin().await?;
        for object in &page.objects {
            let Some(item) = mapping::counterparty(&ctx.profile, object) else {
                ctx.counts(COUNTERPARTY).failed += 1;
                continue;
            };
            if item.folder {
                ctx.counts(COUNTERPARTY).unchanged += 1;
                continue;
            }
            if let Some(link) = apply_counterparty(
                ctx,
                &mut tx,
                item,
                links.get(&key(object).unwrap_or_default()),
            )
            .await?
            {
                links.insert(link.ref_key, link);
            }
        }
        skip += page.len as u64;
        ctx.commit(tx, skip).await?;
        if page.last {
            return Ok(());
        }
    }
}

async fn live(
    tx: &mut ferment_store::Tx,
    id: Uuid,
) -> OnecResult<Option<ferment_store::Record<Counterparty>>> {
    match counterparties::get(tx, id).await {
        Ok(record) => Ok(Some(record)),
        Err(StoreError::NotFound) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

async fn apply_counterparty(
    ctx: &mut Context<'_>,
    tx: &mut ferment_store::Tx,
    item: mapping::CounterpartyIn,
    link: Option<&Link>,
) -> OnecResult<Option<Link>> {
    let ref_key = item.key;
    let mut record = match link.and_then(|l| l.record_id) {
        Some(id) => live(tx, id).await?,
        None => None,
    };
    let linked = record.is_some();
    if record.is_none() && !item.fields.inn.is_empty() {
        let kpp = (!item.fields.kpp.is_empty()).then_some(item.fields.kpp.as_str());
        if let Some((id, _)) =
            counterparties::find_duplicate(tx, &item.fields.inn, kpp, None).await?
        {
            record = live(tx, id).await?;
        }
    }
    let partner = item
        .partner
        .map(|p| json!(p.to_string()))
        .unwrap_or(Value::Null);
    let link_with = |record_id: Option<Uuid>,
                     record_version: Option<i64>,
                     base: Map<String, Value>,
                     deleted: bool| Link {
        ref_key,
        record_id,
        data_version: item.version.clone(),
        record_version,
        deleted,
        extra: json!({"base": base, "partner": partner}),
    };
    if item.deleted {
        if link.is_some_and(|l| !l.deleted) {
            ctx.log(
                "in",
                COUNTERPARTY,
                Some(ref_key),
                record.as_ref().map(|r| r.meta.id),
                "deleted",
                format!(
                    "«{}» помечен на удаление в 1С; в Ferment клиент остаётся",
                    item.fields.name
                ),
            );
            ctx.counts(COUNTERPARTY).updated += 1;
        } else {
            ctx.counts(COUNTERPARTY).unchanged += 1;
        }
        let base = link
            .and_then(|l| l.extra.get("base"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let new = link_with(
            record.as_ref().map(|r| r.meta.id),
            record.as_ref().map(|r| r.meta.version),
            base,
            true,
        );
        onec::put_link(tx, ctx.connection_id, COUNTERPARTY, &new).await?;
        return Ok(Some(new));
    }
    let Some(record) = record else {
        let counterparty = match with_fields(None, &item.fields) {
            Ok(counterparty) => counterparty,
            Err(reason) => {
                ctx.counts(COUNTERPARTY).failed += 1;
                ctx.log(
                    "in",
                    COUNTERPARTY,
                    Some(ref_key),
                    None,
                    "failed",
                    format!("«{}»: {reason}", item.fields.name),
                );
                return Ok(None);
            }
        };
        let saved = counterparties::insert(tx, None, &counterparty).await?;
        ctx.counts(COUNTERPARTY).created += 1;
        let new = link_with(
            Some(saved.meta.id),
            Some(saved.meta.version),
            as_map(&item.fields),
            false,
        );
        onec::put_link(tx, ctx.connection_id, COUNTERPARTY, &new).await?;
        return Ok(Some(new));
    };
    let mine = as_map(&fields_of(&record.data));
    let base = if linked {
        link.and_then(|l| l.extra.get("base"))
            .and_then(Value::as_object)
            .cloned()
    } else {
        None
    };
    let theirs = as_map(&item.fields);
    let merged = merge(base.as_ref(), &mine, &theirs);
    if !merged.conflicts.is_empty() {
        let conflicts = serde_json::to_value(&merged.conflicts).unwrap_or(Value::Null);
        onec::open_conflict(
            tx,
            ctx.connection_id,
            COUNTERPARTY,
            ref_key,
            Some(record.meta.id),
            &conflicts,
            &item.version,
        )
        .await?;
        ctx.log(
            "in",
            COUNTERPARTY,
            Some(ref_key),
            Some(record.meta.id),
            "conflict",
            format!("«{}»: поля изменены и в Ferment, и в 1С", record.data.name),
        );
    }
    let mut version = record.meta.version;
    if merged.ferment != mine {
        let counterparty = match with_fields(Some(&record.data), &from_map(merged.ferment.clone()))
        {
            Ok(counterparty) => counterparty,
            Err(reason) => {
                ctx.counts(COUNTERPARTY).failed += 1;
                ctx.log(
                    "in",
                    COUNTERPARTY,
                    Some(ref_key),
                    Some(record.meta.id),
                    "failed",
                    format!("«{}»: {reason}", item.fields.name),
                );
                return Ok(None);
            }
        };
        let saved =
            counterparties::update(tx, None, record.meta.id, record.meta.version, &counterparty)
                .await?;
        version = saved.meta.version;
        ctx.counts(COUNTERPARTY).updated += 1;
        ctx.log(
            "in",
            COUNTERPARTY,
            Some(ref_key),
            Some(record.meta.id),
            if linked { "updated" } else { "linked" },
            format!("«{}»", record.data.name),
        );
    } else {
        ctx.counts(COUNTERPARTY).unchanged += 1;
        if !linked {
            ctx.log(
                "in",
                COUNTERPARTY,
                Some(ref_key),
                Some(record.meta.id),
                "linked",
                format!("«{}» найден по ИНН/КПП", record.data.name),
            );
        }
    }
    // Ferment has something 1C lacks: the push stage sends it (a version 1C cannot match).
    let pending_push = !merged.to_onec(&theirs).is_empty();
    let new = link_with(
        Some(record.meta.id),
        Some(if pending_push { -1 } else { version }),
        merged.base,
        false,
    );
    onec::put_link(tx, ctx.connection_id, COUNTERPARTY, &new).await?;
    Ok(Some(new))
}

/// Counterparties new or changed in Ferment go to 1C.
pub(super) async fn push_counterparties(ctx: &mut Context<'_>) -> OnecResult<()> {
    let set = ctx.profile.counterparties.set.clone();
    if !ctx.published(&set, COUNTERPARTY) {
        return Ok(());
    }
    // One pass per run: what fails for a reason that is not transient is logged and tried again
    // by the next run.
    let batch = {
        let mut reader = ctx.store.reader().await?;
        onec::counterparties_to_push(&mut reader, ctx.connection_id, 5000).await?
    };
    for (id, link) in batch {
        match push_one(ctx, id, link).await {
            Ok(_) => {}
            Err(error) if error.is_transient() || matches!(error, OnecError::Unauthorized) => {
                return Err(error);
            }
            Err(error) => {
                ctx.counts("counterparty_out").failed += 1;
                ctx.log(
                    "out",
                    COUNTERPARTY,
                    None,
                    Some(id),
                    "failed",
                    error.to_string(),
                );
            }
        }
    }
    let tx = ctx.store.begin().await?;
    ctx.commit(tx, 0).await
}

/// Sends one counterparty; `false` when nothing could be done now (it stays for the next run).
async fn push_one(ctx: &mut Context<'_>, id: Uuid, link: Option<Link>) -> OnecResult<bool> {
    let set = ctx.profile.counterparties.set.clone();
    let record = {
        let mut reader = ctx.store.reader().await?;
        match counterparties::get(&mut reader, id).await {
            Ok(record) => record,
            Err(StoreError::NotFound) => return Ok(false),
            Err(other) => return Err(other.into()),
        }
    };
    let mine = fields_of(&record.data);
    ctx.counts("counterparty_out").received += 1;
    let (ref_key, onec_now, base, partner) = match link.as_ref().filter(|l| !l.ref_key.is_nil()) {
        Some(link) => {
            let Some(object) = ctx.client.get(&set, link.ref_key).await? else {
                return Err(OnecError::Config(format!(
                    "«{}»: в 1С больше нет этого контрагента",
                    record.data.name
                )));
            };
            let base = link.extra.get("base").and_then(Value::as_object).cloned();
            let partner = link
                .extra
                .get("partner")
                .and_then(Value::as_str)
                .and_then(|p| Uuid::parse_str(p).ok());
            (link.ref_key, object, base, partner)
        }
        None => match find_in_onec(ctx, &mine).await? {
            Some(object) => {
                let ref_key = key(&object).unwrap_or_default();
                let partner = ctx
                    .profile
                    .counterparties
                    .partner
                    .as_deref()
                    .and_then(|f| reference(&object, f));
                (ref_key, object, None, partner)
            }
            None => return create_in_onec(ctx, &record, &mine).await.map(|_| true),
        },
    };
    let theirs = mapping::counterparty(&ctx.profile, &onec_now)
        .map(|c| as_map(&c.fields))
        .unwrap_or_default();
    let merged = merge(base.as_ref(), &as_map(&mine), &theirs);
    let mut data_version = mapping::data_version(&onec_now);
    let to_send = merged.to_onec(&theirs);
    if !to_send.is_empty() {
        let body =
            mapping::counterparty_body(&ctx.profile, &from_map(merged.onec.clone()), partner);
        let saved = ctx.client.update(&set, ref_key, &body).await?;
        data_version = mapping::data_version(&saved);
        ctx.counts("counterparty_out").updated += 1;
        let fields: Vec<&String> = to_send.keys().collect();
        ctx.log(
            "out",
            COUNTERPARTY,
            Some(ref_key),
            Some(id),
            "sent",
            format!(
                "«{}»: {}",
                record.data.name,
                fields
                    .iter()
                    .map(|f| f.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    } else {
        ctx.counts("counterparty_out").unchanged += 1;
    }
    // Before the transaction: no write lock is held while 1C answers.
    let known = link
        .as_ref()
        .map(|l| accounts_of(&l.extra))
        .unwrap_or_default();
    let accounts = push_bank_accounts(ctx, ref_key, &record, known).await?;
    let mut tx = ctx.store.begin().await?;
    if !merged.conflicts.is_empty() {
        let conflicts = serde_json::to_value(&merged.conflicts).unwrap_or(Value::Null);
        onec::open_conflict(
            &mut tx,
            ctx.connection_id,
            COUNTERPARTY,
            ref_key,
            Some(id),
            &conflicts,
            &data_version,
        )
        .await?;
        ctx.log(
            "out",
            COUNTERPARTY,
            Some(ref_key),
            Some(id),
            "conflict",
            format!("«{}»: поля изменены и в Ferment, и в 1С", record.data.name),
        );
    }
    let mut version = record.meta.version;
    if merged.ferment != as_map(&mine) {
        match with_fields(Some(&record.data), &from_map(merged.ferment.clone())) {
            Ok(counterparty) => {
                match counterparties::update(&mut tx, None, id, record.meta.version, &counterparty)
                    .await
                {
                    Ok(saved) => version = saved.meta.version,
                    Err(StoreError::StaleVersion { .. }) => return Ok(false),
                    Err(other) => return Err(other.into()),
                }
            }
            Err(reason) => ctx.log(
                "in",
                COUNTERPARTY,
                Some(ref_key),
                Some(id),
                "failed",
                reason,
            ),
        }
    }
    let link = Link {
        ref_key,
        record_id: Some(id),
        data_version,
        record_version: Some(version),
        deleted: false,
        extra: json!({"base": merged.base, "partner": partner.map(|p| p.to_string()), ACCOUNTS: accounts}),
    };
    onec::put_link(&mut tx, ctx.connection_id, COUNTERPARTY, &link).await?;
    ctx.commit(tx, 0).await?;
    Ok(true)
}

/// The 1C counterparty with this ИНН (and КПП), if 1C has one.
async fn find_in_onec(
    ctx: &Context<'_>,
    fields: &CounterpartyFields,
) -> OnecResult<Option<crate::odata::Object>> {
    let c = &ctx.profile.counterparties;
    let filter = format!("{} eq {}", c.inn, literal::string(&fields.inn));
    let found = ctx
        .client
        .list(&c.set, &Query::default().filter(filter))
        .await?;
    Ok(found.into_iter().find(|o| {
        !mapping::flag(o, "IsFolder") && (fields.kpp.is_empty() || text(o, &c.kpp) == fields.kpp)
    }))
}

async fn create_in_onec(
    ctx: &mut Context<'_>,
    record: &ferment_store::Record<Counterparty>,
    fields: &CounterpartyFields,
) -> OnecResult<()> {
    let mut partner = None;
    if let Some(partners) = ctx.profile.partners.clone() {
        let filter = format!("Description eq {}", literal::string(&fields.name));
        let found = ctx
            .client
            .list(&partners.set, &Query::default().filter(filter))
            .await?;
        partner = match found.first().and_then(key) {
            Some(key) => Some(key),
            None => {
                let body = json!({
                    "Description": fields.name,
                    "НаименованиеПолное": if fields.full_name.is_empty() { &fields.name } else { &fields.full_name },
                    partners.client_flag.clone(): true,
                });
                let created = ctx.client.create(&partners.set, &body).await?;
                key(&created)
            }
        };
    }
    let body = mapping::counterparty_body(&ctx.profile, fields, partner);
    let created = ctx
        .client
        .create(&ctx.profile.counterparties.set.clone(), &body)
        .await?;
    let ref_key = key(&created)
        .ok_or_else(|| OnecError::Protocol("1C created a counterparty without Ref_Key".into()))?;
    ctx.counts("counterparty_out").created += 1;
    ctx.log(
        "out",
        COUNTERPARTY,
        Some(ref_key),
        Some(record.meta.id),
        "created",
        format!("«{}» создан в 1С", record.data.name),
    );
    let accounts = push_bank_accounts(ctx, ref_key, record, Vec::new()).await?;
    let mut tx = ctx.store.begin().await?;
    let link = Link {
        ref_key,
        record_id: Some(record.meta.id),
        data_version: mapping::data_version(&created),
        record_version: Some(record.meta.version),
        deleted: false,
        extra: json!({"base": as_map(fields), "partner": partner.map(|p| p.to_string()), ACCOUNTS: accounts}),
    };
    onec::put_link(&mut tx, ctx.connection_id, COUNTERPARTY, &link).await?;
    ctx.commit(tx, 0).await
}

/// The key of a counterparty link's `extra` listing the account numbers known to be in 1C.
const ACCOUNTS: &str = "accounts";

/// The account numbers a counterparty link records as already in 1C.
fn accounts_of(extra: &Value) -> Vec<String> {
    extra
        .get(ACCOUNTS)
        .and_then(Value::as_array)
        .map(|numbers| {
            numbers
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Creates in 1C the bank accounts of `record` that 1C's counterparty `owner` lacks, and answers
/// the numbers now known to be there. `known` (from the link) is skipped without asking; any
/// other number is first looked up in 1C under this owner, so a push repeated after a crash finds
/// what the first attempt made. Accounts are only added: one removed in Ferment stays in 1C,
/// where payments may refer to it. An error leaves the link as it was, so the counterparty is
/// pushed, and its accounts looked up, again by the next run.
async fn push_bank_accounts(
    ctx: &mut Context<'_>,
    owner: Uuid,
    record: &ferment_store::Record<Counterparty>,
    mut known: Vec<String>,
) -> OnecResult<Vec<String>> {
    let a = ctx.profile.bank_accounts.clone();
    let b = ctx.profile.banks.clone();
    // When 1C does not publish these, the pull of bank accounts says so; the accounts stay here.
    if ctx.missing_sets.contains(&a.set) || ctx.missing_sets.contains(&b.set) {
        return Ok(known);
    }
    for account in &record.data.bank_accounts {
        if known.contains(&account.account) {
            continue;
        }
        ctx.counts(BANK_ACCOUNT_OUT).received += 1;
        let filter = format!("{} eq {}", a.number, literal::string(&account.account));
        let there = ctx
            .client
            .list(&a.set, &Query::default().filter(filter))
            .await?
            .iter()
            .any(|o| reference(o, &a.owner) == Some(owner) && !mapping::flag(o, "DeletionMark"));
        if there {
            ctx.counts(BANK_ACCOUNT_OUT).unchanged += 1;
        } else {
            let bank = bank_in_onec(ctx, account).await?;
            let mut body = json!({
                "Description": format!("{}, {}", account.account, account.bank_name),
                a.number.clone(): account.account,
                a.bank.clone(): bank.to_string(),
                a.owner.clone(): owner.to_string(),
            });
            // A composite owner (`Owner` rather than `Owner_Key`) names its type beside it.
            if !a.owner.ends_with("_Key") {
                body[format!("{}_Type", a.owner)] =
                    json!(format!("StandardODATA.{}", ctx.profile.counterparties.set));
            }
            let created = ctx.client.create(&a.set, &body).await?;
            ctx.counts(BANK_ACCOUNT_OUT).created += 1;
            ctx.log(
                "out",
                BANK_ACCOUNT_OUT,
                key(&created),
                Some(record.meta.id),
                "created",
                format!(
                    "«{}»: счёт {} ({}) создан в 1С",
                    record.data.name, account.account, account.bank_name
                ),
            );
        }
        known.push(account.account.clone());
    }
    Ok(known)
}

/// The 1C bank with this account's БИК, added to 1C's bank list when it has none.
async fn bank_in_onec(ctx: &mut Context<'_>, account: &BankAccount) -> OnecResult<Uuid> {
    let b = ctx.profile.banks.clone();
    let filter = format!("{} eq {}", b.bik, literal::string(&account.bik));
    let found = ctx
        .client
        .list(&b.set, &Query::default().filter(filter))
        .await?
        .into_iter()
        .filter(|o| !mapping::flag(o, "IsFolder"))
        .find_map(|o| key(&o));
    if let Some(bank) = found {
        return Ok(bank);
    }
    let mut body = json!({ b.bik.clone(): account.bik, b.name.clone(): account.bank_name });
    if let Some(correspondent) = &account.correspondent_account {
        body[b.correspondent_account.clone()] = json!(correspondent);
    }
    let created = ctx.client.create(&b.set, &body).await?;
    let bank = key(&created)
        .ok_or_else(|| OnecError::Protocol("1C created a bank without Ref_Key".into()))?;
    ctx.log(
        "out",
        BANK_ACCOUNT_OUT,
        Some(bank),
        None,
        "created",
        format!(
            "банк {} (БИК {}) добавлен в 1С",
            account.bank_name, account.bik
        ),
    );
    Ok(bank)
}

/// Bank accounts from 1C are added to their counterparty's accounts (by account number).
pub(super) async fn bank_accounts(ctx: &mut Context<'_>) -> OnecResult<()> {
    let a = ctx.profile.bank_accounts.clone();
    let b = ctx.profile.banks.clone();
    if !ctx.published(&a.set, "bank_account") || !ctx.published(&b.set, "bank_account") {
        return Ok(());
    }
    let links = links_of(ctx, "bank_account").await?;
    let mut owners = links_of(ctx, COUNTERPARTY).await?;
    let mut skip = ctx.start_skip();
    loop {
        let page = {
            let known = |k: Uuid, v: &str| links.get(&k).is_some_and(|l| l.data_version == v);
            ctx.changed_page(&a.set, None, skip, false, &known).await?
        };
        ctx.count_page("bank_account", &page);
        let bank_keys: Vec<Uuid> = page
            .objects
            .iter()
            .filter_map(|o| reference(o, &a.bank))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut banks = std::collections::HashMap::new();
        for chunk in bank_keys.chunks(25) {
            for bank in ctx
                .client
                .list(
                    &b.set,
                    &Query::default().filter(literal::any_of("Ref_Key", chunk)),
                )
                .await?
            {
                if let Some(k) = key(&bank) {
                    banks.insert(k, bank);
                }
            }
        }
        let mut tx = ctx.store.begin().await?;
        for object in &page.objects {
            let Some(ref_key) = key(object) else { continue };
            let owner = reference(object, &a.owner)
                .and_then(|o| owners.get(&o))
                .and_then(|l| l.record_id);
            let bank = reference(object, &a.bank).and_then(|k| banks.get(&k));
            let (Some(owner), Some(bank)) = (owner, bank) else {
                ctx.counts("bank_account").unchanged += 1;
                continue;
            };
            let account = BankAccount {
                bik: text(bank, &b.bik),
                bank_name: text(bank, &b.name),
                correspondent_account: Some(text(bank, &b.correspondent_account))
                    .filter(|c| !c.is_empty()),
                account: text(object, &a.number),
            };
            if let Some(record) = live(&mut tx, owner).await?
                && !record
                    .data
                    .bank_accounts
                    .iter()
                    .any(|x| x.account == account.account)
            {
                let mut input = CounterpartyInput::from(&record.data);
                input
                    .bank_accounts
                    .push(ferment_domain::counterparty::BankAccountInput {
                        bik: account.bik.clone(),
                        bank_name: account.bank_name.clone(),
                        correspondent_account: account
                            .correspondent_account
                            .clone()
                            .unwrap_or_default(),
                        account: account.account.clone(),
                    });
                match input.validate() {
                    Ok(data) => {
                        let saved = counterparties::update(
                            &mut tx,
                            None,
                            owner,
                            record.meta.version,
                            &data,
                        )
                        .await?;
                        ctx.counts("bank_account").created += 1;
                        // The account came from 1C: the counterparty still agrees with it.
                        if let Some(owner_ref) = reference(object, &a.owner)
                            && let Some(link) = owners.get(&owner_ref)
                            && link.record_version == Some(record.meta.version)
                        {
                            let link = Link {
                                record_version: Some(saved.meta.version),
                                ..link.clone()
                            };
                            onec::put_link(&mut tx, ctx.connection_id, COUNTERPARTY, &link).await?;
                            owners.insert(owner_ref, link);
                        }
                    }
                    Err(errors) => {
                        ctx.counts("bank_account").failed += 1;
                        ctx.log(
                            "in",
                            "bank_account",
                            Some(ref_key),
                            Some(owner),
                            "failed",
                            format!("счёт {}: {}", account.account, reasons(&errors)),
                        );
                    }
                }
            } else {
                ctx.counts("bank_account").unchanged += 1;
            }
            let link = Link {
                ref_key,
                record_id: Some(owner),
                data_version: mapping::data_version(object),
                record_version: None,
                deleted: mapping::flag(object, "DeletionMark"),
                extra: Value::Null,
            };
            onec::put_link(&mut tx, ctx.connection_id, "bank_account", &link).await?;
        }
        skip += page.len as u64;
        ctx.commit(tx, skip).await?;
        if page.last {
            return Ok(());
        }
    }
}

/// Contracts are kept as links on their counterparty (number, date, name) for the card and for
/// the invoices Ferment sends.
pub(super) async fn contracts(ctx: &mut Context<'_>) -> OnecResult<()> {
    let k = ctx.profile.contracts.clone();
    if !ctx.published(&k.set, "contract") {
        return Ok(());
    }
    let links = links_of(ctx, "contract").await?;
    let owners = links_of(ctx, COUNTERPARTY).await?;
    let mut skip = ctx.start_skip();
    loop {
        let page = {
            let known = |key: Uuid, v: &str| links.get(&key).is_some_and(|l| l.data_version == v);
            ctx.changed_page(&k.set, None, skip, false, &known).await?
        };
        ctx.count_page("contract", &page);
        let mut tx = ctx.store.begin().await?;
        for object in &page.objects {
            let Some(ref_key) = key(object) else { continue };
            let owner_ref = reference(object, &k.owner);
            let owner = owner_ref
                .and_then(|o| owners.get(&o))
                .and_then(|l| l.record_id);
            let link = Link {
                ref_key,
                record_id: owner,
                data_version: mapping::data_version(object),
                record_version: None,
                deleted: mapping::flag(object, "DeletionMark"),
                extra: json!({
                    "name": text(object, "Description"),
                    "number": text(object, &k.number),
                    "date": mapping::datetime(object, &k.date).map(|d| d.date().to_string()),
                    "counterparty_ref": owner_ref.map(|o| o.to_string()),
                }),
            };
            if links.contains_key(&ref_key) {
                ctx.counts("contract").updated += 1;
            } else {
                ctx.counts("contract").created += 1;
            }
            onec::put_link(&mut tx, ctx.connection_id, "contract", &link).await?;
        }
        skip += page.len as u64;
        ctx.commit(tx, skip).await?;
        if page.last {
            return Ok(());
        }
    }
}
