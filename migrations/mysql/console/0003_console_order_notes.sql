-- Notes the console keeps on the orders of a back end that has no notes
-- table of its own (Solidus keeps only the customer's special
-- instructions on the order). The order is named by the back end's key as
-- text: keys may be of any type, and the console never ties its tables to
-- the back end's.
CREATE TABLE backoffice_order_notes (
    id        BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_key VARCHAR(64)  NOT NULL,
    body      TEXT         NOT NULL,
    operator  VARCHAR(100) NOT NULL,
    at        DATETIME(6)  NOT NULL,
    KEY backoffice_order_notes_order_idx (order_key, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
