//! Every destructive operation is refused by the core without a reason
//! (none, or only blanks), on every backend, and writes nothing: disable,
//! lock, cancel (also as a transition to cancelled), refund, a bulk change,
//! a forced send and a fix. Steps along the lifecycle need none.

mod common;

use backoffice_core::db::Backend;
use backoffice_core::notify::{self, Policy, Template, Trigger};
use backoffice_core::orders::{self, bulk_commit, bulk_preview, BulkChange, OrderChange};
use backoffice_core::orders::{OrderStatus, Selection};
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::session::Ctx;
use backoffice_core::users::{self, UserAction};
use backoffice_core::validation::{apply_fix, preview_fix, run, Params};
use backoffice_core::{Error, ErrorCode, Result};
use backoffice_testkit::each_backend;
use common::defects::defects;
use common::shop::{audit_count, to};
use common::{console, now};

fn refused<T: std::fmt::Debug>(what: &str, result: Result<T>) {
    let err: Error = result.expect_err(what);
    assert_eq!(err.code(), ErrorCode::Validation, "{what}: {err}");
    assert!(
        err.to_string().contains("a reason is required"),
        "{what}: {err}"
    );
}

async fn destructive_changes_need_a_reason(backend: Backend) {
    let c = console(backend).await;
    defects(&c.t).await;
    let admin = Ctx::at(&c.db, &c.admin, now());
    let rules = vec!["orders.total_mismatch".to_string()];
    let (none, blank) = (CancelToken::new(), CancelToken::new());
    run(&admin, &rules, &Params::at(now()), &NoProgress, &none)
        .await
        .unwrap();
    let before = audit_count(&c).await;
    let versions = "SELECT COUNT(*) FROM users WHERE version > 1";
    let order_versions = "SELECT COUNT(*) FROM orders WHERE version > 1";
    let (users_before, orders_before) =
        (c.t.scalar(versions).await, c.t.scalar(order_versions).await);

    for reason in [None, Some("   ")] {
        refused(
            "disable",
            users::apply(&admin, 2, 1, UserAction::Disable, reason).await,
        );
        let lock = UserAction::Lock {
            reason: reason.unwrap_or_default().to_string(),
            until: None,
        };
        let err = users::apply(&admin, 2, 1, lock, None).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::Validation, "lock: {err}");
        refused(
            "cancel",
            orders::apply(&admin, 2, 1, OrderChange::Cancel, reason).await,
        );
        refused(
            "cancel as a transition",
            orders::apply(&admin, 2, 1, to(OrderStatus::Cancelled), reason).await,
        );
        let refund = OrderChange::Refund {
            amount_cents: Some(100),
        };
        refused("refund", orders::apply(&admin, 9, 1, refund, reason).await);
        let plan = bulk_preview(
            &admin,
            &Selection::Ids { ids: vec![1, 2] },
            BulkChange::Cancel,
            &NoProgress,
            &CancelToken::new(),
        )
        .await
        .unwrap();
        refused(
            "bulk",
            bulk_commit(&admin, &plan.ready, reason, &NoProgress, &blank).await,
        );
        let forced = Trigger {
            force: true,
            reason: reason.map(str::to_string),
            ..Trigger::new(Template::PasswordReset, 1)
        };
        refused(
            "forced send",
            notify::send(&admin, &Policy::default(), forced).await,
        );
        let fix = preview_fix(&admin, "orders.recompute_totals", &[])
            .await
            .unwrap();
        assert!(!fix.changes.is_empty());
        refused(
            "fix",
            apply_fix(&admin, &fix, reason, &NoProgress, &none).await,
        );
    }
    assert_eq!(audit_count(&c).await, before, "nothing audited");
    assert_eq!(c.t.scalar(versions).await, users_before, "no user changed");
    assert_eq!(
        c.t.scalar(order_versions).await,
        orders_before,
        "no order changed"
    );
    assert_eq!(
        c.t.scalar("SELECT COUNT(*) FROM backoffice_outbox").await,
        0,
        "nothing queued"
    );

    // A step along the lifecycle needs none.
    let paid = orders::apply(&admin, 1, 1, to(OrderStatus::Paid), None)
        .await
        .unwrap();
    assert_eq!(paid.status, OrderStatus::Paid);
}

each_backend! {
    reasons => destructive_changes_need_a_reason,
}
