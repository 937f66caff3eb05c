//! Order emails to a django-oscar shop's customers (made by Oscar's own
//! migrations and models), told from the mapped fields: Oscar's order
//! number, status word, lines and total read exactly, sent to the user or
//! the guest's address; and the story lists what was sent.

mod common;

use std::time::Duration;

use backoffice_core::db::Backend;
use backoffice_core::mapping::detect::detect;
use backoffice_core::notify::dispatch::Dispatcher;
use backoffice_core::notify::{
    self, Audience, BackendLinks, FreeForm, Policy, Template, Trigger, Triggered,
};
use backoffice_core::orders::mapped::story::show;
use backoffice_core::progress::CancelToken;
use backoffice_core::session::Ctx;
use backoffice_testkit::smtp::SmtpServer;
use backoffice_testkit::{each_backend, TestDb};
use common::mapped::operators;
use common::notify::{quick, settings};

fn about(template: Template, order: i64) -> Trigger {
    Trigger {
        template,
        user: None,
        order: Some(order.to_string()),
        message: None,
        key: None,
        force: false,
        reason: None,
    }
}

async fn oscar_order_emails_read_as_the_shop_keeps_them(backend: Backend) {
    let t = TestDb::fixture(backend, "oscar").await;
    let (db, _admin, support) = operators(&t).await;
    let m = detect(&db).await.unwrap().mapping;
    let server = SmtpServer::start(&[]);
    let mail = settings(&server);
    let policy = Policy {
        backend: Some(BackendLinks::new(m.clone(), None)),
        ..Policy::from(&mail)
    };
    let ctx = Ctx::new(&db, &support);

    // Refused before anything is queued: a shipped email about an order
    // Oscar's lifecycle does not count as shipped, an order that is not
    // the user's, an order that does not exist.
    let why = notify::send(&ctx, &policy, about(Template::OrderShipped, 100001))
        .await
        .unwrap_err()
        .to_string();
    assert!(why.contains("it is Pending"), "{why}");
    let carol_id: i64 = t
        .texts(&format!(
            "SELECT CAST(id AS {}) FROM auth_user WHERE username = 'carol'",
            if backend == Backend::Mysql {
                "CHAR"
            } else {
                "TEXT"
            }
        ))
        .await[0]
        .parse()
        .unwrap();
    let not_hers = Trigger {
        user: Some(carol_id.to_string()),
        ..about(Template::OrderStatus, 100001)
    };
    let why = notify::send(&ctx, &policy, not_hers)
        .await
        .unwrap_err()
        .to_string();
    assert!(why.contains("is not user"), "{why}");
    let why = notify::send(&ctx, &policy, about(Template::OrderStatus, 999999))
        .await
        .unwrap_err()
        .to_string();
    assert!(why.contains("no order"), "{why}");
    assert_eq!(t.scalar("SELECT COUNT(*) FROM backoffice_outbox").await, 0);

    // Ada's order, and a guest's shipped one.
    for (template, order) in [
        (Template::OrderStatus, 100001),
        (Template::OrderShipped, 100003),
    ] {
        let sent = notify::send(&ctx, &policy, about(template, order))
            .await
            .unwrap();
        assert!(matches!(sent, Triggered::Queued { .. }), "{sent:?}");
    }
    // A repeat is answered, not queued.
    let again = notify::send(&ctx, &policy, about(Template::OrderStatus, 100001))
        .await
        .unwrap();
    assert!(matches!(again, Triggered::AlreadySent(_)));

    let d = Dispatcher::new(&ctx, mail.clone(), None, quick()).unwrap();
    let report = d.run_once(&CancelToken::new(), &|_| {}).await.unwrap();
    assert_eq!(report.sent, 2, "{report:?}");
    let received = server.wait_for(2, Duration::from_secs(10));
    let to = |who: &str| {
        received
            .iter()
            .find(|r| r.to.contains(who))
            .unwrap_or_else(|| panic!("nothing to {who}"))
    };
    let status = to("ada@example.com");
    assert_eq!(status.subject, "Your order #100001 is now Pending");
    for line in [
        "2 x Breakfast tea  9.00 GBP",
        "1 x Enamel mug  12.00 GBP",
        "Total: 24.95 GBP",
    ] {
        assert!(status.text.contains(line), "{line} in {}", status.text);
    }
    let shipped = to("guest@example.org");
    assert!(shipped.text.contains("#100003"), "{}", shipped.text);
    assert!(shipped.text.contains("2 x Enamel mug"), "{}", shipped.text);

    // The story says the customer was told.
    let story = show(&ctx, &m, "100001").await.unwrap();
    assert_eq!(story.notifications.len(), 1);
    assert_eq!(story.notifications[0].template, "order_status");
    assert!(story
        .timeline
        .iter()
        .any(|e| e.kind == "email" && e.text.starts_with("order_status to ")));
    let guest = show(&ctx, &m, "100003").await.unwrap();
    assert_eq!(guest.notifications[0].template, "order_shipped");

    // In bulk: the customers of these orders (100001 was told already, no
    // order 999999), and the accounts allauth has not verified (Bob, and
    // ada2 with no address row; Dave is disabled).
    let orders = Audience::Orders {
        ids: vec![100001, 100003, 999999],
    };
    let p = notify::bulk_preview(&ctx, &policy, Template::OrderStatus, &orders, None)
        .await
        .unwrap();
    assert_eq!(
        (p.recipients, p.already_sent, p.to_queue, p.missing.clone()),
        (2, 1, 1, vec![999999])
    );
    let sample = p.sample.expect("a sample");
    assert!(sample.text.contains("#100003"), "{}", sample.text);
    let report = notify::bulk_queue(
        &ctx,
        &policy,
        Template::OrderStatus,
        &orders,
        None,
        Some("stock update"),
        &|_| {},
        &CancelToken::new(),
    )
    .await
    .unwrap();
    assert_eq!((report.queued, report.skipped, report.refused), (1, 1, 1));
    let note = FreeForm {
        subject: "Your account".into(),
        body: "Please confirm your address.".into(),
    };
    let unverified = Audience::Unverified { days: 0 };
    let p = notify::bulk_preview(
        &ctx,
        &policy,
        Template::SupportMessage,
        &unverified,
        Some(&note),
    )
    .await
    .unwrap();
    assert_eq!(p.recipients, 2, "{p:?}");
}

each_backend! {
    orders => oscar_order_emails_read_as_the_shop_keeps_them,
}
