//! The rules a process definition must follow, checked all at once so the administrator sees every
//! problem in one go.
//!
//! Besides the references (every stage and task named must exist) and the shape rules (codes,
//! bounds, one `won` and one `lost` stage), the graph is checked per process type: every stage can
//! be reached from the first one, the sale can be won from every stage it can reach, and a move
//! listed in `next` never jumps over a stage that is mandatory in a process type both ends belong
//! to.

use std::collections::{HashMap, HashSet, VecDeque};

use super::definition::{Definition, DefinitionError, Effects, ProcessType, StageKind};

/// Whether `code` is a valid code: `[a-z][a-z0-9_]*`.
pub fn is_valid_code(code: &str) -> bool {
    let mut chars = code.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

/// Most working days a task may be due after its creation.
pub const DUE_DAYS_MAX: u32 = 365;

/// Every problem of `def`, in the order of the file; empty when it is valid.
pub fn validate(def: &Definition) -> Vec<DefinitionError> {
    let mut v = Validator {
        def,
        errors: Vec::new(),
        stages: HashMap::new(),
        tasks: HashSet::new(),
    };
    v.run();
    v.errors
}

struct Validator<'a> {
    def: &'a Definition,
    errors: Vec<DefinitionError>,
    /// Stage code → index of its first declaration.
    stages: HashMap<&'a str, usize>,
    tasks: HashSet<&'a str>,
}

impl<'a> Validator<'a> {
    fn err(
        &mut self,
        path: impl Into<String>,
        ru: impl std::fmt::Display,
        en: impl std::fmt::Display,
    ) {
        self.errors.push(DefinitionError::at(path, ru, en));
    }

    fn code(&mut self, path: &str, code: &str) {
        if !is_valid_code(code) {
            self.err(
                path,
                format!("Код `{code}` недопустим: нужны строчные латинские буквы, цифры и `_`, первой — буква"),
                format!("Code `{code}` is not valid: use lowercase Latin letters, digits and `_`, starting with a letter"),
            );
        }
    }

    fn name(&mut self, path: &str, name: &str) {
        if name.trim().is_empty() {
            self.err(path, "Заполните название", "The name must not be empty");
        }
    }

    fn stage_ref(&mut self, path: &str, code: &str) -> bool {
        if self.stages.contains_key(code) {
            return true;
        }
        self.err(
            path,
            format!("Этап `{code}` не существует"),
            format!("Stage `{code}` does not exist"),
        );
        false
    }

    fn task_ref(&mut self, path: &str, code: &str) {
        if !self.tasks.contains(code) {
            self.err(
                path,
                format!("Задача `{code}` не существует"),
                format!("Task `{code}` does not exist"),
            );
        }
    }

    fn kind_of(&self, code: &str) -> Option<StageKind> {
        self.stages.get(code).map(|&i| self.def.stages[i].kind)
    }

    fn run(&mut self) {
        let def = self.def;
        self.code("code", &def.code);
        self.name("name_ru", &def.name_ru);
        self.name("name_en", &def.name_en);
        self.collect();
        self.stage_rules();
        self.won_from();
        self.task_rules();
        if !def.stages.is_empty() {
            // References to unknown stages were reported above; the graph ignores them.
            self.graph();
        }
    }

    /// Declared codes, with duplicates and bad codes reported.
    fn collect(&mut self) {
        let def = self.def;
        for (i, stage) in def.stages.iter().enumerate() {
            let path = format!("stages.{}", stage.code);
            self.code(&format!("{path}.code"), &stage.code);
            if self.stages.contains_key(stage.code.as_str()) {
                self.err(
                    &path,
                    format!("Этап `{}` объявлен дважды", stage.code),
                    format!("Stage `{}` is declared twice", stage.code),
                );
            } else {
                self.stages.insert(&stage.code, i);
            }
        }
        for task in &def.tasks {
            let path = format!("tasks.{}", task.code);
            self.code(&format!("{path}.code"), &task.code);
            if !self.tasks.insert(&task.code) {
                self.err(
                    &path,
                    format!("Задача `{}` объявлена дважды", task.code),
                    format!("Task `{}` is declared twice", task.code),
                );
            }
        }
    }

    fn stage_rules(&mut self) {
        let def = self.def;
        if def.stages.is_empty() {
            self.err(
                "stages",
                "В процессе нет этапов",
                "The process has no stages",
            );
            return;
        }
        for kind in [StageKind::Won, StageKind::Lost] {
            let count = def.stages.iter().filter(|s| s.kind == kind).count();
            if count != 1 {
                self.err(
                    "stages",
                    format!(
                        "Нужен ровно один этап вида `{}`, найдено: {count}",
                        kind.code()
                    ),
                    format!(
                        "Exactly one stage of kind `{}` is needed, found {count}",
                        kind.code()
                    ),
                );
            }
        }
        let first = &def.stages[0];
        if !first.is_open() {
            self.err(
                format!("stages.{}.kind", first.code),
                format!(
                    "Первый этап `{}` должен быть открытым (kind = \"open\")",
                    first.code
                ),
                format!(
                    "The first stage `{}` must be open (kind = \"open\")",
                    first.code
                ),
            );
        }
        if !first.belongs_to_all() || !first.requires.is_empty() || first.reason_required {
            self.err(
                format!("stages.{}", first.code),
                format!(
                    "С первого этапа `{}` начинается каждая продажа: он входит во все процессы и ничего не требует (types, requires, reason_required)",
                    first.code
                ),
                format!(
                    "Every sale starts in the first stage `{}`: it belongs to every process type and requires nothing (types, requires, reason_required)",
                    first.code
                ),
            );
        }
        for stage in &def.stages {
            let path = format!("stages.{}", stage.code);
            self.name(&format!("{path}.name_ru"), &stage.name_ru);
            self.name(&format!("{path}.name_en"), &stage.name_en);
            if stage.probability > 100 {
                self.err(
                    format!("{path}.probability"),
                    format!("Вероятность {} % больше 100", stage.probability),
                    format!("Probability {} % is over 100", stage.probability),
                );
            }
            for &t in &stage.optional {
                if !stage.belongs_to(t) {
                    self.err(
                        format!("{path}.optional"),
                        format!(
                            "Этап `{}` необязателен в процессе `{}`, но не входит в него",
                            stage.code,
                            t.code()
                        ),
                        format!(
                            "Stage `{}` is optional in process `{}` but does not belong to it",
                            stage.code,
                            t.code()
                        ),
                    );
                }
            }
            if !stage.is_open() {
                if !stage.belongs_to_all() || !stage.optional.is_empty() {
                    self.err(
                        format!("{path}.types"),
                        format!(
                            "Завершающий этап `{}` входит во все процессы и не бывает необязательным",
                            stage.code
                        ),
                        format!(
                            "The closing stage `{}` belongs to every process type and is never optional",
                            stage.code
                        ),
                    );
                }
                if !stage.next.is_empty() {
                    self.err(
                        format!("{path}.next"),
                        format!("У завершающего этапа `{}` нет следующих этапов", stage.code),
                        format!("The closing stage `{}` has no next stages", stage.code),
                    );
                }
                continue;
            }
            for next in &stage.next {
                let next_path = format!("{path}.next");
                if !self.stage_ref(&next_path, next) {
                    continue;
                }
                if next == &stage.code {
                    self.err(
                        &next_path,
                        format!("Этап `{next}` не может следовать сам за собой"),
                        format!("Stage `{next}` cannot follow itself"),
                    );
                } else if self.kind_of(next) != Some(StageKind::Open) {
                    self.err(
                        &next_path,
                        format!(
                            "В `next` перечисляют открытые этапы; завершающий `{next}` доступен по правилам (won_from, lost)"
                        ),
                        format!(
                            "`next` lists open stages; the closing stage `{next}` follows its own rules (won_from, lost)"
                        ),
                    );
                }
            }
        }
    }

    fn won_from(&mut self) {
        for code in &self.def.won_from {
            if self.stage_ref("won_from", code) && self.kind_of(code) != Some(StageKind::Open) {
                self.err(
                    "won_from",
                    format!("В `won_from` перечисляют открытые этапы, а `{code}` — завершающий"),
                    format!("`won_from` lists open stages; `{code}` is a closing stage"),
                );
            }
        }
    }

    fn effects(&mut self, path: &str, effects: &Effects) {
        for code in &effects.create {
            self.task_ref(&format!("{path}.create"), code);
        }
        if let Some(stage) = &effects.stage {
            self.stage_ref(&format!("{path}.stage"), stage);
        }
        if let Some(stage) = &effects.suggest {
            self.stage_ref(&format!("{path}.suggest"), stage);
        }
    }

    fn task_rules(&mut self) {
        let def = self.def;
        for task in &def.tasks {
            let path = format!("tasks.{}", task.code);
            self.name(&format!("{path}.name_ru"), &task.name_ru);
            self.name(&format!("{path}.name_en"), &task.name_en);
            let stage_path = format!("{path}.stage");
            if self.stage_ref(&stage_path, &task.stage)
                && self.kind_of(&task.stage) != Some(StageKind::Open)
            {
                self.err(
                    &stage_path,
                    format!(
                        "Задачи бывают только у открытых этапов, а `{}` — завершающий",
                        task.stage
                    ),
                    format!(
                        "Tasks belong to open stages; `{}` is a closing stage",
                        task.stage
                    ),
                );
            }
            for code in &task.wait_for {
                let wait_path = format!("{path}.wait_for");
                if code == &task.code {
                    self.err(
                        &wait_path,
                        format!("Задача `{code}` не может ждать саму себя"),
                        format!("Task `{code}` cannot wait for itself"),
                    );
                } else {
                    self.task_ref(&wait_path, code);
                }
            }
            if task.due_days > DUE_DAYS_MAX {
                self.err(
                    format!("{path}.due_days"),
                    format!("Срок {} рабочих дней больше {DUE_DAYS_MAX}", task.due_days),
                    format!(
                        "A due offset of {} working days is over {DUE_DAYS_MAX}",
                        task.due_days
                    ),
                );
            }
            let mut seen = HashSet::new();
            for outcome in &task.outcomes {
                let outcome_path = format!("{path}.outcomes.{}", outcome.code);
                self.code(&format!("{outcome_path}.code"), &outcome.code);
                if !seen.insert(outcome.code.as_str()) {
                    self.err(
                        &outcome_path,
                        format!(
                            "Исход `{}` задачи `{}` объявлен дважды",
                            outcome.code, task.code
                        ),
                        format!(
                            "Outcome `{}` of task `{}` is declared twice",
                            outcome.code, task.code
                        ),
                    );
                }
                self.name(&format!("{outcome_path}.name_ru"), &outcome.name_ru);
                self.name(&format!("{outcome_path}.name_en"), &outcome.name_en);
                if outcome.requires_data.iter().any(|k| k.trim().is_empty()) {
                    self.err(
                        format!("{outcome_path}.requires_data"),
                        "Пустой ключ данных",
                        "A data key is empty",
                    );
                }
                self.effects(&outcome_path, &outcome.effects);
            }
            self.effects(&format!("{path}.then"), &task.then);
        }
    }

    /// Reachability, the way to `won`, and the jump rule, for each process type.
    fn graph(&mut self) {
        let def = self.def;
        let stages = self.stages.clone();
        let index = |code: &str| stages.get(code).copied();
        // The jump rule: an edge A→B (forward) in type T jumps over stages of T that must be optional.
        for (a, stage) in def.stages.iter().enumerate() {
            for next in &stage.next {
                let Some(b) = index(next) else { continue };
                if b <= a + 1 || !stage.is_open() {
                    continue;
                }
                let target = &def.stages[b];
                for &t in ProcessType::ALL {
                    if !stage.belongs_to(t) || !target.belongs_to(t) {
                        continue;
                    }
                    for between in &def.stages[a + 1..b] {
                        if between.is_open() && between.belongs_to(t) && !between.optional_in(t) {
                            self.err(
                                format!("stages.{}.next", stage.code),
                                format!(
                                    "Переход `{}` → `{}` перепрыгивает этап `{}`, обязательный в процессе `{}`: отметьте его необязательным (optional) или уберите переход",
                                    stage.code, next, between.code, t.code()
                                ),
                                format!(
                                    "The move `{}` → `{}` jumps over stage `{}`, which is mandatory in process `{}`: make it optional there or remove the move",
                                    stage.code, next, between.code, t.code()
                                ),
                            );
                        }
                    }
                }
            }
        }

        let (Some(won), Some(lost)) = (
            def.stages.iter().position(|s| s.kind == StageKind::Won),
            def.stages.iter().position(|s| s.kind == StageKind::Lost),
        ) else {
            return;
        };
        let n = def.stages.len();
        // Edges of the graph of type T: `next` between stages of T, won and lost by their rules.
        let edges = |t: ProcessType| -> Vec<Vec<usize>> {
            (0..n)
                .map(|a| {
                    let stage = &def.stages[a];
                    if !stage.is_open() || !stage.belongs_to(t) {
                        return Vec::new();
                    }
                    let mut out: Vec<usize> = stage
                        .next
                        .iter()
                        .filter_map(|c| index(c))
                        .filter(|&b| def.stages[b].belongs_to(t))
                        .collect();
                    if def.won_allowed_from(&stage.code) {
                        out.push(won);
                    }
                    out.push(lost);
                    out
                })
                .collect()
        };
        let mut reachable_any = vec![false; n];
        let mut dead_end_reported = vec![false; n];
        for &t in ProcessType::ALL {
            let edges = edges(t);
            let reachable = bfs(&edges, 0);
            // Reverse search from `won`.
            let mut reverse = vec![Vec::new(); n];
            for (a, outs) in edges.iter().enumerate() {
                for &b in outs {
                    reverse[b].push(a);
                }
            }
            let wins = bfs(&reverse, won);
            for i in 0..n {
                reachable_any[i] |= reachable[i];
                let stage = &def.stages[i];
                if reachable[i] && stage.is_open() && !wins[i] && !dead_end_reported[i] {
                    dead_end_reported[i] = true;
                    self.err(
                        format!("stages.{}.next", stage.code),
                        format!(
                            "Из этапа `{}` продажу нельзя выиграть (процесс `{}`): цикл или тупик без выхода к `{}`",
                            stage.code,
                            t.code(),
                            def.stages[won].code
                        ),
                        format!(
                            "From stage `{}` the sale can never be won (process `{}`): a cycle or dead end without a way to `{}`",
                            stage.code,
                            t.code(),
                            def.stages[won].code
                        ),
                    );
                }
            }
        }
        for (i, stage) in def.stages.iter().enumerate() {
            if !reachable_any[i] {
                self.err(
                    format!("stages.{}", stage.code),
                    format!(
                        "До этапа `{}` нельзя дойти от первого этапа `{}`",
                        stage.code, def.stages[0].code
                    ),
                    format!(
                        "Stage `{}` cannot be reached from the first stage `{}`",
                        stage.code, def.stages[0].code
                    ),
                );
            }
        }
    }
}

/// The nodes reachable from `from` over `edges` (including `from`).
fn bfs(edges: &[Vec<usize>], from: usize) -> Vec<bool> {
    let mut seen = vec![false; edges.len()];
    let mut queue = VecDeque::from([from]);
    seen[from] = true;
    while let Some(a) = queue.pop_front() {
        for &b in &edges[a] {
            if !seen[b] {
                seen[b] = true;
                queue.push_back(b);
            }
        }
    }
    seen
}
