//! Shop presets: where a recognised back end keeps its orders, items,
//! products, stock, history, notes and refunds, and its lifecycle. Column
//! lists follow each project's own schema:
//! - reference: migrations/*/demo/0001_reference_schema.sql (ours), the
//!   lifecycle from orders/lifecycle.rs;
//! - django-oscar 4.2: oscar/apps/order/migrations/0001_initial.py (and
//!   later ones) for order_order, order_line, order_orderstatuschange and
//!   order_ordernote; oscar/apps/partner/migrations/0001_initial.py for
//!   partner_stockrecord; oscar/apps/catalogue/migrations/0001_initial.py
//!   for catalogue_product. The status words are a project setting
//!   (OSCAR_ORDER_STATUS_PIPELINE), which no catalogue shows;
//! - Solidus: solidus.rs; Saleor: saleor.rs; WooCommerce: woocommerce.rs.

use std::collections::BTreeMap;

use super::catalogue::Catalogue;
use super::{
    Currency, HistoryMap, ItemsMap, Lifecycle, Mapping, Money, NotesMap, OnCancel, OrderMap,
    ProductsMap, RefundsMap, StockMap,
};

/// Adds the shop a back end has to its mapping; the name for the preset,
/// and notes on settings the catalogue cannot show.
pub fn recognise(
    cat: &Catalogue,
    m: &mut Mapping,
    notes: &mut Vec<String>,
) -> Option<&'static str> {
    if reference(cat, m) {
        return Some("reference");
    }
    if oscar(cat, m) {
        notes.push(
            "lifecycle follows django-oscar's example OSCAR_ORDER_STATUS_PIPELINE \
             (Pending → Being processed → Shipped → Complete, Cancelled); \
             copy your project's pipeline into [lifecycle] if it differs"
                .into(),
        );
        return Some("oscar");
    }
    if super::solidus::recognise(cat, m) {
        notes.push(
            "Solidus orders are read, checked and noted here; every change goes through \
             Solidus' own state machine, so the console refuses them and says so"
                .into(),
        );
        return Some("solidus");
    }
    if super::saleor::recognise(cat, m) {
        notes.push(
            "Saleor orders are read, checked and noted here; fulfilments, cancels and refunds \
             go through Saleor's own API, so the console refuses them and says so"
                .into(),
        );
        return Some("saleor");
    }
    if super::woocommerce::recognise(cat, m) {
        notes.push(
            "WooCommerce orders are read, checked and noted here; status changes, cancels and \
             refunds run WooCommerce's own hooks (stock, emails, gateways), so the console \
             refuses them and says so"
                .into(),
        );
        return Some("woocommerce");
    }
    None
}

fn opt(cat: &Catalogue, table: &str, column: &str) -> Option<String> {
    cat.column(table, column).map(|_| s(column))
}

fn s(v: &str) -> String {
    v.to_string()
}

fn reference(cat: &Catalogue, m: &mut Mapping) -> bool {
    if !cat.has(
        "orders",
        &["id", "user_id", "status", "total_cents", "placed_at"],
    ) || !cat.has(
        "order_items",
        &["order_id", "product_id", "line_total_cents"],
    ) {
        return false;
    }
    m.order = Some(OrderMap {
        table: s("orders"),
        key: s("id"),
        number: None,
        customer: Some(s("user_id")),
        guest_email: None,
        status: s("status"),
        status_also: Vec::new(),
        currency: Currency::Column {
            column: s("currency"),
        },
        money: Money::Minor,
        total: s("total_cents"),
        subtotal: Some(s("subtotal_cents")),
        shipping: Some(s("shipping_cents")),
        discount: Some(s("discount_cents")),
        tax: Some(s("tax_cents")),
        adjustment: None,
        placed: s("placed_at"),
        updated: Some(s("updated_at")),
        only: BTreeMap::new(),
        side: None,
    });
    m.items = Some(ItemsMap {
        table: s("order_items"),
        key: s("id"),
        order: s("order_id"),
        quantity: s("quantity"),
        product: Some(s("product_id")),
        stock: None,
        title: None,
        unit_price: Some(s("unit_price_cents")),
        line_total: Some(s("line_total_cents")),
        allocated: None,
        allocation_cancelled: None,
        only: BTreeMap::new(),
        meta: None,
        fees: None,
    });
    m.products = Some(ProductsMap {
        table: s("products"),
        key: s("id"),
        name: s("name"),
        sku: Some(s("sku")),
        via: None,
    });
    m.stock = Some(StockMap {
        table: s("products"),
        key: s("id"),
        product: None,
        on_hand: s("stock"),
        allocated: None,
        on_cancel: OnCancel::Restock,
    });
    m.status_history = Some(HistoryMap {
        table: s("order_events"),
        order: s("order_id"),
        from: Some(s("from_status")),
        to: s("to_status"),
        at: s("at"),
        operator: Some(s("operator")),
        reason: Some(s("reason")),
        fixed: BTreeMap::new(),
    });
    m.notes = Some(NotesMap {
        table: s("order_notes"),
        order: s("order_id"),
        body: s("body"),
        at: s("at"),
        updated: None,
        operator: Some(s("operator")),
        fixed: BTreeMap::new(),
        read_only: false,
        local: None,
    });
    m.refunds = Some(RefundsMap {
        table: s("refunds"),
        order: s("order_id"),
        amount: s("amount_cents"),
        at: s("at"),
        reason: Some(s("reason")),
        operator: Some(s("operator")),
        fixed: BTreeMap::new(),
        meta: None,
        via: None,
    });
    m.lifecycle = Some(crate::orders::declared_lifecycle());
    true
}

/// django-oscar's example pipeline (its sandbox settings), the statuses a
/// shop uses unless it sets its own.
fn oscar_lifecycle() -> Lifecycle {
    let words = |v: &[&str]| v.iter().map(|w| s(w)).collect::<Vec<_>>();
    let moves = [
        ("Pending", &["Being processed", "Cancelled"][..]),
        ("Being processed", &["Shipped", "Cancelled"][..]),
        ("Shipped", &["Complete"][..]),
    ];
    Lifecycle {
        statuses: words(&[
            "Pending",
            "Being processed",
            "Shipped",
            "Complete",
            "Cancelled",
        ]),
        moves: moves.iter().map(|(f, t)| (s(f), words(t))).collect(),
        cancelled: words(&["Cancelled"]),
        refunded: Vec::new(),
        closed: words(&["Cancelled"]),
        refundable: words(&["Being processed", "Shipped", "Complete"]),
        shipped: words(&["Shipped", "Complete"]),
        stamps: BTreeMap::new(),
        changed_elsewhere: None,
    }
}

fn oscar(cat: &Catalogue, m: &mut Mapping) -> bool {
    if !cat.has(
        "order_order",
        &[
            "id",
            "number",
            "status",
            "total_incl_tax",
            "date_placed",
            "guest_email",
        ],
    ) || !cat.has(
        "order_line",
        &["order_id", "quantity", "line_price_incl_tax"],
    ) {
        return false;
    }
    m.order = Some(OrderMap {
        table: s("order_order"),
        key: s("id"),
        number: Some(s("number")),
        customer: Some(s("user_id")),
        guest_email: Some(s("guest_email")),
        status: s("status"),
        status_also: Vec::new(),
        currency: Currency::Column {
            column: s("currency"),
        },
        money: Money::Decimal,
        total: s("total_incl_tax"),
        subtotal: None,
        shipping: Some(s("shipping_incl_tax")),
        discount: None,
        tax: None,
        adjustment: None,
        placed: s("date_placed"),
        updated: None,
        only: BTreeMap::new(),
        side: None,
    });
    m.items = Some(ItemsMap {
        table: s("order_line"),
        key: s("id"),
        order: s("order_id"),
        quantity: s("quantity"),
        product: Some(s("product_id")),
        stock: Some(s("stockrecord_id")),
        title: Some(s("title")),
        unit_price: Some(s("unit_price_incl_tax")),
        line_total: Some(s("line_price_incl_tax")),
        allocated: opt(cat, "order_line", "num_allocated"),
        allocation_cancelled: opt(cat, "order_line", "allocation_cancelled"),
        only: BTreeMap::new(),
        meta: None,
        fees: None,
    });
    m.products = cat
        .has("catalogue_product", &["id", "title", "upc"])
        .then(|| ProductsMap {
            table: s("catalogue_product"),
            key: s("id"),
            name: s("title"),
            sku: Some(s("upc")),
            via: None,
        });
    m.stock = cat
        .has(
            "partner_stockrecord",
            &["id", "product_id", "num_in_stock", "num_allocated"],
        )
        .then(|| StockMap {
            table: s("partner_stockrecord"),
            key: s("id"),
            product: Some(s("product_id")),
            on_hand: s("num_in_stock"),
            allocated: Some(s("num_allocated")),
            on_cancel: OnCancel::Release,
        });
    m.status_history = cat
        .has(
            "order_orderstatuschange",
            &["order_id", "old_status", "new_status", "date_created"],
        )
        .then(|| HistoryMap {
            table: s("order_orderstatuschange"),
            order: s("order_id"),
            from: Some(s("old_status")),
            to: s("new_status"),
            at: s("date_created"),
            operator: None,
            reason: None,
            fixed: BTreeMap::new(),
        });
    m.notes = cat
        .has(
            "order_ordernote",
            &["order_id", "message", "date_created", "note_type"],
        )
        .then(|| NotesMap {
            table: s("order_ordernote"),
            order: s("order_id"),
            body: s("message"),
            at: s("date_created"),
            updated: opt(cat, "order_ordernote", "date_updated"),
            operator: None,
            fixed: BTreeMap::from([(s("note_type"), s("Info"))]),
            read_only: false,
            local: None,
        });
    // Oscar keeps refunds as sums on payment sources, not as records: the
    // console keeps its own.
    m.refunds = None;
    m.lifecycle = Some(oscar_lifecycle());
    true
}
