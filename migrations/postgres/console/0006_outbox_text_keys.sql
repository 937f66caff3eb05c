-- The user and the order a message is about, by the back end's own key as
-- text: a back end may key its orders by UUID (Saleor) or any other text,
-- and the outbox must name them as it names integer keys. Existing rows
-- keep their keys, written as text. The integer columns stay, unused: an
-- earlier layout has foreign keys and indexes on them that a rebuild would
-- have to know; nothing reads or writes them any more.
ALTER TABLE backoffice.backoffice_outbox ADD COLUMN user_key TEXT, ADD COLUMN order_key TEXT;
UPDATE backoffice.backoffice_outbox SET user_key = CAST(user_id AS TEXT), order_key = CAST(order_id AS TEXT);
CREATE INDEX backoffice_outbox_user_key_idx ON backoffice.backoffice_outbox (user_key, created_at);
CREATE INDEX backoffice_outbox_order_key_idx ON backoffice.backoffice_outbox (order_key, created_at);
