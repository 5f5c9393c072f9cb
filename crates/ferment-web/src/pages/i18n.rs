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
    export: "Экспорт", "Export";
    export_hint: "Все записи по текущему фильтру", "Every record matching the current filter";

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

    // Navigation of the sales work.
    nav_tasks: "Мои задачи", "My tasks";
    nav_sales: "Продажи", "Sales";
    nav_leads: "Лиды", "Leads";
    done_moved: "Сделка переведена на новый этап", "The sale has moved to the new stage";
    done_skipped: "Этап пропущен", "The stage has been skipped";
    done_completed: "Задача выполнена", "The task is done";
    done_cancelled: "Задача отменена", "The task has been cancelled";
    done_converted: "Лид преобразован в сделку", "The lead has been converted into a sale";
    done_disqualified: "Лид дисквалифицирован", "The lead has been disqualified";
    not_done: "Действие не выполнено: исправьте отмеченное ниже.", "Not done: correct what is marked below.";
    stale_card: "Обновите страницу и повторите.", "Reload the page and try again.";
    date_hint: "дд.мм.гггг", "yyyy-mm-dd";
    actions: "Действия", "Actions";
    comment: "Комментарий", "Comment";

    // Sales.
    sales: "Продажи", "Sales";
    sale: "Сделка", "Sale";
    new_sale: "Новая сделка", "New sale";
    edit_sale: "Изменение сделки", "Edit sale";
    sale_title: "Название сделки", "Sale title";
    search_sales: "Название сделки", "Sale title";
    view_board: "Доска", "Board";
    view_list: "Список", "List";
    all_sales: "Все сделки", "All sales";
    my_sales: "Мои сделки", "My sales";
    open_sales: "Открытые сделки", "Open sales";
    no_sales: "Сделок нет", "No sales";
    all_of_stage: "Все сделки этапа", "All sales of the stage";
    sale_state: "Состояние", "State";
    state_open: "Открытые", "Open";
    state_closed: "Закрытые", "Closed";
    stage: "Этап", "Stage";
    stages: "Этапы", "Stages";
    process_type: "Тип процесса", "Process type";
    process_type_unset: "не выбран", "not chosen";
    process_type_hint: "Нужен для этапов после предварительного КП", "Needed for the stages after the preliminary proposal";
    probability: "Вероятность", "Probability";
    amount_with_vat: "Сумма с НДС", "Amount incl. VAT";
    vat_included: "В том числе НДС", "Including VAT";
    total: "Итого", "Total";
    total_net: "Без НДС", "Without VAT";
    expected_amount: "Ожидаемая сумма", "Expected amount";
    expected_amount_hint: "Пусто — сумма строк", "Empty — the lines' total";
    expected_close_date: "Ожидаемая дата закрытия", "Expected close date";
    delivery_terms: "Условия поставки", "Delivery terms";
    contact_id: "Контактное лицо", "Contact person";
    contact_hint: "Контакты выбранного контрагента; после выбора контрагента нажмите «Найти», чтобы обновить список", "The chosen counterparty's contacts; after choosing the counterparty press “Search” to refresh them";
    sale_lines: "Товары сделки", "Products of the sale";
    lines_hint: "Пустые строки не сохраняются. Пустые цена, НДС и «Образец» берутся из карточки товара.", "Empty rows are not saved. Empty price, VAT and “Sample” come from the product card.";
    product: "Товар", "Product";
    unit_price: "Цена с НДС", "Price incl. VAT";
    unit_cost: "Себестоимость ед.", "Unit cost";
    line_amount: "Сумма", "Amount";
    sample_paid: "Образец платный", "Paid sample";
    sample_paid_short: "платный", "paid";
    as_in_product: "как в товаре", "as in the product";
    find_products: "Найти товары", "Find products";
    more_rows: "+ Ещё строки", "+ More rows";
    no_lines: "Товаров пока нет", "No products yet";
    section_order: "Заказ, оплата, поставка", "Order, payment, delivery";
    order_placed_on: "Заказ размещён", "Order placed";
    invoice_paid_on: "Счёт оплачен", "Invoice paid";
    delivered_on: "Поставка выполнена", "Delivered";
    lead: "Лид", "Lead";
    open_lead: "Открыть лид", "Open the lead";
    closed_at: "Закрыта", "Closed";
    lost_reason: "Причина проигрыша", "Reason for losing";
    lost_reason_hint: "Обязательна при переходе в «Проиграна»", "Required when moving to “Lost”";
    stage_move: "Переход по этапам", "Stage move";
    move_to: "Перейти на этап", "Move to stage";
    move_button: "Перейти", "Move";
    contract_kind: "Вид договора", "Contract kind";
    contract_kind_hint: "Нужен для этапа «Договор»", "Needed for the “Contract” stage";
    optional_ahead: "Необязательные этапы впереди:", "Optional stages ahead:";
    skip: "Пропустить", "Skip";
    suggest_move: "Предлагается следующий шаг: перейти на этап", "Suggested next step: move to the stage";
    open_tasks: "Открытые задачи", "Open tasks";
    no_open_tasks_here: "Открытых задач нет", "No open tasks";
    closed_tasks: "Выполненные и отменённые задачи", "Done and cancelled tasks";
    timeline: "Ход сделки", "Timeline";
    add_task: "+ Задача", "+ Task";
    add_sale: "+ Сделка", "+ Sale";
    contract: "Договор", "Contract";
    edit_contract: "Изменить договор", "Edit the contract";
    contract_number: "Номер договора", "Contract number";
    contract_date: "Дата договора", "Contract date";
    valid_until: "Действует до", "Valid until";
    payment_terms: "Условия оплаты", "Payment terms";
    specification: "Спецификация", "Specification";
    redraw_contract: "Перезаполнить товары и реквизиты из сделки", "Redraw the products and requisites from the sale";
    redraw_contract_hint: "Номер, дата и условия оплаты сохранятся", "The number, date and payment terms are kept";
    costs: "Затраты", "Costs";
    no_costs: "Затрат пока нет", "No costs yet";
    add_cost: "Добавить затрату", "Add a cost";
    cost_category: "Статья", "Category";
    cost_amount: "Сумма с НДС", "Amount incl. VAT";
    spent_on: "Дата", "Date";
    spent_on_hint: "дд.мм.гггг; пусто — сегодня", "yyyy-mm-dd; empty — today";
    margin: "Маржа", "Margin";
    revenue_net: "Выручка без НДС", "Revenue without VAT";
    cost_of_goods: "Себестоимость товаров", "Cost of goods";
    costs_net: "Затраты без НДС", "Costs without VAT";
    event_stage_entered: "Начат этап", "Stage entered";
    event_stage_skipped: "Пропущен этап", "Stage skipped";
    event_task_created: "Создана задача", "Task created";
    event_task_done: "Выполнена задача", "Task done";
    event_task_cancelled: "Отменена задача", "Task cancelled";
    event_closed: "Сделка закрыта", "Sale closed";
    event_contract_changed: "Изменён договор", "Contract changed";
    closed_won: "успешно", "won";
    closed_lost: "проиграна", "lost";

    // Tasks.
    my_tasks: "Мои задачи", "My tasks";
    task: "Задача", "Task";
    new_task: "Новая задача", "New task";
    task_title: "Что сделать", "What to do";
    task_kind: "Вид задачи", "Kind of task";
    task_status: "Состояние", "Status";
    due_on: "Срок", "Due";
    due_short: "до", "due";
    assignee_id: "Исполнитель", "Assignee";
    tasks_overdue: "Просрочены", "Overdue";
    tasks_today: "Сегодня", "Today";
    tasks_upcoming: "Предстоящие", "Upcoming";
    no_open_tasks: "Открытых задач нет — всё сделано.", "No open tasks — all done.";
    first_hundred: "Показаны первые 100 задач.", "The first 100 tasks are shown.";
    overdue: "просрочена", "overdue";
    outcome: "Результат", "Outcome";
    choose_outcome: "— выберите результат —", "— choose the outcome —";
    outcome_data: "Данные результата", "Outcome data";
    recipe: "Рецептура", "Recipe";
    recipe_hint: "Нужна для результата «Готовая рецептура»", "Needed for the outcome “An existing recipe”";
    mark_done: "Выполнено", "Done";
    complete_ellipsis: "Завершить…", "Complete…";
    complete_task: "Завершение задачи", "Completing the task";
    cancel_task: "Отменить", "Cancel";
    confirm_cancel_task: "Отменить задачу?", "Cancel the task?";
    completed_at: "Завершена", "Completed";
    decision_process_type: "Полный или короткий процесс?", "Full or short process?";
    decision_full_hint: "Рецептура, образцы, пилотная линия, промышленная выработка — каждый этап можно пропустить", "Recipe, samples, pilot line, industrial trial — each stage may be skipped";
    decision_short_hint: "Сразу коммерческое предложение → договор → ожидание заказа", "Straight to the proposal → contract → awaiting the order";

    // Leads.
    leads: "Лиды", "Leads";
    new_lead: "Новый лид", "New lead";
    edit_lead: "Изменение лида", "Edit lead";
    search_leads: "Компания, контакт, e-mail или ИНН", "Company, contact, e-mail or INN";
    company_name: "Компания", "Company";
    existing_counterparty: "Существующий контрагент", "Existing counterparty";
    existing_counterparty_hint: "Если компания уже есть в базе", "If the company is already on file";
    section_company: "Компания", "Company";
    section_person: "Контактное лицо", "Contact person";
    section_work: "Работа с лидом", "Working the lead";
    lead_status: "Статус", "Status";
    lead_source: "Источник", "Source";
    need: "Потребность", "Need";
    product_interest: "Интерес к продуктам", "Products of interest";
    disqualify: "Дисквалифицировать", "Disqualify";
    disqualify_reason: "Причина дисквалификации", "Reason for disqualification";
    disqualify_reason_hint: "Обязательна для статуса «Дисквалифицирован»", "Required for the status “Disqualified”";
    reopen_lead: "Вернуть в работу", "Put back in work";
    convert_lead: "Преобразовать в сделку", "Convert into a sale";
    convert_hint: "Создаст сделку на первом этапе; контрагент и контакт найдутся по ИНН и e-mail или будут созданы.", "Makes a sale at the first stage; the counterparty and contact are found by INN and e-mail, or created.";
    convert_title_hint: "Пусто — «компания: потребность»", "Empty — “company: need”";
    converted_at: "Преобразован", "Converted";
    lead_converted: "Лид преобразован в сделку.", "The lead has been converted into a sale.";
    open_sale: "Открыть сделку", "Open the sale";
    duplicate_client: "Такой контрагент уже есть", "Such a counterparty already exists";

    // The process editor.
    admin_process: "Процесс продаж", "Sales process";

    // Documents: the sale card's panel, the client's card, administration of kinds and templates.
    admin_documents: "Документы", "Documents";
    admin_company: "Реквизиты компании", "Company requisites";
    documents: "Документы", "Documents";
    no_documents: "Документов пока нет.", "No documents yet.";
    generate_document: "Сформировать", "Generate";
    document_kind: "Вид документа", "Document kind";
    new_number: "С новым номером", "With a new number";
    new_number_hint: "Иначе — новая версия документа с прежним номером", "Otherwise a new version with the same number";
    document_number: "Номер", "Number";
    document_date: "Дата", "Date";
    document_date_from: "от", "of";
    kilobytes: "КБ", "KB";
    document_format: "Формат", "Format";
    document_version: "Версия", "Version";
    document_made_by: "Кто сформировал", "Made by";
    document_made_at: "Когда", "When";
    download: "Скачать", "Download";
    done_generated: "Документ сформирован", "Document generated";
    task_asks_document: "Документ для задачи", "Document for the task";
    stage_asks_document: "Документ этапа", "The stage's document";
    kind_code: "Код", "Code";
    kind_name_ru: "Название (рус.)", "Name (Russian)";
    kind_name_en: "Название (англ.)", "Name (English)";
    number_prefix: "Префикс номера", "Number prefix";
    number_prefix_hint: "{year} заменяется годом: «КП-{year}-» даёт КП-2026-17", "{year} becomes the year: “КП-{year}-” gives КП-2026-17";
    number_example: "Пример номера", "Number example";
    add_kind: "Добавить вид документа", "Add a document kind";
    shipped_kind: "поставляется с Ferment", "shipped with Ferment";
    text_template: "Шаблон PDF", "PDF template";
    word_template: "Шаблон Word", "Word template";
    edit_template: "Изменить", "Edit";
    no_template: "нет", "none";
    template_source: "Текст шаблона", "Template source";
    template_hint: "Поля вставляются как {{ client.inn }}, строки — циклом {% for line in lines %} … {% endfor %}, условия — {% if contact.name %} … {% endif %}. Разметка — Typst.", "Insert fields as {{ client.inn }}, lines with {% for line in lines %} … {% endfor %}, conditions with {% if contact.name %} … {% endif %}. Markup is Typst.";
    field_palette: "Поля", "Fields";
    field_palette_hint: "Нажмите на поле, чтобы вставить его в шаблон.", "Click a field to insert it into the template.";
    check_template: "Проверить", "Check";
    save_template: "Сохранить новую версию", "Save a new version";
    preview_pdf: "Предпросмотр PDF", "Preview the PDF";
    preview_sale: "Сделка для предпросмотра (ссылка или id; пусто — пример)", "Sale for the preview (link or id; empty: the sample)";
    template_valid: "Шаблон в порядке.", "The template is fine.";
    template_invalid: "В шаблоне есть ошибки", "The template has errors";
    upload_word_template: "Загрузить шаблон .docx", "Upload a .docx template";
    word_template_hint: "Поля — как в шаблоне PDF: {{ client.name }}. Строка таблицы с полями line.… повторяется для каждой строки сделки.", "Fields as in the PDF template: {{ client.name }}. A table row with line.… fields repeats for every line of the sale.";
    template_file: "Файл", "File";
    upload: "Загрузить", "Upload";
    choose_file: "Выберите файл.", "Choose a file.";
    company_requisites: "Реквизиты", "Requisites";
    company_bank: "Банковский счёт для документов", "Bank account for documents";
    company_signatories: "Подписи", "Signatures";
    director_name: "Руководитель (ФИО)", "Director (full name)";
    director_position: "Должность руководителя", "Director's position";
    accountant_name: "Главный бухгалтер (ФИО)", "Chief accountant (full name)";
    accountant_position: "Должность бухгалтера", "Accountant's position";
    settlement_account: "Расчётный счёт", "Settlement account";
    not_saved: "Не сохранено: исправьте отмеченные поля.", "Not saved: correct the marked fields.";
    company_images: "Логотип, печать и подписи", "Logo, stamp and signatures";
    company_images_hint: "PNG или JPEG до 2 МБ; документы ставят их на свои места.", "PNG or JPEG up to 2 MB; documents place them where they belong.";
    image_logo: "Логотип", "Logo";
    image_stamp: "Печать", "Stamp";
    image_signature_director: "Подпись руководителя", "Director's signature";
    image_signature_accountant: "Подпись бухгалтера", "Accountant's signature";
    image_present: "загружено", "uploaded";
    image_absent: "не загружено", "not uploaded";
    remove: "Удалить", "Remove";
    process_definition: "Определение процесса", "Process definition";
    process_definition_hint: "TOML: этапы, шаблоны задач, результаты и их последствия (см. docs/PROCESS.md). Сохранение создаёт новую версию; идущие сделки остаются на своей.", "TOML: stages, task templates, outcomes and their effects (see docs/PROCESS.md). Saving makes a new version; running sales keep theirs.";
    check_definition: "Проверить", "Check";
    save_version: "Сохранить новую версию", "Save a new version";
    version_comment: "Комментарий к версии", "Version comment";
    definition_valid: "Ошибок нет.", "No errors.";
    definition_invalid: "В определении есть ошибки:", "The definition has errors:";
    task_templates: "шаблонов задач", "task templates";
    versions: "Версии", "Versions";
    saved_at: "Сохранена", "Saved";
    author: "Автор", "Author";
    sales_on_version: "Сделок на версии", "Sales on it";
    active_version: "действующая", "active";
    process_picture: "Схема процесса", "Process diagram";
    picture_of_draft: "проверенный черновик", "the checked draft";
    picture_of_version: "версия", "version";
    picture_only: "только", "only";
    picture_optional: "можно пропустить", "may be skipped";
    picture_from_any: "из любого этапа", "from any stage";
    picture_closing: "Закрытие", "Closing";
    picture_legend: "Пунктир — этап можно пропустить; ▸ — задача ставится при входе в этап, · — по результату другой задачи; стрелки — переходы `next`.", "Dashed — the stage may be skipped; ▸ — the task is set on entering the stage, · — by another task's outcome; arrows — `next` moves.";

    // The 1C integration (administration, the sale card, the client card).
    admin_onec: "1С", "1C";
    onec_connections: "Подключения к 1С", "1C connections";
    onec_no_connections: "Подключений пока нет.", "No connections yet.";
    onec_add: "Добавить подключение", "Add a connection";
    onec_name: "Название", "Name";
    onec_url: "Адрес публикации OData", "OData publication URL";
    onec_url_hint: "Вида http://сервер/база/odata/standard.odata/", "Like http://server/base/odata/standard.odata/";
    onec_login: "Логин 1С", "1C login";
    onec_password: "Пароль 1С", "1C password";
    onec_password_keep: "Оставьте пустым, чтобы не менять сохранённый пароль.", "Leave blank to keep the stored password.";
    onec_profile: "Конфигурация", "Configuration";
    onec_schedule: "Синхронизировать каждые, мин", "Sync every, minutes";
    onec_schedule_hint: "Пусто — только по кнопке.", "Blank: on demand only.";
    onec_full_hours: "Полная сверка каждые, ч", "Full reconcile every, hours";
    onec_document_days: "Документы за последние, дней", "Documents of the last, days";
    onec_directions: "Что и куда синхронизировать", "What goes which way";
    onec_dir_products: "Номенклатура и цены", "Products and prices";
    onec_dir_stock: "Склады и остатки", "Warehouses and stock";
    onec_dir_counterparties: "Контрагенты и договоры", "Counterparties and contracts";
    onec_dir_documents: "Заказы и счета", "Orders and invoices";
    onec_active: "Подключение включено", "Connection active";
    onec_inactive: "выключено", "inactive";
    onec_settings: "Настройки", "Settings";
    onec_schedule_col: "Расписание", "Schedule";
    onec_every_minutes: "каждые {} мин", "every {} min";
    onec_on_demand: "по кнопке", "on demand";
    onec_last_run: "Последний запуск", "Last run";
    onec_never: "ещё не запускалась", "never run";
    cml_title: "Обмен с сайтом (CommerceML)", "«Обмен с сайтом» (CommerceML)";
    cml_hint: "В настройках обмена 1С укажите адрес Ferment с путём {}, логин и пароль пользователя Ferment с правом настраивать интеграции.", "In 1C's exchange settings give Ferment's address with the path {}, and the login and password of a Ferment user who may configure integrations.";
    cml_waiting: "Заказов ждут обмена", "Orders waiting for the exchange";
    cml_none: "1С ещё не обращалась к обмену.", "1C has not called the exchange yet.";
    cml_when: "Когда", "When";
    cml_step: "Шаг", "Step";
    cml_file: "Файл", "File";
    cml_items: "Количество", "Count";
    cml_outcome: "Итог", "Outcome";
    cml_import: "Загрузка файла", "File import";
    cml_query: "Заказы переданы в 1С", "Orders handed to 1C";
    cml_success: "1С подтвердила заказы", "1C confirmed the orders";
    cml_progress: "идёт", "in progress";
    cml_done: "готово", "done";
    cml_failed: "ошибка", "failed";
    onec_open_conflicts: "Конфликты", "Conflicts";
    onec_open: "Открыть", "Open";
    onec_delete_confirm: "Удалить подключение? Журнал и связи сохранятся.", "Delete the connection? Its log and links are kept.";
    onec_test: "Проверить подключение", "Test the connection";
    onec_test_ok: "1С отвечает, логин принят.", "1C answers and accepts the login.";
    onec_test_failed: "Подключиться не удалось", "Could not connect";
    onec_test_all_published: "Всё, что нужно профилю, опубликовано.", "Everything the profile needs is published.";
    onec_test_missing: "Не опубликовано, но нужно профилю (добавьте в «Настройке стандартного интерфейса OData»):", "Needed by the profile but not published (add it in «Настройка стандартного интерфейса OData»):";
    onec_test_whole_set: "весь набор", "the whole set";
    onec_test_published: "Опубликованные наборы", "Published sets";
    onec_sync: "Синхронизировать", "Synchronise";
    onec_full_sync: "Полная сверка", "Full reconcile";
    onec_running: "Синхронизация этого подключения уже идёт.", "A sync of this connection is already running.";
    onec_open_running: "Открыть идущий запуск", "Open the running run";
    onec_runs: "Запуски", "Runs";
    onec_no_runs: "Запусков ещё не было.", "No runs yet.";
    onec_run: "Запуск синхронизации", "Sync run";
    onec_status: "Статус", "Status";
    onec_started: "Начат", "Started";
    onec_finished: "Окончен", "Finished";
    onec_counts: "Объекты", "Objects";
    onec_full: "полная", "full";
    onec_trigger: "Запуск", "Trigger";
    onec_status_running: "Идёт", "Running";
    onec_status_succeeded: "Успешно", "Succeeded";
    onec_status_failed: "Ошибка", "Failed";
    onec_received: "получено", "received";
    onec_created: "создано", "created";
    onec_updated: "изменено", "updated";
    onec_unchanged: "без изменений", "unchanged";
    onec_failed: "ошибок", "failed";
    onec_error: "Ошибка", "Error";
    onec_refreshing: "Страница обновляется каждые 2 секунды, пока запуск идёт.", "The page refreshes every 2 seconds while the run goes on.";
    onec_log: "Журнал", "Log";
    onec_log_empty: "В журнале нет записей: ни ошибок, ни конфликтов, ни отправок в 1С.", "Nothing logged: no failures, conflicts or sends to 1C.";
    onec_log_time: "Время", "Time";
    onec_log_direction: "Направление", "Direction";
    onec_log_object: "Объект", "Object";
    onec_log_outcome: "Итог", "Outcome";
    onec_log_message: "Сообщение", "Message";
    onec_from_onec: "из 1С", "from 1C";
    onec_to_onec: "в 1С", "to 1C";
    onec_record: "Запись", "Record";
    onec_back: "К подключению", "Back to the connection";
    onec_conflicts: "Конфликты: изменено и в Ferment, и в 1С", "Conflicts: changed both in Ferment and in 1C";
    onec_no_conflicts: "Конфликтов нет.", "No conflicts.";
    onec_field: "Поле", "Field";
    onec_value_ferment: "В Ferment", "In Ferment";
    onec_value_onec: "В 1С", "In 1C";
    onec_take_onec: "Взять из 1С", "Take 1C's value";
    onec_keep_ferment: "Оставить значение Ferment", "Keep Ferment's value";
    onec_resolved: "Разрешён", "Resolved";
    onec_resolved_onec: "взято из 1С", "taken from 1C";
    onec_resolved_ferment: "оставлено значение Ferment", "Ferment's value kept";
    onec_mapping: "Сопоставление полей", "Field mapping";
    onec_mapping_effective: "Действующий профиль", "The profile in force";
    onec_mapping_changes: "Изменения администратора (JSON merge patch)", "The administrator's changes (JSON merge patch)";
    onec_mapping_hint: "Объект JSON поверх поставляемого профиля; {} — без изменений.", "A JSON object over the shipped profile; {} means no changes.";
    onec_mapping_not_json: "Это не JSON", "Not JSON";
    onec_panel: "1С", "1C";
    onec_documents: "Документы 1С", "1C documents";
    onec_no_documents: "Документов из 1С нет.", "No documents from 1C.";
    onec_doc_kind: "Документ", "Document";
    onec_doc_number: "Номер", "Number";
    onec_doc_date: "Дата", "Date";
    onec_doc_amount: "Сумма", "Amount";
    onec_doc_state: "Состояние", "State";
    onec_posted: "проведён", "posted";
    onec_not_posted: "не проведён", "not posted";
    onec_marked_deleted: "помечен на удаление", "marked for deletion";
    onec_doc_order: "Заказ", "Order";
    onec_doc_invoice: "Счёт", "Invoice";
    onec_doc_payment: "Оплата", "Payment";
    onec_doc_shipment: "Отгрузка", "Shipment";
    onec_orders_sent: "Заказы, отправленные в 1С", "Orders sent to 1C";
    onec_out_pending: "Ожидает", "Pending";
    onec_out_sent: "Отправлен", "Sent";
    onec_out_failed: "Ошибка", "Failed";
    onec_requested: "Запрошен", "Requested";
    onec_send_order: "Отправить заказ в 1С", "Send the order to 1C";
    onec_post: "провести", "post it";
    onec_connection: "Подключение", "Connection";
    done_order_sent: "Заказ поставлен в очередь на отправку в 1С", "The order is queued for 1C";
    done_resolved: "Конфликт разрешён", "Conflict resolved";
    onec_contracts: "Договоры 1С", "1C contracts";
    onec_no_contracts: "Договоров из 1С нет.", "No contracts from 1C.";
    onec_obj_product: "Номенклатура", "Products";
    onec_obj_product_group: "Группы", "Groups";
    onec_obj_price: "Цены", "Prices";
    onec_obj_warehouse: "Склады", "Warehouses";
    onec_obj_stock: "Остатки", "Stock";
    onec_obj_counterparty: "Контрагенты", "Counterparties";
    onec_obj_bank_account: "Банковские счета", "Bank accounts";
    onec_obj_contract: "Договоры", "Contracts";
    onec_obj_order: "Заказы", "Orders";
    onec_obj_invoice: "Счета", "Invoices";
    onec_obj_payment: "Оплаты", "Payments";
    onec_obj_shipment: "Отгрузки", "Shipments";
    onec_obj_counterparty_out: "Отправлено контрагентов", "Counterparties sent";
    onec_obj_bank_account_out: "Отправлено банковских счетов", "Bank accounts sent";
    onec_obj_order_out: "Отправлено заказов", "Orders sent";
    onec_obj_sale: "Продажи", "Sales";
    onec_obj_payment_status: "Статусы оплаты", "Payment states";
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
    /// A sale.
    Sale,
    /// A task.
    Task,
    /// A lead.
    Lead,
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
        (Entity::Sale, "title") => return t.sale_title,
        (Entity::Task, "title") => return t.task_title,
        (Entity::Task, "kind") => return t.task_kind,
        (Entity::Task, "status") => return t.task_status,
        (Entity::Lead, "status") => return t.lead_status,
        (Entity::Sale | Entity::Task, "stage") => return t.stage,
        (Entity::Sale, "amount") => return t.amount_with_vat,
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
        "contact_id" => t.contact_id,
        "process_type" => t.process_type,
        "contract_kind" => t.contract_kind,
        "contract" => t.contract,
        "lines" => t.sale_lines,
        "product_id" => t.product,
        "unit_price" => t.unit_price,
        "unit_cost" => t.unit_cost,
        "sample_paid" => t.sample_paid,
        "delivery_terms" => t.delivery_terms,
        "expected_amount" => t.expected_amount,
        "expected_close_date" => t.expected_close_date,
        "order_placed_on" => t.order_placed_on,
        "invoice_paid_on" => t.invoice_paid_on,
        "delivered_on" => t.delivered_on,
        "probability" => t.probability,
        "lost_reason" => t.lost_reason,
        "reason" => t.lost_reason,
        "stage" => t.stage,
        "outcome" => t.outcome,
        "comment" => t.comment,
        "recipe_id" => t.recipe,
        "due_on" => t.due_on,
        "assignee_id" => t.assignee_id,
        "sale_id" => t.sale,
        "title" => t.sale_title,
        "company_name" => t.company_name,
        "contact_name" => t.contact_full_name,
        "contact_position" => t.position,
        "source" => t.lead_source,
        "need" => t.need,
        "product_interest" => t.product_interest,
        "disqualify_reason" => t.disqualify_reason,
        "category" => t.cost_category,
        "amount" => t.cost_amount,
        "spent_on" => t.spent_on,
        "note" => t.notes,
        "number" => t.contract_number,
        "date" => t.contract_date,
        "valid_until" => t.valid_until,
        "payment_terms" => t.payment_terms,
        "task" => t.task,
        "connection_id" => t.onec_connection,
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
