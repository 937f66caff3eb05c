//! Each validation rule on a small hand-made dataset, on every backend:
//! exactly the records built to trip it are flagged, and the records built
//! to come close are not.

mod common;

use std::collections::BTreeMap;

use backoffice_core::db::Backend;
use backoffice_core::page::PageRequest;
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::session::Ctx;
use backoffice_core::validation::{list, run, FindingFilter, Params, RULES};
use backoffice_testkit::each_backend;

use common::defects::{defects, expected};
use common::{console, now};

async fn each_rule_flags_exactly_its_cases(backend: Backend) {
    let c = console(backend).await;
    defects(&c.t).await;
    let ctx = Ctx::at(&c.db, &c.admin, now());
    let params = Params::at(now());
    let want = expected();
    let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    assert_eq!(
        want.keys().copied().collect::<Vec<_>>(),
        {
            let mut sorted = ids.clone();
            sorted.sort();
            sorted
        },
        "the dataset covers every rule"
    );
    let mut found: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for r in RULES {
        let report = run(
            &ctx,
            &[r.id.to_string()],
            &params,
            &NoProgress,
            &CancelToken::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", r.id));
        assert_eq!(report.rules.len(), 1);
        let filter = FindingFilter {
            rule_id: Some(r.id.into()),
            ..FindingFilter::default()
        };
        let page = list(&ctx, &filter, &PageRequest::first(100)).await.unwrap();
        let mut flagged: Vec<i64> = page.items.iter().map(|f| f.entity_id).collect();
        flagged.sort();
        assert_eq!(report.rules[0].findings, flagged.len() as u64, "{}", r.id);
        assert!(
            page.items
                .iter()
                .all(|f| f.entity_type == r.entity.as_str()),
            "{}",
            r.id
        );
        found.insert(r.id, flagged);
    }
    assert_eq!(found, want);
}

each_backend! {
    rules => each_rule_flags_exactly_its_cases,
}
