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
    nav_admin: "Администрирование", "Administration";
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

    // Access administration: roles.
    admin_roles: "Роли", "Roles";
    new_role: "Новая роль", "New role";
    role: "Роль", "Role";
    role_code: "Код роли", "Role code";
    role_code_hint: "Латинские строчные буквы, цифры и _", "Lower-case latin letters, digits and _";
    role_name: "Название", "Name";
    role_name_en: "Название по-английски", "English name";
    permissions_count: "Разрешений", "Permissions";
    holders_hint: "Роль, которая назначена пользователям, удалить нельзя.", "A role held by users cannot be deleted.";
    confirm_delete_role: "Удалить роль?", "Delete the role?";
    permissions: "Права на записи", "Record permissions";
    permissions_hint: "Нет — ничего; свои — где пользователь ответственный; отдела — где ответственный из его отдела; территории — в его территории и внутри неё; все — любые.", "None — nothing; own — where the user is the owner; team — where the owner is in the user's department; territory — in the user's territory and inside it; all — any.";
    record_kind: "Вид записей", "Kind of record";
    system_ops: "Системные операции", "System operations";
    hidden_fields: "Скрытые поля", "Hidden fields";
    ip_allow: "Разрешённые IP-адреса", "Allowed IP addresses";
    ip_allow_hint: "По одному адресу или сети в строке, например 10.1.0.0/16. Пусто — без ограничений.", "One address or network per line, e.g. 10.1.0.0/16. Empty — no restriction.";
    line: "Строка", "Line";

    // Access administration: users and departments.
    admin_users: "Пользователи", "Users";
    user_full_name: "ФИО", "Full name";
    roles: "Роли", "Roles";
    department: "Отдел", "Department";
    departments: "Отделы", "Departments";
    department_name: "Название отдела", "Department name";
    no_departments: "Отделов пока нет", "No departments yet";
    add: "Добавить", "Add";
    active: "Активен", "Active";
    inactive: "Отключён", "Inactive";
    active_hint: "Отключённый пользователь не может войти", "An inactive user cannot sign in";
    section_access: "Доступ", "Access";
    overrides: "Индивидуальные права", "Personal overrides";
    overrides_hint: "«—» — как дают роли (в скобках); другое значение заменяет права ролей в этой клетке.", "“—” — as the roles grant (in brackets); any other value replaces what the roles grant in that cell.";

    // Access administration: effective access and the audit log.
    admin_access: "Проверка доступа", "Effective access";
    access_intro: "Что пользователь может сделать с записью, и какое правило это решает.", "What a user may do to a record, and which rule decides it.";
    access_user: "Пользователь", "User";
    access_record: "ID записи", "Record id";
    access_record_hint: "ID контрагента, контакта или товара — из адреса его карточки", "The id of a counterparty, contact or product — from its card's address";
    show: "Показать", "Show";
    operation: "Операция", "Operation";
    decision: "Решение", "Decision";
    allowed: "Разрешено", "Allowed";
    denied: "Запрещено", "Denied";
    rule: "Правило", "Rule";
    levels_held: "Уровни пользователя", "Levels held";
    nothing_granted: "ничего не дано", "nothing granted";
    source_override: "индивидуальное право", "personal override";
    reason_all: "уровень «все»", "level “all”";
    reason_owner: "пользователь — ответственный", "the user owns the record";
    reason_team: "ответственный — из отдела пользователя", "the owner is in the user's department";
    reason_territory: "территория записи — в территории пользователя", "the record's territory lies in the user's";
    reason_may_create: "уровень позволяет создавать такие записи", "the level allows creating such records";
    denied_invisible: "запись пользователю не видна", "the record is not visible to the user";
    denied_forbidden: "ни один уровень не достаёт до записи", "no level held reaches the record";
    admin_audit: "Журнал аудита", "Audit log";
    admin_network: "Сеть", "Network";
    trusted_proxies: "Доверенные прокси-серверы", "Trusted proxies";
    trusted_proxies_hint: "Только от этих адресов принимается заголовок X-Forwarded-For. По одному адресу или сети в строке. Пусто — адрес клиента берётся из соединения.", "X-Forwarded-For is believed only from these addresses. One address or network per line. Empty — the client's address is the connection's.";
    seen_as: "Ваш адрес, как его видит Ferment", "Your address as Ferment sees it";
    audit_at: "Время", "Time";
    audit_event: "Событие", "Event";
    audit_ip: "IP-адрес", "IP address";
    audit_detail: "Подробности", "Details";
    event_login: "Вход", "Sign-in";
    event_login_failed: "Неудачный вход", "Failed sign-in";
    event_ip_refused: "Отказ по IP-адресу", "Address refused";
    event_denied: "Отказ в доступе", "Access denied";
    event_role_created: "Создание роли", "Role created";
    event_role_changed: "Изменение роли", "Role changed";
    event_role_deleted: "Удаление роли", "Role deleted";
    event_user_access_changed: "Изменение доступа пользователя", "User access changed";
    event_department_created: "Создание отдела", "Department created";
    event_department_changed: "Изменение отдела", "Department changed";
    event_department_deleted: "Удаление отдела", "Department deleted";
    event_settings_changed: "Изменение настроек", "Settings changed";
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
    /// A role or a department (access administration).
    Role,
    /// A user account.
    User,
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
        (Entity::Role, "name") => return t.role_name,
        (Entity::Role, "code") => return t.role_code,
        (Entity::User, "full_name") => return t.user_full_name,
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
        "login" => t.login,
        "roles" => t.roles,
        "department_id" => t.department,
        "active" => t.active,
        "ip_allow" => t.ip_allow,
        "name_en" => t.role_name_en,
        "system" => t.system_ops,
        "hidden_fields" => t.hidden_fields,
        "permissions" => t.permissions,
        "overrides" => t.overrides,
        "user" => t.access_user,
        "record" => t.access_record,
        "event" => t.audit_event,
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
