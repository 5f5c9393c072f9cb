-- PostgreSQL twin of migrations/sqlite/0007_sales_process.sql (keep them in step).
-- Leads, sales and the regulated sales process: process definitions (versioned TOML), recipes,
-- leads, sales with their lines and costs, tasks, and each sale's event log (stage moves, task
-- outcomes) that the timeline, the stage bar and reports read.

-- Each saved definition is a new version; a sale keeps the version it started with.
CREATE TABLE process_definitions (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL,
    version     BIGINT NOT NULL,
    source      TEXT NOT NULL,
    active      BIGINT NOT NULL DEFAULT 0,
    comment     TEXT,
    created_by  TEXT REFERENCES users (id),
    created_at  TEXT NOT NULL,
    UNIQUE (code, version)
);

CREATE TABLE recipes (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    name_sort        TEXT COLLATE "C" NOT NULL,
    status           TEXT NOT NULL,
    counterparty_id  TEXT REFERENCES counterparties (id),
    composition      TEXT NOT NULL DEFAULT '[]',
    notes            TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1,
    deleted_at       TEXT
);
CREATE INDEX recipes_name ON recipes (name_sort, id);

CREATE TABLE leads (
    id                 TEXT PRIMARY KEY,
    source             TEXT,
    company_name       TEXT NOT NULL,
    name_sort          TEXT COLLATE "C" NOT NULL,
    counterparty_id    TEXT REFERENCES counterparties (id),
    inn                TEXT,
    contact_name       TEXT,
    contact_position   TEXT,
    email              TEXT,
    email_sort         TEXT COLLATE "C",
    phone              TEXT,
    need               TEXT,
    product_interest   TEXT,
    status             TEXT NOT NULL,
    disqualify_reason  TEXT,
    owner_id           TEXT REFERENCES users (id),
    territory_id       TEXT REFERENCES territories (id),
    notes              TEXT,
    sale_id            TEXT,
    converted_at       TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    version            BIGINT NOT NULL DEFAULT 1,
    deleted_at         TEXT
);
CREATE INDEX leads_created ON leads (created_at, id);
CREATE INDEX leads_status ON leads (status, created_at, id);
CREATE INDEX leads_owner ON leads (owner_id, created_at);
CREATE INDEX leads_territory ON leads (territory_id, created_at);

CREATE TABLE sales (
    id                   TEXT PRIMARY KEY,
    title                TEXT NOT NULL,
    name_sort            TEXT COLLATE "C" NOT NULL,
    counterparty_id      TEXT NOT NULL REFERENCES counterparties (id),
    contact_id           TEXT REFERENCES contacts (id),
    lead_id              TEXT REFERENCES leads (id),
    owner_id             TEXT REFERENCES users (id),
    territory_id         TEXT REFERENCES territories (id),
    process_id           TEXT NOT NULL REFERENCES process_definitions (id),
    process_type         TEXT,
    stage                TEXT NOT NULL,
    closed               BIGINT NOT NULL DEFAULT 0,
    contract_kind        TEXT,
    contract             TEXT,
    delivery_terms       TEXT,
    amount               BIGINT NOT NULL DEFAULT 0,
    expected_amount      BIGINT,
    expected_close_date  TEXT,
    currency             TEXT NOT NULL,
    probability          BIGINT NOT NULL DEFAULT 0,
    lost_reason          TEXT,
    closed_at            TEXT,
    order_placed_on      TEXT,
    invoice_paid_on      TEXT,
    delivered_on         TEXT,
    notes                TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    version              BIGINT NOT NULL DEFAULT 1,
    deleted_at           TEXT
);
-- The kanban board: each column's newest cards, and per-column counts and sums, scoped.
CREATE INDEX sales_board ON sales (stage, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX sales_board_owner ON sales (owner_id, stage, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX sales_board_territory ON sales (territory_id, stage, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX sales_stage_totals ON sales (stage, territory_id, owner_id, amount) WHERE deleted_at IS NULL;
CREATE INDEX sales_name ON sales (name_sort, id);
CREATE INDEX sales_counterparty ON sales (counterparty_id, updated_at);
CREATE INDEX sales_lead ON sales (lead_id);

CREATE TABLE sale_lines (
    id            TEXT PRIMARY KEY,
    sale_id       TEXT NOT NULL REFERENCES sales (id),
    position      BIGINT NOT NULL,
    product_id    TEXT NOT NULL REFERENCES products (id),
    quantity      BIGINT NOT NULL,
    unit_price    BIGINT NOT NULL,
    vat_rate      BIGINT NOT NULL,
    needs_sample  BIGINT NOT NULL DEFAULT 0,
    sample_paid   BIGINT NOT NULL DEFAULT 0,
    unit_cost     BIGINT
);
CREATE INDEX sale_lines_sale ON sale_lines (sale_id, position);
CREATE INDEX sale_lines_product ON sale_lines (product_id);

CREATE TABLE sale_costs (
    id          TEXT PRIMARY KEY,
    sale_id     TEXT NOT NULL REFERENCES sales (id),
    category    TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    vat_rate    BIGINT NOT NULL,
    spent_on    TEXT NOT NULL,
    note        TEXT,
    task_id     TEXT,
    created_by  TEXT REFERENCES users (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    deleted_at  TEXT
);
CREATE INDEX sale_costs_sale ON sale_costs (sale_id, spent_on);

CREATE TABLE tasks (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL,
    title            TEXT NOT NULL,
    description      TEXT,
    sale_id          TEXT REFERENCES sales (id),
    counterparty_id  TEXT REFERENCES counterparties (id),
    product_id       TEXT REFERENCES products (id),
    stage            TEXT,
    assignee_id      TEXT REFERENCES users (id),
    territory_id     TEXT REFERENCES territories (id),
    due_on           TEXT NOT NULL,
    status           TEXT NOT NULL,
    outcome          TEXT,
    outcome_data     TEXT,
    comment          TEXT,
    created_by       TEXT REFERENCES users (id),
    completed_at     TEXT,
    completed_by     TEXT REFERENCES users (id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1,
    deleted_at       TEXT
);
CREATE INDEX tasks_assignee ON tasks (assignee_id, status, due_on, id) WHERE deleted_at IS NULL;
CREATE INDEX tasks_sale ON tasks (sale_id, status, created_at) WHERE deleted_at IS NULL;
CREATE INDEX tasks_status_due ON tasks (status, due_on, id) WHERE deleted_at IS NULL;
CREATE INDEX tasks_counterparty ON tasks (counterparty_id, status) WHERE deleted_at IS NULL;

-- What happened to a sale, in order: stage entered / skipped, task created / done / cancelled,
-- closed. The stage bar reads the stage marks; the timeline reads everything.
CREATE TABLE sale_events (
    id          TEXT PRIMARY KEY,
    sale_id     TEXT NOT NULL REFERENCES sales (id),
    seq         BIGINT NOT NULL,
    at          TEXT NOT NULL,
    user_id     TEXT REFERENCES users (id),
    kind        TEXT NOT NULL,
    stage       TEXT,
    task_id     TEXT,
    task_kind   TEXT,
    product_id  TEXT,
    outcome     TEXT,
    comment     TEXT,
    data        TEXT,
    UNIQUE (sale_id, seq)
);
CREATE INDEX sale_events_kind ON sale_events (kind, at);
