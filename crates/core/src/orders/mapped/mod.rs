//! Orders of a back end read through its mapping (django-oscar, Solidus,
//! Saleor, a legacy schema): found with filters, a page at a time in the
//! back end's key order, newest key first; an order's story is in
//! [`story`]. Status words are the back end's own, as its lifecycle
//! declares them; money is read exactly, in minor units of the order's
//! currency.

mod bulk;
mod change;
pub mod indexes;
mod keys;
pub(crate) mod message;
mod notes;
mod preview;
mod refunds;
pub mod story;
mod timeline;
mod totals;

pub use bulk::{
    bulk_commit, bulk_preview, MappedBulkPreview, MappedOutcome, MappedReady, MappedRefusal,
    MappedSelection,
};
pub use change::{apply, MappedChange};
pub use notes::add_note;
pub use preview::{preview, MappedPreview, RefundPreview};
pub use refunds::{refund, refund_preview, MappedRefund};
pub use totals::MappedFee;

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::dashboard::{grouped, StatusCount};
use crate::db::{Query, Source};
use crate::mapping::query::{framework_time, Key, Sql};
use crate::mapping::{Currency, Lifecycle, Mapping, OrderMap};
use crate::money;
use crate::operators::Permission;
use crate::page::{decode_key, keyed_page, Page, PageRequest};
use crate::session::Ctx;
use crate::users::{mask_email, unmasked};
use crate::{Error, Result};

/// One order as a mapped back end keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct MappedOrder {
    /// The back end's key, as text.
    pub key: String,
    /// The number customers see (the key where the back end has none).
    pub number: String,
    /// The status word, as stored.
    pub status: String,
    /// The further state columns (`order.status_also`), in mapping order.
    pub also: Vec<String>,
    pub currency: String,
    /// In minor units of `currency`; absent when the stored amount cannot
    /// be read exactly (`problem` says why).
    #[ts(type = "number | null")]
    pub total: Option<i64>,
    pub placed: Option<DateTime<Utc>>,
    /// The customer's user key; absent for a guest.
    pub customer: Option<String>,
    /// The customer's address (the user's, or the guest's), masked for
    /// operators who may not see emails.
    pub email: String,
    pub email_masked: bool,
    /// What could not be read exactly, in words.
    pub problem: Option<String>,
}

/// Which orders; every part is optional.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct MappedOrderQuery {
    /// Any of these status words (each one the lifecycle declares).
    pub statuses: Vec<String>,
    pub placed_from: Option<DateTime<Utc>>,
    pub placed_until: Option<DateTime<Utc>>,
    /// The customer: a user's key, or an email address (a guest's too).
    pub customer: Option<String>,
    /// An order number or key.
    pub number: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct Row {
    key: String,
    number: Option<String>,
    status: Option<String>,
    also: Option<String>,
    currency: Option<String>,
    total: Option<String>,
    placed: Option<i64>,
    customer: Option<String>,
    email: Option<String>,
}

/// The mapping's order section and lifecycle, or why there are none.
pub(crate) fn shop_of(mapping: &Mapping) -> Result<(&OrderMap, &Lifecycle)> {
    match (&mapping.order, &mapping.lifecycle) {
        (Some(o), Some(l)) => Ok((o, l)),
        _ => Err(Error::validation(
            "the mapping has no [order] section: this back end's orders are not mapped",
        )),
    }
}

/// How many orders are in each of the back end's own status words, for
/// the dashboard.
pub async fn by_status(ctx: &Ctx<'_>, mapping: &Mapping) -> Result<Vec<StatusCount>> {
    ctx.require(Permission::ReadOrders)?;
    let (o, _) = shop_of(mapping)?;
    let s = Sql {
        b: ctx.db.backend(),
    };
    let status = s.text(&s.q(&o.status));
    let q = Query::new(format!(
        "SELECT {status} AS st, COUNT(*) AS n FROM {} o GROUP BY {status} ORDER BY 1",
        s.orders(o)
    ));
    grouped(ctx.db, &q, "cannot count the orders by status", "(none)").await
}

/// `SELECT <a MappedOrder's columns> FROM <orders> o LEFT JOIN <users> u
/// … WHERE 1 = 1`.
pub(crate) fn select(s: &Sql, m: &Mapping, o: &OrderMap, key: &Key) -> Query {
    let col = |c: &str| s.on("o", c);
    let number = o.number.as_deref().map_or(key.expr.clone(), col);
    let also: Vec<String> = o.status_also.iter().map(|c| col(c)).collect();
    let currency = match &o.currency {
        Currency::Column { column } => s.text(&col(column)),
        Currency::Fixed { .. } => "NULL".into(),
    };
    let customer = o.customer.as_deref().map(col);
    let guest = o
        .guest_email
        .as_deref()
        .map(|g| format!("NULLIF({}, '')", col(g)));
    let (join, user_email) = match (&m.user, &customer) {
        (Some(u), Some(c)) => (
            format!(
                " LEFT JOIN {} u ON {} = {c}",
                s.q(&u.table),
                s.on("u", &u.key)
            ),
            Some(s.on("u", &u.email)),
        ),
        _ => (String::new(), None),
    };
    let email = match (user_email, guest) {
        (Some(u), Some(g)) => format!("COALESCE({u}, {g})"),
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => "NULL".into(),
    };
    Query::new(format!(
        "SELECT {} AS {}, {} AS number, {} AS status, {} AS also, {currency} AS currency, \
         {} AS total, {} AS placed, {} AS customer, {email} AS email FROM {} o{join} WHERE 1 = 1",
        s.text(&key.expr),
        s.q("key"),
        s.text(&number),
        s.text(&col(&o.status)),
        s.joined(&also),
        s.text(&col(&o.total)),
        s.epoch(&col(&o.placed)),
        customer.map_or("NULL".into(), |c| s.text(&c)),
        s.orders(o),
    ))
}

/// An order's row as the console shows it.
pub(crate) fn present(o: &OrderMap, r: Row, show: bool) -> MappedOrder {
    let currency = match &o.currency {
        Currency::Fixed { code } => code.clone(),
        Currency::Column { .. } => r.currency.unwrap_or_default(),
    };
    let (total, problem) = match r.total.as_deref().map(|t| money::stored(t, &currency)) {
        Some(Ok(v)) => (Some(v), None),
        Some(Err(why)) => (None, Some(format!("{}.{}: {why}", o.table, o.total))),
        None => (None, Some(format!("{}.{} is empty", o.table, o.total))),
    };
    let email = r.email.unwrap_or_default();
    MappedOrder {
        number: r.number.unwrap_or_else(|| r.key.clone()),
        key: r.key,
        status: r.status.unwrap_or_default(),
        also: r
            .also
            .map(|a| a.split('\u{1f}').map(str::to_string).collect())
            .unwrap_or_default(),
        currency,
        total,
        placed: r.placed.and_then(|s| Utc.timestamp_opt(s, 0).single()),
        customer: r.customer,
        email_masked: !show && !email.is_empty(),
        email: if show { email } else { mask_email(&email) },
        problem,
    }
}

/// Orders matching the query, a page at a time, newest key first.
pub async fn search(
    ctx: &Ctx<'_>,
    mapping: &Mapping,
    query: &MappedOrderQuery,
    page: &PageRequest,
) -> Result<Page<MappedOrder>> {
    ctx.require(Permission::ReadOrders)?;
    let (o, lifecycle) = shop_of(mapping)?;
    let s = Sql::of(ctx.db);
    let key = Key::of(ctx.db, &o.table, &o.key, "o", "order").await?;
    let mut q = select(&s, mapping, o, &key);
    for word in &query.statuses {
        if !lifecycle.declares(word) {
            return Err(Error::validation(format!(
                "'{word}' is not a status of this shop; it has {}",
                lifecycle.statuses.join(", ")
            )));
        }
    }
    if !query.statuses.is_empty() {
        q.sql(format!(" AND {} IN ", s.on("o", &o.status)))
            .bind_list(query.statuses.iter().map(String::as_str));
    }
    let placed = s.on("o", &o.placed);
    if let Some(from) = query.placed_from {
        q.sql(format!(" AND {placed} >= "))
            .bind(framework_time(s.b, from));
    }
    if let Some(until) = query.placed_until {
        q.sql(format!(" AND {placed} < "))
            .bind(framework_time(s.b, until));
    }
    if let Some(id) = query.number.as_deref() {
        let number = match &o.number {
            Some(n) => Some(Key::of(ctx.db, &o.table, n, "o", "order").await?),
            None => None,
        };
        keys::push_number_or_key(&mut q, s.b, number.as_ref(), &key, id);
    }
    if let Some(who) = query.customer.as_deref().map(str::trim) {
        let customer = match &o.customer {
            Some(c) if !who.contains('@') => {
                Some(Key::of(ctx.db, &o.table, c, "o", "customer").await?)
            }
            _ => None,
        };
        push_customer(&mut q, &s, mapping, o, customer.as_ref(), who)?;
    }
    if let Some(cursor) = &page.after {
        let after = decode_key(cursor)?;
        q.sql(format!(" AND {} < ", key.expr));
        key.bind(&mut q, s.b, &after).map_err(|_| {
            Error::validation(format!("'{cursor}' is not a page cursor from this list"))
        })?;
    }
    let limit = page.limit()?;
    q.sql(format!(" ORDER BY {} DESC LIMIT {}", key.expr, limit + 1));
    let rows: Vec<Row> = Source::Pool(ctx.db)
        .fetch_all(&q, "cannot read the back end's orders")
        .await?;
    let show = unmasked(ctx);
    let items = rows.into_iter().map(|r| present(o, r, show)).collect();
    Ok(keyed_page(items, limit, |m: &MappedOrder| m.key.clone()))
}

/// Orders of a customer: by address (the user's or a guest's, any case),
/// else by the user's key.
fn push_customer(
    q: &mut Query,
    s: &Sql,
    m: &Mapping,
    o: &OrderMap,
    customer: Option<&Key>,
    who: &str,
) -> Result<()> {
    let mut places = Vec::new();
    if who.contains('@') {
        if let (Some(u), Some(_)) = (&m.user, &o.customer) {
            places.push(format!("LOWER({})", s.on("u", &u.email)));
        }
        if let Some(g) = &o.guest_email {
            places.push(format!("LOWER({})", s.on("o", g)));
        }
        if places.is_empty() {
            return Err(Error::validation(
                "this back end's orders carry no customer address to look for",
            ));
        }
        q.sql(" AND (");
        for (i, p) in places.iter().enumerate() {
            if i > 0 {
                q.sql(" OR ");
            }
            q.sql(format!("{p} = ")).bind(who.to_lowercase());
        }
        q.sql(")");
        return Ok(());
    }
    let c = customer.ok_or_else(|| {
        Error::validation("this back end's orders carry no customer key: look for an address")
    })?;
    // Compared as the column's type, so its index serves; a key the
    // column cannot hold is no one's.
    let mut by_key = Query::new(format!(" AND {} = ", c.expr));
    if c.bind(&mut by_key, s.b, who).is_ok() {
        q.append(by_key);
    } else {
        q.sql(" AND 1 = 0");
    }
    Ok(())
}
