//! The back end sends its own email through a webhook it exposes, signed
//! with a secret of the profile's: against the Django fixture served by
//! Django itself (shop/hooks.py checks the signature and has allauth send
//! its own reset email), the email arrives once. Without a stored secret
//! nothing is queued; with the wrong one the webhook's refusal is said in
//! words and nothing is marked sent.

mod common;

use std::time::Duration;

use backoffice_core::db::Backend;
use backoffice_core::mapping::detect::detect;
use backoffice_core::mapping::{Sends, SendsMap};
use backoffice_core::notify::{self, BackendLinks, OutboxStatus, Policy, Template, Trigger};
use backoffice_core::secrets::Secret;
use backoffice_core::session::Ctx;
use backoffice_testkit::smtp::SmtpServer;
use backoffice_testkit::{each_backend, TestDb};
use common::mapped::{django_user, operators};
use common::notify::{at, dispatch_backend, queue_backend, quick};

const WEBHOOK_SECRET: &str = "fixture-webhook-secret";

async fn django_sends_its_own_reset_when_its_webhook_is_asked(backend: Backend) {
    let t = TestDb::fixture(backend, "django").await;
    let (db, admin, support) = operators(&t).await;
    let smtp = SmtpServer::start(&[]);
    let smtp_port = smtp.port.to_string();
    let site = t.framework_server("django", &[&smtp_port, WEBHOOK_SECRET]);
    let mail = at(&smtp, site.base());
    let mut m = detect(&db).await.unwrap().mapping;
    m.sends = Some(SendsMap {
        password_reset: Some(Sends::Webhook {
            path: "/hooks/send/".into(),
        }),
        verify_email: None,
    });
    let policy_with = |webhook: Option<&str>| {
        let links = BackendLinks::with_webhook(m.clone(), None, webhook.map(Secret::new));
        let policy = Policy {
            backend: Some(links.clone()),
            ..Policy::from(&mail)
        };
        (links, policy)
    };
    let ctx = Ctx::new(&db, &support);
    let (ada, carol) = (django_user(&t, "ada").await, django_user(&t, "carol").await);

    // No secret stored: refused before anything is queued.
    let (_, none) = policy_with(None);
    let why = notify::send(&ctx, &none, Trigger::new(Template::PasswordReset, ada))
        .await
        .unwrap_err()
        .to_string();
    assert!(why.contains("profile webhook-secret"), "{why}");
    assert_eq!(t.scalar("SELECT COUNT(*) FROM backoffice_outbox").await, 0);

    // The right secret: Django sends its own email, with its own link.
    let (links, right) = policy_with(Some(WEBHOOK_SECRET));
    let id = queue_backend(&ctx, &right, Trigger::new(Template::PasswordReset, ada)).await;
    let report = dispatch_backend(&ctx, &mail, &links, quick()).await;
    assert_eq!(report.sent, 1, "{report:?}");
    let received = smtp.wait_for(1, Duration::from_secs(20));
    assert!(
        received[0].to.contains("ada@example.com"),
        "{}",
        received[0].to
    );
    assert!(received[0].from.contains("shop@shop.example"));
    let own_link = format!("{}/accounts/password/reset/key/", site.base());
    assert!(received[0].text.contains(&own_link), "{}", received[0].text);
    let shown = notify::show(&Ctx::new(&db, &admin), id).await.unwrap();
    assert_eq!(shown.message.status, OutboxStatus::Sent);
    let reply = shown.message.smtp_reply.unwrap_or_default();
    assert!(reply.contains("webhook took the request"), "{reply}");

    // The wrong secret: the webhook refuses the signature; failed, in
    // words, and nothing arrives.
    let (links, wrong) = policy_with(Some("not-the-webhook-secret"));
    let id = queue_backend(&ctx, &wrong, Trigger::new(Template::PasswordReset, carol)).await;
    let report = dispatch_backend(&ctx, &mail, &links, quick()).await;
    assert_eq!((report.sent, report.failed), (0, 1), "{report:?}");
    let shown = notify::show(&Ctx::new(&db, &admin), id).await.unwrap();
    assert_eq!(shown.message.status, OutboxStatus::Failed);
    let error = shown.message.last_error.unwrap_or_default();
    assert!(
        error.contains("refused the console's signature (401)"),
        "{error}"
    );
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(smtp.received().len(), 1);
}

each_backend!(
    webhook => django_sends_its_own_reset_when_its_webhook_is_asked,
);
