//! Profiles that hold no secret work where no keychain runs (a server, a
//! systemd service): a SQLite profile, a PostgreSQL trust login and an SMTP
//! relay without authentication never touch the keychain; an SMTP password
//! and the operator's come from the service's credentials folder
//! (`CREDENTIALS_DIRECTORY`, systemd's `LoadCredential=`).
//!
//! Each command runs with a D-Bus session address that leads nowhere, so
//! any use of the Secret Service fails; the first test proves that it does.

mod common;

use std::time::Duration;

use backoffice_testkit::exec_postgres;
use backoffice_testkit::smtp::SmtpServer;
use common::Cli;
use serde_json::Value;

/// A CLI whose commands find no Secret Service.
fn headless() -> Cli {
    let mut cli = Cli::new();
    cli.env.push((
        "DBUS_SESSION_BUS_ADDRESS".into(),
        "unix:path=/nonexistent/backoffice-no-bus".into(),
    ));
    cli.env.push(("DISPLAY".into(), String::new()));
    cli
}

fn mail(cli: &Cli, profile: &str, server: &SmtpServer, user: Option<&str>) {
    let extra = match user {
        Some(u) => vec!["--smtp-user", u, "--password-in-credentials"],
        None => vec![],
    };
    let said = cli.loopback_mail(profile, server.port, &extra);
    assert!(said.contains("(no encryption)"), "{said}");
}

/// Queues a password reset for user 2 and delivers it with `--once`.
fn send_and_dispatch(cli: &Cli, profile: &str, server: &SmtpServer) {
    let base = ["--profile", profile, "--operator", "support"];
    let mut send = base.to_vec();
    send.extend_from_slice(&["notify", "send", "password_reset", "--user", "2"]);
    cli.ok(&send, None);
    let mut once = base.to_vec();
    once.extend_from_slice(&["outbox", "dispatch", "--once", "--json"]);
    let report: Value = serde_json::from_str(&cli.ok(&once, None)).unwrap();
    assert_eq!(report["sent"], 1, "{report}");
    let got = server.wait_for(1, Duration::from_secs(10));
    assert_eq!(got[0].subject, "Reset your password");
}

#[test]
fn a_sqlite_profile_and_an_open_relay_need_no_keychain() {
    let mut cli = headless();
    // The environment really has no keychain: storing a password fails.
    let out = cli.run(
        &[
            "profile",
            "add",
            "withpw",
            "--backend",
            "postgres",
            "--host",
            "127.0.0.1",
            "--database",
            "x",
            "--user",
            "u",
            "--password-stdin",
        ],
        Some("pw\n"),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(err.contains("keychain is not available"), "{err}");

    cli.seeded_profile("lite", 20, 5);
    let server = SmtpServer::start(&[]);
    mail(&cli, "lite", &server, None);
    cli.password = Some("backoffice-demo".into());
    send_and_dispatch(&cli, "lite", &server);
    // Mail settings without a user, then removing the profile: no keychain.
    mail(&cli, "lite", &server, None);
    cli.ok(&["profile", "remove", "lite"], None);
}

#[test]
fn a_postgres_trust_login_needs_no_keychain() {
    let mut cli = headless();
    let host = "127.0.0.1";
    let database = format!("bo_trust_{}", std::process::id());
    let server_url = format!("postgres://backoffice_trust@{host}:5432/postgres");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sql = |text: String| rt.block_on(exec_postgres(&server_url, &text));
    sql(format!("DROP DATABASE IF EXISTS {database}")).unwrap_or_else(|e| {
        panic!(
            "cannot sign in to PostgreSQL as backoffice_trust without a password ({e}); \
             `scripts/services.sh` (run by `make test`) creates that role and lets it in \
             from 127.0.0.1"
        )
    });
    sql(format!("CREATE DATABASE {database}")).unwrap();
    let url = format!("postgres://backoffice_trust@{host}:5432/{database}");
    cli.ok(
        &["--db", &url, "seed", "--users", "20", "--orders", "5"],
        None,
    );
    cli.ok(
        &[
            "profile",
            "add",
            "pgtrust",
            "--backend",
            "postgres",
            "--host",
            host,
            "--database",
            &database,
            "--user",
            "backoffice_trust",
            "--no-password",
        ],
        None,
    );
    let file = std::fs::read_to_string(cli.config.path().join("profiles.toml")).unwrap();
    assert!(file.contains("keychain = false"), "{file}");
    let tested = cli.ok(&["profile", "test", "pgtrust"], None);
    assert!(tested.contains("PostgreSQL"), "{tested}");
    let server = SmtpServer::start(&[]);
    mail(&cli, "pgtrust", &server, None);
    cli.password = Some("backoffice-demo".into());
    send_and_dispatch(&cli, "pgtrust", &server);
    cli.ok(&["profile", "remove", "pgtrust"], None);
    let _ = sql(format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"));
}

/// As the systemd unit in docs/systemd runs it: the SMTP password and the
/// operator's password are files in the credentials folder.
#[test]
fn a_service_reads_its_secrets_from_its_credentials() {
    let mut cli = headless();
    cli.seeded_profile("svc", 20, 5);
    let server = SmtpServer::start(&["--auth-user", "mailer", "--auth-password", "relay pw"]);
    mail(&cli, "svc", &server, Some("mailer"));
    let creds = tempfile::tempdir().unwrap();
    std::fs::write(creds.path().join("smtp.svc"), "relay pw\n").unwrap();
    std::fs::write(creds.path().join("operator.support"), "backoffice-demo\n").unwrap();
    cli.env.push((
        "CREDENTIALS_DIRECTORY".into(),
        creds.path().display().to_string(),
    ));
    cli.password = None;
    send_and_dispatch(&cli, "svc", &server);
}
