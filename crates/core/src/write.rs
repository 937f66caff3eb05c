//! The one way the console changes a record of the back end's: an account
//! action, an order change, a fix, on the reference schema or through a
//! mapping. In one transaction: read the record under lock and refuse if it
//! is not as the operator saw it (a version, or a fingerprint where the
//! table has none), plan, note what the guarding rules flag, write, refuse
//! if the write made a new finding, append the audit entry, read the record
//! back, commit. A transaction that met another writer is run again; a
//! stale record is not.

use serde_json::{Map, Value};

use crate::audit::{self, Record};
use crate::db::{retry_contended, WriteTx};
use crate::session::Ctx;
use crate::validation::{Entity, Guard, Watch};
use crate::Result;

/// The audit entry of one change.
pub(crate) struct Entry {
    pub action: &'static str,
    pub entity: Entity,
    pub id: String,
    pub before: Map<String, Value>,
    pub after: Map<String, Value>,
    pub reason: Option<String>,
}

/// One kind of change, in the steps [`apply`] runs.
pub(crate) trait Edit {
    /// What it does, for errors ("change a user").
    const DOING: &'static str;
    /// The record as read under lock.
    type State;
    /// What the change will write.
    type Plan;
    /// What the caller gets back: the record as it is after.
    type Done;

    /// Reads the record, locked, and refuses (`Error::Stale`) if it is not
    /// as the operator saw it.
    async fn read(&self, tx: &mut WriteTx, ctx: &Ctx<'_>) -> Result<Self::State>;
    /// What to write, or why not.
    fn plan(&self, ctx: &Ctx<'_>, state: &Self::State) -> Result<Self::Plan>;
    /// The records the guarding rules watch; `None` when no rule reads
    /// what the change writes.
    fn touched(&self, state: &Self::State, plan: &Self::Plan) -> Option<Watch<'_>>;
    /// The writes, and the audit entry that says what they did.
    async fn write(
        &self,
        tx: &mut WriteTx,
        ctx: &Ctx<'_>,
        state: &Self::State,
        plan: &Self::Plan,
    ) -> Result<Entry>;
    /// The record after the change, read inside the transaction.
    async fn after(&self, tx: &mut WriteTx, ctx: &Ctx<'_>) -> Result<Self::Done>;
}

/// Runs `edit` as described above.
pub(crate) async fn apply<E: Edit>(ctx: &Ctx<'_>, edit: &E) -> Result<E::Done> {
    retry_contended(|| once(ctx, edit)).await
}

/// Reads and plans `edit` exactly as [`apply`] would (the same lock, the
/// same version check and refusals), then rolls back: what a dry run shows.
pub(crate) async fn plan_only<E: Edit>(ctx: &Ctx<'_>, edit: &E) -> Result<(E::State, E::Plan)> {
    let mut tx = ctx.db.begin_write(E::DOING).await?;
    let planned = match edit.read(&mut tx, ctx).await {
        Ok(state) => edit.plan(ctx, &state).map(|plan| (state, plan)),
        Err(e) => Err(e),
    };
    tx.rollback().await?;
    planned
}

async fn once<E: Edit>(ctx: &Ctx<'_>, edit: &E) -> Result<E::Done> {
    let mut tx = ctx.db.begin_write(E::DOING).await?;
    let state = edit.read(&mut tx, ctx).await?;
    let plan = edit.plan(ctx, &state)?;
    let guard = match edit.touched(&state, &plan) {
        Some(t) => Some(Guard::before(&mut tx, ctx.now, t).await?),
        None => None,
    };
    let entry = edit.write(&mut tx, ctx, &state, &plan).await?;
    if let Some(guard) = guard {
        guard.check(&mut tx).await?;
    }
    audit::append(
        &mut tx,
        ctx.operator.username(),
        ctx.now,
        Record {
            action: entry.action,
            entity_type: entry.entity.as_str(),
            entity_id: entry.id,
            before: Some(entry.before),
            after: Some(entry.after),
            reason: entry.reason.as_deref(),
        },
    )
    .await?;
    let done = edit.after(&mut tx, ctx).await?;
    tx.commit().await?;
    Ok(done)
}
