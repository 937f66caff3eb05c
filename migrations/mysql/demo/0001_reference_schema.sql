-- Reference back-end schema (MySQL / MariaDB). Timestamps are DATETIME(6)
-- holding UTC (every session runs with time_zone '+00:00'); money is integer
-- minor units. Keys compared exactly (normalised email, SKU) use a binary
-- collation so that case variants are distinct values, as on the other
-- backends. CHECK constraints pin enumerations only.
-- MariaDB has no trigram or ngram full-text parser; substring search uses
-- the (email, display_name) covering index below, scanned instead of the
-- table (see docs/ARCHITECTURE.md).

CREATE TABLE users (
    id                 BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email              VARCHAR(320) NOT NULL,
    email_normalized   VARCHAR(320) NOT NULL COLLATE utf8mb4_bin,
    display_name       VARCHAR(200) NOT NULL DEFAULT '',
    password_hash      VARCHAR(255),
    status             VARCHAR(16)  NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'locked', 'disabled')),
    locked_until       DATETIME(6),
    lock_reason        VARCHAR(500),
    email_verified_at  DATETIME(6),
    failed_login_count INT          NOT NULL DEFAULT 0,
    last_login_at      DATETIME(6),
    created_at         DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at         DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    version            BIGINT       NOT NULL DEFAULT 1 CHECK (version >= 1),
    UNIQUE KEY users_email_normalized_key (email_normalized),
    KEY users_created_idx (created_at, id),
    KEY users_last_login_idx (last_login_at, id),
    KEY users_status_idx (status, id),
    KEY users_search_idx (email, display_name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE roles (
    id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name        VARCHAR(64)  NOT NULL,
    description VARCHAR(500) NOT NULL DEFAULT '',
    created_at  DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at  DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    version     BIGINT       NOT NULL DEFAULT 1,
    UNIQUE KEY roles_name_key (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE user_roles (
    user_id    BIGINT      NOT NULL,
    role_id    BIGINT      NOT NULL,
    granted_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (user_id, role_id),
    KEY user_roles_role_idx (role_id, user_id),
    CONSTRAINT user_roles_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_roles_role_fk FOREIGN KEY (role_id) REFERENCES roles (id) ON DELETE RESTRICT
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE login_events (
    id              BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id         BIGINT,
    email_attempted VARCHAR(320) NOT NULL,
    succeeded       BOOLEAN      NOT NULL,
    reason          VARCHAR(64),
    ip              VARCHAR(64),
    user_agent      VARCHAR(500),
    at              DATETIME(6)  NOT NULL,
    KEY login_events_user_idx (user_id, at),
    KEY login_events_at_idx (at),
    CONSTRAINT login_events_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE auth_tokens (
    id         BIGINT      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id    BIGINT      NOT NULL,
    purpose    VARCHAR(32) NOT NULL CHECK (purpose IN ('verify_email', 'password_reset')),
    token_hash VARCHAR(128) NOT NULL COLLATE utf8mb4_bin,
    expires_at DATETIME(6) NOT NULL,
    used_at    DATETIME(6),
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY auth_tokens_hash_key (token_hash),
    KEY auth_tokens_user_idx (user_id, purpose, expires_at),
    CONSTRAINT auth_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE products (
    id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    sku         VARCHAR(64)  NOT NULL COLLATE utf8mb4_bin,
    name        VARCHAR(300) NOT NULL,
    price_cents BIGINT       NOT NULL,
    currency    CHAR(3)      NOT NULL,
    stock       BIGINT       NOT NULL DEFAULT 0,
    active      BOOLEAN      NOT NULL DEFAULT TRUE,
    created_at  DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at  DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    version     BIGINT       NOT NULL DEFAULT 1,
    UNIQUE KEY products_sku_key (sku)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE orders (
    id             BIGINT      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id        BIGINT      NOT NULL,
    status         VARCHAR(16) NOT NULL CHECK (status IN ('pending', 'paid', 'packed', 'shipped', 'delivered', 'cancelled', 'refunded')),
    currency       CHAR(3)     NOT NULL,
    subtotal_cents BIGINT      NOT NULL DEFAULT 0,
    shipping_cents BIGINT      NOT NULL DEFAULT 0,
    discount_cents BIGINT      NOT NULL DEFAULT 0,
    tax_cents      BIGINT      NOT NULL DEFAULT 0,
    total_cents    BIGINT      NOT NULL DEFAULT 0,
    placed_at      DATETIME(6) NOT NULL,
    paid_at        DATETIME(6),
    packed_at      DATETIME(6),
    shipped_at     DATETIME(6),
    delivered_at   DATETIME(6),
    cancelled_at   DATETIME(6),
    refunded_at    DATETIME(6),
    created_at     DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at     DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    version        BIGINT      NOT NULL DEFAULT 1,
    KEY orders_placed_idx (placed_at, id),
    KEY orders_status_placed_idx (status, placed_at, id),
    KEY orders_user_idx (user_id, placed_at),
    KEY orders_total_idx (total_cents, id),
    CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE order_items (
    id               BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id         BIGINT NOT NULL,
    product_id       BIGINT NOT NULL,
    quantity         BIGINT NOT NULL,
    unit_price_cents BIGINT NOT NULL,
    line_total_cents BIGINT NOT NULL,
    KEY order_items_order_idx (order_id),
    KEY order_items_product_idx (product_id),
    CONSTRAINT order_items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
    CONSTRAINT order_items_product_fk FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE RESTRICT
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE order_events (
    id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id    BIGINT       NOT NULL,
    from_status VARCHAR(16),
    to_status   VARCHAR(16)  NOT NULL,
    operator    VARCHAR(100) NOT NULL,
    reason      VARCHAR(1000),
    at          DATETIME(6)  NOT NULL,
    KEY order_events_order_idx (order_id, at),
    CONSTRAINT order_events_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE order_notes (
    id       BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id BIGINT       NOT NULL,
    operator VARCHAR(100) NOT NULL,
    body     TEXT         NOT NULL,
    at       DATETIME(6)  NOT NULL,
    KEY order_notes_order_idx (order_id, at),
    CONSTRAINT order_notes_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE refunds (
    id           BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id     BIGINT        NOT NULL,
    amount_cents BIGINT        NOT NULL,
    reason       VARCHAR(1000) NOT NULL DEFAULT '',
    operator     VARCHAR(100)  NOT NULL,
    at           DATETIME(6)   NOT NULL,
    KEY refunds_order_idx (order_id, at),
    CONSTRAINT refunds_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE RESTRICT
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
