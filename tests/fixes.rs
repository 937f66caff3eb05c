//! The mechanical fixes on every backend: the preview lists every row a
//! fix would change, applying it changes exactly those rows (audited, in
//! one transaction per record), records that moved since the preview or
//! that a guarding rule refuses are left alone with the reason, and the
//! next sweep no longer finds what was fixed.

mod common;

use backoffice_core::db::Backend;
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::session::Ctx;
use backoffice_core::validation::{apply_fix, preview_fix, run, Params};
use backoffice_core::ErrorCode;
use backoffice_testkit::each_backend;
use serde_json::json;

use common::defects::defects;
use common::shop::audit_count;
use common::{console, now, Console};

async fn sweep(c: &Console, rules: &[&str]) -> u64 {
    let ctx = Ctx::at(&c.db, &c.admin, now());
    let rules: Vec<String> = rules.iter().map(|r| r.to_string()).collect();
    run(
        &ctx,
        &rules,
        &Params::at(now()),
        &NoProgress,
        &CancelToken::new(),
    )
    .await
    .unwrap()
    .findings
}

async fn recomputing_totals(backend: Backend) {
    let c = console(backend).await;
    defects(&c.t).await;
    let totals = [
        "orders.total_mismatch",
        "orders.subtotal_mismatch",
        "orders.line_total_mismatch",
    ];
    assert_eq!(sweep(&c, &totals).await, 4, "orders 8, 10, 11, 17");
    let admin = Ctx::at(&c.db, &c.admin, now());
    let support = Ctx::at(&c.db, &c.support, now());

    // Support may look; the preview names every row and every value.
    let p = preview_fix(&support, "orders.recompute_totals", &[])
        .await
        .unwrap();
    let changed: Vec<i64> = p.changes.iter().map(|c| c.entity_id).collect();
    assert_eq!(changed, [8, 11, 17]);
    assert_eq!(p.skipped.len(), 1);
    assert_eq!(p.skipped[0].entity_id, 10);
    assert!(p.skipped[0].reason.contains("too large"), "{:?}", p.skipped);
    let eight = &p.changes[0];
    assert_eq!(eight.rows.len(), 1);
    assert_eq!(eight.rows[0].table, "orders");
    let f = &eight.rows[0].fields;
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].column.as_str(), &f[0].before, &f[0].after),
        ("total_cents", &json!(1600), &json!(1500))
    );
    assert!(
        eight.note.as_deref().unwrap_or("").contains("paid 16.00"),
        "{:?}",
        eight.note
    );
    let eleven = &p.changes[1].rows[0].fields;
    assert_eq!(eleven.len(), 2, "subtotal and total");
    let e = apply_fix(&support, &p, None, &NoProgress, &CancelToken::new())
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Forbidden);

    // Order 8 moves after the preview: it is left alone, not guessed at.
    c.t.exec("UPDATE orders SET tax_cents = 50, version = version + 1 WHERE id = 8")
        .await;
    let audits = audit_count(&c).await;
    let r = apply_fix(
        &admin,
        &p,
        Some("month-end"),
        &NoProgress,
        &CancelToken::new(),
    )
    .await
    .unwrap();
    let applied: Vec<i64> = r.applied.iter().map(|c| c.entity_id).collect();
    assert_eq!(applied, [11], "{:?}", r.skipped);
    assert_eq!(r.applied[0], p.changes[1], "applied exactly as previewed");
    let skipped: Vec<(i64, &str)> = r
        .skipped
        .iter()
        .map(|s| (s.entity_id, s.reason.as_str()))
        .collect();
    assert_eq!(skipped.len(), 2);
    assert_eq!(skipped[0].0, 8);
    assert!(
        skipped[0].1.contains("changed since the preview"),
        "{skipped:?}"
    );
    // Order 17's refunds (18.00) would exceed a recomputed 12.50 total.
    assert_eq!(skipped[1].0, 17);
    assert!(
        skipped[1].1.contains("orders.refund_exceeds_paid"),
        "{skipped:?}"
    );
    assert_eq!(audit_count(&c).await, audits + 1);
    assert_eq!(
        c.t.scalar("SELECT subtotal_cents + total_cents FROM orders WHERE id = 11")
            .await,
        2500
    );
    assert_eq!(
        c.t.scalar("SELECT total_cents FROM orders WHERE id = 17")
            .await,
        2000,
        "nothing written for a refused record"
    );
    assert_eq!(
        c.t.scalar(
            "SELECT COUNT(*) FROM backoffice_findings WHERE entity_id = 11 AND status = 'fixed' \
             AND rule_id = 'orders.subtotal_mismatch'"
        )
        .await,
        1
    );
    assert_eq!(
        c.t.scalar(
            "SELECT COUNT(*) FROM backoffice_audit_log WHERE action = 'order.fix_totals' \
             AND entity_id = '11' AND reason = 'month-end'"
        )
        .await,
        1
    );

    // A fresh preview of order 8 now matches; applying it fixes it, and the
    // sweep finds the totals of 10 (too large) and 17 (refunds) only.
    let p = preview_fix(&admin, "orders.recompute_totals", &[8])
        .await
        .unwrap();
    assert_eq!(p.changes.len(), 1);
    assert_eq!(p.changes[0].rows[0].fields[0].after, json!(1550));
    let r = apply_fix(
        &admin,
        &p,
        Some("ticket 77"),
        &NoProgress,
        &CancelToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(r.applied, p.changes);
    assert_eq!(sweep(&c, &totals).await, 2);
}

async fn clearing_locks_and_normalising_addresses(backend: Backend) {
    let c = console(backend).await;
    defects(&c.t).await;
    sweep(&c, &["users.lock_expired", "users.email_not_normalized"]).await;
    let admin = Ctx::at(&c.db, &c.admin, now());

    let p = preview_fix(&admin, "users.clear_expired_lock", &[])
        .await
        .unwrap();
    assert_eq!(p.changes.len(), 1);
    let cols: Vec<&str> = p.changes[0].rows[0]
        .fields
        .iter()
        .map(|f| f.column.as_str())
        .collect();
    assert_eq!(
        cols,
        [
            "status",
            "locked_until",
            "lock_reason",
            "failed_login_count"
        ]
    );
    let r = apply_fix(
        &admin,
        &p,
        Some("ticket 77"),
        &NoProgress,
        &CancelToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(r.applied, p.changes);
    assert_eq!(
        c.t.scalar(
            "SELECT COUNT(*) FROM users WHERE id = 13 AND status = 'active' \
             AND locked_until IS NULL AND failed_login_count = 0 AND version = 2"
        )
        .await,
        1
    );

    // User 9's lower-case address belongs to user 10, and user 19's to
    // user 18: those need a person.
    let p = preview_fix(&admin, "users.normalize_email", &[])
        .await
        .unwrap();
    let changed: Vec<i64> = p.changes.iter().map(|c| c.entity_id).collect();
    assert_eq!(changed, [11]);
    let skipped: Vec<i64> = p.skipped.iter().map(|s| s.entity_id).collect();
    assert_eq!(skipped, [9, 19]);
    assert!(p.skipped[0].reason.contains("user 10"), "{:?}", p.skipped);
    assert!(p.skipped[1].reason.contains("user 18"), "{:?}", p.skipped);
    let r = apply_fix(
        &admin,
        &p,
        Some("ticket 77"),
        &NoProgress,
        &CancelToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(r.applied, p.changes);
    assert_eq!(
        c.t.scalar("SELECT COUNT(*) FROM users WHERE email_normalized = 'fay@example.com'")
            .await,
        1
    );
    assert_eq!(
        sweep(&c, &["users.lock_expired", "users.email_not_normalized"]).await,
        2,
        "only users 9 and 19 remain"
    );

    // Unknown fixes, ids without a finding, and cancelling.
    let e = preview_fix(&admin, "users.nope", &[]).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Validation);
    let p = preview_fix(&admin, "users.normalize_email", &[1, 9])
        .await
        .unwrap();
    assert!(p.changes.is_empty());
    assert_eq!(p.skipped.len(), 2);
    assert!(p.skipped[0].reason.contains("no open finding"), "{p:?}");
    sweep(&c, &["orders.total_mismatch"]).await;
    let stop = CancelToken::new();
    stop.cancel();
    let p = preview_fix(&admin, "orders.recompute_totals", &[])
        .await
        .unwrap();
    assert_eq!(p.changes.len(), 2);
    let r = apply_fix(&admin, &p, Some("ticket 77"), &NoProgress, &stop)
        .await
        .unwrap();
    assert!(r.cancelled && r.applied.is_empty());
}

each_backend! {
    totals => recomputing_totals,
    users => clearing_locks_and_normalising_addresses,
}

/// A database error part-way (a fault injected with a trigger on order
/// 11) stops the run; the report still lists what was fixed before it, and
/// that stays fixed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_error_part_way_keeps_the_report() {
    let c = console(Backend::Sqlite).await;
    defects(&c.t).await;
    let totals = [
        "orders.total_mismatch",
        "orders.subtotal_mismatch",
        "orders.line_total_mismatch",
    ];
    sweep(&c, &totals).await;
    let admin = Ctx::at(&c.db, &c.admin, now());
    let p = preview_fix(&admin, "orders.recompute_totals", &[])
        .await
        .unwrap();
    c.t.exec(
        "CREATE TRIGGER injected_fault BEFORE UPDATE ON orders WHEN NEW.id = 11 \
         BEGIN SELECT RAISE(ABORT, 'injected fault'); END",
    )
    .await;
    let r = apply_fix(
        &admin,
        &p,
        Some("ticket 77"),
        &NoProgress,
        &CancelToken::new(),
    )
    .await
    .unwrap();
    let applied: Vec<i64> = r.applied.iter().map(|a| a.entity_id).collect();
    assert_eq!(applied, [8]);
    let stopped = r.stopped_by.expect("the error that stopped the run");
    assert_eq!(stopped.code, ErrorCode::Internal);
    assert!(
        stopped.message.contains("injected fault"),
        "{}",
        stopped.message
    );
    let fixed =
        c.t.scalar("SELECT COUNT(*) FROM backoffice_audit_log WHERE action = 'order.fix_totals'")
            .await;
    assert_eq!(
        fixed, 1,
        "order 8 stays fixed and audited; 11 and 17 untouched"
    );
}
