-- The notification outbox. A trigger writes a row here in the same
-- transaction as the change that caused it; a dispatcher delivers it.
-- status: queued -> sending -> sent, or back to queued for a retry,
-- failed after the last attempt or a permanent refusal, uncertain when the
-- server may have accepted it but the reply was lost, cancelled by an
-- operator. due_at is when the next attempt is due (queued) or when the
-- dispatcher's lease runs out (sending). vars_json holds the template's
-- values frozen at trigger time; never a token (links get theirs at send).
CREATE TABLE admin_outbox (
    id              INTEGER PRIMARY KEY,
    uid             TEXT    NOT NULL UNIQUE,
    template        TEXT    NOT NULL,
    user_id         INTEGER REFERENCES users (id) ON DELETE SET NULL,
    order_id        INTEGER REFERENCES orders (id) ON DELETE SET NULL,
    recipient       TEXT    NOT NULL,
    recipient_name  TEXT    NOT NULL DEFAULT '',
    subject         TEXT    NOT NULL,
    vars_json       TEXT    NOT NULL,
    idempotency_key TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'uncertain', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    due_at          TEXT    NOT NULL,
    lease_owner     TEXT,
    send_started_at TEXT,
    last_error      TEXT,
    smtp_reply      TEXT,
    forced          INTEGER NOT NULL DEFAULT 0 CHECK (forced IN (0, 1)),
    created_by      TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    sent_at         TEXT,
    updated_at      TEXT    NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX admin_outbox_due_idx ON admin_outbox (status, due_at, id);
CREATE INDEX admin_outbox_created_idx ON admin_outbox (created_at, id);
CREATE INDEX admin_outbox_user_idx ON admin_outbox (user_id, created_at);

-- One row per idempotency key: the message it last queued. Triggers lock
-- the key's row, so two operators pressing Send at once queue one message.
CREATE TABLE admin_outbox_keys (
    idempotency_key TEXT    NOT NULL PRIMARY KEY,
    message_id      INTEGER REFERENCES admin_outbox (id) ON DELETE SET NULL,
    updated_at      TEXT    NOT NULL
);

-- Every delivery attempt and what came of it.
CREATE TABLE admin_outbox_attempts (
    id          INTEGER PRIMARY KEY,
    message_id  INTEGER NOT NULL REFERENCES admin_outbox (id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    started_at  TEXT    NOT NULL,
    finished_at TEXT    NOT NULL,
    outcome     TEXT    NOT NULL CHECK (outcome IN ('sent', 'temporary', 'permanent', 'uncertain')),
    smtp_code   INTEGER,
    detail      TEXT
);
CREATE INDEX admin_outbox_attempts_msg_idx ON admin_outbox_attempts (message_id, attempt);
