//! Bulk loading writes what one-by-one inserts write: on SQLite and PostgreSQL, bulk-inserted
//! counterparties read back identical, are found by the list's search and filters, and have their
//! creation in the history.

use ferment_domain::access::Scope;
use ferment_domain::counterparty::{
    BankAccount, Counterparty, CounterpartyKind, Industry, Segment,
};
use ferment_domain::user::User;
use ferment_store::counterparties::{self, ListQuery};
use ferment_store::history::{self, Action};
use ferment_store::list::Cursor;
use ferment_store::testing::{databases, open};
use ferment_store::{Store, bulk, territories, users};
use sqlx::{AnyConnection, Row as _};
use uuid::Uuid;

/// More rows than one statement carries, so batches split.
const ROWS: usize = 2_345;

fn row(index: usize, territory: Option<Uuid>, owner: Option<Uuid>) -> Counterparty {
    let sole = index % 10 == 3;
    let accounts = (0..index % 3)
        .map(|n| BankAccount {
            bik: format!("0445252{:02}", n),
            bank_name: format!("Банк №{n}"),
            correspondent_account: (n == 0).then(|| format!("301018104000000002{:02}", n)),
            account: format!("40702810{:012}", index * 10 + n),
        })
        .collect();
    Counterparty {
        kind: if sole {
            CounterpartyKind::SoleProprietor
        } else {
            CounterpartyKind::LegalEntity
        },
        // A word unique to the row («Вятушка17») beside words every row shares.
        name: if sole {
            format!("ИП Ёлкин{index} А. Б.")
        } else {
            format!("Молзавод «Вятушка{index}»")
        },
        full_name: (!index.is_multiple_of(4))
            .then(|| format!("ООО «Молочный завод Вятушка{index}»")),
        inn: (index % 50 != 49).then(|| {
            if sole {
                format!("77{index:010}")
            } else {
                format!("52{index:08}")
            }
        }),
        kpp: (!sole).then(|| "526001001".to_string()),
        ogrn: Some(format!("10252{index:08}")),
        legal_address: Some(format!(
            "603000, г. Нижний Новгород, ул. Ленина, д. {index}"
        )),
        actual_address: index
            .is_multiple_of(2)
            .then(|| "603001, г. Нижний Новгород".to_string()),
        bank_accounts: accounts,
        industry: [None, Some(Industry::Dairy), Some(Industry::Bakery)][index % 3],
        segment: [Some(Segment::A), Some(Segment::B), None][index % 3],
        territory_id: if index.is_multiple_of(2) {
            territory
        } else {
            None
        },
        owner_id: if index.is_multiple_of(3) { owner } else { None },
        phone: Some(format!("+7 831 {index:07}")),
        email: (!index.is_multiple_of(5)).then(|| format!("Info{index}@Vyatushka.RU")),
        site: None,
        tags: match index % 3 {
            0 => vec![],
            1 => vec!["ключевой".into()],
            _ => vec!["ключевой".into(), "сыры".into()],
        },
        notes: index
            .is_multiple_of(7)
            .then(|| "Просит образцы заранее".to_string()),
    }
}

async fn setup(store: &Store) -> (Uuid, Uuid) {
    store.seed_reference_data().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let territory = territories::find_by_code(&mut tx, "RU-NIZ")
        .await
        .unwrap()
        .expect("Nizhny Novgorod region in the seed")
        .record
        .meta
        .id;
    let user = User {
        login: "loader".into(),
        full_name: "Загрузчик Данных".into(),
        email: None,
        phone: None,
        territory_id: None,
        active: true,
        roles: vec!["manager".into()],
        department_id: None,
        ip_allow: Vec::new(),
        overrides: Default::default(),
    };
    let user = users::insert(&mut tx, None, &user, None)
        .await
        .unwrap()
        .meta
        .id;
    tx.commit().await.unwrap();
    (territory, user)
}

async fn find(store: &Store, query: ListQuery) -> Vec<Uuid> {
    let mut reader = store.reader().await.unwrap();
    let mut found = Vec::new();
    let mut cursor = None;
    loop {
        let page = counterparties::list(
            &mut reader,
            &Scope::All,
            &ListQuery {
                limit: 200,
                cursor: cursor.as_deref().and_then(Cursor::decode),
                ..query.clone()
            },
        )
        .await
        .unwrap();
        found.extend(page.items.iter().map(|row| row.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return found,
        }
    }
}

#[tokio::test]
async fn bulk_inserted_counterparties_read_back_are_found_and_have_their_history() {
    for database in databases().await {
        let label = database.label;
        let store = open(&database).await;
        let (territory, user) = setup(&store).await;
        let rows: Vec<Counterparty> = (0..ROWS)
            .map(|i| row(i, Some(territory), Some(user)))
            .collect();
        let mut tx = store.begin().await.unwrap();
        let ids = bulk::insert_counterparties(&mut tx, Some(user), &rows)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(ids.len(), ROWS, "{label}");

        let mut reader = store.reader().await.unwrap();
        for (id, data) in ids.iter().zip(&rows) {
            let record = counterparties::get(&mut reader, *id).await.unwrap();
            assert_eq!(&record.data, data, "{label}: {id}");
            assert_eq!(record.meta.version, 1, "{label}");
            assert_eq!(record.meta.created_at, record.meta.updated_at, "{label}");
        }

        for index in [0, 3, 999, 1_000, 1_001, 2_000, ROWS - 1] {
            let (id, data) = (ids[index], &rows[index]);
            let word = if data.kind == CounterpartyKind::SoleProprietor {
                format!("ёлкин{index}")
            } else {
                format!("ВЯТУШКА{index}")
            };
            // Longer numbers share the prefix (Вятушка1 → Вятушка10 …), so look for the row among them.
            let by_name = find(
                &store,
                ListQuery {
                    q: Some(word.clone()),
                    ..Default::default()
                },
            )
            .await;
            assert!(by_name.contains(&id), "{label}: {word} finds row {index}");
            if let Some(inn) = &data.inn {
                let by_inn = find(
                    &store,
                    ListQuery {
                        q: Some(inn.clone()),
                        ..Default::default()
                    },
                )
                .await;
                assert_eq!(by_inn, vec![id], "{label}: ИНН {inn}");
            }
            if let Some(email) = &data.email {
                let by_email = find(
                    &store,
                    ListQuery {
                        q: Some(email.to_uppercase()),
                        ..Default::default()
                    },
                )
                .await;
                assert_eq!(by_email, vec![id], "{label}: {email}");
            }

            let entries = history::list(&mut reader, id, 10).await.unwrap();
            assert_eq!(entries.len(), 1, "{label}: one history entry");
            assert_eq!(entries[0].action, Action::Create);
            assert_eq!(entries[0].user_id, Some(user));
            assert_eq!(entries[0].user_name.as_deref(), Some("Загрузчик Данных"));
            let expected: Vec<(String, serde_json::Value, serde_json::Value)> =
                ferment_domain::history::diff(None, Some(data))
                    .into_iter()
                    .map(|c| (c.field, c.old, c.new))
                    .collect();
            let recorded: Vec<(String, serde_json::Value, serde_json::Value)> = entries[0]
                .changes
                .iter()
                .map(|c| (c.field.clone(), c.old.clone(), c.new.clone()))
                .collect();
            assert_eq!(recorded, expected, "{label}");
        }

        // Every row of a full-name word shared by all of them, in name order, across pages.
        let everyone = find(
            &store,
            ListQuery {
                q: Some("молзав".into()),
                ..Default::default()
            },
        )
        .await;
        let companies = rows
            .iter()
            .filter(|r| r.kind == CounterpartyKind::LegalEntity)
            .count();
        assert_eq!(everyone.len(), companies, "{label}");
        let in_region = find(
            &store,
            ListQuery {
                territory_id: Some(territory),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(in_region.len(), ROWS.div_ceil(2), "{label}");
        drop(reader);
        store.close().await;
    }
}

/// What the database holds about a counterparty, without its id and times.
async fn snapshot(connection: &mut AnyConnection, id: Uuid) -> Vec<String> {
    let mut facts = Vec::new();
    let row = sqlx::query(
        "SELECT kind, name, name_sort, full_name, inn, kpp, ogrn, legal_address, actual_address, \
         industry, segment, territory_id, owner_id, phone, email, email_sort, site, tags, notes, \
         version, created_at, updated_at, deleted_at FROM counterparties WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_one(&mut *connection)
    .await
    .unwrap();
    for column in 0..19 {
        facts.push(format!("{:?}", row.get::<Option<String>, _>(column)));
    }
    facts.push(format!("version {}", row.get::<i64, _>(19)));
    facts.push(format!(
        "times equal {}",
        row.get::<String, _>(20) == row.get::<String, _>(21)
    ));
    facts.push(format!("deleted {:?}", row.get::<Option<String>, _>(22)));
    let accounts = sqlx::query(
        "SELECT position, bik, bank_name, correspondent_account, account \
         FROM counterparty_bank_accounts WHERE counterparty_id = $1 ORDER BY position",
    )
    .bind(id.to_string())
    .fetch_all(&mut *connection)
    .await
    .unwrap();
    for account in accounts {
        facts.push(format!(
            "account {} {} {} {:?} {}",
            account.get::<i64, _>(0),
            account.get::<String, _>(1),
            account.get::<String, _>(2),
            account.get::<Option<String>, _>(3),
            account.get::<String, _>(4),
        ));
    }
    let terms = sqlx::query(
        "SELECT record_kind, term, sort_key, COALESCE(owner_id, ''), COALESCE(territory_id, ''), \
         COALESCE(area_path, '') FROM search_terms WHERE record_id = $1 ORDER BY record_kind, term",
    )
    .bind(id.to_string())
    .fetch_all(&mut *connection)
    .await
    .unwrap();
    for term in terms {
        facts.push(format!(
            "term {} {} {} {} {} {}",
            term.get::<String, _>(0),
            term.get::<String, _>(1),
            term.get::<String, _>(2),
            term.get::<String, _>(3),
            term.get::<String, _>(4),
            term.get::<String, _>(5)
        ));
    }
    let history = sqlx::query(
        "SELECT record_kind, action, user_id, changes FROM change_log WHERE record_id = $1",
    )
    .bind(id.to_string())
    .fetch_all(&mut *connection)
    .await
    .unwrap();
    for entry in history {
        facts.push(format!(
            "history {} {} {:?} {}",
            entry.get::<String, _>(0),
            entry.get::<String, _>(1),
            entry.get::<Option<String>, _>(2),
            entry.get::<String, _>(3),
        ));
    }
    facts
}

#[tokio::test]
async fn bulk_insert_writes_exactly_what_insert_writes() {
    for database in databases().await {
        let label = database.label;
        let store = open(&database).await;
        let (territory, user) = setup(&store).await;
        for index in [0, 1, 2, 3, 49, 70] {
            let data = row(index, Some(territory), Some(user));
            let mut tx = store.begin().await.unwrap();
            let one = counterparties::insert(&mut tx, Some(user), &data)
                .await
                .unwrap()
                .meta
                .id;
            let expected = snapshot(&mut tx, one).await;
            // Free the ИНН for the second copy without touching the first one's children.
            sqlx::query("UPDATE counterparties SET inn = NULL WHERE id = $1")
                .bind(one.to_string())
                .execute(&mut *tx)
                .await
                .unwrap();
            let bulk =
                bulk::insert_counterparties(&mut tx, Some(user), std::slice::from_ref(&data))
                    .await
                    .unwrap();
            let actual = snapshot(&mut tx, bulk[0]).await;
            tx.commit().await.unwrap();
            assert_eq!(actual, expected, "{label}: row {index}");
        }
        store.close().await;
    }
}

#[tokio::test]
async fn an_empty_bulk_insert_writes_nothing() {
    for database in databases().await {
        let store = open(&database).await;
        let mut tx = store.begin().await.unwrap();
        let ids = bulk::insert_counterparties(&mut tx, None, &[])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(ids.is_empty(), "{}", database.label);
        store.close().await;
    }
}

fn product(index: usize) -> ferment_domain::catalog::Product {
    ferment_domain::catalog::Product {
        code: format!("БЛК-{index:05}"),
        article: (!index.is_multiple_of(3)).then(|| format!("ART{index}")),
        name: format!("Крахмал кукурузный партия {index}"),
        unit: ferment_domain::catalog::Unit::Kg,
        group_id: None,
        vat_rate: 2200,
        price: 12_345,
        currency: "RUB".into(),
        needs_sample: index.is_multiple_of(2),
        description: None,
    }
}

/// The search words of a record, without its id.
async fn words(connection: &mut AnyConnection, id: Uuid) -> Vec<String> {
    sqlx::query(
        "SELECT record_kind, term, sort_key, COALESCE(owner_id, ''), COALESCE(territory_id, '') \
         FROM search_terms WHERE record_id = $1 ORDER BY term",
    )
    .bind(id.to_string())
    .fetch_all(connection)
    .await
    .unwrap()
    .iter()
    .map(|row| {
        (0..5)
            .map(|i| row.get::<String, _>(i))
            .collect::<Vec<_>>()
            .join(" ")
    })
    .collect()
}

/// Bulk-inserted products are searchable once indexed, with exactly the words a product created
/// one by one gets; indexing goes in batches and leaves deleted and indexed products alone.
#[tokio::test]
async fn bulk_inserted_products_get_the_words_insert_gives_them() {
    use ferment_store::products;
    for database in databases().await {
        let label = database.label;
        let store = open(&database).await;
        let rows: Vec<_> = (0..1_203).map(product).collect();
        let mut tx = store.begin().await.unwrap();
        let ids = bulk::insert_products(&mut tx, None, &rows).await.unwrap();
        let single = products::insert(&mut tx, None, &product(5_000))
            .await
            .unwrap();
        products::delete(&mut tx, None, ids[7]).await.unwrap();
        tx.commit().await.unwrap();
        let search = |q: &str| products::ListQuery {
            q: Some(q.into()),
            limit: 2_000,
            ..Default::default()
        };
        {
            let mut reader = store.reader().await.unwrap();
            let found = products::list(&mut reader, &search("партия"))
                .await
                .unwrap();
            assert_eq!(
                found.items.len(),
                1,
                "{label}: only the one-by-one product before indexing"
            );
        }
        // Batches of 500: 1 202 live unindexed products take three calls.
        let mut calls = Vec::new();
        loop {
            let mut tx = store.begin().await.unwrap();
            let indexed = bulk::index_unindexed_products(&mut tx, 500).await.unwrap();
            tx.commit().await.unwrap();
            calls.push(indexed);
            if indexed < 500 {
                break;
            }
        }
        assert_eq!(calls, vec![500, 500, 202], "{label}");
        let mut reader = store.reader().await.unwrap();
        let found = products::list(&mut reader, &search("партия"))
            .await
            .unwrap();
        assert_eq!(found.items.len(), 1_203, "{label}: every live product");
        let by_article = products::list(&mut reader, &search("art1000"))
            .await
            .unwrap();
        assert_eq!(by_article.items.len(), 1, "{label}");
        assert_eq!(by_article.items[0].record.meta.id, ids[1000], "{label}");
        assert!(
            words(&mut reader, ids[7]).await.is_empty(),
            "{label}: deleted stays unindexed"
        );
        // The same words as the one-by-one insert of the same product.
        let mut tx = store.begin().await.unwrap();
        let twin = products::insert(&mut tx, None, &product(1_000)).await;
        tx.rollback().await.unwrap();
        assert!(twin.is_err(), "{label}: the code is taken");
        let expected: Vec<String> = words(&mut reader, single.meta.id)
            .await
            .into_iter()
            .map(|w| w.replace("5000", "1000").replace("05000", "01000"))
            .collect();
        assert_eq!(words(&mut reader, ids[1000]).await, expected, "{label}");
        drop(reader);
        store.close().await;
    }
}
