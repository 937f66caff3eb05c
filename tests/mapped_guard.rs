//! The rules over a mapping guard the console's edits of a back end of
//! its own, as the reference rules guard the demo's: on a hand-written
//! shop whose lines may be returns (negative quantities), a cancel that
//! would restock a row below zero is refused with the rule's words and
//! nothing written; a finding that was there before does not block. The
//! sweep over the same plain tables finds the line whose article is gone.

mod common;

use backoffice_core::db::Backend;
use backoffice_core::mapping::check::check;
use backoffice_core::mapping::Mapping;
use backoffice_core::orders::mapped::story::show;
use backoffice_core::orders::mapped::{apply, MappedChange};
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::session::Ctx;
use backoffice_core::validation::mapped::run;
use backoffice_testkit::{each_backend, TestDb};
use common::mapped::operators;
use common::now;

const SHOP: &str = r#"
format = 1

[order]
table = "sales"
key = "id"
status = "state"
currency = { kind = "fixed", code = "EUR" }
money = "decimal"
total = "amount"
placed = "booked_on"

[items]
table = "sale_lines"
key = "id"
order = "sale_id"
quantity = "qty"
product = "article"
line_total = "line_amount"

[products]
table = "articles"
key = "id"
name = "name"

[stock]
table = "articles"
key = "id"
on_hand = "on_shelf"
on_cancel = "restock"

[lifecycle]
statuses = ["N", "P", "S", "X"]
cancelled = ["X"]
closed = ["X"]
refundable = ["P", "S"]
shipped = ["S"]
stamps = { S = "sent_on" }

[lifecycle.moves]
N = ["P", "X"]
P = ["S", "X"]
"#;

/// Articles 1–4 (article 4 already below zero) and six sales: 2 holds a
/// returned mug (−5), 5's amount is not its lines', 6's article is gone.
async fn shop(t: &TestDb) {
    let ts = match t.backend {
        Backend::Postgres => "TIMESTAMP WITH TIME ZONE",
        Backend::Mysql => "DATETIME(6)",
        Backend::Sqlite => "DATETIME",
    };
    let sales = [(1, "P", "20.00"), (2, "P", "-25.00"), (3, "N", "5.00")];
    let more = [(4, "N", "4.00"), (5, "N", "99.00"), (6, "N", "7.00")];
    let sales = sales.iter().chain(&more);
    let mut sql = vec![
        "CREATE TABLE articles (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL, \
         on_shelf BIGINT NOT NULL)"
            .to_string(),
        format!(
            "CREATE TABLE sales (id INTEGER NOT NULL PRIMARY KEY, state CHAR(1) NOT NULL, \
             amount DECIMAL(12, 2), booked_on {ts} NOT NULL, sent_on {ts} NULL)"
        ),
        "CREATE TABLE sale_lines (id INTEGER NOT NULL PRIMARY KEY, sale_id INTEGER NOT NULL, \
         article INTEGER, qty INTEGER NOT NULL, line_amount DECIMAL(12, 2))"
            .to_string(),
        "INSERT INTO articles VALUES (1, 'Mug', 3), (2, 'Tea', 10), (3, 'Pot', 0), (4, 'Cup', -5)"
            .to_string(),
        "INSERT INTO sale_lines VALUES (1, 1, 2, 2, 20.00), (2, 2, 1, -5, -25.00), \
         (3, 3, 3, 1, 5.00), (4, 4, 4, 1, 4.00), (5, 5, 2, 1, 10.00), (6, 6, 9, 1, 7.00)"
            .to_string(),
    ];
    for (id, state, amount) in sales {
        sql.push(format!(
            "INSERT INTO sales VALUES ({id}, '{state}', {amount}, '2026-05-0{id} 10:00:00', NULL)"
        ));
    }
    for s in &sql {
        t.exec(s).await;
    }
}

async fn on_shelf(t: &TestDb, id: i64) -> i64 {
    t.scalar(&format!("SELECT on_shelf FROM articles WHERE id = {id}"))
        .await
}

async fn a_cancel_that_would_restock_below_zero_is_refused(backend: Backend) {
    let t = TestDb::new(backend).await;
    shop(&t).await;
    let (db, admin, _) = operators(&t).await;
    let m = Mapping::parse(SHOP).unwrap();
    assert_eq!(check(&db, &m).await.unwrap(), []);
    let ctx = Ctx::at(&db, &admin, now());
    let cancel = |id: &'static str| {
        let (ctx, m) = (&ctx, &m);
        async move {
            let seen = show(ctx, m, id).await.unwrap().version;
            apply(
                ctx,
                m,
                id,
                &seen,
                MappedChange::Cancel,
                Some("customer asked"),
            )
            .await
        }
    };
    let audits = "SELECT COUNT(*) FROM backoffice_audit_log";
    let audited = t.scalar(audits).await;

    // Giving back a returned mug takes five off a shelf of three.
    let err = cancel("2").await.unwrap_err().to_string();
    assert_eq!(
        err,
        "refused: this change would make stock 1 a finding of the rule \"Negative stock\" \
         (products.negative_stock). A stock row holds fewer than zero units. Count the stock \
         and correct it in the back end. Nothing was written."
    );
    assert_eq!(on_shelf(&t, 1).await, 3);
    assert_eq!(t.texts("SELECT state FROM sales WHERE id = 2").await, ["P"]);
    assert_eq!(t.scalar(audits).await, audited);

    // A cancel that makes no new finding goes through: the pot back on
    // its empty shelf, and the cup onto a shelf already below zero.
    cancel("3").await.unwrap();
    assert_eq!(on_shelf(&t, 3).await, 1);
    cancel("4").await.unwrap();
    assert_eq!(on_shelf(&t, 4).await, -4);
    assert_eq!(t.scalar(audits).await, audited + 2);

    // Sale 5's amount was wrong before; moving it on is not refused.
    let seen = show(&ctx, &m, "5").await.unwrap().version;
    let to = MappedChange::Transition { to: "P".into() };
    apply(&ctx, &m, "5", &seen, to, None).await.unwrap();
    let report = run(&ctx, &m, &[], &NoProgress, &CancelToken::new())
        .await
        .unwrap();
    let found = |rule: &str| {
        report
            .rules
            .iter()
            .find(|r| r.rule_id == rule)
            .map(|r| r.findings)
    };
    assert_eq!(found("orders.total_mismatch"), Some(1));
    assert_eq!(found("products.negative_stock"), Some(1));
    assert_eq!(found("referential.dangling_order_item"), Some(1));
    let gone = "SELECT entity_id FROM backoffice_findings \
                WHERE rule_id = 'referential.dangling_order_item'";
    assert_eq!(t.scalar(gone).await, 6);
}

each_backend! {
    restock => a_cancel_that_would_restock_below_zero_is_refused,
}
