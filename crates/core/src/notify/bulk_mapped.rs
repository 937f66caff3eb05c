//! Bulk audiences of a back end of its own, read through its mapping.

use super::bulk::{check_ids, not_found, Audience, Target, MAX_RECIPIENTS};
use crate::db::Source;
use crate::mapping::Mapping;
use crate::orders::mapped::message::for_message as order_for_message;
use crate::session::Ctx;
use crate::users::mapped::recipients;
use crate::users::UserQuery;
use crate::{Error, Result};

/// The bulk audience through the mapping: the users by key (the unverified by
/// the mapping's verification and creation time, disabled accounts left
/// out), the orders by number or key with their customers.
pub(super) async fn resolve(
    ctx: &Ctx<'_>,
    mapping: &Mapping,
    audience: &Audience,
) -> Result<(Vec<Target>, Vec<i64>)> {
    let found = match audience {
        Audience::Unverified { days } => {
            let query = UserQuery {
                verified: Some(false),
                created_until: Some(ctx.now - chrono::Duration::days(i64::from(*days))),
                ..UserQuery::default()
            };
            recipients(ctx, mapping, &query, None, MAX_RECIPIENTS + 1).await?
        }
        Audience::Users { ids } => {
            check_ids(ids)?;
            let all = UserQuery::default();
            recipients(ctx, mapping, &all, Some(ids), MAX_RECIPIENTS + 1).await?
        }
        Audience::Orders { ids } => {
            check_ids(ids)?;
            let mut targets = Vec::new();
            let mut missing = Vec::new();
            for id in ids {
                let mut src = Source::Pool(ctx.db);
                match order_for_message(&mut src, ctx, mapping, &id.to_string()).await {
                    // Keyed as a single send keys it, so a repeat is seen.
                    Ok(o) => targets.push(Target {
                        user_key: o.order.customer.map(|c| c.trim().to_string()),
                        order_key: Some(o.order.key.trim().to_string()),
                        email: o.order.email,
                    }),
                    Err(Error::NotFound(_)) => missing.push(*id),
                    Err(e) => return Err(e),
                }
            }
            return Ok((targets, missing));
        }
    };
    if found.len() > MAX_RECIPIENTS {
        return Err(Error::validation(format!(
            "more than {MAX_RECIPIENTS} recipients; narrow the audience down"
        )));
    }
    let targets: Vec<Target> = found
        .into_iter()
        .filter(|u| u.state.as_deref() != Some("disabled"))
        .map(|u| Target {
            user_key: Some(u.key.trim().to_string()),
            order_key: None,
            email: u.email,
        })
        .collect();
    let missing = match audience {
        Audience::Users { ids } => not_found(ids, targets.iter().map(|t| &t.user_key)),
        _ => Vec::new(),
    };
    Ok((targets, missing))
}
