//! The store's conformance suite: every test runs on SQLite and on PostgreSQL and must behave the
//! same on both.

use ferment_domain::access::{Scope, TerritoryRef};
use ferment_domain::counterparty::{CounterpartyInput, Segment};
use ferment_domain::requisites::{complete_inn_legal, complete_ogrn};
use ferment_store::counterparties::{self, ListQuery, SortKey};
use ferment_store::list::{Cursor, Direction};
use ferment_store::testing::{databases, open};
use ferment_store::{StoreError, history, search, territories, users};

fn company(name: &str, serial: u32) -> ferment_domain::counterparty::Counterparty {
    let inn = complete_inn_legal(&format!("77{:07}", serial));
    CounterpartyInput {
        name: name.into(),
        inn: inn.clone(),
        kpp: format!("{}01001", &inn[..4]),
        ogrn: complete_ogrn(&format!("10277{:07}", serial)),
        email: format!("info{serial}@example.ru"),
        ..Default::default()
    }
    .validate()
    .expect("a valid company")
}

#[tokio::test]
async fn a_counterparty_round_trips_and_its_changes_are_recorded() {
    for database in databases().await {
        let store = open(&database).await;
        let mut tx = store.begin().await.unwrap();
        territories::seed(&mut tx).await.unwrap();
        let mut data = company("Молзавод «Вятушка»", 1);
        let created = counterparties::insert(&mut tx, None, &data).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(created.data, data, "{}", database.label);
        assert_eq!(created.meta.version, 1);

        let mut tx = store.begin().await.unwrap();
        data.segment = Some(Segment::A);
        data.phone = Some("+7 495 123-45-67".into());
        let updated = counterparties::update(&mut tx, None, created.meta.id, 1, &data)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(updated.meta.version, 2);

        // A stale version changes nothing.
        let mut tx = store.begin().await.unwrap();
        data.name = "Другое имя".into();
        let stale = counterparties::update(&mut tx, None, created.meta.id, 1, &data).await;
        assert!(
            matches!(stale, Err(StoreError::StaleVersion { current: 2 })),
            "{}: {stale:?}",
            database.label
        );
        drop(tx);
        let mut reader = store.reader().await.unwrap();
        assert_eq!(
            counterparties::get(&mut reader, created.meta.id)
                .await
                .unwrap()
                .data
                .name,
            "Молзавод «Вятушка»"
        );

        let entries = history::list(&mut reader, created.meta.id, 10)
            .await
            .unwrap();
        assert_eq!(entries.len(), 2, "{}", database.label);
        let fields: Vec<&str> = entries[0]
            .changes
            .iter()
            .map(|c| c.field.as_str())
            .collect();
        assert_eq!(fields, vec!["phone", "segment"]);
        assert_eq!(entries[0].changes[1].new, serde_json::json!("A"));
        drop(reader);
        store.close().await;
    }
}

#[tokio::test]
async fn the_same_inn_and_kpp_cannot_be_stored_twice_among_live_records() {
    for database in databases().await {
        let store = open(&database).await;
        let mut tx = store.begin().await.unwrap();
        let first = counterparties::insert(&mut tx, None, &company("Первый", 7))
            .await
            .unwrap();
        let again = counterparties::insert(&mut tx, None, &company("Второй", 7)).await;
        assert!(
            matches!(again, Err(StoreError::Unique { .. })),
            "{}: {again:?}",
            database.label
        );
        drop(tx);
        let mut tx = store.begin().await.unwrap();
        let first = counterparties::get(&mut tx, first.meta.id).await;
        assert!(
            matches!(first, Err(StoreError::NotFound)),
            "the failed transaction left nothing behind"
        );
        let first = counterparties::insert(&mut tx, None, &company("Первый", 7))
            .await
            .unwrap();
        counterparties::delete(&mut tx, None, first.meta.id, Some(1))
            .await
            .unwrap();
        // Once the first is deleted, the ИНН is free again.
        counterparties::insert(&mut tx, None, &company("Второй", 7))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        store.close().await;
    }
}

#[tokio::test]
async fn lists_filter_search_sort_and_page_the_same_on_both_databases() {
    for database in databases().await {
        let store = open(&database).await;
        let mut tx = store.begin().await.unwrap();
        territories::seed(&mut tx).await.unwrap();
        let moscow = territories::find_by_code(&mut tx, "RU-MOW")
            .await
            .unwrap()
            .unwrap()
            .record
            .meta
            .id;
        let russia = territories::find_by_code(&mut tx, "RU")
            .await
            .unwrap()
            .unwrap()
            .record
            .meta
            .id;
        let names = [
            "Ёлочка кондитерская",
            "Агрокомбинат",
            "молочный завод",
            "Хлебозавод №1",
            "Молоко и сыр",
        ];
        for (index, name) in names.iter().enumerate() {
            let mut data = company(name, 100 + index as u32);
            if index % 2 == 0 {
                data.territory_id = Some(moscow);
            }
            counterparties::insert(&mut tx, None, &data).await.unwrap();
        }
        tx.commit().await.unwrap();
        let mut reader = store.reader().await.unwrap();
        let list = |query: ListQuery| {
            let store = store.clone();
            async move {
                let mut reader = store.reader().await.unwrap();
                let page = counterparties::list(
                    &mut reader,
                    &Scope::All,
                    &ListQuery { limit: 50, ..query },
                )
                .await
                .unwrap();
                (
                    page.items
                        .into_iter()
                        .map(|row| row.name)
                        .collect::<Vec<_>>(),
                    page.next_cursor,
                )
            }
        };
        let (all, _) = list(ListQuery::default()).await;
        assert_eq!(
            all,
            vec![
                "Агрокомбинат",
                "Ёлочка кондитерская",
                "Молоко и сыр",
                "молочный завод",
                "Хлебозавод №1"
            ],
            "{}",
            database.label
        );
        let (in_moscow, _) = list(ListQuery {
            territory_id: Some(moscow),
            ..Default::default()
        })
        .await;
        assert_eq!(
            in_moscow,
            vec!["Ёлочка кондитерская", "Молоко и сыр", "молочный завод"]
        );
        let (in_russia, _) = list(ListQuery {
            territory_id: Some(russia),
            ..Default::default()
        })
        .await;
        assert_eq!(
            in_russia.len(),
            3,
            "a territory includes the territories inside it"
        );
        let (by_word, _) = list(ListQuery {
            q: Some("МОЛО".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(by_word, vec!["Молоко и сыр", "молочный завод"]);
        let (by_two_words, _) = list(ListQuery {
            q: Some("мол зав".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(by_two_words, vec!["молочный завод"]);
        let (by_yo, _) = list(ListQuery {
            q: Some("елочка".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(by_yo, vec!["Ёлочка кондитерская"]);
        let inn = company("x", 102).inn.unwrap();
        let (by_inn, _) = list(ListQuery {
            q: Some(inn[..9].into()),
            ..Default::default()
        })
        .await;
        assert_eq!(by_inn, vec!["молочный завод"]);
        let (by_email, _) = list(ListQuery {
            q: Some("INFO103@".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(by_email, vec!["Хлебозавод №1"]);
        let (descending, _) = list(ListQuery {
            direction: Direction::Descending,
            ..Default::default()
        })
        .await;
        assert_eq!(
            descending.first().map(String::as_str),
            Some("Хлебозавод №1")
        );
        let (by_inn_sort, _) = list(ListQuery {
            sort: SortKey::Inn,
            ..Default::default()
        })
        .await;
        assert_eq!(
            by_inn_sort.first().map(String::as_str),
            Some("Ёлочка кондитерская")
        );

        // Keyset pages of two cover the list exactly once.
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = counterparties::list(
                &mut reader,
                &Scope::All,
                &ListQuery {
                    limit: 2,
                    cursor: cursor.clone(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            seen.extend(page.items.into_iter().map(|row| row.name));
            match page.next_cursor {
                Some(next) => cursor = Cursor::decode(&next),
                None => break,
            }
        }
        assert_eq!(seen, all);
        // An empty scope shows nothing.
        let none = counterparties::list(
            &mut reader,
            &Scope::None,
            &ListQuery {
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(none.items.is_empty());
        drop(reader);
        store.close().await;
    }
}

#[tokio::test]
async fn the_territory_seed_loads_once() {
    for database in databases().await {
        let store = open(&database).await;
        let mut tx = store.begin().await.unwrap();
        let added = territories::seed(&mut tx).await.unwrap();
        assert_eq!(added, ferment_domain::territory::SEED.len());
        assert_eq!(territories::seed(&mut tx).await.unwrap(), 0);
        let moscow = territories::find_by_code(&mut tx, "RU-MOW")
            .await
            .unwrap()
            .unwrap();
        assert!(moscow.path.starts_with("/RU/RU-CFD/"), "{}", moscow.path);
        tx.commit().await.unwrap();
        store.close().await;
    }
}

/// Every page of `query` at page size `limit`, names in order.
async fn all_pages(store: &ferment_store::Store, query: ListQuery, limit: i64) -> Vec<String> {
    let mut reader = store.reader().await.unwrap();
    let mut names = Vec::new();
    let mut cursor = None;
    loop {
        let page = counterparties::list(
            &mut reader,
            &Scope::All,
            &ListQuery {
                limit,
                cursor: cursor.clone(),
                ..query.clone()
            },
        )
        .await
        .unwrap();
        assert!(page.items.len() as i64 <= limit);
        names.extend(page.items.into_iter().map(|row| row.name));
        match page.next_cursor {
            Some(next) => cursor = Cursor::decode(&next),
            None => return names,
        }
    }
}

#[tokio::test]
async fn a_word_search_pages_in_name_order_from_the_sorted_index() {
    for database in databases().await {
        let store = open(&database).await;
        let mut tx = store.begin().await.unwrap();
        territories::seed(&mut tx).await.unwrap();
        let moscow = territories::find_by_code(&mut tx, "RU-MOW")
            .await
            .unwrap()
            .unwrap()
            .record
            .meta
            .id;
        // «молоко» exactly, longer words starting with it (one record with two of them), both,
        // neither (sorted before another longer word); one in Moscow; one deleted; one renamed after indexing.
        let names = [
            "Молоко",
            "Молоковоз Молоко",
            "Жук молоковозы и молоковоз",
            "Альфа молоко",
            "Яблоко",
            "Юг Молоко",
            "Бета Молоковоз",
            "Ёж молоко завод",
            "Ферма Молоко",
        ];
        let mut ids = Vec::new();
        for (index, name) in names.iter().enumerate() {
            let mut data = company(name, 300 + index as u32);
            if *name == "Бета Молоковоз" || *name == "Ёж молоко завод" {
                data.territory_id = Some(moscow);
                data.segment = Some(Segment::A);
            }
            ids.push(counterparties::insert(&mut tx, None, &data).await.unwrap());
        }
        counterparties::delete(&mut tx, None, ids[5].meta.id, None)
            .await
            .unwrap();
        let mut renamed = ids[8].data.clone();
        renamed.name = "Вега молоко".into();
        counterparties::update(&mut tx, None, ids[8].meta.id, ids[8].meta.version, &renamed)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let expected = vec![
            "Альфа молоко",
            "Бета Молоковоз",
            "Вега молоко",
            "Ёж молоко завод",
            "Жук молоковозы и молоковоз",
            "Молоко",
            "Молоковоз Молоко",
        ];
        let search = |q: &str| ListQuery {
            q: Some(q.into()),
            ..Default::default()
        };
        for limit in [1, 2, 3, 50] {
            assert_eq!(
                all_pages(&store, search("Молоко"), limit).await,
                expected,
                "{} limit {limit}",
                database.label
            );
            let mut reversed = expected.clone();
            reversed.reverse();
            let descending = ListQuery {
                direction: Direction::Descending,
                ..search("молоко")
            };
            assert_eq!(all_pages(&store, descending, limit).await, reversed);
        }
        // The same records as the unsorted path (any other sort) finds.
        let mut by_created = all_pages(
            &store,
            ListQuery {
                sort: SortKey::Created,
                ..search("молоко")
            },
            50,
        )
        .await;
        by_created.sort_by_key(|name| ferment_domain::text::normalize(name));
        assert_eq!(by_created, expected);
        // A prefix of the word, two words, and the list's filters apply inside the search.
        assert_eq!(
            all_pages(&store, search("молоков"), 2).await,
            vec![
                "Бета Молоковоз",
                "Жук молоковозы и молоковоз",
                "Молоковоз Молоко"
            ]
        );
        assert_eq!(
            all_pages(&store, search("зав молоко"), 2).await,
            vec!["Ёж молоко завод"]
        );
        let in_moscow = ListQuery {
            territory_id: Some(moscow),
            segment: Some(Segment::A),
            ..search("молоко")
        };
        assert_eq!(
            all_pages(&store, in_moscow, 1).await,
            vec!["Бета Молоковоз", "Ёж молоко завод"]
        );
        assert!(all_pages(&store, search("ферма"), 2).await.is_empty());
        // A territory scope filters the postings themselves, and follows a record that moves.
        // (The territories inside are not given with it here: the store reads them.)
        let moscow_path = {
            let mut reader = store.reader().await.unwrap();
            territories::get(&mut reader, moscow).await.unwrap().path
        };
        let scoped = |store: &ferment_store::Store| {
            let store = store.clone();
            let path = moscow_path.clone();
            async move {
                let mut reader = store.reader().await.unwrap();
                let scope = Scope::Some {
                    owner: None,
                    department: None,
                    territory: Some(TerritoryRef {
                        id: moscow,
                        path,
                        inside: Vec::new(),
                    }),
                };
                counterparties::list(
                    &mut reader,
                    &scope,
                    &ListQuery {
                        limit: 50,
                        ..search("молоко")
                    },
                )
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|row| row.name)
                .collect::<Vec<_>>()
            }
        };
        assert_eq!(scoped(&store).await, ["Бета Молоковоз", "Ёж молоко завод"]);
        let mut tx = store.begin().await.unwrap();
        let alpha = counterparties::get(&mut tx, ids[3].meta.id).await.unwrap();
        let mut moved = alpha.data.clone();
        moved.territory_id = Some(moscow);
        counterparties::update(&mut tx, None, alpha.meta.id, alpha.meta.version, &moved)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            scoped(&store).await,
            ["Альфа молоко", "Бета Молоковоз", "Ёж молоко завод"]
        );
        assert!(all_pages(&store, search("юг"), 2).await.is_empty());
        store.close().await;
    }
}

/// The names a word search finds for `scope`, or as the administrator with `territory_id` as the
/// list's filter when `scope` is `None`.
async fn found(
    store: &ferment_store::Store,
    scope: Option<Scope>,
    territory_id: Option<uuid::Uuid>,
    q: &str,
) -> Vec<String> {
    let mut reader = store.reader().await.unwrap();
    let query = ListQuery {
        q: Some(q.into()),
        territory_id,
        limit: 50,
        ..Default::default()
    };
    counterparties::list(&mut reader, &scope.unwrap_or(Scope::All), &query)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|row| row.name)
        .collect()
}

#[tokio::test]
async fn a_district_scope_searches_its_own_postings_and_follows_a_region_that_moves() {
    // Postings carry their territory's area (the federal district); a scope or filter inside one
    // district reads only that district's postings. Whatever the territory tree does afterwards —
    // a region moved to another district, a district recoded — the search must find what the
    // territories say, for scopes, filters and owners alike.
    for database in databases().await {
        let store = open(&database).await;
        store.seed_reference_data().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let mut territory = std::collections::HashMap::new();
        for code in ["RU", "RU-VFD", "RU-CFD", "RU-TA", "RU-SAM", "RU-MOW", "KZ"] {
            let found = territories::find_by_code(&mut tx, code)
                .await
                .unwrap()
                .unwrap();
            territory.insert(code, found);
        }
        let owner = users::insert(
            &mut tx,
            None,
            &ferment_domain::user::User {
                login: "owner".into(),
                full_name: "Владелец Клиентов".into(),
                email: None,
                phone: None,
                territory_id: None,
                active: true,
                roles: vec!["manager".into()],
                department_id: None,
                ip_allow: Vec::new(),
                overrides: Default::default(),
            },
            None,
        )
        .await
        .unwrap()
        .meta
        .id;
        for (index, (name, code, owned)) in [
            ("Казань сыроварня", Some("RU-TA"), false),
            ("Самара сыроварня", Some("RU-SAM"), false),
            ("Москва сыроварня", Some("RU-MOW"), true),
            ("Алматы сыроварня", Some("KZ"), false),
            ("Вне территорий сыроварня", None, false),
            ("Казань молокозавод", Some("RU-TA"), false),
        ]
        .into_iter()
        .enumerate()
        {
            let mut data = company(name, 700 + index as u32);
            data.territory_id = code.map(|code| territory[code].record.meta.id);
            data.owner_id = owned.then_some(owner);
            counterparties::insert(&mut tx, None, &data).await.unwrap();
        }
        tx.commit().await.unwrap();

        let label = database.label;
        let scope_of =
            |record: &territories::TerritoryRecord, owner: Option<uuid::Uuid>| Scope::Some {
                owner,
                department: None,
                territory: Some(TerritoryRef {
                    id: record.record.meta.id,
                    path: record.path.clone(),
                    inside: Vec::new(),
                }),
            };
        let id = |code: &str| territory[code].record.meta.id;
        let volga = ["Казань сыроварня", "Самара сыроварня"];
        assert_eq!(
            found(
                &store,
                Some(scope_of(&territory["RU-VFD"], None)),
                None,
                "сыроварня"
            )
            .await,
            volga,
            "{label}"
        );
        assert_eq!(
            found(&store, None, Some(id("RU-VFD")), "сыроварня").await,
            volga
        );
        assert_eq!(
            found(
                &store,
                Some(scope_of(&territory["RU-TA"], None)),
                None,
                "сыр"
            )
            .await,
            ["Казань сыроварня"]
        );
        // A country spans several districts; owners reach outside the district.
        assert_eq!(
            found(
                &store,
                Some(scope_of(&territory["RU"], None)),
                None,
                "сыроварня"
            )
            .await,
            ["Казань сыроварня", "Москва сыроварня", "Самара сыроварня"]
        );
        assert_eq!(
            found(
                &store,
                Some(scope_of(&territory["KZ"], None)),
                None,
                "сыроварня"
            )
            .await,
            ["Алматы сыроварня"]
        );
        assert_eq!(
            found(
                &store,
                Some(scope_of(&territory["RU-VFD"], Some(owner))),
                None,
                "сыроварня"
            )
            .await,
            ["Казань сыроварня", "Москва сыроварня", "Самара сыроварня"]
        );
        // The owner and the district filter together: nothing of the owner's is in the district.
        assert!(
            found(
                &store,
                Some(scope_of(&territory["RU-MOW"], Some(owner))),
                Some(id("RU-VFD")),
                "сыроварня"
            )
            .await
            .is_empty()
        );

        // Tatarstan moves to the Central district, then that district gets a new code (which
        // changes the path of every territory in it).
        let mut tx = store.begin().await.unwrap();
        let tatarstan = &territory["RU-TA"];
        let mut moved = tatarstan.record.data.clone();
        moved.parent_id = Some(id("RU-CFD"));
        territories::update(
            &mut tx,
            None,
            id("RU-TA"),
            tatarstan.record.meta.version,
            &moved,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut reader = store.reader().await.unwrap();
        let central = territories::get(&mut reader, id("RU-CFD")).await.unwrap();
        let volga_now = territories::get(&mut reader, id("RU-VFD")).await.unwrap();
        drop(reader);
        assert_eq!(
            found(&store, Some(scope_of(&volga_now, None)), None, "сыроварня").await,
            ["Самара сыроварня"],
            "{label}"
        );
        assert_eq!(
            found(&store, Some(scope_of(&central, None)), None, "сыроварня").await,
            ["Казань сыроварня", "Москва сыроварня"]
        );
        assert_eq!(
            found(&store, None, Some(id("RU-CFD")), "казань").await,
            ["Казань молокозавод", "Казань сыроварня"]
        );
        let mut tx = store.begin().await.unwrap();
        let mut recoded = central.record.data.clone();
        recoded.code = "RU-CFD2".into();
        territories::update(
            &mut tx,
            None,
            id("RU-CFD"),
            central.record.meta.version,
            &recoded,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut reader = store.reader().await.unwrap();
        let central = territories::get(&mut reader, id("RU-CFD")).await.unwrap();
        let tatarstan = territories::get(&mut reader, id("RU-TA")).await.unwrap();
        drop(reader);
        assert_eq!(tatarstan.path, "/RU/RU-CFD2/RU-TA/");
        assert_eq!(
            found(&store, Some(scope_of(&central, None)), None, "сыроварня").await,
            ["Казань сыроварня", "Москва сыроварня"],
            "{label}"
        );
        assert_eq!(
            found(&store, Some(scope_of(&tatarstan, None)), None, "казань").await,
            ["Казань молокозавод", "Казань сыроварня"]
        );
        assert_eq!(
            found(&store, None, Some(id("RU-CFD")), "сыроварня").await,
            ["Казань сыроварня", "Москва сыроварня"]
        );
        store.close().await;
    }
}

#[tokio::test]
async fn an_inn_prefix_of_any_length_finds_the_clients_whose_inn_starts_with_it() {
    // Two, three and four digits are served by the region and tax-office indexes in name order,
    // five and more by a range over the ИНН: every length must find the same clients, in order,
    // page after page, in both directions.
    let clients = [
        ("Вега", "770800001"),
        ("Арка", "770800002"),
        ("Дельта", "770900003"),
        ("Гамма", "771000004"),
        ("Бета", "780800005"),
        ("Ель", "501200006"),
        ("Жук", "770800007"),
    ];
    for database in databases().await {
        let store = open(&database).await;
        let mut tx = store.begin().await.unwrap();
        territories::seed(&mut tx).await.unwrap();
        let mut ids = Vec::new();
        for (serial, (name, inn9)) in clients.iter().enumerate() {
            let inn = complete_inn_legal(inn9);
            let data = CounterpartyInput {
                name: (*name).into(),
                inn: inn.clone(),
                kpp: format!("{}01001", &inn[..4]),
                ogrn: complete_ogrn(&format!("10277{:07}", 700 + serial)),
                ..Default::default()
            }
            .validate()
            .expect("a valid company");
            ids.push(counterparties::insert(&mut tx, None, &data).await.unwrap());
        }
        // a deleted client is not found by any prefix
        let deleted = ids.last().unwrap();
        counterparties::delete(&mut tx, None, deleted.meta.id, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        for (q, expected) in [
            ("77", vec!["Арка", "Вега", "Гамма", "Дельта"]),
            ("770", vec!["Арка", "Вега", "Дельта"]),
            ("771", vec!["Гамма"]),
            ("7708", vec!["Арка", "Вега"]),
            ("77080", vec!["Арка", "Вега"]),
            ("770800001", vec!["Вега"]),
            ("78", vec!["Бета"]),
            ("7808", vec!["Бета"]),
            ("50", vec!["Ель"]),
            ("51", vec![]),
            ("7711", vec![]),
        ] {
            let search = ListQuery {
                q: Some(q.into()),
                ..Default::default()
            };
            for limit in [1, 50] {
                assert_eq!(
                    all_pages(&store, search.clone(), limit).await,
                    expected,
                    "{} «{q}» limit {limit}",
                    database.label
                );
            }
            let mut reversed = expected.clone();
            reversed.reverse();
            let descending = ListQuery {
                direction: Direction::Descending,
                ..search
            };
            assert_eq!(
                all_pages(&store, descending, 1).await,
                reversed,
                "«{q}» descending"
            );
        }
        // sorted by ИНН, a short prefix is a range in ИНН order
        let by_inn = ListQuery {
            q: Some("77".into()),
            sort: SortKey::Inn,
            ..Default::default()
        };
        assert_eq!(
            all_pages(&store, by_inn, 1).await,
            vec!["Вега", "Арка", "Дельта", "Гамма"],
            "{}",
            database.label
        );
        store.close().await;
    }
}

#[tokio::test]
async fn a_prefix_of_many_longer_words_pages_the_same_as_one_of_few() {
    // «сыр» exactly, and 52 longer words starting with it: more than a page reads one by one, so
    // «сыр» reads their postings whole and sorts them, while «сыра» (26 of them) merges the
    // words' own sorted lists. Both must page alike, a record holding two of the words once.
    let letters: Vec<char> = "абвгдежзиклмнопрстуфхцчшэю".chars().collect();
    let mut names = vec!["Сыр".to_string(), "Сыраа сыраб".to_string()];
    for first in ['а', 'б'] {
        for second in &letters {
            names.push(format!("Сыр{first}{second}"));
        }
    }
    assert!(names.len() as i64 - 2 > search::MAX_LONGER_TERMS);
    for database in databases().await {
        let store = open(&database).await;
        let mut tx = store.begin().await.unwrap();
        territories::seed(&mut tx).await.unwrap();
        for (index, name) in names.iter().enumerate() {
            counterparties::insert(&mut tx, None, &company(name, 500 + index as u32))
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        let mut reader = store.reader().await.unwrap();
        assert_eq!(
            search::longer_terms(&mut reader, "counterparty", "сыр")
                .await
                .unwrap(),
            None,
            "{}",
            database.label
        );
        let few = search::longer_terms(&mut reader, "counterparty", "сыра")
            .await
            .unwrap()
            .expect("26 longer words are read one by one");
        assert_eq!(few.len(), 26);
        assert_eq!(few[0], "сыраа");
        drop(reader);

        let mut expected: Vec<String> = names.clone();
        expected.sort_by_key(|name| ferment_domain::text::normalize(name));
        let starting = |prefix: &str| -> Vec<String> {
            expected
                .iter()
                .filter(|name| ferment_domain::text::normalize(name).starts_with(prefix))
                .cloned()
                .collect()
        };
        for (q, limit) in [("сыр", 5), ("сыр", 50), ("сыра", 4), ("сыра", 50)] {
            let search = ListQuery {
                q: Some(q.into()),
                ..Default::default()
            };
            assert_eq!(
                all_pages(&store, search.clone(), limit).await,
                starting(q),
                "{} «{q}» limit {limit}",
                database.label
            );
            let mut reversed = starting(q);
            reversed.reverse();
            let descending = ListQuery {
                direction: Direction::Descending,
                ..search
            };
            assert_eq!(all_pages(&store, descending, limit).await, reversed);
        }
        store.close().await;
    }
}

#[tokio::test]
async fn select_json_reads_the_rows_a_plain_query_reads() {
    use sqlx::Row as _;
    for database in databases().await {
        let store = open(&database).await;
        let mut tx = store.begin().await.unwrap();
        territories::seed(&mut tx).await.unwrap();
        tx.commit().await.unwrap();
        let mut reader = store.reader().await.unwrap();
        let mut plain: Vec<(String, String, Option<String>, i64)> = sqlx::query(
            "SELECT code, name, parent_id, LENGTH(path) AS depth FROM territories WHERE kind <> $1",
        )
        .bind("country")
        .fetch_all(&mut *reader)
        .await
        .unwrap()
        .iter()
        .map(|row| {
            (
                row.get("code"),
                row.get("name"),
                row.get("parent_id"),
                row.get::<i64, _>("depth"),
            )
        })
        .collect();
        let mut read: Vec<(String, String, Option<String>, i64)> = ferment_store::sql::select_json(
            &mut reader,
            "code, name, parent_id, LENGTH(path)",
            |sql| {
                sql.push(" FROM territories WHERE kind <> ")
                    .bind_text("country");
            },
        )
        .await
        .unwrap();
        read.sort();
        plain.sort();
        assert!(
            plain.len() > 80,
            "{}: regions and districts",
            database.label
        );
        assert!(
            plain.iter().all(|(_, name, ..)| !name.is_ascii()),
            "{}: Russian names",
            database.label
        );
        assert_eq!(read, plain, "{}", database.label);

        // No rows: an empty list (PostgreSQL's json_agg of nothing is NULL).
        let none: Vec<(String,)> = ferment_store::sql::select_json(&mut reader, "code", |sql| {
            sql.push(" FROM territories WHERE code = ")
                .bind_text("нет такого");
        })
        .await
        .unwrap();
        assert!(none.is_empty(), "{}", database.label);
        drop(reader);
        store.close().await;
    }
}

#[tokio::test]
async fn an_sqlite_database_has_planner_statistics_after_migrating_on_start() {
    // Without statistics SQLite's planner guesses, and a scoped ИНН search walked a whole
    // district at a million rows; `migrate` (every start) analyzes the tables that need it.
    use sqlx::Row as _;
    let database = ferment_store::testing::sqlite();
    let store = open(&database).await;
    let mut tx = store.begin().await.unwrap();
    territories::seed(&mut tx).await.unwrap();
    for serial in 0..20 {
        counterparties::insert(
            &mut tx,
            None,
            &company(&format!("Клиент {serial}"), 900 + serial),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let analyzed = |store: ferment_store::Store| async move {
        let mut reader = store.reader().await.unwrap();
        sqlx::query(
            "SELECT COUNT(*) AS n FROM sqlite_master m WHERE m.name = 'sqlite_stat1' \
             AND EXISTS (SELECT 1 FROM sqlite_stat1 s WHERE s.tbl = 'counterparties')",
        )
        .fetch_one(&mut *reader)
        .await
        .map(|row| row.get::<i64, _>("n"))
        .unwrap_or(0)
    };
    // as a database grown since its last analysis would be (migration 0014 analyzed it empty)
    let mut tx = store.begin().await.unwrap();
    sqlx::query("DELETE FROM sqlite_stat1 WHERE tbl = 'counterparties'")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(analyzed(store.clone()).await, 0, "no statistics before");
    store.migrate().await.unwrap();
    assert_eq!(analyzed(store.clone()).await, 1, "statistics after a start");
    store.close().await;
}

#[tokio::test]
async fn a_postgresql_connection_the_server_dropped_while_idle_is_replaced_unseen() {
    // The pool checks only connections that sat idle (a busy one is not pinged on every use); a
    // restart or an administrator ending the sessions must still cost no request an error.
    use sqlx::{Connection as _, Row as _};
    let Some(server) = ferment_store::testing::postgres_url() else {
        return;
    };
    let database = ferment_store::testing::postgres(&server).await.unwrap();
    let store = open(&database).await;
    let backend = |store: ferment_store::Store| async move {
        let mut reader = store.reader().await?;
        let row = sqlx::query("SELECT pg_backend_pid() AS pid")
            .fetch_one(&mut *reader)
            .await?;
        Ok::<i64, ferment_store::StoreError>(i64::from(row.get::<i32, _>("pid")))
    };
    let before = backend(store.clone()).await.unwrap();
    let mut admin = sqlx::PgConnection::connect(&database.url).await.unwrap();
    let ended: i64 = sqlx::query(
        // (OFFSET 0 keeps the filter ahead of the call: a superuser's process is not ours to end)
        "SELECT COUNT(*) AS n FROM (SELECT pid FROM pg_stat_activity \
         WHERE datname = current_database() AND usename = current_user \
         AND backend_type = 'client backend' AND pid <> pg_backend_pid() OFFSET 0) ours \
         WHERE pg_terminate_backend(pid)",
    )
    .fetch_one(&mut admin)
    .await
    .unwrap()
    .get("n");
    admin.close().await.unwrap();
    assert!(ended >= 1, "the store's connections were ended");
    tokio::time::sleep(ferment_store::PING_WHEN_IDLE_FOR + std::time::Duration::from_secs(1)).await;
    let after = backend(store.clone())
        .await
        .expect("a fresh connection replaces the dropped one");
    assert_ne!(after, before, "a new server session");
    assert!(store.ping().await, "the store answers");
    store.close().await;
}

#[tokio::test]
async fn postgresql_connections_use_generic_plans_from_the_first_run() {
    // Every connection the pool opens, readers and the writer alike, plans prepared statements
    // once (`GENERIC_PLANS`): per-value planning of the first five runs cost a word search 1–3 ms.
    use sqlx::Row as _;
    let Some(server) = ferment_store::testing::postgres_url() else {
        return;
    };
    let database = ferment_store::testing::postgres(&server).await.unwrap();
    let store = open(&database).await;
    let mut readers = Vec::new();
    for _ in 0..3 {
        readers.push(store.reader().await.unwrap());
    }
    let mut writer = store.begin().await.unwrap();
    let mut modes = Vec::new();
    for connection in readers
        .iter_mut()
        .map(|reader| &mut **reader)
        .chain(std::iter::once(&mut *writer))
    {
        let row = sqlx::query("SELECT current_setting('plan_cache_mode') AS mode")
            .fetch_one(connection)
            .await
            .unwrap();
        modes.push(row.get::<String, _>("mode"));
    }
    assert_eq!(modes, vec!["force_generic_plan"; 4]);
    drop(readers);
    writer.rollback().await.unwrap();
    store.close().await;
}

#[tokio::test]
async fn the_commerceml_exchange_log_keeps_one_row_per_step_with_its_position() {
    use ferment_store::commerceml::{exchange_steps, log_exchange_step};
    for database in databases().await {
        let store = open(&database).await;
        let label = database.label;
        let mut tx = store.begin().await.unwrap();
        // An import in batches: the position replaces the count, a batch repeated changes nothing.
        for position in [500, 1000, 1000, 1200] {
            log_exchange_step(
                &mut tx,
                "s1",
                "import",
                "import.xml",
                Some(position),
                "progress",
                None,
            )
            .await
            .unwrap();
        }
        log_exchange_step(&mut tx, "s1", "import", "import.xml", None, "done", None)
            .await
            .unwrap();
        log_exchange_step(
            &mut tx,
            "s1",
            "import",
            "offers.xml",
            None,
            "failed",
            Some("нет цены"),
        )
        .await
        .unwrap();
        log_exchange_step(&mut tx, "s2", "query", "", Some(3), "done", None)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut reader = store.reader().await.unwrap();
        let steps = exchange_steps(&mut reader, 50).await.unwrap();
        assert_eq!(steps.len(), 3, "{label}: {steps:?}");
        let import = steps.iter().find(|s| s.file == "import.xml").unwrap();
        assert_eq!(
            (import.items, import.outcome.as_str()),
            (1200, "done"),
            "{label}"
        );
        assert!(import.updated_at >= import.started_at, "{label}");
        let offers = steps.iter().find(|s| s.file == "offers.xml").unwrap();
        assert_eq!(offers.outcome, "failed");
        assert_eq!(offers.message.as_deref(), Some("нет цены"));
        assert_eq!(
            (steps[0].kind.as_str(), steps[0].items),
            ("query", 3),
            "{label}: newest first"
        );
        assert_eq!(exchange_steps(&mut reader, 1).await.unwrap().len(), 1);
        drop(reader);

        // Steps older than 90 days go when the next one is written.
        let mut tx = store.begin().await.unwrap();
        sqlx::query("UPDATE cml_exchange_log SET updated_at = $1 WHERE session_key = $2")
            .bind("2020-01-01T00:00:00.000000Z")
            .bind("s1")
            .execute(&mut *tx)
            .await
            .unwrap();
        log_exchange_step(&mut tx, "s3", "success", "", Some(3), "done", None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut reader = store.reader().await.unwrap();
        let kinds: Vec<String> = exchange_steps(&mut reader, 50)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.kind)
            .collect();
        assert_eq!(kinds, ["success", "query"], "{label}");
        drop(reader);
        store.close().await;
    }
}
