"""Times `backoffice schema detect` on a schema of about 100 tables: the
Django + axes + allauth fixture (scripts/fixtures.sh) plus 90 tables of
ten columns each, on SQLite and PostgreSQL. Usage:

    python3 scripts/bench_detect.py path/to/backoffice
"""
import os, shutil, sqlite3, subprocess, statistics, sys, time
BIN = sys.argv[1]
extra = 90
def ddl(i):
    cols = ", ".join(f"c{j} VARCHAR(100)" for j in range(10))
    return f"CREATE TABLE extra_{i:03d} (id INTEGER PRIMARY KEY, {cols}, created_at TIMESTAMP)"
# SQLite
shutil.copy(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "fixtures", "django.sqlite3"), "/tmp/detect100.db")
c = sqlite3.connect("/tmp/detect100.db")
for i in range(extra): c.execute(ddl(i))
c.commit()
n = c.execute("SELECT COUNT(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
c.close()
# PostgreSQL
subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "root", "-d", "postgres", "-c", "DROP DATABASE IF EXISTS bo_detect100", "-c", "CREATE DATABASE bo_detect100 TEMPLATE bo_fixture_django"], check=True)
sql = ";".join(ddl(i).replace("INTEGER PRIMARY KEY", "BIGINT PRIMARY KEY") for i in range(extra))
subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "root", "-d", "bo_detect100", "-c", sql], check=True)
npg = subprocess.run(["psql", "-tA", "-h", "127.0.0.1", "-U", "root", "-d", "bo_detect100", "-c", "SELECT COUNT(*) FROM pg_tables WHERE schemaname='public'"], capture_output=True, text=True).stdout.strip()
for name, url, tables in [("SQLite", "sqlite:/tmp/detect100.db", n), ("PostgreSQL", "postgres://root@127.0.0.1:5432/bo_detect100", npg)]:
    times = []
    for _ in range(7):
        t = time.monotonic()
        out = subprocess.run([BIN, "--db", url, "schema", "detect"], capture_output=True, text=True)
        times.append((time.monotonic() - t) * 1000)
        assert out.returncode == 0, out.stderr
    print(f"{name}: {tables} tables, median {statistics.median(times):.0f} ms, max {max(times):.0f} ms; {out.stdout.splitlines()[0]}")
