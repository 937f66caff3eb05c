//! A small shop on top of the seven users: three products and orders in
//! every status, with ties in placement time and very large amounts.

use backoffice_core::orders::{OrderChange, OrderStatus};
use backoffice_testkit::TestDb;
use chrono::{DateTime, Utc};

use super::{days, seven_users, t0, Console};

pub const BIG: i64 = 4_000_000_000_000_000_000;

/// One order as a case needs it: lines are (product, quantity, unit price)
/// and the amounts follow from them unless `total` says otherwise.
#[derive(Clone)]
pub struct O {
    pub id: i64,
    pub user: i64,
    pub status: &'static str,
    pub currency: &'static str,
    pub lines: Vec<(i64, i64, i64)>,
    pub placed: DateTime<Utc>,
    pub total: Option<i64>,
    /// A line total that disagrees with quantity × price.
    pub line_total: Option<i64>,
}

impl O {
    pub fn new(id: i64, user: i64, status: &'static str, day: i64) -> O {
        O {
            id,
            user,
            status,
            currency: "EUR",
            lines: Vec::new(),
            placed: t0() + days(day),
            total: None,
            line_total: None,
        }
    }

    pub fn line(mut self, product: i64, qty: i64, price: i64) -> O {
        self.lines.push((product, qty, price));
        self
    }

    pub async fn insert(&self, t: &TestDb) {
        let line_totals: Vec<i64> = self
            .lines
            .iter()
            .map(|(_, q, p)| self.line_total.unwrap_or_else(|| q * p))
            .collect();
        let subtotal: i64 = line_totals.iter().sum();
        let total = self.total.unwrap_or(subtotal);
        let reached = |s: &str| {
            let path = ["pending", "paid", "packed", "shipped", "delivered"];
            let at = |x: &str| path.iter().position(|p| *p == x);
            match self.status {
                "refunded" => at(s) <= Some(1),
                "cancelled" => false,
                st => at(st) >= at(s),
            }
        };
        let stamp = |s: &str, h: i64| reached(s).then(|| self.placed + chrono::Duration::hours(h));
        let only =
            |s: &str, h: i64| (self.status == s).then(|| self.placed + chrono::Duration::hours(h));
        t.insert(
            "orders",
            &[
                "id",
                "user_id",
                "status",
                "currency",
                "subtotal_cents",
                "shipping_cents",
                "discount_cents",
                "tax_cents",
                "total_cents",
                "placed_at",
                "paid_at",
                "packed_at",
                "shipped_at",
                "delivered_at",
                "cancelled_at",
                "refunded_at",
                "created_at",
                "updated_at",
            ],
            &[
                self.id.into(),
                self.user.into(),
                self.status.into(),
                self.currency.into(),
                subtotal.into(),
                0i64.into(),
                0i64.into(),
                0i64.into(),
                total.into(),
                self.placed.into(),
                stamp("paid", 1).into(),
                stamp("packed", 2).into(),
                stamp("shipped", 3).into(),
                stamp("delivered", 4).into(),
                only("cancelled", 5).into(),
                only("refunded", 6).into(),
                self.placed.into(),
                self.placed.into(),
            ],
        )
        .await;
        for ((product, qty, price), line) in self.lines.iter().zip(line_totals) {
            t.insert(
                "order_items",
                &[
                    "order_id",
                    "product_id",
                    "quantity",
                    "unit_price_cents",
                    "line_total_cents",
                ],
                &[
                    self.id.into(),
                    (*product).into(),
                    (*qty).into(),
                    (*price).into(),
                    line.into(),
                ],
            )
            .await;
        }
        t.insert(
            "order_events",
            &["order_id", "from_status", "to_status", "operator", "at"],
            &[
                self.id.into(),
                backoffice_testkit::Fx::NoText,
                "pending".into(),
                "system".into(),
                self.placed.into(),
            ],
        )
        .await;
        if self.status == "refunded" {
            t.insert(
                "refunds",
                &["order_id", "amount_cents", "reason", "operator", "at"],
                &[
                    self.id.into(),
                    total.into(),
                    "returned".into(),
                    "admin".into(),
                    (self.placed + days(1)).into(),
                ],
            )
            .await;
        }
    }
}

pub async fn product(
    t: &TestDb,
    id: i64,
    sku: &str,
    name: &str,
    price: i64,
    currency: &str,
    stock: i64,
) {
    t.insert(
        "products",
        &["id", "sku", "name", "price_cents", "currency", "stock"],
        &[
            id.into(),
            sku.into(),
            name.into(),
            price.into(),
            currency.into(),
            stock.into(),
        ],
    )
    .await;
}

/// | order | user | status    | placed  | lines                 | total     |
/// |-------|------|-----------|---------|-----------------------|-----------|
/// | 1     | 1    | pending   | t0+10d  | MUG ×2                | 25.00 EUR |
/// | 2     | 1    | paid      | t0+10d  | MUG ×1, TEE ×1        | 32.50 EUR |
/// | 3     | 2    | packed    | t0+11d  | TEE ×2                | 40.00 EUR |
/// | 4     | 2    | shipped   | t0+12d  | MUG ×1                | 12.50 EUR |
/// | 5     | 3    | delivered | t0+13d  | TEE ×1                | 20.00 EUR |
/// | 6     | 6    | cancelled | t0+10d  | MUG ×1 (never paid)   | 12.50 EUR |
/// | 7     | 6    | refunded  | t0+14d  | MUG ×1, refunded      | 12.50 EUR |
/// | 8     | 7    | delivered | t0+15d  | CAP ×1, total says 16 | 16.00 USD |
/// | 9     | 1    | delivered | t0+16d  | TEE ×1 at 4e16 EUR    | 4e18 cents|
/// | 10    | 2    | pending   | t0+17d  | TEE ×3 at 4e16 EUR, line says 0 | 0 |
pub async fn shop(t: &TestDb) {
    seven_users(t).await;
    product(t, 1, "MUG-1", "Mug", 1250, "EUR", 10).await;
    product(t, 2, "TEE-1", "T-shirt", 2000, "EUR", 5).await;
    product(t, 3, "CAP-1", "Cap", 1500, "USD", 0).await;
    let orders = [
        O::new(1, 1, "pending", 10).line(1, 2, 1250),
        O::new(2, 1, "paid", 10).line(1, 1, 1250).line(2, 1, 2000),
        O::new(3, 2, "packed", 11).line(2, 2, 2000),
        O::new(4, 2, "shipped", 12).line(1, 1, 1250),
        O::new(5, 3, "delivered", 13).line(2, 1, 2000),
        O::new(6, 6, "cancelled", 10).line(1, 1, 1250),
        O::new(7, 6, "refunded", 14).line(1, 1, 1250),
        O {
            currency: "USD",
            total: Some(1600),
            ..O::new(8, 7, "delivered", 15).line(3, 1, 1500)
        },
        O::new(9, 1, "delivered", 16).line(2, 1, BIG),
        O {
            line_total: Some(0),
            ..O::new(10, 2, "pending", 17).line(2, 3, BIG)
        },
    ];
    for o in &orders {
        o.insert(t).await;
    }
}

pub async fn stock(c: &Console, product: i64) -> i64 {
    c.t.scalar(&format!("SELECT stock FROM products WHERE id = {product}"))
        .await
}

pub async fn count(c: &Console, table: &str, order: i64) -> i64 {
    c.t.scalar(&format!(
        "SELECT COUNT(*) FROM {table} WHERE order_id = {order}"
    ))
    .await
}

pub async fn audit_count(c: &Console) -> i64 {
    c.t.scalar("SELECT COUNT(*) FROM backoffice_audit_log")
        .await
}

pub fn to(status: OrderStatus) -> OrderChange {
    OrderChange::Transition { to: status }
}
