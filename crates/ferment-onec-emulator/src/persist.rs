//! `--data FILE`: the base as one JSON document, loaded at start and written after every write
//! (to a temporary file that is then renamed over the old one, so a crash never leaves half a file).

use std::borrow::Cow;
use std::path::Path;

use anyhow::Context as _;
use serde_json::Value;
use uuid::Uuid;

use crate::base::{Base, StockRow};
use crate::schema::{Kind, Profile, Schema};
use crate::value::{self, parse_date};
use crate::view::{self, Links, View};

/// Writes the base to `path` atomically.
pub fn save(base: &Base, path: &Path) -> anyhow::Result<()> {
    let mut out = String::with_capacity(1 << 20);
    out.push_str("{\"profile\":");
    value::write_str(&mut out, base.schema.profile.name());
    out.push_str(",\"sets\":{");
    let mut first_set = true;
    for (set, def) in base.schema.sets.iter().enumerate() {
        let rows: Vec<Cow<'_, [value::Val]>> = match def.kind {
            Kind::InformationRegister => base.records[set]
                .iter()
                .map(|r| Cow::Borrowed(r.as_slice()))
                .collect(),
            Kind::AccumulationRegister | Kind::AccountingRegister => continue,
            _ => base.objects[set]
                .values()
                .map(|r| Cow::Borrowed(r.as_slice()))
                .collect(),
        };
        if !first_set {
            out.push(',');
        }
        first_set = false;
        value::write_str(&mut out, &def.name);
        out.push_str(":[");
        let view = View {
            name: def.name.clone(),
            fields: Cow::Borrowed(&def.fields),
            tables: &def.tables,
            rows: Vec::new(),
            links: Links::None,
        };
        let all: Vec<usize> = (0..def.fields.len()).collect();
        for (n, row) in rows.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            out.push('{');
            view::write_members(&mut out, &view, row, &all, true);
            out.push('}');
        }
        out.push(']');
    }
    out.push_str("},\"stock\":");
    let stock = &base.stock;
    let rows: Vec<Value> = stock
        .rows
        .iter()
        .map(|r| {
            serde_json::json!([
                r.period.format(value::DATE_FORMAT).to_string(),
                r.product,
                r.warehouse,
                r.quantity,
                r.amount,
                r.reserve
            ])
        })
        .collect();
    let stock_json = serde_json::json!({"products": stock.products, "warehouses": stock.warehouses, "account": stock.account, "rows": rows});
    out.push_str(&stock_json.to_string());
    out.push('}');
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, out).with_context(|| format!("writing {}", temporary.display()))?;
    std::fs::rename(&temporary, path)
        .with_context(|| format!("renaming onto {}", path.display()))?;
    Ok(())
}

/// Reads a base written by [`save`].
pub fn load(path: &Path) -> anyhow::Result<Base> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let json: Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let profile = match json["profile"].as_str() {
        Some("bp30") => Profile::Bp30,
        Some("ut11") => Profile::Ut11,
        other => anyhow::bail!("unknown profile {other:?} in {}", path.display()),
    };
    let mut base = Base::empty(Schema::of(profile));
    let mut highest_version = 0u64;
    for (set, def) in base.schema.sets.clone().iter().enumerate() {
        let Some(items) = json["sets"][&def.name].as_array() else {
            continue;
        };
        for item in items {
            let object = item.as_object().context("an object")?;
            let mut row = Vec::with_capacity(def.fields.len());
            for field in &def.fields {
                row.push(match object.get(&field.name) {
                    Some(v) => value::from_json(field, v, &def.tables)?,
                    None => value::default_of(&field.ty),
                });
            }
            if def.kind == Kind::InformationRegister {
                base.records[set].push(row);
            } else {
                if let Some(version) = row[1].text().and_then(decode_version) {
                    highest_version = highest_version.max(version);
                }
                base.insert(set, row);
            }
        }
    }
    let stock = &json["stock"];
    let guids = |v: &Value| -> Vec<Uuid> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|g| g.as_str().and_then(|s| Uuid::parse_str(s).ok()))
                    .collect()
            })
            .unwrap_or_default()
    };
    base.stock.products = guids(&stock["products"]);
    base.stock.warehouses = guids(&stock["warehouses"]);
    base.stock.account = stock["account"]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .unwrap_or_default();
    for row in stock["rows"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let number = |i: usize| row[i].as_f64().unwrap_or(0.0);
        base.stock.rows.push(StockRow {
            period: row[0].as_str().and_then(parse_date).unwrap_or_default(),
            product: row[1].as_u64().unwrap_or(0) as u32,
            warehouse: row[2].as_u64().unwrap_or(0) as u16,
            quantity: number(3),
            amount: number(4),
            reserve: number(5),
        });
    }
    base.set_version(highest_version);
    base.recount();
    Ok(base)
}

fn decode_version(text: &str) -> Option<u64> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?;
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}
