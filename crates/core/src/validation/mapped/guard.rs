//! The rules over a mapping as guards on the console's edits of the back
//! end: the same queries as a sweep, scoped to the records an edit
//! touched, read before and after its writes inside its transaction
//! (`validation::guard` compares the two).

use std::collections::BTreeSet;

use super::checks::{On, Plan, Records};
use super::{Reads, MAPPED_RULES};
use crate::db::{Db, Query, WriteTx};
use crate::mapping::Mapping;
use crate::progress::CancelToken;
use crate::Result;

/// The mapped rules, read once per command (the catalogue's word on the
/// keys), before any transaction.
pub(crate) struct Guarded<'m> {
    on: On<'m>,
}

impl<'m> Guarded<'m> {
    pub(crate) async fn read(db: &Db, m: &'m Mapping) -> Result<Guarded<'m>> {
        Ok(Guarded {
            on: On::read(db, m).await?,
        })
    }

    /// The rules' view of these records only.
    pub(crate) fn of(&self, records: Records) -> On<'m> {
        On {
            scope: Some(records),
            ..self.on.clone()
        }
    }
}

/// (rule, id) of every finding the rules that read the touched kinds of
/// record make among them; a rule the mapping cannot express reads
/// nothing.
pub(crate) async fn flagged(
    tx: &mut WriteTx,
    on: &On<'_>,
) -> Result<BTreeSet<(&'static str, i64)>> {
    let Some(records) = &on.scope else {
        return Ok(BTreeSet::new());
    };
    let mut out = BTreeSet::new();
    for r in MAPPED_RULES {
        let touched = match r.reads {
            Reads::Users => &records.users,
            Reads::Orders => &records.orders,
            Reads::Stock => &records.stock,
        };
        if touched.is_empty() {
            continue;
        }
        let Ok(plan) = (r.check)(on) else { continue };
        let ids: Vec<i64> = match plan {
            Plan::Sql { select, .. } => {
                let mut q = Query::new("SELECT f.id FROM (");
                q.append(select).sql(") f");
                let rows: Vec<(i64,)> = tx
                    .fetch_all(&q, "cannot evaluate a validation rule")
                    .await?;
                rows.into_iter().map(|(id,)| id).collect()
            }
            Plan::Emails(a) => super::run::undeliverable(tx, on, &a, &CancelToken::new()).await?,
        };
        out.extend(ids.into_iter().map(|id| (r.id, id)));
    }
    Ok(out)
}
