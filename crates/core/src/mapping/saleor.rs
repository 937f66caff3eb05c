//! The Saleor preset, from saleor/saleor's models as its migrations leave
//! them: saleor/account/models.py `User` (account_user: an integer key,
//! `is_active`, `is_confirmed`, `last_login`, `date_joined`, `updated_at`)
//! and saleor/order/models.py `Order` (order_order: a UUID key, an integer
//! `number`, `status`, `authorize_status`, `charge_status`, `user_id` or
//! `user_email`, `currency`, money as numeric(20,3):
//! `subtotal_gross_amount`, `shipping_price_gross_amount`,
//! `total_gross_amount`), `OrderLine` (order_orderline: a UUID key,
//! `product_name`, `quantity`, `unit_price_gross_amount`,
//! `total_price_gross_amount`) and `OrderGrantedRefund`
//! (order_ordergrantedrefund: `amount_value`, `reason`, `created_at`).
//! Statuses are saleor/order/__init__.py's `OrderStatus`.
//!
//! Saleor changes an order through its own API (fulfilments, warehouse
//! allocations, payment apps and transactions): its orders are read,
//! checked and noted here, and every change is refused with a sentence
//! sending the operator to Saleor's dashboard. Its events keep notes as
//! JSON parameters, which the mapping does not write: notes are the
//! console's.

use std::collections::BTreeMap;

use super::catalogue::Catalogue;
use super::presets::Found;
use super::{
    Active, Currency, ItemsMap, Lifecycle, Link, LinksMap, Mapping, Money, OrderMap, RefundsMap,
    UserMap, Verified,
};

fn s(v: &str) -> String {
    v.to_string()
}

/// Where Saleor's example storefront takes a reset link.
const SALEOR_RESET_PATH: &str = "/reset-password/?email={email}&token={token}";

/// Saleor's `OrderStatus` values.
const STATUSES: [&str; 9] = [
    "draft",
    "unconfirmed",
    "unfulfilled",
    "partially fulfilled",
    "fulfilled",
    "partially_returned",
    "returned",
    "canceled",
    "expired",
];

fn lifecycle() -> Lifecycle {
    Lifecycle {
        statuses: STATUSES.iter().map(|w| s(w)).collect(),
        moves: BTreeMap::new(),
        cancelled: vec![s("canceled")],
        refunded: Vec::new(),
        closed: vec![s("canceled"), s("expired"), s("returned")],
        refundable: Vec::new(),
        shipped: vec![
            s("partially fulfilled"),
            s("fulfilled"),
            s("partially_returned"),
            s("returned"),
        ],
        stamps: BTreeMap::new(),
        changed_elsewhere: Some(s(
            "Saleor changes an order only through its own API (fulfilments, warehouse \
             allocations, payment apps): fulfil, cancel or refund this order in Saleor's \
             dashboard",
        )),
    }
}

/// Saleor's users (account_user).
pub(super) fn users(cat: &Catalogue) -> Option<Found> {
    let t = "account_user";
    if !cat.has(
        t,
        &["id", "email", "is_active", "is_confirmed", "date_joined"],
    ) {
        return None;
    }
    let opt = |c: &str| cat.column(t, c).map(|_| s(c));
    let user = UserMap {
        table: s(t),
        key: s("id"),
        email: s("email"),
        username: None,
        name: ["first_name", "last_name"]
            .iter()
            .filter_map(|c| opt(c))
            .collect(),
        created: Some(s("date_joined")),
        updated: opt("updated_at"),
        last_sign_in: opt("last_login"),
        failed_attempts: None,
        active: Some(Active::Flag {
            column: s("is_active"),
        }),
        lock: None,
        verified: Some(Verified::Flag {
            column: s("is_confirmed"),
        }),
        sign_ins: None,
    };
    // Saleor's requestPasswordReset mails the storefront's redirect URL with
    // the address and a token of Django's default_token_generator, which
    // its setPassword mutation checks (saleor/account/notifications.py).
    let mut mapping = super::presets::mapping(s("saleor"), user, None);
    mapping.links = opt("password").map(|password| LinksMap {
        password_reset: Some(Link::DjangoReset {
            path: s(SALEOR_RESET_PATH),
            password,
            time_zone: None,
            expires_in: None,
        }),
        verify_email: None,
    });
    Some(Found {
        mapping,
        notes: vec![s(
            "links: the reset link goes to the storefront's /reset-password/ with the address \
             and a token of Django's generator; set links.password_reset.path to your \
             storefront's, and store Saleor's SECRET_KEY with `backoffice profile \
             backend-secret NAME --stdin`",
        )],
    })
}

/// Maps a Saleor shop's orders where its tables are there.
pub(super) fn recognise(cat: &Catalogue, m: &mut Mapping) -> bool {
    if !cat.has(
        "order_order",
        &[
            "id",
            "number",
            "status",
            "user_email",
            "currency",
            "total_gross_amount",
            "created_at",
        ],
    ) || !cat.has(
        "order_orderline",
        &["id", "order_id", "product_name", "quantity"],
    ) {
        return false;
    }
    let opt = |t: &str, c: &str| cat.column(t, c).map(|_| s(c));
    m.order = Some(OrderMap {
        table: s("order_order"),
        key: s("id"),
        number: Some(s("number")),
        customer: opt("order_order", "user_id"),
        guest_email: Some(s("user_email")),
        status: s("status"),
        status_also: ["authorize_status", "charge_status"]
            .iter()
            .filter_map(|c| opt("order_order", c))
            .collect(),
        currency: Currency::Column {
            column: s("currency"),
        },
        money: Money::Decimal,
        total: s("total_gross_amount"),
        subtotal: opt("order_order", "subtotal_gross_amount"),
        shipping: opt("order_order", "shipping_price_gross_amount"),
        discount: None,
        tax: None,
        adjustment: None,
        placed: s("created_at"),
        updated: opt("order_order", "updated_at"),
        only: BTreeMap::new(),
        side: None,
    });
    m.items = Some(ItemsMap {
        table: s("order_orderline"),
        key: s("id"),
        order: s("order_id"),
        quantity: s("quantity"),
        product: None,
        stock: None,
        title: Some(s("product_name")),
        unit_price: opt("order_orderline", "unit_price_gross_amount"),
        line_total: opt("order_orderline", "total_price_gross_amount"),
        allocated: None,
        allocation_cancelled: None,
        only: BTreeMap::new(),
        meta: None,
        fees: None,
    });
    m.products = None;
    m.stock = None;
    m.status_history = None;
    m.notes = None;
    m.refunds = cat
        .has(
            "order_ordergrantedrefund",
            &["order_id", "amount_value", "created_at"],
        )
        .then(|| RefundsMap {
            table: s("order_ordergrantedrefund"),
            order: s("order_id"),
            amount: s("amount_value"),
            at: s("created_at"),
            reason: opt("order_ordergrantedrefund", "reason"),
            operator: None,
            fixed: BTreeMap::new(),
            meta: None,
            via: None,
        });
    m.lifecycle = Some(lifecycle());
    true
}
