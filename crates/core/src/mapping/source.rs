//! Where a section's rows are read from. Mostly its own table. But a back
//! end may keep orders in a table other records share (WooCommerce's
//! refunds are rows of wc_orders), keep a line's values as key–value rows
//! beside it (woocommerce_order_itemmeta), or keep some of an order's
//! amounts in a table of one row per order (wc_order_operational_data).
//! Then the rows are read from a derived table of exactly the section's
//! rows, each such value a column named as the mapping names it and typed
//! as the console reads it; every query over the section reads it alike.
//!
//! Writes never go through a source: they name the table itself.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::query::Sql;
use super::{ItemsMap, Mapping, Money, OrderMap, ProductsMap, RefundsMap};
use crate::db::Backend;

/// A key–value table of values belonging to a section's rows (WordPress'
/// meta tables: one row per value, named by a key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetaMap {
    pub table: String,
    /// Its column holding the owning row's key.
    pub owner: String,
    /// The owning table's column that `owner` refers to.
    pub of: String,
    /// Its column naming the value (`meta_key`).
    pub name: String,
    /// Its column holding the value, as text (`meta_value`).
    pub value: String,
}

/// A table of one row per order whose `columns` are read as the order's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SideMap {
    pub table: String,
    /// Its column holding the order's key.
    pub order: String,
    pub columns: Vec<String>,
}

/// A table a section's rows reach a value through: each row names a row
/// of `table` (by `link`, against its `key`), which holds the value.
/// Solidus' refunds hang on payments (spree_refunds.payment_id →
/// spree_payments.order_id), and a variant's name is its product's
/// (spree_variants.product_id → spree_products.name). The section's field
/// (`order`, `name`) then names that column of `table`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViaMap {
    pub table: String,
    pub key: String,
    /// The section's column naming a row of `table`.
    pub link: String,
}

/// Charges on an order kept as rows of the items' table beside its lines
/// (WooCommerce's fee lines, `order_item_type = "fee"`): each has the
/// items' title and its amount in the items' `line_total` (a meta key
/// where the items have meta). The order's total is checked against them
/// too, and the story lists them under the lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeesMap {
    /// The values that make a row of the items' table a fee.
    pub only: BTreeMap<String, String>,
}

/// How a value from elsewhere is typed in a derived table.
#[derive(Clone, Copy)]
enum As {
    Money(Money),
    Integer,
    Text,
}

/// A derived table under construction: the rows of `table` that have the
/// `only` values, and further columns computed per row (alias `t`).
struct Derived<'a> {
    s: &'a Sql,
    table: &'a str,
    only: &'a BTreeMap<String, String>,
    extra: Vec<String>,
}

impl<'a> Derived<'a> {
    fn new(s: &'a Sql, table: &'a str, only: &'a BTreeMap<String, String>) -> Self {
        Derived {
            s,
            table,
            only,
            extra: Vec::new(),
        }
    }

    fn typed(&self, expr: String, as_: As) -> String {
        match as_ {
            // A meta value is text: SQLite too must be told it is a number.
            As::Integer if self.s.b == Backend::Sqlite => format!("CAST({expr} AS INTEGER)"),
            As::Integer => self.s.int(&expr),
            As::Text | As::Money(Money::Minor) => expr,
            As::Money(Money::Decimal) => match self.s.b {
                // Exact: NUMERIC keeps every digit it is given.
                Backend::Postgres => format!("CAST({expr} AS NUMERIC)"),
                Backend::Mysql => format!("CAST({expr} AS DECIMAL(65,30))"),
                // SQLite reads a decimal's text as the number it spells.
                Backend::Sqlite => expr,
            },
        }
    }

    fn meta(&mut self, m: &MetaMap, key: &str, as_: As) {
        let s = self.s;
        let value = format!(
            "(SELECT MAX({}) FROM {} m WHERE {} = {} AND {} = {})",
            s.on("m", &m.value),
            s.q(&m.table),
            s.on("m", &m.owner),
            s.on("t", &m.of),
            s.on("m", &m.name),
            literal(s.b, key)
        );
        let column = format!("{} AS {}", self.typed(value, as_), s.q(key));
        self.extra.push(column);
    }

    fn side(&mut self, side: &SideMap, key: &str) {
        let s = self.s;
        for c in &side.columns {
            self.extra.push(format!(
                "(SELECT {} FROM {} d WHERE {} = {}) AS {}",
                s.on("d", c),
                s.q(&side.table),
                s.on("d", &side.order),
                s.on("t", key),
                s.q(c)
            ));
        }
    }

    fn via(&mut self, via: &ViaMap, order: &str) {
        let s = self.s;
        self.extra.push(format!(
            "(SELECT {} FROM {} v WHERE {} = {}) AS {}",
            s.on("v", order),
            s.q(&via.table),
            s.on("v", &via.key),
            s.on("t", &via.link),
            s.q(order)
        ));
    }

    fn sql(self) -> String {
        let s = self.s;
        if self.only.is_empty() && self.extra.is_empty() {
            return s.q(self.table);
        }
        let mut columns = vec!["t.*".to_string()];
        columns.extend(self.extra);
        let mut sql = format!(
            "(SELECT {} FROM {} t WHERE 1 = 1",
            columns.join(", "),
            s.q(self.table)
        );
        for (column, value) in self.only {
            sql.push_str(&format!(
                " AND {} = {}",
                s.on("t", column),
                literal(s.b, value)
            ));
        }
        sql.push(')');
        sql
    }
}

/// A value of the mapping as an SQL string literal. The mapping refuses
/// quotes and backslashes in such values; doubling them here is a second
/// guard.
fn literal(b: Backend, value: &str) -> String {
    let mut v = value.replace('\'', "''");
    if b == Backend::Mysql {
        v = v.replace('\\', "\\\\");
    }
    format!("'{v}'")
}

impl Sql {
    /// What to read orders from (alias it).
    pub(crate) fn orders(&self, o: &OrderMap) -> String {
        let mut d = Derived::new(self, &o.table, &o.only);
        if let Some(side) = &o.side {
            d.side(side, &o.key);
        }
        d.sql()
    }

    /// What to read order lines from (alias it).
    pub(crate) fn items(&self, i: &ItemsMap, money: Money) -> String {
        let mut d = Derived::new(self, &i.table, &i.only);
        if let Some(m) = &i.meta {
            d.meta(m, &i.quantity, As::Integer);
            for (key, as_) in [
                // A product named by a meta key is a post's integer key.
                (&i.product, As::Integer),
                (&i.unit_price, As::Money(money)),
                (&i.line_total, As::Money(money)),
            ] {
                if let Some(key) = key {
                    d.meta(m, key, as_);
                }
            }
        }
        d.sql()
    }

    /// What to read an order's fees from (alias it), where items have
    /// them: the fee rows, with the items' line total.
    pub(crate) fn fees(&self, i: &ItemsMap, money: Money) -> Option<String> {
        let f = i.fees.as_ref()?;
        let mut d = Derived::new(self, &i.table, &f.only);
        if let (Some(m), Some(total)) = (&i.meta, &i.line_total) {
            d.meta(m, total, As::Money(money));
        }
        Some(d.sql())
    }

    /// What to read products from (alias it).
    pub(crate) fn products(&self, p: &ProductsMap) -> String {
        let none = BTreeMap::new();
        let mut d = Derived::new(self, &p.table, &none);
        if let Some(via) = &p.via {
            d.via(via, &p.name);
        }
        d.sql()
    }

    /// What to read refunds from (alias it).
    pub(crate) fn refunds(&self, r: &RefundsMap, money: Money) -> String {
        let mut d = Derived::new(self, &r.table, &r.fixed);
        if let Some(via) = &r.via {
            d.via(via, &r.order);
        }
        if let Some(m) = &r.meta {
            d.meta(m, &r.amount, As::Money(money));
            if let Some(reason) = &r.reason {
                d.meta(m, reason, As::Text);
            }
        }
        d.sql()
    }
}

impl Mapping {
    /// How the back end stores money (whole minor units where no orders
    /// are mapped).
    pub(crate) fn money(&self) -> Money {
        self.order.as_ref().map_or(Money::Minor, |o| o.money)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_literal_cannot_end_its_string() {
        assert_eq!(literal(Backend::Postgres, "it's"), "'it''s'");
        assert_eq!(literal(Backend::Mysql, "a\\'"), "'a\\\\'''");
    }
}
