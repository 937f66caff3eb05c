//! The kinds of record a rule flags and a fix or a guard touches. One enum,
//! matched exhaustively: a new kind cannot slip past the guard unnoticed.

use serde::{Deserialize, Serialize};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    User,
    Order,
    OrderItem,
    Product,
    /// A row of stock: the product's own on the reference schema, a table
    /// of its own on some back ends (Oscar's partner_stockrecord).
    Stock,
}

impl Entity {
    /// The name in findings and audit entries ("order_item").
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::User => "user",
            Entity::Order => "order",
            Entity::OrderItem => "order_item",
            Entity::Product => "product",
            Entity::Stock => "stock",
        }
    }

    /// The reference schema's table of this kind.
    pub(crate) fn table(self) -> &'static str {
        match self {
            Entity::User => "users",
            Entity::Order => "orders",
            Entity::OrderItem => "order_items",
            Entity::Product | Entity::Stock => "products",
        }
    }
}

impl std::fmt::Display for Entity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
