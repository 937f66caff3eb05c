//! The values a template is rendered with, read from the database when the
//! notification is triggered and frozen in the outbox row: the message
//! says what was true when the operator pressed Send. Links are not
//! values: the dispatcher adds them, with the profile's link base and a
//! fresh token, when it sends.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::links::BackendLinks;
use super::{FreeForm, Template};
use crate::db::{Query, Source};
use crate::session::Ctx;
use crate::users::mask_email;
use crate::{money, Error, Result};

/// Who receives the message.
#[derive(Debug, Clone)]
pub(crate) struct Recipient {
    /// The user, by the back end's key; none for a guest's order, sent to
    /// the order's address.
    pub user_key: Option<String>,
    /// The order the message is about, by the back end's key.
    pub order_key: Option<String>,
    pub email: String,
    pub name: String,
}

#[derive(sqlx::FromRow)]
struct UserFacts {
    id: i64,
    email: String,
    display_name: String,
    status: String,
    email_verified_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct OrderFacts {
    id: i64,
    user_id: i64,
    status: String,
    currency: String,
    total_cents: i64,
    placed_at: DateTime<Utc>,
    shipped_at: Option<DateTime<Utc>>,
}

/// Which records a trigger is about, as the operator named them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Subject<'a> {
    pub user: Option<&'a str>,
    pub order: Option<&'a str>,
}

/// A record of the reference schema, named by its id.
fn reference_id(what: &str, named: &str) -> Result<i64> {
    named.parse().map_err(|_| {
        Error::validation(format!(
            "a {what} is named by its id, a number: not '{named}'"
        ))
    })
}

/// Reads the recipient and the template's values, refusing what would make
/// no sense to send (a reset link to a disabled account, an order message
/// without its order).
pub(crate) async fn gather(
    src: &mut Source<'_>,
    ctx: &Ctx<'_>,
    backend: Option<&BackendLinks>,
    template: Template,
    subject: Subject<'_>,
    message: Option<&FreeForm>,
) -> Result<(Recipient, Value)> {
    if let Some(b) = backend {
        return super::vars_mapped::gather_mapped(src, ctx, b, template, subject, message).await;
    }
    let order = match subject.order {
        Some(id) => Some(order(src, reference_id("order", id)?).await?),
        None if template.needs_order() => {
            return Err(Error::validation(format!(
                "the {} template is about an order: give the order's id",
                template.id()
            )))
        }
        None => None,
    };
    let named = subject.user.map(|u| reference_id("user", u)).transpose()?;
    let user_id = match (named, &order) {
        (Some(u), Some(o)) if o.user_id != u => {
            return Err(Error::validation(format!(
                "order {} belongs to user {}, not user {u}",
                o.id, o.user_id
            )))
        }
        (Some(u), _) => u,
        (None, Some(o)) => o.user_id,
        (None, None) => return Err(Error::validation("say which user the message is for")),
    };
    let user = user(src, user_id).await?;
    refuse_pointless(
        template,
        &user.id.to_string(),
        user.status == "disabled",
        user.email_verified_at.is_some(),
    )?;

    let mut vars = json!({
        "user": {"name": user.display_name, "email": user.email},
    });
    let order_key = order.as_ref().map(|o| o.id);
    if let Some(o) = order {
        vars["order"] = order_vars(src, &o).await?;
    }
    add_message(&mut vars, template, message)?;
    let recipient = Recipient {
        user_key: Some(user.id.to_string()),
        order_key: order_key.map(|o| o.to_string()),
        email: user.email,
        name: user.display_name,
    };
    Ok((recipient, vars))
}

pub(super) fn add_message(
    vars: &mut Value,
    template: Template,
    message: Option<&FreeForm>,
) -> Result<()> {
    if template == Template::SupportMessage {
        let m = message
            .ok_or_else(|| Error::validation("a support message needs a subject and a text"))?;
        vars["message"] = json!({"subject": m.subject, "body": m.body});
    }
    Ok(())
}

/// The values as an operator who may not see addresses is shown them: the
/// recipient's address masked. What is sent keeps the real one.
pub(crate) fn for_operator(mut vars: Value, unmasked: bool) -> Value {
    if !unmasked {
        let masked = vars
            .pointer("/user/email")
            .and_then(Value::as_str)
            .map(mask_email);
        if let Some(m) = masked {
            vars["user"]["email"] = Value::from(m);
        }
    }
    vars
}

/// Refuses what would make no sense to send: an account email to a
/// disabled account, a verification to an address already verified.
pub(super) fn refuse_pointless(
    template: Template,
    user: &str,
    disabled: bool,
    verified: bool,
) -> Result<()> {
    let why = match template {
        Template::VerifyEmail | Template::PasswordReset if disabled => {
            Some("the account is disabled")
        }
        Template::VerifyEmail if verified => Some("the address is already verified"),
        _ => None,
    };
    match why {
        Some(why) => Err(Error::validation(format!(
            "not sending {} to user {user}: {why}",
            template.id()
        ))),
        None => Ok(()),
    }
}

async fn user(src: &mut Source<'_>, id: i64) -> Result<UserFacts> {
    src.fetch_optional(
        Query::new(
            "SELECT id, email, display_name, status, email_verified_at FROM users WHERE id = ",
        )
        .bind(id),
        "cannot read the user",
    )
    .await?
    .ok_or_else(|| Error::NotFound(format!("no user with id {id}")))
}

async fn order(src: &mut Source<'_>, id: i64) -> Result<OrderFacts> {
    src.fetch_optional(
        Query::new(
            "SELECT id, user_id, status, currency, total_cents, placed_at, shipped_at \
             FROM orders WHERE id = ",
        )
        .bind(id),
        "cannot read the order",
    )
    .await?
    .ok_or_else(|| Error::NotFound(format!("no order with id {id}")))
}

async fn order_vars(src: &mut Source<'_>, o: &OrderFacts) -> Result<Value> {
    let items: Vec<(String, i64, i64)> = src
        .fetch_all(
            Query::new(
                "SELECT p.name, oi.quantity, oi.line_total_cents FROM order_items oi \
                 JOIN products p ON p.id = oi.product_id WHERE oi.order_id = ",
            )
            .bind(o.id)
            .sql(" ORDER BY oi.id"),
            "cannot read the order's items",
        )
        .await?;
    let items: Vec<Value> = items
        .into_iter()
        .map(|(name, quantity, line)| {
            json!({"name": name, "quantity": quantity, "line_total": money::format(line, &o.currency)})
        })
        .collect();
    Ok(json!({
        "id": o.id,
        "status": o.status,
        "total": money::format(o.total_cents, &o.currency),
        "placed_on": o.placed_at.format("%Y-%m-%d").to_string(),
        "shipped_on": o.shipped_at.map(|t| t.format("%Y-%m-%d").to_string()),
        "items": items,
    }))
}
