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
}

impl Entity {
    /// The name in findings and audit entries ("order_item").
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::User => "user",
            Entity::Order => "order",
            Entity::OrderItem => "order_item",
            Entity::Product => "product",
        }
    }

    /// The reference schema's table of this kind.
    pub(crate) fn table(self) -> &'static str {
        match self {
            Entity::User => "users",
            Entity::Order => "orders",
            Entity::OrderItem => "order_items",
            Entity::Product => "products",
        }
    }
}

impl std::fmt::Display for Entity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
