-- Notes the console keeps on the orders of a back end that has no notes
-- table of its own (Solidus keeps only the customer's special
-- instructions on the order). The order is named by the back end's key as
-- text: keys may be of any type, and the console never ties its tables to
-- the back end's.
CREATE TABLE backoffice_order_notes (
    id        INTEGER PRIMARY KEY,
    order_key TEXT    NOT NULL,
    body      TEXT    NOT NULL,
    operator  TEXT    NOT NULL,
    at        TEXT    NOT NULL
);
CREATE INDEX backoffice_order_notes_order_idx ON backoffice_order_notes (order_key, id);
