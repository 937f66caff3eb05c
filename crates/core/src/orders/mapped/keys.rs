//! How an order's tables are keyed, for the queries that find its rows.

use super::shop_of;
use crate::db::{Backend, Query};
use crate::mapping::query::Key;
use crate::mapping::Mapping;
use crate::session::Ctx;
use crate::{Error, Result};

/// How the order's tables are keyed, read from the catalogue once per
/// command (before any transaction).
pub(crate) struct Keys {
    pub(crate) order: Key,
    /// The number customers see, compared as its column's type so its
    /// index serves the lookup.
    pub(crate) number: Option<Key>,
    /// The lines' link to their order.
    pub(crate) items: Option<Key>,
    /// The lines' own key, and the stock rows' key the lines point at
    /// (the row's, or its product's), where stock is mapped.
    pub(crate) line: Option<Key>,
    pub(crate) stock: Option<Key>,
    /// The back end's refunds' link to their order.
    pub(crate) refunds: Option<Key>,
}

impl Keys {
    pub(crate) async fn of(ctx: &Ctx<'_>, m: &Mapping) -> Result<Keys> {
        let (o, _) = shop_of(m)?;
        let order = Key::of(ctx.db, &o.table, &o.key, "o", "order").await?;
        let number = match &o.number {
            Some(n) => Some(Key::of(ctx.db, &o.table, n, "o", "order").await?),
            None => None,
        };
        let items = match &m.items {
            Some(i) => Some(Key::of(ctx.db, &i.table, &i.order, "i", "order").await?),
            None => None,
        };
        let refunds = match &m.refunds {
            Some(r) => {
                // Through the table refunds reach their order by, if any.
                let table = r.via.as_ref().map_or(&r.table, |v| &v.table);
                Some(Key::of(ctx.db, table, &r.order, "r", "order").await?)
            }
            None => None,
        };
        let (line, stock) = match (&m.items, &m.stock, m.stock_by()) {
            (Some(i), Some(st), Some(by)) => (
                Some(Key::of(ctx.db, &i.table, &i.key, "i", "line").await?),
                Some(Key::of(ctx.db, &st.table, by, "s", "stock row").await?),
            ),
            _ => (None, None),
        };
        Ok(Keys {
            order,
            number,
            items,
            line,
            stock,
            refunds,
        })
    }

    /// The lines' link to their order, where lines are mapped.
    pub(crate) fn items_key(&self) -> Result<&Key> {
        self.items
            .as_ref()
            .ok_or_else(|| Error::internal("the order's lines are not mapped"))
    }
}

/// ` AND (<number> = … OR <key> = …)`: the order a support agent names by
/// its number or its key, each compared as its column's type so that each
/// column's index serves; one the text cannot be (letters for a number)
/// is left out.
pub(crate) fn push_number_or_key(
    q: &mut Query,
    b: Backend,
    number: Option<&Key>,
    key: &Key,
    id: &str,
) {
    let mut by = Vec::new();
    for k in number.into_iter().chain([key]) {
        let mut part = Query::new(format!("{} = ", k.expr));
        if k.bind(&mut part, b, id).is_ok() {
            by.push(part);
        }
    }
    q.sql(" AND (");
    if by.is_empty() {
        q.sql("1 = 0");
    }
    for (n, part) in by.into_iter().enumerate() {
        if n > 0 {
            q.sql(" OR ");
        }
        q.append(part);
    }
    q.sql(")");
}
