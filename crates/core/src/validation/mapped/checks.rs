//! The rules over a mapping: each says what it needs of the mapping, and
//! builds its set-based query from the mapped names (quoted, as
//! [`crate::mapping::query::Sql`] quotes them), or says why it cannot.
//! Findings are kept by integer key: orders keyed any other way are kept
//! by their number where it is an integer (Saleor's UUID-keyed orders);
//! a rule over records with neither is unavailable, with that reason.

use crate::db::{Backend, Query};
use crate::mapping::catalogue::Kind;
use crate::mapping::query::Sql;
use crate::mapping::{Mapping, Money};

/// What a rule reads, once the mapping is known.
pub(crate) enum Plan {
    /// `SELECT … AS id`: the flagged records' integer keys, in one query;
    /// with `detail`, also how people name each (an order's number).
    Sql { select: Query, detail: bool },
    /// The users' addresses, judged in Rust a page at a time (no SQL
    /// dialect parses an address as RFC 5322 does).
    Emails {
        table: String,
        key: String,
        email: String,
    },
}

/// A mapping and what the catalogue says of its keys.
pub(crate) struct On<'a> {
    pub m: &'a Mapping,
    pub s: Sql,
    pub user_key: Option<Kind>,
    pub order_key: Option<Kind>,
    /// The orders' number column, where they have one.
    pub order_number: Option<Kind>,
    pub stock_key: Option<Kind>,
}

type Planned = std::result::Result<Plan, String>;

impl On<'_> {
    fn integer(&self, kind: Option<Kind>, what: &str) -> std::result::Result<(), String> {
        match kind {
            Some(Kind::Integer) => Ok(()),
            Some(k) => Err(format!(
                "findings are kept by integer key, and this back end keys its {what} by {}",
                format!("{k:?}").to_lowercase()
            )),
            None => Err(format!("the mapping has no {what}")),
        }
    }

    fn table(&self, name: &str) -> String {
        self.s.q(name)
    }

    /// What an order's finding is kept by (alias `o`): its key where that
    /// is an integer, else its number where that is one.
    fn order_id(&self, o: &crate::mapping::OrderMap) -> std::result::Result<String, String> {
        let by_key = self.integer(self.order_key, "orders");
        match (&by_key, &o.number, self.order_number) {
            (Ok(()), _, _) => Ok(self.s.int(&self.s.on("o", &o.key))),
            (Err(_), Some(n), Some(Kind::Integer)) => Ok(self.s.int(&self.s.on("o", n))),
            (Err(why), _, _) => Err(format!("{why}, and numbers none by an integer")),
        }
    }

    /// `, <number> AS detail` where orders have a number apart from their
    /// key (alias `o`), and whether they do.
    fn order_number(&self, o: &crate::mapping::OrderMap) -> (String, bool) {
        match &o.number {
            Some(n) => (
                format!(", {} AS detail", self.s.text(&self.s.on("o", n))),
                true,
            ),
            None => (String::new(), false),
        }
    }
}

/// A plan of one query that yields only keys.
fn keys_only(select: String) -> Plan {
    Plan::Sql {
        select: Query::new(select),
        detail: false,
    }
}

pub(super) fn invalid_email(on: &On) -> Planned {
    let u =
        on.m.user
            .as_ref()
            .ok_or("the mapping has no [user] section")?;
    on.integer(on.user_key, "users")?;
    Ok(Plan::Emails {
        table: on.table(&u.table),
        key: on.s.q(&u.key),
        email: on.s.q(&u.email),
    })
}

pub(super) fn duplicate_email_case(on: &On) -> Planned {
    let u =
        on.m.user
            .as_ref()
            .ok_or("the mapping has no [user] section")?;
    on.integer(on.user_key, "users")?;
    let (s, email) = (on.s, on.s.q(&u.email));
    // The older account of each pair is flagged, as on the reference
    // schema; a blank address is no address, not a duplicate.
    Ok(keys_only(format!(
        "SELECT MIN({}) AS id FROM {} WHERE {email} IS NOT NULL AND {email} <> '' \
         GROUP BY {} HAVING COUNT(*) > 1",
        s.int(&s.q(&u.key)),
        on.table(&u.table),
        s.b.exact(&format!("LOWER({email})"))
    )))
}

/// The order's total against its lines, shipping, tax and adjustments
/// less its discount, as the order's story adds them; within half a minor
/// unit of the smallest currency (three decimals) where money is a
/// decimal, exactly where it is whole minor units.
pub(super) fn total_mismatch(on: &On) -> Planned {
    let o =
        on.m.order
            .as_ref()
            .ok_or("the mapping has no [order] section")?;
    let i =
        on.m.items
            .as_ref()
            .ok_or("the mapping has no [items]: the lines cannot be added up")?;
    let s = on.s;
    let col = |alias: &str, c: &str| s.on(alias, c);
    let line = match (&i.line_total, &i.unit_price) {
        (Some(t), _) => col("i", t),
        (None, Some(p)) => format!("{} * {}", col("i", &i.quantity), col("i", p)),
        (None, None) => return Err("the mapping has neither line totals nor unit prices".into()),
    };
    let id = on.order_id(o)?;
    let part = |c: &Option<String>| {
        c.as_deref().map_or(String::new(), |c| {
            format!(" + COALESCE({}, 0)", col("o", c))
        })
    };
    let discount = o.discount.as_deref().map_or(String::new(), |d| {
        format!(" - COALESCE({}, 0)", col("o", d))
    });
    // The lines' sum per order: grouped once and joined, except on
    // MariaDB, which materialises the grouped lines without a key; there a
    // lookup per order through the lines' index (`schema indexes`
    // proposes it) is about three times faster.
    let items = on.s.items(i, on.m.money());
    let (sum, join) = match s.b {
        Backend::Mysql => (
            format!(
                "(SELECT SUM({line}) FROM {items} i WHERE {} = {})",
                col("i", &i.order),
                col("o", &o.key)
            ),
            String::new(),
        ),
        _ => (
            "l.s".to_string(),
            format!(
                " LEFT JOIN (SELECT {} AS k, SUM({line}) AS s FROM {items} i GROUP BY {}) l \
                 ON l.k = {}",
                col("i", &i.order),
                col("i", &i.order),
                col("o", &o.key),
            ),
        ),
    };
    let difference = format!(
        "{} - (COALESCE({sum}, 0){}{}{}{discount})",
        col("o", &o.total),
        part(&o.shipping),
        part(&o.tax),
        part(&o.adjustment)
    );
    let differs = match o.money {
        Money::Minor => format!("{difference} <> 0"),
        Money::Decimal => format!("ABS({difference}) >= 0.0005"),
    };
    let (number, detail) = on.order_number(o);
    let select = Query::new(format!(
        "SELECT {id} AS id{number} FROM {} o{join} WHERE {} IS NOT NULL AND {differs}",
        on.s.orders(o),
        col("o", &o.total),
    ));
    Ok(Plan::Sql { select, detail })
}

pub(super) fn no_items(on: &On) -> Planned {
    let o =
        on.m.order
            .as_ref()
            .ok_or("the mapping has no [order] section")?;
    let i = on.m.items.as_ref().ok_or("the mapping has no [items]")?;
    let id = on.order_id(o)?;
    let s = on.s;
    let (number, detail) = on.order_number(o);
    let select = Query::new(format!(
        "SELECT {id} AS id{number} FROM {} o WHERE NOT EXISTS (SELECT 1 FROM {} i WHERE {} = {})",
        on.s.orders(o),
        on.s.items(i, on.m.money()),
        s.on("i", &i.order),
        s.on("o", &o.key),
    ));
    Ok(Plan::Sql { select, detail })
}

/// Lines whose product is gone: the order is flagged (through the order
/// where it is kept by its number).
pub(super) fn dangling_product(on: &On) -> Planned {
    let i = on.m.items.as_ref().ok_or("the mapping has no [items]")?;
    let link = i
        .product
        .as_ref()
        .ok_or("the mapping's lines name no product")?;
    let p =
        on.m.products
            .as_ref()
            .ok_or("the mapping has no [products]")?;
    let o =
        on.m.order
            .as_ref()
            .ok_or("the mapping has no [order] section")?;
    let id = on.order_id(o)?;
    let s = on.s;
    let (id, join) = match on.order_key {
        Some(Kind::Integer) => (s.int(&s.on("i", &i.order)), String::new()),
        _ => (
            id,
            format!(
                " JOIN {} o ON {} = {}",
                on.s.orders(o),
                s.on("o", &o.key),
                s.on("i", &i.order)
            ),
        ),
    };
    Ok(keys_only(format!(
        "SELECT DISTINCT {id} AS id FROM {} i{join} WHERE {} IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM {} p WHERE {} = {})",
        on.s.items(i, on.m.money()),
        s.on("i", link),
        on.table(&p.table),
        s.on("p", &p.key),
        s.on("i", link),
    )))
}

pub(super) fn negative_stock(on: &On) -> Planned {
    let st = on.m.stock.as_ref().ok_or("the mapping has no [stock]")?;
    on.integer(on.stock_key, "stock rows")?;
    let s = on.s;
    Ok(keys_only(format!(
        "SELECT {} AS id FROM {} s WHERE {} < 0",
        s.int(&s.on("s", &st.key)),
        on.table(&st.table),
        s.on("s", &st.on_hand),
    )))
}

pub(super) fn over_allocated(on: &On) -> Planned {
    let st = on.m.stock.as_ref().ok_or("the mapping has no [stock]")?;
    let allocated = st
        .allocated
        .as_ref()
        .ok_or("the mapping's stock keeps no allocation")?;
    on.integer(on.stock_key, "stock rows")?;
    let s = on.s;
    Ok(keys_only(format!(
        "SELECT {} AS id FROM {} s WHERE {} > {}",
        s.int(&s.on("s", &st.key)),
        on.table(&st.table),
        s.on("s", allocated),
        s.on("s", &st.on_hand),
    )))
}
