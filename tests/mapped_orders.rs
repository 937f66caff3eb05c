//! Orders of a django-oscar shop made by Oscar's own migrations, with orders
//! placed through its models (tests/fixtures/django/shop_orders.py), read
//! through the detected mapping: the list with its filters, and each
//! order's story with the back end's own status words, history and notes.

mod common;

use backoffice_core::dashboard::{dashboard, StatusCount};
use backoffice_core::db::Backend;
use backoffice_core::mapping::detect::detect;
use backoffice_core::mapping::Mapping;
use backoffice_core::orders::mapped::story::show;
use backoffice_core::orders::mapped::{search, MappedOrder, MappedOrderQuery};
use backoffice_core::page::PageRequest;
use backoffice_core::session::Ctx;
use backoffice_core::ErrorCode;
use backoffice_testkit::{each_backend, TestDb};
use common::mapped::{all_orders, operators};
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
    let all = all_orders(&ctx, &m).await;
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

    // The dashboard counts orders by Oscar's own status words, and users
    // by the states the mapping reads.
    let d = dashboard(&ctx, Some(&m)).await.unwrap();
    let counted = |c: &Option<Vec<StatusCount>>| -> Vec<(String, i64)> {
        c.iter()
            .flatten()
            .map(|c| (c.status.clone(), c.count))
            .collect()
    };
    assert_eq!(
        counted(&d.orders_by_status),
        [
            ("Being processed".to_string(), 1),
            ("Cancelled".to_string(), 1),
            ("Pending".to_string(), 1),
            ("Shipped".to_string(), 1),
        ]
    );
    let users = counted(&d.users_by_status);
    let of = |state: &str| users.iter().find(|(s, _)| s == state).map_or(0, |c| c.1);
    assert_eq!(of("disabled"), 1, "{users:?}");
    assert!(of("active") >= 2, "{users:?}");
    assert!(d.unmapped.is_empty());
}

each_backend! {
    oscar => oscar_orders_are_listed_and_told,
}
