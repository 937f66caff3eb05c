//! Notifications through the `backoffice` binary, delivered to a real SMTP
//! server on loopback: send, the "already sent" answer, a bulk send, and a
//! dispatcher killed with SIGKILL mid-batch then restarted — nothing lost,
//! nothing confirmed sent delivered twice.

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use backoffice_testkit::smtp::SmtpServer;
use common::Cli;
use serde_json::Value;

fn outbox(cli: &Cli, base: &[&str]) -> Vec<Value> {
    let mut args = base.to_vec();
    args.extend_from_slice(&["outbox", "list", "--limit", "1000", "--json"]);
    let page: Value = serde_json::from_str(&cli.ok(&args, None)).unwrap();
    page["items"].as_array().unwrap().clone()
}

fn count(messages: &[Value], status: &str) -> usize {
    messages.iter().filter(|m| m["status"] == status).count()
}

#[test]
fn send_bulk_and_a_killed_dispatcher() {
    let mut cli = Cli::new();
    cli.seeded_profile("shop", 200, 300);
    let server = SmtpServer::start(&["--delay-ms", "60"]);
    let mail = cli.loopback_mail("shop", server.port, &["--rate", "1000"]);
    assert!(mail.contains("sends mail through 127.0.0.1"), "{mail}");
    let bad = cli.fails(&[
        "profile",
        "mail",
        "shop",
        "--smtp-host",
        "x",
        "--from",
        "nobody",
        "--link-base",
        "https://s.example",
    ]);
    assert_eq!(bad.0, 2, "{}", bad.1);
    // A CA file that is not there is named when the settings are saved.
    let (code, missing) = cli.fails(&[
        "profile",
        "mail",
        "shop",
        "--smtp-host",
        "127.0.0.1",
        "--from",
        "shop@shop.example",
        "--link-base",
        "https://shop.example",
        "--ca-file",
        "no-such-ca.pem",
    ]);
    assert_eq!(code, 2, "{missing}");
    assert!(
        missing.contains("cannot read the CA file") && missing.contains("no-such-ca.pem"),
        "{missing}"
    );

    cli.password = Some("backoffice-demo".into());
    let base = ["--profile", "shop", "--operator", "support"];
    let with = |rest: &[&'static str]| {
        let mut a: Vec<&str> = base.to_vec();
        a.extend_from_slice(rest);
        a
    };

    // One message, then the same trigger again.
    let sent = cli.ok(
        &with(&["notify", "send", "password_reset", "--user", "1"]),
        None,
    );
    assert!(sent.contains("queued message 1"), "{sent}");
    // The user's card says what was sent, masked for support.
    let card = cli.ok(&with(&["users", "show", "1"]), None);
    let emails = card.split("\nemails\n").nth(1).unwrap_or_default();
    assert!(
        emails.contains("password_reset") && emails.contains("queued") && emails.contains("•••@"),
        "{card}"
    );
    let (code, again) = cli.fails(&with(&["notify", "send", "password_reset", "--user", "1"]));
    assert_eq!(code, 4, "{again}");
    assert!(
        again.contains("already sent")
            && again.contains("by operator support")
            && again.contains("send anyway with --force"),
        "{again}"
    );
    let preview = cli.ok(
        &with(&["notify", "preview", "password_reset", "--user", "1"]),
        None,
    );
    assert!(
        preview.contains("https://shop.example/reset-password?token="),
        "{preview}"
    );

    // A bulk message to 80 users, previewed and then queued.
    let ids: Vec<String> = (2..=81).map(|i| i.to_string()).collect();
    let ids = ids.join(",");
    let bulk = |confirm: &'static str| {
        let mut a = with(&[
            "notify",
            "bulk",
            "support_message",
            "--subject",
            "Maintenance",
            "--message",
            "We will be down on Sunday.",
            confirm,
        ]);
        a.extend_from_slice(&["--users", ids.as_str(), "--json"]);
        a
    };
    let dry: Value = serde_json::from_str(&cli.ok(&bulk("--dry-run"), None)).unwrap();
    assert_eq!(dry["to_queue"], 80, "{dry}");
    assert_eq!(outbox(&cli, &base).len(), 1, "a dry run queues nothing");
    let done: Value = serde_json::from_str(&cli.ok(&bulk("--yes"), None)).unwrap();
    assert_eq!(done["queued"], 80, "{done}");
    let total = outbox(&cli, &base).len();
    assert_eq!(total, 81);

    // Kill the dispatcher mid-batch.
    let mut watch = cli
        .command(&with(&[
            "outbox",
            "dispatch",
            "--watch",
            "--connections",
            "2",
            "--batch",
            "10",
            "--lease-seconds",
            "2",
        ]))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    server.wait_for(15, Duration::from_secs(60));
    watch.kill().unwrap(); // SIGKILL: no clean-up runs
    watch.wait().unwrap();
    let at_kill = outbox(&cli, &base);
    assert!(
        count(&at_kill, "sending") > 0,
        "the kill left claimed messages behind"
    );
    assert!(count(&at_kill, "queued") > 0, "killed before the end");

    // Restart after the lease ran out.
    std::thread::sleep(Duration::from_millis(2500));
    let start = Instant::now();
    let report: Value =
        serde_json::from_str(&cli.ok(&with(&["outbox", "dispatch", "--once", "--json"]), None))
            .unwrap();
    let settled = report["recovered"].as_u64().unwrap() + report["interrupted"].as_u64().unwrap();
    assert!(settled >= 1, "{report}");
    let after = outbox(&cli, &base);
    assert_eq!(after.len(), total);
    assert_eq!(
        count(&after, "queued") + count(&after, "sending"),
        0,
        "nothing left behind"
    );
    let uncertain = count(&after, "uncertain");
    assert!(
        uncertain <= 2,
        "at most one in flight per connection: {uncertain}"
    );
    // Seeded addresses include planted invalid ones: those fail at once.
    for m in after.iter().filter(|m| m["status"] == "failed") {
        assert!(
            m["last_error"].as_str().unwrap().contains("not valid"),
            "{m}"
        );
    }
    assert_eq!(
        count(&after, "sent") + uncertain + count(&after, "failed"),
        total
    );

    let received = server.wait_for(count(&after, "sent"), Duration::from_secs(10));
    let mut seen: HashMap<String, usize> = HashMap::new();
    for r in &received {
        *seen.entry(r.message_id.clone()).or_default() += 1;
    }
    assert!(
        seen.values().all(|n| *n == 1),
        "a message arrived twice: {seen:?}"
    );
    for m in after.iter().filter(|m| m["status"] == "sent") {
        let uid = m["uid"].as_str().unwrap();
        assert!(
            seen.keys().any(|k| k.contains(uid)),
            "sent but never arrived: {m}"
        );
    }
    assert!(start.elapsed() < Duration::from_secs(60));

    // An uncertain message goes out again only when an operator says so.
    if let Some(m) = after.iter().find(|m| m["status"] == "uncertain") {
        let id: &'static str = Box::leak(m["id"].to_string().into_boxed_str());
        let text = cli.ok(&with(&["outbox", "show", id]), None);
        assert!(text.contains("may have accepted"), "{text}");
        cli.ok(
            &with(&["outbox", "retry", id, "--reason", "customer did not get it"]),
            None,
        );
    }
}

fn set_mail(cli: &Cli, port: &str, password: &str) {
    cli.ok(
        &[
            "profile",
            "mail",
            "authshop",
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            port,
            "--security",
            "none",
            "--smtp-user",
            "mailer",
            "--password-stdin",
            "--from",
            "no-reply@shop.example",
            "--link-base",
            "https://shop.example",
        ],
        Some(&format!("{password}\n")),
    );
}

#[test]
fn smtp_password_comes_from_the_keychain() {
    let mut cli = Cli::new();
    let path = cli.data.path().join("a.db");
    let url = format!("sqlite:{}", path.display());
    cli.ok(
        &["--db", &url, "seed", "--users", "50", "--orders", "50"],
        None,
    );
    let path_text = path.display().to_string();
    cli.ok(
        &[
            "profile",
            "add",
            "authshop",
            "--backend",
            "sqlite",
            "--database",
            &path_text,
        ],
        None,
    );
    let server = SmtpServer::start(&["--auth-user", "mailer", "--auth-password", "s3cret pw"]);
    let port = server.port.to_string();
    set_mail(&cli, &port, "wrong");
    let file = std::fs::read_to_string(cli.config.path().join("profiles.toml")).unwrap();
    assert!(
        file.contains("smtp_user = \"mailer\"") && !file.contains("wrong"),
        "{file}"
    );

    cli.password = Some("backoffice-demo".into());
    let with = |rest: &[&'static str]| {
        let mut a = vec!["--profile", "authshop", "--operator", "support"];
        a.extend_from_slice(rest);
        a
    };
    cli.ok(
        &with(&["notify", "send", "password_reset", "--user", "2"]),
        None,
    );
    let once = with(&[
        "outbox",
        "dispatch",
        "--once",
        "--max-attempts",
        "1",
        "--json",
    ]);
    let report: Value = serde_json::from_str(&cli.ok(&once, None)).unwrap();
    assert_eq!(report["failed"], 1, "{report}");
    let shown = cli.ok(&with(&["outbox", "show", "1"]), None);
    assert!(
        shown.contains("signing in") && shown.contains("535"),
        "{shown}"
    );
    assert!(server.received().is_empty());

    set_mail(&cli, &port, "s3cret pw");
    cli.ok(
        &with(&["outbox", "retry", "1", "--reason", "password fixed"]),
        None,
    );
    let report: Value = serde_json::from_str(&cli.ok(&once, None)).unwrap();
    assert_eq!(report["sent"], 1, "{report}");
    let got = server.wait_for(1, Duration::from_secs(10));
    assert_eq!(got[0].subject, "Reset your password");
}
