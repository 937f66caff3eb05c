-- Refunds the console records for a back end that keeps no refund records
-- of its own (django-oscar keeps sums on payment sources, not refunds).
-- The order is named by the back end's key as text: keys may be of any
-- type, and the console never ties its tables to the back end's.
CREATE TABLE backoffice_refunds (
    id           INTEGER PRIMARY KEY,
    order_key    TEXT    NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency     TEXT    NOT NULL CHECK (length(currency) = 3),
    reason       TEXT    NOT NULL,
    operator     TEXT    NOT NULL,
    at           TEXT    NOT NULL
);
CREATE INDEX backoffice_refunds_order_idx ON backoffice_refunds (order_key, id);
