//! What the benchmark examples share: sign-in, a repeatable id generator,
//! timing summaries and the deep-page walk.

#![allow(dead_code)]

use std::future::Future;
use std::time::{Duration, Instant};

use backoffice_core::db::{Db, OpenOptions, Target};
use backoffice_core::operators::{sign_in, Operator};
use backoffice_core::secrets::Secret;
use backoffice_core::stats::table_counts;
use backoffice_core::Result;

/// A small deterministic generator: the same ids every run.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

pub fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// (median, 95th percentile) in milliseconds.
pub fn summary(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let at = |q: f64| millis(times[((times.len() - 1) as f64 * q).round() as usize]);
    (at(0.5), at(0.95))
}

/// Times `runs` calls of `f` and prints a table row.
pub async fn time_row<F, Fut, T>(label: &str, runs: usize, mut f: F) -> Result<()>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let t = Instant::now();
        std::hint::black_box(f(i).await?);
        times.push(t.elapsed());
    }
    let (med, p95) = summary(times);
    println!("| {label} | {med:.2} ms | {p95:.2} ms |");
    Ok(())
}

/// The database at `url`, the demo admin signed in, and a table's rows.
pub async fn open(url: &str, table: &str) -> Result<(Db, Operator, u64)> {
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
    let rows = table_counts(&db)
        .await?
        .into_iter()
        .find(|c| c.table == table)
        .map_or(0, |c| c.rows) as u64;
    println!("{rows} {table} in {}", db.label());
    Ok((db, admin, rows))
}

/// Follows the cursors of a list from page 1 to page 10,004 and prints the
/// median time of the five pages from each of pages 1, 10, 100, 1,000 and
/// 10,000. `page(after)` fetches one page and returns the next cursor.
pub async fn deep_pages<F, Fut>(label: &str, mut page: F) -> Result<()>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Option<String>>>,
{
    let marks = [1u32, 10, 100, 1_000, 10_000];
    let mut after = None;
    let mut around: Vec<Duration> = Vec::new();
    for page_no in 1..=10_004u32 {
        let t = Instant::now();
        let next = page(after.take()).await?;
        let took = t.elapsed();
        if marks.iter().any(|m| page_no >= *m && page_no < m + 5) {
            around.push(took);
            if marks.contains(&(page_no - 4)) {
                let (med, _) = summary(std::mem::take(&mut around));
                println!(
                    "| {label}, page {} of 50 (median of 5 pages) | {med:.2} ms | |",
                    page_no - 4
                );
            }
        }
        match next {
            Some(n) => after = Some(n),
            None => {
                println!("| {label}: the list ends at page {page_no} | | |");
                break;
            }
        }
    }
    Ok(())
}

/// Runs an example's body on a fresh runtime, with the URL from argv.
pub fn main_with<F, Fut>(body: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite:/tmp/bench1m.db".into());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    if let Err(e) = rt.block_on(body(url)) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
