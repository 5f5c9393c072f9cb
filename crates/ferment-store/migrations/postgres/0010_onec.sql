-- PostgreSQL twin of migrations/sqlite/0010_onec.sql (keep them in step).
-- The 1C integration: connections to 1C bases, sync runs (the background jobs, with their counts and
-- the cursor a killed run resumes from), the link between each 1C object and the Ferment record it
-- became, 1C's documents (orders, invoices, payments, shipments), conflicts waiting for a person,
-- what Ferment asked to send (the outbox), and the sync log.

CREATE TABLE onec_connections (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    url               TEXT NOT NULL,
    login             TEXT NOT NULL,
    -- ChaCha20-Poly1305 with the data directory's secret key, base64; never logged, never returned.
    password_sealed   TEXT NOT NULL,
    profile           TEXT NOT NULL,
    -- An administrator's changes to the shipped profile (JSON, merged over it).
    mapping           TEXT NOT NULL DEFAULT '{}',
    directions        TEXT NOT NULL,
    schedule_minutes  BIGINT,
    full_every_hours  BIGINT NOT NULL,
    document_days     BIGINT NOT NULL,
    active            BIGINT NOT NULL DEFAULT 1,
    last_full_at      TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    version           BIGINT NOT NULL DEFAULT 1,
    deleted_at        TEXT
);
CREATE UNIQUE INDEX onec_connections_name_live ON onec_connections (name) WHERE deleted_at IS NULL;

-- One sync run. `cursor` holds the stage and page a run reached, so the next run after a kill
-- continues there; `heartbeat_at` tells a live run from a dead one.
CREATE TABLE onec_runs (
    id             TEXT PRIMARY KEY,
    connection_id  TEXT NOT NULL REFERENCES onec_connections (id),
    trigger        TEXT NOT NULL,
    full_sync      BIGINT NOT NULL,
    status         TEXT NOT NULL,
    started_by     TEXT REFERENCES users (id),
    -- host:pid of the process carrying the run out, to tell a killed run at once.
    owner          TEXT,
    started_at     TEXT NOT NULL,
    heartbeat_at   TEXT NOT NULL,
    finished_at    TEXT,
    counts         TEXT NOT NULL DEFAULT '{}',
    cursor         TEXT NOT NULL DEFAULT '{}',
    error          TEXT
);
CREATE INDEX onec_runs_connection ON onec_runs (connection_id, started_at);
-- At most one running run per connection, even when two start at once.
CREATE UNIQUE INDEX onec_runs_one_running ON onec_runs (connection_id) WHERE status = 'running';

-- Which Ferment record a 1C object is, and the versions on both sides when they last agreed.
CREATE TABLE onec_links (
    connection_id   TEXT NOT NULL REFERENCES onec_connections (id),
    object          TEXT NOT NULL,
    ref_key         TEXT NOT NULL,
    record_id       TEXT,
    data_version    TEXT NOT NULL,
    record_version  BIGINT,
    deleted         BIGINT NOT NULL DEFAULT 0,
    extra           TEXT,
    synced_at       TEXT NOT NULL,
    PRIMARY KEY (connection_id, object, ref_key)
);
CREATE INDEX onec_links_record ON onec_links (record_id, connection_id);

-- 1C's documents as last read (1C owns them; Ferment shows them and reads facts from them).
CREATE TABLE onec_documents (
    id                TEXT PRIMARY KEY,
    connection_id     TEXT NOT NULL REFERENCES onec_connections (id),
    kind              TEXT NOT NULL,
    ref_key           TEXT NOT NULL,
    data_version      TEXT NOT NULL,
    number            TEXT NOT NULL,
    doc_date          TEXT NOT NULL,
    posted            BIGINT NOT NULL,
    deleted           BIGINT NOT NULL,
    counterparty_ref  TEXT,
    counterparty_id   TEXT REFERENCES counterparties (id),
    based_on_ref      TEXT,
    sale_id           TEXT REFERENCES sales (id),
    amount            BIGINT NOT NULL,
    status            TEXT,
    lines             TEXT NOT NULL DEFAULT '[]',
    origin            TEXT NOT NULL,
    synced_at         TEXT NOT NULL
);
CREATE UNIQUE INDEX onec_documents_ref ON onec_documents (connection_id, ref_key);
CREATE INDEX onec_documents_counterparty ON onec_documents (counterparty_id, doc_date);
CREATE INDEX onec_documents_sale ON onec_documents (sale_id, doc_date);
CREATE INDEX onec_documents_based_on ON onec_documents (connection_id, based_on_ref);

-- A record changed on both sides since they last agreed: shown to a person, never overwritten.
CREATE TABLE onec_conflicts (
    id             TEXT PRIMARY KEY,
    connection_id  TEXT NOT NULL REFERENCES onec_connections (id),
    object         TEXT NOT NULL,
    ref_key        TEXT NOT NULL,
    record_id      TEXT,
    fields         TEXT NOT NULL,
    onec_version   TEXT NOT NULL,
    detected_at    TEXT NOT NULL,
    resolved_at    TEXT,
    resolution     TEXT,
    resolved_by    TEXT REFERENCES users (id)
);
CREATE INDEX onec_conflicts_open ON onec_conflicts (connection_id, resolved_at);
CREATE UNIQUE INDEX onec_conflicts_one_open ON onec_conflicts (connection_id, object, ref_key) WHERE resolved_at IS NULL;

-- Orders and invoices a user asked to send to 1C from a sale; the sync sends them.
CREATE TABLE onec_outbox (
    id             TEXT PRIMARY KEY,
    connection_id  TEXT NOT NULL REFERENCES onec_connections (id),
    kind           TEXT NOT NULL,
    sale_id        TEXT NOT NULL REFERENCES sales (id),
    post           BIGINT NOT NULL,
    status         TEXT NOT NULL,
    ref_key        TEXT,
    number         TEXT,
    error          TEXT,
    requested_by   TEXT REFERENCES users (id),
    requested_at   TEXT NOT NULL,
    sent_at        TEXT
);
CREATE INDEX onec_outbox_pending ON onec_outbox (connection_id, status);
CREATE INDEX onec_outbox_sale ON onec_outbox (sale_id);

-- What came, what went, what failed and why (unchanged objects are only counted).
CREATE TABLE onec_log (
    id             TEXT PRIMARY KEY,
    run_id         TEXT NOT NULL REFERENCES onec_runs (id),
    at             TEXT NOT NULL,
    direction      TEXT NOT NULL,
    object         TEXT NOT NULL,
    ref_key        TEXT,
    record_id      TEXT,
    outcome        TEXT NOT NULL,
    message        TEXT
);
CREATE INDEX onec_log_run ON onec_log (run_id, id);
