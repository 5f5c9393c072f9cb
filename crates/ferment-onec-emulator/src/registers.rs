//! Computed views: tabular sections as their own sets, register records, and the virtual tables
//! `Balance` (accumulation and accounting registers, summed from the stock movements) and `SliceLast`
//! (information registers: the latest record per dimensions at a moment).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDateTime;

use crate::base::{Base, StockRow};
use crate::query::{self, BadQuery};
use crate::schema::{Field, Kind, SetDef, Ty};
use crate::value::{UNDEFINED, Val, parse_date, plain_text};
use crate::view::{Links, View};

/// The arguments of a virtual table: `Period=datetime'…',Condition='…',Dimensions='…'`.
#[derive(Debug, Default, Clone)]
pub struct Args {
    /// The moment.
    pub period: Option<NaiveDateTime>,
    /// A filter over the register's dimensions, applied before summing.
    pub condition: Option<String>,
    /// The dimensions to group by (accumulation registers).
    pub dimensions: Option<Vec<String>>,
}

/// Parses the text between the parentheses of `Balance(…)`.
pub fn parse_args(text: &str) -> Result<Args, BadQuery> {
    let mut args = Args::default();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        while i < chars.len() && (chars[i] == ',' || chars[i].is_whitespace()) {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let start = i;
        while i < chars.len() && chars[i] != '=' {
            i += 1;
        }
        let name: String = chars[start..i]
            .iter()
            .collect::<String>()
            .trim()
            .to_string();
        i += 1;
        let prefix_start = i;
        while i < chars.len() && chars[i] != '\'' && chars[i] != ',' {
            i += 1;
        }
        let prefix: String = chars[prefix_start..i]
            .iter()
            .collect::<String>()
            .trim()
            .to_string();
        let mut value = String::new();
        if chars.get(i) == Some(&'\'') {
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(BadQuery("unterminated argument".into())),
                    Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                        value.push('\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(c) => {
                        value.push(*c);
                        i += 1;
                    }
                }
            }
        } else {
            value = prefix.clone();
        }
        match name.as_str() {
            "Period" => {
                let date =
                    parse_date(&value).ok_or_else(|| BadQuery(format!("bad Period {value}")))?;
                args.period = Some(date);
            }
            "Condition" => args.condition = Some(value),
            "Dimensions" => {
                args.dimensions = Some(
                    value
                        .split(',')
                        .map(|d| d.trim().to_string())
                        .filter(|d| !d.is_empty())
                        .collect(),
                )
            }
            _ => {}
        }
    }
    Ok(args)
}

/// Rows of a tabular section's own set (`Document_X_Товары`), for one owner or all.
pub fn table_rows<'a>(
    base: &'a Base,
    set: usize,
    table: usize,
    owner: Option<uuid::Uuid>,
) -> View<'a> {
    let def = &base.schema.sets[set];
    let field = def.field(&def.tables[table].name).expect("a table field");
    let mut rows = Vec::new();
    let mut add = |key: uuid::Uuid, object: &Vec<Val>| {
        if let Val::Rows(lines) = &object[field] {
            for (n, line) in lines.iter().enumerate() {
                let mut row = Vec::with_capacity(line.len() + 2);
                row.push(Val::Guid(key));
                row.push(Val::Int(n as i64 + 1));
                row.extend(line.iter().cloned());
                rows.push(Cow::Owned(row));
            }
        }
    };
    match owner {
        Some(key) => {
            if let Some(object) = base.get(set, key) {
                add(key, object);
            }
        }
        None => base.objects[set]
            .iter()
            .for_each(|(key, object)| add(*key, object)),
    }
    let name = format!("{}_{}", def.name, def.tables[table].name);
    View {
        name: name.clone(),
        fields: Cow::Owned(def.table_fields(table)),
        tables: &[],
        rows,
        links: Links::TableRow(name),
    }
}

fn shared(text: &str) -> Val {
    Val::Str(Arc::from(text))
}

/// The records of an accumulation or accounting register, one per stock movement.
pub fn register_records<'a>(base: &'a Base, def: &'a SetDef) -> View<'a> {
    let stock = &base.stock;
    let undefined = shared(UNDEFINED);
    let empty = shared("");
    let receipt = shared("Receipt");
    let product_type = shared("StandardODATA.Catalog_Номенклатура");
    let warehouse_type = shared("StandardODATA.Catalog_Склады");
    let rows = stock
        .rows
        .iter()
        .enumerate()
        .map(|(n, r)| {
            let product = Val::Guid(stock.products[r.product as usize]);
            let warehouse = Val::Guid(stock.warehouses[r.warehouse as usize]);
            let mut row = vec![
                empty.clone(),
                undefined.clone(),
                Val::Date(r.period),
                Val::Int(n as i64 + 1),
                Val::Bool(true),
            ];
            if def.kind == Kind::AccountingRegister {
                row.extend([
                    Val::Guid(stock.account),
                    product,
                    product_type.clone(),
                    warehouse,
                    warehouse_type.clone(),
                    Val::Num(r.quantity),
                    Val::Num(r.amount),
                ]);
            } else {
                row.extend([
                    receipt.clone(),
                    product,
                    Val::Guid(uuid::Uuid::nil()),
                    warehouse,
                    Val::Num(r.quantity),
                    Val::Num(r.reserve),
                ]);
            }
            Cow::Owned(row)
        })
        .collect();
    View {
        name: def.name.clone(),
        fields: Cow::Borrowed(&def.fields),
        tables: &[],
        rows,
        links: Links::None,
    }
}

fn before(row: &StockRow, args: &Args) -> bool {
    args.period.is_none_or(|p| row.period <= p)
}

/// `AccumulationRegister_X/Balance(…)`: the requested dimensions and each resource suffixed `Balance`.
pub fn accumulation_balance<'a>(
    base: &'a Base,
    def: &'a SetDef,
    args: &Args,
) -> Result<View<'a>, BadQuery> {
    const DIMENSIONS: [&str; 3] = ["Номенклатура", "Характеристика", "Склад"];
    let dimensions: Vec<&str> = match &args.dimensions {
        None => DIMENSIONS.to_vec(),
        Some(list) => {
            let mut out = Vec::new();
            for name in list {
                let name = name.strip_suffix("_Key").unwrap_or(name);
                let known = DIMENSIONS
                    .iter()
                    .find(|d| **d == name)
                    .ok_or_else(|| BadQuery(format!("unknown dimension {name}")))?;
                out.push(*known);
            }
            out
        }
    };
    let condition_fields: Vec<Field> = DIMENSIONS
        .iter()
        .map(|d| def.fields[def.field(&format!("{d}_Key")).expect("a dimension")].clone())
        .collect();
    let condition = args
        .condition
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(|c| query::parse_filter(c, &condition_fields))
        .transpose()?;
    let stock = &base.stock;
    let mut sums: HashMap<(u32, u16), (f64, f64)> = HashMap::new();
    let by_product = dimensions.contains(&"Номенклатура");
    let by_warehouse = dimensions.contains(&"Склад");
    for row in stock.rows.iter().filter(|r| before(r, args)) {
        if let Some(expr) = &condition {
            let values = [
                Val::Guid(stock.products[row.product as usize]),
                Val::Guid(uuid::Uuid::nil()),
                Val::Guid(stock.warehouses[row.warehouse as usize]),
            ];
            if !query::matches(expr, &values) {
                continue;
            }
        }
        let key = (
            if by_product { row.product } else { u32::MAX },
            if by_warehouse {
                row.warehouse
            } else {
                u16::MAX
            },
        );
        let sum = sums.entry(key).or_default();
        sum.0 += row.quantity;
        sum.1 += row.reserve;
    }
    let mut keys: Vec<_> = sums
        .into_iter()
        .filter(|(_, (q, r))| *q != 0.0 || *r != 0.0)
        .collect();
    keys.sort_by_key(|(k, _)| *k);
    let mut fields: Vec<Field> = dimensions
        .iter()
        .map(|d| def.fields[def.field(&format!("{d}_Key")).expect("a dimension")].clone())
        .collect();
    let resources: Vec<&Field> = def.fields.iter().rev().take(2).collect();
    fields.push(Field::new(
        &format!("{}Balance", resources[1].name),
        Ty::Double,
    ));
    fields.push(Field::new(
        &format!("{}Balance", resources[0].name),
        Ty::Double,
    ));
    let rows = keys
        .into_iter()
        .map(|((product, warehouse), (quantity, reserve))| {
            let mut row: Vec<Val> = dimensions
                .iter()
                .map(|d| match *d {
                    "Номенклатура" => Val::Guid(stock.products[product as usize]),
                    "Склад" => Val::Guid(stock.warehouses[warehouse as usize]),
                    _ => Val::Guid(uuid::Uuid::nil()),
                })
                .collect();
            row.push(Val::Num(round(quantity)));
            row.push(Val::Num(round(reserve)));
            Cow::Owned(row)
        })
        .collect();
    Ok(View {
        name: format!("{}_Balance", def.name),
        fields: Cow::Owned(fields),
        tables: &[],
        rows,
        links: Links::None,
    })
}

fn round(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

/// `AccountingRegister_Хозрасчетный/Balance(…)`: per account and two subcontos (product, warehouse).
pub fn accounting_balance<'a>(
    base: &'a Base,
    def: &'a SetDef,
    args: &Args,
) -> Result<View<'a>, BadQuery> {
    let mut fields = vec![
        Field::new(
            "Account_Key",
            Ty::Ref("ChartOfAccounts_Хозрасчетный".into()),
        ),
        Field::new("ExtDimension1", Ty::AnyRef),
        Field::new("ExtDimension1_Type", Ty::TypeOf),
        Field::new("ExtDimension2", Ty::AnyRef),
        Field::new("ExtDimension2_Type", Ty::TypeOf),
    ];
    let condition = args
        .condition
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(|c| query::parse_filter(c, &fields))
        .transpose()?;
    let stock = &base.stock;
    let product_type = shared("StandardODATA.Catalog_Номенклатура");
    let warehouse_type = shared("StandardODATA.Catalog_Склады");
    let head = |row: &StockRow| {
        vec![
            Val::Guid(stock.account),
            Val::Guid(stock.products[row.product as usize]),
            product_type.clone(),
            Val::Guid(stock.warehouses[row.warehouse as usize]),
            warehouse_type.clone(),
        ]
    };
    let mut sums: HashMap<(u32, u16), (f64, f64)> = HashMap::new();
    for row in stock.rows.iter().filter(|r| before(r, args)) {
        if let Some(expr) = &condition
            && !query::matches(expr, &head(row))
        {
            continue;
        }
        let sum = sums.entry((row.product, row.warehouse)).or_default();
        sum.0 += row.quantity;
        sum.1 += row.amount;
    }
    let mut keys: Vec<_> = sums
        .into_iter()
        .filter(|(_, (q, a))| *q != 0.0 || *a != 0.0)
        .collect();
    keys.sort_by_key(|(k, _)| *k);
    for resource in ["Количество", "Сумма"] {
        for suffix in ["Balance", "BalanceDr", "BalanceCr"] {
            fields.push(Field::new(&format!("{resource}{suffix}"), Ty::Double));
        }
    }
    let rows = keys
        .into_iter()
        .map(|((product, warehouse), (quantity, amount))| {
            let sample = StockRow {
                period: NaiveDateTime::default(),
                product,
                warehouse,
                quantity,
                amount,
                reserve: 0.0,
            };
            let mut row = head(&sample);
            for value in [round(quantity), round(amount)] {
                row.extend([Val::Num(value), Val::Num(value), Val::Num(0.0)]);
            }
            Cow::Owned(row)
        })
        .collect();
    Ok(View {
        name: format!("{}_Balance", def.name),
        fields: Cow::Owned(fields),
        tables: &[],
        rows,
        links: Links::None,
    })
}

/// `InformationRegister_X/SliceLast(…)`: for each combination of the dimensions, the latest record
/// not after the moment.
pub fn slice_last<'a>(base: &'a Base, set: usize, args: &Args) -> Result<View<'a>, BadQuery> {
    let def = &base.schema.sets[set];
    let condition = args
        .condition
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(|c| query::parse_filter(c, &def.fields))
        .transpose()?;
    let period = def.field("Period");
    let dimensions: Vec<usize> = def
        .key
        .iter()
        .filter(|k| *k != "Period")
        .filter_map(|k| def.field(k))
        .collect();
    let mut latest: HashMap<String, &Vec<Val>> = HashMap::new();
    for record in &base.records[set] {
        if let (Some(p), Some(moment)) = (period, args.period)
            && matches!(&record[p], Val::Date(d) if *d > moment)
        {
            continue;
        }
        if let Some(expr) = &condition
            && !query::matches(expr, record)
        {
            continue;
        }
        let key: String = dimensions
            .iter()
            .map(|&i| plain_text(&record[i]))
            .collect::<Vec<_>>()
            .join("|");
        let newer = |old: &&Vec<Val>| match period {
            Some(p) => matches!((&record[p], &old[p]), (Val::Date(a), Val::Date(b)) if a >= b),
            None => true,
        };
        match latest.get(&key) {
            Some(old) if !newer(old) => {}
            _ => {
                latest.insert(key, record);
            }
        }
    }
    let mut rows: Vec<&Vec<Val>> = latest.into_values().collect();
    let order: Vec<query::OrderKey> = dimensions
        .iter()
        .map(|&field| query::OrderKey {
            field,
            descending: false,
        })
        .collect();
    rows.sort_by(|a, b| query::order(&order, a, b));
    Ok(View {
        name: format!("{}_SliceLast", def.name),
        fields: Cow::Borrowed(&def.fields),
        tables: &[],
        rows: rows
            .into_iter()
            .map(|r| Cow::Borrowed(r.as_slice()))
            .collect(),
        links: Links::None,
    })
}
