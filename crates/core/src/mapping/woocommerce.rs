//! The WooCommerce preset, for a shop on High-Performance Order Storage.
//! Tables and columns as woocommerce/woocommerce creates them:
//! - plugins/woocommerce/src/Internal/DataStores/Orders/OrdersTableDataStore.php
//!   (`get_database_schema`): wc_orders (`status` with its `wc-` prefix,
//!   `type`, `currency`, money as decimal(26,8): `total_amount`,
//!   `tax_amount`; `customer_id`, `billing_email`, `date_created_gmt`,
//!   `parent_order_id`), wc_order_operational_data (one row per order:
//!   `shipping_total_amount`) and wc_orders_meta;
//! - plugins/woocommerce/includes/class-wc-install.php (`get_schema`):
//!   woocommerce_order_items (`order_item_name`, `order_item_type`) and
//!   woocommerce_order_itemmeta, where a line's `_qty`, `_product_id` and
//!   `_line_total` (after discounts, before tax) are rows;
//! - WordPress' wp-admin/includes/schema.php: users (`ID`, `user_login`,
//!   `user_email`, `user_registered`, `display_name`) and posts (a
//!   product is a post: `ID`, `post_title`).
//!
//! Every table carries the site's prefix (`wp_` unless configured), found
//! from the catalogue. An order's total is its lines, fees, shipping and
//! tax (`WC_Abstract_Order::calculate_totals`); fee lines are rows of
//! woocommerce_order_items of type `fee`, their amount the `_line_total`
//! meta row (class-wc-order-item-fee-data-store.php). A refund is a row of
//! wc_orders of type `shop_order_refund` under its order
//! (`parent_order_id`), its amount and reason in wc_orders_meta
//! (`_refund_amount`, `_refund_reason`; OrdersTableRefundDataStore.php).
//!
//! WooCommerce changes an order's status through its own hooks: stock
//! levels go down and back up, the customer is emailed, gateways capture
//! and refund. None of that happens on a write to the table, so its
//! orders are read, checked and noted here, and every change is refused
//! with a sentence sending the operator to WooCommerce's admin. Its own
//! order notes are WordPress comments (schema.php: comments), read with
//! the order, and the notes support adds are written as WooCommerce writes
//! one, dated in the site's time zone (schema.php: options).

use std::collections::BTreeMap;

use super::catalogue::Catalogue;
use super::presets::Found;
use super::{
    Currency, FeesMap, ItemsMap, Lifecycle, LocalTimeMap, Mapping, MetaMap, Money, NotesMap,
    OrderMap, ProductsMap, RefundsMap, SideMap, UserMap,
};

fn s(v: &str) -> String {
    v.to_string()
}

/// The statuses of wc_orders: WooCommerce's `wc_get_order_statuses()`,
/// the block checkout's draft, and WordPress' own trash and auto-draft.
const STATUSES: [&str; 10] = [
    "wc-pending",
    "wc-processing",
    "wc-on-hold",
    "wc-completed",
    "wc-cancelled",
    "wc-refunded",
    "wc-failed",
    "wc-checkout-draft",
    "trash",
    "auto-draft",
];

fn lifecycle() -> Lifecycle {
    Lifecycle {
        statuses: STATUSES.iter().map(|w| s(w)).collect(),
        moves: BTreeMap::new(),
        cancelled: vec![s("wc-cancelled")],
        refunded: vec![s("wc-refunded")],
        closed: vec![
            s("wc-cancelled"),
            s("wc-refunded"),
            s("wc-failed"),
            s("trash"),
        ],
        refundable: Vec::new(),
        shipped: vec![s("wc-completed")],
        stamps: BTreeMap::new(),
        changed_elsewhere: Some(s(
            "WooCommerce changes an order only through its own hooks (stock levels, the \
             customer's emails, payment gateways): change, cancel or refund this order in \
             WooCommerce's admin",
        )),
    }
}

/// The site's table prefix: what comes before `suffix` in the name of a
/// table that has `columns` (`wp_` for `wp_users`).
fn prefix<'a>(cat: &'a Catalogue, suffix: &str, columns: &[&str]) -> Option<&'a str> {
    cat.tables
        .keys()
        .filter_map(|t| t.strip_suffix(suffix).map(|p| (t, p)))
        .find(|(t, _)| cat.has(t, columns))
        .map(|(_, p)| p)
}

const USER_COLUMNS: [&str; 5] = [
    "ID",
    "user_login",
    "user_email",
    "user_registered",
    "display_name",
];

/// WordPress' users.
pub(super) fn users(cat: &Catalogue) -> Option<Found> {
    let p = prefix(cat, "users", &USER_COLUMNS)?;
    let user = UserMap {
        table: format!("{p}users"),
        key: s("ID"),
        email: s("user_email"),
        username: Some(s("user_login")),
        name: vec![s("display_name")],
        created: Some(s("user_registered")),
        updated: None,
        last_sign_in: None,
        failed_attempts: None,
        active: None,
        lock: None,
        verified: None,
        sign_ins: None,
    };
    Some(Found {
        mapping: super::presets::mapping(s("wordpress"), user, None),
        notes: vec![s(
            "WordPress keeps no active, lock or verified state in its users table, and roles \
             as serialized PHP in usermeta: those are not mapped",
        )],
    })
}

/// Maps a WooCommerce shop's orders where its HPOS tables are there.
pub(super) fn recognise(cat: &Catalogue, m: &mut Mapping) -> bool {
    let order_columns = [
        "id",
        "status",
        "currency",
        "type",
        "total_amount",
        "tax_amount",
        "customer_id",
        "billing_email",
        "date_created_gmt",
        "parent_order_id",
    ];
    let Some(p) = prefix(cat, "wc_orders", &order_columns) else {
        return false;
    };
    let t = |name: &str| format!("{p}{name}");
    let (items, itemmeta) = (
        t("woocommerce_order_items"),
        t("woocommerce_order_itemmeta"),
    );
    if !cat.has(
        &items,
        &[
            "order_item_id",
            "order_item_name",
            "order_item_type",
            "order_id",
        ],
    ) || !cat.has(&itemmeta, &["order_item_id", "meta_key", "meta_value"])
    {
        return false;
    }
    let orders = t("wc_orders");
    let side = t("wc_order_operational_data");
    let side = cat
        .has(&side, &["order_id", "shipping_total_amount"])
        .then(|| SideMap {
            table: side,
            order: s("order_id"),
            columns: vec![s("shipping_total_amount")],
        });
    m.order = Some(OrderMap {
        table: orders.clone(),
        key: s("id"),
        number: None,
        customer: Some(s("customer_id")),
        guest_email: Some(s("billing_email")),
        status: s("status"),
        status_also: Vec::new(),
        currency: Currency::Column {
            column: s("currency"),
        },
        money: Money::Decimal,
        total: s("total_amount"),
        subtotal: None,
        shipping: side.as_ref().map(|_| s("shipping_total_amount")),
        discount: None,
        tax: Some(s("tax_amount")),
        adjustment: None,
        placed: s("date_created_gmt"),
        updated: cat
            .column(&orders, "date_updated_gmt")
            .map(|_| s("date_updated_gmt")),
        only: BTreeMap::from([(s("type"), s("shop_order"))]),
        side,
    });
    m.items = Some(ItemsMap {
        table: items,
        key: s("order_item_id"),
        order: s("order_id"),
        quantity: s("_qty"),
        product: Some(s("_product_id")),
        stock: None,
        title: Some(s("order_item_name")),
        unit_price: None,
        line_total: Some(s("_line_total")),
        allocated: None,
        allocation_cancelled: None,
        only: BTreeMap::from([(s("order_item_type"), s("line_item"))]),
        meta: Some(MetaMap {
            table: itemmeta,
            owner: s("order_item_id"),
            of: s("order_item_id"),
            name: s("meta_key"),
            value: s("meta_value"),
        }),
        // A fee line (WC_Order_Item_Fee) keeps its amount in `_line_total`
        // as a product line does.
        fees: Some(FeesMap {
            only: BTreeMap::from([(s("order_item_type"), s("fee"))]),
        }),
    });
    let posts = t("posts");
    m.products = cat.has(&posts, &["ID", "post_title"]).then(|| ProductsMap {
        table: posts,
        key: s("ID"),
        name: s("post_title"),
        sku: None,
        via: None,
    });
    // Stock is post meta, kept and restored only by WooCommerce.
    m.stock = None;
    m.status_history = None;
    // Order notes are WordPress comments on the order (comment_post_ID),
    // WooCommerce's own ("Order status changed from …") among them, read
    // with the order. A note is written as `WC_Order::add_order_note`
    // writes one (includes/class-wc-order.php, through WordPress'
    // `wp_insert_comment`): an approved comment of type `order_note` from
    // agent `WooCommerce`, dated in UTC and in the site's own time zone,
    // which wp_options holds. Without that table the console keeps the
    // notes it adds.
    let comments = t("comments");
    let options = t("options");
    let local = (cat.has(&comments, &["comment_date"])
        && cat.has(&options, &["option_name", "option_value"]))
    .then(|| LocalTimeMap {
        column: s("comment_date"),
        options,
    });
    m.notes = cat
        .has(
            &comments,
            &[
                "comment_post_ID",
                "comment_content",
                "comment_date_gmt",
                "comment_author",
            ],
        )
        .then(|| NotesMap {
            table: comments,
            order: s("comment_post_ID"),
            body: s("comment_content"),
            at: s("comment_date_gmt"),
            updated: None,
            operator: Some(s("comment_author")),
            fixed: BTreeMap::from([
                (s("comment_type"), s("order_note")),
                (s("comment_agent"), s("WooCommerce")),
                (s("comment_approved"), s("1")),
            ]),
            read_only: local.is_none(),
            local,
        });
    let meta = t("wc_orders_meta");
    m.refunds = cat
        .has(&meta, &["order_id", "meta_key", "meta_value"])
        .then(|| RefundsMap {
            table: orders,
            order: s("parent_order_id"),
            amount: s("_refund_amount"),
            at: s("date_created_gmt"),
            reason: Some(s("_refund_reason")),
            operator: None,
            fixed: BTreeMap::from([(s("type"), s("shop_order_refund"))]),
            meta: Some(MetaMap {
                table: meta,
                owner: s("order_id"),
                of: s("id"),
                name: s("meta_key"),
                value: s("meta_value"),
            }),
            via: None,
        });
    m.lifecycle = Some(lifecycle());
    true
}
