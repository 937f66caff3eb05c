//! Times user search and the trouble card on a mapped back end (a Django
//! auth_user grown to a million rows by scripts/bench_mapped.sh), through
//! the core's public API as the CLI and the window call it. Figures go to
//! docs/BENCHMARKS.md.
//!
//! cargo run --release -p backoffice-cli --example mapped_users_bench -- URL MAPPING.toml

mod bench;

use backoffice_core::db::{Db, OpenOptions, Target};
use backoffice_core::mapping::Mapping;
use backoffice_core::operators::sign_in;
use backoffice_core::page::PageRequest;
use backoffice_core::session::Ctx;
use backoffice_core::users::mapped::indexes::in_place;
use backoffice_core::users::mapped::{card, search};
use backoffice_core::users::UserQuery;
use backoffice_core::Result;

use backoffice_core::secrets::Secret;

use bench::{time_row, Lcg};

async fn run(url: String) -> Result<()> {
    let file = std::env::args().nth(2).expect("the mapping file");
    let m = Mapping::load(std::path::Path::new(&file))?;
    let db = Db::open(&Target::parse_url(&url)?, OpenOptions::default()).await?;
    let password = std::env::var("BACKOFFICE_PASSWORD").unwrap_or_default();
    let admin = sign_in(&db, "admin", &Secret::new(password), chrono::Utc::now()).await?;
    let ctx = Ctx::new(&db, &admin);
    println!("search indexes in place: {:?}", in_place(&db, &m).await?);
    let first = PageRequest::first(50);
    let all = UserQuery::default();
    let sample = search(&ctx, &m, &all, &PageRequest::first(1)).await?;
    let low: u64 = sample.items[0].key.parse().unwrap_or(1);
    let users = 1_000_000u64;
    let mut rng = Lcg(42);
    time_row("trouble card, 1,000 random keys", 1_000, |_| {
        let key = (low + rng.below(users)).to_string();
        let (ctx, m) = (&ctx, &m);
        async move { card(ctx, m, &key).await }
    })
    .await?;
    let queries = [
        ("substring, common (`ann`)", "ann"),
        ("substring, rare (`er99999`, 11 users)", "er99999"),
        ("exact email", "user500000.hill@example.net"),
        ("key", "500000"),
        ("no text (browse)", ""),
    ];
    for (label, text) in queries {
        let q = UserQuery {
            text: text.into(),
            ..UserQuery::default()
        };
        let label = format!("search, first page of 50: {label}");
        time_row(&label, 30, |_| search(&ctx, &m, &q, &first)).await?;
    }
    Ok(())
}

fn main() {
    bench::main_with(run);
}
