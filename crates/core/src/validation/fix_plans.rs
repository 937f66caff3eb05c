//! What each mechanical fix changes in one record, read from the record as
//! it is (under lock inside a write), or why it leaves the record alone.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::fixes::{EntityFix, FieldChange, RowChange};
use crate::db::query::Arg;
use crate::db::{Query, Source};
use crate::money;
use crate::orders;
use crate::{Error, Result};

/// A fix's plan for one record: the change, or why there is none.
pub(super) type Plan = std::result::Result<EntityFix, String>;

fn field(column: &str, before: Value, after: Value, value: impl Into<Arg>) -> FieldChange {
    FieldChange {
        column: column.into(),
        before,
        after,
        value: Some(value.into()),
    }
}

/// Line totals to quantity × unit price, the subtotal to their sum, the
/// total to subtotal + shipping + tax − discount.
pub(super) async fn recompute_totals(src: &mut Source<'_>, id: i64, lock: bool) -> Result<Plan> {
    let order = match orders::load(src, id, lock).await {
        Ok(o) => o,
        Err(Error::NotFound(_)) => return Ok(Err(format!("order {id} no longer exists"))),
        Err(e) => return Err(e),
    };
    let mut q = Query::new(
        "SELECT id, quantity, unit_price_cents, line_total_cents FROM order_items \
         WHERE order_id = ",
    );
    q.bind(id).sql(" ORDER BY id");
    if lock {
        q.sql(src.backend().for_update());
    }
    let items: Vec<(i64, i64, i64, i64)> =
        src.fetch_all(&q, "cannot read the order's items").await?;
    if items.is_empty() {
        return Ok(Err(
            "the order has no items, so there is nothing to recompute its totals from \
             (see orders.no_items)"
                .into(),
        ));
    }
    if let Some((line, qty, price, _)) = items.iter().find(|(_, q, p, _)| *q <= 0 || *p < 0) {
        return Ok(Err(format!(
            "line {line} has quantity {qty} and unit price {price}: find out what was \
             ordered first (see orders.bad_quantity)"
        )));
    }
    let overflow = || "the amounts are too large to add up".to_string();
    let mut rows = Vec::new();
    let mut subtotal: i64 = 0;
    for (line, qty, price, stored) in &items {
        let Some(expected) = qty.checked_mul(*price) else {
            return Ok(Err(overflow()));
        };
        let Some(sum) = subtotal.checked_add(expected) else {
            return Ok(Err(overflow()));
        };
        subtotal = sum;
        if expected != *stored {
            rows.push(RowChange {
                table: "order_items".into(),
                id: *line,
                fields: vec![field(
                    "line_total_cents",
                    json!(stored),
                    json!(expected),
                    expected,
                )],
            });
        }
    }
    let Some(total) = subtotal
        .checked_add(order.shipping_cents)
        .and_then(|t| t.checked_add(order.tax_cents))
        .and_then(|t| t.checked_sub(order.discount_cents))
    else {
        return Ok(Err(overflow()));
    };
    let mut fields = Vec::new();
    if subtotal != order.subtotal_cents {
        let (b, a) = (order.subtotal_cents, subtotal);
        fields.push(field("subtotal_cents", json!(b), json!(a), a));
    }
    if total != order.total_cents {
        let (b, a) = (order.total_cents, total);
        fields.push(field("total_cents", json!(b), json!(a), a));
    }
    if fields.is_empty() && rows.is_empty() {
        return Ok(Err("the totals already add up".into()));
    }
    let note = (order.paid_at.is_some() && total != order.total_cents).then(|| {
        let cur = order.currency.as_str();
        format!(
            "the customer paid {}; the total becomes {}: settle the difference with them",
            money::format(order.total_cents, cur),
            money::format(total, cur)
        )
    });
    rows.insert(
        0,
        RowChange {
            table: "orders".into(),
            id,
            fields,
        },
    );
    Ok(Ok(EntityFix {
        entity_type: "order".into(),
        entity_id: id,
        version: order.version,
        rows,
        note,
        currency: Some(order.currency.clone()),
    }))
}

#[derive(sqlx::FromRow)]
struct UserState {
    email: String,
    email_normalized: String,
    status: String,
    locked_until: Option<DateTime<Utc>>,
    lock_reason: Option<String>,
    failed_login_count: i64,
    version: i64,
}

async fn user(src: &mut Source<'_>, id: i64, lock: bool) -> Result<Option<UserState>> {
    let mut q = Query::new(format!(
        "SELECT email, {} AS email_normalized, status, locked_until, lock_reason, {} AS \
         failed_login_count, version FROM users WHERE id = ",
        src.backend().text("email_normalized"),
        src.backend().int64("failed_login_count")
    ));
    q.bind(id);
    if lock {
        q.sql(src.backend().for_update());
    }
    src.fetch_optional(&q, "cannot read the user").await
}

fn user_fix(id: i64, version: i64, fields: Vec<FieldChange>) -> EntityFix {
    EntityFix {
        entity_type: "user".into(),
        entity_id: id,
        version,
        rows: vec![RowChange {
            table: "users".into(),
            id,
            fields,
        }],
        note: None,
        currency: None,
    }
}

/// An expired lock cleared as an unlock clears it: active, no reason, no
/// end, no failed sign-ins.
pub(super) async fn clear_expired_lock(
    src: &mut Source<'_>,
    id: i64,
    now: DateTime<Utc>,
    lock: bool,
) -> Result<Plan> {
    let Some(u) = user(src, id, lock).await? else {
        return Ok(Err(format!("user {id} no longer exists")));
    };
    if u.status != "locked" {
        return Ok(Err(format!("the account is {}, not locked", u.status)));
    }
    let Some(until) = u.locked_until.filter(|t| *t <= now) else {
        return Ok(Err("the lock has not expired".into()));
    };
    let mut fields = vec![
        field("status", json!("locked"), json!("active"), "active"),
        field(
            "locked_until",
            json!(until),
            Value::Null,
            Arg::OptTime(None),
        ),
    ];
    if u.lock_reason.is_some() {
        fields.push(field(
            "lock_reason",
            json!(u.lock_reason),
            Value::Null,
            Arg::OptText(None),
        ));
    }
    if u.failed_login_count != 0 {
        fields.push(field(
            "failed_login_count",
            json!(u.failed_login_count),
            json!(0),
            0i64,
        ));
    }
    Ok(Ok(user_fix(id, u.version, fields)))
}

/// The normalised address set to the address in lower case, unless
/// another account already has that.
pub(super) async fn normalize_email(src: &mut Source<'_>, id: i64, lock: bool) -> Result<Plan> {
    let Some(u) = user(src, id, lock).await? else {
        return Ok(Err(format!("user {id} no longer exists")));
    };
    let lower = u.email.to_lowercase();
    if u.email_normalized == lower {
        return Ok(Err("the address is already normalised".into()));
    }
    if let Some(other) = crate::users::address_owner(src, &lower, id).await? {
        return Ok(Err(format!(
            "user {other} already has this address: two accounts for one person need a \
             person to decide (see users.duplicate_email_case)"
        )));
    }
    let fields = vec![field(
        "email_normalized",
        json!(u.email_normalized),
        json!(lower),
        lower.clone(),
    )];
    Ok(Ok(user_fix(id, u.version, fields)))
}
