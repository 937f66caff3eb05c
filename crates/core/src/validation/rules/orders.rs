//! Rules about orders, their items and refunds, and dangling references.

use crate::validation::Entity;
use chrono::Duration;

use super::{q, Check, Rule, Scope, Severity};
use crate::db::{Backend, Query};

pub(crate) const TOTAL_MISMATCH: Rule = Rule {
    id: "orders.total_mismatch",
    title: "Total does not add up",
    severity: Severity::Error,
    entity: Entity::Order,
    table: "orders",
    explanation: "The total is not subtotal + shipping + tax − discount. Recomputing the \
                  total from its parts fixes it; check first whether the customer was \
                  charged the wrong amount.",
    guards_edits: true,
    check: Check::Sql(|b, _, s| {
        let mut q = q(&format!(
            "SELECT id FROM orders WHERE total_cents <> {} + shipping_cents + tax_cents \
             - discount_cents",
            b.wide("subtotal_cents")
        ));
        s.and(&mut q, "id");
        q
    }),
};

pub(crate) const SUBTOTAL_MISMATCH: Rule = Rule {
    id: "orders.subtotal_mismatch",
    title: "Subtotal differs from the items",
    severity: Severity::Error,
    entity: Entity::Order,
    table: "orders",
    explanation: "The subtotal is not the sum of the line totals. Recompute the order's \
                  totals from its items.",
    guards_edits: true,
    check: Check::Sql(|b, _, s| {
        let mut q = q(&format!(
            "SELECT o.id FROM orders o LEFT JOIN (SELECT order_id, {} AS s FROM order_items \
             WHERE 1 = 1",
            b.sum_wide("line_total_cents")
        ));
        s.and(&mut q, "order_id");
        q.sql(
            " GROUP BY order_id) i ON i.order_id = o.id WHERE o.subtotal_cents <> COALESCE(i.s, 0)",
        );
        s.and(&mut q, "o.id");
        q
    }),
};

pub(crate) const LINE_TOTAL_MISMATCH: Rule = Rule {
    id: "orders.line_total_mismatch",
    title: "A line total is not quantity × price",
    severity: Severity::Error,
    entity: Entity::Order,
    table: "order_items",
    explanation: "One of the order's lines has a total that is not its quantity times its \
                  unit price. Recompute the line, then the order's totals.",
    guards_edits: true,
    check: Check::Sql(|b, _, s| {
        let mut q = q(&format!(
            "SELECT DISTINCT order_id AS id FROM order_items \
             WHERE line_total_cents <> {} * unit_price_cents",
            b.wide("quantity")
        ));
        s.and(&mut q, "order_id");
        q
    }),
};

pub(crate) const BAD_QUANTITY: Rule = Rule {
    id: "orders.bad_quantity",
    title: "Quantity of zero or less, or a negative price",
    severity: Severity::Error,
    entity: Entity::Order,
    table: "order_items",
    explanation: "A line orders no units (or negative ones), or has a negative price. \
                  Find out what the customer really ordered.",
    guards_edits: true,
    check: Check::Sql(|_, _, s| {
        let mut q = q("SELECT DISTINCT order_id AS id FROM order_items \
           WHERE (quantity <= 0 OR unit_price_cents < 0)");
        s.and(&mut q, "order_id");
        q
    }),
};

pub(crate) const NO_ITEMS: Rule = Rule {
    id: "orders.no_items",
    title: "Order with no items",
    severity: Severity::Warning,
    entity: Entity::Order,
    table: "orders",
    explanation: "The order has no lines at all. Cancel it if it is pending, otherwise \
                  find out what was sold.",
    guards_edits: true,
    check: Check::Sql(|b, _, s| {
        if b == Backend::Sqlite && matches!(s, Scope::All) {
            return no_items_by_gaps();
        }
        let mut q = q("SELECT o.id FROM orders o WHERE NOT EXISTS \
           (SELECT 1 FROM order_items i WHERE i.order_id = o.id)");
        s.and(&mut q, "o.id");
        q
    }),
};

/// SQLite has no anti-join: `NOT EXISTS` probes the items index once per
/// order (5 s for 3,000,000). The order ids that have items come out of
/// that index already sorted, so the orders without are the ids in the
/// gaps between consecutive ones (and after the last), each gap a rowid
/// range of the orders table.
fn no_items_by_gaps() -> Query {
    q(
        "WITH present AS (SELECT DISTINCT order_id AS id FROM order_items), \
       edges AS (SELECT LAG(id, 1, 0) OVER (ORDER BY id) AS lo, id AS hi FROM present \
                 UNION ALL SELECT COALESCE(MAX(order_id), 0), 9223372036854775807 \
                 FROM order_items), \
       gaps AS MATERIALIZED (SELECT lo, hi FROM edges WHERE hi > lo + 1) \
       SELECT o.id FROM gaps g CROSS JOIN orders o WHERE o.id > g.lo AND o.id < g.hi",
    )
}

pub(crate) const PAID_NOT_SHIPPED: Rule = Rule {
    id: "orders.paid_not_shipped",
    title: "Paid long ago, never shipped",
    severity: Severity::Warning,
    entity: Entity::Order,
    table: "orders",
    explanation: "The customer paid and nothing has moved since. Pack and ship it, or \
                  cancel and refund.",
    guards_edits: false,
    check: Check::Sql(|_, p, s| {
        let mut q = q("SELECT id FROM orders WHERE status = 'paid' AND paid_at < ");
        q.bind(p.now - Duration::days(p.paid_not_shipped_days));
        s.and(&mut q, "id");
        q
    }),
};

pub(crate) const TIMESTAMPS_OUT_OF_ORDER: Rule = Rule {
    id: "orders.timestamps_out_of_order",
    title: "Lifecycle timestamps out of order",
    severity: Severity::Warning,
    entity: Entity::Order,
    table: "orders",
    explanation: "A later step (paid, packed, shipped, delivered) is dated before an \
                  earlier one. Check the carrier's and the payment provider's records.",
    guards_edits: true,
    check: Check::Sql(|_, _, s| {
        let mut q = q(
            "SELECT id FROM orders WHERE (paid_at < placed_at OR packed_at < paid_at \
           OR shipped_at < packed_at OR shipped_at < paid_at OR delivered_at < shipped_at)",
        );
        s.and(&mut q, "id");
        q
    }),
};

pub(crate) const REFUND_EXCEEDS_PAID: Rule = Rule {
    id: "orders.refund_exceeds_paid",
    title: "Refunded more than was paid",
    severity: Severity::Error,
    entity: Entity::Order,
    table: "refunds",
    explanation: "The refunds add up to more than the customer paid. Money went out that \
                  should not have; this needs a person, not an automatic fix.",
    guards_edits: true,
    check: Check::Sql(|b, _, s| {
        let mut q = q(&format!(
            "SELECT o.id FROM orders o JOIN (SELECT order_id, {} AS s FROM refunds \
             WHERE 1 = 1",
            b.sum_wide("amount_cents")
        ));
        s.and(&mut q, "order_id");
        q.sql(
            " GROUP BY order_id) r ON r.order_id = o.id \
             WHERE r.s > CASE WHEN o.paid_at IS NULL THEN 0 ELSE o.total_cents END",
        );
        s.and(&mut q, "o.id");
        q
    }),
};

pub(crate) const DISABLED_USER: Rule = Rule {
    id: "orders.disabled_user",
    title: "Order of a disabled account",
    severity: Severity::Warning,
    entity: Entity::Order,
    table: "orders",
    explanation: "The customer's account is disabled. Check whether the order should be \
                  honoured.",
    guards_edits: false,
    check: Check::Sql(|_, _, s| {
        let mut q = q(
            "SELECT o.id FROM orders o JOIN users u ON u.id = o.user_id \
           WHERE u.status = 'disabled'",
        );
        s.and(&mut q, "o.id");
        q
    }),
};

pub(crate) const REFERENTIAL_DANGLING_ORDER_ITEM: Rule = Rule {
    id: "referential.dangling_order_item",
    title: "Order line pointing at a missing product or order",
    severity: Severity::Error,
    entity: Entity::OrderItem,
    table: "order_items",
    explanation: "The line refers to a product or order that does not exist (possible \
                  only where foreign keys were off when it was written). Restore the \
                  record or remove the line.",
    guards_edits: true,
    check: Check::Sql(|_, _, s| {
        let mut q = q(
            "SELECT i.id FROM order_items i LEFT JOIN products p ON p.id = i.product_id \
           LEFT JOIN orders o ON o.id = i.order_id WHERE (p.id IS NULL OR o.id IS NULL)",
        );
        s.and(&mut q, "i.id");
        q
    }),
};
