//! The Solidus shop preset. Tables and columns as
//! solidusio/solidus core/db/migrate/20160101010000_solidus_one_four.rb
//! creates them: spree_orders (`state`, `payment_state`,
//! `shipment_state`, money as decimal(10,2): `item_total`,
//! `shipment_total`, `adjustment_total`, `total`), spree_line_items
//! (`variant_id`, `quantity`, `price`; no line total: a line's amount is
//! `price × quantity`, `Spree::LineItem#amount`), spree_variants (`sku`,
//! `product_id`) and spree_products (`name`, a line's name),
//! spree_stock_items (per variant and stock location) and the polymorphic
//! spree_state_changes (`name = "order"`, `stateful_type =
//! "Spree::Order"`). The states are those of the order state machine
//! (core/lib/spree/core/state_machines/order.rb: the checkout steps, then
//! complete, canceled, awaiting_return, returned, resumed).
//!
//! Solidus moves an order only through that state machine, whose events
//! void or capture payments at the gateway, cancel shipments and restock
//! at the shipment's stock location: nothing the console can do as Solidus
//! does it. So its orders are read, noted and checked here, and every
//! change is refused with a sentence sending the operator to Solidus' own
//! admin. Its refunds hang on payments (spree_refunds.payment_id →
//! spree_payments.order_id): they are read through the payment; their
//! reason is a row of spree_refund_reasons, not mapped. Notes are the
//! console's (Solidus keeps none).

use std::collections::BTreeMap;

use super::catalogue::Catalogue;
use super::{
    Currency, HistoryMap, ItemsMap, Lifecycle, Mapping, Money, OrderMap, ProductsMap, RefundsMap,
    ViaMap,
};

fn s(v: &str) -> String {
    v.to_string()
}

/// The states of Solidus' order state machine.
const STATES: [&str; 10] = [
    "cart",
    "address",
    "delivery",
    "payment",
    "confirm",
    "complete",
    "canceled",
    "awaiting_return",
    "returned",
    "resumed",
];

fn lifecycle() -> Lifecycle {
    Lifecycle {
        statuses: STATES.iter().map(|w| s(w)).collect(),
        moves: BTreeMap::new(),
        cancelled: vec![s("canceled")],
        refunded: Vec::new(),
        closed: vec![s("canceled"), s("returned")],
        refundable: Vec::new(),
        shipped: Vec::new(),
        stamps: BTreeMap::new(),
        changed_elsewhere: Some(s(
            "Solidus changes an order only through its own state machine (it voids or \
             captures payments, cancels shipments and restocks as it goes): move, cancel or \
             refund this order in Solidus' admin",
        )),
    }
}

/// Maps a Solidus shop's orders where its tables are there.
pub(super) fn recognise(cat: &Catalogue, m: &mut Mapping) -> bool {
    if !cat.has(
        "spree_orders",
        &[
            "id",
            "number",
            "state",
            "total",
            "item_total",
            "currency",
            "completed_at",
        ],
    ) || !cat.has(
        "spree_line_items",
        &["id", "order_id", "variant_id", "quantity", "price"],
    ) {
        return false;
    }
    let opt = |column: &str| cat.column("spree_orders", column).map(|_| s(column));
    m.order = Some(OrderMap {
        table: s("spree_orders"),
        key: s("id"),
        number: Some(s("number")),
        customer: opt("user_id"),
        guest_email: opt("email"),
        status: s("state"),
        status_also: ["payment_state", "shipment_state"]
            .iter()
            .filter_map(|c| opt(c))
            .collect(),
        currency: Currency::Column {
            column: s("currency"),
        },
        money: Money::Decimal,
        total: s("total"),
        subtotal: Some(s("item_total")),
        shipping: opt("shipment_total"),
        discount: None,
        tax: None,
        adjustment: opt("adjustment_total"),
        placed: s("completed_at"),
        updated: opt("updated_at"),
        only: BTreeMap::new(),
        side: None,
    });
    m.items = Some(ItemsMap {
        table: s("spree_line_items"),
        key: s("id"),
        order: s("order_id"),
        quantity: s("quantity"),
        product: Some(s("variant_id")),
        stock: None,
        title: None,
        unit_price: Some(s("price")),
        line_total: None,
        allocated: None,
        allocation_cancelled: None,
        only: BTreeMap::new(),
        meta: None,
        fees: None,
    });
    // A line is for a variant; its name is its product's (the SKU where
    // the products table is not there).
    let named = cat.has("spree_products", &["id", "name"])
        && cat.column("spree_variants", "product_id").is_some();
    m.products = cat
        .has("spree_variants", &["id", "sku"])
        .then(|| ProductsMap {
            table: s("spree_variants"),
            key: s("id"),
            name: s(if named { "name" } else { "sku" }),
            sku: Some(s("sku")),
            via: named.then(|| ViaMap {
                table: s("spree_products"),
                key: s("id"),
                link: s("product_id"),
            }),
        });
    // Stock is per variant and stock location, and only Solidus restocks.
    m.stock = None;
    m.status_history = cat
        .has(
            "spree_state_changes",
            &[
                "name",
                "previous_state",
                "next_state",
                "stateful_id",
                "stateful_type",
                "created_at",
            ],
        )
        .then(|| HistoryMap {
            table: s("spree_state_changes"),
            order: s("stateful_id"),
            from: Some(s("previous_state")),
            to: s("next_state"),
            at: s("created_at"),
            operator: None,
            reason: None,
            fixed: BTreeMap::from([
                (s("name"), s("order")),
                (s("stateful_type"), s("Spree::Order")),
            ]),
        });
    m.notes = None;
    // A refund hangs on a payment, which names the order.
    m.refunds = (cat.has("spree_refunds", &["payment_id", "amount", "created_at"])
        && cat.has("spree_payments", &["id", "order_id"]))
    .then(|| RefundsMap {
        table: s("spree_refunds"),
        order: s("order_id"),
        amount: s("amount"),
        at: s("created_at"),
        reason: None,
        operator: None,
        fixed: BTreeMap::new(),
        meta: None,
        via: Some(ViaMap {
            table: s("spree_payments"),
            key: s("id"),
            link: s("payment_id"),
        }),
    });
    m.lifecycle = Some(lifecycle());
    true
}
