-- Order lists filtered on currency, newest first: without this index the
-- capped count walks the placement index and skips other currencies.
CREATE INDEX orders_currency_placed_idx ON orders (currency, placed_at, id);
