//! Russian people: surnames, first names and patronymics in both genders, and the Latin spelling
//! used for e-mail addresses and domains.

use crate::rng::{DemoRng, between, chance, digits, pick, word};
use crate::vocab::MOBILE_CODES;

/// Men's first names with the patronymics they give (son's, daughter's).
#[rustfmt::skip]
const MEN: &[(&str, &str, &str)] = &[
    ("Александр", "Александрович", "Александровна"), ("Алексей", "Алексеевич", "Алексеевна"),
    ("Анатолий", "Анатольевич", "Анатольевна"), ("Андрей", "Андреевич", "Андреевна"),
    ("Антон", "Антонович", "Антоновна"), ("Аркадий", "Аркадьевич", "Аркадьевна"),
    ("Артём", "Артёмович", "Артёмовна"), ("Борис", "Борисович", "Борисовна"),
    ("Вадим", "Вадимович", "Вадимовна"), ("Валерий", "Валерьевич", "Валерьевна"),
    ("Василий", "Васильевич", "Васильевна"), ("Виктор", "Викторович", "Викторовна"),
    ("Владимир", "Владимирович", "Владимировна"), ("Геннадий", "Геннадьевич", "Геннадьевна"),
    ("Григорий", "Григорьевич", "Григорьевна"), ("Денис", "Денисович", "Денисовна"),
    ("Дмитрий", "Дмитриевич", "Дмитриевна"), ("Евгений", "Евгеньевич", "Евгеньевна"),
    ("Иван", "Иванович", "Ивановна"), ("Игорь", "Игоревич", "Игоревна"),
    ("Илья", "Ильич", "Ильинична"), ("Кирилл", "Кириллович", "Кирилловна"),
    ("Константин", "Константинович", "Константиновна"), ("Леонид", "Леонидович", "Леонидовна"),
    ("Максим", "Максимович", "Максимовна"), ("Михаил", "Михайлович", "Михайловна"),
    ("Николай", "Николаевич", "Николаевна"), ("Олег", "Олегович", "Олеговна"),
    ("Павел", "Павлович", "Павловна"), ("Пётр", "Петрович", "Петровна"),
    ("Роман", "Романович", "Романовна"), ("Руслан", "Русланович", "Руслановна"),
    ("Рустам", "Рустамович", "Рустамовна"), ("Сергей", "Сергеевич", "Сергеевна"),
    ("Станислав", "Станиславович", "Станиславовна"), ("Тимур", "Тимурович", "Тимуровна"),
    ("Фёдор", "Фёдорович", "Фёдоровна"), ("Эдуард", "Эдуардович", "Эдуардовна"),
    ("Юрий", "Юрьевич", "Юрьевна"), ("Ярослав", "Ярославович", "Ярославовна"),
];

/// Women's first names.
#[rustfmt::skip]
const WOMEN: &[&str] = &[
    "Алина", "Алёна", "Анастасия", "Анна", "Валентина", "Вера", "Виктория", "Галина",
    "Гульнара", "Дарья", "Диана", "Евгения", "Екатерина", "Елена", "Жанна", "Ирина",
    "Кристина", "Ксения", "Лариса", "Любовь", "Людмила", "Марина", "Мария", "Надежда",
    "Наталья", "Оксана", "Ольга", "Полина", "Светлана", "Софья", "Татьяна", "Элина", "Юлия",
];

/// Surnames in the masculine form; [`feminine`] makes the feminine one.
#[rustfmt::skip]
const SURNAMES: &[&str] = &[
    "Абрамов", "Агафонов", "Акимов", "Александров", "Алексеев", "Алиев", "Андреев", "Анисимов",
    "Антонов", "Архипов", "Афанасьев", "Ахметов", "Баранов", "Белов", "Белоусов", "Беляев",
    "Бирюков", "Богданов", "Бондаренко", "Борисов", "Быков", "Валиев", "Васильев",
    "Виноградов", "Вишневский", "Власов", "Волков", "Воробьёв", "Воронин", "Воронцов",
    "Гаврилов", "Галиев", "Галкин", "Гарипов", "Гасанов", "Герасимов", "Голубев", "Гончаров",
    "Горбунов", "Грачёв", "Григорьев", "Гришин", "Громов", "Гусев", "Давыдов", "Данилов",
    "Денисов", "Дмитриев", "Егоров", "Емельянов", "Ерёмин", "Ермаков", "Ефимов", "Ефремов",
    "Жуков", "Журавлёв", "Зайцев", "Захаров", "Зиннатуллин", "Иванов", "Ильин", "Исаев",
    "Казаков", "Калинин", "Карпов", "Кириллов", "Киселёв", "Климов", "Князев", "Коваленко",
    "Ковалёв", "Козлов", "Колесников", "Комаров", "Кондратьев", "Коновалов", "Королёв",
    "Котов", "Кравчук", "Крылов", "Кудрявцев", "Кузнецов", "Кузьмин", "Куликов", "Лазарев",
    "Лебедев", "Левченко", "Леонов", "Лукьянов", "Магомедов", "Макаров", "Максимов", "Малышев",
    "Марков", "Мартынов", "Маслов", "Матвеев", "Медведев", "Мельников", "Миронов", "Михайлов",
    "Михеев", "Моисеев", "Морозов", "Назаров", "Наумов", "Нестеров", "Никитин", "Никифоров",
    "Николаев", "Новиков", "Овчинников", "Орлов", "Осипов", "Павлов", "Панов", "Петров",
    "Покровский", "Поляков", "Пономарёв", "Попов", "Потапов", "Прохоров", "Родионов",
    "Романов", "Рябов", "Савельев", "Сафин", "Семёнов", "Сергеев", "Сидоров", "Симонов",
    "Скворцов", "Смирнов", "Соболев", "Соколов", "Соловьёв", "Сорокин", "Степанов", "Тарасов",
    "Тимофеев", "Титов", "Тихонов", "Ткаченко", "Трофимов", "Федотов", "Филатов", "Филиппов",
    "Фомин", "Фролов", "Фёдоров", "Хабибуллин", "Харитонов", "Цветков", "Чернов", "Чернышёв",
    "Шевченко", "Шубин", "Щербаков", "Юдин", "Яковлев",
];

/// A person's name in its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Person {
    /// Фамилия.
    pub surname: String,
    /// Имя.
    pub first: &'static str,
    /// Отчество.
    pub patronymic: &'static str,
}

impl Person {
    /// A random person; `female_percent` sets how likely a woman is.
    pub fn random(rng: &mut DemoRng, female_percent: u64) -> Person {
        let female = chance(rng, female_percent);
        let surname = word(rng, SURNAMES);
        let (_, son, daughter) = *pick(rng, MEN);
        if female {
            Person {
                surname: feminine(surname),
                first: word(rng, WOMEN),
                patronymic: daughter,
            }
        } else {
            let (first, _, _) = *pick(rng, MEN);
            Person {
                surname: surname.to_string(),
                first,
                patronymic: son,
            }
        }
    }

    /// Parses «Фамилия Имя Отчество» back into a person (the parts must be vocabulary words).
    pub fn parse(full_name: &str) -> Option<Person> {
        let mut parts = full_name.split_whitespace();
        let (surname, first, patronymic) = (parts.next()?, parts.next()?, parts.next()?);
        let first = MEN
            .iter()
            .map(|m| m.0)
            .chain(WOMEN.iter().copied())
            .find(|n| *n == first)?;
        let patronymic = MEN
            .iter()
            .flat_map(|m| [m.1, m.2])
            .find(|p| *p == patronymic)?;
        Some(Person {
            surname: surname.to_string(),
            first,
            patronymic,
        })
    }

    /// «Фамилия Имя Отчество».
    pub fn full_name(&self) -> String {
        format!("{} {} {}", self.surname, self.first, self.patronymic)
    }

    /// «Фамилия И. О.».
    pub fn short_name(&self) -> String {
        format!(
            "{} {}. {}.",
            self.surname,
            initial(self.first),
            initial(self.patronymic)
        )
    }

    /// `i.surname`, for a work address.
    pub fn email_local(&self) -> String {
        format!(
            "{}.{}",
            latin(&initial(self.first).to_string()),
            latin(&self.surname)
        )
    }

    /// `surname.io`, for a personal address.
    pub fn personal_email_local(&self) -> String {
        format!(
            "{}.{}{}",
            latin(&self.surname),
            latin(&initial(self.first).to_string()),
            latin(&initial(self.patronymic).to_string())
        )
    }
}

/// A landline number in the city with this phone code: `+7 (843) 212-34-56`.
pub(crate) fn phone(rng: &mut DemoRng, code: &str) -> String {
    let local = format!("{}{}", between(rng, 2, 8), digits(rng, 9 - code.len()));
    let (head, tail) = local.split_at(local.len() - 4);
    format!("+7 ({code}) {head}-{}-{}", &tail[..2], &tail[2..])
}

/// A mobile number: `+7 (916) 123-45-67`.
pub(crate) fn mobile(rng: &mut DemoRng) -> String {
    let code = word(rng, MOBILE_CODES);
    let local = digits(rng, 7);
    format!(
        "+7 ({code}) {}-{}-{}",
        &local[..3],
        &local[3..5],
        &local[5..]
    )
}

fn initial(word: &str) -> char {
    word.chars().next().unwrap_or('Х')
}

/// The feminine form of a surname: Иванов → Иванова, Покровский → Покровская; Шевченко stays.
pub(crate) fn feminine(surname: &str) -> String {
    if let Some(stem) = surname
        .strip_suffix("ий")
        .or_else(|| surname.strip_suffix("ый"))
    {
        format!("{stem}ая")
    } else if ["ов", "ев", "ёв", "ин", "ын"]
        .iter()
        .any(|end| surname.ends_with(end))
    {
        format!("{surname}а")
    } else {
        surname.to_string()
    }
}

/// Lower-case Latin spelling of Russian text for addresses: letters transliterated, spaces and
/// dashes become `-`, anything else dropped.
pub(crate) fn latin(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let s = match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' => "i",
            'й' | 'ы' => "y",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ю' => "yu",
            'я' => "ya",
            ' ' | '-' if !out.is_empty() && !out.ends_with('-') => "-",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "",
        };
        out.push_str(s);
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feminine_surnames_agree() {
        assert_eq!(feminine("Иванов"), "Иванова");
        assert_eq!(feminine("Соловьёв"), "Соловьёва");
        assert_eq!(feminine("Покровский"), "Покровская");
        assert_eq!(feminine("Шевченко"), "Шевченко");
    }

    #[test]
    fn latin_spelling_fits_an_address() {
        assert_eq!(latin("Белая долина"), "belaya-dolina");
        assert_eq!(latin("Щукин"), "shchukin");
        assert_eq!(latin("«Вятушка» № 3"), "vyatushka-3");
    }

    #[test]
    fn phone_numbers_have_ten_digits_after_the_country_code() {
        let mut rng = crate::rng::stream(0, 0, 0);
        for code in ["495", "4967", "81371"] {
            let number = phone(&mut rng, code);
            assert_eq!(
                number.chars().filter(char::is_ascii_digit).count(),
                11,
                "{number}"
            );
        }
        assert_eq!(mobile(&mut rng).len(), "+7 (916) 123-45-67".len());
    }

    #[test]
    fn a_full_name_parses_back() {
        let person = Person {
            surname: "Петрова".into(),
            first: "Анна",
            patronymic: "Ильинична",
        };
        assert_eq!(Person::parse(&person.full_name()), Some(person.clone()));
        assert_eq!(person.short_name(), "Петрова А. И.");
        assert_eq!(person.email_local(), "a.petrova");
    }
}
