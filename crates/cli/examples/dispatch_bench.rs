//! Dispatch throughput: queues a support message to the first N users of a
//! seeded database and times `outbox dispatch` delivering them to a real
//! SMTP server on loopback (the tests' aiosmtpd server), for 1, 4 and 8
//! connections. Figures go to docs/BENCHMARKS.md.
//!
//! cargo run --release -p backoffice-cli --example dispatch_bench -- sqlite:/tmp/notify.db 5000

mod bench;

use std::time::{Duration, Instant};

use backoffice_core::notify::dispatch::{DispatchOptions, Dispatcher};
use backoffice_core::notify::{bulk_queue, Audience, FreeForm, MailSettings, Policy, Template};
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::session::Ctx;
use backoffice_core::Result;
use backoffice_testkit::smtp::SmtpServer;

async fn run(url: String) -> Result<()> {
    let n: i64 = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5_000);
    let (db, admin, users) = bench::open(&url, "users").await?;
    let n = n.min(users as i64);
    let server = SmtpServer::start(&[]);
    let mail = MailSettings {
        rate_per_second: 1_000_000.0,
        ..MailSettings::local(
            server.port,
            "Shop <no-reply@shop.example>",
            "https://shop.example",
        )
    };
    println!("| connections | messages queued | sent | failed (invalid planted addresses) | seconds | sent per second |");
    println!("|---|---|---|---|---|---|");
    for (round, connections) in [1usize, 4, 8].into_iter().enumerate() {
        // Each round is a day after the last (and in the past, so due):
        // outside the idempotency window of the round before.
        let at = chrono::Utc::now() - chrono::Duration::days(3 - round as i64);
        let ctx = Ctx::at(&db, &admin, at);
        let message = FreeForm {
            subject: format!("Benchmark round {round}"),
            body: "Hello from the dispatch benchmark.".into(),
        };
        let audience = Audience::Users {
            ids: (1..=n).collect(),
        };
        let queued = bulk_queue(
            &ctx,
            &Policy::default(),
            Template::SupportMessage,
            &audience,
            Some(&message),
            None,
            &NoProgress,
            &CancelToken::new(),
        )
        .await?;
        let options = DispatchOptions {
            connections,
            batch: 50,
            ..DispatchOptions::default()
        };
        let dispatcher = Dispatcher::new(&Ctx::new(&db, &admin), mail.clone(), None, options)?;
        let start = Instant::now();
        let report = dispatcher.run_once(&CancelToken::new(), &|_| {}).await?;
        let secs = start.elapsed().as_secs_f64();
        server.wait_for(server.received().len(), Duration::from_secs(1));
        println!(
            "| {connections} | {} | {} | {} | {secs:.2} | {:.0} |",
            queued.queued,
            report.sent,
            report.failed,
            report.sent as f64 / secs
        );
    }
    Ok(())
}

fn main() {
    bench::main_with(run);
}
