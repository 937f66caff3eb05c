-- Order review lists one status sorted by total (largest refunds first,
-- say): without this index every such page sorts the whole status.
CREATE INDEX orders_status_total_idx ON orders (status, total_cents, id);
