//! Notification fixtures: mail settings for the tests' SMTP server, quick
//! dispatcher options, and shorthands to queue and dispatch (to the
//! reference schema, or to a back end that sends its own email).

use std::sync::Arc;
use std::time::Duration;

use backoffice_core::notify::dispatch::{DispatchOptions, DispatchReport, Dispatcher};
use backoffice_core::notify::{
    self, BackendLinks, Channel, MailSettings, OutboxStatus, Policy, Trigger, Triggered,
};
use backoffice_core::progress::CancelToken;
use backoffice_core::session::Ctx;
use backoffice_testkit::smtp::SmtpServer;

use super::Console;

pub const FROM: &str = "Shop <no-reply@shop.example>";

pub fn settings(server: &SmtpServer) -> MailSettings {
    MailSettings {
        rate_per_second: 1000.0,
        ..MailSettings::local(server.port, FROM, "https://shop.example")
    }
}

pub fn quick() -> DispatchOptions {
    DispatchOptions {
        backoff: Duration::ZERO,
        backoff_cap: Duration::ZERO,
        timeout: Duration::from_secs(2),
        ..DispatchOptions::default()
    }
}

pub async fn dispatch(
    c: &Console,
    mail: &MailSettings,
    options: DispatchOptions,
) -> DispatchReport {
    let ctx = Ctx::new(&c.db, &c.support);
    let d = Dispatcher::new(&ctx, mail.clone(), None, options).expect("a dispatcher");
    d.run_once(&CancelToken::new(), &|_| {})
        .await
        .expect("a dispatch run")
}

pub async fn queue(ctx: &Ctx<'_>, trigger: Trigger) -> i64 {
    match notify::send(ctx, &Policy::default(), trigger)
        .await
        .expect("queued")
    {
        Triggered::Queued { message } => message.id,
        Triggered::AlreadySent(s) => panic!("unexpected: {}", s.notice),
    }
}

pub async fn status(c: &Console, id: i64) -> OutboxStatus {
    let ctx = Ctx::new(&c.db, &c.admin);
    notify::show(&ctx, id).await.unwrap().message.status
}

/// The profile's mail settings with the site at `base`.
pub fn at(server: &SmtpServer, base: String) -> MailSettings {
    MailSettings {
        link_base: base,
        ..settings(server)
    }
}

/// One dispatch run for a back end of its own.
pub async fn dispatch_backend(
    ctx: &Ctx<'_>,
    mail: &MailSettings,
    links: &Arc<BackendLinks>,
    options: DispatchOptions,
) -> DispatchReport {
    Dispatcher::new(ctx, mail.clone(), None, options)
        .unwrap()
        .for_backend(links.clone())
        .run_once(&CancelToken::new(), &|_| {})
        .await
        .unwrap()
}

/// Queues a message the back end is to send itself; its id.
pub async fn queue_backend(ctx: &Ctx<'_>, policy: &Policy, trigger: Trigger) -> i64 {
    match notify::send(ctx, policy, trigger).await.unwrap() {
        Triggered::Queued { message } => {
            assert_eq!(message.channel, Channel::Backend);
            message.id
        }
        Triggered::AlreadySent(s) => panic!("unexpected: {}", s.notice),
    }
}
