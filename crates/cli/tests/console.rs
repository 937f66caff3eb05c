//! Operators, users and the audit log through the `backoffice` binary.

mod common;

use common::Cli;

#[test]
fn operators_users_and_audit_from_the_command_line() {
    let mut cli = Cli::new();
    let path = cli.data.path().join("console.db");
    let url = format!("sqlite:{}", path.display());
    cli.ok(
        &["--db", &url, "seed", "--users", "300", "--orders", "300"],
        None,
    );
    // The console has operators now: adding one needs an admin's sign-in.
    let out = cli.run(
        &[
            "--db",
            &url,
            "operator",
            "add",
            "eve",
            "--role",
            "support",
            "--password-stdin",
        ],
        Some("a long enough password\n"),
    );
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    cli.password = Some("backoffice-demo".into());
    let added = cli.ok(
        &[
            "--db",
            &url,
            "--operator",
            "admin",
            "operator",
            "add",
            "eve",
            "--role",
            "support",
            "--password-stdin",
        ],
        Some("a long enough password\n"),
    );
    assert!(added.contains("added operator 'eve' (support)"), "{added}");

    // Support searches: a page of masked addresses and the capped total.
    let page = cli.ok(
        &[
            "--db",
            &url,
            "--operator",
            "support",
            "users",
            "search",
            "--limit",
            "5",
            "--json",
        ],
        None,
    );
    let page: serde_json::Value = serde_json::from_str(&page).unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 5);
    assert_eq!(page["total"]["count"], 300);
    assert!(page["items"][0]["email"].as_str().unwrap().contains("•••"));
    let next = page["next"].as_str().unwrap().to_string();
    let page2 = cli.ok(
        &[
            "--db",
            &url,
            "--operator",
            "support",
            "users",
            "search",
            "--after",
            &next,
            "--json",
        ],
        None,
    );
    let page2: serde_json::Value = serde_json::from_str(&page2).unwrap();
    assert_ne!(page2["items"][0]["id"], page["items"][0]["id"]);
    // CSV is the whole result, not a page.
    let csv = cli.ok(
        &[
            "--db",
            &url,
            "--operator",
            "admin",
            "users",
            "search",
            "--format",
            "csv",
        ],
        None,
    );
    assert_eq!(csv.lines().count(), 301);

    // The card, then an action at the version it showed.
    let card = cli.ok(
        &[
            "--db",
            &url,
            "--operator",
            "support",
            "users",
            "show",
            "1",
            "--json",
        ],
        None,
    );
    let card: serde_json::Value = serde_json::from_str(&card).unwrap();
    assert!(!card["diagnosis"].as_array().unwrap().is_empty());
    let version = card["user"]["version"].as_i64().unwrap().to_string();
    let status = card["user"]["status"].as_str().unwrap().to_string();
    let (verb, args): (&str, Vec<&str>) = if status == "locked" {
        ("unlock", vec![])
    } else {
        ("lock", vec!["--reason", "phoned in", "--until", "2h"])
    };
    let mut cmd = vec![
        "--db",
        &url,
        "--operator",
        "support",
        "users",
        verb,
        "1",
        "--version",
        &version,
    ];
    cmd.extend(args.iter());
    let done = cli.ok(&cmd, None);
    assert!(done.contains("user 1 is now"), "{done}");
    // The same version again is a conflict (exit 4), in one line.
    let (code, err) = cli.fails(&cmd);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("changed by someone else"), "{err}");
    // Support may not change emails (exit 5).
    let (code, _) = cli.fails(&[
        "--db",
        &url,
        "--operator",
        "support",
        "users",
        "set-email",
        "1",
        "x@example.com",
        "--version",
        "99",
    ]);
    assert_eq!(code, 5);

    let verified = cli.ok(
        &["--db", &url, "--operator", "admin", "audit", "verify"],
        None,
    );
    assert!(
        verified.contains("audit log intact: 2 entries checked"),
        "{verified}"
    );
    let listed = cli.ok(
        &[
            "--db",
            &url,
            "--operator",
            "admin",
            "audit",
            "list",
            "--entity",
            "user:1",
            "--by",
            "support",
        ],
        None,
    );
    assert!(listed.contains("support"), "{listed}");

    // Wrong password: refused, one line, exit 5.
    cli.password = Some("wrong password!".into());
    let (code, err) = cli.fails(&["--db", &url, "--operator", "admin", "users", "show", "1"]);
    assert_eq!(code, 5);
    assert!(err.contains("wrong operator name or password"), "{err}");
}
