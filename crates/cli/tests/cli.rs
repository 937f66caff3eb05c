//! The `backoffice` binary as scripts use it, with the real OS keychain
//! (Secret Service) and real servers. Run under `scripts/with-session.sh`
//! (as `make test` does), which provides an unlocked gnome-keyring.

mod common;

use std::path::Path;
use std::process::Command;

use backoffice_core::db::Backend;
use backoffice_testkit::{server_url, TestDb};
use common::Cli;

fn require_secret_service() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "these tests need a Secret Service: run them with scripts/with-session.sh (make test does)"
    );
}

/// What the real keychain holds for an account, read by another program.
fn keychain_lookup(account: &str) -> Option<String> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", "backoffice", "username", account])
        .output()
        .expect("secret-tool (package libsecret-tools) is installed by make test");
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .trim_end_matches('\n')
            .to_string()
    })
}

/// A MariaDB account with a real password, so a wrong one is really refused.
async fn mysql_account(t: &TestDb, user: &str, password: &str) {
    t.exec(&format!(
        "CREATE USER IF NOT EXISTS '{user}'@'%' IDENTIFIED BY '{password}'"
    ))
    .await;
    t.exec(&format!(
        "CREATE USER IF NOT EXISTS '{user}'@'localhost' IDENTIFIED BY '{password}'"
    ))
    .await;
    for host in ["%", "localhost"] {
        t.exec(&format!("GRANT ALL PRIVILEGES ON *.* TO '{user}'@'{host}'"))
            .await;
    }
}

fn host_and_port(url: &str) -> (String, String) {
    let after_at = url.rsplit('@').next().unwrap();
    let hostport = after_at.split('/').next().unwrap();
    let (h, p) = hostport.split_once(':').unwrap_or((hostport, "3306"));
    (h.to_string(), p.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_lives_in_the_keychain_and_is_used_to_connect() {
    require_secret_service();
    let t = TestDb::new(Backend::Mysql).await;
    let user = format!("bo_cli_{}", std::process::id());
    let password = "s3cret-Pa55-Ω";
    mysql_account(&t, &user, password).await;
    let (host, port) = host_and_port(&server_url(Backend::Mysql));
    let db_name = t.url.rsplit('/').next().unwrap().to_string();
    let cli = Cli::new();
    let name = format!("kc{}", std::process::id());
    cli.ok(
        &[
            "profile",
            "add",
            &name,
            "--backend",
            "mysql",
            "--host",
            &host,
            "--port",
            &port,
            "--database",
            &db_name,
            "--user",
            &user,
            "--password-stdin",
        ],
        Some(&format!("{password}\n")),
    );
    // Another process reads it from the real Secret Service.
    assert_eq!(
        keychain_lookup(&format!("db:{name}")).as_deref(),
        Some(password)
    );
    // Never in the profiles file or any output.
    let file = std::fs::read_to_string(cli.config.path().join("profiles.toml")).unwrap();
    assert!(!file.contains(password), "{file}");
    let listed = cli.ok(&["profile", "list", "--json"], None);
    assert!(!listed.contains(password));
    assert!(listed.contains(&name));
    // A fresh process connects with the password from the keychain.
    let tested = cli.ok(&["profile", "test", &name], None);
    assert!(tested.starts_with("ok: connected"), "{tested}");
    assert!(!tested.contains(password));
    let stats = cli.ok(&["--profile", &name, "stats", "--json"], None);
    assert!(stats.contains("\"users\""), "{stats}");

    // A wrong password is refused by the server, in one clear line.
    cli.ok(
        &[
            "profile",
            "add",
            &name,
            "--backend",
            "mysql",
            "--host",
            &host,
            "--port",
            &port,
            "--database",
            &db_name,
            "--user",
            &user,
            "--password-stdin",
            "--replace",
        ],
        Some("wrong-password\n"),
    );
    let (code, err) = cli.fails(&["profile", "test", &name]);
    assert_eq!(code, 6, "{err}");
    assert!(err.contains("refused the user name or password"), "{err}");
    assert!(!err.contains("wrong-password"));

    cli.ok(&["profile", "remove", &name], None);
    assert_eq!(keychain_lookup(&format!("db:{name}")), None);
    t.exec(&format!(
        "DROP USER IF EXISTS '{user}'@'%', '{user}'@'localhost'"
    ))
    .await;
}

#[test]
fn bad_input_gets_one_clear_line() {
    let cli = Cli::new();
    let (code, err) = cli.fails(&["--db", "mongodb://h/x", "stats"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unsupported database URL scheme 'mongodb:'"),
        "{err}"
    );

    let (code, err) = cli.fails(&["--profile", "nope", "stats"]);
    assert_eq!(code, 3);
    assert!(err.contains("no profile named 'nope'"), "{err}");

    let (code, err) = cli.fails(&["--db", "postgres://nobody:pw@127.0.0.1:1/x", "stats"]);
    assert_eq!(code, 6);
    assert!(
        err.contains("127.0.0.1:1") && err.contains("is the server running?"),
        "{err}"
    );
    assert!(
        !err.contains(":pw@"),
        "the password must not be echoed: {err}"
    );

    let missing = cli.data.path().join("missing.db");
    let (code, err) = cli.fails(&["--db", &format!("sqlite:{}", missing.display()), "stats"]);
    assert_eq!(code, 3);
    assert!(err.contains("not found"), "{err}");
    assert!(!missing.exists(), "stats must not create a database file");

    let (code, err) = cli.fails(&["stats"]);
    assert_eq!(code, 2);
    assert!(err.contains("--db URL or --profile NAME"), "{err}");

    let (code, err) = cli.fails(&[
        "profile",
        "add",
        "bad name!",
        "--backend",
        "sqlite",
        "--database",
        "x.db",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("is not valid"), "{err}");
}

#[test]
fn seed_migrate_stats_and_refusals() {
    let cli = Cli::new();
    let path = cli.data.path().join("shop.db");
    let url = format!("sqlite:{}", path.display());
    let report = cli.ok(
        &[
            "--db", &url, "seed", "--users", "300", "--orders", "600", "--json",
        ],
        None,
    );
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["rows"]["users"], 300);
    assert_eq!(report["operator_password"], "backoffice-demo");
    let stats: serde_json::Value =
        serde_json::from_str(&cli.ok(&["--db", &url, "stats", "--json"], None)).unwrap();
    assert_eq!(stats[0]["table"], "users");
    assert_eq!(stats[0]["rows"], 300);
    // A second seed is refused and changes nothing.
    let (code, err) = cli.fails(&["--db", &url, "seed", "--users", "10"]);
    assert_eq!(code, 2);
    assert!(err.contains("not empty"), "{err}");
    let migrate = cli.ok(&["--db", &url, "migrate", "--json"], None);
    assert!(migrate.contains("\"current\""), "{migrate}");
    // Machine-readable errors with --json.
    let out = cli.run(&["--db", "nope:x", "stats", "--json"], None);
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "validation");
}

#[test]
fn demo_is_created_once_and_registered() {
    let cli = Cli::new();
    let first = cli.ok(&["demo", "--users", "200", "--orders", "400"], None);
    assert!(first.contains("created the demo database"), "{first}");
    assert!(first.contains("registered it as profile 'demo'"), "{first}");
    assert!(first.contains("password: backoffice-demo"), "{first}");
    let second = cli.ok(&["demo"], None);
    assert!(second.contains("the demo database is ready"), "{second}");
    let listed = cli.ok(&["profile", "list"], None);
    assert!(
        listed.contains("demo") && listed.contains("[demo]"),
        "{listed}"
    );
    let stats = cli.ok(&["--profile", "demo", "stats", "--json"], None);
    assert!(stats.contains("\"rows\": 200"), "{stats}");
    assert!(Path::new(&cli.data.path().join("demo.sqlite3")).exists());
}
