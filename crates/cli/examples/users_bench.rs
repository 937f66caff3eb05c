//! Times the support desk's hot paths on a seeded database: the trouble
//! card, user search, and deep keyset pages. Figures go to
//! docs/BENCHMARKS.md.
//!
//! cargo run --release -p backoffice-cli --example users_bench -- sqlite:/tmp/bench1m.db
//!
//! Signs in as the demo operator `admin` (password from BACKOFFICE_PASSWORD,
//! default the demo password).

mod bench;

use backoffice_core::page::PageRequest;
use backoffice_core::session::Ctx;
use backoffice_core::users::{search, show, UserQuery};
use backoffice_core::Result;

use bench::{deep_pages, open, time_row, Lcg};

async fn run(url: String) -> Result<()> {
    let (db, admin, users) = open(&url, "users").await?;
    let ctx = Ctx::new(&db, &admin);
    let first = PageRequest::first(50);
    let mut rng = Lcg(42);
    let sample_email = show(&ctx, &(1 + rng.below(users)).to_string())
        .await?
        .user
        .email;
    time_row(
        "trouble card (`users show ID`), 1,000 random ids",
        1_000,
        |_| {
            let id = 1 + rng.below(users);
            let ctx = &ctx;
            async move { show(ctx, &id.to_string()).await }
        },
    )
    .await?;

    let queries = [
        ("substring, common (`ann`)", "ann".to_string()),
        ("substring, rare (`zoë ngu`)", "zoë ngu".to_string()),
        ("exact email", sample_email),
        ("exact id", (users / 2).to_string()),
        ("no text (browse newest)", String::new()),
    ];
    for (label, text) in queries {
        let q = UserQuery {
            text,
            ..UserQuery::default()
        };
        let label = format!("search, first page of 50 with capped total: {label}");
        time_row(&label, 30, |_| search(&ctx, &q, &first)).await?;
    }

    let q = UserQuery::default();
    deep_pages("browse users", |after| {
        let (ctx, q) = (&ctx, &q);
        async move {
            let page = search(
                ctx,
                q,
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
    db.close().await;
    Ok(())
}

fn main() {
    bench::main_with(run);
}
