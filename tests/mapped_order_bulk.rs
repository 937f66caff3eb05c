//! Bulk changes of a django-oscar shop's orders (made by Oscar's own
//! migrations and models) through the detected mapping: a dry run per
//! order in Oscar's words, the orders its pipeline refuses named with the
//! reason, each order then changed in its own transaction with Oscar's
//! history row and an audit entry, and an order another operator changed
//! after the dry run left alone and named.

mod common;

use backoffice_core::db::Backend;
use backoffice_core::mapping::detect::detect;
use backoffice_core::orders::mapped::story::show;
use backoffice_core::orders::mapped::{
    apply, bulk_commit, bulk_preview, MappedChange, MappedOrderQuery, MappedSelection,
};
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::session::Ctx;
use backoffice_core::ErrorCode;
use backoffice_testkit::{each_backend, TestDb};
use common::mapped::operators;
use common::now;

async fn oscar_orders_change_in_bulk(backend: Backend) {
    let t = TestDb::fixture(backend, "oscar").await;
    let (db, admin, support) = operators(&t).await;
    let m = detect(&db).await.unwrap().mapping;
    let ctx = Ctx::at(&db, &support, now());
    let cancel = CancelToken::new();
    let shipped = MappedChange::Transition {
        to: "Shipped".into(),
    };
    let status = |number: &str| format!("SELECT status FROM order_order WHERE number = '{number}'");
    let history = "SELECT COUNT(*) FROM order_orderstatuschange";
    let before = t.scalar(history).await;

    // By number: the pipeline's refusals in its own words; nothing written.
    let chosen = MappedSelection::Orders(vec!["100001".into(), "100002".into(), "100003".into()]);
    let plan = bulk_preview(&ctx, &m, &chosen, &shipped, &NoProgress, &cancel)
        .await
        .unwrap();
    let ready: Vec<&str> = plan.ready.iter().map(|r| r.order.as_str()).collect();
    assert_eq!(ready, ["100002"]);
    assert_eq!(plan.ready[0].preview.status_after, "Shipped");
    let refused: Vec<(&str, &str)> = plan
        .refused
        .iter()
        .map(|r| (r.order.as_str(), r.message.as_str()))
        .collect();
    assert_eq!(
        refused,
        [
            (
                "100001",
                "a Pending order cannot become Shipped; it can become Being processed or Cancelled"
            ),
            ("100003", "the order is already Shipped"),
        ]
    );
    assert_eq!(t.texts(&status("100002")).await, ["Being processed"]);

    // A reason is required; then each order in its own transaction, with
    // Oscar's history row and the audit entry.
    let why = bulk_commit(&ctx, &m, &plan, None, &NoProgress, &cancel)
        .await
        .unwrap_err()
        .to_string();
    assert!(why.contains("reason"), "{why}");
    let done = bulk_commit(
        &ctx,
        &m,
        &plan,
        Some("courier collected"),
        &NoProgress,
        &cancel,
    )
    .await
    .unwrap();
    assert_eq!(done[0].status.as_deref(), Some("Shipped"), "{done:?}");
    assert_eq!(t.texts(&status("100002")).await, ["Shipped"]);
    assert_eq!(t.scalar(history).await, before + 1);
    let audited = "SELECT COUNT(*) FROM backoffice_audit_log WHERE action = 'order.transition' \
                   AND reason = 'courier collected'";
    assert_eq!(t.scalar(audited).await, 1);

    // By filter, Oscar's own words: the Pending orders; one of them is
    // changed by another operator after the dry run, and is left alone.
    let pending = MappedSelection::Filter(MappedOrderQuery {
        statuses: vec!["Pending".into()],
        ..MappedOrderQuery::default()
    });
    let processing = MappedChange::Transition {
        to: "Being processed".into(),
    };
    let plan = bulk_preview(&ctx, &m, &pending, &processing, &NoProgress, &cancel)
        .await
        .unwrap();
    let ready: Vec<&str> = plan.ready.iter().map(|r| r.order.as_str()).collect();
    assert_eq!(ready, ["100001"]);
    let other = Ctx::at(&db, &admin, now());
    let seen = show(&other, &m, "100001").await.unwrap().version;
    apply(
        &other,
        &m,
        "100001",
        &seen,
        MappedChange::Cancel,
        Some("customer asked"),
    )
    .await
    .unwrap();
    let done = bulk_commit(
        &ctx,
        &m,
        &plan,
        Some("warehouse batch"),
        &NoProgress,
        &cancel,
    )
    .await
    .unwrap();
    let error = done[0].error.as_ref().expect("changed since the dry run");
    assert_eq!(error.code, ErrorCode::Conflict, "{error:?}");
    assert_eq!(t.texts(&status("100001")).await, ["Cancelled"]);

    // A selection of nothing, and a status word the shop does not have.
    let none = MappedSelection::Orders(vec![" ".into()]);
    let why = bulk_preview(&ctx, &m, &none, &processing, &NoProgress, &cancel)
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(why, "no orders are selected");
    let paid = MappedSelection::Filter(MappedOrderQuery {
        statuses: vec!["paid".into()],
        ..MappedOrderQuery::default()
    });
    let why = bulk_preview(&ctx, &m, &paid, &processing, &NoProgress, &cancel)
        .await
        .unwrap_err()
        .to_string();
    assert!(why.contains("'paid' is not a status of this shop"), "{why}");
}

each_backend! {
    oscar => oscar_orders_change_in_bulk,
}
