//! The browser for journeys: headless Chromium over WebDriver (fantoccini), with screenshots for
//! review.
//!
//! WebDriver comes from `FERMENT_TEST_WEBDRIVER` (chromedriver on 127.0.0.1) and the browser from
//! `FERMENT_TEST_CHROMIUM`. Without a WebDriver a journey says so and passes, unless
//! `FERMENT_REQUIRE_SERVICES=1` (the README's test command and CI), where it fails.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
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

/// Clicks the element matching `css` (a button that submits a form, a link) and waits until the
/// browser shows the page that answers.
///
/// The old page is marked before the click, so nothing on it can be taken for the answer: an
/// element that matches on both pages would otherwise be found on the old one and go stale.
pub async fn click_through(browser: &Client, css: &str) -> anyhow::Result<()> {
    browser
        .execute(
            "document.documentElement.setAttribute('data-left', '');",
            vec![],
        )
        .await?;
    browser
        .find(Locator::Css(css))
        .await
        .with_context(|| format!("finding {css}"))?
        .click()
        .await?;
    browser
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css("html:not([data-left])"))
        .await
        .with_context(|| format!("waiting for the page that answers {css}"))?;
    Ok(())
}

/// Waits (at most `within`) until an element matching `css` says `text`, and returns what it
/// says. With `reload` the page is reloaded between looks, as a page that refreshes itself does.
///
/// Made for what follows a click that submits a form: the old page may still be shown, with an
/// element that matches but says something else, and it is replaced under the journey's hands
/// (a stale element). Both only mean "not yet": the element is looked up again.
pub async fn wait_for_text_within(
    browser: &Client,
    css: &str,
    text: &str,
    reload: bool,
    within: Duration,
) -> anyhow::Result<String> {
    let started = Instant::now();
    let mut last = Vec::new();
    while started.elapsed() < within {
        if let Ok(elements) = browser.find_all(Locator::Css(css)).await {
            last.clear();
            for element in elements {
                if let Ok(shown) = element.text().await {
                    if shown.contains(text) {
                        return Ok(shown);
                    }
                    last.push(shown);
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        if reload {
            browser.refresh().await?;
        }
    }
    bail!("{css} never said {text:?}; last seen: {last:?}")
}

/// [`wait_for_text_within`] without reloading, at most [`PATIENCE`].
pub async fn wait_for_text(browser: &Client, css: &str, text: &str) -> anyhow::Result<String> {
    wait_for_text_within(browser, css, text, false, PATIENCE).await
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
