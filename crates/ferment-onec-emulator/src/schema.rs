//! The published metadata as data: every entity set of a profile with its fields, their EDM types,
//! fixed lengths, references and tabular sections (docs/ONEC.md). The EDMX, the JSON, the `$filter`
//! resolution and the write path all read this one table, so they cannot disagree.

use std::collections::HashMap;

/// Which 1C configuration the base imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Profile {
    /// 1C:Бухгалтерия предприятия 3.0.
    Bp30,
    /// 1C:Управление торговлей 11 (also КА 2 and ERP).
    Ut11,
}

impl Profile {
    /// The profile's name as the CLI and the data file spell it.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Bp30 => "bp30",
            Profile::Ut11 => "ut11",
        }
    }
}

/// The kind of a metadata object, from the prefix of its entity set name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `Catalog_…`, keyed by `Ref_Key`.
    Catalog,
    /// `Document_…`, keyed by `Ref_Key`.
    Document,
    /// `ChartOfAccounts_…`, keyed by `Ref_Key`.
    ChartOfAccounts,
    /// `InformationRegister_…`: records keyed by `Period` and the dimensions.
    InformationRegister,
    /// `AccumulationRegister_…`: computed from the base's stock.
    AccumulationRegister,
    /// `AccountingRegister_…`: computed from the base's stock.
    AccountingRegister,
}

/// The type of a field as the standard interface exposes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// `Ref_Key`: Edm.Guid.
    Key,
    /// Edm.String, truncated to the length when it is not zero.
    Str(u32),
    /// Edm.String of a fixed length, padded with spaces on the right.
    Fixed(u32),
    /// Edm.Boolean.
    Bool,
    /// Edm.Double.
    Double,
    /// Edm.Int64 (a JSON string).
    Int64,
    /// Edm.DateTime without a time zone.
    DateTime,
    /// `X_Key`: Edm.Guid referencing an object of the named entity set.
    Ref(String),
    /// The value of a composite field `X`: Edm.String.
    AnyRef,
    /// The `X_Type` of a composite field: Edm.String.
    TypeOf,
    /// An enumeration value's name: Edm.String.
    Enum,
    /// A tabular section: the index into [`SetDef::tables`].
    Table(usize),
}

impl Ty {
    /// The EDM type name.
    pub fn edm(&self) -> &'static str {
        match self {
            Ty::Key | Ty::Ref(_) => "Edm.Guid",
            Ty::Bool => "Edm.Boolean",
            Ty::Double => "Edm.Double",
            Ty::Int64 => "Edm.Int64",
            Ty::DateTime => "Edm.DateTime",
            Ty::Str(_) | Ty::Fixed(_) | Ty::AnyRef | Ty::TypeOf | Ty::Enum | Ty::Table(_) => {
                "Edm.String"
            }
        }
    }
}

/// One field of an object, a tabular section row or a computed result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The name as published (`Ref_Key`, `ИНН`, `Номенклатура_Key`).
    pub name: String,
    /// Its type.
    pub ty: Ty,
}

impl Field {
    /// A field.
    pub fn new(name: &str, ty: Ty) -> Field {
        Field {
            name: name.to_string(),
            ty,
        }
    }

    /// For a reference `X_Key`, the navigation property `X`.
    pub fn navigation(&self) -> Option<&str> {
        match self.ty {
            Ty::Ref(_) => self.name.strip_suffix("_Key"),
            _ => None,
        }
    }
}

/// A tabular section: its row fields (without the owner's `Ref_Key` and `LineNumber`).
#[derive(Debug, Clone)]
pub struct TableDef {
    /// The section's name (`Товары`).
    pub name: String,
    /// The row fields.
    pub fields: Vec<Field>,
}

/// One published entity set.
#[derive(Debug, Clone)]
pub struct SetDef {
    /// `Catalog_Номенклатура`.
    pub name: String,
    /// What kind of object it is.
    pub kind: Kind,
    /// The fields in the order the interface sends them.
    pub fields: Vec<Field>,
    /// Fields that form the key (`Ref_Key`, or a register's period and dimensions).
    pub key: Vec<String>,
    /// Tabular sections.
    pub tables: Vec<TableDef>,
    index: HashMap<String, usize>,
}

impl SetDef {
    fn new(
        name: String,
        kind: Kind,
        fields: Vec<Field>,
        key: Vec<String>,
        tables: Vec<TableDef>,
    ) -> SetDef {
        let index = fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.clone(), i))
            .collect();
        SetDef {
            name,
            kind,
            fields,
            key,
            tables,
            index,
        }
    }

    /// The position of a field by name.
    pub fn field(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// True for catalogs, documents and charts of accounts (objects with `Ref_Key`).
    pub fn is_object(&self) -> bool {
        matches!(
            self.kind,
            Kind::Catalog | Kind::Document | Kind::ChartOfAccounts
        )
    }

    /// The fields of the tabular section's own entity set `Set_Table`: `Ref_Key`, `LineNumber`, rows.
    pub fn table_fields(&self, table: usize) -> Vec<Field> {
        let mut fields = vec![
            Field::new("Ref_Key", Ty::Key),
            Field::new("LineNumber", Ty::Int64),
        ];
        fields.extend(self.tables[table].fields.iter().cloned());
        fields
    }

    /// The tabular section by name.
    pub fn table(&self, name: &str) -> Option<usize> {
        self.tables.iter().position(|t| t.name == name)
    }
}

/// All sets a profile publishes.
#[derive(Debug, Clone)]
pub struct Schema {
    /// The profile.
    pub profile: Profile,
    /// The sets, in the order of docs/ONEC.md.
    pub sets: Vec<SetDef>,
    index: HashMap<String, usize>,
}

impl Schema {
    /// The schema of a profile.
    pub fn of(profile: Profile) -> Schema {
        let sets = match profile {
            Profile::Bp30 => bp30(),
            Profile::Ut11 => ut11(),
        };
        let index = sets
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.clone(), i))
            .collect();
        Schema {
            profile,
            sets,
            index,
        }
    }

    /// The position of a set by name.
    pub fn set(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// A set by name.
    pub fn def(&self, name: &str) -> Option<&SetDef> {
        self.set(name).map(|i| &self.sets[i])
    }

    /// A set by name, for names the generator knows exist.
    pub(crate) fn must(&self, name: &str) -> usize {
        self.set(name)
            .unwrap_or_else(|| panic!("{name} is not published in {}", self.profile.name()))
    }
}

/// Builds one set: standard fields first, then attributes, tabular sections, and the trailing
/// `Predefined`/`PredefinedDataName` of catalogs.
struct Builder {
    name: String,
    kind: Kind,
    fields: Vec<Field>,
    tables: Vec<TableDef>,
}

impl Builder {
    fn catalog(name: &str, code: u32, description: u32) -> Builder {
        Builder::catalog_with(name, code, description, Vec::new())
    }

    fn catalog_with(name: &str, code: u32, description: u32, head: Vec<Field>) -> Builder {
        let mut fields = vec![
            Field::new("Ref_Key", Ty::Key),
            Field::new("DataVersion", Ty::Str(0)),
            Field::new("DeletionMark", Ty::Bool),
        ];
        fields.extend(head);
        fields.push(Field::new("Code", Ty::Fixed(code)));
        fields.push(Field::new("Description", Ty::Str(description)));
        Builder {
            name: format!("Catalog_{name}"),
            kind: Kind::Catalog,
            fields,
            tables: Vec::new(),
        }
    }

    fn hierarchical(name: &str, code: u32, description: u32) -> Builder {
        let set = format!("Catalog_{name}");
        let head = vec![
            Field::new("Parent_Key", Ty::Ref(set)),
            Field::new("IsFolder", Ty::Bool),
        ];
        Builder::catalog_with(name, code, description, head)
    }

    fn document(name: &str) -> Builder {
        Builder {
            name: format!("Document_{name}"),
            kind: Kind::Document,
            fields: vec![
                Field::new("Ref_Key", Ty::Key),
                Field::new("DataVersion", Ty::Str(0)),
                Field::new("DeletionMark", Ty::Bool),
                Field::new("Number", Ty::Fixed(11)),
                Field::new("Date", Ty::DateTime),
                Field::new("Posted", Ty::Bool),
            ],
            tables: Vec::new(),
        }
    }

    fn f(mut self, name: &str, ty: Ty) -> Builder {
        self.fields.push(Field::new(name, ty));
        self
    }

    fn s(self, name: &str, len: u32) -> Builder {
        self.f(name, Ty::Str(len))
    }

    fn r(self, name: &str, target: &str) -> Builder {
        self.f(&format!("{name}_Key"), Ty::Ref(target.to_string()))
    }

    fn any(self, name: &str) -> Builder {
        self.f(name, Ty::AnyRef)
            .f(&format!("{name}_Type"), Ty::TypeOf)
    }

    fn table(mut self, name: &str, fields: Vec<Field>) -> Builder {
        let index = self.tables.len();
        self.tables.push(TableDef {
            name: name.to_string(),
            fields,
        });
        self.f(name, Ty::Table(index))
    }

    fn build(mut self) -> SetDef {
        if self.kind == Kind::Catalog {
            self.fields.push(Field::new("Predefined", Ty::Bool));
            self.fields
                .push(Field::new("PredefinedDataName", Ty::Str(0)));
        }
        SetDef::new(
            self.name,
            self.kind,
            self.fields,
            vec!["Ref_Key".into()],
            self.tables,
        )
    }
}

fn register(kind: Kind, name: &str, key: &[&str], fields: Vec<Field>) -> SetDef {
    let prefix = match kind {
        Kind::InformationRegister => "InformationRegister",
        Kind::AccumulationRegister => "AccumulationRegister",
        _ => "AccountingRegister",
    };
    SetDef::new(
        format!("{prefix}_{name}"),
        kind,
        fields,
        key.iter().map(|k| k.to_string()).collect(),
        Vec::new(),
    )
}

fn r(name: &str, target: &str) -> Field {
    Field::new(&format!("{name}_Key"), Ty::Ref(target.to_string()))
}

fn contact_information() -> Vec<Field> {
    vec![
        Field::new("Тип", Ty::Enum),
        r("Вид", "Catalog_ВидыКонтактнойИнформации"),
        Field::new("Представление", Ty::Str(0)),
    ]
}

fn common() -> Vec<SetDef> {
    vec![
        Builder::catalog("Организации", 9, 100)
            .s("ИНН", 12)
            .s("КПП", 9)
            .build(),
        Builder::catalog("Валюты", 3, 10).build(),
        Builder::hierarchical("Склады", 9, 150)
            .f("ТипСклада", Ty::Enum)
            .build(),
        Builder::catalog("ВидыКонтактнойИнформации", 0, 100)
            .f("Тип", Ty::Enum)
            .build(),
    ]
}

/// The bp30 sets (docs/ONEC.md, БП 3.0).
fn bp30() -> Vec<SetDef> {
    let mut sets = common();
    let goods = |with_content: bool| {
        let mut fields = vec![
            Field::new("Номенклатура", Ty::AnyRef),
            Field::new("Номенклатура_Type", Ty::TypeOf),
        ];
        if with_content {
            fields.push(Field::new("Содержание", Ty::Str(0)));
        }
        for (name, ty) in [
            ("Количество", Ty::Double),
            ("Цена", Ty::Double),
            ("Сумма", Ty::Double),
            ("СтавкаНДС", Ty::Enum),
            ("СуммаНДС", Ty::Double),
        ] {
            fields.push(Field::new(name, ty));
        }
        fields
    };
    sets.extend([
        Builder::catalog("КлассификаторЕдиницИзмерения", 3, 25)
            .s("НаименованиеПолное", 100)
            .build(),
        Builder::hierarchical("Номенклатура", 11, 100)
            .s("Артикул", 25)
            .s("НаименованиеПолное", 0)
            .r("ЕдиницаИзмерения", "Catalog_КлассификаторЕдиницИзмерения")
            .f("СтавкаНДС", Ty::Enum)
            .f("Услуга", Ty::Bool)
            .s("Комментарий", 0)
            .build(),
        Builder::catalog("ТипыЦенНоменклатуры", 9, 25)
            .f("ЦенаВключаетНДС", Ty::Bool)
            .build(),
        register(
            Kind::InformationRegister,
            "ЦеныНоменклатуры",
            &["Period", "ТипЦен_Key", "Номенклатура_Key"],
            vec![
                Field::new("Period", Ty::DateTime),
                r("ТипЦен", "Catalog_ТипыЦенНоменклатуры"),
                r("Номенклатура", "Catalog_Номенклатура"),
                Field::new("Цена", Ty::Double),
                r("Валюта", "Catalog_Валюты"),
            ],
        ),
        Builder::hierarchical("Контрагенты", 9, 100)
            .s("НаименованиеПолное", 0)
            .f("ЮридическоеФизическоеЛицо", Ty::Enum)
            .s("ИНН", 12)
            .s("КПП", 9)
            .s("РегистрационныйНомер", 15)
            .r("ОсновнойБанковскийСчет", "Catalog_БанковскиеСчета")
            .r("ОсновнойДоговорКонтрагента", "Catalog_ДоговорыКонтрагентов")
            .s("Комментарий", 0)
            .table("КонтактнаяИнформация", contact_information())
            .build(),
        Builder::catalog("Банки", 9, 100)
            .s("КоррСчет", 20)
            .s("Город", 0)
            .build(),
        Builder::catalog_with(
            "БанковскиеСчета",
            9,
            100,
            vec![
                Field::new("Owner", Ty::AnyRef),
                Field::new("Owner_Type", Ty::TypeOf),
            ],
        )
        .s("НомерСчета", 20)
        .r("Банк", "Catalog_Банки")
        .build(),
        Builder::catalog_with(
            "ДоговорыКонтрагентов",
            9,
            100,
            vec![r("Owner", "Catalog_Контрагенты")],
        )
        .s("Номер", 0)
        .f("Дата", Ty::DateTime)
        .f("ВидДоговора", Ty::Enum)
        .r("Организация", "Catalog_Организации")
        .build(),
        Builder::document("СчетНаОплатуПокупателю")
            .r("Организация", "Catalog_Организации")
            .r("Контрагент", "Catalog_Контрагенты")
            .r("ДоговорКонтрагента", "Catalog_ДоговорыКонтрагентов")
            .f("СуммаДокумента", Ty::Double)
            .r("ВалютаДокумента", "Catalog_Валюты")
            .f("СуммаВключаетНДС", Ty::Bool)
            .s("Комментарий", 0)
            .table("Товары", goods(true))
            .build(),
        register(
            Kind::InformationRegister,
            "СтатусыДокументов",
            &["Документ"],
            vec![
                Field::new("Документ", Ty::AnyRef),
                Field::new("Документ_Type", Ty::TypeOf),
                r("Организация", "Catalog_Организации"),
                Field::new("Статус", Ty::Enum),
            ],
        ),
        Builder::document("РеализацияТоваровУслуг")
            .r("Организация", "Catalog_Организации")
            .r("Контрагент", "Catalog_Контрагенты")
            .r("ДоговорКонтрагента", "Catalog_ДоговорыКонтрагентов")
            .r("Склад", "Catalog_Склады")
            .f("СуммаДокумента", Ty::Double)
            .r("ВалютаДокумента", "Catalog_Валюты")
            .any("Сделка")
            .table("Товары", goods(false))
            .build(),
        SetDef::new(
            "ChartOfAccounts_Хозрасчетный".into(),
            Kind::ChartOfAccounts,
            vec![
                Field::new("Ref_Key", Ty::Key),
                Field::new("DataVersion", Ty::Str(0)),
                Field::new("DeletionMark", Ty::Bool),
                Field::new("Code", Ty::Fixed(8)),
                Field::new("Description", Ty::Str(120)),
                Field::new("Predefined", Ty::Bool),
                Field::new("PredefinedDataName", Ty::Str(0)),
            ],
            vec!["Ref_Key".into()],
            Vec::new(),
        ),
        register(
            Kind::AccountingRegister,
            "Хозрасчетный",
            &["Recorder", "LineNumber"],
            vec![
                Field::new("Recorder", Ty::AnyRef),
                Field::new("Recorder_Type", Ty::TypeOf),
                Field::new("Period", Ty::DateTime),
                Field::new("LineNumber", Ty::Int64),
                Field::new("Active", Ty::Bool),
                r("AccountDr", "ChartOfAccounts_Хозрасчетный"),
                Field::new("ExtDimensionDr1", Ty::AnyRef),
                Field::new("ExtDimensionDr1_Type", Ty::TypeOf),
                Field::new("ExtDimensionDr2", Ty::AnyRef),
                Field::new("ExtDimensionDr2_Type", Ty::TypeOf),
                Field::new("Количество", Ty::Double),
                Field::new("Сумма", Ty::Double),
            ],
        ),
    ]);
    sets
}

/// The ut11 sets (docs/ONEC.md, УТ 11).
fn ut11() -> Vec<SetDef> {
    let mut sets = common();
    let goods = |with_total: bool| {
        let mut fields = vec![
            r("Номенклатура", "Catalog_Номенклатура"),
            Field::new("Характеристика_Key", Ty::Key),
            Field::new("Количество", Ty::Double),
            Field::new("Цена", Ty::Double),
            Field::new("Сумма", Ty::Double),
            Field::new("СтавкаНДС", Ty::Enum),
            Field::new("СуммаНДС", Ty::Double),
        ];
        if with_total {
            fields.push(Field::new("СуммаСНДС", Ty::Double));
        }
        fields
    };
    let stock = |name: &str, reserve: &str| {
        register(
            Kind::AccumulationRegister,
            name,
            &["Recorder", "LineNumber"],
            vec![
                Field::new("Recorder", Ty::AnyRef),
                Field::new("Recorder_Type", Ty::TypeOf),
                Field::new("Period", Ty::DateTime),
                Field::new("LineNumber", Ty::Int64),
                Field::new("Active", Ty::Bool),
                Field::new("RecordType", Ty::Enum),
                r("Номенклатура", "Catalog_Номенклатура"),
                Field::new("Характеристика_Key", Ty::Key),
                r("Склад", "Catalog_Склады"),
                Field::new("ВНаличии", Ty::Double),
                Field::new(reserve, Ty::Double),
            ],
        )
    };
    sets.extend([
        Builder::catalog("УпаковкиЕдиницыИзмерения", 9, 25)
            .s("НаименованиеПолное", 100)
            .build(),
        Builder::hierarchical("Номенклатура", 11, 100)
            .s("Артикул", 25)
            .s("НаименованиеПолное", 0)
            .r("ЕдиницаИзмерения", "Catalog_УпаковкиЕдиницыИзмерения")
            .f("СтавкаНДС", Ty::Enum)
            .s("Комментарий", 0)
            .build(),
        Builder::catalog("ВидыЦен", 9, 25)
            .f("ЦенаВключаетНДС", Ty::Bool)
            .build(),
        register(
            Kind::InformationRegister,
            "ЦеныНоменклатуры",
            &[
                "Period",
                "ВидЦены_Key",
                "Номенклатура_Key",
                "Характеристика_Key",
            ],
            vec![
                Field::new("Period", Ty::DateTime),
                r("ВидЦены", "Catalog_ВидыЦен"),
                r("Номенклатура", "Catalog_Номенклатура"),
                Field::new("Характеристика_Key", Ty::Key),
                Field::new("Цена", Ty::Double),
            ],
        ),
        Builder::hierarchical("Партнеры", 9, 100)
            .s("НаименованиеПолное", 0)
            .f("Клиент", Ty::Bool)
            .s("Комментарий", 0)
            .build(),
        Builder::catalog("Контрагенты", 9, 100)
            .s("НаименованиеПолное", 0)
            .r("Партнер", "Catalog_Партнеры")
            .f("ЮрФизЛицо", Ty::Enum)
            .s("ИНН", 12)
            .s("КПП", 9)
            .s("РегистрационныйНомер", 15)
            .s("Комментарий", 0)
            .table("КонтактнаяИнформация", contact_information())
            .build(),
        Builder::catalog("КлассификаторБанков", 9, 100)
            .s("КоррСчет", 20)
            .s("Город", 0)
            .build(),
        Builder::catalog_with(
            "БанковскиеСчетаКонтрагентов",
            0,
            100,
            vec![r("Owner", "Catalog_Контрагенты")],
        )
        .s("НомерСчета", 20)
        .r("Банк", "Catalog_КлассификаторБанков")
        .build(),
        Builder::catalog("СоглашенияСКлиентами", 9, 100)
            .s("Номер", 0)
            .f("Дата", Ty::DateTime)
            .r("Партнер", "Catalog_Партнеры")
            .r("Контрагент", "Catalog_Контрагенты")
            .r("ВидЦен", "Catalog_ВидыЦен")
            .build(),
        Builder::catalog("ДоговорыКонтрагентов", 9, 100)
            .s("Номер", 0)
            .f("Дата", Ty::DateTime)
            .r("Партнер", "Catalog_Партнеры")
            .r("Контрагент", "Catalog_Контрагенты")
            .r("Организация", "Catalog_Организации")
            .f("ХозяйственнаяОперация", Ty::Enum)
            .build(),
        Builder::document("ЗаказКлиента")
            .r("Организация", "Catalog_Организации")
            .r("Партнер", "Catalog_Партнеры")
            .r("Контрагент", "Catalog_Контрагенты")
            .r("Соглашение", "Catalog_СоглашенияСКлиентами")
            .r("Договор", "Catalog_ДоговорыКонтрагентов")
            .r("Склад", "Catalog_Склады")
            .r("Валюта", "Catalog_Валюты")
            .f("СуммаДокумента", Ty::Double)
            .f("ЦенаВключаетНДС", Ty::Bool)
            .f("Статус", Ty::Enum)
            .s("Комментарий", 0)
            .table("Товары", goods(true))
            .build(),
        Builder::document("СчетНаОплатуКлиенту")
            .r("Организация", "Catalog_Организации")
            .r("Партнер", "Catalog_Партнеры")
            .r("Контрагент", "Catalog_Контрагенты")
            .r("Договор", "Catalog_ДоговорыКонтрагентов")
            .any("ДокументОснование")
            .f("СуммаДокумента", Ty::Double)
            .r("Валюта", "Catalog_Валюты")
            .s("Комментарий", 0)
            .build(),
        Builder::document("ПоступлениеБезналичныхДенежныхСредств")
            .r("Организация", "Catalog_Организации")
            .r("Контрагент", "Catalog_Контрагенты")
            .f("ХозяйственнаяОперация", Ty::Enum)
            .f("СуммаДокумента", Ty::Double)
            .table(
                "РасшифровкаПлатежа",
                vec![
                    r("Партнер", "Catalog_Партнеры"),
                    Field::new("Заказ", Ty::AnyRef),
                    Field::new("Заказ_Type", Ty::TypeOf),
                    Field::new("Сумма", Ty::Double),
                ],
            )
            .build(),
        Builder::document("РеализацияТоваровУслуг")
            .r("Организация", "Catalog_Организации")
            .r("Партнер", "Catalog_Партнеры")
            .r("Контрагент", "Catalog_Контрагенты")
            .r("Договор", "Catalog_ДоговорыКонтрагентов")
            .r("Склад", "Catalog_Склады")
            .any("ЗаказКлиента")
            .f("СуммаДокумента", Ty::Double)
            .r("Валюта", "Catalog_Валюты")
            .table("Товары", goods(false))
            .build(),
        stock("ТоварыНаСкладах", "ВРезервеСоСклада"),
        stock("СвободныеОстатки", "ВРезерве"),
    ]);
    sets
}
