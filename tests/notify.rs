//! Notifications on each backend, delivered to a real SMTP server on
//! loopback: headers and both parts, HTML escaping, link tokens stored only
//! as hashes, idempotency (a repeat, two operators at once, --force, an
//! explicit key). Bulk sends are in tests/notify_bulk.rs, delivery failures
//! in tests/dispatch.rs.

mod common;

use std::time::Duration;

use backoffice_core::db::Backend;
use backoffice_core::error::ErrorCode;
use backoffice_core::notify::{
    self, tokens, FreeForm, OutboxStatus, Policy, Template, Trigger, Triggered,
};
use backoffice_core::session::Ctx;
use backoffice_core::{orders, users};
use backoffice_testkit::each_backend;
use backoffice_testkit::smtp::SmtpServer;
use chrono::Utc;
use common::notify::{dispatch, queue, quick, settings, status, FROM};
use common::shop::shop;
use common::{console, now};

async fn delivers_both_parts_escaped_with_a_hashed_token(backend: Backend) {
    let c = console(backend).await;
    shop(&c.t).await;
    c.t.exec("UPDATE users SET display_name = '<script>alert(1)</script>' WHERE id = 2")
        .await;
    let server = SmtpServer::start(&[]);
    let ctx = Ctx::at(&c.db, &c.support, now());
    let verify = queue(&ctx, Trigger::new(Template::VerifyEmail, 3)).await;
    let shipped = queue(
        &ctx,
        Trigger {
            order: Some("4".into()),
            ..Trigger::new(Template::OrderShipped, 2)
        },
    )
    .await;
    let note = Trigger {
        message: Some(FreeForm {
            subject: "About your <order>".into(),
            body: "We found it.\n<b>Sorry</b> for the wait.".into(),
        }),
        ..Trigger::new(Template::SupportMessage, 2)
    };
    let preview = notify::preview(&ctx, &Policy::default(), note.clone())
        .await
        .unwrap();
    assert!(
        preview.html.contains("&lt;b&gt;Sorry&lt;&#x2f;b&gt;"),
        "{}",
        preview.html
    );
    assert_eq!(server.received().len(), 0, "a preview sends nothing");
    // Support may not see addresses: previews and the outbox mask them
    // (the email itself carries the real one).
    let asked = notify::preview(
        &ctx,
        &Policy::default(),
        Trigger::new(Template::VerifyEmail, 3),
    )
    .await
    .unwrap();
    assert!(asked.text.contains("A•••@Example.org"), "{}", asked.text);
    assert!(!asked.text.contains("ANNA@Example.org"));
    let support = queue(&ctx, note).await;
    assert_eq!(status(&c, verify).await, OutboxStatus::Queued);

    let report = dispatch(&c, &settings(&server), quick()).await;
    assert_eq!(report.sent, 3, "{report:?}");
    let got = server.wait_for(3, Duration::from_secs(10));
    let v = got
        .iter()
        .find(|m| m.subject == "Confirm your email address")
        .expect("the verification email");
    assert!(v.to.contains("ANNA@Example.org"), "{}", v.to);
    let seen_by_support = notify::show(&Ctx::new(&c.db, &c.support), verify)
        .await
        .unwrap();
    assert_eq!(seen_by_support.message.recipient, "A•••@Example.org");
    assert!(!seen_by_support.rendered.text.contains("ANNA@Example.org"));
    assert!(!seen_by_support
        .message
        .idempotency_key
        .contains("anna@example.org"));
    assert_eq!(v.from, FROM);
    assert_eq!(v.content_type, "multipart/alternative");
    assert!(v.message_id.ends_with("@shop.example>"), "{}", v.message_id);
    let uid = &notify::show(&Ctx::new(&c.db, &c.admin), verify)
        .await
        .unwrap()
        .message
        .uid;
    assert!(v.message_id.contains(uid.as_str()));
    let token = v
        .text
        .split("https://shop.example/verify-email?token=")
        .nth(1)
        .expect("a link in the text part")
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    assert_eq!(token.len(), 43, "32 bytes, base64url: {token}");
    assert!(v.html.contains(&token));
    // Only the hash is stored, and the raw token is nowhere in the database.
    let hashed =
        c.t.scalar(&format!(
            "SELECT COUNT(*) FROM auth_tokens WHERE user_id = 3 AND purpose = 'verify_email' \
             AND token_hash = '{}'",
            tokens::hash(&token)
        ))
        .await;
    assert_eq!(hashed, 1);
    let leaked =
        c.t.scalar(&format!(
            "SELECT COUNT(*) FROM backoffice_outbox WHERE vars_json LIKE '%{token}%'"
        ))
        .await;
    assert_eq!(leaked, 0);
    assert_eq!(
        tokens::redeem(&c.db, &token, "verify_email", Utc::now())
            .await
            .unwrap(),
        3
    );
    let again = tokens::redeem(&c.db, &token, "verify_email", Utc::now())
        .await
        .unwrap_err();
    assert_eq!(again.code(), ErrorCode::Conflict);
    let late = tokens::redeem(
        &c.db,
        &token,
        "verify_email",
        Utc::now() + chrono::Duration::hours(25),
    );
    assert!(late.await.is_err());

    let s = got
        .iter()
        .find(|m| m.subject.contains("on its way"))
        .expect("the shipped email");
    assert!(
        s.html
            .contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
        "{}",
        s.html
    );
    assert!(!s.html.contains("<script>"));
    assert!(
        s.text.contains("Hello <script>alert(1)</script>,"),
        "{}",
        s.text
    );
    assert!(s.text.contains("#4"), "{}", s.text);
    let m = got
        .iter()
        .find(|m| m.subject == "About your <order>")
        .expect("the support email");
    assert!(m.html.contains("&lt;b&gt;Sorry"), "{}", m.html);
    for id in [verify, shipped, support] {
        let view = notify::show(&Ctx::new(&c.db, &c.admin), id).await.unwrap();
        assert_eq!(view.message.status, OutboxStatus::Sent, "{id}");
        assert!(view
            .message
            .smtp_reply
            .as_deref()
            .unwrap_or("")
            .starts_with("250"));
        assert_eq!(view.attempts.len(), 1);
        assert_eq!(view.attempts[0].outcome, "sent");
    }
}

async fn a_repeat_is_answered_not_queued(backend: Backend) {
    let c = console(backend).await;
    shop(&c.t).await;
    let ctx = Ctx::at(&c.db, &c.support, now());
    let first = queue(&ctx, Trigger::new(Template::PasswordReset, 1)).await;
    let later = Ctx::at(&c.db, &c.admin, now() + chrono::Duration::minutes(4));
    let Triggered::AlreadySent(again) = notify::send(
        &later,
        &Policy::default(),
        Trigger::new(Template::PasswordReset, 1),
    )
    .await
    .unwrap() else {
        panic!("a repeat inside the window was queued");
    };
    assert_eq!(again.original.id, first);
    assert!(
        again
            .notice
            .starts_with("already sent 4 minutes ago by operator sam"),
        "{}",
        again.notice
    );
    assert!(again.notice.contains("queued"), "{}", again.notice);
    // --force queues anyway, audited as such.
    let forced = Trigger {
        force: true,
        reason: Some("customer asked twice".into()),
        ..Trigger::new(Template::PasswordReset, 1)
    };
    let id = queue(&later, forced).await;
    assert_ne!(id, first);
    let audited = c
        .t
        .scalar(&format!(
            "SELECT COUNT(*) FROM backoffice_audit_log WHERE action = 'notify.force' AND entity_id = '{id}' \
             AND reason = 'customer asked twice'"
        ))
        .await;
    assert_eq!(audited, 1);
    // After the window the same trigger queues again.
    let next_day = Ctx::at(&c.db, &c.support, now() + chrono::Duration::hours(2));
    queue(&next_day, Trigger::new(Template::PasswordReset, 1)).await;
    // Another entity is another key.
    queue(
        &ctx,
        Trigger {
            order: Some("2".into()),
            ..Trigger::new(Template::OrderStatus, 1)
        },
    )
    .await;
    // An explicit key groups what the default key would not: one apology
    // per ticket, whoever it goes to.
    let apology = |user| Trigger {
        key: Some("ticket-5521".into()),
        message: Some(FreeForm {
            subject: "Sorry".into(),
            body: "About ticket 5521.".into(),
        }),
        ..Trigger::new(Template::SupportMessage, user)
    };
    queue(&ctx, apology(1)).await;
    let again = notify::send(&ctx, &Policy::default(), apology(2))
        .await
        .unwrap();
    assert!(matches!(again, Triggered::AlreadySent(_)));
    assert_eq!(
        c.t.scalar("SELECT COUNT(*) FROM backoffice_outbox").await,
        5
    );
    // Bad input writes nothing.
    for (bad, why) in [
        (Trigger::new(Template::OrderStatus, 1), "about an order"),
        (
            Trigger {
                order: Some("3".into()),
                ..Trigger::new(Template::OrderStatus, 1)
            },
            "belongs to user 2",
        ),
        (Trigger::new(Template::VerifyEmail, 1), "already verified"),
        (Trigger::new(Template::PasswordReset, 5), "disabled"),
        (Trigger::new(Template::SupportMessage, 1), "subject"),
        (Trigger::new(Template::PasswordReset, 999), "no user"),
    ] {
        let err = notify::send(&ctx, &Policy::default(), bad)
            .await
            .unwrap_err();
        assert!(err.to_string().contains(why), "{why}: {err}");
    }
    assert_eq!(
        c.t.scalar("SELECT COUNT(*) FROM backoffice_outbox").await,
        5
    );
}

async fn two_operators_at_once_queue_one(backend: Backend) {
    let c = console(backend).await;
    shop(&c.t).await;
    for round in 0..5 {
        let at = now() + chrono::Duration::hours(2 * round);
        let a = Ctx::at(&c.db, &c.admin, at);
        let s = Ctx::at(&c.db, &c.support, at);
        let trigger = || Trigger {
            order: Some("4".into()),
            ..Trigger::new(Template::OrderShipped, 2)
        };
        let policy = Policy::default();
        let (x, y) = tokio::join!(
            notify::send(&a, &policy, trigger()),
            notify::send(&s, &policy, trigger())
        );
        let queued = [x.unwrap(), y.unwrap()]
            .iter()
            .filter(|t| matches!(t, Triggered::Queued { .. }))
            .count();
        assert_eq!(queued, 1, "round {round}");
    }
    assert_eq!(
        c.t.scalar("SELECT COUNT(*) FROM backoffice_outbox").await,
        5
    );
}

/// "Did we tell the customer?": the order's story and the user's card
/// list what was sent about them as it goes from queued to sent, masked
/// for support, in the timeline too.
async fn the_story_and_the_card_show_what_was_sent(backend: Backend) {
    let c = console(backend).await;
    shop(&c.t).await;
    let server = SmtpServer::start(&[]);
    let support = Ctx::at(&c.db, &c.support, now());
    let admin = Ctx::at(&c.db, &c.admin, now());
    assert!(orders::show(&support, 4)
        .await
        .unwrap()
        .notifications
        .is_empty());
    let id = queue(
        &support,
        Trigger {
            order: Some("4".into()),
            ..Trigger::new(Template::OrderShipped, 2)
        },
    )
    .await;

    let story = orders::show(&support, 4).await.unwrap();
    let [sent] = &story.notifications[..] else {
        panic!("{:?}", story.notifications);
    };
    assert_eq!((sent.id, sent.template.as_str()), (id, "order_shipped"));
    assert_eq!(sent.status, OutboxStatus::Queued);
    assert_eq!(sent.created_by, c.support.username());
    assert!(sent.recipient.contains('•'), "masked: {}", sent.recipient);
    let email = story
        .timeline
        .iter()
        .find(|e| e.kind == "email")
        .expect("in the timeline");
    assert_eq!(
        email.text,
        format!("order_shipped to {}: queued", sent.recipient)
    );
    let open = orders::show(&admin, 4).await.unwrap();
    assert!(!open.notifications[0].recipient.contains('•'));
    assert!(orders::show(&admin, 3)
        .await
        .unwrap()
        .notifications
        .is_empty());

    dispatch(&c, &settings(&server), quick()).await;
    let story = orders::show(&support, 4).await.unwrap();
    assert_eq!(story.notifications[0].status, OutboxStatus::Sent);
    assert!(story.notifications[0].sent_at.is_some());
    let card = users::show(&support, "2").await.unwrap();
    assert_eq!(card.notifications.len(), 1);
    assert_eq!(card.notifications[0].id, id);
    assert!(users::show(&support, "3")
        .await
        .unwrap()
        .notifications
        .is_empty());
}

each_backend! {
    told => the_story_and_the_card_show_what_was_sent,
    delivery => delivers_both_parts_escaped_with_a_hashed_token,
    repeat => a_repeat_is_answered_not_queued,
    concurrent_triggers => two_operators_at_once_queue_one,
}
