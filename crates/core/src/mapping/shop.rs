//! The shop side of a mapping: orders, their items, products and stock,
//! status history, notes and refunds. Each section is optional: one left
//! out means the back end keeps no such thing (the console keeps notes,
//! history and refunds of its own then, labelled as its own).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::forms::Refs;
pub use super::source::{MetaMap, SideMap};
use super::{Mapping, Want};

/// How the back end stores an amount of money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Money {
    /// Whole minor units in an integer column (cents).
    Minor,
    /// A DECIMAL/NUMERIC of any scale (or, on SQLite, the REAL or INTEGER
    /// value Django stores for one), read exactly to the currency's minor
    /// unit.
    Decimal,
}

/// The currency of an order: a column of it, or one for the whole shop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Currency {
    Column {
        column: String,
    },
    /// An ISO 4217 code (three capital letters).
    Fixed {
        code: String,
    },
}

/// Orders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderMap {
    pub table: String,
    /// The primary key: an integer, a UUID or text.
    pub key: String,
    /// The order number customers see, where it is not the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// The customer: a column holding the user's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// The address of a customer who ordered without an account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guest_email: Option<String>,
    /// The status the lifecycle moves.
    pub status: String,
    /// Further state columns shown beside it (Solidus' payment_state and
    /// shipment_state); read only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status_also: Vec<String>,
    pub currency: Currency,
    pub money: Money,
    pub total: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtotal: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax: Option<String>,
    /// Added to the lines and shipping as it is, of either sign (Solidus'
    /// `adjustment_total`: promotions below zero, taxes added on top).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustment: Option<String>,
    pub placed: String,
    /// Set to the time of every write to the order's row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// Columns that say a row is an order, in a table other records share
    /// (WooCommerce's `type = "shop_order"`, beside its refunds): only
    /// such rows are orders.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub only: BTreeMap<String, String>,
    /// A table of one row per order holding some of its amounts
    /// (WooCommerce's wc_order_operational_data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side: Option<SideMap>,
}

/// An order's lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemsMap {
    pub table: String,
    pub key: String,
    pub order: String,
    pub quantity: String,
    /// The product ordered (a product's key), where lines carry one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// The stock row the line was allocated from (Oscar's stockrecord_id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<String>,
    /// What the line is called, as ordered (Oscar keeps the title).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<String>,
    /// Where absent, a line comes to its quantity times its unit price
    /// (Solidus' `LineItem#amount`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_total: Option<String>,
    /// How much of the line is allocated from stock (Oscar's
    /// `num_allocated`); lowered with the stock's on cancel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocated: Option<String>,
    /// Set once a line's whole allocation is cancelled (Oscar's
    /// `allocation_cancelled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocation_cancelled: Option<String>,
    /// Columns that say a row is an order line, in a table other items
    /// share (WooCommerce's `order_item_type = "line_item"`, beside
    /// shipping, fee and tax items).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub only: BTreeMap<String, String>,
    /// Where a line's values are rows of a key–value table
    /// (WooCommerce's woocommerce_order_itemmeta): then `quantity`,
    /// `product`, `unit_price` and `line_total` name keys in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<MetaMap>,
}

/// Products.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductsMap {
    pub table: String,
    pub key: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
}

/// What cancelling an order does to the stock of its lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnCancel {
    /// The quantity goes back on hand (the reference schema).
    Restock,
    /// The quantity is no longer allocated (Oscar's
    /// `cancel_allocation`: num_allocated goes down, never below zero).
    Release,
}

/// Stock: a row per product (the products table itself, or a table of
/// its own such as Oscar's partner_stockrecord).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockMap {
    pub table: String,
    pub key: String,
    /// The product a row is for, where stock is a table of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    pub on_hand: String,
    /// Set aside for placed orders, not yet shipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocated: Option<String>,
    pub on_cancel: OnCancel,
}

/// A table of status changes, one row per move.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryMap {
    pub table: String,
    pub order: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    pub to: String,
    pub at: String,
    /// Who moved it, as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Columns that say a row is an order's status change, in a table
    /// other things share (Solidus' `spree_state_changes`:
    /// `stateful_type = "Spree::Order"`, `name = "order"`): only such rows
    /// are read, and every row the console adds has them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fixed: BTreeMap<String, String>,
}

/// A table of notes on orders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotesMap {
    pub table: String,
    pub order: String,
    pub body: String,
    pub at: String,
    /// Set to now on every note written (Django's `auto_now`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// Columns given a fixed value on every note the console adds (Oscar's
    /// `note_type = "Info"`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fixed: BTreeMap<String, String>,
}

/// A table of refunds, one row per refund.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundsMap {
    pub table: String,
    pub order: String,
    /// In the order's money form.
    pub amount: String,
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// Columns that say a row is a refund, in a table other records share
    /// (WooCommerce's `type = "shop_order_refund"`): only such rows are
    /// read, and every row the console adds has them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fixed: BTreeMap<String, String>,
    /// Where a refund's values are rows of a key–value table
    /// (WooCommerce's wc_orders_meta): then `amount` and `reason` name
    /// keys in it, and the console adds no refund of its own here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<MetaMap>,
}

impl Mapping {
    /// The tables and columns the shop sections name.
    pub(super) fn shop_refs(&self, r: &mut Refs) {
        let Some(o) = &self.order else { return };
        let t = o.table.as_str();
        let money = Want::Money(o.money);
        r.table("order.table", t);
        r.col("order.key", t, &o.key, Want::Key);
        r.opt("order.number", t, &o.number, Want::Key);
        r.opt("order.customer", t, &o.customer, Want::Key);
        r.opt("order.guest_email", t, &o.guest_email, Want::Text);
        r.col("order.status", t, &o.status, Want::Text);
        for c in &o.status_also {
            r.col("order.status_also", t, c, Want::Text);
        }
        if let Currency::Column { column } = &o.currency {
            r.col("order.currency.column", t, column, Want::Text);
        }
        // An amount may be a column of the side table instead.
        let at = |c: &Option<String>| match (&o.side, c) {
            (Some(side), Some(c)) if side.columns.contains(c) => side.table.as_str(),
            _ => t,
        };
        r.col("order.total", at(&Some(o.total.clone())), &o.total, money);
        r.opt("order.subtotal", at(&o.subtotal), &o.subtotal, money);
        r.opt("order.shipping", at(&o.shipping), &o.shipping, money);
        r.opt("order.discount", at(&o.discount), &o.discount, money);
        r.opt("order.tax", at(&o.tax), &o.tax, money);
        r.opt("order.adjustment", at(&o.adjustment), &o.adjustment, money);
        r.col("order.placed", t, &o.placed, Want::Timestamp);
        r.opt("order.updated", t, &o.updated, Want::Timestamp);
        if let Some(l) = &self.lifecycle {
            for column in l.stamps.values() {
                r.col("lifecycle.stamps", t, column, Want::Timestamp);
            }
        }
        if let Some(i) = &self.items {
            let t = i.table.as_str();
            r.table("items.table", t);
            r.col("items.key", t, &i.key, Want::Key);
            r.col("items.order", t, &i.order, Want::Key);
            // Where values are meta rows, these name keys, not columns.
            if i.meta.is_none() {
                r.col("items.quantity", t, &i.quantity, Want::Integer);
                r.opt("items.product", t, &i.product, Want::Key);
                r.opt("items.unit_price", t, &i.unit_price, money);
                r.opt("items.line_total", t, &i.line_total, money);
            }
            r.opt("items.stock", t, &i.stock, Want::Key);
            r.opt("items.title", t, &i.title, Want::Text);
            r.opt("items.allocated", t, &i.allocated, Want::Integer);
            r.opt(
                "items.allocation_cancelled",
                t,
                &i.allocation_cancelled,
                Want::Flag,
            );
        }
        if let Some(p) = &self.products {
            let t = p.table.as_str();
            r.table("products.table", t);
            r.col("products.key", t, &p.key, Want::Key);
            r.col("products.name", t, &p.name, Want::Text);
            r.opt("products.sku", t, &p.sku, Want::Text);
        }
        if let Some(s) = &self.stock {
            let t = s.table.as_str();
            r.table("stock.table", t);
            r.col("stock.key", t, &s.key, Want::Key);
            r.opt("stock.product", t, &s.product, Want::Key);
            r.col("stock.on_hand", t, &s.on_hand, Want::Integer);
            r.opt("stock.allocated", t, &s.allocated, Want::Integer);
        }
        if let Some(h) = &self.status_history {
            let t = h.table.as_str();
            r.table("status_history.table", t);
            r.col("status_history.order", t, &h.order, Want::Key);
            r.opt("status_history.from", t, &h.from, Want::Text);
            r.col("status_history.to", t, &h.to, Want::Text);
            r.col("status_history.at", t, &h.at, Want::Timestamp);
            r.opt("status_history.operator", t, &h.operator, Want::Text);
            r.opt("status_history.reason", t, &h.reason, Want::Text);
            for c in h.fixed.keys() {
                r.col("status_history.fixed", t, c, Want::Text);
            }
        }
        if let Some(n) = &self.notes {
            let t = n.table.as_str();
            r.table("notes.table", t);
            r.col("notes.order", t, &n.order, Want::Key);
            r.col("notes.body", t, &n.body, Want::Text);
            r.col("notes.at", t, &n.at, Want::Timestamp);
            r.opt("notes.updated", t, &n.updated, Want::Timestamp);
            r.opt("notes.operator", t, &n.operator, Want::Text);
            for c in n.fixed.keys() {
                r.col("notes.fixed", t, c, Want::Text);
            }
        }
        if let Some(f) = &self.refunds {
            let t = f.table.as_str();
            r.table("refunds.table", t);
            r.col("refunds.order", t, &f.order, Want::Key);
            if f.meta.is_none() {
                r.col("refunds.amount", t, &f.amount, money);
                r.opt("refunds.reason", t, &f.reason, Want::Text);
            }
            r.col("refunds.at", t, &f.at, Want::Timestamp);
            r.opt("refunds.operator", t, &f.operator, Want::Text);
            for c in f.fixed.keys() {
                r.col("refunds.fixed", t, c, Want::Text);
            }
        }
        self.source_refs(r);
    }

    /// What makes the shop sections inconsistent, whatever the database.
    pub(super) fn shop_problems(&self) -> Vec<String> {
        let mut bad = Vec::new();
        let Some(o) = &self.order else {
            for (name, present) in [
                ("items", self.items.is_some()),
                ("products", self.products.is_some()),
                ("stock", self.stock.is_some()),
                ("status_history", self.status_history.is_some()),
                ("notes", self.notes.is_some()),
                ("refunds", self.refunds.is_some()),
                ("lifecycle", self.lifecycle.is_some()),
            ] {
                if present {
                    bad.push(format!("{name}: needs an [order] section"));
                }
            }
            return bad;
        };
        if let Currency::Fixed { code } = &o.currency {
            if code.len() != 3 || !code.chars().all(|c| c.is_ascii_uppercase()) {
                bad.push(format!(
                    "order.currency.code: '{code}' is not a currency code (three capital letters, such as EUR)"
                ));
            }
        }
        match &self.lifecycle {
            None => bad.push(
                "order: needs a [lifecycle] section (the statuses and the moves between them)"
                    .into(),
            ),
            Some(l) => bad.extend(l.undeclared()),
        }
        if let Some(i) = &self.items {
            if i.line_total.is_none() && i.unit_price.is_none() {
                bad.push(
                    "items: needs line_total or unit_price (a line's amount is its quantity \
                     times its unit price)"
                        .into(),
                );
            }
        }
        if let Some(s) = &self.stock {
            if s.on_cancel == OnCancel::Release && s.allocated.is_none() {
                bad.push(
                    "stock.on_cancel: \"release\" needs stock.allocated (the column it lowers)"
                        .into(),
                );
            }
            let line_finds_stock = self
                .items
                .as_ref()
                .is_some_and(|i| i.stock.is_some() || i.product.is_some());
            if !line_finds_stock {
                bad.push(
                    "stock: an order's lines lead to no stock (items.stock or items.product)"
                        .into(),
                );
            }
        }
        bad.extend(self.source_problems());
        bad
    }
}
