//! Helpers for the stories on mapped back ends: an attached database with
//! two operators, an action at the version the card shows, the latest
//! audit entry.

use backoffice_core::db::Db;
use backoffice_core::mapping::detect::{Capability, Detection};
use backoffice_core::mapping::Mapping;
use backoffice_core::operators::Operator;
use backoffice_core::orders::mapped::{search, MappedOrder, MappedOrderQuery};
use backoffice_core::page::PageRequest;
use backoffice_core::session::Ctx;
use backoffice_core::users::mapped::{apply, card, MappedCard};
use backoffice_core::users::UserAction;
use backoffice_core::Result;
use backoffice_testkit::TestDb;

/// Attaches and signs in an admin and a support operator.
pub async fn operators(t: &TestDb) -> (Db, Operator, Operator) {
    let db = Db::connect(&t.target(), Default::default()).await.unwrap();
    db.attach().await.expect("attach");
    let (admin, support) = super::operators(&db).await;
    (db, admin, support)
}

/// Applies `action` to `key` at the version its card shows now.
pub async fn act(ctx: &Ctx<'_>, m: &Mapping, key: &str, action: UserAction) -> Result<MappedCard> {
    let seen = card(ctx, m, key).await?.version;
    apply(ctx, m, key, &seen, action, Some("ticket 7")).await
}

pub fn message(r: Result<MappedCard>) -> String {
    r.expect_err("refused").to_string()
}

/// The latest audit entry: "action entity", and what it says was written.
pub async fn last_audit(t: &TestDb) -> (String, String) {
    let latest = |column: &str| {
        format!("SELECT {column} FROM backoffice_audit_log ORDER BY id DESC LIMIT 1")
    };
    let action = t.texts(&latest("action")).await;
    let entity = t.texts(&latest("entity_id")).await;
    let after = t.texts(&latest("after_json")).await;
    (format!("{} {}", action[0], entity[0]), after[0].clone())
}

/// The first 50 orders the list shows, with no filter (newest key first).
pub async fn all_orders(ctx: &Ctx<'_>, m: &Mapping) -> Vec<MappedOrder> {
    search(
        ctx,
        m,
        &MappedOrderQuery::default(),
        &PageRequest::first(50),
    )
    .await
    .unwrap()
    .items
}

/// The capability detection names `name`.
pub fn capability<'a>(d: &'a Detection, name: &str) -> &'a Capability {
    d.capabilities
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no capability {name}"))
}

/// Each order as the list tells it: number, status word, total, address.
pub fn told(orders: &[MappedOrder]) -> Vec<(&str, &str, Option<i64>, &str)> {
    orders
        .iter()
        .map(|o| {
            (
                o.number.as_str(),
                o.status.as_str(),
                o.total,
                o.email.as_str(),
            )
        })
        .collect()
}

/// A cancel, a transition to `to` and a refund of order `id` are each
/// refused with a sentence holding `why`.
pub async fn changes_refused(
    ctx: &Ctx<'_>,
    m: &Mapping,
    id: &str,
    version: &str,
    to: &str,
    why: &str,
) {
    use backoffice_core::orders::mapped::{apply, refund, MappedChange};
    for change in [
        MappedChange::Cancel,
        MappedChange::Transition { to: to.into() },
    ] {
        let err = apply(ctx, m, id, version, change, Some("asked"))
            .await
            .unwrap_err();
        assert!(err.to_string().contains(why), "{err}");
    }
    let err = refund(ctx, m, id, version, Some(100), Some("scratched"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains(why), "{err}");
}

/// A Django user's id (auth_user.id is a 32-bit integer).
pub async fn django_user(t: &TestDb, username: &str) -> i64 {
    let int64 = if t.backend == backoffice_core::db::Backend::Mysql {
        "SIGNED"
    } else {
        "BIGINT"
    };
    t.scalar(&format!(
        "SELECT CAST(id AS {int64}) FROM auth_user WHERE username = '{username}'"
    ))
    .await
}
