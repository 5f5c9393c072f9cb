//! The sales process through its pages, as a browser without JavaScript uses them
//! ([`common::pages::Browser`]): the board and the list, the sale form and its messages, the card's
//! stage bar, stage moves and task completion (the «full or short» decision included), leads and
//! their conversion, and the process editor. Every test runs on SQLite and, when configured, on
//! PostgreSQL.

mod common;

use common::pages::{Browser, Page};
use common::{TestApp, spawn_apps};
use reqwest::Method;
use serde_json::{Value, json};

/// A client and a product, created through the API as any integration would.
struct World {
    counterparty_id: String,
    product_id: String,
}

async fn post_json(app: &TestApp, path: &str, body: Value) -> Value {
    let (status, answer) = app.json(Method::POST, path, Some(body)).await;
    assert_eq!(status, 201, "{} POST {path}: {answer}", app.label);
    answer
}

async fn world(app: &TestApp) -> World {
    let client = post_json(
        app,
        "/api/v1/counterparties",
        json!({"kind": "legal_entity", "name": "Молочный комбинат «Заря»", "inn": "7707083893", "kpp": "773601001"}),
    )
    .await;
    let product = post_json(
        app,
        "/api/v1/products",
        json!({"code": "ST-001", "name": "Стабилизатор Э-1", "unit": "kg", "vat_rate": "22",
            "price": "1220", "needs_sample": false}),
    )
    .await;
    World {
        counterparty_id: client["id"].as_str().unwrap().to_string(),
        product_id: product["id"].as_str().unwrap().to_string(),
    }
}

/// The sale form as a user fills it in: one line in the first row, the other rows left blank.
fn sale_form<'a>(
    csrf: &'a str,
    title: &'a str,
    world: &'a World,
    quantity: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("_csrf", csrf),
        ("title", title),
        ("counterparty_id", &world.counterparty_id),
        ("contact_id", ""),
        ("expected_close_date", "26.11.2026"),
        ("lines[0].product_id", &world.product_id),
        ("lines[0].quantity", quantity),
        ("lines[0].unit_price", "1234,5"),
        ("lines[0].vat_rate", ""),
        ("lines[0].needs_sample", ""),
        ("lines[1].product_id", ""),
        ("lines[1].quantity", ""),
        ("lines[1].unit_price", ""),
    ]
}

/// The id in a location such as `/sales/<id>?done=created`.
fn id_in(location: &str, prefix: &str) -> String {
    location
        .strip_prefix(prefix)
        .and_then(|rest| rest.split(['?', '/', '#']).next())
        .unwrap_or_else(|| panic!("{location} is not under {prefix}"))
        .to_string()
}

/// Creates a sale through the form; returns its id.
async fn create_sale(browser: &Browser<'_>, world: &World, title: &str) -> String {
    let form = browser.get("/sales/new").await;
    assert_eq!(form.status, 200);
    let csrf = form.csrf();
    let created = browser
        .post("/sales/new", &sale_form(&csrf, title, world, "10"))
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    assert!(created.location.ends_with("?done=created"));
    id_in(&created.location, "/sales/")
}

/// The part of `body` from `start` to the next `end` after it.
fn slice<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let from = body
        .find(start)
        .unwrap_or_else(|| panic!("{start} is not on the page"));
    let to = body[from..].find(end).map_or(body.len(), |n| from + n);
    &body[from..to]
}

/// The ids of the open tasks of kind `kind` on a sale card.
fn open_tasks(card: &Page, kind: &str) -> Vec<String> {
    let marker = format!("data-task=\"{kind}\" id=\"task-");
    card.body
        .match_indices(&marker)
        .map(|(at, m)| card.body[at + m.len()..at + m.len() + 36].to_string())
        .collect()
}

/// Completes the only open task of `kind` on the sale's card with `outcome`; returns the redirect.
async fn complete(browser: &Browser<'_>, sale: &str, kind: &str, outcome: &str) -> Page {
    let card = browser.get(&format!("/sales/{sale}")).await;
    let ids = open_tasks(&card, kind);
    assert_eq!(ids.len(), 1, "one open {kind}: {ids:?}");
    let back = format!("/sales/{sale}");
    let done = browser
        .post(
            &format!("/tasks/{}/complete", ids[0]),
            &[
                ("_csrf", &card.csrf()),
                ("outcome", outcome),
                ("comment", ""),
                ("back", &back),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "completing {kind}: {}", done.body);
    done
}

/// Moves the sale with the card's stage form.
async fn move_to(browser: &Browser<'_>, sale: &str, form: &[(&str, &str)]) -> Page {
    let card = browser.get(&format!("/sales/{sale}")).await;
    let csrf = card.csrf();
    let mut fields = vec![("_csrf", csrf.as_str())];
    fields.extend_from_slice(form);
    browser.post(&format!("/sales/{sale}/stage"), &fields).await
}

#[tokio::test]
async fn the_board_shows_a_new_sale_in_its_column_with_the_sum_in_roubles() {
    for app in spawn_apps().await {
        let world = world(&app).await;
        let browser = Browser::new(&app);
        browser.sign_in().await;
        let id = create_sale(&browser, &world, "Стабилизация йогурта 2027").await;

        let board = browser.get("/sales").await;
        assert_eq!(board.status, 200, "{}", app.label);
        let column = slice(&board.body, "data-stage=\"qualification\"", "</section>");
        assert!(column.contains("Квалификация"), "{column}");
        assert!(column.contains("Стабилизация йогурта 2027"), "{column}");
        assert!(column.contains(&format!("href=\"/sales/{id}\"")));
        assert!(column.contains("Молочный комбинат «Заря»"));
        // 10 kg × 1 234,50 ₽ = 12 345,00 ₽, VAT included.
        assert!(
            column.contains("12\u{a0}345,00\u{a0}₽"),
            "the column's sum: {column}"
        );
        assert!(column.contains("<span class=\"badge\" data-count>1</span>"));
        let other = slice(&board.body, "data-stage=\"kp\"", "</section>");
        assert!(!other.contains("Стабилизация йогурта 2027"));

        let list = browser.get("/sales?view=list&stage=qualification").await;
        assert!(
            list.body.contains("Стабилизация йогурта 2027"),
            "{}",
            app.label
        );
        let closed = browser.get("/sales?view=list&state=closed").await;
        assert!(!closed.body.contains("Стабилизация йогурта 2027"));
        let wrong = browser.get("/sales?view=list&stage=nowhere").await;
        assert!(wrong.body.contains("id=\"list-problems\""));
        let mine = browser.get("/sales?mine=1").await;
        assert!(mine.body.contains("Стабилизация йогурта 2027"));
    }
}

#[tokio::test]
async fn a_wrong_sale_form_is_shown_again_with_each_message_beside_its_field() {
    for app in spawn_apps().await {
        let world = world(&app).await;
        let browser = Browser::new(&app);
        browser.sign_in().await;
        let csrf = browser.get("/sales/new").await.csrf();
        // The title is missing; the line is typed in the second row, its quantity is not a number.
        let refused = browser
            .post(
                "/sales/new",
                &[
                    ("_csrf", csrf.as_str()),
                    ("title", ""),
                    ("counterparty_id", world.counterparty_id.as_str()),
                    ("lines[0].product_id", ""),
                    ("lines[0].quantity", ""),
                    ("lines[1].product_id", world.product_id.as_str()),
                    ("lines[1].quantity", "десять"),
                ],
            )
            .await;
        assert_eq!(refused.status, 422, "{}", app.label);
        assert!(refused.element("error-title").is_some(), "beside the title");
        let quantity = refused
            .element("error-lines[1].quantity")
            .expect("a message beside the second row's quantity");
        assert!(!quantity.is_empty());
        assert!(
            refused.element("error-lines[0].quantity").is_none(),
            "the blank row is not blamed"
        );
        assert!(
            refused.body.contains("value=\"десять\""),
            "the typed value is kept"
        );
        let (_, sales) = app.json(Method::GET, "/api/v1/sales", None).await;
        assert_eq!(
            sales["items"].as_array().map_or(0, Vec::len),
            0,
            "nothing was written: {sales}"
        );

        // The stage form: losing needs a reason, and a stage the process does not allow is named.
        let id = create_sale(&browser, &world, "Без причины").await;
        let lost = move_to(&browser, &id, &[("stage", "lost"), ("reason", "")]).await;
        assert_eq!(lost.status, 422, "{}", app.label);
        assert!(lost.element("error-reason").is_some(), "{}", lost.body);
        let far = move_to(&browser, &id, &[("stage", "awaiting_order")]).await;
        assert!(far.status == 409 || far.status == 422, "{}", far.status);
        assert!(
            far.element("error-stage").is_some() || far.element("error-process_type").is_some()
        );
    }
}

#[tokio::test]
async fn the_card_moves_through_the_stages_and_the_decision_sets_the_process_type() {
    for app in spawn_apps().await {
        let world = world(&app).await;
        let browser = Browser::new(&app);
        browser.sign_in().await;
        let id = create_sale(&browser, &world, "Пектин для джема").await;

        let card = browser.get(&format!("/sales/{id}")).await;
        assert_eq!(card.status, 200, "{}", app.label);
        let bar = slice(&card.body, "id=\"stage-bar\"", "</ol>");
        assert!(bar.contains("data-stage=\"qualification\" data-mark=\"current\""));
        assert!(bar.contains("data-stage=\"kp\" data-mark=\"ahead\""));
        assert!(card.body.contains("id=\"move-form\""));
        assert!(card.body.contains("<option value=\"preliminary_kp\""));
        assert!(card.body.contains("Открытых задач нет"));
        assert!(card.body.contains("В том числе НДС"));
        // VAT inside 12 345,00 ₽ at 22 %: 12 345,00 × 22 / 122 = 2 226,15 ₽.
        assert_eq!(
            card.element("total-vat").as_deref(),
            Some("2\u{a0}226,15\u{a0}₽")
        );

        // Enter the preliminary proposal: its task appears, asked as a decision.
        let moved = move_to(&browser, &id, &[("stage", "preliminary_kp")]).await;
        assert_eq!(moved.status, 303, "{}", moved.body);
        let card = browser.get(&moved.location).await;
        assert!(card.body.contains("Сделка переведена на новый этап"));
        let bar = slice(&card.body, "id=\"stage-bar\"", "</ol>");
        assert!(bar.contains("data-stage=\"qualification\" data-mark=\"entered\""));
        assert!(bar.contains("data-stage=\"preliminary_kp\" data-mark=\"current\""));
        assert_eq!(open_tasks(&card, "send_preliminary_kp").len(), 1);
        let dialog = slice(&card.body, "<dialog open class=\"decision\"", "</dialog>");
        assert!(dialog.contains("Полный или короткий процесс?"));
        assert!(dialog.contains("name=\"outcome\" value=\"full\""));
        assert!(dialog.contains("name=\"outcome\" value=\"short\""));
        let timeline = slice(&card.body, "id=\"timeline\"", "</section>");
        assert!(
            timeline.contains("Начат этап «Предварительное КП»"),
            "{timeline}"
        );

        // The task's own page asks the same question.
        let task_id = open_tasks(&card, "send_preliminary_kp").remove(0);
        let task_page = browser.get(&format!("/tasks/{task_id}/complete")).await;
        assert_eq!(task_page.status, 200);
        assert!(task_page.body.contains("Полный или короткий процесс?"));

        // Choose the short process.
        let done = complete(&browser, &id, "send_preliminary_kp", "short").await;
        assert_eq!(done.location, format!("/sales/{id}?done=completed"));
        let card = browser.get(&done.location).await;
        let facts = slice(&card.body, "id=\"sale-facts\"", "</section>");
        assert!(facts.contains("Короткий"), "{facts}");
        let bar = slice(&card.body, "id=\"stage-bar\"", "</ol>");
        assert!(bar.contains("data-stage=\"recipe\" data-mark=\"not_in_type\""));
        let (_, sale) = app
            .json(Method::GET, &format!("/api/v1/sales/{id}"), None)
            .await;
        assert_eq!(sale["process_type"], "short", "{sale}");

        // Into the proposal stage; its first task is set.
        let moved = move_to(&browser, &id, &[("stage", "kp")]).await;
        assert_eq!(moved.status, 303, "{}", moved.body);
        let card = browser.get(&moved.location).await;
        assert_eq!(open_tasks(&card, "check_delivery_terms").len(), 1);

        // The proposal chain; the client's acceptance proposes the contract.
        complete(&browser, &id, "check_delivery_terms", "").await;
        complete(&browser, &id, "prepare_kp", "").await;
        complete(&browser, &id, "send_kp", "").await;
        let accepted = complete(&browser, &id, "get_kp_feedback", "accepted").await;
        assert!(
            accepted.location.contains("suggest=contract"),
            "{}",
            accepted.location
        );
        let card = browser.get(&accepted.location).await;
        let suggestion = slice(&card.body, "id=\"suggestion\"", "</section>");
        assert!(suggestion.contains("«Договор»"), "{suggestion}");
        assert!(suggestion.contains("name=\"contract_kind\""));

        // Costs and margin are on the card of a user who may see them.
        let costs = browser
            .post(
                &format!("/sales/{id}/costs"),
                &[
                    ("_csrf", &card.csrf()),
                    ("cost.category", "samples"),
                    ("cost.amount", "1220"),
                    ("cost.vat_rate", "22"),
                ],
            )
            .await;
        assert_eq!(costs.status, 303, "{}", costs.body);
        let card = browser.get(&format!("/sales/{id}")).await;
        let margin = slice(&card.body, "id=\"margin\"", "</div>");
        assert!(
            margin.contains("1\u{a0}000,00\u{a0}₽"),
            "costs net: {margin}"
        );
        let refused = browser
            .post(
                &format!("/sales/{id}/costs"),
                &[("_csrf", &card.csrf()), ("cost.amount", "много")],
            )
            .await;
        assert_eq!(refused.status, 422);
        assert!(refused.element("error-cost.amount").is_some());
        assert!(refused.element("error-cost.category").is_some());
    }
}

#[tokio::test]
async fn in_the_full_process_an_optional_stage_ahead_can_be_skipped() {
    for app in spawn_apps().await {
        let world = world(&app).await;
        let browser = Browser::new(&app);
        browser.sign_in().await;
        let id = create_sale(&browser, &world, "Полный цикл").await;
        move_to(&browser, &id, &[("stage", "preliminary_kp")]).await;
        complete(&browser, &id, "send_preliminary_kp", "full").await;
        let card = browser.get(&format!("/sales/{id}")).await;
        let skips = slice(&card.body, "id=\"skips\"", "</div>");
        assert!(
            skips.contains("data-skip=\"recipe\""),
            "{}: {skips}",
            app.label
        );
        assert!(skips.contains("Пропустить «Выбор рецептуры»"));
        let skipped = move_to(&browser, &id, &[("stage", "recipe"), ("skip", "true")]).await;
        assert_eq!(skipped.status, 303, "{}", skipped.body);
        assert!(skipped.location.ends_with("done=skipped"));
        let card = browser.get(&skipped.location).await;
        let bar = slice(&card.body, "id=\"stage-bar\"", "</ol>");
        assert!(
            bar.contains("data-stage=\"recipe\" data-mark=\"skipped\""),
            "{bar}"
        );
        assert!(bar.contains("data-stage=\"preliminary_kp\" data-mark=\"current\""));
        let timeline = slice(&card.body, "id=\"timeline\"", "</section>");
        assert!(timeline.contains("Пропущен этап «Выбор рецептуры»"));
        // The recipe task would ask for a recipe: entering samples instead sets no recipe task.
        let moved = move_to(&browser, &id, &[("stage", "samples")]).await;
        assert_eq!(moved.status, 303, "{}", moved.body);
    }
}

#[tokio::test]
async fn a_lead_is_listed_refuses_a_disqualification_without_reason_and_converts_into_a_sale() {
    for app in spawn_apps().await {
        let browser = Browser::new(&app);
        browser.sign_in().await;
        let form = browser.get("/leads/new").await;
        assert_eq!(form.status, 200, "{}", app.label);
        let csrf = form.csrf();
        let refused = browser
            .post(
                "/leads/new",
                &[
                    ("_csrf", csrf.as_str()),
                    ("company_name", ""),
                    ("email", "not-an-address"),
                ],
            )
            .await;
        assert_eq!(refused.status, 422);
        assert!(refused.element("error-company_name").is_some());
        assert!(refused.element("error-email").is_some());

        let created = browser
            .post(
                "/leads/new",
                &[
                    ("_csrf", csrf.as_str()),
                    ("company_name", "ООО «Молочная долина»"),
                    ("contact_name", "Иванова Мария"),
                    ("email", "m.ivanova@dolina.example"),
                    ("need", "Стабилизатор для питьевого йогурта"),
                    ("status", "new"),
                ],
            )
            .await;
        assert_eq!(created.status, 303, "{}", created.body);
        let lead = id_in(&created.location, "/leads/");
        let list = browser.get("/leads").await;
        assert!(list.body.contains("ООО «Молочная долина»"));
        let filtered = browser.get("/leads?status=disqualified").await;
        assert!(!filtered.body.contains("ООО «Молочная долина»"));

        let card = browser.get(&format!("/leads/{lead}")).await;
        let no_reason = browser
            .post(
                &format!("/leads/{lead}/disqualify"),
                &[
                    ("_csrf", card.csrf().as_str()),
                    ("version", "1"),
                    ("disqualify_reason", ""),
                ],
            )
            .await;
        assert_eq!(no_reason.status, 422, "{}", app.label);
        assert!(no_reason.element("error-disqualify_reason").is_some());

        let converted = browser
            .post(
                &format!("/leads/{lead}/convert"),
                &[("_csrf", card.csrf().as_str()), ("title", "")],
            )
            .await;
        assert_eq!(converted.status, 303, "{}", converted.body);
        assert!(
            converted.location.starts_with("/sales/"),
            "{}",
            converted.location
        );
        let sale = browser.get(&converted.location).await;
        assert_eq!(sale.status, 200);
        assert!(sale.body.contains("Лид преобразован в сделку"));
        assert!(
            sale.body
                .contains("ООО «Молочная долина»: Стабилизатор для питьевого йогурта")
        );
        assert!(
            sale.body
                .contains("data-stage=\"qualification\" data-mark=\"current\"")
        );
        let card = browser.get(&format!("/leads/{lead}")).await;
        assert!(card.body.contains("id=\"open-sale\""));
        assert!(!card.body.contains("id=\"convert-form\""), "converted once");
    }
}

/// The shipped definition as the editor shows it.
async fn active_source(browser: &Browser<'_>) -> (Page, String) {
    let page = browser.get("/admin/process").await;
    assert_eq!(page.status, 200);
    let start = page.body.find("name=\"source\"").expect("the text area");
    let open = page.body[start..].find('>').unwrap() + start + 1;
    let close = page.body[open..].find("</textarea>").unwrap() + open;
    let source = page.body[open..close]
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    (page, source)
}

#[tokio::test]
async fn the_process_editor_refuses_a_broken_definition_by_line_and_saves_a_valid_one() {
    for app in spawn_apps().await {
        let browser = Browser::new(&app);
        browser.sign_in().await;
        let (page, source) = active_source(&browser).await;
        assert!(source.contains("code = \"qualification\""), "{source}");
        let picture = slice(&page.body, "id=\"process-picture\"", "</svg>");
        assert!(picture.contains("data-stage=\"kp\""));
        assert!(picture.contains("data-edge=\"qualification→kp\""));
        assert!(picture.contains("Отправить КП"));
        let csrf = page.csrf();

        // A syntax error on line 3.
        let broken = "code = \"sales\"\nname_ru = \"Процесс\"\nname_en = \"Process\n";
        let checked = browser
            .post(
                "/admin/process",
                &[
                    ("_csrf", csrf.as_str()),
                    ("source", broken),
                    ("action", "check"),
                ],
            )
            .await;
        assert_eq!(checked.status, 422, "{}", app.label);
        let errors = slice(&checked.body, "id=\"definition-errors\"", "</ol>");
        assert!(errors.contains("data-line=\"3\""), "{errors}");
        assert!(errors.contains("строке 3"), "{errors}");
        let refused = browser
            .post(
                "/admin/process",
                &[
                    ("_csrf", csrf.as_str()),
                    ("source", broken),
                    ("action", "save"),
                ],
            )
            .await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("data-line=\"3\""));

        // A rule broken: a stage that leads nowhere known.
        let unknown = source.replacen(
            "next = [\"preliminary_kp\", \"kp\"]",
            "next = [\"nowhere\"]",
            1,
        );
        let checked = browser
            .post(
                "/admin/process",
                &[
                    ("_csrf", csrf.as_str()),
                    ("source", &unknown),
                    ("action", "check"),
                ],
            )
            .await;
        assert_eq!(checked.status, 422);
        assert!(checked.body.contains("nowhere"));

        // A valid change: checked, then saved as version 2.
        let renamed = source.replacen(
            "name_ru = \"Квалификация\"",
            "name_ru = \"Квалификация лида\"",
            1,
        );
        assert_ne!(renamed, source);
        let checked = browser
            .post(
                "/admin/process",
                &[
                    ("_csrf", csrf.as_str()),
                    ("source", &renamed),
                    ("action", "check"),
                ],
            )
            .await;
        assert_eq!(checked.status, 200);
        assert!(checked.body.contains("id=\"definition-valid\""));
        assert!(
            checked.body.contains("Квалификация лида"),
            "the draft is drawn"
        );
        let saved = browser
            .post(
                "/admin/process",
                &[
                    ("_csrf", csrf.as_str()),
                    ("source", &renamed),
                    ("comment", "Переименован этап"),
                    ("action", "save"),
                ],
            )
            .await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let (page, source) = active_source(&browser).await;
        assert!(source.contains("Квалификация лида"));
        let versions = slice(&page.body, "id=\"versions\"", "</table>");
        assert!(versions.contains("data-version=\"2\""), "{versions}");
        assert!(versions.contains("Переименован этап"));

        // Without the right to edit the process, the editor is refused.
        app.token_for("manager", &["manager"]).await;
        let manager = Browser::new(&app);
        manager.sign_in_as("manager").await;
        let forbidden = manager.get("/admin/process").await;
        assert_eq!(forbidden.status, 403, "{}", app.label);
    }
}

#[tokio::test]
async fn my_tasks_is_the_start_page_with_overdue_today_and_upcoming_sections() {
    for app in spawn_apps().await {
        let world = world(&app).await;
        let browser = Browser::new(&app);
        assert_eq!(browser.get("/").await.location, "/tasks");
        let signed = browser.sign_in().await;
        assert_eq!(signed.location, "/tasks", "{}", app.label);
        let id = create_sale(&browser, &world, "Задачи на сегодня").await;
        move_to(&browser, &id, &[("stage", "preliminary_kp")]).await;

        // A manual task due yesterday is overdue.
        let form = browser.get(&format!("/tasks/new?sale_id={id}")).await;
        assert_eq!(form.status, 200);
        let yesterday = (chrono::Utc::now() + chrono::Duration::hours(3)
            - chrono::Duration::days(1))
        .format("%d.%m.%Y")
        .to_string();
        let created = browser
            .post(
                "/tasks/new",
                &[
                    ("_csrf", form.csrf().as_str()),
                    ("kind", "call"),
                    ("title", "Позвонить технологу"),
                    ("due_on", yesterday.as_str()),
                    ("sale_id", id.as_str()),
                ],
            )
            .await;
        assert_eq!(created.status, 303, "{}", created.body);
        let tasks = browser.get("/tasks").await;
        assert_eq!(tasks.status, 200);
        let overdue = slice(&tasks.body, "id=\"tasks-overdue\"", "</section>");
        assert!(overdue.contains("Позвонить технологу"), "{overdue}");
        assert!(overdue.contains("row-overdue"));
        let upcoming = slice(&tasks.body, "id=\"tasks-upcoming\"", "</section>");
        assert!(
            upcoming.contains("Подготовить и отправить предварительное КП"),
            "{upcoming}"
        );
        assert!(upcoming.contains("Задачи на сегодня"), "the sale is named");
        assert!(
            upcoming.contains("Молочный комбинат «Заря»"),
            "the client too"
        );

        // A manual task completes with one click, back to the list.
        let card = browser.get(&format!("/sales/{id}")).await;
        let manual = open_tasks(&card, "call").remove(0);
        let done = browser
            .post(
                &format!("/tasks/{manual}/complete"),
                &[("_csrf", tasks.csrf().as_str()), ("back", "/tasks")],
            )
            .await;
        assert_eq!(done.location, "/tasks?done=completed");
        let tasks = browser.get(&done.location).await;
        assert!(!tasks.body.contains("Позвонить технологу"));
        assert!(tasks.body.contains("Задача выполнена"));
    }
}
