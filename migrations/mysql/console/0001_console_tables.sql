-- The console's own tables, beside the back end's: operators, sign-in
-- attempts, the audit log, validation runs and findings, the outbox.
-- They never reference a table of the back end's: the back end's keys
-- may be of any type, and attaching must not tie its tables to ours.

-- Console operators: argon2id hashes, never plain passwords.
CREATE TABLE backoffice_operators (
    id            BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    username      VARCHAR(100) NOT NULL,
    password_hash VARCHAR(255) NOT NULL,
    role          VARCHAR(16)  NOT NULL CHECK (role IN ('admin', 'support')),
    disabled      BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at    DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at    DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    version       BIGINT       NOT NULL DEFAULT 1,
    locked_until  DATETIME(6) NULL,
    UNIQUE KEY backoffice_operators_username_key (username)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Every sign-in attempt, successful or not. operator_id is NULL when the
-- name matched no operator.
CREATE TABLE backoffice_sign_in_attempts (
    id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    operator_id BIGINT,
    username    VARCHAR(100) NOT NULL,
    succeeded   BOOLEAN      NOT NULL,
    reason      VARCHAR(64)  NOT NULL,
    at          DATETIME(6)  NOT NULL,
    KEY backoffice_sign_in_attempts_operator_idx (operator_id, at),
    CONSTRAINT backoffice_sign_in_attempts_operator_fk FOREIGN KEY (operator_id) REFERENCES backoffice_operators (id) ON DELETE SET NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Append-only. Each entry stores the hash of the previous entry and its
-- own, so an edited or deleted row breaks the chain. before_json and
-- after_json hold only the changed fields, as text so the hashed bytes are
-- the stored bytes.
CREATE TABLE backoffice_audit_log (
    id          BIGINT       NOT NULL PRIMARY KEY,
    at          DATETIME(6)  NOT NULL,
    operator    VARCHAR(100) NOT NULL,
    action      VARCHAR(64)  NOT NULL,
    entity_type VARCHAR(32)  NOT NULL,
    entity_id   VARCHAR(64)  NOT NULL,
    before_json MEDIUMTEXT,
    after_json  MEDIUMTEXT,
    reason      TEXT,
    prev_hash   VARCHAR(64)  NOT NULL,
    hash        VARCHAR(64)  NOT NULL,
    KEY backoffice_audit_entity_idx (entity_type, entity_id, id),
    KEY backoffice_audit_operator_idx (operator, id),
    KEY backoffice_audit_action_idx (action, id),
    KEY backoffice_audit_at_idx (at, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The chain's head: appends lock this one row, so concurrent writers
-- chain one after the other, and truncating the log's tail is detected.
CREATE TABLE backoffice_audit_head (
    id        INT      NOT NULL PRIMARY KEY CHECK (id = 1),
    last_id   BIGINT   NOT NULL,
    last_hash VARCHAR(64) NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
INSERT INTO backoffice_audit_head (id, last_id, last_hash) VALUES (1, 0, '');

-- Validation runs and the findings worklist. A run is written in one
-- transaction with its findings: a cancelled run leaves nothing behind.

CREATE TABLE backoffice_validation_runs (
    id             BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    started_at     DATETIME(6)  NOT NULL,
    finished_at    DATETIME(6)  NOT NULL,
    operator       VARCHAR(100) NOT NULL,
    rules          TEXT         NOT NULL,
    rows_examined  BIGINT       NOT NULL,
    findings       BIGINT       NOT NULL,
    new_findings   BIGINT       NOT NULL,
    resolved       BIGINT       NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One row per (rule, record) ever found. status: open, accepted (an
-- operator said it is fine, with a reason), fixed (by a console fix), or
-- resolved (no longer found by a later run).
CREATE TABLE backoffice_findings (
    id              BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    rule_id         VARCHAR(64)  NOT NULL,
    entity_type     VARCHAR(32)  NOT NULL,
    entity_id       BIGINT       NOT NULL,
    detail          TEXT,
    status          VARCHAR(16)  NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'fixed', 'resolved')),
    first_run       BIGINT       NOT NULL,
    last_run        BIGINT       NOT NULL,
    first_seen_at   DATETIME(6)  NOT NULL,
    last_seen_at    DATETIME(6)  NOT NULL,
    resolved_at     DATETIME(6),
    accepted_by     VARCHAR(100),
    accepted_reason TEXT,
    version         BIGINT       NOT NULL DEFAULT 1,
    UNIQUE KEY backoffice_findings_key (rule_id, entity_type, entity_id),
    KEY backoffice_findings_status_idx (status, rule_id, id),
    KEY backoffice_findings_entity_idx (entity_type, entity_id),
    KEY backoffice_findings_run_idx (rule_id, last_run),
    CONSTRAINT backoffice_findings_first_run_fk FOREIGN KEY (first_run) REFERENCES backoffice_validation_runs (id),
    CONSTRAINT backoffice_findings_last_run_fk FOREIGN KEY (last_run) REFERENCES backoffice_validation_runs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The notification outbox. A trigger writes a row here in the same
-- transaction as the change that caused it; a dispatcher delivers it.
-- status: queued -> sending -> sent, or back to queued for a retry,
-- failed after the last attempt or a permanent refusal, uncertain when the
-- server may have accepted it but the reply was lost, cancelled by an
-- operator. due_at is when the next attempt is due (queued) or when the
-- dispatcher's lease runs out (sending). vars_json holds the template's
-- values frozen at trigger time; never a token (links get theirs at send).
CREATE TABLE backoffice_outbox (
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
    KEY backoffice_outbox_due_idx (status, due_at, id),
    KEY backoffice_outbox_created_idx (created_at, id),
    KEY backoffice_outbox_user_idx (user_id, created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One row per idempotency key: the message it last queued. Triggers lock
-- the key's row, so two operators pressing Send at once queue one message.
CREATE TABLE backoffice_outbox_keys (
    idempotency_key VARCHAR(400) NOT NULL COLLATE utf8mb4_bin PRIMARY KEY,
    message_id      BIGINT,
    updated_at      DATETIME(6)  NOT NULL,
    CONSTRAINT backoffice_outbox_keys_msg_fk FOREIGN KEY (message_id) REFERENCES backoffice_outbox (id) ON DELETE SET NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Every delivery attempt and what came of it.
CREATE TABLE backoffice_outbox_attempts (
    id              BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    message_id      BIGINT       NOT NULL,
    attempt         INT          NOT NULL,
    started_at      DATETIME(6)  NOT NULL,
    finished_at     DATETIME(6)  NOT NULL,
    outcome         VARCHAR(16)  NOT NULL CHECK (outcome IN ('sent', 'temporary', 'permanent', 'uncertain')),
    smtp_code       INT,
    detail          TEXT,
    KEY backoffice_outbox_attempts_msg_idx (message_id, attempt),
    CONSTRAINT backoffice_outbox_attempts_msg_fk FOREIGN KEY (message_id) REFERENCES backoffice_outbox (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
