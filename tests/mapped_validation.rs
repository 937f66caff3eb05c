//! Validation over a django-oscar shop made by Oscar's own migrations
//! (tests/fixtures/django/shop_orders.py plants a total mismatch, stock
//! allocated beyond what is in stock and a case-duplicate address; the
//! test plants an address that does not parse): the catalogue says which
//! rules the mapping expresses and why the others cannot run, the sweep
//! finds exactly the planted defects, findings are accepted and resolved
//! as on the reference schema, no fix is offered, and the back end's
//! tables are only read.

mod common;

use backoffice_core::db::Backend;
use backoffice_core::mapping::detect::detect;
use backoffice_core::orders::mapped::indexes;
use backoffice_core::page::PageRequest;
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::session::Ctx;
use backoffice_core::validation::mapped::{catalogue_on, run};
use backoffice_core::validation::{accept, list, preview_fix, FindingFilter};
use backoffice_testkit::{each_backend, TestDb};
use common::mapped::{django_user, operators};
use common::now;

/// (rule, entity, key) of every open or accepted finding, sorted.
async fn found(ctx: &Ctx<'_>, status: &str) -> Vec<(String, String, i64)> {
    let filter = FindingFilter {
        status: Some(status.into()),
        ..FindingFilter::default()
    };
    let page = list(ctx, &filter, &PageRequest::first(100)).await.unwrap();
    let mut out: Vec<_> = page
        .items
        .into_iter()
        .map(|f| (f.rule_id, f.entity_type, f.entity_id))
        .collect();
    out.sort();
    out
}

/// What the back end's own tables hold, to show the sweep wrote none.
async fn back_end(t: &TestDb) -> Vec<String> {
    let mut all = Vec::new();
    for sql in [
        "SELECT email FROM auth_user ORDER BY id",
        "SELECT status FROM order_order ORDER BY id",
        "SELECT CONCAT(num_in_stock, '/', num_allocated) FROM partner_stockrecord ORDER BY id",
    ] {
        let sql = if t.backend == Backend::Mysql {
            sql.to_string()
        } else {
            sql.replace(
                "CONCAT(num_in_stock, '/', num_allocated)",
                "num_in_stock || '/' || num_allocated",
            )
        };
        all.extend(t.texts(&sql).await);
    }
    all
}

async fn the_sweep_finds_exactly_what_was_planted(backend: Backend) {
    let t = TestDb::fixture(backend, "oscar").await;
    let (db, admin, _) = operators(&t).await;
    let m = detect(&db).await.unwrap().mapping;
    let ctx = Ctx::at(&db, &admin, now());
    t.exec("UPDATE auth_user SET email = 'dave(at)example.com' WHERE username = 'dave'")
        .await;
    let before = back_end(&t).await;

    // The catalogue: what runs here, and why the rest cannot.
    let rules = catalogue_on(&db, &m).await.unwrap();
    let runs: Vec<&str> = rules
        .iter()
        .filter(|r| r.unavailable.is_none())
        .map(|r| r.id)
        .collect();
    assert_eq!(
        runs,
        [
            "users.invalid_email",
            "users.duplicate_email_case",
            "orders.total_mismatch",
            "orders.no_items",
            "referential.dangling_order_item",
            "products.negative_stock",
            "stock.over_allocated",
        ]
    );
    let normalized = rules
        .iter()
        .find(|r| r.id == "users.email_not_normalized")
        .unwrap();
    let why = normalized.unavailable.as_deref().unwrap_or_default();
    assert!(why.contains("not expressed through a mapping"), "{why}");

    // The sweep finds exactly the planted defects.
    let cancel = CancelToken::new();
    let report = run(&ctx, &m, &[], &NoProgress, &cancel).await.unwrap();
    assert_eq!((report.findings, report.new), (4, 4), "{report:?}");
    let int64 = match backend {
        Backend::Postgres => "BIGINT",
        Backend::Mysql => "SIGNED",
        Backend::Sqlite => "INTEGER",
    };
    let (dave, ada) = (django_user(&t, "dave").await, django_user(&t, "ada").await);
    let mismatch = t
        .scalar(&format!(
            "SELECT CAST(id AS {int64}) FROM order_order WHERE number = '100002'"
        ))
        .await;
    let mug = t
        .scalar(&format!(
            "SELECT CAST(s.id AS {int64}) FROM partner_stockrecord s JOIN catalogue_product p \
             ON p.id = s.product_id WHERE p.upc = 'MUG-002'"
        ))
        .await;
    let mut want = vec![
        (
            "orders.total_mismatch".to_string(),
            "order".to_string(),
            mismatch,
        ),
        ("stock.over_allocated".into(), "stock".into(), mug),
        ("users.duplicate_email_case".into(), "user".into(), ada),
        ("users.invalid_email".into(), "user".into(), dave),
    ];
    want.sort();
    assert_eq!(found(&ctx, "open").await, want);
    let filter = FindingFilter {
        rule_id: Some("orders.total_mismatch".into()),
        ..FindingFilter::default()
    };
    let mismatch_finding = list(&ctx, &filter, &PageRequest::first(10)).await.unwrap();
    assert_eq!(mismatch_finding.items[0].detail.as_deref(), Some("100002"));
    assert_eq!(back_end(&t).await, before);

    // Accepted stays accepted on the next run; a defect mended in the back
    // end is resolved; nothing new.
    let duplicate = list(
        &ctx,
        &FindingFilter {
            rule_id: Some("users.duplicate_email_case".into()),
            ..FindingFilter::default()
        },
        &PageRequest::first(10),
    )
    .await
    .unwrap()
    .items
    .remove(0);
    accept(
        &ctx,
        duplicate.id,
        duplicate.version,
        "two shops, one person: known",
    )
    .await
    .unwrap();
    t.exec("UPDATE auth_user SET email = 'dave@example.com' WHERE username = 'dave'")
        .await;
    let again = run(&ctx, &m, &[], &NoProgress, &cancel).await.unwrap();
    assert_eq!((again.new, again.resolved), (0, 1), "{again:?}");
    assert_eq!(found(&ctx, "accepted").await.len(), 1);
    assert_eq!(found(&ctx, "resolved").await[0].0, "users.invalid_email");

    // One rule by name; an unknown one refused; no fix is offered.
    let one = run(
        &ctx,
        &m,
        &["stock.over_allocated".into()],
        &NoProgress,
        &cancel,
    )
    .await
    .unwrap();
    assert_eq!(one.rules.len(), 1);
    let why = run(
        &ctx,
        &m,
        &["users.lock_expired".into()],
        &NoProgress,
        &cancel,
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(why.contains("`validate rules` lists them"), "{why}");
    let why = preview_fix(&ctx, "orders.recompute_totals", &[])
        .await
        .unwrap_err()
        .to_string();
    assert!(why.contains("no mechanical fix is offered"), "{why}");
}

/// `schema indexes` proposes the lines' totals index, builds it when
/// asked, and the sweep finds the same totals through it.
async fn the_totals_index_is_proposed_and_built(backend: Backend) {
    let t = TestDb::fixture(backend, "oscar").await;
    let (db, admin, _) = operators(&t).await;
    let m = detect(&db).await.unwrap().mapping;
    let ctx = Ctx::at(&db, &admin, now());
    let total = ["orders.total_mismatch".to_string()];
    let cancel = CancelToken::new();
    let before = run(&ctx, &m, &total, &NoProgress, &cancel).await.unwrap();
    let plan = indexes::propose(&db, &m).await.unwrap();
    let names: Vec<(&str, bool)> = plan
        .proposals
        .iter()
        .map(|p| (p.name.as_str(), p.exists))
        .collect();
    assert_eq!(names, [("backoffice_order_line_totals", false)]);
    assert!(
        plan.proposals[0]
            .ddl
            .last()
            .unwrap()
            .contains("line_price_incl_tax"),
        "{plan:?}"
    );
    let built = indexes::create(&db, &m, &NoProgress, &cancel)
        .await
        .unwrap();
    assert!(built.proposals[0].exists, "{built:?}");
    let after = run(&ctx, &m, &total, &NoProgress, &cancel).await.unwrap();
    assert_eq!(
        (after.findings, after.new),
        (before.findings, 0),
        "{after:?}"
    );
    assert_eq!(before.findings, 1, "{before:?}");
}

each_backend! {
    oscar => the_sweep_finds_exactly_what_was_planted,
    totals_index => the_totals_index_is_proposed_and_built,
}
