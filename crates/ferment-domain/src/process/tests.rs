//! Tests of the process: the definition's validation, the shipped default walked through stage by
//! stage with the exact tasks each step creates, and properties of random event sequences.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::*;
use crate::validation::Lang;

// ------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------

/// A sale on the default definition, with deterministic task ids.
struct Sale {
    def: Definition,
    state: SaleState,
    next_id: u128,
}

impl Sale {
    fn new(lines: Vec<LineFacts>) -> Sale {
        Sale::on(default_definition(), lines)
    }

    fn on(def: Definition, lines: Vec<LineFacts>) -> Sale {
        let transition = start(&def, &lines);
        let mut sale = Sale {
            def,
            state: SaleState::new(lines),
            next_id: 0,
        };
        sale.fold(&transition);
        sale
    }

    fn fold(&mut self, transition: &Transition) {
        let mut n = self.next_id;
        self.state.apply_transition(transition, || {
            n += 1;
            Uuid::from_u128(n)
        });
        self.next_id = n;
    }

    fn event(&mut self, event: Event) -> Result<Transition, ProcessError> {
        let transition = apply(&self.def, &self.state, &event)?;
        self.fold(&transition);
        Ok(transition)
    }

    fn enter_with(
        &mut self,
        stage: &str,
        process_type: Option<ProcessType>,
        contract_kind: Option<ContractKind>,
        reason: Option<&str>,
    ) -> Result<Transition, ProcessError> {
        self.event(Event::Enter {
            stage: stage.into(),
            process_type,
            contract_kind,
            reason: reason.map(Into::into),
        })
    }

    fn enter(&mut self, stage: &str) -> Transition {
        self.enter_with(stage, None, None, None)
            .unwrap_or_else(|e| panic!("entering {stage}: {e}"))
    }

    fn skip(&mut self, stage: &str) -> Result<Transition, ProcessError> {
        self.event(Event::Skip {
            stage: stage.into(),
        })
    }

    fn task_id(&self, code: &str, product: Option<Uuid>) -> Uuid {
        self.state
            .open_tasks()
            .find(|t| t.code == code && t.product_id == product)
            .unwrap_or_else(|| panic!("no open task {code} for {product:?}"))
            .id
    }

    fn complete_with(
        &mut self,
        code: &str,
        product: Option<Uuid>,
        outcome: Option<&str>,
        data: Map<String, Value>,
    ) -> Result<Transition, ProcessError> {
        let task_id = self.task_id(code, product);
        self.event(Event::Complete {
            task_id,
            outcome: outcome.map(Into::into),
            data,
        })
    }

    fn complete(&mut self, code: &str, outcome: Option<&str>) -> Transition {
        self.complete_line(code, None, outcome)
    }

    fn complete_line(
        &mut self,
        code: &str,
        product: Option<Uuid>,
        outcome: Option<&str>,
    ) -> Transition {
        self.complete_with(code, product, outcome, Map::new())
            .unwrap_or_else(|e| panic!("completing {code}: {e}"))
    }

    /// The open tasks' codes, sorted.
    fn open(&self) -> Vec<String> {
        let mut codes: Vec<String> = self.state.open_tasks().map(|t| t.code.clone()).collect();
        codes.sort();
        codes
    }
}

/// The codes of the tasks a transition creates, in order.
fn created(transition: &Transition) -> Vec<&str> {
    transition.create.iter().map(|t| t.code.as_str()).collect()
}

/// The (code, product) of the tasks a transition creates, in order.
fn created_lines(transition: &Transition) -> Vec<(&str, Option<Uuid>)> {
    transition
        .create
        .iter()
        .map(|t| (t.code.as_str(), t.product_id))
        .collect()
}

fn data(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn line(n: u128, needs_sample: bool, office: bool, warehouse: bool, paid: bool) -> LineFacts {
    LineFacts {
        product_id: Uuid::from_u128(1000 + n),
        needs_sample,
        sample_paid: paid,
        in_office_stock: office,
        in_warehouse_stock: warehouse,
    }
}

/// A sale past the preliminary proposal with the process type chosen.
fn chosen(process_type: &str, lines: Vec<LineFacts>) -> Sale {
    let mut sale = Sale::new(lines);
    sale.enter("preliminary_kp");
    sale.complete("send_preliminary_kp", Some(process_type));
    sale
}

// ------------------------------------------------------------------------------------------------
// The definition format and its validation
// ------------------------------------------------------------------------------------------------

#[test]
fn the_default_definition_parses_and_has_the_contract_codes() {
    let def = default_definition();
    let codes: Vec<&str> = def.stages.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "qualification",
            "preliminary_kp",
            "recipe",
            "samples",
            "pilot_visit",
            "industrial_trial",
            "kp",
            "contract",
            "awaiting_order",
            "won",
            "lost"
        ]
    );
    let names: Vec<&str> = def.stages.iter().map(|s| s.name(Lang::Ru)).collect();
    assert_eq!(
        names,
        [
            "Квалификация",
            "Предварительное КП",
            "Выбор рецептуры",
            "Отправка образцов",
            "Визит на пилотную линию",
            "Промышленная выработка",
            "Коммерческое предложение",
            "Договор",
            "Ожидание заказа",
            "Успешно",
            "Проиграна"
        ]
    );
    let stage = |code| def.stage(code).expect(code);
    for code in ["recipe", "samples", "pilot_visit", "industrial_trial"] {
        assert!(stage(code).belongs_to(ProcessType::Full), "{code}");
        assert!(!stage(code).belongs_to(ProcessType::Short), "{code}");
        assert!(stage(code).optional_in(ProcessType::Full), "{code}");
    }
    for code in ["kp", "contract"] {
        assert!(stage(code).belongs_to_all(), "{code}");
        assert!(stage(code).optional_in(ProcessType::Full), "{code}");
        assert!(!stage(code).optional_in(ProcessType::Short), "{code}");
    }
    for code in ["qualification", "preliminary_kp", "awaiting_order"] {
        assert!(stage(code).belongs_to_all(), "{code}");
    }
    assert!(stage("contract").requires(Requirement::ContractKind));
    assert!(stage("lost").reason_required);
    assert_eq!(stage("won").kind, StageKind::Won);
    assert_eq!(stage("lost").kind, StageKind::Lost);
    assert!(def.won_from.is_empty());
    assert_eq!(
        stage("qualification").next,
        ["preliminary_kp".to_string(), "kp".to_string()]
    );
    // The JSON form for the API carries the same codes.
    let json = serde_json::to_value(&def).expect("serialises");
    assert_eq!(
        json["stages"][7]["requires"],
        json!(["process_type", "contract_kind"])
    );
    assert_eq!(json["tasks"][1]["assignee"], json!("role:technologist"));
    assert_eq!(
        json["tasks"][1]["outcomes"][0]["create"],
        json!(["send_recipe"])
    );
}

const MINI: &str = r#"
code = "mini"
name_ru = "Мини"
name_en = "Mini"

[[stages]]
code = "a"
name_ru = "А"
name_en = "A"
next = ["b", "c"]

[[stages]]
code = "b"
name_ru = "Б"
name_en = "B"
optional = ["full", "short"]
next = ["c"]

[[stages]]
code = "c"
name_ru = "В"
name_en = "C"

[[stages]]
code = "won"
name_ru = "Успешно"
name_en = "Won"
kind = "won"

[[stages]]
code = "lost"
name_ru = "Проиграна"
name_en = "Lost"
kind = "lost"
reason_required = true

[[tasks]]
code = "t1"
name_ru = "Задача 1"
name_en = "Task 1"
stage = "a"
on_enter = true
then.create = ["t2"]

[[tasks]]
code = "t2"
name_ru = "Задача 2"
name_en = "Task 2"
stage = "a"

[[tasks.outcomes]]
code = "yes"
name_ru = "Да"
name_en = "Yes"
create = ["t1"]
"#;

/// Parses `MINI` with one replacement, expecting errors.
fn errors_of(from: &str, to: &str) -> Vec<DefinitionError> {
    assert!(MINI.contains(from), "MINI has no {from:?}");
    let text = MINI.replacen(from, to, 1);
    Definition::parse(&text).expect_err("the definition should be refused")
}

fn paths(errors: &[DefinitionError]) -> Vec<&str> {
    errors.iter().map(|e| e.path.as_str()).collect()
}

#[test]
fn the_small_definition_is_valid() {
    let def = Definition::parse(MINI).expect("valid");
    assert_eq!(def.stages.len(), 5);
    assert_eq!(def.tasks[1].outcomes[0].effects.create, ["t1".to_string()]);
}

#[test]
fn an_unknown_stage_in_next_is_refused_with_its_path() {
    let errors = errors_of(r#"next = ["b", "c"]"#, r#"next = ["b", "kpp"]"#);
    assert_eq!(paths(&errors), ["stages.a.next"]);
    assert_eq!(
        errors[0].message(Lang::Ru),
        "Этап `kpp` не существует (stages.a.next)"
    );
    assert_eq!(
        errors[0].message(Lang::En),
        "Stage `kpp` does not exist (stages.a.next)"
    );
    assert_eq!(errors[0].to_string(), errors[0].message_en);
    assert_eq!(errors[0].line, None);
}

#[test]
fn an_unknown_task_in_create_is_refused_with_its_path() {
    let errors = errors_of(r#"then.create = ["t2"]"#, r#"then.create = ["t3"]"#);
    assert_eq!(paths(&errors), ["tasks.t1.then.create"]);
    assert!(errors[0].message_en.contains("Task `t3` does not exist"));
    let errors = errors_of(r#"create = ["t1"]"#, r#"create = ["t9"]"#);
    assert_eq!(paths(&errors), ["tasks.t2.outcomes.yes.create"]);
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = MINI
        .replacen(r#"next = ["b", "c"]"#, r#"next = ["b", "x"]"#, 1)
        .replacen(r#"then.create = ["t2"]"#, r#"then.create = ["t3"]"#, 1)
        .replacen(r#"stage = "a""#, r#"stage = "zz""#, 1);
    let errors = Definition::parse(&text).expect_err("refused");
    let found = paths(&errors);
    for path in ["stages.a.next", "tasks.t1.then.create", "tasks.t1.stage"] {
        assert!(found.contains(&path), "{path} in {found:?}");
    }
}

#[test]
fn an_unreachable_stage_is_refused() {
    let errors = errors_of(r#"next = ["b", "c"]"#, r#"next = ["c"]"#);
    assert_eq!(paths(&errors), ["stages.b"]);
    assert!(errors[0].message_en.contains("Stage `b` cannot be reached"));
    assert!(errors[0].message_ru.contains("До этапа `b` нельзя дойти"));
}

#[test]
fn a_cycle_without_a_way_to_win_is_refused() {
    let text = r#"
code = "loop"
name_ru = "Цикл"
name_en = "Loop"
won_from = ["c"]

[[stages]]
code = "a"
name_ru = "А"
name_en = "A"
next = ["c", "b"]

[[stages]]
code = "c"
name_ru = "В"
name_en = "C"
optional = ["full", "short"]

[[stages]]
code = "b"
name_ru = "Б"
name_en = "B"
next = ["d"]

[[stages]]
code = "d"
name_ru = "Г"
name_en = "D"
next = ["b"]

[[stages]]
code = "won"
name_ru = "Успешно"
name_en = "Won"
kind = "won"

[[stages]]
code = "lost"
name_ru = "Проиграна"
name_en = "Lost"
kind = "lost"
"#;
    let errors = Definition::parse(text).expect_err("refused");
    assert_eq!(paths(&errors), ["stages.b.next", "stages.d.next"]);
    assert!(
        errors[0]
            .message_en
            .contains("From stage `b` the sale can never be won"),
        "{}",
        errors[0]
    );
    // Let `d` win and the cycle has an exit.
    let fixed = text.replace(r#"won_from = ["c"]"#, r#"won_from = ["c", "d"]"#);
    Definition::parse(&fixed).expect("valid once d can win");
}

#[test]
fn duplicate_codes_are_refused() {
    let errors = errors_of(
        "code = \"c\"\nname_ru = \"В\"",
        "code = \"b\"\nname_ru = \"В\"",
    );
    assert!(paths(&errors).contains(&"stages.b"), "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e.message_en.contains("declared twice"))
    );
    let errors = errors_of("code = \"t2\"", "code = \"t1\"");
    assert!(paths(&errors).contains(&"tasks.t1"), "{errors:?}");
    let text = MINI.to_string()
        + r#"
[[tasks.outcomes]]
code = "yes"
name_ru = "Да"
name_en = "Yes"
"#;
    let errors = Definition::parse(&text).expect_err("refused");
    assert_eq!(paths(&errors), ["tasks.t2.outcomes.yes"]);
}

#[test]
fn bad_codes_are_refused() {
    let errors = errors_of("code = \"t2\"", "code = \"Task-2\"");
    assert!(paths(&errors).contains(&"tasks.Task-2.code"), "{errors:?}");
}

#[test]
fn toml_errors_carry_their_line() {
    // An unknown key (a typo) on line 10.
    let text = MINI.replacen(r#"next = ["b", "c"]"#, r#"nxt = ["b", "c"]"#, 1);
    assert_eq!(text.lines().nth(9), Some(r#"nxt = ["b", "c"]"#));
    let errors = Definition::parse(&text).expect_err("refused");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, Some(10), "{}", errors[0]);
    assert!(errors[0].message_en.contains("nxt"), "{}", errors[0]);
    assert!(errors[0].message_ru.starts_with("Ошибка TOML в строке 10"));
    // A syntax error.
    let errors = Definition::parse("code = \"x\"\nname_ru = \n").expect_err("refused");
    assert_eq!(errors[0].line, Some(2));
    // A value outside a closed list.
    let text = MINI.replacen(r#"kind = "won""#, r#"kind = "victory""#, 1);
    let errors = Definition::parse(&text).expect_err("refused");
    let line = text
        .lines()
        .position(|l| l.contains("victory"))
        .map(|i| i + 1);
    assert_eq!(errors[0].line, line);
    assert!(errors[0].message_en.contains("victory"));
    // A negated condition that does not exist.
    let text = MINI.replacen("on_enter = true", "on_enter = true\nwhen = [\"!sunny\"]", 1);
    let errors = Definition::parse(&text).expect_err("refused");
    assert!(errors[0].message_en.contains("sunny"), "{}", errors[0]);
}

#[test]
fn a_jump_over_a_mandatory_stage_is_refused() {
    let errors = errors_of(r#"optional = ["full", "short"]"#, r#"optional = ["full"]"#);
    assert_eq!(paths(&errors), ["stages.a.next"]);
    assert!(
        errors[0]
            .message_en
            .contains("jumps over stage `b`, which is mandatory in process `short`"),
        "{}",
        errors[0]
    );
    // A stage outside the type may be jumped over in it.
    let text = MINI.replacen(
        r#"optional = ["full", "short"]"#,
        "types = [\"full\"]\noptional = [\"full\"]",
        1,
    );
    Definition::parse(&text).expect("b is not in short");
}

#[test]
fn shape_rules_are_checked() {
    let cases: &[(&str, &str, &str)] = &[
        (r#"kind = "won""#, r#"kind = "lost""#, "stages"),
        (
            r#"optional = ["full", "short"]"#,
            "types = [\"full\"]\noptional = [\"full\", \"short\"]",
            "stages.b.optional",
        ),
        (
            "stage = \"a\"\non_enter = true",
            "stage = \"won\"\non_enter = true",
            "tasks.t1.stage",
        ),
        (
            "on_enter = true",
            "on_enter = true\ndue_days = 400",
            "tasks.t1.due_days",
        ),
        (
            "name_en = \"C\"",
            "name_en = \"C\"\nprobability = 150",
            "stages.c.probability",
        ),
        (
            "on_enter = true",
            "on_enter = true\nwait_for = [\"nope\"]",
            "tasks.t1.wait_for",
        ),
        (r#"next = ["c"]"#, r#"next = ["won"]"#, "stages.b.next"),
        (
            r#"code = "mini""#,
            r#"code = "mini"
won_from = ["lost"]"#,
            "won_from",
        ),
        (r#"name_ru = "Б""#, r#"name_ru = " ""#, "stages.b.name_ru"),
    ];
    for (from, to, path) in cases {
        let errors = errors_of(from, to);
        assert!(
            paths(&errors).contains(path),
            "{to}: expected {path}, got {errors:?}"
        );
    }
}

#[test]
fn conditions_and_assignees_read_and_write_as_text() {
    let condition = Condition::from_code("!in_office_stock").expect("valid");
    assert!(condition.negated);
    assert_eq!(condition.predicate, Predicate::InOfficeStock);
    assert_eq!(condition.to_string(), "!in_office_stock");
    assert_eq!(Condition::from_code("sunny"), None);
    assert_eq!(
        AssigneeRule::from_code("role:technologist"),
        Some(AssigneeRule::Role("technologist".into()))
    );
    assert_eq!(
        AssigneeRule::from_code("user:e.romanova").map(|a| a.to_string()),
        Some("user:e.romanova".into())
    );
    assert_eq!(AssigneeRule::from_code("role:"), None);
    assert_eq!(AssigneeRule::from_code("boss"), None);
    assert_eq!(
        ContractKind::ContractAndSpecification.label(Lang::Ru),
        "Договор + спецификация"
    );
    let kind: ContractKind = serde_json::from_value(json!("specification")).expect("a code");
    assert_eq!(kind, ContractKind::Specification);
    assert!(serde_json::from_value::<ProcessType>(json!("medium")).is_err());
}

// ------------------------------------------------------------------------------------------------
// The default process, step by step
// ------------------------------------------------------------------------------------------------

#[test]
fn a_new_sale_starts_in_qualification_without_tasks() {
    let def = default_definition();
    let transition = start(&def, &[]);
    assert_eq!(transition.stage, "qualification");
    assert_eq!(
        transition.marks,
        [StageMark {
            stage: "qualification".into(),
            mark: Mark::Entered
        }]
    );
    assert!(transition.create.is_empty());
    let sale = Sale::new(vec![]);
    // With the type not chosen yet, a move may choose it: the full process may skip the
    // (optional) preliminary proposal, and a direct short sale goes straight to `kp`.
    assert_eq!(
        allowed_moves(&sale.def, &sale.state),
        [
            "preliminary_kp",
            "recipe",
            "samples",
            "pilot_visit",
            "industrial_trial",
            "kp",
            "contract",
            "awaiting_order",
            "won",
            "lost"
        ]
    );
}

#[test]
fn the_full_process_through_every_optional_stage() {
    let lines = vec![line(1, true, true, false, false)];
    let mut sale = Sale::new(lines.clone());
    let product = Some(lines[0].product_id);

    let t = sale.enter("preliminary_kp");
    assert_eq!(created(&t), ["send_preliminary_kp"]);
    assert_eq!(t.create[0].assignee, AssigneeRule::Owner);
    assert_eq!(t.create[0].due_days, 2);

    // The preliminary proposal needs an outcome: the process type.
    let err = sale
        .complete_with("send_preliminary_kp", None, None, Map::new())
        .expect_err("needs an outcome");
    assert_eq!(
        err,
        ProcessError::OutcomeRequired {
            allowed: vec!["full".into(), "short".into()]
        }
    );
    assert_eq!(err.field(), "outcome");
    let t = sale.complete("send_preliminary_kp", Some("full"));
    assert_eq!(t.process_type, Some(ProcessType::Full));
    assert!(t.create.is_empty());
    assert_eq!(sale.state.process_type, Some(ProcessType::Full));

    let t = sale.enter("recipe");
    assert_eq!(created(&t), ["choose_recipe"]);
    assert_eq!(
        t.create[0].assignee,
        AssigneeRule::Role("technologist".into())
    );
    let err = sale
        .complete_with("choose_recipe", None, Some("existing"), Map::new())
        .expect_err("needs the recipe");
    assert_eq!(
        err,
        ProcessError::MissingData {
            key: "recipe_id".into()
        }
    );
    assert_eq!(err.field(), "data.recipe_id");
    let t = sale
        .complete_with(
            "choose_recipe",
            None,
            Some("existing"),
            data(&[("recipe_id", json!("r-1"))]),
        )
        .expect("completes");
    assert_eq!(created(&t), ["send_recipe"]);
    assert_eq!(
        t.completed.as_ref().and_then(|c| c.outcome.as_deref()),
        Some("existing")
    );
    assert_eq!(
        created(&sale.complete("send_recipe", None)),
        Vec::<&str>::new()
    );

    let t = sale.enter("samples");
    assert_eq!(created_lines(&t), [("send_sample", product)]);
    let t = sale.complete_line("send_sample", product, None);
    assert_eq!(created_lines(&t), [("get_test_conclusion", product)]);
    let t = sale.complete_line("get_test_conclusion", product, Some("positive"));
    assert!(t.create.is_empty());

    let t = sale.enter("pilot_visit");
    assert_eq!(created(&t), ["arrange_business_trip"]);
    assert_eq!(
        created(&sale.complete("arrange_business_trip", None)),
        ["record_visit_results"]
    );
    assert!(
        sale.complete("record_visit_results", None)
            .create
            .is_empty()
    );

    let t = sale.enter("industrial_trial");
    assert_eq!(created(&t), ["send_trial_sample"]);
    assert_eq!(
        created(&sale.complete("send_trial_sample", None)),
        ["get_trial_feedback"]
    );
    assert_eq!(
        created(&sale.complete("get_trial_feedback", Some("success"))),
        ["draw_purchase_plan"]
    );
    assert!(sale.complete("draw_purchase_plan", None).create.is_empty());

    let t = sale.enter("kp");
    assert_eq!(created(&t), ["check_delivery_terms"]);
    assert_eq!(
        created(&sale.complete("check_delivery_terms", None)),
        ["prepare_kp"]
    );
    assert_eq!(created(&sale.complete("prepare_kp", None)), ["send_kp"]);
    assert_eq!(
        created(&sale.complete("send_kp", None)),
        ["get_kp_feedback"]
    );
    let t = sale.complete("get_kp_feedback", Some("accepted"));
    assert!(t.create.is_empty());
    assert_eq!(t.suggest.as_deref(), Some("contract"));

    let err = sale
        .enter_with("contract", None, None, None)
        .expect_err("needs the kind");
    assert!(matches!(err, ProcessError::NeedsContractKind { .. }));
    assert_eq!(err.field(), "contract_kind");
    let t = sale
        .enter_with(
            "contract",
            None,
            Some(ContractKind::ContractAndSpecification),
            None,
        )
        .expect("enters");
    assert!(t.create.is_empty());
    assert_eq!(
        t.contract_kind,
        Some(ContractKind::ContractAndSpecification)
    );

    let t = sale.enter("awaiting_order");
    assert!(t.create.is_empty());
    assert!(sale.open().is_empty());

    let t = sale.enter("won");
    assert_eq!(t.closed, Some(StageKind::Won));
    let marks: Vec<(&str, Mark)> = sale
        .state
        .marks
        .iter()
        .map(|m| (m.stage.as_str(), m.mark))
        .collect();
    assert!(marks.iter().all(|(_, m)| *m == Mark::Entered), "{marks:?}");
    assert_eq!(marks.len(), 10);
    let err = sale
        .enter_with("lost", None, None, Some("late"))
        .expect_err("closed");
    assert!(matches!(err, ProcessError::ClosedSale { .. }));
    assert!(allowed_moves(&sale.def, &sale.state).is_empty());
}

#[test]
fn recipe_in_house_and_from_partner_with_the_join() {
    // In-house.
    let mut sale = chosen("full", vec![]);
    sale.enter("recipe");
    assert_eq!(
        created(&sale.complete("choose_recipe", Some("in_house"))),
        ["develop_recipe"]
    );
    assert_eq!(
        created(&sale.complete("develop_recipe", None)),
        ["send_recipe"]
    );
    assert_eq!(sale.open(), ["send_recipe"]);

    // From a partner, the recipe last: send_recipe waits for both.
    let mut sale = chosen("full", vec![]);
    sale.enter("recipe");
    let t = sale.complete("choose_recipe", Some("from_partner"));
    assert_eq!(
        created(&t),
        ["write_tech_spec", "obtain_recipe_from_partner"]
    );
    assert!(sale.complete("write_tech_spec", None).create.is_empty());
    assert_eq!(sale.open(), ["obtain_recipe_from_partner"]);
    assert_eq!(
        created(&sale.complete("obtain_recipe_from_partner", None)),
        ["send_recipe"]
    );
    assert_eq!(sale.open(), ["send_recipe"]);

    // The other order.
    let mut sale = chosen("full", vec![]);
    sale.enter("recipe");
    sale.complete("choose_recipe", Some("from_partner"));
    assert!(
        sale.complete("obtain_recipe_from_partner", None)
            .create
            .is_empty()
    );
    assert_eq!(
        created(&sale.complete("write_tech_spec", None)),
        ["send_recipe"]
    );

    // An unknown outcome names the allowed ones.
    let mut sale = chosen("full", vec![]);
    sale.enter("recipe");
    let err = sale
        .complete_with("choose_recipe", None, Some("bought"), Map::new())
        .expect_err("no such outcome");
    assert_eq!(
        err,
        ProcessError::UnknownOutcome {
            outcome: "bought".into(),
            allowed: vec!["existing".into(), "in_house".into(), "from_partner".into()]
        }
    );
    assert!(
        err.message(Lang::Ru)
            .contains("`existing`, `in_house`, `from_partner`")
    );
}

#[test]
fn samples_follow_each_flagged_line_with_its_product() {
    let office = line(1, true, true, true, false);
    let warehouse = line(2, true, false, true, false);
    let nowhere = line(3, true, false, false, false);
    let unflagged = line(4, false, false, false, false);
    let (a, b, c) = (
        Some(office.product_id),
        Some(warehouse.product_id),
        Some(nowhere.product_id),
    );
    let mut sale = chosen("full", vec![office, warehouse, nowhere, unflagged]);
    let t = sale.enter("samples");
    assert_eq!(t.marks.len(), 2, "recipe skipped, samples entered");
    assert_eq!(t.marks[0].stage, "recipe");
    assert_eq!(t.marks[0].mark, Mark::Skipped);
    assert_eq!(
        created_lines(&t),
        [
            ("send_sample", a),
            ("order_sample_from_warehouse", b),
            ("request_sample_from_supplier", c),
        ]
    );
    assert_eq!(t.create[1].assignee, AssigneeRule::Role("logistics".into()));

    // The office line.
    let t = sale.complete_line("send_sample", a, None);
    assert_eq!(created_lines(&t), [("get_test_conclusion", a)]);

    // The warehouse line.
    let t = sale.complete_line("order_sample_from_warehouse", b, None);
    assert_eq!(created_lines(&t), [("receive_sample", b)]);
    let t = sale.complete_line("receive_sample", b, None);
    assert_eq!(created_lines(&t), [("send_sample", b)]);
    let t = sale.complete_line("send_sample", b, None);
    assert_eq!(created_lines(&t), [("get_test_conclusion", b)]);

    // The supplier line.
    let t = sale.complete_line("request_sample_from_supplier", c, None);
    assert_eq!(created_lines(&t), [("receive_sample", c)]);
    let t = sale.complete_line("receive_sample", c, None);
    assert_eq!(created_lines(&t), [("send_sample", c)]);
    let t = sale.complete_line("send_sample", c, None);
    assert_eq!(created_lines(&t), [("get_test_conclusion", c)]);

    let conclusions: Vec<Option<Uuid>> = sale
        .state
        .open_tasks()
        .map(|t| {
            assert_eq!(t.code, "get_test_conclusion");
            t.product_id
        })
        .collect();
    assert_eq!(conclusions, [a, b, c]);

    // Leaving the stage cancels its open tasks.
    let t = sale.enter("pilot_visit");
    assert_eq!(t.cancel.len(), 3);
    assert_eq!(sale.open(), ["arrange_business_trip"]);
}

#[test]
fn a_paid_sample_adds_the_trial_contract_approval() {
    let mut sale = chosen(
        "full",
        vec![
            line(1, true, true, false, true),
            line(2, false, false, false, false),
        ],
    );
    let t = sale.enter("industrial_trial");
    assert_eq!(created(&t), ["send_trial_sample", "approve_trial_contract"]);
    let skipped: Vec<&str> = t
        .marks
        .iter()
        .filter(|m| m.mark == Mark::Skipped)
        .map(|m| m.stage.as_str())
        .collect();
    assert_eq!(skipped, ["recipe", "samples", "pilot_visit"]);
}

#[test]
fn an_unpaid_sample_has_no_trial_contract_approval() {
    let mut sale = chosen("full", vec![line(1, true, true, false, false)]);
    let t = sale.enter("industrial_trial");
    assert_eq!(created(&t), ["send_trial_sample"]);
    sale.complete("send_trial_sample", None);
    let t = sale.complete("get_trial_feedback", Some("failure"));
    assert!(t.create.is_empty());
    assert!(sale.open().is_empty());
}

#[test]
fn the_full_process_with_every_optional_stage_skipped() {
    let mut sale = chosen("full", vec![line(1, true, true, true, true)]);
    for stage in [
        "recipe",
        "samples",
        "pilot_visit",
        "industrial_trial",
        "kp",
        "contract",
    ] {
        let t = sale
            .skip(stage)
            .unwrap_or_else(|e| panic!("skip {stage}: {e}"));
        assert!(t.create.is_empty() && t.cancel.is_empty());
        assert_eq!(t.stage, "preliminary_kp");
        assert_eq!(
            t.marks,
            [StageMark {
                stage: stage.into(),
                mark: Mark::Skipped
            }]
        );
    }
    let t = sale.enter("awaiting_order");
    assert!(t.create.is_empty());
    assert_eq!(t.marks.len(), 1, "the skipped stages are not marked twice");
    let bar = stage_bar(&sale.def, &sale.state);
    let bar: Vec<(&str, BarMark)> = bar.iter().map(|(s, m)| (s.as_str(), *m)).collect();
    assert_eq!(
        bar,
        [
            ("qualification", BarMark::Entered),
            ("preliminary_kp", BarMark::Entered),
            ("recipe", BarMark::Skipped),
            ("samples", BarMark::Skipped),
            ("pilot_visit", BarMark::Skipped),
            ("industrial_trial", BarMark::Skipped),
            ("kp", BarMark::Skipped),
            ("contract", BarMark::Skipped),
            ("awaiting_order", BarMark::Current),
        ]
    );
    // No task of a skipped stage was ever created.
    assert!(
        sale.state
            .tasks
            .iter()
            .all(|t| t.code == "send_preliminary_kp")
    );
    sale.enter("won");
}

#[test]
fn the_full_process_can_jump_straight_to_the_order() {
    let mut sale = chosen("full", vec![]);
    assert_eq!(
        allowed_moves(&sale.def, &sale.state),
        [
            "recipe",
            "samples",
            "pilot_visit",
            "industrial_trial",
            "kp",
            "contract",
            "awaiting_order",
            "won",
            "lost"
        ]
    );
    let t = sale.enter("awaiting_order");
    let skipped: Vec<&str> = t
        .marks
        .iter()
        .filter(|m| m.mark == Mark::Skipped)
        .map(|m| m.stage.as_str())
        .collect();
    assert_eq!(
        skipped,
        [
            "recipe",
            "samples",
            "pilot_visit",
            "industrial_trial",
            "kp",
            "contract"
        ]
    );
}

#[test]
fn the_short_process_goes_kp_contract_order() {
    let mut sale = chosen("short", vec![line(1, true, true, true, true)]);
    assert_eq!(allowed_moves(&sale.def, &sale.state), ["kp", "won", "lost"]);
    let err = sale
        .enter_with("recipe", None, None, None)
        .expect_err("not in short");
    assert!(matches!(
        err,
        ProcessError::NotInProcessType {
            process_type: ProcessType::Short,
            ..
        }
    ));
    let err = sale
        .enter_with("contract", None, Some(ContractKind::Contract), None)
        .expect_err("kp first");
    assert!(matches!(err, ProcessError::NotAllowed { .. }), "{err:?}");
    let err = sale.skip("kp").expect_err("kp is mandatory in short");
    assert!(matches!(err, ProcessError::NotOptional { .. }));
    let err = sale.skip("recipe").expect_err("not in short");
    assert!(matches!(err, ProcessError::NotInProcessType { .. }));

    let t = sale.enter("kp");
    assert_eq!(created(&t), ["check_delivery_terms"]);
    assert!(
        t.marks.iter().all(|m| m.mark == Mark::Entered),
        "nothing of short is skipped"
    );
    let err = sale
        .enter_with("awaiting_order", None, None, None)
        .expect_err("contract first");
    assert!(matches!(err, ProcessError::NotAllowed { .. }));
    let t = sale
        .enter_with("contract", None, Some(ContractKind::Specification), None)
        .expect("enters");
    assert!(t.create.is_empty());
    assert_eq!(t.cancel.len(), 1, "check_delivery_terms is cancelled");
    sale.enter("awaiting_order");
    let bar = stage_bar(&sale.def, &sale.state);
    let marks: Vec<BarMark> = bar.iter().map(|(_, m)| *m).collect();
    assert_eq!(
        marks,
        [
            BarMark::Entered,
            BarMark::Entered,
            BarMark::NotInType,
            BarMark::NotInType,
            BarMark::NotInType,
            BarMark::NotInType,
            BarMark::Entered,
            BarMark::Entered,
            BarMark::Current,
        ]
    );
    let t = sale
        .enter_with("lost", None, None, Some("  price too high "))
        .expect("lost");
    assert_eq!(t.closed, Some(StageKind::Lost));
}

#[test]
fn a_direct_short_sale_goes_from_qualification_to_kp() {
    let mut sale = Sale::new(vec![]);
    let err = sale
        .enter_with("kp", None, None, None)
        .expect_err("needs the type");
    assert!(matches!(err, ProcessError::NeedsProcessType { .. }));
    assert_eq!(err.field(), "process_type");
    let t = sale
        .enter_with("kp", Some(ProcessType::Short), None, None)
        .expect("enters");
    assert_eq!(t.process_type, Some(ProcessType::Short));
    assert_eq!(
        t.marks,
        [
            StageMark {
                stage: "preliminary_kp".into(),
                mark: Mark::Skipped
            },
            StageMark {
                stage: "kp".into(),
                mark: Mark::Entered
            }
        ]
    );
    assert_eq!(created(&t), ["check_delivery_terms"]);
    // The type is locked now.
    let err = sale
        .enter_with(
            "contract",
            Some(ProcessType::Full),
            Some(ContractKind::Contract),
            None,
        )
        .expect_err("locked");
    assert_eq!(
        err,
        ProcessError::ProcessTypeLocked {
            current: ProcessType::Short
        }
    );
}

#[test]
fn the_kp_correction_loop_runs_again() {
    let mut sale = chosen("short", vec![]);
    sale.enter("kp");
    sale.complete("check_delivery_terms", None);
    sale.complete("prepare_kp", None);
    sale.complete("send_kp", None);
    for _ in 0..3 {
        let t = sale.complete("get_kp_feedback", Some("correction"));
        assert_eq!(created(&t), ["prepare_kp"]);
        assert_eq!(t.suggest, None);
        assert_eq!(created(&sale.complete("prepare_kp", None)), ["send_kp"]);
        assert_eq!(
            created(&sale.complete("send_kp", None)),
            ["get_kp_feedback"]
        );
    }
    let t = sale.complete("get_kp_feedback", Some("rejected"));
    assert!(t.create.is_empty());
    assert_eq!(t.suggest.as_deref(), Some("lost"));
    assert_eq!(
        sale.state.stage, "kp",
        "a suggestion does not move the sale"
    );
    let done = sale
        .state
        .tasks
        .iter()
        .filter(|t| t.code == "prepare_kp" && t.status == TaskStatus::Done)
        .count();
    assert_eq!(done, 4);
}

#[test]
fn lost_from_any_open_stage_needs_a_reason() {
    let def = default_definition();
    let open: Vec<String> = def
        .stages
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.code.clone())
        .collect();
    for stage in &open {
        let mut sale = chosen("full", vec![line(1, true, false, false, true)]);
        if stage == "qualification" {
            sale = Sale::new(vec![]);
        } else if stage != "preliminary_kp" {
            sale.enter_with(stage, None, Some(ContractKind::Contract), None)
                .unwrap_or_else(|e| panic!("{stage}: {e}"));
        }
        for blank in [None, Some(""), Some("   ")] {
            let err = sale
                .enter_with("lost", None, None, blank)
                .expect_err("needs a reason");
            assert!(
                matches!(err, ProcessError::ReasonRequired { .. }),
                "{stage}"
            );
            assert_eq!(err.field(), "reason");
        }
        let t = sale
            .enter_with("lost", None, None, Some("the client chose a competitor"))
            .unwrap_or_else(|e| panic!("{stage}: {e}"));
        assert_eq!(t.closed, Some(StageKind::Lost));
        assert!(
            sale.open().is_empty(),
            "{stage}: every open task is cancelled"
        );
        let err = sale.skip("awaiting_order").expect_err("closed");
        assert!(matches!(err, ProcessError::ClosedSale { .. }));
    }
}

#[test]
fn moves_are_refused_with_names_and_codes() {
    let mut sale = Sale::new(vec![]);
    let err = sale
        .enter_with(
            "contract",
            Some(ProcessType::Short),
            Some(ContractKind::Contract),
            None,
        )
        .expect_err("not from qualification");
    assert_eq!(
        err.message(Lang::Ru),
        "Этап «Договор» (`contract`) нельзя начать из этапа «Квалификация» (`qualification`)"
    );
    assert_eq!(
        err.message(Lang::En),
        "Stage “Contract” (`contract`) cannot be entered from “Qualification” (`qualification`)"
    );
    assert_eq!(err.to_string(), err.message(Lang::En));
    assert_eq!(err.field(), "stage");
    assert_eq!(
        sale.state.process_type, None,
        "a refused event changes nothing"
    );

    let err = sale
        .enter_with("nowhere", None, None, None)
        .expect_err("unknown");
    assert_eq!(
        err,
        ProcessError::UnknownStage {
            code: "nowhere".into()
        }
    );
    let err = sale
        .enter_with("qualification", None, None, None)
        .expect_err("already there");
    assert!(matches!(err, ProcessError::NotAllowed { .. }));

    // Tasks.
    let err = sale
        .event(Event::Cancel {
            task_id: Uuid::from_u128(999),
        })
        .expect_err("unknown task");
    assert_eq!(err, ProcessError::UnknownTask);
    assert_eq!(err.field(), "task");
    sale.enter("preliminary_kp");
    let id = sale.task_id("send_preliminary_kp", None);
    let t = sale.event(Event::Cancel { task_id: id }).expect("cancels");
    assert_eq!(t.cancel, [id]);
    assert!(t.create.is_empty());
    let err = sale
        .event(Event::Cancel { task_id: id })
        .expect_err("not open");
    assert!(matches!(
        err,
        ProcessError::TaskNotOpen {
            status: TaskStatus::Cancelled,
            ..
        }
    ));
}

#[test]
fn the_process_type_can_be_rechosen_until_preliminary_kp_is_left() {
    let mut sale = Sale::new(vec![]);
    sale.enter("preliminary_kp");
    sale.complete("send_preliminary_kp", Some("short"));
    // Still in preliminary_kp: entering recipe with the full process re-chooses it.
    let t = sale
        .enter_with("recipe", Some(ProcessType::Full), None, None)
        .expect("re-chosen");
    assert_eq!(t.process_type, Some(ProcessType::Full));
    let err = sale
        .enter_with("kp", Some(ProcessType::Short), None, None)
        .expect_err("locked");
    assert!(matches!(err, ProcessError::ProcessTypeLocked { .. }));
}

#[test]
fn completing_without_outcomes_refuses_one() {
    let mut sale = chosen("full", vec![]);
    sale.enter("pilot_visit");
    let err = sale
        .complete_with("arrange_business_trip", None, Some("done"), Map::new())
        .expect_err("no outcomes");
    assert!(matches!(err, ProcessError::NoOutcomes { .. }));
    // A blank outcome is no outcome.
    sale.complete_with("arrange_business_trip", None, Some(" "), Map::new())
        .expect("completes");
}

#[test]
fn skips_go_in_order() {
    let mut sale = chosen("full", vec![]);
    let err = sale.skip("samples").expect_err("recipe first");
    assert!(matches!(err, ProcessError::SkipOrder { .. }));
    assert!(err.message(Lang::En).contains("recipe"));
    sale.skip("recipe").expect("skips");
    let err = sale.skip("recipe").expect_err("twice");
    assert!(matches!(err, ProcessError::AlreadySkipped { .. }));
    let err = sale.skip("qualification").expect_err("behind");
    assert!(matches!(err, ProcessError::CannotSkip { .. }));
    let err = sale.skip("awaiting_order").expect_err("mandatory");
    assert!(matches!(
        err,
        ProcessError::SkipOrder { .. } | ProcessError::NotOptional { .. }
    ));
    // A skipped stage can no longer be entered in this visit.
    let err = sale
        .enter_with("recipe", None, None, None)
        .expect_err("skipped");
    assert!(matches!(err, ProcessError::NotAllowed { .. }));
    assert_eq!(allowed_skips(&sale.def, &sale.state), ["samples"]);
    let t = sale.enter("samples");
    assert_eq!(t.marks.len(), 1);
}

#[test]
fn a_stage_effect_moves_the_sale_like_a_manual_move() {
    let text = MINI.replacen(
        "code = \"yes\"\nname_ru = \"Да\"\nname_en = \"Yes\"\ncreate = [\"t1\"]",
        "code = \"yes\"\nname_ru = \"Да\"\nname_en = \"Yes\"\nstage = \"c\"\ncreate = [\"t1\"]",
        1,
    );
    let def = Definition::parse(&text).expect("valid");
    let mut sale = Sale::on(def, vec![]);
    assert_eq!(sale.open(), ["t1"]);
    sale.complete("t1", None);
    let t = sale.complete("t2", Some("yes"));
    assert_eq!(t.stage, "c");
    assert_eq!(t.marks.len(), 2, "b skipped, c entered");
    // t1 (of stage a) is created after the move and stays open.
    assert_eq!(created(&t), ["t1"]);
    assert_eq!(sale.open(), ["t1"]);
    sale.complete("t1", None);
    assert_eq!(sale.open(), ["t2"]);
}

#[test]
fn events_read_from_json() {
    let event: Event = serde_json::from_value(json!({
        "event": "enter", "stage": "contract", "contract_kind": "specification"
    }))
    .expect("an event");
    assert_eq!(
        event,
        Event::Enter {
            stage: "contract".into(),
            process_type: None,
            contract_kind: Some(ContractKind::Specification),
            reason: None
        }
    );
    let event: Event = serde_json::from_value(json!({
        "event": "complete", "task_id": Uuid::from_u128(5), "outcome": "existing",
        "data": {"recipe_id": "r"}
    }))
    .expect("an event");
    assert!(matches!(event, Event::Complete { .. }));
}

// ------------------------------------------------------------------------------------------------
// Properties of random event sequences
// ------------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Act {
    /// One of the allowed moves, with a process type choice, a contract kind and a reason.
    Move(usize, usize),
    /// Any stage, with whatever is given.
    RawEnter(usize, Option<ProcessType>, bool, bool),
    /// Any stage.
    Skip(usize),
    /// An open task, with an outcome pick and the data or not.
    Complete(usize, usize, bool),
    /// An open task.
    Cancel(usize),
}

fn act() -> impl Strategy<Value = Act> {
    let process_type = prop_oneof![
        Just(None),
        Just(Some(ProcessType::Full)),
        Just(Some(ProcessType::Short))
    ];
    prop_oneof![
        4 => (0..20usize, 0..3usize).prop_map(|(i, t)| Act::Move(i, t)),
        1 => (0..12usize, process_type, any::<bool>(), any::<bool>())
            .prop_map(|(i, t, k, r)| Act::RawEnter(i, t, k, r)),
        2 => (0..12usize).prop_map(Act::Skip),
        6 => (0..20usize, 0..4usize, any::<bool>()).prop_map(|(i, o, d)| Act::Complete(i, o, d)),
        1 => (0..20usize).prop_map(Act::Cancel),
    ]
}

/// Up to four lines; products come from a pool of three, so two lines may share one.
fn lines() -> impl Strategy<Value = Vec<LineFacts>> {
    prop::collection::vec((0..3u128, any::<(bool, bool, bool, bool)>()), 0..4).prop_map(|lines| {
        lines
            .into_iter()
            .map(|(product, (needs, office, warehouse, paid))| {
                line(product, needs, office, warehouse, paid)
            })
            .collect()
    })
}

/// A definition that stresses the engine beyond the default: moves back, stage effects, tasks
/// that create themselves and each other, a join, per-line tasks created from a sale-level one.
const STRESS: &str = r#"
code = "stress"
name_ru = "Нагрузка"
name_en = "Stress"

[[stages]]
code = "a"
name_ru = "А"
name_en = "A"
next = ["b", "c"]

[[stages]]
code = "b"
name_ru = "Б"
name_en = "B"
optional = ["full", "short"]
next = ["c", "a"]

[[stages]]
code = "c"
name_ru = "В"
name_en = "C"
next = ["a"]

[[stages]]
code = "won"
name_ru = "Успешно"
name_en = "Won"
kind = "won"

[[stages]]
code = "lost"
name_ru = "Проиграна"
name_en = "Lost"
kind = "lost"
reason_required = true

[[tasks]]
code = "t_line"
name_ru = "По строке"
name_en = "Per line"
stage = "a"
on_enter = true
per_line = true
when = ["needs_sample"]
then.create = ["t_line", "t_sale", "t_join"]

[[tasks]]
code = "t_sale"
name_ru = "По продаже"
name_en = "Per sale"
stage = "a"
on_enter = true
then.create = ["t_join"]

[[tasks.outcomes]]
code = "fan"
name_ru = "Веер"
name_en = "Fan out"
create = ["t_line"]

[[tasks.outcomes]]
code = "again"
name_ru = "Снова"
name_en = "Again"
create = ["t_sale", "t_line"]

[[tasks.outcomes]]
code = "jump"
name_ru = "Прыжок"
name_en = "Jump"
stage = "c"
create = ["t_sale"]

[[tasks]]
code = "t_join"
name_ru = "Сбор"
name_en = "Join"
stage = "a"
wait_for = ["t_line", "t_sale"]

[[tasks]]
code = "t_b"
name_ru = "Б"
name_en = "B"
stage = "b"
on_enter = true

[[tasks.outcomes]]
code = "back"
name_ru = "Назад"
name_en = "Back"
stage = "a"

[[tasks.outcomes]]
code = "on"
name_ru = "Дальше"
name_en = "On"
stage = "c"

[[tasks]]
code = "t_c"
name_ru = "В"
name_en = "C"
stage = "c"
on_enter = true
per_line = true
"#;

/// The event an act stands for in this state, if any.
fn event_for(sale: &Sale, act: &Act) -> Option<Event> {
    let def = &sale.def;
    let open: Vec<&TaskState> = sale.state.open_tasks().collect();
    match *act {
        Act::Move(i, t) => {
            let moves = allowed_moves(def, &sale.state);
            let stage = moves.get(i % moves.len().max(1))?.clone();
            // The first process type choice (from `t` on) that the move accepts.
            let choices = [None, Some(ProcessType::Full), Some(ProcessType::Short)];
            (0..3)
                .map(|k| choices[(t + k) % 3])
                .find_map(|process_type| {
                    let event = Event::Enter {
                        stage: stage.clone(),
                        process_type,
                        contract_kind: Some(ContractKind::Contract),
                        reason: Some("причина".into()),
                    };
                    apply(def, &sale.state, &event).is_ok().then_some(event)
                })
        }
        Act::RawEnter(i, process_type, kind, reason) => Some(Event::Enter {
            stage: def
                .stages
                .get(i)
                .map_or("nowhere".into(), |s| s.code.clone()),
            process_type,
            contract_kind: kind.then_some(ContractKind::Specification),
            reason: reason.then(|| "reason".into()),
        }),
        Act::Skip(i) => Some(Event::Skip {
            stage: def
                .stages
                .get(i)
                .map_or("nowhere".into(), |s| s.code.clone()),
        }),
        Act::Complete(i, o, with_data) => {
            let task = open.get(i % open.len().max(1))?;
            let outcomes = def
                .task(&task.code)
                .map(|t| t.outcome_codes())
                .unwrap_or_default();
            let outcome = (!outcomes.is_empty()).then(|| outcomes[o % outcomes.len()].clone());
            let data = if with_data {
                data(&[("recipe_id", json!("r-1"))])
            } else {
                Map::new()
            };
            Some(Event::Complete {
                task_id: task.id,
                outcome,
                data,
            })
        }
        Act::Cancel(i) => {
            let task = open.get(i % open.len().max(1))?;
            Some(Event::Cancel { task_id: task.id })
        }
    }
}

/// Checks the invariants of a state reached by events; `strict` adds the default's own: every
/// open task belongs to the current stage (no stage effects leave tasks behind).
fn check_state(sale: &Sale, strict: bool) -> Result<(), TestCaseError> {
    let def = &sale.def;
    let state = &sale.state;
    // (b) Never two open tasks with the same code and product.
    let mut pairs: Vec<(&str, Option<Uuid>)> = state
        .open_tasks()
        .map(|t| (t.code.as_str(), t.product_id))
        .collect();
    let count = pairs.len();
    pairs.sort();
    pairs.dedup();
    prop_assert_eq!(
        pairs.len(),
        count,
        "duplicate open tasks: {:?}",
        state.tasks
    );

    if strict {
        // Every open task belongs to the current stage (leaving cancels the rest).
        for task in state.open_tasks() {
            prop_assert_eq!(&task.stage, &state.stage);
        }
    }

    let bar = stage_bar(def, state);
    prop_assert_eq!(
        bar.iter().filter(|(_, m)| *m == BarMark::Current).count(),
        1
    );

    if state.is_closed(def) {
        prop_assert_eq!(state.open_tasks().count(), 0);
        prop_assert!(allowed_moves(def, state).is_empty());
        return Ok(());
    }
    // (a) Won and lost are always within reach.
    let moves = allowed_moves(def, state);
    prop_assert!(moves.contains(&"won".to_string()), "{:?}", moves);
    prop_assert!(moves.contains(&"lost".to_string()), "{:?}", moves);
    let won = Event::Enter {
        stage: "won".into(),
        process_type: None,
        contract_kind: None,
        reason: None,
    };
    let t = apply(def, state, &won).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(t.closed, Some(StageKind::Won));
    prop_assert!(t.create.is_empty());
    prop_assert_eq!(t.cancel.len(), state.open_tasks().count());
    let lost = Event::Enter {
        stage: "lost".into(),
        process_type: None,
        contract_kind: None,
        reason: None,
    };
    let refused = matches!(
        apply(def, state, &lost),
        Err(ProcessError::ReasonRequired { .. })
    );
    prop_assert!(refused, "lost without a reason");
    Ok(())
}

/// Runs `acts` from a new sale on `def` and checks the invariants after every event.
fn run_random(
    def: Definition,
    lines: Vec<LineFacts>,
    acts: &[Act],
    strict: bool,
) -> Result<(), TestCaseError> {
    let mut sale = Sale::on(def, lines);
    check_state(&sale, strict)?;
    for act in acts {
        let Some(event) = event_for(&sale, act) else {
            continue;
        };
        let before = sale.state.clone();
        let result = apply(&sale.def, &sale.state, &event);
        prop_assert_eq!(&result, &apply(&sale.def, &sale.state, &event), "pure");
        let Ok(transition) = result else { continue };
        sale.fold(&transition);
        prop_assert!(sale.state.marks.starts_with(&before.marks));

        // (c) A skip creates and cancels nothing and does not move.
        if let Event::Skip { stage } = &event {
            prop_assert!(transition.create.is_empty());
            prop_assert!(transition.cancel.is_empty());
            prop_assert_eq!(&transition.stage, &before.stage);
            prop_assert_eq!(transition.marks.len(), 1);
            prop_assert_eq!(&transition.marks[0].stage, stage);
        }
        // (c) Skipped stages get no tasks: every task created belongs to a stage whose latest
        // mark is `Entered`.
        for task in &transition.create {
            let last = sale
                .state
                .marks
                .iter()
                .rev()
                .find(|m| m.stage == task.stage);
            prop_assert_eq!(last.map(|m| m.mark), Some(Mark::Entered), "{}", task.code);
        }
        check_state(&sale, strict)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_event_sequences_keep_the_invariants(
        lines in lines(),
        acts in prop::collection::vec(act(), 0..40),
    ) {
        run_random(default_definition(), lines, &acts, true)?;
    }

    #[test]
    fn random_event_sequences_on_a_looping_definition_keep_the_invariants(
        lines in lines(),
        acts in prop::collection::vec(act(), 0..60),
    ) {
        let def = Definition::parse(STRESS).expect("the stress definition is valid");
        run_random(def, lines, &acts, false)?;
    }
}

#[test]
fn moves_back_follow_next_only() {
    let def = Definition::parse(STRESS).expect("valid");
    let mut sale = Sale::on(def, vec![line(1, true, false, false, false)]);
    // `b` (optional, passed over) lists `a`, but that does not make `a` enterable from `a`.
    let err = sale
        .enter_with("a", None, None, None)
        .expect_err("already in a");
    assert!(matches!(err, ProcessError::NotAllowed { .. }));
    sale.enter("b");
    // Back to `a` by `b`'s own `next`: a new visit with its tasks created again.
    let t = sale.enter("a");
    assert_eq!(created(&t), ["t_line", "t_sale"]);
    assert_eq!(t.cancel.len(), 1, "t_b is cancelled");
}
