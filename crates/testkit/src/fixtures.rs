//! Copies of the framework fixtures that `scripts/fixtures.sh` builds once
//! per run (`make test` runs it): each test gets a database of its own.

use std::path::PathBuf;

use backoffice_core::db::Backend;
use sqlx::{Connection, Executor};

use crate::servers::server_url;
use crate::TestDb;

fn missing(fixture: &str, detail: impl std::fmt::Display) -> ! {
    panic!(
        "the {fixture} fixture is not built ({detail}); run `scripts/fixtures.sh` \
         (`make test` runs it before the tests)"
    )
}

fn sqlite_file(fixture: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/fixtures")
        .join(format!("{fixture}.sqlite3"))
}

impl TestDb {
    /// A fresh copy of a framework fixture ("django") on `backend`.
    pub async fn fixture(backend: Backend, fixture: &str) -> TestDb {
        let t = TestDb::new(backend).await;
        let template = format!("bo_fixture_{fixture}");
        match backend {
            Backend::Sqlite => {
                let from = sqlite_file(fixture);
                let to = t.url.trim_start_matches("sqlite:");
                std::fs::copy(&from, to)
                    .unwrap_or_else(|e| missing(fixture, format!("{}: {e}", from.display())));
            }
            Backend::Postgres => {
                // The test's own empty database makes way for a copy.
                let server = server_url(backend);
                let mut c = sqlx::PgConnection::connect(&server).await.expect("connect");
                let name = t.name.clone();
                c.execute(format!("DROP DATABASE {name}").as_str())
                    .await
                    .expect("drop");
                let mut tries = 0;
                loop {
                    let made = c
                        .execute(format!("CREATE DATABASE {name} TEMPLATE {template}").as_str())
                        .await;
                    match made {
                        Ok(_) => break,
                        // Two copies at once: the template is briefly busy.
                        Err(e) if e.to_string().contains("being accessed") && tries < 50 => {
                            tries += 1;
                            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                        }
                        Err(e) => missing(fixture, e),
                    }
                }
            }
            Backend::Mysql => {
                let mut c = sqlx::MySqlConnection::connect(&t.url)
                    .await
                    .expect("connect");
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT CAST(table_name AS CHAR) FROM information_schema.tables \
                     WHERE table_schema = ? AND table_type = 'BASE TABLE'",
                )
                .bind(&template)
                .fetch_all(&mut c)
                .await
                .expect("list the fixture's tables");
                if tables.is_empty() {
                    missing(fixture, format!("no tables in {template}"));
                }
                c.execute("SET FOREIGN_KEY_CHECKS = 0")
                    .await
                    .expect("fk checks off");
                for table in tables {
                    let (_, ddl): (String, String) =
                        sqlx::query_as(&format!("SHOW CREATE TABLE {template}.`{table}`"))
                            .fetch_one(&mut c)
                            .await
                            .expect("show create table");
                    c.execute(ddl.as_str()).await.expect("copy a table");
                    c.execute(
                        format!("INSERT INTO `{table}` SELECT * FROM {template}.`{table}`")
                            .as_str(),
                    )
                    .await
                    .expect("copy its rows");
                }
                c.execute("SET FOREIGN_KEY_CHECKS = 1")
                    .await
                    .expect("fk checks on");
            }
        }
        t
    }

    /// What the fixture's framework itself reads of this database's users
    /// (tests/fixtures/<fixture>/inspect_users.py, run in the fixtures'
    /// virtual environment), as JSON keyed by username.
    pub fn framework_view(&self, fixture: &str) -> serde_json::Value {
        self.framework_script(fixture, "inspect_users.py", &[])
    }

    /// Runs `tests/fixtures/<fixture>/<script> <this database> <args…>` in
    /// the fixtures' virtual environment: the framework's own code reading
    /// (or changing) this copy. Its standard output, as JSON.
    pub fn framework_script(
        &self,
        fixture: &str,
        script: &str,
        args: &[&str],
    ) -> serde_json::Value {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let python = root.join("target/fixtures/venv/bin/python");
        let script = root.join(format!("tests/fixtures/{fixture}/{script}"));
        let out = std::process::Command::new(&python)
            .arg(&script)
            .arg(&self.url)
            .args(args)
            .output()
            .unwrap_or_else(|e| missing(fixture, format!("{}: {e}", python.display())));
        assert!(
            out.status.success(),
            "{} failed: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("the framework's view as JSON")
    }

    /// Serves this copy with the fixture's framework over HTTP on loopback
    /// (`tests/fixtures/<fixture>/serve.py <this database> <args…>`, which
    /// prints its port), until the returned server is dropped.
    pub fn framework_server(&self, fixture: &str, args: &[&str]) -> Served {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let python = root.join("target/fixtures/venv/bin/python");
        let script = root.join(format!("tests/fixtures/{fixture}/serve.py"));
        let mut child = std::process::Command::new(&python)
            .arg(&script)
            .arg(&self.url)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| missing(fixture, format!("{}: {e}", python.display())));
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().expect("piped stdout")),
            &mut line,
        )
        .expect("the server's port");
        let port = line.trim().parse().unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("{} did not start (printed {line:?})", script.display())
        });
        Served { child, port }
    }
}

/// A framework serving a fixture copy; killed when dropped.
pub struct Served {
    child: std::process::Child,
    pub port: u16,
}

impl Served {
    /// The site's address, as a profile's link base names it.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
