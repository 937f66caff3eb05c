//! Times order review on a seeded database: filtered first pages, deep
//! keyset pages, and the order story. Figures go to docs/BENCHMARKS.md.
//!
//! cargo run --release -p backoffice-cli --example orders_bench -- sqlite:/tmp/bench3m.db
//!
//! Signs in as the demo operator `admin` (password from BACKOFFICE_PASSWORD,
//! default the demo password).

mod bench;

use chrono::{Duration, Utc};

use backoffice_core::orders::{list, show, OrderQuery, OrderSort, OrderStatus};
use backoffice_core::page::PageRequest;
use backoffice_core::session::Ctx;
use backoffice_core::Result;

use bench::{deep_pages, open, time_row, Lcg};

async fn run(url: String) -> Result<()> {
    let (db, admin, orders) = open(&url, "orders").await?;
    let ctx = Ctx::new(&db, &admin);
    let first = PageRequest::first(50);
    let mut rng = Lcg(7);
    time_row(
        "order story (`orders show ID`), 1,000 random ids",
        1_000,
        |_| {
            let id = 1 + rng.below(orders) as i64;
            let ctx = &ctx;
            async move { show(ctx, id).await }
        },
    )
    .await?;

    let customer = show(&ctx, (orders / 3) as i64).await?.customer.id;
    let now = Utc::now();
    let q = |f: &dyn Fn(&mut OrderQuery)| {
        let mut q = OrderQuery::default();
        f(&mut q);
        q
    };
    let filters: Vec<(&str, OrderQuery)> = vec![
        ("no filter, newest first", OrderQuery::default()),
        (
            "status delivered",
            q(&|q| q.statuses = vec![OrderStatus::Delivered]),
        ),
        (
            "status paid or packed",
            q(&|q| q.statuses = vec![OrderStatus::Paid, OrderStatus::Packed]),
        ),
        (
            "status refunded, by total",
            q(&|q| {
                q.statuses = vec![OrderStatus::Refunded];
                q.sort = OrderSort::Total;
            }),
        ),
        (
            "placed in the last 30 days",
            q(&|q| q.placed_from = Some(now - Duration::days(30))),
        ),
        (
            "one customer",
            q(&|q| q.customer = Some(customer.to_string())),
        ),
        ("currency USD", q(&|q| q.currency = Some("USD".into()))),
        (
            "total 100.00–200.00, by total",
            q(&|q| {
                q.total_min = Some(10_000);
                q.total_max = Some(20_000);
                q.sort = OrderSort::Total;
            }),
        ),
    ];
    for (label, query) in &filters {
        let label = format!("list, first page of 50 with capped total: {label}");
        time_row(&label, 30, |_| list(&ctx, query, &first)).await?;
    }

    for (label, query) in [
        ("orders, newest first", OrderQuery::default()),
        (
            "delivered orders",
            q(&|q| q.statuses = vec![OrderStatus::Delivered]),
        ),
    ] {
        deep_pages(label, |after| {
            let (ctx, query) = (&ctx, &query);
            async move {
                let page = list(
                    ctx,
                    query,
                    &PageRequest {
                        after,
                        limit: Some(50),
                    },
                )
                .await?;
                Ok(page.next)
            }
        })
        .await?;
    }
    db.close().await;
    Ok(())
}

fn main() {
    bench::main_with(run);
}
