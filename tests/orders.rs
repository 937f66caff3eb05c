//! Finding and reading orders on every backend: filters, keyset pages with
//! ties, the order story with its totals check and timeline, and CSV.

mod common;

use backoffice_core::db::Backend;
use backoffice_core::orders::{
    add_note, apply, export_csv, list, show, OrderChange, OrderQuery, OrderSort, OrderStatus,
};
use backoffice_core::page::PageRequest;
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::session::Ctx;
use backoffice_core::validation::{run, Params};
use backoffice_core::ErrorCode;
use backoffice_testkit::each_backend;
use chrono::Duration;
use common::shop::{shop, BIG};
use common::{console, days, now, t0};

/// Every page of a query, as ids.
async fn all_pages(ctx: &Ctx<'_>, query: &OrderQuery, limit: u32) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut after = None;
    loop {
        let page = list(
            ctx,
            query,
            &PageRequest {
                after: after.clone(),
                limit: Some(limit),
            },
        )
        .await
        .unwrap();
        assert!(page.items.len() <= limit as usize);
        ids.extend(page.items.iter().map(|o| o.id));
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    ids
}

async fn filters_and_keyset_pages(backend: Backend) {
    let c = console(backend).await;
    shop(&c.t).await;
    let ctx = Ctx::at(&c.db, &c.support, now());
    let q = |f: fn(&mut OrderQuery)| {
        let mut q = OrderQuery::default();
        f(&mut q);
        q
    };

    // Newest first; orders 1, 2 and 6 tie on placed_at and come by id.
    let all = all_pages(&ctx, &OrderQuery::default(), 2).await;
    assert_eq!(all, vec![10, 9, 8, 7, 5, 4, 3, 6, 2, 1]);
    let oldest = all_pages(&ctx, &q(|q| q.ascending = true), 3).await;
    assert_eq!(oldest, vec![1, 2, 6, 3, 4, 5, 7, 8, 9, 10]);
    // By total: 1250 ties three ways (4, 6, 7).
    let by_total = all_pages(
        &ctx,
        &q(|q| {
            q.sort = OrderSort::Total;
            q.ascending = true;
        }),
        2,
    )
    .await;
    assert_eq!(by_total, vec![10, 4, 6, 7, 8, 5, 1, 2, 3, 9]);

    let first = list(&ctx, &OrderQuery::default(), &PageRequest::first(3))
        .await
        .unwrap();
    assert_eq!(first.total.unwrap().count, 10);
    assert!(!first.total.unwrap().capped);
    // Support sees customers' emails masked.
    assert_eq!(first.items[2].customer_email, "x•••@y.io");
    // A cursor from one sort order is refused by the other.
    let by_total_q = q(|q| q.sort = OrderSort::Total);
    let e = list(
        &ctx,
        &by_total_q,
        &PageRequest {
            after: first.next.clone(),
            limit: Some(3),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Validation);

    let ids = |q: OrderQuery| {
        let ctx = &ctx;
        async move { all_pages(ctx, &q, 50).await }
    };
    let two = q(|q| q.statuses = vec![OrderStatus::Paid, OrderStatus::Packed]);
    assert_eq!(ids(two).await, vec![3, 2]);
    // Several statuses are read per status and merged, across pages.
    let mixed = q(|q| {
        q.statuses = vec![
            OrderStatus::Pending,
            OrderStatus::Delivered,
            OrderStatus::Pending,
        ]
    });
    assert_eq!(all_pages(&ctx, &mixed, 2).await, vec![10, 9, 8, 5, 1]);
    let mixed_by_total = q(|q| {
        q.statuses = vec![OrderStatus::Delivered, OrderStatus::Pending];
        q.sort = OrderSort::Total;
        q.ascending = true;
    });
    assert_eq!(
        all_pages(&ctx, &mixed_by_total, 1).await,
        vec![10, 8, 5, 1, 9]
    );
    let by_email = OrderQuery {
        customer: Some("ANN.LEE@example.com".into()),
        ..OrderQuery::default()
    };
    assert_eq!(ids(by_email).await, vec![9, 2, 1]);
    let by_id = OrderQuery {
        customer: Some("2".into()),
        ..OrderQuery::default()
    };
    assert_eq!(ids(by_id).await, vec![10, 4, 3]);
    let usd = q(|q| q.currency = Some("usd".into()));
    assert_eq!(ids(usd).await, vec![8]);
    let band = q(|q| {
        q.total_min = Some(1600);
        q.total_max = Some(3250);
    });
    assert_eq!(ids(band).await, vec![8, 5, 2, 1]);
    let range = OrderQuery {
        placed_from: Some(t0() + days(11)),
        placed_until: Some(t0() + days(13)),
        ..OrderQuery::default()
    };
    assert_eq!(ids(range).await, vec![4, 3]);

    // After a validation run, the orders with open findings.
    let admin = Ctx::at(&c.db, &c.admin, now());
    let only = ["orders.total_mismatch".to_string()];
    run(
        &admin,
        &only,
        &Params::at(now()),
        &NoProgress,
        &CancelToken::new(),
    )
    .await
    .unwrap();
    let flagged = q(|q| q.has_open_findings = true);
    assert_eq!(ids(flagged).await, vec![8]);

    // Bad filters get reasons.
    let backwards = OrderQuery {
        placed_from: Some(t0() + days(13)),
        placed_until: Some(t0() + days(11)),
        ..OrderQuery::default()
    };
    let e = list(&ctx, &backwards, &PageRequest::first(5))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("backwards"), "{e}");
    let nobody = OrderQuery {
        customer: Some("nobody@example.com".into()),
        ..OrderQuery::default()
    };
    let e = list(&ctx, &nobody, &PageRequest::first(5))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    let bad_currency = q(|q| q.currency = Some("EURO".into()));
    let e = list(&ctx, &bad_currency, &PageRequest::first(5))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Validation);
}

async fn the_story_has_everything_in_time_order(backend: Backend) {
    let c = console(backend).await;
    shop(&c.t).await;
    let support = Ctx::at(&c.db, &c.support, now());
    add_note(&support, 2, "customer asked to ship\nbefore Friday")
        .await
        .unwrap();
    let later = Ctx::at(&c.db, &c.support, now() + Duration::minutes(5));
    apply(
        &later,
        2,
        1,
        OrderChange::Transition {
            to: OrderStatus::Packed,
        },
        Some("boxed"),
    )
    .await
    .unwrap();
    let admin = Ctx::at(&c.db, &c.admin, now() + Duration::minutes(9));
    apply(
        &admin,
        2,
        2,
        OrderChange::Refund {
            amount_cents: Some(250),
        },
        Some("late"),
    )
    .await
    .unwrap();

    let s = show(&support, 2).await.unwrap();
    assert_eq!(s.order.status, OrderStatus::Packed);
    assert_eq!(s.order.version, 3);
    assert_eq!(s.customer.email, "a•••@example.com");
    assert!(s.customer.email_masked && s.customer.verified && !s.customer.locked);
    let skus: Vec<&str> = s.items.iter().map(|i| i.sku.as_str()).collect();
    assert_eq!(skus, ["MUG-1", "TEE-1"]);
    assert!(s.totals.mismatches.is_empty(), "{:?}", s.totals.mismatches);
    assert_eq!(s.paid_cents, 3250);
    assert_eq!(s.refunded_cents, 250);
    assert_eq!(s.refundable_cents, 3000);
    assert_eq!(s.notes[0].body, "customer asked to ship\nbefore Friday");
    let kinds: Vec<&str> = s.timeline.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        ["status", "note", "audit", "status", "audit", "status", "refund", "audit"]
    );
    assert!(s.timeline.windows(2).all(|w| w[0].at <= w[1].at));
    let texts: Vec<&str> = s.timeline.iter().map(|e| e.text.as_str()).collect();
    assert!(texts.contains(&"paid → packed (boxed)"), "{texts:?}");
    assert!(texts.contains(&"refund of 2.50 EUR: late"), "{texts:?}");

    // A total that disagrees with its parts, and a line that overflows
    // 64 bits, are shown rather than hidden.
    let usd = show(&support, 8).await.unwrap();
    assert_eq!(
        usd.totals.mismatches,
        ["the total says 16.00 USD, but subtotal + shipping + tax − discount is 15.00 USD"]
    );
    assert_eq!(usd.totals.expected_total_cents, Some(1500));
    let big = show(&support, 10).await.unwrap();
    assert!(
        big.totals.mismatches[0].contains(&format!("{}", 3 * i128::from(BIG))),
        "{:?}",
        big.totals.mismatches
    );
}

async fn csv_streams_the_whole_filtered_set(backend: Backend) {
    let c = console(backend).await;
    shop(&c.t).await;
    let ctx = Ctx::at(&c.db, &c.admin, now());
    let query = OrderQuery {
        currency: Some("EUR".into()),
        ..OrderQuery::default()
    };
    let mut out = Vec::new();
    let n = export_csv(&ctx, &query, &mut out, &NoProgress, &CancelToken::new())
        .await
        .unwrap();
    assert_eq!(n, 9);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 10);
    assert!(lines[0].starts_with("id,user_id,customer_email,status"));
    // Admins see emails; amounts are decimals.
    assert!(lines
        .iter()
        .any(|l| l.starts_with("2,1,ann.lee@example.com,paid,EUR,32.50")));
    assert!(lines.iter().any(|l| l.contains("40000000000000000.00")));
}

each_backend! {
    filters_and_pages => filters_and_keyset_pages,
    story => the_story_has_everything_in_time_order,
    csv => csv_streams_the_whole_filtered_set,
}
