//! Names of food plants: the kind of plant by industry («Молочный комбинат», «Хлебозавод») and a
//! brand made of one word («Вятушка») or an adjective and a noun («Белая долина»), or the city's
//! adjective («Казанский хлебозавод»). The vocabularies multiply to tens of thousands of names, so a
//! million counterparties still look varied and any one word matches only a fraction of them.

use ferment_domain::counterparty::Industry;

use crate::regions::City;
use crate::rng::{DemoRng, chance, pick, word};

/// Grammatical gender of a noun, for the adjective that precedes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gender {
    /// Masculine.
    M,
    /// Feminine.
    F,
    /// Neuter.
    N,
}

use Gender::{F, M, N};

/// The masculine adjective in the given gender (-ий/-ый/-ой → -ая/-ое).
pub(crate) fn agree(adjective: &str, gender: Gender) -> String {
    let stem = adjective
        .strip_suffix("ий")
        .or_else(|| adjective.strip_suffix("ый"))
        .or_else(|| adjective.strip_suffix("ой"));
    match (stem, gender) {
        (Some(stem), F) => format!("{stem}ая"),
        (Some(stem), N) => format!("{stem}ое"),
        _ => adjective.to_string(),
    }
}

/// One-word brands.
#[rustfmt::skip]
const BRANDS: &[&str] = &[
    "Алтай", "Альтаир", "Аргамак", "Бриз", "Валдай", "Велес", "Вектор", "Весна", "Восход",
    "Вятушка", "Гармония", "Деревенька", "Добродея", "Дружба", "Ермак", "Жемчужина", "Заря",
    "Зарница", "Злата", "Идеал", "Искра", "Каравай", "Кедр", "Колос", "Кристалл", "Купава",
    "Лада", "Ладога", "Лакомка", "Ласточка", "Легенда", "Любава", "Магистраль", "Меридиан",
    "Милава", "Мираж", "Нива", "Оберег", "Околица", "Олимп", "Орион", "Пересвет", "Победа",
    "Полесье", "Престиж", "Приволье", "Прогресс", "Радуга", "Раздолье", "Рассвет", "Родник",
    "Рубин", "Русич", "Сварог", "Северянка", "Сияние", "Славянка", "Сластёна", "Смак", "Союз",
    "Спектр", "Старт", "Сударушка", "Таврия", "Темп", "Традиция", "Триумф", "Удача", "Урожай",
    "Услада", "Факел", "Фортуна", "Эдельвейс", "Эталон", "Юбилейный", "Янтарь", "Ярило",
    "Ясень",
];

/// Adjectives for two-word brands, masculine.
#[rustfmt::skip]
const ADJECTIVES: &[&str] = &[
    "Белый", "Весёлый", "Вольный", "Добрый", "Дружный", "Заречный", "Звёздный", "Зелёный",
    "Золотой", "Красный", "Лесной", "Луговой", "Медовый", "Молодой", "Новый", "Родной",
    "Русский", "Светлый", "Северный", "Сибирский", "Синий", "Славный", "Солнечный", "Старый",
    "Степной", "Тёплый", "Тихий", "Уральский", "Щедрый", "Южный", "Ясный",
];

/// Nouns for two-word brands, with their gender.
#[rustfmt::skip]
const NOUNS: &[(&str, Gender)] = &[
    ("берег", M), ("бор", M), ("двор", M), ("дом", M), ("исток", M), ("ключ", M), ("край", M),
    ("луг", M), ("остров", M), ("сад", M), ("хутор", M), ("стан", M), ("родник", M),
    ("долина", F), ("заря", F), ("мельница", F), ("нива", F), ("поляна", F), ("пристань", F),
    ("река", F), ("роща", F), ("слобода", F), ("усадьба", F), ("ферма", F), ("горка", F),
    ("озеро", N), ("подворье", N), ("поле", N), ("раздолье", N), ("село", N), ("утро", N),
    ("угодье", N), ("лукоморье", N),
];

/// A kind of plant as it heads a name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Head {
    /// The words («Молочный комбинат»).
    pub text: &'static str,
    /// Gender of the main noun, for a city adjective before it.
    pub gender: Gender,
    /// Whether plants of this kind are numbered («Хлебозавод № 3»).
    pub numbered: bool,
    /// Short Latin prefix for the web domain.
    pub domain: &'static str,
}

const fn h(text: &'static str, gender: Gender, numbered: bool, domain: &'static str) -> Head {
    Head {
        text,
        gender,
        numbered,
        domain,
    }
}

#[rustfmt::skip]
const DAIRY: &[Head] = &[
    h("Молочный комбинат", M, true, "mk"),
    h("Молочный завод", M, false, "mz"),
    h("Молзавод", M, true, "molzavod"),
    h("Сыродельный завод", M, false, "syr"),
    h("Маслосыродельный комбинат", M, false, "msk"),
    h("Молочная компания", F, false, "moloko"),
    h("Сыроварня", F, false, "syrovarnya"),
];

#[rustfmt::skip]
const BAKERY: &[Head] = &[
    h("Хлебозавод", M, true, "hlebozavod"),
    h("Хлебокомбинат", M, true, "hlebokombinat"),
    h("Пекарня", F, false, "pekarnya"),
    h("Булочно-кондитерский комбинат", M, true, "bkk"),
    h("Хлебопекарня", F, false, "hleb"),
    h("Пекарский дом", M, false, "pekar"),
];

#[rustfmt::skip]
const MEAT: &[Head] = &[
    h("Мясокомбинат", M, true, "myaso"),
    h("Мясоперерабатывающий завод", M, false, "mpz"),
    h("Мясной двор", M, false, "myasnoy-dvor"),
    h("Колбасный завод", M, false, "kolbasy"),
    h("Птицефабрика", F, false, "ptitsa"),
    h("Мясная компания", F, false, "meat"),
];

#[rustfmt::skip]
const CONFECTIONERY: &[Head] = &[
    h("Кондитерская фабрика", F, true, "kf"),
    h("Кондитерский комбинат", M, false, "kk"),
    h("Кондитерский дом", M, false, "konditer"),
    h("Фабрика пряников", F, false, "pryaniki"),
    h("Шоколадная фабрика", F, false, "choco"),
];

#[rustfmt::skip]
const BEVERAGES: &[Head] = &[
    h("Пивоваренный завод", M, false, "pivo"),
    h("Завод напитков", M, false, "napitki"),
    h("Завод безалкогольных напитков", M, true, "zbn"),
    h("Пивоварня", F, false, "brew"),
    h("Квасной двор", M, false, "kvas"),
];

#[rustfmt::skip]
const ICE_CREAM: &[Head] = &[
    h("Хладокомбинат", M, true, "hladokombinat"),
    h("Фабрика мороженого", F, false, "morozhenoe"),
    h("Комбинат мороженого", M, false, "ice"),
];

#[rustfmt::skip]
const FISH: &[Head] = &[
    h("Рыбокомбинат", M, false, "ryba"),
    h("Рыбоперерабатывающий завод", M, false, "rpz"),
    h("Рыбная компания", F, false, "fish"),
];

#[rustfmt::skip]
const FATS_AND_SAUCES: &[Head] = &[
    h("Масложировой комбинат", M, false, "mzhk"),
    h("Завод соусов", M, false, "sousy"),
    h("Жировой комбинат", M, false, "zhk"),
    h("Фабрика соусов", F, false, "sauce"),
];

#[rustfmt::skip]
const READY_MEALS: &[Head] = &[
    h("Фабрика-кухня", F, true, "kuhnya"),
    h("Комбинат питания", M, true, "kp"),
    h("Фабрика полуфабрикатов", F, false, "pf"),
    h("Кулинарная фабрика", F, false, "kulinariya"),
];

#[rustfmt::skip]
const DISTRIBUTION: &[Head] = &[
    h("Торговый дом", M, false, "td"),
    h("Продовольственная компания", F, false, "prod"),
    h("Дистрибьюторская компания", F, false, "dist"),
    h("Группа компаний", F, false, "gk"),
];

#[rustfmt::skip]
const OTHER: &[Head] = &[
    h("Агрокомплекс", M, false, "agro"),
    h("Пищевой комбинат", M, true, "pk"),
    h("Комбинат детского питания", M, false, "kdp"),
];

/// The kinds of plant of an industry.
pub(crate) fn heads(industry: Industry) -> &'static [Head] {
    match industry {
        Industry::Dairy => DAIRY,
        Industry::Bakery => BAKERY,
        Industry::Meat => MEAT,
        Industry::Confectionery => CONFECTIONERY,
        Industry::Beverages => BEVERAGES,
        Industry::IceCream => ICE_CREAM,
        Industry::Fish => FISH,
        Industry::FatsAndSauces => FATS_AND_SAUCES,
        Industry::ReadyMeals => READY_MEALS,
        Industry::Distribution => DISTRIBUTION,
        Industry::Other => OTHER,
    }
}

/// A generated plant name and what a domain is made of.
#[derive(Debug, Clone)]
pub(crate) struct PlantName {
    /// Short name («Молочный комбинат «Вятушка»»).
    pub name: String,
    /// The registered name inside the legal form's quotes, with inner quotes „“.
    pub quoted: String,
    /// Russian words the web domain is spelled from.
    pub domain_words: String,
}

/// A brand: one word or an adjective and a noun.
pub(crate) fn brand(rng: &mut DemoRng) -> String {
    if chance(rng, 45) {
        pick(rng, BRANDS).to_string()
    } else {
        let (noun, gender) = *pick(rng, NOUNS);
        format!("{} {noun}", agree(word(rng, ADJECTIVES), gender))
    }
}

/// A plant name of the industry in `city`: a brand («Хлебозавод «Колос»»), the city's adjective
/// («Казанский хлебозавод») or a number («Хлебозавод № 3»).
pub(crate) fn plant_name(rng: &mut DemoRng, industry: Industry, city: &City) -> PlantName {
    let head = *pick(rng, heads(industry));
    let roll = crate::rng::between(rng, 0, 99);
    if roll < 20 {
        let name = format!(
            "{} {}",
            agree(city.adjective, head.gender),
            lower_first(head.text)
        );
        let domain_words = format!("{} {}", head.domain, city.name);
        PlantName {
            quoted: name.clone(),
            domain_words,
            name,
        }
    } else if roll < 32 && head.numbered {
        let number = crate::rng::between(rng, 1, 12);
        let name = format!("{} № {number}", head.text);
        let domain_words = format!("{}{number} {}", head.domain, city.name);
        PlantName {
            quoted: name.clone(),
            domain_words,
            name,
        }
    } else {
        let brand = brand(rng);
        PlantName {
            name: format!("{} «{brand}»", head.text),
            quoted: format!("{} „{brand}“", head.text),
            domain_words: if chance(rng, 50) {
                format!("{} {brand}", head.domain)
            } else {
                brand
            },
        }
    }
}

fn lower_first(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjectives_agree_with_their_nouns() {
        assert_eq!(agree("Белый", F), "Белая");
        assert_eq!(agree("Тихий", N), "Тихое");
        assert_eq!(agree("Золотой", F), "Золотая");
        assert_eq!(agree("Тверской", M), "Тверской");
    }

    #[test]
    fn every_industry_has_plants_and_some_brand_words_repeat_rarely() {
        for industry in Industry::ALL {
            assert!(!heads(*industry).is_empty());
        }
        assert!(BRANDS.len() + ADJECTIVES.len() * NOUNS.len() > 1000);
    }
}
