#!/usr/bin/env bash
# A django-oscar shop's orders through the mapping: the order list with its
# filters, the order story and the validation sweep, on SQLite, PostgreSQL
# and MariaDB, with the shop's own indexes and then with those `schema
# indexes --apply` builds (docs/BENCHMARKS.md). Needs the Oscar fixture
# (scripts/fixtures.sh) and the test servers (scripts/services.sh).
#
#   scripts/bench_oscar.sh [ORDERS [sqlite|postgres|mariadb ...]]
#
# With no backend named, all three run, one after the other.
#
# Each generated order has two lines (1 × 4.50 and 2 × 12.00) and 3.95
# shipping, placed a minute after the one before from 2024-01-01; one in
# 10,000 has a total that does not add up. Status words: 70% Complete, 15%
# Shipped, 9% Cancelled, 5% Being processed, 1% Pending. One order in
# 1,000 is Ada's (user 1), the others a guest's.
set -euo pipefail
cd "$(dirname "$0")/.."
orders=${1:-1000000}
shift || true
backends=${*:-sqlite postgres mariadb}
wanted() { [[ " $backends " == *" $1 "* ]]; }
cargo build --release -p backoffice-cli --bin backoffice --example mapped_orders_bench
bin=target/release/backoffice
bench=target/release/examples/mapped_orders_bench
work=$(mktemp -d -t backoffice-oscar.XXXXXX)
trap 'rm -rf "$work"' EXIT
export BACKOFFICE_PASSWORD=bench-password

attach_and_time() { # url label
  "$bin" --db "$1" attach >/dev/null
  echo "$BACKOFFICE_PASSWORD" | "$bin" --db "$1" operator add admin --role admin --password-stdin >/dev/null
  "$bin" --db "$1" schema detect --write "$work/map.toml" --force >/dev/null
  echo "## $2: schema indexes proposes"
  "$bin" --db "$1" --mapping "$work/map.toml" schema indexes
  echo "## $2, the shop's own indexes"
  "$bench" "$1" "$work/map.toml" "$orders"
  echo "## $2: schema indexes --apply"
  /usr/bin/time -f "built in %e s" "$bin" --db "$1" --mapping "$work/map.toml" schema indexes --apply
  echo "## $2, with the proposed indexes"
  "$bench" "$1" "$work/map.toml" "$orders"
}

if wanted sqlite; then
python3 - "$work/oscar.db" "$orders" <<'PY'
import shutil, sqlite3, sys
shutil.copy("target/fixtures/oscar.sqlite3", sys.argv[1])
n = int(sys.argv[2])

def status(i):
    r = i % 100
    return ("Pending" if r == 0 else "Being processed" if r <= 5 else "Shipped" if r <= 20
            else "Complete" if r <= 90 else "Cancelled")

c = sqlite3.connect(sys.argv[1])
c.execute("PRAGMA journal_mode = OFF")
c.execute("PRAGMA synchronous = OFF")
base = 1_000_000

def order(i):
    return (base + i, str(200000 + i), "99.99" if i % 10000 == 7 else "32.45", status(i),
            "" if i % 1000 == 0 else f"guest{i}@example.net", i, 1 if i % 1000 == 0 else None)

c.executemany(
    "INSERT INTO order_order (id, number, currency, total_incl_tax, total_excl_tax, "
    "shipping_incl_tax, shipping_excl_tax, shipping_method, shipping_code, status, guest_email, "
    "date_placed, user_id, analytics_tracked) VALUES (?, ?, 'GBP', ?, '32.45', '3.95', '3.95', "
    "'Standard', 'standard', ?, ?, datetime('2024-01-01 00:00:00', '+' || ? || ' minutes'), ?, 0)",
    (order(i) for i in range(n)))
for (title, sku, qty, unit, product) in (("Breakfast tea", "TEA-001", 1, "4.50", 1),
                                         ("Enamel mug", "MUG-002", 2, "12.00", 2)):
    total = f"{float(unit) * qty:.2f}"
    c.executemany(
        "INSERT INTO order_line (partner_name, partner_sku, partner_line_reference, "
        "partner_line_notes, title, quantity, line_price_incl_tax, line_price_excl_tax, "
        "line_price_before_discounts_incl_tax, line_price_before_discounts_excl_tax, "
        "unit_price_incl_tax, unit_price_excl_tax, status, order_id, partner_id, product_id, "
        "stockrecord_id, allocation_cancelled, num_allocated) VALUES ('Backoffice Fixture Ltd', "
        "?, '', '', ?, ?, ?, ?, ?, ?, ?, ?, '', ?, 1, ?, ?, 0, 0)",
        ((sku, title, qty, total, total, total, total, unit, unit, base + i, product, product)
         for i in range(n)))
c.commit()
c.execute("ANALYZE")
c.commit()
PY
attach_and_time "sqlite:$work/oscar.db" "SQLite"
fi

if wanted postgres; then
pg=${BACKOFFICE_TEST_POSTGRES_URL:-postgres://backoffice_test:backoffice_test@127.0.0.1:5432/postgres}
psql "$pg" -qc "DROP DATABASE IF EXISTS bo_bench_oscar" -c "CREATE DATABASE bo_bench_oscar TEMPLATE bo_fixture_oscar"
psql "${pg%/*}/bo_bench_oscar" -q <<SQL
INSERT INTO order_order (id, number, currency, total_incl_tax, total_excl_tax, shipping_incl_tax,
  shipping_excl_tax, shipping_method, shipping_code, status, guest_email, date_placed, user_id,
  analytics_tracked)
SELECT 1000000 + i, (200000 + i)::text, 'GBP', CASE WHEN i % 10000 = 7 THEN 99.99 ELSE 32.45 END,
  32.45, 3.95, 3.95, 'Standard', 'standard',
  CASE WHEN i % 100 = 0 THEN 'Pending' WHEN i % 100 <= 5 THEN 'Being processed'
       WHEN i % 100 <= 20 THEN 'Shipped' WHEN i % 100 <= 90 THEN 'Complete' ELSE 'Cancelled' END,
  CASE WHEN i % 1000 = 0 THEN '' ELSE 'guest' || i || '@example.net' END,
  TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * INTERVAL '1 minute',
  CASE WHEN i % 1000 = 0 THEN 1 END, false
FROM generate_series(0, $orders - 1) AS i;
INSERT INTO order_line (partner_name, partner_sku, partner_line_reference, partner_line_notes,
  title, quantity, line_price_incl_tax, line_price_excl_tax, line_price_before_discounts_incl_tax,
  line_price_before_discounts_excl_tax, unit_price_incl_tax, unit_price_excl_tax, status,
  order_id, partner_id, product_id, stockrecord_id, allocation_cancelled, num_allocated)
SELECT 'Backoffice Fixture Ltd', l.sku, '', '', l.title, l.qty, l.total, l.total, l.total, l.total,
  l.unit, l.unit, '', 1000000 + i, 1, l.product, l.product, false, 0
FROM generate_series(0, $orders - 1) AS i,
  (VALUES ('TEA-001', 'Breakfast tea', 1, 4.50, 4.50, 1), ('MUG-002', 'Enamel mug', 2, 24.00, 12.00, 2))
  AS l(sku, title, qty, total, unit, product);
VACUUM ANALYZE order_order, order_line;
SQL
attach_and_time "${pg%/*}/bo_bench_oscar" "PostgreSQL"
psql "$pg" -qc "DROP DATABASE bo_bench_oscar"
fi

if wanted mariadb; then
my=${BACKOFFICE_TEST_MYSQL_URL:-mysql://backoffice_test:backoffice_test@127.0.0.1:3306/mysql}
maria() { mariadb -h 127.0.0.1 -u backoffice_test -pbackoffice_test "$@"; }
maria -e "DROP DATABASE IF EXISTS bo_bench_oscar; CREATE DATABASE bo_bench_oscar CHARACTER SET utf8mb4"
mariadb-dump -h 127.0.0.1 -u backoffice_test -pbackoffice_test bo_fixture_oscar | maria bo_bench_oscar
# MariaDB's sequence engine gives the rows: seq_0_to_N.
maria bo_bench_oscar <<SQL
INSERT INTO order_order (id, number, currency, total_incl_tax, total_excl_tax, shipping_incl_tax,
  shipping_excl_tax, shipping_method, shipping_code, status, guest_email, date_placed, user_id,
  analytics_tracked)
SELECT 1000000 + seq, 200000 + seq, 'GBP', IF(seq % 10000 = 7, 99.99, 32.45),
  32.45, 3.95, 3.95, 'Standard', 'standard',
  CASE WHEN seq % 100 = 0 THEN 'Pending' WHEN seq % 100 <= 5 THEN 'Being processed'
       WHEN seq % 100 <= 20 THEN 'Shipped' WHEN seq % 100 <= 90 THEN 'Complete' ELSE 'Cancelled' END,
  IF(seq % 1000 = 0, '', CONCAT('guest', seq, '@example.net')),
  TIMESTAMP '2024-01-01 00:00:00' + INTERVAL seq MINUTE, IF(seq % 1000 = 0, 1, NULL), 0
FROM seq_0_to_$((orders - 1));
INSERT INTO order_line (partner_name, partner_sku, partner_line_reference, partner_line_notes,
  title, quantity, line_price_incl_tax, line_price_excl_tax, line_price_before_discounts_incl_tax,
  line_price_before_discounts_excl_tax, unit_price_incl_tax, unit_price_excl_tax, status,
  order_id, partner_id, product_id, stockrecord_id, allocation_cancelled, num_allocated)
SELECT 'Backoffice Fixture Ltd', l.sku, '', '', l.title, l.qty, l.total, l.total, l.total, l.total,
  l.unit, l.unit, '', 1000000 + seq, 1, l.product, l.product, 0, 0
FROM seq_0_to_$((orders - 1)) CROSS JOIN
  (SELECT 'TEA-001' AS sku, 'Breakfast tea' AS title, 1 AS qty, 4.50 AS total, 4.50 AS unit,
          1 AS product
   UNION ALL SELECT 'MUG-002', 'Enamel mug', 2, 24.00, 12.00, 2) AS l;
ANALYZE TABLE order_order, order_line;
SQL
attach_and_time "${my%/*}/bo_bench_oscar" "MariaDB"
maria -e "DROP DATABASE bo_bench_oscar"
fi
