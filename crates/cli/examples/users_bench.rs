//! Times the support desk's hot paths on a seeded database: the trouble
//! card, user search, and deep keyset pages. Figures go to
//! docs/BENCHMARKS.md.
//!
//! cargo run --release -p backoffice-cli --example users_bench -- sqlite:/tmp/bench1m.db
//!
//! Signs in as the demo operator `admin` (password from BACKOFFICE_PASSWORD,
//! default the demo password).

use std::time::{Duration, Instant};

use backoffice_core::db::{Db, OpenOptions, Target};
use backoffice_core::operators::sign_in;
use backoffice_core::page::PageRequest;
use backoffice_core::secrets::Secret;
use backoffice_core::session::Ctx;
use backoffice_core::stats::table_counts;
use backoffice_core::users::{search, show, UserQuery};
use backoffice_core::Result;

/// A small deterministic generator: the same ids every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// (median, 95th percentile) in milliseconds.
fn summary(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let at = |q: f64| millis(times[((times.len() - 1) as f64 * q).round() as usize]);
    (at(0.5), at(0.95))
}

async fn run(url: &str) -> Result<()> {
    let db = Db::open(
        &Target::parse_url(url)?,
        OpenOptions {
            read_only: false,
            create_if_missing: false,
        },
    )
    .await?;
    let password =
        std::env::var("BACKOFFICE_PASSWORD").unwrap_or_else(|_| "backoffice-demo".into());
    let admin = sign_in(&db, "admin", &Secret::new(password), chrono::Utc::now()).await?;
    let ctx = Ctx::new(&db, &admin);
    let users = table_counts(&db)
        .await?
        .into_iter()
        .find(|c| c.table == "users")
        .map_or(0, |c| c.rows) as u64;
    println!("{} users in {}", users, db.label());
    let mut rng = Lcg(42);

    let mut card = Vec::new();
    let mut sample_email = String::new();
    for i in 0..1_000 {
        let id = 1 + rng.below(users);
        let t = Instant::now();
        let c = show(&ctx, &id.to_string()).await?;
        card.push(t.elapsed());
        if i == 0 {
            sample_email = c.user.email.clone();
        }
    }
    let (med, p95) = summary(card);
    println!("| trouble card (`users show ID`), 1,000 random ids | {med:.2} ms | {p95:.2} ms |");

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
        let mut times = Vec::new();
        for _ in 0..30 {
            let t = Instant::now();
            let page = search(&ctx, &q, &PageRequest::first(50)).await?;
            times.push(t.elapsed());
            std::hint::black_box(page);
        }
        let (med, p95) = summary(times);
        println!(
            "| search, first page of 50 with capped total: {label} | {med:.2} ms | {p95:.2} ms |"
        );
    }

    // Deep pages: follow the cursors and time the pages at each depth.
    let q = UserQuery::default();
    let mut after = None;
    let marks = [1u32, 10, 100, 1_000, 10_000];
    let mut page_no = 0u32;
    let mut around: Vec<Duration> = Vec::new();
    let last = *marks.last().unwrap_or(&1);
    while page_no < last + 5 {
        page_no += 1;
        let t = Instant::now();
        let page = search(
            &ctx,
            &q,
            &PageRequest {
                after: after.clone(),
                limit: Some(50),
            },
        )
        .await?;
        let took = t.elapsed();
        if marks.iter().any(|m| page_no >= *m && page_no < m + 5) {
            around.push(took);
            if marks.contains(&(page_no - 4)) {
                let (med, _) = summary(std::mem::take(&mut around));
                println!(
                    "| browse, page {} of 50 (median of 5 pages) | {med:.2} ms | |",
                    page_no - 4
                );
            }
        }
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    db.close().await;
    Ok(())
}

fn main() {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite:/tmp/bench1m.db".into());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    if let Err(e) = rt.block_on(run(&url)) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
