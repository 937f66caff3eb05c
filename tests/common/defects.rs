//! A hand-made dataset for the validation rules: the shop, plus one record
//! for each rule that trips it and records close to the line that do not.
//! [`expected`] says, rule by rule, exactly which records are flagged.

use std::collections::BTreeMap;

use backoffice_testkit::TestDb;
use chrono::Duration;

use super::shop::{product, shop, O};
use super::{now, t0, U};

/// | id | what | trips |
/// |----|------|-------|
/// | user 3  | unverified since t0+1d (seven_users) | users.unverified_stale |
/// | user 4  | `100%_off\deal@…`: a bare backslash (seven_users) | users.invalid_email |
/// | user 8  | `not-an-email` | users.invalid_email |
/// | user 9  | `Eve@Example.com`, stored un-lowered; user 10 is `eve@example.com` | users.duplicate_email_case, users.email_not_normalized |
/// | user 18, 19, 20 | `zöë@…`; `ZÖË@…` stored un-lowered; `zöë@…` with combining marks (NFD) | users.duplicate_email_case (18), users.email_not_normalized (19) |
/// | user 11 | `Fay@example.com`, stored un-lowered, no twin | users.email_not_normalized |
/// | user 12 | locked, no reason, ends tomorrow | users.locked_without_reason |
/// | user 13 | locked, ended yesterday, 6 failures | users.lock_expired |
/// | user 14 | active with 5 failures (user 15 has 4) | users.failed_count_over_threshold |
/// | user 16, 17, 21 | empty name; BEL in the name; a right-to-left override (user 22's Hebrew name has none) | users.bad_display_name |
/// | product 4 | stock −2 | products.negative_stock |
/// | product 5 | active at price 0 (product 7 is 0 but off sale) | products.active_nonpositive_price |
/// | product 5, 6 | `FREE-1` and `free-1 ` | products.duplicate_sku (5, the older) |
/// | order 2  | paid at t0+10d, never packed (shop) | orders.paid_not_shipped |
/// | order 8  | total 16.00, items 15.00 (shop) | orders.total_mismatch |
/// | order 10 | line total 0 for 3 × 4e18 (shop) | orders.line_total_mismatch |
/// | order 11 | subtotal and total 1.00 over the items | orders.subtotal_mismatch |
/// | order 12 | a line of quantity 0 | orders.bad_quantity |
/// | order 13 | no items | orders.no_items |
/// | order 14 | shipped before it was paid | orders.timestamps_out_of_order |
/// | order 5  | refunded 25.00 of 20.00 (order 7's full refund is fine) | orders.refund_exceeds_paid |
/// | order 16 | of disabled user 5 | orders.disabled_user |
/// | order 17 | total 20.00 for 12.50 of items, 18.00 refunded | orders.total_mismatch |
pub async fn defects(t: &TestDb) {
    shop(t).await;
    let mut users = vec![
        U::new(8, "not-an-email", "Nat"),
        U {
            normalized: Some("Eve@Example.com"),
            ..U::new(9, "Eve@Example.com", "Eve")
        },
        U::new(10, "eve@example.com", "Eve Two"),
        U {
            normalized: Some("Fay@example.com"),
            ..U::new(11, "Fay@example.com", "Fay")
        },
        U::new(12, "gus@example.com", "Gus"),
        U::new(13, "hal@example.com", "Hal"),
        U::new(14, "ivy@example.com", "Ivy"),
        U::new(15, "jon@example.com", "Jon"),
        U::new(16, "kim@example.com", ""),
        U::new(17, "lou@example.com", "Lou\u{7}Reed"),
        U::new(18, "z\u{f6}\u{eb}@example.com", "Zoë"),
        U {
            normalized: Some("Z\u{d6}\u{cb}@example.com"),
            ..U::new(19, "Z\u{d6}\u{cb}@example.com", "Zoë Two")
        },
        U::new(20, "zo\u{308}e\u{308}@example.com", "Zoë Three"),
        U::new(21, "mal@example.com", "Mal \u{202E}moc.elpmaxe@evil"),
        U::new(22, "dov@example.com", "\u{5d3}\u{5d5}\u{5d1}"),
    ];
    users[4].status = "locked";
    users[4].locked_until = Some(now() + Duration::days(1));
    users[5].status = "locked";
    users[5].locked_until = Some(now() - Duration::days(1));
    users[5].lock_reason = Some("too many failed sign-ins");
    users[5].failures = 6;
    users[6].failures = 5;
    users[7].failures = 4;
    for u in &users {
        u.insert(t).await;
    }

    product(t, 4, "NEG-1", "Ghost stock", 500, "EUR", -2).await;
    product(t, 5, "FREE-1", "Freebie", 0, "EUR", 3).await;
    product(t, 6, "free-1 ", "Freebie again", 100, "EUR", 3).await;
    product(t, 7, "OLD-1", "Retired", 0, "EUR", 0).await;
    t.exec("UPDATE products SET active = FALSE WHERE id = 7")
        .await;

    O::new(11, 2, "pending", 20)
        .line(1, 1, 1250)
        .insert(t)
        .await;
    t.exec("UPDATE orders SET subtotal_cents = 1350, total_cents = 1350 WHERE id = 11")
        .await;
    O::new(12, 2, "pending", 20)
        .line(1, 0, 1250)
        .insert(t)
        .await;
    O::new(13, 6, "pending", 21).insert(t).await;
    O::new(14, 6, "delivered", 21)
        .line(2, 1, 2000)
        .insert(t)
        .await;
    t.exec("UPDATE orders SET shipped_at = placed_at WHERE id = 14")
        .await;
    refund(t, 5, 2500).await;
    O::new(16, 5, "pending", 22)
        .line(1, 1, 1250)
        .insert(t)
        .await;
    O {
        total: Some(2000),
        ..O::new(17, 7, "delivered", 22).line(1, 1, 1250)
    }
    .insert(t)
    .await;
    refund(t, 17, 1800).await;
}

pub async fn refund(t: &TestDb, order: i64, cents: i64) {
    t.insert(
        "refunds",
        &["order_id", "amount_cents", "reason", "operator", "at"],
        &[
            order.into(),
            cents.into(),
            "goodwill".into(),
            "admin".into(),
            (t0() + Duration::days(40)).into(),
        ],
    )
    .await;
}

/// Rule id → the ids it flags in [`defects`].
pub fn expected() -> BTreeMap<&'static str, Vec<i64>> {
    BTreeMap::from([
        // 20 too: the RFC parser refuses combining marks (an address in NFD).
        ("users.invalid_email", vec![4, 8, 20]),
        ("users.duplicate_email_case", vec![9, 18]),
        ("users.email_not_normalized", vec![9, 11, 19]),
        ("users.unverified_stale", vec![3]),
        ("users.locked_without_reason", vec![12]),
        ("users.lock_expired", vec![13]),
        ("users.failed_count_over_threshold", vec![14]),
        ("users.bad_display_name", vec![16, 17, 21]),
        ("products.negative_stock", vec![4]),
        ("products.active_nonpositive_price", vec![5]),
        ("products.duplicate_sku", vec![5]),
        ("orders.total_mismatch", vec![8, 17]),
        ("orders.subtotal_mismatch", vec![11]),
        ("orders.line_total_mismatch", vec![10]),
        ("orders.bad_quantity", vec![12]),
        ("orders.no_items", vec![13]),
        ("orders.paid_not_shipped", vec![2]),
        ("orders.timestamps_out_of_order", vec![14]),
        ("orders.refund_exceeds_paid", vec![5]),
        ("orders.disabled_user", vec![16]),
        ("referential.dangling_order_item", vec![]),
    ])
}
