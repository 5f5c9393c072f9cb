//! Reference data for selects and for showing names instead of ids: the territory tree, users,
//! product groups. Read through the use cases, so a page offers only what its user may see.

use std::collections::HashMap;

use ferment_domain::validation::Lang;
use ferment_store::Store;
use ferment_store::territories::TerritoryRecord;
use uuid::Uuid;

use super::forms::{Choice, keep_unknown};
use crate::app;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// A territory's name in `lang`.
pub fn territory_name(territory: &TerritoryRecord, lang: Lang) -> String {
    let data = &territory.record.data;
    match lang {
        Lang::En if !data.name_en.is_empty() => data.name_en.clone(),
        _ => data.name.clone(),
    }
}

/// The territory tree as options, children indented under their parents (the store lists it in
/// tree order), after an empty option labelled `empty`.
pub async fn territory_choices(
    store: &Store,
    user: &CurrentUser,
    lang: Lang,
    current: &str,
    empty: &str,
) -> AppResult<Vec<Choice>> {
    let territories = app::territories::list(store, user).await?;
    let mut choices = vec![Choice::new("", empty, current)];
    for territory in &territories {
        // `/RU/RU-CFD/RU-MOW/` is three levels deep: indent by three no-break spaces per level
        // below the top (ordinary spaces collapse inside an option).
        let depth = territory.path.matches('/').count().saturating_sub(2);
        let indent = "\u{a0}\u{a0}\u{a0}".repeat(depth);
        choices.push(Choice::new(
            territory.record.meta.id.to_string(),
            format!("{indent}{}", territory_name(territory, lang)),
            current,
        ));
    }
    keep_unknown(&mut choices, current);
    Ok(choices)
}

/// Active users as options (plus the current value, even if that user is no longer active).
pub async fn user_choices(
    store: &Store,
    user: &CurrentUser,
    current: &str,
    empty: &str,
) -> AppResult<Vec<Choice>> {
    let users = app::users::list(store, user).await?;
    let mut choices = vec![Choice::new("", empty, current)];
    for account in &users {
        let id = account.meta.id.to_string();
        if account.data.active || id == current.trim() {
            choices.push(Choice::new(id, account.data.full_name.clone(), current));
        }
    }
    keep_unknown(&mut choices, current);
    Ok(choices)
}

/// Names of territories and users by id, for showing references (in a card, in the history).
#[derive(Debug, Default)]
pub struct Names(HashMap<Uuid, String>);

impl Names {
    /// The name of the record `id`, if it was resolved.
    pub fn get(&self, id: &Uuid) -> Option<&str> {
        self.0.get(id).map(String::as_str)
    }

    /// The name of `id`, or «—» when there is none.
    pub fn show(&self, id: Option<Uuid>) -> String {
        id.and_then(|id| self.get(&id).map(str::to_string))
            .unwrap_or_else(|| "—".to_string())
    }

    /// Resolves territory ids (those the user may not see stay unresolved).
    pub async fn add_territories(
        &mut self,
        store: &Store,
        user: &CurrentUser,
        lang: Lang,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> AppResult<()> {
        for id in ids {
            if self.0.contains_key(&id) {
                continue;
            }
            match app::territories::get(store, user, id).await {
                Ok(territory) => {
                    self.0.insert(id, territory_name(&territory, lang));
                }
                Err(AppError::NotFound | AppError::Forbidden) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    /// Resolves user ids.
    pub async fn add_users(
        &mut self,
        store: &Store,
        user: &CurrentUser,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> AppResult<()> {
        let missing: Vec<Uuid> = ids
            .into_iter()
            .filter(|id| !self.0.contains_key(id))
            .collect();
        self.0
            .extend(app::users::names(store, user, &missing).await?);
        Ok(())
    }

    /// Records a name known from elsewhere (a counterparty's name from its own record).
    pub fn insert(&mut self, id: Uuid, name: String) {
        self.0.insert(id, name);
    }
}

/// The product group tree as options, subgroups indented under their groups, and the names of
/// the groups by id.
pub async fn group_choices(
    store: &Store,
    user: &CurrentUser,
    current: &str,
    empty: &str,
) -> AppResult<Vec<Choice>> {
    let groups = app::catalog::list_groups(store, user).await?;
    let mut children: HashMap<Option<Uuid>, Vec<usize>> = HashMap::new();
    for (index, group) in groups.iter().enumerate() {
        // A group whose parent is gone is shown at the top rather than lost.
        let parent = group
            .data
            .parent_id
            .filter(|p| groups.iter().any(|g| g.meta.id == *p));
        children.entry(parent).or_default().push(index);
    }
    let mut choices = vec![Choice::new("", empty, current)];
    // Depth-first from the top groups; the store lists groups by name, so siblings stay sorted.
    let mut stack: Vec<(usize, usize)> = children
        .get(&None)
        .map(|top| top.iter().rev().map(|&i| (i, 0)).collect())
        .unwrap_or_default();
    let mut seen = vec![false; groups.len()];
    while let Some((index, depth)) = stack.pop() {
        if std::mem::replace(&mut seen[index], true) {
            continue;
        }
        let group = &groups[index];
        let indent = "\u{a0}\u{a0}\u{a0}".repeat(depth);
        choices.push(Choice::new(
            group.meta.id.to_string(),
            format!("{indent}{}", group.data.name),
            current,
        ));
        if let Some(kids) = children.get(&Some(group.meta.id)) {
            stack.extend(kids.iter().rev().map(|&i| (i, depth + 1)));
        }
    }
    keep_unknown(&mut choices, current);
    Ok(choices)
}
