//! HTML forms: reading a posted form (nested names like `bank_accounts[0].bik` included), and the
//! view of each input with its value and its message.
//!
//! Input names are the API's field names, so a validation error's `field` says which input it
//! belongs to; the message is shown right under that input (`<p class="field-error"
//! id="error-<field>">`), and the value shown is what the user typed, never a cleaned-up version.

use std::collections::BTreeMap;

use askama::Template;
use ferment_domain::validation::{FieldError, Lang};

use super::i18n::{Entity, Texts, field_label};
use super::layout::Chrome;

/// The most rows a list field (bank accounts, …) accepts from one form; more is not a person typing.
pub const MAX_ROWS: usize = 20;

/// A posted `application/x-www-form-urlencoded` body as name/value pairs, in order.
#[derive(Debug, Default, Clone)]
pub struct FormData(Vec<(String, String)>);

impl FormData {
    /// Parses a body; an undecodable body reads as an empty form (every field then fails its own
    /// validation, which is what the user needs to see).
    pub fn parse(body: &[u8]) -> FormData {
        FormData(serde_urlencoded::from_bytes(body).unwrap_or_default())
    }

    /// The first value of `name`, or an empty text.
    pub fn text(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    }

    /// Whether a checkbox named `name` was ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.0
            .iter()
            .any(|(key, value)| key == name && value != "false")
    }

    /// Every value of `name`, in order: the ticked boxes of a group of checkboxes sharing a name.
    pub fn values(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .collect()
    }

    /// The values whose names start with `prefix` (`data.recipe_id` for `data.`), with the prefix
    /// taken off, in order.
    pub fn prefixed(&self, prefix: &str) -> Vec<(String, String)> {
        self.0
            .iter()
            .filter_map(|(key, value)| {
                key.strip_prefix(prefix)
                    .map(|rest| (rest.to_string(), value.clone()))
            })
            .collect()
    }

    /// The `version` field of an edit form (0, never current, when missing or garbled).
    pub fn version(&self) -> i64 {
        self.text("version").trim().parse().unwrap_or(0)
    }

    /// The rows of a list field: `list[i].key` values grouped by `i`, in index order, with rows
    /// missing between two indexes filled in empty so that an error on `list[3].bik` still points
    /// at the fourth row. Indexes at or past [`MAX_ROWS`] are ignored.
    pub fn rows(&self, list: &str) -> Vec<BTreeMap<String, String>> {
        self.rows_within(list, MAX_ROWS)
    }

    /// [`FormData::rows`] with another bound on the indexes (a sale may have hundreds of lines).
    pub fn rows_within(&self, list: &str, max: usize) -> Vec<BTreeMap<String, String>> {
        let mut rows: BTreeMap<usize, BTreeMap<String, String>> = BTreeMap::new();
        for (name, value) in &self.0 {
            let Some((index, key)) = nested(name, list) else {
                continue;
            };
            if index < max {
                rows.entry(index)
                    .or_default()
                    .entry(key.to_string())
                    .or_insert_with(|| value.clone());
            }
        }
        let count = rows.keys().next_back().map_or(0, |last| last + 1);
        (0..count)
            .map(|index| rows.remove(&index).unwrap_or_default())
            .collect()
    }
}

/// Splits `list[3].key` into `(3, "key")` when it belongs to `list`.
fn nested<'a>(name: &'a str, list: &str) -> Option<(usize, &'a str)> {
    let rest = name.strip_prefix(list)?.strip_prefix('[')?;
    let (index, rest) = rest.split_once(']')?;
    let key = rest.strip_prefix('.')?;
    Some((index.parse().ok()?, key))
}

/// Splits text typed one item per line (or separated by commas, for tags) into trimmed items.
pub fn split_items(text: &str, separators: &[char]) -> Vec<String> {
    text.split(|c: char| c == '\n' || separators.contains(&c))
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect()
}

/// The messages of a failed save, by field, in the user's language; each input takes its own, and
/// whatever no input took is listed at the top of the form.
#[derive(Debug, Default)]
pub struct FormErrors {
    by_field: BTreeMap<String, Vec<String>>,
}

impl FormErrors {
    /// Words the errors in `lang`.
    pub fn new(errors: &[FieldError], lang: Lang) -> FormErrors {
        let mut by_field: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for error in errors {
            by_field
                .entry(error.field.clone())
                .or_default()
                .push(error.problem.message(lang));
        }
        FormErrors { by_field }
    }

    /// Adds a message for `field`.
    pub fn add(&mut self, field: &str, message: String) {
        self.by_field
            .entry(field.to_string())
            .or_default()
            .push(message);
    }

    /// Whether there is any message.
    pub fn is_empty(&self) -> bool {
        self.by_field.is_empty()
    }

    /// Takes the messages of `field` and of its items (`tags` takes `tags[2]` too).
    pub fn take(&mut self, field: &str) -> Option<String> {
        let keys: Vec<String> = self
            .by_field
            .keys()
            .filter(|key| {
                *key == field
                    || key
                        .strip_prefix(field)
                        .is_some_and(|rest| rest.starts_with('[') && !rest.contains("]."))
            })
            .cloned()
            .collect();
        let messages: Vec<String> = keys
            .iter()
            .filter_map(|key| self.by_field.remove(key))
            .flatten()
            .collect();
        (!messages.is_empty()).then(|| messages.join("; "))
    }

    /// Takes the messages of a list field's items by index (`ip_allow[1]` → `Some(1)`), and of the
    /// field as a whole (`None`), so a page can say which line of a textarea is wrong.
    pub fn take_items(&mut self, field: &str) -> Vec<(Option<usize>, String)> {
        let keys: Vec<String> = self
            .by_field
            .keys()
            .filter(|key| {
                *key == field
                    || key
                        .strip_prefix(field)
                        .is_some_and(|rest| rest.starts_with('[') && rest.ends_with(']'))
            })
            .cloned()
            .collect();
        let mut found = Vec::new();
        for key in keys {
            let index = key[field.len()..]
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse()
                .ok();
            for message in self.by_field.remove(&key).unwrap_or_default() {
                found.push((index, message));
            }
        }
        found.sort_by_key(|(index, _)| *index);
        found
    }

    /// The messages no input took, as «label: message».
    pub fn rest(self, t: &'static Texts, entity: Entity) -> Vec<String> {
        self.by_field
            .into_iter()
            .map(|(field, messages)| {
                format!(
                    "{}: {}",
                    field_label(t, entity, &field),
                    messages.join("; ")
                )
            })
            .collect()
    }
}

/// One option of a `<select>`.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The value sent.
    pub value: String,
    /// The text shown.
    pub label: String,
    /// Whether it is the current value.
    pub selected: bool,
}

impl Choice {
    /// An option, selected when `value` equals `current`.
    pub fn new(value: impl Into<String>, label: impl Into<String>, current: &str) -> Choice {
        let value = value.into();
        Choice {
            selected: value == current.trim(),
            label: label.into(),
            value,
        }
    }
}

/// Options for a closed list of codes with labels, after an empty «—» option. A current value that
/// is not in the list is kept as its own option, so what the user sent is still what they see.
pub fn code_choices(
    codes: impl IntoIterator<Item = (&'static str, &'static str)>,
    current: &str,
    empty: &str,
) -> Vec<Choice> {
    let mut choices = vec![Choice::new("", empty, current)];
    choices.extend(
        codes
            .into_iter()
            .map(|(code, label)| Choice::new(code, label, current)),
    );
    keep_unknown(&mut choices, current);
    choices
}

/// Adds `current` as an option when no option has that value.
pub fn keep_unknown(choices: &mut Vec<Choice>, current: &str) {
    let current = current.trim();
    if !current.is_empty() && !choices.iter().any(|c| c.value == current) {
        choices.push(Choice::new(current, current, current));
    }
}

/// An input of a form, with what to show in it and beside it.
#[derive(Debug, Clone)]
pub struct FieldView {
    /// The input's name: the API field name.
    pub name: String,
    /// The label.
    pub label: &'static str,
    /// The value as typed.
    pub value: String,
    /// The message under the input.
    pub error: Option<String>,
    /// `text`, `email`, `tel`, `url`, `textarea`, `select` or `checkbox`.
    pub kind: &'static str,
    /// Options of a select.
    pub choices: Vec<Choice>,
    /// A hint under the input.
    pub hint: &'static str,
    /// Whether the field must be filled in (marked with an asterisk; checked by the server).
    pub required: bool,
    /// Whether it spans the whole row.
    pub wide: bool,
    /// `numeric` for inputs of digits (a phone shows a digit keypad), empty otherwise.
    pub inputmode: &'static str,
    /// A search box beside a select whose options are too many to list (a counterparty among a
    /// million): typing a name and pressing its button shows the matches as options.
    pub search: Option<SearchBox>,
}

/// The search box of a select (see [`FieldView::search`]).
#[derive(Debug, Clone)]
pub struct SearchBox {
    /// The search input's name.
    pub name: &'static str,
    /// What was searched for.
    pub value: String,
    /// The placeholder.
    pub placeholder: &'static str,
    /// The button's text.
    pub button: &'static str,
}

impl FieldView {
    /// A text input named `name` showing `value`, taking its message from `errors`.
    pub fn text(name: &str, label: &'static str, value: &str, errors: &mut FormErrors) -> Self {
        FieldView {
            name: name.to_string(),
            label,
            value: value.to_string(),
            error: errors.take(name),
            kind: "text",
            choices: Vec::new(),
            hint: "",
            required: false,
            wide: false,
            inputmode: "",
            search: None,
        }
    }

    /// The same field as another kind of input (`email`, `tel`, `url`, `textarea`).
    pub fn kind(mut self, kind: &'static str) -> Self {
        self.kind = kind;
        self
    }

    /// The same field as a select.
    pub fn select(mut self, choices: Vec<Choice>) -> Self {
        self.kind = "select";
        self.choices = choices;
        self
    }

    /// The same field as a checkbox, ticked when the value is `true`.
    pub fn checkbox(mut self) -> Self {
        self.kind = "checkbox";
        self
    }

    /// Marks the field as required.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Lets the field span the whole row.
    pub fn wide(mut self) -> Self {
        self.wide = true;
        self
    }

    /// Asks for a digit keypad.
    pub fn numeric(mut self) -> Self {
        self.inputmode = "numeric";
        self
    }

    /// Adds a search box beside the select.
    pub fn with_search(mut self, search: SearchBox) -> Self {
        self.search = Some(search);
        self
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: &'static str) -> Self {
        self.hint = hint;
        self
    }
}

/// A titled group of inputs.
#[derive(Debug, Clone)]
pub struct FormSection {
    /// The heading.
    pub title: &'static str,
    /// The inputs.
    pub fields: Vec<FieldView>,
}

/// What a form says above its inputs after a failed save.
#[derive(Debug, Clone, Default)]
pub struct FormNotice {
    /// The headline («not saved: correct the fields below»).
    pub title: String,
    /// More explanation.
    pub detail: String,
    /// Messages that belong to no input.
    pub messages: Vec<String>,
    /// A link to the record this one would duplicate: (URL, its name).
    pub duplicate: Option<(String, String)>,
    /// For a stale edit: what the user had typed that differs from the current values.
    pub typed: Vec<(String, String)>,
}

/// A form page: sections of inputs, and for counterparties the bank-account rows between them.
#[derive(Template)]
#[template(path = "form.html")]
pub struct FormPage {
    /// The frame.
    pub chrome: Chrome,
    /// Where the form posts.
    pub action: String,
    /// Where «Cancel» goes.
    pub cancel: String,
    /// The session's CSRF token.
    pub csrf: String,
    /// The version being edited (absent for a new record).
    pub version: Option<i64>,
    /// What went wrong with the last save.
    pub notice: Option<FormNotice>,
    /// Sections before the bank accounts.
    pub before: Vec<FormSection>,
    /// Bank-account rows (empty for forms without them).
    pub bank_rows: Vec<Vec<FieldView>>,
    /// A message about the bank accounts as a whole.
    pub bank_error: Option<String>,
    /// Sections after the bank accounts.
    pub after: Vec<FormSection>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferment_domain::validation::Problem;

    #[test]
    fn nested_rows_are_grouped_by_index_and_gaps_kept() {
        let form = FormData::parse(
            b"name=x&bank_accounts%5B2%5D.bik=044525225&bank_accounts[0].bik=1&bank_accounts[0].account=2&bank_accounts[99].bik=9",
        );
        let rows = form.rows("bank_accounts");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0]["bik"], "1");
        assert_eq!(rows[0]["account"], "2");
        assert!(rows[1].is_empty());
        assert_eq!(rows[2]["bik"], "044525225");
        assert_eq!(form.text("name"), "x");
        assert_eq!(form.text("missing"), "");
    }

    #[test]
    fn a_field_takes_its_own_messages_and_those_of_its_items() {
        let errors = [
            FieldError::new("tags[1]", Problem::TooLong { max: 60 }),
            FieldError::new("tags", Problem::Required),
            FieldError::new("bank_accounts[0].bik", Problem::Required),
            FieldError::new("inn", Problem::ControlDigit),
        ];
        let mut errors = FormErrors::new(&errors, Lang::En);
        assert_eq!(
            errors.take("tags").as_deref(),
            Some("This field is required; At most 60 characters")
        );
        assert!(errors.take("bank_accounts").is_none());
        assert!(errors.take("bank_accounts[0].bik").is_some());
        assert!(errors.take("inn").is_some());
        assert!(errors.is_empty());
    }

    #[test]
    fn item_messages_keep_their_index() {
        let errors = [
            FieldError::new("ip_allow[3]", Problem::Cidr),
            FieldError::new("ip_allow[1]", Problem::Cidr),
            FieldError::new("ip_allow_other", Problem::Required),
        ];
        let mut errors = FormErrors::new(&errors, Lang::En);
        let items = errors.take_items("ip_allow");
        assert_eq!(
            items.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
            vec![Some(1), Some(3)]
        );
        assert!(errors.take("ip_allow_other").is_some());
        let form = FormData::parse(b"roles=a&x=1&roles=b");
        assert_eq!(form.values("roles"), vec!["a".to_string(), "b".into()]);
    }

    #[test]
    fn items_are_split_by_lines_and_separators() {
        assert_eq!(
            split_items(" a, b ,,\nc\r\n", &[',']),
            vec!["a".to_string(), "b".into(), "c".into()]
        );
    }
}
