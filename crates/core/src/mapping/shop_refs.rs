//! What the shop sections name (every table and column, with the kind of
//! value each must hold) and what makes them inconsistent whatever the
//! database.

use super::forms::Refs;
use super::{Currency, Mapping, OnCancel, Want};

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
            let name_in = p.via.as_ref().map_or(t, |v| v.table.as_str());
            r.col("products.name", name_in, &p.name, Want::Text);
            if let Some(v) = &p.via {
                r.table("products.via.table", &v.table);
                r.col("products.via.key", &v.table, &v.key, Want::Key);
                r.col("products.via.link", t, &v.link, Want::Key);
            }
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
            if let Some(l) = &n.local {
                r.col("notes.local.column", t, &l.column, Want::Timestamp);
                r.table("notes.local.options", &l.options);
                r.col("notes.local.options", &l.options, "option_name", Want::Text);
                r.col(
                    "notes.local.options",
                    &l.options,
                    "option_value",
                    Want::Text,
                );
            }
            for c in n.fixed.keys() {
                r.col("notes.fixed", t, c, Want::Text);
            }
        }
        if let Some(f) = &self.refunds {
            let t = f.table.as_str();
            r.table("refunds.table", t);
            let order_in = f.via.as_ref().map_or(t, |v| v.table.as_str());
            r.col("refunds.order", order_in, &f.order, Want::Key);
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
