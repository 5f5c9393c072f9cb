-- What 1C's «Обмен с сайтом» (CommerceML 2, /exchange/1c) did, for the administrators' page: one
-- row per step of an exchange session — a file imported (how many items so far, done or failed),
-- the orders handed over (`query`) and confirmed (`success`). `session_key` is a digest of the
-- session cookie, never the cookie itself. Rows older than 90 days are pruned as new ones come.

CREATE TABLE cml_exchange_log (
    session_key  TEXT NOT NULL,
    kind         TEXT NOT NULL,
    file         TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    items        INTEGER NOT NULL,
    outcome      TEXT NOT NULL,
    message      TEXT,
    PRIMARY KEY (session_key, kind, file)
);
CREATE INDEX cml_exchange_log_recent ON cml_exchange_log (updated_at);
