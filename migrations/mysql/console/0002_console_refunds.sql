-- Refunds the console records for a back end that keeps no refund records
-- of its own (django-oscar keeps sums on payment sources, not refunds).
-- The order is named by the back end's key as text: keys may be of any
-- type, and the console never ties its tables to the back end's.
CREATE TABLE backoffice_refunds (
    id           BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_key    VARCHAR(64)  NOT NULL,
    amount_minor BIGINT       NOT NULL CHECK (amount_minor > 0),
    currency     CHAR(3)      NOT NULL,
    reason       TEXT         NOT NULL,
    operator     VARCHAR(100) NOT NULL,
    at           DATETIME(6)  NOT NULL,
    KEY backoffice_refunds_order_idx (order_key, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
