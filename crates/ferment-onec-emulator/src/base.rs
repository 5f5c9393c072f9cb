//! The base: objects of every published set kept sorted by `Ref_Key`, information register records,
//! and the stock movements the accumulation and accounting registers are computed from. Writes go
//! through here so that every one gets a new `DataVersion` and blank codes and numbers are assigned.

use std::collections::BTreeMap;

use base64::Engine as _;
use chrono::NaiveDateTime;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::schema::{Kind, Schema, SetDef, Ty};
use crate::value::{self, Val, default_of};

/// An object or a register record: values in the order of its set's fields.
pub type Row = Vec<Val>;

/// One stock movement (a receipt into a warehouse); the registers' balances sum them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StockRow {
    /// When the goods arrived.
    pub period: NaiveDateTime,
    /// Index into [`Stock::products`].
    pub product: u32,
    /// Index into [`Stock::warehouses`].
    pub warehouse: u16,
    /// Quantity in the product's unit.
    pub quantity: f64,
    /// Cost in roubles (account 41.01's sum).
    pub amount: f64,
    /// Quantity reserved for customer orders.
    pub reserve: f64,
}

/// The stock: compact movements that reference products and warehouses by index, so a million rows
/// take tens of megabytes.
#[derive(Debug, Clone, Default)]
pub struct Stock {
    /// Product keys.
    pub products: Vec<Uuid>,
    /// Warehouse keys.
    pub warehouses: Vec<Uuid>,
    /// The movements.
    pub rows: Vec<StockRow>,
    /// The chart-of-accounts key of 41.01 (bp30).
    pub account: Uuid,
}

/// What a write can fail with.
#[derive(Debug, thiserror::Error)]
pub enum BaseError {
    /// No such object.
    #[error("object not found")]
    NotFound,
    /// The set is not published, or cannot be written this way.
    #[error("{0} is not published or cannot be written")]
    NotWritable(String),
    /// A value in the body cannot be taken.
    #[error(transparent)]
    Bad(#[from] value::BadValue),
}

/// The base.
#[derive(Debug, Clone)]
pub struct Base {
    /// What is published.
    pub schema: Schema,
    /// Objects of catalogs, documents and charts of accounts, per set, by `Ref_Key`.
    pub objects: Vec<BTreeMap<Uuid, Row>>,
    /// Records of information registers, per set.
    pub records: Vec<Vec<Row>>,
    /// Stock movements.
    pub stock: Stock,
    version: u64,
    sequences: Vec<u64>,
}

impl Base {
    /// An empty base of the schema.
    pub fn empty(schema: Schema) -> Base {
        let count = schema.sets.len();
        Base {
            schema,
            objects: vec![BTreeMap::new(); count],
            records: vec![Vec::new(); count],
            stock: Stock::default(),
            version: 0,
            sequences: vec![0; count],
        }
    }

    /// A new `DataVersion`: the base64 of an 8-byte counter, as opaque as 1C's.
    pub fn next_version(&mut self) -> Val {
        self.version += 1;
        Val::str(&base64::engine::general_purpose::STANDARD.encode(self.version.to_be_bytes()))
    }

    /// Continues `DataVersion` numbering after a loaded base's highest.
    pub fn set_version(&mut self, version: u64) {
        self.version = self.version.max(version);
    }

    /// A new object of a set with every field at its default, a fresh key and `DataVersion`.
    pub fn blank(&mut self, set: usize, key: Uuid) -> Row {
        let mut row: Row = self.schema.sets[set]
            .fields
            .iter()
            .map(|f| default_of(&f.ty))
            .collect();
        row[0] = Val::Guid(key);
        row[1] = self.next_version();
        row
    }

    /// Stores an object as it is (the generator's path); codes and numbers must already be set.
    pub fn insert(&mut self, set: usize, row: Row) {
        let key = row[0].guid().expect("objects start with Ref_Key");
        self.objects[set].insert(key, row);
    }

    /// Sets the `Code`/`Number` sequences past the highest numbers in the base.
    pub fn recount(&mut self) {
        for (set, def) in self.schema.sets.iter().enumerate() {
            let Some(field) = def.field("Code").or_else(|| def.field("Number")) else {
                continue;
            };
            let highest = self.objects[set]
                .values()
                .filter_map(|row| row[field].text().map(trailing_number))
                .max()
                .unwrap_or(0);
            self.sequences[set] = highest;
        }
    }

    /// The next code or number of a set, formatted as 1C numbers them.
    pub(crate) fn next_code(&mut self, set: usize, len: u32) -> String {
        self.sequences[set] += 1;
        let n = self.sequences[set];
        let def = &self.schema.sets[set];
        if def.kind == Kind::Document {
            return format!("0000-{n:06}");
        }
        match len {
            11.. => format!("00-{n:0width$}", width = len as usize - 3),
            9..=10 => format!("00-{n:0width$}", width = len as usize - 3),
            0 => String::new(),
            _ => format!("{n:0width$}", width = len as usize),
        }
    }

    /// The object with a key.
    pub fn get(&self, set: usize, key: Uuid) -> Option<&Row> {
        self.objects.get(set)?.get(&key)
    }

    /// Creates an object (or an information register record) from a client's JSON: missing fields
    /// take their defaults, unknown ones are ignored, blank codes and numbers are assigned.
    pub fn create(
        &mut self,
        set: usize,
        body: &Map<String, Value>,
        now: NaiveDateTime,
    ) -> Result<Option<Uuid>, BaseError> {
        let def = self.schema.sets[set].clone();
        if def.kind == Kind::InformationRegister {
            let mut row: Row = def.fields.iter().map(|f| default_of(&f.ty)).collect();
            apply(&def, &mut row, body, &[])?;
            let key_fields: Vec<usize> = def.key.iter().filter_map(|k| def.field(k)).collect();
            self.records[set].retain(|r| key_fields.iter().any(|&i| r[i] != row[i]));
            self.records[set].push(row);
            return Ok(None);
        }
        if !def.is_object() {
            return Err(BaseError::NotWritable(def.name));
        }
        let requested = match body
            .get("Ref_Key")
            .and_then(Value::as_str)
            .map(Uuid::parse_str)
        {
            Some(Ok(key)) if !key.is_nil() && !self.objects[set].contains_key(&key) => Some(key),
            _ => None,
        };
        let key = requested.unwrap_or_else(Uuid::new_v4);
        let mut row = self.blank(set, key);
        apply(&def, &mut row, body, &["Ref_Key", "DataVersion"])?;
        for name in ["Code", "Number"] {
            if let Some(i) = def.field(name)
                && row[i].text().is_some_and(|t| t.trim().is_empty())
                && let Ty::Fixed(len) = def.fields[i].ty
            {
                let code = self.next_code(set, len);
                row[i] = Val::str(&value::pad(&code, len));
            }
        }
        if let Some(i) = def.field("Date")
            && def.kind == Kind::Document
            && row[i] == Val::Date(value::empty_date())
        {
            row[i] = Val::Date(now);
        }
        self.objects[set].insert(key, row);
        Ok(Some(key))
    }

    /// Changes the given fields of an object and gives it a new `DataVersion`.
    pub fn update(
        &mut self,
        set: usize,
        key: Uuid,
        body: &Map<String, Value>,
    ) -> Result<(), BaseError> {
        let def = self.schema.sets[set].clone();
        let version = self.next_version();
        let row = self.objects[set].get_mut(&key).ok_or(BaseError::NotFound)?;
        let mut changed = row.clone();
        apply(&def, &mut changed, body, &["Ref_Key", "DataVersion"])?;
        changed[1] = version;
        *row = changed;
        Ok(())
    }

    /// Removes an object.
    pub fn delete(&mut self, set: usize, key: Uuid) -> Result<(), BaseError> {
        self.objects[set]
            .remove(&key)
            .map(|_| ())
            .ok_or(BaseError::NotFound)
    }

    /// Posts or unposts a document.
    pub fn post(&mut self, set: usize, key: Uuid, posted: bool) -> Result<(), BaseError> {
        let def = &self.schema.sets[set];
        let field = def
            .field("Posted")
            .ok_or_else(|| BaseError::NotWritable(def.name.clone()))?;
        let version = self.next_version();
        let row = self.objects[set].get_mut(&key).ok_or(BaseError::NotFound)?;
        row[field] = Val::Bool(posted);
        row[1] = version;
        Ok(())
    }
}

/// Takes the body's known fields into a row.
fn apply(
    def: &SetDef,
    row: &mut Row,
    body: &Map<String, Value>,
    skip: &[&str],
) -> Result<(), BaseError> {
    for (name, json) in body {
        if skip.contains(&name.as_str()) {
            continue;
        }
        if let Some(i) = def.field(name) {
            row[i] = value::from_json(&def.fields[i], json, &def.tables)?;
        }
    }
    Ok(())
}

/// The number at the end of a code (`00-00000123` → 123).
fn trailing_number(code: &str) -> u64 {
    let code = code.trim_end();
    let digits: String = code
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect();
    digits
        .chars()
        .rev()
        .collect::<String>()
        .parse()
        .unwrap_or(0)
}
