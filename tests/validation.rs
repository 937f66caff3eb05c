//! The validation sweep on every backend: it finds exactly what the demo
//! generator planted, tracks findings across runs, and leaves nothing
//! behind when cancelled.

use std::collections::BTreeMap;
use std::sync::Mutex;

use backoffice_core::db::Backend;
use backoffice_core::operators::sign_in;
use backoffice_core::page::PageRequest;
use backoffice_core::progress::{CancelToken, NoProgress, Progress};
use backoffice_core::secrets::Secret;
use backoffice_core::seed::{seed, SeedOptions, DEMO_OPERATOR_PASSWORD};
use backoffice_core::session::Ctx;
use backoffice_core::validation::{accept, list, run, summary, FindingFilter, Params, RULES};
use backoffice_core::ErrorCode;
use backoffice_testkit::{each_backend, TestDb};
use chrono::{TimeZone, Utc};

async fn the_sweep_finds_what_was_planted(backend: Backend) {
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
    let t = TestDb::new(backend).await;
    let db = t.open().await;
    let opts = SeedOptions {
        users: 3_000,
        orders: 6_000,
        seed: 7,
        now,
    };
    let report = seed(&db, &opts, &NoProgress, &CancelToken::new())
        .await
        .unwrap();
    let pass = Secret::new(DEMO_OPERATOR_PASSWORD);
    let admin = sign_in(&db, "admin", &pass, now).await.unwrap();
    let support = sign_in(&db, "support", &pass, now).await.unwrap();
    let ctx = Ctx::at(&db, &admin, now);
    let params = Params::at(now);

    let seen = Mutex::new(Vec::<Progress>::new());
    let progress = |p: Progress| seen.lock().unwrap().push(p);
    let first = run(&ctx, &[], &params, &progress, &CancelToken::new())
        .await
        .unwrap();
    let found: BTreeMap<&str, u64> = first
        .rules
        .iter()
        .map(|r| (r.rule_id.as_str(), r.findings))
        .collect();
    let mut expected: BTreeMap<&str, u64> = RULES.iter().map(|r| (r.id, 0)).collect();
    for (id, n) in &report.planted {
        assert!(expected.contains_key(id.as_str()), "no rule finds {id}");
        expected.insert(id.as_str(), *n);
    }
    assert_eq!(
        found, expected,
        "findings per rule against what was planted"
    );
    assert_eq!(first.new, first.findings);
    assert!(first.rows_examined > 0);
    let steps = seen.lock().unwrap().clone();
    assert_eq!(steps.len(), RULES.len() + 1);
    assert!(steps[1].stage.contains("2 of"), "{}", steps[1].stage);

    // Nothing changed: nothing new, nothing resolved.
    let second = run(&ctx, &[], &params, &NoProgress, &CancelToken::new())
        .await
        .unwrap();
    assert_eq!((second.new, second.resolved), (0, 0));
    assert_eq!(second.findings, first.findings);

    // One product's stock is counted again: its finding is resolved.
    let id = t
        .scalar("SELECT MIN(id) FROM products WHERE stock < 0")
        .await;
    t.exec(&format!("UPDATE products SET stock = 3 WHERE id = {id}"))
        .await;
    let only = vec!["products.negative_stock".to_string()];
    let third = run(&ctx, &only, &params, &NoProgress, &CancelToken::new())
        .await
        .unwrap();
    assert_eq!(third.rules.len(), 1);
    assert_eq!(third.resolved, 1);
    assert_eq!(third.findings, expected["products.negative_stock"] - 1);
    let status = t
        .scalar(&format!(
            "SELECT COUNT(*) FROM backoffice_findings WHERE entity_id = {id} \
             AND rule_id = 'products.negative_stock' AND status = 'resolved'"
        ))
        .await;
    assert_eq!(status, 1);

    // The worklist: counts per rule, pages of findings, accepting one.
    let support_ctx = Ctx::at(&db, &support, now);
    let counts = summary(&support_ctx).await.unwrap();
    assert_eq!(counts[0].rule_id, RULES[0].id, "catalogue order");
    let neg = counts
        .iter()
        .find(|c| c.rule_id == "products.negative_stock")
        .unwrap();
    assert_eq!(
        (neg.open, neg.resolved),
        (expected["products.negative_stock"] as i64 - 1, 1)
    );
    assert!(expected["orders.total_mismatch"] >= 3);
    let filter = FindingFilter {
        rule_id: Some("orders.total_mismatch".into()),
        ..FindingFilter::default()
    };
    let page = list(&support_ctx, &filter, &PageRequest::first(2))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    let next = list(
        &support_ctx,
        &filter,
        &PageRequest {
            after: page.next.clone(),
            limit: Some(2),
        },
    )
    .await
    .unwrap();
    assert!(next.items[0].id < page.items[1].id);
    let f = &page.items[0];
    assert_eq!(f.entity_type, "order");
    let e = accept(&support_ctx, f.id, f.version, "counted")
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Forbidden);
    let e = accept(&ctx, f.id, f.version, " ").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Validation);
    let accepted = accept(&ctx, f.id, f.version, "display stock, counted by hand")
        .await
        .unwrap();
    assert_eq!(accepted.status, "accepted");
    assert_eq!(accepted.accepted_by.as_deref(), Some("admin"));
    let e = accept(&ctx, f.id, f.version, "again").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict);
    // Still tripping the rule, it stays accepted after the next run.
    let totals = vec!["orders.total_mismatch".to_string()];
    run(&ctx, &totals, &params, &NoProgress, &CancelToken::new())
        .await
        .unwrap();
    let kept = list(
        &ctx,
        &FindingFilter {
            status: Some("accepted".into()),
            ..FindingFilter::default()
        },
        &PageRequest::first(5),
    )
    .await
    .unwrap();
    assert_eq!(kept.items.len(), 1);
    assert_eq!(kept.items[0].id, f.id);

    // A cancelled run leaves no run and no finding behind.
    let runs = t
        .scalar("SELECT COUNT(*) FROM backoffice_validation_runs")
        .await;
    let findings = t.scalar("SELECT COUNT(*) FROM backoffice_findings").await;
    let stop = CancelToken::new();
    let cancel_soon = |p: Progress| {
        if p.done == 3 {
            stop.cancel();
        }
    };
    t.exec("UPDATE products SET stock = -1").await;
    let e = run(&ctx, &[], &params, &cancel_soon, &stop)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("cancelled"), "{e}");
    assert_eq!(
        t.scalar("SELECT COUNT(*) FROM backoffice_validation_runs")
            .await,
        runs
    );
    assert_eq!(
        t.scalar("SELECT COUNT(*) FROM backoffice_findings").await,
        findings
    );

    // Unknown rules and the support role are refused.
    let e = run(
        &ctx,
        &["users.nope".into()],
        &params,
        &NoProgress,
        &CancelToken::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Validation);
    let e = run(
        &Ctx::at(&db, &support, now),
        &[],
        &params,
        &NoProgress,
        &CancelToken::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Forbidden);
}

each_backend! {
    sweep => the_sweep_finds_what_was_planted,
}
