//! Changes to the orders of a django-oscar shop made by Oscar's own
//! migrations (tests/fixtures/django/shop_orders.py), through the detected
//! mapping: moves its pipeline allows, cancel with the allocation released
//! as Oscar releases it (judged by Oscar's own code on a second copy),
//! notes in Oscar's table (or the console's where a mapping has none),
//! refunds kept by the console, and their dry runs.

mod common;

use backoffice_core::db::Backend;
use backoffice_core::mapping::detect::detect;
use backoffice_core::orders::mapped::story::show;
use backoffice_core::orders::mapped::{
    add_note, apply, preview, refund, refund_preview, MappedChange,
};
use backoffice_core::session::Ctx;
use backoffice_core::ErrorCode;
use backoffice_testkit::{each_backend, TestDb};
use common::mapped::operators;
use common::now;

/// An integer column as every backend hands out a 64-bit one.
fn int(t: &TestDb, expr: &str) -> String {
    match t.backend {
        Backend::Postgres => format!("CAST({expr} AS BIGINT)"),
        Backend::Mysql => format!("CAST({expr} AS SIGNED)"),
        Backend::Sqlite => expr.to_string(),
    }
}

/// (num_in_stock, num_allocated) of the stock record for this UPC.
async fn stock(t: &TestDb, upc: &str) -> (i64, i64) {
    let of = |c: &str| {
        format!(
            "SELECT {} FROM partner_stockrecord s JOIN catalogue_product p \
             ON p.id = s.product_id WHERE p.upc = '{upc}'",
            int(t, &format!("s.{c}"))
        )
    };
    (
        t.scalar(&of("num_in_stock")).await,
        t.scalar(&of("num_allocated")).await,
    )
}

async fn oscar_orders_move_and_cancel_as_oscar_does(backend: Backend) {
    let t = TestDb::fixture(backend, "oscar").await;
    let (db, admin, _) = operators(&t).await;
    let m = detect(&db).await.unwrap().mapping;
    let ctx = Ctx::at(&db, &admin, now());
    let seen = show(&ctx, &m, "100001").await.unwrap().version;
    let to = |w: &str| MappedChange::Transition { to: w.into() };

    // Only what the pipeline allows, said in its words.
    let err = apply(&ctx, &m, "100001", &seen, to("Shipped"), None)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a Pending order cannot become Shipped; it can become Being processed or Cancelled"
    );
    let moved = apply(&ctx, &m, "100001", &seen, to("Being processed"), None)
        .await
        .unwrap();
    assert_eq!(moved.status, "Being processed");
    // Oscar's own history row, as set_status writes it.
    let history = |c: &str| {
        format!(
            "SELECT c.{c} FROM order_orderstatuschange c JOIN order_order o \
             ON o.id = c.order_id WHERE o.number = '100001'"
        )
    };
    assert_eq!(t.texts(&history("old_status")).await, ["Pending"]);
    assert_eq!(t.texts(&history("new_status")).await, ["Being processed"]);
    // The version the operator saw is gone: refused, nothing written.
    let stale = apply(&ctx, &m, "100001", &seen, to("Shipped"), None)
        .await
        .unwrap_err();
    assert_eq!(stale.code(), ErrorCode::Conflict);
    assert!(
        stale.to_string().contains("was changed by someone else"),
        "{stale}"
    );

    // Cancel: a reason, then the allocation released as Oscar releases it.
    let seen = show(&ctx, &m, "100001").await.unwrap().version;
    let err = apply(&ctx, &m, "100001", &seen, MappedChange::Cancel, None)
        .await
        .unwrap_err();
    assert!(
        err.to_string().starts_with("say why you cancel an order"),
        "{err}"
    );
    assert_eq!(stock(&t, "TEA-001").await, (40, 3));
    assert_eq!(stock(&t, "MUG-002").await, (1, 3));
    // The preview says what would happen, and nothing happens.
    let p = preview(&ctx, &m, "100001", &seen, MappedChange::Cancel)
        .await
        .unwrap();
    assert_eq!(
        (p.status_before.as_str(), p.status_after.as_str()),
        ("Being processed", "Cancelled")
    );
    assert_eq!(p.stock.len(), 2, "{:?}", p.stock);
    assert!(
        p.stock[0].contains(": 2 released from the allocation"),
        "{:?}",
        p.stock
    );
    assert_eq!(stock(&t, "TEA-001").await, (40, 3));
    let cancelled = apply(
        &ctx,
        &m,
        "100001",
        &seen,
        MappedChange::Cancel,
        Some("customer asked"),
    )
    .await
    .unwrap();
    assert_eq!(cancelled.status, "Cancelled");
    assert_eq!(stock(&t, "TEA-001").await, (40, 1));
    assert_eq!(stock(&t, "MUG-002").await, (1, 2));
    let lines = format!(
        "SELECT {} FROM order_line l JOIN order_order o ON o.id = l.order_id \
         WHERE o.number = '100001'",
        int(&t, "SUM(l.num_allocated)")
    );
    assert_eq!(t.scalar(&lines).await, 0);
    let action = t
        .texts("SELECT action FROM backoffice_audit_log ORDER BY id DESC LIMIT 1")
        .await;
    assert_eq!(action, ["order.cancel"]);

    // A shipped order cannot be cancelled in this pipeline.
    let shipped = show(&ctx, &m, "100003").await.unwrap().version;
    let err = apply(
        &ctx,
        &m,
        "100003",
        &shipped,
        MappedChange::Cancel,
        Some("late"),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a Shipped order cannot be cancelled in this shop's lifecycle"
    );

    // A note goes into Oscar's own table, typed as Oscar types it.
    add_note(&ctx, &m, "100003", "Rang the customer")
        .await
        .unwrap();
    let types = t
        .texts(
            "SELECT n.note_type FROM order_ordernote n JOIN order_order o \
             ON o.id = n.order_id WHERE o.number = '100003' AND n.date_updated IS NOT NULL",
        )
        .await;
    assert_eq!(types, ["Info", "Info"]);
    let told = show(&ctx, &m, "100003").await.unwrap();
    assert!(told
        .timeline
        .iter()
        .any(|e| e.kind == "note" && e.text == "Rang the customer"));
    let empty = add_note(&ctx, &m, "100003", "  ").await.unwrap_err();
    assert_eq!(empty.to_string(), "the note is empty");

    // Two operators at once on the same version: exactly one lands.
    let seen = show(&ctx, &m, "100002").await.unwrap().version;
    let (a, b) = tokio::join!(
        apply(&ctx, &m, "100002", &seen, to("Shipped"), None),
        apply(
            &ctx,
            &m,
            "100002",
            &seen,
            MappedChange::Cancel,
            Some("duplicate")
        ),
    );
    assert_eq!(a.is_ok() as u8 + b.is_ok() as u8, 1, "{a:?} {b:?}");
}

/// Oscar itself is the judge: one copy cancelled by the console, another
/// by Oscar's own code (tests/fixtures/django/oscar_orders.py), and Oscar
/// reads the same orders and stock from both.
async fn a_cancel_leaves_what_oscars_own_cancel_leaves(backend: Backend) {
    let by_console = TestDb::fixture(backend, "oscar").await;
    let (db, admin, _) = operators(&by_console).await;
    let m = detect(&db).await.unwrap().mapping;
    // Oscar orders its history by time: the console writes at the real one.
    let ctx = Ctx::at(&db, &admin, chrono::Utc::now());
    for number in ["100001", "100002"] {
        let seen = show(&ctx, &m, number).await.unwrap().version;
        apply(&ctx, &m, number, &seen, MappedChange::Cancel, Some("test"))
            .await
            .unwrap();
    }
    db.close().await;
    let by_oscar = TestDb::fixture(backend, "oscar").await;
    for number in ["100001", "100002"] {
        by_oscar.framework_script("django", "oscar_orders.py", &["cancel", number]);
    }
    let console = by_console.framework_script("django", "oscar_orders.py", &[]);
    let oscar = by_oscar.framework_script("django", "oscar_orders.py", &[]);
    assert_eq!(console, oscar);
    assert_eq!(console["stock"]["TEA-001"], serde_json::json!([40, 0]));
}

/// Oscar keeps no refund records: the console keeps them, says so, and
/// never refunds more than the order's total.
async fn oscar_refunds_are_kept_by_the_console(backend: Backend) {
    let t = TestDb::fixture(backend, "oscar").await;
    let (db, admin, support) = operators(&t).await;
    let m = detect(&db).await.unwrap().mapping;
    let ctx = Ctx::at(&db, &admin, now());
    let seen = || async { show(&ctx, &m, "100003").await.unwrap().version };

    let pending = show(&ctx, &m, "100001").await.unwrap().version;
    let err = refund(&ctx, &m, "100001", &pending, None, Some("x"))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a Pending order cannot be refunded in this shop's lifecycle"
    );
    let v = seen().await;
    let err = refund(&ctx, &m, "100003", &v, Some(1000), None)
        .await
        .unwrap_err();
    assert!(
        err.to_string().starts_with("say why you refund an order"),
        "{err}"
    );
    let sctx = Ctx::at(&db, &support, now());
    let err = refund(&sctx, &m, "100003", &v, Some(1000), Some("x"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden);

    // A dry run plans what the refund would record, and records nothing.
    let p = refund_preview(&ctx, &m, "100003", &v, Some(1000))
        .await
        .unwrap();
    let r = p.refund.as_ref().unwrap();
    assert_eq!(
        (r.amount, r.refunded_before, r.refundable_after),
        (1000, 0, 1400)
    );
    assert!(r.kept_by_console);
    assert_eq!(
        (p.status_before.as_str(), p.status_after.as_str()),
        ("Shipped", "Shipped")
    );
    let err = refund_preview(&ctx, &m, "100003", &v, Some(2401))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "refund between 0.01 GBP and 24.00 GBP (what is left of 24.00 GBP)"
    );
    let err = refund_preview(&ctx, &m, "100003", "not-what-was-seen", Some(1))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
    assert_eq!(t.scalar("SELECT COUNT(*) FROM backoffice_refunds").await, 0);

    let done = refund(&ctx, &m, "100003", &v, Some(1000), Some("scratched mug"))
        .await
        .unwrap();
    assert_eq!(done.len(), 1);
    assert!(done[0].kept_by_console && done[0].amount == 1000);
    assert_eq!(t.scalar("SELECT COUNT(*) FROM backoffice_refunds").await, 1);
    let st = show(&ctx, &m, "100003").await.unwrap();
    assert_eq!((st.refunded, st.refundable), (1000, Some(1400)));
    assert!(st
        .timeline
        .iter()
        .any(|e| e.kind == "refund" && e.text == "refunded 10.00 GBP: scratched mug"));
    let err = refund(&ctx, &m, "100003", &st.version, Some(1401), Some("x"))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "refund between 0.01 GBP and 14.00 GBP (what is left of 24.00 GBP)"
    );
    let all = refund(&ctx, &m, "100003", &st.version, None, Some("lost in post"))
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|r| r.amount).collect::<Vec<_>>(),
        [1000, 1400]
    );
    let err = refund(&ctx, &m, "100003", &st.version, None, Some("again"))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("refunded in full already"),
        "{err}"
    );
    // Nothing of Oscar's was written for a refund.
    assert_eq!(
        t.texts("SELECT status FROM order_order WHERE number = '100003'")
            .await,
        ["Shipped"]
    );
}

/// A mapping without a notes table (as Solidus has none): the console
/// keeps the note, in one transaction with its audit entry, and the story
/// shows it as the console's.
async fn notes_are_kept_by_the_console_where_the_back_end_has_none(backend: Backend) {
    let t = TestDb::fixture(backend, "oscar").await;
    let (db, admin, support) = operators(&t).await;
    let mut m = detect(&db).await.unwrap().mapping;
    m.notes = None;
    let oscar_notes = "SELECT COUNT(*) FROM order_ordernote";
    let before = t.scalar(oscar_notes).await;
    let ctx = Ctx::at(&db, &support, now());
    let note = add_note(&ctx, &m, "100002", "Customer rang about delivery")
        .await
        .unwrap();
    assert_eq!(note.operator, support.username());
    assert_eq!(t.scalar(oscar_notes).await, before, "nothing of Oscar's");
    assert_eq!(
        t.texts("SELECT body FROM backoffice_order_notes").await,
        ["Customer rang about delivery"]
    );
    let err = add_note(&ctx, &m, "999999", "lost").await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound, "{err}");
    assert_eq!(
        t.scalar("SELECT COUNT(*) FROM backoffice_order_notes")
            .await,
        1
    );

    let st = show(&Ctx::at(&db, &admin, now()), &m, "100002")
        .await
        .unwrap();
    let notes: Vec<_> = st.timeline.iter().filter(|e| e.kind == "note").collect();
    assert_eq!(notes.len(), 1, "{:?}", st.timeline);
    assert_eq!(notes[0].text, "Customer rang about delivery");
    assert_eq!(notes[0].operator, support.username());
    assert!(st
        .not_kept
        .iter()
        .any(|n| n == "the back end keeps no order notes: notes are the console's own"));
    assert!(
        st.timeline.iter().any(|e| e.kind == "audit"),
        "the note's audit entry: {:?}",
        st.timeline
    );
}

each_backend! {
    notes => notes_are_kept_by_the_console_where_the_back_end_has_none,
    refunds => oscar_refunds_are_kept_by_the_console,
    changes => oscar_orders_move_and_cancel_as_oscar_does,
    judged => a_cancel_leaves_what_oscars_own_cancel_leaves,
}
