//! The rules as guards on every edit. An edit reads what the guarding
//! rules flag among the records it touches, makes its change, and reads
//! again inside the same transaction: a record flagged now that was not
//! before means the edit created a finding, and it is refused with the
//! rule's explanation (the transaction is dropped, so nothing is written).
//! Findings that were already there do not block an edit. On a back end
//! of its own, the rules over its mapping guard the console's edits the
//! same way.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use super::mapped::{self, Guarded, On, Records};
use super::rules::{Params, Scope, RULES};
use super::Entity;
use crate::db::{Query, Source, WriteTx};
use crate::progress::CancelToken;
use crate::{Error, Result};

/// The records an edit touches, by entity.
#[derive(Debug, Default, Clone)]
pub(crate) struct Touched {
    pub users: Vec<i64>,
    pub orders: Vec<i64>,
    pub products: Vec<i64>,
}

impl Touched {
    pub(crate) fn user(id: i64) -> Touched {
        Touched {
            users: vec![id],
            ..Touched::default()
        }
    }

    /// The record of a fix's kind.
    pub(crate) fn of(entity: Entity, id: i64) -> Touched {
        let mut t = Touched::default();
        match entity {
            Entity::User => t.users.push(id),
            Entity::Order => t.orders.push(id),
            Entity::Product | Entity::Stock => t.products.push(id),
            // A line is edited through its order.
            Entity::OrderItem => {}
        }
        t
    }

    /// The touched records of one kind: an order's lines are touched with
    /// the order.
    async fn ids(&self, tx: &mut WriteTx, entity: Entity) -> Result<Vec<i64>> {
        Ok(match entity {
            Entity::User => self.users.clone(),
            Entity::Order => self.orders.clone(),
            Entity::Product | Entity::Stock => self.products.clone(),
            Entity::OrderItem if self.orders.is_empty() => Vec::new(),
            Entity::OrderItem => {
                let mut q = Query::new("SELECT id FROM order_items WHERE order_id IN ");
                q.bind_list(self.orders.iter().copied()).sql(" ORDER BY id");
                let rows: Vec<(i64,)> = tx.fetch_all(&q, "cannot read the order's lines").await?;
                rows.into_iter().map(|(id,)| id).collect()
            }
        })
    }
}

/// What a guard watches: records of the reference schema, or a back
/// end's records through its mapping (the rules over a mapping, scoped to
/// them).
pub(crate) enum Watch<'e> {
    Reference(Touched),
    Mapped(&'e Guarded<'e>, Records),
}

impl From<Touched> for Watch<'_> {
    fn from(t: Touched) -> Self {
        Watch::Reference(t)
    }
}

enum Watching<'e> {
    Reference { touched: Touched, params: Params },
    Mapped(On<'e>),
}

/// What the guarding rules flagged among the touched records before the
/// edit.
pub(crate) struct Guard<'e> {
    watching: Watching<'e>,
    before: BTreeSet<(&'static str, i64)>,
}

impl<'e> Guard<'e> {
    /// Reads the state before the edit; call it after locking the rows.
    pub(crate) async fn before(
        tx: &mut WriteTx,
        now: DateTime<Utc>,
        watch: Watch<'e>,
    ) -> Result<Guard<'e>> {
        let watching = match watch {
            Watch::Reference(touched) => Watching::Reference {
                touched,
                params: Params::at(now),
            },
            Watch::Mapped(rules, records) => Watching::Mapped(rules.of(records)),
        };
        let before = watching.flagged(tx).await?;
        Ok(Guard { watching, before })
    }

    /// Refuses the edit if it made a guarding rule flag a record that it
    /// did not flag before. Call it after the edit's writes, before commit.
    pub(crate) async fn check(self, tx: &mut WriteTx) -> Result<()> {
        let after = self.watching.flagged(tx).await?;
        let Some((rule_id, entity_id)) = after.difference(&self.before).next() else {
            return Ok(());
        };
        let (entity, title, explanation) = match self.watching {
            Watching::Reference { .. } => RULES
                .iter()
                .find(|r| r.id == *rule_id)
                .map(|r| (r.entity, r.title, r.explanation)),
            Watching::Mapped(_) => {
                mapped::rule(rule_id).map(|r| (r.entity, r.title, r.explanation))
            }
        }
        .expect("flagged by a rule in the catalogue");
        Err(Error::validation(format!(
            "refused: this change would make {entity} {entity_id} a finding of the rule \
             \"{title}\" ({rule_id}). {explanation} Nothing was written."
        )))
    }
}

impl Watching<'_> {
    async fn flagged(&self, tx: &mut WriteTx) -> Result<BTreeSet<(&'static str, i64)>> {
        match self {
            Watching::Reference { touched, params } => flagged(tx, params, touched).await,
            Watching::Mapped(on) => mapped::flagged(tx, on).await,
        }
    }
}

async fn flagged(
    tx: &mut WriteTx,
    params: &Params,
    touched: &Touched,
) -> Result<BTreeSet<(&'static str, i64)>> {
    let mut out = BTreeSet::new();
    for r in RULES.iter().filter(|r| r.guards_edits) {
        let ids = touched.ids(tx, r.entity).await?;
        if ids.is_empty() {
            continue;
        }
        let scope = Scope::Ids(&ids);
        let mut src = Source::Tx(tx);
        for id in super::flagged::flagged(&mut src, r, params, &scope, &CancelToken::new()).await? {
            out.insert((r.id, id));
        }
    }
    Ok(out)
}
