//! Bulk order changes and who may change orders, on every backend.

mod common;

use std::sync::Mutex;

use backoffice_core::db::Backend;
use backoffice_core::orders::{
    add_note, apply, bulk_commit, bulk_preview, preview, BulkChange, OrderChange, OrderQuery,
    OrderStatus, Selection,
};
use backoffice_core::progress::{CancelToken, NoProgress, Progress};
use backoffice_core::session::Ctx;
use backoffice_core::ErrorCode;
use backoffice_testkit::each_backend;
use common::shop::{audit_count, shop, stock, to};
use common::{console, now};

async fn bulk_goes_on_past_a_bad_order(backend: Backend) {
    let c = console(backend).await;
    shop(&c.t).await;
    let ctx = Ctx::at(&c.db, &c.support, now());
    let seen = Mutex::new(Vec::new());
    let progress = |p: Progress| seen.lock().unwrap().push(p);
    let plan = bulk_preview(
        &ctx,
        &Selection::Ids {
            ids: vec![1, 3, 4, 999, 3],
        },
        BulkChange::Cancel,
        &progress,
        &CancelToken::new(),
    )
    .await
    .unwrap();
    let ready: Vec<i64> = plan.ready.iter().map(|p| p.order_id).collect();
    assert_eq!(ready, [1, 3]);
    let refused: Vec<(i64, ErrorCode)> =
        plan.refused.iter().map(|r| (r.order_id, r.code)).collect();
    assert_eq!(
        refused,
        [(4, ErrorCode::Validation), (999, ErrorCode::NotFound)]
    );
    assert_eq!(seen.lock().unwrap().last().unwrap().done, 4);
    // Order 3 moves on before the bulk change is committed.
    apply(&ctx, 3, 1, to(OrderStatus::Shipped), None)
        .await
        .unwrap();
    let results = bulk_commit(
        &ctx,
        &plan.ready,
        Some("warehouse closed"),
        &NoProgress,
        &CancelToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(results[0].status, Some(OrderStatus::Cancelled));
    assert_eq!(results[1].error.as_ref().unwrap().code, ErrorCode::Conflict);
    assert_eq!(stock(&c, 1).await, 12, "order 1's mugs are back");
    assert_eq!(stock(&c, 2).await, 5, "order 3 was not cancelled");

    // By filter: every paid order is packed.
    let paid = OrderQuery {
        statuses: vec![OrderStatus::Paid],
        ..OrderQuery::default()
    };
    let plan = bulk_preview(
        &ctx,
        &Selection::Filter { query: paid },
        BulkChange::Transition {
            to: OrderStatus::Packed,
        },
        &NoProgress,
        &CancelToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(plan.ready.len(), 1);
    // A cancelled bulk change attempts nothing.
    let stop = CancelToken::new();
    stop.cancel();
    let results = bulk_commit(&ctx, &plan.ready, Some("packing day"), &NoProgress, &stop)
        .await
        .unwrap();
    assert!(results[0]
        .error
        .as_ref()
        .unwrap()
        .message
        .contains("not attempted"));
    let reason = Some("packing day");
    let results = bulk_commit(&ctx, &plan.ready, reason, &NoProgress, &CancelToken::new())
        .await
        .unwrap();
    assert_eq!(results[0].status, Some(OrderStatus::Packed));
}

async fn support_may_not_refund_but_may_cancel_and_note(backend: Backend) {
    let c = console(backend).await;
    shop(&c.t).await;
    let support = Ctx::at(&c.db, &c.support, now());
    let audits = audit_count(&c).await;
    let bulk_refund = bulk_commit(
        &support,
        &[preview(
            &Ctx::at(&c.db, &c.admin, now()),
            5,
            1,
            OrderChange::Refund { amount_cents: None },
        )
        .await
        .unwrap()],
        Some("x"),
        &NoProgress,
        &CancelToken::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(bulk_refund.code(), ErrorCode::Forbidden);
    assert!(bulk_refund.to_string().contains("refund"), "{bulk_refund}");
    assert_eq!(audit_count(&c).await, audits);
    add_note(&support, 5, "checked with courier").await.unwrap();
    apply(&support, 1, 1, OrderChange::Cancel, Some("out of stock"))
        .await
        .unwrap();
    assert_eq!(audit_count(&c).await, audits + 2);
}

each_backend! {
    bulk => bulk_goes_on_past_a_bad_order,
    permissions => support_may_not_refund_but_may_cancel_and_note,
}
