//! The shop side of a mapping on a django-oscar back end made by Oscar's own
//! migrations, with orders placed through its models
//! (tests/fixtures/django/shop_orders.py): detection, check, and what the
//! check says of a status the lifecycle does not declare.

use backoffice_core::db::{Backend, Db, OpenOptions};
use backoffice_core::mapping::check::check;
use backoffice_core::mapping::detect::detect;
use backoffice_core::mapping::{Currency, Mapping, Money, OnCancel};
use backoffice_testkit::{each_backend, TestDb};

async fn oscar_is_detected_with_its_orders(backend: Backend) {
    let t = TestDb::fixture(backend, "oscar").await;
    let db = Db::connect(&t.target(), OpenOptions::default())
        .await
        .expect("connect");
    assert_eq!(t.scalar("SELECT COUNT(*) FROM order_order").await, 4);

    let d = detect(&db).await.expect("detect");
    assert_eq!(d.preset, "django + axes + allauth + oscar");
    assert!(d.tables >= 90, "{}", d.tables);
    let m = &d.mapping;
    let order = m.order.as_ref().expect("orders mapped");
    assert_eq!(
        (order.table.as_str(), order.number.as_deref(), order.money),
        ("order_order", Some("number"), Money::Decimal)
    );
    assert_eq!(
        order.currency,
        Currency::Column {
            column: "currency".into()
        }
    );
    let stock = m.stock.as_ref().expect("stock mapped");
    assert_eq!(
        (stock.on_cancel, stock.allocated.as_deref()),
        (OnCancel::Release, Some("num_allocated"))
    );
    let items = m.items.as_ref().expect("items mapped");
    assert_eq!(items.stock.as_deref(), Some("stockrecord_id"));
    assert_eq!(items.allocated.as_deref(), Some("num_allocated"));
    assert_eq!(
        m.notes
            .as_ref()
            .unwrap()
            .fixed
            .get("note_type")
            .map(String::as_str),
        Some("Info")
    );
    // Oscar keeps no refund records: the console keeps its own, and says so.
    assert!(m.refunds.is_none());
    let refunds = d.capabilities.iter().find(|c| c.name == "refunds").unwrap();
    assert!(
        refunds.detail.contains("the console keeps its own"),
        "{refunds:?}"
    );
    assert!(d
        .notes
        .iter()
        .any(|n| n.contains("OSCAR_ORDER_STATUS_PIPELINE")));
    assert!(
        d.capabilities.iter().all(|c| c.works),
        "{:?}",
        d.capabilities
    );

    // The proposal fits the database, data included, and survives a file.
    assert_eq!(check(&db, m).await.unwrap(), []);
    let again = Mapping::parse(&m.to_toml()).unwrap();
    assert_eq!(&again, m);

    // A status in the data that the lifecycle does not declare is listed,
    // never taken for another.
    t.exec("UPDATE order_order SET status = 'On hold' WHERE number = '100001'")
        .await;
    let problems = check(&db, m).await.unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].concept, "lifecycle.statuses");
    assert!(
        problems[0].message.starts_with(
            "order_order.status holds 'On hold', which the lifecycle does not declare"
        ),
        "{problems:?}"
    );
    db.close().await;
}

each_backend! {
    oscar => oscar_is_detected_with_its_orders,
}
