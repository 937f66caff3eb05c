-- The notification outbox. A trigger writes a row here in the same
-- transaction as the change that caused it; a dispatcher delivers it.
-- status: queued -> sending -> sent, or back to queued for a retry,
-- failed after the last attempt or a permanent refusal, uncertain when the
-- server may have accepted it but the reply was lost, cancelled by an
-- operator. due_at is when the next attempt is due (queued) or when the
-- dispatcher's lease runs out (sending). vars_json holds the template's
-- values frozen at trigger time; never a token (links get theirs at send).
CREATE TABLE admin_outbox (
    id              BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    uid             CHAR(32)     NOT NULL UNIQUE,
    template        VARCHAR(32)  NOT NULL,
    user_id         BIGINT,
    order_id        BIGINT,
    recipient       VARCHAR(320) NOT NULL,
    recipient_name  VARCHAR(300) NOT NULL DEFAULT '',
    subject         VARCHAR(500) NOT NULL,
    vars_json       TEXT         NOT NULL,
    idempotency_key VARCHAR(400) NOT NULL,
    status          VARCHAR(16)  NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'uncertain', 'cancelled')),
    attempts        INT          NOT NULL DEFAULT 0,
    due_at          DATETIME(6)  NOT NULL,
    lease_owner     VARCHAR(100),
    send_started_at DATETIME(6),
    last_error      TEXT,
    smtp_reply      TEXT,
    forced          BOOLEAN      NOT NULL DEFAULT FALSE,
    created_by      VARCHAR(100) NOT NULL,
    created_at      DATETIME(6)  NOT NULL,
    sent_at         DATETIME(6),
    updated_at      DATETIME(6)  NOT NULL,
    version         INT          NOT NULL DEFAULT 1,
    KEY admin_outbox_due_idx (status, due_at, id),
    KEY admin_outbox_created_idx (created_at, id),
    KEY admin_outbox_user_idx (user_id, created_at),
    CONSTRAINT admin_outbox_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT admin_outbox_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE SET NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One row per idempotency key: the message it last queued. Triggers lock
-- the key's row, so two operators pressing Send at once queue one message.
CREATE TABLE admin_outbox_keys (
    idempotency_key VARCHAR(400) NOT NULL COLLATE utf8mb4_bin PRIMARY KEY,
    message_id      BIGINT,
    updated_at      DATETIME(6)  NOT NULL,
    CONSTRAINT admin_outbox_keys_msg_fk FOREIGN KEY (message_id) REFERENCES admin_outbox (id) ON DELETE SET NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Every delivery attempt and what came of it.
CREATE TABLE admin_outbox_attempts (
    id              BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    message_id      BIGINT       NOT NULL,
    attempt         INT          NOT NULL,
    started_at      DATETIME(6)  NOT NULL,
    finished_at     DATETIME(6)  NOT NULL,
    outcome         VARCHAR(16)  NOT NULL CHECK (outcome IN ('sent', 'temporary', 'permanent', 'uncertain')),
    smtp_code       INT,
    detail          TEXT,
    KEY admin_outbox_attempts_msg_idx (message_id, attempt),
    CONSTRAINT admin_outbox_attempts_msg_fk FOREIGN KEY (message_id) REFERENCES admin_outbox (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
