-- The messages about one order, newest first, for the order's story.
CREATE INDEX backoffice_outbox_order_idx ON backoffice_outbox (order_id, created_at);
