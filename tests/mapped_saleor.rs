//! A Saleor shop on tables transcribed from Saleor's models
//! (tests/common/saleor.rs): detection, orders keyed by UUID and told by
//! their numbers in Saleor's status words, money read exactly from
//! numeric(20,3) (a third decimal a dollar cannot hold is shown as
//! unreadable, never rounded), a total mismatch, Saleor's granted refunds,
//! notes kept by the console, every change refused with the sentence that
//! sends the operator to Saleor's dashboard, nothing written; and emails
//! about its UUID-keyed orders, which the story and the card list.

mod common;

use std::time::Duration;

use backoffice_core::db::Backend;
use backoffice_core::mapping::detect::detect;
use backoffice_core::notify::dispatch::Dispatcher;
use backoffice_core::notify::{self, Audience, BackendLinks, Policy, Template, Trigger};
use backoffice_core::orders::mapped::story::show;
use backoffice_core::orders::mapped::{add_note, search, MappedOrderQuery};
use backoffice_core::page::PageRequest;
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::secrets::Secret;
use backoffice_core::session::Ctx;
use backoffice_core::users::mapped::card;
use backoffice_core::validation::mapped::{catalogue_on, run};
use backoffice_testkit::smtp::SmtpServer;
use backoffice_testkit::{each_backend, TestDb};
use common::mapped::{all_orders, capability, changes_refused, operators, told};
use common::notify::{quick, settings};
use common::now;
use common::saleor::saleor_tables;
use common::tokens;

const SALEOR_SECRET: &str = "saleor-secret-key-for-the-tests";
const A: &str = "0a0a0a0a0a0a4a0a8a0a0a0a0a0a0a01";
const B: &str = "0b0b0b0b0b0b4b0b8b0b0b0b0b0b0b02";
const C: &str = "0c0c0c0c0c0c4c0c8c0c0c0c0c0c0c03";

async fn saleor_shop(t: &TestDb) {
    saleor_tables(t).await;
    let at = "'2026-03-01 10:00:00'";
    let (yes, no) = if t.backend == Backend::Postgres {
        ("TRUE", "FALSE")
    } else {
        ("1", "0")
    };
    let order =
        |key: &str, number: u32, status: &str, user: &str, email: &str, money: [&str; 3]| {
            let [subtotal, shipping, total] = money;
            format!(
                "('{key}', {number}, {at}, {at}, '{status}', 'full', 'full', {user}, '{email}', \
             'USD', 'checkout', 1, {shipping}, {shipping}, {total}, {total}, {subtotal}, \
             {subtotal}, '')"
            )
        };
    let line = |key: &str, order: &str, name: &str, quantity: u32, unit: &str, total: &str| {
        format!(
            "('{key}', {at}, '{order}', NULL, '{name}', '', NULL, {yes}, {no}, {quantity}, 0, \
             'USD', {unit}, {unit}, {total}, {total})"
        )
    };
    for sql in [
        format!(
            "INSERT INTO account_user (password, email, is_staff, is_active, date_joined, \
             first_name, last_name, is_confirmed, updated_at, language_code) VALUES \
             ('x', 'ann@example.com', {no}, {yes}, {at}, 'Ann', 'Lee', {yes}, {at}, 'en'), \
             ('x', 'bo@example.com', {no}, {yes}, {at}, 'Bo', '', {no}, {at}, 'en')"
        ),
        // 2 × 10.000 + 5.000 = 25.000; a guest's 30.000 + 0 recorded as
        // 35.000; a total with a third decimal a dollar cannot hold.
        format!(
            "INSERT INTO order_order (id, number, created_at, updated_at, status, \
             authorize_status, charge_status, user_id, user_email, currency, origin, \
             channel_id, shipping_price_net_amount, shipping_price_gross_amount, \
             total_net_amount, total_gross_amount, subtotal_net_amount, subtotal_gross_amount, \
             customer_note) VALUES {}, {}, {}",
            order(
                A,
                1001,
                "unfulfilled",
                "1",
                "ann@example.com",
                ["20.000", "5.000", "25.000"]
            ),
            order(
                B,
                1002,
                "fulfilled",
                "NULL",
                "guest@example.org",
                ["30.000", "0.000", "35.000"]
            ),
            order(
                C,
                1003,
                "canceled",
                "2",
                "bo@example.com",
                ["12.345", "0.000", "12.345"]
            ),
        ),
        format!(
            "INSERT INTO order_orderline (id, created_at, order_id, variant_id, product_name, \
             variant_name, product_sku, is_shipping_required, is_gift_card, quantity, \
             quantity_fulfilled, currency, unit_price_net_amount, unit_price_gross_amount, \
             total_price_net_amount, total_price_gross_amount) VALUES {}, {}, {}",
            line(
                "1a1a1a1a1a1a4a1a8a1a1a1a1a1a1a01",
                A,
                "Enamel mug",
                2,
                "10.000",
                "20.000"
            ),
            line(
                "1b1b1b1b1b1b4b1b8b1b1b1b1b1b1b02",
                B,
                "Linen apron",
                1,
                "30.000",
                "30.000"
            ),
            line(
                "1c1c1c1c1c1c4c1c8c1c1c1c1c1c1c03",
                C,
                "Tea towel",
                1,
                "12.345",
                "12.345"
            ),
        ),
        format!(
            "INSERT INTO order_ordergrantedrefund (created_at, updated_at, amount_value, \
             currency, reason, user_id, order_id, shipping_costs_included) VALUES \
             ({at}, {at}, 5.000, 'USD', 'late delivery', NULL, '{A}', {no})"
        ),
    ] {
        t.exec(&sql).await;
    }
}

async fn saleor_orders_are_read_and_left_to_saleor(backend: Backend) {
    let t = TestDb::new(backend).await;
    saleor_shop(&t).await;
    let (db, admin, support) = operators(&t).await;
    let d = detect(&db).await.unwrap();
    assert_eq!(d.preset, "saleor");
    let changes = capability(&d, "order changes");
    assert!(!changes.works && changes.detail.contains("Saleor's dashboard"));
    let m = d.mapping;
    let ctx = Ctx::at(&db, &admin, now());

    // Findings are kept by integer key: UUID-keyed orders are kept by
    // their number, so the order rules run; the sweep finds the guest's
    // total, told by its number.
    let rules = catalogue_on(&db, &m).await.unwrap();
    let why = |id: &str| {
        rules
            .iter()
            .find(|r| r.id == id)
            .unwrap()
            .unavailable
            .clone()
    };
    assert_eq!(why("orders.total_mismatch"), None);
    assert_eq!(why("orders.no_items"), None);
    assert_eq!(why("users.invalid_email"), None);
    let order_rules = ["orders.total_mismatch", "orders.no_items"].map(String::from);
    let swept = run(&ctx, &m, &order_rules, &NoProgress, &CancelToken::new())
        .await
        .unwrap();
    assert_eq!(swept.findings, 1, "{swept:?}");
    let finding = |column: &str| {
        format!("SELECT {column} FROM backoffice_findings WHERE rule_id = 'orders.total_mismatch'")
    };
    assert_eq!(t.scalar(&finding("entity_id")).await, 1002);
    assert_eq!(t.texts(&finding("detail")).await, ["1002"]);

    // Told by number in Saleor's words, money read exactly; the total a
    // dollar cannot hold is unreadable, with the reason.
    let all = all_orders(&ctx, &m).await;
    let seen = told(&all);
    assert_eq!(
        seen,
        [
            ("1003", "canceled", None, "bo@example.com"),
            ("1002", "fulfilled", Some(3500), "guest@example.org"),
            ("1001", "unfulfilled", Some(2500), "ann@example.com"),
        ]
    );
    assert!(all[0].problem.is_some(), "{:?}", all[0]);
    assert_eq!(all[2].also, ["full", "full"]);
    let open = MappedOrderQuery {
        statuses: vec!["unfulfilled".into(), "partially fulfilled".into()],
        ..MappedOrderQuery::default()
    };
    let page = search(&ctx, &m, &open, &PageRequest::first(50))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let unknown = MappedOrderQuery {
        statuses: vec!["shipped".into()],
        ..MappedOrderQuery::default()
    };
    assert!(search(&ctx, &m, &unknown, &PageRequest::first(50))
        .await
        .is_err());

    // The lines, shipping and total agree; Saleor's granted refund is read.
    let st = show(&ctx, &m, "1001").await.unwrap();
    let lines: Vec<_> = st
        .items
        .iter()
        .map(|i| (i.title.as_str(), i.quantity, i.unit_price, i.line_total))
        .collect();
    assert_eq!(lines, [("Enamel mug", 2, Some(1000), Some(2000))]);
    assert!(st.mismatches.is_empty(), "{:?}", st.mismatches);
    assert_eq!((st.refunded, st.refundable), (500, Some(2000)));
    assert_eq!(st.refunds[0].reason, "late delivery");
    let guest = show(&ctx, &m, "1002").await.unwrap();
    assert_eq!(
        guest.mismatches,
        ["the total is 35.00 USD but the lines and shipping come to 30.00 USD"]
    );

    // Every change is Saleor's own to make: refused, nothing written.
    let status = "SELECT status FROM order_order ORDER BY number";
    let refunds = "SELECT COUNT(*) FROM order_ordergrantedrefund";
    let before = (t.texts(status).await, t.scalar(refunds).await);
    let v = st.version.clone();
    changes_refused(&ctx, &m, "1001", &v, "fulfilled", "Saleor's dashboard").await;
    assert_eq!((t.texts(status).await, t.scalar(refunds).await), before);

    // Saleor keeps notes as event parameters: the console keeps support's.
    let sctx = Ctx::at(&db, &support, now());
    add_note(&sctx, &m, "1002", "Guest asked about the total")
        .await
        .unwrap();
    let noted = show(&ctx, &m, "1002").await.unwrap();
    assert!(noted
        .timeline
        .iter()
        .any(|e| e.kind == "note" && e.text == "Guest asked about the total"));

    // A reset email carries the address and a token Django's own
    // generator accepts, as Saleor's setPassword checks it.
    let m2 = m.clone();
    let links = BackendLinks::new(m, Some(Secret::new(SALEOR_SECRET)));
    let server = SmtpServer::start(&[]);
    let mail = settings(&server);
    let policy = Policy {
        backend: Some(links.clone()),
        ..Policy::from(&mail)
    };
    notify::send(&sctx, &policy, Trigger::new(Template::PasswordReset, 1))
        .await
        .unwrap();
    Dispatcher::new(&sctx, mail, None, quick())
        .unwrap()
        .for_backend(links)
        .run_once(&CancelToken::new(), &|_| {})
        .await
        .unwrap();
    let text = server.wait_for(1, Duration::from_secs(10)).remove(0).text;
    let start = text
        .find("https://shop.example/reset-password/")
        .expect(&text);
    let link = text[start..].split_whitespace().next().unwrap();
    let token = link
        .strip_prefix("https://shop.example/reset-password/?email=ann%40example.com&token=")
        .expect(link);
    let args = ["django", SALEOR_SECRET, "1", "x", "ann@example.com", token];
    assert!(tokens(&args));
    let wrong = ["django", "another", "1", "x", "ann@example.com", token];
    assert!(!tokens(&wrong));

    // Order emails about orders keyed by UUID: one by its number, and a
    // guest's through a bulk send, each told in Saleor's words and money.
    // Ann named as `01`: the outbox keeps her key as Saleor holds it.
    let about_1001 = Trigger {
        order: Some("1001".into()),
        ..Trigger::new(Template::OrderStatus, "01")
    };
    notify::send(&sctx, &policy, about_1001).await.unwrap();
    let guests = Audience::Orders { ids: vec![1002] };
    let (cancel, none) = (CancelToken::new(), &NoProgress);
    let bulk = notify::bulk_queue(
        &sctx,
        &policy,
        Template::OrderStatus,
        &guests,
        None,
        None,
        none,
        &cancel,
    );
    assert_eq!(bulk.await.unwrap().queued, 1);
    let keys = t
        .texts("SELECT order_key FROM backoffice_outbox WHERE order_key IS NOT NULL ORDER BY id")
        .await;
    assert_eq!(keys, [st.order.key.clone(), guest.order.key.clone()]);
    let report = Dispatcher::new(&sctx, settings(&server), None, quick())
        .unwrap()
        .run_once(&cancel, &|_| {})
        .await
        .unwrap();
    assert_eq!(report.sent, 2, "{report:?}");
    let received = server.wait_for(3, Duration::from_secs(10));
    let to = |who: &str, subject: &str| {
        received
            .iter()
            .find(|r| r.to.contains(who) && r.subject == subject)
            .unwrap_or_else(|| panic!("no '{subject}' to {who}: {received:?}"))
            .text
            .clone()
    };
    let ann = to("ann@example.com", "Your order #1001 is now unfulfilled");
    assert!(
        ann.contains("Enamel mug") && ann.contains("Total: 25.00 USD"),
        "{ann}"
    );
    let guest_text = to("guest@example.org", "Your order #1002 is now fulfilled");
    assert!(guest_text.contains("Total: 35.00 USD"), "{guest_text}");

    // The story and the card say what was sent.
    let story = show(&ctx, &m2, "1001").await.unwrap();
    assert!(
        story
            .timeline
            .iter()
            .any(|e| e.kind == "email" && e.text == "order_status to ann@example.com: sent"),
        "{:?}",
        story.timeline
    );
    let ann_card = card(&ctx, &m2, "1").await.unwrap();
    let sent: Vec<&str> = ann_card
        .notifications
        .iter()
        .map(|n| n.template.as_str())
        .collect();
    assert_eq!(sent, ["order_status", "password_reset"]);
}

each_backend! {
    saleor => saleor_orders_are_read_and_left_to_saleor,
}
