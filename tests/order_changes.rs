//! Changing orders on every backend: the lifecycle, cancel with restock,
//! refund limits, preview-then-commit and concurrent operators.

mod common;

use backoffice_core::db::Backend;
use backoffice_core::orders::{apply, commit, preview, show, OrderChange, OrderStatus};
use backoffice_core::session::Ctx;
use backoffice_core::{Error, ErrorCode};
use backoffice_testkit::each_backend;
use common::shop::{audit_count, count, shop, stock, to, BIG};
use common::{console, now};

async fn the_lifecycle_step_by_step(backend: Backend) {
    let c = console(backend).await;
    shop(&c.t).await;
    let ctx = Ctx::at(&c.db, &c.support, now());
    let steps = [
        OrderStatus::Paid,
        OrderStatus::Packed,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
    ];
    for (i, status) in steps.into_iter().enumerate() {
        let o = apply(&ctx, 1, i as i64 + 1, to(status), None)
            .await
            .unwrap_or_else(|e| panic!("→ {status}: {e}"));
        assert_eq!(o.status, status);
        assert_eq!(o.version, i as i64 + 2);
    }
    let o = show(&ctx, 1).await.unwrap().order;
    for t in [o.paid_at, o.packed_at, o.shipped_at, o.delivered_at] {
        assert_eq!(t, Some(now()));
    }
    assert_eq!(count(&c, "order_events", 1).await, 5);

    // Illegal moves are refused with the reason and write nothing.
    let audits = audit_count(&c).await;
    let refusals = [
        (
            1,
            5,
            OrderChange::Cancel,
            "a delivered order cannot be cancelled; refund it instead",
        ),
        (
            4,
            1,
            OrderChange::Cancel,
            "a shipped order cannot be cancelled; refund it instead",
        ),
        (
            3,
            1,
            to(OrderStatus::Delivered),
            "a packed order must be shipped before it can be delivered",
        ),
        (
            4,
            1,
            to(OrderStatus::Paid),
            "a shipped order cannot go back to paid",
        ),
        (
            6,
            1,
            to(OrderStatus::Paid),
            "a cancelled order is closed: it cannot become paid",
        ),
        (
            7,
            1,
            to(OrderStatus::Shipped),
            "a refunded order is closed: it cannot become shipped",
        ),
        (
            5,
            1,
            to(OrderStatus::Refunded),
            "an order becomes refunded when its whole amount is refunded: refund it instead",
        ),
        (
            2,
            1,
            to(OrderStatus::Pending),
            "a paid order cannot go back to pending",
        ),
    ];
    for (id, version, change, why) in refusals {
        let e = apply(&ctx, id, version, change, None).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::Validation, "{id}");
        assert_eq!(e.to_string(), why);
    }
    assert_eq!(audit_count(&c).await, audits);
    // Transitioning to cancelled is a cancel, with its restock.
    let before = stock(&c, 1).await;
    let e = apply(&ctx, 6, 1, to(OrderStatus::Cancelled), None)
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "the order is already cancelled");
    let e = apply(&ctx, 2, 1, to(OrderStatus::Cancelled), None)
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("say why you cancel the order"),
        "{e}"
    );
    let o = apply(
        &ctx,
        2,
        1,
        to(OrderStatus::Cancelled),
        Some("asked by phone"),
    )
    .await
    .unwrap();
    assert_eq!(o.status, OrderStatus::Cancelled);
    assert_eq!(stock(&c, 1).await, before + 1);
}

async fn cancel_previews_then_restocks(backend: Backend) {
    let c = console(backend).await;
    shop(&c.t).await;
    let ctx = Ctx::at(&c.db, &c.support, now());
    let p = preview(&ctx, 2, 1, OrderChange::Cancel).await.unwrap();
    assert_eq!(p.status_after, OrderStatus::Cancelled);
    assert_eq!(p.sets.as_deref(), Some("cancelled_at"));
    let stock_view: Vec<(&str, i64, i64)> = p
        .stock
        .iter()
        .map(|s| (s.sku.as_str(), s.before, s.after))
        .collect();
    assert_eq!(stock_view, [("MUG-1", 10, 11), ("TEE-1", 5, 6)]);
    assert!(
        p.warnings[0].contains("refund it separately"),
        "{:?}",
        p.warnings
    );
    // The preview wrote nothing.
    assert_eq!(stock(&c, 1).await, 10);
    assert_eq!(count(&c, "order_events", 2).await, 1);

    let o = commit(&ctx, &p, Some("customer changed mind"))
        .await
        .unwrap();
    assert_eq!(o.status, OrderStatus::Cancelled);
    assert_eq!(o.cancelled_at, Some(now()));
    assert_eq!((stock(&c, 1).await, stock(&c, 2).await), (11, 6));
    assert_eq!(count(&c, "order_events", 2).await, 2);
    let story = show(&ctx, 2).await.unwrap();
    let audit = story.timeline.iter().find(|e| e.kind == "audit").unwrap();
    assert_eq!(audit.text, "order.cancel (customer changed mind)");
    // The same preview cannot be committed twice.
    let e = commit(&ctx, &p, None).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict);
    assert_eq!(stock(&c, 1).await, 11);
}

async fn a_preview_commits_exactly_or_conflicts(backend: Backend) {
    let c = console(backend).await;
    shop(&c.t).await;
    let ctx = Ctx::at(&c.db, &c.support, now());
    let p = preview(&ctx, 1, 1, OrderChange::Cancel).await.unwrap();
    assert_eq!(p.stock[0].after, 12);
    // Someone restocks mugs between the preview and the commit.
    c.t.exec("UPDATE products SET stock = 30 WHERE id = 1")
        .await;
    let e = commit(&ctx, &p, None).await.unwrap_err();
    let Error::Stale { message, current } = &e else {
        panic!("expected a stale preview, got {e}");
    };
    assert!(
        message.contains("the stock of MUG-1 is now 30 (the preview said 10)"),
        "{message}"
    );
    assert_eq!(current["stock"][0]["after"], 32);
    assert_eq!(
        show(&ctx, 1).await.unwrap().order.status,
        OrderStatus::Pending
    );
    assert_eq!(stock(&c, 1).await, 30);
    // A preview of a version that is gone is refused up front.
    let e = preview(&ctx, 3, 7, OrderChange::Cancel).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict);
    assert!(e.to_string().contains("you saw version 7"), "{e}");
}

async fn refunds_never_exceed_what_was_paid(backend: Backend) {
    let c = console(backend).await;
    shop(&c.t).await;
    let admin = Ctx::at(&c.db, &c.admin, now());
    let support = Ctx::at(&c.db, &c.support, now());
    let refund = |amount| OrderChange::Refund {
        amount_cents: amount,
    };
    let e = apply(&support, 5, 1, refund(Some(100)), Some("x"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Forbidden);
    let e = preview(&support, 5, 1, refund(None)).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Forbidden);
    let e = apply(&admin, 5, 1, refund(Some(100)), None)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("reason is required"), "{e}");
    let e = apply(&admin, 5, 1, refund(Some(2001)), Some("x"))
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot refund 20.01 EUR: only 20.00 EUR of the 20.00 EUR paid is left to refund"
    );
    let e = apply(&admin, 5, 1, refund(Some(0)), Some("x"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Validation);
    let e = apply(&admin, 1, 1, refund(None), Some("x"))
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "a pending order has not been paid; cancel it instead"
    );
    let e = apply(&admin, 6, 1, refund(None), Some("x"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("never paid"), "{e}");

    let partial = apply(&admin, 5, 1, refund(Some(500)), Some("scratched"))
        .await
        .unwrap();
    assert_eq!(partial.status, OrderStatus::Delivered);
    let p = preview(&admin, 5, 2, refund(None)).await.unwrap();
    assert_eq!(
        (p.refunded_cents, p.refund_cents, p.refundable_after_cents),
        (500, 1500, 0)
    );
    assert_eq!(p.status_after, OrderStatus::Refunded);
    let full = commit(&admin, &p, Some("returned")).await.unwrap();
    assert_eq!(full.status, OrderStatus::Refunded);
    assert_eq!(full.refunded_at, Some(now()));
    assert_eq!(count(&c, "refunds", 5).await, 2);
    let e = apply(&admin, 5, 3, refund(Some(1)), Some("x"))
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "order 5 is already refunded in full");

    // Amounts near the 64-bit limit: partial then full, no overflow.
    apply(&admin, 9, 1, refund(Some(BIG - 1)), Some("big"))
        .await
        .unwrap();
    let last = preview(&admin, 9, 2, refund(None)).await.unwrap();
    assert_eq!(last.refund_cents, 1);
    let e = apply(&admin, 9, 2, refund(Some(i64::MAX)), Some("x"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Validation);
    let done = commit(&admin, &last, Some("rest")).await.unwrap();
    assert_eq!(done.status, OrderStatus::Refunded);
    assert_eq!(show(&admin, 9).await.unwrap().refunded_cents, BIG);
}

async fn two_operators_cancel_the_same_order(backend: Backend) {
    let c = console(backend).await;
    shop(&c.t).await;
    let a = Ctx::at(&c.db, &c.admin, now());
    let b = Ctx::at(&c.db, &c.support, now());
    let (x, y) = tokio::join!(
        apply(&a, 3, 1, OrderChange::Cancel, Some("fraud")),
        apply(&b, 3, 1, OrderChange::Cancel, Some("customer asked"))
    );
    let wins = [x.is_ok(), y.is_ok()].iter().filter(|w| **w).count();
    assert_eq!(wins, 1, "{x:?} / {y:?}");
    let loser = x.err().or(y.err()).unwrap();
    assert_eq!(loser.code(), ErrorCode::Conflict, "{loser}");
    assert_eq!(stock(&c, 2).await, 7, "restocked exactly once");
    assert_eq!(count(&c, "order_events", 3).await, 2);
}

each_backend! {
    lifecycle => the_lifecycle_step_by_step,
    cancel => cancel_previews_then_restocks,
    preview_conflict => a_preview_commits_exactly_or_conflicts,
    refunds => refunds_never_exceed_what_was_paid,
    concurrent_cancel => two_operators_cancel_the_same_order,
}
