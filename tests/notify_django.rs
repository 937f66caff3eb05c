//! Account emails to a Django + allauth back end (made by their own
//! migrations) carry links Django and allauth themselves accept: a password
//! reset Django's `default_token_generator` checks, and an address
//! confirmation allauth's own view confirms. Both are refused once used and
//! once expired, and a wrong or missing SECRET_KEY is caught before
//! anything is queued.

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
use common::mapped::{django_user, operators};
use common::notify::{quick, settings};
use serde_json::Value;

/// shop/settings.py's SECRET_KEY.
const SECRET: &str = "fixture-only-not-a-secret";

fn check(t: &TestDb, args: &[&str]) -> Value {
    t.framework_script("django", "check_link.py", args)
}

/// The link to the shop in a received message's text.
fn link_in(text: &str) -> String {
    let start = text.find("https://shop.example/").expect("a link");
    text[start..].split_whitespace().next().unwrap().to_string()
}

fn policy(links: &Arc<BackendLinks>, server: &SmtpServer) -> Policy {
    Policy {
        backend: Some(links.clone()),
        ..Policy::from(&settings(server))
    }
}

async fn refused(ctx: &Ctx<'_>, policy: &Policy, trigger: Trigger) -> String {
    notify::send(ctx, policy, trigger)
        .await
        .expect_err("refused")
        .to_string()
}

async fn django_and_allauth_accept_the_links(backend: Backend) {
    let t = TestDb::fixture(backend, "django").await;
    // Carol signs in through Django: a signed session, and a last login
    // with microseconds, which the reset token covers to the second.
    check(&t, &["sign-in", "carol"]);
    let (db, _admin, support) = operators(&t).await;
    let m = detect(&db).await.unwrap().mapping;
    assert!(matches!(
        m.link("password_reset"),
        Some(Link::DjangoReset { .. })
    ));
    assert!(matches!(
        m.link("verify_email"),
        Some(Link::AllauthConfirm { .. })
    ));
    let server = SmtpServer::start(&[]);
    let mail = settings(&server);
    let ctx = Ctx::new(&db, &support);
    let (carol, bob, ada, dave) = (
        django_user(&t, "carol").await,
        django_user(&t, "bob").await,
        django_user(&t, "ada").await,
        django_user(&t, "dave").await,
    );
    let outbox = || t.scalar("SELECT COUNT(*) FROM backoffice_outbox");

    // Refused before anything is queued: no secret, a wrong one (Carol's
    // session is not signed with it), an address already verified, a
    // disabled account, an order email.
    let none = policy(&BackendLinks::new(m.clone(), None), &server);
    let why = refused(&ctx, &none, Trigger::new(Template::PasswordReset, carol)).await;
    assert!(why.contains("backend-secret"), "{why}");
    let wrong = policy(
        &BackendLinks::new(m.clone(), Some(Secret::new("not-the-key"))),
        &server,
    );
    let why = refused(&ctx, &wrong, Trigger::new(Template::PasswordReset, carol)).await;
    assert!(why.contains("does not sign"), "{why}");
    let links = BackendLinks::new(m.clone(), Some(Secret::new(SECRET)));
    let right = policy(&links, &server);
    let why = refused(&ctx, &right, Trigger::new(Template::VerifyEmail, ada)).await;
    assert!(why.contains("already verified"), "{why}");
    let why = refused(&ctx, &right, Trigger::new(Template::PasswordReset, dave)).await;
    assert!(why.contains("disabled"), "{why}");
    let order = Trigger {
        order: Some("1".into()),
        ..Trigger::new(Template::OrderStatus, carol)
    };
    assert!(refused(&ctx, &right, order).await.contains("order"));
    assert_eq!(outbox().await, 0);

    // The preview shows the back end's own path.
    let preview = notify::preview(&ctx, &right, Trigger::new(Template::PasswordReset, carol))
        .await
        .unwrap();
    assert!(
        preview
            .text
            .contains("https://shop.example/accounts/reset/{uid}/{token}/"),
        "{}",
        preview.text
    );

    for (template, user) in [
        (Template::PasswordReset, carol),
        (Template::VerifyEmail, bob),
    ] {
        let sent = notify::send(&ctx, &right, Trigger::new(template, user))
            .await
            .unwrap();
        assert!(matches!(sent, Triggered::Queued { .. }));
    }
    let d = Dispatcher::new(&ctx, mail.clone(), None, quick())
        .unwrap()
        .for_backend(links.clone());
    let report = d.run_once(&CancelToken::new(), &|_| {}).await.unwrap();
    assert_eq!(report.sent, 2, "{report:?}");
    let received = server.wait_for(2, Duration::from_secs(10));
    let text_to = |to: &str| {
        received
            .iter()
            .find(|r| r.to.to_lowercase().contains(&to.to_lowercase()))
            .map(|r| r.text.clone())
            .unwrap_or_else(|| {
                panic!(
                    "no message to {to} in {:?}",
                    received.iter().map(|r| &r.to).collect::<Vec<_>>()
                )
            })
    };

    // Django's token generator accepts the reset link; three days on (its
    // PASSWORD_RESET_TIMEOUT) it does not; once the password is set, the
    // same link is refused.
    let text = text_to("carol@example.com");
    assert!(text.contains("expires in 3 days"), "{text}");
    let reset = link_in(&text);
    assert!(reset.starts_with("https://shop.example/accounts/reset/"));
    assert_eq!(
        check(&t, &["reset", &reset, "--days", "4"])["accepted"],
        false
    );
    let used = check(&t, &["reset", &reset, "--use"]);
    assert_eq!(
        (&used["accepted"], &used["user"]),
        (&Value::Bool(true), &"carol".into())
    );
    assert_eq!(check(&t, &["reset", &reset])["accepted"], false);

    // allauth confirms Bob's address through its own view, not after
    // ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS, and not a second time.
    let confirm = link_in(&text_to("Bob@Example.com"));
    assert!(confirm.starts_with("https://shop.example/accounts/confirm-email/"));
    assert_eq!(
        check(&t, &["confirm", &confirm, "--days", "4"])["accepted"],
        false
    );
    let done = check(&t, &["confirm", &confirm, "--use"]);
    assert_eq!(done["accepted"], true, "{done}");
    assert_eq!(done["email"], "bob@example.com");
    assert_eq!(done["verified"], true, "{done}");
    assert_eq!(done["status"], 302, "{done}");
    assert_eq!(check(&t, &["confirm", &confirm])["accepted"], false);

    // The secret and the links are in no table the console writes.
    for query in [
        "SELECT vars_json FROM backoffice_outbox",
        "SELECT COALESCE(after_json, '') FROM backoffice_audit_log",
    ] {
        let rows = t.texts(query).await.join("\n");
        assert!(!rows.contains(SECRET), "{query}: {rows}");
        assert!(!rows.contains("/accounts/"), "{query}: {rows}");
    }
}

each_backend! {
    links => django_and_allauth_accept_the_links,
}
