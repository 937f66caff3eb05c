#!/usr/bin/env bash
# Seeding throughput on each backend, as recorded in docs/BENCHMARKS.md.
# Usage: scripts/bench.sh [USERS] [ORDERS]   (default 1,000,000 / 3,000,000)
set -euo pipefail
users=${1:-1000000}
orders=${2:-3000000}
cd "$(dirname "$0")/.."
cargo build --release -p backoffice-cli
bin=target/release/backoffice
work=$(mktemp -d -t backoffice-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

report() { # label, json file
  python3 -c 'import json,sys; r=json.load(open(sys.argv[2])); print(f"{sys.argv[1]}: {r[\"total_rows\"]:,} rows in {r[\"seconds\"]:.1f} s = {r[\"rows_per_second\"]:,.0f} rows/s")' "$1" "$2"
}

"$bin" --db "sqlite:$work/bench.db" seed --users "$users" --orders "$orders" --json > "$work/sqlite.json"
report SQLite "$work/sqlite.json"

scripts/services.sh >/dev/null
pg=${BACKOFFICE_TEST_POSTGRES_URL:-postgres://backoffice_test:backoffice_test@127.0.0.1:5432/postgres}
psql "$pg" -qc "DROP DATABASE IF EXISTS backoffice_bench" -c "CREATE DATABASE backoffice_bench"
"$bin" --db "${pg%/*}/backoffice_bench" seed --users "$users" --orders "$orders" --json > "$work/pg.json"
report PostgreSQL "$work/pg.json"
psql "$pg" -qc "DROP DATABASE backoffice_bench"

my=${BACKOFFICE_TEST_MYSQL_URL:-mysql://backoffice_test:backoffice_test@127.0.0.1:3306/mysql}
mariadb -h 127.0.0.1 -u backoffice_test -pbackoffice_test -e "DROP DATABASE IF EXISTS backoffice_bench; CREATE DATABASE backoffice_bench"
"$bin" --db "${my%/*}/backoffice_bench" seed --users "$users" --orders "$orders" --json > "$work/mysql.json"
report MariaDB "$work/mysql.json"
mariadb -h 127.0.0.1 -u backoffice_test -pbackoffice_test -e "DROP DATABASE backoffice_bench"
