//! What makes a section's source (`only`, meta rows, a side table, a
//! table reached through another, fee rows) consistent: the tables and
//! columns it names, for `schema check`, and its problems whatever the
//! database.

use super::forms::Refs;
use super::{is_identifier, Mapping, MetaMap, OrderMap, Want};

fn meta_refs(r: &mut Refs, concept: &str, m: &MetaMap, owner_table: &str) {
    r.table(concept, &m.table);
    r.col(concept, &m.table, &m.owner, Want::Key);
    r.col(concept, owner_table, &m.of, Want::Key);
    r.col(concept, &m.table, &m.name, Want::Text);
    r.col(concept, &m.table, &m.value, Want::Text);
}

/// Values written into SQL as literals: no quote, no backslash.
fn plain_value(concept: &str, value: &str, bad: &mut Vec<String>) {
    if value.contains(['\'', '"', '\\', '`']) {
        bad.push(format!(
            "{concept}: '{value}' has a quote or backslash, which no value here may have"
        ));
    }
}

/// A meta key becomes a column's name in the derived table.
fn meta_key(concept: &str, key: &Option<String>, bad: &mut Vec<String>) {
    if let Some(k) = key {
        if !is_identifier(k) || k.contains('.') {
            bad.push(format!(
                "{concept}: meta key '{k}' is not a plain name (letters, digits, _)"
            ));
        }
    }
}

impl Mapping {
    /// The tables and columns the sources name.
    pub(super) fn source_refs(&self, r: &mut Refs) {
        if let Some(o) = &self.order {
            for c in o.only.keys() {
                r.col("order.only", &o.table, c, Want::Text);
            }
            if let Some(side) = &o.side {
                r.table("order.side.table", &side.table);
                r.col("order.side.order", &side.table, &side.order, Want::Key);
            }
        }
        if let Some(i) = &self.items {
            for c in i.only.keys() {
                r.col("items.only", &i.table, c, Want::Text);
            }
            if let Some(m) = &i.meta {
                meta_refs(r, "items.meta", m, &i.table);
            }
            for c in i.fees.iter().flat_map(|f| f.only.keys()) {
                r.col("items.fees.only", &i.table, c, Want::Text);
            }
        }
        if let Some(f) = &self.refunds {
            if let Some(m) = &f.meta {
                meta_refs(r, "refunds.meta", m, &f.table);
            }
            if let Some(v) = &f.via {
                r.table("refunds.via.table", &v.table);
                r.col("refunds.via.key", &v.table, &v.key, Want::Key);
                r.col("refunds.via.link", &f.table, &v.link, Want::Key);
            }
        }
    }

    /// What makes the sources inconsistent, whatever the database.
    pub(super) fn source_problems(&self) -> Vec<String> {
        let mut bad = Vec::new();
        if let Some(o) = &self.order {
            for v in o.only.values() {
                plain_value("order.only", v, &mut bad);
            }
            if let Some(side) = &o.side {
                for c in &side.columns {
                    if o.names_amount(c) {
                        continue;
                    }
                    bad.push(format!(
                        "order.side.columns: '{c}' is not one of the order's amounts"
                    ));
                }
            }
        }
        if let Some(i) = &self.items {
            for v in i.only.values() {
                plain_value("items.only", v, &mut bad);
            }
            if i.meta.is_some() && self.stock.is_some() {
                bad.push(
                    "items.meta: lines kept as meta rows cannot give stock back; leave out [stock]"
                        .into(),
                );
            }
            if let Some(f) = &i.fees {
                for v in f.only.values() {
                    plain_value("items.fees.only", v, &mut bad);
                }
                if f.only.is_empty() || f.only == i.only {
                    bad.push(
                        "items.fees.only: name the values that make a row a fee and not a line"
                            .into(),
                    );
                }
                if i.line_total.is_none() {
                    bad.push("items.fees: a fee's amount is the items' line_total; name it".into());
                }
            }
            if i.meta.is_some() {
                meta_key("items.quantity", &Some(i.quantity.clone()), &mut bad);
                meta_key("items.product", &i.product, &mut bad);
                meta_key("items.unit_price", &i.unit_price, &mut bad);
                meta_key("items.line_total", &i.line_total, &mut bad);
            }
        }
        if let Some(f) = &self.refunds {
            for v in f.fixed.values() {
                plain_value("refunds.fixed", v, &mut bad);
            }
            if f.meta.is_some() {
                meta_key("refunds.amount", &Some(f.amount.clone()), &mut bad);
                meta_key("refunds.reason", &f.reason, &mut bad);
            }
            let refunds_here = self
                .lifecycle
                .as_ref()
                .is_some_and(|l| l.changed_elsewhere.is_none() && !l.refundable.is_empty());
            for (section, set) in [("meta", f.meta.is_some()), ("via", f.via.is_some())] {
                if set && refunds_here {
                    bad.push(format!(
                        "refunds.{section}: such refunds are read, never written; leave \
                         lifecycle.refundable empty"
                    ));
                }
            }
        }
        bad
    }
}

impl OrderMap {
    /// Whether `column` is one of the amounts the order names.
    fn names_amount(&self, column: &str) -> bool {
        [
            Some(&self.total),
            self.subtotal.as_ref(),
            self.shipping.as_ref(),
            self.discount.as_ref(),
            self.tax.as_ref(),
            self.adjustment.as_ref(),
        ]
        .into_iter()
        .flatten()
        .any(|c| c == column)
    }
}
