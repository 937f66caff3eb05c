//! The rule catalogue as the CLI and the console show it.

use serde::Serialize;

use super::{fix_for_rule, Entity, Severity, RULES};

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct RuleInfo {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub entity: Entity,
    pub explanation: &'static str,
    /// Every edit the console makes is refused if it would trip the rule.
    pub guards_edits: bool,
    /// The mechanical fix for its findings, if there is one.
    pub fix: Option<&'static str>,
    /// Why it cannot run on this back end (a mapped one that lacks what
    /// it reads); none: it runs.
    pub unavailable: Option<String>,
}

/// Every rule, in the catalogue's order.
pub fn catalogue() -> Vec<RuleInfo> {
    RULES
        .iter()
        .map(|r| RuleInfo {
            id: r.id,
            title: r.title,
            severity: r.severity,
            entity: r.entity,
            explanation: r.explanation,
            guards_edits: r.guards_edits,
            fix: fix_for_rule(r.id).map(|f| f.id),
            unavailable: None,
        })
        .collect()
}
