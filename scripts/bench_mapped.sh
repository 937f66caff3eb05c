#!/usr/bin/env bash
# User search and the trouble card on a Django auth_user of 1,000,000 rows,
# on SQLite and PostgreSQL, without and then with the indexes that
# `schema indexes` proposes (docs/BENCHMARKS.md). Needs the Django fixture
# (scripts/fixtures.sh) and the test servers (scripts/services.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-1000000}
cargo build --release -p backoffice-cli --bin backoffice --example mapped_users_bench
bin=target/release/backoffice
bench=target/release/examples/mapped_users_bench
work=$(mktemp -d -t backoffice-mapped.XXXXXX)
trap 'rm -rf "$work"' EXIT
export BACKOFFICE_PASSWORD=bench-password

# The generated users: first and last names from short lists, so a common
# three-letter text ("ann": Ann, Hanna, Joanne) matches a quarter of them.
rows_sql() {
  cat <<SQL
SELECT 'x', false, 'user' || i, first_names[1 + i % 12], last_names[1 + (i / 12) % 9],
  'user' || i || '.' || lower(last_names[1 + (i / 12) % 9]) || '@example.net', false, true,
  TIMESTAMP '2024-01-01' + (i % 700) * INTERVAL '1 day'
SQL
}

attach_and_time() { # url label
  "$bin" --db "$1" attach >/dev/null
  echo "$BACKOFFICE_PASSWORD" | "$bin" --db "$1" operator add admin --role admin --password-stdin >/dev/null
  "$bin" --db "$1" schema detect --write "$work/map.toml" --force >/dev/null
  echo "## $2, without search indexes"
  "$bench" "$1" "$work/map.toml"
  echo "## $2: schema indexes --apply"
  /usr/bin/time -f "built in %e s" "$bin" --db "$1" --mapping "$work/map.toml" schema indexes --apply
  echo "## $2, with search indexes"
  "$bench" "$1" "$work/map.toml"
}

python3 - "$work/django.db" "$users" <<'PY'
import shutil, sqlite3, sys
shutil.copy("target/fixtures/django.sqlite3", sys.argv[1])
firsts = ["Ann", "Bob", "Carl", "Dana", "Eve", "Fred", "Gus", "Hanna", "Ivan", "Joanne", "Kim", "Leo"]
lasts = ["Hill", "Lindquist", "Moss", "Nash", "Orr", "Price", "Reyes", "Stone", "Young"]
c = sqlite3.connect(sys.argv[1])
rows = ((f"user{i}", firsts[i % 12], lasts[(i // 12) % 9],
         f"user{i}.{lasts[(i // 12) % 9].lower()}@example.net", f"2024-01-01 00:00:00.000000")
        for i in range(1, int(sys.argv[2]) + 1))
c.executemany("INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, "
              "email, is_staff, is_active, date_joined) VALUES ('x', 0, ?, ?, ?, ?, 0, 1, ?)", rows)
c.commit()
PY
attach_and_time "sqlite:$work/django.db" "SQLite"

pg=${BACKOFFICE_TEST_POSTGRES_URL:-postgres://backoffice_test:backoffice_test@127.0.0.1:5432/postgres}
psql "$pg" -qc "DROP DATABASE IF EXISTS bo_bench_django" -c "CREATE DATABASE bo_bench_django TEMPLATE bo_fixture_django"
psql "${pg%/*}/bo_bench_django" -q <<SQL
WITH names AS (SELECT ARRAY['Ann','Bob','Carl','Dana','Eve','Fred','Gus','Hanna','Ivan','Joanne','Kim','Leo'] AS first_names,
                      ARRAY['Hill','Lindquist','Moss','Nash','Orr','Price','Reyes','Stone','Young'] AS last_names)
INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
$(rows_sql) FROM names, generate_series(1, $users) AS i;
ANALYZE auth_user;
SQL
attach_and_time "${pg%/*}/bo_bench_django" "PostgreSQL"
psql "$pg" -qc "DROP DATABASE bo_bench_django"
