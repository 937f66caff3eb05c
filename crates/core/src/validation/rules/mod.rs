//! The rule catalogue. Each rule is one set-based query per backend that
//! returns the ids of the records it flags; the sweep turns those rows
//! into findings inside the database, never row by row in Rust. The one
//! exception is the email syntax rule: no SQL dialect has an RFC-grade
//! address parser, so that rule streams addresses through one.

use crate::validation::Entity;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::{Backend, Query};

mod accounts;
mod orders;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Money or integrity is wrong.
    Error,
    /// Something a person should look at.
    Warning,
}

/// What a sweep compares against; the defaults are the back end's policy.
#[derive(Debug, Clone)]
pub struct Params {
    pub now: DateTime<Utc>,
    /// Unverified for longer than this many days is flagged.
    pub unverified_days: i64,
    /// Paid but not shipped for longer than this many days is flagged.
    pub paid_not_shipped_days: i64,
    /// The back end locks an account at this many failed sign-ins.
    pub lockout_threshold: i64,
}

impl Params {
    pub fn at(now: DateTime<Utc>) -> Params {
        Params {
            now,
            unverified_days: 30,
            paid_not_shipped_days: 14,
            lockout_threshold: 5,
        }
    }
}

/// Which records a rule looks at: all of them (a sweep), or those an edit
/// touched (a guard), by the ids of the rule's entity.
#[derive(Clone, Copy)]
pub(crate) enum Scope<'a> {
    All,
    Ids(&'a [i64]),
}

impl Scope<'_> {
    /// ` AND {col} IN (…)` when scoped; nothing for a sweep.
    fn and(&self, q: &mut Query, col: &str) {
        if let Scope::Ids(ids) = self {
            q.sql(format!(" AND {col} IN "))
                .bind_list(ids.iter().copied());
        }
    }
}

pub(crate) enum Check {
    /// `SELECT … AS id …`: the ids of the flagged records, within a scope.
    Sql(fn(Backend, &Params, &Scope) -> Query),
    /// Users' (email, email_normalized) through a test in Rust, for what no
    /// SQL dialect can judge: RFC 5322 syntax, Unicode case. `candidates`,
    /// if set, is a predicate on `users` that holds for every row the test
    /// could flag, so the others need not leave the database.
    Emails {
        flags: fn(&str, &str) -> bool,
        candidates: Option<fn(Backend) -> String>,
    },
    /// Groups of users whose addresses share a key, the oldest of each
    /// flagged: `sql` groups the all-ASCII addresses in the database (case
    /// is all there is to fold), `key` the others in Rust (Unicode case and
    /// normal form).
    Duplicates {
        sql: fn(Backend, &Params, &Scope) -> Query,
        key: fn(&str) -> String,
    },
}

pub struct Rule {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub entity: Entity,
    /// The table whose rows the rule reads (for progress).
    pub table: &'static str,
    pub explanation: &'static str,
    /// Whether every edit the console makes is checked against this rule.
    /// Rules about the passage of time (stale, not shipped yet) and about
    /// states an operator sets on purpose (a disabled account) are not.
    pub guards_edits: bool,
    pub(crate) check: Check,
}

pub(super) fn q(sql: &str) -> Query {
    Query::new(sql)
}

pub static RULES: &[Rule] = &[
    accounts::INVALID_EMAIL,
    accounts::DUPLICATE_EMAIL_CASE,
    accounts::EMAIL_NOT_NORMALIZED,
    accounts::UNVERIFIED_STALE,
    accounts::LOCKED_WITHOUT_REASON,
    accounts::LOCK_EXPIRED,
    accounts::FAILED_COUNT_OVER_THRESHOLD,
    accounts::BAD_DISPLAY_NAME,
    accounts::PRODUCTS_NEGATIVE_STOCK,
    accounts::PRODUCTS_ACTIVE_NONPOSITIVE_PRICE,
    accounts::PRODUCTS_DUPLICATE_SKU,
    orders::TOTAL_MISMATCH,
    orders::SUBTOTAL_MISMATCH,
    orders::LINE_TOTAL_MISMATCH,
    orders::BAD_QUANTITY,
    orders::NO_ITEMS,
    orders::PAID_NOT_SHIPPED,
    orders::TIMESTAMPS_OUT_OF_ORDER,
    orders::REFUND_EXCEEDS_PAID,
    orders::DISABLED_USER,
    orders::REFERENTIAL_DANGLING_ORDER_ITEM,
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_named_after_their_entity() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
        assert!(RULES.len() >= 14);
        for r in RULES {
            assert!(!r.explanation.is_empty() && !r.title.is_empty(), "{}", r.id);
        }
    }
}
