-- Foundation: accounts, territories, counterparties, contacts, the nomenclature, the change history.
-- Ids are UUID text; times are UTC RFC 3339 text with microseconds (sortable as text);
-- money is integer kopecks, quantities integer thousandths, VAT rates integer hundredths of a percent.
-- *_sort and search_terms.term hold text normalised in Rust (lower case, ё → е), so that both
-- databases order and match them the same way with plain indexes.

CREATE TABLE territories (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    parent_id   TEXT REFERENCES territories (id),
    tax_region  TEXT,
    path        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    deleted_at  TEXT
);
CREATE INDEX territories_parent ON territories (parent_id);
CREATE INDEX territories_path ON territories (path);

CREATE TABLE roles (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    full_name     TEXT NOT NULL,
    name_sort     TEXT NOT NULL,
    email         TEXT,
    phone         TEXT,
    territory_id  TEXT REFERENCES territories (id),
    active        INTEGER NOT NULL DEFAULT 1,
    password_hash TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    deleted_at    TEXT
);

CREATE TABLE user_roles (
    user_id    TEXT NOT NULL REFERENCES users (id),
    role_code  TEXT NOT NULL REFERENCES roles (code),
    PRIMARY KEY (user_id, role_code)
);

-- Browser sessions and API tokens: only a SHA-256 of the secret is stored, so a copy of the database
-- signs nobody in. Deleting the row revokes it.
CREATE TABLE auth_tokens (
    token_hash    TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id),
    kind          TEXT NOT NULL,
    name          TEXT,
    csrf_token    TEXT,
    created_at    TEXT NOT NULL,
    expires_at    TEXT,
    last_used_at  TEXT
);
CREATE INDEX auth_tokens_user ON auth_tokens (user_id);

CREATE TABLE counterparties (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    name_sort       TEXT NOT NULL,
    full_name       TEXT,
    inn             TEXT,
    kpp             TEXT,
    ogrn            TEXT,
    legal_address   TEXT,
    actual_address  TEXT,
    industry        TEXT,
    segment         TEXT,
    territory_id    TEXT REFERENCES territories (id),
    owner_id        TEXT REFERENCES users (id),
    phone           TEXT,
    email           TEXT,
    email_sort      TEXT,
    site            TEXT,
    tags            TEXT NOT NULL DEFAULT '[]',
    notes           TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    deleted_at      TEXT
);
CREATE INDEX counterparties_name ON counterparties (name_sort, id);
CREATE INDEX counterparties_territory_name ON counterparties (territory_id, name_sort, id);
CREATE INDEX counterparties_owner_name ON counterparties (owner_id, name_sort, id);
CREATE INDEX counterparties_inn ON counterparties (inn);
-- The duplicate rule (same ИНН and КПП) holds even when two requests race.
CREATE UNIQUE INDEX counterparties_inn_kpp_live ON counterparties (inn, COALESCE(kpp, ''))
    WHERE deleted_at IS NULL AND inn IS NOT NULL;
CREATE INDEX counterparties_email ON counterparties (email_sort);
CREATE INDEX counterparties_created ON counterparties (created_at, id);

CREATE TABLE counterparty_bank_accounts (
    id                     TEXT PRIMARY KEY,
    counterparty_id        TEXT NOT NULL REFERENCES counterparties (id),
    position               INTEGER NOT NULL,
    bik                    TEXT NOT NULL,
    bank_name              TEXT NOT NULL,
    correspondent_account  TEXT,
    account                TEXT NOT NULL
);
CREATE INDEX counterparty_bank_accounts_owner ON counterparty_bank_accounts (counterparty_id, position);

-- Words records are found by (see ferment_domain::text::search_terms), for prefix search by range.
CREATE TABLE search_terms (
    record_kind  TEXT NOT NULL,
    term         TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    PRIMARY KEY (record_kind, term, record_id)
);
CREATE INDEX search_terms_record ON search_terms (record_id);

CREATE TABLE contacts (
    id               TEXT PRIMARY KEY,
    full_name        TEXT NOT NULL,
    name_sort        TEXT NOT NULL,
    position         TEXT,
    counterparty_id  TEXT REFERENCES counterparties (id),
    emails           TEXT NOT NULL DEFAULT '[]',
    phones           TEXT NOT NULL DEFAULT '[]',
    notes            TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    deleted_at       TEXT
);
CREATE INDEX contacts_name ON contacts (name_sort, id);
CREATE INDEX contacts_counterparty ON contacts (counterparty_id, name_sort);

CREATE TABLE product_groups (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    parent_id   TEXT REFERENCES product_groups (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    deleted_at  TEXT
);

CREATE TABLE products (
    id            TEXT PRIMARY KEY,
    code          TEXT NOT NULL,
    article       TEXT,
    name          TEXT NOT NULL,
    name_sort     TEXT NOT NULL,
    unit          TEXT NOT NULL,
    group_id      TEXT REFERENCES product_groups (id),
    vat_rate      INTEGER NOT NULL,
    price         INTEGER NOT NULL,
    currency      TEXT NOT NULL,
    needs_sample  INTEGER NOT NULL DEFAULT 0,
    description   TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    deleted_at    TEXT
);
-- A code is unique among live products; a deleted product's code may be reused.
CREATE UNIQUE INDEX products_code_live ON products (code) WHERE deleted_at IS NULL;
CREATE INDEX products_name ON products (name_sort, id);
CREATE INDEX products_group ON products (group_id, name_sort);

CREATE TABLE warehouses (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_sort   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    address     TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    deleted_at  TEXT
);

CREATE TABLE stock (
    warehouse_id  TEXT NOT NULL REFERENCES warehouses (id),
    product_id    TEXT NOT NULL REFERENCES products (id),
    quantity      INTEGER NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (warehouse_id, product_id)
);
CREATE INDEX stock_product ON stock (product_id);

-- The change history: one row per change of a business record, written in the change's transaction.
CREATE TABLE change_log (
    id           TEXT PRIMARY KEY,
    record_kind  TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    action       TEXT NOT NULL,
    user_id      TEXT REFERENCES users (id),
    changed_at   TEXT NOT NULL,
    changes      TEXT NOT NULL
);
CREATE INDEX change_log_record ON change_log (record_id, changed_at);
