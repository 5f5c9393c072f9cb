//! The 1C integration in real headless Chromium over WebDriver: an administrator adds a connection
//! to a running 1C emulator, checks it, runs a sync and watches the run page reload itself until
//! «Успешно», finds a product that came from 1C, then sends a sale's order to 1C from the sale card
//! and sees it sent in the card's «1С» panel.
//!
//! Set-up and skipping rules are those of `browser.rs` (see [`common::browser`]).

mod common;

use std::time::Duration;

use anyhow::{Context, ensure};
use common::browser::{
    click_through, open_browser, screenshot, sign_in, wait_for, wait_for_text,
    wait_for_text_within, webdriver_url,
};
use fantoccini::{Client, Locator};
use ferment_onec_emulator::{Config, Handle, Profile};
use reqwest::Method;
use serde_json::{Value, json};

/// How long a sync (or an order's trip to 1C) may take to show as done.
const SYNC_PATIENCE: Duration = Duration::from_secs(120);

async fn fill(browser: &Client, css: &str, value: &str) -> anyhow::Result<()> {
    let input = wait_for(browser, css).await?;
    input.clear().await?;
    input.send_keys(value).await?;
    Ok(())
}

fn trimmed(value: &Value, field: &str) -> String {
    value[field].as_str().unwrap_or_default().trim().to_string()
}

/// A sale of a client and a product that both came from 1C, made through the API.
async fn seed_sale(
    app: &common::TestApp,
    onec: &Handle,
    product: &Value,
) -> anyhow::Result<String> {
    let mut reader = app.store.reader().await?;
    let (product_id, _) =
        ferment_store::products::find_by_code(&mut reader, &trimmed(product, "Code"), None)
            .await?
            .context("the 1C product in Ferment")?;
    let client = onec
        .list("Catalog_Контрагенты")
        .into_iter()
        .find(|c| {
            c["IsFolder"] != true && c["DeletionMark"] != true && !trimmed(c, "ИНН").is_empty()
        })
        .context("a 1C client")?;
    let kpp = trimmed(&client, "КПП");
    let (client_id, _) = ferment_store::counterparties::find_duplicate(
        &mut reader,
        &trimmed(&client, "ИНН"),
        (!kpp.is_empty()).then_some(kpp.as_str()),
        None,
    )
    .await?
    .context("the 1C client in Ferment")?;
    drop(reader);
    let (status, sale) = app
        .json(
            Method::POST,
            "/api/v1/sales",
            Some(json!({"counterparty_id": client_id, "title": "Заказ для 1С",
                        "lines": [{"product_id": product_id, "quantity": "40", "unit_price": "610"}]})),
        )
        .await;
    ensure!(status == 201, "sale: {sale}");
    Ok(sale["id"].as_str().unwrap_or_default().to_string())
}

async fn journey(browser: &Client, app: &common::TestApp, onec: &Handle) -> anyhow::Result<()> {
    let base = &app.base;
    browser.goto(&format!("{base}/admin/integrations")).await?;
    sign_in(browser, "admin", "#connection-form").await?;

    // The administrator adds the connection.
    fill(browser, "#f-name", "Торговля").await?;
    fill(browser, "#f-url", &onec.url()).await?;
    fill(browser, "#f-login", "odata").await?;
    fill(browser, "#f-password", "odata").await?;
    wait_for(browser, "#f-profile")
        .await?
        .select_by_value("ut11")
        .await?;
    screenshot(browser, "onec-add-connection").await;
    browser
        .find(Locator::Css("#save-connection"))
        .await?
        .click()
        .await?;

    // Checks it: everything the profile needs is published.
    wait_for(browser, "#test-connection").await?.click().await?;
    wait_for(browser, "#test-complete").await?;
    screenshot(browser, "onec-tested").await;

    // Runs a sync and watches the run page until it succeeds.
    wait_for(browser, "#start-sync").await?.click().await?;
    wait_for(browser, "#run-status").await?;
    wait_for_text_within(browser, "#run-status", "Успешно", false, SYNC_PATIENCE).await?;
    let counts = wait_for(browser, "#run-counts").await?.text().await?;
    ensure!(counts.contains("Номенклатура"), "counts: {counts}");
    screenshot(browser, "onec-run").await;

    // A product that came from 1C is in the list and opens.
    let product = onec
        .list("Catalog_Номенклатура")
        .into_iter()
        .find(|p| p["IsFolder"] != true && p["DeletionMark"] != true && p["Услуга"] != true)
        .context("a 1C product")?;
    let name = trimmed(&product, "Description");
    let mut search = reqwest::Url::parse(&format!("{base}/products"))?;
    search.query_pairs_mut().append_pair("q", &name);
    browser.goto(search.as_str()).await?;
    wait_for_text(browser, "table", &name).await?;
    browser
        .find(Locator::LinkText(&name))
        .await?
        .click()
        .await?;
    let heading = wait_for_text(browser, "h1", &name).await?;
    ensure!(heading.contains(&name), "product card: {heading}");

    // The order of a sale goes to 1C from the sale card.
    let sale_id = seed_sale(app, onec, &product).await?;
    browser.goto(&format!("{base}/sales/{sale_id}")).await?;
    wait_for(browser, "#send-order-form").await?;
    browser
        .find(Locator::Css("#order-post"))
        .await?
        .click()
        .await?;
    click_through(browser, "#send-order").await?;
    wait_for_text(browser, "[role=status]", "1С").await?;
    wait_for_text_within(browser, "#onec-outgoing", "Отправлен", true, SYNC_PATIENCE).await?;
    screenshot(browser, "onec-sale-panel").await;
    Ok(())
}

#[tokio::test]
async fn an_administrator_connects_1c_syncs_and_sends_an_order_from_a_sale() {
    let Some(webdriver) = webdriver_url() else {
        return;
    };
    let app = common::spawn(&ferment_store::testing::sqlite()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("port");
    let onec = ferment_onec_emulator::start(Config::new(Profile::Ut11), listener)
        .await
        .expect("emulator");
    let browser = open_browser(&webdriver).await.expect("a browser");
    let outcome = journey(&browser, &app, &onec).await;
    if outcome.is_err() {
        screenshot(&browser, "onec-failure").await;
    }
    let closed = browser.close().await;
    onec.shutdown().await;
    outcome.expect("the 1C journey");
    closed.expect("closing the browser");
}
