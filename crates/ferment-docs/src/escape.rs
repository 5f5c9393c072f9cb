//! Escaping values for typst: as markup (what `{{ … }}` prints) and as a string literal (the
//! `typst_string` filter, for values a template passes to typst code such as `image(…)`).
//!
//! Markup escaping puts a backslash before every ASCII punctuation character. Typst's lexer reads
//! `\` followed by any non-space character as that character, literally (`\u{…}` is the one
//! exception, and `u` is not punctuation), so this one rule covers every markup construct —
//! `#` code, `*strong*`, `_emph_`, `` `raw` ``, `$math$`, `[`/`]` content, `<label>`, `@ref`,
//! `//` comments, `~`, `-`/`+`/`=`/`/` list and heading markers, `1.` enumerations, `'`/`"` smart
//! quotes, `--`/`...` shorthands and `https://` autolinks — without having to track which of them
//! is special where. The rejected alternative, printing each value as `#"…"`, breaks when the
//! template puts `.`, `(` or `[` right after a placeholder (typst reads a method call).
//! Newlines become typst line breaks; other control characters are dropped.

/// `value` escaped for typst markup: prints literally wherever markup is allowed.
pub(crate) fn markup(value: &str, out: &mut String) {
    out.reserve(value.len() + 8);
    for c in value.chars() {
        match c {
            '\n' => out.push_str("\\\n"),
            '\r' => {}
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
}

/// `value` as a typst string literal, quotes included: `"logo.png"`.
pub(crate) fn string_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(value: &str) -> String {
        let mut out = String::new();
        markup(value, &mut out);
        out
    }

    #[test]
    fn punctuation_is_escaped_and_letters_are_not() {
        assert_eq!(escaped("ООО \"#x\" *y*"), "ООО \\\"\\#x\\\" \\*y\\*");
        assert_eq!(escaped("a\nb"), "a\\\nb");
        assert_eq!(escaped("1. пункт"), "1\\. пункт");
        assert_eq!(escaped("«Ёлка» №5"), "«Ёлка» №5");
    }

    #[test]
    fn string_literals_escape_quotes_and_backslashes() {
        assert_eq!(string_literal("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
}
