#!/usr/bin/env bash
# Makes sure the PostgreSQL and MariaDB servers the tests use are running,
# and that the test account exists on each. Tests read their server URLs
# from BACKOFFICE_TEST_POSTGRES_URL and BACKOFFICE_TEST_MYSQL_URL; when those
# are set, this script leaves the servers alone.
set -euo pipefail

run_as_root=()
[[ $(id -u) -ne 0 ]] && run_as_root=(sudo)

wait_for() { # name, command...
  local name=$1; shift
  for _ in $(seq 1 60); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "services: $name did not come up" >&2
  return 1
}

if [[ -z "${BACKOFFICE_TEST_POSTGRES_URL:-}" ]]; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    [[ -n "$version" ]] || { echo "services: PostgreSQL is not installed (run scripts/deps.sh --test)" >&2; exit 1; }
    echo "services: starting PostgreSQL $version"
    "${run_as_root[@]}" pg_ctlcluster --skip-systemctl-redirect "$version" main start \
      || "${run_as_root[@]}" service postgresql start
    wait_for PostgreSQL pg_isready -h 127.0.0.1 -p 5432
  fi
  "${run_as_root[@]}" runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -d postgres <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'backoffice_test') THEN
    CREATE ROLE backoffice_test LOGIN CREATEDB CREATEROLE PASSWORD 'backoffice_test';
  END IF;
  -- A login without a password, for the tests of a profile that needs no
  -- keychain (a trust login, as on a server's own machine).
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'backoffice_trust') THEN
    CREATE ROLE backoffice_trust LOGIN CREATEDB;
  END IF;
END $$;
SQL
  hba=$("${run_as_root[@]}" runuser -u postgres -- psql -tAc 'SHOW hba_file')
  if ! "${run_as_root[@]}" grep -qE '^host[[:space:]]+all[[:space:]]+(all|backoffice_trust)[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
    echo "services: letting backoffice_trust sign in from 127.0.0.1 without a password"
    "${run_as_root[@]}" sed -i '1i host all backoffice_trust 127.0.0.1/32 trust' "$hba"
    "${run_as_root[@]}" runuser -u postgres -- psql -q -c 'SELECT pg_reload_conf()' >/dev/null
  fi
fi

if [[ -z "${BACKOFFICE_TEST_MYSQL_URL:-}" ]]; then
  if ! mariadb-admin --protocol=tcp -h 127.0.0.1 -P 3306 -u root ping >/dev/null 2>&1 \
     && ! "${run_as_root[@]}" mariadb-admin ping >/dev/null 2>&1; then
    [[ -x /usr/sbin/mariadbd ]] || { echo "services: MariaDB is not installed (run scripts/deps.sh --test)" >&2; exit 1; }
    echo "services: starting MariaDB"
    "${run_as_root[@]}" service mariadb start >/dev/null 2>&1 \
      || "${run_as_root[@]}" start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
    wait_for MariaDB "${run_as_root[@]}" mariadb-admin ping
  fi
  "${run_as_root[@]}" mariadb -u root <<'SQL'
CREATE USER IF NOT EXISTS 'backoffice_test'@'localhost' IDENTIFIED BY 'backoffice_test';
CREATE USER IF NOT EXISTS 'backoffice_test'@'127.0.0.1' IDENTIFIED BY 'backoffice_test';
GRANT ALL PRIVILEGES ON *.* TO 'backoffice_test'@'localhost' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'backoffice_test'@'127.0.0.1' WITH GRANT OPTION;
SQL
fi
echo "services: PostgreSQL and MariaDB are ready"
