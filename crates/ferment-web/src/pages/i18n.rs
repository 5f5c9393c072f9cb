//! Every text the pages show, in Russian (the default) and English.
//!
//! One line per text keeps both languages side by side, and a struct field per text means a typo in a
//! template is a compile error rather than a missing label. Messages about invalid values come from
//! `ferment_domain::validation::Problem::message`; labels of coded values (segments, industries, units)
//! from the domain's `label(lang)`.

use ferment_domain::validation::Lang;

macro_rules! texts {
    ($($key:ident: $ru:literal, $en:literal;)+) => {
        /// The pages' texts in one language; each field's doc is its Russian text.
        #[derive(Debug)]
        pub struct Texts {
            $(#[doc = $ru] pub $key: &'static str,)+
        }

        /// Russian texts.
        pub static RU: Texts = Texts { $($key: $ru,)+ };
        /// English texts.
        pub static EN: Texts = Texts { $($key: $en,)+ };
    };
}

texts! {
    // The frame around every page.
    app_name: "Ferment", "Ferment";
    nav_counterparties: "Контрагенты", "Counterparties";
    nav_contacts: "Контакты", "Contacts";
    nav_products: "Номенклатура", "Products";
    logout: "Выйти", "Sign out";
    language: "Язык", "Language";
    times_note: "Время московское (UTC+3)", "Times are Moscow time (UTC+3)";

    // Signing in.
    login_title: "Вход", "Sign in";
    login_intro: "CRM поставщика пищевых ингредиентов", "CRM for a food-ingredients supplier";
    login: "Логин", "Login";
    password: "Пароль", "Password";
    sign_in: "Войти", "Sign in";
    login_failed: "Неверный логин или пароль", "Wrong login or password";

    // Words every page uses.
    search: "Поиск", "Search";
    find: "Найти", "Search";
    reset: "Сбросить", "Reset";
    all: "Все", "All";
    not_set: "—", "—";
    next_page: "Далее →", "Next →";
    first_page: "← В начало", "← First page";
    create: "Создать", "New";
    edit: "Изменить", "Edit";
    delete: "Удалить", "Delete";
    save: "Сохранить", "Save";
    cancel: "Отмена", "Cancel";
    confirm_delete: "Удалить запись? История изменений сохранится.", "Delete the record? Its change history is kept.";
    nothing_found: "Ничего не найдено", "Nothing found";
    check_fields: "Запись не сохранена: исправьте поля, отмеченные ниже.", "Not saved: correct the fields marked below.";
    bad_filters: "Фильтр не применён:", "Filter not applied:";
    saved: "Изменения сохранены", "Changes saved";
    created: "Запись создана", "Record created";
    deleted: "Запись удалена", "Record deleted";
    stale_title: "Запись уже изменил кто-то другой", "Someone else has changed this record";
    stale_detail: "Ниже — текущие значения. Повторите свои изменения и сохраните снова.", "Below are the current values. Apply your changes again and save.";
    your_changes: "Вы вводили:", "You entered:";
    duplicate_open: "Открыть существующую запись", "Open the existing record";
    history: "История изменений", "Change history";
    history_empty: "Изменений пока нет", "No changes yet";
    action_create: "Создание", "Created";
    action_update: "Изменение", "Changed";
    action_delete: "Удаление", "Deleted";
    fields_set: "Поля", "Fields";
    system: "Система", "System";
    created_at: "Создан", "Created";
    updated_at: "Изменён", "Changed";
    sort: "Сортировка", "Sort";
    page_size: "Строк на странице", "Rows per page";
    page: "Страница", "Page";
    yes: "Да", "Yes";
    no: "Нет", "No";
    version: "Версия", "Version";
    required_mark: "обязательное поле", "required";

    // Errors shown as a page.
    error_not_found: "Запись не найдена или у вас нет к ней доступа", "The record does not exist or you may not see it";
    error_forbidden: "Недостаточно прав для этого действия", "You are not allowed to do this";
    error_conflict: "Запись изменилась или используется в других записях", "The record changed or is in use by other records";
    error_internal: "Что-то пошло не так. Попробуйте ещё раз чуть позже.", "Something went wrong. Please try again a bit later.";
    error_back: "Вернуться к списку", "Back to the list";

    // Counterparties.
    counterparties: "Контрагенты", "Counterparties";
    new_counterparty: "Новый контрагент", "New counterparty";
    edit_counterparty: "Изменение контрагента", "Edit counterparty";
    search_counterparties: "Название, ИНН или e-mail", "Name, INN or e-mail";
    kind: "Вид", "Kind";
    name: "Краткое наименование", "Short name";
    full_name: "Полное наименование", "Full name";
    inn: "ИНН", "INN";
    kpp: "КПП", "KPP";
    inn_kpp: "ИНН / КПП", "INN / KPP";
    ogrn: "ОГРН / ОГРНИП", "OGRN / OGRNIP";
    legal_address: "Юридический адрес", "Legal address";
    actual_address: "Фактический адрес", "Actual address";
    bank_accounts: "Банковские счета", "Bank accounts";
    bik: "БИК", "BIK";
    bank_name: "Банк", "Bank";
    correspondent_account: "Корр. счёт", "Correspondent account";
    account: "Расчётный счёт", "Settlement account";
    add_bank_account: "+ Ещё счёт", "+ Another account";
    no_bank_accounts: "Счетов нет", "No bank accounts";
    industry: "Отрасль", "Industry";
    segment: "Сегмент", "Segment";
    territory_id: "Территория", "Territory";
    owner_id: "Ответственный", "Owner";
    phone: "Телефон", "Phone";
    email: "E-mail", "E-mail";
    phone_email: "Телефон / e-mail", "Phone / e-mail";
    site: "Сайт", "Website";
    tags: "Метки", "Tags";
    tags_hint: "Через запятую", "Comma-separated";
    notes: "Заметки", "Notes";
    section_main: "Основное", "General";
    section_requisites: "Реквизиты", "Requisites";
    section_addresses: "Адреса", "Addresses";
    section_contact: "Связь", "Contact details";
    section_other: "Прочее", "Other";
    sort_name_asc: "Название: А → Я", "Name: A → Z";
    sort_name_desc: "Название: Я → А", "Name: Z → A";
    sort_inn_asc: "ИНН: по возрастанию", "INN: ascending";
    sort_inn_desc: "ИНН: по убыванию", "INN: descending";
    sort_created_desc: "Сначала новые", "Newest first";
    sort_created_asc: "Сначала старые", "Oldest first";

    // Contacts.
    contacts: "Контакты", "Contacts";
    new_contact: "Новый контакт", "New contact";
    edit_contact: "Изменение контакта", "Edit contact";
    add_contact: "+ Контакт", "+ Contact";
    no_contacts: "Контактов пока нет", "No contacts yet";
    search_contacts: "ФИО, должность или e-mail", "Name, position or e-mail";
    contact_full_name: "ФИО", "Full name";
    position: "Должность", "Position";
    counterparty_id: "Контрагент", "Counterparty";
    emails: "E-mail", "E-mails";
    phones: "Телефоны", "Phones";
    list_hint: "По одному в строке", "One per line";

    // Products.
    products: "Номенклатура", "Products";
    new_product: "Новый товар", "New product";
    edit_product: "Изменение товара", "Edit product";
    search_products: "Наименование, код или артикул", "Name, code or article";
    code: "Код", "Code";
    article: "Артикул", "Article";
    product_name: "Наименование", "Name";
    unit: "Ед. изм.", "Unit";
    group_id: "Группа", "Group";
    vat_rate: "НДС, %", "VAT, %";
    vat: "НДС", "VAT";
    price: "Цена", "Price";
    currency: "Валюта", "Currency";
    needs_sample: "Нужен образец перед продажей", "Needs a sample before sale";
    needs_sample_short: "Образец", "Sample";
    description: "Описание", "Description";
    stock: "Остатки на складах", "Stock by warehouse";
    warehouse: "Склад", "Warehouse";
    quantity: "Количество", "Quantity";
    no_stock: "Остатков нет", "No stock";
    stock_updated: "Обновлено", "Updated";
}

/// The texts of a language.
pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Ru => &RU,
        Lang::En => &EN,
    }
}

/// Which kind of record a field belongs to (a few field names mean different things).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    /// A counterparty.
    Counterparty,
    /// A contact.
    Contact,
    /// A product (or its stock).
    Product,
}

/// The label of a field as the API spells it (`inn`, `bank_accounts[0].bik`, `emails[1]`), for form
/// summaries and the change history; an unknown field is shown by its name.
pub fn field_label<'a>(t: &'static Texts, entity: Entity, field: &'a str) -> &'a str {
    // Nested names are labelled by their last part: `bank_accounts[0].bik` is a БИК.
    let last = field.rsplit('.').next().unwrap_or(field);
    let base = last.split('[').next().unwrap_or(last);
    match (entity, base) {
        (Entity::Contact, "full_name") => return t.contact_full_name,
        (Entity::Product, "name") => return t.product_name,
        _ => {}
    }
    match base {
        "kind" => t.kind,
        "name" => t.name,
        "full_name" => t.full_name,
        "inn" => t.inn,
        "kpp" => t.kpp,
        "ogrn" => t.ogrn,
        "legal_address" => t.legal_address,
        "actual_address" => t.actual_address,
        "bank_accounts" => t.bank_accounts,
        "bik" => t.bik,
        "bank_name" => t.bank_name,
        "correspondent_account" => t.correspondent_account,
        "account" => t.account,
        "industry" => t.industry,
        "segment" => t.segment,
        "territory_id" => t.territory_id,
        "owner_id" => t.owner_id,
        "phone" => t.phone,
        "email" => t.email,
        "site" => t.site,
        "tags" => t.tags,
        "notes" => t.notes,
        "position" => t.position,
        "counterparty_id" => t.counterparty_id,
        "emails" => t.emails,
        "phones" => t.phones,
        "code" => t.code,
        "article" => t.article,
        "unit" => t.unit,
        "group_id" => t.group_id,
        "vat_rate" => t.vat_rate,
        "price" => t.price,
        "currency" => t.currency,
        "needs_sample" => t.needs_sample,
        "description" => t.description,
        "quantity" => t.quantity,
        "version" => t.version,
        "q" => t.search,
        "sort" => t.sort,
        "limit" => t.page_size,
        "cursor" => t.page,
        _ => field,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_fields_are_labelled_by_their_last_part() {
        assert_eq!(
            field_label(&RU, Entity::Counterparty, "bank_accounts[1].bik"),
            "БИК"
        );
        assert_eq!(field_label(&EN, Entity::Contact, "emails[2]"), "E-mails");
        assert_eq!(field_label(&RU, Entity::Contact, "full_name"), "ФИО");
        assert_eq!(field_label(&RU, Entity::Counterparty, "colour"), "colour");
    }
}
