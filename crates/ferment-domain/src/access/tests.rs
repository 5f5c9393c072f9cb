//! The access model, table-driven: every kind × operation × level against records the user owns,
//! records of the same team, of the same territory, and others.

use super::*;
use crate::access::rights::shipped;

const ME: Uuid = Uuid::from_u128(1);
const COLLEAGUE: Uuid = Uuid::from_u128(2);
const STRANGER: Uuid = Uuid::from_u128(3);
const MY_DEPARTMENT: Uuid = Uuid::from_u128(10);
const OTHER_DEPARTMENT: Uuid = Uuid::from_u128(11);
const MY_REGION: Uuid = Uuid::from_u128(20);

/// The record relations every permission is tested against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    /// Owned by the user, in another territory.
    Owned,
    /// Owned by a colleague of the same department, in another territory.
    SameTeam,
    /// Owned by a stranger, in a district inside the user's region.
    SameTerritory,
    /// Owned by a stranger of another department, in another territory.
    Other,
}

const RELATIONS: [Relation; 4] = [
    Relation::Owned,
    Relation::SameTeam,
    Relation::SameTerritory,
    Relation::Other,
];

fn facts(relation: Relation) -> RecordFacts {
    let (owner, department, path) = match relation {
        Relation::Owned => (ME, MY_DEPARTMENT, "/RU/RU-NWFD/RU-SPE/"),
        Relation::SameTeam => (COLLEAGUE, MY_DEPARTMENT, "/RU/RU-SFD/RU-NVS/"),
        Relation::SameTerritory => (STRANGER, OTHER_DEPARTMENT, "/RU/RU-VFD/RU-TA/KAZAN/"),
        Relation::Other => (STRANGER, OTHER_DEPARTMENT, "/RU/RU-CFD/RU-MOW/"),
    };
    RecordFacts {
        owner_id: Some(owner),
        owner_department_id: Some(department),
        territory_path: Some(path.into()),
    }
}

/// Which relations a level reaches.
fn expected_reach(level: Level, relation: Relation) -> bool {
    match level {
        Level::None => false,
        Level::Own => relation == Relation::Owned,
        Level::Team => matches!(relation, Relation::Owned | Relation::SameTeam),
        Level::Territory => relation == Relation::SameTerritory,
        Level::All => true,
    }
}

fn my_region() -> TerritoryRef {
    TerritoryRef {
        id: MY_REGION,
        path: "/RU/RU-VFD/RU-TA/".into(),
        inside: vec![MY_REGION],
    }
}

fn user(rights: Rights) -> Actor {
    Actor {
        user_id: ME,
        department_id: Some(MY_DEPARTMENT),
        territory: Some(my_region()),
        roles: vec![HeldRole {
            code: "role".into(),
            rights,
        }],
        overrides: Overrides::default(),
    }
}

/// A role granting `level` for one cell and `read_level` for reading that kind.
fn role(kind: RecordKind, operation: Operation, level: Level, read_level: Level) -> Rights {
    let mut rights = Rights::default();
    rights.permissions.set(kind, Operation::Read, read_level);
    rights.permissions.set(kind, operation, level);
    rights
}

#[test]
fn every_kind_operation_and_level_against_every_relation() {
    let mut cases = 0;
    for kind in RecordKind::ALL {
        for operation in Operation::ALL {
            for level in Level::ALL {
                // reading is granted to all, so only `level` decides (reading: `level` itself)
                let read_level = if *operation == Operation::Read {
                    *level
                } else {
                    Level::All
                };
                let actor = user(role(*kind, *operation, *level, read_level));
                for relation in RELATIONS {
                    let record = facts(relation);
                    let target = if *operation == Operation::Create {
                        Target::New(&record)
                    } else {
                        Target::Existing(&record)
                    };
                    let result = decide(&actor, *kind, *operation, target);
                    let expected = if expected_reach(*level, relation) {
                        Ok(())
                    } else if *operation == Operation::Read {
                        Err(Denied::Invisible)
                    } else {
                        Err(Denied::Forbidden {
                            kind: *kind,
                            operation: *operation,
                        })
                    };
                    assert_eq!(
                        result, expected,
                        "{kind:?} {operation:?} {level:?} {relation:?}"
                    );
                    // a list shows exactly the records `decide` lets the user read
                    if *operation == Operation::Read {
                        assert_eq!(
                            scope_matches(&list_scope(&actor, *kind, Operation::Read), relation),
                            expected_reach(*level, relation),
                            "list {kind:?} {level:?} {relation:?}"
                        );
                    }
                    cases += 1;
                }
            }
        }
    }
    assert_eq!(
        cases,
        RecordKind::ALL.len() * Operation::ALL.len() * Level::ALL.len() * 4
    );
}

/// What the store does with a scope, over the four test records.
fn scope_matches(scope: &Scope, relation: Relation) -> bool {
    let record = facts(relation);
    match scope {
        Scope::None => false,
        Scope::All => true,
        Scope::Some {
            owner,
            department,
            territory,
        } => {
            let by_owner = owner.is_some() && record.owner_id == *owner;
            let by_team = department.is_some() && record.owner_department_id == *department;
            let by_territory = territory.as_ref().is_some_and(|territory| {
                territory.id == MY_REGION
                    && record
                        .territory_path
                        .as_deref()
                        .is_some_and(|p| territory.contains(p))
            });
            by_owner || by_team || by_territory
        }
    }
}

#[test]
fn what_a_user_cannot_read_is_invisible_for_every_other_operation() {
    for kind in RecordKind::ALL {
        for operation in [Operation::Edit, Operation::Delete, Operation::Export] {
            let actor = user(role(*kind, operation, Level::All, Level::Own));
            let other = facts(Relation::Other);
            assert_eq!(
                decide(&actor, *kind, operation, Target::Existing(&other)),
                Err(Denied::Invisible),
                "{kind:?} {operation:?}"
            );
            let mine = facts(Relation::Owned);
            assert_eq!(
                decide(&actor, *kind, operation, Target::Existing(&mine)),
                Ok(())
            );
        }
    }
}

#[test]
fn roles_add_up() {
    let mut actor = user(role(
        RecordKind::Sale,
        Operation::Read,
        Level::Own,
        Level::Own,
    ));
    actor.roles.push(HeldRole {
        code: "second".into(),
        rights: role(
            RecordKind::Sale,
            Operation::Read,
            Level::Territory,
            Level::Territory,
        ),
    });
    for relation in RELATIONS {
        let record = facts(relation);
        let visible = matches!(relation, Relation::Owned | Relation::SameTerritory);
        assert_eq!(
            decide(
                &actor,
                RecordKind::Sale,
                Operation::Read,
                Target::Existing(&record)
            )
            .is_ok(),
            visible,
            "{relation:?}"
        );
        assert_eq!(
            scope_matches(
                &list_scope(&actor, RecordKind::Sale, Operation::Read),
                relation
            ),
            visible
        );
    }
    assert_eq!(
        list_scope(&actor, RecordKind::Sale, Operation::Read),
        Scope::Some {
            owner: Some(ME),
            department: None,
            territory: Some(my_region())
        }
    );
}

#[test]
fn an_override_widens_or_narrows_one_cell_for_one_user() {
    let mut actor = user(role(
        RecordKind::Counterparty,
        Operation::Read,
        Level::Territory,
        Level::Territory,
    ));
    actor
        .overrides
        .set(RecordKind::Counterparty, Operation::Read, Some(Level::All));
    let other = facts(Relation::Other);
    assert_eq!(
        decide(
            &actor,
            RecordKind::Counterparty,
            Operation::Read,
            Target::Existing(&other)
        ),
        Ok(())
    );
    assert_eq!(
        verdict(
            &actor,
            RecordKind::Counterparty,
            Operation::Read,
            Target::Existing(&other)
        )
        .allowed_by,
        Some((
            Grant {
                level: Level::All,
                source: Source::Override
            },
            Reason::All
        ))
    );
    actor
        .overrides
        .set(RecordKind::Counterparty, Operation::Read, Some(Level::None));
    let near = facts(Relation::SameTerritory);
    assert_eq!(
        decide(
            &actor,
            RecordKind::Counterparty,
            Operation::Read,
            Target::Existing(&near)
        ),
        Err(Denied::Invisible)
    );
    assert_eq!(
        list_scope(&actor, RecordKind::Counterparty, Operation::Read),
        Scope::None
    );
    actor
        .overrides
        .set(RecordKind::Counterparty, Operation::Read, None);
    assert_eq!(
        decide(
            &actor,
            RecordKind::Counterparty,
            Operation::Read,
            Target::Existing(&near)
        ),
        Ok(())
    );
}

#[test]
fn team_without_a_department_is_the_user_alone_and_territory_without_one_is_nothing() {
    let mut actor = user(role(
        RecordKind::Task,
        Operation::Read,
        Level::Team,
        Level::Team,
    ));
    actor.department_id = None;
    assert_eq!(
        list_scope(&actor, RecordKind::Task, Operation::Read),
        Scope::Some {
            owner: Some(ME),
            department: None,
            territory: None
        }
    );
    let colleague = facts(Relation::SameTeam);
    assert!(
        decide(
            &actor,
            RecordKind::Task,
            Operation::Read,
            Target::Existing(&colleague)
        )
        .is_err()
    );
    let mut actor = user(role(
        RecordKind::Task,
        Operation::Read,
        Level::Territory,
        Level::Territory,
    ));
    actor.territory = None;
    assert_eq!(
        list_scope(&actor, RecordKind::Task, Operation::Read),
        Scope::None
    );
}

#[test]
fn records_without_owner_or_territory_are_reached_only_by_all() {
    let bare = RecordFacts::default();
    for level in Level::ALL {
        let actor = user(role(RecordKind::Product, Operation::Read, *level, *level));
        assert_eq!(
            decide(
                &actor,
                RecordKind::Product,
                Operation::Read,
                Target::Existing(&bare)
            )
            .is_ok(),
            *level == Level::All,
            "{level:?}"
        );
    }
}

#[test]
fn creating_checks_the_new_records_facts() {
    let actor = user(role(
        RecordKind::Counterparty,
        Operation::Create,
        Level::Territory,
        Level::Territory,
    ));
    assert_eq!(
        decide(
            &actor,
            RecordKind::Counterparty,
            Operation::Create,
            Target::Kind
        ),
        Ok(())
    );
    let inside = facts(Relation::SameTerritory);
    assert_eq!(
        decide(
            &actor,
            RecordKind::Counterparty,
            Operation::Create,
            Target::New(&inside)
        ),
        Ok(())
    );
    let elsewhere = facts(Relation::Other);
    assert_eq!(
        decide(
            &actor,
            RecordKind::Counterparty,
            Operation::Create,
            Target::New(&elsewhere)
        ),
        Err(Denied::Forbidden {
            kind: RecordKind::Counterparty,
            operation: Operation::Create
        })
    );
    let nobody = user(Rights::default());
    assert!(
        decide(
            &nobody,
            RecordKind::Counterparty,
            Operation::Create,
            Target::Kind
        )
        .is_err()
    );
}

#[test]
fn system_operations_and_hidden_fields_add_up_across_roles() {
    let technologist = HeldRole {
        code: roles::TECHNOLOGIST.into(),
        rights: shipped(roles::TECHNOLOGIST).unwrap(),
    };
    let mut actor = Actor::with_roles(ME, vec![technologist]);
    assert!(!actor.sees(ProtectedField::ProductPrice));
    assert_eq!(
        decide_system(&actor, SystemOp::ManageUsers),
        Err(Denied::System(SystemOp::ManageUsers))
    );
    actor.roles.push(HeldRole {
        code: roles::ADMIN.into(),
        rights: shipped(roles::ADMIN).unwrap(),
    });
    assert!(actor.sees(ProtectedField::ProductPrice));
    assert_eq!(decide_system(&actor, SystemOp::ManageUsers), Ok(()));
    let nobody = Actor::with_roles(ME, vec![]);
    assert!(!nobody.sees(ProtectedField::ProductPrice));
}

#[test]
fn the_shipped_roles() {
    let held = |code: &str| HeldRole {
        code: code.into(),
        rights: shipped(code).unwrap(),
    };
    let mut regional = user(Rights::default());
    regional.roles = vec![held(roles::REGIONAL_MANAGER)];
    let near = facts(Relation::SameTerritory);
    let far = facts(Relation::Other);
    let read = |actor: &Actor, record: &RecordFacts| {
        decide(
            actor,
            RecordKind::Counterparty,
            Operation::Read,
            Target::Existing(record),
        )
        .is_ok()
    };
    assert!(read(&regional, &near));
    assert!(!read(&regional, &far));
    let mut head = regional.clone();
    head.roles = vec![held(roles::HEAD_OF_SALES)];
    assert!(read(&head, &near) && read(&head, &far));
    assert!(head.may(SystemOp::SeeCosts) && !head.may(SystemOp::ManageUsers));
    let mut technologist = regional.clone();
    technologist.roles = vec![held(roles::TECHNOLOGIST)];
    assert!(read(&technologist, &far));
    assert!(
        decide(
            &technologist,
            RecordKind::Counterparty,
            Operation::Edit,
            Target::Existing(&far)
        )
        .is_err()
    );
    assert!(!technologist.sees(ProtectedField::ProductPrice));
    assert!(shipped("nonsense").is_none());
}

#[test]
fn explain_names_the_rule_behind_each_operation() {
    let mut actor = user(shipped(roles::REGIONAL_MANAGER).unwrap());
    actor.roles[0].code = roles::REGIONAL_MANAGER.into();
    let near = facts(Relation::SameTerritory);
    let verdicts = explain(&actor, RecordKind::Counterparty, &near);
    assert_eq!(verdicts.len(), Operation::ALL.len());
    let read = &verdicts[0];
    assert_eq!(read.operation, Operation::Read);
    assert_eq!(
        read.allowed_by,
        Some((
            Grant {
                level: Level::Territory,
                source: Source::Role(roles::REGIONAL_MANAGER.into())
            },
            Reason::Territory
        ))
    );
    let delete = verdicts
        .iter()
        .find(|v| v.operation == Operation::Delete)
        .unwrap();
    assert_eq!(delete.allowed_by, None);
    assert_eq!(
        delete.grants.len(),
        1,
        "own, which does not reach a stranger's record"
    );
    assert!(matches!(delete.denied, Some(Denied::Forbidden { .. })));
}

#[test]
fn rights_round_trip_through_json_and_bad_input_names_the_cell() {
    for code in [
        roles::ADMIN,
        roles::MANAGER,
        roles::HEAD_OF_SALES,
        roles::REGIONAL_MANAGER,
        roles::TECHNOLOGIST,
    ] {
        let mut rights = shipped(code).unwrap();
        rights.ip_allow = vec![ip::parse_net("10.1.0.0/16").unwrap()];
        assert_eq!(Rights::from_json(&rights.to_json()), Ok(rights), "{code}");
    }
    let bad = serde_json::json!({
        "permissions": {"lead": {"read": "everything", "fly": "all"}, "spaceship": {}},
        "system": ["manage_users", "launch"],
        "hidden_fields": [1],
        "ip_allow": ["10.0.0.0/8", "10.0.0.0/99"],
    });
    let errors = Rights::from_json(&bad).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    for field in [
        "permissions.lead.read",
        "permissions.lead.fly",
        "permissions.spaceship",
        "system[1]",
        "hidden_fields[0]",
        "ip_allow[1]",
    ] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let mut overrides = Overrides::default();
    overrides.set(RecordKind::Lead, Operation::Delete, Some(Level::None));
    assert_eq!(
        Overrides::from_json(&overrides.to_json(), "overrides"),
        Ok(overrides)
    );
}
