//! The mechanical fixes on offer: which rules' findings each fixes, and
//! which planner works out its changes (`fix_plans.rs`); `fixes.rs`
//! previews and applies them.

use super::fix_plans::{self, Plan};
use crate::db::Source;
use crate::validation::Entity;
use crate::{Error, Result};

/// How a fix works out its changes for one record.
#[derive(Debug, Clone, Copy)]
pub(super) enum Planner {
    RecomputeTotals,
    ClearExpiredLock,
    NormalizeEmail,
}

pub struct Fix {
    pub id: &'static str,
    pub title: &'static str,
    pub entity: Entity,
    /// The audit log's name for one record fixed.
    pub audit_action: &'static str,
    pub(super) planner: Planner,
    /// The rules whose open findings it fixes.
    pub rules: &'static [&'static str],
    pub description: &'static str,
}

pub static FIXES: &[Fix] = &[
    Fix {
        id: "orders.recompute_totals",
        title: "Recompute the order's totals from its items",
        entity: Entity::Order,
        audit_action: "order.fix_totals",
        planner: Planner::RecomputeTotals,
        rules: &[
            "orders.line_total_mismatch",
            "orders.subtotal_mismatch",
            "orders.total_mismatch",
        ],
        description: "Sets each line total to quantity × unit price, the subtotal to the sum \
                      of the lines and the total to subtotal + shipping + tax − discount. \
                      Orders with no items, or a line of quantity 0 or less or a negative \
                      price, are left for a person.",
    },
    Fix {
        id: "users.clear_expired_lock",
        title: "Clear a lock that has expired",
        entity: Entity::User,
        audit_action: "user.fix_expired_lock",
        planner: Planner::ClearExpiredLock,
        rules: &["users.lock_expired"],
        description: "Makes the account active and clears the lock's reason and end and the \
                      failed sign-in counter, as an unlock does.",
    },
    Fix {
        id: "users.normalize_email",
        title: "Store the normalised address in lower case",
        entity: Entity::User,
        audit_action: "user.fix_email_normalized",
        planner: Planner::NormalizeEmail,
        rules: &["users.email_not_normalized"],
        description: "Sets the normalised address to the address in lower case, unless \
                      another account already has it (a duplicate account, for a person).",
    },
];

/// The fix with this id.
pub fn fix(id: &str) -> Option<&'static Fix> {
    FIXES.iter().find(|f| f.id == id)
}

/// The fix offered for a rule's findings, if there is one.
pub fn fix_for_rule(rule_id: &str) -> Option<&'static Fix> {
    FIXES.iter().find(|f| f.rules.contains(&rule_id))
}

pub(super) fn find(id: &str) -> Result<&'static Fix> {
    fix(id).ok_or_else(|| {
        let known: Vec<&str> = FIXES.iter().map(|f| f.id).collect();
        Error::validation(format!("no fix '{id}'; fixes are: {}", known.join(", ")))
    })
}

pub(super) async fn plan(
    f: &Fix,
    src: &mut Source<'_>,
    id: i64,
    now: chrono::DateTime<chrono::Utc>,
    lock: bool,
) -> Result<Plan> {
    match f.planner {
        Planner::RecomputeTotals => fix_plans::recompute_totals(src, id, lock).await,
        Planner::ClearExpiredLock => fix_plans::clear_expired_lock(src, id, now, lock).await,
        Planner::NormalizeEmail => fix_plans::normalize_email(src, id, lock).await,
    }
}
