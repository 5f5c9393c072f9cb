//! A person's answer to a conflict: take 1C's values into Ferment, or keep Ferment's (they travel
//! to 1C with the next run, counterparties only: 1C owns nomenclature, so keeping Ferment's value
//! of a product field only stops the question until 1C changes it again).

use ferment_domain::counterparty::CounterpartyInput;
use ferment_store::onec::{self, Conflict};
use ferment_store::{StoreError, counterparties, products};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::{OnecError, OnecResult};

fn conflict_fields(conflict: &Conflict) -> Vec<(String, Value, Value)> {
    conflict
        .fields
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| {
            Some((
                f.get("field")?.as_str()?.to_string(),
                f.get("ferment").cloned().unwrap_or(Value::Null),
                f.get("onec").cloned().unwrap_or(Value::Null),
            ))
        })
        .collect()
}

fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Applies the chosen side and closes the conflict, in the caller's transaction.
pub async fn resolve(
    tx: &mut ferment_store::Tx,
    conflict: &Conflict,
    side: &str,
    user_id: Option<Uuid>,
) -> OnecResult<()> {
    let fields = conflict_fields(conflict);
    let mut link = onec::links_by_refs(
        tx,
        conflict.connection_id,
        &conflict.object,
        &[conflict.ref_key],
    )
    .await?
    .remove(&conflict.ref_key)
    .ok_or(OnecError::Store(StoreError::NotFound))?;
    let base_key = if conflict.object == "counterparty" {
        Some("base")
    } else {
        None
    };
    let mut base: Map<String, Value> = match base_key {
        Some(key) => link
            .extra
            .get(key)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        None => link.extra.as_object().cloned().unwrap_or_default(),
    };
    // Either way the base becomes 1C's value: then Ferment's kept value reads as Ferment's change.
    for (field, _, onec_value) in &fields {
        base.insert(field.clone(), onec_value.clone());
    }
    if side == "onec"
        && let Some(id) = conflict.record_id
    {
        link.record_version = Some(take_onec(tx, &conflict.object, id, &fields, user_id).await?);
    } else if conflict.object == "counterparty" {
        link.record_version = Some(-1);
    }
    match base_key {
        Some(key) => {
            if let Value::Object(extra) = &mut link.extra {
                extra.insert(key.into(), Value::Object(base));
            } else {
                link.extra = serde_json::json!({ key: base });
            }
        }
        None => link.extra = Value::Object(base),
    }
    onec::put_link(tx, conflict.connection_id, &conflict.object, &link).await?;
    onec::resolve_conflict(tx, conflict.id, side, user_id).await?;
    Ok(())
}

async fn take_onec(
    tx: &mut ferment_store::Tx,
    object: &str,
    id: Uuid,
    fields: &[(String, Value, Value)],
    user_id: Option<Uuid>,
) -> OnecResult<i64> {
    let refused = |errors: Vec<ferment_domain::validation::FieldError>| {
        OnecError::Config(
            errors
                .iter()
                .map(|e| {
                    format!(
                        "{}: {}",
                        e.field,
                        e.problem.message(ferment_domain::validation::Lang::Ru)
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        )
    };
    match object {
        "counterparty" => {
            let record = counterparties::get(tx, id).await?;
            let mut input = CounterpartyInput::from(&record.data);
            for (field, _, value) in fields {
                let value = text(value);
                match field.as_str() {
                    "kind" => input.kind = value,
                    "name" => input.name = value,
                    "full_name" => input.full_name = value,
                    "inn" => input.inn = value,
                    "kpp" => input.kpp = value,
                    "ogrn" => input.ogrn = value,
                    "legal_address" => input.legal_address = value,
                    "actual_address" => input.actual_address = value,
                    "phone" => input.phone = value,
                    "email" => input.email = value,
                    "site" => input.site = value,
                    _ => {}
                }
            }
            let data = input.validate().map_err(refused)?;
            Ok(
                counterparties::update(tx, user_id, id, record.meta.version, &data)
                    .await?
                    .meta
                    .version,
            )
        }
        _ => {
            let record = products::get(tx, id).await?;
            let mut data = record.data.clone();
            for (field, _, value) in fields {
                match field.as_str() {
                    "code" => data.code = text(value),
                    "article" => data.article = Some(text(value)).filter(|a| !a.is_empty()),
                    "name" => data.name = text(value),
                    "description" => data.description = Some(text(value)).filter(|a| !a.is_empty()),
                    "vat_rate" => data.vat_rate = value.as_i64().unwrap_or(data.vat_rate),
                    "unit" => {
                        if let Some(unit) = ferment_domain::catalog::Unit::from_code(&text(value)) {
                            data.unit = unit;
                        }
                    }
                    _ => {}
                }
            }
            Ok(
                products::update(tx, user_id, id, record.meta.version, &data)
                    .await?
                    .meta
                    .version,
            )
        }
    }
}
