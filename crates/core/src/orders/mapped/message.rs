//! An order as a message to its customer tells it: the number customers
//! see, the back end's status word, the total and lines read exactly, and
//! the customer's address unmasked (it is where the message goes;
//! operators see it masked elsewhere).

use super::keys::Keys;
use super::story::{items, order_row, MappedItem};
use super::{present, shop_of, MappedOrder};
use crate::db::Source;
use crate::mapping::query::Sql;
use crate::mapping::Mapping;
use crate::session::Ctx;
use crate::Result;

pub(crate) struct OrderForMessage {
    pub order: MappedOrder,
    pub items: Vec<MappedItem>,
    /// Whether the lifecycle counts the order's status as shipped.
    pub shipped: bool,
}

/// The order with this number or key, as a message about it needs it.
pub(crate) async fn for_message(
    src: &mut Source<'_>,
    ctx: &Ctx<'_>,
    mapping: &Mapping,
    id: &str,
) -> Result<OrderForMessage> {
    let (o, lifecycle) = shop_of(mapping)?;
    let s = Sql { b: src.backend() };
    let keys = Keys::of(ctx, mapping).await?;
    let row = order_row(src, &s, mapping, &keys, id, false).await?;
    let order = present(o, row, true);
    let items = items(src, mapping, &s, &keys, &order).await?;
    let shipped = lifecycle.shipped.contains(&order.status);
    Ok(OrderForMessage {
        order,
        items,
        shipped,
    })
}
