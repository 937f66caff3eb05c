//! Bulk notifications on each backend: the preview counts recipients and
//! those already asked, a cancel before the first chunk queues nothing, the
//! send queues the rest with progress and one audit entry, and order
//! audiences report the ids that do not exist.

mod common;

use backoffice_core::db::Backend;
use backoffice_core::notify::{self, Audience, Policy, Template, Trigger};
use backoffice_core::progress::{CancelToken, Progress};
use backoffice_core::session::Ctx;
use backoffice_testkit::each_backend;
use common::notify::queue;
use common::shop::shop;
use common::{console, now, U};

async fn bulk_reminder_counts_skips_and_cancels(backend: Backend) {
    let c = console(backend).await;
    shop(&c.t).await;
    for id in 30..36 {
        let mut u = U::new(id, "", "Late");
        u.email = Box::leak(format!("late{id}@example.com").into_boxed_str());
        u.verified = None;
        u.insert(&c.t).await;
    }
    let ctx = Ctx::at(&c.db, &c.support, now());
    queue(&ctx, Trigger::new(Template::VerifyEmail, 31)).await;
    let audience = Audience::Unverified { days: 7 };
    let policy = Policy {
        link_base: Some("https://shop.example".into()),
        ..Policy::default()
    };
    let preview = notify::bulk_preview(&ctx, &policy, Template::VerifyEmail, &audience, None)
        .await
        .unwrap();
    // Users 3 and 30..35 are unverified; 31 was just asked.
    assert_eq!(
        (preview.recipients, preview.already_sent, preview.to_queue),
        (7, 1, 6)
    );
    let sample = preview.sample.expect("a sample");
    assert!(
        sample
            .text
            .contains("https://shop.example/verify-email?token="),
        "{}",
        sample.text
    );

    let cancel = CancelToken::new();
    cancel.cancel();
    let report = notify::bulk_queue(
        &ctx,
        &policy,
        Template::VerifyEmail,
        &audience,
        None,
        None,
        &|_: Progress| {},
        &cancel,
    )
    .await
    .unwrap();
    assert!(report.cancelled);
    assert_eq!(report.queued, 0);

    let seen = std::sync::Mutex::new(Vec::new());
    let progress = |p: Progress| seen.lock().unwrap().push(p.done);
    let report = notify::bulk_queue(
        &ctx,
        &policy,
        Template::VerifyEmail,
        &audience,
        None,
        Some("reminder"),
        &progress,
        &CancelToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(
        (report.queued, report.skipped, report.refused),
        (6, 1, 0),
        "{report:?}"
    );
    assert_eq!(seen.lock().unwrap().last(), Some(&7));
    assert_eq!(
        c.t.scalar("SELECT COUNT(*) FROM backoffice_outbox").await,
        7
    );
    assert_eq!(
        c.t.scalar("SELECT COUNT(*) FROM backoffice_audit_log WHERE action = 'notify.bulk'")
            .await,
        1
    );
    // Orders: one message per order, missing ids reported.
    let orders = Audience::Orders {
        ids: vec![3, 4, 404],
    };
    let report = notify::bulk_queue(
        &ctx,
        &policy,
        Template::OrderShipped,
        &orders,
        None,
        None,
        &|_: Progress| {},
        &CancelToken::new(),
    )
    .await
    .unwrap();
    assert_eq!((report.queued, report.refused), (2, 1), "{report:?}");
    assert!(report.refusals[0].contains("404"));
}

each_backend! {
    bulk => bulk_reminder_counts_skips_and_cancels,
}
