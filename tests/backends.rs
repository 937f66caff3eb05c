//! The same story against SQLite, PostgreSQL and MariaDB, each test in a
//! database of its own: schema, demo data, read-only profiles, bad input.

use backoffice_core::db::{Backend, OpenOptions, SchemaStatus};
use backoffice_core::progress::{CancelToken, NoProgress, Progress};
use backoffice_core::seed::{seed, SeedOptions, SeedReport};
use backoffice_core::stats::table_counts;
use backoffice_core::ErrorCode;
use backoffice_testkit::{each_backend, TestDb};
use chrono::{TimeZone, Utc};

fn small(users: u64, orders: u64) -> SeedOptions {
    SeedOptions {
        users,
        orders,
        seed: 7,
        now: Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap(),
    }
}

async fn seeded(backend: Backend, opts: &SeedOptions) -> (TestDb, SeedReport) {
    let t = TestDb::new(backend).await;
    let db = t.open().await;
    let report = seed(&db, opts, &NoProgress, &CancelToken::new())
        .await
        .expect("seed");
    db.close().await;
    (t, report)
}

/// A token cancelled by the first progress report of `stage`.
fn cancel_at(stage: &'static str) -> (CancelToken, impl Fn(Progress) + Send + Sync) {
    let cancel = CancelToken::new();
    let trigger = cancel.clone();
    (cancel, move |p: Progress| {
        if p.stage == stage {
            trigger.cancel();
        }
    })
}

async fn migrations_create_the_schema_once(backend: Backend) {
    let t = TestDb::new(backend).await;
    let db = t.open().await;
    let status = db.schema_status().await.unwrap();
    assert!(
        matches!(status, SchemaStatus::Current { version, demo: true } if version >= 1),
        "{status:?}"
    );
    // Opening again applies nothing.
    let again = db.migrate().await.unwrap();
    assert!(again.applied.is_empty(), "{:?}", again.applied);
    let counts = table_counts(&db).await.unwrap();
    assert_eq!(counts.len(), backoffice_core::stats::TABLES.len());
    assert!(counts.iter().all(|c| c.rows == 0), "{counts:?}");
}

async fn seed_writes_what_it_reports(backend: Backend) {
    let (t, report) = seeded(backend, &small(400, 1_200)).await;
    let db = t.open().await;
    for c in table_counts(&db).await.unwrap() {
        let reported = report.rows.get(&c.table).copied().unwrap_or(0);
        assert_eq!(c.rows as u64, reported, "table {}", c.table);
    }
    assert_eq!(report.rows["users"], 400);
    assert_eq!(report.rows["orders"], 1_200);
    assert_eq!(report.rows["backoffice_operators"], 2);
    // Planted defects are in the data, as many as reported.
    let planted = |id: &str| report.planted[id] as i64;
    assert!(planted("orders.total_mismatch") >= 1);
    let checks = [
        ("orders.total_mismatch", "SELECT COUNT(*) FROM orders WHERE total_cents <> subtotal_cents + shipping_cents + tax_cents - discount_cents"),
        ("products.negative_stock", "SELECT COUNT(*) FROM products WHERE stock < 0"),
        ("users.locked_without_reason", "SELECT COUNT(*) FROM users WHERE status = 'locked' AND lock_reason IS NULL"),
        ("orders.no_items", "SELECT COUNT(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id)"),
        ("orders.bad_quantity", "SELECT COUNT(DISTINCT order_id) FROM order_items WHERE quantity <= 0"),
        ("orders.line_total_mismatch", "SELECT COUNT(DISTINCT order_id) FROM order_items WHERE line_total_cents <> quantity * unit_price_cents"),
        ("users.failed_count_over_threshold", "SELECT COUNT(*) FROM users WHERE status = 'active' AND failed_login_count >= 5"),
        ("orders.disabled_user", "SELECT COUNT(*) FROM orders o JOIN users u ON u.id = o.user_id WHERE u.status = 'disabled'"),
    ];
    for (id, sql) in checks {
        assert_eq!(t.scalar(sql).await, planted(id), "{id}");
    }
    // The demo operators can sign in with the documented password.
    assert_eq!(
        t.scalar(
            "SELECT COUNT(*) FROM backoffice_operators WHERE password_hash LIKE '$argon2id$%'"
        )
        .await,
        2
    );
}

/// The same seed gives the same data, on every backend.
async fn seed_is_deterministic(backend: Backend) {
    let opts = small(150, 300);
    // SUM of integers is DECIMAL/NUMERIC on MySQL and PostgreSQL.
    let fingerprint = |b: Backend| {
        let int = if b == Backend::Mysql {
            "SIGNED"
        } else {
            "BIGINT"
        };
        format!(
            "SELECT CAST((SELECT SUM(total_cents) FROM orders) + (SELECT SUM(quantity) FROM order_items) \
             + (SELECT SUM(LENGTH(email)) FROM users) + (SELECT COUNT(*) FROM login_events) \
             + (SELECT SUM(stock) FROM products) + (SELECT COUNT(*) FROM refunds) AS {int})"
        )
    };
    let (a, _) = seeded(backend, &opts).await;
    let (reference, _) = seeded(Backend::Sqlite, &opts).await;
    let (fa, fr) = (fingerprint(backend), fingerprint(Backend::Sqlite));
    assert_eq!(a.scalar(&fa).await, reference.scalar(&fr).await);
    let mut other = opts.clone();
    other.seed = 8;
    let (b, _) = seeded(backend, &other).await;
    assert_ne!(a.scalar(&fa).await, b.scalar(&fa).await);
}

async fn seed_refuses_a_database_with_data(backend: Backend) {
    let (t, _) = seeded(backend, &small(50, 50)).await;
    let db = t.open().await;
    let err = seed(&db, &small(50, 50), &NoProgress, &CancelToken::new())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);
    assert!(
        err.to_string().contains("is not empty (it has users"),
        "{err}"
    );
    assert_eq!(t.scalar("SELECT COUNT(*) FROM users").await, 50);
}

async fn cancelled_seed_leaves_nothing(backend: Backend) {
    let t = TestDb::new(backend).await;
    let db = t.open().await;
    let (cancel, on_progress) = cancel_at("users");
    let err = seed(&db, &small(30_000, 10), &on_progress, &cancel)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("cancelled"), "{err}");
    for c in table_counts(&db).await.unwrap() {
        assert_eq!(c.rows, 0, "{} after a cancelled seed", c.table);
    }
}

async fn read_only_refuses_writes(backend: Backend) {
    let (t, _) = seeded(backend, &small(20, 20)).await;
    let ro = t
        .open_with(OpenOptions {
            read_only: true,
            create_if_missing: false,
        })
        .await
        .expect("open read-only");
    assert!(ro.is_read_only());
    // Refused in the core...
    let err = seed(&ro, &small(5, 5), &NoProgress, &CancelToken::new())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden, "{err}");
    assert_eq!(ro.migrate().await.unwrap_err().code(), ErrorCode::Forbidden);
    // ...and the server session itself is read-only.
    assert!(ro.session_read_only().await.unwrap());
    let rw = t.open().await;
    assert!(!rw.session_read_only().await.unwrap());
    // Reads work.
    let users = table_counts(&ro).await.unwrap();
    assert_eq!(users[0].rows, 20);
}

async fn someone_elses_tables_are_refused(backend: Backend) {
    let t = TestDb::new(backend).await;
    t.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        .await;
    let err = t
        .open_with(OpenOptions {
            read_only: false,
            create_if_missing: true,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);
    assert!(
        err.to_string()
            .contains("without the console's tables (customers)"),
        "{err}"
    );
    assert!(err.to_string().contains("backoffice attach"), "{err}");
    // Nothing of ours was written.
    let ours = match backend {
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name <> 'customers'",
        Backend::Postgres => "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'customers'",
        Backend::Mysql => "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name <> 'customers'",
    };
    assert_eq!(t.scalar(ours).await, 0);
}

each_backend! {
    migrations => migrations_create_the_schema_once,
    seed_report => seed_writes_what_it_reports,
    determinism => seed_is_deterministic,
    non_empty => seed_refuses_a_database_with_data,
    cancel => cancelled_seed_leaves_nothing,
    read_only => read_only_refuses_writes,
    foreign_tables => someone_elses_tables_are_refused,
}

/// A SQLite seed sets the secondary indexes, triggers and search index
/// aside while it loads and builds them again: afterwards (or after a
/// cancelled seed) the schema is whole and the search index matches.
#[tokio::test]
async fn sqlite_bulk_load_rebuilds_what_it_set_aside() {
    const SCHEMA: &str = "SELECT COUNT(*) FROM sqlite_master \
         WHERE type IN ('index', 'trigger') AND sql IS NOT NULL";
    let fresh = TestDb::new(Backend::Sqlite).await;
    fresh.open().await.close().await;
    let expected = fresh.scalar(SCHEMA).await;
    assert!(expected >= 15, "{expected}");

    let (t, _) = seeded(Backend::Sqlite, &small(300, 600)).await;
    assert_eq!(t.scalar(SCHEMA).await, expected);
    // Fails (and so panics) if the full-text index disagrees with users.
    t.exec(
        "INSERT INTO backoffice_user_search (backoffice_user_search) VALUES ('integrity-check')",
    )
    .await;
    let email_hits = t
        .scalar(
            "SELECT COUNT(*) FROM backoffice_user_search WHERE backoffice_user_search MATCH \
             '\"' || (SELECT SUBSTR(email, 1, 5) FROM users WHERE id = 1) || '\"'",
        )
        .await;
    assert!(email_hits >= 1);

    let cancelled = TestDb::new(Backend::Sqlite).await;
    let db = cancelled.open().await;
    let (cancel, stop) = cancel_at("users");
    let err = seed(&db, &small(30_000, 10), &stop, &cancel)
        .await
        .unwrap_err();
    // The reason it stopped, not a failure while tidying up after it.
    assert!(err.to_string().contains("cancelled"), "{err}");
    db.close().await;
    assert_eq!(cancelled.scalar(SCHEMA).await, expected);
    // Cancelled while loading without the log, the file is back in WAL.
    assert_eq!(header_journal(&cancelled), 2);
}

/// The journal mode written in a SQLite file's header (bytes 18 and 19):
/// 1 for a rollback journal, 2 for WAL.
fn header_journal(t: &TestDb) -> u8 {
    let path = t.url.strip_prefix("sqlite:").unwrap();
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(bytes[18], bytes[19], "read and write versions differ");
    bytes[18]
}

fn wal_len(t: &TestDb) -> u64 {
    let wal = format!("{}-wal", t.url.strip_prefix("sqlite:").unwrap());
    std::fs::metadata(wal).map(|m| m.len()).unwrap_or(0)
}

/// Seeds `t` and returns the file's journal mode seen half-way through.
async fn journal_during_seed(t: &TestDb, db: &backoffice_core::db::Db) -> u8 {
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicU8::new(0));
    let record = seen.clone();
    let path = t.url.strip_prefix("sqlite:").unwrap().to_string();
    let on_progress = move |p: Progress| {
        if p.stage == "orders" && record.load(std::sync::atomic::Ordering::SeqCst) == 0 {
            let bytes = std::fs::read(&path).unwrap();
            record.store(bytes[18], std::sync::atomic::Ordering::SeqCst);
        }
    };
    let report = seed(db, &small(300, 30_000), &on_progress, &CancelToken::new())
        .await
        .expect("seed");
    assert_eq!(report.rows["orders"], 30_000);
    seen.load(std::sync::atomic::Ordering::SeqCst)
}

/// A SQLite seed with the file to itself loads with a rollback journal,
/// so the data is not written twice (log, then file); with another
/// connection open it loads through the write-ahead log. Either way the
/// file ends in WAL mode with an empty log (after a cancelled seed too:
/// see above).
#[tokio::test]
async fn sqlite_bulk_load_bypasses_the_log_when_alone() {
    let alone = TestDb::new(Backend::Sqlite).await;
    let db = alone.open().await;
    assert_eq!(header_journal(&alone), 2, "the pool opens files in WAL");
    assert_eq!(journal_during_seed(&alone, &db).await, 1);
    assert_eq!(header_journal(&alone), 2);
    assert_eq!(wal_len(&alone), 0);
    // The pool still reads and writes.
    assert_eq!(table_counts(&db).await.unwrap()[0].rows, 300);
    db.close().await;
    assert_eq!(alone.scalar("SELECT COUNT(*) FROM orders").await, 30_000);

    let shared = TestDb::new(Backend::Sqlite).await;
    let db = shared.open().await;
    let other = shared.open().await;
    assert_eq!(journal_during_seed(&shared, &db).await, 2);
    assert_eq!(header_journal(&shared), 2);
    assert_eq!(wal_len(&shared), 0);
    assert_eq!(table_counts(&other).await.unwrap()[0].rows, 300);
}
