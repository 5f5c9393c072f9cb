//! A sale from the first call to the won deal, in real headless Chromium over WebDriver: sign in,
//! create the sale through its form (finding the client with the form's search), enter the
//! preliminary proposal, answer «short» in its decision dialog, enter the proposal stage and complete
//! its chain of tasks, accept the proposal, take the proposed move into the contract with a contract
//! kind, wait for the order and close the sale as won — checking at each step what the user sees.
//! The pages of the sales work are photographed for review on the way.
//!
//! Set-up and skipping rules are those of `browser.rs` (see [`common::browser`]).

mod common;

use anyhow::{Context, ensure};
use common::browser::{click_through, open_browser, screenshot, sign_in, wait_for, webdriver_url};
use fantoccini::{Client, Locator};
use reqwest::Method;
use serde_json::json;

/// A client and a product, created through the API.
async fn seed(app: &common::TestApp) -> String {
    let (status, client) = app
        .json(
            Method::POST,
            "/api/v1/counterparties",
            Some(json!({"name": "Молочный комбинат «Заря»", "inn": "7707083893", "kpp": "773601001"})),
        )
        .await;
    assert_eq!(status, 201, "seeding the client: {client}");
    let (status, product) = app
        .json(
            Method::POST,
            "/api/v1/products",
            Some(
                json!({"code": "ST-001", "name": "Стабилизатор Э-1", "unit": "kg",
                "vat_rate": "22", "price": "1220", "needs_sample": false}),
            ),
        )
        .await;
    assert_eq!(status, 201, "seeding the product: {product}");
    product["id"].as_str().unwrap_or_default().to_string()
}

/// The text of the element matching `css`.
async fn text_of(browser: &Client, css: &str) -> anyhow::Result<String> {
    Ok(wait_for(browser, css).await?.text().await?)
}

/// Chooses `value` in the select matching `css`.
async fn choose(browser: &Client, css: &str, value: &str) -> anyhow::Result<()> {
    wait_for(browser, css)
        .await?
        .select_by_value(value)
        .await
        .with_context(|| format!("choosing {value} in {css}"))
}

/// Moves the sale with the card's stage form and waits until the bar shows it there.
async fn move_to(browser: &Client, stage: &str) -> anyhow::Result<()> {
    choose(browser, "#move-form select[name=stage]", stage).await?;
    click_through(browser, "#move-submit").await?;
    wait_for(
        browser,
        &format!("#stage-bar li[data-stage={stage}][data-mark=current]"),
    )
    .await?;
    Ok(())
}

/// Completes the open task of `kind` on the card (choosing `outcome` when it has outcomes) and
/// waits for the card to come back.
async fn complete(browser: &Client, kind: &str, outcome: Option<&str>) -> anyhow::Result<()> {
    let item = format!("#open-tasks li[data-task={kind}]");
    wait_for(browser, &item).await?;
    if let Some(outcome) = outcome {
        choose(browser, &format!("{item} select[name=outcome]"), outcome).await?;
    }
    click_through(browser, &format!("{item} .complete-button")).await?;
    wait_for(browser, "p.alert-success").await?;
    ensure!(
        browser.find(Locator::Css(&item)).await.is_err(),
        "{kind} is no longer open"
    );
    Ok(())
}

async fn journey(browser: &Client, base: &str, product_id: &str) -> anyhow::Result<()> {
    // Sign in from the board: the login page brings the user back to it.
    browser.goto(&format!("{base}/sales")).await?;
    sign_in(browser, "admin", "#board").await?;
    let nav = text_of(browser, "nav.nav").await?;
    ensure!(
        nav.starts_with("Мои задачи") && nav.contains("Продажи") && nav.contains("Лиды"),
        "the sales work comes first in the navigation: {nav}"
    );

    // The sale form: find the client by a word of its name, choose the product, type a quantity.
    wait_for(browser, "#new-sale").await?.click().await?;
    wait_for(browser, "input[name=title]")
        .await?
        .send_keys("Стабилизатор для йогурта, 2027")
        .await?;
    browser
        .find(Locator::Css("input[name=counterparty_q]"))
        .await?
        .send_keys("заря")
        .await?;
    browser
        .find(Locator::Css("button[name=_find]"))
        .await?
        .click()
        .await?;
    wait_for(browser, "input[name=counterparty_q][value='заря']").await?;
    let options = browser
        .find_all(Locator::Css("select[name=counterparty_id] option"))
        .await?;
    let mut client_id = String::new();
    for option in options {
        if option.text().await?.contains("Заря") {
            client_id = option.attr("value").await?.unwrap_or_default();
        }
    }
    ensure!(!client_id.is_empty(), "the search finds the client");
    choose(browser, "select[name=counterparty_id]", &client_id).await?;
    ensure!(
        browser
            .find(Locator::Css("input[name=title]"))
            .await?
            .prop("value")
            .await?
            .as_deref()
            == Some("Стабилизатор для йогурта, 2027"),
        "the title survives the search"
    );
    choose(browser, "select[name='lines[0].product_id']", product_id).await?;
    browser
        .find(Locator::Css("input[name='lines[0].quantity']"))
        .await?
        .send_keys("10")
        .await?;
    screenshot(browser, "sale-form").await;
    browser.find(Locator::Css("#save")).await?.click().await?;

    // The card: at qualification, the sum with VAT in roubles.
    wait_for(
        browser,
        "#stage-bar li[data-stage=qualification][data-mark=current]",
    )
    .await?;
    let heading = text_of(browser, "h1").await?;
    ensure!(
        heading.contains("Стабилизатор для йогурта, 2027") && heading.contains("Квалификация"),
        "the card's heading: {heading}"
    );
    let total = text_of(browser, "#total").await?;
    ensure!(total == "12 200,00 ₽", "10 kg × 1 220,00 ₽: {total}");

    // The preliminary proposal: its task asks «full or short?».
    move_to(browser, "preliminary_kp").await?;
    let question = text_of(
        browser,
        "#open-tasks li[data-task=send_preliminary_kp] dialog.decision",
    )
    .await?;
    ensure!(
        question.contains("Полный или короткий процесс?")
            && question.contains("Полный процесс")
            && question.contains("Короткий процесс"),
        "the decision: {question}"
    );
    screenshot(browser, "sale-decision").await;
    browser
        .find(Locator::Css("dialog.decision button[data-outcome=short]"))
        .await?
        .click()
        .await?;
    wait_for(
        browser,
        "#stage-bar li[data-stage=recipe][data-mark=not_in_type]",
    )
    .await?;
    let facts = text_of(browser, "#sale-facts").await?;
    ensure!(
        facts.contains("Короткий"),
        "the process type is shown: {facts}"
    );

    // The proposal stage and its chain of tasks.
    move_to(browser, "kp").await?;
    complete(browser, "check_delivery_terms", None).await?;
    complete(browser, "prepare_kp", None).await?;
    complete(browser, "send_kp", None).await?;
    complete(browser, "get_kp_feedback", Some("accepted")).await?;

    // Accepted: the card proposes the contract; take it with a contract kind.
    let suggestion = text_of(browser, "#suggestion").await?;
    ensure!(
        suggestion.contains("«Договор»"),
        "the contract is proposed: {suggestion}"
    );
    screenshot(browser, "sale-suggestion").await;
    choose(
        browser,
        "#suggest-contract_kind",
        "contract_and_specification",
    )
    .await?;
    click_through(browser, "#accept-suggestion").await?;
    wait_for(
        browser,
        "#stage-bar li[data-stage=contract][data-mark=current]",
    )
    .await?;
    let contract = text_of(browser, "#contract").await?;
    ensure!(
        contract.contains("Договор + спецификация") && contract.contains("Стабилизатор Э-1"),
        "the contract is drawn from the sale: {contract}"
    );
    screenshot(browser, "sale-contract").await;

    // Awaiting the order, then won.
    move_to(browser, "awaiting_order").await?;
    wait_for(browser, "#order").await?;
    choose(browser, "#move-form select[name=stage]", "won").await?;
    click_through(browser, "#move-submit").await?;
    let stage = text_of(browser, "#sale-stage").await?;
    ensure!(stage == "Успешно", "the sale is won: {stage}");
    ensure!(
        browser.find(Locator::Css("#move-form")).await.is_err(),
        "a closed sale moves no more"
    );
    let timeline = text_of(browser, "#timeline").await?;
    ensure!(
        timeline.contains("Сделка закрыта: успешно")
            && timeline.contains("Выполнена задача «Получить ответ по КП»: Принято"),
        "the timeline tells the story: {timeline}"
    );
    screenshot(browser, "sale-won").await;
    Ok(())
}

/// Pictures of the other sales pages, for review only: nothing here is checked.
async fn tour(browser: &Client, base: &str) {
    for (path, name, ready) in [
        ("/sales", "sales-board", "#board"),
        ("/sales?view=list", "sales-list", "table#sales"),
        ("/tasks", "my-tasks", "h1"),
        ("/leads", "leads-list", "table#leads"),
        ("/leads/new", "lead-form", "form"),
        ("/admin/process", "process-editor", "#process-picture"),
    ] {
        if browser.goto(&format!("{base}{path}")).await.is_ok()
            && wait_for(browser, ready).await.is_ok()
        {
            screenshot(browser, name).await;
        }
    }
}

#[tokio::test]
async fn a_sale_runs_from_qualification_to_won_through_the_pages() {
    let Some(webdriver) = webdriver_url() else {
        return;
    };
    let app = common::spawn(&ferment_store::testing::sqlite()).await;
    let product_id = seed(&app).await;
    let browser = open_browser(&webdriver).await.expect("a browser");
    let outcome = journey(&browser, &app.base, &product_id).await;
    if outcome.is_err() {
        screenshot(&browser, "sales-failure").await;
    } else {
        tour(&browser, &app.base).await;
    }
    let closed = browser.close().await;
    outcome.expect("the sales journey");
    closed.expect("closing the browser");
}
