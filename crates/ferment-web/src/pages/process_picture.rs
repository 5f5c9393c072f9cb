//! A picture of a process definition, drawn on the server as inline SVG (no script, no library):
//! the open stages as boxes in display order, arrows for their `next` edges (neighbours joined by a
//! straight arrow, farther stages by an arc above the boxes), the closing stages at the end, stages
//! that may be skipped drawn dashed, and each stage's tasks listed under its box.
//!
//! The layout is computed here as numbers; the template only writes them out (askama escapes the
//! names, so an administrator's text can never become markup).

use ferment_domain::process::{Definition, ProcessType, StageDef, StageKind};
use ferment_domain::validation::Lang;

use super::i18n::Texts;

const PAD: i32 = 16;
const BOX_W: i32 = 160;
const BOX_H: i32 = 74;
const GAP: i32 = 44;
const LINE: i32 = 15;
const LANE: i32 = 16;
/// Characters of a task name that fit under a box.
const TASK_CHARS: usize = 27;
/// Characters of a stage name per line inside a box.
const TITLE_CHARS: usize = 20;

/// One piece of text of the picture.
#[derive(Debug, Clone)]
pub struct Label {
    /// Anchor point.
    pub x: i32,
    /// Baseline.
    pub y: i32,
    /// The text (possibly shortened).
    pub text: String,
    /// The whole text, shown as a tooltip when shortened.
    pub full: String,
    /// `title`, `sub`, `task`, `task-effect` or `note`.
    pub class: &'static str,
    /// `middle` or `start`.
    pub anchor: &'static str,
}

/// One stage's box with its texts.
#[derive(Debug, Clone)]
pub struct StageBox {
    /// The stage's code.
    pub code: String,
    /// Left.
    pub x: i32,
    /// Top.
    pub y: i32,
    /// Width.
    pub w: i32,
    /// Height.
    pub h: i32,
    /// CSS classes: `open`/`won`/`lost`, `optional`, `typed`.
    pub class: String,
    /// Whether to draw the border dashed (the stage may be skipped).
    pub dashed: bool,
    /// Its name, probability, types and tasks.
    pub labels: Vec<Label>,
}

/// One arrow.
#[derive(Debug, Clone)]
pub struct Edge {
    /// SVG path data.
    pub d: String,
    /// From which stage to which: `qualification→kp`.
    pub title: String,
}

/// The picture.
#[derive(Debug, Clone)]
pub struct Picture {
    /// Width in pixels.
    pub width: i32,
    /// Height in pixels.
    pub height: i32,
    /// The boxes.
    pub boxes: Vec<StageBox>,
    /// The arrows.
    pub edges: Vec<Edge>,
    /// Notes outside the boxes.
    pub notes: Vec<Label>,
}

/// Splits a name into at most two lines of about `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let fits = current.chars().count() + 1 + word.chars().count() <= width;
        if current.is_empty() || fits || lines.len() == 1 {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        } else {
            lines.push(std::mem::take(&mut current));
            current.push_str(word);
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
        .into_iter()
        .map(|line| shorten(&line, width + 2))
        .collect()
}

/// Cuts a text to `chars` characters with an ellipsis.
fn shorten(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(chars.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

fn label(x: i32, y: i32, text: String, class: &'static str, anchor: &'static str) -> Label {
    Label {
        x,
        y,
        full: text.clone(),
        text,
        class,
        anchor,
    }
}

/// The process types a stage belongs to, in words, when not all of them.
fn types_text(stage: &StageDef, t: &Texts, lang: Lang) -> Option<String> {
    (!stage.belongs_to_all()).then(|| {
        let types: Vec<&str> = ProcessType::ALL
            .iter()
            .filter(|&&p| stage.belongs_to(p))
            .map(|p| p.label(lang))
            .collect();
        format!("{} {}", t.picture_only, types.join(", ").to_lowercase())
    })
}

/// Draws `def` in `lang`.
pub fn draw(def: &Definition, t: &Texts, lang: Lang) -> Picture {
    let open: Vec<&StageDef> = def.stages.iter().filter(|s| s.is_open()).collect();
    let closing: Vec<&StageDef> = def.stages.iter().filter(|s| !s.is_open()).collect();
    let index_of = |code: &str| open.iter().position(|s| s.code == code);
    let x_of = |i: usize| PAD + i as i32 * (BOX_W + GAP);

    // Edges: neighbours are straight; the others are arcs in lanes that don't overlap.
    let mut straight: Vec<(usize, usize)> = Vec::new();
    let mut arcs: Vec<(usize, usize)> = Vec::new();
    for (i, stage) in open.iter().enumerate() {
        for next in &stage.next {
            if let Some(j) = index_of(next) {
                if j == i + 1 {
                    straight.push((i, j));
                } else if j != i {
                    arcs.push((i, j));
                }
            }
        }
    }
    arcs.sort_by_key(|(i, j)| i.abs_diff(*j));
    let mut lanes: Vec<Vec<(usize, usize)>> = Vec::new();
    let mut placed: Vec<(usize, usize, usize)> = Vec::new();
    for (i, j) in arcs {
        let (lo, hi) = (i.min(j), i.max(j));
        let lane = lanes
            .iter()
            .position(|used| used.iter().all(|(a, b)| hi <= *a || lo >= *b))
            .unwrap_or(lanes.len());
        if lane == lanes.len() {
            lanes.push(Vec::new());
        }
        lanes[lane].push((lo, hi));
        placed.push((i, j, lane));
    }
    let top = PAD + 12 + lanes.len() as i32 * LANE + if lanes.is_empty() { 0 } else { 12 };
    let mid = top + BOX_H / 2;

    let mut boxes = Vec::new();
    let mut deepest = top + BOX_H;
    for (i, stage) in open.iter().enumerate() {
        let x = x_of(i);
        let cx = x + BOX_W / 2;
        let mut labels = Vec::new();
        let title = wrap(stage.name(lang), TITLE_CHARS);
        let first_line = if title.len() > 1 { top + 20 } else { top + 26 };
        for (n, line) in title.into_iter().enumerate() {
            labels.push(label(
                cx,
                first_line + n as i32 * LINE,
                line,
                "title",
                "middle",
            ));
        }
        let mut sub = format!("{}\u{a0}%", stage.probability);
        if let Some(types) = types_text(stage, t, lang) {
            sub = format!("{sub} · {types}");
        }
        labels.push(label(
            cx,
            top + BOX_H - 22,
            shorten(&sub, 28),
            "sub",
            "middle",
        ));
        if !stage.optional.is_empty() {
            labels.push(label(
                cx,
                top + BOX_H - 8,
                t.picture_optional.to_string(),
                "sub",
                "middle",
            ));
        }
        let mut y = top + BOX_H + 20;
        for task in def.tasks.iter().filter(|task| task.stage == stage.code) {
            let name = task.name(lang);
            let mark = if task.on_enter { "▸" } else { "·" };
            labels.push(Label {
                x,
                y,
                text: format!("{mark} {}", shorten(name, TASK_CHARS)),
                full: name.to_string(),
                class: if task.on_enter { "task" } else { "task-effect" },
                anchor: "start",
            });
            y += LINE;
        }
        deepest = deepest.max(y);
        let typed = !stage.belongs_to_all();
        boxes.push(StageBox {
            code: stage.code.clone(),
            x,
            y: top,
            w: BOX_W,
            h: BOX_H,
            class: format!(
                "open{}{}",
                if stage.optional.is_empty() {
                    ""
                } else {
                    " optional"
                },
                if typed { " typed" } else { "" }
            ),
            dashed: !stage.optional.is_empty(),
            labels,
        });
    }

    // The closing stages, one under another after the last open stage.
    let end_x = x_of(open.len());
    let mut notes = Vec::new();
    let mut edges = Vec::new();
    for (n, stage) in closing.iter().enumerate() {
        let y = top + n as i32 * (BOX_H + 34);
        let cx = end_x + BOX_W / 2;
        let kind = match stage.kind {
            StageKind::Won => "won",
            StageKind::Lost => "lost",
            StageKind::Open => "open",
        };
        let mut labels = vec![label(
            cx,
            y + 30,
            shorten(stage.name(lang), 22),
            "title",
            "middle",
        )];
        labels.push(label(
            cx,
            y + 48,
            format!("{}\u{a0}%", stage.probability),
            "sub",
            "middle",
        ));
        let from_any = match stage.kind {
            StageKind::Won => def.won_from.is_empty(),
            _ => true,
        };
        if from_any {
            labels.push(label(
                cx,
                y + BOX_H - 8,
                t.picture_from_any.to_string(),
                "sub",
                "middle",
            ));
        }
        boxes.push(StageBox {
            code: stage.code.clone(),
            x: end_x,
            y,
            w: BOX_W,
            h: BOX_H,
            class: kind.to_string(),
            dashed: false,
            labels,
        });
        deepest = deepest.max(y + BOX_H + 10);
        if stage.kind == StageKind::Won {
            // Won from the listed stages, or (from any) drawn from the last open stage.
            let from: Vec<usize> = if def.won_from.is_empty() {
                open.len().checked_sub(1).into_iter().collect()
            } else {
                def.won_from.iter().filter_map(|c| index_of(c)).collect()
            };
            for i in from {
                let x1 = x_of(i) + BOX_W;
                let y1 = top + BOX_H / 2;
                let d = if x_of(i) + BOX_W + GAP == end_x && n == 0 {
                    format!("M{x1},{y1} L{},{y1}", end_x - 2)
                } else {
                    format!(
                        "M{},{} C{},{} {},{} {},{}",
                        x_of(i) + BOX_W / 2,
                        top + BOX_H,
                        x_of(i) + BOX_W / 2,
                        deepest + 20,
                        end_x,
                        y + BOX_H / 2 + 40,
                        end_x - 2,
                        y + BOX_H / 2
                    )
                };
                edges.push(Edge {
                    d,
                    title: format!("{}→{}", open[i].code, stage.code),
                });
            }
        }
    }
    if !closing.is_empty() {
        notes.push(label(
            end_x,
            PAD + 4,
            t.picture_closing.to_string(),
            "note",
            "start",
        ));
    }

    for (i, j) in straight {
        let x1 = x_of(i) + BOX_W;
        let x2 = x_of(j) - 2;
        edges.push(Edge {
            d: format!("M{x1},{mid} L{x2},{mid}"),
            title: format!("{}→{}", open[i].code, open[j].code),
        });
    }
    for (i, j, lane) in placed {
        let x1 = x_of(i) + BOX_W / 2 + if j > i { 12 } else { -12 };
        let x2 = x_of(j) + BOX_W / 2 + if j > i { -12 } else { 12 };
        let peak = top - 10 - lane as i32 * LANE;
        // A cubic curve reaches three quarters of its control points' height.
        let control = top - (top - peak) * 4 / 3;
        edges.push(Edge {
            d: format!(
                "M{x1},{top} C{x1},{control} {x2},{control} {x2},{}",
                top - 2
            ),
            title: format!("{}→{}", open[i].code, open[j].code),
        });
    }
    let columns = open.len() as i32 + i32::from(!closing.is_empty());
    Picture {
        width: PAD * 2 + columns * BOX_W + (columns - 1).max(0) * GAP,
        height: deepest + PAD,
        boxes,
        edges,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::i18n::RU;
    use ferment_domain::process::default_definition;

    #[test]
    fn the_shipped_process_draws_every_stage_edge_and_task() {
        let def = default_definition();
        let picture = draw(&def, &RU, Lang::Ru);
        assert_eq!(picture.boxes.len(), def.stages.len());
        let next_edges: usize = def.stages.iter().map(|s| s.next.len()).sum();
        // Every `next` edge, plus won from the last open stage.
        assert_eq!(picture.edges.len(), next_edges + 1);
        assert!(picture.edges.iter().any(|e| e.title == "qualification→kp"));
        let recipe = picture
            .boxes
            .iter()
            .find(|b| b.code == "recipe")
            .expect("the recipe stage");
        assert!(recipe.dashed, "an optional stage is dashed");
        assert!(recipe.labels.iter().any(|l| l.full == "Выбрать рецептуру"));
        let first = &picture.boxes[0];
        assert!(!first.dashed);
        assert!(picture.width > 0 && picture.height > first.y + first.h);
    }

    #[test]
    fn long_names_wrap_into_two_lines() {
        assert_eq!(
            wrap("Визит на пилотную линию", 20),
            vec!["Визит на пилотную".to_string(), "линию".into()]
        );
        assert_eq!(wrap("Договор", 20), vec!["Договор".to_string()]);
    }
}
