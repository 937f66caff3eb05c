//! Reset emails to Devise and Laravel back ends (their tables transcribed
//! from their migration sources, tests/common/frameworks.rs): the token in
//! the link, and what the console wrote into the back end's own tables, as
//! Devise and Laravel check them (tests/fixtures/tokens.py, code of its
//! own: Devise's PBKDF2 + HMAC digest, pyca's bcrypt for Laravel's hash).

mod common;

use std::sync::Arc;
use std::time::Duration;

use backoffice_core::db::Backend;
use backoffice_core::mapping::detect::detect;
use backoffice_core::mapping::Link;
use backoffice_core::notify::dispatch::Dispatcher;
use backoffice_core::notify::{self, BackendLinks, Policy, Template, Trigger, Triggered};
use backoffice_core::progress::CancelToken;
use backoffice_core::secrets::Secret;
use backoffice_core::session::Ctx;
use backoffice_testkit::smtp::SmtpServer;
use backoffice_testkit::{each_backend, TestDb};
use common::frameworks::{devise_users, laravel_users};
use common::mapped::{last_audit, operators};
use common::notify::{quick, settings};
use common::tokens;

const SECRET_KEY_BASE: &str = "rails-secret-key-base-for-the-tests";

/// Queues `trigger` and sends it: who it went to, and the link in it.
async fn sent_link(ctx: &Ctx<'_>, links: Arc<BackendLinks>, trigger: Trigger) -> (String, String) {
    let server = SmtpServer::start(&[]);
    let mail = settings(&server);
    let policy = Policy {
        backend: Some(links.clone()),
        ..Policy::from(&mail)
    };
    let sent = notify::send(ctx, &policy, trigger).await.unwrap();
    assert!(matches!(sent, Triggered::Queued { .. }), "{sent:?}");
    let d = Dispatcher::new(ctx, mail, None, quick())
        .unwrap()
        .for_backend(links);
    let report = d.run_once(&CancelToken::new(), &|_| {}).await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let got = server.wait_for(1, Duration::from_secs(10)).remove(0);
    let start = got.text.find("https://shop.example/").expect(&got.text);
    let link = got.text[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    (got.to, link)
}

async fn reset_link(ctx: &Ctx<'_>, links: Arc<BackendLinks>) -> String {
    sent_link(ctx, links, Trigger::new(Template::PasswordReset, 1))
        .await
        .1
}

async fn devise_reset_is_stored_as_devise_digests_it(backend: Backend) {
    let t = TestDb::new(backend).await;
    devise_users(&t).await;
    t.exec(
        "INSERT INTO users (email, created_at, updated_at) \
         VALUES ('ana@example.com', '2026-01-01 10:00:00', '2026-01-01 10:00:00')",
    )
    .await;
    let (db, _admin, support) = operators(&t).await;
    let ctx = Ctx::new(&db, &support);
    let m = detect(&db).await.unwrap().mapping;
    assert!(matches!(
        m.link("password_reset"),
        Some(Link::DeviseReset { .. })
    ));
    // Without secret_key_base: refused before anything is queued.
    let policy = Policy {
        backend: Some(BackendLinks::new(m.clone(), None)),
        ..Policy::default()
    };
    let why = notify::send(&ctx, &policy, Trigger::new(Template::PasswordReset, 1))
        .await
        .unwrap_err()
        .to_string();
    assert!(why.contains("secret_key_base"), "{why}");
    let links = BackendLinks::new(m, Some(Secret::new(SECRET_KEY_BASE)));
    let link = reset_link(&ctx, links.clone()).await;
    let raw = link
        .strip_prefix("https://shop.example/users/password/edit?reset_password_token=")
        .expect(&link);
    assert_eq!(raw.len(), 20, "{raw}");
    let stored = t
        .texts("SELECT reset_password_token FROM users WHERE id = 1")
        .await
        .remove(0);
    assert!(tokens(&[
        "devise",
        SECRET_KEY_BASE,
        "reset_password_token",
        &stored,
        raw
    ]));
    assert!(!tokens(&[
        "devise",
        "another secret",
        "reset_password_token",
        &stored,
        raw
    ]));
    // Sent and saved just now, as Recoverable does.
    for c in ["reset_password_sent_at", "updated_at"] {
        let sql = format!("SELECT COUNT(*) FROM users WHERE id = 1 AND {c} > '2026-06-01'");
        assert_eq!(t.scalar(&sql).await, 1, "{c}");
    }
    let (entry, after) = last_audit(&t).await;
    assert_eq!(entry, "notify.reset_token 1");
    assert!(after.contains("users.reset_password_token"), "{after}");
    assert!(!after.contains(raw), "{after}");

    // Confirmation: the token Confirmable finds the user by, saved with
    // the time sent; sent again, the same token, as Devise resends it.
    let (_, link) = sent_link(&ctx, links.clone(), Trigger::new(Template::VerifyEmail, 1)).await;
    let token = link
        .strip_prefix("https://shop.example/users/confirmation?confirmation_token=")
        .expect(&link)
        .to_string();
    let stored = t
        .texts("SELECT confirmation_token FROM users WHERE id = 1")
        .await;
    assert_eq!(stored, std::slice::from_ref(&token));
    let sql = "SELECT COUNT(*) FROM users WHERE id = 1 AND confirmation_sent_at > '2026-06-01'";
    assert_eq!(t.scalar(sql).await, 1);
    let again = Trigger {
        force: true,
        reason: Some("the customer lost it".into()),
        ..Trigger::new(Template::VerifyEmail, 1)
    };
    let (_, link) = sent_link(&ctx, links.clone(), again).await;
    assert!(link.ends_with(&token), "{link}");
    // Reconfirmable: a confirmed user's new address gets the link.
    t.exec(
        "INSERT INTO users (email, confirmed_at, unconfirmed_email, created_at, updated_at) \
         VALUES ('bo@example.com', '2026-01-02 10:00:00', 'bo.new@example.com', \
         '2026-01-01 10:00:00', '2026-01-01 10:00:00')",
    )
    .await;
    let (to, _) = sent_link(&ctx, links, Trigger::new(Template::VerifyEmail, 2)).await;
    assert!(to.contains("bo.new@example.com"), "{to}");
}

async fn laravel_reset_is_stored_as_laravel_hashes_it(backend: Backend) {
    let t = TestDb::new(backend).await;
    laravel_users(&t).await;
    t.exec(
        "INSERT INTO users (name, email, password, created_at, updated_at) \
         VALUES ('Lena', 'lena+shop@example.com', 'x', '2026-01-01 10:00:00', '2026-01-01 10:00:00')",
    )
    .await;
    // An earlier token of hers, which the new one replaces.
    t.exec(
        "INSERT INTO password_reset_tokens (email, token, created_at) \
         VALUES ('lena+shop@example.com', 'old-hash', '2026-01-01 10:00:00')",
    )
    .await;
    let (db, _admin, support) = operators(&t).await;
    let ctx = Ctx::new(&db, &support);
    let m = detect(&db).await.unwrap().mapping;
    assert!(matches!(
        m.link("password_reset"),
        Some(Link::LaravelReset { .. })
    ));
    // Laravel's token is random and kept hashed: no secret is needed.
    let link = reset_link(&ctx, BackendLinks::new(m, None)).await;
    let rest = link
        .strip_prefix("https://shop.example/reset-password/")
        .expect(&link);
    let (token, email) = rest.split_once("?email=").expect(rest);
    assert_eq!(email, "lena%2Bshop%40example.com");
    assert_eq!(token.len(), 64);
    let rows = t
        .texts("SELECT token FROM password_reset_tokens WHERE email = 'lena+shop@example.com'")
        .await;
    assert_eq!(rows.len(), 1, "the earlier token is replaced");
    assert!(rows[0].starts_with("$2y$12$"), "{}", rows[0]);
    assert!(tokens(&["laravel", token, &rows[0]]));
    assert!(!tokens(&["laravel", "0123", &rows[0]]));
    let recent = t
        .scalar("SELECT COUNT(*) FROM password_reset_tokens WHERE created_at > '2026-06-01'")
        .await;
    assert_eq!(recent, 1);
    let (entry, _) = last_audit(&t).await;
    assert_eq!(entry, "notify.reset_token 1");
}

each_backend! {
    devise => devise_reset_is_stored_as_devise_digests_it,
    laravel => laravel_reset_is_stored_as_laravel_hashes_it,
}
