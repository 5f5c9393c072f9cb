//! Text templates: minijinja source → typst markup → PDF.
//!
//! The template language is minijinja (Jinja2) with a sandbox: no loader (so `include`, `import`
//! and `extends` are syntax errors), no access to the environment or files, strict undefined
//! values (an unknown field is an error naming it and its line), a fuel limit (a runaway loop
//! stops), and an auto-escape that makes every printed value literal typst text
//! ([`crate::escape`]). The one way to hand a value to typst code is the `typst_string` filter,
//! which prints it as a typst string literal: `#image({{ company.images.logo | typst_string }})`.

use std::collections::HashSet;
use std::sync::LazyLock;

use ferment_domain::document::{DocumentData, SHIPPED_KINDS, sample};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Serde, Value};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};

use crate::{Assets, DocsError, TemplateError, escape, typeset};

/// The escaping mode's name (minijinja's custom auto-escape).
const TYPST: &str = "typst";

/// Instructions one rendering may execute: a 1 000-line invoice needs well under a tenth of it.
const FUEL: u64 = 20_000_000;

/// The shared template environment for text templates.
static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = environment();
    env.set_auto_escape_callback(|_| AutoEscape::Custom(TYPST.into()));
    env.set_formatter(|out, state, value| {
        if value.is_none() || value.is_undefined() {
            return Ok(());
        }
        if value.is_safe()
            || !matches!(state.auto_escape(), AutoEscape::Custom(name) if name == TYPST)
        {
            return write!(out, "{value}").map_err(Error::from);
        }
        let mut escaped = String::new();
        match value.as_str() {
            Some(text) => escape::markup(text, &mut escaped),
            None => escape::markup(&value.to_string(), &mut escaped),
        }
        out.write_str(&escaped).map_err(Error::from)
    });
    env.add_filter("typst_string", |value: Value| {
        let text = value
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| value.to_string());
        Value::from_safe_string(escape::string_literal(&text))
    });
    env
});

/// A sandboxed environment: built-in filters only, strict undefined, fuel, block trimming.
/// Shared with the Word filler, which evaluates placeholders as expressions.
pub(crate) fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_debug(true);
    // Template authors indent `{% for %}`/`{% if %}` freely; the tag lines leave no blank lines.
    if let Ok(syntax) = SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    env
}

/// Renders a text template to typst markup (what [`render_pdf`] typesets): useful to show an
/// author what a typesetting error points at.
pub fn render_markup(source: &str, data: &DocumentData) -> Result<String, TemplateError> {
    let template = ENV
        .template_from_str(source)
        .map_err(|e| template_error(&e, source))?;
    template
        .render(Value::from(Serde(data)))
        .map_err(|e| template_error(&e, source))
}

/// Text template → PDF bytes, all in-process. Files the template references by name come from
/// `assets` only.
pub fn render_pdf(
    source: &str,
    data: &DocumentData,
    assets: &Assets,
) -> Result<Vec<u8>, DocsError> {
    let markup = render_markup(source, data)?;
    typeset::pdf(
        markup,
        assets,
        typeset::date(&data.document.date_iso),
        source,
    )
}

/// Checks a text template before it is saved: its syntax, that every field it uses exists
/// (rendered against `ferment_domain::document::sample` for every shipped kind, with and
/// without the company's images, undefined values being errors), and that the result typesets.
/// The error names the line and the reason, e.g. «Неизвестное поле client.innn» at line 12.
pub fn check_text(source: &str) -> Result<(), TemplateError> {
    let template = ENV
        .template_from_str(source)
        .map_err(|e| template_error(&e, source))?;
    let assets = check_assets();
    let mut seen = HashSet::new();
    for kind in SHIPPED_KINDS {
        for data in [sample(kind), with_images(sample(kind))] {
            let markup = template
                .render(Value::from(Serde(&data)))
                .map_err(|e| template_error(&e, source))?;
            if seen.insert(markup.clone()) {
                typeset::layout(
                    markup,
                    &assets,
                    typeset::date(&data.document.date_iso),
                    source,
                )?;
            }
        }
    }
    Ok(())
}

/// The sample with every company image present, so that `{% if company.images.logo %}` branches
/// are checked too.
pub(crate) fn with_images(mut data: DocumentData) -> DocumentData {
    data.company.images.logo = "logo.png".into();
    data.company.images.stamp = "stamp.png".into();
    data.company.director.signature = "signature_director.png".into();
    data.company.accountant.signature = "signature_accountant.png".into();
    data
}

/// Stand-ins for the images [`with_images`] names: a 1×1 transparent PNG each.
fn check_assets() -> Assets {
    let mut assets = Assets::new();
    for name in [
        "logo.png",
        "stamp.png",
        "signature_director.png",
        "signature_accountant.png",
    ] {
        assets.insert(name, PIXEL_PNG.to_vec());
    }
    assets
}

/// A valid 1×1 transparent PNG.
pub(crate) const PIXEL_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// A minijinja error as a [`TemplateError`] with the line, the column and the failing expression.
pub(crate) fn template_error(error: &Error, source: &str) -> TemplateError {
    let line = error.line().and_then(|l| u32::try_from(l).ok());
    let range = error.range().filter(|r| {
        r.end <= source.len() && source.is_char_boundary(r.start) && source.is_char_boundary(r.end)
    });
    let column = range.as_ref().and_then(|r| {
        let line_start = source[..r.start].rfind('\n').map_or(0, |i| i + 1);
        u32::try_from(source[line_start..r.start].chars().count() + 1).ok()
    });
    let expression = range
        .map(|r| source[r].trim().to_owned())
        .filter(|s| !s.is_empty());
    let detail = error.detail().unwrap_or("").to_owned();
    let (ru, en) = describe(error.kind(), expression.as_deref(), &detail);
    let (ru, en) = match line {
        Some(l) => (format!("Строка {l}: {ru}"), format!("line {l}: {en}")),
        None => (ru, en),
    };
    TemplateError {
        line,
        column,
        message_ru: ru,
        message_en: en,
    }
}

/// Russian and English wording for an error kind.
pub(crate) fn describe(
    kind: ErrorKind,
    expression: Option<&str>,
    detail: &str,
) -> (String, String) {
    let what = expression.unwrap_or("");
    let suffix = if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    };
    match kind {
        ErrorKind::UndefinedError => match expression {
            Some(field) => (
                format!("Неизвестное поле {field}"),
                format!("unknown field {field}"),
            ),
            None => (
                format!("Неизвестное поле{suffix}"),
                format!("unknown field{suffix}"),
            ),
        },
        ErrorKind::SyntaxError
            if ["include", "import", "extends", "from"]
                .iter()
                .any(|s| detail == format!("unknown statement {s}")) =>
        {
            (
                format!(
                    "Недопустимая инструкция{suffix}: include, import и extends недоступны — шаблон должен быть одним текстом"
                ),
                format!(
                    "statement not allowed{suffix}: include, import and extends are not available — a template is one text"
                ),
            )
        }
        ErrorKind::SyntaxError => (
            format!("Синтаксическая ошибка{suffix}"),
            format!("syntax error{suffix}"),
        ),
        ErrorKind::UnknownFilter => (
            format!("Неизвестный фильтр{suffix}"),
            format!("unknown filter{suffix}"),
        ),
        ErrorKind::UnknownFunction | ErrorKind::UnknownMethod | ErrorKind::UnknownTest => (
            format!("Неизвестная функция или проверка {what}{suffix}"),
            format!("unknown function or test {what}{suffix}"),
        ),
        ErrorKind::TemplateNotFound | ErrorKind::BadInclude => (
            "Подключение других шаблонов недоступно".to_owned(),
            "including other templates is not available".to_owned(),
        ),
        ErrorKind::OutOfFuel => (
            "Шаблон выполняет слишком много операций (бесконечный цикл?)".to_owned(),
            "the template runs too many operations (an endless loop?)".to_owned(),
        ),
        _ => (
            format!("Ошибка в шаблоне: {kind}{suffix} {what}")
                .trim_end()
                .to_owned(),
            format!("template error: {kind}{suffix} {what}")
                .trim_end()
                .to_owned(),
        ),
    }
}
