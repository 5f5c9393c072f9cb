//! The browser for journeys: headless Chromium over WebDriver (fantoccini), with screenshots for
//! review.
//!
//! WebDriver comes from `FERMENT_TEST_WEBDRIVER` (chromedriver on 127.0.0.1) and the browser from
//! `FERMENT_TEST_CHROMIUM`. Without a WebDriver a journey says so and passes, unless
//! `FERMENT_REQUIRE_SERVICES=1` (the README's test command and CI), where it fails.

use std::time::Duration;

use anyhow::Context;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// How long a page may take to show what the journey waits for.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// The WebDriver's URL; `None` (the journey is left out) when not configured and not required.
pub fn webdriver_url() -> Option<String> {
    match std::env::var("FERMENT_TEST_WEBDRIVER") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("FERMENT_REQUIRE_SERVICES").as_deref() == Ok("1") => {
            panic!("FERMENT_TEST_WEBDRIVER is not set but FERMENT_REQUIRE_SERVICES=1")
        }
        _ => {
            eprintln!("note: FERMENT_TEST_WEBDRIVER is not set; the browser journey is left out");
            None
        }
    }
}

/// Opens a headless Chromium session with its own profile.
pub async fn open_browser(webdriver: &str) -> anyhow::Result<Client> {
    let profile = std::env::temp_dir().join(format!("ferment-chromium-{}", uuid::Uuid::new_v4()));
    let mut options = json!({
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--window-size=1280,1024",
            format!("--user-data-dir={}", profile.display()),
        ],
    });
    if let Ok(binary) = std::env::var("FERMENT_TEST_CHROMIUM")
        && !binary.is_empty()
    {
        options["binary"] = json!(binary);
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("browserName".into(), json!("chrome"));
    capabilities.insert("goog:chromeOptions".into(), options);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(webdriver)
        .await
        .context("starting a WebDriver session")
}

/// Saves a screenshot for review; a failure to write it does not fail the journey.
pub async fn screenshot(browser: &Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    if let Ok(png) = browser.screenshot().await {
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join(format!("{name}.png")), png);
    }
}

/// Waits (at most [`PATIENCE`]) for the element matching `css`.
pub async fn wait_for(
    browser: &Client,
    css: &str,
) -> anyhow::Result<fantoccini::elements::Element> {
    browser
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(css))
        .await
        .with_context(|| format!("waiting for {css}"))
}

/// Signs in on the login page the browser was sent to (switching it to Russian first) and waits
/// for `then`, an element of the page the sign-in leads back to.
pub async fn sign_in(browser: &Client, login: &str, then: &str) -> anyhow::Result<()> {
    wait_for(browser, "a[hreflang=ru]").await?.click().await?;
    wait_for(browser, "html[lang=ru] input[name=login]")
        .await?
        .send_keys(login)
        .await?;
    browser
        .find(Locator::Css("input[name=password]"))
        .await?
        .send_keys(super::PASSWORD)
        .await?;
    browser
        .find(Locator::Css("form button[type=submit]"))
        .await?
        .click()
        .await?;
    wait_for(browser, then).await?;
    Ok(())
}
