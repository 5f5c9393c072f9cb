//! Text normalisation for sorting and search.
//!
//! SQLite's `lower()` and `LIKE` fold ASCII only, and PostgreSQL's ordering depends on the database's
//! collation, so Ferment computes sort keys and search terms in Rust and stores them beside the text:
//! both databases then sort and search the same way, with plain indexes.

/// Lower-cases, folds `ё` into `е`, and collapses runs of whitespace, so that «ЁЛКА  Молзавод» and
/// «елка молзавод» sort and match alike.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars().flat_map(char::to_lowercase) {
            out.push(if c == 'ё' { 'е' } else { c });
        }
    }
    out
}

/// The words a record can be found by: the normalised text split on anything that is not a letter or
/// a digit, each word once.
pub fn search_terms(text: &str) -> Vec<String> {
    let normalized = normalize(text);
    let mut terms: Vec<String> = normalized
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_string)
        .collect();
    terms.sort();
    terms.dedup();
    terms
}

/// The smallest string greater than every string that starts with `prefix`, for index range scans
/// (`term >= prefix AND term < prefix_upper_bound(prefix)`), which both databases serve from a plain
/// B-tree index whatever their collation of `LIKE`.
pub fn prefix_upper_bound(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_folds_case_yo_and_spaces() {
        assert_eq!(normalize("  ЁЛКА   Молзавод "), "елка молзавод");
        assert_eq!(normalize("ООО «Хлебозавод №1»"), "ооо «хлебозавод №1»");
    }

    #[test]
    fn search_terms_split_on_punctuation_and_repeat_once() {
        assert_eq!(
            search_terms("ООО «Молочный завод „Молоко“», молоко"),
            vec!["завод", "молоко", "молочный", "ооо"]
        );
    }

    #[test]
    fn prefix_bound_sorts_after_every_extension() {
        let bound = prefix_upper_bound("7707");
        assert!(*"7707" < *bound);
        assert!(*"7707999999" < *bound);
        assert!(*"7708" > *bound);
        assert!(*"молоко" < *prefix_upper_bound("мол"));
    }
}
