//! The shop side of a mapping: orders, their items, products and stock,
//! status history, notes and refunds. Each section is optional: one left
//! out means the back end keeps no such thing (the console keeps notes,
//! history and refunds of its own then, labelled as its own).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use super::source::{FeesMap, MetaMap, SideMap, ViaMap};

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
    /// Charges kept as rows of the same table (WooCommerce's fee lines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fees: Option<FeesMap>,
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
    /// Where the name is another table's (a Solidus variant's is its
    /// product's): then `name` names that table's column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<ViaMap>,
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

impl super::Mapping {
    /// The stock table's column the lines point at: the row's own key, or
    /// the product it is for where lines name a product and no stock row.
    pub(crate) fn stock_by(&self) -> Option<&str> {
        let (i, st) = (self.items.as_ref()?, self.stock.as_ref()?);
        Some(match (&i.stock, &st.product) {
            (None, Some(product)) => product,
            _ => &st.key,
        })
    }
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
    /// The back end's notes are read, and the console keeps the ones it
    /// adds in its own table, where writing one as the back end does needs
    /// what the mapping does not say.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
    /// A second time column, in the site's own time zone, beside `at`
    /// (WordPress' `comment_date` beside `comment_date_gmt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<LocalTimeMap>,
}

/// A time column in a WordPress site's own time zone, and the options
/// table that says which zone: `timezone_string` (a zone name), else
/// `gmt_offset` (hours east of UTC), as WordPress' `wp_timezone()` reads
/// them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalTimeMap {
    pub column: String,
    /// WordPress' options table (`option_name`, `option_value`).
    pub options: String,
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
    /// Where refunds reach their order through another table (Solidus'
    /// payments): then `order` names that table's column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<ViaMap>,
}
