//! A WooCommerce shop on High-Performance Order Storage, on tables
//! transcribed from its own sources (tests/common/woocommerce.rs):
//! detection with the site's prefix, orders apart from the refunds that
//! share their table, lines whose quantity and totals are meta rows and
//! not the shipping items beside them, fee lines counted in the total,
//! shipping from the operational data, WooCommerce's own refund read from
//! its meta, a total mismatch,
//! notes written as WooCommerce writes them (dated by the site's clock),
//! every change refused with the sentence that
//! sends the operator to WooCommerce's admin, nothing written; a sweep
//! that finds exactly the planted defects.

mod common;

use backoffice_core::db::Backend;
use backoffice_core::mapping::check::check;
use backoffice_core::mapping::detect::detect;
use backoffice_core::mapping::Mapping;
use backoffice_core::orders::mapped::story::show;
use backoffice_core::orders::mapped::{add_note, by_status, search, MappedOrderQuery};
use backoffice_core::page::PageRequest;
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::session::Ctx;
use backoffice_core::validation::mapped::run;
use backoffice_testkit::{each_backend, TestDb};
use common::mapped::{all_orders, capability, changes_refused, operators, told};
use common::now;
use common::woocommerce::woocommerce_shop;

async fn woocommerce_orders_are_read_and_left_to_woocommerce(backend: Backend) {
    let t = TestDb::new(backend).await;
    woocommerce_shop(&t).await;
    let (db, admin, support) = operators(&t).await;
    let d = detect(&db).await.unwrap();
    assert_eq!(d.preset, "wordpress + woocommerce");
    let changes = capability(&d, "order changes");
    assert!(
        !changes.works && changes.detail.contains("WooCommerce's admin"),
        "{changes:?}"
    );
    let m = d.mapping;
    assert!(check(&db, &m).await.unwrap().is_empty());
    assert_eq!(
        Mapping::parse(&m.to_toml()).unwrap(),
        m,
        "the mapping's TOML"
    );
    let ctx = Ctx::at(&db, &admin, now());

    // Orders only: the refund in the same table is not one of them.
    let all = all_orders(&ctx, &m).await;
    assert_eq!(
        told(&all),
        [
            ("102", "wc-on-hold", Some(1000), "bo@example.com"),
            ("101", "wc-completed", Some(3000), "guest@example.org"),
            ("100", "wc-processing", Some(3550), "ann@example.com"),
        ]
    );
    let completed = MappedOrderQuery {
        statuses: vec!["wc-completed".into()],
        ..MappedOrderQuery::default()
    };
    let page = search(&ctx, &m, &completed, &PageRequest::first(50))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let counted: Vec<(String, i64)> = by_status(&ctx, &m)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.status, c.count))
        .collect();
    assert_eq!(
        counted,
        [
            ("wc-completed".to_string(), 1),
            ("wc-on-hold".to_string(), 1),
            ("wc-processing".to_string(), 1)
        ]
    );
    let refund_row = show(&ctx, &m, "103").await.unwrap_err().to_string();
    assert!(refund_row.contains("103"), "{refund_row}");

    // The line items only, their quantity and total from meta rows; the
    // fee beside them; the lines, fee, shipping and tax add up;
    // WooCommerce's refund, read.
    let st = show(&ctx, &m, "100").await.unwrap();
    let lines: Vec<_> = st
        .items
        .iter()
        .map(|i| {
            (
                i.title.as_str(),
                i.product.as_deref(),
                i.quantity,
                i.line_total,
            )
        })
        .collect();
    assert_eq!(lines, [("Mug", Some("10"), 2, Some(2500))]);
    let fees: Vec<_> = st
        .fees
        .iter()
        .map(|f| (f.title.as_str(), f.amount))
        .collect();
    assert_eq!(fees, [("Gift wrap", Some(300))]);
    assert_eq!(st.shipping, Some(500));
    assert!(st.mismatches.is_empty(), "{:?}", st.mismatches);
    let refunds: Vec<_> = st
        .refunds
        .iter()
        .map(|r| (r.amount, r.reason.as_str(), r.kept_by_console))
        .collect();
    assert_eq!(refunds, [(500, "Chipped mug", false)]);
    assert_eq!((st.refunded, st.refundable), (500, Some(3050)));
    assert!(st.moves.is_empty());
    assert!(
        st.not_kept
            .iter()
            .any(|n| n.contains("WooCommerce's admin")),
        "{:?}",
        st.not_kept
    );
    let guest = show(&ctx, &m, "101").await.unwrap();
    assert_eq!(
        guest.mismatches,
        ["the total is 30.00 EUR but the lines, shipping and tax come to 25.00 EUR"]
    );
    // A line keeps the name it was ordered under after its product goes.
    let gone = show(&ctx, &m, "102").await.unwrap();
    assert_eq!(gone.items[0].title, "Poster");

    // Every change is WooCommerce's own to make: refused, nothing written.
    let rows = "SELECT COUNT(*) FROM wp_wc_orders";
    let status = "SELECT status FROM wp_wc_orders ORDER BY id";
    let before = (t.scalar(rows).await, t.texts(status).await);
    let v = st.version.clone();
    changes_refused(&ctx, &m, "100", &v, "wc-completed", "WooCommerce's admin").await;
    assert_eq!((t.scalar(rows).await, t.texts(status).await), before);

    // WooCommerce's own notes are read with the order; support's is
    // written as WooCommerce writes one: an approved order_note comment,
    // dated in UTC and by the site's clock (Paris, summer time).
    let woo_note: Vec<_> = st
        .timeline
        .iter()
        .filter(|e| e.kind == "note")
        .map(|e| (e.operator.as_str(), e.text.as_str()))
        .collect();
    assert_eq!(
        woo_note,
        [(
            "WooCommerce",
            "Order status changed from Pending payment to Processing."
        )]
    );
    let sctx = Ctx::at(&db, &support, now());
    add_note(&sctx, &m, "100", "Customer asked about the refund")
        .await
        .unwrap();
    let noted = show(&ctx, &m, "100").await.unwrap();
    let notes: Vec<_> = noted
        .timeline
        .iter()
        .filter(|e| e.kind == "note")
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(
        notes,
        [
            "Order status changed from Pending payment to Processing.",
            "Customer asked about the refund"
        ]
    );
    let text = |c: &str| match t.backend {
        Backend::Mysql => format!("CAST({c} AS CHAR)"),
        _ => format!("CAST({c} AS TEXT)"),
    };
    let mut fields = Vec::new();
    for c in [
        text("comment_date"),
        text("comment_date_gmt"),
        "comment_type".into(),
        "comment_agent".into(),
        "comment_approved".into(),
        text("comment_author"),
    ] {
        let of_note =
            format!("SELECT {c} FROM wp_comments WHERE comment_content LIKE 'Customer asked%'");
        fields.push(t.texts(&of_note).await.remove(0));
    }
    assert!(fields[0].starts_with("2026-06-01 14:00:00"), "{fields:?}");
    assert!(fields[1].starts_with("2026-06-01 12:00:00"), "{fields:?}");
    assert_eq!(
        fields[2..],
        ["order_note", "WooCommerce", "1", support.username()]
    );
    assert_eq!(
        t.scalar("SELECT COUNT(*) FROM backoffice_order_notes")
            .await,
        0
    );

    // A site clock that names no zone: refused in words, nothing written.
    t.exec(
        "UPDATE wp_options SET option_value = 'Mars/Olympus' WHERE option_name = 'timezone_string'",
    )
    .await;
    let comments = "SELECT COUNT(*) FROM wp_comments";
    let before = t.scalar(comments).await;
    let err = add_note(&sctx, &m, "100", "Second note").await.unwrap_err();
    assert!(
        err.to_string()
            .contains("'Mars/Olympus' names no time zone"),
        "{err}"
    );
    assert_eq!(t.scalar(comments).await, before);

    // The sweep finds the guest's total and Bo's deleted product: Ann's
    // fee is part of her total, and the refund, which has no lines, is no
    // order without lines.
    let cancel = CancelToken::new();
    let rules = [
        "orders.total_mismatch",
        "orders.no_items",
        "referential.dangling_order_item",
        "users.invalid_email",
        "users.duplicate_email_case",
    ]
    .map(String::from);
    let report = run(&ctx, &m, &rules, &NoProgress, &cancel).await.unwrap();
    assert_eq!(report.findings, 2, "{report:?}");
    let flagged =
        |rule: &str| format!("SELECT entity_id FROM backoffice_findings WHERE rule_id = '{rule}'");
    assert_eq!(t.scalar(&flagged("orders.total_mismatch")).await, 101);
    assert_eq!(
        t.scalar(&flagged("referential.dangling_order_item")).await,
        102
    );
}

each_backend! {
    woocommerce => woocommerce_orders_are_read_and_left_to_woocommerce,
}
