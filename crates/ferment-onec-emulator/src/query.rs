//! The query options: `$filter` (a small OData v3 expression language: `eq ne gt ge lt le and or not`,
//! parentheses, string/guid/datetime/boolean/number literals, `substringof`, `startswith`,
//! `endswith`), `$orderby`, `$select`, `$top`, `$skip`, `$inlinecount`. Field names are resolved
//! against the set's fields when parsed, so an unknown field is a bad filter (1C's code 14).

use std::cmp::Ordering;

use chrono::NaiveDateTime;
use uuid::Uuid;

use crate::schema::Field;
use crate::value::{Val, parse_date};

/// A `$filter` expression resolved against a list of fields.
#[derive(Debug, Clone)]
pub enum Expr {
    /// A field by position.
    Field(usize),
    /// A literal.
    Lit(Lit),
    /// `not e`.
    Not(Box<Expr>),
    /// `a and b`.
    And(Box<Expr>, Box<Expr>),
    /// `a or b`.
    Or(Box<Expr>, Box<Expr>),
    /// A comparison.
    Cmp(Op, Box<Expr>, Box<Expr>),
    /// A string function of two arguments.
    Call(Func, Box<Expr>, Box<Expr>),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `gt`
    Gt,
    /// `ge`
    Ge,
    /// `lt`
    Lt,
    /// `le`
    Le,
}

/// String functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// `substringof(needle, haystack)`
    SubstringOf,
    /// `startswith(text, prefix)`
    StartsWith,
    /// `endswith(text, suffix)`
    EndsWith,
}

/// A literal or an evaluated value.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// `null` or a value that does not compare.
    Null,
    /// `true`, `false`.
    Bool(bool),
    /// A number.
    Num(f64),
    /// `'text'`.
    Str(String),
    /// `guid'…'`.
    Guid(Uuid),
    /// `datetime'…'`.
    Date(NaiveDateTime),
}

/// Why a filter cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadQuery(pub String);

fn bad<T>(message: impl Into<String>) -> Result<T, BadQuery> {
    Err(BadQuery(message.into()))
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Lit(Lit),
    Open,
    Close,
    Comma,
}

fn tokenize(text: &str) -> Result<Vec<Token>, BadQuery> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let quoted = |i: &mut usize| -> Result<String, BadQuery> {
        // `*i` points at the opening quote.
        let mut out = String::new();
        *i += 1;
        loop {
            match chars.get(*i) {
                None => return bad("unterminated string"),
                Some('\'') if chars.get(*i + 1) == Some(&'\'') => {
                    out.push('\'');
                    *i += 2;
                }
                Some('\'') => {
                    *i += 1;
                    return Ok(out);
                }
                Some(c) => {
                    out.push(*c);
                    *i += 1;
                }
            }
        }
    };
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            tokens.push(Token::Open);
            i += 1;
        } else if c == ')' {
            tokens.push(Token::Close);
            i += 1;
        } else if c == ',' {
            tokens.push(Token::Comma);
            i += 1;
        } else if c == '\'' {
            tokens.push(Token::Lit(Lit::Str(quoted(&mut i)?)));
        } else if c.is_ascii_digit()
            || (c == '-' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let start = i;
            i += 1;
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || chars[i] == '.'
                    || chars[i] == 'E'
                    || chars[i] == 'e')
            {
                i += 1;
            }
            let number: String = chars[start..i].iter().collect();
            if i < chars.len() && matches!(chars[i], 'M' | 'm' | 'L' | 'l' | 'd' | 'D' | 'f' | 'F')
            {
                i += 1;
            }
            let value = number
                .parse()
                .map_err(|_| BadQuery(format!("bad number {number}")))?;
            tokens.push(Token::Lit(Lit::Num(value)));
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric()
                    || chars[i] == '_'
                    || chars[i] == '/'
                    || chars[i] == '@')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if chars.get(i) == Some(&'\'') {
                let text = quoted(&mut i)?;
                let lit = match word.to_ascii_lowercase().as_str() {
                    "guid" => Lit::Guid(
                        Uuid::parse_str(&text).map_err(|_| BadQuery(format!("bad guid {text}")))?,
                    ),
                    "datetime" => Lit::Date(
                        parse_date(&text)
                            .ok_or_else(|| BadQuery(format!("bad datetime {text}")))?,
                    ),
                    "datetimeoffset" => Lit::Date(
                        parse_date(text.get(..19).unwrap_or(&text))
                            .ok_or_else(|| BadQuery(format!("bad datetime {text}")))?,
                    ),
                    "x" | "binary" => Lit::Str(text),
                    other => return bad(format!("unknown literal type {other}")),
                };
                tokens.push(Token::Lit(lit));
            } else {
                tokens.push(match word.as_str() {
                    "true" => Token::Lit(Lit::Bool(true)),
                    "false" => Token::Lit(Lit::Bool(false)),
                    "null" => Token::Lit(Lit::Null),
                    _ => Token::Ident(word),
                });
            }
        } else {
            return bad(format!("unexpected character {c}"));
        }
    }
    Ok(tokens)
}

struct Parser<'a> {
    tokens: Vec<Token>,
    at: usize,
    fields: &'a [Field],
}

impl Parser<'_> {
    fn peek_word(&self) -> Option<&str> {
        match self.tokens.get(self.at) {
            Some(Token::Ident(word)) => Some(word),
            _ => None,
        }
    }

    fn expect(&mut self, token: Token) -> Result<(), BadQuery> {
        if self.tokens.get(self.at) == Some(&token) {
            self.at += 1;
            Ok(())
        } else {
            bad(format!("expected {token:?}"))
        }
    }

    fn or(&mut self) -> Result<Expr, BadQuery> {
        let mut left = self.and()?;
        while self.peek_word() == Some("or") {
            self.at += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, BadQuery> {
        let mut left = self.not()?;
        while self.peek_word() == Some("and") {
            self.at += 1;
            left = Expr::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, BadQuery> {
        if self.peek_word() == Some("not") {
            self.at += 1;
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, BadQuery> {
        let left = self.primary()?;
        let op = match self.peek_word() {
            Some("eq") => Op::Eq,
            Some("ne") => Op::Ne,
            Some("gt") => Op::Gt,
            Some("ge") => Op::Ge,
            Some("lt") => Op::Lt,
            Some("le") => Op::Le,
            _ => return Ok(left),
        };
        self.at += 1;
        let right = self.primary()?;
        Ok(Expr::Cmp(op, Box::new(left), Box::new(right)))
    }

    fn primary(&mut self) -> Result<Expr, BadQuery> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        match token {
            Some(Token::Open) => {
                let inner = self.or()?;
                self.expect(Token::Close)?;
                Ok(inner)
            }
            Some(Token::Lit(lit)) => Ok(Expr::Lit(lit)),
            Some(Token::Ident(word)) => {
                if self.tokens.get(self.at) == Some(&Token::Open) {
                    let func = match word.as_str() {
                        "substringof" => Func::SubstringOf,
                        "startswith" => Func::StartsWith,
                        "endswith" => Func::EndsWith,
                        other => return bad(format!("unknown function {other}")),
                    };
                    self.at += 1;
                    let first = self.or()?;
                    self.expect(Token::Comma)?;
                    let second = self.or()?;
                    self.expect(Token::Close)?;
                    return Ok(Expr::Call(func, Box::new(first), Box::new(second)));
                }
                match self.fields.iter().position(|f| f.name == word) {
                    Some(index) => Ok(Expr::Field(index)),
                    None => bad(format!("unknown field {word}")),
                }
            }
            _ => bad("unexpected end of the expression"),
        }
    }
}

/// Parses a `$filter` against the fields of the set it filters.
pub fn parse_filter(text: &str, fields: &[Field]) -> Result<Expr, BadQuery> {
    let mut parser = Parser {
        tokens: tokenize(text)?,
        at: 0,
        fields,
    };
    let expr = parser.or()?;
    if parser.at != parser.tokens.len() {
        return bad("unexpected text after the expression");
    }
    Ok(expr)
}

/// A value while a filter is evaluated: borrowed from the row or the expression, so testing a
/// row allocates nothing.
#[derive(Debug, Clone, Copy)]
enum Value<'a> {
    Null,
    Bool(bool),
    Num(f64),
    Str(&'a str),
    Guid(Uuid),
    Date(NaiveDateTime),
}

impl<'a> Value<'a> {
    fn of_val(value: &'a Val) -> Self {
        match value {
            Val::Bool(b) => Value::Bool(*b),
            Val::Num(n) => Value::Num(*n),
            Val::Int(i) => Value::Num(*i as f64),
            Val::Str(s) => Value::Str(s),
            Val::Guid(g) => Value::Guid(*g),
            Val::Date(d) => Value::Date(*d),
            Val::Rows(_) => Value::Null,
        }
    }

    fn of_lit(lit: &'a Lit) -> Self {
        match lit {
            Lit::Null => Value::Null,
            Lit::Bool(b) => Value::Bool(*b),
            Lit::Num(n) => Value::Num(*n),
            Lit::Str(s) => Value::Str(s),
            Lit::Guid(g) => Value::Guid(*g),
            Lit::Date(d) => Value::Date(*d),
        }
    }

    fn to_lit(self) -> Lit {
        match self {
            Value::Null => Lit::Null,
            Value::Bool(b) => Lit::Bool(b),
            Value::Num(n) => Lit::Num(n),
            Value::Str(s) => Lit::Str(s.to_string()),
            Value::Guid(g) => Lit::Guid(g),
            Value::Date(d) => Lit::Date(d),
        }
    }
}

fn compare(a: Value<'_>, b: Value<'_>) -> Option<Ordering> {
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(&y)),
        (Value::Num(x), Value::Num(y)) => x.partial_cmp(&y),
        // Fixed-length strings are stored padded; 1C compares them as the database does, without
        // the trailing spaces.
        (Value::Str(x), Value::Str(y)) => Some(x.trim_end().cmp(y.trim_end())),
        (Value::Guid(x), Value::Guid(y)) => Some(x.cmp(&y)),
        (Value::Str(x), Value::Guid(y)) => Uuid::parse_str(x).ok().map(|x| x.cmp(&y)),
        (Value::Guid(x), Value::Str(y)) => Uuid::parse_str(y).ok().map(|y| x.cmp(&y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(&y)),
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        _ => None,
    }
}

fn value<'a>(expr: &'a Expr, row: &'a [Val]) -> Value<'a> {
    match expr {
        Expr::Field(index) => row.get(*index).map_or(Value::Null, Value::of_val),
        Expr::Lit(lit) => Value::of_lit(lit),
        other => Value::Bool(matches(other, row)),
    }
}

/// Whether a row passes a filter (what `eval` gives, as a yes or no, without allocating).
pub fn matches(expr: &Expr, row: &[Val]) -> bool {
    match expr {
        Expr::Field(_) | Expr::Lit(_) => matches!(value(expr, row), Value::Bool(true)),
        Expr::Not(inner) => !matches(inner, row),
        Expr::And(a, b) => matches(a, row) && matches(b, row),
        Expr::Or(a, b) => matches(a, row) || matches(b, row),
        Expr::Cmp(op, a, b) => {
            let ordering = compare(value(a, row), value(b, row));
            match (op, ordering) {
                (Op::Eq, Some(o)) => o == Ordering::Equal,
                (Op::Ne, Some(o)) => o != Ordering::Equal,
                (Op::Ne, None) => true,
                (Op::Gt, Some(o)) => o == Ordering::Greater,
                (Op::Ge, Some(o)) => o != Ordering::Less,
                (Op::Lt, Some(o)) => o == Ordering::Less,
                (Op::Le, Some(o)) => o != Ordering::Greater,
                (_, None) => false,
            }
        }
        Expr::Call(func, a, b) => {
            let (Value::Str(a), Value::Str(b)) = (value(a, row), value(b, row)) else {
                return false;
            };
            match func {
                Func::SubstringOf => b.to_lowercase().contains(&a.to_lowercase()),
                Func::StartsWith => a.starts_with(b),
                Func::EndsWith => a.trim_end().ends_with(b),
            }
        }
    }
}

/// Evaluates an expression against one row.
pub fn eval(expr: &Expr, row: &[Val]) -> Lit {
    match expr {
        Expr::Field(_) | Expr::Lit(_) => value(expr, row).to_lit(),
        other => Lit::Bool(matches(other, row)),
    }
}

/// The keys a filter of the form `Ref_Key eq guid'…' or Ref_Key eq guid'…' …` names, when it is
/// exactly that (`key_field` is the position of `Ref_Key`): such a filter is answered by looking
/// the keys up, as 1C's database answers it from its primary index.
pub fn key_lookup(expr: &Expr, key_field: usize) -> Option<Vec<Uuid>> {
    fn walk(expr: &Expr, key_field: usize, out: &mut Vec<Uuid>) -> bool {
        match expr {
            Expr::Or(a, b) => walk(a, key_field, out) && walk(b, key_field, out),
            Expr::Cmp(Op::Eq, a, b) => match (a.as_ref(), b.as_ref()) {
                (Expr::Field(f), Expr::Lit(Lit::Guid(g)))
                | (Expr::Lit(Lit::Guid(g)), Expr::Field(f))
                    if *f == key_field =>
                {
                    out.push(*g);
                    true
                }
                _ => false,
            },
            _ => false,
        }
    }
    let mut keys = Vec::new();
    walk(expr, key_field, &mut keys).then_some(keys)
}

/// True when a filter's value selects the row.
pub fn truthy(lit: &Lit) -> bool {
    matches!(lit, Lit::Bool(true))
}

/// One `$orderby` key.
#[derive(Debug, Clone, Copy)]
pub struct OrderKey {
    /// The field's position.
    pub field: usize,
    /// Descending.
    pub descending: bool,
}

/// Parses `$orderby=A, B desc`.
pub fn parse_orderby(text: &str, fields: &[Field]) -> Result<Vec<OrderKey>, BadQuery> {
    let mut keys = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut words = part.split_whitespace();
        let name = words.next().unwrap_or_default();
        let descending = match words.next() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => return bad(format!("bad direction {other}")),
        };
        let Some(field) = fields.iter().position(|f| f.name == name) else {
            return bad(format!("unknown field {name}"));
        };
        keys.push(OrderKey { field, descending });
    }
    Ok(keys)
}

/// Orders two rows by the keys.
pub fn order(keys: &[OrderKey], a: &[Val], b: &[Val]) -> Ordering {
    for key in keys {
        let ordering = compare(Value::of_val(&a[key.field]), Value::of_val(&b[key.field]))
            .unwrap_or(Ordering::Equal);
        let ordering = if key.descending {
            ordering.reverse()
        } else {
            ordering
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Ty;

    fn fields() -> Vec<Field> {
        vec![
            Field::new("Ref_Key", Ty::Key),
            Field::new("Description", Ty::Str(100)),
            Field::new("Date", Ty::DateTime),
            Field::new("Сумма", Ty::Double),
        ]
    }

    fn row() -> Vec<Val> {
        vec![
            Val::Guid(Uuid::from_u128(7)),
            Val::str("ООО «Д'Арт»"),
            Val::Date(parse_date("2026-05-01T10:00:00").unwrap()),
            Val::Num(150.5),
        ]
    }

    fn check(filter: &str, expected: bool) {
        let expr = parse_filter(filter, &fields()).unwrap();
        assert_eq!(truthy(&eval(&expr, &row())), expected, "{filter}");
        assert_eq!(matches(&expr, &row()), expected, "{filter}");
        assert_eq!(matches(&not(&expr), &row()), !expected, "not ({filter})");
    }

    fn not(expr: &Expr) -> Expr {
        Expr::Not(Box::new(expr.clone()))
    }

    #[test]
    fn key_filters_are_recognised_for_lookups_and_nothing_else() {
        let one = "guid'00000000-0000-0000-0000-000000000001'";
        let two = "guid'00000000-0000-0000-0000-000000000002'";
        let keys = |filter: &str| key_lookup(&parse_filter(filter, &fields()).unwrap(), 0);
        assert_eq!(
            keys(&format!("Ref_Key eq {one} or Ref_Key eq {two}")),
            Some(vec![Uuid::from_u128(1), Uuid::from_u128(2)])
        );
        assert_eq!(
            keys(&format!("Ref_Key eq {one}")),
            Some(vec![Uuid::from_u128(1)])
        );
        assert_eq!(keys(&format!("Ref_Key eq {one} and Сумма gt 1")), None);
        assert_eq!(keys(&format!("Ref_Key ne {one}")), None);
        assert_eq!(keys(&format!("Ref_Key eq {one} or Сумма gt 1")), None);
        assert_eq!(keys("Сумма gt 1"), None);
    }

    #[test]
    fn filters_compare_literals_of_every_kind() {
        check(
            "Ref_Key eq guid'00000000-0000-0000-0000-000000000007'",
            true,
        );
        check("Description eq 'ООО «Д''Арт»'", true);
        check(
            "Date ge datetime'2026-05-01T00:00:00' and Date lt datetime'2026-05-02T00:00:00'",
            true,
        );
        check("Сумма gt 150 and not (Сумма gt 151)", true);
        check("Сумма eq 1 or substringof('арт', Description)", true);
        check("not substringof('xyz', Description)", true);
        check(
            "Description ne 'x' and (Сумма le 100 or Сумма ge 150.5)",
            true,
        );
    }

    #[test]
    fn unknown_fields_and_bad_syntax_are_bad_queries() {
        assert!(parse_filter("Nope eq 1", &fields()).is_err());
        assert!(parse_filter("Сумма eq", &fields()).is_err());
        assert!(parse_filter("Description eq 'open", &fields()).is_err());
        assert!(parse_filter("Ref_Key eq guid'zzz'", &fields()).is_err());
    }
}
