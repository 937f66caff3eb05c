//! The dispatcher on each backend against a real SMTP server on loopback:
//! 451 then success, 550 at once, a reply that never comes (uncertain), the
//! last attempt failing, operator retry and cancel, an unreachable server,
//! a server without STARTTLS, a relay with a private CA's certificate
//! (SMTPS and STARTTLS), and the rate limit.

mod common;

use std::time::Duration;

use backoffice_core::db::Backend;
use backoffice_core::error::ErrorCode;
use backoffice_core::notify::dispatch::{DispatchOptions, Dispatcher};
use backoffice_core::notify::{
    self, FreeForm, MailSettings, OutboxStatus, Security, Template, Trigger,
};
use backoffice_core::progress::CancelToken;
use backoffice_core::session::Ctx;
use backoffice_testkit::each_backend;
use backoffice_testkit::smtp::{SmtpServer, Tls};
use common::notify::{dispatch, queue, quick, settings, status, FROM};
use common::shop::shop;
use common::{console, now, U};

async fn refusals_retries_and_uncertain_sends(backend: Backend) {
    let c = console(backend).await;
    shop(&c.t).await;
    for (id, email) in [
        (20, "tempfail@example.com"),
        (21, "reject@example.com"),
        (22, "hang@example.com"),
        (23, "tempfail.two@example.com"),
    ] {
        U::new(id, email, "Case").insert(&c.t).await;
    }
    let server = SmtpServer::start(&["--tempfail-times", "2", "--hang-seconds", "20"]);
    let ctx = Ctx::at(&c.db, &c.support, now());
    let hello = |user| Trigger {
        message: Some(FreeForm {
            subject: "Hello".into(),
            body: "Text".into(),
        }),
        ..Trigger::new(Template::SupportMessage, user)
    };
    let temp = queue(&ctx, hello(20)).await;
    let reject = queue(&ctx, hello(21)).await;
    let hang = queue(&ctx, hello(22)).await;
    let options = DispatchOptions {
        max_attempts: 3,
        timeout: Duration::from_secs(1),
        ..quick()
    };
    let report = dispatch(&c, &settings(&server), options).await;
    assert_eq!(
        (report.sent, report.failed, report.uncertain),
        (1, 1, 1),
        "{report:?}"
    );
    assert_eq!(report.retrying, 2, "{report:?}");

    let admin = Ctx::new(&c.db, &c.admin);
    let t = notify::show(&admin, temp).await.unwrap();
    assert_eq!(t.message.status, OutboxStatus::Sent);
    let outcomes: Vec<_> = t
        .attempts
        .iter()
        .map(|a| (a.outcome.as_str(), a.smtp_code))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("temporary", Some(451)),
            ("temporary", Some(451)),
            ("sent", None)
        ]
    );
    let r = notify::show(&admin, reject).await.unwrap();
    assert_eq!(r.message.status, OutboxStatus::Failed);
    assert_eq!(r.attempts.len(), 1, "a 5xx is not retried");
    assert_eq!(r.attempts[0].smtp_code, Some(550));
    let h = notify::show(&admin, hang).await.unwrap();
    assert_eq!(h.message.status, OutboxStatus::Uncertain);
    assert!(h
        .message
        .last_error
        .as_deref()
        .unwrap()
        .contains("may have accepted"));
    // The server did get it: that is why it is not resent on its own.
    assert!(server.received().iter().any(|m| m.to.contains("hang@")));
    assert_eq!(dispatch(&c, &settings(&server), quick()).await.sent, 0);

    // The last attempt's temporary refusal fails the message.
    let two = queue(&ctx, hello(23)).await;
    let options = DispatchOptions {
        max_attempts: 2,
        ..quick()
    };
    let report = dispatch(&c, &settings(&server), options).await;
    assert_eq!((report.retrying, report.failed), (1, 1), "{report:?}");
    assert_eq!(status(&c, two).await, OutboxStatus::Failed);

    // Operators: retry the failed one, cancel the uncertain one; a sent
    // message cannot be cancelled.
    let retried = notify::retry(&admin, reject, Some("address fixed"))
        .await
        .unwrap();
    assert_eq!(retried.status, OutboxStatus::Queued);
    let cancelled = notify::cancel(&admin, hang, None).await.unwrap();
    assert_eq!(cancelled.status, OutboxStatus::Cancelled);
    let err = notify::cancel(&admin, temp, None).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    let audit = c
        .t
        .scalar("SELECT COUNT(*) FROM backoffice_audit_log WHERE action IN ('outbox.retry', 'outbox.cancel')")
        .await;
    assert_eq!(audit, 2);
}

async fn an_unreachable_server_keeps_messages_queued(backend: Backend) {
    let c = console(backend).await;
    shop(&c.t).await;
    let ctx = Ctx::at(&c.db, &c.support, now());
    let id = queue(&ctx, Trigger::new(Template::PasswordReset, 2)).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mail = MailSettings {
        rate_per_second: 1000.0,
        ..MailSettings::local(closed, FROM, "https://shop.example")
    };
    let options = DispatchOptions {
        backoff: Duration::from_secs(60),
        backoff_cap: Duration::from_secs(60),
        ..quick()
    };
    let before = notify::show(&Ctx::new(&c.db, &c.admin), id).await.unwrap();
    let report = dispatch(&c, &mail, options.clone()).await;
    assert_eq!(
        (report.sent, report.retrying, report.failed),
        (0, 0, 0),
        "{report:?}"
    );
    let outage = report.unreachable.expect("the outage is reported");
    assert!(
        outage.detail.contains("connecting to 127.0.0.1"),
        "{outage:?}"
    );
    assert!(outage.next_try > outage.since);
    assert!(outage
        .describe()
        .starts_with("mail server unreachable since "));
    // The message is as it was: queued, due, no attempt spent or recorded.
    let view = notify::show(&Ctx::new(&c.db, &c.admin), id).await.unwrap();
    assert_eq!(view.message.status, OutboxStatus::Queued);
    assert_eq!(view.message.attempts, before.message.attempts);
    assert!(view.message.due_at <= chrono::Utc::now(), "still due");
    assert!(view.attempts.is_empty(), "{:?}", view.attempts);

    // A server that does not offer STARTTLS gets nothing in clear.
    let server = SmtpServer::start(&[]);
    let id = queue(&ctx, Trigger::new(Template::PasswordReset, 1)).await;
    let starttls = MailSettings {
        security: Security::Starttls,
        ..settings(&server)
    };
    let report = dispatch(&c, &starttls, options.clone()).await;
    // Both the new message and the one the outage left queued: a server
    // that answers but refuses this client costs each message an attempt.
    assert_eq!((report.sent, report.retrying), (0, 2), "{report:?}");
    assert_eq!(report.unreachable, None);
    let error = notify::show(&Ctx::new(&c.db, &c.admin), id)
        .await
        .unwrap()
        .message
        .last_error;
    assert!(error.unwrap().contains("does not offer STARTTLS"));
    assert!(server.received().is_empty());
}

async fn the_rate_limit_spaces_messages(backend: Backend) {
    let c = console(backend).await;
    shop(&c.t).await;
    let ctx = Ctx::at(&c.db, &c.support, now());
    for user in [1, 2, 3, 6, 7] {
        queue(&ctx, Trigger::new(Template::PasswordReset, user)).await;
    }
    let server = SmtpServer::start(&[]);
    let slow = MailSettings {
        rate_per_second: 20.0,
        ..settings(&server)
    };
    let start = std::time::Instant::now();
    assert_eq!(dispatch(&c, &slow, quick()).await.sent, 5);
    // Five sends at 20 per second: four gaps of 50 ms at least, whatever
    // the number of connections.
    assert!(
        start.elapsed() >= Duration::from_millis(200),
        "{:?}",
        start.elapsed()
    );
}

/// A relay whose certificate a company's own CA signed: with only the
/// public roots the certificate is refused and nothing is sent; once the
/// profile trusts that CA, the operator's retry is delivered encrypted,
/// over SMTPS and over STARTTLS (the server takes no mail without it).
#[tokio::test]
async fn a_private_ca_is_trusted_only_when_configured() {
    let c = console(Backend::Sqlite).await;
    shop(&c.t).await;
    let ctx = Ctx::at(&c.db, &c.support, now());
    let admin = Ctx::new(&c.db, &c.admin);
    let once = DispatchOptions {
        max_attempts: 1,
        ..quick()
    };
    for (user, mode, security) in [
        (1, Tls::Implicit, Security::Tls),
        (2, Tls::Starttls, Security::Starttls),
    ] {
        let server = SmtpServer::start_tls(mode, &[]);
        let public_roots = MailSettings {
            security,
            ..settings(&server)
        };
        let id = queue(&ctx, Trigger::new(Template::PasswordReset, user)).await;
        let report = dispatch(&c, &public_roots, once.clone()).await;
        assert_eq!((report.sent, report.failed), (0, 1), "{mode:?}: {report:?}");
        let error = notify::show(&admin, id).await.unwrap().message.last_error;
        let error = error.unwrap_or_default();
        assert!(
            error.contains("UnknownIssuer") && error.contains("--ca-file"),
            "{mode:?}: {error}"
        );
        assert!(server.received().is_empty(), "{mode:?}");

        let trusting = MailSettings {
            ca_file: server.ca_file.clone(),
            ..public_roots
        };
        trusting.validate().unwrap();
        notify::retry(&admin, id, Some("relay CA trusted"))
            .await
            .unwrap();
        let report = dispatch(&c, &trusting, once.clone()).await;
        assert_eq!((report.sent, report.failed), (1, 0), "{mode:?}: {report:?}");
        let got = server.wait_for(1, Duration::from_secs(5));
        assert_eq!(got.len(), 1, "{mode:?}");
        assert_eq!(status(&c, id).await, OutboxStatus::Sent, "{mode:?}");
    }
}

/// A server that is down for longer than the whole retry schedule (three
/// attempts a second apart): the dispatcher waits as a whole, no message
/// fails, and everything is delivered once the server is back.
async fn an_outage_longer_than_the_retries_fails_nothing(backend: Backend) {
    let c = console(backend).await;
    shop(&c.t).await;
    let ctx = Ctx::at(&c.db, &c.support, now());
    let mut ids = Vec::new();
    for user in [1, 2, 3, 6, 7] {
        ids.push(queue(&ctx, Trigger::new(Template::PasswordReset, user)).await);
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mail = MailSettings {
        rate_per_second: 1000.0,
        ..MailSettings::local(port, FROM, "https://shop.example")
    };
    let options = DispatchOptions {
        max_attempts: 3,
        backoff: Duration::from_secs(1),
        backoff_cap: Duration::from_secs(1),
        reconnect: Duration::from_millis(200),
        reconnect_cap: Duration::from_millis(800),
        poll: Duration::from_millis(100),
        ..quick()
    };
    let cancel = CancelToken::new();
    let seen_down = std::sync::Mutex::new(None);
    let watch = async {
        let sup = Ctx::new(&c.db, &c.support);
        let d = Dispatcher::new(&sup, mail.clone(), None, options).unwrap();
        d.watch(&cancel, &|r| {
            if let Some(o) = &r.unreachable {
                *seen_down.lock().unwrap() = Some(o.clone());
            }
        })
        .await
        .unwrap()
    };
    let outage_then_up = async {
        // Down for 5 s: longer than 3 attempts a second apart.
        tokio::time::sleep(Duration::from_secs(5)).await;
        let during =
            c.t.scalar("SELECT COUNT(*) FROM backoffice_outbox_attempts")
                .await;
        let server = SmtpServer::start_on(port, &[]);
        let got = tokio::task::spawn_blocking(move || {
            let got = server.wait_for(5, Duration::from_secs(20));
            (server, got)
        })
        .await
        .unwrap();
        cancel.cancel();
        (during, got)
    };
    let (report, (during, (_server, got))) = tokio::join!(watch, outage_then_up);
    assert_eq!(during, 0, "no attempt is spent while the server is down");
    let down = seen_down
        .lock()
        .unwrap()
        .clone()
        .expect("the outage was reported");
    assert!(down.detail.contains("connecting to 127.0.0.1"), "{down:?}");
    assert_eq!(
        (report.sent, report.failed, report.retrying),
        (5, 0, 0),
        "{report:?}"
    );
    assert_eq!(
        report.unreachable, None,
        "over once a connection is accepted"
    );
    assert_eq!(got.len(), 5);
    for id in ids {
        let view = notify::show(&Ctx::new(&c.db, &c.admin), id).await.unwrap();
        assert_eq!(view.message.status, OutboxStatus::Sent);
        assert_eq!(
            view.message.attempts, 1,
            "one attempt: the one that was delivered"
        );
    }
}

each_backend! {
    outage => an_outage_longer_than_the_retries_fails_nothing,
    rate_limit => the_rate_limit_spaces_messages,
    refusals => refusals_retries_and_uncertain_sends,
    unreachable => an_unreachable_server_keeps_messages_queued,
}
