//! A Django back end's secrets through the command line: its SECRET_KEY,
//! checked against the back end's own signed sessions before it goes to the
//! OS keychain, then used for a reset email whose link Django's token
//! generator accepts and a verification allauth's confirmation accepts;
//! and its webhook's secret, kept in the keychain only.

mod common;

use backoffice_core::db::Backend;
use backoffice_testkit::smtp::SmtpServer;
use backoffice_testkit::TestDb;
use common::Cli;

/// `--profile NAME --operator alice` before `rest`.
fn as_alice<'a>(name: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    [&["--profile", name, "--operator", "alice"][..], rest].concat()
}

/// The Django fixture attached, its mapping detected and written, an admin
/// `alice`, and a profile of a unique name (the keychain is shared by
/// every test); the profile's name, the mapping file and Ada's key.
async fn django_profile(t: &TestDb, cli: &mut Cli, prefix: &str) -> (String, String, String) {
    let db = t.url.as_str();
    cli.ok(&["--db", db, "attach"], None);
    let mapping = cli.data.path().join("shop.toml");
    let mapping = mapping.to_str().unwrap().to_string();
    cli.ok(&["--db", db, "schema", "detect", "--write", &mapping], None);
    cli.sign_in_as_new_admin(db, "alice");
    let name = format!("{prefix}-{}", std::process::id());
    let file = db.trim_start_matches("sqlite:");
    let add = [
        "profile",
        "add",
        &name,
        "--backend",
        "sqlite",
        "--database",
        file,
        "--mapping",
        &mapping,
    ];
    cli.ok(&add, None);
    let ada = t
        .scalar("SELECT id FROM auth_user WHERE username = 'ada'")
        .await
        .to_string();
    (name, mapping, ada)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checked_secret_in_the_keychain_makes_links_django_accepts() {
    let t = TestDb::fixture(Backend::Sqlite, "django").await;
    // A signed session for the secret to be checked against.
    t.framework_script("django", "check_link.py", &["sign-in", "ada"]);
    let mut cli = Cli::new();
    let (name, _, ada) = django_profile(&t, &mut cli, "django-links").await;
    let server = SmtpServer::start(&[]);
    cli.loopback_mail(&name, server.port, &["--rate", "1000"]);
    let send = as_alice(&name, &["notify", "send", "password_reset", "--user", &ada]);

    // No secret yet: refused before anything is queued, saying how.
    let (code, err) = cli.fails(&send);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("backend-secret"), "{err}");
    // A wrong secret signs none of the back end's sessions: not stored.
    let secret = ["profile", "backend-secret", &name, "--stdin"];
    let out = cli.run(&secret, Some("not-the-key\n"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nothing was stored"), "{err}");
    let (code, _) = cli.fails(&send);
    assert_eq!(code, 2);
    // The right one is checked, stored, and never written to the profile.
    let out = cli.ok(&secret, Some("fixture-only-not-a-secret\n"));
    assert!(out.contains("it signs the back end's sessions"), "{out}");
    let profiles = std::fs::read_to_string(cli.config.path().join("profiles.toml")).unwrap();
    assert!(!profiles.contains("fixture-only"), "{profiles}");

    let out = cli.ok(&send, None);
    assert!(out.contains("queued message"), "{out}");
    let dispatch = as_alice(&name, &["outbox", "dispatch"]);
    let out = cli.ok(&dispatch, None);
    assert!(out.contains("sent 1"), "{out}");
    let received = server.wait_for(1, std::time::Duration::from_secs(10));
    let text = &received[0].text;
    let start = text
        .find("https://shop.example/accounts/reset/")
        .expect(text);
    let link = text[start..].split_whitespace().next().unwrap();
    let verdict = t.framework_script("django", "check_link.py", &["reset", link]);
    assert_eq!(verdict["accepted"], true, "{verdict}");
    assert_eq!(verdict["user"], "ada");

    // And Bob's verification, whose link allauth's own confirmation
    // accepts.
    let bob = t
        .scalar("SELECT id FROM auth_user WHERE username = 'bob'")
        .await
        .to_string();
    let verify = as_alice(&name, &["notify", "send", "verify_email", "--user", &bob]);
    let out = cli.ok(&verify, None);
    assert!(out.contains("queued message"), "{out}");
    let out = cli.ok(&dispatch, None);
    assert!(out.contains("sent 1"), "{out}");
    let received = server.wait_for(2, std::time::Duration::from_secs(10));
    let to_bob = received
        .iter()
        .find(|r| r.to.to_lowercase().contains("bob@example.com"))
        .expect("a message to Bob");
    let text = &to_bob.text;
    let start = text
        .find("https://shop.example/accounts/confirm-email/")
        .expect(text);
    let link = text[start..].split_whitespace().next().unwrap();
    let verdict = t.framework_script("django", "check_link.py", &["confirm", link]);
    assert_eq!(verdict["accepted"], true, "{verdict}");

    cli.ok(&["profile", "remove", &name], None);
}

/// A webhook's secret goes to the keychain only; until it is there, a
/// message the webhook is to send is refused before anything is queued.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_secret_is_kept_in_the_keychain_only() {
    let t = TestDb::fixture(Backend::Sqlite, "django").await;
    let mut cli = Cli::new();
    let (name, mapping, ada) = django_profile(&t, &mut cli, "django-webhook").await;
    let mut toml = std::fs::read_to_string(&mapping).unwrap();
    toml.push_str("\n[sends.password_reset]\nby = \"webhook\"\npath = \"/hooks/send/\"\n");
    std::fs::write(&mapping, toml).unwrap();
    let send = as_alice(&name, &["notify", "send", "password_reset", "--user", &ada]);
    let (code, err) = cli.fails(&send);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("profile webhook-secret"), "{err}");

    let secret = ["profile", "webhook-secret", &name, "--stdin"];
    let out = cli.ok(&secret, Some("webhook-secret-of-the-shop\n"));
    assert!(out.contains("stored the webhook secret"), "{out}");
    let profiles = std::fs::read_to_string(cli.config.path().join("profiles.toml")).unwrap();
    assert!(profiles.contains("webhook_secret = true"), "{profiles}");
    assert!(
        !profiles.contains("webhook-secret-of-the-shop"),
        "{profiles}"
    );
    let out = cli.ok(&send, None);
    assert!(out.contains("queued message"), "{out}");

    // Removed: refused again.
    cli.ok(&["profile", "webhook-secret", &name, "--delete"], None);
    let (code, _) = cli.fails(&send);
    assert_eq!(code, 2);
    cli.ok(&["profile", "remove", &name], None);
}
