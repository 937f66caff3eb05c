-- Reference back-end schema (SQLite). Timestamps are UTC text in RFC 3339
-- form ("2026-01-02T03:04:05+00:00"), the form sqlx binds chrono values in,
-- so that text order is time order. Money is integer minor units.
-- CHECK constraints pin enumerations only: business invariants (stock >= 0,
-- totals adding up) are what the validation rules look for in real data.

CREATE TABLE users (
    id                 INTEGER PRIMARY KEY,
    email              TEXT    NOT NULL,
    email_normalized   TEXT    NOT NULL UNIQUE,
    display_name       TEXT    NOT NULL DEFAULT '',
    password_hash      TEXT,
    status             TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'locked', 'disabled')),
    locked_until       TEXT,
    lock_reason        TEXT,
    email_verified_at  TEXT,
    failed_login_count INTEGER NOT NULL DEFAULT 0,
    last_login_at      TEXT,
    created_at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')),
    updated_at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')),
    version            INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX users_created_idx ON users (created_at, id);
CREATE INDEX users_last_login_idx ON users (last_login_at, id);
CREATE INDEX users_status_idx ON users (status, id);

-- Substring search on email and display name: an external-content FTS5
-- table with the trigram tokenizer serves LIKE '%abc%' (3+ characters).
CREATE VIRTUAL TABLE backoffice_user_search USING fts5 (
    email, display_name,
    content = 'users', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER users_search_ai AFTER INSERT ON users BEGIN
    INSERT INTO backoffice_user_search (rowid, email, display_name) VALUES (new.id, new.email, new.display_name);
END;
CREATE TRIGGER users_search_ad AFTER DELETE ON users BEGIN
    INSERT INTO backoffice_user_search (backoffice_user_search, rowid, email, display_name) VALUES ('delete', old.id, old.email, old.display_name);
END;
CREATE TRIGGER users_search_au AFTER UPDATE OF email, display_name ON users BEGIN
    INSERT INTO backoffice_user_search (backoffice_user_search, rowid, email, display_name) VALUES ('delete', old.id, old.email, old.display_name);
    INSERT INTO backoffice_user_search (rowid, email, display_name) VALUES (new.id, new.email, new.display_name);
END;

CREATE TABLE roles (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    description TEXT    NOT NULL DEFAULT '',
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')),
    updated_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')),
    version     INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE user_roles (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id    INTEGER NOT NULL REFERENCES roles (id) ON DELETE RESTRICT,
    granted_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')),
    PRIMARY KEY (user_id, role_id)
);
CREATE INDEX user_roles_role_idx ON user_roles (role_id, user_id);

CREATE TABLE login_events (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER REFERENCES users (id) ON DELETE SET NULL,
    email_attempted TEXT    NOT NULL,
    succeeded       INTEGER NOT NULL CHECK (succeeded IN (0, 1)),
    reason          TEXT,
    ip              TEXT,
    user_agent      TEXT,
    at              TEXT    NOT NULL
);
CREATE INDEX login_events_user_idx ON login_events (user_id, at);
CREATE INDEX login_events_at_idx ON login_events (at);

CREATE TABLE auth_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('verify_email', 'password_reset')),
    token_hash TEXT    NOT NULL UNIQUE,
    expires_at TEXT    NOT NULL,
    used_at    TEXT,
    created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'))
);
CREATE INDEX auth_tokens_user_idx ON auth_tokens (user_id, purpose, expires_at);

CREATE TABLE products (
    id          INTEGER PRIMARY KEY,
    sku         TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    price_cents INTEGER NOT NULL,
    currency    TEXT    NOT NULL CHECK (length(currency) = 3),
    stock       INTEGER NOT NULL DEFAULT 0,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')),
    updated_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')),
    version     INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE orders (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    status         TEXT    NOT NULL CHECK (status IN ('pending', 'paid', 'packed', 'shipped', 'delivered', 'cancelled', 'refunded')),
    currency       TEXT    NOT NULL CHECK (length(currency) = 3),
    subtotal_cents INTEGER NOT NULL DEFAULT 0,
    shipping_cents INTEGER NOT NULL DEFAULT 0,
    discount_cents INTEGER NOT NULL DEFAULT 0,
    tax_cents      INTEGER NOT NULL DEFAULT 0,
    total_cents    INTEGER NOT NULL DEFAULT 0,
    placed_at      TEXT    NOT NULL,
    paid_at        TEXT,
    packed_at      TEXT,
    shipped_at     TEXT,
    delivered_at   TEXT,
    cancelled_at   TEXT,
    refunded_at    TEXT,
    created_at     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')),
    updated_at     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')),
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX orders_placed_idx ON orders (placed_at, id);
CREATE INDEX orders_status_placed_idx ON orders (status, placed_at, id);
CREATE INDEX orders_user_idx ON orders (user_id, placed_at);
CREATE INDEX orders_total_idx ON orders (total_cents, id);

CREATE TABLE order_items (
    id               INTEGER PRIMARY KEY,
    order_id         INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id       INTEGER NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    quantity         INTEGER NOT NULL,
    unit_price_cents INTEGER NOT NULL,
    line_total_cents INTEGER NOT NULL
);
CREATE INDEX order_items_order_idx ON order_items (order_id);
CREATE INDEX order_items_product_idx ON order_items (product_id);

CREATE TABLE order_events (
    id          INTEGER PRIMARY KEY,
    order_id    INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    from_status TEXT,
    to_status   TEXT    NOT NULL,
    operator    TEXT    NOT NULL,
    reason      TEXT,
    at          TEXT    NOT NULL
);
CREATE INDEX order_events_order_idx ON order_events (order_id, at);

CREATE TABLE order_notes (
    id       INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    operator TEXT    NOT NULL,
    body     TEXT    NOT NULL,
    at       TEXT    NOT NULL
);
CREATE INDEX order_notes_order_idx ON order_notes (order_id, at);

CREATE TABLE refunds (
    id           INTEGER PRIMARY KEY,
    order_id     INTEGER NOT NULL REFERENCES orders (id) ON DELETE RESTRICT,
    amount_cents INTEGER NOT NULL,
    reason       TEXT    NOT NULL DEFAULT '',
    operator     TEXT    NOT NULL,
    at           TEXT    NOT NULL
);
CREATE INDEX refunds_order_idx ON refunds (order_id, at);
