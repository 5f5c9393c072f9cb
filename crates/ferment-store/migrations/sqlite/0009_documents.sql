-- Documents: kinds with their numbering prefix, versioned templates (text or Word), per-kind and
-- per-year counters, and the generated files' metadata (the bytes live in the content-addressed
-- file store under the data directory, named by their SHA-256).

-- The shipped kinds (seeded by the application at start) and the custom kinds an administrator adds.
CREATE TABLE document_kinds (
    code        TEXT PRIMARY KEY,
    name_ru     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    -- Printed before the number; `{year}` becomes the document's year.
    prefix      TEXT NOT NULL DEFAULT '',
    shipped     INTEGER NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Each saved template is a new version of its (kind, format); the newest is the one in use.
-- `text` templates keep their source here; `docx` templates keep their file's digest.
CREATE TABLE document_templates (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL REFERENCES document_kinds (code),
    format      TEXT NOT NULL,
    version     INTEGER NOT NULL,
    source      TEXT,
    file_sha256 TEXT,
    file_name   TEXT,
    comment     TEXT,
    created_by  TEXT REFERENCES users (id),
    created_at  TEXT NOT NULL,
    UNIQUE (kind, format, version)
);

-- The last number given per kind and year: incremented in the transaction that stores the
-- document, so numbers have no gaps (a failed generation rolls its number back) and no duplicates.
CREATE TABLE document_counters (
    kind  TEXT NOT NULL,
    year  INTEGER NOT NULL,
    last  INTEGER NOT NULL,
    PRIMARY KEY (kind, year)
);

-- A generated file. Regenerating keeps the number and adds a version.
CREATE TABLE documents (
    id              TEXT PRIMARY KEY,
    sale_id         TEXT NOT NULL REFERENCES sales (id),
    counterparty_id TEXT NOT NULL REFERENCES counterparties (id),
    kind            TEXT NOT NULL REFERENCES document_kinds (code),
    year            INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    number          TEXT NOT NULL,
    doc_date        TEXT NOT NULL,
    format          TEXT NOT NULL,
    version         INTEGER NOT NULL,
    template_id     TEXT NOT NULL REFERENCES document_templates (id),
    file_sha256     TEXT NOT NULL,
    file_size       INTEGER NOT NULL,
    file_name       TEXT NOT NULL,
    created_by      TEXT REFERENCES users (id),
    created_at      TEXT NOT NULL,
    UNIQUE (kind, year, seq, format, version)
);
CREATE INDEX documents_sale ON documents (sale_id, created_at);
CREATE INDEX documents_counterparty ON documents (counterparty_id, created_at);
