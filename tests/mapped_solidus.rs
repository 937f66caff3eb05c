//! A Solidus shop on tables transcribed from Solidus' own migrations
//! (tests/common/frameworks.rs): detection, the orders in Solidus' words
//! with lines priced as Solidus prices them, the order's own state changes
//! among the payments' and shipments', a refund read through its payment,
//! a total mismatch, notes kept by the
//! console, every change refused with the sentence that sends the
//! operator to Solidus' admin, nothing written; a sweep through the
//! mapping, and an order email in Solidus' own number and money.

mod common;

use std::time::Duration;

use backoffice_core::db::Backend;
use backoffice_core::mapping::detect::detect;
use backoffice_core::notify::dispatch::Dispatcher;
use backoffice_core::notify::{self, BackendLinks, Policy, Template, Trigger};
use backoffice_core::orders::mapped::story::show;
use backoffice_core::orders::mapped::{add_note, search, MappedOrderQuery};
use backoffice_core::page::PageRequest;
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::session::Ctx;
use backoffice_core::validation::mapped::run;
use backoffice_testkit::smtp::SmtpServer;
use backoffice_testkit::{each_backend, TestDb};
use common::frameworks::solidus_tables;
use common::mapped::{all_orders, capability, changes_refused, operators, told};
use common::notify::{quick, settings};
use common::now;

/// Two customers, two variants, a completed order that adds up, a guest's
/// completed order that does not, and a cart; the first order's checkout
/// recorded in spree_state_changes beside a payment's and a shipment's.
async fn solidus_shop(t: &TestDb) {
    solidus_tables(t).await;
    let at = "'2026-03-01 10:00:00'";
    for sql in [
        format!(
            "INSERT INTO spree_users (id, email, encrypted_password, created_at, updated_at) \
             VALUES (1, 'ann@example.com', 'x', {at}, {at}), \
             (2, 'bo@example.com', 'x', {at}, {at})"
        ),
        format!(
            "INSERT INTO spree_products (id, name, created_at, updated_at) \
             VALUES (1, 'Ceramic mug', {at}, {at}), (2, 'Tee', {at}, {at})"
        ),
        format!(
            "INSERT INTO spree_variants (id, sku, product_id, created_at, updated_at) \
             VALUES (1, 'MUG-1', 1, {at}, {at}), (2, 'TEE-1', 2, {at}, {at})"
        ),
        // 2 × 12.50 + 5.00 shipping − 2.50 promotion = 27.50.
        format!(
            "INSERT INTO spree_orders (id, number, item_total, total, state, adjustment_total, \
             user_id, completed_at, shipment_state, payment_state, email, created_at, \
             updated_at, currency, shipment_total) VALUES \
             (1, 'R100000001', 25.00, 27.50, 'complete', -2.50, 1, {at}, 'ready', 'paid', \
              'ann@example.com', {at}, {at}, 'USD', 5.00), \
             (2, 'R100000002', 20.00, 30.00, 'complete', 0.00, NULL, {at}, 'pending', \
              'balance_due', 'guest@example.org', {at}, {at}, 'USD', 5.00), \
             (3, 'R100000003', 0.00, 0.00, 'cart', 0.00, 2, NULL, NULL, NULL, \
              'bo@example.com', {at}, {at}, 'USD', 0.00)"
        ),
        format!(
            "INSERT INTO spree_line_items (id, variant_id, order_id, quantity, price, \
             created_at, updated_at, currency) VALUES \
             (1, 1, 1, 2, 12.50, {at}, {at}, 'USD'), (2, 2, 2, 1, 20.00, {at}, {at}, 'USD')"
        ),
        format!(
            "INSERT INTO spree_state_changes (name, previous_state, stateful_id, user_id, \
             stateful_type, next_state, created_at, updated_at) VALUES \
             ('order', 'cart', 1, 1, 'Spree::Order', 'address', '2026-03-01 09:50:00', {at}), \
             ('order', 'address', 1, 1, 'Spree::Order', 'delivery', '2026-03-01 09:52:00', {at}), \
             ('order', 'delivery', 1, 1, 'Spree::Order', 'payment', '2026-03-01 09:54:00', {at}), \
             ('order', 'payment', 1, 1, 'Spree::Order', 'confirm', '2026-03-01 09:56:00', {at}), \
             ('order', 'confirm', 1, 1, 'Spree::Order', 'complete', {at}, {at}), \
             ('payment', 'checkout', 1, 1, 'Spree::Payment', 'completed', {at}, {at}), \
             ('shipment', 'pending', 1, 1, 'Spree::Shipment', 'ready', {at}, {at}), \
             ('payment', NULL, 1, 1, 'Spree::Order', 'paid', {at}, {at})"
        ),
        // Ann's order paid in full, then 5.00 of it refunded; the
        // guest's payment refunded nothing.
        format!(
            "INSERT INTO spree_payments (id, amount, order_id, state, created_at, updated_at, \
             number) VALUES (1, 27.50, 1, 'completed', {at}, {at}, 'P1'), \
             (2, 30.00, 2, 'completed', {at}, {at}, 'P2')"
        ),
        "INSERT INTO spree_refunds (payment_id, amount, transaction_id, created_at, updated_at) \
         VALUES (1, 5.00, 'T1', '2026-03-02 09:00:00', '2026-03-02 09:00:00')"
            .into(),
    ] {
        t.exec(&sql).await;
    }
}

async fn solidus_orders_are_read_and_left_to_solidus(backend: Backend) {
    let t = TestDb::new(backend).await;
    solidus_shop(&t).await;
    let (db, admin, support) = operators(&t).await;
    let d = detect(&db).await.unwrap();
    assert_eq!(
        d.preset,
        "devise + confirmable + lockable + trackable + solidus"
    );
    let changes = capability(&d, "order changes");
    assert!(!changes.works && changes.detail.contains("Solidus' admin"));
    let m = d.mapping;
    let ctx = Ctx::at(&db, &admin, now());

    // Newest key first, in Solidus' words, with its further states.
    let all = all_orders(&ctx, &m).await;
    let seen = told(&all);
    assert_eq!(
        seen,
        [
            ("R100000003", "cart", Some(0), "bo@example.com"),
            ("R100000002", "complete", Some(3000), "guest@example.org"),
            ("R100000001", "complete", Some(2750), "ann@example.com"),
        ]
    );
    assert_eq!(all[2].also, ["paid", "ready"]);
    let carts = MappedOrderQuery {
        statuses: vec!["cart".into()],
        ..MappedOrderQuery::default()
    };
    let page = search(&ctx, &m, &carts, &PageRequest::first(50))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);

    // Lines priced as Solidus prices them; lines, shipping and the
    // promotion add up; only the order's own state changes are its history.
    let st = show(&ctx, &m, "R100000001").await.unwrap();
    let lines: Vec<_> = st
        .items
        .iter()
        .map(|i| (i.title.as_str(), i.quantity, i.unit_price, i.line_total))
        .collect();
    assert_eq!(lines, [("Ceramic mug", 2, Some(1250), Some(2500))]);
    assert!(st.mismatches.is_empty(), "{:?}", st.mismatches);
    let history: Vec<&str> = st
        .timeline
        .iter()
        .filter(|e| e.kind == "status")
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(
        history,
        [
            "cart → address",
            "address → delivery",
            "delivery → payment",
            "payment → confirm",
            "confirm → complete"
        ]
    );
    assert!(st.moves.is_empty());
    assert!(
        st.not_kept.iter().any(|n| n.contains("Solidus' admin")),
        "{:?}",
        st.not_kept
    );
    // Its refund, read through the payment it hangs on.
    let refunds: Vec<_> = st
        .refunds
        .iter()
        .map(|r| (r.amount, r.kept_by_console))
        .collect();
    assert_eq!(refunds, [(500, false)]);
    assert_eq!((st.refunded, st.refundable), (500, Some(2250)));
    let guest = show(&ctx, &m, "R100000002").await.unwrap();
    assert!(guest.refunds.is_empty(), "{:?}", guest.refunds);
    assert_eq!(
        guest.mismatches,
        ["the total is 30.00 USD but the lines, shipping and adjustments come to 25.00 USD"]
    );

    // Every change is Solidus' own to make: refused, nothing written.
    let state = "SELECT state FROM spree_orders ORDER BY id";
    let changes = "SELECT COUNT(*) FROM spree_state_changes";
    let before = (t.texts(state).await, t.scalar(changes).await);
    let v = st.version.clone();
    changes_refused(&ctx, &m, "R100000001", &v, "returned", "in Solidus' admin").await;
    assert_eq!((t.texts(state).await, t.scalar(changes).await), before);

    // Solidus keeps no notes: the console keeps support's.
    let sctx = Ctx::at(&db, &support, now());
    add_note(&sctx, &m, "R100000002", "Guest asked about the total")
        .await
        .unwrap();
    let noted = show(&ctx, &m, "R100000002").await.unwrap();
    assert!(noted
        .timeline
        .iter()
        .any(|e| e.kind == "note" && e.text == "Guest asked about the total"));
    assert_eq!(
        t.scalar("SELECT COUNT(*) FROM backoffice_order_notes")
            .await,
        1
    );

    // A sweep through the mapping finds the guest's total, and only it.
    let cancel = CancelToken::new();
    let total = ["orders.total_mismatch".to_string()];
    let report = run(&ctx, &m, &total, &NoProgress, &cancel).await.unwrap();
    assert_eq!(report.findings, 1, "{report:?}");
    let flagged = t
        .scalar("SELECT entity_id FROM backoffice_findings WHERE rule_id = 'orders.total_mismatch'")
        .await;
    assert_eq!(flagged, 2);

    // An order email told in Solidus' number, state and money.
    let server = SmtpServer::start(&[]);
    let mail = settings(&server);
    let policy = Policy {
        backend: Some(BackendLinks::new(m.clone(), None)),
        ..Policy::from(&mail)
    };
    let about = Trigger {
        order: Some("R100000001".into()),
        ..Trigger::new(Template::OrderStatus, 1)
    };
    notify::send(&sctx, &policy, about).await.unwrap();
    let sent = Dispatcher::new(&sctx, mail, None, quick())
        .unwrap()
        .run_once(&cancel, &|_| {})
        .await
        .unwrap();
    assert_eq!(sent.sent, 1, "{sent:?}");
    let email = server.wait_for(1, Duration::from_secs(10)).remove(0);
    assert_eq!(email.subject, "Your order #R100000001 is now complete");
    assert!(email.text.contains("Total: 27.50 USD"), "{}", email.text);
}

each_backend! {
    solidus => solidus_orders_are_read_and_left_to_solidus,
}
