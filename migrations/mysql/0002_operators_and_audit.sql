-- Operator sign-in attempts and lockout, and the hash-chained audit log.

ALTER TABLE admin_operators ADD COLUMN locked_until DATETIME(6);

-- Every sign-in attempt, successful or not. operator_id is NULL when the
-- name matched no operator.
CREATE TABLE admin_sign_in_attempts (
    id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    operator_id BIGINT,
    username    VARCHAR(100) NOT NULL,
    succeeded   BOOLEAN      NOT NULL,
    reason      VARCHAR(64)  NOT NULL,
    at          DATETIME(6)  NOT NULL,
    KEY admin_sign_in_attempts_operator_idx (operator_id, at),
    CONSTRAINT admin_sign_in_attempts_operator_fk FOREIGN KEY (operator_id) REFERENCES admin_operators (id) ON DELETE SET NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Append-only. Each entry stores the hash of the previous entry and its
-- own, so an edited or deleted row breaks the chain. before_json and
-- after_json hold only the changed fields, as text so the hashed bytes are
-- the stored bytes.
CREATE TABLE admin_audit_log (
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
    KEY admin_audit_entity_idx (entity_type, entity_id, id),
    KEY admin_audit_operator_idx (operator, id),
    KEY admin_audit_action_idx (action, id),
    KEY admin_audit_at_idx (at, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The chain's head: appends lock this one row, so concurrent writers
-- chain one after the other, and truncating the log's tail is detected.
CREATE TABLE admin_audit_head (
    id        INT      NOT NULL PRIMARY KEY CHECK (id = 1),
    last_id   BIGINT   NOT NULL,
    last_hash VARCHAR(64) NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
INSERT INTO admin_audit_head (id, last_id, last_hash) VALUES (1, 0, '');
