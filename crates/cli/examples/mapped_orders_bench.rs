//! Times a django-oscar shop's order list, the order story and the
//! validation sweep through the mapping (the fixture grown to a million
//! orders by scripts/bench_oscar.sh), through the core's public API as the
//! CLI and the window call it. Figures go to docs/BENCHMARKS.md.
//!
//! cargo run --release -p backoffice-cli --example mapped_orders_bench -- URL MAPPING.toml ORDERS

mod bench;

use std::time::Instant;

use backoffice_core::db::{Db, OpenOptions, Target};
use backoffice_core::mapping::Mapping;
use backoffice_core::operators::sign_in;
use backoffice_core::orders::mapped::story::show;
use backoffice_core::orders::mapped::{search, MappedOrderQuery};
use backoffice_core::page::PageRequest;
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::secrets::Secret;
use backoffice_core::session::Ctx;
use backoffice_core::validation::mapped::run as sweep;
use backoffice_core::Result;
use chrono::TimeZone;

use bench::{time_row, Lcg};

async fn run(url: String) -> Result<()> {
    let file = std::env::args().nth(2).expect("the mapping file");
    let orders: u64 = std::env::args()
        .nth(3)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let m = Mapping::load(std::path::Path::new(&file))?;
    let db = Db::open(&Target::parse_url(&url)?, OpenOptions::default()).await?;
    let password = std::env::var("BACKOFFICE_PASSWORD").unwrap_or_default();
    let admin = sign_in(&db, "admin", &Secret::new(password), chrono::Utc::now()).await?;
    let ctx = Ctx::new(&db, &admin);
    let first = PageRequest::first(50);
    let day = chrono::Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
    let filters = [
        ("no filter", MappedOrderQuery::default()),
        (
            "status, common (`Complete`, 70%)",
            MappedOrderQuery {
                statuses: vec!["Complete".into()],
                ..MappedOrderQuery::default()
            },
        ),
        (
            "status, rare (`Pending`, 1%)",
            MappedOrderQuery {
                statuses: vec!["Pending".into()],
                ..MappedOrderQuery::default()
            },
        ),
        (
            "one customer (user key)",
            MappedOrderQuery {
                customer: Some("1".into()),
                ..MappedOrderQuery::default()
            },
        ),
        (
            "one day placed",
            MappedOrderQuery {
                placed_from: Some(day),
                placed_until: Some(day + chrono::Duration::days(1)),
                ..MappedOrderQuery::default()
            },
        ),
    ];
    for (label, q) in &filters {
        let label = format!("order list, first page of 50: {label}");
        time_row(&label, 30, |_| search(&ctx, &m, q, &first)).await?;
    }
    let mut rng = Lcg(42);
    time_row("order story, 1,000 random numbers", 1_000, |_| {
        let number = (200_000 + rng.below(orders)).to_string();
        let (ctx, m) = (&ctx, &m);
        async move { show(ctx, m, &number).await }
    })
    .await?;
    let cancel = CancelToken::new();
    for pass in ["first", "second"] {
        let t = Instant::now();
        let report = sweep(&ctx, &m, &[], &NoProgress, &cancel).await?;
        println!(
            "sweep ({pass} run): {:.2} s, {} rows examined, {} findings",
            t.elapsed().as_secs_f64(),
            report.rows_examined,
            report.findings
        );
        for r in &report.rules {
            println!("  {} {} ms, {} findings", r.rule_id, r.millis, r.findings);
        }
    }
    Ok(())
}

fn main() {
    bench::main_with(run);
}
