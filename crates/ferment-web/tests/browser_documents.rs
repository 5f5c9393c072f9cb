//! Documents in real headless Chromium over WebDriver: open a sale, generate its commercial
//! proposal with one click, download it (with the browser's session) and read it with pdftotext,
//! change the template's heading in the editor, regenerate, and see the new heading in the new
//! version — with the proposal's number kept.
//!
//! Set-up and skipping rules are those of `browser.rs` (see [`common::browser`]).

mod common;

use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use common::browser::{
    PATIENCE, click_through, open_browser, screenshot, sign_in, wait_for, wait_for_text,
    webdriver_url,
};
use common::tools::{pdf_text, squeeze};
use fantoccini::{Client, Locator};
use reqwest::Method;
use serde_json::{Value, json};

/// A client, a product and a sale with one line, created through the API. Returns the sale's id.
async fn seed(app: &common::TestApp) -> String {
    let post = |path: &'static str, body: Value| async move {
        let (status, answer) = app.json(Method::POST, path, Some(body)).await;
        assert_eq!(status, 201, "{path}: {answer}");
        answer
    };
    let client = post(
        "/api/v1/counterparties",
        json!({"name": "Хлебозавод «Колос»", "inn": "5003052454", "kpp": "500301001"}),
    )
    .await;
    let product = post(
        "/api/v1/products",
        json!({"code": "EM-1", "name": "Эмульгатор Е-471", "unit": "kg", "vat_rate": "20", "price": "540"}),
    )
    .await;
    let sale = post(
        "/api/v1/sales",
        json!({"counterparty_id": client["id"], "title": "Эмульгатор для батона",
               "lines": [{"product_id": product["id"], "quantity": "300", "unit_price": "540", "vat_rate": "20"}]}),
    )
    .await;
    sale["id"].as_str().unwrap().to_string()
}

/// Downloads a link of the page with the browser's session cookie.
async fn download(browser: &Client, base: &str, href: &str) -> anyhow::Result<Vec<u8>> {
    let cookie = browser
        .get_named_cookie("ferment_session")
        .await
        .context("the session cookie")?;
    let url = if href.starts_with("http") {
        href.to_string()
    } else {
        format!("{base}{href}")
    };
    let response = reqwest::Client::new()
        .get(url)
        .header("cookie", format!("ferment_session={}", cookie.value()))
        .send()
        .await?;
    ensure!(
        response.status() == 200,
        "download answered {}",
        response.status()
    );
    ensure!(
        response.headers()["content-type"] == "application/pdf",
        "not a PDF"
    );
    Ok(response.bytes().await?.to_vec())
}

/// The newest row of the card's document list: its text, number, version and download link.
async fn newest_document(browser: &Client) -> anyhow::Result<(String, String, i64, String)> {
    let row = browser
        .find(Locator::Css("#document-list tbody tr:first-child"))
        .await?;
    let text = row.text().await?;
    let cells = row.find_all(Locator::Css("td")).await?;
    ensure!(cells.len() > 2, "row: {text}");
    let number = cells[1].find(Locator::Css(".mono")).await?.text().await?;
    let version: i64 = cells[2].text().await?.trim().parse()?;
    let href = row
        .find(Locator::Css("a.download"))
        .await?
        .attr("href")
        .await?
        .context("a download link")?;
    Ok((text, number, version, href))
}

/// Generates the commercial proposal from the card and returns the newest row's download link
/// and number, once that row shows `version`.
///
/// Until the answer to the click is shown, the old card (with the previous version's row) may
/// still be there, or be replaced while it is read: both mean "not yet".
async fn generate_kp(browser: &Client, version: i64) -> anyhow::Result<(String, String)> {
    wait_for(browser, "#generate-form select[name=kind]")
        .await?
        .select_by_value("kp")
        .await?;
    click_through(browser, "#generate-pdf").await?;
    let started = Instant::now();
    let mut last = None;
    while started.elapsed() < PATIENCE {
        match newest_document(browser).await {
            Ok((text, number, shown, href)) if shown == version => {
                ensure!(text.contains("Коммерческое предложение"), "row: {text}");
                return Ok((href, number));
            }
            seen => last = Some(seen.map(|(text, ..)| text)),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bail!("the document list never showed version {version}; last: {last:?}")
}

async fn journey(browser: &Client, base: &str, sale_id: &str) -> anyhow::Result<()> {
    browser.goto(&format!("{base}/sales/{sale_id}")).await?;
    sign_in(browser, "admin", "#documents").await?;

    // One click: the proposal is generated, listed and downloadable.
    let (href, number) = generate_kp(browser, 1).await?;
    wait_for_text(browser, "[role=status]", "Документ сформирован").await?;
    screenshot(browser, "documents-sale-card").await;
    let pdf = download(browser, base, &href).await?;
    if let Some(text) = pdf_text(&pdf) {
        let text = squeeze(&text);
        ensure!(
            text.contains(&format!("Коммерческое предложение № {number}")),
            "the shipped heading: {text}"
        );
        ensure!(text.contains("Эмульгатор Е-471"), "the line: {text}");
    }

    // The administrator changes the heading in the template editor.
    browser.goto(&format!("{base}/admin/documents")).await?;
    wait_for(browser, "a[data-edit-text=kp]")
        .await?
        .click()
        .await?;
    wait_for(browser, "#f-source").await?;
    let replaced: bool = browser
        .execute(
            "var s = document.getElementById('f-source'); var before = s.value; \
             s.value = before.replace('[Коммерческое предложение №', '[Предложение для партнёров №'); \
             return s.value !== before;",
            vec![],
        )
        .await?
        .as_bool()
        .unwrap_or(false);
    ensure!(replaced, "the heading is in the shipped template");
    screenshot(browser, "documents-template-editor").await;
    click_through(browser, "#check-template").await?;
    wait_for(browser, "#template-valid").await?;
    click_through(browser, "#save-template").await?;
    wait_for_text(browser, "[role=status]", "сохранены").await?;
    wait_for_text(browser, "#versions", "2").await?;

    // Regenerated: a new version with the same number and the new heading.
    browser.goto(&format!("{base}/sales/{sale_id}")).await?;
    let (href, again) = generate_kp(browser, 2).await?;
    ensure!(again == number, "the number is kept: {again} vs {number}");
    let pdf = download(browser, base, &href).await?;
    if let Some(text) = pdf_text(&pdf) {
        let text = squeeze(&text);
        ensure!(
            text.contains(&format!("Предложение для партнёров № {number}")),
            "the new heading: {text}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_proposal_is_generated_downloaded_and_regenerated_after_its_template_changes() {
    let Some(webdriver) = webdriver_url() else {
        return;
    };
    let app = common::spawn(&ferment_store::testing::sqlite()).await;
    let sale_id = seed(&app).await;
    let browser = open_browser(&webdriver).await.expect("a browser");
    let outcome = journey(&browser, &app.base, &sale_id).await;
    if outcome.is_err() {
        screenshot(&browser, "documents-failure").await;
    }
    let closed = browser.close().await;
    outcome.expect("the documents journey");
    closed.expect("closing the browser");
}
