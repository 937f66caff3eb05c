//! The values of a message to a back end of its own, read through its
//! mapping: the user (by key), the order (by number or key) with its status
//! word, number, lines and total read exactly, and for a link, proof that
//! one can be made (the format mapped, the secret stored, allauth's address
//! row there) before anything is queued.

use serde_json::{json, Value};

use super::links::{link_user, BackendLinks};
use super::vars::{add_message, refuse_pointless, Recipient, Subject};
use super::{FreeForm, Template};
use crate::db::Source;
use crate::orders::mapped::message::{for_message as order_for_message, OrderForMessage};
use crate::session::Ctx;
use crate::users::mapped::for_message as user_for_message;
use crate::{money, Error, Result};

pub(super) async fn gather_mapped(
    src: &mut Source<'_>,
    ctx: &Ctx<'_>,
    backend: &BackendLinks,
    template: Template,
    subject: Subject<'_>,
    message: Option<&FreeForm>,
) -> Result<(Recipient, Value)> {
    let mapping = &backend.mapping;
    let order = match subject.order {
        Some(id) => Some(order_for_message(src, ctx, mapping, id).await?),
        None if template.needs_order() => {
            return Err(Error::validation(format!(
                "the {} template is about an order: give the order's number or key",
                template.id()
            )))
        }
        None => None,
    };
    let user_key = match (subject.user, &order) {
        (Some(u), _) => Some(u.to_string()),
        // A guest's order: the address on the order.
        (None, Some(o)) => o.order.customer.clone(),
        (None, None) => return Err(Error::validation("say which user the message is for")),
    };
    // The user's key as the back end holds it (`7`, not a typed `007`),
    // so the outbox names them as the card and the story look them up.
    let (email, name, user_key) = match &user_key {
        Some(key) => {
            let user = user_for_message(src, ctx, mapping, key).await?;
            // A new address waiting for confirmation (Devise
            // reconfirmable) is where a verification goes.
            let pending = match template {
                Template::VerifyEmail => user.pending_email.filter(|p| !p.trim().is_empty()),
                _ => None,
            };
            refuse_pointless(
                template,
                key,
                user.state.as_deref() == Some("disabled"),
                user.verified == Some(true) && pending.is_none(),
            )?;
            // The order named must be this user's (keys compared as the
            // back end holds them).
            if let Some(o) = &order {
                if o.order.customer.as_deref().map(str::trim) != Some(user.key.trim()) {
                    return Err(Error::validation(format!(
                        "order {} is not user {key}'s",
                        o.order.number
                    )));
                }
            }
            let email = pending.unwrap_or(user.email);
            (email, user.name, Some(user.key))
        }
        None => {
            let o = order.as_ref().expect("a guest's order");
            (o.order.email.clone(), String::new(), None)
        }
    };
    if email.trim().is_empty() {
        return Err(Error::validation("the recipient has no email address"));
    }
    let mut vars = json!({});
    // A link the console makes is checked now; the back end's own email
    // (the mapping's [sends]) carries the back end's own link, and a
    // signed request needs its secret.
    let sends = mapping.sends(template.id());
    if sends.is_some_and(|s| s.signed()) {
        backend.webhook_secret()?;
    }
    if template.link().is_some() && sends.is_none() {
        let key = user_key
            .as_deref()
            .ok_or_else(|| Error::validation("an account email needs a user"))?;
        backend
            .path(src, template, link_user(key)?, ctx.now)
            .await?;
        if let Some(l) = mapping.link(template.id()) {
            vars["expires_in"] = Value::from(l.expires_in());
        }
    }
    // A user with no name is greeted "Hello there" by the templates.
    let name = name.trim().to_string();
    vars["user"] = json!({"name": name, "email": email});
    let mut order_key = None;
    if let Some(o) = &order {
        if template == Template::OrderShipped && !o.shipped {
            return Err(Error::validation(format!(
                "not sending order_shipped about order {}: it is {}, which this back end's \
                 lifecycle does not count as shipped",
                o.order.number, o.order.status
            )));
        }
        order_key = Some(o.order.key.trim().to_string());
        vars["order"] = order_vars(o)?;
    }
    add_message(&mut vars, template, message)?;
    Ok((
        Recipient {
            user_key,
            order_key,
            email,
            name,
        },
        vars,
    ))
}

/// The order in the templates' terms, in the back end's own words: its
/// number, status word, and money read exactly (an order whose total
/// cannot be read is not described to its customer).
fn order_vars(o: &OrderForMessage) -> Result<Value> {
    let cur = o.order.currency.as_str();
    let total = o.order.total.ok_or_else(|| {
        Error::validation(format!(
            "order {}'s total cannot be read exactly{}: not sending a message that shows it",
            o.order.number,
            o.order
                .problem
                .as_deref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default()
        ))
    })?;
    let items: Vec<Value> = o
        .items
        .iter()
        .map(|i| {
            json!({
                "name": i.title,
                "quantity": i.quantity,
                "line_total": i.line_total.map(|l| money::format(l, cur)).unwrap_or_default(),
            })
        })
        .collect();
    Ok(json!({
        "id": o.order.number,
        "status": o.order.status,
        "total": money::format(total, cur),
        "placed_on": o.order.placed.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default(),
        "shipped_on": Value::Null,
        "items": items,
    }))
}
