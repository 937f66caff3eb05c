//! Notification fixtures: mail settings for the tests' SMTP server, quick
//! dispatcher options, and shorthands to queue and dispatch.

use std::time::Duration;

use backoffice_core::notify::dispatch::{DispatchOptions, DispatchReport, Dispatcher};
use backoffice_core::notify::{self, MailSettings, OutboxStatus, Policy, Trigger, Triggered};
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
