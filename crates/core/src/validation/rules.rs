//! The rule catalogue. Each rule is one set-based query per backend that
//! returns the ids of the records it flags; the sweep turns those rows
//! into findings inside the database, never row by row in Rust. The one
//! exception is the email syntax rule: no SQL dialect has an RFC-grade
//! address parser, so that rule streams addresses through one.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::db::{Backend, Query};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

pub(crate) enum Check {
    /// `SELECT … AS id …`: the ids of the flagged records.
    Sql(fn(Backend, &Params) -> Query),
    /// Every address through the RFC 5322 parser.
    EmailSyntax,
}

pub struct Rule {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    /// user, product, order or order_item.
    pub entity: &'static str,
    /// The table whose rows the rule reads (for progress).
    pub table: &'static str,
    pub explanation: &'static str,
    pub(crate) check: Check,
}

fn q(sql: &str) -> Query {
    Query::new(sql)
}

pub static RULES: &[Rule] = &[
    Rule {
        id: "users.invalid_email",
        title: "Email address is not valid",
        severity: Severity::Error,
        entity: "user",
        table: "users",
        explanation: "The address does not parse as an RFC 5322 address, so no email can reach \
                      this person. Ask them for a correct address and change it.",
        check: Check::EmailSyntax,
    },
    Rule {
        id: "users.duplicate_email_case",
        title: "Two accounts share an address up to letter case",
        severity: Severity::Error,
        entity: "user",
        table: "users",
        explanation: "Another account has the same address written with different capitals; \
                      the flagged account is the older one. Find out which one the person uses \
                      before merging or disabling; this is not fixed automatically.",
        check: Check::Sql(|b, _| {
            q(&format!(
                "SELECT MIN(id) AS id FROM users GROUP BY {} HAVING COUNT(*) > 1",
                b.exact("LOWER(email)")
            ))
        }),
    },
    Rule {
        id: "users.unverified_stale",
        title: "Unverified for a long time",
        severity: Severity::Warning,
        entity: "user",
        table: "users",
        explanation: "The address was never verified, long after the account was created. \
                      Send a verification reminder, or disable the account if it is abandoned.",
        check: Check::Sql(|_, p| {
            let mut q = q("SELECT id FROM users WHERE email_verified_at IS NULL AND created_at < ");
            q.bind(p.now - Duration::days(p.unverified_days));
            q
        }),
    },
    Rule {
        id: "users.locked_without_reason",
        title: "Locked with no reason",
        severity: Severity::Warning,
        entity: "user",
        table: "users",
        explanation: "The account is locked but nobody recorded why, so support cannot tell \
                      the person what happened. Add the reason or unlock it.",
        check: Check::Sql(|_, p| {
            let mut q = q("SELECT id FROM users WHERE status = 'locked' \
                 AND (lock_reason IS NULL OR lock_reason = '') \
                 AND (locked_until IS NULL OR locked_until > ");
            q.bind(p.now).sql(")");
            q
        }),
    },
    Rule {
        id: "users.lock_expired",
        title: "Lock expired but never cleared",
        severity: Severity::Warning,
        entity: "user",
        table: "users",
        explanation: "The lock's end has passed but the account is still marked locked. \
                      Unlocking it clears the status (a safe fix).",
        check: Check::Sql(|_, p| {
            let mut q = q("SELECT id FROM users WHERE status = 'locked' AND locked_until <= ");
            q.bind(p.now);
            q
        }),
    },
    Rule {
        id: "users.failed_count_over_threshold",
        title: "Failed sign-ins at the lockout threshold, yet active",
        severity: Severity::Warning,
        entity: "user",
        table: "users",
        explanation: "The account reached the number of failed sign-ins that should have locked \
                      it and is still active: the lockout did not happen. Check for password \
                      guessing, then lock it or reset the counter.",
        check: Check::Sql(|_, p| {
            let mut q =
                q("SELECT id FROM users WHERE status = 'active' AND failed_login_count >= ");
            q.bind(p.lockout_threshold);
            q
        }),
    },
    Rule {
        id: "users.bad_display_name",
        title: "Display name empty or with control characters",
        severity: Severity::Warning,
        entity: "user",
        table: "users",
        explanation: "The name is blank or contains invisible control characters, which break \
                      emails and exports. Change the display name.",
        check: Check::Sql(|b, _| {
            q(&format!(
                "SELECT id FROM users WHERE TRIM(display_name) = '' OR {}",
                b.has_control_chars("display_name")
            ))
        }),
    },
    Rule {
        id: "products.negative_stock",
        title: "Negative stock",
        severity: Severity::Error,
        entity: "product",
        table: "products",
        explanation: "More units were sold or reserved than were ever in stock. Count the \
                      shelf and correct the stock.",
        check: Check::Sql(|_, _| q("SELECT id FROM products WHERE stock < 0")),
    },
    Rule {
        id: "products.active_nonpositive_price",
        title: "Active product with no price",
        severity: Severity::Error,
        entity: "product",
        table: "products",
        explanation: "The product is on sale for nothing (or less). Set its price or take it \
                      off sale.",
        check: Check::Sql(|_, _| {
            q("SELECT id FROM products WHERE active = TRUE AND price_cents <= 0")
        }),
    },
    Rule {
        id: "products.duplicate_sku",
        title: "SKU repeated up to case and spaces",
        severity: Severity::Error,
        entity: "product",
        table: "products",
        explanation: "Another product has the same SKU once case and surrounding spaces are \
                      ignored; the flagged product is the older one. Decide which one is real \
                      before renaming; this is not fixed automatically.",
        check: Check::Sql(|_, _| {
            q("SELECT MIN(id) AS id FROM products GROUP BY LOWER(TRIM(sku)) HAVING COUNT(*) > 1")
        }),
    },
    Rule {
        id: "orders.total_mismatch",
        title: "Total does not add up",
        severity: Severity::Error,
        entity: "order",
        table: "orders",
        explanation: "The total is not subtotal + shipping + tax − discount. Recomputing the \
                      total from its parts fixes it; check first whether the customer was \
                      charged the wrong amount.",
        check: Check::Sql(|b, _| {
            q(&format!(
                "SELECT id FROM orders WHERE total_cents <> {} + shipping_cents + tax_cents \
                 - discount_cents",
                b.wide("subtotal_cents")
            ))
        }),
    },
    Rule {
        id: "orders.subtotal_mismatch",
        title: "Subtotal differs from the items",
        severity: Severity::Error,
        entity: "order",
        table: "orders",
        explanation: "The subtotal is not the sum of the line totals. Recompute the order's \
                      totals from its items.",
        check: Check::Sql(|b, _| {
            q(&format!(
                "SELECT o.id FROM orders o LEFT JOIN (SELECT order_id, {} AS s FROM order_items \
                 GROUP BY order_id) i ON i.order_id = o.id WHERE o.subtotal_cents <> COALESCE(i.s, 0)",
                b.sum_wide("line_total_cents")
            ))
        }),
    },
    Rule {
        id: "orders.line_total_mismatch",
        title: "A line total is not quantity × price",
        severity: Severity::Error,
        entity: "order",
        table: "order_items",
        explanation: "One of the order's lines has a total that is not its quantity times its \
                      unit price. Recompute the line, then the order's totals.",
        check: Check::Sql(|b, _| {
            q(&format!(
                "SELECT DISTINCT order_id AS id FROM order_items \
                 WHERE line_total_cents <> {} * unit_price_cents",
                b.wide("quantity")
            ))
        }),
    },
    Rule {
        id: "orders.bad_quantity",
        title: "Quantity of zero or less, or a negative price",
        severity: Severity::Error,
        entity: "order",
        table: "order_items",
        explanation: "A line orders no units (or negative ones), or has a negative price. \
                      Find out what the customer really ordered.",
        check: Check::Sql(|_, _| {
            q("SELECT DISTINCT order_id AS id FROM order_items \
               WHERE quantity <= 0 OR unit_price_cents < 0")
        }),
    },
    Rule {
        id: "orders.no_items",
        title: "Order with no items",
        severity: Severity::Warning,
        entity: "order",
        table: "orders",
        explanation: "The order has no lines at all. Cancel it if it is pending, otherwise \
                      find out what was sold.",
        check: Check::Sql(|_, _| {
            q("SELECT o.id FROM orders o WHERE NOT EXISTS \
               (SELECT 1 FROM order_items i WHERE i.order_id = o.id)")
        }),
    },
    Rule {
        id: "orders.paid_not_shipped",
        title: "Paid long ago, never shipped",
        severity: Severity::Warning,
        entity: "order",
        table: "orders",
        explanation: "The customer paid and nothing has moved since. Pack and ship it, or \
                      cancel and refund.",
        check: Check::Sql(|_, p| {
            let mut q = q("SELECT id FROM orders WHERE status = 'paid' AND paid_at < ");
            q.bind(p.now - Duration::days(p.paid_not_shipped_days));
            q
        }),
    },
    Rule {
        id: "orders.timestamps_out_of_order",
        title: "Lifecycle timestamps out of order",
        severity: Severity::Warning,
        entity: "order",
        table: "orders",
        explanation: "A later step (paid, packed, shipped, delivered) is dated before an \
                      earlier one. Check the carrier's and the payment provider's records.",
        check: Check::Sql(|_, _| {
            q(
                "SELECT id FROM orders WHERE paid_at < placed_at OR packed_at < paid_at \
               OR shipped_at < packed_at OR shipped_at < paid_at OR delivered_at < shipped_at",
            )
        }),
    },
    Rule {
        id: "orders.refund_exceeds_paid",
        title: "Refunded more than was paid",
        severity: Severity::Error,
        entity: "order",
        table: "refunds",
        explanation: "The refunds add up to more than the customer paid. Money went out that \
                      should not have; this needs a person, not an automatic fix.",
        check: Check::Sql(|b, _| {
            q(&format!(
                "SELECT o.id FROM orders o JOIN (SELECT order_id, {} AS s FROM refunds \
                 GROUP BY order_id) r ON r.order_id = o.id \
                 WHERE r.s > CASE WHEN o.paid_at IS NULL THEN 0 ELSE o.total_cents END",
                b.sum_wide("amount_cents")
            ))
        }),
    },
    Rule {
        id: "orders.disabled_user",
        title: "Order of a disabled account",
        severity: Severity::Warning,
        entity: "order",
        table: "orders",
        explanation: "The customer's account is disabled. Check whether the order should be \
                      honoured.",
        check: Check::Sql(|_, _| {
            q(
                "SELECT o.id FROM orders o JOIN users u ON u.id = o.user_id \
               WHERE u.status = 'disabled'",
            )
        }),
    },
    Rule {
        id: "referential.dangling_order_item",
        title: "Order line pointing at a missing product or order",
        severity: Severity::Error,
        entity: "order_item",
        table: "order_items",
        explanation: "The line refers to a product or order that does not exist (possible \
                      only where foreign keys were off when it was written). Restore the \
                      record or remove the line.",
        check: Check::Sql(|_, _| {
            q(
                "SELECT i.id FROM order_items i LEFT JOIN products p ON p.id = i.product_id \
               LEFT JOIN orders o ON o.id = i.order_id WHERE p.id IS NULL OR o.id IS NULL",
            )
        }),
    },
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
