//! Field-level validation results: what is wrong with which field, in words for Russian and English
//! users.
//!
//! Validation happens once, at the edge (web forms and API bodies are parsed into domain inputs); every
//! failure is a [`FieldError`] naming the field as the API spells it, so pages can show the message
//! beside the input and the API can list it in a problem+json `errors` array.

use std::fmt;

/// The language a message is written in. Russian is the product's first language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Русский.
    #[default]
    Ru,
    /// English.
    En,
}

impl Lang {
    /// Picks the language from an HTTP `Accept-Language` value: English when English comes before
    /// Russian, Russian otherwise.
    pub fn from_accept_language(header: &str) -> Lang {
        for part in header.split(',') {
            let tag = part
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if tag.starts_with("ru") {
                return Lang::Ru;
            }
            if tag.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::Ru
    }

    /// The two-letter code (`ru`, `en`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// Chooses between a Russian and an English text.
    pub fn pick<'a>(self, ru: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ru => ru,
            Lang::En => en,
        }
    }
}

/// What is wrong with a value. Each variant is a case the user can fix, worded by [`Problem::message`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The field must be filled in.
    Required,
    /// The text is longer than allowed.
    TooLong {
        /// Maximum number of characters.
        max: usize,
    },
    /// The text is shorter than allowed.
    TooShort {
        /// Minimum number of characters.
        min: usize,
    },
    /// Only digits are allowed.
    DigitsOnly,
    /// The value must have exactly this many characters.
    Length {
        /// The required number of characters.
        expected: usize,
    },
    /// A control digit does not match the others.
    ControlDigit,
    /// A КПП must be four digits, two digits or capital Latin letters, three digits.
    KppFormat,
    /// A sole proprietor has no КПП.
    KppNotForSoleProprietor,
    /// The account's control key does not agree with the БИК.
    AccountKey,
    /// The account can't be checked without a valid БИК.
    NeedsValidBik,
    /// A correspondent account starts with 301.
    CorrespondentPrefix,
    /// Not one of the allowed values.
    NotAllowed {
        /// The allowed values, as the API spells them.
        allowed: Vec<String>,
    },
    /// Not a valid e-mail address.
    Email,
    /// Not a valid number.
    Number,
    /// The number must not be negative.
    Negative,
    /// Too many digits after the decimal point.
    Scale {
        /// The maximum number of digits after the point.
        max: u32,
    },
    /// The referenced record does not exist (or is not visible).
    UnknownReference,
    /// Not a valid identifier.
    Uuid,
    /// A record that must be unique already exists.
    Duplicate {
        /// How the existing record is called, to show the user.
        existing: String,
    },
    /// A record cannot be its own ancestor.
    Cycle,
    /// The password is too short.
    PasswordTooShort {
        /// Minimum number of characters.
        min: usize,
    },
    /// The field is not part of this record.
    UnknownField,
    /// The value has the wrong type.
    Type {
        /// What was expected: `text`, `list`, `number`, `boolean`, `object`.
        expected: &'static str,
    },
    /// Not an IP address or network (`10.1.0.0/16`, `2001:db8::/32`).
    Cidr,
    /// Not a date (`2026-11-26` or `26.11.2026`).
    Date,
    /// A business rule refused the value; the rule says why in both languages.
    Rule {
        /// The reason in Russian.
        ru: String,
        /// The reason in English.
        en: String,
    },
    /// The value must be between two bounds.
    Range {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
}

impl Problem {
    /// The message a user reads, in their language.
    pub fn message(&self, lang: Lang) -> String {
        use Problem::*;
        match (self, lang) {
            (Required, Lang::Ru) => "Заполните поле".into(),
            (Required, Lang::En) => "This field is required".into(),
            (TooLong { max }, Lang::Ru) => format!("Не длиннее {max} символов"),
            (TooLong { max }, Lang::En) => format!("At most {max} characters"),
            (TooShort { min }, Lang::Ru) => format!("Не короче {min} символов"),
            (TooShort { min }, Lang::En) => format!("At least {min} characters"),
            (DigitsOnly, Lang::Ru) => "Допустимы только цифры".into(),
            (DigitsOnly, Lang::En) => "Digits only".into(),
            (Length { expected }, Lang::Ru) => {
                format!("Должно быть {expected} {}", digits_ru(*expected))
            }
            (Length { expected }, Lang::En) => format!("Must be {expected} characters long"),
            (ControlDigit, Lang::Ru) => "Неверное контрольное число — проверьте цифры".into(),
            (ControlDigit, Lang::En) => {
                "The control digit does not match — check the digits".into()
            }
            (KppFormat, Lang::Ru) => {
                "КПП: 4 цифры, 2 цифры или заглавные латинские буквы, 3 цифры".into()
            }
            (KppFormat, Lang::En) => {
                "KPP: 4 digits, 2 digits or capital Latin letters, 3 digits".into()
            }
            (KppNotForSoleProprietor, Lang::Ru) => {
                "У индивидуального предпринимателя нет КПП".into()
            }
            (KppNotForSoleProprietor, Lang::En) => "A sole proprietor has no KPP".into(),
            (AccountKey, Lang::Ru) => "Номер счёта не сходится с БИК (ключ счёта)".into(),
            (AccountKey, Lang::En) => {
                "The account number does not match the BIK (control key)".into()
            }
            (NeedsValidBik, Lang::Ru) => "Сначала укажите верный БИК".into(),
            (NeedsValidBik, Lang::En) => "Enter a valid BIK first".into(),
            (CorrespondentPrefix, Lang::Ru) => "Корреспондентский счёт начинается с 301".into(),
            (CorrespondentPrefix, Lang::En) => "A correspondent account starts with 301".into(),
            (NotAllowed { allowed }, Lang::Ru) => {
                format!("Допустимые значения: {}", allowed.join(", "))
            }
            (NotAllowed { allowed }, Lang::En) => format!("Allowed values: {}", allowed.join(", ")),
            (Email, Lang::Ru) => "Неверный адрес электронной почты".into(),
            (Email, Lang::En) => "Not a valid e-mail address".into(),
            (Number, Lang::Ru) => "Введите число, например 12,5".into(),
            (Number, Lang::En) => "Enter a number, e.g. 12.5".into(),
            (Negative, Lang::Ru) => "Не может быть отрицательным".into(),
            (Negative, Lang::En) => "Must not be negative".into(),
            (Scale { max }, Lang::Ru) => format!("Не больше {max} знаков после запятой"),
            (Scale { max }, Lang::En) => format!("At most {max} digits after the decimal point"),
            (UnknownReference, Lang::Ru) => "Такой записи нет".into(),
            (UnknownReference, Lang::En) => "No such record".into(),
            (Uuid, Lang::Ru) => "Неверный идентификатор".into(),
            (Uuid, Lang::En) => "Not a valid identifier".into(),
            (Duplicate { existing }, Lang::Ru) => format!("Уже есть: {existing}"),
            (Duplicate { existing }, Lang::En) => format!("Already exists: {existing}"),
            (Cycle, Lang::Ru) => "Запись не может быть вложена в саму себя".into(),
            (Cycle, Lang::En) => "A record cannot be nested in itself".into(),
            (PasswordTooShort { min }, Lang::Ru) => format!("Пароль не короче {min} символов"),
            (PasswordTooShort { min }, Lang::En) => {
                format!("Password must be at least {min} characters")
            }
            (UnknownField, Lang::Ru) => "Такого поля нет".into(),
            (UnknownField, Lang::En) => "No such field".into(),
            (Type { expected }, Lang::Ru) => format!(
                "Ожидается {}",
                match *expected {
                    "text" => "текст",
                    "list" => "список",
                    "number" => "число",
                    "boolean" => "true или false",
                    _ => "объект",
                }
            ),
            (Type { expected }, Lang::En) => format!("Expected {expected}"),
            (Cidr, Lang::Ru) => {
                "Неверный адрес или подсеть, например 10.1.0.0/16 или 2001:db8::/32".into()
            }
            (Cidr, Lang::En) => {
                "Not an address or network, e.g. 10.1.0.0/16 or 2001:db8::/32".into()
            }
            (Date, Lang::Ru) => "Введите дату, например 26.11.2026".into(),
            (Date, Lang::En) => "Enter a date, e.g. 2026-11-26".into(),
            (Rule { ru, .. }, Lang::Ru) => ru.clone(),
            (Rule { en, .. }, Lang::En) => en.clone(),
            (Range { min, max }, Lang::Ru) => format!("Значение от {min} до {max}"),
            (Range { min, max }, Lang::En) => format!("A value from {min} to {max}"),
        }
    }
}

/// Russian plural of «цифра»/«символ» is hard to get right generically; requisites are digits.
fn digits_ru(n: usize) -> &'static str {
    match (n % 10, n % 100) {
        (1, m) if m != 11 => "цифра",
        (2..=4, m) if !(12..=14).contains(&m) => "цифры",
        _ => "цифр",
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

/// A problem attached to the field it concerns (`inn`, `bank_accounts[0].account`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field as the API spells it; nested fields use `parent[index].child`.
    pub field: String,
    /// What is wrong.
    pub problem: Problem,
}

impl FieldError {
    /// Attaches `problem` to `field`.
    pub fn new(field: impl Into<String>, problem: Problem) -> Self {
        FieldError {
            field: field.into(),
            problem,
        }
    }
}

/// Collects field errors while a whole input is checked, so the user sees every problem at once.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    /// Starts an empty collection.
    pub fn new() -> Self {
        Errors(Vec::new())
    }

    /// Records `problem` for `field`.
    pub fn add(&mut self, field: impl Into<String>, problem: Problem) {
        self.0.push(FieldError::new(field, problem));
    }

    /// Records the error of a check, if any, for `field`.
    pub fn check(&mut self, field: impl Into<String>, result: Result<(), Problem>) {
        if let Err(problem) = result {
            self.add(field, problem);
        }
    }

    /// Keeps the value of a parse, or records its problem and returns `None`.
    pub fn take<T>(&mut self, field: impl Into<String>, result: Result<T, Problem>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(problem) => {
                self.add(field, problem);
                None
            }
        }
    }

    /// How many problems were recorded so far.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was recorded, the errors otherwise.
    pub fn finish<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.0)
        }
    }

    /// The recorded errors.
    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }
}

/// Trims a required text field and checks its length.
pub fn required_text(value: &str, max: usize) -> Result<String, Problem> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Problem::Required);
    }
    optional_text(trimmed, max).map(|text| text.unwrap_or_default())
}

/// Trims an optional text field: blank becomes `None`; too long is an error.
pub fn optional_text(value: &str, max: usize) -> Result<Option<String>, Problem> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.chars().count() > max {
        return Err(Problem::TooLong { max });
    }
    Ok(Some(trimmed.to_string()))
}

/// Parses an optional date typed as `2026-11-26` or the Russian `26.11.2026`.
pub fn optional_date(value: &str) -> Result<Option<chrono::NaiveDate>, Problem> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(trimmed, "%d.%m.%Y"))
        .map(Some)
        .map_err(|_| Problem::Date)
}

/// Checks an e-mail address the way users expect: one `@`, something before it, a dotted domain
/// after it, no spaces. (Deliverability is the mail server's business.)
pub fn validate_email(value: &str) -> Result<(), Problem> {
    let Some((local, domain)) = value.split_once('@') else {
        return Err(Problem::Email);
    };
    let ok = !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(char::is_whitespace)
        && value.len() <= 254;
    if ok { Ok(()) } else { Err(Problem::Email) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_the_first_known_language() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,ru;q=0.8"),
            Lang::En
        );
        assert_eq!(
            Lang::from_accept_language("ru-RU,ru;q=0.9,en;q=0.8"),
            Lang::Ru
        );
        assert_eq!(Lang::from_accept_language("de-DE,en;q=0.5"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::Ru);
    }

    #[test]
    fn russian_digit_counts_agree_with_the_number() {
        assert_eq!(
            Problem::Length { expected: 9 }.message(Lang::Ru),
            "Должно быть 9 цифр"
        );
        assert_eq!(
            Problem::Length { expected: 12 }.message(Lang::Ru),
            "Должно быть 12 цифр"
        );
        assert_eq!(
            Problem::Length { expected: 13 }.message(Lang::Ru),
            "Должно быть 13 цифр"
        );
        assert_eq!(digits_ru(2), "цифры");
        assert_eq!(digits_ru(21), "цифра");
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert_eq!(validate_email("info@molzavod.ru"), Ok(()));
        assert_eq!(validate_email("закупки@молоко.рф"), Ok(()));
        for bad in [
            "info",
            "@molzavod.ru",
            "info@molzavod",
            "info@@x.ru",
            "in fo@x.ru",
            "a@.ru",
        ] {
            assert_eq!(validate_email(bad), Err(Problem::Email), "{bad}");
        }
    }

    #[test]
    fn text_fields_are_trimmed_and_bounded() {
        assert_eq!(required_text("  Молзавод ", 10), Ok("Молзавод".into()));
        assert_eq!(required_text("   ", 10), Err(Problem::Required));
        assert_eq!(optional_text(" ", 10), Ok(None));
        assert_eq!(
            optional_text("абвгдеёжзий", 10),
            Err(Problem::TooLong { max: 10 })
        );
    }
}
