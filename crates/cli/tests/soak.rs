//! The outbox's promise under abuse, counted at a real SMTP server: three
//! `outbox dispatch --watch` processes whose lease is shorter than a batch
//! takes, killed with SIGKILL at random moments and restarted for about
//! twenty seconds, then left to settle. Every message that is `sent`
//! arrived exactly once; a message that arrived twice is `uncertain`;
//! nothing is left queued or sending; and once an operator retries the
//! uncertain ones that never arrived, every message has arrived.
//! On SQLite and PostgreSQL (where claims skip each other's rows).

mod common;

use std::collections::HashMap;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use backoffice_core::db::Backend;
use backoffice_testkit::smtp::SmtpServer;
use backoffice_testkit::{server_account, TestDb};
use common::Cli;
use serde_json::Value;

const MESSAGES: usize = 150;

/// A small deterministic generator: the kill schedule is the same on every
/// run with the same seed (printed, to replay a failure).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn outbox(cli: &Cli, base: &[&str]) -> Vec<Value> {
    let mut args = base.to_vec();
    args.extend_from_slice(&["outbox", "list", "--limit", "1000", "--json"]);
    let page: Value = serde_json::from_str(&cli.ok(&args, None)).unwrap();
    page["items"].as_array().unwrap().clone()
}

fn with<'a>(base: &[&'a str], rest: &[&'a str]) -> Vec<&'a str> {
    let mut a = base.to_vec();
    a.extend_from_slice(rest);
    a
}

fn soak(backend: Backend) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(TestDb::new(backend));
    let mut cli = Cli::new();
    cli.ok(
        &["--db", &db.url, "seed", "--users", "200", "--orders", "20"],
        None,
    );
    match backend {
        Backend::Sqlite => {
            let path = db.url.trim_start_matches("sqlite:").to_string();
            cli.ok(
                &[
                    "profile",
                    "add",
                    "soak",
                    "--backend",
                    "sqlite",
                    "--database",
                    &path,
                ],
                None,
            );
        }
        _ => {
            let a = server_account(backend);
            let database = db.url.rsplit('/').next().unwrap().to_string();
            let port = a.port.to_string();
            let mut args = vec![
                "profile",
                "add",
                "soak",
                "--backend",
                "postgres",
                "--host",
                &a.host,
                "--port",
                &port,
                "--database",
                &database,
                "--user",
                &a.user,
            ];
            let stdin = format!("{}\n", a.password);
            if a.password.is_empty() {
                args.push("--no-password");
            } else {
                args.push("--password-stdin");
            }
            cli.ok(&args, Some(&stdin));
        }
    }
    // Each message takes 150 ms at the server: a batch of 10 takes 1.5 s,
    // longer than the 1 s lease.
    let server = SmtpServer::start(&["--delay-ms", "150"]);
    cli.loopback_mail("soak", server.port, &["--rate", "1000"]);
    cli.password = Some("backoffice-demo".into());
    let base = ["--profile", "soak", "--operator", "support"];
    let ids: Vec<String> = (1..=MESSAGES).map(|i| i.to_string()).collect();
    let ids = ids.join(",");
    let bulk = with(
        &base,
        &[
            "notify",
            "bulk",
            "support_message",
            "--subject",
            "Maintenance",
            "--message",
            "Down on Sunday.",
            "--yes",
            "--json",
            "--users",
            &ids,
        ],
    );
    let queued: Value = serde_json::from_str(&cli.ok(&bulk, None)).unwrap();
    assert_eq!(queued["queued"], MESSAGES, "{queued}");

    let dispatcher = |cli: &Cli| -> Child {
        cli.command(&with(
            &base,
            &[
                "outbox",
                "dispatch",
                "--watch",
                "--connections",
                "3",
                "--batch",
                "10",
                "--lease-seconds",
                "1",
            ],
        ))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
    };
    let seed = std::env::var("SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_u64 + backend as u64);
    println!("soak on {backend:?} with SOAK_SEED={seed}");
    let mut rng = Lcg(seed);
    let mut running: Vec<Child> = (0..3).map(|_| dispatcher(&cli)).collect();
    let start = Instant::now();
    let mut kills = 0;
    while start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(300 + rng.below(1200)));
        let victim = rng.below(running.len() as u64) as usize;
        running[victim].kill().unwrap(); // SIGKILL: no clean-up runs
        running[victim].wait().unwrap();
        kills += 1;
        running[victim] = dispatcher(&cli);
    }
    // Left alone, the survivors settle every lease and send the rest.
    let settled = |messages: &[Value]| {
        messages
            .iter()
            .all(|m| m["status"] != "queued" && m["status"] != "sending")
    };
    let deadline = Instant::now() + Duration::from_secs(40);
    let mut after = outbox(&cli, &base);
    while !settled(&after) {
        assert!(
            Instant::now() < deadline,
            "the outbox did not settle: {:?}",
            after.iter().map(|m| &m["status"]).collect::<Vec<_>>()
        );
        std::thread::sleep(Duration::from_millis(500));
        after = outbox(&cli, &base);
    }
    for mut child in running {
        child.kill().unwrap();
        child.wait().unwrap();
    }
    assert!(kills >= 10, "killed only {kills} times");
    assert_eq!(after.len(), MESSAGES);

    let arrivals = |server: &SmtpServer| {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for r in server.received() {
            *seen.entry(r.message_id.clone()).or_default() += 1;
        }
        seen
    };
    let arrived = |seen: &HashMap<String, usize>, m: &Value| {
        let uid = m["uid"].as_str().unwrap();
        seen.iter()
            .find(|(k, _)| k.contains(uid))
            .map_or(0, |(_, n)| *n)
    };
    let seen = arrivals(&server);
    let mut uncertain = Vec::new();
    for m in &after {
        let n = arrived(&seen, m);
        match m["status"].as_str().unwrap() {
            "sent" => assert_eq!(n, 1, "a sent message arrived {n} times: {m}"),
            "uncertain" => uncertain.push(m["id"].to_string()),
            // Seeded addresses include planted invalid ones.
            "failed" => {
                assert!(
                    m["last_error"].as_str().unwrap().contains("not valid"),
                    "{m}"
                );
                assert_eq!(n, 0, "{m}");
            }
            other => panic!("unexpected status {other}: {m}"),
        }
        assert!(
            n <= 1 || m["status"] == "uncertain",
            "twice and not uncertain: {m}"
        );
    }
    println!(
        "{kills} kills; {} sent, {} uncertain",
        after.iter().filter(|m| m["status"] == "sent").count(),
        uncertain.len()
    );

    // An operator retries the uncertain messages that did not arrive; then
    // every message that can be delivered has arrived.
    let admin = ["--profile", "soak", "--operator", "admin"];
    for m in after.iter().filter(|m| m["status"] == "uncertain") {
        if arrived(&seen, m) == 0 {
            let id = m["id"].to_string();
            cli.ok(
                &with(
                    &admin,
                    &["outbox", "retry", &id, "--reason", "never arrived"],
                ),
                None,
            );
        }
    }
    cli.ok(&with(&base, &["outbox", "dispatch", "--once"]), None);
    let seen = arrivals(&server);
    for m in outbox(&cli, &base)
        .iter()
        .filter(|m| m["status"] != "failed")
    {
        assert!(arrived(&seen, m) >= 1, "never delivered: {m}");
    }
}

#[test]
fn killed_dispatchers_never_send_twice_on_sqlite() {
    soak(Backend::Sqlite);
}

#[test]
fn killed_dispatchers_never_send_twice_on_postgres() {
    soak(Backend::Postgres);
}
