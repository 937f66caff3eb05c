//! The rules over a mapping: each says what it needs of the mapping, and
//! builds its set-based query from the mapped names (quoted, as
//! [`crate::mapping::query::Sql`] quotes them), or says why it cannot.
//! Findings are kept by integer key: orders keyed any other way are kept
//! by their number where it is an integer (Saleor's UUID-keyed orders);
//! a rule over records with neither is unavailable, with that reason.
//! Scoped to the records an edit touched, the same queries are the edit
//! guard's (`guard.rs`).

use crate::db::{Backend, Query};
use crate::mapping::catalogue::Kind;
use crate::mapping::query::{bind_as, Sql};
use crate::mapping::{Mapping, Money};

/// What a rule reads, once the mapping is known.
pub(crate) enum Plan {
    /// `SELECT … AS id`: the flagged records' integer keys, in one query;
    /// with `detail`, also how people name each (an order's number).
    Sql { select: Query, detail: bool },
    /// The users' addresses, judged in Rust a page at a time (no SQL
    /// dialect parses an address as RFC 5322 does).
    Emails(Addresses),
}

/// Where the users' addresses are, quoted; `within` is the guard's
/// ` AND <key> IN (…)`, empty in a sweep.
pub(crate) struct Addresses {
    pub table: String,
    pub key: String,
    pub email: String,
    pub within: Query,
}

/// The records an edit touched, by their keys as text: a guard's scope.
/// Stock rows are named as the lines name them (by the stock table's
/// `stock_by` column).
#[derive(Debug, Clone, Default)]
pub(crate) struct Records {
    pub users: Vec<String>,
    pub orders: Vec<String>,
    pub stock: Vec<String>,
}

/// A mapping and what the catalogue says of its keys; with a scope, the
/// rules read only the records an edit touched.
#[derive(Clone)]
pub(crate) struct On<'a> {
    pub m: &'a Mapping,
    pub s: Sql,
    pub user_key: Option<Kind>,
    pub order_key: Option<Kind>,
    /// The orders' number column, where they have one.
    pub order_number: Option<Kind>,
    pub stock_key: Option<Kind>,
    /// The stock table's column the lines point at.
    pub stock_by: Option<Kind>,
    pub scope: Option<Records>,
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

    /// ` AND <expr> IN (…)` over the touched records `pick` names, each
    /// bound as its column's type (one it cannot be names nothing); a
    /// sweep adds nothing.
    fn within(&self, expr: &str, kind: Option<Kind>, pick: fn(&Records) -> &[String]) -> Query {
        let Some(r) = &self.scope else {
            return Query::default();
        };
        let mut q = Query::new(format!(" AND {expr} IN ("));
        let mut bound = 0;
        for key in pick(r) {
            let mut one = Query::new(if bound > 0 { ", " } else { "" });
            if bind_as(&mut one, self.s.b, kind.unwrap_or(Kind::Text), key) {
                q.append(one);
                bound += 1;
            }
        }
        q.sql(if bound == 0 { "NULL)" } else { ")" });
        q
    }

    fn users_within(&self, expr: &str) -> Query {
        self.within(expr, self.user_key, |r| &r.users)
    }

    /// Orders, and lines by their order column (it holds the order's key).
    fn orders_within(&self, expr: &str) -> Query {
        self.within(expr, self.order_key, |r| &r.orders)
    }

    fn stock_within(&self, alias: &str) -> Query {
        let by = self.m.stock_by().unwrap_or_default();
        self.within(&self.s.on(alias, by), self.stock_by, |r| &r.stock)
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

/// A plan of one query that yields only keys: `head`, the scope, `tail`.
fn keys_only(head: String, within: Query, tail: &str) -> Plan {
    let mut select = Query::new(head);
    select.append(within).sql(tail);
    Plan::Sql {
        select,
        detail: false,
    }
}

pub(super) fn invalid_email(on: &On) -> Planned {
    let u =
        on.m.user
            .as_ref()
            .ok_or("the mapping has no [user] section")?;
    on.integer(on.user_key, "users")?;
    let key = on.s.q(&u.key);
    Ok(Plan::Emails(Addresses {
        table: on.table(&u.table),
        within: on.users_within(&key),
        key,
        email: on.s.q(&u.email),
    }))
}

pub(super) fn duplicate_email_case(on: &On) -> Planned {
    let u =
        on.m.user
            .as_ref()
            .ok_or("the mapping has no [user] section")?;
    on.integer(on.user_key, "users")?;
    let (s, email) = (on.s, on.s.q(&u.email));
    let table = on.table(&u.table);
    // A guard reads the groups of the touched users' addresses.
    let mut within = on.users_within(&s.q(&u.key));
    if on.scope.is_some() {
        let mut groups = Query::new(format!(
            " AND LOWER({email}) IN (SELECT LOWER({email}) FROM {table} WHERE 1 = 1"
        ));
        groups.append(within).sql(")");
        within = groups;
    }
    // The older account of each pair is flagged, as on the reference
    // schema; a blank address is no address, not a duplicate.
    Ok(keys_only(
        format!(
            "SELECT MIN({}) AS id FROM {table} WHERE {email} IS NOT NULL AND {email} <> ''",
            s.int(&s.q(&u.key)),
        ),
        within,
        &format!(
            " GROUP BY {} HAVING COUNT(*) > 1",
            s.b.exact(&format!("LOWER({email})"))
        ),
    ))
}

/// The order's total against its lines, fees, shipping, tax and
/// adjustments less its discount, as the order's story adds them; within half a minor
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
    // Each order's lines (and fees) summed: grouped once and joined,
    // except on MariaDB, which materialises the grouped lines without a
    // key; there a lookup per order through the lines' index (`schema
    // indexes` proposes it) is about three times faster. On SQLite the
    // lookup per order was measured slower than the join, with the index
    // and without (docs/BENCHMARKS.md). A guard's few orders are looked up
    // one by one on every backend.
    let per_order = |from: &str, amount: &str, alias: &str| match (s.b, &on.scope) {
        (Backend::Postgres | Backend::Sqlite, None) => (
            format!("COALESCE({alias}.s, 0)"),
            format!(
                " LEFT JOIN (SELECT {} AS k, SUM({amount}) AS s FROM {from} i GROUP BY {}) \
                 {alias} ON {alias}.k = {}",
                col("i", &i.order),
                col("i", &i.order),
                col("o", &o.key),
            ),
        ),
        _ => (
            format!(
                "COALESCE((SELECT SUM({amount}) FROM {from} i WHERE {} = {}), 0)",
                col("i", &i.order),
                col("o", &o.key)
            ),
            String::new(),
        ),
    };
    let (mut sum, mut join) = per_order(&on.s.items(i, on.m.money()), &line, "l");
    if let (Some(fees), Some(total)) = (on.s.fees(i, on.m.money()), &i.line_total) {
        let (fee_sum, fee_join) = per_order(&fees, &col("i", total), "f");
        sum = format!("{sum} + {fee_sum}");
        join.push_str(&fee_join);
    }
    let difference = format!(
        "{} - ({sum}{}{}{}{discount})",
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
    let mut select = Query::new(format!(
        "SELECT {id} AS id{number} FROM {} o{join} WHERE {} IS NOT NULL AND {differs}",
        on.s.orders(o),
        col("o", &o.total),
    ));
    select.append(on.orders_within(&col("o", &o.key)));
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
    let mut select = Query::new(format!(
        "SELECT {id} AS id{number} FROM {} o WHERE NOT EXISTS (SELECT 1 FROM {} i WHERE {} = {})",
        on.s.orders(o),
        on.s.items(i, on.m.money()),
        s.on("i", &i.order),
        s.on("o", &o.key),
    ));
    select.append(on.orders_within(&s.on("o", &o.key)));
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
    let items = on.s.items(i, on.m.money());
    let gone = |k: &str| {
        format!(
            "NOT EXISTS (SELECT 1 FROM {} p WHERE {} = {k})",
            on.table(&p.table),
            s.on("p", &p.key)
        )
    };
    // A sweep first asks which products the lines name, each once, keeps
    // those that are gone, and then reads only their lines, instead of
    // probing the products for every line. SQLite and MariaDB skip
    // through the link's index from one value to the next (MariaDB's
    // check went from seconds to milliseconds); PostgreSQL scans either
    // way. A guard's few lines, and lines kept as meta rows (no index to
    // skip through), are probed one by one.
    let head = if on.scope.is_none() && i.meta.is_none() {
        format!(
            "SELECT DISTINCT {id} AS id FROM (SELECT DISTINCT {} AS k FROM {items} l \
             WHERE {} IS NOT NULL) g CROSS JOIN {items} i{join} WHERE {} = g.k AND {}",
            s.on("l", link),
            s.on("l", link),
            s.on("i", link),
            gone("g.k"),
        )
    } else {
        format!(
            "SELECT DISTINCT {id} AS id FROM {items} i{join} WHERE {} IS NOT NULL AND {}",
            s.on("i", link),
            gone(&s.on("i", link)),
        )
    };
    Ok(keys_only(head, on.orders_within(&s.on("i", &i.order)), ""))
}

pub(super) fn negative_stock(on: &On) -> Planned {
    let st = on.m.stock.as_ref().ok_or("the mapping has no [stock]")?;
    on.integer(on.stock_key, "stock rows")?;
    let s = on.s;
    Ok(keys_only(
        format!(
            "SELECT {} AS id FROM {} s WHERE {} < 0",
            s.int(&s.on("s", &st.key)),
            on.table(&st.table),
            s.on("s", &st.on_hand),
        ),
        on.stock_within("s"),
        "",
    ))
}

pub(super) fn over_allocated(on: &On) -> Planned {
    let st = on.m.stock.as_ref().ok_or("the mapping has no [stock]")?;
    let allocated = st
        .allocated
        .as_ref()
        .ok_or("the mapping's stock keeps no allocation")?;
    on.integer(on.stock_key, "stock rows")?;
    let s = on.s;
    Ok(keys_only(
        format!(
            "SELECT {} AS id FROM {} s WHERE {} > {}",
            s.int(&s.on("s", &st.key)),
            on.table(&st.table),
            s.on("s", allocated),
            s.on("s", &st.on_hand),
        ),
        on.stock_within("s"),
        "",
    ))
}
