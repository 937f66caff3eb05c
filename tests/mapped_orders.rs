//! Orders of a django-oscar shop made by Oscar's own migrations, with orders
//! placed through its models (tests/fixtures/django/shop_orders.py), read
//! through the detected mapping: the list with its filters, and each
//! order's story with the back end's own status words, history and notes.

mod common;

use backoffice_core::db::Backend;
use backoffice_core::mapping::detect::detect;
use backoffice_core::mapping::Mapping;
use backoffice_core::orders::mapped::story::show;
use backoffice_core::orders::mapped::{apply, search, MappedChange, MappedOrder, MappedOrderQuery};
use backoffice_core::page::PageRequest;
use backoffice_core::session::Ctx;
use backoffice_core::ErrorCode;
use backoffice_testkit::{each_backend, TestDb};
use common::mapped::operators;
use common::now;

async fn numbers(ctx: &Ctx<'_>, m: &Mapping, q: MappedOrderQuery) -> Vec<String> {
    let page = search(ctx, m, &q, &PageRequest::first(50)).await.unwrap();
    page.items.into_iter().map(|o| o.number).collect()
}

async fn oscar_orders_are_listed_and_told(backend: Backend) {
    let t = TestDb::fixture(backend, "oscar").await;
    let (db, admin, support) = operators(&t).await;
    let m = detect(&db).await.unwrap().mapping;
    let ctx = Ctx::at(&db, &admin, now());

    // Newest key first, each with Oscar's own status word and its total
    // read exactly from the decimal column.
    let all = search(
        &ctx,
        &m,
        &MappedOrderQuery::default(),
        &PageRequest::first(50),
    )
    .await
    .unwrap()
    .items;
    let seen: Vec<(&str, &str, Option<i64>)> = all
        .iter()
        .map(|o| (o.number.as_str(), o.status.as_str(), o.total))
        .collect();
    assert_eq!(
        seen,
        [
            ("100004", "Cancelled", Some(1745)),
            ("100003", "Shipped", Some(2400)),
            ("100002", "Being processed", Some(9999)),
            ("100001", "Pending", Some(2495)),
        ]
    );
    let guest: &MappedOrder = &all[1];
    assert_eq!(
        (guest.customer.as_deref(), guest.email.as_str()),
        (None, "guest@example.org")
    );
    assert_eq!(all[3].email, "ada@example.com");
    assert!(all
        .iter()
        .all(|o| o.currency == "GBP" && o.problem.is_none()));

    // Pages in key order.
    let first = search(
        &ctx,
        &m,
        &MappedOrderQuery::default(),
        &PageRequest::first(3),
    )
    .await
    .unwrap();
    let rest = search(
        &ctx,
        &m,
        &MappedOrderQuery::default(),
        &PageRequest {
            after: first.next.clone(),
            limit: Some(3),
        },
    )
    .await
    .unwrap();
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.items[0].number, "100001");

    // Filters: the shop's own words, a customer by address (any case, the
    // guest's too) or by key, and the day placed.
    let by = |statuses: &[&str]| MappedOrderQuery {
        statuses: statuses.iter().map(|s| s.to_string()).collect(),
        ..MappedOrderQuery::default()
    };
    assert_eq!(
        numbers(&ctx, &m, by(&["Shipped", "Pending"])).await,
        ["100003", "100001"]
    );
    let err = search(&ctx, &m, &by(&["shipped"]), &PageRequest::first(5))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);
    assert!(
        err.to_string()
            .contains("'shipped' is not a status of this shop; it has Pending, Being processed"),
        "{err}"
    );
    let customer = |c: &str| MappedOrderQuery {
        customer: Some(c.into()),
        ..MappedOrderQuery::default()
    };
    assert_eq!(
        numbers(&ctx, &m, customer("Ada@Example.com")).await,
        ["100004", "100001"]
    );
    assert_eq!(
        numbers(&ctx, &m, customer("GUEST@example.org")).await,
        ["100003"]
    );
    let ada_key = all[3].customer.clone().unwrap();
    assert_eq!(
        numbers(&ctx, &m, customer(&ada_key)).await,
        ["100004", "100001"]
    );
    let tomorrow = MappedOrderQuery {
        placed_from: Some(chrono::Utc::now() + chrono::Duration::days(1)),
        ..MappedOrderQuery::default()
    };
    assert!(numbers(&ctx, &m, tomorrow).await.is_empty());
    let since_yesterday = MappedOrderQuery {
        placed_from: Some(chrono::Utc::now() - chrono::Duration::days(1)),
        ..MappedOrderQuery::default()
    };
    assert_eq!(numbers(&ctx, &m, since_yesterday).await.len(), 4);

    // The story of the planted mismatch: 1 × 4.50 + 3.95 shipping ≠ 99.99.
    let st = show(&ctx, &m, "100002").await.unwrap();
    assert_eq!(st.items.len(), 1);
    assert_eq!(
        (
            st.items[0].title.as_str(),
            st.items[0].quantity,
            st.items[0].line_total
        ),
        ("Breakfast tea", 1, Some(450))
    );
    assert_eq!(st.shipping, Some(395));
    assert_eq!(
        st.mismatches,
        ["the total is 99.99 GBP but the lines and shipping come to 8.45 GBP"]
    );
    assert_eq!(st.moves, ["Shipped", "Cancelled"]);
    let status: Vec<&str> = st
        .timeline
        .iter()
        .filter(|e| e.kind == "status")
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(status, ["Pending → Being processed"]);
    // Found by its key as well as its number; the version is stable.
    let by_key = show(&ctx, &m, &st.order.key).await.unwrap();
    assert_eq!(by_key.version, st.version);

    // Oscar's history and note for the shipped order, oldest first.
    let shipped = show(&ctx, &m, "100003").await.unwrap();
    assert!(shipped.mismatches.is_empty(), "{:?}", shipped.mismatches);
    let texts: Vec<(&str, &str)> = shipped
        .timeline
        .iter()
        .map(|e| (e.kind, e.text.as_str()))
        .collect();
    assert_eq!(
        texts,
        [
            ("status", "Pending → Being processed"),
            ("status", "Being processed → Shipped"),
            ("note", "Left with the neighbour at no. 12"),
        ]
    );
    assert_eq!(shipped.moves, ["Complete"]);
    assert!(show(&ctx, &m, "100004").await.unwrap().moves.is_empty());

    let missing = show(&ctx, &m, "999999").await.unwrap_err();
    assert_eq!(missing.code(), ErrorCode::NotFound);
    assert!(missing
        .to_string()
        .contains("no order has the number or key '999999'"));

    // Support sees the customer's address masked.
    let sctx = Ctx::at(&db, &support, now());
    let masked = show(&sctx, &m, "100001").await.unwrap();
    assert_eq!(masked.order.email, "a•••@example.com");
    assert!(masked.order.email_masked);
}

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

each_backend! {
    oscar => oscar_orders_are_listed_and_told,
    oscar_changes => oscar_orders_move_and_cancel_as_oscar_does,
}
