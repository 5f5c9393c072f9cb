//! Spreadsheet files of a list: a [`Table`] of typed columns and cells written as XLSX or as CSV.
//!
//! Pure: no access decisions and no I/O happen here; the use cases in [`crate::app::exports`] decide
//! which columns and rows a user gets and build the table.
//!
//! - XLSX: numbers are numeric cells (money in roubles with two decimals and the number format
//!   `#,##0.00`, which Russian Excel and LibreOffice show as `1 234,50`), dates are date cells
//!   (`dd.mm.yyyy`, moments `dd.mm.yyyy hh:mm`); no formulas, so every value is there without
//!   recalculation. A bold header row, frozen, with an autofilter.
//! - CSV: what Russian Excel opens with a double click — UTF-8 with a BOM, `;` between fields;
//!   in Russian a decimal comma and `dd.mm.yyyy` dates, in English a decimal point and ISO dates.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use ferment_domain::decimal::{MONEY_SCALE, QUANTITY_SCALE, format_plain};
use ferment_domain::validation::Lang;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};

/// The two file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Office Open XML workbook.
    Xlsx,
    /// `;`-separated text with a BOM.
    Csv,
}

impl FileFormat {
    /// Parses the `format` parameter.
    pub fn parse(text: &str) -> Option<FileFormat> {
        match text.trim().to_ascii_lowercase().as_str() {
            "xlsx" => Some(FileFormat::Xlsx),
            "csv" => Some(FileFormat::Csv),
            _ => None,
        }
    }

    /// The parameter values accepted.
    pub const CODES: [&str; 2] = ["xlsx", "csv"];

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Xlsx => "xlsx",
            FileFormat::Csv => "csv",
        }
    }

    /// The `Content-Type` of the file.
    pub fn content_type(self) -> &'static str {
        match self {
            FileFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileFormat::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// What a column holds, which decides how its cells are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text.
    Text,
    /// Money in minor units (kopecks): a number with two decimals.
    Money,
    /// A quantity in thousandths: a number with up to three decimals.
    Quantity,
    /// A whole number.
    Integer,
    /// A calendar day.
    Date,
    /// A moment (local time).
    DateTime,
}

impl Kind {
    /// A sensible column width in characters.
    fn width(self) -> f64 {
        match self {
            Kind::Text => 28.0,
            Kind::Money | Kind::Quantity => 16.0,
            Kind::Integer => 10.0,
            Kind::Date => 12.0,
            Kind::DateTime => 17.0,
        }
    }
}

/// One column: its header and its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The header, in the user's language.
    pub header: String,
    /// What its cells hold.
    pub kind: Kind,
}

impl Column {
    /// A column.
    pub fn new(header: impl Into<String>, kind: Kind) -> Column {
        Column {
            header: header.into(),
            kind,
        }
    }
}

/// One cell. A cell whose variant does not match its column's kind is written as it is (the
/// builder's mistake shows in the file instead of being hidden).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Nothing.
    Empty,
    /// Text.
    Text(String),
    /// Money in kopecks.
    Money(i64),
    /// A quantity in thousandths.
    Quantity(i64),
    /// A whole number.
    Integer(i64),
    /// A calendar day.
    Date(NaiveDate),
    /// A local moment.
    DateTime(NaiveDateTime),
}

impl Cell {
    /// Text, or empty when absent or blank.
    pub fn text(value: Option<impl Into<String>>) -> Cell {
        match value.map(Into::into) {
            Some(text) if !text.trim().is_empty() => Cell::Text(text),
            _ => Cell::Empty,
        }
    }
}

/// A sheet: a name, columns and rows (each row has one cell per column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The sheet's name (at most 31 characters, no `[]:*?/\`).
    pub sheet: String,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
}

/// Why a file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The XLSX writer refused.
    #[error("xlsx: {0}")]
    Xlsx(#[from] XlsxError),
    /// The CSV writer refused.
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
}

/// The number format of money cells: grouped thousands and two decimals (the separators are the
/// reader's locale's).
pub const MONEY_FORMAT: &str = "#,##0.00";
/// The number format of quantity cells.
pub const QUANTITY_FORMAT: &str = "#,##0.###";
/// The number format of date cells.
pub const DATE_FORMAT: &str = "dd.mm.yyyy";
/// The number format of moment cells.
pub const DATETIME_FORMAT: &str = "dd.mm.yyyy hh:mm";

fn sheet_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect();
    if clean.trim().is_empty() {
        "Sheet1".to_string()
    } else {
        clean
    }
}

fn excel_date(date: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(
        u16::try_from(date.year()).unwrap_or(1900),
        date.month() as u8,
        date.day() as u8,
    )
}

fn excel_datetime(moment: NaiveDateTime) -> Result<ExcelDateTime, XlsxError> {
    excel_date(moment.date())?.and_hms(moment.hour() as u16, moment.minute() as u8, moment.second())
}

impl Table {
    /// The table as an XLSX workbook of one sheet.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, ExportError> {
        let header = Format::new().set_bold().set_align(FormatAlign::Center);
        let money = Format::new().set_num_format(MONEY_FORMAT);
        let quantity = Format::new().set_num_format(QUANTITY_FORMAT);
        let date = Format::new().set_num_format(DATE_FORMAT);
        let datetime = Format::new().set_num_format(DATETIME_FORMAT);
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name(&self.sheet))?;
        for (index, column) in self.columns.iter().enumerate() {
            let col = u16::try_from(index).unwrap_or(u16::MAX);
            sheet.write_string_with_format(0, col, &column.header, &header)?;
            sheet.set_column_width(col, column.kind.width())?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (c, cell) in row.iter().enumerate() {
                let c = u16::try_from(c).unwrap_or(u16::MAX);
                match cell {
                    Cell::Empty => {}
                    Cell::Text(text) => {
                        sheet.write_string(r, c, text)?;
                    }
                    Cell::Money(minor) => {
                        sheet.write_number_with_format(r, c, *minor as f64 / 100.0, &money)?;
                    }
                    Cell::Quantity(thousandths) => {
                        sheet.write_number_with_format(
                            r,
                            c,
                            *thousandths as f64 / 1000.0,
                            &quantity,
                        )?;
                    }
                    Cell::Integer(n) => {
                        sheet.write_number(r, c, *n as f64)?;
                    }
                    Cell::Date(day) => {
                        sheet.write_datetime_with_format(r, c, excel_date(*day)?, &date)?;
                    }
                    Cell::DateTime(moment) => {
                        sheet.write_datetime_with_format(
                            r,
                            c,
                            excel_datetime(*moment)?,
                            &datetime,
                        )?;
                    }
                }
            }
        }
        if !self.columns.is_empty() {
            let last_col = u16::try_from(self.columns.len() - 1).unwrap_or(u16::MAX);
            let last_row = u32::try_from(self.rows.len()).unwrap_or(u32::MAX);
            sheet.set_freeze_panes(1, 0)?;
            sheet.autofilter(0, 0, last_row, last_col)?;
        }
        Ok(workbook.save_to_buffer()?)
    }

    /// The table as CSV for the language: a UTF-8 BOM, `;` between fields, Russian or English
    /// numbers and dates.
    pub fn to_csv(&self, lang: Lang) -> Result<Vec<u8>, ExportError> {
        let mut out = "\u{feff}".as_bytes().to_vec();
        {
            let mut writer = csv::WriterBuilder::new()
                .delimiter(b';')
                .terminator(csv::Terminator::CRLF)
                .from_writer(&mut out);
            writer.write_record(self.columns.iter().map(|c| c.header.as_str()))?;
            for row in &self.rows {
                writer.write_record(row.iter().map(|cell| csv_text(cell, lang)))?;
            }
            writer.flush().map_err(csv::Error::from)?;
        }
        Ok(out)
    }
}

/// A cell as CSV text: numbers without grouping (so a spreadsheet reads them as numbers), with the
/// language's decimal separator.
fn csv_text(cell: &Cell, lang: Lang) -> String {
    let number = |text: String| match lang {
        Lang::Ru => text.replace('.', ","),
        Lang::En => text,
    };
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(text) => text.clone(),
        Cell::Money(minor) => number(money_plain(*minor)),
        Cell::Quantity(thousandths) => number(format_plain(*thousandths, QUANTITY_SCALE)),
        Cell::Integer(n) => n.to_string(),
        Cell::Date(day) => match lang {
            Lang::Ru => day.format("%d.%m.%Y").to_string(),
            Lang::En => day.format("%Y-%m-%d").to_string(),
        },
        Cell::DateTime(moment) => match lang {
            Lang::Ru => moment.format("%d.%m.%Y %H:%M").to_string(),
            Lang::En => moment.format("%Y-%m-%d %H:%M").to_string(),
        },
    }
}

/// Money with exactly two decimals and a point: `1234.50`, `-0.05`.
fn money_plain(minor: i64) -> String {
    let plain = format_plain(minor, MONEY_SCALE);
    match plain.split_once('.') {
        None => format!("{plain}.00"),
        Some((_, fraction)) if fraction.len() == 1 => format!("{plain}0"),
        Some(_) => plain,
    }
}

/// The `Content-Disposition` of a download named `name` (Cyrillic allowed): RFC 6266 with an ASCII
/// fallback `filename=` for old clients and the real name in `filename*=UTF-8''…`.
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else if c == ' ' {
                '_'
            } else {
                transliterate(c)
            }
        })
        .collect();
    let mut encoded = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_' | b'~') {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// A rough Latin letter for a Cyrillic one (only for the ASCII fallback file name).
fn transliterate(c: char) -> char {
    const PAIRS: [(char, char); 33] = [
        ('а', 'a'),
        ('б', 'b'),
        ('в', 'v'),
        ('г', 'g'),
        ('д', 'd'),
        ('е', 'e'),
        ('ё', 'e'),
        ('ж', 'z'),
        ('з', 'z'),
        ('и', 'i'),
        ('й', 'i'),
        ('к', 'k'),
        ('л', 'l'),
        ('м', 'm'),
        ('н', 'n'),
        ('о', 'o'),
        ('п', 'p'),
        ('р', 'r'),
        ('с', 's'),
        ('т', 't'),
        ('у', 'u'),
        ('ф', 'f'),
        ('х', 'h'),
        ('ц', 'c'),
        ('ч', 'c'),
        ('ш', 's'),
        ('щ', 's'),
        ('ъ', '_'),
        ('ы', 'y'),
        ('ь', '_'),
        ('э', 'e'),
        ('ю', 'u'),
        ('я', 'a'),
    ];
    let lower = c.to_lowercase().next().unwrap_or(c);
    let latin = PAIRS
        .iter()
        .find(|(cyr, _)| *cyr == lower)
        .map(|(_, lat)| *lat)
        .unwrap_or('_');
    if c.is_uppercase() {
        latin.to_ascii_uppercase()
    } else {
        latin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        Table {
            sheet: "Продажи".into(),
            columns: vec![
                Column::new("Название", Kind::Text),
                Column::new("Сумма", Kind::Money),
                Column::new("Количество", Kind::Quantity),
                Column::new("Срок", Kind::Date),
                Column::new("Создана", Kind::DateTime),
            ],
            rows: vec![
                vec![
                    Cell::Text("Поставка; \"крахмал\"".into()),
                    Cell::Money(123_456_789),
                    Cell::Quantity(1_500),
                    Cell::Date(NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()),
                    Cell::DateTime(
                        NaiveDate::from_ymd_opt(2026, 11, 26)
                            .unwrap()
                            .and_hms_opt(14, 5, 0)
                            .unwrap(),
                    ),
                ],
                vec![
                    Cell::text(None::<String>),
                    Cell::Money(-5),
                    Cell::Quantity(2_000),
                    Cell::Empty,
                    Cell::Empty,
                ],
            ],
        }
    }

    #[test]
    fn csv_is_what_russian_excel_opens() {
        let bytes = sample().to_csv(Lang::Ru).unwrap();
        assert!(
            bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
            "starts with the BOM"
        );
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], "Название;Сумма;Количество;Срок;Создана");
        assert_eq!(
            lines[1],
            "\"Поставка; \"\"крахмал\"\"\";1234567,89;1,5;27.11.2026;26.11.2026 14:05"
        );
        assert_eq!(lines[2], ";-0,05;2;;");
    }

    #[test]
    fn csv_in_english_uses_points_and_iso_dates() {
        let bytes = sample().to_csv(Lang::En).unwrap();
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(
            text.contains(";1234567.89;1.5;2026-11-27;2026-11-26 14:05"),
            "{text}"
        );
    }

    #[test]
    fn money_always_has_two_decimals() {
        assert_eq!(money_plain(15000), "150.00");
        assert_eq!(money_plain(15050), "150.50");
        assert_eq!(money_plain(15055), "150.55");
        assert_eq!(money_plain(0), "0.00");
    }

    #[test]
    fn xlsx_reads_back_with_numbers_and_dates_as_such() {
        use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
        let bytes = sample().to_xlsx().unwrap();
        let mut workbook: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(workbook.sheet_names(), vec!["Продажи".to_string()]);
        let range = workbook.worksheet_range("Продажи").unwrap();
        assert_eq!(range.get((0, 1)), Some(&Data::String("Сумма".into())));
        assert_eq!(range.get((1, 1)), Some(&Data::Float(1_234_567.89)));
        assert_eq!(range.get((1, 2)), Some(&Data::Float(1.5)));
        assert_eq!(range.get((2, 1)), Some(&Data::Float(-0.05)));
        match range.get((1, 3)) {
            Some(Data::DateTime(day)) => {
                assert!(day.is_datetime());
                assert_eq!(day.as_f64(), 46353.0, "27.11.2026 as an Excel serial day");
            }
            other => panic!("a date cell, not {other:?}"),
        }
        assert!(matches!(range.get((1, 4)), Some(Data::DateTime(_))));
    }

    #[test]
    fn sheet_names_are_cleaned() {
        assert_eq!(sheet_name("Задачи: мои/все"), "Задачи моивсе");
        assert_eq!(sheet_name(""), "Sheet1");
        assert_eq!(sheet_name(&"я".repeat(40)).chars().count(), 31);
    }

    #[test]
    fn formats_parse() {
        assert_eq!(FileFormat::parse("XLSX"), Some(FileFormat::Xlsx));
        assert_eq!(FileFormat::parse("csv"), Some(FileFormat::Csv));
        assert_eq!(FileFormat::parse("pdf"), None);
    }

    #[test]
    fn disposition_has_an_ascii_fallback_and_the_utf8_name() {
        let header = content_disposition("Контрагенты 2026-11-27.xlsx");
        assert_eq!(
            header,
            "attachment; filename=\"Kontragenty_2026-11-27.xlsx\"; \
             filename*=UTF-8''%D0%9A%D0%BE%D0%BD%D1%82%D1%80%D0%B0%D0%B3%D0%B5%D0%BD%D1%82%D1%8B%202026-11-27.xlsx"
        );
    }
}
