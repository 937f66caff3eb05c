//! The window's speed, measured in the real app under Xvfb: cold start to
//! an interactive window, a search keystroke to results on screen, and the
//! memory of all the window's processes. Figures go to docs/BENCHMARKS.md.
//!
//! scripts/with-session.sh cargo run --example window_bench -- DB.sqlite [RUNS]
//!
//! DB.sqlite is a seeded database (e.g. `backoffice --db sqlite:DB.sqlite
//! seed --users 1000000 --orders 100000`).

#[path = "../tests/window/driver.rs"]
#[allow(dead_code)]
mod driver;

use std::process::Command;
use std::time::{Duration, Instant};

use backoffice_core::profiles::{add_profile, Profile, ProfileStore};
use backoffice_core::secrets::MemoryStore;
use backoffice_core::seed::DEMO_OPERATOR_PASSWORD;
use driver::{click, sign_in_as, start_app, text_of};
use fantoccini::{Client, Locator};

/// What people type into the search box, one key at a time.
const QUERIES: [&str; 6] = ["ann", "smith", "example.org", "lee", "jo", "42"];
/// A typist's pause between keys.
const KEY_GAP: Duration = Duration::from_millis(180);

fn stats(label: &str, unit: &str, mut v: Vec<f64>) {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    println!(
        "{label}: n={} median {:.1} {unit}, p95 {:.1} {unit}, max {:.1} {unit}",
        v.len(),
        at(0.5),
        at(0.95),
        at(1.0)
    );
}

async fn page_number(client: &Client, script: &str) -> Option<f64> {
    client.execute(script, vec![]).await.ok().and_then(|v| {
        v.as_f64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    })
}

/// Proportional set sizes (KiB) of the app and every process under it:
/// (total, anonymous, file-backed such as the memory-mapped database), and
/// how many processes.
fn memory_kib(app: &str) -> ([u64; 3], usize) {
    let pids = Command::new("pgrep").args(["-f", app]).output().unwrap();
    let mut todo: Vec<String> = String::from_utf8_lossy(&pids.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    let (mut sums, mut count) = ([0u64; 3], 0);
    while let Some(pid) = todo.pop() {
        let rollup =
            std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
        for (i, key) in ["Pss:", "Pss_Anon:", "Pss_File:"].iter().enumerate() {
            sums[i] += rollup
                .lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0);
        }
        count += 1;
        let kids = Command::new("pgrep").args(["-P", &pid]).output().unwrap();
        todo.extend(
            String::from_utf8_lossy(&kids.stdout)
                .lines()
                .map(str::to_string),
        );
    }
    (sums, count)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let db = args.first().expect("usage: window_bench DB.sqlite [RUNS]");
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(5);
    let db = std::fs::canonicalize(db).expect("the database file");
    let config = tempfile::tempdir().unwrap();
    let store = ProfileStore::at(config.path().join("profiles.toml"));
    let profile = Profile::sqlite_file("bench", &db);
    add_profile(&store, &MemoryStore::default(), profile, None, false).unwrap();

    // Cold start: from asking tauri-driver for a session (which launches
    // WebKitWebDriver and the app) to the profiles listed in the window.
    let mut starts = Vec::new();
    let mut in_page = Vec::new();
    for _ in 0..runs {
        let t0 = Instant::now();
        let (drv, client) = start_app(config.path()).await;
        text_of(&client, "li[data-profile=bench]").await;
        starts.push(t0.elapsed().as_secs_f64() * 1000.0);
        if let Some(ms) = page_number(&client, "return performance.now()").await {
            in_page.push(ms);
        }
        client.close().await.unwrap();
        drop(drv);
    }
    stats(
        "cold start to profiles listed (incl. WebDriver)",
        "ms",
        starts,
    );
    stats(
        "  of which the page itself (navigation to listed)",
        "ms",
        in_page,
    );

    // Keystrokes on the users view of the seeded database.
    let (_drv, client) = start_app(config.path()).await;
    text_of(&client, "button[data-connect=bench]").await;
    click(&client, "button[data-connect=bench]").await;
    text_of(&client, "#signin-view:not([hidden]) h2").await;
    sign_in_as(&client, "admin", DEMO_OPERATOR_PASSWORD).await;
    text_of(&client, "#nav:not([hidden])").await;
    click(&client, "#nav button[data-view=users]").await;
    text_of(&client, "#users tbody tr").await;
    let search = client.find(Locator::Id("user-search")).await.unwrap();
    let mut latencies = Vec::new();
    let read = "return document.getElementById('users-summary').dataset.latencyMs ?? null";
    let reset = "delete document.getElementById('users-summary').dataset.latencyMs";
    for q in QUERIES {
        search.clear().await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        for (i, ch) in q.char_indices() {
            client.execute(reset, vec![]).await.unwrap();
            search.send_keys(&ch.to_string()).await.unwrap();
            let typed = &q[..i + ch.len_utf8()];
            if typed.len() < 3 && !typed.chars().all(|c| c.is_ascii_digit()) {
                // The window waits for a third character before searching.
                tokio::time::sleep(KEY_GAP).await;
                continue;
            }
            let mut got = None;
            for _ in 0..2_000 {
                if let Some(ms) = page_number(&client, read).await {
                    got = Some(ms);
                    break;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            let ms = got.expect("results within ten seconds");
            println!("  {q:>12} after {ch:?}: {ms:.1} ms");
            latencies.push(ms);
            tokio::time::sleep(KEY_GAP).await;
        }
    }
    stats("keystroke to results on screen", "ms", latencies);

    let app = driver::app_binary();
    let ([total, anon, file], procs) = memory_kib(&app.display().to_string());
    let mib = |k: u64| k as f64 / 1024.0;
    println!(
        "window memory after the searches: {:.0} MiB PSS over {procs} processes (app + WebKit): \
         {:.0} MiB anonymous, {:.0} MiB file-backed (libraries, the mapped database)",
        mib(total),
        mib(anon),
        mib(file)
    );
    client.close().await.unwrap();
}
