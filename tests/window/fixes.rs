//! One finding fixed from its own row ("Fix…"): the preview names one
//! record, the fix changes that record only, and the rest of the rule's
//! findings stay open for the rule-wide fix.

use backoffice_core::session::Ctx;
use backoffice_core::validation::{self, RuleCount};
use backoffice_testkit::TestDb;
use fantoccini::Client;

use crate::driver::{click, fill, text_of, wait_contains, wait_text};

async fn open_of(shop: &TestDb, rule: &str) -> i64 {
    shop.scalar(&format!(
        "SELECT COUNT(*) FROM backoffice_findings WHERE status = 'open' AND rule_id = '{rule}'"
    ))
    .await
}

/// A record on the first page of `rule`'s findings that its fix changes on
/// its own (some need a person and are skipped).
async fn fixable_record(ctx: &Ctx<'_>, shop: &TestDb, rule: &str) -> Option<i64> {
    let fix = validation::fix_for_rule(rule)?;
    let shown = shop
        .texts(&format!(
            "SELECT CAST(entity_id AS TEXT) FROM backoffice_findings WHERE rule_id = '{rule}' \
             AND status = 'open' ORDER BY id DESC LIMIT 50"
        ))
        .await;
    for id in shown.iter().filter_map(|s| s.parse::<i64>().ok()) {
        let preview = validation::preview_fix(ctx, fix.id, &[id]).await.ok()?;
        if preview.changes.len() == 1 {
            return Some(id);
        }
    }
    None
}

/// Run on the validation view after a sweep; `summary` is its rule counts.
pub async fn one_finding(client: &Client, ctx: &Ctx<'_>, shop: &TestDb, summary: &[RuleCount]) {
    let mut chosen = None;
    for c in summary.iter().filter(|c| c.open >= 2) {
        if let Some(id) = fixable_record(ctx, shop, &c.rule_id).await {
            chosen = Some((c, id));
            break;
        }
    }
    let (rule, entity) = chosen.expect("the seed plants a rule with a fixable record twice");
    let before = open_of(shop, &rule.rule_id).await;
    click(
        client,
        &format!("#rules tr[data-rule='{}'] td", rule.rule_id),
    )
    .await;
    wait_text(client, "#findings-title", &rule.title).await;
    let button = format!("#findings button[data-fix-one='{entity}']");
    assert_eq!(text_of(client, &button).await, "Fix…");
    click(client, &button).await;
    let title = text_of(client, "#confirm-dialog[open] #confirm-title").await;
    assert!(title.ends_with(" to 1 record"), "{title}");
    fill(client, "confirm-reason", "ticket 31: this one only").await;
    click(client, "#confirm-ok").await;
    let notice = wait_contains(client, "#notice", " fixed, ").await;
    assert!(notice.contains(": 1 record fixed"), "{notice}");
    let fixed = shop
        .scalar(&format!(
            "SELECT COUNT(*) FROM backoffice_findings WHERE status = 'fixed' \
             AND rule_id = '{}' AND entity_id = {entity}",
            rule.rule_id
        ))
        .await;
    assert_eq!(fixed, 1, "the record's finding is fixed");
    assert_eq!(
        open_of(shop, &rule.rule_id).await,
        before - 1,
        "only that one"
    );
    let reason = shop
        .texts("SELECT reason FROM backoffice_audit_log ORDER BY id DESC LIMIT 1")
        .await;
    assert_eq!(reason, ["ticket 31: this one only"]);
}
