//! The stylesheet and the script, compiled into the binary and served under `/static/`.
//!
//! Their URLs carry a version computed from their content at compile time (`?v=…`), so browsers may
//! keep them for a year: a changed file gets a new URL. No build step and nothing from a registry:
//! both are small hand-written files in `crates/ferment-web/static`.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::AppState;

const CSS: &str = include_str!("../../static/app.css");
const JS: &str = include_str!("../../static/app.js");

/// FNV-1a over the bytes: a stable fingerprint that a `const` can compute.
const fn fingerprint(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut index = 0;
    while index < bytes.len() {
        hash ^= bytes[index] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        index += 1;
    }
    hash
}

/// Writes `/static/<name>?v=<16 hex digits>` into a fixed buffer at compile time.
const fn versioned<const N: usize>(prefix: &[u8], content: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    let mut index = 0;
    while index < prefix.len() {
        out[index] = prefix[index];
        index += 1;
    }
    let hash = fingerprint(content);
    let mut digit = 0;
    while digit < 16 {
        let nibble = ((hash >> (60 - 4 * digit)) & 0xf) as u8;
        out[index + digit] = if nibble < 10 {
            b'0' + nibble
        } else {
            b'a' + nibble - 10
        };
        digit += 1;
    }
    out
}

const CSS_PREFIX: &[u8] = b"/static/app.css?v=";
const JS_PREFIX: &[u8] = b"/static/app.js?v=";
const CSS_URL: [u8; CSS_PREFIX.len() + 16] = versioned(CSS_PREFIX, CSS.as_bytes());
const JS_URL: [u8; JS_PREFIX.len() + 16] = versioned(JS_PREFIX, JS.as_bytes());

/// The stylesheet's versioned URL.
pub fn css_url() -> &'static str {
    // The buffer holds ASCII only, so this never falls back.
    std::str::from_utf8(&CSS_URL).unwrap_or("/static/app.css")
}

/// The script's versioned URL.
pub fn js_url() -> &'static str {
    std::str::from_utf8(&JS_URL).unwrap_or("/static/app.js")
}

/// The `/static/…` routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/app.css", get(stylesheet))
        .route("/static/app.js", get(script))
}

const CACHE: &str = "public, max-age=31536000, immutable";

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        CSS,
    )
}

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        JS,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_urls_carry_a_content_version() {
        assert!(css_url().starts_with("/static/app.css?v="));
        assert_eq!(css_url().len(), "/static/app.css?v=".len() + 16);
        assert!(js_url()[17..].chars().all(|c| c.is_ascii_hexdigit()));
    }
}
